# seed: 7
# kubectl describe for CronJob, HorizontalPodAutoscaler, PodDisruptionBudget and Ingress in
# kubectl's own layouts; ControllerRevisions behind DaemonSet and StatefulSet rollout history
# and undo; a CronJob in a time zone.
minikube delete
minikube start
minikube addons enable metrics-server
minikube addons enable ingress
kubectl create cronjob hello --image=busybox:1.36 --schedule="*/5 * * * *" -- echo hello
kubectl apply -f - <<EOT
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "30 2 * * *"
  timeZone: America/New_York
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 120
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: busybox:1.36
            command: ["sh", "-c", "date"]
EOT
kubectl apply -f - <<EOT
apiVersion: batch/v1
kind: CronJob
metadata:
  name: bad-zone
spec:
  schedule: "0 * * * *"
  timeZone: Mars/Olympus
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: busybox:1.36
EOT
kubectl create deployment php --image=nginx:1.25 --replicas=2 --port=80
kubectl set resources deployment php --requests=cpu=200m
kubectl autoscale deployment php --cpu-percent=50 --min=1 --max=5
kubectl expose deployment php --port=80
kubectl apply -f - <<EOT
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: php-pdb
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: php
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: php
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx
  tls:
  - hosts: [php.example]
    secretName: php-tls
  rules:
  - host: php.example
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: php
            port:
              number: 80
  - http:
      paths:
      - path: /api
        pathType: Prefix
        backend:
          service:
            name: api
            port:
              name: http
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: catch-all
spec:
  defaultBackend:
    service:
      name: php
      port:
        number: 80
EOT
kubectl apply -f - <<EOT
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
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
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
EOT
sleep 400
kubectl get cronjobs
kubectl describe cronjob hello
kubectl describe cronjob nightly
kubectl describe hpa php
kubectl describe pdb php-pdb
kubectl describe ingress php
kubectl describe ingress catch-all
kubectl set image daemonset/agent agent=busybox:1.37
kubectl set image statefulset/web nginx=nginx:1.26
sleep 120
kubectl get controllerrevisions
kubectl rollout history daemonset/agent
kubectl rollout history statefulset/web --revision=1
kubectl rollout undo daemonset/agent --dry-run=client
kubectl rollout undo daemonset/agent
kubectl rollout undo statefulset/web --to-revision=1
sleep 120
kubectl get controllerrevision -l app=agent
kubectl rollout history daemonset agent
kubectl rollout history sts web
kubectl rollout undo sts web --to-revision=7
kubectl delete daemonset agent
sleep 5
kubectl get controllerrevisions
