//! Discovery: `/version`, `/api`, `/apis`, `/api/v1`, `/apis/GROUP[/VERSION]` in the legacy
//! (unaggregated) format. kubectl 1.32 asks for aggregated discovery first; answering with plain
//! `application/json` makes client-go fall back to these documents.

use pilothouse_engine::api::Kind;
use serde_json::{json, Value};

/// The `/version` document of a v1.32.0 API server.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0",
        "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53",
        "gitTreeState": "clean",
        "buildDate": "2024-12-11T17:59:15Z",
        "goVersion": "go1.23.3",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// `(group, version)` pairs the server serves, core first, then groups by name.
pub fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for k in Kind::ALL {
        let i = k.info();
        if !out.contains(&(i.group, i.version)) {
            out.push((i.group, i.version));
        }
    }
    out.sort_by_key(|(g, _)| (!g.is_empty(), group_rank(g), *g));
    out
}

/// Kubernetes' order of groups in `/apis` (roughly its priority order).
fn group_rank(g: &str) -> usize {
    const ORDER: &[&str] = &[
        "", "apps", "events.k8s.io", "autoscaling", "batch", "networking.k8s.io", "policy", "storage.k8s.io",
        "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
    ];
    ORDER.iter().position(|x| *x == g).unwrap_or(ORDER.len())
}

/// `/api`.
pub fn core_versions(server: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server}]
    })
}

fn group_doc(group: &str) -> Value {
    let versions: Vec<Value> = group_versions()
        .into_iter()
        .filter(|(g, _)| *g == group)
        .map(|(g, v)| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
        .collect();
    let preferred = versions.first().cloned().unwrap_or(Value::Null);
    json!({"name": group, "versions": versions, "preferredVersion": preferred})
}

/// `/apis`.
pub fn groups() -> Value {
    let mut names: Vec<&str> = Vec::new();
    for (g, _) in group_versions() {
        if !g.is_empty() && !names.contains(&g) {
            names.push(g);
        }
    }
    let groups: Vec<Value> = names.iter().map(|g| group_doc(g)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/GROUP`, if served.
pub fn group(group: &str) -> Option<Value> {
    if group.is_empty() || !group_versions().iter().any(|(g, _)| *g == group) {
        return None;
    }
    let mut d = group_doc(group);
    if let Some(m) = d.as_object_mut() {
        let mut out = serde_json::Map::new();
        out.insert("kind".into(), "APIGroup".into());
        out.insert("apiVersion".into(), "v1".into());
        for (k, v) in std::mem::take(m) {
            out.insert(k, v);
        }
        return Some(Value::Object(out));
    }
    Some(d)
}

const VERBS: &[&str] = &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/// Kinds in kubectl's `all` category.
pub fn in_all_category(k: Kind) -> bool {
    matches!(
        k,
        Kind::Pod | Kind::Service | Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet | Kind::Job | Kind::CronJob
            | Kind::HorizontalPodAutoscaler
    )
}

/// Whether a kind has a `scale` subresource.
pub fn has_scale(k: Kind) -> bool {
    matches!(k, Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet)
}

/// Whether a kind has a `status` subresource.
pub fn has_status(k: Kind) -> bool {
    !matches!(
        k,
        Kind::ConfigMap | Kind::Secret | Kind::ServiceAccount | Kind::Endpoints | Kind::Event | Kind::LimitRange | Kind::StorageClass
            | Kind::IngressClass | Kind::EndpointSlice | Kind::PriorityClass | Kind::Lease | Kind::ControllerRevision
    )
}

/// `/api/v1` or `/apis/GROUP/VERSION`, if served.
pub fn resources(group: &str, version: &str) -> Option<Value> {
    let kinds: Vec<Kind> = Kind::ALL.iter().copied().filter(|k| k.info().group == group && k.info().version == version).collect();
    if kinds.is_empty() {
        return None;
    }
    let mut list: Vec<Value> = Vec::new();
    for k in kinds {
        let i = k.info();
        let mut r = json!({
            "name": i.plural,
            "singularName": i.singular,
            "namespaced": i.namespaced,
            "kind": i.kind,
            "verbs": VERBS,
        });
        if !i.short.is_empty() {
            r["shortNames"] = json!(i.short);
        }
        if in_all_category(k) {
            r["categories"] = json!(["all"]);
        }
        list.push(r);
        let sub = |name: &str, kind: &str, verbs: &[&str]| json!({"name": name, "singularName": "", "namespaced": i.namespaced, "kind": kind, "verbs": verbs});
        if has_scale(k) {
            list.push(json!({"name": format!("{}/scale", i.plural), "singularName": "", "namespaced": true, "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]}));
        }
        if has_status(k) {
            list.push(sub(&format!("{}/status", i.plural), i.kind, &["get", "patch", "update"]));
        }
        if k == Kind::Pod {
            list.push(sub("pods/binding", "Binding", &["create"]));
            list.push(json!({"name": "pods/eviction", "singularName": "", "namespaced": true, "group": "policy", "version": "v1", "kind": "Eviction", "verbs": ["create"]}));
            list.push(sub("pods/log", "Pod", &["get"]));
        }
    }
    list.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let gv = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list}))
}
