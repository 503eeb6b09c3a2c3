//! Tab completion: commands, subcommands, flags, resource kinds and object names.

use crate::kubectl::Src;
use crate::printers::ObjectSource;
use crate::shell::Shell;
use pilothouse_engine::api::Kind;

const KUBECTL_FLAGS: &[&str] = &[
    "--all-namespaces", "--namespace", "--output", "--selector", "--show-labels", "--watch", "--filename", "--replicas", "--image",
    "--dry-run=client", "--overwrite", "--force", "--grace-period", "--container", "--follow", "--previous", "--tail", "--port",
    "--target-port", "--type", "--to-revision", "--timeout", "--for", "--ignore-daemonsets", "--delete-emptydir-data", "--context",
    "--current", "--no-headers", "--field-selector", "--sort-by", "--all", "--cascade", "--revision", "--name", "--labels",
];

const MINIKUBE_SUBS: &[&str] = &["addons", "dashboard", "delete", "docker-env", "ip", "kubectl", "node", "pause", "profile", "service", "start", "status", "stop", "tunnel", "unpause", "version"];

fn kinds_words() -> Vec<String> {
    let mut v: Vec<String> = Kind::ALL.iter().map(|k| k.info().plural.to_string()).collect();
    v.push("all".into());
    pilothouse_engine::sort::sort(&mut v);
    v
}

/// Candidates for the last word of `line`.
pub fn complete(sh: &Shell, line: &str) -> Vec<String> {
    let ends_with_space = line.ends_with(' ');
    let mut words: Vec<String> = crate::lexer::split_words(line);
    let current = if ends_with_space { String::new() } else { words.pop().unwrap_or_default() };
    let filter = |cands: Vec<String>| -> Vec<String> {
        let mut v: Vec<String> = cands.into_iter().filter(|c| c.starts_with(&current)).collect();
        pilothouse_engine::sort::sort(&mut v);
        v.dedup();
        v
    };
    if words.is_empty() {
        let mut c: Vec<String> = crate::builtins::COMMANDS.iter().map(|s| s.to_string()).collect();
        c.extend(sh.aliases.keys().cloned());
        return filter(c);
    }
    let first = sh.aliases.get(&words[0]).cloned().unwrap_or_else(|| words[0].clone());
    let positional: Vec<&String> = words[1..].iter().filter(|w| !w.starts_with('-')).collect();
    if current.starts_with('-') {
        return filter(KUBECTL_FLAGS.iter().map(|s| s.to_string()).collect());
    }
    match first.as_str() {
        "kubectl" => {
            if positional.is_empty() {
                return filter(crate::kubectl::COMMANDS.iter().map(|s| s.to_string()).collect());
            }
            let cmd = positional[0].as_str();
            let ns = words.windows(2).find(|w| w[0] == "-n" || w[0] == "--namespace").map(|w| w[1].clone()).unwrap_or_else(|| sh.namespace.clone());
            let subs: &[&str] = match cmd {
                "rollout" => &["history", "pause", "restart", "resume", "status", "undo"],
                "config" => &["current-context", "get-contexts", "set-context", "use-context", "view"],
                "create" => crate::kubectl::create::CREATE_SUBCOMMANDS,
                "set" => &["env", "image", "resources", "selector", "serviceaccount"],
                "top" => &["node", "pod"],
                "auth" => &["can-i", "whoami"],
                _ => &[],
            };
            if !subs.is_empty() && positional.len() == 1 {
                return filter(subs.iter().map(|s| s.to_string()).collect());
            }
            let type_pos = if subs.is_empty() { 1 } else { 2 };
            if matches!(cmd, "logs" | "exec" | "port-forward") {
                return filter(Src(&sh.cluster).list(Kind::Pod, Some(&ns)).iter().map(|o| crate::kubectl::name_of(o)).collect());
            }
            if matches!(cmd, "cordon" | "uncordon" | "drain") {
                return filter(Src(&sh.cluster).list(Kind::Node, None).iter().map(|o| crate::kubectl::name_of(o)).collect());
            }
            if positional.len() == type_pos {
                if let Some((t, _)) = current.split_once('/') {
                    if let Some(k) = Kind::lookup(t) {
                        return filter(Src(&sh.cluster).list(k, Some(&ns)).iter().map(|o| format!("{t}/{}", crate::kubectl::name_of(o))).collect());
                    }
                }
                return filter(kinds_words());
            }
            if let Some(t) = positional.get(type_pos) {
                if let Some(k) = Kind::lookup(t.split(',').next().unwrap_or("")) {
                    return filter(Src(&sh.cluster).list(k, Some(&ns)).iter().map(|o| crate::kubectl::name_of(o)).collect());
                }
            }
            Vec::new()
        }
        "minikube" => {
            if positional.is_empty() {
                return filter(MINIKUBE_SUBS.iter().map(|s| s.to_string()).collect());
            }
            match positional[0].as_str() {
                "addons" if positional.len() == 1 => filter(vec!["disable".into(), "enable".into(), "list".into()]),
                "addons" => filter(vec!["dashboard".into(), "default-storageclass".into(), "ingress".into(), "metrics-server".into(), "storage-provisioner".into()]),
                "node" if positional.len() == 1 => filter(vec!["add".into(), "delete".into(), "list".into()]),
                "service" => filter(Src(&sh.cluster).list(Kind::Service, Some("default")).iter().map(|o| crate::kubectl::name_of(o)).collect()),
                _ => Vec::new(),
            }
        }
        "cat" | "vi" | "vim" | "nano" | "rm" | "ls" => {
            let prefix = format!("{}/", sh.cwd.trim_end_matches('/'));
            filter(sh.files.keys().filter_map(|k| k.strip_prefix(&prefix).map(str::to_string)).collect())
        }
        _ => Vec::new(),
    }
}
