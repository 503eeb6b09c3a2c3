//! `-o yaml|json|name|jsonpath|custom-columns`.

use super::jsonpath::{relaxed, Template};
use super::OutputFormat;
use pilothouse_engine::api::Object;
use serde_json::{json, Map, Value};

/// Parses the value of `-o`: `yaml`, `json`, `name`, `wide`, `jsonpath=...`, `jsonpath='...'`,
/// `custom-columns=...`. The error is kubectl's.
pub fn parse_output_format(s: &str) -> Result<OutputFormat, String> {
    let (name, arg) = match s.split_once('=') {
        Some((n, a)) => (n, Some(a)),
        None => (s, None),
    };
    let strip_quotes = |a: &str| -> String {
        let a = a.trim();
        if a.len() >= 2 && ((a.starts_with('\'') && a.ends_with('\'')) || (a.starts_with('"') && a.ends_with('"'))) {
            a[1..a.len() - 1].to_string()
        } else {
            a.to_string()
        }
    };
    match (name, arg) {
        ("", None) => Ok(OutputFormat::Default),
        ("wide", None) => Ok(OutputFormat::Wide),
        ("yaml", None) => Ok(OutputFormat::Yaml),
        ("json", None) => Ok(OutputFormat::Json),
        ("name", None) => Ok(OutputFormat::Name),
        ("jsonpath", Some(a)) => Ok(OutputFormat::JsonPath(strip_quotes(a))),
        ("jsonpath-as-json", Some(a)) => Ok(OutputFormat::JsonPathJson(strip_quotes(a))),
        ("jsonpath" | "jsonpath-as-json", None) => Err("template format specified but no template given".to_string()),
        ("go-template" | "go-template-file" | "template" | "templatefile", _) => Err("go-template output is not supported in Pilothouse; use -o jsonpath='{...}' instead".to_string()),
        ("custom-columns", Some(a)) => Ok(OutputFormat::CustomColumns(strip_quotes(a))),
        ("custom-columns", None) => Err("custom-columns format specified but no custom columns given".to_string()),
        _ => Err(format!(
            "unable to match a printer suitable for the output format \"{s}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
        )),
    }
}

/// The object as the API returns it (with apiVersion and kind first-class).
fn object_json(obj: &Object) -> Value {
    let mut v = obj.to_json();
    if let Value::Object(m) = &mut v {
        let info = obj.kind().info();
        m.entry("apiVersion").or_insert_with(|| Value::String(info.api_version()));
        m.entry("kind").or_insert_with(|| Value::String(info.kind.to_string()));
    }
    v
}

fn list_json(objects: &[&Object]) -> Value {
    let items: Vec<Value> = objects.iter().map(|o| object_json(o)).collect();
    let mut m = Map::new();
    m.insert("apiVersion".into(), json!("v1"));
    m.insert("items".into(), Value::Array(items));
    m.insert("kind".into(), json!("List"));
    m.insert("metadata".into(), json!({"resourceVersion": ""}));
    Value::Object(m)
}

/// Prints objects in a machine format. `single` is kubectl's "single item implied" (one object
/// named on the command line): the object itself is printed; otherwise the objects are wrapped
/// in `kind: List` (even zero or one of them). `no_headers` applies to custom-columns.
/// Table formats (`Default`, `Wide`) are not handled here: use [`super::print_table`].
pub fn print_objects(objects: &[&Object], format: &OutputFormat, single: bool, no_headers: bool) -> Result<String, String> {
    let data = || if single && objects.len() == 1 { object_json(objects[0]) } else { list_json(objects) };
    match format {
        OutputFormat::Yaml => Ok(super::yaml_of(&data())),
        OutputFormat::Json => Ok(super::json::to_pretty(&data())),
        OutputFormat::Name => Ok(objects
            .iter()
            .map(|o| format!("{}/{}\n", o.kind().info().singular_resource(), o.metadata().name.as_deref().unwrap_or("")))
            .collect()),
        OutputFormat::JsonPath(t) | OutputFormat::JsonPathJson(t) => jsonpath_on(&data(), t, matches!(format, OutputFormat::JsonPathJson(_))),
        OutputFormat::CustomColumns(spec) => custom_columns(objects, spec, no_headers),
        OutputFormat::Default | OutputFormat::Wide => Err("table output is printed with print_table".to_string()),
    }
}

/// `-o jsonpath=T` (or `jsonpath-as-json=T`) over a value; the errors are kubectl's.
pub fn jsonpath_on(d: &Value, t: &str, as_json: bool) -> Result<String, String> {
    let tmpl = Template::parse(t).map_err(|e| format!("error parsing jsonpath {t}, {e}"))?;
    let result = if as_json { tmpl.execute_json(d) } else { tmpl.execute(d) };
    result.map_err(|e| {
        format!(
            "error executing jsonpath {:?}: Error executing template: {}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{}\n\tobject given to jsonpath engine was:\n\t\t{}\n\n",
            t,
            e,
            t,
            go_syntax(d)
        )
    })
}

/// A JSON value as Go's `%#v` prints what kubectl decoded it into (`map[string]interface {}{"a":1,
/// "b":[]interface {}{"x"}}`, keys sorted), for jsonpath's debugging message.
fn go_syntax(v: &Value) -> String {
    match v {
        Value::Null => "interface {}(nil)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => super::jsonpath::go_number_text(n),
        Value::String(s) => go_quote(s),
        Value::Array(a) => format!("[]interface {{}}{{{}}}", a.iter().map(go_syntax).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            pilothouse_engine::sort::sort(&mut keys);
            format!("map[string]interface {{}}{{{}}}", keys.iter().map(|k| format!("{}:{}", go_quote(k), go_syntax(&m[*k]))).collect::<Vec<_>>().join(", "))
        }
    }
}

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn custom_columns(objects: &[&Object], spec: &str, no_headers: bool) -> Result<String, String> {
    if spec.is_empty() {
        return Err("custom-columns format specified but no custom columns given".to_string());
    }
    let mut headers = Vec::new();
    let mut templates = Vec::new();
    for part in spec.split(',') {
        let Some((h, path)) = part.split_once(':') else {
            return Err(format!("unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"));
        };
        let expr = relaxed(path)?;
        let t = Template::parse(&expr).map_err(|e| format!("error parsing jsonpath {expr}, {e}"))?;
        headers.push(h.to_string());
        templates.push(t);
    }
    let mut text = String::new();
    if !no_headers {
        text.push_str(&headers.join("\t"));
        text.push('\n');
    }
    for obj in objects {
        let data = object_json(obj);
        let mut cols = Vec::new();
        for t in &templates {
            let values = t.find_results(&data)?;
            if values.is_empty() {
                cols.push("<none>".to_string());
            } else {
                cols.push(values.iter().map(go_sprint).collect::<Vec<_>>().join(","));
            }
        }
        text.push_str(&cols.join("\t"));
        text.push('\n');
    }
    Ok(super::tabwriter::table(&text))
}

/// `fmt.Sprint` of an unstructured value: maps as `map[k:v]`, lists as `[a b]`.
fn go_sprint(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => super::jsonpath::go_number_text(n),
        Value::Array(a) => format!("[{}]", a.iter().map(go_sprint).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            pilothouse_engine::sort::sort(&mut keys);
            format!("map[{}]", keys.iter().map(|k| format!("{}:{}", k, go_sprint(&m[k.as_str()]))).collect::<Vec<_>>().join(" "))
        }
    }
}
