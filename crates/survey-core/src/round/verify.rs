//! Verifying a round file (`docs/round-format.md`, "Verifying, in order"): the envelope and
//! the organiser's signature first, then every finding about the content at once, each with a
//! stable code and a JSON path. A round is trusted only when there is none.
//!
//! The signature check itself is the one step that needs Ed25519: `verify_round` (feature
//! `verify`) does it with ed25519-dalek; the field app, which carries no Ed25519 crate, calls
//! `open_envelope`, checks `SignedRound::message` with WebCrypto, then `read_signed`.

use super::draw::{self, check_text_as, households_scope, TextKind, FULL_NFC, UNITS_SCOPE};
use super::plan::{bilingual_problem, round_languages, ROUND_LANGUAGES};
use super::{RoundPayload, ROUND_FORMAT, ROUND_PAYLOAD_TYPE};
use crate::bundle::{keyid, pae, Envelope, EnvelopeSignature};
use crate::canonical::{canonical_json, fingerprint};
use crate::response::is_iso_date;
use crate::{load_survey, Severity};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize as _;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Why a round file was refused before its content could be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundError {
    Malformed(String),
    NotCanonical,
    UnsupportedPayloadType(String),
    BadBase64(&'static str),
    SignatureCount(usize),
    PayloadMalformed(String),
    BadKey,
    KeyidMismatch,
    BadSignature,
    UnsupportedVersion(String),
    /// The content was read and has findings.
    Findings(Vec<Finding>),
}

/// One fault of a signed round's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable code (`frame_hash_mismatch`, `draw_mismatch`, ...).
    pub code: &'static str,
    /// The JSON path in the payload.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.path, self.code, self.message)
    }
}

impl RoundError {
    pub fn code(&self) -> &'static str {
        match self {
            RoundError::Malformed(_) => "malformed",
            RoundError::NotCanonical => "not_canonical",
            RoundError::UnsupportedPayloadType(_) => "unsupported_payload_type",
            RoundError::BadBase64(_) => "bad_base64",
            RoundError::SignatureCount(_) => "signature_count",
            RoundError::PayloadMalformed(_) => "payload_malformed",
            RoundError::BadKey => "bad_key",
            RoundError::KeyidMismatch => "keyid_mismatch",
            RoundError::BadSignature => "bad_signature",
            RoundError::UnsupportedVersion(_) => "unsupported_version",
            RoundError::Findings(_) => "findings",
        }
    }
}

impl fmt::Display for RoundError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoundError::Malformed(err) => write!(f, "not a round envelope: {err}"),
            RoundError::NotCanonical => f.write_str("not in canonical JSON form (or bytes after it)"),
            RoundError::UnsupportedPayloadType(t) => write!(f, "payload type `{t}`, expected `{ROUND_PAYLOAD_TYPE}`"),
            RoundError::BadBase64(field) => write!(f, "{field} is not strict base64"),
            RoundError::SignatureCount(n) => write!(f, "{n} signatures, exactly one expected"),
            RoundError::PayloadMalformed(err) => write!(f, "the payload is not a round: {err}"),
            RoundError::BadKey => f.write_str("the organiser key is not a 32-byte Ed25519 key"),
            RoundError::KeyidMismatch => f.write_str("the signature's keyid is not the hash of the organiser key"),
            RoundError::BadSignature => f.write_str("the signature does not verify with the organiser key"),
            RoundError::UnsupportedVersion(v) => write!(f, "format `{v}`, this build reads `{ROUND_FORMAT}`"),
            RoundError::Findings(findings) => write!(f, "{} findings", findings.len()),
        }
    }
}

/// A round whose signature and content verified.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedRound {
    /// The organiser key's keyid.
    pub keyid: String,
    pub payload: RoundPayload,
}

/// The envelope of a round file around a signed payload (canonical JSON, no trailing bytes).
pub fn envelope_bytes(payload: &[u8], public_key: &[u8], signature: &[u8]) -> Vec<u8> {
    let envelope = Envelope {
        payload_type: ROUND_PAYLOAD_TYPE.to_owned(),
        payload: STANDARD.encode(payload),
        signatures: vec![EnvelopeSignature { keyid: keyid(public_key), sig: STANDARD.encode(signature) }],
    };
    canonical_json(&serde_json::to_value(envelope).unwrap_or(Value::Null))
}

/// A round file whose envelope is sound, with what its signature check needs; its payload is
/// not trusted yet.
#[derive(Debug, Clone)]
pub struct SignedRound {
    /// The decoded payload bytes (what the signature covers, inside the PAE).
    pub payload: Vec<u8>,
    /// The organiser's raw Ed25519 public key, from the payload.
    pub key: [u8; 32],
    pub keyid: String,
    /// The raw signature bytes.
    pub signature: Vec<u8>,
    payload_value: Value,
}

impl SignedRound {
    /// What the organiser signed: `PAE(payloadType, payload)`.
    pub fn message(&self) -> Vec<u8> {
        pae(ROUND_PAYLOAD_TYPE, &self.payload)
    }
}

/// Steps 1–3 of verifying a round file: the envelope, and the organiser key read from the
/// payload (`is_point` says whether 32 bytes are an Ed25519 point; a shell that checks the
/// signature with WebCrypto passes `|_| true` and reports a key it cannot import as `bad_key`).
pub fn open_envelope(bytes: &[u8], is_point: impl Fn(&[u8; 32]) -> bool) -> Result<SignedRound, RoundError> {
    // One leading byte-order mark (an editor or a mail program may add it) is not part of the
    // envelope; a second one is.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|err| RoundError::Malformed(err.to_string()))?;
    // Read from the parsed value (not parsed again, not copied).
    let envelope = Envelope::deserialize(&value).map_err(|err| RoundError::Malformed(err.to_string()))?;
    if canonical_json(&value) != bytes {
        return Err(RoundError::NotCanonical);
    }
    if envelope.payload_type != ROUND_PAYLOAD_TYPE {
        return Err(RoundError::UnsupportedPayloadType(envelope.payload_type));
    }
    let payload = STANDARD.decode(&envelope.payload).map_err(|_| RoundError::BadBase64("payload"))?;
    if envelope.signatures.len() != 1 {
        return Err(RoundError::SignatureCount(envelope.signatures.len()));
    }
    let signature = &envelope.signatures[0];
    let sig = STANDARD.decode(&signature.sig).map_err(|_| RoundError::BadBase64("sig"))?;
    let payload_value: Value =
        serde_json::from_slice(&payload).map_err(|err| RoundError::PayloadMalformed(err.to_string()))?;
    let key_text = payload_value
        .get("organiser")
        .and_then(|organiser| organiser.get("key"))
        .and_then(Value::as_str)
        .ok_or_else(|| RoundError::PayloadMalformed("no string organiser.key".into()))?;
    let key: [u8; 32] = STANDARD.decode(key_text).ok().and_then(|key| key.try_into().ok()).ok_or(RoundError::BadKey)?;
    if !is_point(&key) {
        return Err(RoundError::BadKey);
    }
    if keyid(&key) != signature.keyid {
        return Err(RoundError::KeyidMismatch);
    }
    Ok(SignedRound { payload, keyid: keyid(&key), key, signature: sig, payload_value })
}

/// Steps 5 and 6, for a round whose signature was checked: the payload read and every finding.
/// `NFC` is [`draw::FULL_NFC`] or [`draw::QUICK_NFC`] (the field app's lighter build).
pub fn read_signed<const NFC: bool>(signed: SignedRound) -> Result<VerifiedRound, RoundError> {
    let SignedRound { payload, keyid, payload_value, .. } = signed;
    match payload_value.get("format").and_then(Value::as_str) {
        Some(ROUND_FORMAT) => {}
        Some(other) => return Err(RoundError::UnsupportedVersion(other.to_owned())),
        None => return Err(RoundError::PayloadMalformed("no string format".into())),
    }
    // The full build names the JSON path of a malformed field; the light one (the field app)
    // gives serde_json's line and column, and carries one deserializer of the payload, not two.
    let round: RoundPayload = if NFC == FULL_NFC {
        let mut deserializer = serde_json::Deserializer::from_slice(&payload);
        serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|err| RoundError::PayloadMalformed(format!("{}: {}", err.path(), err.inner())))?
    } else {
        serde_json::from_slice(&payload).map_err(|err| RoundError::PayloadMalformed(err.to_string()))?
    };
    // Titles and names are `{"zh-CN", "en"}`: another language is an unknown field.
    let texts = std::iter::once(&round.title)
        .chain(round.units.iter().flat_map(|unit| std::iter::once(&unit.name).chain(unit.group.as_ref())));
    for text in texts {
        if let Some(tag) = text.0.keys().find(|tag| !ROUND_LANGUAGES.contains(&tag.as_str())) {
            return Err(RoundError::PayloadMalformed(format!("a title or name in `{tag}`: only zh-CN and en")));
        }
    }
    // The typed payload written back must be the payload: as a JSON value (else a field was
    // missing and defaulted, or null where it must be absent: the shape), then byte for byte
    // (else the same meaning was written another way: not canonical).
    let typed = serde_json::to_value(&round).unwrap_or(Value::Null);
    if typed != payload_value {
        return Err(RoundError::PayloadMalformed("fields missing or null where the format has a value".into()));
    }
    if canonical_json(&typed) != payload {
        return Err(RoundError::NotCanonical);
    }
    let findings = check_payload_as::<NFC>(&round);
    if !findings.is_empty() {
        return Err(RoundError::Findings(findings));
    }
    Ok(VerifiedRound { keyid, payload: round })
}

/// Verifies a round file, in the documented order, with Ed25519 by ed25519-dalek (feature
/// `verify`). Never panics, whatever the bytes.
#[cfg(feature = "verify")]
pub fn verify_round(bytes: &[u8]) -> Result<VerifiedRound, RoundError> {
    use ed25519_dalek::{Signature, VerifyingKey};
    let signed = open_envelope(bytes, |key| VerifyingKey::from_bytes(key).is_ok())?;
    let verifying = VerifyingKey::from_bytes(&signed.key).map_err(|_| RoundError::BadKey)?;
    let sig = Signature::from_slice(&signed.signature).map_err(|_| RoundError::BadSignature)?;
    verifying.verify_strict(&signed.message(), &sig).map_err(|_| RoundError::BadSignature)?;
    // Signed: now the payload is the organiser's word, and may be read.
    read_signed::<FULL_NFC>(signed)
}

/// Every finding about a round's content (empty: the round is sound). Used by the verifier and,
/// as a check of itself, by the builder's tests.
pub fn check_payload(round: &RoundPayload) -> Vec<Finding> {
    check_payload_as::<FULL_NFC>(round)
}

/// [`check_payload`] with the NFC check chosen (see [`draw::FULL_NFC`]; the field app's is
/// [`draw::QUICK_NFC`]).
pub fn check_payload_as<const NFC: bool>(round: &RoundPayload) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut find = |code: &'static str, path: String, message: String| findings.push(Finding { code, path, message });
    let text = |path: String, value: &str, kind: TextKind| {
        check_text_as::<NFC>(value, kind).err().map(|err| (path, format!("{value:?}: {err}")))
    };
    let mut bad_texts = Vec::new();
    bad_texts.extend(text("id".into(), &round.id, TextKind::RoundId));
    bad_texts.extend(text("seed".into(), &round.seed, TextKind::Seed));
    bad_texts.extend(text("seed_source".into(), &round.seed_source, TextKind::SeedSource));
    for (idx, unit) in round.units.iter().enumerate() {
        bad_texts.extend(text(format!("units[{idx}].id"), &unit.id, TextKind::UnitId));
        for (h, code) in unit.households.iter().enumerate() {
            bad_texts.extend(text(format!("units[{idx}].households[{h}]"), code, TextKind::Household));
        }
    }
    for (path, message) in bad_texts {
        find("bad_text", path, message);
    }
    for (path, title) in [("title", &round.title)] {
        if let Some(problem) = bilingual_problem(title) {
            find("bad_text", path.into(), problem);
        }
    }
    if !is_iso_date(&round.period.from) || !is_iso_date(&round.period.to) || round.period.from > round.period.to {
        find(
            "bad_period",
            "period".into(),
            format!("{} to {} is not a period of dates", round.period.from, round.period.to),
        );
    }

    // The survey: valid, the recorded fingerprint, the same recipients.
    let survey_text = round.survey.to_string();
    let loaded = load_survey(&survey_text);
    let survey_errors = loaded.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    if survey_errors > 0 || loaded.survey.is_none() {
        find(
            "survey_mismatch",
            "survey".into(),
            format!("not a valid survey ({survey_errors} errors; run `survey check`)"),
        );
    }
    if fingerprint(&round.survey) != round.survey_fingerprint {
        find("survey_mismatch", "survey_fingerprint".into(), "not the fingerprint of the embedded survey".into());
    }
    let listed_units = loaded.survey.as_ref().map(|s| s.units.clone()).unwrap_or_default();
    if let Some(survey) = &loaded.survey {
        if survey.recipients != round.recipients {
            find("recipients_mismatch", "recipients".into(), "differ from the embedded survey's recipients".into());
        }
    }

    // Units: unique, in order, known to the survey, frames and draws as recorded.
    for (idx, pair) in round.units.windows(2).enumerate() {
        if pair[0].id == pair[1].id {
            find("duplicate", format!("units[{}].id", idx + 1), format!("unit `{}` twice", pair[1].id));
        } else if pair[0].id > pair[1].id {
            find("order", format!("units[{}].id", idx + 1), "units are not in unit-id byte order".into());
        }
    }
    for (idx, unit) in round.units.iter().enumerate() {
        let path = format!("units[{idx}]");
        if !listed_units.is_empty() {
            match listed_units.iter().find(|listed| listed.id == unit.id) {
                None => {
                    find("unknown_unit", format!("{path}.id"), format!("`{}` is not a unit of the survey", unit.id))
                }
                Some(listed) if round_languages(&listed.name) != unit.name => {
                    find("unknown_unit", format!("{path}.name"), "differs from the unit's name in the survey".into())
                }
                Some(_) => {}
            }
        } else if let Some(problem) = bilingual_problem(&unit.name) {
            find("bad_text", format!("{path}.name"), problem);
        }
        let refs: Vec<&str> = unit.households.iter().map(String::as_str).collect();
        if let Some(dup) = draw::first_duplicate(&refs) {
            find(
                "duplicate",
                format!("{path}.households[{}]", dup.again),
                format!("household {:?} is already households[{}]", dup.member, dup.first),
            );
        }
        if draw::frame_hash(&refs) != unit.frame_hash {
            find("frame_hash_mismatch", format!("{path}.frame_hash"), "not the hash of the recorded households".into());
        }
        if unit.n == 0 || unit.n > refs.len() as u64 {
            find("bad_n", format!("{path}.n"), format!("{} households to draw from a frame of {}", unit.n, refs.len()));
        }
        if unit.attempts_before_substitute == 0 {
            find("bad_n", format!("{path}.attempts_before_substitute"), "must be at least 1".into());
        }
        let expected: Vec<&str> = if unit.sampled {
            draw::draw(&round.seed, &round.id, &households_scope(&unit.id), &refs)
                .into_iter()
                .take(usize::try_from(unit.n).unwrap_or(usize::MAX))
                .collect()
        } else {
            Vec::new()
        };
        if unit.drawn_households.iter().map(String::as_str).ne(expected.iter().copied()) {
            find(
                "draw_mismatch",
                format!("{path}.drawn_households"),
                "not the first n of the unit's household draw".into(),
            );
        }
    }
    let commitment = draw::frame_commitment(round.units.iter().map(|u| (u.id.as_str(), u.frame_hash.as_str())));
    if commitment != round.frame_commitment {
        find("commitment_mismatch", "frame_commitment".into(), format!("the recorded frames commit to {commitment}"));
    }
    let ids: Vec<&str> = round.units.iter().map(|u| u.id.as_str()).collect();
    let sampled: BTreeSet<&str> = match round.unit_sample {
        None => ids.iter().copied().collect(),
        Some(sample) => {
            if sample.n == 0 || sample.n > ids.len() as u64 {
                find("bad_n", "unit_sample.n".into(), format!("{} units to draw of {}", sample.n, ids.len()));
            }
            let take = usize::try_from(sample.n).unwrap_or(usize::MAX);
            draw::draw(&round.seed, &round.id, UNITS_SCOPE, &ids).into_iter().take(take).collect()
        }
    };
    for (idx, unit) in round.units.iter().enumerate() {
        if unit.sampled != sampled.contains(unit.id.as_str()) {
            find("draw_mismatch", format!("units[{idx}].sampled"), "not what the unit draw gives".into());
        }
    }

    // Devices and assignments.
    let mut keyids = BTreeSet::new();
    for (idx, device) in round.devices.iter().enumerate() {
        let key_matches = STANDARD
            .decode(&device.key)
            .ok()
            .filter(|key| key.len() == 32)
            .is_some_and(|key| keyid(&key) == device.keyid);
        if !key_matches {
            find("bad_device", format!("devices[{idx}]"), "the keyid is not the hash of a 32-byte key".into());
        }
        if !keyids.insert(device.keyid.as_str()) {
            find("duplicate", format!("devices[{idx}].keyid"), "device listed twice".into());
        }
    }
    if round.devices.windows(2).any(|pair| pair[0].keyid > pair[1].keyid) {
        find("order", "devices".into(), "devices are not in keyid order".into());
    }
    let mut assigned: HashMap<&str, usize> = HashMap::new();
    for (idx, assignment) in round.assignments.iter().enumerate() {
        let path = format!("assignments[{idx}]");
        if !sampled.contains(assignment.unit.as_str()) {
            find("assignment", format!("{path}.unit"), format!("`{}` is not a sampled unit", assignment.unit));
        }
        if !keyids.contains(assignment.device.as_str()) {
            find("assignment", format!("{path}.device"), "not a device of the round".into());
        }
        if assigned.insert(&assignment.unit, idx).is_some() {
            find("assignment", format!("{path}.unit"), format!("`{}` is assigned twice", assignment.unit));
        }
    }
    if round.assignments.windows(2).any(|pair| pair[0].unit > pair[1].unit) {
        find("order", "assignments".into(), "assignments are not in unit-id byte order".into());
    }
    for unit in &sampled {
        if !assigned.contains_key(unit) {
            find("assignment", "assignments".into(), format!("sampled unit `{unit}` is not assigned"));
        }
    }
    findings
}
