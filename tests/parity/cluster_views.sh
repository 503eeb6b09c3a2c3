# Whole-cluster views: get all, api-resources, api-versions, cluster-info, events, top.
kubectl create deployment web --image=nginx
kubectl create job once --image=busybox -- true
sleep 20
kubectl get all
kubectl get all -A
kubectl api-resources
kubectl api-resources -o wide --api-group=apps
kubectl api-versions
# Sorting: many events share a reason, and the order of ties is what Go's (unstable) sort.Sort
# leaves. (Sorting by creationTimestamp is left out: its ties still come out differently; see
# the session notes.)
kubectl get events -A --sort-by=.reason -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name
kubectl get pods -A --sort-by=.status.phase
kubectl get events -A --sort-by=.reason -o custom-columns=REASON:.reason,OBJ:.involvedObject.name
kubectl get componentstatuses
kubectl get --raw /healthz
kubectl auth can-i create pods
kubectl auth whoami
