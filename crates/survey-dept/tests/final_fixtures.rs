//! The final-score fixtures of `test_data/final/` (written by
//! `tests/department/make_final_fixtures.py`, whose expectations come from the independent Python
//! reference `tests/department/final_reference.py`, written from `docs/scoring.md` alone): each
//! folder holds `stages.json`, `residents.json` and the lists; `expected.json` is the `final`
//! object to reproduce (numbers to 1e-9, everything else exactly), `errors.json` the problems
//! (file and place) a refused case must report.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use survey_dept::stages::{Residents, Stages};

const TOLERANCE: f64 = 1e-9;

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/final");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Differences between two JSON values, with their paths: integers exactly, other numbers to
/// [`TOLERANCE`], everything else equal.
fn compare(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap_or(f64::NAN), a.as_f64().unwrap_or(f64::NAN));
            if (e - a).abs() > TOLERANCE {
                out.push(format!("{path}: expected {e}, got {a}"));
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            for key in e.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{path}.{key}: missing"));
            }
            for key in a.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{path}.{key}: not expected"));
            }
            for (key, ev) in e {
                if let Some(av) = a.get(key) {
                    compare(&format!("{path}.{key}"), ev, av, out);
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!("{path}: expected {} entries, got {}", e.len(), a.len()));
            }
            for (idx, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(&format!("{path}[{idx}]"), ev, av, out);
            }
        }
        _ if expected != actual => out.push(format!("{path}: expected {expected}, got {actual}")),
        _ => {}
    }
}

#[test]
fn every_final_fixture_gives_the_reference_result() {
    let cases = cases();
    assert!(cases.len() >= 10, "fixtures in test_data/final: {cases:?}");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let read = |file: &str| std::fs::read(case.join(file)).unwrap_or_else(|err| panic!("{name}/{file}: {err}"));
        let stages_text = String::from_utf8(read("stages.json")).expect("UTF-8");
        let residents: Residents = serde_json::from_slice(&read("residents.json")).expect("residents.json");
        let mut lists = BTreeMap::new();
        for entry in std::fs::read_dir(case).expect("case folder") {
            let file = entry.expect("entry").file_name().to_string_lossy().into_owned();
            if !["stages.json", "residents.json", "expected.json", "errors.json"].contains(&file.as_str()) {
                lists.insert(file.clone(), read(&file));
            }
        }
        let outcome = Stages::parse("stages.json", &stages_text).and_then(|s| s.compute(&residents, &lists));
        let expected_path = case.join("expected.json");
        if expected_path.exists() {
            let expected: Value = serde_json::from_slice(&read("expected.json")).expect("expected.json");
            match outcome {
                Ok(result) => {
                    let actual = serde_json::to_value(&result).expect("serialises");
                    let mut differences = Vec::new();
                    compare("final", &expected, &actual, &mut differences);
                    if !differences.is_empty() {
                        failures.push(format!("{name}:\n  {}", differences.join("\n  ")));
                    }
                }
                Err(problems) => failures.push(format!(
                    "{name}: refused: {}",
                    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
                )),
            }
        } else {
            let expected: Vec<Value> = serde_json::from_slice(&read("errors.json")).expect("errors.json");
            let key = |file: &str, at: Option<&str>| format!("{file} @ {}", at.unwrap_or("-"));
            let mut want: Vec<String> =
                expected.iter().map(|e| key(e["file"].as_str().unwrap_or_default(), e["at"].as_str())).collect();
            want.sort();
            match outcome {
                Ok(_) => failures.push(format!("{name}: computed, but the reference refuses it: {want:?}")),
                Err(problems) => {
                    let mut got: Vec<String> = problems.iter().map(|p| key(&p.file, p.at.as_deref())).collect();
                    got.sort();
                    if got != want {
                        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
                        failures.push(format!("{name}: problems {got:?}, expected {want:?} ({messages:?})"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
