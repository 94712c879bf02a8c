//! Scoring tests as data: every folder under `test_data/score/` holds a `survey.json`, a
//! `responses.json` (an array of exported responses) and `expected.json`, the report
//! `survey_core::analysis::score::score` must produce. Set `UPDATE_EXPECT=1` to rewrite the expectations
//! after a deliberate change, then review the diff. Numbers are compared to 1e-9, not textually,
//! so a harmless change in the last bits of a float does not churn every fixture.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use survey_core::analysis::score::{score, Report};
use survey_core::bundle::ExportedResponse;
use survey_core::load_survey;

fn fixture_dirs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/score");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixtures in {}", dir.display());
    dirs
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

/// The first place where `actual` and `expected` differ, as a JSON path and both values.
fn difference(actual: &Value, expected: &Value, path: &str) -> Option<String> {
    match (actual, expected) {
        (Value::Number(a), Value::Number(e)) => {
            let (a, e) = (a.as_f64().unwrap_or(f64::NAN), e.as_f64().unwrap_or(f64::NAN));
            let same = (a - e).abs() <= 1e-9 * e.abs().max(1.0);
            (!same).then(|| format!("{path}: {a} != expected {e}"))
        }
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => {
            a.iter().zip(e).enumerate().find_map(|(i, (a, e))| difference(a, e, &format!("{path}[{i}]")))
        }
        (Value::Object(a), Value::Object(e)) if a.keys().eq(e.keys()) => {
            a.iter().zip(e.values()).find_map(|((key, a), e)| difference(a, e, &format!("{path}.{key}")))
        }
        _ => (actual != expected).then(|| format!("{path}: {actual} != expected {expected}")),
    }
}

#[test]
fn score_fixtures_match_their_expected_reports() {
    for dir in fixture_dirs() {
        let loaded = load_survey(&read(&dir.join("survey.json")));
        assert!(!loaded.has_errors(), "{}: {:#?}", dir.display(), loaded.diagnostics);
        let survey = loaded.survey.expect("a survey without errors");
        let responses: Vec<ExportedResponse> = serde_json::from_str(&read(&dir.join("responses.json")))
            .unwrap_or_else(|err| panic!("{}/responses.json: {err}", dir.display()));

        let report = score(&survey, &responses);
        let actual = serde_json::to_value(&report).expect("a report serialises");
        let expected_path = dir.join("expected.json");
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            let text = serde_json::to_string_pretty(&actual).expect("pretty JSON") + "\n";
            fs::write(&expected_path, text).expect("write expectation");
            continue;
        }
        let expected: Value = serde_json::from_str(&read(&expected_path))
            .unwrap_or_else(|err| panic!("{}: {err}; run with UPDATE_EXPECT=1", expected_path.display()));
        if let Some(diff) = difference(&actual, &expected, "$") {
            panic!("report of {} changed (UPDATE_EXPECT=1 to accept): {diff}", dir.display());
        }
        // A kept report (a previous round's) reads back into the report type.
        let read: Report = serde_json::from_value(expected)
            .unwrap_or_else(|err| panic!("{}: not a report: {err}", expected_path.display()));
        assert_eq!(read.units.len(), report.units.len(), "{}", expected_path.display());
    }
}

/// The same fixtures scored with the responses reversed give the same report: merging bundles
/// in another order must not move a single number.
#[test]
fn score_fixtures_do_not_depend_on_response_order() {
    for dir in fixture_dirs() {
        let survey = load_survey(&read(&dir.join("survey.json"))).survey.expect("valid survey");
        let mut responses: Vec<ExportedResponse> =
            serde_json::from_str(&read(&dir.join("responses.json"))).expect("responses parse");
        let forward = score(&survey, &responses);
        responses.reverse();
        assert_eq!(forward, score(&survey, &responses), "{}", dir.display());
    }
}
