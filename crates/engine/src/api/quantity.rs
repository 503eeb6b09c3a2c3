//! Kubernetes resource quantities (`100m`, `1.5Gi`, `2e3`): parsing to integers and normalising
//! manifests where users write numbers (`cpu: 1`) for what the API types hold as strings.

use serde_json::Value;

/// Keys whose value is a map of resource name to quantity.
const QUANTITY_MAPS: &[&str] = &[
    "requests", "limits", "capacity", "allocatable", "hard", "used", "default", "defaultRequest",
    "max", "min", "maxLimitRequestRatio", "overhead",
];
/// Keys whose value is itself a quantity.
const QUANTITY_FIELDS: &[&str] = &["sizeLimit", "storage"];

/// Turns numbers into strings where the API expects a quantity, so `cpu: 1` decodes as `"1"`.
pub fn normalize_quantities(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if QUANTITY_MAPS.contains(&k.as_str()) {
                    if let Value::Object(inner) = child {
                        for q in inner.values_mut() {
                            if let Value::Number(n) = q {
                                *q = Value::String(n.to_string());
                            }
                        }
                    }
                }
                if QUANTITY_FIELDS.contains(&k.as_str()) {
                    if let Value::Number(n) = child {
                        *child = Value::String(n.to_string());
                        continue;
                    }
                }
                normalize_quantities(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_quantities),
        _ => {}
    }
}

/// Parses a quantity into its value times 1000 (millis), rounding up as Kubernetes does.
pub fn parse_milli(s: &str) -> Option<i64> {
    let (num, scale) = split(s)?;
    let v = num * scale * 1000.0;
    if !v.is_finite() {
        return None;
    }
    Some(v.ceil() as i64)
}

/// Parses a quantity into a whole number (bytes, counts), rounding up.
pub fn parse_int(s: &str) -> Option<i64> {
    let (num, scale) = split(s)?;
    let v = num * scale;
    if !v.is_finite() {
        return None;
    }
    Some(v.ceil() as i64)
}

/// Whether the text is a valid quantity.
pub fn is_valid(s: &str) -> bool {
    split(s).is_some()
}

fn split(s: &str) -> Option<(f64, f64)> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let idx = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(idx);
    if num.is_empty() || num == "+" || num == "-" {
        return None;
    }
    let num: f64 = num.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        e if e.starts_with('e') || e.starts_with('E') => {
            let exp: i32 = e[1..].parse().ok()?;
            10f64.powi(exp)
        }
        _ => return None,
    };
    Some((num, scale))
}

/// Formats millicores the way Kubernetes canonicalises CPU (`250m`, `2`).
pub fn format_milli(m: i64) -> String {
    if m % 1000 == 0 {
        format!("{}", m / 1000)
    } else {
        format!("{m}m")
    }
}

/// Formats bytes with the largest binary suffix that divides them exactly (`128Mi`, `1Gi`).
pub fn format_bytes(b: i64) -> String {
    const UNITS: &[(&str, i64)] = &[("Ei", 1 << 60), ("Pi", 1 << 50), ("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];
    for (u, f) in UNITS {
        if b != 0 && b % f == 0 {
            return format!("{}{}", b / f, u);
        }
    }
    b.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cpu_and_memory() {
        assert_eq!(parse_milli("100m"), Some(100));
        assert_eq!(parse_milli("1"), Some(1000));
        assert_eq!(parse_milli("0.5"), Some(500));
        assert_eq!(parse_int("128Mi"), Some(128 * 1024 * 1024));
        assert_eq!(parse_int("1G"), Some(1_000_000_000));
        assert_eq!(parse_int("1e3"), Some(1000));
        assert_eq!(parse_int("abc"), None);
        assert_eq!(parse_int("1Qi"), None);
    }

    #[test]
    fn formats() {
        assert_eq!(format_milli(250), "250m");
        assert_eq!(format_milli(2000), "2");
        assert_eq!(format_bytes(128 * 1024 * 1024), "128Mi");
    }
}
