//! The rate card: services and their pricing, voice billing increments, rounding points and the
//! dated carrier pass-through fee schedule. Plain data (JSON), validated as a whole.

mod read;
mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Errors};
use crate::money::{Dec, Rounding};

pub use validate::{validate, MAX_CARRIERS, MAX_FEE_ENTRIES, MAX_SERVICES, MAX_TIERS};

/// The example US rate card shipped with the package (`data/default-rate-card.json`).
pub const DEFAULT_RATE_CARD_JSON: &str = include_str!("../../data/default-rate-card.json");

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateCard {
    /// Schema version; only `1` exists.
    pub version: u32,
    pub name: String,
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<String>,
    /// Where the figures come from (free text and links), carried along for display.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    pub rounding: RoundingPoints,
    /// Number type assumed when an SMS/MMS event does not say.
    #[serde(default)]
    pub default_number_type: NumberType,
    pub services: BTreeMap<String, Service>,
    #[serde(default)]
    pub carriers: Vec<Carrier>,
    #[serde(default)]
    pub carrier_fees: CarrierFees,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Source {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The points where amounts are rounded. Per-event amounts keep full precision unless `event` is
/// set; statements and invoices round to their own scale with their own strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoundingPoints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Rounding>,
    pub statement: Rounding,
    pub invoice: Rounding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ServiceKind {
    /// Priced per segment; carrier fees per segment.
    Sms,
    /// Priced per message; carrier fees per message.
    Mms,
    /// Priced per minute with billing increments and an optional connect fee.
    Voice,
    /// Any other metered service, in its own unit.
    Metered,
}

impl ServiceKind {
    pub fn default_unit(self) -> &'static str {
        match self {
            ServiceKind::Sms => "segment",
            ServiceKind::Mms => "message",
            ServiceKind::Voice => "minute",
            ServiceKind::Metered => "unit",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Service {
    pub kind: ServiceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Unit name for display (metered services); SMS = segment, MMS = message, voice = minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub pricing: Pricing,
    /// Pricing for inbound traffic when it differs; inbound uses `pricing` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_pricing: Option<Pricing>,
    /// Voice: billing increments in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<VoiceBilling>,
    /// Voice: charged once per connected call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_fee: Option<Dec>,
    /// SMS: how the provider counts segments before billing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segmentation: Option<Segmentation>,
}

impl Service {
    pub fn unit_name(&self) -> &str {
        self.unit.as_deref().unwrap_or(self.kind.default_unit())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PricingModel {
    /// One price per unit.
    Flat,
    /// Each unit at the price of the tier it falls in (cumulative over the period).
    Graduated,
    /// All units of the period at the price of the tier the period's total falls in.
    Volume,
    /// Per block of `packageSize` units, rounded up.
    Package,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pricing {
    pub model: PricingModel,
    /// `flat`: price per unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Dec>,
    /// `graduated` / `volume`: tiers in increasing `upTo`; the last has `upTo: null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<Tier>>,
    /// `package`: units per block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_size: Option<Dec>,
    /// `package`: price per block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_price: Option<Dec>,
    /// Units included in the plan per billing period, free before any price applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included: Option<Dec>,
    /// Least usage amount charged for an event that has chargeable units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_per_event: Option<Dec>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tier {
    /// Inclusive upper bound in units for the period; `null` for the last, unbounded tier.
    pub up_to: Option<Dec>,
    pub unit_price: Dec,
}

/// Voice billing increments: the first increment is billed whole on any connected call, then
/// each started `next` increment (60/60 rounds every call up to a whole minute; 6/6; 30/6 …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VoiceBilling {
    pub first_increment: u32,
    pub next_increment: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Segmentation {
    #[serde(default)]
    pub smart_encoding: bool,
    #[serde(default)]
    pub trim_trailing_line_breaks: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Carrier {
    pub id: String,
    pub name: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub enum NumberType {
    /// Registered 10DLC long code.
    #[default]
    #[serde(rename = "10dlc")]
    TenDlc,
    #[serde(rename = "tollFree")]
    TollFree,
    #[serde(rename = "shortCode")]
    ShortCode,
}

crate::named!(NumberType, "enum NumberType", {
    NumberType::TenDlc => "10dlc",
    NumberType::TollFree => "tollFree",
    NumberType::ShortCode => "shortCode",
});

crate::named!(ServiceKind, "enum ServiceKind", {
    ServiceKind::Sms => "sms",
    ServiceKind::Mms => "mms",
    ServiceKind::Voice => "voice",
    ServiceKind::Metered => "metered",
});

crate::named!(PricingModel, "enum PricingModel", {
    PricingModel::Flat => "flat",
    PricingModel::Graduated => "graduated",
    PricingModel::Volume => "volume",
    PricingModel::Package => "package",
});

crate::named!(Direction, "enum Direction", {
    Direction::Outbound => "outbound",
    Direction::Inbound => "inbound",
});

crate::named!(FeeChannel, "enum FeeChannel", {
    FeeChannel::Sms => "sms",
    FeeChannel::Mms => "mms",
});

crate::named!(FeeDirection, "enum FeeDirection", {
    FeeDirection::Outbound => "outbound",
    FeeDirection::Inbound => "inbound",
    FeeDirection::Both => "both",
});

crate::named!(FeeTiming, "enum FeeTiming", {
    FeeTiming::Immediate => "immediate",
    FeeTiming::Deferred => "deferred",
});

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    #[default]
    Outbound,
    Inbound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FeeChannel {
    Sms,
    Mms,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FeeDirection {
    Outbound,
    Inbound,
    Both,
}

impl FeeDirection {
    pub fn covers(self, d: Direction) -> bool {
        matches!(
            (self, d),
            (FeeDirection::Both, _)
                | (FeeDirection::Outbound, Direction::Outbound)
                | (FeeDirection::Inbound, Direction::Inbound)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FeeTiming {
    /// Charged with the message.
    #[default]
    Immediate,
    /// Aggregated and charged `deferHours` after the message.
    Deferred,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CarrierFees {
    #[serde(default)]
    pub timing: FeeTiming,
    /// Hours after the message when deferred fees are charged (default 24).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defer_hours: Option<u32>,
    #[serde(default)]
    pub schedule: Vec<FeeEntry>,
}

/// One dated carrier fee: `amount` per segment (SMS) or per message (MMS), in force from `from`
/// (inclusive) until `until` (exclusive; open-ended when absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeeEntry {
    pub carrier: String,
    pub channel: FeeChannel,
    pub direction: FeeDirection,
    pub number_type: NumberType,
    pub amount: Dec,
    pub from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl RateCard {
    /// Parse a rate card from JSON text (shape errors only; see [`validate()`] for the rules).
    pub fn from_json(text: &str) -> Result<RateCard, Error> {
        read::from_json(text)
    }

    /// Read a rate card by hand from a JSON reader positioned at it, with the errors its
    /// `Deserialize` gives (the readers are in `src/ratecard/read.rs`).
    pub fn read(d: &mut crate::input::json::Deserializer<'_>) -> crate::input::json::Result<Self> {
        read::card(d)
    }

    /// The embedded example US rate card.
    pub fn default_card() -> RateCard {
        // The embedded card is checked by a test; fall back to an empty card rather than panic.
        RateCard::from_json(DEFAULT_RATE_CARD_JSON).unwrap_or_else(|_| RateCard {
            version: 1,
            name: "empty".into(),
            currency: "USD".into(),
            effective_from: None,
            sources: vec![],
            rounding: RoundingPoints {
                event: None,
                statement: Rounding {
                    scale: 2,
                    strategy: crate::money::Strategy::HalfEven,
                },
                invoice: Rounding {
                    scale: 2,
                    strategy: crate::money::Strategy::HalfUp,
                },
            },
            default_number_type: NumberType::TenDlc,
            services: BTreeMap::new(),
            carriers: vec![],
            carrier_fees: CarrierFees::default(),
        })
    }

    /// Every problem with the card, each with its code and path.
    pub fn problems(&self) -> Vec<Error> {
        match validate(self) {
            Ok(()) => vec![],
            Err(Errors(v)) => v,
        }
    }
}
