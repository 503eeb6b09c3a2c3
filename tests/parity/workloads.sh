# Workloads beyond Deployments, configuration and policy objects: get, describe, rollout, events.
# (One key: kubectl describe prints a ConfigMap's data in Go's random map order.)
kubectl create configmap app-config --from-literal=mode=prod
kubectl create secret generic app-secret --from-literal=password=s3cret
kubectl get configmaps
kubectl describe configmap app-config
kubectl describe secret app-secret
kubectl get secret app-secret -o jsonpath='{.data.password}'
kubectl create job hello --image=busybox -- echo hello
sleep 20
kubectl get jobs
kubectl describe job hello
kubectl create cronjob tick --image=busybox --schedule='*/1 * * * *' -- date
sleep 70
kubectl get cronjobs
kubectl describe cronjob tick
cat > sts.yaml <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: busybox
        command: ["sleep", "3600"]
YAML
kubectl apply -f sts.yaml
sleep 40
kubectl get statefulsets,daemonsets -o wide
kubectl describe statefulset web
kubectl describe daemonset agent
kubectl rollout status statefulset/web
kubectl get pods -o wide --show-labels
kubectl get endpoints web
kubectl create quota q --hard=pods=20,services=5
kubectl describe quota q
kubectl create pdb web-pdb --selector=app=web --min-available=1
sleep 5
kubectl get pdb
kubectl describe pdb web-pdb
kubectl create deployment api --image=nginx --replicas=2
sleep 20
kubectl autoscale deployment api --max=5 --cpu-percent=60
kubectl get hpa
kubectl annotate deployment api team=core
kubectl label deployment api tier=backend
kubectl get deployment api --show-labels
kubectl get pods --sort-by=.metadata.name -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName
kubectl rollout restart deployment/api
sleep 30
kubectl rollout status deployment/api
kubectl rollout history deployment/api
# (The restarted ReplicaSet's hash follows the restartedAt time, the real kubectl's wall clock:
# its events are left out.)
kubectl get events --field-selector reason=SuccessfulCreate,involvedObject.kind=CronJob
