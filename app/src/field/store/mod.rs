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
//!
//! Every write awaits the transaction's commit before returning: the caller may only tell the
//! evaluator "saved" after that.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::{Deserialize, Serialize};
use survey_core::Draft;

/// The database name used by the app.
pub const DB_NAME: &str = "survey-kit";
/// The current schema version; bump it and add a step to [`upgrade`] to change the shape.
pub const DB_VERSION: u32 = 3;

pub const SURVEYS: &str = "surveys";
pub const RESPONSES: &str = "responses";
pub const META: &str = "meta";
pub const KEYS: &str = "keys";
pub const ROUNDS: &str = "rounds";
pub const CONTACTS: &str = "contacts";
/// The `meta` key of the organiser key id the first round was signed with.
pub const ORGANISER_PIN_KEY: &str = "organiser_pin";
/// The `meta` key of the device's sequence counter (the highest number issued).
pub const SEQ_KEY: &str = "device_seq";

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
}

pub use crate::ui::store_error::StoreError;

/// An open connection to the app database.
pub struct Store {
    db: Database,
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
        Ok(Store { db })
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

    pub async fn put_response(&self, draft: &Draft) -> Result<(), StoreError> {
        self.put_json(RESPONSES, &draft.id, draft).await
    }

    pub async fn response(&self, id: &str) -> Result<Option<Draft>, StoreError> {
        self.get_json(RESPONSES, id).await
    }

    pub async fn responses(&self) -> Result<Vec<Result<Draft, String>>, StoreError> {
        self.all_json(RESPONSES).await
    }

    pub async fn delete_response(&self, id: &str) -> Result<(), StoreError> {
        let tx = self.db.transaction(RESPONSES).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(RESPONSES)?.delete(id.to_owned()).primitive()?.await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes a response; when it is finished and has no sequence number yet, takes the next
    /// number of the device's counter in the same transaction, so a finished response and its
    /// number are committed together or not at all. Returns the number assigned, if any.
    pub async fn put_response_numbered(&self, draft: &Draft) -> Result<Option<u64>, StoreError> {
        if draft.status != survey_core::Status::Complete || draft.seq.is_some() {
            self.put_response(draft).await?;
            return Ok(draft.seq);
        }
        let tx = self.db.transaction([RESPONSES, META]).with_mode(TransactionMode::Readwrite).build()?;
        let meta = tx.object_store(META)?;
        let responses = tx.object_store(RESPONSES)?;
        let current: Option<String> = meta.get(SEQ_KEY.to_owned()).primitive()?.await?;
        let high: u64 = current.and_then(|text| serde_json::from_str(&text).ok()).unwrap_or(0);
        let seq = high + 1;
        let mut numbered = draft.clone();
        numbered.seq = Some(seq);
        let text = serde_json::to_string(&numbered).map_err(|err| StoreError::new("EncodeError", err))?;
        responses.put(text).with_key(numbered.id.clone()).primitive()?.await?;
        meta.put(seq.to_string()).with_key(SEQ_KEY.to_owned()).primitive()?.await?;
        tx.commit().await?;
        Ok(Some(seq))
    }

    /// The highest sequence number this device has issued.
    pub async fn seq_high(&self) -> Result<u64, StoreError> {
        Ok(self.meta::<u64>(SEQ_KEY).await?.unwrap_or(0))
    }

    /// Marks responses exported, all in one transaction.
    pub async fn mark_exported(&self, drafts: &[Draft]) -> Result<(), StoreError> {
        let tx = self.db.transaction(RESPONSES).with_mode(TransactionMode::Readwrite).build()?;
        let store = tx.object_store(RESPONSES)?;
        for draft in drafts {
            let text = serde_json::to_string(draft).map_err(|err| StoreError::new("EncodeError", err))?;
            store.put(text).with_key(draft.id.clone()).primitive()?.await?;
        }
        tx.commit().await?;
        Ok(())
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
    // Later versions add their steps here, e.g. `if old_version < 4 { ... }`.
    Ok(())
}
