//! `kubectl create` (from files and the generators: deployment, namespace, configmap, secret
//! generic/tls/docker-registry, service, job, cronjob, serviceaccount, ingress,
//! poddisruptionbudget, priorityclass, quota) and `kubectl run`. The RBAC generators (role,
//! clusterrole, rolebinding, clusterrolebinding) are absent: the engine serves no RBAC kinds.
//! The generators build the same JSON as kubectl's, so `--dry-run=client -o yaml` prints what
//! the real one prints.

use super::apply::{api_err, apply_like, Mode};
use super::{namespace, parse_flags, ref_name};
use crate::flags::{b, i, s, Flag, Parsed};
use crate::shell::{Out, Shell};
use base64::Engine as _;
use pilothouse_engine::api::{Kind, Object};
use serde_json::{json, Map, Value};

const CREATE_FLAGS: &[Flag] = &[
    s("filename", Some('f')),
    b("recursive", Some('R')),
    s("dry-run", None),
    s("output", Some('o')),
    b("save-config", None),
    crate::flags::VALIDATE,
    s("field-manager", None),
    b("edit", None),
    b("windows-line-endings", None),
    s("selector", Some('l')),
    s("raw", None),
    s("kustomize", Some('k')),
];

const GEN_COMMON: &[Flag] = &[s("dry-run", None), s("output", Some('o')), b("save-config", None), crate::flags::VALIDATE, s("field-manager", None)];

/// The sub-generators of `kubectl create`.
pub const CREATE_SUBCOMMANDS: &[&str] = &[
    "clusterrole", "clusterrolebinding", "configmap", "cronjob", "deployment", "ingress", "job", "namespace", "poddisruptionbudget",
    "priorityclass", "quota", "role", "rolebinding", "secret", "service", "serviceaccount", "token",
];

fn with_common(extra: &[Flag]) -> Vec<Flag> {
    let mut v = extra.to_vec();
    v.extend_from_slice(GEN_COMMON);
    v
}

/// `kubectl create`.
pub fn create(sh: &mut Shell, args: &[String], stdin: Option<String>, out: &mut Out) {
    let sub = args.iter().find(|a| !a.starts_with('-')).cloned();
    let sub_is_generator = sub.as_deref().is_some_and(|s| CREATE_SUBCOMMANDS.contains(&s) || matches!(s, "deploy" | "ns" | "cm" | "svc" | "sa" | "cj" | "pdb" | "pc" | "ing" | "resourcequota"));
    if sub_is_generator && args.first().map(String::as_str) == sub.as_deref() {
        let sub = sub.unwrap_or_default();
        let rest = &args[1..];
        return match sub.as_str() {
            "deployment" | "deploy" => create_deployment(sh, rest, out),
            "namespace" | "ns" => create_simple(sh, rest, out, "namespace"),
            "serviceaccount" | "sa" => create_simple(sh, rest, out, "serviceaccount"),
            "configmap" | "cm" => create_configmap(sh, rest, out),
            "secret" => create_secret(sh, rest, out),
            "service" | "svc" => create_service(sh, rest, out),
            "job" => create_job(sh, rest, out, false),
            "cronjob" | "cj" => create_job(sh, rest, out, true),
            "priorityclass" | "pc" => create_priorityclass(sh, rest, out),
            "ingress" | "ing" => create_ingress(sh, rest, out),
            "poddisruptionbudget" | "pdb" => create_pdb(sh, rest, out),
            "quota" | "resourcequota" => create_quota(sh, rest, out),
            other => out.fail(format!("\"kubectl create {other}\" is not supported in Pilothouse yet")),
        };
    }
    let Some(p) = parse_flags(out, "kubectl create", args, CREATE_FLAGS) else { return };
    if !p.args.is_empty() {
        return out.fail(format!("Unexpected args: [{}]\nSee 'kubectl create -h' for help and examples", p.args.join(" ")));
    }
    if !p.has("filename") {
        return out.fail("must specify one of -f and -k");
    }
    apply_like(sh, &p, stdin, out, Mode::Create);
}

/// Exactly one NAME, or kubectl's error.
fn one_name(out: &mut Out, p: &Parsed, path: &str) -> Option<String> {
    if p.args.len() != 1 {
        out.fail(format!("exactly one NAME is required, got {}\nSee '{path} -h' for help and examples", p.args.len()));
        return None;
    }
    Some(p.args[0].clone())
}

fn meta(name: &str, ns: &super::Ns, labels: Option<Value>) -> Value {
    let mut m = Map::new();
    m.insert("creationTimestamp".into(), Value::Null);
    if let Some(l) = labels {
        m.insert("labels".into(), l);
    }
    m.insert("name".into(), json!(name));
    if ns.explicit {
        m.insert("namespace".into(), json!(ns.ns));
    }
    Value::Object(m)
}

/// Finishes a generator: prints for dry runs, or creates and prints `kind/name created`.
pub fn finish(sh: &mut Shell, out: &mut Out, p: &Parsed, kind: Kind, value: Value) {
    let dry = match p.get("dry-run") {
        None | Some("none") | Some("false") => None,
        Some("client") | Some("true") | Some("unchanged") => Some(" (dry run)"),
        Some("server") => Some(" (server dry run)"),
        Some(other) => return out.fail(format!("Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\".")),
    };
    let name = value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
    let output = p.get("output");
    if let Some(o) = output {
        if let Err(e) = crate::printers::parse_output_format(o) {
            return out.fail(e);
        }
    }
    let mut obj = match Object::from_json_as(kind, value.clone()) {
        Ok(o) => o,
        Err(e) => return out.fail(e),
    };
    let ns = namespace(sh, p);
    if kind.info().namespaced && obj.metadata().namespace.is_none() {
        obj.metadata_mut().namespace = Some(ns.ns.clone());
    }
    if let Some(suffix) = dry {
        if suffix == " (server dry run)" {
            if let Err(e) = sh.cluster.api.admit_create(obj.clone()) {
                out.errln(api_err(&e));
                out.code = 1;
                return;
            }
        }
        match output {
            Some(o) if o != "name" => {
                let fmt = crate::printers::parse_output_format(o).unwrap_or(crate::printers::OutputFormat::Yaml);
                let shown = match fmt {
                    crate::printers::OutputFormat::Yaml => Ok(crate::printers::to_yaml(&value)),
                    crate::printers::OutputFormat::Json => Ok(crate::printers::to_json(&value)),
                    ref f => crate::printers::print_objects(&[&obj], f, true, false),
                };
                match shown {
                    Ok(s) => out.out(s),
                    Err(e) => out.fail(e),
                }
            }
            Some(_) => out.outln(ref_name(kind, &name)),
            None => out.outln(format!("{} created{suffix}", ref_name(kind, &name))),
        }
        return;
    }
    if p.bool("save-config") {
        let text = pilothouse_engine::apiserver::last_applied_text(&obj);
        obj.metadata_mut().annotations.get_or_insert_with(Default::default).insert(pilothouse_engine::apiserver::LAST_APPLIED.into(), text);
    }
    match sh.cluster.create(obj) {
        Ok(created) => match output {
            Some("name") => out.outln(ref_name(kind, &name)),
            Some(o) => {
                let fmt = crate::printers::parse_output_format(o).unwrap_or(crate::printers::OutputFormat::Yaml);
                match crate::printers::print_objects(&[&created], &fmt, true, false) {
                    Ok(s) => out.out(s),
                    Err(e) => out.fail(e),
                }
            }
            None => out.outln(format!("{} created", ref_name(kind, &name))),
        },
        Err(e) => {
            out.errln(match create_failure_prefix(kind, &value) {
                Some(prefix) => format!("error: {prefix}{e}"),
                None => api_err(&e),
            });
            out.code = 1;
        }
    }
}

/// How `kubectl create <generator>` wraps a failed create (its `fmt.Errorf("failed to create
/// ...: %v", err)`, which prints as `error: ...` instead of `Error from server (...)`);
/// `create namespace` and `run` return the API error as it is.
fn create_failure_prefix(kind: Kind, value: &Value) -> Option<String> {
    Some(match kind {
        Kind::Deployment => "failed to create deployment: ".into(),
        Kind::ConfigMap => "failed to create configmap: ".into(),
        // (sic: no colon in kubectl's secret generators)
        Kind::Secret => "failed to create secret ".into(),
        Kind::Service => format!("failed to create {} service: ", value.pointer("/spec/type").and_then(Value::as_str).unwrap_or("ClusterIP")),
        Kind::Job => "failed to create job: ".into(),
        Kind::CronJob => "failed to create cronjob: ".into(),
        Kind::ServiceAccount => "failed to create serviceaccount: ".into(),
        Kind::ResourceQuota => "failed to create quota: ".into(),
        Kind::PriorityClass => "failed to create priorityclass: ".into(),
        Kind::Ingress => "failed to create ingress: ".into(),
        Kind::PodDisruptionBudget => "failed to create poddisruptionbudgets: ".into(),
        _ => return None,
    })
}

/// The container name kubectl derives from an image (`registry/x/nginx:1.2` -> `nginx`).
pub fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let last = last.split(':').next().unwrap_or(last);
    let last = last.split('@').next().unwrap_or(last);
    last.replace(['_', '.'], "-").to_ascii_lowercase()
}

fn create_deployment(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = with_common(&[s("image", None), i("replicas", Some('r')), i("port", None)]);
    let Some(p) = parse_flags(out, "kubectl create deployment", args, &spec) else { return };
    let images = p.all("image");
    if images.is_empty() {
        return out.fail("required flag(s) \"image\" not set");
    }
    let Some(name) = one_name(out, &p, "kubectl create deployment") else { return };
    let command = p.dash.clone().unwrap_or_default();
    if images.len() > 1 && !command.is_empty() {
        return out.fail("cannot specify multiple --image options and command");
    }
    let ns = namespace(sh, &p);
    let labels = json!({ "app": name });
    let mut containers = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for img in &images {
        let mut cname = container_name(img);
        if used.contains(&cname) {
            let mut n = 1;
            while used.contains(&format!("{cname}-{n}")) {
                n += 1;
            }
            cname = format!("{cname}-{n}");
        }
        used.push(cname.clone());
        let mut c = Map::new();
        if !command.is_empty() {
            c.insert("command".into(), json!(command));
        }
        c.insert("image".into(), json!(img));
        c.insert("name".into(), json!(cname));
        c.insert("resources".into(), json!({}));
        containers.push(Value::Object(c));
    }
    if let Some(port) = p.int("port").filter(|p| *p >= 0) {
        if let Some(Value::Object(c)) = containers.first_mut() {
            let res = c.remove("resources");
            c.insert("ports".into(), json!([{ "containerPort": port }]));
            if let Some(r) = res {
                c.insert("resources".into(), r);
            }
        }
    }
    let replicas = p.int("replicas").unwrap_or(1);
    let value = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(&name, &ns, Some(labels.clone())),
        "spec": {
            "replicas": replicas,
            "selector": { "matchLabels": labels.clone() },
            "strategy": {},
            "template": {
                "metadata": { "creationTimestamp": null, "labels": labels },
                "spec": { "containers": containers }
            }
        },
        "status": {}
    });
    finish(sh, out, &p, Kind::Deployment, value);
}

fn create_simple(sh: &mut Shell, args: &[String], out: &mut Out, what: &str) {
    let path = format!("kubectl create {what}");
    let Some(p) = parse_flags(out, &path, args, GEN_COMMON) else { return };
    let Some(name) = one_name(out, &p, &path) else { return };
    let ns = namespace(sh, &p);
    let (kind, value) = if what == "namespace" {
        (Kind::Namespace, json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"creationTimestamp": null, "name": name}, "spec": {}, "status": {}}))
    } else {
        (Kind::ServiceAccount, json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(&name, &ns, None)}))
    };
    finish(sh, out, &p, kind, value);
}

/// Reads `--from-literal`, `--from-file` and `--from-env-file` into a data map.
/// `secret` says which of kubectl's words a repeated key gets; `name` is the object's.
fn collect_data(sh: &Shell, p: &Parsed, out: &mut Out, name: &str, secret: bool) -> Option<Map<String, Value>> {
    let mut data = Map::new();
    for lit in p.all("from-literal") {
        let Some((k, v)) = lit.split_once('=') else {
            out.fail(format!("invalid literal source {lit}, expected key=value"));
            return None;
        };
        if data.contains_key(k) {
            // kubectl's words differ by kind.
            out.fail(if secret {
                format!("cannot add key {k}, another key by that name already exists")
            } else {
                format!("cannot add key {k:?}, another key by that name already exists in Data for ConfigMap {name:?}")
            });
            return None;
        }
        data.insert(k.to_string(), json!(v));
    }
    for f in p.all("from-file") {
        let (key, path) = match f.split_once('=') {
            Some((k, p)) => (k.to_string(), p.to_string()),
            None => (f.rsplit('/').next().unwrap_or(&f).to_string(), f.clone()),
        };
        match sh.read_file(&path) {
            Some(c) => {
                data.insert(key, json!(c));
            }
            None => {
                out.fail(format!("error reading {path}: no such file or directory"));
                return None;
            }
        }
    }
    for f in p.all("from-env-file") {
        match sh.read_file(&f) {
            Some(c) => {
                for line in c.lines() {
                    let line = line.trim();
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    let (k, v) = line.split_once('=').unwrap_or((line, ""));
                    data.insert(k.to_string(), json!(v));
                }
            }
            None => {
                out.fail(format!("error reading {f}: no such file or directory"));
                return None;
            }
        }
    }
    Some(data)
}

fn create_configmap(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = with_common(&[s("from-literal", None), s("from-file", None), s("from-env-file", None), b("append-hash", None)]);
    let Some(p) = parse_flags(out, "kubectl create configmap", args, &spec) else { return };
    let Some(name) = one_name(out, &p, "kubectl create configmap") else { return };
    let ns = namespace(sh, &p);
    let Some(data) = collect_data(sh, &p, out, &name, false) else { return };
    let mut v = Map::new();
    v.insert("apiVersion".into(), json!("v1"));
    if !data.is_empty() {
        v.insert("data".into(), Value::Object(data));
    }
    v.insert("kind".into(), json!("ConfigMap"));
    v.insert("metadata".into(), meta(&name, &ns, None));
    finish(sh, out, &p, Kind::ConfigMap, Value::Object(v));
}

fn create_secret(sh: &mut Shell, args: &[String], out: &mut Out) {
    let ty = args.first().cloned().unwrap_or_default();
    match ty.as_str() {
        "generic" => create_secret_generic(sh, &args[1..], out),
        "tls" => create_secret_tls(sh, &args[1..], out),
        "docker-registry" => create_secret_docker_registry(sh, &args[1..], out),
        _ => out.out("Create a secret with specified type.\n\n A docker-registry type secret is for accessing a container registry.\n\n A generic type secret indicate an Opaque secret type.\n\n A tls type secret holds TLS certificate and its associated key.\n\nAvailable Commands:\n  docker-registry   Create a secret for use with a Docker registry\n  generic           Create a secret from a local file, directory, or literal value\n  tls               Create a TLS secret\n\nUsage:\n  kubectl create secret (docker-registry | generic | tls) [options]\n"),
    }
}

fn b64(bytes: &[u8]) -> Value {
    json!(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn secret_value(name: &str, ns: &super::Ns, data: Map<String, Value>, ty: Option<&str>) -> Value {
    let mut v = Map::new();
    v.insert("apiVersion".into(), json!("v1"));
    if !data.is_empty() {
        v.insert("data".into(), Value::Object(data));
    }
    v.insert("kind".into(), json!("Secret"));
    v.insert("metadata".into(), meta(name, ns, None));
    if let Some(t) = ty {
        v.insert("type".into(), json!(t));
    }
    Value::Object(v)
}

fn create_secret_generic(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = with_common(&[s("from-literal", None), s("from-file", None), s("from-env-file", None), s("type", None), b("append-hash", None)]);
    let Some(p) = parse_flags(out, "kubectl create secret generic", args, &spec) else { return };
    let Some(name) = one_name(out, &p, "kubectl create secret generic") else { return };
    let ns = namespace(sh, &p);
    let Some(data) = collect_data(sh, &p, out, &name, true) else { return };
    let enc: Map<String, Value> = data.into_iter().map(|(k, v)| (k, b64(v.as_str().unwrap_or("").as_bytes()))).collect();
    finish(sh, out, &p, Kind::Secret, secret_value(&name, &ns, enc, p.get("type")));
}

/// The PEM block types in a text, in order (`CERTIFICATE`, `PRIVATE KEY`, ...).
fn pem_types(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("-----BEGIN ").and_then(|r| r.strip_suffix("-----")))
        .map(str::to_string)
        .filter(|t| text.contains(&format!("-----END {t}-----")))
        .collect()
}

/// Whether the first PEM block of a type holds base64 of a DER SEQUENCE (what certificates and
/// keys are); their contents beyond that are not checked.
fn pem_der(text: &str, ty: &str) -> bool {
    let begin = format!("-----BEGIN {ty}-----");
    let end = format!("-----END {ty}-----");
    let Some(body) = text.split_once(&begin).and_then(|(_, r)| r.split_once(&end)).map(|(b, _)| b) else { return false };
    let b64: String = body.lines().filter(|l| !l.contains(':')).collect::<Vec<_>>().concat().split_whitespace().collect();
    base64::engine::general_purpose::STANDARD.decode(b64).is_ok_and(|der| der.len() > 2 && der[0] == 0x30)
}

/// `kubectl create secret tls NAME --cert=FILE --key=FILE`: the files must hold a PEM
/// certificate and a PEM private key (their match is not checked here).
fn create_secret_tls(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = with_common(&[s("cert", None), s("key", None), b("append-hash", None)]);
    let Some(p) = parse_flags(out, "kubectl create secret tls", args, &spec) else { return };
    let Some(name) = one_name(out, &p, "kubectl create secret tls") else { return };
    let ns = namespace(sh, &p);
    let (cert_path, key_path) = (p.get("cert").unwrap_or(""), p.get("key").unwrap_or(""));
    if cert_path.is_empty() || key_path.is_empty() {
        return out.fail("key and cert must be specified");
    }
    let mut read = |path: &str| match sh.read_file(path) {
        Some(c) => Some(c.clone()),
        None => {
            out.fail(format!("Cannot read file {path}, open {path}: no such file or directory"));
            None
        }
    };
    let Some(cert) = read(cert_path) else { return };
    let Some(key) = read(key_path) else { return };
    let (ct, kt) = (pem_types(&cert), pem_types(&key));
    let is_key = |t: &String| t == "PRIVATE KEY" || t.ends_with(" PRIVATE KEY");
    // Go's tls.X509KeyPair, as far as it goes without parsing the certificate itself.
    if ct.is_empty() {
        return out.fail("tls: failed to find any PEM data in certificate input");
    }
    if !ct.iter().any(|t| t == "CERTIFICATE") {
        if ct.iter().any(is_key) {
            return out.fail("tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched");
        }
        return out.fail(format!("tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following types: [{}]", ct.join(" ")));
    }
    if kt.is_empty() {
        return out.fail("tls: failed to find any PEM data in key input");
    }
    if !kt.iter().any(is_key) {
        if kt.iter().any(|t| t == "CERTIFICATE") {
            return out.fail("tls: found a certificate rather than a key in the PEM for the private key");
        }
        return out.fail(format!("tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after skipping PEM blocks of the following types: [{}]", kt.join(" ")));
    }
    if !pem_der(&cert, "CERTIFICATE") {
        return out.fail("x509: malformed certificate");
    }
    if !kt.iter().filter(|t| is_key(t)).any(|t| pem_der(&key, t)) {
        return out.fail("tls: failed to parse private key");
    }
    let mut data = Map::new();
    data.insert("tls.crt".into(), b64(cert.as_bytes()));
    data.insert("tls.key".into(), b64(key.as_bytes()));
    finish(sh, out, &p, Kind::Secret, secret_value(&name, &ns, data, Some("kubernetes.io/tls")));
}

/// Go's json.Marshal output for a string map: compact, with <, > and & escaped.
fn go_json(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

fn create_secret_docker_registry(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = with_common(&[s("docker-username", None), s("docker-password", None), s("docker-email", None), s("docker-server", None), s("from-file", None), b("append-hash", None)]);
    let path = "kubectl create secret docker-registry";
    let Some(p) = parse_flags(out, path, args, &spec) else { return };
    let Some(name) = one_name(out, &p, path) else { return };
    let ns = namespace(sh, &p);
    let files = p.all("from-file");
    let (user, pass, email) = (p.get("docker-username").unwrap_or(""), p.get("docker-password").unwrap_or(""), p.get("docker-email").unwrap_or(""));
    let server = p.get("docker-server").unwrap_or("https://index.docker.io/v1/");
    if files.is_empty() && (user.is_empty() || pass.is_empty() || server.is_empty()) {
        return out.fail("either --from-file or the combination of --docker-username, --docker-password and --docker-server is required");
    }
    let mut data = Map::new();
    if files.is_empty() {
        let mut entry = Map::new();
        entry.insert("username".into(), json!(user));
        entry.insert("password".into(), json!(pass));
        if !email.is_empty() {
            entry.insert("email".into(), json!(email));
        }
        entry.insert("auth".into(), b64(format!("{user}:{pass}").as_bytes()));
        let mut auths = Map::new();
        auths.insert(server.to_string(), Value::Object(entry));
        let cfg = go_json(&json!({ "auths": Value::Object(auths) }));
        data.insert(".dockerconfigjson".into(), b64(cfg.as_bytes()));
    } else {
        for f in files {
            let (key, file) = match f.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (".dockerconfigjson".to_string(), f.clone()),
            };
            let Some(c) = sh.read_file(&file) else {
                return out.fail(format!("error reading {file}: no such file or directory"));
            };
            data.insert(key, b64(c.as_bytes()));
        }
    }
    finish(sh, out, &p, Kind::Secret, secret_value(&name, &ns, data, Some("kubernetes.io/dockerconfigjson")));
}

fn create_service(sh: &mut Shell, args: &[String], out: &mut Out) {
    let ty = args.first().cloned().unwrap_or_default();
    let svc_type = match ty.as_str() {
        "clusterip" => "ClusterIP",
        "nodeport" => "NodePort",
        "loadbalancer" => "LoadBalancer",
        "externalname" => "ExternalName",
        _ => {
            return out.out("Create a service using a specified subcommand.\n\nAliases:\nservice, svc\n\nAvailable Commands:\n  clusterip      Create a ClusterIP service\n  externalname   Create an ExternalName service\n  loadbalancer   Create a LoadBalancer service\n  nodeport       Create a NodePort service\n\nUsage:\n  kubectl create service [flags] [options]\n");
        }
    };
    let path = format!("kubectl create service {ty}");
    let spec = with_common(&[s("tcp", None), s("clusterip", None), i("node-port", None), s("external-name", None)]);
    let Some(p) = parse_flags(out, &path, &args[1..], &spec) else { return };
    let Some(name) = one_name(out, &p, &path) else { return };
    let ns = namespace(sh, &p);
    let tcp = p.slice("tcp");
    if tcp.is_empty() && svc_type != "ExternalName" && p.get("clusterip") != Some("None") {
        return out.fail("at least one tcp port specifier must be provided");
    }
    let mut ports = Vec::new();
    for t in &tcp {
        let (port, target) = match t.split_once(':') {
            Some((a, b)) => (a.to_string(), b.to_string()),
            None => (t.clone(), t.clone()),
        };
        // utilnet.ParsePort: strconv.ParseUint(port, 10, 16).
        let Ok(port_n) = port.parse::<u16>() else {
            let why = if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) { "value out of range" } else { "invalid syntax" };
            return out.fail(format!("strconv.ParseUint: parsing \"{port}\": {why}"));
        };
        let target_v = match target.parse::<i32>() {
            Ok(n) => json!(n),
            Err(_) => json!(target),
        };
        let mut m = Map::new();
        // The name is the flag's value with ':' as '-' (`80`, `80-8080`).
        m.insert("name".into(), json!(t.replace(':', "-")));
        if svc_type == "NodePort" {
            if let Some(np) = p.int("node-port").filter(|n| *n > 0) {
                m.insert("nodePort".into(), json!(np));
            }
        }
        m.insert("port".into(), json!(port_n));
        m.insert("protocol".into(), json!("TCP"));
        m.insert("targetPort".into(), target_v);
        ports.push(Value::Object(m));
    }
    let labels = json!({ "app": name });
    let mut spec_m = Map::new();
    if let Some(ip) = p.get("clusterip") {
        spec_m.insert("clusterIP".into(), json!(ip));
    }
    if svc_type == "ExternalName" {
        spec_m.insert("externalName".into(), json!(p.get("external-name").unwrap_or("")));
    }
    if !ports.is_empty() {
        spec_m.insert("ports".into(), Value::Array(ports));
    }
    spec_m.insert("selector".into(), labels.clone());
    spec_m.insert("type".into(), json!(svc_type));
    let value = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(&name, &ns, Some(labels)),
        "spec": Value::Object(spec_m),
        "status": { "loadBalancer": {} }
    });
    finish(sh, out, &p, Kind::Service, value);
}

fn create_job(sh: &mut Shell, args: &[String], out: &mut Out, cron: bool) {
    let path = if cron { "kubectl create cronjob" } else { "kubectl create job" };
    let spec = with_common(&[s("image", None), s("schedule", None), s("from", None), s("restart", None)]);
    let Some(p) = parse_flags(out, path, args, &spec) else { return };
    let Some(name) = one_name(out, &p, path) else { return };
    let ns = namespace(sh, &p);
    if !cron && p.has("image") && p.has("from") {
        return out.fail("either --image or --from must be specified");
    }
    if let (false, Some(from)) = (cron, p.get("from").map(str::to_string)) {
        return job_from_cronjob(sh, out, &p, &name, &ns, &from);
    }
    let Some(image) = p.get("image").map(str::to_string) else {
        return out.fail(if cron { "required flag(s) \"image\", \"schedule\" not set" } else { "either --image or --from must be specified" });
    };
    let mut c = Map::new();
    if let Some(cmd) = &p.dash {
        c.insert("command".into(), json!(cmd));
    }
    c.insert("image".into(), json!(image));
    c.insert("name".into(), json!(name));
    c.insert("resources".into(), json!({}));
    let restart = p.get("restart").unwrap_or(if cron { "OnFailure" } else { "Never" }).to_string();
    let template = json!({ "metadata": { "creationTimestamp": null }, "spec": { "containers": [Value::Object(c)], "restartPolicy": restart } });
    if cron {
        let Some(schedule) = p.get("schedule") else {
            return out.fail("required flag(s) \"schedule\" not set");
        };
        let value = json!({
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": meta(&name, &ns, None),
            "spec": { "jobTemplate": { "metadata": { "creationTimestamp": null, "name": name }, "spec": { "template": template } }, "schedule": schedule },
            "status": {}
        });
        finish(sh, out, &p, Kind::CronJob, value);
    } else {
        let value = json!({ "apiVersion": "batch/v1", "kind": "Job", "metadata": meta(&name, &ns, None), "spec": { "template": template }, "status": {} });
        finish(sh, out, &p, Kind::Job, value);
    }
}

/// `kubectl create job NAME --from=cronjob/CRONJOB`: a Job from the CronJob's jobTemplate,
/// annotated `cronjob.kubernetes.io/instantiate: manual` and owned by the CronJob.
fn job_from_cronjob(sh: &mut Shell, out: &mut Out, p: &Parsed, name: &str, ns: &super::Ns, from: &str) {
    let (kind, cj) = from.split_once('/').unwrap_or(("", from));
    if !matches!(kind, "cronjob" | "cronjobs" | "cj" | "cronjob.batch" | "cronjobs.batch") {
        return out.fail(format!("from must be an existing cronjob: unknown resource {from:?}"));
    }
    let key = pilothouse_engine::ObjectKey::new(Kind::CronJob, &ns.ns, cj);
    let Some(obj) = sh.cluster.get(&key) else {
        return out.fail(format!("Error from server (NotFound): cronjobs.batch \"{cj}\" not found"));
    };
    let json = obj.to_json();
    let template = json.pointer("/spec/jobTemplate").cloned().unwrap_or_default();
    let mut annotations = template.pointer("/metadata/annotations").cloned().unwrap_or_else(|| json!({}));
    annotations["cronjob.kubernetes.io/instantiate"] = json!("manual");
    let mut m = meta(name, ns, template.pointer("/metadata/labels").cloned());
    m["annotations"] = annotations;
    m["ownerReferences"] = json!([{ "apiVersion": "batch/v1", "kind": "CronJob", "name": cj, "uid": json.pointer("/metadata/uid").cloned().unwrap_or_default(), "controller": true }]);
    let value = json!({ "apiVersion": "batch/v1", "kind": "Job", "metadata": m, "spec": template.get("spec").cloned().unwrap_or_default(), "status": {} });
    finish(sh, out, p, Kind::Job, value);
}

fn create_priorityclass(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = with_common(&[i("value", None), b("global-default", None), s("description", None), s("preemption-policy", None)]);
    let Some(p) = parse_flags(out, "kubectl create priorityclass", args, &spec) else { return };
    let Some(name) = one_name(out, &p, "kubectl create priorityclass") else { return };
    let mut v = Map::new();
    v.insert("apiVersion".into(), json!("scheduling.k8s.io/v1"));
    if let Some(d) = p.get("description").filter(|d| !d.is_empty()) {
        v.insert("description".into(), json!(d));
    }
    if p.bool("global-default") {
        v.insert("globalDefault".into(), json!(true));
    }
    v.insert("kind".into(), json!("PriorityClass"));
    v.insert("metadata".into(), json!({"creationTimestamp": null, "name": name}));
    v.insert("preemptionPolicy".into(), json!(p.get("preemption-policy").unwrap_or("PreemptLowerPriority")));
    v.insert("value".into(), json!(p.int("value").unwrap_or(0)));
    finish(sh, out, &p, Kind::PriorityClass, Value::Object(v));
}

/// Whether a string matches `^[\w\-]+$` (`\w` as in Go's RE2: ASCII letters, digits, `_`).
fn word_dash(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// kubectl's rule regex `^([\w*\-.]*)(/[^,=\n]*)=([\w\-]+):([\w\-]+)(,tls=?([\w\-]+)?)?$`.
fn ingress_rule_ok(rule: &str) -> bool {
    let Some(slash) = rule.find('/') else { return false };
    if !rule[..slash].chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '*' | '-' | '.')) {
        return false;
    }
    let rest = &rule[slash..];
    let Some(eq) = rest.find(['=', ',', '\n']) else { return false };
    if !rest[eq..].starts_with('=') {
        return false;
    }
    let after = &rest[eq + 1..];
    let (svc, tls) = match after.split_once(',') {
        Some((a, t)) => (a, Some(t)),
        None => (after, None),
    };
    let Some((name, port)) = svc.split_once(':') else { return false };
    if !word_dash(name) || !word_dash(port) {
        return false;
    }
    match tls {
        None => true,
        Some(t) => match t.strip_prefix("tls") {
            Some(r) => {
                let r = r.strip_prefix('=').unwrap_or(r);
                r.is_empty() || word_dash(r)
            }
            None => false,
        },
    }
}

/// An ingress backend from `svc:port` (a number port, or a named one).
fn ingress_backend(svc: &str) -> Value {
    let (name, port) = svc.split_once(':').unwrap_or((svc, ""));
    let port = match port.parse::<i32>() {
        Ok(0) => json!({}),
        Ok(n) => json!({ "number": n }),
        Err(_) => json!({ "name": port }),
    };
    json!({ "service": { "name": name, "port": port } })
}

/// `kubectl create ingress NAME --rule=host/path=svc:port[,tls[=secret]]`.
fn create_ingress(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = with_common(&[s("class", None), s("rule", None), s("default-backend", None), s("annotation", None)]);
    let path = "kubectl create ingress";
    let Some(p) = parse_flags(out, path, args, &spec) else { return };
    let Some(name) = one_name(out, &p, path) else { return };
    let ns = namespace(sh, &p);
    let rules = p.all("rule");
    let backend = p.get("default-backend").unwrap_or("").to_string();
    if backend.is_empty() && rules.is_empty() {
        return out.fail("not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)");
    }
    if let Some(bad) = rules.iter().find(|r| !ingress_rule_ok(r)) {
        return out.fail(format!("rule {bad} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"));
    }
    let mut annotations = Map::new();
    for a in p.all("annotation") {
        let Some((k, v)) = a.split_once('=') else {
            return out.fail(format!("annotation {a} is invalid and should be in format key=[value]"));
        };
        annotations.insert(k.to_string(), json!(v));
    }
    if !backend.is_empty() && backend.split(':').count() != 2 {
        return out.fail("default-backend should be in format servicename:serviceport");
    }
    // TLS entries: a host goes into the first entry with the same secret, once.
    let mut tls: Vec<(Vec<String>, String)> = Vec::new();
    let mut hosts_seen: Vec<String> = Vec::new();
    for r in &rules {
        let parts: Vec<&str> = r.split(',').collect();
        if parts.len() != 2 {
            continue;
        }
        let host = r.split('/').next().unwrap_or("").to_string();
        let secret = parts[1].split('=').nth(1).unwrap_or("").to_string();
        if hosts_seen.contains(&host) {
            continue;
        }
        hosts_seen.push(host.clone());
        if let Some(e) = tls.iter_mut().find(|e| e.1 == secret) {
            e.0.push(host);
            continue;
        }
        let hosts: Vec<String> = if host.is_empty() { Vec::new() } else { vec![host] };
        if !secret.is_empty() || !hosts.is_empty() {
            tls.push((hosts, secret));
        }
    }
    // Rules: paths of the same host go into one rule; `*` at the end of a path is a Prefix.
    let mut rule_values: Vec<(String, Vec<Value>)> = Vec::new();
    for r in &rules {
        let no_tls = r.split(',').next().unwrap_or("");
        let (host, pathsvc) = no_tls.split_once('/').unwrap_or((no_tls, ""));
        let (path_part, svc) = pathsvc.split_once('=').unwrap_or((pathsvc, ""));
        let mut path = format!("/{path_part}");
        let mut path_type = "Exact";
        if path.ends_with('*') {
            path.pop();
            path_type = "Prefix";
        }
        let entry = json!({ "backend": ingress_backend(svc), "path": path, "pathType": path_type });
        match rule_values.iter_mut().find(|(h, _)| h == host) {
            Some((_, paths)) => paths.push(entry),
            None => rule_values.push((host.to_string(), vec![entry])),
        }
    }
    let mut spec_m = Map::new();
    if !backend.is_empty() {
        spec_m.insert("defaultBackend".into(), ingress_backend(&backend));
    }
    if let Some(c) = p.get("class").filter(|c| !c.is_empty()) {
        spec_m.insert("ingressClassName".into(), json!(c));
    }
    if !rule_values.is_empty() {
        let rs: Vec<Value> = rule_values
            .into_iter()
            .map(|(h, paths)| {
                let mut m = Map::new();
                if !h.is_empty() {
                    m.insert("host".into(), json!(h));
                }
                m.insert("http".into(), json!({ "paths": paths }));
                Value::Object(m)
            })
            .collect();
        spec_m.insert("rules".into(), Value::Array(rs));
    }
    if !tls.is_empty() {
        let ts: Vec<Value> = tls
            .into_iter()
            .map(|(hosts, secret)| {
                let mut m = Map::new();
                if !hosts.is_empty() {
                    m.insert("hosts".into(), json!(hosts));
                }
                if !secret.is_empty() {
                    m.insert("secretName".into(), json!(secret));
                }
                Value::Object(m)
            })
            .collect();
        spec_m.insert("tls".into(), Value::Array(ts));
    }
    let mut m = meta(&name, &ns, None);
    if !annotations.is_empty() {
        m["annotations"] = Value::Object(annotations);
    }
    let value = json!({ "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": m, "spec": Value::Object(spec_m), "status": { "loadBalancer": {} } });
    finish(sh, out, &p, Kind::Ingress, value);
}

/// `metav1.ParseToLabelSelector`: a selector string as matchLabels and matchExpressions.
fn parse_to_label_selector(sel: &str) -> Result<Value, String> {
    use pilothouse_engine::selector::{Requirement, Selector};
    let parsed = Selector::parse(sel).map_err(|e| format!("couldn't parse the selector string \"{sel}\": {e}"))?;
    let mut labels = Map::new();
    let mut exprs = Vec::new();
    for r in parsed.requirements {
        match r {
            Requirement::Equals(k, v) => {
                labels.insert(k, json!(v));
            }
            Requirement::In(k, vs) => exprs.push(json!({ "key": k, "operator": "In", "values": vs })),
            Requirement::NotIn(k, vs) => exprs.push(json!({ "key": k, "operator": "NotIn", "values": vs })),
            Requirement::Exists(k) => exprs.push(json!({ "key": k, "operator": "Exists" })),
            Requirement::DoesNotExist(k) => exprs.push(json!({ "key": k, "operator": "DoesNotExist" })),
            Requirement::NotEquals(..) => return Err("\"!=\" is not a valid label selector operator".into()),
            Requirement::Gt(..) => return Err("\"gt\" is not a valid label selector operator".into()),
            Requirement::Lt(..) => return Err("\"lt\" is not a valid label selector operator".into()),
        }
    }
    let mut m = Map::new();
    if !exprs.is_empty() {
        m.insert("matchExpressions".into(), Value::Array(exprs));
    }
    if !labels.is_empty() {
        m.insert("matchLabels".into(), Value::Object(labels));
    }
    Ok(Value::Object(m))
}

/// A number or a percentage (`^[0-9]+%?$`), as an int-or-string.
fn int_or_percent(v: &str) -> Option<Value> {
    let digits = v.strip_suffix('%').unwrap_or(v);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if v.ends_with('%') {
        return Some(json!(v));
    }
    Some(digits.parse::<i64>().map(|n| json!(n)).unwrap_or_else(|_| json!(v)))
}

/// `kubectl create poddisruptionbudget NAME --selector=SELECTOR --min-available=N|--max-unavailable=N`.
fn create_pdb(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = with_common(&[s("selector", None), s("min-available", None), s("max-unavailable", None)]);
    let path = "kubectl create poddisruptionbudget";
    let Some(p) = parse_flags(out, path, args, &spec) else { return };
    let Some(name) = one_name(out, &p, path) else { return };
    let ns = namespace(sh, &p);
    let sel = p.get("selector").unwrap_or("");
    if sel.is_empty() {
        return out.fail("a selector must be specified");
    }
    let (min, max) = (p.get("min-available").unwrap_or(""), p.get("max-unavailable").unwrap_or(""));
    if min.is_empty() && max.is_empty() {
        return out.fail("one of min-available or max-unavailable must be specified");
    }
    if !min.is_empty() && !max.is_empty() {
        return out.fail("min-available and max-unavailable cannot be both specified");
    }
    let mut spec_m = Map::new();
    if !min.is_empty() {
        let Some(v) = int_or_percent(min) else { return out.fail("invalid format specified for min-available") };
        spec_m.insert("minAvailable".into(), v);
    }
    if !max.is_empty() {
        let Some(v) = int_or_percent(max) else { return out.fail("invalid format specified for max-unavailable") };
        spec_m.insert("maxUnavailable".into(), v);
    }
    match parse_to_label_selector(sel) {
        Ok(s) => spec_m.insert("selector".into(), s),
        Err(e) => return out.fail(e),
    };
    let value = json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(&name, &ns, None),
        "spec": Value::Object(spec_m),
        "status": { "currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0 }
    });
    finish(sh, out, &p, Kind::PodDisruptionBudget, value);
}

/// `kubectl create quota NAME [--hard=key1=value1,key2=value2] [--scopes=Scope1,Scope2]`.
fn create_quota(sh: &mut Shell, args: &[String], out: &mut Out) {
    let spec = with_common(&[s("hard", None), s("scopes", None)]);
    let path = "kubectl create quota";
    let Some(p) = parse_flags(out, path, args, &spec) else { return };
    let Some(name) = one_name(out, &p, path) else { return };
    let ns = namespace(sh, &p);
    let mut spec_m = Map::new();
    let hard = p.get("hard").unwrap_or("");
    if !hard.is_empty() {
        let mut m = Map::new();
        for stmt in hard.split(',') {
            let parts: Vec<&str> = stmt.split('=').collect();
            if parts.len() != 2 {
                return out.fail(format!("Invalid argument syntax {stmt}, expected <resource>=<value>"));
            }
            if crate::printers::quantity_valid(parts[1]).is_none() {
                return out.fail("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
            }
            m.insert(parts[0].to_string(), json!(crate::printers::canonical_quantity(parts[1])));
        }
        spec_m.insert("hard".into(), Value::Object(m));
    }
    let scopes: Vec<&str> = p.get("scopes").unwrap_or("").split(',').filter(|s| !s.is_empty()).collect();
    if !scopes.is_empty() {
        spec_m.insert("scopes".into(), json!(scopes));
    }
    let value = json!({ "apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta(&name, &ns, None), "spec": Value::Object(spec_m), "status": {} });
    finish(sh, out, &p, Kind::ResourceQuota, value);
}

const RUN_FLAGS: &[Flag] = &[
    s("image", None),
    // A string, read with strconv.Atoi once the other checks pass, as kubectl does.
    s("port", None),
    s("restart", None),
    s("labels", Some('l')),
    s("env", None),
    b("command", None),
    b("rm", None),
    b("stdin", Some('i')),
    b("tty", Some('t')),
    b("attach", None),
    s("dry-run", None),
    s("output", Some('o')),
    s("image-pull-policy", None),
    b("expose", None),
    s("overrides", None),
    s("override-type", None),
    s("annotations", None),
    b("privileged", None),
    s("pod-running-timeout", None),
    b("quiet", Some('q')),
    s("serviceaccount", None),
    b("leave-stdin-open", None),
];

/// `--overrides` of `kubectl run`: the inline JSON applied to the generated object as a JSON
/// merge patch (`--override-type=merge`, the default), a strategic merge patch (`strategic`) or a
/// JSON patch (`json`), as kubectl's `Overrider`.
fn apply_overrides(value: &mut Value, overrides: &str, ty: &str) -> Result<(), String> {
    let patch = || serde_json::from_str::<Value>(overrides).map_err(|_| "Invalid JSON Patch".to_string());
    match ty {
        "merge" | "strategic" => {
            let patch = patch()?;
            if !patch.is_object() {
                return Err("Invalid JSON Patch".into());
            }
            pilothouse_engine::apiserver::merge_patch(value, &patch, ty == "strategic");
            Ok(())
        }
        "json" => pilothouse_engine::apiserver::json_patch(value, &patch()?),
        other => Err(format!("invalid override type: {other}")),
    }
}

/// Kubernetes' `IsEnvVarName`: `[-._a-zA-Z][-._a-zA-Z0-9]*`.
fn is_env_var_name(k: &str) -> bool {
    let ok = |c: char, first: bool| c.is_ascii_alphabetic() || matches!(c, '-' | '.' | '_') || (!first && c.is_ascii_digit());
    let mut cs = k.chars();
    cs.next().is_some_and(|c| ok(c, true)) && cs.all(|c| ok(c, false))
}

/// `kubectl run`.
pub fn run_pod(sh: &mut Shell, args: &[String], out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl run", args, RUN_FLAGS) else { return };
    // The required flag is checked before the arguments, as cobra does.
    let Some(image) = p.get("image").map(str::to_string) else {
        return out.fail("required flag(s) \"image\" not set");
    };
    if p.args.is_empty() {
        return out.fail("NAME is required for run\nSee 'kubectl run -h' for help and examples");
    }
    let name = p.args[0].clone();
    let ns = namespace(sh, &p);
    let restart = p.get("restart").unwrap_or(if p.bool("rm") { "Never" } else { "Always" }).to_string();
    if !matches!(restart.as_str(), "Always" | "OnFailure" | "Never") {
        return out.fail(format!("invalid restart policy: {restart}\nSee 'kubectl run -h' for help and examples"));
    }
    // kubectl's checks, in its order: each --env is NAME=VALUE with a valid name, --labels is
    // k=v pairs (its ParseLabels), --port is a number.
    for e in p.all("env") {
        if !e.split_once('=').is_some_and(|(k, _)| is_env_var_name(k)) {
            return out.fail(format!("invalid env: {e}"));
        }
    }
    let mut labels = Map::new();
    match p.get("labels").filter(|l| !l.is_empty()) {
        Some(l) => {
            for kv in l.split(',') {
                let parts: Vec<&str> = kv.split('=').collect();
                let [k, v] = parts[..] else {
                    return out.fail(format!("unexpected label spec: {kv}"));
                };
                if k.is_empty() {
                    return out.fail("unexpected empty label key");
                }
                labels.insert(k.to_string(), json!(v));
            }
        }
        None => {
            labels.insert("run".into(), json!(name));
        }
    }
    let port = match p.get("port").filter(|s| !s.is_empty()) {
        Some(s) => match s.parse::<i64>() {
            Ok(n) => n,
            Err(_) => return out.fail(format!("strconv.Atoi: parsing {s:?}: invalid syntax")),
        },
        None => -1,
    };
    let mut c = Map::new();
    let mut extra: Vec<String> = p.args[1..].to_vec();
    extra.extend(p.dash.clone().unwrap_or_default());
    if !extra.is_empty() {
        c.insert(if p.bool("command") { "command" } else { "args" }.into(), json!(extra));
    }
    let envs = p.all("env");
    if !envs.is_empty() {
        let list: Vec<Value> = envs
            .iter()
            .map(|e| {
                let (k, v) = e.split_once('=').unwrap_or((e, ""));
                json!({"name": k, "value": v})
            })
            .collect();
        c.insert("env".into(), Value::Array(list));
    }
    c.insert("image".into(), json!(image));
    if let Some(pol) = p.get("image-pull-policy") {
        c.insert("imagePullPolicy".into(), json!(pol));
    }
    c.insert("name".into(), json!(name));
    if port > -1 {
        c.insert("ports".into(), json!([{ "containerPort": port }]));
    }
    c.insert("resources".into(), json!({}));
    if p.bool("stdin") {
        c.insert("stdin".into(), json!(true));
        c.insert("stdinOnce".into(), json!(true));
    }
    if p.bool("tty") {
        c.insert("tty".into(), json!(true));
    }
    let mut value = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta(&name, &ns, if labels.is_empty() { None } else { Some(Value::Object(labels)) }),
        "spec": { "containers": [Value::Object(c)], "dnsPolicy": "ClusterFirst", "restartPolicy": restart },
        "status": {}
    });
    if let Some(overrides) = p.get("overrides").filter(|o| !o.is_empty()) {
        if let Err(e) = apply_overrides(&mut value, overrides, p.get("override-type").unwrap_or("merge")) {
            return out.fail(e);
        }
    }
    let attach = p.bool("rm") || p.bool("attach") || (p.bool("stdin") && p.bool("tty"));
    if !attach || p.has("dry-run") {
        return finish(sh, out, &p, Kind::Pod, value);
    }
    // Attached run: create, wait for the container to finish, show its output.
    let mut tmp = Out::default();
    finish(sh, &mut tmp, &p, Kind::Pod, value);
    if tmp.code != 0 {
        out.extend(tmp);
        return;
    }
    let key = pilothouse_engine::ObjectKey::new(Kind::Pod, &ns.ns, &name);
    sh.run_until(120_000, |sh| {
        let phase = sh.cluster.get(&key).and_then(|o| match &*o {
            Object::Pod(p) => p.status.as_ref().and_then(|s| s.phase.clone()),
            _ => None,
        });
        matches!(phase.as_deref(), Some("Succeeded") | Some("Failed")) || sh.cluster.kubelets.is_running(&key, &name) && p.bool("tty") && extra.is_empty()
    });
    if p.bool("tty") && extra.is_empty() {
        out.errln("If you don't see a command prompt, try pressing enter.");
        out.errln("Interactive sessions are not supported in Pilothouse; use `kubectl exec POD -- COMMAND`.");
    }
    for l in sh.cluster.kubelets.logs(&key, &name, false).map(|l| l.to_vec()).unwrap_or_default() {
        out.outln(l);
    }
    if p.bool("rm") {
        let _ = sh.cluster.delete(&key, &pilothouse_engine::apiserver::DeleteOptions { grace_period: Some(0), ..Default::default() });
        out.outln(format!("pod \"{name}\" deleted"));
    }
}
