//! Application state, the closed set of actions, and the synchronous reducer.
//!
//! The reducer never does IO: it applies survey-core's rules to the state and, when the current
//! response changed, bumps `save_generation`. The effect in `app` that watches the generation
//! writes the draft to IndexedDB and dispatches `Saved` or `SaveFailed` for that generation, so
//! "saved" is shown only for the newest change and only after its transaction committed.

use crate::i18n::Lang;
use crate::route::Route;
use crate::store::{StoreError, StoredSurvey};
use std::rc::Rc;
use survey_core::{AnswerValue, Draft, Logic, Problem, Relevance, Status, Survey};
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
}

/// Entries are equal when they hold the same definition: the logic is derived from it.
impl PartialEq for SurveyEntry {
    fn eq(&self, other: &Self) -> bool {
        self.stored == other.stored && Rc::ptr_eq(&self.survey, &other.survey)
    }
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
    /// Every response on the device, drafts and complete ones.
    pub responses: Vec<Draft>,
    /// The response on screen (route `Fill`).
    pub current: Option<Draft>,
    pub save: SaveState,
    /// Incremented whenever `current` changes in a way that must be written.
    pub save_generation: u64,
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
            current: None,
            save: SaveState::Idle,
            save_generation: 0,
            finish_pending: false,
            relevance: None,
            missing: Vec::new(),
            invalid: Vec::new(),
            focus_question: None,
        }
    }

    /// The entry and relevance of the response on screen.
    pub fn current_logic(&self) -> Option<(&Draft, &SurveyEntry, &Relevance)> {
        let draft = self.current.as_ref()?;
        let entry = self.survey_for(draft)?;
        Some((draft, entry, self.relevance.as_ref()?))
    }

    /// Whether a page has at least one relevant question (pages with none are skipped).
    pub fn page_is_shown(&self, page: usize) -> bool {
        let Some((_, entry, relevance)) = self.current_logic() else { return false };
        entry
            .survey
            .sections
            .get(page)
            .is_some_and(|section| section.questions.iter().any(|q| entry.logic.is_relevant(&q.id, relevance)))
    }

    /// The next shown page after `page` in direction `step` (+1 or -1), if any.
    pub fn neighbour_page(&self, page: usize, forward: bool) -> Option<usize> {
        let (_, entry, _) = self.current_logic()?;
        let pages = entry.survey.sections.len();
        if forward {
            (page + 1..pages).find(|&p| self.page_is_shown(p))
        } else {
            (0..page).rev().find(|&p| self.page_is_shown(p))
        }
    }

    /// The definition a response is pinned to.
    pub fn survey_for(&self, draft: &Draft) -> Option<&SurveyEntry> {
        self.surveys.iter().find(|entry| entry.stored.fingerprint == draft.fingerprint)
    }

    pub fn drafts(&self) -> impl Iterator<Item = &Draft> {
        self.responses.iter().filter(|r| r.status == Status::Draft)
    }

    pub fn completed_count(&self) -> usize {
        self.responses.iter().filter(|r| r.status == Status::Complete).count()
    }
}

/// Everything that can happen to the state.
#[derive(Debug, Clone)]
pub enum Action {
    /// The store was read at start-up.
    Loaded {
        surveys: Vec<SurveyEntry>,
        responses: Vec<Draft>,
    },
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
    Saved {
        generation: u64,
    },
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
            Action::Loaded { surveys, responses } => {
                next.surveys = surveys;
                next.responses = responses;
                next.loaded = true;
                next.open_route();
            }
            Action::StoreUnavailable(message) => {
                next.store_unavailable = Some(message);
                next.loaded = true;
            }
            Action::SetLang(lang) => next.lang = lang,
            Action::Navigate(route) => {
                if route == next.route {
                    return self;
                }
                next.route = route;
                next.missing.clear();
                next.open_route();
            }
            Action::Start(draft) => {
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
            Action::Saved { generation } => {
                if generation != next.save_generation {
                    // An older write finished; the newest is still in flight.
                    return self;
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
                // A failure of an older write still matters if nothing newer succeeded: each
                // write carries the whole draft, so the newest outcome is the one that counts.
                if generation != next.save_generation {
                    return self;
                }
                next.finish_pending = false;
                next.save = SaveState::Failed(error);
            }
        }
        Rc::new(next)
    }
}

impl State {
    fn schedule_save(&mut self) {
        self.save_generation += 1;
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
            Route::Home => {}
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
        let text = include_str!("../../survey-schemas/party-building-satisfaction.json");
        let loaded = load_survey(text);
        let survey = Rc::new(loaded.survey.expect("example is valid"));
        let fingerprint = loaded.fingerprint.expect("fingerprint");
        let stored = StoredSurvey {
            fingerprint: fingerprint.clone(),
            id: survey.id.clone(),
            version: survey.version.clone(),
            source: text.to_owned(),
            origin: "bundled".into(),
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
        let state = state.reduce(Action::Saved { generation: 1 });
        assert_eq!(state.save, SaveState::Saving, "the newest write is still in flight");
        let state = state.reduce(Action::Saved { generation: 2 });
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
        let state = state.reduce(Action::Saved { generation: older });
        assert_eq!(state.route, Route::Fill("r1".into()), "an older commit does not finish");
        let generation = state.save_generation;
        let state = state.reduce(Action::Saved { generation });
        assert_eq!(state.route, Route::Done("r1".into()));
        assert_eq!(state.completed_count(), 1);
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
    fn reload_on_a_fill_route_reopens_the_response_at_its_page() {
        let (mut state, mut draft) = state_with_survey();
        draft.page = 2;
        let surveys = std::mem::take(&mut state.surveys);
        let state = Rc::new(State::new(Lang::En, Route::Fill("r1".into())));
        let state = state.reduce(Action::Loaded { surveys, responses: vec![draft] });
        assert_eq!(state.current.as_ref().map(|d| d.page), Some(2));
    }
}
