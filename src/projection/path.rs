//! One random path: traffic drawn step by step from the profile, turned into aggregated usage
//! events and run through the real [`Account`]. Everything shared by all paths (step times,
//! expected volumes) is computed once in [`Plan`]; per step nothing is allocated.

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::account::{
    Account, AccountConfig, Attempt, EntryKind, EventType, LedgerMode, Outcome, ScenarioEvent,
    SimulationOptions,
};
use crate::error::{Error, ErrorCode as C};
use crate::money::Dec;
use crate::ratecard::{Direction, ServiceKind};
use crate::rating::{RatingEngine, MAX_COUNT};
use crate::time::{civil_from_days, format_month, month_index, Instant, DAY, HOUR};

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
    /// Step times as RFC 3339 UTC, `ISO_LEN` bytes each (the `at` of every event of the step).
    times: String,
    /// Expected volume per (day, service) before daily noise: `day * services + service`.
    base: Vec<f64>,
    /// Calendar months the projection overlaps (account time zone), `"2025-01"`.
    pub months: Vec<String>,
    pub first_month: i64,
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
        let step = DAY / per_day as i64;
        let end = start + days as i64 * DAY;
        let steps = days * per_day;
        let mut times = String::with_capacity(steps * ISO_LEN);
        for k in 0..steps {
            push_iso(&mut times, start + k as i64 * step);
        }
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
                    let applies = b.services.as_ref().map_or(true, |l| l.contains(&s));
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
            times,
            base,
            months,
            first_month,
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
            times: self.times.clone(),
            base: self.base.clone(),
            months: self.months.clone(),
            first_month: self.first_month,
        }
    }

    pub fn steps(&self) -> usize {
        self.days * self.per_day
    }

    pub fn step_seconds(&self) -> i64 {
        DAY / self.per_day as i64
    }

    fn at(&self, k: usize) -> &str {
        self.times
            .get(k * ISO_LEN..(k + 1) * ISO_LEN)
            .unwrap_or_default()
    }

    /// Index into `months` of an instant, if the projection overlaps its month.
    fn month_of(&self, t: Instant) -> Option<usize> {
        let m = month_index(t, self.offset) - self.first_month;
        usize::try_from(m).ok().filter(|m| *m < self.months.len())
    }
}

/// RFC 3339 in UTC without `format!` (this runs once per step of a projection).
fn push_iso(out: &mut String, t: Instant) {
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

/// Exact decimal to the nearest `f64` using only IEEE basic operations (correctly rounded on
/// every target), so charts match natively and in WASM. This is the one place an amount becomes
/// a float: a display copy of the exact balance for the chart arrays (`Series`, `Bands`), which
/// nothing reads back into money. Every amount the projection reports is a `Decimal`.
pub(crate) fn to_f64(d: Decimal) -> f64 {
    const P: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
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
    service: u16,
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
    /// Per direction, carrier and segments class.
    bucket: Vec<f64>,
    /// Voice: billing increments, per direction.
    increments: [f64; 2],
}

/// Split `n` into parts by `shares`, carrying each part's rounding into the next call (largest
/// remainder first). The parts add up to `n` exactly. `order` is scratch space.
fn split(n: u64, shares: &[f64], carry: &mut [f64], out: &mut [u64], order: &mut Vec<u32>) {
    if out.len() <= 1 {
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
    let give = |i: usize, out: &mut [u64], carry: &mut [f64]| {
        if let (Some(o), Some(c)) = (out.get_mut(i), carry.get_mut(i)) {
            *o += 1;
            *c -= 1.0;
        }
    };
    let deficit = n.saturating_sub(total) as usize;
    if deficit * out.len() > 256 {
        // Many parts short among many: the `deficit` largest remainders, by one selection.
        order.clear();
        order.extend(0..out.len() as u32);
        let by_carry = |a: &u32, b: &u32| {
            let ca = carry.get(*a as usize).copied().unwrap_or(0.0);
            let cb = carry.get(*b as usize).copied().unwrap_or(0.0);
            cb.total_cmp(&ca).then(a.cmp(b))
        };
        if deficit < order.len() {
            order.select_nth_unstable_by(deficit - 1, by_carry);
        }
        for i in order.iter().take(deficit) {
            give(*i as usize, out, carry);
        }
        total += deficit as u64;
    }
    while total < n {
        let mut best = 0;
        let mut hi = f64::NEG_INFINITY;
        for (i, c) in carry.iter().enumerate() {
            if *c > hi {
                hi = *c;
                best = i;
            }
        }
        give(best, out, carry);
        total += 1;
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
    /// `recharges_this_month` already counted.
    seen: u32,
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

    /// Queue a failure for the next attempt with probability `p_fail` (at step `k`; none after
    /// the last step, when no attempt can follow).
    fn draw_payment(&mut self, k: usize) -> Result<(), Error> {
        if !self.pay.on || self.pay.armed || self.pay.p_fail <= 0.0 || k >= self.plan.steps() {
            return Ok(());
        }
        if self.pay.rng.chance(self.pay.p_fail) {
            self.pay.armed = true;
            let ev = ScenarioEvent::new(Cow::Borrowed(self.plan.at(k)), EventType::PaymentWillFail);
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

    /// After an event at step `k`: count a recharge attempt it made, if any.
    fn observe_event(&mut self, k: usize, at: Instant) -> Result<(), Error> {
        if self.pay.on {
            let s = self.account.auto_recharge_status();
            if s.recharges_this_month > self.pay.seen {
                for _ in self.pay.seen..s.recharges_this_month {
                    let a = s.last_attempt.unwrap_or(Attempt {
                        at,
                        amount: Dec::ZERO,
                        outcome: Outcome::Succeeded,
                    });
                    self.attempt_seen(Attempt {
                        outcome: Outcome::Succeeded,
                        ..a
                    });
                }
                self.pay.seen = s.recharges_this_month;
                self.draw_payment(k)?;
            } else if !s.enabled {
                let a = s.last_attempt.unwrap_or(Attempt {
                    at,
                    amount: Dec::ZERO,
                    outcome: Outcome::Failed,
                });
                self.attempt_seen(Attempt {
                    outcome: Outcome::Failed,
                    ..a
                });
            }
        }
        self.track(at);
        Ok(())
    }

    /// Run the clock to `t` (month ends, deferred fees and the recharges they trigger).
    fn advance(&mut self, k: usize, t: Instant) -> Result<(), Error> {
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
        if self.pay.on {
            self.pay.seen = self.account.auto_recharge_status().recharges_this_month;
            if succeeded {
                self.draw_payment(k)?;
            }
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
    let account = Account::with_options(spec.config.clone(), options, plan.engine)
        .map_err(|e| e.at("account"))?;
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
    };
    let mut usage = Stream::new(plan.seed, index, Purpose::Usage);
    let n = plan.services.len();
    let mut carries: Vec<Carry> = plan
        .services
        .iter()
        .map(|s| Carry {
            volume: 0.0,
            direction: [0.0; 2],
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
    let mut parts = vec![0u64; max_parts];
    let mut order: Vec<u32> = Vec::with_capacity(max_parts);
    let mut noise = vec![1.0; n];
    let mut evs: Vec<Ev> = Vec::new();
    // One event reused for every usage event: its strings are borrowed from the plan.
    let mut ev = ScenarioEvent::new(Cow::Borrowed(""), EventType::Usage);
    let step = plan.step_seconds();

    for k in 0..steps {
        let d = k / plan.per_day;
        let h = k % plan.per_day;
        let t = plan.start + k as i64 * step;
        if h == 0 {
            for (x, s) in noise.iter_mut().zip(&plan.services) {
                *x = s.noise.map_or(1.0, |z| z.draw(&mut usage));
            }
        }
        r.advance(k, t)?;
        if k == 0 {
            r.draw_payment(k)?;
        }

        evs.clear();
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
            let (n_in, n_out) = if s.inbound > 0.0 {
                let mut io = [0u64; 2];
                split(
                    count,
                    &[1.0 - s.inbound, s.inbound],
                    &mut c.direction,
                    &mut io,
                    &mut order,
                );
                (io[1], io[0])
            } else {
                (0, count)
            };
            let nk = s.classes.len();
            for (dir, total) in [(0usize, n_out), (1, n_in)] {
                if total == 0 {
                    continue;
                }
                let inbound = dir == 1;
                if let Some(v) = s.voice {
                    // Voice: the call count and the billing increments they add up to, as at most
                    // two events of whole-increment durations.
                    let Some(ic) = c.increments.get_mut(dir) else {
                        continue;
                    };
                    let kx = total as f64 * v.mean_increments + *ic;
                    let kk = kx as u64;
                    *ic = kx - kk as f64;
                    let (q, rem) = (kk / total, kk % total);
                    let secs = |q: u64| u64::from(v.first) + q * u64::from(v.next);
                    push_events(&mut evs, si, inbound, 0, 0, total - rem, secs(q));
                    push_events(&mut evs, si, inbound, 0, 0, rem, secs(q + 1));
                    continue;
                }
                let nb = s.bucket_shares.len();
                let (Some(bc), Some(out)) = (
                    c.bucket.get_mut(dir * nb..(dir + 1) * nb),
                    parts.get_mut(..nb),
                ) else {
                    continue;
                };
                split(total, &s.bucket_shares, bc, out, &mut order);
                for (b, cnt) in out.iter().enumerate() {
                    if *cnt == 0 {
                        continue;
                    }
                    let (ci, ki) = (b / nk, b % nk);
                    let seg = s.classes.get(ki).copied().unwrap_or(1);
                    push_events(&mut evs, si, inbound, ci as u16, seg, *cnt, 0);
                }
            }
        }

        ev.at = Cow::Borrowed(plan.at(k));
        for e in &evs {
            let Some(s) = plan.services.get(e.service as usize) else {
                continue;
            };
            ev.service = Some(Cow::Borrowed(s.id.as_str()));
            ev.direction = e.inbound.then_some(Direction::Inbound);
            ev.count = Some(e.count);
            ev.segments = (s.kind == ServiceKind::Sms).then_some(e.segments);
            ev.duration_seconds =
                (s.kind == ServiceKind::Voice).then(|| Dec(Decimal::from(e.duration)));
            let messaging = matches!(s.kind, ServiceKind::Sms | ServiceKind::Mms);
            ev.carrier = match s.carriers.get(e.carrier as usize) {
                Some(Some(c)) if messaging => Some(Cow::Borrowed(c.as_str())),
                _ => None,
            };
            ev.number_type = s.number_type.filter(|_| messaging);
            r.emit(&ev)?;
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
            r.out.daily.push(to_f64(r.account.balance()));
        }
    }
    r.advance(steps, plan.end)?;

    let mut out = r.out;
    out.refused = !r.account.refused().is_empty();
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

/// Push `count` events (several when it exceeds the per-event limit).
fn push_events(
    evs: &mut Vec<Ev>,
    service: usize,
    inbound: bool,
    carrier: u16,
    segments: u32,
    mut count: u64,
    duration: u64,
) {
    while count > 0 {
        let c = count.min(u64::from(MAX_COUNT));
        evs.push(Ev {
            service: service as u16,
            inbound,
            carrier,
            segments,
            count: c as u32,
            duration,
        });
        count -= c;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_totals_and_shares() {
        let shares = [0.3, 0.45, 0.25];
        let mut carry = [0.0; 3];
        let mut out = [0u64; 3];
        let mut sums = [0u64; 3];
        let mut n_total = 0;
        let mut order = Vec::new();
        for n in [1u64, 7, 3, 0, 10, 1, 1, 1, 99] {
            split(n, &shares, &mut carry, &mut out, &mut order);
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

    #[test]
    fn iso_times() {
        let mut s = String::new();
        push_iso(&mut s, 1_735_689_600 + 13 * 3600 + 5 * 60 + 9);
        assert_eq!(s, "2025-01-01T13:05:09Z");
        assert_eq!(
            crate::time::format_instant(1_735_689_600),
            "2025-01-01T00:00:00Z"
        );
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
    }
}
