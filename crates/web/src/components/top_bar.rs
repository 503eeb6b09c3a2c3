//! The bar across the top of the page: name, profile, virtual clock and its controls, reset,
//! share/export/import, seed, language, and live cluster counts.

use pilothouse_lessons::Lang;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::send;
use crate::i18n::t;
use crate::sandbox::SavedSession;
use crate::state::{Action, AppState, SPEEDS};

/// Properties of [`TopBar`].
#[derive(Properties, Clone, PartialEq)]
pub struct TopBarProps {
    /// Version of the engine crate, shown so bug reports can name it.
    pub engine_version: AttrValue,
    /// Number of nodes in the cluster.
    pub nodes: usize,
    /// Number of pods in the cluster.
    pub pods: usize,
    /// minikube profile.
    #[prop_or_default]
    pub profile: String,
    /// Virtual time.
    #[prop_or_default]
    pub now_ms: u64,
    /// Whether the clock runs.
    #[prop_or_default]
    pub playing: bool,
    /// Clock speed.
    #[prop_or(1)]
    pub speed: u32,
    /// Seed.
    #[prop_or(1)]
    pub seed: u64,
    /// Language.
    #[prop_or_default]
    pub lang: Lang,
    /// The last share link.
    #[prop_or_default]
    pub share_url: Option<String>,
    /// Whether the lesson panel is open.
    #[prop_or(true)]
    pub lessons_open: bool,
    /// Dispatcher (absent in isolated tests).
    #[prop_or_default]
    pub dispatch: Option<UseReducerDispatcher<AppState>>,
}

/// `HH:MM:SS` of virtual time.
pub fn clock_text(ms: u64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

/// The top bar. Stable ids (`engine-version`, `node-count`, `pod-count`) are for tests.
#[function_component(TopBar)]
pub fn top_bar(p: &TopBarProps) -> Html {
    let tr = t(p.lang);
    let d = p.dispatch.clone();
    let act = |a: Action| match &d {
        Some(d) => send(d, a),
        None => Callback::noop(),
    };
    let seed_input = use_node_ref();
    let on_reset = {
        let d = d.clone();
        let seed_input = seed_input.clone();
        let confirm_text = tr.reset_confirm;
        Callback::from(move |_| {
            let seed = seed_input.cast::<HtmlInputElement>().and_then(|i| i.value().trim().parse::<u64>().ok()).unwrap_or(1);
            let ok = web_sys::window().map(|w| w.confirm_with_message(confirm_text).unwrap_or(true)).unwrap_or(true);
            if let (true, Some(d)) = (ok, &d) {
                d.dispatch(Action::Reset(seed));
            }
        })
    };
    let on_export = {
        let d = d.clone();
        Callback::from(move |_| {
            let _ = &d;
            export_session();
        })
    };
    let on_import = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            let d = d.clone();
            let reader = gloo::file::callbacks::read_as_text(&gloo::file::Blob::from(file), move |res| {
                if let (Ok(text), Some(d)) = (res, &d) {
                    match SavedSession::from_json(&text) {
                        Ok(s) => d.dispatch(Action::Load(s)),
                        Err(e) => {
                            if let Some(w) = web_sys::window() {
                                let _ = w.alert_with_message(&e);
                            }
                        }
                    }
                }
            });
            // The read finishes in the background; keep the reader alive until then.
            std::mem::forget(reader);
            input.set_value("");
        })
    };
    let on_share = {
        let d = d.clone();
        Callback::from(move |_| {
            if let Some(d) = &d {
                d.dispatch(Action::Share);
            }
        })
    };
    let lang_btn = |l: Lang, label: &'static str| {
        let pressed = p.lang == l;
        html! {
            <button class={classes!("lang", pressed.then_some("on"))} aria-pressed={pressed.to_string()} lang={l.code()}
                id={format!("lang-{}", l.code())} onclick={act(Action::SetLang(l))}>{ label }</button>
        }
    };
    html! {
        <header id="top-bar" class="top-bar">
            <button class="icon-button" id="toggle-lessons" aria-expanded={p.lessons_open.to_string()} aria-controls="lesson-panel"
                aria-label={if p.lessons_open { tr.hide_lessons } else { tr.show_lessons }} title={if p.lessons_open { tr.hide_lessons } else { tr.show_lessons }}
                onclick={act(Action::ToggleLessons)}>{ "☰" }</button>
            <h1 class="brand">{ "Pilothouse" }</h1>
            <span class="engine-version" title={tr.tagline}>
                { "engine v" }<span id="engine-version">{ p.engine_version.clone() }</span>
            </span>
            <span class="profile" title={tr.profile}><span class="label">{ tr.profile }</span>{ " " }<strong id="profile-name">{ p.profile.clone() }</strong></span>
            <div class="clock-controls" role="group" aria-label={tr.clock}>
                <span id="clock" class="clock" aria-label={tr.clock} title={tr.clock}>{ clock_text(p.now_ms) }</span>
                <button id="play-toggle" aria-pressed={p.playing.to_string()} onclick={act(Action::TogglePlay)}
                    aria-label={if p.playing { tr.pause } else { tr.play }} title={if p.playing { tr.pause } else { tr.play }}>
                    { if p.playing { "‖" } else { "▶" } }
                </button>
                <button id="step-clock" onclick={act(Action::Step)} aria-label={tr.step} title={tr.step}>{ "⇥" }</button>
                <div class="speeds" role="group" aria-label={tr.speed}>
                    { for SPEEDS.iter().map(|s| {
                        let on = *s == p.speed;
                        html! { <button class={classes!("speed", on.then_some("on"))} data-speed={s.to_string()} aria-pressed={on.to_string()}
                            onclick={act(Action::SetSpeed(*s))}>{ format!("{s}x") }</button> }
                    }) }
                </div>
            </div>
            <div class="session-controls">
                <label class="seed">{ tr.seed }{ " " }<input ref={seed_input} id="seed-input" type="number" min="0" value={p.seed.to_string()} aria-label={tr.seed} /></label>
                <button id="reset-button" onclick={on_reset}>{ tr.reset }</button>
                <button id="share-button" onclick={on_share}>{ tr.share }</button>
                <button id="export-button" onclick={on_export}>{ tr.export }</button>
                <label class="import button-like">{ tr.import }<input id="import-input" type="file" accept=".json,application/json" onchange={on_import} /></label>
            </div>
            <div class="lang-switch" role="group" aria-label={tr.language}>
                { lang_btn(Lang::En, "EN") }
                { lang_btn(Lang::Ko, "한국어") }
            </div>
            <dl class="cluster-counts" aria-label="cluster">
                <div class="count">
                    <dt>{ tr.nodes }</dt>
                    <dd id="node-count">{ p.nodes }</dd>
                </div>
                <div class="count">
                    <dt>{ tr.pods }</dt>
                    <dd id="pod-count">{ p.pods }</dd>
                </div>
            </dl>
            if let Some(url) = &p.share_url {
                <div class="share-box" role="status">
                    <span>{ tr.share_copied }</span>
                    <input id="share-url" readonly=true value={url.clone()} aria-label={tr.share} />
                </div>
            }
        </header>
    }
}

/// Downloads the saved session as a JSON file.
fn export_session() {
    #[cfg(target_arch = "wasm32")]
    {
        let Some(text) = crate::persist::get(crate::persist::SESSION_KEY) else { return };
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type("application/json");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
        if let Ok(a) = doc.create_element("a") {
            let a: web_sys::HtmlAnchorElement = a.unchecked_into();
            a.set_href(&url);
            a.set_download("pilothouse-session.json");
            a.click();
        }
        let _ = web_sys::Url::revoke_object_url(&url);
    }
}
