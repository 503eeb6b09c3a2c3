//! ImageLocality: prefers nodes that already have the pod's images, weighting each image's size by
//! how widely it is spread over the cluster (to avoid piling pods onto the one node with an image).

use crate::scheduler::cache::{normalized_image_name, NodeInfo};
use crate::scheduler::framework::{div_nonneg, CycleEnv, Plugin, PodCtx, PreResult, MAX_NODE_SCORE};
use std::any::Any;

/// Plugin name.
pub const NAME: &str = "ImageLocality";
const MB: i64 = 1024 * 1024;
/// Below this total the score is 0.
pub const MIN_THRESHOLD: i64 = 23 * MB;
/// Per-container ceiling.
pub const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// The ImageLocality score plugin.
#[derive(Debug, Default, Clone, Copy)]
pub struct ImageLocality;

#[derive(Clone)]
struct State {
    /// The pod's images present on some node, by interned id, with their spread (nodes having
    /// it / all nodes). Images no node has contribute nothing and are left out.
    images: Vec<(u32, f64)>,
    containers: usize,
}

/// `calculatePriority`: clamps the summed scaled sizes and maps them to 0..=100.
pub fn calculate_priority(sum: i64, containers: usize) -> i64 {
    let max = MAX_CONTAINER_THRESHOLD * containers as i64;
    let s = if sum < MIN_THRESHOLD { MIN_THRESHOLD } else { sum.min(max.max(MIN_THRESHOLD)) };
    let span = max - MIN_THRESHOLD;
    if span <= 0 {
        return 0;
    }
    div_nonneg(MAX_NODE_SCORE * (s - MIN_THRESHOLD), span)
}

impl Plugin for ImageLocality {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_score(&self, pod: &PodCtx, env: &CycleEnv, _nodes: &[&NodeInfo]) -> PreResult {
        let total = env.cache.nodes().len().max(1) as f64;
        let images = pod
            .spec
            .init_containers
            .iter()
            .flatten()
            .chain(pod.spec.containers.iter())
            .filter_map(|c| c.image.as_deref())
            .filter_map(|i| {
                let n = normalized_image_name(i);
                let spread = env.cache.image_node_count(&n) as f64 / total;
                env.cache.image_id(&n).map(|id| (id, spread))
            })
            .collect();
        let containers = pod.spec.init_containers.as_ref().map_or(0, Vec::len) + pod.spec.containers.len();
        PreResult::with(State { images, containers })
    }

    fn score(&self, s: Option<&dyn Any>, _pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> i64 {
        match s.and_then(|s| s.downcast_ref::<State>()) {
            Some(st) => node_score(st, node),
            None => 0,
        }
    }

    fn score_all(&self, s: Option<&dyn Any>, _pod: &PodCtx, nodes: &[&NodeInfo], _env: &CycleEnv, out: &mut Vec<i64>) {
        match s.and_then(|s| s.downcast_ref::<State>()) {
            Some(st) => {
                // Nodes with the same images give the same sum: the last sum's priority is
                // reused instead of dividing again.
                let mut last = (i64::MIN, 0i64);
                out.extend(nodes.iter().map(|n| {
                    let sum = image_sum(st, n);
                    if sum != last.0 {
                        last = (sum, calculate_priority(sum, st.containers));
                    }
                    last.1
                }))
            }
            None => out.extend(nodes.iter().map(|_| 0)),
        }
    }
}

/// The score of one node: the pod's images present there, scaled by their spread.
#[inline]
fn node_score(st: &State, node: &NodeInfo) -> i64 {
    calculate_priority(image_sum(st, node), st.containers)
}

/// The sizes of the pod's images present on the node, each scaled by its spread.
#[inline]
fn image_sum(st: &State, node: &NodeInfo) -> i64 {
    let mut sum = 0i64;
    if !node.image_ids.is_empty() {
        for (img, spread) in &st.images {
            if let Some(size) = node.image_size(*img) {
                sum += (size as f64 * spread) as i64;
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testutil::*;

    #[test]
    fn table() {
        let n = |name: &str, images: &str| {
            format!("metadata: {{name: {name}}}\nstatus: {{allocatable: {{pods: '10'}}, images: [{images}]}}")
        };
        let h = Harness::new(
            vec![
                n("a", "{names: ['gcr.io/big:v1'], sizeBytes: 524288000}"),
                n("b", "{names: ['gcr.io/big:v1'], sizeBytes: 524288000}, {names: [small], sizeBytes: 10485760}"),
                n("c", ""),
            ],
            vec![],
        );
        let p = pod("metadata: {name: p}\nspec: {containers: [{name: a, image: 'gcr.io/big:v1'}, {name: b, image: small}]}");
        // big: 500MB * 2/3 = 333.3MB; small: 10MB * 1/3. max = 2000MB.
        // a: 100*(349525333-24117248)/(2097152000-24117248) = 15; b adds 3.5MB -> 15.
        let s = h.scores(&ImageLocality, &p);
        assert_eq!(s, vec![15, 15, 0]);
        assert_eq!(calculate_priority(0, 1), 0);
        assert_eq!(calculate_priority(5000 * MB, 1), 100);
    }
}
