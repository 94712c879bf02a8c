//! Application state, the closed set of actions, and the synchronous reducer.
//!
//! The reducer never does IO: it applies survey-core's rules to the state and, when the current
//! response changed, bumps `save_generation`. The effect in `app` that watches the generation
//! writes the draft to IndexedDB and dispatches `Saved` or `SaveFailed` for that generation, so
//! "saved" is shown only for the newest change and only after its transaction committed.
//! `save_target` says what the generation changed: one answer (written alone) or more.

use crate::field::fieldwork::{PendingRound, RoundEntry, RoundNote};
use crate::field::route::Route;
use crate::field::store::{ResponseIndex, StoreError, StoredContact, StoredSurvey};
use crate::ui::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use survey_core::{AnswerValue, Draft, DraftStart, Logic, Mode, Problem, Relevance, Status, Survey};
use yew::Reducible;

/// A survey definition on the device, parsed.
#[derive(Debug, Clone)]
pub struct SurveyEntry {
    pub stored: StoredSurvey,
    pub survey: Rc<Survey>,
    /// The survey's compiled skip logic and constraints.
    pub logic: Rc<Logic>,
}

impl SurveyEntry {
    pub fn new(stored: StoredSurvey, survey: Survey) -> SurveyEntry {
        let logic = Rc::new(Logic::new(&survey));
        SurveyEntry { stored, survey: Rc::new(survey), logic }
    }

    /// A new response of this survey with its defaults applied; id and time come from the edge.
    pub fn start_draft(&self, id: String, now: i64, unit: Option<String>, mode: Mode, lang: Lang) -> Draft {
        let start = DraftStart {
            id,
            unit,
            now,
            mode,
            lang: lang.tag().to_owned(),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
        };
        let mut draft = Draft::new(&self.survey, &self.stored.fingerprint, start);
        draft.apply_defaults(&self.survey, now);
        draft
    }
}

/// Entries are equal when they hold the same definition: the logic is derived from it.
impl PartialEq for SurveyEntry {
    fn eq(&self, other: &Self) -> bool {
        self.stored == other.stored && Rc::ptr_eq(&self.survey, &other.survey)
    }
}

/// The evaluator using this device, kept in the store's `meta`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluator {
    pub name: String,
    /// The evaluator's code on the team's roster.
    pub code: String,
    pub team: String,
    /// Needed to leave self-completion; empty means the evaluator code is asked instead.
    #[serde(default)]
    pub pin: String,
}

impl Evaluator {
    pub fn is_set(&self) -> bool {
        !self.name.trim().is_empty() && !self.code.trim().is_empty()
    }

    /// Whether `entered` unlocks self-completion.
    pub fn unlocks(&self, entered: &str) -> bool {
        let secret = if self.pin.is_empty() { &self.code } else { &self.pin };
        !secret.is_empty() && entered.trim() == secret.trim()
    }
}

/// Self-completion: the tablet is handed to residents for one survey. Kept in `meta`, so a
/// reload (or a curious resident) cannot leave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfLock {
    pub fingerprint: String,
    pub unit: Option<String>,
    /// The response the current resident is filling in: the only one reachable.
    #[serde(default)]
    pub response: Option<String>,
}

/// The outcome of importing a survey file, shown on the home screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    pub file_name: String,
    /// `Some(short fingerprint)` when the survey was added.
    pub added: Option<String>,
    /// One line per problem: `PATH: message`.
    pub problems: Vec<String>,
}

/// What the browser says about this site's storage.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageStatus {
    /// `Some(true)` when the browser promised not to evict the data.
    pub persisted: Option<bool>,
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

/// What a save generation must write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveTarget {
    /// The whole response (started, paged, finished, or anything but one answer).
    Whole,
    /// Only this answer changed since the previous generation.
    Answer(String),
}

/// What the evaluator is told about the last write.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    /// Nothing written in this visit.
    Idle,
    Saving,
    Saved,
    Failed(StoreError),
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub lang: Lang,
    pub route: Route,
    /// The store has been read; until then the UI shows a loading line.
    pub loaded: bool,
    /// IndexedDB cannot be opened: nothing can be saved, so nothing may be collected.
    pub store_unavailable: Option<String>,
    pub surveys: Vec<SurveyEntry>,
    /// The responses read in full: those in progress (read at start-up, by the index), the
    /// one a reload returns to, and those started or finished since. Finished responses are
    /// otherwise known by the index only, and read from the store when exported.
    pub responses: Vec<Draft>,
    /// Counts of the finished responses and the ids of those in progress, as committed.
    pub index: ResponseIndex,
    /// The response on screen (route `Fill`).
    pub current: Option<Draft>,
    pub save: SaveState,
    /// Incremented whenever `current` changes in a way that must be written.
    pub save_generation: u64,
    /// What changed in `save_generation` since the one before it.
    pub save_target: SaveTarget,
    /// The example surveys could not be fetched at start-up; the home screen says so.
    pub examples_missing: bool,
    /// Set by a successful finalise: once that write commits, the route moves to `Done`.
    pub finish_pending: bool,
    /// Which questions of `current` are relevant, kept up to date answer by answer.
    pub relevance: Option<Relevance>,
    /// Required questions found unanswered by the last attempt to finish.
    pub missing: Vec<String>,
    /// Answers with a problem found by the last attempt to finish.
    pub invalid: Vec<(String, Problem)>,
    /// A question to bring into view and focus after the next render (from the missing list).
    pub focus_question: Option<String>,
    pub evaluator: Evaluator,
    /// Set while the tablet is in self-completion.
    pub lock: Option<SelfLock>,
    pub imports: Vec<ImportReport>,
    pub storage: Option<StorageStatus>,
    pub device: DeviceKey,
    /// The outcome of the last export, shown on the home screen.
    pub export_note: Option<Result<String, String>>,
    /// The rounds on the device, in id order.
    pub rounds: Vec<RoundEntry>,
    /// Every contact attempt on the device (all rounds).
    pub contacts: Vec<StoredContact>,
    /// The pinned organiser key id (the first round's signer, or one the evaluator accepted).
    pub organiser_pin: Option<String>,
    /// What happened to the last round files chosen, newest first.
    pub round_notes: Vec<RoundNote>,
    /// A round signed by another organiser key, waiting for the evaluator's decision.
    pub pending_round: Option<PendingRound>,
    /// A contact attempt that could not be stored.
    pub contact_error: Option<String>,
}

impl State {
    pub fn new(lang: Lang, route: Route) -> State {
        State {
            lang,
            route,
            loaded: false,
            store_unavailable: None,
            surveys: Vec::new(),
            responses: Vec::new(),
            index: ResponseIndex::default(),
            current: None,
            save: SaveState::Idle,
            save_generation: 0,
            save_target: SaveTarget::Whole,
            examples_missing: false,
            finish_pending: false,
            relevance: None,
            missing: Vec::new(),
            invalid: Vec::new(),
            focus_question: None,
            evaluator: Evaluator::default(),
            lock: None,
            imports: Vec::new(),
            storage: None,
            device: DeviceKey::Pending,
            export_note: None,
            rounds: Vec::new(),
            contacts: Vec::new(),
            organiser_pin: None,
            round_notes: Vec::new(),
            pending_round: None,
            contact_error: None,
        }
    }

    /// Whether a route may be shown. In self-completion only the welcome screen and the
    /// locked survey's current response are reachable: no other response, no settings.
    pub fn allows(&self, route: &Route) -> bool {
        let Some(lock) = &self.lock else { return route != &Route::Welcome };
        match route {
            Route::Welcome => true,
            Route::Fill(id) | Route::Done(id) => {
                self.current.as_ref().is_some_and(|draft| &draft.id == id && draft.fingerprint == lock.fingerprint)
            }
            Route::Home | Route::Settings | Route::Today | Route::Unit { .. } => false,
        }
    }

    /// The entry and relevance of the response on screen.
    pub fn current_logic(&self) -> Option<(&Draft, &SurveyEntry, &Relevance)> {
        let draft = self.current.as_ref()?;
        let entry = self.survey_for(draft)?;
        Some((draft, entry, self.relevance.as_ref()?))
    }

    /// The definition a response is pinned to.
    pub fn survey_for(&self, draft: &Draft) -> Option<&SurveyEntry> {
        self.surveys.iter().find(|entry| entry.stored.fingerprint == draft.fingerprint)
    }

    pub fn drafts(&self) -> impl Iterator<Item = &Draft> {
        self.responses.iter().filter(|r| r.status == Status::Draft)
    }

    pub fn completed_count(&self) -> usize {
        self.index.count(|_| true).0 as usize
    }

    /// The round with this id.
    pub fn round(&self, id: &str) -> Option<&RoundEntry> {
        self.rounds.iter().find(|round| round.stored.id == id)
    }

    /// The survey a round carries, as stored on the device.
    pub fn round_survey(&self, round: &RoundEntry) -> Option<&SurveyEntry> {
        self.surveys.iter().find(|entry| entry.stored.fingerprint == round.payload.survey_fingerprint)
    }

    /// Whether a survey belongs to a round that assigns units to this device: its interviews
    /// then start from a household in Today's work.
    pub fn in_round(&self, fingerprint: &str) -> bool {
        let DeviceKey::Ready { keyid, .. } = &self.device else { return false };
        self.rounds
            .iter()
            .any(|round| round.payload.survey_fingerprint == fingerprint && !round.units_of(keyid).is_empty())
    }

    /// Finished responses that have not left the tablet in a bundle yet.
    pub fn unexported_count(&self) -> usize {
        let (complete, exported) = self.index.count(|_| true);
        (complete - exported) as usize
    }
}

/// The device's signing key, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceKey {
    /// Not known yet (the store is being read or the key made).
    Pending,
    Ready {
        public_key: String,
        keyid: String,
    },
    /// This browser cannot make or use an Ed25519 key: it must not collect signed results.
    Unavailable(String),
}

/// Everything that can happen to the state.
#[derive(Debug, Clone)]
pub enum Action {
    /// The store was read at start-up.
    Loaded {
        surveys: Vec<SurveyEntry>,
        responses: Vec<Draft>,
        index: ResponseIndex,
        evaluator: Evaluator,
        lock: Option<SelfLock>,
        rounds: Vec<RoundEntry>,
        contacts: Vec<StoredContact>,
        organiser_pin: Option<String>,
        /// The example surveys could not be fetched (the first start was offline).
        examples_missing: bool,
    },
    /// A round file was verified and stored with its survey and the organiser pin.
    RoundImported {
        note: RoundNote,
        round: RoundEntry,
        survey: SurveyEntry,
        pin: String,
    },
    /// A round file was refused, was already here, or is not for this tablet.
    RoundNoted(RoundNote),
    /// A sound round signed by a key other than the pinned one: the evaluator decides.
    RoundNeedsKey(PendingRound),
    /// The evaluator declined the new key (or the decision was taken): nothing stored.
    RoundKeyDismissed,
    /// A contact attempt was committed.
    ContactRecorded(StoredContact),
    ContactFailed(String),
    /// The evaluator's details were saved.
    EvaluatorSaved(Evaluator),
    /// A survey file was read: added (with its entry) or refused (with its problems).
    Imported {
        report: ImportReport,
        entry: Option<SurveyEntry>,
    },
    /// A response was deleted from the store.
    Discarded(String, ResponseIndex),
    /// Self-completion started (`Some`) or the evaluator ended it (`None`); already stored.
    Locked(Option<SelfLock>),
    /// No input for a while in self-completion: back to the welcome screen, draft kept.
    Idle,
    StorageChecked(StorageStatus),
    StoreUnavailable(String),
    SetLang(Lang),
    /// The URL fragment changed (back button, link) or a page asked to move.
    Navigate(Route),
    /// A new response was created at the edge (id and time from the browser).
    Start(Draft),
    /// Set (`Some`) or clear (`None`) the answer to a question of the current response.
    Answer {
        question_id: String,
        value: Option<AnswerValue>,
        now: i64,
    },
    /// Show another page (section) of the current response.
    Page(usize),
    /// Show the page of a question and focus it (from the list of missing answers).
    GoToQuestion(String),
    /// The focus request was carried out.
    Focused,
    Finish {
        now: i64,
    },
    /// The write of `generation` committed; `seq` is the sequence number it assigned, if any.
    Saved {
        generation: u64,
        seq: Option<u64>,
        /// The response index as committed with it, when the write changed it.
        index: Option<ResponseIndex>,
    },
    DeviceKey(DeviceKey),
    /// A bundle file was produced and its responses marked exported (already stored).
    Exported {
        file_name: String,
        responses: Vec<Draft>,
        index: ResponseIndex,
    },
    ExportFailed(String),
    SaveFailed {
        generation: u64,
        error: StoreError,
    },
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Loaded {
                surveys,
                responses,
                index,
                evaluator,
                lock,
                rounds,
                contacts,
                organiser_pin,
                examples_missing,
            } => {
                next.examples_missing = examples_missing;
                next.index = index;
                next.rounds = rounds;
                next.contacts = contacts;
                next.organiser_pin = organiser_pin;
                next.surveys = surveys;
                next.responses = responses;
                next.evaluator = evaluator;
                next.lock = lock;
                next.loaded = true;
                next.open_route();
                if !next.allows(&next.route) {
                    next.route = if next.lock.is_some() { Route::Welcome } else { Route::Home };
                    next.current = None;
                }
            }
            Action::EvaluatorSaved(evaluator) => next.evaluator = evaluator,
            Action::RoundImported { note, round, survey, pin } => {
                next.pending_round = None;
                next.organiser_pin = Some(pin);
                next.add_survey(survey);
                next.rounds.retain(|r| r.stored.id != round.stored.id);
                next.rounds.push(round);
                next.rounds.sort_by(|a, b| a.stored.id.cmp(&b.stored.id));
                next.note_round(note);
            }
            Action::RoundNoted(note) => {
                next.pending_round = None;
                next.note_round(note);
            }
            Action::RoundNeedsKey(pending) => next.pending_round = Some(pending),
            Action::RoundKeyDismissed => next.pending_round = None,
            Action::ContactRecorded(contact) => {
                next.contact_error = None;
                next.contacts.push(contact);
            }
            Action::ContactFailed(message) => next.contact_error = Some(message),
            Action::Imported { report, entry } => {
                if let Some(entry) = entry {
                    next.add_survey(entry);
                }
                next.imports.insert(0, report);
                next.imports.truncate(5);
            }
            Action::Discarded(id, index) => {
                next.index = index;
                next.responses.retain(|r| r.id != id);
                if next.current.as_ref().is_some_and(|c| c.id == id) {
                    next.current = None;
                }
            }
            Action::Locked(lock) => {
                next.route = if lock.is_some() { Route::Welcome } else { Route::Home };
                next.lock = lock;
                next.current = None;
                next.missing.clear();
                next.invalid.clear();
            }
            Action::Idle => {
                if next.lock.is_none() || next.route == Route::Welcome {
                    return self;
                }
                next.route = Route::Welcome;
                next.current = None;
                if let Some(lock) = next.lock.as_mut() {
                    lock.response = None;
                }
            }
            Action::StorageChecked(status) => next.storage = Some(status),
            Action::DeviceKey(device) => next.device = device,
            Action::Exported { file_name, responses, index } => {
                next.index = index;
                for exported in responses {
                    if let Some(slot) = next.responses.iter_mut().find(|r| r.id == exported.id) {
                        *slot = exported;
                    }
                }
                next.export_note = Some(Ok(file_name));
            }
            Action::ExportFailed(message) => next.export_note = Some(Err(message)),
            Action::StoreUnavailable(message) => {
                next.store_unavailable = Some(message);
                next.loaded = true;
            }
            Action::SetLang(lang) => {
                next.lang = lang;
                // The response records the language it is being answered in.
                if let Some(mut draft) = next.current.clone() {
                    if draft.status == Status::Draft && draft.lang != lang.tag() {
                        draft.lang = lang.tag().to_owned();
                        next.replace_current(draft);
                        next.schedule_save();
                    }
                }
            }
            Action::Navigate(route) => {
                if route == next.route {
                    return self;
                }
                if next.lock.is_some() && !next.allows(&route) {
                    // The address bar and the back button lead nowhere in self-completion;
                    // the route effect puts the current address back.
                    next.route = if next.current.is_some() { next.route.clone() } else { Route::Welcome };
                    return Rc::new(next);
                }
                if route == Route::Welcome {
                    // A resident's response is not reachable from the welcome screen.
                    next.current = None;
                    if let Some(lock) = next.lock.as_mut() {
                        lock.response = None;
                    }
                }
                next.route = route;
                next.missing.clear();
                next.open_route();
            }
            Action::Start(draft) => {
                if let Some(lock) = next.lock.as_mut() {
                    lock.response = Some(draft.id.clone());
                }
                next.route = Route::Fill(draft.id.clone());
                next.responses.push(draft.clone());
                next.current = Some(draft);
                next.missing.clear();
                next.invalid.clear();
                next.refresh_relevance();
                next.schedule_save();
            }
            Action::Answer { question_id, value, now } => {
                let Some(mut draft) = next.current.clone() else { return self };
                let Some(entry) = next.survey_for(&draft) else { return self };
                let survey = entry.survey.clone();
                let logic = entry.logic.clone();
                let changed = match value {
                    Some(value) => draft.set_answer(&survey, &question_id, value, now).unwrap_or(false),
                    None => draft.clear_answer(&question_id),
                };
                if !changed {
                    return self;
                }
                next.missing.retain(|id| id != &question_id);
                next.invalid.retain(|(id, _)| id != &question_id);
                // Only the questions whose relevance reads this answer are evaluated again.
                if let Some(relevance) = next.relevance.as_mut() {
                    logic.update(relevance, &draft.answers, &question_id);
                }
                next.replace_current(draft);
                next.schedule_save();
                next.save_target = SaveTarget::Answer(question_id);
            }
            Action::Page(page) => {
                let Some(mut draft) = next.current.clone() else { return self };
                let Some(entry) = next.survey_for(&draft) else { return self };
                if page >= entry.survey.sections.len() || page == draft.page {
                    return self;
                }
                draft.page = page;
                next.replace_current(draft);
                next.schedule_save();
            }
            Action::GoToQuestion(question_id) => {
                let Some(draft) = next.current.clone() else { return self };
                let Some(entry) = next.survey_for(&draft) else { return self };
                let Some((page, _)) = entry.survey.questions().find(|(_, q)| q.id == question_id) else { return self };
                next.focus_question = Some(question_id);
                if page != draft.page {
                    let mut draft = draft;
                    draft.page = page;
                    next.replace_current(draft);
                    next.schedule_save();
                }
            }
            Action::Focused => {
                if next.focus_question.is_none() {
                    return self;
                }
                next.focus_question = None;
            }
            Action::Finish { now } => {
                let Some(mut draft) = next.current.clone() else { return self };
                let Some(entry) = next.survey_for(&draft) else { return self };
                let (survey, logic) = (entry.survey.clone(), entry.logic.clone());
                match draft.finalise(&survey, &logic, now) {
                    Ok(()) => {
                        next.missing.clear();
                        next.invalid.clear();
                        next.finish_pending = true;
                        next.replace_current(draft);
                        next.schedule_save();
                    }
                    Err(not_finished) => {
                        next.missing = not_finished.missing;
                        next.invalid = not_finished.invalid;
                    }
                }
            }
            Action::Saved { generation, seq, index } => {
                if let Some(index) = index {
                    next.index = index;
                }
                // The sequence number belongs to the response whatever the generation.
                if let (Some(seq), Some(mut draft)) = (seq, next.current.clone()) {
                    if draft.seq.is_none() && draft.status == Status::Complete {
                        draft.seq = Some(seq);
                        next.replace_current(draft);
                    }
                }
                if generation != next.save_generation {
                    // An older write finished; the newest is still in flight.
                    return Rc::new(next);
                }
                next.save = SaveState::Saved;
                if next.finish_pending {
                    next.finish_pending = false;
                    if let Some(draft) = &next.current {
                        next.route = Route::Done(draft.id.clone());
                    }
                }
            }
            Action::SaveFailed { generation, error } => {
                // An older write that failed may have carried an answer no newer write carries
                // (answers are written alone): the whole response is written again.
                if generation != next.save_generation {
                    next.schedule_save();
                    return Rc::new(next);
                }
                next.finish_pending = false;
                next.save = SaveState::Failed(error);
            }
        }
        Rc::new(next)
    }
}

impl State {
    fn add_survey(&mut self, entry: SurveyEntry) {
        if !self.surveys.iter().any(|e| e.stored.fingerprint == entry.stored.fingerprint) {
            self.surveys.push(entry);
            self.surveys
                .sort_by(|a, b| a.survey.id.cmp(&b.survey.id).then_with(|| b.survey.version.cmp(&a.survey.version)));
        }
    }

    fn note_round(&mut self, note: RoundNote) {
        self.round_notes.insert(0, note);
        self.round_notes.truncate(5);
    }

    fn schedule_save(&mut self) {
        self.save_generation += 1;
        self.save_target = SaveTarget::Whole;
        self.save = SaveState::Saving;
    }

    fn replace_current(&mut self, draft: Draft) {
        if let Some(slot) = self.responses.iter_mut().find(|r| r.id == draft.id) {
            *slot = draft.clone();
        } else {
            self.responses.push(draft.clone());
        }
        self.current = Some(draft);
    }

    /// Makes `current` follow the route once the responses are known.
    fn open_route(&mut self) {
        match &self.route {
            Route::Fill(id) | Route::Done(id) => {
                if self.current.as_ref().is_some_and(|c| &c.id == id) {
                    return;
                }
                self.current = self.responses.iter().find(|r| &r.id == id).cloned();
                self.save = SaveState::Idle;
                self.refresh_relevance();
            }
            Route::Home | Route::Settings | Route::Welcome | Route::Today | Route::Unit { .. } => {}
        }
    }

    /// Evaluates the relevance of the current response from scratch (when it is opened).
    fn refresh_relevance(&mut self) {
        self.relevance = self
            .current
            .as_ref()
            .and_then(|draft| self.survey_for(draft).map(|entry| entry.logic.evaluate_all(&draft.answers)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use survey_core::{load_survey, DraftStart, Mode};

    fn state_with_survey() -> (State, Draft) {
        let text = include_str!("../../../survey-schemas/party-building-satisfaction.json");
        let loaded = load_survey(text);
        let survey = Rc::new(loaded.survey.expect("example is valid"));
        let fingerprint = loaded.fingerprint.expect("fingerprint");
        let stored = StoredSurvey {
            fingerprint: fingerprint.clone(),
            id: survey.id.clone(),
            version: survey.version.clone(),
            source: text.to_owned(),
            origin: "bundled".into(),
            rules: None,
        };
        let mut state = State::new(Lang::Zh, Route::Home);
        state.surveys.push(SurveyEntry::new(stored, (*survey).clone()));
        state.loaded = true;
        let start = DraftStart {
            id: "r1".into(),
            unit: None,
            now: 0,
            mode: Mode::Interview,
            lang: "zh-CN".into(),
            app_version: "t".into(),
        };
        (state, Draft::new(&survey, &fingerprint, start))
    }

    #[test]
    fn saved_is_shown_only_for_the_newest_write() {
        let (state, draft) = state_with_survey();
        let state = Rc::new(state).reduce(Action::Start(draft));
        assert_eq!((state.save_generation, &state.save), (1, &SaveState::Saving));
        let answer = |value| Action::Answer { question_id: "branch_unity".into(), value: Some(value), now: 5 };
        let state = state.reduce(answer(AnswerValue::Number(5)));
        assert_eq!(state.save_generation, 2);
        // Giving the same answer again changes nothing and writes nothing.
        let state = state.reduce(answer(AnswerValue::Number(5)));
        assert_eq!(state.save_generation, 2);
        // A value the question does not offer is refused.
        let state = state.reduce(answer(AnswerValue::Number(42)));
        assert_eq!(state.save_generation, 2);
        let state = state.reduce(Action::Saved { generation: 1, seq: None, index: None });
        assert_eq!(state.save, SaveState::Saving, "the newest write is still in flight");
        let state = state.reduce(Action::Saved { generation: 2, seq: None, index: None });
        assert_eq!(state.save, SaveState::Saved);
    }

    #[test]
    fn an_answer_is_written_alone_and_a_failed_older_write_is_made_good() {
        let (state, draft) = state_with_survey();
        let state = Rc::new(state).reduce(Action::Start(draft));
        assert_eq!(state.save_target, SaveTarget::Whole, "a new response is written whole");
        let answer = |question: &str| Action::Answer {
            question_id: question.into(),
            value: Some(AnswerValue::Number(4)),
            now: 5,
        };
        let state = state.reduce(answer("branch_unity"));
        assert_eq!((state.save_generation, &state.save_target), (2, &SaveTarget::Answer("branch_unity".into())));
        let state = state.reduce(answer("branch_contact"));
        assert_eq!((state.save_generation, &state.save_target), (3, &SaveTarget::Answer("branch_contact".into())));
        let state = state.reduce(Action::Page(1));
        assert_eq!((state.save_generation, &state.save_target), (4, &SaveTarget::Whole));
        // Generation 2 (branch_unity alone) failed after 3 and 4 were issued: only a whole write
        // still carries that answer, so one is scheduled, and "saved" waits for it.
        let error = StoreError::new("QuotaExceededError", "full");
        let state = state.reduce(Action::SaveFailed { generation: 2, error });
        assert_eq!(
            (state.save_generation, &state.save_target, &state.save),
            (5, &SaveTarget::Whole, &SaveState::Saving)
        );
        let state = state.reduce(Action::Saved { generation: 4, seq: None, index: None });
        assert_eq!(state.save, SaveState::Saving);
        let state = state.reduce(Action::Saved { generation: 5, seq: None, index: None });
        assert_eq!(state.save, SaveState::Saved);
    }

    #[test]
    fn finishing_waits_for_the_commit_before_showing_done() {
        let (state, draft) = state_with_survey();
        let survey = state.surveys[0].survey.clone();
        let mut state = Rc::new(state).reduce(Action::Start(draft));
        let state_finish_early = state.clone().reduce(Action::Finish { now: 1 });
        assert!(!state_finish_early.missing.is_empty(), "required questions are unanswered");
        for (_, question) in survey.questions() {
            let value = match question.kind {
                survey_core::QuestionKind::Scale => AnswerValue::Number(question.points.as_ref().unwrap()[0].value),
                survey_core::QuestionKind::Single => {
                    AnswerValue::Text(question.choices.as_ref().unwrap()[0].value.clone())
                }
                survey_core::QuestionKind::Text => AnswerValue::Text("无".into()),
                _ => continue,
            };
            state = state.reduce(Action::Answer { question_id: question.id.clone(), value: Some(value), now: 2 });
        }
        let state = state.reduce(Action::Finish { now: 3 });
        assert!(state.missing.is_empty());
        assert_eq!(state.route, Route::Fill("r1".into()), "not done before the write commits");
        let older = state.save_generation - 1;
        let state = state.reduce(Action::Saved { generation: older, seq: None, index: None });
        assert_eq!(state.route, Route::Fill("r1".into()), "an older commit does not finish");
        let generation = state.save_generation;
        // The store commits the finished response with the index it changed, and hands both back.
        let mut committed = state.current.clone().expect("current");
        committed.seq = Some(1);
        let index = ResponseIndex::of(&[crate::field::store::ResponseHead::of(&committed)]);
        let state = state.reduce(Action::Saved { generation, seq: Some(1), index: Some(index) });
        assert_eq!(state.route, Route::Done("r1".into()));
        assert_eq!(state.completed_count(), 1);
        assert_eq!(state.current.as_ref().and_then(|d| d.seq), Some(1), "the sequence number is kept");
        assert_eq!(state.unexported_count(), 1);
    }

    #[test]
    fn a_failed_write_is_reported_and_blocks_done() {
        let (state, draft) = state_with_survey();
        let state = Rc::new(state).reduce(Action::Start(draft));
        let error = StoreError { name: "QuotaExceededError".into(), message: "full".into() };
        let state = state.reduce(Action::SaveFailed { generation: 1, error: error.clone() });
        assert_eq!(state.save, SaveState::Failed(error));
    }

    #[test]
    fn self_completion_reaches_only_the_residents_own_response() {
        let (state, draft) = state_with_survey();
        let fingerprint = draft.fingerprint.clone();
        let mut other = draft.clone();
        other.id = "other".into();
        let mut state = state;
        state.responses.push(other);
        let state = Rc::new(state).reduce(Action::Locked(Some(SelfLock { fingerprint, unit: None, response: None })));
        assert_eq!(state.route, Route::Welcome);
        for route in [Route::Home, Route::Settings, Route::Fill("other".into())] {
            let after = state.clone().reduce(Action::Navigate(route.clone()));
            assert_eq!(after.route, Route::Welcome, "{route:?} must stay locked");
        }
        let state = state.reduce(Action::Start(draft));
        assert_eq!(state.route, Route::Fill("r1".into()));
        assert_eq!(state.clone().reduce(Action::Navigate(Route::Fill("other".into()))).route, Route::Fill("r1".into()));
        let state = state.reduce(Action::Idle);
        assert_eq!((state.route.clone(), state.current.is_none()), (Route::Welcome, true));
        assert!(state.responses.iter().any(|r| r.id == "r1"), "the abandoned draft is kept");
        let state = state.reduce(Action::Navigate(Route::Fill("r1".into())));
        assert_eq!(state.route, Route::Welcome, "an abandoned response is not reachable again");
    }

    #[test]
    fn reload_on_a_fill_route_reopens_the_response_at_its_page() {
        let (mut state, mut draft) = state_with_survey();
        draft.page = 2;
        let surveys = std::mem::take(&mut state.surveys);
        let state = Rc::new(State::new(Lang::En, Route::Fill("r1".into())));
        let state = state.reduce(Action::Loaded {
            surveys,
            responses: vec![draft],
            index: ResponseIndex::default(),
            evaluator: Evaluator::default(),
            lock: None,
            rounds: Vec::new(),
            contacts: Vec::new(),
            organiser_pin: None,
            examples_missing: false,
        });
        assert_eq!(state.current.as_ref().map(|d| d.page), Some(2));
    }
}
