//! The screen after a response is finished and its final write committed. In self-completion
//! it thanks the resident and returns to the welcome screen by itself after a few seconds.

use crate::field::app::AppHandle;
use crate::field::route::Route;
use crate::field::state::Action;
use crate::ui::i18n::{tr, Msg};
use gloo_timers::callback::Timeout;
use yew::prelude::*;

/// How long the thank-you stays in self-completion before the welcome screen returns.
const SELF_DONE_SECONDS: u32 = 8;

#[derive(Properties, PartialEq)]
pub struct DoneProps {
    pub state: AppHandle,
}

#[component]
pub fn DonePage(props: &DoneProps) -> Html {
    let lang = props.state.lang;
    let locked = props.state.lock.is_some();
    {
        let state = props.state.clone();
        use_effect_with(locked, move |locked| {
            let timeout = locked.then(|| {
                Timeout::new(SELF_DONE_SECONDS * 1000, move || state.dispatch(Action::Navigate(Route::Welcome)))
            });
            move || drop(timeout)
        });
    }
    let target = if locked { Route::Welcome } else { Route::Home };
    let next = {
        let state = props.state.clone();
        Callback::from(move |_| state.dispatch(Action::Navigate(target.clone())))
    };
    let label = if locked { Msg::BackToWelcome } else { Msg::StartAnother };
    html! {
        <div class="done" data-testid="done">
            <h1>{ tr(lang, Msg::DoneTitle) }</h1>
            <p>{ tr(lang, Msg::DoneBody) }</p>
            <button class="button primary" data-testid="start-another" onclick={next}>{ tr(lang, label) }</button>
        </div>
    }
}
