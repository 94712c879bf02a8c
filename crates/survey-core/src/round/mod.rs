//! Evaluation rounds (`docs/round-format.md`, `docs/sampling.md`): what an organiser hands to
//! the tablets and the department, signed.
//!
//! - [`draw`]: the draw rule `draw/1`, the text rules, frame hashes and commitment, substitution;
//! - [`frame`]: a unit's household frame read from the organiser's CSV file;
//! - [`fieldwork`]: what a tablet shows: its units, the drawn households and released substitutes;
//! - [`plan`]: the organiser's plan turned into a round payload, every problem at once;
//! - [`verify`]: a round file checked, with a named reason per finding (the signature by
//!   ed25519-dalek behind feature `verify`, or by the shell);
//! - here: the round payload (`round/1`) and its DSSE envelope.

pub mod draw;
pub mod fieldwork;
pub mod frame;
pub mod plan;
pub mod verify;

use crate::bundle::RosterDevice;
use crate::Text;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The DSSE payload type of a round file.
pub const ROUND_PAYLOAD_TYPE: &str = "application/vnd.survey-kit.round+json";
/// The round format this build writes and reads.
pub const ROUND_FORMAT: &str = "round/1";
/// The plan format `survey round build` reads.
pub const PLAN_FORMAT: &str = "plan/1";
/// `not_at_home` becomes final at this attempt unless the plan says otherwise.
pub const DEFAULT_ATTEMPTS_BEFORE_SUBSTITUTE: u32 = 3;

/// The dates a round runs, `YYYY-MM-DD` each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: String,
    pub to: String,
}

/// Who signed the round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organiser {
    /// Standard base64 of the raw 32-byte Ed25519 public key.
    pub key: String,
    pub name: String,
}

/// How many units the round draws (`None` in the payload: all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSample {
    pub n: u64,
}

/// One unit of the round with its frame and, when sampled, its drawn households.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundUnit {
    pub id: String,
    pub name: Text,
    pub group: Option<Text>,
    pub sampled: bool,
    /// The frame, in the order of the organiser's file.
    pub households: Vec<String>,
    pub frame_hash: String,
    pub n: u64,
    /// The first `n` of the household draw, for a sampled unit; empty otherwise.
    pub drawn_households: Vec<String>,
    pub attempts_before_substitute: u32,
    pub off_sample: bool,
}

/// A sampled unit and the one device that collects it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub unit: String,
    /// The device's keyid.
    pub device: String,
}

/// The round payload (`round/1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundPayload {
    pub format: String,
    pub id: String,
    pub title: Text,
    pub period: Period,
    pub organiser: Organiser,
    /// The survey definition, embedded whole as given.
    pub survey: Value,
    pub survey_fingerprint: String,
    pub seed: String,
    pub seed_source: String,
    pub frame_commitment: String,
    pub unit_sample: Option<UnitSample>,
    pub units: Vec<RoundUnit>,
    pub devices: Vec<RosterDevice>,
    pub assignments: Vec<Assignment>,
    pub recipients: Vec<String>,
}

impl RoundPayload {
    /// The units in the sample.
    pub fn sampled_units(&self) -> impl Iterator<Item = &RoundUnit> {
        self.units.iter().filter(|unit| unit.sampled)
    }

    /// The device a unit is assigned to.
    pub fn device_of(&self, unit_id: &str) -> Option<&str> {
        self.assignments.iter().find(|a| a.unit == unit_id).map(|a| a.device.as_str())
    }

    /// A sampled unit's households in draw order: the first `n` are drawn, the rest substitutes.
    pub fn household_order<'a>(&self, unit: &'a RoundUnit) -> Vec<&'a str> {
        let members: Vec<&str> = unit.households.iter().map(String::as_str).collect();
        draw::draw(&self.seed, &self.id, &draw::households_scope(&unit.id), &members)
    }

    /// The canonical JSON bytes of the payload (what is signed).
    pub fn to_canonical_bytes(&self) -> Vec<u8> {
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        crate::canonical::canonical_json(&value)
    }
}
