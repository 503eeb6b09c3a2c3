# Taints, tolerations and pod anti-affinity on a one-node cluster.
kubectl taint nodes minikube dedicated=special:NoSchedule
kubectl describe node minikube
kubectl run plain --image=nginx
sleep 10
kubectl get pods
kubectl describe pod plain
kubectl taint nodes minikube dedicated=special:NoSchedule-
sleep 10
kubectl get pods
cat > anti.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: spread
spec:
  replicas: 2
  selector:
    matchLabels:
      app: spread
  template:
    metadata:
      labels:
        app: spread
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels:
                app: spread
            topologyKey: kubernetes.io/hostname
      containers:
      - name: nginx
        image: nginx
YAML
kubectl apply -f anti.yaml
sleep 20
kubectl get pods -l app=spread
kubectl get deploy spread
kubectl cordon minikube
kubectl get nodes
kubectl uncordon minikube
