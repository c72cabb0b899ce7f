//! One random path: traffic drawn step by step from the profile, turned into aggregated usage
//! events and run through the real [`Account`]. Everything shared by all paths (step times,
//! expected volumes) is computed once in [`Plan`]; per step nothing is allocated.

use std::borrow::Cow;

use rust_decimal::Decimal;

use std::sync::Arc;

use crate::account::{
    Account, AccountConfig, Attempt, EntryKind, EventType, LedgerMode, Outcome, ScenarioEvent,
    SimulationOptions, UsageLimits, MAX_AMOUNT,
};
use crate::error::{Error, ErrorCode as C};
use crate::money::{sub, Dec};
use crate::ratecard::{Direction, ServiceKind};
use crate::rating::{Rated, RatingEngine, UsagePart, MAX_COUNT};
use crate::time::{civil_from_days, format_month, month_index, push_instant, Instant, DAY};

use super::profile::{BusyPlan, ServicePlan, DAYS_PER_MONTH};
use super::rng::{Purpose, Stream};

/// Largest expected volume of one service on one day, once weekday shape, growth and busy
/// periods apply.
pub const MAX_DAILY_VOLUME: f64 = 1e10;

/// Length of an RFC 3339 UTC time, `2025-01-31T12:00:00Z`.
const ISO_LEN: usize = 20;

/// What every path of one projection shares.
pub(crate) struct Plan<'e> {
    pub engine: &'e RatingEngine,
    pub services: Vec<ServicePlan>,
    pub seed: u64,
    pub p_fail: f64,
    pub start: Instant,
    pub end: Instant,
    pub offset: i32,
    pub days: usize,
    /// Steps per day: 1 or 24.
    pub per_day: usize,
    /// Expected volume per (day, service) before daily noise: `day * services + service`.
    base: Vec<f64>,
    /// Calendar months the projection overlaps (account time zone), `"2025-01"`.
    pub months: Vec<String>,
    pub first_month: i64,
    /// How many of path 0's refusals its account lists (the rest it counts); other paths list
    /// none.
    pub listed_refusals: usize,
}

impl<'e> Plan<'e> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        engine: &'e RatingEngine,
        services: Vec<ServicePlan>,
        busy: &[BusyPlan],
        seed: u64,
        p_fail: f64,
        start: Instant,
        offset: i32,
        days: usize,
        hourly: bool,
    ) -> Result<Plan<'e>, Error> {
        let per_day = if hourly { 24 } else { 1 };
        let end = start + days as i64 * DAY;
        let first_day = (start + i64::from(offset)).div_euclid(DAY);
        let n = services.len();
        let mut base = vec![0.0; days * n];
        for d in 0..days {
            let local = first_day + d as i64;
            let wd = (local + 3).rem_euclid(7) as usize;
            for (s, sp) in services.iter().enumerate() {
                let mut v = sp.per_day * sp.weekday.get(wd).copied().unwrap_or(1.0);
                if sp.growth != 0.0 {
                    v *= libm::pow(1.0 + sp.growth, d as f64 / DAYS_PER_MONTH);
                }
                for b in busy {
                    let applies = b.services.as_ref().is_none_or(|l| l.contains(&s));
                    if applies && local >= b.from_day && local < b.to_day {
                        v *= b.multiplier;
                    }
                }
                if v.is_nan() || v > MAX_DAILY_VOLUME {
                    let (y, m, dd) = civil_from_days(local);
                    return Err(Error::new(
                        C::OutOfRange,
                        format!("profile.services.{}", sp.id),
                        format!(
                            "the expected volume reaches {v:.0} a day on {y:04}-{m:02}-{dd:02} (growth and busy periods included); the limit is {MAX_DAILY_VOLUME}"
                        ),
                    ));
                }
                if let Some(x) = base.get_mut(d * n + s) {
                    *x = v;
                }
            }
        }
        let first_month = month_index(start, offset);
        let last_month = month_index(end - 1, offset);
        let months = (first_month..=last_month).map(format_month).collect();
        Ok(Plan {
            engine,
            services,
            seed,
            p_fail,
            start,
            end,
            offset,
            days,
            per_day,
            base,
            months,
            first_month,
            listed_refusals: super::MAX_LISTED_REFUSALS,
        })
    }

    /// The same plan with no random variation (expected volumes only) and no payment failures.
    pub fn deterministic(&self) -> Plan<'e> {
        Plan {
            engine: self.engine,
            services: self
                .services
                .iter()
                .map(|s| ServicePlan {
                    noise: None,
                    ..s.clone()
                })
                .collect(),
            seed: self.seed,
            p_fail: 0.0,
            start: self.start,
            end: self.end,
            offset: self.offset,
            days: self.days,
            per_day: self.per_day,
            base: self.base.clone(),
            months: self.months.clone(),
            first_month: self.first_month,
            listed_refusals: self.listed_refusals,
        }
    }

    pub fn steps(&self) -> usize {
        self.days * self.per_day
    }

    pub fn step_seconds(&self) -> i64 {
        DAY / self.per_day as i64
    }

    /// The time of step `k` as RFC 3339 UTC (the `at` of the events the engine rates).
    fn at(&self, k: usize) -> String {
        let mut s = String::with_capacity(ISO_LEN);
        push_instant(&mut s, self.start + k as i64 * self.step_seconds());
        s
    }

    /// Index into `months` of an instant, if the projection overlaps its month.
    fn month_of(&self, t: Instant) -> Option<usize> {
        let m = month_index(t, self.offset) - self.first_month;
        usize::try_from(m).ok().filter(|m| *m < self.months.len())
    }
}

/// Exact decimal to an `f64` using only IEEE basic operations (the same bits on every target),
/// so charts match natively and in WASM: the nearest `f64` when the mantissa is below 2^53 and
/// the scale at most 22 (one correctly rounded division), else within a few units in the last
/// place. Equal values give equal floats whatever their scale (trailing zeros are dropped first
/// where they could matter), so a balance reads the same on every path. This is the one place
/// an amount becomes a float: a display copy of the exact balance for the chart arrays
/// (`Series`, `Bands`), which nothing reads back into money. Every amount the projection
/// reports is a `Decimal`.
pub(crate) fn to_f64(d: Decimal) -> f64 {
    const P: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let d = if d.scale() > 22 || d.mantissa().unsigned_abs() >= 1 << 53 {
        d.normalize()
    } else {
        d
    };
    let mut v = d.mantissa() as f64;
    let mut s = d.scale() as usize;
    while s > 22 {
        v /= 1e22;
        s -= 22;
    }
    v / P.get(s).copied().unwrap_or(1.0)
}

/// One aggregated usage event before it becomes a [`ScenarioEvent`].
#[derive(Debug, Clone, Copy, Default)]
struct Ev {
    /// Index of the (direction, bucket) pair for messaging and metered parts; `NO_SLOT` for voice.
    slot: u32,
    inbound: bool,
    carrier: u16,
    /// SMS: segments per message.
    segments: u32,
    count: u32,
    /// Voice: seconds per call.
    duration: u64,
}

/// Rounding carried between steps, per service, so that integer volumes and splits follow the
/// profile's means and shares over time (and exactly so without variation).
struct Carry {
    volume: f64,
    direction: [f64; 2],
    /// Where [`split`] gives the next part short: the direction split, then per direction.
    turn: [usize; 3],
    /// Per direction, carrier and segments class.
    bucket: Vec<f64>,
    /// Voice: billing increments, per direction.
    increments: [f64; 2],
}

/// An exact amount as a 64-bit mantissa and a scale (`m × 10^-scale`), normalised.
type Fixed = (i64, u32);

/// Powers of ten that fit an `i64`.
const POW10: [i64; 19] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
];

/// A part's charges per unit of `count` (usage, carrier fee) as mantissas at the tariff's scale;
/// `None` if not linear.
type Per = Option<(i64, i64)>;

#[derive(Clone, Copy)]
struct Unit {
    key: (bool, u16, u32, u64),
    per: Per,
}

fn fixed(d: Decimal) -> Option<Fixed> {
    let d = d.normalize();
    Some((i64::try_from(d.mantissa()).ok()?, d.scale()))
}

/// `m × 10^-s` as the decimal without trailing zeros (what `Decimal::normalize` gives).
fn normalized(mut m: i64, mut s: u32) -> Option<Decimal> {
    if m == 0 {
        return Some(Decimal::ZERO);
    }
    // Four zeros at a time first: the tariff's scale is often far finer than a charge needs.
    while s >= 4 && m % 10_000 == 0 {
        m /= 10_000;
        s -= 4;
    }
    while s > 0 && m % 10 == 0 {
        m /= 10;
        s -= 1;
    }
    Decimal::try_new(m, s).ok()
}

/// `a × b`, `None` on overflow. `i64::checked_mul` costs a 128-bit multiplication in WASM (a
/// library call), so factors within ±2^31, whose product cannot overflow, multiply directly.
#[inline]
fn mul(a: i64, b: i64) -> Option<i64> {
    if i64::from(a as i32) == a && i64::from(b as i32) == b {
        Some(a * b)
    } else {
        a.checked_mul(b)
    }
}

/// `Ev::slot` of voice parts (their key includes the call length).
const NO_SLOT: u32 = u32::MAX;

/// Per service: unit charges of the parts seen, valid until the next carrier-fee change. Parts
/// of a (direction, bucket) slot are looked up by index; voice parts by key. Every charge is kept
/// at one scale, so that a step's sum is a plain integer sum.
struct Tariff {
    /// The scale of the stored charges: the finest among them.
    scale: u32,
    units: Vec<Unit>,
    /// Per slot: not computed yet, or the unit charge (`None` if not linear).
    slots: Vec<Option<Per>>,
    /// `slots` flattened for [`bucket_sums`]: per slot the unit charge, `(0, 0)` where none is
    /// known and linear, and whether one is.
    flat: Vec<((i64, i64), bool)>,
    /// Every known unit charge is below 2^31 in size: then a sum of fewer than 2^31 units at
    /// them cannot leave `i64`.
    small: bool,
    /// Voice: the last unit charges found, by [`call_key`] (`0` for none), taken in turn.
    calls: [(u64, (i64, i64)); 4],
    next_call: usize,
}

/// A voice part's key in [`Tariff::calls`] (never 0), by direction and duration: `None` for
/// a part with a carrier or segments (a projection's calls have neither), which is not
/// remembered.
fn call_key(e: &Ev) -> Option<u64> {
    (e.carrier == 0 && e.segments == 0 && e.duration < 1 << 62)
        .then(|| (e.duration << 1 | u64::from(e.inbound)) + 1)
}

impl Tariff {
    fn new(s: &ServicePlan) -> Tariff {
        let n = 2 * s.bucket_shares.len();
        Tariff {
            scale: 0,
            units: Vec::new(),
            slots: vec![None; n],
            flat: vec![((0, 0), false); n],
            small: true,
            calls: [(0, (0, 0)); 4],
            next_call: 0,
        }
    }

    fn clear(&mut self) {
        self.scale = 0;
        self.units.clear();
        self.slots.fill(None);
        self.sync();
    }

    /// Remember a voice part's unit charge (at the tariff's scale) for [`price_voice`], in
    /// place of the one remembered longest, unless it is remembered already.
    fn remember_call(&mut self, key: u64, per: (i64, i64)) {
        if self.calls.iter().any(|(k, _)| *k == key) {
            return;
        }
        let i = self.next_call % self.calls.len();
        if let Some(c) = self.calls.get_mut(i) {
            *c = (key, per);
        }
        self.next_call = i + 1;
    }

    /// Rebuild `flat` and `small` from `slots` (after any of them changed), and forget the
    /// voice charges looked up (their scale may have changed).
    fn sync(&mut self) {
        const SMALL: u64 = 1 << 31;
        self.calls = [(0, (0, 0)); 4];
        self.small = true;
        for (x, slot) in self.flat.iter_mut().zip(&self.slots) {
            *x = match slot {
                Some(Some((u, f))) => {
                    self.small &= u.unsigned_abs() < SMALL && f.unsigned_abs() < SMALL;
                    ((*u, *f), true)
                }
                _ => ((0, 0), false),
            };
        }
    }

    /// A newly computed unit charge at the tariff's scale, raising the scale first if the charge
    /// is finer (a stored charge that then leaves `i64` becomes not linear, and its parts go to
    /// the engine).
    fn admit(&mut self, per: Option<(Fixed, Fixed)>) -> Per {
        let ((um, us), (fm, fs)) = per?;
        let finest = us.max(fs);
        if finest > self.scale {
            let k = *POW10.get((finest - self.scale) as usize)?;
            let up = |p: &mut Per| *p = p.and_then(|(u, f)| Some((mul(u, k)?, mul(f, k)?)));
            self.slots.iter_mut().flatten().for_each(up);
            self.units.iter_mut().for_each(|x| up(&mut x.per));
            self.scale = finest;
            self.sync();
        }
        let at_scale = |m: i64, s: u32| mul(m, *POW10.get((self.scale - s) as usize)?);
        Some((at_scale(um, us)?, at_scale(fm, fs)?))
    }
}

/// Split `n` into parts by `shares`, carrying each part's rounding into the next call. Each
/// part is its share of `n` plus its carry, rounded down (0 below 0); the parts still short of
/// `n` go one each to parts with a positive remainder, taken in turn from `*turn` (which moves
/// on past them), and a part too many (when parts below 0 were counted as 0) comes back from
/// the smallest remainder. So every carry stays in [-1, 2): over any sequence of calls, each
/// part's total is less than two from its share of the calls' total, and a part with no share
/// gets nothing. The parts add up to `n` exactly.
fn split(n: u64, shares: &[f64], carry: &mut [f64], out: &mut [u64], turn: &mut usize) {
    let len = out.len();
    if len <= 1 {
        if let Some(o) = out.first_mut() {
            *o = n;
        }
        return;
    }
    let nf = n as f64;
    let mut total = 0u64;
    for ((s, c), o) in shares.iter().zip(carry.iter_mut()).zip(out.iter_mut()) {
        let x = nf * s + *c;
        // `as` truncates and saturates: the floor for x ≥ 0, and 0 below (the carry keeps x).
        *o = x as u64;
        *c = x - *o as f64;
        total += *o;
    }
    if total < n {
        let mut i = if *turn < len { *turn } else { 0 };
        // One round at most: the remainders add up to the parts short (but for rounding
        // drift), and each is below one.
        for _ in 0..len {
            if let (Some(o), Some(c)) = (out.get_mut(i), carry.get_mut(i)) {
                if *c > 0.0 {
                    *o += 1;
                    *c -= 1.0;
                    total += 1;
                }
            }
            i += 1;
            if i == len {
                i = 0;
            }
            if total == n {
                break;
            }
        }
        *turn = i;
        // Rounding drift left a part short with no positive remainder: the largest.
        while total < n {
            let mut best = 0;
            let mut hi = f64::NEG_INFINITY;
            for (i, c) in carry.iter().enumerate() {
                if *c > hi {
                    hi = *c;
                    best = i;
                }
            }
            match (out.get_mut(best), carry.get_mut(best)) {
                (Some(o), Some(c)) => {
                    *o += 1;
                    *c -= 1.0;
                }
                _ => break,
            }
            total += 1;
        }
    }
    // Rounding drift can leave one part too many: take it from the smallest remainder.
    while total > n {
        let mut best = usize::MAX;
        let mut lo = f64::INFINITY;
        for (i, (c, o)) in carry.iter().zip(out.iter()).enumerate() {
            if *o > 0 && *c < lo {
                lo = *c;
                best = i;
            }
        }
        match (out.get_mut(best), carry.get_mut(best)) {
            (Some(o), Some(c)) => {
                *o -= 1;
                *c += 1.0;
            }
            _ => break,
        }
        total -= 1;
    }
}

/// The account settings a path runs with, and what to keep of it.
pub(crate) struct PathSpec<'a> {
    pub config: &'a AccountConfig,
    pub ledger: LedgerMode,
    /// Keep the balance series, every payment attempt, the lowest balance and the account.
    pub detail: bool,
    /// The balance at or below which "below threshold" is reported.
    pub threshold: Decimal,
}

/// Path 0's details.
pub(crate) struct Detail {
    pub t: Vec<f64>,
    pub balance: Vec<f64>,
    pub attempts: Vec<Attempt>,
    pub lowest: Decimal,
    pub lowest_at: Instant,
    pub first_below: Option<Instant>,
    pub account: Account,
}

pub(crate) struct PathOut {
    /// Balance at the end of each day (after the day's last step).
    pub daily: Vec<f64>,
    /// Spend (usage + carrier fees) per month of `Plan::months`.
    pub month_spend: Vec<Decimal>,
    /// Successful auto-recharges per month of `Plan::months`.
    pub month_recharges: Vec<u32>,
    pub recharges: u32,
    pub recharge_failed: bool,
    pub refused: bool,
    pub detail: Option<Detail>,
}

/// Watches the account for auto-recharge attempts and queues payment failures: each attempt
/// fails with probability `p_fail`, drawn when the previous attempt has been seen.
struct Payments {
    /// Auto-recharge is on and no payment has failed yet.
    on: bool,
    /// Recharge attempts of the account already counted.
    seen: u64,
    /// A `paymentWillFail` is queued for the next attempt.
    armed: bool,
    rng: Stream,
    p_fail: f64,
}

struct Runner<'p, 'e, 'r> {
    plan: &'p Plan<'e>,
    account: Account,
    pay: Payments,
    out: PathOut,
    detail: Option<Tracker>,
    record: Option<&'r mut Vec<ScenarioEvent<'static>>>,
    threshold: Decimal,
    /// Look for recharge attempts after every event (needed to draw a payment failure before
    /// each attempt, and to list attempts); otherwise once per step, which counts them exactly.
    per_event: bool,
    /// [`Account::usage_limits`] as of (events applied, clock): they change only when the
    /// account does.
    limits: Option<((u64, Instant, u32), Option<IntLimits>)>,
    /// Charges taken but not applied yet (`None` on path 0, when recording, and with deferred
    /// fees: then every charge is applied as it comes).
    held: Option<Held>,
    /// The engine's service ids, per service of the plan.
    ids: Vec<Arc<str>>,
    /// [`Runner::release`]'s buffers: the charges it applies, and the service of each.
    release_buf: (Vec<Rated>, Vec<usize>),
}

/// On a path that reports only aggregates, the fast lane's charges that are taken with nothing
/// else happening (within the floor room and above the recharge threshold; see
/// [`Runner::triage`]) are held here and applied to the account later, as
/// one charge per service, before anything else reaches it: a clock move with something due,
/// another event, a charge that is not quiet, the end. The account then has the same balance
/// and monthly statements (all held charges fall in the month they are applied in); only its
/// event count differs, which such a path does not report.
struct Held {
    /// Per service: usage and fees as mantissas at a scale, if any charge is held.
    sums: Vec<Option<Sums>>,
    /// The sum of the held totals, as a mantissa at `scale`.
    total: i64,
    /// The finest tariff scale seen: totals and limits are compared at it.
    scale: u32,
    /// The time of the last held charge.
    at: Instant,
}

/// [`UsageLimits`] as mantissas at a scale: a total `t` (at that scale) is taken if
/// `t <= floor`, and tries no payment if `t < threshold`; one above `max` (the per-event limit,
/// `None` when it leaves `i64` and so is above every total) is an error.
#[derive(Clone, Copy)]
struct IntLimits {
    pays: bool,
    floor: Option<i64>,
    threshold: Option<i64>,
    max: Option<i64>,
}

impl IntLimits {
    /// `limits` at `scale`: the floor room rounded down, the threshold room rounded up (exact
    /// for the integer totals compared with them); `None` if one does not fit `i64`.
    fn at(limits: UsageLimits, scale: u32) -> Option<IntLimits> {
        let factor = Decimal::from(*POW10.get(scale as usize)?);
        let fixed = |d: Decimal, up: bool| -> Option<i64> {
            let x = d.checked_mul(factor)?;
            let x = if up { x.ceil() } else { x.floor() };
            i64::try_from(x.normalize().mantissa()).ok()
        };
        Some(IntLimits {
            pays: limits.pays,
            floor: match limits.floor_room {
                Some(r) => Some(fixed(r, false)?),
                None => None,
            },
            threshold: match limits.threshold_room {
                Some(r) => Some(fixed(r, true)?),
                None => None,
            },
            max: fixed(MAX_AMOUNT, false),
        })
    }

    /// The account refuses a charge of `total` (at these limits' scale, not zero) for sure:
    /// nothing can pay first, and it is above the floor room.
    fn refuses(&self, total: i64) -> bool {
        total != 0 && !self.pays && self.floor.is_some_and(|f| total > f)
    }
}

impl Held {
    /// Add a charge to service `si`'s sums (at the finer of the two scales); false if that
    /// leaves `i64`, and nothing changes.
    fn hold(&mut self, si: usize, (u, f, s): Sums) -> bool {
        let Some(slot) = self.sums.get_mut(si) else {
            return false;
        };
        let merged = match *slot {
            None => Some((u, f, s)),
            Some((hu, hf, hs)) => {
                let scale = hs.max(s);
                let up = |m: i64, from: u32| mul(m, *POW10.get((scale - from) as usize)?);
                (|| {
                    let u = up(hu, hs)?.checked_add(up(u, s)?)?;
                    let f = up(hf, hs)?.checked_add(up(f, s)?)?;
                    Some((u, f, scale))
                })()
            }
        };
        match merged.filter(|(u, f, _)| u.checked_add(*f).is_some()) {
            Some(m) => {
                *slot = Some(m);
                true
            }
            None => false,
        }
    }
}

/// What [`Runner::triage`] decided for a fast-lane charge.
enum Triage {
    Refused,
    /// Path 0: the account refuses it for sure, and records it (this total, at this scale)
    /// without working it out.
    Refuse((i64, u32)),
    Held,
    Apply,
}

struct Tracker {
    t: Vec<f64>,
    balance: Vec<f64>,
    attempts: Vec<Attempt>,
    lowest: Decimal,
    lowest_at: Instant,
    first_below: Option<Instant>,
}

impl Runner<'_, '_, '_> {
    fn emit(&mut self, ev: &ScenarioEvent<'_>) -> Result<(), Error> {
        self.release()?;
        if let Some(r) = self.record.as_deref_mut() {
            r.push(ev.clone().into_owned());
        }
        self.account
            .step(self.plan.engine, ev)
            .map_err(|e| match &ev.service {
                Some(s) => e.at(&format!("profile.services.{s}")),
                None => e,
            })
    }

    /// The account's [`UsageLimits`] now at `scale` (cached until the account changes).
    #[inline(always)]
    fn limits(&mut self, scale: u32) -> Option<IntLimits> {
        let key = (self.account.events_applied(), self.account.now(), scale);
        match self.limits {
            Some((k, limits)) if k == key => limits,
            _ => {
                let limits = self
                    .account
                    .usage_limits()
                    .and_then(|l| IntLimits::at(l, scale));
                self.limits = Some((key, limits));
                limits
            }
        }
    }

    /// On a path that reports only aggregates (not path 0, nothing recorded), a fast-lane
    /// charge of service `si` at `t` that need not reach the account now. `Refused`: the
    /// account would refuse it for sure (no payment can come first, and it is above the floor
    /// room; a refusal changes nothing else such a path reports, and no payment can follow
    /// later either, as a projection never fixes a payment method or turns auto-recharge on).
    /// `Held`: it is taken with nothing else happening, and is held (see [`Held`]). Otherwise
    /// `Apply`, with whatever was held applied first, so that the charge can follow it.
    fn triage(&mut self, si: usize, sums: Sums, t: Instant) -> Result<Triage, Error> {
        if self.record.is_some() {
            return Ok(Triage::Apply);
        }
        if self.detail.is_some() {
            // Path 0 holds nothing: every charge reaches the account, a sure refusal by the
            // short way.
            return Ok(match self.sure_refusal(si, sums) {
                Some(total) => Triage::Refuse(total),
                None => Triage::Apply,
            });
        }
        let (usage, fees, scale) = sums;
        let Some(total) = usage.checked_add(fees).filter(|t| *t >= 0) else {
            self.release()?;
            return Ok(Triage::Apply);
        };
        // Compare at the held charges' scale, made finer first if this charge needs it.
        let at = match &mut self.held {
            Some(h) if scale > h.scale => {
                self.release()?;
                if let Some(h) = &mut self.held {
                    h.scale = scale;
                }
                scale
            }
            Some(h) => h.scale,
            None => scale,
        };
        let total = POW10
            .get((at - scale) as usize)
            .and_then(|k| mul(total, *k));
        let limits = self.limits(at);
        let (Some(total), Some(limits)) = (total, limits) else {
            self.release()?;
            return Ok(Triage::Apply);
        };
        if limits.max.is_some_and(|max| total > max) {
            // The account reports the error.
            self.release()?;
            return Ok(Triage::Apply);
        }
        let held = self.held.as_ref().map_or(0, |h| h.total);
        let Some(sum) = held.checked_add(total) else {
            self.release()?;
            return Ok(Triage::Apply);
        };
        if total != 0 && limits.refuses(sum) {
            return Ok(Triage::Refused);
        }
        let quiet =
            limits.floor.is_none_or(|f| sum <= f) && limits.threshold.is_none_or(|th| sum < th);
        if let Some(h) = &mut self.held {
            if quiet && h.hold(si, sums) {
                h.total = sum;
                h.at = t;
                return Ok(Triage::Held);
            }
        }
        self.release()?;
        Ok(Triage::Apply)
    }

    /// A charge of service `si` (nothing held) that the account would refuse for sure: above
    /// the floor room, with nothing that can pay first (see [`Runner::triage`]). Its total and
    /// scale, which [`normalized`] takes.
    fn sure_refusal(&mut self, si: usize, (usage, fees, scale): Sums) -> Option<(i64, u32)> {
        // The limits are worked out again after every charge the account takes: only when a
        // refusal can be sure.
        if !self.account.refuses_unpaid() {
            return None;
        }
        let total = usage.checked_add(fees).filter(|t| *t > 0)?;
        let limits = self.limits(scale)?;
        let sure = limits.max.is_none_or(|max| total <= max)
            && limits.refuses(total)
            && self.ids.get(si).is_some();
        // `normalized` fails only for a scale it cannot bring to 28 or below.
        let decimal = sure && (scale <= 28 || normalized(total, scale).is_some());
        decimal.then_some((total, scale))
    }

    /// Record a sure refusal of service `si`'s charge of `total` (at `scale`) at `t` (see
    /// [`Runner::sure_refusal`]); its amount is worked out only if the account lists it.
    fn refuse(&mut self, si: usize, (total, scale): (i64, u32), t: Instant) -> Result<(), Error> {
        let Some(id) = self.ids.get(si) else {
            return Ok(());
        };
        let before = (self.account.events_applied(), self.account.now());
        let amount = || normalized(total, scale).ok_or_else(|| Error::overflow(""));
        self.account.refuse_rated(t, id, amount)?;
        // Nothing the limits depend on changed (balance, pending fees, payment), and nothing
        // fell due before `t` (the step moved the clock past anything due): they stay valid.
        if let Some(((n, now, s), l)) = self.limits {
            if (n, now) == before {
                self.limits = Some(((self.account.events_applied(), self.account.now(), s), l));
            }
        }
        Ok(())
    }

    /// Apply the held charges, one per service, at the time of the last of them (together,
    /// as [`Account::apply_quiet`] does, or else one by one).
    fn release(&mut self) -> Result<(), Error> {
        let Some(h) = &mut self.held else {
            return Ok(());
        };
        if h.sums.iter().all(Option::is_none) {
            return Ok(());
        }
        let at = h.at;
        let plan = self.plan;
        let path = |si: usize| match plan.services.get(si) {
            Some(s) => format!("profile.services.{}", s.id),
            None => String::new(),
        };
        // Reused buffers: the charges, and the service of each.
        let (mut charges, mut of) = std::mem::take(&mut self.release_buf);
        charges.clear();
        of.clear();
        for (si, sums) in h.sums.iter_mut().enumerate() {
            let Some(sums) = sums.take() else { continue };
            let (Some((u, f, total)), Some(id)) = (rated(sums), self.ids.get(si)) else {
                return Err(Error::overflow(path(si)));
            };
            charges.push(Rated {
                service: id.clone(),
                usage: Dec(u),
                carrier_fees: Dec(f),
                total: Dec(total),
            });
            of.push(si);
        }
        h.total = 0;
        if !self.account.apply_quiet(plan.engine, at, &charges)? {
            for (charge, si) in charges.iter().zip(&of) {
                self.account
                    .apply_rated(plan.engine, at, charge)
                    .map_err(|e| e.at(&path(*si)))?;
            }
        }
        self.release_buf = (charges, of);
        Ok(())
    }

    /// The balance with the held charges taken.
    fn balance(&self) -> Result<Decimal, Error> {
        let b = self.account.balance();
        match &self.held {
            Some(h) if h.total != 0 => {
                let held = Decimal::try_new(h.total, h.scale).map_err(|_| Error::overflow(""))?;
                sub(b, held, "")
            }
            _ => Ok(b),
        }
    }

    /// Queue a failure for the next attempt with probability `p_fail` (at step `k`; none after
    /// the last step, when no attempt can follow).
    fn draw_payment(&mut self, k: usize) -> Result<(), Error> {
        if !self.pay.on || self.pay.armed || self.pay.p_fail <= 0.0 || k >= self.plan.steps() {
            return Ok(());
        }
        if self.pay.rng.chance(self.pay.p_fail) {
            self.pay.armed = true;
            let ev = ScenarioEvent::new(Cow::Owned(self.plan.at(k)), EventType::PaymentWillFail);
            self.emit(&ev)?;
        }
        Ok(())
    }

    fn attempt_seen(&mut self, a: Attempt) {
        if let Some(d) = &mut self.detail {
            d.attempts.push(a);
            if d.first_below.is_none() {
                d.first_below = Some(a.at);
            }
        }
        match a.outcome {
            Outcome::Succeeded => {
                self.out.recharges += 1;
                if let Some(m) = self.plan.month_of(a.at) {
                    if let Some(c) = self.out.month_recharges.get_mut(m) {
                        *c += 1;
                    }
                }
            }
            Outcome::Failed => {
                self.pay.on = false;
                self.pay.armed = false;
                self.out.recharge_failed = true;
            }
        }
    }

    /// After the events at step `k` (or each of them): count the recharge attempts they made.
    /// Observed after each event, there is at most one, the account's last; observed once per
    /// step there are no payment failures (`per_event` is on whenever they can happen), so every
    /// attempt succeeded, at `at`.
    fn observe_event(&mut self, k: usize, at: Instant) -> Result<(), Error> {
        let n = self.account.recharge_attempts();
        if n > self.pay.seen {
            let last = self.account.last_attempt().unwrap_or(Attempt {
                at,
                amount: Dec::ZERO,
                outcome: Outcome::Succeeded,
            });
            for _ in self.pay.seen..n {
                self.attempt_seen(last);
            }
            self.pay.seen = n;
            if last.outcome == Outcome::Succeeded {
                self.draw_payment(k)?;
            }
        }
        self.track(at);
        Ok(())
    }

    /// Run the clock to `t` (month ends, deferred fees and the recharges they trigger).
    fn advance(&mut self, k: usize, t: Instant) -> Result<(), Error> {
        if k < self.plan.steps() && t < self.account.next_due() {
            // Nothing falls due: the step's first event moves the clock (the balance is as
            // tracked). The end of the projection always moves it.
            return Ok(());
        }
        self.release()?;
        let applied = self.account.advance_to_instant(t)?;
        let mut succeeded = false;
        for e in &applied.entries {
            match e.kind {
                EntryKind::Recharge => {
                    succeeded = true;
                    self.attempt_seen(Attempt {
                        at: e.at,
                        amount: e.amount,
                        outcome: Outcome::Succeeded,
                    });
                }
                EntryKind::RechargeFailed => self.attempt_seen(Attempt {
                    at: e.at,
                    amount: e.attempted.unwrap_or(Dec::ZERO),
                    outcome: Outcome::Failed,
                }),
                _ => {}
            }
        }
        self.pay.seen = self.account.recharge_attempts();
        if succeeded {
            self.draw_payment(k)?;
        }
        self.track(t);
        Ok(())
    }

    fn track(&mut self, at: Instant) {
        if let Some(d) = &mut self.detail {
            let b = self.account.balance();
            if b < d.lowest {
                d.lowest = b;
                d.lowest_at = at;
            }
            if d.first_below.is_none() && b <= self.threshold {
                d.first_below = Some(at);
            }
        }
    }
}

/// Run path `index`. With `record`, every event applied is also pushed there (for
/// [`path_events`](super::path_events)).
pub(crate) fn run_path(
    plan: &Plan<'_>,
    spec: &PathSpec<'_>,
    index: u32,
    record: Option<&mut Vec<ScenarioEvent<'static>>>,
) -> Result<PathOut, Error> {
    let options = SimulationOptions {
        ledger: spec.ledger,
    };
    let mut account = Account::with_options(spec.config.clone(), options, plan.engine)
        .map_err(|e| e.at("account"))?;
    // Path 0 lists its first refusals; every path counts the rest (and their days).
    account.limit_refusal_list(
        if spec.detail { plan.listed_refusals } else { 0 },
        plan.offset,
    );
    let on = account.auto_recharge_status().enabled;
    let months = plan.months.len();
    let steps = plan.steps();
    let detail = spec.detail.then(|| Tracker {
        t: Vec::with_capacity(steps),
        balance: Vec::with_capacity(steps),
        attempts: Vec::new(),
        lowest: account.balance(),
        lowest_at: plan.start,
        first_below: None,
    });
    // The engine's own service ids: the same `Arc` as in the charges it rates.
    let ids: Vec<Arc<str>> = plan
        .services
        .iter()
        .map(|s| {
            plan.engine
                .service_index(&s.id)
                .map(|i| plan.engine.service_id(i))
        })
        .collect::<Result<_, _>>()?;
    let held = (!spec.detail && record.is_none() && plan.engine.fee_deferral_hours().is_none())
        .then(|| Held {
            sums: vec![None; plan.services.len()],
            total: 0,
            scale: 0,
            at: plan.start,
        });
    let mut r = Runner {
        plan,
        account,
        pay: Payments {
            on,
            seen: 0,
            armed: false,
            rng: Stream::new(plan.seed, index, Purpose::Payments),
            p_fail: plan.p_fail,
        },
        out: PathOut {
            daily: Vec::with_capacity(plan.days),
            month_spend: vec![Decimal::ZERO; months],
            month_recharges: vec![0; months],
            recharges: 0,
            recharge_failed: false,
            refused: false,
            detail: None,
        },
        detail,
        record,
        threshold: spec.threshold,
        per_event: spec.detail || plan.p_fail > 0.0,
        limits: None,
        held,
        ids,
        release_buf: (Vec::new(), Vec::new()),
    };
    let mut usage = Stream::new(plan.seed, index, Purpose::Usage);
    let n = plan.services.len();
    let mut carries: Vec<Carry> = plan
        .services
        .iter()
        .map(|s| Carry {
            volume: 0.0,
            direction: [0.0; 2],
            turn: [0; 3],
            bucket: vec![0.0; 2 * s.bucket_shares.len()],
            increments: [0.0; 2],
        })
        .collect();
    let max_parts = plan
        .services
        .iter()
        .map(|s| s.bucket_shares.len())
        .max()
        .unwrap_or(1);
    // Per direction, the split of the step's volume over (carrier, segments class) buckets.
    let mut parts = vec![0u64; 2 * max_parts];
    let mut noise = vec![1.0; n];
    let mut evs: Vec<Ev> = Vec::new();
    // One event reused for every engine-rated usage event: its strings are borrowed from the plan.
    let mut ev = ScenarioEvent::new(Cow::Borrowed(""), EventType::Usage);
    let mut ev_parts: Vec<UsagePart<'_>> = Vec::new();
    let mut ev_step = None;
    let step = plan.step_seconds();
    let mut tariffs: Vec<Tariff> = plan.services.iter().map(Tariff::new).collect();
    let fee_changes = plan.engine.fee_changes(plan.start - 1, plan.end);
    let mut next_change = 0usize;

    for k in 0..steps {
        let d = k / plan.per_day;
        let h = k % plan.per_day;
        let t = plan.start + k as i64 * step;
        if h == 0 {
            for (x, s) in noise.iter_mut().zip(&plan.services) {
                *x = s.noise.map_or(1.0, |z| z.draw(&mut usage));
            }
        }
        if fee_changes.get(next_change).is_some_and(|c| *c <= t) {
            while fee_changes.get(next_change).is_some_and(|c| *c <= t) {
                next_change += 1;
            }
            for tf in &mut tariffs {
                tf.clear();
            }
        }
        r.advance(k, t)?;
        if k == 0 {
            r.draw_payment(k)?;
        }

        for (si, s) in plan.services.iter().enumerate() {
            let (Some(c), Some(base), Some(z)) = (
                carries.get_mut(si),
                plan.base.get(d * n + si),
                noise.get(si),
            ) else {
                continue;
            };
            let mut x = base * z;
            if plan.per_day > 1 {
                x *= s.hour.get(h).copied().unwrap_or(0.0);
            }
            let x = x + c.volume;
            let count = x as u64;
            c.volume = x - count as f64;
            if count == 0 {
                continue;
            }
            evs.clear();
            let (n_in, n_out) = if s.inbound > 0.0 {
                let mut io = [0u64; 2];
                split(
                    count,
                    &[1.0 - s.inbound, s.inbound],
                    &mut c.direction,
                    &mut io,
                    &mut c.turn[0],
                );
                (io[1], io[0])
            } else {
                (0, count)
            };
            let nb = s.bucket_shares.len();
            // Directions whose buckets were split this step.
            let mut split_dirs = [false; 2];
            // The step's usage and fees from the tariff's unit charges, summed as the buckets
            // are split, while every bucket's charge is known and linear (then no parts are
            // built); `None` once one is not.
            let tariff = tariffs
                .get(si)
                .filter(|_| r.record.is_none() && s.voice.is_none());
            let mut direct = tariff.map(|tf| (0i64, 0i64, tf.scale));
            for (dir, total) in [(0usize, n_out), (1, n_in)] {
                if total == 0 {
                    continue;
                }
                let inbound = dir == 1;
                if let Some(v) = s.voice {
                    // Voice: the call count and the billing increments they add up to, as at most
                    // two parts of whole-increment durations.
                    let Some(ic) = c.increments.get_mut(dir) else {
                        continue;
                    };
                    let kx = total as f64 * v.mean_increments + *ic;
                    let kk = kx as u64;
                    *ic = kx - kk as f64;
                    let (q, rem) = (kk / total, kk % total);
                    let secs = |q: u64| u64::from(v.first) + q * u64::from(v.next);
                    push_events(&mut evs, NO_SLOT, inbound, 0, 0, total - rem, secs(q));
                    push_events(&mut evs, NO_SLOT, inbound, 0, 0, rem, secs(q + 1));
                    continue;
                }
                let (Some(bc), Some(out), Some(turn)) = (
                    c.bucket.get_mut(dir * nb..(dir + 1) * nb),
                    parts.get_mut(dir * nb..(dir + 1) * nb),
                    c.turn.get_mut(1 + dir),
                ) else {
                    continue;
                };
                split(total, &s.bucket_shares, bc, out, turn);
                if let Some(split_dir) = split_dirs.get_mut(dir) {
                    *split_dir = true;
                }
                if let (Some((u, f, scale)), Some(tf)) = (direct, tariff) {
                    direct = bucket_sums(tf, dir * nb, out, total)
                        .and_then(|(du, df)| Some((u.checked_add(du)?, f.checked_add(df)?, scale)));
                }
            }
            if direct.is_none() && s.voice.is_none() {
                bucket_events(&mut evs, s, &parts, split_dirs);
            }
            if evs.is_empty() && direct.is_none() {
                continue;
            }

            // The step's usage of the service: one event, priced here when every part is linear
            // (the same sums the engine makes, in integers), else rated by the engine.
            let sums = match (direct, tariffs.get_mut(si)) {
                (Some(sums), _) => Some(sums),
                (None, Some(tf)) if r.record.is_none() => price_fast(plan, s, tf, &evs, t),
                _ => None,
            };
            if let Some(sums) = sums {
                match r.triage(si, sums, t)? {
                    Triage::Refused => {
                        r.out.refused = true;
                        #[cfg(test)]
                        tests::SKIPPED.with(|n| n.set(n.get() + 1));
                        continue;
                    }
                    Triage::Refuse(total) => {
                        r.refuse(si, total, t)
                            .map_err(|e| e.at(&format!("profile.services.{}", s.id)))?;
                        #[cfg(test)]
                        tests::REFUSED_SHORT.with(|n| n.set(n.get() + 1));
                        // A refusal makes no payment attempt and leaves the balance as it was
                        // when last tracked (the lowest is at most it): only a first time below
                        // the threshold can still be new.
                        let seen = r.detail.as_ref().is_some_and(|d| d.first_below.is_some());
                        if r.per_event && !seen {
                            r.observe_event(k, t)?;
                        }
                        continue;
                    }
                    Triage::Held => {
                        #[cfg(test)]
                        tests::HELD.with(|n| n.set(n.get() + 1));
                        continue;
                    }
                    Triage::Apply => {}
                }
            }
            let fast = match (sums, r.ids.get(si)) {
                (Some(sums), Some(id)) => rated(sums).map(|(u, f, total)| Rated {
                    service: id.clone(),
                    usage: Dec(u),
                    carrier_fees: Dec(f),
                    total: Dec(total),
                }),
                _ => None,
            };
            match fast {
                Some(rated) => r
                    .account
                    .apply_rated(plan.engine, t, &rated)
                    .map_err(|e| e.at(&format!("profile.services.{}", s.id)))?,
                None => {
                    if direct.is_some() {
                        bucket_events(&mut evs, s, &parts, split_dirs);
                    }
                    ev_parts.clear();
                    ev_parts.extend(evs.iter().map(|e| part_of(s, e)));
                    if ev_step != Some(k) {
                        ev.at = Cow::Owned(plan.at(k));
                        ev_step = Some(k);
                    }
                    ev.service = Some(Cow::Borrowed(s.id.as_str()));
                    ev.parts = Some(std::mem::take(&mut ev_parts));
                    let res = r.emit(&ev);
                    ev_parts = ev.parts.take().unwrap_or_default();
                    res?;
                }
            }
            if r.per_event {
                r.observe_event(k, t)?;
            }
        }
        if !r.per_event {
            r.observe_event(k, t)?;
        }

        if let Some(d) = &mut r.detail {
            d.t.push(t as f64);
            d.balance.push(to_f64(r.account.balance()));
        }
        if h + 1 == plan.per_day {
            let b = r.balance()?;
            r.out.daily.push(to_f64(b));
        }
    }
    r.advance(steps, plan.end)?;

    let mut out = r.out;
    out.refused |= r.account.refusals() > 0;
    for st in r.account.statements()? {
        if let Some(i) = plan.months.iter().position(|m| *m == st.month) {
            if let Some(x) = out.month_spend.get_mut(i) {
                *x = st.spend.0;
            }
        }
    }
    if let Some(d) = r.detail {
        out.detail = Some(Detail {
            t: d.t,
            balance: d.balance,
            attempts: d.attempts,
            lowest: d.lowest,
            lowest_at: d.lowest_at,
            first_below: d.first_below,
            account: r.account,
        });
    }
    Ok(out)
}

/// Usage and fees of one direction's bucket counts (`out`, slots from `first`) from the unit
/// charges the tariff holds, at its scale; `None` if a bucket with a count has none yet, is not
/// linear, or a sum leaves `i64` (then the parts are built and priced one by one).
#[inline]
fn bucket_sums(tf: &Tariff, first: usize, out: &[u64], total: u64) -> Option<(i64, i64)> {
    let units = tf.flat.get(first..first + out.len())?;
    if !tf.small || total >= 1 << 31 {
        return bucket_sums_checked(tf, first, out);
    }
    // Fewer than 2^31 units at charges below 2^31: no product or sum leaves `i64`.
    let (mut usage, mut fees, mut missing) = (0i64, 0i64, false);
    for (cnt, ((u, f), known)) in out.iter().zip(units) {
        let n = *cnt as i64;
        usage = usage.wrapping_add(n.wrapping_mul(*u));
        fees = fees.wrapping_add(n.wrapping_mul(*f));
        missing |= n != 0 && !*known;
    }
    (!missing).then_some((usage, fees))
}

/// Usage and fees with `n` more units at `per` (usage, fee) each; `None` if that leaves `i64`.
#[inline]
fn accrue((usage, fees): (i64, i64), (u, f): (i64, i64), n: i64) -> Option<(i64, i64)> {
    Some((
        usage.checked_add(mul(u, n)?)?,
        fees.checked_add(mul(f, n)?)?,
    ))
}

/// [`bucket_sums`] with every product and sum checked.
fn bucket_sums_checked(tf: &Tariff, first: usize, out: &[u64]) -> Option<(i64, i64)> {
    let (mut usage, mut fees) = (0i64, 0i64);
    for (b, cnt) in out.iter().enumerate() {
        if *cnt == 0 {
            continue;
        }
        let (u, f) = tf.slots.get(first + b).copied().flatten()??;
        let n = i64::try_from(*cnt).ok()?;
        (usage, fees) = accrue((usage, fees), (u, f), n)?;
    }
    Some((usage, fees))
}

/// The parts of a messaging or metered service's step: one per (direction, carrier, segments
/// class) bucket with a count, from the directions split this step (`parts` holds each
/// direction's bucket counts).
fn bucket_events(evs: &mut Vec<Ev>, s: &ServicePlan, parts: &[u64], split_dirs: [bool; 2]) {
    evs.clear();
    let (nb, nk) = (s.bucket_shares.len(), s.classes.len().max(1));
    for (dir, split) in split_dirs.into_iter().enumerate() {
        let Some(out) = parts.get(dir * nb..(dir + 1) * nb).filter(|_| split) else {
            continue;
        };
        for (b, cnt) in out.iter().enumerate() {
            if *cnt == 0 {
                continue;
            }
            let (ci, ki) = (b / nk, b % nk);
            let seg = s.classes.get(ki).copied().unwrap_or(1);
            let slot = (dir * nb + b) as u32;
            push_events(evs, slot, dir == 1, ci as u16, seg, *cnt, 0);
        }
    }
}

/// Push `count` events (several when it exceeds the per-event limit).
#[inline]
fn push_events(
    evs: &mut Vec<Ev>,
    slot: u32,
    inbound: bool,
    carrier: u16,
    segments: u32,
    mut count: u64,
    duration: u64,
) {
    while count > 0 {
        let c = count.min(u64::from(MAX_COUNT));
        evs.push(Ev {
            slot,
            inbound,
            carrier,
            segments,
            count: c as u32,
            duration,
        });
        count -= c;
    }
}

/// A part of a step's usage event.
fn part_of<'p>(s: &'p ServicePlan, e: &Ev) -> UsagePart<'p> {
    let messaging = matches!(s.kind, ServiceKind::Sms | ServiceKind::Mms);
    UsagePart {
        direction: e.inbound.then_some(Direction::Inbound),
        count: Some(e.count),
        segments: (s.kind == ServiceKind::Sms).then_some(e.segments),
        duration_seconds: (s.kind == ServiceKind::Voice).then(|| Dec(Decimal::from(e.duration))),
        carrier: match s.carriers.get(e.carrier as usize) {
            Some(Some(c)) if messaging => Some(Cow::Borrowed(c.as_str())),
            _ => None,
        },
        number_type: s.number_type.filter(|_| messaging),
        ..UsagePart::default()
    }
}

/// A step's usage and carrier fees as mantissas at one scale, `(usage, fees, scale)`.
type Sums = (i64, i64, u32);

/// Usage, fees and total as the engine gives them (normalised), from [`price_fast`]'s sums;
/// `None` if the total leaves `i64`.
fn rated((usage, fees, scale): Sums) -> Option<(Decimal, Decimal, Decimal)> {
    Some((
        normalized(usage, scale)?,
        normalized(fees, scale)?,
        normalized(usage.checked_add(fees)?, scale)?,
    ))
}

/// Usage and fees of a step's parts from per-unit charges, exactly as
/// [`RatingEngine::rate_parts`] adds them up ([`rated`] gives the normalised amounts); `None`
/// when a part is not linear or a sum leaves the fast lane's range (the engine then rates the
/// event).
fn price_fast(
    plan: &Plan<'_>,
    s: &ServicePlan,
    tf: &mut Tariff,
    evs: &[Ev],
    t: Instant,
) -> Option<Sums> {
    if let Some(sums) = price_voice(tf, evs) {
        return Some(sums);
    }
    // Sums of mantissas at `scale`, the tariff's (which a newly computed charge may raise).
    let (mut usage, mut fees, mut scale) = (0i64, 0i64, tf.scale);
    for e in evs {
        let known = if e.slot == NO_SLOT {
            let key = (e.inbound, e.carrier, e.segments, e.duration);
            tf.units.iter().find(|u| u.key == key).map(|u| u.per)
        } else {
            tf.slots.get(e.slot as usize).copied().flatten()
        };
        let per = match known {
            Some(per) => per,
            None => {
                let part = UsagePart {
                    count: None,
                    ..part_of(s, e)
                };
                let per = tf.admit(
                    plan.engine
                        .linear_unit(&s.id, &part, Some(t))
                        .and_then(|(u, f)| Some((fixed(u)?, fixed(f)?))),
                );
                if tf.scale != scale {
                    let k = *POW10.get((tf.scale - scale) as usize)?;
                    (usage, fees, scale) = (mul(usage, k)?, mul(fees, k)?, tf.scale);
                }
                match tf.slots.get_mut(e.slot as usize) {
                    Some(x) => {
                        *x = Some(per);
                        tf.sync();
                    }
                    None => tf.units.push(Unit {
                        key: (e.inbound, e.carrier, e.segments, e.duration),
                        per,
                    }),
                }
                per
            }
        };
        let (u, f) = per?;
        if let Some(key) = call_key(e).filter(|_| e.slot == NO_SLOT) {
            tf.remember_call(key, (u, f));
        }
        let n = i64::from(e.count);
        (usage, fees) = accrue((usage, fees), (u, f), n)?;
    }
    Some((usage, fees, scale))
}

/// [`price_fast`]'s sums for voice parts whose unit charges are all in [`Tariff::calls`];
/// `None` otherwise (then they are looked up, or computed, one by one).
#[inline]
fn price_voice(tf: &Tariff, evs: &[Ev]) -> Option<Sums> {
    let (mut usage, mut fees) = (0i64, 0i64);
    for e in evs {
        if e.slot != NO_SLOT {
            return None;
        }
        let key = call_key(e)?;
        let (_, (u, f)) = tf.calls.iter().find(|(k, _)| *k == key)?;
        let n = i64::from(e.count);
        (usage, fees) = accrue((usage, fees), (*u, *f), n)?;
    }
    Some((usage, fees, tf.scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded xorshift64 stream of numbers below a bound (0 for a bound of 0).
    fn below(mut rng: u64) -> impl FnMut(u64) -> u64 {
        move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n.max(1)
        }
    }

    thread_local! {
        /// Charges skipped as sure refusals on this thread (`skipping_and_holding_…`).
        pub(super) static SKIPPED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
        /// Charges held on this thread.
        pub(super) static HELD: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
        /// Path 0's sure refusals recorded the short way on this thread.
        pub(super) static REFUSED_SHORT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    /// The fast lane gives exactly what the engine gives for the same parts (value and
    /// representation), or steps aside: random parts of every service of a plan, on the default
    /// card and on one billing voice per second (minutes that need rounding are not linear).
    #[test]
    fn fast_prices_are_the_engines_sums() {
        use crate::ratecard::RateCard;
        use crate::rating::Counters;
        let mut per_second = RateCard::default_card();
        for s in per_second.services.values_mut() {
            if let Some(b) = &mut s.billing {
                b.first_increment = 1;
                b.next_increment = 1;
            }
        }
        let req: super::super::ProjectionRequest = crate::input::from_json(
            &serde_json::json!({
                "account": { "openingBalance": "100", "plan": { "start": "2024-09-01" } },
                "profile": { "services": {
                    "sms": { "perDay": 100, "inboundShare": 0.2,
                             "carrierMix": { "tmobile": 0.5, "att": 0.3, "verizon": 0.2 },
                             "segmentsMix": [{ "segments": 1, "share": 0.6 },
                                             { "segments": 3, "share": 0.4, "encoding": "UCS-2" }] },
                    "mms": { "perDay": 10, "carrierMix": { "tmobile": 0.5, "uscellular": 0.5 } },
                    "voiceLocal": { "perDay": 10, "inboundShare": 0.4, "durationSeconds": { "mean": 100 } },
                    "automatedVoice": { "perDay": 10, "durationSeconds": { "mean": 40 } },
                    "lookup": { "perDay": 10 }
                } },
                "start": "2024-09-15", "days": 60, "resolution": "day", "paths": 1, "seed": 1
            })
            .to_string(),
        )
        .unwrap();
        let mut next = below(0x9e37_79b9_7f4a_7c15);
        let (mut fast_count, mut engine_count, mut voice_count) = (0, 0, 0);
        for card in [RateCard::default_card(), per_second] {
            let engine = RatingEngine::new(card).unwrap();
            let plan = super::super::prepare(&engine, &req).unwrap();
            for s in &plan.services {
                let mut tf = Tariff::new(s);
                let changes = engine.fee_changes(plan.start - 1, plan.end);
                let mut last_period = usize::MAX;
                for _ in 0..300 {
                    // Around the AT&T MMS fee change of 2024-10-01.
                    let t = plan.start + next(40) as i64 * DAY;
                    let nb = s.bucket_shares.len() as u64;
                    let evs: Vec<Ev> = (0..1 + next(6))
                        .map(|_| {
                            let inbound = s.inbound > 0.0 && next(2) == 1;
                            let b = next(nb);
                            let nk = s.classes.len() as u64;
                            Ev {
                                slot: if s.voice.is_some() {
                                    NO_SLOT
                                } else {
                                    (u64::from(inbound) * nb + b) as u32
                                },
                                inbound,
                                carrier: (b / nk) as u16,
                                segments: s.classes[(b % nk) as usize],
                                count: if next(10) == 0 {
                                    MAX_COUNT
                                } else {
                                    1 + next(5000) as u32
                                },
                                duration: s.voice.map_or(0, |v| {
                                    u64::from(v.first) + next(40) * u64::from(v.next)
                                }),
                            }
                        })
                        .collect();
                    let parts: Vec<UsagePart<'_>> = evs.iter().map(|e| part_of(s, e)).collect();
                    let mut counters = Counters::new();
                    let (want, _) = engine
                        .rate_parts(&s.id, &parts, Some(t), &mut counters, 0)
                        .unwrap();
                    // As in a projection, a fee change clears the tariff (here the time is
                    // random, so its fee period changes often); within one period the charges
                    // computed so far are kept, and finer ones raise the tariff's scale.
                    let period = changes.iter().filter(|c| **c <= t).count();
                    if period != last_period {
                        tf.clear();
                        last_period = period;
                    }
                    let sums = price_fast(&plan, s, &mut tf, &evs, t);
                    // Voice charges found are remembered: the same parts again are priced from
                    // them alone (when none was forgotten since), to the same sums.
                    if let Some(again) = price_voice(&tf, &evs) {
                        assert_eq!(Some(again), sums, "{} {evs:?}", s.id);
                        voice_count += 1;
                    }
                    match sums.and_then(rated) {
                        Some((u, f, total)) => {
                            fast_count += 1;
                            assert_eq!(
                                (u.to_string(), f.to_string(), total.to_string()),
                                (
                                    want.usage.to_string(),
                                    want.carrier_fees.to_string(),
                                    want.total.to_string()
                                ),
                                "{} {parts:?}",
                                s.id
                            );
                        }
                        None => engine_count += 1,
                    }
                }
            }
        }
        // Both lanes were exercised: lookups (an allowance) and per-second calls take the engine.
        assert!(
            fast_count > 1000 && engine_count > 300 && voice_count > 300,
            "{fast_count} {engine_count} {voice_count}"
        );
    }

    #[test]
    fn mul_is_checked_mul() {
        let edges = [
            0,
            1,
            -1,
            10,
            i64::from(i32::MAX),
            i64::from(i32::MIN),
            i64::from(i32::MAX) + 1,
            i64::from(i32::MIN) - 1,
            3_037_000_499,
            3_037_000_500,
            i64::MAX,
            i64::MIN,
            i64::MAX / 10,
        ];
        for a in edges {
            for b in edges {
                assert_eq!(mul(a, b), a.checked_mul(b), "{a} × {b}");
            }
        }
    }

    /// Paths that report only aggregates skip the charges the account would refuse for sure
    /// and hold the ones taken quietly (`Runner::triage`); path 0 applies every one as it
    /// comes. Run as either, every path reports the same: daily balances, monthly spend,
    /// recharges, a failed payment, whether usage was refused. Accounts that run dry after a
    /// failed payment, with and without a credit limit, with deferred carrier fees, with no
    /// auto-recharge, with top-ups to a target under caps and a local month end, with no floor,
    /// post-paid, and with a failed payment method.
    #[test]
    fn skipping_and_holding_charges_changes_nothing_a_path_reports() {
        let accounts = [
            serde_json::json!({ "openingBalance": "60", "plan": { "start": "2025-01-01" },
                "autoRecharge": { "enabled": true, "threshold": "20", "amount": "40" } }),
            serde_json::json!({ "openingBalance": "30", "plan": { "start": "2025-01-01" },
                "negativeBalance": { "allowed": true, "limit": "25" },
                "autoRecharge": { "enabled": true, "threshold": "0", "amount": "35" } }),
            serde_json::json!({ "openingBalance": "90", "plan": { "start": "2025-01-01" } }),
            // Month ends at local midnight; top-ups to a target, at most one a day, three a month.
            serde_json::json!({ "openingBalance": "45", "timeZone": "-05:00",
                "plan": { "start": "2025-01-01", "cycle": "quarterly" },
                "autoRecharge": { "enabled": true, "threshold": "15", "target": "70",
                                  "maxPerDay": 1, "maxPerMonth": 3 } }),
            // No floor: never refused, recharges still due at the threshold.
            serde_json::json!({ "openingBalance": "40", "plan": { "start": "2025-01-01" },
                "negativeBalance": { "allowed": true },
                "autoRecharge": { "enabled": true, "threshold": "-30", "amount": "50" } }),
            serde_json::json!({ "openingBalance": "0", "postpaid": true,
                "plan": { "start": "2025-01-01" } }),
            serde_json::json!({ "openingBalance": "80", "paymentMethod": "failed",
                "plan": { "start": "2025-01-01" },
                "autoRecharge": { "enabled": true, "threshold": "30", "amount": "40" } }),
        ];
        let (mut paths, mut refused, mut lanes, mut held) = (0, 0, 0, 0);
        let services = serde_json::json!({
            "sms": { "perDay": 900, "variation": 0.6,
                     "carrierMix": { "tmobile": 0.5, "att": 0.3, "verizon": 0.2 },
                     "segmentsMix": [{ "segments": 1, "share": 0.8 },
                                     { "segments": 2, "share": 0.2 }] },
            "mms": { "perDay": 20, "variation": 0.9 },
            "voiceLocal": { "perDay": 15, "variation": 0.9, "durationSeconds": { "mean": 90 } },
            "lookup": { "perDay": 40, "variation": 0.9 }
        });
        each_request(&accounts, services, 0.3, 12, 9, |engine, _, req| {
            let (r, l, h) = both_ways(engine, req);
            (refused, lanes, held) = (refused + r, lanes + l, held + h);
            paths += req.paths as usize;
        });
        // Most paths run dry, and on many of them refusals were skipped.
        assert_eq!(paths, 2 * accounts.len() * 2 * 12);
        assert!(refused > paths / 2, "{refused} of {paths}");
        assert!(lanes > paths / 3, "{lanes} of {paths}");
        assert!(held > 20_000, "{held} charges held");
    }

    /// Path 0 records the refusals it is sure of the short way: everything it reports (series,
    /// payment attempts, lowest balance, the account's ledger, refusals, invoices, statements,
    /// balance and event count) is what the account makes of the same charges worked out in
    /// full (a recording run takes no short way). Insufficient balance and a credit limit, with
    /// immediate and deferred fees, a local month end, and auto-recharge that fails, is off, or
    /// must pay for a charge above the balance first.
    #[test]
    fn path_0_records_sure_refusals_as_the_account_works_them_out() {
        let accounts = [
            serde_json::json!({ "openingBalance": "60", "plan": { "start": "2025-01-01" },
                "autoRecharge": { "enabled": true, "threshold": "20", "amount": "40" } }),
            serde_json::json!({ "openingBalance": "30", "timeZone": "-05:00",
                "plan": { "start": "2025-01-01" },
                "negativeBalance": { "allowed": true, "limit": "25" },
                "autoRecharge": { "enabled": true, "threshold": "0", "amount": "35" } }),
            serde_json::json!({ "openingBalance": "90", "plan": { "start": "2025-01-01" },
                "negativeBalance": { "allowed": true, "limit": "40" } }),
            // A day's charge above the balance while a recharge can still pay for it.
            serde_json::json!({ "openingBalance": "5", "plan": { "start": "2025-01-01" },
                "autoRecharge": { "enabled": true, "threshold": "1", "amount": "9" } }),
            // Below the threshold from the start, every charge refused.
            serde_json::json!({ "openingBalance": "0.5", "plan": { "start": "2025-01-01" } }),
        ];
        let (mut short, mut reasons) = (0, std::collections::BTreeSet::new());
        let services = serde_json::json!({
            "sms": { "perDay": 900, "variation": 0.6,
                     "carrierMix": { "tmobile": 0.5, "att": 0.3, "verizon": 0.2 } },
            "voiceLocal": { "perDay": 15, "variation": 0.9, "durationSeconds": { "mean": 90 } }
        });
        each_request(&accounts, services, 0.5, 3, 3, |engine, a, req| {
            let plan = super::super::prepare(engine, req).unwrap();
            for i in 0..req.paths {
                let spec = PathSpec {
                    config: &req.account,
                    ledger: LedgerMode::Day,
                    detail: true,
                    threshold: Decimal::ONE,
                };
                REFUSED_SHORT.with(|n| n.set(0));
                let mut events = Vec::new();
                let full = run_path(&plan, &spec, i, Some(&mut events)).unwrap();
                assert_eq!(
                    REFUSED_SHORT.with(|n| n.get()),
                    0,
                    "recording: no short way"
                );
                let quick = run_path(&plan, &spec, i, None).unwrap();
                short += REFUSED_SHORT.with(|n| n.get());
                let details = |o: &PathOut| {
                    let d = o.detail.as_ref().unwrap();
                    let a = &d.account;
                    (
                        (d.t.clone(), d.balance.clone(), d.attempts.clone()),
                        (d.lowest, d.lowest_at, d.first_below),
                        (a.ledger().unwrap().into_owned(), a.refused().to_vec()),
                        (a.invoices().to_vec(), a.statements().unwrap()),
                        (a.balance(), a.events_applied(), o.daily.clone()),
                    )
                };
                assert_eq!(details(&quick), details(&full), "account {a} path {i}");
                let account = &quick.detail.as_ref().unwrap().account;
                reasons.extend(account.refused().iter().map(|r| r.reason.name()));
            }
        });
        assert!(short > 1_000, "{short} refusals the short way");
        assert_eq!(reasons.len(), 2, "both reasons: {reasons:?}");
    }

    /// `f(engine, account index, request)` for each account under the default card and the
    /// card with deferred fees, at daily and hourly resolution: 75 days from 2025-01-20 of
    /// `services` with payment failure odds `p_fail`, `paths` paths, seed `seed` + the index.
    fn each_request(
        accounts: &[serde_json::Value],
        services: serde_json::Value,
        p_fail: f64,
        paths: u32,
        seed: u64,
        mut f: impl FnMut(&RatingEngine, usize, &super::super::ProjectionRequest),
    ) {
        use crate::ratecard::{FeeTiming, RateCard};
        let mut deferred = RateCard::default_card();
        deferred.carrier_fees.timing = FeeTiming::Deferred;
        for card in [RateCard::default_card(), deferred] {
            let engine = RatingEngine::new(card).unwrap();
            for (a, account) in accounts.iter().enumerate() {
                for resolution in ["day", "hour"] {
                    let request = serde_json::json!({
                        "account": account,
                        "profile": { "services": services, "paymentFailureProbability": p_fail },
                        "start": "2025-01-20", "days": 75, "resolution": resolution,
                        "paths": paths, "seed": seed + a as u64
                    });
                    f(
                        &engine,
                        a,
                        &crate::input::from_json(&request.to_string()).unwrap(),
                    );
                }
            }
        }
    }

    /// Every path of `req` run as a path that skips and holds, and as path 0: what each reports
    /// must be the same. Returns the paths refused, the paths that skipped a refusal, and the
    /// charges held.
    fn both_ways(
        engine: &RatingEngine,
        req: &super::super::ProjectionRequest,
    ) -> (usize, usize, u64) {
        let plan = super::super::prepare(engine, req).unwrap();
        let (mut refused, mut lanes, mut held) = (0, 0, 0);
        for i in 0..req.paths {
            let run = |detail| {
                let spec = PathSpec {
                    config: &req.account,
                    ledger: LedgerMode::None,
                    detail,
                    threshold: Decimal::ZERO,
                };
                run_path(&plan, &spec, i, None).unwrap()
            };
            SKIPPED.with(|n| n.set(0));
            HELD.with(|n| n.set(0));
            let skipping = run(false);
            let skipped = SKIPPED.with(|n| n.get());
            held += HELD.with(|n| n.replace(0));
            let applying = run(true);
            assert_eq!(SKIPPED.with(|n| n.get()), skipped, "path 0 skips nothing");
            assert_eq!(HELD.with(|n| n.get()), 0, "path 0 holds nothing");
            let reported = |o: &PathOut| {
                (
                    o.daily.clone(),
                    o.month_spend.clone(),
                    o.month_recharges.clone(),
                    o.recharges,
                    o.recharge_failed,
                    o.refused,
                )
            };
            assert_eq!(reported(&skipping), reported(&applying), "path {i}");
            lanes += usize::from(skipped > 0);
            refused += usize::from(applying.refused);
        }
        (refused, lanes, held)
    }

    /// The same over random accounts and traffic: balances, thresholds and amounts or targets
    /// with odd decimals, caps, credit limits, time zones, failure odds, volumes and lengths.
    #[test]
    fn skipping_and_holding_random_accounts_changes_nothing_a_path_reports() {
        let mut next = below(0x9e37_79b9_7f4a_7c15);
        let engine = RatingEngine::new(crate::ratecard::RateCard::default_card()).unwrap();
        let (mut valid, mut held, mut lanes) = (0, 0, 0);
        for _ in 0..40 {
            let money = |v: u64| format!("{}.{:02}", v / 100, v % 100);
            let threshold = next(5_000);
            let mut recharge = serde_json::json!({
                "enabled": next(5) != 0,
                "threshold": money(threshold),
                "maxPerDay": 1 + next(4),
                "maxPerMonth": 2 + next(20)
            });
            if next(3) == 0 {
                recharge["target"] = serde_json::json!(money(threshold + 1 + next(10_000)));
            } else {
                recharge["amount"] = serde_json::json!(money(1 + next(10_000)));
            }
            let cycle = ["monthly", "quarterly", "annual"]
                .get(next(3) as usize)
                .copied();
            let mut account = serde_json::json!({
                "openingBalance": money(next(12_000)),
                "timeZone": format!("{}{:02}:{:02}", if next(2) == 0 { '+' } else { '-' }, next(12), 15 * next(4)),
                "plan": { "start": "2025-01-01", "cycle": cycle },
                "autoRecharge": recharge
            });
            if next(3) == 0 {
                account["negativeBalance"] = match next(2) {
                    0 => serde_json::json!({ "allowed": true }),
                    _ => serde_json::json!({ "allowed": true, "limit": money(next(5_000)) }),
                };
            }
            let tenths: Vec<f64> = (0..6).map(|_| next(9) as f64 / 10.0).collect();
            let t = |i: usize| tenths.get(i).copied().unwrap_or(0.0);
            let (sms, voice, lookups) = (50 + next(2_000), next(60), next(100));
            let (mean, days, hourly, seed) =
                (20 + next(300), 20 + next(100), next(4) == 0, next(1_000));
            let request = serde_json::json!({
                "account": account,
                "profile": { "services": {
                    "sms": { "perDay": sms, "variation": t(0),
                             "carrierMix": { "tmobile": 0.5, "att": 0.3, "verizon": 0.2 },
                             "inboundShare": t(1) / 2.0 },
                    "voiceLocal": { "perDay": voice, "variation": t(2),
                                    "durationSeconds": { "mean": mean } },
                    "lookup": { "perDay": lookups, "variation": t(3) }
                }, "paymentFailureProbability": t(4) / 2.0 },
                "start": "2025-01-15", "days": days,
                "resolution": if hourly { "hour" } else { "day" },
                "paths": 4, "seed": seed
            });
            let Ok(req) =
                crate::input::from_json::<super::super::ProjectionRequest>(&request.to_string())
            else {
                continue;
            };
            if super::super::prepare(&engine, &req).is_err() {
                continue;
            }
            let (_, l, h) = both_ways(&engine, &req);
            valid += 1;
            lanes += l;
            held += h;
        }
        assert!(valid >= 25, "{valid} valid requests");
        assert!(
            held > 1_000 && lanes > 0,
            "{held} held, {lanes} paths skipped refusals"
        );
    }

    /// Totals at a scale compare with the integer limits as the exact amounts compare with the
    /// account's rooms, also when a room has more decimals than the scale (a balance left by a
    /// finer charge) and when it is negative.
    #[test]
    fn integer_limits_compare_as_the_rooms_do() {
        use std::str::FromStr;
        let d = |s: &str| Decimal::from_str(s).unwrap();
        for room in ["12.34567", "-0.00001", "0", "7", "0.99995", "-3.1415926"] {
            for scale in [0u32, 2, 4] {
                let limits = IntLimits::at(
                    UsageLimits {
                        pays: true,
                        floor_room: Some(d(room)),
                        threshold_room: Some(d(room)),
                    },
                    scale,
                )
                .unwrap();
                let (floor, threshold) = (limits.floor.unwrap(), limits.threshold.unwrap());
                let unit = POW10[scale as usize];
                for t in -2_000_000i64..2_000_000 {
                    if t % 997 != 0 && (t - floor).abs() > 3 && (t - threshold).abs() > 3 {
                        continue;
                    }
                    let exact = Decimal::new(t, scale);
                    assert_eq!(t <= floor, exact <= d(room), "{t}/{unit} ≤ {room}");
                    assert_eq!(t < threshold, exact < d(room), "{t}/{unit} < {room}");
                }
            }
        }
    }

    #[test]
    fn split_keeps_totals_and_shares() {
        let shares = [0.3, 0.45, 0.25];
        let mut carry = [0.0; 3];
        let mut out = [0u64; 3];
        let mut sums = [0u64; 3];
        let mut n_total = 0;
        let mut turn = 0;
        for n in [1u64, 7, 3, 0, 10, 1, 1, 1, 99] {
            split(n, &shares, &mut carry, &mut out, &mut turn);
            assert_eq!(out.iter().sum::<u64>(), n);
            for (s, o) in sums.iter_mut().zip(out) {
                *s += o;
            }
            n_total += n;
        }
        for (s, w) in sums.iter().zip(shares) {
            assert!((*s as f64 - w * n_total as f64).abs() < 1.0);
        }
    }

    /// The parts short go round in turn: one each to three equal parts of 1, then on from where
    /// the last call stopped.
    #[test]
    fn split_gives_the_parts_short_in_turn() {
        let shares = [0.25; 4];
        let (mut carry, mut out, mut turn) = ([0.0; 4], [0u64; 4], 0);
        split(1, &shares, &mut carry, &mut out, &mut turn);
        assert_eq!(out, [1, 0, 0, 0]);
        split(1, &shares, &mut carry, &mut out, &mut turn);
        // Part 0's carry is now below zero: part 1 is next.
        assert_eq!(out, [0, 1, 0, 0]);
        split(2, &shares, &mut carry, &mut out, &mut turn);
        assert_eq!(out, [0, 0, 1, 1]);
        assert_eq!(carry, [0.0; 4]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]

        /// Over sequences of calls (remainders carried), ties (shares repeated, equal weights),
        /// zero shares, and volumes from 0 to far more than the parts: the parts add up to the
        /// volume; each is its share plus its carry rounded down, or one more or one less; each
        /// carry stays in [-1, 2), and so each part's running total less than two from its share
        /// of the running volume; a part with no share gets nothing.
        #[test]
        fn split_keeps_every_part_within_two_of_its_share(
            weights in proptest::collection::vec(proptest::prop_oneof![0u32..4, 0u32..1000], 1..30),
            ns in proptest::collection::vec(proptest::prop_oneof![0u64..10, 0u64..100, 0u64..100_000], 1..40),
        ) {
            let sum: u32 = weights.iter().sum::<u32>();
            // Shares add up to 1, as a profile's do.
            proptest::prop_assume!(sum > 0);
            let shares: Vec<f64> = weights.iter().map(|w| f64::from(*w) / f64::from(sum)).collect();
            let len = shares.len();
            let mut carry = vec![0.0; len];
            let mut out = vec![0u64; len];
            let mut totals = vec![0u64; len];
            let mut turn = 0;
            let mut volume = 0u64;
            for n in ns {
                let before = carry.clone();
                split(n, &shares, &mut carry, &mut out, &mut turn);
                proptest::prop_assert_eq!(out.iter().sum::<u64>(), n);
                volume += n;
                for i in 0..len {
                    let floor = (n as f64 * shares[i] + before[i]).max(0.0).floor() as u64;
                    proptest::prop_assert!(out[i] + 1 >= floor && out[i] <= floor + 1, "part {i}: {} from {floor}", out[i]);
                    proptest::prop_assert!((-1.0..2.0).contains(&carry[i]), "carry {i}: {}", carry[i]);
                    totals[i] += out[i];
                    let due = shares[i] * volume as f64;
                    proptest::prop_assert!((totals[i] as f64 - due).abs() < 2.0 + 1e-9 * due, "part {i}: {} for {due}", totals[i]);
                    if weights[i] == 0 {
                        proptest::prop_assert_eq!(totals[i], 0);
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]

        /// The unchecked sums are the checked ones: with slots unknown, not linear, negative,
        /// small and near the 2^31 limit or past it, and counts up to past 2^31 in all.
        #[test]
        fn bucket_sums_are_the_checked_sums(
            slots in proptest::collection::vec(
                proptest::option::weighted(0.8, proptest::option::weighted(0.9, (
                    proptest::prop_oneof![-1000i64..1000, (1i64 << 31) - 3..(1i64 << 31) + 3, proptest::prelude::any::<i64>()],
                    proptest::prop_oneof![-1000i64..1000, (1i64 << 31) - 3..(1i64 << 31) + 3, proptest::prelude::any::<i64>()],
                ))),
                1..13,
            ),
            counts in proptest::collection::vec(proptest::prop_oneof![0u64..3, 0u64..100_000, (1u64 << 30)..(1u64 << 31)], 13),
            first in 0usize..2,
        ) {
            let n = slots.len();
            let mut tf = Tariff { scale: 0, units: Vec::new(), slots: slots.clone(), flat: vec![((0, 0), false); n], small: true, calls: [(0, (0, 0)); 4], next_call: 0 };
            tf.sync();
            let Some(out) = counts.get(..n - first) else { return Ok(()) };
            let total: u64 = out.iter().sum();
            proptest::prop_assert_eq!(bucket_sums(&tf, first, out, total), bucket_sums_checked(&tf, first, out));
        }
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// What `Decimal::normalize` gives, sign and scale included.
        #[test]
        fn normalized_is_decimals_normalize(
            m in proptest::prop_oneof![proptest::prelude::any::<i64>(), -1000i64..1000, (-99i64..99).prop_map(|x| x * 1_000_000_000)],
            s in 0u32..=19,
        ) {
            let want = Decimal::new(m, s).normalize();
            let got = normalized(m, s).expect("fits");
            proptest::prop_assert_eq!(got.serialize(), want.serialize());
        }
    }

    #[test]
    fn decimals_to_f64() {
        use std::str::FromStr;
        for s in [
            "0",
            "-12.5",
            "100.0083",
            "0.0000000000000000000000001",
            "79228162514264337593543950335",
        ] {
            let d = Decimal::from_str(s).unwrap();
            assert_eq!(to_f64(d), f64::from_str(s).unwrap(), "{s}");
        }
        // The same value at another scale (a balance after other charges) gives the same float,
        // also with mantissas beyond 2^53 and scales beyond 22.
        for (a, b) in [
            ("12345678.123456789", "12345678.1234567890000"),
            ("9007199254740993", "9007199254740993.000"),
            (
                "0.0000000000000000000000123",
                "0.0000000000000000000000123000",
            ),
            ("-1.5", "-1.500000000000000000000000"),
        ] {
            let (a, b) = (Decimal::from_str(a).unwrap(), Decimal::from_str(b).unwrap());
            assert_eq!(to_f64(a).to_bits(), to_f64(b).to_bits(), "{a} {b}");
        }
    }
}
