//! VolumeBinding: a pod's PersistentVolumeClaims must exist; unbound claims of an `Immediate`
//! class (or no class) must be bound by the PV controller first (PreFilter); bound claims' PV node
//! affinity must match the node, and `WaitForFirstConsumer` claims need an Available PV that fits
//! the node or a class that can provision (Filter). After a node is chosen,
//! [`VolumeBinding::decide`] says which claims to bind to which PV and which to provision, for
//! the engine's PV binder.

use crate::api::quantity::parse_int;
use crate::scheduler::cache::NodeInfo;
use crate::scheduler::framework::{Code, CycleEnv, Plugin, PodCtx, PreResult, Status};
use crate::scheduler::labels::{node_selector_matches, CompiledSelector};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;
use std::any::Any;

/// Plugin name.
pub const NAME: &str = "VolumeBinding";
/// A claim's bound PV has node affinity the node does not satisfy.
pub const ERR_REASON_NODE_CONFLICT: &str = "node(s) had volume node affinity conflict";
/// No Available PV fits and the class cannot provision here.
pub const ERR_REASON_BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
/// A bound claim's PV does not exist.
pub const ERR_REASON_PV_NOT_EXIST: &str = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
/// PreFilter reason for unbound Immediate claims.
pub const ERR_REASON_UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";
/// The provisioner name meaning "no dynamic provisioning".
pub const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";

/// Read access to storage objects, implemented by the engine over its store.
pub trait VolumeView {
    /// A PVC by namespace and name.
    fn pvc(&self, namespace: &str, name: &str) -> Option<&PersistentVolumeClaim>;
    /// A StorageClass by name.
    fn storage_class(&self, name: &str) -> Option<&StorageClass>;
    /// All PersistentVolumes, in a stable order.
    fn persistent_volumes(&self) -> Vec<&PersistentVolume>;
    /// A PV by name (default: a scan of [`VolumeView::persistent_volumes`]).
    fn persistent_volume(&self, name: &str) -> Option<&PersistentVolume> {
        self.persistent_volumes().into_iter().find(|pv| pv.metadata.name.as_deref() == Some(name))
    }
}

/// A view with no storage objects at all.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoVolumes;

impl VolumeView for NoVolumes {
    fn pvc(&self, _: &str, _: &str) -> Option<&PersistentVolumeClaim> {
        None
    }
    fn storage_class(&self, _: &str) -> Option<&StorageClass> {
        None
    }
    fn persistent_volumes(&self) -> Vec<&PersistentVolume> {
        Vec::new()
    }
}

/// What the PV binder must do for a claim once the pod's node is chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ClaimAction {
    /// Bind the claim to this existing PV.
    Bind {
        /// Claim namespace.
        namespace: String,
        /// Claim name.
        claim: String,
        /// The chosen PV.
        pv: String,
    },
    /// Dynamically provision a volume for the claim on the node (set the selected-node annotation).
    Provision {
        /// Claim namespace.
        namespace: String,
        /// Claim name.
        claim: String,
        /// The StorageClass.
        storage_class: String,
    },
}

#[derive(Clone)]
struct WffcClaim {
    namespace: String,
    name: String,
    class: String,
    provisioner: Option<String>,
    allowed_topologies: Option<Vec<k8s_openapi::api::core::v1::TopologySelectorTerm>>,
    candidates: Vec<PersistentVolume>,
    request: i64,
    modes: Vec<String>,
    volume_mode: String,
    selector: Option<CompiledSelector>,
}

#[derive(Clone, Default)]
struct State {
    /// Bound claims' PVs (None: PV missing).
    bound: Vec<Option<PersistentVolume>>,
    wffc: Vec<WffcClaim>,
}

fn pv_fits_node(pv: &PersistentVolume, node: &NodeInfo) -> bool {
    match pv.spec.as_ref().and_then(|s| s.node_affinity.as_ref()).and_then(|a| a.required.as_ref()) {
        Some(sel) => node_selector_matches(sel, &node.name, &node.labels),
        None => true,
    }
}

fn pv_matches_claim(pv: &PersistentVolume, c: &WffcClaim) -> bool {
    let Some(spec) = pv.spec.as_ref() else {
        return false;
    };
    let available = spec.claim_ref.is_none() && pv.status.as_ref().and_then(|s| s.phase.as_deref()).is_none_or(|p| p == "Available");
    let cap = spec.capacity.as_ref().and_then(|c| c.get("storage")).and_then(|q| parse_int(&q.0)).unwrap_or(0);
    let modes = spec.access_modes.as_deref().unwrap_or(&[]);
    available
        && spec.storage_class_name.as_deref().unwrap_or("") == c.class
        && cap >= c.request
        && c.modes.iter().all(|m| modes.contains(m))
        && spec.volume_mode.as_deref().unwrap_or("Filesystem") == c.volume_mode
        && c.selector.as_ref().is_none_or(|s| s.matches(pv.metadata.labels.as_ref().unwrap_or(&Default::default())))
}

fn provision_fits(c: &WffcClaim, node: &NodeInfo) -> bool {
    if c.provisioner.as_deref().is_none_or(|p| p == NO_PROVISIONER) {
        return false;
    }
    match &c.allowed_topologies {
        None => true,
        Some(terms) if terms.is_empty() => true,
        Some(terms) => terms.iter().any(|t| {
            t.match_label_expressions
                .iter()
                .flatten()
                .all(|e| node.labels.get(&e.key).is_some_and(|v| e.values.contains(v)))
        }),
    }
}

/// The VolumeBinding filter.
#[derive(Debug, Default, Clone, Copy)]
pub struct VolumeBinding;

impl VolumeBinding {
    /// For the chosen node, which WaitForFirstConsumer claims to bind to which PV and which to
    /// provision. Empty when the pod has no such claims.
    pub fn decide(pod: &Pod, volumes: &dyn VolumeView, node: &NodeInfo) -> Vec<ClaimAction> {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
        let Ok(st) = build_state(pod, ns, volumes) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut taken: Vec<String> = Vec::new();
        for c in &st.wffc {
            let pv = c
                .candidates
                .iter()
                .filter(|pv| pv_fits_node(pv, node))
                .filter(|pv| !taken.iter().any(|t| Some(t.as_str()) == pv.metadata.name.as_deref()))
                .min_by_key(|pv| {
                    pv.spec.as_ref().and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("storage")).and_then(|q| parse_int(&q.0)).unwrap_or(0)
                });
            if let Some(pv) = pv {
                let name = pv.metadata.name.clone().unwrap_or_default();
                taken.push(name.clone());
                out.push(ClaimAction::Bind { namespace: c.namespace.clone(), claim: c.name.clone(), pv: name });
            } else if provision_fits(c, node) {
                out.push(ClaimAction::Provision { namespace: c.namespace.clone(), claim: c.name.clone(), storage_class: c.class.clone() });
            }
        }
        out
    }
}

fn build_state(pod: &Pod, ns: &str, volumes: &dyn VolumeView) -> Result<State, Status> {
    let mut st = State::default();
    let mut unbound_immediate = false;
    let empty = Default::default();
    let spec = pod.spec.as_ref().unwrap_or(&empty);
    for v in spec.volumes.iter().flatten() {
        let Some(src) = &v.persistent_volume_claim else {
            continue;
        };
        let name = &src.claim_name;
        let Some(pvc) = volumes.pvc(ns, name) else {
            return Err(Status::unresolvable(format!("persistentvolumeclaim \"{name}\" not found")));
        };
        if pvc.metadata.deletion_timestamp.is_some() {
            return Err(Status::unresolvable(format!("persistentvolumeclaim \"{name}\" is being deleted")));
        }
        let pspec = pvc.spec.clone().unwrap_or_default();
        if let Some(pv_name) = pspec.volume_name.as_deref().filter(|s| !s.is_empty()) {
            st.bound.push(volumes.persistent_volume(pv_name).cloned());
            continue;
        }
        let class = pspec.storage_class_name.clone().unwrap_or_default();
        let sc = if class.is_empty() { None } else { volumes.storage_class(&class) };
        if !class.is_empty() && sc.is_none() {
            return Err(Status::unresolvable(format!("storageclass.storage.k8s.io \"{class}\" not found")));
        }
        let wffc = sc.is_some_and(|sc| sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"));
        if !wffc {
            unbound_immediate = true;
            continue;
        }
        let mut c = WffcClaim {
            namespace: ns.to_string(),
            name: name.clone(),
            class: class.clone(),
            provisioner: sc.map(|s| s.provisioner.clone()),
            allowed_topologies: sc.and_then(|s| s.allowed_topologies.clone()),
            candidates: Vec::new(),
            request: pspec
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .and_then(|q| parse_int(&q.0))
                .unwrap_or(0),
            modes: pspec.access_modes.clone().unwrap_or_default(),
            volume_mode: pspec.volume_mode.clone().unwrap_or_else(|| "Filesystem".into()),
            selector: pspec.selector.as_ref().map(|s| CompiledSelector::new(Some(s))),
        };
        c.candidates = volumes.persistent_volumes().into_iter().filter(|pv| pv_matches_claim(pv, &c)).cloned().collect();
        st.wffc.push(c);
    }
    if unbound_immediate {
        return Err(Status::unresolvable(ERR_REASON_UNBOUND_IMMEDIATE));
    }
    Ok(st)
}

impl Plugin for VolumeBinding {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter(&self, pod: &PodCtx, env: &CycleEnv) -> PreResult {
        let has_pvc = pod.spec.volumes.iter().flatten().any(|v| v.persistent_volume_claim.is_some());
        if !has_pvc {
            return PreResult::skip();
        }
        match build_state(pod.pod, &pod.info.key.namespace, env.volumes) {
            Ok(st) => PreResult::with(st),
            Err(s) => PreResult::reject(s),
        }
    }

    fn filter(&self, s: Option<&dyn Any>, _pod: &PodCtx, node: &NodeInfo, _env: &CycleEnv) -> Status {
        let Some(st) = s.and_then(|s| s.downcast_ref::<State>()) else {
            return Status::success();
        };
        let mut reasons: Vec<String> = Vec::new();
        for pv in &st.bound {
            match pv {
                None => {
                    if !reasons.iter().any(|r| r == ERR_REASON_PV_NOT_EXIST) {
                        reasons.push(ERR_REASON_PV_NOT_EXIST.into());
                    }
                }
                Some(pv) if !pv_fits_node(pv, node) => {
                    if !reasons.iter().any(|r| r == ERR_REASON_NODE_CONFLICT) {
                        reasons.push(ERR_REASON_NODE_CONFLICT.into());
                    }
                }
                _ => {}
            }
        }
        for c in &st.wffc {
            let ok = c.candidates.iter().any(|pv| pv_fits_node(pv, node)) || provision_fits(c, node);
            if !ok && !reasons.iter().any(|r| r == ERR_REASON_BIND_CONFLICT) {
                reasons.push(ERR_REASON_BIND_CONFLICT.into());
            }
        }
        if reasons.is_empty() {
            Status::success()
        } else {
            Status::with_reasons(Code::UnschedulableAndUnresolvable, reasons)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::scheduler::cache::PodInfo;
    use crate::scheduler::framework::PluginArgs;
    use crate::scheduler::testutil::*;

    /// A VolumeView over vectors, for tests.
    #[derive(Default)]
    pub struct Vols {
        pub pvcs: Vec<PersistentVolumeClaim>,
        pub classes: Vec<StorageClass>,
        pub pvs: Vec<PersistentVolume>,
    }

    impl VolumeView for Vols {
        fn pvc(&self, ns: &str, name: &str) -> Option<&PersistentVolumeClaim> {
            self.pvcs.iter().find(|p| p.metadata.name.as_deref() == Some(name) && p.metadata.namespace.as_deref().unwrap_or("default") == ns)
        }
        fn storage_class(&self, name: &str) -> Option<&StorageClass> {
            self.classes.iter().find(|c| c.metadata.name.as_deref() == Some(name))
        }
        fn persistent_volumes(&self) -> Vec<&PersistentVolume> {
            self.pvs.iter().collect()
        }
    }

    fn y<T: serde::de::DeserializeOwned>(s: &str) -> T {
        serde_yaml::from_str(s).unwrap()
    }

    fn run(vols: &Vols, claim: &str, node: &str) -> Status {
        let h = Harness::new(vec![node_yaml("n1", "zone: a", ""), node_yaml("n2", "zone: b", "")], vec![]);
        let p = pod(&format!("metadata: {{name: p}}\nspec: {{containers: [], volumes: [{{name: v, persistentVolumeClaim: {{claimName: {claim}}}}}]}}"));
        let info = PodInfo::new(&p);
        let spec = p.spec.clone().unwrap();
        let ctx = PodCtx { pod: &p, spec: &spec, info: &info };
        let args = PluginArgs::default();
        let env = CycleEnv { cache: &h.cache, volumes: vols, args: &args };
        let pre = VolumeBinding.pre_filter(&ctx, &env);
        if pre.status.code != Code::Success {
            return pre.status;
        }
        VolumeBinding.filter(pre.state.as_deref().map(|s| s.as_any()), &ctx, h.cache.node(node).unwrap(), &env)
    }

    fn vols() -> Vols {
        Vols {
            pvcs: vec![
                y("metadata: {name: immediate, namespace: default}\nspec: {storageClassName: fast, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}"),
                y("metadata: {name: late, namespace: default}\nspec: {storageClassName: local, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}"),
                y("metadata: {name: late-dyn, namespace: default}\nspec: {storageClassName: late-dyn, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}"),
                y("metadata: {name: bound, namespace: default}\nspec: {volumeName: pv-a, accessModes: [ReadWriteOnce]}"),
                y("metadata: {name: ghost, namespace: default}\nspec: {volumeName: nope}"),
            ],
            classes: vec![
                y("metadata: {name: fast}\nprovisioner: csi.example.com"),
                y("metadata: {name: local}\nprovisioner: kubernetes.io/no-provisioner\nvolumeBindingMode: WaitForFirstConsumer"),
                y("metadata: {name: late-dyn}\nprovisioner: csi.example.com\nvolumeBindingMode: WaitForFirstConsumer"),
            ],
            pvs: vec![
                y("metadata: {name: pv-a}\nspec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteOnce], claimRef: {name: bound, namespace: default}, nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}]}]}}}"),
                y("metadata: {name: pv-local}\nspec: {capacity: {storage: 2Gi}, accessModes: [ReadWriteOnce], storageClassName: local, nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [b]}]}]}}}\nstatus: {phase: Available}"),
            ],
        }
    }

    #[test]
    fn table() {
        let v = vols();
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("missing", "n1", Some("persistentvolumeclaim \"missing\" not found")),
            ("immediate", "n1", Some(ERR_REASON_UNBOUND_IMMEDIATE)),
            ("bound", "n1", None),
            ("bound", "n2", Some(ERR_REASON_NODE_CONFLICT)),
            ("ghost", "n1", Some(ERR_REASON_PV_NOT_EXIST)),
            ("late", "n1", Some(ERR_REASON_BIND_CONFLICT)),
            ("late", "n2", None),
            ("late-dyn", "n1", None),
        ];
        for (claim, node, want) in cases {
            let s = run(&v, claim, node);
            assert_eq!(s.reasons.first().map(String::as_str), *want, "{claim} on {node}");
            if want.is_some() {
                assert_eq!(s.code, Code::UnschedulableAndUnresolvable);
            }
        }
    }

    #[test]
    fn decisions() {
        let v = vols();
        let h = Harness::new(vec![node_yaml("n2", "zone: b", "")], vec![]);
        let p = pod("metadata: {name: p}\nspec: {containers: [], volumes: [{name: a, persistentVolumeClaim: {claimName: late}}, {name: b, persistentVolumeClaim: {claimName: late-dyn}}]}");
        let d = VolumeBinding::decide(&p, &v, h.cache.node("n2").unwrap());
        assert_eq!(
            d,
            vec![
                ClaimAction::Bind { namespace: "default".into(), claim: "late".into(), pv: "pv-local".into() },
                ClaimAction::Provision { namespace: "default".into(), claim: "late-dyn".into(), storage_class: "late-dyn".into() },
            ]
        );
    }
}
