//! The root component: owns the reducer and does the IO at the edge (opening the store, loading,
//! saving, following the URL fragment), then renders the page for the current route.

use crate::field::components::header::Header;
use crate::field::edge::{Edge, EVALUATOR_KEY, LOCK_KEY};
use crate::field::fieldwork::RoundEntry;
use crate::field::pages::{
    done::DonePage, fill::FillPage, home::HomePage, settings::SettingsPage, today::TodayPage, unit::UnitPage,
    welcome::WelcomePage,
};
use crate::field::route::Route;
use crate::field::state::{Action, Evaluator, SaveTarget, SelfLock, State, SurveyEntry};
use crate::field::store::{Store, StoredSurvey, ORGANISER_PIN_KEY};
use crate::ui::examples::{self, NAMES};
use crate::ui::i18n::{tr, Lang, Msg};
use crate::ui::platform;
use gloo_events::EventListener;
use gloo_timers::callback::Interval;
use std::cell::RefCell;
use std::rc::Rc;
use survey_core::load_survey;
use yew::platform::spawn_local;
use yew::prelude::*;

/// The handle pages use to read the state and dispatch actions.
pub type AppHandle = UseReducerHandle<State>;

/// The key of the UI language setting.
const LANG_SETTING: &str = "survey-kit.lang";
/// Seconds without input after which self-completion returns to the welcome screen (a local
/// setting so that tests and teams can change it; default 180).
const IDLE_SETTING: &str = "survey-kit.idle-seconds";
const DEFAULT_IDLE_SECONDS: u32 = 180;

fn initial_lang() -> Lang {
    platform::setting(LANG_SETTING)
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or_else(|| Lang::negotiate(&platform::browser_languages()))
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(|| State::new(initial_lang(), Route::parse(&platform::hash())));
    let store: Rc<RefCell<Option<Rc<Store>>>> = use_mut_ref(|| None);

    // Open the store, make sure the bundled surveys are there, and read everything once.
    {
        let state = state.clone();
        let store = store.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                match load(&store).await {
                    Ok(loaded) => state.dispatch(loaded),
                    Err(message) => state.dispatch(Action::StoreUnavailable(message)),
                }
            });
        });
    }

    // Write the current response whenever the reducer asks for it: the changed answer alone when
    // that is all that changed since the generation written before, else the whole response (a
    // generation this effect never saw may have changed anything).
    {
        let dispatcher = state.dispatcher();
        let store = store.clone();
        let draft = state.current.clone();
        let target = state.save_target.clone();
        let last_seen = use_mut_ref(|| 0u64);
        use_effect_with(state.save_generation, move |generation| {
            let generation = *generation;
            let follows = std::mem::replace(&mut *last_seen.borrow_mut(), generation) + 1 == generation;
            if generation > 0 {
                if let (Some(draft), Some(store)) = (draft, store.borrow().clone()) {
                    spawn_local(async move {
                        let written = match (&target, follows) {
                            (SaveTarget::Answer(question), true) if draft.status == survey_core::Status::Draft => {
                                store.put_answer(&draft.id, question, draft.answers.get(question)).await
                            }
                            _ => Ok(false),
                        };
                        let outcome = match written {
                            Ok(true) => Ok((draft.seq, None)),
                            Ok(false) => store.put_response_numbered(&draft).await,
                            Err(error) => Err(error),
                        };
                        match outcome {
                            Ok((seq, index)) => dispatcher.dispatch(Action::Saved { generation, seq, index }),
                            Err(error) => dispatcher.dispatch(Action::SaveFailed { generation, error }),
                        }
                    });
                }
            }
        });
    }

    // Keep the URL fragment and the route in step, both ways.
    {
        use_effect_with(state.route.clone(), move |route| {
            platform::set_hash(&route.fragment(), false);
        });
    }
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            // Removed when dropped, i.e. when the effect is cleaned up.
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "hashchange", move |_| {
                    dispatcher.dispatch(Action::Navigate(Route::parse(&platform::hash())));
                })
            });
            move || drop(listener)
        });
    }
    {
        use_effect_with(state.lang, move |lang| {
            platform::set_document_lang(lang.tag());
            platform::set_setting(LANG_SETTING, lang.tag());
        });
    }

    let edge = Edge { store: store.clone(), dispatcher: state.dispatcher() };

    // Keep the stored lock in step (the resident's response id changes within self-completion).
    {
        let edge = edge.clone();
        let loaded = state.loaded;
        use_effect_with(state.lock.clone(), move |lock| {
            if loaded {
                edge.store_lock(lock.clone());
            }
        });
    }

    // Ask once for persistent storage and read usage and quota; find or make the device key.
    {
        let edge = edge.clone();
        use_effect_with(state.loaded, move |loaded| {
            if *loaded {
                edge.check_storage();
                edge.ensure_device_key();
            }
        });
    }

    // In self-completion, a tablet left alone returns to the welcome screen (the draft stays).
    {
        let dispatcher = state.dispatcher();
        let active = state.lock.is_some() && state.route != Route::Welcome;
        use_effect_with(active, move |active| {
            let mut cleanup: Option<Box<dyn FnOnce()>> = None;
            if *active {
                cleanup = Some(idle_watch(dispatcher));
            }
            move || {
                if let Some(cleanup) = cleanup {
                    cleanup();
                }
            }
        });
    }

    let lang = state.lang;
    let body = if !state.loaded {
        html! { <p class="loading" role="status">{ tr(lang, Msg::Loading) }</p> }
    } else if let Some(message) = &state.store_unavailable {
        html! {
            <div class="alert alert-error" role="alert">
                <p>{ tr(lang, Msg::StoreUnavailable) }</p>
                <p class="detail">{ message }</p>
            </div>
        }
    } else {
        match &state.route {
            Route::Home => html! { <HomePage state={state.clone()} edge={edge.clone()} /> },
            Route::Settings => html! { <SettingsPage state={state.clone()} edge={edge.clone()} /> },
            Route::Welcome => html! { <WelcomePage state={state.clone()} /> },
            Route::Fill(_) => html! { <FillPage state={state.clone()} /> },
            Route::Done(_) => html! { <DonePage state={state.clone()} /> },
            Route::Today => html! { <TodayPage state={state.clone()} edge={edge.clone()} /> },
            Route::Unit { round, unit } => html! {
                <UnitPage state={state.clone()} edge={edge.clone()} round={round.clone()} unit={unit.clone()} />
            },
        }
    };
    html! {
        <>
            <Header state={state.clone()} edge={edge} />
            <main id="main">{ body }</main>
        </>
    }
}

/// Dispatches `Action::Idle` after the idle time without a pointer or key event. Returns the
/// function that stops watching (dropping the listeners and the interval removes them).
fn idle_watch(dispatcher: yew::UseReducerDispatcher<State>) -> Box<dyn FnOnce()> {
    let seconds = platform::setting(IDLE_SETTING).and_then(|s| s.parse::<u32>().ok()).unwrap_or(DEFAULT_IDLE_SECONDS);
    let last_input = Rc::new(std::cell::Cell::new(platform::now_ms()));
    let Some(window) = web_sys::window() else { return Box::new(|| ()) };
    let listeners: Vec<EventListener> = ["pointerdown", "keydown", "input"]
        .into_iter()
        .map(|event| {
            let last_input = last_input.clone();
            EventListener::new(&window, event, move |_| last_input.set(platform::now_ms()))
        })
        .collect();
    let ticks = Interval::new(1000, move || {
        if platform::now_ms() - last_input.get() >= i64::from(seconds) * 1000 {
            dispatcher.dispatch(Action::Idle);
        }
    });
    Box::new(move || drop((listeners, ticks)))
}

/// The `meta` key of the mark of the bundled examples last stored.
const EXAMPLES_KEY: &str = "bundled_examples";

/// The mark of this build's examples (`ui::examples::mark`, computed by `build.rs`).
const EXAMPLES_MARK: &str = env!("SURVEY_EXAMPLES_MARK");

/// Fetches a file of this release as text (the service worker serves it offline).
async fn fetch_text(url: &str) -> Result<String, String> {
    use wasm_bindgen::JsCast as _;
    let window = web_sys::window().ok_or("no window")?;
    let failed = |err| crate::field::keys::js_error(url, err).to_string();
    let response: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url)).await.map_err(failed)?.unchecked_into();
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(failed)?).await.map_err(failed)?;
    text.as_string().ok_or_else(|| format!("{url}: not text"))
}

/// Stores the example surveys this device does not hold yet, fetched from `examples/`. Returns
/// whether the files fetched are this build's (their mark matches), so the caller records the mark
/// only then and a stale or missing file is fetched again on the next start.
async fn seed_examples(store: &Store, known: &mut Vec<StoredSurvey>) -> Result<bool, String> {
    let mut fetched = Vec::with_capacity(NAMES.len());
    for name in NAMES {
        fetched.push((name, fetch_text(&format!("examples/{name}")).await?));
    }
    for (file_name, text) in &fetched {
        let loaded = load_survey(text);
        let (Some(survey), Some(fingerprint)) = (loaded.survey, loaded.fingerprint) else {
            web_sys::console::warn_1(&format!("example {file_name} is not a valid survey").into());
            continue;
        };
        if known.iter().any(|s| s.fingerprint == fingerprint) {
            continue;
        }
        let record = StoredSurvey {
            fingerprint,
            id: survey.id.clone(),
            version: survey.version.clone(),
            source: text.clone(),
            origin: format!("bundled:{file_name}"),
            rules: Some(survey_core::definition::RULES.to_owned()),
        };
        store.put_survey(&record).await.map_err(|err| err.to_string())?;
        known.push(record);
    }
    Ok(examples::mark(fetched.iter().map(|(name, text)| (*name, text.as_str()))) == EXAMPLES_MARK)
}

/// Opens the store, stores the bundled surveys if they are missing, and reads every survey and
/// response. A damaged record is skipped with a console message rather than blocking the device.
async fn load(slot: &RefCell<Option<Rc<Store>>>) -> Result<Action, String> {
    let store = Rc::new(Store::open().await.map_err(|err| err.to_string())?);
    *slot.borrow_mut() = Some(store.clone());

    let stored = store.surveys().await.map_err(|err| err.to_string())?;
    let mut known: Vec<StoredSurvey> = stored.into_iter().filter_map(Result::ok).collect();
    // The examples are fetched, validated and stored once per build of them, not on every start.
    // Without them (a failed fetch) the device still works with the surveys it holds.
    let seeded: Option<String> = store.meta(EXAMPLES_KEY).await.ok().flatten();
    let mut examples_missing = false;
    if seeded.as_deref() != Some(EXAMPLES_MARK) {
        match seed_examples(&store, &mut known).await {
            Ok(true) => store.put_meta(EXAMPLES_KEY, &EXAMPLES_MARK.to_owned()).await.map_err(|err| err.to_string())?,
            Ok(false) => {
                web_sys::console::warn_1(&"the example files are not this build's; fetched again next time".into())
            }
            Err(err) => {
                web_sys::console::warn_1(&format!("example surveys not loaded: {err}").into());
                examples_missing = true;
            }
        }
    }
    // Surveys validated under this build's rules are decoded without validating them again; the
    // others are validated, and kept with the new rules when they pass.
    let rules = survey_core::definition::RULES;
    let mut surveys: Vec<SurveyEntry> = Vec::with_capacity(known.len());
    for mut stored in known {
        let trusted = stored.rules.as_deref() == Some(rules);
        let survey = match trusted.then(|| survey_core::definition::decode_validated(&stored.source).ok()).flatten() {
            Some(survey) => survey,
            None => {
                let Some(survey) = load_survey(&stored.source).survey else { continue };
                stored.rules = Some(rules.to_owned());
                if let Err(err) = store.put_survey(&stored).await {
                    web_sys::console::warn_1(&format!("survey {}: {err}", stored.fingerprint).into());
                }
                survey
            }
        };
        surveys.push(SurveyEntry::new(stored, survey));
    }
    // A stable order for the list: by survey id, then newest version first.
    surveys.sort_by(|a, b| a.survey.id.cmp(&b.survey.id).then_with(|| b.survey.version.cmp(&a.survey.version)));

    // Only the responses in progress are read (by the index), and the one a reload returns to:
    // start-up does not grow with the finished responses on the device.
    let index = store.response_index().await.map_err(|err| err.to_string())?;
    let mut responses = store.open_responses(&index).await.map_err(|err| err.to_string())?;
    if let Route::Fill(id) | Route::Done(id) = Route::parse(&platform::hash()) {
        if !responses.iter().any(|r| r.id == id) {
            if let Ok(Some(draft)) = store.response(&id).await {
                responses.push(draft);
            }
        }
    }
    responses.sort_by_key(|r| std::cmp::Reverse(r.started_at));
    let evaluator: Evaluator = store.meta(EVALUATOR_KEY).await.ok().flatten().unwrap_or_default();
    let lock: Option<SelfLock> = store.meta(LOCK_KEY).await.ok().flatten().flatten();
    let mut rounds: Vec<RoundEntry> = store
        .rounds()
        .await
        .map_err(|err| err.to_string())?
        .into_iter()
        // A damaged record is skipped, like a damaged response: one bad record never blocks the device.
        .filter_map(|stored| stored.ok().and_then(|stored| RoundEntry::from_stored(stored).ok()))
        .collect();
    rounds.sort_by(|a, b| a.stored.id.cmp(&b.stored.id));
    let contacts = store.all_contacts().await.map_err(|err| err.to_string())?;
    let organiser_pin: Option<String> = store.meta(ORGANISER_PIN_KEY).await.ok().flatten();
    Ok(Action::Loaded { surveys, responses, index, evaluator, lock, rounds, contacts, organiser_pin, examples_missing })
}
