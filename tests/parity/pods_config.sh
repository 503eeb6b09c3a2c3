# Pods in detail: resources and QoS, env from ConfigMaps and Secrets, volumes, init containers,
# probes, a crashing container, limit ranges.
kubectl create configmap cfg --from-literal=GREETING=hello
kubectl create secret generic sec --from-literal=TOKEN=abc
cat > pod.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: full
  labels:
    app: full
spec:
  initContainers:
  - name: init
    image: busybox
    command: ["sh", "-c", "echo init"]
  containers:
  - name: app
    image: nginx
    ports:
    - containerPort: 80
      name: http
    env:
    - name: MODE
      value: prod
    - name: GREETING
      valueFrom:
        configMapKeyRef:
          name: cfg
          key: GREETING
    envFrom:
    - secretRef:
        name: sec
    resources:
      requests:
        cpu: 100m
        memory: 64Mi
      limits:
        cpu: 200m
        memory: 128Mi
    readinessProbe:
      httpGet:
        path: /
        port: 80
      periodSeconds: 5
    livenessProbe:
      tcpSocket:
        port: 80
      initialDelaySeconds: 3
    volumeMounts:
    - name: data
      mountPath: /data
    - name: conf
      mountPath: /etc/conf
  volumes:
  - name: data
    emptyDir: {}
  - name: conf
    configMap:
      name: cfg
YAML
kubectl apply -f pod.yaml
sleep 20
kubectl get pod full -o wide
kubectl describe pod full
kubectl get pod full -o jsonpath='{.status.qosClass}'
cat > crash.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: crash
spec:
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "exit 1"]
YAML
kubectl apply -f crash.yaml
sleep 60
kubectl get pod crash
kubectl describe pod crash
kubectl create namespace limited
cat > lr.yaml <<'YAML'
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: limited
spec:
  limits:
  - type: Container
    default:
      cpu: 300m
      memory: 256Mi
    defaultRequest:
      cpu: 100m
      memory: 128Mi
YAML
kubectl apply -f lr.yaml
# (describe limitrange is left out: kubectl prints its resource rows in Go's random map order.)
kubectl get limitrange -n limited
kubectl run guarded --image=nginx -n limited
sleep 10
kubectl get pod guarded -n limited -o jsonpath='{.spec.containers[0].resources}'
kubectl describe pod guarded -n limited
kubectl get events -n limited
