//! The versioned object store behind the simulated API server (etcd's role): objects by typed
//! key, a cluster-wide resourceVersion counter, secondary indexes, and one ordered watch log of
//! Added/Modified/Deleted events that controllers, checks and the UI all read.

use crate::vecmap::VecMap;
use crate::api::{meta, Kind, Object, ObjectKey};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::Arc;

/// The type of a watch event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum EventType {
    /// The object was created.
    Added,
    /// The object changed.
    Modified,
    /// The object was removed.
    Deleted,
}

impl EventType {
    /// `ADDED`, `MODIFIED`, `DELETED` as on the wire.
    pub fn wire(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One entry of the watch log.
#[derive(Clone, Debug)]
pub struct WatchEvent {
    /// Position in the log (0-based, never reused).
    pub seq: u64,
    /// The resourceVersion the change produced.
    pub rv: u64,
    /// What happened.
    pub event_type: EventType,
    /// Which object.
    pub key: ObjectKey,
    /// The object after the change (before removal for Deleted).
    pub object: Arc<Object>,
    /// For Modified, the object before the change (a watch with a selector turns a change that
    /// makes an object stop or start matching into DELETED or ADDED, as the API server does).
    /// Usually shared with an earlier log entry, so it costs no copy.
    pub prev: Option<Arc<Object>>,
}

/// The object store with its watch log and indexes.
#[derive(Debug, Default, Clone)]
pub struct Store {
    objects: BTreeMap<ObjectKey, Arc<Object>>,
    rv: u64,
    log: Vec<WatchEvent>,
    log_start: u64,
    pods_by_node: BTreeMap<String, BTreeSet<ObjectKey>>,
    /// Dependents by owner uid, with the stored object (controllers list their pods here).
    by_owner: BTreeMap<String, BTreeMap<ObjectKey, Arc<Object>>>,
    counts: VecMap<Kind, usize>,
}

/// The most watch events kept before the oldest half is compacted away.
const LOG_CAP: usize = 200_000;

impl Store {
    /// The current cluster-wide resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    /// An object by key.
    pub fn get(&self, key: &ObjectKey) -> Option<&Arc<Object>> {
        self.objects.get(key)
    }

    /// All objects of a kind, ordered by namespace then name.
    pub fn list(&self, kind: Kind) -> impl Iterator<Item = &Arc<Object>> + '_ {
        let start = ObjectKey { kind, namespace: String::new(), name: String::new() };
        self.objects
            .range((Bound::Included(start), Bound::Unbounded))
            .take_while(move |(k, _)| k.kind == kind)
            .map(|(_, v)| v)
    }

    /// All objects of a kind in one namespace, ordered by name.
    pub fn list_ns<'a>(&'a self, kind: Kind, ns: &'a str) -> impl Iterator<Item = &'a Arc<Object>> + 'a {
        let start = ObjectKey { kind, namespace: ns.to_string(), name: String::new() };
        self.objects
            .range((Bound::Included(start), Bound::Unbounded))
            .take_while(move |(k, _)| k.kind == kind && k.namespace == ns)
            .map(|(_, v)| v)
    }

    /// How many objects of a kind exist.
    pub fn count(&self, kind: Kind) -> usize {
        self.counts.get(&kind).copied().unwrap_or(0)
    }

    /// Keys of pods bound to a node.
    pub fn pods_on_node(&self, node: &str) -> impl Iterator<Item = &ObjectKey> + '_ {
        self.pods_by_node.get(node).into_iter().flatten()
    }

    /// Keys of objects whose ownerReferences name the uid.
    pub fn dependents(&self, owner_uid: &str) -> impl Iterator<Item = &ObjectKey> + '_ {
        self.by_owner.get(owner_uid).into_iter().flat_map(|m| m.keys())
    }

    /// The objects whose ownerReferences name `owner_uid`, with their keys, in key order.
    pub fn dependents_with_objects(&self, owner_uid: &str) -> impl Iterator<Item = (&ObjectKey, &Arc<Object>)> + '_ {
        self.by_owner.get(owner_uid).into_iter().flatten()
    }

    /// Writes an object (create or replace), bumping the resourceVersion; returns the stored copy.
    pub fn put(&mut self, mut obj: Object) -> Arc<Object> {
        self.rv += 1;
        obj.metadata_mut().resource_version = Some(self.rv.to_string());
        let key = ObjectKey::of(&obj);
        let obj = Arc::new(obj);
        let old = self.objects.insert(key.clone(), obj.clone());
        if let Some(old) = &old {
            self.unindex(&key, old);
        } else {
            *self.counts.entry(key.kind).or_default() += 1;
        }
        self.index(&key, &obj);
        let event_type = if old.is_some() { EventType::Modified } else { EventType::Added };
        self.push(event_type, key, obj.clone(), old);
        obj
    }

    /// Removes an object; the Deleted event carries it with a new resourceVersion.
    pub fn remove(&mut self, key: &ObjectKey) -> Option<Arc<Object>> {
        let old = self.objects.remove(key)?;
        self.unindex(key, &old);
        if let Some(c) = self.counts.get_mut(&key.kind) {
            *c -= 1;
        }
        self.rv += 1;
        let mut last = (*old).clone();
        last.metadata_mut().resource_version = Some(self.rv.to_string());
        let last = Arc::new(last);
        self.push(EventType::Deleted, key.clone(), last.clone(), None);
        Some(last)
    }

    fn push(&mut self, event_type: EventType, key: ObjectKey, object: Arc<Object>, prev: Option<Arc<Object>>) {
        let seq = self.log_start + self.log.len() as u64;
        self.log.push(WatchEvent { seq, rv: self.rv, event_type, key, object, prev });
        if self.log.len() > LOG_CAP {
            let drop = LOG_CAP / 2;
            self.log.drain(..drop);
            self.log_start += drop as u64;
        }
    }

    fn index(&mut self, key: &ObjectKey, obj: &Arc<Object>) {
        if let Object::Pod(p) = &**obj {
            if let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.as_ref()) {
                self.pods_by_node.entry(node.clone()).or_default().insert(key.clone());
            }
        }
        for o in obj.metadata().owner_references.iter().flatten() {
            self.by_owner.entry(o.uid.clone()).or_default().insert(key.clone(), Arc::clone(obj));
        }
    }

    fn unindex(&mut self, key: &ObjectKey, obj: &Object) {
        if let Object::Pod(p) = obj {
            if let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.as_ref()) {
                if let Some(set) = self.pods_by_node.get_mut(node) {
                    set.remove(key);
                    if set.is_empty() {
                        self.pods_by_node.remove(node);
                    }
                }
            }
        }
        for o in obj.metadata().owner_references.iter().flatten() {
            if let Some(set) = self.by_owner.get_mut(&o.uid) {
                set.remove(key);
                if set.is_empty() {
                    self.by_owner.remove(&o.uid);
                }
            }
        }
    }

    /// The sequence number the next watch event will get.
    pub fn next_seq(&self) -> u64 {
        self.log_start + self.log.len() as u64
    }

    /// Watch events from `seq` on; `None` if they were compacted away (the watcher must re-list).
    pub fn events_since(&self, seq: u64) -> Option<&[WatchEvent]> {
        if seq < self.log_start {
            return None;
        }
        let idx = (seq - self.log_start) as usize;
        Some(self.log.get(idx..).unwrap_or(&[]))
    }

    /// Finds an object by uid among the dependents' owners (linear in that kind).
    pub fn find_by_uid<'a>(&'a self, kind: Kind, namespace: &'a str, uid: &str) -> Option<&'a Arc<Object>> {
        if kind.info().namespaced {
            self.list_ns(kind, namespace).find(|o| meta::uid(o.metadata()) == uid)
        } else {
            self.list(kind).find(|o| meta::uid(o.metadata()) == uid)
        }
    }

    /// All keys, in order (for snapshots and tests).
    pub fn keys(&self) -> impl Iterator<Item = &ObjectKey> + '_ {
        self.objects.keys()
    }
}
