//! The field evaluator's app (a Yew single-page app that works offline) and, as a second binary,
//! the department page (`department`).
//!
//! Layout follows Yew's function_todomvc: `state` holds the State, a closed `Action` enum and the
//! synchronous reducer (which calls survey-core); IO (IndexedDB, clock, ids) happens at the edge,
//! in `app`'s effects, which dispatch the results back as actions.

pub mod app;
pub mod components;
pub mod department;
pub mod edge;
pub mod examples;
pub mod i18n;
pub mod keys;
pub mod pages;
pub mod platform;
pub mod route;
pub mod state;
pub mod store;

/// Mounts the app on `<body>`.
pub fn run() {
    yew::Renderer::<app::App>::new().render();
}
