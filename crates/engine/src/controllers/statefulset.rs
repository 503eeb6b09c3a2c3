//! The StatefulSet controller, after Kubernetes' `pkg/controller/statefulset`: pods with stable
//! ordinal names (`web-0`, `web-1`, ...) and hostnames under the governing Service
//! (`hostname: web-0`, `subdomain: <serviceName>`), one PersistentVolumeClaim per pod and
//! claim template (`<template>-<set>-<ordinal>`) that outlives the pod, OrderedReady (one pod at a
//! time, each Running and Ready before the next; scale down from the highest ordinal) or
//! Parallel management, RollingUpdate with a partition (highest ordinal first, one at a time,
//! waiting for Ready) or OnDelete, the PVC retention policy, and status.
//!
//! Each template is kept as a ControllerRevision `<set>-<hash>` (see [`super::history`]), so pods
//! below the partition are recreated from the current revision's template; when that revision
//! is gone, the update revision is used. Old revisions beyond `revisionHistoryLimit` that no pod
//! runs are deleted.

use crate::vecmap::VecMap;
use crate::vecmap::VecSet;
use super::workload::{is_terminal, Timers};
use super::{owned_pods, owner_ref, pod_is_available, pod_is_ready, Cursor};
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::{Api, DeleteOptions};
use crate::clock::Component;
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, PodTemplateSpec, Volume};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::collections::BTreeSet;

/// Label with the pod's revision (`<set>-<hash>`).
pub const REVISION_LABEL: &str = "controller-revision-hash";
/// Label with the pod's name.
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// Label with the pod's ordinal.
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
const COMPONENT: &str = "statefulset-controller";

/// The StatefulSet controller's state.
#[derive(Debug, Default, Clone)]
pub struct StatefulSetController {
    cursor: Cursor,
    queue: BTreeSet<ObjectKey>,
    timers: Timers,
}

/// The revision name of a StatefulSet's current template (`<set>-<hash>`).
pub fn revision_name(set: &StatefulSet) -> String {
    format!("{}-{}", meta::name(&set.metadata), revision_hash(set))
}

/// The hash of a StatefulSet's current template.
pub fn revision_hash(set: &StatefulSet) -> String {
    let t = set.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default();
    super::deployment::template_hash(&t, Some(set.status.as_ref().and_then(|s| s.collision_count).unwrap_or(0)))
}

/// The ordinal of a pod of the set, from its name (`web-3` → 3).
pub fn ordinal(set_name: &str, pod_name: &str) -> Option<i32> {
    let rest = pod_name.strip_prefix(set_name)?.strip_prefix('-')?;
    if rest.is_empty() || (rest.len() > 1 && rest.starts_with('0')) {
        return None;
    }
    rest.parse().ok().filter(|o: &i32| *o >= 0)
}

/// The claim name for a template and pod (`www-web-0`).
pub fn claim_name(template: &str, set: &str, ordinal: i32) -> String {
    format!("{template}-{set}-{ordinal}")
}

fn running_and_ready(p: &Pod) -> bool {
    super::workload::phase(p) == "Running" && pod_is_ready(p)
}

impl StatefulSetController {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        !self.queue.is_empty() || self.cursor.behind(api)
    }

    /// One round over new events and timers.
    pub fn run(&mut self, api: &mut Api, woken: Vec<ObjectKey>) {
        self.timers.fired(api.clock.now_ms(), &woken);
        let keys = self.cursor.collect(
            api,
            |e, out| match &*e.object {
                Object::StatefulSet(_) => out.push(e.key.clone()),
                Object::Pod(p) => {
                    if let Some(k) = super::controller_key(&p.metadata, Kind::StatefulSet) {
                        out.push(k);
                    }
                }
                _ => {}
            },
            |api| api.store.list(Kind::StatefulSet).map(|o| ObjectKey::of(o)).collect(),
        );
        self.queue.extend(keys);
        self.queue.extend(woken);
        for key in std::mem::take(&mut self.queue) {
            self.reconcile(api, &key);
        }
        self.cursor.0 = api.store.next_seq();
    }

    fn reconcile(&mut self, api: &mut Api, key: &ObjectKey) {
        let Some(Object::StatefulSet(set)) = api.store.get(key).map(|o| (**o).clone()) else {
            self.timers.forget(key);
            return;
        };
        if set.metadata.deletion_timestamp.is_some() {
            return;
        }
        let Some(spec) = set.spec.clone() else { return };
        let uid = meta::uid(&set.metadata).to_string();
        let set_name = meta::name(&set.metadata).to_string();
        let set_obj = Object::StatefulSet(set.clone());
        let now = api.clock.now_ms();
        let min_ready = spec.min_ready_seconds.unwrap_or(0);
        let update_rev = revision_name(&set);
        super::history::ensure(api, &set_obj, &update_rev, &revision_hash(&set), &spec.template, super::history::HASH_LABEL);
        let revisions = super::history::owned_revisions(api, &uid);
        let template_of = |rev: &str| revisions.iter().find(|c| meta::name(&c.metadata) == rev).and_then(super::history::revision_template);
        let current_rev = set.status.as_ref().and_then(|s| s.current_revision.clone()).unwrap_or_else(|| update_rev.clone());
        let replicas = spec.replicas.unwrap_or(1).max(0);
        let start = spec.ordinals.as_ref().and_then(|o| o.start).unwrap_or(0).max(0);
        let parallel = spec.pod_management_policy.as_deref() == Some("Parallel");
        let strategy = spec.update_strategy.clone().unwrap_or_default();
        let rolling = strategy.type_.as_deref().unwrap_or("RollingUpdate") == "RollingUpdate";
        let partition = strategy.rolling_update.as_ref().and_then(|r| r.partition).unwrap_or(0).max(0);

        let mut pods: VecMap<i32, Pod> = VecMap::new();
        for o in owned_pods(api, &uid) {
            if let Some(p) = o.as_pod() {
                if let Some(i) = ordinal(&set_name, meta::name(&p.metadata)) {
                    pods.insert(i, p.clone());
                }
            }
        }
        let range = start..start + replicas;
        let revision_of = |p: &Pod| meta::label(&p.metadata, REVISION_LABEL).unwrap_or("").to_string();

        // Pods in range: create the missing, replace the finished, wait for the unready.
        let mut blocked = false;
        for ord in range.clone() {
            match pods.get(&ord) {
                None => {
                    if blocked && !parallel {
                        break;
                    }
                    let rev = if rolling && ord < start + partition { current_rev.clone() } else { update_rev.clone() };
                    let (rev, template) = match template_of(&rev) {
                        Some(t) if rev != update_rev => (rev, t),
                        _ => (update_rev.clone(), spec.template.clone()),
                    };
                    if !self.create_pod(api, &set, &set_obj, ord, &rev, &template) {
                        break;
                    }
                    if !parallel {
                        blocked = true;
                        break;
                    }
                }
                Some(p) => {
                    if p.metadata.deletion_timestamp.is_some() {
                        if !parallel {
                            blocked = true;
                            break;
                        }
                        continue;
                    }
                    if is_terminal(p) {
                        let (reason, what) = if super::workload::phase(p) == "Failed" { ("RecreatingFailedPod", "failed") } else { ("RecreatingTerminatedPod", "terminated") };
                        api.record(&set_obj, "Warning", reason, &format!("StatefulSet {}/{set_name} is recreating {what} Pod {}", meta::namespace(&set.metadata), meta::name(&p.metadata)), COMPONENT, None);
                        self.delete_pod(api, &set_obj, p);
                        if !parallel {
                            blocked = true;
                            break;
                        }
                        continue;
                    }
                    // Claims deleted by hand are created again.
                    self.ensure_claims(api, &set, &set_obj, ord);
                    if !running_and_ready(p) && !parallel {
                        blocked = true;
                        break;
                    }
                    if min_ready > 0 && pod_is_ready(p) && !pod_is_available(p, min_ready, now) {
                        if let Some(since) = super::pod_ready_since(p) {
                            self.timers.wake(api, Component::StatefulSet, key, since + min_ready as u64 * 1000);
                        }
                    }
                }
            }
        }

        // Condemned pods (outside the range) go, highest ordinal first.
        let condemned: Vec<(i32, Pod)> = pods.iter().rev().filter(|(o, _)| !range.contains(*o)).map(|(o, p)| (*o, p.clone())).collect();
        let unhealthy_in_range = range.clone().any(|o| pods.get(&o).is_none_or(|p| !running_and_ready(p) || p.metadata.deletion_timestamp.is_some()));
        if !blocked || parallel {
            for (_, p) in &condemned {
                if p.metadata.deletion_timestamp.is_some() {
                    if !parallel {
                        blocked = true;
                        break;
                    }
                    continue;
                }
                if !parallel && unhealthy_in_range && running_and_ready(p) {
                    // Wait for the rest of the set to be healthy before removing a healthy pod.
                    blocked = true;
                    break;
                }
                self.scale_down_claims(api, &set, p);
                self.delete_pod(api, &set_obj, p);
                if !parallel {
                    blocked = true;
                    break;
                }
            }
        }

        // Rolling update: highest ordinal first, one at a time, down to the partition.
        if rolling && !blocked && !unhealthy_in_range {
            for ord in range.clone().rev() {
                if ord < start + partition {
                    break;
                }
                let Some(p) = pods.get(&ord) else { break };
                if revision_of(p) != update_rev {
                    if p.metadata.deletion_timestamp.is_none() {
                        self.delete_pod(api, &set_obj, p);
                    }
                    break;
                }
                if !running_and_ready(p) {
                    break;
                }
            }
        }
        self.update_status(api, key, &current_rev, &update_rev, rolling, min_ready);
        // Old revisions no pod runs go beyond the history limit (`truncateHistory`).
        let mut live: VecSet<String> = [update_rev.clone()].into();
        if let Some(Object::StatefulSet(s)) = api.store.get(key).map(|o| (**o).clone()) {
            live.extend(s.status.and_then(|st| st.current_revision));
        }
        for o in owned_pods(api, &uid) {
            if let Some(r) = o.as_pod().and_then(|p| meta::label(&p.metadata, REVISION_LABEL)) {
                live.insert(r.to_string());
            }
        }
        super::history::truncate(api, &uid, &live, spec.revision_history_limit.unwrap_or(10));
    }

    fn create_pod(&mut self, api: &mut Api, set: &StatefulSet, set_obj: &Object, ord: i32, rev: &str, template: &PodTemplateSpec) -> bool {
        let set_name = meta::name(&set.metadata).to_string();
        let pod_name = format!("{set_name}-{ord}");
        if !self.ensure_claims(api, set, set_obj, ord) {
            return false;
        }
        let spec = set.spec.clone().unwrap_or_default();
        let tmeta = template.metadata.clone().unwrap_or_default();
        let mut labels = tmeta.labels.clone().unwrap_or_default();
        labels.insert(REVISION_LABEL.into(), rev.to_string());
        labels.insert(POD_NAME_LABEL.into(), pod_name.clone());
        labels.insert(POD_INDEX_LABEL.into(), ord.to_string());
        let mut pspec = template.spec.clone().unwrap_or_default();
        pspec.hostname = Some(pod_name.clone());
        if !spec.service_name.is_empty() {
            pspec.subdomain = Some(spec.service_name.clone());
        }
        for t in spec.volume_claim_templates.iter().flatten() {
            let tname = meta::name(&t.metadata).to_string();
            let vols = pspec.volumes.get_or_insert_with(Vec::new);
            vols.retain(|v| v.name != tname);
            vols.push(Volume {
                name: tname.clone(),
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource { claim_name: claim_name(&tname, &set_name, ord), read_only: None }),
                ..Default::default()
            });
        }
        let pod = Pod {
            metadata: ObjectMeta {
                name: Some(pod_name.clone()),
                namespace: set.metadata.namespace.clone(),
                labels: Some(labels),
                annotations: tmeta.annotations.clone(),
                owner_references: Some(vec![owner_ref(set_obj)]),
                ..Default::default()
            },
            spec: Some(pspec),
            status: None,
        };
        match api.create(Object::Pod(pod)) {
            Ok(_) => {
                api.record(set_obj, "Normal", "SuccessfulCreate", &format!("create Pod {pod_name} in StatefulSet {set_name} successful"), COMPONENT, None);
                true
            }
            Err(e) => {
                api.record(set_obj, "Warning", "FailedCreate", &format!("create Pod {pod_name} in StatefulSet {set_name} failed error: {e}"), COMPONENT, None);
                let key = ObjectKey::of(set_obj);
                let at = api.clock.now_ms() + 10_000;
                self.timers.wake(api, Component::StatefulSet, &key, at);
                false
            }
        }
    }

    /// Creates the pod's missing claims; returns whether all exist.
    fn ensure_claims(&mut self, api: &mut Api, set: &StatefulSet, set_obj: &Object, ord: i32) -> bool {
        let spec = set.spec.clone().unwrap_or_default();
        let set_name = meta::name(&set.metadata).to_string();
        let ns = meta::namespace(&set.metadata).to_string();
        let pod_name = format!("{set_name}-{ord}");
        let when_deleted = spec.persistent_volume_claim_retention_policy.as_ref().and_then(|r| r.when_deleted.clone()).unwrap_or_else(|| "Retain".into());
        let mut ok = true;
        for t in spec.volume_claim_templates.iter().flatten() {
            let name = claim_name(meta::name(&t.metadata), &set_name, ord);
            if api.store.get(&ObjectKey::new(Kind::PersistentVolumeClaim, &ns, &name)).is_some() {
                continue;
            }
            let mut labels = t.metadata.labels.clone().unwrap_or_default();
            for (k, v) in spec.selector.match_labels.iter().flatten() {
                labels.insert(k.clone(), v.clone());
            }
            let owners = (when_deleted == "Delete").then(|| {
                let mut r = owner_ref(set_obj);
                r.controller = Some(true);
                vec![r]
            });
            let claim = PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    namespace: Some(ns.clone()),
                    labels: Some(labels).filter(|l| !l.is_empty()),
                    annotations: t.metadata.annotations.clone(),
                    owner_references: owners,
                    ..Default::default()
                },
                spec: t.spec.clone(),
                status: None,
            };
            match api.create(Object::PersistentVolumeClaim(claim)) {
                Ok(_) => api.record(set_obj, "Normal", "SuccessfulCreate", &format!("create Claim {name} Pod {pod_name} in StatefulSet {set_name} success"), COMPONENT, None),
                Err(e) => {
                    api.record(set_obj, "Warning", "FailedCreate", &format!("create Claim {name} for Pod {pod_name} in StatefulSet {set_name} failed error: {e}"), COMPONENT, None);
                    ok = false;
                }
            }
        }
        ok
    }

    /// With `whenScaled: Delete`, a condemned pod's claims become owned by the pod so the garbage
    /// collector removes them with it.
    fn scale_down_claims(&mut self, api: &mut Api, set: &StatefulSet, p: &Pod) {
        let spec = set.spec.clone().unwrap_or_default();
        if spec.persistent_volume_claim_retention_policy.as_ref().and_then(|r| r.when_scaled.as_deref()) != Some("Delete") {
            return;
        }
        let set_name = meta::name(&set.metadata);
        let ns = meta::namespace(&set.metadata);
        let Some(ord) = ordinal(set_name, meta::name(&p.metadata)) else { return };
        for t in spec.volume_claim_templates.iter().flatten() {
            let k = ObjectKey::new(Kind::PersistentVolumeClaim, ns, &claim_name(meta::name(&t.metadata), set_name, ord));
            if let Some(Object::PersistentVolumeClaim(mut c)) = api.store.get(&k).map(|o| (**o).clone()) {
                let refs = c.metadata.owner_references.get_or_insert_with(Vec::new);
                if !refs.iter().any(|r| Some(&r.uid) == p.metadata.uid.as_ref()) {
                    refs.push(OwnerReference {
                        api_version: "v1".into(),
                        kind: "Pod".into(),
                        name: meta::name(&p.metadata).to_string(),
                        uid: meta::uid(&p.metadata).to_string(),
                        controller: Some(false),
                        block_owner_deletion: Some(true),
                    });
                    api.store.put(Object::PersistentVolumeClaim(c));
                }
            }
        }
    }

    fn delete_pod(&mut self, api: &mut Api, set_obj: &Object, p: &Pod) {
        let k = ObjectKey::new(Kind::Pod, meta::namespace(&p.metadata), meta::name(&p.metadata));
        if api.delete(&k, &DeleteOptions::default()).is_ok() {
            api.record(set_obj, "Normal", "SuccessfulDelete", &format!("delete Pod {} in StatefulSet {} successful", k.name, meta::name(set_obj.metadata())), COMPONENT, None);
        }
    }

    fn update_status(&mut self, api: &mut Api, key: &ObjectKey, current_rev: &str, update_rev: &str, rolling: bool, min_ready: i32) {
        let Some(Object::StatefulSet(set)) = api.store.get(key).map(|o| (**o).clone()) else { return };
        let now = api.clock.now_ms();
        let uid = meta::uid(&set.metadata).to_string();
        let set_name = meta::name(&set.metadata).to_string();
        let (mut replicas, mut ready, mut available, mut current, mut updated) = (0, 0, 0, 0, 0);
        for o in owned_pods(api, &uid) {
            let Some(p) = o.as_pod() else { continue };
            if ordinal(&set_name, meta::name(&p.metadata)).is_none() {
                continue;
            }
            replicas += 1;
            if running_and_ready(p) {
                ready += 1;
                if pod_is_available(p, min_ready, now) {
                    available += 1;
                }
            }
            if p.metadata.deletion_timestamp.is_none() {
                let rev = meta::label(&p.metadata, REVISION_LABEL).unwrap_or("");
                if rev == current_rev {
                    current += 1;
                }
                if rev == update_rev {
                    updated += 1;
                }
            }
        }
        let want = set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let mut current_revision = current_rev.to_string();
        // The rollout is complete once every replica is updated and ready.
        if current_rev != update_rev && updated == want && ready == want && (rolling || replicas == want) {
            current_revision = update_rev.to_string();
            current = updated;
        }
        let old = set.status.clone().unwrap_or_default();
        let status = StatefulSetStatus {
            available_replicas: Some(available),
            collision_count: Some(old.collision_count.unwrap_or(0)),
            conditions: old.conditions.clone(),
            current_replicas: Some(current).filter(|v| *v > 0),
            current_revision: Some(current_revision),
            observed_generation: set.metadata.generation,
            ready_replicas: Some(ready).filter(|v| *v > 0),
            replicas,
            update_revision: Some(update_rev.to_string()),
            updated_replicas: Some(updated).filter(|v| *v > 0),
        };
        if set.status.as_ref() != Some(&status) {
            let mut s = set;
            s.status = Some(status);
            api.store.put(Object::StatefulSet(s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_from_names() {
        assert_eq!(ordinal("web", "web-0"), Some(0));
        assert_eq!(ordinal("web", "web-12"), Some(12));
        assert_eq!(ordinal("web", "web-01"), None);
        assert_eq!(ordinal("web", "web-"), None);
        assert_eq!(ordinal("web", "web-x"), None);
        assert_eq!(ordinal("web", "webby-1"), None);
        assert_eq!(ordinal("my-web", "my-web-3"), Some(3));
        assert_eq!(claim_name("www", "web", 2), "www-web-2");
    }
}
