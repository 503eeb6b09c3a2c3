//! A bounded load test: for a few seconds, many concurrent LISTs, WATCHes and POSTs on
//! loopback; no request may fail and every object POSTed must then be listed (and watched).

mod common;
use common::http;
use pilothouse_serve::{spawn, ServeOptions};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn concurrent_list_watch_post() {
    let server = spawn(ServeOptions { port: 0, seed: 9, kubeconfig: None, speed: 10.0 }).unwrap();
    let port = server.port;
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicUsize::new(0));
    let posted = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut threads = Vec::new();
    // Writers.
    for w in 0..4 {
        let (stop, errors, posted) = (stop.clone(), errors.clone(), posted.clone());
        threads.push(std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                let name = format!("cm-{w}-{i}");
                let body = format!(r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{name}","labels":{{"load":"yes"}}}},"data":{{"i":"{i}"}}}}"#);
                let (code, b) = http(port, "POST", "/api/v1/namespaces/default/configmaps", Some(&body), "application/json");
                if code == 201 {
                    posted.lock().unwrap().push(name);
                } else {
                    eprintln!("POST {code}: {b}");
                    errors.fetch_add(1, Ordering::SeqCst);
                }
                i += 1;
            }
        }));
    }
    // Readers.
    for _ in 0..4 {
        let (stop, errors) = (stop.clone(), errors.clone());
        threads.push(std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let (code, _) = http(port, "GET", "/api/v1/namespaces/default/configmaps?labelSelector=load%3Dyes", None, "application/json");
                let (code2, _) = http(port, "GET", "/api/v1/pods", None, "application/json;as=Table;v=v1;g=meta.k8s.io");
                if code != 200 || code2 != 200 {
                    errors.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    // Watchers (each a short watch from "now", reconnecting).
    let watched = Arc::new(AtomicUsize::new(0));
    for _ in 0..2 {
        let (stop, errors, watched) = (stop.clone(), errors.clone(), watched.clone());
        threads.push(std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let (code, body) = http(port, "GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1", None, "application/json");
                if code != 200 {
                    errors.fetch_add(1, Ordering::SeqCst);
                }
                watched.fetch_add(body.lines().filter(|l| l.contains("\"type\":\"ADDED\"")).count(), Ordering::SeqCst);
            }
        }));
    }
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(errors.load(Ordering::SeqCst), 0);
    let names = posted.lock().unwrap().clone();
    assert!(!names.is_empty());
    let (code, body) = http(port, "GET", "/api/v1/namespaces/default/configmaps?labelSelector=load%3Dyes", None, "application/json");
    assert_eq!(code, 200);
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    let listed: std::collections::BTreeSet<String> = list["items"].as_array().unwrap().iter().map(|i| i["metadata"]["name"].as_str().unwrap().to_string()).collect();
    for n in &names {
        assert!(listed.contains(n), "{n} was created but is not listed");
    }
    assert_eq!(listed.len(), names.len());
    assert!(watched.load(Ordering::SeqCst) > 0);
    eprintln!("load: {} objects posted and listed in 5 s", names.len());
}
