# Errors: missing objects, unknown resource types, bad flags, bad manifests.
kubectl get pod missing
kubectl get deployment missing
kubectl describe pod missing
kubectl get foos
kubectl get pods --bogus
kubectl delete pod missing
kubectl scale deployment missing --replicas=2
kubectl logs missing
kubectl create namespace dup
kubectl create namespace dup
cat > bad.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  containers:
  - name: c
    imagee: nginx
YAML
kubectl apply -f bad.yaml
kubectl get pods
