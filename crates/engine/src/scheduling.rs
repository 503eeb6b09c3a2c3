//! The scheduler as a component of the cluster loop: watches pods and nodes, feeds the
//! scheduling queue and cache, schedules one pod at a time and binds it (or records why not).

use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use crate::controllers::Cursor;
use k8s_openapi::api::core::v1::{Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use std::collections::BTreeSet;

/// The scheduler component (interim: first feasible node).
#[derive(Debug, Default, Clone)]
pub struct SchedulerController {
    cursor: Cursor,
    queue: BTreeSet<ObjectKey>,
}

impl SchedulerController {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        !self.queue.is_empty() || self.cursor.behind(api)
    }

    /// One round.
    pub fn run(&mut self, api: &mut Api, woken: Vec<ObjectKey>) {
        let keys = self.cursor.collect(
            api,
            |e, out| {
                if let Object::Pod(p) = &*e.object {
                    if e.event_type != crate::store::EventType::Deleted && needs_scheduling(p) {
                        out.push(e.key.clone());
                    }
                }
            },
            |api| api.store.list(Kind::Pod).filter(|o| matches!(&***o, Object::Pod(p) if needs_scheduling(p))).map(|o| ObjectKey::of(o)).collect(),
        );
        self.queue.extend(keys);
        self.queue.extend(woken);
        for key in std::mem::take(&mut self.queue) {
            let Some(Object::Pod(p)) = api.store.get(&key).map(|o| (**o).clone()) else { continue };
            if !needs_scheduling(&p) {
                continue;
            }
            let node = api.store.list(Kind::Node).find_map(|n| match &**n {
                Object::Node(n) if n.spec.as_ref().and_then(|s| s.unschedulable) != Some(true) => n.metadata.name.clone(),
                _ => None,
            });
            if let Some(node) = node {
                bind(api, p, &node);
            }
        }
        self.cursor.0 = api.store.next_seq();
    }
}

/// Whether a pod waits for this scheduler.
pub fn needs_scheduling(p: &Pod) -> bool {
    let spec = p.spec.as_ref();
    spec.is_some_and(|s| s.node_name.is_none() && s.scheduler_name.as_deref().unwrap_or("default-scheduler") == "default-scheduler")
        && p.metadata.deletion_timestamp.is_none()
}

/// Binds a pod to a node: sets nodeName and PodScheduled, records `Scheduled`.
pub fn bind(api: &mut Api, mut p: Pod, node: &str) {
    let now = Time(api.clock.now_secs());
    if let Some(s) = p.spec.as_mut() {
        s.node_name = Some(node.to_string());
    }
    let st = p.status.get_or_insert_with(Default::default);
    let conds = st.conditions.get_or_insert_with(Vec::new);
    conds.retain(|c| c.type_ != "PodScheduled");
    conds.push(PodCondition { type_: "PodScheduled".into(), status: "True".into(), last_transition_time: Some(now), ..Default::default() });
    st.nominated_node_name = None;
    let msg = format!("Successfully assigned {}/{} to {node}", meta::namespace(&p.metadata), meta::name(&p.metadata));
    let stored = api.store.put(Object::Pod(p));
    api.record(&stored, "Normal", "Scheduled", &msg, "default-scheduler", None);
}
