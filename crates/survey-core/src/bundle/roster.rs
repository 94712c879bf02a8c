//! The roster (`roster/1`): the devices a department has enrolled and accepts bundles from.

use super::{keyid, ROSTER_FORMAT};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterDevice {
    pub key: String,
    pub keyid: String,
    pub evaluator: String,
    #[serde(default)]
    pub team: String,
}

/// The devices a department accepts bundles from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    pub format: String,
    pub devices: Vec<RosterDevice>,
}

/// Why a roster file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterError(pub String);

impl fmt::Display for RosterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Roster {
    /// Parses and checks a roster: format version, keys of 32 bytes, key ids that match.
    pub fn parse(bytes: &[u8]) -> Result<Roster, RosterError> {
        let roster: Roster = serde_json::from_slice(crate::canonical::without_bom(bytes))
            .map_err(|err| RosterError(format!("not a roster: {err}")))?;
        if roster.format != ROSTER_FORMAT {
            return Err(RosterError(format!(
                "unsupported roster format `{}`; this build reads `{ROSTER_FORMAT}`",
                roster.format
            )));
        }
        for (idx, device) in roster.devices.iter().enumerate() {
            let key =
                STANDARD.decode(&device.key).ok().filter(|key| key.len() == 32).ok_or_else(|| {
                    RosterError(format!("devices[{idx}].key: not the base64 of a 32-byte Ed25519 key"))
                })?;
            if keyid(&key) != device.keyid {
                return Err(RosterError(format!("devices[{idx}].keyid: does not match the key")));
            }
        }
        Ok(roster)
    }

    pub fn device(&self, keyid: &str) -> Option<&RosterDevice> {
        self.devices.iter().find(|d| d.keyid == keyid)
    }
}
