//! The department's analysis of verified bundles: [`import`] merges them (deduplicated, conflicts
//! set aside, missing sequence numbers counted), [`compliance`] checks a round's fieldwork
//! against the round (findings per response, figures per unit and evaluator), [`quality`] flags
//! suspicious responses and [`score`] turns the responses into item, indicator and unit scores,
//! rankings and alpha.

pub mod compliance;
pub mod import;
pub mod quality;
pub mod score;
