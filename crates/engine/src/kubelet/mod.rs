//! One kubelet per node: the pod lifecycle as explicit per-container stages (image pull and
//! pull back-off, create, run, probe, crash-loop back-off, termination) on the virtual clock,
//! writing pod status exactly where a real kubelet does, plus node-pressure eviction and static
//! pods. Containers are simulated by the image catalogue in [`images`].

pub mod images;
pub mod qos;

use crate::vecmap::VecSet;
use crate::vecmap::VecMap;
use crate::api::quantity::{parse_int, parse_milli};
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use crate::clock::Component;
use images::{Program, Step};
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, Pod, PodCondition, PodIP, PodSpec, PodStatus, Probe, HostIP,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::{BTreeMap, BTreeSet};

const MAX_BACKOFF_MS: u64 = 300_000;
/// The grid the kubelet's timers fall on.
const TICK_MS: u64 = 250;
const INITIAL_BACKOFF_MS: u64 = 10_000;

/// The node agent: whether the kubelet runs, which images it holds, its address space.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct NodeAgent {
    /// Whether the kubelet (and the machine) is up.
    pub running: bool,
    /// Images present on the node (full references).
    pub images: VecSet<String>,
    /// The node's InternalIP.
    pub ip: String,
    /// Third octet of the node's pod CIDR (10.244.N.0/24).
    pub cidr: u8,
    next_ip: u32,
    /// Extra memory in use on the node outside pods (fault injection: fill the node).
    pub extra_memory: u64,
    /// Files kept on the node by hostPath volumes.
    pub host_files: BTreeMap<String, String>,
    /// Static pod manifests in the node's manifest folder (file name -> YAML).
    pub static_manifests: BTreeMap<String, String>,
    /// Virtual time of the last status the kubelet posted.
    pub last_heartbeat_ms: u64,
    /// Virtual time the kubelet last renewed its node Lease (None: not created yet).
    #[serde(default)]
    pub lease_renewed_ms: Option<u64>,
}

/// The kubelet renews its node Lease every 10 s (a quarter of its 40 s duration).
pub const LEASE_RENEW_MS: u64 = 10_000;
/// `leaseDurationSeconds` of node Leases.
pub const LEASE_DURATION_S: i32 = 40;

/// Where a container is in its lifecycle.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Stage {
    /// Waiting for the image (decide pull next).
    NeedImage,
    /// Pulling until the time.
    Pulling(u64),
    /// Pull failed; retry at the time (`ErrImagePull`, then `ImagePullBackOff`).
    PullBackOff(u64, String, bool),
    /// Creating until the time.
    Creating(u64),
    /// Running since the time.
    Running(u64),
    /// Being stopped; exits at the time (first) with the code; running since the time (last).
    Stopping(u64, i32, u64),
    /// Exited.
    Exited {
        /// exit code
        code: i32,
        /// `Completed`, `Error`, `OOMKilled`
        reason: String,
        /// start time
        started: u64,
        /// finish time
        finished: u64,
    },
    /// Waiting to restart after a crash until the time.
    CrashBackOff(u64),
}

/// Consecutive results of one probe.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ProbeState {
    next_ms: u64,
    successes: i32,
    failures: i32,
}

/// The simulated state of one container.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ContainerRt {
    /// Container name.
    pub name: String,
    /// Image.
    pub image: String,
    /// Whether it is an init container.
    pub init: bool,
    /// Lifecycle stage.
    pub stage: Stage,
    /// Restart count.
    pub restarts: i32,
    /// The last termination, for `lastState`.
    pub last_term: Option<(i32, String, u64, u64)>,
    /// The process.
    pub program: Program,
    pc: usize,
    step_until: u64,
    /// Files written in the container's own filesystem.
    pub files: BTreeMap<String, String>,
    /// Log of the current instance.
    pub logs: Vec<String>,
    /// When each line of `logs` was written (virtual ms), for `--timestamps` and `--since`.
    #[serde(default)]
    pub log_times: Vec<u64>,
    /// Log of the previous instance.
    pub prev_logs: Vec<String>,
    /// When each line of `prev_logs` was written.
    #[serde(default)]
    pub prev_log_times: Vec<u64>,
    /// Readiness.
    pub ready: bool,
    /// Startup probe passed (or none).
    pub started: bool,
    liveness: ProbeState,
    readiness: ProbeState,
    startup: ProbeState,
    /// Memory in use (bytes).
    pub memory: u64,
    /// Fault injection: the liveness probe fails.
    pub fail_liveness: bool,
    /// Fault injection: the readiness probe fails.
    pub fail_readiness: bool,
    /// Requests served (for handlers that change with load).
    pub hits: u64,
    container_id: String,
    backoff_ms: u64,
    pull_backoff_ms: u64,
    poststart_done: bool,
    /// Why the container cannot be created yet (`CreateContainerConfigError`, message).
    pub config_error: Option<(String, String)>,
}

impl ContainerRt {
    /// Appends lines to the log, written at `now_ms`.
    pub fn log(&mut self, lines: impl IntoIterator<Item = String>, now_ms: u64) {
        // Lines pushed without a time before this one keep the nearest known time.
        let fill = self.log_times.last().copied().unwrap_or(now_ms);
        self.log_times.resize(self.logs.len(), fill);
        for l in lines {
            self.logs.push(l);
            self.log_times.push(now_ms);
        }
    }
}

/// The simulated state of one pod on its node.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PodRt {
    /// The node it runs on.
    pub node: String,
    /// The pod's uid (a new pod with the same name is a new runtime).
    pub uid: String,
    /// Pod IP once the sandbox exists.
    pub ip: Option<String>,
    sandbox_at: u64,
    /// Init containers then regular containers.
    pub containers: Vec<ContainerRt>,
    start_ms: u64,
    stop_requested: bool,
    /// Set when the pod was evicted or finished for good.
    pub final_phase: Option<(String, String, String)>,
}

/// All kubelets of the cluster.
#[derive(Clone, Debug, Default)]
pub struct Kubelets {
    /// Node agents by node name.
    pub nodes: VecMap<String, NodeAgent>,
    /// Pod runtimes by pod key.
    pub pods: BTreeMap<ObjectKey, PodRt>,
    cursor: u64,
    queue: BTreeSet<ObjectKey>,
    /// Nodes whose static pod manifests need syncing into mirror pods.
    pub static_dirty: VecSet<String>,
    /// Nodes whose memory use changed since the eviction manager last looked.
    pub memory_dirty: VecSet<String>,
    /// Whether a container wrote files since the volumes were last synced.
    pub files_dirty: bool,
}

/// The annotation marking a mirror pod of a static pod.
pub const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";

fn hash_hex(s: &str, len: usize) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    let mut out = String::new();
    let mut i = 0u64;
    while out.len() < len {
        for b in s.bytes().chain(i.to_le_bytes()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        out.push_str(&format!("{h:016x}"));
        i += 1;
    }
    out.truncate(len);
    out
}

fn container_probe<'a>(c: &'a Container, which: &str) -> Option<&'a Probe> {
    match which {
        "liveness" => c.liveness_probe.as_ref(),
        "readiness" => c.readiness_probe.as_ref(),
        _ => c.startup_probe.as_ref(),
    }
}

fn fmt_secs(ms: u64) -> String {
    format!("{}.{:03}s", ms / 1000, ms % 1000)
}

impl Kubelets {
    /// Registers a node agent (running).
    pub fn add_node(&mut self, name: &str, ip: &str, cidr: u8, now: u64) {
        self.nodes.insert(
            name.to_string(),
            NodeAgent { running: true, ip: ip.to_string(), cidr, next_ip: 2, last_heartbeat_ms: now, ..Default::default() },
        );
    }

    /// Heartbeats: each running kubelet creates its Lease in `kube-node-lease` (owned by its
    /// Node, holder the node's name) and renews it once 10 s of virtual time have passed since the
    /// last renewal. Called whenever the clock has moved; a renewal is one write per node, and a
    /// cluster whose clock stands still writes nothing. A stopped node's Lease ages.
    pub fn renew_leases(&mut self, api: &mut Api) {
        use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, OwnerReference};
        let now = api.clock.now_ms();
        for (name, agent) in self.nodes.iter_mut() {
            if !agent.running || agent.lease_renewed_ms.is_some_and(|t| now < t + LEASE_RENEW_MS) {
                continue;
            }
            let key = ObjectKey::new(Kind::Lease, "kube-node-lease", name);
            let renew = Some(MicroTime(api.clock.now()));
            match api.store.get(&key).map(|o| (**o).clone()) {
                Some(Object::Lease(mut l)) => {
                    l.spec.get_or_insert_with(Default::default).renew_time = renew;
                    api.store.put(Object::Lease(l));
                }
                Some(_) => {}
                None => {
                    let Some(node_uid) = api.store.get(&ObjectKey::new(Kind::Node, "", name)).and_then(|n| n.metadata().uid.clone()) else { continue };
                    let lease = Lease {
                        metadata: ObjectMeta {
                            name: Some(name.clone()),
                            namespace: Some("kube-node-lease".into()),
                            owner_references: Some(vec![OwnerReference {
                                api_version: "v1".into(),
                                kind: "Node".into(),
                                name: name.clone(),
                                uid: node_uid,
                                ..Default::default()
                            }]),
                            ..Default::default()
                        },
                        spec: Some(LeaseSpec {
                            holder_identity: Some(name.clone()),
                            lease_duration_seconds: Some(LEASE_DURATION_S),
                            renew_time: renew,
                            ..Default::default()
                        }),
                    };
                    if api.create(Object::Lease(lease)).is_err() {
                        continue;
                    }
                }
            }
            agent.lease_renewed_ms = Some(now);
        }
    }

    /// Marks a pod for a sync at the next round.
    pub fn enqueue(&mut self, key: ObjectKey) {
        self.queue.insert(key);
    }

    /// Whether there is work queued.
    pub fn has_work(&self, api: &Api) -> bool {
        !self.queue.is_empty() || !self.static_dirty.is_empty() || api.store.next_seq() > self.cursor
    }

    /// Whether a manifest in the node's folder defines the pod `key` (its mirror name).
    fn static_manifest_for(&self, node: &str, key: &ObjectKey) -> bool {
        let Some(agent) = self.nodes.get(node) else { return false };
        agent.static_manifests.values().any(|yaml| {
            crate::api::parse_manifests(yaml).is_ok_and(|objs| {
                objs.iter().any(|m| match &m.object {
                    Object::Pod(p) => {
                        format!("{}-{node}", p.metadata.name.as_deref().unwrap_or("")) == key.name && p.metadata.namespace.as_deref().unwrap_or("default") == key.namespace
                    }
                    _ => false,
                })
            })
        })
    }

    /// Creates missing mirror pods for the static manifests of dirty nodes and removes mirror
    /// pods whose manifest is gone.
    fn sync_static(&mut self, api: &mut Api) {
        for node in std::mem::take(&mut self.static_dirty) {
            let Some(agent) = self.nodes.get(&node) else { continue };
            if !agent.running {
                continue;
            }
            let node_uid = api.store.get(&ObjectKey::new(Kind::Node, "", &node)).and_then(|n| n.metadata().uid.clone()).unwrap_or_default();
            let mut wanted = BTreeSet::new();
            for (file, yaml) in agent.static_manifests.clone() {
                let Ok(objs) = crate::api::parse_manifests(&yaml) else { continue };
                for m in objs {
                    let Object::Pod(mut p) = m.object else { continue };
                    let base = p.metadata.name.clone().unwrap_or_default();
                    let name = format!("{base}-{node}");
                    let ns = p.metadata.namespace.clone().unwrap_or_else(|| "default".into());
                    wanted.insert(ObjectKey::new(Kind::Pod, &ns, &name));
                    if api.store.get(&ObjectKey::new(Kind::Pod, &ns, &name)).is_some() {
                        continue;
                    }
                    let hash = hash_hex(&format!("{file}{yaml}"), 32);
                    p.metadata.name = Some(name);
                    p.metadata.namespace = Some(ns);
                    let ann = p.metadata.annotations.get_or_insert_with(Default::default);
                    ann.insert("kubernetes.io/config.hash".into(), hash.clone());
                    ann.insert(MIRROR_ANNOTATION.into(), hash);
                    ann.insert("kubernetes.io/config.seen".into(), api.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true));
                    ann.insert("kubernetes.io/config.source".into(), "file".into());
                    p.metadata.owner_references = Some(vec![k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
                        api_version: "v1".into(),
                        kind: "Node".into(),
                        name: node.clone(),
                        uid: node_uid.clone(),
                        controller: Some(true),
                        block_owner_deletion: None,
                    }]);
                    if let Some(spec) = p.spec.as_mut() {
                        spec.node_name = Some(node.clone());
                    }
                    if let Ok(created) = api.create(Object::Pod(p)) {
                        self.queue.insert(ObjectKey::of(&created));
                    }
                }
            }
            // Mirror pods whose manifest was removed go away.
            let mirrors: Vec<ObjectKey> = api
                .store
                .pods_on_node(&node)
                .filter(|k| api.store.get(k).is_some_and(|o| meta::annotation(o.metadata(), "kubernetes.io/config.source") == Some("file") && meta::annotation(o.metadata(), MIRROR_ANNOTATION).is_some()))
                .cloned()
                .collect();
            for k in mirrors {
                let is_bootstrap = k.namespace == "kube-system";
                if !wanted.contains(&k) && !is_bootstrap {
                    let _ = api.delete(&k, &crate::apiserver::DeleteOptions::default());
                    self.queue.insert(k);
                }
            }
        }
    }

    /// One round: read the watch log, then sync every pod that changed or whose timer fired.
    pub fn run(&mut self, api: &mut Api, woken: Vec<ObjectKey>) {
        let events = match api.store.events_since(self.cursor) {
            Some(evs) => {
                for e in evs.iter().filter(|e| e.key.kind == Kind::Pod && e.event_type == crate::store::EventType::Deleted) {
                    if meta::annotation(e.object.metadata(), MIRROR_ANNOTATION).is_some() {
                        if let Some(n) = e.object.as_pod().and_then(|p| p.spec.as_ref()?.node_name.clone()) {
                            if self.nodes.get(&n).is_some_and(|a| !a.static_manifests.is_empty()) {
                                self.static_dirty.insert(n);
                            }
                        }
                    }
                }
                evs.iter().filter(|e| e.key.kind == Kind::Pod).map(|e| e.key.clone()).collect::<Vec<_>>()
            }
            None => api.store.list(Kind::Pod).map(|o| ObjectKey::of(o)).collect(),
        };
        self.cursor = api.store.next_seq();
        self.queue.extend(events);
        self.queue.extend(woken);
        if !self.static_dirty.is_empty() {
            self.sync_static(api);
        }
        let queue = std::mem::take(&mut self.queue);
        for key in queue {
            if let Some(at) = self.sync_pod(api, &key) {
                // The kubelet notices container changes on its relist tick (PLEG), so its timers
                // fall on a 250 ms grid; it also keeps many pods' work in the same round.
                let at = at.div_ceil(TICK_MS).saturating_mul(TICK_MS);
                api.clock.wake_at(at, Component::Kubelet, key);
            }
        }
        self.cursor = api.store.next_seq();
    }

    fn sync_pod(&mut self, api: &mut Api, key: &ObjectKey) -> Option<u64> {
        let now = api.clock.now_ms();
        let Some(obj) = api.store.get(key).cloned() else {
            self.pods.remove(key);
            return None;
        };
        let Object::Pod(pod) = &*obj else { return None };
        let node = pod.spec.as_ref().and_then(|s| s.node_name.clone())?;
        let agent_running = self.nodes.get(&node).is_some_and(|n| n.running);
        if !agent_running {
            return None;
        }
        let uid = meta::uid(&pod.metadata).to_string();
        // A static pod's mirror is only its reflection in the API: deleting it while the
        // manifest is still in the folder does not stop the pod. The kubelet drops the old
        // mirror object at once and posts a new one, which takes over the running pod.
        let static_kept = meta::annotation(&pod.metadata, MIRROR_ANNOTATION).is_some() && self.static_manifest_for(&node, key);
        if static_kept && pod.metadata.deletion_timestamp.is_some() {
            let _ = api.remove_now(key);
            self.static_dirty.insert(node);
            return None;
        }
        if self.pods.get(key).is_some_and(|p| p.uid != uid) {
            match self.pods.get_mut(key) {
                Some(rt) if static_kept => rt.uid = uid.clone(),
                _ => {
                    self.pods.remove(key);
                }
            }
        }
        if !self.pods.contains_key(key) {
            if pod.status.as_ref().and_then(|s| s.phase.as_deref()).is_some_and(|p| p == "Succeeded" || p == "Failed") {
                if pod.metadata.deletion_timestamp.is_some() {
                    let _ = api.remove_now(key);
                }
                return None;
            }
            let spec = pod.spec.clone().unwrap_or_default();
            let mut containers = Vec::new();
            for (c, init) in spec.init_containers.iter().flatten().map(|c| (c, true)).chain(spec.containers.iter().map(|c| (c, false))) {
                let image = c.image.clone().unwrap_or_default();
                let program = images::program_for(&image, c.command.as_deref().unwrap_or(&[]), c.args.as_deref().unwrap_or(&[]));
                containers.push(ContainerRt {
                    name: c.name.clone(),
                    image,
                    init,
                    stage: Stage::NeedImage,
                    restarts: 0,
                    last_term: None,
                    memory: program.memory,
                    program,
                    pc: 0,
                    step_until: 0,
                    files: BTreeMap::new(),
                    logs: Vec::new(),
                    log_times: Vec::new(),
                    prev_logs: Vec::new(),
                    prev_log_times: Vec::new(),
                    ready: false,
                    started: false,
                    liveness: ProbeState::default(),
                    readiness: ProbeState::default(),
                    startup: ProbeState::default(),
                    fail_liveness: false,
                    fail_readiness: false,
                    hits: 0,
                    container_id: String::new(),
                    backoff_ms: 0,
                    pull_backoff_ms: 0,
                    poststart_done: false,
                    config_error: None,
                });
            }
            let sandbox = now + api.clock.jitter(300, 900);
            self.pods.insert(
                key.clone(),
                PodRt { node: node.clone(), uid: uid.clone(), ip: None, sandbox_at: sandbox, containers, start_ms: now, stop_requested: false, final_phase: None },
            );
        }
        let mut wake: Option<u64> = None;
        let mut want = |t: u64| {
            wake = Some(wake.map_or(t, |w: u64| w.min(t)));
        };
        // Drive the pod forward until nothing more happens at this instant.
        for _ in 0..64 {
            let progressed = self.step_pod(api, key, &obj, now, &mut want);
            if !progressed {
                break;
            }
        }
        let removed = !self.pods.contains_key(key);
        if removed {
            return None;
        }
        self.write_status(api, key, pod, now);
        wake
    }

    /// Advances one pod by one transition where due; returns whether something changed.
    fn step_pod(&mut self, api: &mut Api, key: &ObjectKey, obj: &Object, now: u64, want: &mut impl FnMut(u64)) -> bool {
        let Object::Pod(pod) = obj else { return false };
        let no_spec = PodSpec::default();
        let spec = pod.spec.as_ref().unwrap_or(&no_spec);
        let Some(rt) = self.pods.get_mut(key) else { return false };
        if rt.final_phase.is_some() && pod.metadata.deletion_timestamp.is_none() {
            return false;
        }
        let host = rt.node.clone();
        // Graceful termination.
        if let Some(dt) = &pod.metadata.deletion_timestamp {
            let deadline = (dt.0 - crate::clock::epoch()).num_milliseconds().max(0) as u64;
            let mut all_done = true;
            let mut changed = false;
            for c in rt.containers.iter_mut() {
                match c.stage {
                    Stage::Running(since) => {
                        if !rt.stop_requested {
                            api.record(obj, "Normal", "Killing", &format!("Stopping container {}", c.name), "kubelet", Some(&host));
                        }
                        let (stop_at, code) = stop_plan(spec, c, now, deadline);
                        c.stage = Stage::Stopping(stop_at, code, since);
                        c.ready = false;
                        all_done = false;
                        changed = true;
                    }
                    Stage::Stopping(at, code, started) => {
                        if now >= at {
                            c.stage = Stage::Exited { code, reason: if code == 0 { "Completed".into() } else { "Error".into() }, started, finished: now };
                            changed = true;
                        } else {
                            want(at);
                            all_done = false;
                        }
                    }
                    _ => {}
                }
            }
            rt.stop_requested = true;
            if all_done {
                self.pods.remove(key);
                if meta::annotation(&pod.metadata, MIRROR_ANNOTATION).is_some() {
                    self.static_dirty.insert(host.clone());
                }
                let _ = api.remove_now(key);
                return false;
            }
            return changed;
        }
        // Sandbox and IP.
        if rt.ip.is_none() {
            if now < rt.sandbox_at {
                want(rt.sandbox_at);
                return false;
            }
            let agent = self.nodes.get_mut(&rt.node);
            let ip = match (spec.host_network, agent) {
                (Some(true), Some(a)) => a.ip.clone(),
                (_, Some(a)) => {
                    let n = a.next_ip;
                    a.next_ip += 1;
                    format!("10.244.{}.{}", a.cidr, n % 254 + 1)
                }
                (_, None) => "10.244.0.2".into(),
            };
            rt.ip = Some(ip);
            return true;
        }
        let mut changed = false;
        // Init containers run one after another; regular containers once all init ones succeeded.
        let n_init = rt.containers.iter().filter(|c| c.init).count();
        let mut init_ok = true;
        let restart_policy = spec.restart_policy.clone().unwrap_or_else(|| "Always".into());
        let pod_ip = rt.ip.clone().unwrap_or_default();
        let mut indices: Vec<usize> = Vec::new();
        for i in 0..n_init {
            let c = &rt.containers[i];
            if matches!(c.stage, Stage::Exited { code: 0, .. }) {
                continue;
            }
            init_ok = false;
            indices.push(i);
            break;
        }
        if init_ok {
            indices.extend(n_init..rt.containers.len());
        }
        let no_images = Default::default();
        let node_images = self.nodes.get(&rt.node).map_or(&no_images, |n| &n.images);
        let mut pulled: Vec<String> = Vec::new();
        let pod_name = meta::name(&pod.metadata).to_string();
        let pod_ns = meta::namespace(&pod.metadata).to_string();
        let pod_uid = rt.uid.clone();
        let mut final_phase: Option<(String, String, String)> = None;
        let mut memory_changed = false;
        let mut files_changed = false;
        for i in indices {
            let c = &mut rt.containers[i];
            let cspec = if c.init {
                spec.init_containers.iter().flatten().find(|x| x.name == c.name)
            } else {
                spec.containers.iter().find(|x| x.name == c.name)
            };
            let Some(cspec) = cspec else { continue };
            let full = images::full_ref(&c.image);
            match c.stage.clone() {
                Stage::NeedImage => {
                    let policy = cspec.image_pull_policy.clone().unwrap_or_else(|| "IfNotPresent".into());
                    let present = node_images.contains(&full) || pulled.contains(&full);
                    if present && policy != "Always" {
                        api.record(obj, "Normal", "Pulled", &format!("Container image \"{}\" already present on machine", c.image), "kubelet", Some(&host));
                        c.stage = Stage::Creating(now + api.clock.jitter(50, 250));
                    } else if policy == "Never" {
                        let msg = format!("Container image \"{}\" is not present with pull policy of Never", c.image);
                        api.record(obj, "Warning", "ErrImageNeverPull", &msg, "kubelet", Some(&host));
                        c.stage = Stage::PullBackOff(u64::MAX, "ErrImageNeverPull".into(), false);
                    } else {
                        match images::lookup(&c.image) {
                            Ok(info) => {
                                api.record(obj, "Normal", "Pulling", &format!("Pulling image \"{}\"", c.image), "kubelet", Some(&host));
                                let d = if present { api.clock.jitter(300, 900) } else { api.clock.jitter(info.pull_ms.0, info.pull_ms.1) };
                                c.stage = Stage::Pulling(now + d);
                            }
                            Err(err) => {
                                api.record(obj, "Normal", "Pulling", &format!("Pulling image \"{}\"", c.image), "kubelet", Some(&host));
                                api.record(obj, "Warning", "Failed", &format!("Failed to pull image \"{}\": {err}", c.image), "kubelet", Some(&host));
                                api.record(obj, "Warning", "Failed", "Error: ErrImagePull", "kubelet", Some(&host));
                                c.pull_backoff_ms = if c.pull_backoff_ms == 0 { INITIAL_BACKOFF_MS } else { (c.pull_backoff_ms * 2).min(MAX_BACKOFF_MS) };
                                c.stage = Stage::PullBackOff(now + c.pull_backoff_ms, err, false);
                            }
                        }
                    }
                    changed = true;
                }
                Stage::Pulling(at) => {
                    if now >= at {
                        let info = images::lookup(&c.image).ok();
                        let started = at.saturating_sub(now.min(at));
                        let _ = started;
                        let took = api.clock.jitter(800, 4000);
                        api.record(
                            obj,
                            "Normal",
                            "Pulled",
                            &format!(
                                "Successfully pulled image \"{}\" in {} ({} including waiting). Image size: {} bytes.",
                                c.image,
                                fmt_secs(took),
                                fmt_secs(took),
                                info.map(|i| i.size).unwrap_or(0)
                            ),
                            "kubelet",
                            Some(&host),
                        );
                        pulled.push(full.clone());
                        c.pull_backoff_ms = 0;
                        c.stage = Stage::Creating(now + api.clock.jitter(50, 250));
                        changed = true;
                    } else {
                        want(at);
                    }
                }
                Stage::PullBackOff(at, err, shown) => {
                    if !shown {
                        if at != u64::MAX {
                            api.record(obj, "Normal", "BackOff", &format!("Back-off pulling image \"{}\"", c.image), "kubelet", Some(&host));
                            api.record(obj, "Warning", "Failed", "Error: ImagePullBackOff", "kubelet", Some(&host));
                        }
                        c.stage = Stage::PullBackOff(at, err, true);
                        changed = true;
                    } else if at != u64::MAX && now >= at {
                        c.stage = Stage::NeedImage;
                        changed = true;
                    } else if at != u64::MAX {
                        want(at);
                    }
                }
                Stage::Creating(at) => {
                    if now >= at {
                        if let Err((reason, message)) = crate::storage::container_config(api, pod, cspec) {
                            if c.config_error.as_ref().map(|e| &e.1) != Some(&message) && reason != "ContainerCreating" {
                                api.record(obj, "Warning", "Failed", &format!("Error: {message}"), "kubelet", Some(&host));
                            }
                            c.config_error = Some((reason, message));
                            want(now + 5_000);
                            continue;
                        }
                        c.config_error = None;
                        api.record(obj, "Normal", "Created", &format!("Created container: {}", c.name), "kubelet", Some(&host));
                        api.record(obj, "Normal", "Started", &format!("Started container {}", c.name), "kubelet", Some(&host));
                        c.container_id = format!("docker://{}", hash_hex(&format!("{pod_uid}/{}/{}", c.name, c.restarts), 64));
                        c.stage = Stage::Running(now);
                        memory_changed = true;
                        c.pc = 0;
                        c.step_until = now;
                        c.memory = c.program.memory;
                        c.hits = 0;
                        c.started = cspec.startup_probe.is_none();
                        c.ready = !c.init && cspec.readiness_probe.is_none() && c.started;
                        for (p, st) in [("liveness", &mut c.liveness), ("readiness", &mut c.readiness), ("startup", &mut c.startup)] {
                            let delay = container_probe(cspec, p).and_then(|p| p.initial_delay_seconds).unwrap_or(0).max(0) as u64 * 1000;
                            *st = ProbeState { next_ms: now + delay, successes: 0, failures: 0 };
                        }
                        let ports = c.program.server.as_ref().map(|s| s.ports.clone()).unwrap_or_default();
                        let lines: Vec<String> = images::startup_logs(c.program.server.as_ref().map(|s| s.handler), &ports).into_iter().map(|l| l.replace("$POD", &pod_name)).collect();
                        c.log(lines, now);
                        c.poststart_done = false;
                        if let Some(h) = cspec.lifecycle.as_ref().and_then(|l| l.post_start.as_ref()) {
                            if let Some(cmd) = h.exec.as_ref().and_then(|e| e.command.as_ref()) {
                                run_exec_effects(c, cmd);
                                files_changed = true;
                            }
                        }
                        changed = true;
                    } else {
                        want(at);
                    }
                }
                Stage::Running(since) => {
                    // Run process steps that are due.
                    let mut guard = 0;
                    while now >= c.step_until && guard < 256 {
                        guard += 1;
                        let Some(step) = c.program.steps.get(c.pc).cloned() else {
                            if c.program.server.is_none() {
                                c.stage = Stage::Exited { code: 0, reason: "Completed".into(), started: since, finished: now };
                                changed = true;
                            }
                            break;
                        };
                        c.pc += 1;
                        match step {
                            Step::Sleep(ms) => {
                                c.step_until = c.step_until.max(since).saturating_add(ms);
                            }
                            Step::Log(line) => {
                                let line = expand_log(&line, c, now);
                                c.log(line, now);
                            }
                            Step::Write(f, content, append) => {
                                files_changed = true;
                                let e = c.files.entry(f).or_default();
                                if append {
                                    e.push_str(&content);
                                } else {
                                    *e = content;
                                }
                            }
                            Step::Remove(f) => {
                                files_changed = true;
                                c.files.remove(&f);
                            }
                            Step::Exit(code) => {
                                c.stage = Stage::Exited { code, reason: if code == 0 { "Completed".into() } else { "Error".into() }, started: since, finished: now };
                                changed = true;
                                break;
                            }
                            Step::Forever => {
                                c.pc -= 1;
                                c.step_until = u64::MAX;
                                break;
                            }
                            Step::Goto(i) => {
                                c.pc = i;
                                if c.logs.len() > 2000 {
                                    c.logs.drain(..1000);
                                    let cut = c.log_times.len().min(1000);
                                    c.log_times.drain(..cut);
                                }
                            }
                            Step::Memory(b) => {
                                c.memory = c.program.memory + b;
                                memory_changed = true;
                            }
                        }
                    }
                    if let Stage::Running(_) = c.stage {
                        // OOM kill at the memory limit.
                        let limit = cspec.resources.as_ref().and_then(|r| r.limits.as_ref()).and_then(|l| l.get("memory")).and_then(|q| parse_int(&q.0));
                        if let Some(limit) = limit {
                            if c.memory as i64 > limit {
                                c.stage = Stage::Exited { code: 137, reason: "OOMKilled".into(), started: since, finished: now };
                                changed = true;
                            }
                        }
                    }
                    if let Stage::Running(_) = c.stage {
                        if c.step_until != u64::MAX && c.step_until > now {
                            want(c.step_until);
                        }
                        // Probes.
                        let ctx = ProbeCtx { ip: pod_ip.clone(), pod_name: pod_name.clone(), now, since };
                        if let Some(p) = cspec.startup_probe.as_ref().filter(|_| !c.started) {
                            if now >= c.startup.next_ms {
                                let (ok, msg) = probe(c, p, &ctx, false);
                                tick(&mut c.startup, p, ok, now);
                                if !ok {
                                    api.record(obj, "Warning", "Unhealthy", &format!("Startup probe failed: {msg}"), "kubelet", Some(&host));
                                }
                                if c.startup.successes >= 1 {
                                    c.started = true;
                                    c.ready = cspec.readiness_probe.is_none();
                                    c.liveness.next_ms = now + cspec.liveness_probe.as_ref().and_then(|p| p.initial_delay_seconds).unwrap_or(0).max(0) as u64 * 1000;
                                    c.readiness.next_ms = now + cspec.readiness_probe.as_ref().and_then(|p| p.initial_delay_seconds).unwrap_or(0).max(0) as u64 * 1000;
                                } else if c.startup.failures >= p.failure_threshold.unwrap_or(3) {
                                    api.record(obj, "Normal", "Killing", &format!("Container {} failed startup probe, will be restarted", c.name), "kubelet", Some(&host));
                                    let (at, code) = stop_plan(spec, c, now, now.saturating_add(probe_grace_ms(spec, p)));
                                    c.stage = Stage::Stopping(at, code, since);
                                    want(at);
                                }
                                changed = true;
                            }
                            if matches!(c.stage, Stage::Running(_)) {
                                want(c.startup.next_ms);
                            }
                        } else if c.started {
                            if let Some(p) = cspec.liveness_probe.as_ref() {
                                if now >= c.liveness.next_ms {
                                    let (ok, msg) = probe(c, p, &ctx, c.fail_liveness);
                                    tick(&mut c.liveness, p, ok, now);
                                    if !ok {
                                        api.record(obj, "Warning", "Unhealthy", &format!("Liveness probe failed: {msg}"), "kubelet", Some(&host));
                                    }
                                    if c.liveness.failures >= p.failure_threshold.unwrap_or(3) {
                                        api.record(obj, "Normal", "Killing", &format!("Container {} failed liveness probe, will be restarted", c.name), "kubelet", Some(&host));
                                        let (at, code) = stop_plan(spec, c, now, now.saturating_add(probe_grace_ms(spec, p)));
                                        c.stage = Stage::Stopping(at, code, since);
                                        want(at);
                                    }
                                    changed = true;
                                }
                                if matches!(c.stage, Stage::Running(_)) {
                                    want(c.liveness.next_ms);
                                }
                            }
                            if let Some(p) = cspec.readiness_probe.as_ref().filter(|_| matches!(c.stage, Stage::Running(_))) {
                                if now >= c.readiness.next_ms {
                                    let (ok, msg) = probe(c, p, &ctx, c.fail_readiness);
                                    tick(&mut c.readiness, p, ok, now);
                                    if !ok {
                                        api.record(obj, "Warning", "Unhealthy", &format!("Readiness probe failed: {msg}"), "kubelet", Some(&host));
                                    }
                                    if c.readiness.successes >= p.success_threshold.unwrap_or(1) {
                                        c.ready = true;
                                    }
                                    if c.readiness.failures >= p.failure_threshold.unwrap_or(3) {
                                        c.ready = false;
                                    }
                                    changed = true;
                                }
                                want(c.readiness.next_ms);
                            }
                        }
                    }
                }
                Stage::Stopping(at, code, started) => {
                    if now >= at {
                        c.stage = Stage::Exited { code, reason: if code == 0 { "Completed".into() } else { "Error".into() }, started, finished: now };
                        changed = true;
                    } else {
                        want(at);
                    }
                }
                Stage::Exited { code, reason, started, finished } => {
                    let restart = if c.init {
                        code != 0 && restart_policy != "Never"
                    } else {
                        restart_policy == "Always" || (restart_policy == "OnFailure" && code != 0)
                    };
                    if restart {
                        c.last_term = Some((code, reason, started, finished));
                        c.ready = false;
                        let delay = c.backoff_ms;
                        // Back-off resets after a container ran 10 minutes without trouble.
                        let delay = if finished.saturating_sub(started) > 600_000 { 0 } else { delay };
                        c.backoff_ms = if delay == 0 { INITIAL_BACKOFF_MS } else { (delay * 2).min(MAX_BACKOFF_MS) };
                        if delay > 0 {
                            api.record(
                                obj,
                                "Warning",
                                "BackOff",
                                &format!("Back-off restarting failed container {} in pod {}_{}({})", c.name, pod_name, pod_ns, pod_uid),
                                "kubelet",
                                Some(&host),
                            );
                        }
                        c.stage = Stage::CrashBackOff(now + delay);
                        changed = true;
                    } else if c.init && code != 0 {
                        final_phase = Some(("Failed".into(), String::new(), String::new()));
                    }
                }
                Stage::CrashBackOff(at) => {
                    if now >= at {
                        c.restarts += 1;
                        c.prev_logs = std::mem::take(&mut c.logs);
                        c.prev_log_times = std::mem::take(&mut c.log_times);
                        c.files.clear();
                        c.stage = Stage::NeedImage;
                        changed = true;
                    } else {
                        want(at);
                    }
                }
            }
        }
        if let Some(a) = self.nodes.get_mut(&host) {
            a.images.extend(pulled);
        }
        if memory_changed {
            self.memory_dirty.insert(host.clone());
        }
        if files_changed {
            self.files_dirty = true;
        }
        if let Some(fp) = final_phase {
            if let Some(rt) = self.pods.get_mut(key) {
                rt.final_phase = Some(fp);
            }
        }
        changed
    }

    /// Computes and writes the pod's status if it changed.
    fn write_status(&mut self, api: &mut Api, key: &ObjectKey, pod: &Pod, now: u64) {
        let Some(rt) = self.pods.get(key) else { return };
        let no_spec = PodSpec::default();
        let spec = pod.spec.as_ref().unwrap_or(&no_spec);
        let old = pod.status.clone().unwrap_or_default();
        let start_time = old.start_time.clone().or_else(|| Some(Time(crate::clock::epoch() + chrono::Duration::seconds((rt.start_ms / 1000) as i64))));
        let ts = |ms: u64| Time(crate::clock::epoch() + chrono::Duration::seconds((ms / 1000) as i64));
        let host_ip = self.nodes.get(&rt.node).map(|n| n.ip.clone()).unwrap_or_default();
        let mut init_statuses = Vec::new();
        let mut statuses = Vec::new();
        for c in &rt.containers {
            let (state, ready) = match &c.stage {
                Stage::Creating(_) if c.config_error.is_some() => {
                    let (reason, message) = c.config_error.clone().unwrap_or_default();
                    (ContainerState { waiting: Some(ContainerStateWaiting { reason: Some(reason), message: Some(message) }), ..Default::default() }, false)
                }
                Stage::NeedImage | Stage::Pulling(_) | Stage::Creating(_) => {
                    let reason = if c.restarts > 0 || c.last_term.is_some() {
                        "ContainerCreating"
                    } else if c.init {
                        "PodInitializing"
                    } else {
                        "ContainerCreating"
                    };
                    (ContainerState { waiting: Some(ContainerStateWaiting { reason: Some(reason.into()), message: None }), ..Default::default() }, false)
                }
                Stage::PullBackOff(_, err, shown) => {
                    let reason = if *shown && !err.is_empty() && err != "ErrImageNeverPull" { "ImagePullBackOff" } else if err == "ErrImageNeverPull" { "ErrImageNeverPull" } else { "ErrImagePull" };
                    let message = if reason == "ImagePullBackOff" { format!("Back-off pulling image \"{}\": ErrImagePull: {err}", c.image) } else { err.clone() };
                    (ContainerState { waiting: Some(ContainerStateWaiting { reason: Some(reason.into()), message: Some(message) }), ..Default::default() }, false)
                }
                Stage::Running(since) | Stage::Stopping(_, _, since) => {
                    (ContainerState { running: Some(ContainerStateRunning { started_at: Some(ts(*since)) }), ..Default::default() }, c.ready)
                }
                Stage::Exited { code, reason, started, finished } => (
                    ContainerState {
                        terminated: Some(ContainerStateTerminated {
                            exit_code: *code,
                            reason: Some(reason.clone()),
                            started_at: Some(ts(*started)),
                            finished_at: Some(ts(*finished)),
                            container_id: Some(c.container_id.clone()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    false,
                ),
                Stage::CrashBackOff(_) => (
                    ContainerState {
                        waiting: Some(ContainerStateWaiting {
                            reason: Some("CrashLoopBackOff".into()),
                            message: Some(format!(
                                "back-off {} restarting failed container={} pod={}_{}({})",
                                crate::util::go_duration(c.backoff_ms / 2),
                                c.name,
                                meta::name(&pod.metadata),
                                meta::namespace(&pod.metadata),
                                rt.uid
                            )),
                        }),
                        ..Default::default()
                    },
                    false,
                ),
            };
            let last_state = c.last_term.as_ref().map(|(code, reason, started, finished)| ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: *code,
                    reason: Some(reason.clone()),
                    started_at: Some(ts(*started)),
                    finished_at: Some(ts(*finished)),
                    container_id: Some(c.container_id.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            });
            let pulled = !matches!(c.stage, Stage::NeedImage | Stage::Pulling(_) | Stage::PullBackOff(..)) || c.restarts > 0;
            let image_ref = images::full_ref(&c.image);
            let (repo, _) = image_ref.rsplit_once(':').unwrap_or((&image_ref, ""));
            let st = ContainerStatus {
                name: c.name.clone(),
                image: if pulled { image_ref.clone() } else { c.image.clone() },
                image_id: if pulled { format!("docker-pullable://{repo}@sha256:{}", hash_hex(&image_ref, 64)) } else { String::new() },
                container_id: if c.container_id.is_empty() { None } else { Some(c.container_id.clone()) },
                ready,
                restart_count: c.restarts,
                started: Some(matches!(c.stage, Stage::Running(_) | Stage::Stopping(..)) && c.started),
                state: Some(state),
                last_state: Some(last_state.unwrap_or_default()),
                ..Default::default()
            };
            if c.init {
                init_statuses.push(st);
            } else {
                statuses.push(st);
            }
        }
        let init_done = rt.containers.iter().filter(|c| c.init).all(|c| matches!(c.stage, Stage::Exited { code: 0, .. }));
        let regular: Vec<&ContainerRt> = rt.containers.iter().filter(|c| !c.init).collect();
        let all_ready = init_done && !regular.is_empty() && regular.iter().all(|c| c.ready);
        let restart_policy = spec.restart_policy.clone().unwrap_or_else(|| "Always".into());
        let all_exited = regular.iter().all(|c| matches!(c.stage, Stage::Exited { .. }));
        let any_running = regular.iter().any(|c| matches!(c.stage, Stage::Running(_) | Stage::Stopping(..) | Stage::CrashBackOff(_)) || c.restarts > 0);
        let mut phase = if let Some((p, _, _)) = &rt.final_phase {
            p.clone()
        } else if init_done && all_exited && restart_policy != "Always" {
            let failed = regular.iter().any(|c| matches!(&c.stage, Stage::Exited { code, .. } if *code != 0));
            if failed && restart_policy == "Never" {
                "Failed".into()
            } else if !failed {
                "Succeeded".into()
            } else {
                "Running".into()
            }
        } else if init_done && (any_running || (all_exited && !regular.is_empty())) {
            "Running".into()
        } else {
            "Pending".into()
        };
        if rt.final_phase.is_none() && old.phase.as_deref() == Some("Failed") && old.reason.as_deref() == Some("Evicted") {
            phase = "Failed".into();
        }
        let cond = |ty: &str, ok: bool, reason: Option<&str>| {
            let status = if ok { "True" } else { "False" };
            let prev = old.conditions.iter().flatten().find(|c| c.type_ == ty);
            let ltt = match prev {
                Some(p) if p.status == status => p.last_transition_time.clone(),
                _ => Some(ts(now)),
            };
            PodCondition {
                type_: ty.to_string(),
                status: status.to_string(),
                last_transition_time: ltt,
                last_probe_time: None,
                reason: if ok { None } else { reason.map(str::to_string) },
                message: None,
            }
        };
        let not_ready: Vec<String> = regular.iter().filter(|c| !c.ready).map(|c| c.name.clone()).collect();
        let finished = phase == "Succeeded" || phase == "Failed";
        let mut conds = vec![
            cond("PodReadyToStartContainers", rt.ip.is_some() && !finished, None),
            cond("Initialized", init_done, Some("ContainersNotInitialized")),
            cond("Ready", all_ready, Some(if finished { "PodCompleted" } else { "ContainersNotReady" })),
            cond("ContainersReady", all_ready, Some(if finished { "PodCompleted" } else { "ContainersNotReady" })),
        ];
        for c in conds.iter_mut() {
            if (c.type_ == "Ready" || c.type_ == "ContainersReady") && c.status == "False" && !finished {
                // The kubelet gives both conditions the same message.
                c.message = Some(format!("containers with unready status: [{}]", not_ready.join(" ")));
            }
            if c.type_ == "Initialized" && c.status == "False" {
                let pending: Vec<String> = rt.containers.iter().filter(|x| x.init && !matches!(x.stage, Stage::Exited { code: 0, .. })).map(|x| x.name.clone()).collect();
                c.message = Some(format!("containers with incomplete status: [{}]", pending.join(" ")));
            }
        }
        if let Some(ps) = old.conditions.iter().flatten().find(|c| c.type_ == "PodScheduled") {
            conds.push(ps.clone());
        }
        let order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];
        crate::sort::sort_by_key(&mut conds, |c| order.iter().position(|o| *o == c.type_).unwrap_or(9));
        let ip = rt.ip.clone();
        let status = PodStatus {
            phase: Some(phase),
            conditions: Some(conds),
            host_ip: Some(host_ip.clone()),
            host_ips: Some(vec![HostIP { ip: host_ip }]),
            pod_ip: ip.clone(),
            pod_ips: ip.map(|ip| vec![PodIP { ip }]),
            start_time,
            container_statuses: Some(statuses),
            init_container_statuses: if init_statuses.is_empty() { None } else { Some(init_statuses) },
            qos_class: old.qos_class.clone(),
            reason: rt.final_phase.as_ref().map(|f| f.1.clone()).filter(|s| !s.is_empty()).or(old.reason.clone()),
            message: rt.final_phase.as_ref().map(|f| f.2.clone()).filter(|s| !s.is_empty()).or(old.message.clone()),
            nominated_node_name: old.nominated_node_name.clone(),
            ..Default::default()
        };
        if Some(&status) != pod.status.as_ref() {
            let mut p = pod.clone();
            p.status = Some(status);
            api.store.put(Object::Pod(p));
        }
    }

    /// Stops or starts a node's kubelet (fault injection).
    pub fn set_node_running(&mut self, node: &str, running: bool, now: u64) {
        if let Some(a) = self.nodes.get_mut(node) {
            a.running = running;
            if running {
                a.last_heartbeat_ms = now;
            }
        }
        if running {
            let keys: Vec<ObjectKey> = self.pods.iter().filter(|(_, p)| p.node == node).map(|(k, _)| k.clone()).collect();
            self.queue.extend(keys);
        }
    }

    /// Memory used on a node by pods and injected load, in bytes.
    pub fn node_memory_used(&self, api: &Api, node: &str) -> u64 {
        let pods: u64 = api
            .store
            .pods_on_node(node)
            .filter_map(|k| self.pods.get(k))
            .filter(|p| p.node == node)
            .flat_map(|p| p.containers.iter())
            .filter(|c| matches!(c.stage, Stage::Running(_) | Stage::Stopping(..)))
            .map(|c| c.memory)
            .sum();
        pods + self.nodes.get(node).map(|n| n.extra_memory).unwrap_or(0)
    }

    /// Node-pressure eviction: while a running node's memory is short, evict pods in QoS order.
    /// Returns whether a node is under memory pressure after evicting.
    pub fn evict_for_memory(&mut self, api: &mut Api, node: &str, capacity: u64) -> bool {
        const THRESHOLD: u64 = 100 * 1024 * 1024;
        for _ in 0..1000 {
            let used = self.node_memory_used(api, node);
            let available = capacity.saturating_sub(used);
            if available >= THRESHOLD {
                return false;
            }
            // Rank as the kubelet does for memory: pods using more than they requested first,
            // then lower priority, then larger usage above request. Critical pods are never evicted.
            let mut candidates: Vec<(bool, i32, i64, ObjectKey)> = Vec::new();
            for key in api.store.pods_on_node(node).cloned().collect::<Vec<_>>() {
                let Some(rt) = self.pods.get(&key) else { continue };
                if rt.final_phase.is_some() {
                    continue;
                }
                let Some(Object::Pod(p)) = api.store.get(&key).map(|o| (**o).clone()) else { continue };
                if p.metadata.deletion_timestamp.is_some() {
                    continue;
                }
                let priority = p.spec.as_ref().and_then(|s| s.priority).unwrap_or(0);
                if priority >= 2_000_000_000 || meta::annotation(&p.metadata, MIRROR_ANNOTATION).is_some() {
                    continue;
                }
                let usage: u64 = rt.containers.iter().filter(|c| matches!(c.stage, Stage::Running(_))).map(|c| c.memory).sum();
                let request: i64 = p.spec.iter().flat_map(|s| s.containers.iter()).filter_map(|c| c.resources.as_ref()?.requests.as_ref()?.get("memory").and_then(|q| parse_int(&q.0))).sum();
                let over = usage as i64 - request;
                candidates.push((over <= 0, priority, -over, key.clone()));
            }
            crate::sort::sort(&mut candidates);
            let Some((_, _, _, key)) = candidates.first().cloned() else { return true };
            let Some(Object::Pod(p)) = api.store.get(&key).map(|o| (**o).clone()) else { return true };
            let usage: u64 = self.pods.get(&key).map(|rt| rt.containers.iter().map(|c| c.memory).sum()).unwrap_or(0);
            let msg = format!(
                "The node was low on resource: memory. Threshold quantity: 100Mi, available: {}Ki. Container {} was using {}Ki, request is {}, has larger consumption of memory. ",
                available / 1024,
                p.spec.as_ref().and_then(|s| s.containers.first()).map(|c| c.name.clone()).unwrap_or_default(),
                usage / 1024,
                p.spec.as_ref().and_then(|s| s.containers.first()).and_then(|c| c.resources.as_ref()?.requests.as_ref()?.get("memory").map(|q| q.0.clone())).unwrap_or_else(|| "0".into())
            );
            api.record(&Object::Pod(p.clone()), "Warning", "Evicted", &msg, "kubelet", Some(node));
            if let Some(rt) = self.pods.get_mut(&key) {
                for c in rt.containers.iter_mut() {
                    if let Stage::Running(since) = c.stage {
                        c.stage = Stage::Exited { code: 137, reason: "Error".into(), started: since, finished: api.clock.now_ms() };
                    }
                    c.ready = false;
                }
                rt.final_phase = Some(("Failed".into(), "Evicted".into(), msg));
            }
            self.write_status(api, &key, &p, api.clock.now_ms());
        }
        true
    }

    /// Log lines of a container (current or previous instance).
    pub fn logs(&self, key: &ObjectKey, container: &str, previous: bool) -> Option<&[String]> {
        let rt = self.pods.get(key)?;
        let c = rt.containers.iter().find(|c| c.name == container)?;
        Some(if previous { &c.prev_logs } else { &c.logs })
    }

    /// When each line of [`Kubelets::logs`] was written (virtual ms since the epoch).
    pub fn log_times(&self, key: &ObjectKey, container: &str, previous: bool) -> Option<&[u64]> {
        let rt = self.pods.get(key)?;
        let c = rt.containers.iter().find(|c| c.name == container)?;
        Some(if previous { &c.prev_log_times } else { &c.log_times })
    }

    /// Mutable access to a container's runtime (exec, faults, requests).
    pub fn container_mut(&mut self, key: &ObjectKey, container: &str) -> Option<&mut ContainerRt> {
        self.pods.get_mut(key)?.containers.iter_mut().find(|c| c.name == container)
    }

    /// What a pod's running containers use now, for the metrics API: the image programs' CPU
    /// (millicores) and memory (bytes), and the HTTP requests served so far (load drives CPU).
    /// `None` when no container of the pod is running.
    pub fn pod_usage(&self, key: &ObjectKey) -> Option<(u64, u64, u64)> {
        let rt = self.pods.get(key)?;
        if rt.final_phase.is_some() || !self.nodes.get(&rt.node).is_some_and(|n| n.running) {
            return None;
        }
        let running: Vec<&ContainerRt> = rt.containers.iter().filter(|c| !c.init && matches!(c.stage, Stage::Running(_))).collect();
        if running.is_empty() {
            return None;
        }
        Some((running.iter().map(|c| c.program.cpu).sum(), running.iter().map(|c| c.memory).sum(), running.iter().map(|c| c.hits).sum()))
    }

    /// Whether a container is running (exec needs it).
    pub fn is_running(&self, key: &ObjectKey, container: &str) -> bool {
        self.pods.get(key).and_then(|p| p.containers.iter().find(|c| c.name == container)).is_some_and(|c| matches!(c.stage, Stage::Running(_)))
    }
}

struct ProbeCtx {
    ip: String,
    pod_name: String,
    now: u64,
    since: u64,
}

fn tick(st: &mut ProbeState, p: &Probe, ok: bool, now: u64) {
    if ok {
        st.successes += 1;
        st.failures = 0;
    } else {
        st.failures += 1;
        st.successes = 0;
    }
    st.next_ms = now + p.period_seconds.unwrap_or(10).max(1) as u64 * 1000;
}

fn resolve_port(c_ports: &[i32], port: &IntOrString) -> i32 {
    match port {
        IntOrString::Int(p) => *p,
        IntOrString::String(_) => c_ports.first().copied().unwrap_or(0),
    }
}

/// Runs one probe against the simulated container: (success, failure message).
fn probe(c: &mut ContainerRt, p: &Probe, ctx: &ProbeCtx, forced_fail: bool) -> (bool, String) {
    let server = c.program.server.clone();
    let listening = server.as_ref().is_some_and(|s| ctx.now >= ctx.since + s.ready_after_ms);
    let ports = server.as_ref().map(|s| s.ports.clone()).unwrap_or_default();
    if let Some(h) = &p.http_get {
        let port = resolve_port(&ports, &h.port);
        let path = h.path.clone().unwrap_or_else(|| "/".into());
        if forced_fail {
            return (false, "HTTP probe failed with statuscode: 500".into());
        }
        if !listening || !ports.contains(&port) {
            return (false, format!("Get \"http://{}:{port}{path}\": dial tcp {}:{port}: connect: connection refused", ctx.ip, ctx.ip));
        }
        let handler = server.map(|s| s.handler).unwrap_or(images::Handler::Tcp);
        let (code, _) = images::http_answer(handler, &path, &ctx.pod_name, "10.244.0.1", ctx.now - ctx.since, c.hits, "");
        if (200..400).contains(&code) {
            return (true, String::new());
        }
        if code == 0 {
            return (false, format!("Get \"http://{}:{port}{path}\": EOF", ctx.ip));
        }
        return (false, format!("HTTP probe failed with statuscode: {code}"));
    }
    if let Some(t) = &p.tcp_socket {
        let port = resolve_port(&ports, &t.port);
        if forced_fail || !listening || !ports.contains(&port) {
            return (false, format!("dial tcp {}:{port}: connect: connection refused", ctx.ip));
        }
        return (true, String::new());
    }
    if let Some(e) = &p.exec {
        if forced_fail {
            return (false, String::new());
        }
        let cmd = e.command.clone().unwrap_or_default();
        return exec_check(c, &cmd);
    }
    (!forced_fail, String::new())
}

/// Evaluates an exec probe command against the container's files.
fn exec_check(c: &ContainerRt, cmd: &[String]) -> (bool, String) {
    let words: Vec<String> = if cmd.len() >= 3 && (cmd[0].ends_with("sh")) && cmd[1] == "-c" {
        images::split_words(&cmd[2])
    } else {
        cmd.to_vec()
    };
    let Some(first) = words.first() else { return (true, String::new()) };
    match first.as_str() {
        "cat" | "ls" | "stat" | "head" => {
            for f in words[1..].iter().filter(|w| !w.starts_with('-')) {
                if !c.files.contains_key(f) {
                    return (false, format!("{first}: can't open '{f}': No such file or directory"));
                }
            }
            (true, String::new())
        }
        "test" | "[" => {
            let f = words.iter().skip(1).find(|w| !w.starts_with('-') && *w != "]").cloned().unwrap_or_default();
            (c.files.contains_key(&f), String::new())
        }
        "false" => (false, String::new()),
        "exit" => (words.get(1).map(String::as_str) == Some("0"), String::new()),
        _ => (true, String::new()),
    }
}

/// Applies the effects of a command run in the container (postStart hooks, `kubectl exec`).
pub fn run_exec_effects(c: &mut ContainerRt, cmd: &[String]) {
    let script = if cmd.len() >= 3 && cmd[0].ends_with("sh") && cmd[1] == "-c" { cmd[2].clone() } else { cmd.join(" ") };
    let prog = images::shell_program(&script);
    for s in prog.steps {
        match s {
            Step::Write(f, content, append) => {
                let e = c.files.entry(f).or_default();
                if append {
                    e.push_str(&content);
                } else {
                    *e = content;
                }
            }
            Step::Remove(f) => {
                c.files.remove(&f);
            }
            _ => {}
        }
    }
}

fn expand_log(line: &str, c: &ContainerRt, now: u64) -> Vec<String> {
    if line == "$DATE" {
        let t = crate::clock::epoch() + chrono::Duration::milliseconds(now as i64);
        return vec![crate::util::format_time(&t, "%a %b %e %H:%M:%S UTC %Y")];
    }
    if let Some(f) = line.strip_prefix("$CAT ") {
        return match c.files.get(f) {
            Some(content) => content.lines().map(str::to_string).collect(),
            None => vec![format!("cat: can't open '{f}': No such file or directory")],
        };
    }
    vec![line.to_string()]
}

/// Sums container requests of a pod for a resource (`cpu` in millis, else in units).
pub fn pod_request(p: &Pod, res: &str) -> i64 {
    let Some(spec) = p.spec.as_ref() else { return 0 };
    let get = |c: &Container| -> i64 {
        let q = c.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get(res));
        q.and_then(|q| if res == "cpu" { parse_milli(&q.0) } else { parse_int(&q.0) }).unwrap_or(0)
    };
    let sum: i64 = spec.containers.iter().map(get).sum();
    let init_max = spec.init_containers.iter().flatten().map(get).max().unwrap_or(0);
    sum.max(init_max)
}

/// How the kubelet stops a running container by `deadline` (the end of its grace period): a
/// preStop exec hook runs first (its sleeps take time), then SIGTERM; a program that handles
/// SIGTERM exits with 0 soon after, one that does not (a shell as PID 1) is SIGKILLed at the
/// deadline with 137. Returns when it exits and the code.
fn stop_plan(spec: &k8s_openapi::api::core::v1::PodSpec, c: &ContainerRt, now: u64, deadline: u64) -> (u64, i32) {
    let hook_ms: u64 = spec
        .containers
        .iter()
        .find(|x| x.name == c.name)
        .and_then(|x| x.lifecycle.as_ref()?.pre_stop.as_ref()?.exec.as_ref()?.command.clone())
        .map(|cmd| {
            let script = if cmd.len() >= 3 && cmd[0].ends_with("sh") && cmd[1] == "-c" { cmd[2].clone() } else { cmd.join(" ") };
            images::shell_program(&script).steps.iter().fold(0u64, |t, s| match s {
                Step::Sleep(ms) => t.saturating_add(*ms),
                Step::Forever => u64::MAX,
                _ => t,
            })
        })
        .unwrap_or(0);
    let sigterm_at = now.saturating_add(hook_ms);
    let graceful = c.program.handles_sigterm && sigterm_at.saturating_add(200) <= deadline;
    let stop_at = if graceful { sigterm_at + 200 } else { deadline };
    (stop_at.min(deadline.max(now)), if graceful { 0 } else { 137 })
}

/// The grace period of a kill after failed liveness/startup probes: the probe's own
/// `terminationGracePeriodSeconds`, else the pod's (default 30 s).
fn probe_grace_ms(spec: &k8s_openapi::api::core::v1::PodSpec, p: &k8s_openapi::api::core::v1::Probe) -> u64 {
    let secs = p.termination_grace_period_seconds.or(spec.termination_grace_period_seconds).unwrap_or(30);
    secs.max(0) as u64 * 1000
}

