//! Namespace policy admission: the LimitRanger plugin (defaults for containers, min/max/ratio
//! checks for containers, pods and claims, with Kubernetes' messages and the
//! `kubernetes.io/limit-ranger` annotation) and the ResourceQuota plugin (usage computed from the
//! namespace's objects; over-quota creates refused with `exceeded quota: ...`), plus the quota
//! controller that keeps `status.hard`/`status.used` current.

use crate::vecmap::VecMap;
use crate::api::quantity::{format_bytes, format_milli, parse_int, parse_milli};
use crate::api::{meta, ApiError, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use k8s_openapi::api::core::v1::{Container, LimitRange, Pod, ResourceQuota, ResourceQuotaStatus};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;

type Res = BTreeMap<String, Quantity>;

fn val(res: &str, q: &Quantity) -> i64 {
    let base = res.rsplit('.').next().unwrap_or(res);
    if base == "cpu" {
        parse_milli(&q.0).unwrap_or(0)
    } else {
        parse_int(&q.0).unwrap_or(0)
    }
}

/// Formats an amount of a resource canonically (`500m`, `1Gi`, `3`).
pub fn fmt(res: &str, v: i64) -> String {
    let base = res.rsplit('.').next().unwrap_or(res);
    match base {
        "cpu" => format_milli(v),
        "memory" | "storage" | "ephemeral-storage" => format_bytes(v),
        _ => v.to_string(),
    }
}

fn limit_ranges(api: &Api, ns: &str) -> Vec<LimitRange> {
    api.store
        .list_ns(Kind::LimitRange, ns)
        .filter_map(|o| match &**o {
            Object::LimitRange(l) => Some(l.clone()),
            _ => None,
        })
        .collect()
}

/// `SetDefaults_LimitRangeItem`: container defaults from max, default requests from defaults or min.
pub fn default_limit_range(lr: &mut LimitRange) {
    for item in lr.spec.iter_mut().flat_map(|s| s.limits.iter_mut()) {
        if item.type_ != "Container" {
            continue;
        }
        let default = item.default.get_or_insert_with(Default::default);
        for (k, v) in item.max.iter().flatten() {
            default.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let dr = item.default_request.get_or_insert_with(Default::default);
        for (k, v) in default.iter() {
            dr.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in item.min.iter().flatten() {
            dr.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

/// Applies LimitRange defaults to a pod's containers (and requests = limits where only limits are set).
pub fn default_pod(api: &Api, pod: &mut Pod) {
    let ns = meta::namespace(&pod.metadata).to_string();
    let lrs = limit_ranges(api, &ns);
    let mut notes_req: Vec<String> = Vec::new();
    let mut notes_lim: Vec<String> = Vec::new();
    let Some(spec) = pod.spec.as_mut() else { return };
    let apply = |c: &mut Container, notes_req: &mut Vec<String>, notes_lim: &mut Vec<String>| {
        let r = c.resources.get_or_insert_with(Default::default);
        let mut set_req = Vec::new();
        let mut set_lim = Vec::new();
        for lr in &lrs {
            for item in lr.spec.iter().flat_map(|s| s.limits.iter()).filter(|i| i.type_ == "Container") {
                for (k, v) in item.default.iter().flatten() {
                    let lim = r.limits.get_or_insert_with(Default::default);
                    if !lim.contains_key(k) {
                        lim.insert(k.clone(), v.clone());
                        set_lim.push(k.clone());
                    }
                }
                for (k, v) in item.default_request.iter().flatten() {
                    let req = r.requests.get_or_insert_with(Default::default);
                    if !req.contains_key(k) {
                        req.insert(k.clone(), v.clone());
                        set_req.push(k.clone());
                    }
                }
            }
        }
        // Requests default to limits (the API server's defaulting).
        if let Some(lim) = r.limits.clone() {
            let req = r.requests.get_or_insert_with(Default::default);
            for (k, v) in lim {
                req.entry(k).or_insert(v);
            }
        }
        if r.limits.as_ref().is_some_and(|m| m.is_empty()) {
            r.limits = None;
        }
        if r.requests.as_ref().is_some_and(|m| m.is_empty()) {
            r.requests = None;
        }
        if !set_req.is_empty() {
            notes_req.push(format!("{} request for container {}", set_req.join(", "), c.name));
        }
        if !set_lim.is_empty() {
            notes_lim.push(format!("{} limit for container {}", set_lim.join(", "), c.name));
        }
    };
    for c in spec.init_containers.iter_mut().flatten() {
        apply(c, &mut notes_req, &mut notes_lim);
    }
    for c in spec.containers.iter_mut() {
        apply(c, &mut notes_req, &mut notes_lim);
    }
    let notes: Vec<String> = notes_req.into_iter().chain(notes_lim).collect();
    if !notes.is_empty() {
        pod.metadata.annotations.get_or_insert_with(Default::default).insert("kubernetes.io/limit-ranger".into(), format!("LimitRanger plugin set: {}", notes.join("; ")));
    }
}

fn min_check(errs: &mut Vec<String>, kind: &str, res: &str, min: &Quantity, req: Option<&Quantity>, lim: Option<&Quantity>) {
    let m = val(res, min);
    match req {
        None => errs.push(format!("minimum {res} usage per {kind} is {}.  No request is specified", min.0)),
        Some(r) if val(res, r) < m => errs.push(format!("minimum {res} usage per {kind} is {}, but request is {}", min.0, r.0)),
        _ => {
            if let Some(l) = lim.filter(|l| val(res, l) < m) {
                errs.push(format!("minimum {res} usage per {kind} is {}, but limit is {}", min.0, l.0));
            }
        }
    }
}

fn max_check(errs: &mut Vec<String>, kind: &str, res: &str, max: &Quantity, req: Option<&Quantity>, lim: Option<&Quantity>) {
    let m = val(res, max);
    match lim {
        None => errs.push(format!("maximum {res} usage per {kind} is {}.  No limit is specified", max.0)),
        Some(l) if val(res, l) > m => errs.push(format!("maximum {res} usage per {kind} is {}, but limit is {}", max.0, l.0)),
        _ => {
            if let Some(r) = req.filter(|r| val(res, r) > m) {
                errs.push(format!("maximum {res} usage per {kind} is {}, but request is {}", max.0, r.0));
            }
        }
    }
}

fn ratio_check(errs: &mut Vec<String>, kind: &str, res: &str, ratio: &Quantity, req: Option<&Quantity>, lim: Option<&Quantity>) {
    let Some(l) = lim else { return };
    let r = req.map(|r| val(res, r)).unwrap_or(0);
    if r == 0 {
        errs.push(format!("{res} max limit to request ratio per {kind} is {}, but no request is specified or request is 0", ratio.0));
        return;
    }
    let observed = val(res, l) as f64 / r as f64;
    let max = parse_milli(&ratio.0).unwrap_or(0) as f64 / 1000.0;
    if observed > max {
        errs.push(format!("{res} max limit to request ratio per {kind} is {}, but provided ratio is {observed:.6}", ratio.0));
    }
}

fn forbidden(kind: Kind, name: &str, errs: Vec<String>) -> ApiError {
    let body = if errs.len() == 1 { errs[0].clone() } else { format!("[{}]", errs.join(", ")) };
    ApiError::Forbidden(format!("{} \"{name}\" is forbidden: {body}", kind.info().resource_name()))
}

/// LimitRange validation of a pod or claim.
pub fn check_limits(api: &Api, obj: &Object) -> Result<(), ApiError> {
    let ns = meta::namespace(obj.metadata()).to_string();
    let name = meta::name(obj.metadata()).to_string();
    let lrs = limit_ranges(api, &ns);
    if lrs.is_empty() {
        return Ok(());
    }
    let mut errs = Vec::new();
    match obj {
        Object::Pod(p) => {
            let spec = p.spec.clone().unwrap_or_default();
            let containers: Vec<&Container> = spec.init_containers.iter().flatten().chain(spec.containers.iter()).collect();
            for lr in &lrs {
                for item in lr.spec.iter().flat_map(|s| s.limits.iter()) {
                    match item.type_.as_str() {
                        "Container" => {
                            for c in &containers {
                                let r = c.resources.clone().unwrap_or_default();
                                let req = r.requests.unwrap_or_default();
                                let lim = r.limits.unwrap_or_default();
                                for (k, v) in item.min.iter().flatten() {
                                    min_check(&mut errs, "Container", k, v, req.get(k), lim.get(k));
                                }
                                for (k, v) in item.max.iter().flatten() {
                                    max_check(&mut errs, "Container", k, v, req.get(k), lim.get(k));
                                }
                                for (k, v) in item.max_limit_request_ratio.iter().flatten() {
                                    ratio_check(&mut errs, "Container", k, v, req.get(k), lim.get(k));
                                }
                            }
                        }
                        "Pod" => {
                            let sum = |f: &dyn Fn(&Container) -> Option<Res>, k: &str| -> Option<Quantity> {
                                let mut any = false;
                                let mut total = 0;
                                for c in &spec.containers {
                                    if let Some(q) = f(c).and_then(|m| m.get(k).cloned()) {
                                        any = true;
                                        total += val(k, &q);
                                    }
                                }
                                any.then(|| Quantity(fmt(k, total)))
                            };
                            let req_of = |c: &Container| c.resources.as_ref().and_then(|r| r.requests.clone());
                            let lim_of = |c: &Container| c.resources.as_ref().and_then(|r| r.limits.clone());
                            for (k, v) in item.min.iter().flatten() {
                                min_check(&mut errs, "Pod", k, v, sum(&req_of, k).as_ref(), sum(&lim_of, k).as_ref());
                            }
                            for (k, v) in item.max.iter().flatten() {
                                max_check(&mut errs, "Pod", k, v, sum(&req_of, k).as_ref(), sum(&lim_of, k).as_ref());
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        Object::PersistentVolumeClaim(c) => {
            let req = c.spec.as_ref().and_then(|s| s.resources.as_ref()).and_then(|r| r.requests.clone()).unwrap_or_default();
            for lr in &lrs {
                for item in lr.spec.iter().flat_map(|s| s.limits.iter()).filter(|i| i.type_ == "PersistentVolumeClaim") {
                    for (k, v) in item.min.iter().flatten() {
                        match req.get(k) {
                            None => errs.push(format!("minimum {k} usage per PersistentVolumeClaim is {}.  No request is specified", v.0)),
                            Some(r) if val(k, r) < val(k, v) => errs.push(format!("minimum {k} usage per PersistentVolumeClaim is {}, but request is {}", v.0, r.0)),
                            _ => {}
                        }
                    }
                    for (k, v) in item.max.iter().flatten() {
                        if let Some(r) = req.get(k).filter(|r| val(k, r) > val(k, v)) {
                            errs.push(format!("maximum {k} usage per PersistentVolumeClaim is {}, but request is {}", v.0, r.0));
                        }
                    }
                }
            }
        }
        _ => return Ok(()),
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(forbidden(obj.kind(), &name, errs))
    }
}

fn pod_counts(p: &Pod) -> bool {
    !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded") | Some("Failed"))
}

fn pod_sum(p: &Pod, which: &str, res: &str) -> i64 {
    let Some(spec) = p.spec.as_ref() else { return 0 };
    let get = |c: &Container| -> i64 {
        let r = c.resources.as_ref();
        let m = if which == "limits" { r.and_then(|r| r.limits.as_ref()) } else { r.and_then(|r| r.requests.as_ref()) };
        m.and_then(|m| m.get(res)).map(|q| val(res, q)).unwrap_or(0)
    };
    let sum: i64 = spec.containers.iter().map(get).sum();
    let init = spec.init_containers.iter().flatten().map(get).max().unwrap_or(0);
    sum.max(init)
}

/// What one object contributes to each quota resource.
pub fn usage_of(obj: &Object) -> VecMap<String, i64> {
    let mut u = VecMap::new();
    let info = obj.kind().info();
    let count_key = if info.group.is_empty() { format!("count/{}", info.plural) } else { format!("count/{}.{}", info.plural, info.group) };
    u.insert(count_key, 1);
    match obj {
        Object::Pod(p) => {
            if !pod_counts(p) {
                return VecMap::new();
            }
            u.insert("pods".into(), 1);
            for res in ["cpu", "memory", "ephemeral-storage"] {
                let r = pod_sum(p, "requests", res);
                u.insert(res.into(), r);
                u.insert(format!("requests.{res}"), r);
                u.insert(format!("limits.{res}"), pod_sum(p, "limits", res));
            }
        }
        Object::Service(s) => {
            u.insert("services".into(), 1);
            let ty = s.spec.as_ref().and_then(|x| x.type_.as_deref()).unwrap_or("ClusterIP");
            let ports = s.spec.as_ref().and_then(|x| x.ports.as_ref()).map(|p| p.len() as i64).unwrap_or(0);
            if ty == "NodePort" || ty == "LoadBalancer" {
                u.insert("services.nodeports".into(), ports);
            }
            if ty == "LoadBalancer" {
                u.insert("services.loadbalancers".into(), 1);
            }
        }
        Object::ConfigMap(_) => {
            u.insert("configmaps".into(), 1);
        }
        Object::Secret(_) => {
            u.insert("secrets".into(), 1);
        }
        Object::ResourceQuota(_) => {
            u.insert("resourcequotas".into(), 1);
        }
        Object::PersistentVolumeClaim(c) => {
            u.insert("persistentvolumeclaims".into(), 1);
            let req = super::binder::claim_request(c);
            u.insert("requests.storage".into(), req);
            let class = super::binder::claim_class(c);
            if !class.is_empty() {
                u.insert(format!("{class}.storageclass.storage.k8s.io/requests.storage"), req);
                u.insert(format!("{class}.storageclass.storage.k8s.io/persistentvolumeclaims"), 1);
            }
        }
        _ => {}
    }
    u
}

/// The namespace's usage of the resources a quota constrains.
pub fn used(api: &Api, ns: &str, hard: &Res) -> VecMap<String, i64> {
    let mut total: VecMap<String, i64> = VecMap::from_iter(hard.keys().map(|k| (k.clone(), 0)));
    for kind in [Kind::Pod, Kind::Service, Kind::ConfigMap, Kind::Secret, Kind::PersistentVolumeClaim, Kind::ResourceQuota, Kind::Deployment, Kind::ReplicaSet, Kind::StatefulSet, Kind::DaemonSet, Kind::Job, Kind::CronJob, Kind::Ingress] {
        for o in api.store.list_ns(kind, ns) {
            for (k, v) in usage_of(o) {
                if let Some(t) = total.get_mut(&k) {
                    *t += v;
                }
            }
        }
    }
    total
}

fn quotas(api: &Api, ns: &str) -> Vec<ResourceQuota> {
    api.store
        .list_ns(Kind::ResourceQuota, ns)
        .filter_map(|o| match &**o {
            Object::ResourceQuota(q) => Some(q.clone()),
            _ => None,
        })
        .collect()
}

/// ResourceQuota admission of a create: refuses what would exceed a quota, and pods missing
/// requests/limits a quota needs.
pub fn check_quota(api: &Api, obj: &Object) -> Result<(), ApiError> {
    let ns = meta::namespace(obj.metadata()).to_string();
    let name = meta::name(obj.metadata()).to_string();
    let delta = usage_of(obj);
    let res_name = obj.kind().info().resource_name();
    for q in quotas(api, &ns) {
        let hard = q.spec.as_ref().and_then(|s| s.hard.clone()).unwrap_or_default();
        if hard.is_empty() {
            continue;
        }
        let qname = meta::name(&q.metadata).to_string();
        if let Object::Pod(p) = obj {
            let mut missing: Vec<String> = Vec::new();
            for (need, keys) in [("limits.cpu", ["limits.cpu", ""]), ("limits.memory", ["limits.memory", ""]), ("requests.cpu", ["requests.cpu", "cpu"]), ("requests.memory", ["requests.memory", "memory"])] {
                if !keys.iter().any(|k| !k.is_empty() && hard.contains_key(*k)) {
                    continue;
                }
                let (which, res) = need.split_once('.').unwrap_or(("", ""));
                let lacking: Vec<String> = p
                    .spec
                    .iter()
                    .flat_map(|s| s.containers.iter())
                    .filter(|c| {
                        let r = c.resources.as_ref();
                        let m = if which == "limits" { r.and_then(|r| r.limits.as_ref()) } else { r.and_then(|r| r.requests.as_ref()) };
                        m.is_none_or(|m| !m.contains_key(res))
                    })
                    .map(|c| c.name.clone())
                    .collect();
                if !lacking.is_empty() {
                    missing.push(format!("{need} for: {}", lacking.join(",")));
                }
            }
            if !missing.is_empty() {
                return Err(ApiError::Forbidden(format!("{res_name} \"{name}\" is forbidden: failed quota: {qname}: must specify {}", missing.join("; "))));
            }
        }
        let used_now = used(api, &ns, &hard);
        let mut over: Vec<(String, i64, i64, i64)> = Vec::new();
        for (k, h) in &hard {
            let d = delta.get(k).copied().unwrap_or(0);
            if d == 0 {
                continue;
            }
            let u = used_now.get(k).copied().unwrap_or(0);
            let hv = val(k, h);
            if u + d > hv {
                over.push((k.clone(), d, u, hv));
            }
        }
        if !over.is_empty() {
            type Over = (String, i64, i64, i64);
            let list = |f: &dyn Fn(&Over) -> i64| over.iter().map(|o| format!("{}={}", o.0, fmt(&o.0, f(o)))).collect::<Vec<_>>().join(",");
            return Err(ApiError::Forbidden(format!(
                "{res_name} \"{name}\" is forbidden: exceeded quota: {qname}, requested: {}, used: {}, limited: {}",
                list(&|o| o.1),
                list(&|o| o.2),
                list(&|o| o.3)
            )));
        }
    }
    Ok(())
}

/// Recomputes `status.hard` and `status.used` of the quotas in a namespace.
pub fn sync_quotas(api: &mut Api, ns: &str) {
    for q in quotas(api, ns) {
        let hard = q.spec.as_ref().and_then(|s| s.hard.clone()).unwrap_or_default();
        let used_now = used(api, ns, &hard);
        let status = ResourceQuotaStatus {
            hard: Some(hard.clone()),
            used: Some(crate::sort::btree_map(hard.keys().map(|k| (k.clone(), Quantity(fmt(k, used_now.get(k).copied().unwrap_or(0))))))),
        };
        if q.status.as_ref() != Some(&status) {
            let mut q = q.clone();
            q.status = Some(status);
            let _ = api.write(Object::ResourceQuota(q));
        }
    }
}

/// The namespaces whose quotas an object's change may affect.
pub fn affects_quota(obj: &Object) -> bool {
    matches!(
        obj.kind(),
        Kind::Pod | Kind::Service | Kind::ConfigMap | Kind::Secret | Kind::PersistentVolumeClaim | Kind::ResourceQuota | Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet | Kind::Job | Kind::CronJob | Kind::Ingress
    )
}

/// A quota key for a namespace (for the controller's queue).
pub fn ns_key(ns: &str) -> ObjectKey {
    ObjectKey::new(Kind::Namespace, "", ns)
}
