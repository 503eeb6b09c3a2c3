# PersistentVolume and PersistentVolumeClaim binding.
cat > pv.yaml <<'YAML'
apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/data"
YAML
kubectl apply -f pv.yaml
kubectl get pv task-pv-volume
cat > pvc.yaml <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
YAML
kubectl apply -f pvc.yaml
sleep 5
kubectl get pv task-pv-volume
kubectl get pvc task-pv-claim
kubectl describe pvc task-pv-claim
kubectl describe pv task-pv-volume
kubectl delete pvc task-pv-claim
sleep 5
kubectl get pv
