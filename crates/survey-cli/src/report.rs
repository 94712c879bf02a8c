//! `survey report`: import bundles (verify, deduplicate, find conflicts and missing responses),
//! score them, and print the result as a table, CSV (UTF-8 with BOM, for Excel) or JSON.

use crate::bundles::{open_bundle, read_identities, read_roster};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use survey_core::bundle::{verify, BundleError};
use survey_core::import::Import;
use survey_core::quality::{flag_responses, Flag};
use survey_core::score::{score, Report, MIN_UNIT_RESPONSES};
use survey_core::{load_survey, short_fingerprint, Survey};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Csv,
    Json,
    /// Response-level data: chosen explicitly, since it is not anonymised by suppression.
    RawCsv,
    /// A workbook (needs `--output`): unit scores, indicator scores, item scores; responses too
    /// only with `--raw`.
    Xlsx,
}

/// Writes the XLSX workbook.
fn xlsx(
    path: &Path,
    report: &Report,
    responses: &[survey_core::bundle::ExportedResponse],
    survey: &Survey,
    raw: bool,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let mut workbook = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let number = CellFormat::new().set_num_format("0.00");

    let sheet = workbook.add_worksheet().set_name("units")?;
    for (col, title) in ["unit", "rank", "responses", "index", "rate", "suppressed"].iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (idx, entry) in report.ranking.iter().enumerate() {
        let row = idx as u32 + 1;
        let unit = report.units.iter().find(|u| u.label() == entry.unit);
        sheet.write_string(row, 0, &entry.unit)?;
        if let Some(rank) = entry.rank {
            sheet.write_number(row, 1, rank as f64)?;
        }
        sheet.write_number(row, 2, unit.map_or(0, |u| u.n_responses) as f64)?;
        if let Some(index) = entry.index {
            sheet.write_number_with_format(row, 3, index, &number)?;
        }
        if let Some(rate) = unit.and_then(|u| u.scores.as_ref()).and_then(|s| s.rate) {
            sheet.write_number_with_format(row, 4, rate, &number)?;
        }
        sheet.write_boolean(row, 5, entry.suppressed)?;
    }

    let shown = report.overall.n_responses >= MIN_UNIT_RESPONSES;
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

    if raw {
        // Response-level data, the same columns as raw-csv.
        let sheet = workbook.add_worksheet().set_name("responses")?;
        let text = raw_csv(survey, responses);
        for (row, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
            for (col, cell) in split_csv_line(line).iter().enumerate() {
                sheet.write_string(row as u32, col as u16, cell)?;
            }
        }
    }
    workbook.save(path)
}

/// Splits one line written by `csv_field` (quotes doubled inside quoted fields).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// A file that was not imported, and why.
struct Refused {
    file: String,
    code: String,
    message: String,
}

/// Collects bundle files: files as given, directories searched (not recursively) for
/// `*.bundle.json` and `*.bundle.json.age`, sorted so that output is stable.
fn bundle_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input).map_err(|err| format!("{}: {err}", input.display()))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    name.ends_with(".bundle.json") || name.ends_with(".bundle.json.age")
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn fmt_number(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"))
}

fn table(survey: &Survey, report: &Report, import: &Import, refused: &[Refused]) -> String {
    let mut out = String::new();
    let title = survey.title.get(survey.default_language(), &survey.languages);
    let _ = writeln!(out, "{title} ({} {})", survey.id, survey.version);
    // The anonymity rule holds for the whole evaluation too: too few responses, no numbers.
    let overall_shown = report.overall.n_responses >= MIN_UNIT_RESPONSES;
    if overall_shown {
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
        let n = report.units.iter().find(|u| u.label() == entry.unit).map_or(0, |u| u.n_responses);
        let rank = entry.rank.map_or_else(|| "-".to_owned(), |r| r.to_string());
        let index = if entry.suppressed { "suppressed (n < 5)".to_owned() } else { fmt_number(entry.index) };
        let _ = writeln!(out, "{rank:>4}  {:<28}  {n:>3}  {index}", entry.unit);
    }
    let _ = writeln!(out, "\nindicator                      score   rate");
    for indicator in report.overall.indicators.iter().filter(|_| overall_shown) {
        let indent = if indicator.parent.is_some() { "  " } else { "" };
        let _ = writeln!(
            out,
            "{indent}{:<29}  {:>6}  {:>6}",
            indicator.id,
            fmt_number(indicator.score),
            fmt_number(indicator.rate)
        );
    }
    for device in import.devices() {
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
    for conflict in import.conflicts() {
        let _ = writeln!(
            out,
            "\nconflict: response {} has {} different versions; not counted",
            conflict.id,
            conflict.hashes.len()
        );
    }
    for file in refused {
        let _ = writeln!(out, "\nnot imported: {}: {}: {}", file.file, file.code, file.message);
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A row per response, a column per question (matrix rows as `QID.ROW`), header of labels in the
/// survey's first language, UTF-8 with BOM so that spreadsheet programs show Chinese.
fn raw_csv(survey: &Survey, responses: &[survey_core::bundle::ExportedResponse]) -> String {
    use survey_core::{AnswerValue, QuestionKind};
    let lang = survey.default_language();
    let text = |t: &survey_core::Text| t.get(lang, &survey.languages).to_owned();
    let mut columns: Vec<(String, String, Option<String>)> = Vec::new();
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
    let mut out = String::from("\u{feff}response_id,unit,device,seq,mode,lang,started_at,finished_at");
    for (_, label, _) in &columns {
        out.push(',');
        out.push_str(&csv_field(label));
    }
    out.push('\n');
    for response in responses {
        let _ = write!(
            out,
            "{},{},{},{},{},{},{},{}",
            csv_field(&response.id),
            csv_field(response.unit.as_deref().unwrap_or("")),
            &response.device[..16.min(response.device.len())],
            response.seq,
            if response.mode == survey_core::Mode::Interview { "interview" } else { "self" },
            response.lang,
            response.started_at,
            response.finished_at
        );
        for (question, _, row) in &columns {
            let cell = match (response.answers.get(question).map(|a| &a.value), row) {
                (Some(AnswerValue::Rows(rows)), Some(row)) => {
                    rows.get(row).map(ToString::to_string).unwrap_or_default()
                }
                (Some(AnswerValue::Text(t)), None) => t.clone(),
                (Some(AnswerValue::Number(n)), None) => n.to_string(),
                (Some(AnswerValue::Decimal(x)), None) => x.to_string(),
                (Some(AnswerValue::Bool(b)), None) => b.to_string(),
                (Some(AnswerValue::List(items)), None) => items.join(";"),
                _ => String::new(),
            };
            out.push(',');
            out.push_str(&csv_field(&cell));
        }
        out.push('\n');
    }
    out
}

/// Aggregates only (units below the anonymity threshold are suppressed by the scoring).
fn csv(report: &Report) -> String {
    let mut out = String::from("\u{feff}unit,rank,n_responses,index,rate,suppressed\n");
    for entry in &report.ranking {
        let unit = report.units.iter().find(|u| u.label() == entry.unit);
        let n = unit.map_or(0, |u| u.n_responses);
        let rate = unit.and_then(|u| u.scores.as_ref()).and_then(|s| s.rate);
        let number = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{},{n},{},{},{}",
            csv_field(&entry.unit),
            entry.rank.map(|r| r.to_string()).unwrap_or_default(),
            number(entry.index),
            number(rate),
            entry.suppressed
        );
    }
    out
}

pub fn run(args: Vec<OsString>) -> u8 {
    let mut survey_path: Option<PathBuf> = None;
    let mut roster_path: Option<PathBuf> = None;
    let mut identity_path: Option<PathBuf> = None;
    let mut format = Format::Table;
    let mut exclude_flagged = false;
    let mut output_path: Option<PathBuf> = None;
    let mut raw = false;
    let mut inputs: Vec<PathBuf> = Vec::new();
    let mut parser = lexopt::Parser::from_args(args);
    loop {
        let arg = match parser.next() {
            Ok(None) => break,
            Ok(Some(arg)) => arg,
            Err(err) => {
                eprintln!("survey report: {err}");
                return 2;
            }
        };
        let outcome: Result<(), String> = match arg {
            lexopt::Arg::Long("survey") => {
                parser.value().map(|v| survey_path = Some(v.into())).map_err(|e| e.to_string())
            }
            lexopt::Arg::Long("roster") => {
                parser.value().map(|v| roster_path = Some(v.into())).map_err(|e| e.to_string())
            }
            lexopt::Arg::Long("identity") => {
                parser.value().map(|v| identity_path = Some(v.into())).map_err(|e| e.to_string())
            }
            lexopt::Arg::Long("format") => {
                let value = parser.value().map(|v| v.to_string_lossy().into_owned()).map_err(|e| e.to_string());
                value.and_then(|value| {
                    format = match value.as_str() {
                        "table" => Format::Table,
                        "csv" => Format::Csv,
                        "json" => Format::Json,
                        "raw-csv" => Format::RawCsv,
                        "xlsx" => Format::Xlsx,
                        other => return Err(format!("unknown format `{other}` (table, csv, json, raw-csv or xlsx)")),
                    };
                    Ok(())
                })
            }
            lexopt::Arg::Short('o') | lexopt::Arg::Long("output") => {
                parser.value().map(|v| output_path = Some(v.into())).map_err(|e| e.to_string())
            }
            lexopt::Arg::Long("raw") => {
                raw = true;
                Ok(())
            }
            lexopt::Arg::Long("exclude-flagged") => {
                exclude_flagged = true;
                Ok(())
            }
            lexopt::Arg::Value(path) => {
                inputs.push(path.into());
                Ok(())
            }
            other => Err(format!("unexpected argument {}", other.unexpected())),
        };
        if let Err(err) = outcome {
            eprintln!("survey report: {err}");
            return 2;
        }
    }
    if format == Format::Xlsx && output_path.is_none() {
        eprintln!("survey report: --format xlsx needs --output FILE.xlsx");
        return 2;
    }
    let (Some(survey_path), Some(roster_path)) = (survey_path, roster_path) else {
        eprintln!("survey report: give --survey FILE and --roster FILE");
        return 2;
    };
    if inputs.is_empty() {
        eprintln!("survey report: give bundle files or folders");
        return 2;
    }
    let text = match std::fs::read_to_string(&survey_path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("survey report: {}: {err}", survey_path.display());
            return 2;
        }
    };
    let loaded = load_survey(&text);
    let (Some(survey), Some(fingerprint)) = (loaded.survey, loaded.fingerprint) else {
        eprintln!("survey report: {}: not a valid survey (run `survey check`)", survey_path.display());
        return 2;
    };
    let roster = match read_roster(&roster_path) {
        Ok(roster) => roster,
        Err(err) => {
            eprintln!("survey report: {err}");
            return 2;
        }
    };
    let identities = match identity_path.as_ref().map(read_identities).transpose() {
        Ok(identities) => identities,
        Err(err) => {
            eprintln!("survey report: {err}");
            return 2;
        }
    };
    let files = match bundle_files(&inputs) {
        Ok(files) => files,
        Err(err) => {
            eprintln!("survey report: {err}");
            return 2;
        }
    };

    let mut import = Import::default();
    let mut refused = Vec::new();
    let mut refuse = |file: &Path, code: &str, message: String| {
        refused.push(Refused { file: file.display().to_string(), code: code.to_owned(), message });
    };
    for file in &files {
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(err) => {
                refuse(file, "unreadable", err.to_string());
                continue;
            }
        };
        let plain = match open_bundle(bytes, identities.as_deref()) {
            Ok(plain) => plain,
            Err((code, message)) => {
                refuse(file, code, message);
                continue;
            }
        };
        match verify(&plain, &roster) {
            Ok(bundle) if bundle.survey.fingerprint != fingerprint => refuse(
                file,
                "unknown_survey",
                format!(
                    "answers survey {} {} ({}), not this one",
                    bundle.survey.id,
                    bundle.survey.version,
                    short_fingerprint(&bundle.survey.fingerprint)
                ),
            ),
            Ok(bundle) => {
                import.add(&bundle);
            }
            // Bundles from devices not on the roster are quarantined: listed, never counted.
            Err(err @ BundleError::UnknownKey(_)) => refuse(file, "quarantined", err.to_string()),
            Err(err) => refuse(file, err.code(), err.to_string()),
        }
    }

    let responses = import.responses();
    let flagged = flag_responses(&survey, &responses);
    let n_flagged = flagged.iter().filter(|f| !f.flags.is_empty()).count();
    let all_report = score(&survey, &responses);
    // With --exclude-flagged the report is of the unflagged responses, and the table shows how
    // the overall numbers moved.
    let report = if exclude_flagged {
        let kept: Vec<_> =
            responses.iter().zip(&flagged).filter(|(_, f)| f.flags.is_empty()).map(|(r, _)| r.clone()).collect();
        score(&survey, &kept)
    } else {
        all_report.clone()
    };
    let output = match format {
        Format::Table => {
            let mut out = table(&survey, &report, &import, &refused);
            let count = |name: &str| {
                flagged
                    .iter()
                    .flat_map(|f| &f.flags)
                    .filter(|flag| match flag {
                        Flag::Speeding { .. } => name == "speeding",
                        Flag::StraightLining { .. } => name == "straight_lining",
                        Flag::Contradiction { .. } => name == "contradiction",
                    })
                    .count()
            };
            let _ = writeln!(
                out,
                "\nquality flags: {n_flagged} of {} responses (speeding {}, straight-lining {}, contradiction {})",
                responses.len(),
                count("speeding"),
                count("straight_lining"),
                count("contradiction")
            );
            if exclude_flagged && all_report.overall.n_responses >= MIN_UNIT_RESPONSES {
                let _ = writeln!(
                    out,
                    "flagged responses excluded: index {} (with them {})",
                    fmt_number(report.overall.index),
                    fmt_number(all_report.overall.index)
                );
            }
            out
        }
        Format::Csv => csv(&report),
        Format::RawCsv => raw_csv(&survey, &responses),
        Format::Xlsx => {
            let path = output_path.unwrap_or_default();
            return match xlsx(&path, &report, &responses, &survey, raw) {
                Ok(()) => {
                    println!("{}: written", path.display());
                    0
                }
                Err(err) => {
                    eprintln!("survey report: {}: {err}", path.display());
                    2
                }
            };
        }
        Format::Json => {
            let refused_json: Vec<_> = refused
                .iter()
                .map(|r| serde_json::json!({"file": r.file, "code": r.code, "message": r.message}))
                .collect();
            let devices: Vec<_> = import
                .devices()
                .iter()
                .map(|d| serde_json::json!({"keyid": d.keyid, "evaluator": d.evaluator, "seq_high": d.seq_high, "missing": d.missing()}))
                .collect();
            let mut report_json = serde_json::to_value(&report).unwrap_or_default();
            if report.overall.n_responses < MIN_UNIT_RESPONSES {
                report_json["overall"] =
                    serde_json::json!({"n_responses": report.overall.n_responses, "suppressed": true});
            }
            let value = serde_json::json!({
                "survey": {"id": survey.id, "version": survey.version, "fingerprint": fingerprint},
                "bundles": import.bundle_count(),
                "report": report_json,
                "devices": devices,
                "conflicts": import.conflicts(),
                "quality_flags": flagged.iter().filter(|f| !f.flags.is_empty()).collect::<Vec<_>>(),
                "flagged_excluded": exclude_flagged,
                "not_imported": refused_json,
            });
            format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default())
        }
    };
    print!("{output}");
    0
}
