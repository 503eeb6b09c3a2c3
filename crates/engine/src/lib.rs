//! Pilothouse's engine: a deterministic simulation of a Kubernetes cluster — API server, object
//! store and watch stream, scheduler, controllers and one kubelet per node — on a virtual clock
//! with one seeded RNG. No browser, no wall clock, no I/O: the same code runs natively in tests
//! and as WebAssembly in the page.

pub mod api;
pub mod scheduler;
pub mod selector;

/// The engine's version (the crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
