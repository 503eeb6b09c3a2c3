//! The engine's table-driven codec (`pilothouse_engine::api::codec`) reads and writes every API
//! object exactly as k8s-openapi's serde impls do: the objects are those of every lesson's cluster
//! after its solution (all kinds, with the statuses the controllers write), and the wrong inputs
//! are each of those objects with one value at a time replaced by a value of another type.

use pilothouse_engine::api::{codec, serde_from_json, Json, Kind, Object};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn replacements() -> Vec<Value> {
    vec![json!(5), json!("x"), json!(1.5), json!(true), json!({"u": 1}), json!([1]), Value::Null, json!(3000000000u64), json!(-1), json!(["a"])]
}

/// Every path in `v` (object keys and array indexes), outermost first.
fn paths(v: &Value, here: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                here.push(json!(k));
                out.push(here.clone());
                paths(x, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                here.push(json!(i));
                out.push(here.clone());
                paths(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(v, |v, step| match step {
        Value::String(k) => &mut v[k.as_str()],
        _ => &mut v[step.as_u64().unwrap() as usize],
    })
}

fn outcome<T: std::fmt::Debug>(r: Result<T, pilothouse_engine::api::PathError>) -> String {
    match r {
        Ok(t) => format!("ok {t:?}"),
        Err(e) => format!("err {} | {}", e.with_path(), e.api_message()),
    }
}

fn compare<T>(x: &T, mutate: bool, problems: &mut Vec<String>, decodes: &mut usize)
where
    T: Json + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let ours = codec::to_json(x);
    let theirs = serde_json::to_value(x).unwrap();
    if serde_json::to_string(&ours).unwrap() != serde_json::to_string(&theirs).unwrap() {
        problems.push(format!("written differently:\n ours   {ours}\n theirs {theirs}"));
    }
    match codec::from_json::<T>(theirs.clone()) {
        Ok(back) if back == *x => {}
        other => problems.push(format!("read back differently: {theirs} -> {}", outcome(other))),
    }
    if !mutate {
        return;
    }
    let mut all = Vec::new();
    paths(&theirs, &mut Vec::new(), &mut all);
    for path in &all {
        let mut inputs: Vec<Value> = replacements()
            .into_iter()
            .map(|r| {
                let mut v = theirs.clone();
                *at(&mut v, path) = r;
                v
            })
            .collect();
        // An unknown key beside the value.
        let mut v = theirs.clone();
        if let Value::Object(m) = at(&mut v, &path[..path.len() - 1]) {
            m.insert("zzUnknown".into(), json!({"a": 1}));
            inputs.push(v);
        }
        for v in inputs {
            *decodes += 1;
            let (a, mut b) = (outcome(codec::from_json::<T>(v.clone())), outcome(serde_from_json::<T>(v.clone())));
            // A string that is not a time: serde went through chrono and gave its words; the
            // codec reads times as Go does and gives Go's (the rest of the error is the same).
            if let Value::String(s) = at(&mut v.clone(), path) {
                if b.contains(": input contains invalid characters") {
                    b = b.replace("input contains invalid characters", &pilothouse_engine::api::gotime::parse_rfc3339(s).unwrap_err());
                    assert!(a.contains("parsing time \"x\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"x\" as \"2006\""), "{a}");
                }
            }
            if a != b {
                problems.push(format!("at {path:?} of {v}:\n ours   {a}\n theirs {b}"));
            }
        }
    }
    // The whole value of another type.
    for r in replacements() {
        let (a, b) = (outcome(codec::from_json::<T>(r.clone())), outcome(serde_from_json::<T>(r.clone())));
        if a != b {
            problems.push(format!("whole value {r}:\n ours   {a}\n theirs {b}"));
        }
    }
}

const EXTRA: &str = "apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: default}
spec: {hard: {pods: '10', requests.cpu: '4'}, scopes: [NotTerminating]}
---
apiVersion: v1
kind: LimitRange
metadata: {name: l, namespace: default}
spec:
  limits:
  - type: Container
    default: {cpu: 200m}
    defaultRequest: {cpu: 100m}
    max: {memory: 1Gi}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: scaled, namespace: default}
spec:
  selector: {matchLabels: {app: scaled}}
  template:
    metadata: {labels: {app: scaled}}
    spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m}}}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: scaled}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior: {scaleDown: {stabilizationWindowSeconds: 30, policies: [{type: Pods, value: 1, periodSeconds: 15}]}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p, namespace: default}
spec: {minAvailable: 1, selector: {matchLabels: {app: scaled}}}
";

macro_rules! each_kind {
    ($o:expr, $mutate:expr, $p:expr, $n:expr, [$($v:ident),*]) => {
        match $o {
            $( Object::$v(x) => compare(x, $mutate, $p, $n), )*
        }
    };
}

#[test]
fn the_codec_reads_and_writes_every_lessons_objects_as_k8s_openapis_serde_does() {
    let mut problems = Vec::new();
    let mut mutated = std::collections::BTreeMap::new();
    let mut kinds = BTreeSet::new();
    let (mut objects, mut decodes) = (0, 0);
    let lessons = pilothouse_lessons::bundled();
    for (n, (file, text)) in lessons.iter().enumerate() {
        let lesson = pilothouse_lessons::load(file, text).unwrap();
        let mut s = pilothouse_lessons::Session::start(lesson).unwrap();
        while s.step < s.lesson.steps.len() {
            s.play_solution();
            if !s.refresh() {
                s.skip();
            }
        }
        if n + 1 == lessons.len() {
            // Kinds no lesson leaves behind.
            let out = s.shell.run(&format!("kubectl apply -f - <<'EOF'\n{EXTRA}EOF"));
            assert!(out.stderr.is_empty(), "{}", out.stderr);
        }
        s.shell.cluster.advance(30_000);
        for &kind in Kind::ALL {
            for o in s.shell.cluster.list(kind, None) {
                objects += 1;
                kinds.insert(kind);
                // Three objects of each kind (with a status where the kind has one) get every mutation.
                let has_status = o.to_json().get("status").is_some_and(|s| s.as_object().is_some_and(|m| !m.is_empty()));
                let count = mutated.entry(kind).or_insert(0);
                let mutate = (has_status || !matches!(kind, Kind::Pod | Kind::Node | Kind::Deployment)) && *count < 3;
                *count += usize::from(mutate);
                let before = problems.len();
                each_kind!(&*o, mutate, &mut problems, &mut decodes, [
                    Namespace, Node, Pod, Service, Endpoints, ConfigMap, Secret, ServiceAccount, PersistentVolume,
                    PersistentVolumeClaim, ResourceQuota, LimitRange, Event, Deployment, ReplicaSet, DaemonSet,
                    StatefulSet, ControllerRevision, Job, CronJob, HorizontalPodAutoscaler, StorageClass, Ingress,
                    IngressClass, EndpointSlice, PriorityClass, PodDisruptionBudget, Lease
                ]);
                if problems.len() > before {
                    problems.insert(before, format!("{file}: {kind} {}", o.metadata().name.as_deref().unwrap_or("")));
                }
                assert!(problems.len() < 40, "{}", problems.join("\n"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The corpus is what it is claimed to be.
    assert_eq!(kinds.len(), Kind::ALL.len(), "only {kinds:?}");
    assert!(objects > 1000 && decodes > 30_000, "{objects} objects, {decodes} decodes");
}

#[test]
fn a_condition_reads_as_its_serde_impl_does_a_required_time_included() {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
    let cases = [
        json!({"type": "Ready", "status": "True", "lastTransitionTime": "2024-03-05T07:08:09Z", "observedGeneration": 3, "zz": [1]}),
        json!({"type": "Ready", "status": "True"}),
        json!({"type": "Ready", "lastTransitionTime": null}),
        json!({"type": null, "message": null, "reason": null, "status": null, "observedGeneration": null, "lastTransitionTime": "2024-03-05T07:08:09+01:00"}),
        json!({"type": 5, "lastTransitionTime": "2024-03-05T07:08:09Z"}),
        json!({"observedGeneration": "x", "lastTransitionTime": "2024-03-05T07:08:09Z"}),
        json!({"lastTransitionTime": 5}),
        json!([1]),
        json!("x"),
    ];
    for v in cases {
        let (a, b) = (outcome(codec::from_json::<Condition>(v.clone())), outcome(serde_from_json::<Condition>(v.clone())));
        assert_eq!(a, b, "{v}");
        if let Ok(c) = serde_from_json::<Condition>(v.clone()) {
            assert_eq!(serde_json::to_string(&codec::to_json(&c)).unwrap(), serde_json::to_string(&serde_json::to_value(&c).unwrap()).unwrap());
        }
    }
    // Missing, the time is an error with the struct's path; null is a wrong type.
    assert!(outcome(codec::from_json::<Condition>(json!({"type": "Ready"}))).contains("missing field `lastTransitionTime`"));
    assert!(outcome(codec::from_json::<Condition>(json!({"lastTransitionTime": null}))).contains("invalid type: null"));
}
