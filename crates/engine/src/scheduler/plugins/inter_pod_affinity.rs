//! InterPodAffinity: required pod affinity and anti-affinity of the incoming pod, and the
//! symmetric required anti-affinity of pods already running (Filter); preferred terms of both sides
//! plus existing pods' required affinity (`hardPodAffinityWeight`) (Score). Counts are kept per
//! topology pair `(topologyKey, node label value)`, as in kube-scheduler.

use crate::vecmap::VecMap;
use crate::scheduler::cache::{AffinityTerm, NamespaceLabels, NodeInfo, PodInfo};
use crate::scheduler::framework::{Code, CycleEnv, Plugin, PodCtx, PreResult, Status, MAX_NODE_SCORE};
use std::any::Any;
use std::collections::BTreeMap;

/// Plugin name.
pub const NAME: &str = "InterPodAffinity";
/// The incoming pod's required affinity is not satisfied.
pub const ERR_REASON_AFFINITY_RULES_NOT_MATCH: &str = "node(s) didn't match pod affinity rules";
/// The incoming pod's required anti-affinity is violated.
pub const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH: &str = "node(s) didn't match pod anti-affinity rules";
/// An existing pod's required anti-affinity rejects the incoming pod.
pub const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH: &str = "node(s) didn't satisfy existing pods anti-affinity rules";

type TopoCounts = BTreeMap<(String, String), i64>;

fn update(m: &mut TopoCounts, node: &NodeInfo, key: &str, v: i64) {
    if let Some(val) = node.labels.get(key) {
        let k = (key.to_string(), val.clone());
        let e = m.entry(k.clone()).or_insert(0);
        *e += v;
        if *e == 0 {
            m.remove(&k);
        }
    }
}

fn matches_all(terms: &[AffinityTerm], pod: &PodInfo, ns: &NamespaceLabels) -> bool {
    !terms.is_empty() && terms.iter().all(|t| t.matches(pod, ns))
}

#[derive(Clone, Default)]
struct FilterState {
    existing_anti: TopoCounts,
    affinity: TopoCounts,
    anti: TopoCounts,
}

impl FilterState {
    fn update_with_pod(&mut self, incoming: &PodInfo, other: &PodInfo, node: &NodeInfo, ns: &NamespaceLabels, mult: i64) {
        for t in &other.required_anti_affinity {
            if t.matches(incoming, ns) {
                update(&mut self.existing_anti, node, &t.topology_key, mult);
            }
        }
        if matches_all(&incoming.required_affinity, other, ns) {
            for t in &incoming.required_affinity {
                update(&mut self.affinity, node, &t.topology_key, mult);
            }
        }
        for t in &incoming.required_anti_affinity {
            if t.matches(other, ns) {
                update(&mut self.anti, node, &t.topology_key, mult);
            }
        }
    }
}

/// The InterPodAffinity filter and score plugin.
#[derive(Debug, Default, Clone, Copy)]
pub struct InterPodAffinity;

impl Plugin for InterPodAffinity {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter(&self, pod: &PodCtx, env: &CycleEnv) -> PreResult {
        let ns = env.cache.namespace_labels();
        let inc = pod.info;
        let mut st = FilterState::default();
        let own_terms = !inc.required_affinity.is_empty() || !inc.required_anti_affinity.is_empty();
        if !own_terms && env.cache.pods_with_required_anti_affinity() == 0 {
            // Nothing to check for this pod anywhere (the loop below would find nothing).
            return PreResult::skip();
        }
        for node in env.cache.nodes() {
            if node.pods_with_required_anti_affinity > 0 {
                for p in node.pods.iter().filter(|p| !p.required_anti_affinity.is_empty()) {
                    for t in &p.required_anti_affinity {
                        if t.matches(inc, ns) {
                            update(&mut st.existing_anti, node, &t.topology_key, 1);
                        }
                    }
                }
            }
            if own_terms {
                for p in &node.pods {
                    if matches_all(&inc.required_affinity, p, ns) {
                        for t in &inc.required_affinity {
                            update(&mut st.affinity, node, &t.topology_key, 1);
                        }
                    }
                    for t in &inc.required_anti_affinity {
                        if t.matches(p, ns) {
                            update(&mut st.anti, node, &t.topology_key, 1);
                        }
                    }
                }
            }
        }
        if !own_terms && st.existing_anti.is_empty() {
            return PreResult::skip();
        }
        PreResult::with(st)
    }

    fn filter(&self, s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, env: &CycleEnv) -> Status {
        let Some(st) = s.and_then(|s| s.downcast_ref::<FilterState>()) else {
            return Status::success();
        };
        let inc = pod.info;
        // Required affinity: every term's topology must hold a matching pod.
        let mut pods_exist = true;
        for t in &inc.required_affinity {
            match node.labels.get(&t.topology_key) {
                Some(v) => {
                    if st.affinity.get(&(t.topology_key.clone(), v.clone())).copied().unwrap_or(0) <= 0 {
                        pods_exist = false;
                    }
                }
                None => return Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_AFFINITY_RULES_NOT_MATCH),
            }
        }
        if !pods_exist {
            // The first pod of a group with affinity to itself may go anywhere with the topology.
            let self_ok = st.affinity.is_empty() && matches_all(&inc.required_affinity, inc, env.cache.namespace_labels());
            if !self_ok {
                return Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_AFFINITY_RULES_NOT_MATCH);
            }
        }
        if !st.anti.is_empty() {
            for t in &inc.required_anti_affinity {
                if let Some(v) = node.labels.get(&t.topology_key) {
                    if st.anti.get(&(t.topology_key.clone(), v.clone())).copied().unwrap_or(0) > 0 {
                        return Status::unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
                    }
                }
            }
        }
        if !st.existing_anti.is_empty() {
            for (k, v) in &node.labels {
                if st.existing_anti.get(&(k.clone(), v.clone())).copied().unwrap_or(0) > 0 {
                    return Status::unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
                }
            }
        }
        Status::success()
    }

    fn add_pod(&self, s: Option<&mut dyn Any>, pod: &PodCtx, added: &PodInfo, node: &NodeInfo, env: &CycleEnv) {
        if let Some(st) = s.and_then(|s| s.downcast_mut::<FilterState>()) {
            st.update_with_pod(pod.info, added, node, env.cache.namespace_labels(), 1);
        }
    }

    fn remove_pod(&self, s: Option<&mut dyn Any>, pod: &PodCtx, removed: &PodInfo, node: &NodeInfo, env: &CycleEnv) {
        if let Some(st) = s.and_then(|s| s.downcast_mut::<FilterState>()) {
            st.update_with_pod(pod.info, removed, node, env.cache.namespace_labels(), -1);
        }
    }

    fn pre_score(&self, pod: &PodCtx, env: &CycleEnv, _nodes: &[&NodeInfo]) -> PreResult {
        let inc = pod.info;
        let ns = env.cache.namespace_labels();
        let has_constraints = !inc.preferred_affinity.is_empty() || !inc.preferred_anti_affinity.is_empty();
        let hard_weight = env.args.hard_pod_affinity_weight as i64;
        if !has_constraints && env.cache.pods_with_affinity() == 0 {
            return PreResult::skip();
        }
        let mut scores: VecMap<String, VecMap<String, i64>> = VecMap::new();
        let mut add = |node: &NodeInfo, term: &AffinityTerm, target: &PodInfo, w: i64| {
            if term.matches(target, ns) {
                if let Some(v) = node.labels.get(&term.topology_key) {
                    *scores.entry(term.topology_key.clone()).or_default().entry(v.clone()).or_insert(0) += w;
                }
            }
        };
        for node in env.cache.nodes() {
            if node.labels.is_empty() || (!has_constraints && node.pods_with_affinity == 0) {
                continue;
            }
            for ex in &node.pods {
                if !has_constraints && !ex.has_affinity() {
                    continue;
                }
                for t in &inc.preferred_affinity {
                    add(node, &t.term, ex, t.weight as i64);
                }
                for t in &inc.preferred_anti_affinity {
                    add(node, &t.term, ex, -(t.weight as i64));
                }
                if hard_weight > 0 {
                    for t in &ex.required_affinity {
                        add(node, t, inc, hard_weight);
                    }
                }
                for t in &ex.preferred_affinity {
                    add(node, &t.term, inc, t.weight as i64);
                }
                for t in &ex.preferred_anti_affinity {
                    add(node, &t.term, inc, -(t.weight as i64));
                }
            }
        }
        if scores.is_empty() {
            return PreResult::skip();
        }
        PreResult::with(scores)
    }

    fn score(&self, s: Option<&dyn Any>, _pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> i64 {
        let Some(m) = s.and_then(|s| s.downcast_ref::<VecMap<String, VecMap<String, i64>>>()) else {
            return 0;
        };
        m.iter()
            .filter_map(|(k, vals)| node.labels.get(k).and_then(|v| vals.get(v)))
            .sum()
    }

    fn normalize(&self, _s: Option<&dyn Any>, _pod: &PodCtx, scores: &mut [i64]) {
        let (Some(min), Some(max)) = (scores.iter().min().copied(), scores.iter().max().copied()) else {
            return;
        };
        let diff = max - min;
        for s in scores.iter_mut() {
            *s = if diff > 0 { (MAX_NODE_SCORE as f64 * ((*s - min) as f64 / diff as f64)) as i64 } else { 0 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testutil::*;

    fn running(name: &str, node: &str, labels: &str, affinity: &str) -> String {
        format!("metadata: {{name: {name}, labels: {{{labels}}}}}\nspec:\n  nodeName: {node}\n  containers: []\n{affinity}")
    }

    fn anti_by_hostname(app: &str) -> String {
        format!("  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n      - {{topologyKey: kubernetes.io/hostname, labelSelector: {{matchLabels: {{app: {app}}}}}}}")
    }

    fn affinity_zone(app: &str) -> String {
        format!("  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n      - {{topologyKey: zone, labelSelector: {{matchLabels: {{app: {app}}}}}}}")
    }

    fn nodes() -> Vec<String> {
        vec![node_yaml("n1", "zone: a", ""), node_yaml("n2", "zone: a", ""), node_yaml("n3", "zone: b", ""), node_yaml("n4", "", "")]
    }

    fn reasons(h: &Harness, p: &str) -> Vec<Option<String>> {
        let p = pod(p);
        ["n1", "n2", "n3", "n4"].iter().map(|n| h.filter(&InterPodAffinity, &p, n).reasons.first().cloned()).collect()
    }

    #[test]
    fn anti_affinity_by_hostname() {
        let h = Harness::new(nodes(), vec![running("web-1", "n1", "app: web", "")]);
        let p = format!("metadata: {{name: web-2, labels: {{app: web}}}}\nspec:\n  containers: []\n{}", anti_by_hostname("web"));
        let anti = Some(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH.to_string());
        assert_eq!(reasons(&h, &p), vec![anti, None, None, None]);
    }

    #[test]
    fn existing_pods_anti_affinity_is_symmetric() {
        let h = Harness::new(nodes(), vec![running("db-1", "n2", "app: db", &anti_by_hostname("web"))]);
        let p = "metadata: {name: web-2, labels: {app: web}}\nspec: {containers: []}";
        let ex = Some(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH.to_string());
        assert_eq!(reasons(&h, p), vec![None, ex, None, None]);
        // Other namespaces are not affected by a term without namespaces.
        let other = "metadata: {name: web-2, namespace: other, labels: {app: web}}\nspec: {containers: []}";
        assert_eq!(reasons(&h, other), vec![None, None, None, None]);
    }

    #[test]
    fn affinity_by_zone() {
        let h = Harness::new(nodes(), vec![running("cache-1", "n3", "app: cache", "")]);
        let p = format!("metadata: {{name: web, labels: {{app: web}}}}\nspec:\n  containers: []\n{}", affinity_zone("cache"));
        let no = Some(ERR_REASON_AFFINITY_RULES_NOT_MATCH.to_string());
        assert_eq!(reasons(&h, &p), vec![no.clone(), no.clone(), None, no.clone()]);
        // First pod of a self-affine group: allowed wherever the topology key exists.
        let h = Harness::new(nodes(), vec![]);
        let p = format!("metadata: {{name: web, labels: {{app: web}}}}\nspec:\n  containers: []\n{}", affinity_zone("web"));
        assert_eq!(reasons(&h, &p), vec![None, None, None, no]);
    }

    #[test]
    fn preferred_scores() {
        let h = Harness::new(nodes(), vec![running("cache-1", "n3", "app: cache", "")]);
        let p = pod("metadata: {name: web}\nspec:\n  containers: []\n  affinity:\n    podAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n      - {weight: 50, podAffinityTerm: {topologyKey: zone, labelSelector: {matchLabels: {app: cache}}}}");
        assert_eq!(h.scores(&InterPodAffinity, &p), vec![0, 0, 100, 0]);
    }
}
