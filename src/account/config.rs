//! Account settings as callers write them (JSON), and their validation into the settings the
//! engine runs on. Every problem has a stable code and a path relative to the config object.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode as C};
use crate::input::non_null;
use crate::money::Dec;
use crate::time::{
    month_index, parse_instant, parse_offset, Instant, DAY, MAX_INSTANT, MIN_INSTANT,
};

/// Largest money amount accepted anywhere in an account (one trillion in the card currency):
/// opening balance, purchases, thresholds, targets, limits and the charge of one usage event.
/// With this bound no sequence of accepted inputs can overflow the decimal range.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);
/// Auto-recharges allowed per day (account time zone) when `maxPerDay` is not given.
pub const DEFAULT_MAX_PER_DAY: u32 = 10;
/// Auto-recharges allowed per calendar month (account time zone) when `maxPerMonth` is not given.
pub const DEFAULT_MAX_PER_MONTH: u32 = 100;
/// Largest UTC offset accepted for `timeZone`, in seconds (±18:00, as in ISO 8601 / JavaScript).
pub const MAX_OFFSET_SECONDS: i32 = 18 * 3600;

/// An account's settings (`account` in a scenario, or `new Account(config)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountConfig {
    /// Balance at `plan.start` (default 0). Not below the floor.
    #[serde(default)]
    pub opening_balance: Dec,
    /// A fixed UTC offset (`"UTC"`, `"Z"`, `"+02:00"`, `"-05:30"`). IANA names such as
    /// `"Europe/Paris"` are not supported (no daylight-saving rules are bundled): give the offset.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    pub plan: Plan,
    /// ISO 4217 code; when given it must be the rate card's currency.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub currency: Option<String>,
    /// Absent: no negative balance (usage the balance cannot cover is refused).
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub negative_balance: Option<NegativeBalance>,
    /// Absent: no auto-recharge.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_recharge: Option<AutoRecharge>,
    #[serde(default)]
    pub payment_method: PaymentMethod,
    /// Post-paid: usage accrues (no floor, no refusals, no auto-recharge) and is invoiced monthly.
    #[serde(default)]
    pub postpaid: bool,
}

fn default_time_zone() -> String {
    "UTC".to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Plan {
    #[serde(default)]
    pub cycle: Cycle,
    /// When the account opens. A date or a time without an offset is read in the account's time zone.
    pub start: String,
}

/// The plan's billing period, which scopes allowances and tiers. Settlement is monthly whatever
/// the cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Cycle {
    #[default]
    Monthly,
    Quarterly,
    Annual,
}

impl Cycle {
    pub fn months(self) -> i64 {
        match self {
            Cycle::Monthly => 1,
            Cycle::Quarterly => 3,
            Cycle::Annual => 12,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NegativeBalance {
    pub allowed: bool,
    /// How far below zero the balance may go (a credit limit); absent = no limit. Only with
    /// `allowed: true`.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<Dec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutoRecharge {
    pub enabled: bool,
    /// A payment is attempted when a debit leaves the balance at or below this.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub threshold: Option<Dec>,
    /// Fixed recharge amount (or whole multiples of it after a deep drop). Exclusive with `target`.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Dec>,
    /// Top the balance up to this. Exclusive with `amount`.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub target: Option<Dec>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_per_day: Option<u32>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_per_month: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PaymentMethod {
    #[default]
    Ok,
    Failed,
}

/// How much a recharge charges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RechargeMode {
    Amount(Decimal),
    Target(Decimal),
}

/// A validated, enabled auto-recharge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RechargeRule {
    pub threshold: Decimal,
    pub mode: RechargeMode,
    pub max_per_day: u32,
    pub max_per_month: u32,
}

/// Settings derived from a validated config (not persisted: recomputed from the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    /// UTC offset of the account time zone, seconds.
    pub offset: i32,
    pub start: Instant,
    /// Month index of `start` (first allowance period begins on the 1st of that month).
    pub start_month: i64,
    pub cycle: Cycle,
    /// Lowest balance usage may leave; `None` = no floor (unlimited negative balance, post-paid).
    pub floor: Option<Decimal>,
    /// The configured auto-recharge when enabled (a failed payment method switches it off
    /// without changing this).
    pub recharge: Option<RechargeRule>,
    pub postpaid: bool,
}

impl Settings {
    /// The allowance/tier period an instant falls in, as the month index the period starts at.
    pub fn period_of_month(&self, month: i64) -> i64 {
        let n = self.cycle.months();
        self.start_month + (month - self.start_month).div_euclid(n) * n
    }
}

/// Validate a whole config. `payment_scale` (the card's statement scale) limits the decimal
/// places of payment amounts; `None` skips that check (restoring a persisted account).
pub fn validate_config(
    c: &AccountConfig,
    payment_scale: Option<u32>,
    currency: Option<&str>,
) -> Result<Settings, Error> {
    let offset =
        parse_time_zone(&c.time_zone).map_err(|m| Error::new(C::InvalidValue, "timeZone", m))?;
    let start = parse_account_time(&c.plan.start, offset)
        .map_err(|m| Error::new(C::InvalidDate, "plan.start", m))?;
    if let (Some(want), Some(have)) = (&c.currency, currency) {
        if want != have {
            return Err(Error::new(
                C::InvalidSettings,
                "currency",
                format!("the account is in {want} but the rate card is in {have}"),
            ));
        }
    }
    bounded(c.opening_balance.0, "openingBalance")?;
    let floor = validate_negative_balance(c.negative_balance.as_ref(), c.postpaid)
        .map_err(|e| e.at("negativeBalance"))?;
    if let Some(f) = floor {
        if c.opening_balance.0 < f {
            return Err(Error::new(
                C::InvalidSettings,
                "openingBalance",
                format!(
                    "opening balance {} is below the lowest balance allowed ({})",
                    c.opening_balance,
                    f.normalize()
                ),
            ));
        }
    }
    let recharge = match &c.auto_recharge {
        None => None,
        Some(a) => validate_auto_recharge(a, floor, c.postpaid, payment_scale)
            .map_err(|e| e.at("autoRecharge"))?,
    };
    Ok(Settings {
        offset,
        start,
        start_month: month_index(start, offset),
        cycle: c.plan.cycle,
        floor,
        recharge,
        postpaid: c.postpaid,
    })
}

/// The floor a negative-balance setting gives. Paths are relative to the `negativeBalance` object.
pub fn validate_negative_balance(
    nb: Option<&NegativeBalance>,
    postpaid: bool,
) -> Result<Option<Decimal>, Error> {
    let Some(nb) = nb else {
        return Ok(if postpaid { None } else { Some(Decimal::ZERO) });
    };
    if let Some(limit) = nb.limit {
        if limit.0.is_sign_negative() && !limit.0.is_zero() {
            return Err(Error::new(
                C::NegativeValue,
                "limit",
                format!("the limit is how far below zero the balance may go: give it as a positive amount (got {limit})"),
            ));
        }
        bounded(limit.0, "limit")?;
        if !nb.allowed {
            return Err(Error::new(
                C::InvalidSettings,
                "limit",
                "a limit applies only with `allowed: true`",
            ));
        }
        if postpaid {
            return Err(Error::new(
                C::InvalidSettings,
                "limit",
                "post-paid accounts have no credit limit (usage accrues and is invoiced monthly)",
            ));
        }
        return Ok(Some(-limit.0));
    }
    if postpaid && !nb.allowed {
        return Err(Error::new(
            C::InvalidSettings,
            "allowed",
            "post-paid accounts always run a negative balance; omit `negativeBalance` or set `allowed: true`",
        ));
    }
    Ok(if nb.allowed {
        None
    } else {
        Some(Decimal::ZERO)
    })
}

/// An auto-recharge setting checked against the account's floor. Paths are relative to the
/// `autoRecharge` object. Fields given with `enabled: false` are checked too.
pub fn validate_auto_recharge(
    a: &AutoRecharge,
    floor: Option<Decimal>,
    postpaid: bool,
    payment_scale: Option<u32>,
) -> Result<Option<RechargeRule>, Error> {
    if let Some(t) = a.threshold {
        bounded(t.0, "threshold")?;
    }
    if let Some(amount) = a.amount {
        positive_payment(amount.0, "amount", payment_scale)?;
    }
    if let Some(t) = a.target {
        bounded(t.0, "target")?;
    }
    for (v, path) in [
        (a.max_per_day, "maxPerDay"),
        (a.max_per_month, "maxPerMonth"),
    ] {
        if v == Some(0) {
            return Err(Error::new(
                C::OutOfRange,
                path,
                format!("`{path}` must be at least 1"),
            ));
        }
    }
    if a.amount.is_some() && a.target.is_some() {
        return Err(Error::new(
            C::InvalidSettings,
            "target",
            "give `amount` or `target`, not both",
        ));
    }
    if let (Some(t), Some(target)) = (a.threshold, a.target) {
        if target.0 <= t.0 {
            return Err(Error::new(
                C::InvalidSettings,
                "target",
                format!("target {target} must be above the threshold {t}"),
            ));
        }
    }
    if let (Some(t), Some(f)) = (a.threshold, floor) {
        if t.0 < f {
            return Err(Error::new(
                C::InvalidSettings,
                "threshold",
                format!("threshold {t} is below the lowest balance allowed ({}), so it could never trigger", f.normalize()),
            ));
        }
    }
    if !a.enabled {
        return Ok(None);
    }
    if postpaid {
        return Err(Error::new(
            C::InvalidSettings,
            "enabled",
            "post-paid accounts have no auto-recharge",
        ));
    }
    let Some(threshold) = a.threshold else {
        return Err(Error::new(
            C::MissingField,
            "threshold",
            "an enabled auto-recharge needs `threshold`",
        ));
    };
    let mode = match (a.amount, a.target) {
        (Some(x), None) => RechargeMode::Amount(x.0),
        (None, Some(x)) => RechargeMode::Target(x.0),
        _ => {
            return Err(Error::new(
                C::MissingField,
                "amount",
                "an enabled auto-recharge needs `amount` or `target`",
            ))
        }
    };
    Ok(Some(RechargeRule {
        threshold: threshold.0,
        mode,
        max_per_day: a.max_per_day.unwrap_or(DEFAULT_MAX_PER_DAY),
        max_per_month: a.max_per_month.unwrap_or(DEFAULT_MAX_PER_MONTH),
    }))
}

/// A payment amount: above zero, within [`MAX_AMOUNT`], and no finer than the card's statement
/// scale (a card cannot be charged a fraction of a cent).
pub fn positive_payment(d: Decimal, path: &str, scale: Option<u32>) -> Result<(), Error> {
    if d.is_sign_negative() && !d.is_zero() {
        return Err(Error::new(
            C::NegativeValue,
            path,
            format!("`{path}` must be above zero (got {})", d.normalize()),
        ));
    }
    if d.is_zero() {
        return Err(Error::new(
            C::OutOfRange,
            path,
            format!("`{path}` must be above zero"),
        ));
    }
    bounded(d, path)?;
    if let Some(s) = scale {
        if d.normalize().scale() > s {
            return Err(Error::new(
                C::OutOfRange,
                path,
                format!(
                    "{} has more than {s} decimal places (the rate card's statement scale)",
                    d.normalize()
                ),
            ));
        }
    }
    Ok(())
}

pub fn bounded(d: Decimal, path: &str) -> Result<(), Error> {
    if d.abs() > MAX_AMOUNT {
        return Err(Error::new(
            C::OutOfRange,
            path,
            format!("{} is beyond ±{MAX_AMOUNT}", d.normalize()),
        ));
    }
    Ok(())
}

fn parse_time_zone(s: &str) -> Result<i32, String> {
    let o = parse_offset(s).map_err(|m| {
        if s.contains('/') {
            format!("{s:?} looks like an IANA time-zone name; only fixed UTC offsets are supported (e.g. \"+02:00\")")
        } else {
            m
        }
    })?;
    if o.abs() > MAX_OFFSET_SECONDS {
        return Err(format!("{s:?} is beyond ±18:00"));
    }
    Ok(o)
}

/// Whether a parsed ISO string carries its own offset: `parse_instant` accepted it, so an offset
/// can only be a final `Z` or a final `±hh:mm` after the 10-byte date.
fn has_offset(s: &str) -> bool {
    let b = s.as_bytes();
    let n = b.len();
    n > 10
        && (matches!(b.last(), Some(b'Z' | b'z'))
            || (n >= 16 && matches!(b.get(n - 6), Some(b'+' | b'-'))))
}

fn in_range(t: Instant, s: &str) -> Result<Instant, String> {
    if (MIN_INSTANT..=MAX_INSTANT).contains(&t) {
        Ok(t)
    } else {
        Err(format!("{s:?} is outside the years 1970 to 9999"))
    }
}

/// An account time: a time with `Z` or an offset is absolute; a date (`2025-01-31`, midnight) or
/// a time without an offset is read in the account's time zone.
pub fn parse_account_time(s: &str, offset: i32) -> Result<Instant, String> {
    let t = parse_instant(s)?;
    if has_offset(s) {
        Ok(t)
    } else {
        in_range(t - offset as i64, s)
    }
}

/// An `until` / `advanceTo` time: like [`parse_account_time`], except that a date alone means the
/// end of that day, so `until: "2025-03-31"` settles March.
pub fn parse_until(s: &str, offset: i32) -> Result<Instant, String> {
    let t = parse_account_time(s, offset)?;
    if s.len() > 10 {
        Ok(t)
    } else {
        in_range(t + DAY, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_amount_is_one_trillion() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000i64));
    }

    #[test]
    fn local_times() {
        let off = 7200;
        let utc = parse_instant("2025-01-01T00:00:00Z").unwrap();
        assert_eq!(parse_account_time("2025-01-01", off).unwrap(), utc - 7200);
        assert_eq!(
            parse_account_time("2025-01-01T00:00:00", off).unwrap(),
            utc - 7200
        );
        assert_eq!(
            parse_account_time("2025-01-01T00:00:00Z", off).unwrap(),
            utc
        );
        assert_eq!(
            parse_account_time("2025-01-01T02:00:00+02:00", off).unwrap(),
            utc
        );
        assert_eq!(
            parse_account_time("2025-01-01T00:00:00-01:00", off).unwrap(),
            utc + 3600
        );
        assert_eq!(parse_until("2024-12-31", off).unwrap(), utc - 7200);
        assert_eq!(parse_account_time("2025-01-01 02:00", off).unwrap(), utc);
        assert_eq!(parse_account_time("2025-01-01T00:00Z", off).unwrap(), utc);
        assert!(parse_time_zone("Europe/Paris")
            .unwrap_err()
            .contains("IANA"));
        assert!(parse_time_zone("+19:00").is_err());
    }
}
