//! The PersistentVolume controller (pkg/controller/volume/persistentvolume) and the
//! provisioners minikube runs. Claims bind to the best Available volume as
//! `persistentVolumeOrderedIndex.findByClaim` picks it — access-mode sets with the fewest modes
//! first, then the smallest capacity that fits, same class (`""` is no class), volume mode and
//! selector, with volumes pre-bound to the claim winning. Pre-bound claims and volumes
//! (`volumeName`, `claimRef`) are honoured; phases, annotations and events are Kubernetes'.
//! Unmatched claims of a class with a known provisioner get a volume `pvc-<claim uid>`
//! (WaitForFirstConsumer classes only once a node was selected); released volumes are retained,
//! deleted or recycled by their reclaim policy; bound claims of expandable classes grow.

use crate::vecmap::VecMap;
use crate::api::quantity::parse_int;
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use crate::selector::label_selector_matches;
use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, HostPathVolumeSource, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, ObjectReference,
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec, PersistentVolumeStatus, Pod, VolumeNodeAffinity,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use std::collections::BTreeMap;

/// Annotation: the binding of a claim is complete.
pub const ANN_BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
/// Annotation: the controller (not the user) bound it.
pub const ANN_BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
/// Annotation on a PV: who provisioned it.
pub const ANN_PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
/// Annotation on a claim: the provisioner expected to provision it.
pub const ANN_STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
/// The beta spelling of [`ANN_STORAGE_PROVISIONER`], still set.
pub const ANN_BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
/// Annotation on a claim: the node the scheduler chose (WaitForFirstConsumer).
pub const ANN_SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
/// The legacy class annotation, honoured before `storageClassName`.
pub const ANN_BETA_CLASS: &str = "volume.beta.kubernetes.io/storage-class";
/// Annotation marking the default StorageClass.
pub const ANN_DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
/// minikube's hostpath provisioner.
pub const MINIKUBE_HOSTPATH: &str = "k8s.io/minikube-hostpath";
/// The CSI hostpath driver (minikube's `csi-hostpath-driver` addon).
pub const CSI_HOSTPATH: &str = "hostpath.csi.k8s.io";
/// The provisioner name meaning "no dynamic provisioning".
pub const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";
/// Finalizer protecting claims in use.
pub const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
/// Finalizer protecting bound volumes.
pub const PV_PROTECTION: &str = "kubernetes.io/pv-protection";
/// The event source of the PV controller.
pub const COMPONENT: &str = "persistentvolume-controller";

/// The class a claim asks for (`""`: none).
pub fn claim_class(c: &PersistentVolumeClaim) -> String {
    meta::annotation(&c.metadata, ANN_BETA_CLASS)
        .map(str::to_string)
        .or_else(|| c.spec.as_ref().and_then(|s| s.storage_class_name.clone()))
        .unwrap_or_default()
}

/// The class of a volume (`""`: none).
pub fn volume_class(v: &PersistentVolume) -> String {
    meta::annotation(&v.metadata, ANN_BETA_CLASS)
        .map(str::to_string)
        .or_else(|| v.spec.as_ref().and_then(|s| s.storage_class_name.clone()))
        .unwrap_or_default()
}

/// The storage a claim requests, in bytes.
pub fn claim_request(c: &PersistentVolumeClaim) -> i64 {
    c.spec.as_ref().and_then(|s| s.resources.as_ref()).and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")).and_then(|q| parse_int(&q.0)).unwrap_or(0)
}

/// A volume's capacity, in bytes.
pub fn volume_capacity(v: &PersistentVolume) -> i64 {
    v.spec.as_ref().and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("storage")).and_then(|q| parse_int(&q.0)).unwrap_or(0)
}

/// `RWO,ROX,RWX,RWOP`: the index key of a set of access modes.
pub fn modes_key(modes: &[String]) -> String {
    let mut out = Vec::new();
    for (m, s) in [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")] {
        if modes.iter().any(|x| x == m) {
            out.push(s);
        }
    }
    out.join(",")
}

/// Whether the volume's claimRef names this claim (uid empty or equal).
pub fn is_bound_to_claim(v: &PersistentVolume, c: &PersistentVolumeClaim) -> bool {
    let Some(r) = v.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else { return false };
    r.name.as_deref() == c.metadata.name.as_deref()
        && r.namespace.as_deref().unwrap_or("") == meta::namespace(&c.metadata)
        && r.uid.as_deref().is_none_or(|u| u.is_empty() || u == meta::uid(&c.metadata))
}

fn volume_mode(s: Option<&String>) -> &str {
    s.map(String::as_str).unwrap_or("Filesystem")
}

/// `FindMatchingVolume` over one list: a volume pre-bound to the claim, else the smallest
/// Available one that satisfies it. `delay_binding` (WaitForFirstConsumer without a node)
/// considers only pre-bound volumes; `node_labels` filters by node affinity (scheduler path).
pub fn find_matching_volume<'a>(claim: &PersistentVolumeClaim, volumes: &[&'a PersistentVolume], node: Option<(&str, &BTreeMap<String, String>)>, delay_binding: bool) -> Option<&'a PersistentVolume> {
    let requested = claim_request(claim);
    let class = claim_class(claim);
    let cspec = claim.spec.clone().unwrap_or_default();
    let mut smallest: Option<(&PersistentVolume, i64)> = None;
    for v in volumes {
        let spec = v.spec.clone().unwrap_or_default();
        if spec.claim_ref.is_some() && !is_bound_to_claim(v, claim) {
            continue;
        }
        let cap = volume_capacity(v);
        if cap < requested {
            continue;
        }
        if volume_mode(cspec.volume_mode.as_ref()) != volume_mode(spec.volume_mode.as_ref()) {
            continue;
        }
        if v.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let affinity_ok = match node {
            Some((name, labels)) => node_affinity_ok(v, name, labels),
            None => true,
        };
        if is_bound_to_claim(v, claim) {
            return affinity_ok.then_some(*v);
        }
        if node.is_none() && delay_binding {
            continue;
        }
        if v.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Available") {
            continue;
        }
        if let Some(sel) = cspec.selector.as_ref() {
            if !label_selector_matches(sel, v.metadata.labels.as_ref().unwrap_or(&BTreeMap::new())) {
                continue;
            }
        }
        if volume_class(v) != class || !affinity_ok {
            continue;
        }
        if node.is_some() {
            let vm = spec.access_modes.clone().unwrap_or_default();
            if !cspec.access_modes.iter().flatten().all(|m| vm.contains(m)) {
                continue;
            }
        }
        if smallest.is_none_or(|(_, c)| c > cap) {
            smallest = Some((v, cap));
        }
    }
    smallest.map(|(v, _)| v)
}

/// Whether a volume's required node affinity admits the node.
pub fn node_affinity_ok(v: &PersistentVolume, node: &str, labels: &BTreeMap<String, String>) -> bool {
    let Some(req) = v.spec.as_ref().and_then(|s| s.node_affinity.as_ref()).and_then(|a| a.required.as_ref()) else { return true };
    req.node_selector_terms.iter().any(|t| {
        t.match_expressions.iter().flatten().all(|e| {
            let val = labels.get(&e.key);
            let vals = e.values.clone().unwrap_or_default();
            match e.operator.as_str() {
                "In" => val.is_some_and(|v| vals.contains(v)),
                "NotIn" => val.is_none_or(|v| !vals.contains(v)),
                "Exists" => val.is_some(),
                "DoesNotExist" => val.is_none(),
                _ => false,
            }
        }) && t.match_fields.iter().flatten().all(|e| {
            let vals = e.values.clone().unwrap_or_default();
            e.key != "metadata.name" || match e.operator.as_str() {
                "In" => vals.iter().any(|v| v == node),
                "NotIn" => !vals.iter().any(|v| v == node),
                _ => false,
            }
        })
    })
}

/// `persistentVolumeOrderedIndex.findByClaim`: tries every set of access modes that contains the
/// claim's, fewest modes first, and returns the first match.
pub fn find_best_match<'a>(claim: &PersistentVolumeClaim, volumes: &[&'a PersistentVolume], delay_binding: bool) -> Option<&'a PersistentVolume> {
    let wanted = claim.spec.as_ref().and_then(|s| s.access_modes.clone()).unwrap_or_default();
    let mut groups: VecMap<(usize, String), Vec<&'a PersistentVolume>> = VecMap::new();
    for v in volumes {
        let modes = v.spec.as_ref().and_then(|s| s.access_modes.clone()).unwrap_or_default();
        if !wanted.iter().all(|m| modes.contains(m)) {
            continue;
        }
        let key = modes_key(&modes);
        let n = if key.is_empty() { 0 } else { key.split(',').count() };
        groups.entry((n, key)).or_default().push(v);
    }
    for vols in groups.values() {
        if let Some(v) = find_matching_volume(claim, vols, None, delay_binding) {
            return Some(v);
        }
    }
    None
}

fn storage_class(api: &Api, name: &str) -> Option<StorageClass> {
    match api.store.get(&ObjectKey::new(Kind::StorageClass, "", name)).map(|o| &**o) {
        Some(Object::StorageClass(s)) => Some(s.clone()),
        _ => None,
    }
}

/// The default StorageClass, if one is marked (the newest wins when several are).
pub fn default_class(api: &Api) -> Option<String> {
    let mut defaults: Vec<(String, String)> = api
        .store
        .list(Kind::StorageClass)
        .filter_map(|o| match &**o {
            Object::StorageClass(s) if meta::annotation(&s.metadata, ANN_DEFAULT_CLASS) == Some("true") || meta::annotation(&s.metadata, "storageclass.beta.kubernetes.io/is-default-class") == Some("true") => {
                Some((s.metadata.creation_timestamp.as_ref().map(|t| t.0.to_rfc3339()).unwrap_or_default(), meta::name(&s.metadata).to_string()))
            }
            _ => None,
        })
        .collect();
    crate::sort::sort(&mut defaults);
    defaults.pop().map(|(_, n)| n)
}

fn is_wffc(api: &Api, class: &str) -> bool {
    !class.is_empty() && storage_class(api, class).is_some_and(|s| s.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"))
}

/// Whether the simulator runs a provisioner for this name.
pub fn known_provisioner(p: &str) -> bool {
    p == MINIKUBE_HOSTPATH || p == CSI_HOSTPATH
}

fn provisioner_component(p: &str) -> String {
    if p == MINIKUBE_HOSTPATH {
        format!("{MINIKUBE_HOSTPATH}_minikube_6f4b9ad1-8f1d-4c3e-9a7b-1c2d3e4f5a6b")
    } else {
        format!("{p}_csi-hostpathplugin-0_0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e")
    }
}

fn now_time(api: &Api) -> Time {
    Time(api.clock.now_secs())
}

fn claim_ref(c: &PersistentVolumeClaim) -> ObjectReference {
    ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("PersistentVolumeClaim".into()),
        name: c.metadata.name.clone(),
        namespace: c.metadata.namespace.clone(),
        uid: c.metadata.uid.clone(),
        resource_version: c.metadata.resource_version.clone(),
        field_path: None,
    }
}

fn set_pv_phase(pv: &mut PersistentVolume, phase: &str, api: &Api, reason: Option<&str>, message: Option<&str>) -> bool {
    let st = pv.status.get_or_insert_with(PersistentVolumeStatus::default);
    let changed = st.phase.as_deref() != Some(phase) || st.message.as_deref() != message;
    if st.phase.as_deref() != Some(phase) {
        st.last_phase_transition_time = Some(now_time(api));
    }
    st.phase = Some(phase.into());
    st.reason = reason.map(str::to_string);
    st.message = message.map(str::to_string);
    changed
}

fn claim_phase(c: &PersistentVolumeClaim) -> Option<&str> {
    c.status.as_ref().and_then(|s| s.phase.as_deref())
}

fn get_claim(api: &Api, ns: &str, name: &str) -> Option<PersistentVolumeClaim> {
    match api.store.get(&ObjectKey::new(Kind::PersistentVolumeClaim, ns, name)).map(|o| &**o) {
        Some(Object::PersistentVolumeClaim(c)) => Some(c.clone()),
        _ => None,
    }
}

fn get_pv(api: &Api, name: &str) -> Option<PersistentVolume> {
    match api.store.get(&ObjectKey::new(Kind::PersistentVolume, "", name)).map(|o| &**o) {
        Some(Object::PersistentVolume(v)) => Some(v.clone()),
        _ => None,
    }
}

fn all_pvs(api: &Api) -> Vec<PersistentVolume> {
    api.store
        .list(Kind::PersistentVolume)
        .filter_map(|o| match &**o {
            Object::PersistentVolume(v) => Some(v.clone()),
            _ => None,
        })
        .collect()
}

/// Side effects the binder asks of the cluster outside the API (data scrubs, timers).
#[derive(Debug, Default, Clone)]
pub struct Effects {
    /// Node-file prefixes to scrub: (node or all, path prefix).
    pub scrub: Vec<(Option<String>, String)>,
    /// Shared volume ids to drop.
    pub scrub_shared: Vec<String>,
    /// Claims to provision after a delay: (claim key, due ms).
    pub provision: Vec<(ObjectKey, u64)>,
    /// Volumes to recycle after a delay.
    pub recycle: Vec<(ObjectKey, u64)>,
}

/// Binds a claim to a volume: the volume's claimRef and phase, then the claim's volumeName,
/// annotations and status.
pub fn bind(api: &mut Api, pv: &PersistentVolume, claim: &PersistentVolumeClaim) {
    let mut v = pv.clone();
    let vspec = v.spec.get_or_insert_with(PersistentVolumeSpec::default);
    let mut changed = false;
    if !is_bound_to_claim(pv, claim) || vspec.claim_ref.as_ref().and_then(|r| r.uid.as_deref()).is_none_or(|u| u.is_empty()) {
        let by_controller = vspec.claim_ref.is_none();
        vspec.claim_ref = Some(claim_ref(claim));
        if by_controller {
            v.metadata.annotations.get_or_insert_with(Default::default).insert(ANN_BOUND_BY_CONTROLLER.into(), "yes".into());
        }
        changed = true;
    }
    changed |= set_pv_phase(&mut v, "Bound", api, None, None);
    if changed {
        let _ = api.write(Object::PersistentVolume(v.clone()));
    }
    let mut c = claim.clone();
    let cspec = c.spec.get_or_insert_with(Default::default);
    let ann = c.metadata.annotations.get_or_insert_with(Default::default);
    let mut cchanged = false;
    if cspec.volume_name.as_deref().is_none_or(|n| n.is_empty()) {
        cspec.volume_name = v.metadata.name.clone();
        ann.insert(ANN_BOUND_BY_CONTROLLER.into(), "yes".into());
        cchanged = true;
    }
    if ann.get(ANN_BIND_COMPLETED).map(String::as_str) != Some("yes") {
        ann.insert(ANN_BIND_COMPLETED.into(), "yes".into());
        cchanged = true;
    }
    let vs = v.spec.clone().unwrap_or_default();
    let st = c.status.get_or_insert_with(Default::default);
    if st.phase.as_deref() != Some("Bound") || st.capacity != vs.capacity || st.access_modes != vs.access_modes {
        st.phase = Some("Bound".into());
        st.capacity = vs.capacity.clone();
        st.access_modes = vs.access_modes.clone();
        cchanged = true;
    }
    if cchanged {
        let _ = api.write(Object::PersistentVolumeClaim(c));
    }
}

fn set_claim_phase(api: &mut Api, c: &PersistentVolumeClaim, phase: &str) {
    if claim_phase(c) == Some(phase) {
        return;
    }
    let mut c = c.clone();
    let st = c.status.get_or_insert_with(Default::default);
    st.phase = Some(phase.into());
    if phase != "Bound" {
        st.capacity = None;
        st.access_modes = None;
    }
    let _ = api.write(Object::PersistentVolumeClaim(c));
}

/// Reconciles one claim (`syncClaim`).
pub fn sync_claim(api: &mut Api, key: &ObjectKey, fx: &mut Effects) {
    let Some(mut claim) = get_claim(api, &key.namespace, &key.name) else { return };
    if claim.metadata.deletion_timestamp.is_some() {
        return;
    }
    let completed = meta::annotation(&claim.metadata, ANN_BIND_COMPLETED).is_some();
    let obj = Object::PersistentVolumeClaim(claim.clone());
    if !completed {
        // Retroactive default class for claims without one.
        if claim.spec.as_ref().is_some_and(|s| s.storage_class_name.is_none()) && meta::annotation(&claim.metadata, ANN_BETA_CLASS).is_none() {
            if let Some(def) = default_class(api) {
                claim.spec.get_or_insert_with(Default::default).storage_class_name = Some(def);
                if let Ok(o) = api.write(Object::PersistentVolumeClaim(claim.clone())) {
                    if let Object::PersistentVolumeClaim(c) = &*o {
                        claim = c.clone();
                    }
                }
            }
        }
        let volume_name = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).filter(|s| !s.is_empty());
        match volume_name {
            None => {
                let class = claim_class(&claim);
                let selected = meta::annotation(&claim.metadata, ANN_SELECTED_NODE).is_some();
                let delay = is_wffc(api, &class) && !selected;
                let pvs = all_pvs(api);
                let refs: Vec<&PersistentVolume> = pvs.iter().collect();
                if let Some(pv) = find_best_match(&claim, &refs, delay).cloned() {
                    bind(api, &pv, &claim);
                    return;
                }
                set_claim_phase(api, &claim, "Pending");
                if delay {
                    api.record(&obj, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding", COMPONENT, None);
                    return;
                }
                if class.is_empty() {
                    api.record(&obj, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set", COMPONENT, None);
                    return;
                }
                let Some(sc) = storage_class(api, &class) else {
                    api.record(&obj, "Warning", "ProvisioningFailed", &format!("storageclass.storage.k8s.io \"{class}\" not found"), COMPONENT, None);
                    return;
                };
                if sc.provisioner == NO_PROVISIONER {
                    api.record(&obj, "Warning", "ProvisioningFailed", &format!("no volume plugin matched name: {NO_PROVISIONER}"), COMPONENT, None);
                    return;
                }
                // Hand the claim to the (external) provisioner.
                let ann = claim.metadata.annotations.clone().unwrap_or_default();
                if ann.get(ANN_STORAGE_PROVISIONER) != Some(&sc.provisioner) {
                    let mut c = claim.clone();
                    let a = c.metadata.annotations.get_or_insert_with(Default::default);
                    a.insert(ANN_BETA_STORAGE_PROVISIONER.into(), sc.provisioner.clone());
                    a.insert(ANN_STORAGE_PROVISIONER.into(), sc.provisioner.clone());
                    let _ = api.write(Object::PersistentVolumeClaim(c));
                }
                let msg = format!(
                    "Waiting for a volume to be created either by the external provisioner '{}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
                    sc.provisioner
                );
                api.record(&obj, "Normal", "ExternalProvisioning", &msg, COMPONENT, None);
                if known_provisioner(&sc.provisioner) {
                    let due = api.clock.now_ms() + api.clock.jitter(400, 1200);
                    fx.provision.push((key.clone(), due));
                }
            }
            Some(vn) => match get_pv(api, &vn) {
                None => set_claim_phase(api, &claim, "Pending"),
                Some(pv) => {
                    let spec = pv.spec.clone().unwrap_or_default();
                    match &spec.claim_ref {
                        None => {
                            let reason = if volume_capacity(&pv) < claim_request(&claim) {
                                Some("requested PV is too small")
                            } else if volume_class(&pv) != claim_class(&claim) {
                                Some("storageClassName does not match")
                            } else if volume_mode(spec.volume_mode.as_ref()) != volume_mode(claim.spec.as_ref().and_then(|s| s.volume_mode.as_ref())) {
                                Some("incompatible volumeMode")
                            } else {
                                None
                            };
                            match reason {
                                Some(r) => {
                                    api.record(&obj, "Warning", "VolumeMismatch", &format!("Cannot bind to requested volume \"{vn}\": {r}"), COMPONENT, None);
                                    set_claim_phase(api, &claim, "Pending");
                                }
                                None => bind(api, &pv, &claim),
                            }
                        }
                        Some(_) if is_bound_to_claim(&pv, &claim) => bind(api, &pv, &claim),
                        Some(_) => set_claim_phase(api, &claim, "Pending"),
                    }
                }
            },
        }
        return;
    }
    // A bound claim: check its volume.
    let vn = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
    match get_pv(api, &vn) {
        None => {
            if claim_phase(&claim) != Some("Lost") {
                api.record(&obj, "Warning", "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!", COMPONENT, None);
                set_claim_phase(api, &claim, "Lost");
            }
        }
        Some(pv) => {
            let has_ref = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).is_some();
            if !has_ref || is_bound_to_claim(&pv, &claim) {
                bind(api, &pv, &claim);
                expand(api, &pv, &claim);
            } else if claim_phase(&claim) != Some("Lost") {
                api.record(&obj, "Warning", "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly", COMPONENT, None);
                set_claim_phase(api, &claim, "Lost");
            }
        }
    }
}

/// Grows a bound claim's volume when the request exceeds the capacity and the class allows it.
fn expand(api: &mut Api, pv: &PersistentVolume, claim: &PersistentVolumeClaim) {
    let req = claim_request(claim);
    if req <= volume_capacity(pv) {
        return;
    }
    let class = claim_class(claim);
    let Some(sc) = storage_class(api, &class) else { return };
    if sc.allow_volume_expansion != Some(true) {
        return;
    }
    let q = claim.spec.as_ref().and_then(|s| s.resources.as_ref()).and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")).cloned().unwrap_or(Quantity("0".into()));
    let pv_name = meta::name(&pv.metadata).to_string();
    let obj = Object::PersistentVolumeClaim(claim.clone());
    api.record(&obj, "Normal", "Resizing", &format!("External resizer is resizing volume {pv_name}"), &format!("external-resizer {}", sc.provisioner), None);
    let mut v = pv.clone();
    v.spec.get_or_insert_with(Default::default).capacity.get_or_insert_with(Default::default).insert("storage".into(), q.clone());
    let _ = api.write(Object::PersistentVolume(v));
    let mut c = claim.clone();
    c.status.get_or_insert_with(Default::default).capacity.get_or_insert_with(Default::default).insert("storage".into(), q);
    let _ = api.write(Object::PersistentVolumeClaim(c.clone()));
    api.record(&Object::PersistentVolumeClaim(c), "Normal", "FileSystemResizeSuccessful", &format!("MountVolume.NodeExpandVolume succeeded for volume \"{pv_name}\""), "kubelet", None);
}

/// Reconciles one volume (`syncVolume`), including its reclaim when released.
pub fn sync_volume(api: &mut Api, key: &ObjectKey, fx: &mut Effects) {
    let Some(pv) = get_pv(api, &key.name) else { return };
    if pv.metadata.deletion_timestamp.is_some() {
        return;
    }
    let spec = pv.spec.clone().unwrap_or_default();
    let phase = pv.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    let Some(r) = spec.claim_ref.clone() else {
        let mut v = pv.clone();
        if set_pv_phase(&mut v, "Available", api, None, None) {
            let _ = api.write(Object::PersistentVolume(v));
        }
        return;
    };
    if r.uid.as_deref().is_none_or(|u| u.is_empty()) {
        // Pre-bound by the user; waits for its claim.
        let mut v = pv.clone();
        if phase != "Bound" && set_pv_phase(&mut v, "Available", api, None, None) {
            let _ = api.write(Object::PersistentVolume(v));
        }
        return;
    }
    let claim = get_claim(api, r.namespace.as_deref().unwrap_or(""), r.name.as_deref().unwrap_or("")).filter(|c| c.metadata.uid == r.uid);
    match claim {
        Some(c) => {
            let vn = c.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
            if vn.is_empty() || vn == key.name {
                let mut v = pv.clone();
                if set_pv_phase(&mut v, "Bound", api, None, None) {
                    let _ = api.write(Object::PersistentVolume(v));
                }
            } else if meta::annotation(&pv.metadata, ANN_BOUND_BY_CONTROLLER).is_some() {
                // The claim went to another volume: release ours.
                let mut v = pv.clone();
                v.spec.get_or_insert_with(Default::default).claim_ref = None;
                set_pv_phase(&mut v, "Available", api, None, None);
                let _ = api.write(Object::PersistentVolume(v));
            }
        }
        None => {
            if phase == "Failed" {
                return;
            }
            let mut v = pv.clone();
            if phase != "Released" {
                set_pv_phase(&mut v, "Released", api, None, None);
                let _ = api.write(Object::PersistentVolume(v.clone()));
            }
            reclaim(api, &v, fx);
        }
    }
}

fn reclaim(api: &mut Api, pv: &PersistentVolume, fx: &mut Effects) {
    let spec = pv.spec.clone().unwrap_or_default();
    let name = meta::name(&pv.metadata).to_string();
    let obj = Object::PersistentVolume(pv.clone());
    match spec.persistent_volume_reclaim_policy.as_deref().unwrap_or("Retain") {
        "Retain" => {}
        "Recycle" => {
            if spec.host_path.is_none() && spec.nfs.is_none() {
                api.record(&obj, "Warning", "VolumeFailedRecycle", "No recycler plugin found for the volume!", COMPONENT, None);
                let mut v = pv.clone();
                set_pv_phase(&mut v, "Failed", api, Some("VolumeFailedRecycle"), Some("No recycler plugin found for the volume!"));
                let _ = api.write(Object::PersistentVolume(v));
                return;
            }
            let due = api.clock.now_ms() + api.clock.jitter(3000, 6000);
            fx.recycle.push((ObjectKey::new(Kind::PersistentVolume, "", &name), due));
        }
        _ => {
            // Delete.
            let provisioner = meta::annotation(&pv.metadata, ANN_PROVISIONED_BY).map(str::to_string);
            match provisioner {
                Some(p) if known_provisioner(&p) => {
                    scrub_for(pv, fx);
                    delete_volume(api, &name);
                }
                Some(_) => {} // an external provisioner nobody runs: the volume stays Released.
                None => {
                    if let Some(h) = &spec.host_path {
                        let ok = h.path.starts_with("/tmp/") && h.path.len() > 5;
                        if ok {
                            scrub_for(pv, fx);
                            delete_volume(api, &name);
                        } else {
                            let msg = format!("host_path deleter only supports /tmp/.+ but received provided {}", h.path);
                            api.record(&obj, "Warning", "VolumeFailedDelete", &msg, COMPONENT, None);
                            let mut v = pv.clone();
                            set_pv_phase(&mut v, "Failed", api, None, Some(&msg));
                            let _ = api.write(Object::PersistentVolume(v));
                        }
                    } else {
                        let msg = format!("error getting deleter volume plugin for volume \"{name}\": no deletable volume plugin matched");
                        api.record(&obj, "Warning", "VolumeFailedDelete", &msg, COMPONENT, None);
                        let mut v = pv.clone();
                        set_pv_phase(&mut v, "Failed", api, None, Some(&msg));
                        let _ = api.write(Object::PersistentVolume(v));
                    }
                }
            }
        }
    }
}

fn scrub_for(pv: &PersistentVolume, fx: &mut Effects) {
    match super::files::pv_backing(pv, "") {
        super::files::Backing::Host { base, .. } => fx.scrub.push((None, base)),
        super::files::Backing::Shared(id) => fx.scrub_shared.push(id),
        _ => {}
    }
}

fn delete_volume(api: &mut Api, name: &str) {
    let key = ObjectKey::new(Kind::PersistentVolume, "", name);
    if let Some(Object::PersistentVolume(mut v)) = api.store.get(&key).map(|o| (**o).clone()) {
        if let Some(f) = v.metadata.finalizers.as_mut() {
            f.retain(|x| x != PV_PROTECTION);
        }
        let _ = api.write(Object::PersistentVolume(v));
    }
    let _ = api.remove_now(&key);
}

/// Finishes a recycle: scrubs the data and makes the volume Available again.
pub fn finish_recycle(api: &mut Api, key: &ObjectKey, fx: &mut Effects) {
    let Some(pv) = get_pv(api, &key.name) else { return };
    if pv.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Released") {
        return;
    }
    let obj = Object::PersistentVolume(pv.clone());
    let node = api.store.list(Kind::Node).next().map(|n| meta::name(n.metadata()).to_string()).unwrap_or_else(|| "minikube".into());
    api.record(&obj, "Normal", "RecyclerPod", &format!("Recycler pod: Successfully assigned default/recycler-for-{} to {node}", key.name), COMPONENT, None);
    scrub_for(&pv, fx);
    let mut v = pv.clone();
    v.spec.get_or_insert_with(Default::default).claim_ref = None;
    if let Some(a) = v.metadata.annotations.as_mut() {
        a.remove(ANN_BOUND_BY_CONTROLLER);
    }
    set_pv_phase(&mut v, "Available", api, None, None);
    let _ = api.write(Object::PersistentVolume(v.clone()));
    api.record(&Object::PersistentVolume(v), "Normal", "VolumeRecycled", "Volume recycled", COMPONENT, None);
}

/// The provisioner creates a volume for a claim (named `pvc-<claim uid>`, pre-bound to it).
pub fn provision(api: &mut Api, key: &ObjectKey, profile: &str) {
    let Some(claim) = get_claim(api, &key.namespace, &key.name) else { return };
    if claim.metadata.deletion_timestamp.is_some() || claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()).is_some_and(|v| !v.is_empty()) {
        return;
    }
    let class = claim_class(&claim);
    let Some(sc) = storage_class(api, &class) else { return };
    if !known_provisioner(&sc.provisioner) {
        return;
    }
    let selected = meta::annotation(&claim.metadata, ANN_SELECTED_NODE).map(str::to_string);
    if sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer") && selected.is_none() {
        return;
    }
    let name = format!("pvc-{}", meta::uid(&claim.metadata));
    if get_pv(api, &name).is_some() {
        return;
    }
    let obj = Object::PersistentVolumeClaim(claim.clone());
    let component = provisioner_component(&sc.provisioner);
    api.record(&obj, "Normal", "Provisioning", &format!("External provisioner is provisioning volume for claim \"{}/{}\"", key.namespace, key.name), &component, None);
    let cspec = claim.spec.clone().unwrap_or_default();
    let request = cspec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")).cloned().unwrap_or(Quantity("0".into()));
    let mut annotations: BTreeMap<String, String> = BTreeMap::new();
    annotations.insert(ANN_PROVISIONED_BY.into(), sc.provisioner.clone());
    let mut spec = PersistentVolumeSpec {
        access_modes: cspec.access_modes.clone(),
        capacity: Some(crate::sort::btree_map([("storage".to_string(), request)])),
        claim_ref: Some(claim_ref(&claim)),
        persistent_volume_reclaim_policy: sc.reclaim_policy.clone().or(Some("Delete".into())),
        storage_class_name: Some(class.clone()),
        volume_mode: cspec.volume_mode.clone().or(Some("Filesystem".into())),
        mount_options: sc.mount_options.clone(),
        ..Default::default()
    };
    if sc.provisioner == MINIKUBE_HOSTPATH {
        annotations.insert("hostPathProvisionerIdentity".into(), profile.to_string());
        spec.host_path = Some(HostPathVolumeSource { path: format!("/tmp/hostpath-provisioner/{}/{}", key.namespace, key.name), type_: Some(String::new()) });
    } else {
        let handle = api.clock.uuid();
        let node = selected.clone().unwrap_or_else(|| profile.to_string());
        annotations.insert("volume.kubernetes.io/provisioner-deletion-secret-name".into(), String::new());
        annotations.insert("volume.kubernetes.io/provisioner-deletion-secret-namespace".into(), String::new());
        spec.csi = Some(CSIPersistentVolumeSource {
            driver: CSI_HOSTPATH.into(),
            volume_handle: handle,
            volume_attributes: Some(
                crate::sort::btree_map([("kind".to_string(), "file".to_string()), ("storage.kubernetes.io/csiProvisionerIdentity".to_string(), "1735689600000-9999-hostpath.csi.k8s.io".to_string())]),
            ),
            ..Default::default()
        });
        spec.node_affinity = Some(VolumeNodeAffinity {
            required: Some(NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_expressions: Some(vec![NodeSelectorRequirement { key: "topology.hostpath.csi/node".into(), operator: "In".into(), values: Some(vec![node]) }]),
                    match_fields: None,
                }],
            }),
        });
    }
    let pv = PersistentVolume {
        metadata: ObjectMeta { name: Some(name.clone()), annotations: Some(annotations), ..Default::default() },
        spec: Some(spec),
        status: None,
    };
    match api.create(Object::PersistentVolume(pv)) {
        Ok(_) => api.record(&obj, "Normal", "ProvisioningSucceeded", &format!("Successfully provisioned volume {name}"), &component, None),
        Err(e) => api.record(&obj, "Warning", "ProvisioningFailed", &format!("failed to provision volume with StorageClass \"{class}\": {e}"), &component, None),
    }
}

/// The scheduler picked `node` for `pod`: WaitForFirstConsumer claims bind to an Available
/// volume that fits the node, or get `volume.kubernetes.io/selected-node` so their class's
/// provisioner creates one. Returns whether anything changed.
pub fn on_pod_scheduled(api: &mut Api, pod: &Pod, node: &str) -> bool {
    let ns = meta::namespace(&pod.metadata).to_string();
    let labels = match api.store.get(&ObjectKey::new(Kind::Node, "", node)).map(|o| &**o) {
        Some(Object::Node(n)) => n.metadata.labels.clone().unwrap_or_default(),
        _ => BTreeMap::new(),
    };
    let mut changed = false;
    let mut taken: Vec<String> = Vec::new();
    for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let Some(claim_name) = super::files::claim_of(pod, v) else { continue };
        let Some(claim) = get_claim(api, &ns, &claim_name) else { continue };
        if claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()).is_some_and(|v| !v.is_empty()) {
            continue;
        }
        let class = claim_class(&claim);
        if !is_wffc(api, &class) || meta::annotation(&claim.metadata, ANN_SELECTED_NODE).is_some() {
            continue;
        }
        let pvs = all_pvs(api);
        let refs: Vec<&PersistentVolume> = pvs.iter().filter(|p| !taken.iter().any(|t| Some(t.as_str()) == p.metadata.name.as_deref())).collect();
        // Access-mode groups as the index, but with the node (the scheduler's path).
        let mut best: Option<PersistentVolume> = None;
        let wanted = claim.spec.as_ref().and_then(|s| s.access_modes.clone()).unwrap_or_default();
        let mut groups: VecMap<(usize, String), Vec<&PersistentVolume>> = VecMap::new();
        for p in refs {
            let modes = p.spec.as_ref().and_then(|s| s.access_modes.clone()).unwrap_or_default();
            if wanted.iter().all(|m| modes.contains(m)) {
                let k = modes_key(&modes);
                groups.entry((k.split(',').filter(|s| !s.is_empty()).count(), k)).or_default().push(p);
            }
        }
        for vols in groups.values() {
            if let Some(p) = find_matching_volume(&claim, vols, Some((node, &labels)), true) {
                best = Some(p.clone());
                break;
            }
        }
        match best {
            Some(pv) => {
                taken.push(meta::name(&pv.metadata).to_string());
                bind(api, &pv, &claim);
                changed = true;
            }
            None => {
                let Some(sc) = storage_class(api, &class) else { continue };
                if sc.provisioner == NO_PROVISIONER {
                    continue;
                }
                let mut c = claim.clone();
                c.metadata.annotations.get_or_insert_with(Default::default).insert(ANN_SELECTED_NODE.into(), node.into());
                let _ = api.write(Object::PersistentVolumeClaim(c));
                changed = true;
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests;
