//! What the field app and the department page both use: the question components and the paging
//! of a survey (the department page previews surveys with the tablet's own components), the
//! words of the field app and language negotiation (`i18n`), browser facilities (`platform`), the
//! storage error both databases report and the example surveys bundled into both.

pub mod examples;
pub mod i18n;
pub mod paging;
pub mod platform;
pub mod progress;
pub mod question;
pub mod store_error;
