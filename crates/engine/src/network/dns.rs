//! Cluster DNS as CoreDNS's `kubernetes` plugin answers it in minikube (`cluster.local`):
//! `<svc>.<ns>.svc.cluster.local` is the ClusterIP (a headless Service's ready pod IPs, an
//! ExternalName's CNAME), `<hostname>.<svc>.<ns>.svc.cluster.local` a pod with that hostname and
//! subdomain, `a-b-c-d.<ns>.pod.cluster.local` the pod IP, and `host.minikube.internal` the host.
//! A pod's resolver tries its search path (`<ns>.svc.cluster.local svc.cluster.local
//! cluster.local`, `ndots:5`) first. The host resolves none of these.

use crate::api::{Kind, Object, ObjectKey};
use crate::apiserver::Api;
use crate::network::endpoints::is_headless;

/// The cluster domain.
pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// The kube-dns Service IP.
pub const DNS_IP: &str = "10.96.0.10";

/// What a name resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsAnswer {
    /// A records for the fully qualified name.
    A {
        /// The fully qualified name that answered.
        name: String,
        /// The addresses, sorted.
        ips: Vec<String>,
    },
    /// A CNAME (ExternalName Service) to an outside name.
    Cname {
        /// The fully qualified name that answered.
        name: String,
        /// The canonical name.
        target: String,
    },
}

/// The names a pod's resolver tries for `name`, in order (search path, `ndots:5`).
pub fn candidates(name: &str, namespace: Option<&str>) -> Vec<String> {
    let name = name.trim();
    if let Some(abs) = name.strip_suffix('.') {
        return vec![abs.to_ascii_lowercase()];
    }
    let name = name.to_ascii_lowercase();
    let Some(ns) = namespace else { return vec![name] };
    let search = [format!("{ns}.svc.{CLUSTER_DOMAIN}"), format!("svc.{CLUSTER_DOMAIN}"), CLUSTER_DOMAIN.to_string()];
    let dots = name.matches('.').count();
    let mut out = Vec::new();
    if dots >= 5 {
        out.push(name.clone());
    }
    for s in &search {
        out.push(format!("{name}.{s}"));
    }
    if dots < 5 {
        out.push(name);
    }
    out
}

/// Resolves a name as a pod in `namespace` would (`None`: as the host, which knows no cluster names).
pub fn resolve(api: &Api, namespace: Option<&str>, name: &str) -> Option<DnsAnswer> {
    if namespace.is_none() {
        let n = name.trim_end_matches('.');
        return (n == "localhost").then(|| DnsAnswer::A { name: n.into(), ips: vec!["127.0.0.1".into()] });
    }
    candidates(name, namespace).into_iter().find_map(|fqdn| lookup(api, &fqdn))
}

/// Answers one fully qualified name from the cluster's objects (CoreDNS's view).
pub fn lookup(api: &Api, fqdn: &str) -> Option<DnsAnswer> {
    let fqdn = fqdn.trim_end_matches('.').to_ascii_lowercase();
    if fqdn == "host.minikube.internal" {
        return Some(DnsAnswer::A { name: fqdn, ips: vec!["192.168.49.1".into()] });
    }
    let rest = fqdn.strip_suffix(&format!(".{CLUSTER_DOMAIN}"))?;
    let labels: Vec<&str> = rest.split('.').collect();
    match labels.as_slice() {
        [svc, ns, "svc"] => service_answer(api, ns, svc, &fqdn),
        [host, svc, ns, "svc"] => {
            let ips = endpoint_ips(api, ns, svc, |addr| addr.hostname.as_deref() == Some(host) || addr.ip.replace('.', "-") == *host);
            (!ips.is_empty()).then(|| DnsAnswer::A { name: fqdn.clone(), ips })
        }
        [ip, ns, "pod"] => {
            let parts: Vec<&str> = ip.split('-').collect();
            let _ = api.store.get(&ObjectKey::new(Kind::Namespace, "", ns))?;
            (parts.len() == 4 && parts.iter().all(|p| p.parse::<u8>().is_ok())).then(|| DnsAnswer::A { name: fqdn.clone(), ips: vec![parts.join(".")] })
        }
        _ => None,
    }
}

fn service_answer(api: &Api, ns: &str, name: &str, fqdn: &str) -> Option<DnsAnswer> {
    let Some(Object::Service(svc)) = api.store.get(&ObjectKey::new(Kind::Service, ns, name)).map(|o| &**o) else { return None };
    let spec = svc.spec.as_ref()?;
    if spec.type_.as_deref() == Some("ExternalName") {
        return Some(DnsAnswer::Cname { name: fqdn.to_string(), target: spec.external_name.clone().unwrap_or_default() });
    }
    if is_headless(svc) {
        let ips = endpoint_ips(api, ns, name, |_| true);
        return (!ips.is_empty()).then(|| DnsAnswer::A { name: fqdn.to_string(), ips });
    }
    let ip = spec.cluster_ip.clone().filter(|ip| !ip.is_empty())?;
    Some(DnsAnswer::A { name: fqdn.to_string(), ips: vec![ip] })
}

fn endpoint_ips(api: &Api, ns: &str, svc: &str, f: impl Fn(&k8s_openapi::api::core::v1::EndpointAddress) -> bool) -> Vec<String> {
    let Some(Object::Endpoints(ep)) = api.store.get(&ObjectKey::new(Kind::Endpoints, ns, svc)).map(|o| &**o) else { return Vec::new() };
    let mut ips: Vec<String> = ep.subsets.iter().flatten().flat_map(|s| s.addresses.iter().flatten()).filter(|a| f(a)).map(|a| a.ip.clone()).collect();
    crate::sort::sort_by_key(&mut ips, |ip| ip.split('.').map(|p| p.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>());
    ips.dedup();
    ips
}

/// Output of `nslookup <name>` run in a pod of `namespace` (busybox's format; `legacy` is
/// busybox 1.28's older layout). Returns the text and the exit code.
pub fn nslookup(api: &Api, namespace: &str, name: &str, legacy: bool) -> (String, i32) {
    let answer = resolve(api, Some(namespace), name);
    if legacy {
        let mut out = format!("Server:    {DNS_IP}\nAddress 1: {DNS_IP} kube-dns.kube-system.svc.{CLUSTER_DOMAIN}\n\n");
        match answer {
            Some(DnsAnswer::A { name: fqdn, ips }) => {
                out.push_str(&format!("Name:      {name}\n"));
                for (i, ip) in ips.iter().enumerate() {
                    let rev = reverse_name(api, ip).map(|r| format!(" {r}")).unwrap_or_default();
                    let _ = &fqdn;
                    out.push_str(&format!("Address {}: {ip}{rev}\n", i + 1));
                }
                (out, 0)
            }
            Some(DnsAnswer::Cname { target, .. }) => {
                out.push_str(&format!("Name:      {name}\nAddress 1: {target}\n"));
                (out, 0)
            }
            None => {
                out.push_str(&format!("nslookup: can't resolve '{name}'\n"));
                (out, 1)
            }
        }
    } else {
        let mut out = format!("Server:\t\t{DNS_IP}\nAddress:\t{DNS_IP}:53\n\n");
        match answer {
            Some(DnsAnswer::A { name: fqdn, ips }) => {
                for ip in ips {
                    out.push_str(&format!("Name:\t{fqdn}\nAddress: {ip}\n"));
                }
                out.push('\n');
                (out, 0)
            }
            Some(DnsAnswer::Cname { name: fqdn, target }) => {
                out.push_str(&format!("{fqdn}\tcanonical name = {target}\n\n"));
                (out, 0)
            }
            None => {
                out.push_str(&format!("** server can't find {name}: NXDOMAIN\n\n"));
                (out, 1)
            }
        }
    }
}

/// The PTR name of a cluster IP (a Service's or a pod's), as CoreDNS answers reverse lookups.
pub fn reverse_name(api: &Api, ip: &str) -> Option<String> {
    for o in api.store.list(Kind::Service) {
        if let Object::Service(s) = &**o {
            if s.spec.as_ref().and_then(|x| x.cluster_ip.as_deref()) == Some(ip) {
                return Some(format!("{}.{}.svc.{CLUSTER_DOMAIN}", s.metadata.name.as_deref().unwrap_or(""), s.metadata.namespace.as_deref().unwrap_or("")));
            }
        }
    }
    for o in api.store.list(Kind::Endpoints) {
        if let Object::Endpoints(e) = &**o {
            for a in e.subsets.iter().flatten().flat_map(|s| s.addresses.iter().flatten()) {
                if a.ip == ip {
                    let host = a.hostname.clone().unwrap_or_else(|| ip.replace('.', "-"));
                    return Some(format!("{host}.{}.{}.svc.{CLUSTER_DOMAIN}", e.metadata.name.as_deref().unwrap_or(""), e.metadata.namespace.as_deref().unwrap_or("")));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_path() {
        assert_eq!(
            candidates("web", Some("default")),
            vec!["web.default.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local", "web"]
        );
        assert_eq!(candidates("web.default.svc.cluster.local.", Some("x")), vec!["web.default.svc.cluster.local"]);
        assert_eq!(candidates("web", None), vec!["web"]);
    }
}
