//! A survey definition, from the organiser's JSON to what a tablet runs: the model
//! (`survey/1`), its bilingual [`text`]s, the [`expr`]ession language of skip logic and
//! constraints, the compiled [`logic`] of a survey, [`validate`] (every problem at once, with a
//! JSON path and a stable code) and the [`messages`] those problems are told in.
//!
//! The model's types live in `model.rs` and are re-exported here, so they are named
//! `definition::Survey`, `definition::Question` and so on.

pub mod expr;
pub mod logic;
pub mod messages;
mod model;
pub mod text;
pub mod validate;

pub use model::*;
