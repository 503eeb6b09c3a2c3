# Output forms and object changes: -o name/yaml/json/jsonpath/custom-columns, -L, sort, selectors;
# apply twice, patch in its three types, replace, label and annotate errors, delete forms.
kubectl create deployment fmt --image=nginx --replicas=2
kubectl label deployment fmt tier=web
sleep 20
kubectl get deploy fmt -o name
kubectl get pods -l app=fmt -o name
kubectl get deploy fmt -o yaml
kubectl get deploy fmt -o json
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\n"}{end}'
kubectl get pods -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image --no-headers
kubectl get deploy -L tier,app
kubectl get pods -A --sort-by=.metadata.name --no-headers
kubectl get pods -l 'app in (fmt,other)',app!=none
cat > cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: "1"
YAML
kubectl apply -f cm.yaml
kubectl apply -f cm.yaml
cat > cm2.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: "2"
  b: "3"
YAML
kubectl apply -f cm2.yaml
kubectl get configmap settings -o yaml
kubectl patch configmap settings -p '{"data":{"c":"4"}}'
kubectl patch deployment fmt --type=json -p '[{"op":"replace","path":"/spec/replicas","value":3}]'
kubectl patch deployment fmt --type=merge -p '{"metadata":{"labels":{"tier":"api"}}}'
kubectl get deploy fmt --show-labels
kubectl label deployment fmt tier=db
kubectl label deployment fmt tier=db --overwrite
kubectl annotate deployment fmt note=x
kubectl annotate deployment fmt note-
kubectl replace -f cm.yaml
kubectl get configmap settings -o jsonpath='{.data}'
kubectl delete configmap settings --dry-run=client
kubectl delete -f cm.yaml
kubectl delete deployment fmt --wait=false
kubectl get deploy
