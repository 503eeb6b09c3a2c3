//! The scheduler as a component of the cluster loop: feeds the watch stream into the
//! scheduler's cache and queue, schedules pods one at a time, binds them (`Scheduled`), records
//! why not (`FailedScheduling`, the PodScheduled condition), carries out preemption (evicts the
//! victims, sets `status.nominatedNodeName`, clears the nominations of lower-priority pods on the
//! chosen node, or the pod's own when preemption cannot help) and the volume actions of
//! WaitForFirstConsumer claims, and keeps the latest trace per pod. PodDisruptionBudgets are fed to
//! the scheduler's cache for DefaultPreemption.

use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::{Api, DeleteOptions};
use crate::clock::Component;
use crate::controllers::Cursor;
use crate::scheduler::cache::PodKey;
use crate::scheduler::framework::Profile;
use crate::scheduler::plugins::volume_binding::{ClaimAction, VolumeView};
use crate::scheduler::trace::Trace;
use crate::scheduler::{ScheduleOutcome, Scheduler};
use crate::store::{EventType, Store};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod, PodCondition};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The scheduler component.
#[derive(Debug)]
pub struct SchedulerController {
    cursor: Cursor,
    /// The scheduler itself (profile, cache, queue, traces).
    pub sched: Scheduler,
    rng: Option<ChaCha8Rng>,
    relist: bool,
}

impl Default for SchedulerController {
    fn default() -> Self {
        SchedulerController { cursor: Cursor::default(), sched: Scheduler::new(Profile::default()), rng: None, relist: true }
    }
}

impl Clone for SchedulerController {
    /// A copy rebuilds its cache and queue from the store on its next run (traces are not kept).
    fn clone(&self) -> Self {
        SchedulerController { cursor: Cursor::default(), sched: Scheduler::new(self.sched.profile().clone()), rng: self.rng.clone(), relist: true }
    }
}

/// Read access to claims, volumes and classes for the VolumeBinding plugin.
struct StoreVolumes<'a>(&'a Store);

impl VolumeView for StoreVolumes<'_> {
    fn pvc(&self, ns: &str, name: &str) -> Option<&PersistentVolumeClaim> {
        match self.0.get(&ObjectKey::new(Kind::PersistentVolumeClaim, ns, name)).map(|o| &**o) {
            Some(Object::PersistentVolumeClaim(c)) => Some(c),
            _ => None,
        }
    }
    fn storage_class(&self, name: &str) -> Option<&StorageClass> {
        match self.0.get(&ObjectKey::new(Kind::StorageClass, "", name)).map(|o| &**o) {
            Some(Object::StorageClass(c)) => Some(c),
            _ => None,
        }
    }
    fn persistent_volumes(&self) -> Vec<&PersistentVolume> {
        self.0
            .list(Kind::PersistentVolume)
            .filter_map(|o| match &**o {
                Object::PersistentVolume(v) => Some(v),
                _ => None,
            })
            .collect()
    }
    fn persistent_volume(&self, name: &str) -> Option<&PersistentVolume> {
        match self.0.get(&ObjectKey::new(Kind::PersistentVolume, "", name)).map(|o| &**o) {
            Some(Object::PersistentVolume(v)) => Some(v),
            _ => None,
        }
    }
}

/// Most pods scheduled in one round before yielding to the other components.
const BATCH: usize = 5000;

impl SchedulerController {
    /// Replaces the scheduler's profile (plugin weights, disabled plugins, percentageOfNodesToScore).
    pub fn set_profile(&mut self, profile: Profile) {
        self.sched = Scheduler::new(profile);
        self.relist = true;
    }

    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        self.relist || self.cursor.behind(api)
    }

    /// The latest scheduling trace of a pod.
    pub fn trace(&self, namespace: &str, name: &str) -> Option<&Trace> {
        self.sched.trace(&PodKey::new(namespace, name))
    }

    fn rebuild(&mut self, api: &Api) {
        let now = api.clock.now_ms();
        self.sched = Scheduler::new(self.sched.profile().clone());
        for o in api.store.list(Kind::Namespace) {
            if let Object::Namespace(ns) = &**o {
                self.sched.cache.set_namespace_labels(meta::name(&ns.metadata), ns.metadata.labels.as_ref().unwrap_or(&Default::default()));
            }
        }
        for o in api.store.list(Kind::Node) {
            if let Object::Node(n) = &**o {
                self.sched.on_node_upsert(n, now);
            }
        }
        for o in api.store.list(Kind::PodDisruptionBudget) {
            if let Object::PodDisruptionBudget(b) = &**o {
                self.sched.cache.set_pdb(b);
            }
        }
        for o in api.store.list(Kind::Pod) {
            if let Object::Pod(p) = &**o {
                if !finished(p) {
                    self.sched.on_pod_add(p, now);
                }
            }
        }
        self.cursor.0 = api.store.next_seq();
        self.relist = false;
    }

    /// One round: apply watch events to the cache and queue, then schedule what is due.
    pub fn run(&mut self, api: &mut Api, _woken: Vec<crate::api::ObjectKey>) {
        if self.rng.is_none() {
            self.rng = Some(ChaCha8Rng::seed_from_u64(api.clock.seed() ^ 0x5ced_u64));
        }
        let now = api.clock.now_ms();
        match api.store.events_since(self.cursor.0) {
            _ if self.relist => self.rebuild(api),
            None => self.rebuild(api),
            Some(evs) => {
                for e in evs {
                    match (&*e.object, e.event_type) {
                        (Object::Pod(_), EventType::Deleted) => self.sched.on_pod_delete(&e.key.namespace, &e.key.name, now),
                        (Object::Pod(p), _) if finished(p) => self.sched.on_pod_delete(&e.key.namespace, &e.key.name, now),
                        (Object::Pod(p), EventType::Added) => self.sched.on_pod_add(p, now),
                        (Object::Pod(p), EventType::Modified) => self.sched.on_pod_update(p, now),
                        (Object::Node(_), EventType::Deleted) => self.sched.on_node_delete(&e.key.name),
                        (Object::Node(n), _) => self.sched.on_node_upsert(n, now),
                        (Object::Namespace(ns), _) => {
                            self.sched.cache.set_namespace_labels(&e.key.name, ns.metadata.labels.as_ref().unwrap_or(&Default::default()))
                        }
                        (Object::PersistentVolume(_) | Object::PersistentVolumeClaim(_) | Object::StorageClass(_), _) => self.sched.on_storage_change(now),
                        (Object::PodDisruptionBudget(_), EventType::Deleted) => self.sched.cache.remove_pdb(&e.key.namespace, &e.key.name),
                        (Object::PodDisruptionBudget(b), _) => self.sched.cache.set_pdb(b),
                        _ => {}
                    }
                }
                self.cursor.0 = api.store.next_seq();
            }
        }
        let mut rng = self.rng.take().unwrap_or_else(|| ChaCha8Rng::seed_from_u64(1));
        for _ in 0..BATCH {
            let Some(key) = self.sched.queue.pop(now) else { break };
            let okey = ObjectKey::new(Kind::Pod, &key.namespace, &key.name);
            let Some(Object::Pod(pod)) = api.store.get(&okey).map(|o| (**o).clone()) else {
                self.sched.forget_pod(&key);
                continue;
            };
            if !needs_scheduling(&pod) {
                continue;
            }
            let outcome = self.sched.schedule_one(&pod, &StoreVolumes(&api.store), now, &mut rng);
            match outcome {
                ScheduleOutcome::Scheduled { node, volume_actions, .. } => {
                    for action in volume_actions {
                        volume_action(api, action, &node);
                    }
                    bind(api, pod, &node);
                }
                ScheduleOutcome::Unschedulable { message, preemption, clear_nomination, .. } => {
                    let mut pod = pod;
                    if let Some(pre) = &preemption {
                        for v in &pre.victims {
                            let vkey = ObjectKey::new(Kind::Pod, &v.namespace, &v.name);
                            // A victim already terminating needs no second delete (nor event).
                            if let Some(victim) = api.store.get(&vkey).cloned().filter(|o| o.metadata().deletion_timestamp.is_none()) {
                                let msg = format!("Preempted by pod {} on node {}", meta::uid(&pod.metadata), pre.nominated_node);
                                api.record(&victim, "Normal", "Preempted", &msg, "default-scheduler", None);
                                let _ = api.delete(&vkey, &DeleteOptions::default());
                            }
                        }
                        for k in &pre.clear_nominations {
                            clear_nominated_node(api, k);
                        }
                        pod.status.get_or_insert_with(Default::default).nominated_node_name = Some(pre.nominated_node.clone());
                    } else if clear_nomination {
                        if let Some(st) = pod.status.as_mut() {
                            st.nominated_node_name = None;
                        }
                    }
                    unschedulable(api, pod, &message);
                }
            }
        }
        self.rng = Some(rng);
        // Our own writes are seen on the next round; wake for backoff expiry.
        if let Some(t) = self.sched.queue.next_wake(now) {
            api.clock.wake_at(t, Component::Scheduler, ObjectKey::new(Kind::Pod, "", ""));
        }
    }
}

fn finished(p: &Pod) -> bool {
    matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded") | Some("Failed"))
}

/// Whether a pod waits for this scheduler.
pub fn needs_scheduling(p: &Pod) -> bool {
    let spec = p.spec.as_ref();
    spec.is_some_and(|s| s.node_name.is_none() && s.scheduler_name.as_deref().unwrap_or("default-scheduler") == "default-scheduler")
        && p.metadata.deletion_timestamp.is_none()
}

fn volume_action(api: &mut Api, action: ClaimAction, node: &str) {
    match action {
        ClaimAction::Bind { namespace, claim, pv } => {
            let key = ObjectKey::new(Kind::PersistentVolumeClaim, &namespace, &claim);
            if let Some(Object::PersistentVolumeClaim(mut c)) = api.store.get(&key).map(|o| (**o).clone()) {
                c.metadata.annotations.get_or_insert_with(Default::default).insert("volume.kubernetes.io/selected-node".into(), node.to_string());
                if let Some(spec) = c.spec.as_mut() {
                    spec.volume_name = Some(pv);
                }
                api.store.put(Object::PersistentVolumeClaim(c));
            }
        }
        ClaimAction::Provision { namespace, claim, .. } => {
            let key = ObjectKey::new(Kind::PersistentVolumeClaim, &namespace, &claim);
            if let Some(Object::PersistentVolumeClaim(mut c)) = api.store.get(&key).map(|o| (**o).clone()) {
                c.metadata.annotations.get_or_insert_with(Default::default).insert("volume.kubernetes.io/selected-node".into(), node.to_string());
                api.store.put(Object::PersistentVolumeClaim(c));
            }
        }
    }
}

/// `clearNominatedNodeName`: a pending pod loses its nomination (a higher-priority pod preempted
/// on its node).
fn clear_nominated_node(api: &mut Api, key: &PodKey) {
    let okey = ObjectKey::new(Kind::Pod, &key.namespace, &key.name);
    let Some(Object::Pod(mut p)) = api.store.get(&okey).map(|o| (**o).clone()) else { return };
    let Some(st) = p.status.as_mut().filter(|s| s.nominated_node_name.as_deref().is_some_and(|n| !n.is_empty())) else { return };
    st.nominated_node_name = None;
    api.store.put(Object::Pod(p));
}

fn unschedulable(api: &mut Api, mut pod: Pod, message: &str) {
    let now = Time(api.clock.now_secs());
    let st = pod.status.get_or_insert_with(Default::default);
    let conds = st.conditions.get_or_insert_with(Vec::new);
    let same = conds.iter().any(|c| c.type_ == "PodScheduled" && c.status == "False" && c.message.as_deref() == Some(message));
    if !same {
        conds.retain(|c| c.type_ != "PodScheduled");
        conds.push(PodCondition {
            type_: "PodScheduled".into(),
            status: "False".into(),
            reason: Some("Unschedulable".into()),
            message: Some(message.to_string()),
            last_transition_time: Some(now),
            last_probe_time: None,
        });
    }
    let stored = api.store.put(Object::Pod(pod));
    api.record(&stored, "Warning", "FailedScheduling", message, "default-scheduler", None);
}

/// Binds a pod to a node: sets nodeName and PodScheduled, records `Scheduled`.
pub fn bind(api: &mut Api, mut p: Pod, node: &str) {
    let now = Time(api.clock.now_secs());
    if let Some(s) = p.spec.as_mut() {
        s.node_name = Some(node.to_string());
    }
    let st = p.status.get_or_insert_with(Default::default);
    let conds = st.conditions.get_or_insert_with(Vec::new);
    conds.retain(|c| c.type_ != "PodScheduled");
    conds.push(PodCondition { type_: "PodScheduled".into(), status: "True".into(), last_transition_time: Some(now), ..Default::default() });
    st.nominated_node_name = None;
    let msg = format!("Successfully assigned {}/{} to {node}", meta::namespace(&p.metadata), meta::name(&p.metadata));
    let stored = api.store.put(Object::Pod(p));
    api.record(&stored, "Normal", "Scheduled", &msg, "default-scheduler", None);
}
