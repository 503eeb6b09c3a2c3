//! Simulated HTTP through the cluster's data path: name resolution, kube-proxy's Service
//! routing (ClusterIP, NodePort, LoadBalancer via `minikube tunnel`, ClientIP affinity, random
//! spread over ready endpoints as iptables mode does), hostPorts, `kubectl port-forward`, and
//! finally the serving container's simulated image, which counts the request and logs it the
//! way the real program does (nginx's `main` log format, agnhost's `GET /` lines, ...).
//!
//! Reachability follows minikube's docker driver: from the host only node IPs (NodePorts,
//! hostPorts) and, while the tunnel runs, the service CIDR are routed; pod IPs and ClusterIPs
//! otherwise time out. From a pod or a node everything is reachable.

use crate::api::{meta, Kind, Object, ObjectKey};
use crate::cluster::Cluster;
use crate::kubelet::images::{self, Handler};
use crate::kubelet::Stage;
use crate::network::dns::{self, DnsAnswer};
use crate::network::endpoints::ready_backends;
use crate::network::ingress;
use k8s_openapi::api::core::v1::{Service, ServicePort};

/// Where a request starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The learner's machine (the terminal, `curl` outside the cluster).
    Host,
    /// Inside a pod (`kubectl exec <pod> -- curl ...`).
    Pod(ObjectKey),
    /// On a node (`minikube ssh`).
    Node(String),
}

/// An HTTP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `HEAD`, `POST`, ...
    pub method: String,
    /// The URL (`http://web.default.svc.cluster.local/path`, `192.168.49.2:30080`).
    pub url: String,
    /// Extra headers (`Host: foo.example` overrides the virtual host).
    pub headers: Vec<(String, String)>,
    /// Name-to-IP overrides (curl's `--resolve`, `/etc/hosts` entries).
    pub resolve: Vec<(String, String)>,
    /// The User-Agent the client sends.
    pub user_agent: String,
}

impl HttpRequest {
    /// A plain `curl <url>`.
    pub fn get(url: &str) -> HttpRequest {
        HttpRequest { method: "GET".into(), url: url.into(), headers: Vec::new(), resolve: Vec::new(), user_agent: "curl/8.5.0".into() }
    }

    /// Sets a header (builder style).
    pub fn header(mut self, name: &str, value: &str) -> HttpRequest {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// An HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
    /// The pod that answered (the backend, not the ingress controller), if any.
    pub pod: Option<ObjectKey>,
}

/// Why a request failed, worded as curl words it (`Display`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// The URL could not be parsed.
    #[error("curl: (3) URL rejected: Malformed input to a URL function")]
    BadUrl(String),
    /// An unsupported scheme.
    #[error("curl: (1) Protocol \"{0}\" not supported")]
    Unsupported(String),
    /// The name did not resolve.
    #[error("curl: (6) Could not resolve host: {0}")]
    Resolve(String),
    /// The connection was refused (nothing listening, no ready endpoints).
    #[error("curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server")]
    Refused {
        /// host as the client named it
        host: String,
        /// port
        port: u16,
    },
    /// No route: the packets went nowhere.
    #[error("curl: (28) Failed to connect to {host} port {port} after {ms} ms: Connection timed out")]
    Timeout {
        /// host as the client named it
        host: String,
        /// port
        port: u16,
        /// how long curl waited
        ms: u64,
    },
    /// The server closed the connection without answering (a non-HTTP server).
    #[error("curl: (52) Empty reply from server")]
    EmptyReply,
}

impl NetError {
    /// curl's exit code for the error.
    pub fn curl_exit_code(&self) -> i32 {
        match self {
            NetError::BadUrl(_) => 3,
            NetError::Unsupported(_) => 1,
            NetError::Resolve(_) => 6,
            NetError::Refused { .. } => 7,
            NetError::Timeout { .. } => 28,
            NetError::EmptyReply => 52,
        }
    }

    /// busybox `wget`'s wording of the same failure.
    pub fn wget_message(&self) -> String {
        match self {
            NetError::BadUrl(u) => format!("wget: bad address '{u}'"),
            NetError::Unsupported(s) => format!("wget: not an http or ftp url: {s}"),
            NetError::Resolve(h) => format!("wget: bad address '{h}'"),
            NetError::Refused { host, .. } => format!("wget: can't connect to remote host ({host}): Connection refused"),
            NetError::Timeout { .. } => "wget: download timed out".into(),
            NetError::EmptyReply => "wget: error getting response".into(),
        }
    }
}

/// The kubelet's read-only port.
pub const KUBELET_READ_ONLY_PORT: u16 = 10255;

/// How long a connect to an unrouted address takes to fail (Linux SYN retries).
const CONNECT_TIMEOUT_MS: u64 = 133_134;

/// A parsed URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// `http` or `https`.
    pub scheme: String,
    /// Host as written.
    pub host: String,
    /// Port (default by scheme).
    pub port: u16,
    /// Path with query, starting with `/`.
    pub path: String,
}

/// Parses `http://host:port/path`, `host:port/path` or `host` as curl does.
pub fn parse_url(url: &str) -> Result<Url, NetError> {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_string(), url),
    };
    if scheme != "http" && scheme != "https" {
        return Err(NetError::Unsupported(scheme));
    }
    let (hostport, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let path = if path.starts_with('?') { format!("/{path}") } else { path };
    let hostport = hostport.rsplit_once('@').map(|(_, h)| h).unwrap_or(hostport);
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse::<u16>().map_err(|_| NetError::BadUrl(url.into()))?),
        None => (hostport.to_string(), if scheme == "https" { 443 } else { 80 }),
    };
    if host.is_empty() {
        return Err(NetError::BadUrl(url.into()));
    }
    Ok(Url { scheme, host: host.to_ascii_lowercase(), port, path })
}

fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| p.parse::<u8>().is_ok())
}

fn in_service_cidr(ip: &str) -> bool {
    let o: Vec<u32> = ip.split('.').filter_map(|p| p.parse().ok()).collect();
    o.len() == 4 && o[0] == 10 && (96..112).contains(&o[1])
}

fn in_pod_cidr(ip: &str) -> bool {
    ip.starts_with("10.244.")
}

/// The connection being made: what the client named, and where it really goes.
struct Conn<'a> {
    req: &'a HttpRequest,
    url: &'a Url,
    origin: &'a Origin,
}

impl<'a> Conn<'a> {
    fn refused(&self) -> NetError {
        NetError::Refused { host: self.url.host.clone(), port: self.url.port }
    }
    fn timeout(&self) -> NetError {
        NetError::Timeout { host: self.url.host.clone(), port: self.url.port, ms: CONNECT_TIMEOUT_MS }
    }
}

impl Cluster {
    /// `curl <url>` from an origin.
    pub fn http_get(&mut self, origin: Origin, url: &str) -> Result<HttpResponse, NetError> {
        self.http_request(origin, &HttpRequest::get(url))
    }

    /// Sends a request from an origin through the simulated network.
    pub fn http_request(&mut self, origin: Origin, req: &HttpRequest) -> Result<HttpResponse, NetError> {
        self.sync_volume_files();
        let url = parse_url(&req.url)?;
        let ip = self.resolve_for(&origin, &url.host, req)?;
        let conn = Conn { req, url: &url, origin: &origin };
        self.connect(&conn, &ip, url.port)
    }

    /// The IP a name resolves to from an origin (curl error 6 if it does not).
    fn resolve_for(&self, origin: &Origin, host: &str, req: &HttpRequest) -> Result<String, NetError> {
        if is_ipv4(host) {
            return Ok(host.to_string());
        }
        if let Some((_, ip)) = req.resolve.iter().find(|(h, _)| h.eq_ignore_ascii_case(host)) {
            return Ok(ip.clone());
        }
        if host == "localhost" {
            return Ok("127.0.0.1".into());
        }
        match origin {
            Origin::Pod(k) => match dns::resolve(&self.api, Some(&k.namespace), host) {
                Some(DnsAnswer::A { ips, .. }) if !ips.is_empty() => Ok(ips[0].clone()),
                _ => Err(NetError::Resolve(host.to_string())),
            },
            Origin::Node(_) if host == "control-plane.minikube.internal" => Ok(self.primary_node_ip()),
            _ => Err(NetError::Resolve(host.to_string())),
        }
    }

    fn node_by_ip(&self, ip: &str) -> Option<String> {
        self.kubelets.nodes.iter().find(|(_, a)| a.ip == ip).map(|(n, _)| n.clone())
    }

    /// The source address a backend on `backend_node` sees for a connection entering at
    /// `entry_node` from outside the pod network (kube-proxy masquerades it).
    fn snat_ip(&self, entry_node: &str, backend_node: Option<&str>) -> String {
        match (self.kubelets.nodes.get(entry_node), backend_node) {
            (Some(a), Some(b)) if b == entry_node => format!("10.244.{}.1", a.cidr),
            (Some(a), _) => a.ip.clone(),
            _ => "192.168.49.1".into(),
        }
    }

    fn connect(&mut self, c: &Conn, ip: &str, port: u16) -> Result<HttpResponse, NetError> {
        // Loopback.
        if ip == "127.0.0.1" {
            return match c.origin {
                Origin::Host => match self.net.forwards.get(&port).cloned() {
                    Some(f) => self.deliver(c, &f.pod, f.remote_port, "127.0.0.1"),
                    None => Err(c.refused()),
                },
                Origin::Pod(k) => {
                    let k = k.clone();
                    self.deliver(c, &k, port as i32, "127.0.0.1")
                }
                Origin::Node(n) => {
                    let n = n.clone();
                    let ip = self.kubelets.nodes.get(&n).map(|a| a.ip.clone()).unwrap_or_default();
                    self.connect_node(c, &n, &ip, port)
                }
            };
        }
        if let Some(node) = self.node_by_ip(ip) {
            return self.connect_node(c, &node, ip, port);
        }
        if in_service_cidr(ip) {
            let routed = !matches!(c.origin, Origin::Host) || self.net.tunnel;
            if !routed {
                return Err(c.timeout());
            }
            let Some(svc) = self.service_by_cluster_ip(ip) else { return Err(c.timeout()) };
            let Some(sp) = svc.spec.iter().flat_map(|s| s.ports.iter().flatten()).find(|p| p.port == port as i32).cloned() else {
                return Err(c.timeout());
            };
            let entry = match c.origin {
                Origin::Host => Some(self.options.profile.clone()),
                _ => None,
            };
            return self.via_service(c, &svc, &sp, entry.as_deref(), false);
        }
        if let Some(svc) = self.service_by_lb_ip(ip) {
            if matches!(c.origin, Origin::Host) && !self.net.tunnel {
                return Err(c.timeout());
            }
            let Some(sp) = svc.spec.iter().flat_map(|s| s.ports.iter().flatten()).find(|p| p.port == port as i32).cloned() else {
                return Err(c.timeout());
            };
            let entry = Some(self.options.profile.clone());
            return self.via_service(c, &svc, &sp, entry.as_deref(), false);
        }
        if in_pod_cidr(ip) {
            if matches!(c.origin, Origin::Host) {
                return Err(c.timeout());
            }
            let Some(key) = self.kubelets.pods.iter().find(|(_, p)| p.ip.as_deref() == Some(ip)).map(|(k, _)| k.clone()) else {
                return Err(c.timeout());
            };
            let client = self.client_ip(c.origin, None);
            return self.deliver(c, &key, port as i32, &client);
        }
        if ip == "192.168.49.1" && !matches!(c.origin, Origin::Host) {
            return Err(c.refused());
        }
        Err(c.timeout())
    }

    /// The client address a pod sees for a direct (non-NATed) connection.
    fn client_ip(&self, origin: &Origin, entry_node: Option<&str>) -> String {
        match origin {
            Origin::Pod(k) => self.kubelets.pods.get(k).and_then(|p| p.ip.clone()).unwrap_or_else(|| "10.244.0.1".into()),
            Origin::Node(n) => self.kubelets.nodes.get(n).map(|a| format!("10.244.{}.1", a.cidr)).unwrap_or_default(),
            Origin::Host => entry_node.and_then(|n| self.kubelets.nodes.get(n)).map(|a| format!("10.244.{}.1", a.cidr)).unwrap_or_else(|| "192.168.49.1".into()),
        }
    }

    fn connect_node(&mut self, c: &Conn, node: &str, _node_ip: &str, port: u16) -> Result<HttpResponse, NetError> {
        if !self.kubelets.nodes.get(node).is_some_and(|a| a.running) {
            return Err(c.timeout());
        }
        // The kubelet's read-only port (`readOnlyPort: 10255` in its configuration).
        if port == KUBELET_READ_ONLY_PORT {
            return Ok(self.kubelet_read_only(node, &c.url.path));
        }
        // hostNetwork pods and hostPorts on the node.
        let on_node: Vec<ObjectKey> = self.api.store.pods_on_node(node).cloned().collect();
        for key in &on_node {
            let Some(Object::Pod(p)) = self.api.store.get(key).map(|o| &**o) else { continue };
            let spec = p.spec.clone().unwrap_or_default();
            let host_net = spec.host_network == Some(true);
            let mapped = spec.containers.iter().flat_map(|c| c.ports.iter().flatten()).find(|cp| cp.host_port == Some(port as i32)).map(|cp| cp.container_port);
            let target = if let Some(cp) = mapped {
                Some(cp)
            } else if host_net && self.pod_listens(key, port as i32) {
                Some(port as i32)
            } else {
                None
            };
            if let Some(t) = target {
                let client = match c.origin {
                    Origin::Pod(k) => self.kubelets.pods.get(k).and_then(|p| p.ip.clone()).unwrap_or_default(),
                    Origin::Host => "192.168.49.1".into(),
                    Origin::Node(n) => self.kubelets.nodes.get(n).map(|a| a.ip.clone()).unwrap_or_default(),
                };
                return self.deliver(c, key, t, &client);
            }
        }
        // NodePorts.
        let found = self.api.store.list(Kind::Service).find_map(|o| match &**o {
            Object::Service(s) => {
                let ty = s.spec.as_ref().and_then(|x| x.type_.as_deref()).unwrap_or("ClusterIP");
                if ty != "NodePort" && ty != "LoadBalancer" {
                    return None;
                }
                s.spec.iter().flat_map(|x| x.ports.iter().flatten()).find(|p| p.node_port == Some(port as i32)).map(|p| (s.clone(), p.clone()))
            }
            _ => None,
        });
        if let Some((svc, sp)) = found {
            return self.via_service(c, &svc, &sp, Some(node), true);
        }
        Err(c.refused())
    }

    /// The kubelet's read-only HTTP endpoints: `/healthz` (`?verbose` lists the checks) and
    /// `/pods`, the pods the node's kubelet runs as a `PodList` (indented, as `| jq .` would
    /// show it, so `grep` finds single fields), static pods included under their mirror names.
    fn kubelet_read_only(&self, node: &str, path: &str) -> HttpResponse {
        let (route, query) = path.split_once('?').unwrap_or((path, ""));
        let text = |status: u16, body: String| HttpResponse { status, headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())], body, pod: None };
        match route.trim_end_matches('/') {
            "/healthz" if query.split('&').any(|q| q == "verbose" || q.starts_with("verbose=")) => text(200, "[+]ping ok\n[+]log ok\n[+]syncloop ok\nhealthz check passed\n".into()),
            "/healthz" => text(200, "ok".into()),
            "/pods" => {
                let items: Vec<serde_json::Value> = self
                    .api
                    .store
                    .pods_on_node(node)
                    .filter_map(|k| self.api.store.get(k))
                    .filter(|o| o.metadata().deletion_timestamp.is_none())
                    .map(|o| o.to_json())
                    .collect();
                let items = if items.is_empty() { serde_json::Value::Null } else { serde_json::Value::Array(items) };
                let body = serde_json::json!({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items});
                HttpResponse { status: 200, headers: vec![("Content-Type".into(), "application/json".into())], body: format!("{}\n", serde_json::to_string_pretty(&body).unwrap_or_default()), pod: None }
            }
            _ => text(404, "404 page not found\n".into()),
        }
    }

    fn service_by_cluster_ip(&self, ip: &str) -> Option<Service> {
        self.api.store.list(Kind::Service).find_map(|o| match &**o {
            Object::Service(s) if s.spec.as_ref().and_then(|x| x.cluster_ip.as_deref()) == Some(ip) => Some(s.clone()),
            _ => None,
        })
    }

    fn service_by_lb_ip(&self, ip: &str) -> Option<Service> {
        self.api.store.list(Kind::Service).find_map(|o| match &**o {
            Object::Service(s)
                if s.status.as_ref().and_then(|x| x.load_balancer.as_ref()).and_then(|l| l.ingress.as_ref()).is_some_and(|i| i.iter().any(|x| x.ip.as_deref() == Some(ip))) =>
            {
                Some(s.clone())
            }
            _ => None,
        })
    }

    /// kube-proxy: picks a ready endpoint of the Service (ClientIP affinity, then random).
    fn via_service(&mut self, c: &Conn, svc: &Service, sp: &ServicePort, entry_node: Option<&str>, node_port: bool) -> Result<HttpResponse, NetError> {
        let mut backends = ready_backends(&self.api, svc, sp);
        let spec = svc.spec.clone().unwrap_or_default();
        if node_port && spec.external_traffic_policy.as_deref() == Some("Local") {
            backends.retain(|b| b.3.as_deref() == entry_node);
        }
        if backends.is_empty() {
            return Err(c.refused());
        }
        let svc_key = ObjectKey::new(Kind::Service, meta::namespace(&svc.metadata), meta::name(&svc.metadata));
        let src = self.client_ip(c.origin, entry_node);
        let now = self.api.clock.now_ms();
        let affinity = spec.session_affinity.as_deref() == Some("ClientIP");
        let mut chosen: Option<usize> = None;
        if affinity {
            if let Some((ip, exp)) = self.net.affinity.get(&(svc_key.clone(), src.clone())) {
                if *exp > now {
                    chosen = backends.iter().position(|b| &b.1 == ip);
                }
            }
        }
        let idx = match chosen {
            Some(i) => i,
            None => self.api.clock.jitter(0, backends.len() as u64 - 1) as usize,
        };
        let (pod, ip, port, bnode) = backends[idx].clone();
        if affinity {
            let timeout = spec.session_affinity_config.as_ref().and_then(|c| c.client_ip.as_ref()).and_then(|c| c.timeout_seconds).unwrap_or(10800).max(1) as u64;
            self.net.affinity.insert((svc_key, src.clone()), (ip.clone(), now + timeout * 1000));
        }
        let client = match (c.origin, entry_node) {
            (Origin::Pod(_), _) => src,
            (_, Some(entry)) => self.snat_ip(entry, bnode.as_deref()),
            _ => src,
        };
        self.deliver(c, &pod, port, &client)
    }

    /// Whether a pod has a running container listening on the port.
    fn pod_listens(&self, key: &ObjectKey, port: i32) -> bool {
        let now = self.api.clock.now_ms();
        self.kubelets.pods.get(key).is_some_and(|rt| {
            rt.containers.iter().any(|c| match (&c.stage, &c.program.server) {
                (Stage::Running(since), Some(s)) => s.ports.contains(&port) && now >= since + s.ready_after_ms,
                _ => false,
            })
        })
    }

    /// Hands the request to the container of `pod` listening on `port`.
    fn deliver(&mut self, c: &Conn, pod: &ObjectKey, port: i32, client_ip: &str) -> Result<HttpResponse, NetError> {
        if pod.namespace == ingress::NAMESPACE && ingress::is_controller_pod(&self.api, pod) && (port == 80 || port == 443) {
            let running = self.kubelets.pods.get(pod).is_some_and(|rt| rt.containers.iter().any(|c| matches!(c.stage, Stage::Running(_))));
            if !running {
                return Err(c.refused());
            }
            let host = c.req.header_value("Host").map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase()).unwrap_or_else(|| c.url.host.clone());
            return ingress::route(self, pod, &host, &c.url.path, &c.req.method, &c.req.user_agent, client_ip);
        }
        let now = self.api.clock.now_ms();
        let Some(rt) = self.kubelets.pods.get(pod) else { return Err(c.refused()) };
        let node_up = self.kubelets.nodes.get(&rt.node).is_some_and(|a| a.running);
        if !node_up {
            return Err(c.timeout());
        }
        let idx = rt.containers.iter().position(|ct| match (&ct.stage, &ct.program.server) {
            (Stage::Running(since), Some(s)) => s.ports.contains(&port) && now >= since + s.ready_after_ms,
            _ => false,
        });
        let Some(idx) = idx else { return Err(c.refused()) };
        let resp = self.serve(pod, idx, &c.url.path, &c.req.method, &c.req.user_agent, client_ip);
        match resp {
            Some(r) => Ok(r),
            None => Err(NetError::EmptyReply),
        }
    }

    /// The container at `idx` of `pod` answers a request; `None` for a server that does not speak HTTP.
    pub(crate) fn serve(&mut self, pod: &ObjectKey, idx: usize, path: &str, method: &str, ua: &str, client_ip: &str) -> Option<HttpResponse> {
        let now = self.api.clock.now_ms();
        let (handler, since, hits, cname) = {
            let rt = self.kubelets.pods.get(pod)?;
            let ct = rt.containers.get(idx)?;
            let since = match ct.stage {
                Stage::Running(s) => s,
                _ => now,
            };
            (ct.program.server.as_ref()?.handler, since, ct.hits, ct.name.clone())
        };
        let clock = self.api.clock.now();
        let go_now = crate::util::format_time(&clock, "%Y-%m-%d %H:%M:%S%.9f +0000 UTC");
        let (code, body, ctype) = match handler {
            Handler::Nginx | Handler::Httpd => {
                let root = if handler == Handler::Nginx { "/usr/share/nginx/html" } else { "/usr/local/apache2/htdocs" };
                self.static_file(pod, &cname, root, path, handler)
            }
            _ => {
                let (code, body) = images::http_answer(handler, path, &pod.name, client_ip, now.saturating_sub(since), hits, &go_now);
                let ctype = match handler {
                    Handler::Netexec | Handler::ServeHostname | Handler::Liveness | Handler::TestApp { .. } | Handler::Kubia { .. } => "text/plain; charset=utf-8",
                    _ => "text/html",
                };
                (code, body, ctype)
            }
        };
        if code == 0 {
            return None;
        }
        let line = access_log(handler, client_ip, method, path, code, body.len(), ua, &clock);
        if let Some(ct) = self.kubelets.container_mut(pod, &cname) {
            ct.hits += 1;
            if let Some(l) = line {
                ct.log([l], now);
            }
        }
        let server = match handler {
            Handler::Nginx => Some("nginx/1.27.3"),
            Handler::Httpd => Some("Apache/2.4.62 (Unix)"),
            Handler::PythonHttp => Some("SimpleHTTP/0.6 Python/3.12.8"),
            _ => None,
        };
        let mut headers = Vec::new();
        if let Some(s) = server {
            headers.push(("Server".to_string(), s.to_string()));
        }
        headers.push(("Date".into(), crate::util::format_time(&clock, "%a, %d %b %Y %H:%M:%S GMT")));
        headers.push(("Content-Type".into(), ctype.to_string()));
        headers.push(("Content-Length".into(), body.len().to_string()));
        Some(HttpResponse { status: code, headers, body: if method == "HEAD" { String::new() } else { body }, pod: Some(pod.clone()) })
    }

    /// A static web server's answer from the container's files (volumes mounted over the
    /// document root included).
    fn static_file(&mut self, pod: &ObjectKey, container: &str, root: &str, path: &str, handler: Handler) -> (u16, String, &'static str) {
        let p = path.split(['?', '#']).next().unwrap_or("/");
        let p = if p.is_empty() { "/" } else { p };
        let file = if p.ends_with('/') { format!("{root}{p}index.html") } else { format!("{root}{p}") };
        let not_found = || images::http_answer(handler, "/__missing__", "", "", 0, 0, "");
        match self.exec_read(pod, container, &file) {
            Ok(content) => (200, content, "text/html"),
            Err(crate::storage::files::FsError::IsDirectory(_)) => (301, moved_page(handler), "text/html"),
            Err(_) => {
                let dir = if p.ends_with('/') { format!("{root}{p}") } else { String::new() };
                if !dir.is_empty() && self.exec_list(pod, container, &dir).is_ok() {
                    (403, forbidden_page(handler), "text/html")
                } else {
                    let (c, b) = not_found();
                    (c, b, "text/html")
                }
            }
        }
    }
}

fn forbidden_page(h: Handler) -> String {
    match h {
        Handler::Httpd => "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n</body></html>\n".into(),
        _ => nginx_page("403 Forbidden"),
    }
}

fn moved_page(h: Handler) -> String {
    match h {
        Handler::Httpd => "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n</body></html>\n".into(),
        _ => nginx_page("301 Moved Permanently"),
    }
}

/// nginx's built-in error page for a status line (`404 Not Found`).
pub fn nginx_page(status: &str) -> String {
    format!("<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n<center><h1>{status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
}

/// The line a server writes to its log for a request (`None`: it logs nothing).
#[allow(clippy::too_many_arguments)]
fn access_log(h: Handler, client: &str, method: &str, path: &str, code: u16, bytes: usize, ua: &str, t: &chrono::DateTime<chrono::Utc>) -> Option<String> {
    let clf = crate::util::format_time(t, "%d/%b/%Y:%H:%M:%S +0000");
    match h {
        Handler::Nginx => Some(format!("{client} - - [{clf}] \"{method} {path} HTTP/1.1\" {code} {bytes} \"-\" \"{ua}\" \"-\"")),
        Handler::Httpd => Some(format!("{client} - - [{clf}] \"{method} {path} HTTP/1.1\" {code} {bytes}")),
        Handler::Netexec => Some(format!("I{}       1 log.go:245] {method} {path}", crate::util::format_time(t, "%m%d %H:%M:%S%.6f"))),
        Handler::Kubia { .. } => Some(format!("Received request from ::ffff:{client}")),
        Handler::PythonHttp => Some(format!("{client} - - [{}] \"{method} {path} HTTP/1.1\" {code} -", crate::util::format_time(t, "%d/%b/%Y %H:%M:%S"))),
        Handler::TestApp { .. } => Some(format!("{method} {path} {code}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(parse_url("http://10.96.0.5/x?y=1").unwrap(), Url { scheme: "http".into(), host: "10.96.0.5".into(), port: 80, path: "/x?y=1".into() });
        assert_eq!(parse_url("web:8080").unwrap().port, 8080);
        assert_eq!(parse_url("https://a.b").unwrap().port, 443);
        assert!(matches!(parse_url("ftp://x"), Err(NetError::Unsupported(_))));
        assert_eq!(
            NetError::Refused { host: "10.96.12.34".into(), port: 80 }.to_string(),
            "curl: (7) Failed to connect to 10.96.12.34 port 80 after 0 ms: Couldn't connect to server"
        );
        assert_eq!(NetError::Resolve("x".into()).to_string(), "curl: (6) Could not resolve host: x");
    }
}
