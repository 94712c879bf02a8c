//! XLSForm workbooks to survey/1 definitions: bytes in, a definition or every problem out, each
//! named by sheet, row (as the spreadsheet numbers it, header = row 1) and column. No IO: the
//! `survey convert` command reads and writes the files.
//!
//! What is read (`docs/xlsform.md`): the `survey`, `choices` and `settings` sheets; the types
//! `select_one`, `select_multiple`, `integer`, `decimal`, `text`, `date`, `note`, groups, the
//! legacy spellings, and the kit's `scale LIST` and `yes_no`; labels, hints, required, relevant,
//! constraint, constraint message, default and appearance; the evaluation columns `indicator`,
//! `weight`, `reverse`, `reverse_of` (survey) and `satisfied`, `unscored` (choices). Each
//! top-level group is a section; each run of ungrouped questions is a section of its own; nested
//! groups are flattened with their relevance and-ed onto each question inside. The result must
//! also pass the kit's own validation, whose findings are mapped back to their rows.

mod messages;
mod sheet;

pub use messages::{Message, Problem, Severity};

use serde_json::{json, Map, Value};
use sheet::{Sheet, SheetRow};
use std::collections::{BTreeMap, BTreeSet};
use survey_core::definition::expr::{self, Expr};
use survey_core::MessageLang;

/// The outcome of a conversion: the definition (pretty JSON, only when there is no error) and
/// every problem found, errors first, each group in sheet order.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub definition: Option<String>,
    pub problems: Vec<Problem>,
}

impl Conversion {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// Types that are metadata in ODK forms: no question, dropped with a warning.
const METADATA: &[&str] = &[
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "imei",
    "start-geopoint",
];

/// Columns with no place in survey/1: dropped with a warning when a row fills them.
const DROPPED_COLUMNS: &[&str] = &["required_message", "media::image", "image", "audio", "video", "read_only"];

/// Columns whose use is refused: the kit has no equivalent and dropping them would change the form.
const REFUSED_COLUMNS: &[&str] = &["choice_filter", "calculation", "repeat_count", "trigger", "parameters"];

/// Converts a workbook (`.xlsx` or `.ods`).
pub fn convert(bytes: &[u8]) -> Conversion {
    let mut problems = Vec::new();
    let sheets = match sheet::read_workbook(bytes) {
        Ok(sheets) => sheets,
        Err(why) => {
            problems.push(error("", None, None, Message::Unreadable(why)));
            return Conversion { definition: None, problems };
        }
    };
    let mut converter = Converter { problems, ..Converter::default() };
    let definition = converter.run(&sheets);
    let mut problems = converter.problems;
    problems.sort_by_key(|p| p.severity);
    let definition = definition.filter(|_| !problems.iter().any(|p| p.severity == Severity::Error));
    Conversion { definition, problems }
}

fn error(sheet: &str, row: Option<u32>, column: Option<&str>, message: Message) -> Problem {
    Problem { severity: Severity::Error, sheet: sheet.to_owned(), row, column: column.map(str::to_owned), message }
}

fn warning(sheet: &str, row: Option<u32>, column: Option<&str>, message: Message) -> Problem {
    Problem { severity: Severity::Warning, sheet: sheet.to_owned(), row, column: column.map(str::to_owned), message }
}

/// A choice list: its choices in sheet order, and what marks them.
#[derive(Debug, Default)]
struct ChoiceList {
    choices: Vec<ChoiceRow>,
}

#[derive(Debug)]
struct ChoiceRow {
    name: String,
    label: Map<String, Value>,
    satisfied: bool,
    unscored: bool,
}

impl ChoiceList {
    /// A scale list: every name an integer and at least one choice marked satisfied.
    fn is_scale(&self) -> bool {
        self.choices.iter().all(|c| c.name.parse::<i64>().is_ok()) && self.choices.iter().any(|c| c.satisfied)
    }
}

/// A question as converted, with the row it came from (for mapping check findings back).
struct Converted {
    row: u32,
    value: Map<String, Value>,
}

struct SectionOut {
    row: u32,
    id: String,
    title: Map<String, Value>,
    questions: Vec<Converted>,
}

#[derive(Default)]
struct Converter {
    problems: Vec<Problem>,
    /// Language tags in the order their columns first appear.
    languages: Vec<String>,
    default_tag: Option<String>,
}

/// A group open while reading the survey sheet.
struct OpenGroup {
    row: u32,
    relevant: Option<String>,
}

impl Converter {
    fn run(&mut self, sheets: &[Sheet]) -> Option<String> {
        let find = |name: &str| sheets.iter().find(|s| s.name.eq_ignore_ascii_case(name));
        let settings = find("settings").map(|s| self.settings(s)).unwrap_or_default();
        let Some(survey_sheet) = find("survey") else {
            self.problems.push(error("survey", None, None, Message::NoSheet));
            return None;
        };
        // The form's languages in the order of the survey sheet's label columns, then the choices'.
        for column in &survey_sheet.header {
            let tag = match column.language_of("label") {
                Some(None) => self.default_tag.clone(),
                Some(Some(language)) => language_tag(&language),
                None => None,
            };
            if let Some(tag) = tag.filter(|t| !self.languages.contains(t)) {
                self.languages.push(tag);
            }
        }
        let lists = find("choices").map(|s| self.choices(s)).unwrap_or_default();
        let matrix_rows = find("rows").map(|s| self.matrix_rows(s)).unwrap_or_default();
        let sections = self.survey(survey_sheet, &lists, &matrix_rows, &settings)?;
        let indicators = find("indicators").map(|s| self.indicators(s)).unwrap_or_default();
        let units = find("units").map(|s| self.units(s)).unwrap_or_default();
        if self.problems.iter().any(|p| p.severity == Severity::Error) {
            return None;
        }
        let title = self
            .setting_text(&settings, "form_title")
            .unwrap_or_else(|| self.all_languages(settings.get("form_id").map(String::as_str).unwrap_or("survey")));
        let mut document = Map::new();
        document.insert("format".into(), json!("survey/1"));
        document.insert("id".into(), json!(settings.get("form_id").cloned().unwrap_or_else(|| "survey".into())));
        document.insert("version".into(), json!(settings.get("version").cloned().unwrap_or_else(|| "1".into())));
        document.insert("title".into(), Value::Object(title));
        if let Some(description) = self.setting_text(&settings, "description") {
            document.insert("description".into(), Value::Object(description));
        }
        if let Some(recipients) = settings.get("recipients") {
            let list: Vec<&str> = recipients.split([' ', ',', '\n']).filter(|r| !r.is_empty()).collect();
            document.insert("recipients".into(), json!(list));
        }
        if let Some(seconds) = settings.get("min_seconds_per_question") {
            match seconds.parse::<f64>() {
                Ok(seconds) => {
                    document.insert("quality".into(), json!({ "min_seconds_per_question": seconds }));
                }
                Err(_) => self.problems.push(error(
                    "settings",
                    Some(2),
                    Some("min_seconds_per_question"),
                    Message::NotNumber(seconds.clone()),
                )),
            }
        }
        document.insert("languages".into(), json!(self.languages));
        if !units.is_empty() {
            document.insert("units".into(), Value::Array(units));
        }
        let rows: Vec<(u32, Vec<u32>)> =
            sections.iter().map(|s| (s.row, s.questions.iter().map(|q| q.row).collect())).collect();
        let sections: Vec<Value> = sections
            .into_iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "title": s.title,
                    "questions": s.questions.into_iter().map(|q| Value::Object(q.value)).collect::<Vec<_>>(),
                })
            })
            .collect();
        document.insert("sections".into(), Value::Array(sections));
        if !indicators.is_empty() {
            document.insert("indicators".into(), Value::Array(indicators));
        }
        let text = serde_json::to_string_pretty(&Value::Object(document)).unwrap_or_default();
        self.check(&text, &rows);
        Some(text + "\n")
    }

    /// The kit's own validation of the result, each finding mapped to the row it came from.
    fn check(&mut self, text: &str, rows: &[(u32, Vec<u32>)]) {
        for diagnostic in survey_core::load_survey(text).diagnostics {
            let (row, column) = place_of(&diagnostic.path, rows);
            let message =
                Message::Check(diagnostic.message_in(MessageLang::En), diagnostic.message_in(MessageLang::ZhCn));
            let severity = match diagnostic.severity {
                survey_core::Severity::Error => Severity::Error,
                _ => Severity::Warning,
            };
            // The sheet the path's top-level field comes from.
            let sheet = match diagnostic.path.split(['.', '[']).next().unwrap_or_default() {
                "sections" => "survey",
                "indicators" => "indicators",
                "units" => "units",
                _ => "settings",
            };
            self.problems.push(Problem { severity, sheet: sheet.into(), row, column, message });
        }
    }

    /// The `indicators` sheet: rows `id`, `parent` (empty at the top), `label::…`, `weight`, as the
    /// tree survey/1 writes (children in sheet order). A parent must come before its children.
    fn indicators(&mut self, sheet: &Sheet) -> Vec<Value> {
        let (Some(id_col), Some(weight_col)) = (sheet.column("id"), sheet.column("weight")) else {
            let missing = if sheet.column("id").is_none() { "id" } else { "weight" };
            self.problems.push(error(&sheet.name, Some(1), Some(missing), Message::NoColumn));
            return Vec::new();
        };
        let parent_col = sheet.column("parent");
        let labels = self.language_columns(sheet, "label");
        // (id, parent, node) in sheet order; the tree is assembled bottom-up afterwards.
        let mut nodes: Vec<(String, Option<String>, Map<String, Value>)> = Vec::new();
        for row in &sheet.rows {
            let id = row.cell(id_col).to_owned();
            if id.is_empty() {
                self.problems.push(error(&sheet.name, Some(row.number), Some("id"), Message::NoName));
                continue;
            }
            let parent = parent_col.map(|c| row.cell(c).to_owned()).filter(|p| !p.is_empty());
            if let Some(parent) = &parent {
                if !nodes.iter().any(|(known, _, _)| known == parent) {
                    self.problems.push(error(
                        &sheet.name,
                        Some(row.number),
                        Some("parent"),
                        Message::UnknownParent(parent.clone()),
                    ));
                    continue;
                }
            }
            let weight = match row.cell(weight_col).parse::<f64>() {
                Ok(weight) => weight,
                Err(_) => {
                    self.problems.push(error(
                        &sheet.name,
                        Some(row.number),
                        Some("weight"),
                        Message::NotNumber(row.cell(weight_col).to_owned()),
                    ));
                    continue;
                }
            };
            let mut title = Self::text_of(row, &labels);
            if title.is_empty() {
                title = self.all_languages(&id);
            }
            let mut node = Map::new();
            node.insert("id".into(), json!(id));
            node.insert("title".into(), Value::Object(title));
            node.insert("weight".into(), json!(weight));
            nodes.push((id, parent, node));
        }
        fn build(parent: Option<&str>, nodes: &[(String, Option<String>, Map<String, Value>)]) -> Vec<Value> {
            nodes
                .iter()
                .filter(|(_, p, _)| p.as_deref() == parent)
                .map(|(id, _, node)| {
                    let mut node = node.clone();
                    let children = build(Some(id), nodes);
                    if !children.is_empty() {
                        node.insert("children".into(), Value::Array(children));
                    }
                    Value::Object(node)
                })
                .collect()
        }
        build(None, &nodes)
    }

    /// The `units` sheet: rows `id`, `name::…`.
    fn units(&mut self, sheet: &Sheet) -> Vec<Value> {
        let Some(id_col) = sheet.column("id") else {
            self.problems.push(error(&sheet.name, Some(1), Some("id"), Message::NoColumn));
            return Vec::new();
        };
        let names = self.language_columns(sheet, "name");
        sheet
            .rows
            .iter()
            .filter(|row| !row.cell(id_col).is_empty())
            .map(|row| {
                let id = row.cell(id_col);
                let mut name = Self::text_of(row, &names);
                if name.is_empty() {
                    name = self.all_languages(id);
                }
                json!({ "id": id, "name": name })
            })
            .collect()
    }

    /// The settings sheet: the first data row, by column.
    fn settings(&mut self, sheet: &Sheet) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Some(row) = sheet.rows.first() {
            for (column, value) in sheet.header.iter().zip(&row.cells) {
                if !value.is_empty() {
                    let key = if column.key == "id_string" { "form_id".to_owned() } else { column.key.clone() };
                    out.insert(key, value.clone());
                }
            }
            if let Some(default) = out.get("default_language").cloned() {
                match language_tag(&default) {
                    Some(tag) => self.default_tag = Some(tag),
                    None => self.problems.push(error(
                        "settings",
                        Some(row.number),
                        Some("default_language"),
                        Message::UnknownLanguage(default),
                    )),
                }
            }
        }
        out
    }

    /// A settings text: `KEY::LANGUAGE` columns give one text per language; a plain `KEY` column
    /// the same text in every language of the form (the language columns win where both are set).
    fn setting_text(&self, settings: &BTreeMap<String, String>, key: &str) -> Option<Map<String, Value>> {
        let mut text = settings.get(key).map(|plain| self.all_languages(plain)).unwrap_or_default();
        let prefix = format!("{key}::");
        for (column, value) in settings {
            if let Some(tag) = column.strip_prefix(&prefix).and_then(language_tag) {
                text.insert(tag, json!(value));
            }
        }
        (!text.is_empty()).then_some(text)
    }

    /// The `rows` sheet of matrix questions: columns `matrix` (the question's name), `id`,
    /// `label::…`, and `reverse`, `reverse_of`, `indicator`, `weight` as on the survey sheet; the
    /// rows of each matrix in sheet order.
    fn matrix_rows(&mut self, sheet: &Sheet) -> BTreeMap<String, Vec<Value>> {
        let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let (Some(matrix_col), Some(id_col)) = (sheet.column("matrix"), sheet.column("id")) else {
            let missing = if sheet.column("matrix").is_none() { "matrix" } else { "id" };
            self.problems.push(error(&sheet.name, Some(1), Some(missing), Message::NoColumn));
            return out;
        };
        let labels = self.language_columns(sheet, "label");
        for row in &sheet.rows {
            let matrix = row.cell(matrix_col);
            if matrix.is_empty() {
                continue;
            }
            let id = row.cell(id_col);
            if id.is_empty() {
                self.problems.push(error(&sheet.name, Some(row.number), Some("id"), Message::NoName));
                continue;
            }
            let mut label = Self::text_of(row, &labels);
            if label.is_empty() {
                label = self.all_languages(id);
            }
            let mut entry = Map::new();
            entry.insert("id".into(), json!(id));
            entry.insert("label".into(), Value::Object(label));
            let cell = |key: &str| sheet.column(key).map(|c| row.cell(c)).filter(|v| !v.is_empty());
            if cell("reverse").and_then(yes) == Some(true) {
                entry.insert("reverse".into(), json!(true));
            }
            for key in ["reverse_of", "indicator"] {
                if let Some(value) = cell(key) {
                    entry.insert(key.into(), json!(value));
                }
            }
            if let Some(weight) = self.number::<f64>(sheet, row, "weight") {
                entry.insert("weight".into(), json!(weight));
            }
            out.entry(matrix.to_owned()).or_default().push(Value::Object(entry));
        }
        out
    }

    /// A number cell of a row, by column key: `None` when the column or the cell is empty, and
    /// when it is not a number (then an error at its row and column).
    fn number<T: std::str::FromStr>(&mut self, sheet: &Sheet, row: &SheetRow, key: &str) -> Option<T> {
        let value = sheet.column(key).map(|c| row.cell(c)).filter(|v| !v.is_empty())?;
        let parsed = value.parse::<T>().ok();
        if parsed.is_none() {
            self.problems.push(error(&sheet.name, Some(row.number), Some(key), Message::NotNumber(value.to_owned())));
        }
        parsed
    }

    /// A plain text for every language of the form (settings texts have one column).
    fn all_languages(&self, text: &str) -> Map<String, Value> {
        let mut map = Map::new();
        let tags = if self.languages.is_empty() { vec!["en".to_owned()] } else { self.languages.clone() };
        for tag in tags {
            map.insert(tag, json!(text));
        }
        map
    }

    /// The language columns of a sheet for one base column (`label`, `hint`, ...): (index, tag).
    fn language_columns(&mut self, sheet: &Sheet, base: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (index, column) in sheet.header.iter().enumerate() {
            let Some(language) = column.language_of(base) else { continue };
            let tag = match language {
                None => match &self.default_tag {
                    Some(tag) => tag.clone(),
                    None => {
                        self.problems.push(error(
                            &sheet.name,
                            Some(1),
                            Some(&column.original),
                            Message::NoDefaultLanguage,
                        ));
                        continue;
                    }
                },
                Some(name) => match language_tag(&name) {
                    Some(tag) => tag,
                    None => {
                        self.problems.push(error(
                            &sheet.name,
                            Some(1),
                            Some(&column.original),
                            Message::UnknownLanguage(name),
                        ));
                        continue;
                    }
                },
            };
            if base == "label" && !self.languages.contains(&tag) {
                self.languages.push(tag.clone());
            }
            out.push((index, tag));
        }
        out
    }

    fn text_of(row: &SheetRow, columns: &[(usize, String)]) -> Map<String, Value> {
        let mut map = Map::new();
        for (index, tag) in columns {
            let value = row.cell(*index);
            if !value.is_empty() {
                map.insert(tag.clone(), json!(value));
            }
        }
        map
    }

    fn choices(&mut self, sheet: &Sheet) -> BTreeMap<String, ChoiceList> {
        let mut lists: BTreeMap<String, ChoiceList> = BTreeMap::new();
        let (Some(list_col), Some(name_col)) = (sheet.column("list_name"), sheet.column("name")) else {
            let missing = if sheet.column("list_name").is_none() { "list_name" } else { "name" };
            self.problems.push(error(&sheet.name, Some(1), Some(missing), Message::NoColumn));
            return lists;
        };
        let labels = self.language_columns(sheet, "label");
        let satisfied = sheet.column("satisfied");
        let unscored = sheet.column("unscored");
        for row in &sheet.rows {
            let list = row.cell(list_col);
            if list.is_empty() {
                continue;
            }
            let name = row.cell(name_col).to_owned();
            if name.is_empty() {
                self.problems.push(error(&sheet.name, Some(row.number), Some("name"), Message::NoName));
                continue;
            }
            let entry = lists.entry(list.to_owned()).or_default();
            if entry.choices.iter().any(|c| c.name == name) {
                self.problems.push(error(&sheet.name, Some(row.number), Some("name"), Message::DuplicateName(name)));
                continue;
            }
            let flag = |column: Option<usize>| column.is_some_and(|c| yes(row.cell(c)) == Some(true));
            entry.choices.push(ChoiceRow {
                name,
                label: Self::text_of(row, &labels),
                satisfied: flag(satisfied),
                unscored: flag(unscored),
            });
        }
        lists
    }

    fn survey(
        &mut self,
        sheet: &Sheet,
        lists: &BTreeMap<String, ChoiceList>,
        matrix_rows: &BTreeMap<String, Vec<Value>>,
        settings: &BTreeMap<String, String>,
    ) -> Option<Vec<SectionOut>> {
        let Some(type_col) = sheet.column("type") else {
            self.problems.push(error(&sheet.name, Some(1), Some("type"), Message::NoColumn));
            return None;
        };
        let name_col = sheet.column("name");
        let labels = self.language_columns(sheet, "label");
        let hints = self.language_columns(sheet, "hint");
        let messages = self.language_columns(sheet, "constraint_message");
        let column = |key: &str| sheet.column(key);
        let form_title = settings.get("form_title").cloned().unwrap_or_default();

        // First pass: every question's name and kind, so expressions can be checked and typed.
        let mut kinds: BTreeMap<String, &'static str> = BTreeMap::new();
        for row in &sheet.rows {
            let (base, list) = split_type(row.cell(type_col));
            if let (Some(kind), Some(name)) = (kind_of(&base, list.as_deref(), lists), name_col.map(|c| row.cell(c))) {
                kinds.entry(name.to_owned()).or_insert(kind);
            }
        }

        let mut sections: Vec<SectionOut> = Vec::new();
        let mut groups: Vec<OpenGroup> = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut loose = 0usize;
        let mut in_loose_run = false;
        for row in &sheet.rows {
            let raw_type = row.cell(type_col).trim().to_owned();
            if raw_type.is_empty() {
                if row.cells.iter().any(|c| !c.is_empty()) {
                    self.problems.push(error(&sheet.name, Some(row.number), Some("type"), Message::NoType));
                }
                continue;
            }
            let (base, list) = split_type(&raw_type);
            let name = name_col.map(|c| row.cell(c).trim().to_owned()).unwrap_or_default();
            for refused in REFUSED_COLUMNS {
                if column(refused).is_some_and(|c| !row.cell(c).is_empty()) {
                    self.problems.push(error(&sheet.name, Some(row.number), Some(refused), Message::UnsupportedColumn));
                }
            }
            for dropped in DROPPED_COLUMNS {
                if column(dropped).is_some_and(|c| !row.cell(c).is_empty()) {
                    self.problems.push(warning(&sheet.name, Some(row.number), Some(dropped), Message::Dropped));
                }
            }
            let relevant = column("relevant").map(|c| row.cell(c).to_owned()).filter(|r| !r.is_empty());
            let relevant = relevant.and_then(|r| self.expression(sheet, row.number, "relevant", &r, None, &kinds));
            match base.as_str() {
                "begin_group" | "begin group" => {
                    // A bad group name is reported; its questions are still read.
                    self.check_name(sheet, row.number, &name, &mut seen);
                    // Only a top-level group opens a section; nested ones are flattened into it.
                    if groups.is_empty() {
                        in_loose_run = false;
                        let mut title = Self::text_of(row, &labels);
                        if title.is_empty() {
                            title = self.all_languages(&name);
                        }
                        sections.push(SectionOut { row: row.number, id: name.clone(), title, questions: Vec::new() });
                    }
                    groups.push(OpenGroup { row: row.number, relevant });
                    continue;
                }
                "end_group" | "end group" => {
                    if groups.pop().is_none() {
                        self.problems.push(error(&sheet.name, Some(row.number), Some("type"), Message::Unbalanced));
                    }
                    continue;
                }
                _ => {}
            }
            if METADATA.contains(&base.as_str()) {
                self.problems.push(warning(
                    &sheet.name,
                    Some(row.number),
                    Some("type"),
                    Message::DroppedMetadata(base),
                ));
                continue;
            }
            let Some(kind) = kind_of(&base, list.as_deref(), lists) else {
                let message = match (&list, is_select(&base)) {
                    (Some(list), true) if !lists.contains_key(list) => Message::UnknownList(list.clone()),
                    (Some(list), true) if matches!(base.as_str(), "scale" | "matrix") => {
                        Message::NotScaleList(list.clone())
                    }
                    _ => Message::UnsupportedType(raw_type.clone()),
                };
                self.problems.push(error(&sheet.name, Some(row.number), Some("type"), message));
                continue;
            };
            if !self.check_name(sheet, row.number, &name, &mut seen) {
                continue;
            }
            // A group's relevance, at any depth, and-ed onto each question inside.
            let mut conditions: Vec<String> = groups.iter().filter_map(|g| g.relevant.clone()).collect();
            conditions.extend(relevant);
            let mut question = Map::new();
            question.insert("id".into(), json!(name));
            question.insert("kind".into(), json!(kind));
            let mut title = Self::text_of(row, &labels);
            if title.is_empty() {
                title = self.all_languages(&name);
            }
            question.insert("title".into(), Value::Object(title));
            let help = Self::text_of(row, &hints);
            if !help.is_empty() {
                question.insert("help".into(), Value::Object(help));
            }
            if let Some(c) = column("required") {
                let cell = row.cell(c);
                match yes(cell) {
                    Some(true) => {
                        question.insert("required".into(), json!(true));
                    }
                    Some(false) => {}
                    None => self.problems.push(error(
                        &sheet.name,
                        Some(row.number),
                        Some("required"),
                        Message::BadRequired(cell.to_owned()),
                    )),
                }
            }
            match kind {
                "single" | "multiple" => {
                    let choices = list.as_deref().and_then(|l| lists.get(l)).map(|l| &l.choices[..]).unwrap_or(&[]);
                    let choices: Vec<Value> = choices
                        .iter()
                        .map(|c| {
                            let label = if c.label.is_empty() { self.all_languages(&c.name) } else { c.label.clone() };
                            json!({ "value": c.name, "label": label })
                        })
                        .collect();
                    question.insert("choices".into(), Value::Array(choices));
                }
                "scale" | "matrix" => {
                    let list = list.as_deref().and_then(|l| lists.get(l));
                    let choices = list.map(|l| &l.choices[..]).unwrap_or(&[]);
                    let point = |c: &ChoiceRow| {
                        let label = if c.label.is_empty() { self.all_languages(&c.name) } else { c.label.clone() };
                        json!({ "value": c.name.parse::<i64>().unwrap_or_default(), "label": label })
                    };
                    let points: Vec<Value> = choices.iter().filter(|c| !c.unscored).map(point).collect();
                    let unscored: Vec<Value> = choices.iter().filter(|c| c.unscored).map(point).collect();
                    let satisfied: Vec<i64> =
                        choices.iter().filter(|c| c.satisfied).filter_map(|c| c.name.parse().ok()).collect();
                    question.insert("points".into(), Value::Array(points));
                    question.insert("satisfied".into(), json!(satisfied));
                    if !unscored.is_empty() {
                        question.insert("unscored".into(), Value::Array(unscored));
                    }
                    if kind == "matrix" {
                        let rows = matrix_rows.get(&name).cloned().unwrap_or_default();
                        question.insert("rows".into(), Value::Array(rows));
                    }
                }
                _ => {}
            }
            let appearance = column("appearance").map(|c| row.cell(c).to_owned()).unwrap_or_default();
            if appearance.split_whitespace().any(|a| a == "multiline") && kind == "text" {
                question.insert("multiline".into(), json!(true));
            }
            if appearance.split_whitespace().any(|a| a == "likert") && kind == "single" {
                self.problems.push(warning(
                    &sheet.name,
                    Some(row.number),
                    Some("appearance"),
                    Message::LikertWithoutScale,
                ));
            }
            for (key, target) in [("indicator", "indicator"), ("reverse_of", "reverse_of")] {
                if let Some(value) = column(key).map(|c| row.cell(c)).filter(|v| !v.is_empty()) {
                    question.insert(target.into(), json!(value));
                }
            }
            if let Some(value) = column("reverse").map(|c| row.cell(c)).filter(|v| !v.is_empty()) {
                if yes(value) == Some(true) {
                    question.insert("reverse".into(), json!(true));
                }
            }
            // Kit columns for what XLSForm writes as constraints: ranges and lengths.
            for key in ["min", "max", "weight"] {
                if let Some(n) = self.number::<f64>(sheet, row, key) {
                    question.insert(key.into(), json!(n));
                }
            }
            for key in ["max_length", "min_selected", "max_selected"] {
                if let Some(n) = self.number::<u32>(sheet, row, key) {
                    question.insert(key.into(), json!(n));
                }
            }
            for key in ["min_date", "max_date"] {
                if let Some(value) = column(key).map(|c| row.cell(c)).filter(|v| !v.is_empty()) {
                    question.insert(key.into(), json!(value));
                }
            }
            if !conditions.is_empty() {
                let joined = if conditions.len() == 1 {
                    conditions.remove(0)
                } else {
                    // A printed binary expression is already parenthesised; a call is not.
                    let wrap = |c: &String| if c.starts_with('(') { c.clone() } else { format!("({c})") };
                    conditions.iter().map(wrap).collect::<Vec<_>>().join(" and ")
                };
                question.insert("relevant".into(), json!(joined));
            }
            if let Some(constraint) = column("constraint").map(|c| row.cell(c).to_owned()).filter(|c| !c.is_empty()) {
                if let Some(constraint) =
                    self.expression(sheet, row.number, "constraint", &constraint, Some(kind), &kinds)
                {
                    question.insert("constraint".into(), json!(constraint));
                    let message = Self::text_of(row, &messages);
                    if !message.is_empty() {
                        question.insert("constraint_message".into(), Value::Object(message));
                    }
                }
            }
            if let Some(default) = column("default").map(|c| row.cell(c)).filter(|d| !d.is_empty()) {
                let value = match kind {
                    "integer" | "scale" => default.parse::<i64>().map(Value::from).ok(),
                    "decimal" => default.parse::<f64>().ok().map(Value::from),
                    "multiple" => Some(json!(default.split_whitespace().collect::<Vec<_>>())),
                    _ => Some(json!(default)),
                };
                match value {
                    Some(value) => {
                        question.insert("default".into(), value);
                    }
                    None => self.problems.push(error(
                        &sheet.name,
                        Some(row.number),
                        Some("default"),
                        Message::NotNumber(default.to_owned()),
                    )),
                }
            }
            if groups.is_empty() && !in_loose_run {
                // A run of ungrouped questions: a section of its own, titled like the form.
                loose += 1;
                in_loose_run = true;
                let title = self.all_languages(if form_title.is_empty() { &name } else { &form_title });
                sections.push(SectionOut {
                    row: row.number,
                    id: format!("part_{loose}"),
                    title,
                    questions: Vec::new(),
                });
            }
            if let Some(section) = sections.last_mut() {
                section.questions.push(Converted { row: row.number, value: question });
            }
        }
        // A group never closed: reported at its beginning.
        for group in &groups {
            self.problems.push(error(&sheet.name, Some(group.row), Some("type"), Message::Unbalanced));
        }
        Some(sections)
    }

    /// Checks a name: present, made of ASCII letters, digits and `_`, used once. `false` when
    /// refused (the problem is recorded).
    fn check_name(&mut self, sheet: &Sheet, row: u32, name: &str, seen: &mut BTreeSet<String>) -> bool {
        let problem = if name.is_empty() {
            Message::NoName
        } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            Message::BadName(name.to_owned())
        } else if !seen.insert(name.to_owned()) {
            Message::DuplicateName(name.to_owned())
        } else {
            return true;
        };
        self.problems.push(error(&sheet.name, Some(row), Some("name"), problem));
        false
    }

    /// An XLSForm expression in the kit's language: smart quotes straightened, parsed, every
    /// `${name}` checked, and literals compared with a question typed by its kind (`'1'` becomes
    /// `1` beside a scale or a number, `1` becomes `'1'` beside a single choice or a text).
    fn expression(
        &mut self,
        sheet: &Sheet,
        row: u32,
        column: &str,
        text: &str,
        own_kind: Option<&'static str>,
        kinds: &BTreeMap<String, &'static str>,
    ) -> Option<String> {
        let straight: String = text
            .chars()
            .map(|c| match c {
                '\u{2018}' | '\u{2019}' => '\'',
                '\u{201c}' | '\u{201d}' => '"',
                other => other,
            })
            .collect();
        let parsed = match expr::parse(&straight) {
            Ok(parsed) => parsed,
            Err(err) => {
                self.problems.push(error(
                    &sheet.name,
                    Some(row),
                    Some(column),
                    Message::BadExpression(err.to_string()),
                ));
                return None;
            }
        };
        let mut unknown = false;
        for name in parsed.references() {
            if !kinds.contains_key(name) {
                self.problems.push(error(
                    &sheet.name,
                    Some(row),
                    Some(column),
                    Message::UnknownReference(name.to_owned()),
                ));
                unknown = true;
            }
        }
        if unknown {
            return None;
        }
        Some(retype(parsed, own_kind, kinds).to_string())
    }
}

/// Rewrites literals beside a question reference to the question's value type.
fn retype(expr: Expr, own_kind: Option<&'static str>, kinds: &BTreeMap<String, &'static str>) -> Expr {
    let kind_of = |e: &Expr| match e {
        Expr::Ref(name) => kinds.get(name).copied(),
        Expr::SelfRef => own_kind,
        _ => None,
    };
    let fit = |literal: Expr, kind: Option<&'static str>| match (literal, kind) {
        (Expr::Str(s), Some("scale" | "integer" | "decimal")) => match s.trim().parse::<f64>() {
            Ok(n) => Expr::Num(n),
            Err(_) => Expr::Str(s),
        },
        (Expr::Num(n), Some("single" | "multiple" | "text")) => Expr::Str(number_text(n)),
        (other, _) => other,
    };
    match expr {
        Expr::Binary(op, left, right) => {
            let (left, right) = (retype(*left, own_kind, kinds), retype(*right, own_kind, kinds));
            let (left_kind, right_kind) = (kind_of(&left), kind_of(&right));
            let left = if matches!(left, Expr::Str(_) | Expr::Num(_)) { fit(left, right_kind) } else { left };
            let right = if matches!(right, Expr::Str(_) | Expr::Num(_)) { fit(right, left_kind) } else { right };
            Expr::Binary(op, Box::new(left), Box::new(right))
        }
        Expr::Call(func, args) => {
            let args: Vec<Expr> = args.into_iter().map(|a| retype(a, own_kind, kinds)).collect();
            if func == expr::Func::Selected && args.len() == 2 {
                let mut args = args;
                if let Expr::Num(n) = args[1] {
                    args[1] = Expr::Str(number_text(n));
                }
                return Expr::Call(func, args);
            }
            Expr::Call(func, args)
        }
        Expr::Neg(inner) => Expr::Neg(Box::new(retype(*inner, own_kind, kinds))),
        other => other,
    }
}

/// A number as a choice name: `1`, not `1.0`.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn is_select(base: &str) -> bool {
    matches!(base, "select_one" | "select_multiple" | "scale" | "matrix")
}

/// `select_one LIST`, `select one from LIST`, `select_multiple LIST`, `select multiple from LIST`
/// → (base type, list); any other type → (type, None). Lower case, single spaces.
fn split_type(raw: &str) -> (String, Option<String>) {
    let words: Vec<&str> = raw.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    match lower.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["select_one" | "select_multiple" | "scale" | "matrix", _] => (lower[0].clone(), Some(words[1].to_owned())),
        ["select", "one", "from", _] => ("select_one".into(), Some(words[3].to_owned())),
        ["select", "multiple" | "all_that_apply", "from", _] => ("select_multiple".into(), Some(words[3].to_owned())),
        ["select", "all", "that", "apply", "from", _] => ("select_multiple".into(), Some(words[5].to_owned())),
        _ => (lower.join(" "), None),
    }
}

/// The survey/1 kind of a type, or `None` when the kit has no such kind (or the list is missing).
fn kind_of(base: &str, list: Option<&str>, lists: &BTreeMap<String, ChoiceList>) -> Option<&'static str> {
    let list = list.and_then(|l| lists.get(l));
    match base {
        "select_one" => Some(if list?.is_scale() { "scale" } else { "single" }),
        "select_multiple" => list.map(|_| "multiple"),
        "scale" => list.filter(|l| l.is_scale()).map(|_| "scale"),
        "matrix" => list.filter(|l| l.is_scale()).map(|_| "matrix"),
        "integer" | "int" => Some("integer"),
        "decimal" => Some("decimal"),
        "text" | "string" => Some("text"),
        "date" => Some("date"),
        "note" => Some("note"),
        "yes_no" => Some("yes_no"),
        _ => None,
    }
}

/// XLSForm's yes: `yes`, `true`, `1` (a TRUE cell reads `true`), any case; no: empty, `no`,
/// `false`, `0`. `None` otherwise.
fn yes(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "yes" | "true" | "1" | "true()" => Some(true),
        "" | "no" | "false" | "0" | "false()" => Some(false),
        _ => None,
    }
}

/// The survey/1 tag of an XLSForm language: `Name (code)` gives the code; `zh`, `zh-CN` and
/// `zh-Hans` are `zh-CN`; a bare English or Chinese name is known; any other bare name is not.
fn language_tag(language: &str) -> Option<String> {
    let language = language.trim();
    let code = match (language.rfind('('), language.ends_with(')')) {
        (Some(open), true) => language[open + 1..language.len() - 1].trim().to_owned(),
        _ => match language.to_lowercase().as_str() {
            "english" => "en".to_owned(),
            "chinese" | "中文" | "简体中文" => "zh-CN".to_owned(),
            other if other.len() <= 3 && other.chars().all(|c| c.is_ascii_alphabetic()) && !other.is_empty() => {
                other.to_owned()
            }
            _ => return None,
        },
    };
    Some(match code.as_str() {
        "zh" | "zh-CN" | "zh-cn" | "zh-Hans" | "zh-hans" => "zh-CN".to_owned(),
        _ => code,
    })
}

/// The sheet row and column a validation path points at (`sections[1].questions[2].relevant`).
fn place_of(path: &str, rows: &[(u32, Vec<u32>)]) -> (Option<u32>, Option<String>) {
    let number = |part: &str, key: &str| -> Option<usize> {
        part.strip_prefix(key)?.strip_prefix('[')?.split(']').next()?.parse().ok()
    };
    let parts: Vec<&str> = path.split('.').collect();
    let section = parts.first().and_then(|p| number(p, "sections"));
    let question = parts.get(1).and_then(|p| number(p, "questions"));
    match (section, question) {
        (Some(s), Some(q)) => {
            let row = rows.get(s).and_then(|(_, qs)| qs.get(q)).copied();
            (row, parts.get(2).map(|c| c.split('[').next().unwrap_or(c).to_owned()))
        }
        (Some(s), None) => (rows.get(s).map(|(row, _)| *row), None),
        // Elsewhere (settings, indicators, units): the field named last, without its index.
        _ => {
            (None, parts.last().map(|p| p.split('[').next().unwrap_or(p)).filter(|p| !p.is_empty()).map(str::to_owned))
        }
    }
}

#[cfg(test)]
mod tests;
