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

/// A round for `devices`, built from a plan in memory and signed by `organiser` with WebCrypto.
async fn signed_round(id: &str, organiser: &web_sys::CryptoKeyPair, device_keyids: &[(String, String)]) -> String {
    use survey_core::round::{plan, verify::envelope_bytes, ROUND_PAYLOAD_TYPE};
    let devices: Vec<serde_json::Value> = device_keyids
        .iter()
        .map(|(key, keyid)| serde_json::json!({"key": key, "keyid": keyid, "evaluator": "", "team": ""}))
        .collect();
    let plan_json = serde_json::json!({
        "format": "plan/1", "id": id,
        "title": {"zh-CN": "测试轮次", "en": "Test round"},
        "period": {"from": "2026-12-01", "to": "2026-12-20"},
        "organiser": "县委组织部", "survey": "survey.json",
        "seed": "browser test seed", "seed_source": "browser test", "draw_units": null,
        "defaults": {"n": 2, "attempts_before_substitute": 3, "off_sample": false},
        "units": [{"id": "yunling_qingxi", "frame": "frame.csv"}],
        "devices": devices,
        "assignments": [{"unit": "yunling_qingxi", "device": device_keyids[0].1}],
    });
    let parsed = plan::Plan::parse("plan.json", plan_json.to_string().as_bytes()).expect("plan");
    let public = survey_app::field::keys::public_key_bytes(organiser).await.expect("public");
    let files = |name: &str| match name {
        "survey.json" => Ok(SURVEY.as_bytes().to_vec()),
        "frame.csv" => Ok(FRAME.as_bytes().to_vec()),
        other => Err(format!("no file {other}")),
    };
    let key: [u8; 32] = public.clone().try_into().expect("32 bytes");
    let payload = plan::build("plan.json", &parsed, &files, &key).expect("build").to_canonical_bytes();
    let message = survey_core::bundle::pae(ROUND_PAYLOAD_TYPE, &payload);
    let signature = survey_app::field::keys::sign(organiser, &message).await.expect("sign");
    String::from_utf8(envelope_bytes(&payload, &public, &signature)).expect("utf-8")
}

const SURVEY: &str = include_str!("../../survey-schemas/party-building-satisfaction.json");
const FRAME: &str = include_str!("../../tests/fixtures/rounds/example/frames/yunling_qingxi.csv");

/// The first organiser key is pinned; a round of another key waits for the evaluator and is
/// stored only when accepted, which pins the new key; a round that does not enrol the tablet
/// changes nothing. Against the real IndexedDB.
#[wasm_bindgen_test]
async fn the_first_organiser_key_is_pinned_and_a_new_one_needs_consent() {
    use base64::Engine as _;
    use survey_app::field::fieldwork::{import_round, RoundNote};
    use survey_app::field::keys;
    use survey_app::field::state::Action;
    use survey_app::field::store::{Store, ORGANISER_PIN_KEY};

    let name = format!("test-pins-{}", js_sys::Math::random());
    let store = Store::open_named(&name).await.expect("open");
    let device = keys::generate().await.expect("device key");
    store.put_device_key(&device).await.expect("keep device key");
    let device_public = keys::public_key_bytes(&device).await.expect("public");
    let me =
        (base64::engine::general_purpose::STANDARD.encode(&device_public), survey_core::bundle::keyid(&device_public));
    let (first, second) = (keys::generate().await.expect("key"), keys::generate().await.expect("key"));
    let first_id = survey_core::bundle::keyid(&keys::public_key_bytes(&first).await.expect("public"));
    let second_id = survey_core::bundle::keyid(&keys::public_key_bytes(&second).await.expect("public"));

    let round_a = signed_round("pin-a", &first, std::slice::from_ref(&me)).await;
    match import_round(&store, "a.round.json".into(), round_a.clone(), false).await {
        Ok(Action::RoundImported { note: RoundNote::Added { pinned_now: true, .. }, pin, .. }) => {
            assert_eq!(pin, first_id)
        }
        other => panic!("the first round is imported and pins its key: {other:?}"),
    }
    assert_eq!(store.meta::<String>(ORGANISER_PIN_KEY).await.expect("pin"), Some(first_id.clone()));
    assert!(matches!(
        import_round(&store, "a.round.json".into(), round_a, false).await,
        Ok(Action::RoundNoted(RoundNote::AlreadyHere { .. }))
    ));

    let round_b = signed_round("pin-b", &second, std::slice::from_ref(&me)).await;
    match import_round(&store, "b.round.json".into(), round_b.clone(), false).await {
        Ok(Action::RoundNeedsKey(pending)) => {
            assert_eq!((pending.pinned.as_str(), pending.offered.as_str()), (first_id.as_str(), second_id.as_str()))
        }
        other => panic!("another key waits for consent: {other:?}"),
    }
    assert_eq!(store.rounds().await.expect("rounds").len(), 1, "nothing stored before consent");
    assert_eq!(store.meta::<String>(ORGANISER_PIN_KEY).await.expect("pin"), Some(first_id.clone()));
    assert!(matches!(
        import_round(&store, "b.round.json".into(), round_b, true).await,
        Ok(Action::RoundImported { note: RoundNote::Added { pinned_now: true, .. }, .. })
    ));
    assert_eq!(store.rounds().await.expect("rounds").len(), 2);
    assert_eq!(store.meta::<String>(ORGANISER_PIN_KEY).await.expect("pin"), Some(second_id.clone()));

    // Not enrolled: a sound round for another device changes nothing.
    let stranger = keys::generate().await.expect("key");
    let stranger_public = keys::public_key_bytes(&stranger).await.expect("public");
    let other_device = (
        base64::engine::general_purpose::STANDARD.encode(&stranger_public),
        survey_core::bundle::keyid(&stranger_public),
    );
    let round_c = signed_round("pin-c", &second, &[other_device]).await;
    assert!(matches!(
        import_round(&store, "c.round.json".into(), round_c, false).await,
        Ok(Action::RoundNoted(RoundNote::NotEnrolled { .. }))
    ));
    assert_eq!(store.rounds().await.expect("rounds").len(), 2);
    store.close();
}
