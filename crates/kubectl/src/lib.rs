//! `kubectl` and `minikube` over the Pilothouse engine: a terminal ([`Shell`]) that parses a
//! command line into a typed command, runs it against the simulated cluster and prints what the
//! real tools print. The page and the native binary are two faces over this crate.
//!
//! * [`Shell::run`] runs one line and returns stdout, stderr, the exit code and [`Effect`]s.
//! * [`Shell::run_script`] runs a script and returns a terminal transcript (golden tests).
//! * [`Shell::complete`] gives tab-completion candidates.

pub mod builtins;
mod complete;
pub mod explain;
pub mod flags;
mod gosort;
mod grep;
pub mod kubectl;
pub mod lexer;
pub mod minikube;
pub mod net;
pub mod printers;
mod shell;
mod ssh;
pub mod tab;
pub mod watch;

pub use shell::{CommandOutput, EditTarget, Effect, Forward, Out, Shell, Stream, STREAM_IDLE_MS, STREAM_LIMIT_MS};

/// The learner's home directory in the simulated file system.
pub const HOME: &str = "/home/learner";
