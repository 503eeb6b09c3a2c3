//! kubectl's JSONPath dialect (`k8s.io/client-go/util/jsonpath`): `{.a.b}`, `[*]`, `[0]`,
//! `[1:3]`, `[-1]`, `['a','b']`, `[?(@.type=="Ready")]`, `..name`, `.*`, `{range}...{end}`,
//! `{"\n"}` literals. Missing keys yield nothing (kubectl's `--allow-missing-template-keys`).

use serde_json::Value;

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Field(String),
    Wildcard,
    Recursive,
    Array(Vec<Slice>),
    Union(Vec<Vec<Node>>),
    Filter(Box<Filter>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Ident(String),
}

#[derive(Debug, Clone, Copy)]
struct Slice {
    start: Option<i64>,
    end: Option<i64>,
    step: Option<i64>,
    index: bool,
}

#[derive(Debug, Clone)]
struct Filter {
    left: Vec<Node>,
    op: String,
    right: Vec<Node>,
}

/// One `{...}` action or a run of text.
#[derive(Debug, Clone)]
enum Item {
    Text(String),
    Action(Vec<Node>),
}

/// client-go's error for `[i]` past either end of an array.
const OUT_OF_BOUNDS: &str = "array index out of bounds";

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    items: Vec<Item>,
}

impl Template {
    /// Parses a template; the error is worded like client-go's parser.
    pub fn parse(src: &str) -> Result<Template, String> {
        let mut items = Vec::new();
        let mut rest = src;
        while !rest.is_empty() {
            match rest.find('{') {
                None => {
                    items.push(Item::Text(rest.to_string()));
                    break;
                }
                Some(i) => {
                    if i > 0 {
                        items.push(Item::Text(rest[..i].to_string()));
                    }
                    let after = &rest[i + 1..];
                    let end = find_action_end(after).ok_or_else(|| "unclosed action".to_string())?;
                    let inner = &after[..end];
                    items.push(Item::Action(parse_action(inner)?));
                    rest = &after[end + 1..];
                }
            }
        }
        Ok(Template { items })
    }

    /// Evaluates the template against `data` and renders the text.
    pub fn execute(&self, data: &Value) -> Result<String, String> {
        let mut out = Sink::Text(String::new());
        let mut i = 0;
        exec_items(&self.items, &mut i, data, &mut out, false)?;
        Ok(match out {
            Sink::Text(s) => s,
            Sink::Sets(_) => String::new(),
        })
    }

    /// `-o jsonpath-as-json`: as client-go with JSON output, each text and action's results
    /// (per range iteration) printed as one JSON array, indented by four spaces.
    pub fn execute_json(&self, data: &Value) -> Result<String, String> {
        let mut out = Sink::Sets(Vec::new());
        let mut i = 0;
        exec_items(&self.items, &mut i, data, &mut out, false)?;
        let Sink::Sets(sets) = out else { return Ok(String::new()) };
        Ok(sets.into_iter().map(|s| super::json::to_pretty(&Value::Array(s))).collect())
    }

    /// Evaluates a single-action template (custom columns) to its result values.
    pub fn find_results(&self, data: &Value) -> Result<Vec<Value>, String> {
        let mut all = Vec::new();
        for item in &self.items {
            match item {
                Item::Text(t) => all.push(Value::String(t.clone())),
                // A column whose index is past the end is empty (`<none>`), not an error.
                Item::Action(nodes) => match eval_list(vec![data.clone()], nodes) {
                    Ok(v) => all.extend(v),
                    Err(e) if e.starts_with(OUT_OF_BOUNDS) => {}
                    Err(e) => return Err(e),
                },
            }
        }
        Ok(all)
    }
}

/// Finds the `}` that closes an action, skipping quoted strings.
fn find_action_end(s: &str) -> Option<usize> {
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut byte = 0;
    let mut quote: Option<char> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == '\\' && i + 1 < b.len() {
                    byte += c.len_utf8() + b[i + 1].len_utf8();
                    i += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == '}' {
                    return Some(byte);
                }
            }
        }
        byte += c.len_utf8();
        i += 1;
    }
    None
}

/// Where a template's output goes: text, or (jsonpath-as-json) one set of values per text or
/// action.
enum Sink {
    Text(String),
    Sets(Vec<Vec<Value>>),
}

impl Sink {
    fn text(&mut self, t: &str) {
        match self {
            Sink::Text(s) => s.push_str(t),
            Sink::Sets(v) => v.push(vec![Value::String(t.to_string())]),
        }
    }

    fn results(&mut self, r: Vec<Value>) {
        match self {
            Sink::Text(s) => print_results(&r, s),
            Sink::Sets(v) => v.push(r),
        }
    }
}

fn exec_items(items: &[Item], i: &mut usize, data: &Value, out: &mut Sink, in_range: bool) -> Result<(), String> {
    while *i < items.len() {
        match &items[*i] {
            Item::Text(t) => {
                out.text(t);
                *i += 1;
            }
            Item::Action(nodes) => {
                if let Some(Node::Ident(id)) = nodes.first() {
                    if id == "end" {
                        if in_range {
                            *i += 1;
                            return Ok(());
                        }
                        return Err("not in range, nothing to end".to_string());
                    }
                    if id == "range" {
                        let values = eval_list(vec![data.clone()], &nodes[1..])?;
                        *i += 1;
                        let body_start = *i;
                        if values.is_empty() {
                            // Skip the body without output.
                            let mut sink = Sink::Text(String::new());
                            exec_items(items, i, &Value::Null, &mut sink, true).ok();
                            skip_to_end(items, body_start, i);
                            continue;
                        }
                        for v in &values {
                            *i = body_start;
                            exec_items(items, i, v, out, true)?;
                        }
                        continue;
                    }
                }
                let results = eval_list(vec![data.clone()], nodes)?;
                out.results(results);
                *i += 1;
            }
        }
    }
    if in_range {
        return Err("unclosed range".to_string());
    }
    Ok(())
}

fn skip_to_end(items: &[Item], start: usize, i: &mut usize) {
    let mut depth = 0;
    let mut k = start;
    while k < items.len() {
        if let Item::Action(n) = &items[k] {
            if let Some(Node::Ident(id)) = n.first() {
                if id == "range" {
                    depth += 1;
                } else if id == "end" {
                    if depth == 0 {
                        *i = k + 1;
                        return;
                    }
                    depth -= 1;
                }
            }
        }
        k += 1;
    }
    *i = items.len();
}

fn print_results(results: &[Value], out: &mut String) {
    for (i, r) in results.iter().enumerate() {
        out.push_str(&value_text(r));
        if i + 1 != results.len() {
            out.push(' ');
        }
    }
}

/// How JSONPath prints one value: strings raw, maps and lists as compact JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(_) | Value::Array(_) => super::json::to_compact(v),
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number_text(n),
    }
}

/// `fmt.Sprint` of an int64 or float64 (`%v`, shortest 'g').
pub fn go_number_text(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f == 0.0 {
        return "0".into();
    }
    let e = format!("{:e}", f);
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..21).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    } else {
        format!("{}", f)
    }
}

fn is_terminator(c: char) -> bool {
    matches!(c, ' ' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}')
}

fn parse_action(s: &str) -> Result<Vec<Node>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut nodes = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..].iter().collect();
        if rest.starts_with("[?(") {
            // Filter up to the matching ")]".
            let mut depth = 0;
            let mut j = i + 3;
            let mut quote: Option<char> = None;
            let mut end = None;
            while j < chars.len() {
                let d = chars[j];
                if let Some(q) = quote {
                    if d == q {
                        quote = None;
                    }
                } else if d == '"' || d == '\'' {
                    quote = Some(d);
                } else if d == '(' {
                    depth += 1;
                } else if d == ')' {
                    if depth == 0 {
                        if chars.get(j + 1) == Some(&']') {
                            end = Some(j);
                            break;
                        }
                        return Err("unclosed array expect ]".into());
                    }
                    depth -= 1;
                }
                j += 1;
            }
            let end = end.ok_or_else(|| "unclosed array expect ]".to_string())?;
            let inner: String = chars[i + 3..end].iter().collect();
            nodes.push(Node::Filter(Box::new(parse_filter(&inner)?)));
            i = end + 2;
            continue;
        }
        if rest.starts_with("..") {
            nodes.push(Node::Recursive);
            i += 1; // the second '.' starts the field
            continue;
        }
        match c {
            ' ' | '@' | '$' => i += 1,
            '[' => {
                let close = chars[i..].iter().position(|c| *c == ']').ok_or_else(|| "unclosed array expect ]".to_string())?;
                let inner: String = chars[i + 1..i + close].iter().collect();
                nodes.push(parse_array(&inner)?);
                i += close + 1;
            }
            '"' | '\'' => {
                let mut j = i + 1;
                let mut raw = String::new();
                let mut closed = false;
                while j < chars.len() {
                    let d = chars[j];
                    if d == '\\' && j + 1 < chars.len() {
                        raw.push(d);
                        raw.push(chars[j + 1]);
                        j += 2;
                        continue;
                    }
                    if d == c {
                        closed = true;
                        break;
                    }
                    raw.push(d);
                    j += 1;
                }
                if !closed {
                    return Err("unterminated quoted string".into());
                }
                nodes.push(Node::Text(unescape(&raw)?));
                i = j + 1;
            }
            '.' => {
                let mut j = i + 1;
                let mut name = String::new();
                while j < chars.len() {
                    let d = chars[j];
                    if d == '\\' && j + 1 < chars.len() {
                        name.push(chars[j + 1]);
                        j += 2;
                        continue;
                    }
                    if is_terminator(d) {
                        break;
                    }
                    name.push(d);
                    j += 1;
                }
                if name == "*" {
                    nodes.push(Node::Wildcard);
                } else {
                    nodes.push(Node::Field(name));
                }
                i = j;
            }
            c if c == '+' || c == '-' || c.is_ascii_digit() => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_ascii_digit() || matches!(chars[j], '.' | 'e' | 'E' | '+' | '-')) {
                    j += 1;
                }
                let text: String = chars[i..j].iter().collect();
                if let Ok(n) = text.parse::<i64>() {
                    nodes.push(Node::Int(n));
                } else if let Ok(f) = text.parse::<f64>() {
                    nodes.push(Node::Float(f));
                } else {
                    return Err(format!("cannot parse number {text}"));
                }
                i = j;
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut j = i;
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                match word.as_str() {
                    "range" | "end" => nodes.push(Node::Ident(word)),
                    "true" => nodes.push(Node::Bool(true)),
                    "false" => nodes.push(Node::Bool(false)),
                    _ => return Err(format!("unrecognized identifier {word}")),
                }
                i = j;
            }
            c => return Err(format!("unrecognized character in action: U+{:04X} '{}'", c as u32, c)),
        }
    }
    Ok(nodes)
}

fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut it = raw.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(o) => return Err(format!("invalid syntax: unknown escape \\{o}")),
            None => return Err("invalid syntax".into()),
        }
    }
    Ok(out)
}

fn parse_array(inner: &str) -> Result<Node, String> {
    let text = inner.trim();
    if text.contains('\'') || text.contains('"') {
        // ['a','b.c']: a union of field names.
        let mut branches = Vec::new();
        for part in text.split(',') {
            let p = part.trim();
            let name = p.trim_matches(|c| c == '\'' || c == '"');
            branches.push(vec![Node::Field(name.to_string())]);
        }
        if branches.len() == 1 {
            return Ok(branches.remove(0).remove(0));
        }
        return Ok(Node::Union(branches));
    }
    let text = if text == "*" { ":" } else { text };
    let mut slices = Vec::new();
    for part in text.split(',') {
        let p = part.trim();
        let fields: Vec<&str> = p.split(':').collect();
        if fields.len() > 3 || p.is_empty() {
            return Err(format!("invalid array index {p}"));
        }
        let num = |s: &str| -> Result<Option<i64>, String> {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse::<i64>().map(Some).map_err(|_| format!("invalid array index {p}"))
            }
        };
        let start = num(fields[0])?;
        if fields.len() == 1 {
            slices.push(Slice { start, end: None, step: None, index: true });
        } else {
            let end = num(fields[1])?;
            let step = if fields.len() == 3 { num(fields[2])? } else { None };
            slices.push(Slice { start, end, step, index: false });
        }
    }
    Ok(Node::Array(slices))
}

fn parse_filter(inner: &str) -> Result<Filter, String> {
    // left op right, op among != == >= <= > < (longest first), outside quotes.
    let chars: Vec<char> = inner.chars().collect();
    let mut quote: Option<char> = None;
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if c == '"' || c == '\'' {
            quote = Some(c);
        } else if matches!(c, '!' | '=' | '<' | '>') {
            let mut j = k;
            while j < chars.len() && matches!(chars[j], '!' | '=' | '<' | '>') {
                j += 1;
            }
            let op: String = chars[k..j].iter().collect();
            let left: String = chars[..k].iter().collect();
            let right: String = chars[j..].iter().collect();
            if !matches!(op.as_str(), "==" | "!=" | ">=" | "<=" | ">" | "<" | "=") {
                return Err(format!("unrecognized filter operator {op}"));
            }
            return Ok(Filter { left: parse_action(left.trim())?, op, right: parse_action(right.trim())? });
        }
        k += 1;
    }
    Ok(Filter { left: parse_action(inner.trim())?, op: "exists".into(), right: vec![] })
}

fn eval_list(mut cur: Vec<Value>, nodes: &[Node]) -> Result<Vec<Value>, String> {
    for n in nodes {
        cur = eval(cur, n)?;
    }
    Ok(cur)
}

fn eval(input: Vec<Value>, node: &Node) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    match node {
        Node::Text(t) => out.push(Value::String(t.clone())),
        Node::Int(i) => out.push(Value::from(*i)),
        Node::Float(f) => out.push(serde_json::Number::from_f64(*f).map(Value::Number).unwrap_or(Value::Null)),
        Node::Bool(b) => out.push(Value::Bool(*b)),
        Node::Ident(_) => {}
        Node::Field(name) => {
            for v in input {
                if name.is_empty() {
                    out.push(v);
                    continue;
                }
                if let Value::Object(m) = &v {
                    if let Some(x) = m.get(name) {
                        out.push(x.clone());
                    }
                }
            }
        }
        Node::Wildcard => {
            for v in input {
                match v {
                    Value::Object(m) => {
                        let mut keys: Vec<&String> = m.keys().collect();
                        pilothouse_engine::sort::sort(&mut keys);
                        for k in keys {
                            out.push(m[k.as_str()].clone());
                        }
                    }
                    Value::Array(a) => out.extend(a),
                    _ => {}
                }
            }
        }
        Node::Recursive => {
            for v in input {
                collect_recursive(&v, &mut out);
            }
        }
        Node::Array(slices) => {
            for v in input {
                let arr = match v {
                    Value::Array(a) => a,
                    Value::Null => continue,
                    Value::Object(_) => return Err("map[string]interface {} is not array or slice".into()),
                    other => return Err(format!("{} is not array or slice", go_type_name(&other))),
                };
                let len = arr.len() as i64;
                for s in slices {
                    if s.index {
                        let mut idx = s.start.unwrap_or(0);
                        if idx < 0 {
                            idx += len;
                        }
                        if idx < 0 || idx >= len {
                            return Err(format!("{OUT_OF_BOUNDS}: index {idx}, length {len}"));
                        }
                        out.push(arr[idx as usize].clone());
                        continue;
                    }
                    let step = s.step.unwrap_or(1);
                    if step <= 0 {
                        return Err("step must be > 0".into());
                    }
                    let clamp = |x: i64| -> i64 {
                        let x = if x < 0 { x + len } else { x };
                        x.clamp(0, len)
                    };
                    let start = clamp(s.start.unwrap_or(0));
                    let end = clamp(s.end.unwrap_or(len));
                    let mut k = start;
                    while k < end {
                        out.push(arr[k as usize].clone());
                        k += step;
                    }
                }
            }
        }
        Node::Union(branches) => {
            for b in branches {
                out.extend(eval_list(input.clone(), b)?);
            }
        }
        Node::Filter(f) => {
            for v in input {
                let Value::Array(items) = v else { continue };
                for item in items {
                    let lefts = eval_list(vec![item.clone()], &f.left)?;
                    if f.op == "exists" {
                        if !lefts.is_empty() {
                            out.push(item);
                        }
                        continue;
                    }
                    if lefts.len() > 1 {
                        return Err("can only compare one element at a time".into());
                    }
                    let Some(left) = lefts.first() else { continue };
                    let rights = eval_list(vec![item.clone()], &f.right)?;
                    let Some(right) = rights.first() else { continue };
                    if compare(left, &f.op, right) {
                        out.push(item);
                    }
                }
            }
        }
    }
    Ok(out)
}

fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        _ => "interface {}",
    }
}

fn collect_recursive(v: &Value, out: &mut Vec<Value>) {
    out.push(v.clone());
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            pilothouse_engine::sort::sort(&mut keys);
            for k in keys {
                collect_recursive(&m[k.as_str()], out);
            }
        }
        Value::Array(a) => {
            for x in a {
                collect_recursive(x, out);
            }
        }
        _ => {}
    }
}

fn compare(l: &Value, op: &str, r: &Value) -> bool {
    use std::cmp::Ordering;
    let ord = match (l, r) {
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Number(a), Value::Number(b)) => a.as_f64().zip(b.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    };
    match (op, ord) {
        ("==" | "=", Some(o)) => o == Ordering::Equal,
        ("!=", Some(o)) => o != Ordering::Equal,
        ("!=", None) => true,
        (">", Some(o)) => o == Ordering::Greater,
        (">=", Some(o)) => o != Ordering::Less,
        ("<", Some(o)) => o == Ordering::Less,
        ("<=", Some(o)) => o != Ordering::Greater,
        _ => false,
    }
}

/// `RelaxedJSONPathExpression`: `.a.b`, `a.b` and `{.a.b}` all become `{.a.b}`.
pub fn relaxed(expr: &str) -> Result<String, String> {
    let e = expr.trim();
    if e.is_empty() {
        return Ok(e.to_string());
    }
    let inner = e.strip_prefix('{').unwrap_or(e);
    let inner = inner.strip_suffix('}').unwrap_or(inner);
    if inner.contains('{') || inner.contains('}') {
        return Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".to_string());
    }
    let inner = if inner.starts_with('.') || inner.starts_with('[') { inner.to_string() } else { format!(".{inner}") };
    Ok(format!("{{{inner}}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> String {
        Template::parse(t).unwrap().execute(v).unwrap()
    }

    #[test]
    fn basics() {
        let v = json!({"items": [
            {"metadata": {"name": "a", "labels": {"app": "x"}}, "status": {"conditions": [{"type": "Ready", "status": "True"}], "podIP": "10.0.0.1"}},
            {"metadata": {"name": "b"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}}
        ]});
        assert_eq!(run("{.items[*].metadata.name}", &v), "a b");
        assert_eq!(run("{range .items[*]}{.metadata.name}{\"\\n\"}{end}", &v), "a\nb\n");
        assert_eq!(run("{.items[0].status.podIP}", &v), "10.0.0.1");
        assert_eq!(run("{.items[-1].metadata.name}", &v), "b");
        assert_eq!(run("{.items[0].metadata.labels}", &v), "{\"app\":\"x\"}");
        assert_eq!(
            run("{.items[*].status.conditions[?(@.type==\"Ready\")].status}", &v),
            "True False"
        );
        assert_eq!(run("{.items[?(@.metadata.labels.app)].metadata.name}", &v), "a");
        assert_eq!(run("{.items[*].missing}", &v), "");
        assert_eq!(run("names: {..name}", &v), "names: a b");
        assert_eq!(run("{.items[0].metadata['name']}", &v), "a");
        assert_eq!(
            run("{range .items[*]}[{.metadata.name}:{range .status.conditions[*]}{.type}={.status};{end}]{end}", &v),
            "[a:Ready=True;][b:Ready=False;]"
        );
    }

    #[test]
    fn parse_errors() {
        assert!(Template::parse("{.items").is_err());
        assert!(Template::parse("{%}").is_err());
        assert!(Template::parse("{.a[}").is_err());
    }

    #[test]
    fn relaxed_paths() {
        assert_eq!(relaxed(".metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed("metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed("{.spec}").unwrap(), "{.spec}");
    }
}
