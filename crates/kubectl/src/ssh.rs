//! `minikube ssh [-n NODE] -- COMMAND`: one command on a node, enough to work with the kubelet
//! the way a node administrator does — its static pod folder (`/etc/kubernetes/manifests`:
//! `ls`, `cat`, `sudo tee FILE <<EOF`, `sudo rm`), its configuration file, `systemctl` and
//! `curl` from the node (the kubelet's read-only port answers on `localhost:10255`). Anything
//! else gets a clear message: there is no real machine behind the node.

use crate::minikube::Status;
use crate::shell::{Out, Shell};
use pilothouse_engine::network::Origin;

/// The kubelet's static pod folder (`staticPodPath`).
pub const MANIFESTS: &str = "/etc/kubernetes/manifests";

/// The control plane's own static pods, present on the control-plane node.
const CONTROL_PLANE: &[&str] = &["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"];

const SUPPORTED: &str = "❗  Pilothouse simulates only these commands in `minikube ssh`: ls, cat, tee and rm in /etc/kubernetes/manifests,\n    cat /var/lib/kubelet/config.yaml, curl, systemctl status|is-active kubelet and hostname.";

/// Whether `minikube ARGS` is `minikube ssh ...`.
pub fn is_ssh(args: &[String]) -> bool {
    args.iter().find(|a| !a.starts_with('-')).is_some_and(|a| a == "ssh")
}

/// Runs `minikube ssh ...` (`args` are the words after `minikube`); `stdin` feeds `tee`.
pub fn run(sh: &mut Shell, args: &[String], stdin: Option<String>) -> Out {
    let mut out = Out::default();
    let pos = args.iter().position(|a| a == "ssh").unwrap_or(0);
    let mut node: Option<String> = None;
    let mut profile: Option<String> = None;
    let mut command: Vec<String> = Vec::new();
    let mut it = args.iter().enumerate().filter(|(i, _)| *i != pos).map(|(_, a)| a.clone());
    while let Some(a) = it.next() {
        if !command.is_empty() {
            command.push(a);
            continue;
        }
        match a.as_str() {
            "--" => {
                command.extend(it.by_ref());
                break;
            }
            "-n" | "--node" => node = it.next(),
            "-p" | "--profile" => profile = it.next(),
            _ if a.starts_with("--node=") => node = Some(a["--node=".len()..].to_string()),
            _ if a.starts_with("--profile=") => profile = Some(a["--profile=".len()..].to_string()),
            _ if a.starts_with('-') => {} // --native-ssh and friends change nothing here.
            _ => command.push(a),
        }
    }
    // `minikube ssh "sudo ls /etc/kubernetes/manifests"`: one quoted word.
    if command.len() == 1 && command[0].contains(' ') {
        command = crate::lexer::split_words(&command[0]);
    }
    let name = profile.or_else(|| sh.profiles.active.clone()).unwrap_or_else(|| "minikube".into());
    match sh.profiles.map.get(&name).map(|p| p.status) {
        None => {
            out.outln(format!("🤷  Profile \"{name}\" not found. Run \"minikube profile list\" to view all profiles."));
            out.outln("👉  To start a cluster, run: \"minikube start\"");
            out.code = 85;
            return out;
        }
        Some(Status::Stopped) => {
            out.outln(format!("🤷  The control-plane node {name} host is not running: state=Stopped"));
            out.outln(format!("👉  To start a cluster, run: \"minikube start -p {name}\""));
            out.code = 83;
            return out;
        }
        Some(_) => {}
    }
    if sh.profiles.active.as_deref().is_some_and(|a| a != name) {
        out.errln(format!("❗  \"{name}\" is not the active profile: run `minikube profile {name}` first (Pilothouse runs one cluster at a time)."));
        out.code = 1;
        return out;
    }
    let node = node.unwrap_or_else(|| sh.cluster.options.profile.clone());
    let Some(agent) = sh.cluster.kubelets.nodes.get(&node) else {
        out.errln(format!("❌  Exiting due to GUEST_NODE_RETRIEVE: retrieving node: Could not find node {node}"));
        out.code = 85;
        return out;
    };
    if !agent.running {
        out.errln(format!("❌  Exiting due to GUEST_STATUS: state: unknown state \"{node}\": the node is not running"));
        out.code = 80;
        return out;
    }
    while command.first().is_some_and(|w| w == "sudo" || w == "-E") {
        command.remove(0);
    }
    if command.is_empty() {
        out.errln(format!("❗  An interactive shell on {node} is not available in Pilothouse: run one command at a time, e.g.\n    minikube ssh -- ls {MANIFESTS}"));
        out.code = 1;
        return out;
    }
    node_command(sh, &node, &command, stdin, &mut out);
    out
}

/// The manifest file a path names (`/etc/kubernetes/manifests/x.yaml` -> `x.yaml`).
fn manifest_file(path: &str) -> Option<String> {
    let rest = path.strip_prefix(MANIFESTS)?.strip_prefix('/')?;
    (!rest.is_empty() && !rest.contains('/')).then(|| rest.to_string())
}

fn is_control_plane_file(sh: &Shell, node: &str, file: &str) -> bool {
    node == sh.cluster.options.profile && CONTROL_PLANE.iter().any(|c| format!("{c}.yaml") == file)
}

/// The files in a node's manifest folder.
fn manifests(sh: &Shell, node: &str) -> Vec<String> {
    let mut files: Vec<String> = sh.cluster.kubelets.nodes.get(node).map(|a| a.static_manifests.keys().cloned().collect()).unwrap_or_default();
    if node == sh.cluster.options.profile {
        files.extend(CONTROL_PLANE.iter().map(|c| format!("{c}.yaml")));
    }
    pilothouse_engine::sort::sort(&mut files);
    files.dedup();
    files
}

/// A control-plane manifest, rebuilt from its mirror pod.
fn control_plane_manifest(sh: &Shell, node: &str, file: &str) -> String {
    let comp = file.trim_end_matches(".yaml");
    let key = pilothouse_engine::ObjectKey::new(pilothouse_engine::Kind::Pod, "kube-system", &format!("{comp}-{node}"));
    let Some(obj) = sh.cluster.get(&key) else { return String::new() };
    let json = obj.to_json();
    let mut spec = json.get("spec").cloned().unwrap_or_default();
    if let Some(m) = spec.as_object_mut() {
        m.remove("nodeName");
    }
    let mut meta = serde_json::json!({"name": comp, "namespace": "kube-system"});
    if let Some(l) = json.pointer("/metadata/labels") {
        meta["labels"] = l.clone();
    }
    let manifest = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec});
    crate::printers::to_yaml(&manifest)
}

const KUBELET_CONFIG: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /var/lib/minikube/certs/ca.crt
authorization:
  mode: Webhook
cgroupDriver: cgroupfs
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: unix:///var/run/cri-dockerd.sock
failSwapOn: false
hairpinMode: hairpin-veth
kind: KubeletConfiguration
# Pilothouse opens the read-only port for you to explore; minikube leaves it at 0 (off).
readOnlyPort: 10255
staticPodPath: /etc/kubernetes/manifests
";

fn unsupported(out: &mut Out) {
    out.errln(SUPPORTED);
    out.code = 1;
}

fn node_command(sh: &mut Shell, node: &str, w: &[String], stdin: Option<String>, out: &mut Out) {
    let cmd = w[0].rsplit('/').next().unwrap_or("").to_string();
    let flags: Vec<&String> = w[1..].iter().filter(|a| a.starts_with('-')).collect();
    let paths: Vec<String> = w[1..].iter().filter(|a| !a.starts_with('-')).cloned().collect();
    match cmd.as_str() {
        "ls" => {
            let targets = if paths.is_empty() { vec!["/home/docker".to_string()] } else { paths };
            let many = targets.len() > 1;
            for (i, t) in targets.iter().enumerate() {
                let p = t.trim_end_matches('/');
                let names = if p == MANIFESTS {
                    manifests(sh, node)
                } else if let Some(f) = manifest_file(p) {
                    if manifests(sh, node).contains(&f) {
                        out.outln(t);
                    } else {
                        out.errln(format!("ls: cannot access '{t}': No such file or directory"));
                        out.code = 2;
                    }
                    continue;
                } else if p == "/etc/kubernetes" {
                    vec!["addons".into(), "admin.conf".into(), "controller-manager.conf".into(), "kubelet.conf".into(), "manifests".into(), "scheduler.conf".into()]
                } else if p == "/home/docker" {
                    Vec::new()
                } else {
                    return unsupported(out);
                };
                if many {
                    if i > 0 {
                        out.outln("");
                    }
                    out.outln(format!("{t}:"));
                }
                if !names.is_empty() {
                    out.outln(names.join("  "));
                }
            }
        }
        "cat" => {
            for t in &paths {
                if let Some(f) = manifest_file(t) {
                    if is_control_plane_file(sh, node, &f) {
                        out.out(control_plane_manifest(sh, node, &f));
                    } else if let Some(y) = sh.cluster.kubelets.nodes.get(node).and_then(|a| a.static_manifests.get(&f)) {
                        let y = y.clone();
                        out.out(&y);
                        if !y.ends_with('\n') {
                            out.out("\n");
                        }
                    } else {
                        out.errln(format!("cat: {t}: No such file or directory"));
                        out.code = 1;
                    }
                } else if t == "/var/lib/kubelet/config.yaml" {
                    out.out(KUBELET_CONFIG);
                } else if t.trim_end_matches('/') == MANIFESTS {
                    out.errln(format!("cat: {t}: Is a directory"));
                    out.code = 1;
                } else {
                    return unsupported(out);
                }
            }
        }
        "tee" => {
            let content = stdin.unwrap_or_default();
            out.out(&content);
            for t in &paths {
                let Some(f) = manifest_file(t) else { return unsupported(out) };
                if is_control_plane_file(sh, node, &f) {
                    out.errln(format!("❗  {f} runs this cluster's control plane; Pilothouse does not let you replace it."));
                    out.code = 1;
                    continue;
                }
                if let Err(e) = sh.cluster.put_static_manifest(node, &f, &content) {
                    out.errln(format!("❗  The kubelet cannot read {t}: {e}"));
                    out.code = 1;
                }
            }
        }
        "rm" => {
            let force = flags.iter().any(|f| f.contains('f'));
            for t in &paths {
                let Some(f) = manifest_file(t) else { return unsupported(out) };
                if is_control_plane_file(sh, node, &f) {
                    out.errln(format!("❗  {f} runs this cluster's control plane; Pilothouse does not let you remove it."));
                    out.code = 1;
                    continue;
                }
                if !sh.cluster.remove_static_manifest(node, &f) && !force {
                    out.errln(format!("rm: cannot remove '{t}': No such file or directory"));
                    out.code = 1;
                }
            }
        }
        "curl" => {
            let Some(url) = paths.first() else {
                out.errln("curl: try 'curl --help' or 'curl --manual' for more information");
                out.code = 2;
                return;
            };
            match sh.cluster.http_get(Origin::Node(node.to_string()), url) {
                Ok(r) => out.out(r.body),
                Err(e) => {
                    out.errln(e.to_string());
                    out.code = e.curl_exit_code();
                }
            }
        }
        "systemctl" => match (paths.first().map(String::as_str), paths.get(1).map(|s| s.trim_end_matches(".service"))) {
            (Some("is-active"), Some("kubelet")) => out.outln("active"),
            (Some("status"), Some("kubelet")) => {
                out.outln("● kubelet.service - kubelet: The Kubernetes Node Agent");
                out.outln("     Loaded: loaded (/lib/systemd/system/kubelet.service; enabled; vendor preset: enabled)");
                out.outln("    Drop-In: /etc/systemd/system/kubelet.service.d");
                out.outln("             └─10-kubeadm.conf");
                out.outln("     Active: active (running)");
                out.outln("       Docs: http://kubernetes.io/docs/");
                out.outln("   Main PID: 1234 (kubelet)");
                out.outln(format!("     CGroup: /system.slice/kubelet.service\n             └─1234 /var/lib/minikube/binaries/v1.32.0/kubelet --config=/var/lib/kubelet/config.yaml --hostname-override={node} --kubeconfig=/etc/kubernetes/kubelet.conf"));
            }
            _ => unsupported(out),
        },
        "hostname" => out.outln(node),
        _ => unsupported(out),
    }
}
