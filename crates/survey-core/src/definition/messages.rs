//! The text of every validation diagnostic, in English and in Simplified Chinese (zh-CN).
//!
//! Organisers and the county organisation departments who check survey files read Chinese;
//! tools and the fixture files read the English rendering. Keeping both templates of a message
//! side by side, in one table, is what keeps them from drifting apart: `validate.rs` never writes
//! message text itself, it names a template and passes the variable parts (`args`).
//!
//! A diagnostic *code* (`id.duplicate`) is stable and may have several messages (a duplicate
//! section id reads differently from a duplicate matrix row), so templates are named constants
//! that carry their code. The number of placeholders is part of a template's type
//! (`Message<2>` takes `[String; 2]`), so a call site that passes the wrong number of args does
//! not compile; the tests below check that both languages use exactly those placeholders.
//!
//! Placeholders are `{0}`, `{1}`, …; any other brace is literal text. Args are inserted as they
//! are (never scanned for placeholders again) and are language-neutral: ids, paths, numbers,
//! JSON values. The one exception is text that comes from elsewhere in English (serde's JSON
//! syntax errors, the expression checker's explanations), which is passed through as an arg.

use std::fmt;
use std::str::FromStr;

/// A language diagnostics can be shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageLang {
    /// Simplified Chinese, as read in mainland China (`zh-CN`).
    ZhCn,
    En,
}

impl MessageLang {
    /// Every language, in the order the JSON output lists them.
    pub const ALL: [MessageLang; 2] = [MessageLang::En, MessageLang::ZhCn];

    /// The BCP 47 tag, as used in survey definitions (`zh-CN`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            MessageLang::ZhCn => "zh-CN",
            MessageLang::En => "en",
        }
    }
}

/// A language name that is not one of [`MessageLang`]'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLang(pub String);

impl fmt::Display for UnknownLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown language `{}`: use zh-CN (or zh) or en", self.0)
    }
}

impl std::error::Error for UnknownLang {}

impl FromStr for MessageLang {
    type Err = UnknownLang;

    /// Accepts `zh-CN`, `zh` and `en`, in any letter case (people type `zh-cn`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "zh-cn" | "zh" => Ok(MessageLang::ZhCn),
            "en" => Ok(MessageLang::En),
            _ => Err(UnknownLang(s.to_owned())),
        }
    }
}

/// A message template in both languages, with the code it is reported under.
#[derive(Debug, PartialEq, Eq)]
pub struct Template {
    /// The stable diagnostic code, e.g. `choices.empty`.
    pub code: &'static str,
    /// How many args the template takes: it uses placeholders `{0}` to `{arity - 1}`.
    pub arity: usize,
    pub en: &'static str,
    pub zh: &'static str,
}

impl Template {
    /// The template text in `lang`.
    pub fn text(&self, lang: MessageLang) -> &'static str {
        match lang {
            MessageLang::ZhCn => self.zh,
            MessageLang::En => self.en,
        }
    }

    /// The message in `lang` with `args` in place of the placeholders. A placeholder without an
    /// arg is left as written rather than panicking: a diagnostic must always be printable.
    pub fn render(&self, lang: MessageLang, args: &[String]) -> String {
        let mut out = String::new();
        for piece in pieces(self.text(lang)) {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Arg(index, written) => out.push_str(args.get(index).map_or(written, String::as_str)),
            }
        }
        out
    }
}

/// A template whose arity is part of its type, so that `validate.rs` cannot pass too few or
/// too many args. Defined only by the `messages!` table below.
#[derive(Debug, PartialEq, Eq)]
pub struct Message<const N: usize>(pub Template);

impl<const N: usize> Message<N> {
    const fn new(code: &'static str, en: &'static str, zh: &'static str) -> Self {
        Message(Template { code, arity: N, en, zh })
    }
}

enum Piece<'a> {
    Literal(&'a str),
    /// A placeholder: the arg index and the placeholder as written (`{1}`).
    Arg(usize, &'a str),
}

/// Splits a template into literal text and `{N}` placeholders.
fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut literal_start = 0;
    let mut search = 0;
    while let Some(open) = template[search..].find('{').map(|i| search + i) {
        let digits = template[open + 1..].bytes().take_while(u8::is_ascii_digit).count();
        let close = open + 1 + digits;
        match template[open + 1..close].parse::<usize>() {
            Ok(index) if template[close..].starts_with('}') => {
                if literal_start < open {
                    out.push(Piece::Literal(&template[literal_start..open]));
                }
                out.push(Piece::Arg(index, &template[open..=close]));
                literal_start = close + 1;
                search = close + 1;
            }
            _ => search = open + 1,
        }
    }
    if literal_start < template.len() {
        out.push(Piece::Literal(&template[literal_start..]));
    }
    out
}

/// `FILE: PATH: warning: message` in `lang`: the word before a warning's message.
pub fn warning_prefix(lang: MessageLang) -> &'static str {
    match lang {
        MessageLang::ZhCn => "警告：",
        MessageLang::En => "warning: ",
    }
}

/// What stands in the place of the JSON path when a diagnostic is about the whole document.
pub fn document_path(lang: MessageLang) -> &'static str {
    match lang {
        MessageLang::ZhCn => "（整个文件）",
        MessageLang::En => "(document)",
    }
}

/// Every diagnostic code `validate.rs` reports, sorted. Codes are stable: tools and translations
/// key on them, so one is only ever added, never renamed. A test checks this list against the
/// templates.
pub const CODES: &[&str] = &[
    "choice.duplicate",
    "choice.value_empty",
    "choices.empty",
    "choices.missing",
    "constraint_message.unused",
    "date.invalid",
    "default.invalid",
    "document.not_object",
    "expr.not_boolean",
    "expr.syntax",
    "expr.type",
    "field.missing",
    "field.not_for_kind",
    "field.type",
    "field.unknown",
    "format.unsupported",
    "id.duplicate",
    "id.empty",
    "id.invalid",
    "indicator.no_questions",
    "indicator.not_leaf",
    "indicator.unknown",
    "json.syntax",
    "kind.unknown",
    "language.duplicate",
    "language.invalid",
    "languages.empty",
    "max_length.invalid",
    "point.duplicate",
    "points.empty",
    "points.missing",
    "points.too_few",
    "quality.invalid",
    "questions.empty",
    "range.invalid",
    "recipient.invalid",
    "reference.kind",
    "reference.self",
    "reference.unknown",
    "reference.unreadable",
    "relevance.cycle",
    "relevance.self",
    "rows.empty",
    "satisfied.missing",
    "satisfied.unknown",
    "sections.empty",
    "text.empty",
    "text.missing_translation",
    "text.unknown_language",
    "version.empty",
    "weight.invalid",
    "weight.without_indicator",
];

/// Defines each template as a constant and lists them all in [`TEMPLATES`] for the tests.
macro_rules! messages {
    ($($(#[$doc:meta])* $name:ident: $arity:literal, $code:literal, $en:literal, $zh:literal;)*) => {
        $($(#[$doc])* pub const $name: Message<$arity> = Message::new($code, $en, $zh);)*

        /// Every template with its constant's name.
        pub const TEMPLATES: &[(&str, &Template)] = &[$((stringify!($name), &$name.0)),*];
    };
}

// Terms used in the Chinese text: section 部分, question 题目, choice 选项, scale point 量表选项
// (its value 分值), indicator 指标, weight 权重, unit 被测评单位, relevance condition 显示条件,
// constraint 校验条件, id 编号. Field names and ids stay as written, in “” quotes, because that
// is what the organiser has to find in the file.
messages! {
    // The document as a whole.
    /// Args: line, column, serde_json's explanation (English).
    JSON_SYNTAX: 3, "json.syntax",
        "not valid JSON at line {0} column {1}: {2}",
        "不是有效的 JSON 文件：第 {0} 行第 {1} 列有误（{2}）";
    DOCUMENT_NOT_OBJECT: 0, "document.not_object",
        "a survey definition must be a JSON object",
        "问卷定义文件的最外层应为一个 JSON 对象 {...}";
    /// Args: the format found, the format this build reads.
    FORMAT_UNSUPPORTED: 2, "format.unsupported",
        "unsupported format version `{0}`; this build reads `{1}`",
        "不支持的格式版本“{0}”，本程序只能读取“{1}”";
    /// Args: the format this build reads.
    FORMAT_NOT_STRING: 1, "format.unsupported",
        "must be the string `{0}`",
        "应填字符串“{0}”";
    /// Args: the format this build reads.
    FORMAT_MISSING: 1, "field.missing",
        "missing field `format` (`{0}`)",
        "缺少字段“format”（应填“{0}”）";

    // Errors found while reading an element: unknown, missing and mistyped fields.
    /// Args: the unknown field, the allowed fields as "`a`, `b`, `c`".
    FIELD_UNKNOWN_ONE_OF: 2, "field.unknown",
        "unknown field `{0}`, expected one of {1}",
        "无法识别的字段“{0}”（可能拼写有误），此处可用的字段有：{1}";
    /// Args: the unknown field and the two allowed fields.
    FIELD_UNKNOWN_EITHER: 3, "field.unknown",
        "unknown field `{0}`, expected `{1}` or `{2}`",
        "无法识别的字段“{0}”（可能拼写有误），此处只能用“{1}”或“{2}”";
    /// Args: the unknown field.
    FIELD_UNKNOWN_NONE: 1, "field.unknown",
        "unknown field `{0}`, there are no fields",
        "无法识别的字段“{0}”，此处不能有任何字段";
    /// Args: the missing field.
    FIELD_MISSING: 1, "field.missing",
        "missing field `{0}`",
        "缺少必填字段“{0}”";
    /// Args: the unknown kind, the kinds as "`a`, `b`, `c`".
    KIND_UNKNOWN: 2, "kind.unknown",
        "unknown variant `{0}`, expected one of {1}",
        "不支持的题型“{0}”，可用的题型有：{1}";
    // The value found (as JSON, shortened) is the arg of each `field.type` message.
    /// A `Text`: a string per language.
    FIELD_TYPE_TEXT: 1, "field.type",
        "must be a text in each language, e.g. {\"zh-CN\": \"…\", \"en\": \"…\"}, not {0}",
        "应按语言分别填写文字，例如 {\"zh-CN\": \"…\", \"en\": \"…\"}，不能是 {0}";
    FIELD_TYPE_STRING: 1, "field.type",
        "must be a string in double quotes, not {0}",
        "应填用英文双引号括起的字符串，不能是 {0}";
    FIELD_TYPE_BOOLEAN: 1, "field.type",
        "must be `true` or `false`, not {0}",
        "应填 true 或 false，不能是 {0}";
    FIELD_TYPE_INTEGER: 1, "field.type",
        "must be a whole number, not {0}",
        "应填整数，不能是 {0}";
    /// A count such as `max_length`.
    FIELD_TYPE_COUNT: 1, "field.type",
        "must be a whole number, 0 or more, not {0}",
        "应填不小于 0 的整数，不能是 {0}";
    FIELD_TYPE_NUMBER: 1, "field.type",
        "must be a number, not {0}",
        "应填数字，不能是 {0}";
    FIELD_TYPE_LIST: 1, "field.type",
        "must be a list in square brackets [...], not {0}",
        "应填用方括号 [...] 括起的列表，不能是 {0}";
    FIELD_TYPE_OBJECT: 1, "field.type",
        "must be an object in braces {...}, not {0}",
        "应填用花括号 {...} 括起的对象，不能是 {0}";
    /// Any other error serde reports; args: its explanation (English).
    FIELD_INVALID: 1, "field.type",
        "{0}",
        "格式有误：{0}";
    SECTIONS_NOT_ARRAY: 0, "field.type",
        "must be an array of sections",
        "应为数组，逐个列出问卷的各个部分";
    QUESTIONS_NOT_ARRAY: 0, "field.type",
        "must be an array of questions",
        "应为数组，逐个列出本部分的题目";
    INDICATORS_NOT_ARRAY: 0, "field.type",
        "must be an array of indicators",
        "应为数组，逐个列出指标";
    SECTION_NOT_OBJECT: 0, "field.type",
        "a section must be an object",
        "每个部分应为一个对象 {...}";
    INDICATOR_NOT_OBJECT: 0, "field.type",
        "an indicator must be an object",
        "每个指标应为一个对象 {...}";

    // The survey head.
    SURVEY_ID_EMPTY: 0, "id.empty",
        "the survey id must not be empty",
        "问卷编号（id）不能为空";
    VERSION_EMPTY: 0, "version.empty",
        "the survey version must not be empty",
        "问卷版本号（version）不能为空";
    SECTIONS_EMPTY: 0, "sections.empty",
        "a survey needs at least one section",
        "问卷至少要有一个部分";
    LANGUAGES_EMPTY: 0, "languages.empty",
        "list at least one language, e.g. [\"zh-CN\", \"en\"]",
        "至少要列出一种语言，例如 [\"zh-CN\", \"en\"]";
    /// Args: the tag.
    LANGUAGE_INVALID: 1, "language.invalid",
        "`{0}` is not a language tag such as `zh-CN`",
        "“{0}”不是有效的语言代码（应类似“zh-CN”）";
    /// Args: the tag.
    LANGUAGE_DUPLICATE: 1, "language.duplicate",
        "`{0}` is listed twice",
        "“{0}”重复列出";
    UNIT_ID_EMPTY: 0, "id.empty",
        "a unit id must not be empty",
        "被测评单位的编号（id）不能为空";
    /// Args: the unit id.
    UNIT_ID_DUPLICATE: 1, "id.duplicate",
        "unit id `{0}` is listed twice",
        "被测评单位编号“{0}”重复列出";
    RECIPIENT_INVALID: 0, "recipient.invalid",
        "not an age X25519 recipient (expected `age1` followed by lowercase bech32)",
        "不是有效的 age X25519 接收方公钥（应以“age1”开头，后接小写 bech32 字符）";
    QUALITY_INVALID: 0, "quality.invalid",
        "must be a positive number of seconds",
        "应为大于 0 的秒数";

    // Texts and ids anywhere.
    TEXT_EMPTY: 0, "text.empty",
        "the text is empty: give it in each language",
        "文字为空：请按问卷的每种语言分别填写";
    /// Args: the language tag.
    TEXT_MISSING: 1, "text.missing_translation",
        "no `{0}` text",
        "缺少“{0}”语言的文字";
    /// Args: the language tag.
    TEXT_BLANK: 1, "text.missing_translation",
        "the `{0}` text is blank",
        "“{0}”语言的文字是空白";
    /// Args: the language tag.
    TEXT_UNKNOWN_LANGUAGE: 1, "text.unknown_language",
        "`{0}` is not one of the survey's languages",
        "“{0}”不在问卷的语言列表（languages）中";
    /// Args: the id.
    ID_INVALID: 1, "id.invalid",
        "`{0}` is not a valid id: use letters, digits and `_`, starting with a letter",
        "“{0}”不是有效的编号：只能用英文字母、数字和下划线“_”，并以字母开头";

    // Sections and questions.
    /// Args: the id, the path where it was first used.
    SECTION_ID_DUPLICATE: 2, "id.duplicate",
        "section id `{0}` is already used by {1}",
        "部分编号“{0}”与 {1} 重复";
    QUESTIONS_EMPTY: 0, "questions.empty",
        "empty: a section needs at least one question",
        "没有题目：每个部分至少要有一道题";
    /// Args: the id, the path where it was first used.
    QUESTION_ID_DUPLICATE: 2, "id.duplicate",
        "question id `{0}` is already used by {1}",
        "题目编号“{0}”与 {1} 重复";
    /// Args: the field, the question kind.
    FIELD_NOT_FOR_KIND: 2, "field.not_for_kind",
        "`{0}` does not apply to a `{1}` question",
        "“{0}”不适用于“{1}”类型的题目";
    NOTE_CONSTRAINT: 0, "field.not_for_kind",
        "a `note` takes no answer to constrain",
        "说明文字（note）没有答案，不能设置校验条件";
    MAX_LENGTH_INVALID: 0, "max_length.invalid",
        "must be at least 1",
        "不能小于 1";
    /// Args: the bound given.
    RANGE_NOT_WHOLE: 1, "range.invalid",
        "an `integer` question needs a whole number here, not {0}",
        "整数题（integer）此处应填整数，不能是 {0}";
    /// Args: min, max.
    RANGE_MIN_ABOVE_MAX: 2, "range.invalid",
        "`min` {0} is above `max` {1}",
        "最小值 min（{0}）大于最大值 max（{1}）";
    /// Args: the date given.
    DATE_INVALID: 1, "date.invalid",
        "`{0}` is not a date written YYYY-MM-DD",
        "“{0}”不是按 YYYY-MM-DD 格式填写的有效日期";
    /// Args: min_date, max_date.
    RANGE_DATES: 2, "range.invalid",
        "`min_date` {0} is after `max_date` {1}",
        "最早日期 min_date（{0}）晚于最晚日期 max_date（{1}）";
    /// Args: min_selected, max_selected.
    RANGE_SELECTED: 2, "range.invalid",
        "`min_selected` {0} is above `max_selected` {1}",
        "最少选择数 min_selected（{0}）大于最多选择数 max_selected（{1}）";
    /// Args: min_selected, the number of choices.
    RANGE_MORE_THAN_CHOICES: 2, "range.invalid",
        "{0} is more than the {1} choices",
        "{0} 超过了选项总数 {1}";
    /// Args: the default, as JSON.
    DEFAULT_INVALID: 1, "default.invalid",
        "`{0}` is not a possible answer to this question",
        "{0} 不是本题的有效答案，不能作为默认值";

    // Choices, scales, matrices.
    /// Args: the question kind.
    CHOICES_MISSING: 1, "choices.missing",
        "a `{0}` question needs `choices`",
        "“{0}”类型的题目需要设置选项（choices）";
    CHOICES_EMPTY: 0, "choices.empty",
        "empty",
        "选项列表为空";
    CHOICE_VALUE_EMPTY: 0, "choice.value_empty",
        "a choice value must not be empty",
        "选项的值（value）不能为空";
    /// Args: the value.
    CHOICE_DUPLICATE: 1, "choice.duplicate",
        "value `{0}` is used twice",
        "选项值“{0}”重复";
    /// Args: the question kind.
    POINTS_MISSING: 1, "points.missing",
        "a `{0}` question needs `points`",
        "“{0}”类型的题目需要设置量表选项（points）";
    POINTS_EMPTY: 0, "points.empty",
        "empty: a scale needs at least two points",
        "量表选项为空：量表至少要有两个选项";
    POINTS_TOO_FEW: 0, "points.too_few",
        "a scale needs at least two points",
        "量表至少要有两个选项";
    /// Args: the value.
    POINT_DUPLICATE: 1, "point.duplicate",
        "value {0} is used twice",
        "分值 {0} 重复";
    /// Args: the value.
    UNSCORED_DUPLICATE: 1, "point.duplicate",
        "value {0} is already a point of this scale",
        "分值 {0} 已是本量表的计分选项";
    /// Args: the value.
    SATISFIED_UNKNOWN: 1, "satisfied.unknown",
        "{0} is not a point of this scale",
        "{0} 不是本量表中任何选项的分值";
    SATISFIED_MISSING: 0, "satisfied.missing",
        "no `satisfied` values: this item will have no satisfaction rate",
        "未设置计为满意的分值（satisfied），本题将无法计算满意率";
    SATISFIED_MISSING_ROWS: 0, "satisfied.missing",
        "no `satisfied` values: these items will have no satisfaction rate",
        "未设置计为满意的分值（satisfied），这些评价项将无法计算满意率";
    ROWS_EMPTY: 0, "rows.empty",
        "a `matrix` question needs at least one row",
        "矩阵题（matrix）至少要有一行";
    /// Args: the row id.
    ROW_ID_DUPLICATE: 1, "id.duplicate",
        "row id `{0}` is used twice in this matrix",
        "行编号“{0}”在本矩阵题中重复";

    // Indicators, weights and scored items.
    /// Args: the id, the path where it was first used.
    INDICATOR_ID_DUPLICATE: 2, "id.duplicate",
        "indicator id `{0}` is already used by {1}",
        "指标编号“{0}”与 {1} 重复";
    /// Args: the weight given.
    WEIGHT_INVALID: 1, "weight.invalid",
        "weight must be a positive finite number, not {0}",
        "权重应为大于 0 的有限数值，不能是 {0}";
    WEIGHT_WITHOUT_INDICATOR: 0, "weight.without_indicator",
        "a weight needs an `indicator` to weigh within",
        "设置了权重（weight）却没有对应指标（indicator），权重无从计算";
    /// Args: the indicator id.
    INDICATOR_NO_QUESTIONS: 1, "indicator.no_questions",
        "no question feeds indicator `{0}`",
        "没有任何题目计入指标“{0}”";
    /// Args: the indicator id.
    INDICATOR_NOT_LEAF: 1, "indicator.not_leaf",
        "`{0}` has children; map questions to its leaves",
        "指标“{0}”下还有子指标，题目应对应到最末一级指标";
    /// Args: the indicator id.
    INDICATOR_UNKNOWN: 1, "indicator.unknown",
        "no indicator has the id `{0}`",
        "找不到编号为“{0}”的指标";
    REFERENCE_SELF: 0, "reference.self",
        "an item cannot mirror itself",
        "反向题对应的题目不能是它自己";
    /// Args: the id referred to.
    REFERENCE_KIND: 1, "reference.kind",
        "`{0}` is not a scored item (a scale question or `MATRIX.ROW`)",
        "“{0}”不是计分题目（应为量表题，或写作“矩阵题编号.行编号”的矩阵行）";
    /// Args: the id referred to.
    REVERSE_OF_UNKNOWN: 1, "reference.unknown",
        "no scored item is called `{0}`",
        "找不到编号为“{0}”的计分题目";

    // Expressions (`relevant`, `constraint`).
    /// Args: the character position, the explanation (English, from the expression parser),
    /// the expression.
    EXPR_SYNTAX: 3, "expr.syntax",
        "at character {0}: {1} in `{2}`",
        "表达式“{2}”第 {0} 个字符处有误：{1}";
    /// Args: the id referred to.
    EXPR_REFERENCE_UNKNOWN: 1, "reference.unknown",
        "no question has the id `{0}`",
        "找不到编号为“{0}”的题目";
    /// Args: the id referred to.
    REFERENCE_UNREADABLE: 1, "reference.unreadable",
        "`{0}` is a matrix or a note; its value cannot be read in expressions",
        "“{0}”是矩阵题或说明文字，表达式中不能读取它的答案";
    RELEVANCE_SELF: 0, "relevance.self",
        "a question's relevance cannot depend on its own answer",
        "题目的显示条件不能取决于本题自己的答案";
    /// Args: the expression.
    EXPR_GIVES_NUMBER: 1, "expr.not_boolean",
        "must be a yes/no condition, but `{0}` gives number",
        "应为判断“是/否”的条件，但“{0}”得出的是数字";
    /// Args: the expression.
    EXPR_GIVES_TEXT: 1, "expr.not_boolean",
        "must be a yes/no condition, but `{0}` gives text",
        "应为判断“是/否”的条件，但“{0}”得出的是文字";
    /// Args: the expression.
    EXPR_GIVES_LIST: 1, "expr.not_boolean",
        "must be a yes/no condition, but `{0}` gives selection list",
        "应为判断“是/否”的条件，但“{0}”得出的是选项列表";
    /// Args: the explanation (English, from the type checker), the expression.
    EXPR_TYPE: 2, "expr.type",
        "{0} in `{1}`",
        "表达式“{1}”中类型不匹配：{0}";
    CONSTRAINT_MESSAGE_UNUSED: 0, "constraint_message.unused",
        "there is no `constraint` to explain",
        "没有设置校验条件（constraint），这条提示不会显示";
    /// Args: the ids in the circle, joined by " → ".
    RELEVANCE_CYCLE: 1, "relevance.cycle",
        "relevance conditions depend on each other in a circle: {0}",
        "显示条件互相依赖，形成循环：{0}";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(template: &str) -> BTreeSet<usize> {
        pieces(template)
            .into_iter()
            .filter_map(|piece| match piece {
                Piece::Arg(index, _) => Some(index),
                Piece::Literal(_) => None,
            })
            .collect()
    }

    #[test]
    fn every_template_uses_exactly_its_args_in_both_languages() {
        for (name, template) in TEMPLATES {
            let expected: BTreeSet<usize> = (0..template.arity).collect();
            assert_eq!(placeholders(template.en), expected, "{name}: English placeholders");
            assert_eq!(placeholders(template.zh), expected, "{name}: Chinese placeholders");
        }
    }

    #[test]
    fn every_template_is_translated() {
        for (name, template) in TEMPLATES {
            assert!(!template.en.trim().is_empty(), "{name}: empty English template");
            let has_chinese = template.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(has_chinese, "{name}: the zh-CN template has no Chinese: {}", template.zh);
        }
    }

    #[test]
    fn codes_are_exactly_the_templates_codes() {
        let listed: BTreeSet<&str> = CODES.iter().copied().collect();
        assert_eq!(listed.len(), CODES.len(), "CODES lists a code twice");
        assert!(CODES.windows(2).all(|pair| pair[0] < pair[1]), "CODES must be sorted");
        let used: BTreeSet<&str> = TEMPLATES.iter().map(|(_, template)| template.code).collect();
        assert_eq!(listed, used, "CODES and the templates' codes differ");
        for code in CODES {
            assert!(looks_like_code(code), "`{code}` is not of the form `word.word`");
        }
    }

    /// `"[a-z_]+\.[a-z_]+"` without a regex engine.
    fn looks_like_code(s: &str) -> bool {
        let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        s.split_once('.').is_some_and(|(a, b)| word(a) && word(b))
    }

    /// The string literals of `source` (escapes are kept as written; enough to spot a code).
    fn string_literals(source: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut chars = source.char_indices();
        while let Some((start, c)) = chars.next() {
            match c {
                // A char literal such as '"' is not the start of a string.
                '\'' if source[start..].starts_with("'\"'") => {
                    chars.nth(1);
                }
                '"' => {
                    let mut escaped = false;
                    for (end, c) in chars.by_ref() {
                        match c {
                            '\\' if !escaped => escaped = true,
                            '"' if !escaped => {
                                out.push(&source[start + 1..end]);
                                break;
                            }
                            _ => escaped = false,
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The non-test code of `validate.rs`, without whole-line comments (whose quotes need not pair).
    fn validate_source() -> String {
        let source = include_str!("validate.rs");
        let code = source.find("#[cfg(test)]").map_or(source, |idx| &source[..idx]);
        code.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
    }

    /// The string literals of `source` that bypass the table: a first argument of `error(` or
    /// `warning(` written as a string, and any literal that is a known code (as in
    /// `code: "id.duplicate"`). Paths such as `"quality.min_seconds"` are neither.
    fn stray_codes(source: &str) -> Vec<&str> {
        let mut stray: Vec<&str> =
            string_literals(source).into_iter().filter(|s| looks_like_code(s) && CODES.contains(s)).collect();
        for call in ["error(", "warning("] {
            for (idx, _) in source.match_indices(call) {
                let args = source[idx + call.len()..].trim_start();
                if let Some(literal) = string_literals(args).first().filter(|_| args.starts_with('"')) {
                    stray.push(literal);
                }
            }
        }
        stray
    }

    /// Codes come only from the table: a code written as a literal in `validate.rs` would be a
    /// diagnostic without a Chinese text.
    #[test]
    fn validate_names_no_code_outside_the_table() {
        let source = validate_source();
        let stray = stray_codes(&source);
        assert!(stray.is_empty(), "validate.rs writes codes itself; use a template of messages.rs: {stray:?}");
    }

    #[test]
    fn the_literal_scan_finds_codes() {
        let source = r#"self.error("x.y", path, "a \"quoted\" text"); let q = '"'; f("quality.min"); g("id.empty")"#;
        let literals = string_literals(source);
        assert_eq!(literals, ["x.y", "a \\\"quoted\\\" text", "quality.min", "id.empty"]);
        assert_eq!(stray_codes(source), ["id.empty", "x.y"]);
        assert!(stray_codes(r#"self.warning(&m::TEXT_BLANK, "quality.min", [])"#).is_empty());
        assert!(!looks_like_code("{path}.questions") && !looks_like_code("a.b.c") && !looks_like_code("x."));
    }

    /// Every template is used: a message that validation no longer reports should go.
    #[test]
    fn every_template_is_used_by_validate() {
        let source = &validate_source();
        let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        for (name, _) in TEMPLATES {
            let used = source.match_indices(name).any(|(idx, _)| {
                let before = source[..idx].chars().next_back().is_none_or(|c| !is_ident(c));
                let after = source[idx + name.len()..].chars().next().is_none_or(|c| !is_ident(c));
                before && after
            });
            assert!(used, "{name} is never reported by validate.rs");
        }
    }

    #[test]
    fn renders_placeholders_and_leaves_other_braces() {
        let template = Template { code: "x.y", arity: 2, en: "{1} before {0}, {\"k\": 1} {x} {", zh: "{0}与{1}" };
        let args = ["a".to_owned(), "{0}".to_owned()];
        assert_eq!(template.render(MessageLang::En, &args), "{0} before a, {\"k\": 1} {x} {");
        assert_eq!(template.render(MessageLang::ZhCn, &args), "a与{0}");
        // A missing arg shows the placeholder instead of panicking.
        assert_eq!(template.render(MessageLang::ZhCn, &args[..1]), "a与{1}");
    }

    #[test]
    fn parses_language_names() {
        assert_eq!("zh-CN".parse(), Ok(MessageLang::ZhCn));
        assert_eq!("zh".parse(), Ok(MessageLang::ZhCn));
        assert_eq!("zh-cn".parse(), Ok(MessageLang::ZhCn));
        assert_eq!("en".parse(), Ok(MessageLang::En));
        assert_eq!("fr".parse::<MessageLang>(), Err(UnknownLang("fr".into())));
        assert_eq!(MessageLang::ZhCn.tag(), "zh-CN");
    }
}
