//! DefaultPreemption (PostFilter): on nodes whose rejection was merely `Unschedulable`, remove
//! every lower-priority pod, check the pod fits, then reprieve victims from the most important
//! down while it still fits. Among candidate nodes pick (as `pickOneNodeForPreemption`) the one
//! whose most important victim has the lowest priority, then the lowest sum of victim priorities,
//! then the fewest victims, then the latest start of its highest-priority victims, then the first.
//! PodDisruptionBudgets are not modelled (no candidate ever violates one).

use super::cache::{NodeInfo, PodInfo};
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

struct Candidate {
    node: String,
    victims: Vec<Arc<PodInfo>>,
}

/// `util.MoreImportantPod`: higher priority, then earlier start.
fn more_important(a: &PodInfo, b: &PodInfo) -> std::cmp::Ordering {
    b.priority.cmp(&a.priority).then(a.start_time_ms.unwrap_or(i64::MAX).cmp(&b.start_time_ms.unwrap_or(i64::MAX)))
}

fn select_victims(s: &Scheduler, ctx: &PodCtx, env: &CycleEnv, base: &FilterStates, node: &NodeInfo) -> Result<Vec<Arc<PodInfo>>, Status> {
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
    let fits = s.run_filters(&st, ctx, &ni, env, None);
    if !fits.is_success() {
        return Err(fits);
    }
    potential.sort_by(|a, b| more_important(a, b));
    let mut victims = Vec::new();
    for p in potential {
        ni.add_pod(p.clone());
        for (i, pl) in s.filters.iter().enumerate() {
            pl.add_pod(st.states[i].as_deref_mut().map(|x| x.as_any_mut()), ctx, &p, &ni, env);
        }
        if !s.run_filters(&st, ctx, &ni, env, None).is_success() {
            remove(&mut ni, &mut st, &p);
            victims.push(p);
        }
    }
    Ok(victims)
}

fn pick_one(cands: &[Candidate]) -> usize {
    let mut idx: Vec<usize> = (0..cands.len()).collect();
    let keep_min = |idx: &mut Vec<usize>, f: &dyn Fn(&Candidate) -> i64| {
        let m = idx.iter().map(|&i| f(&cands[i])).min().unwrap_or(0);
        idx.retain(|&i| f(&cands[i]) == m);
    };
    keep_min(&mut idx, &|c| c.victims.first().map_or(i64::MIN, |v| v.priority as i64));
    keep_min(&mut idx, &|c| c.victims.iter().map(|v| v.priority as i64 + i32::MAX as i64 + 1).sum());
    keep_min(&mut idx, &|c| c.victims.len() as i64);
    // Latest earliest-start among the highest-priority victims wins.
    keep_min(&mut idx, &|c| {
        let top = c.victims.first().map_or(0, |v| v.priority);
        let earliest = c.victims.iter().filter(|v| v.priority == top).filter_map(|v| v.start_time_ms).min().unwrap_or(0);
        -earliest
    });
    idx.first().copied().unwrap_or(0)
}

/// Runs DefaultPreemption; returns the PostFilter message (empty on success), the decision, and
/// the trace.
pub(crate) fn preempt(
    s: &Scheduler,
    ctx: &PodCtx,
    env: &CycleEnv,
    st: &FilterStates,
    statuses: &[(usize, Status)],
    rng: &mut impl RngCore,
) -> (String, Option<Preemption>, Option<PreemptionTrace>) {
    let mut tr = PreemptionTrace::default();
    let not_eligible = |msg: &str, mut tr: PreemptionTrace| {
        tr.message = format!("preemption: {msg}");
        (tr.message.clone(), None, Some(tr))
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
    let mut cands: Vec<Candidate> = Vec::new();
    if !potential.is_empty() {
        let n = potential.len();
        let pct = (n as i64 * env.args.min_candidate_nodes_percentage as i64 / 100) as usize;
        let want = pct.max(env.args.min_candidate_nodes_absolute.max(0) as usize).min(n);
        let offset = rng.gen_range(0..n);
        for i in 0..n {
            let Some(node) = nodes.get(potential[(offset + i) % n]) else {
                continue;
            };
            match select_victims(s, ctx, env, st, node) {
                Ok(v) if !v.is_empty() => {
                    cands.push(Candidate { node: node.name.clone(), victims: v });
                    if cands.len() >= want {
                        break;
                    }
                }
                Ok(_) => node_status.push(Status::new(Code::Error, format!("expected at least one victim pod on node {:?}", node.name))),
                Err(e) => node_status.push(e),
            }
        }
    }
    tr.candidates = cands.iter().map(|c| (c.node.clone(), c.victims.iter().map(|v| v.key.to_string()).collect())).collect();
    if cands.is_empty() {
        let absent = num_all.saturating_sub(node_status.len());
        let inner = fit_error_message(num_all, None, node_status.iter(), Some((ERR_NOT_HELPFUL, absent)), "");
        tr.message = format!("preemption: {inner}");
        return (tr.message.clone(), None, Some(tr));
    }
    let best = &cands[pick_one(&cands)];
    let p = Preemption { nominated_node: best.node.clone(), victims: best.victims.iter().map(|v| v.key.clone()).collect() };
    tr.nominated_node = Some(p.nominated_node.clone());
    tr.victims = p.victims.iter().map(|k| k.to_string()).collect();
    (String::new(), Some(p), Some(tr))
}
