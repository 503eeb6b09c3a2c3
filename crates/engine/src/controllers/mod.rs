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
use k8s_openapi::api::core::v1::{Pod, PodCondition};
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

/// The pod's Ready condition when it is True.
fn ready_condition(p: &Pod) -> Option<&PodCondition> {
    p.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready" && c.status == "True")
}

/// When a True Ready condition became so (ms since epoch), if the time is known.
fn ready_since_of(c: &PodCondition) -> Option<u64> {
    let t = c.last_transition_time.as_ref()?;
    Some((t.0 - crate::clock::epoch()).num_milliseconds().max(0) as u64)
}

/// Whether a pod Ready since `since` counts as available after `min_ready_secs` at `now_ms`.
fn available_at(since: Option<u64>, min_ready_secs: i32, now_ms: u64) -> bool {
    since.is_some_and(|since| min_ready_secs <= 0 || since + (min_ready_secs as u64) * 1000 <= now_ms)
}

/// Whether a pod is Ready.
pub fn pod_is_ready(p: &Pod) -> bool {
    ready_condition(p).is_some()
}

/// When the pod became Ready (ms since epoch), if it is.
pub fn pod_ready_since(p: &Pod) -> Option<u64> {
    ready_condition(p).and_then(ready_since_of)
}

/// Whether a pod is available: Ready for at least `min_ready_secs` at `now_ms`.
pub fn pod_is_available(p: &Pod, min_ready_secs: i32, now_ms: u64) -> bool {
    available_at(pod_ready_since(p), min_ready_secs, now_ms)
}

/// [`pod_is_ready`] and [`pod_is_available`] in one look at the pod's conditions.
pub fn pod_ready_and_available(p: &Pod, min_ready_secs: i32, now_ms: u64) -> (bool, bool) {
    let c = ready_condition(p);
    (c.is_some(), available_at(c.and_then(ready_since_of), min_ready_secs, now_ms))
}

/// Pods controlled by the owner uid, in key order (shared, not cloned).
pub fn owned_pods(api: &Api, owner_uid: &str) -> Vec<std::sync::Arc<Object>> {
    api.store
        .dependents_with_objects(owner_uid)
        .filter(|(k, _)| k.kind == Kind::Pod)
        .filter_map(|(_, o)| {
            let p = o.as_pod()?;
            meta::controller_of(&p.metadata).is_some_and(|r| r.uid == owner_uid).then(|| o.clone())
        })
        .collect()
}

/// A controller's client-side rate limit: client-go's token bucket as kube-controller-manager
/// configures each controller's client (`--kube-api-qps` 20, `--kube-api-burst` 30). Here it
/// meters the pod creations and deletions of a controller (status writes and events are not
/// counted), so a Deployment scaled to thousands of replicas gains pods at about 20 per second
/// after a first burst of 30, as on a real cluster; integer milliseconds keep it deterministic.
#[derive(Debug, Clone)]
pub struct ClientRateLimiter {
    tokens: u32,
    /// When `tokens` was last brought up to date (refills are counted from here).
    stamp: u64,
}

/// Default `--kube-api-burst` of kube-controller-manager.
pub const CLIENT_BURST: u32 = 30;
/// One token per 50 ms: the default `--kube-api-qps` of 20.
pub const CLIENT_TOKEN_MS: u64 = 50;
/// How many tokens a rate-limited controller waits for before its next try.
pub const CLIENT_WAKE_TOKENS: usize = 5;

impl Default for ClientRateLimiter {
    fn default() -> Self {
        ClientRateLimiter { tokens: CLIENT_BURST, stamp: 0 }
    }
}

impl ClientRateLimiter {
    fn refill(&mut self, now: u64) {
        if self.tokens >= CLIENT_BURST {
            self.stamp = now;
            return;
        }
        if now <= self.stamp {
            return;
        }
        let earned = (now - self.stamp) / CLIENT_TOKEN_MS;
        self.tokens = (self.tokens as u64 + earned).min(CLIENT_BURST as u64) as u32;
        self.stamp = if self.tokens >= CLIENT_BURST { now } else { self.stamp + earned * CLIENT_TOKEN_MS };
    }

    /// Takes up to `want` tokens at `now`; returns how many were granted.
    pub fn take(&mut self, now: u64, want: usize) -> usize {
        self.refill(now);
        let granted = want.min(self.tokens as usize);
        self.tokens -= granted as u32;
        granted
    }

    /// When `n` more tokens will be available (meaningful once `take` granted less than wanted).
    /// Controllers wake for a few tokens at a time ([`CLIENT_WAKE_TOKENS`]): at the page's 250 ms
    /// ticks this looks the same as one pod every 50 ms and costs a fifth of the wake-ups.
    pub fn tokens_at(&self, n: usize) -> u64 {
        self.stamp + CLIENT_TOKEN_MS * n.clamp(1, CLIENT_BURST as usize) as u64
    }
}

#[cfg(test)]
mod rate_limit_tests {
    use super::*;

    #[test]
    fn a_burst_then_one_token_per_50ms_and_never_more_than_the_burst() {
        let mut l = ClientRateLimiter::default();
        assert_eq!(l.take(1_000, 100), 30, "the first burst");
        assert_eq!(l.take(1_000, 1), 0);
        assert_eq!(l.tokens_at(1), 1_050);
        assert_eq!(l.tokens_at(5), 1_250);
        assert_eq!(l.take(1_049, 1), 0);
        assert_eq!(l.take(1_050, 5), 1);
        // 20 per second from here on, whatever the call pattern.
        let mut got = 0;
        for t in (1_051..=2_052).step_by(7) {
            got += l.take(t, 3);
        }
        assert_eq!(got, 20);
        // Idle time refills up to the burst, not beyond.
        assert_eq!(l.take(60_000, 100), 30);
    }
}

#[cfg(test)]
mod pod_state_tests {
    use super::*;

    #[test]
    fn ready_and_available_in_one_look_agree_with_the_separate_checks() {
        let pod = |conds: serde_json::Value| -> Pod { crate::api::typed_from_json(serde_json::json!({"metadata": {"name": "p"}, "status": {"conditions": conds}})).unwrap() };
        let pods = [
            pod(serde_json::json!([])),
            pod(serde_json::json!([{"type": "Ready", "status": "False", "lastTransitionTime": "2025-01-01T00:00:10Z"}])),
            pod(serde_json::json!([{"type": "Ready", "status": "True"}])),
            pod(serde_json::json!([{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True", "lastTransitionTime": "2025-01-01T00:00:10Z"}])),
            pod(serde_json::json!([{"type": "Ready", "status": "True", "lastTransitionTime": "2024-12-31T23:59:00Z"}])),
        ];
        let mut seen = std::collections::BTreeSet::new();
        for p in &pods {
            for min_ready in [-1, 0, 5, 30] {
                for now in [0, 10_000, 14_999, 15_000, 40_000] {
                    let got = pod_ready_and_available(p, min_ready, now);
                    assert_eq!(got, (pod_is_ready(p), pod_is_available(p, min_ready, now)), "{p:?} {min_ready} {now}");
                    seen.insert(got);
                }
            }
        }
        // The cases cover every outcome that can happen.
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![(false, false), (true, false), (true, true)]);
    }
}
