//! Fieldwork compliance (`docs/compliance.md`): the responses and contact attempts a department
//! imported, checked against the round they claim to follow. Each response gets the findings of
//! a closed list (a household outside the frame, the wrong unit, a unit of another device, a
//! substitute taken before the rule released it, a household interviewed twice, an off-sample
//! interview where none is allowed); each unit and each evaluator gets the figures that show
//! whether the sample was followed, and evaluators whose substitution rate stands out are
//! flagged. Pure: the same round, responses and contacts give the same result in any order.

use crate::bundle::{Contact, ExportedResponse};
use crate::round::draw::{available, Outcome};
use crate::round::fieldwork::{contact_statuses, rule_outcome, HouseholdStatus};
use crate::round::{RoundPayload, RoundUnit};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Evaluators with fewer drawn households than this are not compared (too few to judge).
pub const MIN_DRAWN_TO_COMPARE: u64 = 10;
/// The normal-consistency constant of the median absolute deviation.
pub const MAD_SCALE: f64 = 1.4826;
/// How many scaled MADs above the median a substitution rate must be to be flagged.
pub const MAD_FACTOR: f64 = 3.0;

/// What is wrong with one response, in the order `docs/compliance.md` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// The household is in no frame of the round.
    NotDrawn,
    /// No unit, a unit outside the round or not sampled, or a household of another unit's frame.
    WrongUnit,
    /// The unit is assigned to another device.
    NotAssigned,
    /// A substitute interviewed before the contact attempts the rule needs to release it.
    OutOfOrder,
    /// Another response names the same household of the unit (none of them counts).
    DuplicateHousehold,
    /// Off-sample where the unit does not allow it.
    OffSampleNotAllowed,
}

impl Finding {
    /// Every finding, in the documented order.
    pub const ALL: [Finding; 6] = [
        Finding::NotDrawn,
        Finding::WrongUnit,
        Finding::NotAssigned,
        Finding::OutOfOrder,
        Finding::DuplicateHousehold,
        Finding::OffSampleNotAllowed,
    ];

    /// The stable code, as in the JSON.
    pub fn code(self) -> &'static str {
        match self {
            Finding::NotDrawn => "not_drawn",
            Finding::WrongUnit => "wrong_unit",
            Finding::NotAssigned => "not_assigned",
            Finding::OutOfOrder => "out_of_order",
            Finding::DuplicateHousehold => "duplicate_household",
            Finding::OffSampleNotAllowed => "off_sample_not_allowed",
        }
    }
}

/// The contact attempts of a round's imported bundles, merged by id: a contact repeated in later
/// bundles counts once; an id that arrives with different content (or from another device) is a
/// conflict, and no version of it counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contacts {
    /// Contact id → (signing device's keyid, contact).
    accepted: BTreeMap<String, (String, Contact)>,
    conflicts: BTreeSet<String>,
}

impl Contacts {
    /// Adds the contacts of one bundle signed by `device`.
    pub fn add(&mut self, device: &str, contacts: &[Contact]) {
        for contact in contacts {
            if self.conflicts.contains(&contact.id) {
                continue;
            }
            match self.accepted.get(&contact.id) {
                Some((known_device, known)) if known_device == device && known == contact => {}
                Some(_) => {
                    self.accepted.remove(&contact.id);
                    self.conflicts.insert(contact.id.clone());
                }
                None => {
                    self.accepted.insert(contact.id.clone(), (device.to_owned(), contact.clone()));
                }
            }
        }
    }

    /// The accepted contacts, in id order.
    pub fn accepted(&self) -> impl Iterator<Item = &Contact> + '_ {
        self.accepted.values().map(|(_, contact)| contact)
    }

    pub fn len(&self) -> usize {
        self.accepted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accepted.is_empty()
    }

    /// The ids that arrived with different content, sorted.
    pub fn conflicts(&self) -> Vec<String> {
        self.conflicts.iter().cloned().collect()
    }
}

/// One response with at least one finding, or an allowed off-sample interview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseCheck {
    pub response: String,
    pub device: String,
    pub unit: Option<String>,
    pub household: Option<String>,
    /// The household's position in the unit's draw order, recomputed from the round (the
    /// response's own `slot` is not trusted); `None` outside the frame or off-sample.
    pub position: Option<u64>,
    pub findings: Vec<Finding>,
    #[serde(skip)]
    pub off_sample: bool,
}

/// The figures of one unit, or of one evaluator summed over its units.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub drawn: u64,
    pub interviewed: u64,
    pub substitutes: u64,
    pub off_sample: u64,
    pub refused: u64,
    pub vacant: u64,
    pub not_eligible: u64,
    pub not_at_home_final: u64,
    pub noncompliant: u64,
    /// interviewed ÷ (interviewed + refused + final not-at-home).
    pub response_rate: Option<f64>,
    /// substitutes ÷ interviewed.
    pub substitution_rate: Option<f64>,
}

impl Figures {
    fn add(&mut self, other: &Figures) {
        self.drawn += other.drawn;
        self.interviewed += other.interviewed;
        self.substitutes += other.substitutes;
        self.off_sample += other.off_sample;
        self.refused += other.refused;
        self.vacant += other.vacant;
        self.not_eligible += other.not_eligible;
        self.not_at_home_final += other.not_at_home_final;
    }

    fn with_rates(mut self) -> Self {
        let responding = self.interviewed + self.refused + self.not_at_home_final;
        self.response_rate = (responding > 0).then(|| self.interviewed as f64 / responding as f64);
        self.substitution_rate = (self.interviewed > 0).then(|| self.substitutes as f64 / self.interviewed as f64);
        self
    }
}

/// One sampled unit's compliance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitCompliance {
    pub unit: String,
    pub device: String,
    pub evaluator: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// One evaluator's (device's) compliance over the units assigned to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluatorCompliance {
    pub device: String,
    pub evaluator: String,
    pub units: u64,
    #[serde(flatten)]
    pub figures: Figures,
    /// The substitution rate is above the group's threshold.
    pub flagged: bool,
}

/// The spread of substitution rates the flag is judged against (all `None`: nobody to compare).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Spread {
    pub median: Option<f64>,
    pub mad: Option<f64>,
    pub threshold: Option<f64>,
}

/// A round's fieldwork, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Compliance {
    /// Responses with at least one finding, and allowed off-sample interviews, by response id.
    pub checks: BTreeMap<String, ResponseCheck>,
    pub units: Vec<UnitCompliance>,
    pub evaluators: Vec<EvaluatorCompliance>,
    pub substitution: Spread,
    pub contacts: usize,
    pub contact_conflicts: Vec<String>,
}

impl Compliance {
    /// Whether a response is scored with these switches (`docs/compliance.md`, "What is counted").
    pub fn counted(&self, response_id: &str, include_noncompliant: bool, include_off_sample: bool) -> bool {
        match self.checks.get(response_id) {
            None => true,
            Some(check) if !check.findings.is_empty() => include_noncompliant,
            Some(_) => include_off_sample,
        }
    }

    /// The responses with at least one finding, in id order.
    pub fn findings(&self) -> impl Iterator<Item = &ResponseCheck> + '_ {
        self.checks.values().filter(|check| !check.findings.is_empty())
    }

    /// The allowed off-sample interviews, in id order.
    pub fn off_sample(&self) -> impl Iterator<Item = &ResponseCheck> + '_ {
        self.checks.values().filter(|check| check.findings.is_empty() && check.off_sample)
    }

    /// How many responses have each finding, in the order of [`Finding::ALL`].
    pub fn finding_counts(&self) -> [usize; 6] {
        let mut counts = [0; 6];
        for check in self.findings() {
            for finding in &check.findings {
                counts[*finding as usize] += 1;
            }
        }
        counts
    }
}

/// A sampled unit with its draw order, looked up once.
struct UnitDraw<'r> {
    unit: &'r RoundUnit,
    order: Vec<&'r str>,
    position: HashMap<&'r str, usize>,
    /// The unit's contacts in time order (ids break ties), for judging what was available.
    contacts: Vec<&'r Contact>,
}

impl UnitDraw<'_> {
    /// How many households were available at `at`, from the contacts made by then.
    fn available_at(&self, at: i64) -> usize {
        let made = self.contacts.iter().take_while(|contact| contact.at <= at).copied();
        let statuses = contact_statuses(&self.unit.id, made);
        let outcomes: Vec<Option<(Outcome, u32)>> =
            self.order.iter().map(|code| statuses.get(*code).copied().and_then(rule_outcome)).collect();
        let n = usize::try_from(self.unit.n).unwrap_or(usize::MAX);
        available(n, self.unit.attempts_before_substitute, &outcomes, self.order.len())
    }
}

/// Checks the imported responses of a round (every accepted response of its survey) and its
/// contacts against the round.
pub fn check<'r>(round: &'r RoundPayload, responses: &[&ExportedResponse], contacts: &'r Contacts) -> Compliance {
    // Which units' frames hold each household code (for wrong_unit against not_drawn).
    let mut frames_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for unit in &round.units {
        for household in &unit.households {
            frames_of.entry(household.as_str()).or_default().push(unit.id.as_str());
        }
    }
    // Each unit's contacts in time order (ids break ties), grouped once.
    let mut contacts_of: HashMap<&str, Vec<&Contact>> = HashMap::new();
    for contact in contacts.accepted() {
        contacts_of.entry(contact.unit.as_str()).or_default().push(contact);
    }
    for list in contacts_of.values_mut() {
        list.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    }
    let draw_of = |unit: &'r RoundUnit| {
        let order = round.household_order(unit);
        let position = order.iter().enumerate().map(|(idx, code)| (*code, idx + 1)).collect();
        let contacts = contacts_of.get(unit.id.as_str()).cloned().unwrap_or_default();
        UnitDraw { unit, order, position, contacts }
    };
    // The sampled units are checked against; an unsampled unit's order is drawn only when a
    // response names it (its position is reported beside `wrong_unit`).
    let draws: BTreeMap<&str, UnitDraw<'_>> =
        round.sampled_units().map(|unit| (unit.id.as_str(), draw_of(unit))).collect();
    let mut unsampled: HashMap<&str, UnitDraw<'_>> = HashMap::new();

    let mut checks: BTreeMap<String, ResponseCheck> = BTreeMap::new();
    let check_of =
        |response: &ExportedResponse, household: Option<&str>, position: Option<u64>, off: bool| ResponseCheck {
            response: response.id.clone(),
            device: response.device.clone(),
            unit: response.unit.clone(),
            household: household.map(str::to_owned),
            position,
            findings: Vec::new(),
            off_sample: off,
        };
    // (unit, household) → the on-sample responses naming it, with the household's position.
    let mut by_household: BTreeMap<(&str, &str), Vec<(&ExportedResponse, u64)>> = BTreeMap::new();
    for response in responses {
        let sample = response.sample.as_ref();
        let off = sample.is_some_and(|s| s.off_sample);
        let household = sample.map(|s| s.household.as_str());
        let mut findings = BTreeSet::new();
        let mut position = None;
        match response.unit.as_deref().and_then(|unit| draws.get(unit)) {
            None => {
                findings.insert(Finding::WrongUnit);
                let other = response.unit.as_deref().and_then(|id| round.units.iter().find(|u| u.id == id));
                if let (Some(unit), Some(code), false) = (other, household, off) {
                    let draw = unsampled.entry(unit.id.as_str()).or_insert_with(|| draw_of(unit));
                    position = draw.position.get(code).map(|pos| *pos as u64);
                }
            }
            Some(draw) => {
                if round.device_of(&draw.unit.id) != Some(response.device.as_str()) {
                    findings.insert(Finding::NotAssigned);
                }
                if off {
                    if !draw.unit.off_sample {
                        findings.insert(Finding::OffSampleNotAllowed);
                    }
                } else {
                    match household.and_then(|code| draw.position.get(code).map(|pos| (code, *pos))) {
                        Some((code, pos)) => {
                            position = Some(pos as u64);
                            by_household.entry((draw.unit.id.as_str(), code)).or_default().push((response, pos as u64));
                            if pos as u64 > draw.unit.n && draw.available_at(response.started_at) < pos {
                                findings.insert(Finding::OutOfOrder);
                            }
                        }
                        None if household.is_some_and(|code| frames_of.contains_key(code)) => {
                            findings.insert(Finding::WrongUnit);
                        }
                        None => {
                            findings.insert(Finding::NotDrawn);
                        }
                    }
                }
            }
        }
        if !findings.is_empty() || off {
            let mut check = check_of(response, household, position, off);
            check.findings = findings.into_iter().collect();
            checks.insert(response.id.clone(), check);
        }
    }
    for named in by_household.values().filter(|named| named.len() > 1) {
        for (response, position) in named {
            let household = response.sample.as_ref().map(|s| s.household.as_str());
            let check = checks
                .entry(response.id.clone())
                .or_insert_with(|| check_of(response, household, Some(*position), false));
            check.findings.push(Finding::DuplicateHousehold);
            check.findings.sort();
        }
    }

    let evaluator_of = |device: &str| {
        round.devices.iter().find(|d| d.keyid == device).map(|d| d.evaluator.clone()).unwrap_or_default()
    };
    // Grouped once: a department may hold 100,000 responses over 1,000 units.
    let mut compliant_by_unit: HashMap<&str, Vec<&ExportedResponse>> = HashMap::new();
    for response in responses.iter().filter(|r| !checks.contains_key(&r.id)) {
        if let Some(unit) = response.unit.as_deref() {
            compliant_by_unit.entry(unit).or_default().push(response);
        }
    }
    let mut checks_by_unit: HashMap<&str, (u64, u64)> = HashMap::new();
    for check in checks.values() {
        if let Some(unit) = check.unit.as_deref() {
            let (off_sample, noncompliant) = checks_by_unit.entry(unit).or_default();
            if check.findings.is_empty() {
                *off_sample += 1;
            } else {
                *noncompliant += 1;
            }
        }
    }
    let mut units = Vec::new();
    for (unit_id, draw) in &draws {
        let unit = draw.unit;
        let compliant = compliant_by_unit.get(*unit_id).map(Vec::as_slice).unwrap_or_default();
        let mut statuses = contact_statuses(unit_id, draw.contacts.iter().copied());
        let mut figures = Figures { drawn: unit.n, ..Figures::default() };
        for response in compliant {
            let Some(code) = response.sample.as_ref().map(|s| s.household.as_str()) else { continue };
            figures.interviewed += 1;
            if draw.position.get(code).is_some_and(|pos| *pos as u64 > unit.n) {
                figures.substitutes += 1;
            }
            statuses.insert(code.to_owned(), HouseholdStatus::Interviewed);
        }
        for (code, status) in &statuses {
            if !draw.position.contains_key(code.as_str()) {
                continue;
            }
            match status {
                HouseholdStatus::Refused => figures.refused += 1,
                HouseholdStatus::Vacant => figures.vacant += 1,
                HouseholdStatus::NotEligible => figures.not_eligible += 1,
                HouseholdStatus::NotAtHome(k) if *k >= unit.attempts_before_substitute => {
                    figures.not_at_home_final += 1
                }
                _ => {}
            }
        }
        (figures.off_sample, figures.noncompliant) = checks_by_unit.get(*unit_id).copied().unwrap_or_default();
        let device = round.device_of(unit_id).unwrap_or_default().to_owned();
        units.push(UnitCompliance {
            unit: (*unit_id).to_owned(),
            evaluator: evaluator_of(&device),
            device,
            figures: figures.with_rates(),
        });
    }

    let mut devices: Vec<&str> = round.assignments.iter().map(|a| a.device.as_str()).collect();
    devices.sort_unstable();
    devices.dedup();
    let mut evaluators: Vec<EvaluatorCompliance> = devices
        .into_iter()
        .map(|device| {
            let mut figures = Figures::default();
            let mut count = 0;
            for unit in units.iter().filter(|u| u.device == device) {
                figures.add(&unit.figures);
                count += 1;
            }
            figures.noncompliant =
                checks.values().filter(|c| c.device == device && !c.findings.is_empty()).count() as u64;
            EvaluatorCompliance {
                device: device.to_owned(),
                evaluator: evaluator_of(device),
                units: count,
                figures: figures.with_rates(),
                flagged: false,
            }
        })
        .collect();
    let substitution = flag_outliers(&mut evaluators);

    Compliance {
        checks,
        units,
        evaluators,
        substitution,
        contacts: contacts.len(),
        contact_conflicts: contacts.conflicts(),
    }
}

fn median(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// Flags the evaluators (with enough drawn households) whose substitution rate is more than
/// `MAD_FACTOR × MAD_SCALE × MAD` above the median of theirs, and returns that spread.
fn flag_outliers(evaluators: &mut [EvaluatorCompliance]) -> Spread {
    let in_group = |e: &EvaluatorCompliance| e.figures.drawn >= MIN_DRAWN_TO_COMPARE;
    let mut rates: Vec<f64> =
        evaluators.iter().filter(|e| in_group(e)).filter_map(|e| e.figures.substitution_rate).collect();
    if rates.is_empty() {
        return Spread::default();
    }
    rates.sort_by(f64::total_cmp);
    let mid = median(&rates);
    let mut deviations: Vec<f64> = rates.iter().map(|rate| (rate - mid).abs()).collect();
    deviations.sort_by(f64::total_cmp);
    let mad = median(&deviations);
    let threshold = mid + MAD_FACTOR * MAD_SCALE * mad;
    for evaluator in evaluators.iter_mut().filter(|e| in_group(e)) {
        evaluator.flagged = evaluator.figures.substitution_rate.is_some_and(|rate| rate > threshold);
    }
    Spread { median: Some(mid), mad: Some(mad), threshold: Some(threshold) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{ContactOutcome, Sample};
    use crate::response::Mode;
    use crate::round::{Assignment, Organiser, Period, ROUND_FORMAT};
    use crate::Text;

    /// Units `a` (device `me`, off-sample allowed) and `b` (device `other`), both n = 3 of 8, and
    /// `c`, not sampled.
    fn round() -> RoundPayload {
        let unit = |id: &str, sampled: bool, off_sample: bool| RoundUnit {
            id: id.into(),
            name: Text::from_pairs(&[("zh-CN", id), ("en", id)]),
            group: None,
            sampled,
            households: (1..=8).map(|h| format!("{id}-{h}")).collect(),
            frame_hash: String::new(),
            n: if sampled { 3 } else { 0 },
            drawn_households: Vec::new(),
            attempts_before_substitute: 2,
            off_sample,
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
            units: vec![unit("a", true, true), unit("b", true, false), unit("c", false, false)],
            devices: Vec::new(),
            assignments: vec![
                Assignment { unit: "a".into(), device: "me".into() },
                Assignment { unit: "b".into(), device: "other".into() },
            ],
            recipients: Vec::new(),
        }
    }

    fn response(id: &str, device: &str, unit: &str, household: &str, off: bool, started_at: i64) -> ExportedResponse {
        ExportedResponse {
            id: id.into(),
            survey_id: "s".into(),
            fingerprint: "f".into(),
            unit: Some(unit.into()),
            device: device.into(),
            seq: 1,
            answers: BTreeMap::new(),
            started_at,
            finished_at: started_at + 1,
            mode: Mode::Interview,
            lang: "zh-CN".into(),
            app_version: "t".into(),
            sample: Some(Sample { round: "r".into(), household: household.into(), slot: None, off_sample: off }),
        }
    }

    fn contact(id: &str, unit: &str, household: &str, at: i64, outcome: ContactOutcome) -> Contact {
        Contact { id: id.into(), unit: unit.into(), household: household.into(), at, outcome, note: String::new() }
    }

    fn findings_of(compliance: &Compliance, id: &str) -> Vec<Finding> {
        compliance.checks.get(id).map(|c| c.findings.clone()).unwrap_or_default()
    }

    #[test]
    fn each_finding_is_named_and_compliant_interviews_are_counted() {
        let round = round();
        let order_a = round.household_order(&round.units[0]);
        let order_b = round.household_order(&round.units[1]);
        let mut contacts = Contacts::default();
        // a's first drawn household refuses at t=10: the first substitute is released then.
        contacts.add("me", &[contact("k1", "a", order_a[0], 10, ContactOutcome::Refused)]);
        let responses = vec![
            response("r01", "me", "a", order_a[1], false, 5),
            response("r02", "me", "a", order_a[3], false, 20), // substitute, released at 10
            response("r03", "me", "a", order_a[4], false, 20), // second substitute: never released
            response("r04", "me", "a", "nowhere", false, 20),
            response("r05", "me", "a", order_b[0], false, 20), // b's household
            response("r06", "me", "b", order_b[1], false, 20), // b is not this device's
            response("r07", "other", "b", order_b[2], false, 20),
            response("r08", "other", "b", order_b[2], false, 21), // the same household again
            response("r09", "other", "b", "walk-in", true, 20),
            response("r10", "me", "a", "walk-in", true, 20),
            response("r11", "me", "c", "c-1", false, 20),
            response("r12", "me", "a", order_a[3], false, 9), // substitute before the refusal: see r02
        ];
        let refs: Vec<&ExportedResponse> = responses.iter().collect();
        let compliance = check(&round, &refs, &contacts);
        assert_eq!(findings_of(&compliance, "r01"), vec![]);
        assert!(compliance.counted("r01", false, false));
        assert_eq!(findings_of(&compliance, "r02"), vec![Finding::DuplicateHousehold]);
        assert_eq!(findings_of(&compliance, "r12"), vec![Finding::OutOfOrder, Finding::DuplicateHousehold]);
        assert_eq!(findings_of(&compliance, "r03"), vec![Finding::OutOfOrder]);
        assert_eq!(findings_of(&compliance, "r04"), vec![Finding::NotDrawn]);
        assert_eq!(findings_of(&compliance, "r05"), vec![Finding::WrongUnit]);
        assert_eq!(findings_of(&compliance, "r06"), vec![Finding::NotAssigned]);
        assert_eq!(findings_of(&compliance, "r07"), vec![Finding::DuplicateHousehold]);
        assert_eq!(findings_of(&compliance, "r09"), vec![Finding::OffSampleNotAllowed]);
        assert_eq!(findings_of(&compliance, "r10"), vec![]);
        assert!(compliance.checks["r10"].off_sample);
        assert!(!compliance.counted("r10", false, false) && compliance.counted("r10", false, true));
        assert!(!compliance.counted("r04", false, true) && compliance.counted("r04", true, false));
        assert_eq!(findings_of(&compliance, "r11"), vec![Finding::WrongUnit]);
        assert_eq!(compliance.checks["r03"].position, Some(5));
        assert_eq!(compliance.checks["r07"].position, compliance.checks["r08"].position);

        let a = &compliance.units[0];
        assert_eq!((a.unit.as_str(), a.figures.drawn, a.figures.interviewed, a.figures.refused), ("a", 3, 1, 1));
        assert_eq!((a.figures.off_sample, a.figures.noncompliant), (1, 5));
        assert_eq!(a.figures.response_rate, Some(0.5));
        assert_eq!(a.figures.substitution_rate, Some(0.0));
        let b = &compliance.units[1];
        assert_eq!((b.figures.interviewed, b.figures.noncompliant, b.figures.response_rate), (0, 4, None));
        assert_eq!(compliance.evaluators.len(), 2);
        // Fewer than 10 drawn each: nobody is compared.
        assert_eq!(compliance.substitution, Spread::default());
        assert_eq!(compliance.finding_counts(), [1, 2, 1, 2, 4, 1]);
    }

    #[test]
    fn not_at_home_is_final_at_the_set_attempt_and_released_in_time_order() {
        let round = round();
        let order = round.household_order(&round.units[0]);
        let mut contacts = Contacts::default();
        contacts.add(
            "me",
            &[
                contact("k1", "a", order[0], 10, ContactOutcome::NotAtHome),
                contact("k2", "a", order[0], 30, ContactOutcome::NotAtHome),
            ],
        );
        let early = response("r1", "me", "a", order[3], false, 20);
        let late = response("r2", "me", "b", order[3], false, 40);
        let mut on_time = late.clone();
        on_time.unit = Some("a".into());
        let compliance = check(&round, &[&early], &contacts);
        assert_eq!(findings_of(&compliance, "r1"), vec![Finding::OutOfOrder]);
        let compliance = check(&round, &[&on_time], &contacts);
        assert_eq!(findings_of(&compliance, "r2"), vec![]);
        let unit = &compliance.units[0];
        assert_eq!((unit.figures.interviewed, unit.figures.substitutes, unit.figures.not_at_home_final), (1, 1, 1));
        assert_eq!(unit.figures.substitution_rate, Some(1.0));
    }

    #[test]
    fn a_contact_id_with_two_versions_counts_in_neither() {
        let mut contacts = Contacts::default();
        let first = contact("k1", "a", "a-1", 10, ContactOutcome::Refused);
        contacts.add("me", std::slice::from_ref(&first));
        contacts.add("me", std::slice::from_ref(&first));
        assert_eq!((contacts.len(), contacts.conflicts().len()), (1, 0));
        let mut changed = first.clone();
        changed.outcome = ContactOutcome::Vacant;
        contacts.add("me", &[changed]);
        contacts.add("me", std::slice::from_ref(&first));
        assert_eq!((contacts.len(), contacts.conflicts()), (0, vec!["k1".to_owned()]));
        let mut elsewhere = Contacts::default();
        elsewhere.add("me", std::slice::from_ref(&first));
        elsewhere.add("other", &[first]);
        assert_eq!(elsewhere.conflicts(), vec!["k1".to_owned()]);
    }

    fn evaluator(device: &str, drawn: u64, interviewed: u64, substitutes: u64) -> EvaluatorCompliance {
        EvaluatorCompliance {
            device: device.into(),
            evaluator: String::new(),
            units: 1,
            figures: Figures { drawn, interviewed, substitutes, ..Figures::default() }.with_rates(),
            flagged: false,
        }
    }

    #[test]
    fn the_flag_is_three_scaled_mads_above_the_median_of_evaluators_with_ten_drawn() {
        let mut evaluators = vec![
            evaluator("a", 10, 10, 1),
            evaluator("b", 10, 10, 2),
            evaluator("c", 10, 10, 2),
            evaluator("d", 10, 10, 3),
            evaluator("e", 10, 10, 9),
            evaluator("small", 9, 9, 9),
        ];
        let spread = flag_outliers(&mut evaluators);
        assert_eq!(spread.median, Some(0.2));
        assert!((spread.mad.unwrap_or_default() - 0.1).abs() < 1e-12);
        assert!((spread.threshold.unwrap_or_default() - (0.2 + 3.0 * 1.4826 * 0.1)).abs() < 1e-12);
        let flagged: Vec<&str> = evaluators.iter().filter(|e| e.flagged).map(|e| e.device.as_str()).collect();
        assert_eq!(flagged, vec!["e"]);
        // Nobody with ten drawn households: no spread, no flag.
        let mut few = vec![evaluator("small", 9, 9, 9)];
        assert_eq!(flag_outliers(&mut few), Spread::default());
        assert!(!few[0].flagged);
    }
}
