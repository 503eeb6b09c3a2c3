//! `k8s.io/apimachinery/pkg/util/duration`: the AGE format kubectl prints.

use chrono::{DateTime, Duration, Utc};

/// `duration.HumanDuration`: `45s`, `119s`, `2m3s`, `15m`, `3h4m`, `20h`, `3d4h`, `12d`, `2y3d`.
pub fn human_duration(d: Duration) -> String {
    let secs_total = d.num_seconds();
    if secs_total < -1 {
        return "<invalid>".to_string();
    } else if secs_total < 0 {
        return "0s".to_string();
    } else if secs_total < 60 * 2 {
        return format!("{secs_total}s");
    }
    let minutes = secs_total / 60;
    if minutes < 10 {
        let s = secs_total % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = secs_total / 3600;
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        return format!("{hours}h{m}m");
    } else if hours < 48 {
        return format!("{hours}h");
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        return format!("{}d{}h", hours / 24, h);
    } else if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        if dy == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        return format!("{}y{}d", hours / 24 / 365, dy);
    }
    format!("{}y", hours / 24 / 365)
}

/// `duration.ShortHumanDuration`: one unit only (`45s`, `3m`, `5h`, `2d`, `1y`).
pub fn short_human_duration(d: Duration) -> String {
    let seconds = d.num_seconds();
    if seconds < -1 {
        "<invalid>".to_string()
    } else if seconds < 0 {
        "0s".to_string()
    } else if seconds < 60 {
        format!("{seconds}s")
    } else if seconds / 60 < 60 {
        format!("{}m", seconds / 60)
    } else if seconds / 3600 < 24 {
        format!("{}h", seconds / 3600)
    } else if seconds / 3600 < 24 * 365 {
        format!("{}d", seconds / 3600 / 24)
    } else {
        format!("{}y", seconds / 3600 / 24 / 365)
    }
}

/// `translateTimestampSince`: the human duration from `t` to `now`, `<unknown>` without a time.
pub fn since(t: Option<&DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match t {
        Some(t) => human_duration(now.signed_duration_since(*t)),
        None => "<unknown>".to_string(),
    }
}

/// Go's `time.RFC1123Z` layout: `Mon, 02 Jan 2006 15:04:05 -0700` (always UTC here).
pub fn rfc1123z(t: &DateTime<Utc>) -> String {
    pilothouse_engine::util::format_time(t, "%a, %d %b %Y %H:%M:%S %z")
}

/// RFC 3339 with seconds, as Kubernetes serialises `metav1.Time` (`2024-01-02T03:04:05Z`).
pub fn rfc3339(t: &DateTime<Utc>) -> String {
    pilothouse_engine::util::format_time(t, "%Y-%m-%dT%H:%M:%SZ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: i64) -> String {
        human_duration(Duration::seconds(secs))
    }

    #[test]
    fn human_duration_table() {
        let cases: &[(i64, &str)] = &[
            (-5, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (59, "59s"),
            (119, "119s"),
            (120, "2m"),
            (123, "2m3s"),
            (599, "9m59s"),
            (600, "10m"),
            (179 * 60 + 59, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 4 * 60, "3h4m"),
            (8 * 3600, "8h"),
            (47 * 3600 + 3599, "47h"),
            (48 * 3600, "2d"),
            (3 * 86400 + 4 * 3600, "3d4h"),
            (8 * 86400, "8d"),
            (400 * 86400, "400d"),
            (730 * 86400, "2y"),
            (733 * 86400, "2y3d"),
            (9 * 365 * 86400, "9y"),
        ];
        for (secs, want) in cases {
            assert_eq!(&s(*secs), want, "for {secs}s");
        }
    }

    #[test]
    fn short_human_duration_table() {
        assert_eq!(short_human_duration(Duration::seconds(59)), "59s");
        assert_eq!(short_human_duration(Duration::seconds(150)), "2m");
        assert_eq!(short_human_duration(Duration::seconds(7200)), "2h");
        assert_eq!(short_human_duration(Duration::days(3)), "3d");
        assert_eq!(short_human_duration(Duration::days(800)), "2y");
    }

    #[test]
    fn time_formats() {
        let t = DateTime::parse_from_rfc3339("2024-03-05T07:08:09Z").unwrap().with_timezone(&Utc);
        assert_eq!(rfc1123z(&t), "Tue, 05 Mar 2024 07:08:09 +0000");
        assert_eq!(rfc3339(&t), "2024-03-05T07:08:09Z");
    }
}
