//! Home: the evaluator's day at a glance. Surveys on the device (start an interview or hand the
//! tablet to a resident, for a unit chosen or typed), survey import, drafts to resume or discard,
//! counts per unit, and warnings about unexported responses.

use crate::field::app::AppHandle;
use crate::field::edge::{Edge, ExportFilter};
use crate::field::fieldwork::RoundNote;
use crate::field::route::Route;
use crate::field::state::{Action, DeviceKey, SelfLock, SurveyEntry};
use crate::field::store::Tally;
use crate::ui::i18n::{answered_of, tr, unexported_warning, Msg};
use crate::ui::platform;
use std::collections::BTreeMap;
use survey_core::{short_fingerprint, Draft, Mode, Survey};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HomeProps {
    pub state: AppHandle,
    pub edge: Edge,
}

/// The name of a unit in the UI language: the survey's unit list, else as typed.
fn unit_name(survey: Option<&Survey>, unit: Option<&str>, lang: crate::ui::i18n::Lang) -> String {
    match (unit, survey) {
        (None, _) => tr(lang, Msg::UnitNone).to_owned(),
        (Some(id), Some(survey)) => survey
            .units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_owned(), |u| u.name.get(lang.tag(), &survey.languages).to_owned()),
        (Some(id), None) => id.to_owned(),
    }
}

#[component]
pub fn HomePage(props: &HomeProps) -> Html {
    let state = &props.state;
    let lang = state.lang;
    let surveys = state
        .surveys
        .iter()
        .map(|entry| html! { <SurveyCard key={entry.stored.fingerprint.clone()} state={state.clone()} edge={props.edge.clone()} entry={entry.clone()} /> });
    let drafts: Vec<Html> = state
        .drafts()
        .map(|draft| html! { <DraftItem key={draft.id.clone()} state={state.clone()} edge={props.edge.clone()} draft={draft.clone()} /> })
        .collect();

    // Counts per unit and status, for the evaluator's quota of interviews.
    let mut counts: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for draft in state.drafts() {
        let survey = state.survey_for(draft).map(|e| &*e.survey);
        counts.entry(unit_name(survey, draft.unit.as_deref(), lang)).or_default().0 += 1;
    }
    for tally in &state.index.tallies {
        let survey = state.surveys.iter().find(|e| e.stored.fingerprint == tally.fingerprint).map(|e| &*e.survey);
        let slot = counts.entry(unit_name(survey, tally.unit.as_deref(), lang)).or_default();
        slot.1 += tally.complete;
        slot.2 += tally.exported;
    }
    let count_rows = counts.iter().map(|(unit, (drafts, complete, exported))| {
        html! { <tr><th scope="row">{ unit }</th><td>{ drafts }</td><td>{ complete }</td><td>{ exported }</td></tr> }
    });
    let completed = state.completed_count();
    let unexported = state.unexported_count();
    let export_note = match &state.export_note {
        None => html! {},
        Some(Ok(file)) => html! {
            <p class="alert ok" role="status" data-testid="export-note" data-ok="true">{ format!("{}{file}", tr(lang, Msg::Exported)) }</p>
        },
        Some(Err(why)) => html! {
            <p class="alert" role="alert" data-testid="export-note" data-ok="false">{ format!("{}{why}", tr(lang, Msg::ExportFailed)) }</p>
        },
    };
    let go_settings = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Navigate(Route::Settings)))
    };
    let go_today = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Navigate(Route::Today)))
    };

    html! {
        <div class="home">
            if !state.evaluator.is_set() {
                <div class="alert" role="status" data-testid="evaluator-missing">
                    <p>{ tr(lang, Msg::EvaluatorMissing) }</p>
                    <button class="button" onclick={go_settings}>{ tr(lang, Msg::SetUpEvaluator) }</button>
                </div>
            } else {
                <p class="meta" data-testid="evaluator">
                    { format!("{}: {} ({}) {}", tr(lang, Msg::EvaluatorTitle), state.evaluator.name, state.evaluator.code, state.evaluator.team) }
                </p>
            }
            if let DeviceKey::Unavailable(why) = &state.device {
                <div class="alert" role="alert" data-testid="cannot-sign">
                    <p>{ tr(lang, Msg::CannotSign) }</p>
                    <p class="meta">{ why }</p>
                </div>
            }
            if unexported > 0 {
                <p class="alert warn" role="status" data-testid="unexported">{ unexported_warning(lang, unexported) }</p>
            }
            { export_note }
            if !state.rounds.is_empty() {
                <p><button class="button primary" data-testid="go-today" onclick={go_today}>{ tr(lang, Msg::TodayTitle) }</button></p>
            }
            <section aria-labelledby="surveys-heading">
                <h1 id="surveys-heading">{ tr(lang, Msg::Surveys) }</h1>
                if state.surveys.is_empty() {
                    <p>{ tr(lang, Msg::NoSurveys) }</p>
                }
                if state.examples_missing {
                    <p class="alert warn" role="status" data-testid="examples-missing">{ tr(lang, Msg::ExamplesMissing) }</p>
                }
                <ul class="cards" data-testid="survey-list">{ for surveys }</ul>
                <Import state={state.clone()} edge={props.edge.clone()} />
            </section>
            <section aria-labelledby="drafts-heading">
                <h2 id="drafts-heading">{ tr(lang, Msg::Drafts) }</h2>
                if drafts.is_empty() {
                    <p class="empty">{ tr(lang, Msg::NoDrafts) }</p>
                }
                <ul class="drafts" data-testid="drafts">{ for drafts }</ul>
                <p class="meta" data-testid="completed-count">{ format!("{}: {}", tr(lang, Msg::Completed), completed) }</p>
            </section>
            if !counts.is_empty() {
                <section aria-labelledby="counts-heading">
                    <h2 id="counts-heading">{ tr(lang, Msg::CountsTitle) }</h2>
                    <table class="counts" data-testid="unit-counts">
                        <thead><tr><th scope="col">{ tr(lang, Msg::Unit) }</th><th scope="col">{ tr(lang, Msg::DraftCount) }</th><th scope="col">{ tr(lang, Msg::CompleteCount) }</th><th scope="col">{ tr(lang, Msg::ExportedCount) }</th></tr></thead>
                        <tbody>{ for count_rows }</tbody>
                    </table>
                </section>
            }
            <p class="meta"><a href="department/" data-testid="department-link">{ tr(lang, Msg::DepartmentLink) }</a></p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct DraftItemProps {
    state: AppHandle,
    edge: Edge,
    draft: Draft,
}

#[component]
fn DraftItem(props: &DraftItemProps) -> Html {
    let state = &props.state;
    let lang = state.lang;
    let draft = &props.draft;
    let confirming = use_state(|| false);
    let entry = state.survey_for(draft);
    let title = entry
        .map(|entry| entry.survey.title.get(lang.tag(), &entry.survey.languages).to_owned())
        .unwrap_or_else(|| draft.survey_id.clone());
    let (answered, total) = entry
        .map(|entry| draft.progress(&entry.survey, &entry.logic, &entry.logic.evaluate_all(&draft.answers)))
        .unwrap_or((draft.answers.len(), 0));
    let unit = unit_name(entry.map(|e| &*e.survey), draft.unit.as_deref(), lang);
    let resume = {
        let state = state.clone();
        let id = draft.id.clone();
        Callback::from(move |_| state.dispatch(Action::Navigate(Route::Fill(id.clone()))))
    };
    let ask = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(true))
    };
    let cancel = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(false))
    };
    let discard = {
        let edge = props.edge.clone();
        let id = draft.id.clone();
        Callback::from(move |_| edge.discard(id.clone()))
    };
    let mode = match draft.mode {
        Mode::Interview => tr(lang, Msg::StartInterview),
        Mode::SelfCompletion => tr(lang, Msg::StartSelf),
    };
    html! {
        <li class="draft" data-testid={format!("draft-{}", draft.id)}>
            <div class="draft-text">
                <strong>{ title }</strong>
                <span class="meta">{ format!("{unit} · {} · {mode}", answered_of(lang, answered, total)) }</span>
            </div>
            if *confirming {
                <div class="confirm" role="alertdialog" aria-label={tr(lang, Msg::DiscardConfirm)}>
                    <p>{ tr(lang, Msg::DiscardConfirm) }</p>
                    <button class="button danger" data-testid="confirm-discard" onclick={discard}>{ tr(lang, Msg::Discard) }</button>
                    <button class="button" onclick={cancel}>{ tr(lang, Msg::Cancel) }</button>
                </div>
            } else {
                <div class="draft-actions">
                    <button class="button" data-testid="resume" onclick={resume}>{ tr(lang, Msg::Resume) }</button>
                    <button class="button" data-testid="discard" onclick={ask}>{ tr(lang, Msg::Discard) }</button>
                </div>
            }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct SurveyCardProps {
    state: AppHandle,
    edge: Edge,
    entry: SurveyEntry,
}

#[component]
fn SurveyCard(props: &SurveyCardProps) -> Html {
    let lang = props.state.lang;
    let survey = props.entry.survey.clone();
    let unit_input = use_node_ref();
    let text = |t: &survey_core::Text| t.get(lang.tag(), &survey.languages).to_owned();
    let list_id = format!("units-{}", props.entry.stored.fingerprint);
    let input_id = format!("unit-{}", props.entry.stored.fingerprint);

    // The unit typed or picked: a unit of the list by its name (in either language) or id,
    // else the text as typed (units missing from the organiser's list still get recorded).
    let chosen_unit = {
        let unit_input = unit_input.clone();
        let survey = survey.clone();
        move || -> Option<String> {
            let typed = unit_input.cast::<HtmlInputElement>()?.value().trim().to_owned();
            if typed.is_empty() {
                return None;
            }
            let known = survey.units.iter().find(|u| u.id == typed || u.name.0.values().any(|name| name == &typed));
            Some(known.map_or(typed, |u| u.id.clone()))
        }
    };
    let start = {
        let state = props.state.clone();
        let entry = props.entry.clone();
        let chosen_unit = chosen_unit.clone();
        Callback::from(move |_| {
            let draft =
                entry.start_draft(platform::new_id(), platform::now_ms(), chosen_unit(), Mode::Interview, state.lang);
            state.dispatch(Action::Start(draft));
        })
    };
    let hand_over = {
        let edge = props.edge.clone();
        let fingerprint = props.entry.stored.fingerprint.clone();
        Callback::from(move |_| {
            edge.set_lock(Some(SelfLock { fingerprint: fingerprint.clone(), unit: chosen_unit(), response: None }))
        })
    };
    let units = survey.units.iter().map(|u| html! { <option value={text(&u.name)} /> });
    let fingerprint = props.entry.stored.fingerprint.clone();
    let in_round = props.state.in_round(&fingerprint);
    // Round responses leave in the round's bundle/2 (Today's work), not here.
    let tallies: Vec<&Tally> =
        props.state.index.tallies.iter().filter(|t| t.fingerprint == fingerprint && t.round.is_none()).collect();
    let finished_count: u64 = tallies.iter().map(|t| t.complete).sum();
    let to_export = (finished_count - tallies.iter().map(|t| t.exported).sum::<u64>()) as usize;
    let can_sign = matches!(props.state.device, DeviceKey::Ready { .. });
    let (unit_choice, from_choice, to_choice) = (use_node_ref(), use_node_ref(), use_node_ref());
    let export = |again: bool| {
        let edge = props.edge.clone();
        let state = props.state.clone();
        let entry = props.entry.clone();
        let (unit_choice, from_choice, to_choice) = (unit_choice.clone(), from_choice.clone(), to_choice.clone());
        Callback::from(move |_| {
            let read = |node: &NodeRef| node.cast::<HtmlInputElement>().map(|i| i.value()).filter(|v| !v.is_empty());
            let unit = unit_choice.cast::<web_sys::HtmlSelectElement>().map(|s| s.value()).filter(|v| !v.is_empty());
            let filter = ExportFilter { again, unit, from: read(&from_choice), to: read(&to_choice) };
            edge.export_bundle(entry.clone(), state.evaluator.clone(), filter)
        })
    };
    let mut finished_units: Vec<String> = tallies.iter().filter_map(|t| t.unit.clone()).collect();
    finished_units.sort();
    finished_units.dedup();
    let unit_options = finished_units.iter().map(|unit| {
        let name = unit_name(Some(&survey), Some(unit), lang);
        html! { <option value={unit.clone()}>{ name }</option> }
    });
    let options_id = format!("export-options-{}", props.entry.stored.fingerprint);
    html! {
        <li class="card" data-testid={format!("survey-{}", survey.id)}>
            <h2 class="card-title">{ text(&survey.title) }</h2>
            <p class="meta">
                { format!("{} {} · {} ", tr(lang, Msg::Version), survey.version, tr(lang, Msg::Fingerprint)) }
                <code>{ short_fingerprint(&props.entry.stored.fingerprint) }</code>
            </p>
            if let Some(description) = &survey.description {
                <p class="description">{ text(description) }</p>
            }
            <label class="field" for={input_id.clone()}>
                <span>{ tr(lang, Msg::Unit) }</span>
                <input id={input_id} type="text" list={list_id.clone()} ref={unit_input}
                    placeholder={tr(lang, Msg::UnitPlaceholder)} autocomplete="off" data-testid="unit-input" />
                <datalist id={list_id}>{ for units }</datalist>
            </label>
            if in_round {
                <p class="meta" data-testid="round-survey">{ tr(lang, Msg::RoundSurvey) }</p>
            }
            <div class="card-actions">
                if !in_round {
                    <button class="button primary" data-testid={format!("start-{}", survey.id)} onclick={start}>
                        { tr(lang, Msg::StartInterview) }
                    </button>
                    <button class="button" data-testid={format!("self-{}", survey.id)} onclick={hand_over}>
                        { tr(lang, Msg::StartSelf) }
                    </button>
                }
                if can_sign && to_export > 0 {
                    <button class="button" data-testid={format!("export-{}", survey.id)} onclick={export(false)}>
                        { format!("{} ({to_export})", tr(lang, Msg::Export)) }
                    </button>
                }
                if can_sign && finished_count > 0 {
                    <button class="button" data-testid={format!("export-again-{}", survey.id)} onclick={export(true)}>
                        { format!("{} ({finished_count})", tr(lang, Msg::ExportAgain)) }
                    </button>
                }
            </div>
            if can_sign && finished_count > 0 {
                <details class="export-options">
                    <summary>{ tr(lang, Msg::ExportOptions) }</summary>
                    <label class="field" for={format!("{options_id}-unit")}>
                        <span>{ tr(lang, Msg::Unit) }</span>
                        <select id={format!("{options_id}-unit")} ref={unit_choice} data-testid="export-unit">
                            <option value="">{ tr(lang, Msg::AllUnits) }</option>
                            { for unit_options }
                        </select>
                    </label>
                    <label class="field" for={format!("{options_id}-from")}>
                        <span>{ tr(lang, Msg::FinishedFrom) }</span>
                        <input type="date" id={format!("{options_id}-from")} ref={from_choice} />
                    </label>
                    <label class="field" for={format!("{options_id}-to")}>
                        <span>{ tr(lang, Msg::FinishedTo) }</span>
                        <input type="date" id={format!("{options_id}-to")} ref={to_choice} />
                    </label>
                </details>
            }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct ImportProps {
    state: AppHandle,
    edge: Edge,
}

/// Import of survey files by picker or drag and drop, with the outcome of each file.
#[component]
fn Import(props: &ImportProps) -> Html {
    let lang = props.state.lang;
    let dragging = use_state(|| false);
    let files_of = |list: Option<web_sys::FileList>| -> Vec<web_sys::File> {
        let Some(list) = list else { return Vec::new() };
        (0..list.length()).filter_map(|idx| list.get(idx)).collect()
    };
    let onchange = {
        let edge = props.edge.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            edge.import_files(files_of(input.files()));
            // Let the same file be chosen again after it was fixed.
            input.set_value("");
        })
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let edge = props.edge.clone();
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let files = e.data_transfer().and_then(|dt| dt.files());
            edge.import_files(files_of(files));
        })
    };
    let reports = props.state.imports.iter().map(|report| {
        let added = report.added.clone();
        html! {
            <li class={classes!("import-report", if added.is_some() { "ok" } else { "refused" })} data-testid="import-report">
                <strong>{ &report.file_name }</strong>
                if let Some(fingerprint) = added {
                    <span>{ format!(" — {} ({})", tr(lang, Msg::ImportAdded), fingerprint) }</span>
                } else {
                    <p>{ tr(lang, Msg::ImportRefused) }</p>
                }
                if !report.problems.is_empty() {
                    <ul class="problems">{ for report.problems.iter().map(|p| html! { <li><code>{ p }</code></li> }) }</ul>
                }
            </li>
        }
    });
    html! {
        <div class={classes!("import", dragging.then_some("dragging"))} {ondragover} {ondragleave} {ondrop} data-testid="import">
            <label class="button" for="import-file">{ tr(lang, Msg::ImportTitle) }</label>
            <input id="import-file" class="visually-hidden" type="file" accept=".json,application/json" multiple=true {onchange} data-testid="import-file" />
            <span class="meta">{ tr(lang, Msg::ImportHint) }</span>
            <ul class="import-reports" aria-live="polite">{ for reports }</ul>
            { round_notes(&props.state, &props.edge) }
        </div>
    }
}

/// The outcome of the round files chosen, and the decision about a new organiser key (a plain
/// function: it keeps no state, and a component type costs its own copy of Yew's lifecycle).
fn round_notes(state: &AppHandle, edge: &Edge) -> Html {
    let lang = state.lang;
    let pending = state.pending_round.as_ref().map(|pending| {
        let accept = {
            let edge = edge.clone();
            let pending = pending.clone();
            Callback::from(move |_| edge.import_round(pending.file_name.clone(), pending.text.clone(), true))
        };
        let cancel = {
            let state = state.clone();
            Callback::from(move |_| state.dispatch(Action::RoundKeyDismissed))
        };
        html! {
            <div class="confirm alert warn" role="alertdialog" aria-labelledby="new-key-title" data-testid="new-organiser-key">
                <h3 id="new-key-title">{ tr(lang, Msg::NewKeyTitle) }</h3>
                <p><strong>{ &pending.file_name }</strong></p>
                <p>{ format!("{}: ", tr(lang, Msg::PinnedKey)) }<code data-testid="pinned-key">{ short_fingerprint(&pending.pinned) }</code></p>
                <p>{ format!("{}: ", tr(lang, Msg::OfferedKey)) }<code data-testid="offered-key">{ short_fingerprint(&pending.offered) }</code></p>
                <p>{ tr(lang, Msg::NewKeyBody) }</p>
                <button class="button danger" data-testid="accept-key" onclick={accept}>{ tr(lang, Msg::AcceptKey) }</button>
                <button class="button" data-testid="decline-key" onclick={cancel}>{ tr(lang, Msg::Cancel) }</button>
            </div>
        }
    });
    let notes = state.round_notes.iter().map(|note| match note {
        RoundNote::Added { file_name, round, organiser, pinned_now } => html! {
            <li class="import-report ok" data-testid="round-report" data-outcome="added">
                <strong>{ file_name }</strong>
                <span>{ format!(" — {}{round}", tr(lang, Msg::RoundAdded)) }</span>
                if *pinned_now {
                    <p>{ tr(lang, Msg::OrganiserPinned) }<code data-testid="organiser-fingerprint">{ organiser }</code></p>
                } else {
                    <p>{ format!("{}: ", tr(lang, Msg::OrganiserKey)) }<code data-testid="organiser-fingerprint">{ organiser }</code></p>
                }
            </li>
        },
        RoundNote::AlreadyHere { file_name, round } => html! {
            <li class="import-report ok" data-testid="round-report" data-outcome="already">
                <strong>{ file_name }</strong>
                <span>{ format!(" — {}{round}", tr(lang, Msg::RoundAlreadyHere)) }</span>
            </li>
        },
        RoundNote::Refused { file_name, code, detail } => html! {
            <li class="import-report refused" data-testid="round-report" data-outcome="refused" data-code={code.clone()}>
                <strong>{ file_name }</strong>
                <p>{ tr(lang, Msg::RoundRefused) }</p>
                <ul class="problems"><li><code>{ format!("{code}: {detail}") }</code></li></ul>
            </li>
        },
        RoundNote::NotEnrolled { file_name, round } => {
            let (keyid, public_key) = match &state.device {
                DeviceKey::Ready { keyid, public_key } => (keyid.clone(), public_key.clone()),
                _ => (String::new(), String::new()),
            };
            let enrol = {
                let edge = edge.clone();
                let evaluator = state.evaluator.clone();
                let device = state.device.clone();
                Callback::from(move |_| edge.export_enrolment(&evaluator, &device))
            };
            html! {
                <li class="import-report refused" data-testid="round-report" data-outcome="not_enrolled">
                    <strong>{ format!("{file_name} ({round})") }</strong>
                    <p>{ tr(lang, Msg::NotEnrolled) }</p>
                    <p>{ format!("{}: ", tr(lang, Msg::DeviceKeyId)) }<code data-testid="device-keyid">{ short_fingerprint(&keyid) }</code></p>
                    <p>{ format!("{}: ", tr(lang, Msg::DevicePublicKey)) }<code class="wrap">{ public_key }</code></p>
                    <button class="button" data-testid="export-enrolment" onclick={enrol}>{ tr(lang, Msg::ExportEnrolment) }</button>
                </li>
            }
        }
    });
    html! {
        <>
            { for pending }
            <ul class="import-reports" aria-live="polite" data-testid="round-reports">{ for notes }</ul>
        </>
    }
}
