//! Evaluating a step's checks against the live cluster and the terminal history. Each result
//! carries a learner-facing reason when it fails ("2 of 4 pods Ready").

use crate::schema::Check;
use pilothouse_engine::api::meta;
use pilothouse_engine::network::Origin;
use pilothouse_engine::selector::Selector;
use pilothouse_engine::{Cluster, Kind, Object, ObjectKey};
use serde::Serialize;
use serde_json::Value;

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Whether it holds.
    pub ok: bool,
    /// Why not (English; cluster facts are not translated, as in Kubernetes).
    pub detail: String,
}

fn pass() -> CheckResult {
    CheckResult { ok: true, detail: String::new() }
}

fn fail(detail: impl Into<String>) -> CheckResult {
    CheckResult { ok: false, detail: detail.into() }
}

fn kind_of(name: &str) -> Option<Kind> {
    Kind::lookup(name)
}

fn ns(n: &Option<String>) -> &str {
    n.as_deref().unwrap_or("default")
}

/// `*` wildcard matching.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Follows a dotted path with `[n]` indexes into a JSON value.
pub fn at_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, idx) = match part.find('[') {
            Some(i) => (&part[..i], Some(&part[i..])),
            None => (part, None),
        };
        if !name.is_empty() {
            cur = cur.get(name)?;
        }
        if let Some(idx) = idx {
            for n in idx.split(['[', ']']).filter(|s| !s.is_empty()) {
                cur = cur.get(n.parse::<usize>().ok()?)?;
            }
        }
    }
    Some(cur)
}

fn loose_eq(a: &Value, b: &serde_yaml::Value) -> bool {
    let b = pilothouse_engine::api::to_json_value(b).unwrap_or(Value::Null);
    if *a == b {
        return true;
    }
    let s = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    s(a) == s(&b)
}

fn pods(c: &Cluster, namespace: &str, selector: &str) -> Result<Vec<std::sync::Arc<Object>>, String> {
    let sel = Selector::parse(selector)?;
    Ok(c.list(Kind::Pod, Some(namespace))
        .into_iter()
        .filter(|o| sel.matches(o.metadata().labels.as_ref().unwrap_or(&Default::default())) && o.metadata().deletion_timestamp.is_none())
        .collect())
}

fn pod_ready(p: &k8s_openapi::api::core::v1::Pod) -> bool {
    p.status.as_ref().and_then(|s| s.conditions.as_ref()).is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Evaluates one check. `history` is every command line the learner ran.
pub fn evaluate(check: &Check, cluster: &Cluster, history: &[String]) -> CheckResult {
    match check {
        Check::Exists { kind, name, namespace, .. } | Check::Absent { kind, name, namespace, .. } => {
            let Some(k) = kind_of(kind) else { return fail(format!("unknown kind {kind}")) };
            let exists = cluster.get(&ObjectKey::new(k, ns(namespace), name)).is_some_and(|o| o.metadata().deletion_timestamp.is_none());
            let want = matches!(check, Check::Exists { .. });
            match (exists, want) {
                (true, true) | (false, false) => pass(),
                (false, true) => fail(format!("{} \"{name}\" not found", k.info().resource_name())),
                (true, false) => fail(format!("{} \"{name}\" still exists", k.info().resource_name())),
            }
        }
        Check::Field { kind, name, namespace, path, equals, matches, .. } => {
            let Some(k) = kind_of(kind) else { return fail(format!("unknown kind {kind}")) };
            let Some(obj) = cluster.get(&ObjectKey::new(k, ns(namespace), name)) else {
                return fail(format!("{} \"{name}\" not found", k.info().resource_name()));
            };
            let json = obj.to_json();
            let Some(v) = at_path(&json, path) else { return fail(format!("{path} is not set")) };
            if let Some(e) = equals {
                if !loose_eq(v, e) {
                    let shown = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    return fail(format!("{path} is {shown}"));
                }
            }
            if let Some(m) = matches {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if !glob(m, &text) {
                    return fail(format!("{path} is {text}"));
                }
            }
            pass()
        }
        Check::Pods { selector, namespace, phase, ready, image, count, min, .. } => {
            let all = match pods(cluster, ns(namespace), selector) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let good = all
                .iter()
                .filter_map(|o| o.as_pod())
                .filter(|p| phase.as_ref().is_none_or(|ph| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some(ph.as_str())))
                .filter(|p| ready.is_none_or(|r| pod_ready(p) == r))
                .filter(|p| image.as_ref().is_none_or(|i| p.spec.as_ref().and_then(|s| s.containers.first()).and_then(|c| c.image.as_deref()) == Some(i.as_str())))
                .count();
            let what = match (phase, ready) {
                (_, Some(true)) => "Ready".to_string(),
                (_, Some(false)) => "not Ready".to_string(),
                (Some(ph), None) => ph.clone(),
                (None, None) => "matching".to_string(),
            };
            if let Some(n) = count {
                if good != *n || (phase.is_none() && ready.is_none() && all.len() != *n) {
                    return fail(format!("{good} of {} pods {what}, want {n}", all.len()));
                }
            }
            if let Some(n) = min {
                if good < *n {
                    return fail(format!("{good} of {} pods {what}, want at least {n}", all.len()));
                }
            }
            if count.is_none() && min.is_none() && (all.is_empty() || good != all.len()) {
                return fail(format!("{good} of {} pods {what}", all.len()));
            }
            pass()
        }
        Check::Scheduled { selector, namespace, node_labels, node, not_node, distinct_nodes, min, .. } => {
            let all = match pods(cluster, ns(namespace), selector) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            if all.is_empty() {
                return fail("no pods match");
            }
            let mut seen = std::collections::BTreeSet::new();
            let mut placed = 0;
            for o in &all {
                let Some(p) = o.as_pod() else { continue };
                let pname = meta::name(&p.metadata);
                let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.clone()) else {
                    return fail(format!("pod {pname} is not scheduled"));
                };
                if node.as_ref().is_some_and(|want| *want != n) {
                    return fail(format!("pod {pname} runs on {n}"));
                }
                if not_node.as_ref().is_some_and(|bad| *bad == n) {
                    return fail(format!("pod {pname} runs on {n}"));
                }
                if !node_labels.is_empty() {
                    let labels = cluster.get(&ObjectKey::new(Kind::Node, "", &n)).and_then(|o| o.metadata().labels.clone()).unwrap_or_default();
                    if !node_labels.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                        return fail(format!("pod {pname} runs on {n}, which lacks the labels"));
                    }
                }
                if *distinct_nodes && !seen.insert(n.clone()) {
                    return fail(format!("two pods share node {n}"));
                }
                placed += 1;
            }
            if min.is_some_and(|m| placed < m) {
                return fail(format!("{placed} pods placed, want at least {}", min.unwrap_or(0)));
            }
            pass()
        }
        Check::RolledOut { deployment, namespace, image, replicas, .. } => {
            let Some(Object::Deployment(d)) = cluster.get(&ObjectKey::new(Kind::Deployment, ns(namespace), deployment)).as_deref().cloned() else {
                return fail(format!("deployments.apps \"{deployment}\" not found"));
            };
            let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            if replicas.is_some_and(|r| r != want) {
                return fail(format!("spec.replicas is {want}"));
            }
            if let Some(i) = image {
                let cur = d.spec.as_ref().and_then(|s| s.template.spec.as_ref()).and_then(|s| s.containers.first()).and_then(|c| c.image.clone()).unwrap_or_default();
                if cur != *i {
                    return fail(format!("the template runs {cur}"));
                }
            }
            let st = d.status.clone().unwrap_or_default();
            let observed = st.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0);
            let (updated, available, total) = (st.updated_replicas.unwrap_or(0), st.available_replicas.unwrap_or(0), st.replicas.unwrap_or(0));
            if observed && updated == want && available == want && total == want {
                pass()
            } else {
                fail(format!("{updated} of {want} updated replicas are available ({available} available, {total} total)"))
            }
        }
        Check::PvcBound { name, namespace, volume, capacity, storage_class, .. } => {
            let Some(Object::PersistentVolumeClaim(c)) = cluster.get(&ObjectKey::new(Kind::PersistentVolumeClaim, ns(namespace), name)).as_deref().cloned() else {
                return fail(format!("persistentvolumeclaims \"{name}\" not found"));
            };
            let phase = c.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
            if phase != "Bound" {
                return fail(format!("the claim is {}", if phase.is_empty() { "Pending" } else { &phase }));
            }
            let pv_name = c.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
            if volume.as_ref().is_some_and(|v| *v != pv_name) {
                return fail(format!("bound to {pv_name}"));
            }
            let Some(Object::PersistentVolume(pv)) = cluster.get(&ObjectKey::new(Kind::PersistentVolume, "", &pv_name)).as_deref().cloned() else {
                return fail(format!("persistentvolumes \"{pv_name}\" not found"));
            };
            if let Some(cap) = capacity {
                let have = pv.spec.as_ref().and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("storage")).map(|q| q.0.clone()).unwrap_or_default();
                if have != *cap {
                    return fail(format!("bound to {pv_name} of {have}"));
                }
            }
            if let Some(sc) = storage_class {
                let have = pv.spec.as_ref().and_then(|s| s.storage_class_name.clone()).unwrap_or_default();
                if have != *sc {
                    return fail(format!("bound to {pv_name} of class \"{have}\""));
                }
            }
            pass()
        }
        Check::Event { reason, object, message, namespace, .. } => {
            let found = cluster.list(Kind::Event, namespace.as_deref().or(Some("default"))).into_iter().any(|o| match &*o {
                Object::Event(e) => {
                    e.reason.as_deref() == Some(reason.as_str())
                        && object.as_ref().is_none_or(|p| e.involved_object.name.as_deref().unwrap_or("").starts_with(p.as_str()))
                        && message.as_ref().is_none_or(|m| e.message.as_deref().unwrap_or("").contains(m.as_str()))
                }
                _ => false,
            });
            if found {
                pass()
            } else {
                fail(format!("no {reason} event yet"))
            }
        }
        Check::Command { patterns, .. } => {
            let ran = history.iter().any(|h| {
                let norm = h.split_whitespace().collect::<Vec<_>>().join(" ");
                patterns.iter().any(|p| glob(p, &norm))
            });
            if ran {
                pass()
            } else {
                fail(format!("run `{}`", patterns.first().cloned().unwrap_or_default()))
            }
        }
        Check::Http { url, contains, .. } => {
            // A copy answers, so checking does not add requests to the pods' logs.
            let mut probe = cluster.clone();
            match probe.http_get(Origin::Host, url) {
                Ok(r) => {
                    if contains.as_ref().is_none_or(|c| r.body.contains(c.as_str())) {
                        pass()
                    } else {
                        fail(format!("{url} answered {} without the expected text", r.status))
                    }
                }
                Err(e) => fail(e.to_string()),
            }
        }
        Check::Node { name, ready, unschedulable, taint, no_taint, label, .. } => {
            let Some(Object::Node(n)) = cluster.get(&ObjectKey::new(Kind::Node, "", name)).as_deref().cloned() else {
                return fail(format!("nodes \"{name}\" not found"));
            };
            if let Some(r) = ready {
                let is = n.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|c| c.iter().find(|c| c.type_ == "Ready")).is_some_and(|c| c.status == "True");
                if is != *r {
                    return fail(format!("node {name} is {}", if is { "Ready" } else { "NotReady" }));
                }
            }
            if let Some(u) = unschedulable {
                let is = n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
                if is != *u {
                    return fail(format!("node {name} is {}cordoned", if is { "" } else { "not " }));
                }
            }
            let taints = n.spec.as_ref().and_then(|s| s.taints.clone()).unwrap_or_default();
            let has = |spec: &str| {
                let (kv, effect) = spec.rsplit_once(':').unwrap_or((spec, ""));
                let (k, v) = kv.split_once('=').map(|(k, v)| (k, Some(v))).unwrap_or((kv, None));
                taints.iter().any(|t| t.key == k && (effect.is_empty() || t.effect == effect) && v.is_none_or(|v| t.value.as_deref().unwrap_or("") == v))
            };
            if let Some(t) = taint {
                if !has(t) {
                    return fail(format!("node {name} has no taint {t}"));
                }
            }
            if let Some(t) = no_taint {
                if has(t) {
                    return fail(format!("node {name} still has taint {t}"));
                }
            }
            if let Some(l) = label {
                let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
                if n.metadata.labels.as_ref().and_then(|m| m.get(k)).map(String::as_str) != Some(v) {
                    return fail(format!("node {name} has no label {l}"));
                }
            }
            pass()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("kubectl get events*", "kubectl get events -A"));
        assert!(glob("kubectl * pods", "kubectl get pods"));
        assert!(!glob("kubectl get pods", "kubectl get pod"));
        assert!(glob("*", ""));
    }

    #[test]
    fn paths() {
        let v: Value = serde_json::json!({"spec": {"containers": [{"image": "nginx"}]}});
        assert_eq!(at_path(&v, "spec.containers[0].image"), Some(&Value::String("nginx".into())));
        assert_eq!(at_path(&v, "spec.containers[1].image"), None);
    }
}
