//! The `survey` command for organisers and departments.
//!
//! `survey check FILE...` validates survey definitions and prints one `FILE: PATH: message` line
//! per problem, in Chinese or English (`--lang`, else the locale). `survey convert` turns an
//! XLSForm workbook into a definition. `survey schema` prints the
//! JSON Schema of the definition format. `survey keygen` makes a department's age identity;
//! `survey verify` checks result bundles against a roster. Exit codes: 0 when every file is clean (warnings
//! allowed), 1 when any file has an error, 2 when a file cannot be read or the command line is
//! wrong. `survey COMMAND --help` shows a command's options (`usage.rs`).

mod bundles;
mod check;
mod convert;
mod report;
mod round;
mod schema;
mod usage;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(command) = args.next() else {
        eprintln!("{}", usage::overview());
        return ExitCode::from(2);
    };
    let rest: Vec<_> = args.collect();
    if let Some(known) = command.to_str().and_then(usage::command) {
        if usage::wants_help(&rest) {
            println!("{}", usage::help(known));
            return ExitCode::SUCCESS;
        }
    }
    let code = match command.to_str() {
        Some("check") => check::run(rest),
        Some("convert") => convert::run(rest),
        Some("schema") => schema::run(rest),
        Some("keygen") => bundles::keygen(rest),
        Some("verify") => bundles::verify(rest),
        Some("report") => report::run(rest),
        Some("round") => round::run(rest),
        Some("help" | "--help" | "-h") => match rest.first().map(|name| (name, name.to_str().and_then(usage::command)))
        {
            None => {
                println!("{}", usage::overview());
                0
            }
            Some((_, Some(known))) => {
                println!("{}", usage::help(known));
                0
            }
            Some((name, None)) => {
                eprintln!("survey help: unknown command `{}`\n\n{}", name.to_string_lossy(), usage::overview());
                2
            }
        },
        Some("--version" | "-V") => {
            println!("survey {}", env!("CARGO_PKG_VERSION"));
            0
        }
        _ => {
            eprintln!("survey: unknown command `{}`\n\n{}", command.to_string_lossy(), usage::overview());
            2
        }
    };
    ExitCode::from(code)
}
