//! `survey convert FORM.xlsx -o survey.json`: an XLSForm workbook to a survey/1 definition, with
//! every problem named by sheet, row and column (`survey_xlsform`); nothing is written when there
//! is an error.

use crate::check::{cannot_read, lang_from_env};
use std::ffi::OsString;
use survey_core::MessageLang;
use survey_xlsform::Severity;

/// Runs the subcommand and returns the exit code: 0 written (warnings allowed), 1 the form has
/// errors, 2 unreadable input, an existing output or bad usage.
pub fn run(args: Vec<OsString>) -> u8 {
    let mut lang = None;
    let mut output: Option<OsString> = None;
    let mut form: Option<OsString> = None;
    let mut parser = lexopt::Parser::from_args(args);
    loop {
        match parser.next() {
            Ok(None) => break,
            Ok(Some(lexopt::Arg::Long("lang"))) => {
                match parser
                    .value()
                    .map_err(|e| e.to_string())
                    .and_then(|v| v.to_string_lossy().parse::<MessageLang>().map_err(|e| e.to_string()))
                {
                    Ok(parsed) => lang = Some(parsed),
                    Err(err) => return crate::usage::bad("convert", err),
                }
            }
            Ok(Some(lexopt::Arg::Short('o') | lexopt::Arg::Long("output"))) => match parser.value() {
                Ok(value) => output = Some(value),
                Err(err) => return crate::usage::bad("convert", err),
            },
            Ok(Some(lexopt::Arg::Value(file))) if form.is_none() => form = Some(file),
            Ok(Some(other)) => {
                return crate::usage::bad("convert", format!("unexpected argument {}", other.unexpected()))
            }
            Err(err) => return crate::usage::bad("convert", err),
        }
    }
    let (Some(form), Some(output)) = (form, output) else {
        return crate::usage::bad("convert", "give the workbook and -o OUTPUT");
    };
    let lang = lang.unwrap_or_else(|| lang_from_env(|name| std::env::var_os(name)));
    let name = form.to_string_lossy().into_owned();
    let bytes = match std::fs::read(&form) {
        Ok(bytes) => bytes,
        Err(err) => {
            eprintln!("{name}: {}", cannot_read(lang, &err));
            return 2;
        }
    };
    let conversion = survey_xlsform::convert(&bytes);
    for problem in &conversion.problems {
        let level = match (problem.severity, lang) {
            (Severity::Error, MessageLang::ZhCn) => "错误：",
            (Severity::Error, MessageLang::En) => "error: ",
            (Severity::Warning, MessageLang::ZhCn) => "警告：",
            (Severity::Warning, MessageLang::En) => "warning: ",
        };
        eprintln!("{name}: {level}{}", problem.render(lang));
    }
    let Some(definition) = conversion.definition else { return 1 };
    let target = output.to_string_lossy().into_owned();
    // Never over an existing file: a definition already in use must not change by accident.
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&output)
        .and_then(|mut file| std::io::Write::write_all(&mut file, definition.as_bytes()));
    match written {
        Ok(()) => {
            let done = match lang {
                MessageLang::ZhCn => "已写入",
                MessageLang::En => "written",
            };
            println!("{target}: {done}");
            0
        }
        Err(err) => {
            eprintln!("{target}: {}", cannot_read(lang, &err).replacen("read", "write", 1).replacen("读取", "写入", 1));
            2
        }
    }
}
