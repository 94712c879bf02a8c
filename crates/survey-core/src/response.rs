//! Responses being collected: the draft a tablet keeps while an interview goes on.
//!
//! A draft is pinned to the exact definition it started with (survey id and fingerprint), so a
//! new version of a survey never reinterprets answers already given. Times are milliseconds since
//! the Unix epoch, passed in by the caller: this crate reads no clock.

use crate::definition::logic::{Logic, Relevance};
use crate::definition::{Question, QuestionKind, Survey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// An answer's value, by kind: `single`, `text`, `date`: text; `scale`, `integer`: a whole
/// number; `decimal`: a number; `yes_no`: a boolean; `multiple`: a list of choice values;
/// `matrix`: row id to point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Bool(bool),
    Number(i64),
    Decimal(f64),
    Text(String),
    List(Vec<String>),
    Rows(BTreeMap<String, i64>),
}

/// One answer with the facts later quality checks need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub value: AnswerValue,
    /// When it was last set (ms since the epoch).
    pub at: i64,
    /// How many times it was changed after first being given.
    pub changes: u32,
}

/// Who holds the tablet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The evaluator reads the questions and records the answers.
    Interview,
    /// The resident fills the survey in.
    #[serde(rename = "self")]
    SelfCompletion,
}

/// Where a response is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Complete,
}

/// A response in progress or finished, as stored on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub id: String,
    pub survey_id: String,
    pub survey_version: String,
    pub fingerprint: String,
    #[serde(default)]
    pub unit: Option<String>,
    /// Every answer given, including those of questions that later became irrelevant: they are
    /// kept so that changing an earlier answer back restores them.
    pub answers: BTreeMap<String, Answer>,
    pub started_at: i64,
    #[serde(default)]
    pub finished_at: Option<i64>,
    /// The page (section index) the evaluator is on, so a reload resumes there.
    pub page: usize,
    pub status: Status,
    pub mode: Mode,
    pub lang: String,
    pub app_version: String,
    /// The device's sequence number, assigned when the response was finished (in the same
    /// storage transaction as the finished response itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// When the response was last written into an exported bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_at: Option<i64>,
    /// In an evaluation round: the household interviewed and its place in the draw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<Sample>,
}

/// A response's place in a round's sample (`bundle/2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    /// The round id.
    pub round: String,
    /// The household code interviewed.
    pub household: String,
    /// The household's 1-based position in the unit's draw order; `None` off-sample.
    pub slot: Option<u64>,
    pub off_sample: bool,
}

/// Why an answer was refused outright (it cannot be an answer to the question at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    UnknownQuestion(String),
    NotAChoice {
        question: String,
        value: String,
    },
    NotAPoint {
        question: String,
        value: i64,
    },
    UnknownRow {
        question: String,
        row: String,
    },
    NotADate {
        question: String,
        value: String,
    },
    WrongType {
        question: String,
    },
    TooLong {
        question: String,
        max_length: u32,
    },
    /// A `note` takes no answer.
    NotAnswerable {
        question: String,
    },
    Finalised,
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerError::UnknownQuestion(q) => write!(f, "the survey has no question `{q}`"),
            AnswerError::NotAChoice { question, value } => write!(f, "`{value}` is not a choice of `{question}`"),
            AnswerError::NotAPoint { question, value } => write!(f, "{value} is not a point of `{question}`"),
            AnswerError::UnknownRow { question, row } => write!(f, "`{question}` has no row `{row}`"),
            AnswerError::NotADate { question, value } => {
                write!(f, "`{value}` is not a date (YYYY-MM-DD) for `{question}`")
            }
            AnswerError::WrongType { question } => write!(f, "wrong kind of value for `{question}`"),
            AnswerError::TooLong { question, max_length } => {
                write!(f, "the answer to `{question}` is longer than {max_length} characters")
            }
            AnswerError::NotAnswerable { question } => write!(f, "`{question}` is a note and takes no answer"),
            AnswerError::Finalised => write!(f, "the response is already finalised"),
        }
    }
}

/// Something wrong with a stored answer that must be fixed before the response is finished.
/// Such answers are kept (nothing typed is lost) but block finalising.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A number outside `min`/`max`.
    OutOfRange {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// A date outside `min_date`/`max_date`.
    DateOutOfRange {
        min: Option<String>,
        max: Option<String>,
    },
    TooFewSelected {
        min: u32,
    },
    TooManySelected {
        max: u32,
    },
    /// The question's `constraint` expression is false.
    Constraint,
}

/// Whether `text` is a real calendar date written `YYYY-MM-DD`.
pub fn is_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| text.get(range).and_then(|s| s.parse::<u32>().ok());
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else { return false };
    if !text[0..4].bytes().chain(text[5..7].bytes()).chain(text[8..10].bytes()).all(|b| b.is_ascii_digit()) {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

fn is_point(question: &Question, value: i64) -> bool {
    question.points.as_deref().unwrap_or_default().iter().any(|p| p.value == value) || question.is_unscored_value(value)
}

/// Checks that `value` can be an answer to `question` at all. Range-like rules (min/max,
/// number of selections, constraints) are checked by [`answer_problems`] instead, so that what
/// the evaluator entered is kept and shown with its problem rather than silently dropped.
pub fn check_answer(question: &Question, value: &AnswerValue) -> Result<(), AnswerError> {
    let question_id = question.id.clone();
    let choices = || question.choices.as_deref().unwrap_or_default();
    match (question.kind, value) {
        (QuestionKind::Note, _) => Err(AnswerError::NotAnswerable { question: question_id }),
        (QuestionKind::Single, AnswerValue::Text(choice)) => {
            if choices().iter().any(|c| &c.value == choice) {
                Ok(())
            } else {
                Err(AnswerError::NotAChoice { question: question_id, value: choice.clone() })
            }
        }
        (QuestionKind::Multiple, AnswerValue::List(selected)) => {
            for (idx, choice) in selected.iter().enumerate() {
                if !choices().iter().any(|c| &c.value == choice) || selected[..idx].contains(choice) {
                    return Err(AnswerError::NotAChoice { question: question_id, value: choice.clone() });
                }
            }
            Ok(())
        }
        (QuestionKind::Scale, AnswerValue::Number(point)) => {
            if is_point(question, *point) {
                Ok(())
            } else {
                Err(AnswerError::NotAPoint { question: question_id, value: *point })
            }
        }
        (QuestionKind::Matrix, AnswerValue::Rows(rows)) => {
            let known = question.rows.as_deref().unwrap_or_default();
            for (row, point) in rows {
                if !known.iter().any(|r| &r.id == row) {
                    return Err(AnswerError::UnknownRow { question: question_id, row: row.clone() });
                }
                if !is_point(question, *point) {
                    return Err(AnswerError::NotAPoint { question: question_id, value: *point });
                }
            }
            Ok(())
        }
        (QuestionKind::YesNo, AnswerValue::Bool(_))
        | (QuestionKind::Integer, AnswerValue::Number(_))
        | (QuestionKind::Decimal, AnswerValue::Number(_)) => Ok(()),
        (QuestionKind::Decimal, AnswerValue::Decimal(x)) if x.is_finite() => Ok(()),
        (QuestionKind::Text, AnswerValue::Text(text)) => match question.max_length {
            Some(max_length) if text.chars().count() > max_length as usize => {
                Err(AnswerError::TooLong { question: question_id, max_length })
            }
            _ => Ok(()),
        },
        (QuestionKind::Date, AnswerValue::Text(date)) => {
            if is_iso_date(date) {
                Ok(())
            } else {
                Err(AnswerError::NotADate { question: question_id, value: date.clone() })
            }
        }
        _ => Err(AnswerError::WrongType { question: question_id }),
    }
}

/// The kind-level problems of an answer (ranges, selection counts); constraints are added by
/// [`Draft::problems`], which knows the other answers.
pub fn answer_problems(question: &Question, value: &AnswerValue) -> Option<Problem> {
    match (question.kind, value) {
        (QuestionKind::Integer | QuestionKind::Decimal, AnswerValue::Number(_) | AnswerValue::Decimal(_)) => {
            let x = match value {
                AnswerValue::Number(n) => *n as f64,
                AnswerValue::Decimal(x) => *x,
                _ => return None,
            };
            let below = question.min.is_some_and(|min| x < min);
            let above = question.max.is_some_and(|max| x > max);
            (below || above).then_some(Problem::OutOfRange { min: question.min, max: question.max })
        }
        (QuestionKind::Date, AnswerValue::Text(date)) => {
            let below = question.min_date.as_ref().is_some_and(|min| date < min);
            let above = question.max_date.as_ref().is_some_and(|max| date > max);
            (below || above)
                .then(|| Problem::DateOutOfRange { min: question.min_date.clone(), max: question.max_date.clone() })
        }
        (QuestionKind::Multiple, AnswerValue::List(selected)) => {
            let count = selected.len() as u32;
            match (question.min_selected, question.max_selected) {
                (Some(min), _) if count < min => Some(Problem::TooFewSelected { min }),
                (_, Some(max)) if count > max => Some(Problem::TooManySelected { max }),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Why a response cannot be finished yet.
#[derive(Debug, Clone, PartialEq)]
pub struct NotFinished {
    /// Relevant required questions without a (complete) answer, in page order.
    pub missing: Vec<String>,
    /// Relevant answers with a problem, in page order.
    pub invalid: Vec<(String, Problem)>,
}

/// What a new draft needs to know beyond the survey.
#[derive(Debug, Clone)]
pub struct DraftStart {
    pub id: String,
    pub unit: Option<String>,
    pub now: i64,
    pub mode: Mode,
    pub lang: String,
    pub app_version: String,
}

impl Draft {
    /// A new, empty draft pinned to `survey` with the given fingerprint.
    pub fn new(survey: &Survey, fingerprint: &str, start: DraftStart) -> Self {
        Draft {
            id: start.id,
            survey_id: survey.id.clone(),
            survey_version: survey.version.clone(),
            fingerprint: fingerprint.to_owned(),
            unit: start.unit,
            answers: BTreeMap::new(),
            started_at: start.now,
            finished_at: None,
            page: 0,
            status: Status::Draft,
            mode: start.mode,
            lang: start.lang,
            app_version: start.app_version,
            seq: None,
            exported_at: None,
            sample: None,
        }
    }

    /// Records an answer. Giving the same value again changes nothing; a different value counts
    /// as a change. Returns whether the draft changed (and so must be saved).
    pub fn set_answer(
        &mut self,
        survey: &Survey,
        question_id: &str,
        value: AnswerValue,
        now: i64,
    ) -> Result<bool, AnswerError> {
        if self.status != Status::Draft {
            return Err(AnswerError::Finalised);
        }
        let question =
            survey.question(question_id).ok_or_else(|| AnswerError::UnknownQuestion(question_id.to_owned()))?;
        check_answer(question, &value)?;
        match self.answers.get_mut(question_id) {
            Some(answer) if answer.value == value => Ok(false),
            Some(answer) => {
                answer.value = value;
                answer.at = now;
                answer.changes = answer.changes.saturating_add(1);
                Ok(true)
            }
            None => {
                self.answers.insert(question_id.to_owned(), Answer { value, at: now, changes: 0 });
                Ok(true)
            }
        }
    }

    /// Removes an answer (an emptied text box, an unticked last choice). Returns whether there was one.
    pub fn clear_answer(&mut self, question_id: &str) -> bool {
        self.status == Status::Draft && self.answers.remove(question_id).is_some()
    }

    /// Applies each question's `default` to a new draft (defaults that are not valid answers
    /// are skipped; validation reports them).
    pub fn apply_defaults(&mut self, survey: &Survey, now: i64) {
        for (_, question) in survey.questions() {
            let Some(default) = &question.default else { continue };
            if let Ok(value) = serde_json::from_value::<AnswerValue>(default.clone()) {
                let _ = self.set_answer(survey, &question.id, value, now);
            }
        }
    }

    /// Whether the question has a complete answer (every row of a matrix).
    fn is_answered(&self, question: &Question) -> bool {
        match (question.kind, self.answers.get(&question.id).map(|a| &a.value)) {
            (QuestionKind::Matrix, Some(AnswerValue::Rows(rows))) => {
                question.rows.as_deref().unwrap_or_default().iter().all(|row| rows.contains_key(&row.id))
            }
            (QuestionKind::Multiple, Some(AnswerValue::List(items))) => !items.is_empty(),
            (_, answer) => answer.is_some(),
        }
    }

    /// Relevant required questions not answered yet, in page order, with their section index.
    pub fn missing_required<'a>(
        &self,
        survey: &'a Survey,
        logic: &Logic,
        relevance: &Relevance,
    ) -> Vec<(usize, &'a Question)> {
        survey
            .questions()
            .filter(|(_, q)| q.required && q.kind != QuestionKind::Note && logic.is_relevant(&q.id, relevance))
            .filter(|(_, q)| !self.is_answered(q))
            .collect()
    }

    /// Problems of the relevant answers, in page order.
    pub fn problems(&self, survey: &Survey, logic: &Logic, relevance: &Relevance) -> Vec<(String, Problem)> {
        let mut out = Vec::new();
        for (_, question) in survey.questions() {
            let Some(answer) = self.answers.get(&question.id) else { continue };
            if !logic.is_relevant(&question.id, relevance) {
                continue;
            }
            if let Some(problem) = answer_problems(question, &answer.value) {
                out.push((question.id.clone(), problem));
            } else if !logic.constraint_holds(&question.id, &self.answers, relevance) {
                out.push((question.id.clone(), Problem::Constraint));
            }
        }
        out
    }

    /// The answers that make up the response: those of relevant questions only. Answers of
    /// questions that became irrelevant stay in the draft but are not reported or scored.
    pub fn relevant_answers(&self, logic: &Logic, relevance: &Relevance) -> BTreeMap<String, Answer> {
        self.answers
            .iter()
            .filter(|(id, _)| logic.is_relevant(id, relevance))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// (answered, total) over the relevant questions that take an answer, for the progress bar.
    pub fn progress(&self, survey: &Survey, logic: &Logic, relevance: &Relevance) -> (usize, usize) {
        let counted: Vec<&Question> = survey
            .questions()
            .map(|(_, q)| q)
            .filter(|q| q.kind != QuestionKind::Note && logic.is_relevant(&q.id, relevance))
            .collect();
        let answered = counted.iter().filter(|q| self.is_answered(q)).count();
        (answered, counted.len())
    }

    /// Marks the draft complete. Refuses while relevant required answers are missing or
    /// relevant answers have problems.
    pub fn finalise(&mut self, survey: &Survey, logic: &Logic, now: i64) -> Result<(), NotFinished> {
        let relevance = logic.evaluate_all(&self.answers);
        let missing: Vec<String> =
            self.missing_required(survey, logic, &relevance).into_iter().map(|(_, q)| q.id.clone()).collect();
        let invalid = self.problems(survey, logic, &relevance);
        if !missing.is_empty() || !invalid.is_empty() {
            return Err(NotFinished { missing, invalid });
        }
        self.status = Status::Complete;
        self.finished_at = Some(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::validate::load_survey;

    const SURVEY: &str = r#"{
      "format": "survey/1", "id": "s", "version": "1", "title": {"en": "S"}, "languages": ["en"],
      "sections": [{"id": "a", "title": {"en": "A"}, "questions": [
        {"id": "q1", "kind": "scale", "required": true, "title": {"en": "Q1"},
         "points": [{"value": 1, "label": {"en": "bad"}}, {"value": 5, "label": {"en": "good"}}],
         "unscored": [{"value": 9, "label": {"en": "don't know"}}]},
        {"id": "q2", "kind": "single", "title": {"en": "Q2"}, "choices": [{"value": "y", "label": {"en": "Yes"}}]},
        {"id": "q3", "kind": "text", "max_length": 3, "title": {"en": "Q3"}}
      ]}]}"#;

    fn survey() -> Survey {
        load_survey(SURVEY).survey.expect("test survey is valid")
    }

    fn draft(survey: &Survey) -> Draft {
        let start = DraftStart {
            id: "r1".into(),
            unit: None,
            now: 1000,
            mode: Mode::Interview,
            lang: "en".into(),
            app_version: "0".into(),
        };
        Draft::new(survey, "f", start)
    }

    #[test]
    fn answers_count_changes_and_ignore_repeats() {
        let survey = survey();
        let mut draft = draft(&survey);
        assert_eq!(draft.set_answer(&survey, "q1", AnswerValue::Number(5), 2000), Ok(true));
        assert_eq!(draft.set_answer(&survey, "q1", AnswerValue::Number(5), 2500), Ok(false));
        assert_eq!(draft.set_answer(&survey, "q1", AnswerValue::Number(9), 3000), Ok(true));
        let answer = &draft.answers["q1"];
        assert_eq!((answer.changes, answer.at), (1, 3000));
        let logic = Logic::new(&survey);
        assert_eq!(draft.progress(&survey, &logic, &logic.evaluate_all(&draft.answers)), (1, 3));
    }

    #[test]
    fn refuses_values_the_question_does_not_offer() {
        let survey = survey();
        let mut draft = draft(&survey);
        assert!(matches!(
            draft.set_answer(&survey, "q1", AnswerValue::Number(3), 0),
            Err(AnswerError::NotAPoint { .. })
        ));
        assert!(matches!(
            draft.set_answer(&survey, "q2", AnswerValue::Text("n".into()), 0),
            Err(AnswerError::NotAChoice { .. })
        ));
        assert!(matches!(
            draft.set_answer(&survey, "q3", AnswerValue::Text("abcd".into()), 0),
            Err(AnswerError::TooLong { .. })
        ));
        assert!(matches!(
            draft.set_answer(&survey, "q3", AnswerValue::Number(1), 0),
            Err(AnswerError::WrongType { .. })
        ));
        assert!(matches!(
            draft.set_answer(&survey, "zz", AnswerValue::Number(1), 0),
            Err(AnswerError::UnknownQuestion(_))
        ));
        assert!(draft.answers.is_empty());
    }

    #[test]
    fn finalise_needs_required_answers_then_freezes() {
        let survey = survey();
        let logic = Logic::new(&survey);
        let mut draft = draft(&survey);
        assert_eq!(
            draft.finalise(&survey, &logic, 5000),
            Err(NotFinished { missing: vec!["q1".to_owned()], invalid: vec![] })
        );
        draft.set_answer(&survey, "q1", AnswerValue::Number(9), 6000).unwrap();
        assert_eq!(draft.finalise(&survey, &logic, 7000), Ok(()));
        assert_eq!((draft.status, draft.finished_at), (Status::Complete, Some(7000)));
        assert_eq!(draft.set_answer(&survey, "q2", AnswerValue::Text("y".into()), 8000), Err(AnswerError::Finalised));
    }

    #[test]
    fn draft_round_trips_through_json_with_mode_names() {
        let survey = survey();
        let mut draft = draft(&survey);
        draft.mode = Mode::SelfCompletion;
        draft.set_answer(&survey, "q2", AnswerValue::Text("y".into()), 1).unwrap();
        let json = serde_json::to_string(&draft).unwrap();
        assert!(json.contains(r#""mode":"self""#), "{json}");
        assert_eq!(serde_json::from_str::<Draft>(&json).unwrap(), draft);
    }

    const ALL_KINDS: &str = r#"{
      "format": "survey/1", "id": "k", "version": "1", "title": {"en": "K"}, "languages": ["en"],
      "sections": [{"id": "a", "title": {"en": "A"}, "questions": [
        {"id": "topics", "kind": "multiple", "min_selected": 1, "max_selected": 2, "required": true, "title": {"en": "T"},
         "choices": [{"value": "roads", "label": {"en": "Roads"}}, {"value": "water", "label": {"en": "Water"}}, {"value": "waste", "label": {"en": "Waste"}}]},
        {"id": "visited", "kind": "yes_no", "title": {"en": "V"}},
        {"id": "visits", "kind": "integer", "min": 1, "max": 50, "relevant": "${visited}", "required": true, "title": {"en": "N"}},
        {"id": "spend", "kind": "decimal", "min": 0, "title": {"en": "S"}},
        {"id": "when", "kind": "date", "min_date": "2026-01-01", "max_date": "2026-12-31", "title": {"en": "D"}},
        {"id": "grid", "kind": "matrix", "required": true, "title": {"en": "G"},
         "points": [{"value": 1, "label": {"en": "bad"}}, {"value": 5, "label": {"en": "good"}}],
         "rows": [{"id": "staff", "label": {"en": "Staff"}}, {"id": "fees", "label": {"en": "Fees"}}]},
        {"id": "intro", "kind": "note", "title": {"en": "Thanks"}}
      ]}]}"#;

    #[test]
    fn every_kind_checks_its_values() {
        let survey = load_survey(ALL_KINDS).survey.expect("valid");
        let mut draft = draft(&survey);
        let list = |items: &[&str]| AnswerValue::List(items.iter().map(|s| (*s).to_owned()).collect());
        assert_eq!(draft.set_answer(&survey, "topics", list(&["roads", "water"]), 1), Ok(true));
        assert!(matches!(
            draft.set_answer(&survey, "topics", list(&["roads", "roads"]), 1),
            Err(AnswerError::NotAChoice { .. })
        ));
        assert!(matches!(draft.set_answer(&survey, "topics", list(&["sky"]), 1), Err(AnswerError::NotAChoice { .. })));
        assert!(draft.set_answer(&survey, "visited", AnswerValue::Bool(true), 1).is_ok());
        assert!(matches!(
            draft.set_answer(&survey, "visits", AnswerValue::Decimal(1.5), 1),
            Err(AnswerError::WrongType { .. })
        ));
        assert!(draft.set_answer(&survey, "spend", AnswerValue::Decimal(12.5), 1).is_ok());
        assert!(draft.set_answer(&survey, "spend", AnswerValue::Number(12), 1).is_ok(), "a whole number is a decimal");
        assert!(matches!(
            draft.set_answer(&survey, "when", AnswerValue::Text("2026-02-30".into()), 1),
            Err(AnswerError::NotADate { .. })
        ));
        assert!(draft.set_answer(&survey, "when", AnswerValue::Text("2026-02-28".into()), 1).is_ok());
        let rows =
            |pairs: &[(&str, i64)]| AnswerValue::Rows(pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect());
        assert!(matches!(
            draft.set_answer(&survey, "grid", rows(&[("taxes", 1)]), 1),
            Err(AnswerError::UnknownRow { .. })
        ));
        assert!(matches!(
            draft.set_answer(&survey, "grid", rows(&[("staff", 3)]), 1),
            Err(AnswerError::NotAPoint { .. })
        ));
        assert!(draft.set_answer(&survey, "grid", rows(&[("staff", 5)]), 1).is_ok());
        assert!(matches!(
            draft.set_answer(&survey, "intro", AnswerValue::Bool(true), 1),
            Err(AnswerError::NotAnswerable { .. })
        ));
    }

    #[test]
    fn finalise_lists_missing_and_invalid_answers_of_relevant_questions_only() {
        let survey = load_survey(ALL_KINDS).survey.expect("valid");
        let logic = Logic::new(&survey);
        let mut draft = draft(&survey);
        let rows =
            |pairs: &[(&str, i64)]| AnswerValue::Rows(pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect());
        draft.set_answer(&survey, "grid", rows(&[("staff", 5)]), 1).unwrap();
        draft.set_answer(&survey, "visits", AnswerValue::Number(99), 1).unwrap();
        draft.set_answer(&survey, "when", AnswerValue::Text("2025-12-31".into()), 1).unwrap();
        let err = draft.finalise(&survey, &logic, 2).unwrap_err();
        // `visits` is irrelevant (visited not yes): neither missing nor invalid despite its 99.
        assert_eq!(err.missing, vec!["topics".to_owned(), "grid".to_owned()], "a half-answered grid is missing");
        assert_eq!(
            err.invalid,
            vec![(
                "when".to_owned(),
                Problem::DateOutOfRange { min: Some("2026-01-01".into()), max: Some("2026-12-31".into()) }
            )]
        );

        draft.set_answer(&survey, "visited", AnswerValue::Bool(true), 3).unwrap();
        let err = draft.finalise(&survey, &logic, 4).unwrap_err();
        assert!(err.invalid.contains(&("visits".to_owned(), Problem::OutOfRange { min: Some(1.0), max: Some(50.0) })));

        draft.set_answer(&survey, "visited", AnswerValue::Bool(false), 5).unwrap();
        let relevance = logic.evaluate_all(&draft.answers);
        assert!(draft.answers.contains_key("visits"), "kept in the draft");
        assert!(!draft.relevant_answers(&logic, &relevance).contains_key("visits"), "but not in the response");
        draft
            .set_answer(&survey, "topics", AnswerValue::List(vec!["roads".into(), "water".into(), "waste".into()]), 6)
            .unwrap();
        let err = draft.finalise(&survey, &logic, 7).unwrap_err();
        assert!(err.invalid.contains(&("topics".to_owned(), Problem::TooManySelected { max: 2 })));
    }

    #[test]
    fn dates_are_checked_for_the_calendar() {
        for good in ["2024-02-29", "2026-12-31", "2000-02-29"] {
            assert!(is_iso_date(good), "{good}");
        }
        for bad in [
            "2026-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-01-00",
            "2026-01-32",
            "20a6-01-01",
            "2026/01/01",
            "+202-01-01",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }
}
