//! The lesson file format (`lessons/*.yaml`): metadata, the cluster to start from, and steps
//! with a Markdown body, hints, a solution and declarative checks. Unknown fields are errors, so
//! a typo in a lesson is caught with its file and line.

use pilothouse_engine::vecmap::VecMap;
use crate::text::Text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole lesson.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Stable id used in links and saved progress (`first-deployment`).
    pub id: String,
    /// Title.
    pub title: Text,
    /// One-paragraph summary for the catalogue.
    pub summary: Text,
    /// `beginner`, `intermediate` or `advanced`.
    pub level: String,
    /// Estimated minutes.
    pub minutes: u32,
    /// The catalogue topic (`Getting started`, `Workloads`, `Scheduling`, ...).
    pub topic: String,
    /// Position within the topic.
    #[serde(default)]
    pub order: u32,
    /// Free tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The cluster the lesson starts from.
    #[serde(default)]
    pub cluster: ClusterSpec,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// How to build the starting cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    /// RNG seed (default 1).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Number of nodes (`minikube start --nodes`).
    #[serde(default = "default_nodes")]
    pub nodes: usize,
    /// CPUs per node.
    #[serde(default = "default_cpus")]
    pub cpus: u32,
    /// Memory per node in MiB.
    #[serde(default = "default_memory")]
    pub memory_mb: u64,
    /// Extra labels per node name.
    #[serde(default)]
    pub node_labels: VecMap<String, BTreeMap<String, String>>,
    /// Taints per node name, written as kubectl takes them (`key=value:Effect`).
    #[serde(default)]
    pub node_taints: VecMap<String, Vec<String>>,
    /// Manifests applied before the lesson starts.
    #[serde(default)]
    pub apply: Option<String>,
    /// Commands run (silently) before the lesson starts.
    #[serde(default)]
    pub commands: Vec<String>,
    /// Files placed in the learner's home directory (name -> content).
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Virtual time to let pass after set-up (`30s`, `2m`).
    #[serde(default)]
    pub advance: Option<String>,
}

fn default_seed() -> u64 {
    1
}
fn default_nodes() -> usize {
    1
}
fn default_cpus() -> u32 {
    2
}
fn default_memory() -> u64 {
    3900
}

impl Default for ClusterSpec {
    fn default() -> Self {
        ClusterSpec {
            seed: 1,
            nodes: 1,
            cpus: 2,
            memory_mb: 3900,
            node_labels: VecMap::new(),
            node_taints: VecMap::new(),
            apply: None,
            commands: Vec::new(),
            files: BTreeMap::new(),
            advance: None,
        }
    }
}

/// One step.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Stable id within the lesson (deep links).
    pub id: String,
    /// Title.
    pub title: Text,
    /// Markdown body.
    pub body: Text,
    /// YAML to load into the editor for this step.
    #[serde(default)]
    pub editor: Option<String>,
    /// Hints, revealed one at a time.
    #[serde(default)]
    pub hints: Vec<Text>,
    /// The solution.
    pub solution: Solution,
    /// What must hold for the step to be complete.
    pub checks: Vec<Check>,
}

/// A step's solution: commands to type, then virtual time to wait.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Solution {
    /// Commands (heredocs allowed), in order.
    pub commands: Vec<String>,
    /// Virtual time to let pass after the commands (`30s`).
    #[serde(default)]
    pub advance: Option<String>,
}

/// A declarative check against the live cluster (and the terminal's history).
///
/// Read by a hand-written `Deserialize` (`check_de.rs`): unknown fields are errors, fields
/// marked optional below may be left out.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Check {
    /// An object exists.
    Exists {
        /// kubectl resource name (`deployment`, `pvc`, ...).
        kind: String,
        /// Object name.
        name: String,
        /// Namespace (default `default`).
        namespace: Option<String>,
        /// Learner-facing text.
        text: Text,
    },
    /// An object does not exist.
    Absent {
        /// kubectl resource name.
        kind: String,
        /// Object name.
        name: String,
        /// Namespace.
        namespace: Option<String>,
        /// Learner-facing text.
        text: Text,
    },
    /// A field of an object equals a value or matches a pattern (`*` wildcards).
    Field {
        /// kubectl resource name.
        kind: String,
        /// Object name.
        name: String,
        /// Namespace.
        namespace: Option<String>,
        /// Dotted path with `[n]` indexes (`spec.replicas`, `spec.template.spec.containers[0].image`).
        path: String,
        /// Expected value (compared as YAML values; numbers and strings compare loosely).
        equals: Option<serde_yaml::Value>,
        /// Expected pattern with `*` wildcards.
        matches: Option<String>,
        /// Learner-facing text.
        text: Text,
    },
    /// Pods matching a selector are in a phase / Ready / use an image, with a count.
    Pods {
        /// Label selector (`app=web`).
        selector: String,
        /// Namespace.
        namespace: Option<String>,
        /// Required phase (`Running`, `Pending`, `Succeeded`, `Failed`).
        phase: Option<String>,
        /// Required readiness.
        ready: Option<bool>,
        /// Required image (first container).
        image: Option<String>,
        /// Exact number of pods meeting the conditions (terminating pods ignored).
        count: Option<usize>,
        /// Minimum number of pods meeting the conditions.
        min: Option<usize>,
        /// Learner-facing text.
        text: Text,
    },
    /// Every pod matching a selector is scheduled on a node with these labels (or named so).
    Scheduled {
        /// Label selector.
        selector: String,
        /// Namespace.
        namespace: Option<String>,
        /// Node labels required (`{disktype: ssd}`).
        node_labels: BTreeMap<String, String>,
        /// Node name required.
        node: Option<String>,
        /// Node name forbidden.
        not_node: Option<String>,
        /// Pods must be on pairwise different nodes.
        distinct_nodes: bool,
        /// Minimum number of such pods.
        min: Option<usize>,
        /// Learner-facing text.
        text: Text,
    },
    /// A Deployment is fully rolled out (optionally at an image and replica count).
    RolledOut {
        /// Deployment name.
        deployment: String,
        /// Namespace.
        namespace: Option<String>,
        /// Image every container 0 must run.
        image: Option<String>,
        /// Replicas expected.
        replicas: Option<i32>,
        /// Learner-facing text.
        text: Text,
    },
    /// A PVC is Bound, optionally to a PV with these properties.
    PvcBound {
        /// Claim name.
        name: String,
        /// Namespace.
        namespace: Option<String>,
        /// The PV's name.
        volume: Option<String>,
        /// The PV's capacity (`1Gi`).
        capacity: Option<String>,
        /// The PV's storage class.
        storage_class: Option<String>,
        /// Learner-facing text.
        text: Text,
    },
    /// An event with a reason was seen (optionally about an object name prefix).
    Event {
        /// The reason (`FailedScheduling`).
        reason: String,
        /// Involved object's name prefix.
        object: Option<String>,
        /// Text the message must contain.
        message: Option<String>,
        /// Namespace.
        namespace: Option<String>,
        /// Learner-facing text.
        text: Text,
    },
    /// The learner ran a command matching one of the patterns (`*` wildcards).
    Command {
        /// Patterns, any of which may match.
        patterns: Vec<String>,
        /// Learner-facing text.
        text: Text,
    },
    /// An HTTP request from the host (like `curl`) is answered with this body.
    Http {
        /// The URL (`http://192.168.49.2:30080/`).
        url: String,
        /// Text the answer must contain.
        contains: Option<String>,
        /// Learner-facing text.
        text: Text,
    },
    /// A node's state.
    Node {
        /// Node name.
        name: String,
        /// Ready (true) or not (false).
        ready: Option<bool>,
        /// Cordoned.
        unschedulable: Option<bool>,
        /// A taint that must be present (`key=value:Effect` or `key:Effect`).
        taint: Option<String>,
        /// A taint that must be absent.
        no_taint: Option<String>,
        /// A label that must be present (`k=v`).
        label: Option<String>,
        /// Learner-facing text.
        text: Text,
    },
}

impl Check {
    /// The learner-facing text of the check.
    pub fn text(&self) -> &Text {
        match self {
            Check::Exists { text, .. }
            | Check::Absent { text, .. }
            | Check::Field { text, .. }
            | Check::Pods { text, .. }
            | Check::Scheduled { text, .. }
            | Check::RolledOut { text, .. }
            | Check::PvcBound { text, .. }
            | Check::Event { text, .. }
            | Check::Command { text, .. }
            | Check::Http { text, .. }
            | Check::Node { text, .. } => text,
        }
    }
}

/// Parses `30s`, `2m`, `1h`, `500ms` into milliseconds.
pub fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3_600_000)
    } else {
        (s, 1000)
    };
    num.trim().parse::<u64>().ok().map(|n| n * mult)
}
