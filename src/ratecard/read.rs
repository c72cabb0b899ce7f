//! Reading a rate card from JSON by hand.
//!
//! serde's derived `Deserialize` for the card's dozen structs and enums took about 65 KB of the
//! rating core's WASM (21 KB gzipped). These readers go through the same deserializer's reading
//! methods ([`crate::input::json::Deserializer::object`] and the rest) and give the same values,
//! errors, messages and paths: `tests/card_reader.rs` checks them against a serde-derived copy of
//! the schema. `RateCard`'s `Deserialize` (for a card inside a larger input) reads through them
//! too, so there is one definition of the card's JSON shape.

use serde::de::{self, Deserialize, Deserializer};
use std::collections::BTreeMap;

use super::*;
use crate::error::Error;
use crate::input::json::{Deserializer as Json, Result};
use crate::money::{Dec, Rounding, Strategy};

/// The value of a field that must be given.
fn required<T>(v: Option<T>, field: &'static str) -> Result<T> {
    v.ok_or_else(|| de::Error::missing_field(field))
}

fn optional_text(d: &mut Json<'_>) -> Result<Option<String>> {
    d.nullable(Json::text)
}

fn optional_dec(d: &mut Json<'_>) -> Result<Option<Dec>> {
    d.nullable(Dec::read)
}

fn list<T>(d: &mut Json<'_>, item: impl Fn(&mut Json<'_>) -> Result<T>) -> Result<Vec<T>> {
    let mut out = Vec::new();
    d.list(&"a sequence", &mut |d, _| {
        out.push(item(d)?);
        Ok(())
    })?;
    Ok(out)
}

fn rounding(d: &mut Json<'_>) -> Result<Rounding> {
    let (mut scale, mut strat) = (None, None);
    d.object(&"struct Rounding", &["scale", "strategy"], &mut |d, i| {
        match i {
            0 => scale = Some(d.uint32()?),
            _ => strat = Some(d.one_of()?),
        }
        Ok(())
    })?;
    Ok(Rounding {
        scale: required(scale, "scale")?,
        strategy: required(strat, "strategy")?,
    })
}

fn rounding_points(d: &mut Json<'_>) -> Result<RoundingPoints> {
    let (mut event, mut statement, mut invoice) = (None, None, None);
    d.object(
        &"struct RoundingPoints",
        &["event", "statement", "invoice"],
        &mut |d, i| {
            match i {
                0 => event = d.nullable(rounding)?,
                1 => statement = Some(rounding(d)?),
                _ => invoice = Some(rounding(d)?),
            }
            Ok(())
        },
    )?;
    Ok(RoundingPoints {
        event,
        statement: required(statement, "statement")?,
        invoice: required(invoice, "invoice")?,
    })
}

fn source(d: &mut Json<'_>) -> Result<Source> {
    let (mut title, mut url, mut note) = (None, None, None);
    d.object(&"struct Source", &["title", "url", "note"], &mut |d, i| {
        match i {
            0 => title = Some(d.text()?),
            1 => url = optional_text(d)?,
            _ => note = optional_text(d)?,
        }
        Ok(())
    })?;
    Ok(Source {
        title: required(title, "title")?,
        url,
        note,
    })
}

fn tier(d: &mut Json<'_>) -> Result<Tier> {
    let (mut up_to, mut unit_price) = (None, None);
    d.object(&"struct Tier", &["upTo", "unitPrice"], &mut |d, i| {
        match i {
            0 => up_to = optional_dec(d)?,
            _ => unit_price = Some(Dec::read(d)?),
        }
        Ok(())
    })?;
    Ok(Tier {
        up_to,
        unit_price: required(unit_price, "unitPrice")?,
    })
}

fn pricing(d: &mut Json<'_>) -> Result<Pricing> {
    let mut model = None;
    let mut p = Pricing {
        model: PricingModel::Flat,
        unit_price: None,
        tiers: None,
        package_size: None,
        package_price: None,
        included: None,
        minimum_per_event: None,
    };
    const FIELDS: &[&str] = &[
        "model",
        "unitPrice",
        "tiers",
        "packageSize",
        "packagePrice",
        "included",
        "minimumPerEvent",
    ];
    d.object(&"struct Pricing", FIELDS, &mut |d, i| {
        match i {
            0 => model = Some(d.one_of()?),
            1 => p.unit_price = optional_dec(d)?,
            2 => p.tiers = d.nullable(|d| list(d, tier))?,
            3 => p.package_size = optional_dec(d)?,
            4 => p.package_price = optional_dec(d)?,
            5 => p.included = optional_dec(d)?,
            _ => p.minimum_per_event = optional_dec(d)?,
        }
        Ok(())
    })?;
    p.model = required(model, "model")?;
    Ok(p)
}

fn voice_billing(d: &mut Json<'_>) -> Result<VoiceBilling> {
    let (mut first, mut next) = (None, None);
    d.object(
        &"struct VoiceBilling",
        &["firstIncrement", "nextIncrement"],
        &mut |d, i| {
            match i {
                0 => first = Some(d.uint32()?),
                _ => next = Some(d.uint32()?),
            }
            Ok(())
        },
    )?;
    Ok(VoiceBilling {
        first_increment: required(first, "firstIncrement")?,
        next_increment: required(next, "nextIncrement")?,
    })
}

fn segmentation(d: &mut Json<'_>) -> Result<Segmentation> {
    let mut s = Segmentation::default();
    d.object(
        &"struct Segmentation",
        &["smartEncoding", "trimTrailingLineBreaks"],
        &mut |d, i| {
            match i {
                0 => s.smart_encoding = d.boolean()?,
                _ => s.trim_trailing_line_breaks = d.boolean()?,
            }
            Ok(())
        },
    )?;
    Ok(s)
}

fn service(d: &mut Json<'_>) -> Result<Service> {
    let (mut kind, mut label, mut unit, mut pricing_) = (None, None, None, None);
    let (mut inbound, mut billing, mut connect_fee, mut seg) = (None, None, None, None);
    const FIELDS: &[&str] = &[
        "kind",
        "label",
        "unit",
        "pricing",
        "inboundPricing",
        "billing",
        "connectFee",
        "segmentation",
    ];
    d.object(&"struct Service", FIELDS, &mut |d, i| {
        match i {
            0 => kind = Some(d.one_of()?),
            1 => label = optional_text(d)?,
            2 => unit = optional_text(d)?,
            3 => pricing_ = Some(pricing(d)?),
            4 => inbound = d.nullable(pricing)?,
            5 => billing = d.nullable(voice_billing)?,
            6 => connect_fee = optional_dec(d)?,
            _ => seg = d.nullable(segmentation)?,
        }
        Ok(())
    })?;
    Ok(Service {
        kind: required(kind, "kind")?,
        label,
        unit,
        pricing: required(pricing_, "pricing")?,
        inbound_pricing: inbound,
        billing,
        connect_fee,
        segmentation: seg,
    })
}

fn carrier(d: &mut Json<'_>) -> Result<Carrier> {
    let (mut id, mut name) = (None, None);
    d.object(&"struct Carrier", &["id", "name"], &mut |d, i| {
        match i {
            0 => id = Some(d.text()?),
            _ => name = Some(d.text()?),
        }
        Ok(())
    })?;
    Ok(Carrier {
        id: required(id, "id")?,
        name: required(name, "name")?,
    })
}

fn fee_entry(d: &mut Json<'_>) -> Result<FeeEntry> {
    let (mut carrier_, mut channel, mut direction, mut number_type_) = (None, None, None, None);
    let (mut amount, mut from, mut until, mut source_) = (None, None, None, None);
    const FIELDS: &[&str] = &[
        "carrier",
        "channel",
        "direction",
        "numberType",
        "amount",
        "from",
        "until",
        "source",
    ];
    d.object(&"struct FeeEntry", FIELDS, &mut |d, i| {
        match i {
            0 => carrier_ = Some(d.text()?),
            1 => channel = Some(d.one_of()?),
            2 => direction = Some(d.one_of()?),
            3 => number_type_ = Some(d.one_of()?),
            4 => amount = Some(Dec::read(d)?),
            5 => from = Some(d.text()?),
            6 => until = optional_text(d)?,
            _ => source_ = optional_text(d)?,
        }
        Ok(())
    })?;
    Ok(FeeEntry {
        carrier: required(carrier_, "carrier")?,
        channel: required(channel, "channel")?,
        direction: required(direction, "direction")?,
        number_type: required(number_type_, "numberType")?,
        amount: required(amount, "amount")?,
        from: required(from, "from")?,
        until,
        source: source_,
    })
}

fn carrier_fees(d: &mut Json<'_>) -> Result<CarrierFees> {
    let mut f = CarrierFees::default();
    d.object(
        &"struct CarrierFees",
        &["timing", "deferHours", "schedule"],
        &mut |d, i| {
            match i {
                0 => f.timing = d.one_of()?,
                1 => f.defer_hours = d.nullable(Json::uint32)?,
                _ => f.schedule = list(d, fee_entry)?,
            }
            Ok(())
        },
    )?;
    Ok(f)
}

/// A whole rate card.
pub fn card(d: &mut Json<'_>) -> Result<RateCard> {
    let (mut version, mut name, mut currency, mut rounding_) = (None, None, None, None);
    let mut services = None;
    let mut c = RateCard {
        version: 0,
        name: String::new(),
        currency: String::new(),
        effective_from: None,
        sources: Vec::new(),
        rounding: RoundingPoints {
            event: None,
            statement: Rounding {
                scale: 0,
                strategy: Strategy::HalfEven,
            },
            invoice: Rounding {
                scale: 0,
                strategy: Strategy::HalfEven,
            },
        },
        default_number_type: NumberType::default(),
        services: BTreeMap::new(),
        carriers: Vec::new(),
        carrier_fees: CarrierFees::default(),
    };
    const FIELDS: &[&str] = &[
        "version",
        "name",
        "currency",
        "effectiveFrom",
        "sources",
        "rounding",
        "defaultNumberType",
        "services",
        "carriers",
        "carrierFees",
    ];
    d.object(&"struct RateCard", FIELDS, &mut |d, i| {
        match i {
            0 => version = Some(d.uint32()?),
            1 => name = Some(d.text()?),
            2 => currency = Some(d.text()?),
            3 => c.effective_from = optional_text(d)?,
            4 => c.sources = list(d, source)?,
            5 => rounding_ = Some(rounding_points(d)?),
            6 => c.default_number_type = d.one_of()?,
            7 => {
                let mut m = BTreeMap::new();
                d.entries(&"a map", &mut |d, key| {
                    m.insert(key.into_owned(), service(d)?);
                    Ok(())
                })?;
                services = Some(m);
            }
            8 => c.carriers = list(d, carrier)?,
            _ => c.carrier_fees = carrier_fees(d)?,
        }
        Ok(())
    })?;
    c.version = required(version, "version")?;
    c.name = required(name, "name")?;
    c.currency = required(currency, "currency")?;
    c.rounding = required(rounding_, "rounding")?;
    c.services = required(services, "services")?;
    Ok(c)
}

/// A rate card from JSON text, with the error a derived `Deserialize` would give.
pub fn from_json(text: &str) -> std::result::Result<RateCard, Error> {
    crate::input::read(text, card)
}

/// The card's `Deserialize`, for a card inside a larger input (a projection request, a
/// scenario, a saved account): read by hand too ([`crate::input::by_hand`]).
impl<'de> Deserialize<'de> for RateCard {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<RateCard, D::Error> {
        crate::input::by_hand(d, "struct RateCard", from_json, from_json)
    }
}
