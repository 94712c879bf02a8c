//! Verifying a bundle file: the named reason of every rejection and the general path that
//! decides it. The general path parses the file to JSON values and checks the envelope, the
//! signature over the exact payload bytes and then the payload, step by step; the fast path
//! (`fast.rs`) reads the usual bundle in one pass and may only ever accept what this path accepts.

use super::*;
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
    /// Two contact attempts of a `bundle/2` share an id.
    DuplicateContact(String),
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
            BundleError::DuplicateContact(_) => "duplicate_contact",
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
                write!(
                    f,
                    "unsupported bundle format `{v}`; this build reads `{BUNDLE_FORMAT}` and `{BUNDLE_FORMAT_ROUND}`"
                )
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
            BundleError::DuplicateContact(id) => write!(f, "contact attempt {id} appears twice"),
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
    /// `bundle/2`: the round, and the device's contact attempts in it so far.
    pub round: Option<RoundRef>,
    pub contacts: Vec<Contact>,
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
///
/// The usual bundle (canonical envelope, a payload of the expected shape) takes a fast path:
/// the envelope and payload are read once into typed values, and each response's canonical
/// JSON is written from its typed value. That path only ever accepts: anything it cannot prove
/// to be read exactly as the general path reads it, and every fault, is left to the general
/// path (`verify_general`), which therefore decides every error and its order.
#[cfg(feature = "verify")]
pub fn verify(bytes: &[u8], roster: &Roster) -> Result<VerifiedBundle, BundleError> {
    verify_with(bytes, roster, true)
}

/// [`verify`] without the fast path: the reference the fast path must agree with.
#[cfg(all(test, feature = "verify"))]
fn verify_general(bytes: &[u8], roster: &Roster) -> Result<VerifiedBundle, BundleError> {
    verify_with(bytes, roster, false)
}

#[cfg(feature = "verify")]
fn verify_with(bytes: &[u8], roster: &Roster, fast: bool) -> Result<VerifiedBundle, BundleError> {
    use ed25519_dalek::{Signature, VerifyingKey};
    use std::borrow::Cow;

    let envelope = match fast.then(|| fast::envelope(bytes)).flatten() {
        Some(envelope) => envelope,
        None => general_envelope(bytes)?,
    };
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(BundleError::UnsupportedPayloadType(envelope.payload_type.into_owned()));
    }
    // The payload is decoded straight after its PAE header, so that the bytes the signature
    // covers need not be copied: `signed` is `PAE(payloadType, payload)`.
    let (signed, header_len) = pae_of_base64(&envelope.payload)?;
    let payload = &signed[header_len..];
    let [signature] = envelope.signatures.as_slice() else {
        return Err(BundleError::SignatureCount(envelope.signatures.len()));
    };
    let signature_bytes = strict_base64(&signature.sig, "sig")?;

    // The device key is read from the payload before the signature is checked, only to find
    // which key to check it with; nothing else of the payload is trusted before that. The fast
    // path reads the whole payload here (when it has the expected shape, its `device.key` is
    // the one read below) but uses nothing of it until the signature has verified.
    let parsed = if fast { fast::payload(payload) } else { None };
    let device_key: Cow<'_, str> = match &parsed {
        Some(parsed) => Cow::Borrowed(parsed.device_key()),
        None => {
            #[derive(Deserialize)]
            struct KeyOnly {
                device: KeyOnlyDevice,
            }
            #[derive(Deserialize)]
            struct KeyOnlyDevice {
                key: String,
            }
            let key_only: KeyOnly =
                serde_json::from_slice(payload).map_err(|err| BundleError::PayloadMalformed(err.to_string()))?;
            Cow::Owned(key_only.device.key)
        }
    };
    let key = STANDARD.decode(device_key.as_bytes()).map_err(|_| BundleError::BadKey)?;
    let key: [u8; 32] = key.try_into().map_err(|_| BundleError::BadKey)?;
    let device_keyid = keyid(&key);
    if signature.keyid != device_keyid {
        return Err(BundleError::KeyidMismatch);
    }
    let enrolled = roster.device(&device_keyid).filter(|d| d.key == device_key);
    let Some(enrolled) = enrolled else {
        return Err(BundleError::UnknownKey(device_keyid));
    };
    let verifying_key = VerifyingKey::from_bytes(&key).map_err(|_| BundleError::BadKey)?;
    let signature = Signature::from_slice(&signature_bytes).map_err(|_| BundleError::BadSignature)?;
    verifying_key.verify_strict(&signed, &signature).map_err(|_| BundleError::BadSignature)?;

    // Signed content from here on.
    if let Some(verified) = parsed.and_then(|parsed| parsed.finish(payload, &device_keyid, enrolled)) {
        return Ok(verified);
    }
    general_payload(payload, device_keyid, enrolled)
}

/// `PAE(PAYLOAD_TYPE, payload)` for the payload given in strict base64, and where the payload
/// starts in it.
#[cfg(feature = "verify")]
fn pae_of_base64(payload: &str) -> Result<(Vec<u8>, usize), BundleError> {
    // The length strict, padded base64 decodes to; anything else fails to decode below.
    let padding = payload.bytes().rev().take(2).filter(|&b| b == b'=').count();
    let len = (payload.len() / 4 * 3).saturating_sub(padding);
    let mut signed = format!("DSSEv1 {} {} {len} ", PAYLOAD_TYPE.len(), PAYLOAD_TYPE).into_bytes();
    let header_len = signed.len();
    signed.reserve_exact(len + 3);
    STANDARD.decode_vec(payload, &mut signed).map_err(|_| BundleError::BadBase64("payload"))?;
    if signed.len() - header_len != len {
        // Not the length written in the header (never, for strict base64): write it again.
        let decoded = signed.split_off(header_len);
        let signed = pae(PAYLOAD_TYPE, &decoded);
        let header_len = signed.len() - decoded.len();
        return Ok((signed, header_len));
    }
    Ok((signed, header_len))
}

/// The envelope with its strings borrowed from the file where it can.
#[cfg(feature = "verify")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EnvelopeRef<'a> {
    #[serde(rename = "payloadType", borrow)]
    pub(super) payload_type: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub(super) payload: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub(super) signatures: Vec<SignatureRef<'a>>,
}

#[cfg(feature = "verify")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignatureRef<'a> {
    #[serde(borrow)]
    pub(super) keyid: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub(super) sig: std::borrow::Cow<'a, str>,
}

/// Steps 1 and 2 for any file: parse it as JSON, read the envelope, check its canonical form.
#[cfg(feature = "verify")]
fn general_envelope(bytes: &[u8]) -> Result<EnvelopeRef<'static>, BundleError> {
    use std::borrow::Cow;
    let value: Value = serde_json::from_slice(bytes).map_err(|err| BundleError::Malformed(err.to_string()))?;
    let envelope = Envelope::deserialize(&value).map_err(|err| BundleError::Malformed(err.to_string()))?;
    let envelope = EnvelopeRef {
        payload_type: Cow::Owned(envelope.payload_type),
        payload: Cow::Owned(envelope.payload),
        signatures: envelope
            .signatures
            .into_iter()
            .map(|s| SignatureRef { keyid: Cow::Owned(s.keyid), sig: Cow::Owned(s.sig) })
            .collect(),
    };
    // The usual envelope holds only base64, hex and the payload type, none of which JSON
    // escapes, so its canonical form can be checked directly; only another envelope needs the
    // general (slower, for a payload of hundreds of megabytes) canonicalizer to decide.
    if !is_plain_canonical_envelope(&envelope, bytes) && canonical_json(&value) != bytes {
        return Err(BundleError::NotCanonical);
    }
    Ok(envelope)
}

/// Whether `bytes` are exactly the canonical JSON of `envelope`, for an envelope whose strings
/// need no escaping (false for any other: the caller then decides with the canonicalizer).
#[cfg(feature = "verify")]
fn is_plain_canonical_envelope(envelope: &EnvelopeRef<'_>, bytes: &[u8]) -> bool {
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    let [signature] = envelope.signatures.as_slice() else { return false };
    let fields = [&envelope.payload, &envelope.payload_type, &signature.keyid, &signature.sig];
    fields.iter().all(|s| plain(s)) && is_envelope_text(envelope, bytes)
}

/// Whether `bytes` are the envelope's fields, in canonical order, with each string written
/// exactly as it reads (without escaping anything).
#[cfg(feature = "verify")]
pub(super) fn is_envelope_text(envelope: &EnvelopeRef<'_>, bytes: &[u8]) -> bool {
    let [signature] = envelope.signatures.as_slice() else { return false };
    let parts: [&[u8]; 9] = [
        b"{\"payload\":\"",
        envelope.payload.as_bytes(),
        b"\",\"payloadType\":\"",
        envelope.payload_type.as_bytes(),
        b"\",\"signatures\":[{\"keyid\":\"",
        signature.keyid.as_bytes(),
        b"\",\"sig\":\"",
        signature.sig.as_bytes(),
        b"\"}]}",
    ];
    let mut rest = bytes;
    for part in parts {
        match rest.strip_prefix(part) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty()
}

/// Steps 6 and 7 for any signed payload.
#[cfg(feature = "verify")]
fn general_payload(
    payload: &[u8],
    device_keyid: String,
    enrolled: &RosterDevice,
) -> Result<VerifiedBundle, BundleError> {
    use std::collections::BTreeSet;

    let payload_value: Value =
        serde_json::from_slice(payload).map_err(|err| BundleError::PayloadMalformed(err.to_string()))?;
    let in_round = match payload_value.get("format").and_then(Value::as_str) {
        Some(BUNDLE_FORMAT) => false,
        Some(BUNDLE_FORMAT_ROUND) => true,
        Some(other) => return Err(BundleError::UnsupportedVersion(other.to_owned())),
        None => return Err(BundleError::PayloadMalformed("missing `format`".to_owned())),
    };
    let bundle: BundlePayload =
        serde_json::from_value(payload_value).map_err(|err| BundleError::PayloadMalformed(err.to_string()))?;
    // `round` and `contacts` belong to `bundle/2` and are required there.
    let round_fields = (bundle.round.is_some(), bundle.contacts.is_some());
    if round_fields != (in_round, in_round) {
        let why = if in_round {
            "a bundle/2 needs `round` and `contacts`"
        } else {
            "`round` and `contacts` belong to bundle/2"
        };
        return Err(BundleError::PayloadMalformed(why.to_owned()));
    }
    let empty_texts = bundle.round.as_ref().is_some_and(|round| round.id.is_empty() || round.sha256.is_empty())
        || bundle.contacts.iter().flatten().any(|c| c.id.is_empty() || c.unit.is_empty() || c.household.is_empty());
    if empty_texts {
        return Err(BundleError::PayloadMalformed("an empty round id, hash, contact id, unit or household".to_owned()));
    }
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
        let malformed = |reason: &str| BundleError::ResponseMalformed { index, reason: reason.to_owned() };
        match (&response.sample, &bundle.round) {
            // A `"sample": null` reads as no sample; in bundle/1 the field must not exist at all.
            (None, None) if entry.response.get("sample").is_some() => {
                return Err(malformed("`sample` belongs to bundle/2"))
            }
            (None, None) => {}
            (Some(_), None) => return Err(malformed("`sample` belongs to bundle/2")),
            (None, Some(_)) => return Err(malformed("a bundle/2 response needs `sample`")),
            (Some(sample), Some(round)) => {
                if sample.off_sample != sample.slot.is_none() {
                    return Err(malformed("`slot` is null exactly when `off_sample` is true"));
                }
                if sample.slot == Some(0) {
                    return Err(malformed("`slot` counts from 1"));
                }
                if sample.household.is_empty() {
                    return Err(malformed("`sample.household` is empty"));
                }
                if sample.round != round.id {
                    return Err(BundleError::ResponseMismatch { index, field: "sample.round" });
                }
            }
        }
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
    let contacts = bundle.contacts.unwrap_or_default();
    let mut contact_ids = BTreeSet::new();
    if let Some(contact) = contacts.iter().find(|contact| !contact_ids.insert(contact.id.as_str())) {
        return Err(BundleError::DuplicateContact(contact.id.clone()));
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
        round: bundle.round,
        contacts,
    })
}

/// Whether a JSON value holds an integer that a double cannot represent exactly.
#[cfg(feature = "verify")]
fn has_inexact_integer(value: &Value) -> bool {
    const EXACT: u64 = crate::canonical::MAX_EXACT_INTEGER;
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
            sample: None,
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

    /// A `bundle/2` of these responses and contacts, signed, with its roster.
    fn signed_round(seed: [u8; 32], responses: &[ExportedResponse], contacts: &[Contact]) -> (Vec<u8>, Roster) {
        let signing = SigningKey::from_bytes(&seed);
        let public = signing.verifying_key().to_bytes();
        let device = DeviceInfo { key: STANDARD.encode(public), evaluator: "李明".into(), team: "一组".into() };
        let survey = SurveyRef { id: "s".into(), version: "1".into(), fingerprint: "f".repeat(64) };
        let round = RoundRef { id: "2026-q4".into(), sha256: "a".repeat(64) };
        let payload = round_payload_bytes(
            &payload_bytes("b-2", 1_700_000_100_000, device, survey, 9, responses),
            round,
            contacts,
        );
        let signature = signing.sign(&pae(PAYLOAD_TYPE, &payload)).to_bytes();
        let (_, roster) = signed(seed, &[], 0);
        (envelope_bytes(&payload, &public, &signature), roster)
    }

    fn sampled(id: &str, seq: u64, device: &str, slot: Option<u64>) -> ExportedResponse {
        let mut response = response(id, seq, device);
        let household = if slot.is_some() { "3号楼2单元501" } else { "路边的住户" };
        response.sample =
            Some(Sample { round: "2026-q4".into(), household: household.into(), slot, off_sample: slot.is_none() });
        response
    }

    fn contact(id: &str, outcome: ContactOutcome) -> Contact {
        Contact {
            id: id.into(),
            unit: "east".into(),
            household: "A-101".into(),
            at: 1_700_000_000_000,
            outcome,
            note: String::new(),
        }
    }

    #[test]
    fn a_round_bundle_carries_its_sample_and_contacts_and_names_each_fault() {
        let seed = [9u8; 32];
        let device = keyid(&SigningKey::from_bytes(&seed).verifying_key().to_bytes());
        let contacts = [contact("c1", ContactOutcome::NotAtHome), contact("c2", ContactOutcome::Refused)];
        let (bytes, roster) =
            signed_round(seed, &[sampled("r1", 1, &device, Some(3)), sampled("r2", 2, &device, None)], &contacts);
        let verified = verify(&bytes, &roster).expect("a valid bundle/2");
        assert_eq!(verified.round.as_ref().map(|r| r.id.as_str()), Some("2026-q4"));
        assert_eq!(verified.contacts, contacts.to_vec());
        assert_eq!(verified.responses[0].sample.as_ref().and_then(|s| s.slot), Some(3));

        let code = |responses: &[ExportedResponse], contacts: &[Contact]| {
            let (bytes, roster) = signed_round(seed, responses, contacts);
            verify(&bytes, &roster).map(|_| "ok").unwrap_or_else(|err| err.code())
        };
        assert_eq!(
            code(&[], &[contact("c1", ContactOutcome::Vacant), contact("c1", ContactOutcome::Vacant)]),
            "duplicate_contact"
        );
        assert_eq!(code(&[response("r1", 1, &device)], &[]), "response_malformed");
        let mut both = sampled("r1", 1, &device, Some(2));
        if let Some(sample) = both.sample.as_mut() {
            sample.off_sample = true;
        }
        assert_eq!(code(&[both], &[]), "response_malformed");
        assert_eq!(code(&[sampled("r1", 1, &device, Some(0))], &[]), "response_malformed");
        let mut other_round = sampled("r1", 1, &device, Some(1));
        if let Some(sample) = other_round.sample.as_mut() {
            sample.round = "2025-q4".into();
        }
        assert_eq!(code(&[other_round], &[]), "response_mismatch");
        // A sample in a bundle/1 is refused, and bundle/1 bundles still verify as before.
        let (bundle1, roster1) = signed(seed, &[sampled("r1", 1, &device, Some(1))], 1);
        assert_eq!(verify(&bundle1, &roster1).unwrap_err().code(), "response_malformed");
        let (bundle1, roster1) = signed(seed, &[response("r1", 1, &device)], 1);
        assert!(verify(&bundle1, &roster1).is_ok_and(|b| b.round.is_none() && b.contacts.is_empty()));
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

        /// The fast path writes each response's canonical JSON from its typed reading; that must
        /// be byte for byte what the general path hashes (`canonical_json` of the `Value`), and
        /// the response read must be the one the general path reads.
        #[test]
        fn fast_canonical_form_is_rfc8785_of_the_value(response in response_value(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&response).expect("json")
            } else {
                serde_json::to_string(&response).expect("json")
            };
            let value: Value = serde_json::from_str(&text).expect("json");
            let read = fast::read_response(&text);
            prop_assert!(read.is_some(), "not read: {}", text);
            let read = read.expect("read");
            let mut written = Vec::new();
            prop_assert!(read.write_canonical(&mut written).is_some());
            prop_assert_eq!(String::from_utf8(written).expect("UTF-8"), String::from_utf8(canonical_json(&value)).expect("UTF-8"));
            prop_assert_eq!(read.into_exported(), ExportedResponse::deserialize(&value).expect("a response"));
        }

        /// The canonical reader reads a canonical payload of such responses, finds each
        /// response's text to be its canonical JSON, and reads the response the general path
        /// reads; it leaves only decimals (not its business) to the serde reading.
        #[test]
        fn canonical_reader_reads_canonical_payloads(responses in proptest::collection::vec(response_value(), 0..3)) {
            let entries: Vec<Value> = responses
                .iter()
                .map(|r| serde_json::json!({"hash": sha256_canonical_hex(r), "response": r}))
                .collect();
            let payload = serde_json::json!({
                "format": "bundle/1", "bundle_id": "b\u{1}", "created_at": -5, "device_seq_high": 9,
                "device": {"key": "k", "evaluator": "李", "team": ""},
                "survey": {"id": "s", "version": "1", "fingerprint": "f"},
                "responses": entries,
            });
            let text = String::from_utf8(canonical_json(&payload)).expect("UTF-8");
            fn has_float(value: &Value) -> bool {
                match value {
                    Value::Number(n) => n.is_f64(),
                    Value::Array(items) => items.iter().any(has_float),
                    Value::Object(map) => map.values().any(has_float),
                    _ => false,
                }
            }
            let decimals = has_float(&serde_json::from_str(&text).expect("json"));
            match fast::canonical::payload(&text) {
                None => prop_assert!(decimals, "not read: {}", text),
                Some(read) => {
                    let general: BundlePayload = serde_json::from_str(&text).expect("a payload");
                    prop_assert_eq!(read.responses.len(), general.responses.len());
                    for (entry, general) in read.responses.into_iter().zip(general.responses) {
                        let range = entry.canonical.clone().expect("canonical text");
                        let expected_text = canonical_json(&general.response);
                        prop_assert_eq!(&text.as_bytes()[range], expected_text.as_slice());
                        prop_assert_eq!(&entry.hash, &general.hash);
                        let expected = ExportedResponse::deserialize(&general.response).expect("a response");
                        prop_assert_eq!(entry.response.0.into_exported(), expected);
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Changing a few bytes of a signed canonical payload (re-signed, so that the payload
        /// checks are reached) never makes the fast path disagree with the general path.
        #[test]
        fn fast_path_agrees_on_mutated_payloads(
            changes in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>(), 0u8..4), 1..4),
        ) {
            let pick = |from: &[u8], byte: u8| from[usize::from(byte) % from.len()];
            let (payload, _) = mutation_base();
            let mut bytes = payload.clone();
            for (index, byte, how) in changes {
                let at = index.index(bytes.len());
                match how {
                    0 => bytes[at] = byte,
                    1 => bytes[at] = pick(b"{}[]\",:0123456789-.eE\\u tfn", byte),
                    2 => { bytes.remove(at); }
                    _ => bytes.insert(at, pick(b"\"\\ ,:0e-", byte)),
                }
            }
            let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(()) };
            let (file, roster) = signed_raw([3u8; 32], text);
            prop_assert_eq!(verify(&file, &roster), verify_general(&file, &roster), "{}", text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Changing a few bytes of a response and signing it with the hash the general path
        /// computes for the result (so that it can be accepted): the fast path agrees.
        #[test]
        fn fast_path_agrees_on_mutated_responses(
            changes in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>(), 0u8..4), 1..3),
            canonical_hash in any::<bool>(),
        ) {
            let pick = |from: &[u8], byte: u8| from[usize::from(byte) % from.len()];
            let (_, payload) = mutation_base();
            let mut bytes = canonical_json(&payload["responses"][0]["response"]);
            for (index, byte, how) in changes {
                let at = index.index(bytes.len());
                match how {
                    0 => bytes[at] = pick(b"0123456789", byte),
                    1 => bytes[at] = pick(b"{}[]\",:0123456789-.eE\\u tfn", byte),
                    2 => { bytes.remove(at); }
                    _ => bytes.insert(at, pick(b"\"\\ ,:0e-.", byte)),
                }
            }
            let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(()) };
            let hash = match serde_json::from_str::<Value>(text) {
                Ok(value) if canonical_hash => sha256_canonical_hex(&value),
                _ => hex(&Sha256::digest(text.as_bytes())),
            };
            let mut payload_text = String::from_utf8(canonical_json(&payload)).expect("UTF-8");
            let first = String::from_utf8(canonical_json(&payload["responses"][0])).expect("UTF-8");
            payload_text = payload_text.replacen(&first, &format!(r#"{{"hash":"{hash}","response":{text}}}"#), 1);
            let (file, roster) = signed_raw([3u8; 32], &payload_text);
            prop_assert_eq!(verify(&file, &roster), verify_general(&file, &roster), "{}", payload_text);
        }
    }

    /// A canonical payload with two responses covering every answer kind but decimals.
    fn mutation_base() -> (Vec<u8>, Value) {
        let public = SigningKey::from_bytes(&[3u8; 32]).verifying_key().to_bytes();
        let device = keyid(&public);
        let answers = serde_json::json!({
            "a": {"value": 4, "at": 1, "changes": 0},
            "b": {"value": "x\ny", "at": 2, "changes": 1},
            "c": {"value": ["p", "q"], "at": 3, "changes": 0},
            "d": {"value": {"r1": 5, "r2": -1}, "at": 4, "changes": 0},
            "e": {"value": true, "at": 5, "changes": 0},
        });
        let response = |id: &str, seq: u64| {
            serde_json::json!({
                "id": id, "survey_id": "s", "fingerprint": "f", "device": device, "seq": seq, "unit": "u",
                "answers": answers, "started_at": 10, "finished_at": 20, "mode": "self", "lang": "en", "app_version": "1",
            })
        };
        let entries: Vec<Value> = [response("r1", 1), response("r2", 2)]
            .iter()
            .map(|r| serde_json::json!({"hash": sha256_canonical_hex(r), "response": r}))
            .collect();
        let payload = serde_json::json!({
            "format": "bundle/1", "bundle_id": "b", "created_at": 0, "device_seq_high": 2,
            "device": {"key": STANDARD.encode(public), "evaluator": "李明", "team": "一组"},
            "survey": {"id": "s", "version": "1", "fingerprint": "f"},
            "responses": entries,
        });
        (canonical_json(&payload), payload)
    }

    #[test]
    fn the_mutation_base_takes_the_canonical_reader() {
        let (payload, _) = mutation_base();
        let text = std::str::from_utf8(&payload).expect("UTF-8");
        assert!(fast::canonical::payload(text).is_some());
        let (file, roster) = signed_raw([3u8; 32], text);
        assert_eq!(verify(&file, &roster).map(|v| v.responses.len()), Ok(2));
    }

    #[test]
    fn pae_of_base64_is_the_pae_of_the_decoded_payload() {
        for len in 0..10 {
            let payload: Vec<u8> = (0..len).map(|i: u8| i.wrapping_mul(37)).collect();
            let (signed, header_len) = pae_of_base64(&STANDARD.encode(&payload)).expect("base64");
            assert_eq!(signed, pae(PAYLOAD_TYPE, &payload));
            assert_eq!(&signed[header_len..], payload.as_slice());
        }
        for bad in ["A", "AA", "AA=", "AA==A", "A===", "====", "AB=C", "AAB=", "Zm9v\n"] {
            assert_eq!(pae_of_base64(bad), Err(BundleError::BadBase64("payload")), "{bad}");
        }
    }

    /// Characters that stress escaping and key order: quotes, backslash, solidus, every kind of
    /// control character, DEL, U+2028, both sides of the surrogate range, astral characters.
    const CHARS: &[char] = &[
        'a',
        'z',
        'A',
        '0',
        ' ',
        '"',
        '\\',
        '/',
        '\u{0}',
        '\u{1}',
        '\u{8}',
        '\t',
        '\n',
        '\u{b}',
        '\u{c}',
        '\r',
        '\u{1f}',
        '\u{7f}',
        'é',
        '李',
        '\u{2028}',
        '\u{d7ff}',
        '\u{e000}',
        '\u{fffd}',
        '\u{ffff}',
        '😀',
        '\u{10000}',
        '\u{10ffff}',
    ];

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(CHARS), 0..6).prop_map(|chars| chars.into_iter().collect())
    }

    fn exact_int() -> impl Strategy<Value = i64> {
        const EXACT: i64 = 1 << 53;
        prop_oneof![-EXACT..=EXACT, Just(EXACT), Just(-EXACT), Just(0i64), -1000i64..1000]
    }

    fn answer_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<bool>().prop_map(Value::from),
            exact_int().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(Value::from),
            prop_oneof![Just(0.1), Just(-0.0), Just(1e21), Just(1e-7), Just(5e-324), Just(123456789.125)]
                .prop_map(Value::from),
            text().prop_map(Value::from),
            proptest::collection::vec(text(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(text(), exact_int(), 0..4)
                .prop_map(|rows| Value::Object(rows.into_iter().map(|(k, v)| (k, Value::from(v))).collect())),
        ]
    }

    fn response_value() -> impl Strategy<Value = Value> {
        let answer = (answer_value(), exact_int(), any::<u32>())
            .prop_map(|(value, at, changes)| serde_json::json!({"value": value, "at": at, "changes": changes}));
        let answers = proptest::collection::btree_map(text(), answer, 0..5);
        let unit = prop_oneof![Just(None), Just(Some(Value::Null)), text().prop_map(|t| Some(Value::from(t)))];
        (answers, unit, text(), any::<bool>(), 0u64..=(1 << 53), exact_int()).prop_map(
            |(answers, unit, some_text, interview, seq, time)| {
                let mut response = serde_json::json!({
                    "id": some_text, "survey_id": "s", "fingerprint": some_text, "device": "d", "seq": seq,
                    "answers": answers, "started_at": time, "finished_at": -time,
                    "mode": if interview { "interview" } else { "self" }, "lang": some_text, "app_version": "0.1",
                });
                if let (Some(unit), Some(map)) = (unit, response.as_object_mut()) {
                    map.insert("unit".into(), unit);
                }
                response
            },
        )
    }

    /// Signs a payload written by hand (one response, given as JSON text) for the differential
    /// tests of the fast path.
    fn signed_raw(seed: [u8; 32], payload: &str) -> (Vec<u8>, Roster) {
        let signing = SigningKey::from_bytes(&seed);
        let public = signing.verifying_key().to_bytes();
        let payload = payload.as_bytes();
        let signature = signing.sign(&pae(PAYLOAD_TYPE, payload)).to_bytes();
        let roster = Roster {
            format: ROSTER_FORMAT.into(),
            devices: vec![RosterDevice {
                key: STANDARD.encode(public),
                keyid: keyid(&public),
                evaluator: "李明".into(),
                team: "一组".into(),
            }],
        };
        (envelope_bytes(payload, &public, &signature), roster)
    }

    /// Whatever the payload, the fast path and the general path give the same result: each
    /// response variant (non-canonical spellings, shapes serde also reads, duplicates, numbers at
    /// and beyond 2^53, decimals, escapes, key order) is signed with the hash of the general
    /// path's canonical form and with the hash of the fast path's, in several payload layouts.
    #[test]
    fn fast_path_agrees_with_the_general_path() {
        let seed = [5u8; 32];
        let public = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        let key = STANDARD.encode(public);
        let dev = keyid(&public);
        let fp = "f".repeat(64);
        let rest = format!(
            r#""app_version":"0.1.0","device":"{dev}","fingerprint":"{fp}","finished_at":1700000060000,"id":"r1","lang":"zh-CN","mode":"interview","seq":1,"started_at":1700000000000,"survey_id":"s""#
        );
        let with = |answers: &str, tail: &str| format!(r#"{{"answers":{answers},{rest}{tail}}}"#);
        let q = |value: &str| with(&format!(r#"{{"q1":{{"at":1700000000500,"changes":1,"value":{value}}}}}"#), "");
        let mut responses = vec![
            q("4"),
            q("4.0"),
            q("4e0"),
            q("-0"),
            q("0.1"),
            q("1e21"),
            q("123456789.125"),
            q("9007199254740992"),
            q("-9007199254740992"),
            q("9007199254740993"),
            q("-9007199254740993"),
            q("18446744073709551615"),
            q("99999999999999999999"),
            q("1e400"),
            q("true"),
            q("null"),
            q(r#""yes""#),
            q(r#""y\u0065s\/\u0001\n\t\u001f\u007f\u2028""#),
            q(r#"["a","b"]"#),
            q(r#"["a",1]"#),
            q("[]"),
            q("{}"),
            q(r#"{"r1":1,"r2":5}"#),
            q(r#"{"r2":5,"r1":1}"#),
            q(r#"{"r1":1,"r1":2}"#),
            q(r#"{"r1":"x","r1":2}"#),
            q(r#"{"r1":1.5}"#),
            q(r#"{"r1":9007199254740993}"#),
            q(r#"{"\ue000":1,"😀":2}"#),
            q(r#"{"😀":2,"\ue000":1}"#),
            with(r#"{"q1":[4,1700000000500,1]}"#, ""),
            with(r#"{"q1":{"at":1700000000500,"changes":1,"value":4,"extra":0}}"#, ""),
            with(r#"{"q1":{"at":1700000000500,"changes":1,"value":4,"value":5}}"#, ""),
            with(r#"{"q1":{"at":1700000000500,"changes":-1,"value":4}}"#, ""),
            with(r#"{"q1":{"at":1700000000500,"changes":4294967296,"value":4}}"#, ""),
            with(r#"{"q1":{"at":9007199254740993,"changes":1,"value":4}}"#, ""),
            with(r#"{"q1":{"at":1.7e12,"changes":1,"value":4}}"#, ""),
            with(r#"{"q1":{"at":1,"changes":1,"value":4},"q1":{"at":2,"changes":1,"value":5}}"#, ""),
            with(r#"{"q1":{"at":1,"changes":1,"value":4},"q1":7}"#, ""),
            with(r#"{"😀":{"at":1,"changes":0,"value":1},"\ue000":{"at":1,"changes":0,"value":2}}"#, ""),
            with("{}", ""),
            with("[]", ""),
            with("{}", r#","unit":null"#),
            with("{}", r#","unit":"east""#),
            with("{}", r#","unit":7"#),
            with("{}", r#","unit":"east","unit":"west""#),
            with("{}", r#","extra":1"#),
            with("{}", r#","lang":"zh-CN""#),
            format!(r#"{{"unit":"east",{},"answers":{{}}}}"#, rest),
            format!(r#"{{ "answers" : {{ }} , {} }}"#, rest.replace(',', " ,\n ")),
            with("{}", "").replace(r#""mode":"interview""#, r#""mode":{"interview":null}"#),
            with("{}", "").replace(r#""mode":"interview""#, r#""mode":"self""#),
            with("{}", "").replace(r#""mode":"interview""#, r#""mode":"other""#),
            with("{}", "").replace(r#""lang":"zh-CN""#, r#""lang":"zh\u002dCN""#),
            with("{}", "").replace(r#""seq":1"#, r#""seq":0"#),
            with("{}", "").replace(r#""seq":1"#, r#""seq":3"#),
            with("{}", "").replace(r#""seq":1"#, r#""seq":1.0"#),
            with("{}", "").replace(r#""survey_id":"s""#, r#""survey_id":"t""#),
            with("{}", "").replace(&format!(r#""device":"{dev}""#), r#""device":"x""#),
            with("{}", "").replace(r#""finished_at":1700000060000"#, r#""finished_at":-9007199254740993"#),
            format!("[{}]", with("{}", "")),
            "null".to_owned(),
            "\"text\"".to_owned(),
        ];
        // The whole response as an array (serde reads a struct from one too).
        responses.push(format!(
            r#"["r1","s","{fp}","east","{dev}",1,{{}},1700000000000,1700000060000,"interview","zh-CN","0.1.0"]"#
        ));
        let survey = format!(r#"{{"fingerprint":"{fp}","id":"s","version":"1"}}"#);
        let device = format!(r#"{{"evaluator":"李明","key":"{key}","team":"一组"}}"#);
        // Payload layouts, `@` standing for the response entries.
        let layouts = [
            format!(
                r#"{{"bundle_id":"b","created_at":0,"device":{device},"device_seq_high":2,"format":"bundle/1","responses":[@],"survey":{survey}}}"#
            ),
            format!(
                "{{\n \"survey\": {survey}, \"responses\": [@], \"format\": \"bundle/1\", \"device_seq_high\": 2, \"device\": {device}, \"created_at\": 0, \"bundle_id\": \"b\"\n}}\n"
            ),
            format!(
                r#"{{"bundle_id":"b","created_at":0,"device":["{key}","李明","一组"],"device_seq_high":2,"format":"bundle/1","responses":[@],"survey":{survey}}}"#
            ),
            format!(
                r#"{{"bundle_id":"b","created_at":0,"device":{device},"device_seq_high":2,"format":"bundle/2","responses":[@],"survey":{survey}}}"#
            ),
            format!(
                r#"{{"bundle_id":"b","created_at":0,"device":{device},"device_seq_high":2,"format":"bundle/1","format":"bundle/1","responses":[@],"survey":{survey}}}"#
            ),
            format!(
                r#"{{"bundle_id":"b","created_at":0,"device":{device},"device_seq_high":2,"format":"bundle/1","responses":[@,@],"survey":["s","1","{fp}"]}}"#
            ),
            format!(r#"["bundle/1","b",0,{device},{survey},2,[@]]"#),
        ];
        let mut accepted = 0;
        let mut fast_accepted = 0;
        let mut checked = 0;
        for response in &responses {
            let mut hashes = vec!["0".repeat(64)];
            if let Ok(value) = serde_json::from_str::<Value>(response) {
                hashes.push(sha256_canonical_hex(&value));
            }
            if let Some(read) = fast::read_response(response) {
                let mut written = Vec::new();
                if read.write_canonical(&mut written).is_some() {
                    hashes.push(hex(&Sha256::digest(&written)));
                }
            }
            hashes.dedup();
            for hash in &hashes {
                let entry = format!(r#"{{"hash":"{hash}","response":{response}}}"#);
                for layout in &layouts {
                    let payload = layout.replace('@', &entry);
                    let (bytes, roster) = signed_raw(seed, &payload);
                    let fast = verify(&bytes, &roster);
                    let general = verify_general(&bytes, &roster);
                    assert_eq!(fast, general, "payload {payload}");
                    // The fast path on its own: when it accepts, it is the general path's result.
                    let alone = fast::payload(payload.as_bytes())
                        .and_then(|p| p.finish(payload.as_bytes(), &dev, &roster.devices[0]));
                    if let Some(alone) = alone {
                        assert_eq!(Ok(alone), general, "payload {payload}");
                        fast_accepted += 1;
                    }
                    accepted += usize::from(general.is_ok());
                    checked += 1;
                }
            }
        }
        eprintln!("{checked} payloads: {accepted} accepted, {fast_accepted} of them by the fast path");
        assert!(accepted >= 20 && checked > 3 * accepted, "{accepted} of {checked} accepted");
        assert!(fast_accepted * 2 > accepted, "the fast path took only {fast_accepted} of {accepted}");
    }

    #[test]
    fn fast_path_agrees_on_envelopes() {
        let seed = [7u8; 32];
        let device = keyid(&SigningKey::from_bytes(&seed).verifying_key().to_bytes());
        let (bytes, roster) = signed(seed, &[response("r1", 1, &device), response("r2", 2, &device)], 3);
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        let variants = [
            text.clone(),
            format!("{text}\n"),
            format!(" {text}"),
            text.replacen("{\"payload\"", "{ \"payload\"", 1),
            text.replacen("\"payloadType\":\"application/", "\"payloadType\":\"application\\/", 1),
            text.replacen("\"signatures\":[", "\"signatures\":[{\"keyid\":\"a\",\"sig\":\"AA==\"},", 1),
            text.replacen("\"sig\":", "\"extra\":1,\"sig\":", 1),
            text.replacen("{\"payload\"", "{\"payload\":\"\",\"payload\"", 1),
            text.replacen("+json", "+xml", 1),
            text[..text.len() - 1].to_owned(),
        ];
        for variant in &variants {
            assert_eq!(verify(variant.as_bytes(), &roster), verify_general(variant.as_bytes(), &roster), "{variant}");
        }
        assert!(verify(&bytes, &roster).is_ok());
    }
}
