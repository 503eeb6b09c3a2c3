//! The simulated kube-apiserver: admission (namespace checks, generateName, defaults,
//! validation, priority, service IPs), metadata semantics (uid, resourceVersion, generation,
//! timestamps), create/update/apply/patch/delete with graceful deletion, and the event recorder.

use crate::vecmap::VecSet;
use crate::api::defaults::apply_defaults;
use crate::api::validate::validate;
use crate::api::{meta, ApiError, FieldError, Kind, Object, ObjectKey};
use crate::clock::Clock;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The annotation `kubectl apply` keeps the last applied configuration in.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The `last-applied-configuration` kubectl writes for an object (its GetModifiedConfiguration):
/// the object as JSON with sorted keys, without resourceVersion and without the annotation
/// itself, `metadata.annotations` present even when empty (`"annotations":{}`), and a newline.
pub fn last_applied_text(obj: &Object) -> String {
    applied_text(&last_applied_config(obj))
}

fn applied_text(config: &Value) -> String {
    serde_json::to_string(config).unwrap_or_default() + "\n"
}

/// The configuration behind [`last_applied_text`], keys sorted.
fn last_applied_config(obj: &Object) -> Value {
    let mut config = obj.to_json();
    if let Some(m) = config.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
        let a = m.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
        if let Some(a) = a.as_object_mut() {
            a.remove(LAST_APPLIED);
        }
    }
    sort_json(&config)
}

/// How dependents are treated when their owner is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Propagation {
    /// Dependents are deleted by the garbage collector after the owner.
    #[default]
    Background,
    /// Dependents are deleted first (treated like Background here, but awaited by kubectl).
    Foreground,
    /// Dependents are kept and their ownerReferences removed.
    Orphan,
}

/// Options for a delete.
#[derive(Clone, Debug, Default)]
pub struct DeleteOptions {
    /// Grace period override (seconds); `Some(0)` with force deletes a pod at once.
    pub grace_period: Option<i64>,
    /// Cascade policy.
    pub propagation: Propagation,
}

/// What `apply` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyResult {
    /// The object did not exist and was created.
    Created,
    /// The object changed.
    Configured,
    /// Nothing changed.
    Unchanged,
}

/// The kinds of patch `kubectl patch --type` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    /// RFC 7386 JSON merge patch.
    Merge,
    /// Strategic merge patch (lists of named items merge by name).
    Strategic,
    /// RFC 6902 JSON patch.
    Json,
}

/// The API server state: store, clock and RNG, allocators and the event recorder.
#[derive(Debug, Clone)]
pub struct Api {
    /// The object store and watch log.
    pub store: Store,
    /// Virtual time and the seeded RNG.
    pub clock: Clock,
    /// Owner uids whose dependents are to be orphaned rather than deleted.
    pub(crate) orphan_uids: VecSet<String>,
    event_index: BTreeMap<(String, String, String, String), String>,
    event_seq: u64,
    used_node_ports: VecSet<i32>,
    /// Whether events are recorded (benchmarks may turn them off).
    pub record_events: bool,
}

fn now_time(clock: &Clock) -> Time {
    Time(clock.now_secs())
}

/// Kinds whose spec changes bump `metadata.generation`.
fn has_generation(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Deployment | Kind::ReplicaSet | Kind::DaemonSet | Kind::StatefulSet | Kind::Job | Kind::CronJob
            | Kind::HorizontalPodAutoscaler | Kind::PodDisruptionBudget | Kind::Ingress | Kind::Service
    )
}

/// A UUID-shaped uid from FNV-1a hashes of the object's identity and the creation instant.
fn derive_uid(obj: &Object, now_ms: u64) -> String {
    let m = obj.metadata();
    let owner = meta::controller_of(m).map(|r| r.uid.clone()).unwrap_or_default();
    let seed = format!("{}/{}/{}/{}/{}", obj.kind().info().kind, meta::namespace(m), meta::name(m), owner, now_ms);
    let fnv = |salt: u64| {
        let mut h: u64 = 0xcbf29ce484222325 ^ salt;
        for b in seed.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        h
    };
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&fnv(0).to_be_bytes());
    b[8..].copy_from_slice(&fnv(0x9e3779b97f4a7c15).to_be_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", h[0..4].concat(), h[4..6].concat(), h[6..8].concat(), h[8..10].concat(), h[10..16].concat())
}

fn spec_json(obj: &Object) -> Value {
    let mut v = obj.to_json();
    if let Value::Object(m) = &mut v {
        m.remove("metadata");
        m.remove("status");
    }
    v
}

impl Api {
    /// A fresh API server with an empty store.
    pub fn new(seed: u64) -> Api {
        Api {
            store: Store::default(),
            clock: Clock::new(seed),
            orphan_uids: VecSet::new(),
            event_index: BTreeMap::new(),
            event_seq: 0,
            used_node_ports: VecSet::new(),
            record_events: true,
        }
    }

    /// An object by key.
    pub fn get(&self, key: &ObjectKey) -> Result<Arc<Object>, ApiError> {
        self.store.get(key).cloned().ok_or_else(|| ApiError::not_found(key.kind, &key.name))
    }

    fn check_namespace(&self, obj: &Object, verb_create: bool) -> Result<(), ApiError> {
        let kind = obj.kind();
        if !kind.info().namespaced {
            return Ok(());
        }
        let ns = meta::namespace(obj.metadata());
        match self.store.get(&ObjectKey::new(Kind::Namespace, "", ns)) {
            None => Err(ApiError::not_found(Kind::Namespace, ns)),
            Some(n) if verb_create && n.metadata().deletion_timestamp.is_some() && kind != Kind::Event => {
                Err(ApiError::Forbidden(format!(
                    "{} \"{}\" is forbidden: unable to create new content in namespace {} because it is being terminated",
                    kind.info().resource_name(),
                    meta::name(obj.metadata()),
                    ns
                )))
            }
            _ => Ok(()),
        }
    }

    /// Prepares an object for creation without storing it: namespace, generateName, defaults,
    /// validation and admission. Used by `create` and by dry runs.
    pub fn admit_create(&mut self, mut obj: Object) -> Result<Object, ApiError> {
        let kind = obj.kind();
        {
            let m = obj.metadata_mut();
            if kind.info().namespaced {
                if m.namespace.as_deref().unwrap_or("").is_empty() {
                    m.namespace = Some("default".into());
                }
            } else {
                m.namespace = None;
            }
        }
        if meta::name(obj.metadata()).is_empty() {
            if let Some(prefix) = obj.metadata().generate_name.clone() {
                let suffix = self.clock.suffix(5);
                obj.metadata_mut().name = Some(format!("{prefix}{suffix}"));
            }
        }
        apply_defaults(&mut obj);
        self.admit_kind(&mut obj)?;
        crate::storage::admit_create_mutate(self, &mut obj);
        let errs = validate(&obj);
        if !errs.is_empty() {
            return Err(ApiError::invalid(kind, meta::name(obj.metadata()), errs));
        }
        self.check_namespace(&obj, true)?;
        crate::storage::admit_create_validate(self, &obj)?;
        let key = ObjectKey::of(&obj);
        if self.store.get(&key).is_some() {
            return Err(ApiError::AlreadyExists { resource: kind.info().resource_name(), name: key.name });
        }
        Ok(obj)
    }

    /// Creates an object (POST).
    pub fn create(&mut self, obj: Object) -> Result<Arc<Object>, ApiError> {
        self.create_inner(obj, false)
    }

    /// Creates an object whose uid is derived from its kind, namespace, name, owner and the
    /// current instant instead of drawn from the seeded RNG. Controllers use it for the
    /// bookkeeping objects they add (ControllerRevisions), so that those do not shift every
    /// random pod name that follows.
    pub fn create_derived_uid(&mut self, obj: Object) -> Result<Arc<Object>, ApiError> {
        self.create_inner(obj, true)
    }

    fn create_inner(&mut self, obj: Object, derived_uid: bool) -> Result<Arc<Object>, ApiError> {
        let mut obj = self.admit_create(obj)?;
        let kind = obj.kind();
        self.allocate(&mut obj)?;
        let uid = if derived_uid { derive_uid(&obj, self.clock.now_ms()) } else { self.clock.uuid() };
        let now = now_time(&self.clock);
        let m = obj.metadata_mut();
        m.uid = Some(uid);
        m.creation_timestamp = Some(now);
        m.generation = if has_generation(kind) { Some(1) } else { None };
        m.deletion_timestamp = None;
        m.resource_version = None;
        if kind == Kind::Namespace {
            if let Object::Namespace(ns) = &mut obj {
                let labels = ns.metadata.labels.get_or_insert_with(Default::default);
                let name = ns.metadata.name.clone().unwrap_or_default();
                labels.insert("kubernetes.io/metadata.name".into(), name);
                ns.spec = Some(k8s_openapi::api::core::v1::NamespaceSpec { finalizers: Some(vec!["kubernetes".into()]) });
                ns.status = Some(k8s_openapi::api::core::v1::NamespaceStatus { phase: Some("Active".into()), conditions: None });
            }
        }
        Ok(self.store.put(obj))
    }

    /// Kind-specific admission: pod priority, immutable bits.
    fn admit_kind(&mut self, obj: &mut Object) -> Result<(), ApiError> {
        if let Object::Node(n) = obj {
            // As the API server's node strategy does: NoExecute taints get their timeAdded.
            let now = Time(self.clock.now_secs());
            for t in n.spec.iter_mut().flat_map(|s| s.taints.iter_mut().flatten()) {
                if t.effect == "NoExecute" && t.time_added.is_none() {
                    t.time_added = Some(now.clone());
                }
            }
        }
        if let Object::PriorityClass(pc) = obj {
            // As the Priority admission plugin does: user values are capped, one global default.
            let name = meta::name(&pc.metadata).to_string();
            if pc.value > 1_000_000_000 && !name.starts_with("system-") {
                return Err(ApiError::Forbidden(format!(
                    "priorityclasses.scheduling.k8s.io \"{name}\" is forbidden: maximum allowed value of a user defined priority is 1000000000"
                )));
            }
            if pc.global_default == Some(true) {
                let existing = self.store.list(Kind::PriorityClass).find_map(|o| match &**o {
                    Object::PriorityClass(c) if c.global_default == Some(true) => Some(meta::name(&c.metadata).to_string()),
                    _ => None,
                });
                if let Some(d) = existing {
                    return Err(ApiError::Forbidden(format!(
                        "priorityclasses.scheduling.k8s.io \"{name}\" is forbidden: PriorityClass {d} is already marked as default. Only one default can exist"
                    )));
                }
            }
        }
        if let Object::Pod(p) = obj {
            let name = meta::name(&p.metadata).to_string();
            if let Some(spec) = p.spec.as_mut() {
                let (prio, policy) = match spec.priority_class_name.as_deref() {
                    Some(pc) if !pc.is_empty() => match self.store.get(&ObjectKey::new(Kind::PriorityClass, "", pc)) {
                        Some(o) => match &**o {
                            Object::PriorityClass(c) => (c.value, c.preemption_policy.clone()),
                            _ => (0, None),
                        },
                        None => {
                            return Err(ApiError::Forbidden(format!(
                                "pods \"{name}\" is forbidden: no PriorityClass with name {pc} was found"
                            )))
                        }
                    },
                    _ => {
                        let default = self.store.list(Kind::PriorityClass).find_map(|o| match &**o {
                            Object::PriorityClass(c) if c.global_default == Some(true) => {
                                Some((c.value, c.preemption_policy.clone(), meta::name(&c.metadata).to_string()))
                            }
                            _ => None,
                        });
                        match default {
                            Some((v, pol, n)) => {
                                spec.priority_class_name = Some(n);
                                (v, pol)
                            }
                            None => (0, None),
                        }
                    }
                };
                if spec.priority.is_none() {
                    spec.priority = Some(prio);
                }
                if spec.preemption_policy.is_none() {
                    spec.preemption_policy = Some(policy.unwrap_or_else(|| "PreemptLowerPriority".into()));
                }
                spec.enable_service_links.get_or_insert(true);
                if spec.service_account_name.is_none() {
                    spec.service_account_name = Some("default".into());
                }
            }
            let qos = crate::kubelet::qos::qos_class(p).to_string();
            let status = p.status.get_or_insert_with(Default::default);
            if status.phase.is_none() {
                status.phase = Some("Pending".into());
            }
            if status.qos_class.is_none() {
                status.qos_class = Some(qos);
            }
        }
        Ok(())
    }

    /// Allocates cluster IPs and node ports for Services.
    fn allocate(&mut self, obj: &mut Object) -> Result<(), ApiError> {
        let Object::Service(svc) = obj else { return Ok(()) };
        let name = meta::name(&svc.metadata).to_string();
        let Some(spec) = svc.spec.as_mut() else { return Ok(()) };
        let ty = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
        if ty == "ExternalName" {
            return Ok(());
        }
        if spec.cluster_ip.is_none() || spec.cluster_ip.as_deref() == Some("") {
            let ip = self.alloc_cluster_ip().map_err(|e| ApiError::Internal(format!("failed to allocate a serviceIP: {e}")))?;
            spec.cluster_ip = Some(ip);
        } else if let Some(ip) = spec.cluster_ip.clone().filter(|ip| ip != "None") {
            if let Err(e) = self.check_cluster_ip(&ip) {
                return Err(ApiError::invalid(Kind::Service, &name, vec![FieldError {
                    field: "spec.clusterIPs".into(),
                    message: format!("spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: {e}"),
                }]));
            }
        }
        spec.cluster_ips = Some(vec![spec.cluster_ip.clone().unwrap_or_default()]);
        spec.ip_families = Some(vec!["IPv4".into()]);
        spec.ip_family_policy = Some("SingleStack".into());
        if ty == "NodePort" || ty == "LoadBalancer" {
            for p in spec.ports.iter_mut().flatten() {
                match p.node_port {
                    Some(np) => {
                        if !self.used_node_ports.insert(np) {
                            return Err(ApiError::invalid(Kind::Service, &name, vec![FieldError {
                                field: "spec.ports[0].nodePort".into(),
                                message: format!("spec.ports[0].nodePort: Invalid value: {np}: provided port is already allocated"),
                            }]));
                        }
                    }
                    None => {
                        let mut np;
                        loop {
                            np = 30000 + self.clock.jitter(0, 2767) as i32;
                            if !self.used_node_ports.contains(&np) {
                                break;
                            }
                        }
                        self.used_node_ports.insert(np);
                        p.node_port = Some(np);
                    }
                }
            }
        }
        if ty == "LoadBalancer" {
            spec.allocate_load_balancer_node_ports.get_or_insert(true);
            svc.status.get_or_insert_with(Default::default).load_balancer.get_or_insert_with(Default::default);
        }
        Ok(())
    }

    /// Allocates a ClusterIP from 10.96.0.0/12 as the API server's allocator does: 10.96.0.1
    /// (the `kubernetes` Service) first, then random free addresses above the static band
    /// (10.96.0.0-10.96.0.255 is left for explicitly requested IPs), from the seeded RNG.
    fn alloc_cluster_ip(&mut self) -> Result<String, String> {
        let taken: VecSet<String> = self
            .store
            .list(Kind::Service)
            .filter_map(|s| match &**s {
                Object::Service(s) => s.spec.as_ref().and_then(|x| x.cluster_ip.clone()),
                _ => None,
            })
            .collect();
        let ip_of = |n: u32| format!("10.{}.{}.{}", 96 + (n >> 16), (n >> 8) & 0xff, n & 0xff);
        if !taken.contains(&ip_of(1)) {
            return Ok(ip_of(1));
        }
        const SIZE: u32 = 1 << 20;
        for _ in 0..64 {
            let n = self.clock.jitter(256, (SIZE - 2) as u64) as u32;
            if !taken.contains(&ip_of(n)) {
                return Ok(ip_of(n));
            }
        }
        (1..SIZE - 1).map(ip_of).find(|ip| !taken.contains(ip)).ok_or_else(|| "range is full".to_string())
    }

    /// Checks an explicitly requested ClusterIP: inside 10.96.0.0/12 and free.
    fn check_cluster_ip(&self, ip: &str) -> Result<(), String> {
        let o: Vec<u32> = ip.split('.').filter_map(|p| p.parse().ok()).collect();
        let in_range = o.len() == 4 && o.iter().all(|x| *x < 256) && o[0] == 10 && (96..112).contains(&o[1]) && !(o[1] == 96 && o[2] == 0 && o[3] == 0) && !(o[1] == 111 && o[2] == 255 && o[3] == 255);
        if !in_range {
            return Err(format!("failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is 10.96.0.0/12"));
        }
        let taken = self.store.list(Kind::Service).any(|s| matches!(&**s, Object::Service(s) if s.spec.as_ref().and_then(|x| x.cluster_ip.as_deref()) == Some(ip)));
        if taken {
            return Err(format!("failed to allocate IP {ip}: provided IP is already allocated"));
        }
        Ok(())
    }

    /// Replaces an object (PUT). The stored status is kept; use `update_status` for status.
    pub fn update(&mut self, obj: Object) -> Result<Arc<Object>, ApiError> {
        self.update_inner(obj, false)
    }

    /// Replaces an object's status only (PUT .../status).
    pub fn update_status(&mut self, obj: Object) -> Result<Arc<Object>, ApiError> {
        self.update_inner(obj, true)
    }

    /// Writes an object as given, both spec and status, after the usual checks. For controllers.
    pub fn write(&mut self, mut obj: Object) -> Result<Arc<Object>, ApiError> {
        let key = ObjectKey::of(&obj);
        let old = self.get(&key)?;
        self.carry_metadata(&old, &mut obj);
        if has_generation(key.kind) && spec_json(&old) != spec_json(&obj) {
            obj.metadata_mut().generation = Some(old.metadata().generation.unwrap_or(1) + 1);
        }
        Ok(self.store.put(obj))
    }

    fn carry_metadata(&self, old: &Object, obj: &mut Object) {
        let om = old.metadata();
        let m = obj.metadata_mut();
        m.uid = om.uid.clone();
        m.creation_timestamp = om.creation_timestamp.clone();
        m.generation = om.generation;
        if m.deletion_timestamp.is_none() {
            m.deletion_timestamp = om.deletion_timestamp.clone();
            m.deletion_grace_period_seconds = om.deletion_grace_period_seconds;
        }
    }

    fn update_inner(&mut self, mut obj: Object, status_only: bool) -> Result<Arc<Object>, ApiError> {
        let kind = obj.kind();
        if kind.info().namespaced && meta::namespace(obj.metadata()).is_empty() {
            obj.metadata_mut().namespace = Some("default".into());
        }
        let key = ObjectKey::of(&obj);
        let old = self.get(&key)?;
        if let Some(rv) = obj.metadata().resource_version.as_deref() {
            if !rv.is_empty() && Some(rv) != old.metadata().resource_version.as_deref() {
                return Err(ApiError::Conflict(format!(
                    "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                    kind.info().resource_name(),
                    key.name
                )));
            }
        }
        if status_only {
            let mut merged = (*old).clone();
            set_status_from(&mut merged, &obj);
            return Ok(self.store.put(merged));
        }
        set_status_from(&mut obj, &old);
        apply_defaults(&mut obj);
        self.admit_kind(&mut obj)?;
        crate::storage::admit_update(self, &old, &mut obj)?;
        let mut errs = validate(&obj);
        errs.extend(immutable_errors(&old, &obj));
        if !errs.is_empty() {
            return Err(ApiError::invalid(kind, &key.name, errs));
        }
        self.carry_metadata(&old, &mut obj);
        if let (Object::Service(new), Object::Service(prev)) = (&mut obj, &*old) {
            if let (Some(ns), Some(ps)) = (new.spec.as_mut(), prev.spec.as_ref()) {
                if ns.cluster_ip.is_none() {
                    ns.cluster_ip = ps.cluster_ip.clone();
                    ns.cluster_ips = ps.cluster_ips.clone();
                }
                ns.ip_families = ps.ip_families.clone();
                ns.ip_family_policy = ps.ip_family_policy.clone();
                for p in ns.ports.iter_mut().flatten() {
                    if p.node_port.is_none() {
                        p.node_port = ps.ports.iter().flatten().find(|q| q.port == p.port).and_then(|q| q.node_port);
                    }
                }
            }
        }
        if has_generation(kind) && spec_json(&old) != spec_json(&obj) {
            obj.metadata_mut().generation = Some(old.metadata().generation.unwrap_or(1) + 1);
        }
        // Nothing changed (an update that only omits or repeats the resourceVersion included):
        // compared as stored, on the JSON.
        let old_json = old.to_json();
        let mut new_json = obj.to_json();
        if new_json == old_json {
            return Ok(old);
        }
        if let Some(meta) = new_json.get_mut("metadata").and_then(Value::as_object_mut) {
            match old.metadata().resource_version.clone() {
                Some(rv) => meta.insert("resourceVersion".into(), Value::String(rv)),
                None => meta.remove("resourceVersion"),
            };
        }
        if new_json == old_json {
            return Ok(old);
        }
        Ok(self.store.put(obj))
    }

    /// `kubectl apply`: create, or three-way merge of last-applied, live and new configuration.
    pub fn apply(&mut self, obj: Object) -> Result<(ApplyResult, Arc<Object>), ApiError> {
        let mut obj = obj;
        let kind = obj.kind();
        if kind.info().namespaced && meta::namespace(obj.metadata()).is_empty() {
            obj.metadata_mut().namespace = Some("default".into());
        }
        // The new configuration, as kubectl computes its patch from it, and its text.
        let config = last_applied_config(&obj);
        let applied_text = applied_text(&config);
        let key = ObjectKey::of(&obj);
        match self.store.get(&key).cloned() {
            None => {
                obj.metadata_mut().annotations.get_or_insert_with(Default::default).insert(LAST_APPLIED.into(), applied_text);
                let created = self.create(obj)?;
                Ok((ApplyResult::Created, created))
            }
            Some(live) => {
                let last: Value = meta::annotation(live.metadata(), LAST_APPLIED)
                    .and_then(|s| serde_json::from_str(s).ok())
                    .unwrap_or(Value::Object(Default::default()));
                let mut merged = live.to_json();
                three_way(&mut merged, &last, &config);
                if let Some(m) = merged.get_mut("metadata").and_then(Value::as_object_mut) {
                    let ann = m.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
                    if let Some(a) = ann.as_object_mut() {
                        a.insert(LAST_APPLIED.into(), Value::String(applied_text));
                    }
                    m.remove("resourceVersion");
                }
                let new_obj = Object::from_json_as(kind, merged).map_err(ApiError::BadRequest)?;
                let before_rv = live.metadata().resource_version.clone();
                let out = self.update(new_obj)?;
                if out.metadata().resource_version == before_rv {
                    Ok((ApplyResult::Unchanged, out))
                } else {
                    Ok((ApplyResult::Configured, out))
                }
            }
        }
    }

    /// Patches an object (PATCH) with a merge, strategic merge or JSON patch.
    pub fn patch(&mut self, key: &ObjectKey, patch_type: PatchType, patch: &Value) -> Result<Arc<Object>, ApiError> {
        let live = self.get(key)?;
        let mut doc = live.to_json();
        match patch_type {
            PatchType::Merge => merge_patch(&mut doc, patch, false),
            PatchType::Strategic => merge_patch(&mut doc, patch, true),
            PatchType::Json => json_patch(&mut doc, patch).map_err(ApiError::BadRequest)?,
        }
        if let Some(m) = doc.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        crate::api::quantity::normalize_quantities(&mut doc);
        let obj = Object::from_json_as(key.kind, doc).map_err(|e| {
            ApiError::BadRequest(format!("{} in version \"{}\" cannot be handled as a {}: {e}", key.kind, key.kind.info().version, key.kind))
        })?;
        if ObjectKey::of(&obj) != *key {
            return Err(ApiError::BadRequest("the name of the object does not match the name on the URL".into()));
        }
        let status_changed = obj.to_json().get("status") != live.to_json().get("status");
        let out = self.update(obj.clone())?;
        if status_changed {
            let mut st = (*out).clone();
            set_status_from(&mut st, &obj);
            st.metadata_mut().resource_version = None;
            return self.update_status(st);
        }
        Ok(out)
    }

    /// Deletes an object (DELETE). Pods on a node and objects with finalizers are only marked.
    pub fn delete(&mut self, key: &ObjectKey, opts: &DeleteOptions) -> Result<Arc<Object>, ApiError> {
        let live = self.get(key)?;
        let uid = meta::uid(live.metadata()).to_string();
        if opts.propagation == Propagation::Orphan {
            self.orphan_uids.insert(uid.clone());
        }
        match &*live {
            Object::Pod(p) => {
                let bound = p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some();
                let spec_grace = p.spec.as_ref().and_then(|s| s.termination_grace_period_seconds).unwrap_or(30);
                let grace = opts.grace_period.unwrap_or(spec_grace).max(0);
                let finished = matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded") | Some("Failed"));
                if !bound || grace == 0 || finished {
                    return self.remove_now(key);
                }
                if let Some(existing) = p.metadata.deletion_grace_period_seconds {
                    if existing <= grace {
                        return Ok(live);
                    }
                }
                let mut p = p.clone();
                p.metadata.deletion_timestamp = Some(Time(self.clock.now_secs() + chrono::Duration::seconds(grace)));
                p.metadata.deletion_grace_period_seconds = Some(grace);
                Ok(self.store.put(Object::Pod(p)))
            }
            Object::Namespace(ns) => {
                let name = meta::name(&ns.metadata);
                if ["default", "kube-system", "kube-public", "kube-node-lease"].contains(&name) && name != "kube-node-lease-x" {
                    return Err(ApiError::Forbidden(format!(
                        "namespaces \"{name}\" is forbidden: this namespace may not be deleted"
                    )));
                }
                if ns.metadata.deletion_timestamp.is_some() {
                    return Ok(live);
                }
                let mut ns = ns.clone();
                ns.metadata.deletion_timestamp = Some(now_time(&self.clock));
                ns.metadata.deletion_grace_period_seconds = Some(0);
                ns.status.get_or_insert_with(Default::default).phase = Some("Terminating".into());
                Ok(self.store.put(Object::Namespace(ns)))
            }
            other => {
                if other.metadata().finalizers.as_ref().is_some_and(|f| !f.is_empty()) {
                    if other.metadata().deletion_timestamp.is_some() {
                        return Ok(live);
                    }
                    let mut o = other.clone();
                    o.metadata_mut().deletion_timestamp = Some(now_time(&self.clock));
                    o.metadata_mut().deletion_grace_period_seconds = Some(0);
                    return Ok(self.store.put(o));
                }
                self.remove_now(key)
            }
        }
    }

    /// Removes an object from the store at once (the end of graceful deletion).
    pub fn remove_now(&mut self, key: &ObjectKey) -> Result<Arc<Object>, ApiError> {
        let removed = self.store.remove(key).ok_or_else(|| ApiError::not_found(key.kind, &key.name))?;
        if let Object::Service(s) = &*removed {
            for p in s.spec.iter().flat_map(|s| s.ports.iter().flatten()) {
                if let Some(np) = p.node_port {
                    self.used_node_ports.remove(&np);
                }
            }
        }
        Ok(removed)
    }

    /// Records an Event about an object, aggregating repeats into a count as Kubernetes does.
    pub fn record(&mut self, involved: &Object, event_type: &str, reason: &str, message: &str, component: &str, host: Option<&str>) {
        if !self.record_events {
            return;
        }
        let m = involved.metadata();
        let ns = if involved.kind().info().namespaced { meta::namespace(m).to_string() } else { "default".to_string() };
        let uid = meta::uid(m).to_string();
        let now = now_time(&self.clock);
        let idx_key = (uid.clone(), reason.to_string(), message.to_string(), component.to_string());
        if let Some(name) = self.event_index.get(&idx_key).cloned() {
            let key = ObjectKey::new(Kind::Event, &ns, &name);
            if let Some(Object::Event(e)) = self.store.get(&key).map(|o| (**o).clone()) {
                let mut e = e;
                e.count = Some(e.count.unwrap_or(1) + 1);
                e.last_timestamp = Some(now);
                self.store.put(Object::Event(e));
                return;
            }
        }
        self.event_seq += 1;
        let nanos = self.clock.now_ms() * 1_000_000 + self.event_seq;
        let stamp = 0x1810_0000_0000_0000u64 + nanos;
        let name = format!("{}.{:x}", meta::name(m), stamp);
        let info = involved.kind().info();
        let e = Event {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(ns.clone()),
                uid: Some(self.clock.uuid()),
                creation_timestamp: Some(now.clone()),
                ..Default::default()
            },
            involved_object: ObjectReference {
                api_version: Some(info.api_version()),
                kind: Some(info.kind.to_string()),
                name: m.name.clone(),
                namespace: if info.namespaced { m.namespace.clone() } else { None },
                uid: m.uid.clone(),
                resource_version: m.resource_version.clone(),
                field_path: None,
            },
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            type_: Some(event_type.to_string()),
            count: Some(1),
            first_timestamp: Some(now.clone()),
            last_timestamp: Some(now),
            source: Some(EventSource { component: Some(component.to_string()), host: host.map(str::to_string) }),
            reporting_component: Some(component.to_string()),
            reporting_instance: Some(host.map(str::to_string).unwrap_or_default()),
            ..Default::default()
        };
        self.event_index.insert(idx_key, name);
        self.store.put(Object::Event(e));
    }
}

/// Copies the `status` of `from` into `to` (same kind).
fn set_status_from(to: &mut Object, from: &Object) {
    let mut v = to.to_json();
    let status = from.to_json().get("status").cloned();
    if let Value::Object(m) = &mut v {
        match status {
            Some(s) => {
                m.insert("status".into(), s);
            }
            None => {
                m.remove("status");
            }
        }
    }
    if let Ok(o) = Object::from_json_as(to.kind(), v) {
        *to = o;
    }
}

/// Field errors for changes to immutable fields.
fn immutable_errors(old: &Object, new: &Object) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match (old, new) {
        (Object::Deployment(a), Object::Deployment(b)) => {
            let (sa, sb) = (a.spec.as_ref().map(|s| &s.selector), b.spec.as_ref().map(|s| &s.selector));
            if sa != sb {
                errs.push(FieldError {
                    field: "spec.selector".into(),
                    message: format!(
                        "spec.selector: Invalid value: v1.LabelSelector{{MatchLabels:map[string]string{{{}}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: field is immutable",
                        sb.and_then(|s| s.match_labels.as_ref()).map(|m| m.iter().map(|(k, v)| format!("\"{k}\":\"{v}\"")).collect::<Vec<_>>().join(", ")).unwrap_or_default()
                    ),
                });
            }
        }
        (Object::Pod(a), Object::Pod(b)) => {
            let strip = |p: &k8s_openapi::api::core::v1::Pod| {
                let mut s = p.spec.clone().unwrap_or_default();
                for c in s.containers.iter_mut() {
                    c.image = None;
                }
                s.active_deadline_seconds = None;
                s.tolerations = None;
                s.node_name = None;
                s
            };
            // Compared as JSON (as the API server compares them), not with PodSpec's derived
            // `==`, which would compile a comparison for every type a pod spec holds.
            if crate::api::to_json(&strip(a)) != crate::api::to_json(&strip(b)) {
                errs.push(FieldError {
                    field: "spec".into(),
                    message: "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into(),
                });
            }
            let (na, nb) = (a.spec.as_ref().and_then(|s| s.node_name.as_ref()), b.spec.as_ref().and_then(|s| s.node_name.as_ref()));
            if na.is_some() && na != nb {
                errs.push(FieldError { field: "spec.nodeName".into(), message: "spec.nodeName: Invalid value: field is immutable".into() });
            }
        }
        _ => {}
    }
    errs
}

/// Keys sorted at every level (Go's map ordering in JSON).
pub fn sort_json(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            crate::sort::sort(&mut keys);
            let mut out = serde_json::Map::new();
            for k in keys {
                out.insert(k.clone(), sort_json(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(sort_json).collect()),
        other => other.clone(),
    }
}

/// Three-way merge for `kubectl apply`: fields in `last` but not in `new` are removed from
/// `live`; fields in `new` are written into `live` (maps recursively, lists of named items by name).
fn three_way(live: &mut Value, last: &Value, new: &Value) {
    if let (Value::Object(l), Value::Object(n)) = (&mut *live, new) {
        if let Value::Object(prev) = last {
            for k in prev.keys() {
                if !n.contains_key(k) {
                    l.remove(k);
                }
            }
        }
        for (k, nv) in n {
            let pv = last.get(k).cloned().unwrap_or(Value::Null);
            match l.get_mut(k) {
                Some(lv) if lv.is_object() && nv.is_object() => three_way(lv, &pv, nv),
                Some(lv) if lv.is_array() && nv.is_array() && named_list(nv) => {
                    merge_named_list(lv, &pv, nv);
                }
                _ => {
                    l.insert(k.clone(), nv.clone());
                }
            }
        }
    } else {
        *live = new.clone();
    }
}

fn named_list(v: &Value) -> bool {
    v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(|i| i.get("name").and_then(Value::as_str).is_some()))
}

fn merge_named_list(live: &mut Value, last: &Value, new: &Value) {
    let Some(n) = new.as_array() else { return };
    let l = live.as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for item in n {
        let name = item.get("name");
        let prev = last.as_array().and_then(|a| a.iter().find(|x| x.get("name") == name)).cloned().unwrap_or(Value::Null);
        match l.iter().find(|x| x.get("name") == name) {
            Some(existing) => {
                let mut e = existing.clone();
                three_way(&mut e, &prev, item);
                out.push(e);
            }
            None => out.push(item.clone()),
        }
    }
    *live = Value::Array(out);
}

/// RFC 7386 merge patch; with `strategic`, lists of named items merge by name.
pub fn merge_patch(target: &mut Value, patch: &Value, strategic: bool) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else if strategic && v.is_array() && named_list(v) && t.get(k).is_some_and(Value::is_array) {
                        let mut cur = t.get(k).cloned().unwrap_or(Value::Null);
                        if let (Some(ca), Some(pa)) = (cur.as_array_mut(), v.as_array()) {
                            for item in pa {
                                let name = item.get("name").cloned();
                                match ca.iter_mut().find(|x| x.get("name") == name.as_ref()) {
                                    Some(existing) => merge_patch(existing, item, true),
                                    None => ca.push(item.clone()),
                                }
                            }
                        }
                        t.insert(k.clone(), cur);
                    } else {
                        let entry = t.entry(k.clone()).or_insert(Value::Null);
                        merge_patch(entry, v, strategic);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// RFC 6902 JSON patch (add, remove, replace, test, copy, move).
pub fn json_patch(doc: &mut Value, patch: &Value) -> Result<(), String> {
    let ops = patch.as_array().ok_or("json: cannot unmarshal object into Go value of type jsonpatch.Patch")?;
    for op in ops {
        let kind = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        match kind {
            "add" | "replace" => {
                let value = op.get("value").cloned().unwrap_or(Value::Null);
                if kind == "replace" && doc.pointer(path).is_none() {
                    return Err(format!("jsonpatch replace operation does not apply: doc is missing key: {path}"));
                }
                pointer_set(doc, path, value, kind == "add")?;
            }
            "remove" => {
                pointer_remove(doc, path)?;
            }
            "test" => {
                if doc.pointer(path) != op.get("value") {
                    return Err(format!("testing value {path} failed"));
                }
            }
            "copy" | "move" => {
                let from = op.get("from").and_then(Value::as_str).unwrap_or("");
                let v = doc.pointer(from).cloned().ok_or(format!("jsonpatch {kind} operation does not apply: doc is missing from path: {from}"))?;
                if kind == "move" {
                    pointer_remove(doc, from)?;
                }
                pointer_set(doc, path, v, true)?;
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(())
}

fn split_pointer(path: &str) -> Result<(String, String), String> {
    let idx = path.rfind('/').ok_or_else(|| format!("invalid path: {path}"))?;
    let key = path[idx + 1..].replace("~1", "/").replace("~0", "~");
    Ok((path[..idx].to_string(), key))
}

fn pointer_set(doc: &mut Value, path: &str, value: Value, insert: bool) -> Result<(), String> {
    let (parent, key) = split_pointer(path)?;
    let target = doc.pointer_mut(&parent).ok_or_else(|| format!("jsonpatch add operation does not apply: doc is missing path: \"{path}\""))?;
    match target {
        Value::Object(m) => {
            m.insert(key, value);
            Ok(())
        }
        Value::Array(a) => {
            if key == "-" {
                a.push(value);
                return Ok(());
            }
            let i: usize = key.parse().map_err(|_| format!("invalid index {key}"))?;
            if insert {
                if i > a.len() {
                    return Err(format!("Unable to access invalid index: {i}"));
                }
                a.insert(i, value);
            } else {
                let slot = a.get_mut(i).ok_or(format!("Unable to access invalid index: {i}"))?;
                *slot = value;
            }
            Ok(())
        }
        _ => Err(format!("jsonpatch add operation does not apply: doc is missing path: \"{path}\"")),
    }
}

fn pointer_remove(doc: &mut Value, path: &str) -> Result<(), String> {
    let (parent, key) = split_pointer(path)?;
    let target = doc.pointer_mut(&parent).ok_or_else(|| format!("jsonpatch remove operation does not apply: doc is missing path: \"{path}\""))?;
    match target {
        Value::Object(m) => m.remove(&key).map(|_| ()).ok_or_else(|| format!("jsonpatch remove operation does not apply: doc is missing path: \"{path}\"")),
        Value::Array(a) => {
            let i: usize = key.parse().map_err(|_| format!("invalid index {key}"))?;
            if i >= a.len() {
                return Err(format!("Unable to access invalid index: {i}"));
            }
            a.remove(i);
            Ok(())
        }
        _ => Err(format!("jsonpatch remove operation does not apply: doc is missing path: \"{path}\"")),
    }
}
