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

/// A mark of the rules [`validate`] applies: it changes whenever a source file of this module
/// changes (computed by `build.rs`). A definition stored with the mark it was validated under can
/// be [`decode_validated`] while the mark is the same, and must be validated again once it differs.
pub const RULES: &str = env!("SURVEY_CORE_RULES");

/// Decodes a definition that passed [`validate::load_survey`] under the same [`RULES`], without
/// validating it again (a tablet's start-up reads its stored surveys this way): the same model
/// validation gives, without the fingerprint and the semantic checks. It reuses validation's own
/// decoding path: a direct `serde_json::from_str::<Survey>` would be faster still but adds a
/// second set of the model's decoders to the field wasm (measured: 9.3 KiB brotli). Never use it
/// on a text that was not validated: it checks only the shape.
pub fn decode_validated(text: &str) -> Result<Survey, String> {
    validate::structure_only(text).ok_or_else(|| "not a well-formed survey/1 definition".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validated_definition_decodes_to_the_model_validation_gives() {
        let mut texts = vec![
            include_str!("../../../../survey-schemas/party-building-satisfaction.json").to_owned(),
            include_str!("../../../../survey-schemas/openness-of-affairs.json").to_owned(),
            include_str!("../../../../survey-schemas/property-and-owners-committee.json").to_owned(),
            include_str!("../../../../survey-schemas/secretary-project-delivery.json").to_owned(),
        ];
        let ok = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/schema/ok");
        let mut files: Vec<_> =
            std::fs::read_dir(&ok).expect("fixtures").filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        texts.extend(
            files
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .map(|p| std::fs::read_to_string(p).expect("read")),
        );
        assert!(texts.len() >= 8, "the examples and the valid fixtures");
        for text in &texts {
            let validated = validate::load_survey(text).survey.expect("valid");
            assert_eq!(decode_validated(text).as_ref(), Ok(&validated));
        }
        assert_eq!(RULES.len(), 16);
    }
}
