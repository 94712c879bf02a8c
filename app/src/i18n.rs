//! Every UI string in zh-CN and English, in one place.
//!
//! Survey texts come from the definition; these are the app's own words. A missing translation
//! is a compile error, because each message is a match arm with both languages.

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// BCP 47 tag, also the key into survey texts.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        let lower = tag.to_ascii_lowercase();
        if lower.starts_with("zh") {
            Some(Lang::Zh)
        } else if lower.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first supported language in the browser's list, else Chinese (the product's home).
    pub fn negotiate(preferred: &[String]) -> Lang {
        preferred.iter().find_map(|tag| Lang::from_tag(tag)).unwrap_or(Lang::Zh)
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The language's own name, for the switch button.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }
}

/// The app's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    AppTitle,
    Home,
    SwitchLanguage,
    Loading,
    Surveys,
    NoSurveys,
    Version,
    Fingerprint,
    Unit,
    UnitNone,
    Start,
    Drafts,
    NoDrafts,
    Resume,
    Completed,
    Page,
    Back,
    Next,
    Finish,
    Saving,
    Saved,
    SaveFailed,
    QuotaExceeded,
    NotSavedYet,
    Required,
    MissingAnswers,
    GoToQuestion,
    DontKnowHint,
    DoneTitle,
    DoneBody,
    StartAnother,
    ResponseNotFound,
    StoreUnavailable,
    SurveyUnavailable,
    TextPlaceholder,
    CharactersLeft,
    Yes,
    No,
    NumberPlaceholder,
    NotAccepted,
    InvalidAnswers,
    SelectAll,
}

/// The text of `msg` in `lang`.
pub fn tr(lang: Lang, msg: Msg) -> &'static str {
    use Msg::*;
    let (zh, en) = match msg {
        AppTitle => ("基层工作满意度测评", "Satisfaction Survey Kit"),
        Home => ("首页", "Home"),
        SwitchLanguage => ("切换语言", "Switch language"),
        Loading => ("正在加载…", "Loading…"),
        Surveys => ("测评问卷", "Surveys"),
        NoSurveys => ("设备上还没有问卷。", "No surveys on this device yet."),
        Version => ("版本", "Version"),
        Fingerprint => ("指纹", "Fingerprint"),
        Unit => ("被测评单位", "Unit evaluated"),
        UnitNone => ("（未指定）", "(not specified)"),
        Start => ("开始新问卷", "Start a response"),
        Drafts => ("未完成的问卷", "Drafts"),
        NoDrafts => ("没有未完成的问卷。", "No drafts."),
        Resume => ("继续", "Resume"),
        Completed => ("已完成", "Completed"),
        Page => ("页", "Page"),
        Back => ("上一页", "Back"),
        Next => ("下一页", "Next"),
        Finish => ("提交", "Finish"),
        Saving => ("正在保存…", "Saving…"),
        Saved => ("已保存", "Saved"),
        SaveFailed => ("保存失败，答案尚未保存：", "Not saved: "),
        QuotaExceeded => (
            "设备存储空间已满，本次答案未能保存；之前保存的数据完好。请导出并清理后重试。",
            "The device storage is full: this answer was not saved; earlier data is intact. Export and free space, then retry.",
        ),
        NotSavedYet => ("尚未作答", "Nothing answered yet"),
        Required => ("必答", "required"),
        MissingAnswers => ("以下必答题尚未作答：", "These required questions are not answered yet:"),
        GoToQuestion => ("前往", "Go to"),
        DontKnowHint => ("不计分", "not scored"),
        DoneTitle => ("问卷已提交", "Response finished"),
        DoneBody => ("感谢您的参与！答案已保存在本设备上。", "Thank you! The answers are saved on this device."),
        StartAnother => ("再开始一份", "Start another"),
        ResponseNotFound => ("找不到这份问卷记录。", "This response could not be found."),
        StoreUnavailable => (
            "无法打开本地存储，答案无法保存。请关闭隐私模式或更换浏览器。",
            "Local storage cannot be opened, so answers cannot be saved. Leave private mode or use another browser.",
        ),
        SurveyUnavailable => ("这份记录使用的问卷不在本设备上。", "The survey this response uses is not on this device."),
        TextPlaceholder => ("请在此输入", "Type here"),
        CharactersLeft => ("剩余字数", "characters left"),
        Yes => ("是", "Yes"),
        No => ("否", "No"),
        NumberPlaceholder => ("请输入数字", "Enter a number"),
        NotAccepted => ("这个答案不符合要求，请核对。", "This answer is not accepted; please check it."),
        InvalidAnswers => ("以下答案需要修改：", "These answers need correcting:"),
        SelectAll => ("可多选", "Select all that apply"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The message for an answer with a problem (the survey's own `constraint_message` wins for
/// constraints; it is chosen by the caller).
pub fn problem_text(lang: Lang, problem: &survey_core::Problem) -> String {
    use survey_core::Problem;
    let number = |x: &Option<f64>| x.map(|v| v.to_string());
    match (lang, problem) {
        (Lang::Zh, Problem::OutOfRange { min, max }) => match (number(min), number(max)) {
            (Some(a), Some(b)) => format!("请填写 {a} 到 {b} 之间的数。"),
            (Some(a), None) => format!("请填写不小于 {a} 的数。"),
            (None, Some(b)) => format!("请填写不大于 {b} 的数。"),
            (None, None) => tr(lang, Msg::NotAccepted).to_owned(),
        },
        (Lang::En, Problem::OutOfRange { min, max }) => match (number(min), number(max)) {
            (Some(a), Some(b)) => format!("Enter a number from {a} to {b}."),
            (Some(a), None) => format!("Enter a number of at least {a}."),
            (None, Some(b)) => format!("Enter a number of at most {b}."),
            (None, None) => tr(lang, Msg::NotAccepted).to_owned(),
        },
        (Lang::Zh, Problem::DateOutOfRange { min, max }) => format!(
            "日期应在 {} 至 {} 之间。",
            min.as_deref().unwrap_or("…"),
            max.as_deref().unwrap_or("…")
        ),
        (Lang::En, Problem::DateOutOfRange { min, max }) => format!(
            "The date must be between {} and {}.",
            min.as_deref().unwrap_or("…"),
            max.as_deref().unwrap_or("…")
        ),
        (Lang::Zh, Problem::TooFewSelected { min }) => format!("请至少选择 {min} 项。"),
        (Lang::En, Problem::TooFewSelected { min }) => format!("Select at least {min}."),
        (Lang::Zh, Problem::TooManySelected { max }) => format!("最多选择 {max} 项。"),
        (Lang::En, Problem::TooManySelected { max }) => format!("Select at most {max}."),
        (_, Problem::Constraint) => tr(lang, Msg::NotAccepted).to_owned(),
    }
}

/// "Page 2 of 4" in the word order of each language.
pub fn page_of(lang: Lang, page: usize, pages: usize) -> String {
    match lang {
        Lang::Zh => format!("第 {page}/{pages} 页"),
        Lang::En => format!("Page {page} of {pages}"),
    }
}

/// "3 of 15 answered".
pub fn answered_of(lang: Lang, answered: usize, total: usize) -> String {
    match lang {
        Lang::Zh => format!("已答 {answered}/{total} 题"),
        Lang::En => format!("{answered} of {total} answered"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_chinese_for_any_zh_tag_and_falls_back_to_chinese() {
        assert_eq!(Lang::negotiate(&["zh-TW".into()]), Lang::Zh);
        assert_eq!(Lang::negotiate(&["fr".into(), "en-GB".into()]), Lang::En);
        assert_eq!(Lang::negotiate(&["fr".into()]), Lang::Zh);
        assert_eq!(Lang::negotiate(&[]), Lang::Zh);
    }
}
