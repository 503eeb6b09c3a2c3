//! The Pilothouse page: a Yew app that runs the simulated cluster inside the browser tab.
//!
//! The engine (`pilothouse-engine`) knows nothing of the page; this crate is a thin face over
//! it and over the command layer (`pilothouse-kubectl`). [`sandbox`] holds the terminal, the
//! cluster, the lesson and the session log (replayed to restore, export and share a session);
//! [`state`] is the reducer the page renders from; [`view`] computes what the cluster map shows;
//! [`components`] holds one file per piece of the page; [`i18n`] has the page's words in English
//! and Korean.
//!
//! The crate compiles natively too (so `cargo test --workspace` covers the sandbox, the replay,
//! the share codec and the translations); only the code that touches the DOM is gated on
//! `target_arch = "wasm32"`. Browser tests live in `tests/` (wasm-bindgen) and in
//! `tests/browser/page-*.spec.mjs` (Playwright against the release build).

pub mod app;
pub mod components;
pub mod assets;
pub mod hooks;
pub mod i18n;
pub mod panic;
pub mod persist;
pub mod sandbox;
pub mod state;
pub mod templates;
pub mod view;
pub mod zip;

pub use app::{App, AppProps};

/// Seed of the cluster the page starts with; the same seed always gives the same cluster.
pub const DEFAULT_SEED: u64 = 1;

/// Installs the panic hook and mounts [`App`] into the document's `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    panic::install();
    yew::Renderer::<App>::with_props(AppProps { seed: DEFAULT_SEED, boot: true }).render();
}
