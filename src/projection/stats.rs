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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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

/// What a range of paths gives that adds up over ranges.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Counts {
    /// Paths with any refused usage.
    pub interrupted: u32,
    /// Paths in which an auto-recharge payment failed.
    pub failed: u32,
    /// Successful auto-recharges over all paths.
    pub total_recharges: u64,
    /// Path-months per number of successful recharges in the month.
    pub hist: BTreeMap<u32, u64>,
}

impl Counts {
    fn add(&mut self, out: &super::path::PathOut) {
        for c in &out.month_recharges {
            *self.hist.entry(*c).or_insert(0) += 1;
        }
        self.interrupted += u32::from(out.refused);
        self.failed += u32::from(out.recharge_failed);
        self.total_recharges += u64::from(out.recharges);
    }

    pub fn merge(&mut self, other: Counts) {
        for (k, c) in other.hist {
            let e = self.hist.entry(k).or_insert(0);
            *e = e.saturating_add(c);
        }
        self.interrupted = self.interrupted.saturating_add(other.interrupted);
        self.failed = self.failed.saturating_add(other.failed);
        self.total_recharges = self.total_recharges.saturating_add(other.total_recharges);
    }

    /// Interruption and failure probabilities, the recharges-per-month distribution and the
    /// mean recharges per path, over `paths` paths of `months` months.
    pub fn figures(&self, paths: usize, months: usize) -> (f64, f64, Vec<RechargeBin>, f64) {
        let np = paths.max(1) as f64;
        let path_months = (paths.max(1) * months).max(1) as f64;
        let bins = self
            .hist
            .iter()
            .map(|(recharges, n)| RechargeBin {
                recharges: *recharges,
                share: *n as f64 / path_months,
            })
            .collect();
        (
            f64::from(self.interrupted) / np,
            f64::from(self.failed) / np,
            bins,
            self.total_recharges as f64 / np,
        )
    }

    pub fn write(&self, w: &mut Vec<u8>) {
        put(w, &self.interrupted.to_le_bytes());
        put(w, &self.failed.to_le_bytes());
        put(w, &self.total_recharges.to_le_bytes());
        put(w, &(self.hist.len() as u32).to_le_bytes());
        for (k, c) in &self.hist {
            put(w, &k.to_le_bytes());
            put(w, &c.to_le_bytes());
        }
    }

    pub fn read(r: &mut Reader<'_>) -> Result<Counts, Error> {
        let mut c = Counts {
            interrupted: r.u32()?,
            failed: r.u32()?,
            total_recharges: r.u64()?,
            hist: BTreeMap::new(),
        };
        for _ in 0..r.u32()? {
            let k = r.u32()?;
            let n = r.u64()?;
            c.hist.insert(k, n);
        }
        Ok(c)
    }
}

fn put(w: &mut Vec<u8>, b: &[u8]) {
    w.extend_from_slice(b);
}

/// Reads the fields of bytes another thread wrote; every shortfall is an error.
pub(crate) struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// The reader after checking the bytes' `magic` (format) and `key` (which request).
    pub fn open(b: &'a [u8], magic: &[u8; 4], key: u64) -> Result<Reader<'a>, Error> {
        let mut r = Reader(b);
        if r.take::<4>().ok() != Some(*magic) {
            return Err(bad("not the paths of this kind of run"));
        }
        if r.u64().ok() != Some(key) {
            return Err(bad("paths of another request"));
        }
        Ok(r)
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let (head, rest) = self
            .0
            .split_first_chunk::<N>()
            .ok_or_else(|| bad("truncated"))?;
        self.0 = rest;
        Ok(*head)
    }

    pub fn u32(&mut self) -> Result<u32, Error> {
        self.take().map(u32::from_le_bytes)
    }

    pub fn u64(&mut self) -> Result<u64, Error> {
        self.take().map(u64::from_le_bytes)
    }

    /// The next `n` bytes.
    pub fn slice(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if n > self.0.len() {
            return Err(bad("truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn f64(&mut self) -> Result<f64, Error> {
        self.take().map(f64::from_le_bytes)
    }

    fn decimal(&mut self) -> Result<Decimal, Error> {
        let m = self.take().map(i128::from_le_bytes)?;
        let s = self.u32()?;
        Decimal::try_from_i128_with_scale(m, s).map_err(|_| bad("an invalid amount"))
    }

    /// An error unless every byte was read.
    pub fn end(&self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(bad("more bytes than expected"))
        }
    }
}

fn bad(m: &str) -> Error {
    Error::new(crate::error::ErrorCode::InvalidInput, "", m)
}

/// What paths `from..to` give, before they are reduced with the others (see [`reduce`]).
pub(crate) struct Partial {
    pub from: u32,
    pub to: u32,
    /// Path-major: the balance at the end of day `d` of path `p` is at `(p − from) × days + d`.
    pub daily: Vec<f64>,
    /// Path-major, like `daily`, by month of `Plan::months`.
    pub spend: Vec<Decimal>,
    pub counts: Counts,
    /// Path 0's details and recharges, if the range holds path 0.
    pub detail: Option<(Detail, u32)>,
}

/// Leads the bytes of a [`Partial`]: format and version.
const MAGIC: &[u8; 4] = b"ccp1";

impl Partial {
    /// The figures of a range without path 0, as bytes for another thread: `key` (which request
    /// they belong to), the range, the counts, then per path its daily balances (`f64`) and its
    /// monthly spend (mantissa and scale). Little-endian.
    pub fn to_bytes(&self, key: u64) -> Vec<u8> {
        let mut b = Vec::with_capacity(48 + self.daily.len() * 8 + self.spend.len() * 20);
        put(&mut b, MAGIC);
        put(&mut b, &key.to_le_bytes());
        put(&mut b, &self.from.to_le_bytes());
        put(&mut b, &self.to.to_le_bytes());
        self.counts.write(&mut b);
        for v in &self.daily {
            put(&mut b, &v.to_le_bytes());
        }
        for v in &self.spend {
            put(&mut b, &v.mantissa().to_le_bytes());
            put(&mut b, &v.scale().to_le_bytes());
        }
        b
    }

    /// Bytes from [`Partial::to_bytes`] for the request `key` and a plan of `days` days and
    /// `months` months; an error if they are not exactly that.
    pub fn from_bytes(b: &[u8], key: u64, days: usize, months: usize) -> Result<Partial, Error> {
        let mut r = Reader::open(b, MAGIC, key)?;
        let (from, to) = (r.u32()?, r.u32()?);
        let counts = Counts::read(&mut r)?;
        let n = to.checked_sub(from).ok_or_else(|| bad("an empty range"))? as usize;
        let values = |per: usize| n.checked_mul(per).ok_or_else(|| bad("too many values"));
        let (nd, ns) = (values(days)?, values(months)?);
        let size = nd
            .checked_mul(8)
            .zip(ns.checked_mul(20))
            .and_then(|(a, b)| a.checked_add(b));
        if size != Some(r.0.len()) {
            return Err(bad("wrong number of values"));
        }
        let daily = (0..nd).map(|_| r.f64()).collect::<Result<_, _>>()?;
        let spend = (0..ns).map(|_| r.decimal()).collect::<Result<_, _>>()?;
        r.end()?;
        Ok(Partial {
            from,
            to,
            daily,
            spend,
            counts,
            detail: None,
        })
    }
}

/// Run paths `from..to`: path 0 (if in the range) with details and the ledger `ledger0`, the
/// others with no ledger. Each path depends only on the plan and its index, so ranges run
/// apart (in other threads) give the same figures as one run.
pub(crate) fn run_range(
    plan: &Plan<'_>,
    config: &AccountConfig,
    threshold: Decimal,
    (from, to): (u32, u32),
    ledger0: LedgerMode,
) -> Result<Partial, Error> {
    let n = to.saturating_sub(from) as usize;
    let mut part = Partial {
        from,
        to: from + n as u32,
        daily: Vec::with_capacity(n * plan.days),
        spend: Vec::with_capacity(n * plan.months.len()),
        counts: Counts::default(),
        detail: None,
    };
    for p in from..part.to {
        let spec = PathSpec {
            config,
            ledger: if p == 0 { ledger0 } else { LedgerMode::None },
            detail: p == 0,
            threshold,
        };
        let out = run_path(plan, &spec, p, None)?;
        // Exactly `days` and `months` values per path.
        let (days, months) = (plan.days, plan.months.len());
        part.daily
            .extend((0..days).map(|d| out.daily.get(d).copied().unwrap_or(0.0)));
        part.spend
            .extend((0..months).map(|m| out.month_spend.get(m).copied().unwrap_or_default()));
        part.counts.add(&out);
        if let Some(d) = out.detail {
            part.detail = Some((d, out.recharges));
        }
    }
    Ok(part)
}

/// Run paths `0..paths`: path 0 with details and the ledger `ledger0`, the others with no ledger.
pub(crate) fn run_all(
    plan: &Plan<'_>,
    config: &AccountConfig,
    threshold: Decimal,
    paths: u32,
    ledger0: LedgerMode,
) -> Result<Aggregate, Error> {
    let part = run_range(plan, config, threshold, (0, paths.max(1)), ledger0)?;
    reduce(plan, paths.max(1), vec![part])
}

/// Percentile bands and the other figures over paths `0..paths`, from ranges that cover them
/// once each, in order, the first holding path 0 with its details.
pub(crate) fn reduce(plan: &Plan<'_>, paths: u32, parts: Vec<Partial>) -> Result<Aggregate, Error> {
    let np = paths.max(1) as usize;
    let days = plan.days;
    let months = plan.months.len();
    let bad = |m: String| {
        Err(Error::new(
            crate::error::ErrorCode::InvalidInput,
            "parts",
            m,
        ))
    };
    // Day-major, so that each day's values are contiguous for selection.
    let mut daily = vec![0.0f64; days * np];
    let mut spend = vec![Decimal::ZERO; months * np];
    let mut counts = Counts::default();
    let mut detail = None;
    let mut next = 0u32;
    for part in parts {
        if part.from != next || part.to <= part.from || part.to as usize > np {
            return bad(format!(
                "paths {}..{} do not continue paths 0..{next} of {np}",
                part.from, part.to
            ));
        }
        let n = (part.to - part.from) as usize;
        if part.daily.len() != n * days || part.spend.len() != n * months {
            return bad(format!(
                "paths {}..{}: wrong number of values",
                part.from, part.to
            ));
        }
        for (i, row) in part.daily.chunks(days.max(1)).enumerate() {
            let p = part.from as usize + i;
            for (d, v) in row.iter().enumerate() {
                if let Some(x) = daily.get_mut(d * np + p) {
                    *x = *v;
                }
            }
        }
        for (i, row) in part.spend.chunks(months.max(1)).enumerate() {
            let p = part.from as usize + i;
            for (m, v) in row.iter().enumerate() {
                if let Some(x) = spend.get_mut(m * np + p) {
                    *x = *v;
                }
            }
        }
        counts.merge(part.counts);
        if part.from == 0 {
            detail = part.detail;
        }
        next = part.to;
    }
    if next as usize != np {
        return bad(format!("paths {next}..{np} are missing"));
    }
    let Some((detail, path0_recharges)) = detail else {
        return bad("path 0 was not run with its details".to_string());
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

    let (interruption, failure, bins, mean) = counts.figures(np, months);
    Ok(Aggregate {
        detail,
        path0_recharges,
        bands,
        monthly_spend,
        interruption_probability: interruption,
        recharge_failure_probability: failure,
        recharges_per_month: bins,
        mean_recharges: mean,
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
