# seed: 4
# The simulated file system, apply -f, here-documents, and kubectl's error messages.
cat > pod.yaml <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports:
    - containerPort: 80
EOF
ls
kubectl apply -f pod.yaml
kubectl apply -f pod.yaml
kubectl get pods
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  containers:
  - name: c
    image: busybox
    imagee: x
EOF
kubectl apply -f missing.yaml
kubectl create -f pod.yaml
kubectl create deployment x
kubectl create configmap app-config --from-literal=color=blue --from-literal=size=L --dry-run=client -o yaml
kubectl create deployment web --image=nginx --replicas=2 --dry-run=client -o yaml
kubectl foo
kubectl gt pods
kubectl get
kubectl get pods --foo
kubectl get pods -z
kubectl get -n
kubectl get foo
kubectl get deploy nope
kubectl scale deploy/x --replicas=abc
kubectl delete
kubectl delete pods
kubectl logs
kubectl exec web ls
sleep 5
kubectl exec web -- ls /usr/share/nginx/html
kubectl exec web -- sh -c 'echo hello > /tmp/greeting && cat /tmp/greeting'
kubectl exec web -- hostname
kubectl port-forward pod/web 8080:80
curl -s localhost:8080 | head -4
kubectl delete pod web --grace-period=0 --force
kubectl get pods
