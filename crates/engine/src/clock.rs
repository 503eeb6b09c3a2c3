//! Virtual time and the one seeded RNG: the only doors through which time and randomness enter
//! the engine. Time is in milliseconds since the cluster's epoch; timers wake a component for a
//! key at a virtual instant.

use crate::api::ObjectKey;
use chrono::{DateTime, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// The component a timer wakes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Component {
    /// The deployment controller.
    Deployment,
    /// The replicaset controller.
    ReplicaSet,
    /// The scheduler.
    Scheduler,
    /// The kubelets.
    Kubelet,
    /// The node lifecycle controller.
    NodeLifecycle,
    /// The DaemonSet controller.
    DaemonSet,
    /// The StatefulSet controller.
    StatefulSet,
    /// The Job controller (with TTL-after-finished).
    Job,
    /// The CronJob controller.
    CronJob,
    /// The HorizontalPodAutoscaler controller.
    Hpa,
    /// The disruption (PodDisruptionBudget) controller.
    Disruption,
    /// Other controllers.
    Other(u8),
}

/// Virtual time, the timer queue and the seeded RNG.
#[derive(Debug, Clone)]
pub struct Clock {
    now_ms: u64,
    timers: BTreeMap<(u64, u64), (Component, ObjectKey)>,
    /// The pending timers again by (time, component, key): a timer already set is not set twice.
    pending: BTreeSet<(u64, Component, ObjectKey)>,
    seq: u64,
    rng: ChaCha8Rng,
    seed: u64,
}

/// Wall-clock instant of virtual time zero (the cluster's creation).
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().unwrap_or_default()
}

impl Clock {
    /// A clock at time zero with the RNG seeded.
    pub fn new(seed: u64) -> Clock {
        Clock { now_ms: 0, timers: BTreeMap::new(), pending: BTreeSet::new(), seq: 0, rng: ChaCha8Rng::seed_from_u64(seed), seed }
    }

    /// The seed the RNG started from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Milliseconds since the epoch.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// The current virtual instant.
    pub fn now(&self) -> DateTime<Utc> {
        epoch() + chrono::Duration::milliseconds(self.now_ms as i64)
    }

    /// The current instant truncated to seconds (what Kubernetes timestamps carry).
    pub fn now_secs(&self) -> DateTime<Utc> {
        epoch() + chrono::Duration::seconds((self.now_ms / 1000) as i64)
    }

    /// Schedules a wake-up for `component` about `key` at `at_ms` (clamped to now); the same
    /// wake-up already pending is not added again.
    pub fn wake_at(&mut self, at_ms: u64, component: Component, key: ObjectKey) {
        let at = at_ms.max(self.now_ms);
        if !self.pending.insert((at, component, key.clone())) {
            return;
        }
        self.seq += 1;
        self.timers.insert((at, self.seq), (component, key));
    }

    /// Schedules a wake-up `delay_ms` from now.
    pub fn wake_in(&mut self, delay_ms: u64, component: Component, key: ObjectKey) {
        self.wake_at(self.now_ms + delay_ms, component, key);
    }

    /// When the next timer is due.
    pub fn next_timer(&self) -> Option<u64> {
        self.timers.keys().next().map(|(t, _)| *t)
    }

    /// Removes and returns every timer due at or before now.
    pub fn take_due(&mut self) -> Vec<(Component, ObjectKey)> {
        let mut out = Vec::new();
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().0 > self.now_ms {
                break;
            }
            let at = entry.key().0;
            let (component, key) = entry.remove();
            self.pending.remove(&(at, component, key.clone()));
            out.push((component, key));
        }
        out
    }

    /// Moves time forward to `t_ms` (never backwards).
    pub fn set_now(&mut self, t_ms: u64) {
        self.now_ms = self.now_ms.max(t_ms);
    }

    /// Number of pending timers.
    pub fn pending_timers(&self) -> usize {
        self.timers.len()
    }

    /// The RNG.
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    /// A value in `[lo, hi]` from the seeded RNG.
    pub fn jitter(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            self.rng.gen_range(lo..=hi)
        }
    }

    /// A random suffix of `n` characters from Kubernetes' alphabet (`bcdfghjklmnpqrstvwxz2456789`).
    pub fn suffix(&mut self, n: usize) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        (0..n).map(|_| ALPHABET[self.rng.gen_range(0..ALPHABET.len())] as char).collect()
    }

    /// A random UUID (version 4 layout) from the seeded RNG.
    pub fn uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        self.rng.fill(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
        format!("{}-{}-{}-{}-{}", h[0..4].concat(), h[4..6].concat(), h[6..8].concat(), h[8..10].concat(), h[10..16].concat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Kind;

    #[test]
    fn the_same_wake_up_is_set_once_and_can_be_set_again_after_it_fired() {
        let mut c = Clock::new(1);
        let k = ObjectKey::new(Kind::ReplicaSet, "default", "web");
        c.wake_at(100, Component::ReplicaSet, k.clone());
        c.wake_at(100, Component::ReplicaSet, k.clone());
        c.wake_at(100, Component::Deployment, k.clone());
        c.wake_at(150, Component::ReplicaSet, k.clone());
        assert_eq!(c.pending_timers(), 3);
        c.set_now(100);
        assert_eq!(c.take_due(), vec![(Component::ReplicaSet, k.clone()), (Component::Deployment, k.clone())]);
        c.wake_at(100, Component::ReplicaSet, k.clone());
        assert_eq!(c.pending_timers(), 2, "fired timers no longer block the same wake-up");
    }
}
