//! Auto-recharge: how much to charge, the per-day / per-month caps, and the status a UI shows.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::config::{PaymentMethod, RechargeMode, RechargeRule};
use super::ledger::iso;
use crate::error::Error;
use crate::money::{add, div, mul, sub, Dec};
use crate::time::{Instant, DAY};

/// The amount one recharge charges when the balance is at or below the threshold.
///
/// - Fixed `amount`: the amount, or after a deep drop the smallest whole multiple of it that
///   lifts the balance above the threshold, charged as ONE payment (the shortfall is closed at
///   once rather than by several recharges in a row).
/// - `target`: `target − balance`, rounded up to the card's statement scale.
pub fn recharge_amount(
    rule: &RechargeRule,
    balance: Decimal,
    scale: u32,
) -> Result<Decimal, Error> {
    match rule.mode {
        RechargeMode::Amount(a) => {
            let gap = sub(rule.threshold, balance, "")?;
            let mut n = if gap.is_sign_negative() {
                Decimal::ZERO
            } else {
                div(gap, a, "")?.floor()
            };
            n = add(n, Decimal::ONE, "")?;
            let mut charge = mul(n, a, "")?;
            // Guard against a quotient rounded onto a whole number.
            while add(balance, charge, "")? <= rule.threshold {
                charge = add(charge, a, "")?;
            }
            Ok(charge)
        }
        RechargeMode::Target(t) => Ok(sub(t, balance, "")?
            .round_dp_with_strategy(scale, RoundingStrategy::ToPositiveInfinity)),
    }
}

/// Which cap stops auto-recharge for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Cap {
    Day,
    Month,
}

/// Successful recharges in the current day and month (account time zone). Failed attempts do not
/// count, so a retry after fixing the payment method is not blocked by the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CapCounts {
    pub day: i64,
    pub today: u32,
    pub month: i64,
    pub this_month: u32,
}

impl CapCounts {
    pub fn today(&self, day: i64) -> u32 {
        if self.day == day {
            self.today
        } else {
            0
        }
    }
    pub fn this_month(&self, month: i64) -> u32 {
        if self.month == month {
            self.this_month
        } else {
            0
        }
    }
    pub fn blocked(&self, rule: &RechargeRule, day: i64, month: i64) -> Option<Cap> {
        if self.this_month(month) >= rule.max_per_month {
            Some(Cap::Month)
        } else if self.today(day) >= rule.max_per_day {
            Some(Cap::Day)
        } else {
            None
        }
    }
    pub fn count(&mut self, day: i64, month: i64) {
        self.today = self.today(day).saturating_add(1);
        self.day = day;
        self.this_month = self.this_month(month).saturating_add(1);
        self.month = month;
    }
}

pub(crate) fn day_index(t: Instant, offset: i32) -> i64 {
    (t + offset as i64).div_euclid(DAY)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Succeeded,
    Failed,
}

/// The last auto-recharge payment attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Attempt {
    #[serde(with = "iso")]
    pub at: Instant,
    pub amount: Dec,
    pub outcome: Outcome,
}

/// Why auto-recharge is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OffReason {
    /// Not configured, `enabled: false`, or a post-paid account.
    Disabled,
    /// A payment failed; it stays off until a `paymentMethodFixed` event.
    PaymentFailed,
}

/// Where the next recharge triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NextTrigger {
    /// The balance at or below which a debit triggers a recharge (the threshold).
    pub balance: Dec,
    /// How far the balance is above it (`balance − threshold`; ≤ 0 means the next debit triggers).
    pub distance: Dec,
}

/// `autoRechargeStatus()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutoRechargeStatus {
    /// Whether a debit to the threshold would attempt a payment now (caps aside).
    pub enabled: bool,
    /// Why it is off (`disabled` wins over `paymentFailed`); `null` when on.
    pub reason: Option<OffReason>,
    pub payment_method: PaymentMethod,
    pub threshold: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Dec>,
    pub max_per_day: Option<u32>,
    pub max_per_month: Option<u32>,
    pub last_attempt: Option<Attempt>,
    /// `null` when auto-recharge is off.
    pub next_trigger_at: Option<NextTrigger>,
    /// A cap that blocks recharges at the account's current time (`month` wins over `day`).
    pub cap_reached: Option<Cap>,
    pub recharges_today: u32,
    pub recharges_this_month: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn rule(mode: RechargeMode) -> RechargeRule {
        RechargeRule {
            threshold: d("10"),
            mode,
            max_per_day: 1,
            max_per_month: 1,
        }
    }

    #[test]
    fn fixed_amount_closes_a_deep_drop_in_one_multiple() {
        let r = rule(RechargeMode::Amount(d("50")));
        assert_eq!(recharge_amount(&r, d("9.99"), 2).unwrap(), d("50"));
        assert_eq!(recharge_amount(&r, d("10"), 2).unwrap(), d("50"));
        assert_eq!(recharge_amount(&r, d("-40"), 2).unwrap(), d("100"));
        assert_eq!(recharge_amount(&r, d("-40.01"), 2).unwrap(), d("100"));
        assert_eq!(recharge_amount(&r, d("-90"), 2).unwrap(), d("150"));
    }

    #[test]
    fn target_rounds_up_to_the_statement_scale() {
        let r = rule(RechargeMode::Target(d("100")));
        assert_eq!(recharge_amount(&r, d("9.9917"), 2).unwrap(), d("90.01"));
        assert_eq!(recharge_amount(&r, d("-5"), 2).unwrap(), d("105"));
    }
}
