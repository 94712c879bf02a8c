//! The fixed words of the reports (headers, row labels, reasons, values) in English and zh-CN.
//! One match arm per word with both languages, so a missing translation does not compile. The
//! English words of the CSV headers are the column names `docs/scoring.md` and
//! `docs/compliance.md` use, so scripts written against earlier exports keep working in English.

use survey_core::MessageLang;

/// A word of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W {
    Unit,
    UnitName,
    Rank,
    Responses,
    Index,
    Rate,
    Suppressed,
    Reason,
    AllUnits,
    NoUnit,
    TooFew,
    Complementary,
    NoUnitReason,
    NoData,
    Indicator,
    IndicatorName,
    Parent,
    Weight,
    Score,
    Item,
    ItemName,
    ScoredAnswers,
    DontKnow,
    Mean,
    ResponseId,
    Device,
    Seq,
    Mode,
    Lang,
    StartedMs,
    Started,
    FinishedMs,
    Finished,
    QualityFlags,
    Interview,
    SelfCompletion,
    Yes,
    No,
    True,
    False,
    LabelSuffix,
    Unscored,
    Speeding,
    StraightLining,
    Contradiction,
    ComplianceUnit,
    ComplianceEvaluator,
    Evaluator,
    Units,
    Flagged,
    FindingResponse,
    Household,
    Position,
    Findings,
    UnitOrEvaluator,
    SheetUnits,
    SheetIndicators,
    SheetItems,
    SheetCompliance,
    SheetFindings,
    SheetResponses,
    SheetFinal,
    SheetDeductions,
    Weighted,
    Deducted,
    FinalScore,
    Grade,
    Vetoes,
    Kind,
    Deduction,
    VetoKind,
    Points,
    Counted,
    Evidence,
    ListItem,
    MissingStage,
    SuppressedResidents,
}

/// The word in `lang`.
pub fn w(lang: MessageLang, word: W) -> &'static str {
    let zh = lang == MessageLang::ZhCn;
    let (en, cn) = match word {
        W::Unit => ("unit", "单位编号"),
        W::UnitName => ("name", "单位名称"),
        W::Rank => ("rank", "排名"),
        W::Responses => ("n_responses", "答卷数"),
        W::Index => ("index", "满意度指数"),
        W::Rate => ("rate", "满意率（%）"),
        W::Suppressed => ("suppressed", "不公布"),
        W::Reason => ("reason", "说明"),
        W::AllUnits => ("all units", "全部单位"),
        W::NoUnit => ("no unit given", "未填单位"),
        W::TooFew => ("fewer than 5 responses: scores not shown", "答卷少于 5 份，不公布分数"),
        W::Complementary => {
            ("not shown to protect a unit with fewer than 5 responses", "为保护答卷少于 5 份的单位，不公布分数")
        }
        W::NoUnitReason => ("responses without a unit: not ranked", "未填单位的答卷，不参加排名"),
        W::NoData => ("no scored answers: not ranked", "没有计分的回答，不参加排名"),
        W::Indicator => ("indicator", "指标编号"),
        W::IndicatorName => ("name", "指标名称"),
        W::Parent => ("parent", "上级指标"),
        W::Weight => ("weight", "权重"),
        W::Score => ("score", "得分"),
        W::Item => ("item", "题目编号"),
        W::ItemName => ("question", "题目"),
        W::ScoredAnswers => ("n", "计分回答数"),
        W::DontKnow => ("don't know", "不知道（不计分）"),
        W::Mean => ("mean", "平均得分"),
        W::ResponseId => ("response_id", "答卷编号"),
        W::Device => ("device", "设备密钥编号"),
        W::Seq => ("seq", "设备序号"),
        W::Mode => ("mode", "方式"),
        W::Lang => ("lang", "语言"),
        W::StartedMs => ("started_at_ms", "开始时间（毫秒）"),
        W::Started => ("started_at", "开始时间"),
        W::FinishedMs => ("finished_at_ms", "结束时间（毫秒）"),
        W::Finished => ("finished_at", "结束时间"),
        W::QualityFlags => ("quality_flags", "质量标记"),
        W::Interview => ("interview", "入户访问"),
        W::SelfCompletion => ("self", "自填"),
        W::Yes => ("yes", "是"),
        W::No => ("no", "否"),
        W::True => ("true", "是"),
        W::False => ("false", "否"),
        W::LabelSuffix => (" (label)", "（选项文字）"),
        W::Unscored => (" (unscored)", "（不计分）"),
        W::Speeding => ("speeding", "答题过快"),
        W::StraightLining => ("straight_lining", "直线作答"),
        W::Contradiction => ("contradiction", "正反题矛盾"),
        W::ComplianceUnit => ("compliance_unit", "合规：单位"),
        W::ComplianceEvaluator => ("compliance_evaluator", "合规：评估员"),
        W::Evaluator => ("evaluator", "评估员"),
        W::Units => ("units", "单位数"),
        W::Flagged => ("flagged", "替补率异常"),
        W::FindingResponse => ("finding_response", "有问题的答卷"),
        W::Household => ("household", "住户"),
        W::Position => ("position", "抽样顺位"),
        W::Findings => ("findings", "问题"),
        W::UnitOrEvaluator => ("unit / evaluator", "单位 / 评估员"),
        W::SheetUnits => ("units", "单位"),
        W::SheetIndicators => ("indicators", "指标"),
        W::SheetItems => ("items", "题目"),
        W::SheetCompliance => ("compliance", "合规"),
        W::SheetFindings => ("findings", "问题答卷"),
        W::SheetResponses => ("responses", "答卷"),
        W::SheetFinal => ("final", "最终得分"),
        W::SheetDeductions => ("deductions", "扣分与否决"),
        W::Weighted => ("weighted", "加权得分"),
        W::Deducted => ("deducted", "扣分"),
        W::FinalScore => ("final_score", "最终得分"),
        W::Grade => ("grade", "等级"),
        W::Vetoes => ("vetoes", "一票否决"),
        W::Kind => ("kind", "类别"),
        W::Deduction => ("deduction", "扣分"),
        W::VetoKind => ("veto", "一票否决"),
        W::Points => ("points", "扣分分值"),
        W::Counted => ("counted", "计入扣分"),
        W::Evidence => ("evidence", "依据"),
        W::ListItem => ("item", "考核项目"),
        W::MissingStage => ("no final score: a stage has no score: ", "无最终得分，缺少阶段得分："),
        W::SuppressedResidents => (
            "no final score: the residents' figure is not shown (anonymity)",
            "无最终得分：群众评价分数不公布（匿名保护）",
        ),
    };
    if zh {
        cn
    } else {
        en
    }
}

/// The compliance figure columns (`docs/compliance.md` names them in English) in `lang`.
pub fn figure_column(lang: MessageLang, column: &'static str) -> &'static str {
    if lang == MessageLang::En {
        return column;
    }
    match column {
        "drawn" => "抽中户数",
        "interviewed" => "完成访问",
        "substitutes" => "替补户数",
        "off_sample" => "样本外访问",
        "refused" => "拒访",
        "vacant" => "空户",
        "not_eligible" => "不符合条件",
        "not_at_home_final" => "多次不在家",
        "noncompliant" => "不合规答卷",
        "response_rate" => "应答率",
        "substitution_rate" => "替补率",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_column_has_a_chinese_name() {
        for column in crate::render::FIGURE_COLUMNS {
            let zh = figure_column(MessageLang::ZhCn, column);
            assert_ne!(zh, column, "{column}");
            assert_eq!(figure_column(MessageLang::En, column), column);
        }
    }

    #[test]
    fn chinese_words_are_chinese() {
        // A word left in English in the Chinese column would show up as Latin letters only.
        for word in [W::Unit, W::Index, W::Started, W::Unscored, W::SheetResponses, W::NoUnit] {
            assert!(w(MessageLang::ZhCn, word).chars().any(|c| c > '\u{2e80}'), "{word:?}");
        }
    }
}
