//! Precompiled label and node selectors for the scheduler's hot path.
//!
//! Kubernetes converts a `metav1.LabelSelector` into a `labels.Selector` once per pod
//! (`LabelSelectorAsSelector`): a nil selector matches nothing, an empty one matches everything.
//! Node selector terms (`v1.NodeSelector`) are ORed, their expressions ANDed, with the extra `Gt`/`Lt`
//! operators and `matchFields` on `metadata.name`. Matching here never allocates.

use k8s_openapi::api::core::v1::{NodeSelector, NodeSelectorRequirement, NodeSelectorTerm};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

/// One requirement of a compiled label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Req {
    /// `key == value` (from `matchLabels`).
    Eq(String, String),
    /// `key in (values)`.
    In(String, Vec<String>),
    /// `key notin (values)` (or the key is absent).
    NotIn(String, Vec<String>),
    /// The key is present.
    Exists(String),
    /// The key is absent.
    DoesNotExist(String),
    /// An invalid operator: matches nothing.
    Never,
}

/// A `metav1.LabelSelector` compiled for repeated matching.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CompiledSelector {
    /// `true` for a nil selector, which matches nothing.
    nothing: bool,
    reqs: Vec<Req>,
}

impl CompiledSelector {
    /// Compiles an optional selector: `None` matches nothing, `Some({})` matches everything.
    pub fn new(sel: Option<&LabelSelector>) -> CompiledSelector {
        let Some(sel) = sel else {
            return CompiledSelector { nothing: true, reqs: Vec::new() };
        };
        let mut reqs = Vec::new();
        for (k, v) in sel.match_labels.iter().flatten() {
            reqs.push(Req::Eq(k.clone(), v.clone()));
        }
        for e in sel.match_expressions.iter().flatten() {
            let vals = e.values.clone().unwrap_or_default();
            reqs.push(match e.operator.as_str() {
                "In" => Req::In(e.key.clone(), vals),
                "NotIn" => Req::NotIn(e.key.clone(), vals),
                "Exists" => Req::Exists(e.key.clone()),
                "DoesNotExist" => Req::DoesNotExist(e.key.clone()),
                _ => Req::Never,
            });
        }
        CompiledSelector { nothing: false, reqs }
    }

    /// A selector matching every label set.
    pub fn everything() -> CompiledSelector {
        CompiledSelector { nothing: false, reqs: Vec::new() }
    }

    /// A selector of exact `key=value` pairs (a `map[string]string` selector).
    pub fn from_map(m: &BTreeMap<String, String>) -> CompiledSelector {
        CompiledSelector {
            nothing: false,
            reqs: m.iter().map(|(k, v)| Req::Eq(k.clone(), v.clone())).collect(),
        }
    }

    /// Whether the selector matches nothing at all.
    pub fn is_nothing(&self) -> bool {
        self.nothing
    }

    /// Whether the label set satisfies every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        if self.nothing {
            return false;
        }
        self.reqs.iter().all(|r| match r {
            Req::Eq(k, v) => labels.get(k) == Some(v),
            Req::In(k, vs) => labels.get(k).is_some_and(|h| vs.contains(h)),
            Req::NotIn(k, vs) => labels.get(k).is_none_or(|h| !vs.contains(h)),
            Req::Exists(k) => labels.contains_key(k),
            Req::DoesNotExist(k) => !labels.contains_key(k),
            Req::Never => false,
        })
    }
}

/// Whether one node selector requirement (`In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`)
/// holds for a value looked up by key.
fn requirement_matches(req: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values = req.values.as_deref().unwrap_or(&[]);
    match req.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            // Exactly one integer value is required; the label must parse as an integer too.
            if values.len() != 1 {
                return false;
            }
            let (Some(v), Ok(bound)) = (value, values[0].parse::<i64>()) else {
                return false;
            };
            let Ok(v) = v.parse::<i64>() else {
                return false;
            };
            if req.operator == "Gt" {
                v > bound
            } else {
                v < bound
            }
        }
        _ => false,
    }
}

/// Whether a node selector term matches: all `matchExpressions` (labels) and all `matchFields`
/// (only `metadata.name`) hold. A term with neither matches nothing, as in Kubernetes.
pub fn node_selector_term_matches(term: &NodeSelectorTerm, node_name: &str, labels: &BTreeMap<String, String>) -> bool {
    let exprs = term.match_expressions.as_deref().unwrap_or(&[]);
    let fields = term.match_fields.as_deref().unwrap_or(&[]);
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    for e in exprs {
        if !requirement_matches(e, labels.get(&e.key).map(String::as_str)) {
            return false;
        }
    }
    for f in fields {
        // Only metadata.name is a supported field; validation rejects others, we treat them as no match.
        if f.key != "metadata.name" {
            return false;
        }
        if !requirement_matches(f, Some(node_name)) {
            return false;
        }
    }
    true
}

/// Whether a node selector (terms ORed) matches a node. An empty term list matches nothing.
pub fn node_selector_matches(sel: &NodeSelector, node_name: &str, labels: &BTreeMap<String, String>) -> bool {
    sel.node_selector_terms.iter().any(|t| node_selector_term_matches(t, node_name, labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn req(key: &str, op: &str, values: &[&str]) -> NodeSelectorRequirement {
        NodeSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: if values.is_empty() { None } else { Some(values.iter().map(|s| s.to_string()).collect()) },
        }
    }

    #[test]
    fn node_selector_operators() {
        let l = labels(&[("zone", "a"), ("cpus", "8")]);
        let cases: &[(NodeSelectorRequirement, bool)] = &[
            (req("zone", "In", &["a", "b"]), true),
            (req("zone", "In", &["b"]), false),
            (req("zone", "NotIn", &["b"]), true),
            (req("missing", "NotIn", &["b"]), true),
            (req("zone", "Exists", &[]), true),
            (req("zone", "DoesNotExist", &[]), false),
            (req("cpus", "Gt", &["4"]), true),
            (req("cpus", "Gt", &["8"]), false),
            (req("cpus", "Lt", &["9"]), true),
            (req("zone", "Gt", &["1"]), false),
            (req("cpus", "Gt", &["x"]), false),
            (req("zone", "Bogus", &["a"]), false),
        ];
        for (r, want) in cases {
            let term = NodeSelectorTerm { match_expressions: Some(vec![r.clone()]), match_fields: None };
            assert_eq!(node_selector_term_matches(&term, "n1", &l), *want, "{r:?}");
        }
        let by_name = NodeSelectorTerm { match_expressions: None, match_fields: Some(vec![req("metadata.name", "In", &["n1"])]) };
        assert!(node_selector_term_matches(&by_name, "n1", &l));
        assert!(!node_selector_term_matches(&by_name, "n2", &l));
        assert!(!node_selector_term_matches(&NodeSelectorTerm::default(), "n1", &l));
    }

    #[test]
    fn nil_selector_matches_nothing_and_empty_everything() {
        let l = labels(&[("app", "web")]);
        assert!(!CompiledSelector::new(None).matches(&l));
        assert!(CompiledSelector::new(Some(&LabelSelector::default())).matches(&l));
    }
}
