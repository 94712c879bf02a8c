//! Pieces of the field app's screens that only the tablet shows (the shared question components
//! are in `crate::ui`).

pub mod header;
pub mod save_status;
