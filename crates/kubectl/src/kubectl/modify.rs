//! Commands that change objects in place: `patch`, `scale`, `autoscale`, `set`, `label`,
//! `annotate`, `taint`, `cordon`, `uncordon`, `drain`, `expose`.

use super::apply::{api_err, report};
use super::create::finish;
use super::{list_filtered, namespace, parse_flags, ref_name, targets, Target};
use crate::flags::{b, d, i, s, Flag, Parsed};
use crate::shell::{Out, Shell};
use pilothouse_engine::api::{Kind, Object, ObjectKey};
use pilothouse_engine::apiserver::{DeleteOptions, PatchType};
use pilothouse_engine::selector::Selector;
use serde_json::{json, Map, Value};

/// Objects named by the resource arguments (or `-l` / `--all`); errors are kubectl's.
fn resolve(sh: &Shell, out: &mut Out, p: &Parsed, args: &[String]) -> Option<Vec<ObjectKey>> {
    let ns = namespace(sh, p);
    let tl = match targets(args) {
        Ok(t) => t,
        Err(e) => {
            out.fail(e);
            return None;
        }
    };
    let sel = match p.get("selector") {
        Some(s) => match Selector::parse(s) {
            Ok(x) => Some(x),
            Err(e) => {
                out.fail(e);
                return None;
            }
        },
        None => None,
    };
    let mut keys = Vec::new();
    for t in tl {
        match t {
            Target::One(k, n) => keys.push(ObjectKey::new(k, &ns.ns, &n)),
            Target::Every(k) => {
                if sel.is_none() && !p.bool("all") {
                    out.fail("resource(s) were provided, but no name was specified");
                    return None;
                }
                let list_ns = if p.bool("all-namespaces") { None } else { Some(ns.ns.as_str()) };
                for o in list_filtered(&sh.cluster, k, list_ns, sel.as_ref(), &[]) {
                    keys.push(ObjectKey::of(&o));
                }
            }
        }
    }
    Some(keys)
}

fn not_found(out: &mut Out, key: &ObjectKey) {
    out.errln(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message());
    out.code = 1;
}

/// Applies a change to the JSON of an object and writes it back; returns whether it changed.
fn update_json(sh: &mut Shell, key: &ObjectKey, f: impl FnOnce(&mut Value) -> Result<(), String>) -> Result<bool, String> {
    let Some(live) = sh.cluster.get(key) else {
        return Err(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message());
    };
    let mut v = live.to_json();
    f(&mut v)?;
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
    }
    let obj = Object::from_json_as(key.kind, v).map_err(|e| format!("error: {e}"))?;
    let before = live.metadata().resource_version.clone();
    match sh.cluster.update(obj) {
        Ok(o) => Ok(o.metadata().resource_version != before),
        Err(e) => Err(api_err(&e)),
    }
}

const PATCH_FLAGS: &[Flag] = &[
    s("patch", Some('p')),
    s("patch-file", None),
    s("type", None),
    s("filename", Some('f')),
    s("dry-run", None),
    s("output", Some('o')),
    b("local", None),
    s("subresource", None),
    s("field-manager", None),
    b("recursive", Some('R')),
];

/// `kubectl patch`.
pub fn patch(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl patch", args, PATCH_FLAGS) else { return };
    let text = match (p.get("patch"), p.get("patch-file")) {
        (Some(t), _) => t.to_string(),
        (None, Some(f)) => match sh.read_file(f) {
            Some(t) => t.clone(),
            None => return out.fail(format!("unable to read patch file: open {f}: no such file or directory")),
        },
        (None, None) => return out.fail("must specify --patch or --patch-file containing the contents of the patch"),
    };
    let ty = match p.get("type").unwrap_or("strategic") {
        "strategic" => PatchType::Strategic,
        "merge" => PatchType::Merge,
        "json" => PatchType::Json,
        other => return out.fail(format!("--type must be one of [json merge strategic], not \"{other}\"")),
    };
    let value: Value = match serde_yaml::from_str::<serde_yaml::Value>(&text).ok().and_then(|y| pilothouse_engine::api::to_json_value(&y).ok()) {
        Some(v) if v.is_object() || v.is_array() => v,
        _ => return out.fail(format!("unable to parse \"{text}\": yaml: did not find expected node content")),
    };
    if p.args.is_empty() {
        return out.fail("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let Some(keys) = resolve(sh, out, &p, &p.args) else { return };
    for key in keys {
        let Some(live) = sh.cluster.get(&key) else {
            not_found(out, &key);
            continue;
        };
        let before = live.metadata().resource_version.clone();
        match sh.cluster.patch(&key, ty, &value) {
            Ok(o) => {
                let changed = o.metadata().resource_version != before;
                out.outln(format!("{} patched{}", ref_name(key.kind, &key.name), if changed { "" } else { " (no change)" }));
            }
            Err(e) => {
                let msg = match &e {
                    pilothouse_engine::ApiError::BadRequest(m) if ty == PatchType::Json => format!("Error from server (BadRequest): {m}"),
                    _ => api_err(&e),
                };
                report(out, &msg);
            }
        }
    }
}

const SCALE_FLAGS: &[Flag] = &[
    i("replicas", None),
    i("current-replicas", None),
    s("resource-version", None),
    s("selector", Some('l')),
    b("all", None),
    d("timeout"),
    s("filename", Some('f')),
    s("dry-run", None),
    s("output", Some('o')),
    b("recursive", Some('R')),
];

/// `kubectl scale`.
pub fn scale(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl scale", args, SCALE_FLAGS) else { return };
    let Some(replicas) = p.int("replicas") else {
        return out.fail("required flag(s) \"replicas\" not set");
    };
    if replicas < 0 {
        return out.fail("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
    }
    if p.args.is_empty() {
        return out.fail("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let Some(keys) = resolve(sh, out, &p, &p.args) else { return };
    for key in keys {
        if !matches!(key.kind, Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet) {
            report(out, &format!("error: cannot scale a {}", key.kind));
            continue;
        }
        let Some(live) = sh.cluster.get(&key) else {
            report(out, &format!("error: no objects passed to scale {} \"{}\" not found", key.kind.info().resource_name(), key.name));
            continue;
        };
        let cur = live.to_json().pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
        if let Some(want) = p.int("current-replicas").filter(|c| *c >= 0) {
            if want != cur {
                report(out, &format!("error: Expected replicas to be {want}, was {cur}"));
                continue;
            }
        }
        if p.has("dry-run") && !matches!(p.get("dry-run"), Some("none") | Some("false")) {
            out.outln(format!("{} scaled (dry run)", ref_name(key.kind, &key.name)));
            continue;
        }
        match sh.cluster.patch(&key, PatchType::Merge, &json!({"spec": {"replicas": replicas}})) {
            Ok(_) => out.outln(format!("{} scaled", ref_name(key.kind, &key.name))),
            Err(e) => report(out, &api_err(&e)),
        }
    }
}

/// `kubectl autoscale`.
pub fn autoscale(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = [i("min", None), i("max", None), i("cpu-percent", None), s("name", None), s("dry-run", None), s("output", Some('o')), s("filename", Some('f'))];
    let Some(p) = parse_flags(out, "kubectl autoscale", args, &spec) else { return };
    let Some(max) = p.int("max") else {
        return out.fail("required flag(s) \"max\" not set");
    };
    // kubectl's Validate, before anything is looked up (--min defaults to -1).
    let min = p.int("min").unwrap_or(-1);
    if max < 1 {
        return out.fail(format!("--max=MAXPODS is required and must be at least 1, max: {max}"));
    }
    if max < min {
        return out.fail(format!("--max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}"));
    }
    let Some(keys) = resolve(sh, out, &p, &p.args) else { return };
    for key in keys {
        let Some(live) = sh.cluster.get(&key) else {
            not_found(out, &key);
            continue;
        };
        let name = p.get("name").map(str::to_string).unwrap_or(key.name.clone());
        let mut spec = Map::new();
        if let Some(cpu) = p.int("cpu-percent").filter(|c| *c > 0) {
            spec.insert("metrics".into(), json!([{ "resource": { "name": "cpu", "target": { "averageUtilization": cpu, "type": "Utilization" } }, "type": "Resource" }]));
        }
        spec.insert("maxReplicas".into(), json!(max));
        if let Some(min) = p.int("min").filter(|m| *m > 0) {
            spec.insert("minReplicas".into(), json!(min));
        }
        spec.insert("scaleTargetRef".into(), json!({ "apiVersion": key.kind.info().api_version(), "kind": key.kind.info().kind, "name": key.name }));
        let ns = super::Ns { ns: key.namespace.clone(), explicit: false };
        let _ = live;
        let value = json!({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": { "creationTimestamp": null, "name": name },
            "spec": Value::Object(spec),
            "status": { "currentMetrics": null, "desiredReplicas": 0 }
        });
        let _ = ns;
        // kubectl autoscale writes an autoscaling/v1 object (the API server stores it as v2):
        // a client dry run shows that one.
        let client_dry = matches!(p.get("dry-run"), Some("client" | "true" | "unchanged"));
        if client_dry && matches!(p.get("output"), Some("yaml" | "json")) {
            let mut v1 = json!({
                "apiVersion": "autoscaling/v1",
                "kind": "HorizontalPodAutoscaler",
                "metadata": { "creationTimestamp": null, "name": name },
                "spec": { "maxReplicas": max, "scaleTargetRef": value["spec"]["scaleTargetRef"] },
                "status": { "currentReplicas": 0, "desiredReplicas": 0 }
            });
            if let Some(min) = value.pointer("/spec/minReplicas") {
                v1["spec"]["minReplicas"] = min.clone();
            }
            if let Some(cpu) = p.int("cpu-percent").filter(|c| *c > 0) {
                v1["spec"]["targetCPUUtilizationPercentage"] = json!(cpu);
            }
            out.out(if p.get("output") == Some("json") { crate::printers::to_json(&v1) } else { crate::printers::to_yaml(&v1) });
            continue;
        }
        let mut tmp = Out::default();
        finish(sh, &mut tmp, &p, Kind::HorizontalPodAutoscaler, value);
        let text = tmp.stdout().replace(" created", " autoscaled");
        out.out(text);
        out.err(tmp.stderr());
        if tmp.code != 0 {
            out.code = tmp.code;
        }
    }
}

/// The pod template spec path of a workload's JSON.
fn pod_spec_mut(v: &mut Value, kind: Kind) -> Option<&mut Value> {
    match kind {
        Kind::Pod => v.get_mut("spec"),
        Kind::CronJob => v.pointer_mut("/spec/jobTemplate/spec/template/spec"),
        _ => v.pointer_mut("/spec/template/spec"),
    }
}

/// `kubectl set`.
pub fn set(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(sub) = args.first() else {
        return super::group_help(out, "set", "Configure application resources.\n\n These commands help you make changes to existing application resources.\n\nAvailable Commands:\n  env              Update environment variables on a pod template\n  image            Update the image of a pod template\n  resources        Update resource requests/limits on objects with pod templates\n  selector         Set the selector on a resource\n  serviceaccount   Update the service account of a resource\n  subject          Update the user, group, or service account in a role binding or cluster role binding\n\nUsage:\n  kubectl set SUBCOMMAND [options]\n");
    };
    let rest = &args[1..];
    match sub.as_str() {
        "image" => set_image(sh, rest, out),
        "env" => set_env(sh, rest, out),
        "resources" => set_resources(sh, rest, out),
        "selector" => set_selector(sh, rest, out),
        "serviceaccount" | "sa" => set_sa(sh, rest, out),
        _ => super::unknown_subcommand(out, "set", args),
    }
}

/// Splits `set`-style arguments into resources and `KEY=VALUE` specs.
fn split_specs(args: &[String]) -> (Vec<String>, Vec<String>) {
    let idx = args.iter().position(|a| a.contains('=') || (a.ends_with('-') && a.len() > 1 && !a.contains('/'))).unwrap_or(args.len());
    (args[..idx].to_vec(), args[idx..].to_vec())
}

const SET_FLAGS: &[Flag] = &[
    s("selector", Some('l')),
    b("all", None),
    s("filename", Some('f')),
    s("dry-run", None),
    s("output", Some('o')),
    b("local", None),
    b("record", None),
    s("containers", Some('c')),
    s("limits", None),
    s("requests", None),
    s("from", None),
    b("overwrite", None),
    b("list", None),
    s("resource-version", None),
    b("recursive", Some('R')),
];

fn set_image(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl set image", args, SET_FLAGS) else { return };
    let (res, specs) = split_specs(&p.args);
    if res.is_empty() {
        return out.fail("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    if specs.is_empty() {
        return out.fail("at least one image update is required\nSee 'kubectl set image -h' for help and examples");
    }
    let Some(keys) = resolve(sh, out, &p, &res) else { return };
    let pairs: Vec<(String, String)> = specs.iter().map(|s| s.split_once('=').map(|(a, b)| (a.to_string(), b.to_string())).unwrap_or((s.clone(), String::new()))).collect();
    for key in keys {
        if sh.cluster.get(&key).is_none() {
            not_found(out, &key);
            continue;
        }
        let mut missing = None;
        let r = update_json(sh, &key, |v| {
            let Some(spec) = pod_spec_mut(v, key.kind) else { return Err("error: unable to find a pod template".into()) };
            for (c, img) in &pairs {
                let mut found = false;
                for list in ["initContainers", "containers"] {
                    if let Some(arr) = spec.get_mut(list).and_then(Value::as_array_mut) {
                        for ct in arr.iter_mut() {
                            if c == "*" || ct.get("name").and_then(Value::as_str) == Some(c.as_str()) {
                                ct["image"] = json!(img);
                                found = true;
                            }
                        }
                    }
                }
                if !found {
                    missing = Some(c.clone());
                }
            }
            Ok(())
        });
        if let Some(c) = missing {
            report(out, &format!("error: unable to find container named \"{c}\""));
            continue;
        }
        match r {
            Ok(_) => out.outln(format!("{} image updated", ref_name(key.kind, &key.name))),
            Err(e) => report(out, &e),
        }
    }
}

fn set_env(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl set env", args, SET_FLAGS) else { return };
    let (res, specs) = split_specs(&p.args);
    let Some(keys) = resolve(sh, out, &p, &res) else { return };
    for key in keys {
        if p.bool("list") {
            if let Some(o) = sh.cluster.get(&key) {
                let mut v = o.to_json();
                let kind_name = key.kind.info().kind;
                if let Some(spec) = pod_spec_mut(&mut v, key.kind) {
                    for c in spec.get("containers").and_then(Value::as_array).cloned().unwrap_or_default() {
                        out.outln(format!("# {kind_name} {}, container {}", key.name, c.get("name").and_then(Value::as_str).unwrap_or("")));
                        for e in c.get("env").and_then(Value::as_array).cloned().unwrap_or_default() {
                            out.outln(format!("{}={}", e.get("name").and_then(Value::as_str).unwrap_or(""), e.get("value").and_then(Value::as_str).unwrap_or("")));
                        }
                    }
                }
            }
            continue;
        }
        let container = p.get("containers").map(str::to_string);
        let r = update_json(sh, &key, |v| {
            let Some(spec) = pod_spec_mut(v, key.kind) else { return Err("error: unable to find a pod template".into()) };
            if let Some(arr) = spec.get_mut("containers").and_then(Value::as_array_mut) {
                for ct in arr.iter_mut() {
                    if container.as_deref().is_some_and(|c| c != "*" && ct.get("name").and_then(Value::as_str) != Some(c)) {
                        continue;
                    }
                    let env = ct.as_object_mut().map(|m| m.entry("env").or_insert_with(|| json!([])));
                    let Some(env) = env.and_then(Value::as_array_mut) else { continue };
                    for sp in &specs {
                        if let Some(k) = sp.strip_suffix('-').filter(|_| !sp.contains('=')) {
                            env.retain(|e| e.get("name").and_then(Value::as_str) != Some(k));
                        } else if let Some((k, val)) = sp.split_once('=') {
                            match env.iter_mut().find(|e| e.get("name").and_then(Value::as_str) == Some(k)) {
                                Some(e) => e["value"] = json!(val),
                                None => env.push(json!({"name": k, "value": val})),
                            }
                        }
                    }
                }
            }
            Ok(())
        });
        match r {
            Ok(_) => out.outln(format!("{} env updated", ref_name(key.kind, &key.name))),
            Err(e) => report(out, &e),
        }
    }
}

fn parse_resource_list(s: &str) -> Map<String, Value> {
    s.split(',').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), json!(v))).collect()
}

fn set_resources(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl set resources", args, SET_FLAGS) else { return };
    if !p.has("limits") && !p.has("requests") {
        return out.fail("you must specify an update to requests or limits (in the form of --requests/--limits)");
    }
    let Some(keys) = resolve(sh, out, &p, &p.args) else { return };
    let limits = p.get("limits").map(parse_resource_list);
    let requests = p.get("requests").map(parse_resource_list);
    let container = p.get("containers").map(str::to_string);
    for key in keys {
        let r = update_json(sh, &key, |v| {
            let Some(spec) = pod_spec_mut(v, key.kind) else { return Err("error: unable to find a pod template".into()) };
            if let Some(arr) = spec.get_mut("containers").and_then(Value::as_array_mut) {
                for ct in arr.iter_mut() {
                    if container.as_deref().is_some_and(|c| c != "*" && ct.get("name").and_then(Value::as_str) != Some(c)) {
                        continue;
                    }
                    let res = ct.as_object_mut().map(|m| m.entry("resources").or_insert_with(|| json!({})));
                    let Some(res) = res.and_then(Value::as_object_mut) else { continue };
                    for (field, list) in [("limits", &limits), ("requests", &requests)] {
                        if let Some(l) = list {
                            let e = res.entry(field).or_insert_with(|| json!({}));
                            if let Some(m) = e.as_object_mut() {
                                for (k, val) in l {
                                    m.insert(k.clone(), val.clone());
                                }
                            }
                        }
                    }
                }
            }
            pilothouse_engine::api::quantity::normalize_quantities(v);
            Ok(())
        });
        match r {
            Ok(_) => out.outln(format!("{} resource requirements updated", ref_name(key.kind, &key.name))),
            Err(e) => report(out, &e),
        }
    }
}

fn set_selector(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl set selector", args, SET_FLAGS) else { return };
    let (res, specs) = split_specs(&p.args);
    let Some(keys) = resolve(sh, out, &p, &res) else { return };
    if keys.iter().any(|k| k.kind != Kind::Service) {
        return out.fail("setting a selector is only supported for Services");
    }
    let mut sel = Map::new();
    for sp in specs.iter().flat_map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>()) {
        if let Some((k, v)) = sp.split_once('=') {
            sel.insert(k.to_string(), json!(v));
        }
    }
    for key in keys {
        let r = update_json(sh, &key, |v| {
            v["spec"]["selector"] = Value::Object(sel.clone());
            Ok(())
        });
        match r {
            Ok(_) => out.outln(format!("{} selector updated", ref_name(key.kind, &key.name))),
            Err(e) => report(out, &e),
        }
    }
}

fn set_sa(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl set serviceaccount", args, SET_FLAGS) else { return };
    if p.args.len() < 2 {
        return out.fail("serviceaccount is required\nSee 'kubectl set serviceaccount -h' for help and examples");
    }
    let sa = p.args[p.args.len() - 1].clone();
    let Some(keys) = resolve(sh, out, &p, &p.args[..p.args.len() - 1]) else { return };
    for key in keys {
        let r = update_json(sh, &key, |v| {
            let Some(spec) = pod_spec_mut(v, key.kind) else { return Err("error: unable to find a pod template".into()) };
            spec["serviceAccountName"] = json!(sa);
            Ok(())
        });
        match r {
            Ok(_) => out.outln(format!("{} serviceaccount updated", ref_name(key.kind, &key.name))),
            Err(e) => report(out, &e),
        }
    }
}

const LABEL_FLAGS: &[Flag] = &[
    b("overwrite", None),
    b("all", None),
    b("all-namespaces", Some('A')),
    s("selector", Some('l')),
    s("field-selector", None),
    b("list", None),
    b("local", None),
    s("dry-run", None),
    s("output", Some('o')),
    s("resource-version", None),
    s("filename", Some('f')),
    b("recursive", Some('R')),
    s("field-manager", None),
];

/// `kubectl label` (and `annotate` when `labels` is false).
pub fn label(sh: &mut Shell, args: &[String], out: &mut Out, labels: bool) {
    let path = if labels { "kubectl label" } else { "kubectl annotate" };
    let Some(p) = parse_flags(out, path, args, LABEL_FLAGS) else { return };
    let (res, specs) = split_specs(&p.args);
    if res.is_empty() {
        return out.fail("one or more resources must be specified as <resource> <name> or <resource>/<name>");
    }
    if specs.is_empty() && !p.bool("list") {
        return out.fail(format!("at least one {} update is required", if labels { "label" } else { "annotation" }));
    }
    let mut add: Vec<(String, String)> = Vec::new();
    let mut remove: Vec<String> = Vec::new();
    for sp in &specs {
        if let Some((k, v)) = sp.split_once('=') {
            if labels && !valid_label_value(v) {
                return out.fail(format!("invalid label value: \"{sp}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
            }
            add.push((k.to_string(), v.to_string()));
        } else if let Some(k) = sp.strip_suffix('-') {
            remove.push(k.to_string());
        } else {
            return out.fail(format!("invalid {} format: {sp}", if labels { "label" } else { "annotation" }));
        }
    }
    let Some(keys) = resolve(sh, out, &p, &res) else { return };
    let field = if labels { "labels" } else { "annotations" };
    for key in keys {
        let Some(live) = sh.cluster.get(&key) else {
            not_found(out, &key);
            continue;
        };
        let current = if labels { live.metadata().labels.clone() } else { live.metadata().annotations.clone() }.unwrap_or_default();
        if p.bool("list") {
            for (k, v) in &current {
                out.outln(format!("{k}={v}"));
            }
            continue;
        }
        if !p.bool("overwrite") {
            let clashes: Vec<String> = add.iter().filter_map(|(k, v)| current.get(k).filter(|cur| *cur != v).map(|cur| format!("'{k}' already has a value ({cur})"))).collect();
            if !clashes.is_empty() {
                let msg = if labels {
                    format!("{}, and --overwrite is false", clashes[0])
                } else {
                    format!("--overwrite is false but found the following declared annotation(s): {}", clashes.join("; "))
                };
                report(out, &format!("error: {msg}"));
                continue;
            }
        }
        let mut next = current.clone();
        for (k, v) in &add {
            next.insert(k.clone(), v.clone());
        }
        for k in &remove {
            next.remove(k);
        }
        let changed = next != current;
        let msg = if labels {
            if !changed {
                "not labeled"
            } else if !p.bool("overwrite") && next.len() < current.len() {
                "unlabeled"
            } else {
                "labeled"
            }
        } else {
            "annotated"
        };
        if changed {
            let map: Map<String, Value> = next.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            let r = update_json(sh, &key, |v| {
                if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                    if map.is_empty() {
                        m.remove(field);
                    } else {
                        m.insert(field.into(), Value::Object(map));
                    }
                }
                Ok(())
            });
            if let Err(e) = r {
                report(out, &e);
                continue;
            }
        }
        out.outln(format!("{} {msg}", ref_name(key.kind, &key.name)));
    }
}

fn valid_label_value(v: &str) -> bool {
    v.is_empty()
        || (v.len() <= 63
            && v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && v.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()))
}

/// `kubectl taint`.
pub fn taint(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = [b("overwrite", None), b("all", None), s("selector", Some('l')), s("dry-run", None), s("output", Some('o')), s("field-manager", None)];
    let Some(p) = parse_flags(out, "kubectl taint", args, &spec) else { return };
    let idx = p.args.iter().position(|a| a.contains(':') || a.contains('=') || (a.ends_with('-') && !a.contains('/'))).unwrap_or(p.args.len());
    let (res, specs) = (p.args[..idx].to_vec(), p.args[idx..].to_vec());
    if res.is_empty() && !p.bool("all") {
        return out.fail("one or more resources must be specified as <resource> <name>");
    }
    if specs.is_empty() {
        return out.fail("at least one taint update is required");
    }
    let mut add: Vec<(String, String, String)> = Vec::new();
    let mut remove: Vec<(String, Option<String>)> = Vec::new();
    for sp in &specs {
        if let Some(body) = sp.strip_suffix('-') {
            let (k, e) = match body.split_once(':') {
                Some((k, e)) => (k.to_string(), Some(e.to_string())),
                None => (body.to_string(), None),
            };
            let k = k.split('=').next().unwrap_or("").to_string();
            remove.push((k, e));
            continue;
        }
        let Some((kv, effect)) = sp.rsplit_once(':') else {
            return out.fail(format!("invalid taint spec: {sp}, unknown taint spec"));
        };
        if !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
            return out.fail(format!("invalid taint effect: {effect}, unsupported taint effect\nSee 'kubectl taint -h' for help and examples"));
        }
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        add.push((k.to_string(), v.to_string(), effect.to_string()));
    }
    let Some(keys) = resolve(sh, out, &p, &res) else { return };
    for key in keys {
        if key.kind != Kind::Node {
            report(out, &format!("error: invalid resource type {}, only node types are supported", key.kind.info().plural));
            continue;
        }
        let Some(live) = sh.cluster.get(&key) else {
            not_found(out, &key);
            continue;
        };
        let Object::Node(node) = &*live else { continue };
        let mut taints = node.spec.as_ref().and_then(|s| s.taints.clone()).unwrap_or_default();
        let mut err = None;
        for (k, e) in &remove {
            let before = taints.len();
            taints.retain(|t| !(t.key == *k && e.as_ref().is_none_or(|e| &t.effect == e)));
            if taints.len() == before {
                err = Some(match e {
                    Some(e) => format!("taint \"{k}:{e}\" not found"),
                    None => format!("taint \"{k}\" not found"),
                });
            }
        }
        for (k, v, e) in &add {
            if let Some(t) = taints.iter_mut().find(|t| t.key == *k && t.effect == *e) {
                if !p.bool("overwrite") {
                    err = Some(format!("node {} already has {k} taint(s) with same effect(s) and --overwrite is false", key.name));
                    break;
                }
                t.value = if v.is_empty() { None } else { Some(v.clone()) };
            } else {
                taints.push(k8s_openapi::api::core::v1::Taint { key: k.clone(), value: if v.is_empty() { None } else { Some(v.clone()) }, effect: e.clone(), time_added: None });
            }
        }
        if let Some(e) = err {
            report(out, &format!("error: {e}"));
            continue;
        }
        let tv = pilothouse_engine::api::to_json(&taints);
        let r = update_json(sh, &key, |v| {
            if taints.is_empty() {
                if let Some(s) = v.get_mut("spec").and_then(Value::as_object_mut) {
                    s.remove("taints");
                }
            } else {
                v["spec"]["taints"] = tv;
            }
            Ok(())
        });
        match r {
            Ok(_) => {
                let op = if add.is_empty() { "untainted" } else if !remove.is_empty() { "modified" } else { "tainted" };
                out.outln(format!("node/{} {op}", key.name));
            }
            Err(e) => report(out, &e),
        }
    }
}

fn set_unschedulable(sh: &mut Shell, node: &str, value: bool) -> Result<bool, String> {
    let key = ObjectKey::new(Kind::Node, "", node);
    let Some(live) = sh.cluster.get(&key) else {
        return Err(pilothouse_engine::ApiError::not_found(Kind::Node, node).kubectl_message());
    };
    let cur = live.to_json().pointer("/spec/unschedulable").and_then(Value::as_bool).unwrap_or(false);
    if cur == value {
        return Ok(false);
    }
    let patch = json!({"spec": {"unschedulable": if value { Value::Bool(true) } else { Value::Null }}});
    sh.cluster.patch(&key, PatchType::Merge, &patch).map_err(|e| api_err(&e))?;
    Ok(true)
}

/// `kubectl cordon` / `uncordon`.
pub fn cordon(sh: &mut Shell, args: &[String], out: &mut Out, on: bool) {
    let path = if on { "kubectl cordon" } else { "kubectl uncordon" };
    let Some(p) = parse_flags(out, path, args, &[s("selector", Some('l')), s("dry-run", None)]) else { return };
    let nodes: Vec<String> = if p.args.is_empty() {
        match p.get("selector").and_then(|s| Selector::parse(s).ok()) {
            Some(sel) => list_filtered(&sh.cluster, Kind::Node, None, Some(&sel), &[]).iter().map(|o| super::name_of(o)).collect(),
            None => return out.fail(format!("USAGE: {} NODE [flags]\nSee '{path} -h' for help and examples", path.trim_start_matches("kubectl "))),
        }
    } else {
        p.args.iter().map(|a| a.trim_start_matches("node/").trim_start_matches("nodes/").to_string()).collect()
    };
    for n in nodes {
        match set_unschedulable(sh, &n, on) {
            Ok(true) => out.outln(format!("node/{n} {}", if on { "cordoned" } else { "uncordoned" })),
            Ok(false) => out.outln(format!("node/{n} already {}", if on { "cordoned" } else { "uncordoned" })),
            Err(e) => report(out, &e),
        }
    }
}

/// `kubectl drain`.
pub fn drain(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = [
        b("ignore-daemonsets", None),
        b("delete-emptydir-data", None),
        b("delete-local-data", None),
        b("force", None),
        i("grace-period", None),
        d("timeout"),
        s("pod-selector", None),
        s("selector", Some('l')),
        b("disable-eviction", None),
        i("skip-wait-for-delete-timeout", None),
        s("dry-run", None),
        s("chunk-size", None),
    ];
    let Some(p) = parse_flags(out, "kubectl drain", args, &spec) else { return };
    if p.args.is_empty() {
        return out.fail("USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples");
    }
    for arg in p.args.clone() {
        let node = arg.trim_start_matches("node/").trim_start_matches("nodes/").to_string();
        match set_unschedulable(sh, &node, true) {
            Ok(true) => out.outln(format!("node/{node} cordoned")),
            Ok(false) => out.outln(format!("node/{node} already cordoned")),
            Err(e) => {
                report(out, &e);
                continue;
            }
        }
        let pod_sel = p.get("pod-selector").and_then(|s| Selector::parse(s).ok());
        let pods: Vec<std::sync::Arc<Object>> = sh
            .cluster
            .list(Kind::Pod, None)
            .into_iter()
            .filter(|o| matches!(&**o, Object::Pod(pd) if pd.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node.as_str())))
            .filter(|o| pod_sel.as_ref().is_none_or(|s| s.matches(&super::labels_of(o))))
            .collect();
        let mut ds = Vec::new();
        let mut unmanaged = Vec::new();
        let mut local = Vec::new();
        let mut to_evict = Vec::new();
        for o in &pods {
            let Object::Pod(pd) = &**o else { continue };
            let m = &pd.metadata;
            let id = format!("{}/{}", m.namespace.clone().unwrap_or_default(), m.name.clone().unwrap_or_default());
            if m.annotations.as_ref().is_some_and(|a| a.contains_key("kubernetes.io/config.mirror")) {
                continue;
            }
            let finished = matches!(pd.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded") | Some("Failed"));
            let ctrl = pilothouse_engine::api::meta::controller_of(m);
            if let Some(c) = ctrl {
                if c.kind == "DaemonSet" {
                    ds.push(id);
                    continue;
                }
            } else if !finished {
                unmanaged.push(id.clone());
            }
            if pd.spec.as_ref().and_then(|s| s.volumes.as_ref()).is_some_and(|v| v.iter().any(|v| v.empty_dir.is_some())) && !finished {
                local.push(id.clone());
            }
            to_evict.push(ObjectKey::of(o));
        }
        let mut errs = Vec::new();
        let mut warns = Vec::new();
        if !ds.is_empty() {
            if p.bool("ignore-daemonsets") {
                warns.push(format!("ignoring DaemonSet-managed Pods: {}", ds.join(", ")));
            } else {
                errs.push(format!("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {}", ds.join(", ")));
            }
        }
        if !unmanaged.is_empty() {
            if p.bool("force") {
                warns.push(format!("deleting Pods that declare no controller: {}", unmanaged.join(", ")));
            } else {
                errs.push(format!("cannot delete Pods that declare no controller (use --force to override): {}", unmanaged.join(", ")));
            }
        }
        if !local.is_empty() {
            if p.bool("delete-emptydir-data") || p.bool("delete-local-data") {
                warns.push(format!("deleting Pods with local storage: {}", local.join(", ")));
            } else {
                errs.push(format!("cannot delete Pods with local storage (use --delete-emptydir-data to override): {}", local.join(", ")));
            }
        }
        if !errs.is_empty() {
            let joined = if errs.len() == 1 { errs[0].clone() } else { format!("[{}]", errs.join(", ")) };
            out.errln(format!("error: unable to drain node \"{node}\" due to error: {joined}, continuing command..."));
            out.errln("There are pending nodes to be drained:");
            out.errln(format!(" {node}"));
            for e in &errs {
                out.errln(e);
            }
            out.code = 1;
            continue;
        }
        if !warns.is_empty() {
            out.errln(format!("Warning: {}", warns.join("; ")));
        }
        let grace = p.int("grace-period").filter(|g| *g >= 0);
        let limit = p.duration_ms("timeout").filter(|t| *t > 0).unwrap_or(10 * 60_000);
        let disable_eviction = p.bool("disable-eviction");
        // Evict through the Eviction API (honouring PodDisruptionBudgets), retrying every 5 s
        // as kubectl does while a budget refuses.
        let mut pending: Vec<ObjectKey> = to_evict.clone();
        let started = sh.cluster.now_ms();
        let mut announced: Vec<ObjectKey> = Vec::new();
        while !pending.is_empty() {
            let mut still = Vec::new();
            for k in pending {
                if !announced.contains(&k) {
                    out.outln(format!("evicting pod {}/{}", k.namespace, k.name));
                    announced.push(k.clone());
                }
                let result = if disable_eviction || grace.is_some() {
                    sh.cluster.delete(&k, &DeleteOptions { grace_period: grace, ..Default::default() }).map(|_| ())
                } else {
                    sh.cluster.evict(&k)
                };
                if let Err(e) = result {
                    if e.reason() == "TooManyRequests" {
                        out.errln(format!("error when evicting pods/\"{}\" -n \"{}\" (will retry after 5s): {e}", k.name, k.namespace));
                        still.push(k);
                    }
                }
            }
            pending = still;
            if pending.is_empty() || sh.cluster.now_ms() - started >= limit {
                break;
            }
            sh.cluster.advance(5_000);
        }
        if !pending.is_empty() {
            let left: Vec<String> = pending.iter().map(|k| format!("{}/{}", k.namespace, k.name)).collect();
            out.fail(format!("unable to drain node \"{node}\" due to error: error when evicting pods/\"{}\": global timeout reached", left.join(", ")));
            continue;
        }
        let keys = to_evict.clone();
        let mut reported: Vec<ObjectKey> = Vec::new();
        let mut lines: Vec<String> = Vec::new();
        sh.run_until(limit, |sh| {
            for k in &keys {
                if !reported.contains(k) && sh.cluster.get(k).is_none_or(|o| o.metadata().uid.is_none()) {
                    reported.push(k.clone());
                    lines.push(format!("pod/{} evicted", k.name));
                }
            }
            reported.len() == keys.len()
        });
        for l in lines {
            out.outln(l);
        }
        if reported.len() == keys.len() {
            out.outln(format!("node/{node} drained"));
        } else {
            let left: Vec<String> = keys.iter().filter(|k| !reported.contains(k)).map(|k| format!("{}/{}", k.namespace, k.name)).collect();
            out.fail(format!("unable to drain node \"{node}\" due to error: error when waiting for pod \"{}\" terminating: global timeout reached", left.join(", ")));
        }
    }
}

const EXPOSE_FLAGS: &[Flag] = &[
    s("port", None),
    s("target-port", None),
    s("type", None),
    s("name", None),
    s("protocol", None),
    s("selector", None),
    s("labels", Some('l')),
    s("external-ip", None),
    s("load-balancer-ip", None),
    s("session-affinity", None),
    s("cluster-ip", None),
    s("dry-run", None),
    s("output", Some('o')),
    s("filename", Some('f')),
    s("override-type", None),
    s("overrides", None),
    b("save-config", None),
    s("field-manager", None),
    b("recursive", Some('R')),
];

/// `kubectl expose`.
pub fn expose(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl expose", args, EXPOSE_FLAGS) else { return };
    if p.args.is_empty() {
        return out.fail("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let Some(keys) = resolve(sh, out, &p, &p.args) else { return };
    for key in keys {
        let Some(live) = sh.cluster.get(&key) else {
            not_found(out, &key);
            continue;
        };
        let selector: Option<Map<String, Value>> = match p.get("selector") {
            Some(s) => Some(s.split(',').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), json!(v))).collect()),
            None => match &*live {
                Object::Pod(pd) => pd.metadata.labels.clone().filter(|l| !l.is_empty()).map(|l| l.into_iter().map(|(k, v)| (k, json!(v))).collect()),
                Object::Service(sv) => sv.spec.as_ref().and_then(|s| s.selector.clone()).map(|l| l.into_iter().map(|(k, v)| (k, json!(v))).collect()),
                Object::Deployment(_) | Object::ReplicaSet(_) | Object::StatefulSet(_) | Object::DaemonSet(_) => {
                    let v = live.to_json();
                    let sel = v.pointer("/spec/selector").cloned().unwrap_or(Value::Null);
                    if sel.get("matchExpressions").and_then(Value::as_array).is_some_and(|a| !a.is_empty()) {
                        report(out, &format!("error: couldn't convert expressions - \"{}\" to map-based selector format", pilothouse_engine::selector::format_label_selector(&pilothouse_engine::api::typed_from_json(sel.clone()).unwrap_or_default())));
                        continue;
                    }
                    sel.get("matchLabels").and_then(Value::as_object).cloned()
                }
                other => {
                    report(out, &format!("error: cannot expose a {}", other.kind()));
                    continue;
                }
            },
        };
        let Some(selector) = selector else {
            let what = match key.kind {
                Kind::Pod => "the pod has no labels and cannot be exposed",
                _ => "the resource has no selector",
            };
            report(out, &format!("error: couldn't retrieve selectors via --selector flag or introspection: {what}"));
            continue;
        };
        // Ports: --port, else the object's container (or service) ports.
        let protocol = p.get("protocol").map(str::to_string);
        let mut ports: Vec<(i32, Option<String>, String)> = Vec::new();
        if let Some(port) = p.get("port") {
            for part in port.split(',') {
                let Ok(n) = part.trim().parse::<i32>() else {
                    report(out, &format!("error: invalid port: {part}"));
                    return;
                };
                ports.push((n, None, protocol.clone().unwrap_or_else(|| "TCP".into())));
            }
        } else {
            let v = live.to_json();
            let containers = match key.kind {
                Kind::Pod => v.pointer("/spec/containers").cloned(),
                Kind::Service => None,
                _ => v.pointer("/spec/template/spec/containers").cloned(),
            };
            if key.kind == Kind::Service {
                for sp in v.pointer("/spec/ports").and_then(Value::as_array).cloned().unwrap_or_default() {
                    let n = sp.get("port").and_then(Value::as_i64).unwrap_or(0) as i32;
                    ports.push((n, sp.get("name").and_then(Value::as_str).map(str::to_string), sp.get("protocol").and_then(Value::as_str).unwrap_or("TCP").to_string()));
                }
            }
            for c in containers.and_then(|c| c.as_array().cloned()).unwrap_or_default() {
                for cp in c.get("ports").and_then(Value::as_array).cloned().unwrap_or_default() {
                    let n = cp.get("containerPort").and_then(Value::as_i64).unwrap_or(0) as i32;
                    let proto = protocol.clone().unwrap_or_else(|| cp.get("protocol").and_then(Value::as_str).unwrap_or("TCP").to_string());
                    ports.push((n, cp.get("name").and_then(Value::as_str).map(str::to_string), proto));
                }
            }
        }
        if ports.is_empty() {
            report(out, "error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples");
            continue;
        }
        let multi = ports.len() > 1;
        let target = p.get("target-port").map(|t| match t.parse::<i32>() {
            Ok(n) => json!(n),
            Err(_) => json!(t),
        });
        let port_values: Vec<Value> = ports
            .iter()
            .enumerate()
            .map(|(i, (n, name, proto))| {
                let mut m = Map::new();
                if multi {
                    m.insert("name".into(), json!(name.clone().unwrap_or_else(|| format!("port-{}", i + 1))));
                }
                m.insert("port".into(), json!(n));
                m.insert("protocol".into(), json!(proto));
                m.insert("targetPort".into(), target.clone().unwrap_or(json!(n)));
                Value::Object(m)
            })
            .collect();
        let name = p.get("name").map(str::to_string).unwrap_or(key.name.clone());
        let labels: Option<Value> = match p.get("labels") {
            Some(l) => Some(Value::Object(l.split(',').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), json!(v))).collect())),
            None => live.metadata().labels.clone().filter(|l| !l.is_empty()).map(|l| json!(l)),
        };
        let mut meta = Map::new();
        meta.insert("creationTimestamp".into(), Value::Null);
        if let Some(l) = labels {
            meta.insert("labels".into(), l);
        }
        meta.insert("name".into(), json!(name));
        let mut spec = Map::new();
        if let Some(ip) = p.get("cluster-ip") {
            spec.insert("clusterIP".into(), json!(ip));
        }
        if let Some(ip) = p.get("external-ip") {
            spec.insert("externalIPs".into(), json!([ip]));
        }
        if let Some(ip) = p.get("load-balancer-ip") {
            spec.insert("loadBalancerIP".into(), json!(ip));
        }
        spec.insert("ports".into(), Value::Array(port_values));
        spec.insert("selector".into(), Value::Object(selector));
        if let Some(a) = p.get("session-affinity") {
            spec.insert("sessionAffinity".into(), json!(a));
        }
        if let Some(t) = p.get("type") {
            let t = match t.to_ascii_lowercase().as_str() {
                "clusterip" => "ClusterIP".to_string(),
                "nodeport" => "NodePort".to_string(),
                "loadbalancer" => "LoadBalancer".to_string(),
                "externalname" => "ExternalName".to_string(),
                _ => t.to_string(),
            };
            spec.insert("type".into(), json!(t));
        }
        let value = json!({ "apiVersion": "v1", "kind": "Service", "metadata": Value::Object(meta), "spec": Value::Object(spec), "status": { "loadBalancer": {} } });
        let mut tmp = Out::default();
        let mut q = p.clone();
        if !key.namespace.is_empty() {
            q.values.insert("namespace", vec![key.namespace.clone()]);
        }
        finish(sh, &mut tmp, &q, Kind::Service, value);
        out.out(tmp.stdout().replace(" created", " exposed"));
        out.err(tmp.stderr());
        if tmp.code != 0 {
            out.code = tmp.code;
        }
    }
}
