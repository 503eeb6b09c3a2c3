//! `kubectl apply -f`, `create -f`, `replace -f`: reading manifests from the simulated file
//! system or a here-document, and kubectl's messages for what went wrong.

use super::{namespace, parse_flags, ref_name};
use crate::flags::{b, s, Flag};
use crate::shell::{Out, Shell};
use pilothouse_engine::api::manifest::ManifestError;
use pilothouse_engine::api::{parse_manifests_with, ApiError, FieldValidation, Object, ObjectKey};
use pilothouse_engine::apiserver::ApplyResult;

/// kubectl's rendering of an API error returned for a direct request.
pub fn api_err(e: &ApiError) -> String {
    match e {
        ApiError::Invalid { kind, name, causes } => {
            let k = kind.split('.').next().unwrap_or(kind);
            let list: Vec<&str> = causes.iter().map(|c| c.message.as_str()).collect();
            let detail = if list.len() == 1 { list[0].to_string() } else { format!("[{}]", list.join(", ")) };
            format!("The {k} \"{name}\" is invalid: {detail}")
        }
        other => other.kubectl_message(),
    }
}

/// kubectl's rendering of an API error for an object read from a file (`AddSourceToErr`).
pub fn api_err_source(e: &ApiError, verb: &str, source: &str) -> String {
    match e {
        ApiError::Invalid { .. } => api_err(e),
        other => format!("Error from server ({}): error when {verb} \"{source}\": {other}", other.reason()),
    }
}

/// Prints one error line (`Error from server ...`, `The X is invalid`, or `error: ...`).
pub fn report(out: &mut Out, msg: &str) {
    if msg.starts_with("Error from server") || msg.starts_with("The ") || msg.starts_with("error: ") {
        out.errln(msg);
    } else {
        out.errln(format!("error: {msg}"));
    }
    out.code = 1;
}

/// One document read from a source: the object, or the error kubectl reports for it.
pub type Doc = Result<(Object, String), String>;

/// Reads `-f PATH` (`-` = stdin, a directory = its .yaml/.yml/.json files) into documents.
/// A file-level problem (missing file, syntax error) is `Err`.
pub fn read_docs(sh: &Shell, path: &str, stdin: Option<&str>) -> Result<Vec<Doc>, String> {
    read_docs_as(sh, path, stdin, false, FieldValidation::Strict, &mut Vec::new())
}

/// kubectl's `--validate`: `strict`/`true` (also bare `--validate`), `warn`, `ignore`/`false`.
pub fn field_validation(p: &crate::flags::Parsed) -> Result<FieldValidation, String> {
    match p.get("validate").unwrap_or("strict") {
        "strict" | "true" => Ok(FieldValidation::Strict),
        "warn" => Ok(FieldValidation::Warn),
        "ignore" | "false" => Ok(FieldValidation::Ignore),
        other => Err(format!("invalid - validate option \"{other}\"; must be one of: strict (or true), warn, ignore (or false)")),
    }
}

/// [`read_docs`]; `identity_only`: a document whose body does not decode still gives its
/// kind, name and namespace (`get -f` and `delete -f` read files unstructured in kubectl, so
/// an unknown or mistyped field elsewhere does not stop them).
fn read_docs_as(sh: &Shell, path: &str, stdin: Option<&str>, identity_only: bool, validation: FieldValidation, warnings: &mut Vec<String>) -> Result<Vec<Doc>, String> {
    let sources: Vec<(String, String)> = if path == "-" {
        vec![("STDIN".to_string(), stdin.unwrap_or("").to_string())]
    } else if path.starts_with("http://") || path.starts_with("https://") {
        match crate::net::fetch_manifest_url(path) {
            Some(text) => vec![(path.to_string(), text)],
            None => {
                return Err(format!(
                    "unable to read URL \"{path}\", server reported 404 Not Found, status code=404 (Pilothouse is offline: create the file with `cat > file.yaml <<EOF` and apply it)"
                ))
            }
        }
    } else {
        let abs = sh.abs_path(path);
        match sh.files.get(&abs) {
            Some(t) => vec![(path.to_string(), t.clone())],
            None => {
                let prefix = format!("{abs}/");
                let in_dir: Vec<(String, String)> = sh
                    .files
                    .iter()
                    .filter(|(k, _)| k.starts_with(&prefix) && !k[prefix.len()..].contains('/'))
                    .filter(|(k, _)| k.ends_with(".yaml") || k.ends_with(".yml") || k.ends_with(".json"))
                    .map(|(k, v)| (format!("{}/{}", path.trim_end_matches('/'), &k[prefix.len()..]), v.clone()))
                    .collect();
                if in_dir.is_empty() {
                    if sh.files.keys().any(|k| k.starts_with(&prefix)) {
                        return Err(format!("error reading [{path}]: recognized file extensions are [.json .yaml .yml]"));
                    }
                    return Err(format!("the path \"{path}\" does not exist"));
                }
                in_dir
            }
        }
    };
    let mut docs = Vec::new();
    for (name, text) in sources {
        docs.extend(parse_source(&name, &text, identity_only, validation, warnings)?);
    }
    Ok(docs)
}

/// Parses one source document by document, so that one bad document does not hide the others.
fn parse_source(name: &str, text: &str, identity_only: bool, validation: FieldValidation, warnings: &mut Vec<String>) -> Result<Vec<Doc>, String> {
    let mut docs = Vec::new();
    let mut chunk = String::new();
    let mut chunk_start = 1usize;
    let mut pieces: Vec<(usize, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line == "---" || line.starts_with("--- ") {
            pieces.push((chunk_start, std::mem::take(&mut chunk)));
            chunk_start = i + 2;
        } else {
            chunk.push_str(line);
            chunk.push('\n');
        }
    }
    pieces.push((chunk_start, chunk));
    let mut any = false;
    for (start, piece) in pieces {
        let padded = format!("{}{}", "\n".repeat(start - 1), piece);
        match parse_manifests_with(&padded, validation) {
            Ok((objs, w)) => {
                warnings.extend(w);
                for m in objs {
                    any = true;
                    docs.push(Ok((m.object, name.to_string())));
                }
            }
            Err(e) => match &e {
                ManifestError::Syntax { .. } => return Err(format!("error parsing {name}: {e}")),
                ManifestError::Missing { .. } => {
                    return Err(format!("error validating \"{name}\": {e}; if you choose to ignore these errors, turn validation off with --validate=false"))
                }
                ManifestError::NoMatch { .. } => docs.push(Err(e.to_string().replace("{FILE}", name))),
                ManifestError::Decode { .. } if identity_only => match identity(&padded) {
                    Some(o) => {
                        any = true;
                        docs.push(Ok((o, name.to_string())));
                    }
                    None => docs.push(Err(e.to_string())),
                },
                ManifestError::Decode { .. } => docs.push(Err(format!("Error from server (BadRequest): error when creating \"{name}\": {e}"))),
            },
        }
    }
    if !any && docs.is_empty() {
        return Err("no objects passed to apply".to_string());
    }
    Ok(docs)
}

/// A document reduced to apiVersion, kind, name and namespace, as an object of its kind.
fn identity(doc: &str) -> Option<Object> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(doc).ok()?;
    let v = pilothouse_engine::api::to_json_value(&yaml).ok()?;
    let mut meta = serde_json::Map::new();
    for k in ["name", "namespace"] {
        if let Some(x) = v.pointer(&format!("/metadata/{k}")).filter(|x| x.is_string()) {
            meta.insert(k.into(), x.clone());
        }
    }
    let mut m = serde_json::Map::new();
    for k in ["apiVersion", "kind"] {
        m.insert(k.into(), v.get(k).cloned().unwrap_or_default());
    }
    m.insert("metadata".into(), serde_json::Value::Object(meta));
    pilothouse_engine::api::manifest::object_from_value(serde_json::Value::Object(m), "", 1).ok()
}

/// Reads manifests, failing on the first problem (for `get -f`, `delete -f`: objects are
/// identified by kind, name and namespace only).
pub fn read_manifests(sh: &Shell, path: &str, stdin: Option<&str>) -> Result<Vec<(Object, String)>, String> {
    let docs = read_docs_as(sh, path, stdin, true, FieldValidation::Strict, &mut Vec::new())?;
    docs.into_iter().collect::<Result<Vec<_>, _>>()
}

/// Sets the namespace of a namespaced object from `-n`/the context, or fails like kubectl when
/// the object names another namespace than an explicit `-n`.
pub fn set_namespace(obj: &mut Object, ns: &super::Ns) -> Result<(), String> {
    if !obj.kind().info().namespaced {
        return Ok(());
    }
    let m = obj.metadata_mut();
    match m.namespace.as_deref() {
        Some(n) if !n.is_empty() => {
            if ns.explicit && n != ns.ns {
                return Err(format!(
                    "the namespace from the provided object \"{n}\" does not match the namespace \"{}\". You must pass '--namespace={n}' to perform this operation.",
                    ns.ns
                ));
            }
        }
        _ => m.namespace = Some(ns.ns.clone()),
    }
    Ok(())
}

const APPLY_FLAGS: &[Flag] = &[
    s("filename", Some('f')),
    b("recursive", Some('R')),
    s("dry-run", None),
    s("output", Some('o')),
    b("server-side", None),
    b("force", None),
    b("prune", None),
    s("selector", Some('l')),
    crate::flags::VALIDATE,
    s("field-manager", None),
    b("force-conflicts", None),
    b("overwrite", None),
    b("record", None),
    b("save-config", None),
    s("kustomize", Some('k')),
    b("wait", None),
];

fn dry_run_mode(p: &crate::flags::Parsed) -> Result<Option<&'static str>, String> {
    match p.get("dry-run") {
        None | Some("none") | Some("false") => Ok(None),
        Some("client") | Some("true") | Some("unchanged") => Ok(Some(" (dry run)")),
        Some("server") => Ok(Some(" (server dry run)")),
        Some(other) => Err(format!("Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\".")),
    }
}

/// `kubectl apply`.
pub fn apply(sh: &mut Shell, args: &[String], stdin: Option<String>, out: &mut Out) {
    if args.first().map(String::as_str) == Some("view-last-applied") || args.first().map(String::as_str) == Some("set-last-applied") || args.first().map(String::as_str) == Some("edit-last-applied") {
        return out.fail(format!("\"kubectl apply {}\" is not supported in Pilothouse yet", args[0]));
    }
    let Some(p) = parse_flags(out, "kubectl apply", args, APPLY_FLAGS) else { return };
    apply_like(sh, &p, stdin, out, Mode::Apply);
}

/// `kubectl replace`.
pub fn replace(sh: &mut Shell, args: &[String], stdin: Option<String>, out: &mut Out) {
    let Some(p) = parse_flags(out, "kubectl replace", args, APPLY_FLAGS) else { return };
    apply_like(sh, &p, stdin, out, Mode::Replace);
}

/// What a manifest command does with each object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `apply`.
    Apply,
    /// `create -f`.
    Create,
    /// `replace -f`.
    Replace,
}

/// Shared body of apply/create/replace with `-f`.
pub fn apply_like(sh: &mut Shell, p: &crate::flags::Parsed, stdin: Option<String>, out: &mut Out, mode: Mode) {
    let files = p.all("filename");
    let cmd = match mode {
        Mode::Apply => "apply",
        Mode::Create => "create",
        Mode::Replace => "replace",
    };
    if files.is_empty() {
        if mode == Mode::Apply {
            out.fail("error: must specify one of -f and -k\n".trim_start_matches("error: "));
        } else {
            out.fail(format!("must specify one of -f and -k\n\nSee 'kubectl {cmd} -h' for help and examples"));
        }
        return;
    }
    let dry = match dry_run_mode(p) {
        Ok(d) => d,
        Err(e) => return out.fail(e),
    };
    let ns = namespace(sh, p);
    let validation = match field_validation(p) {
        Ok(v) => v,
        Err(e) => return out.fail(e),
    };
    let mut errors: Vec<String> = Vec::new();
    let mut docs: Vec<Doc> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    for f in &files {
        match read_docs_as(sh, f, stdin.as_deref(), false, validation, &mut warnings) {
            Ok(d) => docs.extend(d),
            Err(e) => {
                errors.push(format!("error: {e}"));
                if e.starts_with("error validating") || e.starts_with("the path") || e.starts_with("unable to read URL") {
                    // Nothing from this source is applied.
                }
            }
        }
    }
    for w in warnings {
        out.errln(format!("Warning: {w}"));
    }
    let output = p.get("output");
    for d in docs {
        let (mut obj, source) = match d {
            Ok(x) => x,
            Err(e) => {
                errors.push(if e.starts_with("Error from server") { e } else { format!("error: {e}") });
                continue;
            }
        };
        if let Err(e) = set_namespace(&mut obj, &ns) {
            errors.push(format!("error: {e}"));
            continue;
        }
        let kind = obj.kind();
        let name = super::name_of(&obj);
        let key = ObjectKey::of(&obj);
        if let Some(suffix) = dry {
            let exists = sh.cluster.get(&key).is_some();
            let verb = match mode {
                Mode::Apply => {
                    if exists {
                        "configured"
                    } else {
                        "created"
                    }
                }
                Mode::Create => {
                    if exists {
                        errors.push(format!("Error from server (AlreadyExists): error when creating \"{source}\": {} \"{name}\" already exists", kind.info().resource_name()));
                        continue;
                    }
                    "created"
                }
                Mode::Replace => "replaced",
            };
            if matches!(output, Some("yaml") | Some("json")) {
                let fmt = crate::printers::parse_output_format(output.unwrap_or("yaml")).unwrap_or(crate::printers::OutputFormat::Yaml);
                if let Ok(s) = crate::printers::print_objects(&[&obj], &fmt, true, false) {
                    out.out(s);
                }
            } else {
                out.outln(format!("{} {verb}{suffix}", ref_name(kind, &name)));
            }
            continue;
        }
        let result = match mode {
            Mode::Apply => sh.cluster.apply(obj),
            Mode::Create => sh.cluster.create(obj).map(|o| (ApplyResult::Created, o)),
            Mode::Replace => {
                if p.bool("force") {
                    let _ = sh.cluster.delete(&key, &pilothouse_engine::apiserver::DeleteOptions { grace_period: Some(0), ..Default::default() });
                    sh.cluster.create(obj).map(|o| (ApplyResult::Configured, o))
                } else {
                    sh.cluster.update(obj).map(|o| (ApplyResult::Configured, o))
                }
            }
        };
        match result {
            Ok((r, o)) => {
                if matches!(output, Some("name")) {
                    out.outln(ref_name(kind, &name));
                    continue;
                }
                if matches!(output, Some("yaml") | Some("json")) {
                    let fmt = crate::printers::parse_output_format(output.unwrap_or("yaml")).unwrap_or(crate::printers::OutputFormat::Yaml);
                    if let Ok(s) = crate::printers::print_objects(&[&o], &fmt, true, false) {
                        out.out(s);
                    }
                    continue;
                }
                let verb = match (mode, r) {
                    (Mode::Replace, _) => "replaced",
                    (_, ApplyResult::Created) => "created",
                    (_, ApplyResult::Configured) => "configured",
                    (_, ApplyResult::Unchanged) => "unchanged",
                };
                out.outln(format!("{} {verb}", ref_name(kind, &name)));
            }
            Err(e) => {
                let verb = match mode {
                    Mode::Replace => "replacing",
                    _ => "creating",
                };
                let verb = if mode == Mode::Apply && sh.cluster.get(&key).is_some() { "patching" } else { verb };
                errors.push(api_err_source(&e, verb, &source));
            }
        }
    }
    for e in errors {
        report(out, &e);
    }
}
