//! Running many paths and reducing them: percentile bands, interruption and recharge figures.
//!
//! Percentiles are nearest-rank: of `n` values sorted ascending, P`p` is the value at rank
//! `ceil(p × n / 100)` (1-based), so it is always one of the values (P50 of 1 path is that path).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::account::{AccountConfig, LedgerMode};
use crate::error::Error;
use crate::money::Dec;

use super::path::{run_path, Detail, PathSpec, Plan};

/// Balance per day over all paths (end of each day, after its last step), as `f64` for charts
/// only; money reported over paths (`MonthBand`) stays decimal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bands {
    /// Unix seconds of each day's last step.
    pub t: Vec<f64>,
    pub p10: Vec<f64>,
    pub p50: Vec<f64>,
    pub p90: Vec<f64>,
}

/// Spend (usage + carrier fees) of one calendar month over all paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MonthBand {
    /// `"2025-01"` (account time zone). The first and last months may be partial.
    pub month: String,
    pub p10: Dec,
    pub p50: Dec,
    pub p90: Dec,
}

/// One bar of the recharges-per-month distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RechargeBin {
    /// Successful auto-recharges in a month.
    pub recharges: u32,
    /// Share of path-months (every path × every month the projection overlaps) with that many.
    pub share: f64,
}

/// What all paths give together.
pub(crate) struct Aggregate {
    pub detail: Detail,
    pub path0_recharges: u32,
    pub bands: Bands,
    pub monthly_spend: Vec<MonthBand>,
    pub interruption_probability: f64,
    pub recharge_failure_probability: f64,
    pub recharges_per_month: Vec<RechargeBin>,
    pub mean_recharges: f64,
}

/// 0-based index of the nearest-rank percentile `p` (0 to 100) of `n ≥ 1` sorted values.
pub fn rank(n: usize, p: usize) -> usize {
    (p * n).div_ceil(100).max(1) - 1
}

/// Run paths `0..paths`: path 0 with details and the ledger `ledger0`, the others with no ledger.
pub(crate) fn run_all(
    plan: &Plan<'_>,
    config: &AccountConfig,
    threshold: Decimal,
    paths: u32,
    ledger0: LedgerMode,
) -> Result<Aggregate, Error> {
    let np = paths.max(1) as usize;
    let days = plan.days;
    let months = plan.months.len();
    // Day-major, so that each day's values are contiguous for selection.
    let mut daily = vec![0.0f64; days * np];
    let mut spend = vec![Decimal::ZERO; months * np];
    let mut hist: BTreeMap<u32, u64> = BTreeMap::new();
    let mut interrupted = 0u32;
    let mut failed = 0u32;
    let mut total_recharges = 0u64;
    let mut detail = None;
    let mut path0_recharges = 0;
    for p in 0..np {
        let spec = PathSpec {
            config,
            ledger: if p == 0 { ledger0 } else { LedgerMode::None },
            detail: p == 0,
            threshold,
        };
        let out = run_path(plan, &spec, p as u32, None)?;
        for (d, v) in out.daily.iter().enumerate() {
            if let Some(x) = daily.get_mut(d * np + p) {
                *x = *v;
            }
        }
        for (m, v) in out.month_spend.iter().enumerate() {
            if let Some(x) = spend.get_mut(m * np + p) {
                *x = *v;
            }
        }
        for c in &out.month_recharges {
            *hist.entry(*c).or_insert(0) += 1;
        }
        interrupted += u32::from(out.refused);
        failed += u32::from(out.recharge_failed);
        total_recharges += u64::from(out.recharges);
        if p == 0 {
            path0_recharges = out.recharges;
            detail = out.detail;
        }
    }
    let Some(detail) = detail else {
        return Err(Error::new(
            crate::error::ErrorCode::InvalidInput,
            "paths",
            "no path was run",
        ));
    };

    let (r10, r50, r90) = (rank(np, 10), rank(np, 50), rank(np, 90));
    let mut bands = Bands {
        t: Vec::with_capacity(days),
        p10: Vec::with_capacity(days),
        p50: Vec::with_capacity(days),
        p90: Vec::with_capacity(days),
    };
    let last_step = (plan.per_day as i64 - 1) * plan.step_seconds();
    for (d, col) in daily.chunks_mut(np).enumerate() {
        bands
            .t
            .push((plan.start + d as i64 * crate::time::DAY + last_step) as f64);
        // Select P90, then P50 among the values below it, then P10.
        let (lo, v90, _) = col.select_nth_unstable_by(r90, f64::total_cmp);
        let v90 = *v90;
        let v50 = select(lo, r50).unwrap_or(v90);
        let v10 = select(col.get_mut(..r50).unwrap_or_default(), r10).unwrap_or(v50);
        bands.p10.push(v10);
        bands.p50.push(v50);
        bands.p90.push(v90);
    }

    let mut monthly_spend = Vec::with_capacity(months);
    for (m, col) in spend.chunks_mut(np).enumerate() {
        col.sort_unstable();
        let at = |r: usize| Dec(col.get(r).copied().unwrap_or_default());
        monthly_spend.push(MonthBand {
            month: plan.months.get(m).cloned().unwrap_or_default(),
            p10: at(r10),
            p50: at(r50),
            p90: at(r90),
        });
    }

    let path_months = (np * months).max(1) as f64;
    Ok(Aggregate {
        detail,
        path0_recharges,
        bands,
        monthly_spend,
        interruption_probability: f64::from(interrupted) / np as f64,
        recharge_failure_probability: f64::from(failed) / np as f64,
        recharges_per_month: hist
            .into_iter()
            .map(|(recharges, n)| RechargeBin {
                recharges,
                share: n as f64 / path_months,
            })
            .collect(),
        mean_recharges: total_recharges as f64 / np as f64,
    })
}

/// The value of rank `r` (0-based) of `v`, reordering `v`; `None` if `r` is out of range.
fn select(v: &mut [f64], r: usize) -> Option<f64> {
    if r >= v.len() {
        return None;
    }
    let (_, x, _) = v.select_nth_unstable_by(r, f64::total_cmp);
    Some(*x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        assert_eq!(rank(1, 10), 0);
        assert_eq!(rank(1, 90), 0);
        assert_eq!(rank(10, 10), 0);
        assert_eq!(rank(10, 50), 4);
        assert_eq!(rank(10, 90), 8);
        assert_eq!(rank(1000, 10), 99);
        assert_eq!(rank(1000, 90), 899);
        assert_eq!(rank(3, 50), 1);
    }
}
