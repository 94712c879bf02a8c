//! Round files made outside Rust: `tests/fixtures/rounds/` holds the example round (built by
//! `survey round build` from inputs written by `tests/rounds/make_example.py`) and one folder per
//! rejection reason, written by `tests/rounds/make_fixtures.py` from `docs/round-format.md`
//! alone. survey-core's verifier must accept the example, refuse every other folder's
//! `round.json` with the code in its `expected.txt` (for a content finding: among the findings),
//! and accept no single-byte change of the example.

use std::fs;
use std::path::{Path, PathBuf};
use survey_core::round::verify::{verify_round, RoundError};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/rounds")
}

fn example() -> Vec<u8> {
    let path = fixtures_dir().join("example/2026-q4-example.round.json");
    fs::read(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

/// The codes a rejection names: the reason, or every finding's code.
fn codes(err: &RoundError) -> Vec<&'static str> {
    match err {
        RoundError::Findings(findings) => findings.iter().map(|finding| finding.code).collect(),
        other => vec![other.code()],
    }
}

#[test]
fn the_example_round_verifies() {
    let round = verify_round(&example()).unwrap_or_else(|err| panic!("{err}: {:?}", codes(&err)));
    assert_eq!(round.payload.id, "2026-q4-example");
    assert_eq!(round.payload.sampled_units().count(), 4);
    assert!(round.payload.units.iter().all(|unit| unit.households.len() >= 60 && unit.households.len() <= 300));
}

#[test]
fn one_leading_byte_order_mark_is_removed_and_a_second_is_not() {
    let plain = verify_round(&example()).expect("the example verifies");
    let with_bom = [b"\xef\xbb\xbf".as_slice(), &example()].concat();
    let round = verify_round(&with_bom).unwrap_or_else(|err| panic!("{err}: {:?}", codes(&err)));
    assert_eq!(round.payload, plain.payload, "the same payload");
    assert_eq!(round.keyid, plain.keyid);
    let two = [b"\xef\xbb\xbf\xef\xbb\xbf".as_slice(), &example()].concat();
    let err = verify_round(&two).expect_err("a second mark is not removed");
    assert_eq!(codes(&err), ["malformed"], "{err}");
}

#[test]
fn every_rejection_fixture_is_refused_with_its_reason() {
    let mut cases: Vec<PathBuf> = fs::read_dir(fixtures_dir())
        .expect("round fixtures")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.join("expected.txt").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "expected the rejection fixtures, found {}", cases.len());
    for case in cases {
        let expected = fs::read_to_string(case.join("expected.txt")).expect("expected.txt").trim().to_owned();
        let bytes = fs::read(case.join("round.json")).expect("round.json");
        let result = verify_round(&bytes);
        if expected == "unknown_organiser" {
            // Sound in itself; refused only against the announced key (the CLI's --organiser).
            let announced = fs::read_to_string(case.join("organiser.txt")).expect("organiser.txt");
            let round = result.unwrap_or_else(|err| panic!("{}: {err}", case.display()));
            assert_ne!(round.keyid, announced.trim(), "{}", case.display());
            continue;
        }
        let err = match result {
            Ok(_) => panic!("{}: accepted, expected {expected}", case.display()),
            Err(err) => err,
        };
        assert!(
            codes(&err).contains(&expected.as_str()),
            "{}: expected {expected}, got {:?} ({err})",
            case.display(),
            codes(&err)
        );
    }
}

#[test]
fn no_single_byte_change_of_the_example_is_accepted() {
    let original = example();
    // Every byte outside the long base64 payload, and a stride through it (each payload byte
    // changed re-decodes a different payload, so the signature fails the same way).
    let payload_start = original.windows(11).position(|w| w == b"\"payload\":\"").map_or(0, |p| p + 11);
    let payload_end = payload_start + original[payload_start..].iter().position(|&b| b == b'"').unwrap_or(0);
    let mut positions: Vec<(usize, &[u8])> = (0..original.len())
        .filter(|&i| i < payload_start + 32 || i >= payload_end - 32)
        .map(|i| (i, &[0x01u8, 0x20, 0x80][..]))
        .collect();
    positions.extend((payload_start..payload_end).step_by(211).map(|i| (i, &[0x01u8][..])));
    for (position, flips) in positions {
        for &flip in flips {
            let mut changed = original.clone();
            changed[position] ^= flip;
            assert!(verify_round(&changed).is_err(), "a change of byte {position} (xor {flip:#x}) was accepted");
        }
    }
}
