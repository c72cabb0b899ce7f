//! Aggregated usage: one event of one service made of several parts (carriers, segment counts,
//! call lengths, directions), rated part by part and charged as one. A projection step is one
//! such event per service; an hourly CDR summary is another natural source.

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Counters, Rated, RatingEngine, UsageEvent};
use crate::error::{Error, ErrorCode as C};
use crate::input::own_cow;
use crate::money::{add, Dec};
use crate::ratecard::{Direction, NumberType, PricingModel, ServiceKind};
use crate::time::Instant;

/// Most parts in one aggregated usage event.
pub const MAX_PARTS: usize = 1000;

/// One part of an aggregated usage event: the fields of a `rate()` event but `service` and `at`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[serde(bound(deserialize = "'de: 'a"))]
pub struct UsagePart<'a> {
    #[serde(
        default,
        deserialize_with = "crate::input::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub direction: Option<Direction>,
    #[serde(
        default,
        deserialize_with = "crate::input::opt_cow",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<Cow<'a, str>>,
    #[serde(
        default,
        deserialize_with = "crate::input::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub segments: Option<u32>,
    #[serde(
        default,
        deserialize_with = "crate::input::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<u32>,
    #[serde(
        default,
        deserialize_with = "crate::input::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub duration_seconds: Option<Dec>,
    #[serde(
        default,
        deserialize_with = "crate::input::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Dec>,
    #[serde(
        default,
        deserialize_with = "crate::input::opt_cow",
        skip_serializing_if = "Option::is_none"
    )]
    pub carrier: Option<Cow<'a, str>>,
    #[serde(
        default,
        deserialize_with = "crate::input::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub number_type: Option<NumberType>,
}

impl UsagePart<'_> {
    /// A copy that borrows nothing.
    pub fn into_owned(self) -> UsagePart<'static> {
        UsagePart {
            direction: self.direction,
            text: own_cow(self.text),
            segments: self.segments,
            count: self.count,
            duration_seconds: self.duration_seconds,
            quantity: self.quantity,
            carrier: own_cow(self.carrier),
            number_type: self.number_type,
        }
    }

    fn event<'s>(&'s self, service: &'s str) -> UsageEvent<'s> {
        UsageEvent {
            service: Cow::Borrowed(service),
            direction: self.direction.unwrap_or_default(),
            text: self.text.as_deref().map(Cow::Borrowed),
            segments: self.segments,
            count: self.count,
            duration_seconds: self.duration_seconds,
            quantity: self.quantity,
            carrier: self.carrier.as_deref().map(Cow::Borrowed),
            number_type: self.number_type,
            at: None,
        }
    }
}

/// The counters of one service (both directions) in one period, as they were before an
/// aggregated event, so that refused usage can be put back exactly.
#[derive(Debug, Clone, Copy)]
pub struct Checkpoint {
    slots: [((u32, i64), Option<Decimal>); 2],
}

impl Counters {
    pub(crate) fn checkpoint(&self, service: u32, period: i64) -> Checkpoint {
        let key = |slot: u32| {
            let k = (slot, period);
            (k, self.used.get(&k).copied())
        };
        Checkpoint {
            slots: [key(service * 2), key(service * 2 + 1)],
        }
    }

    pub(crate) fn restore(&mut self, cp: &Checkpoint) {
        for (k, v) in cp.slots {
            match v {
                Some(v) => {
                    self.used.insert(k, v);
                }
                None => {
                    self.used.remove(&k);
                }
            }
        }
        self.last = None;
    }
}

impl RatingEngine {
    /// Index of a service, or `UNKNOWN_SERVICE` at `service`.
    pub(crate) fn service_index(&self, name: &str) -> Result<u32, Error> {
        let probe = UsageEvent {
            service: Cow::Borrowed(name),
            ..UsageEvent::default()
        };
        self.slot(&probe).map(|(i, _)| i)
    }

    /// Rate the parts of an aggregated event of `service` in order (tiers and allowances move
    /// through them as through separate events) and add them up. Usage and fees are normalised
    /// (no trailing zeros). On error nothing is consumed: the counters are as before. On success
    /// the checkpoint lets the caller put them back (refused usage).
    pub fn rate_parts(
        &self,
        service: &str,
        parts: &[UsagePart<'_>],
        at: Option<Instant>,
        counters: &mut Counters,
        period: i64,
    ) -> Result<(Rated, Checkpoint), Error> {
        let si = self.service_index(service)?;
        if parts.is_empty() {
            return Err(Error::new(
                C::InvalidValue,
                "parts",
                "an aggregated usage event needs at least one part",
            ));
        }
        if parts.len() > MAX_PARTS {
            return Err(Error::new(
                C::LimitExceeded,
                "parts",
                format!("{} parts; the limit is {MAX_PARTS}", parts.len()),
            ));
        }
        let cp = counters.checkpoint(si, period);
        let mut usage = Decimal::ZERO;
        let mut fees = Decimal::ZERO;
        for (i, p) in parts.iter().enumerate() {
            let r = self
                .rate_totals(&p.event(service), at, counters, period)
                .and_then(|r| {
                    usage = add(usage, r.usage.0, "")?;
                    fees = add(fees, r.carrier_fees.0, "")?;
                    Ok(())
                });
            // The checkpoint, not `last`, undoes the parts.
            counters.last = None;
            if let Err(e) = r {
                counters.restore(&cp);
                return Err(e.at(&format!("parts[{i}]")));
            }
        }
        let total = match add(usage, fees, "parts") {
            Ok(t) => t,
            Err(e) => {
                counters.restore(&cp);
                return Err(e);
            }
        };
        Ok((
            Rated {
                service: self.service_id(si),
                usage: Dec(usage.normalize()),
                carrier_fees: Dec(fees.normalize()),
                total: Dec(total.normalize()),
            },
            cp,
        ))
    }

    /// The id of service `i`, shared with every charge the engine makes.
    pub(crate) fn service_id(&self, i: u32) -> std::sync::Arc<str> {
        self.services
            .get(i as usize)
            .map(|s| s.id.clone())
            .unwrap_or_else(|| std::sync::Arc::from(""))
    }

    /// The charge per unit of `count` of a part, `(usage, carrier fee)` at `at`, when the part's
    /// charge is exactly `count` times it whatever came before (flat price, no allowance, no
    /// minimum, no per-event rounding, a whole number of minutes per call to 12 places); `None`
    /// when it is not, or the part is invalid (rate it normally to get the error).
    pub fn linear_unit(
        &self,
        service: &str,
        part: &UsagePart<'_>,
        at: Option<Instant>,
    ) -> Option<(Decimal, Decimal)> {
        if self.card.rounding.event.is_some() || part.count.is_some() || part.text.is_some() {
            return None;
        }
        let si = self.service_index(service).ok()?;
        let s = self.services.get(si as usize)?;
        let pricing = match (part.direction.unwrap_or_default(), &s.inbound) {
            (Direction::Inbound, Some(p)) => p,
            _ => &s.outbound,
        };
        let linear = pricing.model == PricingModel::Flat
            && pricing.included.is_none_or(|d| d.0.is_zero())
            && pricing.minimum_per_event.is_none();
        if !linear {
            return None;
        }
        if s.kind == ServiceKind::Voice {
            // Minutes are rounded to 12 places on the event's total: exact (so linear) when a
            // call's billable seconds are a multiple of 3.
            let billing = s.billing.unwrap_or(crate::ratecard::VoiceBilling {
                first_increment: 60,
                next_increment: 60,
            });
            let secs = super::billable_seconds(part.duration_seconds?.0, billing).ok()?;
            if !(secs % Decimal::from(3)).is_zero() {
                return None;
            }
        }
        let mut scratch = Counters::new();
        let r = self
            .rate_totals(&part.event(service), at, &mut scratch, 0)
            .ok()?;
        Some((r.usage.0, r.carrier_fees.0))
    }

    /// Instants in `(from, to)` at which a carrier fee starts or ends.
    pub fn fee_changes(&self, from: Instant, to: Instant) -> Vec<Instant> {
        self.fees.boundaries(from, to)
    }
}
