//! The survey definition model (`"format": "survey/1"`), as organisers write it in JSON.
//!
//! Every struct denies unknown fields: a typo such as `"requried": true` must be reported on the
//! organiser's desk, not discovered on a doorstep. Construct a `Survey` through
//! [`crate::definition::validate::load_survey`], which reports every problem at once; deserialising directly
//! stops at the first one.

use crate::definition::text::Text;
use serde::{Deserialize, Serialize};

/// The only definition format version this build reads.
pub const FORMAT_VERSION: &str = "survey/1";

/// A whole survey: metadata, sections of questions, and the weighted indicator tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// The version of the definition format: `survey/1`.
    #[cfg_attr(feature = "schema", schemars(extend("const" = FORMAT_VERSION)))]
    pub format: String,
    pub id: String,
    pub version: String,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Language tags, the first being the default (`["zh-CN", "en"]`).
    pub languages: Vec<String>,
    pub sections: Vec<Section>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<Indicator>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<Unit>,
    /// age X25519 recipients (`age1...`) that result bundles are encrypted to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<Quality>,
}

/// One page of the questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub questions: Vec<Question>,
}

/// The kinds of question (the XLSForm and SurveyJS basics, plus the satisfaction grid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One choice out of a list; the answer is the choice's value.
    Single,
    /// Several choices; the answer is the list of values, within `min_selected`/`max_selected`.
    Multiple,
    /// A rating scale with scored points and optional unscored answers ("don't know").
    Scale,
    /// Yes or no; the answer is `true` or `false`.
    YesNo,
    /// A whole number within `min`/`max`.
    Integer,
    /// A number within `min`/`max`.
    Decimal,
    /// Free text, short or `multiline`, up to `max_length` characters.
    Text,
    /// A calendar date `YYYY-MM-DD`, within `min_date`/`max_date`.
    Date,
    /// Several rows sharing one scale (the satisfaction grid); the answer maps row ids to points.
    Matrix,
    /// Display only: a text shown to the resident, no answer.
    Note,
}

impl QuestionKind {
    pub fn name(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::Scale => "scale",
            QuestionKind::YesNo => "yes_no",
            QuestionKind::Integer => "integer",
            QuestionKind::Decimal => "decimal",
            QuestionKind::Text => "text",
            QuestionKind::Date => "date",
            QuestionKind::Matrix => "matrix",
            QuestionKind::Note => "note",
        }
    }

    /// Kinds whose answers are scored: each point answer becomes an item score.
    pub fn is_scored(self) -> bool {
        matches!(self, QuestionKind::Scale | QuestionKind::Matrix)
    }

    /// Kinds with a choice list.
    pub fn has_choices(self) -> bool {
        matches!(self, QuestionKind::Single | QuestionKind::Multiple)
    }
}

/// One question. Kind-specific fields are optional here and checked against `kind` by validation,
/// so that a misplaced field gets a message naming the kind instead of a bare parse error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// `single`, `multiple`: the choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<Choice>>,
    /// `scale`, `matrix`: the scored points; the lowest value scores 0, the highest 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<ScalePoint>>,
    /// `scale`, `matrix`: point values that count toward the satisfaction rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfied: Option<Vec<i64>>,
    /// `scale`, `matrix`: answers that are given but not scored ("don't know", "not applicable").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unscored: Option<Vec<ScalePoint>>,
    /// `scale`: the scale is flipped before scoring (a high answer is a bad sign).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reverse: bool,
    /// `scale`: the id of the item this one mirrors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_of: Option<String>,
    /// `scale`: the leaf of the indicator tree this question feeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// `scale`: weight within its indicator (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// `text`: a multi-line answer box.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiline: bool,
    /// `text`: the longest answer accepted, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// `multiple`: the fewest and most choices that may be selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_selected: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_selected: Option<u32>,
    /// `integer`, `decimal`: the accepted range, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// `date`: the accepted range, inclusive, as `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_date: Option<String>,
    /// `matrix`: the rows, each an item rated on the shared `points`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<MatrixRow>>,
    /// Show the question only when this expression is true, e.g. `${lived_years} != 'lt1'`.
    /// Answers of a question that becomes irrelevant stay in the draft but are not part of the
    /// response and are not scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// An answer is accepted only when this expression is true; `.` is the answer itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// Shown when the constraint fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint_message: Option<Text>,
    /// The answer a new response starts with (a valid answer for the kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::definition::any_json"))]
    pub default: Option<serde_json::Value>,
}

/// Schema of a field that holds any JSON value (the kind decides what is valid).
#[cfg(feature = "schema")]
pub(crate) fn any_json(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({})
}

/// A row of a `matrix` question: one rated item sharing the matrix's scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MatrixRow {
    /// Unique within the matrix; the item is addressed as `QUESTION.ROW`.
    pub id: String,
    pub label: Text,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reverse: bool,
    /// The item (`QID` or `QID.ROW`) this row mirrors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// A choice of a `single` question; `value` is what is stored in responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: Text,
}

/// A point of a scale, or an unscored answer beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScalePoint {
    pub value: i64,
    pub label: Text,
}

/// A node of the indicator tree: a dimension, a sub-item, or a leaf that questions point to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub title: Text,
    pub weight: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Indicator>,
}

/// A unit being evaluated (a village, community, branch or project).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub id: String,
    pub name: Text,
}

/// Thresholds for the quality checks departments run on responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Quality {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_seconds_per_question: Option<f64>,
}

/// The JSON Schema of the definition format, generated from these types, for editors.
#[cfg(feature = "schema")]
pub fn json_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Survey)).unwrap_or_default();
    if let Some(object) = schema.as_object_mut() {
        object.insert("title".into(), "Survey definition (survey/1)".into());
    }
    schema
}

impl Survey {
    /// All questions in page order, with the index of their section.
    pub fn questions(&self) -> impl Iterator<Item = (usize, &Question)> {
        self.sections
            .iter()
            .enumerate()
            .flat_map(|(section_idx, section)| section.questions.iter().map(move |q| (section_idx, q)))
    }

    /// The question with this id.
    pub fn question(&self, question_id: &str) -> Option<&Question> {
        self.questions().map(|(_, q)| q).find(|q| q.id == question_id)
    }

    /// The language used when a requested one is missing: the first listed.
    pub fn default_language(&self) -> &str {
        self.languages.first().map_or("zh-CN", String::as_str)
    }
}

/// A scored item: a `scale` question, or one row of a `matrix`.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub question: &'a Question,
    pub row: Option<&'a MatrixRow>,
    /// Index of the section and of the question within it (the question's place on its page).
    pub section_idx: usize,
    pub question_pos: usize,
    /// Index of the row within the matrix.
    pub row_idx: Option<usize>,
}

impl<'a> Item<'a> {
    /// `QID` for a scale question, `QID.ROW` for a matrix row.
    pub fn key(&self) -> String {
        match self.row {
            Some(row) => format!("{}.{}", self.question.id, row.id),
            None => self.question.id.clone(),
        }
    }

    pub fn indicator(&self) -> Option<&'a str> {
        match self.row {
            Some(row) => row.indicator.as_deref(),
            None => self.question.indicator.as_deref(),
        }
    }

    /// Weight within its indicator; 1 when not given.
    pub fn weight(&self) -> f64 {
        match self.row {
            Some(row) => row.weight,
            None => self.question.weight,
        }
        .unwrap_or(1.0)
    }

    pub fn reverse(&self) -> bool {
        self.row.map_or(self.question.reverse, |row| row.reverse)
    }

    pub fn reverse_of(&self) -> Option<&'a str> {
        match self.row {
            Some(row) => row.reverse_of.as_deref(),
            None => self.question.reverse_of.as_deref(),
        }
    }
}

impl Survey {
    /// Every scored item in page order.
    pub fn items(&self) -> Vec<Item<'_>> {
        let mut items = Vec::new();
        for (section_idx, section) in self.sections.iter().enumerate() {
            for (question_pos, question) in section.questions.iter().enumerate() {
                match question.kind {
                    QuestionKind::Scale => {
                        items.push(Item { question, row: None, section_idx, question_pos, row_idx: None })
                    }
                    QuestionKind::Matrix => {
                        for (row_idx, row) in question.rows.as_deref().unwrap_or_default().iter().enumerate() {
                            items.push(Item {
                                question,
                                row: Some(row),
                                section_idx,
                                question_pos,
                                row_idx: Some(row_idx),
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        items
    }
}

impl Question {
    /// Whether `value` is one of this scale's unscored answers ("don't know").
    pub fn is_unscored_value(&self, value: i64) -> bool {
        self.unscored.as_deref().unwrap_or_default().iter().any(|p| p.value == value)
    }
}
