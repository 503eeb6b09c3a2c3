//! `minikube`: profiles (each its own simulated cluster and kubeconfig context), start, stop,
//! pause, status, delete, nodes, addons, service, tunnel, ip, dashboard — with minikube
//! v1.35's emoji-decorated output.

use pilothouse_engine::vecmap::VecMap;
use crate::flags::{self, b, i, s, Flag};
use crate::shell::{Effect, Out, Shell};
use pilothouse_engine::api::{Kind, Object, ObjectKey};
use pilothouse_engine::{Cluster, ClusterOptions};

/// minikube's version.
pub const MINIKUBE_VERSION: &str = "v1.35.0";
const OS_LINE: &str = "Ubuntu 22.04";

/// A profile's machine state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Running.
    Running,
    /// `minikube stop`.
    Stopped,
    /// `minikube pause`.
    Paused,
}

/// One minikube profile.
#[derive(Clone, Debug)]
pub struct Profile {
    /// How it was started.
    pub options: ClusterOptions,
    /// Machine state.
    pub status: Status,
    /// The kubeconfig context's namespace.
    pub namespace: String,
    /// The cluster while another profile is active.
    pub stash: Option<Box<Cluster>>,
    /// Creation order (for the network: 192.168.49.x, 192.168.58.x, ...).
    pub index: usize,
}

/// All profiles and the active one.
#[derive(Clone, Debug)]
pub struct Profiles {
    /// By name.
    pub map: VecMap<String, Profile>,
    /// The active profile (kubectl's current context), if any.
    pub active: Option<String>,
    /// How many clusters were started (seeds the next one).
    pub starts: u64,
    /// Whether `minikube tunnel` runs.
    pub tunnel: bool,
    next_index: usize,
}

impl Profiles {
    /// The profiles of a shell created on `cluster`.
    pub fn new(cluster: &Cluster) -> Profiles {
        let mut map = VecMap::new();
        let name = cluster.options.profile.clone();
        map.insert(name.clone(), Profile { options: cluster.options.clone(), status: Status::Running, namespace: "default".into(), stash: None, index: 0 });
        Profiles { map, active: Some(name), starts: 0, tunnel: false, next_index: 1 }
    }

    /// Whether `minikube tunnel` is active for the running profile.
    pub fn tunnel_active(&self) -> bool {
        self.tunnel && self.active.as_ref().and_then(|a| self.map.get(a)).is_some_and(|p| p.status == Status::Running)
    }
}

/// The network of a profile by creation order.
fn subnet(index: usize) -> String {
    format!("192.168.{}", 49 + 9 * (index % 23))
}

/// The active profile's node IP.
pub fn node_ip(sh: &Shell) -> String {
    let idx = sh.profiles.active.as_ref().and_then(|a| sh.profiles.map.get(a)).map(|p| p.index).unwrap_or(0);
    format!("{}.2", subnet(idx))
}

/// A profile's node IP.
pub fn profile_ip(sh: &Shell, name: &str) -> String {
    let idx = sh.profiles.map.get(name).map(|p| p.index).unwrap_or(0);
    format!("{}.2", subnet(idx))
}

/// Why kubectl cannot reach the API server, if it cannot.
pub fn unreachable(sh: &Shell) -> Option<String> {
    match sh.profiles.active.as_ref().and_then(|a| sh.profiles.map.get(a)) {
        None => Some("The connection to the server localhost:8080 was refused - did you specify the right host or port?".into()),
        Some(p) if p.status != Status::Running => Some(format!("The connection to the server {}:8443 was refused - did you specify the right host or port?", format_args!("{}.2", subnet(p.index)))),
        _ => None,
    }
}

/// Contexts: (name, namespace).
pub fn contexts(sh: &Shell) -> Vec<(String, String)> {
    sh.profiles
        .map
        .iter()
        .map(|(n, p)| (n.clone(), if Some(n) == sh.profiles.active.as_ref() { sh.namespace.clone() } else { p.namespace.clone() }))
        .collect()
}

/// The current context.
pub fn current_context(sh: &Shell) -> Option<String> {
    sh.profiles.active.clone()
}

/// Sets a context's namespace.
pub fn set_context_namespace(sh: &mut Shell, ctx: &str, ns: &str) {
    if sh.profiles.active.as_deref() == Some(ctx) {
        sh.namespace = ns.to_string();
    }
    if let Some(p) = sh.profiles.map.get_mut(ctx) {
        p.namespace = ns.to_string();
    }
}

/// Switches the active profile (kubectl context).
pub fn use_context(sh: &mut Shell, name: &str) {
    if sh.profiles.active.as_deref() == Some(name) || !sh.profiles.map.contains_key(name) {
        return;
    }
    let Some(mut incoming) = sh.profiles.map.get_mut(name).and_then(|p| p.stash.take()) else { return };
    std::mem::swap(&mut sh.cluster, &mut incoming);
    if let Some(old) = sh.profiles.active.clone() {
        if let Some(p) = sh.profiles.map.get_mut(&old) {
            p.stash = Some(incoming);
            p.namespace = sh.namespace.clone();
        }
    }
    sh.namespace = sh.profiles.map.get(name).map(|p| p.namespace.clone()).unwrap_or_else(|| "default".into());
    sh.profiles.active = Some(name.to_string());
}

const GLOBAL: &[Flag] = &[s("profile", Some('p')), b("alsologtostderr", None), i("v", Some('v')), s("output", Some('o')), b("help", Some('h'))];

fn fail(out: &mut Out, msg: &str, code: i32) {
    out.errln(msg);
    out.code = code;
}

/// Runs `minikube ARGS`.
pub fn run(sh: &mut Shell, args: &[String]) -> Out {
    let mut out = Out::default();
    let Some(cmd) = args.iter().find(|a| !a.starts_with('-')).cloned() else {
        if args.iter().any(|a| a == "version" || a == "--version") {
            out.outln(format!("minikube version: {MINIKUBE_VERSION}"));
            return out;
        }
        out.out(MINIKUBE_HELP);
        return out;
    };
    let pos = args.iter().position(|a| *a == cmd).unwrap_or(0);
    let mut rest: Vec<String> = args[..pos].to_vec();
    rest.extend_from_slice(&args[pos + 1..]);
    let profile_flag = |p: &flags::Parsed| p.get("profile").map(str::to_string);
    macro_rules! parse {
        ($spec:expr) => {{
            let mut spec: Vec<Flag> = $spec.to_vec();
            spec.extend_from_slice(GLOBAL);
            match flags::parse(&rest, &spec, &[]) {
                Ok(p) => p,
                Err(e) => {
                    out.errln(format!("Error: {e}\nSee 'minikube {cmd} --help' for usage."));
                    out.code = 64;
                    return out;
                }
            }
        }};
    }
    match cmd.as_str() {
        "start" => {
            let p = parse!([
                i("nodes", Some('n')),
                s("kubernetes-version", None),
                s("memory", None),
                s("cpus", None),
                s("driver", Some('d')),
                s("vm-driver", None),
                s("container-runtime", None),
                s("addons", None),
                b("force", None),
                s("cni", None),
                s("disk-size", None),
                b("wait", None),
                s("extra-config", None),
                b("ha", None),
                s("image-repository", None),
            ]);
            start(sh, &p, &mut out);
        }
        "stop" => {
            let p = parse!([b("all", None), b("keep-context-active", None)]);
            let name = profile_flag(&p).or_else(|| sh.profiles.active.clone()).unwrap_or_else(|| "minikube".into());
            stop(sh, &name, &mut out);
        }
        "pause" | "unpause" => {
            let p = parse!([s("namespaces", None), b("all-namespaces", Some('A'))]);
            let name = profile_flag(&p).or_else(|| sh.profiles.active.clone()).unwrap_or_else(|| "minikube".into());
            pause(sh, &name, cmd == "pause", &mut out);
        }
        "status" => {
            let p = parse!([s("format", Some('f')), s("layout", Some('l')), b("watch", Some('w')), s("node", Some('n'))]);
            let name = profile_flag(&p).or_else(|| sh.profiles.active.clone()).unwrap_or_else(|| "minikube".into());
            status(sh, &name, p.get("output"), &mut out);
        }
        "delete" => {
            let p = parse!([b("all", None), b("purge", None)]);
            if p.bool("all") {
                let names: Vec<String> = sh.profiles.map.keys().cloned().collect();
                for n in names {
                    delete(sh, &n, &mut out);
                }
                out.outln("🔥  Successfully deleted all profiles");
            } else {
                let name = profile_flag(&p).or_else(|| sh.profiles.active.clone()).unwrap_or_else(|| "minikube".into());
                delete(sh, &name, &mut out);
            }
        }
        "ip" => {
            let p = parse!([s("node", Some('n'))]);
            let name = profile_flag(&p).or_else(|| sh.profiles.active.clone()).unwrap_or_else(|| "minikube".into());
            if !require_running(sh, &name, &mut out) {
                return out;
            }
            out.outln(profile_ip(sh, &name));
        }
        "version" => {
            let p = parse!([b("short", None), b("components", None)]);
            if p.bool("short") {
                out.outln(MINIKUBE_VERSION);
            } else {
                out.outln(format!("minikube version: {MINIKUBE_VERSION}"));
                out.outln("commit: dd5d320e41b5451cdf3c01891bc4e13d189586ed-dirty");
            }
        }
        "node" => {
            let p = parse!([b("control-plane", None), b("worker", None), b("delete-on-failure", None)]);
            node(sh, &p, &mut out);
        }
        "addons" | "addon" => {
            let p = parse!([s("images", None), s("registries", None), b("force", None), s("refresh", None)]);
            addons(sh, &p, &mut out);
        }
        "service" => {
            let p = parse!([b("url", None), s("namespace", Some('n')), b("https", None), s("format", None), b("all", None), s("interval", None), s("wait", None)]);
            service(sh, &p, &mut out);
        }
        "tunnel" => {
            let p = parse!([b("cleanup", Some('c')), s("bind-address", None)]);
            let _ = p;
            tunnel(sh, &mut out);
        }
        "dashboard" => {
            let p = parse!([b("url", None), i("port", None)]);
            if !require_running(sh, &sh.profiles.active.clone().unwrap_or_else(|| "minikube".into()), &mut out) {
                return out;
            }
            if !sh.cluster.addons.get("dashboard").copied().unwrap_or(false) {
                enable_addon(sh, "dashboard", &mut out);
            }
            out.outln("🤔  Verifying dashboard health ...");
            out.outln("🚀  Launching proxy ...");
            out.outln("🤔  Verifying proxy health ...");
            if p.bool("url") {
                out.outln("http://127.0.0.1:36111/api/v1/namespaces/kubernetes-dashboard/services/http:kubernetes-dashboard:/proxy/");
            } else {
                out.outln("🎉  Opening the cluster map (Pilothouse's dashboard) ...");
                out.effects.push(Effect::ShowMap);
            }
        }
        "docker-env" | "podman-env" => {
            out.outln("❗  There is no Docker daemon in Pilothouse: containers are simulated and images come from the built-in catalogue,");
            out.outln("    so `eval $(minikube docker-env)` and `docker build` do not apply here.");
        }
        "profile" => {
            let p = parse!([b("light", Some('l'))]);
            profile(sh, &p, &mut out);
        }
        "kubectl" => {
            let dash: Vec<String> = match args.iter().position(|a| a == "--") {
                Some(i) => args[i + 1..].to_vec(),
                None => rest.clone(),
            };
            return crate::kubectl::run(sh, &dash, None);
        }
        "config" => {
            let p = parse!([]);
            match p.args.first().map(String::as_str) {
                Some("set") if p.args.len() == 3 => out.outln("❗  These changes will take effect upon a minikube delete and then a minikube start"),
                Some("view") => out.outln("- memory: 3900"),
                _ => fail(&mut out, "Usage: minikube config SUBCOMMAND [flags] [options]", 64),
            }
        }
        "ssh" | "mount" | "image" | "cp" | "logs" | "update-context" | "update-check" | "cache" | "license" | "completion" | "options" => {
            fail(&mut out, &format!("❗  \"minikube {cmd}\" is not available in Pilothouse: the cluster is simulated in this page (try kubectl instead)."), 1);
        }
        "help" => out.out(MINIKUBE_HELP),
        other => {
            let cmds = ["start", "status", "stop", "delete", "dashboard", "pause", "unpause", "docker-env", "podman-env", "cache", "image", "addons", "config", "profile", "update-context", "service", "tunnel", "mount", "ssh", "kubectl", "node", "cp", "ip", "logs", "update-check", "version", "options", "license"];
            let sugg = flags::suggestions(other, &cmds);
            let mut msg = format!("Error: unknown command \"{other}\" for \"minikube\"");
            if !sugg.is_empty() {
                msg.push_str("\n\nDid you mean this?\n");
                for s in sugg {
                    msg.push_str(&format!("\t{s}\n"));
                }
            }
            msg.push_str("\nRun 'minikube --help' for usage.");
            fail(&mut out, &msg, 64);
        }
    }
    out
}

fn not_found_profile(out: &mut Out, name: &str) {
    out.outln(format!("🤷  Profile \"{name}\" not found. Run \"minikube profile list\" to view all profiles."));
    out.outln("👉  To start a cluster, run: \"minikube start\"");
    out.code = 85;
}

fn require_running(sh: &Shell, name: &str, out: &mut Out) -> bool {
    match sh.profiles.map.get(name) {
        None => {
            not_found_profile(out, name);
            false
        }
        Some(p) if p.status == Status::Stopped => {
            out.outln(format!("🤷  The control-plane node {name} host is not running: state=Stopped"));
            out.outln(format!("👉  To start a cluster, run: \"minikube start -p {name}\""));
            out.code = 83;
            false
        }
        _ => true,
    }
}

fn parse_memory(s: &str) -> Option<u64> {
    let l = s.to_ascii_lowercase();
    let (num, mult) = if let Some(n) = l.strip_suffix("gb").or_else(|| l.strip_suffix('g')) {
        (n, 1024)
    } else if let Some(n) = l.strip_suffix("mb").or_else(|| l.strip_suffix('m')) {
        (n, 1)
    } else {
        (l.as_str(), 1)
    };
    num.parse::<u64>().ok().map(|n| n * mult)
}

fn start(sh: &mut Shell, p: &flags::Parsed, out: &mut Out) {
    let name = p.get("profile").map(str::to_string).unwrap_or_else(|| "minikube".into());
    out.outln(format!("😄  {} {MINIKUBE_VERSION} on {OS_LINE}", if name == "minikube" { "minikube".to_string() } else { format!("[{name}] minikube") }));
    if let Some(existing) = sh.profiles.map.get(&name).cloned() {
        out.outln("✨  Using the docker driver based on existing profile");
        let o = existing.options.clone();
        out.outln(format!("👍  Starting \"{name}\" primary control-plane node in \"{name}\" cluster"));
        out.outln("🚜  Pulling base image v0.0.46 ...");
        if existing.status == Status::Running || existing.status == Status::Paused {
            out.outln(format!("🏃  Updating the running docker \"{name}\" container ..."));
        } else {
            out.outln(format!("🔄  Restarting existing docker container for \"{name}\" ..."));
        }
        use_context(sh, &name);
        if existing.status != Status::Running {
            let nodes: Vec<String> = sh.cluster.kubelets.nodes.keys().cloned().collect();
            for n in nodes {
                sh.cluster.start_node(&n);
            }
            sh.cluster.advance(30_000);
            if let Some(pr) = sh.profiles.map.get_mut(&name) {
                pr.status = Status::Running;
            }
        }
        out.outln(format!("🐳  Preparing Kubernetes {} on Docker 27.4.1 ...", o.kubernetes_version));
        out.outln("🔎  Verifying Kubernetes components...");
        out.outln("    ▪ Using image gcr.io/k8s-minikube/storage-provisioner:v5");
        out.outln(format!("🌟  Enabled addons: {}", enabled_list(sh)));
        sh.profiles.active = Some(name.clone());
        out.outln(format!("🏄  Done! kubectl is now configured to use \"{name}\" cluster and \"{}\" namespace by default", sh.namespace));
        return;
    }
    let nodes = p.int("nodes").unwrap_or(1).max(1) as usize;
    let version = p.get("kubernetes-version").map(|v| if v.starts_with('v') { v.to_string() } else { format!("v{v}") }).unwrap_or_else(|| "v1.32.0".into());
    let version = match version.as_str() {
        "vstable" | "vlatest" => "v1.32.0".to_string(),
        _ => version,
    };
    let minor: u32 = version.trim_start_matches('v').split('.').nth(1).and_then(|m| m.parse().ok()).unwrap_or(0);
    if !(20..=32).contains(&minor) {
        if minor > 32 {
            out.errln(format!("❗  Specified Kubernetes version {} is newer than the newest supported version: v1.32.0. Use `minikube config defaults kubernetes-version` for details.", version.trim_start_matches('v')));
        } else {
            out.errln(format!("❗  Specified Kubernetes version {} is less than the oldest supported version: v1.20.0. Use `minikube config defaults kubernetes-version` for details.", version.trim_start_matches('v')));
        }
        out.errln("");
        out.errln(format!("❌  Exiting due to K8S_OLD_UNSUPPORTED: Kubernetes {} is not supported by this release of minikube", version.trim_start_matches('v')));
        out.code = 106;
        return;
    }
    let default_mem = if nodes > 1 { 2200 } else { 3900 };
    let memory = match p.get("memory") {
        Some(m) => match parse_memory(m) {
            Some(v) if v >= 1800 => v,
            Some(v) => {
                out.errln(format!("❌  Exiting due to RSRC_INSUFFICIENT_REQ_MEMORY: Requested memory allocation {v}MiB is less than the usable minimum of 1800MB"));
                out.code = 29;
                return;
            }
            None => {
                out.errln(format!("❌  Exiting due to MK_USAGE: Generate unable to parse memory '{m}': invalid size: '{m}'"));
                out.code = 64;
                return;
            }
        },
        None => default_mem,
    };
    let cpus: u32 = match p.get("cpus") {
        Some("max") => 4,
        Some(c) => match c.parse() {
            Ok(n) if n >= 2 => n,
            _ => {
                out.errln(format!("❌  Exiting due to RSRC_INSUFFICIENT_CORES: Requested cpu count {c} is less than the minimum allowed of 2"));
                out.code = 29;
                return;
            }
        },
        None => 2,
    };
    out.outln("✨  Automatically selected the docker driver. Other choices: ssh");
    out.outln("📌  Using Docker driver with root privileges");
    out.outln(format!("👍  Starting \"{name}\" primary control-plane node in \"{name}\" cluster"));
    out.outln("🚜  Pulling base image v0.0.46 ...");
    out.outln(format!("🔥  Creating docker container (CPUs={cpus}, Memory={memory}MB) ..."));
    out.outln(format!("🐳  Preparing Kubernetes {version} on Docker 27.4.1 ..."));
    out.outln("    ▪ Generating certificates and keys ...");
    out.outln("    ▪ Booting up control plane ...");
    out.outln("    ▪ Configuring RBAC rules ...");
    if nodes > 1 {
        out.outln("🔗  Configuring CNI (Container Networking Interface) ...");
    } else {
        out.outln("🔗  Configuring bridge CNI (Container Networking Interface) ...");
    }
    out.outln("🔎  Verifying Kubernetes components...");
    out.outln("    ▪ Using image gcr.io/k8s-minikube/storage-provisioner:v5");
    sh.profiles.starts += 1;
    let seed = sh.seed.wrapping_add(sh.profiles.starts.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let options = ClusterOptions { profile: name.clone(), nodes, cpus, memory_mb: memory, kubernetes_version: version.clone() };
    let cluster = Cluster::start(seed, options.clone());
    let index = sh.profiles.next_index;
    sh.profiles.next_index += 1;
    // Stash the current cluster under its profile and make the new one active.
    let old = std::mem::replace(&mut sh.cluster, cluster);
    if let Some(a) = sh.profiles.active.clone() {
        if let Some(pr) = sh.profiles.map.get_mut(&a) {
            pr.stash = Some(Box::new(old));
            pr.namespace = sh.namespace.clone();
        }
    }
    let index = if sh.profiles.map.is_empty() { 0 } else { index };
    sh.profiles.map.insert(name.clone(), Profile { options, status: Status::Running, namespace: "default".into(), stash: None, index });
    sh.profiles.active = Some(name.clone());
    sh.namespace = "default".into();
    for a in p.slice("addons") {
        if ADDONS.iter().any(|x| x.0 == a) {
            let mut tmp = Out::default();
            enable_addon(sh, &a, &mut tmp);
        }
    }
    out.outln(format!("🌟  Enabled addons: {}", enabled_list(sh)));
    let ip = profile_ip(sh, &name);
    for n in 2..=nodes {
        let node = format!("{name}-m{n:02}");
        out.outln("");
        out.outln(format!("👍  Starting \"{node}\" worker node in \"{name}\" cluster"));
        out.outln("🚜  Pulling base image v0.0.46 ...");
        out.outln(format!("🔥  Creating docker container (CPUs={cpus}, Memory={memory}MB) ..."));
        out.outln("🌐  Found network options:");
        out.outln(format!("    ▪ NO_PROXY={ip}"));
        out.outln(format!("🐳  Preparing Kubernetes {version} on Docker 27.4.1 ..."));
        out.outln(format!("    ▪ env NO_PROXY={ip}"));
        out.outln("🔎  Verifying Kubernetes components...");
    }
    out.outln(format!("🏄  Done! kubectl is now configured to use \"{name}\" cluster and \"default\" namespace by default"));
}

fn enabled_list(sh: &Shell) -> String {
    let order = ["storage-provisioner", "default-storageclass", "metrics-server", "ingress", "dashboard"];
    let mut v: Vec<&str> = order.iter().copied().filter(|a| sh.cluster.addons.get(*a).copied().unwrap_or(false)).collect();
    for (k, on) in &sh.cluster.addons {
        if *on && !v.contains(&k.as_str()) {
            v.push(k);
        }
    }
    v.join(", ")
}

fn stop(sh: &mut Shell, name: &str, out: &mut Out) {
    let Some(p) = sh.profiles.map.get(name).cloned() else {
        return not_found_profile(out, name);
    };
    use_context_if_active(sh, name);
    let nodes: Vec<String> = if sh.profiles.active.as_deref() == Some(name) {
        sh.cluster.kubelets.nodes.keys().cloned().collect()
    } else {
        p.stash.as_ref().map(|c| c.kubelets.nodes.keys().cloned().collect()).unwrap_or_default()
    };
    for n in &nodes {
        out.outln(format!("✋  Stopping node \"{n}\"  ..."));
        out.outln(format!("🛑  Powering off \"{n}\" via SSH ..."));
    }
    if sh.profiles.active.as_deref() == Some(name) {
        for n in &nodes {
            sh.cluster.stop_node(n);
        }
        sh.profiles.tunnel = false;
        sh.cluster.tunnel(false);
    }
    if let Some(pr) = sh.profiles.map.get_mut(name) {
        pr.status = Status::Stopped;
    }
    out.outln(format!("🛑  {} node{} stopped.", nodes.len(), if nodes.len() == 1 { "" } else { "s" }));
}

fn use_context_if_active(_sh: &mut Shell, _name: &str) {}

fn pause(sh: &mut Shell, name: &str, pause: bool, out: &mut Out) {
    if !require_running(sh, name, out) {
        return;
    }
    let count = sh.cluster.list(Kind::Pod, Some("kube-system")).len() + sh.cluster.list(Kind::Pod, Some("kubernetes-dashboard")).len();
    if pause {
        out.outln(format!("⏸️  Pausing node {name} ... "));
        out.outln(format!("⏯️  Paused {count} containers in: kube-system, kubernetes-dashboard, storage-gluster, istio-operator"));
    } else {
        out.outln(format!("⏸️  Unpausing node {name} ... "));
        out.outln(format!("⏸️  Unpaused {count} containers in: kube-system, kubernetes-dashboard, storage-gluster, istio-operator"));
    }
    if let Some(pr) = sh.profiles.map.get_mut(name) {
        pr.status = if pause { Status::Paused } else { Status::Running };
    }
    sh.cluster.set_paused(pause);
}

fn status(sh: &Shell, name: &str, output: Option<&str>, out: &mut Out) {
    let Some(p) = sh.profiles.map.get(name) else {
        return not_found_profile(out, name);
    };
    let cluster: &Cluster = if sh.profiles.active.as_deref() == Some(name) { &sh.cluster } else { p.stash.as_deref().unwrap_or(&sh.cluster) };
    let nodes: Vec<String> = cluster.list(Kind::Node, None).iter().map(|o| o.metadata().name.clone().unwrap_or_default()).collect();
    let (host, kubelet, apiserver, kubeconfig) = match p.status {
        Status::Running => ("Running", "Running", "Running", "Configured"),
        Status::Stopped => ("Stopped", "Stopped", "Stopped", "Stopped"),
        Status::Paused => ("Running", "Stopped", "Paused", "Configured"),
    };
    if output == Some("json") {
        out.outln(format!("{{\"Name\":\"{name}\",\"Host\":\"{host}\",\"Kubelet\":\"{kubelet}\",\"APIServer\":\"{apiserver}\",\"Kubeconfig\":\"{kubeconfig}\",\"Worker\":false}}"));
    } else {
        for (i, n) in nodes.iter().enumerate() {
            let node_running = p.status == Status::Running && cluster.kubelets.nodes.get(n).is_none_or(|a| a.running);
            out.outln(n);
            if i == 0 {
                out.outln("type: Control Plane");
                out.outln(format!("host: {host}"));
                out.outln(format!("kubelet: {}", if p.status == Status::Running && !node_running { "Stopped" } else { kubelet }));
                out.outln(format!("apiserver: {apiserver}"));
                out.outln(format!("kubeconfig: {kubeconfig}"));
            } else {
                out.outln("type: Worker");
                out.outln(format!("host: {}", if node_running || p.status == Status::Paused { "Running" } else { "Stopped" }));
                out.outln(format!("kubelet: {}", if node_running { "Running" } else { "Stopped" }));
            }
            out.outln("");
        }
    }
    out.code = match p.status {
        Status::Running => 0,
        Status::Paused => 2,
        Status::Stopped => 7,
    };
}

fn delete(sh: &mut Shell, name: &str, out: &mut Out) {
    if !sh.profiles.map.contains_key(name) {
        out.outln(format!("🤷  \"{name}\" profile does not exist, trying anyways."));
        out.outln(format!("💀  Removed all traces of the \"{name}\" cluster."));
        return;
    }
    out.outln(format!("🔥  Deleting \"{name}\" in docker ..."));
    out.outln(format!("🔥  Deleting container \"{name}\" ..."));
    out.outln(format!("🔥  Removing {}/.minikube/machines/{name} ...", crate::HOME));
    out.outln(format!("💀  Removed all traces of the \"{name}\" cluster."));
    sh.profiles.map.remove(name);
    if sh.profiles.active.as_deref() == Some(name) {
        sh.profiles.active = None;
        sh.profiles.tunnel = false;
        sh.forwards.clear();
        sh.namespace = "default".into();
    }
}

fn node(sh: &mut Shell, p: &flags::Parsed, out: &mut Out) {
    let name = p.get("profile").map(str::to_string).or_else(|| sh.profiles.active.clone()).unwrap_or_else(|| "minikube".into());
    let sub = p.args.first().cloned().unwrap_or_default();
    if sub.is_empty() {
        out.out("Operations on nodes\n\nAvailable Commands:\n  add           Adds a node to the given cluster.\n  delete        Deletes a node from a cluster.\n  list          List nodes.\n  start         Starts a node.\n  stop          Stops a node in a cluster.\n\nUsage:\n  minikube node [flags] [options]\n");
        return;
    }
    if !require_running(sh, &name, out) {
        return;
    }
    use_context(sh, &name);
    match sub.as_str() {
        "add" => {
            let n = sh.cluster.node_count() + 1;
            let short = format!("m{n:02}");
            out.outln(format!("😄  Adding node {short} to cluster {name} as [worker]"));
            out.outln(format!("👍  Starting \"{name}-{short}\" worker node in \"{name}\" cluster"));
            out.outln("🚜  Pulling base image v0.0.46 ...");
            let o = sh.cluster.options.clone();
            out.outln(format!("🔥  Creating docker container (CPUs={}, Memory={}MB) ...", o.cpus, o.memory_mb));
            out.outln(format!("🐳  Preparing Kubernetes {} on Docker 27.4.1 ...", o.kubernetes_version));
            out.outln("🔎  Verifying Kubernetes components...");
            let added = sh.cluster.add_node();
            sh.cluster.advance(10_000);
            let _ = added;
            out.outln(format!("🏄  Successfully added {short} to {name}!"));
        }
        "list" => {
            for o in sh.cluster.list(Kind::Node, None) {
                if let Object::Node(n) = &*o {
                    let ip = n.status.as_ref().and_then(|s| s.addresses.as_ref()).and_then(|a| a.iter().find(|x| x.type_ == "InternalIP")).map(|a| a.address.clone()).unwrap_or_default();
                    out.outln(format!("{}\t{ip}", n.metadata.name.clone().unwrap_or_default()));
                }
            }
        }
        "delete" | "stop" | "start" => {
            let Some(target) = p.args.get(1).cloned() else {
                return fail(out, "❌  Exiting due to MK_USAGE: Usage: minikube node delete [name]", 64);
            };
            let full = if target.starts_with(&format!("{name}-")) { target.clone() } else { format!("{name}-{target}") };
            let short = full.trim_start_matches(&format!("{name}-")).to_string();
            if !sh.cluster.kubelets.nodes.contains_key(&full) {
                return fail(out, &format!("🤷  Exiting due to GUEST_NODE_RETRIEVE: retrieving node: Could not find node {target}"), 85);
            }
            if full == name {
                return fail(out, "❌  Exiting due to GUEST_NODE_DELETE: deleting node: cannot remove the primary control-plane node", 80);
            }
            match sub.as_str() {
                "stop" => {
                    sh.cluster.stop_node(&full);
                    out.outln(format!("✋  Stopping node \"{full}\"  ..."));
                    out.outln(format!("🛑  Powering off \"{full}\" via SSH ..."));
                    out.outln(format!("🛑  Successfully stopped node {full}"));
                }
                "start" => {
                    sh.cluster.start_node(&full);
                    out.outln(format!("👍  Starting \"{full}\" worker node in \"{name}\" cluster"));
                    out.outln(format!("😄  Successfully started node {full}!"));
                }
                _ => {
                    out.outln(format!("🔥  Deleting node {short} from cluster {name}"));
                    out.outln(format!("✋  Stopping node \"{full}\"  ..."));
                    out.outln(format!("🛑  Powering off \"{full}\" via SSH ..."));
                    out.outln(format!("🔥  Deleting \"{full}\" in docker ..."));
                    sh.cluster.remove_node(&full);
                    out.outln(format!("💀  Node {short} was successfully deleted."));
                }
            }
        }
        other => fail(out, &format!("Error: unknown command \"{other}\" for \"minikube node\"\nRun 'minikube node --help' for usage."), 64),
    }
}

/// (name, maintainer, simulated).
const ADDONS: &[(&str, &str, bool)] = &[
    ("ambassador", "3rd party (Ambassador)", false),
    ("amd-gpu-device-plugin", "3rd party (AMD)", false),
    ("auto-pause", "minikube", false),
    ("cloud-spanner", "Google", false),
    ("csi-hostpath-driver", "Kubernetes", false),
    ("dashboard", "Kubernetes", true),
    ("default-storageclass", "Kubernetes", true),
    ("efk", "3rd party (Elastic)", false),
    ("freshpod", "Google", false),
    ("gcp-auth", "Google", false),
    ("gvisor", "minikube", false),
    ("headlamp", "3rd party (kinvolk.io)", false),
    ("inaccel", "3rd party (InAccel [info@inaccel.com])", false),
    ("ingress", "Kubernetes", true),
    ("ingress-dns", "minikube", false),
    ("inspektor-gadget", "3rd party (inspektor-gadget.io)", false),
    ("istio", "3rd party (Istio)", false),
    ("istio-provisioner", "3rd party (Istio)", false),
    ("kong", "3rd party (Kong HQ)", false),
    ("kubeflow", "3rd party", false),
    ("kubevirt", "3rd party (KubeVirt)", false),
    ("logviewer", "3rd party (unknown)", false),
    ("metallb", "3rd party (MetalLB)", false),
    ("metrics-server", "Kubernetes", true),
    ("nvidia-device-plugin", "3rd party (NVIDIA)", false),
    ("nvidia-driver-installer", "3rd party (NVIDIA)", false),
    ("nvidia-gpu-device-plugin", "3rd party (NVIDIA)", false),
    ("olm", "3rd party (Operator Framework)", false),
    ("pod-security-policy", "3rd party (unknown)", false),
    ("portainer", "3rd party (Portainer.io)", false),
    ("registry", "minikube", false),
    ("registry-aliases", "3rd party (unknown)", false),
    ("registry-creds", "3rd party (UPMC Enterprises)", false),
    ("storage-provisioner", "minikube", true),
    ("storage-provisioner-gluster", "3rd party (Gluster)", false),
    ("storage-provisioner-rancher", "3rd party (Rancher)", false),
    ("volcano", "third-party (volcano)", false),
    ("volumesnapshots", "Kubernetes", false),
    ("yakd", "3rd party (marcnuri.com)", false),
];

/// Display width (emoji count double).
fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x2600 { 2 } else { 1 }).sum()
}

/// A minikube (olekukonko/tablewriter) table: centred headers, `|---|` borders; numeric cells
/// are right-aligned.
pub fn mk_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let n = headers.len();
    let mut w: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            w[i] = w[i].max(width(c));
        }
    }
    let border = format!("|{}|\n", w.iter().map(|x| "-".repeat(x + 2)).collect::<Vec<_>>().join("|"));
    let mut s = border.clone();
    s.push('|');
    for (i, h) in headers.iter().enumerate() {
        let pad = w[i] - width(h);
        let left = pad / 2;
        s.push_str(&format!(" {}{}{} |", " ".repeat(left), h, " ".repeat(pad - left)));
    }
    s.push('\n');
    s.push_str(&border);
    for r in rows {
        s.push('|');
        for (i, c) in r.iter().enumerate().take(n) {
            let pad = w[i] - width(c);
            let numeric = !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit());
            if numeric {
                s.push_str(&format!(" {}{} |", " ".repeat(pad), c));
            } else {
                s.push_str(&format!(" {}{} |", c, " ".repeat(pad)));
            }
        }
        s.push('\n');
    }
    s.push_str(&border);
    s
}

fn addons(sh: &mut Shell, p: &flags::Parsed, out: &mut Out) {
    let profile = p.get("profile").map(str::to_string).or_else(|| sh.profiles.active.clone()).unwrap_or_else(|| "minikube".into());
    let sub = p.args.first().cloned().unwrap_or_default();
    if sub.is_empty() {
        out.out("addons modifies minikube addons files using subcommands like \"minikube addons enable dashboard\"\n\nAvailable Commands:\n  configure     Configures the addon w/ADDON_NAME within minikube (example: minikube addons configure registry-creds). For a list of available addons use: minikube addons list\n  disable       Disables the addon w/ADDON_NAME within minikube (example: minikube addons disable dashboard). For a list of available addons use: minikube addons list\n  enable        Enables the addon w/ADDON_NAME within minikube. For a list of available addons use: minikube addons list \n  images        List image names the addon w/ADDON_NAME used. For a list of available addons use: minikube addons list\n  list          Lists all available minikube addons as well as their current statuses (enabled/disabled)\n\nUsage:\n  minikube addons SUBCOMMAND [flags] [options]\n");
        return;
    }
    if !require_running(sh, &profile, out) {
        return;
    }
    use_context(sh, &profile);
    match sub.as_str() {
        "list" => {
            let rows: Vec<Vec<String>> = ADDONS
                .iter()
                .map(|(n, m, _)| {
                    let on = sh.cluster.addons.get(*n).copied().unwrap_or(false);
                    vec![n.to_string(), profile.clone(), if on { "enabled ✅".to_string() } else { "disabled".to_string() }, m.to_string()]
                })
                .collect();
            out.out(mk_table(&["ADDON NAME", "PROFILE", "STATUS", "MAINTAINER"], &rows));
            out.outln("💡  To see addons list for other profiles use: `minikube addons -p name list`");
        }
        "enable" | "disable" => {
            let Some(addon) = p.args.get(1).cloned() else {
                return fail(out, &format!("❌  Exiting due to MK_USAGE: usage: minikube addons {sub} ADDON_NAME"), 64);
            };
            let Some((_, maint, simulated)) = ADDONS.iter().find(|a| a.0 == addon) else {
                return fail(out, &format!("🤷  Exiting due to MK_ADDON_ENABLE: run callbacks: {addon} is not a valid addon"), 10);
            };
            if !simulated {
                return fail(out, &format!("❌  The '{addon}' addon ({maint}) is not simulated in Pilothouse; supported: metrics-server, ingress, dashboard, storage-provisioner, default-storageclass"), 10);
            }
            if sub == "enable" {
                enable_addon(sh, &addon, out);
            } else {
                disable_addon(sh, &addon);
                out.outln(format!("🌑  \"The '{addon}' addon is disabled\""));
            }
        }
        "images" => {
            let Some(addon) = p.args.get(1) else { return fail(out, "❌  Exiting due to MK_USAGE: usage: minikube addons images ADDON_NAME", 64) };
            out.outln(format!("💡  {addon} has the following images:\n"));
        }
        other => fail(out, &format!("Error: unknown command \"{other}\" for \"minikube addons\"\nRun 'minikube addons --help' for usage."), 64),
    }
}

fn addon_manifest(addon: &str) -> &'static str {
    match addon {
        "metrics-server" => "apiVersion: v1
kind: ServiceAccount
metadata:
  name: metrics-server
  namespace: kube-system
  labels:
    k8s-app: metrics-server
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: metrics-server
  namespace: kube-system
  labels:
    k8s-app: metrics-server
    addonmanager.kubernetes.io/mode: Reconcile
    kubernetes.io/minikube-addons: metrics-server
spec:
  replicas: 1
  selector:
    matchLabels:
      k8s-app: metrics-server
  template:
    metadata:
      name: metrics-server
      labels:
        k8s-app: metrics-server
    spec:
      serviceAccountName: metrics-server
      priorityClassName: system-cluster-critical
      containers:
      - name: metrics-server
        image: registry.k8s.io/metrics-server/metrics-server:v0.7.2
        args:
        - --cert-dir=/tmp
        - --secure-port=4443
        - --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname
        - --kubelet-use-node-status-port
        - --metric-resolution=60s
        - --kubelet-insecure-tls
        ports:
        - containerPort: 4443
          name: https
          protocol: TCP
        resources:
          requests:
            cpu: 100m
            memory: 200Mi
---
apiVersion: v1
kind: Service
metadata:
  name: metrics-server
  namespace: kube-system
  labels:
    k8s-app: metrics-server
    kubernetes.io/minikube-addons: metrics-server
    kubernetes.io/minikube-addons-endpoint: metrics-server
    kubernetes.io/name: Metrics-server
spec:
  selector:
    k8s-app: metrics-server
  ports:
  - name: https
    port: 443
    protocol: TCP
    targetPort: https
",
        "dashboard" => "apiVersion: v1
kind: Namespace
metadata:
  name: kubernetes-dashboard
  labels:
    addonmanager.kubernetes.io/mode: Reconcile
    kubernetes.io/minikube-addons: dashboard
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: kubernetes-dashboard
  namespace: kubernetes-dashboard
  labels:
    k8s-app: kubernetes-dashboard
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubernetes-dashboard
  namespace: kubernetes-dashboard
  labels:
    k8s-app: kubernetes-dashboard
    addonmanager.kubernetes.io/mode: Reconcile
spec:
  replicas: 1
  selector:
    matchLabels:
      k8s-app: kubernetes-dashboard
  template:
    metadata:
      labels:
        k8s-app: kubernetes-dashboard
    spec:
      serviceAccountName: kubernetes-dashboard
      containers:
      - name: kubernetes-dashboard
        image: docker.io/kubernetesui/dashboard:v2.7.0
        args:
        - --namespace=kubernetes-dashboard
        - --enable-skip-login
        - --disable-settings-authorizer
        ports:
        - containerPort: 9090
          protocol: TCP
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dashboard-metrics-scraper
  namespace: kubernetes-dashboard
  labels:
    k8s-app: dashboard-metrics-scraper
    addonmanager.kubernetes.io/mode: Reconcile
spec:
  replicas: 1
  selector:
    matchLabels:
      k8s-app: dashboard-metrics-scraper
  template:
    metadata:
      labels:
        k8s-app: dashboard-metrics-scraper
    spec:
      serviceAccountName: kubernetes-dashboard
      containers:
      - name: dashboard-metrics-scraper
        image: docker.io/kubernetesui/metrics-scraper:v1.0.8
        ports:
        - containerPort: 8000
          protocol: TCP
---
apiVersion: v1
kind: Service
metadata:
  name: kubernetes-dashboard
  namespace: kubernetes-dashboard
  labels:
    k8s-app: kubernetes-dashboard
    kubernetes.io/minikube-addons: dashboard
spec:
  selector:
    k8s-app: kubernetes-dashboard
  ports:
  - port: 80
    targetPort: 9090
---
apiVersion: v1
kind: Service
metadata:
  name: dashboard-metrics-scraper
  namespace: kubernetes-dashboard
  labels:
    k8s-app: dashboard-metrics-scraper
spec:
  selector:
    k8s-app: dashboard-metrics-scraper
  ports:
  - port: 8000
    targetPort: 8000
",
        "ingress" => pilothouse_engine::network::ingress::ADDON_YAML,
        _ => "",
    }
}

fn enable_addon(sh: &mut Shell, addon: &str, out: &mut Out) {
    let images: &[&str] = match addon {
        "metrics-server" => &["registry.k8s.io/metrics-server/metrics-server:v0.7.2"],
        "dashboard" => &["docker.io/kubernetesui/dashboard:v2.7.0", "docker.io/kubernetesui/metrics-scraper:v1.0.8"],
        "ingress" => &["registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.4", "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.4", "registry.k8s.io/ingress-nginx/controller:v1.11.3"],
        "storage-provisioner" => &["gcr.io/k8s-minikube/storage-provisioner:v5"],
        _ => &[],
    };
    let maint = ADDONS.iter().find(|a| a.0 == addon).map(|a| a.1).unwrap_or("");
    if maint == "Kubernetes" && addon != "default-storageclass" {
        out.outln(format!("💡  {addon} is an addon maintained by Kubernetes. For any concerns contact minikube on GitHub."));
        out.outln("You can view the list of minikube maintainers at: https://github.com/kubernetes/minikube/blob/master/OWNERS");
    }
    for i in images {
        out.outln(format!("    ▪ Using image {i}"));
    }
    match addon {
        "default-storageclass" => {
            let key = ObjectKey::new(Kind::StorageClass, "", "standard");
            let _ = sh.cluster.patch(&key, pilothouse_engine::apiserver::PatchType::Merge, &serde_json::json!({"metadata": {"annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}}));
        }
        "storage-provisioner" => {
            let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: storage-provisioner\n  namespace: kube-system\n  labels:\n    addonmanager.kubernetes.io/mode: Reconcile\n    integration-test: storage-provisioner\nspec:\n  hostNetwork: true\n  serviceAccountName: storage-provisioner\n  containers:\n  - name: storage-provisioner\n    image: gcr.io/k8s-minikube/storage-provisioner:v5\n    command: [\"/storage-provisioner\"]\n";
            apply_text(sh, yaml);
        }
        other => apply_text(sh, addon_manifest(other)),
    }
    if addon == "ingress" {
        out.outln("🔎  Verifying ingress addon...");
        sh.cluster.advance(20_000);
    }
    if addon == "dashboard" {
        out.outln("💡  Some dashboard features require the metrics-server addon. To enable all features please run:");
        out.outln("");
        out.outln("\tminikube addons enable metrics-server");
        out.outln("");
    }
    sh.cluster.addons.insert(addon.to_string(), true);
    out.outln(format!("🌟  The '{addon}' addon is enabled"));
}

fn apply_text(sh: &mut Shell, yaml: &str) {
    if let Ok(objs) = pilothouse_engine::api::parse_manifests(yaml) {
        for m in objs {
            let _ = sh.cluster.apply(m.object);
        }
    }
}

fn disable_addon(sh: &mut Shell, addon: &str) {
    match addon {
        "default-storageclass" => {
            let key = ObjectKey::new(Kind::StorageClass, "", "standard");
            let _ = sh.cluster.patch(&key, pilothouse_engine::apiserver::PatchType::Merge, &serde_json::json!({"metadata": {"annotations": {"storageclass.kubernetes.io/is-default-class": "false"}}}));
        }
        "storage-provisioner" => {
            let _ = sh.cluster.delete(&ObjectKey::new(Kind::Pod, "kube-system", "storage-provisioner"), &Default::default());
        }
        other => {
            if let Ok(objs) = pilothouse_engine::api::parse_manifests(addon_manifest(other)) {
                for m in objs.iter().rev() {
                    let key = ObjectKey::of(&m.object);
                    if key.kind == Kind::Namespace || key.kind == Kind::ServiceAccount {
                        // kept like minikube does for namespaces with other content
                    }
                    let _ = sh.cluster.delete(&key, &Default::default());
                }
            }
        }
    }
    sh.cluster.addons.insert(addon.to_string(), false);
}

fn service_rows(sh: &Shell, svc: &k8s_openapi::api::core::v1::Service) -> Vec<Vec<String>> {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let spec = svc.spec.clone().unwrap_or_default();
    let ip = node_ip(sh);
    let mut rows = Vec::new();
    let ports = spec.ports.clone().unwrap_or_default();
    let has_np = ports.iter().any(|p| p.node_port.is_some());
    if !has_np {
        rows.push(vec![ns, name, String::new(), "No node port".into()]);
        return rows;
    }
    for (i, p) in ports.iter().enumerate() {
        let target = match &p.name {
            Some(n) if !n.is_empty() => format!("{n}/{}", p.port),
            _ => p.port.to_string(),
        };
        let url = p.node_port.map(|np| format!("http://{ip}:{np}")).unwrap_or_default();
        if i == 0 {
            rows.push(vec![ns.clone(), name.clone(), target, url]);
        } else {
            rows.push(vec![String::new(), String::new(), target, url]);
        }
    }
    rows
}

fn service(sh: &mut Shell, p: &flags::Parsed, out: &mut Out) {
    let profile = p.get("profile").map(str::to_string).or_else(|| sh.profiles.active.clone()).unwrap_or_else(|| "minikube".into());
    if !require_running(sh, &profile, out) {
        return;
    }
    let ns = p.get("namespace").unwrap_or("default").to_string();
    let headers = ["NAMESPACE", "NAME", "TARGET PORT", "URL"];
    if p.args.first().map(String::as_str) == Some("list") {
        let mut rows = Vec::new();
        for o in sh.cluster.list(Kind::Service, if p.has("namespace") { Some(&ns) } else { None }) {
            if let Object::Service(s) = &*o {
                rows.extend(service_rows(sh, s));
            }
        }
        out.out(mk_table(&headers, &rows));
        return;
    }
    let Some(name) = p.args.first().cloned() else {
        return fail(out, "❌  Exiting due to MK_USAGE: You must specify service name(s) or --all", 64);
    };
    let Some(obj) = sh.cluster.get(&ObjectKey::new(Kind::Service, &ns, &name)) else {
        out.errln("");
        out.errln(format!("❌  Exiting due to SVC_NOT_FOUND: Service '{name}' was not found in '{ns}' namespace."));
        out.errln(format!("You may select another namespace by using 'minikube service {name} -n <namespace>'. Or list out all the services using 'minikube service list'"));
        out.errln("");
        out.code = 85;
        return;
    };
    let Object::Service(svc) = &*obj else { return };
    let rows = service_rows(sh, svc);
    let urls: Vec<String> = rows.iter().map(|r| r[3].clone()).filter(|u| u.starts_with("http")).collect();
    if urls.is_empty() {
        out.out(mk_table(&headers, &rows));
        out.errln(format!("😿  service {ns}/{name} has no node port"));
        out.errln(format!("❗  Services [{ns}/{name}] have type \"ClusterIP\" not meant to be exposed, however for local development minikube allows you to access this !"));
        return;
    }
    if p.bool("url") {
        for u in urls {
            out.outln(u);
        }
        return;
    }
    out.out(mk_table(&headers, &rows));
    out.outln(format!("🎉  Opening service {ns}/{name} in default browser..."));
    if let Some(u) = urls.first() {
        out.effects.push(Effect::OpenUrl { url: u.clone() });
    }
}

fn tunnel(sh: &mut Shell, out: &mut Out) {
    let name = sh.profiles.active.clone().unwrap_or_else(|| "minikube".into());
    if !require_running(sh, &name, out) {
        return;
    }
    sh.profiles.tunnel = true;
    // The engine routes the service CIDR (ClusterIPs, LoadBalancer IPs) from the host.
    sh.cluster.tunnel(true);
    crate::net::after_command(sh);
    let lbs: Vec<String> = sh
        .cluster
        .list(Kind::Service, None)
        .iter()
        .filter_map(|o| match &**o {
            Object::Service(s) if s.spec.as_ref().and_then(|x| x.type_.as_deref()) == Some("LoadBalancer") => s.metadata.name.clone(),
            _ => None,
        })
        .collect();
    out.outln("Status:\t");
    out.outln(format!("\tmachine: {name}"));
    out.outln("\tpid: 4242");
    out.outln(format!("\troute: 10.96.0.0/12 -> {}", node_ip(sh)));
    out.outln("\tminikube: Running");
    out.outln(format!("\tservices: [{}]", lbs.join(", ")));
    out.outln("    errors: ");
    out.outln("\t\tminikube: no errors");
    out.outln("\t\trouter: no errors");
    out.outln("\t\tloadbalancer emulator: no errors");
    out.outln("(Pilothouse: the tunnel keeps running in the background; LoadBalancer services now get an EXTERNAL-IP.)");
}

fn profile(sh: &mut Shell, p: &flags::Parsed, out: &mut Out) {
    match p.args.first().map(String::as_str) {
        Some("list") | None if p.args.first().map(String::as_str) == Some("list") => {
            if sh.profiles.map.is_empty() {
                out.errln("");
                out.errln("🤹  Exiting due to MK_USAGE_NO_PROFILE: No minikube profile was found.");
                out.errln("💡  Suggestion: ");
                out.errln("");
                out.errln("    You can create one using 'minikube start'.");
                out.errln("");
                out.code = 14;
                return;
            }
            let rows: Vec<Vec<String>> = sh
                .profiles
                .map
                .iter()
                .map(|(n, pr)| {
                    let cluster = if sh.profiles.active.as_deref() == Some(n) { &sh.cluster } else { pr.stash.as_deref().unwrap_or(&sh.cluster) };
                    let active = if sh.profiles.active.as_deref() == Some(n) { "*" } else { "" };
                    let st = match pr.status {
                        Status::Running => "OK",
                        Status::Stopped => "Stopped",
                        Status::Paused => "Paused",
                    };
                    vec![n.clone(), "docker".into(), "docker".into(), format!("{}.2", subnet(pr.index)), "8443".into(), pr.options.kubernetes_version.clone(), st.into(), cluster.node_count().to_string(), active.into(), active.into()]
                })
                .collect();
            out.out(mk_table(&["Profile", "VM Driver", "Runtime", "IP", "Port", "Version", "Status", "Nodes", "Active Profile", "Active Kubecontext"], &rows));
        }
        None => out.outln(sh.profiles.active.clone().unwrap_or_else(|| "minikube".into())),
        Some(name) => {
            if !sh.profiles.map.contains_key(name) {
                out.outln(format!("🤷  Profile \"{name}\" not found. Run \"minikube profile list\" to view all profiles."));
                out.code = 85;
                return;
            }
            let n = name.to_string();
            use_context(sh, &n);
            out.outln(format!("✅  minikube profile was successfully set to {n}"));
        }
    }
}

const MINIKUBE_HELP: &str = "minikube provisions and manages local Kubernetes clusters optimized for development workflows.

Basic Commands:
  start            Starts a local Kubernetes cluster
  status           Gets the status of a local Kubernetes cluster
  stop             Stops a running local Kubernetes cluster
  delete           Deletes a local Kubernetes cluster
  dashboard        Access the Kubernetes dashboard running within the minikube cluster
  pause            pause Kubernetes
  unpause          unpause Kubernetes

Images Commands:
  docker-env       Provides instructions to point your terminal's docker-cli to the Docker Engine inside minikube.

Configuration and Management Commands:
  addons           Enable or disable a minikube addon
  config           Modify persistent configuration values
  profile          Get or list the current profiles (clusters)

Networking and Connectivity Commands:
  service          Returns a URL to connect to a service
  tunnel           Connect to LoadBalancer services

Advanced Commands:
  kubectl          Run a kubectl binary matching the cluster version
  node             Add, remove, or list additional nodes

Troubleshooting Commands:
  ip               Retrieves the IP address of the specified node
  version          Print the version of minikube

Use \"minikube <command> --help\" for more information about a given command.
";
