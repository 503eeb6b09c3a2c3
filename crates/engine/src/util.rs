//! Small shared helpers: Go-style durations, Kubernetes' hash and safe encoding, int-or-percent.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Formats milliseconds like Go's `time.Duration.String()` (`10s`, `1m20s`, `5m0s`).
pub fn go_duration(ms: u64) -> String {
    let secs = ms / 1000;
    let frac = ms % 1000;
    if secs < 60 {
        if frac == 0 {
            format!("{secs}s")
        } else {
            let f = format!("{:03}", frac);
            format!("{secs}.{}s", f.trim_end_matches('0'))
        }
    } else if secs < 3600 {
        format!("{}m{}s", secs / 60, secs % 60)
    } else {
        format!("{}h{}m{}s", secs / 3600, (secs % 3600) / 60, secs % 60)
    }
}

/// FNV-1a 32-bit hash.
pub fn fnv32a(data: &[u8]) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for b in data {
        h ^= *b as u32;
        h = h.wrapping_mul(0x01000193);
    }
    h
}

/// Kubernetes' `rand.SafeEncodeString`: maps digits/letters onto an alphabet without vowels.
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes().map(|b| ALPHANUMS[(b as usize) % ALPHANUMS.len()] as char).collect()
}

/// Resolves an int-or-percent against a total, rounding up or down.
pub fn int_or_percent(v: Option<&IntOrString>, total: i32, round_up: bool, default: i32) -> i32 {
    match v {
        None => default,
        Some(IntOrString::Int(i)) => *i,
        Some(IntOrString::String(s)) => {
            let p: f64 = s.trim_end_matches('%').parse().unwrap_or(0.0);
            let x = p * total as f64 / 100.0;
            if round_up {
                x.ceil() as i32
            } else {
                x.floor() as i32
            }
        }
    }
}

/// `t.format(spec).to_string()` for the strftime directives the simulation prints (`%Y %m %d
/// %e %H %M %S %a %b %z %.6f %.9f %%`), without chrono's format-string parser and formatter in
/// the page. Any other directive is copied through as written.
pub fn format_time(t: &chrono::DateTime<chrono::Utc>, spec: &str) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mut out = String::with_capacity(spec.len() + 16);
    let mut rest = spec;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        let used = match rest.as_bytes() {
            [b'Y', ..] => write!(out, "{:04}", t.year()).map(|_| 1),
            [b'm', ..] => write!(out, "{:02}", t.month()).map(|_| 1),
            [b'd', ..] => write!(out, "{:02}", t.day()).map(|_| 1),
            [b'e', ..] => write!(out, "{:2}", t.day()).map(|_| 1),
            [b'H', ..] => write!(out, "{:02}", t.hour()).map(|_| 1),
            [b'M', ..] => write!(out, "{:02}", t.minute()).map(|_| 1),
            [b'S', ..] => write!(out, "{:02}", t.second()).map(|_| 1),
            [b'a', ..] => out.write_str(DAYS[t.weekday().num_days_from_monday() as usize]).map(|_| 1),
            [b'b', ..] => out.write_str(MONTHS[t.month0() as usize]).map(|_| 1),
            [b'z', ..] => out.write_str("+0000").map(|_| 1),
            [b'%', ..] => out.write_str("%").map(|_| 1),
            [b'.', b'6', b'f', ..] => write!(out, ".{:06}", t.nanosecond() / 1000).map(|_| 3),
            [b'.', b'9', b'f', ..] => write!(out, ".{:09}", t.nanosecond()).map(|_| 3),
            _ => out.write_str("%").map(|_| 0),
        };
        rest = &rest[used.unwrap_or(0)..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    /// The same text as chrono's formatter for every format the simulation uses.
    #[test]
    fn format_time_matches_chrono() {
        use chrono::TimeZone;
        let specs = [
            "%a, %d %b %Y %H:%M:%S %z",
            "%a %b %e %H:%M:%S UTC %Y",
            "%d/%b/%Y:%H:%M:%S +0000",
            "%Y-%m-%d %H:%M:%S%.9f +0000 UTC",
            "%a, %d %b %Y %H:%M:%S GMT",
            "%m%d %H:%M:%S%.6f",
            "%d/%b/%Y %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S%.9fZ",
            "%Y-%m-%dT%H:%M:%SZ",
            "100%% at %H",
        ];
        let mut t = chrono::Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        for i in 0..400i64 {
            for spec in specs {
                assert_eq!(super::format_time(&t, spec), t.format(spec).to_string(), "{spec} at {t:?}");
            }
            t += chrono::Duration::milliseconds(i * 7_919_333 + 123_456_789) + chrono::Duration::nanoseconds(i * 4_567);
        }
    }

    use super::*;

    #[test]
    fn durations() {
        assert_eq!(go_duration(10_000), "10s");
        assert_eq!(go_duration(80_000), "1m20s");
        assert_eq!(go_duration(300_000), "5m0s");
        assert_eq!(go_duration(1_500), "1.5s");
    }

    #[test]
    fn percents() {
        let p = IntOrString::String("25%".into());
        assert_eq!(int_or_percent(Some(&p), 10, true, 0), 3);
        assert_eq!(int_or_percent(Some(&p), 10, false, 0), 2);
        assert_eq!(int_or_percent(Some(&IntOrString::Int(2)), 10, false, 0), 2);
    }
}
