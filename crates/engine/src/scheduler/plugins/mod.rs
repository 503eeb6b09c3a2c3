//! The in-tree plugins this simulator models, one file each, and the registry that builds them by
//! name (kube-scheduler's `plugins/registry.go`).

pub mod balanced_allocation;
pub mod image_locality;
pub mod inter_pod_affinity;
pub mod node_affinity;
pub mod node_name;
pub mod node_ports;
pub mod node_resources_fit;
pub mod node_unschedulable;
pub mod pod_topology_spread;
pub mod taint_toleration;
pub mod volume_binding;

use super::framework::Plugin;

/// Builds a plugin by its configuration name; `None` for unknown names.
pub fn new_plugin(name: &str) -> Option<Box<dyn Plugin>> {
    Some(match name {
        node_name::NAME => Box::new(node_name::NodeName),
        node_unschedulable::NAME => Box::new(node_unschedulable::NodeUnschedulable),
        taint_toleration::NAME => Box::new(taint_toleration::TaintToleration),
        node_affinity::NAME => Box::new(node_affinity::NodeAffinity),
        node_ports::NAME => Box::new(node_ports::NodePorts),
        node_resources_fit::NAME => Box::new(node_resources_fit::NodeResourcesFit),
        balanced_allocation::NAME => Box::new(balanced_allocation::BalancedAllocation),
        image_locality::NAME => Box::new(image_locality::ImageLocality),
        inter_pod_affinity::NAME => Box::new(inter_pod_affinity::InterPodAffinity),
        pod_topology_spread::NAME => Box::new(pod_topology_spread::PodTopologySpread),
        volume_binding::NAME => Box::new(volume_binding::VolumeBinding),
        _ => return None,
    })
}
