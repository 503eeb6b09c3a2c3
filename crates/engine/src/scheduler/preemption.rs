//! DefaultPreemption (PostFilter), as kube-scheduler v1.32.
//!
//! `SelectVictimsOnNode`: on a node whose rejection was merely `Unschedulable`, remove every
//! lower-priority pod and check the pod fits (counting the node's nominated pods, as every Filter
//! run does); then split those pods, most important first, into the ones whose eviction would
//! violate a PodDisruptionBudget and the rest (`filterPodsWithPDBViolation`: a budget covers the
//! pods its non-empty selector matches in its namespace, each covered pod not yet in
//! `status.disruptedPods` uses up one of `status.disruptionsAllowed`, and a pod that takes it below
//! zero violates), and reprieve the violating ones first, then the others, each while the pod still
//! fits. Violating pods that could not be reprieved are the node's PDB violations. Victims are
//! listed most important first.
//!
//! `DryRunPreemption` visits the candidate nodes from a random offset until it has at least one
//! non-violating candidate and as many candidates as `minCandidateNodes*` ask for; non-violating
//! candidates come first. `pickOneNodeForPreemption` then keeps, criterion by criterion, the
//! candidates with the fewest PDB violations, the lowest priority of the most important victim, the
//! smallest sum of victim priorities (each shifted by 2^31), the fewest victims, the latest start
//! among the highest-priority victims (an unstarted pod counts as starting now, the latest), and
//! takes the first left. `prepareCandidate` also clears the nomination of lower-priority pods
//! nominated to the chosen node. When no node is a candidate the pod's own nomination is cleared.

use super::cache::{NodeInfo, PdbInfo, PodInfo, PodKey};
use super::framework::{Code, CycleEnv, PodCtx, Status};
use super::trace::PreemptionTrace;
use super::{fit_error_message, FilterStates, Preemption, Scheduler};
use rand::{Rng, RngCore};
use std::sync::Arc;

/// No lower-priority pods on the node.
pub const ERR_NO_VICTIMS: &str = "No preemption victims found for incoming pod";
/// For nodes where removing pods cannot help.
pub const ERR_NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
/// `preemptionPolicy: Never`.
pub const ERR_POLICY_NEVER: &str = "not eligible due to preemptionPolicy=Never.";
/// Victims of an earlier preemption are still terminating on the nominated node.
pub const ERR_TERMINATING_ON_NOMINATED: &str = "not eligible due to a terminating pod on the nominated node.";

/// A node where preemption would make the pod fit.
pub(super) struct Candidate {
    pub(super) node: String,
    /// Victims, most important first.
    pub(super) victims: Vec<Arc<PodInfo>>,
    /// How many victims' budgets the eviction violates.
    pub(super) pdb_violations: usize,
}

/// `GetPodStartTime`: a pod without a start time counts as starting now, later than any start.
fn start_of(p: &PodInfo) -> i64 {
    p.start_time_ms.unwrap_or(i64::MAX)
}

/// `util.MoreImportantPod`: higher priority, then earlier start.
pub(super) fn more_important(a: &PodInfo, b: &PodInfo) -> std::cmp::Ordering {
    b.priority.cmp(&a.priority).then(start_of(a).cmp(&start_of(b)))
}

/// `filterPodsWithPDBViolation`: splits pods (order kept) into those whose eviction would violate
/// a budget and the rest, counting each budget down per covered pod.
pub(super) fn split_by_pdb<'a>(pods: &[Arc<PodInfo>], pdbs: impl ExactSizeIterator<Item = &'a PdbInfo> + Clone) -> (Vec<Arc<PodInfo>>, Vec<Arc<PodInfo>>) {
    if pdbs.len() == 0 {
        return (Vec::new(), pods.to_vec());
    }
    let mut allowed: Vec<i32> = pdbs.clone().map(|b| b.disruptions_allowed).collect();
    let (mut violating, mut ok) = (Vec::new(), Vec::new());
    for p in pods {
        let mut violated = false;
        for (i, b) in pdbs.clone().enumerate() {
            if !b.covers(p) || b.disrupted_pods.contains(&p.key.name) {
                continue;
            }
            allowed[i] = allowed[i].saturating_sub(1);
            if allowed[i] < 0 {
                violated = true;
            }
        }
        if violated {
            violating.push(p.clone());
        } else {
            ok.push(p.clone());
        }
    }
    (violating, ok)
}

/// `SelectVictimsOnNode`: the victims (most important first) and the number of PDB violations.
pub(super) fn select_victims(s: &Scheduler, ctx: &PodCtx, env: &CycleEnv, base: &FilterStates, node: &NodeInfo) -> Result<(Vec<Arc<PodInfo>>, usize), Status> {
    let mut potential: Vec<Arc<PodInfo>> = node.pods.iter().filter(|p| p.priority < ctx.info.priority).cloned().collect();
    if potential.is_empty() {
        return Err(Status::unresolvable(ERR_NO_VICTIMS));
    }
    let mut ni = node.clone();
    let mut st = base.clone_states();
    let remove = |ni: &mut NodeInfo, st: &mut FilterStates, p: &PodInfo| {
        ni.remove_pod(&p.key);
        for (i, pl) in s.filters.iter().enumerate() {
            pl.remove_pod(st.states[i].as_deref_mut().map(|x| x.as_any_mut()), ctx, p, ni, env);
        }
    };
    for p in &potential {
        remove(&mut ni, &mut st, p);
    }
    let fits = s.run_filters_nominated(&st, ctx, &ni, env, None);
    if !fits.is_success() {
        return Err(fits);
    }
    crate::sort::sort_by(&mut potential, |a, b| more_important(a, b));
    let (violating, non_violating) = split_by_pdb(&potential, env.cache.pdbs());
    let mut victims = Vec::new();
    let mut reprieve = |p: &Arc<PodInfo>, victims: &mut Vec<Arc<PodInfo>>| -> bool {
        ni.add_pod(p.clone());
        for (i, pl) in s.filters.iter().enumerate() {
            pl.add_pod(st.states[i].as_deref_mut().map(|x| x.as_any_mut()), ctx, p, &ni, env);
        }
        let fits = s.run_filters_nominated(&st, ctx, &ni, env, None).is_success();
        if !fits {
            remove(&mut ni, &mut st, p);
            victims.push(p.clone());
        }
        fits
    };
    let mut violations = 0;
    for p in &violating {
        if !reprieve(p, &mut victims) {
            violations += 1;
        }
    }
    for p in &non_violating {
        reprieve(p, &mut victims);
    }
    if !violating.is_empty() && !non_violating.is_empty() {
        crate::sort::sort_by(&mut victims, |a, b| more_important(a, b));
    }
    Ok((victims, violations))
}

/// `pickOneNodeForPreemption`: each criterion keeps the candidates with the highest score; the
/// first candidate left wins.
pub(super) fn pick_one(cands: &[Candidate]) -> usize {
    let criteria: [&dyn Fn(&Candidate) -> i64; 5] = [
        // Fewest PDB violations.
        &|c| -(c.pdb_violations as i64),
        // Lowest priority of the most important victim.
        &|c| c.victims.first().map_or(i64::MIN, |v| -(v.priority as i64)),
        // Smallest sum of priorities, each shifted by MaxInt32+1 to be positive.
        &|c| -c.victims.iter().map(|v| v.priority as i64 + i32::MAX as i64 + 1).sum::<i64>(),
        // Fewest victims.
        &|c| -(c.victims.len() as i64),
        // Latest earliest start among the highest-priority victims (`GetEarliestPodStartTime`).
        &|c| {
            let top = c.victims.iter().map(|v| v.priority).max().unwrap_or(0);
            c.victims.iter().filter(|v| v.priority == top).map(|v| start_of(v)).min().unwrap_or(i64::MIN)
        },
    ];
    let mut idx: Vec<usize> = (0..cands.len()).collect();
    for f in criteria {
        let Some(best) = idx.iter().map(|&i| f(&cands[i])).max() else { break };
        idx.retain(|&i| f(&cands[i]) == best);
        if idx.len() == 1 {
            break;
        }
    }
    idx.first().copied().unwrap_or(0)
}

/// What DefaultPreemption tells the scheduling cycle.
#[derive(Default)]
pub(crate) struct PostFilterResult {
    /// The PostFilter message (empty on success).
    pub(crate) message: String,
    /// The decision, if a candidate was found.
    pub(crate) preemption: Option<Preemption>,
    /// Clear the pod's own nomination (preemption ran and found no candidate).
    pub(crate) clear_nomination: bool,
    /// The trace.
    pub(crate) trace: Option<PreemptionTrace>,
}

/// Runs DefaultPreemption.
pub(crate) fn preempt(s: &Scheduler, ctx: &PodCtx, env: &CycleEnv, st: &FilterStates, statuses: &[(usize, Status)], rng: &mut impl RngCore) -> PostFilterResult {
    let mut tr = PreemptionTrace::default();
    let not_eligible = |msg: &str, mut tr: PreemptionTrace| {
        tr.message = format!("preemption: {msg}");
        PostFilterResult { message: tr.message.clone(), preemption: None, clear_nomination: false, trace: Some(tr) }
    };
    if ctx.spec.preemption_policy.as_deref() == Some("Never") {
        return not_eligible(ERR_POLICY_NEVER, tr);
    }
    let nodes = env.cache.nodes();
    if let Some(nom) = ctx.pod.status.as_ref().and_then(|x| x.nominated_node_name.as_deref()).filter(|n| !n.is_empty()) {
        let nominated_unresolvable = env
            .cache
            .node_slot(nom)
            .and_then(|slot| statuses.iter().find(|(i, _)| *i == slot))
            .is_some_and(|(_, st)| st.code == Code::UnschedulableAndUnresolvable);
        if !nominated_unresolvable {
            if let Some(n) = env.cache.node(nom) {
                if n.pods.iter().any(|p| p.terminating && p.priority < ctx.info.priority) {
                    return not_eligible(ERR_TERMINATING_ON_NOMINATED, tr);
                }
            }
        }
    }
    tr.attempted = true;
    let potential: Vec<usize> = statuses.iter().filter(|(_, st)| st.code == Code::Unschedulable).map(|(i, _)| *i).collect();
    let num_all = nodes.len();
    let mut node_status: Vec<Status> = Vec::new();
    let mut non_violating: Vec<Candidate> = Vec::new();
    let mut violating: Vec<Candidate> = Vec::new();
    if !potential.is_empty() {
        let n = potential.len();
        let pct = (n as i64 * env.args.min_candidate_nodes_percentage as i64 / 100) as usize;
        let want = pct.max(env.args.min_candidate_nodes_absolute.max(0) as usize).min(n).max(1);
        let offset = rng.gen_range(0..n);
        for i in 0..n {
            let Some(node) = nodes.get(potential[(offset + i) % n]) else {
                continue;
            };
            match select_victims(s, ctx, env, st, node) {
                Ok((victims, pdb_violations)) if !victims.is_empty() => {
                    let list = if pdb_violations == 0 { &mut non_violating } else { &mut violating };
                    if list.len() < want {
                        list.push(Candidate { node: node.name.clone(), victims, pdb_violations });
                    }
                    if !non_violating.is_empty() && non_violating.len() + violating.len() >= want {
                        break;
                    }
                }
                Ok(_) => node_status.push(Status::new(Code::Error, format!("expected at least one victim pod on node {:?}", node.name))),
                Err(e) => node_status.push(e),
            }
        }
    }
    let mut cands = non_violating;
    cands.append(&mut violating);
    tr.candidates = cands.iter().map(|c| (c.node.clone(), c.victims.iter().map(|v| v.key.to_string()).collect())).collect();
    tr.pdb_violations = cands.iter().map(|c| c.pdb_violations).collect();
    if cands.is_empty() {
        let absent = num_all.saturating_sub(node_status.len());
        let inner = fit_error_message(num_all, None, node_status.iter(), Some((ERR_NOT_HELPFUL, absent)), "");
        tr.message = format!("preemption: {inner}");
        return PostFilterResult { message: tr.message.clone(), preemption: None, clear_nomination: true, trace: Some(tr) };
    }
    let best = &cands[pick_one(&cands)];
    // `getLowerPriorityNominatedPods`: they may no longer fit there.
    let clear_nominations: Vec<PodKey> = s.nominator.pods_for_node(&best.node).iter().filter(|p| p.priority < ctx.info.priority).map(|p| p.key.clone()).collect();
    let p = Preemption {
        nominated_node: best.node.clone(),
        victims: best.victims.iter().map(|v| v.key.clone()).collect(),
        pdb_violations: best.pdb_violations,
        clear_nominations,
    };
    tr.nominated_node = Some(p.nominated_node.clone());
    tr.victims = p.victims.iter().map(|k| k.to_string()).collect();
    tr.cleared_nominations = p.clear_nominations.iter().map(|k| k.to_string()).collect();
    PostFilterResult { message: String::new(), preemption: Some(p), clear_nomination: false, trace: Some(tr) }
}
