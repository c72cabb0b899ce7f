//! What-if and advice: the same profile and seed (so the same traffic, path by path) under
//! several account settings, and a search for the auto-recharge that keeps interruptions rare.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::account::{AccountConfig, AutoRecharge, Cycle, LedgerMode, NegativeBalance};
use crate::error::{Error, ErrorCode as C};
use crate::input::non_null;
use crate::money::{div, Dec};
use crate::rating::RatingEngine;

use super::path::Plan;
use super::stats::{
    reduce, run_all, run_range, Bands, Counts, MonthBand, Partial, Reader, RechargeBin,
};
use super::{
    check_local, check_range, key_of, prepare, ranged, request_key, result_of, run_projection,
    same_input, start_for, threshold_of, ProjectionRequest, ProjectionResult, Series, Summary,
};

/// Most variants in one `compare`.
pub const MAX_VARIANTS: usize = 32;
/// Most threshold × amount pairs one `recommend_auto_recharge` evaluates.
pub const MAX_CANDIDATES: usize = 100;
/// Default grid, in days of expected spend: thresholds and amounts.
const THRESHOLD_DAYS: [u32; 3] = [1, 3, 7];
const AMOUNT_DAYS: [u32; 4] = [7, 14, 30, 60];

/// Plan fields a variant may change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanOverride {
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub cycle: Option<Cycle>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub start: Option<String>,
}

/// Account settings that replace the request's for one variant (absent fields are kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Variant {
    pub label: String,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_recharge: Option<AutoRecharge>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub negative_balance: Option<NegativeBalance>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub plan: Option<PlanOverride>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub opening_balance: Option<Dec>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub postpaid: Option<bool>,
}

impl Variant {
    pub fn list_from_json(text: &str) -> Result<Vec<Variant>, Error> {
        crate::input::from_json(text)
    }

    /// The request's account with this variant's settings.
    pub fn apply(&self, base: &AccountConfig) -> AccountConfig {
        let mut c = base.clone();
        if let Some(a) = &self.auto_recharge {
            c.auto_recharge = Some(a.clone());
        }
        if let Some(n) = &self.negative_balance {
            c.negative_balance = Some(n.clone());
        }
        if let Some(p) = &self.plan {
            if let Some(cycle) = p.cycle {
                c.plan.cycle = cycle;
            }
            if let Some(s) = &p.start {
                c.plan.start = s.clone();
            }
        }
        if let Some(b) = self.opening_balance {
            c.opening_balance = b;
        }
        if let Some(p) = self.postpaid {
            c.postpaid = p;
        }
        c
    }
}

/// One variant's figures: path 0's summary and series, and the figures over all paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantResult {
    pub label: String,
    /// The account settings the variant ran with.
    pub account: AccountConfig,
    pub summary: Summary,
    pub series: Series,
    pub bands: Bands,
    pub monthly_spend: Vec<MonthBand>,
    pub interruption_probability: f64,
    pub recharge_failure_probability: f64,
    pub recharges_per_month: Vec<RechargeBin>,
    pub mean_recharges: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// In the order given.
    pub variants: Vec<VariantResult>,
}

/// Run the request under each variant's account settings, same profile and seed. Variant
/// errors have paths `variants[1].autoRecharge.threshold`.
pub fn compare(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    variants: &[Variant],
) -> Result<Comparison, Error> {
    let (plan, configs) = variant_configs(engine, req, variants)?;
    let mut out = Vec::with_capacity(variants.len());
    for (v, config) in variants.iter().zip(configs) {
        let r = run_projection(&plan, req, &config, LedgerMode::None)?;
        out.push(variant_result(v, config, r));
    }
    Ok(Comparison { variants: out })
}

/// The plan, and each variant's account, checked.
fn variant_configs<'e>(
    engine: &'e RatingEngine,
    req: &ProjectionRequest,
    variants: &[Variant],
) -> Result<(Plan<'e>, Vec<AccountConfig>), Error> {
    if variants.is_empty() || variants.len() > MAX_VARIANTS {
        return Err(Error::new(
            if variants.is_empty() {
                C::OutOfRange
            } else {
                C::LimitExceeded
            },
            "variants",
            format!("{} variants; give 1 to {MAX_VARIANTS}", variants.len()),
        ));
    }
    let plan = prepare(engine, req)?;
    let configs = variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let c = v.apply(&req.account);
            start_for(engine, req, &c, &format!("variants[{i}]"))?;
            Ok(c)
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok((plan, configs))
}

fn variant_result(v: &Variant, config: AccountConfig, r: ProjectionResult) -> VariantResult {
    VariantResult {
        label: v.label.clone(),
        account: config,
        summary: r.summary,
        series: r.series,
        bands: r.bands,
        monthly_spend: r.monthly_spend,
        interruption_probability: r.interruption_probability,
        recharge_failure_probability: r.recharge_failure_probability,
        recharges_per_month: r.recharges_per_month,
        mean_recharges: r.mean_recharges,
    }
}

/// Leads the bytes of [`compare_paths`]: format and version.
const COMPARE_MAGIC: &[u8; 4] = b"ccc1";

/// Identifies a request and its variants.
fn compare_key(req: &ProjectionRequest, variants: &[Variant]) -> Result<u64, Error> {
    key_of(&variants, request_key(req)?)
}

/// Paths `from..to` of `compare(req, variants)` (`1 ≤ from < to ≤ paths`), run apart under every
/// variant: what another thread computes for [`compare_merge`]. The bytes are opaque: per
/// variant, the figures [`project_paths`](super::project_paths) gives.
pub fn compare_paths(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    variants: &[Variant],
    from: u32,
    to: u32,
) -> Result<Vec<u8>, Error> {
    let (plan, configs) = variant_configs(engine, req, variants)?;
    check_range(from, to, req.paths)?;
    let key = compare_key(req, variants)?;
    let mut b = Vec::new();
    b.extend_from_slice(COMPARE_MAGIC);
    b.extend_from_slice(&key.to_le_bytes());
    b.extend_from_slice(&(configs.len() as u32).to_le_bytes());
    for config in &configs {
        let bytes = ranged(&plan, config, (from, to))?.to_bytes(key);
        b.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        b.extend_from_slice(&bytes);
    }
    Ok(b)
}

/// Paths `0..local` of a comparison, under every variant, run here while other threads run the
/// rest with [`compare_paths`]; [`compare_merge`] completes it.
pub struct LocalComparison {
    parts: Vec<Partial>,
    key: u64,
}

/// Run paths `0..local` (`1 ≤ local ≤ paths`) of `compare(req, variants)`.
pub fn compare_local(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    variants: &[Variant],
    local: u32,
) -> Result<LocalComparison, Error> {
    let (plan, configs) = variant_configs(engine, req, variants)?;
    check_local(local, req.paths)?;
    let parts = configs
        .iter()
        .map(|c| ranged(&plan, c, (0, local)))
        .collect::<Result<_, _>>()?;
    Ok(LocalComparison {
        parts,
        key: compare_key(req, variants)?,
    })
}

/// The same result as [`compare`]: paths `0..local` from [`compare_local`], the others as
/// [`compare_paths`] bytes of the same request and variants, in order, covering `local..paths`
/// once.
pub fn compare_merge(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    variants: &[Variant],
    local: LocalComparison,
    parts: &[&[u8]],
) -> Result<Comparison, Error> {
    let (plan, configs) = variant_configs(engine, req, variants)?;
    let key = compare_key(req, variants)?;
    same_input(key, local.key)?;
    let mut per: Vec<Vec<Partial>> = local.parts.into_iter().map(|p| vec![p]).collect();
    for (i, b) in parts.iter().enumerate() {
        let at = |e: Error| e.at(&format!("parts[{i}]"));
        let mut r = Reader::open(b, COMPARE_MAGIC, key).map_err(at)?;
        if r.u32().map_err(at)? as usize != per.len() {
            return Err(at(Error::new(
                C::InvalidInput,
                "",
                "another number of variants",
            )));
        }
        for list in &mut per {
            let n = r.u32().map_err(at)? as usize;
            let bytes = r.slice(n).map_err(at)?;
            let (days, months) = (plan.days, plan.months.len());
            list.push(Partial::from_bytes(bytes, key, days, months).map_err(at)?);
        }
        r.end().map_err(at)?;
    }
    let mut out = Vec::with_capacity(variants.len());
    for ((v, config), partials) in variants.iter().zip(configs).zip(per) {
        let threshold = threshold_of(&config);
        let agg = reduce(&plan, req.paths, partials)?;
        let r = result_of(&plan, req, threshold, agg)?;
        out.push(variant_result(v, config, r));
    }
    Ok(Comparison { variants: out })
}

/// What to aim for, and optionally the grid to search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RechargeGoal {
    /// Highest acceptable share of paths with any refused usage (0 to 1).
    pub max_interruption_probability: f64,
    /// Thresholds to try; absent: 1, 3 and 7 days of expected spend.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub thresholds: Option<Vec<Dec>>,
    /// Amounts to try; absent: 7, 14, 30 and 60 days of expected spend.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub amounts: Option<Vec<Dec>>,
}

impl RechargeGoal {
    pub fn from_json(text: &str) -> Result<RechargeGoal, Error> {
        crate::input::from_json(text)
    }
}

/// One evaluated threshold/amount pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Candidate {
    pub threshold: Dec,
    pub amount: Dec,
    pub interruption_probability: f64,
    pub recharge_failure_probability: f64,
    /// Successful recharges per path over the projection, on average.
    pub mean_recharges: f64,
    /// Successful recharges per path-month, on average.
    pub mean_recharges_per_month: f64,
    pub meets_goal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    /// The pair that meets the goal with the fewest expected recharges (ties: the lower amount,
    /// then the lower threshold); null when none does.
    pub recommended: Option<Candidate>,
    pub max_interruption_probability: f64,
    /// Spend per day of the profile without randomness (what the default grid is built on).
    pub expected_daily_spend: Dec,
    /// The evidence: every pair evaluated, thresholds outer, amounts inner, in the order given.
    pub candidates: Vec<Candidate>,
}

/// Round up to two significant digits, then up to `scale` decimals (at least one unit of it).
fn nice(x: Decimal, scale: u32) -> Decimal {
    let least = Decimal::new(1, scale);
    if x <= Decimal::ZERO {
        return least;
    }
    let unit = nice_unit(x);
    let r = crate::money::ceil_div(x, unit)
        .and_then(|q| q.checked_mul(unit))
        .unwrap_or(x)
        .round_dp_with_strategy(scale, RoundingStrategy::ToPositiveInfinity);
    r.max(least).normalize()
}

/// The power of ten `nice` rounds `x` (positive) up to a multiple of: a tenth of `x`'s order of
/// magnitude (10 for 250, 0.01 for 0.25), at most 20 decimal places.
fn nice_unit(x: Decimal) -> Decimal {
    let ten = Decimal::TEN;
    let mut unit = Decimal::ONE;
    while unit
        .checked_mul(Decimal::ONE_HUNDRED)
        .is_some_and(|u| u <= x)
    {
        unit *= ten;
    }
    while unit.checked_mul(ten).is_some_and(|u| u > x) && unit.scale() < 20 {
        unit /= ten;
    }
    unit
}

/// Search thresholds × amounts for the auto-recharge that keeps the interruption probability at
/// or under the goal with the fewest recharges. Other auto-recharge settings (caps) are taken
/// from the request's account.
pub fn recommend_auto_recharge(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    goal: &RechargeGoal,
) -> Result<Recommendation, Error> {
    let s = search(engine, req, goal)?;
    let counts = s.count((0, req.paths))?;
    Ok(s.choose(counts, req.paths))
}

/// Leads the bytes of [`recommend_paths`]: format and version.
const MAGIC: &[u8; 4] = b"ccr1";

/// Identifies a request and goal.
fn advice_key(req: &ProjectionRequest, goal: &RechargeGoal) -> Result<u64, Error> {
    key_of(goal, request_key(req)?)
}

/// Paths `from..to` of `recommend_auto_recharge(req, goal)` (`1 ≤ from < to ≤ paths`), run apart
/// for every candidate: what another thread computes for [`recommend_merge`]. The bytes are
/// opaque; they hold each candidate's counts (interruptions, failures, recharges per month).
pub fn recommend_paths(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    goal: &RechargeGoal,
    from: u32,
    to: u32,
) -> Result<Vec<u8>, Error> {
    let s = search(engine, req, goal)?;
    check_range(from, to, req.paths)?;
    let counts = s.count((from, to))?;
    let mut b = Vec::with_capacity(32 + counts.len() * 40);
    b.extend_from_slice(MAGIC);
    b.extend_from_slice(&advice_key(req, goal)?.to_le_bytes());
    for v in [from, to, counts.len() as u32] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    for c in &counts {
        c.write(&mut b);
    }
    Ok(b)
}

/// Paths `0..local` of a search, run here while other threads run the rest with
/// [`recommend_paths`]; [`recommend_merge`] completes it.
pub struct LocalAdvice {
    counts: Vec<Counts>,
    to: u32,
    key: u64,
}

/// Run paths `0..local` (`1 ≤ local ≤ paths`) of `recommend_auto_recharge(req, goal)`.
pub fn recommend_local(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    goal: &RechargeGoal,
    local: u32,
) -> Result<LocalAdvice, Error> {
    let s = search(engine, req, goal)?;
    check_local(local, req.paths)?;
    Ok(LocalAdvice {
        counts: s.count((0, local))?,
        to: local,
        key: advice_key(req, goal)?,
    })
}

/// The same result as [`recommend_auto_recharge`]: paths `0..local` from [`recommend_local`],
/// the others as [`recommend_paths`] bytes of the same request and goal, in order, covering
/// `local..paths` once.
pub fn recommend_merge(
    engine: &RatingEngine,
    req: &ProjectionRequest,
    goal: &RechargeGoal,
    local: LocalAdvice,
    parts: &[&[u8]],
) -> Result<Recommendation, Error> {
    let s = search(engine, req, goal)?;
    let key = advice_key(req, goal)?;
    same_input(key, local.key)?;
    let mut counts = local.counts;
    let mut next = local.to;
    for (i, b) in parts.iter().enumerate() {
        let at = |e: Error| e.at(&format!("parts[{i}]"));
        let mut r = Reader::open(b, MAGIC, key).map_err(at)?;
        let (from, to, n) = (
            r.u32().map_err(at)?,
            r.u32().map_err(at)?,
            r.u32().map_err(at)?,
        );
        if from != next || to <= from || to > req.paths || n as usize != counts.len() {
            return Err(Error::new(
                C::InvalidInput,
                "parts",
                format!("paths {from}..{to} ({n} candidates) do not continue paths 0..{next}"),
            ));
        }
        for c in &mut counts {
            c.merge(Counts::read(&mut r).map_err(at)?);
        }
        r.end().map_err(at)?;
        next = to;
    }
    if next != req.paths {
        return Err(Error::new(
            C::InvalidInput,
            "parts",
            format!("paths {next}..{} are missing", req.paths),
        ));
    }
    Ok(s.choose(counts, req.paths))
}

/// A search's grid, checked, and what its result needs besides the candidates' figures.
struct Search<'e> {
    plan: Plan<'e>,
    goal: f64,
    daily: Decimal,
    scale: u32,
    /// Threshold, amount and the account with that auto-recharge, thresholds outer.
    pairs: Vec<(Decimal, Decimal, AccountConfig)>,
}

impl Search<'_> {
    /// Each candidate's counts over paths `from..to`.
    fn count(&self, (from, to): (u32, u32)) -> Result<Vec<Counts>, Error> {
        self.pairs
            .iter()
            .map(|(t, _, config)| {
                Ok(run_range(&self.plan, config, *t, (from, to), LedgerMode::None)?.counts)
            })
            .collect()
    }

    /// The recommendation from each candidate's counts over all `paths` paths.
    fn choose(self, counts: Vec<Counts>, paths: u32) -> Recommendation {
        let months = self.plan.months.len();
        let candidates: Vec<Candidate> = self
            .pairs
            .iter()
            .zip(counts)
            .map(|((t, a, _), c)| {
                let (interruption, failure, bins, mean) = c.figures(paths as usize, months);
                let per_month: f64 = bins.iter().map(|b| f64::from(b.recharges) * b.share).sum();
                Candidate {
                    threshold: Dec(*t),
                    amount: Dec(*a),
                    interruption_probability: interruption,
                    recharge_failure_probability: failure,
                    mean_recharges: mean,
                    mean_recharges_per_month: per_month,
                    meets_goal: interruption <= self.goal,
                }
            })
            .collect();
        let recommended = candidates
            .iter()
            .filter(|c| c.meets_goal)
            .min_by(|x, y| {
                x.mean_recharges
                    .total_cmp(&y.mean_recharges)
                    .then(x.amount.0.cmp(&y.amount.0))
                    .then(x.threshold.0.cmp(&y.threshold.0))
            })
            .cloned();
        Recommendation {
            recommended,
            max_interruption_probability: self.goal,
            expected_daily_spend: Dec(self.daily.round_dp(self.scale + 4).normalize()),
            candidates,
        }
    }
}

fn search<'e>(
    engine: &'e RatingEngine,
    req: &ProjectionRequest,
    goal: &RechargeGoal,
) -> Result<Search<'e>, Error> {
    let g = goal.max_interruption_probability;
    if !(0.0..=1.0).contains(&g) {
        return Err(Error::new(
            C::OutOfRange,
            "goal.maxInterruptionProbability",
            format!("a probability must be 0 to 1 (got {g})"),
        ));
    }
    let plan = prepare(engine, req)?;
    let scale = engine.card().rounding.statement.scale;

    // Expected spend: the profile without randomness, nothing refused, no payments.
    let quiet = plan.deterministic();
    let mut open = req.account.clone();
    open.auto_recharge = None;
    open.postpaid = false;
    open.negative_balance = Some(NegativeBalance {
        allowed: true,
        limit: None,
    });
    let det = run_all(&quiet, &open, Decimal::ZERO, 1, LedgerMode::None)?;
    let mut total = Decimal::ZERO;
    for s in det.detail.account.statements()? {
        total = crate::money::add(total, s.spend.0, "")?;
    }
    let daily = div(total, Decimal::from(req.days), "")?;

    let grid = |given: &Option<Vec<Dec>>,
                factors: &[u32],
                what: &str|
     -> Result<Vec<Decimal>, Error> {
        match given {
            Some(v) if v.is_empty() => Err(Error::new(
                C::OutOfRange,
                format!("goal.{what}"),
                format!("`{what}` must not be empty"),
            )),
            Some(v) => Ok(v.iter().map(|d| d.0).collect()),
            None => {
                if daily <= Decimal::ZERO {
                    return Err(Error::new(
                        C::InvalidSettings,
                        format!("goal.{what}"),
                        format!("the profile spends nothing, so no default grid can be derived: give `{what}`"),
                    ));
                }
                let mut v = Vec::new();
                for f in factors {
                    // `daily` is a quotient of up to 28 digits: the product may round, and
                    // `nice` rounds it on purpose anyway.
                    let x = daily
                        .checked_mul(Decimal::from(*f))
                        .ok_or_else(|| Error::overflow(""))?;
                    let x = nice(x, scale);
                    if !v.contains(&x) {
                        v.push(x);
                    }
                }
                Ok(v)
            }
        }
    };
    let thresholds = grid(&goal.thresholds, &THRESHOLD_DAYS, "thresholds")?;
    let amounts = grid(&goal.amounts, &AMOUNT_DAYS, "amounts")?;
    if thresholds.len() * amounts.len() > MAX_CANDIDATES {
        return Err(Error::new(
            C::LimitExceeded,
            "goal",
            format!(
                "{} thresholds × {} amounts; at most {MAX_CANDIDATES} pairs",
                thresholds.len(),
                amounts.len()
            ),
        ));
    }

    let base = req.account.auto_recharge.as_ref();
    let mut pairs = Vec::with_capacity(thresholds.len() * amounts.len());
    for (i, t) in thresholds.iter().enumerate() {
        for (j, a) in amounts.iter().enumerate() {
            let mut config = req.account.clone();
            config.auto_recharge = Some(AutoRecharge {
                enabled: true,
                threshold: Some(Dec(*t)),
                amount: Some(Dec(*a)),
                target: None,
                max_per_day: base.and_then(|b| b.max_per_day),
                max_per_month: base.and_then(|b| b.max_per_month),
            });
            start_for(engine, req, &config, "account").map_err(|e| {
                let p = e.path.clone();
                let mut e = e;
                if p.starts_with("account.autoRecharge.threshold") {
                    e.path = format!("goal.thresholds[{i}]");
                } else if p.starts_with("account.autoRecharge.amount") {
                    e.path = format!("goal.amounts[{j}]");
                }
                e
            })?;
            pairs.push((*t, *a, config));
        }
    }
    Ok(Search {
        plan,
        goal: g,
        daily,
        scale,
        pairs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn nice_rounds_up_to_two_significant_digits() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(nice(d("37.42"), 2), d("38"));
        assert_eq!(nice(d("261.94"), 2), d("270"));
        assert_eq!(nice(d("100"), 2), d("100"));
        assert_eq!(nice(d("0.021"), 2), d("0.03"));
        assert_eq!(nice(d("0.0001"), 2), d("0.01"));
        assert_eq!(nice(d("5"), 2), d("5"));
        assert_eq!(nice(d("0"), 2), d("0.01"));
    }

    /// `nice` with the exact `ceil_div` gives what `Decimal`'s division and `ceil` gave, on
    /// amounts from 0.000001 to 10^12 at every scale up to 6, and no longer panics near the
    /// largest decimal (the product was unchecked).
    #[test]
    fn nice_agrees_with_division_and_ceil() {
        // The rounding as it was; the unit is found as it still is (`nice_unit`).
        let by_division = |x: Decimal, scale: u32| {
            let least = Decimal::new(1, scale);
            let unit = nice_unit(x);
            let r = x.checked_div(unit).map(|q| q.ceil() * unit).unwrap_or(x);
            let r = r.round_dp_with_strategy(scale, RoundingStrategy::ToPositiveInfinity);
            r.max(least).normalize()
        };
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = Decimal::new(
                (seed % 1_000_000_000_000) as i64 + 1,
                (seed >> 40) as u32 % 7,
            );
            let scale = (seed >> 50) as u32 % 5;
            assert_eq!(nice(x, scale), by_division(x, scale), "{x} at {scale}");
        }
        // 80 × 10^27 is past the largest decimal: the amount stays as it is.
        assert_eq!(nice(Decimal::MAX, 2), Decimal::MAX);
    }
}
