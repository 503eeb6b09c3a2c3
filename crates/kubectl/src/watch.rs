//! Streaming commands: `kubectl get -w`, `events -w`, `logs -f` and `rollout status`. On the page they
//! return [`Effect::StartWatch`] and the page polls; in scripts (and the native terminal) they
//! run inline, advancing virtual time timer by timer until done, idle for a minute, or five
//! virtual minutes have passed — then stop as if the user pressed Ctrl-C.

use crate::printers::{self, OutputFormat, TableOptions};
use crate::shell::{Effect, Out, Shell, Stream, STREAM_IDLE_MS, STREAM_LIMIT_MS};
use crate::tab;
use pilothouse_engine::api::{Kind, Object, ObjectKey};
use pilothouse_engine::selector::Selector;
use std::sync::Arc;

/// What a watch follows.
#[derive(Clone, Debug)]
pub enum WatchKind {
    /// `kubectl get -w`.
    Get {
        /// Kinds watched.
        kinds: Vec<Kind>,
        /// Namespace (`None` = all).
        ns: Option<String>,
        /// Label selector.
        selector: Option<Selector>,
        /// Specific objects, if named.
        names: Vec<(Kind, String)>,
        /// Table options.
        table: TableOptions,
        /// Output format.
        format: OutputFormat,
        /// Remembered column widths.
        widths: Vec<usize>,
        /// Whether the header is still to be printed (empty initial list).
        header_pending: bool,
    },
    /// `kubectl events --watch`.
    Events {
        /// Which events.
        filter: crate::kubectl::info::EventFilter,
        /// `-o` format, if not the table.
        format: Option<OutputFormat>,
        /// Whether the header is still to be printed.
        header_pending: bool,
        /// Whether the existing events are still to be printed.
        initial: bool,
    },
    /// `kubectl logs -f`.
    Logs {
        /// The pod.
        pod: ObjectKey,
        /// The containers followed (with a `[pod/x/c] ` prefix when `prefix`).
        containers: Vec<String>,
        /// Lines printed per container.
        printed: Vec<usize>,
        /// Whether lines are prefixed.
        prefix: bool,
        /// Whether lines carry the time they were written (`--timestamps`).
        timestamps: bool,
    },
    /// `kubectl rollout status`.
    Rollout {
        /// The workload.
        key: ObjectKey,
        /// The last line printed.
        last: String,
        /// Virtual deadline (`--timeout`).
        deadline_ms: Option<u64>,
    },
}

/// A running watch.
#[derive(Clone, Debug)]
pub struct Watch {
    /// What it follows.
    pub kind: WatchKind,
    /// Next watch-log position to read.
    pub cursor: u64,
    /// Whether it has ended by itself.
    pub done: bool,
    /// Exit code when ended.
    pub code: i32,
}

impl Watch {
    /// A `get -w` watch whose initial table (of `initial`) has been printed.
    #[allow(clippy::too_many_arguments)]
    pub fn get(sh: &Shell, kinds: Vec<Kind>, ns: Option<String>, selector: Option<Selector>, names: Vec<(Kind, String)>, table: TableOptions, format: OutputFormat, initial: &[Arc<Object>], header_pending: bool) -> Watch {
        let now = sh.cluster.api.clock.now();
        let mut widths = Vec::new();
        if !initial.is_empty() {
            let kind = initial[0].kind();
            let refs: Vec<&Object> = initial.iter().filter(|o| o.kind() == kind).map(|o| &**o).collect();
            let mut opts = table.clone();
            opts.no_headers = false;
            let t = printers::print_table(kind, &refs, &opts, now);
            let rows = tab::split_aligned(&t);
            let rows: Vec<Vec<String>> = if table.no_headers { rows.into_iter().skip(1).collect() } else { rows };
            tab::align(&rows, 6, 3, &mut widths);
        }
        let header_pending = header_pending && !table.no_headers;
        Watch {
            kind: WatchKind::Get { kinds, ns, selector, names, table, format, widths, header_pending },
            cursor: sh.cluster.api.store.next_seq(),
            done: false,
            code: 0,
        }
    }

    /// A `kubectl events --watch`: starts before the existing events, which it then prints
    /// as they come in (like the API server's initial ADDED events of a watch).
    pub fn events(sh: &Shell, filter: crate::kubectl::info::EventFilter, format: Option<OutputFormat>, no_headers: bool) -> Watch {
        Watch { kind: WatchKind::Events { filter, format, header_pending: !no_headers, initial: true }, cursor: sh.cluster.api.store.next_seq(), done: false, code: 0 }
    }
}

/// Starts a watch: inline when the shell is blocking, else hands it to the page.
pub fn start(sh: &mut Shell, mut w: Watch, out: &mut Out) {
    if sh.blocking {
        let start = sh.cluster.now_ms();
        let hard = start + match w.kind {
            WatchKind::Rollout { .. } => 30 * 60_000,
            _ => STREAM_LIMIT_MS,
        };
        let idle_applies = !matches!(w.kind, WatchKind::Rollout { .. });
        let mut last_change = start;
        sh.cluster.settle();
        loop {
            let chunks = step(sh, &mut w);
            if !chunks.is_empty() {
                last_change = sh.cluster.now_ms();
                emit(out, chunks);
            }
            if w.done {
                out.code = w.code;
                break;
            }
            let stop_at = if idle_applies { (last_change + STREAM_IDLE_MS).min(hard) } else { hard };
            let stop_at = match &w.kind {
                WatchKind::Rollout { deadline_ms: Some(d), .. } => stop_at.min(*d),
                _ => stop_at,
            };
            match sh.cluster.api.clock.next_timer() {
                Some(t) if t <= stop_at => {
                    sh.cluster.api.clock.set_now(t);
                    sh.cluster.settle();
                    crate::net::after_command(sh);
                }
                Some(_) => {
                    sh.cluster.api.clock.set_now(stop_at);
                    sh.cluster.settle();
                    let chunks = step(sh, &mut w);
                    emit(out, chunks);
                    if !w.done {
                        finish_interrupted(sh, &mut w, out);
                    } else {
                        out.code = w.code;
                    }
                    break;
                }
                None => {
                    if !w.done {
                        finish_interrupted(sh, &mut w, out);
                    }
                    break;
                }
            }
        }
    } else {
        let id = sh.next_watch;
        sh.next_watch += 1;
        sh.watches.insert(id, w);
        out.effects.push(Effect::StartWatch { id });
    }
}

fn emit(out: &mut Out, chunks: Vec<(Stream, String)>) {
    for (st, t) in chunks {
        match st {
            Stream::Stdout => out.out(t),
            Stream::Stderr => out.err(t),
        }
    }
}

/// A blocking watch that did not end by itself within the limits.
fn finish_interrupted(_sh: &Shell, w: &mut Watch, out: &mut Out) {
    if let WatchKind::Rollout { .. } = &w.kind {
        out.fail("timed out waiting for the condition");
    }
}

/// Polls a page watch.
pub fn poll(sh: &mut Shell, id: u64) -> Option<String> {
    let mut w = sh.watches.remove(&id)?;
    let text: String = step(sh, &mut w).into_iter().map(|c| c.1).collect();
    if !w.done {
        sh.watches.insert(id, w);
    }
    Some(text)
}

/// Produces the output of a watch since its cursor.
fn step(sh: &mut Shell, w: &mut Watch) -> Vec<(Stream, String)> {
    let now = sh.cluster.api.clock.now();
    let next = sh.cluster.api.store.next_seq();
    let events: Vec<(ObjectKey, Arc<Object>, bool)> = match sh.cluster.api.store.events_since(w.cursor) {
        Some(evs) => evs.iter().map(|e| (e.key.clone(), e.object.clone(), e.event_type == pilothouse_engine::store::EventType::Deleted)).collect(),
        None => Vec::new(),
    };
    w.cursor = next;
    let mut s = String::new();
    match &mut w.kind {
        WatchKind::Get { kinds, ns, selector, names, table, format, widths, header_pending } => {
            for (key, obj, _deleted) in events {
                if !kinds.contains(&key.kind) {
                    continue;
                }
                if let Some(n) = ns {
                    if key.kind.info().namespaced && &key.namespace != n {
                        continue;
                    }
                }
                if !names.is_empty() && !names.iter().any(|(k, n)| *k == key.kind && *n == key.name) {
                    continue;
                }
                if let Some(sel) = selector {
                    if !sel.matches(&super::kubectl::labels_of(&obj)) {
                        continue;
                    }
                }
                match &*format {
                    OutputFormat::Default | OutputFormat::Wide => {
                        let mut opts = table.clone();
                        opts.no_headers = false;
                        let t = printers::print_table(key.kind, &[&obj], &opts, now);
                        let rows = tab::split_aligned(&t);
                        // One row per watch event, even when it reads as the one before.
                        let Some(row) = rows.get(1).cloned() else { continue };
                        let mut to_print = Vec::new();
                        if *header_pending {
                            to_print.push(rows[0].clone());
                            *header_pending = false;
                        }
                        to_print.push(row);
                        s.push_str(&tab::align(&to_print, 6, 3, widths));
                    }
                    f => {
                        if let Ok(text) = printers::print_objects(&[&obj], f, true, true) {
                            if matches!(f, OutputFormat::Yaml) {
                                s.push_str("---\n");
                            }
                            s.push_str(&text);
                            if matches!(f, OutputFormat::JsonPath(_)) {
                                // jsonpath output has no newline of its own
                            }
                        }
                    }
                }
            }
        }
        WatchKind::Events { filter, format, header_pending, initial } => {
            let mut objs: Vec<Arc<Object>> = Vec::new();
            if std::mem::take(initial) {
                objs.extend(sh.cluster.list(Kind::Event, filter.ns.as_deref()));
            }
            for (key, obj, deleted) in events {
                // Events are deleted after an hour; kubectl does not print that.
                if key.kind == Kind::Event && !deleted && filter.ns.as_ref().is_none_or(|n| &key.namespace == n) {
                    objs.push(obj);
                }
            }
            let all = filter.ns.is_none();
            for obj in objs {
                let Object::Event(e) = &*obj else { continue };
                if !filter.matches(e) {
                    continue;
                }
                match format {
                    None => {
                        // Each event is flushed through the tab writer on its own.
                        let mut rows = Vec::new();
                        if std::mem::take(header_pending) {
                            rows.push(crate::kubectl::info::event_header(all));
                        }
                        rows.push(crate::kubectl::info::event_row(e, all, now));
                        s.push_str(&tab::align(&rows, 6, 3, &mut Vec::new()));
                    }
                    Some(f) => {
                        if let Ok(text) = printers::print_objects(&[&*obj], f, true, true) {
                            if matches!(f, OutputFormat::Yaml) {
                                s.push_str("---\n");
                            }
                            s.push_str(&text);
                        }
                    }
                }
            }
        }
        WatchKind::Logs { pod, containers, printed, prefix, timestamps } => {
            let mut all_done = true;
            for (i, c) in containers.iter().enumerate() {
                let lines = sh.cluster.kubelets.logs(pod, c, false).map(|l| l.to_vec()).unwrap_or_default();
                let times = sh.cluster.kubelets.log_times(pod, c, false).map(|t| t.to_vec()).unwrap_or_default();
                if lines.len() < printed[i] {
                    printed[i] = 0;
                }
                for (j, l) in lines.iter().enumerate().skip(printed[i]) {
                    if *prefix {
                        s.push_str(&format!("[pod/{}/{}] ", pod.name, c));
                    }
                    if *timestamps {
                        let t = times.get(j).copied().unwrap_or_else(|| sh.cluster.now_ms());
                        s.push_str(&crate::kubectl::logs::log_timestamp(pilothouse_engine::clock::epoch(), t));
                        s.push(' ');
                    }
                    s.push_str(l);
                    s.push('\n');
                }
                printed[i] = lines.len();
                if sh.cluster.kubelets.is_running(pod, c) {
                    all_done = false;
                }
            }
            if sh.cluster.get(pod).is_none() || all_done {
                w.done = true;
            }
        }
        WatchKind::Rollout { key, last, deadline_ms } => {
            // Like kubectl's watch: the current state first, then one line per change event.
            let mut versions: Vec<std::sync::Arc<pilothouse_engine::Object>> = Vec::new();
            if last.is_empty() {
                versions.extend(sh.cluster.get(key));
            } else {
                for (k, o, deleted) in &events {
                    if k == key && !deleted {
                        versions.push(o.clone());
                    }
                }
            }
            if versions.is_empty() && sh.cluster.get(key).is_none() {
                let (_, _, err) = crate::kubectl::rollout::status_line(sh, key);
                w.done = true;
                w.code = 1;
                return vec![(Stream::Stderr, format!("error: {}\n", err.unwrap_or_default()))];
            }
            let mut done = false;
            for obj in versions {
                let (line, d, err) = crate::kubectl::rollout::status_line_of(&obj, key);
                if let Some(e) = err {
                    w.done = true;
                    w.code = 1;
                    let mut v = Vec::new();
                    if !s.is_empty() {
                        v.push((Stream::Stdout, std::mem::take(&mut s)));
                    }
                    v.push((Stream::Stderr, format!("error: {e}\n")));
                    return v;
                }
                s.push_str(&line);
                *last = line;
                if d {
                    done = true;
                    break;
                }
            }
            if done {
                w.done = true;
            } else if deadline_ms.is_some_and(|d| sh.cluster.now_ms() >= d) {
                w.done = true;
                w.code = 1;
                let mut v = Vec::new();
                if !s.is_empty() {
                    v.push((Stream::Stdout, s));
                }
                v.push((Stream::Stderr, "error: timed out waiting for the condition\n".to_string()));
                return v;
            }
        }
    }
    if s.is_empty() {
        Vec::new()
    } else {
        vec![(Stream::Stdout, s)]
    }
}
