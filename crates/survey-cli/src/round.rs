//! `survey round keygen|build|verify|show|draw`: the organiser's commands for evaluation rounds
//! (`docs/round-format.md`, `docs/sampling.md`). The work is survey-core's `round` module; this
//! reads files, keys and stdin and prints.

use crate::usage::bad;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, KeypairBytes};
use ed25519_dalek::{Signer, SigningKey};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use survey_core::round::draw::{check_scope, check_text, draw, TextKind};
use survey_core::round::plan::{build as build_payload, Plan};
use survey_core::round::verify::{envelope_bytes, verify_round, RoundError, VerifiedRound};
use survey_core::round::{RoundPayload, ROUND_PAYLOAD_TYPE};
use survey_core::short_fingerprint;

/// Runs `survey round SUBCOMMAND ...`.
pub fn run(args: Vec<OsString>) -> u8 {
    let mut args = args.into_iter();
    let Some(sub) = args.next() else { return bad("round", "give a subcommand: keygen, build, verify, show or draw") };
    let rest: Vec<OsString> = args.collect();
    match sub.to_str() {
        Some("keygen") => keygen(rest),
        Some("build") => build(rest),
        Some("verify") => verify(rest),
        Some("show") => show(rest),
        Some("draw") => draw_stdin(rest),
        _ => bad("round", format!("unknown subcommand `{}`", sub.to_string_lossy())),
    }
}

/// The options and operands of a subcommand: `--name VALUE` pairs (`-o` is `--output`) and
/// operands, refusing any option not in `known`.
type Options = Vec<(String, OsString)>;

fn parse(args: Vec<OsString>, known: &[&str]) -> Result<(Options, Vec<OsString>), String> {
    let mut options = Vec::new();
    let mut operands = Vec::new();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next().map_err(|err| err.to_string())? {
        match arg {
            lexopt::Arg::Short('o') => options.push(("output".to_owned(), parser.value().map_err(|e| e.to_string())?)),
            lexopt::Arg::Long(name) if known.contains(&name) => {
                let name = name.to_owned();
                options.push((name, parser.value().map_err(|e| e.to_string())?));
            }
            lexopt::Arg::Value(value) => operands.push(value),
            other => return Err(format!("unexpected argument {}", other.unexpected())),
        }
    }
    Ok((options, operands))
}

fn option<'a>(options: &'a [(String, OsString)], name: &str) -> Option<&'a OsString> {
    options.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// `survey round keygen -o KEY`: a new organiser key as PKCS#8 PEM (never over an existing file).
fn keygen(args: Vec<OsString>) -> u8 {
    let (options, operands) = match parse(args, &["output"]) {
        Ok(parsed) => parsed,
        Err(err) => return bad("round", err),
    };
    let Some(path) = option(&options, "output").map(PathBuf::from) else {
        return bad("round", "keygen writes the key to a file: give -o KEY");
    };
    if !operands.is_empty() {
        return bad("round", "keygen takes no operands");
    }
    let mut seed = [0u8; 32];
    if let Err(err) = getrandom::getrandom(&mut seed) {
        eprintln!("survey round keygen: no random source: {err}");
        return 2;
    }
    let signing = SigningKey::from_bytes(&seed);
    // PKCS#8 v1 (the private key alone), as `openssl genpkey -algorithm ed25519` writes it:
    // OpenSSL 3.0 does not read the v2 form with the public key that `SigningKey` would write.
    let pem = match (KeypairBytes { secret_key: seed, public_key: None }).to_pkcs8_pem(LineEnding::LF) {
        Ok(pem) => pem,
        Err(err) => {
            eprintln!("survey round keygen: {err}");
            return 2;
        }
    };
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    match open.open(&path).and_then(|mut file| file.write_all(pem.as_bytes())) {
        Ok(()) => {
            let public = signing.verifying_key().to_bytes();
            let keyid = survey_core::bundle::keyid(&public);
            println!(
                "organiser key written to {} (keep it secret)\nkey id (announce it with the frame commitment): {keyid} ({})",
                path.display(),
                short_fingerprint(&keyid)
            );
            0
        }
        Err(err) => {
            eprintln!("survey round keygen: cannot write {}: {err}", path.display());
            2
        }
    }
}

fn read_key(path: &Path) -> Result<SigningKey, String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    SigningKey::from_pkcs8_pem(&text)
        .map_err(|err| format!("{}: not an Ed25519 private key in PKCS#8 PEM ({err})", path.display()))
}

/// `survey round build PLAN.json --key KEY -o NAME.round.json`.
fn build(args: Vec<OsString>) -> u8 {
    let (options, operands) = match parse(args, &["key", "output"]) {
        Ok(parsed) => parsed,
        Err(err) => return bad("round", err),
    };
    let ([plan_path], Some(key_path), Some(output)) = (
        operands.as_slice(),
        option(&options, "key").map(PathBuf::from),
        option(&options, "output").map(PathBuf::from),
    ) else {
        return bad("round", "build needs one PLAN.json, --key KEY and -o NAME.round.json");
    };
    let plan_path = PathBuf::from(plan_path);
    let plan_name = plan_path.display().to_string();
    let signing = match read_key(&key_path) {
        Ok(key) => key,
        Err(err) => {
            eprintln!("survey round build: {err}");
            return 2;
        }
    };
    let bytes = match std::fs::read(&plan_path) {
        Ok(bytes) => bytes,
        Err(err) => {
            eprintln!("{plan_name}: cannot read: {err}");
            return 2;
        }
    };
    let plan = match Plan::parse(&plan_name, &bytes) {
        Ok(plan) => plan,
        Err(problems) => {
            for problem in problems {
                eprintln!("{problem}");
            }
            return 1;
        }
    };
    let folder = plan_path.parent().map(Path::to_path_buf).unwrap_or_default();
    let read = |relative: &str| std::fs::read(folder.join(relative)).map_err(|err| err.to_string());
    let public = signing.verifying_key().to_bytes();
    let payload = match build_payload(&plan_name, &plan, &read, &public) {
        Ok(payload) => payload,
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            eprintln!("{plan_name}: {} problems; nothing written", problems.len());
            return 1;
        }
    };
    let payload_bytes = payload.to_canonical_bytes();
    let signature = signing.sign(&survey_core::bundle::pae(ROUND_PAYLOAD_TYPE, &payload_bytes)).to_bytes();
    let file = envelope_bytes(&payload_bytes, &public, &signature);
    // Written beside the target and renamed, so a failed write leaves no half round file.
    let temporary = output.with_extension("json.partial");
    let written = std::fs::write(&temporary, &file).and_then(|()| std::fs::rename(&temporary, &output));
    if let Err(err) = written {
        let _ = std::fs::remove_file(&temporary);
        eprintln!("survey round build: cannot write {}: {err}", output.display());
        return 2;
    }
    let sampled: Vec<&str> = payload.sampled_units().map(|unit| unit.id.as_str()).collect();
    let households: usize = payload.units.iter().map(|unit| unit.households.len()).sum();
    println!("frame commitment: {}", payload.frame_commitment);
    println!(
        "{}: round {} with {} units ({} households), {} in the sample: {}",
        output.display(),
        payload.id,
        payload.units.len(),
        households,
        sampled.len(),
        sampled.join(", ")
    );
    0
}

/// Whether an announced organiser key id (full hex, or the short form with or without its
/// spaces) names this keyid.
fn is_announced(announced: &str, keyid: &str) -> bool {
    let announced: String = announced.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    announced == keyid || (announced.len() == 16 && keyid.starts_with(&announced))
}

/// Reads and verifies a round file, and its organiser when one was announced; prints why not on
/// failure (exit code in `Err`).
fn open_round(path: &Path, organiser: Option<&str>) -> Result<VerifiedRound, u8> {
    let name = path.display();
    let bytes = std::fs::read(path).map_err(|err| {
        eprintln!("{name}: cannot read: {err}");
        2
    })?;
    let round = verify_round(&bytes).map_err(|err| {
        match err {
            RoundError::Findings(findings) => {
                for finding in &findings {
                    println!("{name}: {finding}");
                }
                println!("{name}: rejected: {} findings", findings.len());
            }
            other => println!("{name}: rejected: {}: {other}", other.code()),
        }
        1
    })?;
    if let Some(announced) = organiser {
        if !is_announced(announced, &round.keyid) {
            println!(
                "{name}: rejected: unknown_organiser: signed by key {}, not the announced {announced}",
                short_fingerprint(&round.keyid)
            );
            return Err(1);
        }
    }
    Ok(round)
}

/// `survey round verify FILE...`.
fn verify(args: Vec<OsString>) -> u8 {
    let (options, operands) = match parse(args, &["organiser"]) {
        Ok(parsed) => parsed,
        Err(err) => return bad("round", err),
    };
    if operands.is_empty() {
        return bad("round", "verify needs at least one round file");
    }
    let organiser = option(&options, "organiser").map(|value| value.to_string_lossy().into_owned());
    let mut status = 0;
    for path in operands.iter().map(PathBuf::from) {
        match open_round(&path, organiser.as_deref()) {
            Ok(round) => {
                let payload = &round.payload;
                let households: usize = payload.units.iter().map(|unit| unit.households.len()).sum();
                println!(
                    "{}: ok (round {}, {} units, {} sampled, {} households, organiser {} {}, frame commitment {})",
                    path.display(),
                    payload.id,
                    payload.units.len(),
                    payload.sampled_units().count(),
                    households,
                    payload.organiser.name,
                    short_fingerprint(&round.keyid),
                    payload.frame_commitment
                );
            }
            Err(code) => status = status.max(code),
        }
    }
    status
}

/// A CSV cell, quoted only when it must be (RFC 4180).
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The draw of a round as CSV: `unit,position,household,role` per household of each sampled unit.
fn show_csv(payload: &RoundPayload) -> String {
    let mut out = String::from("unit,position,household,role\n");
    for unit in payload.sampled_units() {
        for (idx, household) in payload.household_order(unit).into_iter().enumerate() {
            let role = if (idx as u64) < unit.n { "drawn" } else { "substitute" };
            out.push_str(&format!("{},{},{},{role}\n", csv_cell(&unit.id), idx + 1, csv_cell(household)));
        }
    }
    out
}

fn show_table(payload: &RoundPayload) -> String {
    let mut out = format!(
        "round {} ({} to {}), seed {:?} from {}\n",
        payload.id, payload.period.from, payload.period.to, payload.seed, payload.seed_source
    );
    let sampled: Vec<&str> = payload.sampled_units().map(|unit| unit.id.as_str()).collect();
    match payload.unit_sample {
        Some(sample) => {
            out.push_str(&format!("units drawn: {} of {}: {}\n", sample.n, payload.units.len(), sampled.join(", ")))
        }
        None => out.push_str(&format!("units: all {}\n", payload.units.len())),
    }
    for unit in payload.sampled_units() {
        let order = payload.household_order(unit);
        let n = usize::try_from(unit.n).unwrap_or(usize::MAX).min(order.len());
        let name = unit.name.get("zh-CN", &[]);
        let device = payload.device_of(&unit.id).map(short_fingerprint).unwrap_or_default();
        out.push_str(&format!(
            "\n{} {name}: {} of {} households, device {device}, not at home final at attempt {}{}\n",
            unit.id,
            n,
            order.len(),
            unit.attempts_before_substitute,
            if unit.off_sample { ", off-sample interviews allowed" } else { "" }
        ));
        for (idx, household) in order.iter().enumerate() {
            let role = if idx < n { "drawn" } else { "substitute" };
            out.push_str(&format!("  {:>5}  {role:<10}  {household}\n", idx + 1));
        }
    }
    out
}

/// `survey round show FILE [--format table|csv]`.
fn show(args: Vec<OsString>) -> u8 {
    let (options, operands) = match parse(args, &["format", "organiser"]) {
        Ok(parsed) => parsed,
        Err(err) => return bad("round", err),
    };
    let [path] = operands.as_slice() else { return bad("round", "show needs one round file") };
    let format = option(&options, "format").map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| "table".into());
    if format != "table" && format != "csv" {
        return bad("round", format!("unknown format `{format}` (table or csv)"));
    }
    let organiser = option(&options, "organiser").map(|value| value.to_string_lossy().into_owned());
    let round = match open_round(Path::new(path), organiser.as_deref()) {
        Ok(round) => round,
        Err(code) => return code,
    };
    let text = if format == "csv" { show_csv(&round.payload) } else { show_table(&round.payload) };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    0
}

/// `survey round draw --seed TEXT --round ID --scope SCOPE` over members on stdin.
fn draw_stdin(args: Vec<OsString>) -> u8 {
    let (options, operands) = match parse(args, &["seed", "round", "scope"]) {
        Ok(parsed) => parsed,
        Err(err) => return bad("round", err),
    };
    if !operands.is_empty() {
        return bad("round", "draw reads its members from stdin and takes no operands");
    }
    let text_option = |name: &str| option(&options, name).map(|value| value.to_str().map(str::to_owned));
    let (Some(Some(seed)), Some(Some(round)), Some(Some(scope))) =
        (text_option("seed"), text_option("round"), text_option("scope"))
    else {
        return bad("round", "draw needs --seed TEXT, --round ID and --scope SCOPE, as UTF-8");
    };
    if let Err(err) = check_text(&seed, TextKind::Seed) {
        return bad("round", format!("--seed: {err}"));
    }
    if let Err(err) = check_text(&round, TextKind::RoundId) {
        return bad("round", format!("--round: {err}"));
    }
    if let Err(err) = check_scope(&scope) {
        return bad("round", format!("--scope: {err}"));
    }
    let kind = if scope == survey_core::round::draw::UNITS_SCOPE { TextKind::UnitId } else { TextKind::Household };
    let mut input = Vec::new();
    if let Err(err) = std::io::stdin().lock().read_to_end(&mut input) {
        eprintln!("stdin: cannot read: {err}");
        return 2;
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&input);
    let Ok(text) = std::str::from_utf8(input) else {
        eprintln!("stdin: not UTF-8");
        return 1;
    };
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut members = Vec::new();
    let mut seen = std::collections::HashMap::new();
    let mut errors = Vec::new();
    if !text.is_empty() {
        for (idx, line) in body.split('\n').enumerate() {
            let line_number = idx + 1;
            let member = line.strip_suffix('\r').unwrap_or(line);
            if let Err(err) = check_text(member, kind) {
                errors.push(format!("stdin:{line_number}: {member:?}: {err}"));
            } else if let Some(first) = seen.insert(member, line_number) {
                errors.push(format!("stdin:{line_number}: {member:?} is a duplicate of line {first}"));
                seen.insert(member, first);
            } else {
                members.push(member);
            }
        }
    }
    if !errors.is_empty() {
        for error in errors {
            eprintln!("{error}");
        }
        return 1;
    }
    let mut out = String::new();
    for member in draw(&seed, &round, &scope, &members) {
        out.push_str(member);
        out.push('\n');
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    0
}
