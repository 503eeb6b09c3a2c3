//! Files the page fetches when first needed instead of carrying them in its wasm: `kubectl
//! explain`'s documentation (`explain-v1.32.json.z`) and each lesson's file (`lessons/*.yaml`),
//! both copied next to the page by Trunk (`web/index.html`); and a share link's session, which
//! the browser inflates in the background. Actions that need one wait in `AppState::waiting`
//! until it arrives (see `state.rs`).

use yew::UseReducerDispatcher;

use crate::state::{Action, AppState};

/// Something fetched on demand.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// `kubectl explain`'s documentation.
    Docs,
    /// A lesson's file, by lesson id.
    Lesson(String),
    /// A share link's session, by its code: not a file, but decoded in the background too
    /// (the browser inflates it).
    Share(String),
}

impl Need {
    /// Whether it is at hand (always, in builds that embed it: the binaries and native tests).
    pub fn available(&self) -> bool {
        match self {
            Need::Docs => pilothouse_kubectl::explain::available(),
            // An unknown id needs nothing: starting it reports the unknown lesson.
            Need::Lesson(id) => pilothouse_lessons::find(id).is_none_or(|e| e.available()),
            Need::Share(code) => crate::persist::shared(code).is_some(),
        }
    }

    /// The path of its file, relative to the page.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    fn path(&self) -> Option<String> {
        match self {
            Need::Docs => Some(pilothouse_kubectl::explain::DATA_FILE.to_string()),
            Need::Lesson(id) => pilothouse_lessons::find(id).map(|e| format!("lessons/{}", e.file)),
            Need::Share(_) => None,
        }
    }
}

/// Fetches `need` (once per page), installs it, then dispatches [`Action::Loaded`] — also
/// when the fetch fails: what waited runs, and `explain` or the lesson says what is missing.
pub fn fetch(need: Need, dispatch: UseReducerDispatcher<AppState>) {
    #[cfg(target_arch = "wasm32")]
    {
        thread_local! {
            static STARTED: std::cell::RefCell<Vec<Need>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        if STARTED.with(|s| s.borrow().contains(&need)) {
            return;
        }
        STARTED.with(|s| s.borrow_mut().push(need.clone()));
        wasm_bindgen_futures::spawn_local(async move {
            if let Need::Share(code) = &need {
                crate::persist::keep_shared(code, crate::persist::decode_share(code).await);
                dispatch.dispatch(Action::Loaded(need));
                return;
            }
            let path = need.path().unwrap_or_default();
            match load(&path).await {
                // The documentation is zlib: the browser inflates it for kubectl.
                Ok(bytes) => match &need {
                    Need::Docs => match crate::zip::inflate(&bytes, crate::zip::Format::Zlib, 64 << 20).await {
                        Ok(json) => pilothouse_kubectl::explain::install(json),
                        Err(e) => web_sys::console::error_1(&format!("could not inflate {path}: {e}").into()),
                    },
                    Need::Lesson(id) => {
                        if let Some(e) = pilothouse_lessons::find(id) {
                            pilothouse_lessons::install(e.file, String::from_utf8_lossy(&bytes).into_owned());
                        }
                    }
                    Need::Share(_) => {}
                },
                Err(e) => web_sys::console::error_1(&format!("could not load {path}: {e}").into()),
            }
            dispatch.dispatch(Action::Loaded(need));
        });
    }
    #[cfg(not(target_arch = "wasm32"))]
    dispatch.dispatch(Action::Loaded(need));
}

#[cfg(target_arch = "wasm32")]
async fn load(path: &str) -> Result<Vec<u8>, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let err = |e: wasm_bindgen::JsValue| e.as_string().unwrap_or_else(|| format!("{e:?}"));
    let window = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(path)).await.map_err(err)?.dyn_into().map_err(err)?;
    if !resp.ok() {
        return Err(format!("HTTP {}", resp.status()));
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(err)?).await.map_err(err)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}
