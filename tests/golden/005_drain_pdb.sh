# seed: 5
# kubectl drain honours a PodDisruptionBudget: evictions are refused and retried until the timeout.
minikube delete
minikube start --nodes 2
kubectl create deployment web --image=nginx --replicas=2
sleep 20

kubectl apply -f - <<EOT
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web-pdb
spec:
  minAvailable: 2
  selector:
    matchLabels:
      app: web
EOT
sleep 5
kubectl get pdb
kubectl get pods -o wide
kubectl drain minikube-m02 --ignore-daemonsets --timeout=20s
