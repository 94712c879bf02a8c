//! The fixtures of `test_data/fixtures/` (written by `tests/xlsform/make_fixtures.py`): an `ok_*`
//! or `kit_*` workbook converts to exactly `NAME.expected.json` (warnings in `NAME.warnings.txt`), an `err_*`
//! one is refused with exactly the problems of `NAME.errors.txt`, in English then zh-CN.
//! `UPDATE_EXPECT=1` rewrites the expected files (review the diff).

use std::fs;
use std::path::{Path, PathBuf};
use survey_core::MessageLang;
use survey_xlsform::{convert, Severity};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/fixtures");
    let mut out: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    out.sort();
    assert!(out.len() >= 6, "expected the fixtures of make_fixtures.py, found {out:?}");
    out
}

fn compare(path: &Path, actual: &str, update: bool, failures: &mut Vec<String>) {
    if update {
        fs::write(path, actual).expect("write expected");
        return;
    }
    match fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!("{}:\n--- expected\n{expected}\n--- actual\n{actual}", path.display())),
        Err(err) => failures.push(format!("{}: {err}", path.display())),
    }
}

#[test]
fn every_fixture_converts_or_is_refused_exactly_as_pinned() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for path in fixtures() {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        let conversion = convert(&fs::read(&path).expect("read fixture"));
        let lines = |severity: Severity| -> String {
            let mut text = String::new();
            for lang in [MessageLang::En, MessageLang::ZhCn] {
                for problem in conversion.problems.iter().filter(|p| p.severity == severity) {
                    text.push_str(&problem.render(lang));
                    text.push('\n');
                }
            }
            text
        };
        let dir = path.parent().expect("dir");
        if name.starts_with("ok_") || name.starts_with("kit_") {
            let Some(definition) = &conversion.definition else {
                failures.push(format!("{name}: refused: {}", lines(Severity::Error)));
                continue;
            };
            let loaded = survey_core::load_survey(definition);
            assert!(!loaded.has_errors(), "{name}: fails check: {:?}", loaded.diagnostics);
            compare(&dir.join(format!("{name}.expected.json")), definition, update, &mut failures);
            compare(&dir.join(format!("{name}.warnings.txt")), &lines(Severity::Warning), update, &mut failures);
        } else {
            assert!(conversion.definition.is_none(), "{name}: an err_ fixture must be refused");
            compare(&dir.join(format!("{name}.errors.txt")), &lines(Severity::Error), update, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
