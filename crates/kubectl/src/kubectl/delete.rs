//! `kubectl delete`: by name, file, selector or `--all`, with grace periods, `--force`,
//! `--cascade` and kubectl's wait for the objects to be gone (virtual time advances).

use super::apply::{api_err, api_err_source, read_manifests, report};
use super::{list_filtered, namespace, parse_field_selector, parse_flags, targets, Target};
use crate::flags::{b, d, i, s, Flag, Parsed};
use crate::shell::{Out, Shell, STREAM_LIMIT_MS};
use pilothouse_engine::api::{Kind, ObjectKey};
use pilothouse_engine::apiserver::{DeleteOptions, Propagation};
use pilothouse_engine::selector::Selector;

const DELETE_FLAGS: &[Flag] = &[
    s("filename", Some('f')),
    s("selector", Some('l')),
    s("field-selector", None),
    b("all", None),
    b("all-namespaces", Some('A')),
    i("grace-period", None),
    b("force", None),
    b("now", None),
    Flag { long: "cascade", short: None, ty: crate::flags::FlagType::Str, no_opt: Some("background") },
    b("wait", None),
    b("ignore-not-found", None),
    d("timeout"),
    s("dry-run", None),
    s("output", Some('o')),
    b("recursive", Some('R')),
    b("interactive", Some('i')),
    s("raw", None),
    s("kustomize", Some('k')),
];

/// The force-deletion warning kubectl prints.
pub const FORCE_WARNING: &str = "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.";

/// `kubectl delete`.
pub fn delete(sh: &mut Shell, args: &[String], stdin: Option<String>, out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl delete", args, DELETE_FLAGS) else { return };
    let ns = namespace(sh, &p);
    // Each key with the file it came from, for kubectl's `error when deleting "FILE": ...`.
    let mut keys: Vec<(ObjectKey, Option<String>)> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let files = p.all("filename");
    if p.args.is_empty() && files.is_empty() {
        return out.fail("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    for f in &files {
        match read_manifests(sh, f, stdin.as_deref()) {
            Ok(objs) => {
                for (mut o, source) in objs {
                    if let Err(e) = super::apply::set_namespace(&mut o, &ns) {
                        return out.fail(e);
                    }
                    keys.push((ObjectKey::of(&o), Some(source)));
                }
            }
            Err(e) => return out.fail(e),
        }
    }
    let selector = match p.get("selector") {
        Some(s) => match Selector::parse(s) {
            Ok(sel) => Some(sel),
            Err(e) => return out.fail(e),
        },
        None => None,
    };
    let tl = match targets(&p.args) {
        Ok(t) => t,
        Err(e) => return out.fail(e),
    };
    let list_ns = if p.bool("all-namespaces") { None } else { Some(ns.ns.clone()) };
    let mut listed = false;
    for t in &tl {
        match t {
            Target::One(k, n) => {
                if selector.is_some() || p.bool("all") {
                    return out.fail("name cannot be provided when a selector is specified");
                }
                keys.push((ObjectKey::new(*k, &ns.ns, n), None));
            }
            Target::Every(k) => {
                if selector.is_none() && !p.bool("all") && !p.has("field-selector") {
                    return out.fail("resource(s) were provided, but no name was specified");
                }
                listed = true;
                let fields = match p.get("field-selector") {
                    Some(f) => match parse_field_selector(*k, f) {
                        Ok(v) => v,
                        Err(e) => return out.fail(e),
                    },
                    None => Vec::new(),
                };
                for o in list_filtered(&sh.cluster, *k, list_ns.as_deref(), selector.as_ref(), &fields) {
                    keys.push((ObjectKey::of(&o), None));
                }
            }
        }
    }
    let cascade = match p.get("cascade").unwrap_or("background") {
        "background" | "true" => Propagation::Background,
        "orphan" | "false" => Propagation::Orphan,
        "foreground" => Propagation::Foreground,
        other => return out.fail(format!("invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\".")),
    };
    let force = p.bool("force");
    let mut grace = p.int("grace-period").unwrap_or(-1);
    if p.bool("now") {
        if grace != -1 {
            return out.fail("--now and --grace-period cannot be specified together");
        }
        grace = 1;
    }
    if force && grace < 0 {
        grace = 0;
    }
    if grace == 0 && !force {
        grace = 1;
    }
    let dry = p.has("dry-run") && !matches!(p.get("dry-run"), Some("none") | Some("false"));
    if force && !dry {
        out.errln(FORCE_WARNING);
    }
    if keys.is_empty() && listed {
        out.outln("No resources found");
        return;
    }
    let opts = DeleteOptions { grace_period: if grace >= 0 { Some(grace) } else { None }, propagation: cascade };
    let mut deleted = Vec::new();
    let mut uids = Vec::new();
    for (key, source) in keys {
        let what = format!("{} \"{}\"", key.kind.info().singular_resource(), key.name);
        if dry {
            if sh.cluster.get(&key).is_some() {
                out.outln(format!("{what} deleted (dry run)"));
            } else {
                errors.push(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message());
            }
            continue;
        }
        match sh.cluster.delete(&key, &opts) {
            Ok(gone) => {
                uids.push(gone.metadata().uid.clone());
                if p.get("output") == Some("name") {
                    out.outln(super::ref_name(key.kind, &key.name));
                } else {
                    out.outln(format!("{what} {}deleted", if force { "force " } else { "" }));
                }
                deleted.push(key);
            }
            Err(e) => {
                if matches!(e, pilothouse_engine::ApiError::NotFound { .. }) && p.bool("ignore-not-found") {
                    continue;
                }
                errors.push(match &source {
                    Some(src) => api_err_source(&e, "deleting", src),
                    None => api_err(&e),
                });
            }
        }
    }
    let wait = p.get("wait").is_none_or(|w| w == "true");
    if wait && !deleted.is_empty() {
        wait_gone(sh, &deleted, &uids, &p, cascade, out);
    }
    for e in errors {
        report(out, &e);
    }
}

/// kubectl's `--wait`: advances virtual time until every key is gone. With `--timeout`, what is
/// still there then is kubectl's timeout error. Without, kubectl would wait (a week) until
/// Ctrl-C, as it does for a claim a pod still uses; here the wait stops after five virtual
/// minutes, as the streaming commands do, and says what is still there and why.
fn wait_gone(sh: &mut Shell, keys: &[ObjectKey], uids: &[Option<String>], p: &Parsed, cascade: Propagation, out: &mut Out) {
    let timeout = p.duration_ms("timeout").filter(|t| *t > 0);
    // Gone means this object (by uid): a replacement of the same name (a static pod's mirror,
    // a StatefulSet's pod) does not keep kubectl waiting.
    let left = |sh: &Shell| -> Option<ObjectKey> {
        keys.iter().zip(uids).find(|(k, uid)| sh.cluster.get(k).is_some_and(|o| o.metadata().uid == **uid)).map(|(k, _)| k.clone()).or_else(|| {
            keys.iter().find(|k| cascade == Propagation::Foreground && k.kind == Kind::Deployment && !no_pods_left(sh, k)).cloned()
        })
    };
    if sh.run_until(timeout.unwrap_or(STREAM_LIMIT_MS), |sh| left(sh).is_none()) {
        return;
    }
    let Some(key) = left(sh) else { return };
    if timeout.is_some() {
        return out.fail(format!("timed out waiting for the condition on {}/{}", key.kind.info().plural, key.name));
    }
    let finalizers = sh.cluster.get(&key).and_then(|o| o.metadata().finalizers.clone()).unwrap_or_default();
    let why = if finalizers.is_empty() { String::new() } else { format!(" (finalizers: {})", finalizers.join(", ")) };
    out.errln(format!(
        "Pilothouse: stopped waiting after 5 virtual minutes (kubectl waits until Ctrl-C): {} \"{}\" is still there{why}",
        key.kind.info().singular_resource(),
        key.name
    ));
}

fn no_pods_left(sh: &Shell, key: &ObjectKey) -> bool {
    let prefix = format!("{}-", key.name);
    !sh.cluster.list(Kind::Pod, Some(&key.namespace)).iter().any(|p| p.metadata().name.as_deref().is_some_and(|n| n.starts_with(&prefix)))
}
