//! The top bar: app title, home link and the language switch.

use crate::app::AppHandle;
use crate::i18n::{tr, Msg};
use crate::route::Route;
use crate::state::Action;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub state: AppHandle,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let lang = props.state.lang;
    let switch = {
        let state = props.state.clone();
        Callback::from(move |_| state.dispatch(Action::SetLang(state.lang.other())))
    };
    let home = {
        let state = props.state.clone();
        Callback::from(move |_| state.dispatch(Action::Navigate(Route::Home)))
    };
    html! {
        <header class="topbar">
            <button class="link home" data-testid="home" onclick={home}>{ tr(lang, Msg::AppTitle) }</button>
            <button class="lang" data-testid="lang-switch" onclick={switch}
                aria-label={tr(lang, Msg::SwitchLanguage)} lang={lang.other().tag()}>
                { lang.other().name() }
            </button>
        </header>
    }
}
