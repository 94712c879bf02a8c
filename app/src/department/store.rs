//! The department's IndexedDB database, `survey-kit-department`: kept apart from the field
//! database (`survey-kit`) so that department results and a tablet's own answers never mix.
//!
//! It keeps the inputs, not the results: every survey, roster, identity, previous round and
//! bundle file the department loaded, exactly as loaded. The page rebuilds the import from them
//! (verification is deterministic), so a roster loaded after the bundles re-checks them, and
//! nothing derived can go stale. Store `inputs`: key = [`Input::key`], value = a two-element
//! array `[meta, bytes]`: the JSON text of an [`InputMeta`] and the file's bytes as a
//! `Uint8Array` (kept as they are: a department's files add up to hundreds of megabytes, and
//! base64 in JSON would cost a third more space and seconds of encoding).

use crate::ui::store_error::StoreError;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const DB_NAME: &str = "survey-kit-department";
pub const DB_VERSION: u32 = 1;
pub const INPUTS: &str = "inputs";

/// What a stored input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Survey,
    Roster,
    Identity,
    Previous,
    Bundle,
    /// An evaluation round (`round/1`): its survey and devices, and the draw the fieldwork is
    /// checked against.
    Round,
    /// A stages file (`stages/1`): how the final score is made.
    Stages,
    /// A list a stages file names (stage scores, deductions, vetoes), CSV or XLSX, by file name.
    StageList,
}

/// One loaded file (or pasted text), as loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Order of loading, so that a rebuild imports in the same order.
    pub seq: u64,
    pub kind: Kind,
    pub name: String,
    pub data: Vec<u8>,
}

/// The stored description of an [`Input`] beside its bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputMeta {
    pub seq: u64,
    pub kind: Kind,
    pub name: String,
}

impl Input {
    pub fn new(seq: u64, kind: Kind, name: &str, bytes: &[u8]) -> Input {
        Input { seq, kind, name: name.to_owned(), data: bytes.to_vec() }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// The record key: one roster, one identity, one round and one previous round at a time (a new one
    /// replaces the old); surveys and bundles by content, so loading the same file twice keeps
    /// one record.
    pub fn key(&self) -> String {
        match self.kind {
            Kind::Roster => "roster".to_owned(),
            Kind::Identity => "identity".to_owned(),
            Kind::Previous => "previous".to_owned(),
            Kind::Round => "round".to_owned(),
            Kind::Stages => "stages".to_owned(),
            // A list loaded again under its name replaces the earlier one.
            Kind::StageList => format!("list:{}", self.name),
            Kind::Survey | Kind::Bundle => {
                let prefix = if self.kind == Kind::Survey { "survey" } else { "bundle" };
                format!("{prefix}:{}", survey_core::canonical::hex(&Sha256::digest(&self.data)))
            }
        }
    }

    fn to_js(&self) -> Result<wasm_bindgen::JsValue, StoreError> {
        let meta = InputMeta { seq: self.seq, kind: self.kind, name: self.name.clone() };
        let text = serde_json::to_string(&meta)
            .map_err(|err| StoreError { name: "EncodeError".to_owned(), message: err.to_string() })?;
        Ok(js_sys::Array::of2(&text.into(), &js_sys::Uint8Array::from(self.data.as_slice())).into())
    }

    fn from_js(value: &wasm_bindgen::JsValue) -> Option<Input> {
        use wasm_bindgen::JsCast;
        let pair = value.dyn_ref::<js_sys::Array>()?;
        let meta: InputMeta = serde_json::from_str(&pair.get(0).as_string()?).ok()?;
        let data = pair.get(1).dyn_into::<js_sys::Uint8Array>().ok()?.to_vec();
        Some(Input { seq: meta.seq, kind: meta.kind, name: meta.name, data })
    }
}

pub struct DeptStore {
    db: Database,
}

impl DeptStore {
    pub async fn open() -> Result<DeptStore, StoreError> {
        DeptStore::open_named(DB_NAME).await
    }

    pub async fn open_named(name: &str) -> Result<DeptStore, StoreError> {
        let db = Database::open(name)
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|event, db| {
                if (event.old_version() as u32) < 1 {
                    db.create_object_store(INPUTS).build()?;
                }
                Ok(())
            })
            .await?;
        Ok(DeptStore { db })
    }

    pub fn close(self) {
        self.db.close();
    }

    /// Keeps inputs, all in one transaction, awaiting the commit.
    pub async fn put(&self, inputs: &[Input]) -> Result<(), StoreError> {
        let tx = self.db.transaction(INPUTS).with_mode(TransactionMode::Readwrite).build()?;
        let store = tx.object_store(INPUTS)?;
        for input in inputs {
            store.put(input.to_js()?).with_key(input.key()).primitive()?.await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let tx = self.db.transaction(INPUTS).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(INPUTS)?.delete(key.to_owned()).primitive()?.await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn clear(&self) -> Result<(), StoreError> {
        let tx = self.db.transaction(INPUTS).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(INPUTS)?.clear()?.await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every input, in loading order; records that do not decode are skipped and counted.
    pub async fn all(&self) -> Result<(Vec<Input>, usize), StoreError> {
        let tx = self.db.transaction(INPUTS).build()?;
        let store = tx.object_store(INPUTS)?;
        let values: Vec<wasm_bindgen::JsValue> =
            store.get_all().primitive()?.await?.collect::<Result<Vec<wasm_bindgen::JsValue>, _>>()?;
        let mut damaged = 0;
        let mut inputs: Vec<Input> = values
            .iter()
            .filter_map(|value| {
                let parsed = Input::from_js(value);
                damaged += usize::from(parsed.is_none());
                parsed
            })
            .collect();
        inputs.sort_by_key(|input| input.seq);
        Ok((inputs, damaged))
    }
}
