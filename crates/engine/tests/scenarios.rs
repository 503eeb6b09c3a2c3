//! Scenario tests of the engine: workloads, kubelet lifecycle, nodes, determinism.

use pilothouse_engine::api::parse_manifests;
use pilothouse_engine::apiserver::{DeleteOptions, PatchType, Propagation};
use pilothouse_engine::{Cluster, ClusterOptions, Kind, Object, ObjectKey};

fn apply(c: &mut Cluster, yaml: &str) {
    for m in parse_manifests(yaml).unwrap() {
        c.apply(m.object).unwrap();
    }
}

fn pods(c: &Cluster, ns: &str, prefix: &str) -> Vec<k8s_openapi::api::core::v1::Pod> {
    c.list(Kind::Pod, Some(ns))
        .into_iter()
        .filter_map(|o| match &*o {
            Object::Pod(p) if p.metadata.name.as_deref().unwrap_or("").starts_with(prefix) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

fn phase(p: &k8s_openapi::api::core::v1::Pod) -> String {
    p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default()
}

fn ready(p: &k8s_openapi::api::core::v1::Pod) -> bool {
    p.status.as_ref().and_then(|s| s.conditions.as_ref()).is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

fn rs_list(c: &Cluster, ns: &str) -> Vec<(String, i32, String)> {
    c.list(Kind::ReplicaSet, Some(ns))
        .into_iter()
        .filter_map(|o| match &*o {
            Object::ReplicaSet(rs) => Some((
                rs.metadata.name.clone().unwrap_or_default(),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0),
                rs.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.as_ref()).map(|s| s.containers[0].image.clone().unwrap_or_default()).unwrap_or_default(),
            )),
            _ => None,
        })
        .collect()
}

fn events(c: &Cluster, ns: &str, reason: &str) -> Vec<String> {
    c.list(Kind::Event, Some(ns))
        .into_iter()
        .filter_map(|o| match &*o {
            Object::Event(e) if e.reason.as_deref() == Some(reason) => e.message.clone(),
            _ => None,
        })
        .collect()
}

const HELLO: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: hello-node\n  labels:\n    app: hello-node\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: hello-node\n  template:\n    metadata:\n      labels:\n        app: hello-node\n    spec:\n      containers:\n      - name: agnhost\n        image: registry.k8s.io/e2e-test-images/agnhost:2.39\n        command: [\"/agnhost\", \"netexec\", \"--http-port=8080\"]\n";

fn scale(c: &mut Cluster, name: &str, n: i32) {
    c.patch(&ObjectKey::new(Kind::Deployment, "default", name), PatchType::Merge, &serde_json::json!({"spec": {"replicas": n}})).unwrap();
}

fn set_image(c: &mut Cluster, name: &str, container: &str, image: &str) {
    c.patch(
        &ObjectKey::new(Kind::Deployment, "default", name),
        PatchType::Strategic,
        &serde_json::json!({"spec": {"template": {"spec": {"containers": [{"name": container, "image": image}]}}}}),
    )
    .unwrap();
}

#[test]
fn hello_node_flow() {
    let mut c = Cluster::minikube(7);
    apply(&mut c, HELLO);
    let p = pods(&c, "default", "hello-node-");
    assert_eq!(p.len(), 1);
    assert_eq!(phase(&p[0]), "Pending");
    c.advance(30_000);
    let p = pods(&c, "default", "hello-node-");
    assert_eq!(phase(&p[0]), "Running");
    assert!(ready(&p[0]));
    let evs = events(&c, "default", "Scheduled");
    assert!(evs[0].starts_with("Successfully assigned default/hello-node-"), "{evs:?}");
    assert!(!events(&c, "default", "Pulled").is_empty());
    assert_eq!(events(&c, "default", "ScalingReplicaSet").len(), 1);

    scale(&mut c, "hello-node", 4);
    c.advance(30_000);
    assert_eq!(pods(&c, "default", "hello-node-").iter().filter(|p| ready(p)).count(), 4);
    scale(&mut c, "hello-node", 2);
    c.advance(60_000);
    assert_eq!(pods(&c, "default", "hello-node-").len(), 2);
    let msgs = events(&c, "default", "ScalingReplicaSet");
    assert!(msgs.iter().any(|m| m.ends_with("from 1 to 4")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.ends_with("from 4 to 2")), "{msgs:?}");

    set_image(&mut c, "hello-node", "agnhost", "registry.k8s.io/e2e-test-images/agnhost:2.40");
    c.advance(120_000);
    let rss = rs_list(&c, "default");
    assert_eq!(rss.len(), 2, "{rss:?}");
    let new = rss.iter().find(|r| r.2.ends_with("2.40")).unwrap();
    let old = rss.iter().find(|r| r.2.ends_with("2.39")).unwrap();
    assert_eq!((new.1, old.1), (2, 0));
    let p = pods(&c, "default", "hello-node-");
    assert_eq!(p.len(), 2);
    assert!(p.iter().all(|p| p.spec.as_ref().unwrap().containers[0].image.as_deref().unwrap().ends_with("2.40")));
    let Some(Object::Deployment(d)) = c.get(&ObjectKey::new(Kind::Deployment, "default", "hello-node")).map(|o| (*o).clone()) else { panic!() };
    assert_eq!(d.metadata.annotations.as_ref().unwrap()["deployment.kubernetes.io/revision"], "2");
    let st = d.status.unwrap();
    assert_eq!((st.replicas, st.updated_replicas, st.available_replicas), (Some(2), Some(2), Some(2)));
}

#[test]
fn rolling_update_respects_surge_and_unavailable_at_every_round() {
    let mut c = Cluster::start(3, ClusterOptions { nodes: 3, ..Default::default() });
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 10\n  strategy:\n    rollingUpdate:\n      maxSurge: 3\n      maxUnavailable: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n        readinessProbe:\n          httpGet: {path: /, port: 80}\n          periodSeconds: 2\n";
    apply(&mut c, yaml);
    c.advance(60_000);
    assert_eq!(pods(&c, "default", "web-").iter().filter(|p| ready(p)).count(), 10);
    set_image(&mut c, "web", "nginx", "nginx:1.27");
    let mut max_total = 0;
    let mut min_ready = usize::MAX;
    for _ in 0..2000 {
        if !c.has_work() {
            match c.api.clock.next_timer() {
                Some(t) => c.api.clock.set_now(t),
                None => break,
            }
        }
        c.step();
        let p = pods(&c, "default", "web-");
        let active: Vec<_> = p.iter().filter(|p| p.metadata.deletion_timestamp.is_none()).collect();
        max_total = max_total.max(active.len());
        min_ready = min_ready.min(p.iter().filter(|p| ready(p) && p.metadata.deletion_timestamp.is_none()).count());
        let done = active.len() == 10 && active.iter().all(|p| p.spec.as_ref().unwrap().containers[0].image.as_deref() == Some("nginx:1.27") && ready(p));
        if done {
            break;
        }
    }
    assert!(max_total <= 13, "surge exceeded: {max_total}");
    assert!(min_ready >= 8, "unavailable exceeded: {min_ready}");
    let p = pods(&c, "default", "web-");
    assert!(p.iter().filter(|p| p.metadata.deletion_timestamp.is_none()).all(|p| p.spec.as_ref().unwrap().containers[0].image.as_deref() == Some("nginx:1.27")));
}

#[test]
fn crashloop_backoff_doubles() {
    let mut c = Cluster::minikube(1);
    apply(&mut c, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crash\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    command: [\"sh\", \"-c\", \"sleep 1; exit 1\"]\n");
    let restarts = |c: &Cluster| -> i32 {
        match c.get(&ObjectKey::new(Kind::Pod, "default", "crash")).as_deref() {
            Some(Object::Pod(p)) => p.status.as_ref().and_then(|s| s.container_statuses.as_ref()).map(|s| s[0].restart_count).unwrap_or(0),
            _ => -1,
        }
    };
    let waiting = |c: &Cluster| -> String {
        match c.get(&ObjectKey::new(Kind::Pod, "default", "crash")).as_deref() {
            Some(Object::Pod(p)) => p.status.as_ref().and_then(|s| s.container_statuses.as_ref()).and_then(|s| s[0].state.as_ref()?.waiting.as_ref()?.reason.clone()).unwrap_or_default(),
            _ => String::new(),
        }
    };
    // Record when each restart happens.
    let mut times = Vec::new();
    let mut last = 0;
    let start = c.now_ms();
    while c.now_ms() - start < 200_000 {
        c.advance(500);
        let r = restarts(&c);
        if r != last {
            times.push(c.now_ms() - start);
            last = r;
        }
    }
    assert!(times.len() >= 4, "{times:?}");
    // Gaps between restarts grow: ~1 s run + 0, 10, 20, 40 s back-off.
    let gaps: Vec<u64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps[0] >= 10_000 && gaps[0] < 14_000, "{gaps:?}");
    assert!(gaps[1] >= 20_000 && gaps[1] < 24_000, "{gaps:?}");
    assert!(gaps[2] >= 40_000 && gaps[2] < 44_000, "{gaps:?}");
    c.advance(500);
    assert!(["CrashLoopBackOff", ""].contains(&waiting(&c).as_str()));
    assert!(!events(&c, "default", "BackOff").is_empty());
}

#[test]
fn oom_killed_at_memory_limit() {
    let mut c = Cluster::minikube(1);
    apply(&mut c, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: memory-demo-2\nspec:\n  containers:\n  - name: memory-demo-2-ctr\n    image: polinux/stress\n    resources:\n      requests:\n        memory: \"50Mi\"\n      limits:\n        memory: \"100Mi\"\n    command: [\"stress\"]\n    args: [\"--vm\", \"1\", \"--vm-bytes\", \"250M\", \"--vm-hang\", \"1\"]\n");
    c.advance(20_000);
    let Some(Object::Pod(p)) = c.get(&ObjectKey::new(Kind::Pod, "default", "memory-demo-2")).map(|o| (*o).clone()) else { panic!() };
    let cs = &p.status.unwrap().container_statuses.unwrap()[0];
    let term = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()).or(cs.state.as_ref().and_then(|s| s.terminated.as_ref())).expect("terminated");
    assert_eq!(term.reason.as_deref(), Some("OOMKilled"));
    assert_eq!(term.exit_code, 137);
}

#[test]
fn failing_readiness_keeps_pod_running_not_ready() {
    let mut c = Cluster::minikube(1);
    apply(&mut c, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: r\nspec:\n  containers:\n  - name: web\n    image: nginx\n    readinessProbe:\n      httpGet: {path: /healthz, port: 80}\n      periodSeconds: 5\n");
    c.advance(60_000);
    let Some(Object::Pod(p)) = c.get(&ObjectKey::new(Kind::Pod, "default", "r")).map(|o| (*o).clone()) else { panic!() };
    assert_eq!(phase(&p), "Running");
    assert!(!ready(&p));
    let un = events(&c, "default", "Unhealthy");
    assert!(un.iter().any(|m| m == "Readiness probe failed: HTTP probe failed with statuscode: 404"), "{un:?}");
}

#[test]
fn liveness_failure_restarts_container() {
    let mut c = Cluster::minikube(1);
    apply(&mut c, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: liveness-exec\nspec:\n  containers:\n  - name: liveness\n    image: registry.k8s.io/busybox\n    args:\n    - /bin/sh\n    - -c\n    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600\n    livenessProbe:\n      exec:\n        command:\n        - cat\n        - /tmp/healthy\n      initialDelaySeconds: 5\n      periodSeconds: 5\n");
    c.advance(30_000);
    let restarts = |c: &Cluster| match c.get(&ObjectKey::new(Kind::Pod, "default", "liveness-exec")).as_deref() {
        Some(Object::Pod(p)) => p.status.as_ref().unwrap().container_statuses.as_ref().unwrap()[0].restart_count,
        _ => -1,
    };
    assert_eq!(restarts(&c), 0);
    // The third failure comes ~15 s after the file goes; the kill then takes the grace period
    // (30 s: `sh` as PID 1 ignores SIGTERM), so the container is still running a while.
    c.advance(30_000);
    assert!(events(&c, "default", "Killing").iter().any(|m| m == "Container liveness failed liveness probe, will be restarted"));
    assert_eq!(restarts(&c), 0);
    c.advance(30_000);
    assert_eq!(restarts(&c), 1);
    let last = match c.get(&ObjectKey::new(Kind::Pod, "default", "liveness-exec")).as_deref() {
        Some(Object::Pod(p)) => p.status.as_ref().unwrap().container_statuses.as_ref().unwrap()[0].last_state.clone().unwrap().terminated.unwrap(),
        _ => panic!(),
    };
    assert_eq!(last.exit_code, 137);
    // It ran from its start to the SIGKILL: 30 s file + 3 probes + 30 s grace, about 75 s.
    let ran = (last.finished_at.unwrap().0 - last.started_at.unwrap().0).num_seconds();
    assert!((70..=80).contains(&ran), "{ran}");
    let un = events(&c, "default", "Unhealthy");
    assert!(un.iter().any(|m| m.starts_with("Liveness probe failed: cat: can't open '/tmp/healthy'")), "{un:?}");
    assert!(events(&c, "default", "Killing").iter().any(|m| m == "Container liveness failed liveness probe, will be restarted"));
}

#[test]
fn unknown_tag_fails_with_image_pull_backoff() {
    let mut c = Cluster::minikube(1);
    apply(&mut c, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: web\n    image: nginx:1.999\n");
    c.advance(3_000);
    let reason = |c: &Cluster| match c.get(&ObjectKey::new(Kind::Pod, "default", "bad")).as_deref() {
        Some(Object::Pod(p)) => p.status.as_ref().unwrap().container_statuses.as_ref().unwrap()[0].state.as_ref().unwrap().waiting.as_ref().unwrap().reason.clone().unwrap(),
        _ => String::new(),
    };
    assert_eq!(reason(&c), "ImagePullBackOff");
    assert!(events(&c, "default", "Failed").iter().any(|m| m == "Error: ErrImagePull"));
}

#[test]
fn cascading_delete_and_orphan() {
    let mut c = Cluster::minikube(1);
    apply(&mut c, HELLO);
    c.advance(20_000);
    c.delete(&ObjectKey::new(Kind::Deployment, "default", "hello-node"), &DeleteOptions::default()).unwrap();
    c.advance(60_000);
    assert!(rs_list(&c, "default").is_empty());
    assert!(pods(&c, "default", "hello-node-").is_empty());

    apply(&mut c, HELLO);
    c.advance(20_000);
    c.delete(&ObjectKey::new(Kind::Deployment, "default", "hello-node"), &DeleteOptions { propagation: Propagation::Orphan, ..Default::default() }).unwrap();
    c.advance(20_000);
    let rss = rs_list(&c, "default");
    assert_eq!(rss.len(), 1);
    let Some(Object::ReplicaSet(rs)) = c.get(&ObjectKey::new(Kind::ReplicaSet, "default", &rss[0].0)).map(|o| (*o).clone()) else { panic!() };
    assert!(rs.metadata.owner_references.is_none());
    assert_eq!(pods(&c, "default", "hello-node-").len(), 1);
}

#[test]
fn stopped_node_goes_not_ready() {
    let mut c = Cluster::start(1, ClusterOptions { nodes: 2, ..Default::default() });
    assert!(c.stop_node("minikube-m02"));
    c.advance(30_000);
    let ready = |c: &Cluster| match c.get(&ObjectKey::new(Kind::Node, "", "minikube-m02")).as_deref() {
        Some(Object::Node(n)) => n.status.as_ref().unwrap().conditions.as_ref().unwrap().iter().find(|c| c.type_ == "Ready").unwrap().status.clone(),
        _ => String::new(),
    };
    assert_eq!(ready(&c), "True");
    c.advance(15_000);
    assert_eq!(ready(&c), "Unknown");
    c.start_node("minikube-m02");
    assert_eq!(ready(&c), "True");
}

#[test]
fn kubelets_renew_their_node_leases() {
    let mut c = Cluster::start(1, ClusterOptions { nodes: 2, ..Default::default() });
    let lease = |c: &Cluster, node: &str| match c.get(&ObjectKey::new(Kind::Lease, "kube-node-lease", node)).as_deref() {
        Some(Object::Lease(l)) => Some(l.clone()),
        _ => None,
    };
    let renewed_ago = |c: &Cluster, node: &str| {
        let l = lease(c, node).unwrap();
        (c.api.clock.now() - l.spec.unwrap().renew_time.unwrap().0).num_milliseconds()
    };
    let l = lease(&c, "minikube").expect("the kubelet creates its Lease");
    let spec = l.spec.clone().unwrap();
    assert_eq!(spec.holder_identity.as_deref(), Some("minikube"));
    assert_eq!(spec.lease_duration_seconds, Some(40));
    let owner = &l.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!((owner.kind.as_str(), owner.name.as_str()), ("Node", "minikube"));
    assert!(lease(&c, "minikube-m02").is_some());
    // The renewal follows the clock: never older than 10 s on a running node.
    for _ in 0..6 {
        c.advance(7_000);
        assert!(renewed_ago(&c, "minikube") < 10_000);
    }
    // A clock that stands still writes nothing.
    let rv = c.api.store.resource_version();
    c.settle();
    c.settle();
    assert_eq!(c.api.store.resource_version(), rv);
    // A stopped kubelet stops renewing; started again, it renews at once.
    assert!(c.stop_node("minikube-m02"));
    c.advance(60_000);
    assert!(renewed_ago(&c, "minikube-m02") >= 60_000);
    assert!(renewed_ago(&c, "minikube") < 10_000);
    c.start_node("minikube-m02");
    assert!(renewed_ago(&c, "minikube-m02") < 10_000);
    // Deleting the node collects its Lease.
    assert!(c.remove_node("minikube-m02"));
    c.advance(5_000);
    assert!(lease(&c, "minikube-m02").is_none());
}

#[test]
fn namespace_delete_removes_contents() {
    let mut c = Cluster::minikube(1);
    apply(&mut c, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n");
    apply(&mut c, &HELLO.replace("  name: hello-node\n  labels", "  name: hello-node\n  namespace: team\n  labels"));
    c.advance(20_000);
    assert_eq!(pods(&c, "team", "hello-node-").len(), 1);
    c.delete(&ObjectKey::new(Kind::Namespace, "", "team"), &DeleteOptions::default()).unwrap();
    c.advance(60_000);
    assert!(c.get(&ObjectKey::new(Kind::Namespace, "", "team")).is_none());
    assert!(pods(&c, "team", "").is_empty());
}

fn event_log(seed: u64) -> String {
    let mut c = Cluster::minikube(seed);
    apply(&mut c, HELLO);
    c.advance(10_000);
    scale(&mut c, "hello-node", 3);
    c.advance(30_000);
    set_image(&mut c, "hello-node", "agnhost", "registry.k8s.io/e2e-test-images/agnhost:2.40");
    c.advance(60_000);
    let mut out = String::new();
    for e in c.api.store.events_since(0).unwrap_or(&[]) {
        out.push_str(&format!("{} {} {} {}\n", e.rv, e.event_type.wire(), e.key, serde_json::to_string(&e.object.to_json()).unwrap()));
    }
    out
}

#[test]
fn same_seed_same_log() {
    let a = event_log(42);
    let b = event_log(42);
    assert!(a.len() > 1000);
    assert_eq!(a, b);
    assert_ne!(a, event_log(43));
}

#[test]
fn static_pods_become_mirror_pods() {
    let mut c = Cluster::minikube(1);
    c.put_static_manifest("minikube", "static-web.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: static-web\n  labels:\n    role: myrole\nspec:\n  containers:\n  - name: web\n    image: nginx\n    ports:\n    - name: web\n      containerPort: 80\n").unwrap();
    c.advance(20_000);
    let p = pods(&c, "default", "static-web-minikube");
    assert_eq!(p.len(), 1);
    assert_eq!(phase(&p[0]), "Running");
    assert_eq!(p[0].metadata.owner_references.as_ref().unwrap()[0].kind, "Node");
    // Deleting the mirror pod through the API brings it back: the kubelet owns it.
    c.delete(&ObjectKey::new(Kind::Pod, "default", "static-web-minikube"), &DeleteOptions::default()).unwrap();
    c.advance(20_000);
    assert_eq!(pods(&c, "default", "static-web-minikube").len(), 1);
    // Removing the manifest removes the pod.
    assert!(c.remove_static_manifest("minikube", "static-web.yaml"));
    c.advance(40_000);
    assert!(pods(&c, "default", "static-web-minikube").is_empty());
}

#[test]
fn memory_pressure_evicts_best_effort_first() {
    let mut c = Cluster::minikube(1);
    for (name, res) in [
        ("guaranteed", "requests: {cpu: 100m, memory: 200Mi}\n      limits: {cpu: 100m, memory: 200Mi}"),
        ("burstable", "requests: {memory: 100Mi}"),
        ("besteffort", "{}"),
    ] {
        // The BestEffort pod uses the most memory beyond its (zero) request.
        let image = if name == "besteffort" { "polinux/stress\n    command: [stress, --vm, '1', --vm-bytes, 50M]" } else { "nginx" };
        apply(&mut c, &format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: c\n    image: {image}\n    resources:\n      {res}\n"));
    }
    c.advance(20_000);
    // Fill the node's memory until only a little is left.
    let cap: u64 = 3900 * 1024 * 1024;
    let used = c.kubelets.node_memory_used(&c.api, "minikube");
    assert!(c.set_node_extra_memory("minikube", cap - used - 95 * 1024 * 1024));
    c.advance(5_000);
    let reason = |c: &Cluster, n: &str| match c.get(&ObjectKey::new(Kind::Pod, "default", n)).as_deref() {
        Some(Object::Pod(p)) => p.status.as_ref().and_then(|s| s.reason.clone()).unwrap_or_default(),
        _ => "gone".into(),
    };
    assert_eq!(reason(&c, "besteffort"), "Evicted");
    assert_eq!(reason(&c, "burstable"), "");
    assert_eq!(reason(&c, "guaranteed"), "");
    assert!(events(&c, "default", "Evicted")[0].starts_with("The node was low on resource: memory."));
}

mod rolling_property {
    use super::*;
    use proptest::prelude::*;

    fn resolve(v: &str, replicas: i32, up: bool) -> i32 {
        match v.strip_suffix('%') {
            Some(p) => {
                let x = p.parse::<f64>().unwrap() * replicas as f64 / 100.0;
                if up { x.ceil() as i32 } else { x.floor() as i32 }
            }
            None => v.parse().unwrap(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

        /// At every reconcile round of a rollout: active pods <= replicas + maxSurge and
        /// available (ready, not terminating) pods >= replicas - maxUnavailable.
        #[test]
        fn rollout_bounds_hold(replicas in 1i32..8, surge in prop::sample::select(vec!["0", "1", "2", "25%", "50%"]), unavail in prop::sample::select(vec!["0", "1", "25%", "50%"]), seed in 0u64..1000) {
            let (s, u) = (resolve(surge, replicas, true), resolve(unavail, replicas, false));
            prop_assume!(s + u > 0);
            let mut c = Cluster::start(seed, ClusterOptions { nodes: 2, ..Default::default() });
            let yaml = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {replicas}\n  strategy:\n    rollingUpdate:\n      maxSurge: {surge:?}\n      maxUnavailable: {unavail:?}\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n");
            let yaml = yaml.replace("\"0\"", "0").replace("\"1\"", "1").replace("\"2\"", "2");
            apply(&mut c, &yaml);
            c.advance(60_000);
            set_image(&mut c, "web", "nginx", "nginx:1.27");
            let mut finished = false;
            for _ in 0..5000 {
                if !c.has_work() {
                    match c.api.clock.next_timer() {
                        Some(t) => c.api.clock.set_now(t),
                        None => break,
                    }
                }
                c.step();
                let p = pods(&c, "default", "web-");
                let active: Vec<_> = p.iter().filter(|p| p.metadata.deletion_timestamp.is_none()).collect();
                prop_assert!(active.len() as i32 <= replicas + s, "{} active > {} + {}", active.len(), replicas, s);
                let avail = active.iter().filter(|p| ready(p)).count() as i32;
                prop_assert!(avail >= replicas - u, "{} available < {} - {}", avail, replicas, u);
                if active.len() as i32 == replicas && active.iter().all(|p| p.spec.as_ref().unwrap().containers[0].image.as_deref() == Some("nginx:1.27") && ready(p)) {
                    finished = true;
                    break;
                }
            }
            prop_assert!(finished, "rollout did not finish");
        }
    }
}

#[test]
fn stuck_rollout_exceeds_its_progress_deadline() {
    let mut c = Cluster::minikube(1);
    apply(&mut c, &HELLO.replace("  replicas: 1\n", "  replicas: 2\n"));
    c.advance(30_000);
    set_image(&mut c, "hello-node", "agnhost", "registry.k8s.io/e2e-test-images/agnhost:9.99");
    let progressing = |c: &Cluster| match c.get(&ObjectKey::new(Kind::Deployment, "default", "hello-node")).as_deref() {
        Some(Object::Deployment(d)) => d.status.as_ref().unwrap().conditions.as_ref().unwrap().iter().find(|c| c.type_ == "Progressing").map(|c| (c.status.clone(), c.reason.clone().unwrap_or_default())).unwrap(),
        _ => panic!(),
    };
    c.advance(30_000);
    assert_eq!(progressing(&c), ("True".to_string(), "ReplicaSetUpdated".to_string()));
    c.advance(600_000);
    assert_eq!(progressing(&c), ("False".to_string(), "ProgressDeadlineExceeded".to_string()));
}

#[test]
fn a_large_scale_up_is_paced_by_the_controllers_client_rate_limit() {
    // kube-controller-manager's client: burst 30, then 20 requests per second.
    let mut c = Cluster::start(4, ClusterOptions { nodes: 2, cpus: 64, memory_mb: 256 * 1024, ..Default::default() });
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\nspec:\n  replicas: 200\n  selector:\n    matchLabels: {app: big}\n  template:\n    metadata:\n      labels: {app: big}\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.25\n        resources:\n          requests: {cpu: 10m, memory: 16Mi}\n";
    apply(&mut c, yaml);
    c.settle();
    assert_eq!(pods(&c, "default", "big-").len(), 30, "the first burst");
    c.advance(1_000);
    assert_eq!(pods(&c, "default", "big-").len(), 50, "20 more per second");
    c.advance(9_000);
    assert_eq!(pods(&c, "default", "big-").len(), 200);
    // Scaling down is metered the same way.
    scale(&mut c, "big", 0);
    c.settle();
    let live = |c: &Cluster| pods(c, "default", "big-").iter().filter(|p| p.metadata.deletion_timestamp.is_none()).count();
    assert_eq!(live(&c), 170);
    c.advance(2_000);
    assert_eq!(live(&c), 130);
    c.advance(60_000);
    assert_eq!(pods(&c, "default", "big-").len(), 0);
}
