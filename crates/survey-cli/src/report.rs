//! `survey report`: import bundles (verify, deduplicate, find conflicts and missing responses),
//! score them, and print or write the result as a table, CSV (UTF-8 with BOM, for Excel), JSON,
//! raw CSV or XLSX. The work is done by `survey_dept`, which the app's department page uses too.

use crate::bundles::read_identities;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use survey_dept::compare::Round;
use survey_dept::{render, Department};

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

pub fn run(args: Vec<OsString>) -> u8 {
    let mut survey_path: Option<PathBuf> = None;
    let mut roster_path: Option<PathBuf> = None;
    let mut identity_path: Option<PathBuf> = None;
    let mut format = Format::Table;
    let mut exclude_flagged = false;
    let mut output_path: Option<PathBuf> = None;
    let mut raw = false;
    let mut previous_path: Option<PathBuf> = None;
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
            return crate::usage::bad("report", err);
        }
    }
    if format == Format::Xlsx && output_path.is_none() {
        return crate::usage::bad("report", "--format xlsx needs --output FILE.xlsx");
    }
    let (Some(survey_path), Some(roster_path)) = (survey_path, roster_path) else {
        return crate::usage::bad("report", "give --survey FILE and --roster FILE");
    };
    if inputs.is_empty() {
        return crate::usage::bad("report", "give bundle files or folders");
    }
    let fail = |err: String| {
        eprintln!("survey report: {err}");
        2
    };
    let mut department = Department::new();
    let text = match std::fs::read_to_string(&survey_path) {
        Ok(text) => text,
        Err(err) => return fail(format!("{}: {err}", survey_path.display())),
    };
    let fingerprint = match department.add_survey(&text) {
        Ok(fingerprint) => fingerprint,
        Err(err) => return fail(format!("{}: not a valid survey (run `survey check`): {err}", survey_path.display())),
    };
    let roster = match std::fs::read(&roster_path) {
        Ok(bytes) => bytes,
        Err(err) => return fail(format!("{}: {err}", roster_path.display())),
    };
    if let Err(err) = department.set_roster(&roster) {
        return fail(format!("{}: {err}", roster_path.display()));
    }
    match identity_path.as_ref().map(read_identities).transpose() {
        Ok(identities) => department.set_identities(identities.unwrap_or_default()),
        Err(err) => return fail(err),
    }
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
    let Some(analysis) = department.analysis(&fingerprint, exclude_flagged) else {
        return fail("the survey was not loaded".to_owned());
    };
    let output = match format {
        Format::Table => render::table(&department, &analysis, previous.as_ref()),
        Format::Csv => render::csv(&analysis),
        Format::RawCsv => render::raw_csv(&analysis),
        Format::Json => {
            let value = render::json(&department, &analysis, previous.as_ref());
            format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default())
        }
        Format::Xlsx => {
            let path = output_path.unwrap_or_default();
            let written = render::xlsx(&analysis, raw)
                .map_err(|err| err.to_string())
                .and_then(|bytes| std::fs::write(&path, bytes).map_err(|err| err.to_string()));
            return match written {
                Ok(()) => {
                    println!("{}: written", path.display());
                    0
                }
                Err(err) => fail(format!("{}: {err}", path.display())),
            };
        }
    };
    match &output_path {
        Some(path) => match std::fs::write(path, output) {
            Ok(()) => {
                println!("{}: written", path.display());
                0
            }
            Err(err) => fail(format!("{}: {err}", path.display())),
        },
        None => {
            print!("{output}");
            0
        }
    }
}
