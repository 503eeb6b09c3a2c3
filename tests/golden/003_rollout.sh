# seed: 3
# Rolling updates, history, a bad image, undo, scale, labels, watch.
kubectl create deployment nginx --image=nginx:1.16.1 --replicas=3 --port=80
kubectl rollout status deployment/nginx
kubectl get pods -l app=nginx --show-labels
kubectl set image deployment/nginx nginx=nginx:1.17.0
kubectl rollout status deployment/nginx
kubectl rollout history deployment/nginx
kubectl rollout history deployment/nginx --revision=2
kubectl set image deployment/nginx nginx=nginx:9.9
kubectl rollout status deployment/nginx --timeout=30s
kubectl get pods
kubectl rollout undo deployment/nginx
kubectl rollout status deployment/nginx
kubectl rollout undo deployment/nginx --to-revision=2
kubectl scale deployment nginx --replicas=1
kubectl get deploy nginx -o wide
kubectl get pods -w
kubectl label deploy nginx app=other
kubectl annotate deploy nginx kubernetes.io/change-cause="scaled down to one"
kubectl get deploy nginx -o jsonpath='{.metadata.annotations.kubernetes\.io/change-cause}{"\n"}'
kubectl rollout pause deployment/nginx
kubectl rollout pause deployment/nginx
kubectl rollout resume deployment/nginx
kubectl delete deployment nginx
kubectl get all
