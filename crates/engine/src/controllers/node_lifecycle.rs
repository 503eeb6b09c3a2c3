//! The node lifecycle controller and the taint eviction controller: a node whose kubelet stops
//! posting status goes `Unknown` after the grace period and gets the `unreachable` taints; pods
//! that do not tolerate a NoExecute taint are evicted (after their tolerationSeconds); a node
//! that comes back is Ready again and untainted.

use super::Cursor;
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::{Api, DeleteOptions};
use crate::clock::Component;
use crate::kubelet::Kubelets;
use k8s_openapi::api::core::v1::{Node, NodeCondition, Pod, Taint, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use std::collections::BTreeSet;

/// How long a silent node stays Ready (node-monitor-grace-period).
pub const GRACE_MS: u64 = 40_000;
const UNREACHABLE: &str = "node.kubernetes.io/unreachable";

/// The node lifecycle and taint eviction state.
#[derive(Debug, Default, Clone)]
pub struct NodeLifecycle {
    cursor: Cursor,
    queue: BTreeSet<ObjectKey>,
}

/// Whether a toleration tolerates a taint (Kubernetes' `ToleratesTaint`).
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    if let Some(e) = t.effect.as_deref() {
        if !e.is_empty() && e != taint.effect {
            return false;
        }
    }
    let key = t.key.as_deref().unwrap_or("");
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match t.operator.as_deref().unwrap_or("Equal") {
        "Exists" => true,
        "Equal" | "" => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
        _ => false,
    }
}

impl NodeLifecycle {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        !self.queue.is_empty() || self.cursor.behind(api)
    }

    /// Asks for a check of a node at a time (e.g. when its kubelet stops).
    pub fn check_node_at(&mut self, api: &mut Api, node: &str, at: u64) {
        api.clock.wake_at(at, Component::NodeLifecycle, ObjectKey::new(Kind::Node, "", node));
    }

    /// One round.
    pub fn run(&mut self, api: &mut Api, kubelets: &Kubelets, woken: Vec<ObjectKey>) {
        let keys = self.cursor.collect(
            api,
            |e, out| match &*e.object {
                Object::Node(n) if e.event_type != crate::store::EventType::Deleted => {
                    if n.spec.as_ref().and_then(|s| s.taints.as_ref()).is_some_and(|t| t.iter().any(|t| t.effect == "NoExecute")) {
                        out.push(e.key.clone());
                    }
                }
                Object::Pod(p) if e.event_type == crate::store::EventType::Added || e.event_type == crate::store::EventType::Modified => {
                    if let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.as_ref()) {
                        if p.metadata.deletion_timestamp.is_none() {
                            out.push(ObjectKey::new(Kind::Pod, meta::namespace(&p.metadata), meta::name(&p.metadata)));
                            let _ = node;
                        }
                    }
                }
                _ => {}
            },
            |api| api.store.list(Kind::Node).map(|o| ObjectKey::of(o)).collect(),
        );
        self.queue.extend(keys);
        self.queue.extend(woken);
        for key in std::mem::take(&mut self.queue) {
            match key.kind {
                Kind::Node => {
                    self.monitor(api, kubelets, &key.name);
                    let pods: Vec<ObjectKey> = api.store.pods_on_node(&key.name).cloned().collect();
                    for p in pods {
                        self.evict_if_untolerated(api, &p);
                    }
                }
                Kind::Pod => self.evict_if_untolerated(api, &key),
                _ => {}
            }
        }
        self.cursor.0 = api.store.next_seq();
    }

    /// Updates a node's Ready condition and unreachable taints from its kubelet's state.
    fn monitor(&mut self, api: &mut Api, kubelets: &Kubelets, name: &str) {
        let Some(agent) = kubelets.nodes.get(name) else { return };
        let Some(Object::Node(mut n)) = api.store.get(&ObjectKey::new(Kind::Node, "", name)).map(|o| (**o).clone()) else { return };
        let now = api.clock.now_ms();
        let silent_for = now.saturating_sub(agent.last_heartbeat_ms);
        let ready_now = ready_status(&n);
        // Whether `n` now differs from the stored node: only the two branches below change it,
        // and each changes the Ready condition's status.
        let mut changed = false;
        if agent.running {
            if ready_now != "True" {
                changed = true;
                set_ready(&mut n, "True", "KubeletReady", "kubelet is posting ready status", api.clock.now_secs());
                remove_taint(&mut n, UNREACHABLE);
            }
        } else if silent_for >= GRACE_MS {
            if ready_now != "Unknown" {
                changed = true;
                set_ready(&mut n, "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", api.clock.now_secs());
                for cond in n.status.as_mut().and_then(|s| s.conditions.as_mut()).into_iter().flatten() {
                    if cond.type_ != "Ready" {
                        cond.status = "Unknown".into();
                        cond.reason = Some("NodeStatusUnknown".into());
                        cond.message = Some("Kubelet stopped posting node status.".into());
                    }
                }
                let added = Some(Time(api.clock.now_secs()));
                let taints = n.spec.get_or_insert_with(Default::default).taints.get_or_insert_with(Vec::new);
                for effect in ["NoSchedule", "NoExecute"] {
                    if !taints.iter().any(|t| t.key == UNREACHABLE && t.effect == effect) {
                        taints.push(Taint { key: UNREACHABLE.into(), effect: effect.into(), value: None, time_added: if effect == "NoExecute" { added.clone() } else { None } });
                    }
                }
                let node_obj = Object::Node(n.clone());
                api.record(&node_obj, "Normal", "NodeNotReady", &format!("Node {name} status is now: NodeNotReady"), "node-controller", None);
                // Pods on the node are no longer Ready.
                let pods: Vec<ObjectKey> = api.store.pods_on_node(name).cloned().collect();
                for pk in pods {
                    if let Some(Object::Pod(p)) = api.store.get(&pk).map(|o| (**o).clone()) {
                        let mut p: Pod = p;
                        let mut changed = false;
                        for c in p.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
                            if c.type_ == "Ready" && c.status != "False" {
                                c.status = "False".into();
                                c.last_transition_time = Some(Time(api.clock.now_secs()));
                                changed = true;
                            }
                        }
                        if changed {
                            api.store.put(Object::Pod(p));
                        }
                    }
                }
            }
        } else {
            self.check_node_at(api, name, agent.last_heartbeat_ms + GRACE_MS);
        }
        if changed {
            api.store.put(Object::Node(n));
        }
    }

    /// Deletes a pod on a NoExecute-tainted node unless it tolerates the taints (for now).
    fn evict_if_untolerated(&mut self, api: &mut Api, key: &ObjectKey) {
        let Some(pod_obj) = api.store.get(key).cloned() else { return };
        let Object::Pod(p) = &*pod_obj else { return };
        if p.metadata.deletion_timestamp.is_some() {
            return;
        }
        let Some(node_name) = p.spec.as_ref().and_then(|s| s.node_name.clone()) else { return };
        let Some(Object::Node(node)) = api.store.get(&ObjectKey::new(Kind::Node, "", &node_name)).map(|o| &**o) else { return };
        let taints: Vec<Taint> = node.spec.as_ref().and_then(|s| s.taints.as_ref()).into_iter().flatten().filter(|t| t.effect == "NoExecute").cloned().collect();
        if taints.is_empty() {
            return;
        }
        let tols = p.spec.as_ref().and_then(|s| s.tolerations.as_deref()).unwrap_or_default();
        let now = api.clock.now_ms();
        let mut evict_at: Option<u64> = None;
        for taint in &taints {
            let matching: Vec<&Toleration> = tols.iter().filter(|t| tolerates(t, taint)).collect();
            if matching.is_empty() {
                evict_at = Some(now);
                break;
            }
            // The shortest tolerationSeconds among matching tolerations; none means forever.
            if matching.iter().all(|t| t.toleration_seconds.is_some()) {
                let secs = matching.iter().filter_map(|t| t.toleration_seconds).min().unwrap_or(0).max(0) as u64;
                let added = taint.time_added.as_ref().map(|t| (t.0 - crate::clock::epoch()).num_milliseconds().max(0) as u64).unwrap_or(now);
                let at = added + secs * 1000;
                evict_at = Some(evict_at.map_or(at, |e: u64| e.min(at)));
            }
        }
        match evict_at {
            Some(at) if at <= now => {
                api.record(&pod_obj, "Normal", "TaintManagerEviction", &format!("Marking for deletion Pod {}/{}", meta::namespace(&p.metadata), meta::name(&p.metadata)), "taint-eviction-controller", None);
                let _ = api.delete(key, &DeleteOptions::default());
            }
            Some(at) => api.clock.wake_at(at, Component::NodeLifecycle, key.clone()),
            None => {}
        }
    }
}

fn ready_status(n: &Node) -> String {
    n.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|c| c.iter().find(|c| c.type_ == "Ready")).map(|c| c.status.clone()).unwrap_or_default()
}

fn set_ready(n: &mut Node, status: &str, reason: &str, message: &str, now: chrono::DateTime<chrono::Utc>) {
    let conds = n.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
    match conds.iter_mut().find(|c| c.type_ == "Ready") {
        Some(c) => {
            c.status = status.into();
            c.reason = Some(reason.into());
            c.message = Some(message.into());
            c.last_transition_time = Some(Time(now));
            c.last_heartbeat_time = Some(Time(now));
        }
        None => conds.push(NodeCondition {
            type_: "Ready".into(),
            status: status.into(),
            reason: Some(reason.into()),
            message: Some(message.into()),
            last_transition_time: Some(Time(now)),
            last_heartbeat_time: Some(Time(now)),
        }),
    }
    if status == "True" {
        for c in conds.iter_mut().filter(|c| c.type_ != "Ready") {
            if c.status == "Unknown" {
                c.status = "False".into();
                let (r, m) = match c.type_.as_str() {
                    "MemoryPressure" => ("KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                    "DiskPressure" => ("KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    _ => ("KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                };
                c.reason = Some(r.into());
                c.message = Some(m.into());
                c.last_transition_time = Some(Time(now));
            }
        }
    }
}

fn remove_taint(n: &mut Node, key: &str) {
    if let Some(t) = n.spec.as_mut().and_then(|s| s.taints.as_mut()) {
        t.retain(|t| t.key != key);
        if t.is_empty() {
            if let Some(s) = n.spec.as_mut() {
                s.taints = None;
            }
        }
    }
}
