//! The engine proper: one event or one clock move at a time, in time order.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::config::{
    parse_account_time, positive_payment, validate_auto_recharge, validate_negative_balance,
    MAX_AMOUNT,
};
use super::event::{Action, ScenarioEvent};
use super::ledger::{Entry, EntryKind, LedgerMode};
use super::recharge::{day_index, recharge_amount, Attempt, Outcome};
use super::statement::{invoice, MonthAcc};
use super::{Account, PaymentMethod, PendingFee, Refusal, RefusalReason};
use crate::error::{Error, ErrorCode as C};
use crate::money::{add, sub, Dec};
use crate::rating::{Checkpoint, Rated, RatingEngine};
use crate::time::{format_instant, month_index, month_start, Instant, DAY, HOUR};

impl Account {
    /// Apply one event. Everything that can be refused is checked before anything changes; the
    /// only change made before a late error is the rating counter, which is undone.
    pub(crate) fn step(
        &mut self,
        engine: &RatingEngine,
        ev: &ScenarioEvent<'_>,
    ) -> Result<(), Error> {
        let at = parse_account_time(&ev.at, self.s.offset)
            .map_err(|m| Error::new(C::InvalidDate, "at", m))?;
        self.check_order(at, "at")?;
        let scale = Some(self.rounding.statement.scale);
        match ev.action()? {
            Action::Usage(u) => {
                let period = self.s.period_of_month(self.month_of(at));
                let charge = match engine.rate_totals(&u, Some(at), &mut self.counters, period) {
                    Ok(c) => c,
                    Err(e) => {
                        // Errors found after the counter moved (an unknown carrier) leave it moved:
                        // put it back exactly (`commit` after each accepted usage makes this safe).
                        self.counters.undo_last();
                        return Err(e);
                    }
                };
                self.debit(engine, at, &charge, None, false)?;
            }
            Action::Parts(service, parts) => {
                let period = self.s.period_of_month(self.month_of(at));
                let (charge, cp) =
                    engine.rate_parts(service, parts, Some(at), &mut self.counters, period)?;
                self.debit(engine, at, &charge, Some(&cp), true)?;
            }
            Action::Purchase(amount) => {
                positive_payment(amount, "amount", scale)?;
                self.advance(at)?;
                self.purchase(at, amount)?;
            }
            Action::PaymentWillFail => {
                self.advance(at)?;
                self.pending_failures = self.pending_failures.saturating_add(1);
                self.current.touched = true;
            }
            Action::PaymentMethodFixed => {
                self.advance(at)?;
                self.config.payment_method = PaymentMethod::Ok;
                self.pending_failures = 0;
                self.current.touched = true;
                self.maybe_recharge(at, Some(self.events_applied))?;
            }
            Action::SetAutoRecharge(a) => {
                let rule = validate_auto_recharge(a, self.s.floor, self.s.postpaid, scale)
                    .map_err(|e| e.at("autoRecharge"))?;
                self.advance(at)?;
                self.config.auto_recharge = Some(a.clone());
                self.s.recharge = rule;
                self.current.touched = true;
                self.maybe_recharge(at, Some(self.events_applied))?;
            }
            Action::SetNegativeBalance(nb) => {
                let floor = validate_negative_balance(Some(nb), self.s.postpaid)
                    .map_err(|e| e.at("negativeBalance"))?;
                let threshold = self.config.auto_recharge.as_ref().and_then(|a| a.threshold);
                if let (Some(t), Some(f)) = (threshold, floor) {
                    if t.0 < f {
                        let field = if nb.allowed {
                            "negativeBalance.limit"
                        } else {
                            "negativeBalance.allowed"
                        };
                        return Err(Error::new(
                            C::InvalidSettings,
                            field,
                            format!(
                                "the auto-recharge threshold {t} would be below the lowest balance allowed ({})",
                                f.normalize()
                            ),
                        ));
                    }
                }
                self.advance(at)?;
                self.config.negative_balance = Some(nb.clone());
                self.s.floor = floor;
                self.current.touched = true;
            }
        }
        self.events_applied += 1;
        Ok(())
    }

    /// A charge rated elsewhere (a projection's aggregated usage, priced from
    /// [`RatingEngine::linear_unit`]): exactly what applying the event would do, without parsing
    /// or rating it. The counters must not depend on it (linear pricing).
    pub(crate) fn apply_rated(
        &mut self,
        engine: &RatingEngine,
        at: Instant,
        charge: &Rated,
    ) -> Result<(), Error> {
        self.check_order(at, "at")?;
        self.debit(engine, at, charge, None, true)?;
        self.events_applied += 1;
        Ok(())
    }

    /// Charges rated elsewhere, all at `at`, that the caller has found quiet: together they
    /// leave the balance at or above the floor and above the auto-recharge threshold, so none
    /// is refused and none makes a payment. Applies them as [`apply_rated`](Self::apply_rated)
    /// would one after the other — the same balance, statement and event count, the same
    /// `Decimal`s — checking the floor and the threshold once, after the last (the charges are
    /// not negative, so the balance only falls). `Ok(false)`, with nothing applied but the
    /// clock, when that does not hold, when a charge is above [`MAX_AMOUNT`], when the ledger
    /// keeps entries or fees are deferred, or on any error (then apply them one by one).
    pub(crate) fn apply_quiet(
        &mut self,
        engine: &RatingEngine,
        at: Instant,
        charges: &[Rated],
    ) -> Result<bool, Error> {
        if self.wants_entries()
            || engine.fee_deferral_hours().is_some()
            || self.check_order(at, "at").is_err()
            || charges
                .iter()
                .any(|c| c.total.0.is_sign_negative() || c.total.0 > MAX_AMOUNT)
            || self.advance(at).is_err()
        {
            return Ok(false);
        }
        // The balance after each charge in turn, as `usage` works it out: the last is the lowest.
        let mut after = self.balance.0;
        for c in charges {
            match sub(after, c.total.0, "") {
                Ok(a) => after = a,
                Err(_) => return Ok(false),
            }
        }
        if let Some(floor) = self.s.floor {
            match sub(after, self.pending_total, "") {
                Ok(low) if low >= floor => {}
                _ => return Ok(false),
            }
        }
        if self.paying_rule().is_some_and(|r| after <= r.threshold) {
            return Ok(false);
        }
        self.counters.commit();
        for c in charges {
            self.current.add_usage(&c.service, c.usage.0)?;
            if !c.carrier_fees.0.is_zero() {
                self.current.carrier_fees =
                    Dec(add(self.current.carrier_fees.0, c.carrier_fees.0, "")?);
            }
        }
        self.balance = Dec(after);
        self.events_applied += charges.len() as u64;
        Ok(true)
    }

    /// A usage charge of `total` for `service` at `at` that the caller has found the account
    /// must refuse: no payment can come first (no auto-recharge that can pay), the account has a
    /// floor, and `total` (at most [`MAX_AMOUNT`]) is above `balance − pending fees − floor`.
    /// Does what [`apply_rated`](Self::apply_rated) does with it (the clock, the refusal, the
    /// event count) without working the refusal out.
    pub(crate) fn refuse_rated(
        &mut self,
        at: Instant,
        service: &Arc<str>,
        total: impl FnOnce() -> Result<Decimal, Error>,
    ) -> Result<(), Error> {
        self.check_order(at, "at")?;
        let Some(floor) = self.s.floor else {
            return Err(Error::new(
                C::InvalidSettings,
                "",
                "no floor to refuse usage below",
            ));
        };
        // As `debit` and `usage` do: the clock, then the counters put back (refused or not).
        let moved = self.advance(at);
        self.undo(None);
        moved?;
        self.record_refusal(at, service, total, floor)?;
        self.events_applied += 1;
        Ok(())
    }

    /// Post a rated charge at `at` (checked in order): the amount limit, the clock, then usage.
    /// A refusal or error puts the counters back: to `undo` when given, else the last rating.
    fn debit(
        &mut self,
        engine: &RatingEngine,
        at: Instant,
        charge: &Rated,
        undo: Option<&Checkpoint>,
        aggregated: bool,
    ) -> Result<(), Error> {
        // A mantissa within the limit cannot be above it (the scale only divides): that skips
        // the rescaling comparison for every ordinary charge.
        if charge.total.0.mantissa() > MAX_AMOUNT.mantissa() && charge.total.0 > MAX_AMOUNT {
            self.undo(undo);
            return Err(Error::new(
                C::OutOfRange,
                "",
                format!(
                    "this event would charge {}; the most one event may charge is {MAX_AMOUNT}",
                    charge.total
                ),
            ));
        }
        if let Err(e) = self.advance(at) {
            self.undo(undo);
            return Err(e);
        }
        self.usage(engine, at, charge, undo, aggregated)
    }

    /// Aggregated usage stands for many messages over its step: the balance would have reached
    /// the threshold part-way and recharged. So when it cannot be covered and auto-recharge is
    /// on, that recharge is attempted first, for what the debit would leave (`low`, below the
    /// floor and so below the threshold: a deep drop). True if it succeeded.
    fn recharge_ahead(&mut self, at: Instant, low: Decimal) -> Result<bool, Error> {
        self.recharge_for(at, low, Some(self.events_applied))
    }

    fn undo(&mut self, to: Option<&Checkpoint>) {
        match to {
            Some(cp) => self.counters.restore(cp),
            None => self.counters.undo_last(),
        }
    }

    #[inline]
    pub(super) fn check_order(&self, t: Instant, path: &str) -> Result<(), Error> {
        if t >= self.s.start && t >= self.now {
            return Ok(());
        }
        self.order_error(t, path)
    }

    #[cold]
    #[inline(never)]
    fn order_error(&self, t: Instant, path: &str) -> Result<(), Error> {
        if t < self.s.start {
            return Err(Error::new(
                C::OutOfOrder,
                path,
                format!(
                    "{} is before the plan start {}",
                    format_instant(t),
                    format_instant(self.s.start)
                ),
            ));
        }
        if t < self.now {
            return Err(Error::new(
                C::OutOfOrder,
                path,
                format!(
                    "{} is before the account's clock {} (events must be in time order)",
                    format_instant(t),
                    format_instant(self.now)
                ),
            ));
        }
        Ok(())
    }

    /// Calendar month (account time zone) of an instant at or after the clock.
    fn month_of(&self, t: Instant) -> i64 {
        if t < self.month_end {
            self.current.month
        } else {
            month_index(t, self.s.offset)
        }
    }

    /// Run the clock to `t`: month ends and deferred fees in time order (a month end first when
    /// both fall at the same instant).
    #[inline]
    pub(super) fn advance(&mut self, t: Instant) -> Result<(), Error> {
        // Nothing falls due by `t` (most calls): only the clock moves.
        if t < self.month_end && self.pending_fees.front().is_none_or(|f| t < f.due) {
            self.now = self.now.max(t);
            return Ok(());
        }
        self.advance_due(t)
    }

    /// [`advance`](Self::advance) when something may fall due by `t`.
    #[inline(never)]
    fn advance_due(&mut self, t: Instant) -> Result<(), Error> {
        loop {
            let fee_due = self.pending_fees.front().map(|f| f.due);
            if self.month_end <= t && fee_due.is_none_or(|d| self.month_end <= d) {
                self.close_month()?;
                continue;
            }
            match fee_due {
                Some(d) if d <= t => self.post_deferred_fee()?,
                _ => break,
            }
        }
        self.now = self.now.max(t);
        Ok(())
    }

    /// Month-end settlement: a negative balance becomes an invoice and the balance is reset to 0.
    fn close_month(&mut self) -> Result<(), Error> {
        let end = self.month_end;
        self.now = self.now.max(end);
        if self.balance.0.is_sign_negative() && !self.balance.0.is_zero() {
            let amount = -self.balance.0;
            let inv = invoice(self.current.month, end, amount, self.rounding.invoice)?;
            self.balance = Dec::ZERO;
            self.current.settlement = Dec(add(self.current.settlement.0, amount, "")?);
            self.current.touched = true;
            self.post(Entry::new(
                end,
                EntryKind::Settlement,
                amount,
                Decimal::ZERO,
            ))?;
            if let Some(c) = &mut self.collect {
                c.invoices.push(inv.clone());
            }
            self.invoices.push(inv);
        }
        if self.current.touched {
            self.statements.push(
                self.current
                    .statement(self.balance.0, self.rounding.statement)?,
            );
        }
        let next = self.current.month + 1;
        let (old_period, new_period) = (
            self.s.period_of_month(self.current.month),
            self.s.period_of_month(next),
        );
        if new_period != old_period {
            self.counters.forget_before(new_period);
        }
        self.current = MonthAcc::new(next, self.balance.0, false);
        self.month_end = month_start(next + 1, self.s.offset);
        Ok(())
    }

    fn post_deferred_fee(&mut self) -> Result<(), Error> {
        let Some(f) = self.pending_fees.pop_front() else {
            return Ok(());
        };
        self.now = self.now.max(f.due);
        self.pending_total = sub(self.pending_total, f.amount.0, "")?;
        self.balance = Dec(sub(self.balance.0, f.amount.0, "")?);
        self.current.carrier_fees = Dec(add(self.current.carrier_fees.0, f.amount.0, "")?);
        self.current.touched = true;
        if self.wants_entries() {
            self.post(Entry::new(
                f.due,
                EntryKind::CarrierFee,
                -f.amount.0,
                self.balance.0,
            ))?;
        }
        self.maybe_recharge(f.due, None)
    }

    fn usage(
        &mut self,
        engine: &RatingEngine,
        at: Instant,
        charge: &Rated,
        undo: Option<&Checkpoint>,
        aggregated: bool,
    ) -> Result<(), Error> {
        let (usage, fee, total) = (charge.usage.0, charge.carrier_fees.0, charge.total.0);
        let defer = engine.fee_deferral_hours().filter(|_| !fee.is_zero());
        // What leaves the balance now (a deferred fee leaves it later).
        let debit = if defer.is_some() { usage } else { total };
        let mut after = sub(self.balance.0, debit, "")?;
        if let Some(floor) = self.s.floor {
            if !total.is_zero() {
                // Pending deferred fees count against the floor, so posting them never crosses it.
                // Without any, the lowest balance is `after`.
                let lowest = |a: &Account, after: Decimal| -> Result<Decimal, Error> {
                    if defer.is_none() && a.pending_total.is_zero() {
                        Ok(after)
                    } else {
                        sub(sub(a.balance.0, a.pending_total, "")?, total, "")
                    }
                };
                let mut low = lowest(self, after)?;
                if low < floor && aggregated && self.recharge_ahead(at, low)? {
                    after = sub(self.balance.0, debit, "")?;
                    low = lowest(self, after)?;
                }
                if low < floor {
                    self.undo(undo);
                    return self.refuse(at, charge, floor);
                }
            }
        }
        self.counters.commit();
        self.current.add_usage(&charge.service, usage)?;
        if self.wants_entries() {
            let index = Some(self.events_applied);
            if !usage.is_zero() && !self.merged(at, EntryKind::Usage, &charge.service, usage)? {
                let mut e = Entry::new(
                    at,
                    EntryKind::Usage,
                    -usage,
                    sub(self.balance.0, usage, "")?,
                );
                e.service = Some(charge.service.clone());
                e.event_index = index;
                self.post(e)?;
            }
            if defer.is_none()
                && !fee.is_zero()
                && !self.merged(at, EntryKind::CarrierFee, &charge.service, fee)?
            {
                let mut e = Entry::new(at, EntryKind::CarrierFee, -fee, after);
                e.service = Some(charge.service.clone());
                e.event_index = index;
                self.post(e)?;
            }
        }
        self.balance = Dec(after);
        match defer {
            Some(h) => self.defer_fee(at, h, fee)?,
            None if !fee.is_zero() => {
                self.current.carrier_fees = Dec(add(self.current.carrier_fees.0, fee, "")?);
            }
            None => {}
        }
        if !debit.is_zero() {
            self.maybe_recharge(at, Some(self.events_applied))?;
        }
        Ok(())
    }

    /// Deferred fees fall due `hours` later, rounded up to the next whole hour (account time
    /// zone); fees due in the same hour are aggregated into one entry.
    fn defer_fee(&mut self, at: Instant, hours: u32, fee: Decimal) -> Result<(), Error> {
        let off = self.s.offset as i64;
        let local = at + hours as i64 * HOUR + off;
        let due = (local + HOUR - 1).div_euclid(HOUR) * HOUR - off;
        self.pending_total = add(self.pending_total, fee, "")?;
        match self.pending_fees.back_mut() {
            Some(last) if last.due == due => last.amount = Dec(add(last.amount.0, fee, "")?),
            _ => self.pending_fees.push_back(PendingFee {
                due,
                amount: Dec(fee),
            }),
        }
        Ok(())
    }

    fn refuse(&mut self, at: Instant, charge: &Rated, floor: Decimal) -> Result<(), Error> {
        self.record_refusal(at, &charge.service, || Ok(charge.total.0), floor)
    }

    /// Record usage of `service` refused at `at` (below `floor`): listed, or past the cap of
    /// [`Account::limit_refusal_list`] only counted, and then its `amount` is not worked out.
    fn record_refusal(
        &mut self,
        at: Instant,
        service: &Arc<str>,
        amount: impl FnOnce() -> Result<Decimal, Error>,
        floor: Decimal,
    ) -> Result<(), Error> {
        self.current.refused += 1;
        self.current.touched = true;
        let listed = self.lists_next_refusal();
        let t = &mut self.tally;
        if t.cap.is_some() {
            let day = at.saturating_add(i64::from(t.offset)).div_euclid(DAY);
            if t.last_day != Some(day) {
                t.days += 1;
                t.last_day = Some(day);
            }
            if !listed {
                t.unlisted += 1;
                if self.collect.is_none() {
                    return Ok(());
                }
            }
        }
        let r = Refusal {
            at,
            event_index: self.events_applied,
            service: service.clone(),
            amount: Dec(amount()?),
            balance: self.balance,
            pending_fees: Dec(self.pending_total),
            reason: if floor.is_zero() {
                RefusalReason::InsufficientBalance
            } else {
                RefusalReason::CreditLimit
            },
        };
        if let Some(c) = &mut self.collect {
            c.refused = Some(r.clone());
        }
        if listed {
            self.refused.push(r);
        }
        Ok(())
    }

    fn purchase(&mut self, at: Instant, amount: Decimal) -> Result<(), Error> {
        self.current.touched = true;
        let mut e = if self.pending_failures > 0 {
            self.pending_failures -= 1;
            self.config.payment_method = PaymentMethod::Failed;
            self.current.purchase_failures += 1;
            let mut e = Entry::new(at, EntryKind::PurchaseFailed, Decimal::ZERO, self.balance.0);
            e.attempted = Some(Dec(amount));
            e
        } else {
            self.balance = Dec(add(self.balance.0, amount, "")?);
            self.current.purchases = Dec(add(self.current.purchases.0, amount, "")?);
            Entry::new(at, EntryKind::Purchase, amount, self.balance.0)
        };
        e.event_index = Some(self.events_applied);
        self.post(e)
    }

    /// After a debit (or when auto-recharge is switched on or the payment method fixed): one
    /// payment attempt if the balance is at or below the threshold and the caps allow. `event` is
    /// the index of the event that triggered it (none for a deferred fee posting).
    fn maybe_recharge(&mut self, at: Instant, event: Option<u64>) -> Result<(), Error> {
        self.recharge_for(at, self.balance.0, event).map(|_| ())
    }

    /// One payment attempt if auto-recharge is on, the payment method works, `basis` (the
    /// balance the amount is computed for) is at or below the threshold and the caps allow.
    /// True if a payment succeeded.
    fn recharge_for(
        &mut self,
        at: Instant,
        basis: Decimal,
        event: Option<u64>,
    ) -> Result<bool, Error> {
        let Some(rule) = self.paying_rule().filter(|r| basis <= r.threshold) else {
            return Ok(false);
        };
        let day = day_index(at, self.s.offset);
        let month = self.current.month;
        if self.caps.blocked(&rule, day, month).is_some() {
            return Ok(false);
        }
        let amount = recharge_amount(&rule, basis, self.rounding.statement.scale)?;
        let before = self.balance.0;
        self.attempt_recharge(at, amount, day, month, event)?;
        Ok(self.balance.0 > before)
    }

    fn attempt_recharge(
        &mut self,
        at: Instant,
        amount: Decimal,
        day: i64,
        month: i64,
        event: Option<u64>,
    ) -> Result<(), Error> {
        self.current.touched = true;
        if self.pending_failures > 0 {
            self.pending_failures -= 1;
            self.config.payment_method = PaymentMethod::Failed;
            self.current.recharge_failures += 1;
            self.recharge_attempts += 1;
            self.last_attempt = Some(Attempt {
                at,
                amount: Dec(amount),
                outcome: Outcome::Failed,
            });
            let mut e = Entry::new(at, EntryKind::RechargeFailed, Decimal::ZERO, self.balance.0);
            e.attempted = Some(Dec(amount));
            e.event_index = event;
            return self.post(e);
        }
        self.balance = Dec(add(self.balance.0, amount, "")?);
        self.current.recharges = Dec(add(self.current.recharges.0, amount, "")?);
        self.caps.count(day, month);
        self.recharge_attempts += 1;
        self.last_attempt = Some(Attempt {
            at,
            amount: Dec(amount),
            outcome: Outcome::Succeeded,
        });
        let mut e = Entry::new(at, EntryKind::Recharge, amount, self.balance.0);
        e.event_index = event;
        self.post(e)
    }

    fn wants_entries(&self) -> bool {
        self.collect.is_some() || self.ledger.mode() != LedgerMode::None
    }

    /// A debit merged straight into the ledger's open run, when it would be merged there and
    /// nothing collects the entries: see [`super::ledger::Ledger::merge_debit`].
    fn merged(
        &mut self,
        at: Instant,
        kind: EntryKind,
        service: &Arc<str>,
        amount: Decimal,
    ) -> Result<bool, Error> {
        if self.collect.is_some() {
            return Ok(false);
        }
        self.ledger
            .merge_debit(at, self.s.offset, kind, service, amount)
    }

    fn post(&mut self, e: Entry) -> Result<(), Error> {
        if let Some(c) = &mut self.collect {
            c.entries.push(e.clone());
        }
        self.ledger.push(e, self.s.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::AccountConfig;
    use super::super::SimulationOptions;
    use super::*;
    use crate::ratecard::RateCard;

    /// `apply_quiet` against `apply_rated` one charge after the other, from accounts with and
    /// without auto-recharge, a floor of 0 or a credit limit, or none (post-paid): when it
    /// applies the charges, the account is the one the charges one by one give; when it does
    /// not, the account has only moved its clock, and one by one some charge is refused or
    /// makes a payment attempt.
    #[test]
    fn quiet_charges_apply_as_one_by_one_or_not_at_all() {
        let engine = RatingEngine::new(RateCard::default_card()).unwrap();
        let configs = [
            r#"{ "openingBalance": "50", "plan": { "start": "2025-01-01" },
                 "autoRecharge": { "enabled": true, "threshold": "20", "amount": "30" } }"#,
            r#"{ "openingBalance": "5", "plan": { "start": "2025-01-01" },
                 "negativeBalance": { "allowed": true, "limit": "12.5" } }"#,
            r#"{ "openingBalance": "40", "plan": { "start": "2025-01-01" } }"#,
            r#"{ "openingBalance": "0", "plan": { "start": "2025-01-01" }, "postpaid": true }"#,
        ];
        let options = SimulationOptions {
            ledger: LedgerMode::None,
        };
        let at = parse_account_time("2025-01-20T10:00:00Z", 0).unwrap();
        let (sms, mms): (Arc<str>, Arc<str>) = ("sms".into(), "mms".into());
        let (mut quiet, mut loud) = (0, 0);
        for config in configs {
            let config: AccountConfig = crate::input::from_json(config).unwrap();
            let opened = Account::with_options(config, options, &engine).unwrap();
            for k in 0..60u32 {
                // Two charges of up to about 66, in cents and tenths of a cent.
                let amount = |x: u32, scale: u32| Dec(Decimal::new(i64::from(x), scale));
                let charges = [
                    Rated {
                        service: sms.clone(),
                        usage: amount(k * 37 % 2900, 2),
                        carrier_fees: amount(k * 11 % 700, 3),
                        total: Dec::ZERO,
                    },
                    Rated {
                        service: mms.clone(),
                        usage: amount(k * 53 % 3100, 2),
                        carrier_fees: Dec::ZERO,
                        total: Dec::ZERO,
                    },
                ]
                .map(|mut c| {
                    c.total = Dec(add(c.usage.0, c.carrier_fees.0, "").unwrap());
                    c
                });
                let mut together = opened.clone();
                let mut one_by_one = opened.clone();
                for c in &charges {
                    one_by_one.apply_rated(&engine, at, c).unwrap();
                }
                if together.apply_quiet(&engine, at, &charges).unwrap() {
                    assert_eq!(together, one_by_one, "charges {k}");
                    quiet += 1;
                } else {
                    let mut moved = opened.clone();
                    moved.advance(at).unwrap();
                    assert_eq!(together, moved, "charges {k}");
                    assert!(
                        !one_by_one.refused().is_empty() || one_by_one.recharge_attempts() > 0,
                        "charges {k} are quiet"
                    );
                    loud += 1;
                }
            }
        }
        assert!(quiet > 60 && loud > 30, "{quiet} {loud}");
    }
}
