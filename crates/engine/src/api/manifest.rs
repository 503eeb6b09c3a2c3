//! Reading manifests: multi-document YAML or JSON into typed objects, with the errors kubectl
//! and the API server give (syntax errors with their line, unknown kinds, unknown fields).

use super::{Kind, Object};
use serde_json::Value;

/// One object read from a manifest, with the line its document starts on (1-based).
#[derive(Clone, Debug)]
pub struct ParsedManifest {
    /// The typed object.
    pub object: Object,
    /// Line of the document's first line in the whole text.
    pub line: usize,
}

/// Why a manifest could not be read. `Display` gives the text after kubectl's `error: ` /
/// `Error from server (BadRequest): error when creating "FILE": ` prefixes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// YAML or JSON that does not parse.
    #[error("error converting YAML to JSON: yaml: line {line}: {message}")]
    Syntax {
        /// what is wrong
        message: String,
        /// 1-based line in the whole text
        line: usize,
        /// 1-based column
        column: usize,
    },
    /// A document without `kind` or `apiVersion`.
    #[error("error validating data: {missing} not set")]
    Missing {
        /// `kind` or `apiVersion`
        missing: &'static str,
        /// document start line
        line: usize,
    },
    /// A kind/apiVersion pair the server does not serve.
    #[error("resource mapping not found for name: \"{name}\" namespace: \"{namespace}\" from \"{{FILE}}\": no matches for kind \"{kind}\" in version \"{version}\"\nensure CRDs are installed first")]
    NoMatch {
        /// metadata.name
        name: String,
        /// metadata.namespace
        namespace: String,
        /// the kind written
        kind: String,
        /// the apiVersion written
        version: String,
        /// line of `kind:`
        line: usize,
    },
    /// A field the type does not have (strict decoding), or a value of the wrong type.
    #[error("{kind} in version \"{version}\" cannot be handled as a {kind}: {detail}")]
    Decode {
        /// the kind
        kind: String,
        /// the version
        version: String,
        /// `strict decoding error: unknown field "spec.x"` or a type error
        detail: String,
        /// the line of the offending field, when found
        line: usize,
    },
}

impl ManifestError {
    /// The 1-based line the error points at.
    pub fn line(&self) -> usize {
        match self {
            ManifestError::Syntax { line, .. }
            | ManifestError::Missing { line, .. }
            | ManifestError::NoMatch { line, .. }
            | ManifestError::Decode { line, .. } => *line,
        }
    }

    /// The 1-based column, when known.
    pub fn column(&self) -> usize {
        match self {
            ManifestError::Syntax { column, .. } => *column,
            _ => 1,
        }
    }

    /// Whether kubectl reports this as a server error (`Error from server (BadRequest)`).
    pub fn is_server_error(&self) -> bool {
        matches!(self, ManifestError::Decode { .. })
    }
}

/// Splits a text into YAML documents at `---` lines, returning (start line, text) pairs.
fn split_documents(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut cur = String::new();
    let mut start = 1;
    for (i, line) in text.lines().enumerate() {
        let is_sep = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        if is_sep {
            docs.push((start, std::mem::take(&mut cur)));
            start = i + 2;
            let rest = line[3..].trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                cur.push_str(rest);
                cur.push('\n');
            }
        } else {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    docs.push((start, cur));
    docs
}

/// The words YAML 1.1 reads as booleans and YAML 1.2 (serde_yaml) as strings. kubectl reads
/// manifests with go-yaml v2, a YAML 1.1 parser, so `debug: on` sends `true` (and a ConfigMap
/// with it is rejected): the well-known reason to quote `"yes"`, `"no"`, `"on"`, `"off"`.
fn yaml11_bool(word: &str) -> Option<&'static str> {
    match word {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some("true"),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some("false"),
        _ => None,
    }
}

/// `s` with a plain (unquoted) YAML 1.1 boolean word replaced by `true`/`false`; a trailing
/// comment and surrounding spaces are kept.
fn convert_scalar(s: &str) -> String {
    let (value, comment) = match s.find(" #") {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let word = value.trim();
    match yaml11_bool(word) {
        Some(b) => {
            let lead = &value[..value.len() - value.trim_start().len()];
            let trail = &value[value.trim_end().len()..];
            format!("{lead}{b}{trail}{comment}")
        }
        None => s.to_string(),
    }
}

/// A flow collection on one line (`{debug: on, x: [y, n]}`) with its boolean words converted;
/// left alone when it holds quotes.
fn convert_flow(s: &str) -> String {
    if s.contains(['"', '\'', '#']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut piece = String::new();
    let flush = |piece: &mut String, out: &mut String| {
        match piece.split_once(':') {
            Some((k, v)) => {
                out.push_str(&convert_scalar(k));
                out.push(':');
                out.push_str(&convert_scalar(v));
            }
            None => out.push_str(&convert_scalar(piece)),
        }
        piece.clear();
    };
    for c in s.chars() {
        if matches!(c, '{' | '}' | '[' | ']' | ',') {
            flush(&mut piece, &mut out);
            out.push(c);
        } else {
            piece.push(c);
        }
    }
    flush(&mut piece, &mut out);
    out
}

/// One line of block YAML with its boolean words (keys and values) converted.
fn convert_line(line: &str) -> String {
    let body = line.trim_start();
    let mut out = line[..line.len() - body.len()].to_string();
    let mut rest = body;
    while let Some(r) = rest.strip_prefix("- ") {
        out.push_str("- ");
        let r2 = r.trim_start();
        out.push_str(&r[..r.len() - r2.len()]);
        rest = r2;
    }
    if rest.starts_with(['"', '\'', '#', '|', '>', '&', '*', '!']) {
        out.push_str(rest);
        return out;
    }
    if rest.starts_with(['{', '[']) {
        out.push_str(&convert_flow(rest));
        return out;
    }
    // `key: value` (the key a plain scalar), `key:` or a bare sequence item.
    let colon = rest.find(": ").or_else(|| rest.strip_suffix(':').map(|k| k.len()));
    match colon {
        Some(i) if !rest[..i].contains(['"', '\'', '{', '[', '#']) => {
            out.push_str(&convert_scalar(&rest[..i]));
            out.push(':');
            let value = rest.get(i + 1..).unwrap_or("");
            let v = value.trim_start();
            if v.starts_with(['{', '[']) {
                out.push_str(&value[..value.len() - v.len()]);
                out.push_str(&convert_flow(v));
            } else if v.starts_with(['"', '\'', '|', '>', '&', '*', '!']) {
                out.push_str(value);
            } else {
                out.push_str(&convert_scalar(value));
            }
        }
        Some(_) => out.push_str(rest),
        None => out.push_str(&convert_scalar(rest)),
    }
    out
}

/// Block-style YAML with the YAML 1.1 boolean words kubectl's parser reads as booleans turned
/// into `true`/`false`, outside block scalars (`|`, `>`) and quoted strings.
fn yaml11_booleans(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    // Indentation of the line that opened a block scalar, while inside it.
    let mut block: Option<usize> = None;
    for line in doc.split_inclusive('\n') {
        let (body, nl) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        let indent = body.len() - body.trim_start().len();
        if let Some(bi) = block {
            if body.trim().is_empty() || indent > bi {
                out.push_str(line);
                continue;
            }
            block = None;
        }
        let code = body.split(" #").next().unwrap_or("").trim_end();
        // `key: |`, `- >-`, `key: |2 # comment`: the line opens a block scalar.
        let last = code.rsplit(' ').next().unwrap_or("");
        if code.len() > last.len() && last.starts_with(['|', '>']) && last[1..].chars().all(|c| c.is_ascii_digit() || c == '+' || c == '-') {
            block = Some(indent);
        }
        if body.trim_start().starts_with('#') || body.trim().is_empty() {
            out.push_str(line);
            continue;
        }
        out.push_str(&convert_line(body));
        out.push_str(nl);
    }
    out
}

/// How unknown fields are treated: kubectl's `--validate` (strict, warn, ignore), the API's
/// `fieldValidation`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FieldValidation {
    /// Rejected: `strict decoding error: unknown field "spec.x"`.
    #[default]
    Strict,
    /// Dropped with a warning (`unknown field "spec.x"`).
    Warn,
    /// Dropped silently.
    Ignore,
}

/// Parses YAML (one or many documents) or JSON into typed objects. `kind: List` is expanded.
pub fn parse_manifests(text: &str) -> Result<Vec<ParsedManifest>, ManifestError> {
    parse_manifests_with(text, FieldValidation::Strict).map(|(objs, _)| objs)
}

/// [`parse_manifests`] with a field validation; also gives the warnings (`unknown field "x"`).
pub fn parse_manifests_with(text: &str, validation: FieldValidation) -> Result<(Vec<ParsedManifest>, Vec<String>), ManifestError> {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for (start, doc) in split_documents(text) {
        if doc.trim().is_empty() || doc.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
            continue;
        }
        let doc = yaml11_booleans(&doc);
        let yaml: serde_yaml::Value = serde_yaml::from_str(&doc).map_err(|e| syntax_error(&e, start))?;
        if yaml.is_null() {
            continue;
        }
        let json: Value = super::json_ser::to_value(&yaml).map_err(|e| ManifestError::Syntax {
            message: e.to_string(),
            line: start,
            column: 1,
        })?;
        if !json.is_object() {
            return Err(ManifestError::Syntax {
                message: format!("cannot unmarshal {} into Go value of type map[string]interface {{}}", json_type(&json)),
                line: start,
                column: 1,
            });
        }
        if json.get("kind").and_then(Value::as_str) == Some("List") {
            let items = json.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
            for item in items {
                let (object, w) = object_from_value_with(item, &doc, start, validation)?;
                warnings.extend(w);
                out.push(ParsedManifest { object, line: start });
            }
        } else {
            let (object, w) = object_from_value_with(json, &doc, start, validation)?;
            warnings.extend(w);
            out.push(ParsedManifest { object, line: start });
        }
    }
    Ok((out, warnings))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "null",
    }
}

fn syntax_error(e: &serde_yaml::Error, start: usize) -> ManifestError {
    let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
    let mut message = e.to_string();
    if let Some(idx) = message.find(" at line ") {
        message.truncate(idx);
    }
    ManifestError::Syntax { message, line: start + line.saturating_sub(1), column }
}

/// Finds the line (in the whole text) of the first line of `doc` whose key is `key`.
fn find_key_line(doc: &str, start: usize, key: &str) -> usize {
    for (i, l) in doc.lines().enumerate() {
        let t = l.trim_start().trim_start_matches("- ").trim_start();
        if t.starts_with(&format!("{key}:")) || t.starts_with(&format!("\"{key}\":")) {
            return start + i;
        }
    }
    start
}

/// Converts one JSON document into a typed object, rejecting unknown kinds and fields.
pub fn object_from_value(json: Value, doc: &str, start: usize) -> Result<Object, ManifestError> {
    object_from_value_with(json, doc, start, FieldValidation::Strict).map(|(o, _)| o)
}

/// [`object_from_value`] with a field validation: unknown fields are an error (strict), or
/// dropped and given back as warnings (warn) or silently (ignore).
pub fn object_from_value_with(mut json: Value, doc: &str, start: usize, validation: FieldValidation) -> Result<(Object, Vec<String>), ManifestError> {
    let api_version = json.get("apiVersion").and_then(Value::as_str).unwrap_or("").to_string();
    let kind_name = json.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
    if kind_name.is_empty() {
        return Err(ManifestError::Missing { missing: "kind", line: start });
    }
    if api_version.is_empty() {
        return Err(ManifestError::Missing { missing: "apiVersion", line: start });
    }
    let Some(kind) = Kind::from_api_version(&api_version, &kind_name) else {
        let meta = json.get("metadata");
        let get = |k: &str| meta.and_then(|m| m.get(k)).and_then(Value::as_str).unwrap_or("").to_string();
        return Err(ManifestError::NoMatch {
            name: get("name"),
            namespace: get("namespace"),
            kind: kind_name,
            version: api_version,
            line: find_key_line(doc, start, "kind"),
        });
    };
    super::quantity::normalize_quantities(&mut json);
    let version = kind.info().version.to_string();
    let object = Object::from_json_as(kind, json.clone()).map_err(|detail| {
        // `... Go struct field DeploymentSpec.spec.replicas of type int32` or `spec.x[0].y: ...`.
        let path = match detail.split_once("Go struct field ") {
            Some((_, rest)) => rest.split(' ').next().unwrap_or(""),
            None => detail.split(':').next().unwrap_or(""),
        };
        let field = path.rsplit('.').next().unwrap_or("");
        let field = field.split('[').next().unwrap_or("");
        ManifestError::Decode {
            kind: kind_name.clone(),
            version: version.clone(),
            line: if field.is_empty() { start } else { find_key_line(doc, start, field) },
            detail,
        }
    })?;
    let back = object.to_json();
    let mut unknown = Vec::new();
    unknown_fields(&json, &back, "", &mut unknown);
    unknown.retain(|f| f != "apiVersion" && f != "kind");
    if !unknown.is_empty() && validation != FieldValidation::Strict {
        let warnings = if validation == FieldValidation::Warn { unknown.iter().map(|f| format!("unknown field \"{f}\"")).collect() } else { Vec::new() };
        return Ok((object, warnings));
    }
    if !unknown.is_empty() {
        let first_leaf = unknown[0].rsplit('.').next().unwrap_or("").split('[').next().unwrap_or("").to_string();
        let detail = if unknown.len() == 1 {
            format!("strict decoding error: unknown field \"{}\"", unknown[0])
        } else {
            let list: Vec<String> = unknown.iter().map(|f| format!("unknown field \"{f}\"")).collect();
            format!("strict decoding error: {}", list.join(", "))
        };
        return Err(ManifestError::Decode {
            kind: kind_name,
            version,
            detail,
            line: find_key_line(doc, start, &first_leaf),
        });
    }
    Ok((object, Vec::new()))
}

/// Collects paths present in `input` but absent from `typed` (the re-serialised typed object).
fn unknown_fields(input: &Value, typed: &Value, path: &str, out: &mut Vec<String>) {
    match (input, typed) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match b.get(k) {
                    Some(tv) => unknown_fields(v, tv, &p, out),
                    None if v.is_null() => {}
                    None => out.push(p),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                unknown_fields(x, y, &format!("{path}[{i}]"), out);
            }
        }
        (Value::Object(a), _) if !a.is_empty() => {
            // A map collapsed to something else (e.g. a struct with every field unknown).
            for k in a.keys() {
                out.push(if path.is_empty() { k.clone() } else { format!("{path}.{k}") });
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_booleans_are_booleans_as_kubectl_reads_them() {
        // An unquoted `on`/`yes` in a ConfigMap's data is a boolean: rejected, as on a real cluster.
        for text in ["apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f}\ndata:\n  debug: on\n", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f}\ndata: {debug: yes}\n", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f}\ndata:\n  debug: Off   # quiet\n"] {
            let err = parse_manifests(text).unwrap_err().to_string();
            assert!(err.contains("json: cannot unmarshal bool into Go struct field ConfigMap.data of type string"), "{text}: {err}");
        }
        // Quoted, in a block scalar, or part of a longer word: strings.
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f\n  labels:\n    n: x\ndata:\n  a: \"on\"\n  b: 'no'\n  c: only\n  script: |\n    on\n    yes: no\n  d: >-\n    off\n";
        let objs = parse_manifests(text).unwrap();
        let Object::ConfigMap(cm) = &objs[0].object else { panic!("not a ConfigMap") };
        let data = cm.data.clone().unwrap_or_default();
        assert_eq!(data["a"], "on");
        assert_eq!(data["b"], "no");
        assert_eq!(data["c"], "only");
        assert_eq!(data["script"], "on\nyes: no\n");
        assert_eq!(data["d"], "off");
        // A key is converted too (go-yaml v2 reads `n` as false).
        assert_eq!(cm.metadata.labels.clone().unwrap_or_default().keys().collect::<Vec<_>>(), ["false"]);
        // A boolean field takes `yes`; a list of strings does not take `on`.
        let pod = |spec: &str| format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{spec}");
        let objs = parse_manifests(&pod("  hostNetwork: yes\n  containers:\n  - name: c\n    image: nginx\n")).unwrap();
        assert_eq!(objs[0].object.as_pod().and_then(|p| p.spec.as_ref()).and_then(|s| s.host_network), Some(true));
        let err = parse_manifests(&pod("  containers:\n  - name: c\n    image: nginx\n    args: [serve, on]\n")).unwrap_err().to_string();
        assert!(err.contains("json: cannot unmarshal bool into Go struct field Container.spec.containers.args of type string"), "{err}");
        let err = parse_manifests(&pod("  containers:\n  - name: c\n    image: nginx\n    args:\n    - serve\n    - N\n")).unwrap_err().to_string();
        assert!(err.contains("json: cannot unmarshal bool into Go struct field Container.spec.containers.args of type string"), "{err}");
    }

    #[test]
    fn parses_multi_document_yaml() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n";
        let objs = parse_manifests(text).unwrap();
        assert_eq!(objs.len(), 2);
        assert_eq!(objs[1].line, 6);
        assert_eq!(objs[1].object.metadata().name.as_deref(), Some("b"));
    }

    #[test]
    fn unknown_kind_is_no_match() {
        let err = parse_manifests("apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n").unwrap_err();
        assert!(err.to_string().contains("no matches for kind \"Foo\" in version \"v1\""), "{err}");
        assert_eq!(err.line(), 2);
    }

    #[test]
    fn unknown_field_is_named_with_its_line() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: c\n    imagee: nginx\n";
        let err = parse_manifests(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].imagee\""
        );
        assert_eq!(err.line(), 8);
    }

    #[test]
    fn syntax_error_has_line() {
        let err = parse_manifests("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: : :\n").unwrap_err();
        assert!(matches!(err, ManifestError::Syntax { .. }), "{err:?}");
        assert!(err.line() >= 4, "{err:?}");
    }

    #[test]
    fn integer_quantities_are_accepted() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: c\n    image: nginx\n    resources:\n      requests:\n        cpu: 1\n";
        let objs = parse_manifests(text).unwrap();
        let Object::Pod(p) = &objs[0].object else { panic!() };
        let req = p.spec.as_ref().unwrap().containers[0].resources.as_ref().unwrap().requests.as_ref().unwrap();
        assert_eq!(req["cpu"].0, "1");
    }

    #[test]
    fn wrong_type_is_a_decode_error() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: three\n";
        let err = parse_manifests(text).unwrap_err();
        assert_eq!(err.to_string(), "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32");
        assert_eq!(err.line(), 6);
    }
}
