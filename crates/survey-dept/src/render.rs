//! Reports as text and files: a plain-text table, aggregate CSV, response-level ("raw") CSV,
//! JSON and an XLSX workbook; with a round, each carries the fieldwork's compliance (per unit, per
//! evaluator, the findings, and the round's commitment, seed and source). CSV files start with a UTF-8 byte-order mark so that spreadsheet
//! programs show Chinese.
//!
//! Anonymity: every aggregate here comes from a [`Report`], whose suppressed groups carry no
//! scores, and the whole evaluation's scores are withheld when it has fewer than
//! [`MIN_UNIT_RESPONSES`] responses. Response-level data is written only by [`raw_csv`] and by
//! [`xlsx`] with `raw: true`, which the caller offers as an explicit choice.

use crate::compare::{changes, dimension_ids, Change, Round, ALL_UNITS};
use crate::{Analysis, Department, LoadedRound, Outcome};
use std::fmt::Write as _;
use survey_core::analysis::compliance::{Compliance, Figures, Finding};
use survey_core::analysis::quality::Flag;
use survey_core::analysis::score::{Report, Suppression, MIN_UNIT_RESPONSES};
use survey_core::bundle::ExportedResponse;
use survey_core::{short_fingerprint, AnswerValue, QuestionKind, Survey};

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

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
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

/// The plain-text report of the command line.
pub fn table(department: &Department, analysis: &Analysis<'_>, previous: Option<&Round>) -> String {
    let survey = analysis.survey;
    let report = analysis.report();
    let mut out = String::new();
    let title = survey.title.get(survey.default_language(), &survey.languages);
    let _ = writeln!(out, "{title} ({} {})", survey.id, survey.version);
    // The anonymity rule holds for the whole evaluation too: too few responses, no numbers.
    if overall_shown(report) {
        let _ = writeln!(
            out,
            "responses: {}  index: {}  satisfaction rate: {}%",
            report.overall.n_responses,
            fmt_number(report.overall.index),
            fmt_number(report.overall.rate)
        );
    } else {
        let _ = writeln!(
            out,
            "responses: {}  (fewer than {MIN_UNIT_RESPONSES}: scores suppressed)",
            report.overall.n_responses
        );
    }
    let _ = writeln!(out, "\nrank  unit                          n    index");
    for entry in &report.ranking {
        let unit = report.units.iter().find(|u| u.label() == entry.unit);
        let n = unit.map_or(0, |u| u.n_responses);
        let rank = entry.rank.map_or_else(|| "-".to_owned(), |r| r.to_string());
        let complementary = unit.and_then(|u| u.reason) == Some(Suppression::Complementary);
        let index = match (entry.suppressed, complementary) {
            (true, true) => "suppressed (protects a unit with n < 5)".to_owned(),
            (true, false) => "suppressed (n < 5)".to_owned(),
            (false, _) => fmt_number(entry.index),
        };
        let _ = writeln!(out, "{rank:>4}  {:<28}  {n:>3}  {index}", entry.unit);
    }
    for ranking in &report.dimension_rankings {
        let ranked: Vec<String> = ranking
            .ranking
            .iter()
            .filter_map(|entry| entry.rank.map(|rank| format!("{rank}. {}", entry.unit)))
            .collect();
        if !ranked.is_empty() {
            let _ = writeln!(out, "by {}: {}", ranking.dimension, ranked.join(", "));
        }
    }
    let _ = writeln!(out, "\nindicator                      score   rate");
    for indicator in report.overall.indicators.iter().filter(|_| overall_shown(report)) {
        let indent = if indicator.parent.is_some() { "  " } else { "" };
        let _ = writeln!(
            out,
            "{indent}{:<29}  {:>6}  {:>6}",
            indicator.id,
            fmt_number(indicator.score),
            fmt_number(indicator.rate)
        );
    }
    for device in analysis.import.devices() {
        let missing = device.missing();
        if !missing.is_empty() {
            let _ = writeln!(
                out,
                "\nmissing from device {} ({}): seq {:?}",
                short_fingerprint(&device.keyid),
                device.evaluator,
                missing
            );
        }
    }
    for conflict in analysis.import.conflicts() {
        let _ = writeln!(
            out,
            "\nconflict: response {} has {} different versions; not counted",
            conflict.id,
            conflict.hashes.len()
        );
    }
    for file in department.files() {
        match &file.outcome {
            Outcome::Imported { .. } => {}
            Outcome::Quarantined { message, .. } => {
                let _ = writeln!(out, "\nquarantined: {}: {message}", file.file);
            }
            Outcome::Refused { code, message } => {
                let _ = writeln!(out, "\nnot imported: {}: {code}: {message}", file.file);
            }
        }
    }
    let [speeding, straight, contradiction] = flag_counts(analysis);
    let _ = writeln!(
        out,
        "\nquality flags: {} of {} responses (speeding {speeding}, straight-lining {straight}, contradiction {contradiction})",
        analysis.flagged_count(),
        analysis.responses.len(),
    );
    if analysis.exclude_flagged && overall_shown(report) && overall_shown(&analysis.all) {
        let _ = writeln!(
            out,
            "flagged responses excluded: index {} (with them {})",
            fmt_number(report.overall.index),
            fmt_number(analysis.all.overall.index)
        );
    }
    if let (Some(round), Some(compliance)) = (department.round(), &analysis.compliance) {
        compliance_table(&mut out, round, compliance, analysis);
    }
    if let Some(previous) = previous {
        let _ = writeln!(
            out,
            "\nchange since the previous round (index)\nunit                          before   after   change   rank"
        );
        for change in previous_changes(analysis, previous).iter().filter(|c| c.dimension.is_none()) {
            let rank = match (change.rank_before, change.rank_after) {
                (Some(b), Some(a)) => format!("{b} → {a}"),
                (None, Some(a)) => format!("- → {a}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "{:<28}  {:>7}  {:>6}  {:>7}   {rank}",
                change.unit,
                fmt_number(change.before),
                fmt_number(change.after),
                fmt_delta(change.delta)
            );
        }
    }
    out
}

/// Aggregates only: one row for the whole evaluation and one per unit, with each dimension's
/// score. Suppressed groups have empty number cells.
pub fn csv(analysis: &Analysis<'_>) -> String {
    let survey = analysis.survey;
    let report = analysis.report();
    let dims = dimension_ids(survey);
    let number = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    let mut out = String::from("\u{feff}unit,name,rank,n_responses,index,rate,suppressed");
    for dim in &dims {
        out.push(',');
        out.push_str(&csv_field(dim));
    }
    out.push('\n');
    let overall = overall_shown(report).then_some(&report.overall);
    let _ = write!(
        out,
        "{ALL_UNITS},,,{},{},{},{}",
        report.overall.n_responses,
        number(overall.and_then(|o| o.index)),
        number(overall.and_then(|o| o.rate)),
        overall.is_none()
    );
    for dim in &dims {
        let _ = write!(out, ",{}", number(overall.and_then(|s| s.dimension_score(dim))));
    }
    out.push('\n');
    for entry in &report.ranking {
        let unit = report.units.iter().find(|u| u.label() == entry.unit);
        let scores = unit.and_then(|u| u.scores.as_ref());
        let _ = write!(
            out,
            "{},{},{},{},{},{},{}",
            csv_field(&entry.unit),
            csv_field(&unit_name(survey, &entry.unit)),
            entry.rank.map(|r| r.to_string()).unwrap_or_default(),
            unit.map_or(0, |u| u.n_responses),
            number(entry.index),
            number(scores.and_then(|s| s.rate)),
            entry.suppressed
        );
        for dim in &dims {
            let _ = write!(out, ",{}", number(scores.and_then(|s| s.dimension_score(dim))));
        }
        out.push('\n');
    }
    if let Some(compliance) = &analysis.compliance {
        compliance_csv(&mut out, compliance);
    }
    out
}

/// The raw-data columns: (question id, header label, matrix row id).
fn raw_columns(survey: &Survey) -> Vec<(String, String, Option<String>)> {
    let lang = survey.default_language();
    let text = |t: &survey_core::Text| t.get(lang, &survey.languages).to_owned();
    let mut columns = Vec::new();
    for (_, question) in survey.questions() {
        match question.kind {
            QuestionKind::Note => {}
            QuestionKind::Matrix => {
                for row in question.rows.as_deref().unwrap_or_default() {
                    columns.push((
                        question.id.clone(),
                        format!("{} / {}", text(&question.title), text(&row.label)),
                        Some(row.id.clone()),
                    ));
                }
            }
            _ => columns.push((question.id.clone(), text(&question.title), None)),
        }
    }
    columns
}

const RAW_FIXED: [&str; 9] =
    ["response_id", "unit", "device", "seq", "mode", "lang", "started_at", "finished_at", "quality_flags"];

/// The names of a response's quality flags, `;`-separated (empty when it has none).
fn flag_names(analysis: &Analysis<'_>, id: &str) -> String {
    let flags = analysis.flagged.iter().find(|f| f.id == id).map(|f| f.flags.as_slice()).unwrap_or_default();
    flags.iter().map(Flag::name).collect::<Vec<_>>().join(";")
}

/// The raw table: a header of labels, then a row per response, a column per question (matrix
/// rows as their own columns).
fn raw_rows(analysis: &Analysis<'_>, responses: &[&ExportedResponse]) -> Vec<Vec<String>> {
    let columns = raw_columns(analysis.survey);
    let mut rows = Vec::with_capacity(responses.len() + 1);
    rows.push(RAW_FIXED.iter().map(|s| (*s).to_owned()).chain(columns.iter().map(|(_, l, _)| l.clone())).collect());
    for response in responses {
        let mut row = vec![
            response.id.clone(),
            response.unit.clone().unwrap_or_default(),
            response.device[..16.min(response.device.len())].to_owned(),
            response.seq.to_string(),
            if response.mode == survey_core::Mode::Interview { "interview" } else { "self" }.to_owned(),
            response.lang.clone(),
            response.started_at.to_string(),
            response.finished_at.to_string(),
            flag_names(analysis, &response.id),
        ];
        for (question, _, matrix_row) in &columns {
            row.push(match (response.answers.get(question).map(|a| &a.value), matrix_row) {
                (Some(AnswerValue::Rows(values)), Some(id)) => {
                    values.get(id).map(ToString::to_string).unwrap_or_default()
                }
                (Some(AnswerValue::Text(t)), None) => t.clone(),
                (Some(AnswerValue::Number(n)), None) => n.to_string(),
                (Some(AnswerValue::Decimal(x)), None) => x.to_string(),
                (Some(AnswerValue::Bool(b)), None) => b.to_string(),
                (Some(AnswerValue::List(items)), None) => items.join(";"),
                _ => String::new(),
            });
        }
        rows.push(row);
    }
    rows
}

/// Response-level data (not anonymised by suppression; offered only as an explicit choice):
/// a row per counted response, a column per question, a header of labels in the survey's first
/// language, UTF-8 with BOM.
pub fn raw_csv(analysis: &Analysis<'_>) -> String {
    let mut out = String::from("\u{feff}");
    for row in raw_rows(analysis, &analysis.counted_responses()) {
        let cells: Vec<String> = row.iter().map(|cell| csv_field(cell)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The report as JSON: the shown report (the whole evaluation without scores, and without alpha,
/// when it has fewer than 5 responses), devices with missing sequence numbers, conflicts, counts
/// of quality flags (which responses carry them is response-level data: the raw export's
/// `quality_flags` column),
/// what the exclusion switch changes, the files not imported, and the change since a previous
/// round when one is given.
pub fn json(department: &Department, analysis: &Analysis<'_>, previous: Option<&Round>) -> serde_json::Value {
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
fn compliance_table(out: &mut String, round: &LoadedRound, compliance: &Compliance, analysis: &Analysis<'_>) {
    let p = &round.payload;
    let _ = writeln!(
        out,
        "\nround {} ({} to {}), organiser {} key {}",
        p.id, p.period.from, p.period.to, p.organiser.name, round.organiser_keyid
    );
    let _ = writeln!(out, "  frame commitment: {}", p.frame_commitment);
    let _ = writeln!(out, "  seed: {}", p.seed);
    let _ = writeln!(out, "  seed source: {}", p.seed_source);
    let _ = writeln!(out, "  round file sha256: {}", round.sha256);
    let header = "drawn  intv  subst  off  refused  vacant  inelig  nah-final  noncompl  resp-rate  subst-rate";
    let row = |f: &Figures| {
        let [drawn, interviewed, substitutes, off, refused, vacant, inelig, nah, noncompliant] = figure_counts(f);
        format!(
            "{drawn:>5}  {interviewed:>4}  {substitutes:>5}  {off:>3}  {refused:>7}  {vacant:>6}  {inelig:>6}  {nah:>9}  {noncompliant:>8}  {:>9}  {:>10}",
            fmt_rate(f.response_rate),
            fmt_rate(f.substitution_rate)
        )
    };
    let _ = writeln!(out, "\ncompliance by unit\nunit                          {header}");
    for unit in &compliance.units {
        let _ = writeln!(out, "{:<28}  {}", unit.unit, row(&unit.figures));
    }
    let _ = writeln!(out, "\ncompliance by evaluator\nevaluator         device            {header}  flag");
    for evaluator in &compliance.evaluators {
        let flag = if evaluator.flagged { "substitution rate stands out" } else { "" };
        let _ = writeln!(
            out,
            "{:<16}  {:<16}  {}  {flag}",
            evaluator.evaluator,
            short_fingerprint(&evaluator.device),
            row(&evaluator.figures)
        );
    }
    let spread = compliance.substitution;
    if let (Some(median), Some(mad), Some(threshold)) = (spread.median, spread.mad, spread.threshold) {
        let _ = writeln!(
            out,
            "substitution rate of evaluators with at least 10 drawn households: median {}, MAD {:.4}, flagged above {}",
            fmt_rate(Some(median)),
            mad,
            fmt_rate(Some(threshold))
        );
    }
    let counts = compliance.finding_counts();
    let listed: Vec<String> = Finding::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(finding, n)| format!("{} {n}", finding.code()))
        .collect();
    let findings: Vec<_> = compliance.findings().collect();
    let counted = if analysis.include_noncompliant { "counted (--include-noncompliant)" } else { "not counted" };
    let _ = writeln!(
        out,
        "\nfindings: {} responses{}; {counted}",
        findings.len(),
        if listed.is_empty() { String::new() } else { format!(" ({})", listed.join(", ")) }
    );
    for check in findings {
        let codes: Vec<&str> = check.findings.iter().map(|f| f.code()).collect();
        let _ = writeln!(
            out,
            "  {}  unit {}  household {}  device {}: {}",
            check.response,
            check.unit.as_deref().unwrap_or("-"),
            check.household.as_deref().unwrap_or("-"),
            short_fingerprint(&check.device),
            codes.join(", ")
        );
    }
    let off: Vec<_> = compliance.off_sample().collect();
    if !off.is_empty() {
        let counted = if analysis.include_off_sample { "counted (--include-off-sample)" } else { "not counted" };
        let _ = writeln!(out, "off-sample interviews (allowed): {}; {counted}", off.len());
    }
    if !compliance.contact_conflicts.is_empty() {
        let _ = writeln!(
            out,
            "contact attempts with two versions (not counted): {}",
            compliance.contact_conflicts.join(", ")
        );
    }
}

/// The compliance blocks appended to the aggregate CSV (after one empty line): units, then
/// evaluators, then the findings, each with its own header row.
fn compliance_csv(out: &mut String, compliance: &Compliance) {
    let rate = |r: Option<f64>| r.map(|r| format!("{r:.4}")).unwrap_or_default();
    let figures = |out: &mut String, f: &Figures| {
        for count in figure_counts(f) {
            let _ = write!(out, ",{count}");
        }
        let _ = write!(out, ",{},{}", rate(f.response_rate), rate(f.substitution_rate));
    };
    let _ = writeln!(out, "\ncompliance_unit,device,evaluator,{}", FIGURE_COLUMNS.join(","));
    for unit in &compliance.units {
        let _ = write!(out, "{},{},{}", csv_field(&unit.unit), unit.device, csv_field(&unit.evaluator));
        figures(out, &unit.figures);
        out.push('\n');
    }
    let _ = writeln!(out, "\ncompliance_evaluator,device,units,{},flagged", FIGURE_COLUMNS.join(","));
    for evaluator in &compliance.evaluators {
        let _ = write!(out, "{},{},{}", csv_field(&evaluator.evaluator), evaluator.device, evaluator.units);
        figures(out, &evaluator.figures);
        let _ = writeln!(out, ",{}", evaluator.flagged);
    }
    let _ = writeln!(out, "\nfinding_response,device,unit,household,position,findings");
    for check in compliance.findings() {
        let codes: Vec<&str> = check.findings.iter().map(|f| f.code()).collect();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            check.response,
            check.device,
            csv_field(check.unit.as_deref().unwrap_or("")),
            csv_field(check.household.as_deref().unwrap_or("")),
            check.position.map(|p| p.to_string()).unwrap_or_default(),
            codes.join(" ")
        );
    }
}

/// The XLSX workbook: units (with dimension scores), indicators and items of the whole
/// evaluation, and, only with `raw`, the responses.
pub fn xlsx(analysis: &Analysis<'_>, raw: bool) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let survey = analysis.survey;
    let report = analysis.report();
    let dims = dimension_ids(survey);
    let mut workbook = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let number = CellFormat::new().set_num_format("0.00");

    let sheet = workbook.add_worksheet().set_name("units")?;
    let header = ["unit", "name", "rank", "responses", "index", "rate", "suppressed"];
    for (col, title) in header.iter().map(|s| (*s).to_owned()).chain(dims.iter().cloned()).enumerate() {
        sheet.write_string_with_format(0, col as u16, title, &bold)?;
    }
    for (idx, entry) in report.ranking.iter().enumerate() {
        let row = idx as u32 + 1;
        let unit = report.units.iter().find(|u| u.label() == entry.unit);
        let scores = unit.and_then(|u| u.scores.as_ref());
        sheet.write_string(row, 0, &entry.unit)?;
        sheet.write_string(row, 1, unit_name(survey, &entry.unit))?;
        if let Some(rank) = entry.rank {
            sheet.write_number(row, 2, rank as f64)?;
        }
        sheet.write_number(row, 3, unit.map_or(0, |u| u.n_responses) as f64)?;
        if let Some(index) = entry.index {
            sheet.write_number_with_format(row, 4, index, &number)?;
        }
        if let Some(rate) = scores.and_then(|s| s.rate) {
            sheet.write_number_with_format(row, 5, rate, &number)?;
        }
        sheet.write_boolean(row, 6, entry.suppressed)?;
        for (offset, dim) in dims.iter().enumerate() {
            if let Some(value) = scores.and_then(|s| s.dimension_score(dim)) {
                sheet.write_number_with_format(row, (header.len() + offset) as u16, value, &number)?;
            }
        }
    }

    let shown = overall_shown(report);
    let sheet = workbook.add_worksheet().set_name("indicators")?;
    for (col, title) in ["indicator", "parent", "weight", "score", "rate"].iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (idx, indicator) in report.overall.indicators.iter().enumerate().filter(|_| shown) {
        let row = idx as u32 + 1;
        sheet.write_string(row, 0, &indicator.id)?;
        sheet.write_string(row, 1, indicator.parent.as_deref().unwrap_or(""))?;
        sheet.write_number(row, 2, indicator.weight)?;
        if let Some(score) = indicator.score {
            sheet.write_number_with_format(row, 3, score, &number)?;
        }
        if let Some(rate) = indicator.rate {
            sheet.write_number_with_format(row, 4, rate, &number)?;
        }
    }

    let sheet = workbook.add_worksheet().set_name("items")?;
    for (col, title) in ["item", "indicator", "n", "don't know", "mean", "rate"].iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (idx, item) in report.overall.items.iter().enumerate().filter(|_| shown) {
        let row = idx as u32 + 1;
        sheet.write_string(row, 0, &item.item)?;
        sheet.write_string(row, 1, item.indicator.as_deref().unwrap_or(""))?;
        sheet.write_number(row, 2, item.n as f64)?;
        sheet.write_number(row, 3, item.n_unscored as f64)?;
        if let Some(mean) = item.mean {
            sheet.write_number_with_format(row, 4, mean, &number)?;
        }
        if let Some(rate) = item.rate {
            sheet.write_number_with_format(row, 5, rate, &number)?;
        }
    }

    if let Some(compliance) = &analysis.compliance {
        let percent = CellFormat::new().set_num_format("0.0%");
        let sheet = workbook.add_worksheet().set_name("compliance")?;
        let header = ["unit / evaluator", "device", "evaluator"];
        for (col, title) in header.iter().chain(FIGURE_COLUMNS.iter()).chain(["flagged"].iter()).enumerate() {
            sheet.write_string_with_format(0, col as u16, *title, &bold)?;
        }
        let rows =
            compliance.units.iter().map(|u| (u.unit.as_str(), &u.device, &u.evaluator, &u.figures, None)).chain(
                compliance.evaluators.iter().map(|e| ("", &e.device, &e.evaluator, &e.figures, Some(e.flagged))),
            );
        for (idx, (unit, device, evaluator, figures, flagged)) in rows.enumerate() {
            let row = idx as u32 + 1;
            sheet.write_string(row, 0, unit)?;
            sheet.write_string(row, 1, device)?;
            sheet.write_string(row, 2, evaluator)?;
            for (offset, count) in figure_counts(figures).iter().enumerate() {
                sheet.write_number(row, 3 + offset as u16, *count as f64)?;
            }
            for (offset, rate) in [figures.response_rate, figures.substitution_rate].iter().enumerate() {
                if let Some(rate) = rate {
                    sheet.write_number_with_format(row, 12 + offset as u16, *rate, &percent)?;
                }
            }
            if let Some(flagged) = flagged {
                sheet.write_boolean(row, 14, flagged)?;
            }
        }
        let sheet = workbook.add_worksheet().set_name("findings")?;
        for (col, title) in ["response", "device", "unit", "household", "position", "findings"].iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *title, &bold)?;
        }
        for (idx, check) in compliance.findings().enumerate() {
            let row = idx as u32 + 1;
            sheet.write_string(row, 0, &check.response)?;
            sheet.write_string(row, 1, &check.device)?;
            sheet.write_string(row, 2, check.unit.as_deref().unwrap_or(""))?;
            sheet.write_string(row, 3, check.household.as_deref().unwrap_or(""))?;
            if let Some(position) = check.position {
                sheet.write_number(row, 4, position as f64)?;
            }
            let codes: Vec<&str> = check.findings.iter().map(|f| f.code()).collect();
            sheet.write_string(row, 5, codes.join(" "))?;
        }
    }

    if raw {
        let sheet = workbook.add_worksheet().set_name("responses")?;
        for (row, cells) in raw_rows(analysis, &analysis.counted_responses()).iter().enumerate() {
            for (col, cell) in cells.iter().enumerate() {
                if row == 0 {
                    sheet.write_string_with_format(0, col as u16, cell, &bold)?;
                } else {
                    sheet.write_string(row as u32, col as u16, cell)?;
                }
            }
        }
    }
    workbook.save_to_buffer()
}
