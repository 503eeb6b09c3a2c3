//! Storage and configuration: the PV binder, dynamic provisioning, reclaim policies, volumes in
//! pods with simulated files, ConfigMaps and Secrets as env and files, quota and limit ranges.
//!
//! [`StorageControllers`] plays kube-controller-manager's persistentvolume-binder,
//! persistentvolume-expander, ephemeral-volume, pvc/pv-protection and resourcequota controllers
//! plus the provisioners minikube runs (`k8s.io/minikube-hostpath`, and `hostpath.csi.k8s.io`
//! of the csi-hostpath-driver addon). The admission functions here are called by the API server
//! (DefaultStorageClass, StorageObjectInUseProtection, LimitRanger, ResourceQuota, Secret
//! `stringData`). [`container_config`] is what the kubelet checks before creating a container.

pub mod binder;
pub mod config;
pub mod files;
pub mod quota;

use crate::vecmap::VecMap;
use crate::vecmap::VecSet;
use crate::api::{meta, ApiError, FieldError, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use crate::clock::Component;
use crate::controllers::Cursor;
use crate::store::EventType;
use k8s_openapi::api::core::v1::{Container, PersistentVolumeClaim, PersistentVolumeClaimSpec, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::{BTreeMap, BTreeSet};

pub use config::pod_env;

/// The timer component of the storage controllers.
pub const COMPONENT: Component = Component::Other(3);

/// The storage controllers (PV binder, provisioner, expander, protection, quota) and the data
/// of cluster-wide volumes.
#[derive(Debug, Default, Clone)]
pub struct StorageControllers {
    cursor: Cursor,
    claims: BTreeSet<ObjectKey>,
    volumes: BTreeSet<ObjectKey>,
    pods: BTreeSet<ObjectKey>,
    quota_ns: VecSet<String>,
    provisioning: VecMap<ObjectKey, u64>,
    recycling: VecMap<ObjectKey, u64>,
    reported: VecSet<(String, String)>,
    /// Files of network volumes (NFS and other shared PVs) by volume id (`pv/<name>`).
    pub shared: VecMap<String, BTreeMap<String, String>>,
    /// Node-file prefixes to scrub at the next file sync: (node or all, prefix).
    pub scrub: Vec<(Option<String>, String)>,
    /// Shared volume ids to drop at the next file sync.
    pub scrub_shared: Vec<String>,
    /// The profile name (the hostpath provisioner's identity).
    pub profile: String,
}

fn uses_claim(p: &Pod, claim: &str) -> bool {
    p.spec.iter().flat_map(|s| s.volumes.iter().flatten()).any(|v| files::claim_of(p, v).as_deref() == Some(claim))
}

fn pod_active(p: &Pod) -> bool {
    !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded") | Some("Failed"))
}

impl StorageControllers {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        self.cursor.behind(api) || !self.claims.is_empty() || !self.volumes.is_empty() || !self.pods.is_empty() || !self.quota_ns.is_empty()
    }

    /// One round over new events and timers.
    pub fn run(&mut self, api: &mut Api, woken: Vec<ObjectKey>) {
        let mut all_claims = false;
        let keys = self.cursor.collect(
            api,
            |e, out| {
                match &*e.object {
                    Object::PersistentVolumeClaim(_) => out.push(e.key.clone()),
                    Object::PersistentVolume(v) => {
                        out.push(e.key.clone());
                        match v.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) {
                            Some(r) => out.push(ObjectKey::new(Kind::PersistentVolumeClaim, r.namespace.as_deref().unwrap_or(""), r.name.as_deref().unwrap_or(""))),
                            None => out.push(ObjectKey::new(Kind::StorageClass, "", "")),
                        }
                    }
                    Object::StorageClass(_) => out.push(ObjectKey::new(Kind::StorageClass, "", "")),
                    Object::Pod(_) => out.push(e.key.clone()),
                    _ => {}
                }
                if quota::affects_quota(&e.object) {
                    out.push(quota::ns_key(&e.key.namespace));
                }
            },
            |api| {
                let mut v: Vec<ObjectKey> = api.store.list(Kind::PersistentVolumeClaim).map(|o| ObjectKey::of(o)).collect();
                v.extend(api.store.list(Kind::PersistentVolume).map(|o| ObjectKey::of(o)));
                v.extend(api.store.list(Kind::Namespace).map(|o| quota::ns_key(meta::name(o.metadata()))));
                v
            },
        );
        for k in keys {
            match k.kind {
                Kind::PersistentVolumeClaim => {
                    self.claims.insert(k);
                }
                Kind::PersistentVolume => {
                    self.volumes.insert(k);
                }
                Kind::StorageClass => all_claims = true,
                Kind::Pod => {
                    self.pods.insert(k);
                }
                Kind::Namespace => {
                    self.quota_ns.insert(k.name);
                }
                _ => {}
            }
        }
        if all_claims {
            let unbound: Vec<ObjectKey> = api
                .store
                .list(Kind::PersistentVolumeClaim)
                .filter(|o| meta::annotation(o.metadata(), binder::ANN_BIND_COMPLETED).is_none())
                .map(|o| ObjectKey::of(o))
                .collect();
            self.claims.extend(unbound);
        }
        let now = api.clock.now_ms();
        let mut fx = binder::Effects::default();
        for k in woken {
            match k.kind {
                Kind::PersistentVolumeClaim => {
                    if self.provisioning.get(&k).is_some_and(|t| *t <= now) {
                        self.provisioning.remove(&k);
                        binder::provision(api, &k, if self.profile.is_empty() { "minikube" } else { &self.profile });
                    }
                }
                Kind::PersistentVolume => {
                    if self.recycling.get(&k).is_some_and(|t| *t <= now) {
                        self.recycling.remove(&k);
                        binder::finish_recycle(api, &k, &mut fx);
                    }
                }
                _ => {}
            }
        }
        for key in std::mem::take(&mut self.pods) {
            self.sync_pod(api, &key);
        }
        for key in std::mem::take(&mut self.claims) {
            if !self.protect_claim(api, &key) {
                binder::sync_claim(api, &key, &mut fx);
            }
        }
        for key in std::mem::take(&mut self.volumes) {
            if !protect_volume(api, &key) {
                binder::sync_volume(api, &key, &mut fx);
            }
        }
        for (k, due) in fx.provision {
            if !self.provisioning.contains_key(&k) {
                self.provisioning.insert(k.clone(), due);
                api.clock.wake_at(due, COMPONENT, k);
            }
        }
        for (k, due) in fx.recycle {
            if !self.recycling.contains_key(&k) {
                self.recycling.insert(k.clone(), due);
                api.clock.wake_at(due, COMPONENT, k);
            }
        }
        self.scrub.extend(fx.scrub);
        self.scrub_shared.extend(fx.scrub_shared);
        for ns in std::mem::take(&mut self.quota_ns) {
            quota::sync_quotas(api, &ns);
        }
    }

    /// Ephemeral volume claims, WaitForFirstConsumer hand-off, volume problem events and the
    /// release of claims that pods no longer use.
    fn sync_pod(&mut self, api: &mut Api, key: &ObjectKey) {
        let pod = match api.store.get(key).map(|o| &**o) {
            Some(Object::Pod(p)) => Some(p.clone()),
            _ => None,
        };
        let Some(pod) = pod.filter(|p| p.metadata.deletion_timestamp.is_none() && pod_active(p)) else {
            // A pod went away or finished: claims waiting to be deleted may go now.
            let waiting: Vec<ObjectKey> = api
                .store
                .list_ns(Kind::PersistentVolumeClaim, &key.namespace)
                .filter(|o| o.metadata().deletion_timestamp.is_some())
                .map(|o| ObjectKey::of(o))
                .collect();
            self.claims.extend(waiting);
            return;
        };
        let ns = meta::namespace(&pod.metadata).to_string();
        for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
            let Some(eph) = &v.ephemeral else { continue };
            let name = format!("{}-{}", meta::name(&pod.metadata), v.name);
            if api.store.get(&ObjectKey::new(Kind::PersistentVolumeClaim, &ns, &name)).is_some() {
                continue;
            }
            let Some(t) = &eph.volume_claim_template else { continue };
            let tm = t.metadata.clone().unwrap_or_default();
            let claim = PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(name),
                    namespace: Some(ns.clone()),
                    labels: tm.labels,
                    annotations: tm.annotations,
                    owner_references: Some(vec![crate::controllers::owner_ref(&Object::Pod(pod.clone()))]),
                    ..Default::default()
                },
                spec: Some(PersistentVolumeClaimSpec { ..t.spec.clone() }),
                status: None,
            };
            if let Err(e) = api.create(Object::PersistentVolumeClaim(claim)) {
                api.record(&Object::Pod(pod.clone()), "Warning", "FailedCreate", &e.to_string(), "ephemeral_volume", None);
            }
        }
        if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) {
            binder::on_pod_scheduled(api, &pod, &node);
            if let Some((reason, component, msg)) = volume_problem(api, &pod) {
                let uid = meta::uid(&pod.metadata).to_string();
                if self.reported.insert((uid, msg.clone())) {
                    let host = (component == "kubelet").then_some(node.as_str());
                    api.record(&Object::Pod(pod.clone()), "Warning", reason, &msg, component, host);
                }
            }
        }
    }

    /// pvc-protection: a claim marked for deletion goes once no active pod uses it. Returns
    /// whether the claim is being deleted (nothing else to do).
    fn protect_claim(&mut self, api: &mut Api, key: &ObjectKey) -> bool {
        let Some(Object::PersistentVolumeClaim(c)) = api.store.get(key).map(|o| (**o).clone()) else {
            return false;
        };
        if c.metadata.deletion_timestamp.is_none() {
            return false;
        }
        let used = api.store.list_ns(Kind::Pod, &key.namespace).any(|o| matches!(&**o, Object::Pod(p) if pod_active(p) && uses_claim(p, &key.name)));
        if !used {
            let pv = c.spec.as_ref().and_then(|s| s.volume_name.clone());
            let _ = api.remove_now(key);
            if let Some(pv) = pv.filter(|p| !p.is_empty()) {
                self.volumes.insert(ObjectKey::new(Kind::PersistentVolume, "", &pv));
            }
        }
        true
    }

    /// `StorageControllers::on_pod_scheduled` for the scheduler: binds or marks the pod's
    /// WaitForFirstConsumer claims for `node` (see [`binder::on_pod_scheduled`]).
    pub fn on_pod_scheduled(api: &mut Api, pod: &Pod, node: &str) -> bool {
        binder::on_pod_scheduled(api, pod, node)
    }
}

/// pv-protection: a volume marked for deletion goes once it is not Bound.
fn protect_volume(api: &mut Api, key: &ObjectKey) -> bool {
    let Some(Object::PersistentVolume(v)) = api.store.get(key).map(|o| (**o).clone()) else {
        return false;
    };
    if v.metadata.deletion_timestamp.is_none() {
        return false;
    }
    if v.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Bound") {
        let _ = api.remove_now(key);
    }
    true
}

/// What keeps a pod's volumes from being mounted: (event reason, component, message).
pub fn volume_problem(api: &Api, pod: &Pod) -> Option<(&'static str, &'static str, String)> {
    let ns = meta::namespace(&pod.metadata).to_string();
    let spec = pod.spec.clone().unwrap_or_default();
    for v in spec.volumes.iter().flatten() {
        if let Some(Err(e)) = files::generated_files(api, pod, v) {
            return Some(("FailedMount", "kubelet", format!("MountVolume.SetUp failed for volume \"{}\" : {e}", v.name)));
        }
        let Some(claim_name) = files::claim_of(pod, v) else { continue };
        let claim = match api.store.get(&ObjectKey::new(Kind::PersistentVolumeClaim, &ns, &claim_name)).map(|o| &**o) {
            Some(Object::PersistentVolumeClaim(c)) => c.clone(),
            _ => {
                return Some((
                    "FailedMount",
                    "kubelet",
                    format!(
                        "Unable to attach or mount volumes: unmounted volumes=[{0}], unattached volumes=[], failed to process volumes=[{0}]: error processing PVC {ns}/{claim_name}: failed to fetch PVC from API server: persistentvolumeclaims \"{claim_name}\" not found",
                        v.name
                    ),
                ))
            }
        };
        let pv_name = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
        let bound = meta::annotation(&claim.metadata, binder::ANN_BIND_COMPLETED).is_some() && !pv_name.is_empty();
        let pv = match api.store.get(&ObjectKey::new(Kind::PersistentVolume, "", &pv_name)).map(|o| &**o) {
            Some(Object::PersistentVolume(p)) if bound => p.clone(),
            _ => {
                return Some((
                    "FailedMount",
                    "kubelet",
                    format!("Unable to attach or mount volumes: unmounted volumes=[{}], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition", v.name),
                ))
            }
        };
        let modes = pv.spec.as_ref().and_then(|s| s.access_modes.clone()).unwrap_or_default();
        let node = spec.node_name.clone().unwrap_or_default();
        let me = (pod.metadata.creation_timestamp.clone().map(|t| t.0), meta::name(&pod.metadata).to_string());
        let others: Vec<Pod> = api
            .store
            .list_ns(Kind::Pod, &ns)
            .filter_map(|o| match &**o {
                Object::Pod(p) if p.metadata.uid != pod.metadata.uid && pod_active(p) && p.metadata.deletion_timestamp.is_none() && uses_claim(p, &claim_name) => {
                    let them = (p.metadata.creation_timestamp.clone().map(|t| t.0), meta::name(&p.metadata).to_string());
                    (them < me && p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some()).then(|| p.clone())
                }
                _ => None,
            })
            .collect();
        if modes.iter().any(|m| m == "ReadWriteOncePod") && !others.is_empty() {
            return Some(("FailedMount", "kubelet", format!("MountVolume.SetUp failed for volume \"{pv_name}\" : volume uses the ReadWriteOncePod access mode and is already in use by another pod")));
        }
        let attachable = pv.spec.as_ref().is_some_and(|s| s.csi.is_some());
        if attachable && modes.iter().all(|m| m == "ReadWriteOnce" || m == "ReadWriteOncePod") {
            let elsewhere: Vec<String> = others.iter().filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) != Some(node.as_str())).map(|p| meta::name(&p.metadata).to_string()).collect();
            if !elsewhere.is_empty() {
                return Some(("FailedAttachVolume", "attachdetach-controller", format!("Multi-Attach error for volume \"{pv_name}\" Volume is already used by pod(s) {}", elsewhere.join(", "))));
            }
        }
    }
    None
}

/// Checks what a container needs before it can be created (ConfigMaps, Secrets, volumes).
/// `Err((reason, message))` keeps it waiting: `CreateContainerConfigError` for env references
/// (`configmap "x" not found`), `ContainerCreating` while volumes cannot be mounted.
pub fn container_config(api: &Api, pod: &Pod, container: &Container) -> Result<(), (String, String)> {
    if let Some((_, _, msg)) = volume_problem(api, pod) {
        return Err(("ContainerCreating".into(), msg));
    }
    config::container_env(api, pod, container).map(|_| ()).map_err(|m| ("CreateContainerConfigError".into(), m))
}

/// Mutating admission on create: Secret `stringData`, the default StorageClass, protection
/// finalizers and initial phases of claims and volumes, LimitRange defaults.
pub fn admit_create_mutate(api: &Api, obj: &mut Object) {
    match obj {
        Object::Secret(s) => merge_string_data(s),
        Object::PersistentVolumeClaim(c) => {
            let spec = c.spec.get_or_insert_with(Default::default);
            if spec.storage_class_name.is_none() && meta::annotation(&c.metadata, binder::ANN_BETA_CLASS).is_none() {
                spec.storage_class_name = binder::default_class(api);
            }
            add_finalizer(&mut c.metadata, binder::PVC_PROTECTION);
            c.status.get_or_insert_with(Default::default).phase = Some("Pending".into());
        }
        Object::PersistentVolume(v) => {
            add_finalizer(&mut v.metadata, binder::PV_PROTECTION);
            let st = v.status.get_or_insert_with(Default::default);
            st.phase = Some("Pending".into());
            st.last_phase_transition_time = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(api.clock.now_secs()));
        }
        Object::LimitRange(l) => quota::default_limit_range(l),
        Object::Pod(p) => quota::default_pod(api, p),
        _ => {}
    }
}

/// Validating admission on create: LimitRange constraints, then ResourceQuota.
pub fn admit_create_validate(api: &Api, obj: &Object) -> Result<(), ApiError> {
    quota::check_limits(api, obj)?;
    quota::check_quota(api, obj)
}

/// Admission on update: Secret `stringData`; claim resizes only up, and only for classes
/// that allow expansion.
pub fn admit_update(api: &Api, old: &Object, obj: &mut Object) -> Result<(), ApiError> {
    match (old, obj) {
        (_, Object::Secret(s)) => merge_string_data(s),
        (Object::PersistentVolumeClaim(o), Object::PersistentVolumeClaim(n)) => {
            let (old_req, new_req) = (binder::claim_request(o), binder::claim_request(n));
            let bound = meta::annotation(&o.metadata, binder::ANN_BIND_COMPLETED).is_some();
            let name = meta::name(&n.metadata).to_string();
            if new_req > old_req {
                let class = binder::claim_class(o);
                let ok = bound
                    && matches!(api.store.get(&ObjectKey::new(Kind::StorageClass, "", &class)).map(|o| &**o), Some(Object::StorageClass(sc)) if sc.allow_volume_expansion == Some(true));
                if !ok {
                    return Err(ApiError::Forbidden(format!(
                        "persistentvolumeclaims \"{name}\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"
                    )));
                }
            } else if new_req < old_req && bound {
                let cap = o.status.as_ref().and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("storage")).map(|q| q.0.clone()).unwrap_or_default();
                let _ = cap;
                return Err(ApiError::invalid(Kind::PersistentVolumeClaim, &name, vec![FieldError {
                    field: "spec.resources.requests.storage".into(),
                    message: "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity".into(),
                }]));
            }
        }
        _ => {}
    }
    Ok(())
}

fn merge_string_data(s: &mut k8s_openapi::api::core::v1::Secret) {
    if let Some(sd) = s.string_data.take() {
        let data = s.data.get_or_insert_with(Default::default);
        for (k, v) in sd {
            data.insert(k, k8s_openapi::ByteString(v.into_bytes()));
        }
    }
    if s.type_.is_none() {
        s.type_ = Some("Opaque".into());
    }
}

fn add_finalizer(m: &mut ObjectMeta, f: &str) {
    let fs = m.finalizers.get_or_insert_with(Vec::new);
    if !fs.iter().any(|x| x == f) {
        fs.push(f.to_string());
    }
}

impl crate::cluster::Cluster {
    /// `kubectl exec <pod> -c <container> -- env` output lines (`NAME=value`).
    pub fn exec_env(&self, pod: &ObjectKey, container: &str) -> Option<Vec<String>> {
        let Some(Object::Pod(p)) = self.api.store.get(pod).map(|o| &**o) else { return None };
        let spec = p.spec.as_ref()?;
        let c = if container.is_empty() { spec.containers.first() } else { spec.containers.iter().find(|c| c.name == container) }?;
        Some(pod_env(&self.api, p, c).into_iter().map(|(k, v)| format!("{k}={v}")).collect())
    }

    /// `minikube addons enable csi-hostpath-driver`: the `csi-hostpath-sc` StorageClass
    /// (provisioner `hostpath.csi.k8s.io`, expandable).
    pub fn enable_csi_hostpath_addon(&mut self) -> Result<(), ApiError> {
        let yaml = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: csi-hostpath-sc\n  labels:\n    addonmanager.kubernetes.io/mode: Reconcile\nprovisioner: hostpath.csi.k8s.io\nreclaimPolicy: Delete\nvolumeBindingMode: Immediate\nallowVolumeExpansion: true\n";
        let objs = crate::api::parse_manifests(yaml).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        for o in objs {
            if self.api.store.get(&ObjectKey::of(&o.object)).is_none() {
                self.api.create(o.object)?;
            }
        }
        self.addons.insert("csi-hostpath-driver".into(), true);
        self.settle();
        Ok(())
    }
}

/// Whether the event is a deletion (helper for watchers of storage objects).
pub fn is_delete(t: EventType) -> bool {
    t == EventType::Deleted
}
