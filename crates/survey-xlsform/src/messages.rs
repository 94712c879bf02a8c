//! The converter's problems and their text in English and zh-CN, each naming its sheet, row (as
//! the spreadsheet numbers it, header = row 1) and column.

use survey_core::MessageLang;

/// How bad a problem is: an error stops the conversion, a warning names what was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// What is wrong, with its variable parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// The file is not a workbook calamine can read.
    Unreadable(String),
    /// A required sheet is missing.
    NoSheet,
    /// A required column is missing from a sheet's header.
    NoColumn,
    /// A question row without a type.
    NoType,
    /// A type the kit does not have.
    UnsupportedType(String),
    /// A column the kit does not have, used on this row.
    UnsupportedColumn,
    /// A select names a list the choices sheet does not have.
    UnknownList(String),
    /// `scale LIST` or `matrix LIST` with a list that is not a scale.
    NotScaleList(String),
    /// A row without a name.
    NoName,
    /// A name with characters survey/1 ids may not hold.
    BadName(String),
    /// The same name twice.
    DuplicateName(String),
    /// An `end_group` without its `begin_group`, or a group never closed.
    Unbalanced,
    /// A label column whose language cannot be told.
    UnknownLanguage(String),
    /// A plain `label` (or `hint`, ...) column and no `default_language` to give it a tag.
    NoDefaultLanguage,
    /// An expression that does not parse.
    BadExpression(String),
    /// An expression naming a field that is not a question of the form.
    UnknownReference(String),
    /// A `required` cell that is neither yes nor no.
    BadRequired(String),
    /// A cell that must be a number.
    NotNumber(String),
    /// An indicator whose parent is not an indicator above it.
    UnknownParent(String),
    /// A column dropped (no place for it in survey/1).
    Dropped,
    /// A metadata field dropped (the kit records times and devices itself).
    DroppedMetadata(String),
    /// `appearance likert` without the `satisfied` marks that make a scale.
    LikertWithoutScale,
    /// A diagnostic of `survey check` on the converted definition.
    Check(String, String),
}

impl Message {
    pub fn text(&self, lang: MessageLang) -> String {
        let zh = lang == MessageLang::ZhCn;
        match self {
            Message::Unreadable(why) if zh => format!("不是可读取的工作簿（.xlsx 或 .ods）：{why}"),
            Message::Unreadable(why) => format!("not a workbook that can be read (.xlsx or .ods): {why}"),
            Message::NoSheet if zh => "缺少此工作表".into(),
            Message::NoSheet => "this sheet is missing".into(),
            Message::NoColumn if zh => "表头缺少此列".into(),
            Message::NoColumn => "the header has no such column".into(),
            Message::NoType if zh => "此行有内容但没有题型（type）".into(),
            Message::NoType => "the row has content but no type".into(),
            Message::UnsupportedType(t) if zh => format!("不支持的题型 {t}"),
            Message::UnsupportedType(t) => format!("{t} is not supported by the kit"),
            Message::UnsupportedColumn if zh => "本工具不支持此列".into(),
            Message::UnsupportedColumn => "this column is not supported by the kit".into(),
            Message::UnknownList(l) if zh => format!("choices 表中没有选项列表 {l}"),
            Message::UnknownList(l) => format!("the choices sheet has no list {l}"),
            Message::NotScaleList(l) if zh => {
                format!("选项列表 {l} 不是量表：名称须为整数，且至少一个选项在 satisfied 列标为满意")
            }
            Message::NotScaleList(l) => {
                format!("the list {l} is not a scale: its names must be whole numbers, with at least one marked satisfied")
            }
            Message::NoName if zh => "缺少名称（name）".into(),
            Message::NoName => "the row has no name".into(),
            Message::BadName(n) if zh => {
                format!("名称 {n} 只能包含英文字母、数字和下划线（不会自动改名）")
            }
            Message::BadName(n) => {
                format!("the name {n} may only hold ASCII letters, digits and underscores (it is not renamed)")
            }
            Message::DuplicateName(n) if zh => format!("名称 {n} 重复"),
            Message::DuplicateName(n) => format!("the name {n} is used twice"),
            Message::Unbalanced if zh => "分组的开始（begin_group）与结束（end_group）不配对".into(),
            Message::Unbalanced => "begin_group and end_group do not pair up".into(),
            Message::UnknownLanguage(name) if zh => format!("无法识别语言 {name}：请写成“名称 (代码)”，如 Deutsch (de)"),
            Message::UnknownLanguage(name) => {
                format!("the language {name} is not known: write it as \"Name (code)\", e.g. Deutsch (de)")
            }
            Message::NoDefaultLanguage if zh => {
                "此列没有语言：请在 settings 表中设置 default_language，或写成 label::中文 (zh-CN)".into()
            }
            Message::NoDefaultLanguage => {
                "this column has no language: set default_language on the settings sheet, or write label::English (en)"
                    .into()
            }
            Message::BadExpression(why) if zh => format!("表达式无法解析：{why}"),
            Message::BadExpression(why) => format!("the expression does not parse: {why}"),
            Message::UnknownReference(name) if zh => format!("引用了不存在的题目 ${{{name}}}"),
            Message::UnknownReference(name) => format!("${{{name}}} is not a question of this form"),
            Message::BadRequired(v) if zh => format!("required 应为 yes 或 no，而不是 {v}"),
            Message::BadRequired(v) => format!("required must be yes or no, not {v}"),
            Message::NotNumber(v) if zh => format!("应为数字，而不是 {v}"),
            Message::NotNumber(v) => format!("must be a number, not {v}"),
            Message::UnknownParent(p) if zh => format!("上级指标 {p} 不存在（上级须写在其下级之前）"),
            Message::UnknownParent(p) => format!("the parent {p} is not an indicator above this row"),
            Message::Dropped if zh => "此列在 survey/1 中没有对应项，已忽略".into(),
            Message::Dropped => "this column has no place in survey/1 and was dropped".into(),
            Message::DroppedMetadata(t) if zh => format!("元数据 {t} 已忽略（本工具自行记录时间和设备）"),
            Message::DroppedMetadata(t) => format!("the metadata field {t} was dropped (the kit records times and devices itself)"),
            Message::LikertWithoutScale if zh => {
                "appearance likert 不会使题目计分：要成为量表题，请在 choices 表的 satisfied 列标出满意的选项".into()
            }
            Message::LikertWithoutScale => {
                "appearance likert alone does not make a scored scale: mark the satisfied choices in the choices sheet's satisfied column"
                    .into()
            }
            Message::Check(en, _) if !zh => en.clone(),
            Message::Check(_, zh_text) => zh_text.clone(),
        }
    }
}

/// One problem, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub sheet: String,
    /// The spreadsheet's row number (header = 1); `None` for the sheet as a whole.
    pub row: Option<u32>,
    pub column: Option<String>,
    pub message: Message,
}

impl Problem {
    /// `sheet survey, row 12, column relevant: …` / `survey 表第 12 行 relevant 列：…`.
    pub fn render(&self, lang: MessageLang) -> String {
        let text = self.message.text(lang);
        if lang == MessageLang::ZhCn {
            let mut place = if self.sheet.is_empty() { String::new() } else { format!("{} 表", self.sheet) };
            if let Some(row) = self.row {
                place.push_str(&format!("第 {row} 行"));
            }
            if let Some(column) = &self.column {
                place.push_str(&format!(" {column} 列"));
            }
            if place.is_empty() {
                text
            } else {
                format!("{place}：{text}")
            }
        } else {
            let mut parts = Vec::new();
            if !self.sheet.is_empty() {
                parts.push(format!("sheet {}", self.sheet));
            }
            if let Some(row) = self.row {
                parts.push(format!("row {row}"));
            }
            if let Some(column) = &self.column {
                parts.push(format!("column {column}"));
            }
            if parts.is_empty() {
                text
            } else {
                format!("{}: {text}", parts.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_names_sheet_row_and_column_in_both_languages() {
        let problem = Problem {
            severity: Severity::Error,
            sheet: "survey".into(),
            row: Some(12),
            column: Some("relevant".into()),
            message: Message::UnknownReference("q7".into()),
        };
        assert_eq!(
            problem.render(MessageLang::En),
            "sheet survey, row 12, column relevant: ${q7} is not a question of this form"
        );
        assert_eq!(problem.render(MessageLang::ZhCn), "survey 表第 12 行 relevant 列：引用了不存在的题目 ${q7}");
    }
}
