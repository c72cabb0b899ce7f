//! Monthly statements, month-end invoices and post-paid eligibility. Kept apart from the ledger,
//! so they stay exact whatever ledger detail is kept.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ledger::iso;
use crate::error::Error;
use crate::money::{add, sub, Dec, Rounding};
use crate::time::{format_month, Instant};

/// A calendar month's spend (usage + carrier fees) above which post-paid is offered: 5,000 in the
/// card currency.
pub const POSTPAID_MIN_MONTHLY_SPEND: Decimal = Decimal::from_parts(5000, 0, 0, false, 0);

/// One calendar month (account time zone). All amounts are exact and positive;
/// `closingBalance = openingBalance + purchases + recharges + settlement − usage − carrierFees`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Statement {
    pub month: String,
    pub opening_balance: Dec,
    pub closing_balance: Dec,
    /// Usage (without carrier fees) per service id, including services whose usage was free.
    pub usage_by_service: BTreeMap<String, Dec>,
    pub usage: Dec,
    pub carrier_fees: Dec,
    pub purchases: Dec,
    pub recharges: Dec,
    /// Auto-recharge payments that failed (count).
    pub recharge_failures: u32,
    /// Manual purchases whose payment failed (count).
    pub purchase_failures: u32,
    /// Credited at month end to clear a negative balance (equals the month's invoice).
    pub settlement: Dec,
    /// Usage events refused (count).
    pub refused: u64,
    /// `usage + carrierFees`.
    pub spend: Dec,
    /// `spend` rounded with the card's `rounding.statement`.
    pub spend_rounded: Dec,
}

/// A month-end invoice for a negative balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Invoice {
    /// The month settled, `"2025-01"`.
    pub month: String,
    /// The end of that month (the next month's first instant, account time zone).
    #[serde(with = "iso")]
    pub issued_at: Instant,
    /// The negative balance cleared, exact (what the `settlement` entry credits).
    pub amount: Dec,
    /// `amount` rounded with the card's `rounding.invoice`: what the billing admin pays.
    pub amount_due: Dec,
    /// `amountDue − amount`.
    pub rounding_difference: Dec,
}

/// A calendar month whose spend made the account eligible for post-paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PostpaidMonth {
    pub month: String,
    pub spend: Dec,
}

/// The running totals of the current month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct MonthAcc {
    pub month: i64,
    pub opening: Dec,
    /// Usage per service (the month's usage is their sum).
    pub usage_by_service: Vec<(Arc<str>, Dec)>,
    pub carrier_fees: Dec,
    pub purchases: Dec,
    pub recharges: Dec,
    pub recharge_failures: u32,
    pub purchase_failures: u32,
    pub settlement: Dec,
    pub refused: u64,
    /// Anything happened this month (a statement is issued only for such months).
    pub touched: bool,
}

impl MonthAcc {
    pub fn new(month: i64, opening: Decimal, touched: bool) -> MonthAcc {
        MonthAcc {
            month,
            opening: Dec(opening),
            usage_by_service: Vec::new(),
            carrier_fees: Dec::ZERO,
            purchases: Dec::ZERO,
            recharges: Dec::ZERO,
            recharge_failures: 0,
            purchase_failures: 0,
            settlement: Dec::ZERO,
            refused: 0,
            touched,
        }
    }

    pub fn add_usage(&mut self, service: &Arc<str>, amount: Decimal) -> Result<(), Error> {
        self.touched = true;
        match self.usage_by_service.iter_mut().find(|(s, _)| s == service) {
            Some((_, v)) => v.0 = add(v.0, amount, "")?,
            None => self.usage_by_service.push((service.clone(), Dec(amount))),
        }
        Ok(())
    }

    pub fn usage(&self) -> Result<Decimal, Error> {
        let mut sum = Decimal::ZERO;
        for (_, v) in &self.usage_by_service {
            sum = add(sum, v.0, "")?;
        }
        Ok(sum)
    }

    pub fn statement(&self, closing: Decimal, rounding: Rounding) -> Result<Statement, Error> {
        let usage = self.usage()?;
        let spend = add(usage, self.carrier_fees.0, "")?;
        Ok(Statement {
            month: format_month(self.month),
            opening_balance: self.opening,
            closing_balance: Dec(closing),
            usage_by_service: self
                .usage_by_service
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            usage: Dec(usage),
            carrier_fees: self.carrier_fees,
            purchases: self.purchases,
            recharges: self.recharges,
            recharge_failures: self.recharge_failures,
            purchase_failures: self.purchase_failures,
            settlement: self.settlement,
            refused: self.refused,
            spend: Dec(spend),
            spend_rounded: Dec(rounding.apply(spend)),
        })
    }
}

/// Build the invoice for a negative balance `amount` (positive) settled at `issued_at`.
pub(crate) fn invoice(
    month: i64,
    issued_at: Instant,
    amount: Decimal,
    rounding: Rounding,
) -> Result<Invoice, Error> {
    let due = rounding.apply(amount);
    Ok(Invoice {
        month: format_month(month),
        issued_at,
        amount: Dec(amount),
        amount_due: Dec(due),
        rounding_difference: Dec(sub(due, amount, "")?),
    })
}
