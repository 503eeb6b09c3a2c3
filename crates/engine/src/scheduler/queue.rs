//! The scheduling queue (kube-scheduler's `PriorityQueue`): activeQ ordered by priority (highest
//! first) then enqueue time (PrioritySort), backoffQ for pods that failed recently (1 s doubling
//! per attempt up to 10 s), and the unschedulable pool, left on a cluster event that may help the
//! pod (filtered by the plugins that rejected it) or after 5 minutes. Time is virtual
//! milliseconds passed in; nothing here reads a clock.

use super::cache::PodKey;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

/// Initial backoff (`podInitialBackoffSeconds` = 1).
pub const INITIAL_BACKOFF_MS: u64 = 1_000;
/// Maximum backoff (`podMaxBackoffSeconds` = 10).
pub const MAX_BACKOFF_MS: u64 = 10_000;
/// How long a pod may sit in the unschedulable pool (`podMaxInUnschedulablePodsDuration` = 5 min).
pub const MAX_IN_UNSCHEDULABLE_MS: u64 = 5 * 60 * 1_000;

/// Cluster events that can make unschedulable pods schedulable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum ClusterEvent {
    /// A node was added.
    NodeAdd,
    /// A node changed (labels, taints, allocatable, unschedulable).
    NodeUpdate,
    /// A bound pod was deleted (frees resources, ports, affinity, spread).
    AssignedPodDelete,
    /// A bound pod was added or changed (affinity, spread).
    AssignedPodUpdate,
    /// A PersistentVolume was added or changed.
    PvChange,
    /// A PersistentVolumeClaim was added or changed.
    PvcChange,
    /// A StorageClass was added.
    StorageClassChange,
    /// Anything; moves every pod.
    Any,
}

impl ClusterEvent {
    /// Whether this event may help a pod rejected by `plugin` (kube-scheduler's EventsToRegister).
    pub fn may_help(self, plugin: &str) -> bool {
        use ClusterEvent::*;
        match self {
            Any => true,
            NodeAdd => true,
            NodeUpdate => true,
            AssignedPodDelete => matches!(plugin, "NodeResourcesFit" | "NodePorts" | "InterPodAffinity" | "PodTopologySpread" | "VolumeBinding" | "DefaultPreemption" | ""),
            AssignedPodUpdate => matches!(plugin, "InterPodAffinity" | "PodTopologySpread" | "NodeResourcesFit" | ""),
            PvChange | PvcChange | StorageClassChange => matches!(plugin, "VolumeBinding" | ""),
        }
    }
}

/// Where a queued pod is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Location {
    /// Waiting to be popped.
    Active,
    /// Waiting for its backoff to expire.
    Backoff,
    /// Waiting for a cluster event (or the 5-minute flush).
    Unschedulable,
    /// Popped and being scheduled.
    InFlight,
}

#[derive(Clone, Debug)]
struct Entry {
    priority: i32,
    /// Time it was (re-)enqueued: the activeQ tie-breaker and the backoff base.
    timestamp: u64,
    seq: u64,
    attempts: u32,
    location: Location,
    rejected_by: Vec<String>,
    /// The move cycle when it was last popped, while it is in flight.
    pop_cycle: Option<u64>,
}

/// The scheduling queue.
#[derive(Clone, Debug, Default)]
pub struct SchedulingQueue {
    pods: BTreeMap<PodKey, Entry>,
    active: BTreeSet<(Reverse<i32>, u64, u64, PodKey)>,
    backoff: BTreeSet<(u64, u64, PodKey)>,
    seq: u64,
    /// Bumped by every move event, to catch events that happen while a pod is in flight.
    move_cycle: u64,
}

/// kube-scheduler's backoff: initial doubled per previous attempt, capped.
pub fn backoff_duration(attempts: u32) -> u64 {
    let mut d = INITIAL_BACKOFF_MS;
    for _ in 1..attempts {
        if d > MAX_BACKOFF_MS - d {
            return MAX_BACKOFF_MS;
        }
        d += d;
    }
    d.min(MAX_BACKOFF_MS)
}

impl SchedulingQueue {
    /// An empty queue.
    pub fn new() -> SchedulingQueue {
        SchedulingQueue::default()
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn unlink(&mut self, key: &PodKey) {
        if let Some(e) = self.pods.get(key) {
            match e.location {
                Location::Active => {
                    self.active.remove(&(Reverse(e.priority), e.timestamp, e.seq, key.clone()));
                }
                Location::Backoff => {
                    let exp = e.timestamp + backoff_duration(e.attempts);
                    self.backoff.remove(&(exp, e.seq, key.clone()));
                }
                _ => {}
            }
        }
    }

    fn place(&mut self, key: &PodKey, loc: Location) {
        let seq = self.next_seq();
        if let Some(e) = self.pods.get_mut(key) {
            e.location = loc;
            e.seq = seq;
            match loc {
                Location::Active => {
                    self.active.insert((Reverse(e.priority), e.timestamp, seq, key.clone()));
                }
                Location::Backoff => {
                    let exp = e.timestamp + backoff_duration(e.attempts);
                    self.backoff.insert((exp, seq, key.clone()));
                }
                _ => {}
            }
        }
    }

    /// Adds a new pending pod to activeQ (no-op if already queued).
    pub fn add(&mut self, key: PodKey, priority: i32, now: u64) {
        if self.pods.contains_key(&key) {
            return;
        }
        self.pods.insert(
            key.clone(),
            Entry { priority, timestamp: now, seq: 0, attempts: 0, location: Location::Active, rejected_by: Vec::new(), pop_cycle: None },
        );
        self.place(&key, Location::Active);
    }

    /// A pending pod changed: its priority is refreshed and, if it was unschedulable, it gets
    /// another chance (backoffQ if still backing off, else activeQ).
    pub fn update(&mut self, key: PodKey, priority: i32, now: u64) {
        let Some(e) = self.pods.get(&key).cloned() else {
            self.add(key, priority, now);
            return;
        };
        self.unlink(&key);
        if let Some(x) = self.pods.get_mut(&key) {
            x.priority = priority;
        }
        let loc = match e.location {
            Location::Unschedulable | Location::Backoff => self.active_or_backoff(&key, now),
            other => other,
        };
        self.place(&key, loc);
    }

    /// Removes a pod (deleted, or bound).
    pub fn delete(&mut self, key: &PodKey) {
        self.unlink(key);
        self.pods.remove(key);
    }

    fn active_or_backoff(&self, key: &PodKey, now: u64) -> Location {
        match self.pods.get(key) {
            Some(e) if e.attempts > 0 && e.timestamp + backoff_duration(e.attempts) > now => Location::Backoff,
            _ => Location::Active,
        }
    }

    /// Moves expired backoff pods and long-unschedulable pods to activeQ.
    pub fn flush(&mut self, now: u64) {
        while let Some((exp, _, key)) = self.backoff.first().cloned() {
            if exp > now {
                break;
            }
            self.backoff.pop_first();
            self.place(&key, Location::Active);
        }
        let stale: Vec<PodKey> = self
            .pods
            .iter()
            .filter(|(_, e)| e.location == Location::Unschedulable && e.timestamp + MAX_IN_UNSCHEDULABLE_MS <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for k in stale {
            let loc = self.active_or_backoff(&k, now);
            self.place(&k, loc);
        }
    }

    /// Pops the next pod to schedule at `now` (after flushing due pods); it is in flight until
    /// [`SchedulingQueue::done`] or one of the requeue calls.
    pub fn pop(&mut self, now: u64) -> Option<PodKey> {
        self.flush(now);
        let (_, _, _, key) = self.active.pop_first()?;
        let mc = self.move_cycle;
        if let Some(e) = self.pods.get_mut(&key) {
            e.location = Location::InFlight;
            e.attempts += 1;
            e.pop_cycle = Some(mc);
        }
        Some(key)
    }

    /// The pod was bound: forget it.
    pub fn done(&mut self, key: &PodKey) {
        self.delete(key);
    }

    /// The attempt failed as unschedulable: park the pod in the unschedulable pool, or in backoffQ
    /// if a relevant cluster event happened while it was being scheduled.
    pub fn requeue_unschedulable(&mut self, key: &PodKey, rejected_by: &[String], now: u64) {
        let Some(e) = self.pods.get_mut(key) else {
            return;
        };
        let moved = e.pop_cycle.take().is_some_and(|c| c < self.move_cycle);
        e.timestamp = now;
        e.rejected_by = rejected_by.to_vec();
        let loc = if moved { Location::Backoff } else { Location::Unschedulable };
        self.place(key, loc);
    }

    /// The attempt failed with an error: retry after backoff.
    pub fn requeue_backoff(&mut self, key: &PodKey, now: u64) {
        if let Some(e) = self.pods.get_mut(key) {
            e.pop_cycle = None;
            e.timestamp = now;
            self.place(key, Location::Backoff);
        }
    }

    /// A cluster event: unschedulable pods it may help move to activeQ or backoffQ.
    pub fn move_all_to_active_or_backoff(&mut self, event: ClusterEvent, now: u64) {
        self.move_cycle += 1;
        let keys: Vec<PodKey> = self
            .pods
            .iter()
            .filter(|(_, e)| {
                e.location == Location::Unschedulable
                    && (e.rejected_by.is_empty() || e.rejected_by.iter().any(|p| event.may_help(p)))
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            let loc = self.active_or_backoff(&k, now);
            self.place(&k, loc);
        }
    }

    /// When the caller should next call [`SchedulingQueue::pop`]: `now` if activeQ has pods,
    /// else the earliest backoff expiry or unschedulable timeout; `None` if nothing is waiting.
    pub fn next_wake(&self, now: u64) -> Option<u64> {
        if !self.active.is_empty() {
            return Some(now);
        }
        let b = self.backoff.first().map(|(exp, _, _)| *exp);
        let u = self.pods.values().filter(|e| e.location == Location::Unschedulable).map(|e| e.timestamp + MAX_IN_UNSCHEDULABLE_MS).min();
        match (b, u) {
            (Some(a), Some(b)) => Some(a.min(b).max(now)),
            (Some(a), None) | (None, Some(a)) => Some(a.max(now)),
            _ => None,
        }
    }

    /// Where a pod is, if queued.
    pub fn location(&self, key: &PodKey) -> Option<Location> {
        self.pods.get(key).map(|e| e.location)
    }

    /// Number of scheduling attempts so far.
    pub fn attempts(&self, key: &PodKey) -> u32 {
        self.pods.get(key).map_or(0, |e| e.attempts)
    }

    /// Number of pods in the queue (any location).
    pub fn len(&self) -> usize {
        self.pods.len()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.pods.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(n: &str) -> PodKey {
        PodKey::new("default", n)
    }

    #[test]
    fn priority_then_time() {
        let mut q = SchedulingQueue::new();
        q.add(k("low-early"), 0, 1);
        q.add(k("high"), 100, 5);
        q.add(k("low-late"), 0, 3);
        q.add(k("low-early2"), 0, 1);
        let order: Vec<_> = std::iter::from_fn(|| q.pop(10)).map(|k| k.name).collect();
        assert_eq!(order, vec!["high", "low-early", "low-early2", "low-late"]);
    }

    #[test]
    fn backoff_doubles_to_ten_seconds() {
        assert_eq!((1..=6).map(backoff_duration).collect::<Vec<_>>(), vec![1000, 2000, 4000, 8000, 10000, 10000]);
        let mut q = SchedulingQueue::new();
        q.add(k("p"), 0, 0);
        assert_eq!(q.pop(0), Some(k("p")));
        q.requeue_backoff(&k("p"), 100);
        assert_eq!(q.pop(500), None);
        assert_eq!(q.next_wake(500), Some(1100));
        assert_eq!(q.pop(1100), Some(k("p")));
        q.requeue_backoff(&k("p"), 2000);
        assert_eq!(q.next_wake(2000), Some(4000));
    }

    #[test]
    fn unschedulable_pods_wait_for_events_or_timeout() {
        let mut q = SchedulingQueue::new();
        q.add(k("p"), 0, 0);
        q.pop(0);
        q.requeue_unschedulable(&k("p"), &["VolumeBinding".to_string()], 0);
        assert_eq!(q.location(&k("p")), Some(Location::Unschedulable));
        // A node-port-style event does not help a volume problem... but PV changes do.
        q.move_all_to_active_or_backoff(ClusterEvent::AssignedPodUpdate, 10);
        assert_eq!(q.location(&k("p")), Some(Location::Unschedulable));
        q.move_all_to_active_or_backoff(ClusterEvent::PvcChange, 10);
        assert_eq!(q.location(&k("p")), Some(Location::Backoff)); // still within its 1 s backoff
        assert_eq!(q.pop(1000), Some(k("p")));
        q.requeue_unschedulable(&k("p"), &["NodeResourcesFit".to_string()], 2000);
        assert_eq!(q.next_wake(2000), Some(2000 + MAX_IN_UNSCHEDULABLE_MS));
        assert_eq!(q.pop(2000 + MAX_IN_UNSCHEDULABLE_MS), Some(k("p")));
    }

    #[test]
    fn event_during_flight_sends_to_backoff() {
        let mut q = SchedulingQueue::new();
        q.add(k("p"), 0, 0);
        q.pop(0);
        q.move_all_to_active_or_backoff(ClusterEvent::NodeAdd, 1);
        q.requeue_unschedulable(&k("p"), &[], 2);
        assert_eq!(q.location(&k("p")), Some(Location::Backoff));
    }
}
