//! Runs the real `survey` binary against the definition fixtures of survey-core, and keeps
//! `survey-schemas/survey.schema.json` equal to what `survey schema` prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../survey-core/test_data/schema").join(rel)
}

/// The locale variables `survey check` reads for its default language.
const LOCALE_VARS: [&str; 3] = ["LC_ALL", "LC_MESSAGES", "LANG"];

/// Runs `survey` with no locale set (English), whatever the machine running the tests uses.
fn survey(args: &[&std::ffi::OsStr]) -> Output {
    survey_with_env(args, &[])
}

fn survey_with_env(args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_survey"));
    for var in LOCALE_VARS {
        command.env_remove(var);
    }
    command.envs(env.iter().copied()).args(args).output().expect("run survey")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn clean_file_exits_zero() {
    let file = fixture("ok/0001_minimal.json");
    let output = survey(&["check".as_ref(), file.as_os_str()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(stdout(&output).contains(": ok (fingerprint "), "{}", stdout(&output));
}

#[test]
fn errors_are_printed_per_line_with_file_and_path_and_exit_one() {
    let file = fixture("err/0003_empty-choices.json");
    let output = survey(&["check".as_ref(), file.as_os_str()]);
    assert_eq!(output.status.code(), Some(1));
    let expected = format!("{}: sections[1].questions[5].choices: empty\n", file.display());
    assert_eq!(stdout(&output), expected);
}

#[test]
fn unreadable_input_exits_two_even_beside_bad_files() {
    let bad = fixture("err/0003_empty-choices.json");
    let missing = fixture("ok/does-not-exist.json");
    let output = survey(&["check".as_ref(), bad.as_os_str(), missing.as_os_str()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does-not-exist.json: cannot read"));
    // The readable file is still reported.
    assert!(stdout(&output).contains("choices: empty"));
}

#[test]
fn json_output_is_machine_readable() {
    let ok = fixture("ok/0001_minimal.json");
    let bad = fixture("err/0002_duplicate-ids.json");
    let output = survey(&["check".as_ref(), "--json".as_ref(), ok.as_os_str(), bad.as_os_str()]);
    assert_eq!(output.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(reports[0]["ok"], true);
    assert_eq!(reports[1]["ok"], false);
    let codes: Vec<&str> =
        reports[1]["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.contains(&"id.duplicate"), "{codes:?}");
    assert!(reports[0]["fingerprint"].as_str().is_some_and(|f| f.len() == 64));
    // Each diagnostic carries its args and its message in English and Chinese.
    let duplicate =
        &reports[1]["diagnostics"].as_array().unwrap().iter().find(|d| d["path"] == "sections[1].id").unwrap();
    assert_eq!(duplicate["message"], "section id `background` is already used by sections[0]");
    assert_eq!(duplicate["args"], serde_json::json!(["background", "sections[0]"]));
    assert_eq!(duplicate["messages"]["en"], duplicate["message"]);
    assert_eq!(duplicate["messages"]["zh-CN"], "部分编号“background”与 sections[0] 重复");
}

#[test]
fn lang_zh_cn_prints_chinese_messages() {
    let file = fixture("err/0003_empty-choices.json");
    for lang in ["zh-CN", "zh", "zh-cn"] {
        let output = survey(&["check".as_ref(), "--lang".as_ref(), lang.as_ref(), file.as_os_str()]);
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let expected = format!("{}: sections[1].questions[5].choices: 选项列表为空\n", file.display());
        assert_eq!(stdout(&output), expected, "--lang {lang}");
    }
}

#[test]
fn lang_zh_cn_translates_warnings_and_the_ok_line() {
    let file = fixture("ok/0002_missing-translation-warns.json");
    let output = survey(&["check".as_ref(), "--lang=zh-CN".as_ref(), file.as_os_str()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let name = file.display();
    let expected = format!(
        "{name}: sections[1].questions[0].help: 警告：“en”语言的文字是空白\n\
         {name}: title: 警告：缺少“en”语言的文字\n\
         {name}: 通过（指纹 00f8 cefa d0f4 d5b1，2 条警告）\n"
    );
    assert_eq!(stdout(&output), expected);
}

#[test]
fn the_locale_chooses_the_default_language_and_lang_overrides_it() {
    let file = fixture("err/0003_empty-choices.json");
    let chinese = survey_with_env(&["check".as_ref(), file.as_os_str()], &[("LANG", "zh_CN.UTF-8")]);
    assert!(stdout(&chinese).ends_with(": 选项列表为空\n"), "{}", stdout(&chinese));
    let english = survey_with_env(
        &["check".as_ref(), "--lang".as_ref(), "en".as_ref(), file.as_os_str()],
        &[("LANG", "zh_CN.UTF-8")],
    );
    assert!(stdout(&english).ends_with(": empty\n"), "{}", stdout(&english));
    let c_locale = survey_with_env(&["check".as_ref(), file.as_os_str()], &[("LANG", "C.UTF-8")]);
    assert!(stdout(&c_locale).ends_with(": empty\n"), "{}", stdout(&c_locale));
}

#[test]
fn a_bad_lang_value_exits_two() {
    let file = fixture("err/0003_empty-choices.json");
    let output = survey(&["check".as_ref(), "--lang".as_ref(), "fr".as_ref(), file.as_os_str()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown language `fr`"), "{output:?}");
    assert!(output.stdout.is_empty(), "nothing is checked on bad usage: {output:?}");
    // `--lang` needs a value.
    assert_eq!(survey(&["check".as_ref(), "--lang".as_ref()]).status.code(), Some(2));
}

/// `survey-schemas/survey.schema.json` is what `survey schema` prints; `UPDATE_EXPECT=1`
/// rewrites it after a change of the definition model (then review the diff).
#[test]
fn committed_json_schema_is_current() {
    let output = survey(&["schema".as_ref()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let printed = stdout(&output);
    let schema: serde_json::Value = serde_json::from_str(&printed).expect("the schema is JSON");
    assert_eq!(schema["title"], "Survey definition (survey/1)");
    assert!(printed.ends_with("}\n") && printed.contains("\n  \""), "pretty, two-space indents, final newline");

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../survey-schemas/survey.schema.json");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &printed).expect("write the schema");
        return;
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing; run with UPDATE_EXPECT=1", path.display()));
    assert!(committed == printed, "{} is stale: run the tests with UPDATE_EXPECT=1", path.display());
}

#[test]
fn schema_takes_no_arguments() {
    assert_eq!(survey(&["schema".as_ref(), "extra".as_ref()]).status.code(), Some(2));
}

#[test]
fn bad_usage_exits_two() {
    assert_eq!(survey(&[]).status.code(), Some(2));
    assert_eq!(survey(&["check".as_ref()]).status.code(), Some(2));
    assert_eq!(survey(&["check".as_ref(), "--bogus".as_ref()]).status.code(), Some(2));
    assert_eq!(survey(&["frobnicate".as_ref()]).status.code(), Some(2));
}

/// Runs `survey report` on the example survey and the valid roster of the bundle fixtures.
fn survey_report(extra: &[&std::ffi::OsStr], bundles: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let fixtures = root.join("tests/fixtures/bundles");
    Command::new(env!("CARGO_BIN_EXE_survey"))
        .arg("report")
        .arg("--survey")
        .arg(root.join("survey-schemas/party-building-satisfaction.json"))
        .arg("--roster")
        .arg(fixtures.join("valid/roster.json"))
        .args(extra)
        .args(bundles.iter().map(|b| fixtures.join(b)))
        .output()
        .expect("run survey report")
}

#[test]
fn report_imports_verified_bundles_and_lists_gaps_conflicts_and_quarantine() {
    // The bundle/1 files of `valid/` (its round bundles reuse the device's sequence numbers).
    let bundles = [
        "valid/empty.bundle.json",
        "valid/gap.bundle.json",
        "valid/two-responses.bundle.json",
        "valid/two-responses.bundle.json.age",
        "unknown_key/bundle.json",
    ];
    let output = survey_report(&["--format".as_ref(), "json".as_ref(), "--lang".as_ref(), "en".as_ref()], &bundles);
    // Two files were not imported: the report is written, and the exit status and stderr say
    // that it is partial.
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("3 of 5 files imported; not counted: 1 refused, 1 quarantined"), "{stderr}");
    assert!(stderr.contains("--allow-partial"), "{stderr}");
    let accepted = survey_report(&["--format".as_ref(), "json".as_ref(), "--allow-partial".as_ref()], &bundles);
    assert_eq!(accepted.status.code(), Some(0), "{accepted:?}");
    assert_eq!(accepted.stdout, output.stdout, "the same report either way");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let not_imported: Vec<&str> =
        report["not_imported"].as_array().unwrap().iter().filter_map(|r| r["code"].as_str()).collect();
    // The encrypted copy needs --identity; the unknown device is quarantined.
    assert_eq!(not_imported, vec!["encrypted", "quarantined"]);
    assert_eq!(report["devices"][0]["missing"], serde_json::json!([4]));
    assert_eq!(report["conflicts"].as_array().unwrap().len(), 1);
    assert_eq!(report["report"]["overall"]["suppressed"], true, "fewer than 5 responses show no scores");
}

#[test]
fn raw_csv_has_a_bom_a_header_of_labels_and_a_row_per_response() {
    let raw = |lang: &str| {
        let args = ["--format".as_ref(), "raw-csv".as_ref(), "--lang".as_ref(), lang.as_ref()];
        let output = survey_report(&args, &["valid/two-responses.bundle.json"]);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let text = raw("zh-CN");
    assert!(text.starts_with('\u{feff}'), "BOM for spreadsheet programs");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "header and two responses");
    assert!(lines[0].starts_with("\u{feff}答卷编号,单位编号,单位名称,设备密钥编号"), "{}", lines[0]);
    assert!(lines[0].contains("您"), "question titles in Chinese: {}", lines[0]);
    let english = raw("en");
    let header = english.lines().next().expect("a header");
    assert!(header.starts_with("\u{feff}response_id,unit,name,device,seq"), "{header}");
    assert!(!header.contains("您"), "question titles in English: {header}");
}

#[test]
fn report_of_a_folder_without_bundles_is_an_error() {
    let empty = std::env::temp_dir().join(format!("survey-no-bundles-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("a folder");
    std::fs::write(empty.join("notes.txt"), "not a bundle").expect("a file");
    let output = survey_report(&[empty.as_os_str()], &[]);
    let _ = std::fs::remove_dir_all(&empty);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no bundle files (*.bundle.json, *.bundle.json.age) in"), "{stderr}");
    assert!(output.stdout.is_empty(), "no report of zero responses");
}

#[test]
fn xlsx_report_is_written_and_needs_an_output() {
    let out = std::env::temp_dir().join(format!("survey-report-{}.xlsx", std::process::id()));
    let run = |extra: &[&std::ffi::OsStr]| {
        let args: Vec<&std::ffi::OsStr> =
            ["--format".as_ref(), "xlsx".as_ref()].into_iter().chain(extra.iter().copied()).collect();
        survey_report(&args, &["valid/two-responses.bundle.json"])
    };
    assert_eq!(run(&[]).status.code(), Some(2), "no --output");
    let output = run(&["--output".as_ref(), out.as_os_str(), "--raw".as_ref()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let bytes = std::fs::read(&out).expect("written");
    assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip archive");
    let _ = std::fs::remove_file(&out);
}

#[test]
fn every_command_has_help() {
    for command in ["check", "schema", "keygen", "verify", "report"] {
        for flag in ["--help", "-h"] {
            let output = survey(&[command.as_ref(), flag.as_ref()]);
            assert_eq!(output.status.code(), Some(0), "survey {command} {flag}: {output:?}");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(stdout.starts_with(&format!("usage: survey {command}")), "survey {command} {flag}: {stdout}");
            assert!(stdout.contains("exit status"), "survey {command} {flag}: {stdout}");
        }
        let output = survey(&["help".as_ref(), command.as_ref()]);
        assert_eq!(output.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&output.stdout).starts_with(&format!("usage: survey {command}")));
    }
    // Help wins over missing arguments, as in `survey report --help` with nothing else given.
    let output = survey(&["report".as_ref(), "--survey".as_ref(), "x.json".as_ref(), "--help".as_ref()]);
    assert_eq!(output.status.code(), Some(0));
    let overview = survey(&["--help".as_ref()]);
    assert_eq!(overview.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&overview.stdout).contains("report"));
    assert_eq!(survey(&["help".as_ref(), "frobnicate".as_ref()]).status.code(), Some(2));
}

#[test]
fn bad_usage_names_the_command_and_its_synopsis() {
    let output = survey(&["report".as_ref(), "--bogus".as_ref()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("survey report: unexpected argument"), "{stderr}");
    assert!(stderr.contains("usage: survey report (--survey S --roster R | --round ROUND)"), "{stderr}");
    assert!(stderr.contains("survey report --help"), "{stderr}");
}

fn xlsform_sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../survey-xlsform/test_data/samples").join(name)
}

#[test]
fn convert_writes_a_definition_that_check_accepts_and_never_overwrites() {
    let form = xlsform_sample("pyxform_yes_or_no_question.xlsx");
    let out = std::env::temp_dir().join(format!("survey-convert-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let output = survey(&["convert".as_ref(), form.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let checked = survey(&["check".as_ref(), out.as_os_str()]);
    assert_eq!(checked.status.code(), Some(0), "{checked:?}");
    // A second run refuses to replace the file it wrote.
    let again = survey(&["convert".as_ref(), form.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    std::fs::remove_file(&out).expect("remove");
}

#[test]
fn convert_names_every_mistake_by_sheet_and_row_and_writes_nothing() {
    let form = xlsform_sample("pyxform_tutorial_household.xlsx");
    let out = std::env::temp_dir().join(format!("survey-convert-bad-{}.json", std::process::id()));
    let output = survey_with_env(
        &["convert".as_ref(), form.as_os_str(), "-o".as_ref(), out.as_os_str()],
        &[("LANG", "zh_CN.UTF-8")],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("错误：survey 表第 2 行 type 列：不支持的题型 begin repeat"), "{stderr}");
    assert!(!out.exists(), "nothing is written when there is an error");
}
