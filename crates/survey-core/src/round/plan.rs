//! The organiser's plan (`plan/1`, `docs/round-format.md`) turned into a round payload.
//!
//! Pure: the shell reads the plan, then the files it names ([`Plan::files`]), and hands their
//! bytes to [`build`]. Every problem is reported at once, each with where it is (a JSON path of
//! the plan, a row of a frame file, a path of the survey), and no payload is made when there is
//! any: nothing half-planned reaches a tablet.

use super::draw::{self, check_text, households_scope, TextKind, UNITS_SCOPE};
use super::frame::read_frame;
use super::{
    Assignment, Organiser, Period, RoundPayload, RoundUnit, UnitSample, DEFAULT_ATTEMPTS_BEFORE_SUBSTITUTE,
    PLAN_FORMAT, ROUND_FORMAT,
};
use crate::bundle::{Roster, RosterDevice, ROSTER_FORMAT};
use crate::response::is_iso_date;
use crate::{load_survey, Severity, Text};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// One problem of a plan: where (`plan.json: units[2].n`, `frames/u1.csv:17`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanProblem {
    pub location: String,
    pub message: String,
}

impl fmt::Display for PlanProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Defaults for every unit of the plan.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub n: Option<u64>,
    pub attempts_before_substitute: Option<u32>,
    pub off_sample: Option<bool>,
}

/// A unit as the plan names it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanUnit {
    pub id: String,
    /// The path of the unit's frame CSV, relative to the plan.
    pub frame: String,
    pub name: Option<Text>,
    pub group: Option<Text>,
    pub n: Option<u64>,
    pub attempts_before_substitute: Option<u32>,
    pub off_sample: Option<bool>,
}

/// The plan as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub format: String,
    pub id: String,
    pub title: Text,
    pub period: Period,
    pub organiser: String,
    /// The path of the survey definition file.
    pub survey: String,
    pub seed: String,
    pub seed_source: Option<String>,
    pub draw_units: Option<u64>,
    #[serde(default)]
    pub defaults: Defaults,
    pub units: Vec<PlanUnit>,
    pub roster: Option<String>,
    pub devices: Option<Vec<RosterDevice>>,
    #[serde(default)]
    pub assignments: Vec<Assignment>,
}

impl Plan {
    /// Reads a plan's shape; `name` is how problems name the file.
    pub fn parse(name: &str, bytes: &[u8]) -> Result<Plan, Vec<PlanProblem>> {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
            let path = err.path().to_string();
            let location = if path == "." { name.to_owned() } else { format!("{name}: {path}") };
            vec![PlanProblem { location, message: err.into_inner().to_string() }]
        })
    }

    /// The files the plan names, relative to it: the survey, each frame, the roster.
    pub fn files(&self) -> Vec<String> {
        let mut files = vec![self.survey.clone()];
        files.extend(self.units.iter().map(|unit| unit.frame.clone()));
        files.extend(self.roster.clone());
        files
    }
}

/// The languages of a round's titles and names.
pub const ROUND_LANGUAGES: [&str; 2] = ["zh-CN", "en"];

/// A text with only the round's languages (a survey's unit names may have more).
pub fn round_languages(text: &Text) -> Text {
    Text(
        text.0
            .iter()
            .filter(|(tag, _)| ROUND_LANGUAGES.contains(&tag.as_str()))
            .map(|(t, v)| (t.clone(), v.clone()))
            .collect(),
    )
}

/// Checks a title or name given in a plan: both languages of the kit, non-empty, no other.
pub fn plan_text_problem(text: &Text) -> Option<String> {
    let others: Vec<&str> = text.0.keys().map(String::as_str).filter(|tag| !ROUND_LANGUAGES.contains(tag)).collect();
    if !others.is_empty() {
        return Some(format!("only zh-CN and en, not {}", others.join(", ")));
    }
    bilingual_problem(text)
}

/// Checks a title or name: both languages of the kit, non-empty.
pub fn bilingual_problem(text: &Text) -> Option<String> {
    let missing: Vec<&str> = ["zh-CN", "en"]
        .into_iter()
        .filter(|tag| text.0.get(*tag).is_none_or(|value| value.trim().is_empty()))
        .collect();
    (!missing.is_empty()).then(|| format!("needs a non-empty text for {}", missing.join(" and ")))
}

/// Problems found so far, and how to name a place in the plan.
struct Problems<'a> {
    list: Vec<PlanProblem>,
    plan_name: &'a str,
}

impl Problems<'_> {
    /// A problem at a JSON path of the plan.
    fn at(&mut self, path: &str, message: String) {
        self.list.push(PlanProblem { location: format!("{}: {path}", self.plan_name), message });
    }
}

/// Builds the round payload of a plan. `plan_name` names the plan file in problems; `file`
/// gives the bytes of a file the plan names (`None`: it could not be read, with why).
pub fn build(
    plan_name: &str,
    plan: &Plan,
    file: &dyn Fn(&str) -> Result<Vec<u8>, String>,
    organiser_key: &[u8; 32],
) -> Result<RoundPayload, Vec<PlanProblem>> {
    let mut problems = Problems { list: Vec::new(), plan_name };
    if plan.format != PLAN_FORMAT {
        problems.at("format", format!("`{}` is not a plan format this build reads (`{PLAN_FORMAT}`)", plan.format));
    }
    if let Err(err) = check_text(&plan.id, TextKind::RoundId) {
        problems.at("id", format!("round id {:?}: {err}", plan.id));
    }
    if let Some(problem) = plan_text_problem(&plan.title) {
        problems.at("title", problem);
    }
    for (field, date) in [("period.from", &plan.period.from), ("period.to", &plan.period.to)] {
        if !is_iso_date(date) {
            problems.at(field, format!("{date:?} is not a date YYYY-MM-DD"));
        }
    }
    if is_iso_date(&plan.period.from) && is_iso_date(&plan.period.to) && plan.period.from > plan.period.to {
        problems.at("period", format!("ends ({}) before it starts ({})", plan.period.to, plan.period.from));
    }
    if plan.organiser.trim().is_empty() {
        problems.at("organiser", "the organiser's name is empty".to_owned());
    }
    if let Err(err) = check_text(&plan.seed, TextKind::Seed) {
        problems.at("seed", format!("{err}"));
    }
    match &plan.seed_source {
        None => problems
            .at("seed_source", "a seed needs its public source (e.g. a named lottery's draw and date)".to_owned()),
        Some(source) => {
            if let Err(err) = check_text(source, TextKind::SeedSource) {
                problems.at("seed_source", format!("{err}"));
            }
        }
    }

    // The survey, embedded whole as given.
    let mut survey_value = serde_json::Value::Null;
    let mut fingerprint = String::new();
    let mut survey_units: Option<BTreeMap<String, Text>> = None;
    let mut recipients = Vec::new();
    match file(&plan.survey) {
        Err(err) => problems.at("survey", format!("cannot read {}: {err}", plan.survey)),
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let loaded = load_survey(&text);
            let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
            match (loaded.survey, loaded.fingerprint) {
                (Some(survey), Some(print)) if errors.is_empty() => {
                    survey_value = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
                    fingerprint = print;
                    if !survey.units.is_empty() {
                        survey_units = Some(survey.units.iter().map(|u| (u.id.clone(), u.name.clone())).collect());
                    }
                    recipients = survey.recipients.clone();
                }
                _ => {
                    if errors.is_empty() {
                        problems
                            .list
                            .push(PlanProblem { location: plan.survey.clone(), message: "not a valid survey".into() });
                    }
                    for err in errors {
                        problems.list.push(PlanProblem { location: plan.survey.clone(), message: err.to_string() });
                    }
                }
            }
        }
    }

    // Units and their frames.
    if plan.units.is_empty() {
        problems.at("units", "the plan names no unit".to_owned());
    }
    let mut first_index: HashMap<&str, usize> = HashMap::new();
    let mut units = Vec::new();
    let mut frame_problems = Vec::new();
    for (idx, unit) in plan.units.iter().enumerate() {
        let path = format!("units[{idx}]");
        if let Err(err) = check_text(&unit.id, TextKind::UnitId) {
            problems.at(&format!("{path}.id"), format!("unit id {:?}: {err}", unit.id));
        }
        if let Some(first) = first_index.insert(&unit.id, idx) {
            problems.at(&format!("{path}.id"), format!("unit `{}` is already units[{first}]", unit.id));
            first_index.insert(&unit.id, first);
        }
        let name = match (&survey_units, &unit.name) {
            (Some(listed), name) => match listed.get(&unit.id) {
                None => {
                    problems.at(
                        &format!("{path}.id"),
                        format!("unknown unit `{}`: the survey lists its units and not this one", unit.id),
                    );
                    None
                }
                Some(listed_name) => {
                    let listed_name = &round_languages(listed_name);
                    if name.as_ref().is_some_and(|name| name != listed_name) {
                        problems.at(
                            &format!("{path}.name"),
                            "differs from the unit's name in the survey (leave it out)".to_owned(),
                        );
                    }
                    Some(listed_name.clone())
                }
            },
            (None, Some(name)) => {
                if let Some(problem) = plan_text_problem(name) {
                    problems.at(&format!("{path}.name"), problem);
                }
                Some(name.clone())
            }
            (None, None) => {
                problems
                    .at(&format!("{path}.name"), "the survey lists no units, so the plan names each one".to_owned());
                None
            }
        };
        if let Some(problem) = unit.group.as_ref().and_then(plan_text_problem) {
            problems.at(&format!("{path}.group"), problem);
        }
        let households = match file(&unit.frame) {
            Err(err) => {
                problems.at(&format!("{path}.frame"), format!("cannot read {}: {err}", unit.frame));
                None
            }
            Ok(bytes) => match read_frame(&bytes) {
                Ok(codes) => Some(codes),
                Err(errors) => {
                    for err in errors {
                        let location =
                            if err.row == 0 { unit.frame.clone() } else { format!("{}:{}", unit.frame, err.row) };
                        frame_problems.push(PlanProblem { location, message: err.message });
                    }
                    None
                }
            },
        };
        let n = unit.n.or(plan.defaults.n);
        match (n, &households) {
            (None, _) => problems
                .at(&format!("{path}.n"), "how many households to draw: give `n` here or in `defaults`".to_owned()),
            (Some(0), _) => problems.at(&format!("{path}.n"), "must be at least 1".to_owned()),
            (Some(n), Some(codes)) if n > codes.len() as u64 => {
                problems.at(&format!("{path}.n"), format!("{n} is above the frame size {}", codes.len()))
            }
            _ => {}
        }
        let attempts = unit
            .attempts_before_substitute
            .or(plan.defaults.attempts_before_substitute)
            .unwrap_or(DEFAULT_ATTEMPTS_BEFORE_SUBSTITUTE);
        if attempts == 0 {
            problems.at(&format!("{path}.attempts_before_substitute"), "must be at least 1".to_owned());
        }
        units.push((unit, name, households, n.unwrap_or(0), attempts));
    }
    if let Some(k) = plan.draw_units {
        if k == 0 || k > plan.units.len() as u64 {
            problems.at("draw_units", format!("{k} units to draw, the plan has {}", plan.units.len()));
        }
    }

    // Devices: a roster file or the list itself.
    let problems_before_devices = problems.list.len();
    let devices: Vec<RosterDevice> = match (&plan.roster, &plan.devices) {
        (Some(_), Some(_)) => {
            problems.at("devices", "give either `roster` or `devices`, not both".to_owned());
            Vec::new()
        }
        (None, None) => {
            problems.at("roster", "the enrolled devices: give `roster` (a roster file) or `devices`".to_owned());
            Vec::new()
        }
        (Some(path), None) => match file(path) {
            Err(err) => {
                problems.at("roster", format!("cannot read {path}: {err}"));
                Vec::new()
            }
            Ok(bytes) => match Roster::parse(&bytes) {
                Ok(roster) => roster.devices,
                Err(err) => {
                    problems.list.push(PlanProblem { location: path.clone(), message: err.to_string() });
                    Vec::new()
                }
            },
        },
        (None, Some(devices)) => {
            let roster = serde_json::json!({"format": ROSTER_FORMAT, "devices": devices});
            match Roster::parse(roster.to_string().as_bytes()) {
                Ok(roster) => roster.devices,
                Err(err) => {
                    problems.at("devices", err.to_string());
                    Vec::new()
                }
            }
        }
    };
    // When the devices could not be read, that is the problem; every assignment is not "to a
    // device not enrolled" on top of it.
    let devices_known = problems.list.len() == problems_before_devices;
    let mut keyids = BTreeSet::new();
    for device in &devices {
        if !keyids.insert(device.keyid.as_str()) {
            problems.at("devices", format!("device {} is enrolled twice", device.keyid));
        }
    }

    // The draws (texts already checked; a draw over faulty texts is not shown to anyone).
    let unit_ids: Vec<&str> = plan.units.iter().map(|u| u.id.as_str()).collect();
    let sampled: BTreeSet<&str> = match plan.draw_units {
        Some(k) => draw::draw(&plan.seed, &plan.id, UNITS_SCOPE, &unit_ids).into_iter().take(k as usize).collect(),
        None => unit_ids.iter().copied().collect(),
    };

    // Assignments: every sampled unit to exactly one enrolled device.
    let mut assigned: HashMap<&str, usize> = HashMap::new();
    for (idx, assignment) in plan.assignments.iter().enumerate() {
        let path = format!("assignments[{idx}]");
        if !first_index.contains_key(assignment.unit.as_str()) {
            problems.at(&format!("{path}.unit"), format!("unknown unit `{}`", assignment.unit));
        } else if !sampled.contains(assignment.unit.as_str()) {
            problems
                .at(&format!("{path}.unit"), format!("unit `{}` is not in the sample the draw gives", assignment.unit));
        }
        if devices_known && !keyids.contains(assignment.device.as_str()) {
            problems.at(&format!("{path}.device"), format!("device {} is not enrolled", assignment.device));
        }
        if let Some(first) = assigned.insert(&assignment.unit, idx) {
            problems.at(
                &format!("{path}.unit"),
                format!("unit `{}` is already assigned in assignments[{first}]", assignment.unit),
            );
            assigned.insert(&assignment.unit, first);
        }
    }
    let mut unassigned: Vec<&str> = sampled.iter().copied().filter(|unit| !assigned.contains_key(unit)).collect();
    unassigned.sort_unstable();
    if !unassigned.is_empty() {
        problems.at("assignments", format!("units of the sample not assigned to a device: {}", unassigned.join(", ")));
    }

    problems.list.extend(frame_problems);
    if !problems.list.is_empty() {
        return Err(problems.list);
    }

    let mut round_units: Vec<RoundUnit> = units
        .into_iter()
        .map(|(unit, name, households, n, attempts)| {
            let households = households.unwrap_or_default();
            let refs: Vec<&str> = households.iter().map(String::as_str).collect();
            let is_sampled = sampled.contains(unit.id.as_str());
            let drawn_households = if is_sampled {
                draw::draw(&plan.seed, &plan.id, &households_scope(&unit.id), &refs)
                    .into_iter()
                    .take(n as usize)
                    .map(str::to_owned)
                    .collect()
            } else {
                Vec::new()
            };
            RoundUnit {
                id: unit.id.clone(),
                name: name.unwrap_or_default(),
                group: unit.group.clone(),
                sampled: is_sampled,
                frame_hash: draw::frame_hash(&refs),
                households,
                n,
                drawn_households,
                attempts_before_substitute: attempts,
                off_sample: unit.off_sample.or(plan.defaults.off_sample).unwrap_or(false),
            }
        })
        .collect();
    round_units.sort_by(|a, b| a.id.cmp(&b.id));
    let mut devices = devices;
    devices.sort_by(|a, b| a.keyid.cmp(&b.keyid));
    let mut assignments = plan.assignments.clone();
    assignments.sort_by(|a, b| a.unit.cmp(&b.unit));
    let frame_commitment = draw::frame_commitment(round_units.iter().map(|u| (u.id.as_str(), u.frame_hash.as_str())));
    Ok(RoundPayload {
        format: ROUND_FORMAT.to_owned(),
        id: plan.id.clone(),
        title: plan.title.clone(),
        period: plan.period.clone(),
        organiser: Organiser { key: STANDARD.encode(organiser_key), name: plan.organiser.clone() },
        survey: survey_value,
        survey_fingerprint: fingerprint,
        seed: plan.seed.clone(),
        seed_source: plan.seed_source.clone().unwrap_or_default(),
        frame_commitment,
        unit_sample: plan.draw_units.map(|n| UnitSample { n }),
        units: round_units,
        devices,
        assignments,
        recipients,
    })
}
