//! Result bundles: the signed files a tablet exports and a department verifies.
//!
//! A bundle is a DSSE envelope (`payloadType`, `payload`: strict base64 of the bundle JSON,
//! `signatures: [{keyid, sig}]`), written as RFC 8785 canonical JSON with nothing after it.
//! The signature is Ed25519 over the DSSE pre-authentication encoding of the exact payload
//! bytes, so nothing is ever re-encoded before it is checked. Each response in the payload
//! carries the SHA-256 of its own canonical JSON. The format is written down in
//! `docs/bundle-format.md`; this module is one implementation of it, and the tests hold a
//! second, independent one in Python.

use crate::canonical::{canonical_json, hex, sha256_canonical_hex};
pub use crate::response::Sample;
use crate::response::{Answer, Draft, Mode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// The DSSE payload type of a bundle.
pub const PAYLOAD_TYPE: &str = "application/vnd.survey-kit.bundle+json";
/// The bundle format version this build writes and reads outside evaluation rounds.
pub const BUNDLE_FORMAT: &str = "bundle/1";
/// The bundle format of a device working through an evaluation round: `bundle/1` plus the
/// round, the device's contact attempts and each response's place in the sample.
pub const BUNDLE_FORMAT_ROUND: &str = "bundle/2";
/// The roster format version.
pub const ROSTER_FORMAT: &str = "roster/1";

/// A response as it leaves the tablet: only the answers of relevant questions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedResponse {
    pub id: String,
    pub survey_id: String,
    pub fingerprint: String,
    pub unit: Option<String>,
    /// Key id of the device that collected it.
    pub device: String,
    /// The device's sequence number of this response (one counter per device).
    pub seq: u64,
    pub answers: BTreeMap<String, Answer>,
    pub started_at: i64,
    pub finished_at: i64,
    pub mode: Mode,
    pub lang: String,
    pub app_version: String,
    /// In a round (`bundle/2`): which drawn household was interviewed. Absent in `bundle/1`,
    /// where the field does not exist (so `bundle/1` hashes do not move).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<Sample>,
}

/// The round a `bundle/2` belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundRef {
    pub id: String,
    /// Lowercase hex SHA-256 of the round file's payload bytes.
    pub sha256: String,
}

/// What a contact attempt that gave no interview found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactOutcome {
    NotAtHome,
    Refused,
    Vacant,
    NotEligible,
}

/// One contact attempt at a household (`bundle/2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub id: String,
    pub unit: String,
    pub household: String,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub outcome: ContactOutcome,
    pub note: String,
}

impl ExportedResponse {
    /// The exported form of a finished draft, with only `answers` (the relevant ones).
    pub fn from_draft(draft: &Draft, answers: BTreeMap<String, Answer>, device_keyid: &str, seq: u64) -> Self {
        ExportedResponse {
            id: draft.id.clone(),
            survey_id: draft.survey_id.clone(),
            fingerprint: draft.fingerprint.clone(),
            unit: draft.unit.clone(),
            device: device_keyid.to_owned(),
            seq,
            answers,
            started_at: draft.started_at,
            finished_at: draft.finished_at.unwrap_or(draft.started_at),
            mode: draft.mode,
            lang: draft.lang.clone(),
            app_version: draft.app_version.clone(),
            sample: draft.sample.clone(),
        }
    }
}

/// The device that signed a bundle, as it describes itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceInfo {
    /// Standard base64 of the raw 32-byte Ed25519 public key.
    pub key: String,
    pub evaluator: String,
    pub team: String,
}

/// Which definition the responses answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyRef {
    pub id: String,
    pub version: String,
    pub fingerprint: String,
}

/// One response with the hash of its canonical JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseEntry {
    pub response: Value,
    pub hash: String,
}

/// The bundle JSON (the DSSE payload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundlePayload {
    pub format: String,
    pub bundle_id: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub device: DeviceInfo,
    pub survey: SurveyRef,
    /// The highest sequence number the device had issued when the bundle was made.
    pub device_seq_high: u64,
    pub responses: Vec<ResponseEntry>,
    /// `bundle/2` only: the round, and every contact attempt of the device in it so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<RoundRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Contact>>,
}

/// One signature of the envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeSignature {
    pub keyid: String,
    pub sig: String,
}

/// The DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub payload: String,
    pub signatures: Vec<EnvelopeSignature>,
}

/// The key id of a raw Ed25519 public key: lowercase hex SHA-256 of its 32 bytes.
pub fn keyid(public_key: &[u8]) -> String {
    hex(&Sha256::digest(public_key))
}

/// DSSE pre-authentication encoding: `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {} {} ", payload_type.len(), payload_type, payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

/// Builds the payload of a bundle: each response with its hash, canonical JSON bytes.
pub fn payload_bytes(
    bundle_id: &str,
    created_at: i64,
    device: DeviceInfo,
    survey: SurveyRef,
    device_seq_high: u64,
    responses: &[ExportedResponse],
) -> Vec<u8> {
    let responses = responses
        .iter()
        .map(|response| {
            let value = serde_json::to_value(response).unwrap_or(Value::Null);
            ResponseEntry { hash: sha256_canonical_hex(&value), response: value }
        })
        .collect();
    let payload = BundlePayload {
        format: BUNDLE_FORMAT.to_owned(),
        bundle_id: bundle_id.to_owned(),
        created_at,
        device,
        survey,
        device_seq_high,
        responses,
        round: None,
        contacts: None,
    };
    canonical_json(&serde_json::to_value(payload).unwrap_or(Value::Null))
}

/// The payload of a `bundle/2`: a payload from [`payload_bytes`] (whose responses carry their
/// `sample`) with the round and the device's contact attempts in it added.
pub fn round_payload_bytes(payload: &[u8], round: RoundRef, contacts: &[Contact]) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
    if let Some(object) = value.as_object_mut() {
        object.insert("format".into(), Value::from(BUNDLE_FORMAT_ROUND));
        object.insert("round".into(), serde_json::to_value(round).unwrap_or(Value::Null));
        object.insert("contacts".into(), serde_json::to_value(contacts).unwrap_or(Value::Null));
    }
    canonical_json(&value)
}

/// The envelope file around a payload and its signature (canonical JSON, no trailing bytes).
pub fn envelope_bytes(payload: &[u8], public_key: &[u8], signature: &[u8]) -> Vec<u8> {
    let envelope = Envelope {
        payload_type: PAYLOAD_TYPE.to_owned(),
        payload: STANDARD.encode(payload),
        signatures: vec![EnvelopeSignature { keyid: keyid(public_key), sig: STANDARD.encode(signature) }],
    };
    canonical_json(&serde_json::to_value(envelope).unwrap_or(Value::Null))
}

#[cfg(feature = "verify")]
mod fast;
mod roster;
#[cfg(feature = "seal")]
pub mod seal;
mod verify;

pub use roster::{Roster, RosterDevice, RosterError};
#[cfg(feature = "verify")]
pub use verify::verify;
pub use verify::{BundleError, VerifiedBundle};
