//! Plans as data (`test_data/plan/{ok,err}/<case>/`): each folder holds a `plan.json` and the
//! frame files it names. Every `ok` plan builds into a round with no finding; every `err` plan is
//! refused with exactly the problems in its `expected.txt` (one per line, every problem at once).
//! `UPDATE_EXPECT=1` rewrites the expectations.

use std::fs;
use std::path::{Path, PathBuf};
use survey_core::round::plan::{build, Plan, PlanProblem};

fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/plan").join(kind);
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

fn build_case(case: &Path) -> Result<survey_core::round::RoundPayload, Vec<PlanProblem>> {
    let bytes = fs::read(case.join("plan.json")).expect("plan.json");
    let plan = Plan::parse("plan.json", &bytes)?;
    let read = |relative: &str| fs::read(case.join(relative)).map_err(|err| err.kind().to_string());
    build("plan.json", &plan, &read, &[7u8; 32])
}

#[test]
fn ok_plans_build_into_sound_rounds() {
    let cases = cases("ok");
    assert!(cases.len() >= 2);
    for case in cases {
        let payload = build_case(&case).unwrap_or_else(|problems| {
            panic!("{}: {}", case.display(), problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
        });
        #[cfg(feature = "verify")]
        {
            let findings = survey_core::round::verify::check_payload(&payload);
            assert!(findings.is_empty(), "{}: {findings:?}", case.display());
        }
        assert!(payload.sampled_units().count() >= 1);
    }
}

#[test]
fn err_plans_are_refused_with_every_problem() {
    let cases = cases("err");
    assert!(cases.len() >= 10);
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    for case in cases {
        let problems = match build_case(&case) {
            Ok(_) => panic!("{}: the plan was accepted", case.display()),
            Err(problems) => problems,
        };
        let actual: String = problems.iter().map(|p| format!("{p}\n")).collect();
        let expected_path = case.join("expected.txt");
        if update {
            fs::write(&expected_path, &actual).expect("write expected.txt");
            continue;
        }
        let expected = fs::read_to_string(&expected_path)
            .unwrap_or_else(|err| panic!("{}: {err} (UPDATE_EXPECT=1 writes it)", expected_path.display()));
        assert_eq!(actual, expected, "{}", case.display());
    }
}
