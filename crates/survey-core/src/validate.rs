//! Loading and validating a survey definition, reporting every problem at once.
//!
//! The document is parsed to a JSON value first. Each element (the survey head, every section,
//! every question, every indicator) is then deserialised on its own, so one broken question does
//! not hide the problems of the next one. Semantic checks (duplicate ids, references, weights,
//! kind-specific fields, translations) run over everything that parsed. Every diagnostic names its
//! JSON path, e.g. `sections[1].questions[3].choices`, and a stable code for tools and translations.

use crate::canonical::fingerprint;
use crate::definition::{Indicator, Item, Question, QuestionKind, ScalePoint, Section, Survey, FORMAT_VERSION};
use crate::expr::{self, Type};
use crate::logic::{relevance_cycles, value_type};
use crate::response::{check_answer, is_iso_date, AnswerValue};
use crate::text::Text;
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

/// One problem found in a definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable identifier, e.g. `choices.empty`; messages may change, codes do not.
    pub code: &'static str,
    /// JSON path of the offending element; empty for the document itself.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() { "(document)" } else { &self.path };
        let level = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        write!(f, "{path}: {level}{}", self.message)
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
    match serde_json::from_str::<Value>(text) {
        Ok(value) => {
            let (survey, diagnostics) = validate(&value);
            LoadedSurvey { survey, fingerprint: Some(fingerprint(&value)), diagnostics }
        }
        Err(err) => LoadedSurvey {
            survey: None,
            fingerprint: None,
            diagnostics: vec![Diagnostic {
                severity: Severity::Error,
                code: "json.syntax",
                path: String::new(),
                message: format!("not valid JSON at line {} column {}: {err}", err.line(), err.column()),
            }],
        },
    }
}

/// Validates a parsed definition. Returns the survey only when there is no error, and all
/// diagnostics sorted by path so that output is stable.
pub fn validate(document: &Value) -> (Option<Survey>, Vec<Diagnostic>) {
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
    fn error(&mut self, code: &'static str, path: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Error, code, path.into(), message.into());
    }

    fn warning(&mut self, code: &'static str, path: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Warning, code, path.into(), message.into());
    }

    fn push(&mut self, severity: Severity, code: &'static str, path: String, message: String) {
        self.diagnostics.push(Diagnostic { severity, code, path, message });
    }

    /// Deserialises `value` as `T`, recording a diagnostic under `path` on failure.
    fn parse<T: DeserializeOwned>(&mut self, value: Value, path: &str) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(parsed) => Some(parsed),
            Err(err) => {
                let mut full = path.to_owned();
                for segment in err.path().iter() {
                    match segment {
                        serde_path_to_error::Segment::Seq { index } => full.push_str(&format!("[{index}]")),
                        serde_path_to_error::Segment::Map { key } => join(&mut full, key),
                        serde_path_to_error::Segment::Enum { variant } => join(&mut full, variant),
                        serde_path_to_error::Segment::Unknown => {}
                    }
                }
                let inner = err.into_inner().to_string();
                let code = if inner.starts_with("unknown field") {
                    "field.unknown"
                } else if inner.starts_with("missing field") {
                    "field.missing"
                } else if inner.starts_with("unknown variant") {
                    "kind.unknown"
                } else {
                    "field.type"
                };
                self.error(code, full, inner);
                self.incomplete = true;
                None
            }
        }
    }

    /// Splits the document into elements and parses each on its own.
    fn structure(&mut self, document: &Value) -> Option<Survey> {
        let Some(root) = document.as_object() else {
            self.error("document.not_object", "", "a survey definition must be a JSON object");
            return None;
        };
        match root.get("format") {
            Some(Value::String(format)) if format == FORMAT_VERSION => {}
            Some(Value::String(format)) => {
                self.error(
                    "format.unsupported",
                    "format",
                    format!("unsupported format version `{format}`; this build reads `{FORMAT_VERSION}`"),
                );
                return None;
            }
            Some(_) => {
                self.error("format.unsupported", "format", format!("must be the string `{FORMAT_VERSION}`"));
                return None;
            }
            None => {
                self.error("field.missing", "format", format!("missing field `format` (`{FORMAT_VERSION}`)"));
                return None;
            }
        }

        let mut head = root.clone();
        let sections = take_array(&mut head, "sections");
        let indicators = take_array(&mut head, "indicators");
        let mut survey: Option<Survey> = self.parse(Value::Object(head), "");

        let mut parsed_sections = Vec::new();
        match sections {
            Taken::Missing => {
                self.error("field.missing", "sections", "missing field `sections`");
                self.incomplete = true;
            }
            Taken::NotArray => {
                self.error("field.type", "sections", "must be an array of sections");
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
                self.error("field.type", "indicators", "must be an array of indicators");
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
            self.error("field.type", path, "a section must be an object");
            return None;
        };
        let questions = take_array(&mut object, "questions");
        let section: Option<Section> = self.parse(Value::Object(object), path);
        let mut parsed = Vec::new();
        let mut paths = Vec::new();
        match questions {
            Taken::Missing => {
                self.error("field.missing", format!("{path}.questions"), "missing field `questions`");
                self.incomplete = true;
            }
            Taken::NotArray => {
                self.error("field.type", format!("{path}.questions"), "must be an array of questions");
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
            self.error("field.type", path, "an indicator must be an object");
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
                self.error("field.type", format!("{path}.children"), "must be an array of indicators");
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
            self.error("id.empty", "id", "the survey id must not be empty");
        }
        if survey.version.trim().is_empty() {
            self.error("version.empty", "version", "the survey version must not be empty");
        }
        if survey.sections.is_empty() && !self.incomplete {
            self.error("sections.empty", "sections", "a survey needs at least one section");
        }

        self.indicators(survey);
        let mut section_ids = BTreeMap::new();
        let mut question_ids: BTreeMap<&str, String> = BTreeMap::new();
        for (section_idx, section) in survey.sections.iter().enumerate() {
            let path = self.section_paths[section_idx].clone();
            self.identifier(&section.id, &format!("{path}.id"));
            if let Some(first) = section_ids.insert(section.id.as_str(), path.clone()) {
                self.error(
                    "id.duplicate",
                    format!("{path}.id"),
                    format!("section id `{}` is already used by {first}", section.id),
                );
            }
            self.text(&section.title, &format!("{path}.title"), &survey.languages);
            if section.questions.is_empty() && !self.incomplete {
                self.error(
                    "questions.empty",
                    format!("{path}.questions"),
                    "empty: a section needs at least one question",
                );
            }
            for (question_idx, question) in section.questions.iter().enumerate() {
                let qpath = self.question_paths[section_idx][question_idx].clone();
                self.identifier(&question.id, &format!("{qpath}.id"));
                if let Some(first) = question_ids.insert(question.id.as_str(), qpath.clone()) {
                    self.error(
                        "id.duplicate",
                        format!("{qpath}.id"),
                        format!("question id `{}` is already used by {first}", question.id),
                    );
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
                Some(partner) if partner.key() == item.key() => {
                    self.error("reference.self", path, "an item cannot mirror itself")
                }
                Some(_) => {}
                // The partner may be a question that failed to parse.
                None if self.incomplete => {}
                None if survey.question(partner_key).is_some() => self.error(
                    "reference.kind",
                    path,
                    format!("`{partner_key}` is not a scored item (a scale question or `MATRIX.ROW`)"),
                ),
                None => self.error("reference.unknown", path, format!("no scored item is called `{partner_key}`")),
            }
        }
        self.expressions(survey);

        let mut unit_ids = BTreeSet::new();
        for (idx, unit) in survey.units.iter().enumerate() {
            let path = format!("units[{idx}]");
            if unit.id.trim().is_empty() {
                self.error("id.empty", format!("{path}.id"), "a unit id must not be empty");
            } else if !unit_ids.insert(unit.id.as_str()) {
                self.error("id.duplicate", format!("{path}.id"), format!("unit id `{}` is listed twice", unit.id));
            }
            self.text(&unit.name, &format!("{path}.name"), &survey.languages);
        }
        for (idx, recipient) in survey.recipients.iter().enumerate() {
            let well_formed = recipient.starts_with("age1")
                && recipient.len() > 10
                && recipient[4..].chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if !well_formed {
                self.error(
                    "recipient.invalid",
                    format!("recipients[{idx}]"),
                    "not an age X25519 recipient (expected `age1` followed by lowercase bech32)",
                );
            }
        }
        if let Some(seconds) = survey.quality.as_ref().and_then(|q| q.min_seconds_per_question) {
            if !(seconds.is_finite() && seconds > 0.0) {
                self.error(
                    "quality.invalid",
                    "quality.min_seconds_per_question",
                    "must be a positive number of seconds",
                );
            }
        }
    }

    fn languages(&mut self, survey: &Survey) {
        if survey.languages.is_empty() {
            self.error("languages.empty", "languages", "list at least one language, e.g. [\"zh-CN\", \"en\"]");
        }
        let mut seen = BTreeSet::new();
        for (idx, lang) in survey.languages.iter().enumerate() {
            let well_formed = !lang.is_empty()
                && lang
                    .split('-')
                    .all(|part| !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_alphanumeric()));
            if !well_formed {
                self.error(
                    "language.invalid",
                    format!("languages[{idx}]"),
                    format!("`{lang}` is not a language tag such as `zh-CN`"),
                );
            }
            if !seen.insert(lang.as_str()) {
                self.error("language.duplicate", format!("languages[{idx}]"), format!("`{lang}` is listed twice"));
            }
        }
    }

    /// Every text needs every language of the survey, and no other.
    fn text(&mut self, text: &Text, path: &str, languages: &[String]) {
        if text.0.is_empty() {
            self.error("text.empty", path, "the text is empty: give it in each language");
            return;
        }
        for lang in languages {
            match text.0.get(lang) {
                None => self.warning("text.missing_translation", path, format!("no `{lang}` text")),
                Some(s) if s.trim().is_empty() => {
                    self.warning("text.missing_translation", path, format!("the `{lang}` text is blank"))
                }
                Some(_) => {}
            }
        }
        for lang in text.0.keys() {
            if !languages.contains(lang) {
                self.error(
                    "text.unknown_language",
                    format!("{path}.{lang}"),
                    format!("`{lang}` is not one of the survey's languages"),
                );
            }
        }
    }

    fn identifier(&mut self, id: &str, path: &str) {
        let mut chars = id.chars();
        let well_formed = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            self.error(
                "id.invalid",
                path,
                format!("`{id}` is not a valid id: use letters, digits and `_`, starting with a letter"),
            );
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
                    checker.error(
                        "id.duplicate",
                        format!("{node_path}.id"),
                        format!("indicator id `{}` is already used by {first}", node.id),
                    );
                }
                if !(node.weight.is_finite() && node.weight > 0.0) {
                    checker.error(
                        "weight.invalid",
                        format!("{node_path}.weight"),
                        format!("weight must be a positive finite number, not {}", node.weight),
                    );
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
                self.warning("indicator.no_questions", path, format!("no question feeds indicator `{leaf}`"));
            }
        }
        let mut inner: BTreeSet<String> = seen.into_keys().collect();
        inner.retain(|id| !leaves.contains(id));
        for item in &items {
            let Some(indicator) = item.indicator() else { continue };
            let path = format!("{}.indicator", self.item_path(item));
            if inner.contains(indicator) {
                self.error(
                    "indicator.not_leaf",
                    path,
                    format!("`{indicator}` has children; map questions to its leaves"),
                );
            } else if !leaves.contains(indicator) && !self.incomplete {
                self.error("indicator.unknown", path, format!("no indicator has the id `{indicator}`"));
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
                            self.error("expr.syntax", path, format!("{err} in `{text}`"));
                            continue;
                        }
                    };
                    let mut reference_problem = false;
                    for id in parsed.references() {
                        match types.get(id) {
                            None if self.incomplete => reference_problem = true,
                            None => {
                                self.error("reference.unknown", path.clone(), format!("no question has the id `{id}`"));
                                reference_problem = true;
                            }
                            Some(None) => {
                                self.error(
                                    "reference.unreadable",
                                    path.clone(),
                                    format!("`{id}` is a matrix or a note; its value cannot be read in expressions"),
                                );
                                reference_problem = true;
                            }
                            Some(Some(_)) if !is_constraint && id == question.id => {
                                self.error(
                                    "relevance.self",
                                    path.clone(),
                                    "a question's relevance cannot depend on its own answer",
                                );
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
                        Ok(other) => self.error(
                            "expr.not_boolean",
                            path,
                            format!("must be a yes/no condition, but `{text}` gives {}", other.name()),
                        ),
                        Err(err) => self.error("expr.type", path, format!("{} in `{text}`", err.message)),
                    }
                }
                if question.constraint_message.is_some() && question.constraint.is_none() {
                    self.warning(
                        "constraint_message.unused",
                        format!("{qpath}.constraint_message"),
                        "there is no `constraint` to explain",
                    );
                }
            }
        }
        let paths: Vec<String> = self.question_paths.iter().flatten().cloned().collect();
        let ids: Vec<&str> = survey.questions().map(|(_, q)| q.id.as_str()).collect();
        for cycle in relevance_cycles(survey) {
            let names: Vec<&str> = cycle.iter().filter_map(|&idx| ids.get(idx).copied()).collect();
            let path =
                cycle.first().and_then(|&idx| paths.get(idx)).map(|p| format!("{p}.relevant")).unwrap_or_default();
            self.error(
                "relevance.cycle",
                path,
                format!("relevance conditions depend on each other in a circle: {}", names.join(" → ")),
            );
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
                    "field.not_for_kind",
                    format!("{path}.{field}"),
                    format!("`{field}` does not apply to a `{}` question", kind.name()),
                );
            }
        }
        if kind == Note && q.constraint.is_some() {
            self.error("field.not_for_kind", format!("{path}.constraint"), "a `note` takes no answer to constrain");
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
                    self.error("max_length.invalid", format!("{path}.max_length"), "must be at least 1");
                }
            }
            Integer | Decimal => {
                for (field, bound) in [("min", q.min), ("max", q.max)] {
                    match bound {
                        Some(value) if kind == Integer && value.fract() != 0.0 => self.error(
                            "range.invalid",
                            format!("{path}.{field}"),
                            format!("an `integer` question needs a whole number here, not {value}"),
                        ),
                        _ => {}
                    }
                }
                if let (Some(min), Some(max)) = (q.min, q.max) {
                    if min > max {
                        self.error("range.invalid", format!("{path}.min"), format!("`min` {min} is above `max` {max}"));
                    }
                }
            }
            Date => {
                for (field, bound) in [("min_date", &q.min_date), ("max_date", &q.max_date)] {
                    if let Some(date) = bound {
                        if !is_iso_date(date) {
                            self.error(
                                "date.invalid",
                                format!("{path}.{field}"),
                                format!("`{date}` is not a date written YYYY-MM-DD"),
                            );
                        }
                    }
                }
                if let (Some(min), Some(max)) = (&q.min_date, &q.max_date) {
                    if is_iso_date(min) && is_iso_date(max) && min > max {
                        self.error(
                            "range.invalid",
                            format!("{path}.min_date"),
                            format!("`min_date` {min} is after `max_date` {max}"),
                        );
                    }
                }
            }
            YesNo | Note => {}
        }

        if kind == Multiple {
            let n_choices = q.choices.as_ref().map_or(0, Vec::len) as u32;
            if let (Some(min), Some(max)) = (q.min_selected, q.max_selected) {
                if min > max {
                    self.error(
                        "range.invalid",
                        format!("{path}.min_selected"),
                        format!("`min_selected` {min} is above `max_selected` {max}"),
                    );
                }
            }
            if let Some(min) = q.min_selected {
                if n_choices > 0 && min > n_choices {
                    self.error(
                        "range.invalid",
                        format!("{path}.min_selected"),
                        format!("{min} is more than the {n_choices} choices"),
                    );
                }
            }
        }

        if let Some(default) = &q.default {
            let valid = kind != Note
                && serde_json::from_value::<AnswerValue>(default.clone())
                    .is_ok_and(|value| check_answer(q, &value).is_ok());
            if !valid {
                self.error(
                    "default.invalid",
                    format!("{path}.default"),
                    format!("`{default}` is not a possible answer to this question"),
                );
            }
        }
    }

    fn choices(&mut self, question: &Question, path: &str, languages: &[String]) {
        match &question.choices {
            None => self.error(
                "choices.missing",
                format!("{path}.choices"),
                format!("a `{}` question needs `choices`", question.kind.name()),
            ),
            Some(choices) if choices.is_empty() => self.error("choices.empty", format!("{path}.choices"), "empty"),
            Some(choices) => {
                let mut seen = BTreeSet::new();
                for (idx, choice) in choices.iter().enumerate() {
                    let choice_path = format!("{path}.choices[{idx}]");
                    if choice.value.trim().is_empty() {
                        self.error(
                            "choice.value_empty",
                            format!("{choice_path}.value"),
                            "a choice value must not be empty",
                        );
                    } else if !seen.insert(choice.value.as_str()) {
                        self.error(
                            "choice.duplicate",
                            format!("{choice_path}.value"),
                            format!("value `{}` is used twice", choice.value),
                        );
                    }
                    self.text(&choice.label, &format!("{choice_path}.label"), languages);
                }
            }
        }
    }

    fn rows(&mut self, question: &Question, path: &str, languages: &[String]) {
        let rows = question.rows.as_deref().unwrap_or_default();
        if rows.is_empty() {
            self.error("rows.empty", format!("{path}.rows"), "a `matrix` question needs at least one row");
        }
        let mut seen = BTreeSet::new();
        for (idx, row) in rows.iter().enumerate() {
            let row_path = format!("{path}.rows[{idx}]");
            self.identifier(&row.id, &format!("{row_path}.id"));
            if !seen.insert(row.id.as_str()) {
                self.error(
                    "id.duplicate",
                    format!("{row_path}.id"),
                    format!("row id `{}` is used twice in this matrix", row.id),
                );
            }
            self.text(&row.label, &format!("{row_path}.label"), languages);
            if let Some(weight) = row.weight {
                if !(weight.is_finite() && weight > 0.0) {
                    self.error(
                        "weight.invalid",
                        format!("{row_path}.weight"),
                        format!("weight must be a positive finite number, not {weight}"),
                    );
                }
                if row.indicator.is_none() {
                    self.error(
                        "weight.without_indicator",
                        format!("{row_path}.weight"),
                        "a weight needs an `indicator` to weigh within",
                    );
                }
            }
        }
        if rows.iter().any(|row| row.indicator.is_some()) && question.satisfied.is_none() {
            self.warning(
                "satisfied.missing",
                format!("{path}.satisfied"),
                "no `satisfied` values: these items will have no satisfaction rate",
            );
        }
    }

    fn scale(&mut self, question: &Question, path: &str, languages: &[String]) {
        let points: &[ScalePoint] = question.points.as_deref().unwrap_or_default();
        match &question.points {
            None => self.error(
                "points.missing",
                format!("{path}.points"),
                format!("a `{}` question needs `points`", question.kind.name()),
            ),
            Some(p) if p.is_empty() => {
                self.error("points.empty", format!("{path}.points"), "empty: a scale needs at least two points")
            }
            Some(p) if p.len() == 1 => {
                self.error("points.too_few", format!("{path}.points"), "a scale needs at least two points")
            }
            Some(_) => {}
        }
        let mut values = BTreeSet::new();
        for (idx, point) in points.iter().enumerate() {
            let point_path = format!("{path}.points[{idx}]");
            if !values.insert(point.value) {
                self.error(
                    "point.duplicate",
                    format!("{point_path}.value"),
                    format!("value {} is used twice", point.value),
                );
            }
            self.text(&point.label, &format!("{point_path}.label"), languages);
        }
        for (idx, point) in question.unscored.as_deref().unwrap_or_default().iter().enumerate() {
            let point_path = format!("{path}.unscored[{idx}]");
            if !values.insert(point.value) {
                self.error(
                    "point.duplicate",
                    format!("{point_path}.value"),
                    format!("value {} is already a point of this scale", point.value),
                );
            }
            self.text(&point.label, &format!("{point_path}.label"), languages);
        }
        match &question.satisfied {
            None if question.indicator.is_some() => self.warning(
                "satisfied.missing",
                format!("{path}.satisfied"),
                "no `satisfied` values: this item will have no satisfaction rate",
            ),
            Some(satisfied) => {
                for (idx, value) in satisfied.iter().enumerate() {
                    if !points.iter().any(|p| p.value == *value) {
                        self.error(
                            "satisfied.unknown",
                            format!("{path}.satisfied[{idx}]"),
                            format!("{value} is not a point of this scale"),
                        );
                    }
                }
            }
            None => {}
        }
        if let Some(weight) = question.weight {
            if !(weight.is_finite() && weight > 0.0) {
                self.error(
                    "weight.invalid",
                    format!("{path}.weight"),
                    format!("weight must be a positive finite number, not {weight}"),
                );
            }
            if question.indicator.is_none() {
                self.error(
                    "weight.without_indicator",
                    format!("{path}.weight"),
                    "a weight needs an `indicator` to weigh within",
                );
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
