//! Loading and validating a survey definition, reporting every problem at once.
//!
//! The document is parsed to a JSON value first. Each element (the survey head, every section,
//! every question, every indicator) is then deserialised on its own, so one broken question does
//! not hide the problems of the next one. Semantic checks (duplicate ids, references, weights,
//! kind-specific fields, translations) run over everything that parsed. Every diagnostic names its
//! JSON path, e.g. `sections[1].questions[3].choices`, and a stable code for tools and translations.
//! No message text is written here: each diagnostic names a template of `messages.rs` (English and
//! Chinese side by side) and passes the variable parts as args.

use crate::canonical::fingerprint;
use crate::definition::expr::{self, Type};
use crate::definition::logic::{relevance_cycles, value_type};
use crate::definition::messages::{self as m, document_path, warning_prefix, Message, MessageLang, Template};
use crate::definition::text::Text;
use crate::definition::{Indicator, Item, Question, QuestionKind, ScalePoint, Section, Survey, FORMAT_VERSION};
use crate::response::{check_answer, is_iso_date, AnswerValue};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// How bad a diagnostic is. Errors make the survey unusable; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a definition. Its text comes from a template of [`crate::definition::messages`],
/// so it can be shown in every language the templates have ([`Diagnostic::message_in`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable identifier, e.g. `choices.empty`; messages may change, codes do not.
    pub code: &'static str,
    /// JSON path of the offending element; empty for the document itself.
    pub path: String,
    /// The message in English. Kept as a field so that JSON readers and the fixture files see
    /// the text without knowing the templates.
    pub message: String,
    /// The variable parts of the message (ids, values, paths), in the template's placeholder
    /// order; the same in every language.
    pub args: Vec<String>,
    #[serde(skip)]
    template: &'static Template,
}

impl Diagnostic {
    /// A diagnostic with the text of `message`; `args` fill its placeholders `{0}`, `{1}`, ….
    pub fn new<const N: usize>(
        severity: Severity,
        message: &'static Message<N>,
        path: impl Into<String>,
        args: [String; N],
    ) -> Self {
        let template = &message.0;
        let args = Vec::from(args);
        Diagnostic {
            severity,
            code: template.code,
            path: path.into(),
            message: template.render(MessageLang::En, &args),
            args,
            template,
        }
    }

    /// The message in `lang`.
    pub fn message_in(&self, lang: MessageLang) -> String {
        self.template.render(lang, &self.args)
    }

    /// The template the message is rendered from.
    pub fn template(&self) -> &'static Template {
        self.template
    }

    /// `PATH: message` in `lang`, a warning's message preceded by the word for "warning": what
    /// `survey check` prints after the file name. `Display` is this in English.
    pub fn line_in(&self, lang: MessageLang) -> String {
        let path = if self.path.is_empty() { document_path(lang) } else { &self.path };
        let level = match self.severity {
            Severity::Error => "",
            Severity::Warning => warning_prefix(lang),
        };
        format!("{path}: {level}{}", self.message_in(lang))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line_in(MessageLang::En))
    }
}

/// The outcome of loading a definition: the survey when it has no errors, its fingerprint when
/// the text was JSON at all, and every diagnostic.
#[derive(Debug, Clone)]
pub struct LoadedSurvey {
    pub survey: Option<Survey>,
    pub fingerprint: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadedSurvey {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Parses and validates the text of a definition file.
pub fn load_survey(text: &str) -> LoadedSurvey {
    // A definition saved by Notepad starts with a byte-order mark; it is not part of the JSON.
    let text = crate::canonical::text_without_bom(text);
    match serde_json::from_str::<Value>(text) {
        Ok(value) => {
            let fingerprint = fingerprint(&value);
            let (survey, diagnostics) = validate(value);
            LoadedSurvey { survey, fingerprint: Some(fingerprint), diagnostics }
        }
        Err(err) => LoadedSurvey {
            survey: None,
            fingerprint: None,
            diagnostics: vec![Diagnostic::new(
                Severity::Error,
                &m::JSON_SYNTAX,
                "",
                [err.line().to_string(), err.column().to_string(), err.to_string()],
            )],
        },
    }
}

/// The model of a definition read by the structural step of [`validate`] alone: no fingerprint,
/// no semantic checks. It takes the same decoding path as validation (so a build carries no
/// second copy of the model's decoders); `None` when the text is not even well-formed.
pub(crate) fn structure_only(text: &str) -> Option<Survey> {
    let value = serde_json::from_str::<Value>(text).ok()?;
    let mut checker = Checker::default();
    let survey = checker.structure(value)?;
    let broken = checker.incomplete || checker.diagnostics.iter().any(|d| d.severity == Severity::Error);
    (!broken).then_some(survey)
}

/// Validates a parsed definition. Returns the survey only when there is no error, and all
/// diagnostics sorted by path so that output is stable. Takes the document by value: its
/// elements are moved into the model rather than copied.
pub fn validate(document: Value) -> (Option<Survey>, Vec<Diagnostic>) {
    let mut checker = Checker::default();
    let survey = checker.structure(document);
    if let Some(survey) = &survey {
        checker.semantics(survey);
    }
    let mut diagnostics = std::mem::take(&mut checker.diagnostics);
    diagnostics.sort_by(|a, b| natural_path_order(&a.path, &b.path).then(a.code.cmp(b.code)));
    let ok = !checker.incomplete && !diagnostics.iter().any(|d| d.severity == Severity::Error);
    (survey.filter(|_| ok), diagnostics)
}

/// Orders paths so that `questions[2]` comes before `questions[10]`.
fn natural_path_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(path: &str) -> Vec<(String, u64)> {
        path.split(['[', ']', '.'])
            .map(|part| match part.parse::<u64>() {
                Ok(n) => (String::new(), n),
                Err(_) => (part.to_owned(), 0),
            })
            .collect()
    }
    key(a).cmp(&key(b))
}

#[derive(Default)]
struct Checker {
    diagnostics: Vec<Diagnostic>,
    /// Some element failed to parse and is missing from the survey being checked. Checks that
    /// would then report false problems (an "unused" indicator fed by the missing question, an
    /// "unknown" id defined there) are skipped; the parse error is what needs fixing first.
    incomplete: bool,
    /// JSON paths of the parsed sections, questions (per section) and indicators (in preorder).
    /// Elements that failed to parse are absent from the survey, so its indices are not the
    /// document's; semantic diagnostics take their paths from here.
    section_paths: Vec<String>,
    question_paths: Vec<Vec<String>>,
    indicator_paths: Vec<String>,
}

impl Checker {
    fn error<const N: usize>(&mut self, message: &'static Message<N>, path: impl Into<String>, args: [String; N]) {
        self.diagnostics.push(Diagnostic::new(Severity::Error, message, path, args));
    }

    fn warning<const N: usize>(&mut self, message: &'static Message<N>, path: impl Into<String>, args: [String; N]) {
        self.diagnostics.push(Diagnostic::new(Severity::Warning, message, path, args));
    }

    /// Deserialises `value` as `T`, recording a diagnostic under `path` on failure.
    fn parse<T: DeserializeOwned>(&mut self, value: Value, path: &str) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(parsed) => Some(parsed),
            Err(err) => {
                let mut full = path.to_owned();
                // The offending value itself, shown in type errors.
                let mut found = Some(&value);
                for segment in err.path().iter() {
                    match segment {
                        serde_path_to_error::Segment::Seq { index } => {
                            full.push_str(&format!("[{index}]"));
                            found = found.and_then(|v| v.get(*index));
                        }
                        serde_path_to_error::Segment::Map { key } => {
                            join(&mut full, key);
                            found = found.and_then(|v| v.get(key.as_str()));
                        }
                        serde_path_to_error::Segment::Enum { variant } => {
                            join(&mut full, variant);
                            found = None;
                        }
                        serde_path_to_error::Segment::Unknown => found = None,
                    }
                }
                self.serde_error(&err.into_inner().to_string(), full, found);
                self.incomplete = true;
                None
            }
        }
    }

    /// Turns serde's English error text into a template and its args, so that unknown, missing
    /// and mistyped fields read as well in Chinese. Text of a shape not recognised here is kept
    /// whole as the arg of `FIELD_INVALID`.
    fn serde_error(&mut self, inner: &str, path: String, found: Option<&Value>) {
        if let Some((field, expected)) = unknown_name(inner, "unknown field ") {
            match expected.as_slice() {
                [] => self.error(&m::FIELD_UNKNOWN_NONE, path, [field.to_owned()]),
                [a, b] => self.error(&m::FIELD_UNKNOWN_EITHER, path, [field.to_owned(), a.to_string(), b.to_string()]),
                names => self.error(&m::FIELD_UNKNOWN_ONE_OF, path, [field.to_owned(), code_list(names)]),
            }
            return;
        }
        if let Some((variant, expected)) = unknown_name(inner, "unknown variant ") {
            self.error(&m::KIND_UNKNOWN, path, [variant.to_owned(), code_list(&expected)]);
            return;
        }
        if let Some(field) = inner.strip_prefix("missing field `").and_then(|rest| rest.strip_suffix('`')) {
            self.error(&m::FIELD_MISSING, path, [field.to_owned()]);
            return;
        }
        let expected = (inner.starts_with("invalid type: ") || inner.starts_with("invalid value: "))
            .then(|| inner.rfind(", expected ").map(|idx| &inner[idx + ", expected ".len()..]))
            .flatten();
        let message = match expected {
            Some("a map") => Some(&m::FIELD_TYPE_TEXT),
            Some("a string" | "a borrowed string" | "string or map") => Some(&m::FIELD_TYPE_STRING),
            Some("a boolean") => Some(&m::FIELD_TYPE_BOOLEAN),
            Some("i8" | "i16" | "i32" | "i64" | "i128") => Some(&m::FIELD_TYPE_INTEGER),
            Some("u8" | "u16" | "u32" | "u64" | "u128" | "usize") => Some(&m::FIELD_TYPE_COUNT),
            Some("f32" | "f64") => Some(&m::FIELD_TYPE_NUMBER),
            Some("a sequence") => Some(&m::FIELD_TYPE_LIST),
            Some(other) if other.starts_with("struct ") => Some(&m::FIELD_TYPE_OBJECT),
            _ => None,
        };
        match (message, found) {
            (Some(message), Some(found)) => self.error(message, path, [json_snippet(found)]),
            _ => self.error(&m::FIELD_INVALID, path, [inner.to_owned()]),
        }
    }

    /// Splits the document into elements and parses each on its own.
    fn structure(&mut self, document: Value) -> Option<Survey> {
        let Value::Object(mut head) = document else {
            self.error(&m::DOCUMENT_NOT_OBJECT, "", []);
            return None;
        };
        let root = &head;
        match root.get("format") {
            Some(Value::String(format)) if format == FORMAT_VERSION => {}
            Some(Value::String(format)) => {
                self.error(&m::FORMAT_UNSUPPORTED, "format", [format.clone(), FORMAT_VERSION.to_owned()]);
                return None;
            }
            Some(_) => {
                self.error(&m::FORMAT_NOT_STRING, "format", [FORMAT_VERSION.to_owned()]);
                return None;
            }
            None => {
                self.error(&m::FORMAT_MISSING, "format", [FORMAT_VERSION.to_owned()]);
                return None;
            }
        }

        let sections = take_array(&mut head, "sections");
        let indicators = take_array(&mut head, "indicators");
        let mut survey: Option<Survey> = self.parse(Value::Object(head), "");

        let mut parsed_sections = Vec::new();
        match sections {
            Taken::Missing => {
                self.error(&m::FIELD_MISSING, "sections", ["sections".to_owned()]);
                self.incomplete = true;
            }
            Taken::NotArray => {
                self.error(&m::SECTIONS_NOT_ARRAY, "sections", []);
                self.incomplete = true;
            }
            Taken::Items(items) => {
                for (section_idx, section_value) in items.into_iter().enumerate() {
                    let path = format!("sections[{section_idx}]");
                    if let Some((section, question_paths)) = self.section(section_value, &path) {
                        parsed_sections.push(section);
                        self.section_paths.push(path);
                        self.question_paths.push(question_paths);
                    }
                }
            }
        }

        let mut parsed_indicators = Vec::new();
        match indicators {
            Taken::Missing => {}
            Taken::NotArray => {
                self.error(&m::INDICATORS_NOT_ARRAY, "indicators", []);
                self.incomplete = true;
            }
            Taken::Items(items) => {
                for (idx, item) in items.into_iter().enumerate() {
                    parsed_indicators.extend(self.indicator(item, &format!("indicators[{idx}]")));
                }
            }
        }

        if let Some(survey) = survey.as_mut() {
            survey.sections = parsed_sections;
            survey.indicators = parsed_indicators;
        }
        // Semantic checks also run on a partly parsed survey (by `validate`), so that a typo in
        // one question does not hide a duplicate id elsewhere; the survey itself is only
        // returned when whole.
        survey
    }

    /// Parses a section and its questions; returns it with the paths of the questions that parsed.
    fn section(&mut self, value: Value, path: &str) -> Option<(Section, Vec<String>)> {
        let Value::Object(mut object) = value else {
            self.error(&m::SECTION_NOT_OBJECT, path, []);
            return None;
        };
        let questions = take_array(&mut object, "questions");
        let section: Option<Section> = self.parse(Value::Object(object), path);
        let mut parsed = Vec::new();
        let mut paths = Vec::new();
        match questions {
            Taken::Missing => {
                self.error(&m::FIELD_MISSING, format!("{path}.questions"), ["questions".to_owned()]);
                self.incomplete = true;
            }
            Taken::NotArray => {
                self.error(&m::QUESTIONS_NOT_ARRAY, format!("{path}.questions"), []);
                self.incomplete = true;
            }
            Taken::Items(items) => {
                for (question_idx, item) in items.into_iter().enumerate() {
                    let question_path = format!("{path}.questions[{question_idx}]");
                    if let Some(question) = self.parse::<Question>(item, &question_path) {
                        parsed.push(question);
                        paths.push(question_path);
                    }
                }
            }
        }
        let mut section = section?;
        section.questions = parsed;
        Some((section, paths))
    }

    fn indicator(&mut self, value: Value, path: &str) -> Option<Indicator> {
        let Value::Object(mut object) = value else {
            self.error(&m::INDICATOR_NOT_OBJECT, path, []);
            return None;
        };
        let children = take_array(&mut object, "children");
        let indicator: Option<Indicator> = self.parse(Value::Object(object), path);
        // Recorded before the children so that the list is in preorder; dropped again below if
        // this node failed, together with whatever its children recorded.
        let paths_before = self.indicator_paths.len();
        self.indicator_paths.push(path.to_owned());
        let mut parsed = Vec::new();
        match children {
            Taken::Missing => {}
            Taken::NotArray => {
                self.error(&m::INDICATORS_NOT_ARRAY, format!("{path}.children"), []);
                self.incomplete = true;
            }
            Taken::Items(items) => {
                for (idx, item) in items.into_iter().enumerate() {
                    parsed.extend(self.indicator(item, &format!("{path}.children[{idx}]")));
                }
            }
        }
        let Some(mut indicator) = indicator else {
            self.indicator_paths.truncate(paths_before);
            return None;
        };
        indicator.children = parsed;
        Some(indicator)
    }

    fn semantics(&mut self, survey: &Survey) {
        self.languages(survey);
        self.text(&survey.title, "title", &survey.languages);
        if let Some(description) = &survey.description {
            self.text(description, "description", &survey.languages);
        }
        if survey.id.trim().is_empty() {
            self.error(&m::SURVEY_ID_EMPTY, "id", []);
        }
        if survey.version.trim().is_empty() {
            self.error(&m::VERSION_EMPTY, "version", []);
        }
        if survey.sections.is_empty() && !self.incomplete {
            self.error(&m::SECTIONS_EMPTY, "sections", []);
        }

        self.indicators(survey);
        let mut section_ids = BTreeMap::new();
        let mut question_ids: BTreeMap<&str, String> = BTreeMap::new();
        for (section_idx, section) in survey.sections.iter().enumerate() {
            let path = self.section_paths[section_idx].clone();
            self.identifier(&section.id, &format!("{path}.id"));
            if let Some(first) = section_ids.insert(section.id.as_str(), path.clone()) {
                self.error(&m::SECTION_ID_DUPLICATE, format!("{path}.id"), [section.id.clone(), first]);
            }
            self.text(&section.title, &format!("{path}.title"), &survey.languages);
            if section.questions.is_empty() && !self.incomplete {
                self.error(&m::QUESTIONS_EMPTY, format!("{path}.questions"), []);
            }
            for (question_idx, question) in section.questions.iter().enumerate() {
                let qpath = self.question_paths[section_idx][question_idx].clone();
                self.identifier(&question.id, &format!("{qpath}.id"));
                if let Some(first) = question_ids.insert(question.id.as_str(), qpath.clone()) {
                    self.error(&m::QUESTION_ID_DUPLICATE, format!("{qpath}.id"), [question.id.clone(), first]);
                }
                self.question(survey, question, &qpath);
            }
        }

        // Reverse partners are checked once all ids are known.
        let items = survey.items();
        for item in &items {
            let Some(partner_key) = item.reverse_of() else { continue };
            let path = format!("{}.reverse_of", self.item_path(item));
            match items.iter().find(|other| other.key() == partner_key) {
                Some(partner) if partner.key() == item.key() => self.error(&m::REFERENCE_SELF, path, []),
                Some(_) => {}
                // The partner may be a question that failed to parse.
                None if self.incomplete => {}
                None if survey.question(partner_key).is_some() => {
                    self.error(&m::REFERENCE_KIND, path, [partner_key.to_owned()])
                }
                None => self.error(&m::REVERSE_OF_UNKNOWN, path, [partner_key.to_owned()]),
            }
        }
        self.expressions(survey);

        let mut unit_ids = BTreeSet::new();
        for (idx, unit) in survey.units.iter().enumerate() {
            let path = format!("units[{idx}]");
            if unit.id.trim().is_empty() {
                self.error(&m::UNIT_ID_EMPTY, format!("{path}.id"), []);
            } else if !unit_ids.insert(unit.id.as_str()) {
                self.error(&m::UNIT_ID_DUPLICATE, format!("{path}.id"), [unit.id.clone()]);
            }
            self.text(&unit.name, &format!("{path}.name"), &survey.languages);
        }
        for (idx, recipient) in survey.recipients.iter().enumerate() {
            let well_formed = recipient.starts_with("age1")
                && recipient.len() > 10
                && recipient[4..].chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if !well_formed {
                self.error(&m::RECIPIENT_INVALID, format!("recipients[{idx}]"), []);
            }
        }
        if let Some(seconds) = survey.quality.as_ref().and_then(|q| q.min_seconds_per_question) {
            if !(seconds.is_finite() && seconds > 0.0) {
                self.error(&m::QUALITY_INVALID, "quality.min_seconds_per_question", []);
            }
        }
    }

    fn languages(&mut self, survey: &Survey) {
        if survey.languages.is_empty() {
            self.error(&m::LANGUAGES_EMPTY, "languages", []);
        }
        let mut seen = BTreeSet::new();
        for (idx, lang) in survey.languages.iter().enumerate() {
            let well_formed = !lang.is_empty()
                && lang
                    .split('-')
                    .all(|part| !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_alphanumeric()));
            if !well_formed {
                self.error(&m::LANGUAGE_INVALID, format!("languages[{idx}]"), [lang.clone()]);
            }
            if !seen.insert(lang.as_str()) {
                self.error(&m::LANGUAGE_DUPLICATE, format!("languages[{idx}]"), [lang.clone()]);
            }
        }
    }

    /// Every text needs every language of the survey, and no other.
    fn text(&mut self, text: &Text, path: &str, languages: &[String]) {
        if text.0.is_empty() {
            self.error(&m::TEXT_EMPTY, path, []);
            return;
        }
        for lang in languages {
            match text.0.get(lang) {
                None => self.warning(&m::TEXT_MISSING, path, [lang.clone()]),
                Some(s) if s.trim().is_empty() => self.warning(&m::TEXT_BLANK, path, [lang.clone()]),
                Some(_) => {}
            }
        }
        for lang in text.0.keys() {
            if !languages.contains(lang) {
                self.error(&m::TEXT_UNKNOWN_LANGUAGE, format!("{path}.{lang}"), [lang.clone()]);
            }
        }
    }

    fn identifier(&mut self, id: &str, path: &str) {
        let mut chars = id.chars();
        let well_formed = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            self.error(&m::ID_INVALID, path, [id.to_owned()]);
        }
    }

    /// Checks the indicator tree and the questions' references into it.
    fn indicators(&mut self, survey: &Survey) {
        fn walk(
            checker: &mut Checker,
            nodes: &[Indicator],
            preorder_idx: &mut usize,
            languages: &[String],
            seen: &mut BTreeMap<String, String>,
            leaves: &mut BTreeSet<String>,
        ) {
            for node in nodes {
                let node_path = checker.indicator_paths.get(*preorder_idx).cloned().unwrap_or_default();
                *preorder_idx += 1;
                checker.identifier(&node.id, &format!("{node_path}.id"));
                if let Some(first) = seen.insert(node.id.clone(), node_path.clone()) {
                    checker.error(&m::INDICATOR_ID_DUPLICATE, format!("{node_path}.id"), [node.id.clone(), first]);
                }
                if !(node.weight.is_finite() && node.weight > 0.0) {
                    checker.error(&m::WEIGHT_INVALID, format!("{node_path}.weight"), [node.weight.to_string()]);
                }
                checker.text(&node.title, &format!("{node_path}.title"), languages);
                if node.children.is_empty() {
                    leaves.insert(node.id.clone());
                } else {
                    walk(checker, &node.children, preorder_idx, languages, seen, leaves);
                }
            }
        }
        let mut seen = BTreeMap::new();
        let mut leaves = BTreeSet::new();
        walk(self, &survey.indicators, &mut 0, &survey.languages, &mut seen, &mut leaves);

        // A leaf that no question feeds would score as "no data" forever: almost always a typo.
        let items = survey.items();
        let fed: BTreeSet<&str> = items.iter().filter_map(|item| item.indicator()).collect();
        for leaf in &leaves {
            if !fed.contains(leaf.as_str()) && !self.incomplete {
                let path = seen.get(leaf).cloned().unwrap_or_default();
                self.warning(&m::INDICATOR_NO_QUESTIONS, path, [leaf.clone()]);
            }
        }
        let mut inner: BTreeSet<String> = seen.into_keys().collect();
        inner.retain(|id| !leaves.contains(id));
        for item in &items {
            let Some(indicator) = item.indicator() else { continue };
            let path = format!("{}.indicator", self.item_path(item));
            if inner.contains(indicator) {
                self.error(&m::INDICATOR_NOT_LEAF, path, [indicator.to_owned()]);
            } else if !leaves.contains(indicator) && !self.incomplete {
                self.error(&m::INDICATOR_UNKNOWN, path, [indicator.to_owned()]);
            }
        }
    }

    /// The JSON path of a scored item.
    fn item_path(&self, item: &Item<'_>) -> String {
        let question = &self.question_paths[item.section_idx][item.question_pos];
        match item.row_idx {
            Some(row_idx) => format!("{question}.rows[{row_idx}]"),
            None => question.clone(),
        }
    }

    /// Parses and type-checks every `relevant` and `constraint`, and finds relevance cycles.
    fn expressions(&mut self, survey: &Survey) {
        let types: BTreeMap<&str, Option<Type>> =
            survey.questions().map(|(_, q)| (q.id.as_str(), value_type(q.kind))).collect();
        for (section_idx, section) in survey.sections.iter().enumerate() {
            for (question_pos, question) in section.questions.iter().enumerate() {
                let qpath = self.question_paths[section_idx][question_pos].clone();
                for (field, text, is_constraint) in [
                    ("relevant", question.relevant.as_deref(), false),
                    ("constraint", question.constraint.as_deref(), true),
                ] {
                    let Some(text) = text else { continue };
                    let path = format!("{qpath}.{field}");
                    let parsed = match expr::parse(text) {
                        Ok(parsed) => parsed,
                        Err(err) => {
                            let position = (err.offset + 1).to_string();
                            self.error(&m::EXPR_SYNTAX, path, [position, err.message, text.to_owned()]);
                            continue;
                        }
                    };
                    let mut reference_problem = false;
                    for id in parsed.references() {
                        match types.get(id) {
                            None if self.incomplete => reference_problem = true,
                            None => {
                                self.error(&m::EXPR_REFERENCE_UNKNOWN, path.clone(), [id.to_owned()]);
                                reference_problem = true;
                            }
                            Some(None) => {
                                self.error(&m::REFERENCE_UNREADABLE, path.clone(), [id.to_owned()]);
                                reference_problem = true;
                            }
                            Some(Some(_)) if !is_constraint && id == question.id => {
                                self.error(&m::RELEVANCE_SELF, path.clone(), []);
                                reference_problem = true;
                            }
                            Some(Some(_)) => {}
                        }
                    }
                    if reference_problem {
                        continue;
                    }
                    let lookup = |id: &str| types.get(id).copied().flatten();
                    let self_type = if is_constraint { value_type(question.kind) } else { None };
                    match expr::check_types(&parsed, &lookup, self_type) {
                        Ok(Type::Bool) => {}
                        // One template per type, so that the type's name is translated too.
                        Ok(Type::Num) => self.error(&m::EXPR_GIVES_NUMBER, path, [text.to_owned()]),
                        Ok(Type::Str) => self.error(&m::EXPR_GIVES_TEXT, path, [text.to_owned()]),
                        Ok(Type::List) => self.error(&m::EXPR_GIVES_LIST, path, [text.to_owned()]),
                        Err(err) => self.error(&m::EXPR_TYPE, path, [err.message, text.to_owned()]),
                    }
                }
                if question.constraint_message.is_some() && question.constraint.is_none() {
                    self.warning(&m::CONSTRAINT_MESSAGE_UNUSED, format!("{qpath}.constraint_message"), []);
                }
            }
        }
        let paths: Vec<String> = self.question_paths.iter().flatten().cloned().collect();
        let ids: Vec<&str> = survey.questions().map(|(_, q)| q.id.as_str()).collect();
        for cycle in relevance_cycles(survey) {
            let names: Vec<&str> = cycle.iter().filter_map(|&idx| ids.get(idx).copied()).collect();
            let path =
                cycle.first().and_then(|&idx| paths.get(idx)).map(|p| format!("{p}.relevant")).unwrap_or_default();
            self.error(&m::RELEVANCE_CYCLE, path, [names.join(" → ")]);
        }
    }

    fn question(&mut self, survey: &Survey, question: &Question, path: &str) {
        use QuestionKind::*;
        let languages = &survey.languages;
        self.text(&question.title, &format!("{path}.title"), languages);
        if let Some(help) = &question.help {
            self.text(help, &format!("{path}.help"), languages);
        }
        if let Some(message) = &question.constraint_message {
            self.text(message, &format!("{path}.constraint_message"), languages);
        }

        // Which kinds each kind-specific field applies to; a misplaced field is an error, since
        // it would otherwise be silently ignored.
        let kind = question.kind;
        let q = question;
        let fields: [(&str, bool, &[QuestionKind]); 19] = [
            ("choices", q.choices.is_some(), &[Single, Multiple]),
            ("points", q.points.is_some(), &[Scale, Matrix]),
            ("satisfied", q.satisfied.is_some(), &[Scale, Matrix]),
            ("unscored", q.unscored.is_some(), &[Scale, Matrix]),
            ("reverse", q.reverse, &[Scale]),
            ("reverse_of", q.reverse_of.is_some(), &[Scale]),
            ("indicator", q.indicator.is_some(), &[Scale]),
            ("weight", q.weight.is_some(), &[Scale]),
            ("multiline", q.multiline, &[Text]),
            ("max_length", q.max_length.is_some(), &[Text]),
            ("min_selected", q.min_selected.is_some(), &[Multiple]),
            ("max_selected", q.max_selected.is_some(), &[Multiple]),
            ("min", q.min.is_some(), &[Integer, Decimal]),
            ("max", q.max.is_some(), &[Integer, Decimal]),
            ("min_date", q.min_date.is_some(), &[Date]),
            ("max_date", q.max_date.is_some(), &[Date]),
            ("rows", q.rows.is_some(), &[Matrix]),
            ("required", q.required, &[Single, Multiple, Scale, YesNo, Integer, Decimal, Text, Date, Matrix]),
            ("default", q.default.is_some(), &[Single, Multiple, Scale, YesNo, Integer, Decimal, Text, Date, Matrix]),
        ];
        for (field, present, kinds) in fields {
            if present && !kinds.contains(&kind) {
                self.error(
                    &m::FIELD_NOT_FOR_KIND,
                    format!("{path}.{field}"),
                    [field.to_owned(), kind.name().to_owned()],
                );
            }
        }
        if kind == Note && q.constraint.is_some() {
            self.error(&m::NOTE_CONSTRAINT, format!("{path}.constraint"), []);
        }

        match kind {
            Single | Multiple => self.choices(q, path, languages),
            Scale => self.scale(q, path, languages),
            Matrix => {
                self.scale(q, path, languages);
                self.rows(q, path, languages);
            }
            Text => {
                if q.max_length == Some(0) {
                    self.error(&m::MAX_LENGTH_INVALID, format!("{path}.max_length"), []);
                }
            }
            Integer | Decimal => {
                for (field, bound) in [("min", q.min), ("max", q.max)] {
                    match bound {
                        Some(value) if kind == Integer && value.fract() != 0.0 => {
                            self.error(&m::RANGE_NOT_WHOLE, format!("{path}.{field}"), [value.to_string()])
                        }
                        _ => {}
                    }
                }
                if let (Some(min), Some(max)) = (q.min, q.max) {
                    if min > max {
                        self.error(&m::RANGE_MIN_ABOVE_MAX, format!("{path}.min"), [min.to_string(), max.to_string()]);
                    }
                }
            }
            Date => {
                for (field, bound) in [("min_date", &q.min_date), ("max_date", &q.max_date)] {
                    if let Some(date) = bound {
                        if !is_iso_date(date) {
                            self.error(&m::DATE_INVALID, format!("{path}.{field}"), [date.clone()]);
                        }
                    }
                }
                if let (Some(min), Some(max)) = (&q.min_date, &q.max_date) {
                    if is_iso_date(min) && is_iso_date(max) && min > max {
                        self.error(&m::RANGE_DATES, format!("{path}.min_date"), [min.clone(), max.clone()]);
                    }
                }
            }
            YesNo | Note => {}
        }

        if kind == Multiple {
            let n_choices = q.choices.as_ref().map_or(0, Vec::len) as u32;
            if let (Some(min), Some(max)) = (q.min_selected, q.max_selected) {
                if min > max {
                    self.error(&m::RANGE_SELECTED, format!("{path}.min_selected"), [min.to_string(), max.to_string()]);
                }
            }
            if let Some(min) = q.min_selected {
                if n_choices > 0 && min > n_choices {
                    let args = [min.to_string(), n_choices.to_string()];
                    self.error(&m::RANGE_MORE_THAN_CHOICES, format!("{path}.min_selected"), args);
                }
            }
        }

        if let Some(default) = &q.default {
            let valid = kind != Note
                && serde_json::from_value::<AnswerValue>(default.clone())
                    .is_ok_and(|value| check_answer(q, &value).is_ok());
            if !valid {
                self.error(&m::DEFAULT_INVALID, format!("{path}.default"), [default.to_string()]);
            }
        }
    }

    fn choices(&mut self, question: &Question, path: &str, languages: &[String]) {
        match &question.choices {
            None => self.error(&m::CHOICES_MISSING, format!("{path}.choices"), [question.kind.name().to_owned()]),
            Some(choices) if choices.is_empty() => self.error(&m::CHOICES_EMPTY, format!("{path}.choices"), []),
            Some(choices) => {
                let mut seen = BTreeSet::new();
                for (idx, choice) in choices.iter().enumerate() {
                    let choice_path = format!("{path}.choices[{idx}]");
                    if choice.value.trim().is_empty() {
                        self.error(&m::CHOICE_VALUE_EMPTY, format!("{choice_path}.value"), []);
                    } else if !seen.insert(choice.value.as_str()) {
                        self.error(&m::CHOICE_DUPLICATE, format!("{choice_path}.value"), [choice.value.clone()]);
                    }
                    self.text(&choice.label, &format!("{choice_path}.label"), languages);
                }
            }
        }
    }

    fn rows(&mut self, question: &Question, path: &str, languages: &[String]) {
        let rows = question.rows.as_deref().unwrap_or_default();
        if rows.is_empty() {
            self.error(&m::ROWS_EMPTY, format!("{path}.rows"), []);
        }
        let mut seen = BTreeSet::new();
        for (idx, row) in rows.iter().enumerate() {
            let row_path = format!("{path}.rows[{idx}]");
            self.identifier(&row.id, &format!("{row_path}.id"));
            if !seen.insert(row.id.as_str()) {
                self.error(&m::ROW_ID_DUPLICATE, format!("{row_path}.id"), [row.id.clone()]);
            }
            self.text(&row.label, &format!("{row_path}.label"), languages);
            if let Some(weight) = row.weight {
                if !(weight.is_finite() && weight > 0.0) {
                    self.error(&m::WEIGHT_INVALID, format!("{row_path}.weight"), [weight.to_string()]);
                }
                if row.indicator.is_none() {
                    self.error(&m::WEIGHT_WITHOUT_INDICATOR, format!("{row_path}.weight"), []);
                }
            }
        }
        if rows.iter().any(|row| row.indicator.is_some()) && question.satisfied.is_none() {
            self.warning(&m::SATISFIED_MISSING_ROWS, format!("{path}.satisfied"), []);
        }
    }

    fn scale(&mut self, question: &Question, path: &str, languages: &[String]) {
        let points: &[ScalePoint] = question.points.as_deref().unwrap_or_default();
        match &question.points {
            None => self.error(&m::POINTS_MISSING, format!("{path}.points"), [question.kind.name().to_owned()]),
            Some(p) if p.is_empty() => self.error(&m::POINTS_EMPTY, format!("{path}.points"), []),
            Some(p) if p.len() == 1 => self.error(&m::POINTS_TOO_FEW, format!("{path}.points"), []),
            Some(_) => {}
        }
        let mut values = BTreeSet::new();
        for (idx, point) in points.iter().enumerate() {
            let point_path = format!("{path}.points[{idx}]");
            if !values.insert(point.value) {
                self.error(&m::POINT_DUPLICATE, format!("{point_path}.value"), [point.value.to_string()]);
            }
            self.text(&point.label, &format!("{point_path}.label"), languages);
        }
        for (idx, point) in question.unscored.as_deref().unwrap_or_default().iter().enumerate() {
            let point_path = format!("{path}.unscored[{idx}]");
            if !values.insert(point.value) {
                self.error(&m::UNSCORED_DUPLICATE, format!("{point_path}.value"), [point.value.to_string()]);
            }
            self.text(&point.label, &format!("{point_path}.label"), languages);
        }
        match &question.satisfied {
            None if question.indicator.is_some() => {
                self.warning(&m::SATISFIED_MISSING, format!("{path}.satisfied"), [])
            }
            Some(satisfied) => {
                for (idx, value) in satisfied.iter().enumerate() {
                    if !points.iter().any(|p| p.value == *value) {
                        self.error(&m::SATISFIED_UNKNOWN, format!("{path}.satisfied[{idx}]"), [value.to_string()]);
                    }
                }
            }
            None => {}
        }
        if let Some(weight) = question.weight {
            if !(weight.is_finite() && weight > 0.0) {
                self.error(&m::WEIGHT_INVALID, format!("{path}.weight"), [weight.to_string()]);
            }
            if question.indicator.is_none() {
                self.error(&m::WEIGHT_WITHOUT_INDICATOR, format!("{path}.weight"), []);
            }
        }
    }
}

enum Taken {
    Missing,
    NotArray,
    Items(Vec<Value>),
}

/// Removes `key` from `object`, leaving an empty array in its place so that the element itself
/// still deserialises, and returns what was there.
fn take_array(object: &mut serde_json::Map<String, Value>, key: &str) -> Taken {
    match object.get_mut(key) {
        None => {
            object.insert(key.to_owned(), Value::Array(Vec::new()));
            Taken::Missing
        }
        Some(Value::Array(items)) => Taken::Items(std::mem::take(items)),
        Some(_) => {
            object.insert(key.to_owned(), Value::Array(Vec::new()));
            Taken::NotArray
        }
    }
}

fn join(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Splits serde's "unknown field `NAME`, expected …" (or "unknown variant …") after `prefix`
/// into the name and the expected names; none for "there are no fields". The name is what the
/// organiser typed and may hold anything, the expected names are Rust identifiers, so the split
/// is at the last "`, expected ".
fn unknown_name<'a>(inner: &'a str, prefix: &str) -> Option<(&'a str, Vec<&'a str>)> {
    let rest = inner.strip_prefix(prefix)?.strip_prefix('`')?;
    for nothing in ["`, there are no fields", "`, there are no variants"] {
        if let Some(name) = rest.strip_suffix(nothing) {
            return Some((name, Vec::new()));
        }
    }
    let idx = rest.rfind("`, expected ")?;
    let expected = &rest[idx + "`, expected ".len()..];
    Some((&rest[..idx], expected.split('`').skip(1).step_by(2).collect()))
}

/// Names as "`a`, `b`, `c`".
fn code_list(names: &[&str]) -> String {
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

/// A JSON value as it appears in a message: scalars as written (long strings shortened),
/// arrays and objects only by their brackets.
fn json_snippet(value: &Value) -> String {
    const MAX_CHARS: usize = 40;
    match value {
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Array(_) => "[...]".to_owned(),
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Object(_) => "{...}".to_owned(),
        Value::String(s) if s.chars().count() > MAX_CHARS => {
            let head: String = s.chars().take(MAX_CHARS - 1).collect();
            Value::String(format!("{head}…")).to_string()
        }
        other => other.to_string(),
    }
}
