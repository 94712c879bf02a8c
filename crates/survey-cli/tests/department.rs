//! One evaluation round as a department receives it (tests/fixtures/department/, written by
//! tests/department/make_fixtures.py): three enrolled tablets, an encrypted bundle, a
//! re-export, a sequence gap, a conflict and a bundle from a tablet not on the roster. The
//! `survey report` results must equal expected.json, which the independent Python reference
//! tests/department/score_reference.py computed from docs/scoring.md and the bundle format:
//! numbers to 1e-9, counts, ranks, suppression, missing sequence numbers, conflicts and the
//! quarantined file exactly.

#[path = "department/compliance.rs"]
mod compliance;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURES: &str = "tests/fixtures/department";
/// Absolute tolerance for numbers that are not integers on both sides (scores are 0-100).
const TOLERANCE: f64 = 1e-9;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `survey report` from the repository root (so the file names it prints are the relative
/// paths given), with no locale set.
fn report(format: &str, inputs: &[String]) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_survey"))
        .current_dir(root())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .arg("report")
        .args(["--survey", "survey-schemas/party-building-satisfaction.json"])
        .args(["--roster", &format!("{FIXTURES}/roster.json")])
        .args(["--identity", &format!("{FIXTURES}/department-identity.txt")])
        .args(inputs)
        .args(["--format", format])
        // The fixture's quarantined file makes every report partial; that is tested below.
        .arg("--allow-partial")
        .output()
        .expect("run survey report");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

#[test]
fn a_partial_import_exits_1_with_a_summary_and_still_writes_the_report() {
    let run = |identity: bool, allow_partial: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_survey"));
        command
            .current_dir(root())
            .env("LANG", "zh_CN.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .arg("report")
            .args(["--survey", "survey-schemas/party-building-satisfaction.json"])
            .args(["--roster", &format!("{FIXTURES}/roster.json")])
            .args(["--format", "json", FIXTURES]);
        if identity {
            command.args(["--identity", &format!("{FIXTURES}/department-identity.txt")]);
        }
        if allow_partial {
            command.arg("--allow-partial");
        }
        command.output().expect("run survey report")
    };
    // Without the identity the encrypted file cannot be opened, and one file is quarantined:
    // 5 of 7 files counted. The summary is in the locale's language.
    let partial = run(false, false);
    assert_eq!(partial.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&partial.stderr);
    assert!(stderr.contains("7 个文件中导入 5 个；未计入：拒收 1 个，隔离 1 个"), "{stderr}");
    let report: Value = serde_json::from_slice(&partial.stdout).expect("the report is still written");
    let complete: Value = serde_json::from_slice(&run(true, true).stdout).expect("json");
    let n = |r: &Value| r["report"]["overall"]["n_responses"].as_u64().expect("n");
    assert!(n(&report) < n(&complete), "the partial report counts fewer responses");
    // Accepted explicitly: exit 0, the summary still on stderr.
    let accepted = run(false, true);
    assert_eq!(accepted.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&accepted.stderr).contains("未计入"));
    // With the identity only the quarantined file is missing: still partial.
    let quarantined = run(true, false);
    assert_eq!(quarantined.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&quarantined.stderr).contains("7 个文件中导入 6 个；未计入：隔离 1 个"));
}

fn json_report(inputs: &[String]) -> Value {
    serde_json::from_slice(&report("json", inputs)).expect("json")
}

fn expected() -> Value {
    let text = std::fs::read_to_string(root().join(FIXTURES).join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json is JSON")
}

/// The bundle files of the fixture folder, sorted, as paths relative to the repository root.
fn bundle_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join(FIXTURES))
        .expect("fixture folder")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".bundle.json") || name.ends_with(".bundle.json.age"))
        .collect();
    names.sort();
    names.into_iter().map(|name| format!("{FIXTURES}/{name}")).collect()
}

/// Compares `actual` with `expected` recursively: the same object keys, the same array lengths,
/// equal strings, booleans and nulls; integers (on both sides) exactly, other numbers to
/// [`TOLERANCE`]. Differences are collected with their JSON path.
fn compare(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            let both_integers = (e.is_u64() || e.is_i64()) && (a.is_u64() || a.is_i64());
            let same = if both_integers {
                e.as_i64() == a.as_i64() && e.as_u64() == a.as_u64()
            } else {
                let (e, a) = (e.as_f64().unwrap_or(f64::NAN), a.as_f64().unwrap_or(f64::NAN));
                (e - a).abs() <= TOLERANCE
            };
            if !same {
                out.push(format!("{path}: expected {e}, got {a}"));
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            for key in e.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{path}.{key}: missing in the output"));
            }
            for key in a.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{path}.{key}: not in expected.json"));
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
        _ => {
            if expected != actual {
                out.push(format!("{path}: expected {expected}, got {actual}"));
            }
        }
    }
}

fn assert_matches(what: &str, expected: &Value, actual: &Value) {
    let mut differences = Vec::new();
    compare(what, expected, actual, &mut differences);
    assert!(differences.is_empty(), "{} difference(s):\n{}", differences.len(), differences.join("\n"));
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[test]
fn json_report_matches_the_independent_reference() {
    let expected = expected();
    let actual = json_report(&[FIXTURES.to_owned()]);

    assert_eq!(actual["survey"], expected["survey"], "survey id, version, fingerprint");
    assert_eq!(actual["bundles"], expected["bundles"], "distinct bundles imported");

    // Quarantined and refused files, by file name and code.
    let codes = |value: &Value| -> Vec<(String, String)> {
        value
            .as_array()
            .expect("not_imported is a list")
            .iter()
            .map(|f| {
                (
                    file_name(f["file"].as_str().unwrap_or_default()).to_owned(),
                    f["code"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(codes(&actual["not_imported"]), codes(&expected["not_imported"]));
    let quarantined: Vec<String> = codes(&actual["not_imported"])
        .into_iter()
        .filter(|(_, code)| code == "quarantined")
        .map(|(file, _)| file)
        .collect();
    assert_eq!(serde_json::json!(quarantined), expected["quarantined"]);

    // Per device: evaluator, highest sequence number, the sequence numbers not received.
    assert_eq!(actual["devices"], expected["devices"]);
    // The response sent in two versions, with both hashes; counted in neither.
    assert_eq!(actual["conflicts"], expected["conflicts"]);
    // Which responses carry flags is response-level data: the raw export's column, not the JSON.
    assert!(actual.get("quality_flags").is_none(), "no per-response flags in the aggregate JSON");
    let raw = String::from_utf8(report("raw-csv", &[FIXTURES.to_owned()])).expect("UTF-8");
    let records = csv_records(raw.trim_start_matches('\u{feff}'));
    let flags_column = records[0].iter().position(|h| h == "quality_flags").expect("a quality_flags column");
    let mut flagged: Vec<String> =
        records[1..].iter().filter(|cells| !cells[flags_column].is_empty()).map(|cells| cells[0].clone()).collect();
    flagged.sort();
    let mut want: Vec<String> = expected["quality_flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect();
    want.sort();
    assert_eq!(flagged, want, "the raw export's quality_flags column marks the flagged responses");
    assert_eq!(actual["flag_counts"], expected["flag_counts"]);
    assert_eq!(actual["flagged_excluded"], false, "the default report counts flagged responses");

    // Spelled out, so that a failure reads as the story of the fixture.
    let report = &actual["report"];
    let want = &expected["report"];
    assert_eq!(report["overall"]["n_responses"], want["overall"]["n_responses"]);
    let units = |r: &Value| -> Vec<(Value, Value, Value, Value)> {
        r["units"]
            .as_array()
            .expect("units")
            .iter()
            .map(|u| (u["unit"].clone(), u["n_responses"].clone(), u["suppressed"].clone(), u["reason"].clone()))
            .collect()
    };
    assert_eq!(units(report), units(want), "units: n, suppressed, reason");
    let ranks = |r: &Value| -> Vec<(Value, Value)> {
        r["ranking"].as_array().expect("ranking").iter().map(|e| (e["unit"].clone(), e["rank"].clone())).collect()
    };
    assert_eq!(ranks(report), ranks(want), "ranking: order and ranks");

    // And everything: overall, every unit's indicators and items, ranking indices, alpha.
    assert_matches("report", want, report);
}

/// The records of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks).
pub(crate) fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

#[test]
fn csv_report_has_a_bom_and_a_row_for_every_group() {
    let expected = expected();
    let text = String::from_utf8(report("csv", &[FIXTURES.to_owned()])).expect("utf-8");
    assert!(text.starts_with('\u{feff}'), "BOM for spreadsheet programs");
    let records = csv_records(text.trim_start_matches('\u{feff}'));
    let header = &records[0];
    assert_eq!(&header[..8], ["unit", "name", "rank", "n_responses", "index", "rate", "suppressed", "reason"]);
    // The whole evaluation, then one row per ranking entry in ranking order, then the
    // responses without a unit (when there are any): every response is in some unit's row.
    assert_eq!(records[1][0], "(all)");
    let overall = expected["report"]["overall"]["n_responses"].as_u64().expect("n");
    assert_eq!(records[1][3], overall.to_string());
    let rows = &records[2..];
    let ranking = expected["report"]["ranking"].as_array().expect("ranking");
    let units = expected["report"]["units"].as_array().expect("units");
    let no_unit = units.iter().filter(|u| u["unit"].is_null()).count();
    assert_eq!(rows.len(), ranking.len() + no_unit, "{text}");
    let counted: u64 = rows.iter().map(|row| row[3].parse::<u64>().expect("a count")).sum();
    assert_eq!(counted, overall, "the rows add up to the whole");
    for (row, entry) in rows.iter().zip(ranking) {
        assert_eq!(row.len(), header.len(), "{row:?}");
        assert_eq!(row[0], entry["unit"].as_str().unwrap());
        assert_eq!(row[2], entry["rank"].as_u64().map(|r| r.to_string()).unwrap_or_default(), "{row:?}");
        let unit = units.iter().find(|u| u["unit"] == entry["unit"]).expect("unit");
        assert_eq!(row[3], unit["n_responses"].to_string());
        match entry["index"].as_f64() {
            Some(index) => assert!((row[4].parse::<f64>().expect("index") - index).abs() < 5e-5, "{row:?}"),
            None => assert_eq!(row[4], "", "a suppressed unit shows no index"),
        }
        assert_eq!(row[6], entry["suppressed"].to_string());
        let reason = match unit["reason"].as_str() {
            Some("too_few_responses") => "fewer than 5 responses: scores not shown",
            Some("complementary") => "not shown to protect a unit with fewer than 5 responses",
            _ => "",
        };
        assert_eq!(row[7], reason, "{row:?}");
    }
}

#[test]
fn files_in_reverse_order_give_the_same_json() {
    let files = bundle_files();
    assert_eq!(files.len(), 7, "{files:?}");
    let forward = report("json", &files);
    let mut reversed = files.clone();
    reversed.reverse();
    let backward = report("json", &reversed);
    assert!(forward == backward, "the report depends on the order of the files");
    // The folder (read in sorted order) names the files the same way: the same bytes again.
    assert!(report("json", &[FIXTURES.to_owned()]) == forward);
}

/// Every response in the delivered bundles is one the field app would have let the evaluator
/// finish: each answer fits its question, every relevant required question is answered, no
/// answer has a problem (range, constraint), and only relevant questions are answered (no
/// `svc_asked_result` unless `svc_asked` is yes). The scores above are only as meaningful as
/// the answers behind them.
#[test]
fn every_fixture_response_is_one_the_app_could_have_finished() {
    use survey_core::bundle::{verify, Roster};
    use survey_core::response::check_answer;
    use survey_core::{load_survey, Draft, Logic, Status};

    let dir = root().join(FIXTURES);
    let text = std::fs::read_to_string(root().join("survey-schemas/party-building-satisfaction.json")).expect("survey");
    let survey = load_survey(&text).survey.expect("valid survey");
    let logic = Logic::new(&survey);
    let roster = Roster::parse(&std::fs::read(dir.join("roster.json")).expect("roster")).expect("roster/1");
    let identities =
        survey_dept::parse_identities(&std::fs::read_to_string(dir.join("department-identity.txt")).expect("identity"))
            .expect("age identity");
    let mut checked = 0;
    for file in bundle_files() {
        if file.ends_with("unknown-device.bundle.json") {
            continue; // not on the roster: never opened
        }
        let bytes = std::fs::read(root().join(&file)).expect("bundle");
        let plain = survey_dept::open_bundle(&bytes, &identities).expect("opens");
        let bundle = verify(&plain, &roster).unwrap_or_else(|err| panic!("{file}: {err}"));
        for response in &bundle.responses {
            let at = format!("{file}: seq {}", response.seq);
            for (qid, answer) in &response.answers {
                let question = survey.question(qid).unwrap_or_else(|| panic!("{at}: unknown question {qid}"));
                check_answer(question, &answer.value).unwrap_or_else(|err| panic!("{at}: {qid}: {err:?}"));
            }
            let draft = Draft {
                id: response.id.clone(),
                survey_id: response.survey_id.clone(),
                survey_version: survey.version.clone(),
                fingerprint: response.fingerprint.clone(),
                unit: response.unit.clone(),
                answers: response.answers.clone(),
                started_at: response.started_at,
                finished_at: Some(response.finished_at),
                page: 0,
                status: Status::Complete,
                mode: response.mode,
                lang: response.lang.clone(),
                app_version: response.app_version.clone(),
                seq: Some(response.seq),
                exported_at: None,
                sample: None,
            };
            let relevance = logic.evaluate_all(&draft.answers);
            let missing: Vec<&str> =
                draft.missing_required(&survey, &logic, &relevance).iter().map(|(_, q)| q.id.as_str()).collect();
            assert!(missing.is_empty(), "{at}: required questions not answered: {missing:?}");
            assert_eq!(draft.problems(&survey, &logic, &relevance), vec![], "{at}");
            assert_eq!(draft.relevant_answers(&logic, &relevance), response.answers, "{at}: irrelevant answers");
            let unit = response.unit.as_deref().unwrap_or_default();
            assert!(survey.units.iter().any(|u| u.id == unit), "{at}: unit {unit} is not declared");
            checked += 1;
        }
    }
    // 13 + 14 (seq 12, 13 again) + 14 + 7 (again) + 12 + 5 responses in the six bundles.
    assert_eq!(checked, 65);
}

#[test]
fn inputs_saved_with_a_byte_order_mark_and_crlf_give_the_same_report() {
    // As Notepad saves them: a UTF-8 byte-order mark first, CRLF line ends.
    let dir = std::env::temp_dir().join(format!("survey-notepad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let notepad = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, format!("\u{feff}{}", text.replace('\n', "\r\n"))).expect("written");
        path.to_string_lossy().into_owned()
    };
    let read = |path: &str| std::fs::read_to_string(root().join(path)).expect("fixture");
    let previous_text = String::from_utf8(report("json", &[FIXTURES.to_owned()])).expect("UTF-8");
    let survey = notepad("survey.json", &read("survey-schemas/party-building-satisfaction.json"));
    let roster = notepad("roster.json", &read(&format!("{FIXTURES}/roster.json")));
    let identity = notepad("identity.txt", &read(&format!("{FIXTURES}/department-identity.txt")));
    let previous = notepad("previous.json", &previous_text);
    let output = Command::new(env!("CARGO_BIN_EXE_survey"))
        .current_dir(root())
        .args(["report", "--survey", &survey, "--roster", &roster, "--identity", &identity])
        .args(["--previous", &previous, "--format", "json", "--allow-partial", FIXTURES])
        .output()
        .expect("run survey report");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let mut actual: Value = serde_json::from_slice(&output.stdout).expect("json");
    let changes = actual["previous_round"].as_array().expect("the previous round was read").len();
    assert!(changes > 0, "changes against the previous round");
    actual["previous_round"] = Value::Null;
    let plain: Value = serde_json::from_str(&previous_text).expect("json");
    assert_eq!(actual, plain, "the same report as from the files without the mark");
}
