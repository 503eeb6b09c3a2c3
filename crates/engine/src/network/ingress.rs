//! The ingress addon as `minikube addons enable ingress` installs it (namespace `ingress-nginx`,
//! the `ingress-nginx-controller` Deployment with hostPorts 80/443 on the primary node, its
//! NodePort Service, the default IngressClass `nginx`) and the controller's behaviour: it
//! publishes the node IP in `status.loadBalancer` of the Ingresses it serves and proxies requests
//! by host and path (Exact, Prefix, ImplementationSpecific as prefix; longest match wins) straight
//! to the backend Service's ready endpoints, with nginx's 404/503/502 pages otherwise.

use crate::api::{meta, parse_manifests, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use crate::cluster::Cluster;
use crate::controllers::pod_is_ready;
use crate::network::endpoints::ready_backends;
use crate::network::http::{nginx_page, HttpResponse, NetError};
use k8s_openapi::api::core::v1::ServicePort;
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend, IngressLoadBalancerIngress};

/// The addon's namespace.
pub const NAMESPACE: &str = "ingress-nginx";
/// The controller class of ingress-nginx.
pub const CONTROLLER_CLASS: &str = "k8s.io/ingress-nginx";

/// What `minikube addons enable ingress` creates (one source for the engine and the terminal).
pub const ADDON_YAML: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: ingress-nginx
  labels:
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ingress-nginx
  namespace: ingress-nginx
  labels:
    app.kubernetes.io/component: controller
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
  labels:
    app.kubernetes.io/component: controller
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
data:
  allow-snippet-annotations: "false"
  hsts: "false"
---
apiVersion: v1
kind: Service
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
  labels:
    app.kubernetes.io/component: controller
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
spec:
  type: NodePort
  ipFamilyPolicy: SingleStack
  ipFamilies: [IPv4]
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: http
    appProtocol: http
  - name: https
    port: 443
    protocol: TCP
    targetPort: https
    appProtocol: https
  selector:
    app.kubernetes.io/component: controller
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
---
apiVersion: v1
kind: Service
metadata:
  name: ingress-nginx-controller-admission
  namespace: ingress-nginx
  labels:
    app.kubernetes.io/component: controller
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
spec:
  type: ClusterIP
  ports:
  - name: https-webhook
    port: 443
    targetPort: webhook
    appProtocol: https
  selector:
    app.kubernetes.io/component: controller
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
  labels:
    app.kubernetes.io/component: controller
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
spec:
  minReadySeconds: 0
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app.kubernetes.io/component: controller
      app.kubernetes.io/instance: ingress-nginx
      app.kubernetes.io/name: ingress-nginx
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
  template:
    metadata:
      labels:
        app.kubernetes.io/component: controller
        app.kubernetes.io/instance: ingress-nginx
        app.kubernetes.io/name: ingress-nginx
        gcp-auth-skip-secret: "true"
    spec:
      dnsPolicy: ClusterFirst
      nodeSelector:
        kubernetes.io/os: linux
        minikube.k8s.io/primary: "true"
      serviceAccountName: ingress-nginx
      terminationGracePeriodSeconds: 0
      tolerations:
      - effect: NoSchedule
        key: node-role.kubernetes.io/master
        operator: Equal
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.11.3
        imagePullPolicy: IfNotPresent
        args:
        - /nginx-ingress-controller
        - --election-id=ingress-nginx-leader
        - --controller-class=k8s.io/ingress-nginx
        - --watch-ingress-without-class=true
        - --configmap=$(POD_NAMESPACE)/ingress-nginx-controller
        - --tcp-services-configmap=$(POD_NAMESPACE)/tcp-services
        - --udp-services-configmap=$(POD_NAMESPACE)/udp-services
        - --validating-webhook=:8443
        - --validating-webhook-certificate=/usr/local/certificates/cert
        - --validating-webhook-key=/usr/local/certificates/key
        env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        - name: LD_PRELOAD
          value: /usr/local/lib/libmimalloc.so
        ports:
        - containerPort: 80
          hostPort: 80
          name: http
          protocol: TCP
        - containerPort: 443
          hostPort: 443
          name: https
          protocol: TCP
        - containerPort: 8443
          name: webhook
          protocol: TCP
        resources:
          requests:
            cpu: 100m
            memory: 90Mi
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
  labels:
    app.kubernetes.io/component: controller
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
spec:
  controller: k8s.io/ingress-nginx
"#;

/// Whether a pod is an ingress-nginx controller pod.
pub fn is_controller_pod(api: &Api, key: &ObjectKey) -> bool {
    matches!(api.store.get(key).map(|o| &**o), Some(Object::Pod(p))
        if meta::label(&p.metadata, "app.kubernetes.io/name") == Some("ingress-nginx")
            && meta::label(&p.metadata, "app.kubernetes.io/component") == Some("controller"))
}

/// Whether an Ingress is served by ingress-nginx (class `nginx`, the legacy annotation, or no
/// class while `nginx` is the default class or the controller watches class-less Ingresses).
pub fn served_by_nginx(api: &Api, ing: &Ingress) -> bool {
    let class = ing
        .spec
        .as_ref()
        .and_then(|s| s.ingress_class_name.clone())
        .or_else(|| meta::annotation(&ing.metadata, "kubernetes.io/ingress.class").map(str::to_string));
    match class {
        Some(c) => match api.store.get(&ObjectKey::new(Kind::IngressClass, "", &c)).map(|o| &**o) {
            Some(Object::IngressClass(ic)) => ic.spec.as_ref().and_then(|s| s.controller.as_deref()) == Some(CONTROLLER_CLASS),
            _ => c == "nginx",
        },
        None => true,
    }
}

fn controller_pods(api: &Api) -> Vec<(ObjectKey, bool, Option<String>)> {
    api.store
        .list_ns(Kind::Pod, NAMESPACE)
        .filter_map(|o| match &**o {
            Object::Pod(p) if meta::label(&p.metadata, "app.kubernetes.io/component") == Some("controller") && p.metadata.deletion_timestamp.is_none() => {
                Some((ObjectKey::of(o), pod_is_ready(p), p.status.as_ref().and_then(|s| s.host_ip.clone())))
            }
            _ => None,
        })
        .collect()
}

/// Publishes the controller's node IP in the status of every Ingress it serves.
pub fn sync_status(api: &mut Api) {
    let Some(ip) = controller_pods(api).into_iter().find(|c| c.1).and_then(|c| c.2) else { return };
    let ings: Vec<Ingress> = api
        .store
        .list(Kind::Ingress)
        .filter_map(|o| match &**o {
            Object::Ingress(i) => Some(i.clone()),
            _ => None,
        })
        .collect();
    for mut ing in ings {
        if !served_by_nginx(api, &ing) {
            continue;
        }
        let want = Some(vec![IngressLoadBalancerIngress { ip: Some(ip.clone()), ..Default::default() }]);
        let st = ing.status.get_or_insert_with(Default::default).load_balancer.get_or_insert_with(Default::default);
        if st.ingress != want {
            st.ingress = want;
            let _ = api.write(Object::Ingress(ing));
        }
    }
}

/// A path rule candidate: (exact?, path, backend, ingress).
struct Candidate {
    exact: bool,
    path: String,
    backend: IngressBackend,
    ingress: Ingress,
}

fn prefix_match(rule: &str, path: &str) -> bool {
    let rule = rule.trim_end_matches('/');
    if rule.is_empty() {
        return true;
    }
    let p = path.trim_end_matches('/');
    p == rule || p.starts_with(&format!("{rule}/"))
}

fn host_matches(rule: &str, host: &str) -> Option<u8> {
    if rule == host {
        Some(2)
    } else if let Some(suffix) = rule.strip_prefix("*.") {
        let (first, rest) = host.split_once('.')?;
        (!first.is_empty() && rest == suffix).then_some(1)
    } else {
        None
    }
}

/// Picks the backend for a request as ingress-nginx's generated configuration would.
pub fn pick_backend(api: &Api, host: &str, path: &str) -> Option<(IngressBackend, Ingress, String)> {
    let path_only = path.split('?').next().unwrap_or("/");
    let ings: Vec<Ingress> = api
        .store
        .list(Kind::Ingress)
        .filter_map(|o| match &**o {
            Object::Ingress(i) if i.metadata.deletion_timestamp.is_none() => Some(i.clone()),
            _ => None,
        })
        .filter(|i| served_by_nginx(api, i))
        .collect();
    // The server block: exact host, then wildcard, then the catch-all of host-less rules.
    let mut best_host: u8 = 0;
    for i in &ings {
        for r in i.spec.iter().flat_map(|s| s.rules.iter().flatten()) {
            if let Some(h) = r.host.as_deref().filter(|h| !h.is_empty()) {
                if let Some(score) = host_matches(h, host) {
                    best_host = best_host.max(score);
                }
            }
        }
    }
    let mut cands: Vec<Candidate> = Vec::new();
    for i in &ings {
        for r in i.spec.iter().flat_map(|s| s.rules.iter().flatten()) {
            let score = match r.host.as_deref().filter(|h| !h.is_empty()) {
                Some(h) => host_matches(h, host).unwrap_or(0),
                None => 0,
            };
            let in_server = if best_host > 0 { score == best_host } else { r.host.as_deref().is_none_or(|h| h.is_empty()) };
            if !in_server {
                continue;
            }
            for p in r.http.iter().flat_map(|h| h.paths.iter()) {
                let rule_path = p.path.clone().unwrap_or_else(|| "/".into());
                let exact = p.path_type == "Exact";
                let ok = if exact { path_only == rule_path } else { prefix_match(&rule_path, path_only) };
                if ok {
                    cands.push(Candidate { exact, path: rule_path, backend: p.backend.clone(), ingress: i.clone() });
                }
            }
        }
    }
    crate::sort::sort_by(&mut cands, |a, b| b.path.len().cmp(&a.path.len()).then(b.exact.cmp(&a.exact)));
    if let Some(c) = cands.into_iter().next() {
        let upstream = rewrite(&c.ingress, &c.path, path);
        return Some((c.backend, c.ingress, upstream));
    }
    // An Ingress's default backend.
    ings.iter().find_map(|i| i.spec.as_ref().and_then(|s| s.default_backend.clone()).map(|b| (b, i.clone(), path.to_string())))
}

/// `nginx.ingress.kubernetes.io/rewrite-target` without capture groups replaces the whole URI.
fn rewrite(ing: &Ingress, _rule: &str, path: &str) -> String {
    match meta::annotation(&ing.metadata, "nginx.ingress.kubernetes.io/rewrite-target") {
        Some(t) if !t.contains('$') => t.to_string(),
        Some(t) => {
            // `/$2` with a `/x(/|$)(.*)` style path: keep what follows the rule's literal prefix.
            let literal = _rule.split('(').next().unwrap_or("").trim_end_matches('/');
            let rest = path.strip_prefix(literal).unwrap_or(path).trim_start_matches('/');
            t.replace("$2", rest).replace("$1", rest)
        }
        None => path.to_string(),
    }
}

/// The controller proxies one request: picks the backend, forwards it to a ready endpoint and
/// logs it in its own log.
pub fn route(c: &mut Cluster, controller: &ObjectKey, host: &str, path: &str, method: &str, ua: &str, client_ip: &str) -> Result<HttpResponse, NetError> {
    let picked = pick_backend(&c.api, host, path);
    let controller_ip = c.kubelets.pods.get(controller).and_then(|p| p.ip.clone()).unwrap_or_default();
    let (status, body, upstream, served_by, label) = match picked {
        None => (404, nginx_page("404 Not Found"), "127.0.0.1:8181".to_string(), None, "upstream-default-backend".to_string()),
        Some((backend, ing, upstream_path)) => {
            let ns = meta::namespace(&ing.metadata).to_string();
            match backend.service {
                None => (404, nginx_page("404 Not Found"), "-".into(), None, "upstream-default-backend".into()),
                Some(sb) => {
                    let svc = match c.api.store.get(&ObjectKey::new(Kind::Service, &ns, &sb.name)).map(|o| &**o) {
                        Some(Object::Service(s)) => Some(s.clone()),
                        _ => None,
                    };
                    let port_label = sb.port.as_ref().map(|p| p.number.map(|n| n.to_string()).or(p.name.clone()).unwrap_or_default()).unwrap_or_default();
                    let label = format!("{ns}-{}-{port_label}", sb.name);
                    let sp: Option<ServicePort> = svc.as_ref().and_then(|s| {
                        s.spec.iter().flat_map(|x| x.ports.iter().flatten()).find(|p| match sb.port.as_ref() {
                            Some(bp) => bp.number == Some(p.port) || (bp.name.is_some() && bp.name == p.name),
                            None => true,
                        }).cloned()
                    });
                    match (svc, sp) {
                        (Some(svc), Some(sp)) => {
                            let backends = ready_backends(&c.api, &svc, &sp);
                            if backends.is_empty() {
                                (503, nginx_page("503 Service Temporarily Unavailable"), "-".into(), None, label)
                            } else {
                                let i = c.api.clock.jitter(0, backends.len() as u64 - 1) as usize;
                                let (pod, ip, port, _) = backends[i].clone();
                                let idx = c.kubelets.pods.get(&pod).and_then(|rt| {
                                    let now = c.api.clock.now_ms();
                                    rt.containers.iter().position(|ct| match (&ct.stage, &ct.program.server) {
                                        (crate::kubelet::Stage::Running(since), Some(s)) => s.ports.contains(&port) && now >= since + s.ready_after_ms,
                                        _ => false,
                                    })
                                });
                                match idx.and_then(|idx| c.serve(&pod, idx, &upstream_path, method, ua, &controller_ip)) {
                                    Some(r) => (r.status, r.body, format!("{ip}:{port}"), Some(pod), label),
                                    None => (502, nginx_page("502 Bad Gateway"), format!("{ip}:{port}"), None, label),
                                }
                            }
                        }
                        _ => (503, nginx_page("503 Service Temporarily Unavailable"), "-".into(), None, label),
                    }
                }
            }
        }
    };
    let t = c.api.clock.now();
    let t_ms = c.api.clock.now_ms();
    let req_id = c.api.clock.uuid().replace('-', "");
    let line = format!(
        "{client_ip} - - [{}] \"{method} {path} HTTP/1.1\" {status} {} \"-\" \"{ua}\" {} 0.001 [{label}] [] {upstream} {} 0.001 {status} {req_id}",
        crate::util::format_time(&t, "%d/%b/%Y:%H:%M:%S +0000"),
        body.len(),
        80 + path.len(),
        body.len()
    );
    if let Some(rt) = c.kubelets.pods.get_mut(controller) {
        if let Some(ct) = rt.containers.first_mut() {
            ct.log([line], t_ms);
            ct.hits += 1;
        }
    }
    Ok(HttpResponse {
        status,
        headers: vec![("Content-Type".into(), "text/html".into()), ("Content-Length".into(), body.len().to_string())],
        body,
        pod: served_by,
    })
}

impl Cluster {
    /// `minikube addons enable ingress`: creates what minikube creates, then settles.
    pub fn enable_ingress_addon(&mut self) -> Result<(), String> {
        let objs = parse_manifests(ADDON_YAML).map_err(|e| e.to_string())?;
        for o in objs {
            let key = ObjectKey::of(&o.object);
            if self.api.store.get(&key).is_none() {
                self.api.create(o.object).map_err(|e| e.to_string())?;
            }
        }
        self.addons.insert("ingress".into(), true);
        self.settle();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_semantics() {
        assert!(prefix_match("/foo", "/foo"));
        assert!(prefix_match("/foo", "/foo/bar"));
        assert!(!prefix_match("/foo", "/foobar"));
        assert!(prefix_match("/", "/anything"));
        assert_eq!(host_matches("*.example.com", "a.example.com"), Some(1));
        assert_eq!(host_matches("*.example.com", "a.b.example.com"), None);
    }
}
