//! Helpers shared by the workload controllers (DaemonSet, StatefulSet, Job, CronJob, HPA,
//! disruption): virtual-time conversions, pod phase and finish-time queries, condition
//! upserts, and a per-key timer book that keeps one pending wake-up per object instead of a
//! new timer on every reconcile.

use crate::vecmap::VecMap;
use crate::api::ObjectKey;
use crate::apiserver::Api;
use crate::clock::Component;
use k8s_openapi::api::core::v1::{Pod, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

/// Milliseconds since the clock's epoch of a Kubernetes timestamp (0 before the epoch).
pub fn ms_of(t: &Time) -> u64 {
    (t.0 - crate::clock::epoch()).num_milliseconds().max(0) as u64
}

/// The Kubernetes timestamp (whole seconds) of a virtual instant.
pub fn time_at(ms: u64) -> Time {
    Time(crate::clock::epoch() + chrono::Duration::seconds((ms / 1000) as i64))
}

/// A pod's phase or the empty string.
pub fn phase(p: &Pod) -> &str {
    p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

/// Whether a pod has finished (`Succeeded` or `Failed`).
pub fn is_terminal(p: &Pod) -> bool {
    matches!(phase(p), "Succeeded" | "Failed")
}

/// When a finished pod's last container terminated (ms), if known.
pub fn finished_at(p: &Pod) -> Option<u64> {
    p.status
        .as_ref()?
        .container_statuses
        .iter()
        .flatten()
        .filter_map(|c| c.state.as_ref()?.terminated.as_ref()?.finished_at.as_ref().map(ms_of))
        .max()
}

/// The node a pod is bound to, or the node its `matchFields metadata.name` affinity names
/// (a DaemonSet pod not yet scheduled).
pub fn target_node(p: &Pod) -> Option<String> {
    let spec = p.spec.as_ref()?;
    if let Some(n) = &spec.node_name {
        return Some(n.clone());
    }
    let terms = &spec.affinity.as_ref()?.node_affinity.as_ref()?.required_during_scheduling_ignored_during_execution.as_ref()?.node_selector_terms;
    terms.iter().flat_map(|t| t.match_fields.iter().flatten()).find(|f| f.key == "metadata.name" && f.operator == "In").and_then(|f| f.values.as_ref()?.first().cloned())
}

/// Whether a toleration list tolerates a taint.
pub fn tolerated(tols: &[Toleration], taint: &k8s_openapi::api::core::v1::Taint) -> bool {
    tols.iter().any(|t| super::node_lifecycle::tolerates(t, taint))
}

/// One pending wake-up per object key, so repeated reconciles do not pile up timers.
#[derive(Debug, Default, Clone)]
pub struct Timers {
    pending: VecMap<ObjectKey, u64>,
}

impl Timers {
    /// Asks the clock to wake `component` for `key` at `at` unless an earlier wake-up (still in
    /// the future) is already pending: that one re-runs the reconcile, which asks again.
    pub fn wake(&mut self, api: &mut Api, component: Component, key: &ObjectKey, at: u64) {
        let now = api.clock.now_ms();
        let at = at.max(now);
        if let Some(p) = self.pending.get(key) {
            if *p >= now && *p <= at {
                return;
            }
        }
        self.pending.insert(key.clone(), at);
        api.clock.wake_at(at, component, key.clone());
    }

    /// Forgets wake-ups that are due (call with the keys the clock woke).
    pub fn fired(&mut self, now: u64, keys: &[ObjectKey]) {
        for k in keys {
            if self.pending.get(k).is_some_and(|t| *t <= now) {
                self.pending.remove(k);
            }
        }
    }

    /// Forgets a key (its object is gone).
    pub fn forget(&mut self, key: &ObjectKey) {
        self.pending.remove(key);
    }
}
