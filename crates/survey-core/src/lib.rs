//! Pure core of the survey kit, in folders along the data path:
//!
//! - [`definition`]: the survey definition format (`survey/1`), its texts, the expression
//!   language, compiled skip logic and constraints, validation and the text of every diagnostic;
//! - [`response`]: a response being collected on a tablet, its answers, checks and finalise;
//! - [`bundle`]: the signed result bundle a tablet exports, the roster of enrolled devices and
//!   the verifier (feature `verify`);
//! - [`round`]: evaluation rounds the organiser signs: the draw rule `draw/1`, household
//!   frames, the plan and the round file and its verifier;
//! - [`analysis`]: verified bundles imported and deduplicated, quality flags, scoring;
//! - [`canonical`]: RFC 8785 canonical JSON, SHA-256 and fingerprints, used by all of them.
//!
//! Shared by the field app (wasm32), the department's pipeline and the `survey` command.
//! This crate does no IO and reads no clock or random source: times, ids and file contents come
//! in as arguments. That keeps every result reproducible and lets the same code run in a browser
//! and on a desktop. `tests/tidy.rs` enforces it.

pub mod analysis;
pub mod bundle;
pub mod canonical;
pub mod definition;
pub mod response;
pub mod round;

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

pub use canonical::{fingerprint, short_fingerprint};
pub use definition::logic::{Logic, Relevance};
pub use definition::messages::MessageLang;
pub use definition::text::Text;
pub use definition::validate::{load_survey, validate, Diagnostic, LoadedSurvey, Severity};
pub use definition::{Question, QuestionKind, Section, Survey};
pub use response::{Answer, AnswerValue, Draft, DraftStart, Mode, NotFinished, Problem, Status};
