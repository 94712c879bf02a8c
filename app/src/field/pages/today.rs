//! Today's work (今日任务): per round on the tablet, the units assigned to this device with their
//! progress toward `n`, and the export of the round's `bundle/2` (results and every contact).

use crate::field::app::AppHandle;
use crate::field::edge::Edge;
use crate::field::fieldwork::RoundEntry;
use crate::field::route::Route;
use crate::field::state::{Action, DeviceKey};
use crate::ui::i18n::{interviewed_of, tr, Lang, Msg};
use survey_core::bundle::Contact;
use survey_core::{short_fingerprint, Text};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TodayProps {
    pub state: AppHandle,
    pub edge: Edge,
}

/// A round text (`zh-CN` and `en`) in the UI language.
pub fn round_text(text: &Text, lang: Lang) -> String {
    text.get(lang.tag(), &["zh-CN".to_owned(), "en".to_owned()]).to_owned()
}

#[component]
pub fn TodayPage(props: &TodayProps) -> Html {
    let state = &props.state;
    let lang = state.lang;
    let rounds = state.rounds.iter().map(|round| round_card(state, &props.edge, round));
    html! {
        <div class="today" data-testid="today">
            <h1>{ tr(lang, Msg::TodayTitle) }</h1>
            if state.rounds.is_empty() {
                <p>{ tr(lang, Msg::NoRounds) }</p>
            }
            { for rounds }
        </div>
    }
}

/// One round: its units with progress, and its export. A plain function, not a component: it
/// keeps no state of its own, and each component type costs the field wasm its own copy of
/// Yew's lifecycle code.
fn round_card(state: &AppHandle, edge: &Edge, round: &RoundEntry) -> Html {
    let lang = state.lang;
    let keyid = match &state.device {
        DeviceKey::Ready { keyid, .. } => keyid.clone(),
        _ => String::new(),
    };
    let units = round.units_of(&keyid);
    let rows = units.iter().map(|unit| {
        let work = round.work(unit, &state.contacts, &state.index);
        let open = {
            let state = state.clone();
            let route = Route::Unit { round: round.stored.id.clone(), unit: unit.id.clone() };
            Callback::from(move |_| state.dispatch(Action::Navigate(route.clone())))
        };
        let group = unit.group.as_ref().map(|g| round_text(g, lang));
        html! {
            <li class="unit-work" data-testid={format!("unit-{}", unit.id)}>
                <div class="draft-text">
                    <strong>{ round_text(&unit.name, lang) }</strong>
                    <span class="meta">
                        { group.map(|g| format!("{g} · ")).unwrap_or_default() }
                        <span data-testid="unit-progress">{ interviewed_of(lang, work.interviewed, work.n) }</span>
                        if unit.off_sample {
                            { format!(" · {}", tr(lang, Msg::OffSampleTitle)) }
                        }
                    </span>
                    <progress max={work.n.to_string()} value={work.interviewed.min(work.n as usize).to_string()} />
                </div>
                <button class="button primary" data-testid="open-unit" onclick={open}>{ tr(lang, Msg::OpenUnit) }</button>
            </li>
        }
    });
    let survey = state.round_survey(round).cloned();
    let round_id = round.stored.id.clone();
    let (complete, exported) = state.index.count(|t| t.round.as_deref() == Some(round_id.as_str()));
    let to_export = (complete - exported) as usize;
    let contacts: Vec<Contact> =
        state.contacts.iter().filter(|c| c.round == round_id).map(|c| c.contact.clone()).collect();
    let can_sign = !keyid.is_empty() && survey.is_some();
    let export = |again: bool| {
        let edge = edge.clone();
        let state = state.clone();
        let round = round.clone();
        let survey = survey.clone();
        let contacts = contacts.clone();
        Callback::from(move |_| {
            if let Some(entry) = survey.clone() {
                edge.export_round_bundle(round.clone(), entry, contacts.clone(), state.evaluator.clone(), again);
            }
        })
    };
    let export_note = match &state.export_note {
        None => html! {},
        Some(Ok(file)) => html! {
            <p class="alert ok" role="status" data-testid="export-note" data-ok="true">{ format!("{}{file}", tr(lang, Msg::Exported)) }</p>
        },
        Some(Err(why)) => html! {
            <p class="alert" role="alert" data-testid="export-note" data-ok="false">{ format!("{}{why}", tr(lang, Msg::ExportFailed)) }</p>
        },
    };
    html! {
        <section class="card" key={round.stored.id.clone()} data-testid={format!("round-{}", round.stored.id)}>
            <h2 class="card-title">{ round_text(&round.payload.title, lang) }</h2>
            <p class="meta">
                { format!("{}: {} – {} · {}: ", tr(lang, Msg::RoundPeriod), round.payload.period.from, round.payload.period.to, tr(lang, Msg::OrganiserKey)) }
                <code>{ short_fingerprint(&round.organiser) }</code>
            </p>
            if units.is_empty() {
                <p>{ tr(lang, Msg::NoAssignedUnits) }</p>
            }
            <ul class="drafts" data-testid="assigned-units">{ for rows }</ul>
            if can_sign && (to_export > 0 || !contacts.is_empty()) {
                <div class="card-actions">
                    <button class="button" data-testid="export-round" onclick={export(false)}>
                        { format!("{} ({to_export})", tr(lang, Msg::ExportRound)) }
                    </button>
                    if complete > 0 {
                        <button class="button" data-testid="export-round-again" onclick={export(true)}>
                            { format!("{} ({})", tr(lang, Msg::ExportRoundAgain), complete) }
                        </button>
                    }
                </div>
            }
            { export_note }
        </section>
    }
}
