//! `kubectl explain`: a table of the main fields of the common kinds with their types and
//! (shortened) descriptions from the Kubernetes API reference, laid out like kubectl v1.32.

use pilothouse_engine::api::Kind;

/// (path, type, description). The path is relative to the kind ("" = the kind itself).
type Field = (&'static str, &'static str, &'static str);

const COMMON: &[Field] = &[
    ("apiVersion", "<string>", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    ("kind", "<string>", "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    ("metadata", "<ObjectMeta>", "Standard object's metadata."),
];

fn kind_doc(kind: Kind) -> Option<(&'static str, Vec<Field>)> {
    Some(match kind {
        Kind::Pod => (
            "Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.",
            vec![
                ("spec", "<PodSpec>", "Specification of the desired behavior of the pod."),
                ("status", "<PodStatus>", "Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only."),
                ("spec.containers", "<[]Container> -required-", "List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated."),
                ("spec.initContainers", "<[]Container>", "List of initialization containers belonging to the pod. Init containers are executed in order prior to containers being started."),
                ("spec.nodeName", "<string>", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName."),
                ("spec.nodeSelector", "<map[string]string>", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
                ("spec.affinity", "<Affinity>", "If specified, the pod's scheduling constraints"),
                ("spec.tolerations", "<[]Toleration>", "If specified, the pod's tolerations."),
                ("spec.restartPolicy", "<string>", "Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always."),
                ("spec.volumes", "<[]Volume>", "List of volumes that can be mounted by containers belonging to the pod."),
                ("spec.terminationGracePeriodSeconds", "<integer>", "Optional duration in seconds the pod needs to terminate gracefully. Defaults to 30 seconds."),
                ("spec.priorityClassName", "<string>", "If specified, indicates the pod's priority."),
                ("spec.serviceAccountName", "<string>", "ServiceAccountName is the name of the ServiceAccount to use to run this pod."),
                ("spec.containers.name", "<string> -required-", "Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated."),
                ("spec.containers.image", "<string>", "Container image name."),
                ("spec.containers.command", "<[]string>", "Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided."),
                ("spec.containers.args", "<[]string>", "Arguments to the entrypoint. The container image's CMD is used if this is not provided."),
                ("spec.containers.ports", "<[]ContainerPort>", "List of ports to expose from the container."),
                ("spec.containers.env", "<[]EnvVar>", "List of environment variables to set in the container. Cannot be updated."),
                ("spec.containers.resources", "<ResourceRequirements>", "Compute Resources required by this container. Cannot be updated."),
                ("spec.containers.livenessProbe", "<Probe>", "Periodic probe of container liveness. Container will be restarted if the probe fails. Cannot be updated."),
                ("spec.containers.readinessProbe", "<Probe>", "Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails. Cannot be updated."),
                ("spec.containers.startupProbe", "<Probe>", "StartupProbe indicates that the Pod has successfully initialized. If specified, no other probes are executed until this completes successfully."),
                ("spec.containers.volumeMounts", "<[]VolumeMount>", "Pod volumes to mount into the container's filesystem. Cannot be updated."),
                ("spec.containers.imagePullPolicy", "<string>", "Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise."),
            ],
        ),
        Kind::Deployment => (
            "Deployment enables declarative updates for Pods and ReplicaSets.",
            vec![
                ("spec", "<DeploymentSpec>", "Specification of the desired behavior of the Deployment."),
                ("status", "<DeploymentStatus>", "Most recently observed status of the Deployment."),
                ("spec.replicas", "<integer>", "Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1."),
                ("spec.selector", "<LabelSelector> -required-", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels."),
                ("spec.template", "<PodTemplateSpec> -required-", "Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is \"Always\"."),
                ("spec.strategy", "<DeploymentStrategy>", "The deployment strategy to use to replace existing pods with new ones."),
                ("spec.minReadySeconds", "<integer>", "Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0."),
                ("spec.revisionHistoryLimit", "<integer>", "The number of old ReplicaSets to retain to allow rollback. Defaults to 10."),
                ("spec.paused", "<boolean>", "Indicates that the deployment is paused."),
                ("spec.progressDeadlineSeconds", "<integer>", "The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s."),
                ("spec.strategy.type", "<string>", "Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is RollingUpdate."),
                ("spec.strategy.rollingUpdate", "<RollingUpdateDeployment>", "Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate."),
            ],
        ),
        Kind::Service => (
            "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
            vec![
                ("spec", "<ServiceSpec>", "Spec defines the behavior of a service."),
                ("status", "<ServiceStatus>", "Most recently observed status of the service. Populated by the system. Read-only."),
                ("spec.type", "<string>", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
                ("spec.selector", "<map[string]string>", "Route service traffic to pods with label keys and values matching this selector."),
                ("spec.ports", "<[]ServicePort>", "The list of ports that are exposed by this service."),
                ("spec.clusterIP", "<string>", "clusterIP is the IP address of the service and is usually assigned randomly."),
                ("spec.ports.port", "<integer> -required-", "The port that will be exposed by this service."),
                ("spec.ports.targetPort", "<IntOrString>", "Number or name of the port to access on the pods targeted by the service."),
                ("spec.ports.nodePort", "<integer>", "The port on each node on which this service is exposed when type is NodePort or LoadBalancer."),
            ],
        ),
        Kind::ReplicaSet => (
            "ReplicaSet ensures that a specified number of pod replicas are running at any given time.",
            vec![("spec", "<ReplicaSetSpec>", "Spec defines the specification of the desired behavior of the ReplicaSet."), ("status", "<ReplicaSetStatus>", "Status is the most recently observed status of the ReplicaSet.")],
        ),
        Kind::ConfigMap => (
            "ConfigMap holds configuration data for pods to consume.",
            vec![
                ("binaryData", "<map[string]string>", "BinaryData contains the binary data."),
                ("data", "<map[string]string>", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'."),
                ("immutable", "<boolean>", "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified)."),
            ],
        ),
        Kind::Namespace => ("Namespace provides a scope for Names. Use of multiple namespaces is optional.", vec![("spec", "<NamespaceSpec>", "Spec defines the behavior of the Namespace."), ("status", "<NamespaceStatus>", "Status describes the current status of a Namespace.")]),
        Kind::Node => ("Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).", vec![("spec", "<NodeSpec>", "Spec defines the behavior of a node."), ("status", "<NodeStatus>", "Most recently observed status of the node."), ("spec.taints", "<[]Taint>", "If specified, the node's taints."), ("spec.unschedulable", "<boolean>", "Unschedulable controls node schedulability of new pods. By default, node is schedulable.")]),
        Kind::PersistentVolumeClaim => ("PersistentVolumeClaim is a user's request for and claim to a persistent volume", vec![("spec", "<PersistentVolumeClaimSpec>", "spec defines the desired characteristics of a volume requested by a pod author."), ("status", "<PersistentVolumeClaimStatus>", "status represents the current information/status of a persistent volume claim. Read-only.")]),
        Kind::PersistentVolume => ("PersistentVolume (PV) is a storage resource provisioned by an administrator. It is analogous to a node.", vec![("spec", "<PersistentVolumeSpec>", "spec defines a specification of a persistent volume owned by the cluster. Provisioned by an administrator."), ("status", "<PersistentVolumeStatus>", "status represents the current information/status for the persistent volume. Populated by the system. Read-only.")]),
        _ => return None,
    })
}

fn wrap(text: &str, indent: usize, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for w in text.split_whitespace() {
        if !line.is_empty() && indent + line.len() + 1 + w.len() > width {
            out.push_str(&" ".repeat(indent));
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        out.push_str(&" ".repeat(indent));
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The text of `kubectl explain KIND[.path]`.
pub fn explain(kind: Kind, path: &[&str]) -> Result<String, String> {
    let info = kind.info();
    let Some((desc, fields)) = kind_doc(kind) else {
        return Ok(format!("KIND:       {}\nVERSION:    {}\n\nDESCRIPTION:\n    Pilothouse has no field documentation for {} yet; see\n    https://kubernetes.io/docs/reference/kubernetes-api/\n    \n", info.kind, info.api_version(), info.kind));
    };
    let mut all: Vec<Field> = COMMON.to_vec();
    all.extend(fields);
    let prefix = path.join(".");
    let mut s = format!("GROUP:      {}\nKIND:       {}\nVERSION:    {}\n\n", info.group, info.kind, info.version);
    if info.group.is_empty() {
        s = format!("KIND:       {}\nVERSION:    {}\n\n", info.kind, info.version);
    }
    let children: Vec<&Field> = all
        .iter()
        .filter(|(p, _, _)| if prefix.is_empty() { !p.contains('.') } else { p.strip_prefix(&format!("{prefix}.")).is_some_and(|r| !r.contains('.')) })
        .collect();
    if prefix.is_empty() {
        s.push_str("DESCRIPTION:\n");
        s.push_str(&wrap(desc, 4, 80));
        s.push_str("    \n");
    } else {
        let Some((_, ty, d)) = all.iter().find(|(p, _, _)| *p == prefix) else {
            return Err(format!("field \"{}\" does not exist", path.last().copied().unwrap_or("")));
        };
        s.push_str(&format!("FIELD: {} {}\n\n", path.last().copied().unwrap_or(""), ty.split(' ').next().unwrap_or(ty)));
        s.push_str("\nDESCRIPTION:\n");
        s.push_str(&wrap(d, 4, 80));
        s.push_str("    \n");
    }
    if !children.is_empty() {
        s.push_str("FIELDS:\n");
        let mut sorted = children.clone();
        sorted.sort_by_key(|f| f.0.rsplit('.').next().unwrap_or(""));
        for (p, ty, d) in sorted {
            let name = p.rsplit('.').next().unwrap_or(p);
            s.push_str(&format!("  {name}\t{ty}\n"));
            s.push_str(&wrap(d, 4, 80));
            s.push('\n');
        }
    }
    Ok(s)
}
