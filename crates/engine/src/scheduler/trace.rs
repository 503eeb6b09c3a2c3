//! The decision trace of one scheduling attempt — what kube-scheduler-simulator records: every
//! node's filter verdicts (plugin by plugin, stopping at the first rejection as the framework
//! does), every score plugin's raw and normalised score with its weight, the totals, the chosen
//! node and how a tie was broken, and what preemption tried. Serialisable for the page; rendered
//! as plain text for the terminal.

use super::framework::Code;
use serde::Serialize;
use std::fmt::Write;

/// One filter plugin's verdict on one node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FilterVerdict {
    /// Plugin name.
    pub plugin: String,
    /// Success, or why not.
    pub code: Code,
    /// Reasons when rejected.
    pub reasons: Vec<String>,
}

/// One score plugin's contribution on one node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScoreEntry {
    /// Plugin name.
    pub plugin: String,
    /// Score before normalisation.
    pub raw: i64,
    /// Score after NormalizeScore (0..=100).
    pub normalized: i64,
    /// Plugin weight.
    pub weight: i32,
    /// `normalized * weight`.
    pub weighted: i64,
}

/// Everything that happened to one node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NodeTrace {
    /// Node name.
    pub node: String,
    /// Filter verdicts in order, up to the first rejection.
    pub filters: Vec<FilterVerdict>,
    /// Whether all filters passed.
    pub feasible: bool,
    /// Score contributions (feasible nodes only, when scoring ran).
    pub scores: Vec<ScoreEntry>,
    /// Sum of weighted scores.
    pub total: Option<i64>,
    /// Pods nominated to this node (priority at least the pod's) counted as if running there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nominated: Vec<String>,
}

/// A PreFilter or PreScore plugin's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PluginStatus {
    /// Plugin name.
    pub plugin: String,
    /// Its code (Skip means it sat this pod out).
    pub code: Code,
    /// Reasons, if any.
    pub reasons: Vec<String>,
}

/// How the winning node was picked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// The node chosen.
    pub node: String,
    /// Its total score (None when scoring was skipped).
    pub score: Option<i64>,
    /// All nodes sharing the top score, in evaluation order.
    pub tied: Vec<String>,
    /// Human explanation: nominated node, only feasible node, highest score, or random tie-break.
    pub how: String,
}

/// What preemption did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PreemptionTrace {
    /// Whether the dry run ran at all (false for `preemptionPolicy: Never` etc.).
    pub attempted: bool,
    /// The PostFilter message (empty on success).
    pub message: String,
    /// Candidate nodes and the victims each would need.
    pub candidates: Vec<(String, Vec<String>)>,
    /// The node nominated.
    pub nominated_node: Option<String>,
    /// The pods to evict (`namespace/name`).
    pub victims: Vec<String>,
    /// PodDisruptionBudget violations of each candidate, aligned with `candidates`.
    pub pdb_violations: Vec<usize>,
    /// Lower-priority pods nominated to the chosen node whose nomination is cleared.
    pub cleared_nominations: Vec<String>,
}

/// The full trace of one scheduling attempt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// `namespace/name` of the pod.
    pub pod: String,
    /// Virtual time of the attempt (ms).
    pub time: u64,
    /// Nodes in the cluster.
    pub num_all_nodes: usize,
    /// How many feasible nodes the scheduler looked for (percentageOfNodesToScore).
    pub num_nodes_to_find: usize,
    /// Where the round-robin walk over nodes started.
    pub start_index: usize,
    /// PreFilter statuses.
    pub pre_filter: Vec<PluginStatus>,
    /// PreScore statuses.
    pub pre_score: Vec<PluginStatus>,
    /// Per-node details, in evaluation order (empty when tracing is off).
    pub nodes: Vec<NodeTrace>,
    /// The selection, if a node was chosen.
    pub selection: Option<Selection>,
    /// Preemption, if the pod did not fit.
    pub preemption: Option<PreemptionTrace>,
    /// The FailedScheduling message, if it failed.
    pub message: Option<String>,
}

impl Trace {
    /// Renders the trace as a plain-text report for the terminal.
    pub fn render_text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "Scheduling {} at t={}ms: {} node(s), looking for {} feasible, starting at #{}", self.pod, self.time, self.num_all_nodes, self.num_nodes_to_find, self.start_index);
        for p in &self.pre_filter {
            if p.code != Code::Success {
                let _ = writeln!(o, "  PreFilter {:<32} {:?} {}", p.plugin, p.code, p.reasons.join(", "));
            }
        }
        if !self.nodes.is_empty() {
            let _ = writeln!(o, "  {:<24} {:<8} DETAIL", "NODE", "RESULT");
        }
        for n in &self.nodes {
            if n.feasible {
                let detail = n.scores.iter().map(|s| format!("{}={}x{}", s.plugin, s.normalized, s.weight)).collect::<Vec<_>>().join(" ");
                let total = n.total.map(|t| format!("total={t} ")).unwrap_or_default();
                let _ = writeln!(o, "  {:<24} {:<8} {}{}", n.node, "fits", total, detail);
            } else if let Some(f) = n.filters.last() {
                let nominated = if n.nominated.is_empty() { String::new() } else { format!(" (counting nominated {})", n.nominated.join(", ")) };
                let _ = writeln!(o, "  {:<24} {:<8} {}: {}{}", n.node, "rejected", f.plugin, f.reasons.join(", "), nominated);
            }
        }
        if let Some(s) = &self.selection {
            let _ = writeln!(o, "  => {} ({})", s.node, s.how);
        }
        if let Some(m) = &self.message {
            let _ = writeln!(o, "  => {m}");
        }
        if let Some(p) = &self.preemption {
            if let Some(n) = &p.nominated_node {
                let violations = p.candidates.iter().position(|(c, _)| c == n).and_then(|i| p.pdb_violations.get(i)).copied().unwrap_or(0);
                let mut extra = String::new();
                if violations > 0 {
                    let _ = write!(extra, " ({violations} PodDisruptionBudget violation(s))");
                }
                if !p.cleared_nominations.is_empty() {
                    let _ = write!(extra, "; clearing the nomination of {}", p.cleared_nominations.join(", "));
                }
                let _ = writeln!(o, "  preemption: nominate {} evicting {}{}", n, p.victims.join(", "), extra);
            } else if !p.attempted {
                let _ = writeln!(o, "  preemption: not attempted ({})", p.message);
            }
        }
        o
    }
}
