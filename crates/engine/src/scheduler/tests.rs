//! End-to-end tests of the scheduling cycle: messages, selection, preemption, determinism.

use super::plugins::volume_binding::NoVolumes;
use super::testutil::{node_yaml, pod};
use super::*;
use k8s_openapi::api::core::v1::Node;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn sched(nodes: &[String], pods: &[String]) -> Scheduler {
    let mut s = Scheduler::new(Profile::default());
    for n in nodes {
        let n: Node = serde_yaml::from_str(n).unwrap();
        s.on_node_upsert(&n, 0);
    }
    for p in pods {
        s.on_pod_add(&pod(p), 0);
    }
    s
}

fn bound(name: &str, node: &str, cpu: &str, prio: i32) -> String {
    format!("metadata: {{name: {name}}}\nspec: {{nodeName: {node}, priority: {prio}, containers: [{{name: c, image: x, resources: {{requests: {{cpu: '{cpu}'}}}}}}]}}")
}

fn pending(name: &str, cpu: &str, prio: i32) -> Pod {
    pod(&format!("metadata: {{name: {name}}}\nspec: {{priority: {prio}, containers: [{{name: c, image: x, resources: {{requests: {{cpu: '{cpu}'}}}}}}]}}"))
}

fn three_nodes() -> Vec<String> {
    vec![
        node_yaml("cp", "", "taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]"),
        node_yaml("w1", "", ""),
        node_yaml("w2", "", ""),
    ]
}

#[test]
fn failed_scheduling_message_matches_kubernetes() {
    let mut s = sched(&three_nodes(), &[bound("a", "w1", "3", 0), bound("b", "w2", "3", 0)]);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let out = s.schedule_one(&pending("big", "2", 0), &NoVolumes, 0, &mut rng);
    let ScheduleOutcome::Unschedulable { message, preemption, .. } = out else { panic!("{out:?}") };
    assert_eq!(
        message,
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. \
         preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    );
    assert!(preemption.is_none());
}

#[test]
fn prefilter_failure_and_policy_never_messages() {
    let mut s = sched(&three_nodes(), &[]);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let p = pod("metadata: {name: p}\nspec: {containers: [], volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]}");
    let ScheduleOutcome::Unschedulable { message, .. } = s.schedule_one(&p, &NoVolumes, 0, &mut rng) else { panic!() };
    assert_eq!(message, "0/3 nodes are available: persistentvolumeclaim \"data\" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
    let p = pod("metadata: {name: q}\nspec: {preemptionPolicy: Never, containers: [{name: c, image: x, resources: {requests: {cpu: '9'}}}]}");
    let ScheduleOutcome::Unschedulable { message, .. } = s.schedule_one(&p, &NoVolumes, 0, &mut rng) else { panic!() };
    assert_eq!(
        message,
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."
    );
}

#[test]
fn reasons_sort_as_strings() {
    // Go's sort.Strings: "10 x" < "2 y".
    let st: Vec<Status> = (0..10).map(|_| Status::unschedulable("x")).chain((0..2).map(|_| Status::unschedulable("a"))).collect();
    assert_eq!(fit_error_message(12, None, st.iter(), None, ""), "0/12 nodes are available: 10 x, 2 a.");
}

#[test]
fn preemption_picks_lower_priority_victims() {
    // w1 runs a priority-10 pod, w2 a priority-5 pod; the incoming priority-100 pod needs one gone.
    let mut s = sched(&three_nodes(), &[bound("mid", "w1", "3", 10), bound("low", "w2", "3", 5), bound("tiny", "w2", "100m", 1000)]);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let out = s.schedule_one(&pending("vip", "2", 100), &NoVolumes, 0, &mut rng);
    let ScheduleOutcome::Unschedulable { message, preemption, trace, .. } = out else { panic!() };
    assert_eq!(message, "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.");
    let p = preemption.expect("preemption");
    assert_eq!(p.nominated_node, "w2");
    assert_eq!(p.victims, vec![PodKey::new("default", "low")]);
    assert_eq!(trace.preemption.as_ref().unwrap().candidates.len(), 2);
}

#[test]
fn preemption_keeps_victims_minimal() {
    // Two low pods on w1; removing one is enough.
    let mut s = sched(&three_nodes()[..2], &[bound("l1", "w1", "2", 1), bound("l2", "w1", "2", 2)]);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let out = s.schedule_one(&pending("vip", "2", 100), &NoVolumes, 0, &mut rng);
    let ScheduleOutcome::Unschedulable { preemption: Some(p), .. } = out else { panic!("{out:?}") };
    // The more important (priority 2) pod is reprieved first; the priority-1 pod goes.
    assert_eq!(p.victims, vec![PodKey::new("default", "l1")]);
}

#[test]
fn schedules_least_allocated_and_assumes() {
    let mut s = sched(&three_nodes(), &[bound("a", "w1", "2", 0)]);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let out = s.schedule_one(&pending("p", "1", 0), &NoVolumes, 0, &mut rng);
    let ScheduleOutcome::Scheduled { node, trace, .. } = out else { panic!() };
    assert_eq!(node, "w2");
    assert!(trace.render_text().contains("=> w2"));
    assert_eq!(s.cache.node("w2").unwrap().requested.milli_cpu, 1000);
    let cp = trace.nodes.iter().find(|n| n.node == "cp").unwrap();
    assert_eq!(cp.filters.last().unwrap().plugin, "TaintToleration");
    assert!(serde_json::to_string(&*trace).is_ok());
}

#[test]
fn ties_are_random_but_deterministic_per_seed() {
    let nodes: Vec<String> = (0..8).map(|i| node_yaml(&format!("n{i}"), "", "")).collect();
    let pick = |seed: u64| {
        let mut s = sched(&nodes, &[]);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..5)
            .map(|i| match s.schedule_one(&pending(&format!("p{i}"), "0", 0), &NoVolumes, 0, &mut rng) {
                ScheduleOutcome::Scheduled { node, .. } => node,
                o => panic!("{o:?}"),
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(pick(3), pick(3));
    let all: std::collections::BTreeSet<Vec<String>> = (0..10).map(pick).collect();
    assert!(all.len() > 1, "tie-break should depend on the seed");
}

#[test]
fn percentage_of_nodes_to_score() {
    assert_eq!(num_feasible_nodes_to_find(None, 50), 50);
    assert_eq!(num_feasible_nodes_to_find(None, 1000), 420);
    assert_eq!(num_feasible_nodes_to_find(None, 5000), 500);
    assert_eq!(num_feasible_nodes_to_find(None, 6000), 300);
    assert_eq!(num_feasible_nodes_to_find(None, 200), 100);
    assert_eq!(num_feasible_nodes_to_find(Some(100), 1000), 1000);
    let nodes: Vec<String> = (0..300).map(|i| node_yaml(&format!("n{i:03}"), "", "")).collect();
    let mut s = sched(&nodes, &[]);
    s.set_tracing(true);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let ScheduleOutcome::Scheduled { trace, .. } = s.schedule_one(&pending("a", "1", 0), &NoVolumes, 0, &mut rng) else { panic!() };
    assert_eq!((trace.num_nodes_to_find, trace.start_index, trace.nodes.len()), (144, 0, 144));
    let ScheduleOutcome::Scheduled { trace, .. } = s.schedule_one(&pending("b", "1", 0), &NoVolumes, 0, &mut rng) else { panic!() };
    assert_eq!(trace.start_index, 144);
}

#[test]
fn queue_integration() {
    let mut s = sched(&three_nodes(), &[bound("a", "w1", "3", 0), bound("b", "w2", "3", 0)]);
    let p = pending("p", "2", 0);
    s.on_pod_add(&p, 0);
    assert_eq!(s.queue.pop(0), Some(PodKey::new("default", "p")));
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    assert!(matches!(s.schedule_one(&p, &NoVolumes, 0, &mut rng), ScheduleOutcome::Unschedulable { .. }));
    assert_eq!(s.queue.location(&PodKey::new("default", "p")), Some(queue::Location::Unschedulable));
    s.on_pod_delete("default", "a", 5_000);
    assert_eq!(s.queue.pop(5_000), Some(PodKey::new("default", "p")));
    assert!(matches!(s.schedule_one(&p, &NoVolumes, 5_000, &mut rng), ScheduleOutcome::Scheduled { ref node, .. } if node == "w1"));
    assert!(s.queue.is_empty());
}

/// A mixed workload (bare and ReplicaSet-owned pods, soft spreading, node selectors, preferred
/// node and pod affinity, taints, images, nodes without a zone, deletions) scheduled with tracing
/// on and off: the decisions must not depend on tracing, and their digest pins the behaviour so
/// that performance work cannot silently change a placement.
#[test]
fn mixed_workload_decisions_are_pinned() {
    let run = |tracing: bool| -> (String, u64) {
        let mut nodes = Vec::new();
        for i in 0..60 {
            let zone = match i % 7 {
                6 => String::new(),
                z => format!("zone: z{}, topology.kubernetes.io/zone: z{}", z % 3, z % 3),
            };
            let spec = if i % 11 == 3 { "taints: [{key: spot, value: 'yes', effect: PreferNoSchedule}]" } else { "" };
            let mut y = node_yaml(&format!("n{i:02}"), &zone, spec);
            if i % 5 == 0 {
                y = y.replace("status: {allocatable: {cpu: '4', memory: 8Gi, pods: '110'}}", "status: {allocatable: {cpu: '8', memory: 16Gi, pods: '110'}, images: [{names: ['nginx:1.25'], sizeBytes: 300000000}]}");
            }
            nodes.push(y);
        }
        let mut s = sched(&nodes, &[]);
        s.set_tracing(tracing);
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let mut out = String::new();
        for i in 0..300usize {
            let owner = if i % 3 != 0 { format!("\n  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: rs{o}, uid: u{o}, controller: true}}]", o = i % 4) } else { String::new() };
            let extra = match i % 10 {
                1 => "  nodeSelector: {zone: z1}\n".to_string(),
                2 => "  topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: a1}}}\n".to_string(),
                4 => "  affinity:\n    nodeAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n      - {weight: 30, preference: {matchExpressions: [{key: zone, operator: In, values: [z2]}]}}\n".to_string(),
                7 => "  affinity:\n    podAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n      - {weight: 50, podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: a3}}}}\n".to_string(),
                _ => String::new(),
            };
            let cpu = ["100m", "250m", "500m", "1", "0"][i % 5];
            let p = pod(&format!(
                "metadata:\n  name: p{i}\n  labels: {{app: a{}}}{owner}\nspec:\n  containers: [{{name: c, image: 'nginx:1.25', resources: {{requests: {{cpu: '{cpu}', memory: 64Mi}}}}}}]\n{extra}",
                i % 4
            ));
            match s.schedule_one(&p, &NoVolumes, 0, &mut rng) {
                ScheduleOutcome::Scheduled { node, .. } => out.push_str(&node),
                ScheduleOutcome::Unschedulable { .. } => out.push('-'),
            }
            out.push(' ');
            if i % 17 == 16 {
                s.forget_pod(&PodKey::new("default", &format!("p{}", i - 9)));
            }
        }
        let digest = out.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3));
        (out, digest)
    };
    let (on, d_on) = run(true);
    let (off, d_off) = run(false);
    assert_eq!(on, off);
    assert_eq!(d_on, d_off);
    // Changed 2026-12-03: owned pods with their own ScheduleAnyway spread constraints now count
    // the pods their labelSelector matches (as kube-scheduler does), not their owner's pods.
    assert_eq!(d_on, 5810727502668711638u64, "placements changed:\n{on}");
}

/// The cache's cordoned and hard-tainted node counts (which let NodeUnschedulable and
/// TaintToleration skip the per-node Filter when they are zero) follow node adds, updates and
/// removals, and scheduling with tracing off (the fast Filter path) places pods exactly as with
/// tracing on (every filter on every node) while nodes are cordoned, tainted and restored.
#[test]
fn cordons_and_taints_decide_alike_with_and_without_the_fast_filter_path() {
    let node = |i: usize, state: usize| -> Node {
        let spec = match state % 4 {
            1 => "unschedulable: true",
            2 => "taints: [{key: dedicated, value: x, effect: NoSchedule}]",
            3 => "taints: [{key: soft, effect: PreferNoSchedule}, {key: gone, effect: NoExecute}]",
            _ => "",
        };
        serde_yaml::from_str(&node_yaml(&format!("n{i}"), "", spec)).unwrap()
    };
    let check = |s: &Scheduler| {
        let nodes = s.cache.nodes();
        assert_eq!(s.cache.unschedulable_nodes(), nodes.iter().filter(|n| n.unschedulable).count());
        let hard = nodes.iter().filter(|n| n.taints.iter().any(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")).count();
        assert_eq!(s.cache.hard_tainted_nodes(), hard);
        assert_eq!(s.cache.tainted_nodes(), nodes.iter().filter(|n| !n.taints.is_empty()).count());
    };
    let run = |tracing: bool| -> String {
        let mut s = Scheduler::new(Profile::default());
        s.set_tracing(tracing);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut out = String::new();
        for i in 0..6 {
            s.on_node_upsert(&node(i, 0), 0);
        }
        for round in 0..40usize {
            // Change one node's state, sometimes remove and re-add one.
            let i = round % 6;
            s.on_node_upsert(&node(i, round / 6 + i), 0);
            if round % 9 == 8 {
                s.on_node_delete(&format!("n{}", (round + 1) % 6));
            }
            if round % 9 == 0 {
                s.on_node_upsert(&node((round + 1) % 6, round), 0);
            }
            check(&s);
            let tol = if round % 5 == 0 { ", tolerations: [{key: dedicated, operator: Exists}, {key: node.kubernetes.io/unschedulable, operator: Exists}]" } else { "" };
            let p = pod(&format!("metadata: {{name: p{round}}}\nspec: {{containers: [{{name: c, image: x, resources: {{requests: {{cpu: 100m}}}}}}]{tol}}}"));
            match s.schedule_one(&p, &NoVolumes, 0, &mut rng) {
                ScheduleOutcome::Scheduled { node, .. } => out.push_str(&node),
                ScheduleOutcome::Unschedulable { message, .. } => out.push_str(&message),
            }
            out.push('\n');
        }
        out
    };
    let on = run(true);
    assert_eq!(on, run(false));
    assert_eq!(on.lines().count(), 40);
}
