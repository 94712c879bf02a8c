//! `survey schema`: print the JSON Schema of the definition format, for editors that complete
//! and underline survey files as they are typed. `survey check` stays the authority: the schema
//! knows the shape of a definition, not its rules (ids that must exist, weights, expressions).

use std::ffi::OsString;
use std::io::Write;

/// The schema as printed: pretty JSON with two-space indents and a final newline, the form of
/// `survey-schemas/survey.schema.json`.
pub fn text() -> String {
    let mut text = serde_json::to_string_pretty(&survey_core::definition::json_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// Runs the subcommand and returns the exit code.
pub fn run(args: Vec<OsString>) -> u8 {
    if let Some(arg) = args.first() {
        return crate::usage::bad(
            "schema",
            format!("unexpected argument `{}` (the command takes none)", arg.to_string_lossy()),
        );
    }
    // A closed stdout (e.g. piped into `head`) is not worth an error.
    let _ = std::io::stdout().lock().write_all(text().as_bytes());
    0
}
