//! What `minikube start` creates: the namespaces, the nodes with their labels, capacity and
//! conditions, the control-plane static pods, CoreDNS, kube-proxy, the storage provisioner,
//! the `kubernetes` and `kube-dns` Services, the system PriorityClasses and the `standard`
//! StorageClass.

use crate::api::{parse_manifests, Kind, Object, ObjectKey};
use crate::cluster::{Cluster, ClusterOptions};
use k8s_openapi::api::core::v1::{Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use std::collections::BTreeMap;

/// Creates the four namespaces every cluster has.
pub fn namespaces(c: &mut Cluster) {
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        let obj = Object::Namespace(k8s_openapi::api::core::v1::Namespace {
            metadata: ObjectMeta { name: Some(ns.into()), ..Default::default() },
            ..Default::default()
        });
        let _ = c.api.create(obj);
    }
    // As the API server creates them (pkg/apis/scheduling: systemPriorityClasses).
    for (name, value, description) in [
        ("system-cluster-critical", 2_000_000_000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
        ("system-node-critical", 2_000_001_000, "Used for system critical pods that must not be moved from their current node."),
    ] {
        let pc = k8s_openapi::api::scheduling::v1::PriorityClass {
            metadata: ObjectMeta { name: Some(name.into()), ..Default::default() },
            value,
            description: Some(description.into()),
            ..Default::default()
        };
        let _ = c.api.create(Object::PriorityClass(pc));
    }
}

/// Creates a node object and its kubelet. Index 1 is the control plane.
pub fn add_node(c: &mut Cluster, name: &str, index: usize, control_plane: bool) {
    let o = c.options.clone();
    let now = Time(c.api.clock.now_secs());
    let mut labels = BTreeMap::new();
    for (k, v) in [
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", name),
        ("kubernetes.io/os", "linux"),
        ("minikube.k8s.io/commit", "dd5d320e41b5451cdf3c01891bc4e13d189586ed-dirty"),
        ("minikube.k8s.io/name", o.profile.as_str()),
        ("minikube.k8s.io/primary", if control_plane { "true" } else { "false" }),
        ("minikube.k8s.io/updated_at", "2025_01_01T00_00_00_0700"),
        ("minikube.k8s.io/version", "v1.35.0"),
    ] {
        labels.insert(k.to_string(), v.to_string());
    }
    if control_plane {
        labels.insert("node-role.kubernetes.io/control-plane".into(), String::new());
        labels.insert("node.kubernetes.io/exclude-from-external-load-balancers".into(), String::new());
    }
    let ip = format!("192.168.49.{}", index + 1);
    let mem_ki = o.memory_mb * 1024;
    let mut cap = BTreeMap::new();
    cap.insert("cpu".to_string(), Quantity(o.cpus.to_string()));
    cap.insert("ephemeral-storage".to_string(), Quantity("17734596Ki".into()));
    cap.insert("hugepages-1Gi".to_string(), Quantity("0".into()));
    cap.insert("hugepages-2Mi".to_string(), Quantity("0".into()));
    cap.insert("memory".to_string(), Quantity(format!("{mem_ki}Ki")));
    cap.insert("pods".to_string(), Quantity("110".into()));
    let cond = |ty: &str, status: &str, reason: &str, message: &str| NodeCondition {
        type_: ty.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_heartbeat_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    };
    let node = Node {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(labels),
            annotations: Some(crate::sort::btree_map([
                ("kubeadm.alpha.kubernetes.io/cri-socket".to_string(), "unix:///var/run/cri-dockerd.sock".to_string()),
                ("node.alpha.kubernetes.io/ttl".to_string(), "0".to_string()),
                ("volumes.kubernetes.io/controller-managed-attach-detach".to_string(), "true".to_string()),
            ])),
            ..Default::default()
        },
        spec: Some(NodeSpec { pod_cidr: Some(format!("10.244.{}.0/24", index - 1)), pod_cidrs: Some(vec![format!("10.244.{}.0/24", index - 1)]), ..Default::default() }),
        status: Some(NodeStatus {
            addresses: Some(vec![NodeAddress { type_: "InternalIP".into(), address: ip.clone() }, NodeAddress { type_: "Hostname".into(), address: name.into() }]),
            allocatable: Some(cap.clone()),
            capacity: Some(cap),
            conditions: Some(vec![
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ]),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                boot_id: c.api.clock.uuid(),
                container_runtime_version: "docker://27.4.1".into(),
                kernel_version: "5.15.0-1074-azure".into(),
                kube_proxy_version: o.kubernetes_version.clone(),
                kubelet_version: o.kubernetes_version.clone(),
                machine_id: c.api.clock.uuid().replace('-', ""),
                operating_system: "linux".into(),
                os_image: "Ubuntu 22.04.5 LTS".into(),
                system_uuid: c.api.clock.uuid(),
            }),
            daemon_endpoints: Some(k8s_openapi::api::core::v1::NodeDaemonEndpoints {
                kubelet_endpoint: Some(k8s_openapi::api::core::v1::DaemonEndpoint { port: 10250 }),
            }),
            ..Default::default()
        }),
    };
    let now_ms = c.api.clock.now_ms();
    c.kubelets.add_node(name, &ip, (index - 1) as u8, now_ms);
    if let Ok(n) = c.api.create(Object::Node(node)) {
        for (reason, msg) in [
            ("Starting", "Starting kubelet.".to_string()),
            ("NodeHasSufficientMemory", format!("Node {name} status is now: NodeHasSufficientMemory")),
            ("NodeHasNoDiskPressure", format!("Node {name} status is now: NodeHasNoDiskPressure")),
            ("NodeHasSufficientPID", format!("Node {name} status is now: NodeHasSufficientPID")),
            ("NodeAllocatableEnforced", "Updated Node Allocatable limit across pods".to_string()),
        ] {
            c.api.record(&n, "Normal", reason, &msg, "kubelet", Some(name));
        }
        c.api.record(&n, "Normal", "RegisteredNode", &format!("Node {name} event: Registered Node {name} in Controller"), "node-controller", None);
    }
    // Every node runs kube-proxy: the DaemonSet controller's pod for this node, made now.
    crate::controllers::daemonset::create_daemon_pods_for_node(&mut c.api, name);
}

fn apply_yaml(c: &mut Cluster, yaml: &str) {
    match parse_manifests(yaml) {
        Ok(objs) => {
            for o in objs {
                let _ = c.api.create(o.object);
            }
        }
        Err(e) => debug_assert!(false, "bootstrap manifest: {e}"),
    }
}

/// Creates what `minikube start` leaves behind.
pub fn minikube(c: &mut Cluster, o: &ClusterOptions) {
    let v = o.kubernetes_version.clone();
    apply_yaml(
        c,
        &format!(
            "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: kube-proxy\n  namespace: kube-system\n  labels:\n    k8s-app: kube-proxy\nspec:\n  selector:\n    matchLabels:\n      k8s-app: kube-proxy\n  template:\n    metadata:\n      labels:\n        k8s-app: kube-proxy\n    spec:\n      priorityClassName: system-node-critical\n      hostNetwork: true\n      serviceAccountName: kube-proxy\n      containers:\n      - name: kube-proxy\n        image: registry.k8s.io/kube-proxy:{v}\n        command: [\"/usr/local/bin/kube-proxy\", \"--config=/var/lib/kube-proxy/config.conf\", \"--hostname-override=$(NODE_NAME)\"]\n      tolerations:\n      - operator: Exists\n",
        ),
    );
    let profile = o.profile.clone();
    add_node(c, &profile, 1, true);
    // Control-plane static pods (mirror pods owned by the node).
    let node_uid = c.api.store.get(&ObjectKey::new(Kind::Node, "", &profile)).and_then(|n| n.metadata().uid.clone()).unwrap_or_default();
    for (comp, image, cpu) in [
        ("etcd", "registry.k8s.io/etcd:3.5.16-0".to_string(), "100m"),
        ("kube-apiserver", format!("registry.k8s.io/kube-apiserver:{v}"), "250m"),
        ("kube-controller-manager", format!("registry.k8s.io/kube-controller-manager:{v}"), "200m"),
        ("kube-scheduler", format!("registry.k8s.io/kube-scheduler:{v}"), "100m"),
    ] {
        let mem = if comp == "etcd" { "\n        memory: 100Mi" } else { "" };
        let yaml = format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {comp}-{profile}\n  namespace: kube-system\n  labels:\n    component: {comp}\n    tier: control-plane\n  annotations:\n    kubernetes.io/config.source: file\n    kubernetes.io/config.mirror: {hash}\n  ownerReferences:\n  - apiVersion: v1\n    kind: Node\n    name: {profile}\n    uid: {node_uid}\n    controller: true\nspec:\n  nodeName: {profile}\n  hostNetwork: true\n  priorityClassName: system-node-critical\n  containers:\n  - name: {comp}\n    image: {image}\n    command: [\"{comp}\"]\n    resources:\n      requests:\n        cpu: {cpu}{mem}\n  tolerations:\n  - operator: Exists\n    effect: NoExecute\n",
            hash = crate::util::safe_encode(&crate::util::fnv32a(comp.as_bytes()).to_string())
        );
        apply_yaml(c, &yaml);
    }
    apply_yaml(
        c,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: coredns\n  namespace: kube-system\n  labels:\n    k8s-app: kube-dns\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      k8s-app: kube-dns\n  strategy:\n    rollingUpdate:\n      maxUnavailable: 1\n  template:\n    metadata:\n      labels:\n        k8s-app: kube-dns\n    spec:\n      priorityClassName: system-cluster-critical\n      serviceAccountName: coredns\n      tolerations:\n      - key: CriticalAddonsOnly\n        operator: Exists\n      - key: node-role.kubernetes.io/control-plane\n        effect: NoSchedule\n      nodeSelector:\n        kubernetes.io/os: linux\n      containers:\n      - name: coredns\n        image: registry.k8s.io/coredns/coredns:v1.11.3\n        args: [\"-conf\", \"/etc/coredns/Corefile\"]\n        resources:\n          limits:\n            memory: 170Mi\n          requests:\n            cpu: 100m\n            memory: 70Mi\n        ports:\n        - containerPort: 53\n          name: dns\n          protocol: UDP\n        - containerPort: 53\n          name: dns-tcp\n          protocol: TCP\n        - containerPort: 9153\n          name: metrics\n          protocol: TCP\n        readinessProbe:\n          httpGet:\n            path: /ready\n            port: 8181\n          periodSeconds: 10\n        livenessProbe:\n          httpGet:\n            path: /health\n            port: 8080\n          initialDelaySeconds: 60\n          timeoutSeconds: 5\n          failureThreshold: 5\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: storage-provisioner\n  namespace: kube-system\n  labels:\n    addonmanager.kubernetes.io/mode: Reconcile\n    integration-test: storage-provisioner\nspec:\n  hostNetwork: true\n  serviceAccountName: storage-provisioner\n  containers:\n  - name: storage-provisioner\n    image: gcr.io/k8s-minikube/storage-provisioner:v5\n    command: [\"/storage-provisioner\"]\n---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: standard\n  annotations:\n    storageclass.kubernetes.io/is-default-class: \"true\"\n  labels:\n    addonmanager.kubernetes.io/mode: EnsureExists\nprovisioner: k8s.io/minikube-hostpath\nreclaimPolicy: Delete\nvolumeBindingMode: Immediate\n",
    );
    apply_yaml(
        c,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubernetes\n  namespace: default\n  labels:\n    component: apiserver\n    provider: kubernetes\nspec:\n  clusterIP: 10.96.0.1\n  ports:\n  - name: https\n    port: 443\n    protocol: TCP\n    targetPort: 8443\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: kube-dns\n  namespace: kube-system\n  labels:\n    k8s-app: kube-dns\n    kubernetes.io/cluster-service: \"true\"\n    kubernetes.io/name: CoreDNS\n  annotations:\n    prometheus.io/port: \"9153\"\n    prometheus.io/scrape: \"true\"\nspec:\n  clusterIP: 10.96.0.10\n  selector:\n    k8s-app: kube-dns\n  ports:\n  - name: dns\n    port: 53\n    protocol: UDP\n    targetPort: 53\n  - name: dns-tcp\n    port: 53\n    protocol: TCP\n    targetPort: 53\n  - name: metrics\n    port: 9153\n    protocol: TCP\n    targetPort: 9153\n",
    );
    // The control plane comes up first, so the system pods land on it; workers join after.
    c.settle();
    for i in 2..=o.nodes.max(1) {
        let name = format!("{profile}-m{i:02}");
        add_node(c, &name, i, false);
    }
    c.addons.insert("default-storageclass".into(), true);
    c.addons.insert("storage-provisioner".into(), true);
}
