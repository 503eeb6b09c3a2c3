//! NodeName: a pod that names a node in `spec.nodeName` fits only that node.

use crate::scheduler::cache::NodeInfo;
use crate::scheduler::framework::{CycleEnv, Plugin, PodCtx, Status};
use std::any::Any;

/// Plugin name.
pub const NAME: &str = "NodeName";
/// Failure reason.
pub const ERR_REASON: &str = "node(s) didn't match the requested node name";

/// The NodeName filter.
#[derive(Debug, Default, Clone, Copy)]
pub struct NodeName;

impl Plugin for NodeName {
    fn name(&self) -> &'static str {
        NAME
    }

    fn passes(&self, _s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> bool {
        !matches!(pod.spec.node_name.as_deref(), Some(n) if !n.is_empty() && n != node.name)
    }

    fn passes_everywhere(&self, _s: Option<&dyn Any>, pod: &PodCtx, _env: &CycleEnv) -> bool {
        pod.spec.node_name.as_deref().is_none_or(str::is_empty)
    }

    fn filter(&self, _s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> Status {
        match pod.spec.node_name.as_deref() {
            Some(n) if !n.is_empty() && n != node.name => Status::unresolvable(ERR_REASON),
            _ => Status::success(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testutil::*;

    #[test]
    fn table() {
        let cases = [("", "n1", None), ("n1", "n1", None), ("n2", "n1", Some(ERR_REASON))];
        for (want, node, reason) in cases {
            let p = pod(&format!("metadata: {{name: p}}\nspec: {{nodeName: '{want}', containers: []}}"));
            let h = Harness::new(vec![node_yaml(node, "", "")], vec![]);
            assert_eq!(h.filter(&NodeName, &p, node).reasons.first().map(String::as_str), reason, "{want} on {node}");
        }
    }
}
