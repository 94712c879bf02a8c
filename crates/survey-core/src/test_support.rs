//! Helpers shared by the unit tests of survey-core and of the crates above it (compiled for tests,
//! and for other crates' tests through the `test-support` feature).

use crate::bundle::ExportedResponse;
use crate::{Answer, AnswerValue, Mode};
use std::collections::BTreeMap;

/// A response to the small test surveys (scale questions `q1`, `q2` and matrix `m`); `None`
/// leaves a question unanswered, the matrix gets only the rows given.
pub fn response(unit: Option<&str>, q1: Option<i64>, q2: Option<i64>, rows: &[(&str, i64)]) -> ExportedResponse {
    let answer = |value| Answer { value, at: 0, changes: 0 };
    let mut answers = BTreeMap::new();
    if let Some(v) = q1 {
        answers.insert("q1".to_owned(), answer(AnswerValue::Number(v)));
    }
    if let Some(v) = q2 {
        answers.insert("q2".to_owned(), answer(AnswerValue::Number(v)));
    }
    if !rows.is_empty() {
        let rows = rows.iter().map(|(row, v)| ((*row).to_owned(), *v)).collect();
        answers.insert("m".to_owned(), answer(AnswerValue::Rows(rows)));
    }
    ExportedResponse {
        id: String::new(),
        survey_id: "t".into(),
        fingerprint: String::new(),
        unit: unit.map(str::to_owned),
        device: String::new(),
        seq: 0,
        answers,
        started_at: 0,
        finished_at: 0,
        mode: Mode::Interview,
        lang: "en".into(),
        app_version: String::new(),
        sample: None,
    }
}
