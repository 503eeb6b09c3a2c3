//! ControllerRevisions, after Kubernetes' `pkg/controller/history` and the history halves of the
//! DaemonSet and StatefulSet controllers: each template a workload has run is kept as an
//! `apps/v1` ControllerRevision named `<owner>-<hash>`, controlled by the owner (so the garbage
//! collector removes it with the owner), holding a numbered `revision` and, in `data`, the
//! strategic-merge patch that restores the template
//! (`{"spec":{"template":{..., "$patch":"replace"}}}`). `kubectl rollout history|undo` for
//! DaemonSets and StatefulSets read them.

use crate::vecmap::VecSet;
use super::owner_ref;
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::{Api, DeleteOptions};
use k8s_openapi::api::apps::v1::ControllerRevision;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use std::collections::BTreeMap;

/// Label on a StatefulSet's revisions with the hash (`ControllerRevisionHashLabel`).
pub const HASH_LABEL: &str = "controller.kubernetes.io/hash";

/// The revisions controlled by the owner uid in `ns`, sorted by revision number then name
/// (`history.SortControllerRevisions`).
pub fn owned_revisions(api: &Api, owner_uid: &str) -> Vec<ControllerRevision> {
    let mut v: Vec<ControllerRevision> = api
        .store
        .dependents(owner_uid)
        .filter(|k| k.kind == Kind::ControllerRevision)
        .filter_map(|k| match api.store.get(k).map(|o| (**o).clone()) {
            Some(Object::ControllerRevision(cr)) if meta::controller_of(&cr.metadata).is_some_and(|r| r.uid == owner_uid) && cr.metadata.deletion_timestamp.is_none() => Some(cr),
            _ => None,
        })
        .collect();
    sort(&mut v);
    v
}

/// Sorts revisions by number, then name.
pub fn sort(v: &mut [ControllerRevision]) {
    crate::sort::sort_by(v, |a, b| a.revision.cmp(&b.revision).then_with(|| meta::name(&a.metadata).cmp(meta::name(&b.metadata))));
}

/// The patch a revision stores for a template (`getPatch`).
pub fn template_patch(t: &PodTemplateSpec) -> serde_json::Value {
    let mut tv = crate::api::to_json(t);
    if let serde_json::Value::Object(m) = &mut tv {
        m.insert("$patch".into(), serde_json::Value::String("replace".into()));
    }
    serde_json::json!({ "spec": { "template": tv } })
}

/// The template a revision restores, if its data holds one.
pub fn revision_template(cr: &ControllerRevision) -> Option<PodTemplateSpec> {
    let mut t = cr.data.as_ref()?.0.get("spec")?.get("template")?.clone();
    if let serde_json::Value::Object(m) = &mut t {
        m.remove("$patch");
    }
    crate::api::typed_from_json(t).ok()
}

/// Whether a revision holds this template (`Match` / `history.EqualRevision`).
pub fn holds(cr: &ControllerRevision, t: &PodTemplateSpec) -> bool {
    revision_template(cr).is_some_and(|rt| super::deployment::templates_equal(&rt, t))
}

/// The highest revision number (0 for none).
pub fn max_revision(v: &[ControllerRevision]) -> i64 {
    v.iter().map(|c| c.revision).max().unwrap_or(0)
}

/// Makes the revision `name` for `template` the owner's current one: creates it numbered one
/// past the others, or, when it exists and is not already the highest, renumbers it so (a
/// rollback). Returns the revision.
pub fn ensure(api: &mut Api, owner: &Object, name: &str, hash: &str, template: &PodTemplateSpec, hash_label: &str) -> Option<ControllerRevision> {
    let owner_uid = meta::uid(owner.metadata()).to_string();
    let ns = meta::namespace(owner.metadata()).to_string();
    let all = owned_revisions(api, &owner_uid);
    let others: Vec<ControllerRevision> = all.iter().filter(|c| meta::name(&c.metadata) != name).cloned().collect();
    let next = max_revision(&others) + 1;
    if let Some(cur) = all.iter().find(|c| meta::name(&c.metadata) == name) {
        if cur.revision < next {
            let mut up = cur.clone();
            up.revision = next;
            let stored = api.store.put(Object::ControllerRevision(up));
            return match &*stored {
                Object::ControllerRevision(c) => Some(c.clone()),
                _ => None,
            };
        }
        return Some(cur.clone());
    }
    // A revision of that name owned by something else (or not at all) is left alone.
    if api.store.get(&ObjectKey::new(Kind::ControllerRevision, &ns, name)).is_some() {
        return None;
    }
    let mut labels: BTreeMap<String, String> = template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    labels.insert(hash_label.to_string(), hash.to_string());
    let annotations = owner.metadata().annotations.clone();
    let cr = ControllerRevision {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(ns),
            labels: Some(labels),
            annotations: annotations.filter(|a| !a.is_empty()),
            owner_references: Some(vec![owner_ref(owner)]),
            ..Default::default()
        },
        data: Some(RawExtension(template_patch(template))),
        revision: next,
    };
    match api.create_derived_uid(Object::ControllerRevision(cr)) {
        Ok(o) => match &*o {
            Object::ControllerRevision(c) => Some(c.clone()),
            _ => None,
        },
        Err(_) => None,
    }
}

/// Deletes the oldest revisions not in `live` beyond `limit` (`cleanupHistory`,
/// `truncateHistory`).
pub fn truncate(api: &mut Api, owner_uid: &str, live: &VecSet<String>, limit: i32) {
    let old: Vec<ControllerRevision> = owned_revisions(api, owner_uid).into_iter().filter(|c| !live.contains(meta::name(&c.metadata))).collect();
    let limit = limit.max(0) as usize;
    if old.len() <= limit {
        return;
    }
    for c in &old[..old.len() - limit] {
        let k = ObjectKey::new(Kind::ControllerRevision, meta::namespace(&c.metadata), meta::name(&c.metadata));
        let _ = api.delete(&k, &DeleteOptions::default());
    }
}
