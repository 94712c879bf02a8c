//! Reusable pieces of the screens.

pub mod header;
pub mod progress;
pub mod question;
pub mod save_status;
