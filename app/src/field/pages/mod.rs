//! Screens of the app, one per route.

pub mod done;
pub mod fill;
pub mod home;
pub mod settings;
pub mod today;
pub mod unit;
pub mod welcome;
