//! The clock's heartbeat: a timer that dispatches [`Action::Frame`] with the real time, so the
//! reducer can advance the virtual clock by elapsed time × speed, then [`Action::Show`] from the
//! next animation frame, so the render of what the ticks did is a task of its own, right before
//! the browser lays out and paints: the engine's work and the render fall in different display
//! frames instead of one long one.
//!
//! Frame probe: when the page's `window.__pilothouseFrameWork` is an array (the page benchmark
//! sets it), each of these tasks pushes `[total, reducer, kind]`: the real milliseconds it spent
//! on the main thread (the reducer plus the render Yew runs right after it) and those of the
//! reducer alone; `kind` is 0 for the engine's frame, 1 for the show. Nothing is recorded
//! otherwise.

use yew::prelude::*;

use crate::state::{Action, AppState};

/// Real milliseconds between frames.
pub const FRAME_MS: u32 = 50;

/// Dispatches a frame every [`FRAME_MS`] while the component is mounted.
#[hook]
pub fn use_clock(dispatch: UseReducerDispatcher<AppState>) {
    use_effect_with((), move |_| {
        let interval = gloo::timers::callback::Interval::new(FRAME_MS, move || {
            let t0 = now();
            dispatch.dispatch(Action::Frame(t0));
            probe_frame_work(t0, now(), 0);
            let dispatch = dispatch.clone();
            on_next_animation_frame(move || {
                let t0 = now();
                dispatch.dispatch(Action::Show);
                probe_frame_work(t0, now(), 1);
            });
        });
        move || drop(interval)
    });
}

/// `performance.now()` in ms (0 outside a browser).
pub fn now() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0);
    #[cfg(not(target_arch = "wasm32"))]
    0.0
}

/// Runs `f` from the next `requestAnimationFrame` callback (at once outside a browser).
fn on_next_animation_frame(f: impl FnOnce() + 'static) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        if let Some(window) = web_sys::window() {
            let cb = Closure::once_into_js(f);
            let _ = window.request_animation_frame(cb.unchecked_ref());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    f();
}

/// Pushes the task's work time to `window.__pilothouseFrameWork` if the page asked for it. Yew
/// renders in a microtask queued by the dispatch; a microtask queued after it runs once that
/// render is done.
#[cfg(target_arch = "wasm32")]
fn probe_frame_work(t0: f64, reduced: f64, kind: u8) {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    let Some(window) = web_sys::window() else { return };
    let Ok(sink) = js_sys::Reflect::get(&window, &JsValue::from_str("__pilothouseFrameWork")) else { return };
    let Ok(sink) = sink.dyn_into::<js_sys::Array>() else { return };
    let done = Closure::once_into_js(move || {
        let entry = js_sys::Array::of3(&JsValue::from_f64(now() - t0), &JsValue::from_f64(reduced - t0), &JsValue::from_f64(f64::from(kind)));
        sink.push(&entry);
    });
    window.queue_microtask(done.unchecked_ref());
}

#[cfg(not(target_arch = "wasm32"))]
fn probe_frame_work(_t0: f64, _reduced: f64, _kind: u8) {}
