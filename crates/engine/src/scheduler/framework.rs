//! The scheduling framework (kube-scheduler's `pkg/scheduler/framework`): the [`Status`] every
//! plugin returns, the [`Plugin`] trait with its extension points (PreFilter, Filter with the
//! AddPod/RemovePod extensions preemption needs, PreScore, Score, NormalizeScore), per-cycle plugin
//! state, and the [`Profile`] — `KubeSchedulerConfiguration`'s profile as plain data, with
//! kube-scheduler's default plugins and score weights.
//!
//! `Unschedulable` is a normal answer (preemption may help), `UnschedulableAndUnresolvable` says
//! preemption cannot help, `Error` means a bug, and `Skip` (from PreFilter/PreScore) means the
//! plugin has nothing to do for this pod.

use super::cache::{NodeInfo, PodInfo, SchedulerCache};
use super::plugins::volume_binding::VolumeView;
use k8s_openapi::api::core::v1::{Pod, PodSpec, TopologySpreadConstraint};
use serde::{Deserialize, Serialize};
use std::any::Any;

/// The highest score a plugin gives a node (`framework.MaxNodeScore`).
pub const MAX_NODE_SCORE: i64 = 100;

/// A plugin's verdict code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Code {
    /// The pod may go there.
    Success,
    /// The pod does not fit now; preempting pods might help.
    Unschedulable,
    /// The pod does not fit and preempting pods cannot help.
    UnschedulableAndUnresolvable,
    /// An internal error (a bug, never a user mistake).
    Error,
    /// PreFilter/PreScore: this plugin has nothing to check for this pod.
    Skip,
}

/// A plugin's result: a code, reasons (shown in FailedScheduling), and the plugin that said it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The verdict.
    pub code: Code,
    /// Human-readable reasons, as Kubernetes words them.
    pub reasons: Vec<String>,
    /// The plugin that returned it ("" for framework-level statuses).
    pub plugin: String,
}

impl Status {
    /// Success without reasons (allocation-free).
    pub fn success() -> Status {
        Status { code: Code::Success, reasons: Vec::new(), plugin: String::new() }
    }

    /// Skip (PreFilter/PreScore only).
    pub fn skip() -> Status {
        Status { code: Code::Skip, reasons: Vec::new(), plugin: String::new() }
    }

    /// A status with one reason.
    pub fn new(code: Code, reason: impl Into<String>) -> Status {
        Status { code, reasons: vec![reason.into()], plugin: String::new() }
    }

    /// A status with several reasons.
    pub fn with_reasons(code: Code, reasons: Vec<String>) -> Status {
        Status { code, reasons, plugin: String::new() }
    }

    /// `Unschedulable` with one reason.
    pub fn unschedulable(reason: impl Into<String>) -> Status {
        Status::new(Code::Unschedulable, reason)
    }

    /// `UnschedulableAndUnresolvable` with one reason.
    pub fn unresolvable(reason: impl Into<String>) -> Status {
        Status::new(Code::UnschedulableAndUnresolvable, reason)
    }

    /// Whether the code is Success.
    pub fn is_success(&self) -> bool {
        self.code == Code::Success
    }

    /// Whether the pod was rejected (Unschedulable or UnschedulableAndUnresolvable).
    pub fn is_rejected(&self) -> bool {
        matches!(self.code, Code::Unschedulable | Code::UnschedulableAndUnresolvable)
    }

    /// The reasons joined with ", " (`Status.Message()`).
    pub fn message(&self) -> String {
        self.reasons.join(", ")
    }

    /// Sets the plugin name.
    pub fn plugin(mut self, name: &str) -> Status {
        self.plugin = name.to_string();
        self
    }
}

/// Per-cycle data a plugin computes in PreFilter/PreScore and reads in Filter/Score.
pub trait StateData: Any {
    /// Clones the state (preemption dry-runs work on copies).
    fn clone_box(&self) -> Box<dyn StateData>;
    /// As `Any`, for downcasting.
    fn as_any(&self) -> &dyn Any;
    /// As mutable `Any`, for the AddPod/RemovePod extensions.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any + Clone> StateData for T {
    fn clone_box(&self) -> Box<dyn StateData> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// What PreFilter/PreScore return: a status and optional state for the later phases.
pub struct PreResult {
    /// Success, Skip, or a rejection that applies to every node.
    pub status: Status,
    /// State for Filter/Score.
    pub state: Option<Box<dyn StateData>>,
}

impl PreResult {
    /// Success with state.
    pub fn with(state: impl StateData) -> PreResult {
        PreResult { status: Status::success(), state: Some(Box::new(state)) }
    }
    /// Success without state.
    pub fn ok() -> PreResult {
        PreResult { status: Status::success(), state: None }
    }
    /// Skip this plugin for this pod.
    pub fn skip() -> PreResult {
        PreResult { status: Status::skip(), state: None }
    }
    /// Reject the pod everywhere.
    pub fn reject(status: Status) -> PreResult {
        PreResult { status, state: None }
    }
}

/// The pod being scheduled, with its precomputed summary.
#[derive(Clone, Copy)]
pub struct PodCtx<'a> {
    /// The pod object.
    pub pod: &'a Pod,
    /// Its spec (an empty spec if the pod has none).
    pub spec: &'a PodSpec,
    /// Its summary (requests, ports, compiled affinity terms).
    pub info: &'a PodInfo,
}

/// What plugins can see besides the pod and the node: the whole cache, volumes, plugin args.
#[derive(Clone, Copy)]
pub struct CycleEnv<'a> {
    /// The scheduler cache.
    pub cache: &'a SchedulerCache,
    /// PVCs, PVs and StorageClasses.
    pub volumes: &'a dyn VolumeView,
    /// Plugin arguments from the profile.
    pub args: &'a PluginArgs,
}

/// A scheduling plugin. Every extension point has a no-op default; the profile decides at which
/// points a plugin runs.
pub trait Plugin {
    /// The plugin's name as in KubeSchedulerConfiguration (`NodeResourcesFit`).
    fn name(&self) -> &'static str;

    /// PreFilter: computes per-cycle state; may reject the pod for all nodes or Skip.
    fn pre_filter(&self, _pod: &PodCtx, _env: &CycleEnv) -> PreResult {
        PreResult::ok()
    }

    /// Filter: whether the pod may run on the node.
    fn filter(&self, _state: Option<&dyn Any>, _pod: &PodCtx, _node: &NodeInfo, _env: &CycleEnv) -> Status {
        Status::success()
    }

    /// Filter fast path: whether [`Plugin::filter`] would succeed, without building a [`Status`].
    /// The framework calls `filter` only to learn why a node was rejected (or when tracing).
    /// Overrides must agree with `filter` exactly.
    fn passes(&self, state: Option<&dyn Any>, pod: &PodCtx, node: &NodeInfo, env: &CycleEnv) -> bool {
        self.filter(state, pod, node, env).is_success()
    }

    /// Whether [`Plugin::passes`] holds on every node for this pod and state (so the framework's
    /// fast path need not ask per node). Unlike a PreFilter Skip this changes nothing visible:
    /// the plugin still runs wherever a Status or a trace is needed. Default: `false`.
    fn passes_everywhere(&self, _state: Option<&dyn Any>, _pod: &PodCtx, _env: &CycleEnv) -> bool {
        false
    }

    /// PreFilter extension: a pod was added to `node` in a what-if (preemption reprieve).
    fn add_pod(&self, _state: Option<&mut dyn Any>, _pod: &PodCtx, _added: &PodInfo, _node: &NodeInfo, _env: &CycleEnv) {}

    /// PreFilter extension: a pod was removed from `node` in a what-if (preemption victim).
    fn remove_pod(&self, _state: Option<&mut dyn Any>, _pod: &PodCtx, _removed: &PodInfo, _node: &NodeInfo, _env: &CycleEnv) {}

    /// PreScore: computes state over the feasible nodes; may Skip.
    fn pre_score(&self, _pod: &PodCtx, _env: &CycleEnv, _nodes: &[&NodeInfo]) -> PreResult {
        PreResult::ok()
    }

    /// Score: a raw score for one feasible node.
    fn score(&self, _state: Option<&dyn Any>, _pod: &PodCtx, _node: &NodeInfo, _env: &CycleEnv) -> i64 {
        0
    }

    /// Score over all feasible nodes at once, appending one raw score per node to `out` (in
    /// order). The default calls [`Plugin::score`] per node; plugins override it to look up their
    /// PreScore state once per cycle instead of once per node. Overrides must agree with `score`.
    /// The framework passes the nodes PreScore got, in the same order, so an override may use
    /// what PreScore gathered per node (PodTopologySpread does, checking it in debug builds).
    fn score_all(&self, state: Option<&dyn Any>, pod: &PodCtx, nodes: &[&NodeInfo], env: &CycleEnv, out: &mut Vec<i64>) {
        out.extend(nodes.iter().map(|n| self.score(state, pod, n, env)));
    }

    /// NormalizeScore: rescales the raw scores (aligned with the feasible nodes) to 0..=100.
    fn normalize(&self, _state: Option<&dyn Any>, _pod: &PodCtx, _scores: &mut [i64]) {}
}

/// `helper.DefaultNormalizeScore`: scales so the highest becomes `max`, optionally reversed.
pub fn default_normalize(max: i64, reverse: bool, scores: &mut [i64]) {
    let max_count = scores.iter().copied().max().unwrap_or(0).max(0);
    if max_count == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = max);
        }
        return;
    }
    for s in scores.iter_mut() {
        let mut v = div_nonneg(max * *s, max_count);
        if reverse {
            v = max - v;
        }
        *s = v;
    }
}

/// `a / b` for `a >= 0`, `b > 0` (Go's integer division), through one floating-point division when
/// that is exact: for `0 <= a < 2^53` and `0 < b < 2^53` both are exact doubles, the quotient is
/// correctly rounded, and its error (below `a/b * 2^-53 < 1/b`) cannot carry it across the next
/// integer, so truncating it gives the integer quotient. Much cheaper than a 64-bit `idiv` in the
/// score loops; other inputs take the integer path.
#[inline]
pub fn div_nonneg(a: i64, b: i64) -> i64 {
    const EXACT: i64 = 1 << 53;
    if (0..EXACT).contains(&a) && b > 0 && b < EXACT {
        (a as f64 / b as f64) as i64
    } else {
        a.checked_div(b).unwrap_or(0)
    }
}

/// A plugin named in a profile, with an optional score weight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginRef {
    /// Plugin name, or `*` in `disabled` for all defaults.
    pub name: String,
    /// Score weight (score extension point only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
}

impl PluginRef {
    fn new(name: &str, weight: Option<i32>) -> PluginRef {
        PluginRef { name: name.to_string(), weight }
    }
}

/// Plugins enabled/disabled at one extension point, relative to the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PluginSet {
    /// Plugins added (or re-weighted) on top of the defaults.
    pub enabled: Vec<PluginRef>,
    /// Default plugins removed (`*` removes all).
    pub disabled: Vec<PluginRef>,
}

/// Per-extension-point plugin sets (`KubeSchedulerProfile.plugins`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Plugins {
    /// Filter (PreFilter runs for the same plugins).
    pub filter: PluginSet,
    /// Score (PreScore runs for the same plugins).
    pub score: PluginSet,
    /// PostFilter (DefaultPreemption).
    pub post_filter: PluginSet,
}

/// NodeResourcesFit scoring strategy type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoringStrategyType {
    /// Prefer the emptiest nodes (default).
    #[default]
    LeastAllocated,
    /// Prefer the fullest nodes (bin packing).
    MostAllocated,
}

/// A resource and its weight in resource scoring.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceWeight {
    /// Resource name (`cpu`, `memory`, an extended resource).
    pub name: String,
    /// Weight.
    pub weight: i64,
}

fn default_resources() -> Vec<ResourceWeight> {
    vec![ResourceWeight { name: "cpu".into(), weight: 1 }, ResourceWeight { name: "memory".into(), weight: 1 }]
}

/// NodeResourcesFit's scoring strategy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ScoringStrategy {
    /// `LeastAllocated` or `MostAllocated`.
    #[serde(rename = "type")]
    pub kind: ScoringStrategyType,
    /// Resources and weights (default cpu:1, memory:1).
    pub resources: Vec<ResourceWeight>,
}

impl Default for ScoringStrategy {
    fn default() -> Self {
        ScoringStrategy { kind: ScoringStrategyType::LeastAllocated, resources: default_resources() }
    }
}

/// Arguments of the plugins that take any.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PluginArgs {
    /// NodeResourcesFit scoring strategy.
    pub scoring_strategy: ScoringStrategy,
    /// NodeResourcesBalancedAllocation resources (default cpu, memory).
    pub balanced_allocation_resources: Vec<ResourceWeight>,
    /// InterPodAffinity: weight of existing pods' *required* affinity in scoring (default 1).
    pub hard_pod_affinity_weight: i32,
    /// PodTopologySpread: apply the system default constraints to pods without their own
    /// (`defaultingType: System`), for pods owned by a ReplicaSet, ReplicationController or StatefulSet.
    pub system_default_spreading: bool,
    /// PodTopologySpread: cluster default constraints used instead of the system ones when non-empty.
    pub default_constraints: Vec<TopologySpreadConstraint>,
    /// DefaultPreemption: minimum share of nodes to dry-run (default 10).
    pub min_candidate_nodes_percentage: i32,
    /// DefaultPreemption: minimum number of nodes to dry-run (default 100).
    pub min_candidate_nodes_absolute: i32,
}

impl Default for PluginArgs {
    fn default() -> Self {
        PluginArgs {
            scoring_strategy: ScoringStrategy::default(),
            balanced_allocation_resources: default_resources(),
            hard_pod_affinity_weight: 1,
            system_default_spreading: true,
            default_constraints: Vec::new(),
            min_candidate_nodes_percentage: 10,
            min_candidate_nodes_absolute: 100,
        }
    }
}

/// A scheduling profile (`KubeSchedulerProfile`): plugin overrides relative to the defaults,
/// plugin args, and `percentageOfNodesToScore`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Profile {
    /// The scheduler name pods select with `spec.schedulerName`.
    pub scheduler_name: String,
    /// Share of nodes to find feasible before scoring; `None`/0 means adaptive (50 - nodes/125, min 5).
    pub percentage_of_nodes_to_score: Option<i32>,
    /// Plugin overrides.
    pub plugins: Plugins,
    /// Plugin arguments.
    pub plugin_config: PluginArgs,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            scheduler_name: "default-scheduler".into(),
            percentage_of_nodes_to_score: None,
            plugins: Plugins::default(),
            plugin_config: PluginArgs::default(),
        }
    }
}

/// kube-scheduler's default Filter plugins, in order (v1.32 `getDefaultPlugins`, without the
/// volume plugins this simulator does not model).
pub const DEFAULT_FILTER_PLUGINS: &[&str] = &[
    "NodeUnschedulable",
    "NodeName",
    "TaintToleration",
    "NodeAffinity",
    "NodePorts",
    "NodeResourcesFit",
    "VolumeBinding",
    "PodTopologySpread",
    "InterPodAffinity",
];

/// kube-scheduler's default Score plugins and weights, in order.
pub const DEFAULT_SCORE_PLUGINS: &[(&str, i32)] = &[
    ("TaintToleration", 3),
    ("NodeAffinity", 2),
    ("NodeResourcesFit", 1),
    ("PodTopologySpread", 2),
    ("InterPodAffinity", 2),
    ("NodeResourcesBalancedAllocation", 1),
    ("ImageLocality", 1),
];

/// kube-scheduler's default PostFilter plugins.
pub const DEFAULT_POST_FILTER_PLUGINS: &[&str] = &["DefaultPreemption"];

/// A profile with its plugin sets resolved against the defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResolvedPlugins {
    /// Filter plugins in order.
    pub filter: Vec<String>,
    /// Score plugins in order with weights.
    pub score: Vec<(String, i32)>,
    /// PostFilter plugins.
    pub post_filter: Vec<String>,
}

fn resolve_set(defaults: &[PluginRef], set: &PluginSet) -> Vec<PluginRef> {
    let all_off = set.disabled.iter().any(|d| d.name == "*");
    let mut out: Vec<PluginRef> = if all_off {
        Vec::new()
    } else {
        defaults.iter().filter(|d| !set.disabled.iter().any(|x| x.name == d.name)).cloned().collect()
    };
    for e in &set.enabled {
        if let Some(existing) = out.iter_mut().find(|p| p.name == e.name) {
            if e.weight.is_some() {
                existing.weight = e.weight;
            }
        } else {
            out.push(e.clone());
        }
    }
    out
}

impl Profile {
    /// Resolves enabled/disabled lists against kube-scheduler's defaults (a weight of 0 or none
    /// for an added score plugin becomes 1, as in kube-scheduler).
    pub fn resolve(&self) -> ResolvedPlugins {
        let f: Vec<PluginRef> = DEFAULT_FILTER_PLUGINS.iter().map(|n| PluginRef::new(n, None)).collect();
        let s: Vec<PluginRef> = DEFAULT_SCORE_PLUGINS.iter().map(|(n, w)| PluginRef::new(n, Some(*w))).collect();
        let p: Vec<PluginRef> = DEFAULT_POST_FILTER_PLUGINS.iter().map(|n| PluginRef::new(n, None)).collect();
        ResolvedPlugins {
            filter: resolve_set(&f, &self.plugins.filter).into_iter().map(|p| p.name).collect(),
            score: resolve_set(&s, &self.plugins.score)
                .into_iter()
                .map(|p| (p.name, p.weight.filter(|w| *w > 0).unwrap_or(1)))
                .collect(),
            post_filter: resolve_set(&p, &self.plugins.post_filter).into_iter().map(|p| p.name).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_weights() {
        let r = Profile::default().resolve();
        assert_eq!(r.filter.len(), DEFAULT_FILTER_PLUGINS.len());
        assert!(r.score.contains(&("TaintToleration".to_string(), 3)));
        assert!(r.score.contains(&("InterPodAffinity".to_string(), 2)));
        assert_eq!(r.post_filter, vec!["DefaultPreemption".to_string()]);
    }

    #[test]
    fn profile_overrides_from_yaml() {
        let p: Profile = serde_yaml::from_str(
            r#"
schedulerName: bin-packer
percentageOfNodesToScore: 100
plugins:
  score:
    disabled: [{name: ImageLocality}]
    enabled: [{name: NodeResourcesFit, weight: 5}]
  postFilter:
    disabled: [{name: "*"}]
pluginConfig:
  scoringStrategy: {type: MostAllocated}
"#,
        )
        .unwrap();
        let r = p.resolve();
        assert!(!r.score.iter().any(|(n, _)| n == "ImageLocality"));
        assert!(r.score.contains(&("NodeResourcesFit".to_string(), 5)));
        assert!(r.post_filter.is_empty());
        assert_eq!(p.plugin_config.scoring_strategy.kind, ScoringStrategyType::MostAllocated);
        assert_eq!(p.plugin_config.scoring_strategy.resources.len(), 2);
    }

    #[test]
    fn div_nonneg_is_integer_division() {
        // Edge cases around exactness limits and quotients just below an integer.
        let big = 1i64 << 53;
        let cases = [
            (0, 1), (99, 100), (100, 100), (27_487_790_694_400 - 1, 274_877_906_944), (27_487_790_694_400, 274_877_906_944),
            (big - 1, 3), (big - 1, big - 1), (big, 7), (big + 1, 7), (i64::MAX, 3), (i64::MAX, i64::MAX - 1), (-7, 2), (7, -2),
            (1_000_000_007 * 99 - 1, 1_000_000_007), (5, 0),
        ];
        for (a, b) in cases {
            let want = a.checked_div(b).unwrap_or(0);
            assert_eq!(div_nonneg(a, b), want, "{a} / {b}");
        }
        // A sweep of score-like divisions: (capacity - requested) * 100 / capacity.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let cap = (x % (1 << 45)) as i64 + 1;
            let req = ((x >> 7) as i64 % cap).abs();
            let a = (cap - req) * 100;
            assert_eq!(div_nonneg(a, cap), a / cap, "{a} / {cap}");
        }
    }

    #[test]
    fn normalize() {
        let mut s = [0, 2, 4];
        default_normalize(100, true, &mut s);
        assert_eq!(s, [100, 50, 0]);
        let mut z = [0, 0];
        default_normalize(100, true, &mut z);
        assert_eq!(z, [100, 100]);
    }
}
