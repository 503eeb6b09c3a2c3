//! The terminal's own commands: `echo`, `cat`, `ls`, `rm`, `sleep`, `clear`, `history`, `help`,
//! `export`, `alias`, `curl`, `grep`, `head`, `tail`, `wc`, `base64`, editors — and the dispatch
//! to `kubectl` and `minikube`.

use crate::shell::{EditTarget, Effect, Out, Shell};
use base64::Engine as _;

/// Commands the terminal knows (for `help` and completion).
pub const COMMANDS: &[&str] = &[
    "kubectl", "minikube", "alias", "base64", "cat", "cd", "clear", "curl", "date", "echo", "exit", "export", "grep", "head", "help",
    "history", "ls", "mkdir", "nano", "pwd", "rm", "sleep", "tail", "touch", "unalias", "unset", "vi", "vim", "wc", "wget",
];

/// Runs one simple command.
pub fn dispatch(sh: &mut Shell, words: &[String], stdin: Option<String>) -> Out {
    let mut out = Out::default();
    let cmd = words[0].as_str();
    let args = &words[1..];
    match cmd {
        "kubectl" => return crate::kubectl::run(sh, args, stdin),
        "minikube" if crate::ssh::is_ssh(args) => return crate::ssh::run(sh, args, stdin),
        "minikube" => return crate::minikube::run(sh, args),
        "echo" => {
            let (newline, rest) = if args.first().map(String::as_str) == Some("-n") { (false, &args[1..]) } else { (true, args) };
            let (escapes, rest) = if rest.first().map(String::as_str) == Some("-e") { (true, &rest[1..]) } else { (false, rest) };
            let mut s = rest.join(" ");
            if escapes {
                s = s.replace("\\n", "\n").replace("\\t", "\t");
            }
            out.out(s);
            if newline {
                out.out("\n");
            }
        }
        "cat" => {
            let files: Vec<&String> = args.iter().filter(|a| !a.starts_with('-') || a.as_str() == "-").collect();
            if files.is_empty() {
                out.out(stdin.clone().unwrap_or_default());
            }
            for f in files {
                if f == "-" {
                    out.out(stdin.clone().unwrap_or_default());
                    continue;
                }
                let path = sh.abs_path(f);
                match sh.files.get(&path) {
                    Some(c) => out.out(c.clone()),
                    None if is_dir(sh, &path) => {
                        out.errln(format!("cat: {f}: Is a directory"));
                        out.code = 1;
                    }
                    None => {
                        out.errln(format!("cat: {f}: No such file or directory"));
                        out.code = 1;
                    }
                }
            }
        }
        "ls" => ls(sh, args, &mut out),
        "rm" => {
            for f in args.iter().filter(|a| !a.starts_with('-')) {
                let path = sh.abs_path(f);
                if sh.files.remove(&path).is_none() {
                    let prefix = format!("{path}/");
                    let before = sh.files.len();
                    if args.iter().any(|a| a.starts_with('-') && a.contains('r')) {
                        sh.files.retain(|k, _| !k.starts_with(&prefix));
                    }
                    if before == sh.files.len() && !args.iter().any(|a| a.starts_with('-') && a.contains('f')) {
                        out.errln(format!("rm: cannot remove '{f}': No such file or directory"));
                        out.code = 1;
                    }
                }
            }
        }
        "touch" => {
            for f in args.iter().filter(|a| !a.starts_with('-')) {
                let path = sh.abs_path(f);
                sh.files.entry(path).or_default();
            }
        }
        "mkdir" => {
            for f in args.iter().filter(|a| !a.starts_with('-')) {
                let path = format!("{}/.keep", sh.abs_path(f));
                sh.files.entry(path).or_default();
            }
        }
        "pwd" => out.outln(sh.cwd.clone()),
        "cd" => {
            let target = args.first().cloned().unwrap_or_else(|| "~".into());
            let path = sh.abs_path(&target);
            if path == "/" || path == crate::HOME || is_dir(sh, &path) || crate::HOME.starts_with(&format!("{path}/")) {
                sh.cwd = path;
            } else {
                out.errln(format!("bash: cd: {target}: No such file or directory"));
                out.code = 1;
            }
        }
        "sleep" => {
            let secs = args.first().map(String::as_str).unwrap_or("");
            match crate::flags::parse_duration_ms(secs).or_else(|| secs.parse::<f64>().ok().map(|s| (s * 1000.0) as u64)) {
                Some(ms) if !secs.is_empty() => {
                    let ms = ms.min(24 * 3_600_000);
                    sh.advance(ms);
                }
                _ => {
                    out.errln(if secs.is_empty() { "sleep: missing operand".to_string() } else { format!("sleep: invalid time interval '{secs}'") });
                    out.code = 1;
                }
            }
        }
        "clear" => out.effects.push(Effect::ClearScreen),
        "history" => {
            for (i, h) in sh.history.iter().enumerate() {
                out.outln(format!("{:>5}  {}", i + 1, h));
            }
        }
        "help" => out.out(HELP),
        "export" => {
            for a in args {
                match a.split_once('=') {
                    Some((k, v)) => {
                        sh.env.insert(k.to_string(), v.to_string());
                    }
                    None => {
                        sh.env.entry(a.clone()).or_default();
                    }
                }
            }
            if args.is_empty() {
                for (k, v) in &sh.env {
                    out.outln(format!("declare -x {k}=\"{v}\""));
                }
            }
        }
        "unset" => {
            for a in args {
                sh.env.remove(a);
            }
        }
        "alias" => {
            if args.is_empty() {
                for (k, v) in &sh.aliases {
                    out.outln(format!("alias {k}='{v}'"));
                }
            }
            for a in args {
                match a.split_once('=') {
                    Some((k, v)) => {
                        sh.aliases.insert(k.to_string(), v.to_string());
                    }
                    None => match sh.aliases.get(a) {
                        Some(v) => out.outln(format!("alias {a}='{v}'")),
                        None => {
                            out.errln(format!("bash: alias: {a}: not found"));
                            out.code = 1;
                        }
                    },
                }
            }
        }
        "unalias" => {
            for a in args {
                if sh.aliases.remove(a).is_none() {
                    out.errln(format!("bash: unalias: {a}: not found"));
                    out.code = 1;
                }
            }
        }
        "curl" | "wget" => return crate::net::host_curl(sh, cmd, args),
        "grep" => {
            let (o, e, code) = crate::grep::grep(args, stdin, &|f| sh.read_file(f).cloned());
            out.out(o);
            if !e.is_empty() {
                out.err(e);
            }
            out.code = code;
        }
        "head" | "tail" => {
            let mut n = 10usize;
            let mut file = None;
            let mut it = args.iter();
            while let Some(a) = it.next() {
                if a == "-n" {
                    n = it.next().and_then(|v| v.parse().ok()).unwrap_or(10);
                } else if let Some(v) = a.strip_prefix("-n") {
                    n = v.parse().unwrap_or(10);
                } else if let Some(v) = a.strip_prefix('-') {
                    n = v.parse().unwrap_or(10);
                } else {
                    file = Some(a.clone());
                }
            }
            let text = match file {
                Some(f) => sh.read_file(&f).cloned().unwrap_or_default(),
                None => stdin.unwrap_or_default(),
            };
            let lines: Vec<&str> = text.lines().collect();
            let pick: Vec<&str> = if cmd == "head" { lines.iter().take(n).copied().collect() } else { lines[lines.len().saturating_sub(n)..].to_vec() };
            for l in pick {
                out.outln(l);
            }
        }
        "wc" => {
            let text = match args.iter().find(|a| !a.starts_with('-')) {
                Some(f) => sh.read_file(f).cloned().unwrap_or_default(),
                None => stdin.unwrap_or_default(),
            };
            let counts = [("l", text.lines().count()), ("w", text.split_whitespace().count()), ("c", text.len())];
            let picked: Vec<usize> = counts.iter().filter(|(f, _)| args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(f))).map(|(_, n)| *n).collect();
            if picked.len() == 1 {
                out.outln(picked[0].to_string());
            } else {
                let all: Vec<usize> = if picked.is_empty() { counts.iter().map(|(_, n)| *n).collect() } else { picked };
                out.outln(all.iter().map(|n| format!("{n:>7}")).collect::<Vec<_>>().join(" "));
            }
        }
        "base64" => {
            let text = match args.iter().find(|a| !a.starts_with('-')) {
                Some(f) => sh.read_file(f).cloned().unwrap_or_default(),
                None => stdin.unwrap_or_default(),
            };
            if args.iter().any(|a| a == "-d" || a == "--decode") {
                match base64::engine::general_purpose::STANDARD.decode(text.trim()) {
                    Ok(b) => out.out(String::from_utf8_lossy(&b)),
                    Err(_) => {
                        out.errln("base64: invalid input");
                        out.code = 1;
                    }
                }
            } else {
                out.outln(base64::engine::general_purpose::STANDARD.encode(text.as_bytes()));
            }
        }
        "date" => {
            let t = sh.cluster.api.clock.now();
            out.outln(pilothouse_engine::util::format_time(&t, "%a %b %e %H:%M:%S UTC %Y"));
        }
        "true" => {}
        "false" => out.code = 1,
        "exit" => out.effects.push(Effect::Exit),
        "vi" | "vim" | "nano" => match args.iter().find(|a| !a.starts_with('-')) {
            Some(f) => {
                let path = sh.abs_path(f);
                let text = sh.files.get(&path).cloned().unwrap_or_default();
                out.effects.push(Effect::OpenEditor { path: f.clone(), text, target: EditTarget::File { path } });
            }
            None => {
                out.errln(format!("{cmd}: a file name is needed in Pilothouse (try `{cmd} pod.yaml`)"));
                out.code = 1;
            }
        },
        "docker" | "sudo" | "systemctl" | "apt" | "apt-get" | "helm" | "kind" | "k3s" | "kubeadm" | "kubelet" => {
            out.errln(format!("{cmd}: not available in Pilothouse (only kubectl, minikube and a few shell commands are; type `help`)"));
            out.code = 127;
        }
        _ => {
            out.errln(format!("{cmd}: command not found"));
            out.code = 127;
        }
    }
    out
}

fn is_dir(sh: &Shell, path: &str) -> bool {
    let prefix = format!("{}/", path.trim_end_matches('/'));
    sh.files.keys().any(|k| k.starts_with(&prefix))
}

fn ls(sh: &Shell, args: &[String], out: &mut Out) {
    let long = args.iter().any(|a| a.starts_with('-') && a.contains('l'));
    let targets: Vec<String> = args.iter().filter(|a| !a.starts_with('-')).cloned().collect();
    let targets = if targets.is_empty() { vec![".".to_string()] } else { targets };
    for t in targets {
        let path = sh.abs_path(&t);
        if let Some(c) = sh.files.get(&path) {
            if long {
                out.outln(format!("-rw-r--r-- 1 learner learner {:>5} Jan  1 00:00 {t}", c.len()));
            } else {
                out.outln(t.clone());
            }
            continue;
        }
        let prefix = if path == "/" { "/".to_string() } else { format!("{path}/") };
        let mut names: Vec<(String, bool, usize)> = Vec::new();
        for (k, v) in &sh.files {
            if let Some(rest) = k.strip_prefix(&prefix) {
                let (name, dir) = match rest.split_once('/') {
                    Some((d, _)) => (d.to_string(), true),
                    None => (rest.to_string(), false),
                };
                if name == ".keep" {
                    continue;
                }
                if !names.iter().any(|n| n.0 == name) {
                    names.push((name, dir, v.len()));
                }
            }
        }
        if names.is_empty() && !is_dir(sh, &path) && path != crate::HOME && path != "/" {
            out.errln(format!("ls: cannot access '{t}': No such file or directory"));
            out.code = 2;
            continue;
        }
        if long {
            out.outln(format!("total {}", names.len() * 4));
            for (n, dir, len) in names {
                if dir {
                    out.outln(format!("drwxr-xr-x 2 learner learner  4096 Jan  1 00:00 {n}"));
                } else {
                    out.outln(format!("-rw-r--r-- 1 learner learner {len:>5} Jan  1 00:00 {n}"));
                }
            }
        } else if !names.is_empty() {
            out.outln(names.into_iter().map(|n| n.0).collect::<Vec<_>>().join("  "));
        }
    }
}

/// The text of `help`.
pub const HELP: &str = "Pilothouse terminal: a simulated minikube cluster in your browser.

kubectl commands:
  get, describe, apply, create, delete, edit, patch, replace, scale, autoscale,
  set image|env|resources|selector, rollout status|history|undo|pause|resume|restart,
  expose, run, label, annotate, taint, cordon, uncordon, drain, logs, exec, top,
  events, explain, api-resources, api-versions, version, cluster-info,
  config view|current-context|get-contexts|use-context|set-context,
  wait, port-forward, proxy, auth can-i
minikube commands:
  start, stop, pause, unpause, status, delete, ip, version, profile list,
  node add|delete|list, addons list|enable|disable, service, tunnel, dashboard
Shell:
  echo, cat (also `cat > file <<EOF`), ls, rm, touch, mkdir, cd, pwd, vi/nano FILE,
  curl, grep, head, tail, wc, base64, sleep N (advances virtual time), clear,
  history, export, alias (k=kubectl is preset), &&, ||, ;, |, > and >>, $(...)
";
