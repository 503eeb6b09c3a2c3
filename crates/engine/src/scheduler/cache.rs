//! The scheduler cache: kube-scheduler's `internal/cache` plus `framework.NodeInfo`.
//!
//! Every node keeps a precomputed summary — allocatable and requested resources, labels, taints,
//! images, host ports in use and the pods bound to it with their affinity terms — updated
//! incrementally as nodes and pods come and go, so a scheduling cycle never rebuilds anything.
//! Pods are summarised once into a [`PodInfo`] (requests, non-zero requests for scoring, ports,
//! compiled affinity terms) and shared by `Arc`. Nodes are kept sorted by name, which is also the
//! order the scheduler walks them (kube-scheduler interleaves zones instead; see `mod.rs`).

use crate::vecmap::VecMap;
use crate::vecmap::VecSet;
use super::labels::CompiledSelector;
use crate::api::quantity::{parse_int, parse_milli};
use k8s_openapi::api::core::v1::{Container, Node, Pod, PodAffinityTerm, PodSpec};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;
use std::sync::Arc;

/// CPU assumed for a container without a CPU request when scoring (`schedutil.DefaultMilliCPURequest`).
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// Memory assumed for a container without a memory request when scoring (200 MiB).
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;
/// The well-known hostname label, the usual topology key for per-node spreading.
pub const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";
/// The namespace label the API server sets on every namespace.
pub const LABEL_NAMESPACE_NAME: &str = "kubernetes.io/metadata.name";

/// A pod's identity in the cache and the queue.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct PodKey {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub name: String,
}

impl PodKey {
    /// Builds a key from namespace and name.
    pub fn new(namespace: &str, name: &str) -> PodKey {
        PodKey { namespace: namespace.to_string(), name: name.to_string() }
    }

    /// The key of a pod object.
    pub fn of(pod: &Pod) -> PodKey {
        PodKey::new(pod.metadata.namespace.as_deref().unwrap_or("default"), pod.metadata.name.as_deref().unwrap_or(""))
    }
}

impl std::fmt::Display for PodKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Compute resources in scheduler units: CPU in millis, everything else in whole units.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Resources {
    /// CPU in millicores.
    pub milli_cpu: i64,
    /// Memory in bytes.
    pub memory: i64,
    /// Ephemeral storage in bytes.
    pub ephemeral_storage: i64,
    /// Pod count (meaningful only for allocatable).
    pub pods: i64,
    /// Extended and other scalar resources (`nvidia.com/gpu`, `hugepages-2Mi`, ...).
    pub scalar: VecMap<String, i64>,
}

impl Resources {
    /// Converts a resource list (requests, allocatable, overhead) into scheduler units.
    pub fn from_list(list: Option<&BTreeMap<String, Quantity>>) -> Resources {
        let mut r = Resources::default();
        for (name, q) in list.into_iter().flatten() {
            r.add_named(name, &q.0, 1);
        }
        r
    }

    fn add_named(&mut self, name: &str, q: &str, sign: i64) {
        match name {
            "cpu" => self.milli_cpu += sign * parse_milli(q).unwrap_or(0),
            "memory" => self.memory += sign * parse_int(q).unwrap_or(0),
            "ephemeral-storage" => self.ephemeral_storage += sign * parse_int(q).unwrap_or(0),
            "pods" => self.pods += sign * parse_int(q).unwrap_or(0),
            "storage" => {}
            other => *self.scalar.entry(other.to_string()).or_insert(0) += sign * parse_int(q).unwrap_or(0),
        }
    }

    /// Adds another resource set (saturating).
    pub fn add(&mut self, o: &Resources) {
        self.milli_cpu = self.milli_cpu.saturating_add(o.milli_cpu);
        self.memory = self.memory.saturating_add(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.saturating_add(o.ephemeral_storage);
        self.pods = self.pods.saturating_add(o.pods);
        for (k, v) in &o.scalar {
            let e = self.scalar.entry(k.clone()).or_insert(0);
            *e = e.saturating_add(*v);
        }
    }

    /// Subtracts another resource set; scalar entries that reach zero are dropped.
    pub fn sub(&mut self, o: &Resources) {
        self.milli_cpu = self.milli_cpu.saturating_sub(o.milli_cpu);
        self.memory = self.memory.saturating_sub(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.saturating_sub(o.ephemeral_storage);
        self.pods = self.pods.saturating_sub(o.pods);
        for (k, v) in &o.scalar {
            if let Some(e) = self.scalar.get_mut(k) {
                *e = e.saturating_sub(*v);
                if *e == 0 {
                    self.scalar.remove(k);
                }
            }
        }
    }

    /// Raises each resource to at least the other's value.
    pub fn set_max(&mut self, o: &Resources) {
        self.milli_cpu = self.milli_cpu.max(o.milli_cpu);
        self.memory = self.memory.max(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.max(o.ephemeral_storage);
        for (k, v) in &o.scalar {
            let e = self.scalar.entry(k.clone()).or_insert(0);
            *e = (*e).max(*v);
        }
    }

    /// A scalar resource's amount (zero when absent).
    pub fn scalar(&self, name: &str) -> i64 {
        self.scalar.get(name).copied().unwrap_or(0)
    }
}

/// What a pod asks of a node: its effective requests and the non-zero variant used for scoring.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodRequests {
    /// Effective requests: max(sum of containers + sidecars, each init container) + overhead.
    pub requests: Resources,
    /// CPU with 100m assumed for each container that does not request CPU.
    pub non_zero_cpu: i64,
    /// Memory with 200 MiB assumed for each container that does not request memory.
    pub non_zero_mem: i64,
}

fn container_requests(c: &Container, non_zero: bool) -> Resources {
    let list = c.resources.as_ref().and_then(|r| r.requests.as_ref());
    let mut r = Resources::from_list(list);
    if non_zero {
        if !list.is_some_and(|l| l.contains_key("cpu")) {
            r.milli_cpu = DEFAULT_MILLI_CPU_REQUEST;
        }
        if !list.is_some_and(|l| l.contains_key("memory")) {
            r.memory = DEFAULT_MEMORY_REQUEST;
        }
    }
    r
}

/// `resourcehelper.PodRequests`: regular containers summed, restartable (sidecar) init containers
/// added to them, each ordinary init container taken with the sidecars started before it, the
/// maximum of the two kept, plus pod overhead.
fn spec_requests(spec: &PodSpec, non_zero: bool) -> Resources {
    let mut reqs = Resources::default();
    for c in &spec.containers {
        reqs.add(&container_requests(c, non_zero));
    }
    let mut sidecars = Resources::default();
    let mut init_max = Resources::default();
    for c in spec.init_containers.iter().flatten() {
        let mut cr = container_requests(c, non_zero);
        if c.restart_policy.as_deref() == Some("Always") {
            reqs.add(&cr);
            sidecars.add(&cr);
            cr = sidecars.clone();
        } else {
            cr.add(&sidecars);
        }
        init_max.set_max(&cr);
    }
    reqs.set_max(&init_max);
    reqs.add(&Resources::from_list(spec.overhead.as_ref()));
    reqs
}

/// Computes a pod's requests as kube-scheduler does.
pub fn pod_requests(spec: &PodSpec) -> PodRequests {
    let requests = spec_requests(spec, false);
    let nz = spec_requests(spec, true);
    PodRequests { requests, non_zero_cpu: nz.milli_cpu, non_zero_mem: nz.memory }
}

/// A host port claimed by a container: `(hostIP, protocol, port)` with defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HostPort {
    /// The host IP, `0.0.0.0` when unset.
    pub ip: String,
    /// The protocol, `TCP` when unset.
    pub protocol: String,
    /// The host port number.
    pub port: i32,
}

/// The host ports a pod's containers claim (`hostPort > 0`).
pub fn pod_host_ports(spec: &PodSpec) -> Vec<HostPort> {
    let mut out = Vec::new();
    for c in &spec.containers {
        for p in c.ports.iter().flatten() {
            if let Some(hp) = p.host_port.filter(|hp| *hp > 0) {
                out.push(HostPort {
                    ip: p.host_ip.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "0.0.0.0".into()),
                    protocol: p.protocol.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "TCP".into()),
                    port: hp,
                });
            }
        }
    }
    out
}

/// Which namespaces an affinity term applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceFilter {
    /// Explicit namespaces (or the owning pod's namespace when neither list nor selector is set).
    pub names: VecSet<String>,
    /// The namespace selector (`None` matches no namespace by labels).
    pub selector: Option<CompiledSelector>,
}

/// A compiled `PodAffinityTerm` (`framework.AffinityTerm`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AffinityTerm {
    /// The label selector over pods (nil matches nothing).
    pub selector: CompiledSelector,
    /// The namespaces the term looks at.
    pub namespaces: NamespaceFilter,
    /// The node label that defines the topology domain.
    pub topology_key: String,
}

impl AffinityTerm {
    /// Compiles a term owned by a pod in `own_ns`.
    pub fn new(term: &PodAffinityTerm, own_ns: &str) -> AffinityTerm {
        let mut names: VecSet<String> = VecSet::from_iter(term.namespaces.iter().flatten().cloned());
        if names.is_empty() && term.namespace_selector.is_none() {
            names.insert(own_ns.to_string());
        }
        AffinityTerm {
            selector: CompiledSelector::new(term.label_selector.as_ref()),
            namespaces: NamespaceFilter {
                names,
                selector: term.namespace_selector.as_ref().map(|s| CompiledSelector::new(Some(s))),
            },
            topology_key: term.topology_key.clone(),
        }
    }

    /// Whether the term selects `pod` (`AffinityTerm.Matches`), given namespace labels.
    pub fn matches(&self, pod: &PodInfo, ns_labels: &NamespaceLabels) -> bool {
        let ns_ok = self.namespaces.names.contains(&pod.key.namespace)
            || self.namespaces.selector.as_ref().is_some_and(|s| s.matches(ns_labels.get(&pod.key.namespace)));
        ns_ok && self.selector.matches(&pod.labels)
    }
}

/// A compiled preferred (weighted) affinity term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightedTerm {
    /// The term.
    pub term: AffinityTerm,
    /// Its weight, 1-100.
    pub weight: i32,
}

/// Labels of namespaces, for `namespaceSelector` in affinity terms.
#[derive(Clone, Debug, Default)]
pub struct NamespaceLabels {
    map: VecMap<String, BTreeMap<String, String>>,
    empty: BTreeMap<String, String>,
}

impl NamespaceLabels {
    /// The labels of a namespace; unknown namespaces still carry `kubernetes.io/metadata.name`
    /// only when registered, otherwise they have no labels.
    pub fn get(&self, ns: &str) -> &BTreeMap<String, String> {
        self.map.get(ns).unwrap_or(&self.empty)
    }

    /// Records a namespace's labels (the metadata.name label is added automatically).
    pub fn set(&mut self, ns: &str, labels: &BTreeMap<String, String>) {
        let mut l = labels.clone();
        l.insert(LABEL_NAMESPACE_NAME.into(), ns.into());
        self.map.insert(ns.into(), l);
    }

    /// Forgets a namespace.
    pub fn remove(&mut self, ns: &str) {
        self.map.remove(ns);
    }
}

/// A pod summarised for the scheduler (`framework.PodInfo` plus its resource sums).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodInfo {
    /// Namespace and name.
    pub key: PodKey,
    /// The node it is bound (or assumed) to; empty for the pod being scheduled.
    pub node_name: String,
    /// The pod's labels.
    pub labels: BTreeMap<String, String>,
    /// `spec.priority` (0 when unset).
    pub priority: i32,
    /// `status.startTime` in milliseconds since the epoch, if the pod has started.
    pub start_time_ms: Option<i64>,
    /// Whether the pod has a deletion timestamp.
    pub terminating: bool,
    /// UID of the first owner reference (kube-scheduler counts spread by owner when present).
    pub owner_uid: Option<String>,
    /// The cache's interned id of `owner_uid` (set when the pod enters the cache).
    pub owner_id: Option<u32>,
    /// Kind of the controlling owner (`ReplicaSet`, `StatefulSet`, ...), if any.
    pub controller_kind: Option<String>,
    /// Requests and non-zero requests.
    pub req: PodRequests,
    /// Host ports claimed.
    pub host_ports: Vec<HostPort>,
    /// Required pod affinity terms.
    pub required_affinity: Vec<AffinityTerm>,
    /// Required pod anti-affinity terms.
    pub required_anti_affinity: Vec<AffinityTerm>,
    /// Preferred pod affinity terms.
    pub preferred_affinity: Vec<WeightedTerm>,
    /// Preferred pod anti-affinity terms.
    pub preferred_anti_affinity: Vec<WeightedTerm>,
}

impl PodInfo {
    /// Summarises a pod.
    pub fn new(pod: &Pod) -> PodInfo {
        let key = PodKey::of(pod);
        let empty = PodSpec::default();
        let spec = pod.spec.as_ref().unwrap_or(&empty);
        let ns = key.namespace.clone();
        let (mut ra, mut raa, mut pa, mut paa) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        if let Some(aff) = &spec.affinity {
            if let Some(a) = &aff.pod_affinity {
                ra = a.required_during_scheduling_ignored_during_execution.iter().flatten().map(|t| AffinityTerm::new(t, &ns)).collect();
                pa = a
                    .preferred_during_scheduling_ignored_during_execution
                    .iter()
                    .flatten()
                    .map(|w| WeightedTerm { term: AffinityTerm::new(&w.pod_affinity_term, &ns), weight: w.weight })
                    .collect();
            }
            if let Some(a) = &aff.pod_anti_affinity {
                raa = a.required_during_scheduling_ignored_during_execution.iter().flatten().map(|t| AffinityTerm::new(t, &ns)).collect();
                paa = a
                    .preferred_during_scheduling_ignored_during_execution
                    .iter()
                    .flatten()
                    .map(|w| WeightedTerm { term: AffinityTerm::new(&w.pod_affinity_term, &ns), weight: w.weight })
                    .collect();
            }
        }
        PodInfo {
            node_name: spec.node_name.clone().unwrap_or_default(),
            labels: pod.metadata.labels.clone().unwrap_or_default(),
            priority: spec.priority.unwrap_or(0),
            start_time_ms: pod.status.as_ref().and_then(|s| s.start_time.as_ref()).map(|t| t.0.timestamp_millis()),
            terminating: pod.metadata.deletion_timestamp.is_some(),
            owner_uid: pod.metadata.owner_references.as_ref().and_then(|o| o.first()).map(|o| o.uid.clone()),
            owner_id: None,
            controller_kind: crate::api::meta::controller_of(&pod.metadata).map(|o| o.kind.clone()),
            req: pod_requests(spec),
            host_ports: pod_host_ports(spec),
            required_affinity: ra,
            required_anti_affinity: raa,
            preferred_affinity: pa,
            preferred_anti_affinity: paa,
            key,
        }
    }

    /// Whether the pod has any pod affinity or anti-affinity (`podWithAffinity`).
    pub fn has_affinity(&self) -> bool {
        !(self.required_affinity.is_empty()
            && self.required_anti_affinity.is_empty()
            && self.preferred_affinity.is_empty()
            && self.preferred_anti_affinity.is_empty())
    }
}

/// A PodDisruptionBudget as DefaultPreemption sees it (`filterPodsWithPDBViolation`): its
/// namespace, compiled selector, `status.disruptionsAllowed` and `status.disruptedPods`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdbInfo {
    /// The budget's namespace (it only covers pods there).
    pub namespace: String,
    /// The compiled selector; `None` when nil, empty or invalid (such a budget matches no pod).
    pub selector: Option<CompiledSelector>,
    /// `status.disruptionsAllowed`.
    pub disruptions_allowed: i32,
    /// Names of pods in `status.disruptedPods` (already processed by the API server: not counted).
    pub disrupted_pods: VecSet<String>,
}

impl PdbInfo {
    /// Summarises a budget. A selector `LabelSelectorAsSelector` would reject (unknown operator,
    /// `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values) or an empty one matches
    /// nothing, as in kube-scheduler.
    pub fn new(pdb: &PodDisruptionBudget) -> PdbInfo {
        let sel = pdb.spec.as_ref().and_then(|s| s.selector.as_ref());
        let selector = sel.filter(|s| {
            let exprs = s.match_expressions.as_deref().unwrap_or(&[]);
            let empty = s.match_labels.as_ref().is_none_or(|m| m.is_empty()) && exprs.is_empty();
            let valid = exprs.iter().all(|e| {
                let n = e.values.as_ref().map_or(0, Vec::len);
                match e.operator.as_str() {
                    "In" | "NotIn" => n > 0,
                    "Exists" | "DoesNotExist" => n == 0,
                    _ => false,
                }
            });
            !empty && valid
        });
        let status = pdb.status.as_ref();
        PdbInfo {
            namespace: pdb.metadata.namespace.clone().unwrap_or_else(|| "default".into()),
            selector: selector.map(|s| CompiledSelector::new(Some(s))),
            disruptions_allowed: status.map_or(0, |s| s.disruptions_allowed),
            disrupted_pods: status.and_then(|s| s.disrupted_pods.as_ref()).map(|m| VecSet::from_iter(m.keys().cloned())).unwrap_or_default(),
        }
    }

    /// Whether the budget covers a pod (same namespace, selector matches, pod has labels).
    pub fn covers(&self, pod: &PodInfo) -> bool {
        !pod.labels.is_empty() && self.namespace == pod.key.namespace && self.selector.as_ref().is_some_and(|s| s.matches(&pod.labels))
    }
}

/// A node taint with its effect parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaintInfo {
    /// Taint key.
    pub key: String,
    /// Taint value ("" when unset).
    pub value: String,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
}

/// Everything the plugins need to know about one node (`framework.NodeInfo`).
///
/// The fields every scheduling cycle reads for every node it filters or scores come first and
/// the struct starts on a cache line (`repr(C)` keeps this order): they span four cache lines
/// instead of being spread over the whole struct, which matters when a cycle walks hundreds of
/// nodes once per plugin.
#[derive(Clone, Debug, Default)]
#[repr(C, align(64))]
pub struct NodeInfo {
    /// Position in [`SchedulerCache::nodes`] (stable during a scheduling cycle).
    pub slot: usize,
    /// A cache-wide id that, unlike `slot`, never changes while the node exists.
    pub uid: u32,
    /// `spec.unschedulable`.
    pub unschedulable: bool,
    /// Sum of non-zero CPU requests (for scoring).
    pub non_zero_cpu: i64,
    /// Sum of non-zero memory requests (for scoring).
    pub non_zero_mem: i64,
    /// `status.allocatable` (falls back to `status.capacity` when allocatable is absent).
    pub allocatable: Resources,
    /// Sum of the effective requests of pods on the node.
    pub requested: Resources,
    /// Pods bound or assumed to this node.
    pub pods: Vec<Arc<PodInfo>>,
    /// Node taints.
    pub taints: Vec<TaintInfo>,
    /// The same images as `images` by interned id ([`SchedulerCache::image_id`]), sorted by id.
    pub image_ids: Vec<(u32, i64)>,
    /// The labels by interned key and value id ([`SchedulerCache::label_key_id`]), sorted by key.
    pub label_ids: Vec<(u32, u32)>,
    /// Per interned owner id, how many non-terminating pods of that owner run here (sorted by id).
    pub owners: Vec<(u32, u32)>,
    /// Node name.
    pub name: String,
    /// Node labels.
    pub labels: BTreeMap<String, String>,
    /// Images present (normalised names) and their sizes in bytes.
    pub images: VecMap<String, i64>,
    /// Host ports in use.
    pub used_ports: Vec<HostPort>,
    /// How many of those pods have pod affinity or anti-affinity.
    pub pods_with_affinity: usize,
    /// How many of those pods have required anti-affinity.
    pub pods_with_required_anti_affinity: usize,
    /// Bumped on every change.
    pub generation: u64,
}

/// Appends `:latest` to an image reference without tag or digest (`normalizedImageName`).
pub fn normalized_image_name(name: &str) -> String {
    let last_colon = name.rfind(':');
    let last_slash = name.rfind('/');
    let has_tag = match (last_colon, last_slash) {
        (Some(c), Some(s)) => c > s,
        (Some(_), None) => true,
        _ => false,
    };
    if has_tag || name.contains('@') {
        name.to_string()
    } else {
        format!("{name}:latest")
    }
}

impl NodeInfo {
    fn from_node(node: &Node) -> NodeInfo {
        let mut ni = NodeInfo { name: node.metadata.name.clone().unwrap_or_default(), ..NodeInfo::default() };
        ni.set_node(node);
        ni
    }

    fn set_node(&mut self, node: &Node) {
        self.labels = node.metadata.labels.clone().unwrap_or_default();
        let spec = node.spec.as_ref();
        self.unschedulable = spec.and_then(|s| s.unschedulable).unwrap_or(false);
        self.taints = spec
            .and_then(|s| s.taints.as_ref())
            .into_iter()
            .flatten()
            .map(|t| TaintInfo { key: t.key.clone(), value: t.value.clone().unwrap_or_default(), effect: t.effect.clone() })
            .collect();
        let status = node.status.as_ref();
        let alloc = status.and_then(|s| s.allocatable.as_ref().or(s.capacity.as_ref()));
        self.allocatable = Resources::from_list(alloc);
        self.images.clear();
        for img in status.and_then(|s| s.images.as_ref()).into_iter().flatten() {
            for n in img.names.iter().flatten() {
                self.images.insert(normalized_image_name(n), img.size_bytes.unwrap_or(0));
            }
        }
        self.generation += 1;
    }

    /// The interned value of a label, by interned key.
    #[inline]
    pub fn label_id(&self, key: u32) -> Option<u32> {
        self.label_ids.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// The size of an image by interned id, if the node has it.
    #[inline]
    pub fn image_size(&self, id: u32) -> Option<i64> {
        self.image_ids.binary_search_by_key(&id, |(i, _)| *i).ok().map(|i| self.image_ids[i].1)
    }

    /// How many non-terminating pods of an owner (by interned id) run here.
    #[inline]
    pub fn owner_pods(&self, owner: u32) -> u32 {
        self.owners.binary_search_by_key(&owner, |(o, _)| *o).map_or(0, |i| self.owners[i].1)
    }

    fn count_owner(&mut self, p: &PodInfo, add: bool) {
        let Some(id) = p.owner_id.filter(|_| !p.terminating) else {
            return;
        };
        match self.owners.binary_search_by_key(&id, |(o, _)| *o) {
            Ok(i) if add => self.owners[i].1 += 1,
            Ok(i) => {
                self.owners[i].1 -= 1;
                if self.owners[i].1 == 0 {
                    self.owners.remove(i);
                }
            }
            Err(i) if add => self.owners.insert(i, (id, 1)),
            Err(_) => {}
        }
    }

    /// Accounts a pod on this node.
    pub fn add_pod(&mut self, p: Arc<PodInfo>) {
        self.count_owner(&p, true);
        self.requested.add(&p.req.requests);
        self.non_zero_cpu = self.non_zero_cpu.saturating_add(p.req.non_zero_cpu);
        self.non_zero_mem = self.non_zero_mem.saturating_add(p.req.non_zero_mem);
        self.used_ports.extend(p.host_ports.iter().cloned());
        if p.has_affinity() {
            self.pods_with_affinity += 1;
        }
        if !p.required_anti_affinity.is_empty() {
            self.pods_with_required_anti_affinity += 1;
        }
        self.pods.push(p);
        self.generation += 1;
    }

    /// Removes a pod from this node's accounting; returns it if it was there.
    pub fn remove_pod(&mut self, key: &PodKey) -> Option<Arc<PodInfo>> {
        let idx = self.pods.iter().position(|p| &p.key == key)?;
        let p = self.pods.swap_remove(idx);
        self.count_owner(&p, false);
        self.requested.sub(&p.req.requests);
        self.non_zero_cpu = self.non_zero_cpu.saturating_sub(p.req.non_zero_cpu);
        self.non_zero_mem = self.non_zero_mem.saturating_sub(p.req.non_zero_mem);
        for hp in &p.host_ports {
            if let Some(i) = self.used_ports.iter().position(|u| u == hp) {
                self.used_ports.swap_remove(i);
            }
        }
        if p.has_affinity() {
            self.pods_with_affinity = self.pods_with_affinity.saturating_sub(1);
        }
        if !p.required_anti_affinity.is_empty() {
            self.pods_with_required_anti_affinity = self.pods_with_required_anti_affinity.saturating_sub(1);
        }
        self.generation += 1;
        Some(p)
    }
}

/// The incrementally maintained view of nodes and bound pods the scheduler decides from.
#[derive(Clone, Debug, Default)]
pub struct SchedulerCache {
    nodes: Vec<NodeInfo>,
    pod_node: BTreeMap<PodKey, String>,
    orphans: VecMap<String, Vec<Arc<PodInfo>>>,
    /// Assumed pods (scheduled, binding not yet confirmed) and the node each was assumed on.
    /// (A map of the same type as `pod_node`, so both share one compiled copy of the map.)
    assumed: BTreeMap<PodKey, String>,
    image_nodes: VecMap<String, usize>,
    namespaces: NamespaceLabels,
    /// Interned image names (never forgotten: ids stay valid).
    image_names: BTreeMap<String, u32>,
    /// Interned node label keys, and per key its interned values.
    label_keys: BTreeMap<String, u32>,
    label_values: Vec<BTreeMap<String, u32>>,
    /// Interned owner UIDs.
    owner_uids: BTreeMap<String, u32>,
    /// Pods on known nodes with pod (anti-)affinity / with required anti-affinity.
    affinity_pods: usize,
    anti_affinity_pods: usize,
    /// Node uid -> current slot (`usize::MAX` once the node is gone).
    slot_by_uid: Vec<usize>,
    /// Per owner id: `(node uid, its non-terminating pods there)`, sorted by uid (a sorted
    /// vector rather than a map: PodTopologySpread reads it whole on every cycle).
    owner_nodes: Vec<Vec<(u32, u32)>>,
    /// Per interned label key: the interned value on each node by node uid ([`NO_LABEL`] when the
    /// node lacks the key or is gone), so a key's value is one load (`NodeInfo::label_ids` is the
    /// same data per node).
    label_by_uid: Vec<Vec<u32>>,
    /// Per owner id: (node label key id, value id) -> its non-terminating pods on nodes with
    /// that label, so spreading by owner counts a topology domain without walking its nodes.
    owner_domains: Vec<BTreeMap<(u32, u32), u32>>,
    /// PodDisruptionBudgets by (namespace, name), for DefaultPreemption.
    pdbs: VecMap<(String, String), PdbInfo>,
    /// How many nodes are cordoned (`spec.unschedulable`).
    unschedulable_nodes: usize,
    /// How many nodes have a `NoSchedule` or `NoExecute` taint.
    hard_tainted_nodes: usize,
    /// How many nodes have any taint.
    tainted_nodes: usize,
}

/// A node without a label key in [`SchedulerCache::label_values_by_uid`].
pub const NO_LABEL: u32 = u32::MAX;

fn intern(map: &mut BTreeMap<String, u32>, s: &str) -> u32 {
    if let Some(id) = map.get(s) {
        return *id;
    }
    let id = map.len() as u32;
    map.insert(s.to_string(), id);
    id
}

fn pod_is_terminal(pod: &Pod) -> bool {
    matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded") | Some("Failed"))
}

impl SchedulerCache {
    /// An empty cache.
    pub fn new() -> SchedulerCache {
        SchedulerCache::default()
    }

    fn node_idx(&self, name: &str) -> Result<usize, usize> {
        self.nodes.binary_search_by(|n| n.name.as_str().cmp(name))
    }

    fn count_images(&mut self, idx: usize, sign: i64) {
        let names: Vec<String> = self.nodes[idx].images.keys().cloned().collect();
        for n in names {
            let e = self.image_nodes.entry(n.clone()).or_insert(0);
            if sign > 0 {
                *e += 1;
            } else {
                *e = e.saturating_sub(1);
                if *e == 0 {
                    self.image_nodes.remove(&n);
                }
            }
        }
    }

    /// Adds a node (or updates it if known).
    pub fn add_node(&mut self, node: &Node) {
        let name = node.metadata.name.clone().unwrap_or_default();
        match self.node_idx(&name) {
            Ok(i) => {
                self.count_images(i, -1);
                self.count_node_owner_domains(i, false);
                self.count_node_flags(i, false);
                self.nodes[i].set_node(node);
                self.index_node(i);
                self.count_node_flags(i, true);
                self.count_node_owner_domains(i, true);
                self.count_images(i, 1);
            }
            Err(i) => {
                let mut ni = NodeInfo::from_node(node);
                ni.uid = self.slot_by_uid.len() as u32;
                self.slot_by_uid.push(i);
                for p in self.orphans.remove(&name).unwrap_or_default() {
                    self.count_owner_node(&p, ni.uid, true);
                    ni.add_pod(p);
                }
                self.affinity_pods += ni.pods_with_affinity;
                self.anti_affinity_pods += ni.pods_with_required_anti_affinity;
                self.nodes.insert(i, ni);
                self.renumber(i);
                self.index_node(i);
                self.count_node_flags(i, true);
                self.count_node_owner_domains(i, true);
                self.count_images(i, 1);
            }
        }
    }

    /// Updates a node's labels, taints, allocatable and images; its pods stay.
    pub fn update_node(&mut self, node: &Node) {
        self.add_node(node);
    }

    /// Removes a node; its pods are kept aside and re-attached if the node comes back.
    pub fn remove_node(&mut self, name: &str) {
        if let Ok(i) = self.node_idx(name) {
            self.count_images(i, -1);
            self.count_node_owner_domains(i, false);
            self.count_node_flags(i, false);
            self.set_label_by_uid(i, false);
            let ni = self.nodes.remove(i);
            self.slot_by_uid[ni.uid as usize] = usize::MAX;
            for p in &ni.pods {
                self.count_owner_node(p, ni.uid, false);
            }
            self.affinity_pods = self.affinity_pods.saturating_sub(ni.pods_with_affinity);
            self.anti_affinity_pods = self.anti_affinity_pods.saturating_sub(ni.pods_with_required_anti_affinity);
            self.renumber(i);
            if !ni.pods.is_empty() {
                self.orphans.insert(name.to_string(), ni.pods);
            }
        }
    }

    /// Adds (`add`) or removes node `i` to/from the cordoned and tainted node counts.
    fn count_node_flags(&mut self, i: usize, add: bool) {
        let n = &self.nodes[i];
        let (unschedulable, hard) = (n.unschedulable as usize, n.taints.iter().any(|t| t.effect == "NoSchedule" || t.effect == "NoExecute") as usize);
        let tainted = !n.taints.is_empty() as usize;
        if add {
            self.unschedulable_nodes += unschedulable;
            self.hard_tainted_nodes += hard;
            self.tainted_nodes += tainted;
        } else {
            self.unschedulable_nodes -= unschedulable;
            self.hard_tainted_nodes -= hard;
            self.tainted_nodes -= tainted;
        }
    }

    /// How many nodes have any taint.
    pub fn tainted_nodes(&self) -> usize {
        self.tainted_nodes
    }

    /// How many nodes are cordoned (`spec.unschedulable`).
    pub fn unschedulable_nodes(&self) -> usize {
        self.unschedulable_nodes
    }

    /// How many nodes have a `NoSchedule` or `NoExecute` taint (the effects Filter checks).
    pub fn hard_tainted_nodes(&self) -> usize {
        self.hard_tainted_nodes
    }

    fn renumber(&mut self, from: usize) {
        for (i, n) in self.nodes.iter_mut().enumerate().skip(from) {
            n.slot = i;
            self.slot_by_uid[n.uid as usize] = i;
        }
    }

    fn count_owner_node(&mut self, p: &PodInfo, node_uid: u32, add: bool) {
        let Some(o) = p.owner_id.filter(|_| !p.terminating) else {
            return;
        };
        if self.owner_nodes.len() <= o as usize {
            self.owner_nodes.resize_with(o as usize + 1, Vec::new);
        }
        let m = &mut self.owner_nodes[o as usize];
        match m.binary_search_by_key(&node_uid, |(uid, _)| *uid) {
            Ok(i) if add => m[i].1 += 1,
            Ok(i) => {
                m[i].1 = m[i].1.saturating_sub(1);
                if m[i].1 == 0 {
                    m.remove(i);
                }
            }
            Err(i) if add => m.insert(i, (node_uid, 1)),
            Err(_) => {}
        }
    }

    /// Adds (`add`) or removes `pods` pods of `owner` on a node with these labels to/from the
    /// owner's per-domain counts.
    fn count_owner_domains(owner_domains: &mut Vec<BTreeMap<(u32, u32), u32>>, owner: u32, pods: u32, labels: &[(u32, u32)], add: bool) {
        if owner_domains.len() <= owner as usize {
            owner_domains.resize_with(owner as usize + 1, BTreeMap::new);
        }
        let m = &mut owner_domains[owner as usize];
        for l in labels {
            if add {
                *m.entry(*l).or_insert(0) += pods;
            } else if let Some(c) = m.get_mut(l) {
                *c = c.saturating_sub(pods);
                if *c == 0 {
                    m.remove(l);
                }
            }
        }
    }

    /// Adds or removes all owned pods of node `idx` under its current labels.
    fn count_node_owner_domains(&mut self, idx: usize, add: bool) {
        let n = &self.nodes[idx];
        for (o, c) in &n.owners {
            Self::count_owner_domains(&mut self.owner_domains, *o, *c, &n.label_ids, add);
        }
    }

    /// Adds or removes one pod (if owned and not terminating) on node `idx` in its owner's
    /// per-domain counts.
    fn count_pod_owner_domains(&mut self, p: &PodInfo, idx: usize, add: bool) {
        if let Some(o) = p.owner_id.filter(|_| !p.terminating) {
            Self::count_owner_domains(&mut self.owner_domains, o, 1, &self.nodes[idx].label_ids, add);
        }
    }

    /// How many non-terminating pods of an owner (by interned id) run on nodes whose label
    /// (interned key) has the interned value.
    pub fn owner_domain_pods(&self, owner: u32, key: u32, value: u32) -> u32 {
        self.owner_domains.get(owner as usize).and_then(|m| m.get(&(key, value))).copied().unwrap_or(0)
    }

    /// The nodes running non-terminating pods of an owner (by interned id), as `(slot, pods)`
    /// in a stable order.
    pub fn owner_node_slots(&self, owner: u32) -> impl Iterator<Item = (usize, u32)> + '_ {
        self.owner_node_uids(owner).iter().filter_map(|(uid, c)| {
            let slot = *self.slot_by_uid.get(*uid as usize)?;
            (slot != usize::MAX).then_some((slot, *c))
        })
    }

    /// The nodes running non-terminating pods of an owner (by interned id), as `(node uid,
    /// pods)` sorted by uid. Only nodes in the cache appear (a node's entries go with it).
    pub fn owner_node_uids(&self, owner: u32) -> &[(u32, u32)] {
        self.owner_nodes.get(owner as usize).map_or(&[], Vec::as_slice)
    }

    /// On how many nodes an owner (by interned id) has non-terminating pods.
    pub fn owner_node_count(&self, owner: u32) -> usize {
        self.owner_node_uids(owner).len()
    }

    /// One more than the highest node uid ever given out (node uids are below this).
    pub fn node_uid_bound(&self) -> usize {
        self.slot_by_uid.len()
    }

    /// The interned id of an owner UID, if any pod of that owner was ever cached.
    pub fn owner_id(&self, uid: &str) -> Option<u32> {
        self.owner_uids.get(uid).copied()
    }

    /// The interned id of a node label key, if any node ever had it.
    pub fn label_key_id(&self, key: &str) -> Option<u32> {
        self.label_keys.get(key).copied()
    }

    /// The interned id of a label value under an interned key.
    pub fn label_value_id(&self, key: u32, value: &str) -> Option<u32> {
        self.label_values.get(key as usize).and_then(|m| m.get(value)).copied()
    }

    /// How many values were ever interned for a key (value ids are below this).
    pub fn label_value_count(&self, key: u32) -> usize {
        self.label_values.get(key as usize).map_or(0, BTreeMap::len)
    }

    /// The interned id of a normalised image name, if any node ever had it.
    pub fn image_id(&self, image: &str) -> Option<u32> {
        self.image_names.get(image).copied()
    }

    /// How many pods on nodes have pod affinity or anti-affinity terms.
    pub fn pods_with_affinity(&self) -> usize {
        self.affinity_pods
    }

    /// How many pods on nodes have required pod anti-affinity terms.
    pub fn pods_with_required_anti_affinity(&self) -> usize {
        self.anti_affinity_pods
    }

    /// Sets (`on`) or clears node `i`'s labels in `label_by_uid`.
    fn set_label_by_uid(&mut self, i: usize, on: bool) {
        let n = &self.nodes[i];
        let uid = n.uid as usize;
        for &(k, v) in &n.label_ids {
            if self.label_by_uid.len() <= k as usize {
                self.label_by_uid.resize_with(k as usize + 1, Vec::new);
            }
            let col = &mut self.label_by_uid[k as usize];
            if col.len() <= uid {
                col.resize(uid + 1, NO_LABEL);
            }
            col[uid] = if on { v } else { NO_LABEL };
        }
    }

    /// Per node uid, the interned value of a label key ([`NO_LABEL`] when absent); uids past the
    /// end lack the key. Index with `NodeInfo::uid`.
    pub fn label_values_by_uid(&self, key: u32) -> &[u32] {
        self.label_by_uid.get(key as usize).map_or(&[], Vec::as_slice)
    }

    fn index_node(&mut self, i: usize) {
        self.set_label_by_uid(i, false);
        let n = &mut self.nodes[i];
        let mut labels: Vec<(u32, u32)> = Vec::with_capacity(n.labels.len());
        for (k, v) in &n.labels {
            let kid = intern(&mut self.label_keys, k);
            if self.label_values.len() <= kid as usize {
                self.label_values.resize_with(kid as usize + 1, BTreeMap::new);
            }
            labels.push((kid, intern(&mut self.label_values[kid as usize], v)));
        }
        labels.sort_unstable();
        n.label_ids = labels;
        let mut images: Vec<(u32, i64)> = n.images.iter().map(|(name, size)| (intern(&mut self.image_names, name), *size)).collect();
        images.sort_unstable();
        n.image_ids = images;
        self.set_label_by_uid(i, true);
    }

    /// Interns the owner of a pod summary and shares it (as the cache stores pods).
    pub(crate) fn prepare_pod_info(&mut self, mut info: PodInfo) -> Arc<PodInfo> {
        info.owner_id = info.owner_uid.as_deref().map(|u| intern(&mut self.owner_uids, u));
        Arc::new(info)
    }

    /// The slot of a node by name.
    pub fn node_slot(&self, name: &str) -> Option<usize> {
        self.node_idx(name).ok()
    }

    fn insert_pod_info(&mut self, p: Arc<PodInfo>) {
        let node = p.node_name.clone();
        self.pod_node.insert(p.key.clone(), node.clone());
        match self.node_idx(&node) {
            Ok(i) => {
                self.affinity_pods += p.has_affinity() as usize;
                self.anti_affinity_pods += !p.required_anti_affinity.is_empty() as usize;
                self.count_owner_node(&p, self.nodes[i].uid, true);
                self.count_pod_owner_domains(&p, i, true);
                self.nodes[i].add_pod(p)
            }
            Err(_) => self.orphans.entry(node).or_default().push(p),
        }
    }

    fn take_pod(&mut self, key: &PodKey) -> Option<Arc<PodInfo>> {
        let node = self.pod_node.remove(key)?;
        self.assumed.remove(key);
        let p = match self.node_idx(&node) {
            Ok(i) => {
                let p = self.nodes[i].remove_pod(key);
                if let Some(p) = &p {
                    self.count_owner_node(p, self.nodes[i].uid, false);
                    self.count_pod_owner_domains(p, i, false);
                    self.affinity_pods = self.affinity_pods.saturating_sub(p.has_affinity() as usize);
                    self.anti_affinity_pods = self.anti_affinity_pods.saturating_sub(!p.required_anti_affinity.is_empty() as usize);
                }
                p
            }
            Err(_) => {
                let list = self.orphans.get_mut(&node)?;
                let idx = list.iter().position(|p| &p.key == key)?;
                let p = list.swap_remove(idx);
                if list.is_empty() {
                    self.orphans.remove(&node);
                }
                Some(p)
            }
        };
        p
    }

    /// Adds a pod if it is bound to a node and not finished; otherwise makes sure it is absent.
    /// An assumed pod with the same key is replaced (the binding is confirmed).
    pub fn add_pod(&mut self, pod: &Pod) {
        let key = PodKey::of(pod);
        self.take_pod(&key);
        let bound = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_some_and(|n| !n.is_empty());
        if bound && !pod_is_terminal(pod) {
            let p = self.prepare_pod_info(PodInfo::new(pod));
            self.insert_pod_info(p);
        }
    }

    /// Updates a pod (same as [`SchedulerCache::add_pod`]: remove then re-add).
    pub fn update_pod(&mut self, pod: &Pod) {
        self.add_pod(pod);
    }

    /// Removes a pod.
    pub fn remove_pod(&mut self, namespace: &str, name: &str) {
        self.take_pod(&PodKey::new(namespace, name));
    }

    /// Records that `pod` was just placed on `node` before the binding is observed.
    pub fn assume_pod(&mut self, pod: &Pod, node: &str) {
        self.assume_pod_info(PodInfo::new(pod), node);
    }

    /// [`SchedulerCache::assume_pod`] from an already computed summary.
    pub fn assume_pod_info(&mut self, mut info: PodInfo, node: &str) {
        let key = info.key.clone();
        self.take_pod(&key);
        info.node_name = node.to_string();
        let p = self.prepare_pod_info(info);
        self.insert_pod_info(p);
        self.assumed.insert(key, node.to_string());
    }

    /// Drops an assumed pod whose binding failed.
    pub fn forget_pod(&mut self, key: &PodKey) {
        if self.assumed.contains_key(key) {
            self.take_pod(key);
        }
    }

    /// Whether a pod is assumed but not yet confirmed.
    pub fn is_assumed(&self, key: &PodKey) -> bool {
        self.assumed.contains_key(key)
    }

    /// Records a namespace's labels for `namespaceSelector` matching.
    pub fn set_namespace_labels(&mut self, ns: &str, labels: &BTreeMap<String, String>) {
        self.namespaces.set(ns, labels);
    }

    /// Forgets a namespace's labels.
    pub fn remove_namespace(&mut self, ns: &str) {
        self.namespaces.remove(ns);
    }

    /// Namespace labels.
    pub fn namespace_labels(&self) -> &NamespaceLabels {
        &self.namespaces
    }

    /// Records (or updates) a PodDisruptionBudget.
    pub fn set_pdb(&mut self, pdb: &PodDisruptionBudget) {
        let info = PdbInfo::new(pdb);
        let name = pdb.metadata.name.clone().unwrap_or_default();
        self.pdbs.insert((info.namespace.clone(), name), info);
    }

    /// Forgets a PodDisruptionBudget.
    pub fn remove_pdb(&mut self, namespace: &str, name: &str) {
        self.pdbs.remove(&(namespace.to_string(), name.to_string()));
    }

    /// All PodDisruptionBudgets, by namespace and name.
    pub fn pdbs(&self) -> impl ExactSizeIterator<Item = &PdbInfo> + Clone + '_ {
        self.pdbs.values()
    }

    /// All nodes, sorted by name.
    pub fn nodes(&self) -> &[NodeInfo] {
        &self.nodes
    }

    /// One node.
    pub fn node(&self, name: &str) -> Option<&NodeInfo> {
        self.node_idx(name).ok().map(|i| &self.nodes[i])
    }

    /// The node a pod is on, if the cache knows the pod.
    pub fn pod_node(&self, key: &PodKey) -> Option<&str> {
        self.pod_node.get(key).map(String::as_str)
    }

    /// Number of pods known (bound or assumed).
    pub fn num_pods(&self) -> usize {
        self.pod_node.len()
    }

    /// On how many nodes an image (normalised name) is present.
    pub fn image_node_count(&self, image: &str) -> usize {
        self.image_nodes.get(image).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(yaml: &str) -> Pod {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn init_containers_and_sidecars() {
        // max(sum(containers)=300m, init 500m) = 500m; with a 200m sidecar: containers+sidecar=500m,
        // init after sidecar = 500m+200m = 700m.
        let p = pod(r#"
metadata: {name: a}
spec:
  initContainers:
  - {name: side, image: x, restartPolicy: Always, resources: {requests: {cpu: 200m}}}
  - {name: init, image: x, resources: {requests: {cpu: 500m, memory: 1Gi}}}
  containers:
  - {name: a, image: x, resources: {requests: {cpu: 100m, memory: 100Mi}}}
  - {name: b, image: x, resources: {requests: {cpu: 200m}}}
  overhead: {cpu: 10m}
"#);
        let r = pod_requests(p.spec.as_ref().unwrap());
        assert_eq!(r.requests.milli_cpu, 710);
        assert_eq!(r.requests.memory, 1024 * 1024 * 1024);
        // non-zero: b and the sidecar have no memory request -> 200Mi each; init 1Gi + sidecar 200Mi wins.
        assert_eq!(r.non_zero_mem, (1024 + 200) * 1024 * 1024);
        let plain = pod("metadata: {name: b}\nspec: {containers: [{name: a, image: x}]}");
        let r = pod_requests(plain.spec.as_ref().unwrap());
        assert_eq!((r.requests.milli_cpu, r.non_zero_cpu, r.non_zero_mem), (0, 100, DEFAULT_MEMORY_REQUEST));
    }

    /// The per-owner domain counts agree with counting the owner's pods node by node, through
    /// pod adds, deletes, terminating pods, node relabelling, removal and return.
    #[test]
    fn owner_domain_counts_follow_changes() {
        let node = |name: &str, zone: &str| -> Node {
            serde_yaml::from_str(&format!("metadata: {{name: {name}, labels: {{zone: {zone}, kubernetes.io/hostname: {name}}}}}\nstatus: {{allocatable: {{cpu: '4', pods: '110'}}}}")).unwrap()
        };
        let owned = |name: &str, node: &str, owner: &str, terminating: bool| {
            let del = if terminating { ", deletionTimestamp: '2024-01-01T00:00:00Z'" } else { "" };
            pod(&format!("metadata: {{name: {name}, namespace: default, ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: {owner}, uid: {owner}, controller: true}}]{del}}}\nspec: {{nodeName: {node}, containers: []}}"))
        };
        let check = |c: &SchedulerCache| {
            let zone = c.label_key_id("zone").unwrap();
            let host = c.label_key_id(LABEL_HOSTNAME).unwrap();
            for owner in ["a", "b"] {
                let Some(o) = c.owner_id(owner) else { continue };
                for key in [zone, host] {
                    for v in 0..c.label_value_count(key) as u32 {
                        let want: u32 = c.nodes().iter().filter(|n| n.label_id(key) == Some(v)).map(|n| n.owner_pods(o)).sum();
                        assert_eq!(c.owner_domain_pods(o, key, v), want, "owner {owner} key {key} value {v}");
                    }
                }
            }
        };
        let mut c = SchedulerCache::new();
        c.add_pod(&owned("early", "n3", "a", false)); // before its node exists
        for (n, z) in [("n1", "z1"), ("n2", "z1"), ("n3", "z2")] {
            c.add_node(&node(n, z));
        }
        check(&c);
        for (i, n) in ["n1", "n2", "n3", "n1"].iter().enumerate() {
            c.add_pod(&owned(&format!("a{i}"), n, "a", false));
            c.add_pod(&owned(&format!("b{i}"), n, "b", i == 2));
        }
        check(&c);
        c.add_pod(&owned("b2", "n3", "b", false)); // stops terminating
        c.remove_pod("default", "a0");
        check(&c);
        c.add_node(&node("n2", "z2")); // relabelled
        check(&c);
        c.remove_node("n1");
        check(&c);
        c.add_node(&node("n1", "z3"));
        check(&c);
        let o = c.owner_id("a").unwrap();
        let z3 = c.label_value_id(c.label_key_id("zone").unwrap(), "z3").unwrap();
        assert_eq!(c.owner_domain_pods(o, c.label_key_id("zone").unwrap(), z3), 1);
    }

    #[test]
    fn incremental_accounting() {
        let mut c = SchedulerCache::new();
        let bound = pod("metadata: {name: p, namespace: default}\nspec: {nodeName: n1, containers: [{name: a, image: x, resources: {requests: {cpu: 250m}}}]}");
        c.add_pod(&bound); // node unknown yet: kept aside
        let node: Node = serde_yaml::from_str("metadata: {name: n1}\nstatus: {allocatable: {cpu: '2', memory: 4Gi, pods: '110'}, images: [{names: [nginx], sizeBytes: 100}]}").unwrap();
        c.add_node(&node);
        assert_eq!(c.node("n1").unwrap().requested.milli_cpu, 250);
        assert_eq!(c.image_node_count("nginx:latest"), 1);
        c.add_pod(&bound); // idempotent
        assert_eq!(c.node("n1").unwrap().pods.len(), 1);
        c.remove_pod("default", "p");
        assert_eq!(c.node("n1").unwrap().requested.milli_cpu, 0);
        let mut done = bound.clone();
        done.status = Some(k8s_openapi::api::core::v1::PodStatus { phase: Some("Succeeded".into()), ..Default::default() });
        c.add_pod(&done);
        assert_eq!(c.num_pods(), 0);
        c.remove_node("n1");
        assert!(c.nodes().is_empty());
        assert_eq!(c.image_node_count("nginx:latest"), 0);
    }
}
