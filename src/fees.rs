//! The carrier pass-through fee schedule, indexed for lookup by carrier, channel, direction,
//! number type and time. Fees are passed through at cost: no markup is ever applied here.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::ratecard::{Direction, FeeChannel, FeeDirection, NumberType, RateCard};
use crate::time::{parse_instant, Instant};

type Span = (Instant, Instant, Decimal);

/// Fee spans per carrier, channel, direction and number type, each list sorted by start:
/// `(from, until, amount)`, `until` exclusive. The lists sit in a flat table indexed by those
/// four (see [`slot`]): one index computation per lookup instead of hashing a key.
#[derive(Debug, Clone, Default)]
pub struct FeeIndex {
    table: Vec<Vec<Span>>,
}

/// Channels × directions × number types: the lists per carrier.
const PER_CARRIER: usize = 2 * 2 * 3;

/// Where a key's list sits in the table.
fn slot(carrier: u16, channel: FeeChannel, direction: Direction, number_type: NumberType) -> usize {
    let channel = match channel {
        FeeChannel::Sms => 0,
        FeeChannel::Mms => 1,
    };
    let direction = match direction {
        Direction::Outbound => 0,
        Direction::Inbound => 1,
    };
    let number_type = match number_type {
        NumberType::TenDlc => 0,
        NumberType::TollFree => 1,
        NumberType::ShortCode => 2,
    };
    usize::from(carrier) * PER_CARRIER + (channel * 2 + direction) * 3 + number_type
}

impl FeeIndex {
    /// Build from a validated card; `carrier_ids` gives each carrier its index.
    pub fn build(card: &RateCard, carrier_index: &HashMap<String, u16>) -> FeeIndex {
        let mut table: Vec<Vec<Span>> = Vec::new();
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
                let k = slot(c, e.channel, d, e.number_type);
                if table.len() <= k {
                    // Up to the carrier's last list: the table ends with the last carrier that
                    // has a fee.
                    table.resize_with((usize::from(c) + 1) * PER_CARRIER, Vec::new);
                }
                if let Some(v) = table.get_mut(k) {
                    v.push((from, until, e.amount.0));
                }
            }
        }
        for v in &mut table {
            v.sort_by_key(|s| s.0);
        }
        FeeIndex { table }
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
            .table
            .get(slot(carrier, channel, direction, number_type))?;
        match at {
            Some(t) => v.iter().find(|s| s.0 <= t && t < s.1).map(|s| s.2),
            None => v.iter().find(|s| s.1 == Instant::MAX).map(|s| s.2),
        }
    }

    /// Every start and end of a fee span strictly between `from` and `to`, sorted, once each.
    pub fn boundaries(&self, from: Instant, to: Instant) -> Vec<Instant> {
        let mut v: Vec<Instant> = self
            .table
            .iter()
            .flatten()
            .flat_map(|s| [s.0, s.1])
            .filter(|t| *t > from && *t < to)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}
