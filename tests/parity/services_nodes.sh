# Services, endpoints, ingress and nodes: describe and get in their forms.
kubectl create deployment web --image=nginx --replicas=2 --port=80
sleep 20
kubectl expose deployment web --port=80 --target-port=80
kubectl expose deployment web --name=web-np --type=NodePort --port=80
kubectl get svc -o wide
kubectl describe svc web
kubectl get endpoints web -o wide
kubectl get endpointslices -l kubernetes.io/service-name=web
kubectl create ingress web --rule=web.example.com/=web:80
kubectl get ingress
kubectl describe ingress web
kubectl get ingressclass
kubectl create namespace team-a
kubectl run probe --image=nginx -n team-a --labels=app=probe
sleep 15
kubectl get pods -n team-a -o wide
kubectl describe pod probe -n team-a
kubectl get ns
kubectl describe namespace team-a
kubectl label node minikube disktype=ssd
kubectl get nodes --show-labels
kubectl taint nodes minikube dedicated=web:PreferNoSchedule
kubectl describe node minikube
kubectl cordon minikube
kubectl get nodes
kubectl uncordon minikube
kubectl taint nodes minikube dedicated-
kubectl get pods -A --field-selector=status.phase=Running
kubectl get deploy,rs,svc -l app=web
kubectl logs deployment/web --tail=2
kubectl delete ingress web
kubectl delete svc web-np
kubectl get svc
