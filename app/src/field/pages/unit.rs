//! One assigned unit of a round: its drawn households and only the substitutes released so far
//! (never the whole frame), each with its status, its contact history, the interview to start
//! or resume, and the form that records a failed contact (committed before it is shown).

use crate::field::app::AppHandle;
use crate::field::edge::Edge;
use crate::field::fieldwork::{new_contact, RoundEntry};
use crate::field::pages::today::round_text;
use crate::field::route::Route;
use crate::field::state::{Action, DeviceKey};
use crate::ui::i18n::{interviewed_of, not_at_home, tr, Lang, Msg};
use crate::ui::platform;
use survey_core::bundle::{ContactOutcome, Sample};
use survey_core::round::fieldwork::{HouseholdStatus, HouseholdWork};
use survey_core::round::RoundUnit;
use survey_core::{Mode, Status};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct UnitProps {
    pub state: AppHandle,
    pub edge: Edge,
    pub round: String,
    pub unit: String,
}

fn status_label(lang: Lang, status: HouseholdStatus) -> String {
    match status {
        HouseholdStatus::ToVisit => tr(lang, Msg::StatusToVisit).to_owned(),
        HouseholdStatus::Interviewed => tr(lang, Msg::StatusInterviewed).to_owned(),
        HouseholdStatus::NotAtHome(k) => not_at_home(lang, k),
        HouseholdStatus::Refused => tr(lang, Msg::StatusRefused).to_owned(),
        HouseholdStatus::Vacant => tr(lang, Msg::StatusVacant).to_owned(),
        HouseholdStatus::NotEligible => tr(lang, Msg::StatusNotEligible).to_owned(),
    }
}

fn status_code(status: HouseholdStatus) -> &'static str {
    match status {
        HouseholdStatus::ToVisit => "to_visit",
        HouseholdStatus::Interviewed => "interviewed",
        HouseholdStatus::NotAtHome(_) => "not_at_home",
        HouseholdStatus::Refused => "refused",
        HouseholdStatus::Vacant => "vacant",
        HouseholdStatus::NotEligible => "not_eligible",
    }
}

pub const OUTCOMES: [ContactOutcome; 4] =
    [ContactOutcome::NotAtHome, ContactOutcome::Refused, ContactOutcome::Vacant, ContactOutcome::NotEligible];

fn outcome_label(lang: Lang, outcome: ContactOutcome) -> &'static str {
    match outcome {
        ContactOutcome::NotAtHome => tr(lang, Msg::OutcomeNotAtHome),
        ContactOutcome::Refused => tr(lang, Msg::StatusRefused),
        ContactOutcome::Vacant => tr(lang, Msg::StatusVacant),
        ContactOutcome::NotEligible => tr(lang, Msg::StatusNotEligible),
    }
}

fn outcome_code(outcome: ContactOutcome) -> &'static str {
    match outcome {
        ContactOutcome::NotAtHome => "not_at_home",
        ContactOutcome::Refused => "refused",
        ContactOutcome::Vacant => "vacant",
        ContactOutcome::NotEligible => "not_eligible",
    }
}

#[component]
pub fn UnitPage(props: &UnitProps) -> Html {
    let state = &props.state;
    let lang = state.lang;
    let keyid = match &state.device {
        DeviceKey::Ready { keyid, .. } => keyid.clone(),
        _ => String::new(),
    };
    let off_sample_code = use_node_ref();
    let back = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Navigate(Route::Today)))
    };
    let found = state.round(&props.round).and_then(|round| {
        let unit = round.units_of(&keyid).into_iter().find(|unit| unit.id == props.unit)?.clone();
        Some((round.clone(), unit))
    });
    let Some((round, unit)) = found else {
        return html! {
            <div class="unit" data-testid="unit-missing">
                <p class="alert" role="alert">{ tr(lang, Msg::UnitNotFound) }</p>
                <button class="button" onclick={back}>{ tr(lang, Msg::BackToToday) }</button>
            </div>
        };
    };
    let work = round.work(&unit, &state.contacts, &state.index);
    let drafts = round.drafts_by_household(&unit, &state.responses);
    let rows = work.households.iter().map(|household| {
        html! {
            <HouseholdRow key={household.code.clone()} state={state.clone()} edge={props.edge.clone()}
                round={round.clone()} unit={unit.clone()} household={household.clone()}
                draft={drafts.get(&household.code).cloned()} />
        }
    });
    // Finished off-sample interviews come from the index; those in progress are in memory.
    let finished_off =
        round.done_in(&unit, &state.index).filter(|done| done.off_sample).map(|done| (done.household.clone(), true));
    let open_off = round
        .responses_of(&unit, &state.responses)
        .filter(|r| r.status == Status::Draft)
        .filter_map(|r| r.sample.as_ref().filter(|s| s.off_sample).map(|s| (s.household.clone(), false)));
    let off_sample: Vec<Html> = finished_off
        .chain(open_off)
        .map(|(household, finished)| {
            let status = if finished { tr(lang, Msg::StatusInterviewed) } else { tr(lang, Msg::InterviewInProgress) };
            html! {
                <li class="household off-sample" data-testid="off-sample-response">
                    <span class="badge warn">{ tr(lang, Msg::OffSample) }</span>
                    <strong>{ household }</strong>
                    <span class="meta">{ format!(" · {status}") }</span>
                </li>
            }
        })
        .collect();
    html! {
        <div class="unit" data-testid="unit-page">
            <button class="link" data-testid="back-to-today" onclick={back}>{ format!("← {}", tr(lang, Msg::BackToToday)) }</button>
            <h1>{ round_text(&unit.name, lang) }</h1>
            <p class="meta" data-testid="unit-progress">{ interviewed_of(lang, work.interviewed, work.n) }</p>
            <progress max={work.n.to_string()} value={work.interviewed.min(work.n as usize).to_string()} />
            if let Some(message) = &state.contact_error {
                <p class="alert" role="alert" data-testid="contact-error">{ format!("{}{message}", tr(lang, Msg::ContactFailed)) }</p>
            }
            <ol class="households" data-testid="households">{ for rows }</ol>
            if work.frame_exhausted && work.interviewed < work.n as usize {
                <p class="alert warn" role="status" data-testid="frame-exhausted">{ tr(lang, Msg::FrameExhausted) }</p>
            }
            if unit.off_sample {
                { off_sample_start(state, &round, &unit, &off_sample_code) }
                <ul class="households">{ for off_sample }</ul>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct HouseholdProps {
    state: AppHandle,
    edge: Edge,
    round: RoundEntry,
    unit: RoundUnit,
    household: HouseholdWork,
    /// The draft in progress at this household, if any.
    draft: Option<String>,
}

#[component]
fn HouseholdRow(props: &HouseholdProps) -> Html {
    let state = &props.state;
    let lang = state.lang;
    let household = &props.household;
    let recording = use_state(|| false);
    // The id of the attempt last submitted: "saved" is shown once the state holds it, which
    // happens only after its transaction committed.
    let submitted = use_state(|| None::<String>);
    let outcome = use_state(|| ContactOutcome::NotAtHome);
    let (time_input, note_input) = (use_node_ref(), use_node_ref());
    let round_id = props.round.stored.id.clone();

    let mut history: Vec<_> = state
        .contacts
        .iter()
        .filter(|c| c.round == round_id && c.contact.unit == props.unit.id && c.contact.household == household.code)
        .map(|c| &c.contact)
        .collect();
    history.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let open = matches!(household.status, HouseholdStatus::ToVisit | HouseholdStatus::NotAtHome(_));

    let start = {
        let state = state.clone();
        let round = props.round.clone();
        let unit = props.unit.id.clone();
        let household = household.clone();
        let draft = props.draft.clone();
        Callback::from(move |_| {
            if let Some(id) = &draft {
                state.dispatch(Action::Navigate(Route::Fill(id.clone())));
                return;
            }
            let Some(entry) = state.round_survey(&round) else { return };
            let mut started = entry.start_draft(
                platform::new_id(),
                platform::now_ms(),
                Some(unit.clone()),
                Mode::Interview,
                state.lang,
            );
            started.sample = Some(Sample {
                round: round.stored.id.clone(),
                household: household.code.clone(),
                slot: Some(household.slot),
                off_sample: false,
            });
            state.dispatch(Action::Start(started));
        })
    };
    let toggle = {
        let recording = recording.clone();
        Callback::from(move |_| recording.set(!*recording))
    };
    let submit = {
        let edge = props.edge.clone();
        let recording = recording.clone();
        let submitted = submitted.clone();
        let outcome = outcome.clone();
        let (time_input, note_input) = (time_input.clone(), note_input.clone());
        let (round, unit, code) = (round_id.clone(), props.unit.id.clone(), household.code.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let typed = time_input.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let at = platform::parse_local_time(&typed).filter(|_| !typed.is_empty()).unwrap_or_else(platform::now_ms);
            let note = note_input.cast::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default();
            let contact = new_contact(&round, &unit, &code, at, *outcome, &note);
            submitted.set(Some(contact.contact.id.clone()));
            recording.set(false);
            edge.record_contact(contact);
        })
    };
    let saved_note = submitted.as_ref().map(|id| {
        if state.contacts.iter().any(|c| &c.contact.id == id) {
            html! { <p class="saved-note" role="status" data-testid="contact-saved">{ tr(lang, Msg::ContactSaved) }</p> }
        } else {
            html! { <p class="meta" role="status" data-testid="contact-saving">{ tr(lang, Msg::Saving) }</p> }
        }
    });
    let radio_name = format!("outcome-{}", household.code);
    let radios = OUTCOMES.iter().map(|choice| {
        let choice = *choice;
        let checked = *outcome == choice;
        let outcome = outcome.clone();
        let onchange = Callback::from(move |_| outcome.set(choice));
        html! {
            <label class="choice">
                <input type="radio" name={radio_name.clone()} value={outcome_code(choice)} checked={checked}
                    {onchange} data-testid={format!("outcome-{}", outcome_code(choice))} />
                <span>{ outcome_label(lang, choice) }</span>
            </label>
        }
    });
    let history_items = history.iter().map(|contact| {
        html! {
            <li data-testid="contact" data-outcome={outcome_code(contact.outcome)}>
                { format!("{} · {}", platform::local_time(contact.at), outcome_label(lang, contact.outcome)) }
                if !contact.note.is_empty() {
                    { " — " }<span class="note">{ &contact.note }</span>
                }
            </li>
        }
    });
    let kind = if household.drawn { tr(lang, Msg::Drawn) } else { tr(lang, Msg::Substitute) };
    let time_id = format!("contact-time-{}", household.code);
    let note_id = format!("contact-note-{}", household.code);
    html! {
        <li class={classes!("household", status_code(household.status))} data-testid={format!("household-{}", household.code)}
            data-status={status_code(household.status)} data-slot={household.slot.to_string()}>
            <div class="household-head">
                <span class="slot">{ format!("#{}", household.slot) }</span>
                <strong class="code">{ &household.code }</strong>
                <span class={classes!("badge", (!household.drawn).then_some("warn"))}>{ kind }</span>
                <span class="status" data-testid="household-status">{ status_label(lang, household.status) }</span>
                if props.draft.is_some() {
                    <span class="meta">{ format!(" · {}", tr(lang, Msg::InterviewInProgress)) }</span>
                }
            </div>
            if open {
                <div class="draft-actions">
                    <button class="button primary" data-testid="start-household" onclick={start}>
                        { if props.draft.is_some() { tr(lang, Msg::Resume) } else { tr(lang, Msg::StartInterview) } }
                    </button>
                    <button class="button" data-testid="record-contact" aria-expanded={recording.to_string()} onclick={toggle}>
                        { tr(lang, Msg::RecordContact) }
                    </button>
                </div>
            }
            if *recording {
                <form class="contact-form" onsubmit={submit} data-testid="contact-form">
                    <fieldset>
                        <legend>{ tr(lang, Msg::ContactOutcome) }</legend>
                        { for radios }
                    </fieldset>
                    <label class="field" for={time_id.clone()}>
                        <span>{ tr(lang, Msg::ContactTime) }</span>
                        <input id={time_id} type="datetime-local" ref={time_input} data-testid="contact-time" />
                    </label>
                    <label class="field" for={note_id.clone()}>
                        <span>{ tr(lang, Msg::ContactNote) }</span>
                        <textarea id={note_id} rows="2" maxlength="500" ref={note_input} data-testid="contact-note" />
                    </label>
                    <button class="button primary" type="submit" data-testid="save-contact">{ tr(lang, Msg::SaveContact) }</button>
                </form>
            }
            { for saved_note }
            if !history.is_empty() {
                <details class="history" open=true>
                    <summary>{ format!("{} ({})", tr(lang, Msg::ContactHistory), history.len()) }</summary>
                    <ul data-testid="contact-history">{ for history_items }</ul>
                </details>
            }
        </li>
    }
}

/// Off-sample interviews, only in a unit whose round allows them: the household code typed,
/// the response marked `off_sample` with no slot. (A plain function of the unit page.)
fn off_sample_start(state: &AppHandle, round: &RoundEntry, unit: &RoundUnit, code_input: &NodeRef) -> Html {
    let lang = state.lang;
    let onsubmit = {
        let state = state.clone();
        let round = round.clone();
        let unit = unit.id.clone();
        let code_input = code_input.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let code = code_input.cast::<HtmlInputElement>().map(|i| i.value().trim().to_owned()).unwrap_or_default();
            if code.is_empty() {
                return;
            }
            let Some(entry) = state.round_survey(&round) else { return };
            let mut started = entry.start_draft(
                platform::new_id(),
                platform::now_ms(),
                Some(unit.clone()),
                Mode::Interview,
                state.lang,
            );
            started.sample =
                Some(Sample { round: round.stored.id.clone(), household: code, slot: None, off_sample: true });
            state.dispatch(Action::Start(started));
        })
    };
    html! {
        <form class="card off-sample" {onsubmit} data-testid="off-sample-form">
            <h2><span class="badge warn">{ tr(lang, Msg::OffSample) }</span>{ " " }{ tr(lang, Msg::OffSampleTitle) }</h2>
            <label class="field" for="off-sample-code">
                <span>{ tr(lang, Msg::HouseholdCode) }</span>
                <input id="off-sample-code" type="text" required=true autocomplete="off" ref={code_input.clone()} data-testid="off-sample-code" />
            </label>
            <button class="button" type="submit" data-testid="start-off-sample">{ tr(lang, Msg::StartOffSample) }</button>
        </form>
    }
}
