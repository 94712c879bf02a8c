//! Evaluation rounds on the tablet: importing a signed round file (organiser key pinned on first
//! sight), recording contact attempts, and exporting `bundle/2` files that carry the sample and
//! every contact. The rule of who may be visited is survey-core's (`round::fieldwork`); this
//! module does the IO, each write awaited before the state hears of it.

use crate::field::edge::{export_signed, Edge, RoundPart};
use crate::field::keys;
use crate::field::state::{Action, Evaluator, SurveyEntry};
use crate::field::store::{
    ResponseIndex, RoundDone, Store, StoredContact, StoredRound, StoredSurvey, ORGANISER_PIN_KEY,
};
use crate::ui::platform;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;
use survey_core::bundle::{self, Contact, ContactOutcome, RoundRef};
use survey_core::canonical::{canonical_json, sha256_canonical_hex};
use survey_core::round::fieldwork::{self, UnitWork};
use survey_core::round::verify::open_envelope;
use survey_core::round::{RoundPayload, RoundUnit, ROUND_PAYLOAD_TYPE};
use survey_core::{load_survey, short_fingerprint, Draft, Severity, Status};
use yew::platform::spawn_local;

/// A round on the device, read from its stored file.
#[derive(Debug, Clone)]
pub struct RoundEntry {
    pub stored: StoredRound,
    pub payload: Rc<RoundPayload>,
    /// Key id of the organiser who signed it.
    pub organiser: String,
    /// Each unit's draw order, drawn once when first shown (a draw hashes every household).
    orders: Rc<RefCell<HashMap<String, Rc<Vec<String>>>>>,
}

impl PartialEq for RoundEntry {
    fn eq(&self, other: &Self) -> bool {
        self.stored == other.stored
    }
}

impl RoundEntry {
    pub fn new(stored: StoredRound, payload: RoundPayload, organiser: String) -> RoundEntry {
        RoundEntry { stored, payload: Rc::new(payload), organiser, orders: Rc::default() }
    }

    /// A unit's households in draw order.
    fn order(&self, unit: &RoundUnit) -> Rc<Vec<String>> {
        let mut orders = self.orders.borrow_mut();
        orders
            .entry(unit.id.clone())
            .or_insert_with(|| Rc::new(self.payload.household_order(unit).into_iter().map(str::to_owned).collect()))
            .clone()
    }

    /// Reads a stored round. Its signature and content were checked when it was imported, and
    /// the device's own store is trusted, so start-up does not redo the draw of every unit.
    pub fn from_stored(stored: StoredRound) -> Result<RoundEntry, String> {
        let signed = open_envelope(stored.file.as_bytes(), |_| true).map_err(|err| err.to_string())?;
        let payload: RoundPayload = serde_json::from_slice(&signed.payload).map_err(|err| err.to_string())?;
        Ok(RoundEntry::new(stored, payload, signed.keyid))
    }

    /// The round's sampled units assigned to the device with this key id.
    pub fn units_of<'a>(&'a self, device_keyid: &str) -> Vec<&'a RoundUnit> {
        fieldwork::assigned_units(&self.payload, device_keyid)
    }

    pub fn unit(&self, unit_id: &str) -> Option<&RoundUnit> {
        self.payload.units.iter().find(|unit| unit.id == unit_id)
    }

    /// The unit's work from this device's contacts and interviews in the round.
    pub fn work(&self, unit: &RoundUnit, contacts: &[StoredContact], index: &ResponseIndex) -> UnitWork {
        let mine: Vec<Contact> = contacts
            .iter()
            .filter(|c| c.round == self.stored.id && c.contact.unit == unit.id)
            .map(|c| c.contact.clone())
            .collect();
        let interviewed: BTreeSet<String> =
            self.done_in(unit, index).filter(|done| !done.off_sample).map(|done| done.household.clone()).collect();
        let order = self.order(unit);
        let order: Vec<&str> = order.iter().map(String::as_str).collect();
        fieldwork::unit_work_in_order(unit, &order, &mine, &interviewed)
    }

    /// This round's finished interviews in a unit, from the response index.
    pub fn done_in<'a>(&'a self, unit: &'a RoundUnit, index: &'a ResponseIndex) -> impl Iterator<Item = &'a RoundDone> {
        index
            .round_done
            .iter()
            .filter(move |done| done.round == self.stored.id && done.unit.as_deref() == Some(unit.id.as_str()))
    }

    /// This round's responses in a unit (drafts and finished, drawn and off-sample).
    pub fn responses_of<'a>(&'a self, unit: &'a RoundUnit, responses: &'a [Draft]) -> impl Iterator<Item = &'a Draft> {
        responses.iter().filter(move |r| {
            r.unit.as_deref() == Some(unit.id.as_str()) && r.sample.as_ref().is_some_and(|s| s.round == self.stored.id)
        })
    }

    /// The drafts in progress per household of a unit.
    pub fn drafts_by_household(&self, unit: &RoundUnit, responses: &[Draft]) -> BTreeMap<String, String> {
        self.responses_of(unit, responses)
            .filter(|r| r.status == Status::Draft)
            .filter_map(|r| r.sample.as_ref().map(|s| (s.household.clone(), r.id.clone())))
            .collect()
    }
}

/// What happened to a round file the evaluator chose.
#[derive(Debug, Clone, PartialEq)]
pub enum RoundNote {
    Added {
        file_name: String,
        round: String,
        /// The organiser key's short fingerprint, to compare with the organiser's notice.
        organiser: String,
        /// The key was pinned by this import (the first round on the tablet, or a new key
        /// the evaluator accepted).
        pinned_now: bool,
    },
    /// The same round is already on the tablet; nothing changed.
    AlreadyHere { file_name: String, round: String },
    /// Refused with a stable code (the verifier's reason or one of the tablet's) and detail.
    Refused { file_name: String, code: String, detail: String },
    /// Signed and sound, but this tablet is not among its devices.
    NotEnrolled { file_name: String, round: String },
}

/// A sound round signed by another key than the pinned one, waiting for the evaluator.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRound {
    pub file_name: String,
    pub text: String,
    pub pinned: String,
    pub offered: String,
}

/// Whether a file's text is a round file (rather than a survey definition): a DSSE envelope of
/// the round payload type. `Some(false)` for another envelope (e.g. a result bundle).
pub fn envelope_kind(text: &str) -> Option<bool> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let payload_type = value.get("payloadType")?.as_str()?;
    Some(payload_type == ROUND_PAYLOAD_TYPE)
}

/// The device's key id, read from the store (the state may not know it yet).
async fn device_keyid(store: &Store) -> Result<String, String> {
    let pair = store.device_key().await.map_err(|e| e.to_string())?.ok_or("no device key yet")?;
    let public = keys::public_key_bytes(&pair).await.map_err(|e| e.to_string())?;
    Ok(bundle::keyid(&public))
}

impl Edge {
    /// Verifies a round file and, when it is sound, meant for this tablet and signed by the
    /// pinned organiser key (or `accept_new_key`), stores its survey, the pin and the round, in
    /// that order, each write awaited. A refused file changes nothing.
    pub fn import_round(&self, file_name: String, text: String, accept_new_key: bool) {
        let (Some(store), dispatcher) = (self.store(), self.dispatcher.clone()) else { return };
        spawn_local(async move {
            let action = import_round(&store, file_name.clone(), text, accept_new_key).await;
            dispatcher.dispatch(action.unwrap_or_else(|(code, detail)| {
                Action::RoundNoted(RoundNote::Refused { file_name, code: code.to_owned(), detail })
            }));
        });
    }

    /// Records a contact attempt; the state hears of it only once it is committed.
    pub fn record_contact(&self, contact: StoredContact) {
        let (Some(store), dispatcher) = (self.store(), self.dispatcher.clone()) else { return };
        spawn_local(async move {
            match store.put_contact(&contact).await {
                Ok(()) => dispatcher.dispatch(Action::ContactRecorded(contact)),
                Err(err) => dispatcher.dispatch(Action::ContactFailed(err.to_string())),
            }
        });
    }

    /// Signs and downloads a `bundle/2` of the round: the finished responses of the round not yet
    /// exported (all of them with `again`) and every contact attempt of the device in the round.
    pub fn export_round_bundle(
        &self,
        round: RoundEntry,
        entry: SurveyEntry,
        contacts: Vec<Contact>,
        evaluator: Evaluator,
        again: bool,
    ) {
        let (Some(store), dispatcher) = (self.store(), self.dispatcher.clone()) else { return };
        spawn_local(async move {
            // Read here, not kept in memory: finished responses are known by the index only.
            let responses = match store.responses().await {
                Ok(responses) => responses,
                Err(err) => return dispatcher.dispatch(Action::ExportFailed(err.to_string())),
            };
            let chosen: Vec<Draft> = responses
                .into_iter()
                .filter_map(Result::ok)
                .filter(|r| r.sample.as_ref().is_some_and(|s| s.round == round.stored.id))
                .filter(|r| r.status == Status::Complete && r.seq.is_some() && (again || r.exported_at.is_none()))
                .collect();
            let part = RoundPart {
                reference: RoundRef { id: round.stored.id.clone(), sha256: round.stored.sha256.clone() },
                contacts,
                recipients: round.payload.recipients.clone(),
            };
            let outcome = export_signed(&store, &entry, chosen, &evaluator, Some(part)).await;
            dispatcher.dispatch(match outcome {
                Ok((file_name, responses, index)) => Action::Exported { file_name, responses, index },
                Err(message) => Action::ExportFailed(message),
            });
        });
    }
}

/// Why a round file was refused: a stable code and its detail.
pub type Refusal = (&'static str, String);

/// The import itself (see [`Edge::import_round`]), on any store: the action to dispatch, or
/// why the file was refused.
pub async fn import_round(
    store: &Store,
    file_name: String,
    text: String,
    accept_new_key: bool,
) -> Result<Action, Refusal> {
    let verified = keys::verify_round(text.as_bytes()).await.map_err(|err| (err.code(), err.to_string()))?;
    let payload = verified.payload;
    let round_id = payload.id.clone();
    let mine = device_keyid(store).await.map_err(|detail| ("device_key", detail))?;
    if !payload.devices.iter().any(|device| device.keyid == mine) {
        return Ok(Action::RoundNoted(RoundNote::NotEnrolled { file_name, round: round_id }));
    }
    let sha256 = sha256_canonical_hex(&serde_json::to_value(&payload).unwrap_or_default());
    let stored_rounds = store.rounds().await.map_err(|err| ("store", err.to_string()))?;
    if let Some(existing) = stored_rounds.into_iter().flatten().find(|r| r.id == round_id) {
        if existing.sha256 == sha256 {
            return Ok(Action::RoundNoted(RoundNote::AlreadyHere { file_name, round: round_id }));
        }
        // Contacts and interviews name the round by id: a second round under the same id
        // would make them ambiguous.
        return Err((
            "round_id_conflict",
            format!("another round with id `{round_id}` is already on this tablet (sha256 {})", &existing.sha256[..16]),
        ));
    }
    let pinned: Option<String> = store.meta(ORGANISER_PIN_KEY).await.map_err(|err| ("store", err.to_string()))?;
    if let Some(pinned) = &pinned {
        if pinned != &verified.keyid && !accept_new_key {
            return Ok(Action::RoundNeedsKey(PendingRound {
                file_name,
                text,
                pinned: pinned.clone(),
                offered: verified.keyid,
            }));
        }
    }

    // The survey inside the round, kept like an imported survey.
    let survey_text = String::from_utf8(canonical_json(&payload.survey)).unwrap_or_default();
    let loaded = load_survey(&survey_text);
    let errors: Vec<String> =
        loaded.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(ToString::to_string).collect();
    let (Some(survey), Some(fingerprint), true) = (loaded.survey, loaded.fingerprint, errors.is_empty()) else {
        return Err(("survey_mismatch", errors.join("; ")));
    };
    let stored_survey = StoredSurvey {
        fingerprint: fingerprint.clone(),
        id: survey.id.clone(),
        version: survey.version.clone(),
        source: survey_text,
        origin: format!("round:{round_id}"),
        rules: Some(survey_core::definition::RULES.to_owned()),
    };
    if store.survey(&fingerprint).await.map_err(|err| ("store", err.to_string()))?.is_none() {
        store.put_survey(&stored_survey).await.map_err(|err| ("store", err.to_string()))?;
    }
    let pinned_now = pinned.as_deref() != Some(verified.keyid.as_str());
    if pinned_now {
        store.put_meta(ORGANISER_PIN_KEY, &verified.keyid).await.map_err(|err| ("store", err.to_string()))?;
    }
    let stored = StoredRound { id: round_id.clone(), sha256, file: text, imported_at: platform::now_ms() };
    store.put_round(&stored).await.map_err(|err| ("store", err.to_string()))?;
    let entry = RoundEntry::new(stored, payload, verified.keyid.clone());
    Ok(Action::RoundImported {
        note: RoundNote::Added {
            file_name,
            round: round_id,
            organiser: short_fingerprint(&verified.keyid),
            pinned_now,
        },
        round: entry,
        survey: SurveyEntry::new(stored_survey, survey),
        pin: verified.keyid,
    })
}

/// A new contact attempt at `household` of `unit`, now or at the time the evaluator gave.
pub fn new_contact(
    round: &str,
    unit: &str,
    household: &str,
    at: i64,
    outcome: ContactOutcome,
    note: &str,
) -> StoredContact {
    StoredContact {
        round: round.to_owned(),
        contact: Contact {
            id: platform::new_id(),
            unit: unit.to_owned(),
            household: household.to_owned(),
            at,
            outcome,
            note: note.trim().to_owned(),
        },
    }
}
