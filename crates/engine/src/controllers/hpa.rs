//! The HorizontalPodAutoscaler controller (autoscaling/v2), after Kubernetes'
//! `pkg/controller/podautoscaler`: every 15 s of virtual time (only while HPAs exist) it reads
//! CPU and memory usage from the simulated metrics API, computes the desired replica count as
//! the replica calculator does (`ceil(current * utilization / target)`, tolerance 0.1, unready
//! and missing pods handled as on scale-up/scale-down), stabilises scale-down (300 s), limits
//! the rate (v1 rules without `behavior`, the Pods/Percent policies with `behavior`), scales the
//! target and reports status, conditions and events.
//!
//! Usage comes from the kubelet ([`Kubelets::pod_usage`]): each image's base CPU and memory, plus
//! load. Load has two sources: [`Cluster::set_load`] (millicores per pod of a Deployment, a
//! knob for tests and lessons), and HTTP requests served — each request costs
//! [`REQUEST_CPU_MS`] of CPU time, averaged over the interval between two syncs. The metrics API
//! exists only with the `metrics-server` addon enabled.

use crate::vecmap::VecMap;
use super::workload::{ms_of, phase, time_at, Timers};
use super::Cursor;
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use crate::clock::Component;
use crate::cluster::Cluster;
use crate::kubelet::Kubelets;
use crate::selector::label_selector_matches;
use k8s_openapi::api::autoscaling::v2::{
    HPAScalingRules, HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, MetricSpec, MetricStatus, MetricValueStatus, ResourceMetricStatus,
};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::{BTreeMap, BTreeSet};

/// The HPA sync period (`--horizontal-pod-autoscaler-sync-period`).
pub const SYNC_MS: u64 = 15_000;
/// Changes within this fraction of the target are ignored (`--horizontal-pod-autoscaler-tolerance`).
pub const TOLERANCE: f64 = 0.1;
/// Scale-down stabilisation without `behavior` (`--horizontal-pod-autoscaler-downscale-stabilization`).
pub const DOWNSCALE_STABILISATION_MS: u64 = 300_000;
/// CPU samples of pods younger than this are only used when taken after readiness settled.
const CPU_INITIALIZATION_MS: u64 = 300_000;
/// A pod unready for less than this after start has never been ready (`initial-readiness-delay`).
const INITIAL_READINESS_DELAY_MS: u64 = 30_000;
/// The metrics window metrics-server reports.
const METRIC_WINDOW_MS: u64 = 15_000;
/// CPU time one HTTP request costs a pod (ms of one core).
pub const REQUEST_CPU_MS: u64 = 20;
const COMPONENT: &str = "horizontal-pod-autoscaler";

/// What the replica calculator knows about one pod.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodSample {
    /// Pod name.
    pub name: String,
    /// Pod phase.
    pub phase: String,
    /// Whether the pod is being deleted.
    pub deleting: bool,
    /// The Ready condition: (status is True, last transition ms); `None` without one.
    pub ready: Option<(bool, u64)>,
    /// When the pod started (ms).
    pub start_ms: Option<u64>,
    /// Usage from the metrics API (millicores or bytes); `None` when missing.
    pub usage: Option<i64>,
    /// Sum of container requests; `None` if a container has none.
    pub request: Option<i64>,
}

/// The replica calculator's result: replicas, utilization (% of request) and the raw average.
pub type Calc = Result<(i32, i32, i64), String>;

fn utilization_ratio(metrics: &VecMap<String, i64>, requests: &VecMap<String, i64>, target: i32) -> Result<(f64, i32, i64), String> {
    let (mut total, mut req, mut n) = (0i64, 0i64, 0i64);
    for (name, v) in metrics {
        if let Some(r) = requests.get(name) {
            total += v;
            req += r;
            n += 1;
        }
    }
    if req == 0 {
        return Err("no metrics returned matched known pods".into());
    }
    let util = ((total * 100) / req) as i32;
    Ok((util as f64 / target as f64, util, total / n.max(1)))
}

/// `GetResourceReplicas`: desired replicas for a utilization target over the pods' samples.
pub fn resource_replicas(current: i32, target_util: i32, pods: &[PodSample], now_ms: u64, cpu: bool, resource: &str) -> Calc {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let target_util = target_util.max(1);
    let mut metrics: VecMap<String, i64> = VecMap::new();
    let mut requests: VecMap<String, i64> = VecMap::new();
    let (mut ready_count, mut unready, mut missing) = (0i32, BTreeSet::new(), BTreeSet::new());
    for p in pods {
        match p.request {
            Some(r) => {
                requests.insert(p.name.clone(), r);
            }
            None => return Err(format!("missing request for {resource} in container of Pod {}", p.name)),
        }
        if p.deleting || p.phase == "Failed" {
            continue;
        }
        if p.phase == "Pending" {
            unready.insert(p.name.clone());
            continue;
        }
        let Some(usage) = p.usage else {
            missing.insert(p.name.clone());
            continue;
        };
        if cpu {
            let is_unready = match (p.ready, p.start_ms) {
                (Some((status, ltt)), Some(start)) => {
                    if start + CPU_INITIALIZATION_MS > now_ms {
                        !status || now_ms < ltt + METRIC_WINDOW_MS
                    } else {
                        !status && start + INITIAL_READINESS_DELAY_MS > ltt
                    }
                }
                _ => true,
            };
            if is_unready {
                unready.insert(p.name.clone());
                continue;
            }
        }
        metrics.insert(p.name.clone(), usage);
        ready_count += 1;
    }
    if metrics.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let (ratio, util, raw) = utilization_ratio(&metrics, &requests, target_util)?;
    let scale_up_with_unready = !unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && missing.is_empty() {
        if (1.0 - ratio).abs() <= TOLERANCE {
            return Ok((current, util, raw));
        }
        return Ok(((ratio * ready_count as f64).ceil() as i32, util, raw));
    }
    if !missing.is_empty() {
        if ratio < 1.0 {
            let fallback = target_util.max(100) as i64;
            for m in &missing {
                metrics.insert(m.clone(), requests.get(m).copied().unwrap_or(0) * fallback / 100);
            }
        } else if ratio > 1.0 {
            for m in &missing {
                metrics.insert(m.clone(), 0);
            }
        }
    }
    if scale_up_with_unready {
        for u in &unready {
            metrics.insert(u.clone(), 0);
        }
    }
    let (new_ratio, _, _) = utilization_ratio(&metrics, &requests, target_util)?;
    if (1.0 - new_ratio).abs() <= TOLERANCE || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0) {
        return Ok((current, util, raw));
    }
    let new_replicas = (new_ratio * metrics.len() as f64).ceil() as i32;
    if (new_ratio < 1.0 && new_replicas > current) || (new_ratio > 1.0 && new_replicas < current) {
        return Ok((current, util, raw));
    }
    Ok((new_replicas, util, raw))
}

/// The HPA controller's state: per-HPA recommendations and scale events (as Kubernetes keeps
/// them in memory), the load knob and request-rate samples.
#[derive(Debug, Default, Clone)]
pub struct HpaController {
    cursor: Cursor,
    queue: BTreeSet<ObjectKey>,
    timers: Timers,
    last_sync: VecMap<ObjectKey, (u64, i64)>,
    recommendations: VecMap<ObjectKey, Vec<(u64, i32)>>,
    scale_events: VecMap<ObjectKey, Vec<(u64, i32)>>,
    /// Extra CPU per pod of a Deployment, in millicores (`Cluster::set_load`).
    pub load: VecMap<ObjectKey, u64>,
    /// Per pod: (requests served, at ms, request CPU millicores over the last interval).
    samples: BTreeMap<ObjectKey, (u64, u64, u64)>,
}

/// The Deployment owning a pod through its ReplicaSet, if any.
fn deployment_of(api: &Api, p: &Pod) -> Option<ObjectKey> {
    let ns = meta::namespace(&p.metadata);
    let rs = super::controller_key(&p.metadata, Kind::ReplicaSet)?;
    let o = api.store.get(&rs)?;
    let d = super::controller_key(o.metadata(), Kind::Deployment)?;
    Some(ObjectKey::new(Kind::Deployment, ns, &d.name))
}

/// Usage of one pod as the metrics API reports it: (CPU millicores, memory bytes).
fn usage(api: &Api, kubelets: &Kubelets, load: &VecMap<ObjectKey, u64>, samples: &BTreeMap<ObjectKey, (u64, u64, u64)>, key: &ObjectKey) -> Option<(u64, u64)> {
    let (cpu, mem, _) = kubelets.pod_usage(key)?;
    let Some(Object::Pod(p)) = api.store.get(key).map(|o| &**o) else { return None };
    let extra = deployment_of(api, p).and_then(|d| load.get(&d).copied()).unwrap_or(0);
    let requests = samples.get(key).map(|s| s.2).unwrap_or(0);
    Some((cpu + extra + requests, mem))
}

/// A pod's usage from the metrics API (`kubectl top pod`): (CPU millicores, memory bytes);
/// `None` without the metrics-server addon or when no container of the pod runs.
pub fn pod_metrics(cluster: &Cluster, key: &ObjectKey) -> Option<(u64, u64)> {
    if cluster.addons.get("metrics-server") != Some(&true) {
        return None;
    }
    usage(&cluster.api, &cluster.kubelets, &cluster.hpa.load, &cluster.hpa.samples, key)
}

/// A node's usage from the metrics API (`kubectl top node`): the sum over its pods plus memory
/// used outside pods; `None` without the metrics-server addon or when the node's kubelet is down.
pub fn node_metrics(cluster: &Cluster, node: &str) -> Option<(u64, u64)> {
    if cluster.addons.get("metrics-server") != Some(&true) {
        return None;
    }
    let agent = cluster.kubelets.nodes.get(node).filter(|a| a.running)?;
    let (mut cpu, mut mem) = (0u64, agent.extra_memory);
    for k in cluster.api.store.pods_on_node(node) {
        if let Some((c, m)) = pod_metrics(cluster, k) {
            cpu += c;
            mem += m;
        }
    }
    Some((cpu, mem))
}

impl Cluster {
    /// Load knob: every pod of the Deployment (`name` or `namespace/name`) uses
    /// `millicores_per_pod` more CPU (0 removes the load). Settles.
    pub fn set_load(&mut self, deployment: &str, millicores_per_pod: u64) {
        let (ns, name) = deployment.split_once('/').unwrap_or(("default", deployment));
        let key = ObjectKey::new(Kind::Deployment, ns, name);
        if millicores_per_pod == 0 {
            self.hpa.load.remove(&key);
        } else {
            self.hpa.load.insert(key, millicores_per_pod);
        }
        self.settle();
    }
}

fn metric_name(m: &MetricSpec) -> String {
    match m.resource.as_ref() {
        Some(r) if r.target.type_ == "Utilization" => format!("{} resource utilization (percentage of request)", r.name),
        Some(r) => format!("{} resource", r.name),
        None => format!("{} metric", m.type_.to_ascii_lowercase()),
    }
}

fn set_cond(conds: &mut Vec<HorizontalPodAutoscalerCondition>, ty: &str, status: bool, reason: &str, message: &str, now_ms: u64) {
    let st = if status { "True" } else { "False" };
    match conds.iter_mut().find(|c| c.type_ == ty) {
        Some(c) => {
            if c.status != st {
                c.last_transition_time = Some(time_at(now_ms));
            }
            c.status = st.into();
            c.reason = Some(reason.into());
            c.message = Some(message.into());
        }
        None => conds.push(HorizontalPodAutoscalerCondition {
            type_: ty.into(),
            status: st.into(),
            reason: Some(reason.into()),
            message: Some(message.into()),
            last_transition_time: Some(time_at(now_ms)),
        }),
    }
}

fn quantity(resource: &str, v: i64) -> Quantity {
    if resource == "cpu" {
        Quantity(format!("{v}m"))
    } else {
        Quantity(v.to_string())
    }
}

impl HpaController {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        !self.queue.is_empty() || self.cursor.behind(api)
    }

    /// One round: HPAs that changed, and HPAs whose sync period came round.
    pub fn run(&mut self, api: &mut Api, kubelets: &Kubelets, addons: &VecMap<String, bool>, woken: Vec<ObjectKey>) {
        self.timers.fired(api.clock.now_ms(), &woken);
        let keys = self.cursor.collect(
            api,
            |e, out| {
                if let Object::HorizontalPodAutoscaler(_) = &*e.object {
                    out.push(e.key.clone());
                }
            },
            |api| api.store.list(Kind::HorizontalPodAutoscaler).map(|o| ObjectKey::of(o)).collect(),
        );
        self.queue.extend(keys);
        self.queue.extend(woken);
        let metrics_api = addons.get("metrics-server") == Some(&true);
        for key in std::mem::take(&mut self.queue) {
            self.reconcile(api, kubelets, metrics_api, &key);
        }
        self.cursor.0 = api.store.next_seq();
    }

    fn reconcile(&mut self, api: &mut Api, kubelets: &Kubelets, metrics_api: bool, key: &ObjectKey) {
        let Some(Object::HorizontalPodAutoscaler(hpa)) = api.store.get(key).map(|o| (**o).clone()) else {
            self.timers.forget(key);
            self.last_sync.remove(key);
            self.recommendations.remove(key);
            self.scale_events.remove(key);
            return;
        };
        let now = api.clock.now_ms();
        let generation = hpa.metadata.generation.unwrap_or(1);
        let due = match self.last_sync.get(key) {
            None => true,
            Some((at, g)) => *g != generation || now >= at + SYNC_MS,
        };
        if !due {
            if let Some((at, _)) = self.last_sync.get(key).copied() {
                self.timers.wake(api, Component::Hpa, key, at + SYNC_MS);
            }
            return;
        }
        self.last_sync.insert(key.clone(), (now, generation));
        self.timers.wake(api, Component::Hpa, key, now + SYNC_MS);
        self.sync(api, kubelets, metrics_api, key, hpa);
    }

    fn sync(&mut self, api: &mut Api, kubelets: &Kubelets, metrics_api: bool, key: &ObjectKey, hpa: HorizontalPodAutoscaler) {
        let now = api.clock.now_ms();
        let hpa_obj = Object::HorizontalPodAutoscaler(hpa.clone());
        let Some(spec) = hpa.spec.clone() else { return };
        let ns = key.namespace.clone();
        let old = hpa.status.clone().unwrap_or_default();
        let mut conds = old.conditions.clone().unwrap_or_default();
        let r = &spec.scale_target_ref;
        let kind = match r.kind.as_str() {
            "Deployment" => Some(Kind::Deployment),
            "ReplicaSet" => Some(Kind::ReplicaSet),
            "StatefulSet" => Some(Kind::StatefulSet),
            _ => None,
        };
        let target = kind.and_then(|k| api.store.get(&ObjectKey::new(k, &ns, &r.name)).cloned());
        let (selector, current): (LabelSelector, i32) = match target.as_deref() {
            Some(Object::Deployment(d)) => (d.spec.as_ref().map(|s| s.selector.clone()).unwrap_or_default(), d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)),
            Some(Object::ReplicaSet(d)) => (d.spec.as_ref().map(|s| s.selector.clone()).unwrap_or_default(), d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)),
            Some(Object::StatefulSet(d)) => (d.spec.as_ref().map(|s| s.selector.clone()).unwrap_or_default(), d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)),
            _ => {
                let resource = kind.map(|k| k.info().plural).unwrap_or("unknown");
                let group = kind.map(|k| k.info().group).filter(|g| !g.is_empty()).map(|g| format!(".{g}")).unwrap_or_default();
                let msg = format!("{resource}/scale{group} \"{}\" not found", r.name);
                api.record(&hpa_obj, "Warning", "FailedGetScale", &msg, COMPONENT, None);
                set_cond(&mut conds, "AbleToScale", false, "FailedGetScale", &format!("the HPA controller was unable to get the target's current scale: {msg}"), now);
                self.write_status(api, key, HorizontalPodAutoscalerStatus { conditions: Some(conds), current_metrics: None, current_replicas: old.current_replicas, desired_replicas: old.desired_replicas, last_scale_time: old.last_scale_time.clone(), observed_generation: hpa.metadata.generation });
                return;
            }
        };
        set_cond(&mut conds, "AbleToScale", true, "SucceededGetScale", "the HPA controller was able to get the target's current scale", now);
        let min = spec.min_replicas.unwrap_or(1);
        let max = spec.max_replicas;
        let mut metric_statuses: Vec<MetricStatus> = Vec::new();
        let (desired, reason) = if current == 0 && min != 0 {
            set_cond(&mut conds, "ScalingActive", false, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero", now);
            (0, String::new())
        } else if current > max {
            (max, "Current number of replicas above Spec.MaxReplicas".to_string())
        } else if current < min {
            (min, "Current number of replicas below Spec.MinReplicas".to_string())
        } else {
            // Compute a proposal per metric; the largest wins.
            let pods = self.samples_for(api, kubelets, metrics_api, &ns, &selector);
            let metrics = spec.metrics.clone().unwrap_or_default();
            let mut best: Option<(i32, String)> = None;
            let mut errors: Vec<String> = Vec::new();
            for m in &metrics {
                match self.metric_proposal(m, current, &pods, metrics_api, now) {
                    Ok((replicas, status)) => {
                        metric_statuses.push(status);
                        if best.as_ref().is_none_or(|(b, _)| replicas > *b) {
                            best = Some((replicas, metric_name(m)));
                        }
                    }
                    Err((reason, msg)) => {
                        metric_statuses.push(MetricStatus { type_: String::new(), ..Default::default() });
                        api.record(&hpa_obj, "Warning", &reason, &msg, COMPONENT, None);
                        if errors.is_empty() {
                            set_cond(&mut conds, "ScalingActive", false, &reason, &format!("the HPA was unable to compute the replica count: {msg}"), now);
                        }
                        errors.push(msg.replace("failed to get cpu utilization", "failed to get cpu resource metric value: failed to get cpu utilization").replace("failed to get memory utilization", "failed to get memory resource metric value: failed to get memory utilization"));
                    }
                }
            }
            if !errors.is_empty() && (best.is_none() || errors.len() == metrics.len()) {
                api.record(&hpa_obj, "Warning", "FailedComputeMetricsReplicas", &format!("invalid metrics ({} invalid out of {}), first error is: {}", errors.len(), metrics.len(), errors[0]), COMPONENT, None);
                self.write_status(api, key, HorizontalPodAutoscalerStatus { conditions: Some(order(conds)), current_metrics: Some(metric_statuses), current_replicas: Some(current), desired_replicas: current, last_scale_time: old.last_scale_time.clone(), observed_generation: hpa.metadata.generation });
                return;
            }
            let (proposal, name) = best.unwrap_or((current, String::new()));
            set_cond(&mut conds, "ScalingActive", true, "ValidMetricFound", &format!("the HPA was able to successfully calculate a replica count from {name}"), now);
            let reason = if proposal < current { "All metrics below target".to_string() } else { format!("{name} above target") };
            let desired = match spec.behavior.as_ref() {
                None => self.normalize(key, &mut conds, current, proposal, min, max, now),
                Some(b) => self.normalize_with_behavior(key, &mut conds, current, proposal, min, max, b.scale_up.clone().unwrap_or_default(), b.scale_down.clone().unwrap_or_default(), now),
            };
            (desired, reason)
        };
        let mut last_scale = old.last_scale_time.clone();
        if desired != current {
            if let Some(k) = kind {
                if let Some(obj) = api.store.get(&ObjectKey::new(k, &ns, &r.name)).map(|o| (**o).clone()) {
                    let mut obj = obj;
                    match &mut obj {
                        Object::Deployment(d) => d.spec.get_or_insert_with(Default::default).replicas = Some(desired),
                        Object::ReplicaSet(d) => d.spec.get_or_insert_with(Default::default).replicas = Some(desired),
                        Object::StatefulSet(d) => d.spec.get_or_insert_with(Default::default).replicas = Some(desired),
                        _ => {}
                    }
                    if api.write(obj).is_ok() {
                        api.record(&hpa_obj, "Normal", "SuccessfulRescale", &format!("New size: {desired}; reason: {reason}"), COMPONENT, None);
                        set_cond(&mut conds, "AbleToScale", true, "SucceededRescale", &format!("the HPA controller was able to update the target scale to {desired}"), now);
                        last_scale = Some(time_at(now));
                        if spec.behavior.is_some() {
                            self.scale_events.entry(key.clone()).or_default().push((now, desired - current));
                        }
                    }
                }
            }
        }
        self.write_status(
            api,
            key,
            HorizontalPodAutoscalerStatus {
                conditions: Some(order(conds)),
                current_metrics: Some(metric_statuses).filter(|m| !m.is_empty()),
                current_replicas: Some(current),
                desired_replicas: desired,
                last_scale_time: last_scale,
                observed_generation: hpa.metadata.generation,
            },
        );
    }

    /// Samples the pods of the target for the calculator — CPU samples, and memory usage and
    /// requests beside them — and refreshes the request-rate samples.
    fn samples_for(&mut self, api: &Api, kubelets: &Kubelets, metrics_api: bool, ns: &str, selector: &LabelSelector) -> Vec<(PodSample, Option<i64>, Option<i64>)> {
        let now = api.clock.now_ms();
        let empty = BTreeMap::new();
        let mut out = Vec::new();
        let pods: Vec<Pod> = api.store.list_ns(Kind::Pod, ns).filter_map(|o| o.as_pod()).filter(|p| label_selector_matches(selector, p.metadata.labels.as_ref().unwrap_or(&empty))).cloned().collect();
        for p in pods {
            let key = ObjectKey::new(Kind::Pod, ns, meta::name(&p.metadata));
            // Request rate since the last sample.
            if let Some((_, _, hits)) = kubelets.pod_usage(&key) {
                let rate = match self.samples.get(&key) {
                    Some((h, at, _)) if now > *at && hits >= *h => (hits - h) * REQUEST_CPU_MS * 1000 / (now - at),
                    _ => 0,
                };
                self.samples.insert(key.clone(), (hits, now, rate));
            }
            let u = if metrics_api { usage(api, kubelets, &self.load, &self.samples, &key) } else { None };
            let ready = p.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|c| c.iter().find(|c| c.type_ == "Ready")).map(|c| (c.status == "True", c.last_transition_time.as_ref().map(ms_of).unwrap_or(0)));
            let req = |res: &str| -> Option<i64> {
                let spec = p.spec.as_ref()?;
                let mut sum = 0;
                for c in &spec.containers {
                    let q = c.resources.as_ref()?.requests.as_ref()?.get(res)?;
                    sum += if res == "cpu" { crate::api::quantity::parse_milli(&q.0)? } else { crate::api::quantity::parse_int(&q.0)? };
                }
                Some(sum)
            };
            let sample = PodSample {
                name: meta::name(&p.metadata).to_string(),
                phase: phase(&p).to_string(),
                deleting: p.metadata.deletion_timestamp.is_some(),
                ready,
                start_ms: p.status.as_ref().and_then(|s| s.start_time.as_ref()).map(ms_of),
                usage: u.map(|(c, _)| c as i64),
                request: req("cpu"),
            };
            out.push((sample, u.map(|(_, m)| m as i64), req("memory")));
        }
        let live: BTreeSet<ObjectKey> = crate::sort::btree_set(api.store.list(Kind::Pod).map(|o| ObjectKey::of(o)));
        self.samples.retain(|k, _| live.contains(k));
        out
    }

    /// One metric's proposal and status, or (event reason, message) when it cannot be computed.
    fn metric_proposal(&self, m: &MetricSpec, current: i32, pods: &[(PodSample, Option<i64>, Option<i64>)], metrics_api: bool, now: u64) -> Result<(i32, MetricStatus), (String, String)> {
        let Some(res) = m.resource.as_ref().filter(|_| m.type_ == "Resource") else {
            return Err(("FailedGetObjectMetric".into(), format!("unable to get metric: the metric type {} is not supported by this simulator", m.type_)));
        };
        let name = res.name.as_str();
        let cpu = name == "cpu";
        let no_metrics = || ("FailedGetResourceMetric".to_string(), format!("failed to get {name} utilization: unable to get metrics for resource {name}: no metrics returned from resource metrics API"));
        if (name != "cpu" && name != "memory") || !metrics_api {
            return Err(no_metrics());
        }
        let samples: Vec<PodSample> = pods
            .iter()
            .map(|(s, mem, mem_req)| {
                let mut s = s.clone();
                if !cpu {
                    s.usage = *mem;
                    s.request = *mem_req;
                }
                s
            })
            .collect();
        if samples.iter().all(|s| s.usage.is_none()) && !samples.is_empty() {
            return Err(no_metrics());
        }
        if res.target.type_ == "Utilization" {
            let target = res.target.average_utilization.unwrap_or(80);
            let (replicas, util, raw) = resource_replicas(current, target, &samples, now, cpu, name).map_err(|e| ("FailedGetResourceMetric".to_string(), format!("failed to get {name} utilization: {e}")))?;
            return Ok((replicas, MetricStatus {
                type_: "Resource".into(),
                resource: Some(ResourceMetricStatus { name: name.into(), current: MetricValueStatus { average_utilization: Some(util), average_value: Some(quantity(name, raw)), value: None } }),
                ..Default::default()
            }));
        }
        // AverageValue: the target plays the part of every pod's request at 100 %.
        let target_value = res.target.average_value.as_ref().and_then(|q| if cpu { crate::api::quantity::parse_milli(&q.0) } else { crate::api::quantity::parse_int(&q.0) }).unwrap_or(1).max(1);
        let samples: Vec<PodSample> = samples.into_iter().map(|mut s| { s.request = Some(target_value); s }).collect();
        let (replicas, _, raw) = resource_replicas(current, 100, &samples, now, cpu, name).map_err(|e| ("FailedGetResourceMetric".to_string(), format!("failed to get {name} usage: {e}")))?;
        Ok((replicas, MetricStatus {
            type_: "Resource".into(),
            resource: Some(ResourceMetricStatus { name: name.into(), current: MetricValueStatus { average_utilization: None, average_value: Some(quantity(name, raw)), value: None } }),
            ..Default::default()
        }))
    }

    /// `normalizeDesiredReplicas`: downscale stabilisation, then the v1 rate rules and bounds.
    #[allow(clippy::too_many_arguments)]
    fn normalize(&mut self, key: &ObjectKey, conds: &mut Vec<HorizontalPodAutoscalerCondition>, current: i32, proposal: i32, min: i32, max: i32, now: u64) -> i32 {
        let recs = self.recommendations.entry(key.clone()).or_default();
        let cutoff = now.saturating_sub(DOWNSCALE_STABILISATION_MS);
        let mut stabilized = proposal;
        for (t, r) in recs.iter() {
            if *t >= cutoff && *r > stabilized {
                stabilized = *r;
            }
        }
        recs.retain(|(t, _)| *t >= cutoff);
        recs.push((now, proposal));
        if stabilized != proposal {
            set_cond(conds, "AbleToScale", true, "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation", now);
        } else {
            set_cond(conds, "AbleToScale", true, "ReadyForNewScale", "recommended size matches current size", now);
        }
        let scale_up_limit = (2 * current).max(4);
        let (max_allowed, limit_reason, limit_msg) = if max > scale_up_limit {
            (scale_up_limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
        } else {
            (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
        };
        let (desired, reason, msg) = if stabilized < min {
            (min, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
        } else if stabilized > max_allowed {
            (max_allowed, limit_reason, limit_msg)
        } else {
            (stabilized, "DesiredWithinRange", "the desired count is within the acceptable range")
        };
        set_cond(conds, "ScalingLimited", desired != stabilized, reason, msg, now);
        desired
    }

    /// `normalizeDesiredReplicasWithBehaviors`: stabilisation windows both ways, then the
    /// scaling policies (Pods/Percent per period, selectPolicy) and bounds.
    #[allow(clippy::too_many_arguments)]
    fn normalize_with_behavior(&mut self, key: &ObjectKey, conds: &mut Vec<HorizontalPodAutoscalerCondition>, current: i32, proposal: i32, min: i32, max: i32, up: HPAScalingRules, down: HPAScalingRules, now: u64) -> i32 {
        let up_window = up.stabilization_window_seconds.unwrap_or(0).max(0) as u64 * 1000;
        let down_window = down.stabilization_window_seconds.unwrap_or(300).max(0) as u64 * 1000;
        let recs = self.recommendations.entry(key.clone()).or_default();
        let (mut up_rec, mut down_rec) = (proposal, proposal);
        for (t, r) in recs.iter() {
            if *t + up_window > now {
                up_rec = up_rec.min(*r);
            }
            if *t + down_window > now {
                down_rec = down_rec.max(*r);
            }
        }
        let obsolete = up_window.max(down_window);
        recs.retain(|(t, _)| *t + obsolete > now);
        recs.push((now, proposal));
        let mut stabilized = current;
        if stabilized < up_rec {
            stabilized = up_rec;
        }
        if stabilized > down_rec {
            stabilized = down_rec;
        }
        if stabilized != proposal {
            let (reason, msg) = if proposal >= current {
                ("ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation")
            } else {
                ("ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation")
            };
            set_cond(conds, "AbleToScale", true, reason, msg, now);
        } else {
            set_cond(conds, "AbleToScale", true, "ReadyForNewScale", "recommended size matches current size", now);
        }
        let events = self.scale_events.entry(key.clone()).or_default();
        let longest = up.policies.iter().chain(down.policies.iter()).flatten().map(|p| p.period_seconds.max(0) as u64 * 1000).max().unwrap_or(0);
        events.retain(|(t, _)| *t + longest > now);
        let change = |period_s: i32, ups: bool| -> i32 {
            let period = period_s.max(0) as u64 * 1000;
            events.iter().filter(|(t, c)| *t + period > now && ((*c > 0) == ups)).map(|(_, c)| c.abs()).sum()
        };
        let (desired, reason, msg) = if stabilized > current {
            let limit = match up.select_policy.as_deref() {
                Some("Disabled") => current,
                sel => {
                    let mut result: Option<i32> = None;
                    for p in up.policies.iter().flatten() {
                        let start = current - change(p.period_seconds, true) + change(p.period_seconds, false);
                        let proposed = if p.type_ == "Pods" { start + p.value } else { (start as f64 * (1.0 + p.value as f64 / 100.0)).ceil() as i32 };
                        result = Some(match (result, sel) {
                            (None, _) => proposed,
                            (Some(r), Some("Min")) => r.min(proposed),
                            (Some(r), _) => r.max(proposed),
                        });
                    }
                    result.unwrap_or(current).max(current)
                }
            };
            if max < limit {
                if stabilized > max {
                    (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
                } else {
                    (stabilized, "DesiredWithinRange", "the desired count is within the acceptable range")
                }
            } else if stabilized > limit {
                (limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
            } else {
                (stabilized, "DesiredWithinRange", "the desired count is within the acceptable range")
            }
        } else if stabilized < current {
            let limit = match down.select_policy.as_deref() {
                Some("Disabled") => current,
                sel => {
                    let mut result: Option<i32> = None;
                    for p in down.policies.iter().flatten() {
                        let start = current - change(p.period_seconds, true) + change(p.period_seconds, false);
                        let proposed = if p.type_ == "Pods" { start - p.value } else { (start as f64 * (1.0 - p.value as f64 / 100.0)) as i32 };
                        result = Some(match (result, sel) {
                            (None, _) => proposed,
                            (Some(r), Some("Min")) => r.max(proposed),
                            (Some(r), _) => r.min(proposed),
                        });
                    }
                    result.unwrap_or(current).min(current)
                }
            };
            if min > limit {
                if stabilized < min {
                    (min, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
                } else {
                    (stabilized, "DesiredWithinRange", "the desired count is within the acceptable range")
                }
            } else if stabilized < limit {
                (limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
            } else {
                (stabilized, "DesiredWithinRange", "the desired count is within the acceptable range")
            }
        } else if stabilized > max {
            (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
        } else if stabilized < min {
            (min, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
        } else {
            (stabilized, "DesiredWithinRange", "the desired count is within the acceptable range")
        };
        set_cond(conds, "ScalingLimited", desired != stabilized, reason, msg, now);
        desired
    }

    fn write_status(&mut self, api: &mut Api, key: &ObjectKey, st: HorizontalPodAutoscalerStatus) {
        if let Some(Object::HorizontalPodAutoscaler(mut h)) = api.store.get(key).map(|o| (**o).clone()) {
            if h.status.as_ref() != Some(&st) {
                h.status = Some(st);
                api.store.put(Object::HorizontalPodAutoscaler(h));
            }
        }
    }
}

/// Conditions in the order Kubernetes shows them.
fn order(mut conds: Vec<HorizontalPodAutoscalerCondition>) -> Vec<HorizontalPodAutoscalerCondition> {
    let rank = |t: &str| ["AbleToScale", "ScalingActive", "ScalingLimited"].iter().position(|x| *x == t).unwrap_or(9);
    crate::sort::sort_by_key(&mut conds, |c| rank(&c.type_));
    conds
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 3_600_000;

    /// A Running, Ready pod started long ago with a 1-core request.
    fn pod(i: usize, usage: Option<i64>, request: i64) -> PodSample {
        PodSample { name: format!("p{i}"), phase: "Running".into(), deleting: false, ready: Some((true, NOW - 600_000)), start_ms: Some(NOW - 900_000), usage, request: Some(request) }
    }

    fn pods(levels: &[Option<i64>], requests: &[i64]) -> Vec<PodSample> {
        levels.iter().zip(requests).enumerate().map(|(i, (u, r))| pod(i, *u, *r)).collect()
    }

    /// Cases after Kubernetes' replica_calculator_test.go (one container per pod).
    #[test]
    fn replica_calculator_table() {
        struct Case {
            name: &'static str,
            current: i32,
            target: i32,
            pods: Vec<PodSample>,
            want: Calc,
        }
        let mut unready = pods(&[Some(300), Some(500), Some(700)], &[1000, 1000, 1000]);
        unready[0].ready = Some((false, NOW - 900_000));
        let mut pending = pods(&[Some(300), Some(500), Some(700)], &[1000, 1000, 1000]);
        pending[0].phase = "Pending".into();
        let mut deleting = pods(&[Some(100), Some(300), Some(500), Some(250), Some(250)], &[1000; 5]);
        deleting.push(PodSample { deleting: true, ..pod(5, Some(10_000), 1000) });
        let mut failed = pods(&[Some(100), Some(300), Some(500), Some(250), Some(250)], &[1000; 5]);
        failed.push(PodSample { phase: "Failed".into(), ..pod(5, Some(10_000), 1000) });
        let mut no_request = pods(&[Some(300)], &[1000]);
        no_request[0].request = None;
        let cases = vec![
            Case { name: "scale up", current: 3, target: 30, pods: pods(&[Some(300), Some(500), Some(700)], &[1000, 1000, 1000]), want: Ok((5, 50, 500)) },
            Case { name: "scale up, unready pod counts as 0", current: 3, target: 30, pods: unready, want: Ok((4, 60, 600)) },
            Case { name: "scale up, pending pod counts as 0", current: 3, target: 30, pods: pending, want: Ok((4, 60, 600)) },
            Case { name: "scale down", current: 5, target: 50, pods: pods(&[Some(100), Some(300), Some(500), Some(250), Some(250)], &[1000; 5]), want: Ok((3, 28, 280)) },
            Case { name: "scale down ignores deleting pods", current: 5, target: 50, pods: deleting, want: Ok((3, 28, 280)) },
            Case { name: "scale down ignores failed pods", current: 5, target: 50, pods: failed, want: Ok((3, 28, 280)) },
            Case { name: "tolerance", current: 3, target: 100, pods: pods(&[Some(1010), Some(1030), Some(1020)], &[900, 1000, 1100]), want: Ok((3, 102, 1020)) },
            Case { name: "missing metrics, no change", current: 2, target: 100, pods: pods(&[Some(1000), None], &[1000, 1000]), want: Ok((2, 100, 1000)) },
            Case { name: "missing metrics, scale up counts missing as 0", current: 3, target: 100, pods: pods(&[Some(2000), Some(2000), None], &[1000; 3]), want: Ok((4, 200, 2000)) },
            Case { name: "missing metrics, scale down counts missing as 100%", current: 3, target: 100, pods: pods(&[Some(200), Some(200), None], &[1000; 3]), want: Ok((2, 20, 200)) },
            Case { name: "missing metrics flip direction: no change", current: 3, target: 50, pods: pods(&[Some(400), Some(400), None], &[1000; 3]), want: Ok((3, 40, 400)) },
            Case { name: "no pods", current: 1, target: 50, pods: vec![], want: Err("no pods returned by selector while calculating replica count".into()) },
            Case { name: "missing request", current: 1, target: 50, pods: no_request, want: Err("missing request for cpu in container of Pod p0".into()) },
            Case { name: "all unready", current: 1, target: 50, pods: vec![PodSample { phase: "Pending".into(), ..pod(0, Some(10), 1000) }], want: Err("did not receive metrics for targeted pods (pods might be unready)".into()) },
        ];
        for c in cases {
            assert_eq!(resource_replicas(c.current, c.target, &c.pods, NOW, true, "cpu"), c.want, "{}", c.name);
        }
    }

    #[test]
    fn young_pod_sample_before_a_full_window_is_unready() {
        let mut p = pod(0, Some(900), 1000);
        p.start_ms = Some(NOW - 20_000);
        p.ready = Some((true, NOW - 5_000));
        let q = pod(1, Some(900), 1000);
        // Only p1 counts: 90% of 50% → ratio 1.8 with one unready pod counted as 0 → (900)/(2000) = 0.45*2.
        assert_eq!(resource_replicas(2, 50, &[p, q], NOW, true, "cpu"), Ok((2, 90, 900)));
    }
}
