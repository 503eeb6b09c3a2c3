//! `kubectl logs`: picking the pod (for `deploy/x`), the container (with kubectl's
//! "Defaulted container" notice), `--previous`, `--tail`, `-f`, `--all-containers`,
//! `--timestamps`, `--since` and `--since-time` (the kubelet keeps when each line was written).

use super::{namespace, parse_flags};
use crate::flags::{b, d, i, s, Flag};
use crate::shell::{Out, Shell};
use crate::watch::{Watch, WatchKind};
use k8s_openapi::api::core::v1::Pod;
use pilothouse_engine::api::{Kind, Object, ObjectKey};
use pilothouse_engine::selector::Selector;

const LOGS_FLAGS: &[Flag] = &[
    s("container", Some('c')),
    b("previous", Some('p')),
    i("tail", None),
    b("follow", Some('f')),
    b("all-containers", None),
    b("all-pods", None),
    b("timestamps", None),
    d("since"),
    s("since-time", None),
    s("selector", Some('l')),
    b("prefix", None),
    i("max-log-requests", None),
    i("limit-bytes", None),
    b("ignore-errors", None),
    s("pod-running-timeout", None),
    b("insecure-skip-tls-verify-backend", None),
];

/// The pod a `TYPE/NAME` (or a pod name) refers to for logs/exec/port-forward; prints
/// `Found N pods, using pod/x` to stderr like kubectl when there is a choice. `for_logs`:
/// word a missing object as `kubectl logs` does (its own helper: `error: error from server
/// (NotFound): ... in namespace "default"`); exec and port-forward print the API error.
pub fn pod_for(sh: &Shell, out: &mut Out, ns: &str, arg: &str, for_logs: bool) -> Option<Pod> {
    let (kind, name) = match arg.split_once('/') {
        Some((t, n)) => match super::lookup_kinds(t) {
            Ok(k) if k.len() == 1 => (k[0], n.to_string()),
            Ok(_) => {
                out.fail("cannot attach to all: selector for all not implemented");
                return None;
            }
            Err(e) => {
                out.fail(e);
                return None;
            }
        },
        None => (Kind::Pod, arg.to_string()),
    };
    let key = ObjectKey::new(kind, ns, &name);
    let Some(obj) = sh.cluster.get(&key) else {
        let e = pilothouse_engine::ApiError::not_found(kind, &name);
        if for_logs {
            out.errln(format!("error: error from server (NotFound): {e} in namespace \"{ns}\""));
        } else {
            out.errln(e.kubectl_message());
        }
        out.code = 1;
        return None;
    };
    if let Object::Pod(p) = &*obj {
        return Some(p.clone());
    }
    let v = obj.to_json();
    let selector: Option<Selector> = match kind {
        Kind::Service => {
            let m = v.pointer("/spec/selector").and_then(|s| s.as_object()).cloned().unwrap_or_default();
            let text = m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect::<Vec<_>>().join(",");
            Selector::parse(&text).ok()
        }
        _ => {
            let sel: k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector =
                pilothouse_engine::api::typed_from_json(v.pointer("/spec/selector").cloned().unwrap_or_default()).unwrap_or_default();
            Selector::parse(&pilothouse_engine::selector::format_label_selector(&sel)).ok()
        }
    };
    let Some(sel) = selector.filter(|s| !s.is_empty()) else {
        out.fail(format!("cannot attach to {}: selector for {} not implemented", kind, kind));
        return None;
    };
    let mut pods: Vec<Pod> = sh
        .cluster
        .list(Kind::Pod, Some(ns))
        .into_iter()
        .filter_map(|o| match &*o {
            Object::Pod(p) if sel.matches(&p.metadata.labels.clone().unwrap_or_default()) && p.metadata.deletion_timestamp.is_none() => Some(p.clone()),
            _ => None,
        })
        .collect();
    if pods.is_empty() {
        out.fail("timed out waiting for the condition");
        return None;
    }
    // kubectl's GetFirstPod over the pods as listed (by name): `logs` sorts them with
    // podutils.ByLogging, exec/port-forward with sort.Reverse(podutils.ActivePods). Both put
    // assigned, running, ready pods first, ready longest first, older first; they differ on
    // the phase rank and on restarts (logs: more restarts first). A stable sort, as Go's
    // insertion sort is for the handful of pods a selector gives.
    pilothouse_engine::sort::sort_by_key(&mut pods, |p| first_pod_key(p, for_logs));
    if pods.len() > 1 {
        out.errln(format!("Found {} pods, using pod/{}", pods.len(), pods[0].metadata.name.clone().unwrap_or_default()));
    }
    Some(pods[0].clone())
}

/// The sort key of [`pod_for`]'s choice (smallest first).
/// (unassigned, phase rank, not ready, ready time, restarts, creation time); times as
/// (missing, seconds) so that a missing time sorts last.
type FirstPodKey = (bool, u8, bool, (bool, i64), (i64, i64), (bool, i64));

fn first_pod_key(p: &Pod, for_logs: bool) -> FirstPodKey {
    let st = p.status.as_ref();
    let phase = st.and_then(|s| s.phase.as_deref()).unwrap_or_default();
    // Go's map lookup gives 0 for a phase the map does not name.
    let rank = if for_logs {
        match phase {
            "Unknown" => 1,
            "Pending" => 2,
            _ => 0,
        }
    } else {
        match phase {
            "Running" => 0,
            "Unknown" => 1,
            _ => 2,
        }
    };
    let ready = pilothouse_engine::controllers::pod_is_ready(p);
    // Times as the API serves them (whole seconds); a missing time sorts last.
    let time = |t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| t.map_or((true, 0), |t| (false, t.0.timestamp()));
    let ready_time = if ready {
        time(st.and_then(|s| s.conditions.as_ref()).and_then(|cs| cs.iter().find(|c| c.type_ == "Ready" && c.status == "True")).and_then(|c| c.last_transition_time.as_ref()))
    } else {
        (false, 0)
    };
    let sidecars: Vec<&str> = p.spec.as_ref().and_then(|s| s.init_containers.as_ref()).map(|cs| cs.iter().filter(|c| c.restart_policy.as_deref() == Some("Always")).map(|c| c.name.as_str()).collect()).unwrap_or_default();
    let max = |list: Option<&Vec<k8s_openapi::api::core::v1::ContainerStatus>>, only: Option<&[&str]>| {
        list.map(|l| l.iter().filter(|c| only.is_none_or(|o| o.contains(&c.name.as_str()))).map(|c| i64::from(c.restart_count)).max().unwrap_or(0)).unwrap_or(0)
    };
    // Regular containers' restarts first, then sidecars' (compareMaxContainerRestarts).
    let (regular, sidecar) = (max(st.and_then(|s| s.container_statuses.as_ref()), None), max(st.and_then(|s| s.init_container_statuses.as_ref()), Some(&sidecars)));
    let unassigned = p.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_none_or(str::is_empty);
    let restarts = if for_logs { (-regular, -sidecar) } else { (regular, sidecar) };
    (unassigned, rank, !ready, ready_time, restarts, time(p.metadata.creation_timestamp.as_ref()))
}

/// The containers of a pod: (name, is_init).
pub fn containers(p: &Pod) -> Vec<(String, bool)> {
    let spec = p.spec.clone().unwrap_or_default();
    let mut v: Vec<(String, bool)> = spec.containers.iter().map(|c| (c.name.clone(), false)).collect();
    v.extend(spec.init_containers.unwrap_or_default().iter().map(|c| (c.name.clone(), true)));
    v
}

/// Chooses the container for logs/exec: `-c`, the default-container annotation, or the first
/// one with kubectl's notice on stderr.
pub fn choose_container(out: &mut Out, p: &Pod, wanted: Option<&str>, quiet: bool) -> Option<String> {
    let all = containers(p);
    let pod_name = p.metadata.name.clone().unwrap_or_default();
    if let Some(w) = wanted {
        if all.iter().any(|(n, _)| n == w) {
            return Some(w.to_string());
        }
        out.fail(format!("container {w} is not valid for pod {pod_name}"));
        return None;
    }
    let regular: Vec<&(String, bool)> = all.iter().filter(|c| !c.1).collect();
    if all.len() == 1 {
        return Some(all[0].0.clone());
    }
    let default = p.metadata.annotations.as_ref().and_then(|a| a.get("kubectl.kubernetes.io/default-container")).cloned();
    let chosen = default.filter(|d| all.iter().any(|(n, _)| n == d)).or_else(|| regular.first().map(|c| c.0.clone()))?;
    if !quiet {
        let names: Vec<String> = all.iter().map(|(n, init)| if *init { format!("{n} (init)") } else { n.clone() }).collect();
        out.errln(format!("Defaulted container \"{chosen}\" out of: {}", names.join(", ")));
    }
    Some(chosen)
}

/// Why a container has no logs yet (`ContainerCreating`, image pull errors).
fn waiting_reason(p: &Pod, c: &str) -> Option<String> {
    let st = p.status.as_ref()?;
    let all = st.container_statuses.iter().flatten().chain(st.init_container_statuses.iter().flatten());
    for cs in all {
        if cs.name == c {
            if let Some(w) = cs.state.as_ref().and_then(|s| s.waiting.as_ref()) {
                let r = w.reason.clone().unwrap_or_default();
                return Some(match r.as_str() {
                    "ErrImagePull" => "image can't be pulled".into(),
                    "ImagePullBackOff" => "trying and failing to pull image".into(),
                    "" => "ContainerCreating".into(),
                    other => other.to_string(),
                });
            }
            return None;
        }
    }
    Some("ContainerCreating".into())
}

/// The kubelet's `--timestamps` prefix: RFC 3339 with nine fixed fractional digits.
pub fn log_timestamp(epoch: chrono::DateTime<chrono::Utc>, ms: u64) -> String {
    pilothouse_engine::util::format_time(&(epoch + chrono::Duration::milliseconds(ms as i64)), "%Y-%m-%dT%H:%M:%S%.9fZ")
}

/// `kubectl logs`.
pub fn logs(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl logs", args, LOGS_FLAGS) else { return };
    let ns = namespace(sh, &p);
    let since_time = match p.get("since-time") {
        Some(t) => match pilothouse_engine::api::gotime::parse_rfc3339(t) {
            Ok(t) => Some(t),
            Err(e) => return out.fail(e),
        },
        None => None,
    };
    // kubectl sends whole seconds, rounded up.
    let since_secs = p.duration_ms("since").filter(|ms| *ms > 0).map(|ms| ms.div_ceil(1000));
    if since_time.is_some() && since_secs.is_some() {
        return out.fail("at most one of `sinceTime` or `sinceSeconds` may be specified");
    }
    // The kubelet drops lines written before this instant (virtual ms).
    let now_ms = sh.cluster.now_ms();
    let epoch = pilothouse_engine::clock::epoch();
    let cutoff: Option<u64> = match (since_secs, since_time) {
        (Some(s), _) => Some(now_ms.saturating_sub(s * 1000)),
        (_, Some(t)) => Some((t - epoch).num_milliseconds().max(0) as u64),
        _ => None,
    };
    let timestamps = p.bool("timestamps");
    let mut pods: Vec<Pod> = Vec::new();
    let prefix = p.bool("prefix");
    if let Some(sel) = p.get("selector") {
        let sel = match Selector::parse(sel) {
            Ok(s) => s,
            Err(e) => return out.fail(e),
        };
        for o in super::list_filtered(&sh.cluster, Kind::Pod, Some(&ns.ns), Some(&sel), &[]) {
            if let Object::Pod(pd) = &*o {
                pods.push(pd.clone());
            }
        }
        if pods.is_empty() {
            out.errln(format!("No resources found in {} namespace.", ns.ns));
            return;
        }
    } else {
        if p.args.is_empty() {
            return out.fail("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples");
        }
        if p.args.len() > 2 {
            return out.fail("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples");
        }
        let Some(pd) = pod_for(sh, out, &ns.ns, &p.args[0], true) else { return };
        pods.push(pd);
    }
    let wanted = p.get("container").map(str::to_string).or_else(|| p.args.get(1).cloned());
    let all_containers = p.bool("all-containers");
    for pd in pods {
        let pod_name = pd.metadata.name.clone().unwrap_or_default();
        let key = ObjectKey::new(Kind::Pod, &ns.ns, &pod_name);
        let names: Vec<String> = if all_containers {
            let mut v: Vec<(String, bool)> = containers(&pd);
            pilothouse_engine::sort::sort_by_key(&mut v, |c| !c.1);
            v.into_iter().map(|c| c.0).collect()
        } else {
            match choose_container(out, &pd, wanted.as_deref(), false) {
                Some(c) => vec![c],
                None => return,
            }
        };
        for c in &names {
            let previous = p.bool("previous");
            let lines = sh.cluster.kubelets.logs(&key, c, previous).map(|l| l.to_vec());
            let times: Vec<u64> = sh.cluster.kubelets.log_times(&key, c, previous).map(|t| t.to_vec()).unwrap_or_default();
            let Some(mut lines) = lines.filter(|l| !(previous && l.is_empty())) else {
                if previous {
                    out.errln(format!("Error from server (BadRequest): previous terminated container \"{c}\" in pod \"{pod_name}\" not found"));
                } else {
                    let reason = waiting_reason(&pd, c).unwrap_or_else(|| "ContainerCreating".into());
                    out.errln(format!("Error from server (BadRequest): container \"{c}\" in pod \"{pod_name}\" is waiting to start: {reason}"));
                }
                out.code = 1;
                return;
            };
            if lines.is_empty() && !previous && !sh.cluster.kubelets.is_running(&key, c) {
                if let Some(reason) = waiting_reason(&pd, c) {
                    out.errln(format!("Error from server (BadRequest): container \"{c}\" in pod \"{pod_name}\" is waiting to start: {reason}"));
                    out.code = 1;
                    return;
                }
            }
            // Each line with the time it was written (a line without one counts as now).
            let mut stamped: Vec<(u64, String)> = lines.drain(..).enumerate().map(|(i, l)| (times.get(i).copied().unwrap_or(now_ms), l)).collect();
            if let Some(cut) = cutoff {
                stamped.retain(|(t, _)| *t >= cut);
            }
            if let Some(t) = p.int("tail").filter(|t| *t >= 0) {
                let t = t as usize;
                if stamped.len() > t {
                    stamped = stamped.split_off(stamped.len() - t);
                }
            }
            let lines: Vec<String> = stamped
                .into_iter()
                .map(|(t, l)| if timestamps { format!("{} {l}", log_timestamp(epoch, t)) } else { l })
                .collect();
            if p.bool("follow") && !previous {
                let total = sh.cluster.kubelets.logs(&key, c, false).map(|l| l.len()).unwrap_or(0);
                let skip = total - lines.len();
                let w = Watch {
                    kind: WatchKind::Logs { pod: key.clone(), containers: vec![c.clone()], printed: vec![skip], prefix, timestamps },
                    cursor: sh.cluster.api.store.next_seq(),
                    done: false,
                    code: 0,
                };
                crate::watch::start(sh, w, out);
                continue;
            }
            for l in lines {
                if prefix {
                    out.out(format!("[pod/{pod_name}/{c}] "));
                }
                out.outln(l);
            }
        }
    }
}
