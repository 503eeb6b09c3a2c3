//! The cluster: the API server, the controllers, the scheduler and the kubelets driven in a
//! fixed order on the virtual clock. `step` runs one reconcile round; `settle` runs rounds until
//! nothing is left to do at this instant; `advance` jumps from timer to timer.

use crate::vecmap::VecMap;
use crate::api::{ApiError, Kind, Object, ObjectKey};
use crate::apiserver::{Api, ApplyResult, DeleteOptions, PatchType};
use crate::clock::Component;
use crate::controllers::cronjob::CronJobController;
use crate::controllers::daemonset::DaemonSetController;
use crate::controllers::deployment::DeploymentController;
use crate::controllers::disruption::DisruptionController;
use crate::controllers::hpa::HpaController;
use crate::controllers::job::JobController;
use crate::controllers::statefulset::StatefulSetController;
use crate::controllers::gc::GarbageCollector;
use crate::controllers::namespace::NamespaceController;
use crate::controllers::node_lifecycle::NodeLifecycle;
use crate::controllers::replicaset::ReplicaSetController;
use crate::kubelet::Kubelets;
use crate::scheduling::SchedulerController;
use std::sync::Arc;

/// Options of `minikube start`.
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// Profile (cluster) name; also the first node's name.
    pub profile: String,
    /// Number of nodes.
    pub nodes: usize,
    /// CPUs per node.
    pub cpus: u32,
    /// Memory per node in MiB.
    pub memory_mb: u64,
    /// Kubernetes version shown by nodes.
    pub kubernetes_version: String,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions { profile: "minikube".into(), nodes: 1, cpus: 2, memory_mb: 3900, kubernetes_version: "v1.32.0".into() }
    }
}

/// The whole simulated cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// The API server (store, clock, RNG).
    pub api: Api,
    /// The kubelets of all nodes.
    pub kubelets: Kubelets,
    /// The scheduler and its trace.
    pub scheduler: SchedulerController,
    ns: NamespaceController,
    gc: GarbageCollector,
    deployments: DeploymentController,
    replicasets: ReplicaSetController,
    pub(crate) daemonsets: DaemonSetController,
    pub(crate) statefulsets: StatefulSetController,
    pub(crate) jobs: JobController,
    pub(crate) cronjobs: CronJobController,
    pub(crate) hpa: HpaController,
    pub(crate) disruption: DisruptionController,
    nodes: NodeLifecycle,
    /// Services, endpoints, ingress.
    pub net: crate::network::NetworkControllers,
    /// PV binder, provisioner.
    pub storage: crate::storage::StorageControllers,
    /// How `minikube start` created it.
    pub options: ClusterOptions,
    /// Enabled addons (`metrics-server`, `ingress`, ...).
    pub addons: VecMap<String, bool>,
    /// Rounds run so far (for benchmarks and the idle check).
    pub rounds: u64,
    /// `minikube pause`: the control plane and the kubelets are frozen; time still passes.
    pub paused: bool,
}

/// Most reconcile rounds at one instant before `settle` gives up (a livelock guard).
const MAX_ROUNDS: usize = 10_000;

impl Cluster {
    /// An empty cluster: the four namespaces and nothing else.
    pub fn empty(seed: u64) -> Cluster {
        let mut c = Cluster {
            api: Api::new(seed),
            kubelets: Kubelets::default(),
            scheduler: SchedulerController::default(),
            ns: NamespaceController::default(),
            gc: GarbageCollector::default(),
            deployments: DeploymentController::default(),
            replicasets: ReplicaSetController::default(),
            daemonsets: DaemonSetController::default(),
            statefulsets: StatefulSetController::default(),
            jobs: JobController::default(),
            cronjobs: CronJobController::default(),
            hpa: HpaController::default(),
            disruption: DisruptionController::default(),
            nodes: NodeLifecycle::default(),
            net: Default::default(),
            storage: Default::default(),
            options: ClusterOptions::default(),
            addons: VecMap::new(),
            rounds: 0,
            paused: false,
        };
        crate::bootstrap::namespaces(&mut c);
        c
    }

    /// A cluster as `minikube start` leaves it: one Ready node and the kube-system pods running.
    pub fn minikube(seed: u64) -> Cluster {
        Cluster::start(seed, ClusterOptions::default())
    }

    /// A cluster as `minikube start` with options leaves it.
    pub fn start(seed: u64, options: ClusterOptions) -> Cluster {
        let mut c = Cluster::empty(seed);
        c.options = options.clone();
        crate::bootstrap::minikube(&mut c, &options);
        c.advance(60_000);
        c
    }

    /// The engine's virtual time in milliseconds.
    pub fn now_ms(&self) -> u64 {
        self.api.clock.now_ms()
    }

    /// How many nodes exist.
    pub fn node_count(&self) -> usize {
        self.api.store.count(Kind::Node)
    }

    /// How many pods exist.
    pub fn pod_count(&self) -> usize {
        self.api.store.count(Kind::Pod)
    }

    /// Whether any component has work at the current instant.
    pub fn has_work(&self) -> bool {
        if self.paused {
            return false;
        }
        self.ns.has_work(&self.api)
            || self.gc.has_work(&self.api)
            || self.deployments.has_work(&self.api)
            || self.replicasets.has_work(&self.api)
            || self.daemonsets.has_work(&self.api)
            || self.statefulsets.has_work(&self.api)
            || self.jobs.has_work(&self.api)
            || self.cronjobs.has_work(&self.api)
            || self.hpa.has_work(&self.api)
            || self.disruption.has_work(&self.api)
            || self.scheduler.has_work(&self.api)
            || self.kubelets.has_work(&self.api)
            || self.nodes.has_work(&self.api)
            || self.net.has_work(&self.api)
            || self.storage.has_work(&self.api)
            || self.api.clock.next_timer().is_some_and(|t| t <= self.api.clock.now_ms())
    }

    /// One reconcile round: every component in a fixed order, each on the events since its last
    /// run and the timers due now.
    pub fn step(&mut self) {
        self.rounds += 1;
        let due = self.api.clock.take_due();
        let mut woken: VecMap<Component, Vec<ObjectKey>> = VecMap::new();
        for (c, k) in due {
            woken.entry(c).or_default().push(k);
        }
        let mut take = |c: Component| woken.remove(&c).unwrap_or_default();
        self.ns.run(&mut self.api, take(Component::Other(1)));
        self.gc.run(&mut self.api);
        self.deployments.run(&mut self.api, take(Component::Deployment));
        self.replicasets.run(&mut self.api, take(Component::ReplicaSet));
        self.daemonsets.run(&mut self.api, take(Component::DaemonSet));
        self.statefulsets.run(&mut self.api, take(Component::StatefulSet));
        self.jobs.run(&mut self.api, take(Component::Job));
        self.cronjobs.run(&mut self.api, take(Component::CronJob));
        self.hpa.run(&mut self.api, &self.kubelets, &self.addons, take(Component::Hpa));
        self.disruption.run(&mut self.api, take(Component::Disruption));
        self.storage.run(&mut self.api, take(Component::Other(3)));
        self.scheduler.run(&mut self.api, take(Component::Scheduler));
        self.kubelets.run(&mut self.api, take(Component::Kubelet));
        self.nodes.run(&mut self.api, &self.kubelets, take(Component::NodeLifecycle));
        self.net.run(&mut self.api, take(Component::Other(2)));
        self.check_memory_pressure();
        if self.kubelets.files_dirty {
            self.kubelets.files_dirty = false;
            self.sync_volume_files();
        }
        for (c, keys) in woken {
            // Timers for components without a queue of their own are dropped.
            let _ = (c, keys);
        }
    }

    /// Runs rounds until no component has work at the current instant. Returns the rounds run.
    pub fn settle(&mut self) -> usize {
        if !self.paused {
            self.kubelets.renew_leases(&mut self.api);
        }
        let mut n = 0;
        while self.has_work() && n < MAX_ROUNDS {
            self.step();
            n += 1;
        }
        n
    }

    /// Advances virtual time by `ms`, waking timers in order and settling at each instant.
    pub fn advance(&mut self, ms: u64) {
        let target = self.api.clock.now_ms() + ms;
        if self.paused {
            self.api.clock.set_now(target);
            return;
        }
        self.settle();
        while let Some(t) = self.api.clock.next_timer() {
            if t > target {
                break;
            }
            self.api.clock.set_now(t);
            self.settle();
        }
        self.api.clock.set_now(target);
        self.settle();
    }

    /// Jumps from timer to timer until none is left within `max_ms`; returns whether it got idle.
    pub fn run_until_idle(&mut self, max_ms: u64) -> bool {
        let limit = self.api.clock.now_ms() + max_ms;
        if self.paused {
            return true;
        }
        self.settle();
        while let Some(t) = self.api.clock.next_timer() {
            if t > limit {
                return false;
            }
            self.api.clock.set_now(t);
            self.settle();
        }
        true
    }

    fn check_memory_pressure(&mut self) {
        if self.kubelets.memory_dirty.is_empty() {
            return;
        }
        for name in std::mem::take(&mut self.kubelets.memory_dirty) {
            let cap = match self.api.store.get(&ObjectKey::new(Kind::Node, "", &name)).map(|o| &**o) {
                Some(Object::Node(n)) => n
                    .status
                    .as_ref()
                    .and_then(|s| s.capacity.as_ref())
                    .and_then(|c| c.get("memory"))
                    .and_then(|q| crate::api::quantity::parse_int(&q.0))
                    .unwrap_or(0) as u64,
                _ => continue,
            };
            if self.kubelets.nodes.get(&name).is_some_and(|a| a.running) && self.kubelets.node_memory_used(&self.api, &name) + 100 * 1024 * 1024 > cap {
                self.kubelets.evict_for_memory(&mut self.api, &name, cap);
            }
        }
    }

    /// Fault injection: something outside the pods uses `bytes` of a node's memory.
    pub fn set_node_extra_memory(&mut self, node: &str, bytes: u64) -> bool {
        let Some(a) = self.kubelets.nodes.get_mut(node) else { return false };
        a.extra_memory = bytes;
        self.kubelets.memory_dirty.insert(node.to_string());
        self.check_memory_pressure();
        self.settle();
        true
    }

    // ---- API passthroughs -------------------------------------------------------------------

    /// Creates an object, then settles.
    pub fn create(&mut self, obj: Object) -> Result<Arc<Object>, ApiError> {
        let r = self.api.create(obj);
        self.settle();
        r
    }

    /// Applies an object (`kubectl apply`), then settles.
    pub fn apply(&mut self, obj: Object) -> Result<(ApplyResult, Arc<Object>), ApiError> {
        let r = self.api.apply(obj);
        self.settle();
        r
    }

    /// Replaces an object, then settles.
    pub fn update(&mut self, obj: Object) -> Result<Arc<Object>, ApiError> {
        let r = self.api.update(obj);
        self.settle();
        r
    }

    /// Patches an object, then settles.
    pub fn patch(&mut self, key: &ObjectKey, ty: PatchType, patch: &serde_json::Value) -> Result<Arc<Object>, ApiError> {
        let r = self.api.patch(key, ty, patch);
        self.settle();
        r
    }

    /// Deletes an object, then settles.
    pub fn delete(&mut self, key: &ObjectKey, opts: &DeleteOptions) -> Result<Arc<Object>, ApiError> {
        let r = self.api.delete(key, opts);
        self.settle();
        r
    }

    /// An object by key.
    pub fn get(&self, key: &ObjectKey) -> Option<Arc<Object>> {
        self.api.store.get(key).cloned()
    }

    /// Objects of a kind in a namespace (`None` = all), ordered by namespace and name.
    pub fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<Arc<Object>> {
        match namespace {
            Some(ns) if kind.info().namespaced => self.api.store.list_ns(kind, ns).cloned().collect(),
            _ => self.api.store.list(kind).cloned().collect(),
        }
    }

    /// Stops a node's kubelet (fault injection); it goes NotReady after the grace period.
    pub fn stop_node(&mut self, name: &str) -> bool {
        if !self.kubelets.nodes.contains_key(name) {
            return false;
        }
        let now = self.api.clock.now_ms();
        if let Some(a) = self.kubelets.nodes.get_mut(name) {
            a.running = false;
            a.last_heartbeat_ms = now;
        }
        self.nodes.check_node_at(&mut self.api, name, now + crate::controllers::node_lifecycle::GRACE_MS);
        self.settle();
        true
    }

    /// Starts a stopped node's kubelet again.
    pub fn start_node(&mut self, name: &str) -> bool {
        if !self.kubelets.nodes.contains_key(name) {
            return false;
        }
        let now = self.api.clock.now_ms();
        self.kubelets.set_node_running(name, true, now);
        self.nodes.check_node_at(&mut self.api, name, now);
        self.settle();
        true
    }

    /// Writes a static pod manifest into a node's manifest folder (`/etc/kubernetes/manifests`).
    pub fn put_static_manifest(&mut self, node: &str, file: &str, yaml: &str) -> Result<(), String> {
        crate::api::parse_manifests(yaml).map_err(|e| e.to_string())?;
        let agent = self.kubelets.nodes.get_mut(node).ok_or_else(|| format!("node {node} not found"))?;
        agent.static_manifests.insert(file.to_string(), yaml.to_string());
        self.kubelets.static_dirty.insert(node.to_string());
        self.settle();
        Ok(())
    }

    /// Removes a static pod manifest; its mirror pod goes away.
    pub fn remove_static_manifest(&mut self, node: &str, file: &str) -> bool {
        let removed = self.kubelets.nodes.get_mut(node).and_then(|a| a.static_manifests.remove(file)).is_some();
        if removed {
            self.kubelets.static_dirty.insert(node.to_string());
            self.settle();
        }
        removed
    }

    /// Removes a node like `minikube node delete`: its kubelet goes, the Node object and the
    /// pods bound to it are deleted at once (there is no kubelet left to stop them gracefully).
    pub fn remove_node(&mut self, name: &str) -> bool {
        if self.kubelets.nodes.remove(name).is_none() {
            return false;
        }
        let pods: Vec<ObjectKey> = self.api.store.pods_on_node(name).cloned().collect();
        for k in pods {
            self.kubelets.pods.remove(&k);
            let _ = self.api.remove_now(&k);
        }
        let _ = self.api.remove_now(&ObjectKey::new(Kind::Node, "", name));
        self.settle();
        true
    }

    /// `minikube pause` / `unpause`: freezes or resumes every component.
    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
        if !paused {
            self.settle();
        }
    }

    /// Adds a node like `minikube node add` (named `<profile>-mNN`).
    pub fn add_node(&mut self) -> String {
        let n = self.node_count() + 1;
        let name = format!("{}-m{:02}", self.options.profile, n);
        crate::bootstrap::add_node(self, &name, n, false);
        self.settle();
        name
    }
}
