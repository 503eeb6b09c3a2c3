//! The clock's heartbeat: a timer that dispatches [`Action::Frame`] with the real time, so the
//! reducer can advance the virtual clock by elapsed time × speed.

use yew::prelude::*;

use crate::state::{Action, AppState};

/// Real milliseconds between frames.
pub const FRAME_MS: u32 = 100;

/// Dispatches a frame every [`FRAME_MS`] while the component is mounted.
#[hook]
pub fn use_clock(dispatch: UseReducerDispatcher<AppState>) {
    use_effect_with((), move |_| {
        let interval = gloo::timers::callback::Interval::new(FRAME_MS, move || {
            dispatch.dispatch(Action::Frame(now()));
        });
        move || drop(interval)
    });
}

/// `performance.now()` in ms (0 outside a browser).
pub fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}
