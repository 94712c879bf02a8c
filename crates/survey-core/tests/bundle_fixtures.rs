//! Result bundles made outside Rust: `tests/fixtures/bundles/` is written by
//! `tests/bundles/make_fixtures.py` from `docs/bundle-format.md` alone (and checked there by an
//! independent Python verifier). Here survey-core's verifier must agree: every bundle in `valid/`
//! verifies with `valid/roster.json`, every other folder's `bundle.json` fails with the code in
//! its `expected.txt` (using the folder's own `roster.json` when it has one), and no single-byte
//! change to a valid bundle is accepted.

use std::fs;
use std::path::{Path, PathBuf};
use survey_core::bundle::{verify, Roster};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/bundles")
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

fn roster(path: &Path) -> Roster {
    Roster::parse(&read(path)).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn valid_roster() -> Roster {
    roster(&fixtures_dir().join("valid/roster.json"))
}

#[test]
fn every_valid_fixture_verifies() {
    let dir = fixtures_dir().join("valid");
    let roster = valid_roster();
    let mut bundles: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.to_string_lossy().ends_with(".bundle.json"))
        .collect();
    bundles.sort();
    assert!(bundles.len() >= 3, "expected the valid bundles in {}", dir.display());
    for path in &bundles {
        let verified =
            verify(&read(path), &roster).unwrap_or_else(|err| panic!("{}: {} ({err})", path.display(), err.code()));
        assert_eq!(verified.device.evaluator, "李明", "{}", path.display());
    }
    let count = |name: &str| verify(&read(&dir.join(name)), &roster).map(|v| v.responses.len()).ok();
    assert_eq!(count("two-responses.bundle.json"), Some(2));
    assert_eq!(count("empty.bundle.json"), Some(0));
    assert_eq!(count("gap.bundle.json"), Some(2));
}

#[test]
fn every_fault_fixture_fails_with_its_code() {
    let dir = fixtures_dir();
    let default_roster = valid_roster();
    let mut folders: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir() && path.file_name().is_some_and(|name| name != "valid"))
        .collect();
    folders.sort();
    assert!(folders.len() >= 16, "expected a folder per rejection reason in {}", dir.display());
    let mut failures = Vec::new();
    for folder in &folders {
        let expected = String::from_utf8(read(&folder.join("expected.txt"))).expect("UTF-8 expected.txt");
        let expected = expected.trim();
        let own = folder.join("roster.json");
        let roster = if own.exists() { roster(&own) } else { default_roster.clone() };
        match verify(&read(&folder.join("bundle.json")), &roster) {
            Ok(verified) => failures.push(format!(
                "{}: expected {expected}, but it verified ({} responses)",
                folder.display(),
                verified.responses.len()
            )),
            Err(err) if err.code() != expected => {
                failures.push(format!("{}: expected {expected}, got {}: {err}", folder.display(), err.code()))
            }
            Err(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fault fixtures wrong:\n{}",
        failures.len(),
        folders.len(),
        failures.join("\n")
    );
}

/// SplitMix64: a small deterministic PRNG, so the mutations are the same on every run.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[test]
fn no_single_byte_change_of_a_valid_bundle_verifies() {
    let roster = valid_roster();
    let original = read(&fixtures_dir().join("valid/two-responses.bundle.json"));
    assert!(verify(&original, &roster).is_ok());
    let mut rng = SplitMix64(0x5eed_b0d1_e5f0_0001);
    let mut accepted = Vec::new();
    let mut bytes = original.clone();
    for position in 0..original.len() {
        // XOR with 1..=255: always a different byte.
        let flip = (rng.next() % 255) as u8 + 1;
        bytes[position] = original[position] ^ flip;
        if verify(&bytes, &roster).is_ok() {
            accepted.push(format!("byte {position}: {:#04x} -> {:#04x}", original[position], bytes[position]));
        }
        bytes[position] = original[position];
    }
    assert!(accepted.is_empty(), "{} mutated bundles verified:\n{}", accepted.len(), accepted.join("\n"));
}
