//! Instants as Unix seconds (`i64`), parsed from and formatted to ISO-8601 / RFC 3339.
//!
//! Internally every time is an `i64` so that a year of simulated events stays cheap. The calendar
//! arithmetic is the classic days-from-civil algorithm (proleptic Gregorian), written out here
//! rather than pulled from a date crate: the formats accepted are few and fixed, and a date
//! crate's general parser cost about a third of the package's 100 KB size budget.

/// Seconds since 1970-01-01T00:00:00Z.
pub type Instant = i64;

pub const DAY: i64 = 86_400;
pub const HOUR: i64 = 3_600;

/// Earliest and latest instants accepted (years 1970 to 9999), so arithmetic on them never overflows.
pub const MIN_INSTANT: Instant = 0;
pub const MAX_INSTANT: Instant = 253_402_300_799;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// A cursor over ASCII digits and separators.
struct P<'a> {
    b: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn num(&mut self, width: usize) -> Option<u32> {
        let digits = self.b.get(self.i..self.i + width)?;
        let mut n = 0u32;
        for &c in digits {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + (c - b'0') as u32;
        }
        self.i += width;
        Some(n)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

fn parse_offset_at(p: &mut P<'_>) -> Option<i64> {
    if p.eat(b'Z') || p.eat(b'z') {
        return Some(0);
    }
    let sign = if p.eat(b'+') {
        1
    } else if p.eat(b'-') {
        -1
    } else {
        return None;
    };
    let h = p.num(2)?;
    if !p.eat(b':') {
        return None;
    }
    let m = p.num(2)?;
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h as i64 * HOUR + m as i64 * 60))
}

fn parse_inner(s: &str) -> Option<Instant> {
    let mut p = P {
        b: s.as_bytes(),
        i: 0,
    };
    let y = p.num(4)? as i64;
    if !p.eat(b'-') {
        return None;
    }
    let m = p.num(2)?;
    if !p.eat(b'-') {
        return None;
    }
    let d = p.num(2)?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    if p.done() {
        return Some(days * DAY);
    }
    if !(p.eat(b'T') || p.eat(b't') || p.eat(b' ')) {
        return None;
    }
    let hh = p.num(2)?;
    if !p.eat(b':') {
        return None;
    }
    let mm = p.num(2)?;
    let ss = if p.eat(b':') { p.num(2)? } else { 0 };
    if hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    // Fractions of a second are accepted and truncated: the engine counts whole seconds.
    if p.eat(b'.') {
        let start = p.i;
        while p.b.get(p.i).is_some_and(|c| c.is_ascii_digit()) {
            p.i += 1;
        }
        if p.i == start {
            return None;
        }
    }
    let offset = if p.done() {
        0
    } else {
        parse_offset_at(&mut p)?
    };
    if !p.done() {
        return None;
    }
    Some(days * DAY + hh as i64 * HOUR + mm as i64 * 60 + ss as i64 - offset)
}

/// Parse `2025-01-31T12:00:00Z`, `2025-01-31T12:00:00+02:00`, `2025-01-31T12:00:00` (UTC),
/// `2025-01-31T12:00Z` or `2025-01-31` (midnight UTC).
pub fn parse_instant(s: &str) -> Result<Instant, String> {
    let t = parse_inner(s).ok_or_else(|| {
        format!(
            "{} is not an ISO-8601 date or time (e.g. \"2025-01-31\" or \"2025-01-31T12:00:00Z\")",
            crate::error::Quoted(s)
        )
    })?;
    if !(MIN_INSTANT..=MAX_INSTANT).contains(&t) {
        return Err(format!(
            "{} is outside the years 1970 to 9999",
            crate::error::Quoted(s)
        ));
    }
    Ok(t)
}

/// Format as RFC 3339 in UTC, e.g. `2025-01-31T12:00:00Z`.
pub fn format_instant(t: Instant) -> String {
    let mut out = String::with_capacity(20);
    push_instant(&mut out, t);
    out
}

/// Append `t` as [`format_instant`] writes it, without the formatting machinery (this runs for
/// every step of a projection and every time written out). Years are within 1970–9999
/// ([`MIN_INSTANT`]..=[`MAX_INSTANT`]); outside, they are clamped to four digits.
pub fn push_instant(out: &mut String, t: Instant) {
    fn two(out: &mut String, n: u32) {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    }
    let (y, m, d) = civil_from_days(t.div_euclid(DAY));
    let s = t.rem_euclid(DAY) as u32;
    let y = y.clamp(0, 9999) as u32;
    two(out, y / 100);
    two(out, y % 100);
    out.push('-');
    two(out, m);
    out.push('-');
    two(out, d);
    out.push('T');
    two(out, s / HOUR as u32);
    out.push(':');
    two(out, s % HOUR as u32 / 60);
    out.push(':');
    two(out, s % 60);
    out.push('Z');
}

/// Format a calendar month index (see [`month_index`]) as `2025-01`.
pub fn format_month(index: i64) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// Parse a fixed UTC offset such as `"+02:00"`, `"-05:30"` or `"Z"`/`"UTC"`, into seconds.
pub fn parse_offset(s: &str) -> Result<i32, String> {
    if s == "UTC" || s.is_empty() {
        return Ok(0);
    }
    let mut p = P {
        b: s.as_bytes(),
        i: 0,
    };
    match parse_offset_at(&mut p) {
        Some(o) if p.done() => Ok(o as i32),
        _ => Err(format!(
            "{} is not a UTC offset (e.g. \"+02:00\", \"-05:00\" or \"UTC\")",
            crate::error::Quoted(s)
        )),
    }
}

/// Calendar month index (`year * 12 + month0`) of an instant seen at a UTC offset.
pub fn month_index(t: Instant, offset: i32) -> i64 {
    let (y, m, _) = civil_from_days((t + offset as i64).div_euclid(DAY));
    y * 12 + (m as i64 - 1)
}

/// The instant the month with this index starts, at the UTC offset.
pub fn month_start(index: i64, offset: i32) -> Instant {
    let y = index.div_euclid(12);
    let m = index.rem_euclid(12) as u32 + 1;
    days_from_civil(y, m, 1) * DAY - offset as i64
}

/// (year, month 1–12, day 1–31) of an instant, UTC.
pub fn civil(t: Instant) -> (i64, u32, u32) {
    civil_from_days(t.div_euclid(DAY))
}

/// Day of week of an instant seen at an offset, Monday = 0.
pub fn weekday(t: Instant, offset: i32) -> u32 {
    // 1970-01-01 was a Thursday (3 when Monday = 0).
    ((t + offset as i64).div_euclid(DAY) + 3).rem_euclid(7) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_print_as_with_format() {
        let reference = |t: Instant| {
            let (y, m, d) = civil_from_days(t.div_euclid(DAY));
            let s = t.rem_euclid(DAY);
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
                s / HOUR,
                s % HOUR / 60,
                s % 60
            )
        };
        let mut t = MIN_INSTANT;
        while t <= MAX_INSTANT {
            assert_eq!(format_instant(t), reference(t));
            t += 86_400 * 97 + 3_661;
        }
        for t in [
            MIN_INSTANT,
            MAX_INSTANT,
            1_735_689_600 + 13 * 3600 + 5 * 60 + 9,
        ] {
            assert_eq!(format_instant(t), reference(t));
        }
        assert_eq!(format_instant(MAX_INSTANT), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn parses_the_forms_we_accept() {
        assert_eq!(parse_instant("1970-01-02").unwrap(), DAY);
        assert_eq!(parse_instant("1970-01-01T01:00:00Z").unwrap(), HOUR);
        assert_eq!(parse_instant("1970-01-01T03:00:00+02:00").unwrap(), HOUR);
        assert_eq!(parse_instant("1970-01-01T01:00:00").unwrap(), HOUR);
        assert_eq!(parse_instant("1970-01-01T01:00Z").unwrap(), HOUR);
        assert_eq!(parse_instant("1970-01-01T01:00:00.999Z").unwrap(), HOUR);
        assert_eq!(parse_instant("2024-02-29").unwrap(), 19_782 * DAY);
        for bad in [
            "2025-02-29",
            "2025-02-30",
            "2025-13-01",
            "2025-00-10",
            "yesterday",
            "1969-12-31",
            "2025-1-01",
            "2025-01-01T24:00:00Z",
            "2025-01-01T10:00:00+2",
            "2025-01-01T",
            "",
            "2025-01-01T10:00:00.Z",
            "+2025-01-01",
            "2025-01-01T10:00:00Zjunk",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(format_instant(HOUR), "1970-01-01T01:00:00Z");
        assert_eq!(
            format_instant(parse_instant("2025-12-31T23:59:59Z").unwrap()),
            "2025-12-31T23:59:59Z"
        );
    }

    #[test]
    fn civil_round_trips_every_day_for_centuries() {
        for z in (0..(MAX_INSTANT / DAY)).step_by(7) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
    }

    #[test]
    fn months_and_offsets() {
        let t = parse_instant("2025-01-31T23:30:00Z").unwrap();
        assert_eq!(month_index(t, 0), 2025 * 12);
        assert_eq!(
            month_index(t, parse_offset("+01:00").unwrap()),
            2025 * 12 + 1
        );
        assert_eq!(
            month_start(2025 * 12 + 1, 0),
            parse_instant("2025-02-01").unwrap()
        );
        assert_eq!(
            month_start(2025 * 12 + 1, 3600),
            parse_instant("2025-01-31T23:00:00Z").unwrap()
        );
        assert_eq!(
            month_start(2025 * 12 + 12, 0),
            parse_instant("2026-01-01").unwrap()
        );
        assert_eq!(weekday(parse_instant("2025-01-06").unwrap(), 0), 0); // a Monday
        assert_eq!(format_month(2025 * 12 + 11), "2025-12");
        assert_eq!(parse_offset("-05:30").unwrap(), -19_800);
        assert!(parse_offset("+5").is_err());
    }
}
