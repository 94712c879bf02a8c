//! Canonical JSON (RFC 8785, JCS) and the SHA-256 hashes taken over it.
//!
//! Fingerprints are computed over the document as given, parsed to a JSON value, never over a
//! re-encoding of the Rust model: the model may grow fields, the fingerprint of a file must not move.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// RFC 8785 canonical bytes of a JSON value (sorted keys, no whitespace, ECMAScript numbers).
/// The bytes of a file without one leading UTF-8 byte-order mark, which Notepad and Excel write
/// at the start of files they save: inputs people edit by hand are read with or without it.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// A text without one leading byte-order mark (see [`without_bom`]).
pub fn text_without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

pub fn canonical_json(value: &Value) -> Vec<u8> {
    // Serialising an in-memory `Value` has no failure path: its numbers are finite and its keys
    // are strings. An empty output would still hash deterministically, so no panic is needed.
    serde_json_canonicalizer::to_vec(value).unwrap_or_default()
}

/// Lowercase hex SHA-256 of the canonical JSON of `value`.
pub fn sha256_canonical_hex(value: &Value) -> String {
    hex(&Sha256::digest(canonical_json(value)))
}

/// Appends `text` as a JSON string in RFC 8785 form: only `"`, `\` and the control characters
/// are escaped, with the short escapes where JSON has one and `\u00xx` (lowercase) otherwise.
/// This is what `canonical_json` writes for a string (ECMAScript `JSON.stringify`).
#[cfg(feature = "verify")]
pub(crate) fn push_str(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (idx, &byte) in bytes.iter().enumerate() {
        let short: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0a => b"\\n",
            0x0c => b"\\f",
            0x0d => b"\\r",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..idx]);
        if short.is_empty() {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]);
        } else {
            out.extend_from_slice(short);
        }
        start = idx + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The largest integer magnitude a double holds exactly (2^53): canonical JSON numbers are
/// doubles, so only integers within ±2^53 have one canonical form that reads back the same.
#[cfg(feature = "verify")]
pub(crate) const MAX_EXACT_INTEGER: u64 = 1 << 53;

/// Appends an integer of magnitude at most 2^53 in RFC 8785 form (ECMAScript prints such an
/// integer as its plain decimal digits). Returns `None`, writing nothing, for a larger one.
#[cfg(feature = "verify")]
pub(crate) fn push_int(out: &mut Vec<u8>, value: i64) -> Option<()> {
    if value.unsigned_abs() > MAX_EXACT_INTEGER {
        return None;
    }
    if value < 0 {
        out.push(b'-');
    }
    // Two digits at a time: a 13-digit timestamp is the usual integer here.
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut digits = [0u8; 20];
    let mut rest = value.unsigned_abs();
    let mut at = digits.len();
    while rest >= 100 {
        let pair = (rest % 100) as usize * 2;
        rest /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if rest >= 10 {
        let pair = rest as usize * 2;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        digits[at] = b'0' + rest as u8;
    }
    out.extend_from_slice(&digits[at..]);
    Some(())
}

/// Appends a finite number in RFC 8785 form (ECMAScript number formatting), exactly as
/// `canonical_json` writes it. Returns `None` for NaN or an infinity, which JSON cannot hold.
#[cfg(feature = "verify")]
pub(crate) fn push_f64(out: &mut Vec<u8>, value: f64) -> Option<()> {
    if !value.is_finite() {
        return None;
    }
    out.extend_from_slice(&serde_json_canonicalizer::to_vec(&value).ok()?);
    Some(())
}

/// Calls `each` on the entries of a map with string keys in RFC 8785 order: keys compared by
/// UTF-16 code units. That is the order of a `BTreeMap<String, _>` (UTF-8 bytes, i.e. code
/// points) unless a key holds a character at or above U+E000: a supplementary character (a
/// surrogate pair, D800–DBFF first) sorts before U+E000–U+FFFF in UTF-16 but after them in UTF-8.
/// Stops at, and returns, the first `None`.
#[cfg(feature = "verify")]
pub(crate) fn for_each_jcs_entry<V>(
    map: &std::collections::BTreeMap<String, V>,
    mut each: impl FnMut(&str, &V) -> Option<()>,
) -> Option<()> {
    // UTF-8 lead bytes 0xEE and above start the characters U+E000 and up.
    if map.keys().any(|key| key.bytes().any(|b| b >= 0xee)) {
        let mut entries: Vec<(&String, &V)> = map.iter().collect();
        entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
        entries.into_iter().try_for_each(|(key, value)| each(key, value))
    } else {
        map.iter().try_for_each(|(key, value)| each(key, value))
    }
}

/// The survey fingerprint: lowercase hex SHA-256 over the RFC 8785 form of the definition.
pub fn fingerprint(definition: &Value) -> String {
    sha256_canonical_hex(definition)
}

/// The short form people compare by eye: the first 8 bytes in hex, in groups of 4 digits
/// (`3f2a 9c01 77be 0d42`). Accepts a full hex fingerprint.
pub fn short_fingerprint(full_hex: &str) -> String {
    let head: Vec<char> = full_hex.chars().take(16).collect();
    head.chunks(4).map(|chunk| chunk.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_leading_byte_order_mark_is_not_part_of_a_file() {
        assert_eq!(without_bom(b"\xef\xbb\xbf{}"), b"{}");
        assert_eq!(without_bom(b"{}"), b"{}");
        // Only one, and only at the start.
        assert_eq!(without_bom(b"\xef\xbb\xbf\xef\xbb\xbf{}"), b"\xef\xbb\xbf{}");
        assert_eq!(text_without_bom("\u{feff}a\u{feff}"), "a\u{feff}");
        // A survey saved by Notepad loads, with the fingerprint of the same file without the mark.
        let text = include_str!("../../../survey-schemas/openness-of-affairs.json");
        let plain = crate::load_survey(text);
        let marked = crate::load_survey(&format!("\u{feff}{text}"));
        assert!(marked.survey.is_some());
        assert_eq!(marked.fingerprint, plain.fingerprint);
        // So does a roster.
        let roster = include_bytes!("../../../tests/fixtures/department/roster.json");
        assert!(crate::bundle::Roster::parse(roster).is_ok());
        let mut with_mark = b"\xef\xbb\xbf".to_vec();
        with_mark.extend_from_slice(roster);
        assert_eq!(
            crate::bundle::Roster::parse(&with_mark).map(|r| r.devices.len()),
            crate::bundle::Roster::parse(roster).map(|r| r.devices.len())
        );
    }

    #[test]
    fn canonical_form_sorts_keys_and_drops_whitespace() {
        let value: Value = serde_json::from_str(r#"{ "b": [1, 2.50, 1e3], "a": "é\u0001" }"#).unwrap();
        assert_eq!(String::from_utf8(canonical_json(&value)).unwrap(), "{\"a\":\"é\\u0001\",\"b\":[1,2.5,1000]}");
    }

    #[test]
    fn keys_sort_by_utf16_code_units() {
        // RFC 8785 section 3.2.3 sorts by UTF-16 code units: U+1F600 is the surrogate pair
        // D83D DE00, which sorts before U+E000; a UTF-8 byte sort would put U+E000 first.
        let value = json!({"\u{e000}": 1, "\u{1f600}": 2});
        assert_eq!(String::from_utf8(canonical_json(&value)).unwrap(), "{\"\u{1f600}\":2,\"\u{e000}\":1}");
    }

    #[test]
    fn fingerprint_ignores_key_order_and_whitespace() {
        let a: Value = serde_json::from_str(r#"{"x":1,"y":[true,null]}"#).unwrap();
        let b: Value = serde_json::from_str("{\n  \"y\": [ true, null ],\n  \"x\": 1.0\n}").unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        // SHA-256 of the 20 bytes {"x":1,"y":[true,null]}, computed independently.
        assert_eq!(fingerprint(&a), hex(&Sha256::digest(br#"{"x":1,"y":[true,null]}"#)));
    }

    #[cfg(feature = "verify")]
    #[test]
    fn push_int_writes_what_the_canonicalizer_writes() {
        let exact = MAX_EXACT_INTEGER as i64;
        let mut values = vec![0, 1, -1, 9, 10, 99, 100, 101, 999, 1000, -1000, 1_700_000_000_500, exact, -exact];
        values.extend((0..64).map(|shift| (1i64 << shift.min(53)) - 1));
        values.extend((0..16).map(|power| 10i64.pow(power)));
        for value in values {
            let mut out = Vec::new();
            assert_eq!(push_int(&mut out, value), Some(()));
            assert_eq!(out, canonical_json(&json!(value)), "{value}");
        }
        assert_eq!(push_int(&mut Vec::new(), exact + 1), None);
        assert_eq!(push_int(&mut Vec::new(), i64::MIN), None);
    }

    #[cfg(feature = "verify")]
    #[test]
    fn push_str_escapes_like_the_canonicalizer() {
        let every_ascii: String = (0u8..128).map(char::from).collect();
        for text in [every_ascii.as_str(), "", "é李\u{2028}\u{7f}😀\u{e000}", "\"\\/"] {
            let mut out = Vec::new();
            push_str(&mut out, text);
            assert_eq!(out, canonical_json(&json!(text)), "{text:?}");
        }
    }

    #[test]
    fn short_fingerprint_groups_first_eight_bytes() {
        assert_eq!(short_fingerprint("3f2a9c0177be0d42ffff"), "3f2a 9c01 77be 0d42");
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }
}
