//! NodeResourcesBalancedAllocation: prefers nodes whose CPU and memory would be used in similar
//! proportions after placing the pod: `(1 - std(fractions)) * 100`. Best-effort pods (no
//! requests) are skipped, as in current kube-scheduler (kubernetes#129138).

use super::node_resources_fit::{requested_and_allocatable_of, ResourceName};
use crate::scheduler::cache::NodeInfo;
use crate::scheduler::framework::{CycleEnv, Plugin, PodCtx, PreResult, MAX_NODE_SCORE};
use std::any::Any;

/// Plugin name.
pub const NAME: &str = "NodeResourcesBalancedAllocation";

/// PreScore state: the resources to balance, resolved.
#[derive(Clone)]
struct State {
    resources: Vec<ResourceName>,
}

/// The balanced-allocation score plugin.
#[derive(Debug, Default, Clone, Copy)]
pub struct BalancedAllocation;

/// The score from per-resource `(requested, allocatable)` pairs.
pub fn balanced_score(pairs: &[(i64, i64)]) -> i64 {
    balanced_score_of(pairs.iter().copied())
}

/// [`balanced_score`] over an iterator (at most 8 resources count).
#[inline(always)]
pub fn balanced_score_of(pairs: impl Iterator<Item = (i64, i64)>) -> i64 {
    let mut fractions = [0f64; 8];
    let mut n = 0usize;
    let mut total = 0f64;
    for (req, alloc) in pairs {
        if alloc == 0 || n == fractions.len() {
            continue;
        }
        let f = (req as f64 / alloc as f64).min(1.0);
        fractions[n] = f;
        total += f;
        n += 1;
    }
    let std = match n {
        2 => ((fractions[0] - fractions[1]) / 2.0).abs(),
        k if k > 2 => {
            let mean = total / k as f64;
            (fractions[..k].iter().map(|f| (f - mean) * (f - mean)).sum::<f64>() / k as f64).sqrt()
        }
        _ => 0.0,
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

impl Plugin for BalancedAllocation {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_score(&self, pod: &PodCtx, env: &CycleEnv, _nodes: &[&NodeInfo]) -> PreResult {
        let r = &pod.info.req.requests;
        let best_effort = env.args.balanced_allocation_resources.iter().all(|rw| match rw.name.as_str() {
            "cpu" => r.milli_cpu == 0,
            "memory" => r.memory == 0,
            "ephemeral-storage" => r.ephemeral_storage == 0,
            other => r.scalar(other) == 0,
        });
        if best_effort {
            PreResult::skip()
        } else {
            PreResult::with(State { resources: env.args.balanced_allocation_resources.iter().take(8).map(|rw| ResourceName::parse(&rw.name)).collect() })
        }
    }

    fn score(&self, s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, env: &CycleEnv) -> i64 {
        let resolved;
        let resources = match s.and_then(|s| s.downcast_ref::<State>()) {
            Some(st) => &st.resources,
            None => {
                resolved = env.args.balanced_allocation_resources.iter().take(8).map(|rw| ResourceName::parse(&rw.name)).collect::<Vec<_>>();
                &resolved
            }
        };
        balanced_score_of(resources.iter().map(|res| requested_and_allocatable_of(pod, node, res, false)))
    }

    fn score_all(&self, s: Option<&dyn Any>, pod: &PodCtx, nodes: &[&NodeInfo], env: &CycleEnv, out: &mut Vec<i64>) {
        match s.and_then(|s| s.downcast_ref::<State>()) {
            // The default resources (cpu and memory): the same pairs without the per-node
            // dispatch over resource names.
            Some(State { resources }) if matches!(resources[..], [ResourceName::Cpu, ResourceName::Memory]) => {
                let r = &pod.info.req.requests;
                out.extend(nodes.iter().map(|n| {
                    balanced_score_of(
                        [(n.requested.milli_cpu + r.milli_cpu, n.allocatable.milli_cpu), (n.requested.memory + r.memory, n.allocatable.memory)].into_iter(),
                    )
                }))
            }
            Some(st) => out.extend(nodes.iter().map(|node| balanced_score_of(st.resources.iter().map(|res| requested_and_allocatable_of(pod, node, res, false))))),
            None => out.extend(nodes.iter().map(|n| self.score(s, pod, n, env))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testutil::*;

    #[test]
    fn table() {
        // cpu 3000/4000 = 0.75, mem 5000/10000 = 0.5 -> std 0.125 -> 87.
        assert_eq!(balanced_score(&[(3000, 4000), (5000, 10000)]), 87);
        assert_eq!(balanced_score(&[(2000, 4000), (5000, 10000)]), 100);
        assert_eq!(balanced_score(&[(9000, 4000), (0, 10000)]), 50);
        assert_eq!(balanced_score(&[(1, 0), (1, 0)]), 100);
    }

    #[test]
    fn best_effort_pods_skip() {
        let h = Harness::new(vec![node_yaml("a", "", "")], vec![]);
        let p = pod("metadata: {name: p}\nspec: {containers: [{name: a, image: x}]}");
        assert_eq!(h.scores(&BalancedAllocation, &p), vec![0]);
        let p = pod("metadata: {name: p}\nspec: {containers: [{name: a, image: x, resources: {requests: {cpu: '2'}}}]}");
        // cpu 0.5, memory 0 -> std 0.25 -> 75
        assert_eq!(h.scores(&BalancedAllocation, &p), vec![75]);
    }
}
