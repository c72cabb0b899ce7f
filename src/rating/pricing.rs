//! Pricing models applied to a quantity, given the units already used in the period. Each model
//! is incremental: the charge for an event is what the period total grows by, so rating events
//! one by one gives the same period total as rating them all at once.

use rust_decimal::Decimal;

use super::{Line, LineKind};
use crate::error::Error;
use crate::money::{add, mul, sub};
use crate::ratecard::{Pricing, PricingModel, Tier};

fn zero_max(d: Decimal) -> Decimal {
    if d.is_sign_negative() {
        Decimal::ZERO
    } else {
        d
    }
}

fn line(
    kind: LineKind,
    quantity: Decimal,
    unit_price: Decimal,
    amount: Decimal,
    tier: Option<u32>,
) -> Line {
    Line {
        kind,
        quantity: Some(quantity.into()),
        unit_price: Some(unit_price.into()),
        amount: amount.into(),
        tier,
        carrier: None,
        number_type: None,
        deferred: false,
    }
}

/// Index and price of the tier that holds unit number `n` (volume: the tier the total falls in).
fn volume_tier(tiers: &[Tier], n: Decimal) -> (usize, Decimal) {
    for (i, t) in tiers.iter().enumerate() {
        match t.up_to {
            Some(u) if n > u.0 => continue,
            _ => return (i, t.unit_price.0),
        }
    }
    // Validation makes the last tier unbounded; an empty list prices at zero.
    (
        tiers.len().saturating_sub(1),
        tiers.last().map(|t| t.unit_price.0).unwrap_or_default(),
    )
}

fn blocks(n: Decimal, size: Decimal, path: &str) -> Result<Decimal, Error> {
    if size <= Decimal::ZERO {
        return Ok(Decimal::ZERO);
    }
    crate::money::ceil_div(n, size).ok_or_else(|| Error::overflow(path))
}

/// Price `q` units after `used` units of the period. Appends lines; returns the usage amount.
pub(super) fn price_units(
    p: &Pricing,
    used: Decimal,
    q: Decimal,
    lines: &mut Vec<Line>,
    path: &str,
) -> Result<Decimal, Error> {
    if p.model == PricingModel::Flat && p.included.is_none() {
        // No allowance: the units used before do not matter.
        if q <= Decimal::ZERO {
            return Ok(Decimal::ZERO);
        }
        let price = p.unit_price.map(|d| d.0).unwrap_or_default();
        let amount = mul(q, price, path)?;
        lines.push(line(LineKind::Usage, q, price, amount, None));
        return minimum(p, amount, lines, path);
    }
    let included = p.included.map(|d| d.0).unwrap_or_default();
    let left = zero_max(sub(included, used, path)?);
    let free = left.min(q);
    if free > Decimal::ZERO {
        lines.push(line(
            LineKind::Allowance,
            free,
            Decimal::ZERO,
            Decimal::ZERO,
            None,
        ));
    }
    let chargeable = sub(q, free, path)?;
    if chargeable <= Decimal::ZERO {
        return Ok(Decimal::ZERO);
    }
    let b0 = zero_max(sub(used, included, path)?);
    let b1 = add(b0, chargeable, path)?;
    let mut amount = Decimal::ZERO;
    match p.model {
        PricingModel::Flat => {
            let price = p.unit_price.map(|d| d.0).unwrap_or_default();
            amount = mul(chargeable, price, path)?;
            lines.push(line(LineKind::Usage, chargeable, price, amount, None));
        }
        PricingModel::Graduated => {
            let tiers = p.tiers.as_deref().unwrap_or(&[]);
            let mut lower = Decimal::ZERO;
            for (i, t) in tiers.iter().enumerate() {
                let upper = t.up_to.map(|u| u.0);
                let hi = match upper {
                    Some(u) => u.min(b1),
                    None => b1,
                };
                let lo = lower.max(b0);
                if hi > lo {
                    let n = sub(hi, lo, path)?;
                    let a = mul(n, t.unit_price.0, path)?;
                    amount = add(amount, a, path)?;
                    lines.push(line(LineKind::Usage, n, t.unit_price.0, a, Some(i as u32)));
                }
                match upper {
                    Some(u) if u < b1 => lower = u,
                    _ => break,
                }
            }
        }
        PricingModel::Volume => {
            let tiers = p.tiers.as_deref().unwrap_or(&[]);
            let (i1, p1) = volume_tier(tiers, b1);
            let a = mul(chargeable, p1, path)?;
            amount = a;
            lines.push(line(LineKind::Usage, chargeable, p1, a, Some(i1 as u32)));
            if b0 > Decimal::ZERO {
                let (_, p0) = volume_tier(tiers, b0);
                if p0 != p1 {
                    let delta = sub(p1, p0, path)?;
                    let adj = mul(b0, delta, path)?;
                    amount = add(amount, adj, path)?;
                    lines.push(line(
                        LineKind::VolumeAdjustment,
                        b0,
                        delta,
                        adj,
                        Some(i1 as u32),
                    ));
                }
            }
        }
        PricingModel::Package => {
            let size = p.package_size.map(|d| d.0).unwrap_or_default();
            let price = p.package_price.map(|d| d.0).unwrap_or_default();
            let new_blocks = sub(blocks(b1, size, path)?, blocks(b0, size, path)?, path)?;
            amount = mul(new_blocks, price, path)?;
            lines.push(line(LineKind::Package, new_blocks, price, amount, None));
        }
    }
    minimum(p, amount, lines, path)
}

/// The per-event minimum: a `minimumCharge` line tops the usage amount up to it.
fn minimum(
    p: &Pricing,
    amount: Decimal,
    lines: &mut Vec<Line>,
    path: &str,
) -> Result<Decimal, Error> {
    match p.minimum_per_event {
        Some(min) if amount < min.0 => {
            let top_up = sub(min.0, amount, path)?;
            lines.push(Line {
                kind: LineKind::MinimumCharge,
                quantity: None,
                unit_price: None,
                amount: top_up.into(),
                tier: None,
                carrier: None,
                number_type: None,
                deferred: false,
            });
            Ok(min.0)
        }
        _ => Ok(amount),
    }
}
