//! DefaultPreemption with PodDisruptionBudgets and nominated pods, after kube-scheduler's
//! `default_preemption_test.go` (SelectVictimsOnNode, filterPodsWithPDBViolation,
//! pickOneNodeForPreemption) and the framework's `RunFilterPluginsWithNominatedPods`.

use super::cache::{PdbInfo, PodInfo};
use super::plugins::volume_binding::NoVolumes;
use super::preemption::{pick_one, split_by_pdb, Candidate};
use super::testutil::{node_yaml, pod};
use super::*;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

fn sched(nodes: &[&str], pods: &[String], pdbs: &[String]) -> Scheduler {
    let mut s = Scheduler::new(Profile::default());
    for n in nodes {
        let n: Node = serde_yaml::from_str(&node_yaml(n, "", "")).unwrap();
        s.on_node_upsert(&n, 0);
    }
    for p in pods {
        s.on_pod_add(&pod(p), 0);
    }
    for b in pdbs {
        s.cache.set_pdb(&pdb_obj(b));
    }
    s
}

/// A bound pod: `app` label (none when empty), priority, and start `start_s` seconds past 00:00.
fn bound(name: &str, node: &str, cpu: &str, prio: i32, app: &str, start_s: u32) -> String {
    let labels = if app.is_empty() { String::new() } else { format!(", labels: {{app: {app}}}") };
    format!(
        "metadata: {{name: {name}{labels}}}\nspec: {{nodeName: {node}, priority: {prio}, containers: [{{name: c, image: x, resources: {{requests: {{cpu: '{cpu}'}}}}}}]}}\nstatus: {{startTime: '2024-01-01T00:{:02}:{:02}Z'}}",
        start_s / 60,
        start_s % 60
    )
}

fn pending(name: &str, cpu: &str, prio: i32) -> Pod {
    pod(&format!("metadata: {{name: {name}}}\nspec: {{priority: {prio}, containers: [{{name: c, image: x, resources: {{requests: {{cpu: '{cpu}'}}}}}}]}}"))
}

/// A budget over `app=<app>` (`selector` overrides) allowing `allowed` disruptions.
fn pdb(name: &str, ns: &str, selector: &str, allowed: i32, disrupted: &[&str]) -> String {
    let disrupted: Vec<String> = disrupted.iter().map(|p| format!("{p}: '2024-01-01T00:00:00Z'")).collect();
    format!(
        "metadata: {{name: {name}, namespace: {ns}}}\nspec: {{selector: {selector}}}\nstatus: {{disruptionsAllowed: {allowed}, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, disruptedPods: {{{}}}}}",
        disrupted.join(", ")
    )
}

fn pdb_obj(yaml: &str) -> PodDisruptionBudget {
    serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

fn app(a: &str) -> String {
    format!("{{matchLabels: {{app: {a}}}}}")
}

fn keys(names: &[&str]) -> Vec<PodKey> {
    names.iter().map(|n| PodKey::new("default", n)).collect()
}

fn try_schedule(s: &mut Scheduler, p: &Pod) -> ScheduleOutcome {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    s.schedule_one(p, &NoVolumes, 0, &mut rng)
}

fn preempt(s: &mut Scheduler, p: &Pod) -> Preemption {
    match try_schedule(s, p) {
        ScheduleOutcome::Unschedulable { preemption: Some(pre), .. } => pre,
        o => panic!("expected a preemption: {o:?}"),
    }
}

#[test]
fn pdb_protected_pod_is_reprieved_before_an_unprotected_one() {
    // Equal priority: `a` started later, so without a budget it is the less important one and goes.
    let pods = [bound("a", "w1", "2", 1, "a", 20), bound("b", "w1", "2", 1, "b", 10)];
    let vip = pending("vip", "2", 100);
    let p = preempt(&mut sched(&["w1"], &pods, &[]), &vip);
    assert_eq!((p.victims, p.pdb_violations), (keys(&["a"]), 0));
    // `a`'s budget allows no disruption: `a` is reprieved first, `b` goes, nothing is violated.
    let p = preempt(&mut sched(&["w1"], &pods, &[pdb("pa", "default", &app("a"), 0, &[])]), &vip);
    assert_eq!((p.victims, p.pdb_violations), (keys(&["b"]), 0));
}

#[test]
fn victims_stay_sorted_by_importance_when_both_groups_contribute() {
    // The pod needs the whole node: the protected (violating) `a` is tried first and still goes;
    // the victims are then re-sorted most important first.
    let pods = [bound("a", "w1", "1", 1, "a", 0), bound("b", "w1", "1", 2, "b", 0), bound("c", "w1", "1", 3, "c", 0)];
    let p = preempt(&mut sched(&["w1"], &pods, &[pdb("pa", "default", &app("a"), 0, &[])]), &pending("vip", "4", 100));
    assert_eq!((p.victims, p.pdb_violations), (keys(&["c", "b", "a"]), 1));
}

#[test]
fn a_node_violating_a_budget_loses_to_one_that_does_not() {
    // Without budgets w1 wins: its victim has the lower priority.
    let pods = [bound("a", "w1", "3", 1, "a", 0), bound("b", "w2", "3", 5, "b", 0)];
    let vip = pending("vip", "2", 100);
    let p = preempt(&mut sched(&["w1", "w2"], &pods, &[]), &vip);
    assert_eq!((p.nominated_node.as_str(), p.victims), ("w1", keys(&["a"])));
    let p = preempt(&mut sched(&["w1", "w2"], &pods, &[pdb("pa", "default", &app("a"), 0, &[])]), &vip);
    assert_eq!((p.nominated_node.as_str(), p.victims, p.pdb_violations), ("w2", keys(&["b"]), 0));
}

#[test]
fn when_every_candidate_violates_the_fewest_violations_win() {
    // w1: both `a` pods are covered by a budget allowing none (2 violations). w2: the budget
    // allows one, so only the second `b` pod violates (1 violation), despite higher priorities.
    let pods = [
        bound("a1", "w1", "2", 1, "a", 0),
        bound("a2", "w1", "2", 1, "a", 1),
        bound("b1", "w2", "2", 5, "b", 0),
        bound("b2", "w2", "2", 5, "b", 1),
    ];
    let budgets = [pdb("pa", "default", &app("a"), 0, &[]), pdb("pb", "default", &app("b"), 1, &[])];
    let mut s = sched(&["w1", "w2"], &pods, &budgets);
    let ScheduleOutcome::Unschedulable { preemption: Some(p), trace, .. } = try_schedule(&mut s, &pending("vip", "4", 100)) else { panic!() };
    assert_eq!((p.nominated_node.as_str(), p.victims, p.pdb_violations), ("w2", keys(&["b1", "b2"]), 1));
    assert!(trace.render_text().contains("preemption: nominate w2 evicting default/b1, default/b2 (1 PodDisruptionBudget violation(s))"), "{}", trace.render_text());
    let tp = trace.preemption.clone().unwrap();
    let mut per_node: Vec<(String, usize)> = tp.candidates.iter().map(|(n, _)| n.clone()).zip(tp.pdb_violations).collect();
    per_node.sort();
    assert_eq!(per_node, vec![("w1".to_string(), 2), ("w2".to_string(), 1)]);
}

#[test]
fn disrupted_pods_empty_selectors_and_other_namespaces_do_not_count() {
    let pods = [bound("a", "w1", "3", 1, "a", 0), bound("b", "w2", "3", 5, "b", 0)];
    let vip = pending("vip", "2", 100);
    let harmless = [
        // `a` is already in the budget's disruptedPods.
        pdb("pa", "default", &app("a"), 0, &["a"]),
        // An empty selector matches nothing.
        pdb("all", "default", "{}", 0, &[]),
        // Another namespace.
        pdb("other", "kube-system", &app("a"), 0, &[]),
    ];
    let p = preempt(&mut sched(&["w1", "w2"], &pods, &harmless), &vip);
    assert_eq!((p.nominated_node.as_str(), p.pdb_violations), ("w1", 0));
    // The same budget without `a` in disruptedPods protects it.
    let p = preempt(&mut sched(&["w1", "w2"], &pods, &[pdb("pa", "default", &app("a"), 0, &[])]), &vip);
    assert_eq!(p.nominated_node, "w2");
}

fn info(name: &str, ns: &str, app: &str, prio: i32, start_ms: Option<i64>) -> Arc<PodInfo> {
    let labels = if app.is_empty() { String::new() } else { format!(", labels: {{app: {app}}}") };
    let mut i = PodInfo::new(&pod(&format!("metadata: {{name: {name}, namespace: {ns}{labels}}}\nspec: {{containers: []}}")));
    i.priority = prio;
    i.start_time_ms = start_ms;
    Arc::new(i)
}

#[test]
fn filter_pods_with_pdb_violation_table() {
    let p = |n: &str, app: &str| info(n, "default", app, 0, None);
    let pods = vec![p("a1", "a"), p("a2", "a"), p("a3", "a"), p("nolabels", ""), p("b1", "b"), p("other", "x")];
    let names = |v: &[Arc<PodInfo>]| v.iter().map(|p| p.key.name.clone()).collect::<Vec<_>>();
    let cases: Vec<(Vec<String>, Vec<&str>)> = vec![
        // No budgets: nothing violates.
        (vec![], vec![]),
        // One disruption allowed: the first covered pod uses it, the next ones violate.
        (vec![pdb("pa", "default", &app("a"), 1, &[])], vec!["a2", "a3"]),
        // A pod in disruptedPods does not use up the budget.
        (vec![pdb("pa", "default", &app("a"), 1, &["a1"])], vec!["a3"]),
        // Two budgets over the same pods: violating either is enough.
        (vec![pdb("pa", "default", &app("a"), 2, &[]), pdb("pa2", "default", "{matchExpressions: [{key: app, operator: In, values: [a, b]}]}", 1, &[])], vec!["a2", "a3", "b1"]),
        // Empty and invalid selectors, other namespaces: nothing.
        (
            vec![
                pdb("e", "default", "{}", 0, &[]),
                pdb("bad", "default", "{matchExpressions: [{key: app, operator: In}]}", 0, &[]),
                pdb("ns", "other", &app("a"), 0, &[]),
            ],
            vec![],
        ),
        // A negative budget: every covered pod violates.
        (vec![pdb("neg", "default", &app("b"), -1, &[])], vec!["b1"]),
    ];
    for (budgets, want) in cases {
        let infos: Vec<PdbInfo> = budgets.iter().map(|b| PdbInfo::new(&pdb_obj(b))).collect();
        let (violating, ok) = split_by_pdb(&pods, infos.iter());
        assert_eq!(names(&violating), want, "{budgets:?}");
        assert_eq!(violating.len() + ok.len(), pods.len());
        // Order is kept in both groups.
        let all = names(&pods);
        let pos = |n: &String| all.iter().position(|x| x == n).unwrap();
        assert!(names(&ok).windows(2).all(|w| pos(&w[0]) < pos(&w[1])));
    }
}

fn cand(node: &str, violations: usize, victims: &[(i32, Option<i64>)]) -> Candidate {
    // Victims come most important first, as SelectVictimsOnNode returns them.
    let mut v: Vec<Arc<PodInfo>> = victims.iter().enumerate().map(|(i, (p, t))| info(&format!("{node}-{i}"), "default", "", *p, *t)).collect();
    v.sort_by(|a, b| preemption::more_important(a, b));
    Candidate { node: node.into(), victims: v, pdb_violations: violations }
}

#[test]
fn pick_one_node_for_preemption_criteria() {
    let cases: Vec<(&str, Vec<Candidate>, usize)> = vec![
        ("fewer PDB violations beats lower priority", vec![cand("n0", 1, &[(1, None)]), cand("n1", 0, &[(10, None)])], 1),
        ("lower highest priority beats fewer victims", vec![cand("n0", 0, &[(10, None)]), cand("n1", 0, &[(5, None), (5, None), (5, None)])], 1),
        ("smaller sum of priorities", vec![cand("n0", 0, &[(5, None), (4, None)]), cand("n1", 0, &[(5, None), (1, None)])], 1),
        // 5+3 < 5+1+1 only once each priority is shifted by 2^31.
        ("sum is of shifted priorities", vec![cand("n0", 0, &[(5, None), (3, None)]), cand("n1", 0, &[(5, None), (1, None), (1, None)])], 0),
        // Equal shifted sums (0 + MIN shifted is 2^31, as a single 0): the fewer victims win.
        ("fewer victims", vec![cand("n0", 0, &[(0, None), (i32::MIN, None)]), cand("n1", 0, &[(0, None)])], 1),
        ("later start", vec![cand("n0", 0, &[(5, Some(100))]), cand("n1", 0, &[(5, Some(200))])], 1),
        (
            "earliest start among the highest-priority victims",
            vec![cand("n0", 0, &[(5, Some(300)), (5, Some(50))]), cand("n1", 0, &[(5, Some(100)), (5, Some(100))])],
            1,
        ),
        ("lower-priority victims' start does not matter", vec![cand("n0", 0, &[(5, Some(200)), (1, Some(1))]), cand("n1", 0, &[(5, Some(100)), (1, Some(9))])], 0),
        ("an unstarted pod counts as starting now", vec![cand("n0", 0, &[(5, Some(100))]), cand("n1", 0, &[(5, None)])], 1),
        ("ties go to the first", vec![cand("n0", 0, &[(5, Some(100))]), cand("n1", 0, &[(5, Some(100))])], 0),
        ("the first among three ties", vec![cand("n0", 2, &[(1, None)]), cand("n1", 1, &[(9, None)]), cand("n2", 1, &[(9, None)])], 1),
    ];
    for (name, cands, want) in cases {
        assert_eq!(pick_one(&cands), want, "{name}");
    }
}

/// w1 runs a priority-1 pod using 3 of 4 CPUs; w2 a priority-1000 pod using 2. A priority-100 pod
/// asking 3 CPUs preempts on w1, whose victim then goes away.
fn reserved_w1() -> Scheduler {
    let mut s = sched(&["w1", "w2"], &[bound("v", "w1", "3", 1, "", 0), bound("f", "w2", "2", 1000, "", 0)], &[]);
    let p = preempt(&mut s, &pending("h", "3", 100));
    assert_eq!((p.nominated_node.as_str(), p.victims.clone()), ("w1", keys(&["v"])));
    assert_eq!(s.nominator.nominated_node(&PodKey::new("default", "h")), Some("w1"));
    s.on_pod_delete("default", "v", 0);
    s
}

fn node_of(o: &ScheduleOutcome) -> Option<&str> {
    match o {
        ScheduleOutcome::Scheduled { node, .. } => Some(node),
        _ => None,
    }
}

#[test]
fn lower_priority_pod_cannot_take_the_room_reserved_for_a_preemptor() {
    // Without the nomination, the emptier w1 wins for a 2-CPU pod.
    let mut free = sched(&["w1", "w2"], &[bound("f", "w2", "2", 1000, "", 0)], &[]);
    assert_eq!(node_of(&try_schedule(&mut free, &pending("l", "2", 50))), Some("w1"));
    // With h nominated to w1 (3 CPUs reserved), the pod goes to w2.
    let mut s = reserved_w1();
    assert_eq!(node_of(&try_schedule(&mut s, &pending("l", "2", 50))), Some("w2"));
    // Now w2 is full too: the next one stays pending, and the trace says what w1 counted.
    let out = try_schedule(&mut s, &pending("l2", "2", 50));
    let ScheduleOutcome::Unschedulable { message, trace, .. } = &out else { panic!("{out:?}") };
    assert!(message.starts_with("0/2 nodes are available: 2 Insufficient cpu."), "{message}");
    let w1 = trace.nodes.iter().find(|n| n.node == "w1").unwrap();
    assert_eq!(w1.nominated, vec!["default/h".to_string()]);
    assert!(trace.render_text().contains("counting nominated default/h"));
    // A pod small enough to fit beside the reservation still goes to w1.
    assert_eq!(node_of(&try_schedule(&mut s, &pending("small", "1", 50))), Some("w1"));
}

#[test]
fn nominated_pods_of_equal_priority_count_higher_ones_do_not() {
    // Equal priority: h's reservation counts (kube-scheduler adds nominated pods with priority >=),
    // so the pod goes to the fuller w2 rather than the empty w1.
    let mut s = reserved_w1();
    let out = try_schedule(&mut s, &pending("e", "2", 100));
    assert_eq!(node_of(&out), Some("w2"));
    let ScheduleOutcome::Scheduled { trace, .. } = &out else { unreachable!() };
    assert_eq!(trace.nodes[0].nominated, vec!["default/h".to_string()]);
    assert!(!trace.nodes[0].feasible);
    // Higher priority: h's reservation is ignored and w1 has room.
    let mut s = reserved_w1();
    assert_eq!(node_of(&try_schedule(&mut s, &pending("x", "2", 200))), Some("w1"));
    // The preemptor itself is not blocked by its own reservation.
    let mut s = reserved_w1();
    let mut h = pending("h", "3", 100);
    h.status.get_or_insert_with(Default::default).nominated_node_name = Some("w1".into());
    assert_eq!(node_of(&try_schedule(&mut s, &h)), Some("w1"));
    assert!(s.nominator.is_empty(), "binding drops the nomination");
}

#[test]
fn preempting_clears_lower_priority_nominations_on_the_node() {
    let mut s = sched(&["w1"], &[bound("v1", "w1", "2", 1, "", 0), bound("v2", "w1", "2", 1, "", 1)], &[]);
    // m (priority 50) preempts the less important v2 and is nominated to w1.
    let p = preempt(&mut s, &pending("m", "2", 50));
    assert_eq!((p.victims, p.clear_nominations), (keys(&["v2"]), vec![]));
    // h (priority 100) needs the whole node; m's lower-priority reservation does not stop it, and
    // m loses its nomination.
    let p = preempt(&mut s, &pending("h", "4", 100));
    assert_eq!((p.nominated_node.as_str(), p.victims, p.clear_nominations), ("w1", keys(&["v1", "v2"]), keys(&["m"])));
    let h_trace = s.trace(&PodKey::new("default", "h")).unwrap().render_text();
    assert!(h_trace.contains("; clearing the nomination of default/m"), "{h_trace}");
    assert_eq!(s.nominator.nominated_node(&PodKey::new("default", "m")), None);
    assert_eq!(s.nominator.nominated_node(&PodKey::new("default", "h")), Some("w1"));
    // z (equal priority) would need h's reserved room: preemption cannot help, and z's own
    // nomination (if any) is to be cleared.
    let mut z = pending("z", "4", 100);
    z.status.get_or_insert_with(Default::default).nominated_node_name = Some("w1".into());
    s.on_pod_add(&z, 0);
    assert_eq!(s.nominator.len(), 2);
    match try_schedule(&mut s, &z) {
        ScheduleOutcome::Unschedulable { preemption: None, clear_nomination: true, message, .. } => {
            assert!(message.ends_with("preemption: 0/1 nodes are available: 1 Insufficient cpu."), "{message}")
        }
        o => panic!("{o:?}"),
    }
    assert_eq!(s.nominator.nominated_node(&PodKey::new("default", "z")), None);
}

#[test]
fn nominations_follow_pod_events() {
    let mut s = sched(&["w1"], &[], &[]);
    let k = PodKey::new("default", "p");
    let mut p = pending("p", "1", 10);
    p.status.get_or_insert_with(Default::default).nominated_node_name = Some("w1".into());
    s.on_pod_add(&p, 0);
    assert_eq!(s.nominator.nominated_node(&k), Some("w1"));
    assert_eq!(s.nominator.pods_for_node("w1").len(), 1);
    // Cleared nomination.
    let mut cleared = p.clone();
    cleared.status.as_mut().unwrap().nominated_node_name = None;
    s.on_pod_update(&cleared, 0);
    assert!(s.nominator.is_empty());
    // Bound.
    s.on_pod_update(&p, 0);
    let mut b = p.clone();
    b.spec.as_mut().unwrap().node_name = Some("w1".into());
    s.on_pod_update(&b, 0);
    assert!(s.nominator.is_empty());
    // Deleted.
    let mut q = pending("q", "1", 10);
    q.status.get_or_insert_with(Default::default).nominated_node_name = Some("w1".into());
    s.on_pod_add(&q, 0);
    s.on_pod_delete("default", "q", 0);
    assert!(s.nominator.is_empty());
    // Another scheduler's pod is not ours to nominate.
    let mut other = q.clone();
    other.spec.as_mut().unwrap().scheduler_name = Some("other".into());
    s.on_pod_add(&other, 0);
    assert!(s.nominator.is_empty());
}
