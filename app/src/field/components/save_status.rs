//! The save indicator. It says "saved" only after IndexedDB committed the newest change; the
//! `data-state` attribute (`idle`, `saving`, `saved`, `error`) lets tests wait on the same fact.

use crate::field::state::SaveState;
use crate::ui::i18n::{tr, Lang, Msg};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SaveStatusProps {
    pub save: SaveState,
    pub lang: Lang,
}

#[component]
pub fn SaveStatus(props: &SaveStatusProps) -> Html {
    let lang = props.lang;
    let (state, text, class) = match &props.save {
        SaveState::Idle => ("idle", tr(lang, Msg::NotSavedYet).to_owned(), "save idle"),
        SaveState::Saving => ("saving", tr(lang, Msg::Saving).to_owned(), "save saving"),
        SaveState::Saved => ("saved", format!("✓ {}", tr(lang, Msg::Saved)), "save saved"),
        SaveState::Failed(error) if error.is_quota() => {
            ("error", tr(lang, Msg::QuotaExceeded).to_owned(), "save error")
        }
        SaveState::Failed(error) => ("error", format!("{}{error}", tr(lang, Msg::SaveFailed)), "save error"),
    };
    let role = if state == "error" { "alert" } else { "status" };
    html! {
        <div class={class} data-testid="save-status" data-state={state} role={role} aria-live="polite">{ text }</div>
    }
}
