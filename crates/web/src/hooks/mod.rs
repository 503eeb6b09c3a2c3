//! Hooks of the page.

pub mod use_clock;

pub use use_clock::use_clock;
