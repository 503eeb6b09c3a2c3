# seed: 6
# Workloads beyond Deployments: DaemonSet, StatefulSet, Job, CronJob, HPA as kubectl shows them.
minikube delete
minikube start --nodes 2
minikube addons enable metrics-server
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: busybox:1.36
        command: ["sh", "-c", "while true; do sleep 30; done"]
---
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  clusterIP: None
  selector: {app: web}
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
EOF
kubectl create job pi --image=busybox:1.36 -- sh -c "sleep 5; echo 3.14159"
kubectl create cronjob hello --image=busybox:1.36 --schedule="*/1 * * * *" -- echo hello
kubectl create deployment php --image=nginx:1.25 --replicas=1
kubectl set resources deployment php --requests=cpu=200m
kubectl autoscale deployment php --cpu-percent=50 --min=1 --max=5
sleep 90
kubectl get ds,sts,jobs,cronjobs
kubectl get pods -o wide
kubectl get pvc
kubectl get hpa
kubectl logs job/pi
kubectl describe job pi
kubectl describe statefulset web
kubectl describe daemonset agent
