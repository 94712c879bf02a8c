//! Pure core of the survey kit: the survey definition format, its validation, canonical hashes
//! and the response model. Shared by the field app (wasm32) and the `survey` command.
//!
//! This crate does no IO and reads no clock or random source: times, ids and file contents come
//! in as arguments. That keeps every result reproducible and lets the same code run in a browser
//! and on a desktop. `tests/tidy.rs` enforces it.

pub mod bundle;
pub mod canonical;
pub mod charts;
pub mod definition;
pub mod expr;
pub mod import;
pub mod logic;
pub mod messages;
pub mod quality;
pub mod response;
pub mod score;
pub mod text;
pub mod validate;

#[cfg(test)]
mod test_support;

pub use canonical::{fingerprint, short_fingerprint};
pub use definition::{Question, QuestionKind, Section, Survey};
pub use logic::{Logic, Relevance};
pub use messages::MessageLang;
pub use response::{Answer, AnswerValue, Draft, DraftStart, Mode, NotFinished, Problem, Status};
pub use text::Text;
pub use validate::{load_survey, validate, Diagnostic, LoadedSurvey, Severity};
