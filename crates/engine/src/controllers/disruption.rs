//! The disruption controller and the Eviction API, after Kubernetes' `pkg/controller/disruption`
//! and the pod `eviction` subresource: each PodDisruptionBudget's status (expectedPods,
//! currentHealthy, desiredHealthy, disruptionsAllowed, disruptedPods, the DisruptionAllowed
//! condition), and [`Cluster::evict`](crate::Cluster::evict), which deletes a pod only when its
//! budget allows it and otherwise answers 429 TooManyRequests as the API server does.

use crate::vecmap::VecMap;
use crate::vecmap::VecSet;
use super::workload::{is_terminal, ms_of, time_at, Timers};
use super::{pod_is_ready, Cursor};
use crate::api::{meta, ApiError, Kind, Object, ObjectKey};
use crate::apiserver::{Api, DeleteOptions};
use crate::clock::Component;
use crate::cluster::Cluster;
use crate::selector::label_selector_matches;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::{BTreeMap, BTreeSet};

/// The API server's answer when a budget blocks an eviction.
pub const EVICTION_BLOCKED: &str = "Cannot evict pod as it would violate the pod's disruption budget.";
/// How long an evicted pod counts as disrupted while it is not yet gone (`DeletionTimeout`).
const DISRUPTED_TIMEOUT_MS: u64 = 120_000;

/// The disruption controller's state.
#[derive(Debug, Default, Clone)]
pub struct DisruptionController {
    cursor: Cursor,
    queue: BTreeSet<ObjectKey>,
    timers: Timers,
}

fn scaled(v: &IntOrString, total: i32) -> i32 {
    match v {
        IntOrString::Int(i) => *i,
        IntOrString::String(s) => {
            let p: f64 = s.trim_end_matches('%').parse().unwrap_or(0.0);
            (p * total as f64 / 100.0).ceil() as i32
        }
    }
}

/// The scale of the controller owning a pod (Deployment through its ReplicaSet, StatefulSet,
/// ReplicaSet), keyed by the controller's uid.
fn controller_scale(api: &Api, p: &Pod) -> Option<(String, i32)> {
    let ns = meta::namespace(&p.metadata);
    let c = meta::controller_of(&p.metadata)?;
    match c.kind.as_str() {
        "ReplicaSet" => {
            let Object::ReplicaSet(rs) = &**api.store.get(&ObjectKey::new(Kind::ReplicaSet, ns, &c.name))? else { return None };
            if let Some(d) = meta::controller_of(&rs.metadata).filter(|d| d.kind == "Deployment") {
                if let Some(Object::Deployment(dep)) = api.store.get(&ObjectKey::new(Kind::Deployment, ns, &d.name)).map(|o| &**o) {
                    return Some((d.uid.clone(), dep.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)));
                }
            }
            Some((c.uid.clone(), rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)))
        }
        "StatefulSet" => match api.store.get(&ObjectKey::new(Kind::StatefulSet, ns, &c.name)).map(|o| &**o) {
            Some(Object::StatefulSet(s)) => Some((c.uid.clone(), s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1))),
            _ => None,
        },
        _ => None,
    }
}

/// The pods a budget selects (not finished), in key order.
fn selected_pods(api: &Api, pdb: &PodDisruptionBudget) -> Vec<Pod> {
    let Some(sel) = pdb.spec.as_ref().and_then(|s| s.selector.as_ref()) else { return Vec::new() };
    let empty = BTreeMap::new();
    api.store
        .list_ns(Kind::Pod, meta::namespace(&pdb.metadata))
        .filter_map(|o| o.as_pod())
        .filter(|p| !is_terminal(p) && label_selector_matches(sel, p.metadata.labels.as_ref().unwrap_or(&empty)))
        .cloned()
        .collect()
}

/// Computes a budget's status from the pods it selects (`getExpectedPodCount`, `countHealthyPods`).
pub fn compute_status(api: &Api, pdb: &PodDisruptionBudget) -> PodDisruptionBudgetStatus {
    let now = api.clock.now_ms();
    let pods = selected_pods(api, pdb);
    let spec = pdb.spec.clone().unwrap_or_default();
    let old = pdb.status.clone().unwrap_or_default();
    // Disrupted pods stay counted as unhealthy until deleted or timed out.
    let mut disrupted: BTreeMap<String, k8s_openapi::apimachinery::pkg::apis::meta::v1::Time> = BTreeMap::new();
    for (name, t) in old.disrupted_pods.clone().unwrap_or_default() {
        let live = pods.iter().any(|p| meta::name(&p.metadata) == name && p.metadata.deletion_timestamp.is_none());
        if live && ms_of(&t) + DISRUPTED_TIMEOUT_MS > now {
            disrupted.insert(name, t);
        }
    }
    let expected_scale = || -> i32 {
        let mut seen: VecMap<String, i32> = VecMap::new();
        let mut loose = 0;
        for p in &pods {
            match controller_scale(api, p) {
                Some((uid, n)) => {
                    seen.insert(uid, n);
                }
                None => loose += 1,
            }
        }
        seen.values().sum::<i32>() + loose
    };
    let (expected, desired) = if let Some(mu) = &spec.max_unavailable {
        let expected = expected_scale();
        (expected, (expected - scaled(mu, expected)).max(0))
    } else if let Some(ma) = &spec.min_available {
        match ma {
            IntOrString::Int(i) => (pods.len() as i32, *i),
            IntOrString::String(_) => {
                let expected = expected_scale();
                (expected, scaled(ma, expected))
            }
        }
    } else {
        (pods.len() as i32, 0)
    };
    let healthy = pods.iter().filter(|p| p.metadata.deletion_timestamp.is_none() && pod_is_ready(p) && !disrupted.contains_key(meta::name(&p.metadata))).count() as i32;
    let allowed = if expected <= 0 { 0 } else { (healthy - desired).max(0) };
    let (status, reason) = if allowed > 0 { ("True", "SufficientPods") } else { ("False", "InsufficientPods") };
    let prev = old.conditions.iter().flatten().find(|c| c.type_ == "DisruptionAllowed");
    let ltt = match prev {
        Some(c) if c.status == status => c.last_transition_time.clone(),
        _ => time_at(now),
    };
    PodDisruptionBudgetStatus {
        conditions: Some(vec![Condition {
            type_: "DisruptionAllowed".into(),
            status: status.into(),
            reason: reason.into(),
            message: String::new(),
            last_transition_time: ltt,
            observed_generation: pdb.metadata.generation,
        }]),
        current_healthy: healthy,
        desired_healthy: desired,
        disrupted_pods: Some(disrupted).filter(|d| !d.is_empty()),
        disruptions_allowed: allowed,
        expected_pods: expected,
        observed_generation: pdb.metadata.generation,
    }
}

impl DisruptionController {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        !self.queue.is_empty() || self.cursor.behind(api)
    }

    /// One round over new events and timers.
    pub fn run(&mut self, api: &mut Api, woken: Vec<ObjectKey>) {
        self.timers.fired(api.clock.now_ms(), &woken);
        let mut namespaces: VecSet<String> = VecSet::new();
        let keys = self.cursor.collect(
            api,
            |e, out| match &*e.object {
                Object::PodDisruptionBudget(_) => out.push(e.key.clone()),
                Object::Pod(_) | Object::Deployment(_) | Object::StatefulSet(_) | Object::ReplicaSet(_) => {
                    namespaces.insert(e.key.namespace.clone());
                }
                _ => {}
            },
            |api| api.store.list(Kind::PodDisruptionBudget).map(|o| ObjectKey::of(o)).collect(),
        );
        for ns in namespaces {
            self.queue.extend(api.store.list_ns(Kind::PodDisruptionBudget, &ns).map(|o| ObjectKey::of(o)));
        }
        self.queue.extend(keys);
        self.queue.extend(woken);
        for key in std::mem::take(&mut self.queue) {
            self.reconcile(api, &key);
        }
        self.cursor.0 = api.store.next_seq();
    }

    fn reconcile(&mut self, api: &mut Api, key: &ObjectKey) {
        let Some(Object::PodDisruptionBudget(mut pdb)) = api.store.get(key).map(|o| (**o).clone()) else {
            self.timers.forget(key);
            return;
        };
        let st = compute_status(api, &pdb);
        if let Some(first) = st.disrupted_pods.iter().flatten().map(|(_, t)| ms_of(t) + DISRUPTED_TIMEOUT_MS).min() {
            self.timers.wake(api, Component::Disruption, key, first);
        }
        if pdb.status.as_ref() != Some(&st) {
            pdb.status = Some(st);
            api.store.put(Object::PodDisruptionBudget(pdb));
        }
    }
}

/// The eviction subresource: checks the pod's budget, records the disruption and deletes the pod.
pub fn evict(api: &mut Api, pod_key: &ObjectKey) -> Result<(), ApiError> {
    let obj = api.get(pod_key)?;
    let Object::Pod(pod) = &*obj else { return Err(ApiError::not_found(Kind::Pod, &pod_key.name)) };
    if is_terminal(pod) || pod.metadata.deletion_timestamp.is_some() {
        api.delete(pod_key, &DeleteOptions::default())?;
        return Ok(());
    }
    let empty = BTreeMap::new();
    let labels = pod.metadata.labels.as_ref().unwrap_or(&empty);
    let budgets: Vec<PodDisruptionBudget> = api
        .store
        .list_ns(Kind::PodDisruptionBudget, &pod_key.namespace)
        .filter_map(|o| match &**o {
            Object::PodDisruptionBudget(p) => Some(p.clone()),
            _ => None,
        })
        .filter(|p| p.spec.as_ref().and_then(|s| s.selector.as_ref()).is_some_and(|s| label_selector_matches(s, labels)))
        .collect();
    if budgets.len() > 1 {
        return Err(ApiError::Internal("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.".into()));
    }
    if let Some(pdb) = budgets.into_iter().next() {
        let st = pdb.status.clone().unwrap_or_default();
        if st.observed_generation.unwrap_or(0) < pdb.metadata.generation.unwrap_or(0) {
            return Err(ApiError::TooManyRequests(EVICTION_BLOCKED.into()));
        }
        let healthy = pod_is_ready(pod);
        if !healthy {
            let always = pdb.spec.as_ref().and_then(|s| s.unhealthy_pod_eviction_policy.as_deref()) == Some("AlwaysAllow");
            if !always && st.current_healthy < st.desired_healthy {
                return Err(ApiError::TooManyRequests(EVICTION_BLOCKED.into()));
            }
        } else {
            if st.disruptions_allowed <= 0 {
                return Err(ApiError::TooManyRequests(EVICTION_BLOCKED.into()));
            }
            let mut pdb = pdb;
            let s = pdb.status.get_or_insert_with(Default::default);
            s.disruptions_allowed -= 1;
            s.disrupted_pods.get_or_insert_with(BTreeMap::new).insert(pod_key.name.clone(), time_at(api.clock.now_ms()));
            if s.disruptions_allowed == 0 {
                for c in s.conditions.iter_mut().flatten().filter(|c| c.type_ == "DisruptionAllowed") {
                    c.status = "False".into();
                    c.reason = "InsufficientPods".into();
                    c.last_transition_time = time_at(api.clock.now_ms());
                }
            }
            api.store.put(Object::PodDisruptionBudget(pdb));
        }
    }
    api.delete(pod_key, &DeleteOptions::default())?;
    Ok(())
}

impl Cluster {
    /// Evicts a pod through the Eviction API (`kubectl drain`): refused with 429
    /// TooManyRequests (`Cannot evict pod as it would violate the pod's disruption budget.`)
    /// when its PodDisruptionBudget allows no disruption; otherwise the pod is deleted. Settles.
    pub fn evict(&mut self, pod_key: &ObjectKey) -> Result<(), ApiError> {
        let r = evict(&mut self.api, pod_key);
        self.settle();
        r
    }
}
