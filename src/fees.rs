//! The carrier pass-through fee schedule, indexed for lookup by carrier, channel, direction,
//! number type and time. Fees are passed through at cost: no markup is ever applied here.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use rust_decimal::Decimal;

use crate::ratecard::{Direction, FeeChannel, FeeDirection, NumberType, RateCard};
use crate::time::{parse_instant, Instant};

type Key = (u16, FeeChannel, Direction, NumberType);

/// Fee spans per key, sorted by start: `(from, until, amount)`, `until` exclusive.
#[derive(Debug, Clone, Default)]
pub struct FeeIndex {
    spans: FxHashMap<Key, Vec<(Instant, Instant, Decimal)>>,
}

impl FeeIndex {
    /// Build from a validated card; `carrier_ids` gives each carrier its index.
    pub fn build(card: &RateCard, carrier_index: &HashMap<String, u16>) -> FeeIndex {
        let mut spans: FxHashMap<Key, Vec<(Instant, Instant, Decimal)>> = FxHashMap::default();
        for e in &card.carrier_fees.schedule {
            let Some(&c) = carrier_index.get(&e.carrier) else {
                continue;
            };
            let Ok(from) = parse_instant(&e.from) else {
                continue;
            };
            let until = match &e.until {
                None => Instant::MAX,
                Some(u) => match parse_instant(u) {
                    Ok(u) => u,
                    Err(_) => continue,
                },
            };
            let dirs: &[Direction] = match e.direction {
                FeeDirection::Both => &[Direction::Outbound, Direction::Inbound],
                FeeDirection::Outbound => &[Direction::Outbound],
                FeeDirection::Inbound => &[Direction::Inbound],
            };
            for &d in dirs {
                spans
                    .entry((c, e.channel, d, e.number_type))
                    .or_default()
                    .push((from, until, e.amount.0));
            }
        }
        for v in spans.values_mut() {
            v.sort_by_key(|s| s.0);
        }
        FeeIndex { spans }
    }

    /// The fee per unit in force at `at`; without a time, the open-ended (current) entry.
    pub fn lookup(
        &self,
        carrier: u16,
        channel: FeeChannel,
        direction: Direction,
        number_type: NumberType,
        at: Option<Instant>,
    ) -> Option<Decimal> {
        let v = self
            .spans
            .get(&(carrier, channel, direction, number_type))?;
        match at {
            Some(t) => v.iter().find(|s| s.0 <= t && t < s.1).map(|s| s.2),
            None => v.iter().find(|s| s.1 == Instant::MAX).map(|s| s.2),
        }
    }

    /// Every start and end of a fee span strictly between `from` and `to`, sorted, once each.
    pub fn boundaries(&self, from: Instant, to: Instant) -> Vec<Instant> {
        let mut v: Vec<Instant> = self
            .spans
            .values()
            .flatten()
            .flat_map(|s| [s.0, s.1])
            .filter(|t| *t > from && *t < to)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}
