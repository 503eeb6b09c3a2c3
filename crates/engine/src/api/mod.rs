//! The object model: kinds on `k8s-openapi` types, typed keys, manifest parsing, errors,
//! defaulting and validation as the Kubernetes API server does them.

pub mod codec;
mod codec_gen;
pub mod defaults;
pub mod gotime;
mod json_de;
mod json_ser;
mod kinds;
pub mod manifest;
pub mod quantity;
pub mod validate;

pub use codec::{to_json, Json};
pub use json_de::PathError;

/// Reads `T` by its serde impl through the engine's deserializer: what the codec reads API types
/// with for leaves, and its reference in tests (`crates/lessons/tests/codec.rs`).
#[doc(hidden)]
pub fn serde_from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, PathError> {
    json_de::from_value(v)
}
pub use json_ser::to_value as to_json_value;
pub use kinds::{typed_from_json, Kind, KindInfo, Object};
pub use manifest::{parse_manifests, parse_manifests_with, FieldValidation, ParsedManifest};

use std::fmt;

/// The identity of one object in the store: kind, namespace (empty if cluster-scoped) and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// The object's kind.
    pub kind: Kind,
    /// The namespace, empty for cluster-scoped kinds.
    pub namespace: String,
    /// The object's name.
    pub name: String,
}

impl ObjectKey {
    /// A key for a namespaced or cluster-scoped object (the namespace is dropped for the latter).
    pub fn new(kind: Kind, namespace: &str, name: &str) -> ObjectKey {
        let namespace = if kind.info().namespaced { namespace.to_string() } else { String::new() };
        ObjectKey { kind, namespace, name: name.to_string() }
    }

    /// The key of an object.
    pub fn of(obj: &Object) -> ObjectKey {
        let m = obj.metadata();
        ObjectKey::new(obj.kind(), m.namespace.as_deref().unwrap_or(""), m.name.as_deref().unwrap_or(""))
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// One field-level problem in an Invalid error (`spec.replicas: Invalid value: -1: must be ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field (`spec.template.spec.containers[0].name`).
    pub field: String,
    /// The full message for that field, as Kubernetes words it.
    pub message: String,
}

/// An error the API server returns, worded as Kubernetes words it. `reason()` is the
/// `metav1.Status` reason; `Display` is the message; kubectl adds `Error from server (Reason): `.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// `pods "x" not found`
    #[error("{resource} \"{name}\" not found")]
    NotFound {
        /// `pods`, `deployments.apps`
        resource: String,
        /// the object name
        name: String,
    },
    /// `pods "x" already exists`
    #[error("{resource} \"{name}\" already exists")]
    AlreadyExists {
        /// `pods`, `deployments.apps`
        resource: String,
        /// the object name
        name: String,
    },
    /// `Deployment.apps "x" is invalid: [spec.replicas: ...]`
    #[error("{}", invalid_message(.kind, .name, .causes))]
    Invalid {
        /// `Deployment.apps`
        kind: String,
        /// the object name
        name: String,
        /// one entry per field
        causes: Vec<FieldError>,
    },
    /// A conflict on resourceVersion or state.
    #[error("{0}")]
    Conflict(String),
    /// A request the server cannot decode or understand.
    #[error("{0}")]
    BadRequest(String),
    /// Refused by admission (quota, terminating namespace, ...).
    #[error("{0}")]
    Forbidden(String),
    /// A method that does not apply to this object.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// An error inside the simulator (a bug, never a user mistake).
    #[error("{0}")]
    Internal(String),
    /// Refused for now; retry later (HTTP 429), e.g. an eviction a disruption budget blocks.
    #[error("{0}")]
    TooManyRequests(String),
}

fn invalid_message(kind: &str, name: &str, causes: &[FieldError]) -> String {
    let list: Vec<&str> = causes.iter().map(|c| c.message.as_str()).collect();
    if list.len() == 1 {
        format!("{kind} \"{name}\" is invalid: {}", list[0])
    } else {
        format!("{kind} \"{name}\" is invalid: [{}]", list.join(", "))
    }
}

impl ApiError {
    /// The `metav1.Status` reason (`NotFound`, `AlreadyExists`, `Invalid`, ...).
    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::NotFound { .. } => "NotFound",
            ApiError::AlreadyExists { .. } => "AlreadyExists",
            ApiError::Invalid { .. } => "Invalid",
            ApiError::Conflict(_) => "Conflict",
            ApiError::BadRequest(_) => "BadRequest",
            ApiError::Forbidden(_) => "Forbidden",
            ApiError::MethodNotAllowed(_) => "MethodNotAllowed",
            ApiError::Internal(_) => "InternalError",
            ApiError::TooManyRequests(_) => "TooManyRequests",
        }
    }

    /// The HTTP status code Kubernetes uses for this error.
    pub fn code(&self) -> u16 {
        match self {
            ApiError::NotFound { .. } => 404,
            ApiError::AlreadyExists { .. } | ApiError::Conflict(_) => 409,
            ApiError::Invalid { .. } => 422,
            ApiError::BadRequest(_) => 400,
            ApiError::Forbidden(_) => 403,
            ApiError::MethodNotAllowed(_) => 405,
            ApiError::Internal(_) => 500,
            ApiError::TooManyRequests(_) => 429,
        }
    }

    /// `NotFound` for a key.
    pub fn not_found(kind: Kind, name: &str) -> ApiError {
        ApiError::NotFound { resource: kind.info().resource_name(), name: name.to_string() }
    }

    /// `Invalid` with the given field errors.
    pub fn invalid(kind: Kind, name: &str, causes: Vec<FieldError>) -> ApiError {
        let i = kind.info();
        let k = if i.group.is_empty() { i.kind.to_string() } else { format!("{}.{}", i.kind, i.group) };
        ApiError::Invalid { kind: k, name: name.to_string(), causes }
    }

    /// kubectl's rendering: `Error from server (NotFound): pods "x" not found`.
    pub fn kubectl_message(&self) -> String {
        format!("Error from server ({}): {}", self.reason(), self)
    }
}

/// Metadata helpers shared by controllers and printers.
pub mod meta {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

    /// The owner reference with `controller: true`, if any.
    pub fn controller_of(m: &ObjectMeta) -> Option<&OwnerReference> {
        m.owner_references.as_ref()?.iter().find(|o| o.controller == Some(true))
    }

    /// A label's value.
    pub fn label<'a>(m: &'a ObjectMeta, key: &str) -> Option<&'a str> {
        m.labels.as_ref()?.get(key).map(String::as_str)
    }

    /// An annotation's value.
    pub fn annotation<'a>(m: &'a ObjectMeta, key: &str) -> Option<&'a str> {
        m.annotations.as_ref()?.get(key).map(String::as_str)
    }

    /// The object's name or the empty string.
    pub fn name(m: &ObjectMeta) -> &str {
        m.name.as_deref().unwrap_or("")
    }

    /// The object's namespace or the empty string.
    pub fn namespace(m: &ObjectMeta) -> &str {
        m.namespace.as_deref().unwrap_or("")
    }

    /// The object's uid or the empty string.
    pub fn uid(m: &ObjectMeta) -> &str {
        m.uid.as_deref().unwrap_or("")
    }
}
