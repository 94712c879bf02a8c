//! Texts shown to people, one string per language tag (`{"zh-CN": "...", "en": "..."}`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A text in several languages, keyed by BCP 47 tag as listed in the survey's `languages`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    /// The text in `lang`, else in the first of `fallbacks` that has one, else any text at all.
    /// A survey that passed validation has every language, so the fallback only matters for
    /// drafts shown in a language the survey was not written in.
    pub fn get<'a>(&'a self, lang: &str, fallbacks: &[String]) -> &'a str {
        if let Some(text) = self.0.get(lang) {
            return text;
        }
        for fallback in fallbacks {
            if let Some(text) = self.0.get(fallback) {
                return text;
            }
        }
        self.0.values().next().map_or("", String::as_str)
    }

    /// Builds a text from `(language, string)` pairs; handy in tests and examples.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Text(pairs.iter().map(|(lang, text)| ((*lang).to_owned(), (*text).to_owned())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_in_order_then_to_any() {
        let text = Text::from_pairs(&[("zh-CN", "满意"), ("en", "Satisfied")]);
        assert_eq!(text.get("en", &[]), "Satisfied");
        assert_eq!(text.get("fr", &["zh-CN".into()]), "满意");
        assert_eq!(text.get("fr", &["de".into()]), "Satisfied");
        assert_eq!(Text::default().get("en", &[]), "");
    }
}
