//! SVG charts of scoring results, rendered as strings: a ranking of units ([`ranking_bars`]), a
//! heat map of dimension scores per unit ([`heat_map`]) and the answer distribution of one item
//! ([`distributions`], [`distribution_bar`]).
//!
//! Why strings, and why here: the department page of the web app inlines them, and the print
//! report page has the browser print them to PDF. Building them in the pure core keeps one
//! implementation for both, makes them testable without a browser, and keeps the wasm free of a
//! charting library. So every chart is:
//!
//! - **self-contained**: an `<svg>` with `xmlns`, a `viewBox` and `width="100%"` (it scales with
//!   its container), `role="img"` with a `<title>` and a `<desc>` that spells out the data for
//!   screen readers; `font-family="sans-serif"` and every colour inline, no CSS, no fonts, no
//!   external references;
//! - **readable in black and white**: every number is printed as text next to its bar or in its
//!   cell, so nothing depends on telling colours apart; the colour scales are sequential blues,
//!   which colour-blind readers and greyscale printers both keep in order;
//! - **safe**: every text from a survey (unit names, indicator titles, point labels) is
//!   XML-escaped, and characters XML forbids are dropped;
//! - **deterministic**: the same input gives the same string, byte for byte. Element ids (which
//!   must be unique on a page holding several charts) are derived from a hash of the chart
//!   itself, not from a counter or a random source.
//!
//! Values are printed with one decimal (`85.3`), counts as integers. Text widths are estimated
//! (a CJK character is one em wide, anything else at most 0.6 em), since a pure function cannot
//! measure fonts; long labels are cut with "…" and carry their full text in a `<title>` tooltip.
//! The few fixed words come in English and Simplified Chinese (`lang` "en" or "zh-CN"; anything
//! else is English); names and titles come from the survey in `lang`, falling back as
//! [`Text::get`](survey_core::Text::get) does, and to the id for a unit the survey does not declare.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use survey_core::analysis::score::{Report, UnitScores, MIN_UNIT_RESPONSES};
use survey_core::bundle::ExportedResponse;
use survey_core::definition::Survey;
use survey_core::response::AnswerValue;
use survey_core::MessageLang;

/// Appends formatted text to a `String` (writing to a `String` cannot fail).
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// Stands for the chart's element-id prefix while the chart is built; replaced once the hash of
/// the finished chart is known. A control character, so no escaped text can contain it.
const ID: &str = "\u{1}";

/// Font size of ordinary text, in SVG user units.
const FONT: f64 = 12.0;
/// Text colour for secondary text (ticks, notes).
const GREY_TEXT: &str = "#555555";

// Ranking bars: rank column (right-aligned), unit label, then the 0–100 axis.
const RANK_RIGHT: f64 = 28.0;
const LABEL_X: f64 = 36.0;
const LABEL_W: f64 = 164.0;
const BAR_X: f64 = 210.0;
/// Length of the 0–100 axis of [`ranking_bars`]: an index of 50 draws a bar half this long.
const AXIS_W: f64 = 360.0;
const RANKING_W: f64 = 620.0;
const ROW_H: f64 = 24.0;
const BAR_H: f64 = 14.0;
const TABLE_TOP: f64 = 28.0;
const BAR_FILL: &str = "#2171b5";

// Heat map.
const GRID_X: f64 = 196.0;
const CELL_W: f64 = 88.0;
const CELL_H: f64 = 26.0;
const HEAD_FONT: f64 = 11.0;
const HEAD_LINE: f64 = 13.0;
const HEAD_MAX_LINES: usize = 3;
const NOTE_W: f64 = 150.0;

// Distribution bar.
const DIST_W: f64 = 620.0;
const DIST_BAR_Y: f64 = 30.0;
const DIST_BAR_H: f64 = 26.0;
const LEGEND_LINE: f64 = 18.0;

/// The fixed words of the charts in one language.
struct Words {
    zh: bool,
    no_data: &'static str,
    /// A unit withheld for having fewer than [`MIN_UNIT_RESPONSES`] responses.
    suppressed: String,
    /// A unit withheld although it has enough responses (to protect the small ones, which could
    /// otherwise be recovered by subtraction).
    suppressed_other: &'static str,
    /// Either, in the heat map's legend.
    suppressed_short: &'static str,
    ranking_title: &'static str,
    heat_title: &'static str,
    distribution_title: &'static str,
    index_axis: &'static str,
    score_legend: &'static str,
    rank: &'static str,
    unit: &'static str,
    not_scored: &'static str,
    answers: &'static str,
    final_title: &'static str,
    final_axis: &'static str,
    missing_stage: &'static str,
}

impl Words {
    fn new(lang: &str) -> Words {
        if matches!(lang.parse::<MessageLang>(), Ok(MessageLang::ZhCn)) {
            Words {
                zh: true,
                no_data: "无数据",
                suppressed: format!("已隐藏（样本少于 {MIN_UNIT_RESPONSES}）"),
                suppressed_other: "已隐藏（匿名保护）",
                suppressed_short: "已隐藏",
                ranking_title: "各单位满意度指数排名",
                heat_title: "各单位分维度得分",
                distribution_title: "答案分布",
                index_axis: "满意度指数（0–100）",
                score_legend: "得分（0–100）",
                rank: "排名",
                unit: "单位",
                not_scored: "不计分（如“不了解”）",
                answers: "有效回答",
                final_title: "各单位最终得分排名",
                final_axis: "最终得分（0–100）",
                missing_stage: "缺少某一阶段的得分",
            }
        } else {
            Words {
                zh: false,
                no_data: "no data",
                suppressed: format!("suppressed (n < {MIN_UNIT_RESPONSES})"),
                suppressed_other: "suppressed (anonymity)",
                suppressed_short: "suppressed",
                ranking_title: "Ranking of units by satisfaction index",
                heat_title: "Scores by dimension and unit",
                distribution_title: "Distribution of answers",
                index_axis: "Satisfaction index (0–100)",
                score_legend: "Score (0–100)",
                rank: "Rank",
                unit: "Unit",
                not_scored: "not scored (e.g. don't know)",
                answers: "scored answers",
                final_title: "Final ranking of units",
                final_axis: "Final score (0–100)",
                missing_stage: "a stage has no score",
            }
        }
    }

    /// Why a suppressed unit shows no numbers, judged from its response count (not from the
    /// reason code, so that new kinds of suppression read right too): too few responses, or
    /// withheld for the anonymity of others. An unknown count reads as "too few".
    fn suppressed_note(&self, unit: Option<&UnitScores>) -> &str {
        match unit {
            Some(unit) if unit.n_responses >= MIN_UNIT_RESPONSES => self.suppressed_other,
            _ => &self.suppressed,
        }
    }

    /// `a: b` with the colon of the language.
    fn labelled(&self, label: &str, value: &str) -> String {
        if self.zh {
            format!("{label}：{value}")
        } else {
            format!("{label}: {value}")
        }
    }

    /// Separator between the entries of a `<desc>`.
    fn separator(&self) -> &'static str {
        if self.zh {
            "；"
        } else {
            "; "
        }
    }
}

/// One row of a ranking chart.
struct BarRow<'a> {
    rank: Option<usize>,
    name: &'a str,
    /// The bar's value, 0–100; none: no bar, `note` instead.
    value: Option<f64>,
    /// Printed after the value (a grade), or instead of the bar.
    note: String,
}

/// Horizontal bars on a fixed 0–100 axis: rank, name, a bar with its value (and note) printed
/// at its end; rows without a value print their note and no bar.
fn bars(kind: &str, title: &str, axis: &str, rows: &[BarRow<'_>], words: &Words) -> String {
    if rows.is_empty() {
        return no_data_chart(kind, title, words);
    }
    let bottom = TABLE_TOP + rows.len() as f64 * ROW_H;
    let height = bottom + 44.0;
    let mut body = String::new();
    let mut desc = Vec::new();

    put!(body, r#"<g font-weight="bold">"#);
    put!(body, r#"<text x="{}" y="18" text-anchor="end">{}</text>"#, c(RANK_RIGHT), esc(words.rank));
    put!(body, r#"<text x="{}" y="18">{}</text>"#, c(LABEL_X), esc(words.unit));
    put!(body, "</g>");

    // Grid and axis, under the bars.
    put!(body, r##"<g stroke="#cccccc" stroke-width="1">"##);
    for tick in (0..=100).step_by(20) {
        let x = c(BAR_X + f64::from(tick) / 100.0 * AXIS_W);
        put!(body, r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#, c(TABLE_TOP), c(bottom));
    }
    put!(body, "</g>");
    put!(body, r#"<g text-anchor="middle" font-size="11" fill="{GREY_TEXT}">"#);
    for tick in (0..=100).step_by(20) {
        let x = c(BAR_X + f64::from(tick) / 100.0 * AXIS_W);
        put!(body, r#"<text x="{x}" y="{}">{tick}</text>"#, c(bottom + 14.0));
    }
    put!(body, "</g>");
    put!(
        body,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        c(BAR_X + AXIS_W / 2.0),
        c(bottom + 34.0),
        esc(axis)
    );

    for (idx, row) in rows.iter().enumerate() {
        let y = TABLE_TOP + idx as f64 * ROW_H;
        let baseline = c(y + ROW_H / 2.0 + 4.0);
        let rank = row.rank.map_or_else(|| "—".to_owned(), |r| r.to_string());
        put!(body, r#"<text x="{}" y="{baseline}" text-anchor="end">{}</text>"#, c(RANK_RIGHT), esc(&rank));
        label(&mut body, &format!(r#"x="{}" y="{baseline}""#, c(LABEL_X)), row.name, LABEL_W, FONT);
        match row.value {
            Some(value) => {
                let width = value.clamp(0.0, 100.0) / 100.0 * AXIS_W;
                put!(
                    body,
                    r#"<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{BAR_FILL}"/>"#,
                    c(BAR_X),
                    c(y + (ROW_H - BAR_H) / 2.0),
                    c(width),
                    c(BAR_H)
                );
                let shown = if row.note.is_empty() { num(value) } else { format!("{} · {}", num(value), row.note) };
                put!(body, r#"<text x="{}" y="{baseline}">{}</text>"#, c(BAR_X + width + 6.0), esc(&shown));
                desc.push(format!("{rank}. {}", words.labelled(row.name, &shown)));
            }
            None => {
                put!(
                    body,
                    r#"<text x="{}" y="{baseline}" fill="{GREY_TEXT}" font-style="italic">{}</text>"#,
                    c(BAR_X + 6.0),
                    esc(&row.note)
                );
                desc.push(words.labelled(row.name, &row.note));
            }
        }
    }
    finish(kind, RANKING_W, height, title, &desc.join(words.separator()), &body)
}

/// Horizontal bar chart of `report.ranking`: one row per ranked unit (rank, name, a bar on a
/// fixed 0–100 axis, the index printed at its end), then the unranked units with the words for
/// "suppressed" or "no data" and no bar. No ranking at all gives a small chart saying "no data".
pub fn ranking_bars(survey: &Survey, report: &Report, lang: &str) -> String {
    let words = Words::new(lang);
    let units = units_by_id(report);
    let rows: Vec<BarRow<'_>> = report
        .ranking
        .iter()
        .map(|entry| {
            let value = entry.index.filter(|_| entry.rank.is_some() && !entry.suppressed);
            let note = match value {
                Some(_) => String::new(),
                None if entry.suppressed => words.suppressed_note(units.get(entry.unit.as_str()).copied()).to_owned(),
                None => words.no_data.to_owned(),
            };
            BarRow { rank: entry.rank, name: unit_name(survey, &entry.unit, lang), value, note }
        })
        .collect();
    bars("ranking", words.ranking_title, words.index_axis, &rows, &words)
}

/// Bar chart of the final ranking (`crate::stages`): the final score of each ranked unit with
/// its grade, then the units without a final score and why.
pub fn final_bars(survey: &Survey, result: &crate::stages::FinalReport, lang: &str) -> String {
    use crate::stages::NoScore;
    let words = Words::new(lang);
    let grade_title = |id: &str| -> String {
        let levels = result.stages.grades.as_ref().map(|g| g.levels.as_slice()).unwrap_or_default();
        let title = levels.iter().find(|l| l.id == id).map(|l| l.title.get(lang, &survey.languages)).unwrap_or("");
        if title.is_empty() { id } else { title }.to_owned()
    };
    let rows: Vec<BarRow<'_>> = result
        .units
        .iter()
        .map(|unit| {
            let note = match (unit.score, unit.reason) {
                (Some(_), _) => unit.grade.as_deref().map(grade_title).unwrap_or_default(),
                (None, Some(NoScore::Suppressed)) => words.suppressed_other.to_owned(),
                (None, _) => words.missing_stage.to_owned(),
            };
            BarRow { rank: unit.rank, name: unit_name(survey, &unit.unit, lang), value: unit.score, note }
        })
        .collect();
    bars("final", words.final_title, words.final_axis, &rows, &words)
}

/// What a heat map row shows.
enum RowState<'a> {
    /// The unit's top-level dimension scores, one per column.
    Scores(Vec<Option<f64>>),
    /// With the words saying why.
    Suppressed(&'a str),
    NoData,
}

/// Heat map of the top-level dimensions (columns, `survey.indicators`) per unit (rows, in
/// ranking order). Each cell is shaded on a sequential blue scale over 0–100 and prints its
/// score; a suppressed unit's row is hatched grey with "—" in every cell and the word for
/// "suppressed" once, beside the row. No units or no dimensions give a "no data" chart.
pub fn heat_map(survey: &Survey, report: &Report, lang: &str) -> String {
    let words = Words::new(lang);
    let dims = &survey.indicators;
    if report.ranking.is_empty() || dims.is_empty() {
        return no_data_chart("heatmap", words.heat_title, &words);
    }
    let units = units_by_id(report);
    let rows: Vec<(String, &str, RowState<'_>)> = report
        .ranking
        .iter()
        .map(|entry| {
            let rank = entry.rank.map_or_else(|| "—".to_owned(), |r| r.to_string());
            let name = unit_name(survey, &entry.unit, lang);
            let unit = units.get(entry.unit.as_str());
            let state = if entry.suppressed || unit.is_some_and(|u| u.suppressed) {
                RowState::Suppressed(words.suppressed_note(unit.copied()))
            } else {
                match unit.and_then(|u| u.scores.as_ref()) {
                    Some(scores) if scores.index.is_some() => {
                        RowState::Scores(dims.iter().map(|d| scores.dimension_score(&d.id)).collect())
                    }
                    _ => RowState::NoData,
                }
            };
            (rank, name, state)
        })
        .collect();
    let any_suppressed = rows.iter().any(|(_, _, s)| matches!(s, RowState::Suppressed(_)));
    let has_notes = rows.iter().any(|(_, _, s)| !matches!(s, RowState::Scores(_)));

    let titles: Vec<&str> = dims.iter().map(|d| d.title.get(lang, &survey.languages)).collect();
    let headers: Vec<Vec<String>> = titles.iter().map(|t| wrap(t, CELL_W - 8.0, HEAD_FONT, HEAD_MAX_LINES)).collect();
    let head_lines = headers.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let top = 10.0 + head_lines as f64 * HEAD_LINE + 6.0;
    let bottom = top + rows.len() as f64 * CELL_H;
    let grid_right = GRID_X + dims.len() as f64 * CELL_W;
    let width = (grid_right + if has_notes { 8.0 + NOTE_W } else { 8.0 }).max(GRID_X + 5.0 * 56.0 + 200.0);
    let height = bottom + 40.0;

    let mut body = String::new();
    if any_suppressed {
        put!(
            body,
            r##"<defs><pattern id="{ID}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eeeeee"/><line x1="0" y1="0" x2="0" y2="6" stroke="#aaaaaa" stroke-width="2"/></pattern></defs>"##
        );
    }

    // Column headings: the rank and unit columns, then each dimension's title, wrapped and
    // bottom-aligned above its column, with the full title as a tooltip.
    let head_base = c(top - 8.0);
    put!(body, r#"<g font-weight="bold">"#);
    put!(body, r#"<text x="{}" y="{head_base}" text-anchor="end">{}</text>"#, c(RANK_RIGHT), esc(words.rank));
    put!(body, r#"<text x="{}" y="{head_base}">{}</text>"#, c(LABEL_X), esc(words.unit));
    put!(body, "</g>");
    put!(body, r#"<g font-size="{}" font-weight="bold" text-anchor="middle">"#, c(HEAD_FONT));
    for (col, (title, lines)) in titles.iter().zip(&headers).enumerate() {
        let x = c(GRID_X + (col as f64 + 0.5) * CELL_W);
        let first = top - 8.0 - (lines.len() as f64 - 1.0) * HEAD_LINE;
        put!(body, r#"<g class="column"><title>{}</title><text>"#, esc(title));
        for (i, line) in lines.iter().enumerate() {
            put!(body, r#"<tspan x="{x}" y="{}">{}</tspan>"#, c(first + i as f64 * HEAD_LINE), esc(line));
        }
        put!(body, "</text></g>");
    }
    put!(body, "</g>");

    let mut desc = Vec::new();
    for (row, (rank, name, state)) in rows.iter().enumerate() {
        let y = top + row as f64 * CELL_H;
        let baseline = c(y + CELL_H / 2.0 + 4.0);
        put!(body, r#"<text x="{}" y="{baseline}" text-anchor="end">{}</text>"#, c(RANK_RIGHT), esc(rank));
        label(&mut body, &format!(r#"x="{}" y="{baseline}""#, c(LABEL_X)), name, GRID_X - LABEL_X - 8.0, FONT);
        let mut cells = Vec::new();
        for col in 0..dims.len() {
            let x = GRID_X + col as f64 * CELL_W;
            let score = match state {
                RowState::Scores(scores) => scores[col],
                RowState::Suppressed(_) | RowState::NoData => None,
            };
            let (fill, ink) = match (state, score) {
                (RowState::Suppressed(_), _) => (format!("url(#{ID}-hatch)"), "#000000"),
                (_, None) => ("#f0f0f0".to_owned(), "#000000"),
                (_, Some(score)) => {
                    let colour = blue(score / 100.0);
                    (hex(colour), ink_on(colour))
                }
            };
            let class = if score.is_some() { "cell" } else { "cell empty" };
            put!(
                body,
                r##"<rect class="{class}" x="{}" y="{}" width="{}" height="{}" fill="{fill}" stroke="#ffffff" stroke-width="1"/>"##,
                c(x),
                c(y),
                c(CELL_W),
                c(CELL_H)
            );
            let value = score.map_or_else(|| "—".to_owned(), num);
            put!(
                body,
                r#"<text x="{}" y="{baseline}" text-anchor="middle" fill="{ink}">{value}</text>"#,
                c(x + CELL_W / 2.0)
            );
            cells.push(words.labelled(titles[col], &value));
        }
        let note = match state {
            RowState::Scores(_) => None,
            RowState::Suppressed(note) => Some(*note),
            RowState::NoData => Some(words.no_data),
        };
        match note {
            Some(note) => {
                put!(
                    body,
                    r#"<text x="{}" y="{baseline}" fill="{GREY_TEXT}" font-style="italic">{}</text>"#,
                    c(grid_right + 8.0),
                    esc(note)
                );
                desc.push(words.labelled(name, note));
            }
            None => desc.push(words.labelled(name, &cells.join(", "))),
        }
    }

    // Legend: the colour of 0, 25, 50, 75 and 100, and the hatching when it is used.
    let legend_y = bottom + 14.0;
    let legend_base = c(legend_y + 10.0);
    put!(body, r#"<text x="{}" y="{legend_base}">{}</text>"#, c(LABEL_X), esc(words.score_legend));
    for (i, value) in [0.0, 25.0, 50.0, 75.0, 100.0].into_iter().enumerate() {
        let x = GRID_X + i as f64 * 56.0;
        put!(
            body,
            r##"<rect x="{}" y="{}" width="22" height="12" fill="{}" stroke="#999999" stroke-width="0.5"/>"##,
            c(x),
            c(legend_y),
            hex(blue(value / 100.0))
        );
        put!(body, r#"<text x="{}" y="{legend_base}" font-size="11">{value}</text>"#, c(x + 26.0));
    }
    if any_suppressed {
        let x = GRID_X + 5.0 * 56.0;
        put!(
            body,
            r##"<rect x="{}" y="{}" width="22" height="12" fill="url(#{ID}-hatch)" stroke="#999999" stroke-width="0.5"/>"##,
            c(x),
            c(legend_y)
        );
        put!(
            body,
            r#"<text x="{}" y="{legend_base}" font-size="11">{}</text>"#,
            c(x + 26.0),
            esc(words.suppressed_short)
        );
    }
    finish("heatmap", width, height, words.heat_title, &desc.join(words.separator()), &body)
}

/// How the answers to one item fell on its scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    /// `QID` or `QID.ROW`.
    pub item: String,
    /// The question title, and for a matrix row the row label after it, in the chart language.
    pub title: String,
    /// Each point of the scale in the order the survey lists them: its label, its value and how
    /// many answers chose it. Values are the answers as given, before any reversal.
    pub counts: Vec<(String, i64, usize)>,
    /// Answers given but not scored ("don't know").
    pub unscored: usize,
    /// Scored answers: the sum of `counts`.
    pub n: usize,
}

/// The distribution of the answers to every item of the survey (`survey.items()`: each scale
/// question and each matrix row, in page order), read as scoring reads them: a number under the
/// question id, or the row's entry in a matrix answer. Missing answers, and values that are
/// neither a point nor unscored, are not counted; reverse items count the original answers.
///
/// Pass the responses of a group whose results may be published (all responses, or a unit the
/// report does not suppress): [`distribution_bar`] withholds only distributions of fewer than
/// [`MIN_UNIT_RESPONSES`] answers and knows nothing of the report's other suppressions.
pub fn distributions<R: std::borrow::Borrow<ExportedResponse>>(
    survey: &Survey,
    responses: &[R],
    lang: &str,
) -> Vec<Distribution> {
    let words = Words::new(lang);
    survey
        .items()
        .into_iter()
        .map(|item| {
            let question = item.question;
            let mut counts: Vec<(String, i64, usize)> = question
                .points
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(|p| (p.label.get(lang, &survey.languages).to_owned(), p.value, 0))
                .collect();
            let mut unscored = 0;
            for response in responses {
                let response = response.borrow();
                let value = match (item.row, response.answers.get(&question.id).map(|a| &a.value)) {
                    (None, Some(AnswerValue::Number(point))) => *point,
                    (Some(row), Some(AnswerValue::Rows(rows))) => match rows.get(&row.id) {
                        Some(point) => *point,
                        None => continue,
                    },
                    _ => continue,
                };
                if question.is_unscored_value(value) {
                    unscored += 1;
                } else if let Some(slot) = counts.iter_mut().find(|(_, point, _)| *point == value) {
                    slot.2 += 1;
                }
            }
            let question_title = question.title.get(lang, &survey.languages);
            let title = match item.row {
                Some(row) => words.labelled(question_title, row.label.get(lang, &survey.languages)),
                None => question_title.to_owned(),
            };
            let n = counts.iter().map(|(_, _, count)| count).sum();
            Distribution { item: item.key(), title, counts, unscored, n }
        })
        .collect()
}

/// One item's distribution as a 100% stacked horizontal bar (scored answers only, segments in
/// scale order, shaded light to dark), with the item title above and a legend of every point
/// with its count and percentage below, then the number of unscored answers. With fewer than
/// [`MIN_UNIT_RESPONSES`] answers in all, only the words for "suppressed" are shown.
pub fn distribution_bar(d: &Distribution, lang: &str) -> String {
    let words = Words::new(lang);
    let title = words.labelled(words.distribution_title, &d.title);
    let total = d.n + d.unscored;
    let mut body = String::new();
    label(&mut body, r#"x="0" y="16" font-size="13" font-weight="bold""#, &d.title, DIST_W, 13.0);

    if total < MIN_UNIT_RESPONSES {
        let note = if total == 0 { words.no_data } else { words.suppressed.as_str() };
        put!(
            body,
            r#"<text x="0" y="{}" fill="{GREY_TEXT}" font-style="italic">{}</text>"#,
            c(DIST_BAR_Y + 16.0),
            esc(note)
        );
        let desc = words.labelled(&d.title, note);
        return finish("distribution", DIST_W, DIST_BAR_Y + 28.0, &title, &desc, &body);
    }

    let k = d.counts.len();
    let colour_of = |i: usize| blue(if k > 1 { 0.15 + 0.8 * i as f64 / (k - 1) as f64 } else { 0.6 });
    let percent = |count: usize| (d.n > 0).then(|| count as f64 / d.n as f64 * 100.0);
    let shown = |count: usize| percent(count).map_or_else(|| "—".to_owned(), |p| format!("{}%", num(p)));

    if d.n == 0 {
        put!(
            body,
            r##"<rect x="0" y="{}" width="{}" height="{}" fill="#ffffff" stroke="#999999" stroke-width="1"/>"##,
            c(DIST_BAR_Y),
            c(DIST_W),
            c(DIST_BAR_H)
        );
        put!(
            body,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{GREY_TEXT}" font-style="italic">{}</text>"#,
            c(DIST_W / 2.0),
            c(DIST_BAR_Y + DIST_BAR_H / 2.0 + 4.0),
            esc(words.no_data)
        );
    } else {
        // Segment edges from cumulative counts, so the segments end exactly at the full width.
        let mut before = 0;
        for (i, (_, _, count)) in d.counts.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let x0 = before as f64 / d.n as f64 * DIST_W;
            before += count;
            let x1 = before as f64 / d.n as f64 * DIST_W;
            let colour = colour_of(i);
            put!(
                body,
                r##"<rect class="segment" x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" stroke-width="1"/>"##,
                c(x0),
                c(DIST_BAR_Y),
                c(x1 - x0),
                c(DIST_BAR_H),
                hex(colour)
            );
            let text = shown(*count);
            if text_width(&text, FONT) + 6.0 <= x1 - x0 {
                put!(
                    body,
                    r#"<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>"#,
                    c((x0 + x1) / 2.0),
                    c(DIST_BAR_Y + DIST_BAR_H / 2.0 + 4.0),
                    ink_on(colour),
                    text
                );
            }
        }
    }

    // Legend, flowing onto new lines as needed: a swatch and "label: count (percent)" per point.
    let mut y = DIST_BAR_Y + DIST_BAR_H + 10.0;
    let mut x = 0.0;
    let mut desc = Vec::new();
    for (i, (point_label, _, count)) in d.counts.iter().enumerate() {
        let text = words.labelled(point_label, &format!("{count} ({})", shown(*count)));
        let (fitted, _) = fit(&text, DIST_W - 18.0, FONT);
        let w = 18.0 + text_width(&fitted, FONT) + 16.0;
        if x > 0.0 && x + w > DIST_W {
            x = 0.0;
            y += LEGEND_LINE;
        }
        put!(
            body,
            r##"<rect x="{}" y="{}" width="12" height="12" fill="{}" stroke="#999999" stroke-width="0.5"/>"##,
            c(x),
            c(y),
            hex(colour_of(i))
        );
        label(&mut body, &format!(r#"x="{}" y="{}""#, c(x + 16.0), c(y + 10.5)), &text, DIST_W - 18.0, FONT);
        desc.push(text);
        x += w;
    }
    y += LEGEND_LINE;
    let summary = format!(
        "{}{}{}",
        words.labelled(words.answers, &d.n.to_string()),
        words.separator(),
        words.labelled(words.not_scored, &d.unscored.to_string())
    );
    put!(body, r#"<text x="0" y="{}" fill="{GREY_TEXT}">{}</text>"#, c(y + 10.5), esc(&summary));
    desc.push(summary);
    let desc = words.labelled(&d.title, &desc.join(words.separator()));
    finish("distribution", DIST_W, y + 18.0, &title, &desc, &body)
}

/// A small chart that only says "no data".
fn no_data_chart(kind: &str, title: &str, words: &Words) -> String {
    let body = format!(r#"<text x="160" y="24" text-anchor="middle" fill="{GREY_TEXT}">{}</text>"#, esc(words.no_data));
    finish(kind, 320.0, 40.0, title, words.no_data, &body)
}

/// Wraps `body` in the `<svg>` element with its title and description, then gives the element
/// ids their prefix: `survey-{kind}-` and a hash of the whole chart, so that two different
/// charts on one page never share an id, and the same chart always gets the same one.
fn finish(kind: &str, width: f64, height: f64, title: &str, desc: &str, body: &str) -> String {
    let mut svg = String::with_capacity(body.len() + 512);
    put!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{ID}-title" aria-describedby="{ID}-desc" font-family="sans-serif" font-size="{}" fill="#1a1a1a">"##,
        c(width),
        c(height),
        c(FONT)
    );
    put!(svg, r#"<title id="{ID}-title">{}</title><desc id="{ID}-desc">{}</desc>"#, esc(title), esc(desc));
    svg.push_str(body);
    svg.push_str("</svg>");
    let id = format!("survey-{kind}-{:016x}", fnv1a(svg.as_bytes()));
    svg.replace(ID, &id)
}

/// 64-bit FNV-1a: a stable, dependency-free hash for element ids (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// `<text {attrs}>` holding `s` cut to `max` units wide, with the full text as a tooltip when cut.
fn label(out: &mut String, attrs: &str, s: &str, max: f64, size: f64) {
    let (shown, cut) = fit(s, max, size);
    put!(out, "<text {attrs}>");
    if cut {
        put!(out, "<title>{}</title>", esc(s));
    }
    put!(out, "{}</text>", esc(&shown));
}

/// The report's units by id (the group without a unit left out).
fn units_by_id(report: &Report) -> BTreeMap<&str, &UnitScores> {
    report.units.iter().filter_map(|u| u.unit.as_deref().map(|id| (id, u))).collect()
}

/// The unit's name in `lang`, or its id when the survey does not declare it.
fn unit_name<'a>(survey: &'a Survey, id: &'a str, lang: &str) -> &'a str {
    survey.units.iter().find(|u| u.id == id).map_or(id, |u| u.name.get(lang, &survey.languages))
}

/// Escapes text for XML content and attribute values; line breaks become spaces and the
/// characters XML 1.0 does not allow are dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            _ if matches!(u32::from(ch), 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF) => out.push(ch),
            _ => {}
        }
    }
    out
}

/// A value with one decimal; never "-0.0", and "—" for a value that is not finite.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "—".to_owned();
    }
    let s = format!("{x:.1}");
    if s == "-0.0" {
        "0.0".to_owned()
    } else {
        s
    }
}

/// A coordinate: one decimal at most, without a trailing ".0".
fn c(x: f64) -> String {
    let s = num(x);
    match s.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => s,
    }
}

/// Whether a character is drawn about one em wide (CJK ideographs, kana, hangul, full-width forms).
fn is_wide(ch: char) -> bool {
    matches!(
        u32::from(ch),
        0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD
    )
}

/// Estimated width of `s` at font size `size`: generous, so that estimated text fits.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|ch| {
            if is_wide(ch) {
                1.0
            } else if ch == ' ' {
                0.3
            } else {
                0.6
            }
        })
        .sum::<f64>()
        * size
}

/// `s` cut with "…" to fit `max` units; whether it was cut.
fn fit(s: &str, max: f64, size: f64) -> (String, bool) {
    if text_width(s, size) <= max {
        return (s.to_owned(), false);
    }
    let mut out = String::new();
    let mut width = text_width("…", size);
    for ch in s.chars() {
        let w = text_width(ch.encode_utf8(&mut [0; 4]), size);
        if width + w > max {
            break;
        }
        width += w;
        out.push(ch);
    }
    let mut out = out.trim_end().to_owned();
    out.push('…');
    (out, true)
}

/// Breaks `s` into at most `max_lines` lines of at most `max` units: between words, or between
/// any two CJK characters; a word too long for a line is split. What does not fit is cut with "…".
fn wrap(s: &str, max: f64, size: f64, max_lines: usize) -> Vec<String> {
    // Tokens: a CJK character alone, or a run of other non-space characters; with whether a
    // space came before it.
    let mut tokens: Vec<(String, bool)> = Vec::new();
    let mut space = false;
    for ch in s.chars() {
        if ch.is_whitespace() {
            space = true;
            continue;
        }
        match tokens.last_mut() {
            Some((word, _)) if !space && !is_wide(ch) && !word.chars().last().is_some_and(is_wide) => word.push(ch),
            _ => tokens.push((ch.to_string(), space && !tokens.is_empty())),
        }
        space = false;
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (token, spaced) in tokens {
        let joined = if line.is_empty() {
            token.clone()
        } else if spaced {
            format!("{line} {token}")
        } else {
            format!("{line}{token}")
        };
        if text_width(&joined, size) <= max {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The token alone, split wherever it overflows a line.
        for ch in token.chars() {
            let mut next = line.clone();
            next.push(ch);
            if !line.is_empty() && text_width(&next, size) > max {
                lines.push(std::mem::replace(&mut line, ch.to_string()));
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(fit(&format!("{rest}…"), max, size).0);
    }
    lines
}

/// The sequential "Blues" scale (ColorBrewer), light to dark; readable by colour-blind readers
/// and in greyscale.
const BLUES: [(u8, u8, u8); 9] = [
    (0xf7, 0xfb, 0xff),
    (0xde, 0xeb, 0xf7),
    (0xc6, 0xdb, 0xef),
    (0x9e, 0xca, 0xe1),
    (0x6b, 0xae, 0xd6),
    (0x42, 0x92, 0xc6),
    (0x21, 0x71, 0xb5),
    (0x08, 0x51, 0x9c),
    (0x08, 0x30, 0x6b),
];

/// The colour at `t` (0 light … 1 dark) on [`BLUES`], interpolated between its steps.
fn blue(t: f64) -> (u8, u8, u8) {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 } * (BLUES.len() - 1) as f64;
    let i = (t.floor() as usize).min(BLUES.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (BLUES[i], BLUES[i + 1]);
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Black or white text, whichever reads better on `colour`.
fn ink_on((r, g, b): (u8, u8, u8)) -> &'static str {
    let luma = (0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b)) / 255.0;
    if luma < 0.5 {
        "#ffffff"
    } else {
        "#000000"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use survey_core::analysis::score::{score, RankEntry};
    use survey_core::load_survey;
    use survey_core::response::Answer;

    /// Two dimensions, `d1` (q1 and its reverse q2) and `d2` (matrix row m.r1); m.r2 feeds no
    /// indicator. Scales 1–5, 9 = don't know. Units u1…u4 declared; `zz` only met in responses.
    const SURVEY: &str = r#"{
      "format": "survey/1", "id": "t", "version": "1",
      "title": {"zh-CN": "测评", "en": "T"}, "languages": ["zh-CN", "en"],
      "indicators": [
        {"id": "d1", "title": {"zh-CN": "服务", "en": "Services & <care>"}, "weight": 1},
        {"id": "d2", "title": {"zh-CN": "村容村貌和道路环境整治情况", "en": "Environment and roads of the village"},
         "weight": 1}
      ],
      "units": [
        {"id": "u1", "name": {"zh-CN": "一村", "en": "A&B <x>"}},
        {"id": "u2", "name": {"zh-CN": "二村", "en": "Second \"quoted\" 'unit'"}},
        {"id": "u3", "name": {"zh-CN": "小村", "en": "Small"}},
        {"id": "u4", "name": {"zh-CN": "静村", "en": "Silent"}},
        {"id": "u5", "name": {"zh-CN": "微村", "en": "Tiny"}}
      ],
      "sections": [{"id": "s", "title": {"zh-CN": "S", "en": "S"}, "questions": [
        {"id": "q1", "kind": "scale", "title": {"zh-CN": "总体满意度", "en": "Overall"}, "points": POINTS,
         "satisfied": [4, 5], "unscored": DK, "indicator": "d1"},
        {"id": "q2", "kind": "scale", "title": {"zh-CN": "找不到人", "en": "Could not find anyone"},
         "points": POINTS, "satisfied": [1, 2], "unscored": DK, "indicator": "d1", "reverse": true,
         "reverse_of": "q1"},
        {"id": "m", "kind": "matrix", "title": {"zh-CN": "各项", "en": "Items"}, "points": POINTS,
         "satisfied": [4, 5], "unscored": DK, "rows": [
           {"id": "r1", "label": {"zh-CN": "道路", "en": "Roads"}, "indicator": "d2"},
           {"id": "r2", "label": {"zh-CN": "其他", "en": "Other"}}]}
      ]}]
    }"#;

    fn survey() -> Survey {
        let label = |zh: &str, en: &str| format!(r#"{{"zh-CN": "{zh}", "en": "{en}"}}"#);
        let points: Vec<String> =
            [(1, "很不满意", "Very dissatisfied"), (2, "不满意", "Dissatisfied"), (3, "一般", "Neutral")]
                .into_iter()
                .chain([(4, "满意", "Satisfied"), (5, "很满意", "Very satisfied")])
                .map(|(v, zh, en)| format!(r#"{{"value": {v}, "label": {}}}"#, label(zh, en)))
                .collect();
        let dk = format!(r#"[{{"value": 9, "label": {}}}]"#, label("不了解", "Don't know"));
        let text = SURVEY.replace("POINTS", &format!("[{}]", points.join(", "))).replace("DK", &dk);
        let loaded = load_survey(&text);
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        loaded.survey.expect("valid survey")
    }

    fn response(unit: &str, q1: Option<i64>, q2: Option<i64>, rows: &[(&str, i64)]) -> ExportedResponse {
        survey_core::test_support::response(Some(unit), q1, q2, rows)
    }

    /// - u2: q1 = 5 (d1 100), m.r1 = 4 (d2 75) → index 87.5, rank 1.
    /// - zz (not declared): q1 = 4 → d1 75, d2 none → index 75, rank 2.
    /// - u1: q1 = 3 → d1 50 → index 50, rank 3.
    /// - u3: 2 responses and u5: 3 responses → suppressed. u4: 5 × "don't know" → no index.
    ///   All three unranked. (The suppressed units hold 5 responses together, so no published
    ///   unit needs withholding to protect them.)
    fn responses() -> Vec<ExportedResponse> {
        let mut out = Vec::new();
        for _ in 0..5 {
            out.push(response("u2", Some(5), None, &[("r1", 4)]));
            out.push(response("zz", Some(4), None, &[]));
            out.push(response("u1", Some(3), None, &[]));
            out.push(response("u4", Some(9), None, &[]));
        }
        out.push(response("u3", Some(5), None, &[]));
        out.push(response("u3", Some(5), None, &[]));
        for _ in 0..3 {
            out.push(response("u5", Some(1), None, &[]));
        }
        out
    }

    fn report() -> Report {
        score(&survey(), &responses())
    }

    /// A small well-formedness check: every tag opened is closed in order, attribute quotes
    /// pair up, and every `&` starts one of the entities the charts write.
    fn check_well_formed(svg: &str) -> Result<(), String> {
        if !svg.starts_with("<svg ") || !svg.ends_with("</svg>") {
            return Err("not one <svg> element".into());
        }
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            check_entities(&rest[..start])?;
            let after = &rest[start + 1..];
            let end = after.find('>').ok_or("unterminated tag")?;
            let tag = &after[..end];
            if tag.contains('<') {
                return Err(format!("`<` inside tag `{tag}`"));
            }
            if !tag.matches('"').count().is_multiple_of(2) {
                return Err(format!("unbalanced quotes in `{tag}`"));
            }
            check_entities(tag)?;
            if let Some(name) = tag.strip_prefix('/') {
                match stack.pop() {
                    Some(open) if open == name => {}
                    open => return Err(format!("`</{name}>` closes {open:?}")),
                }
            } else if !tag.ends_with('/') {
                stack.push(tag.split_whitespace().next().ok_or("empty tag")?);
            }
            rest = &after[end + 1..];
            if stack.is_empty() && !rest.is_empty() {
                return Err(format!("content after the root element: {rest}"));
            }
        }
        check_entities(rest)?;
        if stack.is_empty() {
            Ok(())
        } else {
            Err(format!("unclosed: {stack:?}"))
        }
    }

    fn check_entities(text: &str) -> Result<(), String> {
        for (idx, _) in text.match_indices('&') {
            let entity = &text[idx..];
            if !["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].iter().any(|e| entity.starts_with(e)) {
                return Err(format!("bare `&` in `{text}`"));
            }
        }
        if text.contains('>') && !text.is_empty() {
            return Err(format!("bare `>` in `{text}`"));
        }
        Ok(())
    }

    #[track_caller]
    fn assert_well_formed(svg: &str) {
        if let Err(err) = check_well_formed(svg) {
            panic!("{err}\n{svg}");
        }
    }

    /// The opening tags that start with `prefix`, e.g. `<rect class="bar"`.
    fn tags<'a>(svg: &'a str, prefix: &str) -> Vec<&'a str> {
        svg.match_indices(prefix).map(|(idx, _)| &svg[idx..idx + svg[idx..].find('>').expect("tag end")]).collect()
    }

    fn attr(tag: &str, name: &str) -> f64 {
        let start = tag.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("no {name} in {tag}")) + name.len() + 3;
        let len = tag[start..].find('"').expect("closing quote");
        tag[start..start + len].parse().expect("number")
    }

    #[test]
    fn the_well_formedness_check_catches_mistakes() {
        assert_eq!(check_well_formed(r#"<svg a="1"><g><text>x &amp; y</text></g><rect/></svg>"#), Ok(()));
        assert!(check_well_formed("<svg ><g></svg>").is_err(), "unclosed g");
        assert!(check_well_formed("<svg ><g></text></g></svg>").is_err(), "wrong close");
        assert!(check_well_formed("<svg ><text>A&B</text></svg>").is_err(), "bare &");
        assert!(check_well_formed(r#"<svg a="1><rect/></svg>"#).is_err(), "quote");
        assert!(check_well_formed("<svg ><text>a<b</text></svg>").is_err(), "bare <");
    }

    #[test]
    fn ranking_has_a_bar_per_ranked_unit_on_a_fixed_axis() {
        let survey = survey();
        let report = report();
        let ranked: Vec<(&str, Option<usize>)> = report.ranking.iter().map(|e| (e.unit.as_str(), e.rank)).collect();
        assert_eq!(
            ranked,
            [("u2", Some(1)), ("zz", Some(2)), ("u1", Some(3)), ("u3", None), ("u4", None), ("u5", None)]
        );

        let svg = ranking_bars(&survey, &report, "en");
        assert_well_formed(&svg);
        let bars = tags(&svg, r#"<rect class="bar""#);
        assert_eq!(bars.len(), 3, "one bar per ranked unit");
        let widths: Vec<f64> = bars.iter().map(|b| attr(b, "width")).collect();
        assert_eq!(widths, [AXIS_W * 0.875, AXIS_W * 0.75, AXIS_W * 0.5], "index 50 is half the axis");
        assert!(bars.iter().all(|b| attr(b, "x") == BAR_X), "all bars start at 0");
        for value in ["87.5", "75.0", "50.0"] {
            assert!(svg.contains(&format!(">{value}</text>")), "{value} printed");
        }
        // Rows in ranking order: the undeclared unit falls back to its id.
        let order = ["Second", "zz", "A&amp;B", "Small", "Silent", "Tiny"];
        let positions: Vec<usize> = order.iter().map(|name| svg.find(&format!(">{name}")).expect(name)).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        // The suppressed unit and the unit without data: no bar, the words instead.
        assert_eq!(svg.matches(">suppressed (n &lt; 5)</text>").count(), 2);
        assert_eq!(svg.matches(">no data</text>").count(), 1);
        assert!(svg.contains(r#"role="img""#) && svg.contains(r#"width="100%""#) && svg.contains("viewBox=\"0 0 "));
        assert!(svg.contains("<title id=\"survey-ranking-") && svg.contains("<desc id=\"survey-ranking-"));
        assert!(svg.contains("1. Second &quot;quoted&quot; &#39;unit&#39;: 87.5"), "desc lists the data");
    }

    #[test]
    fn labels_are_escaped() {
        let survey = survey();
        let report = report();
        for svg in [ranking_bars(&survey, &report, "en"), heat_map(&survey, &report, "en")] {
            assert_well_formed(&svg);
            assert!(svg.contains(">A&amp;B &lt;x&gt;</text>"), "{svg}");
            assert!(!svg.contains("A&B") && !svg.contains("<x>"));
            assert!(svg.contains("Second &quot;quoted&quot; &#39;unit&#39;"));
        }
        let heat = heat_map(&survey, &report, "en");
        assert!(heat.contains("<title>Services &amp; &lt;care&gt;</title>"));
        assert_eq!(esc("a\u{0}b\nc'"), "ab c&#39;");
    }

    #[test]
    fn charts_are_deterministic_and_ids_depend_on_content() {
        let survey = survey();
        let report = report();
        assert_eq!(ranking_bars(&survey, &report, "en"), ranking_bars(&survey, &report.clone(), "en"));
        assert_eq!(heat_map(&survey, &report, "zh-CN"), heat_map(&survey, &report, "zh-CN"));
        let d = &distributions(&survey, &responses(), "en")[0];
        assert_eq!(distribution_bar(d, "en"), distribution_bar(&d.clone(), "en"));
        let id = |svg: &str| tags(svg, "<title id=")[0].to_owned();
        let a = ranking_bars(&survey, &report, "en");
        let b = ranking_bars(&survey, &report, "zh-CN");
        assert_ne!(id(&a), id(&b), "different charts get different ids");
        assert!(!a.contains('\u{1}'), "no placeholder left");
        assert_eq!(a.matches(&id(&a)[11..id(&a).len() - 7]).count(), 4, "title, desc and the two aria references");
    }

    #[test]
    fn chinese_words_with_zh_cn() {
        let survey = survey();
        let report = report();
        let ranking = ranking_bars(&survey, &report, "zh-CN");
        assert_well_formed(&ranking);
        for word in ["已隐藏（样本少于 5）", "无数据", "满意度指数（0–100）", "排名", ">一村<", ">二村<"]
        {
            assert!(ranking.contains(word), "{word}");
        }
        assert!(!ranking.contains("no data") && !ranking.contains("suppressed"));
        let heat = heat_map(&survey, &report, "zh-CN");
        assert!(heat.contains("<title>服务</title>") && heat.contains("已隐藏（样本少于 5）"));
        let d = distributions(&survey, &responses(), "zh-CN");
        assert_eq!(d[0].counts[2].0, "一般");
        assert_eq!(d[2].title, "各项：道路");
        assert!(distribution_bar(&d[0], "zh-CN").contains("不计分"));
        // Unknown languages get English.
        assert!(ranking_bars(&survey, &report, "fr").contains(">no data</text>"));
    }

    #[test]
    fn empty_ranking_says_no_data() {
        let survey = survey();
        let report = score::<ExportedResponse>(&survey, &[]);
        let mut no_units = survey.clone();
        no_units.units.clear();
        let report_no_units = score::<ExportedResponse>(&no_units, &[]);
        assert!(report_no_units.ranking.is_empty());
        for svg in [ranking_bars(&no_units, &report_no_units, "en"), heat_map(&no_units, &report_no_units, "en")] {
            assert_well_formed(&svg);
            assert!(svg.contains(">no data</text>") && !svg.contains("<rect"));
        }
        assert!(ranking_bars(&no_units, &report_no_units, "zh-CN").contains(">无数据</text>"));
        // Declared units without responses are listed as suppressed, without bars.
        let svg = ranking_bars(&survey, &report, "en");
        assert_eq!(tags(&svg, r#"<rect class="bar""#).len(), 0);
        assert_eq!(svg.matches(">suppressed (n &lt; 5)</text>").count(), 5, "every declared unit");
    }

    #[test]
    fn heat_map_cells_follow_the_ranking() {
        let survey = survey();
        let report = report();
        let svg = heat_map(&survey, &report, "en");
        assert_well_formed(&svg);
        let cells = tags(&svg, r#"<rect class="cell"#);
        assert_eq!(cells.len(), 6 * 2, "one cell per unit and dimension");
        let filled = tags(&svg, r#"<rect class="cell""#);
        assert_eq!(filled.len(), 4, "u2: d1, d2; zz: d1; u1: d1");
        // Row by row: u2 (100, 75), zz (75, —), u1 (50, —).
        let mut at = 0;
        for value in ["100.0", "75.0", "75.0", "—", "50.0", "—"] {
            at += svg[at..].find(&format!(">{value}</text>")).unwrap_or_else(|| panic!("{value} after {at}")) + 1;
        }
        // Darker fill for a higher score, and white text on the darkest cells.
        assert_eq!(attr_str(filled[0], "fill"), hex(BLUES[8]));
        assert_eq!(attr_str(filled[3], "fill"), hex(BLUES[4]));
        assert!(svg.contains(r##"fill="#ffffff">100.0</text>"##));
        // Suppressed row: hatched cells with "—", the word once in the grid (and once in the legend).
        let hatched = cells.iter().filter(|c| c.contains("-hatch)")).count();
        assert_eq!(hatched, 4, "u3 and u5");
        assert_eq!(svg.matches(">suppressed (n &lt; 5)</text>").count(), 2, "once per suppressed row");
        assert_eq!(svg.matches(">suppressed</text>").count(), 1, "legend");
        assert_eq!(svg.matches(">no data</text>").count(), 1, "u4");
        assert!(svg.contains("<pattern id=\"survey-heatmap-"));
        // Headers: the long title is wrapped, the full title is the tooltip.
        assert!(svg.contains("<title>Environment and roads of the village</title>"));
        assert!(tags(&svg, "<tspan").len() >= 3);
        assert!(svg.contains("Second &quot;quoted&quot; &#39;unit&#39;: Services &amp; &lt;care&gt;: 100.0, "));
    }

    /// A unit withheld although it has enough responses (to protect a small one, which scoring
    /// may do whatever its reason code) is not described as "n < 5".
    #[test]
    fn a_unit_withheld_with_enough_responses_is_not_called_small() {
        let survey = survey();
        let mut report = report();
        let u1 = report.units.iter_mut().find(|u| u.unit.as_deref() == Some("u1")).expect("u1");
        assert_eq!(u1.n_responses, 5);
        u1.suppressed = true;
        u1.scores = None;
        report.ranking.retain(|e| e.unit != "u1");
        let entry = RankEntry { unit: "u1".into(), rank: None, index: None, suppressed: true };
        report.ranking.insert(2, entry);

        let ranking = ranking_bars(&survey, &report, "en");
        assert_well_formed(&ranking);
        assert_eq!(tags(&ranking, r#"<rect class="bar""#).len(), 2);
        assert_eq!(ranking.matches(">suppressed (anonymity)</text>").count(), 1);
        assert_eq!(ranking.matches(">suppressed (n &lt; 5)</text>").count(), 2);
        let heat = heat_map(&survey, &report, "zh-CN");
        assert_well_formed(&heat);
        assert_eq!(heat.matches(">已隐藏（匿名保护）</text>").count(), 1);
        assert_eq!(heat.matches(">已隐藏（样本少于 5）</text>").count(), 2);
        assert_eq!(tags(&heat, r#"<rect class="cell empty""#).iter().filter(|c| c.contains("-hatch)")).count(), 6);
    }

    fn attr_str<'a>(tag: &'a str, name: &str) -> &'a str {
        let start = tag.find(&format!(" {name}=\"")).expect("attr") + name.len() + 3;
        &tag[start..start + tag[start..].find('"').expect("quote")]
    }

    #[test]
    fn distributions_count_original_answers_and_dont_know() {
        let survey = survey();
        // q2 is reversed: counts are of the answers as given. 7 is not a point (ignored); the
        // text answer is the wrong type (ignored); r2 missing in one matrix answer.
        let mut bad = response("u1", None, None, &[]);
        bad.answers.insert("q1".into(), Answer { value: AnswerValue::Text("5".into()), at: 0, changes: 0 });
        let responses = [
            response("u1", Some(5), Some(1), &[("r1", 4), ("r2", 9)]),
            response("u1", Some(5), Some(1), &[("r1", 2)]),
            response("u2", Some(9), Some(2), &[("r1", 9), ("r2", 3)]),
            response("u2", Some(7), Some(5), &[]),
            response("u3", None, Some(9), &[("r1", 4)]),
            bad,
        ];
        let d = distributions(&survey, &responses, "en");
        let keys: Vec<&str> = d.iter().map(|d| d.item.as_str()).collect();
        assert_eq!(keys, ["q1", "q2", "m.r1", "m.r2"]);
        let counts = |d: &Distribution| d.counts.iter().map(|(_, _, n)| *n).collect::<Vec<_>>();
        assert_eq!((counts(&d[0]), d[0].unscored, d[0].n), (vec![0, 0, 0, 0, 2], 1, 2));
        assert_eq!((counts(&d[1]), d[1].unscored, d[1].n), (vec![2, 1, 0, 0, 1], 1, 4), "reverse: as answered");
        assert_eq!((counts(&d[2]), d[2].unscored, d[2].n), (vec![0, 1, 0, 2, 0], 1, 3));
        assert_eq!((counts(&d[3]), d[3].unscored, d[3].n), (vec![0, 0, 1, 0, 0], 1, 1));
        assert_eq!(d[1].counts[0], ("Very dissatisfied".to_owned(), 1, 2));
        assert_eq!(d[1].title, "Could not find anyone");
        assert_eq!(d[2].title, "Items: Roads");
    }

    #[test]
    fn distribution_bar_is_a_full_width_stack_with_counts() {
        let survey = survey();
        let responses = [
            response("u1", None, Some(1), &[]),
            response("u1", None, Some(1), &[]),
            response("u1", None, Some(2), &[]),
            response("u1", None, Some(5), &[]),
            response("u1", None, Some(9), &[]),
        ];
        let d = &distributions(&survey, &responses, "en")[1];
        let svg = distribution_bar(d, "en");
        assert_well_formed(&svg);
        let segments = tags(&svg, r#"<rect class="segment""#);
        assert_eq!(segments.len(), 3, "only points that were chosen");
        let widths: Vec<f64> = segments.iter().map(|s| attr(s, "width")).collect();
        assert_eq!(widths, [DIST_W / 2.0, DIST_W / 4.0, DIST_W / 4.0]);
        assert_eq!(attr(segments[2], "x") + widths[2], DIST_W, "ends at the full width");
        for text in ["Very dissatisfied: 2 (50.0%)", "Dissatisfied: 1 (25.0%)", "Neutral: 0 (0.0%)", ">50.0%</text>"] {
            assert!(svg.contains(text), "{text}");
        }
        assert!(svg.contains("scored answers: 4; not scored (e.g. don&#39;t know): 1"));
        assert!(svg.contains(">Could not find anyone</text>"));
    }

    #[test]
    fn distribution_bar_suppresses_fewer_than_five_answers() {
        let survey = survey();
        let four: Vec<ExportedResponse> = (0..4).map(|_| response("u1", Some(5), None, &[])).collect();
        let d = &distributions(&survey, &four, "en")[0];
        assert_eq!((d.n, d.unscored), (4, 0));
        let svg = distribution_bar(d, "en");
        assert_well_formed(&svg);
        assert!(svg.contains(">suppressed (n &lt; 5)</text>"));
        assert!(!svg.contains("<rect") && !svg.contains("Very satisfied") && !svg.contains("(100.0%)"));
        assert!(distribution_bar(d, "zh-CN").contains("已隐藏（样本少于 5）"));

        let none = &distributions::<ExportedResponse>(&survey, &[], "en")[0];
        assert!(distribution_bar(none, "en").contains(">no data</text>"));

        // Five "don't know": shown, with an empty bar.
        let dk: Vec<ExportedResponse> = (0..5).map(|_| response("u1", Some(9), None, &[])).collect();
        let d = &distributions(&survey, &dk, "en")[0];
        let svg = distribution_bar(d, "en");
        assert_well_formed(&svg);
        assert!(svg.contains(">no data</text>") && svg.contains("not scored (e.g. don&#39;t know): 5"));
        assert!(tags(&svg, r#"<rect class="segment""#).is_empty());
    }

    #[test]
    fn text_helpers() {
        assert_eq!(
            (num(85.26), num(-0.04), num(100.0), num(f64::NAN)),
            ("85.3".into(), "0.0".into(), "100.0".into(), "—".into())
        );
        assert_eq!((c(180.0), c(12.34), c(-0.0)), ("180".into(), "12.3".into(), "0".into()));
        assert_eq!(fit("abcdef", 100.0, 10.0), ("abcdef".to_owned(), false));
        let (cut, was_cut) = fit("abcdefghijklmnop", 60.0, 10.0);
        assert!(was_cut && cut.ends_with('…') && text_width(&cut, 10.0) <= 60.0, "{cut}");
        let long = "Environment and roads of the village";
        assert_eq!(wrap(long, 80.0, 11.0, 3), ["Environment", "and roads of", "the village"]);
        assert_eq!(wrap(long, 80.0, 11.0, 2), ["Environment", "and roads of…"]);
        assert_eq!(wrap("村容村貌和道路环境整治情况", 80.0, 11.0, 3), ["村容村貌和道路", "环境整治情况"]);
        assert_eq!(wrap("short", 80.0, 11.0, 3), ["short"]);
        assert_eq!((blue(0.0), blue(1.0), blue(0.5)), (BLUES[0], BLUES[8], BLUES[4]));
        assert_eq!((ink_on(BLUES[8]), ink_on(BLUES[0])), ("#ffffff", "#000000"));
    }
}
