//! Instants as Unix seconds (`i64`), parsed from and formatted to ISO-8601 / RFC 3339.
//!
//! Internally every time is an `i64` so that a year of simulated events stays cheap; the `time`
//! crate does the calendar work at the edges.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Seconds since 1970-01-01T00:00:00Z.
pub type Instant = i64;

pub const DAY: i64 = 86_400;
pub const HOUR: i64 = 3_600;

/// Earliest and latest instants accepted (years 1970 to 9999), so arithmetic on them never overflows.
pub const MIN_INSTANT: Instant = 0;
pub const MAX_INSTANT: Instant = 253_402_300_799;

/// Parse `2025-01-31T12:00:00Z`, `2025-01-31T12:00:00+02:00`, `2025-01-31T12:00:00` (UTC) or
/// `2025-01-31` (midnight UTC).
pub fn parse_instant(s: &str) -> Result<Instant, String> {
    let t = if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        t.unix_timestamp()
    } else if let Ok(t) =
        PrimitiveDateTime::parse(s, format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"))
    {
        t.assume_utc().unix_timestamp()
    } else if let Ok(d) = Date::parse(s, format_description!("[year]-[month]-[day]")) {
        d.midnight().assume_utc().unix_timestamp()
    } else {
        return Err(format!(
            "{s:?} is not an ISO-8601 date or time (e.g. \"2025-01-31\" or \"2025-01-31T12:00:00Z\")"
        ));
    };
    if !(MIN_INSTANT..=MAX_INSTANT).contains(&t) {
        return Err(format!("{s:?} is outside the years 1970 to 9999"));
    }
    Ok(t)
}

/// Format as RFC 3339 in UTC, e.g. `2025-01-31T12:00:00Z`.
pub fn format_instant(t: Instant) -> String {
    match OffsetDateTime::from_unix_timestamp(t).ok().and_then(|d| d.format(&Rfc3339).ok()) {
        Some(s) => s,
        None => t.to_string(),
    }
}

/// Parse a fixed UTC offset such as `"+02:00"`, `"-05:30"` or `"Z"`/`"UTC"`, into seconds.
pub fn parse_offset(s: &str) -> Result<i32, String> {
    if s == "Z" || s == "UTC" || s.is_empty() {
        return Ok(0);
    }
    UtcOffset::parse(s, format_description!("[offset_hour sign:mandatory]:[offset_minute]"))
        .map(|o| o.whole_seconds())
        .map_err(|_| format!("{s:?} is not a UTC offset (e.g. \"+02:00\", \"-05:00\" or \"UTC\")"))
}

/// Calendar month index (`year * 12 + month0`) of an instant seen at a UTC offset.
pub fn month_index(t: Instant, offset: i32) -> i64 {
    let (y, m, _) = civil(t + offset as i64);
    y * 12 + (m as i64 - 1)
}

/// The instant the month with this index starts, at the UTC offset.
pub fn month_start(index: i64, offset: i32) -> Instant {
    let y = index.div_euclid(12);
    let m = index.rem_euclid(12) as u8 + 1;
    let month = Month::try_from(m).unwrap_or(Month::January);
    let local = Date::from_calendar_date(y as i32, month, 1)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .unwrap_or(0);
    local - offset as i64
}

/// (year, month 1–12, day 1–31) of an instant, UTC.
pub fn civil(t: Instant) -> (i64, u8, u8) {
    match OffsetDateTime::from_unix_timestamp(t) {
        Ok(d) => (d.year() as i64, d.month() as u8, d.day()),
        Err(_) => (1970, 1, 1),
    }
}

/// Day of week of an instant seen at an offset, Monday = 0.
pub fn weekday(t: Instant, offset: i32) -> u8 {
    // 1970-01-01 was a Thursday (3 when Monday = 0).
    ((t + offset as i64).div_euclid(DAY) + 3).rem_euclid(7) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_we_accept() {
        assert_eq!(parse_instant("1970-01-02").unwrap(), DAY);
        assert_eq!(parse_instant("1970-01-01T01:00:00Z").unwrap(), HOUR);
        assert_eq!(parse_instant("1970-01-01T03:00:00+02:00").unwrap(), HOUR);
        assert_eq!(parse_instant("1970-01-01T01:00:00").unwrap(), HOUR);
        assert!(parse_instant("2025-02-30").is_err());
        assert!(parse_instant("yesterday").is_err());
        assert!(parse_instant("1969-12-31").is_err());
        assert_eq!(format_instant(HOUR), "1970-01-01T01:00:00Z");
    }

    #[test]
    fn months_and_offsets() {
        let t = parse_instant("2025-01-31T23:30:00Z").unwrap();
        assert_eq!(month_index(t, 0), 2025 * 12);
        assert_eq!(month_index(t, parse_offset("+01:00").unwrap()), 2025 * 12 + 1);
        assert_eq!(month_start(2025 * 12 + 1, 0), parse_instant("2025-02-01").unwrap());
        assert_eq!(month_start(2025 * 12 + 1, 3600), parse_instant("2025-01-31T23:00:00Z").unwrap());
        assert_eq!(weekday(parse_instant("2025-01-06").unwrap(), 0), 0); // a Monday
    }
}
