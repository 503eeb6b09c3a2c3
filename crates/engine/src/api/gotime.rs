//! Go's `time.Parse(time.RFC3339, s)`: what the API server reads a `metav1.Time` with and
//! kubectl its `--since-time` with, including what Go accepts beyond RFC 3339 (a one-digit hour,
//! a fraction after a comma, an offset of `+24:00`) and its error messages
//! (`parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`).

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// Go's `time.RFC3339` layout.
pub const RFC3339: &str = "2006-01-02T15:04:05Z07:00";

/// Go's `time.quote`: double quotes, `"` and `\` escaped, bytes of non-ASCII or control
/// characters as `\x..`.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if (c as u32) >= 0x80 || c < ' ' {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

fn digit(s: &[u8], i: usize) -> Option<i64> {
    s.get(i).filter(|b| b.is_ascii_digit()).map(|b| i64::from(b - b'0'))
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let d0 = digit(s, 0)?;
    match digit(s, 1) {
        Some(d1) => Some((d0 * 10 + d1, &s[2..])),
        None if fixed => None,
        None => Some((d0, &s[1..])),
    }
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses `value` as Go parses it with the RFC 3339 layout; the error is Go's message.
pub fn parse_rfc3339(value: &str) -> Result<DateTime<Utc>, String> {
    let cannot = |rest: &[u8], elem: &str| {
        format!("parsing time {} as {}: cannot parse {} as {}", quote(value), quote(RFC3339), quote(&String::from_utf8_lossy(rest)), quote(elem))
    };
    let out_of_range = |what: &str| format!("parsing time {}: {what} out of range", quote(value));
    let mut v = value.as_bytes();
    // One layout element after its literal separator: `lit`, then one or two digits (`fixed`:
    // two) named `elem` in errors, in `range` or Go's "NAME out of range".
    let element = |v: &mut &[u8], lit: u8, elem: &str, fixed: bool, range: std::ops::Range<i64>, name: &str| -> Result<i64, String> {
        match v.first() {
            Some(&b) if b == lit => *v = &v[1..],
            _ => return Err(cannot(v, std::str::from_utf8(&[lit]).unwrap_or_default())),
        }
        let (n, rest) = getnum(v, fixed).ok_or_else(|| cannot(v, elem))?;
        if !range.contains(&n) {
            return Err(out_of_range(name));
        }
        *v = rest;
        Ok(n)
    };
    // 2006
    if v.len() < 4 || !v[..4].iter().all(u8::is_ascii_digit) {
        return Err(cannot(v, "2006"));
    }
    let year = v[..4].iter().fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
    v = &v[4..];
    let month = element(&mut v, b'-', "01", true, 1..13, "month")?;
    // Any day here; checked against the month at the end.
    let day = element(&mut v, b'-', "02", true, 0..100, "day")?;
    let hour = element(&mut v, b'T', "15", false, 0..24, "hour")?;
    let min = element(&mut v, b':', "04", true, 0..60, "minute")?;
    // Then a fraction the layout does not name.
    let sec = element(&mut v, b':', "05", true, 0..60, "second")?;
    let mut nsec = 0i64;
    if v.len() >= 2 && matches!(v[0], b'.' | b',') && v[1].is_ascii_digit() {
        let n = 1 + v[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        // Go reads at most nine digits and scales them to nanoseconds.
        let digits = &v[1..n.min(10)];
        nsec = digits.iter().fold(0i64, |n, b| n * 10 + i64::from(b - b'0')) * 10i64.pow(9 - digits.len() as u32);
        v = &v[n..];
    }
    // Z07:00
    let offset = if v.first() == Some(&b'Z') {
        v = &v[1..];
        0
    } else {
        if v.len() < 6 || v[3] != b':' {
            return Err(cannot(v, "Z07:00"));
        }
        // As Go: the minutes are read only if the hours were; a value out of range is reported
        // before a bad digit or sign (the minutes' range last, as Go sets it last).
        let hr = getnum(&v[1..3], true).map(|x| x.0);
        let mm = hr.and_then(|_| getnum(&v[4..6], true)).map(|x| x.0);
        if mm.unwrap_or(0) > 60 {
            return Err(out_of_range("time zone offset minute"));
        }
        if hr.unwrap_or(0) > 24 {
            return Err(out_of_range("time zone offset hour"));
        }
        let (Some(hr), Some(mm)) = (hr, mm) else {
            return Err(cannot(v, "Z07:00"));
        };
        let secs = (hr * 60 + mm) * 60;
        let secs = match v[0] {
            b'+' => secs,
            b'-' => -secs,
            _ => return Err(cannot(v, "Z07:00")),
        };
        v = &v[6..];
        secs
    };
    if !v.is_empty() {
        let rest = String::from_utf8_lossy(v);
        return Err(format!("parsing time {}: extra text: {}", quote(value), quote(&rest)));
    }
    if day < 1 || day > days_in(month, year) {
        return Err(out_of_range("day"));
    }
    let naive = NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)
        .and_then(|d| d.and_hms_nano_opt(hour as u32, min as u32, sec as u32, nsec as u32))
        .ok_or_else(|| out_of_range("day"))?;
    Ok(DateTime::from_naive_utc_and_offset(naive, Utc) - TimeDelta::seconds(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        parse_rfc3339(s).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)).unwrap_or_else(|e| e)
    }

    #[test]
    fn reads_what_go_reads() {
        assert_eq!(ok("2024-03-05T07:08:09Z"), "2024-03-05T07:08:09.000000000Z");
        assert_eq!(ok("2024-03-05T07:08:09+02:30"), "2024-03-05T04:38:09.000000000Z");
        assert_eq!(ok("2024-03-05T23:08:09-01:00"), "2024-03-06T00:08:09.000000000Z");
        // A fraction Go reads though the layout has none, to nine digits, after '.' or ','.
        assert_eq!(ok("2024-03-05T07:08:09.5Z"), "2024-03-05T07:08:09.500000000Z");
        assert_eq!(ok("2024-03-05T07:08:09,123456789123Z"), "2024-03-05T07:08:09.123456789Z");
        // A one-digit hour; a leap day.
        assert_eq!(ok("2024-03-05T7:08:09Z"), "2024-03-05T07:08:09.000000000Z");
        assert_eq!(ok("2024-02-29T00:00:00Z"), "2024-02-29T00:00:00.000000000Z");
        assert_eq!(ok("2024-03-05T07:08:09+24:00"), "2024-03-04T07:08:09.000000000Z");
    }

    #[test]
    fn refuses_with_gos_messages() {
        let l = "\"2006-01-02T15:04:05Z07:00\"";
        assert_eq!(ok("x"), format!("parsing time \"x\" as {l}: cannot parse \"x\" as \"2006\""));
        assert_eq!(ok(""), format!("parsing time \"\" as {l}: cannot parse \"\" as \"2006\""));
        assert_eq!(ok("2024"), format!("parsing time \"2024\" as {l}: cannot parse \"\" as \"-\""));
        assert_eq!(ok("2024-3-05T07:08:09Z"), format!("parsing time \"2024-3-05T07:08:09Z\" as {l}: cannot parse \"3-05T07:08:09Z\" as \"01\""));
        assert_eq!(ok("2024-13-05T07:08:09Z"), "parsing time \"2024-13-05T07:08:09Z\": month out of range");
        assert_eq!(ok("2024-02-30T07:08:09Z"), "parsing time \"2024-02-30T07:08:09Z\": day out of range");
        assert_eq!(ok("2023-02-29T07:08:09Z"), "parsing time \"2023-02-29T07:08:09Z\": day out of range");
        assert_eq!(ok("2024-03-05 07:08:09Z"), format!("parsing time \"2024-03-05 07:08:09Z\" as {l}: cannot parse \" 07:08:09Z\" as \"T\""));
        assert_eq!(ok("2024-03-05T24:08:09Z"), "parsing time \"2024-03-05T24:08:09Z\": hour out of range");
        assert_eq!(ok("2024-03-05T07:60:09Z"), "parsing time \"2024-03-05T07:60:09Z\": minute out of range");
        assert_eq!(ok("2024-03-05T07:08:60Z"), "parsing time \"2024-03-05T07:08:60Z\": second out of range");
        assert_eq!(ok("2024-03-05T07:08:09"), format!("parsing time \"2024-03-05T07:08:09\" as {l}: cannot parse \"\" as \"Z07:00\""));
        assert_eq!(ok("2024-03-05T07:08:09+0200"), format!("parsing time \"2024-03-05T07:08:09+0200\" as {l}: cannot parse \"+0200\" as \"Z07:00\""));
        assert_eq!(ok("2024-03-05T07:08:09Zjunk"), "parsing time \"2024-03-05T07:08:09Zjunk\": extra text: \"junk\"");
        assert_eq!(ok("2024-03-05T07:08:09+25:00"), "parsing time \"2024-03-05T07:08:09+25:00\": time zone offset hour out of range");
        assert_eq!(ok("2024-03-05T07:08:09+25:xx"), "parsing time \"2024-03-05T07:08:09+25:xx\": time zone offset hour out of range");
        assert_eq!(ok("2024-03-05T07:08:09*02:00"), format!("parsing time \"2024-03-05T07:08:09*02:00\" as {l}: cannot parse \"*02:00\" as \"Z07:00\""));
        assert_eq!(ok("2024-03-05T07:08:09z"), format!("parsing time \"2024-03-05T07:08:09z\" as {l}: cannot parse \"z\" as \"Z07:00\""));
        assert_eq!(ok("\"é\""), format!("parsing time \"\\\"\\xc3\\xa9\\\"\" as {l}: cannot parse \"\\\"\\xc3\\xa9\\\"\" as \"2006\""));
    }
}
