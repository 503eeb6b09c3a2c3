//! The ReplicaSet controller: keeps `spec.replicas` active pods matching the selector, creating
//! pods from the template (named `<rs>-<suffix>`) and deleting the least valuable ones first,
//! adopting orphans and releasing pods that stop matching, and reporting status.

use super::{owner_ref, owned_pods, pod_is_active, pod_is_ready, pod_ready_and_available, pod_ready_since, ClientRateLimiter, Cursor, CLIENT_WAKE_TOKENS};
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::{Api, DeleteOptions};
use crate::clock::Component;
use crate::selector::label_selector_matches;
use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeSet;

/// Most pods created or deleted per sync (kube-controller-manager's `burstReplicas`).
const BURST: usize = 500;

/// The ReplicaSet controller's state.
#[derive(Debug, Default, Clone)]
pub struct ReplicaSetController {
    cursor: Cursor,
    queue: BTreeSet<ObjectKey>,
    /// The controller's client rate limit on pod creations and deletions.
    limiter: ClientRateLimiter,
}

impl ReplicaSetController {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        !self.queue.is_empty() || self.cursor.behind(api)
    }

    /// One round over new events and timers.
    pub fn run(&mut self, api: &mut Api, woken: Vec<ObjectKey>) {
        let keys = self.cursor.collect(
            api,
            |e, out| match &*e.object {
                Object::ReplicaSet(_) => {
                    out.push(e.key.clone());
                    if e.event_type == crate::store::EventType::Added {
                        out.push(ObjectKey::new(Kind::Namespace, "", &e.key.namespace));
                    }
                }
                Object::Pod(p) => {
                    if let Some(k) = super::controller_key(&p.metadata, Kind::ReplicaSet) {
                        out.push(k);
                    } else if meta::controller_of(&p.metadata).is_none() && e.event_type != crate::store::EventType::Deleted {
                        // An orphan: any ReplicaSet in the namespace whose selector matches may adopt it.
                        let labels = p.metadata.labels.clone().unwrap_or_default();
                        if !labels.is_empty() {
                            out.push(ObjectKey::new(Kind::Namespace, "", meta::namespace(&p.metadata)));
                        }
                    }
                }
                _ => {}
            },
            |api| api.store.list(Kind::ReplicaSet).map(|o| ObjectKey::of(o)).collect(),
        );
        let mut adopt_ns = BTreeSet::new();
        for k in keys {
            if k.kind == Kind::Namespace {
                let rss: Vec<ObjectKey> = api.store.list_ns(Kind::ReplicaSet, &k.name).map(|o| ObjectKey::of(o)).collect();
                self.queue.extend(rss);
                adopt_ns.insert(k.name);
            } else {
                self.queue.insert(k);
            }
        }
        self.queue.extend(woken);
        for key in std::mem::take(&mut self.queue) {
            let adopt = adopt_ns.contains(&key.namespace);
            self.reconcile(api, &key, adopt);
        }
        self.cursor.0 = api.store.next_seq();
    }

    fn reconcile(&mut self, api: &mut Api, key: &ObjectKey, adopt: bool) {
        // The stored object, shared: the sync reads it and never writes it back whole.
        let Some(rs_obj) = api.store.get(key).cloned() else { return };
        let Object::ReplicaSet(rs) = &*rs_obj else { return };
        if rs.metadata.deletion_timestamp.is_some() {
            return;
        }
        let Some(spec) = rs.spec.as_ref() else { return };
        let uid = meta::uid(&rs.metadata);
        let ns = meta::namespace(&rs.metadata);
        let no_labels = Default::default();
        // Adopt orphans and release pods that no longer match.
        let orphans: Vec<Pod> = if !adopt { Vec::new() } else { api
            .store
            .list_ns(Kind::Pod, ns)
            .filter_map(|o| match &**o {
                Object::Pod(p) if meta::controller_of(&p.metadata).is_none() && pod_is_active(p) => Some(p.clone()),
                _ => None,
            })
            .filter(|p| label_selector_matches(&spec.selector, p.metadata.labels.as_ref().unwrap_or(&no_labels)))
            .collect() };
        for mut p in orphans {
            p.metadata.owner_references.get_or_insert_with(Vec::new).push(owner_ref(&rs_obj));
            api.store.put(Object::Pod(p));
        }
        let pods = owned_pods(api, uid);
        let mut active: Vec<std::sync::Arc<Object>> = Vec::new();
        for o in pods {
            let Some(p) = o.as_pod() else { continue };
            if !label_selector_matches(&spec.selector, p.metadata.labels.as_ref().unwrap_or(&no_labels)) {
                let mut released = p.clone();
                if let Some(refs) = released.metadata.owner_references.as_mut() {
                    refs.retain(|r| r.uid != uid);
                }
                api.store.put(Object::Pod(released));
                continue;
            }
            if pod_is_active(p) {
                active.push(o);
            }
        }
        let want = spec.replicas.unwrap_or(1).max(0) as usize;
        let now = api.clock.now_ms();
        if active.len() < want {
            let need = (want - active.len()).min(BURST);
            let n = self.limiter.take(now, need);
            if n < need {
                self.wake_for_tokens(api, key, need - n);
            }
            let template = spec.template.as_ref();
            let prefix = format!("{}-", meta::name(&rs.metadata));
            for _ in 0..n {
                let tmeta = template.and_then(|t| t.metadata.as_ref());
                let pod = Pod {
                    metadata: ObjectMeta {
                        generate_name: Some(prefix.clone()),
                        namespace: Some(ns.to_string()),
                        labels: tmeta.and_then(|m| m.labels.clone()),
                        annotations: tmeta.and_then(|m| m.annotations.clone()),
                        owner_references: Some(vec![owner_ref(&rs_obj)]),
                        ..Default::default()
                    },
                    spec: template.and_then(|t| t.spec.clone()),
                    status: None,
                };
                match api.create(Object::Pod(pod)) {
                    Ok(created) => {
                        let msg = format!("Created pod: {}", meta::name(created.metadata()));
                        api.record(&rs_obj, "Normal", "SuccessfulCreate", &msg, "replicaset-controller", None);
                    }
                    Err(e) => {
                        api.record(&rs_obj, "Warning", "FailedCreate", &format!("Error creating: {}", e), "replicaset-controller", None);
                        // Retry later (quota may free up, namespace may come back).
                        api.clock.wake_in(10_000, Component::ReplicaSet, key.clone());
                        break;
                    }
                }
            }
        } else if active.len() > want {
            let mut ranked: Vec<std::sync::Arc<Object>> = active.clone();
            ranked.sort_by_cached_key(|o| o.as_pod().map(|p| deletion_rank(p, now)));
            let need = (active.len() - want).min(BURST);
            let n = self.limiter.take(now, need);
            if n < need {
                self.wake_for_tokens(api, key, need - n);
            }
            for o in ranked.into_iter().take(n) {
                let k = ObjectKey::of(&o);
                if api.delete(&k, &DeleteOptions::default()).is_ok() {
                    let msg = format!("Deleted pod: {}", k.name);
                    api.record(&rs_obj, "Normal", "SuccessfulDelete", &msg, "replicaset-controller", None);
                }
            }
        }
        // As kube's `calculateStatus`, from the pods listed at the start of the sync: the pods
        // created or deleted now show up on the next sync, which their watch events trigger.
        self.update_status(api, key, &active, spec.min_ready_seconds.unwrap_or(0));
    }

    /// Wakes the ReplicaSet when a few of the `missing` tokens have come in.
    fn wake_for_tokens(&self, api: &mut Api, key: &ObjectKey, missing: usize) {
        let at = self.limiter.tokens_at(missing.min(CLIENT_WAKE_TOKENS));
        api.clock.wake_at(at, Component::ReplicaSet, key.clone());
    }

    fn update_status(&mut self, api: &mut Api, key: &ObjectKey, active: &[std::sync::Arc<Object>], min_ready: i32) {
        let now = api.clock.now_ms();
        let (mut ready, mut available) = (0, 0);
        for p in active.iter().filter_map(|o| o.as_pod()) {
            let (r, a) = pod_ready_and_available(p, min_ready, now);
            ready += r as i32;
            available += a as i32;
            if min_ready > 0 && r && !a {
                if let Some(since) = pod_ready_since(p) {
                    api.clock.wake_at(since + min_ready as u64 * 1000, Component::ReplicaSet, key.clone());
                }
            }
        }
        let Some(Object::ReplicaSet(rs)) = api.store.get(key).map(|o| &**o) else { return };
        let replicas = active.len() as i32;
        let old = rs.status.as_ref();
        let status = ReplicaSetStatus {
            replicas,
            fully_labeled_replicas: Some(replicas),
            ready_replicas: Some(ready),
            available_replicas: Some(available),
            observed_generation: rs.metadata.generation,
            conditions: old.and_then(|o| o.conditions.clone()),
        };
        if old != Some(&status) {
            let mut rs: ReplicaSet = rs.clone();
            rs.status = Some(status);
            api.store.put(Object::ReplicaSet(rs));
        }
    }
}

/// Rank for scale-down, lowest deleted first (Kubernetes' `ActivePodsWithRanks` order).
fn deletion_rank(p: &Pod, _now: u64) -> (u8, u8, u8, std::cmp::Reverse<u64>, std::cmp::Reverse<i32>, std::cmp::Reverse<String>) {
    let assigned = p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some() as u8;
    let phase = match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Pending") => 0,
        Some("Unknown") => 1,
        _ => 2,
    };
    let ready = pod_is_ready(p) as u8;
    let ready_since = pod_ready_since(p).unwrap_or(0);
    let restarts: i32 = p.status.as_ref().and_then(|s| s.container_statuses.as_ref()).map(|cs| cs.iter().map(|c| c.restart_count).sum()).unwrap_or(0);
    let created = p.metadata.creation_timestamp.as_ref().map(|t| t.0.to_rfc3339()).unwrap_or_default();
    (assigned, phase, ready, std::cmp::Reverse(ready_since), std::cmp::Reverse(restarts), std::cmp::Reverse(created))
}
