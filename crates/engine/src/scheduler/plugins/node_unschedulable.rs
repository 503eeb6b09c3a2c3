//! NodeUnschedulable: cordoned nodes (`spec.unschedulable`) take no new pods unless the pod
//! tolerates the `node.kubernetes.io/unschedulable:NoSchedule` taint.

use super::taint_toleration::tolerates;
use crate::scheduler::cache::{NodeInfo, TaintInfo};
use crate::scheduler::framework::{CycleEnv, Plugin, PodCtx, Status};
use std::any::Any;

/// Plugin name.
pub const NAME: &str = "NodeUnschedulable";
/// Failure reason.
pub const ERR_REASON_UNSCHEDULABLE: &str = "node(s) were unschedulable";
/// The taint key a pod must tolerate to land on a cordoned node.
pub const TAINT_NODE_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

/// The NodeUnschedulable filter.
#[derive(Debug, Default, Clone, Copy)]
pub struct NodeUnschedulable;

impl Plugin for NodeUnschedulable {
    fn name(&self) -> &'static str {
        NAME
    }

    fn passes(&self, s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, env: &CycleEnv) -> bool {
        !node.unschedulable || self.filter(s, pod, node, env).is_success()
    }

    /// No node is cordoned.
    fn passes_everywhere(&self, _s: Option<&dyn Any>, _pod: &PodCtx, env: &CycleEnv) -> bool {
        env.cache.unschedulable_nodes() == 0
    }

    fn filter(&self, _s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> Status {
        if !node.unschedulable {
            return Status::success();
        }
        let taint = TaintInfo { key: TAINT_NODE_UNSCHEDULABLE.into(), value: String::new(), effect: "NoSchedule".into() };
        let tols = pod.spec.tolerations.as_deref().unwrap_or(&[]);
        if tols.iter().any(|t| tolerates(t, &taint)) {
            return Status::success();
        }
        Status::unresolvable(ERR_REASON_UNSCHEDULABLE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testutil::*;

    #[test]
    fn table() {
        let tol = "tolerations: [{key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoSchedule}]";
        let cases = [(false, "", None), (true, "", Some(ERR_REASON_UNSCHEDULABLE)), (true, tol, None)];
        for (cordoned, tols, want) in cases {
            let p = pod(&format!("metadata: {{name: p}}\nspec:\n  containers: []\n  {tols}"));
            let n = format!("metadata: {{name: n1}}\nspec: {{unschedulable: {cordoned}}}\nstatus: {{allocatable: {{pods: '10'}}}}");
            let h = Harness::new(vec![n], vec![]);
            assert_eq!(h.filter(&NodeUnschedulable, &p, "n1").reasons.first().map(String::as_str), want);
        }
    }
}
