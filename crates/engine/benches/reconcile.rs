//! Reconcile cost of the whole engine: N nodes and M pods from Deployments, from `apply` to all
//! Running, reported as simulated pods per wall-clock second; then the cost of an idle tick.
//!
//! Run: `cargo bench -p pilothouse-engine --bench reconcile` (release build). Override the size
//! with `PH_BENCH_NODES` / `PH_BENCH_PODS` / `PH_BENCH_REPLICAS`; `PH_BENCH_EVENTS=1` records
//! Events and `PH_BENCH_TRACE=1` keeps scheduler traces, as the page does.

use pilothouse_engine::api::parse_manifests;
use pilothouse_engine::{Cluster, ClusterOptions, Kind, Object};
use std::time::Instant;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let nodes = env("PH_BENCH_NODES", 1000);
    let pods = env("PH_BENCH_PODS", 30_000);
    let per = env("PH_BENCH_REPLICAS", 100);
    let t0 = Instant::now();
    let mut c = Cluster::start(1, ClusterOptions { nodes, cpus: 64, memory_mb: 256 * 1024, ..Default::default() });
    c.api.record_events = std::env::var("PH_BENCH_EVENTS").is_ok();
    // Per-node traces cost allocations on every attempt; the page keeps them on (PH_BENCH_TRACE=1).
    c.scheduler.sched.set_tracing(std::env::var("PH_BENCH_TRACE").is_ok());
    println!("cluster of {nodes} nodes started in {:.2?} ({} pods)", t0.elapsed(), c.pod_count());
    let deployments = pods.div_ceil(per);
    let t1 = Instant::now();
    for i in 0..deployments {
        let yaml = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\nspec:\n  replicas: {per}\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n        resources:\n          requests: {{cpu: 10m, memory: 16Mi}}\n"
        );
        for m in parse_manifests(&yaml).expect("valid") {
            c.api.apply(m.object).expect("applied");
        }
    }
    let rounds_before = c.rounds;
    let target = deployments * per;
    let running = |c: &Cluster| {
        c.list(Kind::Pod, Some("default"))
            .iter()
            .filter(|o| matches!(&***o, Object::Pod(p) if p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")))
            .count()
    };
    let start_virtual = c.now_ms();
    let mut n = 0;
    while c.now_ms() - start_virtual < 3_600_000 {
        c.advance(5_000);
        n = running(&c);
        if n >= target {
            break;
        }
    }
    let wall = t1.elapsed();
    println!(
        "{n}/{target} pods Running after {:.2?} wall, {:.1}s virtual, {} rounds: {:.0} pods/s",
        wall,
        (c.now_ms() - start_virtual) as f64 / 1000.0,
        c.rounds - rounds_before,
        n as f64 / wall.as_secs_f64()
    );
    c.run_until_idle(3_600_000);
    // An idle cluster does no work per tick but the kubelets' heartbeats: one Lease renewal per
    // node per 10 s of virtual time, as real kubelets do.
    let rv = c.api.store.resource_version();
    let seq = c.api.store.next_seq();
    let t2 = Instant::now();
    for _ in 0..1000 {
        c.advance(1_000);
    }
    let elapsed = t2.elapsed();
    let (mut leases, mut other) = (0, 0);
    for e in c.api.store.events_since(seq).unwrap_or(&[]) {
        if e.key.kind == Kind::Lease {
            leases += 1;
        } else {
            other += 1;
        }
    }
    println!(
        "1000 idle ticks of 1 s: {:.2?} total, {} objects written (resourceVersion {} -> {}): {} Lease renewals, {} other writes",
        elapsed,
        c.api.store.resource_version() - rv,
        rv,
        c.api.store.resource_version(),
        leases,
        other
    );
    assert_eq!(other, 0, "an idle cluster writes nothing but heartbeats");
    // A tick that does not move the clock does nothing at all.
    let rv = c.api.store.resource_version();
    for _ in 0..1000 {
        c.settle();
    }
    assert_eq!(c.api.store.resource_version(), rv);
}
