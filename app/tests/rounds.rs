//! Browser tests of round verification on the tablet (wasm-bindgen-test, headless Chromium):
//! the organiser's signature is checked by WebCrypto Ed25519, and the result agrees with
//! survey-core's own verifier on the committed example round and its rejection fixtures.

#![cfg(target_arch = "wasm32")]

use survey_app::field::keys::verify_round;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EXAMPLE: &[u8] = include_bytes!("../../tests/fixtures/rounds/example/2026-q4-example.round.json");

/// Rejection fixtures whose reason comes before, at or just after the signature check.
const FIXTURES: &[(&str, &[u8])] = &[
    ("bad_signature", include_bytes!("../../tests/fixtures/rounds/bad_signature/round.json")),
    ("bad_signature", include_bytes!("../../tests/fixtures/rounds/bad_signature-payload-changed/round.json")),
    ("bad_signature", include_bytes!("../../tests/fixtures/rounds/bad_signature-other-key/round.json")),
    ("keyid_mismatch", include_bytes!("../../tests/fixtures/rounds/keyid_mismatch/round.json")),
    ("not_canonical", include_bytes!("../../tests/fixtures/rounds/not_canonical/round.json")),
    ("frame_hash_mismatch", include_bytes!("../../tests/fixtures/rounds/frame_hash_mismatch/round.json")),
    ("draw_mismatch", include_bytes!("../../tests/fixtures/rounds/draw_mismatch-drawn_households/round.json")),
];

#[wasm_bindgen_test]
async fn the_example_round_verifies_with_webcrypto() {
    let round = verify_round(EXAMPLE).await.expect("the example round verifies");
    assert_eq!(round.payload.id, "2026-q4-example");
    assert_eq!(round.payload.sampled_units().count(), 4);
}

#[wasm_bindgen_test]
async fn tampered_rounds_are_refused_with_their_reason() {
    for (expected, bytes) in FIXTURES {
        let err = verify_round(bytes).await.expect_err(expected);
        let codes: Vec<&str> = match &err {
            survey_core::round::verify::RoundError::Findings(findings) => findings.iter().map(|f| f.code).collect(),
            other => vec![other.code()],
        };
        assert!(codes.contains(expected), "expected {expected}, got {codes:?}");
    }
    // One flipped byte in the signature.
    let mut flipped = EXAMPLE.to_vec();
    let at = flipped.windows(7).rposition(|w| w == b"\"sig\":\"").expect("sig") + 10;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    assert_eq!(verify_round(&flipped).await.expect_err("flipped").code(), "bad_signature");
}
