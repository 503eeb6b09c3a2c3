//! Label and field selectors: `metav1.LabelSelector` matching, and the string syntax of
//! `kubectl -l` / `?labelSelector=` (`a=b,c!=d,e in (x,y),!f,g`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

/// Whether a `LabelSelector` matches a label set. An empty selector matches everything.
pub fn label_selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    for (k, v) in sel.match_labels.iter().flatten() {
        if labels.get(k) != Some(v) {
            return false;
        }
    }
    for req in sel.match_expressions.iter().flatten() {
        let values = req.values.clone().unwrap_or_default();
        let have = labels.get(&req.key);
        let ok = match req.operator.as_str() {
            "In" => have.is_some_and(|h| values.contains(h)),
            "NotIn" => have.is_none_or(|h| !values.contains(h)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Whether a plain `map[string]string` selector (Service, ReplicationController) matches.
pub fn map_selector_matches(sel: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    sel.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// One requirement of a parsed selector string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// `k=v`, `k==v`
    Equals(String, String),
    /// `k!=v`
    NotEquals(String, String),
    /// `k in (a,b)`
    In(String, Vec<String>),
    /// `k notin (a,b)`
    NotIn(String, Vec<String>),
    /// `k`
    Exists(String),
    /// `!k`
    DoesNotExist(String),
    /// `k>5` (numeric, as in node affinity `Gt`)
    Gt(String, i64),
    /// `k<5`
    Lt(String, i64),
}

/// A parsed label selector string; all requirements must hold.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Selector {
    /// The requirements, ANDed.
    pub requirements: Vec<Requirement>,
}

impl Selector {
    /// Parses `kubectl -l` syntax. The error text is what kubectl prints after `error: `.
    pub fn parse(s: &str) -> Result<Selector, String> {
        let mut reqs = Vec::new();
        let chars: Vec<char> = s.chars().collect();
        let mut i = 0;
        let n = chars.len();
        let skip_ws = |i: &mut usize| {
            while *i < n && chars[*i].is_whitespace() {
                *i += 1;
            }
        };
        let read_word = |i: &mut usize| -> String {
            let start = *i;
            while *i < n && !matches!(chars[*i], '=' | '!' | ',' | '(' | ')' | '<' | '>' ) && !chars[*i].is_whitespace() {
                *i += 1;
            }
            chars[start..*i].iter().collect()
        };
        loop {
            skip_ws(&mut i);
            if i >= n {
                break;
            }
            let negate = chars[i] == '!';
            if negate {
                i += 1;
                skip_ws(&mut i);
            }
            let key = read_word(&mut i);
            if key.is_empty() || !valid_key(&key) {
                return Err(format!("unable to parse requirement: found '{}', expected: identifier", if key.is_empty() { chars.get(i).map(|c| c.to_string()).unwrap_or_default() } else { key.clone() }));
            }
            skip_ws(&mut i);
            if negate {
                reqs.push(Requirement::DoesNotExist(key));
            } else if i >= n || chars[i] == ',' {
                reqs.push(Requirement::Exists(key));
            } else if chars[i] == '=' {
                i += 1;
                if i < n && chars[i] == '=' {
                    i += 1;
                }
                skip_ws(&mut i);
                let v = read_word(&mut i);
                check_value(&v)?;
                reqs.push(Requirement::Equals(key, v));
            } else if chars[i] == '!' && i + 1 < n && chars[i + 1] == '=' {
                i += 2;
                skip_ws(&mut i);
                let v = read_word(&mut i);
                check_value(&v)?;
                reqs.push(Requirement::NotEquals(key, v));
            } else if chars[i] == '>' || chars[i] == '<' {
                let gt = chars[i] == '>';
                i += 1;
                let v = read_word(&mut i);
                let num: i64 = v.parse().map_err(|_| "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer".to_string())?;
                reqs.push(if gt { Requirement::Gt(key, num) } else { Requirement::Lt(key, num) });
            } else {
                let op = read_word(&mut i);
                let notin = match op.as_str() {
                    "in" => false,
                    "notin" => true,
                    other => return Err(format!("unable to parse requirement: found '{other}', expected: in, notin, =, ==, !=, gt, lt")),
                };
                skip_ws(&mut i);
                if i >= n || chars[i] != '(' {
                    return Err("unable to parse requirement: found '', expected: '('".into());
                }
                i += 1;
                let mut values = Vec::new();
                loop {
                    skip_ws(&mut i);
                    let v = read_word(&mut i);
                    check_value(&v)?;
                    if !v.is_empty() {
                        values.push(v);
                    }
                    skip_ws(&mut i);
                    if i >= n {
                        return Err("unable to parse requirement: found '', expected: ')'".into());
                    }
                    if chars[i] == ',' {
                        i += 1;
                        continue;
                    }
                    if chars[i] == ')' {
                        i += 1;
                        break;
                    }
                    return Err(format!("unable to parse requirement: found '{}', expected: ',', ')'", chars[i]));
                }
                crate::sort::sort(&mut values);
                reqs.push(if notin { Requirement::NotIn(key, values) } else { Requirement::In(key, values) });
            }
            skip_ws(&mut i);
            if i < n {
                if chars[i] == ',' {
                    i += 1;
                } else {
                    return Err(format!("unable to parse requirement: found '{}', expected: ','", chars[i]));
                }
            }
        }
        Ok(Selector { requirements: reqs })
    }

    /// Whether the selector matches the labels.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|h| vs.contains(h)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|h| !vs.contains(h)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
            Requirement::Gt(k, n) => labels.get(k).and_then(|h| h.parse::<i64>().ok()).is_some_and(|h| h > *n),
            Requirement::Lt(k, n) => labels.get(k).and_then(|h| h.parse::<i64>().ok()).is_some_and(|h| h < *n),
        })
    }

    /// Whether the selector has no requirements.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
}

fn valid_key(k: &str) -> bool {
    let name = k.rsplit('/').next().unwrap_or(k);
    !name.is_empty() && name.len() <= 63 && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

fn check_value(v: &str) -> Result<(), String> {
    if v.len() > 63 || !v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(format!("invalid label value: \"{v}\": at key: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
    }
    Ok(())
}

/// Renders a `LabelSelector` in kubectl's string form (`app=x,tier in (a,b)`).
pub fn format_label_selector(sel: &LabelSelector) -> String {
    let mut parts: Vec<String> = sel.match_labels.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    for r in sel.match_expressions.iter().flatten() {
        let vals = r.values.clone().unwrap_or_default().join(",");
        parts.push(match r.operator.as_str() {
            "In" => format!("{} in ({vals})", r.key),
            "NotIn" => format!("{} notin ({vals})", r.key),
            "Exists" => r.key.clone(),
            "DoesNotExist" => format!("!{}", r.key),
            op => format!("{} {op} ({vals})", r.key),
        });
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_full_syntax() {
        let s = Selector::parse("app=web, tier in (a, b),!canary,env!=prod,version").unwrap();
        assert_eq!(s.requirements.len(), 5);
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "a"), ("version", "1")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "c"), ("version", "1")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "a"), ("version", "1"), ("canary", "")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "a"), ("version", "1"), ("env", "prod")])));
    }

    #[test]
    fn rejects_garbage() {
        assert!(Selector::parse("app in a").is_err());
        assert!(Selector::parse("=x").is_err());
        assert!(Selector::parse("a=b c=d").is_err());
    }

    #[test]
    fn notin_matches_missing() {
        let s = Selector::parse("env notin (prod)").unwrap();
        assert!(s.matches(&labels(&[])));
    }
}
