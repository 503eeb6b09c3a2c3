//! `kubectl explain`'s documentation is not in the page's wasm: the page fetches the file
//! (`explain-v1.32.json.z`, copied next to it by Trunk) the first time something needs it and
//! hands it to the kubectl crate; actions that need it wait in `AppState::waiting` meanwhile.

use yew::UseReducerDispatcher;

use crate::state::{Action, AppState};

/// Fetches the documentation, installs it, then dispatches [`Action::DocsLoaded`] (also when
/// the fetch fails: the waiting commands run and `explain` reports the missing documentation).
pub fn fetch(dispatch: UseReducerDispatcher<AppState>) {
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_futures::spawn_local(async move {
        match load().await {
            Ok(bytes) => pilothouse_kubectl::explain::install(bytes),
            Err(e) => web_sys::console::error_1(&format!("kubectl explain: could not load {}: {e}", pilothouse_kubectl::explain::DATA_FILE).into()),
        }
        dispatch.dispatch(Action::DocsLoaded);
    });
    #[cfg(not(target_arch = "wasm32"))]
    dispatch.dispatch(Action::DocsLoaded);
}

#[cfg(target_arch = "wasm32")]
async fn load() -> Result<Vec<u8>, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let err = |e: wasm_bindgen::JsValue| e.as_string().unwrap_or_else(|| format!("{e:?}"));
    let window = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(pilothouse_kubectl::explain::DATA_FILE)).await.map_err(err)?.dyn_into().map_err(err)?;
    if !resp.ok() {
        return Err(format!("HTTP {}", resp.status()));
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(err)?).await.map_err(err)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}
