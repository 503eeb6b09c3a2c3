//! OpenAPI v3 for kubectl. Each group-version document carries:
//! - every item path with a PATCH operation holding its `x-kubernetes-group-version-kind` and the
//!   `fieldValidation` parameter, so kubectl's `--validate=strict` (the default) leaves validation
//!   to the server (strict decoding: unknown fields are rejected with the API server's message).
//!   The operations name no request body, so `kubectl apply` keeps building strategic merge patches
//!   from its compiled-in types (as it does when a server's schema lacks patch metadata);
//! - `components.schemas`: the API types with their field docs (k8s-openapi's schemas, which are
//!   generated from Kubernetes' own OpenAPI document), reshaped as the API server publishes them —
//!   a field of a named type is `allOf: [{$ref}]` beside its own description, resource kinds carry
//!   `x-kubernetes-group-version-kind`, Quantity and IntOrString are `oneOf` — which is all
//!   `kubectl explain` reads.
//!
//! `/openapi/v2` is not served; kubectl falls back to v3 or its compiled-in types.

use crate::discovery;
use k8s_openapi::api;
use pilothouse_engine::api::Kind;
use schemars::gen::{SchemaGenerator, SchemaSettings};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: the index of per-group-version documents.
pub fn root() -> Value {
    let mut paths = Map::new();
    for (g, v) in discovery::group_versions() {
        let p = gv_path(g, v);
        paths.insert(p.clone(), json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash=PILOTHOUSE1")}));
    }
    json!({"paths": paths})
}

/// Adds `kind`'s schema (and everything it refers to) to `gen`; returns its schema name. The
/// match is exhaustive, so a new kind cannot be served without its schema.
fn add_kind(gen: &mut SchemaGenerator, kind: Kind) -> String {
    fn add<T: schemars::JsonSchema>(gen: &mut SchemaGenerator) -> String {
        gen.subschema_for::<T>();
        T::schema_name()
    }
    match kind {
        Kind::Namespace => add::<api::core::v1::Namespace>(gen),
        Kind::Node => add::<api::core::v1::Node>(gen),
        Kind::Pod => add::<api::core::v1::Pod>(gen),
        Kind::Service => add::<api::core::v1::Service>(gen),
        Kind::Endpoints => add::<api::core::v1::Endpoints>(gen),
        Kind::ConfigMap => add::<api::core::v1::ConfigMap>(gen),
        Kind::Secret => add::<api::core::v1::Secret>(gen),
        Kind::ServiceAccount => add::<api::core::v1::ServiceAccount>(gen),
        Kind::PersistentVolume => add::<api::core::v1::PersistentVolume>(gen),
        Kind::PersistentVolumeClaim => add::<api::core::v1::PersistentVolumeClaim>(gen),
        Kind::ResourceQuota => add::<api::core::v1::ResourceQuota>(gen),
        Kind::LimitRange => add::<api::core::v1::LimitRange>(gen),
        Kind::Event => add::<api::core::v1::Event>(gen),
        Kind::Deployment => add::<api::apps::v1::Deployment>(gen),
        Kind::ReplicaSet => add::<api::apps::v1::ReplicaSet>(gen),
        Kind::DaemonSet => add::<api::apps::v1::DaemonSet>(gen),
        Kind::StatefulSet => add::<api::apps::v1::StatefulSet>(gen),
        Kind::Job => add::<api::batch::v1::Job>(gen),
        Kind::CronJob => add::<api::batch::v1::CronJob>(gen),
        Kind::HorizontalPodAutoscaler => add::<api::autoscaling::v2::HorizontalPodAutoscaler>(gen),
        Kind::StorageClass => add::<api::storage::v1::StorageClass>(gen),
        Kind::Ingress => add::<api::networking::v1::Ingress>(gen),
        Kind::IngressClass => add::<api::networking::v1::IngressClass>(gen),
        Kind::EndpointSlice => add::<api::discovery::v1::EndpointSlice>(gen),
        Kind::PriorityClass => add::<api::scheduling::v1::PriorityClass>(gen),
        Kind::PodDisruptionBudget => add::<api::policy::v1::PodDisruptionBudget>(gen),
        Kind::Lease => add::<api::coordination::v1::Lease>(gen),
        Kind::ControllerRevision => add::<api::apps::v1::ControllerRevision>(gen),
    }
}

const REF_PREFIX: &str = "#/components/schemas/";

/// Reshapes one schema as the API server publishes it (see the module docs).
fn reshape(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else { return };
    if obj.contains_key("$ref") && obj.len() > 1 {
        let r = obj.remove("$ref").unwrap_or(Value::Null);
        obj.insert("allOf".into(), json!([{"$ref": r}]));
    }
    for key in ["items", "additionalProperties"] {
        if let Some(v) = obj.get_mut(key) {
            reshape(v);
        }
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for v in props.values_mut() {
            reshape(v);
        }
    }
}

/// Every kind's schema and the schemas they refer to, by schema name, reshaped.
fn schemas() -> &'static (BTreeMap<String, Value>, BTreeMap<Kind, String>) {
    static CELL: OnceLock<(BTreeMap<String, Value>, BTreeMap<Kind, String>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut settings = SchemaSettings::openapi3();
        settings.definitions_path = REF_PREFIX.to_string();
        let mut gen = settings.into_generator();
        let mut names = BTreeMap::new();
        for &k in Kind::ALL {
            names.insert(k, add_kind(&mut gen, k));
        }
        let mut out = BTreeMap::new();
        for (name, schema) in gen.take_definitions() {
            let mut v = serde_json::to_value(&schema).unwrap_or(Value::Null);
            reshape(&mut v);
            if let Some(o) = v.as_object_mut() {
                match name.as_str() {
                    "io.k8s.apimachinery.pkg.api.resource.Quantity" => {
                        o.remove("type");
                        o.insert("oneOf".into(), json!([{"type": "string"}, {"type": "number"}]));
                    }
                    "io.k8s.apimachinery.pkg.util.intstr.IntOrString" => {
                        o.insert("oneOf".into(), json!([{"type": "integer"}, {"type": "string"}]));
                    }
                    _ => {}
                }
                // k8s-openapi requires `metadata` (a non-optional Rust field); the API does not.
                let is_resource = o.get("properties").and_then(|p| p.get("apiVersion")).is_some();
                if is_resource {
                    if let Some(Value::Array(req)) = o.get_mut("required") {
                        req.retain(|r| r != "metadata");
                        if req.is_empty() {
                            o.remove("required");
                        }
                    }
                }
            }
            out.insert(name, v);
        }
        for (k, n) in &names {
            let i = k.info();
            if let Some(Value::Object(o)) = out.get_mut(n) {
                o.insert(
                    "x-kubernetes-group-version-kind".into(),
                    json!([{"group": i.group, "kind": i.kind, "version": i.version}]),
                );
            }
        }
        (out, names)
    })
}

/// The names of the schemas reachable from `roots`, in name order.
fn reachable(all: &BTreeMap<String, Value>, roots: impl Iterator<Item = String>) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get("$ref") {
                    if let Some(n) = r.strip_prefix(REF_PREFIX) {
                        out.push(n.to_string());
                    }
                }
                o.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut todo: Vec<String> = roots.collect();
    while let Some(n) = todo.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        if let Some(s) = all.get(&n) {
            walk(s, &mut todo);
        }
    }
    seen.into_iter().collect()
}

/// `/openapi/v3/api/v1` etc.
pub fn document(path: &str) -> Option<Value> {
    let (g, v) = discovery::group_versions().into_iter().find(|(g, v)| gv_path(g, v) == path)?;
    let (all, names) = schemas();
    let kinds: Vec<Kind> = Kind::ALL.iter().copied().filter(|k| k.info().group == g && k.info().version == v).collect();
    let mut paths = Map::new();
    for k in &kinds {
        let i = k.info();
        let item = if i.namespaced {
            format!("/{}/namespaces/{{namespace}}/{}/{{name}}", gv_path(g, v), i.plural)
        } else {
            format!("/{}/{}/{{name}}", gv_path(g, v), i.plural)
        };
        let params = json!([
            {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": true}}
        ]);
        paths.insert(
            item,
            json!({
                "parameters": params.clone(),
                "patch": {
                    "operationId": format!("patch{}", i.kind),
                    "parameters": params,
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": {"group": g, "version": v, "kind": i.kind},
                    "responses": {"200": {"description": "OK"}}
                }
            }),
        );
    }
    let mut components = Map::new();
    for n in reachable(all, kinds.iter().filter_map(|k| names.get(k).cloned())) {
        if let Some(s) = all.get(&n) {
            components.insert(n, s.clone());
        }
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.32.0"},
        "paths": paths,
        "components": {"schemas": components}
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_schema_with_its_gvk() {
        let (all, names) = schemas();
        for &k in Kind::ALL {
            let n = names.get(&k).unwrap_or_else(|| panic!("{k:?} has no schema in openapi.rs"));
            let gvk = &all[n]["x-kubernetes-group-version-kind"][0];
            assert_eq!(gvk["kind"], k.info().kind);
            assert_eq!(gvk["version"], k.info().version);
        }
    }

    #[test]
    fn documents_are_shaped_as_the_api_server_publishes_them() {
        let doc = document("api/v1").unwrap();
        let s = &doc["components"]["schemas"];
        let pod = &s["io.k8s.api.core.v1.Pod"];
        assert!(pod.get("required").is_none(), "{pod}");
        assert_eq!(pod["properties"]["spec"]["allOf"][0]["$ref"], "#/components/schemas/io.k8s.api.core.v1.PodSpec");
        assert!(pod["properties"]["spec"]["description"].as_str().unwrap().starts_with("Specification of the desired behavior"));
        assert_eq!(s["io.k8s.api.core.v1.Container"]["required"], json!(["name"]));
        assert!(s["io.k8s.apimachinery.pkg.api.resource.Quantity"].get("type").is_none());
        // Only what the group-version's kinds reach.
        assert!(s.get("io.k8s.api.apps.v1.DeploymentSpec").is_none());
        let apps = document("apis/apps/v1").unwrap();
        assert!(apps["components"]["schemas"].get("io.k8s.api.apps.v1.DeploymentSpec").is_some());
        assert!(document("apis/nope/v1").is_none());
    }
}
