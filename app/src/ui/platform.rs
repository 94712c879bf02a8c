//! Thin wrappers over browser facilities the app needs outside IndexedDB: clock, ids, the URL
//! hash, the preferred language and local settings. Kept in one place so that pages stay free of
//! `web_sys` details.

use gloo_storage::{LocalStorage, Storage as _};
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// A random (version 4) UUID from the browser's CSPRNG.
pub fn new_id() -> String {
    web_sys::window()
        .and_then(|window| window.crypto().ok())
        .map(|crypto| crypto.random_uuid())
        .unwrap_or_else(|| format!("r-{}-{}", now_ms(), (js_sys::Math::random() * 1e12) as u64))
}

/// The URL fragment without the leading `#`.
pub fn hash() -> String {
    web_sys::window()
        .and_then(|window| window.location().hash().ok())
        .map(|hash| hash.trim_start_matches('#').to_owned())
        .unwrap_or_default()
}

/// Replaces the URL fragment without adding a history entry when `replace` is set.
pub fn set_hash(fragment: &str, replace: bool) {
    let Some(window) = web_sys::window() else { return };
    let target = format!("#{fragment}");
    if window.location().hash().ok().as_deref() == Some(target.as_str()) {
        return;
    }
    if replace {
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target));
            return;
        }
    }
    let _ = window.location().set_hash(&target);
}

/// The browser's preferred languages, most preferred first.
pub fn browser_languages() -> Vec<String> {
    let Some(window) = web_sys::window() else { return Vec::new() };
    let navigator = window.navigator();
    let listed: Vec<String> = navigator.languages().iter().filter_map(|lang| lang.as_string()).collect();
    if listed.is_empty() {
        navigator.language().into_iter().collect()
    } else {
        listed
    }
}

/// The browser's local storage, when it lets the page use it. `LocalStorage::raw()` throws when
/// storage is refused (some private modes), which would abort the app, so ask first.
fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()?;
    Some(LocalStorage::raw())
}

/// A small device setting (e.g. the chosen UI language), as the raw string it was stored as
/// (not JSON, so settings written by earlier releases still read). Settings are conveniences,
/// so a browser that refuses local storage only loses the preference.
pub fn setting(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

pub fn set_setting(key: &str, value: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(key, value);
    }
}

/// Sets `<html lang>` so screen readers and fonts follow the UI language.
pub fn set_document_lang(tag: &str) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", tag);
    }
}

/// Moves keyboard focus to the element with this id (after a page change).
pub fn focus(element_id: &str) {
    if let Some(element) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(element_id)) {
        if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    }
}

/// Offers `bytes` to the user as a downloaded file. Returns whether the browser took it.
pub fn download(file_name: &str, bytes: &[u8], mime: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return false };
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else { return false };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return false };
    let Ok(anchor) = document.create_element("a").map(|a| a.unchecked_into::<web_sys::HtmlAnchorElement>()) else {
        return false;
    };
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // The object URL is released later, once the download has surely started.
    Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    true
}

/// `YYYYMMDD` of a time (UTC), for file names.
pub fn date_stamp(ms: i64) -> String {
    let iso: String = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).to_iso_string().into();
    iso.get(0..10).unwrap_or("00000000").replace('-', "")
}

/// `YYYY-MM-DD HH:MM` of a time in the tablet's time zone, for the evaluator.
pub fn local_time(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// The time of a `datetime-local` input's value (`YYYY-MM-DDTHH:MM`, the tablet's time zone).
pub fn parse_local_time(value: &str) -> Option<i64> {
    let time = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value)).get_time();
    time.is_finite().then_some(time as i64)
}

/// Registers the service worker at `script` with `scope` (relative to the page), so that the
/// pages load with no network after the first visit. From the wasm rather than from a script
/// of its own: one request fewer at start, and nothing inline for the Content-Security-Policy.
/// A failure (no service-worker support, a private window) only costs offline use; it is logged.
pub fn register_service_worker(script: &str, scope: &str) {
    let Some(window) = web_sys::window() else { return };
    let options = web_sys::RegistrationOptions::new();
    options.set_scope(scope);
    let promise = window.navigator().service_worker().register_with_options(script, &options);
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(err) = wasm_bindgen_futures::JsFuture::from(promise).await {
            web_sys::console::warn_2(&"service worker registration failed".into(), &err);
        }
    });
}
