# seed: 1
# minikube's "Hello Minikube" walkthrough (seeds/002: minikube 사용해보기).
kubectl get nodes
kubectl create deployment hello-node --image=registry.k8s.io/e2e-test-images/agnhost:2.39 -- /agnhost netexec --http-port=8080
kubectl get deployments
kubectl get pods
sleep 30
kubectl get deployments
kubectl get pods
kubectl get events
kubectl config view
kubectl logs deploy/hello-node
kubectl expose deployment hello-node --type=LoadBalancer --port=8080
kubectl get services
minikube service hello-node
minikube addons list
minikube addons enable metrics-server
kubectl get pod,svc -n kube-system
sleep 60
kubectl top pods
minikube addons disable metrics-server
kubectl delete service hello-node
kubectl delete deployment hello-node
minikube status
