//! `kubectl get` and `kubectl describe`.

use super::{list_filtered, lookup_kinds, namespace, parse_field_selector, parse_flags, targets, Src, Target};
use crate::flags::{b, s, Flag};
use crate::printers::{self, OutputFormat, TableOptions};
use crate::shell::{Out, Shell};
use pilothouse_engine::api::{Kind, Object, ObjectKey};
use pilothouse_engine::selector::Selector;
use std::sync::Arc;

const GET_FLAGS: &[Flag] = &[
    s("output", Some('o')),
    s("selector", Some('l')),
    s("field-selector", None),
    b("all-namespaces", Some('A')),
    b("watch", Some('w')),
    b("watch-only", None),
    b("show-labels", None),
    s("label-columns", Some('L')),
    b("no-headers", None),
    s("filename", Some('f')),
    b("recursive", Some('R')),
    s("sort-by", None),
    b("show-kind", None),
    b("ignore-not-found", None),
    s("chunk-size", None),
    b("show-managed-fields", None),
    s("template", None),
    b("output-watch-events", None),
    s("subresource", None),
    s("raw", None),
];

/// The message for an empty list.
pub fn no_resources(kind_namespaced: bool, ns: &str, all: bool) -> String {
    if all || !kind_namespaced {
        "No resources found".to_string()
    } else {
        format!("No resources found in {ns} namespace.")
    }
}

/// What `get` was asked for, after parsing.
pub struct GetRequest {
    /// Table options.
    pub table: TableOptions,
    /// Output format.
    pub format: OutputFormat,
    /// Objects found, grouped by kind in request order; `None` names = list.
    pub groups: Vec<(Kind, Vec<Arc<Object>>)>,
    /// The namespace, or `None` for all.
    pub ns: Option<String>,
    /// Label selector.
    pub selector: Option<Selector>,
    /// Field selector.
    pub fields: Vec<(String, bool, String)>,
    /// Names asked for per kind (empty = all).
    pub names: Vec<(Kind, Vec<String>)>,
}

/// `kubectl get`.
pub fn get(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl get", args, GET_FLAGS) else { return };
    if let Some(raw) = p.get("raw") {
        if !p.args.is_empty() {
            return out.fail("arguments may not be passed when --raw is specified");
        }
        // The health endpoints answer `ok` (no newline), as the API server does.
        return match raw.split('?').next().unwrap_or_default() {
            "/healthz" | "/livez" | "/readyz" => out.out("ok"),
            _ => out.fail(format!("Pilothouse: kubectl get --raw serves /healthz, /livez and /readyz; for {raw} use kubectl get with -o json")),
        };
    }
    let ns = namespace(sh, &p);
    let all = p.bool("all-namespaces");
    let format = match p.get("output") {
        Some(o) => match printers::parse_output_format(o) {
            Ok(f) => f,
            Err(e) => return out.fail(e),
        },
        None => OutputFormat::Default,
    };
    let format = match (&format, p.get("template")) {
        (OutputFormat::JsonPath(t), Some(tmpl)) if t.is_empty() => OutputFormat::JsonPath(tmpl.to_string()),
        _ => format,
    };
    if matches!(p.get("output"), Some("go-template") | Some("go-template-file") | Some("template")) {
        return out.fail("go-template output is not supported in Pilothouse; use -o jsonpath='{...}' instead");
    }
    let mut tlist = Vec::new();
    if p.has("filename") {
        for f in p.all("filename") {
            match super::apply::read_manifests(sh, &f, None) {
                Ok(objs) => {
                    for (o, _) in objs {
                        tlist.push(Target::One(o.kind(), super::name_of(&o)));
                    }
                }
                Err(e) => return out.fail(e),
            }
        }
    }
    if p.args.is_empty() && tlist.is_empty() {
        out.err("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\n");
        out.fail("Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples");
        return;
    }
    match targets(&p.args) {
        Ok(t) => tlist.extend(t),
        Err(e) => return out.fail(e),
    }
    let selector = match p.get("selector") {
        Some(s) => match Selector::parse(s) {
            Ok(sel) => Some(sel),
            Err(e) => return out.fail(e),
        },
        None => None,
    };
    let list_ns: Option<String> = if all { None } else { Some(ns.ns.clone()) };
    let mut groups: Vec<(Kind, Vec<Arc<Object>>)> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let mut any_list = false;
    let mut kinds_requested: Vec<Kind> = Vec::new();
    let is_all = p.args.first().is_some_and(|a| a.split(',').any(|t| t == "all"));
    for t in &tlist {
        let kind = match t {
            Target::Every(k) | Target::One(k, _) => *k,
        };
        if !kinds_requested.contains(&kind) {
            kinds_requested.push(kind);
        }
        let fields = match p.get("field-selector") {
            Some(f) => match parse_field_selector(kind, f) {
                Ok(v) => v,
                Err(e) => {
                    if e.starts_with("Error from server") {
                        out.errln(e);
                        out.code = 1;
                        return;
                    }
                    return out.fail(e);
                }
            },
            None => Vec::new(),
        };
        let objs: Vec<Arc<Object>> = match t {
            Target::Every(k) => {
                any_list = true;
                list_filtered(&sh.cluster, *k, list_ns.as_deref(), selector.as_ref(), &fields)
            }
            Target::One(k, name) => {
                let key = ObjectKey::new(*k, &ns.ns, name);
                match sh.cluster.get(&key) {
                    Some(o) => vec![o],
                    None => {
                        if !p.bool("ignore-not-found") {
                            errors.push(pilothouse_engine::ApiError::not_found(*k, name).kubectl_message());
                        }
                        Vec::new()
                    }
                }
            }
        };
        match groups.iter_mut().find(|g| g.0 == kind) {
            Some(g) => g.1.extend(objs),
            None => groups.push((kind, objs)),
        }
    }
    if let Some(sort) = p.get("sort-by") {
        let expr = sort.trim_matches('\'').trim_matches('"').to_string();
        for g in groups.iter_mut() {
            sort_by(&mut g.1, &expr);
        }
    }
    let mut table = TableOptions {
        wide: format == OutputFormat::Wide,
        show_labels: p.bool("show-labels"),
        with_namespace: all,
        no_headers: p.bool("no-headers"),
        label_columns: p.slice("label-columns"),
        with_kind: p.bool("show-kind") || is_all || kinds_requested.len() > 1,
    };
    let watch = p.bool("watch") || p.bool("watch-only");
    let now = sh.cluster.api.clock.now();
    let total: usize = groups.iter().map(|g| g.1.len()).sum();
    match &format {
        OutputFormat::Default | OutputFormat::Wide => {
            if !watch || !p.bool("watch-only") {
                let mut first = true;
                for (kind, objs) in &groups {
                    if objs.is_empty() {
                        continue;
                    }
                    let refs: Vec<&Object> = objs.iter().map(|o| &**o).collect();
                    if !first {
                        out.out("\n");
                    }
                    first = false;
                    out.out(printers::print_table(*kind, &refs, &table, now));
                }
            }
            if total == 0 && any_list && errors.is_empty() && !watch {
                let namespaced = kinds_requested.iter().any(|k| k.info().namespaced);
                out.errln(no_resources(namespaced, &ns.ns, all));
            }
        }
        f => {
            let all_objs: Vec<&Object> = groups.iter().flat_map(|g| g.1.iter().map(|o| &**o)).collect();
            let single = !any_list && tlist.len() == 1;
            if !(single && all_objs.is_empty()) {
                match printers::print_objects(&all_objs, f, single, p.bool("no-headers")) {
                    Ok(s) => out.out(s),
                    Err(e) => {
                        errors.push(format!("error: {e}"));
                    }
                }
            }
        }
    }
    for e in &errors {
        out.errln(e);
        out.code = 1;
    }
    if watch && errors.is_empty() {
        table.with_kind = table.with_kind && groups.len() > 1;
        let kinds: Vec<Kind> = kinds_requested.clone();
        let names: Vec<(Kind, String)> = tlist
            .iter()
            .filter_map(|t| match t {
                Target::One(k, n) => Some((*k, n.clone())),
                _ => None,
            })
            .collect();
        let initial: Vec<Arc<Object>> = if p.bool("watch-only") { Vec::new() } else { groups.iter().flat_map(|g| g.1.clone()).collect() };
        let w = crate::watch::Watch::get(sh, kinds, list_ns, selector, names, table, format.clone(), &initial, total == 0 && !p.bool("watch-only"));
        crate::watch::start(sh, w, out);
    }
}

/// Sorts by a jsonpath-like expression (`.metadata.name`, `{.status.startTime}`).
fn sort_by(objs: &mut [Arc<Object>], expr: &str) {
    let path: Vec<String> = expr.trim_start_matches('{').trim_end_matches('}').trim_start_matches('.').split('.').map(str::to_string).collect();
    let key = |o: &Arc<Object>| -> (i32, f64, String) {
        let v = o.to_json();
        let mut cur = &v;
        for seg in &path {
            let (name, idx) = match seg.split_once('[') {
                Some((n, i)) => (n.to_string(), i.trim_end_matches(']').parse::<usize>().ok()),
                None => (seg.clone(), None),
            };
            cur = match cur.get(&name) {
                Some(c) => c,
                None => return (0, 0.0, String::new()),
            };
            if let Some(i) = idx {
                cur = match cur.get(i) {
                    Some(c) => c,
                    None => return (0, 0.0, String::new()),
                };
            }
        }
        match cur {
            serde_json::Value::Number(n) => (1, n.as_f64().unwrap_or(0.0), String::new()),
            serde_json::Value::String(s) => {
                let q = pilothouse_engine::api::quantity::parse_int(s);
                match q {
                    Some(n) if s.chars().next().is_some_and(|c| c.is_ascii_digit()) => (1, n as f64, String::new()),
                    _ => (2, 0.0, s.clone()),
                }
            }
            other => (3, 0.0, other.to_string()),
        }
    };
    // kubectl sorts with Go's sort.Sort, which is not stable: objects whose keys tie come out
    // as its algorithm leaves them, not in list order.
    let mut keyed: Vec<((i32, f64, String), Arc<Object>)> = objs.iter().map(|o| (key(o), o.clone())).collect();
    crate::gosort::sort_by(&mut keyed, |(ka, _), (kb, _)| {
        ka.0.cmp(&kb.0).then(ka.1.partial_cmp(&kb.1).unwrap_or(std::cmp::Ordering::Equal)).then(ka.2.cmp(&kb.2)) == std::cmp::Ordering::Less
    });
    for (slot, (_, o)) in objs.iter_mut().zip(keyed) {
        *slot = o;
    }
}

const DESCRIBE_FLAGS: &[Flag] = &[
    s("selector", Some('l')),
    b("all-namespaces", Some('A')),
    s("filename", Some('f')),
    b("show-events", None),
    s("chunk-size", None),
    b("recursive", Some('R')),
];

/// `kubectl describe`.
pub fn describe(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl describe", args, DESCRIBE_FLAGS) else { return };
    let ns = namespace(sh, &p);
    let all = p.bool("all-namespaces");
    let mut tlist = Vec::new();
    for f in p.all("filename") {
        match super::apply::read_manifests(sh, &f, None) {
            Ok(objs) => {
                for (o, _) in objs {
                    tlist.push(Target::One(o.kind(), super::name_of(&o)));
                }
            }
            Err(e) => return out.fail(e),
        }
    }
    if p.args.is_empty() && tlist.is_empty() {
        // (kubectl 1.32's describe says it in one line; `get` keeps the longer form.)
        return out.fail("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.");
    }
    // `describe TYPE NAME_PREFIX`: exact name, else every object whose name starts with it.
    let parsed = if p.args.iter().any(|a| a.contains('/')) || p.args.len() <= 1 {
        targets(&p.args)
    } else {
        match p.args[0].split(',').map(lookup_kinds).collect::<Result<Vec<_>, _>>() {
            Ok(kinds) => Ok(kinds.into_iter().flatten().flat_map(|k| p.args[1..].iter().map(move |n| Target::One(k, n.clone()))).collect()),
            Err(e) => Err(e),
        }
    };
    match parsed {
        Ok(t) => tlist.extend(t),
        Err(e) => return out.fail(e),
    }
    let selector = match p.get("selector") {
        Some(s) => match Selector::parse(s) {
            Ok(sel) => Some(sel),
            Err(e) => return out.fail(e),
        },
        None => None,
    };
    let list_ns = if all { None } else { Some(ns.ns.clone()) };
    let mut objs: Vec<Arc<Object>> = Vec::new();
    let mut errors = Vec::new();
    let mut any_list = false;
    for t in &tlist {
        match t {
            Target::Every(k) => {
                any_list = true;
                objs.extend(list_filtered(&sh.cluster, *k, list_ns.as_deref(), selector.as_ref(), &[]));
            }
            Target::One(k, name) => match sh.cluster.get(&ObjectKey::new(*k, &ns.ns, name)) {
                Some(o) => objs.push(o),
                None => {
                    let prefixed: Vec<Arc<Object>> = sh
                        .cluster
                        .list(*k, Some(&ns.ns))
                        .into_iter()
                        .filter(|o| o.metadata().name.as_deref().is_some_and(|n| n.starts_with(name.as_str())))
                        .collect();
                    if prefixed.is_empty() {
                        errors.push(pilothouse_engine::ApiError::not_found(*k, name).kubectl_message());
                    }
                    objs.extend(prefixed);
                }
            },
        }
    }
    let src = Src(&sh.cluster);
    let mut first = true;
    for o in &objs {
        let text = printers::describe(o, &src);
        if first {
            out.out(text);
            first = false;
        } else {
            out.out(format!("\n\n{text}"));
        }
    }
    if objs.is_empty() && any_list && errors.is_empty() {
        let namespaced = tlist.iter().any(|t| matches!(t, Target::Every(k) if k.info().namespaced));
        out.errln(no_resources(namespaced, &ns.ns, all));
    }
    for e in errors {
        out.errln(e);
        out.code = 1;
    }
}
