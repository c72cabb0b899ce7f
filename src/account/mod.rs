//! The credit balance engine (PRODUCT.md §4): a prepaid balance that usage, carrier fees,
//! purchases, auto-recharges and month-end settlements move, with every change in a ledger.
//!
//! [`Account`] is the stateful engine (apply events one by one, persist with `to_json`);
//! [`simulate()`] replays a whole [`Scenario`] through it and is exactly `Account::with_options` +
//! `apply` per event + `advance_to(until)`.
//!
//! How the rules are read where PRODUCT.md leaves room:
//! - **Time.** A time with `Z` or an offset is absolute; a date or a time without an offset is
//!   read in the account's time zone (a fixed offset). `until` / `advance_to` given as a date
//!   means the end of that day. At one instant: month end first, then deferred fees due, then the
//!   event. Allowance/tier periods are calendar months counted from the plan start's month (1, 3
//!   or 12 of them; not prorated); settlement is monthly whatever the cycle.
//! - **Refusal.** Usage is refused when balance − pending deferred fees − its charge (usage +
//!   carrier fee) would be below the floor: 0, −limit, or none (unlimited negative balance,
//!   post-paid). Free usage is never refused; refused usage consumes no allowance. Usage that
//!   costs nothing makes no ledger entry (it still lists its service in the statement).
//! - **Auto-recharge.** After a debit that leaves the balance at or below the threshold, one
//!   payment; also at once when auto-recharge is switched on, or the payment method fixed, at or
//!   below the threshold. Caps count successful recharges per day and calendar month (account
//!   time zone); failed attempts do not count. A fixed amount that would not lift the balance
//!   above the threshold is charged as the smallest whole multiple that does, in one payment; a
//!   target is topped up to, rounded up to the card's statement scale.
//! - **Payment failures.** Each `paymentWillFail` makes the next payment attempt (recharge or
//!   purchase) fail. A failure marks the payment method failed, which switches auto-recharge off
//!   until `paymentMethodFixed` (which also drops failures still queued). Manual purchases are not
//!   blocked by a failed payment method.
//! - **Month end.** A negative balance is credited back to 0 by a `settlement` entry dated the
//!   first instant of the next month (account time zone) and invoiced; both belong to the month
//!   that closed. Statements are issued for months in which something happened.
//! - **Deferred fees** fall due `deferHours` after the message, rounded up to the next whole hour
//!   (account time zone), aggregated per hour over services (an entry without `service`), and
//!   count in the month they post.
//! - **Amounts.** Every money input is within ±[`MAX_AMOUNT`]; payments have at most the card's
//!   statement scale in decimals. So no accepted input can overflow, and an `apply` that fails
//!   changes nothing.

mod config;
mod engine;
mod event;
mod ledger;
mod recharge;
mod simulate;
mod statement;

use std::collections::VecDeque;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use config::{
    AccountConfig, AutoRecharge, Cycle, NegativeBalance, PaymentMethod, Plan, DEFAULT_MAX_PER_DAY,
    DEFAULT_MAX_PER_MONTH, MAX_AMOUNT, MAX_OFFSET_SECONDS,
};
pub use event::{EventType, ScenarioEvent};
pub use ledger::{Entry, EntryKind, LedgerMode};
pub use recharge::{Attempt, AutoRechargeStatus, Cap, NextTrigger, OffReason, Outcome};
pub use simulate::{simulate, simulate_columns, Scenario, SimulationOptions, SimulationResult};
pub use statement::{Invoice, PostpaidMonth, Statement, POSTPAID_MIN_MONTHLY_SPEND};

use config::{parse_until, validate_config, RechargeRule, Settings};
use ledger::{iso, Ledger};
use recharge::{day_index, CapCounts};
use statement::MonthAcc;

use crate::error::{Error, ErrorCode as C};
use crate::money::{add, sub, Dec, Rounding};
use crate::rating::{Counters, RatingEngine};
use crate::time::{month_index, month_start, Instant};

/// Version of the persisted account format (`Account::to_json`).
pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RefusalReason {
    /// No negative balance allowed: the balance cannot cover the charge.
    InsufficientBalance,
    /// The charge would take the balance below the credit limit.
    CreditLimit,
}

impl RefusalReason {
    /// The reason as written in JSON.
    pub fn name(self) -> &'static str {
        match self {
            RefusalReason::InsufficientBalance => "insufficientBalance",
            RefusalReason::CreditLimit => "creditLimit",
        }
    }
}

/// Usage refused (service interruption): nothing was charged and no allowance was consumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Refusal {
    #[serde(with = "iso")]
    pub at: Instant,
    pub event_index: u64,
    pub service: Arc<str>,
    /// What the usage would have cost (usage + carrier fees).
    pub amount: Dec,
    /// The balance when it was refused.
    pub balance: Dec,
    /// Deferred carrier fees not yet posted, which count against the floor; omitted when none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub pending_fees: Dec,
    pub reason: RefusalReason,
}

fn is_zero(d: &Dec) -> bool {
    d.0.is_zero()
}

/// What one `apply` or `advance_to` did. `entries` are every entry it produced, one per debit or
/// credit even when the ledger merges or is off.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    pub entries: Vec<Entry>,
    pub refused: Option<Refusal>,
    pub invoices: Vec<Invoice>,
}

/// Deferred carrier fees due at one whole hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PendingFee {
    #[serde(with = "iso")]
    due: Instant,
    amount: Dec,
}

/// The card's rounding points, captured when the account is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Roundings {
    statement: Rounding,
    invoice: Rounding,
}

/// A prepaid (or post-paid) credit account. Serialise it (`to_json`) to persist everything:
/// settings, balance, allowance counters, pending deferred fees, payment state, ledger, invoices
/// and statements. The rate card is not part of it: give the same engine after `from_json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    version: u32,
    /// The rate card's currency (ISO 4217).
    currency: String,
    /// Current settings (set* events and payment failures update them).
    config: AccountConfig,
    rounding: Roundings,
    #[serde(with = "iso")]
    now: Instant,
    balance: Dec,
    events_applied: u64,
    counters: Counters,
    pending_fees: VecDeque<PendingFee>,
    /// Queued `paymentWillFail` events not yet consumed by a payment attempt.
    pending_failures: u32,
    last_attempt: Option<Attempt>,
    caps: CapCounts,
    ledger: Ledger,
    refused: Vec<Refusal>,
    invoices: Vec<Invoice>,
    /// Statements of closed months.
    statements: Vec<Statement>,
    current: MonthAcc,
    #[serde(skip)]
    s: Settings,
    #[serde(skip)]
    month_end: Instant,
    #[serde(skip)]
    pending_total: Decimal,
    #[serde(skip)]
    collect: Option<Applied>,
    /// Auto-recharge attempts (succeeded or failed) since the account was opened: a cheap way
    /// for a driver to notice one.
    #[serde(default)]
    recharge_attempts: u64,
    /// How many refusals to list, and every refusal counted with the days it falls on (see
    /// [`Account::limit_refusal_list`]). Only a projection's own accounts, never serialised,
    /// set a limit.
    #[serde(skip)]
    tally: RefusalTally,
}

/// Refusals of an account whose list is limited (see [`Account::limit_refusal_list`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RefusalTally {
    /// List at most this many (`None`: every one, and nothing below is counted).
    pub cap: Option<usize>,
    /// Offset of the days counted, in seconds east of UTC.
    pub offset: i32,
    /// Refusals past the cap (not listed).
    pub unlisted: u64,
    /// Days with a refusal, listed or not (`(at + offset)` in whole days), and the last of them.
    pub days: u32,
    pub last_day: Option<i64>,
}

/// Limits on a usage charge (its total, usage plus carrier fees) as of now; see
/// [`Account::usage_limits`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct UsageLimits {
    /// Auto-recharge may try a payment: it is set, the account is prepaid and its payment
    /// method has not failed.
    pub pays: bool,
    /// `balance − pending fees − floor`, if usage has a floor: a charge up to it is taken; one
    /// above it is refused, after a payment attempt if `pays`, else at once.
    pub floor_room: Option<Decimal>,
    /// `balance − threshold` while `pays`: a charge below it leaves the balance above the
    /// threshold, and no payment is tried.
    pub threshold_room: Option<Decimal>,
}

impl Account {
    /// Open an account at `plan.start` with the default options (`ledger: "event"`). Config errors
    /// have paths relative to the config (`autoRecharge.target`).
    pub fn new(config: AccountConfig, engine: &RatingEngine) -> Result<Account, Error> {
        Account::with_options(config, SimulationOptions::default(), engine)
    }

    pub fn with_options(
        config: AccountConfig,
        options: SimulationOptions,
        engine: &RatingEngine,
    ) -> Result<Account, Error> {
        let card = engine.card();
        let rounding = Roundings {
            statement: card.rounding.statement,
            invoice: card.rounding.invoice,
        };
        let s = validate_config(
            &config,
            Some(rounding.statement.scale),
            Some(&card.currency),
        )?;
        let balance = config.opening_balance;
        Ok(Account {
            version: STATE_VERSION,
            currency: card.currency.clone(),
            config,
            rounding,
            now: s.start,
            balance,
            events_applied: 0,
            counters: Counters::new(),
            pending_fees: VecDeque::new(),
            pending_failures: 0,
            last_attempt: None,
            caps: CapCounts::default(),
            ledger: Ledger::new(options.ledger),
            refused: Vec::new(),
            invoices: Vec::new(),
            statements: Vec::new(),
            current: MonthAcc::new(s.start_month, balance.0, true),
            month_end: month_start(s.start_month + 1, s.offset),
            s,
            pending_total: Decimal::ZERO,
            collect: None,
            recharge_attempts: 0,
            tally: RefusalTally::default(),
        })
    }

    /// Apply one event. Errors have paths relative to the event (`amount`,
    /// `autoRecharge.threshold`); a failed `apply` changes nothing and the account stays usable.
    pub fn apply(
        &mut self,
        engine: &RatingEngine,
        ev: &ScenarioEvent<'_>,
    ) -> Result<Applied, Error> {
        self.collect = Some(Applied::default());
        let r = self.step(engine, ev);
        let applied = self.collect.take().unwrap_or_default();
        r.map(|()| applied)
    }

    /// Apply events in order without reporting what each did (the fast path `simulate` takes;
    /// feed a long replay in chunks with it). Stops at the first bad event, whose error path is
    /// `[i].field` within `events`; the events before it stay applied, that one changes nothing.
    pub fn apply_all(
        &mut self,
        engine: &RatingEngine,
        events: &[ScenarioEvent<'_>],
    ) -> Result<(), Error> {
        for (i, ev) in events.iter().enumerate() {
            self.step(engine, ev).map_err(|e| e.at(&format!("[{i}]")))?;
        }
        Ok(())
    }

    /// Move the account's clock to `at` (ISO-8601; a date alone means the end of that day):
    /// settles every month that ends by then and posts deferred fees that fall due.
    pub fn advance_to(&mut self, at: &str) -> Result<Applied, Error> {
        let t = parse_until(at, self.s.offset).map_err(|m| Error::new(C::InvalidDate, "", m))?;
        self.advance_to_instant(t)
    }

    /// [`advance_to`](Self::advance_to) with an instant (Unix seconds).
    pub fn advance_to_instant(&mut self, t: Instant) -> Result<Applied, Error> {
        self.check_order(t, "")?;
        self.collect = Some(Applied::default());
        let r = self.advance(t);
        let applied = self.collect.take().unwrap_or_default();
        r.map(|()| applied)
    }

    pub fn balance(&self) -> Decimal {
        self.balance.0
    }

    /// Deferred carrier fees charged but not yet posted.
    pub fn pending_fees(&self) -> Decimal {
        self.pending_total
    }

    /// The auto-recharge rule while a payment could be tried: one is set, the account is
    /// prepaid and its payment method has not failed (the day and month caps aside).
    fn paying_rule(&self) -> Option<RechargeRule> {
        self.s
            .recharge
            .filter(|_| !self.s.postpaid && self.config.payment_method != PaymentMethod::Failed)
    }

    /// Usage can be refused with nothing to pay first: the account has a floor, and no
    /// auto-recharge that can pay (off, post-paid, or its payment method failed).
    pub(crate) fn refuses_unpaid(&self) -> bool {
        self.s.floor.is_some() && self.paying_rule().is_none()
    }

    /// What a usage charge may be, now, with nothing but the balance and the month's statement
    /// changing (see [`UsageLimits`]); `None` when a difference is not exact.
    pub(crate) fn usage_limits(&self) -> Option<UsageLimits> {
        let rule = self.paying_rule();
        let floor_room = match self.s.floor {
            Some(floor) => {
                Some(sub(sub(self.balance.0, self.pending_total, "").ok()?, floor, "").ok()?)
            }
            None => None,
        };
        let threshold_room = match rule {
            Some(rule) => Some(sub(self.balance.0, rule.threshold, "").ok()?),
            None => None,
        };
        Some(UsageLimits {
            pays: rule.is_some(),
            floor_room,
            threshold_room,
        })
    }

    /// The account's clock: the last event or `advance_to` time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The next instant at which moving the clock does something: the current month's end or
    /// the first pending deferred fee.
    pub fn next_due(&self) -> Instant {
        self.pending_fees
            .front()
            .map_or(self.month_end, |f| f.due.min(self.month_end))
    }

    /// Auto-recharge attempts (succeeded or failed) since the account was opened.
    pub fn recharge_attempts(&self) -> u64 {
        self.recharge_attempts
    }

    /// The last auto-recharge attempt.
    pub fn last_attempt(&self) -> Option<Attempt> {
        self.last_attempt
    }

    pub fn events_applied(&self) -> u64 {
        self.events_applied
    }

    pub fn currency(&self) -> &str {
        &self.currency
    }

    pub fn config(&self) -> &AccountConfig {
        &self.config
    }

    pub fn ledger_mode(&self) -> LedgerMode {
        self.ledger.mode()
    }

    /// The ledger (a copy only while the day's or hour's merged run has balances to work out).
    pub fn ledger(&self) -> Result<std::borrow::Cow<'_, [Entry]>, Error> {
        self.ledger.entries()
    }

    pub fn refused(&self) -> &[Refusal] {
        &self.refused
    }

    /// The refusals, moved out (the account keeps none after).
    pub(crate) fn take_refused(&mut self) -> Vec<Refusal> {
        std::mem::take(&mut self.refused)
    }

    /// List only the first `cap` refusals and count every one, with the days they fall on
    /// (`offset` seconds east of UTC), in [`Account::refusal_tally`]. For a projection's paths,
    /// which report the first refusals and count them all; statements count every one.
    pub(crate) fn limit_refusal_list(&mut self, cap: usize, offset: i32) {
        self.tally.cap = Some(cap);
        self.tally.offset = offset;
    }

    /// The refusals counted since [`Account::limit_refusal_list`]; the unlisted all come after
    /// the listed.
    pub(crate) fn refusal_tally(&self) -> RefusalTally {
        self.tally
    }

    /// The next refusal will be listed (not only counted).
    pub(crate) fn lists_next_refusal(&self) -> bool {
        self.tally.cap.is_none_or(|cap| self.refused.len() < cap)
    }

    /// Every refusal, listed or not.
    pub(crate) fn refusals(&self) -> u64 {
        self.refused.len() as u64 + self.tally.unlisted
    }

    pub fn invoices(&self) -> &[Invoice] {
        &self.invoices
    }

    /// Statements of every month something happened in, the current month last (closing balance =
    /// the current balance).
    pub fn statements(&self) -> Result<Vec<Statement>, Error> {
        let mut v = self.statements.clone();
        if self.current.touched {
            v.push(
                self.current
                    .statement(self.balance.0, self.rounding.statement)?,
            );
        }
        Ok(v)
    }

    /// Calendar months whose spend (usage + carrier fees) exceeded
    /// [`POSTPAID_MIN_MONTHLY_SPEND`]. Reported only: the account is not switched.
    pub fn postpaid_eligible(&self) -> Result<Vec<PostpaidMonth>, Error> {
        Ok(eligible(&self.statements()?))
    }

    pub fn auto_recharge_status(&self) -> AutoRechargeStatus {
        let cfg = self.config.auto_recharge.as_ref();
        let failed = self.config.payment_method == PaymentMethod::Failed;
        let reason = match self.s.recharge {
            None => Some(OffReason::Disabled),
            Some(_) if failed => Some(OffReason::PaymentFailed),
            Some(_) => None,
        };
        let day = day_index(self.now, self.s.offset);
        let month = self.current.month;
        let on = self.s.recharge.filter(|_| reason.is_none());
        AutoRechargeStatus {
            enabled: on.is_some(),
            reason,
            payment_method: self.config.payment_method,
            threshold: cfg.and_then(|a| a.threshold),
            amount: cfg.and_then(|a| a.amount),
            target: cfg.and_then(|a| a.target),
            max_per_day: cfg.map(|a| a.max_per_day.unwrap_or(DEFAULT_MAX_PER_DAY)),
            max_per_month: cfg.map(|a| a.max_per_month.unwrap_or(DEFAULT_MAX_PER_MONTH)),
            last_attempt: self.last_attempt,
            next_trigger_at: on.map(|r| NextTrigger {
                balance: Dec(r.threshold),
                distance: Dec(self.balance.0.checked_sub(r.threshold).unwrap_or_default()),
            }),
            cap_reached: on.and_then(|r| self.caps.blocked(&r, day, month)),
            recharges_today: self.caps.today(day),
            recharges_this_month: self.caps.this_month(month),
        }
    }

    /// Everything `simulate` returns, as of the account's clock.
    pub fn result(&self) -> Result<SimulationResult, Error> {
        let statements = self.statements()?;
        Ok(SimulationResult {
            currency: self.currency.clone(),
            balance: self.balance,
            pending_fees: Dec(self.pending_total),
            ledger: self.ledger.entries()?.into_owned(),
            refused: self.refused.clone(),
            invoices: self.invoices.clone(),
            postpaid_eligible: eligible(&statements),
            statements,
            auto_recharge: self.auto_recharge_status(),
        })
    }

    /// [`result`](Self::result) without copying the ledger.
    pub fn into_result(self) -> Result<SimulationResult, Error> {
        let statements = self.statements()?;
        let auto_recharge = self.auto_recharge_status();
        Ok(SimulationResult {
            currency: self.currency,
            balance: self.balance,
            pending_fees: Dec(self.pending_total),
            ledger: self.ledger.into_entries()?,
            refused: self.refused,
            invoices: self.invoices,
            postpaid_eligible: eligible(&statements),
            statements,
            auto_recharge,
        })
    }

    /// The whole state as JSON, for [`from_json`](Self::from_json).
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string(self).map_err(|e| {
            Error::new(
                C::InvalidInput,
                "",
                format!("cannot serialise the account: {e}"),
            )
        })
    }

    /// Restore an account saved with [`to_json`](Self::to_json); its settings are validated again.
    pub fn from_json(text: &str) -> Result<Account, Error> {
        Account::restored(crate::input::from_json(text)?)
    }

    /// An account read back from its saved state, checked and completed as [`from_json`]
    /// does (for a state read as part of a larger input). Paths are relative to the state.
    ///
    /// [`from_json`]: Self::from_json
    pub fn restored(mut a: Account) -> Result<Account, Error> {
        if a.version != STATE_VERSION {
            return Err(Error::new(
                C::InvalidValue,
                "version",
                format!("account state version {} is not {STATE_VERSION}", a.version),
            ));
        }
        a.s = validate_config(&a.config, None, None).map_err(|e| e.at("config"))?;
        if a.now < a.s.start || month_index(a.now, a.s.offset) != a.current.month {
            return Err(Error::new(
                C::InvalidInput,
                "now",
                "the clock does not match the current month",
            ));
        }
        a.month_end = month_start(a.current.month + 1, a.s.offset);
        let mut total = Decimal::ZERO;
        for f in &a.pending_fees {
            total = add(total, f.amount.0, "pendingFees")?;
        }
        a.pending_total = total;
        Ok(a)
    }
}

fn eligible(statements: &[Statement]) -> Vec<PostpaidMonth> {
    statements
        .iter()
        .filter(|s| s.spend.0 > POSTPAID_MIN_MONTHLY_SPEND)
        .map(|s| PostpaidMonth {
            month: s.month.clone(),
            spend: s.spend,
        })
        .collect()
}
