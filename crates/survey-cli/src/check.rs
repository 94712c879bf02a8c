//! `survey check`: validate definition files and report every problem with its JSON path, in
//! Chinese or English.

use std::ffi::OsString;
use std::io::Write;
use survey_core::{load_survey, short_fingerprint, Diagnostic, MessageLang, Severity};

/// Runs the subcommand and returns the exit code.
pub fn run(args: Vec<OsString>) -> u8 {
    let mut json = false;
    let mut lang = None;
    let mut files: Vec<OsString> = Vec::new();
    let mut parser = lexopt::Parser::from_args(args);
    loop {
        match parser.next() {
            Ok(None) => break,
            Ok(Some(lexopt::Arg::Long("json"))) => json = true,
            Ok(Some(lexopt::Arg::Long("lang"))) => {
                let value = match parser.value() {
                    Ok(value) => value,
                    Err(err) => {
                        return crate::usage::bad("check", err);
                    }
                };
                match value.to_string_lossy().parse::<MessageLang>() {
                    Ok(parsed) => lang = Some(parsed),
                    Err(err) => {
                        return crate::usage::bad("check", err);
                    }
                }
            }
            Ok(Some(lexopt::Arg::Value(file))) => files.push(file),
            Ok(Some(other)) => {
                return crate::usage::bad("check", format!("unexpected argument {}", other.unexpected()));
            }
            Err(err) => {
                return crate::usage::bad("check", err);
            }
        }
    }
    if files.is_empty() {
        return crate::usage::bad("check", "give at least one survey definition file");
    }
    let lang = lang.unwrap_or_else(|| lang_from_env(|name| std::env::var_os(name)));

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
                    eprintln!("{name}: {}", not_utf8(lang, err.utf8_error().valid_up_to()));
                    unreadable = true;
                    continue;
                }
            },
            Err(err) => {
                eprintln!("{name}: {}", cannot_read(lang, &err));
                unreadable = true;
                continue;
            }
        };
        let loaded = load_survey(&text);
        errors |= loaded.has_errors();
        if json {
            let diagnostics: Vec<serde_json::Value> = loaded.diagnostics.iter().map(diagnostic_json).collect();
            reports.push(serde_json::json!({
                "file": name,
                "ok": !loaded.has_errors(),
                "fingerprint": loaded.fingerprint,
                "diagnostics": diagnostics,
            }));
            continue;
        }
        for diagnostic in &loaded.diagnostics {
            // A closed stdout (e.g. piped into `head`) is not a validation failure.
            let _ = writeln!(out, "{name}: {}", diagnostic.line_in(lang));
        }
        if !loaded.has_errors() {
            let fingerprint = loaded.fingerprint.as_deref().map(short_fingerprint).unwrap_or_default();
            let warnings = loaded.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
            let _ = writeln!(out, "{name}: {}", ok_line(lang, &fingerprint, warnings));
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

/// The language when `--lang` is not given: Chinese when the locale (`LC_ALL`, else
/// `LC_MESSAGES`, else `LANG`, the first one set, as gettext reads them) is a `zh` one, else
/// English. `var` reads the environment; a parameter so that tests need not change it.
pub(crate) fn lang_from_env(var: impl Fn(&str) -> Option<OsString>) -> MessageLang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].into_iter().filter_map(var).find(|value| !value.is_empty());
    match locale {
        Some(locale) if locale.to_string_lossy().starts_with("zh") => MessageLang::ZhCn,
        _ => MessageLang::En,
    }
}

/// A diagnostic as JSON: its own fields (`message` in English) and `messages` in each language,
/// keyed by language tag like the texts of a survey definition.
fn diagnostic_json(diagnostic: &Diagnostic) -> serde_json::Value {
    let mut value = serde_json::to_value(diagnostic).unwrap_or_default();
    let messages: serde_json::Map<String, serde_json::Value> =
        MessageLang::ALL.into_iter().map(|lang| (lang.tag().to_owned(), diagnostic.message_in(lang).into())).collect();
    if let Some(object) = value.as_object_mut() {
        object.insert("messages".to_owned(), messages.into());
    }
    value
}

fn ok_line(lang: MessageLang, fingerprint: &str, warnings: usize) -> String {
    match lang {
        MessageLang::ZhCn => format!("通过（指纹 {fingerprint}，{warnings} 条警告）"),
        MessageLang::En => format!("ok (fingerprint {fingerprint}, {warnings} warning(s))"),
    }
}

pub(crate) fn cannot_read(lang: MessageLang, err: &std::io::Error) -> String {
    match lang {
        MessageLang::ZhCn => format!("无法读取：{err}"),
        MessageLang::En => format!("cannot read: {err}"),
    }
}

fn not_utf8(lang: MessageLang, valid_up_to: usize) -> String {
    match lang {
        MessageLang::ZhCn => format!("无法读取：不是 UTF-8 编码的文本（第 {valid_up_to} 字节处）"),
        MessageLang::En => format!("cannot read: not UTF-8 text (byte {valid_up_to})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| OsString::from(value))
    }

    #[test]
    fn the_locale_picks_the_language() {
        assert_eq!(lang_from_env(env(&[])), MessageLang::En);
        assert_eq!(lang_from_env(env(&[("LANG", "zh_CN.UTF-8")])), MessageLang::ZhCn);
        assert_eq!(lang_from_env(env(&[("LANG", "zh_TW.UTF-8")])), MessageLang::ZhCn);
        assert_eq!(lang_from_env(env(&[("LANG", "en_GB.UTF-8")])), MessageLang::En);
        // LC_ALL and LC_MESSAGES come before LANG; an empty one is skipped.
        assert_eq!(lang_from_env(env(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")])), MessageLang::En);
        assert_eq!(lang_from_env(env(&[("LC_MESSAGES", "zh_CN"), ("LANG", "C")])), MessageLang::ZhCn);
        assert_eq!(lang_from_env(env(&[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")])), MessageLang::ZhCn);
    }
}
