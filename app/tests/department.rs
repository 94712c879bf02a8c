//! Browser tests of the department page's storage and model, in headless Chromium against the
//! real IndexedDB: inputs round-trip, re-loading a file keeps one record, and a rebuild from the
//! stored inputs re-checks bundles with the roster and identity loaded later.

#![cfg(target_arch = "wasm32")]

use survey_app::department::model::Model;
use survey_app::department::store::{DeptStore, Input, Kind};
use survey_dept::Outcome;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ROSTER: &[u8] = include_bytes!("../../tests/fixtures/bundles/valid/roster.json");
const IDENTITY: &[u8] = include_bytes!("../../tests/fixtures/bundles/valid/department-identity.txt");
const BUNDLE: &[u8] = include_bytes!("../../tests/fixtures/bundles/valid/two-responses.bundle.json");
const ENCRYPTED: &[u8] = include_bytes!("../../tests/fixtures/bundles/valid/two-responses.bundle.json.age");

fn unique_name(label: &str) -> String {
    format!("test-dept-{label}-{}", js_sys::Math::random())
}

fn outcome_codes(model: &Model) -> Vec<String> {
    model
        .dept
        .files()
        .iter()
        .map(|f| match &f.outcome {
            Outcome::Imported { new, .. } => format!("imported:{new}"),
            Outcome::Quarantined { .. } => "quarantined".to_owned(),
            Outcome::Refused { code, .. } => code.clone(),
        })
        .collect()
}

#[wasm_bindgen_test]
async fn inputs_round_trip_and_the_same_file_twice_is_one_record() {
    let store = DeptStore::open_named(&unique_name("inputs")).await.expect("open");
    let bundle = Input::new(3, Kind::Bundle, "a.bundle.json", BUNDLE);
    let again = Input::new(4, Kind::Bundle, "copy.bundle.json", BUNDLE);
    let roster = Input::new(1, Kind::Roster, "roster.json", ROSTER);
    store.put(&[bundle.clone(), roster.clone()]).await.expect("put");
    store.put(std::slice::from_ref(&again)).await.expect("put again");
    let (inputs, damaged) = store.all().await.expect("all");
    assert_eq!(damaged, 0);
    // Same bytes, same key: the second copy replaced the first record.
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    assert_eq!(inputs[0], roster, "loading order kept");
    assert_eq!(inputs[1].bytes(), BUNDLE);
    assert_eq!(inputs[1].name, "copy.bundle.json");
    store.clear().await.expect("clear");
    assert!(store.all().await.expect("all").0.is_empty());
    store.close();
}

#[wasm_bindgen_test]
fn a_rebuild_rechecks_bundles_with_the_roster_and_identity_loaded_after_them() {
    // Bundles first: without roster nothing verifies, without identity the .age file stays shut.
    let mut model = Model::default();
    assert!(model.apply(Input::new(1, Kind::Bundle, "plain.bundle.json", BUNDLE)));
    assert!(model.apply(Input::new(2, Kind::Bundle, "secret.bundle.json.age", ENCRYPTED)));
    assert_eq!(outcome_codes(&model), vec!["no_roster", "no_roster"]);

    let mut inputs = model.inputs.clone();
    inputs.push(Input::new(3, Kind::Roster, "roster.json", ROSTER));
    let with_roster = Model::rebuild(inputs.clone());
    assert_eq!(outcome_codes(&with_roster), vec!["imported:2", "encrypted"]);

    inputs.push(Input::new(4, Kind::Identity, "department.txt", IDENTITY));
    let with_identity = Model::rebuild(inputs);
    // The encrypted copy holds the same bundle: it adds nothing new.
    assert_eq!(outcome_codes(&with_identity), vec!["imported:2", "imported:0"]);
    assert_eq!(with_identity.recipients.len(), 1);
    assert!(with_identity.recipients[0].starts_with("age1"));
}

#[wasm_bindgen_test]
fn a_bad_roster_or_identity_is_a_named_problem_and_not_kept() {
    let mut model = Model::default();
    assert!(!model.apply(Input::new(1, Kind::Roster, "roster.json", b"{\"format\": 3}")));
    assert!(!model.apply(Input::new(2, Kind::Identity, "key.txt", b"# comment only\nnot-a-key\n")));
    assert!(model.inputs.is_empty());
    let problems: Vec<(&str, &str)> = model.problems.iter().map(|p| (p.name.as_str(), p.message.as_str())).collect();
    assert_eq!(problems.len(), 2);
    assert_eq!(problems[0].0, "roster.json");
    assert!(problems[1].1.starts_with("line 2:"), "{:?}", problems[1]);
}
