//! `kubectl get` tables: the columns and cells of `pkg/printers/internalversion/printers.go`,
//! decorated (namespace, kind prefix, labels) as cli-runtime's table printer does.

use super::duration::{human_duration, rfc3339, since};
use super::util::*;
use super::TableOptions;
use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{Container, Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use pilothouse_engine::api::{Kind, Object};

/// One column: its header (already upper-case) and whether it only shows with `-o wide`.
struct Col(&'static str, bool);

fn columns(kind: Kind) -> Vec<Col> {
    use Kind::*;
    let c = |n: &'static str| Col(n, false);
    let w = |n: &'static str| Col(n, true);
    match kind {
        Pod => vec![c("NAME"), c("READY"), c("STATUS"), c("RESTARTS"), c("AGE"), w("IP"), w("NODE"), w("NOMINATED NODE"), w("READINESS GATES")],
        Deployment => vec![c("NAME"), c("READY"), c("UP-TO-DATE"), c("AVAILABLE"), c("AGE"), w("CONTAINERS"), w("IMAGES"), w("SELECTOR")],
        ReplicaSet => vec![c("NAME"), c("DESIRED"), c("CURRENT"), c("READY"), c("AGE"), w("CONTAINERS"), w("IMAGES"), w("SELECTOR")],
        DaemonSet => vec![
            c("NAME"), c("DESIRED"), c("CURRENT"), c("READY"), c("UP-TO-DATE"), c("AVAILABLE"), c("NODE SELECTOR"), c("AGE"),
            w("CONTAINERS"), w("IMAGES"), w("SELECTOR"),
        ],
        StatefulSet => vec![c("NAME"), c("READY"), c("AGE"), w("CONTAINERS"), w("IMAGES")],
        Job => vec![c("NAME"), c("STATUS"), c("COMPLETIONS"), c("DURATION"), c("AGE"), w("CONTAINERS"), w("IMAGES"), w("SELECTOR")],
        CronJob => vec![
            c("NAME"), c("SCHEDULE"), c("TIMEZONE"), c("SUSPEND"), c("ACTIVE"), c("LAST SCHEDULE"), c("AGE"),
            w("CONTAINERS"), w("IMAGES"), w("SELECTOR"),
        ],
        Service => vec![c("NAME"), c("TYPE"), c("CLUSTER-IP"), c("EXTERNAL-IP"), c("PORT(S)"), c("AGE"), w("SELECTOR")],
        Ingress => vec![c("NAME"), c("CLASS"), c("HOSTS"), c("ADDRESS"), c("PORTS"), c("AGE")],
        IngressClass => vec![c("NAME"), c("CONTROLLER"), c("PARAMETERS"), c("AGE")],
        Endpoints => vec![c("NAME"), c("ENDPOINTS"), c("AGE")],
        EndpointSlice => vec![c("NAME"), c("ADDRESSTYPE"), c("PORTS"), c("ENDPOINTS"), c("AGE")],
        Node => vec![
            c("NAME"), c("STATUS"), c("ROLES"), c("AGE"), c("VERSION"),
            w("INTERNAL-IP"), w("EXTERNAL-IP"), w("OS-IMAGE"), w("KERNEL-VERSION"), w("CONTAINER-RUNTIME"),
        ],
        Event => vec![
            c("LAST SEEN"), c("TYPE"), c("REASON"), c("OBJECT"), w("SUBOBJECT"), w("SOURCE"), c("MESSAGE"),
            w("FIRST SEEN"), w("COUNT"), w("NAME"),
        ],
        Namespace => vec![c("NAME"), c("STATUS"), c("AGE")],
        Secret => vec![c("NAME"), c("TYPE"), c("DATA"), c("AGE")],
        ServiceAccount => vec![c("NAME"), c("SECRETS"), c("AGE")],
        PersistentVolume => vec![
            c("NAME"), c("CAPACITY"), c("ACCESS MODES"), c("RECLAIM POLICY"), c("STATUS"), c("CLAIM"), c("STORAGECLASS"),
            c("VOLUMEATTRIBUTESCLASS"), c("REASON"), c("AGE"), w("VOLUMEMODE"),
        ],
        PersistentVolumeClaim => vec![
            c("NAME"), c("STATUS"), c("VOLUME"), c("CAPACITY"), c("ACCESS MODES"), c("STORAGECLASS"),
            c("VOLUMEATTRIBUTESCLASS"), c("AGE"), w("VOLUMEMODE"),
        ],
        ConfigMap => vec![c("NAME"), c("DATA"), c("AGE")],
        HorizontalPodAutoscaler => vec![c("NAME"), c("REFERENCE"), c("TARGETS"), c("MINPODS"), c("MAXPODS"), c("REPLICAS"), c("AGE")],
        StorageClass => vec![c("NAME"), c("PROVISIONER"), c("RECLAIMPOLICY"), c("VOLUMEBINDINGMODE"), c("ALLOWVOLUMEEXPANSION"), c("AGE")],
        PriorityClass => vec![c("NAME"), c("VALUE"), c("GLOBAL-DEFAULT"), c("AGE"), w("PREEMPTIONPOLICY")],
        PodDisruptionBudget => vec![c("NAME"), c("MIN AVAILABLE"), c("MAX UNAVAILABLE"), c("ALLOWED DISRUPTIONS"), c("AGE")],
        Lease => vec![c("NAME"), c("HOLDER"), c("AGE")],
        ControllerRevision => vec![c("NAME"), c("CONTROLLER"), c("REVISION"), c("AGE")],
        ResourceQuota => vec![c("NAME"), c("AGE"), c("REQUEST"), c("LIMIT")],
        // No server-side printer: the default table (name and RFC 3339 creation time).
        LimitRange => vec![c("NAME"), c("CREATED AT")],
    }
}

fn age(m: &ObjectMeta, now: DateTime<Utc>) -> String {
    since(m.creation_timestamp.as_ref().map(|t| &t.0), now)
}

fn name(m: &ObjectMeta) -> String {
    m.name.clone().unwrap_or_default()
}

fn layout_containers(cs: &[Container]) -> (String, String) {
    let names: Vec<&str> = cs.iter().map(|c| c.name.as_str()).collect();
    let images: Vec<&str> = cs.iter().map(|c| c.image.as_deref().unwrap_or("")).collect();
    (names.join(","), images.join(","))
}

fn template_containers(t: Option<&PodTemplateSpec>) -> (String, String) {
    match t.and_then(|t| t.spec.as_ref()) {
        Some(s) => layout_containers(&s.containers),
        None => (String::new(), String::new()),
    }
}

fn time_of(t: &Option<Time>) -> Option<&DateTime<Utc>> {
    t.as_ref().map(|t| &t.0)
}

/// `printPod`: the READY/STATUS/RESTARTS computation, exactly as kubectl does it.
pub fn pod_row(pod: &Pod, now: DateTime<Utc>) -> (String, String, String) {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let containers = spec.map(|s| s.containers.as_slice()).unwrap_or(&[]);
    let init_containers = spec.and_then(|s| s.init_containers.as_deref()).unwrap_or(&[]);
    let mut total = containers.len();
    let mut ready = 0usize;
    let mut restarts: i64 = 0;
    let mut restartable_restarts: i64 = 0;
    let mut last_restart: Option<DateTime<Utc>> = None;
    let mut last_restartable_restart: Option<DateTime<Utc>> = None;
    let phase = status.and_then(|s| s.phase.clone()).unwrap_or_default();
    let mut reason = phase.clone();
    if let Some(r) = status.and_then(|s| s.reason.as_deref()).filter(|r| !r.is_empty()) {
        reason = r.to_string();
    }
    for c in status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]) {
        if c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated") {
            reason = "SchedulingGated".to_string();
        }
    }
    let is_restartable = |name: &str| {
        init_containers.iter().any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
    };
    total += init_containers.iter().filter(|c| c.restart_policy.as_deref() == Some("Always")).count();

    let later = |cur: Option<DateTime<Utc>>, t: Option<DateTime<Utc>>| match (cur, t) {
        (Some(a), Some(b)) if b > a => Some(b),
        (None, Some(b)) => Some(b),
        (a, _) => a,
    };

    let mut initializing = false;
    let init_statuses = status.and_then(|s| s.init_container_statuses.as_deref()).unwrap_or(&[]);
    for (i, cs) in init_statuses.iter().enumerate() {
        restarts += cs.restart_count as i64;
        let last_term = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref());
        if let Some(t) = last_term {
            last_restart = later(last_restart, t.finished_at.as_ref().map(|t| t.0));
        }
        let restartable = is_restartable(&cs.name);
        if restartable {
            restartable_restarts += cs.restart_count as i64;
            if let Some(t) = last_term {
                last_restartable_restart = later(last_restartable_restart, t.finished_at.as_ref().map(|t| t.0));
            }
        }
        let state = cs.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting = state.and_then(|s| s.waiting.as_ref());
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if restartable && cs.started == Some(true) {
            if cs.ready {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            let r = t.reason.as_deref().unwrap_or("");
            reason = if r.is_empty() {
                match t.signal {
                    Some(sig) if sig != 0 => format!("Init:Signal:{sig}"),
                    _ => format!("Init:ExitCode:{}", t.exit_code),
                }
            } else {
                format!("Init:{r}")
            };
        } else if let Some(r) = waiting.and_then(|w| w.reason.as_deref()).filter(|r| !r.is_empty() && *r != "PodInitializing") {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{}/{}", i, init_containers.len());
        }
        initializing = true;
        break;
    }

    let initialized_true = status
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or(&[])
        .iter()
        .any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized_true {
        restarts = restartable_restarts;
        last_restart = last_restartable_restart;
        let mut has_running = false;
        let statuses = status.and_then(|s| s.container_statuses.as_deref()).unwrap_or(&[]);
        for cs in statuses.iter().rev() {
            restarts += cs.restart_count as i64;
            if let Some(t) = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()) {
                last_restart = later(last_restart, t.finished_at.as_ref().map(|t| t.0));
            }
            let state = cs.state.as_ref();
            let waiting_reason = state.and_then(|s| s.waiting.as_ref()).and_then(|w| w.reason.as_deref()).unwrap_or("");
            let terminated = state.and_then(|s| s.terminated.as_ref());
            if !waiting_reason.is_empty() {
                reason = waiting_reason.to_string();
            } else if let Some(t) = terminated {
                let r = t.reason.as_deref().unwrap_or("");
                reason = if !r.is_empty() {
                    r.to_string()
                } else {
                    match t.signal {
                        Some(sig) if sig != 0 => format!("Signal:{sig}"),
                        _ => format!("ExitCode:{}", t.exit_code),
                    }
                };
            } else if cs.ready && state.is_some_and(|s| s.running.is_some()) {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = status
                .and_then(|s| s.conditions.as_deref())
                .unwrap_or(&[])
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if pod_ready { "Running".to_string() } else { "NotReady".to_string() };
        }
    }

    if pod.metadata.deletion_timestamp.is_some() {
        if status.and_then(|s| s.reason.as_deref()) == Some("NodeLost") {
            reason = "Unknown".to_string();
        } else if phase != "Failed" && phase != "Succeeded" {
            reason = "Terminating".to_string();
        }
    }

    let restarts_str = match last_restart {
        Some(t) if restarts != 0 => format!("{} ({} ago)", restarts, human_duration(now.signed_duration_since(t))),
        _ => restarts.to_string(),
    };
    (format!("{ready}/{total}"), reason, restarts_str)
}

fn pod_cells(pod: &Pod, wide: bool, now: DateTime<Utc>) -> Vec<String> {
    let (ready, reason, restarts) = pod_row(pod, now);
    let mut cells = vec![name(&pod.metadata), ready, reason, restarts, age(&pod.metadata, now)];
    if wide {
        let status = pod.status.as_ref();
        let ip = status
            .and_then(|s| s.pod_ips.as_ref())
            .and_then(|ips| ips.first())
            .map(|ip| ip.ip.clone())
            .or_else(|| status.and_then(|s| s.pod_ip.clone()))
            .unwrap_or_default();
        let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
        let nominated = status.and_then(|s| s.nominated_node_name.clone()).unwrap_or_default();
        let gates = match pod.spec.as_ref().and_then(|s| s.readiness_gates.as_ref()) {
            Some(g) if !g.is_empty() => {
                let conds = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
                let t = g
                    .iter()
                    .filter(|g| conds.iter().find(|c| c.type_ == g.condition_type).is_some_and(|c| c.status == "True"))
                    .count();
                format!("{}/{}", t, g.len())
            }
            _ => "<none>".to_string(),
        };
        cells.extend([or_none(&ip), or_none(&node), or_none(&nominated), gates]);
    }
    cells
}

fn service_external_ip(svc: &k8s_openapi::api::core::v1::Service, wide: bool) -> String {
    let spec = svc.spec.as_ref();
    let ext = spec.and_then(|s| s.external_ips.clone()).unwrap_or_default();
    match spec.and_then(|s| s.type_.as_deref()).unwrap_or("ClusterIP") {
        "ClusterIP" | "NodePort" => {
            if ext.is_empty() {
                "<none>".to_string()
            } else {
                ext.join(",")
            }
        }
        "LoadBalancer" => {
            let mut set: Vec<String> = Vec::new();
            for ing in svc.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|l| l.ingress.as_ref()).into_iter().flatten() {
                if let Some(ip) = ing.ip.as_ref().filter(|s| !s.is_empty()) {
                    set.push(ip.clone());
                } else if let Some(h) = ing.hostname.as_ref().filter(|s| !s.is_empty()) {
                    set.push(h.clone());
                }
            }
            pilothouse_engine::sort::sort(&mut set);
            set.dedup();
            let mut lb = set.join(",");
            if !wide && lb.len() > 16 {
                lb = format!("{}...", truncate_bytes(&lb, 13));
            }
            if !ext.is_empty() {
                let mut results: Vec<String> = Vec::new();
                if !lb.is_empty() {
                    results.extend(lb.split(',').map(String::from));
                }
                results.extend(ext);
                return results.join(",");
            }
            if !lb.is_empty() {
                lb
            } else {
                "<pending>".to_string()
            }
        }
        "ExternalName" => spec.and_then(|s| s.external_name.clone()).unwrap_or_default(),
        _ => "<unknown>".to_string(),
    }
}

fn truncate_bytes(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn service_ports(ports: Option<&Vec<k8s_openapi::api::core::v1::ServicePort>>) -> String {
    let pieces: Vec<String> = ports
        .into_iter()
        .flatten()
        .map(|p| {
            let proto = p.protocol.as_deref().unwrap_or("TCP");
            match p.node_port {
                Some(np) if np > 0 => format!("{}:{}/{}", p.port, np, proto),
                _ => format!("{}/{}", p.port, proto),
            }
        })
        .collect();
    if pieces.is_empty() {
        "<none>".to_string()
    } else {
        pieces.join(",")
    }
}

fn node_roles(m: &ObjectMeta) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in m.labels.iter().flatten() {
        if let Some(r) = k.strip_prefix("node-role.kubernetes.io/") {
            if !r.is_empty() {
                roles.push(r.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.push(v.clone());
        }
    }
    pilothouse_engine::sort::sort(&mut roles);
    roles.dedup();
    roles
}

/// `findNodeRoles` joined with commas, `<none>` if none.
pub fn node_roles_string(m: &ObjectMeta) -> String {
    let r = node_roles(m);
    if r.is_empty() {
        "<none>".to_string()
    } else {
        r.join(",")
    }
}

/// The node STATUS column (`Ready`, `NotReady,SchedulingDisabled`, `Unknown`).
pub fn node_status(node: &k8s_openapi::api::core::v1::Node) -> String {
    let mut status = Vec::new();
    if let Some(c) = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().rev().find(|c| c.type_ == "Ready"))
    {
        if c.status == "True" {
            status.push("Ready".to_string());
        } else {
            status.push("NotReady".to_string());
        }
    }
    if status.is_empty() {
        status.push("Unknown".to_string());
    }
    if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        status.push("SchedulingDisabled".to_string());
    }
    status.join(",")
}

fn node_address(node: &k8s_openapi::api::core::v1::Node, ty: &str) -> String {
    node.status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == ty))
        .map(|a| a.address.clone())
        .unwrap_or_else(|| "<none>".to_string())
}

/// `formatEndpoints(ep, nil)`.
/// kubectl 1.32's `formatEndpointSlices` (describe service and ingress): the slices' ready
/// endpoints in their order, `ADDR:PORT` for the ports named in `port_names`, at most three
/// and `+ N more...`; `<none>` without slices.
pub fn format_endpoint_slices(slices: &[&k8s_openapi::api::discovery::v1::EndpointSlice], port_names: &[String]) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    let max = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for sl in slices {
        let ready = |e: &k8s_openapi::api::discovery::v1::Endpoint| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
        let ports = sl.ports.as_deref().unwrap_or(&[]);
        // A headless service's slices may have no ports: addresses alone.
        let with_ports: Vec<Option<i32>> = if ports.is_empty() {
            vec![None]
        } else {
            ports.iter().filter(|p| port_names.contains(&p.name.clone().unwrap_or_default())).map(|p| Some(p.port.unwrap_or(0))).collect()
        };
        for port in with_ports {
            for e in sl.endpoints.iter().filter(|e| ready(e)) {
                if list.len() == max {
                    more = true;
                }
                if !more {
                    let addr = e.addresses.first().cloned().unwrap_or_default();
                    list.push(match port {
                        Some(p) if addr.contains(':') => format!("[{addr}]:{p}"),
                        Some(p) => format!("{addr}:{p}"),
                        None => addr,
                    });
                }
                count += 1;
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count - max)
    } else {
        ret
    }
}

/// The `ENDPOINTS` column of an Endpoints object (`kubectl get endpoints`).
pub fn format_endpoints(ep: &k8s_openapi::api::core::v1::Endpoints, port_names: Option<&[String]>) -> String {
    let subsets = ep.subsets.as_deref().unwrap_or(&[]);
    if subsets.is_empty() {
        return "<none>".to_string();
    }
    let max = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for ss in subsets {
        let addrs = ss.addresses.as_deref().unwrap_or(&[]);
        let ports = ss.ports.as_deref().unwrap_or(&[]);
        if ports.is_empty() {
            count += addrs.len();
            for a in addrs {
                if list.len() == max {
                    more = true;
                    break;
                }
                list.push(a.ip.clone());
            }
            continue;
        }
        for p in ports {
            let pname = p.name.clone().unwrap_or_default();
            if port_names.is_none_or(|names| names.contains(&pname)) {
                count += addrs.len();
                for a in addrs {
                    if list.len() == max {
                        more = true;
                        break;
                    }
                    let host = if a.ip.contains(':') { format!("[{}]", a.ip) } else { a.ip.clone() };
                    list.push(format!("{}:{}", host, p.port));
                }
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{} + {} more...", ret, count - max)
    } else {
        ret
    }
}

fn list_with_more(list: Vec<String>, more: bool, count: usize, max: usize) -> String {
    let ret = list.join(",");
    if more {
        return format!("{} + {} more...", ret, count - max);
    }
    if ret.is_empty() {
        "<unset>".to_string()
    } else {
        ret
    }
}

fn hpa_metrics(hpa: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler) -> String {
    let specs = hpa.spec.as_ref().and_then(|s| s.metrics.as_deref()).unwrap_or(&[]);
    if specs.is_empty() {
        return "<none>".to_string();
    }
    let statuses = hpa.status.as_ref().and_then(|s| s.current_metrics.as_deref()).unwrap_or(&[]);
    let q = |q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>| quantity_or_zero(q);
    let mut list: Vec<String> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let st = statuses.get(i);
        let item = match spec.type_.as_str() {
            "External" => {
                let e = spec.external.as_ref();
                let target = e.map(|e| &e.target);
                if let Some(av) = target.and_then(|t| t.average_value.as_ref()) {
                    let cur = st
                        .and_then(|s| s.external.as_ref())
                        .and_then(|e| e.current.average_value.as_ref())
                        .map(|v| canonical_quantity(&v.0))
                        .unwrap_or_else(|| "<unknown>".into());
                    format!("{}/{} (avg)", cur, canonical_quantity(&av.0))
                } else {
                    let cur = st
                        .and_then(|s| s.external.as_ref())
                        .map(|e| q(e.current.value.as_ref()))
                        .unwrap_or_else(|| "<unknown>".into());
                    format!("{}/{}", cur, q(target.and_then(|t| t.value.as_ref())))
                }
            }
            "Pods" => {
                let cur = st
                    .and_then(|s| s.pods.as_ref())
                    .map(|p| q(p.current.average_value.as_ref()))
                    .unwrap_or_else(|| "<unknown>".into());
                format!("{}/{}", cur, q(spec.pods.as_ref().and_then(|p| p.target.average_value.as_ref())))
            }
            "Object" => {
                let target = spec.object.as_ref().map(|o| &o.target);
                if let Some(av) = target.and_then(|t| t.average_value.as_ref()) {
                    let cur = st
                        .and_then(|s| s.object.as_ref())
                        .and_then(|o| o.current.average_value.as_ref())
                        .map(|v| canonical_quantity(&v.0))
                        .unwrap_or_else(|| "<unknown>".into());
                    format!("{}/{} (avg)", cur, canonical_quantity(&av.0))
                } else {
                    let cur = st
                        .and_then(|s| s.object.as_ref())
                        .map(|o| q(o.current.value.as_ref()))
                        .unwrap_or_else(|| "<unknown>".into());
                    format!("{}/{}", cur, q(target.and_then(|t| t.value.as_ref())))
                }
            }
            "Resource" | "ContainerResource" => {
                let (rname, target, cur_status) = if spec.type_ == "Resource" {
                    let r = spec.resource.as_ref();
                    (
                        r.map(|r| r.name.clone()).unwrap_or_default(),
                        r.map(|r| &r.target),
                        st.and_then(|s| s.resource.as_ref()).map(|r| &r.current),
                    )
                } else {
                    let r = spec.container_resource.as_ref();
                    (
                        r.map(|r| r.name.clone()).unwrap_or_default(),
                        r.map(|r| &r.target),
                        st.and_then(|s| s.container_resource.as_ref()).map(|r| &r.current),
                    )
                };
                if let Some(av) = target.and_then(|t| t.average_value.as_ref()) {
                    let cur = cur_status.map(|c| q(c.average_value.as_ref())).unwrap_or_else(|| "<unknown>".into());
                    format!("{}: {}/{}", rname, cur, canonical_quantity(&av.0))
                } else {
                    let cur = cur_status
                        .and_then(|c| c.average_utilization)
                        .map(|u| format!("{u}%"))
                        .unwrap_or_else(|| "<unknown>".into());
                    let tgt = target
                        .and_then(|t| t.average_utilization)
                        .map(|u| format!("{u}%"))
                        .unwrap_or_else(|| "<auto>".into());
                    format!("{}: {}/{}", rname, cur, tgt)
                }
            }
            _ => "<unknown type>".to_string(),
        };
        list.push(item);
    }
    let count = list.len();
    let max = 2;
    if count > max {
        list.truncate(max);
        return format!("{} + {} more...", list.join(", "), count - max);
    }
    list.join(", ")
}

/// `storageutil.IsDefaultAnnotation`.
/// An Ingress's load-balancer addresses (IP, else hostname), sorted and deduplicated as
/// kubectl's ingressLoadBalancerStatusStringerV1 lists them.
pub fn ingress_addresses(ing: &k8s_openapi::api::networking::v1::Ingress) -> Vec<String> {
    let mut addrs: Vec<String> = Vec::new();
    for i in ing.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|l| l.ingress.as_ref()).into_iter().flatten() {
        if let Some(ip) = i.ip.as_ref().filter(|s| !s.is_empty()) {
            addrs.push(ip.clone());
        } else if let Some(h) = i.hostname.as_ref().filter(|s| !s.is_empty()) {
            addrs.push(h.clone());
        }
    }
    pilothouse_engine::sort::sort(&mut addrs);
    addrs.dedup();
    addrs
}

pub fn is_default_class(m: &ObjectMeta) -> bool {
    let a = m.annotations.as_ref();
    a.and_then(|a| a.get("storageclass.kubernetes.io/is-default-class")).map(String::as_str) == Some("true")
        || a.and_then(|a| a.get("storageclass.beta.kubernetes.io/is-default-class")).map(String::as_str) == Some("true")
}

/// `GetPersistentVolumeClass`.
pub fn pv_class(pv: &k8s_openapi::api::core::v1::PersistentVolume) -> String {
    if let Some(c) = pv.metadata.annotations.as_ref().and_then(|a| a.get("volume.beta.kubernetes.io/storage-class")) {
        return c.clone();
    }
    pv.spec.as_ref().and_then(|s| s.storage_class_name.clone()).unwrap_or_default()
}

/// `GetPersistentVolumeClaimClass`.
pub fn pvc_class(pvc: &k8s_openapi::api::core::v1::PersistentVolumeClaim) -> String {
    if let Some(c) = pvc.metadata.annotations.as_ref().and_then(|a| a.get("volume.beta.kubernetes.io/storage-class")) {
        return c.clone();
    }
    pvc.spec.as_ref().and_then(|s| s.storage_class_name.clone()).unwrap_or_default()
}

fn bool_str(b: bool) -> String {
    if b { "True" } else { "False" }.to_string()
}

fn cells(obj: &Object, wide: bool, now: DateTime<Utc>) -> Vec<String> {
    match obj {
        Object::Pod(p) => pod_cells(p, wide, now),
        Object::Deployment(d) => {
            let spec = d.spec.as_ref();
            let st = d.status.as_ref();
            let desired = spec.and_then(|s| s.replicas).unwrap_or(1);
            let mut c = vec![
                name(&d.metadata),
                format!("{}/{}", st.and_then(|s| s.ready_replicas).unwrap_or(0), desired),
                st.and_then(|s| s.updated_replicas).unwrap_or(0).to_string(),
                st.and_then(|s| s.available_replicas).unwrap_or(0).to_string(),
                age(&d.metadata, now),
            ];
            if wide {
                let (n, i) = template_containers(spec.map(|s| &s.template));
                c.extend([n, i, selector_string(spec.map(|s| &s.selector))]);
            }
            c
        }
        Object::ReplicaSet(rs) => {
            let spec = rs.spec.as_ref();
            let st = rs.status.as_ref();
            let mut c = vec![
                name(&rs.metadata),
                spec.and_then(|s| s.replicas).unwrap_or(1).to_string(),
                st.map(|s| s.replicas).unwrap_or(0).to_string(),
                st.and_then(|s| s.ready_replicas).unwrap_or(0).to_string(),
                age(&rs.metadata, now),
            ];
            if wide {
                let (n, i) = template_containers(spec.and_then(|s| s.template.as_ref()));
                c.extend([n, i, format_label_selector(spec.map(|s| &s.selector))]);
            }
            c
        }
        Object::DaemonSet(ds) => {
            let spec = ds.spec.as_ref();
            let st = ds.status.as_ref();
            let node_sel = spec.and_then(|s| s.template.spec.as_ref()).and_then(|s| s.node_selector.as_ref());
            let mut c = vec![
                name(&ds.metadata),
                st.map(|s| s.desired_number_scheduled).unwrap_or(0).to_string(),
                st.map(|s| s.current_number_scheduled).unwrap_or(0).to_string(),
                st.map(|s| s.number_ready).unwrap_or(0).to_string(),
                st.and_then(|s| s.updated_number_scheduled).unwrap_or(0).to_string(),
                st.and_then(|s| s.number_available).unwrap_or(0).to_string(),
                format_labels(node_sel),
                age(&ds.metadata, now),
            ];
            if wide {
                let (n, i) = template_containers(spec.map(|s| &s.template));
                c.extend([n, i, format_label_selector(spec.map(|s| &s.selector))]);
            }
            c
        }
        Object::StatefulSet(ss) => {
            let spec = ss.spec.as_ref();
            let st = ss.status.as_ref();
            let mut c = vec![
                name(&ss.metadata),
                format!("{}/{}", st.and_then(|s| s.ready_replicas).unwrap_or(0), spec.and_then(|s| s.replicas).unwrap_or(1)),
                age(&ss.metadata, now),
            ];
            if wide {
                let (n, i) = template_containers(spec.map(|s| &s.template));
                c.extend([n, i]);
            }
            c
        }
        Object::Job(j) => {
            let spec = j.spec.as_ref();
            let st = j.status.as_ref();
            let succeeded = st.and_then(|s| s.succeeded).unwrap_or(0);
            let completions = match spec.and_then(|s| s.completions) {
                Some(c) => format!("{succeeded}/{c}"),
                None => {
                    let par = spec.and_then(|s| s.parallelism).unwrap_or(0);
                    if par > 1 {
                        format!("{succeeded}/1 of {par}")
                    } else {
                        format!("{succeeded}/1")
                    }
                }
            };
            let start = st.and_then(|s| time_of(&s.start_time));
            let done = st.and_then(|s| time_of(&s.completion_time));
            let duration = match (start, done) {
                (None, _) => String::new(),
                (Some(s), None) => human_duration(now.signed_duration_since(*s)),
                (Some(s), Some(d)) => human_duration(d.signed_duration_since(*s)),
            };
            let conds = st.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
            let has = |t: &str| conds.iter().find(|c| c.type_ == t).is_some_and(|c| c.status == "True");
            let status = if has("Complete") {
                "Complete"
            } else if has("Failed") {
                "Failed"
            } else if j.metadata.deletion_timestamp.is_some() {
                "Terminating"
            } else if has("Suspended") {
                "Suspended"
            } else if has("FailureTarget") {
                "FailureTarget"
            } else {
                "Running"
            };
            let mut c = vec![name(&j.metadata), status.to_string(), completions, duration, age(&j.metadata, now)];
            if wide {
                let (n, i) = template_containers(spec.map(|s| &s.template));
                c.extend([n, i, format_label_selector(spec.and_then(|s| s.selector.as_ref()))]);
            }
            c
        }
        Object::CronJob(cj) => {
            let spec = cj.spec.as_ref();
            let st = cj.status.as_ref();
            let last = st
                .and_then(|s| time_of(&s.last_schedule_time))
                .map(|t| human_duration(now.signed_duration_since(*t)))
                .unwrap_or_else(|| "<none>".to_string());
            let suspend = match spec.and_then(|s| s.suspend) {
                Some(b) => bool_str(b),
                None => "<unset>".to_string(),
            };
            let mut c = vec![
                name(&cj.metadata),
                spec.map(|s| s.schedule.clone()).unwrap_or_default(),
                spec.and_then(|s| s.time_zone.clone()).unwrap_or_else(|| "<none>".to_string()),
                suspend,
                st.and_then(|s| s.active.as_ref()).map(|a| a.len()).unwrap_or(0).to_string(),
                last,
                age(&cj.metadata, now),
            ];
            if wide {
                let jt = spec.and_then(|s| s.job_template.spec.as_ref());
                let (n, i) = template_containers(jt.map(|s| &s.template));
                c.extend([n, i, format_label_selector(jt.and_then(|s| s.selector.as_ref()))]);
            }
            c
        }
        Object::Service(s) => {
            let spec = s.spec.as_ref();
            let cluster_ip = spec
                .and_then(|s| s.cluster_ips.as_ref())
                .and_then(|ips| ips.first().cloned())
                .or_else(|| spec.and_then(|s| s.cluster_ip.clone()).filter(|s| !s.is_empty()))
                .unwrap_or_else(|| "<none>".to_string());
            let mut c = vec![
                name(&s.metadata),
                spec.and_then(|s| s.type_.clone()).unwrap_or_default(),
                cluster_ip,
                service_external_ip(s, wide),
                service_ports(spec.and_then(|s| s.ports.as_ref())),
                age(&s.metadata, now),
            ];
            if wide {
                c.push(format_labels(spec.and_then(|s| s.selector.as_ref())));
            }
            c
        }
        Object::Ingress(ing) => {
            let spec = ing.spec.as_ref();
            let class = spec.and_then(|s| s.ingress_class_name.clone()).unwrap_or_else(|| "<none>".to_string());
            let rules = spec.and_then(|s| s.rules.as_deref()).unwrap_or(&[]);
            let mut hosts: Vec<String> = Vec::new();
            let mut more = false;
            for r in rules {
                if hosts.len() == 3 {
                    more = true;
                }
                if !more {
                    if let Some(h) = r.host.as_ref().filter(|h| !h.is_empty()) {
                        hosts.push(h.clone());
                    }
                }
            }
            let hosts_s = if hosts.is_empty() {
                "*".to_string()
            } else if more {
                format!("{} + {} more...", hosts.join(","), rules.len() - 3)
            } else {
                hosts.join(",")
            };
            let mut addr = ingress_addresses(ing).join(",");
            if !wide && addr.len() > 16 {
                addr = format!("{}...", truncate_bytes(&addr, 13));
            }
            let ports = if spec.and_then(|s| s.tls.as_ref()).is_some_and(|t| !t.is_empty()) { "80, 443" } else { "80" };
            vec![name(&ing.metadata), class, hosts_s, addr, ports.to_string(), age(&ing.metadata, now)]
        }
        Object::IngressClass(ic) => {
            let spec = ic.spec.as_ref();
            let params = match spec.and_then(|s| s.parameters.as_ref()) {
                Some(p) => {
                    let mut s = p.kind.clone();
                    if let Some(g) = &p.api_group {
                        s = format!("{s}.{g}");
                    }
                    format!("{s}/{}", p.name)
                }
                None => "<none>".to_string(),
            };
            vec![name(&ic.metadata), spec.and_then(|s| s.controller.clone()).unwrap_or_default(), params, age(&ic.metadata, now)]
        }
        Object::Endpoints(ep) => vec![name(&ep.metadata), format_endpoints(ep, None), age(&ep.metadata, now)],
        Object::EndpointSlice(es) => {
            let mut ports: Vec<String> = Vec::new();
            let mut more = false;
            let mut count = 0;
            for p in es.ports.as_deref().unwrap_or(&[]) {
                if ports.len() < 3 {
                    ports.push(match (p.port, &p.name) {
                        (Some(n), _) => n.to_string(),
                        (None, Some(n)) => n.clone(),
                        _ => "*".to_string(),
                    });
                } else if ports.len() == 3 {
                    more = true;
                }
                count += 1;
            }
            let ports_s = list_with_more(ports, more, count, 3);
            let mut eps: Vec<String> = Vec::new();
            let mut more = false;
            let mut count = 0;
            for e in &es.endpoints {
                for a in &e.addresses {
                    if eps.len() < 3 {
                        eps.push(a.clone());
                    } else if eps.len() == 3 {
                        more = true;
                    }
                    count += 1;
                }
            }
            let eps_s = list_with_more(eps, more, count, 3);
            vec![name(&es.metadata), es.address_type.clone(), ports_s, eps_s, age(&es.metadata, now)]
        }
        Object::Node(n) => {
            let info = n.status.as_ref().and_then(|s| s.node_info.as_ref());
            let mut c = vec![
                name(&n.metadata),
                node_status(n),
                node_roles_string(&n.metadata),
                age(&n.metadata, now),
                info.map(|i| i.kubelet_version.clone()).unwrap_or_default(),
            ];
            if wide {
                let unk = |s: Option<&String>| s.filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| "<unknown>".to_string());
                c.extend([
                    node_address(n, "InternalIP"),
                    node_address(n, "ExternalIP"),
                    unk(info.map(|i| &i.os_image)),
                    unk(info.map(|i| &i.kernel_version)),
                    unk(info.map(|i| &i.container_runtime_version)),
                ]);
            }
            c
        }
        Object::Event(e) => {
            let first = match &e.first_timestamp {
                Some(t) => human_duration(now.signed_duration_since(t.0)),
                None => since(e.event_time.as_ref().map(|t| &t.0), now),
            };
            let mut last = match &e.last_timestamp {
                Some(t) => human_duration(now.signed_duration_since(t.0)),
                None => first.clone(),
            };
            let mut count = e.count.unwrap_or(0);
            if let Some(s) = &e.series {
                last = since(s.last_observed_time.as_ref().map(|t| &t.0), now);
                count = s.count.unwrap_or(0);
            } else if count == 0 {
                count = 1;
            }
            let io = &e.involved_object;
            let kind = io.kind.clone().unwrap_or_default().to_ascii_lowercase();
            let target = match io.name.as_ref().filter(|n| !n.is_empty()) {
                Some(n) => format!("{kind}/{n}"),
                None => kind,
            };
            let msg = e.message.clone().unwrap_or_default().trim().to_string();
            let ty = e.type_.clone().unwrap_or_default();
            let reason = e.reason.clone().unwrap_or_default();
            if wide {
                let comp = e
                    .source
                    .as_ref()
                    .and_then(|s| s.component.clone())
                    .filter(|s| !s.is_empty())
                    .or_else(|| e.reporting_component.clone())
                    .unwrap_or_default();
                let inst = e
                    .source
                    .as_ref()
                    .and_then(|s| s.host.clone())
                    .filter(|s| !s.is_empty())
                    .or_else(|| e.reporting_instance.clone())
                    .unwrap_or_default();
                let source = if inst.is_empty() { comp } else { format!("{comp}, {inst}") };
                vec![
                    last,
                    ty,
                    reason,
                    target,
                    io.field_path.clone().unwrap_or_default(),
                    source,
                    msg,
                    first,
                    count.to_string(),
                    name(&e.metadata),
                ]
            } else {
                vec![last, ty, reason, target, msg]
            }
        }
        Object::Namespace(ns) => vec![
            name(&ns.metadata),
            ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
            age(&ns.metadata, now),
        ],
        Object::Secret(s) => vec![
            name(&s.metadata),
            s.type_.clone().unwrap_or_default(),
            s.data.as_ref().map(|d| d.len()).unwrap_or(0).to_string(),
            age(&s.metadata, now),
        ],
        Object::ServiceAccount(sa) => vec![
            name(&sa.metadata),
            sa.secrets.as_ref().map(|s| s.len()).unwrap_or(0).to_string(),
            age(&sa.metadata, now),
        ],
        Object::PersistentVolume(pv) => {
            let spec = pv.spec.as_ref();
            let claim = spec
                .and_then(|s| s.claim_ref.as_ref())
                .map(|c| format!("{}/{}", c.namespace.clone().unwrap_or_default(), c.name.clone().unwrap_or_default()))
                .unwrap_or_default();
            let phase = if pv.metadata.deletion_timestamp.is_some() {
                "Terminating".to_string()
            } else {
                pv.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default()
            };
            vec![
                name(&pv.metadata),
                quantity_or_zero(spec.and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("storage"))),
                access_modes(spec.and_then(|s| s.access_modes.as_ref())),
                spec.and_then(|s| s.persistent_volume_reclaim_policy.clone()).unwrap_or_default(),
                phase,
                claim,
                pv_class(pv),
                spec.and_then(|s| s.volume_attributes_class_name.clone()).unwrap_or_else(|| "<unset>".to_string()),
                pv.status.as_ref().and_then(|s| s.reason.clone()).unwrap_or_default(),
                age(&pv.metadata, now),
                spec.and_then(|s| s.volume_mode.clone()).unwrap_or_else(|| "<unset>".to_string()),
            ]
        }
        Object::PersistentVolumeClaim(pvc) => {
            let spec = pvc.spec.as_ref();
            let phase = if pvc.metadata.deletion_timestamp.is_some() {
                "Terminating".to_string()
            } else {
                pvc.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default()
            };
            let volume = spec.and_then(|s| s.volume_name.clone()).unwrap_or_default();
            let (capacity, modes) = if !volume.is_empty() {
                let st = pvc.status.as_ref();
                (
                    quantity_or_zero(st.and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("storage"))),
                    access_modes(st.and_then(|s| s.access_modes.as_ref())),
                )
            } else {
                (String::new(), String::new())
            };
            vec![
                name(&pvc.metadata),
                phase,
                volume,
                capacity,
                modes,
                pvc_class(pvc),
                spec.and_then(|s| s.volume_attributes_class_name.clone()).unwrap_or_else(|| "<unset>".to_string()),
                age(&pvc.metadata, now),
                spec.and_then(|s| s.volume_mode.clone()).unwrap_or_else(|| "<unset>".to_string()),
            ]
        }
        Object::ConfigMap(cm) => vec![
            name(&cm.metadata),
            (cm.data.as_ref().map(|d| d.len()).unwrap_or(0) + cm.binary_data.as_ref().map(|d| d.len()).unwrap_or(0)).to_string(),
            age(&cm.metadata, now),
        ],
        Object::HorizontalPodAutoscaler(h) => {
            let spec = h.spec.as_ref();
            let reference = spec
                .map(|s| format!("{}/{}", s.scale_target_ref.kind, s.scale_target_ref.name))
                .unwrap_or_else(|| "/".to_string());
            vec![
                name(&h.metadata),
                reference,
                hpa_metrics(h),
                spec.and_then(|s| s.min_replicas).map(|m| m.to_string()).unwrap_or_else(|| "<unset>".to_string()),
                spec.map(|s| s.max_replicas).unwrap_or(0).to_string(),
                h.status.as_ref().and_then(|s| s.current_replicas).unwrap_or(0).to_string(),
                age(&h.metadata, now),
            ]
        }
        Object::StorageClass(sc) => {
            let mut n = name(&sc.metadata);
            if is_default_class(&sc.metadata) {
                n.push_str(" (default)");
            }
            vec![
                n,
                sc.provisioner.clone(),
                sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".to_string()),
                sc.volume_binding_mode.clone().unwrap_or_else(|| "Immediate".to_string()),
                sc.allow_volume_expansion.unwrap_or(false).to_string(),
                age(&sc.metadata, now),
            ]
        }
        Object::PriorityClass(pc) => {
            let mut c = vec![
                name(&pc.metadata),
                pc.value.to_string(),
                pc.global_default.unwrap_or(false).to_string(),
                age(&pc.metadata, now),
            ];
            if wide {
                c.push(pc.preemption_policy.clone().unwrap_or_default());
            }
            c
        }
        Object::PodDisruptionBudget(pdb) => {
            let spec = pdb.spec.as_ref();
            vec![
                name(&pdb.metadata),
                spec.and_then(|s| s.min_available.as_ref()).map(int_or_string).unwrap_or_else(|| "N/A".to_string()),
                spec.and_then(|s| s.max_unavailable.as_ref()).map(int_or_string).unwrap_or_else(|| "N/A".to_string()),
                pdb.status.as_ref().map(|s| s.disruptions_allowed).unwrap_or(0).to_string(),
                age(&pdb.metadata, now),
            ]
        }
        Object::ControllerRevision(cr) => {
            // `printControllerRevision`: the controller as `kind.group/name` (formatResourceName).
            let controller = match cr.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true)) {
                Some(r) => {
                    let group = r.api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
                    let gk = if group.is_empty() { r.kind.clone() } else { format!("{}.{group}", r.kind) };
                    if gk.is_empty() { r.name.clone() } else { format!("{}/{}", gk.to_ascii_lowercase(), r.name) }
                }
                None => "<none>".to_string(),
            };
            vec![name(&cr.metadata), controller, cr.revision.to_string(), age(&cr.metadata, now)]
        }
        Object::Lease(l) => vec![
            name(&l.metadata),
            l.spec.as_ref().and_then(|s| s.holder_identity.clone()).unwrap_or_default(),
            age(&l.metadata, now),
        ],
        Object::ResourceQuota(rq) => {
            let st = rq.status.as_ref();
            let hard = st.and_then(|s| s.hard.clone()).unwrap_or_default();
            let used = st.and_then(|s| s.used.clone()).unwrap_or_default();
            let mut req = Vec::new();
            let mut lim = Vec::new();
            for (res, h) in &hard {
                let u = quantity_or_zero(used.get(res));
                let entry = format!("{}: {}/{}", res, u, canonical_quantity(&h.0));
                let pieces: Vec<&str> = res.split('.').collect();
                if pieces.len() > 1 && pieces[0] == "limits" {
                    lim.push(entry);
                } else {
                    req.push(entry);
                }
            }
            vec![name(&rq.metadata), age(&rq.metadata, now), req.join(", "), lim.join(", ")]
        }
        Object::LimitRange(lr) => vec![
            name(&lr.metadata),
            lr.metadata.creation_timestamp.as_ref().map(|t| rfc3339(&t.0)).unwrap_or_else(|| "<unknown>".into()),
        ],
    }
}

/// The `-L` header: the upper-cased last path segment of the label key.
fn label_header(l: &str) -> String {
    l.rsplit('/').next().unwrap_or(l).to_ascii_uppercase()
}

/// Renders the `kubectl get` table for objects of one kind. Returns `""` when there are no
/// objects (kubectl prints no header then; the caller prints `No resources found ...` to stderr).
pub fn print_table(kind: Kind, objects: &[&Object], opts: &TableOptions, now: DateTime<Utc>) -> String {
    if objects.is_empty() {
        return String::new();
    }
    let with_ns = opts.with_namespace && kind.info().namespaced;
    let cols = columns(kind);
    let mut text = String::new();
    if !opts.no_headers {
        let mut headers: Vec<String> = Vec::new();
        if with_ns {
            headers.push("NAMESPACE".into());
        }
        headers.extend(cols.iter().filter(|c| opts.wide || !c.1).map(|c| c.0.to_string()));
        headers.extend(opts.label_columns.iter().map(|l| label_header(l)));
        if opts.show_labels {
            headers.push("LABELS".into());
        }
        text.push_str(&headers.join("\t"));
        text.push('\n');
    }
    // The column that holds the name (format "name"), for the `kind/name` prefix.
    let name_col = cols.iter().position(|c| c.0 == "NAME");
    for obj in objects {
        // The API server always generates the wide cells; the client hides priority columns.
        let row = cells(obj, true, now);
        let m = obj.metadata();
        let mut out: Vec<String> = Vec::new();
        if with_ns {
            out.push(m.namespace.clone().unwrap_or_default());
        }
        for (i, cell) in row.into_iter().enumerate() {
            let Some(col) = cols.get(i) else { break };
            if col.1 && !opts.wide {
                continue;
            }
            let mut cell = cell;
            if opts.with_kind && Some(i) == name_col {
                cell = format!("{}/{}", kind.info().singular_resource(), cell);
            }
            // kubectl truncates a cell at its first newline and appends "...".
            if let Some(nl) = cell.find('\n') {
                cell.truncate(nl);
                cell.push_str("...");
            }
            out.push(cell);
        }
        for l in &opts.label_columns {
            out.push(m.labels.as_ref().and_then(|ls| ls.get(l)).cloned().unwrap_or_default());
        }
        if opts.show_labels {
            out.push(format_labels(m.labels.as_ref()));
        }
        text.push_str(&out.join("\t"));
        text.push('\n');
    }
    super::tabwriter::table(&text)
}
