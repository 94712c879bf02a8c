//! `survey check`: validate definition files and report every problem with its JSON path.

use std::ffi::OsString;
use std::io::Write;
use survey_core::{load_survey, short_fingerprint, Severity};

/// Runs the subcommand and returns the exit code.
pub fn run(args: Vec<OsString>) -> u8 {
    let mut json = false;
    let mut files: Vec<OsString> = Vec::new();
    let mut parser = lexopt::Parser::from_args(args);
    loop {
        match parser.next() {
            Ok(None) => break,
            Ok(Some(lexopt::Arg::Long("json"))) => json = true,
            Ok(Some(lexopt::Arg::Value(file))) => files.push(file),
            Ok(Some(other)) => {
                eprintln!("survey check: unexpected argument {}", other.unexpected());
                return 2;
            }
            Err(err) => {
                eprintln!("survey check: {err}");
                return 2;
            }
        }
    }
    if files.is_empty() {
        eprintln!("survey check: give at least one survey definition file");
        return 2;
    }

    let mut unreadable = false;
    let mut errors = false;
    let mut reports = Vec::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for file in &files {
        let name = file.to_string_lossy().into_owned();
        let text = match std::fs::read(file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(err) => {
                    eprintln!("{name}: cannot read: not UTF-8 text (byte {})", err.utf8_error().valid_up_to());
                    unreadable = true;
                    continue;
                }
            },
            Err(err) => {
                eprintln!("{name}: cannot read: {err}");
                unreadable = true;
                continue;
            }
        };
        let loaded = load_survey(&text);
        errors |= loaded.has_errors();
        if json {
            reports.push(serde_json::json!({
                "file": name,
                "ok": !loaded.has_errors(),
                "fingerprint": loaded.fingerprint,
                "diagnostics": loaded.diagnostics,
            }));
            continue;
        }
        for diagnostic in &loaded.diagnostics {
            // A closed stdout (e.g. piped into `head`) is not a validation failure.
            let _ = writeln!(out, "{name}: {diagnostic}");
        }
        if !loaded.has_errors() {
            let fingerprint = loaded.fingerprint.as_deref().map(short_fingerprint).unwrap_or_default();
            let warnings = loaded.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
            let _ = writeln!(out, "{name}: ok (fingerprint {fingerprint}, {warnings} warning(s))");
        }
    }
    if json {
        let _ = writeln!(out, "{}", serde_json::Value::Array(reports));
    }
    if unreadable {
        2
    } else if errors {
        1
    } else {
        0
    }
}
