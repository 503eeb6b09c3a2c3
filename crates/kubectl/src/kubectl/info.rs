//! Informational commands: `top`, `events`, `explain`, `api-resources`, `api-versions`,
//! `version`, `cluster-info`, `config`, `auth can-i`.

use super::{namespace, parse_flags};
use crate::flags::{b, s};
use crate::printers;
use crate::shell::{Out, Shell};
use crate::tab;
use pilothouse_engine::api::{Kind, Object, ObjectKey};

/// The kubectl client version we imitate.
pub const CLIENT_VERSION: &str = "v1.32.0";
/// The bundled Kustomize version.
pub const KUSTOMIZE_VERSION: &str = "v5.5.0";

/// One-line help for `kubectl CMD --help`.
pub fn short_help(cmd: &str) -> String {
    let line = super::KUBECTL_HELP.lines().find(|l| l.trim_start().starts_with(cmd) && l.trim_start()[cmd.len()..].starts_with(' '));
    match line {
        Some(l) => l.trim_start()[cmd.len()..].trim().to_string(),
        None => format!("kubectl {cmd}"),
    }
}

fn metrics_ready(sh: &Shell) -> bool {
    if !sh.cluster.addons.get("metrics-server").copied().unwrap_or(false) {
        return false;
    }
    sh.cluster.list(Kind::Pod, Some("kube-system")).iter().any(|o| match &**o {
        Object::Pod(p) => p.metadata.name.as_deref().is_some_and(|n| n.starts_with("metrics-server")) && pilothouse_engine::controllers::pod_is_ready(p),
        _ => false,
    })
}

fn pod_usage(sh: &Shell, key: &ObjectKey, pod: &k8s_openapi::api::core::v1::Pod) -> Vec<(String, u64, u64)> {
    let Some(rt) = sh.cluster.kubelets.pods.get(key) else { return Vec::new() };
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .filter_map(|c| {
            let r = rt.containers.iter().find(|x| x.name == c.name && !x.init)?;
            if !matches!(r.stage, pilothouse_engine::kubelet::Stage::Running(_)) {
                return None;
            }
            Some((c.name.clone(), r.program.cpu.max(1), r.memory))
        })
        .collect()
}

/// `kubectl top`.
pub fn top(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = [b("all-namespaces", Some('A')), s("selector", Some('l')), b("containers", None), b("no-headers", None), s("sort-by", None), b("use-protocol-buffers", None), b("sum", None), s("field-selector", None), b("show-capacity", None)];
    // A flag error names the subcommand (`kubectl top pod --help`).
    let path = match args.iter().find(|a| !a.starts_with('-')).map(String::as_str) {
        Some("node" | "nodes" | "no") => "kubectl top node",
        Some("pod" | "pods" | "po") => "kubectl top pod",
        _ => "kubectl top",
    };
    let Some(p) = parse_flags(out, path, args, &spec) else { return };
    let what = p.args.first().cloned().unwrap_or_default();
    if what.is_empty() {
        return super::group_help(out, "top", "Display resource (CPU/memory) usage.\n\n The top command allows you to see the resource consumption for nodes or pods.\n\n This command requires Metrics Server to be correctly configured and working on the server.\n\nAvailable Commands:\n  node          Display resource (CPU/memory) usage of nodes\n  pod           Display resource (CPU/memory) usage of pods\n\nUsage:\n  kubectl top [flags] [options]\n");
    }
    if !matches!(what.as_str(), "node" | "nodes" | "no" | "pod" | "pods" | "po") {
        return super::unknown_subcommand(out, "top", &p.args);
    }
    if !metrics_ready(sh) {
        return out.fail("Metrics API not available");
    }
    let ns = namespace(sh, &p);
    match what.as_str() {
        "node" | "nodes" | "no" => {
            let mut rows = vec![vec!["NAME".to_string(), "CPU(cores)".into(), "CPU(%)".into(), "MEMORY(bytes)".into(), "MEMORY(%)".into(), String::new()]];
            if p.bool("no-headers") {
                rows.clear();
            }
            for o in sh.cluster.list(Kind::Node, None) {
                let Object::Node(n) = &*o else { continue };
                let name = n.metadata.name.clone().unwrap_or_default();
                if p.args.len() > 1 && p.args[1] != name {
                    continue;
                }
                let alloc = n.status.as_ref().and_then(|s| s.allocatable.clone()).unwrap_or_default();
                let cpu_cap = alloc.get("cpu").and_then(|q| pilothouse_engine::api::quantity::parse_int(&q.0)).unwrap_or(2) * 1000;
                let mem_cap = alloc.get("memory").and_then(|q| pilothouse_engine::api::quantity::parse_int(&q.0)).unwrap_or(1).max(1);
                let mut cpu: u64 = 0;
                for po in sh.cluster.list(Kind::Pod, None) {
                    if let Object::Pod(pd) = &*po {
                        if pd.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name.as_str()) {
                            cpu += pod_usage(sh, &ObjectKey::of(&po), pd).iter().map(|u| u.1).sum::<u64>();
                        }
                    }
                }
                let mem = sh.cluster.kubelets.node_memory_used(&sh.cluster.api, &name);
                rows.push(vec![
                    name,
                    format!("{cpu}m"),
                    format!("{}%", cpu as i64 * 100 / cpu_cap.max(1)),
                    format!("{}Mi", mem / (1024 * 1024)),
                    format!("{}%", mem as i64 * 100 / mem_cap),
                    String::new(),
                ]);
            }
            out.out(tab::align(&rows, 6, 3, &mut Vec::new()));
        }
        "pod" | "pods" | "po" => {
            let all = p.bool("all-namespaces");
            let sel = p.get("selector").and_then(|s| pilothouse_engine::selector::Selector::parse(s).ok());
            let pods = super::list_filtered(&sh.cluster, Kind::Pod, if all { None } else { Some(&ns.ns) }, sel.as_ref(), &[]);
            let mut rows: Vec<Vec<String>> = Vec::new();
            let containers = p.bool("containers");
            let mut header = Vec::new();
            if all {
                header.push("NAMESPACE".to_string());
            }
            header.push("POD".to_string());
            if containers {
                header.insert(header.len(), "NAME".to_string());
            } else {
                header.pop();
                header.push("NAME".to_string());
            }
            header.extend(["CPU(cores)".to_string(), "MEMORY(bytes)".to_string(), String::new()]);
            if containers {
                header = if all { vec!["NAMESPACE".into(), "POD".into(), "NAME".into()] } else { vec!["POD".into(), "NAME".into()] };
                header.extend(["CPU(cores)".to_string(), "MEMORY(bytes)".to_string(), String::new()]);
            }
            if !p.bool("no-headers") {
                rows.push(header);
            }
            let mut any = false;
            for o in pods {
                let Object::Pod(pd) = &*o else { continue };
                let name = pd.metadata.name.clone().unwrap_or_default();
                if p.args.len() > 1 && p.args[1] != name {
                    continue;
                }
                let usage = pod_usage(sh, &ObjectKey::of(&o), pd);
                if usage.is_empty() {
                    continue;
                }
                any = true;
                let mut prefix = Vec::new();
                if all {
                    prefix.push(pd.metadata.namespace.clone().unwrap_or_default());
                }
                if containers {
                    for (c, cpu, mem) in usage {
                        let mut r = prefix.clone();
                        r.extend([name.clone(), c, format!("{cpu}m"), format!("{}Mi", mem / (1024 * 1024)), String::new()]);
                        rows.push(r);
                    }
                } else {
                    let cpu: u64 = usage.iter().map(|u| u.1).sum();
                    let mem: u64 = usage.iter().map(|u| u.2).sum();
                    let mut r = prefix;
                    r.extend([name.clone(), format!("{cpu}m"), format!("{}Mi", mem / (1024 * 1024)), String::new()]);
                    rows.push(r);
                }
            }
            if !any {
                if p.args.len() > 1 {
                    return out.fail(format!("pods \"{}\" not found", p.args[1]));
                }
                out.errln(super::get::no_resources(true, &ns.ns, all));
                return;
            }
            out.out(tab::align(&rows, 6, 3, &mut Vec::new()));
        }
        _ => super::unknown_subcommand(out, "top", &p.args),
    }
}

/// Which events `kubectl events` shows.
#[derive(Clone, Debug)]
pub struct EventFilter {
    /// Namespace (`None` = all namespaces, which adds the NAMESPACE column).
    pub ns: Option<String>,
    /// `--types` (empty = all).
    pub types: Vec<String>,
    /// `--for KIND/NAME`.
    pub for_obj: Option<(Kind, String)>,
}

impl EventFilter {
    /// Whether an event passes the filter (namespace aside).
    pub fn matches(&self, e: &k8s_openapi::api::core::v1::Event) -> bool {
        (self.types.is_empty() || self.types.iter().any(|t| t.eq_ignore_ascii_case(e.type_.as_deref().unwrap_or_default())))
            && self.for_obj.as_ref().is_none_or(|(k, n)| e.involved_object.kind.as_deref() == Some(k.info().kind) && e.involved_object.name.as_deref() == Some(n.as_str()))
    }
}

/// The header of `kubectl events`' table.
pub fn event_header(all: bool) -> Vec<String> {
    let mut h = Vec::new();
    if all {
        h.push("NAMESPACE".to_string());
    }
    h.extend(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"].iter().map(|s| s.to_string()));
    h
}

/// One row of `kubectl events`' table (kubectl's EventPrinter).
pub fn event_row(e: &k8s_openapi::api::core::v1::Event, all: bool, now: chrono::DateTime<chrono::Utc>) -> Vec<String> {
    let last = e.last_timestamp.as_ref().map(|t| t.0).or(e.metadata.creation_timestamp.as_ref().map(|t| t.0)).unwrap_or(now);
    let first = e.event_time.as_ref().map(|t| t.0).or(e.first_timestamp.as_ref().map(|t| t.0)).unwrap_or(last);
    let count = e.count.unwrap_or(1);
    let seen = if count > 1 {
        format!("{} (x{count} over {})", printers::human_duration(now - last), printers::human_duration(now - first))
    } else {
        printers::human_duration(now - first)
    };
    let obj = format!("{}/{}", e.involved_object.kind.clone().unwrap_or_default(), e.involved_object.name.clone().unwrap_or_default());
    let mut r = Vec::new();
    if all {
        r.push(e.metadata.namespace.clone().unwrap_or_default());
    }
    r.extend([seen, e.type_.clone().unwrap_or_default(), e.reason.clone().unwrap_or_default(), obj, e.message.clone().unwrap_or_default().trim().to_string()]);
    r
}

/// `kubectl events`.
pub fn events(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = [b("all-namespaces", Some('A')), s("for", None), s("types", None), b("watch", Some('w')), b("no-headers", None), s("output", Some('o')), s("chunk-size", None)];
    let Some(p) = parse_flags(out, "kubectl events", args, &spec) else { return };
    let ns = namespace(sh, &p);
    let all = p.bool("all-namespaces");
    let types: Vec<String> = p.slice("types");
    for t in &types {
        if !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning") {
            return out.fail("valid --types are Normal or Warning");
        }
    }
    let for_obj: Option<(Kind, String)> = match p.get("for") {
        Some(f) => match f.split_once('/') {
            Some((t, n)) => match super::lookup_kinds(t) {
                Ok(k) => Some((k[0], n.to_string())),
                Err(e) => return out.fail(e),
            },
            None => Some((Kind::Pod, f.to_string())),
        },
        None => None,
    };
    let filter = EventFilter { ns: if all { None } else { Some(ns.ns.clone()) }, types, for_obj };
    let format = match p.get("output") {
        Some(o) => match printers::parse_output_format(o) {
            Ok(f) => Some(f),
            Err(e) => return out.fail(e),
        },
        None => None,
    };
    if p.bool("watch") {
        // A watch without a resourceVersion: the existing events arrive first as ADDED, in
        // storage order, then every new or updated one; each printed and flushed on its own.
        let w = crate::watch::Watch::events(sh, filter, format, p.bool("no-headers"));
        return crate::watch::start(sh, w, out);
    }
    let mut evs: Vec<k8s_openapi::api::core::v1::Event> = sh
        .cluster
        .list(Kind::Event, filter.ns.as_deref())
        .iter()
        .filter_map(|o| match &**o {
            Object::Event(e) => Some(e.clone()),
            _ => None,
        })
        .filter(|e| filter.matches(e))
        .collect();
    pilothouse_engine::sort::sort_by_key(&mut evs, |e| (e.last_timestamp.as_ref().map(|t| t.0), e.metadata.creation_timestamp.as_ref().map(|t| t.0)));
    if evs.is_empty() {
        out.errln(if all { "No events found.".to_string() } else { format!("No events found in {} namespace.", ns.ns) });
        return;
    }
    if let Some(f) = format {
        let objs: Vec<Object> = evs.into_iter().map(Object::Event).collect();
        let refs: Vec<&Object> = objs.iter().collect();
        match printers::print_objects(&refs, &f, false, false) {
            Ok(s) => out.out(s),
            Err(e) => out.fail(e),
        }
        return;
    }
    let now = sh.cluster.api.clock.now();
    let mut rows = Vec::new();
    if !p.bool("no-headers") {
        rows.push(event_header(all));
    }
    for e in evs {
        rows.push(event_row(&e, all, now));
    }
    out.out(tab::align(&rows, 6, 3, &mut Vec::new()));
}

/// `kubectl api-resources`.
pub fn api_resources(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = [b("namespaced", None), s("api-group", None), s("output", Some('o')), b("no-headers", None), s("verbs", None), s("sort-by", None), b("cached", None), s("categories", None)];
    let Some(p) = parse_flags(out, "kubectl api-resources", args, &spec) else { return };
    let _ = sh;
    if let Some(o) = p.get("output").filter(|o| !matches!(*o, "" | "wide" | "name")) {
        return out.fail(format!("--output {o} is not available"));
    }
    // kubectl sorts by API group (or `--sort-by name|kind`), then by name.
    let mut kinds: Vec<Kind> = Kind::ALL.to_vec();
    match p.get("sort-by") {
        Some("name") => pilothouse_engine::sort::sort_by_key(&mut kinds, |k| k.info().plural),
        Some("kind") => pilothouse_engine::sort::sort_by_key(&mut kinds, |k| (k.info().kind, k.info().plural)),
        None => pilothouse_engine::sort::sort_by_key(&mut kinds, |k| (k.info().group, k.info().plural)),
        Some(_) => return out.fail("--sort-by accepts only name or kind"),
    }
    let mut rows = Vec::new();
    let name_only = p.get("output") == Some("name");
    let wide = p.get("output") == Some("wide");
    if !p.bool("no-headers") && !name_only {
        let mut h = vec!["NAME".to_string(), "SHORTNAMES".into(), "APIVERSION".into(), "NAMESPACED".into(), "KIND".into()];
        if wide {
            h.extend(["VERBS".to_string(), "CATEGORIES".into()]);
        }
        rows.push(h);
    }
    // --verbs and --categories (each repeatable and comma-separated): resources with all of them.
    let wanted = |flag: &str| -> Vec<String> { p.all(flag).iter().flat_map(|v| v.split(',')).filter(|v| !v.is_empty()).map(str::to_string).collect() };
    let (want_verbs, want_categories) = (wanted("verbs"), wanted("categories"));
    for k in kinds {
        let i = k.info();
        if p.has("namespaced") && p.bool("namespaced") != i.namespaced {
            continue;
        }
        if let Some(g) = p.get("api-group") {
            if g != i.group {
                continue;
            }
        }
        let (verbs, categories) = (resource_verbs(k), resource_categories(k));
        if !want_verbs.iter().all(|v| verbs.contains(&v.as_str())) || !want_categories.iter().all(|c| categories.contains(&c.as_str())) {
            continue;
        }
        if name_only {
            out.outln(i.resource_name());
            continue;
        }
        let mut row = vec![i.plural.to_string(), i.short.join(","), i.api_version(), i.namespaced.to_string(), i.kind.to_string()];
        if wide {
            row.extend([verbs.join(","), categories.join(",")]);
        }
        rows.push(row);
        if k == Kind::Event {
            // Events are also served by events.k8s.io.
        }
    }
    if !name_only {
        out.out(tab::align(&rows, 6, 3, &mut Vec::new()));
    }
}

/// The verbs the API server lists for a resource in discovery (namespaces have no
/// deletecollection).
fn resource_verbs(k: Kind) -> &'static [&'static str] {
    if k == Kind::Namespace {
        &["create", "delete", "get", "list", "patch", "update", "watch"]
    } else {
        &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    }
}

/// The categories a resource belongs to (`kubectl get all` lists category `all`).
fn resource_categories(k: Kind) -> &'static [&'static str] {
    match k {
        Kind::Pod | Kind::Service | Kind::DaemonSet | Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::HorizontalPodAutoscaler | Kind::CronJob | Kind::Job => &["all"],
        _ => &[],
    }
}

/// `kubectl api-versions`.
pub fn api_versions(_sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(_p) = parse_flags(out, "kubectl api-versions", args, &[]) else { return };
    let mut v: Vec<String> = Kind::ALL.iter().map(|k| k.info().api_version()).collect();
    pilothouse_engine::sort::sort(&mut v);
    v.dedup();
    for x in v {
        out.outln(x);
    }
}

/// `kubectl version`.
pub fn version(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl version", args, &[b("client", None), s("output", Some('o'))]) else { return };
    let server = sh.cluster.options.kubernetes_version.clone();
    let reachable = crate::minikube::unreachable(sh).is_none();
    match p.get("output") {
        Some(o @ ("yaml" | "json")) => {
            let mut v = serde_json::json!({
                "clientVersion": {"buildDate": "2024-12-11T18:04:20Z", "compiler": "gc", "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53", "gitTreeState": "clean", "gitVersion": CLIENT_VERSION, "goVersion": "go1.23.3", "major": "1", "minor": "32", "platform": "linux/amd64"},
                "kustomizeVersion": KUSTOMIZE_VERSION
            });
            if !p.bool("client") && reachable {
                let minor = server.split('.').nth(1).unwrap_or("32").to_string();
                v["serverVersion"] = serde_json::json!({"buildDate": "2024-12-11T17:59:15Z", "compiler": "gc", "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53", "gitTreeState": "clean", "gitVersion": server, "goVersion": "go1.23.3", "major": "1", "minor": minor, "platform": "linux/amd64"});
            }
            out.out(if o == "yaml" { printers::to_yaml(&v) } else { printers::to_json(&v) });
        }
        Some(_) => out.fail("--output must be 'yaml' or 'json'"),
        None => {
            out.outln(format!("Client Version: {CLIENT_VERSION}"));
            out.outln(format!("Kustomize Version: {KUSTOMIZE_VERSION}"));
            if p.bool("client") {
                return;
            }
            match crate::minikube::unreachable(sh) {
                Some(msg) => {
                    out.errln(msg);
                    out.code = 1;
                }
                None => {
                    out.outln(format!("Server Version: {server}"));
                    let minor: i64 = server.split('.').nth(1).and_then(|m| m.parse().ok()).unwrap_or(32);
                    if (minor - 32).abs() > 1 {
                        out.errln(format!("WARNING: version difference between client (1.32) and server (1.{minor}) exceeds the supported minor version skew of +/-1"));
                    }
                }
            }
        }
    }
}

/// `kubectl cluster-info`.
pub fn cluster_info(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl cluster-info", args, &[s("output-directory", None), b("all-namespaces", Some('A'))]) else { return };
    if p.args.first().map(String::as_str) == Some("dump") {
        return out.fail("\"kubectl cluster-info dump\" is not supported in Pilothouse yet");
    }
    let ip = crate::minikube::node_ip(sh);
    out.outln(format!("Kubernetes control plane is running at https://{ip}:8443"));
    if sh.cluster.get(&ObjectKey::new(Kind::Service, "kube-system", "kube-dns")).is_some() {
        out.outln(format!("CoreDNS is running at https://{ip}:8443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy"));
    }
    out.outln("");
    out.outln("To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.");
}

/// `kubectl config ...`.
pub fn config(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = [
        b("minify", None),
        b("raw", None),
        b("flatten", None),
        s("output", Some('o')),
        b("current", None),
        s("namespace-x", None),
        s("cluster", None),
        s("user", None),
        b("no-headers", None),
    ];
    let sub = args.first().cloned().unwrap_or_default();
    let rest: Vec<String> = args.iter().skip(1).cloned().collect();
    let Some(p) = parse_flags(out, format!("kubectl config {sub}").trim_end(), &rest, &spec) else { return };
    let contexts = crate::minikube::contexts(sh);
    let current = crate::minikube::current_context(sh);
    match sub.as_str() {
        "view" => {
            let last_update = "Wed, 01 Jan 2025 00:00:00 UTC";
            let shown: Vec<(String, String)> = if p.bool("minify") { contexts.iter().filter(|c| Some(&c.0) == current.as_ref()).cloned().collect() } else { contexts.clone() };
            let ext = |name: &str| serde_json::json!([{"extension": {"last-update": last_update, "provider": "minikube.sigs.k8s.io", "version": "v1.35.0"}, "name": name}]);
            let clusters: Vec<serde_json::Value> = shown
                .iter()
                .map(|(c, _)| serde_json::json!({"cluster": {"certificate-authority": format!("{}/.minikube/ca.crt", crate::HOME), "extensions": ext("cluster_info"), "server": format!("https://{}:8443", crate::minikube::profile_ip(sh, c))}, "name": c}))
                .collect();
            let ctxs: Vec<serde_json::Value> = shown
                .iter()
                .map(|(c, ns)| {
                    let mut ctx = serde_json::json!({"cluster": c, "extensions": ext("context_info"), "user": c});
                    if !ns.is_empty() {
                        ctx["namespace"] = serde_json::json!(ns);
                    }
                    serde_json::json!({"context": ctx, "name": c})
                })
                .collect();
            let users: Vec<serde_json::Value> = shown
                .iter()
                .map(|(c, _)| {
                    // minikube's kubeconfig names files, so --raw shows the same (kubectl only
                    // hides *-data fields).
                    let user = serde_json::json!({"client-certificate": format!("{}/.minikube/profiles/{c}/client.crt", crate::HOME), "client-key": format!("{}/.minikube/profiles/{c}/client.key", crate::HOME)});
                    serde_json::json!({"name": c, "user": user})
                })
                .collect();
            let nullable = |v: Vec<serde_json::Value>| if v.is_empty() { serde_json::Value::Null } else { serde_json::Value::Array(v) };
            let v = serde_json::json!({
                "apiVersion": "v1",
                "clusters": nullable(clusters),
                "contexts": nullable(ctxs),
                "current-context": current.clone().unwrap_or_default(),
                "kind": "Config",
                "preferences": {},
                "users": nullable(users)
            });
            match p.get("output") {
                // A typed Config: its fields in Go's order (the YAML goes through a map: sorted).
                Some("json") => out.out(printers::to_json_in_order(&config_in_go_order(&v))),
                Some(o) if o.starts_with("jsonpath") => match printers::parse_output_format(o) {
                    Ok(printers::OutputFormat::JsonPath(t)) => match printers::jsonpath_on(&v, &t, false) {
                        Ok(text) => out.out(text),
                        Err(e) => out.fail(e),
                    },
                    Ok(printers::OutputFormat::JsonPathJson(t)) => match printers::jsonpath_on(&v, &t, true) {
                        Ok(text) => out.out(text),
                        Err(e) => out.fail(e),
                    },
                    Ok(_) => {}
                    Err(e) => out.fail(e),
                },
                _ => out.out(printers::to_yaml(&v)),
            }
        }
        "current-context" => match current {
            Some(c) => out.outln(c),
            None => out.fail("current-context is not set"),
        },
        "get-contexts" => {
            let mut rows = Vec::new();
            if !p.bool("no-headers") && p.get("output") != Some("name") {
                rows.push(vec!["CURRENT".to_string(), "NAME".into(), "CLUSTER".into(), "AUTHINFO".into(), "NAMESPACE".into()]);
            }
            for (c, ns) in &contexts {
                if !p.args.is_empty() && !p.args.contains(c) {
                    continue;
                }
                if p.get("output") == Some("name") {
                    out.outln(c);
                    continue;
                }
                rows.push(vec![if Some(c) == current.as_ref() { "*".into() } else { String::new() }, c.clone(), c.clone(), c.clone(), ns.clone()]);
            }
            if !p.args.is_empty() && rows.len() <= 1 {
                return out.fail(format!("context {} not found", p.args[0]));
            }
            out.out(tab::align(&rows, 6, 3, &mut Vec::new()));
        }
        "get-clusters" => {
            out.outln("NAME");
            for (c, _) in &contexts {
                out.outln(c);
            }
        }
        "get-users" => {
            out.outln("NAME");
            for (c, _) in &contexts {
                out.outln(c);
            }
        }
        "use-context" | "use" => {
            let Some(name) = p.args.first() else {
                // cobra's ExactArgs: the command's usage, then the error.
                out.out("Set the current-context in a kubeconfig file.\n\nAliases:\nuse-context, use\n\nExamples:\n  # Use the context for the minikube cluster\n  kubectl config use-context minikube\n\nUsage:\n  kubectl config use-context CONTEXT_NAME [options]\n\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n");
                return out.fail("Unexpected args: []");
            };
            if !contexts.iter().any(|c| &c.0 == name) {
                return out.fail(format!("no context exists with the name: \"{name}\""));
            }
            crate::minikube::use_context(sh, name);
            out.outln(format!("Switched to context \"{name}\"."));
        }
        "set-context" => {
            let ns_val = args.iter().skip(1).find_map(|a| a.strip_prefix("--namespace=").map(str::to_string)).or_else(|| {
                let idx = args.iter().position(|a| a == "--namespace" || a == "-n")?;
                args.get(idx + 1).cloned()
            });
            let target = if p.bool("current") { current.clone() } else { p.args.first().cloned() };
            let Some(target) = target else {
                return out.fail("you must specify a non-empty context name or --current");
            };
            if !contexts.iter().any(|c| c.0 == target) {
                return out.fail(format!("Pilothouse only has the minikube profiles' contexts; \"{target}\" does not exist"));
            }
            if let Some(n) = ns_val {
                crate::minikube::set_context_namespace(sh, &target, &n);
            }
            out.outln(format!("Context \"{target}\" modified."));
        }
        "rename-context" | "delete-context" | "set-cluster" | "set-credentials" | "set" | "unset" | "delete-cluster" | "delete-user" => {
            out.fail(format!("\"kubectl config {sub}\" is not supported in Pilothouse (the kubeconfig follows the minikube profiles)"));
        }
        "" => super::group_help(out, "config", CONFIG_HELP),
        _ => super::unknown_subcommand(out, "config", args),
    }
}

/// `kubectl auth can-i` (the learner is cluster-admin).
pub fn auth(_sh: &mut Shell, args: &[String], out: &mut Out) {
    match args.first().map(String::as_str) {
        Some("can-i") => {
            if args.iter().any(|a| a == "--list") {
                out.out(tab::table("Resources\tNon-Resource URLs\tResource Names\tVerbs\n*.*\t[]\t[]\t[*]\n\t[*]\t[]\t[*]\n"));
            } else if args.len() < 2 {
                out.fail("you must specify two arguments: verb resource or a non-resource URL\nSee 'kubectl auth can-i -h' for help and examples");
            } else {
                out.outln("yes");
            }
        }
        Some("whoami") => out.out(tab::table("ATTRIBUTE\tVALUE\nUsername\tminikube-user\nGroups\t[system:masters system:authenticated]\n")),
        None => super::group_help(out, "auth", "Inspect authorization.\n\nAvailable Commands:\n  can-i         Check whether an action is allowed\n  reconcile     Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects\n  whoami        Experimental: Check self subject attributes\n\nUsage:\n  kubectl auth [flags] [options]\n"),
        Some(_) => super::unknown_subcommand(out, "auth", args),
    }
}

/// The kubeconfig as clientcmd's v1 types order their fields (`kubectl config view -o json`).
fn config_in_go_order(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::{Map, Value};
    let pick = |from: &Value, keys: &[&str]| -> Value {
        let mut m = Map::new();
        for k in keys {
            if let Some(x) = from.get(*k) {
                m.insert((*k).to_string(), x.clone());
            }
        }
        Value::Object(m)
    };
    let ext = |x: &Value| -> Value {
        match x.get("extensions").and_then(Value::as_array) {
            Some(a) => Value::Array(a.iter().map(|e| pick(e, &["name", "extension"])).collect()),
            None => Value::Null,
        }
    };
    let named = |list: &str, inner: &str, fields: &[&str]| -> Value {
        match v.get(list).and_then(Value::as_array) {
            Some(a) => Value::Array(
                a.iter()
                    .map(|item| {
                        let mut body = pick(&item[inner], fields);
                        if let (Value::Object(m), e @ Value::Array(_)) = (&mut body, ext(&item[inner])) {
                            m.insert("extensions".into(), e);
                        }
                        let mut m = Map::new();
                        m.insert("name".into(), item["name"].clone());
                        m.insert(inner.into(), body);
                        Value::Object(m)
                    })
                    .collect(),
            ),
            None => Value::Null,
        }
    };
    let mut m = Map::new();
    m.insert("kind".into(), v["kind"].clone());
    m.insert("apiVersion".into(), v["apiVersion"].clone());
    m.insert("preferences".into(), v["preferences"].clone());
    m.insert("clusters".into(), named("clusters", "cluster", &["server", "tls-server-name", "insecure-skip-tls-verify", "certificate-authority", "certificate-authority-data", "proxy-url", "disable-compression"]));
    m.insert("users".into(), named("users", "user", &["client-certificate", "client-certificate-data", "client-key", "client-key-data", "token"]));
    m.insert("contexts".into(), named("contexts", "context", &["cluster", "user", "namespace"]));
    m.insert("current-context".into(), v["current-context"].clone());
    Value::Object(m)
}

/// `kubectl config` alone.
const CONFIG_HELP: &str = "Modify kubeconfig files using subcommands like \"kubectl config set current-context my-context\".

 The loading order follows these rules:

  1.  If the --kubeconfig flag is set, then only that file is loaded. The flag may only be set once and no merging takes place.
  2.  If $KUBECONFIG environment variable is set, then it is used as a list of paths (normal path delimiting rules for your system). These paths are merged. When a value is modified, it is modified in the file that defines the stanza. When a value is created, it is created in the first file that exists. If no files in the chain exist, then it creates the last file in the list.
  3.  Otherwise, ${HOME}/.kube/config is used and no merging takes place.

Available Commands:
  current-context   Display the current-context
  delete-cluster    Delete the specified cluster from the kubeconfig
  delete-context    Delete the specified context from the kubeconfig
  delete-user       Delete the specified user from the kubeconfig
  get-clusters      Display clusters defined in the kubeconfig
  get-contexts      Describe one or many contexts
  get-users         Display users defined in the kubeconfig
  rename-context    Rename a context from the kubeconfig file
  set               Set an individual value in a kubeconfig file
  set-cluster       Set a cluster entry in kubeconfig
  set-context       Set a context entry in kubeconfig
  set-credentials   Set a user entry in kubeconfig
  unset             Unset an individual value in a kubeconfig file
  use-context       Set the current-context in a kubeconfig file
  view              Display merged kubeconfig settings or a specified kubeconfig file

Usage:
  kubectl config SUBCOMMAND [options]
";

/// `kubectl explain`.
pub fn explain(_sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = [b("recursive", None), s("api-version", None), s("output", Some('o'))];
    let Some(p) = parse_flags(out, "kubectl explain", args, &spec) else { return };
    let Some(target) = p.args.first() else {
        return out.fail("You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n");
    };
    if p.args.len() > 1 {
        return out.fail("We accept only this format: explain RESOURCE");
    }
    // The longest dotted prefix that names a resource (`deployments.apps.spec` is the
    // deployments of group apps, then the field spec); the rest is the field path.
    let parts: Vec<&str> = target.split('.').collect();
    let found = (1..=parts.len()).rev().find_map(|i| Kind::lookup(&parts[..i].join(".")).map(|k| (k, i)));
    let Some((kind, at)) = found else {
        // kubectl prints this one without its "error: " prefix.
        out.errln(format!("the server doesn't have a resource type \"{}\"", parts[0]));
        out.code = 1;
        return;
    };
    if let Some(o) = p.get("output") {
        if o != "plaintext" && o != "plaintext-openapiv2" {
            return out.fail(format!("unrecognized format: {o}"));
        }
    }
    let (text, err) = crate::explain::explain(kind, &parts[at..], p.bool("recursive"));
    out.out(text);
    if let Some(e) = err {
        out.fail(e);
    }
}
