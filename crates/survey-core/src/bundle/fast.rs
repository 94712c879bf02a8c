//! The fast path of [`verify`]: typed reading of the usual bundle, in one pass.
//!
//! It must accept exactly what the general path accepts, with the same result, or give up
//! (`None`) so that the general path decides. The general path parses the payload to a
//! `serde_json::Value`, hashes the RFC 8785 form of each response's `Value`, then reads the
//! response from it. Reading the payload's bytes directly into typed values instead is the same
//! whenever that typed reading is faithful to the `Value`, which the types here make sure of:
//!
//! - every object that is hashed is read only as a JSON object (`MapOnly`; serde would also
//!   take a struct from an array), with unknown and duplicate fields refused (serde derive), so
//!   nothing in the JSON is dropped or merged differently than in the `Value`; maps keep the
//!   last of duplicate keys, like `Value`;
//! - `unit` remembers whether it was absent or `null`; `mode` is read only from a string;
//! - answer values are read by JSON type, as the untagged `AnswerValue` reads them from a
//!   `Value`, and any integer beyond ±2^53 gives up (the general path refuses those);
//! - the canonical JSON written from these values (`write_canonical`) is the RFC 8785 form of
//!   the `Value`: fixed sorted field names, keys in UTF-16 order, the same string escaping and
//!   the same number formatting (a test compares it with `canonical_json`).
//!
//! A hash that does not match what is written here gives up too, so a shape this reading did
//! not foresee can cost time, never a wrong answer.

use super::verify::{is_envelope_text, EnvelopeRef};
use super::{DeviceInfo, ExportedResponse, RosterDevice, SurveyRef, VerifiedBundle, BUNDLE_FORMAT};
use crate::canonical::{for_each_jcs_entry, push_f64, push_int, push_str, MAX_EXACT_INTEGER};
use crate::response::{Answer, AnswerValue, Mode};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::marker::PhantomData;

/// The envelope, when it is canonical and its strings need no escaping (the usual file).
pub(super) fn envelope(bytes: &[u8]) -> Option<EnvelopeRef<'_>> {
    // JSON that parses from bytes is UTF-8 throughout (only strings may hold non-ASCII
    // bytes, and they are checked), so checking it once up front and reading it as `str`
    // reads the same, without checking each string again.
    let envelope: EnvelopeRef<'_> = serde_json::from_str(std::str::from_utf8(bytes).ok()?).ok()?;
    // A string borrowed from the file holds no escape (nor, in JSON, a control character),
    // so it is written in the file exactly as in its canonical form.
    let borrowed = |s: &Cow<'_, str>| matches!(s, Cow::Borrowed(_));
    let all_borrowed = borrowed(&envelope.payload_type)
        && borrowed(&envelope.payload)
        && envelope.signatures.iter().all(|s| borrowed(&s.keyid) && borrowed(&s.sig));
    (all_borrowed && is_envelope_text(&envelope, bytes)).then_some(envelope)
}

/// The payload read into typed values, when it has the expected shape: directly when it is
/// canonical JSON (what the app writes), else with serde.
pub(super) fn payload(bytes: &[u8]) -> Option<Payload> {
    let text = std::str::from_utf8(bytes).ok()?;
    canonical::payload(text).or_else(|| serde_json::from_str::<MapOnly<Payload>>(text).ok().map(|payload| payload.0))
}

/// A `T` read only from a JSON object, never from an array.
pub(super) struct MapOnly<T>(pub(super) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for MapOnly<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        deserializer.deserialize_map(ObjectVisitor(PhantomData)).map(MapOnly)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Payload {
    format: String,
    bundle_id: String,
    created_at: i64,
    device: MapOnly<DeviceInfo>,
    survey: SurveyRef,
    device_seq_high: u64,
    pub(super) responses: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Entry {
    pub(super) response: MapOnly<Response>,
    pub(super) hash: String,
    /// Where the response is in the payload, when its text there is its canonical JSON.
    #[serde(skip)]
    pub(super) canonical: Option<std::ops::Range<usize>>,
}

/// An exported response as read from the payload, remembering what its canonical form
/// needs beyond [`ExportedResponse`] (whether `unit` was absent or `null`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Response {
    id: String,
    survey_id: String,
    fingerprint: String,
    /// Absent: `None`; `null`: `Some(None)`.
    #[serde(default, deserialize_with = "present")]
    unit: Option<Option<String>>,
    device: String,
    seq: u64,
    #[serde(deserialize_with = "answers")]
    answers: BTreeMap<String, Answer>,
    started_at: i64,
    finished_at: i64,
    #[serde(deserialize_with = "mode")]
    mode: Mode,
    lang: String,
    app_version: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FastAnswer {
    #[serde(deserialize_with = "answer_value")]
    value: AnswerValue,
    at: i64,
    changes: u32,
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

fn answers<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<String, Answer>, D::Error> {
    struct AnswersVisitor;
    impl<'de> Visitor<'de> for AnswersVisitor {
        type Value = BTreeMap<String, Answer>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of answers")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut answers = Vec::with_capacity(32);
            while let Some(key) = map.next_key::<String>()? {
                let MapOnly(FastAnswer { value, at, changes }) = map.next_value()?;
                answers.push((key, Answer { value, at, changes }));
            }
            // Built in one go from sorted entries (a canonical payload has them sorted
            // already); a key given twice gives up rather than rely on which one is kept.
            answers.sort_by(|a, b| a.0.cmp(&b.0));
            if answers.windows(2).any(|pair| pair[0].0 == pair[1].0) {
                return Err(de::Error::custom("an answer given twice"));
            }
            Ok(answers.into_iter().collect())
        }
    }
    deserializer.deserialize_map(AnswersVisitor)
}

fn mode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Mode, D::Error> {
    struct ModeVisitor;
    impl Visitor<'_> for ModeVisitor {
        type Value = Mode;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("`interview` or `self`")
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Mode, E> {
            match text {
                "interview" => Ok(Mode::Interview),
                "self" => Ok(Mode::SelfCompletion),
                _ => Err(E::invalid_value(de::Unexpected::Str(text), &self)),
            }
        }
    }
    deserializer.deserialize_str(ModeVisitor)
}

fn exact<E: de::Error>(value: i64) -> Result<i64, E> {
    if value.unsigned_abs() <= MAX_EXACT_INTEGER {
        Ok(value)
    } else {
        Err(E::custom("an integer beyond 2^53"))
    }
}

/// An answer value by its JSON type, as the untagged [`AnswerValue`] reads it from a `Value`
/// (boolean, integer, other number, string, array of strings, object of integers), giving up
/// on integers beyond ±2^53.
fn answer_value<'de, D: Deserializer<'de>>(deserializer: D) -> Result<AnswerValue, D::Error> {
    struct ValueVisitor;
    impl<'de> Visitor<'de> for ValueVisitor {
        type Value = AnswerValue;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an answer value")
        }
        fn visit_bool<E: de::Error>(self, value: bool) -> Result<AnswerValue, E> {
            Ok(AnswerValue::Bool(value))
        }
        fn visit_i64<E: de::Error>(self, value: i64) -> Result<AnswerValue, E> {
            exact(value).map(AnswerValue::Number)
        }
        fn visit_u64<E: de::Error>(self, value: u64) -> Result<AnswerValue, E> {
            exact(i64::try_from(value).map_err(E::custom)?).map(AnswerValue::Number)
        }
        fn visit_f64<E: de::Error>(self, value: f64) -> Result<AnswerValue, E> {
            Ok(AnswerValue::Decimal(value))
        }
        fn visit_str<E: de::Error>(self, value: &str) -> Result<AnswerValue, E> {
            Ok(AnswerValue::Text(value.to_owned()))
        }
        fn visit_string<E: de::Error>(self, value: String) -> Result<AnswerValue, E> {
            Ok(AnswerValue::Text(value))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnswerValue, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(item) = seq.next_element::<String>()? {
                items.push(item);
            }
            Ok(AnswerValue::List(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnswerValue, A::Error> {
            let mut rows = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                let point = exact(map.next_value::<i64>()?)?;
                rows.insert(key, point);
            }
            Ok(AnswerValue::Rows(rows))
        }
    }
    deserializer.deserialize_any(ValueVisitor)
}

impl Payload {
    pub(super) fn device_key(&self) -> &str {
        &self.device.0.key
    }

    /// The verified bundle, if every response's hash and content check out; `None` (the
    /// general path decides) for anything else, including every fault.
    pub(super) fn finish(self, payload: &[u8], device_keyid: &str, enrolled: &RosterDevice) -> Option<VerifiedBundle> {
        if self.format != BUNDLE_FORMAT {
            return None;
        }
        let mut responses = Vec::with_capacity(self.responses.len());
        let mut hashes = Vec::with_capacity(self.responses.len());
        let mut canonical = Vec::with_capacity(1024);
        for Entry { response: MapOnly(response), hash, canonical: text } in self.responses {
            // Text that is already canonical is hashed as it is; else its canonical form is
            // written from what was read.
            let digest = match text.and_then(|range| payload.get(range)) {
                Some(text) => Sha256::digest(text),
                None => {
                    canonical.clear();
                    response.write_canonical(&mut canonical)?;
                    Sha256::digest(&canonical)
                }
            };
            if !hex_digest_is(&digest, &hash) {
                return None;
            }
            let fits = response.survey_id == self.survey.id
                && response.fingerprint == self.survey.fingerprint
                && response.device == device_keyid
                && (1..=self.device_seq_high).contains(&response.seq);
            if !fits {
                return None;
            }
            responses.push(response.into_exported());
            hashes.push(hash);
        }
        let mut ids = HashSet::with_capacity(responses.len());
        let mut seqs = HashSet::with_capacity(responses.len());
        if !responses.iter().all(|r: &ExportedResponse| ids.insert(r.id.as_str()) && seqs.insert(r.seq)) {
            return None;
        }
        Some(VerifiedBundle {
            keyid: device_keyid.to_owned(),
            device: enrolled.clone(),
            bundle_id: self.bundle_id,
            created_at: self.created_at,
            survey: self.survey,
            device_seq_high: self.device_seq_high,
            responses,
            response_hashes: hashes,
            round: None,
            contacts: Vec::new(),
        })
    }
}

/// Whether `hash` is the lowercase hex of `digest`.
fn hex_digest_is(digest: &[u8], hash: &str) -> bool {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let hash = hash.as_bytes();
    hash.len() == digest.len() * 2
        && digest.iter().zip(hash.chunks_exact(2)).all(|(byte, pair)| {
            pair[0] == DIGITS[usize::from(byte >> 4)] && pair[1] == DIGITS[usize::from(byte & 0x0f)]
        })
}

impl Response {
    /// Appends the RFC 8785 form of the response as read (the canonical JSON of the
    /// `Value` the general path would hash); `None` if it holds an integer beyond ±2^53 or a
    /// number that is not finite.
    pub(super) fn write_canonical(&self, out: &mut Vec<u8>) -> Option<()> {
        // Field names in sorted order (all ASCII, so UTF-16 order is byte order).
        out.extend_from_slice(b"{\"answers\":{");
        let mut first = true;
        for_each_jcs_entry(&self.answers, |key, answer| {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            push_str(out, key);
            out.extend_from_slice(b":{\"at\":");
            push_int(out, answer.at)?;
            out.extend_from_slice(b",\"changes\":");
            push_int(out, i64::from(answer.changes))?;
            out.extend_from_slice(b",\"value\":");
            push_answer_value(out, &answer.value)?;
            out.push(b'}');
            Some(())
        })?;
        out.extend_from_slice(b"},\"app_version\":");
        push_str(out, &self.app_version);
        out.extend_from_slice(b",\"device\":");
        push_str(out, &self.device);
        out.extend_from_slice(b",\"fingerprint\":");
        push_str(out, &self.fingerprint);
        out.extend_from_slice(b",\"finished_at\":");
        push_int(out, self.finished_at)?;
        out.extend_from_slice(b",\"id\":");
        push_str(out, &self.id);
        out.extend_from_slice(b",\"lang\":");
        push_str(out, &self.lang);
        out.extend_from_slice(match self.mode {
            Mode::Interview => b",\"mode\":\"interview\"",
            Mode::SelfCompletion => b",\"mode\":\"self\"",
        });
        out.extend_from_slice(b",\"seq\":");
        push_int(out, i64::try_from(self.seq).ok()?)?;
        out.extend_from_slice(b",\"started_at\":");
        push_int(out, self.started_at)?;
        out.extend_from_slice(b",\"survey_id\":");
        push_str(out, &self.survey_id);
        match &self.unit {
            None => {}
            Some(None) => out.extend_from_slice(b",\"unit\":null"),
            Some(Some(unit)) => {
                out.extend_from_slice(b",\"unit\":");
                push_str(out, unit);
            }
        }
        out.push(b'}');
        Some(())
    }

    pub(super) fn into_exported(self) -> ExportedResponse {
        ExportedResponse {
            id: self.id,
            survey_id: self.survey_id,
            fingerprint: self.fingerprint,
            unit: self.unit.flatten(),
            device: self.device,
            seq: self.seq,
            answers: self.answers,
            started_at: self.started_at,
            finished_at: self.finished_at,
            mode: self.mode,
            lang: self.lang,
            app_version: self.app_version,
            sample: None,
        }
    }
}

fn push_answer_value(out: &mut Vec<u8>, value: &AnswerValue) -> Option<()> {
    match value {
        AnswerValue::Bool(true) => out.extend_from_slice(b"true"),
        AnswerValue::Bool(false) => out.extend_from_slice(b"false"),
        AnswerValue::Number(n) => push_int(out, *n)?,
        AnswerValue::Decimal(x) => push_f64(out, *x)?,
        AnswerValue::Text(text) => push_str(out, text),
        AnswerValue::List(items) => {
            out.push(b'[');
            for (idx, item) in items.iter().enumerate() {
                if idx > 0 {
                    out.push(b',');
                }
                push_str(out, item);
            }
            out.push(b']');
        }
        AnswerValue::Rows(rows) => {
            out.push(b'{');
            let mut first = true;
            for_each_jcs_entry(rows, |key, point| {
                if !std::mem::take(&mut first) {
                    out.push(b',');
                }
                push_str(out, key);
                out.push(b':');
                push_int(out, *point)
            })?;
            out.push(b'}');
        }
    }
    Some(())
}

/// A reader of payloads written in canonical JSON, the form the app writes. It accepts only
/// that form (no whitespace, keys in RFC 8785 order and each once, strings escaped as RFC
/// 8785 escapes them, integers of at most 2^53 in plain digits) and the expected shape, and
/// gives up on anything else. The text of each response it accepts is therefore its own
/// canonical JSON: the general path would parse it to a `Value` whose canonical form is
/// that very text, and would read the same typed values from it.
pub(super) mod canonical {
    use super::{Entry, MapOnly, Payload, Response};
    use crate::bundle::{DeviceInfo, SurveyRef};
    use crate::canonical::MAX_EXACT_INTEGER;
    use crate::response::{Answer, AnswerValue, Mode};
    use std::collections::BTreeMap;

    pub(in crate::bundle) fn payload(text: &str) -> Option<Payload> {
        let mut reader = Reader { text, at: 0 };
        let payload = reader.payload()?;
        (reader.at == text.len()).then_some(payload)
    }

    struct Reader<'a> {
        text: &'a str,
        at: usize,
    }

    impl Reader<'_> {
        /// Consumes `expected` if the text continues with it.
        fn eat(&mut self, expected: &str) -> Option<()> {
            self.text.as_bytes().get(self.at..)?.starts_with(expected.as_bytes()).then(|| {
                self.at += expected.len();
            })
        }

        fn peek(&self) -> Option<u8> {
            self.text.as_bytes().get(self.at).copied()
        }

        /// `,` before another item, or the closing bracket: whether there is another item.
        fn more(&mut self, close: u8) -> Option<bool> {
            let next = self.peek()?;
            self.at += 1;
            match next {
                b',' => Some(true),
                _ if next == close => Some(false),
                _ => None,
            }
        }

        fn payload(&mut self) -> Option<Payload> {
            self.eat("{\"bundle_id\":")?;
            let bundle_id = self.string()?;
            self.eat(",\"created_at\":")?;
            let created_at = self.integer()?;
            self.eat(",\"device\":{\"evaluator\":")?;
            let evaluator = self.string()?;
            self.eat(",\"key\":")?;
            let key = self.string()?;
            self.eat(",\"team\":")?;
            let team = self.string()?;
            self.eat("},\"device_seq_high\":")?;
            let device_seq_high = u64::try_from(self.integer()?).ok()?;
            self.eat(",\"format\":")?;
            let format = self.string()?;
            self.eat(",\"responses\":[")?;
            let mut responses = Vec::new();
            if self.peek() == Some(b']') {
                self.at += 1;
            } else {
                loop {
                    self.eat("{\"hash\":")?;
                    let hash = self.string()?;
                    self.eat(",\"response\":")?;
                    let start = self.at;
                    let response = self.response()?;
                    let canonical = Some(start..self.at);
                    self.eat("}")?;
                    responses.push(Entry { response: MapOnly(response), hash, canonical });
                    if !self.more(b']')? {
                        break;
                    }
                }
            }
            self.eat(",\"survey\":{\"fingerprint\":")?;
            let fingerprint = self.string()?;
            self.eat(",\"id\":")?;
            let id = self.string()?;
            self.eat(",\"version\":")?;
            let version = self.string()?;
            self.eat("}}")?;
            Some(Payload {
                format,
                bundle_id,
                created_at,
                device: MapOnly(DeviceInfo { key, evaluator, team }),
                survey: SurveyRef { id, version, fingerprint },
                device_seq_high,
                responses,
            })
        }

        fn response(&mut self) -> Option<Response> {
            self.eat("{\"answers\":{")?;
            let mut answers: Vec<(String, Answer)> = Vec::new();
            if self.peek() == Some(b'}') {
                self.at += 1;
            } else {
                loop {
                    let key = self.string()?;
                    if answers.last().is_some_and(|(last, _)| !jcs_less(last, &key)) {
                        return None;
                    }
                    self.eat(":{\"at\":")?;
                    let at = self.integer()?;
                    self.eat(",\"changes\":")?;
                    let changes = u32::try_from(self.integer()?).ok()?;
                    self.eat(",\"value\":")?;
                    let value = self.answer_value()?;
                    self.eat("}")?;
                    answers.push((key, Answer { value, at, changes }));
                    if !self.more(b'}')? {
                        break;
                    }
                }
            }
            self.eat(",\"app_version\":")?;
            let app_version = self.string()?;
            self.eat(",\"device\":")?;
            let device = self.string()?;
            self.eat(",\"fingerprint\":")?;
            let fingerprint = self.string()?;
            self.eat(",\"finished_at\":")?;
            let finished_at = self.integer()?;
            self.eat(",\"id\":")?;
            let id = self.string()?;
            self.eat(",\"lang\":")?;
            let lang = self.string()?;
            let mode = if self.eat(",\"mode\":\"interview\"").is_some() {
                Mode::Interview
            } else {
                self.eat(",\"mode\":\"self\"")?;
                Mode::SelfCompletion
            };
            self.eat(",\"seq\":")?;
            let seq = u64::try_from(self.integer()?).ok()?;
            self.eat(",\"started_at\":")?;
            let started_at = self.integer()?;
            self.eat(",\"survey_id\":")?;
            let survey_id = self.string()?;
            let unit = if self.eat(",\"unit\":").is_none() {
                None
            } else if self.eat("null").is_some() {
                Some(None)
            } else {
                Some(Some(self.string()?))
            };
            self.eat("}")?;
            Some(Response {
                id,
                survey_id,
                fingerprint,
                unit,
                device,
                seq,
                // Keys strictly increasing: no duplicate, and `collect` only re-sorts
                // where UTF-16 and UTF-8 order differ.
                answers: answers.into_iter().collect(),
                started_at,
                finished_at,
                mode,
                lang,
                app_version,
            })
        }

        /// An answer value, as the untagged `AnswerValue` reads it from a `Value`: boolean,
        /// integer, string, array of strings, object of integers (no decimals here: those
        /// go to the serde reading).
        fn answer_value(&mut self) -> Option<AnswerValue> {
            match self.peek()? {
                b't' => self.eat("true").map(|()| AnswerValue::Bool(true)),
                b'f' => self.eat("false").map(|()| AnswerValue::Bool(false)),
                b'"' => self.string().map(AnswerValue::Text),
                b'[' => {
                    self.at += 1;
                    let mut items = Vec::new();
                    if self.peek() == Some(b']') {
                        self.at += 1;
                    } else {
                        loop {
                            items.push(self.string()?);
                            if !self.more(b']')? {
                                break;
                            }
                        }
                    }
                    Some(AnswerValue::List(items))
                }
                b'{' => {
                    self.at += 1;
                    let mut rows: Vec<(String, i64)> = Vec::new();
                    if self.peek() == Some(b'}') {
                        self.at += 1;
                    } else {
                        loop {
                            let key = self.string()?;
                            if rows.last().is_some_and(|(last, _)| !jcs_less(last, &key)) {
                                return None;
                            }
                            self.eat(":")?;
                            rows.push((key, self.integer()?));
                            if !self.more(b'}')? {
                                break;
                            }
                        }
                    }
                    let rows: BTreeMap<String, i64> = rows.into_iter().collect();
                    Some(AnswerValue::Rows(rows))
                }
                _ => self.integer().map(AnswerValue::Number),
            }
        }

        /// An integer in canonical form: `0`, or digits without a leading zero, with `-`
        /// for a negative one; at most 2^53 in magnitude. A fraction or exponent after it
        /// makes the caller fail on the next character.
        fn integer(&mut self) -> Option<i64> {
            let bytes = self.text.as_bytes();
            let negative = self.peek() == Some(b'-');
            let start = self.at + usize::from(negative);
            let digits = bytes.get(start..)?.iter().take_while(|b| b.is_ascii_digit()).count();
            // 2^53 has 16 digits.
            if digits == 0 || digits > 16 || (digits > 1 && bytes[start] == b'0') {
                return None;
            }
            let magnitude = bytes[start..start + digits].iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
            if magnitude > MAX_EXACT_INTEGER || (negative && magnitude == 0) {
                return None;
            }
            if matches!(bytes.get(start + digits), Some(b'.' | b'e' | b'E')) {
                return None;
            }
            self.at = start + digits;
            let magnitude = i64::try_from(magnitude).ok()?;
            Some(if negative { -magnitude } else { magnitude })
        }

        /// A string in canonical form: only `"`, `\` and control characters escaped, with
        /// the short escape where there is one and `\u00xx` (lowercase) otherwise.
        fn string(&mut self) -> Option<String> {
            const SHORT: [(u8, char); 7] = [
                (b'"', '"'),
                (b'\\', '\\'),
                (b'b', '\u{8}'),
                (b'f', '\u{c}'),
                (b'n', '\n'),
                (b'r', '\r'),
                (b't', '\t'),
            ];
            self.eat("\"")?;
            let bytes = self.text.as_bytes();
            let mut start = self.at;
            let special = |b: &u8| *b == b'"' || *b == b'\\' || *b < 0x20;
            let end = start + bytes.get(start..)?.iter().position(special)?;
            if bytes[end] == b'"' {
                // The usual string, without escapes.
                self.at = end + 1;
                return self.text.get(start..end).map(str::to_owned);
            }
            let mut out = String::new();
            loop {
                let end = start + bytes.get(start..)?.iter().position(special)?;
                // Every delimiter is ASCII, so the slices fall on character boundaries.
                out.push_str(self.text.get(start..end)?);
                match bytes[end] {
                    b'"' => {
                        self.at = end + 1;
                        return Some(out);
                    }
                    b'\\' => {
                        let escape = *bytes.get(end + 1)?;
                        if let Some(&(_, c)) = SHORT.iter().find(|(e, _)| *e == escape) {
                            out.push(c);
                            start = end + 2;
                        } else {
                            let hex = bytes.get(end + 1..end + 6)?;
                            let digit = |b: u8| match b {
                                b'0'..=b'9' => Some(b - b'0'),
                                b'a'..=b'f' => Some(b - b'a' + 10),
                                _ => None,
                            };
                            if &hex[..3] != b"u00" {
                                return None;
                            }
                            let code = digit(hex[3])? * 16 + digit(hex[4])?;
                            // Only control characters without a short escape are written so.
                            if code >= 0x20 || matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                                return None;
                            }
                            out.push(char::from(code));
                            start = end + 6;
                        }
                    }
                    _ => return None,
                }
            }
        }
    }

    /// Whether `a` sorts strictly before `b` by UTF-16 code units (RFC 8785 key order).
    fn jcs_less(a: &str, b: &str) -> bool {
        if a.bytes().chain(b.bytes()).all(|byte| byte < 0xee) {
            a < b
        } else {
            a.encode_utf16().lt(b.encode_utf16())
        }
    }
}

#[cfg(test)]
pub(super) fn read_response(json: &str) -> Option<Response> {
    serde_json::from_str::<MapOnly<Response>>(json).ok().map(|r| r.0)
}
