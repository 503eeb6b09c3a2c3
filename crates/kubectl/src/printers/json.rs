//! JSON exactly as Go's `json.MarshalIndent(obj, "", "    ")` writes an unstructured object:
//! map keys sorted bytewise, HTML characters escaped, Go number formatting.

use serde_json::Value;

/// Pretty JSON with 4-space indentation and a trailing newline (kubectl's `-o json`).
pub fn to_pretty(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, 0, Some("    "), true, &mut out);
    out.push('\n');
    out
}

/// [`to_pretty`] with the keys in the value's own order: a typed Go struct's fields
/// (`kubectl config view -o json`).
pub fn to_pretty_in_order(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, 0, Some("    "), false, &mut out);
    out.push('\n');
    out
}

/// Compact JSON as Go's `json.Marshal` writes it (used by JSONPath for maps and lists).
pub fn to_compact(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, 0, None, true, &mut out);
    out
}

fn newline(level: usize, indent: Option<&str>, out: &mut String) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(ind);
        }
    }
}

fn write_value(v: &Value, level: usize, indent: Option<&str>, sort_keys: bool, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_number(n)),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(level + 1, indent, out);
                write_value(item, level + 1, indent, sort_keys, out);
            }
            newline(level, indent, out);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut keys: Vec<&String> = map.keys().collect();
            if sort_keys {
                pilothouse_engine::sort::sort(&mut keys);
            }
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(level + 1, indent, out);
                write_string(k, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_value(&map[k.as_str()], level + 1, indent, sort_keys, out);
            }
            newline(level, indent, out);
            out.push('}');
        }
    }
}

/// Go's JSON string encoding with HTML escaping (`<` becomes `\u003c`).
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A number as Go's encoding/json prints a float64 or an integer.
pub fn go_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    go_json_float(f)
}

/// Go's `encoding/json` float64 formatting ('f' unless the exponent is < -6 or >= 21).
pub fn go_json_float(f: f64) -> String {
    if !f.is_finite() {
        return "null".to_string();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // 'e' format with at least two exponent digits, as Go does ("1e-07", "1e+21").
        let s = format!("{:e}", f);
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", exp.abs());
    }
    let s = format!("{}", f);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pretty_sorted_and_escaped() {
        let v = json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "<x>", "labels": {}}, "items": [], "n": [1, 2]});
        assert_eq!(
            to_pretty(&v),
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"Pod\",\n    \"metadata\": {\n        \"labels\": {},\n        \"name\": \"\\u003cx\\u003e\"\n    },\n    \"n\": [\n        1,\n        2\n    ]\n}\n"
        );
        assert_eq!(to_compact(&json!({"b": 1, "a": "x"})), "{\"a\":\"x\",\"b\":1}");
    }

    #[test]
    fn floats_like_go() {
        assert_eq!(go_json_float(1.0), "1");
        assert_eq!(go_json_float(0.5), "0.5");
        assert_eq!(go_json_float(1e21), "1e+21");
        assert_eq!(go_json_float(1e-7), "1e-07");
    }
}
