//! The real public XLSForms of `test_data/samples/` (see its SOURCES.md): each either converts to a
//! definition that passes `survey check`, or is refused with every problem naming its sheet and
//! row. The outcome of each is pinned, so a change in what the converter accepts is seen.

use std::path::Path;
use survey_xlsform::{convert, Severity};

fn sample(name: &str) -> survey_xlsform::Conversion {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/samples").join(name);
    convert(&std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display())))
}

/// The first error of a refused sample, in English.
fn first_error(conversion: &survey_xlsform::Conversion) -> String {
    conversion
        .problems
        .iter()
        .find(|p| p.severity == Severity::Error)
        .map(|p| p.render(survey_core::MessageLang::En))
        .unwrap_or_default()
}

#[test]
fn each_real_form_converts_and_passes_check_or_is_refused_at_a_row() {
    let expected: &[(&str, Option<&str>)] = &[
        (
            "correlaid_mitwirken_umfrage.xlsx",
            Some("sheet survey, row 54, column constraint: the expression does not parse: at character 1: unknown function or word `regex` (references are written ${regex})"),
        ),
        (
            "correlaid_testwerk_wirkung.xlsx",
            Some("sheet settings, row 2, column default_language: the language Deutsch is not known: write it as \"Name (code)\", e.g. Deutsch (de)"),
        ),
        (
            "unhcr_refugee_household_demo.xlsx",
            Some("sheet choices, row 1, column label::Tigirigna: the language Tigirigna is not known: write it as \"Name (code)\", e.g. Deutsch (de)"),
        ),
        (
            "pyxform_tutorial_household.xlsx",
            Some("sheet choices, row 1, column label: this column has no language: set default_language on the settings sheet, or write label::English (en)"),
        ),
        (
            "pyxform_tutorial_household.xls",
            Some("sheet choices, row 1, column label: this column has no language: set default_language on the settings sheet, or write label::English (en)"),
        ),
        ("pyxform_yes_or_no_question.xlsx", None),
        (
            "pyxform_specify_other.xlsx",
            Some("sheet survey, row 2, column type: select one from sexes or specify other is not supported by the kit"),
        ),
    ];
    let mut report = Vec::new();
    for (name, refused) in expected {
        let conversion = sample(name);
        for problem in &conversion.problems {
            assert!(!problem.sheet.is_empty(), "{name}: a problem without its sheet: {problem:?}");
        }
        match (&conversion.definition, refused) {
            (Some(text), None) => {
                let loaded = survey_core::load_survey(text);
                assert!(!loaded.has_errors(), "{name}: the definition fails check: {:#?}", loaded.diagnostics);
            }
            (None, Some(message)) => {
                assert!(conversion.problems.iter().any(|p| p.severity == Severity::Error && p.row.is_some()), "{name}");
                report.push(format!("{name}: {}", first_error(&conversion)));
                assert_eq!(first_error(&conversion), *message, "{name}");
            }
            (got, _) => panic!(
                "{name}: expected {}, got {}: {}",
                if refused.is_some() { "refused" } else { "a definition" },
                if got.is_some() { "a definition" } else { "refused" },
                first_error(&conversion)
            ),
        }
    }
    eprintln!("{}", report.join("\n"));
}
