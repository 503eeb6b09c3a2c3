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

#[cfg(test)]
mod tests {
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
