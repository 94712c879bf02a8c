//! Responses being collected: the draft a tablet keeps while an interview goes on.
//!
//! A draft is pinned to the exact definition it started with (survey id and fingerprint), so a
//! new version of a survey never reinterprets answers already given. Times are milliseconds since
//! the Unix epoch, passed in by the caller: this crate reads no clock.

use crate::definition::{Question, QuestionKind, Survey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// An answer's value: a choice value or text (`single`, `text`), or a scale point (`scale`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Number(i64),
    Text(String),
}

/// One answer with the facts later quality checks need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    UnknownQuestion(String),
    NotAChoice { question: String, value: String },
    NotAPoint { question: String, value: i64 },
    WrongType { question: String },
    TooLong { question: String, max_length: u32 },
    Finalised,
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerError::UnknownQuestion(q) => write!(f, "the survey has no question `{q}`"),
            AnswerError::NotAChoice { question, value } => {
                write!(f, "`{value}` is not a choice of `{question}`")
            }
            AnswerError::NotAPoint { question, value } => {
                write!(f, "{value} is not a point of `{question}`")
            }
            AnswerError::WrongType { question } => {
                write!(f, "wrong kind of value for `{question}`")
            }
            AnswerError::TooLong { question, max_length } => {
                write!(f, "the answer to `{question}` is longer than {max_length} characters")
            }
            AnswerError::Finalised => write!(f, "the response is already finalised"),
        }
    }
}

/// Checks that `value` is a possible answer to `question`.
pub fn check_answer(question: &Question, value: &AnswerValue) -> Result<(), AnswerError> {
    let question_id = question.id.clone();
    match (question.kind, value) {
        (QuestionKind::Single, AnswerValue::Text(choice)) => {
            let known = question.choices.as_deref().unwrap_or_default().iter().any(|c| &c.value == choice);
            if known {
                Ok(())
            } else {
                Err(AnswerError::NotAChoice { question: question_id, value: choice.clone() })
            }
        }
        (QuestionKind::Scale, AnswerValue::Number(point)) => {
            let known = question.points.as_deref().unwrap_or_default().iter().any(|p| p.value == *point)
                || question.is_unscored_value(*point);
            if known {
                Ok(())
            } else {
                Err(AnswerError::NotAPoint { question: question_id, value: *point })
            }
        }
        (QuestionKind::Text, AnswerValue::Text(text)) => match question.max_length {
            Some(max_length) if text.chars().count() > max_length as usize => {
                Err(AnswerError::TooLong { question: question_id, max_length })
            }
            _ => Ok(()),
        },
        _ => Err(AnswerError::WrongType { question: question_id }),
    }
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

    /// Removes an answer (an emptied text box). Returns whether there was one.
    pub fn clear_answer(&mut self, question_id: &str) -> bool {
        self.status == Status::Draft && self.answers.remove(question_id).is_some()
    }

    /// Required questions not answered yet, in page order, with their section index.
    pub fn missing_required<'a>(&self, survey: &'a Survey) -> Vec<(usize, &'a Question)> {
        survey.questions().filter(|(_, q)| q.required && !self.answers.contains_key(&q.id)).collect()
    }

    /// (answered, total) over all questions, for the progress bar.
    pub fn progress(&self, survey: &Survey) -> (usize, usize) {
        let total = survey.questions().count();
        let answered = survey.questions().filter(|(_, q)| self.answers.contains_key(&q.id)).count();
        (answered, total)
    }

    /// Marks the draft complete. Refuses while required answers are missing, returning them.
    pub fn finalise(&mut self, survey: &Survey, now: i64) -> Result<(), Vec<String>> {
        let missing: Vec<String> = self.missing_required(survey).into_iter().map(|(_, q)| q.id.clone()).collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        self.status = Status::Complete;
        self.finished_at = Some(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::load_survey;

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
        assert_eq!(draft.progress(&survey), (1, 3));
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
        let mut draft = draft(&survey);
        assert_eq!(draft.finalise(&survey, 5000), Err(vec!["q1".to_owned()]));
        draft.set_answer(&survey, "q1", AnswerValue::Number(9), 6000).unwrap();
        assert_eq!(draft.finalise(&survey, 7000), Ok(()));
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
}
