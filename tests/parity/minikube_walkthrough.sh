# The seeds' minikube walkthrough (002): hello-node, events, services, kube-system.
kubectl create deployment hello-node --image=registry.k8s.io/e2e-test-images/agnhost:2.39 -- /agnhost netexec --http-port=8080
sleep 20
kubectl get deployments
kubectl get pods
kubectl get events
kubectl expose deployment hello-node --type=LoadBalancer --port=8080
kubectl get services
kubectl get pod,svc -n kube-system
kubectl get nodes
kubectl get nodes -o wide
kubectl describe node minikube
kubectl describe pods -l app=hello-node
kubectl patch storageclass standard -p '{"metadata": {"annotations":{"storageclass.kubernetes.io/is-default-class":"false"}}}'
kubectl get storageclass
kubectl delete service hello-node
kubectl delete deployment hello-node
