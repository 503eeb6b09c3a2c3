//! ConfigMaps and Secrets in pods, as the kubelet resolves them: environment variables
//! (`env` with `value`, `configMapKeyRef`, `secretKeyRef`, `fieldRef`, `resourceFieldRef`,
//! `$(VAR)` expansion; `envFrom` with prefixes; the Service link variables) and volume files
//! (keys or `items`, downwardAPI files). Missing objects or keys give the kubelet's messages,
//! which keep the container in `CreateContainerConfigError`.

use crate::vecmap::VecSet;
use crate::api::quantity::{parse_int, parse_milli};
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use k8s_openapi::api::core::v1::{ConfigMap, Container, KeyToPath, ObjectFieldSelector, Pod, ResourceFieldSelector, Secret};
use std::collections::BTreeMap;

fn config_map<'a>(api: &'a Api, ns: &str, name: &str) -> Option<&'a ConfigMap> {
    match api.store.get(&ObjectKey::new(Kind::ConfigMap, ns, name)).map(|o| &**o) {
        Some(Object::ConfigMap(c)) => Some(c),
        _ => None,
    }
}

fn secret<'a>(api: &'a Api, ns: &str, name: &str) -> Option<&'a Secret> {
    match api.store.get(&ObjectKey::new(Kind::Secret, ns, name)).map(|o| &**o) {
        Some(Object::Secret(s)) => Some(s),
        _ => None,
    }
}

/// A ConfigMap's keys and values (`data` and decoded `binaryData`).
pub fn config_map_data(cm: &ConfigMap) -> BTreeMap<String, String> {
    let mut out = cm.data.clone().unwrap_or_default();
    for (k, v) in cm.binary_data.iter().flatten() {
        out.insert(k.clone(), String::from_utf8_lossy(&v.0).into_owned());
    }
    out
}

/// A Secret's keys and decoded values (`stringData` merged, as admission does).
pub fn secret_data(s: &Secret) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = crate::sort::btree_map(s.data.iter().flatten().map(|(k, v)| (k.clone(), String::from_utf8_lossy(&v.0).into_owned())));
    for (k, v) in s.string_data.iter().flatten() {
        out.insert(k.clone(), v.clone());
    }
    out
}

fn project(data: BTreeMap<String, String>, items: Option<&[KeyToPath]>, kind: &str) -> Result<BTreeMap<String, String>, String> {
    match items {
        None => Ok(data),
        Some(items) => {
            let mut out = BTreeMap::new();
            for it in items {
                match data.get(&it.key) {
                    Some(v) => {
                        out.insert(it.path.clone(), v.clone());
                    }
                    None => return Err(format!("{kind} references non-existent config key: {}", it.key)),
                }
            }
            Ok(out)
        }
    }
}

/// The files of a ConfigMap volume (or the mount error).
pub fn config_map_files(api: &Api, ns: &str, name: &str, items: Option<&[KeyToPath]>, optional: bool) -> Result<BTreeMap<String, String>, String> {
    match config_map(api, ns, name) {
        Some(cm) => project(config_map_data(cm), items, "configmap"),
        None if optional => Ok(BTreeMap::new()),
        None => Err(format!("configmap \"{name}\" not found")),
    }
}

/// The files of a Secret volume (or the mount error).
pub fn secret_files(api: &Api, ns: &str, name: &str, items: Option<&[KeyToPath]>, optional: bool) -> Result<BTreeMap<String, String>, String> {
    match secret(api, ns, name) {
        Some(s) => project(secret_data(s), items, "secret"),
        None if optional => Ok(BTreeMap::new()),
        None => Err(format!("secret \"{name}\" not found")),
    }
}

fn quote_map(m: Option<&BTreeMap<String, String>>) -> String {
    m.into_iter().flatten().map(|(k, v)| format!("{k}=\"{v}\"")).collect::<Vec<_>>().join("\n")
}

/// The value of a downward API field or resource reference (`file`: labels/annotations as files).
pub fn downward_item(api: &Api, pod: &Pod, field: Option<&ObjectFieldSelector>, res: Option<&ResourceFieldSelector>, file: bool) -> String {
    if let Some(f) = field {
        return field_value(pod, &f.field_path, file);
    }
    if let Some(r) = res {
        let c = pod.spec.as_ref().and_then(|s| s.containers.iter().find(|c| Some(c.name.as_str()) == r.container_name.as_deref()).or(s.containers.first()));
        return c.map(|c| resource_value(api, pod, c, r)).unwrap_or_default();
    }
    String::new()
}

/// The value of a `fieldRef` path on a pod.
pub fn field_value(pod: &Pod, path: &str, file: bool) -> String {
    let m = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let st = pod.status.clone().unwrap_or_default();
    let sub = |p: &str, prefix: &str| -> Option<String> { p.strip_prefix(prefix)?.strip_suffix("']").map(str::to_string) };
    if let Some(k) = sub(path, "metadata.labels['") {
        return meta::label(m, &k).unwrap_or("").to_string();
    }
    if let Some(k) = sub(path, "metadata.annotations['") {
        return meta::annotation(m, &k).unwrap_or("").to_string();
    }
    match path {
        "metadata.name" => meta::name(m).to_string(),
        "metadata.namespace" => meta::namespace(m).to_string(),
        "metadata.uid" => meta::uid(m).to_string(),
        "metadata.labels" if file => quote_map(m.labels.as_ref()),
        "metadata.annotations" if file => quote_map(m.annotations.as_ref()),
        "spec.nodeName" => spec.node_name.unwrap_or_default(),
        "spec.serviceAccountName" => spec.service_account_name.unwrap_or_default(),
        "status.hostIP" => st.host_ip.unwrap_or_default(),
        "status.hostIPs" => st.host_ips.iter().flatten().map(|i| i.ip.clone()).collect::<Vec<_>>().join(","),
        "status.podIP" => st.pod_ip.unwrap_or_default(),
        "status.podIPs" => st.pod_ips.iter().flatten().map(|i| i.ip.clone()).collect::<Vec<_>>().join(","),
        _ => String::new(),
    }
}

/// The value of a `resourceFieldRef` (`limits.cpu` defaults to the node's allocatable), divided
/// by the divisor and rounded up as the kubelet does.
pub fn resource_value(api: &Api, pod: &Pod, c: &Container, r: &ResourceFieldSelector) -> String {
    let (kind, res) = r.resource.split_once('.').unwrap_or(("limits", r.resource.as_str()));
    let rr = c.resources.clone().unwrap_or_default();
    let map = if kind == "requests" { rr.requests } else { rr.limits };
    let cpu = res == "cpu";
    let parse = |s: &str| if cpu { parse_milli(s) } else { parse_int(s) };
    let val = map.as_ref().and_then(|m| m.get(res)).and_then(|q| parse(&q.0));
    let val = match val {
        Some(v) => v,
        None if kind == "limits" => {
            let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
            match api.store.get(&ObjectKey::new(Kind::Node, "", &node)).map(|o| &**o) {
                Some(Object::Node(n)) => n.status.as_ref().and_then(|s| s.allocatable.as_ref()).and_then(|a| a.get(res)).and_then(|q| parse(&q.0)).unwrap_or(0),
                _ => 0,
            }
        }
        None => 0,
    };
    let divisor = r.divisor.as_ref().and_then(|d| parse(&d.0)).filter(|d| *d > 0).unwrap_or(if cpu { 1000 } else { 1 });
    let out = (val + divisor - 1) / divisor;
    let out = if cpu && val > 0 { out.max(1) } else { out };
    out.to_string()
}

fn valid_env_name(k: &str) -> bool {
    !k.is_empty() && !k.starts_with(|c: char| c.is_ascii_digit()) && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

/// Expands `$(VAR)` references against the variables defined so far (`$$` escapes).
pub fn expand(s: &str, vars: &BTreeMap<String, String>) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            if b[i + 1] == b'$' {
                out.push('$');
                i += 2;
                continue;
            }
            if b[i + 1] == b'(' {
                if let Some(end) = s[i + 2..].find(')') {
                    let name = &s[i + 2..i + 2 + end];
                    match vars.get(name) {
                        Some(v) => out.push_str(v),
                        None => out.push_str(&s[i..i + 3 + end]),
                    }
                    i += 3 + end;
                    continue;
                }
            }
        }
        let ch = s[i..].chars().next().unwrap_or('\0');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
}

/// The container's environment from its spec: `envFrom` sources, then `env` entries (later
/// ones win), or the kubelet's error message for a missing ConfigMap/Secret/key.
pub fn container_env(api: &Api, pod: &Pod, c: &Container) -> Result<Vec<(String, String)>, String> {
    let ns = meta::namespace(&pod.metadata).to_string();
    let mut order: Vec<String> = Vec::new();
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    let set = |k: String, v: String, order: &mut Vec<String>, vars: &mut BTreeMap<String, String>| {
        if !vars.contains_key(&k) {
            order.push(k.clone());
        }
        vars.insert(k, v);
    };
    for ef in c.env_from.iter().flatten() {
        let prefix = ef.prefix.clone().unwrap_or_default();
        if let Some(r) = &ef.config_map_ref {
            match config_map(api, &ns, &r.name) {
                Some(cm) => {
                    for (k, v) in config_map_data(cm) {
                        let k = format!("{prefix}{k}");
                        if valid_env_name(&k) {
                            set(k, v, &mut order, &mut vars);
                        }
                    }
                }
                None if r.optional == Some(true) => {}
                None => return Err(format!("configmap \"{}\" not found", r.name)),
            }
        }
        if let Some(r) = &ef.secret_ref {
            match secret(api, &ns, &r.name) {
                Some(s) => {
                    for (k, v) in secret_data(s) {
                        let k = format!("{prefix}{k}");
                        if valid_env_name(&k) {
                            set(k, v, &mut order, &mut vars);
                        }
                    }
                }
                None if r.optional == Some(true) => {}
                None => return Err(format!("secret \"{}\" not found", r.name)),
            }
        }
    }
    for e in c.env.iter().flatten() {
        let value = if let Some(src) = &e.value_from {
            if let Some(r) = &src.config_map_key_ref {
                match config_map(api, &ns, &r.name) {
                    Some(cm) => match config_map_data(cm).get(&r.key) {
                        Some(v) => Some(v.clone()),
                        None if r.optional == Some(true) => None,
                        None => return Err(format!("couldn't find key {} in ConfigMap {ns}/{}", r.key, r.name)),
                    },
                    None if r.optional == Some(true) => None,
                    None => return Err(format!("configmap \"{}\" not found", r.name)),
                }
            } else if let Some(r) = &src.secret_key_ref {
                match secret(api, &ns, &r.name) {
                    Some(s) => match secret_data(s).get(&r.key) {
                        Some(v) => Some(v.clone()),
                        None if r.optional == Some(true) => None,
                        None => return Err(format!("couldn't find key {} in Secret {ns}/{}", r.key, r.name)),
                    },
                    None if r.optional == Some(true) => None,
                    None => return Err(format!("secret \"{}\" not found", r.name)),
                }
            } else if let Some(f) = &src.field_ref {
                Some(field_value(pod, &f.field_path, false))
            } else if let Some(r) = &src.resource_field_ref {
                let target = pod.spec.as_ref().and_then(|s| s.containers.iter().find(|x| Some(x.name.as_str()) == r.container_name.as_deref()).cloned()).unwrap_or_else(|| c.clone());
                Some(resource_value(api, pod, &target, r))
            } else {
                None
            }
        } else {
            Some(expand(e.value.as_deref().unwrap_or(""), &vars))
        };
        if let Some(v) = value {
            set(e.name.clone(), v, &mut order, &mut vars);
        }
    }
    Ok(order.into_iter().map(|k| {
        let v = vars.get(&k).cloned().unwrap_or_default();
        (k, v)
    }).collect())
}

/// The Service link variables (`NGINX_SERVICE_HOST`, `NGINX_PORT_80_TCP_ADDR`, ...) for a pod:
/// the `kubernetes` Service always, the pod's namespace's Services when `enableServiceLinks`.
pub fn service_env(api: &Api, pod: &Pod) -> Vec<(String, String)> {
    let ns = meta::namespace(&pod.metadata);
    let links = pod.spec.as_ref().and_then(|s| s.enable_service_links).unwrap_or(true);
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for o in api.store.list(Kind::Service) {
        let Object::Service(s) = &**o else { continue };
        let sns = meta::namespace(&s.metadata);
        let name = meta::name(&s.metadata);
        let master = sns == "default" && name == "kubernetes";
        if !(master || (links && sns == ns)) {
            continue;
        }
        let Some(spec) = s.spec.as_ref() else { continue };
        let Some(ip) = spec.cluster_ip.as_deref().filter(|ip| !ip.is_empty() && *ip != "None") else { continue };
        let prefix = name.to_ascii_uppercase().replace('-', "_");
        let ports = spec.ports.clone().unwrap_or_default();
        let Some(first) = ports.first() else { continue };
        out.insert(format!("{prefix}_SERVICE_HOST"), ip.to_string());
        out.insert(format!("{prefix}_SERVICE_PORT"), first.port.to_string());
        for p in &ports {
            let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            if let Some(n) = p.name.as_deref().filter(|n| !n.is_empty()) {
                out.insert(format!("{prefix}_SERVICE_PORT_{}", n.to_ascii_uppercase().replace('-', "_")), p.port.to_string());
            }
            let base = format!("{prefix}_PORT_{}_{}", p.port, proto.to_ascii_uppercase());
            let url = format!("{}://{ip}:{}", proto.to_ascii_lowercase(), p.port);
            out.insert(base.clone(), url);
            out.insert(format!("{base}_PROTO"), proto.to_ascii_lowercase());
            out.insert(format!("{base}_PORT"), p.port.to_string());
            out.insert(format!("{base}_ADDR"), ip.to_string());
        }
        out.insert(format!("{prefix}_PORT"), format!("{}://{ip}:{}", first.protocol.clone().unwrap_or_else(|| "TCP".into()).to_ascii_lowercase(), first.port));
    }
    out.into_iter().collect()
}

/// The environment variables baked into an image.
pub fn image_env(image: &str) -> Vec<(String, String)> {
    let (repo, tag) = crate::kubelet::images::split_image(image);
    let short = repo.rsplit('/').next().unwrap_or(&repo).to_string();
    match short.as_str() {
        "nginx" => vec![
            ("NGINX_VERSION".into(), if tag.starts_with("1.") { tag.split('-').next().unwrap_or("1.27.3").to_string() } else { "1.27.3".into() }),
            ("NJS_VERSION".into(), "0.8.9".into()),
            ("NJS_RELEASE".into(), "1~bookworm".into()),
            ("PKG_RELEASE".into(), "1~bookworm".into()),
            ("DYNPKG_RELEASE".into(), "1~bookworm".into()),
        ],
        "httpd" => vec![("HTTPD_PREFIX".into(), "/usr/local/apache2".into()), ("HTTPD_VERSION".into(), "2.4.62".into())],
        "redis" => vec![("REDIS_VERSION".into(), "7.4.1".into())],
        "python" => vec![("LANG".into(), "C.UTF-8".into()), ("PYTHON_VERSION".into(), "3.12.8".into())],
        _ => vec![],
    }
}

/// What `kubectl exec <pod> -- env` prints, in order: PATH, HOSTNAME, the container's own
/// variables, the Service links, the image's variables, HOME. Unresolvable references are left out.
pub fn pod_env(api: &Api, pod: &Pod, container: &Container) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![
        ("PATH".into(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()),
        ("HOSTNAME".into(), pod.spec.as_ref().and_then(|s| s.hostname.clone()).unwrap_or_else(|| meta::name(&pod.metadata).to_string())),
    ];
    let own = container_env(api, pod, container).unwrap_or_default();
    let mut seen: VecSet<String> = VecSet::from_iter(out.iter().map(|(k, _)| k.clone()));
    let mut push = |k: String, v: String, out: &mut Vec<(String, String)>| {
        if let Some(e) = out.iter_mut().find(|(x, _)| *x == k) {
            e.1 = v;
        } else {
            seen.insert(k.clone());
            out.push((k, v));
        }
    };
    for (k, v) in own.clone() {
        push(k, v, &mut out);
    }
    for (k, v) in service_env(api, pod) {
        if !own.iter().any(|(o, _)| *o == k) {
            push(k, v, &mut out);
        }
    }
    for (k, v) in image_env(container.image.as_deref().unwrap_or("")) {
        if !own.iter().any(|(o, _)| *o == k) {
            push(k, v, &mut out);
        }
    }
    if !out.iter().any(|(k, _)| k == "HOME") {
        out.push(("HOME".into(), "/root".into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion() {
        let mut v = BTreeMap::new();
        v.insert("A".to_string(), "x".to_string());
        assert_eq!(expand("$(A)-$(B)-$$(A)", &v), "x-$(B)-$(A)");
    }
}
