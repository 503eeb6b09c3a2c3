//! `kubectl rollout status|history|undo|pause|resume|restart`, worded as kubectl's
//! polymorphichelpers (status viewers, history viewers, rollbacker) word them.

use pilothouse_engine::vecmap::VecMap;
use super::apply::api_err;
use super::{namespace, parse_flags, ref_name, targets, Target};
use crate::flags::{b, d, i, s, Flag};
use crate::shell::{Out, Shell};
use crate::watch::{Watch, WatchKind};
use k8s_openapi::api::apps::v1::{ControllerRevision, Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use pilothouse_engine::api::{Kind, Object, ObjectKey};
use pilothouse_engine::controllers::deployment::{templates_equal, HASH_LABEL, REVISION};
use pilothouse_engine::controllers::history;

/// The annotation holding a revision's change cause.
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// `kubectl rollout`.
pub fn rollout(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(sub) = args.first() else {
        out.out(ROLLOUT_HELP);
        out.code = 1;
        return;
    };
    let rest = &args[1..];
    match sub.as_str() {
        "status" => status(sh, rest, out),
        "history" => history(sh, rest, out),
        "undo" => undo(sh, rest, out),
        "pause" | "resume" => pause(sh, rest, out, sub == "pause"),
        "restart" => restart(sh, rest, out),
        _ => super::unknown_subcommand(out, "rollout", args),
    }
}

/// Resolves the workloads a rollout subcommand names.
fn workloads(sh: &Shell, out: &mut Out, p: &crate::flags::Parsed) -> Option<Vec<ObjectKey>> {
    let ns = namespace(sh, p);
    if p.args.is_empty() && !p.has("filename") {
        out.fail("required resource not specified");
        return None;
    }
    let mut keys = Vec::new();
    let tl = match targets(&p.args) {
        Ok(t) => t,
        Err(e) => {
            out.fail(e);
            return None;
        }
    };
    for t in tl {
        match t {
            Target::One(k, n) => keys.push(ObjectKey::new(k, &ns.ns, &n)),
            Target::Every(k) => {
                let sel = p.get("selector").and_then(|s| pilothouse_engine::selector::Selector::parse(s).ok());
                if sel.is_none() {
                    out.fail("resource(s) were provided, but no name was specified");
                    return None;
                }
                for o in super::list_filtered(&sh.cluster, k, Some(&ns.ns), sel.as_ref(), &[]) {
                    keys.push(ObjectKey::of(&o));
                }
            }
        }
    }
    Some(keys)
}

fn deployment(sh: &Shell, key: &ObjectKey) -> Option<Deployment> {
    match sh.cluster.get(key).as_deref() {
        Some(Object::Deployment(d)) => Some(d.clone()),
        _ => None,
    }
}

/// The status line of a workload: (line, done, error).
pub fn status_line(sh: &Shell, key: &ObjectKey) -> (String, bool, Option<String>) {
    let Some(obj) = sh.cluster.get(key) else {
        return (String::new(), false, Some(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message().trim_start_matches("Error from server (NotFound): ").to_string()));
    };
    status_line_of(&obj, key)
}

/// The status line for one version of a workload (kubectl prints one per watch event).
pub fn status_line_of(obj: &Object, key: &ObjectKey) -> (String, bool, Option<String>) {
    match obj {
        Object::Deployment(d) => {
            let name = &key.name;
            let gen = d.metadata.generation.unwrap_or(0);
            let st = d.status.clone().unwrap_or_default();
            if gen <= st.observed_generation.unwrap_or(0) {
                let timed_out = st.conditions.iter().flatten().any(|c| c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded"));
                if timed_out {
                    return (String::new(), true, Some(format!("deployment \"{name}\" exceeded its progress deadline")));
                }
                let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                let updated = st.updated_replicas.unwrap_or(0);
                let replicas = st.replicas.unwrap_or(0);
                let available = st.available_replicas.unwrap_or(0);
                if updated < want {
                    return (format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {want} new replicas have been updated...\n"), false, None);
                }
                if replicas > updated {
                    return (format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n", replicas - updated), false, None);
                }
                if available < updated {
                    return (format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n"), false, None);
                }
                return (format!("deployment \"{name}\" successfully rolled out\n"), true, None);
            }
            ("Waiting for deployment spec update to be observed...\n".to_string(), false, None)
        }
        Object::DaemonSet(ds) => {
            let name = &key.name;
            let st = ds.status.clone().unwrap_or_default();
            if ds.metadata.generation.unwrap_or(0) <= st.observed_generation.unwrap_or(0) {
                let updated = st.updated_number_scheduled.unwrap_or(0);
                if updated < st.desired_number_scheduled {
                    return (format!("Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {} new pods have been updated...\n", st.desired_number_scheduled), false, None);
                }
                let avail = st.number_available.unwrap_or(0);
                if avail < st.desired_number_scheduled {
                    return (format!("Waiting for daemon set \"{name}\" rollout to finish: {avail} of {} updated pods are available...\n", st.desired_number_scheduled), false, None);
                }
                return (format!("daemon set \"{name}\" successfully rolled out\n"), true, None);
            }
            ("Waiting for daemon set spec update to be observed...\n".to_string(), false, None)
        }
        Object::StatefulSet(ss) => {
            let st = ss.status.clone().unwrap_or_default();
            let want = ss.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let strategy = ss.spec.as_ref().and_then(|s| s.update_strategy.clone()).unwrap_or_default();
            if strategy.type_.as_deref().unwrap_or("RollingUpdate") != "RollingUpdate" {
                return (String::new(), true, Some("rollout status is only available for RollingUpdate strategy type".into()));
            }
            if st.observed_generation.unwrap_or(0) == 0 || ss.metadata.generation.unwrap_or(0) > st.observed_generation.unwrap_or(0) {
                return ("Waiting for statefulset spec update to be observed...\n".to_string(), false, None);
            }
            let ready = st.ready_replicas.unwrap_or(0);
            if ready < want {
                return (format!("Waiting for {} pods to be ready...\n", want - ready), false, None);
            }
            // The API server defaults rollingUpdate.partition to 0, so this is the usual ending.
            if let Some(ru) = strategy.rolling_update.as_ref() {
                let updated = st.updated_replicas.unwrap_or(0);
                if let Some(partition) = ru.partition {
                    if updated < want - partition {
                        return (format!("Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n", want - partition), false, None);
                    }
                }
                return (format!("partitioned roll out complete: {updated} new pods have been updated...\n"), true, None);
            }
            if st.update_revision.is_some() && st.update_revision != st.current_revision {
                return (format!("waiting for statefulset rolling update to complete {} pods at revision {}...\n", st.updated_replicas.unwrap_or(0), st.update_revision.clone().unwrap_or_default()), false, None);
            }
            (format!("statefulset rolling update complete {want} pods at revision {}...\n", st.current_revision.clone().unwrap_or_default()), true, None)
        }
        other => (String::new(), true, Some(format!("no status viewer has been implemented for {}", other.kind()))),
    }
}

const STATUS_FLAGS: &[Flag] = &[s("filename", Some('f')), b("watch", Some('w')), i("revision", None), d("timeout"), s("selector", Some('l')), b("recursive", Some('R'))];

fn status(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl rollout status", args, STATUS_FLAGS) else { return };
    let Some(keys) = workloads(sh, out, &p) else { return };
    for key in keys {
        if sh.cluster.get(&key).is_none() {
            out.errln(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message());
            out.code = 1;
            return;
        }
        if !matches!(key.kind, Kind::Deployment | Kind::DaemonSet | Kind::StatefulSet) {
            return out.fail(format!("no status viewer has been implemented for {}", key.kind));
        }
        let watch = p.get("watch").is_none_or(|w| w == "true");
        if !watch {
            let (line, _, err) = status_line(sh, &key);
            if let Some(e) = err {
                return out.fail(e);
            }
            out.out(line);
            continue;
        }
        let deadline = p.duration_ms("timeout").filter(|t| *t > 0).map(|t| sh.cluster.now_ms() + t);
        let w = Watch { kind: WatchKind::Rollout { key: key.clone(), last: String::new(), deadline_ms: deadline }, cursor: sh.cluster.api.store.next_seq(), done: false, code: 0 };
        crate::watch::start(sh, w, out);
        if out.code != 0 {
            return;
        }
    }
}

/// The ReplicaSets a deployment owns, with their revision numbers, oldest first.
pub fn revisions(sh: &Shell, d: &Deployment) -> Vec<(i64, ReplicaSet)> {
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let mut v: Vec<(i64, ReplicaSet)> = sh
        .cluster
        .list(Kind::ReplicaSet, Some(&ns))
        .into_iter()
        .filter_map(|o| match &*o {
            Object::ReplicaSet(rs) if rs.metadata.owner_references.iter().flatten().any(|r| r.uid == uid) => {
                let rev = rs.metadata.annotations.as_ref().and_then(|a| a.get(REVISION)).and_then(|r| r.parse().ok()).unwrap_or(0);
                Some((rev, rs.clone()))
            }
            _ => None,
        })
        .collect();
    pilothouse_engine::sort::sort_by_key(&mut v, |(r, _)| *r);
    v
}

const HISTORY_FLAGS: &[Flag] = &[s("filename", Some('f')), i("revision", None), s("output", Some('o')), s("selector", Some('l')), b("recursive", Some('R'))];

fn history(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl rollout history", args, HISTORY_FLAGS) else { return };
    let Some(keys) = workloads(sh, out, &p) else { return };
    for key in keys {
        if matches!(key.kind, Kind::DaemonSet | Kind::StatefulSet) {
            let Some(obj) = sh.cluster.get(&key) else {
                out.errln(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message());
                out.code = 1;
                return;
            };
            if !history_from_revisions(sh, &obj, &key, p.int("revision").unwrap_or(0), out) {
                return;
            }
            continue;
        }
        let Some(d) = deployment(sh, &key) else {
            if sh.cluster.get(&key).is_none() {
                out.errln(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message());
                out.code = 1;
                return;
            }
            return out.fail(format!("no history viewer has been implemented for {}", key.kind));
        };
        let revs = revisions(sh, &d);
        let rev = p.int("revision").unwrap_or(0);
        if rev > 0 {
            let Some((_, rs)) = revs.iter().find(|(r, _)| *r == rev) else {
                return out.fail("unable to find the specified revision");
            };
            let mut tmpl = rs.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
            // kubectl's DeploymentHistoryViewer shows the ReplicaSet's change cause among the
            // template's annotations.
            if let Some(cause) = rs.metadata.annotations.as_ref().and_then(|a| a.get(CHANGE_CAUSE)).filter(|c| !c.is_empty()) {
                tmpl.metadata.get_or_insert_with(Default::default).annotations.get_or_insert_with(Default::default).insert(CHANGE_CAUSE.to_string(), cause.clone());
            }
            out.outln(format!("{} with revision #{rev}", ref_name(Kind::Deployment, &key.name)));
            out.out(describe_template(&tmpl));
            out.out("\n");
            continue;
        }
        let mut text = String::from("REVISION\tCHANGE-CAUSE\n");
        for (r, rs) in &revs {
            if *r == 0 {
                continue;
            }
            let cause = rs.metadata.annotations.as_ref().and_then(|a| a.get(CHANGE_CAUSE)).cloned().unwrap_or_else(|| "<none>".into());
            text.push_str(&format!("{r}\t{cause}\n"));
        }
        out.outln(format!("{} ", ref_name(Kind::Deployment, &key.name)));
        out.out(crate::tab::tabbed(&text));
        out.out("\n");
    }
}

/// The ControllerRevisions a DaemonSet or StatefulSet controls, sorted by revision
/// (`controlledHistories`).
pub fn controller_revisions(sh: &Shell, owner: &Object) -> Vec<ControllerRevision> {
    let m = owner.metadata();
    let uid = m.uid.clone().unwrap_or_default();
    let ns = m.namespace.clone().unwrap_or_default();
    let mut v: Vec<ControllerRevision> = sh
        .cluster
        .list(Kind::ControllerRevision, Some(&ns))
        .into_iter()
        .filter_map(|o| match &*o {
            Object::ControllerRevision(cr) if cr.metadata.owner_references.iter().flatten().any(|r| r.uid == uid && r.controller == Some(true)) => Some(cr.clone()),
            _ => None,
        })
        .collect();
    history::sort(&mut v);
    v
}

fn owner_template(obj: &Object) -> PodTemplateSpec {
    match obj {
        Object::DaemonSet(ds) => ds.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default(),
        Object::StatefulSet(ss) => ss.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default(),
        _ => PodTemplateSpec::default(),
    }
}

/// `rollout history` for a DaemonSet or StatefulSet (`DaemonSetHistoryViewer`,
/// `StatefulSetHistoryViewer` and `printHistory`); false on error.
fn history_from_revisions(sh: &Shell, obj: &Object, key: &ObjectKey, rev: i64, out: &mut Out) -> bool {
    let revs = controller_revisions(sh, obj);
    // One entry per revision number, the last listed winning (`historyInfo` map).
    let mut by_rev: VecMap<i64, &ControllerRevision> = VecMap::new();
    for cr in &revs {
        by_rev.insert(cr.revision, cr);
    }
    if by_rev.is_empty() {
        out.outln(format!("{} ", ref_name(key.kind, &key.name)));
        out.outln("No rollout history found.");
        return true;
    }
    if rev > 0 {
        let Some(cr) = by_rev.get(&rev) else {
            out.fail("unable to find the specified revision");
            return false;
        };
        let tmpl = history::revision_template(cr).unwrap_or_else(|| owner_template(obj));
        out.outln(format!("{} with revision #{rev}", ref_name(key.kind, &key.name)));
        out.out(describe_template(&tmpl));
        out.out("\n");
        return true;
    }
    let mut text = String::from("REVISION\tCHANGE-CAUSE\n");
    for (r, cr) in &by_rev {
        let cause = cr.metadata.annotations.as_ref().and_then(|a| a.get(CHANGE_CAUSE)).filter(|c| !c.is_empty()).cloned().unwrap_or_else(|| "<none>".into());
        text.push_str(&format!("{r}\t{cause}\n"));
    }
    out.outln(format!("{} ", ref_name(key.kind, &key.name)));
    out.out(crate::tab::tabbed(&text));
    out.out("\n");
    true
}

/// `rollout undo` for a DaemonSet or StatefulSet (`DaemonSetRollbacker`,
/// `StatefulSetRollbacker`): restores the template a ControllerRevision holds; false on error.
fn undo_from_revisions(sh: &mut Shell, obj: &Object, key: &ObjectKey, to: i64, dry_run: bool, out: &mut Out) -> bool {
    if to < 0 {
        out.fail(format!("unable to find specified revision {to} in history"));
        return false;
    }
    let revs = controller_revisions(sh, obj);
    if to == 0 && revs.len() <= 1 {
        out.fail("no last revision to roll back to");
        return false;
    }
    // `findHistory`: the given revision, or the one before the newest.
    let target = if to == 0 { revs.get(revs.len() - 2) } else { revs.iter().find(|c| c.revision == to) };
    let Some(target) = target else {
        out.fail(format!("unable to find specified revision {to} in history"));
        return false;
    };
    let Some(tmpl) = history::revision_template(target) else {
        out.fail(format!("unable to find specified revision {to} in history"));
        return false;
    };
    let r = ref_name(key.kind, &key.name);
    if dry_run {
        out.outln(format!("{r} will roll back to {} (dry run)", describe_template(&tmpl)));
        return true;
    }
    if templates_equal(&owner_template(obj), &tmpl) {
        out.outln(format!("{r} skipped rollback (current template already matches revision {to})"));
        return true;
    }
    let mut updated = obj.clone();
    match &mut updated {
        Object::DaemonSet(ds) => {
            if let Some(s) = ds.spec.as_mut() {
                s.template = tmpl;
            }
        }
        Object::StatefulSet(ss) => {
            if let Some(s) = ss.spec.as_mut() {
                s.template = tmpl;
            }
        }
        _ => {}
    }
    updated.metadata_mut().resource_version = None;
    match sh.cluster.update(updated) {
        Ok(_) => {
            out.outln(format!("{r} rolled back"));
            true
        }
        Err(e) => {
            out.fail(format!("failed restoring revision {to}: {e}"));
            false
        }
    }
}

/// `DescribePodTemplate` as `rollout history --revision` prints it (raw tabs, no alignment).
pub fn describe_template(t: &PodTemplateSpec) -> String {
    let mut s = String::from("Pod Template:\n");
    let m = t.metadata.clone().unwrap_or_default();
    let labels = m.labels.clone().unwrap_or_default();
    let lines: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if lines.is_empty() {
        s.push_str("  Labels:\t<none>\n");
    } else {
        s.push_str(&format!("  Labels:\t{}\n", lines[0]));
        for l in &lines[1..] {
            s.push_str(&format!("\t{l}\n"));
        }
    }
    if let Some(a) = m.annotations.as_ref().filter(|a| !a.is_empty()) {
        let lines: Vec<String> = a.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        s.push_str(&format!("  Annotations:\t{}\n", lines[0]));
        for l in &lines[1..] {
            s.push_str(&format!("\t{l}\n"));
        }
    }
    let spec = t.spec.clone().unwrap_or_default();
    if let Some(sa) = spec.service_account_name.as_ref().filter(|s| !s.is_empty() && *s != "default") {
        s.push_str(&format!("  Service Account:\t{sa}\n"));
    }
    s.push_str("  Containers:\n");
    for c in &spec.containers {
        s.push_str(&format!("   {}:\n", c.name));
        s.push_str(&format!("    Image:\t{}\n", c.image.clone().unwrap_or_default()));
        let ports = c.ports.clone().unwrap_or_default();
        if ports.is_empty() {
            s.push_str("    Port:\t<none>\n    Host Port:\t<none>\n");
        } else {
            let ps: Vec<String> = ports.iter().map(|p| format!("{}/{}", p.container_port, p.protocol.clone().unwrap_or_else(|| "TCP".into()))).collect();
            let hs: Vec<String> = ports.iter().map(|p| format!("{}/{}", p.host_port.unwrap_or(0), p.protocol.clone().unwrap_or_else(|| "TCP".into()))).collect();
            s.push_str(&format!("    Port:\t{}\n    Host Port:\t{}\n", ps.join(", "), hs.join(", ")));
        }
        if let Some(cmd) = c.command.as_ref().filter(|v| !v.is_empty()) {
            s.push_str("    Command:\n");
            for w in cmd {
                s.push_str(&format!("      {w}\n"));
            }
        }
        if let Some(args) = c.args.as_ref().filter(|v| !v.is_empty()) {
            s.push_str("    Args:\n");
            for w in args {
                s.push_str(&format!("      {w}\n"));
            }
        }
        if let Some(r) = &c.resources {
            if let Some(l) = r.limits.as_ref().filter(|l| !l.is_empty()) {
                s.push_str("    Limits:\n");
                for (k, v) in l {
                    s.push_str(&format!("      {k}:\t{}\n", v.0));
                }
            }
            if let Some(l) = r.requests.as_ref().filter(|l| !l.is_empty()) {
                s.push_str("    Requests:\n");
                for (k, v) in l {
                    s.push_str(&format!("      {k}:\t{}\n", v.0));
                }
            }
        }
        let env = c.env.clone().unwrap_or_default();
        if env.is_empty() {
            s.push_str("    Environment:\t<none>\n");
        } else {
            s.push_str("    Environment:\n");
            for e in env {
                s.push_str(&format!("      {}:\t{}\n", e.name, e.value.unwrap_or_default()));
            }
        }
        let mounts = c.volume_mounts.clone().unwrap_or_default();
        if mounts.is_empty() {
            s.push_str("    Mounts:\t<none>\n");
        } else {
            s.push_str("    Mounts:\n");
            for m in mounts {
                s.push_str(&format!("      {} from {} ({})\n", m.mount_path, m.name, if m.read_only == Some(true) { "ro" } else { "rw" }));
            }
        }
    }
    let vols = spec.volumes.clone().unwrap_or_default();
    if vols.is_empty() {
        s.push_str("  Volumes:\t<none>\n");
    } else {
        s.push_str("  Volumes:\n");
        for v in vols {
            s.push_str(&format!("   {}:\n", v.name));
        }
    }
    let ns = spec.node_selector.clone().unwrap_or_default();
    if ns.is_empty() {
        s.push_str("  Node-Selectors:\t<none>\n");
    } else {
        let l: Vec<String> = ns.iter().map(|(k, v)| format!("{k}={v}")).collect();
        s.push_str(&format!("  Node-Selectors:\t{}\n", l.join("\n\t")));
    }
    let tol = spec.tolerations.clone().unwrap_or_default();
    if tol.is_empty() {
        s.push_str("  Tolerations:\t<none>\n");
    } else {
        let l: Vec<String> = tol
            .iter()
            .map(|t| {
                let mut x = t.key.clone().unwrap_or_default();
                if let Some(v) = &t.value {
                    x.push_str(&format!("={v}"));
                }
                if let Some(e) = &t.effect {
                    x.push_str(&format!(":{e}"));
                }
                if t.operator.as_deref() == Some("Exists") && t.key.is_none() {
                    x = "op=Exists".into();
                }
                x
            })
            .collect();
        s.push_str(&format!("  Tolerations:\t{}\n", l.join("\n\t")));
    }
    s
}

const UNDO_FLAGS: &[Flag] = &[s("filename", Some('f')), i("to-revision", None), s("dry-run", None), s("selector", Some('l')), b("recursive", Some('R'))];

fn undo(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl rollout undo", args, UNDO_FLAGS) else { return };
    let Some(keys) = workloads(sh, out, &p) else { return };
    for key in keys {
        if matches!(key.kind, Kind::DaemonSet | Kind::StatefulSet) {
            let Some(obj) = sh.cluster.get(&key) else {
                out.errln(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message());
                out.code = 1;
                return;
            };
            let dry = p.has("dry-run") && !matches!(p.get("dry-run"), Some("none") | Some("false"));
            if !undo_from_revisions(sh, &obj, &key, p.int("to-revision").unwrap_or(0), dry, out) {
                return;
            }
            continue;
        }
        let Some(d) = deployment(sh, &key) else {
            if sh.cluster.get(&key).is_none() {
                out.errln(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message());
                out.code = 1;
                return;
            }
            return out.fail(format!("no rollbacker has been implemented for {}", key.kind));
        };
        if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
            return out.fail("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
        }
        let revs = revisions(sh, &d);
        let to = p.int("to-revision").unwrap_or(0);
        let target = if to > 0 {
            match revs.iter().find(|(r, _)| *r == to) {
                Some(x) => x.clone(),
                None => return out.fail(format!("unable to find specified revision {to} in history")),
            }
        } else {
            if revs.len() < 2 {
                return out.fail(format!("no rollout history found for deployment \"{}\"", key.name));
            }
            revs[revs.len() - 2].clone()
        };
        let mut tmpl = target.1.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
        if let Some(l) = tmpl.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
            l.remove(HASH_LABEL);
        }
        let current = d.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default();
        if templates_equal(&current, &tmpl) {
            out.outln(format!("{} skipped rollback (current template already matches revision {})", ref_name(Kind::Deployment, &key.name), target.0));
            continue;
        }
        if p.has("dry-run") && !matches!(p.get("dry-run"), Some("none") | Some("false")) {
            out.outln(format!("{} Pod Template:", ref_name(Kind::Deployment, &key.name)));
            out.out(describe_template(&tmpl).trim_start_matches("Pod Template:\n"));
            out.outln(format!("{} rolled back (dry run)", ref_name(Kind::Deployment, &key.name)));
            continue;
        }
        let mut nd = d.clone();
        if let Some(spec) = nd.spec.as_mut() {
            spec.template = tmpl;
        }
        // kubectl replaces the deployment's annotations with the revision's (change-cause among
        // them), keeping only its own bookkeeping ones (`annotationsToSkip`).
        let skip = |k: &str| {
            ["kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision", "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to"].contains(&k)
        };
        let mut annotations: std::collections::BTreeMap<String, String> = pilothouse_engine::sort::btree_map(d.metadata.annotations.iter().flatten().filter(|(k, _)| skip(k)).map(|(k, v)| (k.clone(), v.clone())));
        annotations.extend(target.1.metadata.annotations.iter().flatten().filter(|(k, _)| !skip(k)).map(|(k, v)| (k.clone(), v.clone())));
        nd.metadata.annotations = if annotations.is_empty() { None } else { Some(annotations) };
        nd.metadata.resource_version = None;
        match sh.cluster.update(Object::Deployment(nd)) {
            Ok(_) => out.outln(format!("{} rolled back", ref_name(Kind::Deployment, &key.name))),
            Err(e) => {
                out.errln(api_err(&e));
                out.code = 1;
            }
        }
    }
}

fn pause(sh: &mut Shell, args: &[String], out: &mut Out, pause: bool) {
    let path = if pause { "kubectl rollout pause" } else { "kubectl rollout resume" };
    let Some(p) = parse_flags(out, path, args, &[s("filename", Some('f')), s("selector", Some('l')), b("recursive", Some('R'))]) else { return };
    let Some(keys) = workloads(sh, out, &p) else { return };
    for key in keys {
        let Some(d) = deployment(sh, &key) else {
            if sh.cluster.get(&key).is_none() {
                out.errln(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message());
                out.code = 1;
                return;
            }
            return out.fail(format!("{} is not supported for {}", if pause { "pausing" } else { "resuming" }, key.kind));
        };
        let is_paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
        if is_paused == pause {
            return out.fail(format!("deployments.apps \"{}\" is {}", key.name, if pause { "already paused" } else { "not paused" }));
        }
        let patch = serde_json::json!({"spec": {"paused": if pause { serde_json::Value::Bool(true) } else { serde_json::Value::Null }}});
        match sh.cluster.patch(&key, pilothouse_engine::apiserver::PatchType::Merge, &patch) {
            Ok(_) => out.outln(format!("{} {}", ref_name(Kind::Deployment, &key.name), if pause { "paused" } else { "resumed" })),
            Err(e) => {
                out.errln(api_err(&e));
                out.code = 1;
            }
        }
    }
}

fn restart(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl rollout restart", args, &[s("filename", Some('f')), s("selector", Some('l')), b("recursive", Some('R'))]) else { return };
    let Some(keys) = workloads(sh, out, &p) else { return };
    for key in keys {
        let Some(obj) = sh.cluster.get(&key) else {
            out.errln(pilothouse_engine::ApiError::not_found(key.kind, &key.name).kubectl_message());
            out.code = 1;
            return;
        };
        if !matches!(key.kind, Kind::Deployment | Kind::DaemonSet | Kind::StatefulSet) {
            return out.fail("restarting is not supported");
        }
        if let Object::Deployment(d) = &*obj {
            if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
                return out.fail(format!("deployments.apps \"{}\" can't restart paused deployment (run rollout resume first)", key.name));
            }
        }
        let now = sh.cluster.api.clock.now_secs().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let patch = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}}});
        match sh.cluster.patch(&key, pilothouse_engine::apiserver::PatchType::Strategic, &patch) {
            Ok(_) => out.outln(format!("{} restarted", ref_name(key.kind, &key.name))),
            Err(e) => {
                out.errln(api_err(&e));
                out.code = 1;
            }
        }
    }
}

const ROLLOUT_HELP: &str = "Manage the rollout of one or many resources.
        
 Valid resource types include:

  *  deployments
  *  daemonsets
  *  statefulsets

Examples:
  # Rollback to the previous deployment
  kubectl rollout undo deployment/abc
  
  # Check the rollout status of a daemonset
  kubectl rollout status daemonset/foo
  
  # Restart a deployment
  kubectl rollout restart deployment/abc
  
  # Restart deployments with the 'app=nginx' label
  kubectl rollout restart deployment --selector=app=nginx

Available Commands:
  history       View rollout history
  pause         Mark the provided resource as paused
  restart       Restart a resource
  resume        Resume a paused resource
  status        Show the status of the rollout
  undo          Undo a previous rollout

Usage:
  kubectl rollout SUBCOMMAND [options]

Use \"kubectl rollout <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";
