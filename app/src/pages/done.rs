//! The screen after a response is finished and its final write committed.

use crate::app::AppHandle;
use crate::i18n::{tr, Msg};
use crate::route::Route;
use crate::state::Action;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DoneProps {
    pub state: AppHandle,
}

#[component]
pub fn DonePage(props: &DoneProps) -> Html {
    let lang = props.state.lang;
    let home = {
        let state = props.state.clone();
        Callback::from(move |_| state.dispatch(Action::Navigate(Route::Home)))
    };
    html! {
        <div class="done" data-testid="done">
            <h1>{ tr(lang, Msg::DoneTitle) }</h1>
            <p>{ tr(lang, Msg::DoneBody) }</p>
            <button class="button primary" data-testid="start-another" onclick={home}>{ tr(lang, Msg::StartAnother) }</button>
        </div>
    }
}
