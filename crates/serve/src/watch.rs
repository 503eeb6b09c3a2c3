//! Watch streams (`?watch=true`): JSON lines `{"type":"ADDED","object":{...}}` from the store's
//! watch log, starting after the requested resourceVersion (or with the current objects as
//! ADDED when none is given), filtered by namespace and label/field selectors, as Tables when
//! the client asked for them. A compacted start point gets an ERROR event with a 410 Status.

use crate::fieldsel::FieldSelector;
use crate::state::State;
use crate::status::Failure;
use crate::table::{self, IncludeObject};
use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use pilothouse_engine::api::{Kind, Object};
use pilothouse_engine::selector::Selector;
use pilothouse_engine::store::{EventType, WatchEvent};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// What a watch request asked for.
#[derive(Debug)]
pub struct WatchParams {
    /// The kind watched.
    pub kind: Kind,
    /// The namespace (None: all).
    pub namespace: Option<String>,
    /// `labelSelector`.
    pub labels: Option<Selector>,
    /// `fieldSelector`.
    pub fields: FieldSelector,
    /// `resourceVersion`.
    pub resource_version: Option<String>,
    /// Objects as Table rows (kubectl get -w).
    pub table: Option<IncludeObject>,
    /// `timeoutSeconds`.
    pub timeout: Option<u64>,
    /// `sendInitialEvents=true`.
    pub send_initial: bool,
}

/// Whether an object passes the watch's filters.
pub fn matches(kind: Kind, ns: Option<&str>, labels: Option<&Selector>, fields: &FieldSelector, obj: &Object) -> bool {
    if obj.kind() != kind {
        return false;
    }
    let m = obj.metadata();
    if let Some(ns) = ns {
        if kind.info().namespaced && m.namespace.as_deref().unwrap_or("") != ns {
            return false;
        }
    }
    if let Some(sel) = labels {
        let empty = Default::default();
        if !sel.matches(m.labels.as_ref().unwrap_or(&empty)) {
            return false;
        }
    }
    if !fields.is_empty() && !fields.matches(&obj.to_json()) {
        return false;
    }
    true
}

fn line(ty: &str, object: Value) -> Bytes {
    let mut s = serde_json::to_string(&json!({"type": ty, "object": object})).unwrap_or_default();
    s.push('\n');
    Bytes::from(s)
}

fn render(p: &WatchParams, obj: &Object, now: chrono::DateTime<chrono::Utc>) -> Value {
    match p.table {
        Some(include) => {
            let rv = obj.metadata().resource_version.clone().unwrap_or_default();
            table::table(p.kind, &[obj], now, &rv, include, true)
        }
        None => obj.to_json(),
    }
}

struct Stream {
    state: Arc<State>,
    guard: crate::state::WatchGuard,
    params: Arc<WatchParams>,
    seq: u64,
    rx: tokio::sync::watch::Receiver<u64>,
    pending: VecDeque<Bytes>,
    deadline: Option<tokio::time::Instant>,
    done: bool,
}

fn gone(rv: &str) -> Bytes {
    let f = Failure::new(410, "Expired", format!("too old resource version: {rv}"), None);
    line("ERROR", f.body)
}

fn internal() -> Failure {
    Failure::new(500, "InternalError", "an error on the server (\"the engine stopped\") has prevented the request from succeeding", None)
}

/// The initial events of a watch and the log position it continues from.
fn initial(c: &mut pilothouse_engine::Cluster, params: &WatchParams) -> Result<(VecDeque<Bytes>, u64), Failure> {
    let mut pending = VecDeque::new();
    let store = &c.api.store;
    let next = store.next_seq();
    let now = c.api.clock.now();
    let seq = match params.resource_version.as_deref() {
        None | Some("") | Some("0") => {
            for obj in c.list(params.kind, params.namespace.as_deref()) {
                if matches(params.kind, params.namespace.as_deref(), params.labels.as_ref(), &params.fields, &obj) {
                    pending.push_back(line("ADDED", render(params, &obj, now)));
                }
            }
            next
        }
        Some(s) => {
            let rv: u64 = s.parse().map_err(|_| Failure::bad_request(format!("invalid resource version: {s}")))?;
            // The log holds one entry per resourceVersion: entry `seq` made version `seq + 1`.
            let start = rv.min(next);
            if store.events_since(start).is_none() {
                pending.push_back(gone(s));
            }
            start
        }
    };
    if params.send_initial {
        pending.push_back(line(
            "BOOKMARK",
            json!({"kind": params.kind.info().kind, "apiVersion": params.kind.info().api_version(), "metadata": {"resourceVersion": store.resource_version().to_string(), "annotations": {"k8s.io/initial-events-end": "true"}}}),
        ));
    }
    Ok((pending, seq))
}

/// What a watcher with filters sees of one change, as the API server's watch cache decides it: a
/// change that makes an object start matching is ADDED, one that makes it stop matching is
/// DELETED (carrying the previous object at the change's resourceVersion), none if it matches
/// neither before nor after.
fn translate(p: &WatchParams, ev: &WatchEvent) -> Option<(&'static str, Arc<Object>)> {
    let pass = |o: &Object| matches(p.kind, p.namespace.as_deref(), p.labels.as_ref(), &p.fields, o);
    match ev.event_type {
        EventType::Added => pass(&ev.object).then(|| ("ADDED", ev.object.clone())),
        EventType::Deleted => pass(&ev.object).then(|| ("DELETED", ev.object.clone())),
        EventType::Modified => {
            let now = pass(&ev.object);
            let before = ev.prev.as_deref().is_some_and(pass);
            match (before, now) {
                (true, true) => Some(("MODIFIED", ev.object.clone())),
                (false, true) => Some(("ADDED", ev.object.clone())),
                (true, false) => {
                    let mut last = ev.prev.as_deref()?.clone();
                    last.metadata_mut().resource_version = Some(ev.rv.to_string());
                    Some(("DELETED", Arc::new(last)))
                }
                (false, false) => None,
            }
        }
    }
}

/// New events since `seq` that pass the filters; the new position; whether the log was compacted.
fn collect(c: &mut pilothouse_engine::Cluster, p: &WatchParams, seq: u64) -> (Vec<Bytes>, u64, bool) {
    let store = &c.api.store;
    let next = store.next_seq();
    let mut out = Vec::new();
    if seq >= next {
        return (out, seq, false);
    }
    match store.events_since(seq) {
        None => (vec![gone(&seq.to_string())], next, true),
        Some(evs) => {
            let now = c.api.clock.now();
            for ev in evs {
                if ev.key.kind != p.kind {
                    continue;
                }
                if let Some((ty, obj)) = translate(p, ev) {
                    out.push(line(ty, render(p, &obj, now)));
                }
            }
            (out, next, false)
        }
    }
}

/// Starts a watch and returns the streaming response.
pub async fn start(state: Arc<State>, params: WatchParams) -> Result<Response, Failure> {
    let rx = state.subscribe();
    let params = Arc::new(params);
    let p2 = params.clone();
    let (pending, seq) = state.call_async(move |c| initial(c, &p2)).await.ok_or_else(internal)??;
    let done = pending.front().is_some_and(|b| b.starts_with(b"{\"type\":\"ERROR\""));
    let guard = state.register_watch(seq);
    let deadline = params.timeout.filter(|t| *t > 0).map(|t| tokio::time::Instant::now() + Duration::from_secs(t));
    let st = Stream { state, guard, params, seq, rx, pending, deadline, done };
    let stream = futures_util::stream::unfold(st, next_chunk);
    let mut resp = Response::new(Body::from_stream(stream));
    resp.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    Ok(resp)
}

async fn next_chunk(mut st: Stream) -> Option<(Result<Bytes, std::convert::Infallible>, Stream)> {
    loop {
        if let Some(b) = st.pending.pop_front() {
            if st.pending.is_empty() {
                st.state.delivered();
            }
            return Some((Ok(b), st));
        }
        if st.done || st.state.shutting_down.load(Ordering::SeqCst) {
            return None;
        }
        st.rx.borrow_and_update();
        let p = st.params.clone();
        let seq = st.seq;
        let (events, next, gone) = st.state.call_async(move |c| collect(c, &p, seq)).await?;
        st.pending.extend(events);
        st.seq = next;
        st.done = gone;
        st.guard.progress.seen_seq.store(st.seq, Ordering::SeqCst);
        if !st.pending.is_empty() {
            continue;
        }
        let sleep_cap = tokio::time::sleep(Duration::from_millis(500));
        let deadline = st.deadline;
        tokio::select! {
            r = st.rx.changed() => {
                if r.is_err() {
                    return None;
                }
            }
            _ = sleep_cap => {}
            _ = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending::<()>().await,
                }
            } => {
                return None;
            }
        }
    }
}
