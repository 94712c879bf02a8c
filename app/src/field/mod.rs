//! The field evaluator's app on the tablet: a Yew single-page app that works offline.
//!
//! Layout follows Yew's function_todomvc: `state` holds the State, a closed `Action` enum and the
//! synchronous reducer (which calls survey-core); IO (IndexedDB, WebCrypto, clock, ids) happens
//! at the edge, in `app`'s effects and in `edge`, which dispatch the results back as actions.
//! `store` is the only module that knows the field database, `keys` the only one that knows
//! WebCrypto. Pages (`pages`) compose components (`components` here and in `crate::ui`).

pub mod app;
pub mod components;
pub mod edge;
pub mod fieldwork;
pub mod keys;
pub mod pages;
pub mod route;
pub mod state;
pub mod store;

/// Mounts the field app on `<body>`.
pub fn run() {
    yew::Renderer::<app::App>::new().render();
    crate::ui::platform::register_service_worker("./sw.js", "./");
}
