//! The real kubectl (v1.32, /usr/bin/kubectl) against `pilothouse serve`: one test per group of
//! commands. Skipped with a loud message when kubectl is not installed.

mod common;
use common::*;
use std::time::Duration;

const BOOTCAMP: &str = "gcr.io/google-samples/kubernetes-bootcamp:v1";

fn env(tag: &str) -> Option<Env> {
    kubectl_available(tag).then(|| Env::new(tag, 7))
}

#[test]
fn version_discovery_and_get() {
    let Some(e) = env("get") else { return };
    assert!(e.ok("version").contains("Server Version: v1.32.0"));
    let nodes = e.ok("get nodes");
    assert!(nodes.starts_with("NAME       STATUS   ROLES           AGE   VERSION\nminikube   Ready    control-plane"), "{nodes}");
    let pods = e.ok("get po -n kube-system -o wide");
    assert!(pods.contains("NOMINATED NODE") && pods.contains("etcd-minikube"), "{pods}");
    assert!(e.ok("get pods -A --show-labels").contains("NAMESPACE"));
    assert!(e.ok("get ns").contains("kube-system"));
    let res = e.ok("api-resources");
    assert!(res.lines().any(|l| l.starts_with("deployments ") && l.contains(" deploy ") && l.contains("apps/v1")), "{res}");
    let (out, code) = e.sh("kubectl get pods");
    assert_eq!((out.as_str(), code), ("No resources found in default namespace.\n", 0));
    let json = e.ok("get node minikube -o json");
    assert!(json.contains("\"kind\": \"Node\""));
    assert!(e.ok("get node minikube -o name") == "node/minikube\n");
    assert!(e.ok("get nodes -o jsonpath={.items[0].metadata.name}") == "minikube");
    assert!(e.ok("get pods -n kube-system -l component=etcd -o name").contains("pod/etcd-minikube"));
    assert!(e.ok("get pods -A --field-selector spec.nodeName=minikube -o name").contains("pod/etcd-minikube"));
}

#[test]
fn errors_read_like_the_real_server() {
    let Some(e) = env("errors") else { return };
    let (out, code) = e.sh("kubectl get pod nope");
    assert_eq!(out, "Error from server (NotFound): pods \"nope\" not found\n");
    assert_eq!(code, 1);
    let (out, _) = e.sh("kubectl get deploy nope");
    assert_eq!(out, "Error from server (NotFound): deployments.apps \"nope\" not found\n");
    let (out, code) = e.sh("kubectl get foos");
    assert_eq!(out, "error: the server doesn't have a resource type \"foos\"\n");
    assert_eq!(code, 1);
    let (out, code) = e.sh("kubectl get pods --bogus");
    assert!(out.contains("unknown flag: --bogus"), "{out}");
    assert_eq!(code, 1);
    e.ok("create namespace team-a");
    let (out, _) = e.sh("kubectl create namespace team-a");
    assert_eq!(out, "Error from server (AlreadyExists): namespaces \"team-a\" already exists\n");
    e.write("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: c\n    imagee: nginx\n");
    let (out, _) = e.sh("kubectl apply -f bad.yaml");
    assert!(out.contains("strict decoding error: unknown field \"spec.containers[0].imagee\""), "{out}");
    // --validate=warn: created, with the API server's warning; =false: created silently.
    e.write("extra.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: c\n    image: nginx\n    imagee: nginx\n");
    let (out, code) = e.sh("kubectl apply --validate=warn -f extra.yaml");
    assert_eq!((out.as_str(), code), ("Warning: unknown field \"spec.containers[0].imagee\"\npod/x created\n", 0));
    e.ok("delete pod x --wait=false");
    let (out, code) = e.sh("kubectl apply --validate=false -f extra.yaml");
    assert_eq!((out.as_str(), code), ("pod/x created\n", 0));
    e.write("invalid.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n");
    let (out, code) = e.sh("kubectl apply -f invalid.yaml");
    assert!(out.contains("The Deployment \"d\" is invalid") && out.contains("spec.replicas"), "{out}");
    assert_eq!(code, 1);
}

#[test]
fn raw_api_status_codes() {
    let Some(e) = kubectl_available("raw").then(|| Env::new("raw", 3)) else { return };
    let p = e.server.port;
    let (code, body) = http(p, "GET", "/api/v1/namespaces/default/pods/x", None, "application/json");
    assert_eq!(code, 404);
    assert!(body.contains("\"reason\":\"NotFound\"") && body.contains("\"details\":{\"name\":\"x\",\"kind\":\"pods\"}"), "{body}");
    let (code, body) = http(p, "POST", "/api/v1/namespaces/default/pods", Some("{not json"), "application/json");
    assert_eq!(code, 400, "{body}");
    let (code, _) = http(p, "POST", "/api/v1/namespaces/default/pods/x", Some("{}"), "application/json");
    assert_eq!(code, 405);
    let (code, body) = http(p, "PUT", "/api/v1/namespaces/default/pods", Some("{}"), "application/json");
    assert_eq!(code, 405, "{body}");
    let (code, _) = http(p, "GET", "/apis/nope/v1", None, "application/json");
    assert_eq!(code, 404);
    let bad = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":-1,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}"#;
    let (code, body) = http(p, "POST", "/apis/apps/v1/namespaces/default/deployments", Some(bad), "application/json");
    assert_eq!(code, 422, "{body}");
    assert!(body.contains("\"causes\""), "{body}");
    let pod = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#;
    let (code, _) = http(p, "POST", "/api/v1/namespaces/default/pods?dryRun=All", Some(pod), "application/json");
    assert_eq!(code, 201);
    assert_eq!(http(p, "GET", "/api/v1/namespaces/default/pods/p", None, "application/json").0, 404);
    assert_eq!(http(p, "POST", "/api/v1/namespaces/default/pods", Some(pod), "application/json").0, 201);
    let (code, body) = http(p, "POST", "/api/v1/namespaces/default/pods", Some(pod), "application/json");
    assert_eq!(code, 409);
    assert!(body.contains("AlreadyExists"));
    let (code, body) = http(p, "PATCH", "/api/v1/namespaces/default/pods/p", Some("[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"a\":\"b\"}}]"), "application/json-patch+json");
    assert_eq!(code, 200, "{body}");
    let (code, _) = http(p, "PATCH", "/api/v1/namespaces/default/pods/p", Some("{}"), "text/plain");
    assert_eq!(code, 415);
    let (code, body) = http(p, "PUT", "/api/v1/namespaces/default/pods/p", Some(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","resourceVersion":"1"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#), "application/json");
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("Conflict"));
    let (code, body) = http(p, "GET", "/api/v1/namespaces/default/pods?labelSelector=a%3Db", None, "application/json");
    assert_eq!(code, 200);
    assert!(body.contains("\"kind\":\"PodList\"") && body.contains("\"name\":\"p\""), "{body}");
    let (code, body) = http(p, "GET", "/api/v1/namespaces/default/pods?labelSelector=a%3D%3D%3D", None, "application/json");
    assert_eq!(code, 400, "{body}");
    let (code, body) = http_with(p, "GET", "/api/v1/namespaces/default/pods", None, "application/json", "application/json;as=Table;v=v1;g=meta.k8s.io");
    assert_eq!(code, 200);
    assert!(body.contains("\"kind\":\"Table\"") && body.contains("\"name\":\"Nominated Node\",\"type\":\"string\",\"format\":\"\",\"description\":\"\",\"priority\":1"), "{body}");
    let (code, body) = http(p, "GET", "/version", None, "application/json");
    assert_eq!(code, 200);
    assert!(body.contains("v1.32.0"));
    let (code, body) = http(p, "GET", "/api/v1/namespaces/default/pods?watch=true&resourceVersion=1&timeoutSeconds=1", None, "application/json");
    assert_eq!(code, 200);
    assert!(body.lines().any(|l| l.starts_with("{\"type\":\"ADDED\"") && l.contains("\"name\":\"p\"")), "{body}");
}

#[test]
fn bootcamp_create_expose_label_scale_set_image_rollout() {
    let Some(e) = env("bootcamp") else { return };
    assert_eq!(e.ok(&format!("create deployment kubernetes-bootcamp --image={BOOTCAMP}")), "deployment.apps/kubernetes-bootcamp created\n");
    let out = e.ok("rollout status deployment/kubernetes-bootcamp");
    assert!(out.ends_with("deployment \"kubernetes-bootcamp\" successfully rolled out\n"), "{out}");
    let out = e.ok("get deployments");
    assert!(out.contains("kubernetes-bootcamp   1/1     1            1"), "{out}");
    assert_eq!(e.ok("expose deployment/kubernetes-bootcamp --type=NodePort --port 8080"), "service/kubernetes-bootcamp exposed\n");
    let svc = e.ok("get svc kubernetes-bootcamp");
    assert!(svc.contains("NodePort") && svc.contains("8080:3"), "{svc}");
    let pod = e.ok("get pods -o jsonpath={.items[0].metadata.name}");
    assert_eq!(e.ok(&format!("label pods {pod} version=v1")), format!("pod/{pod} labeled\n"));
    assert!(e.ok("get pods -l version=v1 -o name").contains(&pod));
    assert_eq!(e.ok("scale deployments/kubernetes-bootcamp --replicas=4"), "deployment.apps/kubernetes-bootcamp scaled\n");
    e.ok("rollout status deployment/kubernetes-bootcamp");
    assert!(e.ok("get deploy kubernetes-bootcamp").contains("4/4"));
    assert_eq!(
        e.ok("set image deployments/kubernetes-bootcamp kubernetes-bootcamp=docker.io/jocatalin/kubernetes-bootcamp:v2"),
        "deployment.apps/kubernetes-bootcamp image updated\n"
    );
    let out = e.ok("rollout status deployments/kubernetes-bootcamp");
    assert!(out.ends_with("successfully rolled out\n"), "{out}");
    let hist = e.ok("rollout history deployment/kubernetes-bootcamp");
    assert!(hist.contains("REVISION  CHANGE-CAUSE\n1         <none>\n2         <none>"), "{hist}");
    assert_eq!(e.ok("rollout undo deployments/kubernetes-bootcamp"), "deployment.apps/kubernetes-bootcamp rolled back\n");
    e.ok("rollout status deployments/kubernetes-bootcamp");
    let img = e.ok("get deploy kubernetes-bootcamp -o jsonpath={.spec.template.spec.containers[0].image}");
    assert_eq!(img, BOOTCAMP);
    let desc = e.ok("describe deployment kubernetes-bootcamp");
    assert!(desc.contains("Name:                   kubernetes-bootcamp") && desc.contains("ScalingReplicaSet"), "{desc}");
    let desc = e.ok("describe services/kubernetes-bootcamp");
    assert!(desc.contains("NodePort:") && desc.contains("Endpoints:"), "{desc}");
    // The rolled-back pods are still terminating (30 s grace): let them go before picking one.
    e.advance(40_000);
    let pod = e.ok("get pods -l app=kubernetes-bootcamp -o jsonpath={.items[0].metadata.name}");
    let logs = e.ok(&format!("logs {pod}"));
    assert!(e.ok(&format!("logs {pod} --tail=1")).lines().count() <= 1, "{logs}");
    assert_eq!(e.ok("delete service -l app=kubernetes-bootcamp"), "service \"kubernetes-bootcamp\" deleted\n");
    assert_eq!(e.ok("delete deployment kubernetes-bootcamp"), "deployment.apps \"kubernetes-bootcamp\" deleted\n");
}

#[test]
fn apply_edit_patch_delete_and_logs() {
    let Some(e) = env("apply") else { return };
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n        ports:\n        - containerPort: 80\n";
    e.write("web.yaml", manifest);
    assert_eq!(e.ok("apply -f web.yaml"), "deployment.apps/web created\n");
    assert_eq!(e.ok("apply -f web.yaml"), "deployment.apps/web unchanged\n");
    e.write("web.yaml", &manifest.replace("replicas: 2", "replicas: 3"));
    assert_eq!(e.ok("apply -f web.yaml"), "deployment.apps/web configured\n");
    e.ok("rollout status deploy/web");
    assert!(e.ok("get deploy web").contains("3/3"));
    assert_eq!(e.ok("patch deploy web -p '{\"spec\":{\"replicas\":1}}'"), "deployment.apps/web patched\n");
    assert_eq!(e.ok("patch deploy web --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]'"), "deployment.apps/web patched\n");
    assert_eq!(e.ok("annotate deploy web team=blue"), "deployment.apps/web annotated\n");
    assert!(e.ok("get deploy web -o yaml").contains("team: blue"));
    e.ok("run once --image=busybox --restart=Never -- echo hello");
    e.advance(20_000);
    let (out, _) = e.sh("kubectl logs once");
    let _ = out;
    let (out, code) = e.sh("kubectl logs nope");
    assert_eq!((out.as_str(), code), ("error: error from server (NotFound): pods \"nope\" not found in namespace \"default\"\n", 1));
    assert_eq!(e.ok("delete -f web.yaml"), "deployment.apps \"web\" deleted\n");
    let pod = e.ok("run p --image=nginx");
    assert_eq!(pod, "pod/p created\n");
    e.advance(10_000);
    assert_eq!(e.ok("delete pod p"), "pod \"p\" deleted\n");
    let (out, _) = e.sh("kubectl get pod p");
    assert_eq!(out, "Error from server (NotFound): pods \"p\" not found\n");
}

#[test]
fn nodes_taint_cordon_drain() {
    let Some(e) = env("nodes") else { return };
    assert_eq!(e.ok("taint nodes minikube dedicated=special:NoSchedule"), "node/minikube tainted\n");
    assert!(e.ok("describe node minikube").contains("Taints:             dedicated=special:NoSchedule"));
    assert_eq!(e.ok("taint nodes minikube dedicated=special:NoSchedule-"), "node/minikube untainted\n");
    assert!(e.ok("describe node minikube").contains("Taints:             <none>"));
    e.ok("create deployment web --image=nginx --replicas=2");
    e.ok("rollout status deploy/web");
    assert_eq!(e.ok("cordon minikube"), "node/minikube cordoned\n");
    assert!(e.ok("get nodes").contains("Ready,SchedulingDisabled"));
    let (out, code) = e.sh_timeout("kubectl drain minikube --ignore-daemonsets --delete-emptydir-data --force --timeout=60s", Duration::from_secs(90));
    assert!(out.contains("node/minikube drained") || out.contains("evicting pod"), "{code}: {out}");
    assert_eq!(e.ok("uncordon minikube"), "node/minikube uncordoned\n");
}

#[test]
fn get_watch_streams_changes() {
    let Some(e) = env("watch") else { return };
    // `get -w` never ends by itself: kill it after a while and look at what it printed.
    let port = e.server.port;
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        let pod = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"w"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#;
        http(port, "POST", "/api/v1/namespaces/default/pods", Some(pod), "application/json");
    });
    let (out, _) = e.sh_timeout("kubectl get pods -w", Duration::from_secs(6));
    t.join().unwrap();
    assert!(out.starts_with("NAME   READY   STATUS"), "{out}");
    assert!(out.contains("w      0/1     Pending") || out.contains("w      1/1     Running"), "{out}");
    assert!(out.lines().count() >= 3, "{out}");
}

#[test]
fn get_watch_with_a_selector_sees_objects_leave_and_join() {
    let Some(e) = env("watch-selector") else { return };
    let port = e.server.port;
    let pod = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"s","labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#;
    assert_eq!(http(port, "POST", "/api/v1/namespaces/default/pods", Some(pod), "application/json").0, 201);
    let t = std::thread::spawn(move || {
        let patch = |app: &str| {
            let body = format!(r#"{{"metadata":{{"labels":{{"app":"{app}"}}}}}}"#);
            http(port, "PATCH", "/api/v1/namespaces/default/pods/s", Some(&body), "application/merge-patch+json").0
        };
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(patch("b"), 200);
        std::thread::sleep(Duration::from_millis(700));
        assert_eq!(patch("a"), 200);
    });
    let (out, _) = e.sh_timeout("kubectl get pods -l app=a -w --output-watch-events", Duration::from_secs(6));
    t.join().unwrap();
    let events: Vec<&str> = out.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
    // Listed (and MODIFIED while it starts), then gone from the selection (DELETED), then back
    // (ADDED), as the API server's watch cache reports it.
    assert_eq!(events.first(), Some(&"ADDED"), "{out}");
    assert_eq!(events[events.len().saturating_sub(2)..], ["DELETED", "ADDED"], "{out}");
    assert!(events[..events.len() - 2].iter().all(|e| *e == "ADDED" || *e == "MODIFIED"), "{out}");
    let header: Vec<&str> = out.lines().next().unwrap_or("").split_whitespace().collect();
    assert_eq!(header, ["EVENT", "NAME", "READY", "STATUS", "RESTARTS", "AGE"], "{out}");
}

#[test]
fn explain_reads_the_served_schema() {
    let Some(e) = env("explain") else { return };
    let pod = e.ok("explain pod");
    std::fs::write(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("explain-pod.txt"), &pod).unwrap();
    assert!(pod.starts_with("KIND:       Pod\nVERSION:    v1\n\nDESCRIPTION:\n    Pod is a collection of containers"), "{pod}");
    assert!(pod.contains("\nFIELDS:\n  apiVersion\t<string>\n"), "{pod}");
    assert!(pod.contains("\n  metadata\t<ObjectMeta>\n"), "{pod}");
    assert!(pod.contains("\n  spec\t<PodSpec>\n"), "{pod}");
    let c = e.ok("explain pods.spec.containers");
    assert!(c.contains("FIELD: containers <[]Container>"), "{c}");
    assert!(c.contains("\n  name\t<string> -required-\n"), "{c}");
    assert!(c.contains("\n  resources\t<ResourceRequirements>\n"), "{c}");
    let d = e.ok("explain deployment.spec.strategy");
    assert!(d.starts_with("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: strategy <DeploymentStrategy>"), "{d}");
    assert!(d.contains("rollingUpdate\t<RollingUpdateDeployment>"), "{d}");
    let q = e.ok("explain pod.spec.containers.resources.limits");
    assert!(q.contains("FIELD: limits <map[string]Quantity>"), "{q}");
    let r = e.ok("explain pod.spec --recursive");
    assert!(r.contains("\n    restartPolicy\t<string>\n") || r.contains("\n  restartPolicy\t<string>\n"), "{r}");
    let (out, code) = e.sh("kubectl explain pod.spec.bogus");
    // The template has printed the kind before it finds the field missing.
    assert_eq!((out.as_str(), code), ("KIND:       Pod\nVERSION:    v1\n\nerror: field \"bogus\" does not exist\n", 1));
    for kind in ["cronjob", "hpa", "pdb", "ingress", "sc", "pvc", "lease", "priorityclass", "endpointslice"] {
        let out = e.ok(&format!("explain {kind}"));
        assert!(out.contains("FIELDS:"), "{kind}: {out}");
    }
}
