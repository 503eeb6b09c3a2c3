//! NodeResourcesFit: the pod's requests (containers, init containers and sidecars, overhead) must
//! fit in the node's allocatable minus what its pods already request, and the node must have room
//! for one more pod (Filter). Scoring follows the profile's strategy: `LeastAllocated` (default,
//! prefers empty nodes) or `MostAllocated` (bin packing), over non-zero requests.

use crate::scheduler::cache::NodeInfo;
use crate::scheduler::framework::{div_nonneg, Code, CycleEnv, Plugin, PodCtx, PreResult, ResourceWeight, ScoringStrategyType, Status, MAX_NODE_SCORE};
use std::any::Any;

/// Plugin name.
pub const NAME: &str = "NodeResourcesFit";
/// Reason when the node is at its pod limit.
pub const ERR_REASON_TOO_MANY_PODS: &str = "Too many pods";
/// Reason for CPU.
pub const ERR_REASON_CPU: &str = "Insufficient cpu";
/// Reason for memory.
pub const ERR_REASON_MEMORY: &str = "Insufficient memory";
/// Reason for ephemeral storage.
pub const ERR_REASON_EPHEMERAL: &str = "Insufficient ephemeral-storage";

/// The NodeResourcesFit filter and score plugin.
#[derive(Debug, Default, Clone, Copy)]
pub struct NodeResourcesFit;

/// Whether the pod fits the node (the same checks as [`insufficient_resources`], without building
/// reasons: the Filter fast path).
#[inline]
pub fn fits(pod: &PodCtx, node: &NodeInfo) -> bool {
    if node.pods.len() as i64 + 1 > node.allocatable.pods {
        return false;
    }
    let r = &pod.info.req.requests;
    let a = &node.allocatable;
    let u = &node.requested;
    !(r.milli_cpu > 0 && r.milli_cpu > a.milli_cpu - u.milli_cpu
        || r.memory > 0 && r.memory > a.memory - u.memory
        || r.ephemeral_storage > 0 && r.ephemeral_storage > a.ephemeral_storage - u.ephemeral_storage
        || !r.scalar.is_empty() && r.scalar.iter().any(|(name, q)| *q > 0 && *q > a.scalar(name) - u.scalar(name)))
}

/// Checks the pod against the node; returns the list of `(reason, unresolvable)` failures.
/// Allocation-free when the pod fits.
pub fn insufficient_resources(pod: &PodCtx, node: &NodeInfo) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    if node.pods.len() as i64 + 1 > node.allocatable.pods {
        out.push((ERR_REASON_TOO_MANY_PODS.to_string(), false));
    }
    let r = &pod.info.req.requests;
    if r.milli_cpu == 0 && r.memory == 0 && r.ephemeral_storage == 0 && r.scalar.is_empty() {
        return out;
    }
    let a = &node.allocatable;
    let u = &node.requested;
    if r.milli_cpu > 0 && r.milli_cpu > a.milli_cpu - u.milli_cpu {
        out.push((ERR_REASON_CPU.to_string(), r.milli_cpu > a.milli_cpu));
    }
    if r.memory > 0 && r.memory > a.memory - u.memory {
        out.push((ERR_REASON_MEMORY.to_string(), r.memory > a.memory));
    }
    if r.ephemeral_storage > 0 && r.ephemeral_storage > a.ephemeral_storage - u.ephemeral_storage {
        out.push((ERR_REASON_EPHEMERAL.to_string(), r.ephemeral_storage > a.ephemeral_storage));
    }
    for (name, q) in &r.scalar {
        if *q > 0 && *q > a.scalar(name) - u.scalar(name) {
            out.push((format!("Insufficient {name}"), *q > a.scalar(name)));
        }
    }
    out
}

/// A resource named in a scoring strategy, resolved once per cycle instead of per node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceName {
    /// `cpu`.
    Cpu,
    /// `memory`.
    Memory,
    /// `ephemeral-storage`.
    EphemeralStorage,
    /// An extended or other scalar resource.
    Scalar(String),
}

impl ResourceName {
    /// Resolves a resource name.
    pub fn parse(name: &str) -> ResourceName {
        match name {
            "cpu" => ResourceName::Cpu,
            "memory" => ResourceName::Memory,
            "ephemeral-storage" => ResourceName::EphemeralStorage,
            other => ResourceName::Scalar(other.to_string()),
        }
    }
}

/// Resolves a strategy's resources with their weights.
pub fn resolve_resources(list: &[ResourceWeight]) -> Vec<(ResourceName, i64)> {
    list.iter().map(|rw| (ResourceName::parse(&rw.name), rw.weight)).collect()
}

/// `(requested, allocatable)` of one resource for scoring; `non_zero` selects the non-zero
/// CPU/memory sums (LeastAllocated/MostAllocated) rather than the plain requests (balanced).
pub fn requested_and_allocatable(pod: &PodCtx, node: &NodeInfo, resource: &str, non_zero: bool) -> (i64, i64) {
    requested_and_allocatable_of(pod, node, &ResourceName::parse(resource), non_zero)
}

/// [`requested_and_allocatable`] for a resolved resource.
#[inline]
pub fn requested_and_allocatable_of(pod: &PodCtx, node: &NodeInfo, resource: &ResourceName, non_zero: bool) -> (i64, i64) {
    let r = &pod.info.req;
    match resource {
        ResourceName::Cpu if non_zero => (node.non_zero_cpu + r.non_zero_cpu, node.allocatable.milli_cpu),
        ResourceName::Memory if non_zero => (node.non_zero_mem + r.non_zero_mem, node.allocatable.memory),
        ResourceName::Cpu => (node.requested.milli_cpu + r.requests.milli_cpu, node.allocatable.milli_cpu),
        ResourceName::Memory => (node.requested.memory + r.requests.memory, node.allocatable.memory),
        ResourceName::EphemeralStorage => {
            (node.requested.ephemeral_storage + r.requests.ephemeral_storage, node.allocatable.ephemeral_storage)
        }
        ResourceName::Scalar(other) => {
            let want = r.requests.scalar(other);
            if want == 0 {
                return (0, 0);
            }
            (node.requested.scalar(other) + want, node.allocatable.scalar(other))
        }
    }
}

/// PreScore state: the strategy's resources, resolved.
#[derive(Clone)]
struct ScoreState {
    resources: Vec<(ResourceName, i64)>,
}

#[inline]
fn least_requested(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    div_nonneg((capacity - requested) * MAX_NODE_SCORE, capacity)
}

#[inline]
fn most_requested(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 {
        return 0;
    }
    div_nonneg(requested.min(capacity) * MAX_NODE_SCORE, capacity)
}

impl Plugin for NodeResourcesFit {
    fn name(&self) -> &'static str {
        NAME
    }

    fn passes(&self, _s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> bool {
        fits(pod, node)
    }

    fn filter(&self, _s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> Status {
        if fits(pod, node) {
            return Status::success();
        }
        let bad = insufficient_resources(pod, node);
        if bad.is_empty() {
            return Status::success();
        }
        let code = if bad.iter().any(|(_, u)| *u) { Code::UnschedulableAndUnresolvable } else { Code::Unschedulable };
        Status::with_reasons(code, bad.into_iter().map(|(r, _)| r).collect())
    }

    fn pre_score(&self, _pod: &PodCtx, env: &CycleEnv, _nodes: &[&NodeInfo]) -> PreResult {
        PreResult::with(ScoreState { resources: resolve_resources(&env.args.scoring_strategy.resources) })
    }

    fn score(&self, s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, env: &CycleEnv) -> i64 {
        let resources = score_resources(s, env);
        strategy_score(env.args.scoring_strategy.kind, &resources, pod, node)
    }

    fn score_all(&self, s: Option<&dyn Any>, pod: &PodCtx, nodes: &[&NodeInfo], env: &CycleEnv, out: &mut Vec<i64>) {
        let resources = score_resources(s, env);
        let kind = env.args.scoring_strategy.kind;
        match (&*resources, kind) {
            // The default resources (cpu and memory), resolved once: the same arithmetic as
            // `strategy_score` without the per-node dispatch over resource names.
            ([(ResourceName::Cpu, wc), (ResourceName::Memory, wm)], ScoringStrategyType::LeastAllocated) => {
                out.extend(nodes.iter().map(|n| cpu_memory_score::<true>(pod, n, *wc, *wm)));
            }
            ([(ResourceName::Cpu, wc), (ResourceName::Memory, wm)], ScoringStrategyType::MostAllocated) => {
                out.extend(nodes.iter().map(|n| cpu_memory_score::<false>(pod, n, *wc, *wm)));
            }
            _ => out.extend(nodes.iter().map(|n| strategy_score(kind, &resources, pod, n))),
        }
    }
}

/// The resolved resources from the PreScore state, or resolved now when Score runs without one.
fn score_resources<'a>(s: Option<&'a dyn Any>, env: &CycleEnv) -> std::borrow::Cow<'a, [(ResourceName, i64)]> {
    match s.and_then(|s| s.downcast_ref::<ScoreState>()) {
        Some(st) => std::borrow::Cow::Borrowed(&st.resources),
        None => std::borrow::Cow::Owned(resolve_resources(&env.args.scoring_strategy.resources)),
    }
}

/// [`strategy_score`] for the resources `[cpu, memory]` with their weights (`LEAST`:
/// LeastAllocated, otherwise MostAllocated).
#[inline(always)]
fn cpu_memory_score<const LEAST: bool>(pod: &PodCtx, node: &NodeInfo, wc: i64, wm: i64) -> i64 {
    let r = &pod.info.req;
    let (mut total, mut weights) = (0i64, 0i64);
    for (req, alloc, weight) in [
        (node.non_zero_cpu + r.non_zero_cpu, node.allocatable.milli_cpu, wc),
        (node.non_zero_mem + r.non_zero_mem, node.allocatable.memory, wm),
    ] {
        if alloc == 0 {
            continue;
        }
        let s = if LEAST { least_requested(req, alloc) } else { most_requested(req, alloc) };
        total += s * weight;
        weights += weight;
    }
    if weights == 0 {
        0
    } else if weights > 0 && weights & (weights - 1) == 0 && total >= 0 {
        // A power-of-two total weight (the default 1 + 1): the same quotient by a shift, which
        // keeps a third division off each node's dependency chain.
        total >> weights.trailing_zeros()
    } else {
        div_nonneg(total, weights)
    }
}

/// The strategy's weighted mean of per-resource scores for one node.
#[inline]
fn strategy_score(kind: ScoringStrategyType, resources: &[(ResourceName, i64)], pod: &PodCtx, node: &NodeInfo) -> i64 {
    let (mut total, mut weights) = (0i64, 0i64);
    for (res, weight) in resources {
        let (req, alloc) = requested_and_allocatable_of(pod, node, res, true);
        if alloc == 0 {
            continue;
        }
        let s = match kind {
            ScoringStrategyType::LeastAllocated => least_requested(req, alloc),
            ScoringStrategyType::MostAllocated => most_requested(req, alloc),
        };
        total += s * weight;
        weights += weight;
    }
    if weights == 0 {
        0
    } else {
        div_nonneg(total, weights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testutil::*;

    fn pod_req(init: &str, containers: &str) -> k8s_openapi::api::core::v1::Pod {
        pod(&format!("metadata: {{name: p}}\nspec:\n  initContainers: [{init}]\n  containers: [{containers}]"))
    }

    fn c(name: &str, req: &str) -> String {
        format!("{{name: {name}, image: x, resources: {{requests: {{{req}}}}}}}")
    }

    #[test]
    fn filter_table() {
        // n1: 4 CPU, 8Gi, 110 pods; 3 CPU / 6Gi already requested.
        let used = format!("metadata: {{name: used}}\nspec: {{nodeName: n1, containers: [{}]}}", c("a", "cpu: '3', memory: 6Gi"));
        let h = Harness::new(vec![node_yaml("n1", "", "")], vec![used]);
        let cases: Vec<(String, String, Vec<&str>)> = vec![
            (String::new(), c("a", "cpu: 500m"), vec![]),
            (String::new(), c("a", "cpu: '2'"), vec![ERR_REASON_CPU]),
            (String::new(), c("a", "cpu: '2', memory: 3Gi"), vec![ERR_REASON_CPU, ERR_REASON_MEMORY]),
            // init container larger than the sum of regular containers decides.
            (c("i", "cpu: '2'"), c("a", "cpu: 100m"), vec![ERR_REASON_CPU]),
            (c("i", "cpu: 500m"), c("a", "cpu: 100m"), vec![]),
            // a sidecar adds to the regular containers.
            ("{name: s, image: x, restartPolicy: Always, resources: {requests: {cpu: 600m}}}".into(), c("a", "cpu: 500m"), vec![ERR_REASON_CPU]),
            (String::new(), c("a", "example.com/gpu: '1'"), vec!["Insufficient example.com/gpu"]),
            (String::new(), c("a", "ephemeral-storage: 1Gi"), vec![ERR_REASON_EPHEMERAL]),
        ];
        for (init, cont, want) in cases {
            let s = h.filter(&NodeResourcesFit, &pod_req(&init, &cont), "n1");
            assert_eq!(s.reasons, want, "{init} {cont}");
        }
        // More than the node's whole allocatable: unresolvable (preemption cannot help).
        let s = h.filter(&NodeResourcesFit, &pod_req("", &c("a", "cpu: '5'")), "n1");
        assert_eq!(s.code, Code::UnschedulableAndUnresolvable);
        let s = h.filter(&NodeResourcesFit, &pod_req("", &c("a", "cpu: '2'")), "n1");
        assert_eq!(s.code, Code::Unschedulable);
    }

    #[test]
    fn too_many_pods() {
        let n = "metadata: {name: n1}\nstatus: {allocatable: {cpu: '4', memory: 8Gi, pods: '1'}}".to_string();
        let h = Harness::new(vec![n], vec!["metadata: {name: e}\nspec: {nodeName: n1, containers: []}".into()]);
        let s = h.filter(&NodeResourcesFit, &pod_req("", &c("a", "cpu: '5'")), "n1");
        assert_eq!(s.reasons, vec![ERR_REASON_TOO_MANY_PODS, ERR_REASON_CPU]);
    }

    #[test]
    fn least_allocated_score() {
        // Kubernetes' own example: node 4000m/10000 mem, pod 3000m/5000 => cpu 25, mem 50 -> 37.
        let n1 = "metadata: {name: a}\nstatus: {allocatable: {cpu: '4', memory: '10000', pods: '10'}}".to_string();
        let n2 = "metadata: {name: b}\nstatus: {allocatable: {cpu: '6', memory: '10000', pods: '10'}}".to_string();
        let h = Harness::new(vec![n1, n2], vec![]);
        let p = pod_req("", &c("a", "cpu: '3', memory: '5000'"));
        // b: cpu (6000-3000)*100/6000 = 50, mem 50 -> 50.
        assert_eq!(h.scores(&NodeResourcesFit, &p), vec![37, 50]);
    }
}
