//! The welcome screen of self-completion: the only screen a resident can reach besides their own
//! response. "Start" begins a new response of the locked survey for the locked unit.

use crate::field::app::AppHandle;
use crate::field::state::Action;
use crate::ui::i18n::{tr, Msg};
use crate::ui::platform;
use survey_core::Mode;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct WelcomeProps {
    pub state: AppHandle,
}

#[component]
pub fn WelcomePage(props: &WelcomeProps) -> Html {
    let state = &props.state;
    let lang = state.lang;
    let Some(lock) = &state.lock else { return html! {} };
    let Some(entry) = state.surveys.iter().find(|e| e.stored.fingerprint == lock.fingerprint).cloned() else {
        return html! { <p class="alert" role="alert">{ tr(lang, Msg::SurveyUnavailable) }</p> };
    };
    let title = entry.survey.title.get(lang.tag(), &entry.survey.languages).to_owned();
    let start = {
        let state = state.clone();
        let unit = lock.unit.clone();
        Callback::from(move |_| {
            let draft = entry.start_draft(
                platform::new_id(),
                platform::now_ms(),
                unit.clone(),
                Mode::SelfCompletion,
                state.lang,
            );
            state.dispatch(Action::Start(draft));
        })
    };
    html! {
        <div class="welcome" data-testid="welcome">
            <h1>{ tr(lang, Msg::WelcomeTitle) }</h1>
            <p class="survey-name">{ title }</p>
            <p>{ tr(lang, Msg::WelcomeBody) }</p>
            <button class="button primary big" data-testid="welcome-start" onclick={start}>{ tr(lang, Msg::WelcomeStart) }</button>
        </div>
    }
}
