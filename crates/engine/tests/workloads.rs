//! Scenario tests of the workload controllers: DaemonSet, StatefulSet, Job, CronJob,
//! HorizontalPodAutoscaler, PodDisruptionBudget and the eviction API, and node failure.

use pilothouse_engine::api::parse_manifests;
use pilothouse_engine::apiserver::{DeleteOptions, PatchType};
use pilothouse_engine::{Cluster, ClusterOptions, Kind, Object, ObjectKey};
use k8s_openapi::api::core::v1::Pod;
use std::sync::Arc;

fn apply(c: &mut Cluster, yaml: &str) {
    for m in parse_manifests(yaml).unwrap() {
        c.apply(m.object).unwrap();
    }
}

fn pods(c: &Cluster, ns: &str, prefix: &str) -> Vec<Pod> {
    c.list(Kind::Pod, Some(ns))
        .into_iter()
        .filter_map(|o| match &*o {
            Object::Pod(p) if p.metadata.name.as_deref().unwrap_or("").starts_with(prefix) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

fn name(p: &Pod) -> String {
    p.metadata.name.clone().unwrap_or_default()
}

fn phase(p: &Pod) -> String {
    p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default()
}

fn ready(p: &Pod) -> bool {
    p.status.as_ref().and_then(|s| s.conditions.as_ref()).is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

fn label<'a>(p: &'a Pod, k: &str) -> Option<&'a str> {
    p.metadata.labels.as_ref()?.get(k).map(String::as_str)
}

fn events(c: &Cluster, ns: &str, reason: &str) -> Vec<String> {
    let mut evs: Vec<(String, String)> = c
        .list(Kind::Event, Some(ns))
        .into_iter()
        .filter_map(|o| match &*o {
            Object::Event(e) if e.reason.as_deref() == Some(reason) => Some((e.metadata.name.clone().unwrap_or_default(), e.message.clone().unwrap_or_default())),
            _ => None,
        })
        .collect();
    evs.sort();
    evs.into_iter().map(|(_, m)| m).collect()
}

fn get(c: &Cluster, kind: Kind, ns: &str, name: &str) -> Option<Arc<Object>> {
    c.get(&ObjectKey::new(kind, ns, name))
}

fn job(c: &Cluster, name: &str) -> k8s_openapi::api::batch::v1::Job {
    match get(c, Kind::Job, "default", name).as_deref() {
        Some(Object::Job(j)) => j.clone(),
        other => panic!("job {name}: {other:?}"),
    }
}

fn job_conditions(j: &k8s_openapi::api::batch::v1::Job) -> Vec<(String, String, String)> {
    j.status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .map(|c| (c.type_.clone(), c.reason.clone().unwrap_or_default(), c.message.clone().unwrap_or_default()))
        .collect()
}

fn secs(c: &mut Cluster, s: u64) {
    c.advance(s * 1000);
}

// ---- Job --------------------------------------------------------------------------------------

const PI_JOB: &str = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\nspec:\n  completions: 3\n  parallelism: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: pi\n        image: busybox:1.36\n        command: [\"sh\", \"-c\", \"echo 3.14; sleep 5\"]\n";

#[test]
fn job_runs_to_completion_with_parallelism() {
    let mut c = Cluster::minikube(1);
    apply(&mut c, PI_JOB);
    let j = job(&c, "pi");
    let uid = j.metadata.uid.clone().unwrap();
    let sel = j.spec.as_ref().and_then(|s| s.selector.as_ref()).and_then(|s| s.match_labels.clone()).unwrap();
    assert_eq!(sel.get("batch.kubernetes.io/controller-uid"), Some(&uid));
    let ps = pods(&c, "default", "pi-");
    assert_eq!(ps.len(), 2, "parallelism 2");
    for p in &ps {
        assert_eq!(label(p, "batch.kubernetes.io/job-name"), Some("pi"));
        assert_eq!(label(p, "job-name"), Some("pi"));
        assert_eq!(label(p, "controller-uid"), Some(uid.as_str()));
        assert_eq!(name(p).len(), "pi-".len() + 5);
    }
    assert_eq!(j.status.as_ref().and_then(|s| s.active), Some(2));
    assert!(j.status.as_ref().and_then(|s| s.start_time.as_ref()).is_some());
    secs(&mut c, 60);
    let j = job(&c, "pi");
    let st = j.status.clone().unwrap();
    assert_eq!(st.succeeded, Some(3));
    assert_eq!(st.active, None);
    assert_eq!(st.ready, Some(0));
    assert!(st.completion_time.is_some());
    let conds = job_conditions(&j);
    assert_eq!(conds[0], ("SuccessCriteriaMet".into(), "CompletionsReached".into(), "Reached expected number of succeeded pods".into()));
    assert_eq!(conds[1], ("Complete".into(), "CompletionsReached".into(), "Reached expected number of succeeded pods".into()));
    // Finished pods are kept.
    let ps = pods(&c, "default", "pi-");
    assert_eq!(ps.len(), 3);
    assert!(ps.iter().all(|p| phase(p) == "Succeeded"));
    assert_eq!(events(&c, "default", "Completed"), vec!["Job completed".to_string()]);
    assert_eq!(events(&c, "default", "SuccessfulCreate").iter().filter(|m| m.starts_with("Created pod: pi-")).count(), 3);
    // Deleting the Job takes its pods with it.
    c.delete(&ObjectKey::new(Kind::Job, "default", "pi"), &DeleteOptions::default()).unwrap();
    secs(&mut c, 5);
    assert!(pods(&c, "default", "pi-").is_empty());
}

#[test]
fn job_restart_policy_is_validated() {
    let mut c = Cluster::minikube(1);
    let yaml = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: bad\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: busybox\n";
    let obj = parse_manifests(yaml).unwrap().remove(0).object;
    let err = c.apply(obj).unwrap_err();
    assert_eq!(err.to_string(), "Job.batch \"bad\" is invalid: spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"");
}

#[test]
fn job_backs_off_then_fails_past_backoff_limit() {
    let mut c = Cluster::minikube(2);
    apply(&mut c, "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: fail\nspec:\n  backoffLimit: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox:1.36\n        command: [\"sh\", \"-c\", \"sleep 5; exit 1\"]\n");
    // First pod fails after ~5 s; the next one waits the 10 s back-off.
    let mut created_at: Vec<u64> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        for p in pods(&c, "default", "fail-") {
            if seen.insert(name(&p)) {
                created_at.push(c.now_ms());
            }
        }
        if job(&c, "fail").status.as_ref().and_then(|s| s.conditions.as_ref()).is_some_and(|cs| cs.iter().any(|c| c.type_ == "Failed")) {
            break;
        }
        secs(&mut c, 1);
    }
    assert_eq!(created_at.len(), 3, "backoffLimit 2 allows three pods: {created_at:?}");
    let gap1 = created_at[1] - created_at[0];
    let gap2 = created_at[2] - created_at[1];
    assert!(gap2 > gap1 + 5_000, "back-off doubles: {gap1} then {gap2}");
    let j = job(&c, "fail");
    assert_eq!(j.status.as_ref().and_then(|s| s.failed), Some(3));
    let conds = job_conditions(&j);
    assert!(conds.contains(&("FailureTarget".into(), "BackoffLimitExceeded".into(), "Job has reached the specified backoff limit".into())), "{conds:?}");
    assert!(conds.contains(&("Failed".into(), "BackoffLimitExceeded".into(), "Job has reached the specified backoff limit".into())));
    assert_eq!(events(&c, "default", "BackoffLimitExceeded"), vec!["Job has reached the specified backoff limit".to_string()]);
    assert!(j.status.as_ref().and_then(|s| s.completion_time.as_ref()).is_none());
    // No more pods after failing.
    secs(&mut c, 120);
    assert_eq!(pods(&c, "default", "fail-").len(), 3);
}

#[test]
fn job_on_failure_counts_restarts() {
    let mut c = Cluster::minikube(3);
    apply(&mut c, "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: flaky\nspec:\n  backoffLimit: 2\n  template:\n    spec:\n      restartPolicy: OnFailure\n      containers:\n      - name: c\n        image: busybox:1.36\n        command: [\"sh\", \"-c\", \"sleep 2; exit 3\"]\n");
    secs(&mut c, 300);
    let j = job(&c, "flaky");
    let conds = job_conditions(&j);
    assert!(conds.iter().any(|c| c.0 == "Failed" && c.1 == "BackoffLimitExceeded"), "{conds:?}");
    // One pod only: the kubelet restarted its container.
    assert_eq!(events(&c, "default", "SuccessfulCreate").len(), 1);
}

#[test]
fn job_active_deadline_exceeded() {
    let mut c = Cluster::minikube(4);
    apply(&mut c, "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: slow\nspec:\n  activeDeadlineSeconds: 20\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox:1.36\n        command: [\"sh\", \"-c\", \"sleep 3600\"]\n");
    secs(&mut c, 19);
    assert!(job_conditions(&job(&c, "slow")).is_empty());
    secs(&mut c, 60);
    let conds = job_conditions(&job(&c, "slow"));
    assert!(conds.contains(&("Failed".into(), "DeadlineExceeded".into(), "Job was active longer than specified deadline".into())), "{conds:?}");
    assert_eq!(events(&c, "default", "DeadlineExceeded"), vec!["Job was active longer than specified deadline".to_string()]);
    assert!(pods(&c, "default", "slow-").is_empty(), "the running pod was deleted");
}

#[test]
fn job_indexed_and_ttl() {
    let mut c = Cluster::minikube(5);
    apply(&mut c, "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: idx\nspec:\n  completions: 3\n  parallelism: 3\n  completionMode: Indexed\n  ttlSecondsAfterFinished: 30\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox:1.36\n        command: [\"sh\", \"-c\", \"sleep 2\"]\n");
    let mut names: Vec<String> = pods(&c, "default", "idx-").iter().map(name).collect();
    names.sort();
    assert_eq!(names.len(), 3);
    for (i, n) in names.iter().enumerate() {
        assert!(n.starts_with(&format!("idx-{i}-")), "{n}");
        let p = pods(&c, "default", n).remove(0);
        assert_eq!(p.metadata.annotations.as_ref().and_then(|a| a.get("batch.kubernetes.io/job-completion-index")).map(String::as_str), Some(i.to_string().as_str()));
        assert_eq!(p.spec.as_ref().and_then(|s| s.hostname.clone()), Some(format!("idx-{i}")));
    }
    secs(&mut c, 20);
    let j = job(&c, "idx");
    assert_eq!(j.status.as_ref().and_then(|s| s.completed_indexes.clone()).as_deref(), Some("0-2"));
    assert_eq!(j.status.as_ref().and_then(|s| s.succeeded), Some(3));
    secs(&mut c, 40);
    assert!(get(&c, Kind::Job, "default", "idx").is_none(), "deleted after ttlSecondsAfterFinished");
    assert!(pods(&c, "default", "idx-").is_empty());
}

// ---- CronJob ----------------------------------------------------------------------------------

fn cron_yaml(name: &str, schedule: &str, policy: &str, cmd: &str) -> String {
    format!("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\nspec:\n  schedule: \"{schedule}\"\n  concurrencyPolicy: {policy}\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox:1.36\n            command: [\"sh\", \"-c\", \"{cmd}\"]\n")
}

fn jobs(c: &Cluster) -> Vec<String> {
    c.list(Kind::Job, Some("default")).iter().map(|o| o.metadata().name.clone().unwrap_or_default()).collect()
}

#[test]
fn cronjob_creates_jobs_and_keeps_history() {
    let mut c = Cluster::minikube(6);
    apply(&mut c, &cron_yaml("hello", "*/1 * * * *", "Allow", "date; echo Hello"));
    // The clock starts at 2025-01-01T00:00:00Z (Unix 1735689600 s, minute 28928160).
    let start_min = (1_735_689_600 + c.now_ms() / 1000) / 60;
    secs(&mut c, 61);
    let js = jobs(&c);
    assert_eq!(js, vec![format!("hello-{}", start_min + 1)]);
    assert_eq!(events(&c, "default", "SuccessfulCreate").iter().filter(|m| m.starts_with("Created job hello-")).count(), 1);
    let j = job(&c, &js[0]);
    assert!(j.metadata.annotations.as_ref().is_some_and(|a| a.contains_key("batch.kubernetes.io/cronjob-scheduled-timestamp")));
    secs(&mut c, 60 * 6);
    // Three successful Jobs are kept (plus the one running now).
    let js = jobs(&c);
    let done = js.iter().filter(|n| job(&c, n).status.as_ref().and_then(|s| s.completion_time.as_ref()).is_some()).count();
    assert_eq!(done, 3, "{js:?}");
    assert!(js.len() <= 4, "{js:?}");
    assert!(!events(&c, "default", "SawCompletedJob").is_empty());
    assert!(events(&c, "default", "SuccessfulDelete").iter().any(|m| m.starts_with("Deleted job hello-")));
    match get(&c, Kind::CronJob, "default", "hello").as_deref() {
        Some(Object::CronJob(cj)) => {
            let st = cj.status.clone().unwrap();
            assert!(st.last_schedule_time.is_some());
            assert!(st.last_successful_time.is_some());
        }
        _ => panic!(),
    }
    // Manual run from the template.
    pilothouse_engine::controllers::cronjob::job_from_cronjob(&mut c.api, &ObjectKey::new(Kind::CronJob, "default", "hello"), "manual-1").unwrap();
    c.settle();
    let j = job(&c, "manual-1");
    assert_eq!(j.metadata.annotations.as_ref().and_then(|a| a.get("cronjob.kubernetes.io/instantiate")).map(String::as_str), Some("manual"));
}

#[test]
fn cronjob_forbid_skips_while_running() {
    let mut c = Cluster::minikube(7);
    apply(&mut c, &cron_yaml("long", "* * * * *", "Forbid", "sleep 150"));
    secs(&mut c, 61 + 120);
    assert_eq!(jobs(&c).len(), 1, "{:?}", jobs(&c));
    assert!(events(&c, "default", "JobAlreadyActive").contains(&"Not starting job because prior execution is running and concurrency policy is Forbid".to_string()));
    match get(&c, Kind::CronJob, "default", "long").as_deref() {
        Some(Object::CronJob(cj)) => assert_eq!(cj.status.as_ref().and_then(|s| s.active.as_ref()).map(|a| a.len()), Some(1)),
        _ => panic!(),
    }
}

#[test]
fn cronjob_replace_and_suspend() {
    let mut c = Cluster::minikube(8);
    apply(&mut c, &cron_yaml("rep", "* * * * *", "Replace", "sleep 600"));
    secs(&mut c, 61);
    let first = jobs(&c);
    secs(&mut c, 60);
    let second = jobs(&c);
    assert_eq!(first.len(), 1);
    assert!(events(&c, "default", "SuccessfulDelete").contains(&format!("Deleted job {}", first[0])));
    assert!(second.iter().any(|j| *j != first[0]));
    c.patch(&ObjectKey::new(Kind::CronJob, "default", "rep"), PatchType::Merge, &serde_json::json!({"spec": {"suspend": true}})).unwrap();
    let before = events(&c, "default", "SuccessfulCreate").iter().filter(|m| m.starts_with("Created job")).count();
    secs(&mut c, 300);
    let after = events(&c, "default", "SuccessfulCreate").iter().filter(|m| m.starts_with("Created job")).count();
    assert_eq!(before, after, "suspended");
}

#[test]
fn cronjob_schedule_is_validated() {
    let mut c = Cluster::minikube(9);
    let obj = parse_manifests(&cron_yaml("bad", "61 * * * *", "Allow", "true")).unwrap().remove(0).object;
    let err = c.apply(obj).unwrap_err();
    assert_eq!(err.to_string(), "CronJob.batch \"bad\" is invalid: spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61");
}

// ---- DaemonSet --------------------------------------------------------------------------------

const FLUENTD: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: fluentd\nspec:\n  selector:\n    matchLabels:\n      app: fluentd\n  template:\n    metadata:\n      labels:\n        app: fluentd\n    spec:\n      containers:\n      - name: fluentd\n        image: nginx:1.25\n";

fn three_nodes(seed: u64) -> Cluster {
    Cluster::start(seed, ClusterOptions { nodes: 3, ..Default::default() })
}

/// The node a daemon pod is pinned to by its `matchFields` affinity.
fn pinned(p: &Pod) -> String {
    p.spec.as_ref().and_then(|s| s.affinity.as_ref()).and_then(|a| a.node_affinity.as_ref()).and_then(|n| n.required_during_scheduling_ignored_during_execution.as_ref()).and_then(|r| r.node_selector_terms.first()).and_then(|t| t.match_fields.as_ref()).and_then(|f| f.first()).and_then(|f| f.values.as_ref()).and_then(|v| v.first().cloned()).unwrap_or_default()
}

fn ds_status(c: &Cluster, name: &str) -> k8s_openapi::api::apps::v1::DaemonSetStatus {
    match get(c, Kind::DaemonSet, "default", name).as_deref() {
        Some(Object::DaemonSet(d)) => d.status.clone().unwrap_or_default(),
        _ => panic!("no ds {name}"),
    }
}

#[test]
fn kube_proxy_is_made_by_the_daemonset_controller() {
    let c = three_nodes(11);
    let ps = pods(&c, "kube-system", "kube-proxy-");
    assert_eq!(ps.len(), 3);
    let mut nodes: Vec<String> = ps.iter().map(pinned).collect();
    nodes.sort();
    assert_eq!(nodes, vec!["minikube", "minikube-m02", "minikube-m03"]);
    for p in &ps {
        assert!(label(p, "controller-revision-hash").is_some());
        assert_eq!(label(p, "pod-template-generation"), Some("1"));
        assert_eq!(phase(p), "Running", "{}", name(p));
    }
    match get(&c, Kind::DaemonSet, "kube-system", "kube-proxy").as_deref() {
        Some(Object::DaemonSet(d)) => {
            let st = d.status.clone().unwrap();
            assert_eq!((st.desired_number_scheduled, st.current_number_scheduled, st.number_ready), (3, 3, 3));
        }
        _ => panic!(),
    }
}

#[test]
fn daemonset_one_pod_per_node_and_follows_nodes() {
    let mut c = three_nodes(12);
    apply(&mut c, FLUENTD);
    secs(&mut c, 30);
    let ps = pods(&c, "default", "fluentd-");
    assert_eq!(ps.len(), 3);
    let mut nodes: Vec<String> = ps.iter().map(pinned).collect();
    nodes.sort();
    assert_eq!(nodes, vec!["minikube", "minikube-m02", "minikube-m03"]);
    for p in &ps {
        assert_eq!(name(p).len(), "fluentd-".len() + 5);
        assert_eq!(p.spec.as_ref().and_then(|s| s.node_name.clone()), Some(pinned(p)), "scheduled where pinned");
        let tols = p.spec.as_ref().and_then(|s| s.tolerations.clone()).unwrap_or_default();
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            assert!(tols.iter().any(|t| t.key.as_deref() == Some(key) && t.effect.as_deref() == Some("NoExecute") && t.toleration_seconds.is_none()), "{key}");
        }
        for key in ["node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable"] {
            assert!(tols.iter().any(|t| t.key.as_deref() == Some(key) && t.effect.as_deref() == Some("NoSchedule")), "{key}");
        }
    }
    let st = ds_status(&c, "fluentd");
    assert_eq!((st.desired_number_scheduled, st.current_number_scheduled, st.number_ready, st.updated_number_scheduled, st.number_available), (3, 3, 3, Some(3), Some(3)));
    assert_eq!(st.observed_generation, Some(1));
    assert_eq!(events(&c, "default", "SuccessfulCreate").len(), 3);
    // A node joins: it gets a pod.
    let n = c.add_node();
    secs(&mut c, 30);
    let ps = pods(&c, "default", "fluentd-");
    assert_eq!(ps.len(), 4);
    assert!(ps.iter().any(|p| pinned(p) == n));
    // A node leaves: its pod goes.
    c.delete(&ObjectKey::new(Kind::Node, "", &n), &DeleteOptions::default()).unwrap();
    secs(&mut c, 40);
    let ps = pods(&c, "default", "fluentd-");
    assert_eq!(ps.len(), 3, "{:?}", ps.iter().map(name).collect::<Vec<_>>());
    // A deleted pod comes back.
    let victim = name(&ps[0]);
    c.delete(&ObjectKey::new(Kind::Pod, "default", &victim), &DeleteOptions::default()).unwrap();
    secs(&mut c, 40);
    let ps = pods(&c, "default", "fluentd-");
    assert_eq!(ps.len(), 3);
    assert!(ps.iter().all(|p| name(p) != victim));
    // Deleting the DaemonSet deletes its pods.
    c.delete(&ObjectKey::new(Kind::DaemonSet, "default", "fluentd"), &DeleteOptions::default()).unwrap();
    secs(&mut c, 40);
    assert!(pods(&c, "default", "fluentd-").is_empty());
}

#[test]
fn daemonset_node_selector_and_taints() {
    let mut c = three_nodes(13);
    // Taint m02 NoSchedule, label m03.
    c.patch(&ObjectKey::new(Kind::Node, "", "minikube-m02"), PatchType::Merge, &serde_json::json!({"spec": {"taints": [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]}})).unwrap();
    c.patch(&ObjectKey::new(Kind::Node, "", "minikube-m03"), PatchType::Merge, &serde_json::json!({"metadata": {"labels": {"disk": "ssd"}}})).unwrap();
    apply(&mut c, FLUENTD);
    secs(&mut c, 20);
    let mut nodes: Vec<String> = pods(&c, "default", "fluentd-").iter().map(pinned).collect();
    nodes.sort();
    assert_eq!(nodes, vec!["minikube", "minikube-m03"], "the tainted node gets none");
    // Only ssd nodes.
    c.patch(&ObjectKey::new(Kind::DaemonSet, "default", "fluentd"), PatchType::Merge, &serde_json::json!({"spec": {"template": {"spec": {"nodeSelector": {"disk": "ssd"}}}}})).unwrap();
    secs(&mut c, 60);
    let live: Vec<Pod> = pods(&c, "default", "fluentd-").into_iter().filter(|p| p.metadata.deletion_timestamp.is_none()).collect();
    assert_eq!(live.iter().map(pinned).collect::<Vec<_>>(), vec!["minikube-m03"]);
    assert_eq!(ds_status(&c, "fluentd").desired_number_scheduled, 1);
}

#[test]
fn daemonset_rolling_update_one_node_at_a_time() {
    let mut c = three_nodes(14);
    apply(&mut c, FLUENTD);
    secs(&mut c, 30);
    let old_hash = label(&pods(&c, "default", "fluentd-")[0], "controller-revision-hash").unwrap().to_string();
    c.patch(&ObjectKey::new(Kind::DaemonSet, "default", "fluentd"), PatchType::Merge, &serde_json::json!({"spec": {"template": {"spec": {"containers": [{"name": "fluentd", "image": "nginx:1.26"}]}}}})).unwrap();
    // maxUnavailable 1: never more than one node without an available pod.
    let mut max_down = 0;
    for _ in 0..120 {
        let ps: Vec<Pod> = pods(&c, "default", "fluentd-");
        let up: std::collections::BTreeSet<String> = ps.iter().filter(|p| p.metadata.deletion_timestamp.is_none() && ready(p)).map(pinned).collect();
        max_down = max_down.max(3 - up.len());
        let done = ps.len() == 3 && ps.iter().all(|p| label(p, "controller-revision-hash") != Some(old_hash.as_str()) && ready(p));
        if done {
            break;
        }
        secs(&mut c, 1);
    }
    assert!(max_down <= 1, "at most one node down at a time: {max_down}");
    let ps = pods(&c, "default", "fluentd-");
    assert!(ps.iter().all(|p| label(p, "pod-template-generation") == Some("2")));
    assert!(ps.iter().all(|p| p.spec.as_ref().unwrap().containers[0].image.as_deref() == Some("nginx:1.26")));
    let st = ds_status(&c, "fluentd");
    assert_eq!(st.updated_number_scheduled, Some(3));
    assert_eq!(st.observed_generation, Some(2));
}

#[test]
fn daemonset_on_delete_and_surge() {
    let mut c = three_nodes(15);
    let yaml = FLUENTD.replace("spec:\n  selector:", "spec:\n  updateStrategy:\n    type: OnDelete\n  selector:");
    apply(&mut c, &yaml);
    secs(&mut c, 30);
    c.patch(&ObjectKey::new(Kind::DaemonSet, "default", "fluentd"), PatchType::Merge, &serde_json::json!({"spec": {"template": {"spec": {"containers": [{"name": "fluentd", "image": "nginx:1.26"}]}}}})).unwrap();
    secs(&mut c, 60);
    let ps = pods(&c, "default", "fluentd-");
    assert!(ps.iter().all(|p| p.spec.as_ref().unwrap().containers[0].image.as_deref() == Some("nginx:1.25")), "OnDelete keeps old pods");
    let victim = name(&ps[0]);
    c.delete(&ObjectKey::new(Kind::Pod, "default", &victim), &DeleteOptions::default()).unwrap();
    secs(&mut c, 60);
    let ps = pods(&c, "default", "fluentd-");
    assert_eq!(ps.iter().filter(|p| p.spec.as_ref().unwrap().containers[0].image.as_deref() == Some("nginx:1.26")).count(), 1);
    // Surge: new pod next to the old one, old one goes once the new is available.
    c.patch(&ObjectKey::new(Kind::DaemonSet, "default", "fluentd"), PatchType::Merge, &serde_json::json!({"spec": {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}}})).unwrap();
    let mut max_pods = 0;
    for _ in 0..120 {
        let ps = pods(&c, "default", "fluentd-");
        max_pods = max_pods.max(ps.len());
        if ps.len() == 3 && ps.iter().all(|p| p.spec.as_ref().unwrap().containers[0].image.as_deref() == Some("nginx:1.26") && ready(p)) {
            break;
        }
        secs(&mut c, 1);
    }
    assert_eq!(max_pods, 4, "one surge pod at a time");
    assert_eq!(ds_status(&c, "fluentd").updated_number_scheduled, Some(3));
}

// ---- StatefulSet ------------------------------------------------------------------------------

fn web_yaml(policy: &str, replicas: i32, extra_container: &str) -> String {
    format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: nginx\nspec:\n  clusterIP: None\n  selector:\n    app: nginx\n  ports:\n  - port: 80\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  serviceName: nginx\n  replicas: {replicas}\n  podManagementPolicy: {policy}\n  selector:\n    matchLabels:\n      app: nginx\n  template:\n    metadata:\n      labels:\n        app: nginx\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n        ports:\n        - containerPort: 80\n{extra_container}        volumeMounts:\n        - name: www\n          mountPath: /usr/share/nginx/html\n  volumeClaimTemplates:\n  - metadata:\n      name: www\n    spec:\n      accessModes: [\"ReadWriteOnce\"]\n      resources:\n        requests:\n          storage: 1Gi\n")
}

fn sts_status(c: &Cluster) -> k8s_openapi::api::apps::v1::StatefulSetStatus {
    match get(c, Kind::StatefulSet, "default", "web").as_deref() {
        Some(Object::StatefulSet(s)) => s.status.clone().unwrap_or_default(),
        _ => panic!("no sts"),
    }
}

fn web_names(c: &Cluster) -> Vec<String> {
    let mut v: Vec<String> = pods(c, "default", "web-").iter().filter(|p| p.metadata.deletion_timestamp.is_none()).map(name).collect();
    v.sort();
    v
}

fn pvcs(c: &Cluster) -> Vec<String> {
    c.list(Kind::PersistentVolumeClaim, Some("default")).iter().map(|o| o.metadata().name.clone().unwrap_or_default()).collect()
}

#[test]
fn statefulset_ordered_start_stable_names_and_claims() {
    let mut c = Cluster::minikube(21);
    apply(&mut c, &web_yaml("OrderedReady", 3, ""));
    assert_eq!(web_names(&c), vec!["web-0"], "one at a time");
    let p0 = pods(&c, "default", "web-0").remove(0);
    let spec = p0.spec.clone().unwrap();
    assert_eq!(spec.hostname.as_deref(), Some("web-0"));
    assert_eq!(spec.subdomain.as_deref(), Some("nginx"));
    assert_eq!(spec.volumes.as_ref().unwrap().iter().find(|v| v.name == "www").and_then(|v| v.persistent_volume_claim.as_ref()).map(|c| c.claim_name.clone()).as_deref(), Some("www-web-0"));
    assert_eq!(label(&p0, "statefulset.kubernetes.io/pod-name"), Some("web-0"));
    assert_eq!(label(&p0, "apps.kubernetes.io/pod-index"), Some("0"));
    assert!(label(&p0, "controller-revision-hash").unwrap().starts_with("web-"));
    // Order of creation: web-1 only after web-0 is Running and Ready.
    let mut order: Vec<(String, u64)> = Vec::new();
    for _ in 0..120 {
        for n in web_names(&c) {
            if !order.iter().any(|(m, _)| *m == n) {
                order.push((n, c.now_ms()));
            }
        }
        if sts_status(&c).ready_replicas == Some(3) {
            break;
        }
        secs(&mut c, 1);
    }
    assert_eq!(order.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), vec!["web-0", "web-1", "web-2"]);
    let st = sts_status(&c);
    assert_eq!((st.replicas, st.ready_replicas, st.available_replicas, st.current_replicas, st.updated_replicas), (3, Some(3), Some(3), Some(3), Some(3)));
    assert_eq!(st.current_revision, st.update_revision);
    let mut claims = pvcs(&c);
    claims.sort();
    assert_eq!(claims, vec!["www-web-0", "www-web-1", "www-web-2"]);
    let creates = events(&c, "default", "SuccessfulCreate");
    assert!(creates.contains(&"create Pod web-0 in StatefulSet web successful".to_string()), "{creates:?}");
    assert!(creates.contains(&"create Claim www-web-0 Pod web-0 in StatefulSet web success".to_string()));
    // A deleted pod comes back with the same name and claim.
    let uid0 = pods(&c, "default", "web-0")[0].metadata.uid.clone();
    c.delete(&ObjectKey::new(Kind::Pod, "default", "web-0"), &DeleteOptions::default()).unwrap();
    secs(&mut c, 60);
    let p0 = pods(&c, "default", "web-0").remove(0);
    assert_ne!(p0.metadata.uid, uid0);
    assert!(ready(&p0));
    // Scale down: highest ordinal first, claims kept.
    c.patch(&ObjectKey::new(Kind::StatefulSet, "default", "web"), PatchType::Merge, &serde_json::json!({"spec": {"replicas": 1}})).unwrap();
    secs(&mut c, 120);
    assert_eq!(web_names(&c), vec!["web-0"]);
    let deletes = events(&c, "default", "SuccessfulDelete");
    let i2 = deletes.iter().position(|m| m == "delete Pod web-2 in StatefulSet web successful");
    let i1 = deletes.iter().position(|m| m == "delete Pod web-1 in StatefulSet web successful");
    assert!(i2.is_some() && i1.is_some() && i2 < i1, "{deletes:?}");
    assert_eq!(pvcs(&c).len(), 3, "claims survive scale-down (Retain)");
    // Scale up again: web-1 reuses its claim.
    c.patch(&ObjectKey::new(Kind::StatefulSet, "default", "web"), PatchType::Merge, &serde_json::json!({"spec": {"replicas": 2}})).unwrap();
    secs(&mut c, 60);
    assert_eq!(web_names(&c), vec!["web-0", "web-1"]);
    assert_eq!(pvcs(&c).len(), 3);
    // Deleting the set deletes pods, keeps claims.
    c.delete(&ObjectKey::new(Kind::StatefulSet, "default", "web"), &DeleteOptions::default()).unwrap();
    secs(&mut c, 60);
    assert!(pods(&c, "default", "web-").is_empty());
    assert_eq!(pvcs(&c).len(), 3);
}

#[test]
fn statefulset_ordered_start_blocked_by_unready_pod() {
    let mut c = Cluster::minikube(22);
    let probe = "        readinessProbe:\n          httpGet:\n            path: /\n            port: 9999\n          periodSeconds: 5\n";
    apply(&mut c, &web_yaml("OrderedReady", 3, probe));
    secs(&mut c, 120);
    assert_eq!(web_names(&c), vec!["web-0"], "web-1 waits for web-0 to be Ready");
    let p0 = pods(&c, "default", "web-0").remove(0);
    assert_eq!(phase(&p0), "Running");
    assert!(!ready(&p0));
    assert_eq!(sts_status(&c).ready_replicas, None);
}

#[test]
fn statefulset_parallel_starts_all() {
    let mut c = Cluster::minikube(23);
    apply(&mut c, &web_yaml("Parallel", 3, ""));
    assert_eq!(web_names(&c), vec!["web-0", "web-1", "web-2"]);
    secs(&mut c, 60);
    assert_eq!(sts_status(&c).ready_replicas, Some(3));
    c.patch(&ObjectKey::new(Kind::StatefulSet, "default", "web"), PatchType::Merge, &serde_json::json!({"spec": {"replicas": 0}})).unwrap();
    secs(&mut c, 5);
    assert!(pods(&c, "default", "web-").iter().all(|p| p.metadata.deletion_timestamp.is_some()), "all go at once");
}

#[test]
fn statefulset_rolling_update_with_partition_then_on_delete() {
    let mut c = Cluster::minikube(24);
    apply(&mut c, &web_yaml("OrderedReady", 3, ""));
    secs(&mut c, 120);
    let rev1 = sts_status(&c).current_revision.unwrap();
    c.patch(&ObjectKey::new(Kind::StatefulSet, "default", "web"), PatchType::Merge, &serde_json::json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 1}}, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}}})).unwrap();
    let rev2 = sts_status(&c).update_revision.unwrap();
    assert_ne!(rev1, rev2);
    let image = |c: &Cluster, n: &str| pods(c, "default", n).first().and_then(|p| p.spec.as_ref()?.containers[0].image.clone()).unwrap_or_default();
    let mut updated_order = Vec::new();
    for _ in 0..180 {
        for n in ["web-2", "web-1", "web-0"] {
            if image(&c, n) == "nginx:1.26" && !updated_order.contains(&n) {
                updated_order.push(n);
            }
        }
        secs(&mut c, 1);
    }
    assert_eq!(updated_order, vec!["web-2", "web-1"], "highest first, web-0 below the partition");
    assert_eq!(image(&c, "web-0"), "nginx:1.25");
    let st = sts_status(&c);
    assert_eq!(st.current_revision.as_deref(), Some(rev1.as_str()));
    assert_eq!(st.updated_replicas, Some(2));
    assert_eq!(st.current_replicas, Some(1));
    // Partition 0 finishes the rollout; currentRevision follows.
    c.patch(&ObjectKey::new(Kind::StatefulSet, "default", "web"), PatchType::Merge, &serde_json::json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 0}}}})).unwrap();
    secs(&mut c, 60);
    assert_eq!(image(&c, "web-0"), "nginx:1.26");
    let st = sts_status(&c);
    assert_eq!(st.current_revision.as_deref(), Some(rev2.as_str()));
    assert_eq!((st.current_replicas, st.updated_replicas), (Some(3), Some(3)));
    // OnDelete: nothing changes until a pod is deleted.
    c.patch(&ObjectKey::new(Kind::StatefulSet, "default", "web"), PatchType::Merge, &serde_json::json!({"spec": {"updateStrategy": {"type": "OnDelete", "rollingUpdate": null}, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}})).unwrap();
    secs(&mut c, 60);
    assert!(["web-0", "web-1", "web-2"].iter().all(|n| image(&c, n) == "nginx:1.26"));
    c.delete(&ObjectKey::new(Kind::Pod, "default", "web-1"), &DeleteOptions::default()).unwrap();
    secs(&mut c, 60);
    assert_eq!(image(&c, "web-1"), "nginx:1.27");
    assert_eq!(image(&c, "web-2"), "nginx:1.26");
}

// ---- Node failure -----------------------------------------------------------------------------

fn node(c: &Cluster, n: &str) -> k8s_openapi::api::core::v1::Node {
    match get(c, Kind::Node, "", n).as_deref() {
        Some(Object::Node(n)) => n.clone(),
        _ => panic!("no node {n}"),
    }
}

fn node_ready(c: &Cluster, n: &str) -> String {
    node(c, n).status.and_then(|s| s.conditions).and_then(|cs| cs.into_iter().find(|c| c.type_ == "Ready")).map(|c| c.status).unwrap_or_default()
}

fn taint_keys(c: &Cluster, n: &str) -> Vec<String> {
    node(c, n).spec.and_then(|s| s.taints).unwrap_or_default().into_iter().map(|t| format!("{}:{}", t.key, t.effect)).collect()
}

#[test]
fn stopped_node_pods_are_evicted_after_300s_and_rescheduled() {
    let mut c = Cluster::start(31, ClusterOptions { nodes: 2, ..Default::default() });
    apply(&mut c, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n");
    secs(&mut c, 30);
    let on = |c: &Cluster, n: &str| pods(c, "default", "web-").into_iter().filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(n)).collect::<Vec<_>>();
    let victims: Vec<String> = on(&c, "minikube-m02").iter().map(name).collect();
    assert!(!victims.is_empty(), "some pods run on m02");
    let stopped_at = c.now_ms();
    c.stop_node("minikube-m02");
    secs(&mut c, 41);
    assert_eq!(node_ready(&c, "minikube-m02"), "Unknown");
    assert!(taint_keys(&c, "minikube-m02").contains(&"node.kubernetes.io/unreachable:NoExecute".to_string()));
    // Tolerated for 300 s (the default tolerationSeconds).
    c.advance(stopped_at + 40_000 + 299_000 - c.now_ms());
    assert!(on(&c, "minikube-m02").iter().all(|p| p.metadata.deletion_timestamp.is_none()), "still tolerated");
    secs(&mut c, 5);
    let evicted = on(&c, "minikube-m02");
    assert!(evicted.iter().filter(|p| victims.contains(&name(p))).all(|p| p.metadata.deletion_timestamp.is_some()), "evicted (Terminating) after 300 s");
    assert!(!events(&c, "default", "TaintManagerEviction").is_empty());
    secs(&mut c, 30);
    // The ReplicaSet made replacements on the healthy node.
    let live: Vec<Pod> = pods(&c, "default", "web-").into_iter().filter(|p| p.metadata.deletion_timestamp.is_none()).collect();
    assert_eq!(live.len(), 4);
    assert!(live.iter().all(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some("minikube")));
    assert!(live.iter().all(ready));
    // The kube-proxy pod on m02 tolerates unreachable forever: not evicted.
    assert!(pods(&c, "kube-system", "kube-proxy-").iter().all(|p| p.metadata.deletion_timestamp.is_none()));
    // The node comes back: Ready, untainted, and the Terminating pods finish.
    c.start_node("minikube-m02");
    secs(&mut c, 60);
    assert_eq!(node_ready(&c, "minikube-m02"), "True");
    assert!(taint_keys(&c, "minikube-m02").is_empty(), "{:?}", taint_keys(&c, "minikube-m02"));
    assert!(pods(&c, "default", "web-").iter().all(|p| p.metadata.deletion_timestamp.is_none()), "old pods are gone");
    assert_eq!(pods(&c, "default", "web-").len(), 4);
}

// ---- PodDisruptionBudget and eviction -----------------------------------------------------------

fn pdb_status(c: &Cluster, name: &str) -> k8s_openapi::api::policy::v1::PodDisruptionBudgetStatus {
    match get(c, Kind::PodDisruptionBudget, "default", name).as_deref() {
        Some(Object::PodDisruptionBudget(p)) => p.status.clone().unwrap_or_default(),
        _ => panic!("no pdb"),
    }
}

const WEB3: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n";

#[test]
fn eviction_blocked_by_pdb() {
    let mut c = Cluster::minikube(41);
    apply(&mut c, WEB3);
    apply(&mut c, "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web-pdb\nspec:\n  minAvailable: 2\n  selector:\n    matchLabels:\n      app: web\n");
    secs(&mut c, 30);
    let st = pdb_status(&c, "web-pdb");
    assert_eq!((st.expected_pods, st.current_healthy, st.desired_healthy, st.disruptions_allowed), (3, 3, 2, 1));
    let cond = st.conditions.clone().unwrap().remove(0);
    assert_eq!((cond.type_.as_str(), cond.status.as_str(), cond.reason.as_str()), ("DisruptionAllowed", "True", "SufficientPods"));
    let ps = pods(&c, "default", "web-");
    c.evict(&ObjectKey::new(Kind::Pod, "default", &name(&ps[0]))).unwrap();
    let err = c.evict(&ObjectKey::new(Kind::Pod, "default", &name(&ps[1]))).unwrap_err();
    assert_eq!(err.reason(), "TooManyRequests");
    assert_eq!(err.code(), 429);
    assert_eq!(err.to_string(), "Cannot evict pod as it would violate the pod's disruption budget.");
    assert!(pods(&c, "default", &name(&ps[1]))[0].metadata.deletion_timestamp.is_none(), "the pod stays");
    let st = pdb_status(&c, "web-pdb");
    assert_eq!(st.disruptions_allowed, 0);
    assert_eq!(st.conditions.unwrap()[0].reason, "InsufficientPods");
    // Once the replacement is Ready, one more disruption is allowed.
    secs(&mut c, 60);
    assert_eq!(pdb_status(&c, "web-pdb").disruptions_allowed, 1);
    c.evict(&ObjectKey::new(Kind::Pod, "default", &name(&ps[1]))).unwrap();
    // Unknown pods are NotFound.
    assert_eq!(c.evict(&ObjectKey::new(Kind::Pod, "default", "nope")).unwrap_err().reason(), "NotFound");
}

#[test]
fn pdb_max_unavailable_percent_uses_controller_scale() {
    let mut c = Cluster::minikube(42);
    apply(&mut c, WEB3);
    apply(&mut c, "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web-pdb\nspec:\n  maxUnavailable: 50%\n  selector:\n    matchLabels:\n      app: web\n");
    secs(&mut c, 30);
    let st = pdb_status(&c, "web-pdb");
    assert_eq!((st.expected_pods, st.current_healthy, st.desired_healthy, st.disruptions_allowed), (3, 3, 1, 2));
    assert_eq!(st.observed_generation, Some(1));
}

// ---- HorizontalPodAutoscaler ------------------------------------------------------------------

const PHP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: php-apache\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      run: php-apache\n  template:\n    metadata:\n      labels:\n        run: php-apache\n    spec:\n      containers:\n      - name: php-apache\n        image: nginx:1.25\n        resources:\n          requests:\n            cpu: 200m\n";
const HPA: &str = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: php-apache\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: php-apache\n  minReplicas: 1\n  maxReplicas: 10\n  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: 50\n";

fn hpa(c: &Cluster) -> k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerStatus {
    match get(c, Kind::HorizontalPodAutoscaler, "default", "php-apache").as_deref() {
        Some(Object::HorizontalPodAutoscaler(h)) => h.status.clone().unwrap_or_default(),
        _ => panic!("no hpa"),
    }
}

fn hpa_cond(c: &Cluster, ty: &str) -> (String, String, String) {
    hpa(c).conditions.unwrap_or_default().into_iter().find(|x| x.type_ == ty).map(|x| (x.status, x.reason.unwrap_or_default(), x.message.unwrap_or_default())).unwrap_or_default()
}

fn replicas(c: &Cluster, d: &str) -> i32 {
    match get(c, Kind::Deployment, "default", d).as_deref() {
        Some(Object::Deployment(d)) => d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0),
        _ => -1,
    }
}

#[test]
fn hpa_without_metrics_server_reports_failed_metric() {
    let mut c = Cluster::minikube(51);
    apply(&mut c, PHP);
    apply(&mut c, HPA);
    secs(&mut c, 30);
    assert_eq!(hpa_cond(&c, "ScalingActive"), ("False".into(), "FailedGetResourceMetric".into(), "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API".into()));
    assert_eq!(hpa_cond(&c, "AbleToScale").1, "SucceededGetScale");
    assert!(events(&c, "default", "FailedGetResourceMetric").contains(&"failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API".to_string()));
    assert!(events(&c, "default", "FailedComputeMetricsReplicas").contains(&"invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API".to_string()));
    assert_eq!(replicas(&c, "php-apache"), 1);
}

#[test]
fn hpa_scales_up_under_load_and_down_after_stabilisation() {
    let mut c = Cluster::minikube(52);
    c.addons.insert("metrics-server".into(), true);
    apply(&mut c, PHP);
    apply(&mut c, HPA);
    secs(&mut c, 60);
    assert_eq!(hpa_cond(&c, "ScalingActive").1, "ValidMetricFound");
    assert_eq!(replicas(&c, "php-apache"), 1, "idle: no change");
    let st = hpa(&c);
    assert_eq!((st.current_replicas, st.desired_replicas), (Some(1), 1));
    // Load: 250m per pod over a 200m request is 125 % (> 50 %): scale up, at most 2x (or 4) per sync.
    c.set_load("php-apache", 250);
    secs(&mut c, 16);
    assert_eq!(replicas(&c, "php-apache"), 3, "ceil(1 * 125 / 50) = 3");
    let ups = events(&c, "default", "SuccessfulRescale");
    assert_eq!(ups[0], "New size: 3; reason: cpu resource utilization (percentage of request) above target");
    secs(&mut c, 120);
    assert_eq!(replicas(&c, "php-apache"), 10, "up to maxReplicas");
    assert_eq!(hpa_cond(&c, "ScalingLimited").1, "TooManyReplicas");
    let util = hpa(&c).current_metrics.unwrap()[0].resource.as_ref().unwrap().current.average_utilization;
    assert!(util.is_some_and(|u| u >= 125), "{util:?}");
    // Load gone: the scale-down waits for the 300 s stabilisation window.
    c.set_load("php-apache", 0);
    secs(&mut c, 200);
    assert_eq!(replicas(&c, "php-apache"), 10, "stabilising");
    assert_eq!(hpa_cond(&c, "AbleToScale").1, "ScaleDownStabilized");
    secs(&mut c, 200);
    assert_eq!(replicas(&c, "php-apache"), 1);
    assert!(events(&c, "default", "SuccessfulRescale").contains(&"New size: 1; reason: All metrics below target".to_string()));
    // Metrics for kubectl top.
    let p = pods(&c, "default", "php-apache-").into_iter().find(|p| p.metadata.deletion_timestamp.is_none()).unwrap();
    let (cpu, mem) = pilothouse_engine::controllers::hpa::pod_metrics(&c, &ObjectKey::new(Kind::Pod, "default", &name(&p))).unwrap();
    assert!(cpu < 100 && mem > 0);
    assert!(pilothouse_engine::controllers::hpa::node_metrics(&c, "minikube").is_some());
}

#[test]
fn hpa_behavior_policies_limit_scale_up_rate() {
    let mut c = Cluster::minikube(53);
    c.addons.insert("metrics-server".into(), true);
    apply(&mut c, PHP);
    let with_behavior = format!("{HPA}  behavior:\n    scaleUp:\n      policies:\n      - type: Pods\n        value: 1\n        periodSeconds: 60\n");
    apply(&mut c, &with_behavior);
    secs(&mut c, 30);
    c.set_load("php-apache", 1000);
    secs(&mut c, 16);
    assert_eq!(replicas(&c, "php-apache"), 2, "one pod per 60 s");
    secs(&mut c, 30);
    assert_eq!(replicas(&c, "php-apache"), 2);
    assert_eq!(hpa_cond(&c, "ScalingLimited").1, "ScaleUpLimit");
    secs(&mut c, 45);
    assert_eq!(replicas(&c, "php-apache"), 3);
}

// ---- Determinism ------------------------------------------------------------------------------

#[test]
fn workloads_are_deterministic() {
    let run = || {
        let mut c = three_nodes(61);
        c.addons.insert("metrics-server".into(), true);
        apply(&mut c, FLUENTD);
        apply(&mut c, &web_yaml("OrderedReady", 2, ""));
        apply(&mut c, PI_JOB);
        apply(&mut c, &cron_yaml("hello", "*/2 * * * *", "Allow", "date"));
        apply(&mut c, PHP);
        apply(&mut c, HPA);
        c.set_load("php-apache", 300);
        secs(&mut c, 300);
        let mut out: Vec<String> = c.list(Kind::Pod, None).iter().map(|o| format!("{}/{} {}", o.metadata().namespace.clone().unwrap_or_default(), o.metadata().name.clone().unwrap_or_default(), o.metadata().resource_version.clone().unwrap_or_default())).collect();
        out.extend(c.list(Kind::Event, None).iter().filter_map(|o| match &**o {
            Object::Event(e) => Some(format!("{} {}", e.reason.clone().unwrap_or_default(), e.message.clone().unwrap_or_default())),
            _ => None,
        }));
        out
    };
    assert_eq!(run(), run());
}

// ---- ControllerRevisions ----------------------------------------------------------------------

/// The ControllerRevisions in `ns` as (name, controller kind/name, revision), by revision.
fn revisions(c: &Cluster, ns: &str) -> Vec<(String, String, i64)> {
    let mut v: Vec<(String, String, i64)> = c
        .list(Kind::ControllerRevision, Some(ns))
        .into_iter()
        .filter_map(|o| match &*o {
            Object::ControllerRevision(cr) => {
                let owner = cr.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true)).map(|r| format!("{}/{}", r.kind, r.name)).unwrap_or_default();
                Some((cr.metadata.name.clone().unwrap_or_default(), owner, cr.revision))
            }
            _ => None,
        })
        .collect();
    v.sort_by_key(|r| r.2);
    v
}

fn revision(c: &Cluster, ns: &str, name: &str) -> k8s_openapi::api::apps::v1::ControllerRevision {
    match get(c, Kind::ControllerRevision, ns, name).as_deref() {
        Some(Object::ControllerRevision(cr)) => cr.clone(),
        other => panic!("controllerrevision {name}: {other:?}"),
    }
}

fn set_ds_image(c: &mut Cluster, image: &str) {
    c.patch(&ObjectKey::new(Kind::DaemonSet, "default", "fluentd"), PatchType::Merge, &serde_json::json!({"spec": {"template": {"spec": {"containers": [{"name": "fluentd", "image": image}]}}}})).unwrap();
}

#[test]
fn daemonset_history_is_kept_in_controller_revisions() {
    let mut c = three_nodes(31);
    // kube-proxy has its revision too.
    let sys = revisions(&c, "kube-system");
    assert_eq!(sys.len(), 1, "{sys:?}");
    assert!(sys[0].0.starts_with("kube-proxy-") && sys[0].1 == "DaemonSet/kube-proxy" && sys[0].2 == 1, "{sys:?}");

    apply(&mut c, FLUENTD);
    secs(&mut c, 30);
    let hash1 = label(&pods(&c, "default", "fluentd-")[0], "controller-revision-hash").unwrap().to_string();
    let revs = revisions(&c, "default");
    assert_eq!(revs, vec![(format!("fluentd-{hash1}"), "DaemonSet/fluentd".to_string(), 1)]);
    let cr = revision(&c, "default", &format!("fluentd-{hash1}"));
    // Labels: the template's plus the hash; data: the template as a replace patch.
    let labels = cr.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels.get("app").map(String::as_str), Some("fluentd"));
    assert_eq!(labels.get("controller-revision-hash"), Some(&hash1));
    let data = cr.data.clone().unwrap().0;
    assert_eq!(data["spec"]["template"]["$patch"], "replace");
    assert_eq!(data["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.25");
    assert_eq!(cr.metadata.owner_references.as_ref().unwrap()[0].block_owner_deletion, Some(true));

    // A new template: a second revision, numbered 2.
    set_ds_image(&mut c, "nginx:1.26");
    secs(&mut c, 90);
    let revs = revisions(&c, "default");
    assert_eq!(revs.len(), 2, "{revs:?}");
    assert_eq!(revs[0].0, format!("fluentd-{hash1}"));
    assert_eq!((revs[0].2, revs[1].2), (1, 2));
    let hash2 = label(&pods(&c, "default", "fluentd-")[0], "controller-revision-hash").unwrap().to_string();
    assert_eq!(revs[1].0, format!("fluentd-{hash2}"));

    // Back to the first template (a rollback): its revision is renumbered 3, no new object.
    set_ds_image(&mut c, "nginx:1.25");
    secs(&mut c, 90);
    let revs = revisions(&c, "default");
    assert_eq!(revs.iter().map(|r| (r.0.clone(), r.2)).collect::<Vec<_>>(), vec![(format!("fluentd-{hash2}"), 2), (format!("fluentd-{hash1}"), 3)]);
    assert!(pods(&c, "default", "fluentd-").iter().all(|p| label(p, "controller-revision-hash") == Some(hash1.as_str())));

    // Deleting the DaemonSet garbage-collects its revisions.
    c.delete(&ObjectKey::new(Kind::DaemonSet, "default", "fluentd"), &DeleteOptions::default()).unwrap();
    secs(&mut c, 40);
    assert!(revisions(&c, "default").is_empty());
    assert_eq!(revisions(&c, "kube-system").len(), 1);
}

#[test]
fn daemonset_revision_history_limit_is_honored() {
    let mut c = three_nodes(32);
    let yaml = FLUENTD.replace("spec:\n  selector:", "spec:\n  revisionHistoryLimit: 2\n  selector:");
    apply(&mut c, &yaml);
    secs(&mut c, 30);
    for tag in ["1.26", "1.27", "1.28", "1.29"] {
        set_ds_image(&mut c, &format!("nginx:{tag}"));
        secs(&mut c, 90);
    }
    let revs = revisions(&c, "default");
    // The current revision (5) and the two newest old ones that no pod runs.
    assert_eq!(revs.iter().map(|r| r.2).collect::<Vec<_>>(), vec![3, 4, 5], "{revs:?}");
    let cur = revision(&c, "default", &revs[2].0);
    assert_eq!(cur.data.unwrap().0["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.29");
}

#[test]
fn statefulset_history_is_kept_in_controller_revisions() {
    let mut c = Cluster::minikube(33);
    let yaml = web_yaml("OrderedReady", 2, "").replace("spec:\n  serviceName: nginx", "spec:\n  revisionHistoryLimit: 1\n  serviceName: nginx");
    apply(&mut c, &yaml);
    secs(&mut c, 90);
    let st = sts_status(&c);
    let rev1 = st.current_revision.clone().unwrap();
    assert_eq!(revisions(&c, "default"), vec![(rev1.clone(), "StatefulSet/web".to_string(), 1)]);
    let cr = revision(&c, "default", &rev1);
    let hash = rev1.strip_prefix("web-").unwrap();
    assert_eq!(cr.metadata.labels.as_ref().and_then(|l| l.get("controller.kubernetes.io/hash")).map(String::as_str), Some(hash));
    assert_eq!(cr.metadata.labels.as_ref().and_then(|l| l.get("app")).map(String::as_str), Some("nginx"));
    let set_image = |c: &mut Cluster, image: &str| {
        c.patch(&ObjectKey::new(Kind::StatefulSet, "default", "web"), PatchType::Merge, &serde_json::json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": image}]}}}})).unwrap();
    };
    set_image(&mut c, "nginx:1.26");
    secs(&mut c, 120);
    let rev2 = sts_status(&c).current_revision.unwrap();
    assert_ne!(rev1, rev2);
    assert_eq!(revisions(&c, "default").iter().map(|r| (r.0.clone(), r.2)).collect::<Vec<_>>(), vec![(rev1.clone(), 1), (rev2.clone(), 2)]);
    set_image(&mut c, "nginx:1.27");
    secs(&mut c, 120);
    let rev3 = sts_status(&c).current_revision.unwrap();
    // revisionHistoryLimit 1: revision 1, which no pod runs, is deleted.
    assert_eq!(revisions(&c, "default").iter().map(|r| (r.0.clone(), r.2)).collect::<Vec<_>>(), vec![(rev2.clone(), 2), (rev3.clone(), 3)]);
    // Back to revision 2's template: renumbered 4, pods run it again.
    set_image(&mut c, "nginx:1.26");
    secs(&mut c, 120);
    let st = sts_status(&c);
    assert_eq!(st.current_revision.as_deref(), Some(rev2.as_str()));
    assert_eq!(revisions(&c, "default").iter().map(|r| (r.0.clone(), r.2)).collect::<Vec<_>>(), vec![(rev3, 3), (rev2.clone(), 4)]);
    assert!(pods(&c, "default", "web-").iter().all(|p| label(p, "controller-revision-hash") == Some(rev2.as_str())));
    c.delete(&ObjectKey::new(Kind::StatefulSet, "default", "web"), &DeleteOptions::default()).unwrap();
    secs(&mut c, 60);
    assert!(revisions(&c, "default").is_empty());
}

#[test]
fn statefulset_pods_below_partition_are_recreated_from_the_current_revision() {
    let mut c = Cluster::minikube(34);
    apply(&mut c, &web_yaml("OrderedReady", 2, ""));
    secs(&mut c, 90);
    c.patch(&ObjectKey::new(Kind::StatefulSet, "default", "web"), PatchType::Merge, &serde_json::json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 1}}, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}}})).unwrap();
    secs(&mut c, 90);
    // web-0 is below the partition: deleted, it comes back with the old template, which only the
    // ControllerRevision still holds.
    c.delete(&ObjectKey::new(Kind::Pod, "default", "web-0"), &DeleteOptions::default()).unwrap();
    secs(&mut c, 90);
    let p = pods(&c, "default", "web-0").remove(0);
    assert_eq!(p.spec.as_ref().unwrap().containers[0].image.as_deref(), Some("nginx:1.25"));
    assert_eq!(label(&p, "controller-revision-hash"), sts_status(&c).current_revision.as_deref());
}

// ---- CronJob time zones -----------------------------------------------------------------------

#[test]
fn cronjob_time_zone_is_validated() {
    let mut c = Cluster::minikube(35);
    for (tz, want) in [
        ("Mars/Olympus", "spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus"),
        ("", "spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string"),
        ("Local", "spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"),
        ("../etc/passwd", "spec.timeZone: Invalid value: \"../etc/passwd\": unknown time zone ../etc/passwd"),
    ] {
        let yaml = cron_yaml("tz", "0 * * * *", "Allow", "true").replace("spec:\n  schedule:", &format!("spec:\n  timeZone: \"{tz}\"\n  schedule:"));
        let obj = parse_manifests(&yaml).unwrap().remove(0).object;
        let err = c.apply(obj).unwrap_err();
        assert_eq!(err.to_string(), format!("CronJob.batch \"tz\" is invalid: {want}"), "{tz}");
    }
    for tz in ["Etc/UTC", "UTC", "Asia/Seoul", "America/New_York", "Europe/Berlin"] {
        let yaml = cron_yaml("tz", "0 * * * *", "Allow", "true").replace("spec:\n  schedule:", &format!("spec:\n  timeZone: {tz}\n  schedule:"));
        c.apply(parse_manifests(&yaml).unwrap().remove(0).object).unwrap_or_else(|e| panic!("{tz}: {e}"));
    }
}

#[test]
fn cronjob_runs_in_its_time_zone() {
    let mut c = Cluster::minikube(36);
    // 09:00 in Seoul (UTC+9, no DST) is 00:00 UTC; the clock starts at 2025-01-01T00:00:00Z, so
    // the first run is 2025-01-02T00:00:00Z. In UTC the same schedule runs at 09:00Z.
    let seoul = cron_yaml("seoul", "0 9 * * *", "Allow", "true").replace("spec:\n  schedule:", "spec:\n  timeZone: Asia/Seoul\n  schedule:");
    apply(&mut c, &seoul);
    apply(&mut c, &cron_yaml("utc", "0 9 * * *", "Allow", "true"));
    c.advance(9 * 3600 * 1000 + 60_000);
    assert_eq!(jobs(&c), vec![format!("utc-{}", (1_735_689_600 + 9 * 3600) / 60)], "only the UTC one ran by 09:01Z");
    c.advance(15 * 3600 * 1000);
    let mut js = jobs(&c);
    js.sort();
    assert_eq!(js, vec![format!("seoul-{}", (1_735_689_600 + 24 * 3600) / 60), format!("utc-{}", (1_735_689_600 + 9 * 3600) / 60)]);
    let j = job(&c, &js[0]);
    assert_eq!(j.metadata.annotations.as_ref().and_then(|a| a.get("batch.kubernetes.io/cronjob-scheduled-timestamp")).map(String::as_str), Some("2025-01-02T00:00:00Z"));
}

#[test]
fn cron_schedules_follow_daylight_saving_time() {
    use chrono::{DateTime, Utc};
    use pilothouse_engine::controllers::cronjob::Schedule;
    use pilothouse_engine::controllers::tz::Zone;
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let ny = Zone::load("America/New_York").unwrap();
    let next = |spec: &str, from: &str| Schedule::parse(spec).unwrap().next_in(at(from), &ny).map(|t| t.to_rfc3339()).unwrap_or_default();
    // 09:00 local is 14:00Z in winter (EST) and 13:00Z in summer (EDT).
    assert_eq!(next("0 9 * * *", "2025-03-08T12:00:00Z"), "2025-03-08T14:00:00+00:00");
    assert_eq!(next("0 9 * * *", "2025-03-08T14:00:00Z"), "2025-03-09T13:00:00+00:00");
    // 02:30 does not exist on 2025-03-09 (clocks jump 02:00 -> 03:00): that day is skipped.
    assert_eq!(next("30 2 * * *", "2025-03-08T08:00:00Z"), "2025-03-10T06:30:00+00:00");
    // 01:30 happens twice on 2025-11-02 (EDT then EST): it runs twice, an hour apart.
    assert_eq!(next("30 1 * * *", "2025-11-02T04:00:00Z"), "2025-11-02T05:30:00+00:00");
    assert_eq!(next("30 1 * * *", "2025-11-02T05:30:00Z"), "2025-11-02T06:30:00+00:00");
    assert_eq!(next("30 1 * * *", "2025-11-02T06:30:00Z"), "2025-11-03T06:30:00+00:00");
    // Hourly across the spring-forward change: 01:00, 03:00 (no 02:00), in absolute time one hour apart.
    assert_eq!(next("0 * * * *", "2025-03-09T06:00:00Z"), "2025-03-09T07:00:00+00:00");
    // Without a zone, UTC.
    assert_eq!(Schedule::parse("0 9 * * *").unwrap().next(at("2025-03-08T12:00:00Z")).map(|t| t.to_rfc3339()).unwrap_or_default(), "2025-03-09T09:00:00+00:00");
    // Kolkata is UTC+05:30: 09:00 local is 03:30Z.
    let kol = Zone::load("Asia/Kolkata").unwrap();
    assert_eq!(Schedule::parse("0 9 * * *").unwrap().next_in(at("2025-03-08T12:00:00Z"), &kol).map(|t| t.to_rfc3339()).unwrap_or_default(), "2025-03-09T03:30:00+00:00");
}

#[test]
fn controller_revisions_are_validated() {
    let mut c = Cluster::minikube(37);
    let yaml = "apiVersion: apps/v1\nkind: ControllerRevision\nmetadata:\n  name: manual\nrevision: -1\ndata: {}\n";
    let err = c.apply(parse_manifests(yaml).unwrap().remove(0).object).unwrap_err();
    assert_eq!(err.to_string(), "ControllerRevision.apps \"manual\" is invalid: revision: Invalid value: -1: must be greater than or equal to 0");
    c.apply(parse_manifests(&yaml.replace("-1", "4")).unwrap().remove(0).object).unwrap();
    assert_eq!(revisions(&c, "default"), vec![("manual".to_string(), String::new(), 4)]);
}
