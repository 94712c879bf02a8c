//! Usage and help of every command, in one place so they read alike: `survey --help` lists the
//! commands, `survey COMMAND --help` (or `-h`, or `survey help COMMAND`) prints one command's
//! synopsis and options on stdout with exit 0, and bad usage prints the message, the synopsis
//! and where to read more on stderr with exit 2.
//!
//! Arguments are read with lexopt rather than a derive-based parser: it is already here, costs no
//! compile time on two cores, and the few options of each command are as easy to read by hand.

/// One command's help.
pub struct Command {
    pub name: &'static str,
    /// The synopsis line(s), after `usage: survey `.
    pub synopsis: &'static str,
    /// What the command does, one line, for the overview.
    pub summary: &'static str,
    /// Options and arguments, one per line.
    pub details: &'static str,
}

pub const COMMANDS: &[Command] = &[
    Command {
        name: "check",
        synopsis: "check [--lang zh-CN|en] [--json] FILE...",
        summary: "validate survey definition files",
        details: "\
one `FILE: PATH: message` line per problem, then `FILE: ok (...)` for a file without errors

  --lang zh-CN|zh|en   language of the messages; by default Chinese when the locale
                       (LC_ALL, else LC_MESSAGES, else LANG) starts with `zh`, else English
  --json               print one JSON array instead: per file `file`, `ok`, `fingerprint`
                       and `diagnostics`, each with `severity`, `code`, `path`, `args`,
                       `message` (English) and `messages` ({\"en\": ..., \"zh-CN\": ...})
  FILE...              survey definition files (survey/1 JSON)

exit status: 0 clean (warnings allowed), 1 a file has errors, 2 unreadable input or bad usage",
    },
    Command {
        name: "convert",
        synopsis: "convert [--lang zh-CN|en] FORM.xlsx -o survey.json",
        summary: "turn an XLSForm workbook (.xlsx, .ods) into a survey definition",
        details: "\
reads the survey, choices and settings sheets (docs/xlsform.md); every problem is printed as
`FORM: error: sheet S, row N, column C: message`, all at once; nothing is written when there is
an error; warnings name what was dropped

  --lang zh-CN|zh|en   language of the messages; by default from the locale, as for check
  -o, --output FILE    the definition to write (never overwrites an existing file)
  FORM.xlsx            the workbook (.xlsx or .ods)

exit status: 0 written (warnings allowed), 1 the form has errors, 2 unreadable input, an
existing output or bad usage",
    },
    Command {
        name: "schema",
        synopsis: "schema",
        summary: "print the JSON Schema of the definition format (survey/1)",
        details: "\
for editors that complete and underline survey files as they are typed; `survey check` stays
the authority (the schema knows the shape of a definition, not its rules)

exit status: 0, or 2 on bad usage",
    },
    Command {
        name: "keygen",
        synopsis: "keygen [-o FILE]",
        summary: "make an age identity for a department",
        details: "\
prints the secret key, with its public recipient `age1...` in a comment; the recipient goes
into the survey's `recipients`, so that tablets encrypt their bundles to it

  -o, --output FILE    write the identity to FILE (never overwrites an existing file) and
                       print only the public key

exit status: 0 written, 2 the file exists or cannot be written, or bad usage",
    },
    Command {
        name: "verify",
        synopsis: "verify (--roster R | --round ROUND) [--identity KEY] FILE...",
        summary: "verify result bundles against the roster of enrolled devices",
        details: "\
one `FILE: ok (...)` or `FILE: rejected: REASON: message` line per file

  --roster R           the roster (roster/1) of the devices whose bundles are accepted
  --round ROUND        a round file (round/1): its devices are the roster, and a bundle must
                       be a bundle/2 of that round (else not_in_round or other_round)
  --identity KEY       the department's age identity file, to open `.bundle.json.age` files
  FILE...              bundle files (`.bundle.json`, `.bundle.json.age`)

exit status: 0 every file verified, 1 a file was rejected, 2 unreadable input or bad usage",
    },
    Command {
        name: "report",
        synopsis: "report (--survey S --roster R | --round ROUND) [--identity KEY]\n       [--format table|csv|json|raw-csv|xlsx] [--output FILE] [--raw] [--exclude-flagged]\n       [--include-noncompliant] [--include-off-sample] [--previous JSON]\n       [--stages STAGES.json] [--lang zh-CN|en] [--utc-offset +08:00] [--allow-partial]\n       FILE_OR_DIR...",
        summary: "import bundles and print scores, rankings and quality flags",
        details: "\
import bundles (verify, deduplicate, conflicts, missing sequence numbers, quarantine of
unknown devices) and print scores and ranking

  --survey S           the survey definition the bundles answer
  --roster R           the roster (roster/1) of enrolled devices
  --round ROUND        a round file (round/1) instead of --survey and --roster: its survey and
                       devices, bundles of other rounds refused, and the fieldwork checked
                       against the draw (compliance per unit and evaluator, named findings)
  --identity KEY       the department's age identity file, for `.bundle.json.age` files
  --format F           table (default), csv (aggregates), json, raw-csv (a row per response:
                       response-level data, not anonymised) or xlsx (needs --output; units,
                       indicators and items sheets, and a responses sheet only with --raw)
  -o, --output FILE    write to FILE instead of stdout
  --raw                with xlsx, add the responses sheet
  --exclude-flagged    score without the responses that have quality flags (speeding,
                       straight-lining, contradiction)
  --include-noncompliant
                       with --round, also score the responses that have findings
  --include-off-sample with --round, also score the allowed off-sample interviews
  --previous JSON      the JSON report of a previous round, to show the change per unit
  --stages FILE        a stages file (stages/1, docs/scoring.md): the final score per unit from
                       the residents' index and the other stages' lists (read from the
                       file's folder), minus deductions, with vetoes and grades
  --lang L             zh-CN or en: the language of the table's, CSV's and XLSX's headers and
                       names (default: from LC_ALL, LC_MESSAGES or LANG; JSON has ids only)
  --utc-offset OFFSET  the offset the raw data's times are shown at (default +08:00)
  --allow-partial      exit 0 even when some files were refused, quarantined or unreadable
  FILE_OR_DIR...       bundle files, or folders searched at every depth for `*.bundle.json`
                       and `*.bundle.json.age`

exit status: 0 report written, 1 report written but some files were not imported (refused,
quarantined or unreadable; summary on stderr; see --allow-partial), 2 no bundle file found,
unreadable input or bad usage",
    },
    Command {
        name: "round",
        synopsis: "round keygen -o KEY\n       survey round build PLAN.json --key KEY -o NAME.round.json\n       survey round verify [--organiser KEYID] FILE...\n       survey round show FILE [--format table|csv] [--organiser KEYID]\n       survey round draw --seed TEXT --round ID --scope SCOPE < MEMBERS",
        summary: "plan, sign, check and show evaluation rounds and their random draws",
        details: "\
evaluation rounds (docs/round-format.md) and the draw rule draw/1 (docs/sampling.md)

  keygen -o KEY        a new organiser key, Ed25519 as PKCS#8 PEM (as `openssl genpkey
                       -algorithm ed25519` writes it); never overwrites a file
  build PLAN.json      turn a plan (survey, units, frame CSVs, devices, assignments, seed and
    --key KEY          its source) into a round file signed with KEY; every problem of the
    -o FILE            plan at once, with its JSON path or CSV row, and nothing written then
  verify FILE...       the signature, the survey, frame hashes, the frame commitment, the
                       draws and the assignments; one finding per line with its JSON path
    --organiser KEYID  the organiser key id announced with the commitment (full hex or
                       short form); a round signed by another key is rejected
  show FILE            the drawn units and, per unit, the drawn households and the
    --format F         substitutes in order: table (default) or csv
                       (`unit,position,household,role`)
  draw                 members on stdin (UTF-8, a line each), printed in draw order;
    --seed TEXT        taken exactly as given, never trimmed or normalised
    --round ID
    --scope SCOPE      `units` or `households/UNIT`

exit status: 0 ok, 1 findings (a bad plan, a rejected round, bad members), 2 unreadable
input or bad usage",
    },
];

/// The overview: every command's synopsis and summary.
pub fn overview() -> String {
    let mut text = String::from("usage: survey <command> [options]\n\ncommands:\n");
    for command in COMMANDS {
        text.push_str(&format!("  {:<9}{}\n", command.name, command.summary));
    }
    text.push_str("  help     show this help, or `survey help COMMAND` for one command\n\n");
    text.push_str("`survey COMMAND --help` shows a command's options.\n");
    text.push_str("exit status: 0 clean, 1 problems found, 2 unreadable input or bad usage");
    text
}

pub fn command(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|command| command.name == name)
}

/// A command's full help.
pub fn help(command: &Command) -> String {
    format!("usage: survey {}\n\n{}: {}\n\n{}", command.synopsis, command.name, command.summary, command.details)
}

/// Whether the arguments ask for help: `--help` or `-h` before any `--` (after it, every
/// argument is a file name).
pub fn wants_help(args: &[std::ffi::OsString]) -> bool {
    args.iter().take_while(|arg| *arg != "--").any(|arg| arg == "--help" || arg == "-h")
}

/// Reports bad usage of `name` on stderr (the message, the synopsis, where to read more) and
/// returns exit code 2.
pub fn bad(name: &str, message: impl std::fmt::Display) -> u8 {
    let synopsis = command(name).map_or("", |command| command.synopsis);
    eprintln!("survey {name}: {message}\nusage: survey {synopsis}\n(`survey {name} --help` shows every option)");
    2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_is_asked_for_before_the_separator_only() {
        let args = |list: &[&str]| list.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        assert!(wants_help(&args(&["--survey", "s.json", "--help"])));
        assert!(wants_help(&args(&["-h"])));
        assert!(!wants_help(&args(&["--", "--help"])));
        assert!(!wants_help(&args(&["file.json"])));
    }

    #[test]
    fn every_command_is_in_the_overview_and_its_help_starts_with_its_synopsis() {
        let overview = overview();
        for command in COMMANDS {
            assert!(overview.contains(&format!("  {:<9}{}", command.name, command.summary)));
            assert!(help(command).starts_with(&format!("usage: survey {}", command.name)));
        }
    }
}
