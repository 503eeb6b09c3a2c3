//! The kinds the simulated API server serves, each backed by its real `k8s-openapi` type.
//!
//! One table ([`kinds!`]) lists every kind with its group, version, plural, short names and scope;
//! `Kind`, `Object` and the discovery data are generated from it so that they never disagree.

use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, LimitRange, Namespace, Node, PersistentVolume,
    PersistentVolumeClaim, Pod, ResourceQuota, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// Static facts about one kind: how the API and kubectl name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// `Pod`, `Deployment`, ...
    pub kind: &'static str,
    /// API group, empty for the core group.
    pub group: &'static str,
    /// API version inside the group.
    pub version: &'static str,
    /// Lower-case plural used in URLs and by kubectl (`pods`).
    pub plural: &'static str,
    /// Lower-case singular (`pod`).
    pub singular: &'static str,
    /// kubectl short names (`po`).
    pub short: &'static [&'static str],
    /// Whether objects of this kind live in a namespace.
    pub namespaced: bool,
}

impl KindInfo {
    /// `apps/v1` or `v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps` or `pods`: the resource name kubectl prints in messages.
    pub fn resource_name(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `deployment.apps` or `pod`: the prefix of `deployment.apps/x created`.
    pub fn singular_resource(&self) -> String {
        if self.group.is_empty() {
            self.singular.to_string()
        } else {
            format!("{}.{}", self.singular, self.group)
        }
    }
}

macro_rules! kinds {
    ($( $variant:ident => $ty:ty, $group:expr, $version:expr, $plural:expr, $singular:expr, [$($short:expr),*], $ns:expr; )*) => {
        /// A kind the API server knows.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind { $( #[doc = stringify!($variant)] $variant ),* }

        /// One API object of any supported kind, as its real `k8s-openapi` type.
        #[derive(Debug)]
        #[allow(clippy::large_enum_variant)]
        pub enum Object { $( #[doc = stringify!($variant)] $variant($ty) ),* }

        impl Kind {
            /// Every kind, in a fixed order.
            pub const ALL: &'static [Kind] = &[ $( Kind::$variant ),* ];

            /// Static facts about this kind.
            pub fn info(self) -> &'static KindInfo {
                match self {
                    $( Kind::$variant => {
                        static INFO: KindInfo = KindInfo {
                            kind: stringify!($variant), group: $group, version: $version,
                            plural: $plural, singular: $singular, short: &[$($short),*], namespaced: $ns,
                        };
                        &INFO
                    } ),*
                }
            }
        }

        // By hand rather than derived: a derived `clone` is `#[inline]`, so every crate that
        // clones an object compiled its own copy of the whole tree of field clones into the wasm.
        impl Clone for Object {
            #[inline(never)]
            fn clone(&self) -> Self {
                match self { $( Object::$variant(o) => Object::$variant(o.clone()) ),* }
            }
        }

        impl Object {
            /// The kind of this object.
            pub fn kind(&self) -> Kind {
                match self { $( Object::$variant(_) => Kind::$variant ),* }
            }
            /// The object's metadata.
            pub fn metadata(&self) -> &ObjectMeta {
                match self { $( Object::$variant(o) => &o.metadata ),* }
            }
            /// The object's metadata, mutable.
            pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
                match self { $( Object::$variant(o) => &mut o.metadata ),* }
            }
            /// The object as a Pod, if it is one.
            pub fn as_pod(&self) -> Option<&k8s_openapi::api::core::v1::Pod> {
                match self { Object::Pod(p) => Some(p), _ => None }
            }
            /// Serialises the object to JSON with apiVersion and kind, as the API returns it.
            pub fn to_json(&self) -> serde_json::Value {
                match self { $( Object::$variant(o) => super::codec::to_json(o) ),* }
            }
            /// Deserialises a typed object of `kind` from JSON (apiVersion/kind are not checked here).
            pub fn from_json_as(kind: Kind, value: serde_json::Value) -> Result<Object, String> {
                match kind {
                    $( Kind::$variant => typed_from_json::<$ty>(value).map(Object::$variant) ),*
                }
            }
        }
    };
}

/// Deserialises a typed value from JSON; an error names the field at fault as the API server
/// does (`json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32`;
/// other errors as `spec.containers[0].ports: ...`). Every typed read of API
/// JSON goes through here and [`super::codec`]: a plain `serde_json::from_value` elsewhere would
/// compile k8s-openapi's per-type serde code into the page again.
pub fn typed_from_json<T: super::codec::Json>(value: serde_json::Value) -> Result<T, String> {
    super::codec::from_json(value).map_err(|e| e.api_message())
}

kinds! {
    Namespace => Namespace, "", "v1", "namespaces", "namespace", ["ns"], false;
    Node => Node, "", "v1", "nodes", "node", ["no"], false;
    Pod => Pod, "", "v1", "pods", "pod", ["po"], true;
    Service => Service, "", "v1", "services", "service", ["svc"], true;
    Endpoints => Endpoints, "", "v1", "endpoints", "endpoints", ["ep"], true;
    ConfigMap => ConfigMap, "", "v1", "configmaps", "configmap", ["cm"], true;
    Secret => Secret, "", "v1", "secrets", "secret", [], true;
    ServiceAccount => ServiceAccount, "", "v1", "serviceaccounts", "serviceaccount", ["sa"], true;
    PersistentVolume => PersistentVolume, "", "v1", "persistentvolumes", "persistentvolume", ["pv"], false;
    PersistentVolumeClaim => PersistentVolumeClaim, "", "v1", "persistentvolumeclaims", "persistentvolumeclaim", ["pvc"], true;
    ResourceQuota => ResourceQuota, "", "v1", "resourcequotas", "resourcequota", ["quota"], true;
    LimitRange => LimitRange, "", "v1", "limitranges", "limitrange", ["limits"], true;
    Event => Event, "", "v1", "events", "event", ["ev"], true;
    Deployment => Deployment, "apps", "v1", "deployments", "deployment", ["deploy"], true;
    ReplicaSet => ReplicaSet, "apps", "v1", "replicasets", "replicaset", ["rs"], true;
    DaemonSet => DaemonSet, "apps", "v1", "daemonsets", "daemonset", ["ds"], true;
    StatefulSet => StatefulSet, "apps", "v1", "statefulsets", "statefulset", ["sts"], true;
    ControllerRevision => ControllerRevision, "apps", "v1", "controllerrevisions", "controllerrevision", [], true;
    Job => Job, "batch", "v1", "jobs", "job", [], true;
    CronJob => CronJob, "batch", "v1", "cronjobs", "cronjob", ["cj"], true;
    HorizontalPodAutoscaler => HorizontalPodAutoscaler, "autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", ["hpa"], true;
    StorageClass => StorageClass, "storage.k8s.io", "v1", "storageclasses", "storageclass", ["sc"], false;
    Ingress => Ingress, "networking.k8s.io", "v1", "ingresses", "ingress", ["ing"], true;
    IngressClass => IngressClass, "networking.k8s.io", "v1", "ingressclasses", "ingressclass", [], false;
    EndpointSlice => EndpointSlice, "discovery.k8s.io", "v1", "endpointslices", "endpointslice", [], true;
    PriorityClass => PriorityClass, "scheduling.k8s.io", "v1", "priorityclasses", "priorityclass", ["pc"], false;
    PodDisruptionBudget => PodDisruptionBudget, "policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", ["pdb"], true;
    Lease => Lease, "coordination.k8s.io", "v1", "leases", "lease", [], true;
}

impl Kind {
    /// Finds a kind by what a user may type: kind, plural, singular, short name or `plural.group`.
    pub fn lookup(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        let (base, group) = match lower.split_once('.') {
            Some((b, g)) => (b.to_string(), Some(g.to_string())),
            None => (lower.clone(), None),
        };
        Kind::ALL.iter().copied().find(|k| {
            let i = k.info();
            let name_ok = i.plural == base
                || i.singular == base
                || i.kind.eq_ignore_ascii_case(&base)
                || i.short.contains(&base.as_str());
            let group_ok = match &group {
                None => true,
                Some(g) => {
                    i.group == g || (!i.group.is_empty() && i.group.starts_with(&format!("{g}.")))
                        || (g.starts_with(&format!("{}.", i.version)) && &g[i.version.len() + 1..] == i.group)
                }
            };
            name_ok && group_ok
        })
    }

    /// Finds the kind a manifest names by `apiVersion` and `kind`.
    pub fn from_api_version(api_version: &str, kind: &str) -> Option<Kind> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.info().kind == kind && k.info().api_version() == api_version)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.info().kind)
    }
}
