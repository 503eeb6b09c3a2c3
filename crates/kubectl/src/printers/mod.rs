//! Everything `kubectl` prints, byte for byte like kubectl v1.32:
//!
//! * [`print_table`]: `kubectl get` tables (default and `-o wide`, `--show-labels`, `-L`, `-A`,
//!   `--no-headers`, `kind/name` prefixes), aligned with Go's `text/tabwriter`.
//! * [`describe`]: `kubectl describe` for every kind, with the Events section.
//! * [`print_objects`]: `-o yaml|json|name|jsonpath=...|custom-columns=...`.
//! * [`human_duration`] / [`short_human_duration`]: the AGE formats.
//!
//! Time never comes from the wall clock: callers pass the virtual `now`.
//!
//! Conventions left to the caller (the command layer):
//! * `No resources found in default namespace.` / `No resources found` goes to stderr when a
//!   list is empty; [`print_table`] returns `""` for no objects (kubectl prints no header then).
//! * Objects are printed in the order given (kubectl shows the server's order: by namespace and
//!   name; `kubectl get events` is not re-sorted either).
//! * Errors returned as `Err(String)` are kubectl's message without the leading `error: `.
//! * Several kinds in one `get` (`kubectl get pods,svc`): call [`print_table`] once per kind with
//!   `with_kind: true` and join the tables with a blank line, as kubectl does.

mod describe;
mod duration;
mod json;
mod jsonpath;
mod output;
mod table;
mod tabwriter;
mod util;
mod yaml;

#[cfg(test)]
mod tests;

pub use describe::describe;
pub use duration::{human_duration, rfc1123z, short_human_duration};
pub use output::{jsonpath_on, parse_output_format, print_objects};
pub use table::{pod_row, print_table};
pub use util::{canonical_quantity, quantity_valid};

/// A JSON value as kubectl's YAML (`-o yaml`): sorted keys, go-yaml v2 quoting and folding.
pub fn to_yaml(value: &serde_json::Value) -> String {
    yaml::to_yaml(value)
}

/// A JSON value as kubectl's `-o json`: 4-space indent, sorted keys, Go escaping, newline.
pub fn to_json(value: &serde_json::Value) -> String {
    json::to_pretty(value)
}

/// [`to_json`] with the keys in the value's own order (a typed Go struct's fields).
pub fn to_json_in_order(value: &serde_json::Value) -> String {
    json::to_pretty_in_order(value)
}

fn yaml_of(v: &serde_json::Value) -> String {
    yaml::to_yaml(v)
}

use pilothouse_engine::api::{Kind, Object};
use std::sync::Arc;

/// Read access to the cluster for printers that need related objects (`describe` looks up
/// events, pods on a node, a deployment's ReplicaSets, a service's endpoints, ...).
pub trait ObjectSource {
    /// The current virtual time.
    fn now(&self) -> chrono::DateTime<chrono::Utc>;
    /// One object by kind, namespace (ignored for cluster-scoped kinds) and name.
    fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<Arc<Object>>;
    /// Objects of a kind; `namespace: None` means all namespaces. Sorted by namespace then name.
    fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<Arc<Object>>;
}

/// Options of a `kubectl get` table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// `-o wide`: the extra (priority 1) columns.
    pub wide: bool,
    /// `--show-labels`: a trailing LABELS column.
    pub show_labels: bool,
    /// `-A` / `--all-namespaces`: a leading NAMESPACE column (ignored for cluster-scoped kinds).
    pub with_namespace: bool,
    /// `--no-headers`.
    pub no_headers: bool,
    /// `-L key1,key2`: one column per label key.
    pub label_columns: Vec<String>,
    /// Prefix names with the resource (`pod/x`, `deployment.apps/x`), as kubectl does when one
    /// command prints several kinds (`kubectl get all`, `kubectl get pods,svc`).
    pub with_kind: bool,
}

/// An `-o` output format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// The default table.
    Default,
    /// `-o wide`.
    Wide,
    /// `-o yaml`.
    Yaml,
    /// `-o json`.
    Json,
    /// `-o name`.
    Name,
    /// `-o jsonpath=TEMPLATE`.
    JsonPath(String),
    /// `-o jsonpath-as-json=TEMPLATE`: each action's results as an indented JSON array.
    JsonPathJson(String),
    /// `-o custom-columns=SPEC`.
    CustomColumns(String),
}
