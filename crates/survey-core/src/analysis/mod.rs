//! The department's analysis of verified bundles: [`import`] merges them (deduplicated, conflicts
//! set aside, missing sequence numbers counted), [`quality`] flags suspicious responses and
//! [`score`] turns the responses into item, indicator and unit scores, rankings and alpha.

pub mod import;
pub mod quality;
pub mod score;
