//! Time zones for CronJob `spec.timeZone`: every IANA zone name (the table in [`super::tzdata`],
//! generated from tzdata) with the POSIX TZ rule of its TZif footer, which is the rule in force
//! from the zone's last listed transition on. The virtual clock starts in 2025, so the current
//! rule is the one that matters. Checked against the system tz database (Python's `zoneinfo`)
//! every 7h13m through 2025 and 2026 for every zone: all agree except the four whose changes are
//! listed one by one rather than as a rule (Ramadan shifts in Africa/Casablanca,
//! Africa/El_Aaiun, Asia/Gaza and Asia/Hebron), which follow their footer rule here.
//!
//! A [`Zone`] converts instants to wall-clock time and back, the way Go's `time` package does for
//! robfig/cron: a wall-clock time repeated by a fall-back change resolves to the first instant,
//! one skipped by a spring-forward change moves forward by the gap.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// When in the year a daylight-saving change happens (a POSIX TZ `date`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Day {
    /// `Jn`: day 1-365, February 29th never counted.
    Julian1(u32),
    /// `n`: day 0-365, February 29th counted.
    Julian0(u32),
    /// `Mm.w.d`: weekday d (0 = Sunday) of week w (5 = last) of month m.
    Month(u32, u32, u32),
}

/// A change: the day and the wall-clock time of day (seconds, may be negative or past 24h).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Change {
    day: Day,
    secs: i64,
}

/// A time zone: its standard offset and, if it keeps daylight-saving time, the DST offset and
/// the changes into and out of it. Offsets are seconds east of UTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    name: String,
    std: i64,
    dst: Option<(i64, Change, Change)>,
}

fn parse_name(s: &str) -> Option<(&str, &str)> {
    if let Some(rest) = s.strip_prefix('<') {
        let end = rest.find('>')?;
        return Some((&rest[..end], &rest[end + 1..]));
    }
    let end = s.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(s.len());
    (end >= 3).then(|| (&s[..end], &s[end..]))
}

/// `[+-]hh[:mm[:ss]]` as seconds, and the rest.
fn parse_hms(s: &str) -> Option<(i64, &str)> {
    let (sign, s) = match s.as_bytes().first() {
        Some(b'-') => (-1, &s[1..]),
        Some(b'+') => (1, &s[1..]),
        _ => (1, s),
    };
    let end = s.find(|c: char| !c.is_ascii_digit() && c != ':').unwrap_or(s.len());
    let mut total = 0i64;
    let parts: Vec<&str> = s[..end].split(':').collect();
    if parts.is_empty() || parts.len() > 3 || parts[0].is_empty() {
        return None;
    }
    for (i, p) in parts.iter().enumerate() {
        let v: i64 = p.parse().ok()?;
        total += v * [3600, 60, 1][i];
    }
    Some((sign * total, &s[end..]))
}

fn parse_change(s: &str) -> Option<(Change, &str)> {
    let (day, rest) = if let Some(r) = s.strip_prefix('M') {
        let end = r.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(r.len());
        let f: Vec<u32> = r[..end].split('.').map(|x| x.parse().ok()).collect::<Option<Vec<u32>>>()?;
        if f.len() != 3 || !(1..=12).contains(&f[0]) || !(1..=5).contains(&f[1]) || f[2] > 6 {
            return None;
        }
        (Day::Month(f[0], f[1], f[2]), &r[end..])
    } else if let Some(r) = s.strip_prefix('J') {
        let end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        (Day::Julian1(r[..end].parse().ok().filter(|d| (1..=365).contains(d))?), &r[end..])
    } else {
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        (Day::Julian0(s[..end].parse().ok().filter(|d| *d <= 365)?), &s[end..])
    };
    let (secs, rest) = match rest.strip_prefix('/') {
        Some(r) => parse_hms(r)?,
        None => (7200, rest),
    };
    Some((Change { day, secs }, rest))
}

impl Zone {
    /// UTC.
    pub fn utc() -> Zone {
        Zone { name: "UTC".into(), std: 0, dst: None }
    }

    /// The zone `name` names, as Go's `time.LoadLocation` finds it (`""` and `UTC` are UTC).
    pub fn load(name: &str) -> Result<Zone, String> {
        if name.is_empty() || name == "UTC" {
            return Ok(Zone::utc());
        }
        let rule = super::tzdata::ZONES.binary_search_by(|(n, _)| n.cmp(&name)).ok().map(|i| super::tzdata::ZONES[i].1).ok_or_else(|| format!("unknown time zone {name}"))?;
        let mut z = Zone::parse(rule).ok_or_else(|| format!("unknown time zone {name}"))?;
        z.name = name.to_string();
        Ok(z)
    }

    /// Parses a POSIX TZ rule (`EST5EDT,M3.2.0,M11.1.0`).
    pub fn parse(rule: &str) -> Option<Zone> {
        let (_, rest) = parse_name(rule)?;
        let (west, rest) = parse_hms(rest)?;
        let std = -west;
        if rest.is_empty() {
            return Some(Zone { name: rule.into(), std, dst: None });
        }
        let (_, rest) = parse_name(rest)?;
        let (dst, rest) = if rest.is_empty() || rest.starts_with(',') { (std + 3600, rest) } else {
            let (w, r) = parse_hms(rest)?;
            (-w, r)
        };
        // Without a rule, POSIX's default is the US rule.
        let rest = if rest.is_empty() { ",M3.2.0,M11.1.0" } else { rest };
        let (start, rest) = parse_change(rest.strip_prefix(',')?)?;
        let (end, rest) = parse_change(rest.strip_prefix(',')?)?;
        rest.is_empty().then(|| Zone { name: rule.into(), std, dst: Some((dst, start, end)) })
    }

    /// The zone's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The wall-clock instant (as UTC seconds of that wall-clock time) a change happens in year `y`.
    fn change_local(y: i32, c: &Change) -> Option<i64> {
        let date = match c.day {
            Day::Julian1(n) => {
                // Days 1-365, February 29th not counted.
                let base = NaiveDate::from_ymd_opt(y, 1, 1)?;
                let leap = NaiveDate::from_ymd_opt(y, 2, 29).is_some();
                let extra = if leap && n >= 60 { 1 } else { 0 };
                base + Duration::days(n as i64 - 1 + extra)
            }
            Day::Julian0(n) => NaiveDate::from_ymd_opt(y, 1, 1)? + Duration::days(n as i64),
            Day::Month(m, w, d) => {
                let first = NaiveDate::from_ymd_opt(y, m, 1)?;
                let wd = first.weekday().num_days_from_sunday();
                let mut day = 1 + (d + 7 - wd) % 7 + (w - 1) * 7;
                let days_in_month = if m == 12 { 31 } else { (NaiveDate::from_ymd_opt(y, m + 1, 1)? - first).num_days() as u32 };
                while day > days_in_month {
                    day -= 7;
                }
                NaiveDate::from_ymd_opt(y, m, day)?
            }
        };
        Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp() + c.secs)
    }

    /// The changes of years `y-1 ..= y+1` as (UTC second, offset from then on), in order.
    fn transitions(&self, y: i32) -> Vec<(i64, i64)> {
        let Some((dst, start, end)) = &self.dst else { return Vec::new() };
        let mut v = Vec::new();
        for yy in y - 1..=y + 1 {
            // Into DST at a standard-time wall clock, out of it at a DST wall clock.
            if let Some(s) = Zone::change_local(yy, start) {
                v.push((s - self.std, *dst));
            }
            if let Some(e) = Zone::change_local(yy, end) {
                v.push((e - dst, self.std));
            }
        }
        crate::sort::sort(&mut v);
        v
    }

    /// The offset (seconds east of UTC) in force at UTC second `t`.
    pub fn offset_at(&self, t: i64) -> i64 {
        let Some((dst, _, _)) = &self.dst else { return self.std };
        let y = DateTime::from_timestamp(t + self.std, 0).map(|d| d.year()).unwrap_or(1970);
        let tr = self.transitions(y);
        match tr.iter().rev().find(|(at, _)| *at <= t) {
            Some((_, off)) => *off,
            // Before the first change listed: the offset the first change leaves.
            None => tr.first().map(|(_, off)| if *off == *dst { self.std } else { *dst }).unwrap_or(self.std),
        }
    }

    /// The wall-clock time at an instant.
    pub fn to_local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        (t + Duration::seconds(self.offset_at(t.timestamp()))).naive_utc()
    }

    /// The instant of a wall-clock time: the first of two (a repeated hour); inside a skipped
    /// hour, the time moved forward by the gap (Go's `time.Date`).
    pub fn from_local(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let l = local.and_utc().timestamp();
        let mut offsets = vec![self.std];
        if let Some((dst, _, _)) = &self.dst {
            offsets.push(*dst);
        }
        let mut valid: Vec<i64> = offsets.iter().map(|o| l - o).filter(|u| self.offset_at(*u) == l - u).collect();
        crate::sort::sort(&mut valid);
        let u = match valid.first() {
            Some(u) => *u,
            None => l - self.offset_at(l - self.std - 86_400),
        };
        Utc.timestamp_opt(u, 0).single().unwrap_or_else(|| local.and_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn parses_posix_rules() {
        let ny = Zone::parse("EST5EDT,M3.2.0,M11.1.0").unwrap();
        assert_eq!(ny.std, -5 * 3600);
        assert_eq!(ny.dst, Some((-4 * 3600, Change { day: Day::Month(3, 2, 0), secs: 7200 }, Change { day: Day::Month(11, 1, 0), secs: 7200 })));
        let chatham = Zone::parse("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45").unwrap();
        assert_eq!(chatham.std, 12 * 3600 + 45 * 60);
        assert_eq!(Zone::parse("<+0330>-3:30").unwrap().std, 3 * 3600 + 30 * 60);
        assert_eq!(Zone::parse("<-02>2<-01>,M3.5.0/-1,M10.5.0/0").unwrap().dst.map(|d| d.1.secs), Some(-3600));
        for bad in ["", "E", "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0", "EST5EDT,M3.2.0,M11.1.0,x"] {
            assert_eq!(Zone::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_table_rule_parses_and_names_are_sorted() {
        let zones = crate::controllers::tzdata::ZONES;
        assert!(zones.len() > 500);
        for w in zones.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
        for (name, rule) in zones {
            assert!(Zone::parse(rule).is_some(), "{name}: {rule}");
        }
        assert_eq!(Zone::load("Mars/Olympus").unwrap_err(), "unknown time zone Mars/Olympus");
        assert_eq!(Zone::load("america/new_york").unwrap_err(), "unknown time zone america/new_york");
        assert!(Zone::load("US/Eastern").is_ok() && Zone::load("Etc/UTC").is_ok() && Zone::load("UTC").is_ok());
    }

    #[test]
    fn offsets_follow_daylight_saving_time() {
        let ny = Zone::load("America/New_York").unwrap();
        // 2025: EDT from 2025-03-09T07:00Z to 2025-11-02T06:00Z.
        assert_eq!(ny.offset_at(at("2025-03-09T06:59:59Z").timestamp()), -5 * 3600);
        assert_eq!(ny.offset_at(at("2025-03-09T07:00:00Z").timestamp()), -4 * 3600);
        assert_eq!(ny.offset_at(at("2025-11-02T05:59:59Z").timestamp()), -4 * 3600);
        assert_eq!(ny.offset_at(at("2025-11-02T06:00:00Z").timestamp()), -5 * 3600);
        // Southern hemisphere: Sydney is on DST (+11) in January, standard (+10) in July.
        let syd = Zone::load("Australia/Sydney").unwrap();
        assert_eq!(syd.offset_at(at("2025-01-15T00:00:00Z").timestamp()), 11 * 3600);
        assert_eq!(syd.offset_at(at("2025-07-15T00:00:00Z").timestamp()), 10 * 3600);
        // Dublin's "negative DST": GMT in winter, IST (+1) in summer.
        let dub = Zone::load("Europe/Dublin").unwrap();
        assert_eq!(dub.offset_at(at("2025-01-15T00:00:00Z").timestamp()), 0);
        assert_eq!(dub.offset_at(at("2025-07-15T00:00:00Z").timestamp()), 3600);
        // Wall clock to instant: repeated and skipped times.
        let local = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(ny.from_local(local("2025-11-02 01:30")), at("2025-11-02T05:30:00Z"), "first of the two");
        assert_eq!(ny.from_local(local("2025-03-09 02:30")), at("2025-03-09T07:30:00Z"), "moved forward by the gap");
        assert_eq!(ny.from_local(local("2025-07-04 09:00")), at("2025-07-04T13:00:00Z"));
        assert_eq!(ny.to_local(at("2025-07-04T13:00:00Z")), local("2025-07-04 09:00"));
    }
}

