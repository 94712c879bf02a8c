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
/// The bundle format version this build writes and reads.
pub const BUNDLE_FORMAT: &str = "bundle/1";
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
    };
    canonical_json(&serde_json::to_value(payload).unwrap_or(Value::Null))
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

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterDevice {
    pub key: String,
    pub keyid: String,
    pub evaluator: String,
    #[serde(default)]
    pub team: String,
}

/// The devices a department accepts bundles from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    pub format: String,
    pub devices: Vec<RosterDevice>,
}

/// Why a roster file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterError(pub String);

impl fmt::Display for RosterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Roster {
    /// Parses and checks a roster: format version, keys of 32 bytes, key ids that match.
    pub fn parse(bytes: &[u8]) -> Result<Roster, RosterError> {
        let roster: Roster =
            serde_json::from_slice(bytes).map_err(|err| RosterError(format!("not a roster: {err}")))?;
        if roster.format != ROSTER_FORMAT {
            return Err(RosterError(format!(
                "unsupported roster format `{}`; this build reads `{ROSTER_FORMAT}`",
                roster.format
            )));
        }
        for (idx, device) in roster.devices.iter().enumerate() {
            let key =
                STANDARD.decode(&device.key).ok().filter(|key| key.len() == 32).ok_or_else(|| {
                    RosterError(format!("devices[{idx}].key: not the base64 of a 32-byte Ed25519 key"))
                })?;
            if keyid(&key) != device.keyid {
                return Err(RosterError(format!("devices[{idx}].keyid: does not match the key")));
            }
        }
        Ok(roster)
    }

    pub fn device(&self, keyid: &str) -> Option<&RosterDevice> {
        self.devices.iter().find(|d| d.keyid == keyid)
    }
}

/// Why a bundle was rejected. Every reason has a stable `code()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleError {
    /// Not a DSSE envelope: not JSON, missing or unknown fields, wrong types.
    Malformed(String),
    /// Valid JSON, but not in canonical form or with bytes after it.
    NotCanonical,
    UnsupportedPayloadType(String),
    /// `payload` or a signature is not strict, padded standard base64.
    BadBase64(&'static str),
    /// Exactly one signature is expected.
    SignatureCount(usize),
    UnsupportedVersion(String),
    /// The payload is not a bundle of this format version.
    PayloadMalformed(String),
    /// The device key in the payload is not a 32-byte Ed25519 key.
    BadKey,
    /// The signature's `keyid` is not the hash of the payload's device key.
    KeyidMismatch,
    /// The device is not on the roster.
    UnknownKey(String),
    BadSignature,
    ResponseHashMismatch {
        index: usize,
    },
    ResponseMalformed {
        index: usize,
        reason: String,
    },
    DuplicateResponse(String),
    DuplicateSequence(u64),
    /// A response's sequence number is above the bundle's `device_seq_high`.
    SequenceAboveHigh {
        id: String,
        seq: u64,
    },
    /// A response belongs to another survey or device than the bundle says.
    ResponseMismatch {
        index: usize,
        field: &'static str,
    },
}

impl BundleError {
    /// Stable name of the reason (used by fixtures, the CLI and the app).
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::Malformed(_) => "malformed",
            BundleError::NotCanonical => "not_canonical",
            BundleError::UnsupportedPayloadType(_) => "unsupported_payload_type",
            BundleError::BadBase64(_) => "bad_base64",
            BundleError::SignatureCount(_) => "signature_count",
            BundleError::UnsupportedVersion(_) => "unsupported_version",
            BundleError::PayloadMalformed(_) => "payload_malformed",
            BundleError::BadKey => "bad_key",
            BundleError::KeyidMismatch => "keyid_mismatch",
            BundleError::UnknownKey(_) => "unknown_key",
            BundleError::BadSignature => "bad_signature",
            BundleError::ResponseHashMismatch { .. } => "response_hash_mismatch",
            BundleError::ResponseMalformed { .. } => "response_malformed",
            BundleError::DuplicateResponse(_) => "duplicate_response",
            BundleError::DuplicateSequence(_) => "duplicate_sequence",
            BundleError::SequenceAboveHigh { .. } => "sequence_above_high",
            BundleError::ResponseMismatch { .. } => "response_mismatch",
        }
    }
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::Malformed(why) => write!(f, "not a bundle envelope: {why}"),
            BundleError::NotCanonical => write!(f, "the envelope is not canonical JSON or has bytes after it"),
            BundleError::UnsupportedPayloadType(t) => write!(f, "unsupported payload type `{t}`"),
            BundleError::BadBase64(field) => write!(f, "`{field}` is not strict base64"),
            BundleError::SignatureCount(n) => write!(f, "expected exactly one signature, found {n}"),
            BundleError::UnsupportedVersion(v) => {
                write!(f, "unsupported bundle format `{v}`; this build reads `{BUNDLE_FORMAT}`")
            }
            BundleError::PayloadMalformed(why) => write!(f, "the payload is not a bundle: {why}"),
            BundleError::BadKey => write!(f, "the device key is not a 32-byte Ed25519 public key"),
            BundleError::KeyidMismatch => write!(f, "the signature's keyid does not match the device key"),
            BundleError::UnknownKey(id) => {
                write!(f, "device {} is not on the roster", crate::canonical::short_fingerprint(id))
            }
            BundleError::BadSignature => write!(f, "the signature does not verify"),
            BundleError::ResponseHashMismatch { index } => {
                write!(f, "responses[{index}]: hash does not match its content")
            }
            BundleError::ResponseMalformed { index, reason } => write!(f, "responses[{index}]: {reason}"),
            BundleError::DuplicateResponse(id) => write!(f, "response {id} appears twice"),
            BundleError::DuplicateSequence(seq) => write!(f, "sequence number {seq} appears twice"),
            BundleError::SequenceAboveHigh { id, seq } => {
                write!(f, "response {id} has sequence number {seq}, outside 1..=device_seq_high")
            }
            BundleError::ResponseMismatch { index, field } => {
                write!(f, "responses[{index}].{field} does not match the bundle")
            }
        }
    }
}

/// A bundle that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedBundle {
    pub keyid: String,
    pub device: RosterDevice,
    pub bundle_id: String,
    pub created_at: i64,
    pub survey: SurveyRef,
    pub device_seq_high: u64,
    pub responses: Vec<ExportedResponse>,
    /// The verified hash of each response, in the same order.
    pub response_hashes: Vec<String>,
}

#[cfg(feature = "verify")]
fn strict_base64(text: &str, field: &'static str) -> Result<Vec<u8>, BundleError> {
    STANDARD.decode(text).map_err(|_| BundleError::BadBase64(field))
}

/// Verifies a bundle file against the roster. Checks, in order: the envelope's shape and
/// canonical form, the payload type, strict base64, one signature, the device key and that the
/// keyid is its hash, the roster, the Ed25519 signature over the exact payload bytes, and only
/// then the payload: format version, each response's hash, duplicates and sequence numbers.
/// Never panics, whatever the bytes.
#[cfg(feature = "verify")]
pub fn verify(bytes: &[u8], roster: &Roster) -> Result<VerifiedBundle, BundleError> {
    use ed25519_dalek::{Signature, VerifyingKey};
    use std::collections::BTreeSet;

    let value: Value = serde_json::from_slice(bytes).map_err(|err| BundleError::Malformed(err.to_string()))?;
    let envelope = Envelope::deserialize(&value).map_err(|err| BundleError::Malformed(err.to_string()))?;
    // The usual envelope holds only base64, hex and the payload type, none of which JSON
    // escapes, so its canonical form can be written directly; only another envelope needs the
    // general (slower, for a payload of hundreds of megabytes) canonicalizer to decide.
    if expected_envelope(&envelope) != bytes && canonical_json(&value) != bytes {
        return Err(BundleError::NotCanonical);
    }
    drop(value);
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(BundleError::UnsupportedPayloadType(envelope.payload_type));
    }
    let payload = strict_base64(&envelope.payload, "payload")?;
    let [signature] = envelope.signatures.as_slice() else {
        return Err(BundleError::SignatureCount(envelope.signatures.len()));
    };
    let signature_bytes = strict_base64(&signature.sig, "sig")?;

    // The device key is read from the payload before the signature is checked, only to find
    // which key to check it with; nothing else of the payload is trusted before that.
    #[derive(Deserialize)]
    struct KeyOnly {
        device: KeyOnlyDevice,
    }
    #[derive(Deserialize)]
    struct KeyOnlyDevice {
        key: String,
    }
    let key_only: KeyOnly =
        serde_json::from_slice(&payload).map_err(|err| BundleError::PayloadMalformed(err.to_string()))?;
    let key = STANDARD.decode(&key_only.device.key).map_err(|_| BundleError::BadKey)?;
    let key: [u8; 32] = key.try_into().map_err(|_| BundleError::BadKey)?;
    let device_keyid = keyid(&key);
    if signature.keyid != device_keyid {
        return Err(BundleError::KeyidMismatch);
    }
    let enrolled = roster.device(&device_keyid).filter(|d| d.key == key_only.device.key);
    let Some(enrolled) = enrolled else {
        return Err(BundleError::UnknownKey(device_keyid));
    };
    let verifying_key = VerifyingKey::from_bytes(&key).map_err(|_| BundleError::BadKey)?;
    let signature = Signature::from_slice(&signature_bytes).map_err(|_| BundleError::BadSignature)?;
    verifying_key.verify_strict(&pae(PAYLOAD_TYPE, &payload), &signature).map_err(|_| BundleError::BadSignature)?;

    // Signed content from here on.
    let payload_value: Value =
        serde_json::from_slice(&payload).map_err(|err| BundleError::PayloadMalformed(err.to_string()))?;
    match payload_value.get("format").and_then(Value::as_str) {
        Some(BUNDLE_FORMAT) => {}
        Some(other) => return Err(BundleError::UnsupportedVersion(other.to_owned())),
        None => return Err(BundleError::PayloadMalformed("missing `format`".to_owned())),
    }
    let bundle: BundlePayload =
        serde_json::from_value(payload_value).map_err(|err| BundleError::PayloadMalformed(err.to_string()))?;
    let mut responses = Vec::with_capacity(bundle.responses.len());
    let mut ids = BTreeSet::new();
    let mut seqs = BTreeSet::new();
    for (index, entry) in bundle.responses.iter().enumerate() {
        // Canonical JSON numbers are IEEE doubles: an integer beyond 2^53 would be hashed as a
        // different number than the one imported, so it is refused.
        if has_inexact_integer(&entry.response) {
            return Err(BundleError::ResponseMalformed { index, reason: "an integer beyond 2^53".to_owned() });
        }
        if sha256_canonical_hex(&entry.response) != entry.hash {
            return Err(BundleError::ResponseHashMismatch { index });
        }
        let response = ExportedResponse::deserialize(&entry.response)
            .map_err(|err| BundleError::ResponseMalformed { index, reason: err.to_string() })?;
        if response.survey_id != bundle.survey.id {
            return Err(BundleError::ResponseMismatch { index, field: "survey_id" });
        }
        if response.fingerprint != bundle.survey.fingerprint {
            return Err(BundleError::ResponseMismatch { index, field: "fingerprint" });
        }
        if response.device != device_keyid {
            return Err(BundleError::ResponseMismatch { index, field: "device" });
        }
        if !ids.insert(response.id.clone()) {
            return Err(BundleError::DuplicateResponse(response.id));
        }
        if !seqs.insert(response.seq) {
            return Err(BundleError::DuplicateSequence(response.seq));
        }
        if response.seq > bundle.device_seq_high || response.seq == 0 {
            return Err(BundleError::SequenceAboveHigh { id: response.id, seq: response.seq });
        }
        responses.push(response);
    }
    Ok(VerifiedBundle {
        keyid: device_keyid,
        device: enrolled.clone(),
        bundle_id: bundle.bundle_id,
        created_at: bundle.created_at,
        survey: bundle.survey,
        device_seq_high: bundle.device_seq_high,
        responses,
        response_hashes: bundle.responses.into_iter().map(|entry| entry.hash).collect(),
    })
}

/// The canonical bytes of an envelope whose strings need no escaping (else something that
/// cannot equal a canonical file, so the caller falls back to the general check).
#[cfg(feature = "verify")]
fn expected_envelope(envelope: &Envelope) -> Vec<u8> {
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    let [signature] = envelope.signatures.as_slice() else { return Vec::new() };
    if ![&envelope.payload, &envelope.payload_type, &signature.keyid, &signature.sig].iter().all(|s| plain(s)) {
        return Vec::new();
    }
    format!(
        "{{\"payload\":\"{}\",\"payloadType\":\"{}\",\"signatures\":[{{\"keyid\":\"{}\",\"sig\":\"{}\"}}]}}",
        envelope.payload, envelope.payload_type, signature.keyid, signature.sig
    )
    .into_bytes()
}

/// Whether a JSON value holds an integer that a double cannot represent exactly.
#[cfg(feature = "verify")]
fn has_inexact_integer(value: &Value) -> bool {
    const EXACT: u64 = 1 << 53;
    match value {
        Value::Number(n) => {
            n.as_u64().is_some_and(|u| u > EXACT) || n.as_i64().is_some_and(|i| i.unsigned_abs() > EXACT)
        }
        Value::Array(items) => items.iter().any(has_inexact_integer),
        Value::Object(map) => map.values().any(has_inexact_integer),
        _ => false,
    }
}

#[cfg(all(test, feature = "verify"))]
mod tests {
    use super::*;
    use crate::response::Answer;
    use crate::response::AnswerValue;
    use ed25519_dalek::{Signer, SigningKey};
    use proptest::prelude::*;

    fn response(id: &str, seq: u64, device: &str) -> ExportedResponse {
        let mut answers = BTreeMap::new();
        answers.insert("q1".to_owned(), Answer { value: AnswerValue::Number(4), at: 1_700_000_000_500, changes: 1 });
        ExportedResponse {
            id: id.to_owned(),
            survey_id: "s".into(),
            fingerprint: "f".repeat(64),
            unit: Some("east".into()),
            device: device.to_owned(),
            seq,
            answers,
            started_at: 1_700_000_000_000,
            finished_at: 1_700_000_060_000,
            mode: Mode::Interview,
            lang: "zh-CN".into(),
            app_version: "0.1.0".into(),
        }
    }

    fn signed(seed: [u8; 32], responses: &[ExportedResponse], high: u64) -> (Vec<u8>, Roster) {
        let signing = SigningKey::from_bytes(&seed);
        let public = signing.verifying_key().to_bytes();
        let device = DeviceInfo { key: STANDARD.encode(public), evaluator: "李明".into(), team: "一组".into() };
        let survey = SurveyRef { id: "s".into(), version: "1".into(), fingerprint: "f".repeat(64) };
        let payload = payload_bytes("b-1", 1_700_000_100_000, device, survey, high, responses);
        let signature = signing.sign(&pae(PAYLOAD_TYPE, &payload)).to_bytes();
        let roster = Roster {
            format: ROSTER_FORMAT.into(),
            devices: vec![RosterDevice {
                key: STANDARD.encode(public),
                keyid: keyid(&public),
                evaluator: "李明".into(),
                team: "一组".into(),
            }],
        };
        (envelope_bytes(&payload, &public, &signature), roster)
    }

    #[test]
    fn pae_matches_the_dsse_specification() {
        // The example of the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn a_signed_bundle_verifies_and_names_each_fault() {
        let seed = [7u8; 32];
        let device = keyid(&SigningKey::from_bytes(&seed).verifying_key().to_bytes());
        let (bytes, roster) = signed(seed, &[response("r1", 1, &device), response("r2", 2, &device)], 3);
        let verified = verify(&bytes, &roster).expect("valid");
        assert_eq!(verified.responses.len(), 2);
        assert_eq!(verified.device.evaluator, "李明");

        let mut trailing = bytes.clone();
        trailing.push(b'\n');
        assert_eq!(verify(&trailing, &roster).unwrap_err().code(), "not_canonical");
        assert_eq!(verify(&bytes[..bytes.len() - 1], &roster).unwrap_err().code(), "malformed");
        let empty = Roster { format: ROSTER_FORMAT.into(), devices: vec![] };
        assert_eq!(verify(&bytes, &empty).unwrap_err().code(), "unknown_key");

        let (dup, roster) = signed(seed, &[response("r1", 1, &device), response("r1", 2, &device)], 3);
        assert_eq!(verify(&dup, &roster).unwrap_err().code(), "duplicate_response");
        let (high, roster) = signed(seed, &[response("r1", 4, &device)], 3);
        assert_eq!(verify(&high, &roster).unwrap_err().code(), "sequence_above_high");
    }

    proptest! {
        // Signing in a debug build is slow; 32 keys and bundles are plenty for a round trip.
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn sign_then_verify_round_trips(seed in any::<[u8; 32]>(), n in 0usize..4, high_extra in 0u64..3) {
            let device = keyid(&SigningKey::from_bytes(&seed).verifying_key().to_bytes());
            let responses: Vec<_> = (0..n).map(|i| response(&format!("r{i}"), i as u64 + 1, &device)).collect();
            let (bytes, roster) = signed(seed, &responses, n as u64 + high_extra);
            let verified = verify(&bytes, &roster);
            prop_assert!(verified.is_ok(), "{:?}", verified);
            prop_assert_eq!(verified.map(|v| v.responses).unwrap_or_default(), responses);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let roster = Roster { format: ROSTER_FORMAT.into(), devices: vec![] };
            prop_assert!(verify(&bytes, &roster).is_err());
        }
    }
}
