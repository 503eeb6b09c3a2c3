//! Golden tests: outputs compared byte for byte with what kubectl v1.32 prints.

use super::*;
use chrono::{DateTime, Utc};
use pilothouse_engine::api::{Kind, Object};
use std::sync::Arc;

struct Mem {
    now: DateTime<Utc>,
    objs: Vec<Arc<Object>>,
}

impl ObjectSource for Mem {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }
    fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<Arc<Object>> {
        self.objs
            .iter()
            .find(|o| {
                let m = o.metadata();
                o.kind() == kind
                    && m.name.as_deref() == Some(name)
                    && (!kind.info().namespaced || m.namespace.as_deref() == Some(namespace))
            })
            .cloned()
    }
    fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<Arc<Object>> {
        let mut v: Vec<Arc<Object>> = self
            .objs
            .iter()
            .filter(|o| o.kind() == kind && namespace.is_none_or(|ns| o.metadata().namespace.as_deref() == Some(ns)))
            .cloned()
            .collect();
        v.sort_by(|a, b| {
            (a.metadata().namespace.clone(), a.metadata().name.clone()).cmp(&(b.metadata().namespace.clone(), b.metadata().name.clone()))
        });
        v
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z").unwrap().with_timezone(&Utc)
}

fn obj(kind: Kind, yaml: &str) -> Object {
    let v: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
    Object::from_json_as(kind, v).unwrap()
}

fn pod(yaml: &str) -> Object {
    obj(Kind::Pod, yaml)
}

const RUNNING: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: web-7d4b9c-abcde, namespace: default, creationTimestamp: "2024-05-01T11:55:00Z", uid: u-web,
  labels: {app: web, pod-template-hash: 7d4b9c},
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d4b9c, uid: u-rs, controller: true}]}
spec:
  nodeName: minikube
  serviceAccountName: default
  containers:
  - name: nginx
    image: nginx:1.25
    ports: [{containerPort: 80, protocol: TCP}]
    resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
    readinessProbe: {httpGet: {path: /, port: 80, scheme: HTTP}, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3}
    volumeMounts: [{name: kube-api-access-x1, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}]
  tolerations:
  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
  volumes:
  - name: kube-api-access-x1
    projected:
      sources:
      - serviceAccountToken: {expirationSeconds: 3607, path: token}
      - configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}
      - downwardAPI: {items: [{path: namespace, fieldRef: {apiVersion: v1, fieldPath: metadata.namespace}}]}
status:
  phase: Running
  hostIP: 192.168.49.2
  podIP: 10.244.0.5
  podIPs: [{ip: 10.244.0.5}]
  startTime: "2024-05-01T11:55:00Z"
  qosClass: Burstable
  conditions:
  - {type: PodReadyToStartContainers, status: "True"}
  - {type: Initialized, status: "True"}
  - {type: Ready, status: "True"}
  - {type: ContainersReady, status: "True"}
  - {type: PodScheduled, status: "True"}
  containerStatuses:
  - name: nginx
    image: nginx:1.25
    imageID: docker-pullable://nginx@sha256:abc
    containerID: docker://c0ffee
    ready: true
    restartCount: 0
    started: true
    state: {running: {startedAt: "2024-05-01T11:55:04Z"}}
"#;

const PENDING: &str = r#"
metadata: {name: big, namespace: default, creationTimestamp: "2024-05-01T11:59:30Z"}
spec: {containers: [{name: app, image: busybox}]}
status:
  phase: Pending
  conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]
"#;

const CREATING: &str = r#"
metadata: {name: creating, namespace: default, creationTimestamp: "2024-05-01T11:59:55Z"}
spec: {nodeName: minikube, containers: [{name: app, image: nginx}]}
status:
  phase: Pending
  hostIP: 192.168.49.2
  containerStatuses:
  - {name: app, image: nginx, imageID: "", ready: false, restartCount: 0, started: false, state: {waiting: {reason: ContainerCreating}}}
"#;

const CRASH: &str = r#"
metadata: {name: crashy, namespace: default, creationTimestamp: "2024-05-01T10:00:00Z"}
spec: {nodeName: minikube, containers: [{name: app, image: busybox}]}
status:
  phase: Running
  podIP: 10.244.0.9
  podIPs: [{ip: 10.244.0.9}]
  containerStatuses:
  - name: app
    image: busybox
    imageID: ""
    ready: false
    restartCount: 3
    started: false
    state: {waiting: {reason: CrashLoopBackOff, message: back-off}}
    lastState: {terminated: {exitCode: 1, reason: Error, startedAt: "2024-05-01T11:57:50Z", finishedAt: "2024-05-01T11:58:00Z"}}
"#;

const TERMINATING: &str = r#"
metadata: {name: going, namespace: default, creationTimestamp: "2024-04-28T12:00:00Z", deletionTimestamp: "2024-05-01T11:59:50Z", deletionGracePeriodSeconds: 30}
spec: {nodeName: minikube, containers: [{name: app, image: nginx}]}
status:
  phase: Running
  containerStatuses:
  - {name: app, image: nginx, imageID: "", ready: true, restartCount: 0, state: {running: {startedAt: "2024-04-28T12:00:05Z"}}}
"#;

const COMPLETED: &str = r#"
metadata: {name: job-x, namespace: default, creationTimestamp: "2024-05-01T09:00:00Z"}
spec: {nodeName: minikube, restartPolicy: Never, containers: [{name: app, image: busybox}]}
status:
  phase: Succeeded
  containerStatuses:
  - {name: app, image: busybox, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
"#;

const INIT: &str = r#"
metadata: {name: init-wait, namespace: default, creationTimestamp: "2024-05-01T11:58:00Z"}
spec:
  nodeName: minikube
  initContainers: [{name: wait, image: busybox}]
  containers: [{name: app, image: nginx}]
status:
  phase: Pending
  conditions: [{type: Initialized, status: "False", reason: ContainersNotInitialized}]
  initContainerStatuses:
  - {name: wait, image: busybox, imageID: "", ready: false, restartCount: 0, state: {running: {startedAt: "2024-05-01T11:58:02Z"}}}
  containerStatuses:
  - {name: app, image: nginx, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
"#;

fn all_pods() -> Vec<Object> {
    [RUNNING, PENDING, CREATING, CRASH, TERMINATING, COMPLETED, INIT].iter().map(|y| pod(y)).collect()
}

#[test]
fn get_pods_in_many_states() {
    let pods = all_pods();
    let refs: Vec<&Object> = pods.iter().collect();
    let out = print_table(Kind::Pod, &refs, &TableOptions::default(), now());
    let want = "\
NAME               READY   STATUS              RESTARTS     AGE
web-7d4b9c-abcde   1/1     Running             0            5m
big                0/1     Pending             0            30s
creating           0/1     ContainerCreating   0            5s
crashy             0/1     CrashLoopBackOff    3 (2m ago)   120m
going              1/1     Terminating         0            3d
job-x              0/1     Completed           0            3h
init-wait          0/1     Init:0/1            0            2m
";
    assert_eq!(out, want);
}

#[test]
fn get_pods_wide_labels_and_namespace() {
    let pods = [pod(RUNNING), pod(PENDING)];
    let refs: Vec<&Object> = pods.iter().collect();
    let out = print_table(Kind::Pod, &refs, &TableOptions { wide: true, ..Default::default() }, now());
    let want = "\
NAME               READY   STATUS    RESTARTS   AGE   IP           NODE       NOMINATED NODE   READINESS GATES
web-7d4b9c-abcde   1/1     Running   0          5m    10.244.0.5   minikube   <none>           <none>
big                0/1     Pending   0          30s   <none>       <none>     <none>           <none>
";
    assert_eq!(out, want);
    let opts = TableOptions { with_namespace: true, show_labels: true, label_columns: vec!["app".into()], ..Default::default() };
    let out = print_table(Kind::Pod, &refs, &opts, now());
    let want = "\
NAMESPACE   NAME               READY   STATUS    RESTARTS   AGE   APP   LABELS
default     web-7d4b9c-abcde   1/1     Running   0          5m    web   app=web,pod-template-hash=7d4b9c
default     big                0/1     Pending   0          30s         <none>
";
    assert_eq!(out, want);
    let out = print_table(Kind::Pod, &refs[..1], &TableOptions { no_headers: true, with_kind: true, ..Default::default() }, now());
    assert_eq!(out, "pod/web-7d4b9c-abcde   1/1   Running   0     5m\n");
    assert_eq!(print_table(Kind::Pod, &[], &TableOptions::default(), now()), "");
}

const DEPLOY: &str = r#"
metadata:
  name: web
  namespace: default
  uid: u-dep
  creationTimestamp: "2024-05-01T11:55:00Z"
  labels: {app: web}
  annotations: {deployment.kubernetes.io/revision: "1"}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 25%, maxSurge: 25%}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: "nginx:1.25"}]}
status:
  replicas: 1
  updatedReplicas: 1
  readyReplicas: 1
  availableReplicas: 1
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
"#;

const RS: &str = r#"
metadata:
  name: web-7d4b9c
  namespace: default
  uid: u-rs
  creationTimestamp: "2024-05-01T11:55:00Z"
  labels: {app: web, pod-template-hash: 7d4b9c}
  annotations: {deployment.kubernetes.io/revision: "1"}
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u-dep, controller: true}]
spec:
  replicas: 1
  selector: {matchLabels: {app: web, pod-template-hash: 7d4b9c}}
  template:
    metadata: {labels: {app: web, pod-template-hash: 7d4b9c}}
    spec: {containers: [{name: nginx, image: "nginx:1.25"}]}
status: {replicas: 1, readyReplicas: 1, availableReplicas: 1}
"#;

#[allow(clippy::too_many_arguments)]
fn event(name: &str, kind: &str, obj: &str, uid: &str, reason: &str, msg: &str, from: &str, first: &str, last: &str, count: i32) -> Object {
    obj_event(name, kind, obj, uid, "Normal", reason, msg, from, first, last, count)
}

#[allow(clippy::too_many_arguments)]
fn obj_event(name: &str, kind: &str, obj: &str, uid: &str, ty: &str, reason: &str, msg: &str, from: &str, first: &str, last: &str, count: i32) -> Object {
    let v = serde_json::json!({
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": first},
        "involvedObject": {"kind": kind, "name": obj, "namespace": "default", "uid": uid},
        "type": ty, "reason": reason, "message": msg, "source": {"component": from},
        "firstTimestamp": first, "lastTimestamp": last, "count": count
    });
    Object::from_json_as(Kind::Event, v).unwrap()
}

#[test]
fn get_deployments_replicasets_wide() {
    let d = obj(Kind::Deployment, DEPLOY);
    let out = print_table(Kind::Deployment, &[&d], &TableOptions::default(), now());
    assert_eq!(out, "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    1/1     1            1           5m\n");
    let out = print_table(Kind::Deployment, &[&d], &TableOptions { wide: true, ..Default::default() }, now());
    assert_eq!(
        out,
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES       SELECTOR\nweb    1/1     1            1           5m    nginx        nginx:1.25   app=web\n"
    );
    let rs = obj(Kind::ReplicaSet, RS);
    let out = print_table(Kind::ReplicaSet, &[&rs], &TableOptions::default(), now());
    assert_eq!(out, "NAME         DESIRED   CURRENT   READY   AGE\nweb-7d4b9c   1         1         1       5m\n");
}

#[test]
fn describe_pod_golden() {
    let p = pod(RUNNING);
    let src = Mem {
        now: now(),
        objs: vec![
            Arc::new(p.clone()),
            Arc::new(event("e1", "Pod", "web-7d4b9c-abcde", "u-web", "Scheduled", "Successfully assigned default/web-7d4b9c-abcde to minikube", "default-scheduler", "2024-05-01T11:55:00Z", "2024-05-01T11:55:00Z", 1)),
            Arc::new(event("e2", "Pod", "web-7d4b9c-abcde", "u-web", "Pulled", "Container image \"nginx:1.25\" already present on machine", "kubelet", "2024-05-01T11:55:02Z", "2024-05-01T11:58:02Z", 3)),
            Arc::new(event("e3", "Pod", "other", "u-other", "Pulled", "x", "kubelet", "2024-05-01T11:55:02Z", "2024-05-01T11:55:02Z", 1)),
        ],
    };
    let out = describe(&p, &src);
    let want = "\
Name:             web-7d4b9c-abcde
Namespace:        default
Priority:         0
Service Account:  default
Node:             minikube/192.168.49.2
Start Time:       Wed, 01 May 2024 11:55:00 +0000
Labels:           app=web
                  pod-template-hash=7d4b9c
Annotations:      <none>
Status:           Running
IP:               10.244.0.5
IPs:
  IP:           10.244.0.5
Controlled By:  ReplicaSet/web-7d4b9c
Containers:
  nginx:
    Container ID:   docker://c0ffee
    Image:          nginx:1.25
    Image ID:       docker-pullable://nginx@sha256:abc
    Port:           80/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Wed, 01 May 2024 11:55:04 +0000
    Ready:          True
    Restart Count:  0
    Limits:
      memory:  128Mi
    Requests:
      cpu:        100m
      memory:     64Mi
    Readiness:    http-get http://:80/ delay=0s timeout=1s period=10s #success=1 #failure=3
    Environment:  <none>
    Mounts:
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-x1 (ro)
Conditions:
  Type                        Status
  PodReadyToStartContainers   True 
  Initialized                 True 
  Ready                       True 
  ContainersReady             True 
  PodScheduled                True 
Volumes:
  kube-api-access-x1:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
    ConfigMapName:           kube-root-ca.crt
    Optional:                false
    DownwardAPI:             true
QoS Class:                   Burstable
Node-Selectors:              <none>
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type    Reason     Age                   From               Message
  ----    ------     ----                  ----               -------
  Normal  Scheduled  5m                    default-scheduler  Successfully assigned default/web-7d4b9c-abcde to minikube
  Normal  Pulled     118s (x3 over 4m58s)  kubelet            Container image \"nginx:1.25\" already present on machine
";
    // The test pod has no spec.priority; kubectl prints "Priority:" only when it is set.
    let want = want.replace("Priority:         0\n", "");
    assert_eq!(out, want);
}

#[test]
fn describe_deployment_golden() {
    let d = obj(Kind::Deployment, DEPLOY);
    let src = Mem {
        now: now(),
        objs: vec![
            Arc::new(d.clone()),
            Arc::new(obj(Kind::ReplicaSet, RS)),
            Arc::new(event("d1", "Deployment", "web", "u-dep", "ScalingReplicaSet", "Scaled up replica set web-7d4b9c from 0 to 1", "deployment-controller", "2024-05-01T11:55:00Z", "2024-05-01T11:55:00Z", 1)),
        ],
    };
    let want = "\
Name:                   web
Namespace:              default
CreationTimestamp:      Wed, 01 May 2024 11:55:00 +0000
Labels:                 app=web
Annotations:            deployment.kubernetes.io/revision: 1
Selector:               app=web
Replicas:               1 desired | 1 updated | 1 total | 1 available | 0 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 25% max surge
Pod Template:
  Labels:  app=web
  Containers:
   nginx:
    Image:         nginx:1.25
    Port:          <none>
    Host Port:     <none>
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Conditions:
  Type           Status  Reason
  ----           ------  ------
  Available      True    MinimumReplicasAvailable
  Progressing    True    NewReplicaSetAvailable
OldReplicaSets:  <none>
NewReplicaSet:   web-7d4b9c (1/1 replicas created)
Events:
  Type    Reason             Age   From                   Message
  ----    ------             ----  ----                   -------
  Normal  ScalingReplicaSet  5m    deployment-controller  Scaled up replica set web-7d4b9c from 0 to 1
";
    assert_eq!(describe(&d, &src), want);
}

const NODE: &str = r#"
metadata:
  name: minikube
  uid: u-node
  creationTimestamp: "2024-04-30T12:00:00Z"
  labels: {kubernetes.io/hostname: minikube, node-role.kubernetes.io/control-plane: ""}
spec: {podCIDR: 10.244.0.0/24, podCIDRs: [10.244.0.0/24]}
status:
  addresses: [{type: InternalIP, address: 192.168.49.2}, {type: Hostname, address: minikube}]
  capacity: {cpu: "2", memory: 4025836Ki, pods: "110", ephemeral-storage: 61202244Ki, hugepages-2Mi: "0"}
  allocatable: {cpu: "2", memory: 4025836Ki, pods: "110", ephemeral-storage: 61202244Ki, hugepages-2Mi: "0"}
  conditions:
  - {type: Ready, status: "True", reason: KubeletReady, message: kubelet is posting ready status, lastHeartbeatTime: "2024-05-01T11:59:00Z", lastTransitionTime: "2024-04-30T12:00:10Z"}
  nodeInfo: {machineID: m1, systemUUID: s1, bootID: b1, kernelVersion: 5.15.0, osImage: Ubuntu 22.04.4 LTS, operatingSystem: linux, architecture: amd64, containerRuntimeVersion: docker://26.1.1, kubeletVersion: v1.32.0, kubeProxyVersion: v1.32.0}
"#;

#[test]
fn get_and_describe_node() {
    let n = obj(Kind::Node, NODE);
    let out = print_table(Kind::Node, &[&n], &TableOptions::default(), now());
    assert_eq!(out, "NAME       STATUS   ROLES           AGE   VERSION\nminikube   Ready    control-plane   24h   v1.32.0\n");
    let mut cordoned = n.clone();
    if let Object::Node(node) = &mut cordoned {
        node.spec.as_mut().unwrap().unschedulable = Some(true);
    }
    let out = print_table(Kind::Node, &[&cordoned], &TableOptions { wide: true, ..Default::default() }, now());
    assert_eq!(
        out,
        "NAME       STATUS                     ROLES           AGE   VERSION   INTERNAL-IP    EXTERNAL-IP   OS-IMAGE             KERNEL-VERSION   CONTAINER-RUNTIME\n\
minikube   Ready,SchedulingDisabled   control-plane   24h   v1.32.0   192.168.49.2   <none>        Ubuntu 22.04.4 LTS   5.15.0           docker://26.1.1\n"
    );
    let src = Mem { now: now(), objs: vec![Arc::new(n.clone()), Arc::new(pod(RUNNING))] };
    let out = describe(&n, &src);
    let want = "\
Name:               minikube
Roles:              control-plane
Labels:             kubernetes.io/hostname=minikube
                    node-role.kubernetes.io/control-plane=
Annotations:        <none>
CreationTimestamp:  Tue, 30 Apr 2024 12:00:00 +0000
Taints:             <none>
Unschedulable:      false
Lease:              Failed to get lease: leases.coordination.k8s.io \"minikube\" not found
Conditions:
  Type    Status  LastHeartbeatTime                 LastTransitionTime                Reason         Message
  ----    ------  -----------------                 ------------------                ------         -------
  Ready   True    Wed, 01 May 2024 11:59:00 +0000   Tue, 30 Apr 2024 12:00:10 +0000   KubeletReady   kubelet is posting ready status
Addresses:
  InternalIP:  192.168.49.2
  Hostname:    minikube
Capacity:
  cpu:                2
  ephemeral-storage:  61202244Ki
  hugepages-2Mi:      0
  memory:             4025836Ki
  pods:               110
Allocatable:
  cpu:                2
  ephemeral-storage:  61202244Ki
  hugepages-2Mi:      0
  memory:             4025836Ki
  pods:               110
System Info:
  Machine ID:                 m1
  System UUID:                s1
  Boot ID:                    b1
  Kernel Version:             5.15.0
  OS Image:                   Ubuntu 22.04.4 LTS
  Operating System:           linux
  Architecture:               amd64
  Container Runtime Version:  docker://26.1.1
  Kubelet Version:            v1.32.0
  Kube-Proxy Version:         v1.32.0
PodCIDR:                      10.244.0.0/24
PodCIDRs:                     10.244.0.0/24
Non-terminated Pods:          (1 in total)
  Namespace                   Name                CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----                ------------  ----------  ---------------  -------------  ---
  default                     web-7d4b9c-abcde    100m (5%)     0 (0%)      64Mi (1%)        128Mi (3%)     5m
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests   Limits
  --------           --------   ------
  cpu                100m (5%)  0 (0%)
  memory             64Mi (1%)  128Mi (3%)
  ephemeral-storage  0 (0%)     0 (0%)
  hugepages-2Mi      0 (0%)     0 (0%)
Events:              <none>
";
    assert_eq!(out, want);
}

#[test]
fn services_and_other_kinds() {
    let svc = obj(
        Kind::Service,
        r#"
metadata: {name: hello-node, namespace: default, creationTimestamp: "2024-05-01T11:00:00Z"}
spec: {type: LoadBalancer, clusterIP: 10.96.12.34, clusterIPs: [10.96.12.34], selector: {app: hello-node},
  ports: [{port: 8080, targetPort: 8080, nodePort: 31234, protocol: TCP}]}
"#,
    );
    let kube = obj(
        Kind::Service,
        r#"
metadata: {name: kubernetes, namespace: default, creationTimestamp: "2024-04-30T12:00:00Z"}
spec: {type: ClusterIP, clusterIP: 10.96.0.1, clusterIPs: [10.96.0.1], ports: [{name: https, port: 443, targetPort: 8443, protocol: TCP}]}
"#,
    );
    let out = print_table(Kind::Service, &[&svc, &kube], &TableOptions { wide: true, ..Default::default() }, now());
    assert_eq!(
        out,
        "NAME         TYPE           CLUSTER-IP    EXTERNAL-IP   PORT(S)          AGE   SELECTOR\n\
hello-node   LoadBalancer   10.96.12.34   <pending>     8080:31234/TCP   60m   app=hello-node\n\
kubernetes   ClusterIP      10.96.0.1     <none>        443/TCP          24h   <none>\n"
    );
    let pv = obj(
        Kind::PersistentVolume,
        r#"
metadata: {name: pv1, creationTimestamp: "2024-05-01T11:00:00Z"}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], persistentVolumeReclaimPolicy: Retain, storageClassName: manual,
  hostPath: {path: /data}, claimRef: {namespace: default, name: claim1}}
status: {phase: Bound}
"#,
    );
    let out = print_table(Kind::PersistentVolume, &[&pv], &TableOptions::default(), now());
    assert_eq!(
        out,
        "NAME   CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM            STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE\n\
pv1    1Gi        RWO            Retain           Bound    default/claim1   manual         <unset>                          60m\n"
    );
    let sc = obj(
        Kind::StorageClass,
        r#"
metadata: {name: standard, creationTimestamp: "2024-04-30T12:00:00Z", annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
provisioner: k8s.io/minikube-hostpath
reclaimPolicy: Delete
volumeBindingMode: Immediate
"#,
    );
    let out = print_table(Kind::StorageClass, &[&sc], &TableOptions::default(), now());
    assert_eq!(
        out,
        "NAME                 PROVISIONER                RECLAIMPOLICY   VOLUMEBINDINGMODE   ALLOWVOLUMEEXPANSION   AGE\n\
standard (default)   k8s.io/minikube-hostpath   Delete          Immediate           false                  24h\n"
    );
    let ev = event("e1", "Pod", "web", "u", "Pulled", "pulled it", "kubelet", "2024-05-01T11:58:00Z", "2024-05-01T11:59:00Z", 2);
    let out = print_table(Kind::Event, &[&ev], &TableOptions::default(), now());
    assert_eq!(out, "LAST SEEN   TYPE     REASON   OBJECT    MESSAGE\n60s         Normal   Pulled   pod/web   pulled it\n");
    let ns = obj(Kind::Namespace, "metadata: {name: default, creationTimestamp: \"2024-04-30T12:00:00Z\"}\nstatus: {phase: Active}\n");
    assert_eq!(print_table(Kind::Namespace, &[&ns], &TableOptions::default(), now()), "NAME      STATUS   AGE\ndefault   Active   24h\n");
}

#[test]
fn output_formats() {
    let p = obj(
        Kind::Pod,
        r#"
apiVersion: v1
kind: Pod
metadata: {name: x, namespace: default, labels: {app: x}}
spec: {containers: [{name: c, image: nginx}, {name: d, image: busybox}]}
status: {phase: Running, podIP: 10.0.0.1, conditions: [{type: Ready, status: "True"}]}
"#,
    );
    let y = print_objects(&[&p], &OutputFormat::Yaml, true, false).unwrap();
    assert_eq!(
        y,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    app: x\n  name: x\n  namespace: default\nspec:\n  containers:\n  - image: nginx\n    name: c\n  - image: busybox\n    name: d\nstatus:\n  conditions:\n  - status: \"True\"\n    type: Ready\n  phase: Running\n  podIP: 10.0.0.1\n"
    );
    let l = print_objects(&[], &OutputFormat::Yaml, false, false).unwrap();
    assert_eq!(l, "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n");
    let j = print_objects(&[], &OutputFormat::Json, false, false).unwrap();
    assert_eq!(j, "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n");
    let j = print_objects(&[&p], &OutputFormat::Json, true, false).unwrap();
    assert!(j.starts_with("{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\",\n    \"metadata\": {\n        \"labels\": {\n            \"app\": \"x\"\n"));
    let d = obj(Kind::Deployment, DEPLOY);
    assert_eq!(print_objects(&[&p, &d], &OutputFormat::Name, false, false).unwrap(), "pod/x\ndeployment.apps/web\n");
    let jp = |t: &str, single| print_objects(&[&p], &parse_output_format(t).unwrap(), single, false).unwrap();
    assert_eq!(jp("jsonpath={.status.podIP}", true), "10.0.0.1");
    assert_eq!(jp("jsonpath='{.items[*].metadata.name}'", false), "x");
    assert_eq!(jp("jsonpath={.spec.containers[*].image}", true), "nginx busybox");
    assert_eq!(jp("jsonpath={.status.conditions[?(@.type==\"Ready\")].status}", true), "True");
    assert_eq!(
        jp("custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image,IP:status.podIP,NODE:.spec.nodeName", false),
        "NAME   IMAGES          IP         NODE\nx      nginx,busybox   10.0.0.1   <none>\n"
    );
    assert!(parse_output_format("yml").unwrap_err().starts_with("unable to match a printer suitable for the output format \"yml\""));
    assert_eq!(
        print_objects(&[&p], &OutputFormat::CustomColumns("NAME".into()), false, false).unwrap_err(),
        "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"
    );
    assert!(print_objects(&[&p], &OutputFormat::JsonPath("{.a".into()), true, false).unwrap_err().starts_with("error parsing jsonpath {.a, "));
    // jsonpath-as-json: each text and action (per range iteration) as an indented JSON array,
    // maps with sorted keys, a missing key as [].
    assert_eq!(parse_output_format("jsonpath-as-json='{.metadata.name}'").unwrap(), OutputFormat::JsonPathJson("{.metadata.name}".into()));
    assert_eq!(
        print_objects(&[&p], &OutputFormat::JsonPathJson("{.metadata.name}{\"!\"}{.nope}{.spec.containers[*].name}".into()), true, false).unwrap(),
        "[\n    \"x\"\n]\n[\n    \"!\"\n]\n[]\n[\n    \"c\",\n    \"d\"\n]\n"
    );
    assert_eq!(
        print_objects(&[&p], &OutputFormat::JsonPathJson("{range .spec.containers[*]}{.name}{end}".into()), true, false).unwrap(),
        "[\n    \"c\"\n]\n[\n    \"d\"\n]\n"
    );
    assert_eq!(parse_output_format("go-template={{.kind}}").unwrap_err(), "go-template output is not supported in Pilothouse; use -o jsonpath='{...}' instead");
}

#[test]
fn no_panics_on_empty_objects() {
    let now = now();
    for k in Kind::ALL {
        let o = Object::from_json_as(*k, serde_json::json!({"metadata": {}})).unwrap_or_else(|_| {
            Object::from_json_as(*k, serde_json::json!({"metadata": {}, "spec": {}, "provisioner": "", "involvedObject": {}, "addressType": "IPv4", "endpoints": [], "value": 0})).unwrap()
        });
        let src = Mem { now, objs: vec![Arc::new(o.clone())] };
        let _ = print_table(*k, &[&o], &TableOptions { wide: true, show_labels: true, with_namespace: true, ..Default::default() }, now);
        let _ = describe(&o, &src);
        let _ = print_objects(&[&o], &OutputFormat::Yaml, true, false).unwrap();
    }
}

/// kubectl v1.32's own `-o json` and `-o yaml` of the same objects (from `kubectl create ...
/// --dry-run=client`): our YAML of its JSON must equal its YAML.
#[test]
fn yaml_matches_real_kubectl_fixtures() {
    let cases: &[(&str, &str)] = &[
        (include_str!("testdata/configmap_c2.json"), include_str!("testdata/configmap_c2.yaml")),
        (include_str!("testdata/cronjob_c1.json"), include_str!("testdata/cronjob_c1.yaml")),
        (include_str!("testdata/deployment_d1.json"), include_str!("testdata/deployment_d1.yaml")),
        (include_str!("testdata/job_j1.json"), include_str!("testdata/job_j1.yaml")),
        (include_str!("testdata/secret_generic.json"), include_str!("testdata/secret_generic.yaml")),
        (include_str!("testdata/service_nodeport.json"), include_str!("testdata/service_nodeport.yaml")),
    ];
    for (json, yaml) in cases {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(to_yaml(&v), *yaml);
    }
}
