//! The department's side of the kit, without IO: bundle files in, verified and scored results out.
//!
//! A [`Department`] holds what a department has loaded (survey definitions, the roster of enrolled
//! devices, its age identities) and every bundle file offered to it. Each file is opened
//! (decrypted when it is an age file), verified against the roster, matched to a loaded survey by
//! fingerprint and imported; or refused with a named reason, or quarantined when its device is not
//! on the roster. [`Department::analysis`] scores one survey's responses; [`render`] turns the
//! result into a table, CSV, JSON or XLSX; [`compare`] sets two reports side by side (flagged
//! responses excluded, or a previous round).
//!
//! With an evaluation round loaded ([`Department::set_round`]), the round's survey and devices
//! take the place of a survey file and a roster, bundles of another round are refused, and the
//! analysis carries the fieldwork's compliance (`docs/compliance.md`): responses with a finding
//! and allowed off-sample interviews are left out of the scores unless asked.
//!
//! The `survey` command and the department page of the app both drive this crate, so they show
//! the same numbers for the same files by construction (and a test compares them).

pub mod charts;
pub mod compare;
pub mod render;
pub mod sheet;
pub mod stages;

use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::str::FromStr;
use survey_core::analysis::compliance::{self, Compliance, Contacts};
use survey_core::analysis::import::{Added, Import};
use survey_core::analysis::quality::{flag_responses, Flagged};
use survey_core::analysis::score::{score, Report};
use survey_core::bundle::{verify, BundleError, ExportedResponse, Roster, ROSTER_FORMAT};
use survey_core::canonical::sha256_canonical_hex;
use survey_core::round::verify::verify_round;
use survey_core::round::RoundPayload;
use survey_core::{load_survey, short_fingerprint, Survey};

/// What happened to one bundle file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Verified and imported (possibly adding nothing new when it was seen before).
    Imported {
        /// Fingerprint of the survey the bundle answers.
        survey: String,
        bundle_id: String,
        /// Key id of the device that signed it.
        device: String,
        evaluator: String,
        responses: usize,
        new: usize,
        duplicates: usize,
        conflicts: usize,
    },
    /// Signed by a device that is not on the roster: kept aside, listed, never counted.
    Quarantined { device: Option<String>, message: String },
    /// Not imported, with a reason code (the verifier's, or `encrypted`, `decryption`,
    /// `unknown_survey`) and a message naming what is wrong.
    Refused { code: String, message: String },
}

/// Files counted by outcome ([`Department::file_counts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FileCounts {
    pub imported: usize,
    /// Signed by a device that is not on the roster (or not in the round).
    pub quarantined: usize,
    /// Refused with a reason (not verified, encrypted without the identity, another survey…).
    pub refused: usize,
    /// Could not be read at all.
    pub unreadable: usize,
}

impl FileCounts {
    /// Files whose responses the report does not count.
    pub fn not_imported(&self) -> usize {
        self.quarantined + self.refused + self.unreadable
    }

    pub fn total(&self) -> usize {
        self.imported + self.not_imported()
    }

    /// Whether the report covers only part of the files offered.
    pub fn partial(&self) -> bool {
        self.not_imported() > 0
    }
}

/// One file offered to the department and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    pub file: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// A survey definition the department has loaded.
#[derive(Debug, Clone)]
pub struct LoadedSurvey {
    pub survey: Survey,
    pub fingerprint: String,
}

/// A verified round file the department checks the fieldwork against.
#[derive(Debug, Clone)]
pub struct LoadedRound {
    pub payload: RoundPayload,
    /// Lowercase hex SHA-256 of the round file's payload bytes (what `bundle/2` names).
    pub sha256: String,
    /// Key id of the organiser key that signed it (to compare with the organiser's notice).
    pub organiser_keyid: String,
}

/// Which responses an analysis scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Leave out responses with quality flags.
    pub exclude_flagged: bool,
    /// With a round: count responses with compliance findings too.
    pub include_noncompliant: bool,
    /// With a round: count allowed off-sample interviews too.
    pub include_off_sample: bool,
}

/// The department's loaded inputs and its accumulated import.
#[derive(Default)]
pub struct Department {
    surveys: Vec<LoadedSurvey>,
    roster: Option<Roster>,
    round: Option<LoadedRound>,
    /// Contact attempts of the imported `bundle/2` files, merged by id.
    contacts: Contacts,
    identities: Vec<age::x25519::Identity>,
    imports: BTreeMap<String, Import>,
    files: Vec<FileReport>,
    /// What a survey without imported responses analyses.
    empty: Import,
}

/// Parses the age identities of an identity file's text (`AGE-SECRET-KEY-1…` lines; lines
/// starting with `#` are comments). Errors name the line.
pub fn parse_identities(text: &str) -> Result<Vec<age::x25519::Identity>, String> {
    let mut identities = Vec::new();
    for (idx, line) in survey_core::canonical::text_without_bom(text).lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let identity = age::x25519::Identity::from_str(line)
            .map_err(|err| format!("line {}: not an age identity: {err}", idx + 1))?;
        identities.push(identity);
    }
    if identities.is_empty() {
        return Err("no age identity (a line starting with AGE-SECRET-KEY-1) in the text".to_owned());
    }
    Ok(identities)
}

/// The age recipient (public key) of each identity, to show which key is loaded.
pub fn recipients(identities: &[age::x25519::Identity]) -> Vec<String> {
    identities.iter().map(|identity| identity.to_public().to_string()).collect()
}

/// Whether a file name is a bundle's (`*.bundle.json` or `*.bundle.json.age`): what is taken
/// from a folder, by the command line and the page alike.
pub fn is_bundle_name(name: &str) -> bool {
    name.ends_with(".bundle.json") || name.ends_with(".bundle.json.age")
}

/// Whether the bytes are an age file (as opposed to a plain bundle).
pub fn is_age(bytes: &[u8]) -> bool {
    bytes.starts_with(b"age-encryption.org/")
}

/// The plain bundle bytes of a file: as they are, or decrypted when it is an age file.
/// Errors carry a reason code (`encrypted`, `decryption`) and a message.
pub fn open_bundle(bytes: &[u8], identities: &[age::x25519::Identity]) -> Result<Vec<u8>, (&'static str, String)> {
    if !is_age(bytes) {
        return Ok(bytes.to_vec());
    }
    if identities.is_empty() {
        return Err(("encrypted", "an age-encrypted file; load the department identity to open it".to_owned()));
    }
    let decrypt = || -> Result<Vec<u8>, String> {
        let decryptor = age::Decryptor::new(bytes).map_err(|err| format!("not an age file: {err}"))?;
        let mut reader = decryptor
            .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
            .map_err(|err| format!("cannot decrypt: {err}"))?;
        let mut plain = Vec::new();
        reader.read_to_end(&mut plain).map_err(|err| format!("cannot decrypt: {err}"))?;
        Ok(plain)
    };
    decrypt().map_err(|message| ("decryption", message))
}

impl Department {
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a survey definition. Returns its fingerprint; a definition with errors is refused
    /// with the first error's path and message. Loading the same definition twice keeps one.
    pub fn add_survey(&mut self, text: &str) -> Result<String, String> {
        let loaded = load_survey(text);
        let (Some(survey), Some(fingerprint)) = (loaded.survey, loaded.fingerprint) else {
            let first = loaded
                .diagnostics
                .iter()
                .find(|d| d.severity == survey_core::Severity::Error)
                .map(|d| format!("{}: {}", d.path, d.message))
                .unwrap_or_else(|| "not a survey definition".to_owned());
            return Err(first);
        };
        if !self.surveys.iter().any(|s| s.fingerprint == fingerprint) {
            self.surveys.push(LoadedSurvey { survey, fingerprint: fingerprint.clone() });
        }
        Ok(fingerprint)
    }

    pub fn surveys(&self) -> &[LoadedSurvey] {
        &self.surveys
    }

    pub fn survey(&self, fingerprint: &str) -> Option<&LoadedSurvey> {
        self.surveys.iter().find(|s| s.fingerprint == fingerprint)
    }

    /// Sets the roster of enrolled devices (files verified before it are not re-checked: load
    /// the roster first, or start a new `Department`).
    pub fn set_roster(&mut self, bytes: &[u8]) -> Result<usize, String> {
        if self.round.is_some() {
            return Err("a round file is loaded: its devices are the roster".to_owned());
        }
        let roster = Roster::parse(bytes).map_err(|err| err.to_string())?;
        let devices = roster.devices.len();
        self.roster = Some(roster);
        Ok(devices)
    }

    /// Loads a round file: verified as `docs/round-format.md` says; its survey is loaded and its
    /// devices become the roster. Load it before the bundles (files verified before it are not
    /// re-checked). Errors carry the round verifier's code and message.
    pub fn set_round(&mut self, bytes: &[u8]) -> Result<&LoadedRound, String> {
        let verified = verify_round(bytes).map_err(|err| format!("{}: {err}", err.code()))?;
        let payload = verified.payload;
        let survey_text = serde_json::to_string(&payload.survey).unwrap_or_default();
        let fingerprint = self.add_survey(&survey_text).map_err(|err| format!("the round's survey: {err}"))?;
        if fingerprint != payload.survey_fingerprint {
            return Err(format!(
                "the round's survey has fingerprint {fingerprint}, not {}",
                payload.survey_fingerprint
            ));
        }
        let sha256 = sha256_canonical_hex(&serde_json::to_value(&payload).unwrap_or_default());
        self.roster = Some(Roster { format: ROSTER_FORMAT.to_owned(), devices: payload.devices.clone() });
        Ok(self.round.insert(LoadedRound { payload, sha256, organiser_keyid: verified.keyid }))
    }

    pub fn round(&self) -> Option<&LoadedRound> {
        self.round.as_ref()
    }

    pub fn contacts(&self) -> &Contacts {
        &self.contacts
    }

    pub fn roster(&self) -> Option<&Roster> {
        self.roster.as_ref()
    }

    pub fn set_identities(&mut self, identities: Vec<age::x25519::Identity>) {
        self.identities = identities;
    }

    pub fn identities(&self) -> &[age::x25519::Identity] {
        &self.identities
    }

    /// Opens, verifies and imports one file; returns (and keeps) its outcome.
    pub fn add_file(&mut self, name: &str, bytes: &[u8]) -> &FileReport {
        let outcome = self.import_file(bytes);
        self.files.push(FileReport { file: name.to_owned(), outcome });
        &self.files[self.files.len() - 1]
    }

    /// Records a file that could not even be read (by the caller's IO), so it is listed with
    /// the others.
    pub fn refuse_file(&mut self, name: &str, code: &str, message: String) {
        self.files
            .push(FileReport { file: name.to_owned(), outcome: Outcome::Refused { code: code.to_owned(), message } });
    }

    fn import_file(&mut self, bytes: &[u8]) -> Outcome {
        let refused = |code: &str, message: String| Outcome::Refused { code: code.to_owned(), message };
        let Some(roster) = &self.roster else {
            return refused("no_roster", "load the roster of enrolled devices before the bundles".to_owned());
        };
        let plain = match open_bundle(bytes, &self.identities) {
            Ok(plain) => plain,
            Err((code, message)) => return refused(code, message),
        };
        let bundle = match verify(&plain, roster) {
            Ok(bundle) => bundle,
            Err(BundleError::UnknownKey(keyid)) => {
                let message = BundleError::UnknownKey(keyid.clone()).to_string();
                return Outcome::Quarantined { device: Some(keyid), message };
            }
            Err(err) => return refused(err.code(), err.to_string()),
        };
        if let Some(round) = &self.round {
            let (id, sha256) = (&round.payload.id, &round.sha256);
            match &bundle.round {
                None => {
                    return refused(
                        "not_in_round",
                        format!("a bundle/1 file, made outside any round; the loaded round is `{id}`"),
                    )
                }
                Some(theirs) if theirs.id != *id || theirs.sha256 != *sha256 => {
                    return refused(
                        "other_round",
                        format!(
                            "made in round `{}` (round file {}), not in the loaded round `{id}` ({})",
                            theirs.id,
                            short_hex(&theirs.sha256),
                            short_hex(sha256)
                        ),
                    )
                }
                Some(_) => {}
            }
            if bundle.survey.fingerprint != round.payload.survey_fingerprint {
                return refused(
                    "unknown_survey",
                    format!(
                        "answers survey {} {} ({}), not the round's survey ({})",
                        bundle.survey.id,
                        bundle.survey.version,
                        short_fingerprint(&bundle.survey.fingerprint),
                        short_fingerprint(&round.payload.survey_fingerprint)
                    ),
                );
            }
        }
        if self.survey(&bundle.survey.fingerprint).is_none() {
            return refused(
                "unknown_survey",
                format!(
                    "answers survey {} {} ({}), which is not loaded",
                    bundle.survey.id,
                    bundle.survey.version,
                    short_fingerprint(&bundle.survey.fingerprint)
                ),
            );
        }
        let survey = bundle.survey.fingerprint.clone();
        let bundle_id = bundle.bundle_id.clone();
        let device = bundle.keyid.clone();
        let evaluator = bundle.device.evaluator.clone();
        let responses = bundle.responses.len();
        self.contacts.add(&device, &bundle.contacts);
        // Moved in, not copied: a department imports tens of thousands of responses.
        let Added { new, duplicates, conflicts } = self.imports.entry(survey.clone()).or_default().add_owned(bundle);
        Outcome::Imported { survey, bundle_id, device, evaluator, responses, new, duplicates, conflicts }
    }

    /// Every file offered so far, in the order offered.
    pub fn files(&self) -> &[FileReport] {
        &self.files
    }

    /// How many distinct files ended in each outcome: what a report must say before its
    /// numbers, since a partial import must never pass for a complete one. Files are told apart
    /// by name: one offered twice (the same folder imported again) counts once, as imported when
    /// any offer of it was imported (refused while the identity was missing, then imported),
    /// else by its latest outcome.
    pub fn file_counts(&self) -> FileCounts {
        let mut latest: BTreeMap<&str, u8> = BTreeMap::new();
        for file in &self.files {
            let kind = match &file.outcome {
                Outcome::Imported { .. } => 0,
                Outcome::Quarantined { .. } => 1,
                Outcome::Refused { code, .. } if code == "unreadable" => 2,
                Outcome::Refused { .. } => 3,
            };
            let entry = latest.entry(file.file.as_str()).or_insert(kind);
            if *entry != 0 {
                *entry = kind;
            }
        }
        let mut counts = FileCounts::default();
        for kind in latest.values() {
            match kind {
                0 => counts.imported += 1,
                1 => counts.quarantined += 1,
                2 => counts.unreadable += 1,
                _ => counts.refused += 1,
            }
        }
        counts
    }

    /// The accumulated import of one survey (empty when nothing was imported for it).
    pub fn import(&self, fingerprint: &str) -> Option<&Import> {
        self.imports.get(fingerprint)
    }

    /// Scores one loaded survey's responses, with and without the flagged ones; for the round's
    /// survey, with its fieldwork checked and the responses chosen by `options`.
    pub fn analysis(&self, fingerprint: &str, options: Options) -> Option<Analysis<'_>> {
        let loaded = self.survey(fingerprint)?;
        let import = self.imports.get(fingerprint).unwrap_or(&self.empty);
        let round = self.round.as_ref().filter(|round| round.payload.survey_fingerprint == fingerprint);
        Some(Analysis::new(loaded, import, round.map(|round| (&round.payload, &self.contacts)), options))
    }
}

/// The first 16 hex digits, as the kit shows hashes to people.
fn short_hex(hex: &str) -> &str {
    hex.get(..16).unwrap_or(hex)
}

/// One survey's imported responses, their quality flags and their scores.
pub struct Analysis<'a> {
    pub survey: &'a Survey,
    pub fingerprint: &'a str,
    pub import: &'a Import,
    /// The responses scored (with a round: those the compliance switches let in), in id order,
    /// where the import keeps them (never copied: a department may hold 100,000).
    pub responses: Vec<&'a ExportedResponse>,
    /// With a round: the fieldwork checked over every accepted response.
    pub compliance: Option<Compliance>,
    /// One entry per response, in the order of `responses`.
    pub flagged: Vec<Flagged>,
    /// The report over all responses.
    pub all: Report,
    /// The report over the responses without quality flags.
    pub unflagged: Report,
    /// Which of the two is the result shown and exported.
    pub exclude_flagged: bool,
    pub include_noncompliant: bool,
    pub include_off_sample: bool,
}

impl<'a> Analysis<'a> {
    pub fn new(
        loaded: &'a LoadedSurvey,
        import: &'a Import,
        round: Option<(&RoundPayload, &Contacts)>,
        options: Options,
    ) -> Self {
        let survey = &loaded.survey;
        let mut responses: Vec<&ExportedResponse> = import.responses_ref().collect();
        let compliance = round.map(|(round, contacts)| compliance::check(round, &responses, contacts));
        if let Some(compliance) = &compliance {
            responses.retain(|r| compliance.counted(&r.id, options.include_noncompliant, options.include_off_sample));
        }
        let flagged = flag_responses(survey, &responses);
        let all = score(survey, &responses);
        let kept: Vec<&ExportedResponse> =
            responses.iter().zip(&flagged).filter(|(_, f)| f.flags.is_empty()).map(|(r, _)| *r).collect();
        let unflagged = if kept.len() == responses.len() { all.clone() } else { score(survey, &kept) };
        Analysis {
            survey,
            fingerprint: &loaded.fingerprint,
            import,
            responses,
            compliance,
            flagged,
            all,
            unflagged,
            exclude_flagged: options.exclude_flagged,
            include_noncompliant: options.include_noncompliant,
            include_off_sample: options.include_off_sample,
        }
    }

    /// The report shown and exported: without the flagged responses when so chosen.
    pub fn report(&self) -> &Report {
        if self.exclude_flagged {
            &self.unflagged
        } else {
            &self.all
        }
    }

    /// The other report, to show how the numbers move with the exclusion switch.
    pub fn alternative(&self) -> &Report {
        if self.exclude_flagged {
            &self.all
        } else {
            &self.unflagged
        }
    }

    /// The responses behind [`Analysis::report`].
    pub fn counted_responses(&self) -> Vec<&ExportedResponse> {
        self.responses
            .iter()
            .zip(&self.flagged)
            .filter(|(_, f)| !self.exclude_flagged || f.flags.is_empty())
            .map(|(r, _)| *r)
            .collect()
    }

    /// Number of responses with at least one quality flag.
    pub fn flagged_count(&self) -> usize {
        self.flagged.iter().filter(|f| !f.flags.is_empty()).count()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_identity_file_saved_with_a_byte_order_mark_is_read() {
        let text = include_str!("../../../tests/fixtures/department/department-identity.txt");
        let plain = super::parse_identities(text).map(|ids| super::recipients(&ids));
        assert!(plain.as_ref().is_ok_and(|r| !r.is_empty()), "{plain:?}");
        assert_eq!(super::parse_identities(&format!("\u{feff}{text}")).map(|ids| super::recipients(&ids)), plain);
    }
}
