//! Validation as the API server does it for the fields we support, with Kubernetes' messages.

use crate::vecmap::VecSet;
use super::{FieldError, Object};
use k8s_openapi::api::core::v1::{Container, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/// Whether `s` is a DNS-1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters).
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Whether `s` is a DNS-1123 subdomain (dot-separated labels, at most 253 characters).
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// Whether `s` is a DNS-1035 label (starts with a letter).
pub fn is_dns1035_label(s: &str) -> bool {
    is_dns1123_label(s) && s.as_bytes()[0].is_ascii_lowercase()
}

fn required(field: &str) -> FieldError {
    FieldError { field: field.to_string(), message: format!("{field}: Required value") }
}

fn invalid(field: &str, value: &str, why: &str) -> FieldError {
    FieldError { field: field.to_string(), message: format!("{field}: Invalid value: {value}: {why}") }
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

/// Checks an object about to be stored; an empty list means valid.
pub fn validate(obj: &Object) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let m = obj.metadata();
    let name = m.name.as_deref().unwrap_or("");
    if name.is_empty() {
        errs.push(FieldError {
            field: "metadata.name".into(),
            message: "metadata.name: Required value: name or generateName is required".into(),
        });
    } else {
        let (ok, msg) = match obj.kind() {
            super::Kind::Namespace => (is_dns1123_label(name), DNS1123_LABEL_MSG),
            super::Kind::Service => (is_dns1035_label(name), DNS1035_LABEL_MSG),
            _ => (is_dns1123_subdomain(name), DNS1123_SUBDOMAIN_MSG),
        };
        if !ok {
            errs.push(invalid("metadata.name", &quoted(name), msg));
        }
    }
    for (k, v) in m.labels.iter().flatten() {
        if let Some(e) = label_problem(k, v) {
            errs.push(e);
        }
    }
    match obj {
        Object::Pod(p) => match &p.spec {
            Some(spec) => pod_spec(spec, "spec", &mut errs),
            None => errs.push(required("spec.containers")),
        },
        Object::Deployment(d) => {
            let Some(spec) = &d.spec else {
                errs.push(required("spec.selector"));
                return errs;
            };
            replicas(spec.replicas, &mut errs);
            selector_and_template(
                Some(&spec.selector),
                spec.template.metadata.as_ref().and_then(|m| m.labels.as_ref()),
                &mut errs,
            );
            match &spec.template.spec {
                Some(ps) => {
                    pod_spec(ps, "spec.template.spec", &mut errs);
                    restart_always(ps, &mut errs);
                }
                None => errs.push(required("spec.template.spec.containers")),
            }
            if let Some(s) = &spec.strategy {
                if let Some(t) = &s.type_ {
                    if t != "RollingUpdate" && t != "Recreate" {
                        errs.push(FieldError {
                            field: "spec.strategy.type".into(),
                            message: format!("spec.strategy.type: Unsupported value: \"{t}\": supported values: \"Recreate\", \"RollingUpdate\""),
                        });
                    }
                    if t == "Recreate" && s.rolling_update.is_some() {
                        errs.push(FieldError {
                            field: "spec.strategy.rollingUpdate".into(),
                            message: "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'".into(),
                        });
                    }
                }
                if let Some(ru) = &s.rolling_update {
                    let zero = |v: &Option<k8s_openapi::apimachinery::pkg::util::intstr::IntOrString>| {
                        use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
                        match v {
                            Some(IntOrString::Int(0)) => true,
                            Some(IntOrString::String(s)) => s == "0%" || s == "0",
                            _ => false,
                        }
                    };
                    if zero(&ru.max_surge) && zero(&ru.max_unavailable) {
                        errs.push(FieldError {
                            field: "spec.strategy.rollingUpdate.maxUnavailable".into(),
                            message: "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0".into(),
                        });
                    }
                }
            }
        }
        Object::ReplicaSet(rs) => {
            let Some(spec) = &rs.spec else {
                errs.push(required("spec.selector"));
                return errs;
            };
            replicas(spec.replicas, &mut errs);
            let t = spec.template.as_ref();
            selector_and_template(
                Some(&spec.selector),
                t.and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.as_ref()),
                &mut errs,
            );
            match t.and_then(|t| t.spec.as_ref()) {
                Some(ps) => pod_spec(ps, "spec.template.spec", &mut errs),
                None => errs.push(required("spec.template.spec.containers")),
            }
        }
        Object::DaemonSet(ds) => {
            let Some(spec) = &ds.spec else {
                errs.push(required("spec.selector"));
                return errs;
            };
            selector_and_template(Some(&spec.selector), spec.template.metadata.as_ref().and_then(|m| m.labels.as_ref()), &mut errs);
            match &spec.template.spec {
                Some(ps) => {
                    pod_spec(ps, "spec.template.spec", &mut errs);
                    restart_always(ps, &mut errs);
                }
                None => errs.push(required("spec.template.spec.containers")),
            }
        }
        Object::StatefulSet(ss) => {
            let Some(spec) = &ss.spec else {
                errs.push(required("spec.selector"));
                return errs;
            };
            replicas(spec.replicas, &mut errs);
            selector_and_template(Some(&spec.selector), spec.template.metadata.as_ref().and_then(|m| m.labels.as_ref()), &mut errs);
            match &spec.template.spec {
                Some(ps) => {
                    pod_spec(ps, "spec.template.spec", &mut errs);
                    restart_always(ps, &mut errs);
                }
                None => errs.push(required("spec.template.spec.containers")),
            }
            if let Some(p) = &spec.pod_management_policy {
                if p != "OrderedReady" && p != "Parallel" {
                    errs.push(FieldError {
                        field: "spec.podManagementPolicy".into(),
                        message: format!("spec.podManagementPolicy: Unsupported value: \"{p}\": supported values: \"OrderedReady\", \"Parallel\""),
                    });
                }
            }
        }
        Object::Job(j) => {
            let Some(spec) = &j.spec else {
                errs.push(required("spec.template"));
                return errs;
            };
            job_spec(spec, "spec", &mut errs);
        }
        Object::CronJob(cj) => {
            let Some(spec) = &cj.spec else {
                errs.push(required("spec.schedule"));
                return errs;
            };
            if spec.schedule.trim().is_empty() {
                errs.push(required("spec.schedule"));
            } else if let Err(e) = crate::controllers::cronjob::Schedule::parse(&spec.schedule) {
                errs.push(invalid("spec.schedule", &quoted(&spec.schedule), &e));
            }
            if let Some(p) = &spec.concurrency_policy {
                if !["Allow", "Forbid", "Replace"].contains(&p.as_str()) {
                    errs.push(FieldError {
                        field: "spec.concurrencyPolicy".into(),
                        message: format!("spec.concurrencyPolicy: Unsupported value: \"{p}\": supported values: \"Allow\", \"Forbid\", \"Replace\""),
                    });
                }
            }
            for (f, v) in [("spec.successfulJobsHistoryLimit", spec.successful_jobs_history_limit), ("spec.failedJobsHistoryLimit", spec.failed_jobs_history_limit)] {
                if let Some(v) = v.filter(|v| *v < 0) {
                    errs.push(invalid(f, &v.to_string(), "must be greater than or equal to 0"));
                }
            }
            if let Some(tz) = &spec.time_zone {
                // `validateTimeZone`: non-empty, an IANA name `time.LoadLocation` knows, not Local.
                let valid_chars = |p: &str| !p.is_empty() && p.len() <= 14 && p.chars().all(|c| c.is_ascii_alphanumeric() || "-_+.".contains(c));
                if tz.is_empty() {
                    errs.push(invalid("spec.timeZone", &quoted(tz), "timeZone must be nil or non-empty string"));
                } else if tz.split('/').any(|p| p == "." || p == ".." || p.starts_with('-') || !valid_chars(p)) {
                    errs.push(invalid("spec.timeZone", &quoted(tz), &format!("unknown time zone {tz}")));
                } else {
                    if tz.eq_ignore_ascii_case("Local") {
                        errs.push(invalid("spec.timeZone", &quoted(tz), "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
                    }
                    if tz != "Local" {
                        if let Err(e) = crate::controllers::cronjob::time_zone(Some(tz)) {
                            errs.push(invalid("spec.timeZone", &quoted(tz), &e));
                        }
                    }
                }
            }
            match &spec.job_template.spec {
                Some(js) => job_spec(js, "spec.jobTemplate.spec", &mut errs),
                None => errs.push(required("spec.jobTemplate.spec.template")),
            }
        }
        Object::ControllerRevision(cr) => {
            // `ValidateControllerRevision`: a non-negative revision.
            if cr.revision < 0 {
                errs.push(invalid("revision", &cr.revision.to_string(), "must be greater than or equal to 0"));
            }
        }
        Object::Service(s) => {
            if let Some(spec) = &s.spec {
                let ty = spec.type_.as_deref().unwrap_or("ClusterIP");
                if !["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(&ty) {
                    errs.push(FieldError {
                        field: "spec.type".into(),
                        message: format!("spec.type: Unsupported value: \"{ty}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""),
                    });
                }
                if ty != "ExternalName" && spec.ports.as_ref().is_none_or(|p| p.is_empty()) && spec.cluster_ip.as_deref() != Some("None") {
                    errs.push(required("spec.ports"));
                }
                for (i, p) in spec.ports.iter().flatten().enumerate() {
                    if p.port < 1 || p.port > 65535 {
                        errs.push(invalid(&format!("spec.ports[{i}].port"), &p.port.to_string(), "must be between 1 and 65535, inclusive"));
                    }
                    if let Some(np) = p.node_port {
                        if !(30000..=32767).contains(&np) {
                            errs.push(invalid(&format!("spec.ports[{i}].nodePort"), &np.to_string(), "provided port is not in the valid range. The range of valid ports is 30000-32767"));
                        }
                    }
                }
                if spec.ports.as_ref().is_some_and(|p| p.len() > 1) {
                    for (i, p) in spec.ports.iter().flatten().enumerate() {
                        if p.name.as_deref().unwrap_or("").is_empty() {
                            errs.push(required(&format!("spec.ports[{i}].name")));
                        }
                    }
                }
            }
        }
        Object::PersistentVolumeClaim(pvc) => {
            if let Some(spec) = &pvc.spec {
                if spec.access_modes.as_ref().is_none_or(|m| m.is_empty()) {
                    errs.push(FieldError {
                        field: "spec.accessModes".into(),
                        message: "spec.accessModes: Required value: at least 1 access mode is required".into(),
                    });
                }
                let has_storage = spec.resources.as_ref().and_then(|r| r.requests.as_ref()).is_some_and(|r| r.contains_key("storage"));
                if !has_storage {
                    errs.push(required("spec.resources[storage]"));
                }
            } else {
                errs.push(required("spec"));
            }
        }
        Object::PersistentVolume(pv) => {
            if let Some(spec) = &pv.spec {
                if spec.access_modes.as_ref().is_none_or(|m| m.is_empty()) {
                    errs.push(FieldError {
                        field: "spec.accessModes".into(),
                        message: "spec.accessModes: Required value: must specify at least 1 access mode".into(),
                    });
                }
                if !spec.capacity.as_ref().is_some_and(|c| c.contains_key("storage")) {
                    errs.push(FieldError { field: "spec.capacity".into(), message: "spec.capacity: Required value".into() });
                }
            } else {
                errs.push(required("spec"));
            }
        }
        _ => {}
    }
    errs
}

/// Job spec checks (`ValidateJobSpec`): counts not negative, Indexed needs completions, the
/// template's restartPolicy is OnFailure or Never.
fn job_spec(spec: &k8s_openapi::api::batch::v1::JobSpec, path: &str, errs: &mut Vec<FieldError>) {
    for (f, v) in [("parallelism", spec.parallelism), ("completions", spec.completions), ("backoffLimit", spec.backoff_limit)] {
        if let Some(v) = v.filter(|v| *v < 0) {
            errs.push(invalid(&format!("{path}.{f}"), &v.to_string(), "must be greater than or equal to 0"));
        }
    }
    if let Some(v) = spec.active_deadline_seconds.filter(|v| *v <= 0) {
        errs.push(invalid(&format!("{path}.activeDeadlineSeconds"), &v.to_string(), "must be greater than 0"));
    }
    if let Some(v) = spec.ttl_seconds_after_finished.filter(|v| *v < 0) {
        errs.push(invalid(&format!("{path}.ttlSecondsAfterFinished"), &v.to_string(), "must be greater than or equal to 0"));
    }
    match spec.completion_mode.as_deref() {
        Some("Indexed") if spec.completions.is_none() => {
            errs.push(FieldError { field: format!("{path}.completions"), message: format!("{path}.completions: Required value: when completion mode is Indexed") });
        }
        Some(m) if m != "Indexed" && m != "NonIndexed" => errs.push(FieldError {
            field: format!("{path}.completionMode"),
            message: format!("{path}.completionMode: Unsupported value: \"{m}\": supported values: \"NonIndexed\", \"Indexed\""),
        }),
        _ => {}
    }
    if spec.manual_selector == Some(true) {
        selector_and_template(spec.selector.as_ref(), spec.template.metadata.as_ref().and_then(|m| m.labels.as_ref()), errs);
    }
    match &spec.template.spec {
        Some(ps) => {
            pod_spec(ps, &format!("{path}.template.spec"), errs);
            let rp = ps.restart_policy.as_deref().unwrap_or("Always");
            if rp != "OnFailure" && rp != "Never" {
                errs.push(FieldError {
                    field: format!("{path}.template.spec.restartPolicy"),
                    message: format!("{path}.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""),
                });
            }
        }
        None => errs.push(required(&format!("{path}.template.spec.containers"))),
    }
}

fn replicas(r: Option<i32>, errs: &mut Vec<FieldError>) {
    if let Some(r) = r {
        if r < 0 {
            errs.push(invalid("spec.replicas", &r.to_string(), "must be greater than or equal to 0"));
        }
    }
}

fn restart_always(ps: &PodSpec, errs: &mut Vec<FieldError>) {
    if let Some(rp) = &ps.restart_policy {
        if rp != "Always" {
            errs.push(FieldError {
                field: "spec.template.spec.restartPolicy".into(),
                message: format!("spec.template.spec.restartPolicy: Unsupported value: \"{rp}\": supported values: \"Always\""),
            });
        }
    }
}

fn selector_and_template(sel: Option<&LabelSelector>, labels: Option<&BTreeMap<String, String>>, errs: &mut Vec<FieldError>) {
    let empty = BTreeMap::new();
    let labels = labels.unwrap_or(&empty);
    let sel_empty = sel.is_none_or(|s| {
        s.match_labels.as_ref().is_none_or(|m| m.is_empty()) && s.match_expressions.as_ref().is_none_or(|m| m.is_empty())
    });
    if sel_empty {
        errs.push(required("spec.selector"));
        errs.push(FieldError {
            field: "spec.selector".into(),
            message: "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment".into(),
        });
        return;
    }
    let matches = sel.is_some_and(|s| crate::selector::label_selector_matches(s, labels));
    if !matches {
        let shown: Vec<String> = labels.iter().map(|(k, v)| format!("\"{k}\":\"{v}\"")).collect();
        errs.push(FieldError {
            field: "spec.template.metadata.labels".into(),
            message: format!(
                "spec.template.metadata.labels: Invalid value: map[string]string{{{}}}: `selector` does not match template `labels`",
                shown.join(", ")
            ),
        });
    }
}

fn label_problem(k: &str, v: &str) -> Option<FieldError> {
    let name = k.rsplit('/').next().unwrap_or(k);
    let ok_part = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
    };
    if !ok_part(name) {
        return Some(invalid("metadata.labels", &quoted(k), "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
    }
    if !v.is_empty() && !ok_part(v) {
        return Some(invalid("metadata.labels", &quoted(v), "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
    }
    None
}

fn pod_spec(spec: &PodSpec, path: &str, errs: &mut Vec<FieldError>) {
    if spec.containers.is_empty() {
        errs.push(required(&format!("{path}.containers")));
    }
    let mut names = VecSet::new();
    for (i, c) in spec.containers.iter().enumerate() {
        container(c, &format!("{path}.containers[{i}]"), &mut names, errs);
    }
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        container(c, &format!("{path}.initContainers[{i}]"), &mut names, errs);
    }
    if let Some(rp) = &spec.restart_policy {
        if !["Always", "OnFailure", "Never"].contains(&rp.as_str()) {
            errs.push(FieldError {
                field: format!("{path}.restartPolicy"),
                message: format!("{path}.restartPolicy: Unsupported value: \"{rp}\": supported values: \"Always\", \"OnFailure\", \"Never\""),
            });
        }
    }
}

fn container(c: &Container, path: &str, names: &mut VecSet<String>, errs: &mut Vec<FieldError>) {
    if c.name.is_empty() {
        errs.push(required(&format!("{path}.name")));
    } else if !is_dns1123_label(&c.name) {
        errs.push(invalid(&format!("{path}.name"), &quoted(&c.name), DNS1123_LABEL_MSG));
    } else if !names.insert(c.name.clone()) {
        errs.push(FieldError { field: format!("{path}.name"), message: format!("{path}.name: Duplicate value: \"{}\"", c.name) });
    }
    if c.image.as_deref().unwrap_or("").trim().is_empty() {
        errs.push(required(&format!("{path}.image")));
    }
    if let Some(r) = &c.resources {
        for (which, map) in [("requests", &r.requests), ("limits", &r.limits)] {
            for (k, q) in map.iter().flatten() {
                if !super::quantity::is_valid(&q.0) {
                    errs.push(invalid(&format!("{path}.resources.{which}[{k}]"), &quoted(&q.0), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
                } else if super::quantity::parse_milli(&q.0).is_some_and(|v| v < 0) {
                    errs.push(invalid(&format!("{path}.resources.{which}[{k}]"), &quoted(&q.0), "must be greater than or equal to 0"));
                }
            }
        }
        if let (Some(req), Some(lim)) = (&r.requests, &r.limits) {
            for (k, rq) in req {
                if let Some(l) = lim.get(k) {
                    let (a, b) = (super::quantity::parse_milli(&rq.0), super::quantity::parse_milli(&l.0));
                    if let (Some(a), Some(b)) = (a, b) {
                        if a > b {
                            errs.push(invalid(&format!("{path}.resources.requests"), &quoted(&rq.0), &format!("must be less than or equal to {k} limit of {}", l.0)));
                        }
                    }
                }
            }
        }
    }
    for (i, p) in c.ports.iter().flatten().enumerate() {
        if p.container_port < 1 || p.container_port > 65535 {
            errs.push(invalid(&format!("{path}.ports[{i}].containerPort"), &p.container_port.to_string(), "must be between 1 and 65535, inclusive"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names() {
        assert!(is_dns1123_subdomain("hello-node"));
        assert!(is_dns1123_subdomain("a.b"));
        assert!(!is_dns1123_subdomain("Hello"));
        assert!(!is_dns1123_subdomain("-a"));
        assert!(!is_dns1123_label("a.b"));
        assert!(!is_dns1035_label("1abc"));
    }

    #[test]
    fn pod_without_image_is_invalid() {
        let o = crate::api::parse_manifests("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: c\n").unwrap();
        let errs = validate(&o[0].object);
        assert_eq!(errs[0].message, "spec.containers[0].image: Required value");
    }

    #[test]
    fn negative_requests_are_invalid() {
        let o = crate::api::parse_manifests("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: c\n    image: nginx\n    resources:\n      requests:\n        cpu: \"-1\"\n").unwrap();
        let errs = validate(&o[0].object);
        assert_eq!(errs[0].message, "spec.containers[0].resources.requests[cpu]: Invalid value: \"-1\": must be greater than or equal to 0");
    }

    #[test]
    fn bad_name_message() {
        let o = crate::api::parse_manifests("apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers:\n  - name: c\n    image: nginx\n").unwrap();
        let errs = validate(&o[0].object);
        assert!(errs[0].message.starts_with("metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"), "{}", errs[0].message);
    }
}
