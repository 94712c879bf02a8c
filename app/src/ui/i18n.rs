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
    DepartmentLink,
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
    Settings,
    EvaluatorTitle,
    EvaluatorName,
    EvaluatorCode,
    Team,
    Pin,
    PinHint,
    Save,
    EvaluatorSaved,
    EvaluatorMissing,
    SetUpEvaluator,
    StorageTitle,
    Persisted,
    NotPersisted,
    ImportTitle,
    ExamplesMissing,
    ImportHint,
    ImportAdded,
    ImportRefused,
    StartInterview,
    StartSelf,
    UnitPlaceholder,
    Discard,
    DiscardConfirm,
    Cancel,
    CountsTitle,
    DraftCount,
    CompleteCount,
    WelcomeTitle,
    WelcomeBody,
    WelcomeStart,
    EvaluatorExit,
    EnterPin,
    WrongPin,
    Unlock,
    BackToWelcome,
    DeviceTitle,
    DeviceKeyId,
    DevicePublicKey,
    ExportEnrolment,
    CannotSign,
    Export,
    ExportAgain,
    Exported,
    ExportFailed,
    ExportedCount,
    ExportOptions,
    AllUnits,
    FinishedFrom,
    FinishedTo,
    NumberPlaceholder,
    NotAccepted,
    InvalidAnswers,
    SelectAll,
    TodayTitle,
    RoundPeriod,
    OrganiserKey,
    NoAssignedUnits,
    NoRounds,
    Household,
    Drawn,
    Substitute,
    StatusToVisit,
    StatusInterviewed,
    StatusRefused,
    StatusVacant,
    StatusNotEligible,
    OutcomeNotAtHome,
    RecordContact,
    ContactOutcome,
    ContactTime,
    ContactNote,
    SaveContact,
    ContactHistory,
    ContactSaved,
    ContactFailed,
    FrameExhausted,
    OffSample,
    OffSampleTitle,
    HouseholdCode,
    StartOffSample,
    ExportRound,
    ExportRoundAgain,
    RoundAdded,
    OrganiserPinned,
    RoundAlreadyHere,
    RoundRefused,
    NotEnrolled,
    NewKeyTitle,
    PinnedKey,
    OfferedKey,
    NewKeyBody,
    AcceptKey,
    RoundSurvey,
    OpenUnit,
    InterviewInProgress,
    BackToToday,
    UnitNotFound,
}

/// The text of `msg` in `lang`.
pub fn tr(lang: Lang, msg: Msg) -> &'static str {
    use Msg::*;
    let (zh, en) = match msg {
        AppTitle => ("基层工作满意度测评", "Satisfaction Survey Kit"),
        DepartmentLink => ("部门汇总与排名（导入结果包）→", "Department results (import bundles) →"),
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
        Settings => ("设置", "Settings"),
        EvaluatorTitle => ("测评员信息", "Evaluator"),
        EvaluatorName => ("姓名", "Name"),
        EvaluatorCode => ("测评员编号", "Evaluator code"),
        Team => ("所属团队", "Team"),
        Pin => ("退出自填模式的密码（可选）", "Code to leave self-completion (optional)"),
        PinHint => ("未设置时，用测评员编号退出。", "Without one, the evaluator code is asked."),
        Save => ("保存", "Save"),
        EvaluatorSaved => ("测评员信息已保存在本设备上。", "Evaluator details saved on this device."),
        EvaluatorMissing => ("请先填写测评员信息，再开始测评。", "Enter the evaluator's details before starting."),
        SetUpEvaluator => ("填写测评员信息", "Enter evaluator details"),
        StorageTitle => ("本机存储", "Storage on this device"),
        Persisted => ("浏览器已承诺不自动清除本机数据。", "The browser will not clear this device's data on its own."),
        NotPersisted => (
            "浏览器未承诺保留数据，存储空间紧张时可能被清除：请及时导出。",
            "The browser may clear this data when space runs low: export regularly.",
        ),
        ImportTitle => ("导入问卷或轮次文件", "Import a survey or round file"),
        ExamplesMissing => (
            "示例问卷未能载入（首次打开时没有网络？）。下次联网打开时会自动载入；导入问卷文件不受影响。",
            "The example surveys could not be loaded (no network on the first start?). They load the next time the app opens online; importing survey files still works.",
        ),
        ImportHint => ("选择或拖入 .json 问卷定义文件或评估轮次文件", "Choose or drop a .json survey definition or round file"),
        ImportAdded => ("已导入", "Imported"),
        ImportRefused => ("未导入，文件有以下问题：", "Not imported; the file has these problems:"),
        StartInterview => ("开始访谈", "Start interview"),
        StartSelf => ("交给居民自填", "Hand to resident"),
        UnitPlaceholder => ("选择或输入单位名称", "Choose or type the unit"),
        Discard => ("删除", "Discard"),
        DiscardConfirm => ("确定删除这份未完成的问卷吗？删除后无法恢复。", "Discard this draft? This cannot be undone."),
        Cancel => ("取消", "Cancel"),
        CountsTitle => ("各单位问卷数", "Responses per unit"),
        DraftCount => ("未完成", "Drafts"),
        CompleteCount => ("已完成", "Complete"),
        WelcomeTitle => ("欢迎参与满意度测评", "Welcome to the satisfaction survey"),
        WelcomeBody => (
            "问卷不记名，答案仅用于统计。请根据您的真实感受作答，不了解的可以选择“不了解”。",
            "The survey is anonymous and used only for statistics. Answer as you really feel; choose \"Don't know\" when you do not know.",
        ),
        WelcomeStart => ("开始填写", "Start"),
        EvaluatorExit => ("测评员", "Evaluator"),
        EnterPin => ("测评员退出自填模式：请输入密码或编号", "Evaluator: enter your code to leave self-completion"),
        WrongPin => ("不正确，请重试。", "Not correct; try again."),
        Unlock => ("退出自填模式", "Leave self-completion"),
        BackToWelcome => ("返回欢迎页", "Back to the welcome screen"),
        DeviceTitle => ("本设备签名密钥", "This device's signing key"),
        DeviceKeyId => ("设备指纹", "Device fingerprint"),
        DevicePublicKey => ("公钥（登记用）", "Public key (for enrolment)"),
        ExportEnrolment => ("导出设备登记信息", "Export enrolment entry"),
        CannotSign => (
            "此浏览器无法生成 Ed25519 签名密钥，不能对测评结果签名。请使用最新版 Chrome、Edge、Safari 或 Firefox。",
            "This browser cannot make Ed25519 signing keys, so it cannot sign results. Use a current Chrome, Edge, Safari or Firefox.",
        ),
        Export => ("导出结果", "Export results"),
        ExportAgain => ("重新导出全部", "Export all again"),
        Exported => ("已导出文件：", "Exported file: "),
        ExportFailed => ("导出失败，问卷状态未改变：", "Export failed; nothing was marked: "),
        ExportedCount => ("已导出", "Exported"),
        ExportOptions => ("导出范围（可选）", "What to export (optional)"),
        AllUnits => ("全部单位", "All units"),
        FinishedFrom => ("完成日期自", "Finished from"),
        FinishedTo => ("完成日期至", "Finished until"),
        Yes => ("是", "Yes"),
        No => ("否", "No"),
        NumberPlaceholder => ("请输入数字", "Enter a number"),
        NotAccepted => ("这个答案不符合要求，请核对。", "This answer is not accepted; please check it."),
        InvalidAnswers => ("以下答案需要修改：", "These answers need correcting:"),
        SelectAll => ("可多选", "Select all that apply"),
        TodayTitle => ("今日任务", "Today's work"),
        RoundPeriod => ("调查期间", "Fieldwork period"),
        OrganiserKey => ("组织方密钥指纹", "Organiser key fingerprint"),
        NoAssignedUnits => ("本轮没有分配给本设备的单位。", "No unit of this round is assigned to this tablet."),
        NoRounds => ("本设备上还没有评估轮次。组织方的轮次文件与问卷文件一样导入。", "No evaluation round on this tablet yet. Import the organiser's round file like a survey file."),
        Household => ("样本户", "Household"),
        Drawn => ("抽中户", "Drawn"),
        Substitute => ("替补户", "Substitute"),
        StatusToVisit => ("待访问", "To visit"),
        StatusInterviewed => ("已访问", "Interviewed"),
        StatusRefused => ("拒访", "Refused"),
        StatusVacant => ("空户", "Vacant"),
        StatusNotEligible => ("不符合条件", "Not eligible"),
        OutcomeNotAtHome => ("不在家", "Not at home"),
        RecordContact => ("记录未成功接触", "Record a contact attempt"),
        ContactOutcome => ("结果", "Outcome"),
        ContactTime => ("时间（留空为现在）", "Time (empty: now)"),
        ContactNote => ("备注（可选）", "Note (optional)"),
        SaveContact => ("保存记录", "Save the attempt"),
        ContactHistory => ("接触记录", "Contact history"),
        ContactSaved => ("接触记录已保存。", "The attempt is saved."),
        ContactFailed => ("接触记录未能保存：", "The attempt was not saved: "),
        FrameExhausted => ("本单位的样本框已用尽，没有可替补的住户。", "The unit's frame is exhausted: no substitute is left."),
        OffSample => ("样本外", "Off-sample"),
        OffSampleTitle => ("样本外访问（本单位允许，单独标记）", "Off-sample interview (allowed in this unit, marked as such)"),
        HouseholdCode => ("户编号", "Household code"),
        StartOffSample => ("开始样本外访问", "Start an off-sample interview"),
        ExportRound => ("导出本轮结果", "Export the round's results"),
        ExportRoundAgain => ("重新导出本轮全部", "Export the whole round again"),
        RoundAdded => ("已导入评估轮次：", "Round imported: "),
        OrganiserPinned => ("已记住组织方密钥，请与组织方通知上的指纹核对：", "Organiser key pinned; compare it with the fingerprint on the organiser's notice: "),
        RoundAlreadyHere => ("该评估轮次已在本设备上，未做改动：", "This round is already on the tablet; nothing changed: "),
        RoundRefused => ("评估轮次文件被拒绝，本设备未做任何改动。", "The round file was refused; nothing on the tablet changed."),
        NotEnrolled => ("本设备未登记在该评估轮次中，未做改动。请把下面的设备登记信息交给组织方。", "This tablet is not enrolled in the round; nothing changed. Give the organiser the enrolment entry below."),
        NewKeyTitle => ("该评估轮次由另一个组织方密钥签名", "This round is signed by another organiser key"),
        PinnedKey => ("已记住的密钥", "Pinned key"),
        OfferedKey => ("该文件的密钥", "This file's key"),
        NewKeyBody => ("只有在组织方确认更换了密钥时才接受；否则请取消并联系组织方。", "Accept only if the organiser confirmed a new key; otherwise cancel and call the organiser."),
        AcceptKey => ("接受新密钥并导入", "Accept the new key and import"),
        RoundSurvey => ("本问卷属于评估轮次：请在“今日任务”中从样本户开始访问。", "This survey belongs to a round: start interviews from a household in Today's work."),
        OpenUnit => ("样本户", "Households"),
        InterviewInProgress => ("访问进行中", "Interview in progress"),
        BackToToday => ("返回今日任务", "Back to Today's work"),
        UnitNotFound => ("找不到该单位：本设备上的评估轮次没有把它分配给本设备。", "Unit not found: no round on this tablet assigns it to this device."),
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
        (Lang::Zh, Problem::DateOutOfRange { min, max }) => {
            format!("日期应在 {} 至 {} 之间。", min.as_deref().unwrap_or("…"), max.as_deref().unwrap_or("…"))
        }
        (Lang::En, Problem::DateOutOfRange { min, max }) => {
            format!("The date must be between {} and {}.", min.as_deref().unwrap_or("…"), max.as_deref().unwrap_or("…"))
        }
        (Lang::Zh, Problem::TooFewSelected { min }) => format!("请至少选择 {min} 项。"),
        (Lang::En, Problem::TooFewSelected { min }) => format!("Select at least {min}."),
        (Lang::Zh, Problem::TooManySelected { max }) => format!("最多选择 {max} 项。"),
        (Lang::En, Problem::TooManySelected { max }) => format!("Select at most {max}."),
        (_, Problem::Constraint) => tr(lang, Msg::NotAccepted).to_owned(),
    }
}

/// "12.5 MB used of 2.0 GB".
pub fn usage_of(lang: Lang, usage: f64, quota: f64) -> String {
    let human = |bytes: f64| {
        if bytes >= 1e9 {
            format!("{:.1} GB", bytes / 1e9)
        } else if bytes >= 1e6 {
            format!("{:.1} MB", bytes / 1e6)
        } else {
            format!("{:.0} KB", bytes / 1e3)
        }
    };
    match lang {
        Lang::Zh => format!("已用 {}，可用上限 {}", human(usage), human(quota)),
        Lang::En => format!("{} used of {}", human(usage), human(quota)),
    }
}

/// The warning shown while finished responses have not left the tablet.
pub fn unexported_warning(lang: Lang, count: usize) -> String {
    match lang {
        Lang::Zh => format!("有 {count} 份已完成的问卷尚未导出，只保存在本设备上。"),
        Lang::En => format!("{count} finished responses have not been exported yet; they exist only on this device."),
    }
}

/// "Page 2 of 4" in the word order of each language.
pub fn page_of(lang: Lang, page: usize, pages: usize) -> String {
    match lang {
        Lang::Zh => format!("第 {page}/{pages} 页"),
        Lang::En => format!("Page {page} of {pages}"),
    }
}

/// "Not at home ×2".
pub fn not_at_home(lang: Lang, times: u32) -> String {
    match lang {
        Lang::Zh => format!("不在家 ×{times}"),
        Lang::En => format!("Not at home ×{times}"),
    }
}

/// "3 of 10 interviewed" (progress toward a unit's `n`).
pub fn interviewed_of(lang: Lang, done: usize, n: u64) -> String {
    match lang {
        Lang::Zh => format!("已访问 {done}/{n} 户"),
        Lang::En => format!("{done} of {n} interviewed"),
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
