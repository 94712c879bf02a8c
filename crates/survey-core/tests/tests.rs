//! Integration tests of survey-core: definition fixtures under `test_data/` and the tidy checks
//! that keep the crate pure. One test binary, modules per topic.

#[cfg(feature = "verify")]
mod bundle_fixtures;
mod plan_fixtures;
#[cfg(feature = "verify")]
mod round_fixtures;
mod schema_fixtures;
mod score_fixtures;
mod tidy;
