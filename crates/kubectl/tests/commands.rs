//! Command families through `Shell::run`, with exact expected output and exit codes.

use pilothouse_kubectl::{Effect, Shell};

/// A shell whose streaming commands run inline (as in scripts and the native terminal).
fn sh() -> Shell {
    let mut s = Shell::new(42);
    s.blocking = true;
    s
}

fn run(s: &mut Shell, line: &str) -> (String, String, i32) {
    let o = s.run(line);
    (o.stdout, o.stderr, o.exit_code)
}

#[test]
fn unknown_command_and_flags() {
    let mut s = sh();
    assert_eq!(run(&mut s, "kubectl foo"), (String::new(), "error: unknown command \"foo\" for \"kubectl\"\n\nDid you mean this?\n\ttop\n".into(), 1));
    assert_eq!(run(&mut s, "kubectl get pods --foo"), (String::new(), "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n".into(), 1));
    assert_eq!(run(&mut s, "kubectl get foo").1, "error: the server doesn't have a resource type \"foo\"\n");
    assert_eq!(run(&mut s, "kubectl get deploy x").1, "Error from server (NotFound): deployments.apps \"x\" not found\n");
    assert_eq!(run(&mut s, "nosuch").1, "nosuch: command not found\n");
}

#[test]
fn get_empty_namespace_and_forms() {
    let mut s = sh();
    assert_eq!(run(&mut s, "kubectl get pods"), (String::new(), "No resources found in default namespace.\n".into(), 0));
    assert_eq!(run(&mut s, "kubectl get pods -n=kube-system -l component=etcd -o name").0, "pod/etcd-minikube\n");
    assert_eq!(run(&mut s, "kubectl -n kube-system get po/etcd-minikube -oname").0, "pod/etcd-minikube\n");
    assert_eq!(run(&mut s, "kubectl get pods -A --field-selector metadata.namespace=default").1, "No resources found\n");
    let (out, _, _) = run(&mut s, "kubectl get nodes -o jsonpath={.items[0].metadata.name}");
    assert_eq!(out, "minikube");
    let (out, _, code) = run(&mut s, "kubectl get svc,no");
    assert_eq!(code, 0);
    assert!(out.contains("service/kubernetes") && out.contains("\n\nNAME") && out.contains("node/minikube"), "{out}");
}

#[test]
fn create_deployment_and_scale() {
    let mut s = sh();
    assert_eq!(run(&mut s, "kubectl create deployment web --image=nginx --replicas=2").0, "deployment.apps/web created\n");
    assert_eq!(run(&mut s, "kubectl create deployment web --image=nginx").1, "Error from server (AlreadyExists): deployments.apps \"web\" already exists\n");
    assert_eq!(run(&mut s, "kubectl scale deploy/web --replicas=3").0, "deployment.apps/web scaled\n");
    assert_eq!(run(&mut s, "kubectl scale deploy web --replicas=1 --current-replicas=2").1, "error: Expected replicas to be 2, was 3\n");
    assert_eq!(run(&mut s, "kubectl scale deploy web").1, "error: required flag(s) \"replicas\" not set\n");
    let (out, _, _) = run(&mut s, "kubectl rollout status deploy/web");
    assert!(out.ends_with("deployment \"web\" successfully rolled out\n"), "{out}");
    assert_eq!(run(&mut s, "kubectl get deploy web -o jsonpath={.status.readyReplicas}").0, "3");
}

#[test]
fn dry_run_yaml_matches_kubectl() {
    let mut s = sh();
    let (out, _, _) = run(&mut s, "kubectl create deployment hello-node --image=registry.k8s.io/e2e-test-images/agnhost:2.39 --dry-run=client -o yaml -- /agnhost netexec --http-port=8080");
    assert_eq!(
        out,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  creationTimestamp: null\n  labels:\n    app: hello-node\n  name: hello-node\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: hello-node\n  strategy: {}\n  template:\n    metadata:\n      creationTimestamp: null\n      labels:\n        app: hello-node\n    spec:\n      containers:\n      - command:\n        - /agnhost\n        - netexec\n        - --http-port=8080\n        image: registry.k8s.io/e2e-test-images/agnhost:2.39\n        name: agnhost\n        resources: {}\nstatus: {}\n"
    );
    assert_eq!(run(&mut s, "kubectl get deploy").1, "No resources found in default namespace.\n");
    let (out, _, _) = run(&mut s, "kubectl create service nodeport x --tcp=80:8080 --dry-run=client -o yaml");
    assert_eq!(out, "apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: null\n  labels:\n    app: x\n  name: x\nspec:\n  ports:\n  - name: 80-8080\n    port: 80\n    protocol: TCP\n    targetPort: 8080\n  selector:\n    app: x\n  type: NodePort\nstatus:\n  loadBalancer: {}\n");
    let (out, _, _) = run(&mut s, "kubectl create secret generic s --from-literal=a=b --dry-run=client -o yaml");
    assert_eq!(out, "apiVersion: v1\ndata:\n  a: Yg==\nkind: Secret\nmetadata:\n  creationTimestamp: null\n  name: s\n");
}

#[test]
fn apply_heredoc_and_errors() {
    let mut s = sh();
    let pod = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\nEOF";
    assert_eq!(run(&mut s, pod).0, "pod/p created\n");
    assert_eq!(run(&mut s, pod).0, "pod/p unchanged\n");
    assert_eq!(run(&mut s, "kubectl apply -f nope.yaml").1, "error: the path \"nope.yaml\" does not exist\n");
    let bad = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Foo\nmetadata:\n  name: x\nEOF";
    assert_eq!(run(&mut s, bad).1, "error: resource mapping not found for name: \"x\" namespace: \"\" from \"STDIN\": no matches for kind \"Foo\" in version \"v1\"\nensure CRDs are installed first\n");
    s.run("cat > x.yaml <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: : :\nEOF");
    let (_, err, code) = run(&mut s, "kubectl apply -f x.yaml");
    assert!(err.starts_with("error: error parsing x.yaml: error converting YAML to JSON: yaml: line "), "{err}");
    assert_eq!(code, 1);
}

#[test]
fn delete_waits_and_force_warns() {
    let mut s = sh();
    s.run("kubectl run p --image=nginx");
    s.run("sleep 10");
    let before = s.cluster.now_ms();
    assert_eq!(run(&mut s, "kubectl delete pod p").0, "pod \"p\" deleted\n");
    assert!(s.cluster.now_ms() > before, "virtual time advanced during graceful deletion");
    assert_eq!(run(&mut s, "kubectl get pod p").1, "Error from server (NotFound): pods \"p\" not found\n");
    s.run("kubectl run q --image=nginx");
    let (out, err, _) = run(&mut s, "kubectl delete pod q --force --grace-period=0");
    assert_eq!(out, "pod \"q\" force deleted\n");
    assert!(err.starts_with("Warning: Immediate deletion does not wait"), "{err}");
    assert_eq!(run(&mut s, "kubectl delete pods").1, "error: resource(s) were provided, but no name was specified\n");
    assert_eq!(run(&mut s, "kubectl delete pods -l app=none").0, "No resources found\n");
}

#[test]
fn labels_and_annotations() {
    let mut s = sh();
    s.run("kubectl run p --image=nginx --labels=app=x");
    assert_eq!(run(&mut s, "kubectl label pod p app=y").1, "error: 'app' already has a value (x), and --overwrite is false\n");
    assert_eq!(run(&mut s, "kubectl label pod p app=y --overwrite").0, "pod/p labeled\n");
    assert_eq!(run(&mut s, "kubectl label pod p app-").0, "pod/p unlabeled\n");
    assert_eq!(run(&mut s, "kubectl annotate pod p note=hi").0, "pod/p annotated\n");
    assert_eq!(run(&mut s, "kubectl get pod p -o jsonpath={.metadata.annotations.note}").0, "hi");
}

#[test]
fn nodes_taint_cordon_drain() {
    let mut s = sh();
    assert_eq!(run(&mut s, "kubectl taint nodes minikube key=value:NoSchedule").0, "node/minikube tainted\n");
    assert_eq!(run(&mut s, "kubectl taint nodes minikube key=value:NoSchedule").1, "error: node minikube already has key taint(s) with same effect(s) and --overwrite is false\n");
    assert_eq!(run(&mut s, "kubectl taint nodes minikube key:NoSchedule-").0, "node/minikube untainted\n");
    assert_eq!(run(&mut s, "kubectl cordon minikube").0, "node/minikube cordoned\n");
    assert_eq!(run(&mut s, "kubectl cordon minikube").0, "node/minikube already cordoned\n");
    assert_eq!(run(&mut s, "kubectl uncordon minikube").0, "node/minikube uncordoned\n");
    let (out, err, code) = run(&mut s, "kubectl drain minikube");
    assert_eq!(out, "node/minikube cordoned\n");
    assert!(err.starts_with("error: unable to drain node \"minikube\" due to error: [cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/kube-proxy-"), "{err}");
    assert_eq!(code, 1);
    let (out, _, code) = run(&mut s, "kubectl drain minikube --ignore-daemonsets --force");
    assert!(out.starts_with("node/minikube already cordoned\nevicting pod kube-system/"), "{out}");
    assert!(out.ends_with("node/minikube drained\n"), "{out}");
    assert_eq!(code, 0);
}

#[test]
fn logs_and_exec() {
    let mut s = sh();
    s.run("kubectl create deployment hello --image=registry.k8s.io/e2e-test-images/agnhost:2.39 -- /agnhost netexec --http-port=8080");
    s.run("sleep 20");
    let (out, _, code) = run(&mut s, "kubectl logs deploy/hello");
    assert_eq!(code, 0);
    assert!(out.contains("Started HTTP server on port 8080"), "{out}");
    assert_eq!(run(&mut s, "kubectl logs nope").1, "error: error from server (NotFound): pods \"nope\" not found in namespace \"default\"\n");
    let pod = s.run("kubectl get pods -o jsonpath={.items[0].metadata.name}").stdout;
    assert_eq!(run(&mut s, &format!("kubectl exec {pod} -- hostname")).0, format!("{pod}\n"));
    assert_eq!(run(&mut s, &format!("kubectl exec {pod} -c nope -- ls")).1, format!("error: container nope is not valid for pod {pod}\n"));
    let (_, err, code) = run(&mut s, &format!("kubectl exec {pod} -- frobnicate"));
    assert!(err.ends_with("command terminated with exit code 127\n"), "{err}");
    assert_eq!(code, 127);
}

#[test]
fn rollout_history_and_undo() {
    let mut s = sh();
    s.run("kubectl create deployment web --image=nginx:1.16.1");
    s.run("kubectl rollout status deploy/web");
    assert_eq!(run(&mut s, "kubectl set image deploy/web nginx=nginx:1.17.0").0, "deployment.apps/web image updated\n");
    assert_eq!(run(&mut s, "kubectl set image deploy/web nope=nginx").1, "error: unable to find container named \"nope\"\n");
    s.run("kubectl rollout status deploy/web");
    assert_eq!(run(&mut s, "kubectl rollout history deploy/web").0, "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n");
    assert_eq!(run(&mut s, "kubectl rollout undo deploy/web").0, "deployment.apps/web rolled back\n");
    assert_eq!(run(&mut s, "kubectl get deploy web -o jsonpath={.spec.template.spec.containers[0].image}").0, "nginx:1.16.1");
    assert_eq!(run(&mut s, "kubectl rollout undo deploy/web --to-revision=9").1, "error: unable to find specified revision 9 in history\n");
}

#[test]
fn expose_and_services() {
    let mut s = sh();
    s.run("kubectl create deployment web --image=nginx --port=80");
    assert_eq!(run(&mut s, "kubectl expose deployment web --type=NodePort").0, "service/web exposed\n");
    let (out, _, _) = run(&mut s, "kubectl get svc web -o jsonpath={.spec.selector.app}/{.spec.ports[0].targetPort}");
    assert_eq!(out, "web/80");
    s.run("kubectl run lonely --image=nginx --labels=");
    assert!(run(&mut s, "kubectl expose pod lonely --port=80").1.starts_with("error: couldn't retrieve selectors"));
    let (out, _, _) = run(&mut s, "minikube service web --url");
    assert!(out.starts_with("http://192.168.49.2:3"), "{out}");
}

#[test]
fn minikube_status_stop_start_and_addons() {
    let mut s = sh();
    assert_eq!(run(&mut s, "minikube status"), ("minikube\ntype: Control Plane\nhost: Running\nkubelet: Running\napiserver: Running\nkubeconfig: Configured\n\n".into(), String::new(), 0));
    assert_eq!(run(&mut s, "minikube ip").0, "192.168.49.2\n");
    assert_eq!(run(&mut s, "kubectl top pods").1, "error: Metrics API not available\n");
    let (out, _, _) = run(&mut s, "minikube addons enable metrics-server");
    assert!(out.ends_with("🌟  The 'metrics-server' addon is enabled\n"), "{out}");
    assert!(s.cluster.addons["metrics-server"]);
    assert_eq!(run(&mut s, "minikube stop").0, "✋  Stopping node \"minikube\"  ...\n🛑  Powering off \"minikube\" via SSH ...\n🛑  1 node stopped.\n");
    assert_eq!(run(&mut s, "minikube status").2, 7);
    assert_eq!(run(&mut s, "kubectl get pods").1, "The connection to the server 192.168.49.2:8443 was refused - did you specify the right host or port?\n");
    let (out, _, _) = run(&mut s, "minikube start");
    assert!(out.contains("🔄  Restarting existing docker container for \"minikube\" ..."), "{out}");
    assert_eq!(run(&mut s, "kubectl get nodes -o name").0, "node/minikube\n");
    let (out, _, _) = run(&mut s, "minikube delete");
    assert!(out.ends_with("💀  Removed all traces of the \"minikube\" cluster.\n"));
    assert_eq!(run(&mut s, "kubectl get pods").1, "The connection to the server localhost:8080 was refused - did you specify the right host or port?\n");
    let (out, _, _) = run(&mut s, "minikube start --nodes 2");
    assert!(out.contains("👍  Starting \"minikube-m02\" worker node in \"minikube\" cluster"), "{out}");
    assert_eq!(run(&mut s, "kubectl get nodes -o name").0, "node/minikube\nnode/minikube-m02\n");
}

#[test]
fn config_contexts() {
    let mut s = sh();
    assert_eq!(run(&mut s, "kubectl config current-context").0, "minikube\n");
    assert_eq!(run(&mut s, "kubectl config set-context --current --namespace=kube-system").0, "Context \"minikube\" modified.\n");
    assert_eq!(run(&mut s, "kubectl get pods -o name -l component=etcd").0, "pod/etcd-minikube\n");
    assert_eq!(run(&mut s, "kubectl config get-contexts").0, "CURRENT   NAME       CLUSTER    AUTHINFO   NAMESPACE\n*         minikube   minikube   minikube   kube-system\n");
    assert_eq!(run(&mut s, "kubectl config use-context nope").1, "error: no context exists with the name: \"nope\"\n");
    assert_eq!(run(&mut s, "kubectl version").0, "Client Version: v1.32.0\nKustomize Version: v5.5.0\nServer Version: v1.32.0\n");
}

#[test]
fn proxy_and_port_forward() {
    let mut s = sh();
    assert_eq!(run(&mut s, "kubectl proxy").0, "Starting to serve on 127.0.0.1:8001\n");
    let (out, _, _) = run(&mut s, "curl -s localhost:8001/api/v1/namespaces/default/pods/nope");
    assert!(out.contains("\"message\": \"pods \\\"nope\\\" not found\""), "{out}");
    s.run("kubectl run web --image=nginx --port=80");
    s.run("sleep 10");
    assert_eq!(run(&mut s, "kubectl port-forward web 8080:80").0, "Forwarding from 127.0.0.1:8080 -> 80\nForwarding from [::1]:8080 -> 80\n");
    assert!(run(&mut s, "curl localhost:8080").0.contains("Welcome to nginx!"));
    assert!(run(&mut s, "curl localhost:8001/api/v1/namespaces/default/pods/web/proxy/").0.contains("Welcome to nginx!"));
    assert_eq!(run(&mut s, "curl localhost:9999").1, "curl: (7) Failed to connect to localhost port 9999 after 0 ms: Couldn't connect to server\n");
}

#[test]
fn shell_niceties() {
    let mut s = sh();
    assert_eq!(run(&mut s, "echo hi && echo there || echo never").0, "hi\nthere\n");
    assert_eq!(run(&mut s, "false || echo fallback").0, "fallback\n");
    s.run("export NAME=web");
    assert_eq!(run(&mut s, "echo $NAME ${NAME}-1 '$NAME'").0, "web web-1 $NAME\n");
    assert_eq!(run(&mut s, "k get nodes -o name").0, "node/minikube\n");
    assert_eq!(s.run("clear").effects, vec![Effect::ClearScreen]);
    let before = s.cluster.now_ms();
    s.run("sleep 90");
    assert_eq!(s.cluster.now_ms(), before + 90_000);
    s.run("echo a > f.txt");
    s.run("echo b >> f.txt");
    assert_eq!(run(&mut s, "cat f.txt").0, "a\nb\n");
    assert_eq!(run(&mut s, "cat nope").1, "cat: nope: No such file or directory\n");
    assert!(run(&mut s, "history").0.contains("  export NAME=web\n"));
    let e = s.run("kubectl edit deploy/coredns -n kube-system").effects;
    assert!(matches!(e.first(), Some(Effect::OpenEditor { .. })), "{e:?}");
}

#[test]
fn script_transcript_interleaves_and_echoes() {
    let mut s = sh();
    let t = s.run_script("# comment\n\nkubectl get pods\necho \\\n  joined\nkubectl get nope\n");
    assert_eq!(t, "# comment\n$ kubectl get pods\nNo resources found in default namespace.\n$ echo \\\n>   joined\njoined\n$ kubectl get nope\nerror: the server doesn't have a resource type \"nope\"\n");
}

#[test]
fn completion() {
    let s = sh();
    assert_eq!(s.complete("kub"), vec!["kubectl"]);
    assert!(s.complete("kubectl ge").contains(&"get".to_string()));
    assert!(s.complete("kubectl get dep").contains(&"deployments".to_string()));
    assert_eq!(s.complete("kubectl get nodes mini"), vec!["minikube"]);
    assert_eq!(s.complete("minikube addons en"), vec!["enable"]);
}

#[test]
fn page_mode_streams_through_watches() {
    let mut s = Shell::new(1);
    s.run("kubectl create deployment web --image=nginx");
    let o = s.run("kubectl rollout status deploy/web");
    let Some(Effect::StartWatch { id }) = o.effects.first().cloned() else { panic!("{o:?}") };
    let mut text = String::new();
    for _ in 0..30 {
        s.advance(1000);
        match s.poll_watch(id) {
            Some(t) => text.push_str(&t),
            None => break,
        }
    }
    assert!(text.ends_with("deployment \"web\" successfully rolled out\n"), "{text}");
    assert_eq!(s.poll_watch(id), None);
}

#[test]
fn determinism() {
    let script = "kubectl create deployment a --image=nginx --replicas=3\nkubectl get pods -w\nkubectl get pods -o wide\n";
    assert_eq!(Shell::new(9).run_script(script), Shell::new(9).run_script(script));
}
