//! `kubectl edit`: opens the page's YAML editor on the live objects; saving applies the edited
//! text as an update and prints `deployment.apps/x edited`.

use super::apply::api_err;
use super::{namespace, parse_flags, targets, Target};
use crate::flags::{b, s, Flag};
use crate::printers::{self, OutputFormat};
use crate::shell::{EditTarget, Effect, Out, Shell};
use pilothouse_engine::api::{parse_manifests, Object, ObjectKey};

const EDIT_FLAGS: &[Flag] = &[s("output", Some('o')), s("filename", Some('f')), b("save-config", None), b("validate", None), b("windows-line-endings", None), s("subresource", None), s("field-manager", None), b("show-managed-fields", None), b("recursive", Some('R'))];

/// The header kubectl writes at the top of the edited file.
pub const EDIT_HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,\n# and an empty file will abort the edit. If an error occurs while saving this file will be\n# reopened with the relevant failures.\n#\n";

/// `kubectl edit`.
pub fn edit(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl edit", args, EDIT_FLAGS) else { return };
    let ns = namespace(sh, &p);
    let tl = match targets(&p.args) {
        Ok(t) => t,
        Err(e) => return out.fail(e),
    };
    if tl.is_empty() {
        return out.fail("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let mut objs = Vec::new();
    for t in tl {
        match t {
            Target::One(k, n) => match sh.cluster.get(&ObjectKey::new(k, &ns.ns, &n)) {
                Some(o) => objs.push(o),
                None => {
                    out.errln(pilothouse_engine::ApiError::not_found(k, &n).kubectl_message());
                    out.code = 1;
                    return;
                }
            },
            Target::Every(k) => objs.extend(sh.cluster.list(k, Some(&ns.ns))),
        }
    }
    let refs: Vec<&Object> = objs.iter().map(|o| &**o).collect();
    let body = match printers::print_objects(&refs, &OutputFormat::Yaml, refs.len() == 1, false) {
        Ok(s) => s,
        Err(e) => return out.fail(e),
    };
    sh.edit_seq += 1;
    let path = format!("/tmp/kubectl-edit-{}.yaml", sh.edit_seq);
    out.effects.push(Effect::OpenEditor { path, text: format!("{EDIT_HEADER}{body}"), target: EditTarget::Objects { keys: objs.iter().map(|o| ObjectKey::of(o)).collect() } });
    if sh.blocking {
        out.errln("Pilothouse: `kubectl edit` opens the YAML editor; in a script nothing is changed (use `kubectl patch` or `kubectl apply`).");
    }
}

/// Applies the editor's saved text.
pub fn finish(sh: &mut Shell, target: &EditTarget, text: &str) -> Out {
    let mut out = Out::default();
    match target {
        EditTarget::File { path } => {
            sh.files.insert(path.clone(), text.to_string());
        }
        EditTarget::Objects { keys } => {
            let stripped: String = text.lines().filter(|l| !l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect();
            if stripped.trim().is_empty() {
                out.outln("Edit cancelled, no changes made.");
                return out;
            }
            let parsed = match parse_manifests(&stripped) {
                Ok(p) => p,
                Err(e) => {
                    out.fail(format!("{e}"));
                    return out;
                }
            };
            let mut changed_any = false;
            for m in parsed {
                let mut obj = m.object;
                let key = ObjectKey::of(&obj);
                if !keys.contains(&key) {
                    out.fail("At least one of apiVersion, kind and name was changed");
                    continue;
                }
                let Some(live) = sh.cluster.get(&key) else {
                    out.errln(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message());
                    out.code = 1;
                    continue;
                };
                if live.to_json() == obj.to_json() {
                    continue;
                }
                let before = live.metadata().resource_version.clone();
                obj.metadata_mut().resource_version = None;
                match sh.cluster.update(obj) {
                    Ok(o) => {
                        if o.metadata().resource_version != before {
                            changed_any = true;
                            out.outln(format!("{} edited", super::ref_name(key.kind, &key.name)));
                        }
                    }
                    Err(e) => {
                        out.errln(format!("error: {} \"{}\" could not be patched: {}", key.kind.info().resource_name(), key.name, api_err(&e)));
                        out.code = 1;
                    }
                }
            }
            if !changed_any && out.code == 0 {
                out.outln("Edit cancelled, no changes made.");
            }
        }
    }
    out
}
