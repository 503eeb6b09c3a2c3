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
fn client_side_checks_in_kubectls_order_and_words() {
    let mut s = sh();
    let err = |s: &mut Shell, line: &str| {
        let (out, err, code) = run(s, line);
        assert_eq!((out.as_str(), code), ("", 1), "{line}: {err}");
        err
    };
    // kubectl run: the image, the name, the restart policy, then --env, --labels and --port.
    assert_eq!(err(&mut s, "kubectl run x --image=nginx --labels=bad --env=NOEQ --port=abc"), "error: invalid env: NOEQ\n");
    assert_eq!(err(&mut s, "kubectl run x --image=nginx --env=1BAD=x"), "error: invalid env: 1BAD=x\n");
    assert_eq!(err(&mut s, "kubectl run x --image=nginx --labels=a=b,c --port=abc"), "error: unexpected label spec: c\n");
    assert_eq!(err(&mut s, "kubectl run x --image=nginx --labels==b"), "error: unexpected empty label key\n");
    assert_eq!(err(&mut s, "kubectl run x --image=nginx --port=abc"), "error: strconv.Atoi: parsing \"abc\": invalid syntax\n");
    assert_eq!(run(&mut s, "kubectl run x --image=nginx --labels= --port=0 --dry-run=client -o jsonpath={.metadata.labels.run}/{.spec.containers[0].ports[0].containerPort}").0, "x/0");
    // create: a job needs exactly one of --image and --from; services read ports as kubectl does.
    assert_eq!(err(&mut s, "kubectl create job j"), "error: either --image or --from must be specified\n");
    assert_eq!(err(&mut s, "kubectl create job j --image=busybox --from=cronjob/c"), "error: either --image or --from must be specified\n");
    assert_eq!(err(&mut s, "kubectl create service clusterip s --tcp=abc"), "error: strconv.ParseUint: parsing \"abc\": invalid syntax\n");
    assert_eq!(err(&mut s, "kubectl create service clusterip s --tcp=70000"), "error: strconv.ParseUint: parsing \"70000\": value out of range\n");
    assert_eq!(run(&mut s, "kubectl create service clusterip s --tcp=80 --tcp=443:https --dry-run=client -o jsonpath={.spec.ports[*].name}").0, "80 443-https");
    assert_eq!(err(&mut s, "kubectl create secret generic s --from-literal=a=1 --from-literal=a=2"), "error: cannot add key a, another key by that name already exists\n");
    assert_eq!(err(&mut s, "kubectl create configmap c --from-literal=a=1 --from-literal=a=2"), "error: cannot add key \"a\", another key by that name already exists in Data for ConfigMap \"c\"\n");
    // autoscale validates before it looks anything up.
    assert_eq!(err(&mut s, "kubectl autoscale deployment nope --max=0"), "error: --max=MAXPODS is required and must be at least 1, max: 0\n");
    assert_eq!(err(&mut s, "kubectl autoscale deployment nope --max=2 --min=3"), "error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: 2, min: 3\n");
    // Flags and arguments elsewhere.
    assert_eq!(err(&mut s, "kubectl wait pod/x"), "error: unrecognized condition: \"\"\n");
    assert_eq!(err(&mut s, "kubectl exec"), "error: pod, type/name or --filename must be specified\n");
    assert_eq!(err(&mut s, "kubectl api-resources -o bogus"), "error: --output bogus is not available\n");
    assert_eq!(err(&mut s, "kubectl top pods --bogus"), "error: unknown flag: --bogus\nSee 'kubectl top pod --help' for usage.\n");
    assert!(err(&mut s, "kubectl get pods --output-watch-events=x").starts_with("error: invalid argument \"x\" for \"--output-watch-events\" flag: strconv.ParseBool"));
    assert_eq!(err(&mut s, "kubectl config set-context"), "error: you must specify a non-empty context name or --current\n");
    let (out, e, code) = run(&mut s, "kubectl config use-context");
    assert!(out.starts_with("Set the current-context in a kubeconfig file.") && e == "error: Unexpected args: []\n" && code == 1, "{out}{e}");
}

#[test]
fn config_view_as_kubectl_prints_minikubes_kubeconfig() {
    let mut s = sh();
    // -o json: clientcmd's typed Config, fields in Go's order (checked against kubectl reading
    // the kubeconfig `kubectl config view --raw` prints).
    assert_eq!(run(&mut s, "kubectl config view -o json").0, "{\n    \"kind\": \"Config\",\n    \"apiVersion\": \"v1\",\n    \"preferences\": {},\n    \"clusters\": [\n        {\n            \"name\": \"minikube\",\n            \"cluster\": {\n                \"server\": \"https://192.168.49.2:8443\",\n                \"certificate-authority\": \"/home/learner/.minikube/ca.crt\",\n                \"extensions\": [\n                    {\n                        \"name\": \"cluster_info\",\n                        \"extension\": {\n                            \"last-update\": \"Wed, 01 Jan 2025 00:00:00 UTC\",\n                            \"provider\": \"minikube.sigs.k8s.io\",\n                            \"version\": \"v1.35.0\"\n                        }\n                    }\n                ]\n            }\n        }\n    ],\n    \"users\": [\n        {\n            \"name\": \"minikube\",\n            \"user\": {\n                \"client-certificate\": \"/home/learner/.minikube/profiles/minikube/client.crt\",\n                \"client-key\": \"/home/learner/.minikube/profiles/minikube/client.key\"\n            }\n        }\n    ],\n    \"contexts\": [\n        {\n            \"name\": \"minikube\",\n            \"context\": {\n                \"cluster\": \"minikube\",\n                \"user\": \"minikube\",\n                \"namespace\": \"default\",\n                \"extensions\": [\n                    {\n                        \"name\": \"context_info\",\n                        \"extension\": {\n                            \"last-update\": \"Wed, 01 Jan 2025 00:00:00 UTC\",\n                            \"provider\": \"minikube.sigs.k8s.io\",\n                            \"version\": \"v1.35.0\"\n                        }\n                    }\n                ]\n            }\n        }\n    ],\n    \"current-context\": \"minikube\"\n}\n");
    // minikube's kubeconfig names its certificate files: --raw shows them as they are.
    let raw = run(&mut s, "kubectl config view --raw").0;
    assert!(raw.contains("    client-certificate: /home/learner/.minikube/profiles/minikube/client.crt\n") && !raw.contains("DATA+OMITTED"), "{raw}");
    assert_eq!(run(&mut s, "kubectl config view -o jsonpath={.users[*].name}/{.contexts[0].context.namespace}").0, "minikube/default");
    assert_eq!(run(&mut s, "kubectl config view -o jsonpath-as-json={.current-context}").0, "[\n    \"minikube\"\n]\n");
}

#[test]
fn group_commands_alone_and_with_an_unknown_subcommand() {
    let mut s = sh();
    // kubectl's RequireNoArguments: no suggestions, the words as given, the -h hint.
    for (line, group, words) in [("kubectl rollout statsu", "rollout", "statsu"), ("kubectl rollout bogus extra", "rollout", "bogus extra"), ("kubectl set imag", "set", "imag"), ("kubectl config get-contxt", "config", "get-contxt"), ("kubectl top nod", "top", "nod"), ("kubectl auth bogus", "auth", "bogus")] {
        assert_eq!(run(&mut s, line), (String::new(), format!("error: unknown command \"{words}\"\nSee 'kubectl {group} -h' for help and examples\n"), 1), "{line}");
    }
    // Alone, they print their help on stderr and exit 1 (rollout prints it on stdout).
    for group in ["set", "top", "auth", "config"] {
        let (out, err, code) = run(&mut s, &format!("kubectl {group}"));
        assert_eq!((out.as_str(), code), ("", 1), "{group}");
        assert!(err.contains("Available Commands:") && err.ends_with(&format!("Use \"kubectl {group} <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n")), "{err}");
    }
    // get --raw: the health endpoints; arguments are refused as kubectl refuses them.
    assert_eq!(run(&mut s, "kubectl get --raw /healthz"), ("ok".into(), String::new(), 0));
    assert_eq!(run(&mut s, "kubectl get --raw /readyz?verbose").0, "ok");
    assert_eq!(run(&mut s, "kubectl get pods --raw /healthz").1, "error: arguments may not be passed when --raw is specified\n");
    // No plugins in the sandbox; kubectl options lists every global flag.
    assert_eq!(run(&mut s, "kubectl plugin list"), (String::new(), "error: unable to find any kubectl plugins in your PATH\n".into(), 1));
    assert!(run(&mut s, "kubectl plugin").1.starts_with("Provides utilities for interacting with plugins."));
    let (out, _, code) = run(&mut s, "kubectl options");
    assert!(code == 0 && out.contains("    --cache-dir='/home/learner/.kube/cache':\n\tDefault cache directory\n") && out.ends_with("--warnings-as-errors=false:\n\tTreat warnings received from the server as errors and exit with a non-zero exit code\n\n"), "{out}");
    let (out, _, code) = run(&mut s, "kubectl rollout");
    assert!(out.starts_with("Manage the rollout of one or many resources.") && code == 1, "{out}");
    assert_eq!(run(&mut s, "kubectl taint nodes minikube"), (String::new(), "error: at least one taint update is required\n".into(), 1));
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
    assert_eq!(run(&mut s, "kubectl create deployment web --image=nginx").1, "error: failed to create deployment: deployments.apps \"web\" already exists\n");
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
fn delete_of_a_claim_in_use_waits_for_it_and_says_why_it_stopped() {
    let mut s = sh();
    s.run("kubectl apply -f - <<'EOF'\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: user}\nspec:\n  containers: [{name: c, image: nginx, volumeMounts: [{name: d, mountPath: /d}]}]\n  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\nEOF");
    assert_eq!(run(&mut s, "kubectl wait --for=condition=Ready pod/user --timeout=60s").2, 0);
    // kubectl's --timeout: its error once the time is up.
    let before = s.cluster.now_ms();
    assert_eq!(
        run(&mut s, "kubectl delete pvc data --timeout=5s"),
        ("persistentvolumeclaim \"data\" deleted\n".into(), "error: timed out waiting for the condition on persistentvolumeclaims/data\n".into(), 1)
    );
    assert_eq!(s.cluster.now_ms() - before, 5_000);
    // Without it kubectl would wait until Ctrl-C; the wait stops after five minutes and says why.
    let before = s.cluster.now_ms();
    let (out, err, code) = run(&mut s, "kubectl delete pvc data");
    assert_eq!((out.as_str(), code), ("persistentvolumeclaim \"data\" deleted\n", 0));
    assert_eq!(err, "Pilothouse: stopped waiting after 5 virtual minutes (kubectl waits until Ctrl-C): persistentvolumeclaim \"data\" is still there (finalizers: kubernetes.io/pvc-protection)\n");
    assert_eq!(s.cluster.now_ms() - before, 5 * 60_000);
    assert!(run(&mut s, "kubectl get pvc data").0.contains("Terminating"));
    // Once the pod is gone, the claim goes too.
    assert_eq!(run(&mut s, "kubectl delete pod user").2, 0);
    assert_eq!(run(&mut s, "kubectl get pvc data").1, "Error from server (NotFound): persistentvolumeclaims \"data\" not found\n");
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
    // (`kubectl run --labels=` keeps the default run=NAME label, as kubectl's getLabels does.)
    s.run("kubectl apply -f - <<'EOF'\napiVersion: v1\nkind: Pod\nmetadata: {name: lonely}\nspec: {containers: [{name: c, image: nginx}]}\nEOF");
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

/// `kubectl explain`, checked against the real kubectl v1.32 rendering the same v1.32 schema
/// (its plaintext template: FIELD line, two blank lines, field then type description).
#[test]
fn explain_fields_like_kubectl() {
    let mut s = sh();
    assert_eq!(
        run(&mut s, "kubectl explain deployments.apps.spec.replicas"),
        ("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: replicas <integer>\n\n\nDESCRIPTION:\n    Number of desired pods. This is a pointer to distinguish between explicit\n    zero and not specified. Defaults to 1.\n    \n\n".into(), String::new(), 0)
    );
    assert_eq!(
        run(&mut s, "kubectl explain pod.spec.containers.resources --recursive").0,
        "KIND:       Pod\nVERSION:    v1\n\nFIELD: resources <ResourceRequirements>\n\n\nDESCRIPTION:\n    Compute Resources required by this container. Cannot be updated. More info:\n    https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/\n    ResourceRequirements describes the compute resource requirements.\n    \nFIELDS:\n  claims\t<[]ResourceClaim>\n    name\t<string> -required-\n    request\t<string>\n  limits\t<map[string]Quantity>\n  requests\t<map[string]Quantity>\n\n"
    );
    assert_eq!(
        run(&mut s, "kubectl explain svc.spec.ports.targetPort").0,
        "KIND:       Service\nVERSION:    v1\n\nFIELD: targetPort <IntOrString>\n\n\nDESCRIPTION:\n    Number or name of the port to access on the pods targeted by the service.\n    Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. If\n    this is a string, it will be looked up as a named port in the target Pod's\n    container ports. If this is not specified, the value of the 'port' field is\n    used (an identity map). This field is ignored for services with\n    clusterIP=None, and should be omitted or set equal to the 'port' field. More\n    info:\n    https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service\n    IntOrString is a type that can hold an int32 or a string.  When used in JSON\n    or YAML marshalling and unmarshalling, it produces or consumes the inner\n    type.  This allows you to have, for example, a JSON field that can accept a\n    name or number.\n    \n\n"
    );
    let (out, _, code) = run(&mut s, "kubectl explain cm");
    assert_eq!(code, 0);
    assert!(
        out.starts_with("KIND:       ConfigMap\nVERSION:    v1\n\nDESCRIPTION:\n    ConfigMap holds configuration data for pods to consume.\n    \nFIELDS:\n  apiVersion\t<string>\n    APIVersion defines the versioned schema of this representation of an object.\n    Servers should convert recognized schemas to the latest internal value, and\n    may reject unrecognized values. More info:\n    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources\n\n  binaryData\t<map[string]string>\n"),
        "{out}"
    );
    // Every served kind is documented, down to nested fields.
    for k in ["hpa", "cj", "ing", "pdb", "ds", "sts", "ep", "endpointslices", "leases", "pc", "sc", "ingressclasses", "quota", "limits", "ev", "sa", "secrets", "pv", "pvc", "ns", "no", "rs", "jobs"] {
        let (out, err, code) = run(&mut s, &format!("kubectl explain {k}.metadata.name"));
        assert_eq!((code, err.as_str()), (0, ""), "{k}");
        assert!(out.contains("\nFIELD: name <string>\n\n\nDESCRIPTION:\n    Name must be unique within a namespace."), "{k}: {out}");
    }
    assert!(run(&mut s, "kubectl explain hpa.spec.metrics.resource.target").0.contains("FIELDS:\n  averageUtilization\t<integer>\n"));
    assert!(run(&mut s, "kubectl explain pods --recursive").0.contains("\n      resources\t<ResourceRequirements>\n        claims\t<[]ResourceClaim>\n"));
}

#[test]
fn explain_errors_like_kubectl() {
    let mut s = sh();
    // The header comes out before kubectl finds that the field is missing; the error names
    // the last field of the path.
    assert_eq!(run(&mut s, "kubectl explain pods.spec.foo"), ("KIND:       Pod\nVERSION:    v1\n\n".into(), "error: field \"foo\" does not exist\n".into(), 1));
    assert_eq!(run(&mut s, "kubectl explain pods.foo.bar").1, "error: field \"bar\" does not exist\n");
    assert_eq!(run(&mut s, "kubectl explain pod.spec.containers.image.x").1, "error: field \"x\" does not exist\n");
    assert_eq!(run(&mut s, "kubectl explain Pod.Spec").1, "error: field \"Spec\" does not exist\n");
    assert_eq!(run(&mut s, "kubectl explain nope"), (String::new(), "the server doesn't have a resource type \"nope\"\n".into(), 1));
    assert_eq!(run(&mut s, "kubectl explain roles").1, "the server doesn't have a resource type \"roles\"\n");
    assert_eq!(run(&mut s, "kubectl explain pods -o json").1, "error: unrecognized format: json\n");
    assert_eq!(run(&mut s, "kubectl explain a b").1, "error: We accept only this format: explain RESOURCE\n");
    assert_eq!(run(&mut s, "kubectl explain").1, "error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n");
}

#[test]
fn events_watch_prints_each_event_on_its_own() {
    let mut s = sh();
    s.run("kubectl run p --image=nginx");
    let (out, err, code) = run(&mut s, "kubectl events -w");
    assert_eq!((err.as_str(), code), ("", 0));
    let lines: Vec<&str> = out.lines().collect();
    // The existing events first (the node's, in storage order); the header is flushed with
    // the first one, each later event on its own (kubectl flushes its tab writer per watch
    // event), so the columns of each line are 3 spaces apart; then the pod's as they happen.
    assert_eq!(lines[0], "LAST SEEN   TYPE     REASON     OBJECT          MESSAGE", "{out}");
    assert_eq!(lines[1], "60s         Normal   Starting   Node/minikube   Starting kubelet.", "{out}");
    assert_eq!(lines[2], "60s   Normal   NodeHasSufficientMemory   Node/minikube   Node minikube status is now: NodeHasSufficientMemory", "{out}");
    assert!(lines.contains(&"0s    Normal   Scheduled   Pod/p   Successfully assigned default/p to minikube"), "{out}");
    assert_eq!(lines.last(), Some(&"0s    Normal   Started   Pod/p   Started container p"), "{out}");
    // New events arrive while watching.
    s.run("kubectl create deployment bad --image=nginx:nope");
    let (out, _, _) = run(&mut s, "kubectl events --watch --types=Warning");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("LAST SEEN   TYPE      REASON   "), "{out}");
    assert!(lines.len() > 2 && lines.iter().skip(1).all(|l| l.contains("   Warning   ")), "{out}");
    assert!(lines.iter().any(|l| l.contains("(x2 over")), "{out}");
    let (out, _, _) = run(&mut s, "kubectl events -w --no-headers --for pod/p");
    assert!(!out.contains("LAST SEEN") && out.lines().all(|l| l.contains("Pod/p")), "{out}");
    let (out, _, _) = run(&mut s, "kubectl events -A -w");
    assert!(out.starts_with("NAMESPACE   LAST SEEN   "), "{out}");
}

#[test]
fn get_watch_prints_a_row_per_event() {
    let mut s = sh();
    s.run("kubectl create deployment a --image=nginx --replicas=1");
    s.run("kubectl rollout status deploy/a");
    let (out, _, _) = run(&mut s, "kubectl get pods -w");
    assert_eq!(out.lines().count(), 2, "{out}");
    s.run("kubectl scale deploy a --replicas=0");
    let (out, _, _) = run(&mut s, "kubectl get pods -w");
    // The initial row, then one per watch event of the terminating pod (which may read the
    // same as the one before), like the real kubectl.
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 3, "{out}");
    assert!(lines[1..].iter().all(|l| l.contains("Terminating")), "{out}");
    assert!(lines[1..].windows(2).any(|w| w[0] == w[1]), "{out}");
}

/// The generators' `--dry-run=client -o yaml` output, as the real kubectl v1.32 prints it.
#[test]
fn create_generators_match_kubectl() {
    let mut s = sh();
    let y = |s: &mut Shell, cmd: &str| run(s, &format!("{cmd} --dry-run=client -o yaml"));
    s.run("cat > c.pem <<EOF\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\nEOF");
    s.run("cat > k.pem <<EOF\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\nEOF");
    assert_eq!(
        y(&mut s, "kubectl create secret tls t --cert=c.pem --key=k.pem").0,
        "apiVersion: v1\ndata:\n  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=\n  tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUUKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=\nkind: Secret\nmetadata:\n  creationTimestamp: null\n  name: t\ntype: kubernetes.io/tls\n"
    );
    assert_eq!(run(&mut s, "kubectl create secret tls t --cert=c.pem --key=k.pem").0, "secret/t created\n");
    assert_eq!(run(&mut s, "kubectl get secret t").0, "NAME   TYPE                DATA   AGE\nt      kubernetes.io/tls   2      0s\n");
    assert_eq!(y(&mut s, "kubectl create secret tls t").1, "error: key and cert must be specified\n");
    assert_eq!(y(&mut s, "kubectl create secret tls t --cert=nope --key=k.pem").1, "error: Cannot read file nope, open nope: no such file or directory\n");
    assert_eq!(y(&mut s, "kubectl create secret tls t --cert=k.pem --key=k.pem").1, "error: tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched\n");
    assert_eq!(y(&mut s, "kubectl create secret tls t --cert=c.pem --key=c.pem").1, "error: tls: found a certificate rather than a key in the PEM for the private key\n");
    s.run("echo hello > plain.txt");
    assert_eq!(y(&mut s, "kubectl create secret tls t --cert=plain.txt --key=k.pem").1, "error: tls: failed to find any PEM data in certificate input\n");
    assert_eq!(y(&mut s, "kubectl create secret tls t --cert=c.pem --key=plain.txt").1, "error: tls: failed to find any PEM data in key input\n");

    assert_eq!(
        y(&mut s, "kubectl create secret docker-registry d --docker-username=u --docker-password=p --docker-email=e@x").0,
        "apiVersion: v1\ndata:\n  .dockerconfigjson: eyJhdXRocyI6eyJodHRwczovL2luZGV4LmRvY2tlci5pby92MS8iOnsidXNlcm5hbWUiOiJ1IiwicGFzc3dvcmQiOiJwIiwiZW1haWwiOiJlQHgiLCJhdXRoIjoiZFRwdyJ9fX0=\nkind: Secret\nmetadata:\n  creationTimestamp: null\n  name: d\ntype: kubernetes.io/dockerconfigjson\n"
    );
    assert_eq!(
        y(&mut s, "kubectl create secret docker-registry d --docker-username=u --docker-password='p<&>' --docker-email=e@x --docker-server=my.reg:5000").0,
        "apiVersion: v1\ndata:\n  .dockerconfigjson: eyJhdXRocyI6eyJteS5yZWc6NTAwMCI6eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InBcdTAwM2NcdTAwMjZcdTAwM2UiLCJlbWFpbCI6ImVAeCIsImF1dGgiOiJkVHB3UENZKyJ9fX0=\nkind: Secret\nmetadata:\n  creationTimestamp: null\n  name: d\ntype: kubernetes.io/dockerconfigjson\n"
    );
    assert_eq!(y(&mut s, "kubectl create secret docker-registry d").1, "error: either --from-file or the combination of --docker-username, --docker-password and --docker-server is required\n");

    assert_eq!(
        y(&mut s, "kubectl create ingress simple --rule=foo.com/bar=svc1:8080,tls=my-cert").0,
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  creationTimestamp: null\n  name: simple\nspec:\n  rules:\n  - host: foo.com\n    http:\n      paths:\n      - backend:\n          service:\n            name: svc1\n            port:\n              number: 8080\n        path: /bar\n        pathType: Exact\n  tls:\n  - hosts:\n    - foo.com\n    secretName: my-cert\nstatus:\n  loadBalancer: {}\n"
    );
    assert_eq!(
        y(&mut s, "kubectl create ingress ing --class=nginx --rule=/path=svc:80 --rule=foo.com/*=svc2:http --annotation=a=b --default-backend=defsvc:http").0,
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  annotations:\n    a: b\n  creationTimestamp: null\n  name: ing\nspec:\n  defaultBackend:\n    service:\n      name: defsvc\n      port:\n        name: http\n  ingressClassName: nginx\n  rules:\n  - http:\n      paths:\n      - backend:\n          service:\n            name: svc\n            port:\n              number: 80\n        path: /path\n        pathType: Exact\n  - host: foo.com\n    http:\n      paths:\n      - backend:\n          service:\n            name: svc2\n            port:\n              name: http\n        path: /\n        pathType: Prefix\nstatus:\n  loadBalancer: {}\n"
    );
    let (out, _, _) = y(&mut s, "kubectl create ingress x --rule=a.com/=s:80,tls=sec --rule=b.com/=s:80,tls=sec --rule=a.com/x=s:80,tls=other --rule=/y=s:0,tls");
    assert!(out.contains("  tls:\n  - hosts:\n    - a.com\n    - b.com\n    secretName: sec\n"), "{out}");
    assert!(out.contains("  - host: a.com\n    http:\n      paths:\n      - backend:\n          service:\n            name: s\n            port:\n              number: 80\n        path: /\n        pathType: Exact\n      - backend:"), "{out}");
    assert!(out.contains("  - http:\n      paths:\n      - backend:\n          service:\n            name: s\n            port: {}\n        path: /y\n"), "{out}");
    assert_eq!(y(&mut s, "kubectl create ingress x").1, "error: not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)\n");
    assert_eq!(y(&mut s, "kubectl create ingress x --rule=bad").1, "error: rule bad is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]\n");
    assert_eq!(y(&mut s, "kubectl create ingress x --rule=foo.com/path=svc").1, "error: rule foo.com/path=svc is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]\n");
    assert_eq!(y(&mut s, "kubectl create ingress x --default-backend=svc").1, "error: default-backend should be in format servicename:serviceport\n");
    assert_eq!(run(&mut s, "kubectl create ingress web --rule=hello.local/=web:80").0, "ingress.networking.k8s.io/web created\n");

    assert_eq!(
        y(&mut s, "kubectl create poddisruptionbudget p --selector=app=web --min-available=1").0,
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  creationTimestamp: null\n  name: p\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\nstatus:\n  currentHealthy: 0\n  desiredHealthy: 0\n  disruptionsAllowed: 0\n  expectedPods: 0\n"
    );
    let (out, _, _) = y(&mut s, "kubectl create pdb p --selector='env in (a,b),x,!y,app==web' --max-unavailable=50%");
    assert!(out.contains("spec:\n  maxUnavailable: 50%\n  selector:\n    matchExpressions:\n    - key: env\n      operator: In\n      values:\n      - a\n      - b\n    - key: x\n      operator: Exists\n    - key: \"y\"\n      operator: DoesNotExist\n    matchLabels:\n      app: web\nstatus:"), "{out}");
    assert_eq!(y(&mut s, "kubectl create pdb p").1, "error: a selector must be specified\n");
    assert_eq!(y(&mut s, "kubectl create pdb p --selector=app=web").1, "error: one of min-available or max-unavailable must be specified\n");
    assert_eq!(y(&mut s, "kubectl create pdb p --selector=app=web --min-available=1 --max-unavailable=1").1, "error: min-available and max-unavailable cannot be both specified\n");
    assert_eq!(y(&mut s, "kubectl create pdb p --selector=app=web --min-available=1Gb").1, "error: invalid format specified for min-available\n");
    assert_eq!(y(&mut s, "kubectl create pdb p --selector=app!=web --min-available=1").1, "error: \"!=\" is not a valid label selector operator\n");
    assert_eq!(run(&mut s, "kubectl create pdb web --selector=app=web --min-available=1").0, "poddisruptionbudget.policy/web created\n");

    assert_eq!(
        y(&mut s, "kubectl create quota q --hard=cpu=1,memory=1G,pods=2 --scopes=BestEffort").0,
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  creationTimestamp: null\n  name: q\nspec:\n  hard:\n    cpu: \"1\"\n    memory: 1G\n    pods: \"2\"\n  scopes:\n  - BestEffort\nstatus: {}\n"
    );
    assert_eq!(y(&mut s, "kubectl create quota q").0, "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  creationTimestamp: null\n  name: q\nspec: {}\nstatus: {}\n");
    assert_eq!(y(&mut s, "kubectl create quota q --hard=cpu").1, "error: Invalid argument syntax cpu, expected <resource>=<value>\n");
    assert_eq!(y(&mut s, "kubectl create quota q --hard=cpu=abc").1, "error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n");

    assert_eq!(y(&mut s, "kubectl create priorityclass hp").0, "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  creationTimestamp: null\n  name: hp\npreemptionPolicy: PreemptLowerPriority\nvalue: 0\n");
    assert_eq!(
        y(&mut s, "kubectl create priorityclass p --value=5 --global-default --preemption-policy=Never --description=high").0,
        "apiVersion: scheduling.k8s.io/v1\ndescription: high\nglobalDefault: true\nkind: PriorityClass\nmetadata:\n  creationTimestamp: null\n  name: p\npreemptionPolicy: Never\nvalue: 5\n"
    );
    assert_eq!(
        run(&mut s, "kubectl create cronjob c --image=busybox --schedule='*/1 * * * *' --dry-run=client -o yaml -- date").0,
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  creationTimestamp: null\n  name: c\nspec:\n  jobTemplate:\n    metadata:\n      creationTimestamp: null\n      name: c\n    spec:\n      template:\n        metadata:\n          creationTimestamp: null\n        spec:\n          containers:\n          - command:\n            - date\n            image: busybox\n            name: c\n            resources: {}\n          restartPolicy: OnFailure\n  schedule: '*/1 * * * *'\nstatus: {}\n"
    );
    // The RBAC kinds are not served by the simulated cluster.
    assert_eq!(run(&mut s, "kubectl create role r --verb=get --resource=pods").2, 1);
}

#[test]
fn logs_timestamps_and_since() {
    let mut s = sh();
    s.run("kubectl run tick --image=busybox -- sh -c 'while true; do echo tick; sleep 10; done'");
    s.run("kubectl wait --for=condition=Ready pod/tick");
    s.run("sleep 60");
    let (all, _, code) = run(&mut s, "kubectl logs tick --timestamps");
    assert_eq!(code, 0);
    let lines: Vec<&str> = all.lines().collect();
    assert!(lines.len() >= 6, "{all}");
    // RFC 3339 with nine fractional digits, as the kubelet writes it; ten seconds apart.
    let stamps: Vec<chrono::DateTime<chrono::Utc>> = lines
        .iter()
        .map(|l| {
            let (t, rest) = l.split_once(' ').unwrap();
            assert_eq!(rest, "tick");
            assert!(t.len() == 30 && t.ends_with('Z') && t.as_bytes()[19] == b'.', "{t}");
            chrono::DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&chrono::Utc)
        })
        .collect();
    assert!(stamps.windows(2).all(|w| (w[1] - w[0]).num_seconds() == 10), "{all}");
    // --since keeps the lines of the last 25 seconds: three of them.
    let (recent, _, _) = run(&mut s, "kubectl logs tick --since=25s");
    assert_eq!(recent, "tick\ntick\ntick\n");
    let (recent, _, _) = run(&mut s, "kubectl logs tick --since=25s --timestamps");
    assert_eq!(recent, lines[lines.len() - 3..].iter().map(|l| format!("{l}\n")).collect::<String>());
    // --since-time keeps the lines written at or after it.
    let from = lines[lines.len() - 2].split(' ').next().unwrap();
    assert_eq!(run(&mut s, &format!("kubectl logs tick --since-time={from}")).0, "tick\ntick\n");
    assert_eq!(run(&mut s, "kubectl logs tick --since=1h --tail=1 --timestamps").0, format!("{}\n", lines[lines.len() - 1]));
    assert_eq!(run(&mut s, "kubectl logs tick --since=5s --since-time=2025-01-01T00:00:00Z").1, "error: at most one of `sinceTime` or `sinceSeconds` may be specified\n");
    assert_eq!(run(&mut s, "kubectl logs tick --since-time=bad").1, "error: parsing time \"bad\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"bad\" as \"2006\"\n");
    // Go's own words for where the time went wrong.
    assert_eq!(run(&mut s, "kubectl logs tick --since-time=2025-13-01T00:00:00Z").1, "error: parsing time \"2025-13-01T00:00:00Z\": month out of range\n");
    assert_eq!(run(&mut s, "kubectl logs tick --since-time=2025-01-01").1, "error: parsing time \"2025-01-01\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"T\"\n");
    assert_eq!(run(&mut s, "kubectl logs tick --since=abc").1, "error: invalid argument \"abc\" for \"--since\" flag: time: invalid duration \"abc\"\nSee 'kubectl logs --help' for usage.\n");
}

#[test]
fn run_overrides_patch_the_generated_pod() {
    let mut s = sh();
    // Merge (the default): the containers list is replaced by the override's.
    let big = r#"kubectl run big --image=nginx --overrides='{"spec":{"containers":[{"name":"big","image":"busybox","resources":{"requests":{"cpu":"64"}}}]}}'"#;
    assert_eq!(run(&mut s, big).0, "pod/big created\n");
    assert_eq!(run(&mut s, "kubectl get pod big -o jsonpath={.spec.containers[0].image}/{.spec.containers[0].resources.requests.cpu}").0, "busybox/64");
    s.run("sleep 5");
    assert!(run(&mut s, "kubectl describe pod big").0.contains("Insufficient cpu"), "too big to schedule");
    // Strategic: containers merge by name, so the generated image stays.
    let strategic = r#"kubectl run st --image=nginx --override-type=strategic --overrides='{"spec":{"containers":[{"name":"st","resources":{"requests":{"cpu":"50m"}}}]}}'"#;
    assert_eq!(run(&mut s, strategic).0, "pod/st created\n");
    assert_eq!(run(&mut s, "kubectl get pod st -o jsonpath={.spec.containers[0].image}/{.spec.containers[0].resources.requests.cpu}").0, "nginx/50m");
    // JSON patch.
    let json = r#"kubectl run js --image=nginx --override-type=json --overrides='[{"op":"add","path":"/metadata/labels/tier","value":"web"}]'"#;
    assert_eq!(run(&mut s, json).0, "pod/js created\n");
    assert_eq!(run(&mut s, "kubectl get pod js -o jsonpath={.metadata.labels}").0, r#"{"run":"js","tier":"web"}"#);
    // Bad input: an error, and no pod.
    assert_eq!(run(&mut s, "kubectl run bad --image=nginx --overrides='{nope'"), (String::new(), "error: Invalid JSON Patch\n".into(), 1));
    assert_eq!(run(&mut s, "kubectl run bad --image=nginx --override-type=xml --overrides='{}'").1, "error: invalid override type: xml\n");
    assert!(run(&mut s, "kubectl run bad --image=nginx --override-type=json --overrides='[{\"op\":\"remove\",\"path\":\"/nope\"}]'").1.starts_with("error: "));
    assert_eq!(run(&mut s, "kubectl get pod bad").1, "Error from server (NotFound): pods \"bad\" not found\n");
}

#[test]
fn get_and_delete_from_a_file_with_an_undecodable_object() {
    // kubectl reads files for get/delete unstructured: an unknown field in one object stops
    // its creation, not the cleanup of the others.
    let mut s = sh();
    let file = "cat > multi.yaml <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm1\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p2\nspec:\n  containers:\n  - name: c\n    image: nginx\n    imagee: x\nEOF";
    run(&mut s, file);
    let (out, err, code) = run(&mut s, "kubectl apply -f multi.yaml");
    assert_eq!((out.as_str(), code), ("configmap/cm1 created\n", 1));
    assert!(err.contains("error when creating \"multi.yaml\""), "{err}");
    let (out, err, _) = run(&mut s, "kubectl get -f multi.yaml -o name");
    assert_eq!((out.as_str(), err.as_str()), ("configmap/cm1\n", "Error from server (NotFound): pods \"p2\" not found\n"));
    assert_eq!(
        run(&mut s, "kubectl delete -f multi.yaml"),
        ("configmap \"cm1\" deleted\n".into(), "Error from server (NotFound): error when deleting \"multi.yaml\": pods \"p2\" not found\n".into(), 1)
    );
}

#[test]
fn list_parts_expand_when_they_run() {
    // `$?` and `$(...)` in a `;`/`&&`/`||` list see what the parts before them did.
    let mut s = sh();
    assert_eq!(run(&mut s, "kubectl get pod nope; echo $?").0, "1\n");
    assert_eq!(run(&mut s, "kubectl get ns default -o name && echo $?").0, "namespace/default\n0\n");
    assert_eq!(run(&mut s, "kubectl create ns later >/dev/null; echo $(kubectl get ns later -o name)").0, "namespace/later\n");
    assert_eq!(run(&mut s, "false || echo $?").0, "1\n");
    // A syntax error anywhere: nothing runs.
    let (out, err, code) = run(&mut s, "kubectl create ns never; echo 'open");
    assert_eq!((out.as_str(), code), ("", 2));
    assert!(err.starts_with("bash: "), "{err}");
    assert_eq!(run(&mut s, "kubectl get ns never").2, 1);
}

#[test]
fn create_generators_wrap_a_failed_create_as_kubectl_does() {
    // Checked against kubectl v1.32 talking to `pilothouse serve`.
    let mut s = sh();
    for line in ["kubectl create deployment web --image=nginx", "kubectl create namespace n1", "kubectl create secret generic s1 --from-literal=a=b", "kubectl create service nodeport np --tcp=80:80", "kubectl run p1 --image=nginx"] {
        assert_eq!(run(&mut s, line).2, 0, "{line}");
    }
    assert_eq!(run(&mut s, "kubectl create deployment web --image=nginx").1, "error: failed to create deployment: deployments.apps \"web\" already exists\n");
    assert_eq!(run(&mut s, "kubectl create namespace n1").1, "Error from server (AlreadyExists): namespaces \"n1\" already exists\n");
    assert_eq!(run(&mut s, "kubectl create secret generic s1 --from-literal=a=b").1, "error: failed to create secret secrets \"s1\" already exists\n");
    assert_eq!(run(&mut s, "kubectl create service nodeport np --tcp=80:80").1, "error: failed to create NodePort service: services \"np\" already exists\n");
    assert_eq!(run(&mut s, "kubectl run p1 --image=nginx").1, "Error from server (AlreadyExists): pods \"p1\" already exists\n");
    assert!(run(&mut s, "kubectl create deployment X --image=nginx").1.starts_with("error: failed to create deployment: Deployment.apps \"X\" is invalid: metadata.name: Invalid value: \"X\""));
}

#[test]
fn missing_targets_of_logs_exec_and_port_forward() {
    // As kubectl v1.32 prints them against `pilothouse serve`.
    let mut s = sh();
    assert_eq!(run(&mut s, "kubectl exec nope -- ls").1, "Error from server (NotFound): pods \"nope\" not found\n");
    assert_eq!(run(&mut s, "kubectl port-forward deploy/nope 8080:80").1, "Error from server (NotFound): deployments.apps \"nope\" not found\n");
    assert_eq!(run(&mut s, "kubectl logs nope").1, "error: error from server (NotFound): pods \"nope\" not found in namespace \"default\"\n");
    assert_eq!(run(&mut s, "kubectl logs deploy/nope").1, "error: error from server (NotFound): deployments.apps \"nope\" not found in namespace \"default\"\n");
}

#[test]
fn last_applied_configuration_as_kubectl_writes_it() {
    // kubectl's GetModifiedConfiguration: sorted keys, `"annotations":{}` even when there are none.
    let mut s = sh();
    run(&mut s, "kubectl apply -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: \"1\"\nEOF");
    let (out, _, _) = run(&mut s, "kubectl get cm cm -o jsonpath='{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}'");
    assert_eq!(out, "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"1\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"cm\",\"namespace\":\"default\"}}\n");
    run(&mut s, "kubectl create deployment web --image=nginx --save-config");
    let (out, _, _) = run(&mut s, "kubectl get deploy web -o jsonpath='{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}'");
    assert!(out.contains("\"metadata\":{\"annotations\":{},"), "{out}");
}

#[test]
fn validate_flag_decides_unknown_fields() {
    let mut s = sh();
    let pod = |name: &str, flag: &str| format!("kubectl apply {flag} -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    imagee: x\nEOF");
    let (_, err, code) = run(&mut s, &pod("strict", ""));
    assert_eq!(code, 1);
    assert!(err.contains("strict decoding error: unknown field \"spec.containers[0].imagee\""), "{err}");
    assert_eq!(run(&mut s, &pod("ignored", "--validate=false")), ("pod/ignored created\n".into(), String::new(), 0));
    assert_eq!(run(&mut s, &pod("warned", "--validate=warn")), ("pod/warned created\n".into(), "Warning: unknown field \"spec.containers[0].imagee\"\n".into(), 0));
    assert_eq!(run(&mut s, &pod("bad", "--validate=maybe")).1, "error: invalid - validate option \"maybe\"; must be one of: strict (or true), warn, ignore (or false)\n");
}

#[test]
fn jsonpath_index_past_the_end_is_an_error() {
    // As kubectl v1.32 prints it (the object in Go's %#v).
    let mut s = sh();
    let (out, err, code) = run(&mut s, "kubectl get pods -o jsonpath='{.items[0].metadata.name}'");
    assert_eq!((out.as_str(), code), ("", 1));
    assert_eq!(err, "error: error executing jsonpath \"{.items[0].metadata.name}\": Error executing template: array index out of bounds: index 0, length 0. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{.items[0].metadata.name}\n\tobject given to jsonpath engine was:\n\t\tmap[string]interface {}{\"apiVersion\":\"v1\", \"items\":[]interface {}{}, \"kind\":\"List\", \"metadata\":map[string]interface {}{\"resourceVersion\":\"\"}}\n\n\n");
    let (_, err, _) = run(&mut s, "kubectl get ns default -o jsonpath='{.spec.finalizers[3]}'");
    assert!(err.contains("array index out of bounds: index 3, length 1.") && err.contains("\"spec\":map[string]interface {}{\"finalizers\":[]interface {}{\"kubernetes\"}}"), "{err}");
    // A custom column past the end stays empty.
    let (out, _, code) = run(&mut s, "kubectl get ns default -o custom-columns=F:.spec.finalizers[3]");
    assert_eq!((out.as_str(), code), ("F\n<none>\n", 0));
}

#[test]
fn statefulset_rollout_status_as_kubectl_words_it() {
    let mut s = sh();
    let sts = |name: &str, strategy: &str| format!("kubectl apply -f - <<EOF\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {name}\nspec:\n  replicas: 2\n  serviceName: {name}\n  updateStrategy: {{type: {strategy}}}\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n      - name: c\n        image: nginx\nEOF");
    run(&mut s, &sts("db", "RollingUpdate"));
    let (out, _, code) = run(&mut s, "kubectl rollout status sts/db");
    assert_eq!(code, 0);
    assert!(out.ends_with("partitioned roll out complete: 2 new pods have been updated...\n"), "{out}");
    run(&mut s, &sts("od", "OnDelete"));
    assert_eq!(run(&mut s, "kubectl rollout status sts/od").1, "error: rollout status is only available for RollingUpdate strategy type\n");
}

#[test]
fn describe_service_without_ready_endpoints_leaves_endpoints_blank() {
    // kubectl 1.32 formats EndpointSlices: a selector matching no ready pod gives an empty value.
    let mut s = sh();
    run(&mut s, "kubectl create service clusterip lonely --tcp=80:80");
    let (out, _, _) = run(&mut s, "kubectl describe svc lonely");
    let line = out.lines().find(|l| l.starts_with("Endpoints:")).unwrap_or_default().to_string();
    assert_eq!(line.trim_end(), "Endpoints:", "{out}");
}

#[test]
fn describe_without_a_type() {
    let mut s = sh();
    assert_eq!(run(&mut s, "kubectl describe"), (String::new(), "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n".into(), 1));
}

#[test]
fn small_client_side_errors_as_kubectl_prints_them() {
    // Each checked against kubectl v1.32.
    let mut s = sh();
    assert_eq!(run(&mut s, "kubectl run").1, "error: required flag(s) \"image\" not set\n");
    assert_eq!(run(&mut s, "kubectl run x --image=nginx --restart=Bogus").1, "error: invalid restart policy: Bogus\nSee 'kubectl run -h' for help and examples\n");
    assert_eq!(run(&mut s, "kubectl taint node minikube foo=bar:Bogus").1, "error: invalid taint effect: Bogus, unsupported taint effect\nSee 'kubectl taint -h' for help and examples\n");
    assert_eq!(run(&mut s, "kubectl label deployment coredns -n kube-system").1, "error: at least one label update is required\n");
    assert_eq!(run(&mut s, "kubectl annotate pod nope").1, "error: at least one annotation update is required\n");
    assert_eq!(run(&mut s, "kubectl set selector deployment coredns app=x -n kube-system").1, "error: setting a selector is only supported for Services\n");
}

#[test]
fn api_resources_sorted_by_group_then_name() {
    // kubectl's default order: API group ("" first), then resource name.
    let mut s = sh();
    let out = run(&mut s, "kubectl api-resources").0;
    let pos = |name: &str| out.lines().position(|l| l.starts_with(&format!("{name} "))).unwrap_or(usize::MAX);
    assert!(pos("pods") < pos("deployments") && pos("jobs") < pos("leases") && pos("leases") < pos("endpointslices"), "{out}");
    assert!(pos("endpointslices") < pos("ingresses") && pos("priorityclasses") < pos("storageclasses"), "{out}");
    assert_eq!(run(&mut s, "kubectl api-resources --sort-by=foo").1, "error: --sort-by accepts only name or kind\n");
    let by_name = run(&mut s, "kubectl api-resources --sort-by=name --no-headers").0;
    let names: Vec<&str> = by_name.lines().filter_map(|l| l.split_whitespace().next()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // -o wide: the verbs and categories discovery lists (namespaces have no deletecollection;
    // category `all` is what `kubectl get all` shows), padded as kubectl's tabwriter pads them.
    let wide = run(&mut s, "kubectl api-resources -o wide").0;
    let line = |name: &str| wide.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_default().to_string();
    assert!(wide.lines().next().unwrap().ends_with("KIND                      VERBS                                                        CATEGORIES"), "{wide}");
    assert!(line("pods").ends_with("Pod                       create,delete,deletecollection,get,list,patch,update,watch   all"), "{wide}");
    assert!(line("namespaces").ends_with("Namespace                 create,delete,get,list,patch,update,watch                    "), "{wide}");
    assert!(line("configmaps").ends_with("watch   "), "{wide}");
    assert_eq!(run(&mut s, "kubectl api-resources --verbs=deletecollection --namespaced=false -o name").0, "nodes\npersistentvolumes\ningressclasses.networking.k8s.io\npriorityclasses.scheduling.k8s.io\nstorageclasses.storage.k8s.io\n");
    let all = run(&mut s, "kubectl api-resources --categories=all --no-headers -o name").0;
    assert_eq!(all, "pods\nservices\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\nstatefulsets.apps\nhorizontalpodautoscalers.autoscaling\ncronjobs.batch\njobs.batch\n");
}

/// The built-in priority classes carry the API server's own descriptions.
#[test]
fn system_priority_classes_as_the_api_server_creates_them() {
    let mut s = sh();
    let (out, _, code) = run(&mut s, "kubectl get pc -o custom-columns=NAME:.metadata.name,VALUE:.value,DESCRIPTION:.description");
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "NAME                      VALUE        DESCRIPTION\n\
         system-cluster-critical   2000000000   Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.\n\
         system-node-critical      2000001000   Used for system critical pods that must not be moved from their current node.\n"
    );
}
