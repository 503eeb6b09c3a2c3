//! `kubectl exec` with a small simulated shell inside the container (echo, cat, ls, env,
//! hostname, touch, rm, mkdir, curl/wget, nslookup, sleep, date, ...), plus `port-forward` and
//! `proxy`, which register local ports the host's `curl` can reach.

use super::logs::{choose_container, pod_for};
use super::{namespace, parse_flags};
use crate::flags::{b, s, Flag};
use crate::lexer::{self, Expander, Joiner, Redirect};
use crate::shell::{Forward, Out, Shell, Stream};
use k8s_openapi::api::core::v1::Pod;
use pilothouse_engine::api::{Kind, Object, ObjectKey};
use std::collections::BTreeMap;

const EXEC_FLAGS: &[Flag] = &[
    s("container", Some('c')),
    b("stdin", Some('i')),
    b("tty", Some('t')),
    b("quiet", Some('q')),
    s("pod-running-timeout", None),
    s("filename", Some('f')),
];

/// `kubectl exec`.
pub fn exec(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl exec", args, EXEC_FLAGS) else { return };
    let ns = namespace(sh, &p);
    if p.args.is_empty() {
        return out.fail("pod, type/name or --filename must be specified");
    }
    let command: Vec<String> = match &p.dash {
        Some(c) => c.clone(),
        None if p.args.len() > 1 => {
            return out.fail("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples");
        }
        None => Vec::new(),
    };
    if command.is_empty() {
        return out.fail("you must specify at least one command for the container");
    }
    let Some(pod) = pod_for(sh, out, &ns.ns, &p.args[0], false) else { return };
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return out.fail(format!("cannot exec into a container in a completed pod; current phase is {phase}"));
    }
    let Some(c) = choose_container(out, &pod, p.get("container"), p.bool("quiet")) else { return };
    let key = ObjectKey::of(&Object::Pod(pod.clone()));
    if !sh.cluster.kubelets.is_running(&key, &c) {
        return out.fail(format!("unable to upgrade connection: container not found (\"{c}\")"));
    }
    let interactive_shell = command.len() == 1 && matches!(command[0].rsplit('/').next().unwrap_or(""), "sh" | "bash" | "ash" | "zsh");
    if interactive_shell {
        if !(p.bool("stdin") && p.bool("tty")) {
            // A shell without a terminal reads nothing and exits.
            return;
        }
        out.errln(format!(
            "Interactive shells are not supported in Pilothouse; run commands with `kubectl exec {} -- sh -c \"...\"` instead.",
            pod.metadata.name.clone().unwrap_or_default()
        ));
        out.code = 1;
        return;
    }
    let mut ctx = Container::new(sh, &pod, &c);
    let code = ctx.run_argv(sh, &command, out);
    ctx.save(sh);
    if code != 0 {
        out.errln(format!("command terminated with exit code {code}"));
        out.code = code;
    }
}

/// The state of an exec session in one container.
pub struct Container {
    key: ObjectKey,
    name: String,
    pod: Pod,
    env: BTreeMap<String, String>,
    files: BTreeMap<String, String>,
    cwd: String,
    image: String,
}

impl Container {
    fn new(sh: &Shell, pod: &Pod, name: &str) -> Container {
        let key = ObjectKey::of(&Object::Pod(pod.clone()));
        let spec = pod.spec.clone().unwrap_or_default();
        let c = spec.containers.iter().chain(spec.init_containers.iter().flatten()).find(|c| c.name == name).cloned().unwrap_or_default();
        let mut env = BTreeMap::new();
        env.insert("PATH".to_string(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string());
        env.insert("HOSTNAME".to_string(), pod.metadata.name.clone().unwrap_or_default());
        env.insert("HOME".to_string(), "/root".to_string());
        env.insert("KUBERNETES_SERVICE_HOST".to_string(), "10.96.0.1".to_string());
        env.insert("KUBERNETES_SERVICE_PORT".to_string(), "443".to_string());
        env.insert("KUBERNETES_SERVICE_PORT_HTTPS".to_string(), "443".to_string());
        env.insert("KUBERNETES_PORT".to_string(), "tcp://10.96.0.1:443".to_string());
        env.insert("KUBERNETES_PORT_443_TCP".to_string(), "tcp://10.96.0.1:443".to_string());
        env.insert("KUBERNETES_PORT_443_TCP_ADDR".to_string(), "10.96.0.1".to_string());
        env.insert("KUBERNETES_PORT_443_TCP_PORT".to_string(), "443".to_string());
        env.insert("KUBERNETES_PORT_443_TCP_PROTO".to_string(), "tcp".to_string());
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        for from in c.env_from.iter().flatten() {
            let prefix = from.prefix.clone().unwrap_or_default();
            if let Some(r) = &from.config_map_ref {
                if let Some(Object::ConfigMap(cm)) = sh.cluster.get(&ObjectKey::new(Kind::ConfigMap, &ns, &r.name)).as_deref() {
                    for (k, v) in cm.data.iter().flatten() {
                        env.insert(format!("{prefix}{k}"), v.clone());
                    }
                }
            }
            if let Some(r) = &from.secret_ref {
                if let Some(Object::Secret(sec)) = sh.cluster.get(&ObjectKey::new(Kind::Secret, &ns, &r.name)).as_deref() {
                    for (k, v) in sec.data.iter().flatten() {
                        env.insert(format!("{prefix}{k}"), String::from_utf8_lossy(&v.0).to_string());
                    }
                }
            }
        }
        for e in c.env.iter().flatten() {
            let mut val = e.value.clone().unwrap_or_default();
            if let Some(from) = &e.value_from {
                if let Some(r) = &from.config_map_key_ref {
                    if let Some(Object::ConfigMap(cm)) = sh.cluster.get(&ObjectKey::new(Kind::ConfigMap, &ns, &r.name)).as_deref() {
                        val = cm.data.as_ref().and_then(|d| d.get(&r.key)).cloned().unwrap_or_default();
                    }
                }
                if let Some(r) = &from.secret_key_ref {
                    if let Some(Object::Secret(sec)) = sh.cluster.get(&ObjectKey::new(Kind::Secret, &ns, &r.name)).as_deref() {
                        val = sec.data.as_ref().and_then(|d| d.get(&r.key)).map(|b| String::from_utf8_lossy(&b.0).to_string()).unwrap_or_default();
                    }
                }
                if let Some(f) = &from.field_ref {
                    val = match f.field_path.as_str() {
                        "metadata.name" => pod.metadata.name.clone().unwrap_or_default(),
                        "metadata.namespace" => ns.clone(),
                        "spec.nodeName" => spec.node_name.clone().unwrap_or_default(),
                        "status.podIP" => pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default(),
                        "status.hostIP" => pod.status.as_ref().and_then(|s| s.host_ip.clone()).unwrap_or_default(),
                        "spec.serviceAccountName" => spec.service_account_name.clone().unwrap_or_default(),
                        _ => String::new(),
                    };
                }
            }
            env.insert(e.name.clone(), val);
        }
        let files = sh.cluster.kubelets.pods.get(&key).and_then(|p| p.containers.iter().find(|x| x.name == name)).map(|x| x.files.clone()).unwrap_or_default();
        Container { key, name: name.to_string(), pod: pod.clone(), env, files, cwd: c.working_dir.clone().unwrap_or_else(|| "/".into()), image: c.image.clone().unwrap_or_default() }
    }

    fn save(&self, sh: &mut Shell) {
        if let Some(rt) = sh.cluster.kubelets.container_mut(&self.key, &self.name) {
            rt.files = self.files.clone();
        }
        // Writes under volume mounts land in the volumes now (a pod deleted next keeps them).
        sh.cluster.sync_volume_files();
    }

    fn abs(&self, p: &str) -> String {
        if p.starts_with('/') {
            p.to_string()
        } else if self.cwd == "/" {
            format!("/{p}")
        } else {
            format!("{}/{p}", self.cwd)
        }
    }

    fn builtin_file(&self, path: &str) -> Option<String> {
        let name = self.pod.metadata.name.clone().unwrap_or_default();
        let ns = self.pod.metadata.namespace.clone().unwrap_or_default();
        let ip = self.pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
        match path {
            "/etc/hostname" => Some(format!("{name}\n")),
            "/etc/hosts" => Some(format!("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{ip}\t{name}\n")),
            "/etc/resolv.conf" => Some(format!("nameserver 10.96.0.10\nsearch {ns}.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n")),
            "/usr/share/nginx/html/index.html" if self.image.contains("nginx") => Some(pilothouse_engine::kubelet::images::NGINX_WELCOME.to_string()),
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace" => Some(ns),
            _ => None,
        }
    }

    /// The file as the container sees it: this session's writes, then the engine's view
    /// (volumes mounted over the image: a PVC's data, ConfigMap and Secret files, emptyDirs).
    fn read(&self, sh: &mut Shell, path: &str) -> Option<String> {
        let p = self.abs(path);
        self.files.get(&p).cloned().or_else(|| sh.cluster.exec_read(&self.key, &self.name, &p).ok()).or_else(|| self.builtin_file(&p))
    }

    fn is_dir(&self, sh: &mut Shell, path: &str) -> bool {
        let p = self.abs(path);
        let prefix = format!("{}/", p.trim_end_matches('/'));
        DEFAULT_DIRS.contains(&p.as_str())
            || self.files.keys().any(|k| k.starts_with(&prefix))
            || matches!(sh.cluster.exec_read(&self.key, &self.name, &p), Err(pilothouse_engine::storage::files::FsError::IsDirectory(_)))
    }

    /// Runs a command line (`sh -c` script) in the container; returns the exit code.
    fn run_script(&mut self, sh: &mut Shell, script: &str, out: &mut Out) -> i32 {
        struct Env<'a>(&'a BTreeMap<String, String>, i32);
        impl Expander for Env<'_> {
            fn var(&self, name: &str) -> String {
                if name == "?" {
                    return self.1.to_string();
                }
                self.0.get(name).cloned().unwrap_or_default()
            }
            fn substitute(&mut self, _command: &str) -> String {
                String::new()
            }
        }
        let mut code = 0;
        for line in script.split('\n') {
            let list = match lexer::parse(line, None, &mut Env(&self.env, code)) {
                Ok(l) => l,
                Err(e) => {
                    out.errln(format!("sh: syntax error: {}", e.0));
                    return 2;
                }
            };
            let mut run_next = true;
            for (pipe, j) in list.items {
                if run_next {
                    let mut input: Option<String> = None;
                    let n = pipe.stages.len();
                    for (i, st) in pipe.stages.into_iter().enumerate() {
                        let mut o = Out::default();
                        for (k, v) in &st.assignments {
                            self.env.insert(k.clone(), v.clone());
                        }
                        if st.words.is_empty() {
                            continue;
                        }
                        code = self.run_words(sh, &st.words, input.take(), &mut o);
                        for r in &st.redirects {
                            match r {
                                Redirect::Stdout { path, append } => {
                                    let text = o.stdout();
                                    o.chunks.retain(|c| c.0 != Stream::Stdout);
                                    if path != "/dev/null" {
                                        let p = self.abs(path);
                                        let e = self.files.entry(p).or_default();
                                        if *append {
                                            e.push_str(&text);
                                        } else {
                                            *e = text;
                                        }
                                    }
                                }
                                Redirect::Stderr { path, .. } if path == "/dev/null" => o.chunks.retain(|c| c.0 != Stream::Stderr),
                                Redirect::StderrToStdout => o.chunks.iter_mut().for_each(|c| c.0 = Stream::Stdout),
                                _ => {}
                            }
                        }
                        if i + 1 < n {
                            input = Some(o.stdout());
                            o.chunks.retain(|c| c.0 == Stream::Stderr);
                        }
                        out.chunks.extend(o.chunks);
                    }
                }
                run_next = match j {
                    Joiner::Always => true,
                    Joiner::And => code == 0,
                    Joiner::Or => code != 0,
                };
            }
        }
        code
    }

    /// Runs an argv (the `--` part of `kubectl exec`).
    pub fn run_argv(&mut self, sh: &mut Shell, argv: &[String], out: &mut Out) -> i32 {
        let base = argv[0].rsplit('/').next().unwrap_or("").to_string();
        if matches!(base.as_str(), "sh" | "bash" | "ash") && argv.get(1).map(String::as_str) == Some("-c") {
            let script = argv.get(2).cloned().unwrap_or_default();
            return self.run_script(sh, &script, out);
        }
        self.run_words(sh, argv, None, out)
    }

    fn run_words(&mut self, sh: &mut Shell, w: &[String], stdin: Option<String>, out: &mut Out) -> i32 {
        let cmd = w[0].rsplit('/').next().unwrap_or("").to_string();
        let args = &w[1..];
        match cmd.as_str() {
            "echo" => {
                let (nl, rest) = if args.first().map(String::as_str) == Some("-n") { (false, &args[1..]) } else { (true, args) };
                out.out(rest.join(" "));
                if nl {
                    out.out("\n");
                }
                0
            }
            "printf" => {
                let f = args.first().cloned().unwrap_or_default().replace("\\n", "\n").replace("%s", &args.get(1).cloned().unwrap_or_default());
                out.out(f);
                0
            }
            "cat" => {
                if args.is_empty() {
                    out.out(stdin.unwrap_or_default());
                    return 0;
                }
                let mut code = 0;
                for f in args {
                    match self.read(sh, f) {
                        Some(c) => out.out(c),
                        None if self.is_dir(sh, f) => {
                            out.errln("cat: read error: Is a directory");
                            code = 1;
                        }
                        None => {
                            out.errln(format!("cat: can't open '{f}': No such file or directory"));
                            code = 1;
                        }
                    }
                }
                code
            }
            "ls" => {
                let targets: Vec<String> = args.iter().filter(|a| !a.starts_with('-')).cloned().collect();
                let targets = if targets.is_empty() { vec![self.cwd.clone()] } else { targets };
                let mut code = 0;
                let many = targets.len() > 1;
                let mut listed = 0;
                for t in targets {
                    let p = self.abs(&t);
                    if self.read(sh, &p).is_some() {
                        out.outln(t.clone());
                        continue;
                    }
                    if !self.is_dir(sh, &p) {
                        out.errln(format!("ls: {t}: No such file or directory"));
                        code = 1;
                        continue;
                    }
                    let prefix = if p == "/" { "/".to_string() } else { format!("{}/", p.trim_end_matches('/')) };
                    let mut names: Vec<String> = Vec::new();
                    if p == "/" {
                        names.extend(["bin", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"].iter().map(|s| s.to_string()));
                    }
                    let mounted = sh.cluster.exec_list(&self.key, &self.name, &p);
                    if p == "/usr/share/nginx/html" && self.image.contains("nginx") && mounted.is_err() {
                        names.extend(["50x.html", "index.html"].iter().map(|s| s.to_string()));
                    }
                    if p == "/etc" {
                        names.extend(["hostname", "hosts", "resolv.conf"].iter().map(|s| s.to_string()));
                    }
                    // Files in volumes mounted here (and mount points below).
                    for n in mounted.unwrap_or_default() {
                        if !names.contains(&n) {
                            names.push(n);
                        }
                    }
                    for k in self.files.keys() {
                        if let Some(rest) = k.strip_prefix(&prefix) {
                            let n = rest.split('/').next().unwrap_or("").to_string();
                            if !n.is_empty() && !names.contains(&n) {
                                names.push(n);
                            }
                        }
                    }
                    pilothouse_engine::sort::sort(&mut names);
                    // Several directories: each under a `dir:` header, separated by a blank line.
                    if many {
                        if listed > 0 {
                            out.outln("");
                        }
                        out.outln(format!("{t}:"));
                        listed += 1;
                    }
                    if !names.is_empty() {
                        out.outln(names.join("  "));
                    }
                }
                code
            }
            "env" | "printenv" => {
                if let Some(v) = args.first() {
                    return match self.env.get(v) {
                        Some(x) => {
                            out.outln(x);
                            0
                        }
                        None => 1,
                    };
                }
                for (k, v) in &self.env {
                    out.outln(format!("{k}={v}"));
                }
                0
            }
            "hostname" => {
                out.outln(self.pod.metadata.name.clone().unwrap_or_default());
                0
            }
            "whoami" => {
                out.outln("root");
                0
            }
            "id" => {
                out.outln("uid=0(root) gid=0(root) groups=0(root)");
                0
            }
            "pwd" => {
                out.outln(self.cwd.clone());
                0
            }
            "cd" => {
                let t = args.first().cloned().unwrap_or_else(|| "/root".into());
                if self.is_dir(sh, &t) {
                    self.cwd = self.abs(&t);
                    0
                } else {
                    out.errln(format!("sh: cd: can't cd to {t}: No such file or directory"));
                    2
                }
            }
            "touch" => {
                for f in args.iter().filter(|a| !a.starts_with('-')) {
                    let p = self.abs(f);
                    self.files.entry(p).or_default();
                }
                0
            }
            "mkdir" => {
                for f in args.iter().filter(|a| !a.starts_with('-')) {
                    let p = format!("{}/.keep", self.abs(f));
                    self.files.entry(p).or_default();
                }
                0
            }
            "rm" => {
                let mut code = 0;
                for f in args.iter().filter(|a| !a.starts_with('-')) {
                    let p = self.abs(f);
                    if self.files.remove(&p).is_none() {
                        let prefix = format!("{p}/");
                        let before = self.files.len();
                        self.files.retain(|k, _| !k.starts_with(&prefix));
                        if before == self.files.len() && !args.iter().any(|a| a.starts_with('-') && a.contains('f')) {
                            out.errln(format!("rm: can't remove '{f}': No such file or directory"));
                            code = 1;
                        }
                    }
                }
                code
            }
            "sleep" => {
                let secs: f64 = args.first().and_then(|s| s.trim_end_matches('s').parse().ok()).unwrap_or(0.0);
                sh.cluster.advance((secs * 1000.0).min(3_600_000.0) as u64);
                0
            }
            "date" => {
                out.outln(pilothouse_engine::util::format_time(&sh.cluster.api.clock.now(), "%a %b %e %H:%M:%S UTC %Y"));
                0
            }
            "true" => 0,
            "false" => 1,
            "exit" => args.first().and_then(|a| a.parse().ok()).unwrap_or(0),
            "ps" => {
                out.outln("PID   USER     TIME  COMMAND");
                out.outln(format!("    1 root      0:00 {}", self.pod.spec.as_ref().and_then(|s| s.containers.iter().find(|c| c.name == self.name)).and_then(|c| c.command.clone()).map(|c| c.join(" ")).unwrap_or_else(|| "/docker-entrypoint.sh".into())));
                0
            }
            "curl" | "wget" => {
                let o = crate::net::pod_curl(sh, &self.key, &cmd, args);
                let code = o.code;
                out.chunks.extend(o.chunks);
                code
            }
            "nslookup" | "dig" | "host" => {
                let name = args.iter().find(|a| !a.starts_with('-')).cloned().unwrap_or_default();
                let o = crate::net::pod_nslookup(sh, &self.key, &name);
                let code = o.code;
                out.chunks.extend(o.chunks);
                code
            }
            "grep" => {
                let pat = args.iter().find(|a| !a.starts_with('-')).cloned().unwrap_or_default();
                let text = stdin.unwrap_or_default();
                let mut found = false;
                for l in text.lines().filter(|l| l.contains(&pat)) {
                    out.outln(l);
                    found = true;
                }
                i32::from(!found)
            }
            "kill" => {
                out.errln("sh: can't kill pid 1: Operation not permitted");
                1
            }
            _ => {
                out.errln(format!(
                    "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": executable file not found in $PATH: unknown",
                    w[0]
                ));
                127
            }
        }
    }
}

const DEFAULT_DIRS: &[&str] = &["/", "/bin", "/dev", "/etc", "/home", "/lib", "/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/usr/share/nginx/html"];

/// `kubectl port-forward`.
pub fn port_forward(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = [s("address", None), s("pod-running-timeout", None)];
    let Some(p) = parse_flags(out, "kubectl port-forward", args, &spec) else { return };
    let ns = namespace(sh, &p);
    if p.args.len() < 2 {
        return out.fail("TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples");
    }
    let target = p.args[0].clone();
    let svc = target.split_once('/').and_then(|(t, n)| super::lookup_kinds(t).ok().filter(|k| k == &vec![Kind::Service]).map(|_| n.to_string()));
    let Some(pod) = pod_for(sh, out, &ns.ns, &target, false) else { return };
    let key = ObjectKey::of(&Object::Pod(pod.clone()));
    if pod.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Running") {
        return out.fail(format!("unable to forward port because pod is not running. Current status={}", pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into())));
    }
    for spec in &p.args[1..] {
        let (local, remote) = match spec.split_once(':') {
            Some((l, r)) => (l.to_string(), r.to_string()),
            None => (spec.clone(), spec.clone()),
        };
        let mut remote_n: i32 = match remote.parse() {
            Ok(n) => n,
            Err(_) => {
                // A named container port.
                let found = pod.spec.iter().flat_map(|s| s.containers.iter()).flat_map(|c| c.ports.iter().flatten()).find(|cp| cp.name.as_deref() == Some(remote.as_str())).map(|cp| cp.container_port);
                match found {
                    Some(n) => n,
                    None => return out.fail(format!("Pod '{}' does not have a named port '{remote}'", pod.metadata.name.clone().unwrap_or_default())),
                }
            }
        };
        if let Some(svc_name) = &svc {
            if let Some(Object::Service(sv)) = sh.cluster.get(&ObjectKey::new(Kind::Service, &ns.ns, svc_name)).as_deref() {
                if let Some(sp) = sv.spec.iter().flat_map(|s| s.ports.iter().flatten()).find(|sp| sp.port == remote_n) {
                    if let Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(t)) = &sp.target_port {
                        remote_n = *t;
                    }
                } else {
                    return out.fail(format!("Service {svc_name} does not have a service port {remote_n}"));
                }
            }
        }
        let local_n: u16 = if local.is_empty() { 40000 + (remote_n as u16 % 20000) } else {
            match local.parse() {
                Ok(n) => n,
                Err(_) => return out.fail(format!("error parsing local port '{local}': strconv.ParseUint: parsing \"{local}\": invalid syntax")),
            }
        };
        if sh.forwards.contains_key(&local_n) {
            out.errln(format!("Unable to listen on port {local_n}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:{local_n}: bind: address already in use unable to create listener: Error listen tcp6 [::1]:{local_n}: bind: address already in use]"));
            return out.fail(format!("unable to listen on any of the requested ports: [{{{local_n} {remote_n}}}]"));
        }
        sh.forwards.insert(local_n, Forward::Pod { pod: key.clone(), remote: remote_n });
        out.outln(format!("Forwarding from 127.0.0.1:{local_n} -> {remote_n}"));
        out.outln(format!("Forwarding from [::1]:{local_n} -> {remote_n}"));
    }
}

/// `kubectl proxy`.
pub fn proxy(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = [s("port", Some('p')), s("address", None), s("accept-hosts", None), s("api-prefix", None), b("disable-filter", None), s("www", Some('w')), s("www-prefix", Some('P')), s("unix-socket", Some('u'))];
    let Some(p) = parse_flags(out, "kubectl proxy", args, &spec) else { return };
    let port: u16 = match p.get("port").unwrap_or("8001").parse() {
        Ok(n) => n,
        Err(_) => return out.fail(format!("invalid argument \"{}\" for \"-p, --port\" flag: strconv.ParseInt: parsing \"{}\": invalid syntax", p.get("port").unwrap_or(""), p.get("port").unwrap_or(""))),
    };
    if sh.forwards.contains_key(&port) {
        return out.fail(format!("listen tcp 127.0.0.1:{port}: bind: address already in use"));
    }
    sh.forwards.insert(port, Forward::Proxy);
    out.outln(format!("Starting to serve on 127.0.0.1:{port}"));
}
