//! Starting points for the YAML editor, one per kind a learner writes most.

/// (name, YAML) pairs, in menu order.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "Pod",
        "apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports:
    - containerPort: 80
    resources:
      requests:
        cpu: 100m
        memory: 64Mi
      limits:
        memory: 128Mi
",
    ),
    (
        "Deployment",
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
        resources:
          requests:
            cpu: 100m
            memory: 64Mi
",
    ),
    (
        "Service",
        "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: ClusterIP
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
",
    ),
    (
        "PersistentVolume",
        "apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-data
spec:
  capacity:
    storage: 1Gi
  accessModes:
  - ReadWriteOnce
  persistentVolumeReclaimPolicy: Retain
  storageClassName: manual
  hostPath:
    path: /data/pv-data
",
    ),
    (
        "PersistentVolumeClaim",
        "apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes:
  - ReadWriteOnce
  storageClassName: manual
  resources:
    requests:
      storage: 1Gi
",
    ),
    (
        "StorageClass",
        "apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: k8s.io/minikube-hostpath
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
",
    ),
    (
        "ConfigMap",
        "apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  greeting: hello
  app.properties: |
    mode=demo
    level=info
",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_applies() {
        for (name, yaml) in TEMPLATES {
            let docs = pilothouse_engine::api::parse_manifests(yaml).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(docs.len(), 1, "{name}");
            assert_eq!(docs[0].object.kind().info().kind, *name);
        }
        let mut sh = pilothouse_kubectl::Shell::new(1);
        for (name, yaml) in TEMPLATES {
            sh.files.insert("/tmp/t.yaml".into(), yaml.to_string());
            let out = sh.run("kubectl apply -f /tmp/t.yaml");
            assert_eq!(out.exit_code, 0, "{name}: {}", out.transcript);
        }
    }
}
