//! Runs the real `survey` binary against the definition fixtures of survey-core.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../survey-core/test_data/schema").join(rel)
}

fn survey(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_survey")).args(args).output().expect("run survey")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn clean_file_exits_zero() {
    let file = fixture("ok/minimal.json");
    let output = survey(&["check".as_ref(), file.as_os_str()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(stdout(&output).contains(": ok (fingerprint "), "{}", stdout(&output));
}

#[test]
fn errors_are_printed_per_line_with_file_and_path_and_exit_one() {
    let file = fixture("err/empty-choices.json");
    let output = survey(&["check".as_ref(), file.as_os_str()]);
    assert_eq!(output.status.code(), Some(1));
    let expected = format!("{}: sections[1].questions[5].choices: empty\n", file.display());
    assert_eq!(stdout(&output), expected);
}

#[test]
fn unreadable_input_exits_two_even_beside_bad_files() {
    let bad = fixture("err/empty-choices.json");
    let missing = fixture("ok/does-not-exist.json");
    let output = survey(&["check".as_ref(), bad.as_os_str(), missing.as_os_str()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does-not-exist.json: cannot read"));
    // The readable file is still reported.
    assert!(stdout(&output).contains("choices: empty"));
}

#[test]
fn json_output_is_machine_readable() {
    let ok = fixture("ok/minimal.json");
    let bad = fixture("err/duplicate-ids.json");
    let output = survey(&["check".as_ref(), "--json".as_ref(), ok.as_os_str(), bad.as_os_str()]);
    assert_eq!(output.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(reports[0]["ok"], true);
    assert_eq!(reports[1]["ok"], false);
    let codes: Vec<&str> =
        reports[1]["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.contains(&"id.duplicate"), "{codes:?}");
    assert!(reports[0]["fingerprint"].as_str().is_some_and(|f| f.len() == 64));
}

#[test]
fn bad_usage_exits_two() {
    assert_eq!(survey(&[]).status.code(), Some(2));
    assert_eq!(survey(&["check".as_ref()]).status.code(), Some(2));
    assert_eq!(survey(&["check".as_ref(), "--bogus".as_ref()]).status.code(), Some(2));
    assert_eq!(survey(&["frobnicate".as_ref()]).status.code(), Some(2));
}
