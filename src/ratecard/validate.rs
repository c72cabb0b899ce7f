//! Rate-card rules beyond shape: every problem is reported at once, each with its path.

use rust_decimal::Decimal;

use super::*;
use crate::error::{ErrorCode as C, Quoted};
use crate::money::Rounding;
use crate::time::parse_instant;

pub const MAX_SERVICES: usize = 256;
pub const MAX_TIERS: usize = 100;
pub const MAX_CARRIERS: usize = 256;
pub const MAX_FEE_ENTRIES: usize = 2_000;
/// Longest voice billing increment accepted (one hour).
pub const MAX_INCREMENT_SECONDS: u32 = 3_600;
/// Longest deferral of carrier fees accepted (one week).
pub const MAX_DEFER_HOURS: u32 = 168;

struct Check {
    errors: Errors,
}

impl Check {
    fn err(&mut self, code: C, path: impl Into<String>, msg: impl Into<String>) {
        self.errors.push(Error::new(code, path, msg));
    }

    fn non_negative(&mut self, v: Option<Dec>, path: &str, what: &str) {
        if let Some(d) = v {
            if d.0.is_sign_negative() && !d.0.is_zero() {
                self.err(
                    C::NegativeValue,
                    path,
                    format!("{what} must not be negative (got {d})"),
                );
            }
        }
    }

    fn rounding(&mut self, r: Rounding, path: &str) {
        if r.scale > Rounding::MAX_SCALE {
            self.err(
                C::OutOfRange,
                format!("{path}.scale"),
                format!(
                    "scale {} is above the maximum of {}",
                    r.scale,
                    Rounding::MAX_SCALE
                ),
            );
        }
    }

    fn not_for(&mut self, present: bool, path: &str, field: &str, what: &str) {
        if present {
            self.err(
                C::NotApplicable,
                format!("{path}.{field}"),
                format!("`{field}` does not apply to {what}"),
            );
        }
    }

    fn pricing(&mut self, p: &Pricing, path: &str) {
        let model = p.model;
        let what = match model {
            PricingModel::Flat => "the flat model",
            PricingModel::Graduated => "the graduated model",
            PricingModel::Volume => "the volume model",
            PricingModel::Package => "the package model",
        };
        match model {
            PricingModel::Flat => {
                if p.unit_price.is_none() {
                    self.err(
                        C::MissingField,
                        format!("{path}.unitPrice"),
                        "the flat model needs `unitPrice`",
                    );
                }
                self.non_negative(p.unit_price, &format!("{path}.unitPrice"), "unitPrice");
                self.not_for(p.tiers.is_some(), path, "tiers", what);
                self.not_for(p.package_size.is_some(), path, "packageSize", what);
                self.not_for(p.package_price.is_some(), path, "packagePrice", what);
            }
            PricingModel::Graduated | PricingModel::Volume => {
                self.not_for(p.unit_price.is_some(), path, "unitPrice", what);
                self.not_for(p.package_size.is_some(), path, "packageSize", what);
                self.not_for(p.package_price.is_some(), path, "packagePrice", what);
                match &p.tiers {
                    None => self.err(
                        C::MissingField,
                        format!("{path}.tiers"),
                        format!("{what} needs `tiers`"),
                    ),
                    Some(tiers) => self.tiers(tiers, &format!("{path}.tiers")),
                }
            }
            PricingModel::Package => {
                self.not_for(p.unit_price.is_some(), path, "unitPrice", what);
                self.not_for(p.tiers.is_some(), path, "tiers", what);
                match p.package_size {
                    None => self.err(
                        C::MissingField,
                        format!("{path}.packageSize"),
                        "the package model needs `packageSize`",
                    ),
                    Some(s) if s.0 <= Decimal::ZERO => self.err(
                        C::OutOfRange,
                        format!("{path}.packageSize"),
                        format!("packageSize must be above zero (got {s})"),
                    ),
                    _ => {}
                }
                if p.package_price.is_none() {
                    self.err(
                        C::MissingField,
                        format!("{path}.packagePrice"),
                        "the package model needs `packagePrice`",
                    );
                }
                self.non_negative(
                    p.package_price,
                    &format!("{path}.packagePrice"),
                    "packagePrice",
                );
            }
        }
        self.non_negative(p.included, &format!("{path}.included"), "included");
        self.non_negative(
            p.minimum_per_event,
            &format!("{path}.minimumPerEvent"),
            "minimumPerEvent",
        );
    }

    fn tiers(&mut self, tiers: &[Tier], path: &str) {
        if tiers.is_empty() {
            self.err(C::MissingField, path, "at least one tier is needed");
            return;
        }
        if tiers.len() > MAX_TIERS {
            self.err(
                C::LimitExceeded,
                path,
                format!("{} tiers; the limit is {MAX_TIERS}", tiers.len()),
            );
            return;
        }
        let mut prev: Option<Decimal> = None;
        let last = tiers.len() - 1;
        for (i, t) in tiers.iter().enumerate() {
            let tp = format!("{path}[{i}]");
            self.non_negative(Some(t.unit_price), &format!("{tp}.unitPrice"), "unitPrice");
            match t.up_to {
                None if i != last => self.err(
                    C::TiersOutOfOrder,
                    format!("{tp}.upTo"),
                    "only the last tier may be unbounded (`upTo: null`)",
                ),
                None => {}
                Some(u) => {
                    if i == last {
                        self.err(
                            C::TiersOutOfOrder,
                            format!("{tp}.upTo"),
                            "the last tier must be unbounded (`upTo: null`) so every volume has a price",
                        );
                    }
                    if u.0 <= Decimal::ZERO {
                        self.err(
                            C::OutOfRange,
                            format!("{tp}.upTo"),
                            format!("upTo must be above zero (got {u})"),
                        );
                    }
                    if let Some(p) = prev {
                        if u.0 <= p {
                            self.err(
                                C::TiersOutOfOrder,
                                format!("{tp}.upTo"),
                                format!(
                                    "upTo {u} is not above the previous tier's {}",
                                    p.normalize()
                                ),
                            );
                        }
                    }
                    prev = Some(u.0);
                }
            }
        }
    }
}

fn valid_id(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic())
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && s.len() <= 64
}

/// Validate a parsed rate card: all problems at once.
pub fn validate(card: &RateCard) -> Result<(), Errors> {
    let mut ck = Check {
        errors: Errors::default(),
    };
    if card.version != 1 {
        ck.err(
            C::InvalidValue,
            "version",
            format!("version {} is not supported; use 1", card.version),
        );
    }
    if card.currency.len() != 3 || !card.currency.chars().all(|c| c.is_ascii_uppercase()) {
        ck.err(
            C::InvalidValue,
            "currency",
            format!(
                "{} is not an ISO 4217 code such as \"USD\"",
                Quoted(&card.currency)
            ),
        );
    }
    if let Some(d) = &card.effective_from {
        if let Err(m) = parse_instant(d) {
            ck.err(C::InvalidDate, "effectiveFrom", m);
        }
    }
    if let Some(r) = card.rounding.event {
        ck.rounding(r, "rounding.event");
    }
    ck.rounding(card.rounding.statement, "rounding.statement");
    ck.rounding(card.rounding.invoice, "rounding.invoice");

    if card.services.is_empty() {
        ck.err(
            C::MissingField,
            "services",
            "a rate card needs at least one service",
        );
    }
    if card.services.len() > MAX_SERVICES {
        ck.err(
            C::LimitExceeded,
            "services",
            format!(
                "{} services; the limit is {MAX_SERVICES}",
                card.services.len()
            ),
        );
    }
    for (id, s) in &card.services {
        let path = format!("services.{id}");
        if !valid_id(id) {
            ck.err(
                C::InvalidValue,
                &path,
                format!("service id {} must start with a letter and use letters, digits, '_', '-' or '.' (64 at most)", Quoted(id)),
            );
        }
        ck.pricing(&s.pricing, &format!("{path}.pricing"));
        if let Some(p) = &s.inbound_pricing {
            ck.pricing(p, &format!("{path}.inboundPricing"));
        }
        let kind = s.kind;
        let is_voice = kind == ServiceKind::Voice;
        match (is_voice, s.billing) {
            (true, None) => ck.err(
                C::MissingField,
                format!("{path}.billing"),
                "a voice service needs `billing` increments",
            ),
            (true, Some(b)) => {
                for (v, f) in [
                    (b.first_increment, "firstIncrement"),
                    (b.next_increment, "nextIncrement"),
                ] {
                    if v == 0 || v > MAX_INCREMENT_SECONDS {
                        ck.err(
                            C::OutOfRange,
                            format!("{path}.billing.{f}"),
                            format!("{f} must be 1 to {MAX_INCREMENT_SECONDS} seconds (got {v})"),
                        );
                    }
                }
            }
            (false, b) => ck.not_for(b.is_some(), &path, "billing", "a service that is not voice"),
        }
        if is_voice {
            ck.non_negative(s.connect_fee, &format!("{path}.connectFee"), "connectFee");
        } else {
            ck.not_for(
                s.connect_fee.is_some(),
                &path,
                "connectFee",
                "a service that is not voice",
            );
        }
        ck.not_for(
            s.segmentation.is_some() && kind != ServiceKind::Sms,
            &path,
            "segmentation",
            "a service that is not SMS",
        );
    }

    if card.carriers.len() > MAX_CARRIERS {
        ck.err(
            C::LimitExceeded,
            "carriers",
            format!(
                "{} carriers; the limit is {MAX_CARRIERS}",
                card.carriers.len()
            ),
        );
    }
    for (i, c) in card.carriers.iter().enumerate() {
        if !valid_id(&c.id) {
            ck.err(
                C::InvalidValue,
                format!("carriers[{i}].id"),
                format!("carrier id {} is not a valid id", Quoted(&c.id)),
            );
        }
        if let Some(j) = card.carriers[..i].iter().position(|o| o.id == c.id) {
            ck.err(
                C::DuplicateEntry,
                format!("carriers[{i}].id"),
                format!(
                    "carrier {} is already listed at carriers[{j}]",
                    Quoted(&c.id)
                ),
            );
        }
    }

    let fees = &card.carrier_fees;
    match (fees.timing, fees.defer_hours) {
        (FeeTiming::Immediate, Some(_)) => ck.err(
            C::NotApplicable,
            "carrierFees.deferHours",
            "`deferHours` applies only to `timing: \"deferred\"`",
        ),
        (FeeTiming::Deferred, Some(h)) if h == 0 || h > MAX_DEFER_HOURS => ck.err(
            C::OutOfRange,
            "carrierFees.deferHours",
            format!("deferHours must be 1 to {MAX_DEFER_HOURS} (got {h})"),
        ),
        _ => {}
    }
    if fees.schedule.len() > MAX_FEE_ENTRIES {
        ck.err(
            C::LimitExceeded,
            "carrierFees.schedule",
            format!(
                "{} entries; the limit is {MAX_FEE_ENTRIES}",
                fees.schedule.len()
            ),
        );
        return ck.errors.into_result();
    }
    // (index, from, until) of entries that parsed, for the overlap check.
    let mut spans: Vec<(usize, i64, i64)> = Vec::with_capacity(fees.schedule.len());
    for (i, e) in fees.schedule.iter().enumerate() {
        let p = format!("carrierFees.schedule[{i}]");
        if !card.carriers.iter().any(|c| c.id == e.carrier) {
            ck.err(
                C::UnknownCarrier,
                format!("{p}.carrier"),
                format!("carrier {} is not in `carriers`", Quoted(&e.carrier)),
            );
        }
        ck.non_negative(Some(e.amount), &format!("{p}.amount"), "amount");
        let from = parse_instant(&e.from)
            .map_err(|m| ck.err(C::InvalidDate, format!("{p}.from"), m))
            .ok();
        let until = match &e.until {
            None => Some(i64::MAX),
            Some(u) => parse_instant(u)
                .map_err(|m| ck.err(C::InvalidDate, format!("{p}.until"), m))
                .ok(),
        };
        if let (Some(f), Some(u)) = (from, until) {
            if u <= f {
                ck.err(
                    C::InvalidDate,
                    format!("{p}.until"),
                    "`until` must be after `from`",
                );
            } else {
                spans.push((i, f, u));
            }
        }
    }
    for (a, &(i, fi, ui)) in spans.iter().enumerate() {
        let ei = &fees.schedule[i];
        for &(j, fj, uj) in &spans[..a] {
            let ej = &fees.schedule[j];
            let same_key = ei.carrier == ej.carrier
                && ei.channel == ej.channel
                && ei.number_type == ej.number_type
                && (ei.direction == ej.direction
                    || ei.direction == FeeDirection::Both
                    || ej.direction == FeeDirection::Both);
            if same_key && fi < uj && fj < ui {
                ck.err(
                    C::OverlappingFees,
                    format!("carrierFees.schedule[{i}]"),
                    format!(
                        "overlaps carrierFees.schedule[{j}] for {} {:?} {:?} {:?}",
                        ei.carrier, ei.channel, ei.direction, ei.number_type
                    ),
                );
            }
        }
    }
    ck.errors.into_result()
}
