//! The scheduler (in progress).
