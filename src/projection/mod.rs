//! Spend projection (PRODUCT.md §5): a usage profile run through the real balance engine over
//! time, deterministic for a seed — the balance over time, every recharge, failure, invoice and
//! interruption, monthly statements, and percentile bands over many random paths.
//!
//! How a path is made:
//! - **Steps.** `days` days from `start` (local midnight in the account's time zone), one step
//!   per day or per hour. Every event of a step is dated the step's first instant.
//! - **Volumes.** Per service and day: `perDay × weekday weight × (1 + monthlyGrowth)^(day /
//!   30.436875) × busy multipliers × noise`, where the noise is a lognormal factor with mean 1
//!   and the profile's `variation` as its coefficient of variation, drawn once per day and
//!   service (none when `variation` is 0). At hourly resolution the day's volume is spread by
//!   the hour shape. Volumes become whole messages, calls or units by carrying the fraction to
//!   the next step, so totals follow the means exactly.
//! - **Splits.** Each step's count is split into directions (`inboundShare`), then into
//!   (carrier, segment class) pairs (`carrierMix` × `segmentsMix` / `messageMix`). Each part is
//!   its share plus the rounding carried from the step before, rounded down; the parts still
//!   short go one each, in turn, to parts with a positive remainder. Deterministic: the parts add
//!   up to the count, and each part's running total stays within two of its share of the running
//!   count. There is no sampling noise in splits: the randomness of a path is its daily volumes
//!   (and payment failures).
//! - **Calls.** Every call is connected; the billing increments of a step's calls are their
//!   expected number under the duration distribution (with the fraction carried), spread over
//!   the calls as two parts of whole-increment durations.
//! - **Events.** One aggregated usage event per step and service, with a part per direction,
//!   carrier and segment class or call length (`{ type: "usage", service: "sms", at, parts:
//!   [{ segments: 2, count: 173, carrier: "att" }, …] }`), applied to an
//!   [`Account`] exactly as `simulate` applies it: charged as one debit,
//!   with the recharge it would have triggered part-way made first when the balance cannot
//!   cover it. When every part is linear in its count, the step's charge is summed in integers
//!   from per-unit charges the engine gave once per carrier-fee period — the same digits the
//!   engine's own sum gives — instead of rating the event again.
//! - **Payment failures.** Each auto-recharge attempt fails with `paymentFailureProbability`:
//!   after each attempt the next one is drawn, and a `paymentWillFail` event is emitted at once
//!   when it will fail. A failure switches auto-recharge off for the rest of the path.
//! - **Randomness.** One PCG stream per path for usage and one for payments, both derived from
//!   `seed` and the path index; usage never depends on the account, so [`compare`] and
//!   [`recommend_auto_recharge`] see the same traffic under every setting. The noise's normals
//!   come from a ziggurat. Transcendental functions go through `libm`: a seed gives the same
//!   result natively and in WebAssembly.
//!
//! [`path_events`] gives the events of one path, and [`path_scenario`] a [`Scenario`] that
//! `simulate` turns into exactly the same ledger as the projection.
//!
//! **Threads.** Paths are independent, so [`project`], [`compare`] and
//! [`recommend_auto_recharge`] can run on several threads with the same result: other threads
//! run ranges of paths ([`project_paths`], [`compare_paths`], [`recommend_paths`]: opaque bytes
//! holding each path's daily balances, exact monthly spend and counts), this one runs paths
//! `0..local` ([`project_local`], …), and [`project_merge`] (…) checks that the ranges belong to
//! the same input and cover every path once, then reduces them exactly as the one-thread
//! function does. The package's `ProjectionPool` does this with workers.

mod advice;
mod path;
mod profile;
mod rng;
mod stats;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use advice::{
    compare, compare_local, compare_merge, compare_paths, recommend_auto_recharge, recommend_local,
    recommend_merge, recommend_paths, Candidate, Comparison, LocalAdvice, LocalComparison,
    PlanOverride, RechargeGoal, Recommendation, Variant, VariantResult, MAX_CANDIDATES,
    MAX_VARIANTS,
};
pub use path::MAX_DAILY_VOLUME;
pub use profile::{
    BusyPeriod, DurationDistribution, DurationProfile, MessageShare, SegmentsShare, ServiceProfile,
    UsageProfile, MAX_BUSY_PERIODS, MAX_CARRIER_MIX, MAX_GROWTH, MAX_MEAN_DURATION,
    MAX_MESSAGE_MIX, MAX_MULTIPLIER, MAX_PER_DAY, MAX_VARIATION, MIN_GROWTH,
};
pub use stats::{Bands, MonthBand, RechargeBin};

use crate::account::{
    Account, AccountConfig, Attempt, AutoRechargeStatus, Entry, Invoice, LedgerMode, PostpaidMonth,
    Refusal, Scenario, ScenarioEvent, SimulationOptions, Statement,
};
use crate::error::{Error, ErrorCode as C};
use crate::input::non_null;
use crate::money::{add, Dec};
use crate::ratecard::RateCard;
use crate::rating::RatingEngine;
use crate::time::{format_instant, parse_offset, Instant, DAY, MAX_INSTANT};

use path::{run_path, PathSpec, Plan};

/// Longest projection, in days (three years and a day).
pub const MAX_DAYS: u32 = 1_096;
/// Most random paths in one projection.
pub const MAX_PATHS: u32 = 10_000;
/// Largest `seed`: 2^53 − 1, so that JavaScript numbers carry it exactly.
pub const MAX_SEED: u64 = (1 << 53) - 1;
/// Most refusals listed in a result (`summary.refusedEvents` counts them all).
pub const MAX_LISTED_REFUSALS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Resolution {
    Hour,
    #[default]
    Day,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectionOptions {
    /// Ledger kept for path 0 (`"day"` by default; other paths keep none).
    #[serde(default = "day_ledger")]
    pub ledger: LedgerMode,
    /// How many of path 0's refusals to list (default and most [`MAX_LISTED_REFUSALS`]); the
    /// summary counts them all. A page that marks interrupted days needs far fewer.
    #[serde(default = "listed_refusals")]
    pub max_listed_refusals: u32,
}

impl Default for ProjectionOptions {
    fn default() -> Self {
        ProjectionOptions {
            ledger: LedgerMode::Day,
            max_listed_refusals: MAX_LISTED_REFUSALS as u32,
        }
    }
}

fn listed_refusals() -> u32 {
    MAX_LISTED_REFUSALS as u32
}

fn day_ledger() -> LedgerMode {
    LedgerMode::Day
}

fn one() -> u32 {
    1
}

/// `project(request)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectionRequest {
    /// The rate card; absent = the default card. `project` takes the engine built from it.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub rate_card: Option<RateCard>,
    pub account: AccountConfig,
    pub profile: UsageProfile,
    /// First day (a date): the projection starts at its midnight in the account's time zone,
    /// not before `account.plan.start`.
    pub start: String,
    /// 1 to 1,096.
    pub days: u32,
    #[serde(default)]
    pub resolution: Resolution,
    /// Random paths, 1 to 10,000 (default 1).
    #[serde(default = "one")]
    pub paths: u32,
    /// 0 to 2^53 − 1 (default 0).
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub options: ProjectionOptions,
}

impl ProjectionRequest {
    pub fn from_json(text: &str) -> Result<ProjectionRequest, Error> {
        crate::input::from_json(text)
    }
}

/// Path 0's balance after each step, as `f64` for chart typed arrays only: a display copy of
/// the exact balance (the balances themselves, and every amount reported, are decimals).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Series {
    /// Unix seconds of each step.
    pub t: Vec<f64>,
    /// Balance after the step's events.
    pub balance: Vec<f64>,
}

/// Path 0 in figures. Amounts are exact decimals over the projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Summary {
    /// `usage + carrierFees`.
    pub total_spend: Dec,
    pub usage: Dec,
    /// Usage (without carrier fees) per service id.
    pub spend_by_service: BTreeMap<String, Dec>,
    pub carrier_fees: Dec,
    /// Successful auto-recharges, and what they added.
    pub recharges: u32,
    pub recharged_amount: Dec,
    pub recharge_failures: u32,
    /// Lowest balance after any event (and when).
    pub lowest_balance: Dec,
    pub lowest_balance_at: String,
    /// The balance used for `firstBelowThresholdAt`: the auto-recharge threshold, else 0.
    pub threshold: Dec,
    /// First time the balance was at or below `threshold` (a recharge attempt counts), or null.
    pub first_below_threshold_at: Option<String>,
    /// Days (account time zone) with any refused usage.
    pub interrupted_days: u32,
    pub refused_events: u64,
    /// Months whose spend made the account eligible for post-paid.
    pub postpaid_eligible_months: Vec<PostpaidMonth>,
    pub end_balance: Dec,
    /// Deferred carrier fees charged but not yet posted at the end.
    pub pending_fees: Dec,
}

/// What `project` returns: path 0 in detail, then figures over all paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectionResult {
    /// First step and end (exclusive), RFC 3339 UTC.
    pub start: String,
    pub end: String,
    pub days: u32,
    pub resolution: Resolution,
    pub paths: u32,
    pub seed: u64,
    /// Calendar months the projection overlaps (account time zone).
    pub months: Vec<String>,

    pub series: Series,
    pub summary: Summary,
    /// Every auto-recharge attempt of path 0, succeeded or failed.
    pub recharges: Vec<Attempt>,
    /// Month-end settlements of path 0.
    pub invoices: Vec<Invoice>,
    /// Refused usage of path 0 (the first `MAX_LISTED_REFUSALS`).
    pub refused: Vec<Refusal>,
    /// Path 0's statements, one per month something happened in (the last may be partial).
    pub statements: Vec<Statement>,
    /// Path 0's ledger, at `options.ledger` detail.
    pub ledger: Vec<Entry>,
    /// Path 0's auto-recharge status at the end.
    pub auto_recharge: AutoRechargeStatus,

    pub bands: Bands,
    pub monthly_spend: Vec<MonthBand>,
    /// Share of paths with any refused usage.
    pub interruption_probability: f64,
    /// Share of paths in which an auto-recharge payment failed.
    pub recharge_failure_probability: f64,
    pub recharges_per_month: Vec<RechargeBin>,
    /// Successful auto-recharges per path, on average.
    pub mean_recharges: f64,
}

fn check_limits(req: &ProjectionRequest) -> Result<(), Error> {
    if req.days == 0 || req.days > MAX_DAYS {
        return Err(Error::new(
            C::OutOfRange,
            "days",
            format!("days must be 1 to {MAX_DAYS} (got {})", req.days),
        ));
    }
    if req.paths == 0 {
        return Err(Error::new(
            C::OutOfRange,
            "paths",
            "paths must be at least 1",
        ));
    }
    if req.paths > MAX_PATHS {
        return Err(Error::new(
            C::LimitExceeded,
            "paths",
            format!("{} paths; the limit is {MAX_PATHS}", req.paths),
        ));
    }
    if req.seed > MAX_SEED {
        return Err(Error::new(
            C::OutOfRange,
            "seed",
            format!("the seed must be 0 to {MAX_SEED} (2^53 − 1, exact in JavaScript)"),
        ));
    }
    Ok(())
}

/// The start instant, checked against an account config (`path` prefixes its errors).
fn start_for(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    config: &AccountConfig,
    path: &str,
) -> Result<(Instant, i32), Error> {
    let probe = Account::with_options(config.clone(), SimulationOptions::default(), engine)
        .map_err(|e| e.at(path))?;
    let offset = parse_offset(&config.time_zone)
        .map_err(|m| Error::new(C::InvalidValue, "timeZone", m).at(path))?;
    let day = profile::local_day(&req.start).map_err(|m| Error::new(C::InvalidDate, "start", m))?;
    let start = day * DAY - i64::from(offset);
    let end = start + i64::from(req.days) * DAY;
    if start < probe.now() {
        return Err(Error::new(
            C::OutOfOrder,
            "start",
            format!(
                "the projection starts at {} but the account opens at {} (plan.start)",
                format_instant(start),
                format_instant(probe.now())
            ),
        ));
    }
    if end > MAX_INSTANT {
        return Err(Error::new(
            C::InvalidDate,
            "start",
            "the projection would end after the year 9999",
        ));
    }
    Ok((start, offset))
}

/// Validate a request into the plan every path shares.
fn prepare<'e>(engine: &'e RatingEngine, req: &ProjectionRequest) -> Result<Plan<'e>, Error> {
    check_limits(req)?;
    let (start, offset) = start_for(engine, req, &req.account, "account")?;
    let p_fail = req.profile.payment_failure_probability;
    if !(0.0..=1.0).contains(&p_fail) {
        return Err(Error::new(
            C::OutOfRange,
            "profile.paymentFailureProbability",
            format!("a probability must be 0 to 1 (got {p_fail})"),
        ));
    }
    let services = profile::plan_services(&req.profile, engine, "profile")?;
    let busy = profile::plan_busy(&req.profile, &services, "profile")?;
    let mut plan = Plan::new(
        engine,
        services,
        &busy,
        req.seed,
        p_fail,
        start,
        offset,
        req.days as usize,
        req.resolution == Resolution::Hour,
    )?;
    plan.listed_refusals = (req.options.max_listed_refusals as usize).min(MAX_LISTED_REFUSALS);
    Ok(plan)
}

/// The threshold "below threshold" is measured against: the auto-recharge threshold, else 0.
fn threshold_of(config: &AccountConfig) -> Decimal {
    config
        .auto_recharge
        .as_ref()
        .and_then(|a| a.threshold)
        .map_or(Decimal::ZERO, |t| t.0)
}

/// Project the balance: path 0 in detail and percentile figures over `paths` paths.
pub fn project(engine: &RatingEngine, req: &ProjectionRequest) -> Result<ProjectionResult, Error> {
    let plan = prepare(engine, req)?;
    run_projection(&plan, req, &req.account, req.options.ledger)
}

/// Identifies an input, so that paths run apart are merged only into the run they belong to:
/// FNV-1a over its JSON, continuing from `seed`.
fn key_of<T: Serialize>(v: &T, seed: u64) -> Result<u64, Error> {
    let text =
        serde_json::to_string(v).map_err(|e| Error::new(C::InvalidInput, "", e.to_string()))?;
    Ok(text.bytes().fold(seed, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    }))
}

fn request_key(req: &ProjectionRequest) -> Result<u64, Error> {
    key_of(req, 0xcbf2_9ce4_8422_2325)
}

/// The local paths' key against the input's: merging another input's paths is an error.
fn same_input(key: u64, local: u64) -> Result<(), Error> {
    if key != local {
        return Err(Error::new(
            C::InvalidInput,
            "",
            "the local paths are of another input (request, variants or goal)",
        ));
    }
    Ok(())
}

/// Paths `from..to` to run apart: within `1..=paths` (path 0 runs with the result), not empty.
fn check_range(from: u32, to: u32, paths: u32) -> Result<(), Error> {
    if from == 0 || from >= to || to > paths {
        return Err(Error::new(
            C::OutOfRange,
            "from",
            format!("paths {from}..{to} must be a range within 1..{paths} (path 0 runs with the result)"),
        ));
    }
    Ok(())
}

/// Paths `0..local` to run here: `1 ≤ local ≤ paths`.
fn check_local(local: u32, paths: u32) -> Result<(), Error> {
    if local == 0 || local > paths {
        return Err(Error::new(
            C::OutOfRange,
            "local",
            format!("local must be 1 to paths ({paths})"),
        ));
    }
    Ok(())
}

/// Paths `from..to` of `project(req)` (`1 ≤ from < to ≤ paths`), run apart from path 0: what
/// another thread computes for [`project_merge`]. The bytes are opaque; they hold each
/// path's daily balances, monthly spend (exact) and counts.
pub fn project_paths(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    from: u32,
    to: u32,
) -> Result<Vec<u8>, Error> {
    let plan = prepare(engine, req)?;
    check_range(from, to, req.paths)?;
    let part = ranged(&plan, &req.account, (from, to))?;
    Ok(part.to_bytes(request_key(req)?))
}

/// Paths `from..to` under `config`, no ledger kept, "below threshold" measured against its
/// auto-recharge threshold: a range of a projection or of a comparison's variant.
fn ranged(
    plan: &Plan<'_>,
    config: &AccountConfig,
    range: (u32, u32),
) -> Result<stats::Partial, Error> {
    stats::run_range(plan, config, threshold_of(config), range, LedgerMode::None)
}

/// Paths `0..local` of a projection (path 0 in detail), run here while other threads run the
/// rest with [`project_paths`]; [`project_merge`] completes it.
pub struct LocalPaths {
    part: stats::Partial,
    key: u64,
}

/// Run paths `0..local` (`1 ≤ local ≤ paths`) of `project(req)`.
pub fn project_local(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    local: u32,
) -> Result<LocalPaths, Error> {
    let plan = prepare(engine, req)?;
    check_local(local, req.paths)?;
    let config = &req.account;
    let threshold = threshold_of(config);
    Ok(LocalPaths {
        part: stats::run_range(&plan, config, threshold, (0, local), req.options.ledger)?,
        key: request_key(req)?,
    })
}

/// The same result as [`project`]: paths `0..local` from [`project_local`], the others as
/// [`project_paths`] bytes of the same request, in order, covering `local..paths` once.
pub fn project_merge(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    local: LocalPaths,
    parts: &[&[u8]],
) -> Result<ProjectionResult, Error> {
    let plan = prepare(engine, req)?;
    let key = request_key(req)?;
    same_input(key, local.key)?;
    let mut all = Vec::with_capacity(parts.len() + 1);
    all.push(local.part);
    for (i, b) in parts.iter().enumerate() {
        let part = stats::Partial::from_bytes(b, key, plan.days, plan.months.len())
            .map_err(|e| e.at(&format!("parts[{i}]")))?;
        all.push(part);
    }
    let agg = stats::reduce(&plan, req.paths, all)?;
    result_of(&plan, req, threshold_of(&req.account), agg)
}

pub(crate) fn run_projection(
    plan: &Plan<'_>,
    req: &ProjectionRequest,
    config: &AccountConfig,
    ledger: LedgerMode,
) -> Result<ProjectionResult, Error> {
    let threshold = threshold_of(config);
    let agg = stats::run_all(plan, config, threshold, req.paths, ledger)?;
    result_of(plan, req, threshold, agg)
}

/// The result from what the paths gave.
fn result_of(
    plan: &Plan<'_>,
    req: &ProjectionRequest,
    threshold: Decimal,
    agg: stats::Aggregate,
) -> Result<ProjectionResult, Error> {
    let d = agg.detail;
    let mut account = d.account;
    let statements = account.statements()?;
    let mut usage = Decimal::ZERO;
    let mut fees = Decimal::ZERO;
    let mut recharged = Decimal::ZERO;
    let mut failures = 0u32;
    let mut by_service: BTreeMap<String, Dec> = BTreeMap::new();
    for s in &statements {
        usage = add(usage, s.usage.0, "")?;
        fees = add(fees, s.carrier_fees.0, "")?;
        recharged = add(recharged, s.recharges.0, "")?;
        failures += s.recharge_failures;
        for (k, v) in &s.usage_by_service {
            let e = by_service.entry(k.clone()).or_insert(Dec::ZERO);
            e.0 = add(e.0, v.0, "")?;
        }
    }
    // The listed refusals, moved out of the account (which is dropped after); the account
    // counted every refusal's day, and those past the list.
    let tally = account.refusal_tally();
    let refused = account.take_refused();
    let summary = Summary {
        total_spend: Dec(add(usage, fees, "")?),
        usage: Dec(usage),
        spend_by_service: by_service,
        carrier_fees: Dec(fees),
        recharges: agg.path0_recharges,
        recharged_amount: Dec(recharged),
        recharge_failures: failures,
        lowest_balance: Dec(d.lowest),
        lowest_balance_at: format_instant(d.lowest_at),
        threshold: Dec(threshold),
        first_below_threshold_at: d.first_below.map(format_instant),
        interrupted_days: tally.days,
        refused_events: refused.len() as u64 + tally.unlisted,
        postpaid_eligible_months: account.postpaid_eligible()?,
        end_balance: Dec(account.balance()),
        pending_fees: Dec(account.pending_fees()),
    };
    Ok(ProjectionResult {
        start: format_instant(plan.start),
        end: format_instant(plan.end),
        days: plan.days as u32,
        resolution: req.resolution,
        paths: req.paths,
        seed: req.seed,
        months: plan.months.clone(),
        series: Series {
            t: d.t,
            balance: d.balance,
        },
        summary,
        recharges: d.attempts,
        invoices: account.invoices().to_vec(),
        refused,
        statements,
        auto_recharge: account.auto_recharge_status(),
        ledger: account.ledger()?.into_owned(),
        bands: agg.bands,
        monthly_spend: agg.monthly_spend,
        interruption_probability: agg.interruption_probability,
        recharge_failure_probability: agg.recharge_failure_probability,
        recharges_per_month: agg.recharges_per_month,
        mean_recharges: agg.mean_recharges,
    })
}

/// The events of path `path` (0-based, below `paths`), in the order the projection applies
/// them: usage and `paymentWillFail` events.
pub fn path_events(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    path: u32,
) -> Result<Vec<ScenarioEvent<'static>>, Error> {
    let plan = prepare(engine, req)?;
    if path >= req.paths {
        return Err(Error::new(
            C::OutOfRange,
            "path",
            format!("path {path} is not below paths ({})", req.paths),
        ));
    }
    let spec = PathSpec {
        config: &req.account,
        ledger: LedgerMode::None,
        detail: false,
        threshold: Decimal::ZERO,
    };
    let mut events = Vec::new();
    run_path(&plan, &spec, path, Some(&mut events))?;
    Ok(events)
}

/// Path `path` as a scenario for `simulate`: same account, its events, `until` the end of the
/// projection and the ledger of `options.ledger`. `simulate` on it gives path 0's ledger,
/// refusals, invoices and statements exactly.
pub fn path_scenario(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    path: u32,
) -> Result<Scenario<'static>, Error> {
    let events = path_events(engine, req, path)?;
    let end = prepare(engine, req)?.end;
    Ok(Scenario {
        rate_card: req.rate_card.clone(),
        account: req.account.clone(),
        events,
        until: format_instant(end),
        options: SimulationOptions {
            ledger: req.options.ledger,
        },
    })
}
