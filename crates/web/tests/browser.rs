//! Browser tests of the page, run in headless Chromium by `scripts/test.sh`
//! (`cargo test -p pilothouse-web --target wasm32-unknown-unknown` with `wasm-bindgen-test-runner`).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use pilothouse_engine::Cluster;
use pilothouse_web::components::{TopBar, TopBarProps};
use pilothouse_web::{App, AppProps};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;
use yew::AttrValue;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh `<div>` in the test page's body to render into.
fn mount_point() -> Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("create a <div>");
    gloo::utils::body().append_child(&root).expect("append to <body>");
    root
}

/// Lets Yew's scheduler run so that the first render reaches the DOM.
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(10)).await;
}

/// Text of the element with `id` inside `root`; panics with the page's HTML if it is missing.
fn text_of(root: &Element, id: &str) -> String {
    root.query_selector(&format!("#{id}"))
        .expect("valid selector")
        .unwrap_or_else(|| panic!("no #{id} in {}", root.inner_html()))
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn app_shows_engine_version_and_minikube_counts() {
    let root = mount_point();
    let app = yew::Renderer::<App>::with_root_and_props(root.clone(), AppProps { seed: 7, boot: false }).render();
    settle().await;

    let expected = Cluster::minikube(7);
    assert_eq!(text_of(&root, "engine-version"), pilothouse_engine::VERSION);
    assert_eq!(text_of(&root, "node-count"), "1");
    assert_eq!(text_of(&root, "node-count"), expected.node_count().to_string());
    assert_eq!(text_of(&root, "pod-count"), expected.pod_count().to_string());
    assert!(root.text_content().unwrap_or_default().contains("Pilothouse"));

    app.destroy();
    root.remove();
}

#[wasm_bindgen_test]
async fn top_bar_renders_its_props() {
    let root = mount_point();
    let props = yew::props!(TopBarProps { engine_version: AttrValue::Static("9.9.9"), nodes: 3, pods: 42 });
    let bar = yew::Renderer::<TopBar>::with_root_and_props(root.clone(), props).render();
    settle().await;

    assert_eq!(text_of(&root, "engine-version"), "9.9.9");
    assert_eq!(text_of(&root, "node-count"), "3");
    assert_eq!(text_of(&root, "pod-count"), "42");

    bar.destroy();
    root.remove();
}

#[wasm_bindgen_test]
fn engine_runs_deterministically_in_wasm() {
    let a = Cluster::minikube(42);
    let b = Cluster::minikube(42);
    assert_eq!(a.node_count(), 1, "minikube starts with one node");
    assert_eq!((a.node_count(), a.pod_count()), (b.node_count(), b.pod_count()));
}

#[wasm_bindgen_test]
async fn app_renders_the_map_terminal_and_lessons() {
    let root = mount_point();
    let app = yew::Renderer::<App>::with_root_and_props(root.clone(), AppProps { seed: 3, boot: false }).render();
    settle().await;

    assert!(root.query_selector(".node-card[data-node=\"minikube\"]").unwrap().is_some(), "{}", root.inner_html());
    assert!(root.query_selector("#terminal-input").unwrap().is_some());
    assert!(root.query_selector(".lesson-item[data-lesson=\"minikube-walkthrough\"]").unwrap().is_some());
    // The kube-system pods are chips inside their node.
    let chips = root.query_selector_all(".node-card .pod-chip").unwrap().length();
    assert!(chips >= 5, "{chips} pod chips");

    app.destroy();
    root.remove();
}

#[wasm_bindgen_test]
async fn markdown_never_becomes_html() {
    use pilothouse_web::components::markdown::{Markdown, MarkdownProps};
    let root = mount_point();
    let props = MarkdownProps { source: AttrValue::Static("Hello <b>there</b> `<script>`\n\n[x](javascript:alert(1))") };
    let md = yew::Renderer::<Markdown>::with_root_and_props(root.clone(), props).render();
    settle().await;
    assert!(root.query_selector("b").unwrap().is_none());
    assert!(root.query_selector("script").unwrap().is_none());
    assert!(root.query_selector("a").unwrap().is_none(), "javascript: links are dropped");
    assert!(root.text_content().unwrap_or_default().contains("<b>there</b>"));
    md.destroy();
    root.remove();
}

/// The page's share codec: the browser deflates and inflates (CompressionStream), with the
/// same codes, errors and limit as the native one.
#[wasm_bindgen_test]
async fn share_codes_round_trip_through_the_browsers_streams() {
    use base64::Engine as _;
    use pilothouse_web::persist::{decode_share, encode_share};
    use pilothouse_web::sandbox::{Entry, SavedSession, SAVE_VERSION};
    use pilothouse_web::zip;
    let s = SavedSession { version: SAVE_VERSION, seed: 5, log: vec![Entry::Cmd { line: "kubectl get pods".into() }, Entry::Advance { ticks: 12 }] };
    let code = encode_share(&s.to_json()).await;
    assert!(code.len() > 10 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{code}");
    assert_eq!(decode_share(&code).await, Ok(s));
    assert!(decode_share("!!!").await.unwrap_err().starts_with("the link is damaged"));
    let damaged = decode_share("AAAA").await.unwrap_err();
    assert!(damaged.starts_with("the link is damaged: "), "{damaged}");
    // A decompression bomb stops at the limit (8 MiB of text).
    let bomb = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(zip::deflate(&vec![b' '; 9 << 20]).await);
    assert!(bomb.len() < 20_000, "{}", bomb.len());
    assert_eq!(decode_share(&bomb).await, Err("the link is damaged: too large".to_string()));
    // zlib, as kubectl explain's documentation comes: "hello".
    let hello = [0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x06, 0x2c, 0x02, 0x15];
    assert_eq!(zip::inflate(&hello, zip::Format::Zlib, 100).await, Ok(b"hello".to_vec()));
    assert!(zip::inflate(&hello[..6], zip::Format::Zlib, 100).await.is_err(), "a truncated stream is an error");
}
