# Rollouts in depth: change causes, pause/resume, set env/resources, a bad image, undo to a revision.
kubectl create deployment shop --image=nginx:1.24 --replicas=3
sleep 30
kubectl annotate deployment shop kubernetes.io/change-cause="initial 1.24"
kubectl set image deployment/shop nginx=nginx:1.25
kubectl annotate deployment shop kubernetes.io/change-cause="upgrade to 1.25" --overwrite
sleep 40
kubectl rollout history deployment/shop
kubectl rollout history deployment/shop --revision=2
kubectl rollout pause deployment/shop
kubectl set env deployment/shop MODE=blue
kubectl set resources deployment/shop -c nginx --limits=cpu=200m,memory=128Mi
kubectl get rs
kubectl rollout resume deployment/shop
sleep 40
kubectl get rs -o wide
kubectl describe deployment shop
kubectl set image deployment/shop nginx=nginx:does-not-exist
sleep 30
kubectl get pods
kubectl rollout status deployment/shop --watch=false
kubectl rollout undo deployment/shop --to-revision=1
sleep 40
kubectl rollout history deployment/shop
kubectl get deployment shop -o wide
kubectl scale deployment shop --replicas=1
sleep 40
kubectl get pods
