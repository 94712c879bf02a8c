//! Canonical JSON (RFC 8785, JCS) and the SHA-256 hashes taken over it.
//!
//! Fingerprints are computed over the document as given, parsed to a JSON value, never over a
//! re-encoding of the Rust model: the model may grow fields, the fingerprint of a file must not move.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// RFC 8785 canonical bytes of a JSON value (sorted keys, no whitespace, ECMAScript numbers).
pub fn canonical_json(value: &Value) -> Vec<u8> {
    // Serialising an in-memory `Value` has no failure path: its numbers are finite and its keys
    // are strings. An empty output would still hash deterministically, so no panic is needed.
    serde_json_canonicalizer::to_vec(value).unwrap_or_default()
}

/// Lowercase hex SHA-256 of the canonical JSON of `value`.
pub fn sha256_canonical_hex(value: &Value) -> String {
    hex(&Sha256::digest(canonical_json(value)))
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

    #[test]
    fn short_fingerprint_groups_first_eight_bytes() {
        assert_eq!(short_fingerprint("3f2a9c0177be0d42ffff"), "3f2a 9c01 77be 0d42");
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }
}
