//! The terminal never panics, whatever is typed.

use pilothouse_kubectl::Shell;
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "kubectl", "k", "minikube", "get", "describe", "apply", "create", "delete", "edit", "patch", "scale", "set", "image", "rollout",
    "status", "history", "undo", "expose", "run", "label", "annotate", "taint", "cordon", "drain", "logs", "exec", "top", "events",
    "explain", "api-resources", "version", "config", "view", "wait", "port-forward", "proxy", "auth", "can-i", "start", "stop",
    "addons", "enable", "list", "service", "node", "add", "pods", "po", "deploy", "svc", "nodes", "all", "minikube", "nginx",
    "-n", "kube-system", "-A", "-o", "yaml", "json", "wide", "name", "-w", "-l", "app=x", "--replicas=2", "--image=nginx", "-f",
    "-", "pod.yaml", "--", "sh", "-c", "echo", "cat", "ls", "--force", "--grace-period=0", "x", "key=v:NoSchedule", "key-",
    "&&", "||", ";", "|", ">", "'", "\"", "$(", ")", "$X", "<<EOF", "\\", "deployment/web", "=", "-it", "--port=80", "curl",
    "localhost:8001/api", "jsonpath={.items[*].metadata.name}", "sleep", "1", "--for=condition=Ready", "--timeout=5s",
    "secret", "tls", "docker-registry", "generic", "ingress", "pdb", "quota", "priorityclass", "--rule=a/=b:1,tls", "--rule=/*=s:x",
    "--cert=pod.yaml", "--key=pod.yaml", "--selector=a in (b)", "--min-available=1", "--max-unavailable=5%", "--hard=cpu=1",
    "--timestamps", "--since=1s", "--since-time=2025-01-01T00:00:00Z", "--recursive", "pods.spec.containers", "--watch",
    "--docker-username=u", "--docker-password=p", "--default-backend=s:80", "--scopes=BestEffort", "pods..spec", ".",
];

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![prop::sample::select(WORDS).prop_map(str::to_string), "[ -~]{0,8}"], 0..10).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]
    #[test]
    fn random_lines_never_panic(lines in prop::collection::vec(line(), 1..6)) {
        let mut sh = Shell::new(5);
        for l in &lines {
            let _ = sh.run(l);
            let _ = sh.complete(l);
        }
    }
}

#[test]
fn scripted_web_of_commands() {
    let mut sh = Shell::new(6);
    sh.run("kubectl create deployment web --image=nginx --replicas=2");
    for l in ["kubectl get all -A -o wide", "kubectl describe nodes", "kubectl get events -A", "kubectl events -A", "kubectl api-resources", "kubectl explain pods.spec", "kubectl explain pods..spec", "kubectl explain .", "kubectl explain pods.", "kubectl explain pod --recursive", "kubectl top nodes", "minikube profile list", "kubectl get pods -o yaml", "kubectl get deploy -o json"] {
        let o = sh.run(l);
        assert!(o.exit_code == 0 || !o.stderr.is_empty(), "{l}");
    }
}
