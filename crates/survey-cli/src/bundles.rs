//! `survey keygen` and `survey verify`: a department's age identity, and verification of
//! result bundles (plain or age-encrypted) against the roster of enrolled devices.

use age::secrecy::ExposeSecret;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use survey_core::bundle::{verify as verify_bundle, Roster};
use survey_core::short_fingerprint;

/// `survey keygen [-o FILE]`: prints (or writes, refusing to overwrite) a new age identity.
pub fn keygen(args: Vec<OsString>) -> u8 {
    let mut output: Option<PathBuf> = None;
    let mut parser = lexopt::Parser::from_args(args);
    loop {
        match parser.next() {
            Ok(None) => break,
            Ok(Some(lexopt::Arg::Short('o') | lexopt::Arg::Long("output"))) => match parser.value() {
                Ok(path) => output = Some(path.into()),
                Err(err) => {
                    return crate::usage::bad("keygen", err);
                }
            },
            Ok(Some(other)) => {
                return crate::usage::bad("keygen", format!("unexpected argument {}", other.unexpected()));
            }
            Err(err) => {
                return crate::usage::bad("keygen", err);
            }
        }
    }
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public();
    let text = format!(
        "# survey-kit department identity: keep this file secret; it opens the bundles\n# public key: {recipient}\n{}\n",
        identity.to_string().expose_secret()
    );
    match output {
        None => {
            print!("{text}");
            eprintln!("public key: {recipient}");
            0
        }
        Some(path) => {
            let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
            match file.and_then(|mut f| f.write_all(text.as_bytes())) {
                Ok(()) => {
                    println!("public key: {recipient}");
                    0
                }
                Err(err) => {
                    eprintln!("survey keygen: cannot write {}: {err}", path.display());
                    2
                }
            }
        }
    }
}

/// Reads and checks a roster file.
pub fn read_roster(path: &PathBuf) -> Result<Roster, String> {
    let bytes = std::fs::read(path).map_err(|err| format!("{}: {err}", path.display()))?;
    Roster::parse(&bytes).map_err(|err| format!("{}: {err}", path.display()))
}

/// Reads the identities of an age identity file (lines starting with `#` are comments).
pub fn read_identities(path: &PathBuf) -> Result<Vec<age::x25519::Identity>, String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    survey_dept::parse_identities(&text).map_err(|err| format!("{}: {err}", path.display()))
}

/// `survey verify (--roster R | --round ROUND) [--identity KEY] FILE...`: with a round, each file
/// goes through the department's import checks (`docs/compliance.md`, "Inputs") too.
pub fn verify(args: Vec<OsString>) -> u8 {
    let mut roster_path: Option<PathBuf> = None;
    let mut round_path: Option<PathBuf> = None;
    let mut identity_path: Option<PathBuf> = None;
    let mut files: Vec<PathBuf> = Vec::new();
    let mut parser = lexopt::Parser::from_args(args);
    loop {
        let arg = match parser.next() {
            Ok(None) => break,
            Ok(Some(arg)) => arg,
            Err(err) => {
                return crate::usage::bad("verify", err);
            }
        };
        let value = |parser: &mut lexopt::Parser| parser.value().map(PathBuf::from);
        match arg {
            lexopt::Arg::Long("roster") => match value(&mut parser) {
                Ok(path) => roster_path = Some(path),
                Err(err) => {
                    return crate::usage::bad("verify", err);
                }
            },
            lexopt::Arg::Long("round") => match value(&mut parser) {
                Ok(path) => round_path = Some(path),
                Err(err) => {
                    return crate::usage::bad("verify", err);
                }
            },
            lexopt::Arg::Long("identity") => match value(&mut parser) {
                Ok(path) => identity_path = Some(path),
                Err(err) => {
                    return crate::usage::bad("verify", err);
                }
            },
            lexopt::Arg::Value(file) => files.push(file.into()),
            other => {
                return crate::usage::bad("verify", format!("unexpected argument {}", other.unexpected()));
            }
        }
    }
    if files.is_empty() {
        return crate::usage::bad("verify", "give at least one bundle file");
    }
    let roster_path = match (roster_path, round_path) {
        (Some(_), Some(_)) => {
            return crate::usage::bad("verify", "--round gives the devices: leave out --roster");
        }
        (None, Some(round)) => return verify_in_round(&round, identity_path.as_ref(), &files),
        (Some(roster), None) => roster,
        (None, None) => {
            return crate::usage::bad(
                "verify",
                "give the roster of enrolled devices with --roster FILE, or --round FILE",
            );
        }
    };
    let roster = match read_roster(&roster_path) {
        Ok(roster) => roster,
        Err(err) => {
            eprintln!("survey verify: {err}");
            return 2;
        }
    };
    let identities = match &identity_path {
        None => None,
        Some(path) => match read_identities(path) {
            Ok(identities) => Some(identities),
            Err(err) => {
                eprintln!("survey verify: {err}");
                return 2;
            }
        },
    };

    let mut status = 0;
    for file in &files {
        let name = file.display();
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(err) => {
                eprintln!("{name}: cannot read: {err}");
                status = 2;
                continue;
            }
        };
        let plain = match survey_dept::open_bundle(&bytes, identities.as_deref().unwrap_or_default()) {
            Ok(plain) => plain,
            Err((code, message)) => {
                println!("{name}: rejected: {code}: {message}");
                status = status.max(1);
                continue;
            }
        };
        match verify_bundle(&plain, &roster) {
            Ok(bundle) => {
                let seqs: Vec<u64> = bundle.responses.iter().map(|r| r.seq).collect();
                let range = match (seqs.iter().min(), seqs.iter().max()) {
                    (Some(lo), Some(hi)) => format!("seq {lo}-{hi} of {}", bundle.device_seq_high),
                    _ => format!("no responses, device at seq {}", bundle.device_seq_high),
                };
                let round = bundle
                    .round
                    .as_ref()
                    .map(|round| format!(", round {}, {} contact attempts", round.id, bundle.contacts.len()))
                    .unwrap_or_default();
                println!(
                    "{name}: ok ({} responses, {range}, survey {} {}, device {} {}{round})",
                    bundle.responses.len(),
                    bundle.survey.id,
                    bundle.survey.version,
                    short_fingerprint(&bundle.keyid),
                    bundle.device.evaluator,
                );
            }
            Err(err) => {
                println!("{name}: rejected: {}: {err}", err.code());
                status = status.max(1);
            }
        }
    }
    status
}

/// `survey verify --round ROUND`: every file through the department's import with the round
/// loaded, so a bundle of another round or outside any round is rejected with its reason.
fn verify_in_round(round: &PathBuf, identity: Option<&PathBuf>, files: &[PathBuf]) -> u8 {
    let mut department = survey_dept::Department::new();
    if let Err(err) = crate::report::load_inputs(&mut department, Some(round), None, None) {
        eprintln!("survey verify: {err}");
        return 2;
    }
    match identity.map(read_identities).transpose() {
        Ok(identities) => department.set_identities(identities.unwrap_or_default()),
        Err(err) => {
            eprintln!("survey verify: {err}");
            return 2;
        }
    }
    let round_id = department.round().map(|r| r.payload.id.clone()).unwrap_or_default();
    let mut status = 0;
    for file in files {
        let name = file.display().to_string();
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(err) => {
                eprintln!("{name}: cannot read: {err}");
                status = 2;
                continue;
            }
        };
        match &department.add_file(&name, &bytes).outcome {
            survey_dept::Outcome::Imported { bundle_id, device, evaluator, responses, .. } => println!(
                "{name}: ok ({responses} responses, bundle {bundle_id}, device {} {evaluator}, round {round_id})",
                short_fingerprint(device),
            ),
            survey_dept::Outcome::Quarantined { message, .. } => {
                println!("{name}: rejected: unknown_key: {message}");
                status = status.max(1);
            }
            survey_dept::Outcome::Refused { code, message } => {
                println!("{name}: rejected: {code}: {message}");
                status = status.max(1);
            }
        }
    }
    status
}
