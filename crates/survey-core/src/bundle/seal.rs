//! age encryption of a bundle file to the department's X25519 recipients (feature `seal`).
//!
//! The tablet encrypts every bundle a survey sends to named recipients, and the file must open
//! with the standard `age -d` and with `survey verify --identity` (which use the `age` crate).
//! Only the encrypting half of the format is written here, from the age v1 specification
//! (C2SP `age.md`): the `age` crate's encryptor carries its own localisation runtime (fluent and
//! its translations), a large part of the field wasm, for error messages a tablet never shows.
//! The primitives are the same crates `age` uses: x25519-dalek, ChaCha20-Poly1305, HKDF and
//! HMAC over SHA-256. Randomness comes in as an argument, as everything else in this crate.
//!
//! The file is:
//!
//! ```text
//! age-encryption.org/v1
//! -> X25519 <ephemeral share, base64>
//! <file key wrapped for that recipient, base64>
//! ...one stanza per recipient...
//! --- <HMAC-SHA-256 of the header up to and including "---", base64>
//! <16-byte payload nonce><payload in 64 KiB ChaCha20-Poly1305 STREAM chunks>
//! ```

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const INTRO: &str = "age-encryption.org/v1\n";
const X25519_INFO: &[u8] = b"age-encryption.org/v1/X25519";
const CHUNK: usize = 64 * 1024;

/// Why a file could not be sealed. Only a malformed recipient can cause it in practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealError {
    /// A recipient is not an `age1...` X25519 recipient; carries the text and the reason.
    Recipient(String, &'static str),
    /// The survey names no recipient.
    NoRecipient,
    /// A recipient is a low-order point: the shared secret would be zero.
    WeakRecipient(String),
}

impl std::fmt::Display for SealError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Recipient(text, why) => write!(f, "recipient {text}: {why}"),
            Self::NoRecipient => f.write_str("no recipient to encrypt to"),
            Self::WeakRecipient(text) => write!(f, "recipient {text}: not a usable X25519 key"),
        }
    }
}

/// Parses an X25519 recipient: Bech32 (not Bech32m), human-readable part `age`, 32 bytes.
pub fn parse_recipient(text: &str) -> Result<[u8; 32], SealError> {
    use bech32::FromBase32 as _;
    let bad = |why| SealError::Recipient(text.to_owned(), why);
    let (hrp, data, variant) = bech32::decode(text).map_err(|_| bad("not valid Bech32"))?;
    if hrp != "age" {
        return Err(bad("not an age1... X25519 recipient"));
    }
    if variant != bech32::Variant::Bech32 {
        return Err(bad("Bech32m is not used by age recipients"));
    }
    let bytes = Vec::<u8>::from_base32(&data).map_err(|_| bad("not valid Bech32"))?;
    bytes.try_into().map_err(|_| bad("not 32 bytes long"))
}

fn hkdf32(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // 32 bytes is far below HKDF-SHA-256's limit (255 * 32), so expand cannot fail.
    Hkdf::<Sha256>::new(Some(salt), ikm).expand(info, &mut out).unwrap_or_default();
    out
}

fn aead(key: &[u8; 32]) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new(Key::from_slice(key))
}

/// Encrypts `plain` to every recipient. `random` fills a buffer with cryptographically secure
/// random bytes; it is asked for the 16-byte file key, a 32-byte ephemeral secret per recipient
/// and the 16-byte payload nonce, in that order.
pub fn seal(plain: &[u8], recipients: &[String], random: &mut dyn FnMut(&mut [u8])) -> Result<Vec<u8>, SealError> {
    let keys: Vec<[u8; 32]> = recipients.iter().map(|r| parse_recipient(r)).collect::<Result<_, _>>()?;
    if keys.is_empty() {
        return Err(SealError::NoRecipient);
    }
    let mut file_key = [0u8; 16];
    random(&mut file_key);

    let mut header = String::from(INTRO);
    for (text, recipient) in recipients.iter().zip(&keys) {
        let mut secret = [0u8; 32];
        random(&mut secret);
        let secret = x25519_dalek::StaticSecret::from(secret);
        let share = x25519_dalek::PublicKey::from(&secret);
        let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(*recipient));
        if !shared.was_contributory() {
            return Err(SealError::WeakRecipient(text.clone()));
        }
        let mut salt = [0u8; 64];
        salt[..32].copy_from_slice(share.as_bytes());
        salt[32..].copy_from_slice(recipient);
        let wrap_key = hkdf32(&salt, shared.as_bytes(), X25519_INFO);
        // A 16-byte message under a fresh key with a zero nonce, as the format specifies.
        let body = aead(&wrap_key).encrypt(&Nonce::default(), file_key.as_slice()).unwrap_or_default();
        header.push_str("-> X25519 ");
        header.push_str(&STANDARD_NO_PAD.encode(share.as_bytes()));
        header.push('\n');
        push_wrapped(&mut header, &STANDARD_NO_PAD.encode(body));
    }
    header.push_str("---");
    let mac_key = hkdf32(&[], &file_key, b"header");
    // HMAC takes a key of any length, so new_from_slice cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&mac_key).map_err(|_| SealError::NoRecipient)?;
    mac.update(header.as_bytes());
    header.push(' ');
    header.push_str(&STANDARD_NO_PAD.encode(mac.finalize().into_bytes()));
    header.push('\n');

    let mut nonce = [0u8; 16];
    random(&mut nonce);
    let payload = aead(&hkdf32(&nonce, &file_key, b"payload"));
    let chunks = plain.len().div_ceil(CHUNK).max(1);
    let mut out = Vec::with_capacity(header.len() + 16 + plain.len() + chunks * 16);
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&nonce);
    for index in 0..chunks {
        let part = &plain[(index * CHUNK).min(plain.len())..((index + 1) * CHUNK).min(plain.len())];
        let mut chunk_nonce = [0u8; 12];
        chunk_nonce[3..11].copy_from_slice(&(index as u64).to_be_bytes());
        chunk_nonce[11] = u8::from(index + 1 == chunks);
        out.extend_from_slice(&payload.encrypt(Nonce::from_slice(&chunk_nonce), part).unwrap_or_default());
    }
    Ok(out)
}

/// Appends a stanza body: lines of 64 columns, the last one always shorter (possibly empty).
fn push_wrapped(header: &mut String, body: &str) {
    let mut rest = body;
    loop {
        let (line, tail) = rest.split_at(rest.len().min(64));
        header.push_str(line);
        header.push('\n');
        if line.len() < 64 {
            break;
        }
        rest = tail;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;
    use std::str::FromStr as _;

    fn counter_random() -> impl FnMut(&mut [u8]) {
        let mut next = 7u8;
        move |buf: &mut [u8]| {
            for byte in buf {
                next = next.wrapping_mul(31).wrapping_add(17);
                *byte = next;
            }
        }
    }

    fn identity(seed: u8) -> age::x25519::Identity {
        // A Bech32 secret key from fixed bytes, so the test needs no random source.
        use bech32::ToBase32 as _;
        let text = bech32::encode("age-secret-key-", [seed; 32].to_base32(), bech32::Variant::Bech32)
            .map(|s| s.to_uppercase())
            .unwrap_or_default();
        age::x25519::Identity::from_str(&text).unwrap_or_else(|err| panic!("identity: {err}"))
    }

    fn open(file: &[u8], with: &age::x25519::Identity) -> Result<Vec<u8>, String> {
        let decryptor = age::Decryptor::new(file).map_err(|e| e.to_string())?;
        let mut reader = decryptor.decrypt(std::iter::once(with as &dyn age::Identity)).map_err(|e| e.to_string())?;
        let mut plain = Vec::new();
        reader.read_to_end(&mut plain).map_err(|e| e.to_string())?;
        Ok(plain)
    }

    #[test]
    fn the_age_crate_opens_what_seal_writes_at_every_chunk_boundary() {
        let first = identity(1);
        let second = identity(2);
        let recipients = vec![first.to_public().to_string(), second.to_public().to_string()];
        for len in [0, 1, 100, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5] {
            let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let file = seal(&plain, &recipients, &mut counter_random()).unwrap_or_default();
            assert_eq!(open(&file, &first).as_deref(), Ok(plain.as_slice()), "length {len}, first identity");
            assert_eq!(open(&file, &second).as_deref(), Ok(plain.as_slice()), "length {len}, second identity");
            assert!(open(&file, &identity(3)).is_err(), "length {len}: a third identity must not open it");
        }
    }

    #[test]
    fn a_changed_byte_anywhere_is_refused_by_the_age_crate() {
        let me = identity(9);
        let plain = b"{\"payload\":\"x\"}".repeat(50);
        let file = seal(&plain, &[me.to_public().to_string()], &mut counter_random()).unwrap_or_default();
        for at in (0..file.len()).step_by(7) {
            let mut bad = file.clone();
            bad[at] ^= 0x01;
            assert!(open(&bad, &me).map(|p| p != plain).unwrap_or(true), "flip at {at} went unnoticed");
        }
        assert!(open(&file[..file.len() - 1], &me).is_err(), "a truncated file must not open");
    }

    #[test]
    fn recipients_are_checked_before_anything_is_written() {
        let good = identity(4).to_public().to_string();
        let cases = [
            ("age1qqqq", "not valid Bech32"),
            ("AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ", "not valid Bech32"),
            ("npub1xyz", "not valid Bech32"),
        ];
        for (text, _) in cases {
            let err = seal(b"x", &[good.clone(), text.to_owned()], &mut counter_random()).err();
            assert!(matches!(err, Some(SealError::Recipient(ref t, _)) if t == text), "{text}: {err:?}");
        }
        // Valid Bech32 with another prefix.
        use bech32::ToBase32 as _;
        let other = bech32::encode("agx", [5u8; 32].to_base32(), bech32::Variant::Bech32).unwrap_or_default();
        assert_eq!(
            parse_recipient(&other),
            Err(SealError::Recipient(other.clone(), "not an age1... X25519 recipient"))
        );
        let short = bech32::encode("age", [5u8; 31].to_base32(), bech32::Variant::Bech32).unwrap_or_default();
        assert_eq!(parse_recipient(&short), Err(SealError::Recipient(short.clone(), "not 32 bytes long")));
        let m = bech32::encode("age", [5u8; 32].to_base32(), bech32::Variant::Bech32m).unwrap_or_default();
        assert!(matches!(parse_recipient(&m), Err(SealError::Recipient(_, "Bech32m is not used by age recipients"))));
        assert_eq!(seal(b"x", &[], &mut counter_random()), Err(SealError::NoRecipient));
        // The all-zero point gives a zero shared secret: refused, as age refuses it.
        let zero = bech32::encode("age", [0u8; 32].to_base32(), bech32::Variant::Bech32).unwrap_or_default();
        assert_eq!(seal(b"x", std::slice::from_ref(&zero), &mut counter_random()), Err(SealError::WeakRecipient(zero)));
    }

    #[test]
    fn stanza_bodies_wrap_at_64_columns_with_a_short_last_line() {
        let mut out = String::new();
        push_wrapped(&mut out, &"a".repeat(43));
        assert_eq!(out, format!("{}\n", "a".repeat(43)));
        out.clear();
        push_wrapped(&mut out, &"b".repeat(64));
        assert_eq!(out, format!("{}\n\n", "b".repeat(64)));
        out.clear();
        push_wrapped(&mut out, &"c".repeat(70));
        assert_eq!(out, format!("{}\n{}\n", "c".repeat(64), "c".repeat(6)));
    }
}
