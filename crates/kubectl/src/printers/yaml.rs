//! YAML as kubectl prints it: `sigs.k8s.io/yaml` (JSON, then go-yaml v2 over a generic map).
//! Keys are sorted with go-yaml's "natural" order, sequences are not indented under their key,
//! strings are quoted exactly when go-yaml v2 would quote them, long plain and single-quoted
//! scalars are folded after column 80, and multi-line strings use literal block style.

use serde_json::Value;
use std::cmp::Ordering;

const BEST_WIDTH: usize = 80;

/// Renders a JSON value as a YAML document (with a trailing newline).
pub fn to_yaml(v: &Value) -> String {
    let mut e = Emitter { out: String::new(), column: 0 };
    match v {
        Value::Object(m) if !m.is_empty() => e.mapping(m, 0),
        Value::Array(a) if !a.is_empty() => e.sequence(a, 0),
        other => {
            // A scalar or empty collection at the top level.
            e.inline_value(other, 0, false);
        }
    }
    if e.column > 0 {
        e.out.push('\n');
    }
    e.out
}

struct Emitter {
    out: String,
    column: usize,
}

impl Emitter {
    fn put(&mut self, c: char) {
        if c == '\n' {
            self.column = 0;
        } else {
            self.column += 1;
        }
        self.out.push(c);
    }

    fn put_str(&mut self, s: &str) {
        for c in s.chars() {
            self.put(c);
        }
    }

    /// Moves to a fresh line at `indent` unless the cursor already sits there after a `- `.
    fn write_indent(&mut self, indent: usize, after_dash: bool) {
        if !(after_dash && self.column == indent) {
            if self.column > 0 || !self.out.is_empty() && !self.out.ends_with('\n') {
                self.put('\n');
            }
            while self.column < indent {
                self.put(' ');
            }
        }
    }

    fn mapping(&mut self, m: &serde_json::Map<String, Value>, indent: usize) {
        self.mapping_at(m, indent, false);
    }

    fn mapping_at(&mut self, m: &serde_json::Map<String, Value>, indent: usize, first_after_dash: bool) {
        let mut keys: Vec<&String> = m.keys().collect();
        pilothouse_engine::sort::sort_by(&mut keys, |a, b| natural_cmp(a, b));
        for (i, k) in keys.iter().enumerate() {
            self.write_indent(indent, first_after_dash && i == 0);
            self.scalar_string(k, indent + 2, true);
            self.put(':');
            let v = &m[k.as_str()];
            match v {
                Value::Object(inner) if !inner.is_empty() => self.mapping(inner, indent + 2),
                // Sequences under a mapping key are not indented (go-yaml v2 "indentless").
                Value::Array(items) if !items.is_empty() => self.sequence(items, indent),
                other => self.inline_value(other, indent + 2, false),
            }
        }
    }

    fn sequence(&mut self, items: &[Value], indent: usize) {
        self.sequence_at(items, indent, false);
    }

    fn sequence_at(&mut self, items: &[Value], indent: usize, first_after_dash: bool) {
        for (i, item) in items.iter().enumerate() {
            self.write_indent(indent, first_after_dash && i == 0);
            self.put('-');
            self.put(' ');
            match item {
                Value::Object(inner) if !inner.is_empty() => self.mapping_at(inner, indent + 2, true),
                Value::Array(inner) if !inner.is_empty() => self.sequence_at(inner, indent + 2, true),
                other => {
                    // The "- " already separates: scalars follow directly.
                    self.inline_value_nospace(other, indent + 2);
                }
            }
        }
    }

    /// A scalar (or empty collection) after `key:`, preceded by one space.
    fn inline_value(&mut self, v: &Value, indent: usize, _key: bool) {
        self.put(' ');
        self.inline_value_nospace(v, indent);
    }

    fn inline_value_nospace(&mut self, v: &Value, indent: usize) {
        match v {
            Value::Null => self.put_str("null"),
            Value::Bool(b) => self.put_str(if *b { "true" } else { "false" }),
            Value::Number(n) => self.put_str(&yaml_number(n)),
            Value::String(s) => self.scalar_string(s, indent, false),
            Value::Array(_) => self.put_str("[]"),
            Value::Object(_) => self.put_str("{}"),
        }
    }

    /// Writes a string scalar in the style go-yaml v2 picks. `indent` is the indentation of
    /// continuation lines (the scalar's own indent in the emitter).
    fn scalar_string(&mut self, s: &str, indent: usize, simple_key: bool) {
        let a = analyze(s);
        let needs_quote = !resolves_to_str(s) || is_base60_float(s);
        let style = if needs_quote {
            Style::Double
        } else if s.contains('\n') {
            if !a.block_allowed || simple_key {
                Style::Double
            } else {
                Style::Literal
            }
        } else {
            let plain_ok = if simple_key { a.flow_plain_allowed } else { a.block_plain_allowed };
            if plain_ok && !(s.is_empty() && simple_key) {
                Style::Plain
            } else if a.single_quoted_allowed && !(simple_key && a.multiline) {
                Style::Single
            } else {
                Style::Double
            }
        };
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(s, indent, allow_breaks),
            Style::Single => self.write_single(s, indent, allow_breaks),
            Style::Double => self.write_double(s, indent, allow_breaks),
            Style::Literal => self.write_literal(s, indent),
        }
    }

    fn fold(&mut self, indent: usize) {
        self.put('\n');
        while self.column < indent {
            self.put(' ');
        }
    }

    fn write_plain(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for i in 0..chars.len() {
            let c = chars[i];
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_space {
                    self.fold(indent);
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
    }

    fn write_single(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        self.put('\'');
        let mut spaces = false;
        for i in 0..chars.len() {
            let c = chars[i];
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < chars.len() && !next_space {
                    self.fold(indent);
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                spaces = false;
            }
        }
        self.put('\'');
    }

    fn write_double(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        self.put('"');
        let mut spaces = false;
        for i in 0..chars.len() {
            let c = chars[i];
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    c => {
                        let v = c as u32;
                        if v <= 0xff {
                            self.put_str(&format!("x{:02X}", v));
                        } else if v <= 0xffff {
                            self.put_str(&format!("u{:04X}", v));
                        } else {
                            self.put_str(&format!("U{:08X}", v));
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i != 0 && i + 1 != chars.len() {
                    self.fold(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.put('"');
    }

    fn write_literal(&mut self, s: &str, indent: usize) {
        let chars: Vec<char> = s.chars().collect();
        self.put('|');
        if chars.first().is_some_and(|c| *c == ' ' || is_break(*c)) {
            self.put('2');
        }
        match chars.last() {
            Some(c) if !is_break(*c) => self.put('-'),
            None => self.put('-'),
            Some(_) => {
                if chars.len() == 1 || chars.get(chars.len().wrapping_sub(2)).is_some_and(|c| is_break(*c)) {
                    self.put('+');
                }
            }
        }
        self.put('\n');
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.put('\n');
                breaks = true;
            } else {
                if breaks {
                    while self.column < indent {
                        self.put(' ');
                    }
                }
                self.put(c);
                breaks = false;
            }
        }
    }
}

enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_printable(c: char) -> bool {
    let v = c as u32;
    v == 0x0A
        || (0x20..=0x7E).contains(&v)
        || v == 0x85
        || (0xA0..=0xD7FF).contains(&v)
        || ((0xE000..=0xFFFD).contains(&v) && v != 0xFEFF)
        || (0x10000..=0x10FFFF).contains(&v)
}

fn is_blank(c: Option<char>) -> bool {
    matches!(c, Some(' ') | Some('\t'))
}

struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// libyaml's `yaml_emitter_analyze_scalar`.
fn analyze(s: &str) -> Analysis {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;

    if s.starts_with("---") || s.starts_with("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let n = chars.len();
    for i in 0..n {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let followed_by_whitespace = next.is_none() || is_blank(next) || next.is_some_and(is_break);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                '?' | ':' => {
                    flow_indicators = true;
                    block_indicators |= followed_by_whitespace;
                }
                '-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                ':' => {
                    flow_indicators = true;
                    block_indicators |= followed_by_whitespace;
                }
                '#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if !is_printable(c) || c == '\u{feff}' {
            special_characters = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == n {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == n {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blank(Some(c)) || is_break(c);
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// go-yaml v2 `resolve("", s)` yields `!!str`: the plain scalar would read back as a string.
pub fn resolves_to_str(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No", "NO",
        "false", "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return false;
    }
    let Some(first) = s.chars().next() else { return false };
    match first {
        '.' => s.parse::<f64>().is_err() || !go_parse_float_ok(s),
        '0'..='9' | '+' | '-' => {
            if is_timestamp(s) {
                return false;
            }
            let plain: String = s.chars().filter(|c| *c != '_').collect();
            if go_parse_int(&plain) || is_yaml_float(&plain) {
                return false;
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if !rest.is_empty() && rest.chars().all(|c| c == '0' || c == '1') {
                    return false;
                }
            }
            if let Some(rest) = plain.strip_prefix("-0b") {
                if !rest.is_empty() && rest.chars().all(|c| c == '0' || c == '1') {
                    return false;
                }
            }
            true
        }
        _ => true,
    }
}

/// Go's `strconv.ParseFloat` accepts roughly what Rust does for decimal input, but not
/// Rust-only spellings like "inf"/"nan" (handled by the table) — good enough here.
fn go_parse_float_ok(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
}

/// `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeds.
fn go_parse_int(s: &str) -> bool {
    let body = s.strip_prefix('+').or_else(|| s.strip_prefix('-')).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    let (digits, radix) = if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (r, 16)
    } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        (r, 8)
    } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        (r, 2)
    } else if body.len() > 1 && body.starts_with('0') {
        (&body[1..], 8)
    } else {
        (body, 10)
    };
    !digits.is_empty() && u64::from_str_radix(digits, radix).is_ok()
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let g = &b[start..i];
        let ok = match g.len() {
            1 => true,
            2 => g[0] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml v2's timestamp forms: `2006-1-2`, optionally with `T`/`t`/space and `15:4:5[.frac][zone]`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i != 4 || i == b.len() || b[i] != b'-' {
        return false;
    }
    let num = |i: &mut usize, min: usize, max: usize| -> bool {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - start < max {
            *i += 1;
        }
        *i - start >= min
    };
    i += 1;
    if !num(&mut i, 1, 2) || i >= b.len() || b[i] != b'-' {
        return false;
    }
    i += 1;
    if !num(&mut i, 1, 2) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    if !matches!(b[i], b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    if !num(&mut i, 1, 2) || i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    if !num(&mut i, 1, 2) || i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    if !num(&mut i, 1, 2) {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if !num(&mut i, 1, 9) {
            return false;
        }
    }
    if i == b.len() {
        return true;
    }
    if b[i] == b'Z' {
        return i + 1 == b.len();
    }
    if b[i] == b'+' || b[i] == b'-' {
        i += 1;
        if !num(&mut i, 2, 2) || i >= b.len() || b[i] != b':' {
            return false;
        }
        i += 1;
        return num(&mut i, 2, 2) && i == b.len();
    }
    false
}

fn yaml_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    go_g_format(f)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`.
fn go_g_format(f: f64) -> String {
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

/// go-yaml v2's `keyList.Less`: letters after non-letters, digit runs compared numerically.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    if natural_less(a, b) {
        Ordering::Less
    } else if natural_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn natural_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_ascii_alphabetic();
        let bl = br[i].is_ascii_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 {
                j -= 1;
                if !ar[j].is_ascii_digit() {
                    break;
                }
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.saturating_mul(10).saturating_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.saturating_mul(10).saturating_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deployment_like_kubectl() {
        let v = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"creationTimestamp": null, "labels": {"app": "hello"}, "name": "hello"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "hello"}}, "strategy": {},
                "template": {"metadata": {"creationTimestamp": null, "labels": {"app": "hello"}},
                    "spec": {"containers": [{"image": "nginx", "name": "nginx", "resources": {}}]}}},
            "status": {}
        });
        let want = "apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels:
    app: hello
  name: hello
spec:
  replicas: 1
  selector:
    matchLabels:
      app: hello
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: hello
    spec:
      containers:
      - image: nginx
        name: nginx
        resources: {}
status: {}
";
        assert_eq!(to_yaml(&v), want);
    }

    #[test]
    fn quoting_matches_kubectl_configmap() {
        // Expected output captured from `kubectl create configmap ... --dry-run=client -o yaml` v1.32.
        let v = json!({"data": {
            "a": "true", "b": "123", "c": "", "d": "x: y", "e": "multi\nline", "f": "1.5", "g": "null",
            "h": "~", "i": "yes", "j": "0x1F", "k": " lead", "l": "a#b", "m": "#c", "n": "- x", "o": "@x",
            "p": "*x", "q": "1e3", "r": "on", "s": "2024-01-01", "t": "a: b", "u": "trail "
        }});
        let want = "data:
  a: \"true\"
  b: \"123\"
  c: \"\"
  d: 'x: y'
  e: |-
    multi
    line
  f: \"1.5\"
  g: \"null\"
  h: \"~\"
  i: \"yes\"
  j: \"0x1F\"
  k: ' lead'
  l: a#b
  m: '#c'
  \"n\": '- x'
  o: '@x'
  p: '*x'
  q: \"1e3\"
  r: \"on\"
  s: \"2024-01-01\"
  t: 'a: b'
  u: 'trail '
";
        assert_eq!(to_yaml(&v), want);
    }

    #[test]
    fn literal_chomping_and_nesting() {
        let v = json!({"a": "x\n", "b": "x\n\n", "l": [["p", "q"], {"k": "v\nw"}], "e": [], "z": 1.5});
        let want = "a: |
  x
b: |+
  x

e: []
l:
- - p
  - q
- k: |-
    v
    w
z: 1.5
";
        assert_eq!(to_yaml(&v), want);
    }

    #[test]
    fn folds_long_plain_and_quoted_scalars() {
        let msg = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.";
        let v = json!({"status": {"conditions": [{"message": msg, "type": "PodScheduled"}]}});
        let y = to_yaml(&v);
        assert_eq!(
            y,
            "status:\n  conditions:\n  - message: '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane:\n      }, 2 Insufficient cpu.'\n    type: PodScheduled\n"
        );
    }

    #[test]
    fn natural_key_order() {
        let mut keys = vec!["b", "a10", "a9", "A", "_x", "a-b", "aB"];
        keys.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(keys, vec!["_x", "A", "a-b", "a9", "a10", "aB", "b"]);
    }
}
