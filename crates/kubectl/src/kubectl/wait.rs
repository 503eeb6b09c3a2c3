//! `kubectl wait --for=condition=X|delete|jsonpath=...`: advances virtual time until the
//! condition holds or `--timeout` (default 30s) passes.

use super::{list_filtered, namespace, parse_flags, targets, Target};
use crate::flags::{b, d, s, Flag};
use crate::shell::{Out, Shell};
use pilothouse_engine::api::{Object, ObjectKey};
use pilothouse_engine::selector::Selector;

const WAIT_FLAGS: &[Flag] = &[s("for", None), d("timeout"), s("selector", Some('l')), b("all", None), b("all-namespaces", Some('A')), s("filename", Some('f')), s("field-selector", None), s("output", Some('o')), b("local", None), b("recursive", Some('R'))];

enum Cond {
    Condition(String, String),
    Delete,
    JsonPath(String, Option<String>),
}

fn holds(sh: &Shell, key: &ObjectKey, c: &Cond) -> bool {
    let obj = sh.cluster.get(key);
    match c {
        Cond::Delete => obj.is_none(),
        Cond::Condition(ty, want) => {
            let Some(o) = obj else { return false };
            let v = o.to_json();
            v.pointer("/status/conditions").and_then(|c| c.as_array()).is_some_and(|conds| {
                conds.iter().any(|c| c.get("type").and_then(|t| t.as_str()).is_some_and(|t| t.eq_ignore_ascii_case(ty)) && c.get("status").and_then(|s| s.as_str()).is_some_and(|s| s.eq_ignore_ascii_case(want)))
            })
        }
        Cond::JsonPath(path, want) => {
            let Some(o) = obj else { return false };
            let Ok(f) = crate::printers::parse_output_format(&format!("jsonpath={path}")) else { return false };
            let Ok(got) = crate::printers::print_objects(&[&o], &f, true, false) else { return false };
            match want {
                Some(w) => got.trim() == w,
                None => !got.trim().is_empty(),
            }
        }
    }
}

/// `kubectl wait`.
pub fn wait(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl wait", args, WAIT_FLAGS) else { return };
    let Some(f) = p.get("for").map(str::to_string) else {
        return out.fail("unrecognized condition: \"\"");
    };
    let cond = if f == "delete" {
        Cond::Delete
    } else if let Some(c) = f.strip_prefix("condition=") {
        let (ty, want) = c.split_once('=').unwrap_or((c, "true"));
        Cond::Condition(ty.to_string(), want.to_string())
    } else if let Some(j) = f.strip_prefix("jsonpath=") {
        let j = j.trim_matches('\'');
        match j.rsplit_once('=') {
            Some((path, val)) if path.ends_with('}') => Cond::JsonPath(path.to_string(), Some(val.trim_matches('"').to_string())),
            _ => Cond::JsonPath(j.to_string(), None),
        }
    } else {
        return out.fail(format!("unrecognized condition: \"{f}\""));
    };
    let ns = namespace(sh, &p);
    let tl = match targets(&p.args) {
        Ok(t) => t,
        Err(e) => return out.fail(e),
    };
    if tl.is_empty() {
        return out.fail("resource(s) were provided, but no name was specified");
    }
    let sel = p.get("selector").and_then(|s| Selector::parse(s).ok());
    let mut keys = Vec::new();
    for t in tl {
        match t {
            Target::One(k, n) => {
                let key = ObjectKey::new(k, &ns.ns, &n);
                if sh.cluster.get(&key).is_none() {
                    if matches!(cond, Cond::Delete) {
                        continue;
                    }
                    out.errln(pilothouse_engine::ApiError::not_found(k, &n).kubectl_message());
                    out.code = 1;
                    return;
                }
                keys.push(key);
            }
            Target::Every(k) => {
                if sel.is_none() && !p.bool("all") {
                    return out.fail("resource(s) were provided, but no name was specified");
                }
                let list_ns = if p.bool("all-namespaces") { None } else { Some(ns.ns.as_str()) };
                let found = list_filtered(&sh.cluster, k, list_ns, sel.as_ref(), &[]);
                if found.is_empty() {
                    return out.fail("no matching resources found");
                }
                keys.extend(found.iter().map(|o: &std::sync::Arc<Object>| ObjectKey::of(o)));
            }
        }
    }
    let timeout = p.duration_ms("timeout").unwrap_or(30_000);
    for key in keys {
        let ok = sh.run_until(timeout, |sh| holds(sh, &key, &cond));
        let name = super::ref_name(key.kind, &key.name);
        if ok {
            out.outln(format!("{name} condition met"));
        } else {
            let what = match &cond {
                Cond::Delete => "delete",
                Cond::Condition(..) => "the condition",
                Cond::JsonPath(..) => "the condition",
            };
            let _ = what;
            out.fail(format!("timed out waiting for the condition on {}/{}", key.kind.info().plural, key.name));
            return;
        }
    }
}
