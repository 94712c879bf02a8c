//! Settings: the evaluator's details (kept on the device) and the state of its storage.

use crate::field::app::AppHandle;
use crate::field::edge::Edge;
use crate::field::state::{DeviceKey, Evaluator};
use crate::ui::i18n::{tr, usage_of, Msg};
use survey_core::short_fingerprint;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub state: AppHandle,
    pub edge: Edge,
}

#[component]
pub fn SettingsPage(props: &SettingsProps) -> Html {
    let lang = props.state.lang;
    let current = props.state.evaluator.clone();
    let name = use_node_ref();
    let code = use_node_ref();
    let team = use_node_ref();
    let pin = use_node_ref();
    let onsubmit = {
        let (name, code, team, pin) = (name.clone(), code.clone(), team.clone(), pin.clone());
        let edge = props.edge.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |node: &NodeRef| {
                node.cast::<HtmlInputElement>().map(|i| i.value().trim().to_owned()).unwrap_or_default()
            };
            edge.save_evaluator(Evaluator {
                name: value(&name),
                code: value(&code),
                team: value(&team),
                pin: value(&pin),
            });
        })
    };
    let field = |id: &str, label: Msg, value: &str, node: &NodeRef, required: bool, kind: &str| {
        html! {
            <label class="field" for={id.to_owned()}>
                <span>{ tr(lang, label) }</span>
                <input id={id.to_owned()} type={kind.to_owned()} value={value.to_owned()} ref={node.clone()} required={required} autocomplete="off" />
            </label>
        }
    };
    let storage = props.state.storage.as_ref().map(|status| {
        html! {
            <section class="card" aria-labelledby="storage-heading" data-testid="storage">
                <h2 id="storage-heading">{ tr(lang, Msg::StorageTitle) }</h2>
                <p data-testid="persisted" data-persisted={status.persisted.map(|p| p.to_string())}>
                    { if status.persisted == Some(true) { tr(lang, Msg::Persisted) } else { tr(lang, Msg::NotPersisted) } }
                </p>
                if let (Some(usage), Some(quota)) = (status.usage, status.quota) {
                    <p class="meta">{ usage_of(lang, usage, quota) }</p>
                }
            </section>
        }
    });
    let device = match &props.state.device {
        DeviceKey::Pending => html! {},
        DeviceKey::Unavailable(why) => html! {
            <section class="card" data-testid="device">
                <h2>{ tr(lang, Msg::DeviceTitle) }</h2>
                <p class="alert" role="alert">{ tr(lang, Msg::CannotSign) }</p>
                <p class="meta">{ why }</p>
            </section>
        },
        DeviceKey::Ready { public_key, keyid } => {
            // The roster entry itself, compact, as a QR code: an organiser can scan it instead of
            // copying files around.
            let entry = serde_json::json!({
                "key": public_key, "keyid": keyid,
                "evaluator": props.state.evaluator.name, "team": props.state.evaluator.team,
            })
            .to_string();
            let qr = qrcode::QrCode::new(entry.as_bytes()).ok().map(|code| {
                code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build()
            });
            let enrol = {
                let edge = props.edge.clone();
                let evaluator = props.state.evaluator.clone();
                let device = props.state.device.clone();
                Callback::from(move |_| edge.export_enrolment(&evaluator, &device))
            };
            html! {
                <section class="card" data-testid="device">
                    <h2>{ tr(lang, Msg::DeviceTitle) }</h2>
                    <p>{ format!("{}: ", tr(lang, Msg::DeviceKeyId)) }<code data-testid="device-keyid" data-keyid={keyid.clone()}>{ short_fingerprint(keyid) }</code></p>
                    <p>{ format!("{}: ", tr(lang, Msg::DevicePublicKey)) }<code class="wrap">{ public_key }</code></p>
                    if let Some(svg) = qr {
                        <div class="qr" data-testid="enrolment-qr" role="img" aria-label={tr(lang, Msg::DevicePublicKey)}>
                            { Html::from_html_unchecked(AttrValue::from(svg)) }
                        </div>
                    }
                    <button class="button" data-testid="export-enrolment" onclick={enrol}>{ tr(lang, Msg::ExportEnrolment) }</button>
                </section>
            }
        }
    };
    html! {
        <div class="settings">
            <h1>{ tr(lang, Msg::Settings) }</h1>
            <form class="card" onsubmit={onsubmit} data-testid="evaluator-form">
                <h2>{ tr(lang, Msg::EvaluatorTitle) }</h2>
                { field("evaluator-name", Msg::EvaluatorName, &current.name, &name, true, "text") }
                { field("evaluator-code", Msg::EvaluatorCode, &current.code, &code, true, "text") }
                { field("evaluator-team", Msg::Team, &current.team, &team, false, "text") }
                { field("evaluator-pin", Msg::Pin, &current.pin, &pin, false, "password") }
                <p class="meta">{ tr(lang, Msg::PinHint) }</p>
                <button class="button primary" type="submit" data-testid="save-evaluator">{ tr(lang, Msg::Save) }</button>
                if current.is_set() {
                    <p class="saved-note" role="status" data-testid="evaluator-saved">{ tr(lang, Msg::EvaluatorSaved) }</p>
                }
            </form>
            { device }
            { storage }
        </div>
    }
}
