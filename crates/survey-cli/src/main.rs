//! The `survey` command for organisers and departments.
//!
//! `survey check FILE...` validates survey definitions and prints one `FILE: PATH: message` line
//! per problem, in Chinese or English (`--lang`, else the locale). `survey schema` prints the
//! JSON Schema of the definition format. `survey keygen` makes a department's age identity;
//! `survey verify` checks result bundles against a roster. Exit codes: 0 when every file is clean (warnings
//! allowed), 1 when any file has an error, 2 when a file cannot be read or the command line is
//! wrong.

mod bundles;
mod check;
mod report;
mod schema;

use std::process::ExitCode;

const USAGE: &str = "\
usage: survey <command> [options]

commands:
  check [--lang zh-CN|en] [--json] FILE...
                           validate survey definition files; one `FILE: PATH: message`
                           line per problem, then `FILE: ok (...)` for a file without errors
  schema                   print the JSON Schema of the definition format (survey/1)
  keygen [-o FILE]         make an age identity for a department (the secret key, with its
                           public recipient `age1...` in a comment); the recipient goes into
                           the survey's `recipients`
  verify --roster R [--identity KEY] FILE...
                           verify result bundles (`.bundle.json`, or `.bundle.json.age`
                           decrypted with the identity file KEY) against the roster R; one
                           `FILE: ok (...)` or `FILE: rejected: REASON: message` line each
  report --survey S --roster R [--identity KEY] [--format table|csv|json|raw-csv|xlsx]
         [--output FILE] [--raw] [--exclude-flagged] FILE_OR_DIR...
                           import bundles (verify, deduplicate, conflicts, missing sequence
                           numbers, quarantine of unknown devices) and print scores and ranking;
                           quality flags (speeding, straight-lining, contradiction) are listed,
                           and --exclude-flagged scores without the flagged responses;
                           raw-csv is response-level data (a row per response), not anonymised;
                           xlsx writes --output with units, indicators and items sheets, and a
                           responses sheet only with --raw
  help                     show this help

options of check:
  --lang zh-CN|zh|en       language of the messages; by default Chinese when the locale
                           (LC_ALL, else LC_MESSAGES, else LANG) starts with `zh`, else English
  --json                   print one JSON array instead: per file `file`, `ok`, `fingerprint`
                           and `diagnostics`, each with `severity`, `code`, `path`, `args`,
                           `message` (English) and `messages` ({\"en\": ..., \"zh-CN\": ...})

exit status: 0 clean, 1 problems found, 2 unreadable input or bad usage";

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(command) = args.next() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest: Vec<_> = args.collect();
    let code = match command.to_str() {
        Some("check") => check::run(rest),
        Some("schema") => schema::run(rest),
        Some("keygen") => bundles::keygen(rest),
        Some("verify") => bundles::verify(rest),
        Some("report") => report::run(rest),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            0
        }
        Some("--version" | "-V") => {
            println!("survey {}", env!("CARGO_PKG_VERSION"));
            0
        }
        _ => {
            eprintln!("survey: unknown command `{}`\n\n{USAGE}", command.to_string_lossy());
            2
        }
    };
    ExitCode::from(code)
}
