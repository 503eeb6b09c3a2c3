//! Hooks of the page.

pub mod use_clock;

pub use use_clock::{now, use_clock};
