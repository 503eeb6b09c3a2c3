//! What the cluster map shows, computed from the cluster in one pass: node cards with their
//! pods, the Pending lane, workloads, Services with their endpoints, and storage.
//!
//! The model is plain data with `PartialEq`, so a node card whose view did not change is not
//! re-rendered; the map rebuilds the model only when the cluster's resourceVersion moves. A
//! [`ViewCache`] keeps what was derived from each pod object between builds, so a build redoes
//! only the pods that changed (the store replaces a changed object's `Arc`).

use pilothouse_engine::vecmap::VecMap;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use pilothouse_engine::api::quantity::{format_bytes, parse_int, parse_milli};
use pilothouse_engine::kubelet::pod_request;
use pilothouse_engine::{Cluster, Kind, Object, ObjectKey};
use pilothouse_kubectl::printers::pod_row;

/// Above this many pods a node card shows counts per state instead of one chip per pod.
pub const COLLAPSE_AT: usize = 48;

/// How a pod looks on the map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodChip {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// CSS class for its state (`ok`, `warn`, `pending`, `done`, `bad`, `terminating`).
    pub class: &'static str,
    /// The STATUS column of `kubectl get pods`.
    pub status: String,
    /// The READY column.
    pub ready: String,
    /// Why it is Pending (the scheduler's message), for the Pending lane.
    pub reason: String,
}

impl PodChip {
    /// The pod's key.
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(Kind::Pod, &self.namespace, &self.name)
    }
}

/// One node card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// Name.
    pub name: String,
    /// ROLES column.
    pub roles: String,
    /// STATUS column (`Ready`, `NotReady`, `Ready,SchedulingDisabled`).
    pub status: String,
    /// Whether Ready is True.
    pub ready: bool,
    /// `spec.unschedulable`.
    pub cordoned: bool,
    /// Taints as `key=value:Effect`.
    pub taints: Vec<String>,
    /// CPU requested by its pods, millicores.
    pub cpu_requested: i64,
    /// Allocatable CPU, millicores.
    pub cpu_allocatable: i64,
    /// Memory requested, bytes.
    pub mem_requested: i64,
    /// Allocatable memory, bytes.
    pub mem_allocatable: i64,
    /// Its pods (all of them; the card collapses them above [`COLLAPSE_AT`]).
    pub pods: Vec<Rc<PodChip>>,
}

impl NodeView {
    /// Pods per state class, for the collapsed card.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        let mut m: VecMap<&'static str, usize> = VecMap::new();
        for p in &self.pods {
            *m.entry(p.class).or_default() += 1;
        }
        m.into_iter().collect()
    }
}

/// A workload (Deployment, StatefulSet, DaemonSet, Job).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadView {
    /// Its key.
    pub key: ObjectKey,
    /// `ready/desired`.
    pub ready: String,
    /// Whether all replicas are ready.
    pub healthy: bool,
}

/// A Service and its endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceView {
    /// Its key.
    pub key: ObjectKey,
    /// `ClusterIP`, `NodePort`, ...
    pub kind: String,
    /// Cluster IP.
    pub cluster_ip: String,
    /// Ports (`80/TCP`).
    pub ports: String,
    /// Ready endpoint pods (namespace, name, ip).
    pub endpoints: Vec<(String, String)>,
    /// Not-ready endpoint count.
    pub not_ready: usize,
}

/// A row of the storage section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageRow {
    /// Its key.
    pub key: ObjectKey,
    /// Status (`Bound`, `Pending`, `Available`) or the provisioner for a class.
    pub status: String,
    /// What it points to (PVC → PV, PV → class).
    pub target: Option<ObjectKey>,
    /// Capacity or access detail.
    pub detail: String,
}

/// Everything on the map.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MapModel {
    /// Node cards, by name.
    pub nodes: Vec<Rc<NodeView>>,
    /// Pods without a node.
    pub pending: Vec<Rc<PodChip>>,
    /// Workloads.
    pub workloads: Vec<WorkloadView>,
    /// Services.
    pub services: Vec<ServiceView>,
    /// PVCs, PVs, StorageClasses.
    pub storage: Vec<StorageRow>,
}

fn class_of(status: &str, ready: &str, terminating: bool) -> &'static str {
    if terminating || status == "Terminating" {
        return "terminating";
    }
    let all_ready = match ready.split_once('/') {
        Some((a, b)) => a == b && b != "0",
        None => false,
    };
    match status {
        "Running" if all_ready => "ok",
        "Running" => "warn",
        "Completed" | "Succeeded" => "done",
        "Pending" | "ContainerCreating" | "PodInitializing" => "pending",
        s if s.starts_with("Init:") && !s.contains("Err") && !s.contains("BackOff") => "pending",
        _ => "bad",
    }
}

/// The chip of a pod.
pub fn pod_chip(obj: &Object, cluster: &Cluster) -> Option<PodChip> {
    let pod = obj.as_pod()?;
    let (ready, status, _) = pod_row(pod, cluster.api.clock.now());
    let terminating = pod.metadata.deletion_timestamp.is_some();
    let reason = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "PodScheduled" && c.status == "False"))
        .and_then(|c| c.message.clone())
        .unwrap_or_default();
    Some(PodChip {
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        name: pod.metadata.name.clone().unwrap_or_default(),
        class: class_of(&status, &ready, terminating),
        status,
        ready,
        reason,
    })
}

/// What a build derived from one pod object.
#[derive(Debug)]
struct CachedPod {
    /// The object it was derived from; holding it keeps its address from being reused.
    obj: Arc<Object>,
    chip: Rc<PodChip>,
    node: Option<String>,
    /// CPU (millicores) and memory (bytes) it requests from its node, when it counts.
    requests: Option<(i64, i64)>,
    round: u64,
}

/// What [`build_with`] derived from each pod, kept between builds by the object's address (a
/// changed pod is a new `Arc` in the store, so an entry is valid as long as its `Arc` is the
/// store's). A chip does not depend on the clock: `pod_row`'s READY and STATUS read only the pod.
#[derive(Debug, Default)]
pub struct ViewCache {
    pods: BTreeMap<usize, CachedPod>,
    round: u64,
}

impl ViewCache {
    /// Pods it holds (those of the last build).
    pub fn len(&self) -> usize {
        self.pods.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.pods.is_empty()
    }
}

fn cached_pod(obj: &Arc<Object>, cluster: &Cluster, round: u64) -> Option<CachedPod> {
    let pod = obj.as_pod()?;
    let chip = pod_chip(obj, cluster)?;
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
    let requests = (node.is_some() && phase != "Succeeded" && phase != "Failed").then(|| (pod_request(pod, "cpu"), pod_request(pod, "memory")));
    Some(CachedPod { obj: Arc::clone(obj), chip: Rc::new(chip), node, requests, round })
}

/// Builds the map model from the cluster.
pub fn build(cluster: &Cluster) -> MapModel {
    build_with(cluster, &mut ViewCache::default())
}

/// Builds the map model from the cluster, reusing what `cache` derived from unchanged pods in
/// earlier builds (and keeping this build's for the next).
pub fn build_with(cluster: &Cluster, cache: &mut ViewCache) -> MapModel {
    cache.round += 1;
    let round = cache.round;
    let mut order = Vec::new();
    for obj in cluster.api.store.list(Kind::Pod) {
        let addr = Arc::as_ptr(obj) as usize;
        match cache.pods.get_mut(&addr) {
            Some(c) if Arc::ptr_eq(&c.obj, obj) => c.round = round,
            _ => match cached_pod(obj, cluster, round) {
                Some(c) => {
                    cache.pods.insert(addr, c);
                }
                None => continue,
            },
        }
        order.push(addr);
    }
    cache.pods.retain(|_, c| c.round == round);
    let mut by_node: VecMap<&str, Vec<Rc<PodChip>>> = VecMap::new();
    let mut requests: VecMap<&str, (i64, i64)> = VecMap::new();
    let mut pending = Vec::new();
    for addr in &order {
        let Some(c) = cache.pods.get(addr) else { continue };
        match c.node.as_deref() {
            Some(node) => {
                if let Some((cpu, mem)) = c.requests {
                    let r = requests.entry(node).or_default();
                    r.0 += cpu;
                    r.1 += mem;
                }
                by_node.entry(node).or_default().push(Rc::clone(&c.chip));
            }
            None => pending.push(Rc::clone(&c.chip)),
        }
    }
    let mut nodes = Vec::new();
    for obj in cluster.api.store.list(Kind::Node) {
        let Object::Node(n) = obj.as_ref() else { continue };
        let name = n.metadata.name.clone().unwrap_or_default();
        let alloc = n.status.as_ref().and_then(|s| s.allocatable.as_ref());
        let cpu_allocatable = alloc.and_then(|a| a.get("cpu")).and_then(|q| parse_milli(&q.0)).unwrap_or(0);
        let mem_allocatable = alloc.and_then(|a| a.get("memory")).and_then(|q| parse_int(&q.0)).unwrap_or(0);
        let ready = n
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
            .is_some_and(|c| c.status == "True");
        let spec = n.spec.as_ref();
        let taints = spec
            .and_then(|s| s.taints.as_ref())
            .map(|ts| {
                ts.iter()
                    .map(|t| match &t.value {
                        Some(v) if !v.is_empty() => format!("{}={}:{}", t.key, v, t.effect),
                        _ => format!("{}:{}", t.key, t.effect),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let (cpu_requested, mem_requested) = requests.get(name.as_str()).copied().unwrap_or((0, 0));
        nodes.push(Rc::new(NodeView {
            roles: roles_of(&n.metadata),
            status: {
                let base = match n.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|cs| cs.iter().find(|c| c.type_ == "Ready")) {
                    Some(c) if c.status == "True" => "Ready",
                    Some(_) => "NotReady",
                    None => "Unknown",
                };
                if spec.and_then(|s| s.unschedulable).unwrap_or(false) { format!("{base},SchedulingDisabled") } else { base.to_string() }
            },
            ready,
            cordoned: spec.and_then(|s| s.unschedulable).unwrap_or(false),
            taints,
            cpu_requested,
            cpu_allocatable,
            mem_requested,
            mem_allocatable,
            pods: by_node.remove(name.as_str()).unwrap_or_default(),
            name,
        }));
    }
    let mut workloads = Vec::new();
    for obj in cluster.api.store.list(Kind::Deployment).chain(cluster.api.store.list(Kind::StatefulSet)) {
        let (desired, ready) = match obj.as_ref() {
            Object::Deployment(d) => (d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1), d.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0)),
            Object::StatefulSet(d) => (d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1), d.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0)),
            _ => continue,
        };
        workloads.push(WorkloadView { key: ObjectKey::of(obj), ready: format!("{ready}/{desired}"), healthy: ready >= desired });
    }
    for obj in cluster.api.store.list(Kind::DaemonSet) {
        if let Object::DaemonSet(d) = obj.as_ref() {
            let s = d.status.as_ref();
            let desired = s.map(|s| s.desired_number_scheduled).unwrap_or(0);
            let ready = s.map(|s| s.number_ready).unwrap_or(0);
            workloads.push(WorkloadView { key: ObjectKey::of(obj), ready: format!("{ready}/{desired}"), healthy: ready >= desired });
        }
    }
    for obj in cluster.api.store.list(Kind::Job) {
        if let Object::Job(j) = obj.as_ref() {
            let done = j.status.as_ref().and_then(|s| s.succeeded).unwrap_or(0);
            let want = j.spec.as_ref().and_then(|s| s.completions).unwrap_or(1);
            workloads.push(WorkloadView { key: ObjectKey::of(obj), ready: format!("{done}/{want}"), healthy: done >= want });
        }
    }
    let mut services = Vec::new();
    for obj in cluster.api.store.list(Kind::Service) {
        let Object::Service(s) = obj.as_ref() else { continue };
        let key = ObjectKey::of(obj);
        let spec = s.spec.as_ref();
        let ports = spec
            .and_then(|s| s.ports.as_ref())
            .map(|ps| ps.iter().map(|p| format!("{}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP"))).collect::<Vec<_>>().join(","))
            .unwrap_or_default();
        let mut endpoints = Vec::new();
        let mut not_ready = 0;
        if let Some(ep) = cluster.get(&ObjectKey::new(Kind::Endpoints, &key.namespace, &key.name)) {
            if let Object::Endpoints(ep) = ep.as_ref() {
                for sub in ep.subsets.iter().flatten() {
                    for a in sub.addresses.iter().flatten() {
                        let pod = a.target_ref.as_ref().and_then(|r| r.name.clone()).unwrap_or_else(|| a.ip.clone());
                        endpoints.push((pod, a.ip.clone()));
                    }
                    not_ready += sub.not_ready_addresses.as_ref().map(|v| v.len()).unwrap_or(0);
                }
            }
        }
        services.push(ServiceView {
            kind: spec.and_then(|s| s.type_.clone()).unwrap_or_else(|| "ClusterIP".into()),
            cluster_ip: spec.and_then(|s| s.cluster_ip.clone()).unwrap_or_default(),
            ports,
            endpoints,
            not_ready,
            key,
        });
    }
    let mut storage = Vec::new();
    for obj in cluster.api.store.list(Kind::PersistentVolumeClaim) {
        if let Object::PersistentVolumeClaim(c) = obj.as_ref() {
            let vol = c.spec.as_ref().and_then(|s| s.volume_name.clone()).filter(|v| !v.is_empty());
            let req = c.spec.as_ref().and_then(|s| s.resources.as_ref()).and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")).map(|q| q.0.clone()).unwrap_or_default();
            storage.push(StorageRow {
                key: ObjectKey::of(obj),
                status: c.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into()),
                target: vol.map(|v| ObjectKey::new(Kind::PersistentVolume, "", &v)),
                detail: req,
            });
        }
    }
    for obj in cluster.api.store.list(Kind::PersistentVolume) {
        if let Object::PersistentVolume(v) = obj.as_ref() {
            let class = v.spec.as_ref().and_then(|s| s.storage_class_name.clone()).filter(|c| !c.is_empty());
            let cap = v.spec.as_ref().and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("storage")).map(|q| q.0.clone()).unwrap_or_default();
            storage.push(StorageRow {
                key: ObjectKey::of(obj),
                status: v.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
                target: class.map(|c| ObjectKey::new(Kind::StorageClass, "", &c)),
                detail: cap,
            });
        }
    }
    for obj in cluster.api.store.list(Kind::StorageClass) {
        if let Object::StorageClass(c) = obj.as_ref() {
            storage.push(StorageRow { key: ObjectKey::of(obj), status: c.provisioner.clone(), target: None, detail: c.volume_binding_mode.clone().unwrap_or_default() });
        }
    }
    MapModel { nodes, pending, workloads, services, storage }
}

/// The ROLES column: `node-role.kubernetes.io/<role>` labels.
fn roles_of(m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> String {
    let roles: Vec<&str> = m.labels.iter().flatten().filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/")).collect();
    if roles.is_empty() { "<none>".into() } else { roles.join(",") }
}

/// Bytes as the map shows them (`1.5Gi`).
pub fn bytes(b: i64) -> String {
    if b <= 0 {
        return "0".into();
    }
    let gib = 1024.0 * 1024.0 * 1024.0;
    if b as f64 >= gib {
        format!("{:.1}Gi", b as f64 / gib)
    } else {
        let _ = format_bytes;
        format!("{}Mi", b / (1024 * 1024))
    }
}

/// Percentage of `used` in `total`, clamped to 0..=100.
pub fn percent(used: i64, total: i64) -> u32 {
    if total <= 0 {
        return 0;
    }
    ((used as f64 / total as f64) * 100.0).round().clamp(0.0, 100.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use pilothouse_kubectl::Shell;

    #[test]
    fn a_minikube_cluster_has_one_ready_node_with_system_pods() {
        let c = Cluster::minikube(1);
        let m = build(&c);
        assert_eq!(m.nodes.len(), 1);
        assert!(m.nodes[0].ready);
        assert!(!m.nodes[0].pods.is_empty());
        assert!(m.nodes[0].cpu_allocatable > 0);
        assert!(m.pending.is_empty());
    }

    #[test]
    fn a_pod_too_big_waits_in_the_pending_lane_with_its_reason() {
        let mut sh = Shell::new(1);
        sh.run("kubectl run big --image=nginx --overrides='{\"spec\":{\"containers\":[{\"name\":\"big\",\"image\":\"nginx\",\"resources\":{\"requests\":{\"cpu\":\"64\"}}}]}}'");
        sh.advance(2000);
        let m = build(&sh.cluster);
        let p = m.pending.iter().find(|p| p.name == "big").expect("the pod waits in the Pending lane");
        assert!(p.reason.contains("Insufficient cpu"), "{}", p.reason);
        assert_eq!(p.class, "pending");
    }

    #[test]
    fn a_cached_build_equals_a_fresh_one_and_reuses_unchanged_pods() {
        let mut sh = Shell::new(3);
        sh.run("minikube start --nodes 3 -p cache");
        sh.run("kubectl create deployment web --image=nginx --replicas=12");
        let mut cache = ViewCache::default();
        let mut last = build_with(&sh.cluster, &mut cache);
        assert_eq!(last, build(&sh.cluster));
        let steps = ["", "", "kubectl scale deployment web --replicas=5", "", "kubectl delete pod -l app=web --wait=false", "", "kubectl cordon cache-m02", "kubectl run big --image=nginx --overrides='{\"spec\":{\"containers\":[{\"name\":\"big\",\"image\":\"nginx\",\"resources\":{\"requests\":{\"cpu\":\"64\"}}}]}}'", ""];
        let mut reused = 0;
        for line in steps {
            if !line.is_empty() {
                sh.run(line);
            }
            sh.advance(1500);
            let m = build_with(&sh.cluster, &mut cache);
            assert_eq!(m, build(&sh.cluster), "after {line:?}");
            // Only the pods of this build stay cached.
            let chips = m.nodes.iter().map(|n| n.pods.len()).sum::<usize>() + m.pending.len();
            assert_eq!(cache.len(), chips);
            // A pod whose object did not change keeps the very chip of the last build.
            let old: Vec<&Rc<PodChip>> = last.nodes.iter().flat_map(|n| n.pods.iter()).collect();
            for c in m.nodes.iter().flat_map(|n| n.pods.iter()) {
                let obj = sh.cluster.get(&c.key()).expect("pod exists");
                if let Some(o) = old.iter().find(|o| o.name == c.name && o.namespace == c.namespace) {
                    if Rc::ptr_eq(o, c) {
                        reused += 1;
                    } else {
                        // A new chip means a changed object: it is not the one the old chip came from.
                        assert!(cache.pods.values().any(|e| Arc::ptr_eq(&e.obj, &obj) && Rc::ptr_eq(&e.chip, c)));
                    }
                }
            }
            last = m;
        }
        assert!(reused > 0, "unchanged pods keep their chips");
        assert!(last.pending.iter().any(|p| p.name == "big"));
    }

    #[test]
    fn percent_clamps() {
        assert_eq!(percent(50, 100), 50);
        assert_eq!(percent(500, 100), 100);
        assert_eq!(percent(1, 0), 0);
    }
}
