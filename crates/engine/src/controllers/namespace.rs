//! The namespace controller: a namespace marked for deletion has everything inside deleted,
//! then goes away itself.

use crate::vecmap::VecSet;
use super::Cursor;
use crate::api::{Kind, Object, ObjectKey};
use crate::apiserver::{Api, DeleteOptions};
use crate::clock::Component;

/// The namespace controller's state.
#[derive(Debug, Default, Clone)]
pub struct NamespaceController {
    cursor: Cursor,
    terminating: VecSet<String>,
}

impl NamespaceController {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        self.cursor.behind(api)
    }

    /// One round: find terminating namespaces and empty them.
    pub fn run(&mut self, api: &mut Api, woken: Vec<ObjectKey>) {
        let keys = self.cursor.collect(
            api,
            |e, out| {
                if let Object::Namespace(ns) = &*e.object {
                    if ns.metadata.deletion_timestamp.is_some() && e.event_type != crate::store::EventType::Deleted {
                        out.push(e.key.clone());
                    }
                }
            },
            |api| api.store.list(Kind::Namespace).filter(|o| o.metadata().deletion_timestamp.is_some()).map(|o| ObjectKey::of(o)).collect(),
        );
        for k in keys.into_iter().chain(woken) {
            self.terminating.insert(k.name);
        }
        for ns in self.terminating.clone() {
            let mut left = 0;
            for kind in Kind::ALL.iter().copied().filter(|k| k.info().namespaced) {
                let keys: Vec<ObjectKey> = api.store.list_ns(kind, &ns).map(|o| ObjectKey::of(o)).collect();
                for k in keys {
                    left += 1;
                    let terminating = api.store.get(&k).is_some_and(|o| o.metadata().deletion_timestamp.is_some());
                    if !terminating {
                        let _ = api.delete(&k, &DeleteOptions::default());
                    }
                }
            }
            let key = ObjectKey::new(Kind::Namespace, "", &ns);
            if left == 0 {
                let _ = api.remove_now(&key);
                self.terminating.remove(&ns);
            } else {
                api.clock.wake_in(1000, Component::Other(1), key);
            }
        }
        self.cursor.0 = api.store.next_seq();
    }
}
