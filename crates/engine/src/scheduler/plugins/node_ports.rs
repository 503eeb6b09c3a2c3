//! NodePorts: a pod's `hostPort`s must be free on the node (same protocol and port, and the same
//! host IP or either side bound to `0.0.0.0`).

use crate::scheduler::cache::{HostPort, NodeInfo};
use crate::scheduler::framework::{CycleEnv, Plugin, PodCtx, PreResult, Status};
use std::any::Any;

/// Plugin name.
pub const NAME: &str = "NodePorts";
/// Failure reason.
pub const ERR_REASON: &str = "node(s) didn't have free ports for the requested pod ports";

/// Whether a wanted host port conflicts with one in use (`HostPortInfo.CheckConflict`).
pub fn conflicts(want: &HostPort, used: &HostPort) -> bool {
    want.port == used.port && want.protocol == used.protocol && (want.ip == "0.0.0.0" || used.ip == "0.0.0.0" || want.ip == used.ip)
}

/// The NodePorts filter.
#[derive(Debug, Default, Clone, Copy)]
pub struct NodePorts;

impl Plugin for NodePorts {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter(&self, pod: &PodCtx, _env: &CycleEnv) -> PreResult {
        if pod.info.host_ports.is_empty() {
            PreResult::skip()
        } else {
            PreResult::ok()
        }
    }

    fn passes(&self, s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, env: &CycleEnv) -> bool {
        node.used_ports.is_empty() || self.filter(s, pod, node, env).is_success()
    }

    fn filter(&self, _s: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> Status {
        for w in &pod.info.host_ports {
            if node.used_ports.iter().any(|u| conflicts(w, u)) {
                return Status::unschedulable(ERR_REASON);
            }
        }
        Status::success()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testutil::*;

    #[test]
    fn table() {
        let existing = "metadata: {name: e}\nspec: {nodeName: n1, containers: [{name: c, image: x, ports: [{containerPort: 80, hostPort: 8080, hostIP: 127.0.0.1}]}]}";
        let h = Harness::new(vec![node_yaml("n1", "", "")], vec![existing.into()]);
        let cases = [
            ("{containerPort: 80}", true),
            ("{containerPort: 80, hostPort: 8081}", true),
            ("{containerPort: 80, hostPort: 8080}", false),
            ("{containerPort: 80, hostPort: 8080, hostIP: 127.0.0.1}", false),
            ("{containerPort: 80, hostPort: 8080, hostIP: 10.0.0.1}", true),
            ("{containerPort: 80, hostPort: 8080, protocol: UDP}", true),
        ];
        for (port, ok) in cases {
            let p = pod(&format!("metadata: {{name: p}}\nspec: {{containers: [{{name: c, image: x, ports: [{port}]}}]}}"));
            let s = h.filter(&NodePorts, &p, "n1");
            assert_eq!(s.is_success(), ok, "{port}");
            if !ok {
                assert_eq!(s.reasons, vec![ERR_REASON.to_string()]);
            }
        }
    }
}
