//! TaintToleration: a node's `NoSchedule`/`NoExecute` taints repel pods that do not tolerate them
//! (Filter), and untolerated `PreferNoSchedule` taints lower a node's score (Score, reversed).

use crate::scheduler::cache::{NodeInfo, TaintInfo};
use crate::scheduler::framework::{default_normalize, CycleEnv, Plugin, PodCtx, PreResult, Status, MAX_NODE_SCORE};
use k8s_openapi::api::core::v1::Toleration;
use std::any::Any;

/// Plugin name.
pub const NAME: &str = "TaintToleration";

/// The failure reason for an untolerated taint, worded as kube-scheduler does:
/// `node(s) had untolerated taint {key: value}`.
pub fn err_reason_untolerated(taint: &TaintInfo) -> String {
    format!("node(s) had untolerated taint {{{}: {}}}", taint.key, taint.value)
}

/// `Toleration.ToleratesTaint`: an empty effect matches every effect, an empty key (with
/// `Exists`) matches every key, `Equal` (or empty operator) compares values.
pub fn tolerates(t: &Toleration, taint: &TaintInfo) -> bool {
    if let Some(e) = t.effect.as_deref().filter(|e| !e.is_empty()) {
        if e != taint.effect {
            return false;
        }
    }
    if let Some(k) = t.key.as_deref().filter(|k| !k.is_empty()) {
        if k != taint.key {
            return false;
        }
    }
    match t.operator.as_deref().unwrap_or("") {
        "" | "Equal" => t.value.as_deref().unwrap_or("") == taint.value,
        "Exists" => true,
        _ => false,
    }
}

/// The TaintToleration filter and score plugin.
#[derive(Debug, Default, Clone, Copy)]
pub struct TaintToleration;

#[derive(Clone)]
struct PreScore {
    /// Tolerations with an empty or PreferNoSchedule effect.
    tolerations: Vec<Toleration>,
}

impl Plugin for TaintToleration {
    fn name(&self) -> &'static str {
        NAME
    }

    fn passes(&self, s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, env: &CycleEnv) -> bool {
        node.taints.is_empty() || self.filter(s, pod, node, env).is_success()
    }

    /// No node has a taint Filter checks (`NoSchedule`, `NoExecute`).
    fn passes_everywhere(&self, _s: Option<&dyn Any>, _pod: &PodCtx, env: &CycleEnv) -> bool {
        env.cache.hard_tainted_nodes() == 0
    }

    fn filter(&self, _s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> Status {
        let tols = pod.spec.tolerations.as_deref().unwrap_or(&[]);
        for taint in &node.taints {
            if taint.effect != "NoSchedule" && taint.effect != "NoExecute" {
                continue;
            }
            if !tols.iter().any(|t| tolerates(t, taint)) {
                return Status::unresolvable(err_reason_untolerated(taint));
            }
        }
        Status::success()
    }

    fn pre_score(&self, pod: &PodCtx, _env: &CycleEnv, _nodes: &[&NodeInfo]) -> PreResult {
        let tolerations = pod
            .spec
            .tolerations
            .iter()
            .flatten()
            .filter(|t| matches!(t.effect.as_deref(), None | Some("") | Some("PreferNoSchedule")))
            .cloned()
            .collect();
        PreResult::with(PreScore { tolerations })
    }

    fn score(&self, s: Option<&dyn Any>, _pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> i64 {
        let tols: &[Toleration] = s.and_then(|s| s.downcast_ref::<PreScore>()).map(|p| p.tolerations.as_slice()).unwrap_or(&[]);
        node.taints
            .iter()
            .filter(|t| t.effect == "PreferNoSchedule" && !tols.iter().any(|tol| tolerates(tol, t)))
            .count() as i64
    }

    fn score_all(&self, s: Option<&dyn Any>, _pod: &PodCtx, nodes: &[&NodeInfo], env: &CycleEnv, out: &mut Vec<i64>) {
        if env.cache.tainted_nodes() == 0 {
            // No node has a taint: every score is 0, without reading the nodes.
            out.extend(std::iter::repeat_n(0, nodes.len()));
            return;
        }
        let tols: &[Toleration] = s.and_then(|s| s.downcast_ref::<PreScore>()).map(|p| p.tolerations.as_slice()).unwrap_or(&[]);
        out.extend(nodes.iter().map(|node| {
            if node.taints.is_empty() {
                return 0;
            }
            node.taints.iter().filter(|t| t.effect == "PreferNoSchedule" && !tols.iter().any(|tol| tolerates(tol, t))).count() as i64
        }));
    }

    fn normalize(&self, _s: Option<&dyn Any>, _pod: &PodCtx, scores: &mut [i64]) {
        default_normalize(MAX_NODE_SCORE, true, scores);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testutil::*;

    fn taint(key: &str, value: &str, effect: &str) -> TaintInfo {
        TaintInfo { key: key.into(), value: value.into(), effect: effect.into() }
    }

    fn tol(yaml: &str) -> Toleration {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn toleration_matching() {
        let t = taint("dedicated", "gpu", "NoSchedule");
        let cases = [
            ("{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}", true),
            ("{key: dedicated, value: gpu}", true),
            ("{key: dedicated, operator: Equal, value: cpu}", false),
            ("{key: dedicated, operator: Exists}", true),
            ("{operator: Exists}", true),
            ("{operator: Exists, effect: NoExecute}", false),
            ("{key: other, operator: Exists}", false),
            ("{key: dedicated, operator: Exists, effect: PreferNoSchedule}", false),
            ("{key: dedicated, operator: Bogus}", false),
        ];
        for (y, want) in cases {
            assert_eq!(tolerates(&tol(y), &t), want, "{y}");
        }
        assert!(tolerates(&tol("{key: k, operator: Equal}"), &taint("k", "", "NoExecute")));
    }

    #[test]
    fn filter_reason_format() {
        let h = Harness::new(
            vec![
                node_yaml("cp", "", "taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]"),
                node_yaml("gpu", "", "taints: [{key: dedicated, value: gpu, effect: NoExecute}]"),
                node_yaml("soft", "", "taints: [{key: x, effect: PreferNoSchedule}]"),
            ],
            vec![],
        );
        let p = pod("metadata: {name: p}\nspec: {containers: []}");
        let cases = [
            ("cp", Some("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }")),
            ("gpu", Some("node(s) had untolerated taint {dedicated: gpu}")),
            ("soft", None),
        ];
        for (n, want) in cases {
            assert_eq!(h.filter(&TaintToleration, &p, n).reasons.first().map(String::as_str), want, "{n}");
        }
        let s = h.filter(&TaintToleration, &p, "cp");
        assert_eq!(s.code, crate::scheduler::framework::Code::UnschedulableAndUnresolvable);
    }

    #[test]
    fn prefer_no_schedule_score() {
        let h = Harness::new(
            vec![
                node_yaml("a", "", ""),
                node_yaml("b", "", "taints: [{key: x, effect: PreferNoSchedule}]"),
                node_yaml("c", "", "taints: [{key: x, effect: PreferNoSchedule}, {key: y, effect: PreferNoSchedule}]"),
            ],
            vec![],
        );
        let p = pod("metadata: {name: p}\nspec: {containers: []}");
        assert_eq!(h.scores(&TaintToleration, &p), vec![100, 50, 0]);
        // Without any tainted node (the batch path then reads no node): all equal.
        let plain = Harness::new(vec![node_yaml("a", "", ""), node_yaml("b", "", "")], vec![]);
        assert_eq!(plain.cache.tainted_nodes(), 0);
        assert_eq!(plain.scores(&TaintToleration, &p), vec![100, 100]);
        let tolerant = pod("metadata: {name: p}\nspec: {containers: [], tolerations: [{key: y, operator: Exists}]}");
        assert_eq!(h.scores(&TaintToleration, &tolerant), vec![100, 0, 0]);
    }
}
