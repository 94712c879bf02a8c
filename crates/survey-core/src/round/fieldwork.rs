//! A tablet's work in a round, computed from the round, its own key id, the contact attempts and
//! the interviews it holds: the units assigned to it and, per unit, the drawn households and
//! only the substitutes the substitution rule of `docs/sampling.md` has released, each with its
//! status. Never the whole frame: nobody on the doorstep can pick a household.

use super::draw::{available, Outcome};
use super::{RoundPayload, RoundUnit};
use crate::bundle::{Contact, ContactOutcome};
use std::collections::{BTreeMap, BTreeSet};

/// What has happened at a household so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HouseholdStatus {
    ToVisit,
    Interviewed,
    /// Not at home, this many times (and nothing final since).
    NotAtHome(u32),
    Refused,
    Vacant,
    NotEligible,
}

/// One released household of a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdWork {
    pub code: String,
    /// 1-based position in the unit's draw order (what a response records as its `slot`).
    pub slot: u64,
    /// Among the first `n` (else a released substitute).
    pub drawn: bool,
    pub status: HouseholdStatus,
}

/// A unit's work: its released households in draw order and the progress toward `n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitWork {
    pub unit: String,
    pub n: u64,
    pub households: Vec<HouseholdWork>,
    pub interviewed: usize,
    /// Every household of the frame has been released and none is left to visit.
    pub frame_exhausted: bool,
}

/// The sampled units assigned to the device with this key id, in unit-id order.
pub fn assigned_units<'a>(round: &'a RoundPayload, device_keyid: &str) -> Vec<&'a RoundUnit> {
    round.sampled_units().filter(|unit| round.device_of(&unit.id) == Some(device_keyid)).collect()
}

/// The status of each household with contacts or an interview (absent: to visit).
fn statuses(unit: &str, contacts: &[Contact], interviewed: &BTreeSet<String>) -> BTreeMap<String, HouseholdStatus> {
    let mut statuses = contact_statuses(unit, contacts);
    for household in interviewed {
        statuses.insert(household.clone(), HouseholdStatus::Interviewed);
    }
    statuses
}

/// The status each household of `unit` has from its contact attempts alone (absent: none).
/// Attempts are applied in time order (ids break ties), so a later visit decides; the department
/// uses the same walk to judge what a tablet had released at a given time.
pub(crate) fn contact_statuses<'c>(
    unit: &str,
    contacts: impl IntoIterator<Item = &'c Contact>,
) -> BTreeMap<String, HouseholdStatus> {
    let mut ordered: Vec<&Contact> = contacts.into_iter().filter(|contact| contact.unit == unit).collect();
    ordered.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let mut statuses = BTreeMap::new();
    for contact in ordered {
        let status = statuses.entry(contact.household.clone()).or_insert(HouseholdStatus::ToVisit);
        *status = match (contact.outcome, *status) {
            (ContactOutcome::NotAtHome, HouseholdStatus::NotAtHome(k)) => HouseholdStatus::NotAtHome(k + 1),
            (ContactOutcome::NotAtHome, _) => HouseholdStatus::NotAtHome(1),
            (ContactOutcome::Refused, _) => HouseholdStatus::Refused,
            (ContactOutcome::Vacant, _) => HouseholdStatus::Vacant,
            (ContactOutcome::NotEligible, _) => HouseholdStatus::NotEligible,
        };
    }
    statuses
}

/// A status as the substitution rule reads it: the latest outcome and its attempt number.
pub(crate) fn rule_outcome(status: HouseholdStatus) -> Option<(Outcome, u32)> {
    match status {
        HouseholdStatus::ToVisit => None,
        HouseholdStatus::Interviewed => Some((Outcome::Completed, 1)),
        HouseholdStatus::NotAtHome(k) => Some((Outcome::NotAtHome, k)),
        HouseholdStatus::Refused => Some((Outcome::Refused, 1)),
        HouseholdStatus::Vacant => Some((Outcome::Vacant, 1)),
        HouseholdStatus::NotEligible => Some((Outcome::NotEligible, 1)),
    }
}

/// A unit's work given the device's contact attempts (any unit; others are ignored) and the
/// households of the unit it has interviewed.
pub fn unit_work(
    round: &RoundPayload,
    unit: &RoundUnit,
    contacts: &[Contact],
    interviewed: &BTreeSet<String>,
) -> UnitWork {
    unit_work_in_order(unit, &round.household_order(unit), contacts, interviewed)
}

/// [`unit_work`] given the unit's draw order (`RoundPayload::household_order`), for a caller that
/// keeps the order rather than re-drawing on every render.
pub fn unit_work_in_order(
    unit: &RoundUnit,
    order: &[&str],
    contacts: &[Contact],
    interviewed: &BTreeSet<String>,
) -> UnitWork {
    let statuses = statuses(&unit.id, contacts, interviewed);
    let status_of = |code: &str| statuses.get(code).copied().unwrap_or(HouseholdStatus::ToVisit);
    let outcomes: Vec<Option<(Outcome, u32)>> = order.iter().map(|code| rule_outcome(status_of(code))).collect();
    let n = usize::try_from(unit.n).unwrap_or(usize::MAX);
    let released = available(n, unit.attempts_before_substitute, &outcomes, order.len());
    let households: Vec<HouseholdWork> = order[..released]
        .iter()
        .enumerate()
        .map(|(idx, code)| HouseholdWork {
            code: (*code).to_owned(),
            slot: idx as u64 + 1,
            drawn: idx < n,
            status: status_of(code),
        })
        .collect();
    let interviewed_count = households.iter().filter(|h| h.status == HouseholdStatus::Interviewed).count();
    let open = |h: &HouseholdWork| match h.status {
        HouseholdStatus::ToVisit => true,
        HouseholdStatus::NotAtHome(k) => k < unit.attempts_before_substitute,
        _ => false,
    };
    UnitWork {
        unit: unit.id.clone(),
        n: unit.n,
        frame_exhausted: released == order.len() && !households.iter().any(open),
        interviewed: interviewed_count,
        households,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::round::{Assignment, Organiser, Period, DEFAULT_ATTEMPTS_BEFORE_SUBSTITUTE, ROUND_FORMAT};
    use crate::Text;

    fn round() -> RoundPayload {
        let households: Vec<String> = (1..=8).map(|h| format!("H{h}")).collect();
        let unit = |id: &str| RoundUnit {
            id: id.into(),
            name: Text::from_pairs(&[("zh-CN", id), ("en", id)]),
            group: None,
            sampled: true,
            households: households.clone(),
            frame_hash: String::new(),
            n: 3,
            drawn_households: Vec::new(),
            attempts_before_substitute: DEFAULT_ATTEMPTS_BEFORE_SUBSTITUTE,
            off_sample: false,
        };
        RoundPayload {
            format: ROUND_FORMAT.into(),
            id: "r".into(),
            title: Text::default(),
            period: Period { from: "2026-12-01".into(), to: "2026-12-02".into() },
            organiser: Organiser { key: String::new(), name: String::new() },
            survey: serde_json::Value::Null,
            survey_fingerprint: String::new(),
            seed: "s".into(),
            seed_source: "src".into(),
            frame_commitment: String::new(),
            unit_sample: None,
            units: vec![unit("a"), unit("b")],
            devices: Vec::new(),
            assignments: vec![
                Assignment { unit: "a".into(), device: "me".into() },
                Assignment { unit: "b".into(), device: "other".into() },
            ],
            recipients: Vec::new(),
        }
    }

    fn contact(id: &str, household: &str, at: i64, outcome: ContactOutcome) -> Contact {
        Contact { id: id.into(), unit: "a".into(), household: household.into(), at, outcome, note: String::new() }
    }

    #[test]
    fn only_the_drawn_households_and_released_substitutes_are_shown() {
        let round = round();
        let units = assigned_units(&round, "me");
        assert_eq!(units.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), vec!["a"]);
        let unit = units[0];
        let order = round.household_order(unit);
        let work = unit_work(&round, unit, &[], &BTreeSet::new());
        assert_eq!(work.households.iter().map(|h| h.code.as_str()).collect::<Vec<_>>(), order[..3].to_vec());
        assert!(work.households.iter().all(|h| h.drawn && h.status == HouseholdStatus::ToVisit));

        // A refusal releases the first substitute; not at home twice does not, the third time does.
        let contacts = vec![
            contact("c1", order[0], 1, ContactOutcome::Refused),
            contact("c2", order[1], 2, ContactOutcome::NotAtHome),
            contact("c3", order[1], 3, ContactOutcome::NotAtHome),
        ];
        let work = unit_work(&round, unit, &contacts, &BTreeSet::new());
        assert_eq!(work.households.len(), 4);
        assert_eq!(work.households[1].status, HouseholdStatus::NotAtHome(2));
        assert_eq!((work.households[3].slot, work.households[3].drawn), (4, false));
        let mut more = contacts.clone();
        more.push(contact("c4", order[1], 4, ContactOutcome::NotAtHome));
        assert_eq!(unit_work(&round, unit, &more, &BTreeSet::new()).households.len(), 5);

        // An interview counts toward n and releases nothing.
        let interviewed: BTreeSet<String> = [order[2].to_owned()].into();
        let work = unit_work(&round, unit, &contacts, &interviewed);
        assert_eq!((work.interviewed, work.households.len()), (1, 4));
        // Contacts of other units change nothing here.
        let mut elsewhere = contact("c9", order[0], 1, ContactOutcome::Vacant);
        elsewhere.unit = "b".into();
        assert_eq!(unit_work(&round, unit, &[elsewhere], &BTreeSet::new()).households.len(), 3);
    }

    #[test]
    fn a_frame_of_final_non_responses_is_exhausted() {
        let round = round();
        let unit = &round.units[0];
        let order = round.household_order(unit);
        let contacts: Vec<Contact> = order
            .iter()
            .enumerate()
            .map(|(i, h)| contact(&format!("c{i}"), h, i as i64, ContactOutcome::Vacant))
            .collect();
        let work = unit_work(&round, unit, &contacts, &BTreeSet::new());
        assert_eq!(work.households.len(), 8);
        assert!(work.frame_exhausted);
    }
}
