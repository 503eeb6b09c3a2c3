//! Scenario tests for Services, Endpoints, DNS, simulated HTTP, NodePort, tunnel and Ingress.

use pilothouse_engine::api::parse_manifests;
use pilothouse_engine::network::{self, DnsAnswer, NetError, Origin};
use pilothouse_engine::{Cluster, Kind, Object, ObjectKey};
use std::collections::BTreeMap;

fn apply(c: &mut Cluster, yaml: &str) {
    for m in parse_manifests(yaml).unwrap() {
        c.apply(m.object).unwrap();
    }
}

fn pods_with(c: &Cluster, label: &str) -> Vec<ObjectKey> {
    c.list(Kind::Pod, Some("default"))
        .iter()
        .filter(|o| o.metadata().labels.as_ref().is_some_and(|l| l.get("app").map(String::as_str) == Some(label)))
        .map(|o| ObjectKey::of(o))
        .collect()
}

const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n        ports: [{containerPort: 80, name: http}]\n        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 1, failureThreshold: 1}\n";
const CLIENT: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: client}\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    command: [sleep, '3600']\n";

fn cluster_with_web(svc_type: &str) -> Cluster {
    let mut c = Cluster::minikube(7);
    apply(&mut c, WEB);
    apply(&mut c, CLIENT);
    apply(&mut c, &format!("apiVersion: v1\nkind: Service\nmetadata: {{name: web}}\nspec:\n  type: {svc_type}\n  selector: {{app: web}}\n  ports: [{{port: 80, targetPort: http}}]\n"));
    c.advance(30_000);
    c
}

fn endpoints(c: &Cluster, name: &str) -> (Vec<String>, Vec<String>) {
    let Some(o) = c.get(&ObjectKey::new(Kind::Endpoints, "default", name)) else { return (vec![], vec![]) };
    let Object::Endpoints(e) = &*o else { panic!() };
    let ready = e.subsets.iter().flatten().flat_map(|s| s.addresses.iter().flatten()).map(|a| a.ip.clone()).collect();
    let not_ready = e.subsets.iter().flatten().flat_map(|s| s.not_ready_addresses.iter().flatten()).map(|a| a.ip.clone()).collect();
    (ready, not_ready)
}

fn cluster_ip(c: &Cluster, name: &str) -> String {
    match &*c.get(&ObjectKey::new(Kind::Service, "default", name)).unwrap() {
        Object::Service(s) => s.spec.as_ref().unwrap().cluster_ip.clone().unwrap(),
        _ => unreachable!(),
    }
}

#[test]
fn cluster_ips_are_allocated_like_the_apiserver() {
    let c = cluster_with_web("ClusterIP");
    assert_eq!(cluster_ip(&c, "kubernetes"), "10.96.0.1");
    let ip = cluster_ip(&c, "web");
    assert!(ip.starts_with("10.") && ip != "10.96.0.1" && ip != "10.96.0.10", "{ip}");
    let mut c = c;
    let err = c.create(parse_manifests("apiVersion: v1\nkind: Service\nmetadata: {name: dup}\nspec: {clusterIP: 10.96.0.10, ports: [{port: 80}]}\n").unwrap().remove(0).object).unwrap_err();
    assert!(err.to_string().contains("provided IP is already allocated"), "{err}");
}

#[test]
fn endpoints_slices_dns_and_load_balancing() {
    let mut c = cluster_with_web("ClusterIP");
    let (ready, not_ready) = endpoints(&c, "web");
    assert_eq!(ready.len(), 3, "{ready:?}");
    assert!(not_ready.is_empty());
    let slices: Vec<_> = c.list(Kind::EndpointSlice, Some("default")).into_iter().filter(|o| o.metadata().name.as_deref().unwrap().starts_with("web-")).collect();
    assert_eq!(slices.len(), 1);
    let ip = cluster_ip(&c, "web");
    assert_eq!(network::resolve(&c.api, Some("default"), "web"), Some(DnsAnswer::A { name: "web.default.svc.cluster.local".into(), ips: vec![ip.clone()] }));
    assert_eq!(network::resolve(&c.api, None, "web"), None);
    let client = ObjectKey::new(Kind::Pod, "default", "client");
    let mut served: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..30 {
        let r = c.http_get(Origin::Pod(client.clone()), "http://web").unwrap();
        assert_eq!(r.status, 200);
        assert!(r.body.contains("Welcome to nginx!"));
        *served.entry(r.pod.unwrap().name).or_default() += 1;
    }
    assert_eq!(served.len(), 3, "requests spread over all replicas: {served:?}");
    let first = pods_with(&c, "web").remove(0);
    let logs = c.kubelets.logs(&first, "nginx", false).unwrap().to_vec();
    assert!(logs.iter().any(|l| l.contains("\"GET / HTTP/1.1\" 200 615 \"-\" \"curl/8.5.0\" \"-\"")), "{logs:?}");
    // From the host, ClusterIPs are not routed (minikube docker driver).
    let e = c.http_get(Origin::Host, &format!("http://{ip}")).unwrap_err();
    assert!(matches!(e, NetError::Timeout { .. }), "{e}");
    let e = c.http_get(Origin::Pod(client.clone()), "http://nosuch").unwrap_err();
    assert_eq!(e.to_string(), "curl: (6) Could not resolve host: nosuch");
    let (out, code) = network::dns::nslookup(&c.api, "default", "web", false);
    assert_eq!(code, 0);
    assert!(out.contains("Name:\tweb.default.svc.cluster.local\nAddress: "), "{out}");
}

#[test]
fn readiness_failure_removes_a_pod_from_endpoints_and_nodeport_traffic() {
    let mut c = cluster_with_web("NodePort");
    let np = match &*c.get(&ObjectKey::new(Kind::Service, "default", "web")).unwrap() {
        Object::Service(s) => s.spec.as_ref().unwrap().ports.as_ref().unwrap()[0].node_port.unwrap(),
        _ => unreachable!(),
    };
    assert!((30000..=32767).contains(&np));
    let url = format!("http://192.168.49.2:{np}/");
    assert_eq!(c.http_get(Origin::Host, &url).unwrap().status, 200);
    assert_eq!(c.service_urls("default", "web").unwrap(), vec![format!("http://192.168.49.2:{np}")]);
    let victim = pods_with(&c, "web").remove(0);
    c.kubelets.container_mut(&victim, "nginx").unwrap().fail_readiness = true;
    c.advance(5_000);
    let (ready, not_ready) = endpoints(&c, "web");
    assert_eq!((ready.len(), not_ready.len()), (2, 1));
    for _ in 0..20 {
        let r = c.http_get(Origin::Host, &url).unwrap();
        assert_ne!(r.pod.as_ref(), Some(&victim));
    }
    // Scale to zero: connection refused.
    c.patch(&ObjectKey::new(Kind::Deployment, "default", "web"), pilothouse_engine::apiserver::PatchType::Merge, &serde_json::json!({"spec": {"replicas": 0}})).unwrap();
    c.advance(40_000);
    let e = c.http_get(Origin::Host, &url).unwrap_err();
    assert_eq!(e.to_string(), format!("curl: (7) Failed to connect to 192.168.49.2 port {np} after 0 ms: Couldn't connect to server"));
}

#[test]
fn load_balancer_pending_until_tunnel() {
    let mut c = cluster_with_web("LoadBalancer");
    let lb = |c: &Cluster| match &*c.get(&ObjectKey::new(Kind::Service, "default", "web")).unwrap() {
        Object::Service(s) => s.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|l| l.ingress.clone()),
        _ => unreachable!(),
    };
    assert_eq!(lb(&c), None);
    let ip = cluster_ip(&c, "web");
    assert!(matches!(c.http_get(Origin::Host, &format!("http://{ip}")), Err(NetError::Timeout { .. })));
    c.tunnel(true);
    assert_eq!(lb(&c).unwrap()[0].ip.as_deref(), Some(ip.as_str()));
    assert_eq!(c.http_get(Origin::Host, &format!("http://{ip}")).unwrap().status, 200);
}

#[test]
fn headless_service_dns_returns_pod_ips() {
    let mut c = Cluster::minikube(3);
    apply(&mut c, "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  clusterIP: None\n  selector: {app: db}\n  ports: [{port: 80}]\n");
    for i in 0..2 {
        apply(&mut c, &format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: db-{i}, labels: {{app: db}}}}\nspec:\n  hostname: db-{i}\n  subdomain: db\n  containers: [{{name: n, image: 'nginx:1.25'}}]\n"));
    }
    c.advance(30_000);
    let ips: Vec<String> = c.list(Kind::Pod, Some("default")).iter().filter_map(|o| match &**o {
        Object::Pod(p) => p.status.as_ref()?.pod_ip.clone(),
        _ => None,
    }).collect();
    match network::resolve(&c.api, Some("default"), "db").unwrap() {
        DnsAnswer::A { ips: got, .. } => {
            let mut want = ips.clone();
            want.sort();
            let mut got = got;
            got.sort();
            assert_eq!(got, want);
        }
        other => panic!("{other:?}"),
    }
    match network::resolve(&c.api, Some("default"), "db-1.db.default.svc.cluster.local").unwrap() {
        DnsAnswer::A { ips: got, .. } => assert_eq!(got.len(), 1),
        other => panic!("{other:?}"),
    }
    assert_eq!(cluster_ip(&c, "db"), "None");
}

#[test]
fn ingress_routes_by_host_and_path() {
    let mut c = cluster_with_web("ClusterIP");
    c.enable_ingress_addon().unwrap();
    c.advance(60_000);
    let ctl: Vec<_> = c.list(Kind::Pod, Some("ingress-nginx"));
    assert_eq!(ctl.len(), 1);
    apply(&mut c, "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  rules:\n  - host: hello.example\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend: {service: {name: web, port: {number: 80}}}\n");
    c.advance(5_000);
    let addr = match &*c.get(&ObjectKey::new(Kind::Ingress, "default", "web")).unwrap() {
        Object::Ingress(i) => i.status.as_ref().unwrap().load_balancer.as_ref().unwrap().ingress.as_ref().unwrap()[0].ip.clone(),
        _ => unreachable!(),
    };
    assert_eq!(addr.as_deref(), Some("192.168.49.2"));
    let req = network::HttpRequest::get("http://192.168.49.2/").header("Host", "hello.example");
    let r = c.http_request(Origin::Host, &req).unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Welcome to nginx!"));
    let r = c.http_get(Origin::Host, "http://192.168.49.2/").unwrap();
    assert_eq!(r.status, 404);
    assert!(r.body.contains("<center><h1>404 Not Found</h1></center>"));
}

#[test]
fn same_seed_same_answers() {
    let run = || {
        let mut c = cluster_with_web("NodePort");
        let client = ObjectKey::new(Kind::Pod, "default", "client");
        (0..10).map(|_| c.http_get(Origin::Pod(client.clone()), "http://web").unwrap().pod.unwrap().name).collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}
