//! A round's fieldwork as a department receives it (tests/fixtures/department-round/, written by
//! tests/department/make_round_fixtures.py): `bundle/2` files of the round's tablets with a case
//! of every finding, an allowed off-sample interview, refusals, final not-at-home visits,
//! released substitutes, a flagged evaluator, a contact sent in two versions, and files the
//! round refuses (outside any round, another round, a device it does not enrol). The
//! `compliance` of `survey report --round … --format json` must equal expected.json, which the
//! independent Python reference tests/department/compliance_reference.py computed from
//! docs/compliance.md.

use super::{assert_matches, file_name, root};
use serde_json::Value;
use std::process::{Command, Output};

const ROUND_FIXTURES: &str = "tests/fixtures/department-round";
const ROUND_FILE: &str = "tests/fixtures/department-round/2026-q4-compliance.round.json";

fn survey(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_survey"))
        .current_dir(root())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .args(args)
        .output()
        .expect("run survey")
}

fn round_report(format: &str, extra: &[&str]) -> Vec<u8> {
    // The fixture's refused and quarantined files make every report partial (exit 1 without
    // this; `a_partial_import_exits_1_with_a_summary_and_still_writes_the_report`).
    let mut args = vec!["report", "--round", ROUND_FILE, "--format", format, "--allow-partial"];
    args.extend_from_slice(extra);
    if !extra.iter().any(|a| a.starts_with(ROUND_FIXTURES)) {
        args.push(ROUND_FIXTURES);
    }
    let output = survey(&args);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

fn round_json(extra: &[&str]) -> Value {
    serde_json::from_slice(&round_report("json", extra)).expect("json")
}

fn expected() -> Value {
    let text = std::fs::read_to_string(root().join(ROUND_FIXTURES).join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json is JSON")
}

/// The bundle files of the fixture folder, sorted, relative to the repository root.
fn round_bundle_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join(ROUND_FIXTURES))
        .expect("fixture folder")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".bundle.json"))
        .collect();
    names.sort();
    names.into_iter().map(|name| format!("{ROUND_FIXTURES}/{name}")).collect()
}

#[test]
fn compliance_matches_the_independent_reference() {
    let expected = expected();
    let actual = round_json(&[]);
    let compliance = &actual["compliance"];
    // Spelled out first, so that a failure reads as the story of the fixture.
    let codes = |checks: &Value| -> Vec<(String, String)> {
        checks
            .as_array()
            .expect("findings")
            .iter()
            .map(|c| (c["response"].as_str().unwrap_or_default().to_owned(), c["findings"].to_string()))
            .collect()
    };
    assert_eq!(codes(&compliance["findings"]), codes(&expected["compliance"]["findings"]), "findings per response");
    let flagged = |c: &Value| -> Vec<(Value, Value)> {
        c["evaluators"]
            .as_array()
            .expect("evaluators")
            .iter()
            .map(|e| (e["device"].clone(), e["flagged"].clone()))
            .collect()
    };
    assert_eq!(flagged(compliance), flagged(&expected["compliance"]), "flagged evaluators");
    // Every finding of the closed list occurs in the fixture.
    for code in
        ["not_drawn", "wrong_unit", "not_assigned", "out_of_order", "duplicate_household", "off_sample_not_allowed"]
    {
        assert!(compliance["findings"].to_string().contains(code), "no case of {code} in the fixture");
    }
    assert!(!compliance["off_sample"].as_array().expect("off_sample").is_empty(), "an allowed off-sample interview");
    assert!(flagged(compliance).iter().any(|(_, f)| f == true), "a flagged evaluator");
    // And everything: the round's facts, units, evaluators, spread, contacts.
    assert_matches("compliance", &expected["compliance"], compliance);

    // Files: imported, quarantined or refused with the round's reasons.
    let mut outcomes: Vec<(String, String)> = actual["not_imported"]
        .as_array()
        .expect("not_imported")
        .iter()
        .map(|f| {
            (
                file_name(f["file"].as_str().unwrap_or_default()).to_owned(),
                f["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    outcomes.sort();
    let mut want: Vec<(String, String)> = expected["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["outcome"] != "imported")
        .map(|f| {
            let code =
                if f["outcome"] == "quarantined" { "quarantined" } else { f["code"].as_str().unwrap_or_default() };
            (f["file"].as_str().unwrap_or_default().to_owned(), code.to_owned())
        })
        .collect();
    want.sort();
    assert_eq!(outcomes, want, "files not imported, with their codes");
    for code in ["not_in_round", "other_round", "quarantined"] {
        assert!(outcomes.iter().any(|(_, c)| c == code), "no file refused as {code}");
    }

    // The scores count only the compliant interviews, and equal the reference's.
    assert_eq!(actual["report"]["overall"]["n_responses"], expected["counted"]["default"]);
    assert_matches("report", &expected["report"], &actual["report"]);
}

#[test]
fn the_switches_count_noncompliant_and_off_sample_interviews() {
    let expected = expected();
    let counted = |extra: &[&str]| round_json(extra)["report"]["overall"]["n_responses"].clone();
    assert_eq!(counted(&["--include-noncompliant"]), expected["counted"]["include_noncompliant"]);
    assert_eq!(counted(&["--include-off-sample"]), expected["counted"]["include_off_sample"]);
    assert_eq!(counted(&["--include-noncompliant", "--include-off-sample"]), expected["counted"]["both"]);
    let with = round_json(&["--include-noncompliant"]);
    assert_eq!(with["compliance"]["include_noncompliant"], true);
    // The compliance figures do not depend on the switches.
    assert_eq!(with["compliance"]["units"], round_json(&[])["compliance"]["units"]);
}

#[test]
fn files_in_reverse_order_give_the_same_compliance() {
    let files = round_bundle_files();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let json = |files: &[&str]| -> Value { serde_json::from_slice(&round_report("json", files)).expect("json") };
    let forward = json(&refs);
    let mut reversed = refs.clone();
    reversed.reverse();
    let backward = json(&reversed);
    // Everything but the list of files not imported, which keeps the order they were offered in.
    for key in ["compliance", "report", "devices", "conflicts", "bundles", "flag_counts"] {
        assert!(forward[key] == backward[key], "{key} depends on the order of the files");
    }
    let sorted = |v: &Value| {
        let mut names: Vec<String> =
            v["not_imported"].as_array().expect("list").iter().map(|f| f.to_string()).collect();
        names.sort();
        names
    };
    assert_eq!(sorted(&forward), sorted(&backward));
}

#[test]
fn table_and_csv_carry_the_compliance_and_the_rounds_announced_facts() {
    let expected = expected();
    let round = &expected["compliance"]["round"];
    let table = String::from_utf8(round_report("table", &[])).expect("UTF-8");
    for fact in ["frame_commitment", "seed", "seed_source", "sha256"] {
        let value = round[fact].as_str().expect("a string");
        assert!(table.contains(value), "the table prints the round's {fact}: {table}");
    }
    assert!(table.contains(round["organiser"]["keyid"].as_str().expect("keyid")));
    assert!(table.contains("compliance by unit") && table.contains("compliance by evaluator"));
    assert!(table.contains("substitution rate stands out"), "{table}");
    for finding in expected["compliance"]["findings"].as_array().expect("findings") {
        assert!(table.contains(finding["response"].as_str().expect("id")), "{finding} in the table");
    }

    let csv = String::from_utf8(round_report("csv", &[])).expect("UTF-8");
    let units: Vec<&str> =
        csv.lines().skip_while(|l| !l.starts_with("compliance_unit,")).skip(1).take_while(|l| !l.is_empty()).collect();
    let want = expected["compliance"]["units"].as_array().expect("units");
    assert_eq!(units.len(), want.len(), "{csv}");
    for (line, unit) in units.iter().zip(want) {
        let cells = &super::csv_records(line)[0];
        assert_eq!(cells[0], unit["unit"].as_str().expect("unit"));
        assert_eq!(cells[3], unit["drawn"].to_string());
        assert_eq!(cells[4], unit["interviewed"].to_string());
        assert_eq!(cells[5], unit["substitutes"].to_string());
    }
    let findings = csv.lines().skip_while(|l| !l.starts_with("finding_response,")).skip(1).count();
    assert_eq!(findings, expected["compliance"]["findings"].as_array().expect("findings").len());
}

#[test]
fn verify_with_the_round_names_each_refusal() {
    let mut args = vec!["verify", "--round", ROUND_FILE];
    let files = round_bundle_files();
    args.extend(files.iter().map(String::as_str));
    let output = survey(&args);
    assert_eq!(output.status.code(), Some(1), "a file is rejected");
    let stdout = String::from_utf8_lossy(&output.stdout);
    for file in expected()["files"].as_array().expect("files") {
        let name = file["file"].as_str().expect("name");
        let line = stdout.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{name} not listed: {stdout}"));
        match file["outcome"].as_str() {
            Some("imported") => assert!(line.contains(": ok ("), "{line}"),
            _ => assert!(line.contains(&format!("rejected: {}:", file["code"].as_str().expect("code"))), "{line}"),
        }
    }
}

#[test]
fn a_round_replaces_survey_and_roster_and_the_switches_need_it() {
    let both = survey(&[
        "report",
        "--round",
        ROUND_FILE,
        "--survey",
        "survey-schemas/party-building-satisfaction.json",
        ROUND_FIXTURES,
    ]);
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("leave out --survey and --roster"));
    let switch = survey(&[
        "report",
        "--survey",
        "survey-schemas/party-building-satisfaction.json",
        "--roster",
        "tests/fixtures/department/roster.json",
        "--include-off-sample",
        "tests/fixtures/department",
    ]);
    assert_eq!(switch.status.code(), Some(2));
    // A damaged round file is refused with the round verifier's reason, naming the file.
    let tampered = std::env::temp_dir().join(format!("tampered-{}.round.json", std::process::id()));
    let mut bytes = std::fs::read(root().join(ROUND_FILE)).expect("round");
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&tampered, bytes).expect("write");
    let output = survey(&["report", "--round", &tampered.display().to_string(), ROUND_FIXTURES]);
    let _ = std::fs::remove_file(&tampered);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("tampered-") && stderr.contains("not a valid round file"), "{stderr}");
}
