//! Request routing and the REST verbs: one fallback handler parses the path
//! (`/api/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]]`, `/apis/G/V/...`, discovery, OpenAPI, admin)
//! and calls the engine. Bad input of any kind becomes a `metav1.Status`, never a panic.

use crate::fieldsel::FieldSelector;
use crate::state::State;
use crate::status::{json_response, success, Failure};
use crate::table::{self, IncludeObject};
use crate::watch::{self, WatchParams};
use crate::{discovery, openapi, strategic};
use axum::body::{Body, Bytes};
use axum::extract::State as AxState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use pilothouse_engine::api::{manifest, ApiError, Kind, Object, ObjectKey};
use pilothouse_engine::apiserver::{DeleteOptions, PatchType, Propagation};
use pilothouse_engine::selector::Selector;
use pilothouse_engine::Cluster;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

type Query = BTreeMap<String, String>;

/// The one entry point for every request.
pub async fn handle(AxState(state): AxState<Arc<State>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let query: Query = uri.query().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    let req = Req { method, path: uri.path().to_string(), query, headers, body };
    // Watches stream; everything else is answered on a blocking thread (the engine is synchronous).
    if req.method == Method::GET && req.is_watch() {
        return match route_watch(&state, &req).await {
            Ok(r) => r,
            Err(f) => f.into_response(),
        };
    }
    if req.path.ends_with("/log") && req.query.get("follow").is_some_and(|v| v == "true" || v == "1") {
        return match follow_logs(&state, &req).await {
            Ok(r) => r,
            Err(f) => f.into_response(),
        };
    }
    let st = state.clone();
    match state.call_async(move |c| route(c, &st, &req)).await {
        Some(Ok(r)) => r,
        Some(Err(f)) => f.into_response(),
        None => Failure::new(500, "InternalError", "an error on the server (\"the request failed\") has prevented the request from succeeding", None).into_response(),
    }
}

/// A request, owned.
#[derive(Debug)]
pub struct Req {
    method: Method,
    path: String,
    query: Query,
    headers: HeaderMap,
    body: Bytes,
}

impl Req {
    fn is_watch(&self) -> bool {
        self.query.get("watch").is_some_and(|v| v == "true" || v == "1")
    }

    fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }

    /// The Table form asked for in `Accept`, if any.
    fn wants_table(&self) -> Option<IncludeObject> {
        let accept = self.header("accept");
        let first_table = accept.split(',').next().is_some_and(|a| a.contains("as=Table"));
        (first_table && accept.contains("g=meta.k8s.io")).then(|| IncludeObject::parse(self.query.get("includeObject").map(String::as_str)))
    }

    fn dry_run(&self) -> bool {
        self.query.get("dryRun").is_some_and(|v| v == "All")
    }

    fn json_body(&self) -> Result<Value, Failure> {
        if self.body.is_empty() {
            return Err(Failure::bad_request("the body of the request was empty"));
        }
        if self.header("content-type").starts_with(crate::protobuf::CONTENT_TYPE) {
            return crate::protobuf::to_json(&self.body).map_err(|e| Failure::bad_request(format!("unable to decode the protobuf body: {e}")));
        }
        serde_json::from_slice(&self.body).map_err(|e| Failure::bad_request(format!("couldn't get version/kind; json parse error: {e}")))
    }
}

/// A resource path.
#[derive(Debug)]
struct Target {
    kind: Kind,
    namespace: Option<String>,
    name: Option<String>,
    sub: Option<String>,
}

impl Target {
    fn key(&self) -> ObjectKey {
        ObjectKey::new(self.kind, self.namespace.as_deref().unwrap_or(""), self.name.as_deref().unwrap_or(""))
    }
}

fn kind_for(group: &str, version: &str, plural: &str) -> Option<Kind> {
    Kind::ALL.iter().copied().find(|k| {
        let i = k.info();
        i.group == group && i.version == version && i.plural == plural
    })
}

fn ok(body: &Value) -> Response {
    json_response(StatusCode::OK, body)
}

fn created(body: &Value) -> Response {
    json_response(StatusCode::CREATED, body)
}

fn text(body: String) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

/// Parses `/api/v1/...` and `/apis/G/V/...` into a resource target (None: not a resource path).
fn parse_target(path: &str) -> Result<Option<(String, String, Vec<String>)>, Failure> {
    let segs: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();
    match segs.first().map(String::as_str) {
        Some("api") if segs.len() >= 2 => Ok(Some((String::new(), segs[1].clone(), segs[2..].to_vec()))),
        Some("apis") if segs.len() >= 3 => Ok(Some((segs[1].clone(), segs[2].clone(), segs[3..].to_vec()))),
        _ => Ok(None),
    }
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_else(|| s.to_string())
}

fn resolve(group: &str, version: &str, rest: &[String]) -> Result<Target, Failure> {
    let (namespace, rest) = if rest.len() >= 3 && rest[0] == "namespaces" && kind_for(group, version, &rest[2]).is_some_and(|k| k.info().namespaced) {
        (Some(rest[1].clone()), &rest[2..])
    } else {
        (None, rest)
    };
    let kind = kind_for(group, version, &rest[0]).ok_or_else(Failure::no_route)?;
    if rest.len() > 3 {
        return Err(Failure::no_route());
    }
    let name = rest.get(1).cloned();
    let sub = rest.get(2).cloned();
    if kind.info().namespaced && namespace.is_none() && name.is_some() {
        return Err(Failure::no_route());
    }
    Ok(Target { kind, namespace, name, sub })
}

async fn route_watch(state: &Arc<State>, req: &Req) -> Result<Response, Failure> {
    let Some((g, v, rest)) = parse_target(&req.path)? else { return Err(Failure::no_route()) };
    if rest.is_empty() {
        return Err(Failure::no_route());
    }
    let t = resolve(&g, &v, &rest)?;
    let mut fields = parse_fields(&req.query)?;
    if let Some(n) = &t.name {
        // A watch on an item path: the same as a field selector on its name.
        fields.0.push(crate::fieldsel::FieldReq { field: "metadata.name".into(), value: n.clone(), negate: false });
    }
    let params = WatchParams {
        kind: t.kind,
        namespace: t.namespace.clone(),
        labels: parse_labels(&req.query)?,
        fields,
        resource_version: req.query.get("resourceVersion").cloned(),
        table: req.wants_table(),
        timeout: req.query.get("timeoutSeconds").and_then(|s| s.parse().ok()),
        send_initial: req.query.get("sendInitialEvents").is_some_and(|v| v == "true"),
    };
    watch::start(state.clone(), params).await
}

fn parse_labels(q: &Query) -> Result<Option<Selector>, Failure> {
    match q.get("labelSelector") {
        Some(s) if !s.trim().is_empty() => Selector::parse(s).map(Some).map_err(Failure::bad_request),
        _ => Ok(None),
    }
}

fn parse_fields(q: &Query) -> Result<FieldSelector, Failure> {
    match q.get("fieldSelector") {
        Some(s) => FieldSelector::parse(s).map_err(Failure::bad_request),
        None => Ok(FieldSelector::default()),
    }
}

fn route(c: &mut Cluster, state: &Arc<State>, req: &Req) -> Result<Response, Failure> {
    let path = req.path.trim_end_matches('/');
    let get = req.method == Method::GET;
    match path {
        "" => {
            return Ok(ok(&json!({"paths": ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz", "/version"]})));
        }
        "/version" if get => return Ok(ok(&discovery::version())),
        // minikube's user is in system:masters: every access review allows, and whoami names it.
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" if req.method == Method::POST => {
            let spec = req.json_body().ok().and_then(|v| v.get("spec").cloned()).unwrap_or_else(|| json!({}));
            return Ok(created(&json!({
                "kind": "SelfSubjectAccessReview",
                "apiVersion": "authorization.k8s.io/v1",
                "metadata": {"creationTimestamp": null},
                "spec": spec,
                "status": {"allowed": true, "reason": "RBAC: allowed by ClusterRoleBinding \"minikube-rbac\" of ClusterRole \"cluster-admin\" to User \"minikube-user\""}
            })));
        }
        "/apis/authentication.k8s.io/v1/selfsubjectreviews" if req.method == Method::POST => {
            return Ok(created(&json!({
                "kind": "SelfSubjectReview",
                "apiVersion": "authentication.k8s.io/v1",
                "metadata": {"creationTimestamp": null},
                "status": {"userInfo": {"username": "minikube-user", "groups": ["system:masters", "system:authenticated"]}}
            })));
        }
        "/healthz" | "/livez" | "/readyz" if get => return Ok(text("ok".into())),
        "/api" if get => {
            let host = req.header("host");
            return Ok(ok(&discovery::core_versions(if host.is_empty() { "127.0.0.1" } else { &host })));
        }
        "/apis" if get => return Ok(ok(&discovery::groups())),
        "/openapi/v3" if get => return Ok(ok(&openapi::root())),
        _ => {}
    }
    if let Some(p) = path.strip_prefix("/openapi/v3/") {
        return openapi::document(p).map(|d| ok(&d)).ok_or_else(Failure::no_route);
    }
    if let Some(p) = path.strip_prefix("/pilothouse/") {
        return admin(c, state, req, p);
    }
    let Some((g, v, rest)) = parse_target(path)? else { return Err(Failure::no_route()) };
    if g.is_empty() && req.path.starts_with("/apis/") {
        return Err(Failure::no_route());
    }
    if rest.is_empty() {
        if !get {
            return Err(Failure::method_not_allowed(req.method.as_str(), path));
        }
        if g.is_empty() && v != "v1" {
            return Err(Failure::no_route());
        }
        return discovery::resources(&g, &v).map(|d| ok(&d)).ok_or_else(Failure::no_route);
    }
    if !g.is_empty() && v.is_empty() {
        return discovery::group(&g).map(|d| ok(&d)).ok_or_else(Failure::no_route);
    }
    if g == "autoscaling" && v == "v1" {
        return create_hpa_v1(c, state, req, &rest);
    }
    let t = resolve(&g, &v, &rest)?;
    let m = req.method.clone();
    match (&t.name, t.sub.as_deref()) {
        (None, _) => match m {
            Method::GET => list(c, state, req, &t),
            Method::POST => create(c, state, req, &t),
            Method::DELETE => delete_collection(c, state, req, &t),
            _ => Err(Failure::method_not_allowed(m.as_str(), path)),
        },
        (Some(_), None) => match m {
            Method::GET => get_item(c, state, req, &t),
            Method::PUT => update(c, state, req, &t, false),
            Method::PATCH => patch(c, state, req, &t, false),
            Method::DELETE => delete(c, state, req, &t),
            _ => Err(Failure::method_not_allowed(m.as_str(), path)),
        },
        (Some(_), Some("status")) if discovery::has_status(t.kind) => match m {
            Method::GET => get_item(c, state, req, &t),
            Method::PUT => update(c, state, req, &t, true),
            Method::PATCH => patch(c, state, req, &t, true),
            _ => Err(Failure::method_not_allowed(m.as_str(), path)),
        },
        (Some(_), Some("scale")) if discovery::has_scale(t.kind) => scale(c, state, req, &t),
        (Some(_), Some("log")) if t.kind == Kind::Pod && m == Method::GET => logs(c, state, req, &t),
        (Some(_), Some("eviction")) if t.kind == Kind::Pod && m == Method::POST => evict(c, state, req, &t),
        (Some(_), Some("binding")) if t.kind == Kind::Pod && m == Method::POST => bind(c, state, req, &t),
        _ => Err(Failure::no_route()),
    }
}

/// `/pilothouse/advance?ms=N` (POST), `/pilothouse/status` (GET).
fn admin(c: &mut Cluster, state: &Arc<State>, req: &Req, p: &str) -> Result<Response, Failure> {
    match (req.method.clone(), p) {
        (Method::POST, "advance") => {
            let ms: u64 = req.query.get("ms").and_then(|s| s.parse().ok()).ok_or_else(|| Failure::bad_request("advance needs ?ms=N (a whole number of milliseconds)"))?;
            state.advance_on(c, ms);
                    Ok(ok(&json!({"nowMs": c.now_ms(), "resourceVersion": c.api.store.resource_version().to_string()})))
        }
        (Method::GET, "status") => {
                    Ok(ok(&json!({
                "nowMs": c.now_ms(),
                "resourceVersion": c.api.store.resource_version().to_string(),
                "speed": state.speed,
                "stepping": state.stepping.load(std::sync::atomic::Ordering::SeqCst),
            })))
        }
        _ => Err(Failure::no_route()),
    }
}

fn list_kind_name(kind: Kind) -> String {
    format!("{}List", kind.info().kind)
}

fn select(c: &Cluster, req: &Req, t: &Target) -> Result<Vec<Arc<Object>>, Failure> {
    let labels = parse_labels(&req.query)?;
    let fields = parse_fields(&req.query)?;
    let mut objs = c.list(t.kind, t.namespace.as_deref());
    objs.retain(|o| watch::matches(t.kind, t.namespace.as_deref(), labels.as_ref(), &fields, o));
    Ok(objs)
}

fn list(c: &mut Cluster, _state: &Arc<State>, req: &Req, t: &Target) -> Result<Response, Failure> {
    let objs = select(c, req, t)?;
    let rv = c.api.store.resource_version().to_string();
    if let Some(include) = req.wants_table() {
        let refs: Vec<&Object> = objs.iter().map(|o| &**o).collect();
        return Ok(ok(&table::table(t.kind, &refs, c.api.clock.now(), &rv, include, true)));
    }
    let items: Vec<Value> = objs.iter().map(|o| o.to_json()).collect();
    Ok(ok(&json!({
        "kind": list_kind_name(t.kind),
        "apiVersion": t.kind.info().api_version(),
        "metadata": {"resourceVersion": rv},
        "items": items
    })))
}

fn get_item(c: &mut Cluster, state: &Arc<State>, req: &Req, t: &Target) -> Result<Response, Failure> {
    let key = t.key();
    let obj = c.api.get(&key).map_err(|e| Failure::from_api(&e, Some(t.kind), &key.name))?;
    if obj.metadata().deletion_timestamp.is_some() {
        state.polled_terminating(key.clone());
    }
    if let Some(include) = req.wants_table() {
        let rv = obj.metadata().resource_version.clone().unwrap_or_default();
        return Ok(ok(&table::table(t.kind, &[&*obj], c.api.clock.now(), &rv, include, true)));
    }
    Ok(ok(&obj.to_json()))
}

/// Decodes a request body into an object of the target's kind. Unknown fields follow the
/// request's `fieldValidation` (kubectl sends Strict, or Ignore/Warn for `--validate=false/warn`;
/// without it the API server warns): rejected with the API server's wording, or dropped, with
/// the warnings to send back.
fn decode(req: &Req, t: &Target) -> Result<(Object, Vec<String>), Failure> {
    let mut v = req.json_body()?;
    let info = t.kind.info();
    let Some(m) = v.as_object_mut() else {
        return Err(Failure::bad_request(format!("{} in version \"{}\" cannot be handled as a {}: json: cannot unmarshal into Go value of type {}", info.kind, info.version, info.kind, info.kind)));
    };
    match m.get("apiVersion").and_then(Value::as_str) {
        None | Some("") => {
            m.insert("apiVersion".into(), Value::String(info.api_version()));
        }
        Some(av) if av != info.api_version() => {
            return Err(Failure::bad_request(format!("the API version in the data ({av}) does not match the expected API version ({})", info.api_version())));
        }
        _ => {}
    }
    match m.get("kind").and_then(Value::as_str) {
        None | Some("") => {
            m.insert("kind".into(), Value::String(info.kind.into()));
        }
        Some(k) if k != info.kind => {
            return Err(Failure::bad_request(format!("the kind in the data ({k}) does not match the expected kind ({})", info.kind)));
        }
        _ => {}
    }
    if let Some(ns) = &t.namespace {
        let meta = m.entry("metadata").or_insert_with(|| json!({}));
        if let Some(mm) = meta.as_object_mut() {
            match mm.get("namespace").and_then(Value::as_str) {
                None | Some("") => {
                    mm.insert("namespace".into(), Value::String(ns.clone()));
                }
                Some(bn) if bn != ns => {
                    return Err(Failure::bad_request("the namespace of the provided object does not match the namespace sent on the request"));
                }
                _ => {}
            }
        }
    }
    let validation = match req.query.get("fieldValidation").map(String::as_str) {
        Some("Strict") => manifest::FieldValidation::Strict,
        Some("Ignore") => manifest::FieldValidation::Ignore,
        _ => manifest::FieldValidation::Warn,
    };
    manifest::object_from_value_with(v, "", 1, validation).map_err(|e| Failure::bad_request(e.to_string()))
}

/// Adds the API server's `Warning: 299 - "..."` headers, which kubectl prints as `Warning: ...`.
fn with_warnings(mut r: Response, warnings: &[String]) -> Response {
    for w in warnings {
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("299 - {}", serde_json::Value::String(w.clone()))) {
            r.headers_mut().append("Warning", v);
        }
    }
    r
}

fn api_err(e: &ApiError, t: &Target, name: &str) -> Failure {
    Failure::from_api(e, Some(t.kind), name)
}

fn create(c: &mut Cluster, state: &Arc<State>, req: &Req, t: &Target) -> Result<Response, Failure> {
    let (v, warnings) = create_value(c, state, req, t)?;
    Ok(with_warnings(created(&v), &warnings))
}

/// Creates (or, for a dry run, admits) the body's object; the object as created.
fn create_value(c: &mut Cluster, state: &Arc<State>, req: &Req, t: &Target) -> Result<(Value, Vec<String>), Failure> {
    if t.sub.is_some() {
        return Err(Failure::no_route());
    }
    let (obj, warnings) = decode(req, t)?;
    let name = obj.metadata().name.clone().unwrap_or_default();
    if req.dry_run() {
        let mut api = c.api.clone();
        let admitted = api.admit_create(obj).map_err(|e| api_err(&e, t, &name))?;
        return Ok((admitted.to_json(), warnings));
    }
    let r = c.create(obj);
    state.notify(c);
    let out = r.map_err(|e| api_err(&e, t, &name))?;
    Ok((out.to_json(), warnings))
}

/// `POST /apis/autoscaling/v1/namespaces/NS/horizontalpodautoscalers`, what `kubectl autoscale`
/// sends: the object is converted to autoscaling/v2 (the version stored and served) and the
/// created one back to v1, as the API server converts between them (the CPU target is v1's
/// `targetCPUUtilizationPercentage`, v2's Resource metric; v1's annotations for other metrics and
/// conditions are left out).
fn create_hpa_v1(c: &mut Cluster, state: &Arc<State>, req: &Req, rest: &[String]) -> Result<Response, Failure> {
    let t = resolve("autoscaling", "v2", rest)?;
    if t.kind != Kind::HorizontalPodAutoscaler || t.name.is_some() || req.method != Method::POST {
        return Err(Failure::no_route());
    }
    let mut v = req.json_body()?;
    if let Some(m) = v.as_object_mut() {
        if m.get("apiVersion").and_then(Value::as_str) == Some("autoscaling/v1") {
            m.insert("apiVersion".into(), json!("autoscaling/v2"));
        }
        m.remove("status");
        if let Some(spec) = m.get_mut("spec").and_then(Value::as_object_mut) {
            if let Some(target) = spec.remove("targetCPUUtilizationPercentage") {
                spec.insert("metrics".into(), json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}}]));
            }
        }
    }
    let mut headers = req.headers.clone();
    headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    let v2 = Req { method: req.method.clone(), path: req.path.clone(), query: req.query.clone(), headers, body: Bytes::from(serde_json::to_vec(&v).unwrap_or_default()) };
    let (made, warnings) = create_value(c, state, &v2, &t)?;
    Ok(with_warnings(created(&hpa_v2_to_v1(&made)), &warnings))
}

/// An autoscaling/v2 HorizontalPodAutoscaler as autoscaling/v1.
fn hpa_v2_to_v1(v: &Value) -> Value {
    let cpu = v.pointer("/spec/metrics").and_then(Value::as_array).and_then(|ms| {
        ms.iter().find(|m| m["type"] == "Resource" && m.pointer("/resource/name") == Some(&json!("cpu")) && m.pointer("/resource/target/type") == Some(&json!("Utilization")))
    });
    let mut spec = serde_json::Map::new();
    for k in ["scaleTargetRef", "minReplicas", "maxReplicas"] {
        if let Some(x) = v.pointer(&format!("/spec/{k}")) {
            spec.insert(k.into(), x.clone());
        }
    }
    if let Some(u) = cpu.and_then(|m| m.pointer("/resource/target/averageUtilization")) {
        spec.insert("targetCPUUtilizationPercentage".into(), u.clone());
    }
    let mut status = serde_json::Map::new();
    for k in ["observedGeneration", "lastScaleTime"] {
        if let Some(x) = v.pointer(&format!("/status/{k}")) {
            status.insert(k.into(), x.clone());
        }
    }
    status.insert("currentReplicas".into(), v.pointer("/status/currentReplicas").cloned().unwrap_or(json!(0)));
    status.insert("desiredReplicas".into(), v.pointer("/status/desiredReplicas").cloned().unwrap_or(json!(0)));
    json!({"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v1", "metadata": v["metadata"], "spec": spec, "status": status})
}

fn update(c: &mut Cluster, state: &Arc<State>, req: &Req, t: &Target, status_only: bool) -> Result<Response, Failure> {
    let (obj, warnings) = decode(req, t)?;
    let key = t.key();
    let body_name = obj.metadata().name.clone().unwrap_or_default();
    if body_name != key.name {
        return Err(Failure::bad_request(format!("the name of the object ({body_name}) does not match the name on the URL ({})", key.name)));
    }
    if req.dry_run() {
        let mut api = c.api.clone();
        let r = if status_only { api.update_status(obj) } else { api.update(obj) };
        return r.map(|o| with_warnings(ok(&o.to_json()), &warnings)).map_err(|e| api_err(&e, t, &key.name));
    }
    let r = if status_only {
        let r = c.api.update_status(obj);
        c.settle();
        r
    } else {
        c.update(obj)
    };
    state.notify(c);
    r.map(|o| with_warnings(ok(&o.to_json()), &warnings)).map_err(|e| api_err(&e, t, &key.name))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatchKind {
    Json,
    Merge,
    Strategic,
    Apply,
}

fn patch_kind(req: &Req) -> Result<PatchKind, Failure> {
    let ct = req.header("content-type");
    let base = ct.split(';').next().unwrap_or("").trim().to_string();
    match base.as_str() {
        "application/json-patch+json" => Ok(PatchKind::Json),
        "application/merge-patch+json" => Ok(PatchKind::Merge),
        "application/strategic-merge-patch+json" => Ok(PatchKind::Strategic),
        "application/apply-patch+yaml" | "application/apply-patch+cbor" => Ok(PatchKind::Apply),
        _ => Err(Failure::unsupported_media(&ct)),
    }
}

/// Applies a patch of any kind to a JSON document.
fn patch_doc(doc: &mut Value, kind: PatchKind, patch: &Value) -> Result<(), Failure> {
    match kind {
        PatchKind::Json => pilothouse_engine::apiserver::json_patch(doc, patch).map_err(|e| Failure::new(422, "Invalid", e, None)),
        PatchKind::Merge => {
            pilothouse_engine::apiserver::merge_patch(doc, patch, false);
            Ok(())
        }
        PatchKind::Strategic | PatchKind::Apply => {
            strategic::apply(doc, patch);
            Ok(())
        }
    }
}

fn patch_body(req: &Req, kind: PatchKind) -> Result<Value, Failure> {
    if kind == PatchKind::Apply {
        // Server-side apply (simplified): the configuration is merged like a strategic patch.
        let text = std::str::from_utf8(&req.body).map_err(|_| Failure::bad_request("the body is not UTF-8"))?;
        let docs = serde_json::from_str::<Value>(text).or_else(|_| yaml_to_json(text)).map_err(Failure::bad_request)?;
        return Ok(docs);
    }
    let v = req.json_body()?;
    if kind == PatchKind::Json && !v.is_array() {
        return Err(Failure::bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch"));
    }
    if kind != PatchKind::Json && !v.is_object() {
        return Err(Failure::bad_request("json: cannot unmarshal into Go value of type map[string]interface {}"));
    }
    Ok(v)
}

fn yaml_to_json(text: &str) -> Result<Value, String> {
    let parsed = manifest::parse_manifests(text).map_err(|e| e.to_string())?;
    parsed.into_iter().next().map(|m| m.object.to_json()).ok_or_else(|| "empty apply configuration".to_string())
}

fn patch(c: &mut Cluster, state: &Arc<State>, req: &Req, t: &Target, status_only: bool) -> Result<Response, Failure> {
    let kind = patch_kind(req)?;
    let body = patch_body(req, kind)?;
    let key = t.key();
    let live = match c.api.get(&key) {
        Ok(l) => l,
        Err(e) => {
            if kind == PatchKind::Apply && !status_only {
                // Server-side apply creates what does not exist.
                let r = Req { method: Method::POST, path: req.path.clone(), query: req.query.clone(), headers: req.headers.clone(), body: Bytes::from(serde_json::to_vec(&body).unwrap_or_default()) };
                return create(c, state, &r, t).map(|resp| {
                    let (mut parts, b) = resp.into_parts();
                    parts.status = StatusCode::CREATED;
                    Response::from_parts(parts, b)
                });
            }
            return Err(api_err(&e, t, &key.name));
        }
    };
    let old = live.to_json();
    let mut doc = old.clone();
    patch_doc(&mut doc, kind, &body)?;
    if status_only {
        // Only the status of the patched document counts.
        let obj = Object::from_json_as(t.kind, doc).map_err(Failure::bad_request)?;
        let mut api_target = c.api.clone();
        let target = if req.dry_run() { &mut api_target } else { &mut c.api };
        let r = target.update_status(obj);
        if !req.dry_run() {
            c.settle();
            state.notify(c);
        }
        return r.map(|o| ok(&o.to_json())).map_err(|e| api_err(&e, t, &key.name));
    }
    // The engine applies the change as a merge patch (its own semantics for status and
    // quantities); strategic and JSON patches are first resolved against the live object here.
    let merge = match kind {
        PatchKind::Merge => body,
        _ => strategic::merge_diff(&old, &doc),
    };
    if let Some(rv) = body_resource_version(&doc, &old) {
        return Err(Failure::from_api(
            &ApiError::Conflict(format!(
                "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                t.kind.info().resource_name(),
                key.name
            )),
            Some(t.kind),
            &rv,
        ));
    }
    if req.dry_run() {
        let mut api = c.api.clone();
        return api.patch(&key, PatchType::Merge, &merge).map(|o| ok(&o.to_json())).map_err(|e| api_err(&e, t, &key.name));
    }
    let r = c.patch(&key, PatchType::Merge, &merge);
    state.notify(c);
    r.map(|o| ok(&o.to_json())).map_err(|e| api_err(&e, t, &key.name))
}

/// A resourceVersion precondition in a patch that does not match the live object.
fn body_resource_version(doc: &Value, old: &Value) -> Option<String> {
    let want = doc.pointer("/metadata/resourceVersion")?.as_str()?;
    let have = old.pointer("/metadata/resourceVersion")?.as_str()?;
    (want != have).then(|| want.to_string())
}

fn delete_options(req: &Req) -> Result<DeleteOptions, Failure> {
    let mut opts = DeleteOptions::default();
    let mut policy = req.query.get("propagationPolicy").cloned();
    let mut grace = req.query.get("gracePeriodSeconds").and_then(|s| s.parse::<i64>().ok());
    if !req.body.is_empty() {
        let v: Value = req.json_body()?;
        if let Some(p) = v.get("propagationPolicy").and_then(Value::as_str) {
            policy = Some(p.to_string());
        }
        if let Some(g) = v.get("gracePeriodSeconds").and_then(Value::as_i64) {
            grace = Some(g);
        }
        if v.get("orphanDependents").and_then(Value::as_bool) == Some(true) {
            policy = Some("Orphan".into());
        }
    }
    opts.propagation = match policy.as_deref() {
        None | Some("") | Some("Background") => Propagation::Background,
        Some("Foreground") => Propagation::Foreground,
        Some("Orphan") => Propagation::Orphan,
        Some(other) => return Err(Failure::bad_request(format!("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""))),
    };
    opts.grace_period = grace;
    Ok(opts)
}

fn delete(c: &mut Cluster, state: &Arc<State>, req: &Req, t: &Target) -> Result<Response, Failure> {
    let opts = delete_options(req)?;
    let key = t.key();
    if req.dry_run() {
        let obj = c.api.get(&key).map_err(|e| api_err(&e, t, &key.name))?;
        return Ok(ok(&obj.to_json()));
    }
    let r = c.delete(&key, &opts);
    state.notify(c);
    let out = r.map_err(|e| api_err(&e, t, &key.name))?;
    Ok(ok(&out.to_json()))
}

fn delete_collection(c: &mut Cluster, state: &Arc<State>, req: &Req, t: &Target) -> Result<Response, Failure> {
    let opts = delete_options(req)?;
    let objs = select(c, req, t)?;
    let mut items = Vec::new();
    if !req.dry_run() {
        for o in &objs {
            let key = ObjectKey::of(o);
            if let Ok(out) = c.api.delete(&key, &opts) {
                items.push(out.to_json());
            }
        }
        c.settle();
        state.notify(c);
    } else {
        items = objs.iter().map(|o| o.to_json()).collect();
    }
    Ok(ok(&json!({
        "kind": list_kind_name(t.kind),
        "apiVersion": t.kind.info().api_version(),
        "metadata": {"resourceVersion": c.api.store.resource_version().to_string()},
        "items": items
    })))
}

// ---- subresources ------------------------------------------------------------------------

fn scale_of(obj: &Object) -> Value {
    let v = obj.to_json();
    let m = obj.metadata();
    let selector = v.pointer("/spec/selector").map(|s| match s.get("matchLabels").and_then(Value::as_object) {
        Some(ml) => {
            let mut parts: Vec<String> = ml.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect();
            parts.sort();
            parts.join(",")
        }
        None => String::new(),
    });
    let mut meta = json!({
        "name": m.name,
        "namespace": m.namespace,
        "uid": m.uid,
        "resourceVersion": m.resource_version,
    });
    if let Some(ts) = v.pointer("/metadata/creationTimestamp") {
        meta["creationTimestamp"] = ts.clone();
    }
    let mut status = json!({"replicas": v.pointer("/status/replicas").and_then(Value::as_i64).unwrap_or(0)});
    if let Some(s) = selector.filter(|s| !s.is_empty()) {
        status["selector"] = Value::String(s);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": meta,
        "spec": {"replicas": v.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1)},
        "status": status
    })
}

fn scale(c: &mut Cluster, state: &Arc<State>, req: &Req, t: &Target) -> Result<Response, Failure> {
    let key = t.key();
    let live = c.api.get(&key).map_err(|e| api_err(&e, t, &key.name))?;
    let current = scale_of(&live);
    let desired = match req.method {
        Method::GET => return Ok(ok(&current)),
        Method::PUT => {
            let body = req.json_body()?;
            if let Some(rv) = body.pointer("/metadata/resourceVersion").and_then(Value::as_str) {
                if !rv.is_empty() && Some(rv) != live.metadata().resource_version.as_deref() {
                    return Err(api_err(
                        &ApiError::Conflict(format!(
                            "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                            t.kind.info().resource_name(),
                            key.name
                        )),
                        t,
                        &key.name,
                    ));
                }
            }
            body
        }
        Method::PATCH => {
            let kind = patch_kind(req)?;
            let body = patch_body(req, kind)?;
            let mut doc = current.clone();
            patch_doc(&mut doc, kind, &body)?;
            doc
        }
        _ => return Err(Failure::method_not_allowed(req.method.as_str(), &req.path)),
    };
    let replicas = match desired.pointer("/spec/replicas") {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(-1),
        None | Some(Value::Null) => 0,
        Some(_) => return Err(Failure::bad_request("Scale in version \"v1\" cannot be handled as a Scale: json: cannot unmarshal into Go struct field ScaleSpec.spec.replicas of type int32")),
    };
    if replicas < 0 {
        return Err(api_err(
            &ApiError::Invalid {
                kind: "Scale.autoscaling".into(),
                name: key.name.clone(),
                causes: vec![pilothouse_engine::api::FieldError {
                    field: "spec.replicas".into(),
                    message: format!("spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"),
                }],
            },
            t,
            &key.name,
        ));
    }
    if req.dry_run() {
        let mut api = c.api.clone();
        let out = api.patch(&key, PatchType::Merge, &json!({"spec": {"replicas": replicas}})).map_err(|e| api_err(&e, t, &key.name))?;
        return Ok(ok(&scale_of(&out)));
    }
    let r = c.patch(&key, PatchType::Merge, &json!({"spec": {"replicas": replicas}}));
    state.notify(c);
    let out = r.map_err(|e| api_err(&e, t, &key.name))?;
    Ok(ok(&scale_of(&out)))
}

/// The container a log request means, or the API server's error.
fn log_container(c: &Cluster, req: &Req, t: &Target) -> Result<(ObjectKey, String), Failure> {
    let key = t.key();
    let obj = c.api.get(&key).map_err(|e| api_err(&e, t, &key.name))?;
    let Object::Pod(pod) = &*obj else { return Err(Failure::no_route()) };
    let names: Vec<String> = pod.spec.iter().flat_map(|s| s.containers.iter().map(|c| c.name.clone())).collect();
    let container = match req.query.get("container").filter(|s| !s.is_empty()) {
        Some(n) => {
            let init: Vec<String> = pod.spec.iter().flat_map(|s| s.init_containers.iter().flatten().map(|c| c.name.clone())).collect();
            if !names.contains(n) && !init.contains(n) {
                let mut msg = format!("container {n} is not valid for pod {}", key.name);
                if names.is_empty() {
                    msg = format!("container {n} is not valid for pod {}", key.name);
                }
                return Err(Failure::bad_request(msg));
            }
            n.clone()
        }
        None if names.len() == 1 => names[0].clone(),
        None => {
            return Err(Failure::bad_request(format!("a container name must be specified for pod {}, choose one of: [{}]", key.name, names.join(" "))));
        }
    };
    Ok((key, container))
}

fn waiting_reason(c: &Cluster, key: &ObjectKey, container: &str) -> Option<String> {
    let obj = c.get(key)?;
    let Object::Pod(p) = &*obj else { return None };
    let st = p.status.as_ref()?;
    let cs = st.container_statuses.iter().flatten().chain(st.init_container_statuses.iter().flatten()).find(|s| s.name == container);
    match cs.and_then(|s| s.state.as_ref()).and_then(|s| s.waiting.as_ref()) {
        Some(w) => Some(w.reason.clone().unwrap_or_else(|| "ContainerCreating".into())),
        None if cs.is_none() => Some("ContainerCreating".into()),
        None => None,
    }
}

fn log_lines(c: &Cluster, req: &Req, key: &ObjectKey, container: &str) -> Result<Vec<String>, Failure> {
    let previous = req.query.get("previous").is_some_and(|v| v == "true" || v == "1");
    match c.kubelets.logs(key, container, previous) {
        Some(lines) if previous && lines.is_empty() => Err(Failure::bad_request(format!("previous terminated container \"{container}\" in pod \"{}\" not found", key.name))),
        Some([]) => match waiting_reason(c, key, container) {
            Some(reason) => Err(Failure::bad_request(format!("container \"{container}\" in pod \"{}\" is waiting to start: {}", key.name, waiting_text(&reason)))),
            None => Ok(Vec::new()),
        },
        Some(lines) => Ok(lines.to_vec()),
        None if previous => Err(Failure::bad_request(format!("previous terminated container \"{container}\" in pod \"{}\" not found", key.name))),
        None => match waiting_reason(c, key, container) {
            Some(reason) => Err(Failure::bad_request(format!("container \"{container}\" in pod \"{}\" is waiting to start: {}", key.name, waiting_text(&reason)))),
            None => Ok(Vec::new()),
        },
    }
}

fn waiting_text(reason: &str) -> String {
    match reason {
        "ErrImagePull" | "ImagePullBackOff" => "trying and failing to pull image".into(),
        "ContainerCreating" => "ContainerCreating".into(),
        other => other.into(),
    }
}

fn tail(lines: Vec<String>, req: &Req) -> Vec<String> {
    match req.query.get("tailLines").and_then(|s| s.parse::<usize>().ok()) {
        Some(n) if n < lines.len() => lines[lines.len() - n..].to_vec(),
        _ => lines,
    }
}

fn logs(c: &mut Cluster, _state: &Arc<State>, req: &Req, t: &Target) -> Result<Response, Failure> {
    let (key, container) = log_container(c, req, t)?;
    let lines = tail(log_lines(c, req, &key, &container)?, req);
    let mut s = String::new();
    for l in lines {
        s.push_str(&l);
        s.push('\n');
    }
    Ok(text(s))
}

/// `logs -f`: the lines so far, then new ones as the container writes them, until the pod goes.
async fn follow_logs(state: &Arc<State>, req: &Req) -> Result<Response, Failure> {
    let Some((g, v, rest)) = parse_target(&req.path)? else { return Err(Failure::no_route()) };
    let t = resolve(&g, &v, &rest)?;
    if t.kind != Kind::Pod || t.sub.as_deref() != Some("log") {
        return Err(Failure::no_route());
    }
    let r2 = Req { method: req.method.clone(), path: req.path.clone(), query: req.query.clone(), headers: req.headers.clone(), body: req.body.clone() };
    let (key, container, first, seen) = state
        .call_async(move |c| -> Result<_, Failure> {
            let (key, container) = log_container(c, &r2, &t)?;
            let all = log_lines(c, &r2, &key, &container)?;
            let seen = all.len();
            Ok((key, container, tail(all, &r2), seen))
        })
        .await
        .ok_or_else(|| Failure::new(500, "InternalError", "the engine stopped", None))??;
    let previous = req.query.get("previous").is_some_and(|v| v == "true" || v == "1");
    let mut chunk = String::new();
    for l in first {
        chunk.push_str(&l);
        chunk.push('\n');
    }
    let rx = state.subscribe();
    let guard = state.register_watch(u64::MAX);
    struct F {
        state: Arc<State>,
        key: ObjectKey,
        container: String,
        seen: usize,
        first: Option<String>,
        rx: tokio::sync::watch::Receiver<u64>,
        previous: bool,
        _guard: crate::state::WatchGuard,
    }
    let f = F { state: state.clone(), key, container, seen, first: Some(chunk), rx, previous, _guard: guard };
    let stream = futures_util::stream::unfold(f, |mut f| async move {
        if let Some(first) = f.first.take() {
            if !first.is_empty() {
                return Some((Ok::<Bytes, std::convert::Infallible>(Bytes::from(first)), f));
            }
        }
        loop {
            if f.previous || f.state.shutting_down.load(std::sync::atomic::Ordering::SeqCst) {
                return None;
            }
            f.rx.borrow_and_update();
            {
                let (key, container) = (f.key.clone(), f.container.clone());
                let lines = f
                    .state
                    .call_async(move |c| c.get(&key).map(|_| c.kubelets.logs(&key, &container, false).map(|l| l.to_vec()).unwrap_or_default()))
                    .await
                    .flatten()?;
                if lines.len() < f.seen {
                    f.seen = 0;
                }
                if lines.len() > f.seen {
                    let mut s = String::new();
                    for l in &lines[f.seen..] {
                        s.push_str(l);
                        s.push('\n');
                    }
                    f.seen = lines.len();
                    f.state.delivered();
                    return Some((Ok(Bytes::from(s)), f));
                }
            }
            tokio::select! {
                r = f.rx.changed() => { if r.is_err() { return None; } }
                _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
            }
        }
    });
    let mut resp = Response::new(Body::from_stream(stream));
    resp.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("text/plain"));
    Ok(resp)
}

/// `POST .../pods/NAME/eviction`: the Eviction API — refused with 429 while a
/// PodDisruptionBudget allows no disruption, otherwise a graceful delete.
fn evict(c: &mut Cluster, state: &Arc<State>, req: &Req, t: &Target) -> Result<Response, Failure> {
    let body = req.json_body()?;
    let key = t.key();
    if let Some(n) = body.pointer("/metadata/name").and_then(Value::as_str) {
        if n != key.name {
            return Err(Failure::bad_request(format!("name in URL does not match name in Eviction object: {} vs {n}", key.name)));
        }
    }
    let mut opts = DeleteOptions::default();
    if let Some(g) = body.pointer("/deleteOptions/gracePeriodSeconds").and_then(Value::as_i64) {
        opts.grace_period = Some(g);
    }
    if req.dry_run() {
        c.api.get(&key).map_err(|e| api_err(&e, t, &key.name))?;
        return Ok(created(&success(json!({"name": key.name, "kind": "pods"}))));
    }
    let r = if opts.grace_period.is_some() { c.delete(&key, &opts).map(|_| ()) } else { c.evict(&key) };
    state.notify(c);
    r.map_err(|e| api_err(&e, t, &key.name))?;
    let mut s = success(json!({"name": key.name, "kind": "pods"}));
    s["code"] = json!(201);
    Ok(created(&s))
}

/// `POST .../pods/NAME/binding`: sets the pod's node.
fn bind(c: &mut Cluster, state: &Arc<State>, req: &Req, t: &Target) -> Result<Response, Failure> {
    let body = req.json_body()?;
    let key = t.key();
    let node = body.pointer("/target/name").and_then(Value::as_str).unwrap_or("").to_string();
    if node.is_empty() {
        return Err(Failure::new(422, "Invalid", format!("Binding.core \"{}\" is invalid: target.name: Required value", key.name), None));
    }
    let live = c.api.get(&key).map_err(|e| api_err(&e, t, &key.name))?;
    let Object::Pod(p) = &*live else { return Err(Failure::no_route()) };
    if let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.as_ref()) {
        return Err(Failure::new(409, "Conflict", format!("Operation cannot be fulfilled on pods/binding \"{}\": pod {} is already assigned to node \"{n}\"", key.name, key.name), None));
    }
    let mut p = p.clone();
    if let Some(s) = p.spec.as_mut() {
        s.node_name = Some(node);
    }
    p.metadata.resource_version = None;
    let r = c.update(Object::Pod(p));
    state.notify(c);
    r.map_err(|e| api_err(&e, t, &key.name))?;
    let mut s = success(json!({}));
    s["code"] = json!(201);
    Ok(created(&s))
}
