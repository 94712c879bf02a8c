//! The survey kit in the browser: two Yew single-page apps built from one crate, each its own
//! trunk target and wasm.
//!
//! - [`field`]: the field evaluator's app on the tablet (`index.html`, binary `survey-app`),
//!   offline, lean: nothing only a department needs.
//! - [`department`]: the department page (`department.html`, binary `department`, served under
//!   `/department/`): import, verification, scores, charts and exports through `survey_dept`.
//! - [`ui`]: what both use: the question components and paging, the field app's words and
//!   language negotiation, browser facilities, the example surveys.
//!
//! `field` and `ui` never use `survey_dept`, XLSX, signature verification or age decryption
//! (checked by `tests/layering.rs`), so the field wasm does not carry them.

pub mod department;
pub mod field;
pub mod ui;

/// Mounts the field app on `<body>`.
pub fn run() {
    field::run();
}
