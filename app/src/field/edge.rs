//! IO started by the pages, at the edge: importing survey files, saving the evaluator, deleting
//! a response, entering and leaving self-completion, asking the browser about storage. Each
//! operation writes through the store first and only then dispatches its outcome, so the state
//! never shows something the device has not kept.

use crate::field::fieldwork;
use crate::field::keys;
use crate::field::state::{Action, DeviceKey, Evaluator, ImportReport, SelfLock, State, StorageStatus, SurveyEntry};
use crate::field::store::{ResponseIndex, Store, StoredSurvey};
use crate::ui::platform;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::cell::RefCell;
use std::rc::Rc;
use survey_core::bundle::{self, Contact, DeviceInfo, ExportedResponse, Roster, RosterDevice, RoundRef, SurveyRef};
use survey_core::{load_survey, short_fingerprint, Severity};
use survey_core::{Draft, Status};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::platform::spawn_local;
use yew::UseReducerDispatcher;

/// Which finished responses go into a bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportFilter {
    /// Also those already exported (re-export).
    pub again: bool,
    /// Only this unit.
    pub unit: Option<String>,
    /// Only those finished on or after / before the end of these days (`YYYY-MM-DD`, UTC).
    pub from: Option<String>,
    pub to: Option<String>,
}

impl ExportFilter {
    pub fn accepts(&self, response: &Draft) -> bool {
        let day = response.finished_at.map(platform::date_stamp).unwrap_or_default();
        let compact = |date: &String| date.replace('-', "");
        (self.again || response.exported_at.is_none())
            && self.unit.as_ref().is_none_or(|unit| response.unit.as_ref() == Some(unit))
            && self.from.as_ref().is_none_or(|from| day >= compact(from))
            && self.to.as_ref().is_none_or(|to| day <= compact(to))
    }
}

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
    pub(crate) fn store(&self) -> Option<Rc<Store>> {
        self.store.borrow().clone()
    }

    /// Reads each file, validates it, and adds it when it has no error. A refused file changes
    /// nothing on the device; its problems are reported with their JSON paths.
    pub fn import_files(&self, files: Vec<web_sys::File>) {
        let (Some(store), dispatcher) = (self.store(), self.dispatcher.clone()) else { return };
        let edge = self.clone();
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
                // Round files come through the same picker; other signed files (result
                // bundles) belong on the department page.
                match fieldwork::envelope_kind(&text) {
                    Some(true) => {
                        edge.import_round(file_name, text, false);
                        continue;
                    }
                    Some(false) => {
                        dispatcher.dispatch(Action::Imported {
                            report: refused(vec![
                                "(file): a signed file that is neither a survey nor a round (result bundles are imported on the department page)".to_owned(),
                            ]),
                            entry: None,
                        });
                        continue;
                    }
                    None => {}
                }
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
                    rules: Some(survey_core::definition::RULES.to_owned()),
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
            if let Ok(index) = store.delete_response(&response_id).await {
                dispatcher.dispatch(Action::Discarded(response_id, index));
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

impl Edge {
    /// Reads the device key, or makes one on first use. A browser that cannot make Ed25519
    /// keys is reported as such: it never gets a weaker key.
    pub fn ensure_device_key(&self) {
        let (Some(store), dispatcher) = (self.store(), self.dispatcher.clone()) else { return };
        spawn_local(async move {
            let outcome = async {
                let pair = match store.device_key().await.map_err(|e| e.to_string())? {
                    Some(pair) => pair,
                    None => {
                        let pair = keys::generate().await.map_err(|e| e.to_string())?;
                        store.put_device_key(&pair).await.map_err(|e| e.to_string())?;
                        pair
                    }
                };
                let public = keys::public_key_bytes(&pair).await.map_err(|e| e.to_string())?;
                Ok::<_, String>(DeviceKey::Ready {
                    public_key: STANDARD.encode(&public),
                    keyid: bundle::keyid(&public),
                })
            }
            .await;
            dispatcher.dispatch(Action::DeviceKey(outcome.unwrap_or_else(DeviceKey::Unavailable)));
        });
    }

    /// Downloads this device's roster entry for enrolment.
    pub fn export_enrolment(&self, evaluator: &Evaluator, device: &DeviceKey) {
        let DeviceKey::Ready { public_key, keyid } = device else { return };
        let entry = RosterDevice {
            key: public_key.clone(),
            keyid: keyid.clone(),
            evaluator: evaluator.name.clone(),
            team: evaluator.team.clone(),
        };
        let roster = Roster { format: bundle::ROSTER_FORMAT.to_owned(), devices: vec![entry] };
        let text = serde_json::to_string_pretty(&roster).unwrap_or_default();
        platform::download(&format!("enrol-{}.roster.json", &keyid[..8]), text.as_bytes(), "application/json");
    }

    /// Signs and downloads a bundle of the finished responses of one survey version chosen by
    /// `filter` (outside any round: rounds export from Today's work), then marks them exported.
    /// They are marked only after the file was produced, and a failure changes nothing.
    pub fn export_bundle(&self, entry: SurveyEntry, evaluator: Evaluator, filter: ExportFilter) {
        let (Some(store), dispatcher) = (self.store(), self.dispatcher.clone()) else { return };
        spawn_local(async move {
            // Read here, not kept in memory: a full tablet holds thousands of finished responses.
            let responses = match store.responses().await {
                Ok(responses) => responses,
                Err(err) => return dispatcher.dispatch(Action::ExportFailed(err.to_string())),
            };
            let chosen: Vec<Draft> = responses
                .into_iter()
                .filter_map(Result::ok)
                .filter(|r| r.fingerprint == entry.stored.fingerprint && r.status == Status::Complete)
                .filter(|r| r.sample.is_none() && r.seq.is_some())
                .filter(|r| filter.accepts(r))
                .collect();
            match export_signed(&store, &entry, chosen, &evaluator, None).await {
                Ok((file_name, responses, index)) => {
                    dispatcher.dispatch(Action::Exported { file_name, responses, index })
                }
                Err(message) => dispatcher.dispatch(Action::ExportFailed(message)),
            }
        });
    }
}

/// What a `bundle/2` adds to a bundle: the round, the device's contacts in it, and the
/// department's recipients the round names.
pub struct RoundPart {
    pub reference: RoundRef,
    pub contacts: Vec<Contact>,
    pub recipients: Vec<String>,
}

/// Signs `chosen` (finished, numbered responses of `entry`) into a bundle file (`bundle/2` with
/// `round`), encrypts it when there are recipients, downloads it and marks the responses
/// exported. Returns the file name, the responses as marked and the response index.
pub async fn export_signed(
    store: &Store,
    entry: &SurveyEntry,
    chosen: Vec<Draft>,
    evaluator: &Evaluator,
    round: Option<RoundPart>,
) -> Result<(String, Vec<Draft>, ResponseIndex), String> {
    let has_contacts = round.as_ref().is_some_and(|part| !part.contacts.is_empty());
    if chosen.is_empty() && !has_contacts {
        return Err("nothing to export".to_owned());
    }
    let pair = store.device_key().await.map_err(|e| e.to_string())?.ok_or("no device key")?;
    let public = keys::public_key_bytes(&pair).await.map_err(|e| e.to_string())?;
    let device_keyid = bundle::keyid(&public);
    let seq_high = store.seq_high().await.map_err(|e| e.to_string())?;
    let exported: Vec<ExportedResponse> = chosen
        .iter()
        .map(|draft| {
            let relevance = entry.logic.evaluate_all(&draft.answers);
            let answers = draft.relevant_answers(&entry.logic, &relevance);
            ExportedResponse::from_draft(draft, answers, &device_keyid, draft.seq.unwrap_or_default())
        })
        .collect();
    let now = platform::now_ms();
    let device =
        DeviceInfo { key: STANDARD.encode(&public), evaluator: evaluator.name.clone(), team: evaluator.team.clone() };
    let survey = SurveyRef {
        id: entry.survey.id.clone(),
        version: entry.survey.version.clone(),
        fingerprint: entry.stored.fingerprint.clone(),
    };
    let mut payload = bundle::payload_bytes(&platform::new_id(), now, device, survey, seq_high, &exported);
    let mut recipients = entry.survey.recipients.clone();
    let mut name_head = entry.survey.id.clone();
    if let Some(part) = round {
        payload = bundle::round_payload_bytes(&payload, part.reference.clone(), &part.contacts);
        recipients = part.recipients;
        name_head = part.reference.id;
    }
    let signature = keys::sign(&pair, &bundle::pae(bundle::PAYLOAD_TYPE, &payload)).await.map_err(|e| e.to_string())?;
    let file = bundle::envelope_bytes(&payload, &public, &signature);
    // Encrypted to the department when it names recipients: the file then opens only with the
    // department's identity (the standard `age` tool does it).
    let (file, suffix) = if recipients.is_empty() { (file, "") } else { (encrypt(&file, &recipients)?, ".age") };
    let seqs: Vec<u64> = exported.iter().map(|r| r.seq).collect();
    let range = match (seqs.iter().min(), seqs.iter().max()) {
        (Some(low), Some(high)) => format!("{low}-{high}"),
        _ => "contacts".to_owned(),
    };
    let file_name =
        format!("{name_head}-{}-{}-{range}.bundle.json{suffix}", &device_keyid[..8], platform::date_stamp(now));
    let mime = if suffix.is_empty() { "application/json" } else { "application/octet-stream" };
    if !platform::download(&file_name, &file, mime) {
        return Err("the browser refused the download".to_owned());
    }
    let marked: Vec<Draft> = chosen
        .into_iter()
        .map(|mut draft| {
            draft.exported_at = Some(now);
            draft
        })
        .collect();
    let index = store.mark_exported(&marked).await.map_err(|e| e.to_string())?;
    Ok((file_name, marked, index))
}

/// Encrypts `plain` with age to every X25519 recipient (`age1...`), the randomness from the
/// browser's cryptographic source.
fn encrypt(plain: &[u8], recipients: &[String]) -> Result<Vec<u8>, String> {
    let mut failed = None;
    let mut random = |buf: &mut [u8]| {
        if let Err(err) = getrandom::getrandom(buf) {
            failed = Some(err);
        }
    };
    let sealed = survey_core::bundle::seal::seal(plain, recipients, &mut random).map_err(|err| err.to_string())?;
    match failed {
        Some(err) => Err(format!("no secure random source: {err}")),
        None => Ok(sealed),
    }
}
