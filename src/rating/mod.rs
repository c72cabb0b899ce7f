//! Rating: a usage event plus a rate card gives a charge with line items.

mod parts;
mod pricing;
pub mod read;

pub use parts::{Checkpoint, UsagePart, MAX_PARTS};

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode as C, Errors, Quoted};
use crate::fees::FeeIndex;
use crate::input::own_cow;
use crate::money::{add, mul, Dec, Sum};
use crate::ratecard::{
    validate, Direction, FeeChannel, FeeTiming, NumberType, Pricing, PricingModel, RateCard,
    Service, ServiceKind, VoiceBilling,
};
use crate::segments::{count_segments, Encoding, SegmentOptions};
use crate::time::{month_index, parse_instant, Instant};

/// Most events accepted in one `rate_batch` call.
pub const MAX_BATCH_EVENTS: usize = 5_000_000;
/// Largest `count` (identical messages or calls) on one event.
pub const MAX_COUNT: u32 = 1_000_000_000;

/// A usage event as callers write it (JSON / JS object); read by hand (`read::usage_event`).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UsageEvent<'a> {
    pub service: Cow<'a, str>,
    pub direction: Direction,
    /// SMS: the message text (segments are counted from it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Cow<'a, str>>,
    /// SMS: a segment count, instead of `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<u32>,
    /// Identical messages, calls or uses this event stands for (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Voice: call duration in seconds (0 = not connected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<Dec>,
    /// Metered services: units used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Dec>,
    /// SMS/MMS: the recipient's (or sender's, inbound) carrier id, for pass-through fees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_type: Option<NumberType>,
    /// When it happened (ISO-8601); selects dated carrier fees and the period for tiers/allowances.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Cow<'a, str>>,
}

impl UsageEvent<'_> {
    /// A copy that borrows nothing.
    pub fn into_owned(self) -> UsageEvent<'static> {
        UsageEvent {
            service: Cow::Owned(self.service.into_owned()),
            direction: self.direction,
            text: own_cow(self.text),
            segments: self.segments,
            count: self.count,
            duration_seconds: self.duration_seconds,
            quantity: self.quantity,
            carrier: own_cow(self.carrier),
            number_type: self.number_type,
            at: own_cow(self.at),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LineKind {
    Usage,
    Allowance,
    VolumeAdjustment,
    Package,
    MinimumCharge,
    ConnectFee,
    CarrierFee,
}

crate::named!(LineKind, "enum LineKind", {
    LineKind::Usage => "usage",
    LineKind::Allowance => "allowance",
    LineKind::VolumeAdjustment => "volumeAdjustment",
    LineKind::Package => "package",
    LineKind::MinimumCharge => "minimumCharge",
    LineKind::ConnectFee => "connectFee",
    LineKind::CarrierFee => "carrierFee",
});

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    pub kind: LineKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Dec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Dec>,
    pub amount: Dec,
    /// Index of the pricing tier that produced the line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_type: Option<NumberType>,
    /// Carrier fee charged later (`carrierFees.timing: "deferred"`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deferred: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Units {
    /// Billable units: segments, messages, minutes or the metered unit.
    pub quantity: Dec,
    pub unit: Arc<str>,
    pub count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments_per_message: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billable_seconds: Option<Dec>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Charge {
    pub service: Arc<str>,
    pub kind: ServiceKind,
    pub direction: Direction,
    pub units: Units,
    pub lines: Vec<Line>,
    /// Price of the usage itself (every line but carrier fees).
    pub usage: Dec,
    /// Carrier pass-through fees, at cost.
    pub carrier_fees: Dec,
    pub total: Dec,
}

thread_local! {
    /// Line buffer reused by [`RatingEngine::rate_totals`].
    static SCRATCH: std::cell::Cell<Vec<Line>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The totals of one rated event (see [`RatingEngine::rate_totals`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Rated {
    pub service: Arc<str>,
    /// Everything but carrier fees.
    pub usage: Dec,
    pub carrier_fees: Dec,
    pub total: Dec,
}

/// Units already used per pricing slot and period (for tiers and allowances).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    used: FxHashMap<(u32, i64), Decimal>,
    /// The entry the last rating touched and its value before, so refused usage can be undone.
    last: Option<((u32, i64), Decimal)>,
}

impl Counters {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn clear(&mut self) {
        self.used.clear();
        self.last = None;
    }
    /// Undo the counter change of the last `rate_with` (usage that was refused is not consumed).
    pub fn undo_last(&mut self) {
        if let Some((k, v)) = self.last.take() {
            // A counter that did not exist before is removed, not left at zero.
            if v.is_zero() {
                self.used.remove(&k);
            } else {
                self.used.insert(k, v);
            }
        }
    }
    /// Keep the last `rate_with` for good: a later `undo_last` will not undo it (call it once
    /// usage is accepted, so that an event that fails validation cannot undo the one before).
    pub fn commit(&mut self) {
        self.last = None;
    }
    /// Drop counters of periods before `period` (they can no longer be used).
    pub fn forget_before(&mut self, period: i64) {
        self.used.retain(|k, _| k.1 >= period);
    }
}

/// Counters persist as `[[slot, period, "used"], …]` (for `Account.toJSON`).
impl Serialize for Counters {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v: Vec<(u32, i64, Dec)> =
            self.used.iter().map(|(k, d)| (k.0, k.1, Dec(*d))).collect();
        v.sort_by_key(|x| (x.0, x.1));
        v.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Counters {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v: Vec<(u32, i64, Dec)> = Vec::deserialize(d)?;
        Ok(Counters {
            used: v.into_iter().map(|(a, b, c)| ((a, b), c.0)).collect(),
            last: None,
        })
    }
}

/// Optional context for a single quote: units already used this period, per service id.
#[derive(Debug, Clone, Default)]
pub struct RateContext {
    pub used: BTreeMap<String, Dec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChargeDetail {
    /// Every event's full charge with its lines.
    #[default]
    Full,
    /// Every event's total only, as a decimal string.
    Totals,
    /// Totals for the batch only.
    None,
}

crate::named!(ChargeDetail, "enum ChargeDetail", {
    ChargeDetail::Full => "full",
    ChargeDetail::Totals => "totals",
    ChargeDetail::None => "none",
});

#[derive(Debug, Clone, Copy, Default)]
pub struct BatchOptions {
    pub charges: ChargeDetail,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceTotal {
    pub events: u64,
    pub quantity: Dec,
    pub unit: String,
    pub usage: Dec,
    pub carrier_fees: Dec,
    pub total: Dec,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CarrierTotal {
    /// Segments (SMS) plus messages (MMS) the fees were charged on.
    pub units: Dec,
    pub amount: Dec,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Charges {
    Full(Vec<Charge>),
    Totals(Vec<Dec>),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    pub count: u64,
    pub usage: Dec,
    pub carrier_fees: Dec,
    pub total: Dec,
    pub by_service: BTreeMap<String, ServiceTotal>,
    pub by_carrier: BTreeMap<String, CarrierTotal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charges: Option<Charges>,
}

struct Compiled {
    id: Arc<str>,
    unit: Arc<str>,
    kind: ServiceKind,
    outbound: Pricing,
    inbound: Option<Pricing>,
    billing: Option<VoiceBilling>,
    connect_fee: Option<Decimal>,
    seg: SegmentOptions,
}

/// A validated rate card, compiled for fast rating. Rating never mutates the engine.
pub struct RatingEngine {
    card: RateCard,
    services: Vec<Compiled>,
    service_keys: Vec<NameKey>,
    service_index: HashMap<String, u32>,
    carriers: Vec<Arc<str>>,
    carrier_keys: Vec<NameKey>,
    carrier_index: HashMap<String, u16>,
    fees: FeeIndex,
    fees_deferred: bool,
}

/// A name's length and first eight bytes, compared before the name itself: for the short ids
/// services and carriers have, equal keys are equal names, with no call to compare strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NameKey(u64, usize);

impl NameKey {
    #[inline]
    fn of(s: &str) -> NameKey {
        let k = s
            .as_bytes()
            .iter()
            .take(8)
            .enumerate()
            .fold(0u64, |k, (i, &b)| k | u64::from(b) << (8 * i));
        NameKey(k, s.len())
    }

    /// Whether `name`, whose key is `self`, is `other` (with key `key`).
    #[inline]
    fn names(self, name: &str, key: NameKey, other: &str) -> bool {
        self == key && (name.len() <= 8 || name == other)
    }
}

/// A batch being rated (see [`RatingEngine::start_batch`]): the allowances and tiers used so far,
/// the running totals and the per-event charges. `Batch::default()` is an empty batch with the
/// default options.
#[derive(Default)]
pub struct Batch {
    counters: Counters,
    lines: Vec<Line>,
    acc: Acc,
    full: Vec<Charge>,
    totals: Vec<Dec>,
    opts: BatchOptions,
    /// The index of the next event.
    next: usize,
}

impl Batch {
    /// Events rated so far.
    pub fn len(&self) -> usize {
        self.next
    }

    pub fn is_empty(&self) -> bool {
        self.next == 0
    }

    /// The batch's result, as [`RatingEngine::rate_batch`] gives it.
    pub fn finish(self) -> Result<BatchResult, Error> {
        let charges = match self.opts.charges {
            ChargeDetail::Full => Some(Charges::Full(self.full)),
            ChargeDetail::Totals => Some(Charges::Totals(self.totals)),
            ChargeDetail::None => None,
        };
        self.acc.finish(charges)
    }
}

/// The callback [`RatingEngine::rate_each`] hands its event source: rate event `i`.
pub type EventSink<'s> = &'s mut dyn FnMut(usize, &UsageEvent<'_>) -> Result<(), Error>;

/// Billable minutes are exact to 12 decimal places (61 s = 1.016666666667 min, half to even):
/// 60/60, 6/6 or 30/6 billing is exact anyway; per-second billing is off by < 1e-12 minute.
pub const MINUTE_SCALE: u32 = 12;

/// Most billable seconds one voice event may total (its count times each call's), 10^15 (31.7
/// million years): up to here `minutes` is exact in integers.
const MAX_TOTAL_SECONDS: u128 = 1_000_000_000_000_000;

/// Whole billable seconds as minutes, rounded half to even at [`MINUTE_SCALE`] places: what
/// `Decimal`'s division by 60 and rounding give, scale included (a test checks it), in
/// integers. `None` for a fraction, a negative or more than [`MAX_TOTAL_SECONDS`].
pub fn minutes(seconds: Decimal) -> Option<Decimal> {
    if seconds.scale() != 0 {
        return None;
    }
    let s = u128::try_from(seconds.mantissa()).ok()?;
    if s > MAX_TOTAL_SECONDS {
        return None;
    }
    // Whole minutes at scale 0; other exact quotients (s a multiple of 3: twentieths of a
    // minute) at scale 2, as `Decimal`'s division writes them (0.50, 2.10); the rest rounded at
    // 12 places. s * 10^12 <= 10^27: no overflow.
    let (q, scale) = if s % 60 == 0 {
        (s / 60, 0)
    } else if s % 3 == 0 {
        (s * 5 / 3, 2)
    } else {
        let scaled = s * 10u128.pow(MINUTE_SCALE);
        let (q, r) = (scaled / 60, scaled % 60);
        (
            q + u128::from(r > 30 || (r == 30 && q % 2 == 1)),
            MINUTE_SCALE,
        )
    };
    Decimal::try_from_i128_with_scale(i128::try_from(q).ok()?, scale).ok()
}

impl RatingEngine {
    /// Validate and compile a card; every problem is reported.
    pub fn new(card: RateCard) -> Result<RatingEngine, Errors> {
        validate(&card)?;
        let mut services = Vec::new();
        let mut service_index = HashMap::new();
        for (id, s) in &card.services {
            service_index.insert(id.clone(), services.len() as u32);
            services.push(compile(id, s));
        }
        let carriers: Vec<Arc<str>> = card
            .carriers
            .iter()
            .map(|c| Arc::from(c.id.as_str()))
            .collect();
        let carrier_index: HashMap<String, u16> = card
            .carriers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i as u16))
            .collect();
        let fees = FeeIndex::build(&card, &carrier_index);
        let fees_deferred = card.carrier_fees.timing == FeeTiming::Deferred;
        let service_keys = services.iter().map(|s| NameKey::of(&s.id)).collect();
        let carrier_keys = carriers.iter().map(|c| NameKey::of(c)).collect();
        Ok(RatingEngine {
            card,
            services,
            service_keys,
            service_index,
            carriers,
            carrier_keys,
            carrier_index,
            fees,
            fees_deferred,
        })
    }

    /// Parse, validate and compile a card from JSON.
    pub fn from_json(text: &str) -> Result<RatingEngine, Errors> {
        let card = RateCard::from_json(text).map_err(|e| Errors(vec![e]))?;
        RatingEngine::new(card)
    }

    pub fn card(&self) -> &RateCard {
        &self.card
    }

    /// Hours after which deferred carrier fees are charged, when the card defers them.
    pub fn fee_deferral_hours(&self) -> Option<u32> {
        self.fees_deferred
            .then(|| self.card.carrier_fees.defer_hours.unwrap_or(24))
    }

    /// Quote one event (stateless): tiers and allowances start from `ctx.used`.
    pub fn rate(&self, ev: &UsageEvent<'_>, ctx: &RateContext) -> Result<Charge, Error> {
        let at = parse_at(ev)?;
        let mut counters = Counters::new();
        let (svc, slot) = self.slot(ev)?;
        for (id, used) in &ctx.used {
            let Some(i) = self.find_service(id) else {
                return Err(Error::new(
                    C::UnknownService,
                    format!("used.{id}"),
                    format!("no service {} in the rate card", Quoted(id)),
                ));
            };
            if i == svc {
                counters.used.insert((slot, 0), used.0);
            }
        }
        let mut lines = Vec::new();
        self.rate_into(ev, at, &mut counters, 0, &mut lines)
            .map(|core| core.into_charge(lines))
    }

    /// Rate one event against running counters (the balance engine's entry point). `period`
    /// identifies the billing period whose allowances and tiers apply.
    pub fn rate_with(
        &self,
        ev: &UsageEvent<'_>,
        at: Option<Instant>,
        counters: &mut Counters,
        period: i64,
    ) -> Result<Charge, Error> {
        let mut lines = Vec::new();
        self.rate_into(ev, at, counters, period, &mut lines)
            .map(|core| core.into_charge(lines))
    }

    /// [`rate_with`](Self::rate_with) without the line items: what a balance engine needs per
    /// event, with no allocation (the lines are built in a reused scratch buffer).
    pub fn rate_totals(
        &self,
        ev: &UsageEvent<'_>,
        at: Option<Instant>,
        counters: &mut Counters,
        period: i64,
    ) -> Result<Rated, Error> {
        SCRATCH.with(|cell| {
            let mut lines = cell.take();
            lines.clear();
            let r = self.rate_into(ev, at, counters, period, &mut lines);
            cell.set(lines);
            r.map(|core| Rated {
                service: core.service,
                usage: Dec(core.usage),
                carrier_fees: Dec(core.fees),
                total: Dec(core.total),
            })
        })
    }

    /// Rate many events in order, consuming allowances and tiers per calendar month (UTC) of each
    /// event's `at` (events without `at` share one period). Errors name the event: `[i].field`.
    pub fn rate_batch(
        &self,
        events: &[UsageEvent<'_>],
        opts: BatchOptions,
    ) -> Result<BatchResult, Error> {
        self.rate_each(
            events.len(),
            &mut |rate| {
                events
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, ev)| rate(i, ev))
            },
            opts,
        )
    }

    /// [`rate_batch`](Self::rate_batch) on `len` events that `each` reads one at a time and
    /// hands to the rating callback with their index, so that a batch is never held whole.
    /// `each` returns the callback's first error, or its own if reading an event fails.
    pub fn rate_each(
        &self,
        len: usize,
        each: &mut dyn FnMut(EventSink<'_>) -> Result<(), Error>,
        opts: BatchOptions,
    ) -> Result<BatchResult, Error> {
        let mut batch = self.start_batch(len, opts)?;
        each(&mut |_, ev| self.rate_next(&mut batch, ev))?;
        batch.finish()
    }

    /// A batch of `len` events to rate in order with [`rate_next`](Self::rate_next), in as many
    /// pieces as suit the caller (the column path from JS rates a few thousand events at a
    /// time, while their text is still in the cache), then [`Batch::finish`]. The same as
    /// [`rate_batch`](Self::rate_batch) on all of them; `len` only reserves room and is checked
    /// against the limit per batch.
    pub fn start_batch(&self, len: usize, opts: BatchOptions) -> Result<Batch, Error> {
        if len > MAX_BATCH_EVENTS {
            return Err(Error::new(
                C::LimitExceeded,
                "",
                format!("{len} events; the limit per batch is {MAX_BATCH_EVENTS}"),
            ));
        }
        let mut b = Batch {
            counters: Counters::new(),
            lines: Vec::with_capacity(8),
            acc: Acc::default(),
            full: Vec::new(),
            totals: Vec::new(),
            opts,
            next: 0,
        };
        match opts.charges {
            ChargeDetail::Full => b.full.reserve(len),
            ChargeDetail::Totals => b.totals.reserve(len),
            ChargeDetail::None => {}
        }
        Ok(b)
    }

    /// Rate the batch's next event (errors name it: `[i].field`, `i` counted from the batch's
    /// first event). After an error the batch no longer adds up: drop it.
    pub fn rate_next(&self, b: &mut Batch, ev: &UsageEvent<'_>) -> Result<(), Error> {
        let i = b.next;
        let at_path = || format!("[{i}]");
        let at = parse_at(ev).map_err(|e| e.at(&at_path()))?;
        let period = at.map(|t| month_index(t, 0)).unwrap_or(i64::MIN);
        b.lines.clear();
        let core = self
            .rate_into(ev, at, &mut b.counters, period, &mut b.lines)
            .map_err(|e| e.at(&at_path()))?;
        b.acc
            .add(&core, &self.carriers)
            .map_err(|e| e.at(&at_path()))?;
        match b.opts.charges {
            ChargeDetail::Full => b.full.push(core.into_charge(b.lines.clone())),
            ChargeDetail::Totals => b.totals.push(Dec(core.total)),
            ChargeDetail::None => {}
        }
        b.next = i.saturating_add(1);
        Ok(())
    }

    /// Services and carriers are few: a scan of their keys beats hashing the name for every
    /// event.
    fn find_service(&self, name: &str) -> Option<u32> {
        if self.services.len() <= 16 {
            let key = NameKey::of(name);
            self.service_keys
                .iter()
                .zip(&self.services)
                .position(|(&k, s)| key.names(name, k, &s.id))
                .map(|i| i as u32)
        } else {
            self.service_index.get(name).copied()
        }
    }

    fn find_carrier(&self, name: &str) -> Option<u16> {
        if self.carriers.len() <= 16 {
            let key = NameKey::of(name);
            self.carrier_keys
                .iter()
                .zip(&self.carriers)
                .position(|(&k, c)| key.names(name, k, c))
                .map(|i| i as u16)
        } else {
            self.carrier_index.get(name).copied()
        }
    }

    fn slot(&self, ev: &UsageEvent<'_>) -> Result<(u32, u32), Error> {
        let Some(i) = self.find_service(&ev.service) else {
            let known: Vec<&str> = self.card.services.keys().map(|s| s.as_str()).collect();
            return Err(Error::new(
                C::UnknownService,
                "service",
                format!(
                    "no service {} in the rate card (it has: {})",
                    Quoted(&ev.service),
                    known.join(", ")
                ),
            ));
        };
        let inbound_slot = ev.direction == Direction::Inbound
            && self
                .services
                .get(i as usize)
                .is_some_and(|s| s.inbound.is_some());
        Ok((i, i * 2 + inbound_slot as u32))
    }

    fn rate_into(
        &self,
        ev: &UsageEvent<'_>,
        at: Option<Instant>,
        counters: &mut Counters,
        period: i64,
        lines: &mut Vec<Line>,
    ) -> Result<Core, Error> {
        let (i, slot) = self.slot(ev)?;
        let Some(s) = self.services.get(i as usize) else {
            return Err(Error::new(
                C::UnknownService,
                "service",
                "service index out of range",
            ));
        };
        let count = ev.count.unwrap_or(1);
        if count > MAX_COUNT {
            return Err(Error::new(
                C::OutOfRange,
                "count",
                format!("count {count} is above the limit of {MAX_COUNT}"),
            ));
        }
        let count_d = Decimal::from(count);
        let kind = s.kind;
        na(ev.text.is_some() && kind != ServiceKind::Sms, "text", kind)?;
        na(
            ev.segments.is_some() && kind != ServiceKind::Sms,
            "segments",
            kind,
        )?;
        na(
            ev.duration_seconds.is_some() && kind != ServiceKind::Voice,
            "durationSeconds",
            kind,
        )?;
        na(
            ev.quantity.is_some() && kind != ServiceKind::Metered,
            "quantity",
            kind,
        )?;
        let fee_channel = match kind {
            ServiceKind::Sms => Some(FeeChannel::Sms),
            ServiceKind::Mms => Some(FeeChannel::Mms),
            _ => None,
        };
        na(
            ev.carrier.is_some() && fee_channel.is_none(),
            "carrier",
            kind,
        )?;
        na(
            ev.number_type.is_some() && fee_channel.is_none(),
            "numberType",
            kind,
        )?;

        let mut units = Units {
            quantity: Dec::ZERO,
            unit: s.unit.clone(),
            count,
            encoding: None,
            segments_per_message: None,
            billable_seconds: None,
        };
        let mut connect = Decimal::ZERO;
        let quantity = match kind {
            ServiceKind::Sms => {
                let per_message = match (&ev.text, ev.segments) {
                    (Some(_), Some(_)) => {
                        return Err(Error::new(
                            C::InvalidInput,
                            "segments",
                            "give `text` or `segments`, not both",
                        ))
                    }
                    (Some(t), None) => {
                        let c = count_segments(t, &s.seg)?;
                        units.encoding = Some(c.encoding);
                        c.segments
                    }
                    (None, Some(n)) => n,
                    (None, None) => {
                        return Err(Error::new(
                            C::MissingField,
                            "text",
                            "an SMS event needs `text` or `segments`",
                        ))
                    }
                };
                units.segments_per_message = Some(per_message);
                mul(Decimal::from(per_message), count_d, "count")?
            }
            ServiceKind::Mms => count_d,
            ServiceKind::Voice => {
                let Some(d) = ev.duration_seconds else {
                    return Err(Error::new(
                        C::MissingField,
                        "durationSeconds",
                        "a voice event needs `durationSeconds`",
                    ));
                };
                if d.0.is_sign_negative() && !d.0.is_zero() {
                    return Err(Error::new(
                        C::NegativeValue,
                        "durationSeconds",
                        format!("durationSeconds must not be negative (got {d})"),
                    ));
                }
                let billing = s.billing.unwrap_or(VoiceBilling {
                    first_increment: 60,
                    next_increment: 60,
                });
                let secs = billable_seconds(d.0, billing)?;
                if !secs.is_zero() {
                    if let Some(f) = s.connect_fee {
                        connect = mul(f, count_d, "count")?;
                    }
                }
                let total_secs = mul(secs, count_d, "count")?;
                units.billable_seconds = Some(Dec(total_secs));
                // Seconds that are not a multiple of 3 make a non-terminating number of minutes:
                // round it here, once, so every amount and sum after it is exact.
                minutes(total_secs).ok_or_else(|| Error::overflow("durationSeconds"))?
            }
            ServiceKind::Metered => {
                let q = ev.quantity.map(|d| d.0).unwrap_or(Decimal::ONE);
                if q.is_sign_negative() && !q.is_zero() {
                    return Err(Error::new(
                        C::NegativeValue,
                        "quantity",
                        format!("quantity must not be negative (got {})", q.normalize()),
                    ));
                }
                mul(q, count_d, "count")?
            }
        };
        units.quantity = Dec(quantity);

        let pricing = match (ev.direction, &s.inbound) {
            (Direction::Inbound, Some(p)) => p,
            _ => &s.outbound,
        };
        let mut usage = if pricing.model == PricingModel::Flat && pricing.included.is_none() {
            // Nothing depends on the units used before: no counter to keep.
            counters.last = None;
            pricing::price_units(pricing, Decimal::ZERO, quantity, lines, "quantity")?
        } else {
            let used_entry = counters.used.entry((slot, period)).or_insert(Decimal::ZERO);
            let used = *used_entry;
            counters.last = Some(((slot, period), used));
            let usage = pricing::price_units(pricing, used, quantity, lines, "quantity")?;
            *used_entry = add(used, quantity, "quantity")?;
            usage
        };
        if !connect.is_zero() {
            lines.push(Line {
                kind: LineKind::ConnectFee,
                quantity: Some(count_d.into()),
                unit_price: s.connect_fee.map(Dec),
                amount: connect.into(),
                tier: None,
                carrier: None,
                number_type: None,
                deferred: false,
            });
            usage = add(usage, connect, "connectFee")?;
        }
        if let Some(r) = self.card.rounding.event {
            usage = Decimal::ZERO;
            for l in lines.iter_mut() {
                l.amount = Dec(r.apply(l.amount.0));
                usage = add(usage, l.amount.0, "")?;
            }
        }

        let mut fees = Decimal::ZERO;
        let mut fee_carrier = None;
        if let (Some(channel), Some(carrier)) = (fee_channel, &ev.carrier) {
            let Some(ci) = self.find_carrier(carrier) else {
                let known: Vec<&str> = self.carriers.iter().map(|c| c.as_ref()).collect();
                return Err(Error::new(
                    C::UnknownCarrier,
                    "carrier",
                    format!(
                        "no carrier {} in the rate card (it has: {})",
                        Quoted(carrier),
                        known.join(", ")
                    ),
                ));
            };
            let nt = ev.number_type.unwrap_or(self.card.default_number_type);
            if let Some(per_unit) = self.fees.lookup(ci, channel, ev.direction, nt, at) {
                fees = mul(per_unit, quantity, "carrier")?;
                fee_carrier = Some(ci);
                lines.push(Line {
                    kind: LineKind::CarrierFee,
                    quantity: Some(quantity.into()),
                    unit_price: Some(per_unit.into()),
                    amount: fees.into(),
                    tier: None,
                    carrier: self.carriers.get(ci as usize).cloned(),
                    number_type: Some(nt),
                    deferred: self.fees_deferred,
                });
            }
        }
        let total = add(usage, fees, "")?;
        Ok(Core {
            service: s.id.clone(),
            service_index: i,
            fee_carrier,
            kind,
            direction: ev.direction,
            units,
            usage,
            fees,
            total,
        })
    }
}

fn compile(id: &str, s: &Service) -> Compiled {
    let seg = s
        .segmentation
        .map(|g| SegmentOptions {
            smart_encoding: g.smart_encoding,
            trim_trailing_line_breaks: g.trim_trailing_line_breaks,
            ..SegmentOptions::default()
        })
        .unwrap_or_default();
    Compiled {
        id: Arc::from(id),
        unit: Arc::from(s.unit_name()),
        kind: s.kind,
        outbound: s.pricing.clone(),
        inbound: s.inbound_pricing.clone(),
        billing: s.billing,
        connect_fee: s.connect_fee.map(|d| d.0),
        seg,
    }
}

#[inline]
fn na(present: bool, field: &str, kind: ServiceKind) -> Result<(), Error> {
    if present {
        let name = match kind {
            ServiceKind::Sms => "an SMS",
            ServiceKind::Mms => "an MMS",
            ServiceKind::Voice => "a voice",
            ServiceKind::Metered => "a metered",
        };
        Err(Error::new(
            C::NotApplicable,
            field,
            format!("`{field}` does not apply to {name} service"),
        ))
    } else {
        Ok(())
    }
}

fn parse_at(ev: &UsageEvent<'_>) -> Result<Option<Instant>, Error> {
    match &ev.at {
        None => Ok(None),
        Some(s) => parse_instant(s)
            .map(Some)
            .map_err(|m| Error::new(C::InvalidDate, "at", m)),
    }
}

/// Billable seconds of one call: nothing if not connected, else the first increment whole and
/// every started next increment.
pub fn billable_seconds(duration: Decimal, b: VoiceBilling) -> Result<Decimal, Error> {
    let d = crate::money::ceil_int(duration);
    if d <= Decimal::ZERO {
        return Ok(Decimal::ZERO);
    }
    let first = Decimal::from(b.first_increment);
    if d <= first {
        return Ok(first);
    }
    let next = Decimal::from(b.next_increment.max(1));
    let rest = crate::money::ceil_div(crate::money::sub(d, first, "durationSeconds")?, next)
        .ok_or_else(|| Error::overflow("durationSeconds"))?;
    add(
        first,
        mul(rest, next, "durationSeconds")?,
        "durationSeconds",
    )
}

struct Core {
    service: Arc<str>,
    service_index: u32,
    /// The carrier whose pass-through fee the charge includes.
    fee_carrier: Option<u16>,
    kind: ServiceKind,
    direction: Direction,
    units: Units,
    usage: Decimal,
    fees: Decimal,
    total: Decimal,
}

impl Core {
    fn into_charge(self, lines: Vec<Line>) -> Charge {
        Charge {
            service: self.service,
            kind: self.kind,
            direction: self.direction,
            units: self.units,
            lines,
            usage: Dec(self.usage),
            carrier_fees: Dec(self.fees),
            total: Dec(self.total),
        }
    }
}

/// Running batch totals, indexed by service and carrier number (no hashing per event). Only the
/// per-service sums are kept per event; every other total is derived from them once, in `finish`
/// (exact, since decimal addition is exact within range). The sums are [`Sum`]s: the same
/// values, scales and errors as adding `Decimal`s, as integer additions.
#[derive(Default)]
struct Acc {
    count: u64,
    by_service: Vec<Option<(Arc<str>, ServiceSums)>>,
    by_carrier: Vec<Option<(Arc<str>, CarrierSums)>>,
}

#[derive(Default)]
struct ServiceSums {
    events: u64,
    unit: String,
    quantity: Sum,
    usage: Sum,
    carrier_fees: Sum,
}

#[derive(Default)]
struct CarrierSums {
    units: Sum,
    amount: Sum,
}

fn slot_of<'a, T: Default>(
    v: &'a mut Vec<Option<(Arc<str>, T)>>,
    i: usize,
    name: &Arc<str>,
) -> Option<&'a mut T> {
    if v.len() <= i {
        v.resize_with(i + 1, || None);
    }
    let cell = v.get_mut(i)?;
    Some(&mut cell.get_or_insert_with(|| (name.clone(), T::default())).1)
}

impl Acc {
    fn add(&mut self, c: &Core, carriers: &[Arc<str>]) -> Result<(), Error> {
        self.count += 1;
        if let Some(st) = slot_of(&mut self.by_service, c.service_index as usize, &c.service) {
            if st.events == 0 {
                st.unit = c.units.unit.to_string();
            }
            st.events += 1;
            st.quantity.add(c.units.quantity.0, "")?;
            st.usage.add(c.usage, "")?;
            st.carrier_fees.add(c.fees, "")?;
        }
        if let Some(ci) = c.fee_carrier {
            if let Some(name) = carriers.get(ci as usize) {
                if let Some(ct) = slot_of(&mut self.by_carrier, ci as usize, name) {
                    ct.units.add(c.units.quantity.0, "")?;
                    ct.amount.add(c.fees, "")?;
                }
            }
        }
        Ok(())
    }

    fn finish(self, charges: Option<Charges>) -> Result<BatchResult, Error> {
        let (mut usage, mut fees) = (Decimal::ZERO, Decimal::ZERO);
        let mut by_service = BTreeMap::new();
        for (k, v) in self.by_service.into_iter().flatten() {
            let (u, f) = (v.usage.value()?, v.carrier_fees.value()?);
            // The service's total first, then the batch's sums (the order errors are found in).
            let total = ServiceTotal {
                events: v.events,
                quantity: Dec(v.quantity.value()?),
                unit: v.unit,
                usage: Dec(u),
                carrier_fees: Dec(f),
                total: Dec(add(u, f, "")?),
            };
            usage = add(usage, u, "")?;
            fees = add(fees, f, "")?;
            by_service.insert(k.to_string(), total);
        }
        let mut by_carrier = BTreeMap::new();
        for (k, v) in self.by_carrier.into_iter().flatten() {
            let total = CarrierTotal {
                units: Dec(v.units.value()?),
                amount: Dec(v.amount.value()?),
            };
            by_carrier.insert(k.to_string(), total);
        }
        Ok(BatchResult {
            count: self.count,
            usage: Dec(usage),
            carrier_fees: Dec(fees),
            total: Dec(add(usage, fees, "")?),
            by_service,
            by_carrier,
            charges,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{minutes, MAX_TOTAL_SECONDS, MINUTE_SCALE};
    use proptest::prelude::*;
    use rust_decimal::{Decimal, RoundingStrategy};

    fn show(d: Option<Decimal>) -> Option<(String, u32)> {
        d.map(|d| (d.to_string(), d.scale()))
    }

    /// What the engine computed before: `Decimal`'s division by 60, rounded half to even.
    fn by_division(s: u64) -> Option<Decimal> {
        Decimal::from(s)
            .checked_div(Decimal::from(60))
            .map(|m| m.round_dp_with_strategy(MINUTE_SCALE, RoundingStrategy::MidpointNearestEven))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20000))]

        #[test]
        fn minutes_are_decimal_division_rounded(s in prop_oneof![0u64..100_000, 0u64..=1_000_000_000_000_000]) {
            prop_assert_eq!(show(minutes(Decimal::from(s))), show(by_division(s)), "{} s", s);
        }
    }

    #[test]
    fn minutes_at_the_edges() {
        for s in [
            0u64,
            1,
            29,
            30,
            31,
            59,
            60,
            61,
            90,
            119,
            120,
            3599,
            3600,
            1_000_000_000_000_000,
        ] {
            assert_eq!(
                show(minutes(Decimal::from(s))),
                show(by_division(s)),
                "{s} s"
            );
        }
        assert_eq!(
            minutes(Decimal::from(61)).unwrap().to_string(),
            "1.016666666667"
        );
        assert_eq!(minutes(Decimal::from(90)).unwrap().to_string(), "1.50");
        let over = u64::try_from(MAX_TOTAL_SECONDS).unwrap() + 1;
        assert_eq!(minutes(Decimal::from(over)), None);
        assert_eq!(minutes(Decimal::new(15, 1)), None, "a fraction of a second");
        assert_eq!(minutes(Decimal::from(-60)), None);
    }
}
