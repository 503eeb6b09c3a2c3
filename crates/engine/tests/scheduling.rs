//! Scheduler scenarios through the whole cluster loop.

use pilothouse_engine::api::parse_manifests;
use pilothouse_engine::apiserver::PatchType;
use pilothouse_engine::{Cluster, ClusterOptions, Kind, Object, ObjectKey};

fn apply(c: &mut Cluster, yaml: &str) {
    for m in parse_manifests(yaml).unwrap() {
        c.apply(m.object).unwrap();
    }
}

fn pod(c: &Cluster, name: &str) -> k8s_openapi::api::core::v1::Pod {
    match c.get(&ObjectKey::new(Kind::Pod, "default", name)).as_deref() {
        Some(Object::Pod(p)) => p.clone(),
        _ => panic!("no pod {name}"),
    }
}

fn node_of(c: &Cluster, name: &str) -> Option<String> {
    pod(c, name).spec.unwrap().node_name
}

fn taint(c: &mut Cluster, node: &str, key: &str, value: &str, effect: &str) {
    c.patch(
        &ObjectKey::new(Kind::Node, "", node),
        PatchType::Merge,
        &serde_json::json!({"spec": {"taints": [{"key": key, "value": value, "effect": effect}]}}),
    )
    .unwrap();
}

fn pod_yaml(name: &str, extra: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\nspec:\n  containers:\n  - name: c\n    image: nginx\n{extra}")
}

fn failed_scheduling(c: &Cluster, name: &str) -> Vec<String> {
    c.list(Kind::Event, Some("default"))
        .into_iter()
        .filter_map(|o| match &*o {
            Object::Event(e) if e.reason.as_deref() == Some("FailedScheduling") && e.involved_object.name.as_deref() == Some(name) => e.message.clone(),
            _ => None,
        })
        .collect()
}

#[test]
fn control_plane_taint_keeps_pods_off_until_tolerated() {
    let mut c = Cluster::start(1, ClusterOptions { nodes: 2, ..Default::default() });
    taint(&mut c, "minikube", "node-role.kubernetes.io/control-plane", "", "NoSchedule");
    for i in 0..4 {
        apply(&mut c, &pod_yaml(&format!("p{i}"), ""));
    }
    c.advance(5_000);
    for i in 0..4 {
        assert_eq!(node_of(&c, &format!("p{i}")).as_deref(), Some("minikube-m02"));
    }
    // Only the control-plane node left: untolerated pods stay Pending with the real message.
    c.api.record_events = true;
    c.patch(&ObjectKey::new(Kind::Node, "", "minikube-m02"), PatchType::Merge, &serde_json::json!({"spec": {"unschedulable": true}})).unwrap();
    apply(&mut c, &pod_yaml("pending", ""));
    c.advance(5_000);
    assert_eq!(node_of(&c, "pending"), None);
    let msgs = failed_scheduling(&c, "pending");
    assert_eq!(
        msgs[0],
        "0/2 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
    );
    let cond = pod(&c, "pending").status.unwrap().conditions.unwrap().into_iter().find(|c| c.type_ == "PodScheduled").unwrap();
    assert_eq!((cond.status.as_str(), cond.reason.as_deref()), ("False", Some("Unschedulable")));
    apply(&mut c, &pod_yaml("tolerant", "  tolerations:\n  - key: node-role.kubernetes.io/control-plane\n    operator: Exists\n    effect: NoSchedule\n"));
    c.advance(5_000);
    assert_eq!(node_of(&c, "tolerant").as_deref(), Some("minikube"));
}

#[test]
fn prefer_no_schedule_is_avoided_when_possible() {
    let mut c = Cluster::start(1, ClusterOptions { nodes: 2, ..Default::default() });
    taint(&mut c, "minikube", "dedicated", "db", "PreferNoSchedule");
    for i in 0..3 {
        apply(&mut c, &pod_yaml(&format!("p{i}"), ""));
    }
    c.advance(5_000);
    for i in 0..3 {
        assert_eq!(node_of(&c, &format!("p{i}")).as_deref(), Some("minikube-m02"));
    }
}

#[test]
fn no_execute_evicts_untolerating_pods_after_toleration_seconds() {
    let mut c = Cluster::start(1, ClusterOptions { nodes: 2, ..Default::default() });
    apply(&mut c, &pod_yaml("plain", "  nodeName: minikube-m02\n"));
    apply(&mut c, &pod_yaml("patient", "  nodeName: minikube-m02\n  tolerations:\n  - key: maintenance\n    operator: Exists\n    effect: NoExecute\n    tolerationSeconds: 60\n"));
    apply(&mut c, &pod_yaml("forever", "  nodeName: minikube-m02\n  tolerations:\n  - key: maintenance\n    operator: Exists\n    effect: NoExecute\n"));
    c.advance(20_000);
    taint(&mut c, "minikube-m02", "maintenance", "now", "NoExecute");
    c.advance(35_000);
    assert!(c.get(&ObjectKey::new(Kind::Pod, "default", "plain")).is_none(), "evicted at once");
    assert!(c.get(&ObjectKey::new(Kind::Pod, "default", "patient")).is_some());
    c.advance(60_000);
    assert!(c.get(&ObjectKey::new(Kind::Pod, "default", "patient")).is_none(), "evicted after 60 s");
    assert!(c.get(&ObjectKey::new(Kind::Pod, "default", "forever")).is_some());
}

#[test]
fn required_anti_affinity_spreads_and_fourth_stays_pending() {
    let mut c = Cluster::start(1, ClusterOptions { nodes: 3, ..Default::default() });
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector:\n              matchLabels: {app: web}\n            topologyKey: kubernetes.io/hostname\n      containers:\n      - name: nginx\n        image: nginx\n";
    apply(&mut c, yaml);
    c.advance(10_000);
    let pods: Vec<_> = c.list(Kind::Pod, Some("default")).into_iter().filter_map(|o| o.as_pod().cloned()).collect();
    let nodes: std::collections::BTreeSet<String> = pods.iter().filter_map(|p| p.spec.as_ref()?.node_name.clone()).collect();
    assert_eq!(nodes.len(), 3);
    let pending: Vec<_> = pods.iter().filter(|p| p.spec.as_ref().unwrap().node_name.is_none()).collect();
    assert_eq!(pending.len(), 1);
    let msgs = failed_scheduling(&c, pending[0].metadata.name.as_deref().unwrap());
    assert_eq!(
        msgs[0],
        "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
    );
}

#[test]
fn high_priority_pod_preempts_low_priority_one() {
    let mut c = Cluster::start(1, ClusterOptions { nodes: 1, cpus: 2, ..Default::default() });
    apply(&mut c, "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: high\nvalue: 1000000\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: low\nvalue: 10\n");
    apply(&mut c, &pod_yaml("low", "    resources:\n      requests: {cpu: 1200m}\n  priorityClassName: low\n"));
    c.advance(10_000);
    assert_eq!(node_of(&c, "low").as_deref(), Some("minikube"));
    apply(&mut c, &pod_yaml("high", "    resources:\n      requests: {cpu: 1200m}\n  priorityClassName: high\n"));
    // The victim goes first (nginx stops promptly on SIGTERM), then the preemptor lands.
    c.advance(40_000);
    assert!(c.get(&ObjectKey::new(Kind::Pod, "default", "low")).is_none());
    assert_eq!(node_of(&c, "high").as_deref(), Some("minikube"));
    let preempted = c.list(Kind::Event, Some("default")).into_iter().any(|o| matches!(&*o, Object::Event(e) if e.reason.as_deref() == Some("Preempted")));
    assert!(preempted);
}

#[test]
fn preemption_spares_the_pod_a_disruption_budget_protects() {
    let mut c = Cluster::start(1, ClusterOptions { nodes: 2, cpus: 2, ..Default::default() });
    apply(
        &mut c,
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: high\nvalue: 1000000\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: mid\nvalue: 20\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: low\nvalue: 10\n",
    );
    // `guarded` has the lower priority, so without its budget it would be the victim.
    apply(&mut c, &pod_yaml("guarded", "    resources:\n      requests: {cpu: 1200m}\n  priorityClassName: low\n  nodeName: minikube\n"));
    apply(&mut c, &pod_yaml("plain", "    resources:\n      requests: {cpu: 1200m}\n  priorityClassName: mid\n  nodeName: minikube-m02\n"));
    apply(&mut c, "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: guarded\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {app: guarded}\n");
    c.advance(10_000);
    let pdb = match c.get(&ObjectKey::new(Kind::PodDisruptionBudget, "default", "guarded")).as_deref() {
        Some(Object::PodDisruptionBudget(b)) => b.clone(),
        _ => panic!("no pdb"),
    };
    let st = pdb.status.unwrap();
    assert_eq!((st.expected_pods, st.disruptions_allowed), (1, 0));
    apply(&mut c, &pod_yaml("high", "    resources:\n      requests: {cpu: 1200m}\n  priorityClassName: high\n"));
    c.advance(40_000);
    assert!(c.get(&ObjectKey::new(Kind::Pod, "default", "plain")).is_none(), "the unprotected pod is preempted");
    assert_eq!(node_of(&c, "guarded").as_deref(), Some("minikube"));
    assert_eq!(node_of(&c, "high").as_deref(), Some("minikube-m02"));
    assert_eq!(pod(&c, "high").status.unwrap().nominated_node_name, None, "binding clears the nomination");
    let preempted: Vec<(String, String)> = c
        .list(Kind::Event, Some("default"))
        .into_iter()
        .filter_map(|o| match &*o {
            Object::Event(e) if e.reason.as_deref() == Some("Preempted") => Some((e.involved_object.name.clone().unwrap_or_default(), e.message.clone().unwrap_or_default())),
            _ => None,
        })
        .collect();
    assert_eq!(preempted.len(), 1, "{preempted:?}");
    assert_eq!(preempted[0].0, "plain");
    assert!(preempted[0].1.ends_with("on node minikube-m02"), "{}", preempted[0].1);
}

#[test]
fn higher_priority_preemptor_clears_a_lower_nomination() {
    let mut c = Cluster::start(1, ClusterOptions { nodes: 1, cpus: 2, ..Default::default() });
    apply(
        &mut c,
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: top\nvalue: 1000000\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: mid\nvalue: 20\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: low\nvalue: 10\n",
    );
    // The victim ignores SIGTERM, so it takes its whole grace period to go.
    let slow = "  terminationGracePeriodSeconds: 60\n  containers:\n  - name: c\n    image: busybox\n    command: [sleep, '3600']\n    resources:\n      requests: {cpu: 1200m}\n";
    apply(&mut c, &format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: low\nspec:\n  priorityClassName: low\n{slow}"));
    c.advance(5_000);
    assert_eq!(node_of(&c, "low").as_deref(), Some("minikube"));
    let nominated = |c: &Cluster, name: &str| pod(c, name).status.and_then(|s| s.nominated_node_name);
    apply(&mut c, &pod_yaml("mid", "    resources:\n      requests: {cpu: 1200m}\n  priorityClassName: mid\n"));
    c.advance(5_000);
    assert_eq!((node_of(&c, "mid"), nominated(&c, "mid").as_deref()), (None, Some("minikube")));
    assert!(pod(&c, "low").metadata.deletion_timestamp.is_some());
    // A higher-priority pod preempts on the same node (the terminating victim is not deleted
    // again) and mid loses its nomination.
    apply(&mut c, &pod_yaml("top", "    resources:\n      requests: {cpu: 1200m}\n  priorityClassName: top\n"));
    c.advance(5_000);
    assert_eq!(nominated(&c, "top").as_deref(), Some("minikube"));
    assert_eq!(nominated(&c, "mid"), None);
    c.advance(70_000);
    assert!(c.get(&ObjectKey::new(Kind::Pod, "default", "low")).is_none());
    assert_eq!(node_of(&c, "top").as_deref(), Some("minikube"));
    assert_eq!(node_of(&c, "mid"), None);
    let preempted = c.list(Kind::Event, Some("default")).into_iter().filter(|o| matches!(&**o, Object::Event(e) if e.reason.as_deref() == Some("Preempted"))).count();
    assert_eq!(preempted, 1);
}

#[test]
fn pod_with_unbound_pvc_stays_pending() {
    let mut c = Cluster::minikube(1);
    apply(&mut c, "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  storageClassName: \"\"\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n");
    apply(&mut c, &pod_yaml("user", "    volumeMounts:\n    - name: d\n      mountPath: /data\n  volumes:\n  - name: d\n    persistentVolumeClaim:\n      claimName: data\n"));
    c.advance(10_000);
    assert_eq!(node_of(&c, "user"), None);
    let msgs = failed_scheduling(&c, "user");
    assert!(msgs[0].contains("pod has unbound immediate PersistentVolumeClaims"), "{msgs:?}");
}

#[test]
fn trace_explains_the_decision() {
    let mut c = Cluster::start(1, ClusterOptions { nodes: 2, ..Default::default() });
    apply(&mut c, &pod_yaml("p", "  nodeSelector:\n    kubernetes.io/hostname: minikube-m02\n"));
    c.advance(1_000);
    let t = c.scheduler.trace("default", "p").expect("trace");
    let text = t.render_text();
    assert!(text.contains("minikube-m02"), "{text}");
    assert!(text.contains("NodeAffinity"), "{text}");
}
