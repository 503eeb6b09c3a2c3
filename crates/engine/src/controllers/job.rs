//! The Job controller and the TTL-after-finished controller, after Kubernetes'
//! `pkg/controller/job` and `pkg/controller/ttlafterfinished`: runs pods until `completions`
//! succeed (NonIndexed or Indexed, at most `parallelism` at a time), replaces failed pods with
//! the pod failure back-off (10 s doubling, capped at 6 min), fails the Job past `backoffLimit`
//! (pod failures, or container restarts with `restartPolicy: OnFailure`) or
//! `activeDeadlineSeconds`, reports `SuccessCriteriaMet`/`Complete` or `FailureTarget`/`Failed`
//! as 1.32 does, and deletes finished Jobs after `ttlSecondsAfterFinished`.
//!
//! Kubernetes counts finished pods through the `batch.kubernetes.io/job-tracking` finalizer and
//! `status.uncountedTerminatedPods`. Here the controller remembers which pod uids it has counted
//! (and which it saw active, so a pod deleted while running counts as failed, as with the
//! finalizer); the finalizer itself is not put on pods. Finished pods are kept, as in Kubernetes.

use crate::vecmap::VecSet;
use crate::vecmap::VecMap;
use super::workload::{finished_at, is_terminal, ms_of, phase, time_at, Timers};
use super::{owned_pods, owner_ref, pod_is_ready, Cursor};
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::{Api, DeleteOptions, Propagation};
use crate::clock::Component;
use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, ObjectFieldSelector, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use std::collections::{BTreeMap, BTreeSet};

/// Label and annotation carrying an Indexed Job pod's completion index.
pub const COMPLETION_INDEX: &str = "batch.kubernetes.io/job-completion-index";
/// Label tying pods to their Job by uid.
pub const CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";
/// Label naming the pod's Job.
pub const JOB_NAME: &str = "batch.kubernetes.io/job-name";
/// First delay after a pod failure (`DefaultJobPodFailureBackOff`).
pub const BACKOFF_BASE_MS: u64 = 10_000;
/// Longest delay after repeated pod failures (`MaxJobPodFailureBackOff`).
pub const BACKOFF_MAX_MS: u64 = 360_000;
const COMPONENT: &str = "job-controller";
/// Most pods created per sync (kube-controller-manager's burst).
const BURST: usize = 500;

/// What the controller remembers about one Job's pods (the role of the tracking finalizer).
#[derive(Debug, Default, Clone)]
struct Track {
    /// Pod uids counted in `succeeded`/`failed`.
    counted: VecSet<String>,
    /// Pod uids seen active and not yet counted.
    active: VecSet<String>,
    /// Failures since the last success, for the back-off.
    failures_since_success: u32,
    /// When the last failure happened (ms).
    last_failure_ms: u64,
}

/// The Job controller's state.
#[derive(Debug, Default, Clone)]
pub struct JobController {
    cursor: Cursor,
    queue: BTreeSet<ObjectKey>,
    timers: Timers,
    tracks: VecMap<String, Track>,
}

/// The back-off before the next pod after `failures` consecutive failures.
pub fn backoff_delay(failures: u32) -> u64 {
    if failures == 0 {
        return 0;
    }
    let shift = (failures - 1).min(16);
    (BACKOFF_BASE_MS << shift).min(BACKOFF_MAX_MS)
}

/// Whether a Job has a `Complete` or `Failed` condition that is `True`.
pub fn is_finished(j: &Job) -> Option<&'static str> {
    for c in j.status.iter().flat_map(|s| s.conditions.iter().flatten()) {
        if c.status == "True" {
            if c.type_ == "Complete" {
                return Some("Complete");
            }
            if c.type_ == "Failed" {
                return Some("Failed");
            }
        }
    }
    None
}

fn condition<'a>(j: &'a JobStatus, ty: &str) -> Option<&'a JobCondition> {
    j.conditions.iter().flatten().find(|c| c.type_ == ty && c.status == "True")
}

fn set_condition(st: &mut JobStatus, ty: &str, reason: &str, message: &str, now_ms: u64) {
    let conds = st.conditions.get_or_insert_with(Vec::new);
    if let Some(c) = conds.iter_mut().find(|c| c.type_ == ty) {
        if c.status != "True" {
            c.status = "True".into();
            c.last_transition_time = Some(time_at(now_ms));
        }
        c.last_probe_time = Some(time_at(now_ms));
        c.reason = Some(reason.into());
        c.message = Some(message.into());
        return;
    }
    conds.push(JobCondition {
        type_: ty.into(),
        status: "True".into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_probe_time: Some(time_at(now_ms)),
        last_transition_time: Some(time_at(now_ms)),
    });
}

/// Parses `completedIndexes` (`"0-2,4"`) into a set.
pub fn parse_indexes(s: &str) -> VecSet<i32> {
    let mut out = VecSet::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<i32>(), b.parse::<i32>()) {
                    out.extend(a..=b.min(a.saturating_add(100_000)));
                }
            }
            None => {
                if let Ok(a) = part.parse() {
                    out.insert(a);
                }
            }
        }
    }
    out
}

/// Formats a set of indexes as Kubernetes does (`"0-2,4"`).
pub fn format_indexes(set: &VecSet<i32>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut iter = set.iter().copied().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&(end + 1)) {
            end += 1;
            iter.next();
        }
        parts.push(if end == start { start.to_string() } else { format!("{start}-{end}") });
    }
    parts.join(",")
}

fn pod_index(p: &Pod) -> Option<i32> {
    meta::annotation(&p.metadata, COMPLETION_INDEX).or_else(|| meta::label(&p.metadata, COMPLETION_INDEX)).and_then(|v| v.parse().ok())
}

fn restarts(p: &Pod) -> i32 {
    let st = p.status.as_ref();
    st.iter().flat_map(|s| s.container_statuses.iter().flatten().chain(s.init_container_statuses.iter().flatten())).map(|c| c.restart_count).sum()
}

/// Fills the selector and the pod labels a Job gets at creation (`generateSelector`), unless
/// `manualSelector` is set. Returns whether anything changed.
pub fn generate_selector(j: &mut Job) -> bool {
    let uid = meta::uid(&j.metadata).to_string();
    let name = meta::name(&j.metadata).to_string();
    let Some(spec) = j.spec.as_mut() else { return false };
    if spec.manual_selector == Some(true) || uid.is_empty() {
        return false;
    }
    let mut changed = false;
    if spec.selector.is_none() {
        let mut ml = BTreeMap::new();
        ml.insert(CONTROLLER_UID.to_string(), uid.clone());
        spec.selector = Some(LabelSelector { match_labels: Some(ml), match_expressions: None });
        changed = true;
    }
    let labels = spec.template.metadata.get_or_insert_with(Default::default).labels.get_or_insert_with(Default::default);
    for (k, v) in [(CONTROLLER_UID, &uid), (JOB_NAME, &name), ("controller-uid", &uid), ("job-name", &name)] {
        if labels.get(k) != Some(v) {
            labels.insert(k.to_string(), v.clone());
            changed = true;
        }
    }
    changed
}

impl JobController {
    /// Whether there is work.
    pub fn has_work(&self, api: &Api) -> bool {
        !self.queue.is_empty() || self.cursor.behind(api)
    }

    /// One round over new events and timers.
    pub fn run(&mut self, api: &mut Api, woken: Vec<ObjectKey>) {
        self.timers.fired(api.clock.now_ms(), &woken);
        let keys = self.cursor.collect(
            api,
            |e, out| match &*e.object {
                Object::Job(_) => out.push(e.key.clone()),
                Object::Pod(p) => {
                    if let Some(k) = super::controller_key(&p.metadata, Kind::Job) {
                        out.push(k);
                    }
                }
                _ => {}
            },
            |api| api.store.list(Kind::Job).map(|o| ObjectKey::of(o)).collect(),
        );
        self.queue.extend(keys);
        self.queue.extend(woken);
        for key in std::mem::take(&mut self.queue) {
            self.reconcile(api, &key);
        }
        self.cursor.0 = api.store.next_seq();
    }

    fn reconcile(&mut self, api: &mut Api, key: &ObjectKey) {
        let Some(Object::Job(mut job)) = api.store.get(key).map(|o| (**o).clone()) else {
            self.timers.forget(key);
            // Forget tracks of Jobs that are gone.
            let live: VecSet<String> = VecSet::from_iter(api.store.list(Kind::Job).map(|o| meta::uid(o.metadata()).to_string()));
            self.tracks.retain(|uid, _| live.contains(uid));
            return;
        };
        if job.metadata.deletion_timestamp.is_some() {
            return;
        }
        if generate_selector(&mut job) {
            let stored = api.store.put(Object::Job(job));
            let Object::Job(j) = (*stored).clone() else { return };
            job = j;
        }
        let Some(spec) = job.spec.clone() else { return };
        let now = api.clock.now_ms();
        let uid = meta::uid(&job.metadata).to_string();
        let job_obj = Object::Job(job.clone());
        let old_status = job.status.clone().unwrap_or_default();
        let mut st = old_status.clone();

        if let Some(done) = is_finished(&job) {
            self.ttl(api, key, &job, done);
            return;
        }

        let pods: Vec<Pod> = owned_pods(api, &uid).into_iter().filter_map(|o| o.as_pod().cloned()).collect();
        let indexed = spec.completion_mode.as_deref() == Some("Indexed");
        let completions = spec.completions;
        let parallelism = spec.parallelism.unwrap_or(1).max(0);
        let backoff_limit = spec.backoff_limit.unwrap_or(6).max(0);
        let on_failure = spec.template.spec.as_ref().and_then(|s| s.restart_policy.as_deref()) == Some("OnFailure");

        // Count pods that finished (or vanished while active) since the last sync.
        let track = self.tracks.entry(uid.clone()).or_default();
        let mut succeeded = st.succeeded.unwrap_or(0);
        let mut failed = st.failed.unwrap_or(0);
        let mut completed: VecSet<i32> = st.completed_indexes.as_deref().map(parse_indexes).unwrap_or_default();
        let present: VecSet<String> = VecSet::from_iter(pods.iter().map(|p| meta::uid(&p.metadata).to_string()));
        for p in &pods {
            let puid = meta::uid(&p.metadata).to_string();
            if track.counted.contains(&puid) {
                continue;
            }
            match phase(p) {
                "Succeeded" => {
                    track.counted.insert(puid.clone());
                    track.active.remove(&puid);
                    if indexed {
                        if let Some(i) = pod_index(p).filter(|i| completions.is_some_and(|c| *i < c)) {
                            completed.insert(i);
                        }
                    } else {
                        succeeded += 1;
                    }
                    track.failures_since_success = 0;
                }
                "Failed" => {
                    track.counted.insert(puid.clone());
                    track.active.remove(&puid);
                    failed += 1;
                    track.failures_since_success += 1;
                    track.last_failure_ms = track.last_failure_ms.max(finished_at(p).unwrap_or(now).min(now));
                }
                _ => {
                    track.active.insert(puid);
                }
            }
        }
        let vanished: Vec<String> = track.active.iter().filter(|u| !present.contains(*u)).cloned().collect();
        for u in vanished {
            track.active.remove(&u);
            track.counted.insert(u);
            failed += 1;
            track.failures_since_success += 1;
            track.last_failure_ms = now;
        }
        if indexed {
            succeeded = completed.len() as i32;
            st.completed_indexes = Some(format_indexes(&completed)).filter(|s| !s.is_empty());
        }
        let active: Vec<&Pod> = pods.iter().filter(|p| !is_terminal(p) && p.metadata.deletion_timestamp.is_none()).collect();
        let terminating = pods.iter().filter(|p| !is_terminal(p) && p.metadata.deletion_timestamp.is_some()).count() as i32;

        if st.start_time.is_none() && spec.suspend != Some(true) {
            st.start_time = Some(time_at(now));
        }

        // Decide whether the Job is done.
        let mut finishing: Option<(&str, &str, &str)> = None; // (final type, reason, message)
        if let Some(c) = condition(&st, "FailureTarget") {
            finishing = Some(("Failed", if c.reason.as_deref() == Some("DeadlineExceeded") { "DeadlineExceeded" } else { "BackoffLimitExceeded" }, ""));
        } else if condition(&st, "SuccessCriteriaMet").is_some() {
            finishing = Some(("Complete", "CompletionsReached", ""));
        } else {
            let restarts_total: i32 = if on_failure { active.iter().map(|p| restarts(p)).sum() } else { 0 };
            let past_restarts = on_failure && if backoff_limit == 0 { restarts_total > 0 } else { restarts_total >= backoff_limit };
            let deadline_at = spec.active_deadline_seconds.and_then(|s| st.start_time.as_ref().map(|t| ms_of(t) + s.max(0) as u64 * 1000));
            let done = match completions {
                Some(c) => succeeded >= c,
                None => succeeded > 0 && active.is_empty(),
            };
            if done {
                finishing = Some(("Complete", "CompletionsReached", ""));
            } else if failed > backoff_limit || past_restarts {
                finishing = Some(("Failed", "BackoffLimitExceeded", ""));
            } else if deadline_at.is_some_and(|d| d <= now) {
                finishing = Some(("Failed", "DeadlineExceeded", ""));
            } else if let Some(d) = deadline_at {
                self.timers.wake(api, Component::Job, key, d);
            }
        }

        if let Some((final_type, reason, _)) = finishing {
            let message = match reason {
                "CompletionsReached" => "Reached expected number of succeeded pods",
                "DeadlineExceeded" => "Job was active longer than specified deadline",
                _ => "Job has reached the specified backoff limit",
            };
            let interim = if final_type == "Complete" { "SuccessCriteriaMet" } else { "FailureTarget" };
            if condition(&st, interim).is_none() {
                set_condition(&mut st, interim, reason, message, now);
            }
            // Remaining active pods are deleted; the Job finishes once they are gone.
            for p in &active {
                let pk = ObjectKey::new(Kind::Pod, meta::namespace(&p.metadata), meta::name(&p.metadata));
                if api.delete(&pk, &DeleteOptions::default()).is_ok() {
                    api.record(&job_obj, "Normal", "SuccessfulDelete", &format!("Deleted pod: {}", pk.name), COMPONENT, None);
                }
            }
            let still_running = pods.iter().any(|p| !is_terminal(p) && api.store.get(&ObjectKey::new(Kind::Pod, meta::namespace(&p.metadata), meta::name(&p.metadata))).is_some());
            if !still_running {
                set_condition(&mut st, final_type, reason, message, now);
                if final_type == "Complete" {
                    st.completion_time = Some(time_at(now));
                    api.record(&job_obj, "Normal", "Completed", "Job completed", COMPONENT, None);
                } else {
                    api.record(&job_obj, "Warning", reason, message, COMPONENT, None);
                }
            }
            self.write_status(api, &job, st, succeeded, failed, 0, 0, terminating);
            if let Some(Object::Job(j)) = api.store.get(key).map(|o| (**o).clone()) {
                if let Some(done) = is_finished(&j) {
                    self.ttl(api, key, &j, done);
                }
            }
            return;
        }

        // Suspended Jobs run no pods.
        if spec.suspend == Some(true) {
            for p in &active {
                let pk = ObjectKey::new(Kind::Pod, meta::namespace(&p.metadata), meta::name(&p.metadata));
                if api.delete(&pk, &DeleteOptions::default()).is_ok() {
                    api.record(&job_obj, "Normal", "SuccessfulDelete", &format!("Deleted pod: {}", pk.name), COMPONENT, None);
                }
            }
            let conds = st.conditions.get_or_insert_with(Vec::new);
            if !conds.iter().any(|c| c.type_ == "Suspended" && c.status == "True") {
                set_condition(&mut st, "Suspended", "JobSuspended", "Job suspended", now);
                api.record(&job_obj, "Normal", "Suspended", "Job suspended", COMPONENT, None);
            }
            self.write_status(api, &job, st, succeeded, failed, 0, 0, terminating);
            return;
        }
        if let Some(c) = st.conditions.as_mut().and_then(|cs| cs.iter_mut().find(|c| c.type_ == "Suspended" && c.status == "True")) {
            c.status = "False".into();
            c.reason = Some("JobResumed".into());
            c.message = Some("Job resumed".into());
            c.last_transition_time = Some(time_at(now));
            c.last_probe_time = Some(time_at(now));
            api.record(&job_obj, "Normal", "Resumed", "Job resumed", COMPONENT, None);
        }

        // How many pods should run, and which indexes.
        let mut active_count = active.len() as i32;
        let want: i32 = match completions {
            Some(c) if !indexed => parallelism.min((c - succeeded).max(0)),
            Some(c) => parallelism.min((c - succeeded).max(0)),
            None => {
                if succeeded > 0 {
                    0
                } else {
                    parallelism
                }
            }
        };
        let track = self.tracks.entry(uid.clone()).or_default();
        if active_count > want {
            // Parallelism went down: delete the newest, unready pods first.
            let mut ranked: Vec<&Pod> = active.clone();
            crate::sort::sort_by_key(&mut ranked, |p| (pod_is_ready(p), std::cmp::Reverse(p.metadata.creation_timestamp.as_ref().map(|t| t.0)), meta::name(&p.metadata).to_string()));
            for p in ranked.into_iter().take((active_count - want) as usize) {
                let pk = ObjectKey::new(Kind::Pod, meta::namespace(&p.metadata), meta::name(&p.metadata));
                if api.delete(&pk, &DeleteOptions::default()).is_ok() {
                    api.record(&job_obj, "Normal", "SuccessfulDelete", &format!("Deleted pod: {}", pk.name), COMPONENT, None);
                    active_count -= 1;
                }
            }
        } else if active_count < want {
            let ready_at = track.last_failure_ms + backoff_delay(track.failures_since_success);
            if track.failures_since_success > 0 && ready_at > now {
                self.timers.wake(api, Component::Job, key, ready_at);
            } else {
                let mut to_create: Vec<Option<i32>> = Vec::new();
                let n = ((want - active_count) as usize).min(BURST);
                if indexed {
                    let busy: VecSet<i32> = VecSet::from_iter(active.iter().filter_map(|p| pod_index(p)));
                    let total = completions.unwrap_or(0);
                    for i in 0..total {
                        if to_create.len() >= n {
                            break;
                        }
                        if !completed.contains(&i) && !busy.contains(&i) {
                            to_create.push(Some(i));
                        }
                    }
                } else {
                    to_create = vec![None; n];
                }
                for index in to_create {
                    let pod = new_pod(&job, &job_obj, index);
                    match api.create(Object::Pod(pod)) {
                        Ok(created) => {
                            active_count += 1;
                            let puid = meta::uid(created.metadata()).to_string();
                            self.tracks.entry(uid.clone()).or_default().active.insert(puid);
                            api.record(&job_obj, "Normal", "SuccessfulCreate", &format!("Created pod: {}", meta::name(created.metadata())), COMPONENT, None);
                        }
                        Err(e) => {
                            api.record(&job_obj, "Warning", "FailedCreate", &format!("Error creating: {e}"), COMPONENT, None);
                            self.timers.wake(api, Component::Job, key, now + 10_000);
                            break;
                        }
                    }
                }
            }
        }
        let ready = active.iter().filter(|p| pod_is_ready(p)).count() as i32;
        self.write_status(api, &job, st, succeeded, failed, active_count.max(0), ready, terminating);
    }

    #[allow(clippy::too_many_arguments)]
    fn write_status(&mut self, api: &mut Api, job: &Job, mut st: JobStatus, succeeded: i32, failed: i32, active: i32, ready: i32, terminating: i32) {
        st.succeeded = Some(succeeded).filter(|v| *v > 0);
        st.failed = Some(failed).filter(|v| *v > 0);
        st.active = Some(active).filter(|v| *v > 0);
        st.ready = Some(ready);
        st.terminating = Some(terminating);
        st.uncounted_terminated_pods = Some(UncountedTerminatedPods::default());
        if job.status.as_ref() != Some(&st) {
            // Re-read: a selector fix-up may have been written this round.
            let key = ObjectKey::new(Kind::Job, meta::namespace(&job.metadata), meta::name(&job.metadata));
            if let Some(Object::Job(mut j)) = api.store.get(&key).map(|o| (**o).clone()) {
                if j.status.as_ref() != Some(&st) {
                    j.status = Some(st);
                    api.store.put(Object::Job(j));
                }
            }
        }
    }

    /// The TTL-after-finished controller: deletes a finished Job `ttlSecondsAfterFinished` after
    /// it finished (its pods go with it).
    fn ttl(&mut self, api: &mut Api, key: &ObjectKey, job: &Job, done: &str) {
        let Some(ttl) = job.spec.as_ref().and_then(|s| s.ttl_seconds_after_finished) else { return };
        let st = job.status.clone().unwrap_or_default();
        let finished = if done == "Complete" { st.completion_time.as_ref().map(ms_of) } else { None }
            .or_else(|| condition(&st, done).and_then(|c| c.last_transition_time.as_ref().map(ms_of)))
            .unwrap_or_else(|| api.clock.now_ms());
        let at = finished + ttl.max(0) as u64 * 1000;
        if at <= api.clock.now_ms() {
            let _ = api.delete(key, &DeleteOptions { grace_period: None, propagation: Propagation::Foreground });
            self.timers.forget(key);
        } else {
            self.timers.wake(api, Component::Job, key, at);
        }
    }
}

/// A pod for the Job from its template (with the completion index for Indexed Jobs).
fn new_pod(job: &Job, job_obj: &Object, index: Option<i32>) -> Pod {
    let name = meta::name(&job.metadata);
    let template = job.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default();
    let tmeta = template.metadata.clone().unwrap_or_default();
    let mut labels = tmeta.labels.clone().unwrap_or_default();
    let mut annotations = tmeta.annotations.clone().unwrap_or_default();
    let mut spec = template.spec.clone().unwrap_or_default();
    let generate_name = match index {
        Some(i) => {
            annotations.insert(COMPLETION_INDEX.into(), i.to_string());
            labels.insert(COMPLETION_INDEX.into(), i.to_string());
            spec.hostname = Some(format!("{name}-{i}"));
            for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
                let env = c.env.get_or_insert_with(Vec::new);
                if !env.iter().any(|e| e.name == "JOB_COMPLETION_INDEX") {
                    env.push(EnvVar {
                        name: "JOB_COMPLETION_INDEX".into(),
                        value: None,
                        value_from: Some(EnvVarSource {
                            field_ref: Some(ObjectFieldSelector { api_version: Some("v1".into()), field_path: format!("metadata.labels['{COMPLETION_INDEX}']") }),
                            ..Default::default()
                        }),
                    });
                }
            }
            format!("{name}-{i}-")
        }
        None => format!("{name}-"),
    };
    Pod {
        metadata: ObjectMeta {
            generate_name: Some(generate_name),
            namespace: job.metadata.namespace.clone(),
            labels: Some(labels).filter(|l| !l.is_empty()),
            annotations: Some(annotations).filter(|a| !a.is_empty()),
            owner_references: Some(vec![owner_ref(job_obj)]),
            ..Default::default()
        },
        spec: Some(spec),
        status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_delay(0), 0);
        assert_eq!(backoff_delay(1), 10_000);
        assert_eq!(backoff_delay(2), 20_000);
        assert_eq!(backoff_delay(3), 40_000);
        assert_eq!(backoff_delay(6), 320_000);
        assert_eq!(backoff_delay(7), 360_000);
        assert_eq!(backoff_delay(40), 360_000);
    }

    #[test]
    fn indexes_round_trip() {
        let s: VecSet<i32> = [0, 1, 2, 4, 6, 7].into_iter().collect();
        assert_eq!(format_indexes(&s), "0-2,4,6-7");
        assert_eq!(parse_indexes("0-2,4,6-7"), s);
        assert_eq!(format_indexes(&VecSet::new()), "");
        assert!(parse_indexes("x,3-").is_empty());
    }
}
