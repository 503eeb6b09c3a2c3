# Kubernetes Basics (the bootcamp): deploy, expose, label, scale, update, roll back.
kubectl create deployment kubernetes-bootcamp --image=gcr.io/google-samples/kubernetes-bootcamp:v1
sleep 30
kubectl get deployments
kubectl get pods
kubectl expose deployment/kubernetes-bootcamp --type="NodePort" --port 8080
kubectl get services
kubectl describe services/kubernetes-bootcamp
kubectl get pods -l app=kubernetes-bootcamp
kubectl label pods -l app=kubernetes-bootcamp version=v1
kubectl get pods -l version=v1
kubectl scale deployments/kubernetes-bootcamp --replicas=4
kubectl rollout status deployments/kubernetes-bootcamp
kubectl get deployments
kubectl get pods -o wide
kubectl describe deployments/kubernetes-bootcamp
kubectl scale deployments/kubernetes-bootcamp --replicas=2
sleep 60
kubectl get deployments
kubectl set image deployments/kubernetes-bootcamp kubernetes-bootcamp=docker.io/jocatalin/kubernetes-bootcamp:v2
kubectl rollout status deployments/kubernetes-bootcamp
kubectl get pods
kubectl rollout history deployments/kubernetes-bootcamp
kubectl set image deployments/kubernetes-bootcamp kubernetes-bootcamp=gcr.io/google-samples/kubernetes-bootcamp:v10
sleep 30
kubectl get pods
kubectl rollout undo deployments/kubernetes-bootcamp
kubectl rollout status deployments/kubernetes-bootcamp
kubectl get rs
kubectl delete service -l app=kubernetes-bootcamp
kubectl get services
kubectl delete deployment kubernetes-bootcamp
