//! Pilothouse's engine: a deterministic simulation of a Kubernetes cluster — API server, object
//! store and watch stream, scheduler, controllers and one kubelet per node — on a virtual clock
//! with one seeded RNG. No browser, no wall clock, no I/O: the same code runs natively in tests
//! and as WebAssembly in the page.

pub mod api;
pub mod apiserver;
pub mod bootstrap;
pub mod clock;
pub mod cluster;
pub mod controllers;
pub mod kubelet;
pub mod network;
pub mod scheduler;
pub mod scheduling;
pub mod selector;
pub mod sort;
pub mod storage;
pub mod store;
pub mod util;
pub mod vecmap;

pub use api::{ApiError, Kind, Object, ObjectKey};
pub use cluster::{Cluster, ClusterOptions};

/// The engine's version (the crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
