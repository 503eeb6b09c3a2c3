//! The DaemonSet controller, after Kubernetes' `pkg/controller/daemon`: one pod per eligible
//! node (nodeName, nodeSelector, required node affinity, and taints against the pod's
//! tolerations plus the DaemonSet's automatic ones), created through the default scheduler with
//! the node affinity `matchFields metadata.name In [node]`; follows nodes joining and leaving,
//! replaces failed daemon pods, rolls out template changes with RollingUpdate (maxUnavailable,
//! maxSurge) or OnDelete, and reports status.
//!
//! Pods carry `controller-revision-hash` and `pod-template-generation` labels. Each template is
//! kept in a ControllerRevision named `<ds>-<hash>` (see [`super::history`]; the hash is computed
//! from the template, FNV-32a, safe-encoded, with the collision count); old revisions beyond
//! `revisionHistoryLimit` that no pod runs are deleted.

use crate::vecmap::VecMap;
use crate::vecmap::VecSet;
use super::workload::{is_terminal, target_node, tolerated, Timers};
use super::{owned_pods, owner_ref, pod_is_available, pod_is_ready, Cursor};
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::{Api, DeleteOptions};
use crate::clock::Component;
use crate::util::int_or_percent;
use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetStatus};
use k8s_openapi::api::core::v1::{Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::{BTreeMap, BTreeSet};

/// Label with the template's revision hash.
pub const REVISION_LABEL: &str = "controller-revision-hash";
/// Label with the DaemonSet generation the pod was made from.
pub const GENERATION_LABEL: &str = "pod-template-generation";
const COMPONENT: &str = "daemonset-controller";
/// Delay before replacing a failed daemon pod again (first step of the back-off).
const FAILED_POD_BACKOFF_MS: u64 = 1_000;

/// The DaemonSet controller's state.
#[derive(Debug, Default, Clone)]
pub struct DaemonSetController {
    cursor: Cursor,
    queue: BTreeSet<ObjectKey>,
    timers: Timers,
    /// Failed-pod back-off per (DaemonSet uid, node): (next delay ms, not before ms).
    backoff: VecMap<(String, String), (u64, u64)>,
}

/// The tolerations every DaemonSet pod gets (`AddOrUpdateDaemonPodTolerations`).
pub fn daemon_tolerations(host_network: bool) -> Vec<Toleration> {
    let t = |key: &str, effect: &str| Toleration { key: Some(key.into()), operator: Some("Exists".into()), effect: Some(effect.into()), value: None, toleration_seconds: None };
    let mut v = vec![
        t("node.kubernetes.io/not-ready", "NoExecute"),
        t("node.kubernetes.io/unreachable", "NoExecute"),
        t("node.kubernetes.io/disk-pressure", "NoSchedule"),
        t("node.kubernetes.io/memory-pressure", "NoSchedule"),
        t("node.kubernetes.io/pid-pressure", "NoSchedule"),
        t("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if host_network {
        v.push(t("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    v
}

/// Adds the daemon tolerations to a pod spec, replacing any with the same key and effect.
fn add_daemon_tolerations(spec: &mut PodSpec) {
    let host = spec.host_network == Some(true);
    let tols = spec.tolerations.get_or_insert_with(Vec::new);
    for d in daemon_tolerations(host) {
        tols.retain(|t| !(t.key == d.key && t.effect == d.effect));
        tols.push(d);
    }
}

/// Replaces the pod's required node affinity with `matchFields metadata.name In [node]`
/// (`ReplaceDaemonSetPodNodeNameNodeAffinity`), keeping preferred terms.
fn pin_to_node(spec: &mut PodSpec, node: &str) {
    let aff = spec.affinity.get_or_insert_with(Affinity::default);
    let na = aff.node_affinity.get_or_insert_with(NodeAffinity::default);
    na.required_during_scheduling_ignored_during_execution = Some(NodeSelector {
        node_selector_terms: vec![NodeSelectorTerm {
            match_expressions: None,
            match_fields: Some(vec![NodeSelectorRequirement { key: "metadata.name".into(), operator: "In".into(), values: Some(vec![node.to_string()]) }]),
        }],
    });
}

/// Whether a DaemonSet pod should run on a node, and whether an existing one may keep running
/// (`NodeShouldRunDaemonPod`: untolerated NoSchedule taints stop new pods, NoExecute ones also
/// evict).
pub fn should_run(spec: &PodSpec, node: &Node) -> (bool, bool) {
    let name = meta::name(&node.metadata);
    if spec.node_name.as_deref().is_some_and(|n| !n.is_empty() && n != name) {
        return (false, false);
    }
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    if let Some(sel) = &spec.node_selector {
        if !sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return (false, false);
        }
    }
    if let Some(req) = spec.affinity.as_ref().and_then(|a| a.node_affinity.as_ref()).and_then(|n| n.required_during_scheduling_ignored_during_execution.as_ref()) {
        if !req.node_selector_terms.iter().any(|t| crate::scheduler::labels::node_selector_term_matches(t, name, labels)) {
            return (false, false);
        }
    }
    let mut tols = spec.tolerations.clone().unwrap_or_default();
    tols.extend(daemon_tolerations(spec.host_network == Some(true)));
    let mut run = true;
    for taint in node.spec.as_ref().and_then(|s| s.taints.as_ref()).into_iter().flatten() {
        if taint.effect == "PreferNoSchedule" || tolerated(&tols, taint) {
            continue;
        }
        run = false;
        if taint.effect == "NoExecute" {
            return (false, false);
        }
    }
    (run, true)
}

/// The revision hash of a DaemonSet's template (what `controller-revision-hash` holds).
pub fn revision_hash(ds: &DaemonSet) -> String {
    let t = ds.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default();
    super::deployment::template_hash(&t, ds.status.as_ref().and_then(|s| s.collision_count))
}

fn pod_key(p: &Pod) -> ObjectKey {
    ObjectKey::new(Kind::Pod, meta::namespace(&p.metadata), meta::name(&p.metadata))
}

impl DaemonSetController {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        !self.queue.is_empty() || self.cursor.behind(api)
    }

    /// One round over new events and timers.
    pub fn run(&mut self, api: &mut Api, woken: Vec<ObjectKey>) {
        self.timers.fired(api.clock.now_ms(), &woken);
        let mut all = false;
        let keys = self.cursor.collect(
            api,
            |e, out| match &*e.object {
                Object::DaemonSet(_) => out.push(e.key.clone()),
                Object::Pod(p) => {
                    if let Some(k) = super::controller_key(&p.metadata, Kind::DaemonSet) {
                        out.push(k);
                    }
                }
                Object::Node(_) => {
                    // Nodes joining, leaving, or changing labels, taints or conditions.
                    all = true;
                }
                _ => {}
            },
            |api| api.store.list(Kind::DaemonSet).map(|o| ObjectKey::of(o)).collect(),
        );
        if all {
            self.queue.extend(api.store.list(Kind::DaemonSet).map(|o| ObjectKey::of(o)));
        }
        self.queue.extend(keys);
        self.queue.extend(woken);
        for key in std::mem::take(&mut self.queue) {
            self.reconcile(api, &key);
        }
        self.cursor.0 = api.store.next_seq();
    }

    fn reconcile(&mut self, api: &mut Api, key: &ObjectKey) {
        let Some(Object::DaemonSet(ds)) = api.store.get(key).map(|o| (**o).clone()) else {
            self.timers.forget(key);
            return;
        };
        if ds.metadata.deletion_timestamp.is_some() {
            return;
        }
        let Some(spec) = ds.spec.clone() else { return };
        let uid = meta::uid(&ds.metadata).to_string();
        let ds_obj = Object::DaemonSet(ds.clone());
        let hash = revision_hash(&ds);
        let rev_name = format!("{}-{hash}", meta::name(&ds.metadata));
        super::history::ensure(api, &ds_obj, &rev_name, &hash, &spec.template, REVISION_LABEL);
        let generation = ds.metadata.generation.unwrap_or(1);
        let template_spec = spec.template.spec.clone().unwrap_or_default();
        let min_ready = spec.min_ready_seconds.unwrap_or(0);
        let now = api.clock.now_ms();

        let nodes: Vec<Node> = api.store.list(Kind::Node).filter_map(|o| match &**o {
            Object::Node(n) => Some(n.clone()),
            _ => None,
        }).collect();
        let node_names: VecSet<String> = VecSet::from_iter(nodes.iter().map(|n| meta::name(&n.metadata).to_string()));
        let mut on_nodes: Vec<(String, Pod)> = Vec::new();
        for o in owned_pods(api, &uid) {
            let Some(p) = o.as_pod() else { continue };
            if p.metadata.deletion_timestamp.is_some() {
                continue;
            }
            match target_node(p) {
                Some(n) => on_nodes.push((n, p.clone())),
                None => {
                    // A pod pinned nowhere cannot be a daemon pod: remove it.
                    self.delete_pod(api, &ds_obj, p);
                }
            }
        }
        let mut by_node = VecMap::grouped(on_nodes);
        // Pods on nodes that no longer exist go (the pod GC's job in Kubernetes).
        let gone: Vec<String> = by_node.keys().filter(|n| !node_names.contains(*n)).cloned().collect();
        for n in gone {
            for p in by_node.remove(&n).unwrap_or_default() {
                self.delete_pod(api, &ds_obj, &p);
            }
        }

        let strategy = spec.update_strategy.clone().unwrap_or_default();
        let rolling = strategy.type_.as_deref().unwrap_or("RollingUpdate") == "RollingUpdate";
        let ru = strategy.rolling_update.clone().unwrap_or_default();
        let is_new = |p: &Pod| meta::label(&p.metadata, REVISION_LABEL) == Some(hash.as_str());
        let mut desired = 0;
        let mut eligible: Vec<String> = Vec::new();
        let mut to_create: Vec<String> = Vec::new();
        for node in &nodes {
            let name = meta::name(&node.metadata).to_string();
            let (run, keep) = should_run(&template_spec, node);
            let mut pods = by_node.remove(&name).unwrap_or_default();
            if run {
                desired += 1;
                eligible.push(name.clone());
            }
            if !keep {
                for p in &pods {
                    self.delete_pod(api, &ds_obj, p);
                }
                continue;
            }
            // Failed daemon pods are killed and replaced (with a back-off per node).
            let (failed, alive): (Vec<Pod>, Vec<Pod>) = pods.drain(..).partition(is_terminal);
            let bk = (uid.clone(), name.clone());
            let mut blocked = false;
            for p in &failed {
                let msg = format!("Found failed daemon pod {}/{} on node {name}, will try to kill it", meta::namespace(&p.metadata), meta::name(&p.metadata));
                api.record(&ds_obj, "Warning", "FailedDaemonPod", &msg, COMPONENT, None);
                self.delete_pod(api, &ds_obj, p);
                let (delay, _) = self.backoff.get(&bk).copied().unwrap_or((FAILED_POD_BACKOFF_MS, 0));
                self.backoff.insert(bk.clone(), ((delay * 2).min(900_000), now + delay));
                blocked = true;
            }
            if let Some((_, not_before)) = self.backoff.get(&bk).copied() {
                if not_before > now {
                    blocked = true;
                    self.timers.wake(api, Component::DaemonSet, key, not_before);
                }
            }
            if !run {
                continue;
            }
            if alive.is_empty() {
                if !blocked {
                    to_create.push(name.clone());
                }
                continue;
            }
            // More than one pod on the node: keep the oldest (with surge, one old and one new).
            let mut alive = alive;
            crate::sort::sort_by_key(&mut alive, |p| (p.metadata.creation_timestamp.as_ref().map(|t| t.0), meta::name(&p.metadata).to_string()));
            let surge_enabled = rolling && int_or_percent(ru.max_surge.as_ref(), nodes.len() as i32, true, 0) > 0;
            let mut keep_set: Vec<&Pod> = Vec::new();
            if surge_enabled {
                if let Some(old) = alive.iter().find(|p| !is_new(p)) {
                    keep_set.push(old);
                }
                if let Some(new) = alive.iter().rev().find(|p| is_new(p)) {
                    keep_set.push(new);
                }
            } else if let Some(first) = alive.first() {
                keep_set.push(first);
            }
            let keep_names: VecSet<String> = VecSet::from_iter(keep_set.iter().map(|p| name_of(p)));
            for p in alive.iter().filter(|p| !keep_names.contains(&name_of(p))) {
                self.delete_pod(api, &ds_obj, p);
            }
            by_node.insert(name.clone(), alive.into_iter().filter(|p| keep_names.contains(&name_of(p))).collect());
        }
        for node in &to_create {
            self.create_pod(api, &ds, &ds_obj, node, &hash, generation);
        }

        // Rolling update.
        if rolling && !eligible.is_empty() {
            let total = desired;
            let max_surge = int_or_percent(ru.max_surge.as_ref(), total, true, 0).max(0);
            let mut max_unavailable = int_or_percent(ru.max_unavailable.as_ref(), total, true, 1).max(0);
            if max_surge == 0 && max_unavailable == 0 {
                max_unavailable = 1;
            }
            let available = |p: &Pod| pod_is_available(p, min_ready, now);
            if max_surge == 0 {
                let mut unavailable = 0;
                let mut old_available: Vec<&Pod> = Vec::new();
                let mut old_unavailable: Vec<&Pod> = Vec::new();
                for n in &eligible {
                    let pods = by_node.get(n).map(Vec::as_slice).unwrap_or(&[]);
                    match pods.first() {
                        None => unavailable += 1,
                        Some(p) => {
                            if !available(p) {
                                unavailable += 1;
                            }
                            if !is_new(p) {
                                if available(p) {
                                    old_available.push(p);
                                } else {
                                    old_unavailable.push(p);
                                }
                            }
                        }
                    }
                }
                let mut doomed: Vec<Pod> = old_unavailable.into_iter().cloned().collect();
                for p in old_available {
                    if unavailable >= max_unavailable {
                        break;
                    }
                    unavailable += 1;
                    doomed.push(p.clone());
                }
                for p in doomed {
                    self.delete_pod(api, &ds_obj, &p);
                }
            } else {
                let mut surging = 0;
                let mut allowed: Vec<String> = Vec::new();
                let mut candidates: Vec<String> = Vec::new();
                let mut doomed: Vec<Pod> = Vec::new();
                for n in &eligible {
                    let pods = by_node.get(n).cloned().unwrap_or_default();
                    let new = pods.iter().find(|p| is_new(p));
                    let old = pods.iter().find(|p| !is_new(p));
                    match (new, old) {
                        (None, None) => {}
                        (None, Some(o)) => {
                            if !available(o) {
                                allowed.push(n.clone());
                            } else if surging < max_surge {
                                surging += 1;
                                allowed.push(n.clone());
                            } else {
                                candidates.push(n.clone());
                            }
                        }
                        (Some(nw), Some(o)) => {
                            if !available(nw) {
                                surging += 1;
                            } else {
                                doomed.push(o.clone());
                            }
                        }
                        (Some(_), None) => {}
                    }
                }
                let room = (max_surge - surging).max(0) as usize;
                allowed.extend(candidates.into_iter().take(room));
                for n in allowed {
                    self.create_pod(api, &ds, &ds_obj, &n, &hash, generation);
                }
                for p in doomed {
                    self.delete_pod(api, &ds_obj, &p);
                }
            }
        }
        // Pods becoming available later need a look then.
        if min_ready > 0 {
            for pods in by_node.values() {
                for p in pods {
                    if pod_is_ready(p) && !pod_is_available(p, min_ready, now) {
                        if let Some(since) = super::pod_ready_since(p) {
                            self.timers.wake(api, Component::DaemonSet, key, since + min_ready as u64 * 1000);
                        }
                    }
                }
            }
        }
        self.update_status(api, key, &hash, &nodes, &template_spec, min_ready);
        // Old revisions no pod runs go beyond the history limit (`cleanupHistory`).
        let ds_name = meta::name(&ds.metadata);
        let mut live: VecSet<String> = [rev_name].into();
        for o in owned_pods(api, &uid) {
            if let Some(h) = o.as_pod().and_then(|p| meta::label(&p.metadata, REVISION_LABEL)) {
                live.insert(format!("{ds_name}-{h}"));
            }
        }
        super::history::truncate(api, &uid, &live, spec.revision_history_limit.unwrap_or(10));
    }

    fn create_pod(&mut self, api: &mut Api, ds: &DaemonSet, ds_obj: &Object, node: &str, hash: &str, generation: i64) {
        if create_daemon_pod(api, ds, ds_obj, node, hash, generation).is_err() {
            let key = ObjectKey::of(ds_obj);
            let at = api.clock.now_ms() + 10_000;
            self.timers.wake(api, Component::DaemonSet, &key, at);
        }
    }

    fn delete_pod(&mut self, api: &mut Api, ds_obj: &Object, p: &Pod) {
        let k = pod_key(p);
        if api.delete(&k, &DeleteOptions::default()).is_ok() {
            api.record(ds_obj, "Normal", "SuccessfulDelete", &format!("Deleted pod: {}", k.name), COMPONENT, None);
        }
    }

    fn update_status(&mut self, api: &mut Api, key: &ObjectKey, hash: &str, nodes: &[Node], template: &PodSpec, min_ready: i32) {
        let Some(Object::DaemonSet(ds)) = api.store.get(key).map(|o| (**o).clone()) else { return };
        let now = api.clock.now_ms();
        let uid = meta::uid(&ds.metadata).to_string();
        let mut on_nodes: Vec<(String, Pod)> = Vec::new();
        for o in owned_pods(api, &uid) {
            if let Some(p) = o.as_pod() {
                if p.metadata.deletion_timestamp.is_none() {
                    if let Some(n) = target_node(p) {
                        on_nodes.push((n, p.clone()));
                    }
                }
            }
        }
        let by_node = VecMap::grouped(on_nodes);
        let (mut desired, mut current, mut misscheduled, mut ready, mut available, mut updated) = (0, 0, 0, 0, 0, 0);
        for node in nodes {
            let name = meta::name(&node.metadata);
            let (run, _) = should_run(template, node);
            let pods = by_node.get(name).map(Vec::as_slice).unwrap_or(&[]);
            if run {
                desired += 1;
                if let Some(p) = pods.iter().min_by_key(|p| p.metadata.creation_timestamp.as_ref().map(|t| t.0)) {
                    current += 1;
                    if pod_is_ready(p) {
                        ready += 1;
                        if pod_is_available(p, min_ready, now) {
                            available += 1;
                        }
                    }
                }
                if pods.iter().any(|p| meta::label(&p.metadata, REVISION_LABEL) == Some(hash)) {
                    updated += 1;
                }
            } else if !pods.is_empty() {
                misscheduled += 1;
            }
        }
        let old = ds.status.clone().unwrap_or_default();
        let status = DaemonSetStatus {
            collision_count: old.collision_count,
            conditions: old.conditions.clone(),
            current_number_scheduled: current,
            desired_number_scheduled: desired,
            number_available: Some(available).filter(|v| *v > 0),
            number_misscheduled: misscheduled,
            number_ready: ready,
            number_unavailable: Some(desired - available).filter(|v| *v > 0),
            observed_generation: ds.metadata.generation,
            updated_number_scheduled: Some(updated).filter(|v| *v > 0),
        };
        if ds.status.as_ref() != Some(&status) {
            let mut ds = ds;
            ds.status = Some(status);
            api.store.put(Object::DaemonSet(ds));
        }
    }
}

fn name_of(p: &Pod) -> String {
    meta::name(&p.metadata).to_string()
}

/// Creates one daemon pod for `node` from the DaemonSet's template (revision labels, daemon
/// tolerations, pinned to the node by affinity) and records `SuccessfulCreate` or `FailedCreate`.
fn create_daemon_pod(api: &mut Api, ds: &DaemonSet, ds_obj: &Object, node: &str, hash: &str, generation: i64) -> Result<(), crate::api::ApiError> {
    let spec = ds.spec.clone().unwrap_or_default();
    let tmeta = spec.template.metadata.clone().unwrap_or_default();
    let mut labels = tmeta.labels.clone().unwrap_or_default();
    labels.insert(REVISION_LABEL.into(), hash.to_string());
    labels.insert(GENERATION_LABEL.into(), generation.to_string());
    let mut pspec = spec.template.spec.clone().unwrap_or_default();
    add_daemon_tolerations(&mut pspec);
    pin_to_node(&mut pspec, node);
    let pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", meta::name(&ds.metadata))),
            namespace: ds.metadata.namespace.clone(),
            labels: Some(labels),
            annotations: tmeta.annotations.clone(),
            owner_references: Some(vec![owner_ref(ds_obj)]),
            ..Default::default()
        },
        spec: Some(pspec),
        status: None,
    };
    match api.create(Object::Pod(pod)) {
        Ok(created) => {
            api.record(ds_obj, "Normal", "SuccessfulCreate", &format!("Created pod: {}", meta::name(created.metadata())), COMPONENT, None);
            Ok(())
        }
        Err(e) => {
            api.record(ds_obj, "Warning", "FailedCreate", &format!("Error creating: {e}"), COMPONENT, None);
            Err(e)
        }
    }
}

/// Creates, right away, the daemon pods every DaemonSet wants on a node that just joined — what
/// the controller does on its next round; the bootstrap calls it while adding nodes so that
/// pod names come out of the seeded RNG in the order `minikube start` has always used.
pub fn create_daemon_pods_for_node(api: &mut Api, node: &str) {
    let Some(Object::Node(n)) = api.store.get(&ObjectKey::new(Kind::Node, "", node)).map(|o| (**o).clone()) else { return };
    let sets: Vec<DaemonSet> = api.store.list(Kind::DaemonSet).filter_map(|o| match &**o {
        Object::DaemonSet(d) if d.metadata.deletion_timestamp.is_none() => Some(d.clone()),
        _ => None,
    }).collect();
    for ds in sets {
        let Some(spec) = ds.spec.as_ref() else { continue };
        if !should_run(spec.template.spec.as_ref().unwrap_or(&PodSpec::default()), &n).0 {
            continue;
        }
        let uid = meta::uid(&ds.metadata).to_string();
        let has = owned_pods(api, &uid).iter().filter_map(|o| o.as_pod()).any(|p| p.metadata.deletion_timestamp.is_none() && target_node(p).as_deref() == Some(node));
        if has {
            continue;
        }
        let hash = revision_hash(&ds);
        let generation = ds.metadata.generation.unwrap_or(1);
        let _ = create_daemon_pod(api, &ds, &Object::DaemonSet(ds.clone()), node, &hash, generation);
    }
}
