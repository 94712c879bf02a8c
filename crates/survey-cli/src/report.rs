//! `survey report`: import bundles (verify, deduplicate, find conflicts and missing responses),
//! score them, and print or write the result as a table, CSV (UTF-8 with BOM, for Excel), JSON,
//! raw CSV or XLSX. The work is done by `survey_dept`, which the app's department page uses too.

use crate::bundles::read_identities;
use crate::check::lang_from_env;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use survey_core::MessageLang;
use survey_dept::compare::dimension_ids;
use survey_dept::compare::Round;
use survey_dept::render::cells::UtcOffset;
use survey_dept::render::{self, Presentation};
use survey_dept::stages::{FinalReport, Residents, Stages};
use survey_dept::{Department, Options};

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

/// Collects bundle files: files as given, folders searched at every depth for bundle files
/// (`survey_dept::is_bundle_name`, as the department page does with a dropped folder), sorted so
/// that output is stable.
fn bundle_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
        let entries = std::fs::read_dir(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found)?;
            } else if path.file_name().is_some_and(|n| survey_dept::is_bundle_name(&n.to_string_lossy())) {
                found.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found)?;
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

/// Loads the round (its survey and devices), or the survey and the roster; returns the survey's
/// fingerprint. Errors name the file.
pub fn load_inputs(
    department: &mut Department,
    round: Option<&PathBuf>,
    survey: Option<&PathBuf>,
    roster: Option<&PathBuf>,
) -> Result<String, String> {
    if let Some(path) = round {
        let bytes = std::fs::read(path).map_err(|err| format!("{}: {err}", path.display()))?;
        let round = department
            .set_round(&bytes)
            .map_err(|err| format!("{}: not a valid round file (run `survey round verify`): {err}", path.display()))?;
        return Ok(round.payload.survey_fingerprint.clone());
    }
    let (Some(survey), Some(roster)) = (survey, roster) else {
        return Err("give --round FILE, or --survey FILE and --roster FILE".to_owned());
    };
    let text = std::fs::read_to_string(survey).map_err(|err| format!("{}: {err}", survey.display()))?;
    let fingerprint = department
        .add_survey(&text)
        .map_err(|err| format!("{}: not a valid survey (run `survey check`): {err}", survey.display()))?;
    let bytes = std::fs::read(roster).map_err(|err| format!("{}: {err}", roster.display()))?;
    department.set_roster(&bytes).map_err(|err| format!("{}: {err}", roster.display()))?;
    Ok(fingerprint)
}

/// The final scores of `--stages FILE`: the stages file, then the lists it names, read from its
/// folder; every problem of every file, each naming its file and place.
fn final_scores(path: &Path, analysis: &survey_dept::Analysis<'_>) -> Result<FinalReport, Vec<String>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|err| vec![format!("{name}: {err}")])?;
    let stages =
        Stages::parse(&name, &text).map_err(|problems| problems.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut lists = BTreeMap::new();
    let mut unreadable = Vec::new();
    for file in stages.list_files() {
        match std::fs::read(folder.join(file)) {
            Ok(bytes) => {
                lists.insert(file.to_owned(), bytes);
            }
            Err(err) => unreadable.push(format!("{}: {err}", folder.join(file).display())),
        }
    }
    if !unreadable.is_empty() {
        return Err(unreadable);
    }
    let residents = Residents::from_report(analysis.report(), dimension_ids(analysis.survey));
    stages.compute(&residents, &lists).map_err(|problems| problems.iter().map(ToString::to_string).collect())
}

pub fn run(args: Vec<OsString>) -> u8 {
    let mut survey_path: Option<PathBuf> = None;
    let mut roster_path: Option<PathBuf> = None;
    let mut round_path: Option<PathBuf> = None;
    let mut options = Options::default();
    let mut identity_path: Option<PathBuf> = None;
    let mut format = Format::Table;
    let mut output_path: Option<PathBuf> = None;
    let mut raw = false;
    let mut previous_path: Option<PathBuf> = None;
    let mut lang: Option<MessageLang> = None;
    let mut offset = UtcOffset::default();
    let mut allow_partial = false;
    let mut stages_path: Option<PathBuf> = None;
    let mut inputs: Vec<PathBuf> = Vec::new();
    let mut parser = lexopt::Parser::from_args(args);
    loop {
        let arg = match parser.next() {
            Ok(None) => break,
            Ok(Some(arg)) => arg,
            Err(err) => {
                return crate::usage::bad("report", err);
            }
        };
        let outcome: Result<(), String> = match arg {
            lexopt::Arg::Long("survey") => {
                parser.value().map(|v| survey_path = Some(v.into())).map_err(|e| e.to_string())
            }
            lexopt::Arg::Long("roster") => {
                parser.value().map(|v| roster_path = Some(v.into())).map_err(|e| e.to_string())
            }
            lexopt::Arg::Long("round") => {
                parser.value().map(|v| round_path = Some(v.into())).map_err(|e| e.to_string())
            }
            lexopt::Arg::Long("include-noncompliant") => {
                options.include_noncompliant = true;
                Ok(())
            }
            lexopt::Arg::Long("include-off-sample") => {
                options.include_off_sample = true;
                Ok(())
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
            lexopt::Arg::Long("previous") => {
                parser.value().map(|v| previous_path = Some(v.into())).map_err(|e| e.to_string())
            }
            lexopt::Arg::Long("raw") => {
                raw = true;
                Ok(())
            }
            lexopt::Arg::Long("lang") => parser.value().map_err(|e| e.to_string()).and_then(|value| {
                lang = Some(value.to_string_lossy().parse::<MessageLang>().map_err(|e| e.to_string())?);
                Ok(())
            }),
            lexopt::Arg::Long("utc-offset") => parser.value().map_err(|e| e.to_string()).and_then(|value| {
                offset = UtcOffset::parse(&value.to_string_lossy())?;
                Ok(())
            }),
            lexopt::Arg::Long("stages") => {
                parser.value().map(|v| stages_path = Some(v.into())).map_err(|e| e.to_string())
            }
            lexopt::Arg::Long("allow-partial") => {
                allow_partial = true;
                Ok(())
            }
            lexopt::Arg::Long("exclude-flagged") => {
                options.exclude_flagged = true;
                Ok(())
            }
            lexopt::Arg::Value(path) => {
                inputs.push(path.into());
                Ok(())
            }
            other => Err(format!("unexpected argument {}", other.unexpected())),
        };
        if let Err(err) = outcome {
            return crate::usage::bad("report", err);
        }
    }
    if format == Format::Xlsx && output_path.is_none() {
        return crate::usage::bad("report", "--format xlsx needs --output FILE.xlsx");
    }
    let inputs_given = match (&round_path, &survey_path, &roster_path) {
        (Some(_), None, None) | (None, Some(_), Some(_)) => true,
        (Some(_), _, _) => {
            return crate::usage::bad(
                "report",
                "--round gives the survey and the devices: leave out --survey and --roster",
            )
        }
        _ => false,
    };
    if !inputs_given {
        return crate::usage::bad("report", "give --round FILE, or --survey FILE and --roster FILE");
    }
    if round_path.is_none() && (options.include_noncompliant || options.include_off_sample) {
        return crate::usage::bad("report", "--include-noncompliant and --include-off-sample need --round FILE");
    }
    if inputs.is_empty() {
        return crate::usage::bad("report", "give bundle files or folders");
    }
    let fail = |err: String| {
        eprintln!("survey report: {err}");
        2
    };
    let mut department = Department::new();
    let fingerprint =
        match load_inputs(&mut department, round_path.as_ref(), survey_path.as_ref(), roster_path.as_ref()) {
            Ok(fingerprint) => fingerprint,
            Err(err) => return fail(err),
        };
    match identity_path.as_ref().map(read_identities).transpose() {
        Ok(identities) => department.set_identities(identities.unwrap_or_default()),
        Err(err) => return fail(err),
    }
    let presentation =
        Presentation { lang: lang.unwrap_or_else(|| lang_from_env(|name| std::env::var_os(name))), offset };
    let previous = match previous_path.as_ref().map(|path| {
        std::fs::read_to_string(path)
            .map_err(|err| err.to_string())
            .and_then(|text| Round::from_json(&text))
            .map_err(|err| format!("{}: {err}", path.display()))
    }) {
        Some(Err(err)) => return fail(err),
        Some(Ok(round)) => Some(round),
        None => None,
    };
    let files = match bundle_files(&inputs) {
        Ok(files) => files,
        Err(err) => return fail(err),
    };
    // Nothing to import is a mistake (a wrong folder, files not yet copied), not a report of
    // zero responses.
    if files.is_empty() {
        let given: Vec<String> = inputs.iter().map(|path| path.display().to_string()).collect();
        return fail(format!("no bundle files (*.bundle.json, *.bundle.json.age) in {}", given.join(", ")));
    }
    for file in &files {
        let name = file.display().to_string();
        match std::fs::read(file) {
            Ok(bytes) => {
                department.add_file(&name, &bytes);
            }
            // An unreadable file is reported like a refused one, and the rest still imports.
            Err(err) => department.refuse_file(&name, "unreadable", err.to_string()),
        }
    }
    let Some(analysis) = department.analysis(&fingerprint, options) else {
        return fail("the survey was not loaded".to_owned());
    };
    // The report is written in any case; a partial import says so on stderr and, unless the
    // user accepted it, in the exit status, so that a script cannot mistake it for a whole one.
    let summary = render::import_summary(&department.file_counts(), presentation.lang);
    let written_status = match &summary {
        Some(summary) => {
            eprintln!("survey report: {summary}");
            if allow_partial {
                0
            } else {
                eprintln!("survey report: exit status 1; give --allow-partial to accept a partial report");
                1
            }
        }
        None => 0,
    };
    let final_result = match stages_path.as_ref().map(|path| final_scores(path, &analysis)) {
        Some(Err(problems)) => {
            for problem in &problems {
                eprintln!("survey report: {problem}");
            }
            return 2;
        }
        Some(Ok(result)) => Some(result),
        None => None,
    };
    let p = &presentation;
    let final_result = final_result.as_ref();
    let output = match format {
        Format::Table => render::table(&department, &analysis, previous.as_ref(), final_result, p),
        Format::Csv => render::csv(&analysis, final_result, p),
        Format::RawCsv => render::raw_csv(&analysis, p),
        Format::Json => {
            let value = render::json(&department, &analysis, previous.as_ref(), final_result);
            format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default())
        }
        Format::Xlsx => {
            let path = output_path.unwrap_or_default();
            let written = render::xlsx(&analysis, raw, final_result, p)
                .map_err(|err| err.to_string())
                .and_then(|bytes| std::fs::write(&path, bytes).map_err(|err| err.to_string()));
            return match written {
                Ok(()) => {
                    println!("{}: written", path.display());
                    written_status
                }
                Err(err) => fail(format!("{}: {err}", path.display())),
            };
        }
    };
    match &output_path {
        Some(path) => match std::fs::write(path, output) {
            Ok(()) => {
                println!("{}: written", path.display());
                written_status
            }
            Err(err) => fail(format!("{}: {err}", path.display())),
        },
        None => {
            print!("{output}");
            written_status
        }
    }
}
