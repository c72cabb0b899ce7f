//! The rate card's hand-written reader (`src/ratecard/read.rs`) against serde's derived
//! `Deserialize` for the same schema (the definitions it replaced, kept here as the oracle): on
//! the shipped card, on every one-step mutation of it, and on random ones, both give the same card
//! or the same error (code, path and message).

use creditcast::input::from_json;
use creditcast::ratecard::{RateCard, DEFAULT_RATE_CARD_JSON};
use proptest::prelude::*;
use serde_json::{json, Value};

mod common;
use common::one_step_changes;

#[allow(dead_code)]
mod mirror {
    use creditcast::money::{Dec, Rounding};
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct RateCard {
        pub version: u32,
        pub name: String,
        pub currency: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub effective_from: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub sources: Vec<Source>,
        pub rounding: RoundingPoints,
        #[serde(default)]
        pub default_number_type: NumberType,
        pub services: BTreeMap<String, Service>,
        #[serde(default)]
        pub carriers: Vec<Carrier>,
        #[serde(default)]
        pub carrier_fees: CarrierFees,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct Source {
        pub title: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub note: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct RoundingPoints {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub event: Option<Rounding>,
        pub statement: Rounding,
        pub invoice: Rounding,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub enum ServiceKind {
        Sms,
        Mms,
        Voice,
        Metered,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct Service {
        pub kind: ServiceKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub label: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub unit: Option<String>,
        pub pricing: Pricing,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub inbound_pricing: Option<Pricing>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub billing: Option<VoiceBilling>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub connect_fee: Option<Dec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub segmentation: Option<Segmentation>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub enum PricingModel {
        Flat,
        Graduated,
        Volume,
        Package,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct Pricing {
        pub model: PricingModel,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub unit_price: Option<Dec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tiers: Option<Vec<Tier>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub package_size: Option<Dec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub package_price: Option<Dec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub included: Option<Dec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub minimum_per_event: Option<Dec>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct Tier {
        pub up_to: Option<Dec>,
        pub unit_price: Dec,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct VoiceBilling {
        pub first_increment: u32,
        pub next_increment: u32,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct Segmentation {
        #[serde(default)]
        pub smart_encoding: bool,
        #[serde(default)]
        pub trim_trailing_line_breaks: bool,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct Carrier {
        pub id: String,
        pub name: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    pub enum NumberType {
        #[default]
        #[serde(rename = "10dlc")]
        TenDlc,
        #[serde(rename = "tollFree")]
        TollFree,
        #[serde(rename = "shortCode")]
        ShortCode,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub enum FeeChannel {
        Sms,
        Mms,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub enum FeeDirection {
        Outbound,
        Inbound,
        Both,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub enum FeeTiming {
        #[default]
        Immediate,
        Deferred,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct CarrierFees {
        #[serde(default)]
        pub timing: FeeTiming,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub defer_hours: Option<u32>,
        #[serde(default)]
        pub schedule: Vec<FeeEntry>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

/// Both readers on one text: the same card or the same error.
fn agree(text: &str) -> Result<(), String> {
    common::agree(
        RateCard::from_json(text),
        from_json::<mirror::RateCard>(text),
    )
}

fn default_card() -> Value {
    serde_json::from_str(DEFAULT_RATE_CARD_JSON).unwrap()
}

/// The shipped card with every optional field it leaves out given, so that a change can reach
/// each field of each struct.
fn full_card() -> Value {
    let mut v = default_card();
    v["sources"][0]["url"] = json!("https://example.com/rates");
    v["rounding"]["event"] = json!({ "scale": 4, "strategy": "halfEven" });
    v["services"]["sms"]["segmentation"] =
        json!({ "smartEncoding": true, "trimTrailingLineBreaks": false });
    v["services"]["sms"]["pricing"]["minimumPerEvent"] = json!("0.001");
    v["carrierFees"]["deferHours"] = json!(24);
    v
}

#[test]
fn the_shipped_card_reads_the_same() {
    agree(DEFAULT_RATE_CARD_JSON).unwrap();
    let card = RateCard::from_json(DEFAULT_RATE_CARD_JSON).unwrap();
    assert!(!card.services.is_empty() && !card.carrier_fees.schedule.is_empty());
}

#[test]
fn every_one_step_change_reads_the_same() {
    let full = full_card();
    let card = RateCard::from_json(&full.to_string()).unwrap();
    assert!(card.sources[0].url.is_some() && card.rounding.event.is_some());
    let checked = one_step_changes(&default_card(), agree) + one_step_changes(&full, agree);
    assert!(checked > 4_000, "{checked}");
}

#[test]
fn syntax_and_shape_errors_read_the_same() {
    for text in [
        "",
        "[]",
        "null",
        "1",
        "{",
        "{}",
        "{\"version\":1",
        "{\"version\":1}  x",
        "{\"version\":1,}",
    ] {
        agree(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    }
}

/// A card inside a larger input reads through the same code, and an error's path goes on from
/// the field that holds it.
#[test]
fn a_card_inside_another_input_keeps_its_paths() {
    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Option<RateCard>>,
    }
    let mut bad = default_card();
    bad["services"]["sms"]["pricing"]["unitPrice"] = json!(0.1);
    let text = json!({ "items": [default_card(), bad] }).to_string();
    let e = from_json::<Outer>(&text).unwrap_err();
    assert_eq!(e.code, creditcast::ErrorCode::InvalidNumber);
    assert_eq!(e.path, "items[1].services.sms.pricing.unitPrice");
    let e = from_json::<Outer>(r#"{"items":[{"version":1}]}"#).unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (creditcast::ErrorCode::MissingField, "items[0].name")
    );
    let ok = from_json::<Outer>(&json!({ "items": [default_card(), null] }).to_string()).unwrap();
    assert_eq!(ok.items[0].as_ref(), Some(&RateCard::default_card()));
    // Through another deserializer (serde_json's Value) the card reads the same.
    let v: RateCard = serde_json::from_value(default_card()).unwrap();
    assert_eq!(v, RateCard::default_card());
}

/// A random JSON value in place of a random field.
fn junk() -> impl Strategy<Value = Value> {
    common::junk(
        vec![
            "flat",
            "graduated",
            "sms",
            "voice",
            "halfUp",
            "10dlc",
            "both",
            "deferred",
            "1.5",
            "-2",
        ],
        vec!["upTo", "unitPrice", "model", "kind", "scale", "x"],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn random_changes_read_the_same(picks in prop::collection::vec((any::<prop::sample::Index>(), junk()), 1..4)) {
        let v = common::change_at(default_card(), picks);
        let text = v.to_string();
        prop_assert!(agree(&text).is_ok(), "{}: {}", text, agree(&text).unwrap_err());
    }
}
