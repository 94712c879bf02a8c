//! Reports as text and files: a plain-text table, aggregate CSV, response-level ("raw") CSV,
//! JSON and an XLSX workbook; with a round, each carries the fieldwork's compliance (per unit, per
//! evaluator, the findings, and the round's commitment, seed and source).
//!
//! The table, CSV and XLSX are for people: their headers, unit, indicator and item names are in
//! the [`Presentation`]'s language, times are shown at its UTC offset, every group of responses
//! has a row (the whole evaluation, every unit with its reason when it is not shown, the
//! responses without a unit), CSV files start with a UTF-8 byte-order mark and their text cells
//! cannot run as formulas, XLSX cells are typed ([`cells`]). JSON is for programs: ids only, the
//! same in every language.
//!
//! Anonymity: every aggregate here comes from a [`Report`], whose suppressed groups carry no
//! scores, and the whole evaluation's scores are withheld when it has fewer than
//! [`MIN_UNIT_RESPONSES`] responses. Response-level data is written only by [`raw_csv`] and by
//! [`xlsx`] with `raw: true`, which the caller offers as an explicit choice.

pub mod cells;
pub mod words;

use crate::compare::{changes, dimension_ids, Change, Round, ALL_UNITS};
use crate::stages::{FinalReport, FinalUnit, NoScore, Stage};
use crate::{Analysis, Department, FileCounts, LoadedRound, Outcome};
use cells::{csv_cell, date_serial, pad, pad_left, Cell, UtcOffset};
use std::fmt::Write as _;
use survey_core::analysis::compliance::{Compliance, Figures, Finding};
use survey_core::analysis::quality::Flag;
use survey_core::analysis::score::{GroupScores, Report, Suppression, MIN_UNIT_RESPONSES, NO_UNIT_LABEL};
use survey_core::bundle::ExportedResponse;
use survey_core::definition::{Indicator, MatrixRow};
use survey_core::{short_fingerprint, AnswerValue, MessageLang, Question, QuestionKind, Survey};
use words::{figure_column, w, W};

/// How a report is shown to people: the language of its words and names, and the UTC offset of
/// its times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presentation {
    pub lang: MessageLang,
    pub offset: UtcOffset,
}

impl Default for Presentation {
    fn default() -> Self {
        Presentation { lang: MessageLang::ZhCn, offset: UtcOffset::default() }
    }
}

impl Presentation {
    fn w(&self, word: W) -> &'static str {
        w(self.lang, word)
    }

    fn zh(&self) -> bool {
        self.lang == MessageLang::ZhCn
    }

    fn csv(&self, cell: &Cell) -> String {
        csv_cell(cell, self.offset, (self.w(W::True), self.w(W::False)))
    }

    fn csv_row(&self, cells: &[Cell]) -> String {
        let mut line = cells.iter().map(|cell| self.csv(cell)).collect::<Vec<_>>().join(",");
        line.push('\n');
        line
    }
}

/// Whether the whole evaluation's numbers may be shown.
pub fn overall_shown(report: &Report) -> bool {
    report.overall.n_responses >= MIN_UNIT_RESPONSES
}

/// A unit's display name in the survey's first language: its declared name, else its id.
pub fn unit_name(survey: &Survey, unit: &str) -> String {
    unit_name_in(survey, unit, survey.default_language())
}

/// A unit's display name in `lang` (falling back through the survey's languages), else its id.
pub fn unit_name_in(survey: &Survey, unit: &str, lang: &str) -> String {
    survey
        .units
        .iter()
        .find(|u| u.id == unit)
        .map(|u| u.name.get(lang, &survey.languages).to_owned())
        .unwrap_or_else(|| unit.to_owned())
}

fn fmt_number(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"))
}

fn fmt_delta(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:+.2}"))
}

/// What a partial import leaves out, in `lang`, said before the results: none when every file
/// offered was imported.
pub fn import_summary(counts: &FileCounts, lang: MessageLang) -> Option<String> {
    if !counts.partial() {
        return None;
    }
    let zh = lang == MessageLang::ZhCn;
    let parts: Vec<String> = [
        (counts.refused, "refused", "拒收"),
        (counts.quarantined, "quarantined", "隔离"),
        (counts.unreadable, "unreadable", "无法读取"),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, en, cn)| if zh { format!("{cn} {n} 个") } else { format!("{n} {en}") })
    .collect();
    let (imported, total) = (counts.imported, counts.total());
    Some(if zh {
        format!("{total} 个文件中导入 {imported} 个；未计入：{}。结果只包含已导入的文件。", parts.join("，"))
    } else {
        format!(
            "{imported} of {total} files imported; not counted: {}. The results cover only the imported files.",
            parts.join(", ")
        )
    })
}

/// Counts of each kind of quality flag: speeding, straight-lining, contradiction.
pub fn flag_counts(analysis: &Analysis<'_>) -> [usize; 3] {
    let mut counts = [0; 3];
    for flag in analysis.flagged.iter().flat_map(|f| &f.flags) {
        counts[match flag {
            Flag::Speeding { .. } => 0,
            Flag::StraightLining { .. } => 1,
            Flag::Contradiction { .. } => 2,
        }] += 1;
    }
    counts
}

/// How the shown numbers change when flagged responses are excluded (or included back).
pub fn exclusion_changes(analysis: &Analysis<'_>) -> Vec<Change> {
    let dims = dimension_ids(analysis.survey);
    changes(&Round::of(analysis.alternative()), &Round::of(analysis.report()), &dims)
}

/// The shown numbers against a previous round.
pub fn previous_changes(analysis: &Analysis<'_>, previous: &Round) -> Vec<Change> {
    changes(previous, &Round::of(analysis.report()), &dimension_ids(analysis.survey))
}

/// A text of the survey in `lang` (falling back through the survey's languages).
fn text_in<'a>(survey: &'a Survey, text: &'a survey_core::Text, lang: MessageLang) -> &'a str {
    text.get(lang.tag(), &survey.languages)
}

/// An indicator's title in `lang`, else its id.
pub fn indicator_name(survey: &Survey, id: &str, lang: MessageLang) -> String {
    fn find<'a>(nodes: &'a [Indicator], id: &str) -> Option<&'a Indicator> {
        nodes.iter().find_map(|node| if node.id == id { Some(node) } else { find(&node.children, id) })
    }
    find(&survey.indicators, id).map_or_else(|| id.to_owned(), |node| text_in(survey, &node.title, lang).to_owned())
}

/// An item's name in `lang`: its question's title, and for a matrix row `title / row label`.
pub fn item_name(survey: &Survey, item: &str, lang: MessageLang) -> String {
    let (question_id, row_id) = match item.split_once('.') {
        Some((question, row)) => (question, Some(row)),
        None => (item, None),
    };
    let Some(question) = survey.question(question_id) else { return item.to_owned() };
    let title = text_in(survey, &question.title, lang);
    let row = row_id.and_then(|id| question.rows.as_deref().unwrap_or_default().iter().find(|r| r.id == id));
    match row {
        Some(row) => format!("{title} / {}", text_in(survey, &row.label, lang)),
        None => title.to_owned(),
    }
}

/// One row of the units table: the whole evaluation, a unit of the ranking, or the responses
/// without a unit.
struct GroupRow<'a> {
    /// The unit id, [`ALL_UNITS`] or [`NO_UNIT_LABEL`].
    id: String,
    name: String,
    rank: Option<usize>,
    n_responses: usize,
    /// None when not shown.
    scores: Option<&'a GroupScores>,
    suppressed: bool,
    /// Why the row has no scores or no rank, in the presentation's language.
    reason: Option<String>,
}

/// Every group of responses, each once: the whole evaluation, then the units in ranking order
/// (ranked ones best first, then those without a rank), then the responses without a unit, so
/// that the units' counts add up to the whole.
fn group_rows<'a>(analysis: &'a Analysis<'_>, p: &Presentation) -> Vec<GroupRow<'a>> {
    let survey = analysis.survey;
    let report = analysis.report();
    let suppression = |reason: Option<Suppression>| match reason {
        Some(Suppression::Complementary) => p.w(W::Complementary),
        _ => p.w(W::TooFew),
    };
    let shown = overall_shown(report);
    let mut rows = vec![GroupRow {
        id: ALL_UNITS.to_owned(),
        name: p.w(W::AllUnits).to_owned(),
        rank: None,
        n_responses: report.overall.n_responses,
        scores: shown.then_some(&report.overall),
        suppressed: !shown,
        reason: (!shown).then(|| p.w(W::TooFew).to_owned()),
    }];
    for entry in &report.ranking {
        let unit = report.units.iter().find(|u| u.unit.as_deref() == Some(entry.unit.as_str()));
        let reason = if entry.suppressed {
            Some(suppression(unit.and_then(|u| u.reason)).to_owned())
        } else if entry.rank.is_none() {
            Some(p.w(W::NoData).to_owned())
        } else {
            None
        };
        rows.push(GroupRow {
            id: entry.unit.clone(),
            name: unit_name_in(survey, &entry.unit, p.lang.tag()),
            rank: entry.rank,
            n_responses: unit.map_or(0, |u| u.n_responses),
            scores: unit.and_then(|u| u.scores.as_ref()),
            suppressed: entry.suppressed,
            reason,
        });
    }
    for unit in report.units.iter().filter(|u| u.unit.is_none()) {
        let reason = if unit.suppressed {
            let separator = if p.zh() { "；" } else { "; " };
            format!("{}{separator}{}", suppression(unit.reason), p.w(W::NoUnitReason))
        } else {
            p.w(W::NoUnitReason).to_owned()
        };
        rows.push(GroupRow {
            id: NO_UNIT_LABEL.to_owned(),
            name: p.w(W::NoUnit).to_owned(),
            rank: None,
            n_responses: unit.n_responses,
            scores: unit.scores.as_ref(),
            suppressed: unit.suppressed,
            reason: Some(reason),
        });
    }
    rows
}

/// The units table as cells: a header, then [`group_rows`] with each dimension's score.
fn units_table(analysis: &Analysis<'_>, p: &Presentation) -> (Vec<String>, Vec<Vec<Cell>>) {
    let survey = analysis.survey;
    let dims = dimension_ids(survey);
    let mut header: Vec<String> =
        [W::Unit, W::UnitName, W::Rank, W::Responses, W::Index, W::Rate, W::Suppressed, W::Reason]
            .iter()
            .map(|word| p.w(*word).to_owned())
            .collect();
    header.extend(dims.iter().map(|dim| indicator_name(survey, dim, p.lang)));
    let number = |value: Option<f64>| value.map_or(Cell::Empty, Cell::Score);
    let rows = group_rows(analysis, p)
        .into_iter()
        .map(|row| {
            let mut cells = vec![
                Cell::Text(row.id),
                Cell::Text(row.name),
                row.rank.map_or(Cell::Empty, |rank| Cell::Number(rank as f64)),
                Cell::Number(row.n_responses as f64),
                number(row.scores.and_then(|s| s.index)),
                number(row.scores.and_then(|s| s.rate)),
                Cell::Bool(row.suppressed),
                row.reason.map_or(Cell::Empty, Cell::Text),
            ];
            cells.extend(dims.iter().map(|dim| number(row.scores.and_then(|s| s.dimension_score(dim)))));
            cells
        })
        .collect();
    (header, rows)
}

/// A stage's title in the presentation's language, else its id.
fn stage_title(survey: &Survey, stage: &Stage, lang: MessageLang) -> String {
    let title = text_in(survey, &stage.title, lang);
    if title.is_empty() {
        stage.id.clone()
    } else {
        title.to_owned()
    }
}

/// A grade's title in the presentation's language, else its id.
pub fn grade_title(survey: &Survey, result: &FinalReport, id: &str, lang: MessageLang) -> String {
    let levels = result.stages.grades.as_ref().map(|g| g.levels.as_slice()).unwrap_or_default();
    let title = levels.iter().find(|l| l.id == id).map(|l| text_in(survey, &l.title, lang)).unwrap_or("");
    if title.is_empty() {
        id.to_owned()
    } else {
        title.to_owned()
    }
}

/// Why a unit has no final score, in the presentation's language.
fn no_score_text(unit: &FinalUnit, p: &Presentation) -> Option<String> {
    match unit.reason? {
        NoScore::Suppressed => Some(p.w(W::SuppressedResidents).to_owned()),
        NoScore::MissingStage => Some(format!("{}{}", p.w(W::MissingStage), unit.missing.join(", "))),
    }
}

/// The final ranking as cells: rank, unit, name, each stage's score, weighted, deducted,
/// final score, grade, vetoes, reason.
fn final_table(survey: &Survey, result: &FinalReport, p: &Presentation) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut header: Vec<String> = [W::Rank, W::Unit, W::UnitName].iter().map(|w| p.w(*w).to_owned()).collect();
    header.extend(result.stages.stages.iter().map(|stage| stage_title(survey, stage, p.lang)));
    header.extend(
        [W::Weighted, W::Deducted, W::FinalScore, W::Grade, W::Vetoes, W::Reason].iter().map(|w| p.w(*w).to_owned()),
    );
    let score = |value: Option<f64>| value.map_or(Cell::Empty, Cell::Score);
    let rows = result
        .units
        .iter()
        .map(|unit| {
            let mut cells = vec![
                unit.rank.map_or(Cell::Empty, |rank| Cell::Number(rank as f64)),
                Cell::text(&unit.unit),
                Cell::Text(unit_name_in(survey, &unit.unit, p.lang.tag())),
            ];
            cells.extend(unit.stages.iter().map(|stage| score(stage.score)));
            let vetoes: Vec<&str> = unit.vetoes.iter().map(|v| v.item.as_str()).collect();
            cells.extend([
                score(unit.weighted),
                Cell::Score(unit.deducted),
                score(unit.score),
                unit.grade.as_deref().map_or(Cell::Empty, |g| Cell::Text(grade_title(survey, result, g, p.lang))),
                if vetoes.is_empty() { Cell::Empty } else { Cell::Text(vetoes.join("; ")) },
                no_score_text(unit, p).map_or(Cell::Empty, Cell::Text),
            ]);
            cells
        })
        .collect();
    (header, rows)
}

/// Every deduction item and veto of every unit with its evidence: kind, unit, name, item, the
/// item's points, what counts after the per-item cap, the evidence of its rows.
fn deductions_table(survey: &Survey, result: &FinalReport, p: &Presentation) -> (Vec<String>, Vec<Vec<Cell>>) {
    let header = [W::Kind, W::Unit, W::UnitName, W::ListItem, W::Points, W::Counted, W::Evidence]
        .iter()
        .map(|w| p.w(*w).to_owned())
        .collect();
    let mut rows = Vec::new();
    let mut units: Vec<&FinalUnit> = result.units.iter().collect();
    units.sort_by(|a, b| a.unit.cmp(&b.unit));
    for unit in units {
        let name = unit_name_in(survey, &unit.unit, p.lang.tag());
        for item in &unit.deductions {
            let evidence: Vec<&str> = item.rows.iter().map(|r| r.evidence.as_str()).filter(|e| !e.is_empty()).collect();
            rows.push(vec![
                Cell::text(p.w(W::Deduction)),
                Cell::text(&unit.unit),
                Cell::text(&name),
                Cell::text(&item.item),
                Cell::Number(item.points),
                Cell::Number(item.counted),
                Cell::Text(evidence.join("; ")),
            ]);
        }
        for veto in &unit.vetoes {
            rows.push(vec![
                Cell::text(p.w(W::VetoKind)),
                Cell::text(&unit.unit),
                Cell::text(&name),
                Cell::text(&veto.item),
                Cell::Empty,
                Cell::Empty,
                Cell::text(&veto.evidence),
            ]);
        }
    }
    (header, rows)
}

/// The final ranking in the plain-text report.
fn final_section(out: &mut String, survey: &Survey, result: &FinalReport, p: &Presentation) {
    let stages: Vec<String> = result
        .stages
        .stages
        .iter()
        .map(|stage| format!("{} {}%", stage_title(survey, stage, p.lang), cells::number_text(stage.weight * 100.0)))
        .collect();
    let _ = if p.zh() {
        writeln!(out, "\n最终得分排名（{}）", stages.join("，"))
    } else {
        writeln!(out, "\nfinal ranking ({})", stages.join(", "))
    };
    let (header, rows) = final_table(survey, result, p);
    // Plain text, not CSV: no quoting and no formula guard.
    let text = |cell: &Cell| match cell {
        Cell::Score(value) => fmt_number(Some(*value)),
        Cell::Number(value) => cells::number_text(*value),
        Cell::Text(text) => text.clone(),
        other => p.csv(other),
    };
    let table: Vec<Vec<String>> =
        std::iter::once(header).chain(rows.iter().map(|row| row.iter().map(text).collect())).collect();
    // Every column as wide as its widest cell (names and reasons are last-but-one and last).
    let widths: Vec<usize> = (0..table[0].len())
        .map(|col| table.iter().map(|row| cells::display_width(&row[col])).max().unwrap_or(0))
        .collect();
    for row in &table {
        let line: Vec<String> = row.iter().zip(&widths).map(|(cell, width)| pad(cell, *width)).collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    let (_, deductions) = deductions_table(survey, result, p);
    if !deductions.is_empty() {
        let _ = writeln!(out, "{}", if p.zh() { "扣分与一票否决：" } else { "deductions and vetoes:" });
        for row in deductions {
            let cells: Vec<String> = row.iter().map(text).collect();
            let points = if cells[4].is_empty() {
                String::new()
            } else {
                format!(" −{} ({} {})", cells[4], p.w(W::Counted), cells[5])
            };
            let _ = writeln!(out, "  {} · {} · {}{points}: {}", cells[0], cells[2], cells[3], cells[6]);
        }
    }
}

/// The plain-text report of the command line, in the presentation's language.
pub fn table(
    department: &Department,
    analysis: &Analysis<'_>,
    previous: Option<&Round>,
    final_result: Option<&FinalReport>,
    p: &Presentation,
) -> String {
    let survey = analysis.survey;
    let report = analysis.report();
    let zh = p.zh();
    let mut out = String::new();
    let title = text_in(survey, &survey.title, p.lang);
    let _ = writeln!(out, "{title} ({} {})", survey.id, survey.version);
    // The anonymity rule holds for the whole evaluation too: too few responses, no numbers.
    let n = report.overall.n_responses;
    if overall_shown(report) {
        let (index, rate) = (fmt_number(report.overall.index), fmt_number(report.overall.rate));
        let _ = if zh {
            writeln!(out, "答卷：{n}  满意度指数：{index}  满意率：{rate}%")
        } else {
            writeln!(out, "responses: {n}  index: {index}  satisfaction rate: {rate}%")
        };
    } else {
        let _ = if zh {
            writeln!(out, "答卷：{n}（少于 {MIN_UNIT_RESPONSES} 份，不公布分数）")
        } else {
            writeln!(out, "responses: {n}  (fewer than {MIN_UNIT_RESPONSES}: scores suppressed)")
        };
    }
    let rows = group_rows(analysis, p);
    let name_width = rows.iter().skip(1).map(|row| cells::display_width(&row.name)).max().unwrap_or(0).clamp(12, 40);
    let id_width = rows.iter().skip(1).map(|row| cells::display_width(&row.id)).max().unwrap_or(0).clamp(8, 28);
    let (rank_h, unit_h, name_h, n_h, index_h) = if zh {
        ("排名", "单位编号", "单位名称", "答卷", "满意度指数")
    } else {
        ("rank", "unit", "name", "n", "index")
    };
    let _ = writeln!(
        out,
        "\n{}  {}  {}  {}  {index_h}",
        pad_left(rank_h, 4),
        pad(unit_h, id_width),
        pad(name_h, name_width),
        pad_left(n_h, 4)
    );
    for row in rows.iter().skip(1) {
        let rank = row.rank.map_or_else(|| "-".to_owned(), |r| r.to_string());
        let index = match (&row.reason, row.scores.and_then(|s| s.index)) {
            (None, index) => fmt_number(index),
            (Some(reason), Some(index)) => format!("{}  ({reason})", fmt_number(Some(index))),
            (Some(reason), None) => reason.clone(),
        };
        let _ = writeln!(
            out,
            "{}  {}  {}  {}  {index}",
            pad_left(&rank, 4),
            pad(&row.id, id_width),
            pad(&row.name, name_width),
            pad_left(&row.n_responses.to_string(), 4)
        );
    }
    for ranking in &report.dimension_rankings {
        let ranked: Vec<String> = ranking
            .ranking
            .iter()
            .filter_map(|entry| {
                entry.rank.map(|rank| format!("{rank}. {}", unit_name_in(survey, &entry.unit, p.lang.tag())))
            })
            .collect();
        if !ranked.is_empty() {
            let dimension = indicator_name(survey, &ranking.dimension, p.lang);
            let _ = if zh {
                writeln!(out, "按{dimension}：{}", ranked.join("，"))
            } else {
                writeln!(out, "by {dimension}: {}", ranked.join(", "))
            };
        }
    }
    if overall_shown(report) {
        let names: Vec<(String, &survey_core::analysis::score::IndicatorScores)> = report
            .overall
            .indicators
            .iter()
            .map(|indicator| {
                let indent = if indicator.parent.is_some() { "  " } else { "" };
                (format!("{indent}{}", indicator_name(survey, &indicator.id, p.lang)), indicator)
            })
            .collect();
        let width = names.iter().map(|(name, _)| cells::display_width(name)).max().unwrap_or(0).clamp(9, 48);
        let (indicator_h, score_h, rate_h) =
            if zh { ("指标", "得分", "满意率") } else { ("indicator", "score", "rate") };
        let _ = writeln!(out, "\n{}  {}  {}", pad(indicator_h, width), pad_left(score_h, 6), pad_left(rate_h, 6));
        for (name, indicator) in names {
            let _ = writeln!(
                out,
                "{}  {}  {}",
                pad(&name, width),
                pad_left(&fmt_number(indicator.score), 6),
                pad_left(&fmt_number(indicator.rate), 6)
            );
        }
    }
    for device in analysis.import.devices() {
        let missing = device.missing();
        if !missing.is_empty() {
            let (keyid, evaluator) = (short_fingerprint(&device.keyid), &device.evaluator);
            let _ = if zh {
                writeln!(out, "\n设备 {keyid}（{evaluator}）缺少序号 {missing:?} 的答卷")
            } else {
                writeln!(out, "\nmissing from device {keyid} ({evaluator}): seq {missing:?}")
            };
        }
    }
    for conflict in analysis.import.conflicts() {
        let (id, versions) = (&conflict.id, conflict.hashes.len());
        let _ = if zh {
            writeln!(out, "\n冲突：答卷 {id} 有 {versions} 个不同版本，均不计入")
        } else {
            writeln!(out, "\nconflict: response {id} has {versions} different versions; not counted")
        };
    }
    for file in department.files() {
        match &file.outcome {
            Outcome::Imported { .. } => {}
            Outcome::Quarantined { message, .. } => {
                let _ = if zh {
                    writeln!(out, "\n已隔离：{}：{message}", file.file)
                } else {
                    writeln!(out, "\nquarantined: {}: {message}", file.file)
                };
            }
            Outcome::Refused { code, message } => {
                let _ = if zh {
                    writeln!(out, "\n未导入：{}：{code}：{message}", file.file)
                } else {
                    writeln!(out, "\nnot imported: {}: {code}: {message}", file.file)
                };
            }
        }
    }
    let [speeding, straight, contradiction] = flag_counts(analysis);
    let (flagged, total) = (analysis.flagged_count(), analysis.responses.len());
    let _ = if zh {
        writeln!(
            out,
            "\n质量标记：{total} 份答卷中 {flagged} 份（答题过快 {speeding}，直线作答 {straight}，正反题矛盾 {contradiction}）"
        )
    } else {
        writeln!(
            out,
            "\nquality flags: {flagged} of {total} responses (speeding {speeding}, straight-lining {straight}, contradiction {contradiction})"
        )
    };
    if analysis.exclude_flagged && overall_shown(report) && overall_shown(&analysis.all) {
        let (without, with) = (fmt_number(report.overall.index), fmt_number(analysis.all.overall.index));
        let _ = if zh {
            writeln!(out, "已排除有质量标记的答卷：满意度指数 {without}（含这些答卷为 {with}）")
        } else {
            writeln!(out, "flagged responses excluded: index {without} (with them {with})")
        };
    }
    if let Some(result) = final_result {
        final_section(&mut out, survey, result, p);
    }
    if let (Some(round), Some(compliance)) = (department.round(), &analysis.compliance) {
        compliance_table(&mut out, round, compliance, analysis, p);
    }
    if let Some(previous) = previous {
        let (title, before_h, after_h, change_h, rank_h) = if zh {
            ("与上一轮相比（满意度指数）", "上一轮", "本轮", "变化", "排名")
        } else {
            ("change since the previous round (index)", "before", "after", "change", "rank")
        };
        let changes = previous_changes(analysis, previous);
        let named: Vec<(String, &Change)> = changes
            .iter()
            .filter(|c| c.dimension.is_none())
            .map(|change| {
                let name = if change.unit == ALL_UNITS {
                    p.w(W::AllUnits).to_owned()
                } else {
                    unit_name_in(survey, &change.unit, p.lang.tag())
                };
                (name, change)
            })
            .collect();
        let width = named.iter().map(|(name, _)| cells::display_width(name)).max().unwrap_or(0).clamp(12, 40);
        let _ = writeln!(
            out,
            "\n{title}\n{}  {}  {}  {}   {rank_h}",
            pad(p.w(W::UnitName), width),
            pad_left(before_h, 7),
            pad_left(after_h, 6),
            pad_left(change_h, 7)
        );
        for (name, change) in named {
            let rank = match (change.rank_before, change.rank_after) {
                (Some(b), Some(a)) => format!("{b} → {a}"),
                (None, Some(a)) => format!("- → {a}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "{}  {}  {}  {}   {rank}",
                pad(&name, width),
                pad_left(&fmt_number(change.before), 7),
                pad_left(&fmt_number(change.after), 6),
                pad_left(&fmt_delta(change.delta), 7)
            );
        }
    }
    out
}

/// Aggregates only: one row for the whole evaluation, one per unit (suppressed ones with empty
/// number cells and their reason) and one for the responses without a unit, with each
/// dimension's score; then, with final scores, the final ranking and the deductions and vetoes;
/// then, with a round, the compliance blocks (each block after one empty line).
pub fn csv(analysis: &Analysis<'_>, final_result: Option<&FinalReport>, p: &Presentation) -> String {
    let (header, rows) = units_table(analysis, p);
    let mut out = String::from("\u{feff}");
    out.push_str(&p.csv_row(&header.into_iter().map(Cell::Text).collect::<Vec<_>>()));
    for row in &rows {
        out.push_str(&p.csv_row(row));
    }
    if let Some(result) = final_result {
        for (header, rows) in [final_table(analysis.survey, result, p), deductions_table(analysis.survey, result, p)] {
            out.push('\n');
            out.push_str(&p.csv_row(&header.into_iter().map(Cell::Text).collect::<Vec<_>>()));
            for row in &rows {
                out.push_str(&p.csv_row(row));
            }
        }
    }
    if let Some(compliance) = &analysis.compliance {
        compliance_csv(&mut out, compliance, p);
    }
    out
}

/// One column of the raw table after the fixed ones.
#[derive(Clone, Copy)]
enum RawColumn<'a> {
    /// The stored answer: a number for a scored point (an unscored one is text, marked, so that
    /// it cannot enter a spreadsheet's average), the value itself otherwise.
    Answer(&'a Question, Option<&'a MatrixRow>),
    /// The label of the answer, in the presentation's language.
    Label(&'a Question, Option<&'a MatrixRow>),
}

/// The raw-data columns with their headers: per question its answer, and beside the answer of
/// a coded kind (choices, scale points, matrix rows, yes/no) its label.
fn raw_columns<'a>(survey: &'a Survey, p: &Presentation) -> Vec<(String, RawColumn<'a>)> {
    let text = |t: &'a survey_core::Text| text_in(survey, t, p.lang);
    let mut columns = Vec::new();
    for (_, question) in survey.questions() {
        let title = text(&question.title);
        match question.kind {
            QuestionKind::Note => {}
            QuestionKind::Matrix => {
                for row in question.rows.as_deref().unwrap_or_default() {
                    let header = format!("{title} / {}", text(&row.label));
                    let label = format!("{header}{}", p.w(W::LabelSuffix));
                    columns.push((header, RawColumn::Answer(question, Some(row))));
                    columns.push((label, RawColumn::Label(question, Some(row))));
                }
            }
            QuestionKind::Single | QuestionKind::Multiple | QuestionKind::Scale | QuestionKind::YesNo => {
                columns.push((title.to_owned(), RawColumn::Answer(question, None)));
                columns.push((format!("{title}{}", p.w(W::LabelSuffix)), RawColumn::Label(question, None)));
            }
            _ => columns.push((title.to_owned(), RawColumn::Answer(question, None))),
        }
    }
    columns
}

/// The fixed columns of the raw table.
const RAW_FIXED: [W; 12] = [
    W::ResponseId,
    W::Unit,
    W::UnitName,
    W::Device,
    W::Seq,
    W::Mode,
    W::Lang,
    W::StartedMs,
    W::Started,
    W::FinishedMs,
    W::Finished,
    W::QualityFlags,
];

/// The names of a response's quality flags in the presentation's language, `;`-separated
/// (empty when it has none).
fn flag_names(analysis: &Analysis<'_>, id: &str, p: &Presentation) -> String {
    let flags = analysis.flagged.iter().find(|f| f.id == id).map(|f| f.flags.as_slice()).unwrap_or_default();
    flags
        .iter()
        .map(|flag| match flag {
            Flag::Speeding { .. } => p.w(W::Speeding),
            Flag::StraightLining { .. } => p.w(W::StraightLining),
            Flag::Contradiction { .. } => p.w(W::Contradiction),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// A point's cell: a number when it is scored, else the value marked as unscored (text).
fn point_cell(question: &Question, value: i64, p: &Presentation) -> Cell {
    if question.is_unscored_value(value) {
        Cell::Text(format!("{value}{}", p.w(W::Unscored)))
    } else {
        Cell::Number(value as f64)
    }
}

/// The label of a point (scored or unscored) in the presentation's language.
fn point_label(survey: &Survey, question: &Question, value: i64, p: &Presentation) -> Cell {
    let points = question.points.iter().flatten().chain(question.unscored.iter().flatten());
    points
        .into_iter()
        .find(|point| point.value == value)
        .map_or(Cell::Empty, |point| Cell::text(text_in(survey, &point.label, p.lang)))
}

/// The label of a choice value in the presentation's language (the value itself when it is
/// not one of the question's choices).
fn choice_label<'a>(survey: &'a Survey, question: &'a Question, value: &'a str, p: &Presentation) -> &'a str {
    question
        .choices
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|choice| choice.value == value)
        .map_or(value, |choice| text_in(survey, &choice.label, p.lang))
}

/// One answer cell of the raw table.
fn raw_cell(survey: &Survey, response: &ExportedResponse, column: RawColumn<'_>, p: &Presentation) -> Cell {
    let (question, row, label) = match column {
        RawColumn::Answer(question, row) => (question, row, false),
        RawColumn::Label(question, row) => (question, row, true),
    };
    let Some(value) = response.answers.get(&question.id).map(|a| &a.value) else { return Cell::Empty };
    match (value, row) {
        (AnswerValue::Rows(values), Some(row)) => match values.get(&row.id) {
            Some(point) if label => point_label(survey, question, *point, p),
            Some(point) => point_cell(question, *point, p),
            None => Cell::Empty,
        },
        (_, Some(_)) | (AnswerValue::Rows(_), None) => Cell::Empty,
        (AnswerValue::Number(point), None) if question.kind == QuestionKind::Scale => {
            if label {
                point_label(survey, question, *point, p)
            } else {
                point_cell(question, *point, p)
            }
        }
        (AnswerValue::Number(number), None) => Cell::Number(*number as f64),
        (AnswerValue::Decimal(number), None) => Cell::Number(*number),
        (AnswerValue::Bool(yes), None) if label => Cell::text(p.w(if *yes { W::Yes } else { W::No })),
        (AnswerValue::Bool(yes), None) => Cell::Bool(*yes),
        (AnswerValue::Text(text), None) if label => Cell::text(choice_label(survey, question, text, p)),
        (AnswerValue::Text(date), None) if question.kind == QuestionKind::Date => Cell::Date(date.clone()),
        (AnswerValue::Text(text), None) => Cell::Text(text.clone()),
        (AnswerValue::List(items), None) if label => {
            let labels: Vec<&str> = items.iter().map(|item| choice_label(survey, question, item, p)).collect();
            Cell::Text(labels.join(if p.zh() { "；" } else { "; " }))
        }
        (AnswerValue::List(items), None) => Cell::Text(items.join(";")),
    }
}

/// The raw table: a header, then a row per response (times in milliseconds and at the
/// presentation's offset, the device's full key id), a column per question (matrix rows as
/// their own columns), labels beside codes.
fn raw_table(
    analysis: &Analysis<'_>,
    responses: &[&ExportedResponse],
    p: &Presentation,
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let survey = analysis.survey;
    let columns = raw_columns(survey, p);
    let offset = p.offset.suffix();
    let header = RAW_FIXED
        .iter()
        .map(|word| match word {
            // The header says at which offset the times are shown.
            W::Started | W::Finished => format!("{} (UTC{offset})", p.w(*word)),
            _ => p.w(*word).to_owned(),
        })
        .chain(columns.iter().map(|(header, _)| header.clone()))
        .collect();
    let rows = responses
        .iter()
        .map(|response| {
            let unit = response.unit.as_deref();
            let mut row = vec![
                Cell::text(&response.id),
                unit.map_or(Cell::Empty, Cell::text),
                unit.map_or(Cell::Empty, |unit| Cell::Text(unit_name_in(survey, unit, p.lang.tag()))),
                Cell::text(&response.device),
                Cell::Number(response.seq as f64),
                Cell::text(p.w(if response.mode == survey_core::Mode::Interview {
                    W::Interview
                } else {
                    W::SelfCompletion
                })),
                Cell::text(&response.lang),
                Cell::Number(response.started_at as f64),
                Cell::Time(response.started_at),
                Cell::Number(response.finished_at as f64),
                Cell::Time(response.finished_at),
                Cell::Text(flag_names(analysis, &response.id, p)),
            ];
            row.extend(columns.iter().map(|(_, column)| raw_cell(survey, response, *column, p)));
            row
        })
        .collect();
    (header, rows)
}

/// Response-level data (not anonymised by suppression; offered only as an explicit choice):
/// a row per counted response, a column per question and a label column beside each coded
/// answer, headers in the presentation's language, UTF-8 with BOM.
pub fn raw_csv(analysis: &Analysis<'_>, p: &Presentation) -> String {
    let (header, rows) = raw_table(analysis, &analysis.counted_responses(), p);
    let mut out = String::from("\u{feff}");
    out.push_str(&p.csv_row(&header.into_iter().map(Cell::Text).collect::<Vec<_>>()));
    for row in &rows {
        out.push_str(&p.csv_row(row));
    }
    out
}

/// The report as JSON: the shown report (the whole evaluation without scores, and without alpha,
/// when it has fewer than 5 responses), devices with missing sequence numbers, conflicts, counts
/// of quality flags (which responses carry them is response-level data: the raw export's
/// `quality_flags` column),
/// what the exclusion switch changes, the files not imported, and the change since a previous
/// round when one is given.
pub fn json(
    department: &Department,
    analysis: &Analysis<'_>,
    previous: Option<&Round>,
    final_result: Option<&FinalReport>,
) -> serde_json::Value {
    use serde_json::json;
    let report = analysis.report();
    let not_imported: Vec<_> = department
        .files()
        .iter()
        .filter_map(|f| match &f.outcome {
            Outcome::Imported { .. } => None,
            Outcome::Quarantined { message, .. } => {
                Some(json!({"file": f.file, "code": "quarantined", "message": message}))
            }
            Outcome::Refused { code, message } => Some(json!({"file": f.file, "code": code, "message": message})),
        })
        // A file offered twice (the same folder imported again) is listed once.
        .fold(Vec::new(), |mut seen: Vec<serde_json::Value>, entry| {
            if !seen.contains(&entry) {
                seen.push(entry);
            }
            seen
        });
    let devices: Vec<_> = analysis
        .import
        .devices()
        .iter()
        .map(|d| {
            json!({"keyid": d.keyid, "evaluator": d.evaluator, "seq_high": d.seq_high,
                "missing_count": d.missing_count(), "missing": d.missing()})
        })
        .collect();
    let mut report_json = serde_json::to_value(report).unwrap_or_default();
    if !overall_shown(report) {
        report_json["overall"] = json!({"n_responses": report.overall.n_responses, "suppressed": true});
        // Alpha is computed over all responses: with too few, it is withheld like the rest.
        report_json["alpha"] = json!([]);
    }
    let [speeding, straight_lining, contradiction] = flag_counts(analysis);
    json!({
        "survey": {"id": analysis.survey.id, "version": analysis.survey.version, "fingerprint": analysis.fingerprint},
        "bundles": analysis.import.bundle_count(),
        "report": report_json,
        "devices": devices,
        "conflicts": analysis.import.conflicts(),
        "flag_counts": {"speeding": speeding, "straight_lining": straight_lining, "contradiction": contradiction},
        "flagged_excluded": analysis.exclude_flagged,
        "exclusion_changes": exclusion_changes(analysis),
        "previous_round": previous.map(|p| previous_changes(analysis, p)),
        "not_imported": not_imported,
        "compliance": department.round().zip(analysis.compliance.as_ref())
            .map(|(round, compliance)| compliance_json(round, compliance, analysis)),
        "final": final_result,
    })
}

/// The figure columns of a compliance row, in the order of `docs/compliance.md`.
pub const FIGURE_COLUMNS: [&str; 11] = [
    "drawn",
    "interviewed",
    "substitutes",
    "off_sample",
    "refused",
    "vacant",
    "not_eligible",
    "not_at_home_final",
    "noncompliant",
    "response_rate",
    "substitution_rate",
];

/// The counts of a compliance row, in the order of [`FIGURE_COLUMNS`] (rates excluded).
pub fn figure_counts(figures: &Figures) -> [u64; 9] {
    [
        figures.drawn,
        figures.interviewed,
        figures.substitutes,
        figures.off_sample,
        figures.refused,
        figures.vacant,
        figures.not_eligible,
        figures.not_at_home_final,
        figures.noncompliant,
    ]
}

fn fmt_rate(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "-".to_owned())
}

/// The round as an auditor compares it with the organiser's notice.
fn round_json(round: &LoadedRound) -> serde_json::Value {
    let p = &round.payload;
    serde_json::json!({
        "id": p.id, "sha256": round.sha256, "title": p.title, "period": p.period,
        "organiser": {"name": p.organiser.name, "keyid": round.organiser_keyid},
        "survey_fingerprint": p.survey_fingerprint, "seed": p.seed, "seed_source": p.seed_source,
        "frame_commitment": p.frame_commitment,
    })
}

/// The `compliance` object of the JSON (`docs/compliance.md`).
pub fn compliance_json(round: &LoadedRound, compliance: &Compliance, analysis: &Analysis<'_>) -> serde_json::Value {
    use serde_json::json;
    let findings: Vec<_> = compliance
        .findings()
        .map(|c| {
            json!({"response": c.response, "device": c.device, "unit": c.unit, "household": c.household,
                "position": c.position, "findings": c.findings})
        })
        .collect();
    let off_sample: Vec<_> = compliance
        .off_sample()
        .map(|c| json!({"response": c.response, "device": c.device, "unit": c.unit, "household": c.household}))
        .collect();
    json!({
        "round": round_json(round),
        "include_noncompliant": analysis.include_noncompliant,
        "include_off_sample": analysis.include_off_sample,
        "contacts": compliance.contacts,
        "contact_conflicts": compliance.contact_conflicts,
        "units": compliance.units,
        "evaluators": compliance.evaluators,
        "substitution": compliance.substitution,
        "findings": findings,
        "off_sample": off_sample,
    })
}

/// The compliance section of the plain-text report.
fn compliance_table(
    out: &mut String,
    round: &LoadedRound,
    compliance: &Compliance,
    analysis: &Analysis<'_>,
    p: &Presentation,
) {
    let zh = p.zh();
    let r = &round.payload;
    let _ = if zh {
        writeln!(
            out,
            "\n评估轮次 {}（{} 至 {}），组织方 {}，密钥 {}",
            r.id, r.period.from, r.period.to, r.organiser.name, round.organiser_keyid
        )
    } else {
        writeln!(
            out,
            "\nround {} ({} to {}), organiser {} key {}",
            r.id, r.period.from, r.period.to, r.organiser.name, round.organiser_keyid
        )
    };
    let labels: [&str; 4] = if zh {
        ["抽样框承诺", "随机种子", "种子来源", "轮次文件 sha256"]
    } else {
        ["frame commitment", "seed", "seed source", "round file sha256"]
    };
    for (label, value) in labels.iter().zip([&r.frame_commitment, &r.seed, &r.seed_source, &round.sha256]) {
        let _ = writeln!(out, "  {label}: {value}");
    }
    let header = if zh {
        "抽中  访问  替补  样本外  拒访  空户  不符合  多次不在家  不合规  应答率  替补率".to_owned()
    } else {
        "drawn  intv  subst  off  refused  vacant  inelig  nah-final  noncompl  resp-rate  subst-rate".to_owned()
    };
    let row = |f: &Figures| {
        let [drawn, interviewed, substitutes, off, refused, vacant, inelig, nah, noncompliant] = figure_counts(f);
        format!(
            "{drawn:>5}  {interviewed:>4}  {substitutes:>5}  {off:>3}  {refused:>7}  {vacant:>6}  {inelig:>6}  {nah:>9}  {noncompliant:>8}  {:>9}  {:>10}",
            fmt_rate(f.response_rate),
            fmt_rate(f.substitution_rate)
        )
    };
    let (by_unit, by_evaluator, evaluator_h, device_h, flag_h, stands_out) = if zh {
        ("各单位的合规情况", "各评估员的合规情况", "评估员", "设备", "标记", "替补率异常")
    } else {
        ("compliance by unit", "compliance by evaluator", "evaluator", "device", "flag", "substitution rate stands out")
    };
    let _ = writeln!(out, "\n{by_unit}\n{}  {header}", pad(p.w(W::UnitName), 28));
    for unit in &compliance.units {
        let _ = writeln!(
            out,
            "{}  {}",
            pad(&unit_name_in(analysis.survey, &unit.unit, p.lang.tag()), 28),
            row(&unit.figures)
        );
    }
    let _ = writeln!(out, "\n{by_evaluator}\n{}  {}  {header}  {flag_h}", pad(evaluator_h, 16), pad(device_h, 16));
    for evaluator in &compliance.evaluators {
        let flag = if evaluator.flagged { stands_out } else { "" };
        let _ = writeln!(
            out,
            "{}  {}  {}  {flag}",
            pad(&evaluator.evaluator, 16),
            pad(&short_fingerprint(&evaluator.device), 16),
            row(&evaluator.figures)
        );
    }
    let spread = compliance.substitution;
    if let (Some(median), Some(mad), Some(threshold)) = (spread.median, spread.mad, spread.threshold) {
        let (median, threshold) = (fmt_rate(Some(median)), fmt_rate(Some(threshold)));
        let _ = if zh {
            writeln!(out, "抽中户数不少于 10 的评估员的替补率：中位数 {median}，MAD {mad:.4}，高于 {threshold} 者标记")
        } else {
            writeln!(
                out,
                "substitution rate of evaluators with at least 10 drawn households: median {median}, MAD {mad:.4}, flagged above {threshold}"
            )
        };
    }
    let counts = compliance.finding_counts();
    let listed: Vec<String> = Finding::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(finding, n)| format!("{} {n}", finding.code()))
        .collect();
    let findings: Vec<_> = compliance.findings().collect();
    let listed = if listed.is_empty() { String::new() } else { format!(" ({})", listed.join(", ")) };
    let _ = match (zh, analysis.include_noncompliant) {
        (true, true) => {
            writeln!(out, "\n有问题的答卷：{} 份{listed}；已计入（--include-noncompliant）", findings.len())
        }
        (true, false) => writeln!(out, "\n有问题的答卷：{} 份{listed}；不计入", findings.len()),
        (false, true) => {
            writeln!(out, "\nfindings: {} responses{listed}; counted (--include-noncompliant)", findings.len())
        }
        (false, false) => writeln!(out, "\nfindings: {} responses{listed}; not counted", findings.len()),
    };
    for check in findings {
        let codes: Vec<&str> = check.findings.iter().map(|f| f.code()).collect();
        let (unit, household) = (check.unit.as_deref().unwrap_or("-"), check.household.as_deref().unwrap_or("-"));
        let device = short_fingerprint(&check.device);
        let _ = if zh {
            writeln!(out, "  {}  单位 {unit}  住户 {household}  设备 {device}：{}", check.response, codes.join(", "))
        } else {
            writeln!(
                out,
                "  {}  unit {unit}  household {household}  device {device}: {}",
                check.response,
                codes.join(", ")
            )
        };
    }
    let off: Vec<_> = compliance.off_sample().collect();
    if !off.is_empty() {
        let _ = match (zh, analysis.include_off_sample) {
            (true, true) => writeln!(out, "样本外访问（允许）：{} 份；已计入（--include-off-sample）", off.len()),
            (true, false) => writeln!(out, "样本外访问（允许）：{} 份；不计入", off.len()),
            (false, true) => {
                writeln!(out, "off-sample interviews (allowed): {}; counted (--include-off-sample)", off.len())
            }
            (false, false) => writeln!(out, "off-sample interviews (allowed): {}; not counted", off.len()),
        };
    }
    if !compliance.contact_conflicts.is_empty() {
        let list = compliance.contact_conflicts.join(", ");
        let _ = if zh {
            writeln!(out, "有两个版本的接触记录（不计入）：{list}")
        } else {
            writeln!(out, "contact attempts with two versions (not counted): {list}")
        };
    }
}

/// The compliance tables (units, then evaluators) as cells, with their headers.
fn compliance_rows(compliance: &Compliance, p: &Presentation) -> [(Vec<String>, Vec<Vec<Cell>>); 3] {
    let figures = |f: &Figures| -> Vec<Cell> {
        let mut cells: Vec<Cell> = figure_counts(f).iter().map(|count| Cell::Number(*count as f64)).collect();
        cells.extend([f.response_rate, f.substitution_rate].map(|rate| rate.map_or(Cell::Empty, Cell::Ratio)));
        cells
    };
    let figure_headers = || FIGURE_COLUMNS.iter().map(|column| figure_column(p.lang, column).to_owned());
    let units_header: Vec<String> = [p.w(W::ComplianceUnit), p.w(W::Device), p.w(W::Evaluator)]
        .into_iter()
        .map(str::to_owned)
        .chain(figure_headers())
        .collect();
    let units = compliance
        .units
        .iter()
        .map(|unit| {
            let mut row = vec![Cell::text(&unit.unit), Cell::text(&unit.device), Cell::text(&unit.evaluator)];
            row.extend(figures(&unit.figures));
            row
        })
        .collect();
    let evaluators_header: Vec<String> = [p.w(W::ComplianceEvaluator), p.w(W::Device), p.w(W::Units)]
        .into_iter()
        .map(str::to_owned)
        .chain(figure_headers())
        .chain([p.w(W::Flagged).to_owned()])
        .collect();
    let evaluators = compliance
        .evaluators
        .iter()
        .map(|evaluator| {
            let mut row = vec![
                Cell::text(&evaluator.evaluator),
                Cell::text(&evaluator.device),
                Cell::Number(evaluator.units as f64),
            ];
            row.extend(figures(&evaluator.figures));
            row.push(Cell::Bool(evaluator.flagged));
            row
        })
        .collect();
    let findings_header: Vec<String> = [W::FindingResponse, W::Device, W::Unit, W::Household, W::Position, W::Findings]
        .iter()
        .map(|word| p.w(*word).to_owned())
        .collect();
    let findings = compliance
        .findings()
        .map(|check| {
            let codes: Vec<&str> = check.findings.iter().map(|f| f.code()).collect();
            vec![
                Cell::text(&check.response),
                Cell::text(&check.device),
                check.unit.as_deref().map_or(Cell::Empty, Cell::text),
                check.household.as_deref().map_or(Cell::Empty, Cell::text),
                check.position.map_or(Cell::Empty, |position| Cell::Number(position as f64)),
                Cell::Text(codes.join(" ")),
            ]
        })
        .collect();
    [(units_header, units), (evaluators_header, evaluators), (findings_header, findings)]
}

/// The compliance blocks appended to the aggregate CSV (each after one empty line): units,
/// then evaluators, then the findings, each with its own header row.
fn compliance_csv(out: &mut String, compliance: &Compliance, p: &Presentation) {
    for (header, rows) in compliance_rows(compliance, p) {
        out.push('\n');
        out.push_str(&p.csv_row(&header.into_iter().map(Cell::Text).collect::<Vec<_>>()));
        for row in &rows {
            out.push_str(&p.csv_row(row));
        }
    }
}

/// The XLSX workbook, in the presentation's language: units (the whole evaluation first, every
/// group with its reason, dimension scores), indicators and items of the whole evaluation,
/// with a round the compliance and findings, and, only with `raw`, the responses. Cells are
/// typed: numbers as numbers, times and date answers as dates, text as string cells (never a
/// formula).
pub fn xlsx(
    analysis: &Analysis<'_>,
    raw: bool,
    final_result: Option<&FinalReport>,
    p: &Presentation,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook, Worksheet, XlsxError};
    let survey = analysis.survey;
    let report = analysis.report();
    let mut workbook = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let number = CellFormat::new().set_num_format("0.00");
    let time = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let percent = CellFormat::new().set_num_format("0.0%");
    let write = |sheet: &mut Worksheet, row: u32, col: u16, cell: &Cell| -> Result<(), XlsxError> {
        match cell {
            Cell::Empty => {}
            Cell::Text(text) => {
                sheet.write_string(row, col, text)?;
            }
            Cell::Score(value) => {
                sheet.write_number_with_format(row, col, *value, &number)?;
            }
            Cell::Number(value) => {
                sheet.write_number(row, col, *value)?;
            }
            Cell::Ratio(value) => {
                sheet.write_number_with_format(row, col, *value, &percent)?;
            }
            Cell::Bool(value) => {
                sheet.write_boolean(row, col, *value)?;
            }
            Cell::Time(ms) => {
                sheet.write_number_with_format(row, col, p.offset.serial(*ms), &time)?;
            }
            Cell::Date(text) => match date_serial(text) {
                Some(serial) => {
                    sheet.write_number_with_format(row, col, serial, &date)?;
                }
                None => {
                    sheet.write_string(row, col, text)?;
                }
            },
        }
        Ok(())
    };
    let table = |sheet: &mut Worksheet, header: &[String], rows: &[Vec<Cell>]| -> Result<(), XlsxError> {
        for (col, title) in header.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, title, &bold)?;
        }
        for (idx, cells) in rows.iter().enumerate() {
            for (col, cell) in cells.iter().enumerate() {
                write(sheet, idx as u32 + 1, col as u16, cell)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(())
    };
    let header = |words: &[W]| -> Vec<String> { words.iter().map(|word| p.w(*word).to_owned()).collect() };

    let (units_header, units) = units_table(analysis, p);
    table(workbook.add_worksheet().set_name(p.w(W::SheetUnits))?, &units_header, &units)?;

    let shown = overall_shown(report);
    let indicators: Vec<Vec<Cell>> = report
        .overall
        .indicators
        .iter()
        .filter(|_| shown)
        .map(|indicator| {
            vec![
                Cell::text(&indicator.id),
                Cell::Text(indicator_name(survey, &indicator.id, p.lang)),
                indicator
                    .parent
                    .as_deref()
                    .map_or(Cell::Empty, |parent| Cell::Text(indicator_name(survey, parent, p.lang))),
                Cell::Number(indicator.weight),
                indicator.score.map_or(Cell::Empty, Cell::Score),
                indicator.rate.map_or(Cell::Empty, Cell::Score),
            ]
        })
        .collect();
    let indicators_header = header(&[W::Indicator, W::IndicatorName, W::Parent, W::Weight, W::Score, W::Rate]);
    table(workbook.add_worksheet().set_name(p.w(W::SheetIndicators))?, &indicators_header, &indicators)?;

    let items: Vec<Vec<Cell>> = report
        .overall
        .items
        .iter()
        .filter(|_| shown)
        .map(|item| {
            vec![
                Cell::text(&item.item),
                Cell::Text(item_name(survey, &item.item, p.lang)),
                item.indicator.as_deref().map_or(Cell::Empty, |id| Cell::Text(indicator_name(survey, id, p.lang))),
                Cell::Number(item.n as f64),
                Cell::Number(item.n_unscored as f64),
                item.mean.map_or(Cell::Empty, Cell::Score),
                item.rate.map_or(Cell::Empty, Cell::Score),
            ]
        })
        .collect();
    let items_header = header(&[W::Item, W::ItemName, W::Indicator, W::ScoredAnswers, W::DontKnow, W::Mean, W::Rate]);
    table(workbook.add_worksheet().set_name(p.w(W::SheetItems))?, &items_header, &items)?;

    if let Some(result) = final_result {
        let (header, rows) = final_table(survey, result, p);
        table(workbook.add_worksheet().set_name(p.w(W::SheetFinal))?, &header, &rows)?;
        let (header, rows) = deductions_table(survey, result, p);
        table(workbook.add_worksheet().set_name(p.w(W::SheetDeductions))?, &header, &rows)?;
    }

    if let Some(compliance) = &analysis.compliance {
        let [(units_header, units), (evaluators_header, evaluators), (findings_header, findings)] =
            compliance_rows(compliance, p);
        let sheet = workbook.add_worksheet().set_name(p.w(W::SheetCompliance))?;
        table(sheet, &units_header, &units)?;
        // The evaluators follow the units after an empty row, under their own header.
        let start = units.len() as u32 + 2;
        for (col, title) in evaluators_header.iter().enumerate() {
            sheet.write_string_with_format(start, col as u16, title, &bold)?;
        }
        for (idx, cells) in evaluators.iter().enumerate() {
            for (col, cell) in cells.iter().enumerate() {
                write(sheet, start + 1 + idx as u32, col as u16, cell)?;
            }
        }
        table(workbook.add_worksheet().set_name(p.w(W::SheetFindings))?, &findings_header, &findings)?;
    }

    if raw {
        let (header, rows) = raw_table(analysis, &analysis.counted_responses(), p);
        table(workbook.add_worksheet().set_name(p.w(W::SheetResponses))?, &header, &rows)?;
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use survey_core::{load_survey, Answer};

    /// One question of each coded kind and the typed ones, in two languages.
    const SURVEY: &str = r#"{
      "format": "survey/1", "id": "t", "version": "1",
      "title": {"zh-CN": "测评", "en": "T"}, "languages": ["zh-CN", "en"],
      "indicators": [{"id": "d", "title": {"zh-CN": "服务", "en": "Services"}, "weight": 1}],
      "sections": [{"id": "s", "title": {"zh-CN": "S", "en": "S"}, "questions": [
        {"id": "q", "kind": "scale", "title": {"zh-CN": "满意吗", "en": "Satisfied?"}, "indicator": "d",
         "points": [{"value": 1, "label": {"zh-CN": "不满意", "en": "No"}},
                    {"value": 2, "label": {"zh-CN": "满意", "en": "Yes"}}],
         "unscored": [{"value": 9, "label": {"zh-CN": "不知道", "en": "Don't know"}}]},
        {"id": "m", "kind": "matrix", "title": {"zh-CN": "各项", "en": "Items"},
         "points": [{"value": 1, "label": {"zh-CN": "差", "en": "Bad"}},
                    {"value": 2, "label": {"zh-CN": "好", "en": "Good"}}],
         "unscored": [{"value": 9, "label": {"zh-CN": "不知道", "en": "Don't know"}}],
         "rows": [{"id": "r1", "label": {"zh-CN": "道路", "en": "Roads"}, "indicator": "d"},
                  {"id": "r2", "label": {"zh-CN": "路灯", "en": "Lights"}, "indicator": "d"}]},
        {"id": "c", "kind": "multiple", "title": {"zh-CN": "哪些", "en": "Which"},
         "choices": [{"value": "a", "label": {"zh-CN": "甲", "en": "A"}},
                     {"value": "b", "label": {"zh-CN": "乙", "en": "B"}}]},
        {"id": "y", "kind": "yes_no", "title": {"zh-CN": "是否", "en": "Whether"}},
        {"id": "x", "kind": "decimal", "title": {"zh-CN": "面积", "en": "Area"}},
        {"id": "t", "kind": "date", "title": {"zh-CN": "日期", "en": "Date"}},
        {"id": "n", "kind": "note", "title": {"zh-CN": "说明", "en": "Note"}}
      ]}]
    }"#;

    fn survey() -> Survey {
        let loaded = load_survey(SURVEY);
        loaded.survey.unwrap_or_else(|| panic!("{:?}", loaded.diagnostics))
    }

    fn response() -> ExportedResponse {
        let answer = |value| Answer { value, at: 0, changes: 0 };
        let mut response = survey_core::test_support::response(None, None, None, &[]);
        response.answers.insert("q".into(), answer(AnswerValue::Number(9)));
        response.answers.insert("m".into(), answer(AnswerValue::Rows([("r1".to_owned(), 2)].into_iter().collect())));
        response.answers.insert("c".into(), answer(AnswerValue::List(vec!["a".into(), "b".into()])));
        response.answers.insert("y".into(), answer(AnswerValue::Bool(true)));
        response.answers.insert("x".into(), answer(AnswerValue::Decimal(-12.625)));
        response.answers.insert("t".into(), answer(AnswerValue::Text("2026-05-01".into())));
        response
    }

    #[test]
    fn raw_columns_put_a_label_beside_every_coded_answer_and_type_the_rest() {
        let survey = survey();
        let zh = Presentation::default();
        let columns = raw_columns(&survey, &zh);
        let headers: Vec<&str> = columns.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(
            headers,
            [
                "满意吗",
                "满意吗（选项文字）",
                "各项 / 道路",
                "各项 / 道路（选项文字）",
                "各项 / 路灯",
                "各项 / 路灯（选项文字）",
                "哪些",
                "哪些（选项文字）",
                "是否",
                "是否（选项文字）",
                "面积",
                "日期"
            ]
        );
        let response = response();
        let cells: Vec<Cell> = columns.iter().map(|(_, column)| raw_cell(&survey, &response, *column, &zh)).collect();
        assert_eq!(
            cells,
            [
                Cell::text("9（不计分）"),
                Cell::text("不知道"),
                Cell::Number(2.0),
                Cell::text("好"),
                Cell::Empty,
                Cell::Empty,
                Cell::text("a;b"),
                Cell::text("甲；乙"),
                Cell::Bool(true),
                Cell::text("是"),
                Cell::Number(-12.625),
                Cell::Date("2026-05-01".into())
            ]
        );
        let en = Presentation { lang: MessageLang::En, ..zh };
        let columns = raw_columns(&survey, &en);
        assert_eq!(columns[1].0, "Satisfied? (label)");
        let english: Vec<Cell> = columns.iter().map(|(_, column)| raw_cell(&survey, &response, *column, &en)).collect();
        assert_eq!(english[0], Cell::text("9 (unscored)"));
        assert_eq!(english[7], Cell::text("A; B"));
        assert_eq!(en.csv(&english[8]), "true");
        assert_eq!(zh.csv(&cells[8]), "是");
    }

    #[test]
    fn names_come_in_the_presentation_language() {
        let survey = survey();
        assert_eq!(indicator_name(&survey, "d", MessageLang::ZhCn), "服务");
        assert_eq!(indicator_name(&survey, "d", MessageLang::En), "Services");
        assert_eq!(indicator_name(&survey, "gone", MessageLang::En), "gone");
        assert_eq!(item_name(&survey, "m.r2", MessageLang::En), "Items / Lights");
        assert_eq!(item_name(&survey, "q", MessageLang::ZhCn), "满意吗");
        assert_eq!(item_name(&survey, "zz", MessageLang::ZhCn), "zz");
    }

    #[test]
    fn the_import_summary_names_each_outcome_and_is_silent_when_complete() {
        let complete = FileCounts { imported: 3, ..FileCounts::default() };
        assert_eq!(import_summary(&complete, MessageLang::En), None);
        let partial = FileCounts { imported: 5, refused: 1, quarantined: 1, unreadable: 0 };
        assert_eq!(
            import_summary(&partial, MessageLang::En).as_deref(),
            Some("5 of 7 files imported; not counted: 1 refused, 1 quarantined. The results cover only the imported files.")
        );
        assert_eq!(
            import_summary(&partial, MessageLang::ZhCn).as_deref(),
            Some("7 个文件中导入 5 个；未计入：拒收 1 个，隔离 1 个。结果只包含已导入的文件。")
        );
    }
}
