//! Tests as data: every `test_data/schema/{ok,err}/*.json` is loaded and its diagnostics compared
//! with the `.expected` file beside it. Set `UPDATE_EXPECT=1` to rewrite the expectations after
//! a deliberate change, then review the diff.

use std::fs;
use std::path::{Path, PathBuf};
use survey_core::{load_survey, MessageLang, Severity};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/schema").join(kind);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// The report compared against `.expected`: one line per diagnostic, then the fingerprint.
fn render(text: &str) -> String {
    let loaded = load_survey(text);
    let mut out = String::new();
    for diagnostic in &loaded.diagnostics {
        let severity = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!("{severity} {} {}: {}\n", diagnostic.code, diagnostic.path, diagnostic.message));
    }
    match loaded.fingerprint {
        Some(fingerprint) => out.push_str(&format!("fingerprint {fingerprint}\n")),
        None => out.push_str("fingerprint none\n"),
    }
    out
}

fn check_expected(path: &Path, actual: &str) {
    let expected_path = path.with_extension("expected");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        fs::write(&expected_path, actual).expect("write expectation");
        return;
    }
    let expected = fs::read_to_string(&expected_path)
        .unwrap_or_else(|_| panic!("{} is missing; run with UPDATE_EXPECT=1", expected_path.display()));
    assert_eq!(actual, expected, "diagnostics of {} changed (UPDATE_EXPECT=1 to accept)", path.display());
}

#[test]
fn ok_fixtures_load_without_errors() {
    for path in fixtures("ok") {
        let text = fs::read_to_string(&path).expect("read fixture");
        let loaded = load_survey(&text);
        assert!(!loaded.has_errors(), "{}: {:#?}", path.display(), loaded.diagnostics);
        assert!(loaded.survey.is_some(), "{}", path.display());
        check_expected(&path, &render(&text));
    }
}

#[test]
fn err_fixtures_report_their_faults() {
    for path in fixtures("err") {
        let text = fs::read_to_string(&path).expect("read fixture");
        let loaded = load_survey(&text);
        assert!(loaded.has_errors(), "{} should have errors", path.display());
        assert!(loaded.survey.is_none(), "{}: a survey with errors must not be returned", path.display());
        check_expected(&path, &render(&text));
    }
}

/// The example surveys shipped to organisers must stay valid and their fingerprints pinned:
/// a fingerprint that moves would strand every response collected with it.
#[test]
fn example_surveys_are_valid_and_pinned() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../survey-schemas");
    let mut count = 0;
    for entry in fs::read_dir(&dir).expect("survey-schemas exists") {
        let path = entry.expect("entry").path();
        let is_example = path.extension().is_some_and(|ext| ext == "json")
            && !path.file_name().is_some_and(|name| name.to_string_lossy().ends_with(".schema.json"));
        if !is_example {
            continue;
        }
        count += 1;
        let text = fs::read_to_string(&path).expect("read example");
        let loaded = load_survey(&text);
        assert!(loaded.diagnostics.is_empty(), "{}: {:#?}", path.display(), loaded.diagnostics);
        check_expected(&path, &render(&text));
    }
    assert!(count > 0, "no example surveys found in {}", dir.display());
}

/// Every diagnostic the fixtures produce reads in Chinese too: all its args in place, no
/// placeholder left over, and the English rendering is the `message` field.
#[test]
fn fixture_diagnostics_render_in_both_languages() {
    let mut checked = 0;
    for path in fixtures("err").into_iter().chain(fixtures("ok")) {
        let text = fs::read_to_string(&path).expect("read fixture");
        for diagnostic in load_survey(&text).diagnostics {
            assert_eq!(diagnostic.message_in(MessageLang::En), diagnostic.message, "{}", path.display());
            let zh = diagnostic.message_in(MessageLang::ZhCn);
            let context = format!("{}: {} {zh}", path.display(), diagnostic.code);
            assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "no Chinese in {context}");
            for arg in &diagnostic.args {
                assert!(zh.contains(arg.as_str()), "arg `{arg}` missing in {context}");
            }
            let leftover = (0..10).any(|i| {
                zh.contains(&format!("{{{i}}}")) && !diagnostic.args.iter().any(|a| a.contains(&format!("{{{i}}}")))
            });
            assert!(!leftover, "placeholder left in {context}");
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} diagnostics checked");
}
