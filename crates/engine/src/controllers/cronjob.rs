//! The CronJob controller (v2), after Kubernetes' `pkg/controller/cronjob`: parses the schedule
//! as `robfig/cron`'s standard parser does (five fields with ranges, steps, lists and names,
//! `?`, and the `@yearly`/`@monthly`/`@weekly`/`@daily`/`@hourly`/`@every` descriptors), runs it
//! on the virtual clock in UTC, creates Jobs named `<cronjob>-<scheduled minutes since the Unix
//! epoch>`, applies concurrencyPolicy (Allow, Forbid, Replace), suspend and
//! startingDeadlineSeconds, tracks `status.active`, `lastScheduleTime` and
//! `lastSuccessfulTime`, and prunes finished Jobs beyond the history limits.
//!
//! `spec.timeZone` names an IANA zone (see [`super::tz`]); the schedule then runs in that zone's
//! wall-clock time as robfig/cron runs a `TZ=` schedule, DST included: a time skipped by a
//! spring-forward change does not run that day, and one repeated by a fall-back change runs
//! twice. Without `timeZone` the schedule runs in UTC (the controller manager's zone).

use super::job::is_finished;
use super::workload::{ms_of, time_at, Timers};
use super::{owner_ref, Cursor};
use crate::api::{meta, ApiError, Kind, Object, ObjectKey};
use crate::apiserver::{Api, DeleteOptions, Propagation};
use crate::clock::Component;
use super::tz::Zone;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use k8s_openapi::api::batch::v1::{CronJob, CronJobStatus, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Annotation on a Job with the time it was scheduled for.
pub const SCHEDULED_TIMESTAMP: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";
/// Annotation on a Job created by hand from a CronJob (`kubectl create job --from`).
pub const INSTANTIATE: &str = "cronjob.kubernetes.io/instantiate";
const COMPONENT: &str = "cronjob-controller";
/// More missed start times than this are reported and only the last is run.
const MAX_MISSED: usize = 100;

const STAR: u64 = 1 << 63;

/// A parsed cron schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// Five fields as bit sets (bit 63 marks a `*`/`?` field).
    Fields {
        /// minutes 0-59
        minute: u64,
        /// hours 0-23
        hour: u64,
        /// days of the month 1-31
        dom: u64,
        /// months 1-12
        month: u64,
        /// days of the week 0-6 (Sunday = 0)
        dow: u64,
    },
    /// `@every <duration>`: a fixed delay (whole seconds, at least one).
    Every(u64),
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn parse_value(s: &str, names: &[&str], offset: u32) -> Result<u32, String> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        return Ok(i as u32 + offset);
    }
    s.parse::<u32>().map_err(|_| format!("failed to parse int from {s}: strconv.Atoi: parsing \"{s}\": invalid syntax"))
}

/// Parses one field (`*/5`, `1-5`, `mon,wed`, `10-50/10`) into a bit set.
fn parse_field(field: &str, min: u32, max: u32, names: &[&str], offset: u32) -> Result<u64, String> {
    let mut bits = 0u64;
    for expr in field.split(',') {
        let (range, step) = match expr.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (expr, None),
        };
        let mut extra = 0u64;
        let (start, mut end) = if range == "*" || range == "?" {
            extra = STAR;
            (min, max)
        } else {
            match range.split_once('-') {
                Some((a, b)) => (parse_value(a, names, offset)?, parse_value(b, names, offset)?),
                None => {
                    let v = parse_value(range, names, offset)?;
                    (v, v)
                }
            }
        };
        let step = match step {
            None => 1,
            Some(s) => {
                let n = s.parse::<u32>().map_err(|_| format!("failed to parse int from {s}: strconv.Atoi: parsing \"{s}\": invalid syntax"))?;
                // "N/step" means "N-max/step".
                if !range.contains('-') && range != "*" && range != "?" {
                    end = max;
                }
                if n > 1 {
                    extra = 0;
                }
                n
            }
        };
        if start < min {
            return Err(format!("beginning of range ({start}) below minimum ({min}): {expr}"));
        }
        if end > max {
            return Err(format!("end of range ({end}) above maximum ({max}): {expr}"));
        }
        if start > end {
            return Err(format!("beginning of range ({start}) beyond end of range ({end}): {expr}"));
        }
        if step == 0 {
            return Err(format!("step of range should be a positive number: {expr}"));
        }
        let mut i = start;
        while i <= end {
            bits |= 1 << i;
            i += step;
        }
        bits |= extra;
    }
    Ok(bits)
}

/// Parses a Go duration (`1h30m`, `90s`, `5m`) into whole seconds.
fn parse_go_duration(s: &str) -> Option<u64> {
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    if s.is_empty() {
        return None;
    }
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if (c == 'm' || c == 'u' || c == 'µ' || c == 'n') && chars.peek() == Some(&'s') {
            unit.push('s');
            chars.next();
        }
        let v: f64 = num.parse().ok()?;
        num.clear();
        total += v * match unit.as_str() {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 0.000_001,
            "ns" => 0.000_000_001,
            _ => return None,
        };
    }
    if !num.is_empty() {
        return None;
    }
    Some(total as u64)
}

impl Schedule {
    /// Parses a schedule as `cron.ParseStandard` does; the error reads like robfig/cron's.
    pub fn parse(spec: &str) -> Result<Schedule, String> {
        let spec = spec.trim();
        if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
            return Err("cannot use TZ or CRON_TZ in schedule, use timeZone field instead".into());
        }
        if let Some(d) = spec.strip_prefix("@every ") {
            let secs = parse_go_duration(d.trim()).ok_or_else(|| format!("failed to parse duration {spec}: time: invalid duration \"{}\"", d.trim()))?;
            return Ok(Schedule::Every(secs.max(1)));
        }
        let expanded = match spec {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            s if s.starts_with('@') => return Err(format!("unrecognized descriptor: {s}")),
            s => s,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!("expected exactly 5 fields, found {}: [{}]", fields.len(), fields.join(" ")));
        }
        Ok(Schedule::Fields {
            minute: parse_field(fields[0], 0, 59, &[], 0)?,
            hour: parse_field(fields[1], 0, 23, &[], 0)?,
            dom: parse_field(fields[2], 1, 31, &[], 0)?,
            month: parse_field(fields[3], 1, 12, &MONTHS, 1)?,
            dow: parse_field(fields[4], 0, 6, &DAYS, 0)?,
        })
    }

    fn day_matches(dom: u64, dow: u64, t: &impl Datelike) -> bool {
        let dom_match = dom & (1 << t.day()) != 0;
        let dow_match = dow & (1 << t.weekday().num_days_from_sunday()) != 0;
        if dom & STAR != 0 || dow & STAR != 0 {
            dom_match && dow_match
        } else {
            dom_match || dow_match
        }
    }

    /// The first activation strictly after `t` (within five years), as robfig/cron's `Next`, in UTC.
    pub fn next(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.next_in(t, &Zone::utc())
    }

    /// The first activation strictly after `t` (within five years) of the schedule read in the
    /// wall-clock time of `zone`, as robfig/cron's `Next` with a location: months and days move
    /// in wall-clock time, hours and minutes advance in absolute time (so an hour skipped by DST
    /// is skipped, and one repeated is walked twice).
    pub fn next_in(&self, t: DateTime<Utc>, zone: &Zone) -> Option<DateTime<Utc>> {
        let (minute, hour, dom, month, dow) = match *self {
            Schedule::Every(secs) => {
                let base = Utc.timestamp_opt(t.timestamp(), 0).single()?;
                return Some(base + Duration::seconds(secs as i64));
            }
            Schedule::Fields { minute, hour, dom, month, dow } => (minute, hour, dom, month, dow),
        };
        let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|l| zone.from_local(l));
        // Start at the next whole minute.
        let mut t = Utc.timestamp_opt(t.timestamp() - t.timestamp().rem_euclid(60), 0).single()? + Duration::minutes(1);
        let limit = zone.to_local(t).year() + 5;
        'wrap: loop {
            let mut l = zone.to_local(t);
            if l.year() > limit {
                return None;
            }
            while month & (1 << l.month()) == 0 {
                let (y, m) = if l.month() == 12 { (l.year() + 1, 1) } else { (l.year(), l.month() + 1) };
                t = midnight(NaiveDate::from_ymd_opt(y, m, 1)?)?;
                l = zone.to_local(t);
                if l.month() == 1 {
                    continue 'wrap;
                }
            }
            while !Self::day_matches(dom, dow, &l) {
                let m = l.month();
                t = midnight(l.date().succ_opt()?)?;
                l = zone.to_local(t);
                if l.month() != m {
                    continue 'wrap;
                }
            }
            while hour & (1 << l.hour()) == 0 {
                let d = l.day();
                t = t - Duration::seconds(l.minute() as i64 * 60 + l.second() as i64) + Duration::hours(1);
                l = zone.to_local(t);
                if l.day() != d {
                    continue 'wrap;
                }
            }
            while minute & (1 << l.minute()) == 0 {
                let h = l.hour();
                t += Duration::minutes(1);
                l = zone.to_local(t);
                if l.hour() != h {
                    continue 'wrap;
                }
            }
            return Some(t);
        }
    }
}

/// The zone a CronJob's `spec.timeZone` names (UTC when unset), or the error
/// `time.LoadLocation` gives for it.
pub fn time_zone(name: Option<&str>) -> Result<Zone, String> {
    Zone::load(name.unwrap_or(""))
}

/// Scheduled times in `(earliest, now]`: the most recent one and how many there were (the count
/// stops counting past `MAX_MISSED + 1`).
pub fn most_recent(s: &Schedule, earliest: DateTime<Utc>, now: DateTime<Utc>) -> (Option<DateTime<Utc>>, usize) {
    most_recent_in(s, &Zone::utc(), earliest, now)
}

/// [`most_recent`] for a schedule read in the local time of `tz`.
pub fn most_recent_in(s: &Schedule, tz: &Zone, earliest: DateTime<Utc>, now: DateTime<Utc>) -> (Option<DateTime<Utc>>, usize) {
    let mut count = 0;
    let mut last = None;
    let mut t = earliest;
    while let Some(n) = s.next_in(t, tz) {
        if n > now {
            break;
        }
        count += 1;
        last = Some(n);
        t = n;
        if count > MAX_MISSED {
            // Too many to walk one by one: find the last one from a window just before now.
            let mut span = Duration::hours(1);
            for _ in 0..64 {
                let from = (now - span).max(t);
                let mut u = from;
                let mut found = None;
                let mut steps = 0;
                while let Some(n) = s.next_in(u, tz) {
                    if n > now || steps > 10_000 {
                        break;
                    }
                    found = Some(n);
                    u = n;
                    steps += 1;
                }
                if steps > 10_000 {
                    span = span / 4;
                    continue;
                }
                if found.is_some() || from == t {
                    return (found.or(last), count);
                }
                span = span * 8;
            }
            return (last, count);
        }
    }
    (last, count)
}

/// The CronJob controller's state.
#[derive(Debug, Default, Clone)]
pub struct CronJobController {
    cursor: Cursor,
    queue: BTreeSet<ObjectKey>,
    timers: Timers,
}

fn job_ref(j: &Job) -> ObjectReference {
    ObjectReference {
        api_version: Some("batch/v1".into()),
        kind: Some("Job".into()),
        name: j.metadata.name.clone(),
        namespace: j.metadata.namespace.clone(),
        uid: j.metadata.uid.clone(),
        resource_version: j.metadata.resource_version.clone(),
        field_path: None,
    }
}

/// The Job a CronJob would create: its jobTemplate, labels and annotations, owned by it.
fn job_from_template(cj: &CronJob, name: &str, annotations: &[(&str, String)]) -> Job {
    let spec = cj.spec.clone().unwrap_or_default();
    let tmeta = spec.job_template.metadata.clone().unwrap_or_default();
    let mut ann = tmeta.annotations.clone().unwrap_or_default();
    for (k, v) in annotations {
        ann.insert((*k).to_string(), v.clone());
    }
    Job {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: cj.metadata.namespace.clone(),
            labels: tmeta.labels.clone(),
            annotations: Some(ann).filter(|a| !a.is_empty()),
            owner_references: Some(vec![owner_ref(&Object::CronJob(cj.clone()))]),
            ..Default::default()
        },
        spec: spec.job_template.spec.clone(),
        status: None,
    }
}

/// Creates a Job from a CronJob's template by hand (`kubectl create job NAME --from=cronjob/X`),
/// annotated `cronjob.kubernetes.io/instantiate: manual` and owned by the CronJob.
pub fn job_from_cronjob(api: &mut Api, cronjob: &ObjectKey, job_name: &str) -> Result<Arc<Object>, ApiError> {
    let obj = api.get(cronjob)?;
    let Object::CronJob(cj) = &*obj else { return Err(ApiError::not_found(Kind::CronJob, &cronjob.name)) };
    let job = job_from_template(cj, job_name, &[(INSTANTIATE, "manual".to_string())]);
    api.create(Object::Job(job))
}

impl CronJobController {
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
                Object::CronJob(_) => out.push(e.key.clone()),
                Object::Job(j) => {
                    if let Some(k) = super::controller_key(&j.metadata, Kind::CronJob) {
                        out.push(k);
                    }
                }
                _ => {}
            },
            |api| api.store.list(Kind::CronJob).map(|o| ObjectKey::of(o)).collect(),
        );
        self.queue.extend(keys);
        self.queue.extend(woken);
        for key in std::mem::take(&mut self.queue) {
            self.reconcile(api, &key);
        }
        self.cursor.0 = api.store.next_seq();
    }

    fn reconcile(&mut self, api: &mut Api, key: &ObjectKey) {
        let Some(Object::CronJob(cj)) = api.store.get(key).map(|o| (**o).clone()) else {
            self.timers.forget(key);
            return;
        };
        if cj.metadata.deletion_timestamp.is_some() {
            return;
        }
        let Some(spec) = cj.spec.clone() else { return };
        let uid = meta::uid(&cj.metadata).to_string();
        let cj_obj = Object::CronJob(cj.clone());
        let now_ms = api.clock.now_ms();
        let now = api.clock.now();
        let mut st: CronJobStatus = cj.status.clone().unwrap_or_default();

        // Child Jobs and the active list.
        let mut children: Vec<Job> = api
            .store
            .dependents(&uid)
            .filter(|k| k.kind == Kind::Job)
            .filter_map(|k| match api.store.get(k).map(|o| &**o) {
                Some(Object::Job(j)) if meta::controller_of(&j.metadata).is_some_and(|o| o.uid == uid) => Some(j.clone()),
                _ => None,
            })
            .collect();
        crate::sort::sort_by_key(&mut children, |j| (j.metadata.creation_timestamp.as_ref().map(|t| t.0), meta::name(&j.metadata).to_string()));
        let mut active: Vec<ObjectReference> = st.active.clone().unwrap_or_default();
        for j in &children {
            let in_active = active.iter().any(|r| r.uid == j.metadata.uid);
            match is_finished(j) {
                Some(done) => {
                    if in_active {
                        api.record(&cj_obj, "Normal", "SawCompletedJob", &format!("Saw completed job: {}, condition: {done}", meta::name(&j.metadata)), COMPONENT, None);
                        active.retain(|r| r.uid != j.metadata.uid);
                    }
                    if done == "Complete" {
                        if let Some(ct) = j.status.as_ref().and_then(|s| s.completion_time.clone()) {
                            if st.last_successful_time.as_ref().is_none_or(|t| t.0 < ct.0) {
                                st.last_successful_time = Some(ct);
                            }
                        }
                    }
                }
                None => {
                    if !in_active && j.metadata.deletion_timestamp.is_none() {
                        active.push(job_ref(j));
                    }
                }
            }
        }
        // Active references to Jobs that no longer exist are dropped.
        active.retain(|r| children.iter().any(|j| j.metadata.uid == r.uid && j.metadata.deletion_timestamp.is_none()));
        crate::sort::sort_by(&mut active, |a, b| a.name.cmp(&b.name));
        st.active = Some(active).filter(|a| !a.is_empty());

        // History limits.
        for (done, limit) in [("Complete", spec.successful_jobs_history_limit.unwrap_or(3)), ("Failed", spec.failed_jobs_history_limit.unwrap_or(1))] {
            let mut finished: Vec<&Job> = children.iter().filter(|j| is_finished(j) == Some(done) && j.metadata.deletion_timestamp.is_none()).collect();
            crate::sort::sort_by_key(&mut finished, |j| (j.status.as_ref().and_then(|s| s.start_time.as_ref()).map(|t| t.0), meta::name(&j.metadata).to_string()));
            let extra = finished.len().saturating_sub(limit.max(0) as usize);
            for j in finished.into_iter().take(extra) {
                let jk = ObjectKey::new(Kind::Job, meta::namespace(&j.metadata), meta::name(&j.metadata));
                if api.delete(&jk, &DeleteOptions { grace_period: None, propagation: Propagation::Background }).is_ok() {
                    api.record(&cj_obj, "Normal", "SuccessfulDelete", &format!("Deleted job {}", jk.name), COMPONENT, None);
                }
            }
        }

        let schedule = match Schedule::parse(&spec.schedule) {
            Ok(s) => s,
            Err(e) => {
                api.record(&cj_obj, "Warning", "UnparseableSchedule", &format!("unparseable schedule: \"{}\" : {e}", spec.schedule), COMPONENT, None);
                self.write_status(api, key, st);
                return;
            }
        };
        let tz = match time_zone(spec.time_zone.as_deref()) {
            Ok(z) => z,
            Err(_) => {
                let tzs = spec.time_zone.clone().unwrap_or_default();
                api.record(&cj_obj, "Warning", "UnknownTimeZone", &format!("invalid timeZone: \"{tzs}\": unknown time zone {tzs}"), COMPONENT, None);
                self.write_status(api, key, st);
                return;
            }
        };
        if spec.suspend == Some(true) {
            self.write_status(api, key, st);
            return;
        }

        // The most recent missed start time.
        let created = cj.metadata.creation_timestamp.as_ref().map(|t| t.0).unwrap_or(now);
        let mut earliest = st.last_schedule_time.as_ref().map(|t| t.0).unwrap_or(created);
        if let Some(sds) = spec.starting_deadline_seconds {
            let floor = now - Duration::seconds(sds.max(0));
            if floor > earliest {
                earliest = floor;
            }
        }
        let (scheduled, missed) = most_recent_in(&schedule, &tz, earliest, now);
        if missed > MAX_MISSED {
            api.record(&cj_obj, "Warning", "TooManyMissedTimes", &format!("too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew"), COMPONENT, None);
        }
        if let Some(t) = scheduled {
            let t_ms = (t - crate::clock::epoch()).num_milliseconds().max(0) as u64;
            let too_late = spec.starting_deadline_seconds.is_some_and(|sds| t_ms + sds.max(0) as u64 * 1000 < now_ms);
            let policy = spec.concurrency_policy.clone().unwrap_or_else(|| "Allow".into());
            let has_active = st.active.as_ref().is_some_and(|a| !a.is_empty());
            if too_late {
                api.record(&cj_obj, "Warning", "MissSchedule", &format!("Missed scheduled time to start a job: {}", crate::util::format_time(&t, "%a, %d %b %Y %H:%M:%S %z")), COMPONENT, None);
            } else if policy == "Forbid" && has_active {
                api.record(&cj_obj, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", COMPONENT, None);
            } else {
                if policy == "Replace" {
                    for r in st.active.take().unwrap_or_default() {
                        let name = r.name.unwrap_or_default();
                        let jk = ObjectKey::new(Kind::Job, meta::namespace(&cj.metadata), &name);
                        if api.delete(&jk, &DeleteOptions { grace_period: None, propagation: Propagation::Background }).is_ok() {
                            api.record(&cj_obj, "Normal", "SuccessfulDelete", &format!("Deleted job {name}"), COMPONENT, None);
                        }
                    }
                }
                let name = format!("{}-{}", meta::name(&cj.metadata), t.timestamp() / 60);
                let job = job_from_template(&cj, &name, &[(SCHEDULED_TIMESTAMP, t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))]);
                match api.create(Object::Job(job)) {
                    Ok(created) => {
                        api.record(&cj_obj, "Normal", "SuccessfulCreate", &format!("Created job {name}"), COMPONENT, None);
                        if let Object::Job(j) = &*created {
                            st.active.get_or_insert_with(Vec::new).push(job_ref(j));
                        }
                        st.last_schedule_time = Some(time_at(t_ms));
                    }
                    Err(ApiError::AlreadyExists { .. }) => {
                        st.last_schedule_time = Some(time_at(t_ms));
                    }
                    Err(e) => {
                        api.record(&cj_obj, "Warning", "FailedCreate", &format!("Error creating job: {e}"), COMPONENT, None);
                    }
                }
            }
        }
        if let Some(next) = schedule.next_in(now, &tz) {
            let at = (next - crate::clock::epoch()).num_milliseconds().max(0) as u64;
            self.timers.wake(api, Component::CronJob, key, at);
        }
        self.write_status(api, key, st);
    }

    fn write_status(&mut self, api: &mut Api, key: &ObjectKey, st: CronJobStatus) {
        if let Some(Object::CronJob(mut cj)) = api.store.get(key).map(|o| (**o).clone()) {
            let st = Some(st).filter(|s| *s != CronJobStatus::default()).or_else(|| cj.status.clone().map(|_| CronJobStatus::default()));
            if cj.status != st {
                cj.status = st;
                api.store.put(Object::CronJob(cj));
            }
        }
    }
}

/// Milliseconds since the clock's epoch of the next activation after `after_ms`, if any.
pub fn next_run_ms(schedule: &str, after_ms: u64) -> Option<u64> {
    next_run_ms_in(schedule, None, after_ms)
}

/// [`next_run_ms`] for a schedule in the time zone `time_zone` (UTC when `None`).
pub fn next_run_ms_in(schedule: &str, zone: Option<&str>, after_ms: u64) -> Option<u64> {
    let s = Schedule::parse(schedule).ok()?;
    let tz = time_zone(zone).ok()?;
    let t = crate::clock::epoch() + Duration::milliseconds(after_ms as i64);
    s.next_in(t, &tz).map(|n| (n - crate::clock::epoch()).num_milliseconds().max(0) as u64)
}

/// The virtual instant (ms) of a CronJob's last schedule time, if any.
pub fn last_schedule_ms(cj: &CronJob) -> Option<u64> {
    cj.status.as_ref()?.last_schedule_time.as_ref().map(ms_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap_or_default()
    }

    fn next(spec: &str, from: &str) -> String {
        Schedule::parse(spec).ok().and_then(|s| s.next(at(from))).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_else(|| "none".into())
    }

    #[test]
    fn next_activation_table() {
        let cases = [
            ("* * * * *", "2025-01-01T00:00:00Z", "2025-01-01T00:01:00Z"),
            ("* * * * *", "2025-01-01T00:00:30Z", "2025-01-01T00:01:00Z"),
            ("*/5 * * * *", "2025-01-01T00:03:00Z", "2025-01-01T00:05:00Z"),
            ("*/5 * * * *", "2025-01-01T00:05:00Z", "2025-01-01T00:10:00Z"),
            ("0 * * * *", "2025-01-01T00:00:00Z", "2025-01-01T01:00:00Z"),
            ("30 2 * * *", "2025-01-01T03:00:00Z", "2025-01-02T02:30:00Z"),
            ("0 0 1 * *", "2025-01-15T00:00:00Z", "2025-02-01T00:00:00Z"),
            ("0 0 * * 1", "2025-01-01T00:00:00Z", "2025-01-06T00:00:00Z"),
            ("0 0 * * mon-fri", "2025-01-04T00:00:00Z", "2025-01-06T00:00:00Z"),
            ("0 9 * jan,jun *", "2025-01-31T10:00:00Z", "2025-06-01T09:00:00Z"),
            ("0 0 29 2 *", "2025-01-01T00:00:00Z", "2028-02-29T00:00:00Z"),
            ("15,45 10-12 * * *", "2025-01-01T10:50:00Z", "2025-01-01T11:15:00Z"),
            ("5/20 * * * *", "2025-01-01T00:06:00Z", "2025-01-01T00:25:00Z"),
            ("0 0 13 * 5", "2025-01-01T00:00:00Z", "2025-01-03T00:00:00Z"),
            ("0 0 ? * SUN", "2025-01-01T00:00:00Z", "2025-01-05T00:00:00Z"),
            ("@hourly", "2025-01-01T00:30:00Z", "2025-01-01T01:00:00Z"),
            ("@daily", "2025-01-01T00:30:00Z", "2025-01-02T00:00:00Z"),
            ("@weekly", "2025-01-01T00:30:00Z", "2025-01-05T00:00:00Z"),
            ("@monthly", "2025-01-01T00:30:00Z", "2025-02-01T00:00:00Z"),
            ("@yearly", "2025-01-01T00:30:00Z", "2026-01-01T00:00:00Z"),
            ("@every 90s", "2025-01-01T00:00:00Z", "2025-01-01T00:01:30Z"),
            ("@every 1h30m", "2025-01-01T00:00:00Z", "2025-01-01T01:30:00Z"),
            ("0 0 31 2 *", "2025-01-01T00:00:00Z", "none"),
        ];
        for (spec, from, want) in cases {
            assert_eq!(next(spec, from), want, "{spec} after {from}");
        }
    }

    #[test]
    fn parse_errors() {
        let cases = [
            ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
            ("60 * * * *", "end of range (60) above maximum (59): 60"),
            ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
            ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
            ("x * * * *", "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"),
            ("@often", "unrecognized descriptor: @often"),
            ("TZ=UTC * * * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
        ];
        for (spec, want) in cases {
            assert_eq!(Schedule::parse(spec).err().as_deref(), Some(want), "{spec}");
        }
    }

    #[test]
    fn most_recent_counts_missed_times() {
        let s = Schedule::parse("*/10 * * * *").unwrap_or(Schedule::Every(1));
        let (last, n) = most_recent(&s, at("2025-01-01T00:00:00Z"), at("2025-01-01T00:35:00Z"));
        assert_eq!(n, 3);
        assert_eq!(last, Some(at("2025-01-01T00:30:00Z")));
        let every_minute = Schedule::parse("* * * * *").unwrap_or(Schedule::Every(1));
        let (last, n) = most_recent(&every_minute, at("2025-01-01T00:00:00Z"), at("2025-01-03T00:00:30Z"));
        assert!(n > MAX_MISSED);
        assert_eq!(last, Some(at("2025-01-03T00:00:00Z")));
    }
}
