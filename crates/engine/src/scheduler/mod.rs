//! The scheduler: kube-scheduler's scheduling cycle over the framework in [`framework`], the
//! plugins in [`plugins`], the incremental [`cache`] and the [`queue`].
//!
//! [`Scheduler::schedule_one`] runs PreFilter, then Filter over the nodes — starting where the
//! previous cycle stopped and stopping once `percentageOfNodesToScore` feasible nodes are found
//! (adaptive: `50 - nodes/125`%, at least 5% and at least 100 nodes) — then PreScore, Score,
//! NormalizeScore and weights, and picks the highest total, breaking ties uniformly at random
//! (reservoir sampling) with the RNG passed in. When no node fits it builds the FailedScheduling
//! message exactly as `FitError.Error()` does and runs DefaultPreemption. Nodes are walked in name
//! order (kube-scheduler interleaves zones).
//!
//! Pods nominated to a node by an earlier preemption (the [`nominator`]) reserve their room: as
//! `RunFilterPluginsWithNominatedPods`, a node's nominated pods of priority at least the incoming
//! pod's are added to a copy of the node (and to the filter state through the AddPod extension)
//! and the filters run on it; when any were added and that passes, the filters run again on the
//! node as it is, and the node is feasible only if both pass. With nothing nominated anywhere the
//! Filter phase costs one emptiness check.

pub mod cache;
pub mod framework;
pub mod labels;
pub mod nominator;
pub mod plugins;
pub mod queue;
pub mod trace;

mod preemption;
#[cfg(test)]
mod preemption_tests;
#[cfg(test)]
mod testutil;
#[cfg(test)]
mod tests;

use crate::vecmap::VecMap;
use cache::{NodeInfo, PodInfo, PodKey, SchedulerCache};
use framework::{Code, CycleEnv, Plugin, PodCtx, Profile, ResolvedPlugins, StateData, Status};
use k8s_openapi::api::core::v1::{Pod, PodSpec};
use nominator::Nominator;
use plugins::volume_binding::{ClaimAction, VolumeBinding, VolumeView};
use queue::SchedulingQueue;
use rand::{Rng, RngCore};
use std::collections::BTreeMap;
use std::sync::Arc;
use trace::{FilterVerdict, NodeTrace, PluginStatus, ScoreEntry, Selection, Trace};

/// Below this many nodes, all nodes are evaluated (`minFeasibleNodesToFind`).
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// The adaptive percentage never goes below this (`minFeasibleNodesPercentageToFind`).
pub const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: i64 = 5;
/// FailedScheduling message when the cluster has no nodes (`ErrNoNodesAvailable`).
pub const ERR_NO_NODES_AVAILABLE: &str = "no nodes available to schedule pods";

/// A preemption decision: nominate the node and evict these pods.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Preemption {
    /// The node to set as `status.nominatedNodeName`.
    pub nominated_node: String,
    /// Pods to evict, most important first.
    pub victims: Vec<PodKey>,
    /// How many of the victims' PodDisruptionBudgets the eviction violates.
    pub pdb_violations: usize,
    /// Lower-priority pods nominated to the same node: their `status.nominatedNodeName` is to be
    /// cleared (`prepareCandidate`), so they look for room elsewhere.
    pub clear_nominations: Vec<PodKey>,
}

/// The result of one scheduling attempt.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ScheduleOutcome {
    /// Bind the pod to `node` (the cache already assumes it there).
    Scheduled {
        /// The chosen node.
        node: String,
        /// WaitForFirstConsumer claims to bind or provision for this node.
        volume_actions: Vec<ClaimAction>,
        /// The decision trace (shared with the scheduler's latest-trace store).
        #[serde(serialize_with = "serialize_shared")]
        trace: Arc<Trace>,
    },
    /// No node fits: record a FailedScheduling event with `message`, set the PodScheduled
    /// condition, and act on `preemption` if any (evict victims, set nominatedNodeName).
    Unschedulable {
        /// The FailedScheduling message, worded exactly as kube-scheduler.
        message: String,
        /// The decision trace (shared with the scheduler's latest-trace store).
        #[serde(serialize_with = "serialize_shared")]
        trace: Arc<Trace>,
        /// What preemption decided, if it found a candidate.
        preemption: Option<Preemption>,
        /// Preemption ran and found no candidate: clear the pod's `status.nominatedNodeName`
        /// (kube-scheduler's PostFilter result with an empty nominated node).
        clear_nomination: bool,
    },
}

/// Serializes a shared trace as the trace itself (serde's `rc` feature is not enabled).
fn serialize_shared<S: serde::Serializer>(t: &Arc<Trace>, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&**t, s)
}

/// `numFeasibleNodesToFind`: how many feasible nodes to look for before scoring.
pub fn num_feasible_nodes_to_find(percentage: Option<i32>, num_all: usize) -> usize {
    if num_all < MIN_FEASIBLE_NODES_TO_FIND {
        return num_all;
    }
    let mut pct = percentage.unwrap_or(0) as i64;
    if pct <= 0 {
        pct = (50 - num_all as i64 / 125).max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
    }
    let n = (num_all as i64 * pct.min(100) / 100) as usize;
    n.max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// `FitError.Error()`: `0/N nodes are available: <prefilter msg or sorted reason histogram>.`
/// `absent` gives a reason and count for nodes without their own status; the PostFilter message,
/// if any, is appended after a space.
pub fn fit_error_message<'a>(
    num_all: usize,
    pre_filter_msg: Option<&str>,
    statuses: impl Iterator<Item = &'a Status>,
    absent: Option<(&str, usize)>,
    post_filter_msg: &str,
) -> String {
    let mut msg = format!("0/{num_all} nodes are available:");
    if let Some(p) = pre_filter_msg.filter(|p| !p.is_empty()) {
        msg.push_str(&format!(" {p}."));
    } else {
        let mut hist: VecMap<&str, usize> = VecMap::new();
        for s in statuses {
            for r in &s.reasons {
                *hist.entry(r.as_str()).or_insert(0) += 1;
            }
        }
        if let Some((r, n)) = absent.filter(|(_, n)| *n > 0) {
            *hist.entry(r).or_insert(0) += n;
        }
        let mut parts: Vec<String> = hist.into_iter().map(|(k, v)| format!("{v} {k}")).collect();
        parts.sort();
        if !parts.is_empty() {
            msg.push_str(&format!(" {}.", parts.join(", ")));
        }
    }
    if !post_filter_msg.is_empty() {
        msg.push(' ');
        msg.push_str(post_filter_msg);
    }
    msg
}

/// Per-cycle state of the filter plugins (one slot per filter plugin).
pub(crate) struct FilterStates {
    pub(crate) states: Vec<Option<Box<dyn StateData>>>,
    /// Indices of the filter plugins that did not Skip, in order.
    pub(crate) active: Vec<usize>,
}

impl FilterStates {
    fn clone_states(&self) -> FilterStates {
        FilterStates { states: self.states.iter().map(|s| s.as_ref().map(|b| (**b).clone_box())).collect(), active: self.active.clone() }
    }
}

/// How many pods' latest traces are kept (memory stays bounded in big clusters).
pub const MAX_TRACES: usize = 2000;

/// The scheduler: profile, plugins, cache, queue and the latest trace of each pod.
pub struct Scheduler {
    profile: Profile,
    resolved: ResolvedPlugins,
    filters: Vec<Box<dyn Plugin>>,
    scorers: Vec<(Box<dyn Plugin>, i32)>,
    preemption: bool,
    /// The node/pod cache; keep it in sync with the store through the `on_*` methods or directly.
    pub cache: SchedulerCache,
    /// The scheduling queue of pending pods.
    pub queue: SchedulingQueue,
    /// Pending pods nominated to nodes (reservations after preemption).
    pub nominator: Nominator,
    traces: BTreeMap<PodKey, Arc<Trace>>,
    trace_order: std::collections::VecDeque<PodKey>,
    tracing: bool,
    next_start_index: usize,
    /// Buffers reused from cycle to cycle (a cycle allocates nothing proportional to the nodes).
    scratch: Scratch,
}

/// Per-cycle buffers kept between cycles so their allocations are reused.
#[derive(Default)]
struct Scratch {
    /// The feasible nodes (always empty between cycles; see [`recycle`]).
    feasible: Vec<&'static NodeInfo>,
    totals: Vec<i64>,
    scores: Vec<i64>,
}

/// Moves an empty vector's allocation to a vector of another element type with the same layout
/// (here: node references of different lifetimes). In-place collection reuses the buffer; the
/// closure never runs because the vector is cleared first.
fn recycle<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter().map(|_| -> U { unreachable!() }).collect()
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler").field("plugins", &self.resolved).field("nodes", &self.cache.nodes().len()).finish()
    }
}

fn empty_spec() -> &'static PodSpec {
    static EMPTY: std::sync::OnceLock<PodSpec> = std::sync::OnceLock::new();
    EMPTY.get_or_init(PodSpec::default)
}

impl Scheduler {
    /// A scheduler with a profile; unknown plugin names are ignored (listed by [`Scheduler::unknown_plugins`]).
    pub fn new(profile: Profile) -> Scheduler {
        let resolved = profile.resolve();
        let filters = resolved.filter.iter().filter_map(|n| plugins::new_plugin(n)).collect();
        let scorers = resolved.score.iter().filter_map(|(n, w)| plugins::new_plugin(n).map(|p| (p, *w))).collect();
        let preemption = resolved.post_filter.iter().any(|p| p == "DefaultPreemption");
        Scheduler {
            profile,
            resolved,
            filters,
            scorers,
            preemption,
            cache: SchedulerCache::new(),
            queue: SchedulingQueue::new(),
            nominator: Nominator::default(),
            traces: BTreeMap::new(),
            trace_order: std::collections::VecDeque::new(),
            tracing: true,
            next_start_index: 0,
            scratch: Scratch::default(),
        }
    }

    /// Plugin names in the profile this scheduler does not implement.
    pub fn unknown_plugins(&self) -> Vec<String> {
        let all = self.resolved.filter.iter().chain(self.resolved.score.iter().map(|(n, _)| n)).chain(self.resolved.post_filter.iter());
        all.filter(|n| plugins::new_plugin(n).is_none() && n.as_str() != "DefaultPreemption").cloned().collect()
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Turns per-node tracing on (default) or off (for speed; the trace then has only a summary).
    pub fn set_tracing(&mut self, on: bool) {
        self.tracing = on;
    }

    /// Stores a pod's latest trace, keeping at most [`MAX_TRACES`] (the oldest attempts go first).
    fn keep_trace(&mut self, key: PodKey, trace: Arc<Trace>) {
        if !self.traces.contains_key(&key) {
            self.trace_order.push_back(key.clone());
        }
        self.traces.insert(key, trace);
        if self.trace_order.len() > 2 * MAX_TRACES {
            let traces = &self.traces;
            self.trace_order.retain(|k| traces.contains_key(k));
        }
        while self.traces.len() > MAX_TRACES {
            match self.trace_order.pop_front() {
                Some(old) => {
                    self.traces.remove(&old);
                }
                None => break,
            }
        }
    }

    /// The latest trace of a pod.
    pub fn trace(&self, key: &PodKey) -> Option<&Trace> {
        self.traces.get(key).map(|t| &**t)
    }

    /// Forgets a pod everywhere (deleted): queue, nomination, trace, cache.
    pub fn forget_pod(&mut self, key: &PodKey) {
        self.queue.delete(key);
        self.nominator.remove(key);
        self.traces.remove(key);
        self.cache.remove_pod(&key.namespace, &key.name);
    }

    fn run_filters(&self, st: &FilterStates, ctx: &PodCtx, node: &NodeInfo, env: &CycleEnv, trace: Option<&mut Vec<FilterVerdict>>) -> Status {
        let mut trace = trace;
        for &i in &st.active {
            let pl = &self.filters[i];
            let state = st.states[i].as_deref().map(|s| s as &dyn std::any::Any);
            if trace.is_none() && pl.passes(state, ctx, node, env) {
                continue;
            }
            let s = pl.filter(state, ctx, node, env);
            if let Some(t) = trace.as_deref_mut() {
                t.push(FilterVerdict { plugin: pl.name().to_string(), code: s.code, reasons: s.reasons.clone() });
            }
            if !s.is_success() {
                return s.plugin(pl.name());
            }
        }
        Status::success()
    }

    /// `RunFilterPluginsWithNominatedPods`: the filters with the node's nominated pods of equal or
    /// higher priority added (through a copy of the node and of the filter state), then, if any
    /// were added and that passed, without them; both must pass. With nothing nominated anywhere
    /// this is [`Scheduler::run_filters`] after one emptiness check. With a trace, the verdicts of
    /// the deciding pass are recorded.
    fn run_filters_nominated(&self, st: &FilterStates, ctx: &PodCtx, node: &NodeInfo, env: &CycleEnv, trace: Option<&mut Vec<FilterVerdict>>) -> Status {
        if self.nominator.is_empty() {
            return self.run_filters(st, ctx, node, env, trace);
        }
        let mut added: Option<(NodeInfo, FilterStates)> = None;
        for p in self.nominator.pods_for_node(&node.name) {
            if p.priority < ctx.info.priority || p.key == ctx.info.key {
                continue;
            }
            let (ni, st2) = added.get_or_insert_with(|| (node.clone(), st.clone_states()));
            ni.add_pod(p.clone());
            for (i, pl) in self.filters.iter().enumerate() {
                pl.add_pod(st2.states[i].as_deref_mut().map(|x| x.as_any_mut()), ctx, p, ni, env);
            }
        }
        let Some((ni, st2)) = added else {
            return self.run_filters(st, ctx, node, env, trace);
        };
        let mut trace = trace;
        let with = self.run_filters(&st2, ctx, &ni, env, trace.as_deref_mut());
        if !with.is_success() {
            return with;
        }
        if let Some(t) = trace.as_deref_mut() {
            t.clear();
        }
        self.run_filters(st, ctx, node, env, trace)
    }

    /// The pods nominated to `node` that [`Scheduler::run_filters_nominated`] counts for `ctx`.
    fn nominated_for(&self, ctx: &PodCtx, node: &str) -> Vec<String> {
        self.nominator.pods_for_node(node).iter().filter(|p| p.priority >= ctx.info.priority && p.key != ctx.info.key).map(|p| p.key.to_string()).collect()
    }

    /// Runs one scheduling cycle for `pod` at virtual time `now`. On success the pod is assumed in
    /// the cache and removed from the queue; on failure it goes back to the queue as unschedulable.
    pub fn schedule_one(&mut self, pod: &Pod, volumes: &dyn VolumeView, now: u64, rng: &mut impl RngCore) -> ScheduleOutcome {
        let info = PodInfo::new(pod);
        let mut scratch = std::mem::take(&mut self.scratch);
        let (outcome, rejected) = self.schedule_inner(pod, &info, volumes, now, rng, &mut scratch);
        self.scratch = scratch;
        let key = info.key.clone();
        match &outcome {
            ScheduleOutcome::Scheduled { node, trace, .. } => {
                self.cache.assume_pod_info(info, node);
                self.queue.done(&key);
                self.nominator.remove(&key);
                if self.tracing {
                    self.keep_trace(key, Arc::clone(trace));
                }
            }
            ScheduleOutcome::Unschedulable { trace, preemption, clear_nomination, .. } => {
                // The nomination takes effect at once (`handleSchedulingFailure` updates the
                // nominator without waiting for the pod update).
                if let Some(p) = preemption {
                    for k in &p.clear_nominations {
                        self.nominator.remove(k);
                    }
                    let nominated = self.cache.prepare_pod_info(info);
                    self.nominator.add(nominated, &p.nominated_node);
                } else if *clear_nomination {
                    self.nominator.remove(&key);
                }
                self.queue.requeue_unschedulable(&key, &rejected, now);
                if self.tracing {
                    self.keep_trace(key, Arc::clone(trace));
                }
            }
        }
        outcome
    }

    /// One cycle; also returns the plugins that rejected the pod (for the queue's event filter).
    /// Without tracing, the trace carries only the summary (no PreFilter/PreScore statuses, no
    /// per-node entries).
    fn schedule_inner(
        &mut self,
        pod: &Pod,
        info: &PodInfo,
        volumes: &dyn VolumeView,
        now: u64,
        rng: &mut impl RngCore,
        scratch: &mut Scratch,
    ) -> (ScheduleOutcome, Vec<String>) {
        let spec = pod.spec.as_ref().unwrap_or_else(|| empty_spec());
        let ctx = PodCtx { pod, spec, info };
        let env = CycleEnv { cache: &self.cache, volumes, args: &self.profile.plugin_config };
        let nodes = self.cache.nodes();
        let num_all = nodes.len();
        let mut trace = Trace { pod: info.key.to_string(), time: now, num_all_nodes: num_all, ..Trace::default() };
        if num_all == 0 {
            trace.message = Some(ERR_NO_NODES_AVAILABLE.into());
            return (ScheduleOutcome::Unschedulable { message: ERR_NO_NODES_AVAILABLE.into(), trace: Arc::new(trace), preemption: None, clear_nomination: false }, Vec::new());
        }

        // PreFilter.
        let mut st = FilterStates { states: Vec::with_capacity(self.filters.len()), active: Vec::with_capacity(self.filters.len()) };
        let mut pre_reject: Option<Status> = None;
        for (i, pl) in self.filters.iter().enumerate() {
            let r = pl.pre_filter(&ctx, &env);
            if self.tracing {
                trace.pre_filter.push(PluginStatus { plugin: pl.name().into(), code: r.status.code, reasons: r.status.reasons.clone() });
            }
            if r.status.code != Code::Skip {
                st.active.push(i);
            }
            st.states.push(r.state);
            if r.status.is_rejected() || r.status.code == Code::Error {
                pre_reject = Some(r.status.plugin(pl.name()));
                break;
            }
        }
        if let Some(rej) = pre_reject {
            // Every node shares the PreFilter status.
            let rejected = if rej.is_rejected() { vec![rej.plugin.clone()] } else { Vec::new() };
            let statuses: Vec<(usize, Status)> = (0..num_all).map(|i| (i, rej.clone())).collect();
            return (self.fail(&ctx, &env, &st, statuses, Some(rej.message()), trace, rng), rejected);
        }

        // The nominated node first (`evaluateNominatedNode`).
        if let Some(nom) = pod.status.as_ref().and_then(|s| s.nominated_node_name.as_deref()).filter(|n| !n.is_empty()) {
            if let Some(n) = self.cache.node(nom) {
                if self.run_filters_nominated(&st, &ctx, n, &env, None).is_success() {
                    let node = n.name.clone();
                    trace.selection = Some(Selection { node: node.clone(), score: None, tied: vec![node.clone()], how: "nominated node still fits".into() });
                    let volume_actions = VolumeBinding::decide(pod, volumes, n);
                    return (ScheduleOutcome::Scheduled { node, volume_actions, trace: Arc::new(trace) }, Vec::new());
                }
            }
        }

        // Filter, round-robin from where the last cycle stopped.
        let to_find = num_feasible_nodes_to_find(self.profile.percentage_of_nodes_to_score, num_all);
        trace.num_nodes_to_find = to_find;
        let start = self.next_start_index % num_all;
        trace.start_index = start;
        let mut feasible: Vec<&NodeInfo> = recycle(std::mem::take(&mut scratch.feasible));
        feasible.reserve(to_find.min(num_all));
        let mut failed: Vec<(usize, Status)> = Vec::new();
        let mut processed = 0usize;
        let mut node_traces: Vec<NodeTrace> = Vec::new();
        // Without tracing or nominations, a node that passes every filter needs no Status: the
        // active filters' `passes` with their states resolved once per cycle. A node that fails
        // goes through `run_filters_nominated` for its Status.
        let fast = !self.tracing && self.nominator.is_empty();
        let active: Vec<(&dyn Plugin, Option<&dyn std::any::Any>)> = if fast {
            st.active
                .iter()
                .map(|&i| (&*self.filters[i], st.states[i].as_deref().map(|s| s as &dyn std::any::Any)))
                .filter(|(pl, state)| !pl.passes_everywhere(*state, &ctx, &env))
                .collect()
        } else {
            Vec::new()
        };
        for i in 0..num_all {
            if feasible.len() >= to_find {
                break;
            }
            let idx = start + i;
            let n = &nodes[if idx >= num_all { idx - num_all } else { idx }];
            processed += 1;
            if fast && active.iter().all(|(pl, state)| pl.passes(*state, &ctx, n, &env)) {
                feasible.push(n);
                continue;
            }
            let mut verdicts = if self.tracing { Some(Vec::new()) } else { None };
            let s = self.run_filters_nominated(&st, &ctx, n, &env, verdicts.as_mut());
            let ok = s.is_success();
            if ok {
                feasible.push(n);
            } else {
                failed.push((n.slot, s));
            }
            if let Some(v) = verdicts {
                let nominated = if self.nominator.is_empty() { Vec::new() } else { self.nominated_for(&ctx, &n.name) };
                node_traces.push(NodeTrace { node: n.name.clone(), filters: v, feasible: ok, scores: Vec::new(), total: None, nominated });
            }
        }
        self.next_start_index = (start + processed) % num_all;

        if feasible.is_empty() {
            trace.nodes = node_traces;
            let mut rejected: Vec<String> = Vec::new();
            for (_, f) in &failed {
                if !rejected.contains(&f.plugin) {
                    rejected.push(f.plugin.clone());
                }
            }
            return (self.fail(&ctx, &env, &st, failed, None, trace, rng), rejected);
        }

        let chosen: &NodeInfo = if feasible.len() == 1 {
            trace.selection = Some(Selection { node: feasible[0].name.clone(), score: None, tied: vec![feasible[0].name.clone()], how: "only feasible node; scoring skipped".into() });
            feasible[0]
        } else {
            // PreScore + Score + NormalizeScore.
            let totals = &mut scratch.totals;
            totals.clear();
            totals.resize(feasible.len(), 0);
            let mut per_plugin: Vec<(usize, Vec<i64>, Vec<i64>)> = Vec::new();
            let scores = &mut scratch.scores;
            for (pi, (pl, w)) in self.scorers.iter().enumerate() {
                let pre = pl.pre_score(&ctx, &env, &feasible);
                if self.tracing {
                    trace.pre_score.push(PluginStatus { plugin: pl.name().into(), code: pre.status.code, reasons: pre.status.reasons.clone() });
                }
                if pre.status.code == Code::Skip {
                    continue;
                }
                let state = pre.state.as_deref().map(|s| s.as_any());
                scores.clear();
                pl.score_all(state, &ctx, &feasible, &env, scores);
                let raw = if self.tracing { scores.clone() } else { Vec::new() };
                pl.normalize(state, &ctx, scores);
                let w = *w as i64;
                if w == 1 {
                    // The usual weight: the same sums without a multiply per node.
                    for (t, s) in totals.iter_mut().zip(scores.iter()) {
                        *t += s;
                    }
                } else {
                    for (t, s) in totals.iter_mut().zip(scores.iter()) {
                        *t += s * w;
                    }
                }
                if self.tracing {
                    per_plugin.push((pi, raw, scores.clone()));
                }
            }
            // selectHost: highest total, reservoir sampling among ties.
            // The tied nodes are listed only when tracing; `count` says how many there were.
            let mut best = 0usize;
            let mut count = 1u32;
            let mut tied = if self.tracing { vec![0usize] } else { Vec::new() };
            for i in 1..feasible.len() {
                if totals[i] > totals[best] {
                    best = i;
                    count = 1;
                    if self.tracing {
                        tied.clear();
                        tied.push(i);
                    }
                } else if totals[i] == totals[best] {
                    count += 1;
                    if self.tracing {
                        tied.push(i);
                    }
                    if rng.gen_range(0..count) == 0 {
                        best = i;
                    }
                }
            }
            if self.tracing {
                let by_name: VecMap<&str, usize> = VecMap::from_iter(feasible.iter().enumerate().map(|(i, n)| (n.name.as_str(), i)));
                for nt in node_traces.iter_mut().filter(|t| t.feasible) {
                    if let Some(&fi) = by_name.get(nt.node.as_str()) {
                        nt.total = Some(totals[fi]);
                        for (pi, raw, norm) in &per_plugin {
                            let (pl, w) = &self.scorers[*pi];
                            nt.scores.push(ScoreEntry { plugin: pl.name().into(), raw: raw[fi], normalized: norm[fi], weight: *w, weighted: norm[fi] * *w as i64 });
                        }
                    }
                }
            }
            let how = if count > 1 { format!("highest score {}; picked at random among {} tied nodes", totals[best], count) } else { format!("highest score {}", totals[best]) };
            let tied = if self.tracing { tied.iter().map(|&i| feasible[i].name.clone()).collect() } else { vec![feasible[best].name.clone()] };
            trace.selection = Some(Selection { node: feasible[best].name.clone(), score: Some(totals[best]), tied, how });
            feasible[best]
        };
        trace.nodes = node_traces;
        let node = chosen.name.clone();
        let volume_actions = VolumeBinding::decide(pod, volumes, chosen);
        scratch.feasible = recycle(feasible);
        (ScheduleOutcome::Scheduled { node, volume_actions, trace: Arc::new(trace) }, Vec::new())
    }

    #[allow(clippy::too_many_arguments)]
    fn fail(
        &self,
        ctx: &PodCtx,
        env: &CycleEnv,
        st: &FilterStates,
        statuses: Vec<(usize, Status)>,
        pre_filter_msg: Option<String>,
        mut trace: Trace,
        rng: &mut impl RngCore,
    ) -> ScheduleOutcome {
        let num_all = env.cache.nodes().len();
        let r = if self.preemption { preemption::preempt(self, ctx, env, st, &statuses, rng) } else { preemption::PostFilterResult::default() };
        let message = fit_error_message(num_all, pre_filter_msg.as_deref(), statuses.iter().map(|(_, s)| s), None, &r.message);
        trace.message = Some(message.clone());
        trace.preemption = r.trace;
        ScheduleOutcome::Unschedulable { message, trace: Arc::new(trace), preemption: r.preemption, clear_nomination: r.clear_nomination }
    }

    /// A pod appeared: bound pods go to the cache, pending pods (for this scheduler, without
    /// `schedulingGates`) to the queue. A gated pod stays out until an update removes its gates.
    /// A pending pod of this scheduler carrying `status.nominatedNodeName` is nominated there; any
    /// other state drops its nomination.
    pub fn on_pod_add(&mut self, pod: &Pod, now: u64) {
        let key = PodKey::of(pod);
        let spec = pod.spec.as_ref();
        let bound = spec.and_then(|s| s.node_name.as_deref()).is_some_and(|n| !n.is_empty());
        let ours = spec.and_then(|s| s.scheduler_name.as_deref()).unwrap_or("default-scheduler") == self.profile.scheduler_name;
        let nominated = pod.status.as_ref().and_then(|s| s.nominated_node_name.as_deref()).filter(|n| !n.is_empty());
        match nominated {
            Some(node) if !bound && ours && pod.metadata.deletion_timestamp.is_none() => {
                let info = self.cache.prepare_pod_info(PodInfo::new(pod));
                self.nominator.add(info, node);
            }
            _ => {
                self.nominator.remove(&key);
            }
        }
        if bound {
            self.queue.delete(&key);
            self.cache.add_pod(pod);
            self.queue.move_all_to_active_or_backoff(queue::ClusterEvent::AssignedPodUpdate, now);
        } else if ours && pod.metadata.deletion_timestamp.is_none() && spec.and_then(|s| s.scheduling_gates.as_ref()).is_none_or(|g| g.is_empty()) {
            self.queue.update(key, spec.and_then(|s| s.priority).unwrap_or(0), now);
        }
    }

    /// A pod changed (same handling as [`Scheduler::on_pod_add`]).
    pub fn on_pod_update(&mut self, pod: &Pod, now: u64) {
        self.on_pod_add(pod, now);
    }

    /// A pod was deleted: frees its resources and may unblock others.
    pub fn on_pod_delete(&mut self, namespace: &str, name: &str, now: u64) {
        let key = PodKey::new(namespace, name);
        let was_bound = self.cache.pod_node(&key).is_some();
        self.forget_pod(&key);
        if was_bound {
            self.queue.move_all_to_active_or_backoff(queue::ClusterEvent::AssignedPodDelete, now);
        }
    }

    /// A node was added or changed.
    pub fn on_node_upsert(&mut self, node: &k8s_openapi::api::core::v1::Node, now: u64) {
        let known = node.metadata.name.as_deref().is_some_and(|n| self.cache.node(n).is_some());
        self.cache.add_node(node);
        let ev = if known { queue::ClusterEvent::NodeUpdate } else { queue::ClusterEvent::NodeAdd };
        self.queue.move_all_to_active_or_backoff(ev, now);
    }

    /// A node was deleted.
    pub fn on_node_delete(&mut self, name: &str) {
        self.cache.remove_node(name);
    }

    /// A PV, PVC or StorageClass changed.
    pub fn on_storage_change(&mut self, now: u64) {
        self.queue.move_all_to_active_or_backoff(queue::ClusterEvent::PvcChange, now);
    }
}
