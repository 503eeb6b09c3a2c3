//! The Deployment controller, after Kubernetes' `pkg/controller/deployment`: finds or creates the
//! ReplicaSet for the current template (`<name>-<pod-template-hash>`), rolls out with
//! RollingUpdate (maxSurge rounded up, maxUnavailable rounded down) or Recreate, scales
//! proportionally during a rollout, keeps `revisionHistoryLimit` old ReplicaSets, honours pause,
//! minReadySeconds and progressDeadlineSeconds, and reports status and conditions.

use super::{owner_ref, owned_pods, pod_is_active, Cursor};
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::{Api, DeleteOptions};
use crate::clock::Component;
use crate::util::{fnv32a, int_or_percent, safe_encode};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use std::collections::BTreeSet;

/// Annotation holding a ReplicaSet's (and the Deployment's) revision.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// Annotation holding the revisions a ReplicaSet had before (after rollbacks).
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
/// The label that ties pods to their template.
pub const HASH_LABEL: &str = "pod-template-hash";

/// Annotations a ReplicaSet does not inherit from its Deployment (`skipCopyAnnotation`); all the
/// others, such as `kubernetes.io/change-cause`, are copied to the new ReplicaSet.
fn skip_copy_annotation(k: &str) -> bool {
    [REVISION, REVISION_HISTORY, DESIRED, MAX_REPLICAS, "kubectl.kubernetes.io/last-applied-configuration", "deprecated.deployment.rollback.to"].contains(&k)
}

/// The Deployment controller's state.
#[derive(Debug, Default, Clone)]
pub struct DeploymentController {
    cursor: Cursor,
    queue: BTreeSet<ObjectKey>,
}

/// Computes the pod-template-hash of a template (FNV-32a, safe-encoded, as Kubernetes names it).
pub fn template_hash(t: &PodTemplateSpec, collision: Option<i32>) -> String {
    let mut t = t.clone();
    if let Some(l) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        l.remove(HASH_LABEL);
    }
    let mut data = serde_json::to_vec(&crate::apiserver::sort_json(&crate::api::to_json(&t))).unwrap_or_default();
    if let Some(c) = collision {
        data.extend_from_slice(c.to_string().as_bytes());
    }
    safe_encode(&fnv32a(&data).to_string())
}

/// Two templates are equal ignoring the pod-template-hash label.
pub fn templates_equal(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    let strip = |t: &PodTemplateSpec| {
        let mut t = t.clone();
        if let Some(l) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
            l.remove(HASH_LABEL);
        }
        let mut v = crate::api::to_json(&t);
        crate::api::quantity::normalize_quantities(&mut v);
        v
    };
    strip(a) == strip(b)
}

fn revision_of(rs: &ReplicaSet) -> i64 {
    meta::annotation(&rs.metadata, REVISION).and_then(|r| r.parse().ok()).unwrap_or(0)
}

fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}

impl DeploymentController {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        !self.queue.is_empty() || self.cursor.behind(api)
    }

    /// One round over new events and timers.
    pub fn run(&mut self, api: &mut Api, woken: Vec<ObjectKey>) {
        let keys = self.cursor.collect(
            api,
            |e, out| match &*e.object {
                Object::Deployment(_) => out.push(e.key.clone()),
                Object::ReplicaSet(rs) => {
                    if let Some(k) = super::controller_key(&rs.metadata, Kind::Deployment) {
                        out.push(k);
                    }
                }
                Object::Pod(p) if e.event_type == crate::store::EventType::Deleted => {
                    // Recreate waits for old pods to be gone.
                    if let Some(o) = meta::controller_of(&p.metadata) {
                        if o.kind == "ReplicaSet" {
                            if let Some(Object::ReplicaSet(rs)) = api.store.get(&ObjectKey::new(Kind::ReplicaSet, &e.key.namespace, &o.name)).map(|o| &**o) {
                                if let Some(k) = super::controller_key(&rs.metadata, Kind::Deployment) {
                                    out.push(k);
                                }
                            }
                        }
                    }
                }
                _ => {}
            },
            |api| api.store.list(Kind::Deployment).map(|o| ObjectKey::of(o)).collect(),
        );
        self.queue.extend(keys);
        self.queue.extend(woken);
        for key in std::mem::take(&mut self.queue) {
            self.reconcile(api, &key);
        }
        self.cursor.0 = api.store.next_seq();
    }

    fn owned_rs(api: &Api, d: &Deployment) -> Vec<ReplicaSet> {
        let uid = meta::uid(&d.metadata);
        let mut v: Vec<ReplicaSet> = api
            .store
            .dependents(uid)
            .filter(|k| k.kind == Kind::ReplicaSet)
            .filter_map(|k| match api.store.get(k).map(|o| &**o) {
                Some(Object::ReplicaSet(rs)) if meta::controller_of(&rs.metadata).is_some_and(|o| o.uid == uid) => Some(rs.clone()),
                _ => None,
            })
            .collect();
        crate::sort::sort_by(&mut v, |a, b| (a.metadata.creation_timestamp.as_ref().map(|t| t.0), meta::name(&a.metadata)).cmp(&(b.metadata.creation_timestamp.as_ref().map(|t| t.0), meta::name(&b.metadata))));
        v
    }

    fn reconcile(&mut self, api: &mut Api, key: &ObjectKey) {
        let Some(Object::Deployment(d)) = api.store.get(key).map(|o| (**o).clone()) else { return };
        if d.metadata.deletion_timestamp.is_some() {
            return;
        }
        let Some(spec) = d.spec.clone() else { return };
        let d_obj = Object::Deployment(d.clone());
        let mut all = Self::owned_rs(api, &d);
        let new_idx = all.iter().position(|rs| rs.spec.as_ref().and_then(|s| s.template.as_ref()).is_some_and(|t| templates_equal(t, &spec.template)));
        let max_old_rev = all.iter().enumerate().filter(|(i, _)| Some(*i) != new_idx).map(|(_, rs)| revision_of(rs)).max().unwrap_or(0);
        let replicas = spec.replicas.unwrap_or(1);
        let strategy = spec.strategy.clone().unwrap_or_default();
        let recreate = strategy.type_.as_deref() == Some("Recreate");
        let ru = strategy.rolling_update.clone().unwrap_or_default();
        let (mut surge, mut unavailable) = if recreate {
            (0, 0)
        } else {
            (
                int_or_percent(ru.max_surge.as_ref(), replicas, true, 0),
                int_or_percent(ru.max_unavailable.as_ref(), replicas, false, 0),
            )
        };
        if !recreate && surge == 0 && unavailable == 0 {
            unavailable = 1;
        }
        surge = surge.max(0);
        let paused = spec.paused == Some(true);
        let mut new_rs_created = false;

        // Find or create the new ReplicaSet and sync its revision.
        let new_rs: Option<ReplicaSet> = match new_idx {
            Some(i) => {
                let mut rs = all[i].clone();
                let want_rev = if revision_of(&rs) <= max_old_rev { max_old_rev + 1 } else { revision_of(&rs) };
                let mut changed = false;
                let ann = rs.metadata.annotations.get_or_insert_with(Default::default);
                let old_rev = ann.get(REVISION).cloned().unwrap_or_default();
                if old_rev != want_rev.to_string() && !paused {
                    if !old_rev.is_empty() {
                        let mut hist: Vec<String> = ann.get(REVISION_HISTORY).map(|h| h.split(',').map(str::to_string).collect()).unwrap_or_default();
                        hist.push(old_rev);
                        ann.insert(REVISION_HISTORY.into(), hist.join(","));
                    }
                    ann.insert(REVISION.into(), want_rev.to_string());
                    changed = true;
                }
                for (k, v) in [(DESIRED, replicas), (MAX_REPLICAS, replicas + surge)] {
                    if ann.get(k) != Some(&v.to_string()) && !paused {
                        ann.insert(k.into(), v.to_string());
                        changed = true;
                    }
                }
                for (k, v) in d.metadata.annotations.iter().flatten().filter(|(k, _)| !skip_copy_annotation(k)) {
                    if ann.get(k) != Some(v) {
                        ann.insert(k.clone(), v.clone());
                        changed = true;
                    }
                }
                if changed {
                    if let Ok(o) = api.write(Object::ReplicaSet(rs.clone())) {
                        if let Object::ReplicaSet(r) = &*o {
                            rs = r.clone();
                            all[i] = r.clone();
                        }
                    }
                }
                Some(rs)
            }
            None if paused => None,
            None => {
                let hash = template_hash(&spec.template, d.status.as_ref().and_then(|s| s.collision_count));
                let mut template = spec.template.clone();
                template.metadata.get_or_insert_with(Default::default).labels.get_or_insert_with(Default::default).insert(HASH_LABEL.into(), hash.clone());
                let mut selector = spec.selector.clone();
                selector.match_labels.get_or_insert_with(Default::default).insert(HASH_LABEL.into(), hash.clone());
                let mut labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
                labels.insert(HASH_LABEL.into(), hash.clone());
                let rev = max_old_rev + 1;
                let mut annotations: std::collections::BTreeMap<String, String> =
                    crate::sort::btree_map(d.metadata.annotations.iter().flatten().filter(|(k, _)| !skip_copy_annotation(k)).map(|(k, v)| (k.clone(), v.clone())));
                annotations.insert(DESIRED.to_string(), replicas.to_string());
                annotations.insert(MAX_REPLICAS.to_string(), (replicas + surge).to_string());
                annotations.insert(REVISION.to_string(), rev.to_string());
                // Scale the new RS up right away as far as the surge allows.
                let current: i32 = all.iter().map(rs_replicas).sum();
                let start = if recreate {
                    0
                } else if all.is_empty() {
                    replicas
                } else {
                    (replicas + surge - current).clamp(0, replicas)
                };
                let rs = ReplicaSet {
                    metadata: ObjectMeta {
                        name: Some(format!("{}-{hash}", meta::name(&d.metadata))),
                        namespace: d.metadata.namespace.clone(),
                        labels: Some(labels),
                        annotations: Some(annotations),
                        owner_references: Some(vec![owner_ref(&d_obj)]),
                        ..Default::default()
                    },
                    spec: Some(ReplicaSetSpec { replicas: Some(start), min_ready_seconds: spec.min_ready_seconds, selector, template: Some(template) }),
                    status: None,
                };
                match api.create(Object::ReplicaSet(rs)) {
                    Ok(o) => {
                        let Object::ReplicaSet(rs) = (*o).clone() else { return };
                        if start > 0 {
                            api.record(&d_obj, "Normal", "ScalingReplicaSet", &format!("Scaled up replica set {} from 0 to {start}", meta::name(&rs.metadata)), "deployment-controller", None);
                        }
                        new_rs_created = true;
                        all.push(rs.clone());
                        Some(rs)
                    }
                    Err(crate::api::ApiError::AlreadyExists { .. }) => {
                        // Hash collision: bump collisionCount and try again next round.
                        let mut d2 = d.clone();
                        let st = d2.status.get_or_insert_with(Default::default);
                        st.collision_count = Some(st.collision_count.unwrap_or(0) + 1);
                        let _ = api.update_status(Object::Deployment(d2));
                        return;
                    }
                    Err(_) => return,
                }
            }
        };
        let new_name = new_rs.as_ref().map(|r| meta::name(&r.metadata).to_string());
        let mut olds: Vec<ReplicaSet> = all.iter().filter(|rs| Some(meta::name(&rs.metadata).to_string()) != new_name).cloned().collect();
        let mut new_rs = new_rs;

        if paused {
            self.scale_only(api, &d_obj, replicas, surge, new_rs.as_mut(), &mut olds);
        } else if recreate {
            // Scale all old ReplicaSets down, wait for their pods to go, then scale the new one up.
            let mut scaled = false;
            for rs in olds.iter_mut() {
                if rs_replicas(rs) > 0 {
                    scale(api, &d_obj, rs, 0, replicas, surge);
                    scaled = true;
                }
            }
            let old_pods_left = olds.iter().any(|rs| owned_pods(api, meta::uid(&rs.metadata)).iter().filter_map(|o| o.as_pod()).any(|p| p.metadata.deletion_timestamp.is_some() || pod_is_active(p)));
            if !scaled && !old_pods_left {
                if let Some(n) = new_rs.as_mut() {
                    if rs_replicas(n) != replicas {
                        scale(api, &d_obj, n, replicas, replicas, surge);
                    }
                }
            }
        } else if self.is_scaling_event(new_rs.as_ref(), &olds, replicas) && !new_rs_created {
            self.scale_only(api, &d_obj, replicas, surge, new_rs.as_mut(), &mut olds);
        } else if let Some(n) = new_rs.as_mut() {
            // reconcileNewReplicaSet
            let cur_new = rs_replicas(n);
            if cur_new > replicas {
                scale(api, &d_obj, n, replicas, replicas, surge);
            } else if cur_new < replicas {
                let current: i32 = olds.iter().map(rs_replicas).sum::<i32>() + cur_new;
                let max_total = replicas + surge;
                if current < max_total {
                    let up = (max_total - current).min(replicas - cur_new);
                    scale(api, &d_obj, n, cur_new + up, replicas, surge);
                }
            }
            // reconcileOldReplicaSets
            let old_count: i32 = olds.iter().map(rs_replicas).sum();
            if old_count > 0 {
                let all_count: i32 = old_count + rs_replicas(n);
                let min_available = replicas - unavailable;
                let new_unavailable = rs_replicas(n) - rs_available(n);
                let max_scaled_down = all_count - min_available - new_unavailable;
                if max_scaled_down > 0 {
                    // Clean up unhealthy replicas in old ReplicaSets first.
                    let mut budget = max_scaled_down;
                    crate::sort::sort_by_key(&mut olds, |rs| rs.metadata.creation_timestamp.as_ref().map(|t| t.0));
                    let mut cleaned = 0;
                    for rs in olds.iter_mut() {
                        if budget <= 0 {
                            break;
                        }
                        let r = rs_replicas(rs);
                        let unhealthy = r - rs_available(rs);
                        if r == 0 || unhealthy <= 0 {
                            continue;
                        }
                        let down = unhealthy.min(budget);
                        scale(api, &d_obj, rs, r - down, replicas, surge);
                        budget -= down;
                        cleaned += down;
                    }
                    // Then scale down healthy old replicas as availability allows.
                    let all_rs: Vec<&ReplicaSet> = olds.iter().chain(std::iter::once(&*n)).collect();
                    let available: i32 = all_rs.iter().map(|rs| rs_available(rs)).sum();
                    if available > min_available {
                        let mut total = (available - min_available).min(max_scaled_down - cleaned);
                        for rs in olds.iter_mut() {
                            if total <= 0 {
                                break;
                            }
                            let r = rs_replicas(rs);
                            if r == 0 {
                                continue;
                            }
                            let down = r.min(total);
                            scale(api, &d_obj, rs, r - down, replicas, surge);
                            total -= down;
                        }
                    }
                }
            }
        }
        // Clean up old ReplicaSets beyond the history limit.
        if let Some(limit) = spec.revision_history_limit {
            let mut dead: Vec<&ReplicaSet> = olds.iter().filter(|rs| rs_replicas(rs) == 0 && rs.status.as_ref().map(|s| s.replicas).unwrap_or(0) == 0).collect();
            crate::sort::sort_by_key(&mut dead, |rs| revision_of(rs));
            let extra = dead.len().saturating_sub(limit.max(0) as usize);
            for rs in dead.into_iter().take(extra) {
                let _ = api.delete(&ObjectKey::new(Kind::ReplicaSet, meta::namespace(&rs.metadata), meta::name(&rs.metadata)), &DeleteOptions::default());
            }
        }
        self.sync_status(api, key, replicas, unavailable, new_name.as_deref(), new_rs_created);
    }

    fn is_scaling_event(&self, new_rs: Option<&ReplicaSet>, olds: &[ReplicaSet], replicas: i32) -> bool {
        let active: Vec<&ReplicaSet> = new_rs.into_iter().chain(olds.iter()).filter(|rs| rs_replicas(rs) > 0).collect();
        active.iter().any(|rs| meta::annotation(&rs.metadata, DESIRED).and_then(|v| v.parse::<i32>().ok()).is_some_and(|d| d != replicas))
    }

    /// Scales the active ReplicaSets to a new size, proportionally when several are active.
    fn scale_only(&mut self, api: &mut Api, d: &Object, replicas: i32, surge: i32, new_rs: Option<&mut ReplicaSet>, olds: &mut [ReplicaSet]) {
        let mut all: Vec<&mut ReplicaSet> = new_rs.into_iter().chain(olds.iter_mut()).collect();
        let active: usize = all.iter().filter(|rs| rs_replicas(rs) > 0).count();
        if active <= 1 {
            let target = all.iter().position(|rs| rs_replicas(rs) > 0).unwrap_or(0);
            if let Some(rs) = all.get_mut(target) {
                if rs_replicas(rs) != replicas || meta::annotation(&rs.metadata, DESIRED) != Some(&replicas.to_string()) {
                    scale(api, d, rs, replicas, replicas, surge);
                }
            }
            return;
        }
        let allowed = replicas + surge;
        let current: i32 = all.iter().map(|rs| rs_replicas(rs)).sum();
        let to_add = allowed - current;
        if to_add == 0 {
            return;
        }
        // Larger ReplicaSets first for scale-up, smaller first for scale-down (newer first on ties).
        crate::sort::sort_by(&mut all, |a, b| {
            let (ra, rb) = (rs_replicas(a), rs_replicas(b));
            if to_add > 0 { rb.cmp(&ra) } else { ra.cmp(&rb) }
        });
        let mut added = 0;
        let mut news: Vec<i32> = Vec::new();
        for rs in all.iter() {
            let r = rs_replicas(rs);
            let desired = meta::annotation(&rs.metadata, DESIRED).and_then(|v| v.parse::<i32>().ok()).unwrap_or(r).max(1);
            let frac = if r == 0 { 0 } else { ((r as f64 * allowed as f64 / desired as f64).round() as i32) - r };
            let frac = if to_add > 0 { frac.min(to_add - added).max(0) } else { frac.max(to_add - added).min(0) };
            added += frac;
            news.push(r + frac);
        }
        if added != to_add {
            if let Some(first) = news.first_mut() {
                *first = (*first + to_add - added).max(0);
            }
        }
        for (rs, n) in all.into_iter().zip(news) {
            if rs_replicas(rs) != n || meta::annotation(&rs.metadata, DESIRED) != Some(&replicas.to_string()) {
                scale(api, d, rs, n, replicas, surge);
            }
        }
    }

    fn sync_status(&mut self, api: &mut Api, key: &ObjectKey, replicas: i32, max_unavailable: i32, new_name: Option<&str>, created: bool) {
        let Some(Object::Deployment(d)) = api.store.get(key).map(|o| (**o).clone()) else { return };
        let all = Self::owned_rs(api, &d);
        let sum = |f: &dyn Fn(&ReplicaSet) -> i32| all.iter().map(f).sum::<i32>();
        let total = sum(&|rs| rs.status.as_ref().map(|s| s.replicas).unwrap_or(0));
        let ready = sum(&|rs| rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0));
        let available = sum(&|rs| rs_available(rs));
        let new_rs = all.iter().find(|rs| Some(meta::name(&rs.metadata)) == new_name);
        let updated = new_rs.and_then(|rs| rs.status.as_ref()).map(|s| s.replicas).unwrap_or(0);
        let now = Time(api.clock.now_secs());
        let old = d.status.clone().unwrap_or_default();
        let mut conds: Vec<DeploymentCondition> = old.conditions.clone().unwrap_or_default();
        let set = |conds: &mut Vec<DeploymentCondition>, ty: &str, status: &str, reason: &str, message: String, now: &Time| {
            match conds.iter_mut().find(|c| c.type_ == ty) {
                Some(c) => {
                    if c.status != status {
                        c.last_transition_time = Some(now.clone());
                    }
                    if c.status != status || c.reason.as_deref() != Some(reason) || c.message.as_deref() != Some(message.as_str()) {
                        c.last_update_time = Some(now.clone());
                    }
                    if c.reason.as_deref() == Some(reason) && c.status == status && reason == "NewReplicaSetAvailable" {
                        // keep timestamps
                    }
                    c.status = status.into();
                    c.reason = Some(reason.into());
                    c.message = Some(message);
                }
                None => conds.push(DeploymentCondition {
                    type_: ty.into(),
                    status: status.into(),
                    reason: Some(reason.into()),
                    message: Some(message),
                    last_update_time: Some(now.clone()),
                    last_transition_time: Some(now.clone()),
                }),
            }
        };
        if available >= replicas - max_unavailable {
            set(&mut conds, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.".into(), &now);
        } else {
            set(&mut conds, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.".into(), &now);
        }
        let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
        let deadline = d.spec.as_ref().and_then(|s| s.progress_deadline_seconds).unwrap_or(600);
        let olds_active = all.iter().filter(|rs| Some(meta::name(&rs.metadata)) != new_name).any(|rs| rs.status.as_ref().map(|s| s.replicas).unwrap_or(0) > 0);
        let complete = updated == replicas && available == replicas && total == replicas && !olds_active && new_rs.is_some_and(|rs| rs_available(rs) == replicas);
        if let Some(name) = new_name {
            let progressing = conds.iter().find(|c| c.type_ == "Progressing").cloned();
            if paused {
                set(&mut conds, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused".into(), &now);
            } else if complete {
                set(&mut conds, "Progressing", "True", "NewReplicaSetAvailable", format!("ReplicaSet \"{name}\" has successfully progressed."), &now);
            } else if created {
                set(&mut conds, "Progressing", "True", "NewReplicaSetCreated", format!("Created new replica set \"{name}\""), &now);
            } else {
                // Progress is any change in the status counters; no progress past the deadline fails.
                let progressed = old.replicas.unwrap_or(0) != total || old.updated_replicas.unwrap_or(0) != updated || old.ready_replicas.unwrap_or(0) != ready || old.available_replicas.unwrap_or(0) != available;
                let last = progressing.as_ref().and_then(|c| c.last_update_time.as_ref()).map(|t| t.0);
                let stalled = last.is_some_and(|t| (api.clock.now_secs() - t).num_seconds() > deadline as i64);
                if progressed || progressing.is_none() || progressing.as_ref().and_then(|c| c.reason.as_deref()) == Some("DeploymentPaused") {
                    let reason = if progressing.as_ref().and_then(|c| c.reason.as_deref()) == Some("NewReplicaSetCreated") && !progressed { "NewReplicaSetCreated" } else { "ReplicaSetUpdated" };
                    let msg = if reason == "NewReplicaSetCreated" { format!("Created new replica set \"{name}\"") } else { format!("ReplicaSet \"{name}\" is progressing.") };
                    set(&mut conds, "Progressing", "True", reason, msg, &now);
                } else if stalled && progressing.as_ref().and_then(|c| c.reason.as_deref()) != Some("ProgressDeadlineExceeded") {
                    set(&mut conds, "Progressing", "False", "ProgressDeadlineExceeded", format!("ReplicaSet \"{name}\" has timed out progressing."), &now);
                }
                if !stalled {
                    let last_ms = conds.iter().find(|c| c.type_ == "Progressing").and_then(|c| c.last_update_time.as_ref()).map(|t| (t.0 - crate::clock::epoch()).num_milliseconds().max(0) as u64).unwrap_or(0);
                    api.clock.wake_at(last_ms + deadline as u64 * 1000 + 1000, Component::Deployment, key.clone());
                }
            }
        }
        crate::sort::sort_by_key(&mut conds, |c| if c.type_ == "Available" { 0 } else { 1 });
        let status = DeploymentStatus {
            observed_generation: d.metadata.generation,
            replicas: Some(total).filter(|v| *v != 0),
            updated_replicas: Some(updated).filter(|v| *v != 0),
            ready_replicas: Some(ready).filter(|v| *v != 0),
            available_replicas: Some(available).filter(|v| *v != 0),
            unavailable_replicas: Some((replicas - available).max(0)).filter(|v| *v != 0),
            conditions: Some(conds),
            collision_count: old.collision_count,
        };
        if d.status.as_ref() != Some(&status) {
            let mut d2 = d.clone();
            d2.status = Some(status);
            api.store.put(Object::Deployment(d2));
        }
        // Keep the Deployment's revision annotation in step with its new ReplicaSet.
        if let Some(rs) = new_rs {
            let rev = meta::annotation(&rs.metadata, REVISION).map(str::to_string);
            if let (Some(rev), Some(Object::Deployment(d))) = (rev, api.store.get(key).map(|o| (**o).clone())) {
                if meta::annotation(&d.metadata, REVISION) != Some(rev.as_str()) {
                    let mut d = d;
                    d.metadata.annotations.get_or_insert_with(Default::default).insert(REVISION.into(), rev);
                    api.store.put(Object::Deployment(d));
                }
            }
        }
    }
}

/// Scales a ReplicaSet, with the ScalingReplicaSet event and the desired/max annotations.
fn scale(api: &mut Api, d: &Object, rs: &mut ReplicaSet, to: i32, desired: i32, surge: i32) {
    let from = rs_replicas(rs);
    let mut new = rs.clone();
    if let Some(s) = new.spec.as_mut() {
        s.replicas = Some(to);
    }
    let ann = new.metadata.annotations.get_or_insert_with(Default::default);
    ann.insert(DESIRED.into(), desired.to_string());
    ann.insert(MAX_REPLICAS.into(), (desired + surge).to_string());
    if let Ok(o) = api.write(Object::ReplicaSet(new)) {
        if let Object::ReplicaSet(r) = &*o {
            *rs = r.clone();
        }
        if from != to {
            let dir = if to > from { "up" } else { "down" };
            api.record(d, "Normal", "ScalingReplicaSet", &format!("Scaled {dir} replica set {} from {from} to {to}", meta::name(&rs.metadata)), "deployment-controller", None);
        }
    }
}
