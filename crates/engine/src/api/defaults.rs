//! Defaulting as the API server applies it on create and update (the `SetDefaults_*` functions
//! of Kubernetes), so `kubectl get -o yaml` shows the same fields a real cluster fills in.

use super::Object;
use k8s_openapi::api::apps::v1::{
    DeploymentStrategy, RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec, Toleration};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Applies the API server's defaults to an object about to be stored.
pub fn apply_defaults(obj: &mut Object) {
    match obj {
        Object::Pod(p) => {
            if let Some(spec) = p.spec.as_mut() {
                pod_spec(spec);
                default_tolerations(spec);
            }
        }
        Object::Deployment(d) => {
            if let Some(spec) = d.spec.as_mut() {
                spec.replicas.get_or_insert(1);
                spec.revision_history_limit.get_or_insert(10);
                spec.progress_deadline_seconds.get_or_insert(600);
                let strategy = spec.strategy.get_or_insert_with(DeploymentStrategy::default);
                let ty = strategy.type_.get_or_insert_with(|| "RollingUpdate".to_string());
                if ty == "RollingUpdate" {
                    let ru = strategy.rolling_update.get_or_insert_with(RollingUpdateDeployment::default);
                    ru.max_surge.get_or_insert(IntOrString::String("25%".into()));
                    ru.max_unavailable.get_or_insert(IntOrString::String("25%".into()));
                }
                template(&mut spec.template);
            }
        }
        Object::ReplicaSet(rs) => {
            if let Some(spec) = rs.spec.as_mut() {
                spec.replicas.get_or_insert(1);
                if let Some(t) = spec.template.as_mut() {
                    template(t);
                }
            }
        }
        Object::DaemonSet(ds) => {
            if let Some(spec) = ds.spec.as_mut() {
                spec.revision_history_limit.get_or_insert(10);
                let strategy = spec.update_strategy.get_or_insert_with(Default::default);
                let ty = strategy.type_.get_or_insert_with(|| "RollingUpdate".to_string());
                if ty == "RollingUpdate" {
                    let ru = strategy.rolling_update.get_or_insert_with(Default::default);
                    ru.max_unavailable.get_or_insert(IntOrString::Int(1));
                    ru.max_surge.get_or_insert(IntOrString::Int(0));
                }
                template(&mut spec.template);
            }
        }
        Object::StatefulSet(ss) => {
            if let Some(spec) = ss.spec.as_mut() {
                spec.replicas.get_or_insert(1);
                spec.revision_history_limit.get_or_insert(10);
                spec.pod_management_policy.get_or_insert_with(|| "OrderedReady".into());
                let strategy = spec.update_strategy.get_or_insert_with(Default::default);
                let ty = strategy.type_.get_or_insert_with(|| "RollingUpdate".to_string());
                if ty == "RollingUpdate" {
                    strategy.rolling_update.get_or_insert_with(Default::default).partition.get_or_insert(0);
                }
                let retention = spec.persistent_volume_claim_retention_policy.get_or_insert_with(Default::default);
                retention.when_deleted.get_or_insert_with(|| "Retain".into());
                retention.when_scaled.get_or_insert_with(|| "Retain".into());
                for pvc in spec.volume_claim_templates.iter_mut().flatten() {
                    if let Some(ps) = pvc.spec.as_mut() {
                        ps.volume_mode.get_or_insert_with(|| "Filesystem".into());
                    }
                    pvc.status.get_or_insert_with(Default::default).phase.get_or_insert_with(|| "Pending".into());
                }
                template(&mut spec.template);
            }
        }
        Object::Job(j) => {
            if let Some(spec) = j.spec.as_mut() {
                job_spec(spec);
            }
        }
        Object::CronJob(cj) => {
            if let Some(spec) = cj.spec.as_mut() {
                spec.concurrency_policy.get_or_insert_with(|| "Allow".into());
                spec.suspend.get_or_insert(false);
                spec.successful_jobs_history_limit.get_or_insert(3);
                spec.failed_jobs_history_limit.get_or_insert(1);
                if let Some(js) = spec.job_template.spec.as_mut() {
                    template(&mut js.template);
                }
            }
        }
        Object::HorizontalPodAutoscaler(h) => {
            if let Some(spec) = h.spec.as_mut() {
                hpa_spec(spec);
            }
        }
        Object::Service(s) => {
            if let Some(spec) = s.spec.as_mut() {
                let ty = spec.type_.get_or_insert_with(|| "ClusterIP".into()).clone();
                if ty != "ExternalName" {
                    spec.session_affinity.get_or_insert_with(|| "None".into());
                    spec.internal_traffic_policy.get_or_insert_with(|| "Cluster".into());
                }
                if ty == "NodePort" || ty == "LoadBalancer" {
                    spec.external_traffic_policy.get_or_insert_with(|| "Cluster".into());
                }
                for port in spec.ports.iter_mut().flatten() {
                    port.protocol.get_or_insert_with(|| "TCP".into());
                    if port.target_port.is_none() {
                        port.target_port = Some(IntOrString::Int(port.port));
                    }
                }
            }
        }
        Object::PersistentVolume(pv) => {
            if let Some(spec) = pv.spec.as_mut() {
                spec.persistent_volume_reclaim_policy.get_or_insert_with(|| "Retain".into());
                spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
            }
        }
        Object::PersistentVolumeClaim(pvc) => {
            if let Some(spec) = pvc.spec.as_mut() {
                spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
            }
        }
        Object::StorageClass(sc) => {
            if sc.reclaim_policy.is_none() {
                sc.reclaim_policy = Some("Delete".into());
            }
            if sc.volume_binding_mode.is_none() {
                sc.volume_binding_mode = Some("Immediate".into());
            }
        }
        Object::PriorityClass(pc) => {
            if pc.preemption_policy.is_none() {
                pc.preemption_policy = Some("PreemptLowerPriority".into());
            }
        }
        _ => {}
    }
}

/// Job spec defaults (`SetDefaults_Job`): completions and parallelism 1 when both are unset,
/// parallelism 1 otherwise; backoffLimit 6 (or the per-index limit's maximum), NonIndexed,
/// not suspended, pods replaced once terminating or failed.
pub fn job_spec(spec: &mut k8s_openapi::api::batch::v1::JobSpec) {
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    if spec.backoff_limit.is_none() {
        spec.backoff_limit = Some(if spec.backoff_limit_per_index.is_some() { i32::MAX } else { 6 });
    }
    spec.completion_mode.get_or_insert_with(|| "NonIndexed".into());
    spec.suspend.get_or_insert(false);
    if spec.pod_failure_policy.is_none() {
        spec.pod_replacement_policy.get_or_insert_with(|| "TerminatingOrFailed".into());
    }
    template(&mut spec.template);
}

/// HorizontalPodAutoscaler (autoscaling/v2) defaults: minReplicas 1, CPU at 80 % when no metric
/// is given, and the default scaling rules filled into a `behavior` the user started.
pub fn hpa_spec(spec: &mut k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerSpec) {
    use k8s_openapi::api::autoscaling::v2::{HPAScalingPolicy, HPAScalingRules, MetricSpec, MetricTarget, ResourceMetricSource};
    spec.min_replicas.get_or_insert(1);
    if spec.metrics.as_ref().is_none_or(|m| m.is_empty()) {
        spec.metrics = Some(vec![MetricSpec {
            type_: "Resource".into(),
            resource: Some(ResourceMetricSource {
                name: "cpu".into(),
                target: MetricTarget { type_: "Utilization".into(), average_utilization: Some(80), ..Default::default() },
            }),
            ..Default::default()
        }]);
    }
    if let Some(b) = spec.behavior.as_mut() {
        let pol = |ty: &str, value: i32, period: i32| HPAScalingPolicy { type_: ty.into(), value, period_seconds: period };
        let up = b.scale_up.get_or_insert_with(HPAScalingRules::default);
        up.stabilization_window_seconds.get_or_insert(0);
        up.select_policy.get_or_insert_with(|| "Max".into());
        if up.policies.as_ref().is_none_or(|p| p.is_empty()) {
            up.policies = Some(vec![pol("Pods", 4, 15), pol("Percent", 100, 15)]);
        }
        let down = b.scale_down.get_or_insert_with(HPAScalingRules::default);
        down.stabilization_window_seconds.get_or_insert(300);
        down.select_policy.get_or_insert_with(|| "Max".into());
        if down.policies.as_ref().is_none_or(|p| p.is_empty()) {
            down.policies = Some(vec![pol("Percent", 100, 15)]);
        }
    }
}

fn template(t: &mut PodTemplateSpec) {
    if let Some(spec) = t.spec.as_mut() {
        pod_spec(spec);
    }
}

/// Pod spec defaults (restartPolicy, dnsPolicy, grace period, pull policy by tag, ...).
pub fn pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.scheduler_name.get_or_insert_with(|| "default-scheduler".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.security_context.get_or_insert_with(Default::default);
    for c in spec.containers.iter_mut() {
        container(c);
    }
    for c in spec.init_containers.iter_mut().flatten() {
        container(c);
    }
    for v in spec.volumes.iter_mut().flatten() {
        volume(v);
    }
}

/// File mode of configMap/secret/projected/downwardAPI volumes: 0644.
const DEFAULT_MODE: i32 = 0o644;

/// SetDefaults_ConfigMapVolumeSource and its secret/projected/downwardAPI siblings.
fn volume(v: &mut k8s_openapi::api::core::v1::Volume) {
    if let Some(s) = v.config_map.as_mut() {
        s.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(s) = v.secret.as_mut() {
        s.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(s) = v.projected.as_mut() {
        s.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(s) = v.downward_api.as_mut() {
        s.default_mode.get_or_insert(DEFAULT_MODE);
    }
}

/// SetDefaults_HTTPGetAction: path `/`, scheme HTTP.
fn http_get(h: &mut k8s_openapi::api::core::v1::HTTPGetAction) {
    h.path.get_or_insert_with(|| "/".into());
    h.scheme.get_or_insert_with(|| "HTTP".into());
}

/// SetDefaults_Probe: timeout 1 s, period 10 s, success 1, failure 3 (and its handler's).
fn probe(p: &mut k8s_openapi::api::core::v1::Probe) {
    p.timeout_seconds.get_or_insert(1);
    p.period_seconds.get_or_insert(10);
    p.success_threshold.get_or_insert(1);
    p.failure_threshold.get_or_insert(3);
    if let Some(h) = p.http_get.as_mut() {
        http_get(h);
    }
    if let Some(g) = p.grpc.as_mut() {
        g.service.get_or_insert_with(String::new);
    }
}

/// `Always` for `:latest` or untagged images, `IfNotPresent` otherwise.
pub fn default_pull_policy(image: &str) -> &'static str {
    let last = image.rsplit('/').next().unwrap_or(image);
    if image.contains('@') {
        return "IfNotPresent";
    }
    match last.split_once(':') {
        None => "Always",
        Some((_, "latest")) => "Always",
        Some(_) => "IfNotPresent",
    }
}

fn container(c: &mut Container) {
    if c.image_pull_policy.is_none() {
        let image = c.image.clone().unwrap_or_default();
        c.image_pull_policy = Some(default_pull_policy(&image).into());
    }
    c.termination_message_path.get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy.get_or_insert_with(|| "File".into());
    c.resources.get_or_insert_with(Default::default);
    for p in c.ports.iter_mut().flatten() {
        p.protocol.get_or_insert_with(|| "TCP".into());
    }
    for p in [c.liveness_probe.as_mut(), c.readiness_probe.as_mut(), c.startup_probe.as_mut()].into_iter().flatten() {
        probe(p);
    }
    if let Some(l) = c.lifecycle.as_mut() {
        for h in [l.post_start.as_mut(), l.pre_stop.as_mut()].into_iter().flatten() {
            if let Some(g) = h.http_get.as_mut() {
                http_get(g);
            }
        }
    }
}

/// The DefaultTolerationSeconds admission plugin: tolerate not-ready/unreachable for 300 s.
fn default_tolerations(spec: &mut PodSpec) {
    let tols = spec.tolerations.get_or_insert_with(Vec::new);
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        let has = tols.iter().any(|t| {
            (t.key.as_deref() == Some(key) || (t.key.is_none() && t.operator.as_deref() == Some("Exists")))
                && (t.effect.is_none() || t.effect.as_deref() == Some("NoExecute"))
        });
        if !has {
            tols.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(300),
                value: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_by_tag() {
        assert_eq!(default_pull_policy("nginx"), "Always");
        assert_eq!(default_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_pull_policy("nginx:1.25"), "IfNotPresent");
        assert_eq!(default_pull_policy("localhost:5000/app"), "Always");
        assert_eq!(default_pull_policy("localhost:5000/app:v1"), "IfNotPresent");
    }

    #[test]
    fn probes_and_volume_modes_get_the_api_servers_defaults() {
        let mut spec: PodSpec = crate::api::typed_from_json(serde_json::json!({
            "containers": [{"name": "c", "image": "nginx",
                "readinessProbe": {"httpGet": {"port": 80}, "periodSeconds": 5},
                "livenessProbe": {"exec": {"command": ["true"]}, "failureThreshold": 1},
                "lifecycle": {"preStop": {"httpGet": {"port": 80, "path": "/stop"}}}}],
            "volumes": [{"name": "a", "configMap": {"name": "cm"}}, {"name": "b", "secret": {"secretName": "s", "defaultMode": 256}}, {"name": "e", "emptyDir": {}}]
        }))
        .unwrap();
        pod_spec(&mut spec);
        let v = crate::api::to_json_value(&spec).unwrap();
        let c = &v["containers"][0];
        assert_eq!(c["readinessProbe"], serde_json::json!({"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"}, "periodSeconds": 5, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3}));
        assert_eq!(c["livenessProbe"]["failureThreshold"], 1);
        assert_eq!(c["livenessProbe"]["periodSeconds"], 10);
        assert!(c.get("startupProbe").is_none());
        assert_eq!(c["lifecycle"]["preStop"]["httpGet"], serde_json::json!({"path": "/stop", "port": 80, "scheme": "HTTP"}));
        assert_eq!(v["volumes"][0]["configMap"]["defaultMode"], 420);
        assert_eq!(v["volumes"][1]["secret"]["defaultMode"], 256);
        assert_eq!(v["volumes"][2], serde_json::json!({"name": "e", "emptyDir": {}}));
    }
}
