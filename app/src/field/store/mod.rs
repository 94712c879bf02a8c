//! The device's IndexedDB database: the only module that knows IndexedDB.
//!
//! Database `survey-kit`, versioned; each version's upgrade step is applied in order, so a tablet
//! that skipped releases still arrives at the current shape without losing data.
//! Stores (out-of-line string keys, values are JSON text so that the stored form is exactly the
//! serde form the core defines, with no JS object conversion in between):
//! - `surveys`: key = fingerprint, value = a [`StoredSurvey`] (the definition text as loaded).
//! - `responses`: key = response id, value = a [`survey_core::Draft`].
//! - `meta`: key = name, value = any JSON (device settings, counters).
//! - `keys` (since version 2): key = `device`, value = the device's `CryptoKeyPair` itself
//!   (structured clone keeps a non-extractable key usable without ever exposing it).
//! - `rounds` (since version 3): key = round id, value = a [`StoredRound`] (the round file as
//!   imported, verified then; read back without redoing the draw).
//! - `contacts` (since version 3): key = contact id, value = a [`StoredContact`] (one contact
//!   attempt, with its round). The pinned organiser key id is `meta`'s [`ORGANISER_PIN_KEY`].
//! - `index` (since version 4): key [`RESPONSE_INDEX_KEY`], value = the [`ResponseIndex`]: the
//!   ids of the responses in progress and counts of the finished ones, written in the same
//!   transaction as every write that changes them, so start-up reads a few records instead of
//!   every response on the device. Built once from the responses when it is missing (the first
//!   start after the upgrade).
//! - `answers` (since version 5): key = `"{response id} {question id}"`, value = a
//!   [`StoredAnswer`]: one answer of a response in progress, written on its own when the evaluator
//!   changes it (a few dozen bytes instead of the whole response). A response read from the store is
//!   its `responses` record with its `answers` records laid over it. Every write of a whole response
//!   deletes that response's `answers` records in the same transaction, so a record there is always
//!   newer than the response it belongs to.
//!
//! Every write awaits the transaction's commit before returning: the caller may only tell the
//! evaluator "saved" after that.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyRange;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use survey_core::bundle::Sample;
use survey_core::{Answer, Draft, Status};

/// The database name used by the app.
pub const DB_NAME: &str = "survey-kit";
/// The current schema version; bump it and add a step to [`upgrade`] to change the shape.
pub const DB_VERSION: u32 = 5;

pub const SURVEYS: &str = "surveys";
pub const RESPONSES: &str = "responses";
pub const META: &str = "meta";
pub const KEYS: &str = "keys";
pub const ROUNDS: &str = "rounds";
pub const CONTACTS: &str = "contacts";
pub const INDEX: &str = "index";
pub const ANSWERS: &str = "answers";
/// The `index` key of the [`ResponseIndex`].
pub const RESPONSE_INDEX_KEY: &str = "responses";
/// The `meta` key of the organiser key id the first round was signed with.
pub const ORGANISER_PIN_KEY: &str = "organiser_pin";
/// The `meta` key of the device's sequence counter (the highest number issued).
pub const SEQ_KEY: &str = "device_seq";

/// One answer of a response in progress, as the evaluator last gave it (`None`: cleared).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAnswer {
    pub response: String,
    pub question: String,
    pub answer: Option<Answer>,
}

/// The `answers` key of one answer. Response ids hold no space (they are UUIDs), so the keys of
/// one response are exactly those in [`answers_of`].
fn answer_key(response: &str, question: &str) -> String {
    format!("{response} {question}")
}

/// The `answers` keys of one response: from `"{id} "` up to, not including, `"{id}!"` (`!` is
/// the character after the space).
fn answers_of(response: &str) -> KeyRange<String> {
    KeyRange::Bound(format!("{response} "), false, format!("{response}!"), true)
}

/// Lays the answers written on their own over the response they belong to (others are ignored).
pub fn lay_over(draft: &mut Draft, answers: &[StoredAnswer]) {
    for stored in answers.iter().filter(|a| a.response == draft.id) {
        match &stored.answer {
            Some(answer) => {
                draft.answers.insert(stored.question.clone(), answer.clone());
            }
            None => {
                draft.answers.remove(&stored.question);
            }
        }
    }
}

/// A round file kept on the device, exactly as it was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRound {
    pub id: String,
    /// Hex SHA-256 of the round file's payload bytes (what a `bundle/2` names).
    pub sha256: String,
    /// The round file's text (canonical JSON).
    pub file: String,
    pub imported_at: i64,
}

/// One contact attempt, with the round it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredContact {
    pub round: String,
    pub contact: survey_core::bundle::Contact,
}

/// A survey definition kept on the device, exactly as it was loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSurvey {
    pub fingerprint: String,
    pub id: String,
    pub version: String,
    /// The definition file's text; re-validated when read so the model can evolve.
    pub source: String,
    /// Where it came from (`bundled` or a file name).
    pub origin: String,
    /// The validation rules (`survey_core::definition::RULES`) the source passed when stored:
    /// while they are the rules of this build, start-up decodes it without validating it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
}

/// Finished responses of one survey version, unit and round, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub fingerprint: String,
    pub unit: Option<String>,
    /// The round, for a response of an evaluation round.
    pub round: Option<String>,
    pub complete: u64,
    pub exported: u64,
}

/// A finished interview of a round: what Today's work needs of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundDone {
    pub id: String,
    pub round: String,
    pub unit: Option<String>,
    pub household: String,
    pub off_sample: bool,
}

/// What start-up and the home and round screens need of the stored responses, without reading
/// them: the responses in progress (read by id), and the finished ones counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseIndex {
    pub open: BTreeSet<String>,
    pub tallies: Vec<Tally>,
    pub round_done: Vec<RoundDone>,
}

/// The part of a stored response the index is made of (the answers are not decoded).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResponseHead {
    pub id: String,
    pub fingerprint: String,
    #[serde(default)]
    pub unit: Option<String>,
    pub status: Status,
    #[serde(default)]
    pub exported_at: Option<i64>,
    #[serde(default)]
    pub sample: Option<Sample>,
}

impl ResponseHead {
    pub fn of(draft: &Draft) -> ResponseHead {
        ResponseHead {
            id: draft.id.clone(),
            fingerprint: draft.fingerprint.clone(),
            unit: draft.unit.clone(),
            status: draft.status,
            exported_at: draft.exported_at,
            sample: draft.sample.clone(),
        }
    }
}

impl ResponseIndex {
    /// The index of these stored responses.
    pub fn of<'a>(heads: impl IntoIterator<Item = &'a ResponseHead>) -> ResponseIndex {
        let mut index = ResponseIndex::default();
        for head in heads {
            index.add(head);
        }
        index
    }

    fn tally(&mut self, head: &ResponseHead) -> &mut Tally {
        let round = head.sample.as_ref().map(|s| s.round.clone());
        let at = self
            .tallies
            .iter()
            .position(|t| t.fingerprint == head.fingerprint && t.unit == head.unit && t.round == round);
        let at = at.unwrap_or_else(|| {
            self.tallies.push(Tally {
                fingerprint: head.fingerprint.clone(),
                unit: head.unit.clone(),
                round,
                complete: 0,
                exported: 0,
            });
            self.tallies.len() - 1
        });
        &mut self.tallies[at]
    }

    fn add(&mut self, head: &ResponseHead) {
        match head.status {
            Status::Draft => {
                self.open.insert(head.id.clone());
            }
            Status::Complete => {
                let tally = self.tally(head);
                tally.complete += 1;
                tally.exported += u64::from(head.exported_at.is_some());
                if let Some(sample) = &head.sample {
                    self.round_done.push(RoundDone {
                        id: head.id.clone(),
                        round: sample.round.clone(),
                        unit: head.unit.clone(),
                        household: sample.household.clone(),
                        off_sample: sample.off_sample,
                    });
                }
            }
        }
    }

    fn remove(&mut self, head: &ResponseHead) {
        self.open.remove(&head.id);
        if head.status == Status::Complete {
            let tally = self.tally(head);
            tally.complete = tally.complete.saturating_sub(1);
            tally.exported = tally.exported.saturating_sub(u64::from(head.exported_at.is_some()));
            self.tallies.retain(|t| t.complete > 0);
            self.round_done.retain(|done| done.id != head.id);
        }
    }

    /// The index after the stored record `before` (none: a new one) is replaced by `after`
    /// (none: deleted).
    pub fn replace(&mut self, before: Option<&ResponseHead>, after: Option<&ResponseHead>) {
        if let Some(before) = before {
            self.remove(before);
        }
        if let Some(after) = after {
            self.add(after);
        }
    }

    /// Finished responses counted: (complete, exported) of those that `keep` selects.
    pub fn count(&self, keep: impl Fn(&Tally) -> bool) -> (u64, u64) {
        self.tallies.iter().filter(|t| keep(t)).fold((0, 0), |(c, e), t| (c + t.complete, e + t.exported))
    }
}

pub use crate::ui::store_error::StoreError;

/// An open connection to the app database.
pub struct Store {
    db: Database,
    /// Ids of the responses in progress as last committed: a draft already among them is saved
    /// without touching the index (the common write, once per answer).
    open: std::cell::RefCell<BTreeSet<String>>,
}

impl Store {
    /// Opens (creating or upgrading) the app database.
    pub async fn open() -> Result<Store, StoreError> {
        Store::open_named(DB_NAME).await
    }

    /// Opens a database with another name; tests use throwaway names.
    pub async fn open_named(name: &str) -> Result<Store, StoreError> {
        let db = Database::open(name)
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|event, db| {
                let old_version = event.old_version() as u32;
                upgrade(&db, old_version)
            })
            .await?;
        Ok(Store { db, open: Default::default() })
    }

    /// Names of the object stores, for tests of the upgrade path.
    pub fn store_names(&self) -> Vec<String> {
        self.db.object_store_names().collect()
    }

    /// Closes the connection (tests delete their databases afterwards).
    pub fn close(self) {
        self.db.close();
    }

    async fn put_json<T: Serialize>(&self, store_name: &str, key: &str, value: &T) -> Result<(), StoreError> {
        let text = serde_json::to_string(value).map_err(|err| StoreError::new("EncodeError", err))?;
        let tx = self.db.transaction(store_name).with_mode(TransactionMode::Readwrite).build()?;
        let store = tx.object_store(store_name)?;
        store.put(text).with_key(key.to_owned()).primitive()?.await?;
        // Without this the transaction rolls back (indexed_db_futures' default); with it, the
        // await returns only once the browser reports the data committed.
        tx.commit().await?;
        Ok(())
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        store_name: &str,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let tx = self.db.transaction(store_name).build()?;
        let store = tx.object_store(store_name)?;
        let text: Option<String> = store.get(key.to_owned()).primitive()?.await?;
        match text {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|err| StoreError::new("DecodeError", format!("{store_name}/{key}: {err}"))),
        }
    }

    /// All records of a store; records that do not decode are returned as errors beside the
    /// good ones, so one damaged record never hides the rest.
    async fn all_json<T: for<'de> Deserialize<'de>>(
        &self,
        store_name: &str,
    ) -> Result<Vec<Result<T, String>>, StoreError> {
        let tx = self.db.transaction(store_name).build()?;
        let store = tx.object_store(store_name)?;
        let texts: Vec<String> = store.get_all().primitive()?.await?.collect::<Result<Vec<String>, _>>()?;
        Ok(texts.iter().map(|text| serde_json::from_str(text).map_err(|err| err.to_string())).collect())
    }

    pub async fn put_survey(&self, survey: &StoredSurvey) -> Result<(), StoreError> {
        self.put_json(SURVEYS, &survey.fingerprint, survey).await
    }

    pub async fn survey(&self, fingerprint: &str) -> Result<Option<StoredSurvey>, StoreError> {
        self.get_json(SURVEYS, fingerprint).await
    }

    pub async fn surveys(&self) -> Result<Vec<Result<StoredSurvey, String>>, StoreError> {
        self.all_json(SURVEYS).await
    }

    /// Writes a response, with the index in the same transaction when it changes.
    pub async fn put_response(&self, draft: &Draft) -> Result<Option<ResponseIndex>, StoreError> {
        if draft.status == Status::Draft && self.open.borrow().contains(&draft.id) {
            // A draft the index already lists: nothing of the index changes.
            let text = serde_json::to_string(draft).map_err(|err| StoreError::new("EncodeError", err))?;
            let tx = self.db.transaction([RESPONSES, ANSWERS]).with_mode(TransactionMode::Readwrite).build()?;
            tx.object_store(RESPONSES)?.put(text).with_key(draft.id.clone()).primitive()?.await?;
            tx.object_store(ANSWERS)?.delete::<String, _>(answers_of(&draft.id)).primitive()?.await?;
            tx.commit().await?;
            return Ok(None);
        }
        self.write_responses(std::slice::from_ref(draft), false).await.map(|(_, index)| Some(index))
    }

    /// Writes one answer of a response in progress, alone; returns once it is committed. Only for
    /// a response whose whole record is committed as a draft (the index lists it as open):
    /// otherwise the answer would have no response to belong to, and it returns `Ok(false)`
    /// without writing, for the caller to write the whole response instead.
    pub async fn put_answer(
        &self,
        response: &str,
        question: &str,
        answer: Option<&Answer>,
    ) -> Result<bool, StoreError> {
        if !self.open.borrow().contains(response) {
            return Ok(false);
        }
        let record =
            StoredAnswer { response: response.to_owned(), question: question.to_owned(), answer: answer.cloned() };
        let text = serde_json::to_string(&record).map_err(|err| StoreError::new("EncodeError", err))?;
        let tx = self.db.transaction(ANSWERS).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(ANSWERS)?.put(text).with_key(answer_key(response, question)).primitive()?.await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn response(&self, id: &str) -> Result<Option<Draft>, StoreError> {
        let tx = self.db.transaction([RESPONSES, ANSWERS]).build()?;
        let text: Option<String> = tx.object_store(RESPONSES)?.get(id.to_owned()).primitive()?.await?;
        let Some(text) = text else { return Ok(None) };
        let mut draft: Draft = serde_json::from_str(&text)
            .map_err(|err| StoreError::new("DecodeError", format!("{RESPONSES}/{id}: {err}")))?;
        lay_over(&mut draft, &read_answers(&tx.object_store(ANSWERS)?, Some(id)).await?);
        Ok(Some(draft))
    }

    /// Every stored response (for exports; start-up reads the index instead).
    pub async fn responses(&self) -> Result<Vec<Result<Draft, String>>, StoreError> {
        let mut all: Vec<Result<Draft, String>> = self.all_json(RESPONSES).await?;
        let tx = self.db.transaction(ANSWERS).build()?;
        let answers = read_answers(&tx.object_store(ANSWERS)?, None).await?;
        if !answers.is_empty() {
            for draft in all.iter_mut().filter_map(|r| r.as_mut().ok()) {
                lay_over(draft, &answers);
            }
        }
        Ok(all)
    }

    /// Deletes a response and updates the index in the same transaction.
    pub async fn delete_response(&self, id: &str) -> Result<ResponseIndex, StoreError> {
        let tx = self.db.transaction([RESPONSES, INDEX, ANSWERS]).with_mode(TransactionMode::Readwrite).build()?;
        let responses = tx.object_store(RESPONSES)?;
        let mut index = read_index(&tx.object_store(INDEX)?, &responses).await?;
        let before = read_head(&responses, id).await?;
        responses.delete(id.to_owned()).primitive()?.await?;
        tx.object_store(ANSWERS)?.delete::<String, _>(answers_of(id)).primitive()?.await?;
        index.replace(before.as_ref(), None);
        write_index(&tx.object_store(INDEX)?, &index).await?;
        tx.commit().await?;
        *self.open.borrow_mut() = index.open.clone();
        Ok(index)
    }

    /// Writes responses with the index in one transaction; with `number`, a finished response
    /// without a sequence number takes the next number of the device's counter in that same
    /// transaction. Returns the last number assigned, if any, and the index as committed.
    async fn write_responses(
        &self,
        drafts: &[Draft],
        number: bool,
    ) -> Result<(Option<u64>, ResponseIndex), StoreError> {
        let tx =
            self.db.transaction([RESPONSES, META, INDEX, ANSWERS]).with_mode(TransactionMode::Readwrite).build()?;
        let responses = tx.object_store(RESPONSES)?;
        let answers = tx.object_store(ANSWERS)?;
        let meta = tx.object_store(META)?;
        let index_store = tx.object_store(INDEX)?;
        let mut index = read_index(&index_store, &responses).await?;
        let mut assigned = None;
        for draft in drafts {
            let mut draft = std::borrow::Cow::Borrowed(draft);
            if number && draft.status == Status::Complete && draft.seq.is_none() {
                // Read inside the transaction: a number is never issued twice.
                let current: Option<String> = meta.get(SEQ_KEY.to_owned()).primitive()?.await?;
                let seq = current.and_then(|text| serde_json::from_str::<u64>(&text).ok()).unwrap_or(0) + 1;
                meta.put(seq.to_string()).with_key(SEQ_KEY.to_owned()).primitive()?.await?;
                draft.to_mut().seq = Some(seq);
                assigned = Some(seq);
            }
            let before = read_head(&responses, &draft.id).await?;
            let text = serde_json::to_string(&*draft).map_err(|err| StoreError::new("EncodeError", err))?;
            responses.put(text).with_key(draft.id.clone()).primitive()?.await?;
            // The whole response now holds every answer: those written alone are older.
            answers.delete::<String, _>(answers_of(&draft.id)).primitive()?.await?;
            index.replace(before.as_ref(), Some(&ResponseHead::of(&draft)));
        }
        write_index(&index_store, &index).await?;
        tx.commit().await?;
        *self.open.borrow_mut() = index.open.clone();
        Ok((assigned, index))
    }

    /// Writes a response; when it is finished and has no sequence number yet, takes the next
    /// number of the device's counter in the same transaction, so a finished response, its
    /// number and the index are committed together or not at all. Returns the number assigned,
    /// if any, and the index when it changed.
    pub async fn put_response_numbered(
        &self,
        draft: &Draft,
    ) -> Result<(Option<u64>, Option<ResponseIndex>), StoreError> {
        if draft.status != Status::Complete || draft.seq.is_some() {
            let index = self.put_response(draft).await?;
            return Ok((draft.seq, index));
        }
        let (seq, index) = self.write_responses(std::slice::from_ref(draft), true).await?;
        Ok((seq, Some(index)))
    }

    /// The highest sequence number this device has issued.
    pub async fn seq_high(&self) -> Result<u64, StoreError> {
        Ok(self.meta::<u64>(SEQ_KEY).await?.unwrap_or(0))
    }

    /// Marks responses exported, all in one transaction with the index; returns the index.
    pub async fn mark_exported(&self, drafts: &[Draft]) -> Result<ResponseIndex, StoreError> {
        self.write_responses(drafts, false).await.map(|(_, index)| index)
    }

    /// The response index; built from the stored responses (and kept) when there is none yet,
    /// i.e. on the first start after the upgrade to version 4. Damaged records are left out.
    pub async fn response_index(&self) -> Result<ResponseIndex, StoreError> {
        let tx = self.db.transaction(INDEX).build()?;
        let text: Option<String> = tx.object_store(INDEX)?.get(RESPONSE_INDEX_KEY.to_owned()).primitive()?.await?;
        drop(tx);
        let index = match text.map(|text| serde_json::from_str::<ResponseIndex>(&text)) {
            Some(Ok(index)) => index,
            // Missing or unreadable: rebuilt from the records themselves, and kept.
            _ => {
                let tx = self.db.transaction([RESPONSES, INDEX]).with_mode(TransactionMode::Readwrite).build()?;
                let index_store = tx.object_store(INDEX)?;
                let index = read_index(&index_store, &tx.object_store(RESPONSES)?).await?;
                write_index(&index_store, &index).await?;
                tx.commit().await?;
                index
            }
        };
        *self.open.borrow_mut() = index.open.clone();
        Ok(index)
    }

    /// The responses in progress, read one by one from the index (damaged or missing ones left
    /// out).
    pub async fn open_responses(&self, index: &ResponseIndex) -> Result<Vec<Draft>, StoreError> {
        let tx = self.db.transaction([RESPONSES, ANSWERS]).build()?;
        let store = tx.object_store(RESPONSES)?;
        let answers = tx.object_store(ANSWERS)?;
        let mut drafts = Vec::with_capacity(index.open.len());
        for id in &index.open {
            let text: Option<String> = store.get(id.clone()).primitive()?.await?;
            if let Some(mut draft) = text.and_then(|text| serde_json::from_str::<Draft>(&text).ok()) {
                lay_over(&mut draft, &read_answers(&answers, Some(id)).await?);
                drafts.push(draft);
            }
        }
        Ok(drafts)
    }

    /// The device key pair, if one was made.
    pub async fn device_key(&self) -> Result<Option<web_sys::CryptoKeyPair>, StoreError> {
        use wasm_bindgen::JsCast;
        let tx = self.db.transaction(KEYS).build()?;
        let value: Option<wasm_bindgen::JsValue> = tx.object_store(KEYS)?.get("device".to_owned()).primitive()?.await?;
        // A CryptoKeyPair is a plain dictionary object (no class to check against).
        Ok(value.filter(|v| v.is_object()).map(|v| v.unchecked_into()))
    }

    /// Keeps the device key pair (only ever written once per device).
    pub async fn put_device_key(&self, pair: &web_sys::CryptoKeyPair) -> Result<(), StoreError> {
        let tx = self.db.transaction(KEYS).with_mode(TransactionMode::Readwrite).build()?;
        let value: wasm_bindgen::JsValue = pair.clone().into();
        tx.object_store(KEYS)?.add(value).with_key("device".to_owned()).primitive()?.await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn put_round(&self, round: &StoredRound) -> Result<(), StoreError> {
        self.put_json(ROUNDS, &round.id, round).await
    }

    pub async fn rounds(&self) -> Result<Vec<Result<StoredRound, String>>, StoreError> {
        self.all_json(ROUNDS).await
    }

    /// Records a contact attempt; returns once it is committed.
    pub async fn put_contact(&self, contact: &StoredContact) -> Result<(), StoreError> {
        self.put_json(CONTACTS, &contact.contact.id, contact).await
    }

    /// Every contact attempt on the device, of every round (damaged records skipped).
    pub async fn all_contacts(&self) -> Result<Vec<StoredContact>, StoreError> {
        let all: Vec<Result<StoredContact, String>> = self.all_json(CONTACTS).await?;
        Ok(all.into_iter().filter_map(Result::ok).collect())
    }

    /// Every contact attempt of a round.
    pub async fn contacts(&self, round: &str) -> Result<Vec<survey_core::bundle::Contact>, StoreError> {
        let all: Vec<Result<StoredContact, String>> = self.all_json(CONTACTS).await?;
        Ok(all.into_iter().filter_map(Result::ok).filter(|c| c.round == round).map(|c| c.contact).collect())
    }

    pub async fn put_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        self.put_json(META, key, value).await
    }

    pub async fn meta<T: for<'de> Deserialize<'de>>(&self, key: &str) -> Result<Option<T>, StoreError> {
        self.get_json(META, key).await
    }
}

/// Brings a database from `old_version` to [`DB_VERSION`], one step per version.
fn upgrade(db: &Database, old_version: u32) -> indexed_db_futures::Result<()> {
    if old_version < 1 {
        db.create_object_store(SURVEYS).build()?;
        db.create_object_store(RESPONSES).build()?;
        db.create_object_store(META).build()?;
    }
    if old_version < 2 {
        db.create_object_store(KEYS).build()?;
    }
    if old_version < 3 {
        db.create_object_store(ROUNDS).build()?;
        db.create_object_store(CONTACTS).build()?;
    }
    if old_version < 4 {
        // Filled from the responses on the first start (`Store::response_index`).
        db.create_object_store(INDEX).build()?;
    }
    if old_version < 5 {
        db.create_object_store(ANSWERS).build()?;
    }
    // Later versions add their steps here, e.g. `if old_version < 6 { ... }`.
    Ok(())
}

/// The index as stored, or, when there is none (or it does not decode), built from every stored
/// response in the same transaction: a write never commits an index that misses records.
async fn read_index(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    responses: &indexed_db_futures::object_store::ObjectStore<'_>,
) -> Result<ResponseIndex, StoreError> {
    let text: Option<String> = store.get(RESPONSE_INDEX_KEY.to_owned()).primitive()?.await?;
    if let Some(index) = text.and_then(|text| serde_json::from_str(&text).ok()) {
        return Ok(index);
    }
    let texts: Vec<String> = responses.get_all().primitive()?.await?.collect::<Result<Vec<String>, _>>()?;
    let heads: Vec<ResponseHead> = texts.iter().filter_map(|text| serde_json::from_str(text).ok()).collect();
    Ok(ResponseIndex::of(&heads))
}

/// The answers written on their own, of one response or of all; damaged records are left out
/// (the response's own record still holds the answer as it was before).
async fn read_answers(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    response: Option<&str>,
) -> Result<Vec<StoredAnswer>, StoreError> {
    let texts: Vec<String> = match response {
        Some(id) => {
            store.get_all().with_query::<String, _>(answers_of(id)).primitive()?.await?.collect::<Result<_, _>>()?
        }
        None => store.get_all().primitive()?.await?.collect::<Result<_, _>>()?,
    };
    Ok(texts.iter().filter_map(|text| serde_json::from_str(text).ok()).collect())
}

async fn write_index(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    index: &ResponseIndex,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(index).map_err(|err| StoreError::new("EncodeError", err))?;
    store.put(text).with_key(RESPONSE_INDEX_KEY.to_owned()).primitive()?.await?;
    Ok(())
}

async fn read_head(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    id: &str,
) -> Result<Option<ResponseHead>, StoreError> {
    let text: Option<String> = store.get(id.to_owned()).primitive()?.await?;
    Ok(text.and_then(|text| serde_json::from_str(&text).ok()))
}
