//! The survey definition model (`"format": "survey/1"`), as organisers write it in JSON.
//!
//! Every struct denies unknown fields: a typo such as `"requried": true` must be reported on the
//! organiser's desk, not discovered on a doorstep. Construct a `Survey` through
//! [`crate::validate::load_survey`], which reports every problem at once; deserialising directly
//! stops at the first one.

use crate::text::Text;
use serde::{Deserialize, Serialize};

/// The only definition format version this build reads.
pub const FORMAT_VERSION: &str = "survey/1";

/// A whole survey: metadata, sections of questions, and the weighted indicator tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Survey {
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
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub questions: Vec<Question>,
}

/// The kinds of question this build understands. The format reserves `multiple`, `yes_no`,
/// `integer`, `decimal`, `date`, `matrix` and `note`; they are rejected with a clear message
/// until the engine supports them, rather than being accepted and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One choice out of a list.
    Single,
    /// A rating scale with scored points and optional unscored answers ("don't know").
    Scale,
    /// Free text.
    Text,
}

impl QuestionKind {
    /// Kind names accepted in `kind`, for error messages.
    pub const NAMES: [&'static str; 3] = ["single", "scale", "text"];
}

/// One question. Kind-specific fields are optional here and checked against `kind` by validation,
/// so that a misplaced field gets a message naming the kind instead of a bare parse error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// `single`: the choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<Choice>>,
    /// `scale`: the scored points; the lowest value scores 0, the highest 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<ScalePoint>>,
    /// `scale`: point values that count toward the satisfaction rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfied: Option<Vec<i64>>,
    /// `scale`: answers that are given but not scored ("don't know", "not applicable").
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
}

/// A choice of a `single` question; `value` is what is stored in responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: Text,
}

/// A point of a scale, or an unscored answer beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalePoint {
    pub value: i64,
    pub label: Text,
}

/// A node of the indicator tree: a dimension, a sub-item, or a leaf that questions point to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub id: String,
    pub name: Text,
}

/// Thresholds for the quality checks departments run on responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quality {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_seconds_per_question: Option<f64>,
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

impl Question {
    /// Whether `value` is one of this scale's unscored answers ("don't know").
    pub fn is_unscored_value(&self, value: i64) -> bool {
        self.unscored.as_deref().unwrap_or_default().iter().any(|p| p.value == value)
    }
}
