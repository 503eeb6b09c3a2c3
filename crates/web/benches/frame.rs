//! The page's per-frame work, natively: the engine ticks and the cluster-map model the page
//! builds after each change, while a Deployment of many pods rolls out (the same commands as
//! `tests/browser/bench-page.mjs`). Natively the code runs ~1.5-2x faster than in wasm, so the
//! page's 10 ms engine budget per frame holds when one tick stays well under ~5 ms here.
//!
//! Run: `cargo bench -p pilothouse-web --bench frame` (release build). `PODS` / `NODES` change
//! the size (3,000 pods on 100 nodes by default).
//!
//! Runs on 2026-12-03 (2-core shared machine; bench profile without LTO, 16 codegen units, for
//! quick rebuilds while profiling), 3,000 pods on 100 nodes:
//! - before (8aff338): all 3,000 pods created, scheduled and started within a few ticks: 10 s
//!   virtual, 40 ticks, engine 1,810 ms in all, one tick up to 229 ms (p95 142 ms); view::build
//!   p50 9.4 ms. A third of it was copying: each pod's scheduler trace (100 nodes x plugins) was
//!   cloned into the trace store, and the kubelet cloned the pod, its spec and the node's image
//!   list on every step. Without those copies: 1,131 ms, max tick 113 ms.
//! - with the ReplicaSet controller paced by its client rate limit (burst 30, then 20 pods/s, as
//!   kube-controller-manager's `--kube-api-qps`/`--kube-api-burst`): 155 s virtual, 620 ticks,
//!   tick mean 11.5 ms, p50 11.6, p95 21.9, max 32.9 ms; view::build p50 4.3 ms, max 10.2 ms.
//! - with the ReplicaSet status computed from the pods its sync listed (one walk, not two) and
//!   the scheduler changes of sched-fast2 (main at 4fa8fe8): tick mean 8.2 ms, p50 7.8, p95 14.5,
//!   max 20.6 ms; view::build p50 4.0 ms, max 8.0 ms. Most of a tick is now the ReplicaSet's sync
//!   walking its 3,000 pods whenever one of them changes.
//! - with the ReplicaSet sync borrowing the stored ReplicaSet (it cloned it, template and all,
//!   four times per sync) and sharing the pods' `Arc`s instead of cloning keys, and the map's
//!   model built with a `ViewCache` (each unchanged pod's chip reused, as the page does): on a
//!   loaded machine (load 2) tick mean 9.55 -> 5.95 ms, p50 9.35 -> 5.98, p95 16.2 -> 9.2, max
//!   22.4 -> 11.8 ms; view model p50 4.0 -> 1.8 ms. The ReplicaSet sync is still a quarter of
//!   the engine's time (label selector and condition reads for every pod on every sync).

use pilothouse_web::sandbox::{Entry, Sandbox, TICK_MS};
use pilothouse_web::view;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn summary(label: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let total: Duration = v.iter().sum();
    let at = |q: f64| ms(v[((v.len() as f64 - 1.0) * q).round() as usize]);
    println!(
        "{label:<12} n={:<5} total {:>8.1} ms  mean {:>6.2} ms  p50 {:>6.2}  p95 {:>6.2}  max {:>7.2}",
        v.len(),
        ms(total),
        ms(total) / v.len() as f64,
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

fn main() {
    let pods = env("PODS", 3000);
    let nodes = env("NODES", 100);
    let mut s = Sandbox::new(1);
    let t = Instant::now();
    s.apply_entry(Entry::Cmd { line: format!("minikube start --nodes {nodes} --cpus 16 --memory 65536 -p bench") });
    println!("{nodes} nodes up in {:.2?}", t.elapsed());
    s.apply_entry(Entry::Cmd { line: format!("kubectl create deployment load --image=nginx --replicas={pods}") });
    let (mut ticks, mut builds) = (Vec::new(), Vec::new());
    let start = s.now_ms();
    let ready = |s: &Sandbox| {
        let c = &s.shell().cluster;
        c.list(pilothouse_engine::Kind::Pod, Some("default")).iter().filter(|o| {
            o.as_pod().and_then(|p| p.status.as_ref()).and_then(|st| st.conditions.as_ref()).is_some_and(|cs| {
                cs.iter().any(|c| c.type_ == "Ready" && c.status == "True")
            })
        }).count()
    };
    let mut rev = s.cluster_rev();
    let mut n = 0;
    let mut cache = view::ViewCache::default();
    while s.now_ms() - start < 30 * 60_000 {
        let t = Instant::now();
        s.advance_while(1, &|| true);
        ticks.push(t.elapsed());
        if s.cluster_rev() != rev {
            rev = s.cluster_rev();
            let t = Instant::now();
            let m = view::build_with(&s.shell().cluster, &mut cache);
            builds.push(t.elapsed());
            std::hint::black_box(m);
        }
        if ticks.len() % 20 == 0 {
            n = ready(&s);
            if n >= pods {
                break;
            }
        }
    }
    println!("{n}/{pods} pods ready after {:.1} s virtual ({} ticks of {TICK_MS} ms)", (s.now_ms() - start) as f64 / 1000.0, ticks.len());
    summary("engine tick", ticks);
    summary("view::build", builds);
}
