//! The department page (`department/index.html`, its own wasm, so the field app stays lean):
//! load the surveys, the roster and the department's age identity once, then pick or drop any
//! number of bundle files (or a folder) and get verified, ranked, charted and exported results.
//!
//! The work is `survey_dept`'s, the same code as `survey report`; this module only reads files,
//! keeps the inputs in IndexedDB (`store`), and shows the results (`model::Results`).

pub mod compliance;
pub mod final_scores;
pub mod model;
pub mod store;
pub mod text;

use crate::ui::i18n::Lang;
use crate::ui::platform;
use model::{Model, Results};
use std::cell::RefCell;
use std::rc::Rc;
use store::{DeptStore, Input, Kind};
use survey_core::analysis::score::{Suppression, UnitScores, MIN_UNIT_RESPONSES};
use survey_core::{short_fingerprint, MessageLang};
use survey_dept::compare::{Change, ALL_UNITS};
use survey_dept::render::cells::UtcOffset;
use survey_dept::render::words::{w, W};
use survey_dept::render::{self, Presentation};
use survey_dept::{Options, Outcome};
use text::{t, D};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::HtmlInputElement;
use yew::prelude::*;

const LANG_SETTING: &str = "survey-kit.lang";

/// Mounts the department page on `<body>`.
pub fn run() {
    yew::Renderer::<DepartmentApp>::new().render();
    // The field app's service worker, registered at the site root, also keeps this page offline.
    crate::ui::platform::register_service_worker("../sw.js", "../");
}

/// Progress of a batch of files being imported.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Progress {
    done: usize,
    total: usize,
}

/// Shared handles of the page: the model (not `PartialEq`, so kept behind a version number
/// that changes whenever it does) and the database.
#[derive(Clone)]
pub(crate) struct Page {
    model: Rc<RefCell<Model>>,
    store: Rc<RefCell<Option<Rc<DeptStore>>>>,
    version: UseStateHandle<u32>,
    counter: Rc<std::cell::Cell<u32>>,
    redraws: UseStateHandle<u32>,
    /// Files still being written to IndexedDB.
    writing: Rc<std::cell::Cell<usize>>,
    progress: UseStateHandle<Progress>,
    error: UseStateHandle<Option<String>>,
}

impl Page {
    fn changed(&self) {
        // Counted in a shared cell, not read from the handle: a handle kept by an async task
        // holds the value of the render it came from, and two tasks would set the same number.
        let next = self.counter.get().wrapping_add(1);
        self.counter.set(next);
        self.version.set(next);
    }

    /// Re-renders without recomputing the results (they did not change).
    fn redraw(&self) {
        let next = self.counter.get().wrapping_add(1);
        self.counter.set(next);
        self.redraws.set(next);
    }

    fn store(&self) -> Option<Rc<DeptStore>> {
        self.store.borrow().clone()
    }

    /// Reads `files` and loads them as `kind`, one at a time with the progress shown, keeping
    /// each in the database before the next.
    fn load(&self, kind: Kind, files: Vec<web_sys::File>) {
        let page = self.clone();
        spawn_local(async move {
            let total = files.len();
            page.progress.set(Progress { done: 0, total });
            for (idx, file) in files.into_iter().enumerate() {
                let name = file.name();
                let bytes = match JsFuture::from(file.array_buffer()).await {
                    Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
                    Err(_) => {
                        page.model.borrow_mut().dept.refuse_file(&name, "unreadable", "cannot be read".to_owned());
                        continue;
                    }
                };
                page.add(kind, &name, &bytes).await;
                // Only the progress (and the file list, read from the model) re-renders per file;
                // the results are computed once, when the batch is done.
                page.progress.set(Progress { done: idx + 1, total });
                // Give the browser a turn to paint the progress bar between files.
                yield_to_browser().await;
            }
            page.progress.set(Progress::default());
            page.changed();
        });
    }

    async fn add(&self, kind: Kind, name: &str, bytes: &[u8]) {
        let seq = self.model.borrow().next_seq();
        let input = Input::new(seq, kind, name, bytes);
        let rebuild = self.model.borrow().needs_rebuild(kind);
        let kept = if rebuild {
            // Taken, not copied: the stored files may add up to hundreds of megabytes.
            let mut inputs = std::mem::take(&mut self.model.borrow_mut().inputs);
            inputs.push(input.clone());
            let mut rebuilt = Model::rebuild(inputs);
            let kept = rebuilt.holds(&input.key());
            let mut problems = self.model.borrow().problems.clone();
            problems.extend(rebuilt.problems.iter().filter(|p| p.name == input.name).cloned());
            rebuilt.problems = problems;
            *self.model.borrow_mut() = rebuilt;
            kept
        } else {
            self.model.borrow_mut().apply(input.clone())
        };
        if let (true, Some(store)) = (kept, self.store()) {
            // Written in the background: the browser commits it while the next file is verified.
            // The file itself stays on the department's disk, so a failed write loses nothing but
            // the convenience of not importing it again; it is reported.
            let page = self.clone();
            page.writing.set(page.writing.get() + 1);
            spawn_local(async move {
                if let Err(err) = store.put(std::slice::from_ref(&input)).await {
                    page.error.set(Some(err.to_string()));
                }
                page.writing.set(page.writing.get().saturating_sub(1));
                if page.writing.get() == 0 {
                    page.redraw();
                }
            });
        }
    }

    fn remove_previous(&self) {
        let page = self.clone();
        spawn_local(async move {
            if let Some(store) = page.store() {
                let _ = store.delete("previous").await;
            }
            {
                let mut model = page.model.borrow_mut();
                model.previous = None;
                model.forget(Kind::Previous);
            }
            page.changed();
        });
    }

    fn clear(&self) {
        let page = self.clone();
        spawn_local(async move {
            if let Some(store) = page.store() {
                if let Err(err) = store.clear().await {
                    page.error.set(Some(err.to_string()));
                    return;
                }
            }
            *page.model.borrow_mut() = Model::default();
            page.changed();
        });
    }
}

/// Resolves on the browser's next macrotask.
async fn yield_to_browser() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|idx| list.get(idx)).collect()
}

/// What a drop brought: the dropped entries (files and folders), read synchronously because a
/// drop's items are only readable during the event; `None` when the browser gives no entries, and
/// then the drop's plain file list is used.
fn dropped_entries(data: &web_sys::DataTransfer) -> Option<Vec<web_sys::FileSystemEntry>> {
    let items = data.items();
    let entries: Vec<web_sys::FileSystemEntry> = (0..items.length())
        .filter_map(|idx| items.get(idx))
        .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
        .collect();
    entries.iter().any(|entry| entry.is_directory()).then_some(entries)
}

/// The files under dropped entries: dropped files as they are, dropped folders searched at every
/// depth for bundle files (a folder of an evaluator's exports often holds other files too).
async fn files_under(entries: Vec<web_sys::FileSystemEntry>) -> Vec<web_sys::File> {
    use wasm_bindgen::JsCast;
    let mut files = Vec::new();
    let mut pending: Vec<(web_sys::FileSystemEntry, bool)> = entries.into_iter().map(|e| (e, true)).collect();
    while let Some((entry, top)) = pending.pop() {
        if entry.is_directory() {
            let reader = entry.unchecked_into::<web_sys::FileSystemDirectoryEntry>().create_reader();
            // readEntries hands out a folder in batches; an empty batch ends it.
            loop {
                let batch = js_sys::Promise::new(&mut |resolve, reject| {
                    let _ = reader.read_entries_with_callback_and_callback(&resolve, &reject);
                });
                let Ok(batch) = JsFuture::from(batch).await else { break };
                let batch = js_sys::Array::from(&batch);
                if batch.length() == 0 {
                    break;
                }
                pending.extend(batch.iter().map(|e| (e.unchecked_into::<web_sys::FileSystemEntry>(), false)));
            }
        } else if top || survey_dept::is_bundle_name(&entry.name()) {
            let file_entry = entry.unchecked_into::<web_sys::FileSystemFileEntry>();
            let file = js_sys::Promise::new(&mut |resolve, reject| {
                file_entry.file_with_callback_and_callback(&resolve, &reject)
            });
            if let Ok(file) = JsFuture::from(file).await {
                files.push(file.unchecked_into::<web_sys::File>());
            }
        }
    }
    files.sort_by_key(|file| file.name());
    files
}

pub(crate) fn svg(markup: &str) -> Html {
    Html::from_html_unchecked(AttrValue::from(markup.to_owned()))
}

pub(crate) fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"))
}

fn delta(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:+.2}"))
}

/// A file input (visually a button) that loads what is chosen as `kind`.
pub(crate) fn picker(
    page: &Page,
    id: &str,
    kind: Kind,
    label: &str,
    accept: &str,
    multiple: bool,
    folder: bool,
) -> Html {
    let onchange = {
        let page = page.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut files = files_of(input.files());
            if folder {
                // A chosen folder brings every file in it; only bundles are meant.
                files.retain(|f| survey_dept::is_bundle_name(&f.name()));
            }
            page.load(kind, files);
            input.set_value("");
        })
    };
    html! {
        <>
            <label class="button" for={id.to_owned()}>{ label }</label>
            if folder {
                <input id={id.to_owned()} class="visually-hidden" type="file" multiple=true webkitdirectory=true {onchange} data-testid={id.to_owned()} />
            } else {
                <input id={id.to_owned()} class="visually-hidden" type="file" accept={accept.to_owned()} multiple={multiple} {onchange} data-testid={id.to_owned()} />
            }
        </>
    }
}

#[component]
pub fn DepartmentApp() -> Html {
    let lang = use_state(|| {
        platform::setting(LANG_SETTING)
            .and_then(|tag| Lang::from_tag(&tag))
            .unwrap_or_else(|| Lang::negotiate(&platform::browser_languages()))
    });
    let page = Page {
        model: use_mut_ref(Model::default),
        store: use_mut_ref(|| None),
        version: use_state(|| 0u32),
        counter: use_memo((), |_| std::cell::Cell::new(0u32)),
        writing: use_memo((), |_| std::cell::Cell::new(0usize)),
        redraws: use_state(|| 0u32),
        progress: use_state(Progress::default),
        error: use_state(|| None),
    };
    let loaded = use_state(|| false);
    let selected: UseStateHandle<Option<String>> = use_state(|| None);
    let options = use_state(Options::default);

    {
        let page = page.clone();
        let loaded = loaded.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                match DeptStore::open().await {
                    Ok(store) => {
                        match store.all().await {
                            Ok((inputs, damaged)) => {
                                *page.model.borrow_mut() = Model::rebuild(inputs);
                                if damaged > 0 {
                                    page.error.set(Some(format!("{damaged} stored record(s) could not be read")));
                                }
                            }
                            Err(err) => page.error.set(Some(err.to_string())),
                        }
                        *page.store.borrow_mut() = Some(Rc::new(store));
                    }
                    Err(err) => page.error.set(Some(err.to_string())),
                }
                loaded.set(true);
                page.changed();
            });
        });
    }
    {
        let lang = *lang;
        use_effect_with(lang, move |lang| platform::set_document_lang(lang.tag()));
    }

    let lang_value = *lang;
    let model = page.model.borrow();
    let choices = model.survey_choices();
    let fingerprint = selected
        .as_ref()
        .filter(|fp| choices.iter().any(|(c, _)| c == *fp))
        .cloned()
        .or_else(|| choices.first().map(|(fp, _)| fp.clone()));
    let results = {
        let model_ref = page.model.clone();
        use_memo((*page.version, fingerprint.clone(), *options, lang_value), move |(_, fingerprint, options, lang)| {
            fingerprint.as_ref().and_then(|fp| Results::compute(&model_ref.borrow(), fp, *options, *lang))
        })
    };

    let switch_lang = {
        let lang = lang.clone();
        Callback::from(move |_| {
            let next = lang.other();
            platform::set_setting(LANG_SETTING, next.tag());
            lang.set(next);
        })
    };
    let l = lang_value;

    html! {
        <>
            <header class="topbar no-print">
                <span class="home">{ crate::ui::i18n::tr(l, crate::ui::i18n::Msg::AppTitle) }</span>
                <div class="topbar-actions">
                    <a class="link light" href="../">{ t(l, D::FieldApp) }</a>
                    <button class="lang" data-testid="lang-switch" onclick={switch_lang} lang={l.other().tag()}>{ l.other().name() }</button>
                </div>
            </header>
            <main class="department" data-testid="department" data-ready={loaded.to_string()} data-writing={page.writing.get().to_string()}>
                <h1>{ t(l, D::Title) }</h1>
                if let Some(err) = &*page.error {
                    <p class="problem" role="alert">{ t(l, D::StorageFailed) }{ err }</p>
                }
                { setup_section(&page, &model, l) }
                { import_section(&page, &model, l) }
                { results_section(&page, &model, l, &choices, fingerprint.as_deref(), &selected, &options, results.as_ref().as_ref()) }
            </main>
        </>
    }
}

fn setup_section(page: &Page, model: &Model, l: Lang) -> Html {
    // Sections are plain functions (no hooks); a ref made per render is bound to this render's
    // textarea, which is the one the form's submit reads.
    let identity_text = NodeRef::default();
    let surveys = model.dept.surveys().iter().map(|s| {
        html! {
            <li>
                { s.survey.title.get(l.tag(), &s.survey.languages) }
                <span class="meta">{ format!(" · {} {} · {}", s.survey.id, s.survey.version, short_fingerprint(&s.fingerprint)) }</span>
            </li>
        }
    });
    let problems = model
        .problems
        .iter()
        .map(|p| html! { <li class="problem"><strong>{ &p.name }</strong>{ ": " }{ &p.message }</li> });
    let paste = {
        let page = page.clone();
        let node = identity_text.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(area) = node.cast::<web_sys::HtmlTextAreaElement>() else { return };
            let text = area.value();
            area.set_value("");
            let page = page.clone();
            spawn_local(async move {
                page.add(Kind::Identity, "pasted", text.as_bytes()).await;
                page.changed();
            });
        })
    };
    html! {
        <section class="card no-print" aria-labelledby="setup-title">
            <h2 id="setup-title">{ t(l, D::Setup) }</h2>
            <h3>{ t(l, D::SurveysLoaded) }</h3>
            <ul class="surveys-loaded" data-testid="surveys-loaded">{ for surveys }</ul>
            { picker(page, "load-survey", Kind::Survey, t(l, D::LoadSurvey), ".json,application/json", true, false) }
            <h3>{ t(l, D::Roster) }</h3>
            <p data-testid="roster-status">
                { match model.dept.roster() {
                    Some(roster) if model.dept.round().is_some() => {
                        format!("{} {} · {}", roster.devices.len(), t(l, D::Devices), t(l, D::RosterFromRound))
                    }
                    Some(roster) => format!("{} {}", roster.devices.len(), t(l, D::Devices)),
                    None => t(l, D::RosterNone).to_owned(),
                } }
            </p>
            if model.dept.round().is_none() {
                { picker(page, "load-roster", Kind::Roster, t(l, D::LoadRoster), ".json,application/json", false, false) }
            }
            <h3>{ t(l, D::RoundTitle) }</h3>
            <p data-testid="round-status">
                { match model.dept.round() {
                    Some(round) => format!(
                        "{} · {} · {} {} · {} {}",
                        round.payload.id,
                        round.payload.title.get(l.tag(), &[]),
                        t(l, D::Organiser),
                        round.payload.organiser.name,
                        t(l, D::KeyId),
                        short_fingerprint(&round.organiser_keyid)
                    ),
                    None => t(l, D::RoundNone).to_owned(),
                } }
            </p>
            { picker(page, "load-round", Kind::Round, t(l, D::LoadRound), ".json,application/json", false, false) }
            <h3>{ t(l, D::Identity) }</h3>
            <p data-testid="identity-status">
                if model.recipients.is_empty() {
                    { t(l, D::IdentityNone) }
                } else {
                    { t(l, D::IdentityKept) }<code>{ model.recipients.join(", ") }</code>
                }
            </p>
            { picker(page, "load-identity", Kind::Identity, t(l, D::LoadIdentity), ".txt,.key,text/plain", false, false) }
            <form class="paste-identity" onsubmit={paste}>
                <label for="identity-text">{ t(l, D::PasteIdentity) }</label>
                <textarea id="identity-text" rows="2" autocomplete="off" spellcheck="false" ref={identity_text} data-testid="identity-text" />
                <button class="button" type="submit" data-testid="identity-save">{ t(l, D::SaveIdentity) }</button>
            </form>
            if !model.problems.is_empty() {
                <ul class="problems" role="alert" data-testid="input-problems">{ for problems }</ul>
            }
        </section>
    }
}

fn import_section(page: &Page, model: &Model, l: Lang) -> Html {
    let progress = *page.progress;
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let page = page.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            let Some(data) = e.data_transfer() else { return };
            match dropped_entries(&data) {
                None => page.load(Kind::Bundle, files_of(data.files())),
                Some(entries) => {
                    let page = page.clone();
                    spawn_local(async move { page.load(Kind::Bundle, files_under(entries).await) });
                }
            }
        })
    };
    let rows = model.dept.files().iter().rev().map(|file| {
        let (class, outcome) = match &file.outcome {
            Outcome::Imported { new, responses, duplicates, conflicts, .. } => {
                let text = if *responses == 0 {
                    format!("{} · 0 {}", t(l, D::Imported), t(l, D::NewResponses))
                } else if *new == 0 && *duplicates == *responses {
                    t(l, D::AlreadyImported).to_owned()
                } else {
                    let mut text = format!("{} · {new} {}", t(l, D::Imported), t(l, D::NewResponses));
                    if *conflicts > 0 {
                        text.push_str(&format!(" · {conflicts} {}", t(l, D::Conflicts)));
                    }
                    text
                };
                ("ok", text)
            }
            Outcome::Quarantined { .. } => ("quarantined", t(l, D::Quarantined).to_owned()),
            Outcome::Refused { code, message } => ("refused", format!("{}: {code} — {message}", t(l, D::Refused))),
        };
        html! {
            <tr class={class} data-testid="file-outcome">
                <td><code>{ &file.file }</code></td>
                <td>{ outcome }</td>
            </tr>
        }
    });
    let quarantined: Vec<Html> = model
        .dept
        .files()
        .iter()
        .filter_map(|file| match &file.outcome {
            Outcome::Quarantined { device, message } => Some(html! {
                <li data-testid="quarantined"><code>{ &file.file }</code>{ " · " }{ device.as_deref().map(short_fingerprint).unwrap_or_default() }{ " · " }{ message }</li>
            }),
            _ => None,
        })
        .collect();
    html! {
        <section class="card no-print" aria-labelledby="import-title">
            <h2 id="import-title">{ t(l, D::ImportTitle) }</h2>
            <div class="import" {ondragover} {ondrop} data-testid="bundle-drop">
                { picker(page, "load-bundles", Kind::Bundle, t(l, D::ChooseFiles), ".json,.age,application/json", true, false) }
                { picker(page, "load-folder", Kind::Bundle, t(l, D::ChooseFolder), "", true, true) }
                <span class="meta">{ t(l, D::DropHint) }</span>
            </div>
            if progress.total == 0 && page.writing.get() > 0 {
                <p class="meta" role="status" data-testid="keeping">{ format!("{} {}", t(l, D::Keeping), page.writing.get()) }</p>
            }
            if progress.total > 0 {
                <div class="progress-line" role="status" data-testid="import-progress">
                    <label for="import-progress">{ format!("{} {}/{} ", t(l, D::Importing), progress.done, progress.total) }</label>
                    <progress id="import-progress" max={progress.total.to_string()} value={progress.done.to_string()}></progress>
                </div>
            }
            if !model.dept.files().is_empty() {
                // A long list starts collapsed, so that the results stay in view; its summary
                // line gives the counts per outcome.
                <details open={model.dept.files().len() <= 10} data-testid="file-list">
                    <summary>{ files_summary(model, l) }</summary>
                    <table class="files">
                        <thead><tr><th>{ t(l, D::File) }</th><th>{ t(l, D::Outcome) }</th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </details>
            }
            if !quarantined.is_empty() {
                <h3>{ t(l, D::QuarantineTitle) }</h3>
                <ul class="quarantine">{ for quarantined }</ul>
            }
            { final_scores::loaders(page, model, l) }
        </section>
    }
}

/// The language of the exports for the page's language.
pub(crate) fn message_lang(l: Lang) -> MessageLang {
    match l {
        Lang::Zh => MessageLang::ZhCn,
        Lang::En => MessageLang::En,
    }
}

/// The file list's summary line: how many files were offered, and how many of those offers
/// ended in each outcome.
fn files_summary(model: &Model, l: Lang) -> String {
    let files = model.dept.files();
    let count = |keep: fn(&Outcome) -> bool| files.iter().filter(|f| keep(&f.outcome)).count();
    let parts: Vec<String> = [
        (count(|o| matches!(o, Outcome::Imported { .. })), D::Imported),
        (count(|o| matches!(o, Outcome::Refused { .. })), D::Refused),
        (count(|o| matches!(o, Outcome::Quarantined { .. })), D::QuarantinedShort),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| format!("{} {n}", t(l, *word)))
    .collect();
    format!("{} ({}): {}", t(l, D::Files), files.len(), parts.join(" · "))
}

fn unit_label(results: &Results, unit: &str, l: Lang) -> String {
    if unit == ALL_UNITS {
        return t(l, D::Overall).to_owned();
    }
    render::unit_name_in(&results.survey, unit, l.tag())
}

fn suppression_text(l: Lang, unit: Option<&UnitScores>) -> &'static str {
    match unit.and_then(|u| u.reason) {
        Some(Suppression::Complementary) => t(l, D::SuppressedComplementary),
        _ => t(l, D::Suppressed),
    }
}

#[allow(clippy::too_many_arguments)]
fn results_section(
    page: &Page,
    model: &Model,
    l: Lang,
    choices: &[(String, String)],
    fingerprint: Option<&str>,
    selected: &UseStateHandle<Option<String>>,
    options: &UseStateHandle<Options>,
    results: Option<&Results>,
) -> Html {
    let choose = {
        let selected = selected.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            selected.set(Some(select.value()));
        })
    };
    let toggle = {
        let options = options.clone();
        Callback::from(move |_| options.set(Options { exclude_flagged: !options.exclude_flagged, ..*options }))
    };
    let exclude = options.exclude_flagged;
    let survey_options = choices.iter().map(|(fp, label)| {
        html! { <option value={fp.clone()} selected={Some(fp.as_str()) == fingerprint}>{ label }</option> }
    });
    let Some(results) = results else {
        return html! { <section class="card"><p>{ t(l, D::NothingYet) }</p></section> };
    };
    let report = &results.report;
    let overall_shown = render::overall_shown(report);
    let previous_by_unit = |unit: &str| -> Option<&Change> {
        results.previous.as_ref()?.iter().find(|c| c.unit == unit && c.dimension.is_none())
    };
    let ranking_rows = report.ranking.iter().map(|entry| {
        let unit = report.units.iter().find(|u| u.label() == entry.unit);
        let rate = unit.and_then(|u| u.scores.as_ref()).and_then(|s| s.rate);
        let change = previous_by_unit(&entry.unit);
        html! {
            <tr data-testid="ranking-row" data-unit={entry.unit.clone()}>
                <td class="num" data-testid="rank">{ entry.rank.map(|r| r.to_string()).unwrap_or_else(|| "–".to_owned()) }</td>
                <th scope="row">{ unit_label(results, &entry.unit, l) }</th>
                <td class="num">{ unit.map_or(0, |u| u.n_responses) }</td>
                if entry.suppressed {
                    <td colspan="2" class="suppressed">{ suppression_text(l, unit) }</td>
                } else {
                    <td class="num" data-testid="index">{ number(entry.index) }</td>
                    <td class="num">{ number(rate) }</td>
                }
                if results.previous.is_some() {
                    <td class="num">{ change.map(|c| delta(c.delta)).unwrap_or_else(|| "—".to_owned()) }</td>
                }
            </tr>
        }
    });
    // The responses without a unit are not ranked, but they are counted: their row makes the
    // units' counts add up to the whole.
    let no_unit_rows = report.units.iter().filter(|u| u.unit.is_none()).map(|unit| {
        let words = message_lang(l);
        html! {
            <tr data-testid="no-unit-row">
                <td class="num">{ "–" }</td>
                <th scope="row">{ w(words, W::NoUnit) }</th>
                <td class="num">{ unit.n_responses }</td>
                if unit.suppressed {
                    <td colspan="2" class="suppressed">{ suppression_text(l, Some(unit)) }</td>
                } else {
                    <td class="num">{ number(unit.scores.as_ref().and_then(|s| s.index)) }</td>
                    <td class="num">{ number(unit.scores.as_ref().and_then(|s| s.rate)) }</td>
                }
                if results.previous.is_some() {
                    <td class="num">{ "—" }</td>
                }
            </tr>
        }
    });
    let exclusion_rows = results.exclusion.iter().filter(|c| c.dimension.is_none()).map(|c| {
        html! {
            <tr>
                <th scope="row">{ unit_label(results, &c.unit, l) }</th>
                <td class="num">{ number(c.before) }</td>
                <td class="num">{ number(c.after) }</td>
                <td class="num">{ delta(c.delta) }</td>
            </tr>
        }
    });
    let missing: Vec<Html> = results
        .devices
        .iter()
        .filter(|d| d.missing_count() > 0)
        .map(|d| {
            let missing = d.missing();
            let more = d.missing_count().saturating_sub(missing.len() as u64);
            html! {
                <li data-testid="missing">
                    { format!("{} ({}) · {} {} · ", d.evaluator, short_fingerprint(&d.keyid), t(l, D::SeqHigh), d.seq_high) }
                    <code>{ missing.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ") }</code>
                    if more > 0 { { format!(" … (+{more})") } }
                </li>
            }
        })
        .collect();
    let conflicts = results.conflicts.iter().map(|c| {
        html! { <li data-testid="conflict"><code>{ &c.id }</code>{ format!(" · {}", c.hashes.len()) }</li> }
    });
    // Alpha is computed over all responses, so it falls under the anonymity rule of the whole
    // evaluation; over fewer than 5 complete answers it is not shown either.
    let alpha_rows = report.alpha.iter().filter(|_| overall_shown).map(|a| {
        let alpha = if a.n >= MIN_UNIT_RESPONSES { number(a.alpha) } else { "—".to_owned() };
        let title = results
            .survey
            .indicators
            .iter()
            .find(|i| i.id == a.dimension)
            .map_or_else(|| a.dimension.clone(), |i| i.title.get(l.tag(), &results.survey.languages).to_owned());
        html! { <tr><th scope="row">{ title }</th><td class="num">{ a.k }</td><td class="num">{ a.n }</td><td class="num">{ alpha }</td></tr> }
    });
    let export = |kind: &'static str| {
        let page = page.clone();
        let fingerprint = results.fingerprint.clone();
        let options = **options;
        Callback::from(move |_| {
            if kind == "raw" {
                let confirmed =
                    web_sys::window().and_then(|w| w.confirm_with_message(t(l, D::RawWarning)).ok()).unwrap_or(false);
                if !confirmed {
                    return;
                }
            }
            export_file(&page, &fingerprint, options, kind, l);
        })
    };
    let print = Callback::from(|_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    });
    let clear = {
        let page = page.clone();
        Callback::from(move |_| {
            let confirmed =
                web_sys::window().and_then(|w| w.confirm_with_message(t(l, D::ClearConfirm)).ok()).unwrap_or(false);
            if confirmed {
                page.clear();
            }
        })
    };
    let remove_previous = {
        let page = page.clone();
        Callback::from(move |_| page.remove_previous())
    };
    let [speeding, straight, contradiction] = results.flag_counts;
    html! {
        <section class="card results" aria-labelledby="results-title" data-testid="results">
            <div class="no-print survey-choice">
                <label for="survey-choice">{ t(l, D::Survey) }</label>
                <select id="survey-choice" onchange={choose} data-testid="survey-choice">{ for survey_options }</select>
            </div>
            <h2 id="results-title">{ results.survey.title.get(l.tag(), &results.survey.languages) }</h2>
            if let Some(summary) = render::import_summary(&model.dept.file_counts(), message_lang(l)) {
                <p class="partial" role="status" data-testid="import-summary">{ summary }</p>
            }
            <p class="summary" data-testid="summary">
                { format!("{}: {} · {}: {}", t(l, D::Responses), report.overall.n_responses, t(l, D::Bundles), results.bundles) }
                if overall_shown {
                    { format!(" · {}: {} · {}: {}", t(l, D::Index), number(report.overall.index), t(l, D::Rate), number(report.overall.rate)) }
                } else {
                    { format!(" · {}", t(l, D::Suppressed)) }
                }
            </p>
            <p class="flags" data-testid="flags">
                { format!("{}: {} / {} ({} {speeding}, {} {straight}, {} {contradiction})",
                    t(l, D::QualityFlags), results.flagged, results.n_all,
                    t(l, D::Speeding), t(l, D::StraightLining), t(l, D::Contradiction)) }
            </p>
            <label class="switch no-print">
                <input type="checkbox" checked={exclude} onchange={toggle} data-testid="exclude-flagged" />
                { t(l, D::ExcludeFlagged) }
            </label>
            if let Some(round) = &results.compliance {
                { compliance::section(l, results, round, options) }
            }

            { final_scores::section(results, l) }

            <h3>{ t(l, D::Ranking) }</h3>
            <table class="ranking" data-testid="ranking">
                <thead><tr>
                    <th>{ t(l, D::Rank) }</th><th>{ t(l, D::Unit) }</th><th>{ t(l, D::N) }</th>
                    <th>{ t(l, D::Index) }</th><th>{ t(l, D::Rate) }</th>
                    if results.previous.is_some() { <th>{ format!("{} ({})", t(l, D::Change), t(l, D::Previous)) }</th> }
                </tr></thead>
                <tbody>{ for ranking_rows }{ for no_unit_rows }</tbody>
            </table>
            <figure class="chart" data-testid="ranking-chart">{ svg(&results.ranking_svg) }</figure>

            <h3>{ t(l, D::HeatMap) }</h3>
            <figure class="chart" data-testid="heat-map">{ svg(&results.heat_map_svg) }</figure>

            <h3>{ t(l, D::DimensionRanks) }</h3>
            <div class="wide">
                <table class="dimension-ranks" data-testid="dimension-ranks">
                    <thead><tr>
                        <th>{ t(l, D::Unit) }</th>
                        { for results.survey.indicators.iter().map(|d| html! { <th>{ d.title.get(l.tag(), &results.survey.languages) }</th> }) }
                    </tr></thead>
                    <tbody>{ for report.ranking.iter().map(|entry| html! {
                        <tr>
                            <th scope="row">{ unit_label(results, &entry.unit, l) }</th>
                            { for report.dimension_rankings.iter().map(|d| {
                                let cell = d.ranking.iter().find(|r| r.unit == entry.unit);
                                match cell.and_then(|c| c.rank.zip(c.index)) {
                                    Some((rank, score)) => html! { <td class="num">{ format!("{rank} · {score:.2}") }</td> },
                                    None => html! { <td class="num">{ "—" }</td> },
                                }
                            }) }
                        </tr>
                    }) }</tbody>
                </table>
            </div>

            <h3>{ t(l, D::ExclusionChanges) }</h3>
            <table class="changes" data-testid="exclusion-changes">
                <thead><tr><th>{ t(l, D::Unit) }</th>
                    <th>{ format!("{} · {}", t(l, D::Index), if exclude { t(l, D::WithFlagged) } else { t(l, D::WithoutFlagged) }) }</th>
                    <th>{ format!("{} · {}", t(l, D::Index), if exclude { t(l, D::WithoutFlagged) } else { t(l, D::WithFlagged) }) }</th>
                    <th>{ t(l, D::Change) }</th></tr></thead>
                <tbody>{ for exclusion_rows }</tbody>
            </table>

            <h3>{ t(l, D::Previous) }</h3>
            if let Some((name, _)) = &model.previous {
                <p class="no-print" data-testid="previous-status"><code>{ name }</code>{ " " }
                    <button class="link" onclick={remove_previous}>{ t(l, D::RemovePrevious) }</button></p>
            } else {
                <p class="no-print">{ t(l, D::PreviousNone) }</p>
            }
            <div class="no-print">{ picker(page, "load-previous", Kind::Previous, t(l, D::LoadPrevious), ".json,application/json", false, false) }</div>

            <h3>{ t(l, D::Missing) }</h3>
            if missing.is_empty() { <p>{ t(l, D::NoMissing) }</p> } else { <ul>{ for missing }</ul> }
            <h3>{ t(l, D::Conflicts) }</h3>
            if results.conflicts.is_empty() { <p>{ t(l, D::NoConflicts) }</p> } else { <ul>{ for conflicts }</ul> }

            <h3>{ t(l, D::Reliability) }</h3>
            <table class="alpha"><thead><tr><th>{ t(l, D::Dimension) }</th><th>{ "k" }</th><th>{ "n" }</th><th>{ t(l, D::Alpha) }</th></tr></thead>
                <tbody>{ for alpha_rows }</tbody></table>

            <details class="distributions">
                <summary>{ t(l, D::Distributions) }</summary>
                { for results.distribution_svgs.iter().map(|(title, markup)| html! {
                    <figure class="chart"><figcaption>{ title }</figcaption>{ svg(markup) }</figure>
                }) }
            </details>

            <div class="exports no-print" data-testid="exports">
                <h3>{ t(l, D::Exports) }</h3>
                <button class="button" onclick={export("csv")} data-testid="export-csv">{ t(l, D::ExportCsv) }</button>
                <button class="button" onclick={export("json")} data-testid="export-json">{ t(l, D::ExportJson) }</button>
                <button class="button" onclick={export("xlsx")} data-testid="export-xlsx">{ t(l, D::ExportXlsx) }</button>
                <button class="button" onclick={export("raw")} data-testid="export-raw">{ t(l, D::ExportRaw) }</button>
                <button class="button primary" onclick={print} data-testid="print">{ t(l, D::Print) }</button>
            </div>
            <p class="no-print"><button class="link danger" onclick={clear} data-testid="clear">{ t(l, D::ClearAll) }</button></p>
        </section>
    }
}

/// Renders one export of the current results and offers it as a download.
fn export_file(page: &Page, fingerprint: &str, options: Options, kind: &str, l: Lang) {
    let model = page.model.borrow();
    let Some(analysis) = model.dept.analysis(fingerprint, options) else { return };
    let stem =
        format!("{}-{}-{}", analysis.survey.id, analysis.survey.version, platform::date_stamp(platform::now_ms()));
    let previous = model.previous.as_ref().map(|(_, round)| round);
    // The page's language, and the times of the tablet's clock as this browser's zone shows them.
    let offset = -(js_sys::Date::new_0().get_timezone_offset() as i32);
    let p = &Presentation { lang: message_lang(l), offset: UtcOffset(offset) };
    let final_result = match model.final_scores(&analysis) {
        Some(Ok(result)) => Some(result),
        _ => None,
    };
    let final_result = final_result.as_ref();
    let (name, bytes, mime) = match kind {
        "csv" => (
            format!("{stem}-summary.csv"),
            render::csv(&analysis, final_result, p).into_bytes(),
            "text/csv;charset=utf-8",
        ),
        "raw" => (format!("{stem}-raw.csv"), render::raw_csv(&analysis, p).into_bytes(), "text/csv;charset=utf-8"),
        "json" => {
            let value = render::json(&model.dept, &analysis, previous, final_result);
            let text = format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default());
            (format!("{stem}-report.json"), text.into_bytes(), "application/json")
        }
        _ => match render::xlsx(&analysis, false, final_result, p) {
            Ok(bytes) => (
                format!("{stem}-report.xlsx"),
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            Err(err) => {
                page.error.set(Some(err.to_string()));
                return;
            }
        },
    };
    platform::download(&name, &bytes, mime);
}
