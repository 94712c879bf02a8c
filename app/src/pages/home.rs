//! Home: the surveys on the device (start a response, choosing the unit) and the drafts to resume.

use crate::app::AppHandle;
use crate::i18n::{answered_of, tr, Msg};
use crate::platform;
use crate::route::Route;
use crate::state::{Action, SurveyEntry};
use survey_core::{short_fingerprint, Draft, DraftStart, Mode};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HomeProps {
    pub state: AppHandle,
}

#[component]
pub fn HomePage(props: &HomeProps) -> Html {
    let state = &props.state;
    let lang = state.lang;
    let surveys =
        state.surveys.iter().map(|entry| html! { <SurveyCard state={state.clone()} entry={entry.clone()} /> });
    let drafts: Vec<Html> = state
        .drafts()
        .map(|draft| {
            let title = state
                .survey_for(draft)
                .map(|entry| entry.survey.title.get(lang.tag(), &entry.survey.languages).to_owned())
                .unwrap_or_else(|| draft.survey_id.clone());
            let (answered, total) = state
                .survey_for(draft)
                .map(|entry| draft.progress(&entry.survey, &entry.logic, &entry.logic.evaluate_all(&draft.answers)))
                .unwrap_or((draft.answers.len(), 0));
            let resume = {
                let state = state.clone();
                let id = draft.id.clone();
                Callback::from(move |_| state.dispatch(Action::Navigate(Route::Fill(id.clone()))))
            };
            // Show the unit's name from the survey's list; a typed unit shows as typed.
            let unit = match (&draft.unit, state.survey_for(draft)) {
                (None, _) => tr(lang, Msg::UnitNone).to_owned(),
                (Some(id), Some(entry)) => entry
                    .survey
                    .units
                    .iter()
                    .find(|u| &u.id == id)
                    .map_or_else(|| id.clone(), |u| u.name.get(lang.tag(), &entry.survey.languages).to_owned()),
                (Some(id), None) => id.clone(),
            };
            html! {
                <li class="draft" data-testid={format!("draft-{}", draft.id)}>
                    <div class="draft-text">
                        <strong>{ title }</strong>
                        <span class="meta">{ format!("{unit} · {}", answered_of(lang, answered, total)) }</span>
                    </div>
                    <button class="button" onclick={resume}>{ tr(lang, Msg::Resume) }</button>
                </li>
            }
        })
        .collect();
    html! {
        <div class="home">
            <section aria-labelledby="surveys-heading">
                <h1 id="surveys-heading">{ tr(lang, Msg::Surveys) }</h1>
                if state.surveys.is_empty() {
                    <p>{ tr(lang, Msg::NoSurveys) }</p>
                }
                <ul class="cards" data-testid="survey-list">{ for surveys }</ul>
            </section>
            <section aria-labelledby="drafts-heading">
                <h2 id="drafts-heading">{ tr(lang, Msg::Drafts) }</h2>
                if drafts.is_empty() {
                    <p class="empty">{ tr(lang, Msg::NoDrafts) }</p>
                }
                <ul class="drafts" data-testid="drafts">{ for drafts }</ul>
                <p class="meta" data-testid="completed-count">
                    { format!("{}: {}", tr(lang, Msg::Completed), state.completed_count()) }
                </p>
            </section>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct SurveyCardProps {
    state: AppHandle,
    entry: SurveyEntry,
}

#[component]
fn SurveyCard(props: &SurveyCardProps) -> Html {
    let lang = props.state.lang;
    let survey = props.entry.survey.clone();
    let unit = use_state(|| None::<String>);
    let text = |t: &survey_core::Text| t.get(lang.tag(), &survey.languages).to_owned();
    let select_id = format!("unit-{}", survey.id);
    let on_unit = {
        let unit = unit.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            unit.set((!value.is_empty()).then_some(value));
        })
    };
    let start = {
        let state = props.state.clone();
        let entry = props.entry.clone();
        let unit = (*unit).clone();
        Callback::from(move |_| {
            let start = DraftStart {
                id: platform::new_id(),
                unit: unit.clone(),
                now: platform::now_ms(),
                mode: Mode::Interview,
                lang: state.lang.tag().to_owned(),
                app_version: env!("CARGO_PKG_VERSION").to_owned(),
            };
            let now = start.now;
            let mut draft = Draft::new(&entry.survey, &entry.stored.fingerprint, start);
            draft.apply_defaults(&entry.survey, now);
            state.dispatch(Action::Start(draft));
        })
    };
    let units = survey.units.iter().map(|u| {
        html! { <option value={u.id.clone()} selected={unit.as_deref() == Some(u.id.as_str())}>{ text(&u.name) }</option> }
    });
    html! {
        <li class="card">
            <h2 class="card-title">{ text(&survey.title) }</h2>
            <p class="meta">
                { format!("{} {} · {} ", tr(lang, Msg::Version), survey.version, tr(lang, Msg::Fingerprint)) }
                <code>{ short_fingerprint(&props.entry.stored.fingerprint) }</code>
            </p>
            if let Some(description) = &survey.description {
                <p class="description">{ text(description) }</p>
            }
            if !survey.units.is_empty() {
                <label class="field" for={select_id.clone()}>
                    <span>{ tr(lang, Msg::Unit) }</span>
                    <select id={select_id} onchange={on_unit}>
                        <option value="" selected={unit.is_none()}>{ tr(lang, Msg::UnitNone) }</option>
                        { for units }
                    </select>
                </label>
            }
            <button class="button primary" data-testid={format!("start-{}", survey.id)} onclick={start}>
                { tr(lang, Msg::Start) }
            </button>
        </li>
    }
}
