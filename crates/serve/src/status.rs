//! `metav1.Status`: the body of every error (and of some successful deletes), as the API server
//! writes it: code, reason, message and details (name, group, kind, causes).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pilothouse_engine::api::{ApiError, Kind};
use serde_json::{json, Value};

/// An error response: HTTP code plus a Status body.
#[derive(Debug, Clone)]
pub struct Failure {
    /// HTTP status code.
    pub code: u16,
    /// The Status object.
    pub body: Value,
}

impl Failure {
    /// A Status with code, reason and message, and optional details.
    pub fn new(code: u16, reason: &str, message: impl Into<String>, details: Option<Value>) -> Failure {
        let mut body = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message.into(),
            "reason": reason,
            "code": code,
        });
        if let (Some(d), Some(m)) = (details, body.as_object_mut()) {
            // Keep Kubernetes' field order: details before code.
            let code = m.remove("code").unwrap_or(Value::Null);
            m.insert("details".into(), d);
            m.insert("code".into(), code);
        }
        Failure { code, body }
    }

    /// 400 BadRequest.
    pub fn bad_request(message: impl Into<String>) -> Failure {
        Failure::new(400, "BadRequest", message, None)
    }

    /// 404 NotFound for a path the server does not serve (`the server could not find the requested resource`).
    pub fn no_route() -> Failure {
        Failure::new(404, "NotFound", "the server could not find the requested resource", Some(json!({})))
    }

    /// 405 MethodNotAllowed.
    pub fn method_not_allowed(method: &str, what: &str) -> Failure {
        Failure::new(405, "MethodNotAllowed", format!("the server does not allow this method on the requested resource ({method} {what})"), Some(json!({})))
    }

    /// 415 UnsupportedMediaType.
    pub fn unsupported_media(ct: &str) -> Failure {
        Failure::new(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {ct})"), None)
    }

    /// An engine error for an object of `kind` named `name`.
    pub fn from_api(err: &ApiError, kind: Option<Kind>, name: &str) -> Failure {
        let mut details = serde_json::Map::new();
        let name = match err {
            ApiError::NotFound { name, .. } | ApiError::AlreadyExists { name, .. } | ApiError::Invalid { name, .. } => name.clone(),
            _ => name.to_string(),
        };
        // The kind in the details is the resource's plural (NotFound, AlreadyExists, Conflict) or the
        // Kind (Invalid), as the apiserver's errors package does.
        let mut kind_for_details = kind;
        if let ApiError::NotFound { resource, .. } = err {
            kind_for_details = Kind::ALL.iter().copied().find(|k| k.info().resource_name() == *resource).or(kind);
        }
        if !name.is_empty() {
            details.insert("name".into(), Value::String(name));
        }
        if let Some(k) = kind_for_details {
            let i = k.info();
            if !i.group.is_empty() {
                details.insert("group".into(), Value::String(i.group.into()));
            }
            let kname = if matches!(err, ApiError::Invalid { .. }) { i.kind.to_string() } else { i.plural.to_string() };
            details.insert("kind".into(), Value::String(kname));
        }
        if let ApiError::Invalid { causes, .. } = err {
            let cs: Vec<Value> = causes
                .iter()
                .map(|c| {
                    let reason = if c.message.contains(": Required value") {
                        "FieldValueRequired"
                    } else if c.message.contains(": Unsupported value") {
                        "FieldValueNotSupported"
                    } else if c.message.contains(": Forbidden") {
                        "FieldValueForbidden"
                    } else if c.message.contains(": Duplicate value") {
                        "FieldValueDuplicate"
                    } else {
                        "FieldValueInvalid"
                    };
                    let msg = c.message.strip_prefix(&format!("{}: ", c.field)).unwrap_or(&c.message).to_string();
                    json!({"reason": reason, "message": msg, "field": c.field})
                })
                .collect();
            details.insert("causes".into(), Value::Array(cs));
        }
        let details = if matches!(err, ApiError::BadRequest(_) | ApiError::Internal(_)) && details.is_empty() { None } else { Some(Value::Object(details)) };
        let details = if matches!(err, ApiError::BadRequest(_)) { None } else { details };
        Failure::new(err.code(), err.reason(), err.to_string(), details)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_response(code, &self.body)
    }
}

/// A JSON response with the given code.
pub fn json_response(code: StatusCode, body: &Value) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    let mut r = (code, text).into_response();
    r.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    r
}

/// A successful Status (`{"status":"Success"}`), as some deletes return.
pub fn success(details: Value) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}
