//! Just enough OpenAPI v3 for kubectl: every PATCH operation carries its
//! `x-kubernetes-group-version-kind` and the `fieldValidation` parameter, so kubectl's
//! `--validate=strict` (the default) leaves validation to the server (strict decoding: unknown
//! fields are rejected with the API server's message) instead of needing the full schema.
//! `/openapi/v2` is not served; kubectl then builds apply patches from its compiled-in types.

use crate::discovery;
use pilothouse_engine::api::Kind;
use serde_json::{json, Value};

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: the index of per-group-version documents.
pub fn root() -> Value {
    let mut paths = serde_json::Map::new();
    for (g, v) in discovery::group_versions() {
        let p = gv_path(g, v);
        paths.insert(p.clone(), json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash=PILOTHOUSE0")}));
    }
    json!({"paths": paths})
}

/// `/openapi/v3/api/v1` etc.
pub fn document(path: &str) -> Option<Value> {
    let (g, v) = discovery::group_versions().into_iter().find(|(g, v)| gv_path(g, v) == path)?;
    let mut paths = serde_json::Map::new();
    for k in Kind::ALL.iter().filter(|k| k.info().group == g && k.info().version == v) {
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
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.32.0"},
        "paths": paths,
        "components": {"schemas": {}}
    }))
}
