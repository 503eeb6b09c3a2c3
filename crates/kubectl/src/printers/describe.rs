//! `kubectl describe`, following `k8s.io/kubectl/pkg/describe/describe.go`: the same lines, the
//! same prefix-writer indentation and the same tabwriter (minwidth 0, padding 2) with its
//! flush before the Events table.

use pilothouse_engine::vecmap::VecMap;
use super::duration::{human_duration, rfc1123z, since};
use super::table::{format_endpoint_slices, is_default_class, node_roles_string, pv_class, pvc_class};
use super::util::*;
use super::ObjectSource;
use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, Event, Pod, PodTemplateSpec, Probe, ResourceRequirements, Toleration, Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use pilothouse_engine::api::{Kind, Object};
use std::collections::BTreeMap;

/// Go's prefix writer over a tabwriter: text accumulates until a flush aligns it.
struct W {
    done: String,
    buf: String,
}

impl W {
    fn new() -> W {
        W { done: String::new(), buf: String::new() }
    }
    fn w(&mut self, level: usize, s: &str) {
        for _ in 0..level {
            self.buf.push_str("  ");
        }
        self.buf.push_str(s);
    }
    fn line(&mut self, s: &str) {
        self.buf.push_str(s);
        self.buf.push('\n');
    }
    fn flush(&mut self) {
        self.done.push_str(&super::tabwriter::describe(&self.buf));
        self.buf.clear();
    }
    fn finish(mut self) -> String {
        self.flush();
        self.done
    }
}

fn s(o: &Option<String>) -> &str {
    o.as_deref().unwrap_or("")
}

fn go_slice(v: &[String]) -> String {
    format!("[{}]", v.join(" "))
}

fn print_labels(w: &mut W, title: &str, labels: Option<&BTreeMap<String, String>>) {
    print_labels_indent(w, "", title, "\t", labels);
}

fn print_labels_indent(w: &mut W, initial: &str, title: &str, inner: &str, labels: Option<&BTreeMap<String, String>>) {
    w.w(0, &format!("{initial}{title}:{inner}"));
    let Some(labels) = labels.filter(|l| !l.is_empty()) else {
        w.line("<none>");
        return;
    };
    for (i, (k, v)) in labels.iter().enumerate() {
        if i != 0 {
            w.w(0, initial);
            w.w(0, inner);
        }
        w.w(0, &format!("{k}={v}\n"));
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &s[..end])
    } else {
        s.to_string()
    }
}

fn print_annotations(w: &mut W, title: &str, ann: Option<&BTreeMap<String, String>>) {
    w.w(0, &format!("{title}:\t"));
    let keys: Vec<(&String, &String)> = ann
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "kubectl.kubernetes.io/last-applied-configuration")
        .collect();
    if keys.is_empty() {
        w.line("<none>");
        return;
    }
    let indent = "\t";
    for (i, (k, v)) in keys.iter().enumerate() {
        if i != 0 {
            w.w(0, indent);
        }
        let value = v.strip_suffix('\n').unwrap_or(v);
        if value.len() + k.len() + 2 > 140 || value.contains('\n') {
            w.w(0, &format!("{k}:\n"));
            for line in value.split('\n') {
                w.w(0, &format!("{indent}  {}\n", shorten(line, 138)));
            }
        } else {
            w.w(0, &format!("{k}: {value}\n"));
        }
    }
}

fn print_tolerations(w: &mut W, initial: &str, title: &str, tols: Option<&Vec<Toleration>>) {
    w.w(0, &format!("{initial}{title}:\t"));
    let Some(tols) = tols.filter(|t| !t.is_empty()) else {
        w.line("<none>");
        return;
    };
    let mut tols: Vec<&Toleration> = tols.iter().collect();
    pilothouse_engine::sort::sort_by(&mut tols, |a, b| s(&a.key).cmp(s(&b.key)));
    for (i, t) in tols.iter().enumerate() {
        if i != 0 {
            w.w(0, initial);
            w.w(0, "\t");
        }
        let mut line = s(&t.key).to_string();
        if !s(&t.value).is_empty() {
            line.push_str(&format!("={}", s(&t.value)));
        }
        if !s(&t.effect).is_empty() {
            line.push_str(&format!(":{}", s(&t.effect)));
        }
        if s(&t.operator) == "Exists" && s(&t.value).is_empty() {
            if !s(&t.key).is_empty() || !s(&t.effect).is_empty() {
                line.push_str(" op=Exists");
            } else {
                line.push_str("op=Exists");
            }
        }
        if let Some(secs) = t.toleration_seconds {
            line.push_str(&format!(" for {secs}s"));
        }
        w.w(0, &line);
        w.w(0, "\n");
    }
}

fn controller_of(m: &ObjectMeta) -> Option<String> {
    m.owner_references
        .as_ref()?
        .iter()
        .find(|o| o.controller == Some(true))
        .map(|o| format!("{}/{}", o.kind, o.name))
}

fn time_s(t: Option<&DateTime<Utc>>) -> String {
    t.map(rfc1123z).unwrap_or_else(|| "Mon, 01 Jan 0001 00:00:00 +0000".to_string())
}

// ---------------------------------------------------------------------------------------------
// Events

/// The events describing an object, as `searchEvents` finds them.
fn events_for(src: &dyn ObjectSource, kind: Option<&str>, namespace: &str, name: &str, uids: &[&str]) -> Vec<Event> {
    let list = if namespace.is_empty() { src.list(Kind::Event, None) } else { src.list(Kind::Event, Some(namespace)) };
    list.iter()
        .filter_map(|o| match o.as_ref() {
            Object::Event(e) => Some(e),
            _ => None,
        })
        .filter(|e| {
            let io = &e.involved_object;
            s(&io.name) == name
                && s(&io.namespace) == namespace
                && kind.is_none_or(|k| s(&io.kind) == k)
                && (uids.is_empty() || uids.contains(&s(&io.uid)))
        })
        .cloned()
        .collect()
}

fn event_sort_time(e: &Event) -> Option<DateTime<Utc>> {
    if let Some(s) = &e.series {
        return s.last_observed_time.as_ref().map(|t| t.0);
    }
    if let Some(t) = &e.last_timestamp {
        return Some(t.0);
    }
    e.event_time.as_ref().map(|t| t.0)
}

fn describe_events(w: &mut W, events: &[Event], now: DateTime<Utc>) {
    if events.is_empty() {
        w.w(0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    let mut evs: Vec<&Event> = events.iter().collect();
    pilothouse_engine::sort::sort_by_key(&mut evs, |e| event_sort_time(e));
    w.w(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.w(1, "----\t------\t----\t----\t-------\n");
    for e in evs {
        let first = match &e.event_time {
            Some(t) => human_duration(now.signed_duration_since(t.0)),
            None => since(e.first_timestamp.as_ref().map(|t| &t.0), now),
        };
        let interval = if let Some(series) = &e.series {
            format!(
                "{} (x{} over {})",
                since(series.last_observed_time.as_ref().map(|t| &t.0), now),
                series.count.unwrap_or(0),
                first
            )
        } else if e.count.unwrap_or(0) > 1 {
            format!("{} (x{} over {})", since(e.last_timestamp.as_ref().map(|t| &t.0), now), e.count.unwrap_or(0), first)
        } else {
            first
        };
        let source = e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .filter(|c| !c.is_empty())
            .or_else(|| e.reporting_component.clone())
            .unwrap_or_default();
        w.w(
            1,
            &format!("{}\t{}\t{}\t{}\t{}\n", s(&e.type_), s(&e.reason), interval, source, s(&e.message).trim()),
        );
    }
}

fn object_events(obj: &Object, src: &dyn ObjectSource) -> Vec<Event> {
    let m = obj.metadata();
    let ns = m.namespace.as_deref().unwrap_or("");
    let ns = if obj.kind().info().namespaced { ns } else { "" };
    let name = s(&m.name);
    let uid = s(&m.uid);
    let uids: Vec<&str> = if uid.is_empty() { vec![] } else { vec![uid] };
    match obj.kind() {
        // Pod events are searched without the kind.
        Kind::Pod => events_for(src, None, ns, name, &uids),
        // Node events carry either the node's uid or its name as uid.
        Kind::Node => {
            let mut u = uids.clone();
            u.push(name);
            events_for(src, Some("Node"), ns, name, &u)
        }
        k => events_for(src, Some(k.info().kind), ns, name, &uids),
    }
}

// ---------------------------------------------------------------------------------------------
// Containers, volumes, resources

fn sorted_resources(r: Option<&BTreeMap<String, Quantity>>) -> Vec<(String, String)> {
    r.into_iter().flatten().map(|(k, v)| (k.clone(), canonical_quantity(&v.0))).collect()
}

fn describe_resources(w: &mut W, r: Option<&ResourceRequirements>, level: usize) {
    let Some(r) = r else { return };
    let limits = sorted_resources(r.limits.as_ref());
    if !limits.is_empty() {
        w.w(level, "Limits:\n");
    }
    for (k, v) in limits {
        w.w(level + 1, &format!("{k}:\t{v}\n"));
    }
    let reqs = sorted_resources(r.requests.as_ref());
    if !reqs.is_empty() {
        w.w(level, "Requests:\n");
    }
    for (k, v) in reqs {
        w.w(level + 1, &format!("{k}:\t{v}\n"));
    }
}

fn describe_probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10),
        p.success_threshold.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    );
    if let Some(e) = &p.exec {
        return format!("exec {} {}", go_slice(e.command.as_deref().unwrap_or(&[])), attrs);
    }
    if let Some(h) = &p.http_get {
        let scheme = h.scheme.as_deref().unwrap_or("HTTP").to_ascii_lowercase();
        let port = int_or_string(&h.port);
        let host = s(&h.host);
        let hostport = if port.is_empty() {
            host.to_string()
        } else if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let path = s(&h.path);
        let url = if scheme.is_empty() { format!("//{hostport}{path}") } else { format!("{scheme}://{hostport}{path}") };
        return format!("http-get {} {}", url, attrs);
    }
    if let Some(t) = &p.tcp_socket {
        return format!("tcp-socket {}:{} {}", s(&t.host), int_or_string(&t.port), attrs);
    }
    if let Some(g) = &p.grpc {
        return format!("grpc <pod>:{} {} {}", g.port, s(&g.service), attrs);
    }
    format!("unknown {attrs}")
}

fn describe_state(w: &mut W, name: &str, st: Option<&ContainerState>) {
    let st = st.cloned().unwrap_or_default();
    if let Some(r) = &st.running {
        w.w(2, &format!("{name}:\tRunning\n"));
        w.w(3, &format!("Started:\t{}\n", time_s(r.started_at.as_ref().map(|t| &t.0))));
    } else if let Some(wt) = &st.waiting {
        w.w(2, &format!("{name}:\tWaiting\n"));
        if !s(&wt.reason).is_empty() {
            w.w(3, &format!("Reason:\t{}\n", s(&wt.reason)));
        }
    } else if let Some(t) = &st.terminated {
        w.w(2, &format!("{name}:\tTerminated\n"));
        if !s(&t.reason).is_empty() {
            w.w(3, &format!("Reason:\t{}\n", s(&t.reason)));
        }
        if !s(&t.message).is_empty() {
            w.w(3, &format!("Message:\t{}\n", s(&t.message)));
        }
        w.w(3, &format!("Exit Code:\t{}\n", t.exit_code));
        if let Some(sig) = t.signal.filter(|s| *s > 0) {
            w.w(3, &format!("Signal:\t{sig}\n"));
        }
        w.w(3, &format!("Started:\t{}\n", time_s(t.started_at.as_ref().map(|t| &t.0))));
        w.w(3, &format!("Finished:\t{}\n", time_s(t.finished_at.as_ref().map(|t| &t.0))));
    } else {
        w.w(2, &format!("{name}:\tWaiting\n"));
    }
}

fn describe_containers(w: &mut W, label: &str, containers: &[Container], statuses: Option<&Vec<ContainerStatus>>, space: &str) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.w(0, &format!("{space}{label}:{none}\n"));
    for c in containers {
        let status = statuses.and_then(|st| st.iter().find(|x| x.name == c.name));
        let name_indent = if space.is_empty() { "" } else { " " };
        w.w(1, &format!("{name_indent}{}:\n", c.name));
        if let Some(st) = status {
            w.w(2, &format!("Container ID:\t{}\n", s(&st.container_id)));
        }
        w.w(2, &format!("Image:\t{}\n", s(&c.image)));
        if let Some(st) = status {
            w.w(2, &format!("Image ID:\t{}\n", st.image_id));
        }
        let ports = c.ports.as_deref().unwrap_or(&[]);
        let port_s: Vec<String> = ports.iter().map(|p| format!("{}/{}", p.container_port, p.protocol.as_deref().unwrap_or("TCP"))).collect();
        let port_s = port_s.join(", ");
        if port_s.contains(',') {
            w.w(2, &format!("Ports:\t{port_s}\n"));
        } else {
            w.w(2, &format!("Port:\t{}\n", or_none(&port_s)));
        }
        let host_s: Vec<String> =
            ports.iter().map(|p| format!("{}/{}", p.host_port.unwrap_or(0), p.protocol.as_deref().unwrap_or("TCP"))).collect();
        let host_s = host_s.join(", ");
        if host_s.contains(',') {
            w.w(2, &format!("Host Ports:\t{host_s}\n"));
        } else {
            w.w(2, &format!("Host Port:\t{}\n", or_none(&host_s)));
        }
        if let Some(cmd) = c.command.as_ref().filter(|c| !c.is_empty()) {
            w.w(2, "Command:\n");
            for part in cmd {
                for l in part.split('\n') {
                    w.w(3, &format!("{l}\n"));
                }
            }
        }
        if let Some(args) = c.args.as_ref().filter(|c| !c.is_empty()) {
            w.w(2, "Args:\n");
            for part in args {
                for l in part.split('\n') {
                    w.w(3, &format!("{l}\n"));
                }
            }
        }
        if let Some(st) = status {
            describe_state(w, "State", st.state.as_ref());
            if st.last_state.as_ref().is_some_and(|l| l.terminated.is_some()) {
                describe_state(w, "Last State", st.last_state.as_ref());
            }
            w.w(2, &format!("Ready:\t{}\n", if st.ready { "True" } else { "False" }));
            w.w(2, &format!("Restart Count:\t{}\n", st.restart_count));
        }
        describe_resources(w, c.resources.as_ref(), 2);
        if let Some(p) = &c.liveness_probe {
            w.w(2, &format!("Liveness:\t{}\n", describe_probe(p)));
        }
        if let Some(p) = &c.readiness_probe {
            w.w(2, &format!("Readiness:\t{}\n", describe_probe(p)));
        }
        if let Some(p) = &c.startup_probe {
            w.w(2, &format!("Startup:\t{}\n", describe_probe(p)));
        }
        if let Some(ef) = c.env_from.as_ref().filter(|e| !e.is_empty()) {
            w.w(2, "Environment Variables from:\n");
            for e in ef {
                let (from, name, optional) = if let Some(r) = &e.config_map_ref {
                    ("ConfigMap", r.name.clone(), r.optional.unwrap_or(false))
                } else if let Some(r) = &e.secret_ref {
                    ("Secret", r.name.clone(), r.optional.unwrap_or(false))
                } else {
                    ("", String::new(), false)
                };
                if s(&e.prefix).is_empty() {
                    w.w(3, &format!("{name}\t{from}\tOptional: {optional}\n"));
                } else {
                    w.w(3, &format!("{name}\t{from} with prefix '{}'\tOptional: {optional}\n", s(&e.prefix)));
                }
            }
        }
        let env = c.env.as_deref().unwrap_or(&[]);
        w.w(2, &format!("Environment:{}\n", if env.is_empty() { "\t<none>" } else { "" }));
        for e in env {
            match &e.value_from {
                None => {
                    for (i, l) in s(&e.value).split('\n').enumerate() {
                        if i == 0 {
                            w.w(3, &format!("{}:\t{l}\n", e.name));
                        } else {
                            w.w(3, &format!("\t{l}\n"));
                        }
                    }
                }
                Some(vf) => {
                    if let Some(f) = &vf.field_ref {
                        w.w(3, &format!("{}:\t ({}:{})\n", e.name, s(&f.api_version), f.field_path));
                    } else if let Some(r) = &vf.resource_field_ref {
                        w.w(3, &format!("{}:\t ({})\n", e.name, r.resource));
                    } else if let Some(k) = &vf.secret_key_ref {
                        w.w(
                            3,
                            &format!(
                                "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                                e.name,
                                k.key,
                                k.name,
                                k.optional.unwrap_or(false)
                            ),
                        );
                    } else if let Some(k) = &vf.config_map_key_ref {
                        w.w(
                            3,
                            &format!(
                                "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                                e.name,
                                k.key,
                                k.name,
                                k.optional.unwrap_or(false)
                            ),
                        );
                    }
                }
            }
        }
        let mounts = c.volume_mounts.as_deref().unwrap_or(&[]);
        w.w(2, &format!("Mounts:{}\n", if mounts.is_empty() { "\t<none>" } else { "" }));
        let mut mounts: Vec<_> = mounts.iter().collect();
        pilothouse_engine::sort::sort_by(&mut mounts, |a, b| a.mount_path.cmp(&b.mount_path));
        for m in mounts {
            let mut flags = vec![if m.read_only == Some(true) { "ro".to_string() } else { "rw".to_string() }];
            if !s(&m.sub_path).is_empty() {
                flags.push(format!("path={:?}", s(&m.sub_path)));
            }
            w.w(3, &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")));
        }
    }
}

fn describe_volumes(w: &mut W, volumes: Option<&Vec<Volume>>, space: &str) {
    let Some(volumes) = volumes.filter(|v| !v.is_empty()) else {
        w.w(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    };
    w.w(0, &format!("{space}Volumes:\n"));
    for v in volumes {
        let name_indent = if space.is_empty() { "" } else { " " };
        w.w(1, &format!("{name_indent}{}:\n", v.name));
        if let Some(h) = &v.host_path {
            w.w(
                2,
                &format!(
                    "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                    h.path,
                    h.type_.as_deref().unwrap_or("<none>")
                ),
            );
        } else if let Some(e) = &v.empty_dir {
            let limit = e
                .size_limit
                .as_ref()
                .map(|q| canonical_quantity(&q.0))
                .filter(|q| q != "0" && !q.starts_with('-'))
                .unwrap_or_else(|| "<unset>".to_string());
            w.w(
                2,
                &format!(
                    "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{}\n",
                    s(&e.medium),
                    limit
                ),
            );
        } else if let Some(sec) = &v.secret {
            w.w(
                2,
                &format!(
                    "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                    s(&sec.secret_name),
                    sec.optional.unwrap_or(false)
                ),
            );
        } else if let Some(cm) = &v.config_map {
            w.w(
                2,
                &format!(
                    "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                    cm.name,
                    cm.optional.unwrap_or(false)
                ),
            );
        } else if let Some(n) = &v.nfs {
            w.w(
                2,
                &format!(
                    "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
                    n.server,
                    n.path,
                    n.read_only.unwrap_or(false)
                ),
            );
        } else if let Some(c) = &v.persistent_volume_claim {
            w.w(
                2,
                &format!(
                    "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                    c.claim_name,
                    c.read_only.unwrap_or(false)
                ),
            );
        } else if let Some(d) = &v.downward_api {
            w.w(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n");
            for item in d.items.as_deref().unwrap_or(&[]) {
                if let Some(f) = &item.field_ref {
                    w.w(3, &format!("{} -> {}\n", f.field_path, item.path));
                }
                if let Some(r) = &item.resource_field_ref {
                    w.w(3, &format!("{} -> {}\n", r.resource, item.path));
                }
            }
        } else if let Some(p) = &v.projected {
            w.w(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
            for src in p.sources.as_deref().unwrap_or(&[]) {
                if let Some(sec) = &src.secret {
                    w.w(2, &format!("SecretName:\t{}\n    Optional:\t{}\n", sec.name, sec.optional.unwrap_or(false)));
                } else if src.downward_api.is_some() {
                    w.w(2, "DownwardAPI:\ttrue\n");
                } else if let Some(cm) = &src.config_map {
                    w.w(2, &format!("ConfigMapName:\t{}\n    Optional:\t{}\n", cm.name, cm.optional.unwrap_or(false)));
                } else if let Some(t) = &src.service_account_token {
                    w.w(2, &format!("TokenExpirationSeconds:\t{}\n", t.expiration_seconds.unwrap_or(0)));
                }
            }
        } else if let Some(c) = &v.csi {
            w.w(
                2,
                &format!(
                    "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
                    c.driver,
                    s(&c.fs_type),
                    c.read_only.unwrap_or(false)
                ),
            );
            print_labels_indent(w, "    ", "VolumeAttributes", "\t", c.volume_attributes.as_ref());
        } else {
            w.w(1, "<unknown>\n");
        }
    }
}

fn describe_pod_template(w: &mut W, t: Option<&PodTemplateSpec>) {
    w.w(0, "Pod Template:\n");
    let Some(t) = t else {
        w.w(1, "<unset>");
        return;
    };
    let meta = t.metadata.clone().unwrap_or_default();
    print_labels(w, "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        print_annotations(w, "  Annotations", meta.annotations.as_ref());
    }
    let spec = t.spec.clone().unwrap_or_default();
    if !s(&spec.service_account_name).is_empty() {
        w.w(1, &format!("Service Account:\t{}\n", s(&spec.service_account_name)));
    }
    if let Some(ic) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        describe_containers(w, "Init Containers", ic, None, "  ");
    }
    describe_containers(w, "Containers", &spec.containers, None, "  ");
    describe_volumes(w, spec.volumes.as_ref(), "  ");
    if !s(&spec.priority_class_name).is_empty() {
        w.w(1, &format!("Priority Class Name:\t{}\n", s(&spec.priority_class_name)));
    }
    print_labels(w, "  Node-Selectors", spec.node_selector.as_ref());
    print_tolerations(w, "", "  Tolerations", spec.tolerations.as_ref());
}

// ---------------------------------------------------------------------------------------------
// Pod QoS and requests

fn is_qos_resource(n: &str) -> bool {
    n == "cpu" || n == "memory"
}

/// `qos.GetPodQOS`: the status field, else computed like the kubelet.
pub fn pod_qos(pod: &Pod) -> String {
    if let Some(q) = pod.status.as_ref().and_then(|s| s.qos_class.clone()).filter(|q| !q.is_empty()) {
        return q;
    }
    let Some(spec) = pod.spec.as_ref() else { return "BestEffort".into() };
    let mut requests: VecMap<String, Q> = VecMap::new();
    let mut limits: VecMap<String, Q> = VecMap::new();
    let mut guaranteed = true;
    let all = spec.containers.iter().chain(spec.init_containers.iter().flatten());
    for c in all {
        let r = c.resources.as_ref();
        for (n, q) in r.and_then(|r| r.requests.as_ref()).into_iter().flatten() {
            if !is_qos_resource(n) {
                continue;
            }
            if let Some(q) = Q::parse(&q.0).filter(|q| q.nanos > 0) {
                let e = requests.entry(n.clone()).or_insert(Q::ZERO);
                *e = e.add(q);
            }
        }
        let mut found = Vec::new();
        for (n, q) in r.and_then(|r| r.limits.as_ref()).into_iter().flatten() {
            if !is_qos_resource(n) {
                continue;
            }
            if let Some(q) = Q::parse(&q.0).filter(|q| q.nanos > 0) {
                found.push(n.clone());
                let e = limits.entry(n.clone()).or_insert(Q::ZERO);
                *e = e.add(q);
            }
        }
        if !(found.iter().any(|f| f == "cpu") && found.iter().any(|f| f == "memory")) {
            guaranteed = false;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort".into();
    }
    if guaranteed {
        for (n, r) in &requests {
            if limits.get(n).is_none_or(|l| l.nanos != r.nanos) {
                guaranteed = false;
                break;
            }
        }
    }
    if guaranteed && requests.len() == limits.len() {
        "Guaranteed".into()
    } else {
        "Burstable".into()
    }
}

/// `resourcehelper.PodRequestsAndLimits`: sum of containers, at least each init container.
fn pod_requests_limits(pod: &Pod) -> (VecMap<String, Q>, VecMap<String, Q>) {
    let mut reqs: VecMap<String, Q> = VecMap::new();
    let mut lims: VecMap<String, Q> = VecMap::new();
    let Some(spec) = pod.spec.as_ref() else { return (reqs, lims) };
    let add = |m: &mut VecMap<String, Q>, src: Option<&BTreeMap<String, Quantity>>| {
        for (n, q) in src.into_iter().flatten() {
            if let Some(q) = Q::parse(&q.0) {
                let e = m.entry(n.clone()).or_insert(Q::ZERO);
                *e = e.add(q);
            }
        }
    };
    for c in &spec.containers {
        add(&mut reqs, c.resources.as_ref().and_then(|r| r.requests.as_ref()));
        add(&mut lims, c.resources.as_ref().and_then(|r| r.limits.as_ref()));
    }
    let max = |m: &mut VecMap<String, Q>, src: Option<&BTreeMap<String, Quantity>>| {
        for (n, q) in src.into_iter().flatten() {
            if let Some(q) = Q::parse(&q.0) {
                match m.get(n) {
                    Some(cur) if cur.nanos >= q.nanos => {}
                    _ => {
                        m.insert(n.clone(), q);
                    }
                }
            }
        }
    };
    for c in spec.init_containers.iter().flatten() {
        max(&mut reqs, c.resources.as_ref().and_then(|r| r.requests.as_ref()));
        max(&mut lims, c.resources.as_ref().and_then(|r| r.limits.as_ref()));
    }
    add(&mut reqs, spec.overhead.as_ref());
    add(&mut lims, spec.overhead.as_ref());
    (reqs, lims)
}

// ---------------------------------------------------------------------------------------------
// Describers

fn describe_pod(pod: &Pod, src: &dyn ObjectSource, events: Option<Vec<Event>>) -> String {
    let now = src.now();
    let mut w = W::new();
    let m = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let st = pod.status.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    if let Some(p) = spec.priority {
        w.w(0, &format!("Priority:\t{p}\n"));
    }
    if !s(&spec.priority_class_name).is_empty() {
        w.w(0, &format!("Priority Class Name:\t{}\n", s(&spec.priority_class_name)));
    }
    if !s(&spec.runtime_class_name).is_empty() {
        w.w(0, &format!("Runtime Class Name:\t{}\n", s(&spec.runtime_class_name)));
    }
    if !s(&spec.service_account_name).is_empty() {
        w.w(0, &format!("Service Account:\t{}\n", s(&spec.service_account_name)));
    }
    if s(&spec.node_name).is_empty() {
        w.w(0, "Node:\t<none>\n");
    } else {
        w.w(0, &format!("Node:\t{}/{}\n", s(&spec.node_name), s(&st.host_ip)));
    }
    if let Some(t) = &st.start_time {
        w.w(0, &format!("Start Time:\t{}\n", rfc1123z(&t.0)));
    }
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    let phase = s(&st.phase);
    if let Some(dt) = m.deletion_timestamp.as_ref().filter(|_| phase != "Failed" && phase != "Succeeded") {
        w.w(0, &format!("Status:\tTerminating (lasts {})\n", human_duration(now.signed_duration_since(dt.0))));
        w.w(0, &format!("Termination Grace Period:\t{}s\n", m.deletion_grace_period_seconds.unwrap_or(0)));
    } else {
        w.w(0, &format!("Status:\t{phase}\n"));
    }
    if !s(&st.reason).is_empty() {
        w.w(0, &format!("Reason:\t{}\n", s(&st.reason)));
    }
    if !s(&st.message).is_empty() {
        w.w(0, &format!("Message:\t{}\n", s(&st.message)));
    }
    w.w(0, &format!("IP:\t{}\n", s(&st.pod_ip)));
    match st.pod_ips.as_ref().filter(|i| !i.is_empty()) {
        None => w.w(0, "IPs:\t<none>\n"),
        Some(ips) => {
            w.w(0, "IPs:\n");
            for ip in ips {
                w.w(1, &format!("IP:\t{}\n", ip.ip));
            }
        }
    }
    if let Some(c) = controller_of(m) {
        w.w(0, &format!("Controlled By:\t{c}\n"));
    }
    if !s(&st.nominated_node_name).is_empty() {
        w.w(0, &format!("NominatedNodeName:\t{}\n", s(&st.nominated_node_name)));
    }
    if let Some(ic) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        describe_containers(&mut w, "Init Containers", ic, st.init_container_statuses.as_ref(), "");
    }
    describe_containers(&mut w, "Containers", &spec.containers, st.container_statuses.as_ref(), "");
    if let Some(gates) = spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
        w.w(0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let status = st
                .conditions
                .iter()
                .flatten()
                .find(|c| c.type_ == g.condition_type)
                .map(|c| c.status.clone())
                .unwrap_or_else(|| "<none>".to_string());
            w.w(1, &format!("{} \t{} \n", g.condition_type, status));
        }
    }
    if let Some(conds) = st.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n  Type\tStatus\n");
        for c in conds {
            w.w(1, &format!("{} \t{} \n", c.type_, c.status));
        }
    }
    describe_volumes(&mut w, spec.volumes.as_ref(), "");
    w.w(0, &format!("QoS Class:\t{}\n", pod_qos(pod)));
    print_labels(&mut w, "Node-Selectors", spec.node_selector.as_ref());
    print_tolerations(&mut w, "", "Tolerations", spec.tolerations.as_ref());
    if let Some(events) = events {
        describe_events(&mut w, &events, now);
    }
    w.finish()
}

fn pods_status_for(src: &dyn ObjectSource, ns: &str, uid: &str) -> (usize, usize, usize, usize) {
    let (mut r, mut wt, mut sc, mut f) = (0, 0, 0, 0);
    for o in src.list(Kind::Pod, Some(ns)) {
        if let Object::Pod(p) = o.as_ref() {
            let owned = p
                .metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.controller == Some(true) && o.uid == uid);
            if !owned {
                continue;
            }
            match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
                Some("Running") => r += 1,
                Some("Pending") => wt += 1,
                Some("Succeeded") => sc += 1,
                Some("Failed") => f += 1,
                _ => {}
            }
        }
    }
    (r, wt, sc, f)
}

fn describe_deployment(d: &k8s_openapi::api::apps::v1::Deployment, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &d.metadata;
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    w.w(0, &format!("CreationTimestamp:\t{}\n", time_s(m.creation_timestamp.as_ref().map(|t| &t.0))));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))));
    w.w(
        0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            spec.replicas.unwrap_or(1),
            st.updated_replicas.unwrap_or(0),
            st.replicas.unwrap_or(0),
            st.available_replicas.unwrap_or(0),
            st.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    w.w(0, &format!("StrategyType:\t{}\n", s(&strategy.type_)));
    w.w(0, &format!("MinReadySeconds:\t{}\n", spec.min_ready_seconds.unwrap_or(0)));
    if let Some(ru) = &strategy.rolling_update {
        let mu = ru.max_unavailable.as_ref().map(int_or_string).unwrap_or_else(|| "0".into());
        let ms = ru.max_surge.as_ref().map(int_or_string).unwrap_or_else(|| "0".into());
        w.w(0, &format!("RollingUpdateStrategy:\t{mu} max unavailable, {ms} max surge\n"));
    }
    describe_pod_template(&mut w, Some(&spec.template));
    if let Some(conds) = st.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n  Type\tStatus\tReason\n");
        w.w(1, "----\t------\t------\n");
        for c in conds {
            w.w(1, &format!("{} \t{}\t{}\n", c.type_, c.status, s(&c.reason)));
        }
    }
    // The deployment's ReplicaSets: the new one matches the current template.
    let uid = s(&m.uid);
    let mut old = Vec::new();
    let mut new = Vec::new();
    let tmpl_key = template_key(&spec.template);
    // deploymentutil.FindNewReplicaSet sorts the list by creation time (then name) in place,
    // and the old ones are listed in that order.
    let mut owned: Vec<k8s_openapi::api::apps::v1::ReplicaSet> = src
        .list(Kind::ReplicaSet, Some(s(&m.namespace)))
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::ReplicaSet(rs) if rs.metadata.owner_references.iter().flatten().any(|o| o.controller == Some(true) && o.uid == uid) => Some(rs.clone()),
            _ => None,
        })
        .collect();
    pilothouse_engine::sort::sort_by_key(&mut owned, |rs| (rs.metadata.creation_timestamp.as_ref().map(|t| t.0.timestamp()), rs.metadata.name.clone()));
    for rs in &owned {
        {
            let rs_tmpl = rs.spec.as_ref().and_then(|s| s.template.as_ref()).map(template_key);
            let label = format!(
                "{} ({}/{} replicas created)",
                s(&rs.metadata.name),
                rs.status.as_ref().map(|s| s.replicas).unwrap_or(0),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
            );
            if new.is_empty() && rs_tmpl.as_ref() == Some(&tmpl_key) {
                new.push(label);
            } else {
                old.push(label);
            }
        }
    }
    if !old.is_empty() || !new.is_empty() {
        let j = |v: &Vec<String>| if v.is_empty() { "<none>".to_string() } else { v.join(", ") };
        w.w(0, &format!("OldReplicaSets:\t{}\n", j(&old)));
        w.w(0, &format!("NewReplicaSet:\t{}\n", j(&new)));
    }
    describe_events(&mut w, events, src.now());
    w.finish()
}

/// A pod template without the `pod-template-hash` label, to find a deployment's new ReplicaSet.
fn template_key(t: &PodTemplateSpec) -> serde_json::Value {
    let mut t = t.clone();
    if let Some(m) = t.metadata.as_mut() {
        if let Some(l) = m.labels.as_mut() {
            l.remove("pod-template-hash");
        }
        m.creation_timestamp = None;
    }
    pilothouse_engine::api::to_json(&t)
}

fn describe_replicaset(rs: &k8s_openapi::api::apps::v1::ReplicaSet, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &rs.metadata;
    let spec = rs.spec.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    w.w(0, &format!("Selector:\t{}\n", format_label_selector(Some(&spec.selector))));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    if let Some(c) = controller_of(m) {
        w.w(0, &format!("Controlled By:\t{c}\n"));
    }
    w.w(
        0,
        &format!(
            "Replicas:\t{} current / {} desired\n",
            rs.status.as_ref().map(|s| s.replicas).unwrap_or(0),
            spec.replicas.unwrap_or(1)
        ),
    );
    let (r, wt, sc, f) = pods_status_for(src, s(&m.namespace), s(&m.uid));
    w.w(0, "Pods Status:\t");
    w.w(0, &format!("{r} Running / {wt} Waiting / {sc} Succeeded / {f} Failed\n"));
    describe_pod_template(&mut w, spec.template.as_ref());
    if let Some(conds) = rs.status.as_ref().and_then(|s| s.conditions.as_ref()).filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n  Type\tStatus\tReason\n");
        w.w(1, "----\t------\t------\n");
        for c in conds {
            w.w(1, &format!("{} \t{}\t{}\n", c.type_, c.status, s(&c.reason)));
        }
    }
    describe_events(&mut w, events, src.now());
    w.finish()
}

fn pct(num: i128, den: i128) -> i128 {
    if den == 0 {
        0
    } else {
        ((num as f64) / (den as f64) * 100.0) as i128
    }
}

fn describe_node(n: &k8s_openapi::api::core::v1::Node, src: &dyn ObjectSource, events: &[Event]) -> String {
    let now = src.now();
    let mut w = W::new();
    let m = &n.metadata;
    let name = s(&m.name);
    let spec = n.spec.clone().unwrap_or_default();
    let st = n.status.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{name}\n"));
    w.w(0, &format!("Roles:\t{}\n", node_roles_string(m)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, &format!("CreationTimestamp:\t{}\n", time_s(m.creation_timestamp.as_ref().map(|t| &t.0))));
    w.w(0, "Taints:\t");
    match spec.taints.as_ref().filter(|t| !t.is_empty()) {
        None => w.line("<none>"),
        Some(taints) => {
            let mut taints = taints.clone();
            pilothouse_engine::sort::sort_by(&mut taints, |a, b| format!("{},{}", a.effect, a.key).cmp(&format!("{},{}", b.effect, b.key)));
            for (i, t) in taints.iter().enumerate() {
                if i != 0 {
                    w.w(0, "\t");
                }
                let v = s(&t.value);
                let ts = if v.is_empty() { format!("{}:{}", t.key, t.effect) } else { format!("{}={}:{}", t.key, v, t.effect) };
                w.w(0, &format!("{ts}\n"));
            }
        }
    }
    w.w(0, &format!("Unschedulable:\t{}\n", spec.unschedulable.unwrap_or(false)));
    match src.get(Kind::Lease, "kube-node-lease", name).as_deref() {
        Some(Object::Lease(l)) => {
            let ls = l.spec.clone().unwrap_or_default();
            w.w(0, "Lease:\n");
            w.w(1, &format!("HolderIdentity:\t{}\n", ls.holder_identity.as_deref().unwrap_or("<unset>")));
            w.w(1, &format!("AcquireTime:\t{}\n", ls.acquire_time.as_ref().map(|t| rfc1123z(&t.0)).unwrap_or_else(|| "<unset>".into())));
            w.w(1, &format!("RenewTime:\t{}\n", ls.renew_time.as_ref().map(|t| rfc1123z(&t.0)).unwrap_or_else(|| "<unset>".into())));
        }
        _ => w.w(0, &format!("Lease:\tFailed to get lease: leases.coordination.k8s.io \"{name}\" not found\n")),
    }
    if let Some(conds) = st.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w.w(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conds {
            w.w(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    time_s(c.last_heartbeat_time.as_ref().map(|t| &t.0)),
                    time_s(c.last_transition_time.as_ref().map(|t| &t.0)),
                    s(&c.reason),
                    s(&c.message)
                ),
            );
        }
    }
    w.w(0, "Addresses:\n");
    for a in st.addresses.iter().flatten() {
        w.w(1, &format!("{}:\t{}\n", a.type_, a.address));
    }
    let print_rl = |w: &mut W, rl: &BTreeMap<String, Quantity>| {
        for (k, v) in rl {
            w.w(0, &format!("  {}:\t{}\n", k, canonical_quantity(&v.0)));
        }
    };
    if let Some(c) = st.capacity.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, "Capacity:\n");
        print_rl(&mut w, c);
    }
    if let Some(a) = st.allocatable.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, "Allocatable:\n");
        print_rl(&mut w, a);
    }
    let info = st.node_info.clone().unwrap_or_default();
    w.w(0, "System Info:\n");
    w.w(0, &format!("  Machine ID:\t{}\n", info.machine_id));
    w.w(0, &format!("  System UUID:\t{}\n", info.system_uuid));
    w.w(0, &format!("  Boot ID:\t{}\n", info.boot_id));
    w.w(0, &format!("  Kernel Version:\t{}\n", info.kernel_version));
    w.w(0, &format!("  OS Image:\t{}\n", info.os_image));
    w.w(0, &format!("  Operating System:\t{}\n", info.operating_system));
    w.w(0, &format!("  Architecture:\t{}\n", info.architecture));
    w.w(0, &format!("  Container Runtime Version:\t{}\n", info.container_runtime_version));
    w.w(0, &format!("  Kubelet Version:\t{}\n", info.kubelet_version));
    w.w(0, &format!("  Kube-Proxy Version:\t{}\n", info.kube_proxy_version));
    if !s(&spec.pod_cidr).is_empty() {
        w.w(0, &format!("PodCIDR:\t{}\n", s(&spec.pod_cidr)));
    }
    if let Some(c) = spec.pod_cidrs.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, &format!("PodCIDRs:\t{}\n", c.join(",")));
    }
    if !s(&spec.provider_id).is_empty() {
        w.w(0, &format!("ProviderID:\t{}\n", s(&spec.provider_id)));
    }
    // Non-terminated pods on this node.
    let pods: Vec<Pod> = src
        .list(Kind::Pod, None)
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::Pod(p) => Some(p.clone()),
            _ => None,
        })
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name))
        .filter(|p| !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded") | Some("Failed")))
        .collect();
    let allocatable = st.allocatable.clone().filter(|a| !a.is_empty()).or(st.capacity.clone()).unwrap_or_default();
    let alloc = |n: &str| allocatable.get(n).and_then(|q| Q::parse(&q.0)).unwrap_or(Q::ZERO);
    let (acpu, amem, aeph) = (alloc("cpu").milli(), alloc("memory").value(), alloc("ephemeral-storage").value());
    w.w(0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    w.w(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w.w(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let mut total_req: VecMap<String, Q> = VecMap::new();
    let mut total_lim: VecMap<String, Q> = VecMap::new();
    for p in &pods {
        let (req, lim) = pod_requests_limits(p);
        let g = |m: &VecMap<String, Q>, k: &str| m.get(k).copied().unwrap_or(Q::ZERO);
        let (cr, cl, mr, ml) = (g(&req, "cpu"), g(&lim, "cpu"), g(&req, "memory"), g(&lim, "memory"));
        w.w(
            1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                s(&p.metadata.namespace),
                s(&p.metadata.name),
                cr.canonical(),
                pct(cr.milli(), acpu),
                cl.canonical(),
                pct(cl.milli(), acpu),
                mr.canonical(),
                pct(mr.value(), amem),
                ml.canonical(),
                pct(ml.value(), amem),
                since(p.metadata.creation_timestamp.as_ref().map(|t| &t.0), now)
            ),
        );
        for (k, v) in req {
            let e = total_req.entry(k).or_insert(Q::ZERO);
            *e = e.add(v);
        }
        for (k, v) in lim {
            let e = total_lim.entry(k).or_insert(Q::ZERO);
            *e = e.add(v);
        }
    }
    w.w(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w.w(1, "Resource\tRequests\tLimits\n");
    w.w(1, "--------\t--------\t------\n");
    let g = |m: &VecMap<String, Q>, k: &str| m.get(k).copied().unwrap_or(Q::ZERO);
    let row = |w: &mut W, name: &str, r: Q, l: Q, rp: i128, lp: i128| {
        w.w(1, &format!("{name}\t{} ({rp}%)\t{} ({lp}%)\n", r.canonical(), l.canonical()));
    };
    let (cr, cl) = (g(&total_req, "cpu"), g(&total_lim, "cpu"));
    row(&mut w, "cpu", cr, cl, pct(cr.milli(), acpu), pct(cl.milli(), acpu));
    let (mr, ml) = (g(&total_req, "memory"), g(&total_lim, "memory"));
    row(&mut w, "memory", mr, ml, pct(mr.value(), amem), pct(ml.value(), amem));
    let (er, el) = (g(&total_req, "ephemeral-storage"), g(&total_lim, "ephemeral-storage"));
    row(&mut w, "ephemeral-storage", er, el, pct(er.value(), aeph), pct(el.value(), aeph));
    for (res, a) in &allocatable {
        if res.starts_with("hugepages-") {
            let av = Q::parse(&a.0).unwrap_or(Q::ZERO).value();
            let (r, l) = (g(&total_req, res), g(&total_lim, res));
            row(&mut w, res, r, l, pct(r.value(), av), pct(l.value(), av));
        }
    }
    for res in allocatable.keys() {
        let standard = matches!(res.as_str(), "cpu" | "memory" | "ephemeral-storage" | "pods") || res.starts_with("hugepages-");
        if !standard {
            w.w(1, &format!("{res}\t{}\t{}\n", g(&total_req, res).canonical(), g(&total_lim, res).canonical()));
        }
    }
    describe_events(&mut w, events, now);
    w.finish()
}

fn describe_service(svc: &k8s_openapi::api::core::v1::Service, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &svc.metadata;
    let spec = svc.spec.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, &format!("Selector:\t{}\n", format_labels(spec.selector.as_ref())));
    w.w(0, &format!("Type:\t{}\n", s(&spec.type_)));
    if let Some(p) = &spec.ip_family_policy {
        w.w(0, &format!("IP Family Policy:\t{p}\n"));
    }
    match spec.ip_families.as_ref().filter(|f| !f.is_empty()) {
        Some(f) => w.w(0, &format!("IP Families:\t{}\n", f.join(","))),
        None => w.w(0, "IP Families:\t<none>\n"),
    }
    w.w(0, &format!("IP:\t{}\n", s(&spec.cluster_ip)));
    match spec.cluster_ips.as_ref().filter(|f| !f.is_empty()) {
        Some(f) => w.w(0, &format!("IPs:\t{}\n", f.join(","))),
        None => w.w(0, "IPs:\t<none>\n"),
    }
    if let Some(e) = spec.external_ips.as_ref().filter(|e| !e.is_empty()) {
        w.w(0, &format!("External IPs:\t{}\n", e.join(",")));
    }
    if !s(&spec.load_balancer_ip).is_empty() {
        w.w(0, &format!("Desired LoadBalancer IP:\t{}\n", s(&spec.load_balancer_ip)));
    }
    if !s(&spec.external_name).is_empty() {
        w.w(0, &format!("External Name:\t{}\n", s(&spec.external_name)));
    }
    let ingress = svc.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|l| l.ingress.clone()).unwrap_or_default();
    if !ingress.is_empty() {
        let list: Vec<String> = ingress
            .iter()
            .map(|i| match i.ip.as_ref().filter(|ip| !ip.is_empty()) {
                Some(ip) => match &i.ip_mode {
                    Some(mode) => format!("{ip} ({mode})"),
                    None => ip.clone(),
                },
                None => s(&i.hostname).to_string(),
            })
            .collect();
        w.w(0, &format!("LoadBalancer Ingress:\t{}\n", list.join(", ")));
    }
    let slices = service_slices(src, s(&m.namespace), s(&m.name));
    let slices: Vec<&k8s_openapi::api::discovery::v1::EndpointSlice> = slices.iter().collect();
    for p in spec.ports.iter().flatten() {
        let name = if s(&p.name).is_empty() { "<unset>".to_string() } else { s(&p.name).to_string() };
        let proto = p.protocol.as_deref().unwrap_or("TCP");
        w.w(0, &format!("Port:\t{}\t{}/{}\n", name, p.port, proto));
        match &p.target_port {
            Some(t) => w.w(0, &format!("TargetPort:\t{}/{}\n", int_or_string(t), proto)),
            None => w.w(0, &format!("TargetPort:\t{}/{}\n", p.port, proto)),
        }
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            w.w(0, &format!("NodePort:\t{}\t{}/{}\n", name, np, proto));
        }
        // kubectl 1.32 reads the EndpointSlices: `<none>` when there are none, empty when
        // they hold no ready endpoint, else in the slices' order.
        let eps = format_endpoint_slices(&slices, &[s(&p.name).to_string()]);
        w.w(0, &format!("Endpoints:\t{eps}\n"));
    }
    w.w(0, &format!("Session Affinity:\t{}\n", s(&spec.session_affinity)));
    if !s(&spec.external_traffic_policy).is_empty() {
        w.w(0, &format!("External Traffic Policy:\t{}\n", s(&spec.external_traffic_policy)));
    }
    if let Some(p) = &spec.internal_traffic_policy {
        w.w(0, &format!("Internal Traffic Policy:\t{p}\n"));
    }
    if let Some(hc) = spec.health_check_node_port.filter(|h| *h != 0) {
        w.w(0, &format!("HealthCheck NodePort:\t{hc}\n"));
    }
    if let Some(r) = spec.load_balancer_source_ranges.as_ref().filter(|r| !r.is_empty()) {
        w.w(0, &format!("LoadBalancer Source Ranges:\t{}\n", r.join(",")));
    }
    describe_events(&mut w, events, src.now());
    w.finish()
}

fn describe_namespace(ns: &k8s_openapi::api::core::v1::Namespace, src: &dyn ObjectSource) -> String {
    let mut w = W::new();
    let m = &ns.metadata;
    let name = s(&m.name);
    w.w(0, &format!("Name:\t{name}\n"));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, &format!("Status:\t{}\n", ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default()));
    if let Some(conds) = ns.status.as_ref().and_then(|s| s.conditions.as_ref()).filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n");
        w.w(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
        w.w(1, "----\t------\t------------------\t------\t-------\n");
        for c in conds {
            w.w(
                1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    c.type_,
                    c.status,
                    time_s(c.last_transition_time.as_ref().map(|t| &t.0)),
                    s(&c.reason),
                    s(&c.message)
                ),
            );
        }
    }
    w.w(0, "\n");
    let quotas: Vec<_> = src
        .list(Kind::ResourceQuota, Some(name))
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::ResourceQuota(q) => Some(q.clone()),
            _ => None,
        })
        .collect();
    if quotas.is_empty() {
        w.w(0, "No resource quota.\n");
    } else {
        w.w(0, "Resource Quotas\n");
        for q in &quotas {
            w.w(1, &format!("Name:\t{}\n", s(&q.metadata.name)));
            if let Some(scopes) = q.spec.as_ref().and_then(|s| s.scopes.clone()).filter(|s| !s.is_empty()) {
                let mut scopes = scopes;
                pilothouse_engine::sort::sort(&mut scopes);
                w.w(1, &format!("Scopes:\t{}\n", scopes.join(", ")));
            }
            w.w(1, "Resource\tUsed\tHard\n");
            w.w(1, "--------\t---\t---\n");
            let st = q.status.clone().unwrap_or_default();
            for (r, h) in st.hard.iter().flatten() {
                let used = quantity_or_zero(st.used.as_ref().and_then(|u| u.get(r)));
                w.w(1, &format!("{}\t{}\t{}\n", r, used, canonical_quantity(&h.0)));
            }
        }
    }
    w.w(0, "\n");
    let lrs: Vec<_> = src
        .list(Kind::LimitRange, Some(name))
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::LimitRange(l) => Some(l.clone()),
            _ => None,
        })
        .collect();
    if lrs.is_empty() {
        w.w(0, "No LimitRange resource.\n");
    } else {
        w.w(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
        w.w(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
        for lr in &lrs {
            limit_range_rows(&mut w, lr, " ");
        }
    }
    w.finish()
}

fn limit_range_rows(w: &mut W, lr: &k8s_openapi::api::core::v1::LimitRange, prefix: &str) {
    for item in lr.spec.as_ref().map(|s| s.limits.as_slice()).unwrap_or(&[]) {
        let mut names: Vec<String> = Vec::new();
        for m in [&item.max, &item.min, &item.default, &item.default_request, &item.max_limit_request_ratio] {
            names.extend(m.iter().flatten().map(|(k, _)| k.clone()));
        }
        pilothouse_engine::sort::sort(&mut names);
        names.dedup();
        let get = |m: &Option<BTreeMap<String, Quantity>>, k: &str| {
            m.as_ref().and_then(|m| m.get(k)).map(|q| canonical_quantity(&q.0)).unwrap_or_else(|| "-".into())
        };
        for k in names {
            w.w(
                0,
                &format!(
                    "{prefix}{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                    item.type_,
                    k,
                    get(&item.min, &k),
                    get(&item.max, &k),
                    get(&item.default_request, &k),
                    get(&item.default, &k),
                    get(&item.max_limit_request_ratio, &k)
                ),
            );
        }
    }
}

fn describe_pv(pv: &k8s_openapi::api::core::v1::PersistentVolume, src: &dyn ObjectSource, events: &[Event]) -> String {
    let now = src.now();
    let mut w = W::new();
    let m = &pv.metadata;
    let spec = pv.spec.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, &format!("Finalizers:\t{}\n", go_slice(m.finalizers.as_deref().unwrap_or(&[]))));
    w.w(0, &format!("StorageClass:\t{}\n", pv_class(pv)));
    match &m.deletion_timestamp {
        Some(dt) => w.w(0, &format!("Status:\tTerminating (lasts {})\n", human_duration(now.signed_duration_since(dt.0)))),
        None => w.w(0, &format!("Status:\t{}\n", pv.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default())),
    }
    match &spec.claim_ref {
        Some(c) => w.w(0, &format!("Claim:\t{}/{}\n", s(&c.namespace), s(&c.name))),
        None => w.w(0, "Claim:\t\n"),
    }
    w.w(0, &format!("Reclaim Policy:\t{}\n", s(&spec.persistent_volume_reclaim_policy)));
    w.w(0, &format!("Access Modes:\t{}\n", access_modes(spec.access_modes.as_ref())));
    if let Some(vm) = &spec.volume_mode {
        w.w(0, &format!("VolumeMode:\t{vm}\n"));
    }
    w.w(0, &format!("Capacity:\t{}\n", quantity_or_zero(spec.capacity.as_ref().and_then(|c| c.get("storage")))));
    w.w(0, "Node Affinity:\t");
    match spec.node_affinity.as_ref().and_then(|a| a.required.as_ref()) {
        None => w.line("<none>"),
        Some(req) => {
            w.line("");
            w.w(1, "Required Terms:\t");
            if req.node_selector_terms.is_empty() {
                w.line("<none>");
            } else {
                w.line("");
                for (i, term) in req.node_selector_terms.iter().enumerate() {
                    w.w(2, &format!("Term {i}:\t"));
                    let exprs = term.match_expressions.as_deref().unwrap_or(&[]);
                    if exprs.is_empty() {
                        w.line("<none>");
                    }
                    for (j, e) in exprs.iter().enumerate() {
                        if j != 0 {
                            w.w(2, "\t");
                        }
                        let mut x = format!("{} {}", e.key, e.operator.to_ascii_lowercase());
                        if let Some(v) = e.values.as_ref().filter(|v| !v.is_empty()) {
                            x = format!("{x} [{}]", v.join(", "));
                        }
                        w.w(0, &format!("{x}\n"));
                    }
                }
            }
        }
    }
    w.w(0, &format!("Message:\t{}\n", pv.status.as_ref().and_then(|s| s.message.clone()).unwrap_or_default()));
    w.w(0, "Source:\n");
    if let Some(h) = &spec.host_path {
        w.w(
            2,
            &format!(
                "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                h.path,
                h.type_.as_deref().unwrap_or("<none>")
            ),
        );
    } else if let Some(n) = &spec.nfs {
        w.w(
            2,
            &format!(
                "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
                n.server,
                n.path,
                n.read_only.unwrap_or(false)
            ),
        );
    } else if let Some(l) = &spec.local {
        w.w(2, &format!("Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t{}\n", l.path));
    } else if let Some(c) = &spec.csi {
        w.w(
            2,
            &format!(
                "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    VolumeHandle:\t{}\n    ReadOnly:\t{}\n",
                c.driver,
                s(&c.fs_type),
                c.volume_handle,
                c.read_only.unwrap_or(false)
            ),
        );
        print_labels_indent(&mut w, "    ", "VolumeAttributes", "\t", c.volume_attributes.as_ref());
    } else {
        w.w(1, "<unknown>\n");
    }
    describe_events(&mut w, events, now);
    w.finish()
}

fn describe_pvc(pvc: &k8s_openapi::api::core::v1::PersistentVolumeClaim, src: &dyn ObjectSource, events: &[Event]) -> String {
    let now = src.now();
    let mut w = W::new();
    let m = &pvc.metadata;
    let spec = pvc.spec.clone().unwrap_or_default();
    let st = pvc.status.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    w.w(0, &format!("StorageClass:\t{}\n", pvc_class(pvc)));
    match &m.deletion_timestamp {
        Some(dt) => w.w(0, &format!("Status:\tTerminating (lasts {})\n", human_duration(now.signed_duration_since(dt.0)))),
        None => w.w(0, &format!("Status:\t{}\n", s(&st.phase))),
    }
    w.w(0, &format!("Volume:\t{}\n", s(&spec.volume_name)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, &format!("Finalizers:\t{}\n", go_slice(m.finalizers.as_deref().unwrap_or(&[]))));
    let (cap, modes) = if !s(&spec.volume_name).is_empty() {
        (quantity_or_zero(st.capacity.as_ref().and_then(|c| c.get("storage"))), access_modes(st.access_modes.as_ref()))
    } else {
        (String::new(), String::new())
    };
    w.w(0, &format!("Capacity:\t{cap}\n"));
    w.w(0, &format!("Access Modes:\t{modes}\n"));
    if let Some(vm) = &spec.volume_mode {
        w.w(0, &format!("VolumeMode:\t{vm}\n"));
    }
    if let Some(ds) = &spec.data_source {
        w.w(0, "DataSource:\n");
        if let Some(g) = &ds.api_group {
            w.w(1, &format!("APIGroup:\t{g}\n"));
        }
        w.w(1, &format!("Kind:\t{}\n", ds.kind));
        w.w(1, &format!("Name:\t{}\n", ds.name));
    }
    let mut users: Vec<String> = src
        .list(Kind::Pod, Some(s(&m.namespace)))
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::Pod(p) => Some(p),
            _ => None,
        })
        .filter(|p| {
            p.spec
                .as_ref()
                .and_then(|s| s.volumes.as_ref())
                .into_iter()
                .flatten()
                .any(|v| v.persistent_volume_claim.as_ref().is_some_and(|c| Some(c.claim_name.as_str()) == m.name.as_deref()))
        })
        .map(|p| s(&p.metadata.name).to_string())
        .collect();
    pilothouse_engine::sort::sort(&mut users);
    w.w(0, "Used By:\t");
    if users.is_empty() {
        w.line("<none>");
    } else {
        for (i, u) in users.iter().enumerate() {
            if i != 0 {
                w.w(0, "\t");
            }
            w.w(0, &format!("{u}\n"));
        }
    }
    if let Some(conds) = st.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n");
        w.w(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n");
        w.w(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conds {
            w.w(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    time_s(c.last_probe_time.as_ref().map(|t| &t.0)),
                    time_s(c.last_transition_time.as_ref().map(|t| &t.0)),
                    s(&c.reason),
                    s(&c.message)
                ),
            );
        }
    }
    describe_events(&mut w, events, now);
    w.finish()
}

fn describe_storage_class(sc: &k8s_openapi::api::storage::v1::StorageClass, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &sc.metadata;
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("IsDefaultClass:\t{}\n", if is_default_class(m) { "Yes" } else { "No" }));
    w.w(0, &format!("Annotations:\t{}\n", format_labels(m.annotations.as_ref())));
    w.w(0, &format!("Provisioner:\t{}\n", sc.provisioner));
    w.w(0, &format!("Parameters:\t{}\n", format_labels(sc.parameters.as_ref())));
    let ave = match sc.allow_volume_expansion {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    w.w(0, &format!("AllowVolumeExpansion:\t{ave}\n"));
    match sc.mount_options.as_ref().filter(|o| !o.is_empty()) {
        None => w.w(0, "MountOptions:\t<none>\n"),
        Some(opts) => {
            w.w(0, "MountOptions:\n");
            for o in opts {
                w.w(1, &format!("{o}\n"));
            }
        }
    }
    if let Some(r) = &sc.reclaim_policy {
        w.w(0, &format!("ReclaimPolicy:\t{r}\n"));
    }
    if let Some(b) = &sc.volume_binding_mode {
        w.w(0, &format!("VolumeBindingMode:\t{b}\n"));
    }
    if let Some(topos) = &sc.allowed_topologies {
        w.w(0, "AllowedTopologies:\t");
        if topos.is_empty() {
            w.line("<none>");
        } else {
            w.line("");
            for (i, t) in topos.iter().enumerate() {
                w.w(1, &format!("Term {i}:\t"));
                let reqs = t.match_label_expressions.as_deref().unwrap_or(&[]);
                if reqs.is_empty() {
                    w.line("<none>");
                }
                for (j, r) in reqs.iter().enumerate() {
                    if j != 0 {
                        w.w(1, "\t");
                    }
                    let mut x = format!("{} in", r.key);
                    if !r.values.is_empty() {
                        x = format!("{x} [{}]", r.values.join(", "));
                    }
                    w.w(0, &format!("{x}\n"));
                }
            }
        }
    }
    describe_events(&mut w, events, src.now());
    w.finish()
}

fn describe_configmap(cm: &k8s_openapi::api::core::v1::ConfigMap, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &cm.metadata;
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, "\nData\n====\n");
    for (k, v) in cm.data.iter().flatten() {
        w.w(0, &format!("{k}:\n----\n"));
        w.w(0, &format!("{v}\n"));
        w.w(0, "\n");
    }
    w.w(0, "\nBinaryData\n====\n");
    for (k, v) in cm.binary_data.iter().flatten() {
        w.w(0, &format!("{}: {} bytes\n", k, v.0.len()));
    }
    w.w(0, "\n");
    describe_events(&mut w, events, src.now());
    w.finish()
}

fn describe_secret(sec: &k8s_openapi::api::core::v1::Secret) -> String {
    let mut w = W::new();
    let m = &sec.metadata;
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, &format!("\nType:\t{}\n", s(&sec.type_)));
    w.w(0, "\nData\n====\n");
    for (k, v) in sec.data.iter().flatten() {
        if k == "token" && s(&sec.type_) == "kubernetes.io/service-account-token" {
            w.w(0, &format!("{}:\t{}\n", k, String::from_utf8_lossy(&v.0)));
        } else {
            w.w(0, &format!("{}:\t{} bytes\n", k, v.0.len()));
        }
    }
    w.finish()
}

fn describe_endpoints(ep: &k8s_openapi::api::core::v1::Endpoints, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &ep.metadata;
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, "Subsets:\n");
    for ss in ep.subsets.iter().flatten() {
        let a: Vec<String> = ss.addresses.iter().flatten().map(|a| a.ip.clone()).collect();
        w.w(1, &format!("Addresses:\t{}\n", or_none(&a.join(","))));
        let n: Vec<String> = ss.not_ready_addresses.iter().flatten().map(|a| a.ip.clone()).collect();
        w.w(1, &format!("NotReadyAddresses:\t{}\n", or_none(&n.join(","))));
        if let Some(ports) = ss.ports.as_ref().filter(|p| !p.is_empty()) {
            w.w(1, "Ports:\n");
            w.w(2, "Name\tPort\tProtocol\n");
            w.w(2, "----\t----\t--------\n");
            for p in ports {
                let name = if s(&p.name).is_empty() { "<unset>" } else { s(&p.name) };
                w.w(2, &format!("{}\t{}\t{}\n", name, p.port, p.protocol.as_deref().unwrap_or("TCP")));
            }
        }
        w.w(0, "\n");
    }
    describe_events(&mut w, events, src.now());
    w.finish()
}

fn describe_generic(obj: &Object, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = obj.metadata();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    let mut v = obj.to_json();
    if let serde_json::Value::Object(map) = &mut v {
        let info = obj.kind().info();
        map.entry("apiVersion").or_insert_with(|| serde_json::Value::String(info.api_version()));
        map.entry("kind").or_insert_with(|| serde_json::Value::String(info.kind.to_string()));
        print_unstructured(&mut w, 0, map, "");
    }
    describe_events(&mut w, events, src.now());
    w.finish()
}

const SKIP: &[&str] = &[".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels", ".metadata.annotations"];

fn print_unstructured(w: &mut W, level: usize, content: &serde_json::Map<String, serde_json::Value>, prefix: &str) {
    let mut keys: Vec<&String> = content.keys().collect();
    pilothouse_engine::sort::sort(&mut keys);
    for k in keys {
        let skip = format!("{prefix}.{k}");
        if SKIP.contains(&skip.as_str()) {
            continue;
        }
        match &content[k.as_str()] {
            serde_json::Value::Object(inner) => {
                w.w(level, &format!("{}:\n", smart_label(k)));
                print_unstructured(w, level + 1, inner, &skip);
            }
            serde_json::Value::Array(items) => {
                w.w(level, &format!("{}:\n", smart_label(k)));
                for item in items {
                    match item {
                        serde_json::Value::Object(inner) => print_unstructured(w, level + 1, inner, &skip),
                        other => w.w(level + 1, &format!("{}\n", super::jsonpath::value_text(other))),
                    }
                }
            }
            other => w.w(level, &format!("{}:\t{}\n", smart_label(k), super::jsonpath::value_text(other))),
        }
    }
}

/// `smartLabelFor`: `apiVersion` → `API Version`, `holderIdentity` → `Holder Identity`.
fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_ascii_alphabetic() && c != '-') {
        return field.to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = field.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = i > 0
            && ((c.is_ascii_uppercase() && chars[i - 1].is_ascii_lowercase())
                || (c.is_ascii_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()) && chars[i - 1].is_ascii_uppercase()));
        if boundary && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
        .into_iter()
        .map(|p| {
            let up = p.to_ascii_uppercase();
            if ["API", "URL", "UID", "OSB", "GUID"].contains(&up.as_str()) {
                up
            } else {
                let mut c = p.chars();
                match c.next() {
                    Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                    None => String::new(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Renders `kubectl describe` for one object, looking up related objects (events, pods,
/// ReplicaSets, endpoints, leases, quotas) through `src`. Kinds without a dedicated describer
/// in kubectl (Event, Lease, ...) use kubectl's generic describer.
pub fn describe(obj: &Object, src: &dyn ObjectSource) -> String {
    let events = object_events(obj, src);
    match obj {
        Object::Pod(p) => describe_pod(p, src, Some(events)),
        Object::Deployment(d) => describe_deployment(d, src, &events),
        Object::ReplicaSet(rs) => describe_replicaset(rs, src, &events),
        Object::Node(n) => describe_node(n, src, &events),
        Object::Service(svc) => describe_service(svc, src, &events),
        Object::Namespace(ns) => describe_namespace(ns, src),
        Object::PersistentVolume(pv) => describe_pv(pv, src, &events),
        Object::PersistentVolumeClaim(pvc) => describe_pvc(pvc, src, &events),
        Object::StorageClass(sc) => describe_storage_class(sc, src, &events),
        Object::ConfigMap(cm) => describe_configmap(cm, src, &events),
        Object::Secret(sec) => describe_secret(sec),
        Object::Endpoints(ep) => describe_endpoints(ep, src, &events),
        Object::DaemonSet(ds) => describe_daemonset(ds, src, &events),
        Object::StatefulSet(ss) => describe_statefulset(ss, src, &events),
        Object::Job(j) => describe_job(j, src, &events),
        Object::PriorityClass(pc) => describe_priority_class(pc, src, &events),
        Object::ResourceQuota(rq) => describe_quota(rq),
        Object::LimitRange(lr) => describe_limit_range(lr),
        Object::ServiceAccount(sa) => describe_service_account(sa, src, &events),
        Object::CronJob(cj) => describe_cronjob(cj, src, &events),
        Object::HorizontalPodAutoscaler(hpa) => describe_hpa(hpa, src, &events),
        Object::PodDisruptionBudget(pdb) => describe_pdb(pdb, src, &events),
        Object::Ingress(ing) => describe_ingress(ing, src, &events),
        _ => describe_generic(obj, src, &events),
    }
}

fn describe_daemonset(ds: &k8s_openapi::api::apps::v1::DaemonSet, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &ds.metadata;
    let spec = ds.spec.clone().unwrap_or_default();
    let st = ds.status.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))));
    w.w(0, &format!("Node-Selector:\t{}\n", format_labels(spec.template.spec.as_ref().and_then(|s| s.node_selector.as_ref()))));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, &format!("Desired Number of Nodes Scheduled: {}\n", st.desired_number_scheduled));
    w.w(0, &format!("Current Number of Nodes Scheduled: {}\n", st.current_number_scheduled));
    w.w(0, &format!("Number of Nodes Scheduled with Up-to-date Pods: {}\n", st.updated_number_scheduled.unwrap_or(0)));
    w.w(0, &format!("Number of Nodes Scheduled with Available Pods: {}\n", st.number_available.unwrap_or(0)));
    w.w(0, &format!("Number of Nodes Misscheduled: {}\n", st.number_misscheduled));
    let (r, wt, sc, f) = pods_status_for(src, s(&m.namespace), s(&m.uid));
    w.w(0, &format!("Pods Status:\t{r} Running / {wt} Waiting / {sc} Succeeded / {f} Failed\n"));
    describe_pod_template(&mut w, Some(&spec.template));
    describe_events(&mut w, events, src.now());
    w.finish()
}

fn describe_statefulset(ss: &k8s_openapi::api::apps::v1::StatefulSet, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &ss.metadata;
    let spec = ss.spec.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    w.w(0, &format!("CreationTimestamp:\t{}\n", time_s(m.creation_timestamp.as_ref().map(|t| &t.0))));
    w.w(0, &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(
        0,
        &format!(
            "Replicas:\t{} desired | {} total\n",
            spec.replicas.unwrap_or(1),
            ss.status.as_ref().map(|s| s.replicas).unwrap_or(0)
        ),
    );
    let us = spec.update_strategy.clone().unwrap_or_default();
    w.w(0, &format!("Update Strategy:\t{}\n", s(&us.type_)));
    if let Some(ru) = &us.rolling_update {
        if let Some(p) = ru.partition {
            w.w(1, &format!("Partition:\t{p}\n"));
            if let Some(mu) = &ru.max_unavailable {
                w.w(1, &format!("MaxUnavailable:\t{}\n", int_or_string(mu)));
            }
        }
    }
    let (r, wt, sc, f) = pods_status_for(src, s(&m.namespace), s(&m.uid));
    w.w(0, &format!("Pods Status:\t{r} Running / {wt} Waiting / {sc} Succeeded / {f} Failed\n"));
    describe_pod_template(&mut w, Some(&spec.template));
    match spec.volume_claim_templates.as_ref().filter(|v| !v.is_empty()) {
        None => w.w(0, "Volume Claims:\t<none>\n"),
        Some(vcts) => {
            w.w(0, "Volume Claims:\n");
            for pvc in vcts {
                w.w(1, &format!("Name:\t{}\n", s(&pvc.metadata.name)));
                w.w(1, &format!("StorageClass:\t{}\n", pvc_class(pvc)));
                print_labels_indent(&mut w, "  ", "Labels", "\t", pvc.metadata.labels.as_ref());
                print_labels_indent(&mut w, "  ", "Annotations", "\t", pvc.metadata.annotations.as_ref());
                let ps = pvc.spec.clone().unwrap_or_default();
                match ps.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")) {
                    Some(q) => w.w(1, &format!("Capacity:\t{}\n", canonical_quantity(&q.0))),
                    None => w.w(1, "Capacity:\t<default>\n"),
                }
                w.w(1, &format!("Access Modes:\t{}\n", go_slice(ps.access_modes.as_deref().unwrap_or(&[]))));
            }
        }
    }
    describe_events(&mut w, events, src.now());
    w.finish()
}

fn describe_job(j: &k8s_openapi::api::batch::v1::Job, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &j.metadata;
    let spec = j.spec.clone().unwrap_or_default();
    let st = j.status.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    w.w(0, &format!("Selector:\t{}\n", selector_string(spec.selector.as_ref())));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    if let Some(c) = controller_of(m) {
        w.w(0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(p) = spec.parallelism {
        w.w(0, &format!("Parallelism:\t{p}\n"));
    }
    match spec.completions {
        Some(c) => w.w(0, &format!("Completions:\t{c}\n")),
        None => w.w(0, "Completions:\t<unset>\n"),
    }
    if let Some(cm) = &spec.completion_mode {
        w.w(0, &format!("Completion Mode:\t{cm}\n"));
    }
    if let Some(sus) = spec.suspend {
        w.w(0, &format!("Suspend:\t{sus}\n"));
    }
    if let Some(b) = spec.backoff_limit {
        w.w(0, &format!("Backoff Limit:\t{b}\n"));
    }
    if let Some(t) = spec.ttl_seconds_after_finished {
        w.w(0, &format!("TTL Seconds After Finished:\t{t}\n"));
    }
    if let Some(t) = &st.start_time {
        w.w(0, &format!("Start Time:\t{}\n", rfc1123z(&t.0)));
    }
    if let Some(t) = &st.completion_time {
        w.w(0, &format!("Completed At:\t{}\n", rfc1123z(&t.0)));
    }
    if let (Some(a), Some(b)) = (&st.start_time, &st.completion_time) {
        w.w(0, &format!("Duration:\t{}\n", human_duration(b.0.signed_duration_since(a.0))));
    }
    if let Some(a) = spec.active_deadline_seconds {
        w.w(0, &format!("Active Deadline Seconds:\t{a}s\n"));
    }
    let (a, sc, f) = (st.active.unwrap_or(0), st.succeeded.unwrap_or(0), st.failed.unwrap_or(0));
    match st.ready {
        None => w.w(0, &format!("Pods Statuses:\t{a} Active / {sc} Succeeded / {f} Failed\n")),
        Some(r) => w.w(0, &format!("Pods Statuses:\t{a} Active ({r} Ready) / {sc} Succeeded / {f} Failed\n")),
    }
    if spec.completion_mode.as_deref() == Some("Indexed") {
        w.w(0, &format!("Completed Indexes:\t{}\n", cap_indexes_or_none(s(&st.completed_indexes), 50)));
    }
    describe_pod_template(&mut w, Some(&spec.template));
    describe_events(&mut w, events, src.now());
    w.finish()
}

fn describe_priority_class(pc: &k8s_openapi::api::scheduling::v1::PriorityClass, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    w.w(0, &format!("Name:\t{}\n", s(&pc.metadata.name)));
    w.w(0, &format!("Value:\t{}\n", pc.value));
    w.w(0, &format!("GlobalDefault:\t{}\n", pc.global_default.unwrap_or(false)));
    w.w(0, &format!("PreemptionPolicy:\t{}\n", s(&pc.preemption_policy)));
    w.w(0, &format!("Description:\t{}\n", s(&pc.description)));
    w.w(0, &format!("Annotations:\t{}\n", format_labels(pc.metadata.annotations.as_ref())));
    describe_events(&mut w, events, src.now());
    w.finish()
}

fn describe_quota(rq: &k8s_openapi::api::core::v1::ResourceQuota) -> String {
    let mut w = W::new();
    w.w(0, &format!("Name:\t{}\n", s(&rq.metadata.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&rq.metadata.namespace)));
    if let Some(scopes) = rq.spec.as_ref().and_then(|s| s.scopes.clone()).filter(|s| !s.is_empty()) {
        let mut scopes = scopes;
        pilothouse_engine::sort::sort(&mut scopes);
        w.w(0, &format!("Scopes:\t{}\n", scopes.join(", ")));
    }
    w.w(0, "Resource\tUsed\tHard\n");
    w.w(0, "--------\t----\t----\n");
    let st = rq.status.clone().unwrap_or_default();
    for (r, h) in st.hard.iter().flatten() {
        let used = quantity_or_zero(st.used.as_ref().and_then(|u| u.get(r)));
        w.w(0, &format!("{}\t{}\t{}\n", r, used, canonical_quantity(&h.0)));
    }
    w.finish()
}

fn describe_limit_range(lr: &k8s_openapi::api::core::v1::LimitRange) -> String {
    let mut w = W::new();
    w.w(0, &format!("Name:\t{}\n", s(&lr.metadata.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&lr.metadata.namespace)));
    w.w(0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
    w.w(0, "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
    limit_range_rows(&mut w, lr, "");
    w.finish()
}

fn describe_service_account(sa: &k8s_openapi::api::core::v1::ServiceAccount, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &sa.metadata;
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    let pull: Vec<String> = sa.image_pull_secrets.iter().flatten().map(|s| s.name.clone()).collect();
    let mount: Vec<String> = sa.secrets.iter().flatten().map(|s| s.name.clone().unwrap_or_default()).collect();
    let tokens: Vec<String> = Vec::new();
    for (header, names) in [("Image pull secrets:", pull), ("Mountable secrets: ", mount), ("Tokens:            ", tokens)] {
        if names.is_empty() {
            w.w(0, &format!("{header}\t<none>\n"));
        } else {
            let mut prefix = header.to_string();
            for n in names {
                w.w(0, &format!("{prefix}\t{n}\n"));
                prefix = "                   ".to_string();
            }
        }
    }
    describe_events(&mut w, events, src.now());
    w.finish()
}

/// `capIndexesListOrNone`: the list cut after the first comma past `soft_limit` characters.
fn cap_indexes_or_none(indexes: &str, soft_limit: usize) -> String {
    if indexes.is_empty() {
        return "<none>".to_string();
    }
    let b = indexes.as_bytes();
    let mut ix = soft_limit;
    while ix < b.len() && b[ix] != b',' {
        ix += 1;
    }
    if ix >= b.len() {
        return indexes.to_string();
    }
    format!("{}...", &indexes[..ix + 1])
}

/// `printBoolPtr`.
fn bool_ptr(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    }
}

fn describe_cronjob(cj: &k8s_openapi::api::batch::v1::CronJob, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &cj.metadata;
    let spec = cj.spec.clone().unwrap_or_default();
    let st = cj.status.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, &format!("Schedule:\t{}\n", spec.schedule));
    w.w(0, &format!("Concurrency Policy:\t{}\n", s(&spec.concurrency_policy)));
    w.w(0, &format!("Suspend:\t{}\n", bool_ptr(spec.suspend)));
    // kubectl 1.32's describe has no line for spec.timeZone, set or not.
    match spec.successful_jobs_history_limit {
        Some(l) => w.w(0, &format!("Successful Job History Limit:\t{l}\n")),
        None => w.w(0, "Successful Job History Limit:\t<unset>\n"),
    }
    match spec.failed_jobs_history_limit {
        Some(l) => w.w(0, &format!("Failed Job History Limit:\t{l}\n")),
        None => w.w(0, "Failed Job History Limit:\t<unset>\n"),
    }
    match spec.starting_deadline_seconds {
        Some(d) => w.w(0, &format!("Starting Deadline Seconds:\t{d}s\n")),
        None => w.w(0, "Starting Deadline Seconds:\t<unset>\n"),
    }
    // describeJobTemplate
    let jspec = spec.job_template.spec.clone().unwrap_or_default();
    match &jspec.selector {
        Some(sel) => w.w(0, &format!("Selector:\t{}\n", selector_string(Some(sel)))),
        None => w.w(0, "Selector:\t<unset>\n"),
    }
    match jspec.parallelism {
        Some(p) => w.w(0, &format!("Parallelism:\t{p}\n")),
        None => w.w(0, "Parallelism:\t<unset>\n"),
    }
    match jspec.completions {
        Some(c) => w.w(0, &format!("Completions:\t{c}\n")),
        None => w.w(0, "Completions:\t<unset>\n"),
    }
    if let Some(a) = jspec.active_deadline_seconds {
        w.w(0, &format!("Active Deadline Seconds:\t{a}s\n"));
    }
    describe_pod_template(&mut w, Some(&jspec.template));
    match &st.last_schedule_time {
        Some(t) => w.w(0, &format!("Last Schedule Time:\t{}\n", rfc1123z(&t.0))),
        None => w.w(0, "Last Schedule Time:\t<unset>\n"),
    }
    // printActiveJobs
    w.w(0, "Active Jobs:\t");
    let active = st.active.clone().unwrap_or_default();
    if active.is_empty() {
        w.line("<none>");
    } else {
        let names: Vec<&str> = active.iter().map(|r| s(&r.name)).collect();
        w.line(&names.join(", "));
    }
    describe_events(&mut w, events, src.now());
    w.finish()
}

/// `resource.Quantity.String()` of an optional quantity (`<nil>` for a nil pointer, as Go prints it).
fn quantity_str(q: Option<&Quantity>) -> String {
    match q {
        Some(q) => canonical_quantity(&q.0),
        None => "<nil>".to_string(),
    }
}

fn describe_hpa(hpa: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &hpa.metadata;
    let spec = hpa.spec.clone().unwrap_or_default();
    let st = hpa.status.clone().unwrap_or_default();
    let current = st.current_metrics.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, &format!("CreationTimestamp:\t{}\n", time_s(m.creation_timestamp.as_ref().map(|t| &t.0))));
    w.w(0, &format!("Reference:\t{}/{}\n", spec.scale_target_ref.kind, spec.scale_target_ref.name));
    w.w(0, "Metrics:\t( current / target )\n");
    for (i, metric) in spec.metrics.iter().flatten().enumerate() {
        let cur = current.get(i);
        match metric.type_.as_str() {
            "External" => {
                let Some(ext) = &metric.external else { continue };
                if ext.target.average_value.is_some() {
                    let c = cur.and_then(|c| c.external.as_ref()).and_then(|e| e.current.average_value.as_ref()).map(|q| canonical_quantity(&q.0)).unwrap_or_else(|| "<unknown>".into());
                    w.w(1, &format!("{:?} (target average value):\t{} / {}\n", ext.metric.name, c, quantity_str(ext.target.average_value.as_ref())));
                } else {
                    let c = cur.and_then(|c| c.external.as_ref()).map(|e| quantity_str(e.current.value.as_ref())).unwrap_or_else(|| "<unknown>".into());
                    w.w(1, &format!("{:?} (target value):\t{} / {}\n", ext.metric.name, c, quantity_str(ext.target.value.as_ref())));
                }
            }
            "Pods" => {
                let Some(pm) = &metric.pods else { continue };
                let c = cur.and_then(|c| c.pods.as_ref()).map(|p| quantity_str(p.current.average_value.as_ref())).unwrap_or_else(|| "<unknown>".into());
                w.w(1, &format!("{:?} on pods:\t{} / {}\n", pm.metric.name, c, quantity_str(pm.target.average_value.as_ref())));
            }
            "Object" => {
                let Some(om) = &metric.object else { continue };
                w.w(1, &format!("\"{}\" on {}/{} ", om.metric.name, om.described_object.kind, om.described_object.name));
                if om.target.type_ == "AverageValue" {
                    let c = cur.and_then(|c| c.object.as_ref()).map(|o| quantity_str(o.current.average_value.as_ref())).unwrap_or_else(|| "<unknown>".into());
                    w.w(0, &format!("(target average value):\t{} / {}\n", c, quantity_str(om.target.average_value.as_ref())));
                } else {
                    let c = cur.and_then(|c| c.object.as_ref()).map(|o| quantity_str(o.current.value.as_ref())).unwrap_or_else(|| "<unknown>".into());
                    w.w(0, &format!("(target value):\t{} / {}\n", c, quantity_str(om.target.value.as_ref())));
                }
            }
            "Resource" => {
                let Some(rm) = &metric.resource else { continue };
                w.w(1, &format!("resource {} on pods", rm.name));
                if rm.target.average_value.is_some() {
                    let c = cur.and_then(|c| c.resource.as_ref()).map(|r| quantity_str(r.current.average_value.as_ref())).unwrap_or_else(|| "<unknown>".into());
                    w.w(0, &format!(":\t{} / {}\n", c, quantity_str(rm.target.average_value.as_ref())));
                } else {
                    let c = cur
                        .and_then(|c| c.resource.as_ref())
                        .and_then(|r| r.current.average_utilization.map(|u| format!("{u}% ({})", quantity_str(r.current.average_value.as_ref()))))
                        .unwrap_or_else(|| "<unknown>".into());
                    let target = rm.target.average_utilization.map(|u| format!("{u}%")).unwrap_or_else(|| "<auto>".into());
                    w.w(1, &format!("(as a percentage of request):\t{c} / {target}\n"));
                }
            }
            "ContainerResource" => {
                let Some(cm) = &metric.container_resource else { continue };
                w.w(1, &format!("resource {} of container \"{}\" on pods", cm.name, cm.container));
                if cm.target.average_value.is_some() {
                    let c = cur.and_then(|c| c.container_resource.as_ref()).map(|r| quantity_str(r.current.average_value.as_ref())).unwrap_or_else(|| "<unknown>".into());
                    w.w(0, &format!(":\t{} / {}\n", c, quantity_str(cm.target.average_value.as_ref())));
                } else {
                    let c = cur
                        .and_then(|c| c.container_resource.as_ref())
                        .and_then(|r| r.current.average_utilization.map(|u| format!("{u}% ({})", quantity_str(r.current.average_value.as_ref()))))
                        .unwrap_or_else(|| "<unknown>".into());
                    let target = cm.target.average_utilization.map(|u| format!("{u}%")).unwrap_or_else(|| "<auto>".into());
                    w.w(1, &format!("(as a percentage of request):\t{c} / {target}\n"));
                }
            }
            other => w.w(1, &format!("<unknown metric type {other:?}>\n")),
        }
    }
    match spec.min_replicas {
        Some(n) => w.w(0, &format!("Min replicas:\t{n}\n")),
        None => w.w(0, "Min replicas:\t<unset>\n"),
    }
    w.w(0, &format!("Max replicas:\t{}\n", spec.max_replicas));
    if let Some(b) = &spec.behavior {
        w.w(0, "Behavior:\n");
        for (dir, rules) in [("Scale Up", &b.scale_up), ("Scale Down", &b.scale_down)] {
            let Some(r) = rules else { continue };
            w.w(1, &format!("{dir}:\n"));
            if let Some(sw) = r.stabilization_window_seconds {
                w.w(2, &format!("Stabilization Window: {sw} seconds\n"));
            }
            if let Some(policies) = r.policies.as_ref().filter(|p| !p.is_empty()) {
                w.w(2, &format!("Select Policy: {}\n", r.select_policy.as_deref().unwrap_or("Max")));
                w.w(2, "Policies:\n");
                for p in policies {
                    w.w(3, &format!("- Type: {}\tValue: {}\tPeriod: {} seconds\n", p.type_, p.value, p.period_seconds));
                }
            }
        }
    }
    w.w(0, &format!("{} pods:\t", spec.scale_target_ref.kind));
    w.w(0, &format!("{} current / {} desired\n", st.current_replicas.unwrap_or(0), st.desired_replicas));
    if let Some(conds) = st.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n");
        w.w(1, "Type\tStatus\tReason\tMessage\n");
        w.w(1, "----\t------\t------\t-------\n");
        for c in conds {
            w.w(1, &format!("{}\t{}\t{}\t{}\n", c.type_, c.status, s(&c.reason), s(&c.message)));
        }
    }
    describe_events(&mut w, events, src.now());
    w.finish()
}

fn describe_pdb(pdb: &k8s_openapi::api::policy::v1::PodDisruptionBudget, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &pdb.metadata;
    let spec = pdb.spec.clone().unwrap_or_default();
    let st = pdb.status.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    w.w(0, &format!("Namespace:\t{}\n", s(&m.namespace)));
    if let Some(v) = &spec.min_available {
        w.w(0, &format!("Min available:\t{}\n", int_or_string(v)));
    } else if let Some(v) = &spec.max_unavailable {
        w.w(0, &format!("Max unavailable:\t{}\n", int_or_string(v)));
    }
    match &spec.selector {
        Some(sel) => w.w(0, &format!("Selector:\t{}\n", format_label_selector(Some(sel)))),
        None => w.w(0, "Selector:\t<unset>\n"),
    }
    w.w(0, "Status:\n");
    w.w(2, &format!("Allowed disruptions:\t{}\n", st.disruptions_allowed));
    w.w(2, &format!("Current:\t{}\n", st.current_healthy));
    w.w(2, &format!("Desired:\t{}\n", st.desired_healthy));
    w.w(2, &format!("Total:\t{}\n", st.expected_pods));
    describe_events(&mut w, events, src.now());
    w.finish()
}

/// `serviceBackendStringer`: `name:port`.
fn service_backend_string(b: &k8s_openapi::api::networking::v1::IngressServiceBackend) -> String {
    let port = b.port.as_ref();
    let p = match port.and_then(|p| p.number).filter(|n| *n != 0) {
        Some(n) => n.to_string(),
        None => port.and_then(|p| p.name.clone()).unwrap_or_default(),
    };
    format!("{}:{}", b.name, p)
}

/// A Service's EndpointSlices (label `kubernetes.io/service-name`), as the API lists them: by name.
fn service_slices(src: &dyn ObjectSource, ns: &str, service: &str) -> Vec<k8s_openapi::api::discovery::v1::EndpointSlice> {
    src.list(Kind::EndpointSlice, Some(ns))
        .iter()
        .filter_map(|o| match &**o {
            Object::EndpointSlice(sl) if sl.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/service-name")).is_some_and(|n| n == service) => Some(sl.clone()),
            _ => None,
        })
        .collect()
}

/// `describeBackendV1`: the service backend with its endpoints (for the service port the
/// backend names), or the resource backend.
fn describe_ingress_backend(src: &dyn ObjectSource, ns: &str, backend: &k8s_openapi::api::networking::v1::IngressBackend) -> String {
    if let Some(svc) = &backend.service {
        let sb = service_backend_string(svc);
        let slices = service_slices(src, ns, &svc.name);
        let slices: Vec<&k8s_openapi::api::discovery::v1::EndpointSlice> = slices.iter().collect();
        let service = match src.get(Kind::Service, ns, &svc.name).as_deref() {
            Some(Object::Service(s)) => s.clone(),
            _ => return format!("{sb} (<error: services \"{}\" not found>)", svc.name),
        };
        let want_num = svc.port.as_ref().and_then(|p| p.number).unwrap_or(0);
        let want_name = svc.port.as_ref().and_then(|p| p.name.clone()).unwrap_or_default();
        let mut sp_name = String::new();
        for sp in service.spec.as_ref().and_then(|s| s.ports.as_ref()).into_iter().flatten() {
            let name = sp.name.clone().unwrap_or_default();
            if (want_num != 0 && want_num == sp.port) || (!want_name.is_empty() && want_name == name) {
                sp_name = name;
            }
        }
        return format!("{sb} ({})", format_endpoint_slices(&slices, &[sp_name]));
    }
    if let Some(r) = &backend.resource {
        let group = r.api_group.clone().unwrap_or_else(|| "<none>".into());
        return format!("APIGroup: {group}, Kind: {}, Name: {}", r.kind, r.name);
    }
    String::new()
}

fn describe_ingress(ing: &k8s_openapi::api::networking::v1::Ingress, src: &dyn ObjectSource, events: &[Event]) -> String {
    let mut w = W::new();
    let m = &ing.metadata;
    let ns = s(&m.namespace);
    let spec = ing.spec.clone().unwrap_or_default();
    w.w(0, &format!("Name:\t{}\n", s(&m.name)));
    print_labels(&mut w, "Labels", m.labels.as_ref());
    w.w(0, &format!("Namespace:\t{ns}\n"));
    // ingressLoadBalancerStatusStringerV1(status, wide=true)
    w.w(0, &format!("Address:\t{}\n", super::table::ingress_addresses(ing).join(",")));
    w.w(0, &format!("Ingress Class:\t{}\n", spec.ingress_class_name.as_deref().unwrap_or("<none>")));
    let default_backend = match &spec.default_backend {
        Some(d) => describe_ingress_backend(src, ns, d),
        None => "<default>".to_string(),
    };
    w.w(0, &format!("Default backend:\t{default_backend}\n"));
    if let Some(tls) = spec.tls.as_ref().filter(|t| !t.is_empty()) {
        w.w(0, "TLS:\n");
        for t in tls {
            let hosts = t.hosts.clone().unwrap_or_default().join(",");
            match t.secret_name.as_deref().filter(|s| !s.is_empty()) {
                None => w.w(1, &format!("SNI routes {hosts}\n")),
                Some(sec) => w.w(1, &format!("{sec} terminates {hosts}\n")),
            }
        }
    }
    w.w(0, "Rules:\n  Host\tPath\tBackends\n");
    w.w(1, "----\t----\t--------\n");
    let mut count = 0;
    for rule in spec.rules.iter().flatten() {
        let Some(http) = &rule.http else { continue };
        count += 1;
        let host = rule.host.as_deref().filter(|h| !h.is_empty()).unwrap_or("*");
        w.w(1, &format!("{host}\t\n"));
        for path in &http.paths {
            w.w(2, &format!("\t{} \t{}\n", s(&path.path), describe_ingress_backend(src, ns, &path.backend)));
        }
    }
    if count == 0 {
        w.w(1, &format!("*\t*\t{default_backend}\n"));
    }
    print_annotations(&mut w, "Annotations", m.annotations.as_ref());
    describe_events(&mut w, events, src.now());
    w.finish()
}
