//! Small formatting helpers shared by the table printers and describers: canonical quantities,
//! label and selector strings, access modes, int-or-string.

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// Quantity format, as `resource.Quantity` remembers it from the parsed suffix.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum QFormat {
    /// `Ki`, `Mi`, ...
    Binary,
    /// `m`, `k`, `M`, ... or none
    Decimal,
    /// `1e3`
    Exponent,
}

/// A parsed quantity: value in nano-units (exact for everything kubectl shows) and its format.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Q {
    /// Value times 10^9.
    pub nanos: i128,
    /// The format the value was written in.
    pub format: QFormat,
}

impl Q {
    /// Zero in decimal SI format.
    pub const ZERO: Q = Q { nanos: 0, format: QFormat::Decimal };

    /// Parses a Kubernetes quantity string; `None` if it is not one.
    pub fn parse(s: &str) -> Option<Q> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let idx = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
            .unwrap_or(s.len());
        let (num, suffix) = s.split_at(idx);
        let (neg, num) = match num.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, num.strip_prefix('+').unwrap_or(num)),
        };
        if num.is_empty() || num == "." {
            return None;
        }
        let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
        if !int_part.chars().all(|c| c.is_ascii_digit()) || !frac_part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // mantissa as integer * 10^-frac_len
        let digits = format!("{int_part}{frac_part}");
        let mantissa: i128 = digits.trim_start_matches('0').parse().unwrap_or(0);
        if digits.len() > 30 {
            return None;
        }
        let frac_len = frac_part.len() as i32;
        let (format, base10_exp, binary_mult): (QFormat, i32, i128) = match suffix {
            "" => (QFormat::Decimal, 0, 1),
            "n" => (QFormat::Decimal, -9, 1),
            "u" => (QFormat::Decimal, -6, 1),
            "m" => (QFormat::Decimal, -3, 1),
            "k" => (QFormat::Decimal, 3, 1),
            "M" => (QFormat::Decimal, 6, 1),
            "G" => (QFormat::Decimal, 9, 1),
            "T" => (QFormat::Decimal, 12, 1),
            "P" => (QFormat::Decimal, 15, 1),
            "E" => (QFormat::Decimal, 18, 1),
            "Ki" => (QFormat::Binary, 0, 1 << 10),
            "Mi" => (QFormat::Binary, 0, 1 << 20),
            "Gi" => (QFormat::Binary, 0, 1 << 30),
            "Ti" => (QFormat::Binary, 0, 1 << 40),
            "Pi" => (QFormat::Binary, 0, 1 << 50),
            "Ei" => (QFormat::Binary, 0, 1 << 60),
            e if e.starts_with('e') || e.starts_with('E') => {
                let exp: i32 = e[1..].parse().ok()?;
                if exp.abs() > 18 {
                    return None;
                }
                (QFormat::Exponent, exp, 1)
            }
            _ => return None,
        };
        let exp = base10_exp - frac_len + 9;
        let mut v = mantissa.checked_mul(binary_mult)?;
        if exp >= 0 {
            v = v.checked_mul(10i128.checked_pow(exp as u32)?)?;
        } else {
            let d = 10i128.checked_pow((-exp) as u32)?;
            // Kubernetes rounds up to the smallest unit (nano here).
            v = (v + d - 1) / d;
        }
        Some(Q { nanos: if neg { -v } else { v }, format })
    }

    /// Sum keeping the format of `self` (as `Quantity.Add` does), or of `other` when `self` is zero.
    pub fn add(self, other: Q) -> Q {
        let format = if self.nanos == 0 && self.format == QFormat::Decimal { other.format } else { self.format };
        Q { nanos: self.nanos.saturating_add(other.nanos), format }
    }

    /// `MilliValue()`, rounded up.
    pub fn milli(&self) -> i128 {
        ceil_div(self.nanos, 1_000_000)
    }

    /// `Value()`, rounded up.
    pub fn value(&self) -> i128 {
        ceil_div(self.nanos, 1_000_000_000)
    }

    /// `Quantity.String()`: the canonical form.
    pub fn canonical(&self) -> String {
        let n = self.nanos;
        if n == 0 {
            return "0".to_string();
        }
        let neg = n < 0;
        let a = n.unsigned_abs() as i128;
        let sign = if neg { "-" } else { "" };
        if self.format == QFormat::Binary && a % 1_000_000_000 == 0 {
            let bytes = a / 1_000_000_000;
            if bytes >= 1024 {
                const UNITS: &[(&str, i128)] =
                    &[("Ei", 1 << 60), ("Pi", 1 << 50), ("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];
                for (u, f) in UNITS {
                    if bytes % f == 0 {
                        return format!("{sign}{}{u}", bytes / f);
                    }
                }
            }
            // Falls back to decimal SI below 1Ki or when not a multiple of 1Ki.
        }
        // Decimal SI (also used for exponent formats, as "1e3" is rarely seen in status).
        let mut exp3 = -3i32; // nanos = 10^-9 => start at nano (exp -9) expressed in groups of 3
        let mut mant = a;
        exp3 *= 3; // -9
        while mant % 1000 == 0 && exp3 < 18 {
            mant /= 1000;
            exp3 += 3;
        }
        let suffix = match exp3 {
            -9 => "n",
            -6 => "u",
            -3 => "m",
            0 => "",
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            _ => "E",
        };
        if self.format == QFormat::Exponent && exp3 > 0 {
            return format!("{sign}{mant}e{exp3}");
        }
        format!("{sign}{mant}{suffix}")
    }
}

fn ceil_div(a: i128, b: i128) -> i128 {
    if a >= 0 {
        (a + b - 1) / b
    } else {
        a / b
    }
}

/// The canonical form of a quantity string (`0.5` → `500m`, `1024Mi` → `1Gi`); the input when
/// it does not parse.
pub fn canonical_quantity(s: &str) -> String {
    Q::parse(s).map(|q| q.canonical()).unwrap_or_else(|| s.to_string())
}

/// `Some(())` when a string parses as a quantity (kubectl's `resource.ParseQuantity`).
pub fn quantity_valid(s: &str) -> Option<()> {
    (s == s.trim()).then_some(())?;
    Q::parse(s).map(|_| ())
}

/// The canonical form of an optional quantity, `0` when absent.
pub fn quantity_or_zero(q: Option<&Quantity>) -> String {
    q.map(|q| canonical_quantity(&q.0)).unwrap_or_else(|| "0".to_string())
}

/// `labels.FormatLabels`: `a=b,c=d` sorted, `<none>` when empty.
pub fn format_labels(m: Option<&BTreeMap<String, String>>) -> String {
    match m {
        Some(m) if !m.is_empty() => m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
        _ => "<none>".to_string(),
    }
}

/// `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key, values sorted.
/// A nil selector gives `""` (labels.Nothing) and an empty one `""` (labels.Everything).
pub fn selector_string(sel: Option<&LabelSelector>) -> String {
    let Some(sel) = sel else { return String::new() };
    let mut reqs: Vec<(String, String)> = Vec::new();
    for (k, v) in sel.match_labels.iter().flatten() {
        reqs.push((k.clone(), format!("{k}={v}")));
    }
    for r in sel.match_expressions.iter().flatten() {
        let mut vals = r.values.clone().unwrap_or_default();
        pilothouse_engine::sort::sort(&mut vals);
        vals.dedup();
        let vals = vals.join(",");
        let s = match r.operator.as_str() {
            "In" => format!("{} in ({vals})", r.key),
            "NotIn" => format!("{} notin ({vals})", r.key),
            "Exists" => r.key.clone(),
            "DoesNotExist" => format!("!{}", r.key),
            _ => return "<invalid>".to_string(),
        };
        reqs.push((r.key.clone(), s));
    }
    pilothouse_engine::sort::sort_by(&mut reqs, |a, b| a.0.cmp(&b.0));
    reqs.into_iter().map(|(_, s)| s).collect::<Vec<_>>().join(",")
}

/// `metav1.FormatLabelSelector`: like [`selector_string`] but `<none>` when empty.
pub fn format_label_selector(sel: Option<&LabelSelector>) -> String {
    let s = selector_string(sel);
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s
    }
}

/// `GetAccessModesAsString`: `RWO,ROX,RWX,RWOP` in that fixed order.
pub fn access_modes(modes: Option<&Vec<String>>) -> String {
    let modes = modes.map(|m| m.as_slice()).unwrap_or(&[]);
    let mut out = Vec::new();
    for (full, short) in [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ] {
        if modes.iter().any(|m| m == full) {
            out.push(short);
        }
    }
    out.join(",")
}

/// `intstr.IntOrString.String()`.
pub fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// `<none>` for an empty string.
pub fn or_none(s: &str) -> String {
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_quantities() {
        for (i, o) in [
            ("0.5", "500m"),
            ("1000m", "1"),
            ("1500m", "1500m"),
            ("2", "2"),
            ("2000", "2k"),
            ("110", "110"),
            ("128Mi", "128Mi"),
            ("1024Mi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("4025836Ki", "4025836Ki"),
            ("100M", "100M"),
            ("0", "0"),
            ("512", "512"),
        ] {
            assert_eq!(canonical_quantity(i), o, "{i}");
        }
        let sum = Q::parse("128Mi").unwrap().add(Q::parse("64Mi").unwrap());
        assert_eq!(sum.canonical(), "192Mi");
        assert_eq!(Q::parse("250m").unwrap().milli(), 250);
        assert_eq!(Q::parse("1Gi").unwrap().value(), 1 << 30);
    }

    #[test]
    fn selectors_sorted() {
        let sel: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchLabels": {"tier": "web", "app": "x"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}]
        }))
        .unwrap();
        assert_eq!(selector_string(Some(&sel)), "app=x,env in (dev,prod),tier=web");
        assert_eq!(format_label_selector(Some(&LabelSelector::default())), "<none>");
    }
}
