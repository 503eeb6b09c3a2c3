//! Scenario tests for the PV binder, provisioning, reclaim policies, volume data, config and quota.

use pilothouse_engine::api::parse_manifests;
use pilothouse_engine::apiserver::DeleteOptions;
use pilothouse_engine::storage::files::FsError;
use pilothouse_engine::{Cluster, Kind, Object, ObjectKey};

fn apply(c: &mut Cluster, yaml: &str) {
    for m in parse_manifests(yaml).unwrap() {
        c.apply(m.object).unwrap();
    }
}

fn try_create(c: &mut Cluster, yaml: &str) -> Result<(), String> {
    let o = parse_manifests(yaml).unwrap().remove(0).object;
    c.create(o).map(|_| ()).map_err(|e| e.to_string())
}

fn pvc(c: &Cluster, name: &str) -> k8s_openapi::api::core::v1::PersistentVolumeClaim {
    match &*c.get(&ObjectKey::new(Kind::PersistentVolumeClaim, "default", name)).unwrap() {
        Object::PersistentVolumeClaim(p) => p.clone(),
        _ => unreachable!(),
    }
}

fn pv(c: &Cluster, name: &str) -> Option<k8s_openapi::api::core::v1::PersistentVolume> {
    match c.get(&ObjectKey::new(Kind::PersistentVolume, "", name)).as_deref() {
        Some(Object::PersistentVolume(p)) => Some(p.clone()),
        _ => None,
    }
}

fn phase_c(c: &Cluster, name: &str) -> String {
    pvc(c, name).status.and_then(|s| s.phase).unwrap_or_default()
}

fn phase_v(c: &Cluster, name: &str) -> String {
    pv(c, name).and_then(|p| p.status).and_then(|s| s.phase).unwrap_or_else(|| "<gone>".into())
}

fn events_for(c: &Cluster, name: &str) -> Vec<(String, String)> {
    c.list(Kind::Event, None)
        .iter()
        .filter_map(|o| match &**o {
            Object::Event(e) if e.involved_object.name.as_deref() == Some(name) => Some((e.reason.clone().unwrap_or_default(), e.message.clone().unwrap_or_default())),
            _ => None,
        })
        .collect()
}

fn static_pv(name: &str, size: &str, class: &str, policy: &str, path: &str) -> String {
    format!("apiVersion: v1\nkind: PersistentVolume\nmetadata: {{name: {name}}}\nspec:\n  capacity: {{storage: {size}}}\n  accessModes: [ReadWriteOnce]\n  storageClassName: '{class}'\n  persistentVolumeReclaimPolicy: {policy}\n  hostPath: {{path: {path}}}\n")
}

fn claim(name: &str, size: &str, class: Option<&str>) -> String {
    let class = class.map(|c| format!("  storageClassName: '{c}'\n")).unwrap_or_default();
    format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: {name}}}\nspec:\n{class}  accessModes: [ReadWriteOnce]\n  resources: {{requests: {{storage: {size}}}}}\n")
}

#[test]
fn static_binding_picks_the_smallest_fit_and_class_mismatch_stays_pending() {
    let mut c = Cluster::minikube(11);
    apply(&mut c, &static_pv("pv-big", "10Gi", "manual", "Retain", "/mnt/big"));
    apply(&mut c, &static_pv("pv-small", "1Gi", "manual", "Retain", "/mnt/small"));
    apply(&mut c, &static_pv("pv-mid", "3Gi", "manual", "Retain", "/mnt/mid"));
    assert_eq!(phase_v(&c, "pv-mid"), "Available");
    apply(&mut c, &claim("want2", "2Gi", Some("manual")));
    let p = pvc(&c, "want2");
    assert_eq!(phase_c(&c, "want2"), "Bound");
    assert_eq!(p.spec.as_ref().unwrap().volume_name.as_deref(), Some("pv-mid"));
    let ann = p.metadata.annotations.clone().unwrap();
    assert_eq!(ann.get("pv.kubernetes.io/bind-completed").map(String::as_str), Some("yes"));
    assert_eq!(ann.get("pv.kubernetes.io/bound-by-controller").map(String::as_str), Some("yes"));
    assert_eq!(p.status.unwrap().capacity.unwrap()["storage"].0, "3Gi");
    let v = pv(&c, "pv-mid").unwrap();
    assert_eq!(phase_v(&c, "pv-mid"), "Bound");
    assert_eq!(v.spec.unwrap().claim_ref.unwrap().name.as_deref(), Some("want2"));
    // Class mismatch: "fast" has no PVs and no such class.
    apply(&mut c, &claim("other", "1Gi", Some("fast")));
    c.advance(10_000);
    assert_eq!(phase_c(&c, "other"), "Pending");
    assert!(events_for(&c, "other").iter().any(|(r, m)| r == "ProvisioningFailed" && m == "storageclass.storage.k8s.io \"fast\" not found"));
    // No class at all ("") never gets the default and binds only class-less PVs.
    apply(&mut c, &claim("none", "1Gi", Some("")));
    c.advance(10_000);
    assert_eq!(phase_c(&c, "none"), "Pending");
    assert!(events_for(&c, "none").iter().any(|(r, _)| r == "FailedBinding"));
}

#[test]
fn default_class_and_dynamic_provisioning() {
    let mut c = Cluster::minikube(12);
    apply(&mut c, &claim("data", "1Gi", None));
    let p = pvc(&c, "data");
    assert_eq!(p.spec.as_ref().unwrap().storage_class_name.as_deref(), Some("standard"));
    assert_eq!(phase_c(&c, "data"), "Pending");
    c.advance(5_000);
    let p = pvc(&c, "data");
    assert_eq!(phase_c(&c, "data"), "Bound");
    let uid = p.metadata.uid.clone().unwrap();
    let vname = format!("pvc-{uid}");
    assert_eq!(p.spec.unwrap().volume_name.as_deref(), Some(vname.as_str()));
    let v = pv(&c, &vname).unwrap();
    assert_eq!(v.spec.as_ref().unwrap().host_path.as_ref().unwrap().path, "/tmp/hostpath-provisioner/default/data");
    assert_eq!(v.spec.as_ref().unwrap().persistent_volume_reclaim_policy.as_deref(), Some("Delete"));
    let reasons: Vec<String> = events_for(&c, "data").into_iter().map(|e| e.0).collect();
    assert!(reasons.starts_with(&["ExternalProvisioning".to_string(), "Provisioning".to_string(), "ProvisioningSucceeded".to_string()]), "{reasons:?}");
    // Delete policy: the PV goes with the claim.
    c.delete(&ObjectKey::new(Kind::PersistentVolumeClaim, "default", "data"), &DeleteOptions::default()).unwrap();
    c.advance(5_000);
    assert!(pv(&c, &vname).is_none());
}

#[test]
fn wait_for_first_consumer_provisions_on_the_chosen_node() {
    let mut c = Cluster::minikube(13);
    apply(&mut c, "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: late}\nprovisioner: k8s.io/minikube-hostpath\nvolumeBindingMode: WaitForFirstConsumer\n");
    apply(&mut c, &claim("late", "1Gi", Some("late")));
    c.advance(10_000);
    assert_eq!(phase_c(&c, "late"), "Pending");
    assert!(events_for(&c, "late").iter().any(|(r, m)| r == "WaitForFirstConsumer" && m == "waiting for first consumer to be created before binding"));
    apply(&mut c, "apiVersion: v1\nkind: Pod\nmetadata: {name: user}\nspec:\n  containers: [{name: c, image: 'nginx:1.25', volumeMounts: [{name: d, mountPath: /data}]}]\n  volumes: [{name: d, persistentVolumeClaim: {claimName: late}}]\n");
    c.advance(20_000);
    let p = pvc(&c, "late");
    assert_eq!(p.metadata.annotations.as_ref().unwrap().get("volume.kubernetes.io/selected-node").map(String::as_str), Some("minikube"));
    assert_eq!(phase_c(&c, "late"), "Bound");
    let pod = c.get(&ObjectKey::new(Kind::Pod, "default", "user")).unwrap();
    let Object::Pod(pod) = &*pod else { unreachable!() };
    assert_eq!(pod.status.as_ref().unwrap().phase.as_deref(), Some("Running"));
}

#[test]
fn reclaim_policies() {
    let mut c = Cluster::minikube(14);
    for (name, policy, path) in [("keep", "Retain", "/mnt/keep"), ("tmpdel", "Delete", "/tmp/del"), ("baddel", "Delete", "/mnt/del"), ("again", "Recycle", "/mnt/again")] {
        apply(&mut c, &static_pv(name, "1Gi", name, policy, path));
        apply(&mut c, &claim(name, "1Gi", Some(name)));
        assert_eq!(phase_c(&c, name), "Bound", "{name}");
        c.delete(&ObjectKey::new(Kind::PersistentVolumeClaim, "default", name), &DeleteOptions::default()).unwrap();
    }
    c.advance(10_000);
    assert_eq!(phase_v(&c, "keep"), "Released");
    assert!(pv(&c, "keep").unwrap().spec.unwrap().claim_ref.is_some());
    assert_eq!(phase_v(&c, "tmpdel"), "<gone>");
    assert_eq!(phase_v(&c, "baddel"), "Failed");
    assert!(events_for(&c, "baddel").iter().any(|(r, m)| r == "VolumeFailedDelete" && m == "host_path deleter only supports /tmp/.+ but received provided /mnt/del"));
    assert_eq!(phase_v(&c, "again"), "Available");
    assert!(pv(&c, "again").unwrap().spec.unwrap().claim_ref.is_none());
    assert!(events_for(&c, "again").iter().any(|(r, _)| r == "VolumeRecycled"));
    // A Released (Retain) volume is not rebound.
    apply(&mut c, &claim("keep", "1Gi", Some("keep")));
    c.advance(5_000);
    assert_eq!(phase_c(&c, "keep"), "Pending");
}

#[test]
fn pvc_data_survives_the_pod_and_empty_dir_does_not() {
    let mut c = Cluster::minikube(15);
    apply(&mut c, &claim("data", "1Gi", None));
    let pod = |name: &str| format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  terminationGracePeriodSeconds: 0\n  containers: [{{name: c, image: 'nginx:1.25', volumeMounts: [{{name: d, mountPath: /usr/share/nginx/html}}, {{name: s, mountPath: /scratch}}]}}]\n  volumes: [{{name: d, persistentVolumeClaim: {{claimName: data}}}}, {{name: s, emptyDir: {{}}}}]\n");
    apply(&mut c, &pod("one"));
    c.advance(30_000);
    let one = ObjectKey::new(Kind::Pod, "default", "one");
    // The mounted claim hides the image's index.html: nginx answers 403 until a file is written.
    c.exec_write(&one, "c", "/usr/share/nginx/html/index.html", "hello from the PV\n", false).unwrap();
    c.exec_write(&one, "c", "/scratch/tmp.txt", "scratch\n", false).unwrap();
    c.exec_write(&one, "c", "/root/own.txt", "own\n", false).unwrap();
    assert_eq!(c.exec_read(&one, "c", "/usr/share/nginx/html/index.html").unwrap(), "hello from the PV\n");
    assert_eq!(c.exec_list(&one, "c", "/scratch").unwrap(), vec!["tmp.txt".to_string()]);
    assert!(matches!(c.exec_write(&one, "c", "/var/run/secrets/kubernetes.io/serviceaccount/x", "y", false), Err(FsError::ReadOnly(_))));
    assert!(c.exec_read(&one, "c", "/etc/resolv.conf").unwrap().contains("nameserver 10.96.0.10"));
    c.delete(&one, &DeleteOptions { grace_period: Some(0), ..Default::default() }).unwrap();
    c.advance(5_000);
    apply(&mut c, &pod("two"));
    c.advance(30_000);
    let two = ObjectKey::new(Kind::Pod, "default", "two");
    assert_eq!(c.exec_read(&two, "c", "/usr/share/nginx/html/index.html").unwrap(), "hello from the PV\n");
    assert!(matches!(c.exec_read(&two, "c", "/scratch/tmp.txt"), Err(FsError::NoSuchFile(_))));
    assert!(matches!(c.exec_read(&two, "c", "/root/own.txt"), Err(FsError::NoSuchFile(_))));
    let ip = match &*c.get(&two).unwrap() {
        Object::Pod(p) => p.status.as_ref().unwrap().pod_ip.clone().unwrap(),
        _ => unreachable!(),
    };
    let r = c.http_get(pilothouse_engine::network::Origin::Node("minikube".into()), &format!("http://{ip}/")).unwrap();
    assert_eq!(r.body, "hello from the PV\n");
}

#[test]
fn missing_config_map_blocks_the_container_until_created() {
    let mut c = Cluster::minikube(16);
    apply(&mut c, "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    env:\n    - name: MODE\n      valueFrom: {configMapKeyRef: {name: cfg, key: mode}}\n    - name: PASS\n      valueFrom: {secretKeyRef: {name: creds, key: password}}\n    - name: GREETING\n      value: hello-$(MODE)\n    envFrom: [{configMapRef: {name: cfg}, prefix: CFG_}]\n");
    c.advance(20_000);
    let waiting = |c: &Cluster| match &*c.get(&ObjectKey::new(Kind::Pod, "default", "app")).unwrap() {
        Object::Pod(p) => p.status.as_ref().unwrap().container_statuses.as_ref().unwrap()[0].state.as_ref().unwrap().waiting.clone(),
        _ => unreachable!(),
    };
    let w = waiting(&c).unwrap();
    assert_eq!(w.reason.as_deref(), Some("CreateContainerConfigError"));
    assert_eq!(w.message.as_deref(), Some("configmap \"cfg\" not found"));
    apply(&mut c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {mode: prod}\n");
    c.advance(10_000);
    assert_eq!(waiting(&c).unwrap().message.as_deref(), Some("secret \"creds\" not found"));
    apply(&mut c, "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {password: s3cret}\n");
    let Object::Secret(s) = &*c.get(&ObjectKey::new(Kind::Secret, "default", "creds")).unwrap() else { unreachable!() };
    assert!(s.string_data.is_none());
    assert_eq!(s.data.as_ref().unwrap()["password"].0, b"s3cret".to_vec());
    assert_eq!(s.type_.as_deref(), Some("Opaque"));
    c.advance(10_000);
    assert!(waiting(&c).is_none());
    let env = c.exec_env(&ObjectKey::new(Kind::Pod, "default", "app"), "c").unwrap();
    for want in ["MODE=prod", "PASS=s3cret", "GREETING=hello-prod", "CFG_mode=prod", "KUBERNETES_SERVICE_HOST=10.96.0.1", "HOSTNAME=app"] {
        assert!(env.iter().any(|l| l == want), "{want} in {env:?}");
    }
}

#[test]
fn config_map_volume_missing_keeps_container_creating() {
    let mut c = Cluster::minikube(17);
    apply(&mut c, "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers: [{name: c, image: 'nginx:1.25', volumeMounts: [{name: cfg, mountPath: /etc/cfg}]}]\n  volumes: [{name: cfg, configMap: {name: settings}}]\n");
    c.advance(20_000);
    assert!(events_for(&c, "app").iter().any(|(r, m)| r == "FailedMount" && m == "MountVolume.SetUp failed for volume \"cfg\" : configmap \"settings\" not found"));
    apply(&mut c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {color: blue, size: large}\n");
    c.advance(10_000);
    let app = ObjectKey::new(Kind::Pod, "default", "app");
    assert_eq!(c.exec_read(&app, "c", "/etc/cfg/color").unwrap(), "blue");
    assert_eq!(c.exec_list(&app, "c", "/etc/cfg").unwrap(), vec!["color".to_string(), "size".to_string()]);
}

#[test]
fn quota_and_limit_range_admission() {
    let mut c = Cluster::minikube(18);
    apply(&mut c, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {cpu: '1', pods: '5'}}\n");
    let pod = |name: &str, cpu: &str| format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers: [{{name: c, image: 'nginx:1.25', resources: {{requests: {{cpu: {cpu}}}}}}}]\n");
    try_create(&mut c, &pod("a", "600m")).unwrap();
    try_create(&mut c, &pod("b", "400m")).unwrap();
    let err = try_create(&mut c, &pod("x", "500m")).unwrap_err();
    assert_eq!(err, "pods \"x\" is forbidden: exceeded quota: q, requested: cpu=500m, used: cpu=1, limited: cpu=1");
    let err = try_create(&mut c, "apiVersion: v1\nkind: Pod\nmetadata: {name: 'y'}\nspec: {containers: [{name: c, image: 'nginx:1.25'}]}\n").unwrap_err();
    assert_eq!(err, "pods \"y\" is forbidden: failed quota: q: must specify requests.cpu for: c");
    c.advance(1_000);
    let Object::ResourceQuota(q) = &*c.get(&ObjectKey::new(Kind::ResourceQuota, "default", "q")).unwrap() else { unreachable!() };
    let used = q.status.as_ref().unwrap().used.clone().unwrap();
    assert_eq!(used["cpu"].0, "1");
    assert_eq!(used["pods"].0, "2");
    // LimitRange in another namespace.
    apply(&mut c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: lr}\n");
    apply(&mut c, "apiVersion: v1\nkind: LimitRange\nmetadata: {name: limits, namespace: lr}\nspec:\n  limits:\n  - type: Container\n    default: {cpu: 500m, memory: 256Mi}\n    defaultRequest: {cpu: 100m}\n    max: {cpu: '1'}\n");
    try_create(&mut c, "apiVersion: v1\nkind: Pod\nmetadata: {name: d, namespace: lr}\nspec: {containers: [{name: c, image: 'nginx:1.25'}]}\n").unwrap();
    let Object::Pod(p) = &*c.get(&ObjectKey::new(Kind::Pod, "lr", "d")).unwrap() else { unreachable!() };
    let r = p.spec.as_ref().unwrap().containers[0].resources.clone().unwrap();
    assert_eq!(r.limits.unwrap()["cpu"].0, "500m");
    let req = r.requests.unwrap();
    assert_eq!(req["cpu"].0, "100m");
    assert_eq!(req["memory"].0, "256Mi");
    let err = try_create(&mut c, "apiVersion: v1\nkind: Pod\nmetadata: {name: big, namespace: lr}\nspec: {containers: [{name: c, image: 'nginx:1.25', resources: {limits: {cpu: '2'}}}]}\n").unwrap_err();
    assert_eq!(err, "pods \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2");
}

#[test]
fn ephemeral_volume_claims_follow_the_pod() {
    let mut c = Cluster::minikube(19);
    apply(&mut c, "apiVersion: v1\nkind: Pod\nmetadata: {name: eph}\nspec:\n  terminationGracePeriodSeconds: 0\n  containers: [{name: c, image: 'nginx:1.25', volumeMounts: [{name: scratch, mountPath: /scratch}]}]\n  volumes:\n  - name: scratch\n    ephemeral:\n      volumeClaimTemplate:\n        spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n");
    c.advance(30_000);
    assert_eq!(phase_c(&c, "eph-scratch"), "Bound");
    c.delete(&ObjectKey::new(Kind::Pod, "default", "eph"), &DeleteOptions { grace_period: Some(0), ..Default::default() }).unwrap();
    c.advance(10_000);
    assert!(c.get(&ObjectKey::new(Kind::PersistentVolumeClaim, "default", "eph-scratch")).is_none());
}
