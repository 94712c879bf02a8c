//! IO started by the pages, at the edge: importing survey files, saving the evaluator, deleting
//! a response, entering and leaving self-completion, asking the browser about storage. Each
//! operation writes through the store first and only then dispatches its outcome, so the state
//! never shows something the device has not kept.

use crate::state::{Action, Evaluator, ImportReport, SelfLock, State, StorageStatus, SurveyEntry};
use crate::store::{Store, StoredSurvey};
use std::cell::RefCell;
use std::rc::Rc;
use survey_core::{load_survey, short_fingerprint, Severity};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::platform::spawn_local;
use yew::UseReducerDispatcher;

/// Meta keys.
pub const EVALUATOR_KEY: &str = "evaluator";
pub const LOCK_KEY: &str = "self_lock";

/// The store slot shared with the root component (empty until the store is open).
pub type StoreSlot = Rc<RefCell<Option<Rc<Store>>>>;

/// What pages use to start IO.
#[derive(Clone)]
pub struct Edge {
    pub store: StoreSlot,
    pub dispatcher: UseReducerDispatcher<State>,
}

impl PartialEq for Edge {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.store, &other.store)
    }
}

impl Edge {
    fn store(&self) -> Option<Rc<Store>> {
        self.store.borrow().clone()
    }

    /// Reads each file, validates it, and adds it when it has no error. A refused file changes
    /// nothing on the device; its problems are reported with their JSON paths.
    pub fn import_files(&self, files: Vec<web_sys::File>) {
        let (Some(store), dispatcher) = (self.store(), self.dispatcher.clone()) else { return };
        spawn_local(async move {
            for file in files {
                let file_name = file.name();
                let refused =
                    |problems: Vec<String>| ImportReport { file_name: file_name.clone(), added: None, problems };
                let text = match JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()) {
                    Some(text) => text,
                    None => {
                        dispatcher.dispatch(Action::Imported {
                            report: refused(vec!["(file): cannot be read as text".to_owned()]),
                            entry: None,
                        });
                        continue;
                    }
                };
                let loaded = load_survey(&text);
                let errors: Vec<String> = loaded
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .map(ToString::to_string)
                    .collect();
                let (Some(survey), Some(fingerprint), true) = (loaded.survey, loaded.fingerprint, errors.is_empty())
                else {
                    dispatcher.dispatch(Action::Imported { report: refused(errors), entry: None });
                    continue;
                };
                let stored = StoredSurvey {
                    fingerprint: fingerprint.clone(),
                    id: survey.id.clone(),
                    version: survey.version.clone(),
                    source: text,
                    origin: file_name.clone(),
                };
                match store.put_survey(&stored).await {
                    Ok(()) => dispatcher.dispatch(Action::Imported {
                        report: ImportReport {
                            file_name: file_name.clone(),
                            added: Some(short_fingerprint(&fingerprint)),
                            problems: loaded.diagnostics.iter().map(ToString::to_string).collect(),
                        },
                        entry: Some(SurveyEntry::new(stored, survey)),
                    }),
                    Err(err) => {
                        dispatcher.dispatch(Action::Imported { report: refused(vec![err.to_string()]), entry: None })
                    }
                }
            }
        });
    }

    pub fn save_evaluator(&self, evaluator: Evaluator) {
        let (Some(store), dispatcher) = (self.store(), self.dispatcher.clone()) else { return };
        spawn_local(async move {
            if store.put_meta(EVALUATOR_KEY, &evaluator).await.is_ok() {
                dispatcher.dispatch(Action::EvaluatorSaved(evaluator));
            }
        });
    }

    pub fn discard(&self, response_id: String) {
        let (Some(store), dispatcher) = (self.store(), self.dispatcher.clone()) else { return };
        spawn_local(async move {
            if store.delete_response(&response_id).await.is_ok() {
                dispatcher.dispatch(Action::Discarded(response_id));
            }
        });
    }

    /// Enters (`Some`) or leaves (`None`) self-completion, storing it first so that a reload
    /// keeps the tablet locked. (Later changes of the lock, such as the resident's response id,
    /// are stored by the root component's effect.)
    pub fn set_lock(&self, lock: Option<SelfLock>) {
        let (Some(store), dispatcher) = (self.store(), self.dispatcher.clone()) else { return };
        spawn_local(async move {
            if store.put_meta(LOCK_KEY, &lock).await.is_ok() {
                dispatcher.dispatch(Action::Locked(lock));
            }
        });
    }

    /// Asks the browser to keep this site's data (not evict it under storage pressure) and
    /// reads usage and quota.
    /// Stores the lock as it is now, without dispatching (the state already holds it).
    pub fn store_lock(&self, lock: Option<SelfLock>) {
        let Some(store) = self.store() else { return };
        spawn_local(async move {
            let _ = store.put_meta(LOCK_KEY, &lock).await;
        });
    }

    pub fn check_storage(&self) {
        let dispatcher = self.dispatcher.clone();
        spawn_local(async move {
            let Some(manager) = web_sys::window().map(|w| w.navigator().storage()) else { return };
            let persisted = match manager.persist() {
                Ok(promise) => JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()),
                Err(_) => None,
            };
            let estimate = match manager.estimate() {
                Ok(promise) => JsFuture::from(promise).await.ok(),
                Err(_) => None,
            };
            let (usage, quota) = estimate
                .and_then(|value| value.dyn_into::<web_sys::StorageEstimate>().ok())
                .map_or((None, None), |estimate| (estimate.get_usage(), estimate.get_quota()));
            dispatcher.dispatch(Action::StorageChecked(StorageStatus { persisted, usage, quota }));
        });
    }
}
