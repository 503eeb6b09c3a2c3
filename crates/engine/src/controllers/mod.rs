//! The controllers of kube-controller-manager, one file each. Every controller follows the same
//! shape: read the watch log from its cursor, map events to the keys it reconciles, reconcile
//! each key idempotently, and ask the clock to wake it for time-based work. A controller is never
//! told why it runs.

pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod gc;
pub mod history;
pub mod hpa;
pub mod job;
pub mod namespace;
pub mod node_lifecycle;
pub mod replicaset;
pub mod statefulset;
pub mod tz;
mod tzdata;
pub mod workload;

use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use crate::store::WatchEvent;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

/// A position in the watch log.
#[derive(Clone, Debug, Default)]
pub struct Cursor(pub u64);

impl Cursor {
    /// Maps new watch events to keys with `f`; on a compacted log, `relist` gives all keys.
    pub fn collect(&mut self, api: &Api, mut f: impl FnMut(&WatchEvent, &mut Vec<ObjectKey>), relist: impl FnOnce(&Api) -> Vec<ObjectKey>) -> Vec<ObjectKey> {
        let mut out = Vec::new();
        match api.store.events_since(self.0) {
            Some(evs) => {
                for e in evs {
                    f(e, &mut out);
                }
            }
            None => out = relist(api),
        }
        self.0 = api.store.next_seq();
        out
    }

    /// Whether events arrived since the cursor.
    pub fn behind(&self, api: &Api) -> bool {
        api.store.next_seq() > self.0
    }
}

/// The controller owner reference of an object pointing at `owner`.
pub fn owner_ref(owner: &Object) -> OwnerReference {
    let info = owner.kind().info();
    OwnerReference {
        api_version: info.api_version(),
        kind: info.kind.to_string(),
        name: meta::name(owner.metadata()).to_string(),
        uid: meta::uid(owner.metadata()).to_string(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The key of an object's controller, if it is of `kind`.
pub fn controller_key(m: &ObjectMeta, kind: Kind) -> Option<ObjectKey> {
    let o = meta::controller_of(m)?;
    (o.kind == kind.info().kind).then(|| ObjectKey::new(kind, meta::namespace(m), &o.name))
}

/// Whether a pod counts as active (not terminating, not finished).
pub fn pod_is_active(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_none()
        && !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded") | Some("Failed"))
}

/// Whether a pod is Ready.
pub fn pod_is_ready(p: &Pod) -> bool {
    p.status.as_ref().and_then(|s| s.conditions.as_ref()).is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// When the pod became Ready (ms since epoch), if it is.
pub fn pod_ready_since(p: &Pod) -> Option<u64> {
    let c = p.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready" && c.status == "True")?;
    let t = c.last_transition_time.as_ref()?;
    Some((t.0 - crate::clock::epoch()).num_milliseconds().max(0) as u64)
}

/// Whether a pod is available: Ready for at least `min_ready_secs` at `now_ms`.
pub fn pod_is_available(p: &Pod, min_ready_secs: i32, now_ms: u64) -> bool {
    match pod_ready_since(p) {
        Some(since) => min_ready_secs <= 0 || since + (min_ready_secs as u64) * 1000 <= now_ms,
        None => false,
    }
}

/// Pods controlled by the owner uid, in key order (shared, not cloned).
pub fn owned_pods(api: &Api, owner_uid: &str) -> Vec<(ObjectKey, std::sync::Arc<Object>)> {
    api.store
        .dependents(owner_uid)
        .filter(|k| k.kind == Kind::Pod)
        .filter_map(|k| {
            let o = api.store.get(k)?;
            let p = o.as_pod()?;
            meta::controller_of(&p.metadata).is_some_and(|r| r.uid == owner_uid).then(|| (k.clone(), o.clone()))
        })
        .collect()
}
