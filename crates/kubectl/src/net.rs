//! `curl`/`wget` from the host and from inside pods, `nslookup`, `kubectl proxy` paths and
//! `kubectl port-forward` targets, and the LoadBalancer IPs of `minikube tunnel`.
//!
//! Requests straight to a pod (port-forward, the API server's pod proxy, a pod IP from inside
//! the cluster) are answered here from the image catalogue's servers. Everything that needs
//! Services, DNS or NodePorts goes through one function, [`cluster_http`], which waits for the
//! networking engine (`Cluster::http_get`-style API) and says so until it exists.

use crate::shell::{Forward, Out, Shell};
use pilothouse_engine::api::{Kind, Object, ObjectKey};
use pilothouse_engine::kubelet::Stage;
use serde_json::{json, Value};

/// The minikube node IP.
pub const NODE_IP: &str = "192.168.49.2";

/// The answer of a simulated HTTP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpResult {
    /// A response.
    Response {
        /// Status code.
        status: u16,
        /// Body.
        body: String,
    },
    /// Nothing listens there.
    Refused,
    /// The host name does not resolve.
    NoHost,
    /// The request timed out (no route).
    Timeout,
    /// The simulator cannot answer this yet.
    Unsupported(String),
    /// The networking engine's failure, with curl's and wget's wording and curl's exit code.
    Failed {
        /// curl's message
        curl: String,
        /// busybox wget's message
        wget: String,
        /// curl's exit code
        code: i32,
    },
}

/// Where a request comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The learner's machine (the terminal).
    Host,
    /// A pod in the cluster.
    Pod(ObjectKey),
}

/// The single door to cluster networking (Services, ClusterIPs, NodePorts, DNS names,
/// Ingress). Swap the body for the networking engine's function when it lands.
pub fn cluster_http(sh: &mut Shell, origin: &Origin, host: &str, port: u16, path: &str) -> HttpResult {
    use pilothouse_engine::network::Origin as NetOrigin;
    let from = match origin {
        Origin::Host => NetOrigin::Host,
        Origin::Pod(k) => NetOrigin::Pod(k.clone()),
    };
    let url = format!("http://{host}:{port}{path}");
    match sh.cluster.http_get(from, &url) {
        Ok(r) => HttpResult::Response { status: r.status, body: r.body },
        Err(e) => HttpResult::Failed { curl: e.to_string(), wget: e.wget_message(), code: e.curl_exit_code() },
    }
}

/// DNS lookups from a pod through the cluster DNS (the networking engine).
pub fn cluster_dns(sh: &Shell, origin: &Origin, name: &str) -> Option<Result<String, String>> {
    let ns = match origin {
        Origin::Host => None,
        Origin::Pod(k) => Some(k.namespace.as_str()),
    };
    match pilothouse_engine::network::resolve(&sh.cluster.api, ns, name) {
        Some(pilothouse_engine::network::dns::DnsAnswer::A { ips, .. }) => Some(Ok(ips.join(", "))),
        Some(_) => Some(Ok(name.to_string())),
        None => Some(Err("NXDOMAIN".to_string())),
    }
}

/// Manifests at URLs (kubernetes.io examples): none are bundled yet.
pub fn fetch_manifest_url(_url: &str) -> Option<String> {
    None
}

/// Runs after every command: `minikube tunnel` gives LoadBalancer Services an external IP.
pub fn after_command(sh: &mut Shell) {
    if !sh.profiles.tunnel_active() {
        return;
    }
    let services: Vec<std::sync::Arc<Object>> = sh.cluster.list(Kind::Service, None);
    for s in services {
        let Object::Service(svc) = &*s else { continue };
        let spec = svc.spec.clone().unwrap_or_default();
        if spec.type_.as_deref() != Some("LoadBalancer") {
            continue;
        }
        let has = svc.status.as_ref().and_then(|st| st.load_balancer.as_ref()).and_then(|lb| lb.ingress.as_ref()).is_some_and(|i| !i.is_empty());
        if has {
            continue;
        }
        let Some(ip) = spec.cluster_ip.clone() else { continue };
        let mut svc = svc.clone();
        svc.status.get_or_insert_with(Default::default).load_balancer = Some(k8s_openapi::api::core::v1::LoadBalancerStatus {
            ingress: Some(vec![k8s_openapi::api::core::v1::LoadBalancerIngress { ip: Some(ip), ..Default::default() }]),
        });
        svc.metadata.resource_version = None;
        let _ = sh.cluster.api.update_status(Object::Service(svc));
    }
    sh.cluster.settle();
}

/// An HTTP GET to a pod's port, answered by the container's simulated server.
pub fn pod_http(sh: &mut Shell, pod: &ObjectKey, port: i32, path: &str, client_ip: &str) -> HttpResult {
    let now = sh.cluster.now_ms();
    let now_str = pilothouse_engine::util::format_time(&(pilothouse_engine::clock::epoch() + chrono::Duration::milliseconds(now as i64)), "%Y-%m-%d %H:%M:%S%.9f +0000 UTC");
    let Some(rt) = sh.cluster.kubelets.pods.get(pod) else { return HttpResult::Refused };
    let mut found = None;
    for c in &rt.containers {
        if let (Stage::Running(since), Some(server)) = (&c.stage, &c.program.server) {
            if server.ports.contains(&port) && now >= since + server.ready_after_ms {
                found = Some((c.name.clone(), server.handler, now - since, c.hits));
            }
        }
    }
    let Some((cname, handler, elapsed, hits)) = found else { return HttpResult::Refused };
    let (status, body) = pilothouse_engine::kubelet::images::http_answer(handler, path, &pod.name, client_ip, elapsed, hits, &now_str);
    if let Some(c) = sh.cluster.kubelets.container_mut(pod, &cname) {
        c.hits += 1;
    }
    if status == 0 {
        return HttpResult::Response { status: 0, body: String::new() };
    }
    HttpResult::Response { status, body }
}

/// A parsed URL.
struct Url {
    host: String,
    port: u16,
    path: String,
}

fn parse_url(u: &str) -> Option<Url> {
    let (scheme, rest) = match u.split_once("://") {
        Some((s, r)) => (s.to_string(), r.to_string()),
        None => ("http".to_string(), u.to_string()),
    };
    let (hostport, path) = match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.clone(), "/".to_string()),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() => (h.to_string(), p.parse().ok()?),
        _ => (hostport.clone(), if scheme == "https" { 443 } else { 80 }),
    };
    if host.is_empty() {
        return None;
    }
    Some(Url { host, port, path })
}

fn pretty(v: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"  ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    let _ = serde::Serialize::serialize(v, &mut ser);
    String::from_utf8(buf).unwrap_or_default()
}

fn status_json(code: u16, reason: &str, message: &str, details: Option<Value>) -> String {
    let mut v = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason});
    if let Some(d) = details {
        v["details"] = d;
    }
    v["code"] = json!(code);
    pretty(&v)
}

/// Serves a path of the API server (`kubectl proxy`).
fn api_path(sh: &mut Shell, path: &str) -> HttpResult {
    let (path, _query) = path.split_once('?').unwrap_or((path, ""));
    let ok = |body: String| HttpResult::Response { status: 200, body };
    match path.trim_end_matches('/') {
        "/version" => {
            let v = sh.cluster.options.kubernetes_version.clone();
            let minor = v.split('.').nth(1).unwrap_or("32").to_string();
            return ok(pretty(&json!({"major": "1", "minor": minor, "gitVersion": v, "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53", "gitTreeState": "clean", "buildDate": "2024-12-11T17:59:15Z", "goVersion": "go1.23.3", "compiler": "gc", "platform": "linux/amd64"})));
        }
        "/healthz" | "/livez" | "/readyz" => return ok("ok".into()),
        "/api" => return ok(pretty(&json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "192.168.49.2:8443"}]}))),
        "" => return ok(pretty(&json!({"paths": ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version"]}))),
        _ => {}
    }
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    // /api/v1/... or /apis/GROUP/VERSION/...
    let (group, rest) = match segs.first() {
        Some(&"api") if segs.get(1) == Some(&"v1") => ("", &segs[2..]),
        Some(&"apis") if segs.len() >= 3 => (segs[1], &segs[3..]),
        _ => return HttpResult::Response { status: 404, body: "404 page not found\n".into() },
    };
    let (ns, rest): (Option<&str>, &[&str]) = if rest.first() == Some(&"namespaces") && rest.len() >= 3 { (Some(rest[1]), &rest[2..]) } else { (None, rest) };
    let Some(plural) = rest.first() else {
        return ok(pretty(&json!({"kind": "APIResourceList", "groupVersion": if group.is_empty() { "v1".to_string() } else { group.to_string() }})));
    };
    let Some(kind) = Kind::ALL.iter().copied().find(|k| k.info().plural == *plural && k.info().group == group) else {
        if rest.len() == 1 && ns.is_none() && *plural == "namespaces" {
            return HttpResult::Response { status: 404, body: "404 page not found\n".into() };
        }
        return HttpResult::Response { status: 404, body: "404 page not found\n".into() };
    };
    let ns_s = ns.unwrap_or("");
    match rest.len() {
        1 => {
            let items: Vec<Value> = sh.cluster.list(kind, ns).iter().map(|o| with_kind(o)).collect();
            let list = json!({"kind": format!("{}List", kind.info().kind), "apiVersion": kind.info().api_version(), "metadata": {"resourceVersion": sh.cluster.api.store.resource_version().to_string()}, "items": items});
            ok(pretty(&list))
        }
        _ => {
            let name_port = rest[1];
            let (name, port) = match name_port.rsplit_once(':') {
                Some((n, p)) => (n.trim_start_matches("http:").trim_start_matches("https:"), Some(p)),
                None => (name_port.trim_start_matches("http:").trim_start_matches("https:"), None),
            };
            let key = ObjectKey::new(kind, ns_s, name);
            let Some(obj) = sh.cluster.get(&key) else {
                return HttpResult::Response {
                    status: 404,
                    body: status_json(404, "NotFound", &format!("{} \"{name}\" not found", kind.info().resource_name()), Some(json!({"name": name, "kind": plural}))),
                };
            };
            if rest.get(2) == Some(&"proxy") {
                let sub = format!("/{}", rest[3..].join("/"));
                let sub = if path.ends_with('/') && sub != "/" { format!("{sub}/") } else { sub };
                return match kind {
                    Kind::Pod => {
                        let port_n: i32 = match port.map(|p| p.parse::<i32>()) {
                            Some(Ok(n)) => n,
                            Some(Err(_)) => return HttpResult::Response { status: 503, body: status_json(503, "ServiceUnavailable", "error trying to reach service: named ports are not supported here", None) },
                            None => 80,
                        };
                        match pod_http(sh, &key, port_n, &sub, "10.244.0.1") {
                            HttpResult::Refused => {
                                let ip = match &*obj {
                                    Object::Pod(p) => p.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default(),
                                    _ => String::new(),
                                };
                                HttpResult::Response {
                                    status: 503,
                                    body: status_json(503, "ServiceUnavailable", &format!("error trying to reach service: dial tcp {ip}:{port_n}: connect: connection refused"), None),
                                }
                            }
                            other => other,
                        }
                    }
                    Kind::Service => {
                        let p: u16 = port.and_then(|p| p.parse().ok()).unwrap_or(80);
                        cluster_http(sh, &Origin::Host, &format!("{name}.{ns_s}.svc.cluster.local"), p, &sub)
                    }
                    _ => HttpResult::Response { status: 404, body: "404 page not found\n".into() },
                };
            }
            ok(pretty(&with_kind(&obj)))
        }
    }
}

fn with_kind(o: &Object) -> Value {
    let mut v = o.to_json();
    if let Value::Object(m) = &mut v {
        let info = o.kind().info();
        let mut out = serde_json::Map::new();
        out.insert("kind".into(), json!(info.kind));
        out.insert("apiVersion".into(), json!(info.api_version()));
        for (k, val) in m.iter() {
            if k != "kind" && k != "apiVersion" {
                out.insert(k.clone(), val.clone());
            }
        }
        return Value::Object(out);
    }
    v
}

/// Resolves a host request: forwarded local ports, the proxy, then cluster networking.
fn host_request(sh: &mut Shell, url: &Url) -> HttpResult {
    let local = matches!(url.host.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0");
    if local {
        return match sh.forwards.get(&url.port).cloned() {
            Some(Forward::Proxy) => api_path(sh, &url.path),
            Some(Forward::Pod { pod, remote }) => {
                if sh.cluster.get(&pod).is_none() {
                    return HttpResult::Refused;
                }
                pod_http(sh, &pod, remote, &url.path, "127.0.0.1")
            }
            None => HttpResult::Refused,
        };
    }
    cluster_http(sh, &Origin::Host, &url.host, url.port, &url.path)
}

/// Pod IP -> pod key.
fn pod_by_ip(sh: &Shell, ip: &str) -> Option<ObjectKey> {
    sh.cluster.list(Kind::Pod, None).iter().find_map(|o| match &**o {
        Object::Pod(p) if p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) == Some(ip) && !p.spec.as_ref().and_then(|s| s.host_network).unwrap_or(false) => Some(ObjectKey::of(o)),
        _ => None,
    })
}

fn pod_request(sh: &mut Shell, from: &ObjectKey, url: &Url) -> HttpResult {
    let client_ip = match sh.cluster.get(from).as_deref() {
        Some(Object::Pod(p)) => p.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default(),
        _ => String::new(),
    };
    if matches!(url.host.as_str(), "localhost" | "127.0.0.1") {
        return pod_http(sh, from, url.port as i32, &url.path, "127.0.0.1");
    }
    if let Some(target) = pod_by_ip(sh, &url.host) {
        return pod_http(sh, &target, url.port as i32, &url.path, &client_ip);
    }
    cluster_http(sh, &Origin::Pod(from.clone()), &url.host, url.port, &url.path)
}

struct CurlOpts {
    url: Option<String>,
    silent: bool,
    include: bool,
    head: bool,
    fail: bool,
    output: Option<String>,
    wget: bool,
    wget_stdout: bool,
}

fn parse_curl(cmd: &str, args: &[String]) -> CurlOpts {
    let mut o = CurlOpts { url: None, silent: false, include: false, head: false, fail: false, output: None, wget: cmd == "wget", wget_stdout: false };
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-o" | "--output" | "-O" if o.wget || a != "-O" => {
                let v = it.next().cloned().unwrap_or_default();
                if v == "-" {
                    o.wget_stdout = true;
                } else {
                    o.output = Some(v);
                }
            }
            "-qO-" | "-O-" => {
                o.silent = true;
                o.wget_stdout = true;
            }
            "-X" | "-H" | "-d" | "--data" | "--header" | "--request" | "-m" | "--max-time" | "--connect-timeout" | "-T" | "--timeout" | "-w" | "-u" | "-A" => {
                it.next();
            }
            s if s.starts_with("--") => {
                if s == "--silent" {
                    o.silent = true;
                }
                if s == "--include" {
                    o.include = true;
                }
                if s == "--head" {
                    o.head = true;
                }
                if s == "--fail" {
                    o.fail = true;
                }
            }
            s if s.starts_with('-') && s.len() > 1 => {
                for c in s[1..].chars() {
                    match c {
                        's' | 'q' => o.silent = true,
                        'i' => o.include = true,
                        'I' => o.head = true,
                        'f' => o.fail = true,
                        'O' if o.wget => {
                            if s.ends_with("O-") {
                                o.wget_stdout = true;
                            } else if let Some(v) = it.next() {
                                if v == "-" {
                                    o.wget_stdout = true;
                                } else {
                                    o.output = Some(v.clone());
                                }
                            }
                            break;
                        }
                        '-' => {}
                        _ => {}
                    }
                }
            }
            _ => o.url = Some(a.clone()),
        }
    }
    o
}

fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn render(o: &CurlOpts, url: &Url, r: HttpResult, out: &mut Out, files: &mut Vec<(String, String)>) {
    match r {
        HttpResult::Response { status: 0, .. } => {
            if o.wget {
                out.errln("wget: error getting response: Connection reset by peer");
            } else {
                out.errln("curl: (52) Empty reply from server");
            }
            out.code = if o.wget { 1 } else { 52 };
        }
        HttpResult::Response { status, body } => {
            if o.wget {
                if status >= 400 {
                    if !o.silent {
                        out.errln(format!("Connecting to {}:{} ({}:{})", url.host, url.port, url.host, url.port));
                    }
                    out.errln(format!("wget: server returned error: HTTP/1.1 {status} {}", reason_phrase(status)));
                    out.code = 1;
                    return;
                }
                if !o.silent {
                    out.errln(format!("Connecting to {}:{} ({}:{})", url.host, url.port, url.host, url.port));
                }
                match (&o.output, o.wget_stdout) {
                    (_, true) => out.out(body),
                    (Some(f), false) => files.push((f.clone(), body)),
                    (None, false) => {
                        let name = url.path.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or("index.html").to_string();
                        files.push((name.clone(), body));
                        if !o.silent {
                            out.errln(format!("saving to '{name}'"));
                            out.errln(format!("'{name}' saved"));
                        }
                    }
                }
                return;
            }
            if o.fail && status >= 400 {
                if !o.silent {
                    out.errln(format!("curl: (22) The requested URL returned error: {status}"));
                }
                out.code = 22;
                return;
            }
            let mut text = String::new();
            if o.include || o.head {
                text.push_str(&format!("HTTP/1.1 {status} {}\r\nContent-Length: {}\r\n\r\n", reason_phrase(status), body.len()));
            }
            if !o.head {
                text.push_str(&body);
            }
            match &o.output {
                Some(f) => files.push((f.clone(), text)),
                None => out.out(text),
            }
        }
        HttpResult::Refused => {
            if o.wget {
                out.errln(format!("wget: can't connect to remote host ({}): Connection refused", url.host));
                out.code = 1;
            } else {
                out.errln(format!("curl: (7) Failed to connect to {} port {} after 0 ms: Couldn't connect to server", url.host, url.port));
                out.code = 7;
            }
        }
        HttpResult::NoHost => {
            if o.wget {
                out.errln(format!("wget: bad address '{}'", url.host));
                out.code = 1;
            } else {
                out.errln(format!("curl: (6) Could not resolve host: {}", url.host));
                out.code = 6;
            }
        }
        HttpResult::Timeout => {
            if o.wget {
                out.errln("wget: download timed out");
                out.code = 1;
            } else {
                out.errln(format!("curl: (28) Failed to connect to {} port {} after 130000 ms: Connection timed out", url.host, url.port));
                out.code = 28;
            }
        }
        HttpResult::Failed { curl, wget, code } => {
            if o.wget {
                out.errln(wget);
                out.code = 1;
            } else {
                out.errln(curl);
                out.code = code;
            }
        }
        HttpResult::Unsupported(why) => {
            out.errln(format!("{}: {why}", if o.wget { "wget" } else { "curl" }));
            out.code = if o.wget { 1 } else { 7 };
        }
    }
}

/// `curl`/`wget` typed in the terminal.
pub fn host_curl(sh: &mut Shell, cmd: &str, args: &[String]) -> Out {
    let mut out = Out::default();
    let o = parse_curl(cmd, args);
    let Some(u) = o.url.clone() else {
        if cmd == "curl" {
            out.errln("curl: try 'curl --help' or 'curl --manual' for more information");
            out.code = 2;
        } else {
            out.errln("BusyBox v1.36.1 multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...");
            out.code = 1;
        }
        return out;
    };
    let Some(url) = parse_url(&u) else {
        out.errln("curl: (3) URL rejected: Bad hostname");
        out.code = 3;
        return out;
    };
    let r = host_request(sh, &url);
    let mut files = Vec::new();
    render(&o, &url, r, &mut out, &mut files);
    for (f, t) in files {
        sh.write_file(&f, &t, false);
    }
    out
}

/// `curl`/`wget` inside a container (`kubectl exec`).
pub fn pod_curl(sh: &mut Shell, from: &ObjectKey, cmd: &str, args: &[String]) -> Out {
    let mut out = Out::default();
    let o = parse_curl(cmd, args);
    let Some(u) = o.url.clone() else {
        out.errln(if cmd == "curl" { "curl: try 'curl --help' for more information" } else { "Usage: wget [-cqS] [--spider] [-O FILE] URL..." });
        out.code = 2;
        return out;
    };
    let Some(url) = parse_url(&u) else {
        out.errln("curl: (3) URL rejected: Bad hostname");
        out.code = 3;
        return out;
    };
    let r = pod_request(sh, from, &url);
    let mut files = Vec::new();
    render(&o, &url, r, &mut out, &mut files);
    out
}

/// `nslookup NAME` inside a container.
pub fn pod_nslookup(sh: &mut Shell, from: &ObjectKey, name: &str) -> Out {
    let mut out = Out::default();
    let (text, code) = pilothouse_engine::network::dns::nslookup(&sh.cluster.api, &from.namespace, name, false);
    if code == 0 {
        out.out(text);
    } else {
        out.out(text);
        out.code = code;
    }
    out
}
