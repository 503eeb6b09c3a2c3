//! A panic shows a banner with Reload and Reset instead of leaving a frozen page; the message
//! also goes to the console (console_error_panic_hook). The banner is plain DOM, built outside
//! Yew, because after a panic the app can no longer render.

/// Installs the hook.
#[cfg(target_arch = "wasm32")]
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_banner(&info.to_string());
    }));
}

#[cfg(target_arch = "wasm32")]
fn show_banner(message: &str) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if doc.get_element_by_id("panic-banner").is_some() {
        return;
    }
    let ko = doc.document_element().and_then(|e| e.get_attribute("lang")).is_some_and(|l| l.starts_with("ko"));
    let t = crate::i18n::t(if ko { pilothouse_lessons::Lang::Ko } else { pilothouse_lessons::Lang::En });
    let Ok(banner) = doc.create_element("div") else { return };
    banner.set_id("panic-banner");
    banner.set_class_name("banner banner-error");
    let _ = banner.set_attribute("role", "alert");
    let text = doc.create_element("p").ok();
    if let Some(p) = &text {
        p.set_text_content(Some(&format!("{} {message}", t.crashed)));
        let _ = banner.append_child(p);
    }
    for (label, reset) in [(t.reload, false), (t.reset, true)] {
        if let Ok(b) = doc.create_element("button") {
            b.set_text_content(Some(label));
            let cb = Closure::<dyn Fn()>::new(move || {
                if reset {
                    crate::persist::remove(crate::persist::SESSION_KEY);
                }
                if let Some(w) = web_sys::window() {
                    let _ = w.location().set_hash("");
                    let _ = w.location().reload();
                }
            });
            let _ = b.add_event_listener_with_callback("click", cb.as_ref().unchecked_ref());
            cb.forget();
            let _ = banner.append_child(&b);
        }
    }
    if let Some(body) = doc.body() {
        let _ = body.prepend_with_node_1(&banner);
    }
}

/// Natively there is nothing to install.
#[cfg(not(target_arch = "wasm32"))]
pub fn install() {}
