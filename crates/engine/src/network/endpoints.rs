//! The Endpoints and EndpointSlice controllers (pkg/controller/endpoint and
//! pkg/controller/endpointslice): for every Service with a selector, the pods it selects that
//! have an IP and are not finished become addresses — ready pods in `addresses`, unready ones in
//! `notReadyAddresses` — grouped by the set of resolved target ports, as `RepackSubsets` does.
//! Slices carry the same endpoints with `ready`/`serving`/`terminating` conditions.

use crate::vecmap::VecMap;
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use crate::controllers::pod_is_ready;
use crate::selector::map_selector_matches;
use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service, ServicePort,
};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort as SlicePort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// The label naming the Service of an EndpointSlice.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// The label naming the controller that manages an EndpointSlice.
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
/// The value of [`MANAGED_BY_LABEL`] for slices of this controller.
pub const MANAGED_BY: &str = "endpointslice-controller.k8s.io";
/// The label set on Endpoints and slices of headless Services.
pub const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";
/// The annotation with the time of the last change that triggered an update.
pub const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";

/// One pod endpoint of a Service, before packing.
#[derive(Clone, Debug, PartialEq)]
pub struct PodEndpoint {
    /// Pod IP.
    pub ip: String,
    /// Pod name.
    pub pod: String,
    /// Pod uid.
    pub uid: String,
    /// Node the pod runs on.
    pub node: Option<String>,
    /// `spec.hostname` when the pod's subdomain is the Service.
    pub hostname: Option<String>,
    /// Whether the pod is Ready.
    pub ready: bool,
    /// Whether the pod is terminating.
    pub terminating: bool,
    /// Resolved ports (service port name, target port number, protocol).
    pub ports: Vec<(String, i32, String)>,
}

/// Whether a Service is headless (`clusterIP: None`).
pub fn is_headless(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

/// Resolves a Service port's targetPort against a pod: a number, or a container port by name.
pub fn resolve_target_port(sp: &ServicePort, pod: &Pod) -> Option<i32> {
    match sp.target_port.as_ref() {
        None => Some(sp.port),
        Some(IntOrString::Int(p)) => Some(*p),
        Some(IntOrString::String(name)) => {
            if let Ok(n) = name.parse::<i32>() {
                return Some(n);
            }
            let spec = pod.spec.as_ref()?;
            spec.containers
                .iter()
                .flat_map(|c| c.ports.iter().flatten())
                .find(|p| p.name.as_deref() == Some(name.as_str()) && p.protocol.as_deref().unwrap_or("TCP") == sp.protocol.as_deref().unwrap_or("TCP"))
                .map(|p| p.container_port)
        }
    }
}

/// The pods a Service selects, as endpoints (terminal pods and pods without an IP excluded).
pub fn service_pod_endpoints(api: &Api, svc: &Service) -> Vec<PodEndpoint> {
    let Some(spec) = svc.spec.as_ref() else { return Vec::new() };
    let Some(sel) = spec.selector.as_ref() else { return Vec::new() };
    if sel.is_empty() {
        return Vec::new();
    }
    let ns = meta::namespace(&svc.metadata);
    let svc_name = meta::name(&svc.metadata);
    let empty = BTreeMap::new();
    let mut out = Vec::new();
    for o in api.store.list_ns(Kind::Pod, ns) {
        let Object::Pod(p) = &**o else { continue };
        if !map_selector_matches(sel, p.metadata.labels.as_ref().unwrap_or(&empty)) {
            continue;
        }
        let st = p.status.as_ref();
        if matches!(st.and_then(|s| s.phase.as_deref()), Some("Succeeded") | Some("Failed")) {
            continue;
        }
        let Some(ip) = st.and_then(|s| s.pod_ip.clone()).filter(|ip| !ip.is_empty()) else { continue };
        let pspec = p.spec.as_ref();
        let hostname = pspec
            .filter(|s| s.subdomain.as_deref() == Some(svc_name))
            .and_then(|s| s.hostname.clone())
            .filter(|h| !h.is_empty());
        let mut ports = Vec::new();
        for sp in spec.ports.iter().flatten() {
            if let Some(tp) = resolve_target_port(sp, p) {
                ports.push((sp.name.clone().unwrap_or_default(), tp, sp.protocol.clone().unwrap_or_else(|| "TCP".into())));
            }
        }
        out.push(PodEndpoint {
            ip,
            pod: meta::name(&p.metadata).to_string(),
            uid: meta::uid(&p.metadata).to_string(),
            node: pspec.and_then(|s| s.node_name.clone()),
            hostname,
            ready: pod_is_ready(p),
            terminating: p.metadata.deletion_timestamp.is_some(),
            ports,
        });
    }
    out
}

fn target_ref(ns: &str, e: &PodEndpoint) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".into()),
        namespace: Some(ns.to_string()),
        name: Some(e.pod.clone()),
        uid: Some(e.uid.clone()),
        ..Default::default()
    }
}

fn ip_key(ip: &str) -> Vec<u32> {
    ip.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// The Endpoints subsets for a Service's pods, repacked by port set and sorted as Kubernetes does.
pub fn subsets(svc: &Service, eps: &[PodEndpoint]) -> Option<Vec<EndpointSubset>> {
    let ns = meta::namespace(&svc.metadata);
    let publish = svc.spec.as_ref().and_then(|s| s.publish_not_ready_addresses).unwrap_or(false);
    let headless_no_ports = is_headless(svc) && svc.spec.as_ref().and_then(|s| s.ports.as_ref()).is_none_or(|p| p.is_empty());
    // (port name, number, protocol) of each port -> (ready, not-ready) addresses.
    type Ports = Vec<(String, i32, String)>;
    let mut groups: VecMap<Ports, (Vec<EndpointAddress>, Vec<EndpointAddress>)> = VecMap::new();
    for e in eps {
        if e.terminating && !publish {
            continue;
        }
        if e.ports.is_empty() && !headless_no_ports {
            continue;
        }
        let mut ports = e.ports.clone();
        crate::sort::sort(&mut ports);
        let addr = EndpointAddress { ip: e.ip.clone(), hostname: e.hostname.clone(), node_name: e.node.clone(), target_ref: Some(target_ref(ns, e)) };
        let g = groups.entry(ports).or_default();
        if e.ready || publish {
            g.0.push(addr);
        } else {
            g.1.push(addr);
        }
    }
    if groups.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for (ports, (mut ready, mut not_ready)) in groups {
        crate::sort::sort_by(&mut ready, |a, b| ip_key(&a.ip).cmp(&ip_key(&b.ip)));
        crate::sort::sort_by(&mut not_ready, |a, b| ip_key(&a.ip).cmp(&ip_key(&b.ip)));
        out.push(EndpointSubset {
            addresses: if ready.is_empty() { None } else { Some(ready) },
            not_ready_addresses: if not_ready.is_empty() { None } else { Some(not_ready) },
            ports: if ports.is_empty() {
                None
            } else {
                Some(
                    ports
                        .into_iter()
                        .map(|(name, port, protocol)| EndpointPort { name: if name.is_empty() { None } else { Some(name) }, port, protocol: Some(protocol), app_protocol: None })
                        .collect(),
                )
            },
        });
    }
    Some(out)
}

fn endpoint_labels(svc: &Service) -> BTreeMap<String, String> {
    let mut labels = svc.metadata.labels.clone().unwrap_or_default();
    if is_headless(svc) {
        labels.insert(HEADLESS_LABEL.into(), String::new());
    }
    labels
}

fn trigger_time(api: &Api) -> String {
    api.clock.now_secs().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Writes the Endpoints object of a Service (creating, updating or leaving it as it is).
pub fn sync_endpoints(api: &mut Api, svc: &Service, eps: &[PodEndpoint]) {
    let ns = meta::namespace(&svc.metadata).to_string();
    let name = meta::name(&svc.metadata).to_string();
    let key = ObjectKey::new(Kind::Endpoints, &ns, &name);
    let subsets = subsets(svc, eps);
    let labels = endpoint_labels(svc);
    match api.store.get(&key).map(|o| (**o).clone()) {
        Some(Object::Endpoints(mut old)) => {
            let same = old.subsets == subsets && old.metadata.labels.clone().unwrap_or_default() == labels;
            if same {
                return;
            }
            old.subsets = subsets;
            old.metadata.labels = if labels.is_empty() { None } else { Some(labels) };
            old.metadata.annotations.get_or_insert_with(Default::default).insert(TRIGGER_TIME.into(), trigger_time(api));
            let _ = api.write(Object::Endpoints(old));
        }
        _ => {
            let ep = Endpoints {
                metadata: ObjectMeta {
                    name: Some(name),
                    namespace: Some(ns),
                    labels: if labels.is_empty() { None } else { Some(labels) },
                    annotations: Some(crate::sort::btree_map([(TRIGGER_TIME.to_string(), trigger_time(api))])),
                    ..Default::default()
                },
                subsets,
            };
            let _ = api.create(Object::Endpoints(ep));
        }
    }
}

/// The slices the controller manages for a Service, by name.
pub fn managed_slices(api: &Api, ns: &str, svc: &str) -> Vec<EndpointSlice> {
    api.store
        .list_ns(Kind::EndpointSlice, ns)
        .filter_map(|o| match &**o {
            Object::EndpointSlice(s)
                if meta::label(&s.metadata, SERVICE_NAME_LABEL) == Some(svc) && meta::label(&s.metadata, MANAGED_BY_LABEL) == Some(MANAGED_BY) =>
            {
                Some(s.clone())
            }
            _ => None,
        })
        .collect()
}

/// Writes the EndpointSlices of a Service: one per port set, at most 100 endpoints each.
pub fn sync_slices(api: &mut Api, svc: &Service, eps: &[PodEndpoint]) {
    let ns = meta::namespace(&svc.metadata).to_string();
    let name = meta::name(&svc.metadata).to_string();
    let headless_no_ports = is_headless(svc) && svc.spec.as_ref().and_then(|s| s.ports.as_ref()).is_none_or(|p| p.is_empty());
    let mut groups: VecMap<Vec<(String, i32, String)>, Vec<&PodEndpoint>> = VecMap::new();
    for e in eps {
        if e.ports.is_empty() && !headless_no_ports {
            continue;
        }
        let mut ports = e.ports.clone();
        crate::sort::sort(&mut ports);
        groups.entry(ports).or_default().push(e);
    }
    // An empty service still gets one slice with no endpoints.
    if groups.is_empty() {
        let ports: Vec<(String, i32, String)> = if headless_no_ports {
            Vec::new()
        } else {
            svc.spec
                .iter()
                .flat_map(|s| s.ports.iter().flatten())
                .filter_map(|sp| match sp.target_port.as_ref() {
                    Some(IntOrString::String(_)) => None,
                    _ => Some((sp.name.clone().unwrap_or_default(), resolve_target_port(sp, &Pod::default()).unwrap_or(sp.port), sp.protocol.clone().unwrap_or_else(|| "TCP".into()))),
                })
                .collect()
        };
        groups.insert(ports, Vec::new());
    }
    let mut labels = endpoint_labels(svc);
    labels.insert(SERVICE_NAME_LABEL.into(), name.clone());
    labels.insert(MANAGED_BY_LABEL.into(), MANAGED_BY.into());
    let owner = crate::controllers::owner_ref(&Object::Service(svc.clone()));
    let mut wanted: Vec<(Option<Vec<SlicePort>>, Vec<Endpoint>)> = Vec::new();
    for (ports, members) in groups {
        let slice_ports: Vec<SlicePort> = ports
            .iter()
            .map(|(n, p, proto)| SlicePort { name: Some(n.clone()), port: Some(*p), protocol: Some(proto.clone()), app_protocol: None })
            .collect();
        let endpoints: Vec<Endpoint> = members
            .iter()
            .map(|e| Endpoint {
                addresses: vec![e.ip.clone()],
                conditions: Some(EndpointConditions { ready: Some(e.ready && !e.terminating), serving: Some(e.ready), terminating: Some(e.terminating) }),
                hostname: e.hostname.clone(),
                node_name: e.node.clone(),
                target_ref: Some(target_ref(&ns, e)),
                ..Default::default()
            })
            .collect();
        let chunks: Vec<Vec<Endpoint>> = if endpoints.is_empty() { vec![Vec::new()] } else { endpoints.chunks(100).map(|c| c.to_vec()).collect() };
        for chunk in chunks {
            wanted.push((if headless_no_ports { None } else { Some(slice_ports.clone()) }, chunk));
        }
    }
    let existing = managed_slices(api, &ns, &name);
    let n = wanted.len();
    for (i, (ports, endpoints)) in wanted.into_iter().enumerate() {
        match existing.get(i).cloned() {
            Some(mut s) => {
                let same = s.ports == ports && s.endpoints == endpoints && s.metadata.labels.as_ref() == Some(&labels);
                if !same {
                    s.ports = ports;
                    s.endpoints = endpoints;
                    s.metadata.labels = Some(labels.clone());
                    s.metadata.annotations.get_or_insert_with(Default::default).insert(TRIGGER_TIME.into(), trigger_time(api));
                    let _ = api.write(Object::EndpointSlice(s));
                }
            }
            None => {
                let s = EndpointSlice {
                    metadata: ObjectMeta {
                        generate_name: Some(format!("{name}-")),
                        namespace: Some(ns.clone()),
                        labels: Some(labels.clone()),
                        annotations: Some(crate::sort::btree_map([(TRIGGER_TIME.to_string(), trigger_time(api))])),
                        owner_references: Some(vec![owner.clone()]),
                        ..Default::default()
                    },
                    address_type: "IPv4".into(),
                    endpoints,
                    ports,
                };
                let _ = api.create(Object::EndpointSlice(s));
            }
        }
    }
    for extra in existing.iter().skip(n) {
        let _ = api.remove_now(&ObjectKey::new(Kind::EndpointSlice, &ns, meta::name(&extra.metadata)));
    }
}

/// Removes the controller's Endpoints and slices of a deleted Service.
pub fn remove_for_service(api: &mut Api, ns: &str, name: &str) {
    let key = ObjectKey::new(Kind::Endpoints, ns, name);
    if api.store.get(&key).is_some() {
        let _ = api.remove_now(&key);
    }
    for s in managed_slices(api, ns, name) {
        let _ = api.remove_now(&ObjectKey::new(Kind::EndpointSlice, ns, meta::name(&s.metadata)));
    }
}

/// The ready addresses of a Service for a port: (pod key, ip, target port, node).
pub fn ready_backends(api: &Api, svc: &Service, port: &ServicePort) -> Vec<(ObjectKey, String, i32, Option<String>)> {
    let ns = meta::namespace(&svc.metadata);
    let name = meta::name(&svc.metadata);
    let Some(Object::Endpoints(ep)) = api.store.get(&ObjectKey::new(Kind::Endpoints, ns, name)).map(|o| &**o) else { return Vec::new() };
    let pname = port.name.clone().unwrap_or_default();
    let mut out = Vec::new();
    for ss in ep.subsets.iter().flatten() {
        let ports = ss.ports.clone().unwrap_or_default();
        let matched = ports.iter().find(|p| p.name.clone().unwrap_or_default() == pname || (ports.len() == 1 && pname.is_empty()));
        let Some(p) = matched else { continue };
        for a in ss.addresses.iter().flatten() {
            let pod = a.target_ref.as_ref().and_then(|r| r.name.clone()).map(|n| ObjectKey::new(Kind::Pod, ns, &n));
            out.push((pod.unwrap_or_else(|| ObjectKey::new(Kind::Pod, ns, "")), a.ip.clone(), p.port, a.node_name.clone()));
        }
    }
    out
}
