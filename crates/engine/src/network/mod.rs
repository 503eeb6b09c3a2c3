//! Networking: Services (ClusterIP, NodePort, LoadBalancer, ExternalName, headless), Endpoints
//! and EndpointSlices of ready pods, cluster DNS, Ingress routing and simulated HTTP.

use crate::api::ObjectKey;
use crate::apiserver::Api;

/// The networking controllers (endpoints, endpoint slices, load balancers, ingress).
#[derive(Debug, Default, Clone)]
pub struct NetworkControllers {}

impl NetworkControllers {
    /// Whether there is work.
    pub fn has_work(&self, _api: &Api) -> bool {
        false
    }

    /// One round.
    pub fn run(&mut self, _api: &mut Api, _woken: Vec<ObjectKey>) {}
}
