//! Test helpers: objects from YAML and a harness that runs one plugin the way the framework does.

use super::cache::{NodeInfo, PodInfo, SchedulerCache};
use super::framework::{Code, CycleEnv, Plugin, PluginArgs, PodCtx, Status};
use super::plugins::volume_binding::NoVolumes;
use k8s_openapi::api::core::v1::{Node, Pod, PodSpec};

/// Parses a pod from YAML (panics on bad YAML: tests only).
pub fn pod(yaml: &str) -> Pod {
    let mut p: Pod = serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    if p.metadata.namespace.is_none() {
        p.metadata.namespace = Some("default".into());
    }
    p
}

/// YAML for a node with inline labels (`a: b, c: d`), an extra spec fragment, 4 CPUs, 8Gi and 110 pods.
pub fn node_yaml(name: &str, labels: &str, spec: &str) -> String {
    format!(
        "metadata: {{name: {name}, labels: {{kubernetes.io/hostname: {name}{sep}{labels}}}}}\nspec: {{{spec}}}\nstatus: {{allocatable: {{cpu: '4', memory: 8Gi, pods: '110'}}}}",
        sep = if labels.is_empty() { "" } else { ", " }
    )
}

/// A cache plus everything a plugin needs, for driving one plugin in tests.
pub struct Harness {
    /// The cache.
    pub cache: SchedulerCache,
    /// Plugin args.
    pub args: PluginArgs,
}

impl Harness {
    /// Builds a cache from node and (bound) pod YAML.
    pub fn new(nodes: Vec<String>, pods: Vec<String>) -> Harness {
        let mut cache = SchedulerCache::new();
        for n in nodes {
            let n: Node = serde_yaml::from_str(&n).unwrap_or_else(|e| panic!("{e}\n{n}"));
            cache.add_node(&n);
        }
        for p in pods {
            cache.add_pod(&pod(&p));
        }
        Harness { cache, args: PluginArgs::default() }
    }

    fn env(&self) -> CycleEnv<'_> {
        CycleEnv { cache: &self.cache, volumes: &NoVolumes, args: &self.args }
    }

    /// PreFilter + Filter of one plugin for one node.
    pub fn filter(&self, pl: &dyn Plugin, p: &Pod, node: &str) -> Status {
        let info = PodInfo::new(p);
        let spec = p.spec.clone().unwrap_or_default();
        let ctx = PodCtx { pod: p, spec: &spec, info: &info };
        let env = self.env();
        let pre = pl.pre_filter(&ctx, &env);
        match pre.status.code {
            Code::Skip => return Status::success(),
            Code::Success => {}
            _ => return pre.status,
        }
        let n = self.cache.node(node).expect("node");
        pl.filter(pre.state.as_deref().map(|s| s.as_any()), &ctx, n, &env)
    }

    /// PreScore + Score + NormalizeScore of one plugin over all nodes (in name order).
    pub fn scores(&self, pl: &dyn Plugin, p: &Pod) -> Vec<i64> {
        let info = PodInfo::new(p);
        let spec: PodSpec = p.spec.clone().unwrap_or_default();
        let ctx = PodCtx { pod: p, spec: &spec, info: &info };
        let env = self.env();
        let nodes: Vec<&NodeInfo> = self.cache.nodes().iter().collect();
        let pre = pl.pre_score(&ctx, &env, &nodes);
        if pre.status.code == Code::Skip {
            return vec![0; nodes.len()];
        }
        let st = pre.state.as_deref().map(|s| s.as_any());
        let mut s: Vec<i64> = nodes.iter().map(|n| pl.score(st, &ctx, n, &env)).collect();
        // The batch entry point the scheduling cycle uses must agree with the per-node one.
        let mut batch = Vec::new();
        pl.score_all(st, &ctx, &nodes, &env, &mut batch);
        assert_eq!(batch, s, "{}: score_all disagrees with score", pl.name());
        pl.normalize(st, &ctx, &mut s);
        s
    }
}
