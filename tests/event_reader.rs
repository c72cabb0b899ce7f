//! Usage events and the rating options, read by hand (`src/rating/read.rs`), against serde's
//! derived `Deserialize` for the same shapes (the definitions they replaced, kept here as the
//! oracle): the same value (compared by its `Debug` form) or the same error (code, path and
//! message) on every one-step change of full examples and on random ones.

use creditcast::input::{from_json, read};
use creditcast::rating::read as hand;
use creditcast::rating::UsageEvent;
use proptest::prelude::*;
use serde_json::{json, Value};

mod common;
use common::{agree, one_step_changes};

#[allow(dead_code)]
mod mirror {
    use std::borrow::Cow;
    use std::collections::BTreeMap;

    use creditcast::money::Dec;
    use creditcast::ratecard::{Direction, NumberType};
    use creditcast::segments::Encoding;
    use serde::{Deserialize, Deserializer, Serialize};

    #[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct UsageEvent<'a> {
        #[serde(borrow)]
        pub service: Cow<'a, str>,
        #[serde(default)]
        pub direction: Direction,
        #[serde(
            default,
            deserialize_with = "creditcast::input::opt_cow",
            skip_serializing_if = "Option::is_none"
        )]
        pub text: Option<Cow<'a, str>>,
        #[serde(
            default,
            deserialize_with = "creditcast::input::non_null",
            skip_serializing_if = "Option::is_none"
        )]
        pub segments: Option<u32>,
        #[serde(
            default,
            deserialize_with = "creditcast::input::non_null",
            skip_serializing_if = "Option::is_none"
        )]
        pub count: Option<u32>,
        #[serde(
            default,
            deserialize_with = "creditcast::input::non_null",
            skip_serializing_if = "Option::is_none"
        )]
        pub duration_seconds: Option<Dec>,
        #[serde(
            default,
            deserialize_with = "creditcast::input::non_null",
            skip_serializing_if = "Option::is_none"
        )]
        pub quantity: Option<Dec>,
        #[serde(
            default,
            deserialize_with = "creditcast::input::opt_cow",
            skip_serializing_if = "Option::is_none"
        )]
        pub carrier: Option<Cow<'a, str>>,
        #[serde(
            default,
            deserialize_with = "creditcast::input::non_null",
            skip_serializing_if = "Option::is_none"
        )]
        pub number_type: Option<NumberType>,
        #[serde(
            default,
            deserialize_with = "creditcast::input::opt_cow",
            skip_serializing_if = "Option::is_none"
        )]
        pub at: Option<Cow<'a, str>>,
    }

    #[derive(Debug, Clone, Default, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct RateContext {
        #[serde(default)]
        pub used: BTreeMap<String, Dec>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum ChargeDetail {
        #[default]
        Full,
        Totals,
        None,
    }

    #[derive(Debug, Clone, Default, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct BatchOptions {
        #[serde(default)]
        pub charges: ChargeDetail,
    }

    #[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct SegmentOptions {
        #[serde(default)]
        pub smart_encoding: bool,
        #[serde(default)]
        pub trim_trailing_line_breaks: bool,
        #[serde(default, deserialize_with = "encoding_or_auto")]
        pub encoding: Option<Encoding>,
    }

    fn encoding_or_auto<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Encoding>, D::Error> {
        #[derive(Deserialize, Serialize)]
        enum Choice {
            #[serde(rename = "auto")]
            Auto,
            #[serde(rename = "GSM-7")]
            Gsm7,
            #[serde(rename = "UCS-2")]
            Ucs2,
        }
        Ok(match Option::<Choice>::deserialize(d)? {
            None | Some(Choice::Auto) => None,
            Some(Choice::Gsm7) => Some(Encoding::Gsm7),
            Some(Choice::Ucs2) => Some(Encoding::Ucs2),
        })
    }
}

fn events(text: &str) -> Result<(), String> {
    agree(
        UsageEvent::list_from_json(text),
        from_json::<Vec<mirror::UsageEvent>>(text),
    )?;
    // The Deserialize impl reads through the same code.
    agree(
        from_json::<Vec<UsageEvent>>(text),
        from_json::<Vec<mirror::UsageEvent>>(text),
    )
}

fn options(text: &str) -> Result<(), String> {
    agree(
        read(text, hand::segment_options),
        from_json::<mirror::SegmentOptions>(text),
    )?;
    agree(
        read(text, hand::rate_context),
        from_json::<mirror::RateContext>(text),
    )?;
    agree(
        read(text, hand::batch_options),
        from_json::<mirror::BatchOptions>(text),
    )
}

fn sample_events() -> Value {
    json!([
        { "service": "sms", "text": "hello ç 😀\n", "carrier": "att", "numberType": "tollFree",
          "direction": "inbound", "at": "2025-03-01T12:00:00Z", "count": 3 },
        { "service": "sms", "segments": 2, "direction": "outbound" },
        { "service": "voice", "durationSeconds": "61.5", "at": "2025-03-01" },
        { "service": "lookup", "quantity": 12 }
    ])
}

fn sample_options() -> Vec<Value> {
    vec![
        json!({ "smartEncoding": true, "trimTrailingLineBreaks": false, "encoding": "GSM-7" }),
        json!({ "encoding": "auto" }),
        json!({ "used": { "sms": "10", "voice": 2 } }),
        json!({ "charges": "totals" }),
        json!({}),
    ]
}

#[test]
fn every_one_step_change_of_events_reads_the_same() {
    let n = one_step_changes(&sample_events(), events);
    assert!(n > 300, "{n}");
}

#[test]
fn every_one_step_change_of_options_reads_the_same() {
    let n: usize = sample_options()
        .iter()
        .map(|o| one_step_changes(o, options))
        .sum();
    assert!(n > 150, "{n}");
    for text in [
        "",
        "null",
        "[]",
        "{",
        "{} x",
        r#"{"encoding":"UCS-2","encoding":"GSM-7"}"#,
    ] {
        options(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    }
}

#[test]
fn events_borrow_from_the_input() {
    use std::borrow::Cow;
    let evs =
        UsageEvent::list_from_json(r#"[{"service":"sms","text":"hi","carrier":"att"}]"#).unwrap();
    assert!(matches!(evs[0].text, Some(Cow::Borrowed("hi"))));
    assert!(matches!(evs[0].service, Cow::Borrowed("sms")));
}

fn junk() -> impl Strategy<Value = Value> {
    common::junk(
        vec![
            "sms", "inbound", "tollFree", "GSM-7", "auto", "totals", "1.5", "-2",
        ],
        vec![
            "service", "text", "count", "encoding", "used", "charges", "x",
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn random_changes_read_the_same(picks in prop::collection::vec((any::<prop::sample::Index>(), junk()), 1..4), which in 0..6usize) {
        let base = if which == 0 { sample_events() } else { sample_options()[which - 1].clone() };
        let v = common::change_at(base, picks);
        let text = v.to_string();
        let r = if which == 0 { events(&text) } else { options(&text) };
        prop_assert!(r.is_ok(), "{}: {}", text, r.unwrap_err());
    }
}
