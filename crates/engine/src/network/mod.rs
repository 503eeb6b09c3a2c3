//! Networking: Services (ClusterIP, NodePort, LoadBalancer, ExternalName, headless), Endpoints
//! and EndpointSlices of ready pods, cluster DNS, Ingress routing and simulated HTTP.
//!
//! The controllers here play kube-controller-manager's endpoint and endpointslice controllers,
//! minikube's `tunnel` load-balancer patcher and ingress-nginx's status updater. The data path
//! (kube-proxy, CoreDNS, the ingress-nginx proxy) is modelled by [`http`] and [`dns`]: a request
//! is resolved, routed the way minikube's docker driver routes it (from the host only node IPs,
//! NodePorts and — with the tunnel — the service CIDR are reachable; from a pod everything is),
//! spread over ready endpoints with the seeded RNG as kube-proxy's iptables mode does, and
//! answered by the serving container's simulated image, which logs it.

pub mod dns;
pub mod endpoints;
pub mod http;
pub mod ingress;

use crate::vecmap::VecMap;
use crate::vecmap::VecSet;
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use crate::controllers::Cursor;
use crate::store::EventType;
use k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints, LoadBalancerIngress, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort as SlicePort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeSet;

pub use dns::{resolve, DnsAnswer};
pub use http::{HttpRequest, HttpResponse, NetError, Origin};

/// A `kubectl port-forward` session: a local port on the host forwarding to a pod's port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortForward {
    /// The pod the connection goes to.
    pub pod: ObjectKey,
    /// The pod's port.
    pub remote_port: i32,
}

/// The networking controllers (endpoints, endpoint slices, load balancers, ingress) and the
/// data-path state (tunnel, port-forwards, session affinity).
#[derive(Debug, Default, Clone)]
pub struct NetworkControllers {
    cursor: Cursor,
    queue: BTreeSet<ObjectKey>,
    ingress_dirty: bool,
    /// Whether `minikube tunnel` runs.
    pub tunnel: bool,
    /// `kubectl port-forward` sessions by local port.
    pub forwards: VecMap<u16, PortForward>,
    /// ClientIP session affinity: (service, client IP) -> (endpoint IP, expiry ms).
    pub affinity: VecMap<(ObjectKey, String), (String, u64)>,
}

impl NetworkControllers {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        !self.queue.is_empty() || self.cursor.behind(api) || self.ingress_dirty
    }

    /// One round: sync Endpoints/EndpointSlices of changed Services, load-balancer and ingress status.
    pub fn run(&mut self, api: &mut Api, woken: Vec<ObjectKey>) {
        let mut ingress = false;
        let mut pod_namespaces: VecSet<String> = VecSet::new();
        let keys = self.cursor.collect(
            api,
            |e, out| match &*e.object {
                Object::Service(_) => out.push(e.key.clone()),
                Object::Pod(p) => {
                    out.push(ObjectKey::new(Kind::Namespace, "", meta::namespace(&p.metadata)));
                }
                Object::Endpoints(_) if e.event_type == EventType::Deleted => out.push(ObjectKey::new(Kind::Service, &e.key.namespace, &e.key.name)),
                Object::Ingress(_) | Object::IngressClass(_) => out.push(ObjectKey::new(Kind::Ingress, "", "")),
                Object::EndpointSlice(s) if e.event_type == EventType::Deleted => {
                    if let Some(svc) = meta::label(&s.metadata, endpoints::SERVICE_NAME_LABEL) {
                        out.push(ObjectKey::new(Kind::Service, &e.key.namespace, svc));
                    }
                }
                _ => {}
            },
            |api| api.store.list(Kind::Service).map(|o| ObjectKey::of(o)).collect(),
        );
        for k in keys {
            match k.kind {
                Kind::Namespace => {
                    if k.name == ingress::NAMESPACE {
                        ingress = true;
                    }
                    pod_namespaces.insert(k.name);
                }
                Kind::Ingress => ingress = true,
                _ => {
                    self.queue.insert(k);
                }
            }
        }
        for ns in pod_namespaces {
            let svcs: Vec<ObjectKey> = api
                .store
                .list_ns(Kind::Service, &ns)
                .filter(|o| matches!(&***o, Object::Service(s) if s.spec.as_ref().and_then(|x| x.selector.as_ref()).is_some_and(|x| !x.is_empty())))
                .map(|o| ObjectKey::of(o))
                .collect();
            self.queue.extend(svcs);
        }
        self.queue.extend(woken.into_iter().filter(|k| k.kind == Kind::Service));
        for key in std::mem::take(&mut self.queue) {
            self.sync_service(api, &key);
        }
        if ingress || self.ingress_dirty {
            self.ingress_dirty = false;
            ingress::sync_status(api);
        }
        self.cursor.0 = api.store.next_seq();
    }

    fn sync_service(&mut self, api: &mut Api, key: &ObjectKey) {
        let svc = match api.store.get(key).map(|o| &**o) {
            Some(Object::Service(s)) => s.clone(),
            _ => {
                endpoints::remove_for_service(api, &key.namespace, &key.name);
                self.affinity.retain(|(k, _), _| k != key);
                return;
            }
        };
        if key.namespace == "default" && key.name == "kubernetes" {
            apiserver_endpoints(api, &svc);
            return;
        }
        let spec = svc.spec.clone().unwrap_or_default();
        if spec.type_.as_deref() == Some("ExternalName") || spec.selector.as_ref().is_none_or(|s| s.is_empty()) {
            // No selector: Endpoints are the user's; slices of this controller go away.
            for s in endpoints::managed_slices(api, &key.namespace, &key.name) {
                let _ = api.remove_now(&ObjectKey::new(Kind::EndpointSlice, &key.namespace, meta::name(&s.metadata)));
            }
            return;
        }
        let eps = endpoints::service_pod_endpoints(api, &svc);
        endpoints::sync_endpoints(api, &svc, &eps);
        endpoints::sync_slices(api, &svc, &eps);
        if spec.type_.as_deref() == Some("LoadBalancer") && self.tunnel {
            patch_lb(api, &svc);
        }
        if svc.metadata.namespace.as_deref() == Some(ingress::NAMESPACE) {
            self.ingress_dirty = true;
        }
    }

    /// Turns `minikube tunnel` on or off: on gives every LoadBalancer Service its ClusterIP as
    /// ingress IP (as minikube's load-balancer patcher does) and routes the service CIDR from
    /// the host. Off removes the route; the status stays, as minikube leaves it.
    pub fn set_tunnel(&mut self, api: &mut Api, on: bool) {
        self.tunnel = on;
        if on {
            let svcs: Vec<Service> = api
                .store
                .list(Kind::Service)
                .filter_map(|o| match &**o {
                    Object::Service(s) if s.spec.as_ref().and_then(|x| x.type_.as_deref()) == Some("LoadBalancer") => Some(s.clone()),
                    _ => None,
                })
                .collect();
            for s in svcs {
                patch_lb(api, &s);
            }
        }
    }
}

/// Sets a LoadBalancer Service's `status.loadBalancer.ingress` to its ClusterIP.
fn patch_lb(api: &mut Api, svc: &Service) {
    let Some(ip) = svc.spec.as_ref().and_then(|s| s.cluster_ip.clone()).filter(|ip| ip != "None" && !ip.is_empty()) else { return };
    let want = vec![LoadBalancerIngress { ip: Some(ip), ip_mode: Some("VIP".into()), ..Default::default() }];
    let cur = svc.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|l| l.ingress.clone());
    if cur.as_ref() == Some(&want) {
        return;
    }
    let mut s = svc.clone();
    s.status.get_or_insert_with(Default::default).load_balancer.get_or_insert_with(Default::default).ingress = Some(want);
    let _ = api.write(Object::Service(s));
}

/// The `kubernetes` Service's endpoints: the API server on the control-plane node, port 8443.
fn apiserver_endpoints(api: &mut Api, svc: &Service) {
    let Some(ip) = api.store.list(Kind::Node).find_map(|o| match &**o {
        Object::Node(n) if meta::label(&n.metadata, "node-role.kubernetes.io/control-plane").is_some() => {
            n.status.as_ref()?.addresses.as_ref()?.iter().find(|a| a.type_ == "InternalIP").map(|a| a.address.clone())
        }
        _ => None,
    }) else {
        return;
    };
    let ep_key = ObjectKey::new(Kind::Endpoints, "default", "kubernetes");
    if api.store.get(&ep_key).is_none() {
        let ep = Endpoints {
            metadata: ObjectMeta {
                name: Some("kubernetes".into()),
                namespace: Some("default".into()),
                labels: Some(crate::sort::btree_map([("endpointslice.kubernetes.io/skip-mirror".to_string(), "true".to_string())])),
                ..Default::default()
            },
            subsets: Some(vec![EndpointSubset {
                addresses: Some(vec![EndpointAddress { ip: ip.clone(), ..Default::default() }]),
                not_ready_addresses: None,
                ports: Some(vec![EndpointPort { name: Some("https".into()), port: 8443, protocol: Some("TCP".into()), app_protocol: None }]),
            }]),
        };
        let _ = api.create(Object::Endpoints(ep));
    }
    let sl_key = ObjectKey::new(Kind::EndpointSlice, "default", "kubernetes");
    if api.store.get(&sl_key).is_none() {
        let s = EndpointSlice {
            metadata: ObjectMeta {
                name: Some("kubernetes".into()),
                namespace: Some("default".into()),
                labels: Some(crate::sort::btree_map([(endpoints::SERVICE_NAME_LABEL.to_string(), "kubernetes".to_string())])),
                ..Default::default()
            },
            address_type: "IPv4".into(),
            endpoints: vec![Endpoint {
                addresses: vec![ip],
                conditions: Some(EndpointConditions { ready: Some(true), serving: None, terminating: None }),
                ..Default::default()
            }],
            ports: Some(vec![SlicePort { name: Some("https".into()), port: Some(8443), protocol: Some("TCP".into()), app_protocol: None }]),
        };
        let _ = api.create(Object::EndpointSlice(s));
    }
    let _ = svc;
}

impl crate::cluster::Cluster {
    /// `minikube tunnel` started (`true`) or stopped (`false`); settles afterwards.
    pub fn tunnel(&mut self, on: bool) {
        self.net.set_tunnel(&mut self.api, on);
        self.settle();
    }

    /// Registers a `kubectl port-forward` from `local_port` on the host to a pod's port.
    /// Errors are kubectl's: the pod must exist and be running.
    pub fn port_forward(&mut self, local_port: u16, pod: &ObjectKey, remote_port: i32) -> Result<(), String> {
        match self.api.store.get(pod).map(|o| &**o) {
            Some(Object::Pod(p)) => {
                if p.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Running") {
                    let phase = p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into());
                    return Err(format!("error: unable to forward port because pod is not running. Current status={phase}"));
                }
            }
            _ => return Err(format!("Error from server (NotFound): pods \"{}\" not found", pod.name)),
        }
        if self.net.forwards.contains_key(&local_port) {
            return Err(format!("Unable to listen on port {local_port}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:{local_port}: bind: address already in use unable to create listener: Error listen tcp6 [::1]:{local_port}: bind: address already in use]"));
        }
        self.net.forwards.insert(local_port, PortForward { pod: pod.clone(), remote_port });
        Ok(())
    }

    /// Stops the port-forward on a local port; returns whether there was one.
    pub fn stop_port_forward(&mut self, local_port: u16) -> bool {
        self.net.forwards.remove(&local_port).is_some()
    }

    /// The URLs `minikube service <name> --url` prints: `http://<node ip>:<nodePort>` per port.
    pub fn service_urls(&self, namespace: &str, name: &str) -> Result<Vec<String>, String> {
        let Some(Object::Service(svc)) = self.api.store.get(&ObjectKey::new(Kind::Service, namespace, name)).map(|o| &**o) else {
            return Err(format!("❌  Exiting due to SVC_NOT_FOUND: Service '{name}' was not found in '{namespace}' namespace.\nYou may select another namespace by using 'minikube service {name} -n <namespace>'. Or list out all the services using 'minikube service list'"));
        };
        let ty = svc.spec.as_ref().and_then(|s| s.type_.clone()).unwrap_or_else(|| "ClusterIP".into());
        if ty != "NodePort" && ty != "LoadBalancer" {
            return Err(format!("😿  service {namespace}/{name} has no node port"));
        }
        let ip = self.primary_node_ip();
        Ok(svc.spec.iter().flat_map(|s| s.ports.iter().flatten()).filter_map(|p| p.node_port).map(|np| format!("http://{ip}:{np}")).collect())
    }

    /// The control-plane node's IP (`minikube ip`).
    pub fn primary_node_ip(&self) -> String {
        self.kubelets.nodes.get(&self.options.profile).map(|a| a.ip.clone()).unwrap_or_else(|| "192.168.49.2".into())
    }
}
