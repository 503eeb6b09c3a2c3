# Whole-cluster views: get all, api-resources, api-versions, cluster-info, events, top.
kubectl create deployment web --image=nginx
kubectl create job once --image=busybox -- true
sleep 20
kubectl get all
kubectl get all -A
kubectl api-resources
kubectl api-resources -o wide --api-group=apps
kubectl api-versions
# (Events sorted by a time many share are left out: kubectl's sort is not stable.)
kubectl get componentstatuses
kubectl get --raw /healthz
kubectl auth can-i create pods
kubectl auth whoami
