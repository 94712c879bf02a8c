//! The top bar: app title (home link), settings, the language switch, and in self-completion
//! the evaluator's way out (which asks for the evaluator's code).

use crate::field::app::AppHandle;
use crate::field::edge::Edge;
use crate::field::route::Route;
use crate::field::state::Action;
use crate::ui::i18n::{tr, Msg};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub state: AppHandle,
    pub edge: Edge,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let lang = props.state.lang;
    let asking = use_state(|| false);
    let wrong = use_state(|| false);
    let pin = use_node_ref();
    let switch = {
        let state = props.state.clone();
        Callback::from(move |_| state.dispatch(Action::SetLang(state.lang.other())))
    };
    let go = |route: Route| {
        let state = props.state.clone();
        Callback::from(move |_| state.dispatch(Action::Navigate(route.clone())))
    };
    let lang_button = html! {
        <button class="lang" data-testid="lang-switch" onclick={switch}
            aria-label={format!("{} ({})", lang.other().name(), tr(lang, Msg::SwitchLanguage))} lang={lang.other().tag()}>
            { lang.other().name() }
        </button>
    };

    if props.state.lock.is_some() {
        let toggle = {
            let asking = asking.clone();
            let wrong = wrong.clone();
            Callback::from(move |_| {
                asking.set(!*asking);
                wrong.set(false);
            })
        };
        let unlock = {
            let state = props.state.clone();
            let edge = props.edge.clone();
            let pin = pin.clone();
            let wrong = wrong.clone();
            let asking = asking.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let entered = pin.cast::<HtmlInputElement>().map(|input| input.value()).unwrap_or_default();
                if state.evaluator.unlocks(&entered) {
                    asking.set(false);
                    edge.set_lock(None);
                } else {
                    wrong.set(true);
                }
            })
        };
        return html! {
            <header class="topbar">
                <span class="home">{ tr(lang, Msg::AppTitle) }</span>
                <div class="topbar-actions">
                    { lang_button }
                    <button class="link light" data-testid="evaluator-exit" onclick={toggle}>{ tr(lang, Msg::EvaluatorExit) }</button>
                </div>
                if *asking {
                    <form class="unlock" onsubmit={unlock} data-testid="unlock">
                        <label for="unlock-pin">{ tr(lang, Msg::EnterPin) }</label>
                        <input id="unlock-pin" type="password" inputmode="numeric" autocomplete="off" ref={pin} />
                        <button class="button primary" type="submit">{ tr(lang, Msg::Unlock) }</button>
                        if *wrong {
                            <p class="problem" role="alert">{ tr(lang, Msg::WrongPin) }</p>
                        }
                    </form>
                }
            </header>
        };
    }

    html! {
        <header class="topbar">
            <button class="link home" data-testid="home" onclick={go(Route::Home)}>{ tr(lang, Msg::AppTitle) }</button>
            <div class="topbar-actions">
                <button class="link light" data-testid="settings" onclick={go(Route::Settings)}>{ tr(lang, Msg::Settings) }</button>
                { lang_button }
            </div>
        </header>
    }
}
