//! PodTopologySpread: `topologySpreadConstraints` with `whenUnsatisfiable: DoNotSchedule` are hard
//! (Filter: matching pods in the node's domain, plus the pod itself if it matches, minus the
//! global minimum must not exceed `maxSkew`; `minDomains` treats the minimum as 0 while there are
//! too few domains); `ScheduleAnyway` constraints — or the system defaults (hostname maxSkew 3,
//! zone maxSkew 5) for pods owned by a ReplicaSet, ReplicationController or StatefulSet — score
//! nodes with fewer matching pods higher. `nodeAffinityPolicy` (default Honor) and
//! `nodeTaintsPolicy` (default Ignore) decide which nodes count.
//!
//! Simplification: kube-scheduler builds the default-constraint selector from the Services,
//! ReplicaSets and StatefulSets selecting the pod; we use the pod's own labels, which those
//! selectors match by construction.

use crate::vecmap::VecMap;
use super::node_affinity::{has_required_node_affinity, required_node_affinity_matches};
use super::taint_toleration::tolerates;
use crate::scheduler::cache::{NodeInfo, PodInfo, LABEL_HOSTNAME, NO_LABEL};
use crate::scheduler::framework::{div_nonneg, CycleEnv, Plugin, PodCtx, PreResult, Status, MAX_NODE_SCORE};
use crate::scheduler::labels::CompiledSelector;
use k8s_openapi::api::core::v1::{PodSpec, TopologySpreadConstraint};
use std::any::Any;
use std::collections::BTreeMap;

/// Plugin name.
pub const NAME: &str = "PodTopologySpread";
/// Skew would exceed maxSkew.
pub const ERR_REASON_CONSTRAINTS_NOT_MATCH: &str = "node(s) didn't match pod topology spread constraints";
/// The node lacks a constraint's topology key.
pub const ERR_REASON_NODE_LABEL_NOT_MATCH: &str = "node(s) didn't match pod topology spread constraints (missing required label)";
/// The zone label used by the system default constraints.
pub const LABEL_ZONE: &str = "topology.kubernetes.io/zone";

/// `math.Round` (halves away from zero) without a libm call: for `|x| < 2^52` the integer part
/// and the fraction `x - trunc(x)` are exact, so comparing the fraction with 0.5 decides exactly.
#[inline]
fn round_half_away(x: f64) -> i64 {
    if x.abs() < 4_503_599_627_370_496.0 {
        let t = x as i64;
        let f = x - t as f64;
        if f >= 0.5 {
            t + 1
        } else if f <= -0.5 {
            t - 1
        } else {
            t
        }
    } else {
        x.round() as i64
    }
}

/// A constraint ready for evaluation.
#[derive(Clone, Debug)]
struct Constraint {
    max_skew: i64,
    key: String,
    selector: CompiledSelector,
    min_domains: Option<i64>,
    honor_affinity: bool,
    honor_taints: bool,
}

impl Constraint {
    fn from_api(c: &TopologySpreadConstraint, pod_labels: &BTreeMap<String, String>) -> Constraint {
        let mut sel = c.label_selector.clone();
        // matchLabelKeys: the pod's values for these keys are ANDed into the selector.
        if let (Some(s), Some(keys)) = (sel.as_mut(), c.match_label_keys.as_ref()) {
            let ml = s.match_labels.get_or_insert_with(BTreeMap::new);
            for k in keys {
                if let Some(v) = pod_labels.get(k) {
                    ml.insert(k.clone(), v.clone());
                }
            }
        }
        Constraint {
            max_skew: c.max_skew as i64,
            key: c.topology_key.clone(),
            selector: CompiledSelector::new(sel.as_ref()),
            min_domains: c.min_domains.map(|m| m as i64),
            honor_affinity: c.node_affinity_policy.as_deref() != Some("Ignore"),
            honor_taints: c.node_taints_policy.as_deref() == Some("Honor"),
        }
    }

    fn includes(&self, spec: &PodSpec, node: &NodeInfo) -> bool {
        if self.honor_affinity && !required_node_affinity_matches(spec, node) {
            return false;
        }
        if self.honor_taints {
            let tols = spec.tolerations.as_deref().unwrap_or(&[]);
            for t in &node.taints {
                if (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tols.iter().any(|tol| tolerates(tol, t)) {
                    return false;
                }
            }
        }
        true
    }
}

fn has_all_keys(node: &NodeInfo, cs: &[Constraint]) -> bool {
    cs.iter().all(|c| node.labels.contains_key(&c.key))
}

fn count_matching(node: &NodeInfo, sel: &CompiledSelector, ns: &str) -> i64 {
    node.pods.iter().filter(|p| !p.terminating && p.key.namespace == ns && sel.matches(&p.labels)).count() as i64
}

fn hard_constraints(pod: &PodCtx) -> Vec<Constraint> {
    pod.spec
        .topology_spread_constraints
        .iter()
        .flatten()
        .filter(|c| c.when_unsatisfiable == "DoNotSchedule")
        .map(|c| Constraint::from_api(c, &pod.info.labels))
        .collect()
}

/// Soft constraints and whether they came from the system defaults.
fn soft_constraints(pod: &PodCtx, env: &CycleEnv) -> (Vec<Constraint>, bool) {
    if let Some(cs) = pod.spec.topology_spread_constraints.as_ref().filter(|c| !c.is_empty()) {
        let soft = cs.iter().filter(|c| c.when_unsatisfiable == "ScheduleAnyway").map(|c| Constraint::from_api(c, &pod.info.labels)).collect();
        return (soft, false);
    }
    let owned = matches!(pod.info.controller_kind.as_deref(), Some("ReplicaSet" | "ReplicationController" | "StatefulSet"));
    if !owned || pod.info.labels.is_empty() {
        return (Vec::new(), false);
    }
    let selector = CompiledSelector::from_map(&pod.info.labels);
    let mk = |key: &str, skew: i64| Constraint {
        max_skew: skew,
        key: key.to_string(),
        selector: selector.clone(),
        min_domains: None,
        honor_affinity: true,
        honor_taints: false,
    };
    if !env.args.default_constraints.is_empty() {
        let cs = env
            .args
            .default_constraints
            .iter()
            .filter(|c| c.when_unsatisfiable == "ScheduleAnyway")
            .map(|c| Constraint { selector: selector.clone(), ..Constraint::from_api(c, &pod.info.labels) })
            .collect();
        return (cs, false);
    }
    if env.args.system_default_spreading {
        return (vec![mk(LABEL_HOSTNAME, 3), mk(LABEL_ZONE, 5)], true);
    }
    (Vec::new(), false)
}

#[derive(Clone)]
struct FilterState {
    constraints: Vec<Constraint>,
    /// Per constraint: domain value -> matching pods.
    counts: Vec<VecMap<String, i64>>,
    /// Per constraint: the global minimum over domains.
    min: Vec<i64>,
}

impl FilterState {
    fn recompute_min(&mut self) {
        self.min = self.counts.iter().map(|m| m.values().copied().min().unwrap_or(i32::MAX as i64)).collect();
    }

    fn update(&mut self, pod: &PodCtx, other: &PodInfo, node: &NodeInfo, delta: i64) {
        if other.key.namespace != pod.info.key.namespace || !has_all_keys(node, &self.constraints) {
            return;
        }
        for (i, c) in self.constraints.iter().enumerate() {
            if !c.selector.matches(&other.labels) || !c.includes(pod.spec, node) {
                continue;
            }
            if let Some(v) = node.labels.get(&c.key) {
                *self.counts[i].entry(v.clone()).or_insert(0) += delta;
            }
        }
        self.recompute_min();
    }
}

/// A soft constraint resolved against the cache's interned node labels.
#[derive(Clone)]
struct ScoreConstraint {
    c: Constraint,
    /// Interned topology key (`None`: no node ever had it).
    key: Option<u32>,
    hostname: bool,
    /// `includes` holds on every node (no node affinity to honour, taints ignored).
    includes_all: bool,
    /// Index of the `""` domain, where nodes without the key go (kube-scheduler reads the
    /// missing label as `""`).
    missing: usize,
}

impl ScoreConstraint {
    /// The node's domain index, if it has the key.
    #[inline]
    fn domain(&self, node: &NodeInfo) -> Option<usize> {
        self.key.and_then(|k| node.label_id(k)).map(|v| v as usize)
    }

    #[inline]
    fn includes(&self, spec: &PodSpec, node: &NodeInfo) -> bool {
        self.includes_all || self.c.includes(spec, node)
    }
}

#[derive(Clone)]
struct ScoreState {
    constraints: Vec<ScoreConstraint>,
    /// Per node slot: ignored (lacks a key while all keys are required).
    ignored: Vec<bool>,
    /// Per constraint (non-hostname): matching pods per domain, indexed by interned value.
    counts: Vec<Vec<i64>>,
    weights: Vec<f64>,
    /// `Some` when the pod has an owner: count that owner's pods (its interned id, `None` when
    /// no pod of it is cached) instead of matching the selector.
    owner: Option<Option<u32>>,
    /// Counting by owner for a hostname constraint, when the owner runs on few nodes compared
    /// with the feasible ones: its pods per node uid (the numbers `NodeInfo::owner_pods` gives),
    /// gathered once so scoring reads one dense array. Empty otherwise.
    host_counts: Vec<u32>,
    /// The nodes PreScore saw, by uid, in order; `score_all` must get the same nodes.
    node_uids: Vec<u32>,
    /// Per constraint, per node PreScore saw (in order): [`node_key`].
    node_keys: Vec<Vec<u32>>,
    /// Per node PreScore saw (in order): ignored (as `ignored`); empty unless all keys are required.
    node_ignored: Vec<bool>,
}

/// What scoring needs to know of a node for a constraint, as one number: [`NO_LABEL`] when the
/// node lacks the key; otherwise, for a hostname constraint the node's uid, for another its
/// domain (the key's interned value).
/// `col` is the constraint's key by node uid; `uid` the node's.
#[inline]
fn node_key(c: &ScoreConstraint, col: &[u32], uid: u32) -> u32 {
    match col.get(uid as usize).copied() {
        None | Some(NO_LABEL) => NO_LABEL,
        Some(_) if c.hostname => uid,
        Some(d) => d,
    }
}

impl ScoreState {
    fn has_all_keys(&self, node: &NodeInfo) -> bool {
        self.constraints.iter().all(|c| c.domain(node).is_some())
    }

    #[inline]
    fn node_count(&self, c: &Constraint, node: &NodeInfo, ns: &str) -> i64 {
        match self.owner {
            Some(owner) => owner.map_or(0, |o| node.owner_pods(o)) as i64,
            None => count_matching(node, &c.selector, ns),
        }
    }
}

/// The PodTopologySpread filter and score plugin.
#[derive(Debug, Default, Clone, Copy)]
pub struct PodTopologySpread;

impl Plugin for PodTopologySpread {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter(&self, pod: &PodCtx, env: &CycleEnv) -> PreResult {
        let constraints = hard_constraints(pod);
        if constraints.is_empty() {
            return PreResult::skip();
        }
        let mut counts = vec![VecMap::new(); constraints.len()];
        for node in env.cache.nodes() {
            if !has_all_keys(node, &constraints) {
                continue;
            }
            for (i, c) in constraints.iter().enumerate() {
                if !c.includes(pod.spec, node) {
                    continue;
                }
                let v = node.labels.get(&c.key).cloned().unwrap_or_default();
                *counts[i].entry(v).or_insert(0) += count_matching(node, &c.selector, &pod.info.key.namespace);
            }
        }
        let mut st = FilterState { constraints, counts, min: Vec::new() };
        st.recompute_min();
        PreResult::with(st)
    }

    fn filter(&self, s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> Status {
        let Some(st) = s.and_then(|s| s.downcast_ref::<FilterState>()) else {
            return Status::success();
        };
        for (i, c) in st.constraints.iter().enumerate() {
            let Some(v) = node.labels.get(&c.key) else {
                return Status::unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
            };
            let mut min = st.min[i];
            if c.min_domains.is_some_and(|md| (st.counts[i].len() as i64) < md) {
                min = 0;
            }
            let self_match = c.selector.matches(&pod.info.labels) as i64;
            let matched = st.counts[i].get(v).copied().unwrap_or(0);
            if matched + self_match - min > c.max_skew {
                return Status::unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
            }
        }
        Status::success()
    }

    fn add_pod(&self, s: Option<&mut dyn Any>, pod: &PodCtx, added: &PodInfo, node: &NodeInfo, _env: &CycleEnv) {
        if let Some(st) = s.and_then(|s| s.downcast_mut::<FilterState>()) {
            st.update(pod, added, node, 1);
        }
    }

    fn remove_pod(&self, s: Option<&mut dyn Any>, pod: &PodCtx, removed: &PodInfo, node: &NodeInfo, _env: &CycleEnv) {
        if let Some(st) = s.and_then(|s| s.downcast_mut::<FilterState>()) {
            st.update(pod, removed, node, -1);
        }
    }

    fn pre_score(&self, pod: &PodCtx, env: &CycleEnv, nodes: &[&NodeInfo]) -> PreResult {
        let (constraints, system_defaulted) = soft_constraints(pod, env);
        if constraints.is_empty() || env.cache.nodes().is_empty() {
            return PreResult::skip();
        }
        let cache = env.cache;
        let no_node_affinity = !has_required_node_affinity(pod.spec);
        let constraints: Vec<ScoreConstraint> = constraints
            .into_iter()
            .map(|c| {
                let key = cache.label_key_id(&c.key);
                let missing = key.map_or(0, |k| cache.label_value_id(k, "").map_or(cache.label_value_count(k), |v| v as usize));
                ScoreConstraint {
                    key,
                    hostname: c.key == LABEL_HOSTNAME,
                    includes_all: (!c.honor_affinity || no_node_affinity) && !c.honor_taints,
                    missing,
                    c,
                }
            })
            .collect();
        let require_all = !system_defaulted;
        let all = cache.nodes();
        let mut st = ScoreState {
            // Only nodes lacking a key while all keys are required are ignored.
            ignored: if require_all { vec![false; all.len()] } else { Vec::new() },
            counts: constraints
                .iter()
                .map(|c| if c.hostname { Vec::new() } else { vec![0; c.key.map_or(0, |k| cache.label_value_count(k)).max(c.missing) + 1] })
                .collect(),
            weights: Vec::new(),
            // Counting the owner's pods stands in for the system default constraints' selector
            // (the owner's); a pod's own constraints count the pods their labelSelector matches.
            owner: if system_defaulted { pod.info.owner_uid.as_ref().map(|uid| cache.owner_id(uid)) } else { None },
            host_counts: Vec::new(),
            node_uids: Vec::new(),
            node_keys: Vec::new(),
            node_ignored: Vec::new(),
            constraints,
        };
        if let Some(Some(o)) = st.owner {
            if st.constraints.iter().any(|c| c.hostname) && cache.owner_node_count(o) <= 2 * nodes.len() {
                st.host_counts = vec![0; cache.node_uid_bound()];
                for &(uid, n) in cache.owner_node_uids(o) {
                    if let Some(h) = st.host_counts.get_mut(uid as usize) {
                        *h = n;
                    }
                }
            }
        }
        // Each constraint's key by node uid (the same values as `ScoreConstraint::domain`).
        let cols: Vec<&[u32]> = st.constraints.iter().map(|c| c.key.map_or(&[][..], |k| cache.label_values_by_uid(k))).collect();
        // Domains of the feasible nodes; pods are counted only in those.
        let mut present: Vec<Vec<bool>> = st.counts.iter().map(|c| vec![false; c.len()]).collect();
        let mut domains = vec![0usize; st.constraints.len()];
        let mut n_ignored = 0usize;
        // The nodes are read once, for their uids; the rest comes from the dense columns.
        st.node_uids = nodes.iter().map(|n| n.uid).collect();
        st.node_keys = st.constraints.iter().zip(&cols).map(|(c, col)| st.node_uids.iter().map(|&u| node_key(c, col, u)).collect()).collect();
        if require_all {
            st.node_ignored = nodes.iter().map(|n| !st.has_all_keys(n)).collect();
            for (n, _) in nodes.iter().zip(&st.node_ignored).filter(|(_, ig)| **ig) {
                if let Some(x) = st.ignored.get_mut(n.slot) {
                    *x = true;
                }
                n_ignored += 1;
            }
        }
        for (i, c) in st.constraints.iter().enumerate() {
            if c.hostname {
                continue;
            }
            for (j, &k) in st.node_keys[i].iter().enumerate() {
                if st.node_ignored.get(j).copied().unwrap_or(false) {
                    continue;
                }
                let d = if k == NO_LABEL { c.missing } else { k as usize };
                if let Some(p) = present[i].get_mut(d).filter(|p| !**p) {
                    *p = true;
                    domains[i] += 1;
                }
            }
        }
        st.weights = st
            .constraints
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let size = if c.hostname { nodes.len() - n_ignored } else { domains[i] };
                ((size + 2) as f64).ln()
            })
            .collect();
        // Counting by owner with every node included (no node affinity to honour, taints
        // ignored, no key required on all nodes): a domain's count is the owner's pods on nodes
        // with that label value, which the cache keeps per owner; no node is walked.
        let by_domain = |c: &ScoreConstraint| !c.hostname && c.includes_all && !require_all && c.key.is_some();
        if let Some(Some(o)) = st.owner {
            for ((c, counts), present) in st.constraints.iter().zip(st.counts.iter_mut()).zip(&present) {
                let Some(k) = c.key.filter(|_| by_domain(c)) else {
                    continue;
                };
                for (d, p) in present.iter().enumerate() {
                    if *p {
                        counts[d] = cache.owner_domain_pods(o, k, d as u32) as i64;
                    }
                }
            }
        }
        let walk = |c: &ScoreConstraint| !(c.hostname || st.owner.is_some() && by_domain(c));
        let walked: Vec<bool> = st.constraints.iter().map(walk).collect();
        if walked.iter().any(|w| *w) {
            let ns = &pod.info.key.namespace;
            let add = |st: &mut ScoreState, node: &NodeInfo, owner_pods: Option<u32>| {
                if require_all && !st.has_all_keys(node) {
                    return;
                }
                for i in 0..st.constraints.len() {
                    let c = &st.constraints[i];
                    if !walked[i] || !c.includes(pod.spec, node) {
                        continue;
                    }
                    let Some(d) = c.domain(node).filter(|d| present[i].get(*d).copied().unwrap_or(false)) else {
                        continue;
                    };
                    let n = match owner_pods {
                        Some(n) => n as i64,
                        None => count_matching(node, &c.c.selector, ns),
                    };
                    st.counts[i][d] += n;
                }
            };
            match st.owner {
                // Counting by owner: only the nodes running that owner's pods can add anything.
                Some(owner) => {
                    for (slot, n) in owner.into_iter().flat_map(|o| cache.owner_node_slots(o)) {
                        if let Some(node) = all.get(slot) {
                            add(&mut st, node, Some(n));
                        }
                    }
                }
                None => {
                    for node in all {
                        add(&mut st, node, None);
                    }
                }
            }
        }
        PreResult::with(st)
    }

    fn score(&self, s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> i64 {
        let Some(st) = s.and_then(|s| s.downcast_ref::<ScoreState>()) else {
            return 0;
        };
        if st.ignored.get(node.slot).copied().unwrap_or(false) {
            return -1; // marks an ignored node for normalize
        }
        let mut score = 0f64;
        for (i, c) in st.constraints.iter().enumerate() {
            let Some(d) = c.domain(node) else {
                continue;
            };
            let cnt = if c.hostname { st.node_count(&c.c, node, &pod.info.key.namespace) } else { st.counts[i].get(d).copied().unwrap_or(0) };
            score += cnt as f64 * st.weights[i] + (c.c.max_skew - 1) as f64;
        }
        round_half_away(score)
    }

    fn score_all(&self, s: Option<&dyn Any>, pod: &PodCtx, nodes: &[&NodeInfo], env: &CycleEnv, out: &mut Vec<i64>) {
        let Some(st) = s.and_then(|s| s.downcast_ref::<ScoreState>()) else {
            out.extend(nodes.iter().map(|n| self.score(s, pod, n, env)));
            return;
        };
        let ns = &pod.info.key.namespace;
        // What PreScore gathered per node when these are its nodes (the framework's contract;
        // checked in debug builds), so scoring need not read the nodes; otherwise gathered now.
        let computed: (Vec<Vec<u32>>, Vec<bool>);
        let (keys, ignored): (&[Vec<u32>], &[bool]) = if st.node_uids.len() == nodes.len() {
            debug_assert!(nodes.iter().zip(&st.node_uids).all(|(n, u)| n.uid == *u), "score_all got other nodes than pre_score");
            (&st.node_keys, &st.node_ignored)
        } else {
            computed = (
                st.constraints
                    .iter()
                    .map(|c| {
                        let col = c.key.map_or(&[][..], |k| env.cache.label_values_by_uid(k));
                        nodes.iter().map(|n| node_key(c, col, n.uid)).collect()
                    })
                    .collect(),
                if st.ignored.is_empty() { Vec::new() } else { nodes.iter().map(|n| st.ignored.get(n.slot).copied().unwrap_or(false)).collect() },
            );
            (&computed.0, &computed.1)
        };
        // Constraint by constraint over all nodes: each node's sum gets the same terms in the same
        // order as in `score`, so the floating-point results are identical; a constraint's term
        // per domain is computed once.
        let mut acc = vec![0f64; nodes.len()];
        for (i, c) in st.constraints.iter().enumerate() {
            let (w, k) = (st.weights[i], (c.c.max_skew - 1) as f64);
            let term = |cnt: i64| cnt as f64 * w + k;
            let keys = &keys[i];
            if !c.hostname {
                let by_domain: Vec<f64> = st.counts[i].iter().map(|&n| term(n)).collect();
                let absent = term(0);
                for (a, &d) in acc.iter_mut().zip(keys) {
                    if d != NO_LABEL {
                        *a += by_domain.get(d as usize).copied().unwrap_or(absent);
                    }
                }
            } else {
                for ((a, &uid), node) in acc.iter_mut().zip(keys).zip(nodes) {
                    if uid != NO_LABEL {
                        let cnt = match st.host_counts.get(uid as usize) {
                            Some(h) => *h as i64,
                            None => st.node_count(&c.c, node, ns),
                        };
                        *a += term(cnt);
                    }
                }
            }
        }
        out.extend(acc.iter().enumerate().map(|(j, a)| if ignored.get(j).copied().unwrap_or(false) { -1 } else { round_half_away(*a) }));
    }

    fn normalize(&self, _s: Option<&dyn Any>, _pod: &PodCtx, scores: &mut [i64]) {
        let (mut min, mut max) = (i64::MAX, i64::MIN);
        for &s in scores.iter().filter(|s| **s >= 0) {
            min = min.min(s);
            max = max.max(s);
        }
        if max < 0 {
            (min, max) = (0, 0);
        }
        if max > 0 && ((max - min) as usize) < scores.len() {
            // Fewer distinct values than nodes: one division per value, then a lookup per node.
            let by_value: Vec<i64> = (min..=max).map(|v| div_nonneg(MAX_NODE_SCORE * (max + min - v), max)).collect();
            for s in scores.iter_mut() {
                *s = if *s < 0 { 0 } else { by_value[(*s - min) as usize] };
            }
            return;
        }
        for s in scores.iter_mut() {
            *s = if *s < 0 {
                0
            } else if max == 0 {
                MAX_NODE_SCORE
            } else {
                // 0 <= min <= s <= max: a non-negative quotient.
                div_nonneg(MAX_NODE_SCORE * (max + min - *s), max)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testutil::*;

    fn nodes() -> Vec<String> {
        vec![
            node_yaml("a1", "zone: a", ""),
            node_yaml("a2", "zone: a", ""),
            node_yaml("b1", "zone: b", ""),
            node_yaml("c1", "zone: c", ""),
            node_yaml("x", "", ""),
        ]
    }

    fn running(name: &str, node: &str) -> String {
        format!("metadata: {{name: {name}, labels: {{app: web}}}}\nspec: {{nodeName: {node}, containers: []}}")
    }

    fn spread(key: &str, skew: i32, extra: &str) -> k8s_openapi::api::core::v1::Pod {
        pod(&format!("metadata: {{name: p, labels: {{app: web}}}}\nspec:\n  containers: []\n  topologySpreadConstraints:\n  - {{maxSkew: {skew}, topologyKey: {key}, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: web}}}}{extra}}}"))
    }

    #[test]
    fn round_half_away_matches_round() {
        for x in [0.0, 0.49999999999999994, 0.5, 1.5, 2.5, 2.4999999999, -0.5, -1.5, -2.5, -0.49999999999999994, 1e15 + 0.5, 4.6e15, -4.6e15, 123.456, f64::MAX] {
            assert_eq!(round_half_away(x), x.round() as i64, "{x}");
        }
    }

    #[test]
    fn zone_skew() {
        // zone a: 2 pods, b: 1, c: 0.
        let h = Harness::new(nodes(), vec![running("w1", "a1"), running("w2", "a2"), running("w3", "b1")]);
        let p = spread("zone", 1, "");
        let got: Vec<_> = ["a1", "b1", "c1", "x"].iter().map(|n| h.filter(&PodTopologySpread, &p, n).reasons.first().cloned()).collect();
        let skew = Some(ERR_REASON_CONSTRAINTS_NOT_MATCH.to_string());
        assert_eq!(got, vec![skew.clone(), skew, None, Some(ERR_REASON_NODE_LABEL_NOT_MATCH.to_string())]);
        // maxSkew 2: b is fine (1+1-0=2), a is not (2+1-0=3).
        let p = spread("zone", 2, "");
        assert!(h.filter(&PodTopologySpread, &p, "b1").is_success());
        assert!(!h.filter(&PodTopologySpread, &p, "a1").is_success());
    }

    #[test]
    fn min_domains() {
        // Only zones a and b exist for nodes with the pod's node selector; minDomains 3 => min is 0.
        let h = Harness::new(nodes(), vec![running("w1", "a1"), running("w3", "b1")]);
        let p = spread("zone", 1, ", minDomains: 4");
        // 3 domains < 4 -> min 0: a has 1 pod, 1+1-0 = 2 > 1.
        assert!(!h.filter(&PodTopologySpread, &p, "a1").is_success());
        assert!(h.filter(&PodTopologySpread, &p, "c1").is_success());
    }

    #[test]
    fn hostname_skew_and_score() {
        let h = Harness::new(nodes(), vec![running("w1", "a1"), running("w2", "a1")]);
        let p = spread("kubernetes.io/hostname", 1, "");
        assert!(!h.filter(&PodTopologySpread, &p, "a1").is_success());
        assert!(h.filter(&PodTopologySpread, &p, "a2").is_success());
        let soft = pod("metadata: {name: p, labels: {app: web}}\nspec:\n  containers: []\n  topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}");
        let s = h.scores(&PodTopologySpread, &soft);
        // a1 has 2 matching pods, everyone else 0: a1 gets the lowest score.
        assert_eq!(s[0], 0);
        assert!(s[1..].iter().all(|v| *v == 100), "{s:?}");
    }

    /// `score_all` (dense per-uid host counts, per-domain terms, constraint by constraint) agrees
    /// with `score` node by node for owned pods under the system default constraints, over
    /// feasible subsets small enough that the owner's nodes outnumber them (the per-node path)
    /// and large ones (the dense path), with nodes lacking the zone label, terminating pods and an
    /// owner without cached pods; the normalized scores agree with the division formula.
    #[test]
    fn score_all_matches_score_for_owned_pods() {
        let nodes: Vec<String> = (0..40)
            .map(|i| {
                let zone = if i % 9 == 4 { String::new() } else { format!("topology.kubernetes.io/zone: z{}", i % 4) };
                node_yaml(&format!("n{i:02}"), &zone, "")
            })
            .collect();
        let mut pods = Vec::new();
        for i in 0..200usize {
            let owner = ["a", "b", "c"][i % 3];
            let del = if i % 13 == 5 { ", deletionTimestamp: '2024-01-01T00:00:00Z'" } else { "" };
            let node = (i * 7 + i / 5) % 37;
            pods.push(format!("metadata: {{name: p{i}, labels: {{app: {owner}}}, ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: {owner}, uid: {owner}, controller: true}}]{del}}}\nspec: {{nodeName: n{node:02}, containers: []}}"));
        }
        let h = Harness::new(nodes, pods);
        let env = CycleEnv { cache: &h.cache, volumes: &crate::scheduler::plugins::volume_binding::NoVolumes, args: &h.args };
        for owner in ["a", "b", "zzz"] {
            let p = pod(&format!("metadata: {{name: new, labels: {{app: {owner}}}, ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: {owner}, uid: {owner}, controller: true}}]}}\nspec: {{containers: []}}"));
            let info = PodInfo::new(&p);
            let spec = p.spec.clone().unwrap_or_default();
            let ctx = PodCtx { pod: &p, spec: &spec, info: &info };
            for step in [1, 2, 3, 7, 13] {
                let nodes: Vec<&NodeInfo> = h.cache.nodes().iter().step_by(step).collect();
                let pre = PodTopologySpread.pre_score(&ctx, &env, &nodes);
                let st = pre.state.as_deref().map(|s| s.as_any());
                let each: Vec<i64> = nodes.iter().map(|n| PodTopologySpread.score(st, &ctx, n, &env)).collect();
                let mut batch = Vec::new();
                PodTopologySpread.score_all(st, &ctx, &nodes, &env, &mut batch);
                assert_eq!(batch, each, "owner {owner}, every {step}th node");
                // Nodes other than PreScore's: gathered per node instead.
                let mut part = Vec::new();
                PodTopologySpread.score_all(st, &ctx, &nodes[1..], &env, &mut part);
                assert_eq!(part, each[1..], "owner {owner}, every {step}th node but the first");
                let mut norm = batch.clone();
                PodTopologySpread.normalize(st, &ctx, &mut norm);
                assert_eq!(norm, normalize_by_division(&batch), "owner {owner}, every {step}th node");
            }
        }
    }

    /// NormalizeScore as kube-scheduler writes it: one division per node.
    fn normalize_by_division(scores: &[i64]) -> Vec<i64> {
        let ok = scores.iter().filter(|s| **s >= 0);
        let (min, max) = (ok.clone().min().copied().unwrap_or(0), ok.max().copied().unwrap_or(0));
        scores.iter().map(|&s| if s < 0 { 0 } else if max == 0 { MAX_NODE_SCORE } else { MAX_NODE_SCORE * (max + min - s) / max }).collect()
    }

    /// The lookup table NormalizeScore uses when there are fewer distinct values than nodes gives
    /// the same results as dividing per node.
    #[test]
    fn normalize_matches_division() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for round in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 50) as usize;
            let spread = [1, 3, 40, 1000, 1 << 40][round % 5];
            let scores: Vec<i64> = (0..len)
                .map(|j| {
                    let v = (x.rotate_left(j as u32 * 7) % spread) as i64 + (round as i64 % 3) * 17;
                    if j % 11 == 10 { -1 } else { v }
                })
                .collect();
            let mut got = scores.clone();
            let p = pod("metadata: {name: p}\nspec: {containers: []}");
            let info = PodInfo::new(&p);
            let spec = PodSpec::default();
            PodTopologySpread.normalize(None, &PodCtx { pod: &p, spec: &spec, info: &info }, &mut got);
            assert_eq!(got, normalize_by_division(&scores), "{scores:?}");
        }
    }

    #[test]
    fn own_constraints_of_an_owned_pod_count_by_their_selector() {
        // The matching pods on a1 belong to no owner; the incoming pod belongs to a ReplicaSet.
        // Its own ScheduleAnyway constraint counts pods by labelSelector, not by owner.
        let h = Harness::new(nodes(), vec![running("w1", "a1"), running("w2", "a1")]);
        let soft = pod("metadata: {name: p, labels: {app: web}, ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: u1, controller: true}]}\nspec:\n  containers: []\n  topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}");
        let s = h.scores(&PodTopologySpread, &soft);
        assert_eq!(s[0], 0, "{s:?}");
        assert!(s[1..].iter().all(|v| *v == 100), "{s:?}");
    }
}
