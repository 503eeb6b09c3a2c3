//! NodeAffinity: `spec.nodeSelector` and required node affinity must match the node (Filter);
//! preferred node affinity terms add their weights (Score, normalised to 0..=100).

use crate::scheduler::cache::NodeInfo;
use crate::scheduler::framework::{default_normalize, CycleEnv, Plugin, PodCtx, PreResult, Status, MAX_NODE_SCORE};
use crate::scheduler::labels::{node_selector_matches, node_selector_term_matches};
use k8s_openapi::api::core::v1::{NodeSelector, PodSpec, PreferredSchedulingTerm};
use std::any::Any;

/// Plugin name.
pub const NAME: &str = "NodeAffinity";
/// Failure reason.
pub const ERR_REASON_POD: &str = "node(s) didn't match Pod's node affinity/selector";

fn required(spec: &PodSpec) -> Option<&NodeSelector> {
    spec.affinity.as_ref()?.node_affinity.as_ref()?.required_during_scheduling_ignored_during_execution.as_ref()
}

fn preferred(spec: &PodSpec) -> &[PreferredSchedulingTerm] {
    spec.affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| n.preferred_during_scheduling_ignored_during_execution.as_deref())
        .unwrap_or(&[])
}

/// Whether the pod's nodeSelector and required node affinity both match a node
/// (`GetRequiredNodeAffinity(pod).Match(node)`), also used by PodTopologySpread.
pub fn required_node_affinity_matches(spec: &PodSpec, node: &NodeInfo) -> bool {
    if let Some(sel) = &spec.node_selector {
        if !sel.iter().all(|(k, v)| node.labels.get(k) == Some(v)) {
            return false;
        }
    }
    match required(spec) {
        Some(ns) => node_selector_matches(ns, &node.name, &node.labels),
        None => true,
    }
}

/// Whether the pod has a nodeSelector or required node affinity at all (if not,
/// [`required_node_affinity_matches`] holds for every node).
pub fn has_required_node_affinity(spec: &PodSpec) -> bool {
    spec.node_selector.as_ref().is_some_and(|m| !m.is_empty()) || required(spec).is_some()
}

/// The NodeAffinity filter and score plugin.
#[derive(Debug, Default, Clone, Copy)]
pub struct NodeAffinity;

impl Plugin for NodeAffinity {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter(&self, pod: &PodCtx, _env: &CycleEnv) -> PreResult {
        if pod.spec.node_selector.as_ref().is_none_or(|m| m.is_empty()) && required(pod.spec).is_none() {
            return PreResult::skip();
        }
        PreResult::ok()
    }

    fn passes(&self, _s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> bool {
        required_node_affinity_matches(pod.spec, node)
    }

    fn filter(&self, _s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> Status {
        if required_node_affinity_matches(pod.spec, node) {
            Status::success()
        } else {
            Status::unresolvable(ERR_REASON_POD)
        }
    }

    fn pre_score(&self, pod: &PodCtx, _env: &CycleEnv, _nodes: &[&NodeInfo]) -> PreResult {
        if preferred(pod.spec).is_empty() {
            return PreResult::skip();
        }
        PreResult::ok()
    }

    fn score(&self, _s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> i64 {
        preferred(pod.spec)
            .iter()
            .filter(|t| t.weight != 0 && node_selector_term_matches(&t.preference, &node.name, &node.labels))
            .map(|t| t.weight as i64)
            .sum()
    }

    fn normalize(&self, _s: Option<&dyn Any>, _pod: &PodCtx, scores: &mut [i64]) {
        default_normalize(MAX_NODE_SCORE, false, scores);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testutil::*;

    fn affinity_pod(required: &str) -> String {
        format!("metadata: {{name: p}}\nspec:\n  containers: []\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms: {required}")
    }

    #[test]
    fn filter_table() {
        let h = Harness::new(vec![node_yaml("n1", "zone: a, disk: ssd, cpus: '8'", "")], vec![]);
        let cases: &[(String, bool)] = &[
            ("metadata: {name: p}\nspec: {containers: []}".into(), true),
            ("metadata: {name: p}\nspec: {containers: [], nodeSelector: {zone: a}}".into(), true),
            ("metadata: {name: p}\nspec: {containers: [], nodeSelector: {zone: b}}".into(), false),
            (affinity_pod("[{matchExpressions: [{key: zone, operator: In, values: [a, b]}]}]"), true),
            (affinity_pod("[{matchExpressions: [{key: zone, operator: NotIn, values: [a]}]}]"), false),
            (affinity_pod("[{matchExpressions: [{key: disk, operator: Exists}, {key: zone, operator: In, values: [b]}]}]"), false),
            (affinity_pod("[{matchExpressions: [{key: zone, operator: In, values: [b]}]}, {matchExpressions: [{key: disk, operator: In, values: [ssd]}]}]"), true),
            (affinity_pod("[{matchExpressions: [{key: gpu, operator: DoesNotExist}]}]"), true),
            (affinity_pod("[{matchExpressions: [{key: cpus, operator: Gt, values: ['4']}]}]"), true),
            (affinity_pod("[{matchExpressions: [{key: cpus, operator: Lt, values: ['4']}]}]"), false),
            (affinity_pod("[{matchFields: [{key: metadata.name, operator: In, values: [n1]}]}]"), true),
            (affinity_pod("[{matchFields: [{key: metadata.name, operator: In, values: [n2]}]}]"), false),
            (affinity_pod("[]"), false),
            (affinity_pod("[{}]"), false),
        ];
        for (y, ok) in cases {
            let s = h.filter(&NodeAffinity, &pod(y), "n1");
            assert_eq!(s.is_success(), *ok, "{y}");
            if !ok {
                assert_eq!(s.reasons, vec![ERR_REASON_POD.to_string()]);
            }
        }
    }

    #[test]
    fn preferred_score() {
        let h = Harness::new(vec![node_yaml("a", "zone: a", ""), node_yaml("b", "zone: b", ""), node_yaml("c", "", "")], vec![]);
        let p = pod("metadata: {name: p}\nspec:\n  containers: []\n  affinity:\n    nodeAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n      - {weight: 80, preference: {matchExpressions: [{key: zone, operator: In, values: [a]}]}}\n      - {weight: 20, preference: {matchExpressions: [{key: zone, operator: Exists}]}}");
        assert_eq!(h.scores(&NodeAffinity, &p), vec![100, 20, 0]);
    }
}
