//! The garbage collector: when an owner goes, its dependents go too (background cascade), or
//! lose their ownerReference when the owner was deleted with `--cascade=orphan`.

use super::Cursor;
use crate::api::{meta, ObjectKey};
use crate::apiserver::{Api, DeleteOptions};
use crate::store::EventType;

/// The garbage collector's state.
#[derive(Debug, Default, Clone)]
pub struct GarbageCollector {
    cursor: Cursor,
}

impl GarbageCollector {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        self.cursor.behind(api)
    }

    /// Handles deletions since the last round.
    pub fn run(&mut self, api: &mut Api) {
        let mut gone: Vec<String> = Vec::new();
        if let Some(evs) = api.store.events_since(self.cursor.0) {
            for e in evs.iter().filter(|e| e.event_type == EventType::Deleted) {
                gone.push(meta::uid(e.object.metadata()).to_string());
            }
        }
        self.cursor.0 = api.store.next_seq();
        for uid in gone {
            let deps: Vec<ObjectKey> = api.store.dependents(&uid).cloned().collect();
            let orphan = api.orphan_uids.remove(&uid);
            for dep in deps {
                let Some(obj) = api.store.get(&dep).cloned() else { continue };
                if orphan {
                    let mut o = (*obj).clone();
                    if let Some(refs) = o.metadata_mut().owner_references.as_mut() {
                        refs.retain(|r| r.uid != uid);
                        if refs.is_empty() {
                            o.metadata_mut().owner_references = None;
                        }
                    }
                    api.store.put(o);
                } else {
                    // Delete only when no other owner remains.
                    let others = obj.metadata().owner_references.iter().flatten().filter(|r| r.uid != uid).any(|r| {
                        crate::api::Kind::ALL.iter().any(|k| k.info().kind == r.kind && api.store.find_by_uid(*k, &dep.namespace, &r.uid).is_some())
                    });
                    if !others {
                        let _ = api.delete(&dep, &DeleteOptions::default());
                    }
                }
            }
        }
    }
}
