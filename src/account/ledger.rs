//! The append-only ledger: every balance change is an entry with the balance after it.
//!
//! For long simulations the ledger can merge debits (`"hour"`, `"day"`) or be switched off
//! (`"none"`); balances, statements and invoices are computed apart from it and stay exact.

use std::borrow::Cow;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::money::{add, sub, Dec};
use crate::time::{Instant, DAY, HOUR};

/// Instants as RFC 3339 strings in UTC (`2025-01-31T12:00:00Z`).
pub(crate) mod iso {
    use serde::{de, Deserialize, Deserializer, Serializer};

    use crate::time::{format_instant, parse_instant, Instant};

    pub fn serialize<S: Serializer>(t: &Instant, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_instant(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Instant, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        parse_instant(&s).map_err(de::Error::custom)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EntryKind {
    /// The price of usage (every line of a charge but carrier fees). Debit.
    Usage,
    /// Carrier pass-through fees, at cost: with the usage, or deferred and aggregated per hour. Debit.
    CarrierFee,
    /// A manual purchase. Credit.
    Purchase,
    /// A manual purchase whose payment failed (amount 0, `attempted` says how much).
    PurchaseFailed,
    /// A successful auto-recharge. Credit.
    Recharge,
    /// An auto-recharge whose payment failed (amount 0, `attempted` says how much).
    RechargeFailed,
    /// Month-end settlement: the negative balance moves to an invoice and the balance becomes 0. Credit.
    Settlement,
}

impl EntryKind {
    /// The kind as its JSON names it.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Usage => "usage",
            EntryKind::CarrierFee => "carrierFee",
            EntryKind::Purchase => "purchase",
            EntryKind::PurchaseFailed => "purchaseFailed",
            EntryKind::Recharge => "recharge",
            EntryKind::RechargeFailed => "rechargeFailed",
            EntryKind::Settlement => "settlement",
        }
    }
}

/// One ledger entry. `amount` is signed (credits +, debits −) and `balanceAfter` is the previous
/// entry's `balanceAfter` plus `amount`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Entry {
    #[serde(with = "iso")]
    pub at: Instant,
    pub kind: EntryKind,
    pub amount: Dec,
    pub balance_after: Dec,
    /// `usage` and immediate `carrierFee` entries: the service. Deferred fees (aggregated over
    /// services) have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Arc<str>>,
    /// The event (0-based, in the order applied) that caused the entry, or that triggered a
    /// recharge; in merged ledgers, the first one merged. None for deferred fees, settlements and
    /// recharges triggered by a deferred fee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_index: Option<u64>,
    /// Failed payments: the amount that was attempted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempted: Option<Dec>,
    /// Merged ledgers: how many debits this entry stands for, when more than one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

impl Entry {
    pub(crate) fn new(
        at: Instant,
        kind: EntryKind,
        amount: Decimal,
        balance_after: Decimal,
    ) -> Entry {
        Entry {
            at,
            kind,
            amount: Dec(amount),
            balance_after: Dec(balance_after),
            service: None,
            event_index: None,
            attempted: None,
            count: None,
        }
    }

    fn mergeable(&self) -> bool {
        matches!(self.kind, EntryKind::Usage | EntryKind::CarrierFee)
    }
}

/// How much ledger a simulation keeps (`options.ledger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LedgerMode {
    /// An entry per debit and credit.
    #[default]
    Event,
    /// `usage` / `carrierFee` entries of the same kind and service within one clock hour (account
    /// time zone) are merged, never across any other entry.
    Hour,
    /// As `hour`, per calendar day.
    Day,
    /// No ledger; balance, statements, invoices and refusals are still exact.
    None,
}

/// A run of mergeable entries in one hour or day bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Group {
    /// Index of the run's first entry.
    start: usize,
    /// Hour or day number (account time zone).
    bucket: i64,
    /// Balance before the run.
    base: Dec,
    /// An amount was merged into an entry of the run since its balances were last worked out:
    /// they are out of date from that entry on until [`Ledger::settle`]. Never serialised (what
    /// is serialised is settled).
    #[serde(skip)]
    stale: bool,
}

/// Balances after each entry of a run: its running sums from `base`.
fn settle_run(run: &mut [Entry], base: Decimal) -> Result<(), Error> {
    let mut balance = base;
    for x in run {
        balance = add(balance, x.amount.0, "")?;
        x.balance_after = Dec(balance);
    }
    Ok(())
}

/// The entries, the open run's balances worked out. Merging an amount into a run's earlier
/// entry moves the balance after every later entry of the run; rather than move them at each
/// merge (a sum per entry), the run is marked stale and its balances are summed once, when it
/// closes or is read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ledger {
    mode: LedgerMode,
    entries: Vec<Entry>,
    #[serde(default)]
    group: Option<Group>,
}

impl Serialize for Ledger {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Settled<'a> {
            mode: LedgerMode,
            entries: Cow<'a, [Entry]>,
            #[serde(skip_serializing_if = "Option::is_none")]
            group: Option<Group>,
        }
        Settled {
            mode: self.mode,
            entries: self.entries().map_err(serde::ser::Error::custom)?,
            group: self.group.map(|g| Group { stale: false, ..g }),
        }
        .serialize(s)
    }
}

/// Equal when they read the same: the same entries (settled), mode and run.
impl PartialEq for Ledger {
    fn eq(&self, other: &Self) -> bool {
        let settled = |g: Option<Group>| g.map(|g| Group { stale: false, ..g });
        self.mode == other.mode
            && settled(self.group) == settled(other.group)
            && match (self.entries(), other.entries()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            }
    }
}

impl Ledger {
    pub fn new(mode: LedgerMode) -> Ledger {
        Ledger {
            mode,
            entries: Vec::new(),
            group: None,
        }
    }

    pub fn mode(&self) -> LedgerMode {
        self.mode
    }

    /// The entries, every balance up to date (a copy only while the open run is stale).
    pub fn entries(&self) -> Result<Cow<'_, [Entry]>, Error> {
        match self.group {
            Some(g) if g.stale => {
                let mut entries = self.entries.clone();
                if let Some(run) = entries.get_mut(g.start..) {
                    settle_run(run, g.base.0)?;
                }
                Ok(Cow::Owned(entries))
            }
            _ => Ok(Cow::Borrowed(&self.entries)),
        }
    }

    pub fn into_entries(mut self) -> Result<Vec<Entry>, Error> {
        self.settle()?;
        Ok(self.entries)
    }

    /// Work out the open run's balances, if stale.
    fn settle(&mut self) -> Result<(), Error> {
        if let Some(g) = &mut self.group {
            if g.stale {
                if let Some(run) = self.entries.get_mut(g.start..) {
                    settle_run(run, g.base.0)?;
                }
                g.stale = false;
            }
        }
        Ok(())
    }

    /// The width of a merged run (an hour or a day), if the mode merges.
    fn width(&self) -> Option<i64> {
        match self.mode {
            LedgerMode::Hour => Some(HOUR),
            LedgerMode::Day => Some(DAY),
            LedgerMode::Event | LedgerMode::None => None,
        }
    }

    /// Add `amount` (signed) into the open run's entry of `kind` and `service`, if the run is
    /// bucket `bucket`'s and has one; its count goes up, and the run's balances are stale. False
    /// (nothing done) otherwise.
    fn merge(
        &mut self,
        bucket: i64,
        kind: EntryKind,
        service: Option<&Arc<str>>,
        amount: Decimal,
    ) -> Result<bool, Error> {
        let Some(g) = self.group.as_mut().filter(|g| g.bucket == bucket) else {
            return Ok(false);
        };
        let run = self.entries.get_mut(g.start..).unwrap_or_default();
        let Some(x) = run
            .iter_mut()
            .find(|x| x.kind == kind && x.service.as_ref() == service)
        else {
            return Ok(false);
        };
        x.amount = Dec(add(x.amount.0, amount, "")?);
        x.count = Some(x.count.unwrap_or(1).saturating_add(1));
        g.stale = true;
        Ok(true)
    }

    /// A debit of `amount` (positive) merged into the open run's entry of its kind and service,
    /// when the mode merges and the run (same hour or day) has one: what [`push`](Self::push)
    /// does with such an entry, without the caller building it. False (nothing done) otherwise.
    pub fn merge_debit(
        &mut self,
        at: Instant,
        offset: i32,
        kind: EntryKind,
        service: &Arc<str>,
        amount: Decimal,
    ) -> Result<bool, Error> {
        match self.width() {
            Some(width) => {
                let bucket = (at + offset as i64).div_euclid(width);
                self.merge(bucket, kind, Some(service), -amount)
            }
            None => Ok(false),
        }
    }

    /// Record an entry (merging it into the current run when the mode says so).
    pub fn push(&mut self, e: Entry, offset: i32) -> Result<(), Error> {
        let Some(width) = self.width() else {
            if self.mode == LedgerMode::Event {
                self.entries.push(e);
            }
            return Ok(());
        };
        if !e.mergeable() {
            self.settle()?;
            self.group = None;
            self.entries.push(e);
            return Ok(());
        }
        let bucket = (e.at + offset as i64).div_euclid(width);
        if self.merge(bucket, e.kind, e.service.as_ref(), e.amount.0)? {
            return Ok(());
        }
        match self.group {
            // A new kind or service in the run: after its last entry (a stale run gets its
            // balances when it settles).
            Some(g) if g.bucket == bucket && g.start <= self.entries.len() => {
                let mut e = e;
                if !g.stale {
                    let last = self.entries.get(g.start..).and_then(|run| run.last());
                    let before = last.map_or(g.base.0, |x| x.balance_after.0);
                    e.balance_after = Dec(add(before, e.amount.0, "")?);
                }
                self.entries.push(e);
            }
            _ => {
                self.settle()?;
                let base = sub(e.balance_after.0, e.amount.0, "")?;
                self.group = Some(Group {
                    start: self.entries.len(),
                    bucket,
                    base: Dec(base),
                    stale: false,
                });
                self.entries.push(e);
            }
        }
        Ok(())
    }
}
