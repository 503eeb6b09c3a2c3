//! Scheduler throughput: pods scheduled per second with the default plugins, tracing off.
//! Run with `cargo bench -p pilothouse-engine --bench scheduler`.

use k8s_openapi::api::core::v1::{Node, Pod};
use pilothouse_engine::scheduler::framework::Profile;
use pilothouse_engine::scheduler::plugins::volume_binding::NoVolumes;
use pilothouse_engine::scheduler::{ScheduleOutcome, Scheduler};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

fn node(i: usize) -> Node {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("node-{i:05}"), "labels": {
            "kubernetes.io/hostname": format!("node-{i:05}"),
            "topology.kubernetes.io/zone": format!("zone-{}", i % 3)}},
        "status": {"allocatable": {"cpu": "64", "memory": "256Gi", "pods": "110"},
                   "images": [{"names": ["nginx:1.25"], "sizeBytes": 150_000_000}]}
    }))
    .unwrap()
}

fn pod(i: usize, owned: bool) -> Pod {
    let mut v = serde_json::json!({
        "metadata": {"name": format!("web-{i}"), "namespace": "default", "labels": {"app": format!("app-{}", i % 50)}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.25",
                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}
    });
    if owned {
        v["metadata"]["ownerReferences"] = serde_json::json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "name": format!("rs-{}", i % 50), "uid": format!("uid-{}", i % 50), "controller": true}]);
    }
    serde_json::from_value(v).unwrap()
}

fn run(nodes: usize, existing: usize, measured: usize, owned: bool) {
    let mut s = Scheduler::new(Profile::default());
    s.set_tracing(false);
    for i in 0..nodes {
        s.cache.add_node(&node(i));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    // Fill the cluster through the scheduler itself (these pods are assumed in the cache).
    let t0 = Instant::now();
    for i in 0..existing {
        let _ = s.schedule_one(&pod(i, owned), &NoVolumes, 0, &mut rng);
    }
    let fill = t0.elapsed();
    let pods: Vec<Pod> = (existing..existing + measured).map(|i| pod(i, owned)).collect();
    let t1 = Instant::now();
    let mut ok = 0;
    for p in &pods {
        if matches!(s.schedule_one(p, &NoVolumes, 0, &mut rng), ScheduleOutcome::Scheduled { .. }) {
            ok += 1;
        }
    }
    let dt = t1.elapsed();
    let evaluated = pilothouse_engine::scheduler::num_feasible_nodes_to_find(None, nodes);
    let per_pod = dt.as_secs_f64() / measured as f64;
    println!(
        "{:>5} nodes, {:>6} existing pods ({}): {:>9.0} pods/s (fill {:>8.0} pods/s), {:>6.1} us/pod, {:>5.0} ns per (pod x node) over {} nodes evaluated, {}/{} scheduled",
        nodes,
        existing,
        if owned { "ReplicaSet-owned, default spreading" } else { "bare pods" },
        measured as f64 / dt.as_secs_f64(),
        existing as f64 / fill.as_secs_f64(),
        per_pod * 1e6,
        per_pod * 1e9 / evaluated as f64,
        evaluated,
        ok,
        measured
    );
}

fn main() {
    for owned in [false, true] {
        run(100, 10_000, 1_000, owned);
        run(1_000, 10_000, 5_000, owned);
        run(1_000, 30_000, 5_000, owned);
        run(5_000, 30_000, 2_000, owned);
    }
}
