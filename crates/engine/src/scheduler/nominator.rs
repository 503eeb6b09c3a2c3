//! The nominator (kube-scheduler's `backend/queue` nominator): which pending pods are nominated
//! to which node (`status.nominatedNodeName`, set after a preemption). The Filter phase counts a
//! node's nominated pods of equal or higher priority as if they were already running there
//! (`RunFilterPluginsWithNominatedPods`), so the room freed for a preemptor is not taken by a pod
//! that may not preempt it.
//!
//! Entries come from pod events (a pending pod carrying a nominated node) and directly from the
//! scheduling cycle (a preemption nominates its node at once, as `handleSchedulingFailure` does);
//! they go when the pod is bound, assumed, deleted, or its nomination is cleared.

use crate::vecmap::VecMap;
use super::cache::{PodInfo, PodKey};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Pods nominated to nodes, per node in nomination order.
#[derive(Clone, Debug, Default)]
pub struct Nominator {
    by_node: VecMap<String, Vec<Arc<PodInfo>>>,
    node_of: BTreeMap<PodKey, String>,
}

impl Nominator {
    /// No pod is nominated anywhere (the Filter phase's fast path).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.node_of.is_empty()
    }

    /// How many pods are nominated.
    pub fn len(&self) -> usize {
        self.node_of.len()
    }

    /// Nominates a pod to a node, replacing any earlier nomination of it.
    pub fn add(&mut self, info: Arc<PodInfo>, node: &str) {
        self.remove(&info.key);
        if node.is_empty() {
            return;
        }
        self.node_of.insert(info.key.clone(), node.to_string());
        self.by_node.entry(node.to_string()).or_default().push(info);
    }

    /// Drops a pod's nomination; returns the node it was nominated to.
    pub fn remove(&mut self, key: &PodKey) -> Option<String> {
        let node = self.node_of.remove(key)?;
        if let Some(list) = self.by_node.get_mut(&node) {
            list.retain(|p| &p.key != key);
            if list.is_empty() {
                self.by_node.remove(&node);
            }
        }
        Some(node)
    }

    /// The pods nominated to a node, in nomination order.
    pub fn pods_for_node(&self, node: &str) -> &[Arc<PodInfo>] {
        self.by_node.get(node).map_or(&[], Vec::as_slice)
    }

    /// The node a pod is nominated to, if any.
    pub fn nominated_node(&self, key: &PodKey) -> Option<&str> {
        self.node_of.get(key).map(String::as_str)
    }
}
