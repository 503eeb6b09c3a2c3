//! Command-line flags the way spf13/pflag parses them for kubectl and minikube: `--name=value`,
//! `--name value`, `-n value`, `-nvalue`, `-n=value`, combined boolean shorthands (`-it`),
//! interspersed positionals, `--` ending flag parsing, and pflag's exact error messages.

use pilothouse_engine::vecmap::VecMap;

/// The type of a flag's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagType {
    /// `--all`, `--all=false`.
    Bool,
    /// A string (repeats keep every value: `--from-literal`, `-l`, `-f`).
    Str,
    /// An integer (`strconv.ParseInt` errors).
    Int,
    /// A Go duration (`30s`, `5m`).
    Duration,
}

/// One flag a command accepts.
#[derive(Clone, Copy, Debug)]
pub struct Flag {
    /// Long name without dashes.
    pub long: &'static str,
    /// Shorthand letter.
    pub short: Option<char>,
    /// Value type.
    pub ty: FlagType,
    /// For string flags: the value used when the flag is given without `=value` (pflag's
    /// NoOptDefVal, e.g. `--dry-run` means `--dry-run=unchanged`).
    pub no_opt: Option<&'static str>,
}

/// A boolean flag.
pub const fn b(long: &'static str, short: Option<char>) -> Flag {
    Flag { long, short, ty: FlagType::Bool, no_opt: None }
}
/// A string flag.
pub const fn s(long: &'static str, short: Option<char>) -> Flag {
    Flag { long, short, ty: FlagType::Str, no_opt: None }
}
/// An integer flag.
pub const fn i(long: &'static str, short: Option<char>) -> Flag {
    Flag { long, short, ty: FlagType::Int, no_opt: None }
}
/// A duration flag.
pub const fn d(long: &'static str) -> Flag {
    Flag { long, short: None, ty: FlagType::Duration, no_opt: None }
}

/// `--validate[=strict|warn|ignore|true|false]` (bare: strict) of the manifest commands.
pub const VALIDATE: Flag = Flag { long: "validate", short: None, ty: FlagType::Str, no_opt: Some("strict") };

/// Flags every kubectl command accepts.
pub const KUBECTL_GLOBAL: &[Flag] = &[
    s("namespace", Some('n')),
    s("context", None),
    s("cluster", None),
    s("user", None),
    s("kubeconfig", None),
    s("server", Some('s')),
    s("request-timeout", None),
    s("v", Some('v')),
    s("as", None),
    b("insecure-skip-tls-verify", None),
    s("token", None),
    b("match-server-version", None),
    b("warnings-as-errors", None),
    b("help", Some('h')),
];

/// The parsed command line of one command.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// Positional arguments before `--`.
    pub args: Vec<String>,
    /// Arguments after `--` (`None` if there was no `--`).
    pub dash: Option<Vec<String>>,
    /// Values by long flag name, in the order given.
    pub values: VecMap<&'static str, Vec<String>>,
}

impl Parsed {
    /// Whether a flag was given at all.
    pub fn has(&self, long: &str) -> bool {
        self.values.contains_key(long)
    }
    /// The last value of a flag.
    pub fn get(&self, long: &str) -> Option<&str> {
        self.values.get(long).and_then(|v| v.last()).map(String::as_str)
    }
    /// Every value of a repeatable flag, also splitting comma lists when `split` is set.
    pub fn all(&self, long: &str) -> Vec<String> {
        self.values.get(long).cloned().unwrap_or_default()
    }
    /// Every value, with comma-separated lists split (pflag's StringSlice).
    pub fn slice(&self, long: &str) -> Vec<String> {
        self.all(long).iter().flat_map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>()).filter(|s| !s.is_empty()).collect()
    }
    /// A boolean flag's value.
    pub fn bool(&self, long: &str) -> bool {
        self.get(long).is_some_and(|v| v == "true")
    }
    /// An integer flag's value.
    pub fn int(&self, long: &str) -> Option<i64> {
        self.get(long).and_then(|v| v.parse().ok())
    }
    /// A duration flag's value in milliseconds.
    pub fn duration_ms(&self, long: &str) -> Option<u64> {
        self.get(long).and_then(parse_duration_ms)
    }
}

fn display_name(f: &Flag) -> String {
    match f.short {
        Some(c) => format!("-{c}, --{}", f.long),
        None => format!("--{}", f.long),
    }
}

fn check_value(f: &Flag, v: &str) -> Result<String, String> {
    match f.ty {
        FlagType::Bool => match v {
            "true" | "1" | "t" | "T" | "TRUE" | "True" => Ok("true".into()),
            "false" | "0" | "f" | "F" | "FALSE" | "False" => Ok("false".into()),
            _ => Err(format!("invalid argument \"{v}\" for \"{}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax", display_name(f))),
        },
        FlagType::Int => match v.parse::<i64>() {
            Ok(_) => Ok(v.to_string()),
            Err(_) => {
                let why = if !v.is_empty() && v.trim_start_matches('-').chars().all(|c| c.is_ascii_digit()) { "value out of range" } else { "invalid syntax" };
                Err(format!("invalid argument \"{v}\" for \"{}\" flag: strconv.ParseInt: parsing \"{v}\": {why}", display_name(f)))
            }
        },
        FlagType::Duration => match parse_duration_ms(v) {
            Some(_) => Ok(v.to_string()),
            None => {
                let why = if v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty() && v != "0" { format!("time: missing unit in duration \"{v}\"") } else { format!("time: invalid duration \"{v}\"") };
                Err(format!("invalid argument \"{v}\" for \"{}\" flag: {why}", display_name(f)))
            }
        },
        FlagType::Str => Ok(v.to_string()),
    }
}

/// Parses a Go duration (`1h2m3s`, `500ms`, `0`) into milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    if s == "0" {
        return Some(0);
    }
    let mut total: f64 = 0.0;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let num: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let mult = match unit {
            "ns" => 1e-6,
            "us" | "µs" => 1e-3,
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            _ => return None,
        };
        total += num * mult;
    }
    Some(total as u64)
}

/// Parses `args` against `flags` (plus `globals`). The error is pflag's message (without the
/// `error: ` prefix and the `See '... --help'` line).
pub fn parse(args: &[String], flags: &[Flag], globals: &[Flag]) -> Result<Parsed, String> {
    let find_long = |name: &str| flags.iter().chain(globals.iter()).find(|f| f.long == name).copied();
    let find_short = |c: char| flags.iter().chain(globals.iter()).find(|f| f.short == Some(c)).copied();
    let mut p = Parsed::default();
    let mut idx = 0;
    while idx < args.len() {
        let a = &args[idx];
        idx += 1;
        if a == "--" {
            p.dash = Some(args[idx..].to_vec());
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let name_norm = name.replace('_', "-");
            let Some(f) = find_long(&name_norm) else {
                return Err(format!("unknown flag: --{name}"));
            };
            let value = match (inline, f.ty) {
                (Some(v), _) => v,
                (None, FlagType::Bool) => "true".into(),
                (None, _) if f.no_opt.is_some() => f.no_opt.unwrap_or_default().to_string(),
                (None, _) => {
                    if idx < args.len() {
                        idx += 1;
                        args[idx - 1].clone()
                    } else {
                        return Err(format!("flag needs an argument: --{name}"));
                    }
                }
            };
            let v = check_value(&f, &value)?;
            p.values.entry(f.long).or_default().push(v);
            continue;
        }
        if a.len() > 1 && a.starts_with('-') && !(a[1..].chars().all(|c| c.is_ascii_digit())) {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let Some(f) = find_short(c) else {
                    return Err(format!("unknown shorthand flag: '{c}' in {a}"));
                };
                if f.ty == FlagType::Bool {
                    if chars.get(j + 1) == Some(&'=') {
                        let v: String = chars[j + 2..].iter().collect();
                        let v = check_value(&f, &v)?;
                        p.values.entry(f.long).or_default().push(v);
                        break;
                    }
                    p.values.entry(f.long).or_default().push("true".into());
                    j += 1;
                    continue;
                }
                let rest: String = chars[j + 1..].iter().collect();
                let value = if !rest.is_empty() {
                    rest.strip_prefix('=').map(str::to_string).unwrap_or(rest)
                } else if let Some(no) = f.no_opt {
                    no.to_string()
                } else if idx < args.len() {
                    idx += 1;
                    args[idx - 1].clone()
                } else {
                    return Err(format!("flag needs an argument: '{c}' in -{c}"));
                };
                let v = check_value(&f, &value)?;
                p.values.entry(f.long).or_default().push(v);
                break;
            }
            continue;
        }
        p.args.push(a.clone());
    }
    Ok(p)
}

/// cobra's "Did you mean this?" candidates: Levenshtein distance ≤ 2 or a prefix match.
pub fn suggestions<'a>(typed: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let t = typed.to_ascii_lowercase();
    candidates
        .iter()
        .copied()
        .filter(|c| {
            let c = c.to_ascii_lowercase();
            levenshtein(&t, &c) <= 2 || (!t.is_empty() && c.starts_with(&t))
        })
        .collect()
}

/// Edit distance between two strings.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    const F: &[Flag] = &[s("output", Some('o')), b("stdin", Some('i')), b("tty", Some('t')), i("replicas", None), s("selector", Some('l'))];

    #[test]
    fn forms() {
        let p = parse(&v("get -oyaml -n=kube-system pods -it --replicas=3 -l app=x -- a -b"), F, KUBECTL_GLOBAL).unwrap();
        assert_eq!(p.args, vec!["get", "pods"]);
        assert_eq!(p.get("output"), Some("yaml"));
        assert_eq!(p.get("namespace"), Some("kube-system"));
        assert!(p.bool("stdin") && p.bool("tty"));
        assert_eq!(p.int("replicas"), Some(3));
        assert_eq!(p.get("selector"), Some("app=x"));
        assert_eq!(p.dash, Some(v("a -b")));
    }

    #[test]
    fn errors() {
        assert_eq!(parse(&v("--foo"), F, &[]).unwrap_err(), "unknown flag: --foo");
        assert_eq!(parse(&v("-z"), F, &[]).unwrap_err(), "unknown shorthand flag: 'z' in -z");
        assert_eq!(parse(&v("-o"), F, &[]).unwrap_err(), "flag needs an argument: 'o' in -o");
        assert_eq!(parse(&v("--output"), F, &[]).unwrap_err(), "flag needs an argument: --output");
        assert_eq!(
            parse(&v("--replicas=abc"), F, &[]).unwrap_err(),
            "invalid argument \"abc\" for \"--replicas\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("1m30s"), Some(90_000));
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("x"), None);
    }

    #[test]
    fn did_you_mean() {
        assert_eq!(suggestions("gt", &["create", "set", "get", "cp"]), vec!["set", "get", "cp"]);
    }
}
