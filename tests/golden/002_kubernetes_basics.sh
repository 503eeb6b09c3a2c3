# seed: 2
# kubernetes.io "Learn Kubernetes Basics" (modules 2-6).
kubectl create deployment kubernetes-bootcamp --image=gcr.io/google-samples/kubernetes-bootcamp:v1
kubectl get deployments
sleep 30
kubectl proxy
curl http://localhost:8001/version
export POD_NAME=$(kubectl get pods -o jsonpath='{.items[0].metadata.name}')
echo Name of the Pod: $POD_NAME
curl http://localhost:8001/api/v1/namespaces/default/pods/$POD_NAME:8080/proxy/
kubectl get pods
kubectl logs "$POD_NAME"
kubectl exec "$POD_NAME" -- env
kubectl exec "$POD_NAME" -- curl http://localhost:8080
kubectl expose deployment/kubernetes-bootcamp --type="NodePort" --port 8080
kubectl get services
export NODE_PORT=$(kubectl get services/kubernetes-bootcamp -o jsonpath='{.spec.ports[0].nodePort}')
echo "NODE_PORT=$NODE_PORT"
curl http://"$(minikube ip):$NODE_PORT"
kubectl get pods -l app=kubernetes-bootcamp
kubectl get services -l app=kubernetes-bootcamp
kubectl label pods "$POD_NAME" version=v1
kubectl get pods -l version=v1
kubectl delete service -l app=kubernetes-bootcamp
kubectl get services
kubectl scale deployments/kubernetes-bootcamp --replicas=4
kubectl get deployments
kubectl get pods -o wide
kubectl scale deployments/kubernetes-bootcamp --replicas=2
kubectl get deployments
kubectl set image deployments/kubernetes-bootcamp kubernetes-bootcamp=docker.io/jocatalin/kubernetes-bootcamp:v2
kubectl rollout status deployments/kubernetes-bootcamp
kubectl get pods
kubectl set image deployments/kubernetes-bootcamp kubernetes-bootcamp=gcr.io/google-samples/kubernetes-bootcamp:v10
kubectl get deployments
kubectl get pods
kubectl rollout undo deployments/kubernetes-bootcamp
kubectl rollout status deployments/kubernetes-bootcamp
kubectl get pods
kubectl delete deployments/kubernetes-bootcamp
