//! Screens of the app, one per route.

pub mod done;
pub mod fill;
pub mod home;
