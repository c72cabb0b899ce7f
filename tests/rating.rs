//! Rating rules, read like PRODUCT.md §1–2.

use creditcast::error::ErrorCode;
use creditcast::money::Dec;
use creditcast::rating::{BatchOptions, ChargeDetail, Charges, LineKind, RateContext};
use creditcast::{RateCard, RatingEngine, UsageEvent};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn engine() -> RatingEngine {
    RatingEngine::new(RateCard::default_card()).expect("default card is valid")
}

fn ev(json: &str) -> UsageEvent<'static> {
    creditcast::input::from_json::<UsageEvent<'_>>(json)
        .unwrap()
        .into_owned()
}

fn rate(e: &RatingEngine, json: &str) -> creditcast::Charge {
    e.rate(&ev(json), &RateContext::default()).unwrap()
}

fn card_with(services_json: &str) -> RatingEngine {
    let text = format!(
        r#"{{"version":1,"name":"t","currency":"USD",
            "rounding":{{"statement":{{"scale":2,"strategy":"halfEven"}},"invoice":{{"scale":2,"strategy":"halfUp"}}}},
            "services":{services_json}}}"#
    );
    RatingEngine::from_json(&text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_embedded_default_card_is_valid_and_has_every_service_kind() {
    let card = RateCard::from_json(creditcast::ratecard::DEFAULT_RATE_CARD_JSON).unwrap();
    assert_eq!(card.problems(), vec![]);
    let kinds: std::collections::BTreeSet<_> = card.services.values().map(|s| s.kind).collect();
    assert_eq!(kinds.len(), 4);
}

#[test]
fn sms_is_priced_per_segment_and_the_carrier_fee_is_its_own_line_at_cost() {
    let c = rate(
        &engine(),
        r#"{"service":"sms","segments":2,"carrier":"tmobile","at":"2025-03-01"}"#,
    );
    assert_eq!(c.units.quantity.0, d("2"));
    assert_eq!(c.usage.0, d("0.0166"));
    let fee = c
        .lines
        .iter()
        .find(|l| l.kind == LineKind::CarrierFee)
        .expect("fee line");
    assert_eq!(fee.amount.0, d("0.006"));
    assert_eq!(fee.unit_price.unwrap().0, d("0.003"));
    assert_eq!(fee.carrier.as_deref(), Some("tmobile"));
    assert_eq!(c.carrier_fees.0, d("0.006"));
    assert_eq!(c.total.0, d("0.0226"));
}

#[test]
fn sms_text_is_segmented_before_pricing() {
    let long = "a".repeat(161);
    let c = rate(
        &engine(),
        &format!(r#"{{"service":"sms","text":"{long}"}}"#),
    );
    assert_eq!(c.units.segments_per_message, Some(2));
    assert_eq!(c.total.0, d("0.0166"));
    let c = rate(&engine(), r#"{"service":"sms","text":"hi 😀","count":3}"#);
    assert_eq!(c.units.encoding, Some(creditcast::segments::Encoding::Ucs2));
    assert_eq!(c.units.quantity.0, d("3"));
}

#[test]
fn carrier_fees_follow_their_dated_schedule() {
    let e = engine();
    let before = rate(
        &e,
        r#"{"service":"mms","carrier":"att","at":"2024-09-30T23:59:59Z"}"#,
    );
    let after = rate(
        &e,
        r#"{"service":"mms","carrier":"att","at":"2024-10-01T00:00:00Z"}"#,
    );
    assert_eq!(before.carrier_fees.0, d("0.005"));
    assert_eq!(after.carrier_fees.0, d("0.0075"));
    // Without a time, the open-ended (current) entry applies.
    let now = rate(&e, r#"{"service":"mms","carrier":"att"}"#);
    assert_eq!(now.carrier_fees.0, d("0.0075"));
}

#[test]
fn carrier_fees_differ_by_direction_and_number_type() {
    let e = engine();
    let received = rate(
        &e,
        r#"{"service":"sms","segments":1,"carrier":"verizon","direction":"inbound"}"#,
    );
    assert_eq!(
        received.carrier_fees.0,
        Decimal::ZERO,
        "Verizon: received free"
    );
    let tmo_in = rate(
        &e,
        r#"{"service":"sms","segments":1,"carrier":"tmobile","direction":"inbound"}"#,
    );
    assert_eq!(
        tmo_in.carrier_fees.0,
        d("0.003"),
        "T-Mobile: sent and received"
    );
    let tf = rate(
        &e,
        r#"{"service":"sms","segments":1,"carrier":"verizon","numberType":"tollFree"}"#,
    );
    assert_eq!(tf.carrier_fees.0, d("0.0025"));
}

#[test]
fn voice_is_billed_in_increments_with_a_connect_fee() {
    let e = engine();
    // 60/60: 61 seconds is two minutes.
    let c = rate(&e, r#"{"service":"voiceLocal","durationSeconds":61}"#);
    assert_eq!(c.units.billable_seconds.unwrap().0, d("120"));
    assert_eq!(c.total.0, d("0.028"));
    // 30/6 with a connect fee: 10 s bills 30 s; 31 s bills 36 s.
    let c = rate(&e, r#"{"service":"automatedVoice","durationSeconds":10}"#);
    assert_eq!(c.units.billable_seconds.unwrap().0, d("30"));
    assert_eq!(c.usage.0, d("0.0085")); // 0.5 min * 0.013 + 0.002
    let c = rate(&e, r#"{"service":"automatedVoice","durationSeconds":31}"#);
    assert_eq!(c.units.billable_seconds.unwrap().0, d("36"));
    // A call that never connected costs nothing, not even the connect fee.
    let c = rate(&e, r#"{"service":"automatedVoice","durationSeconds":0}"#);
    assert_eq!(c.total.0, Decimal::ZERO);
    // Inbound has its own price.
    let c = rate(
        &e,
        r#"{"service":"voiceLocal","durationSeconds":60,"direction":"inbound"}"#,
    );
    assert_eq!(c.total.0, d("0.0085"));
}

#[test]
fn six_second_increments() {
    let e = card_with(
        r#"{"v":{"kind":"voice","pricing":{"model":"flat","unitPrice":"0.012"},"billing":{"firstIncrement":6,"nextIncrement":6}}}"#,
    );
    let c = rate(&e, r#"{"service":"v","durationSeconds":"7.2"}"#);
    assert_eq!(c.units.billable_seconds.unwrap().0, d("12"));
    assert_eq!(c.total.0, d("0.0024"));
}

#[test]
fn graduated_tiers_price_each_unit_in_its_tier_across_events() {
    let e = card_with(
        r#"{"m":{"kind":"metered","pricing":{"model":"graduated","tiers":[{"upTo":"10","unitPrice":"1"},{"upTo":"20","unitPrice":"0.5"},{"upTo":null,"unitPrice":"0.1"}]}}}"#,
    );
    let events: Vec<UsageEvent> = (0..3)
        .map(|_| ev(r#"{"service":"m","quantity":"8"}"#))
        .collect();
    let r = e.rate_batch(&events, BatchOptions::default()).unwrap();
    // 24 units: 10 × 1 + 10 × 0.5 + 4 × 0.1
    assert_eq!(r.total.0, d("15.4"));
    let Some(Charges::Full(ch)) = r.charges else {
        panic!("full charges expected")
    };
    assert_eq!(ch[1].total.0, d("5")); // units 9–16: 2 × 1 + 6 × 0.5
    assert_eq!(ch[1].lines.len(), 2);
}

#[test]
fn volume_tiers_reprice_the_whole_period_and_say_so() {
    let e = card_with(
        r#"{"m":{"kind":"metered","pricing":{"model":"volume","tiers":[{"upTo":"10","unitPrice":"1"},{"upTo":null,"unitPrice":"0.5"}]}}}"#,
    );
    let events = vec![
        ev(r#"{"service":"m","quantity":"8"}"#),
        ev(r#"{"service":"m","quantity":"4"}"#),
    ];
    let r = e.rate_batch(&events, BatchOptions::default()).unwrap();
    assert_eq!(r.total.0, d("6")); // 12 units all at 0.5
    let Some(Charges::Full(ch)) = r.charges else {
        panic!("full charges expected")
    };
    let adj = ch[1]
        .lines
        .iter()
        .find(|l| l.kind == LineKind::VolumeAdjustment)
        .unwrap();
    assert_eq!(adj.amount.0, d("-4")); // the first 8 units repriced from 1 to 0.5
}

#[test]
fn package_pricing_charges_per_started_block() {
    let e = engine();
    let events: Vec<UsageEvent> = [
        r#"{"service":"voicemailDrop","quantity":"1"}"#,
        r#"{"service":"voicemailDrop","quantity":"99"}"#,
        r#"{"service":"voicemailDrop","quantity":"1"}"#,
    ]
    .iter()
    .map(|j| ev(j))
    .collect();
    let r = e.rate_batch(&events, BatchOptions::default()).unwrap();
    let Some(Charges::Full(ch)) = r.charges else {
        panic!("full charges expected")
    };
    assert_eq!(ch[0].total.0, d("2.5"));
    assert_eq!(ch[1].total.0, Decimal::ZERO);
    assert_eq!(ch[2].total.0, d("2.5"));
}

#[test]
fn an_included_allowance_is_used_first_then_prices_apply() {
    let e = engine();
    let ctx = RateContext {
        used: [("lookup".to_string(), Dec(d("99")))].into(),
    };
    let c = e
        .rate(&ev(r#"{"service":"lookup","quantity":"3"}"#), &ctx)
        .unwrap();
    assert_eq!(c.lines[0].kind, LineKind::Allowance);
    assert_eq!(c.lines[0].quantity.unwrap().0, d("1"));
    assert_eq!(c.total.0, d("0.010"));
}

#[test]
fn allowances_reset_each_calendar_month_in_a_batch() {
    let e = engine();
    let events = vec![
        ev(r#"{"service":"lookup","quantity":"100","at":"2025-01-31"}"#),
        ev(r#"{"service":"lookup","quantity":"1","at":"2025-01-31"}"#),
        ev(r#"{"service":"lookup","quantity":"1","at":"2025-02-01"}"#),
    ];
    let r = e
        .rate_batch(
            &events,
            BatchOptions {
                charges: ChargeDetail::Totals,
            },
        )
        .unwrap();
    let Some(Charges::Totals(t)) = r.charges else {
        panic!("totals expected")
    };
    assert_eq!(
        t.iter().map(|x| x.0).collect::<Vec<_>>(),
        vec![d("0"), d("0.005"), d("0")]
    );
}

#[test]
fn a_minimum_charge_per_event_tops_up_small_events() {
    let e = card_with(
        r#"{"m":{"kind":"metered","pricing":{"model":"flat","unitPrice":"0.001","minimumPerEvent":"0.01"}}}"#,
    );
    let c = rate(&e, r#"{"service":"m","quantity":"2"}"#);
    assert_eq!(c.total.0, d("0.01"));
    assert!(c
        .lines
        .iter()
        .any(|l| l.kind == LineKind::MinimumCharge && l.amount.0 == d("0.008")));
    let c = rate(&e, r#"{"service":"m","quantity":"0"}"#);
    assert_eq!(c.total.0, Decimal::ZERO, "no units, no minimum");
}

#[test]
fn batch_totals_by_service_and_carrier_add_up() {
    let e = engine();
    let events = vec![
        ev(r#"{"service":"sms","segments":1,"carrier":"att"}"#),
        ev(r#"{"service":"sms","segments":3,"carrier":"att"}"#),
        ev(r#"{"service":"mms","carrier":"tmobile"}"#),
        ev(r#"{"service":"voiceLocal","durationSeconds":30}"#),
    ];
    let r = e.rate_batch(&events, BatchOptions::default()).unwrap();
    assert_eq!(r.count, 4);
    assert_eq!(r.by_service["sms"].quantity.0, d("4"));
    assert_eq!(r.by_carrier["att"].amount.0, d("0.012"));
    assert_eq!(r.by_carrier["tmobile"].amount.0, d("0.010"));
    let sum: Decimal = r.by_service.values().map(|s| s.total.0).sum();
    assert_eq!(sum, r.total.0);
    assert_eq!(r.total.0, r.usage.0 + r.carrier_fees.0);
}

#[test]
fn bad_events_are_errors_with_code_and_path() {
    let e = engine();
    let cases = [
        (r#"{"service":"fax"}"#, ErrorCode::UnknownService, "service"),
        (r#"{"service":"sms"}"#, ErrorCode::MissingField, "text"),
        (
            r#"{"service":"sms","segments":1,"carrier":"vodafone"}"#,
            ErrorCode::UnknownCarrier,
            "carrier",
        ),
        (
            r#"{"service":"voiceLocal","durationSeconds":"-5"}"#,
            ErrorCode::NegativeValue,
            "durationSeconds",
        ),
        (
            r#"{"service":"lookup","quantity":"-1"}"#,
            ErrorCode::NegativeValue,
            "quantity",
        ),
        (
            r#"{"service":"voiceLocal","text":"hi","durationSeconds":5}"#,
            ErrorCode::NotApplicable,
            "text",
        ),
        (
            r#"{"service":"sms","segments":1,"at":"last tuesday"}"#,
            ErrorCode::InvalidDate,
            "at",
        ),
    ];
    for (json, code, path) in cases {
        let err = e.rate(&ev(json), &RateContext::default()).unwrap_err();
        assert_eq!((err.code, err.path.as_str()), (code, path), "{json}");
    }
    let events = vec![
        ev(r#"{"service":"sms","segments":1}"#),
        ev(r#"{"service":"nope"}"#),
    ];
    let err = e.rate_batch(&events, BatchOptions::default()).unwrap_err();
    assert_eq!(err.path, "[1].service");
}

#[test]
fn overflow_is_an_error_not_a_panic() {
    let e = card_with(
        r#"{"m":{"kind":"metered","pricing":{"model":"flat","unitPrice":"79228162514264337593543950335"}}}"#,
    );
    let err = e
        .rate(
            &ev(r#"{"service":"m","quantity":"2"}"#),
            &RateContext::default(),
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Overflow);
}

#[test]
fn validation_reports_every_problem_with_its_path() {
    let text = r#"{"version":1,"name":"t","currency":"usd",
      "rounding":{"statement":{"scale":2,"strategy":"halfEven"},"invoice":{"scale":40,"strategy":"halfUp"}},
      "services":{
        "a":{"kind":"metered","pricing":{"model":"graduated","tiers":[{"upTo":"10","unitPrice":"1"},{"upTo":"5","unitPrice":"1"},{"upTo":null,"unitPrice":"-1"}]}},
        "v":{"kind":"voice","pricing":{"model":"flat","unitPrice":"1"},"billing":{"firstIncrement":0,"nextIncrement":6}},
        "p":{"kind":"metered","pricing":{"model":"flat"}}
      },
      "carriers":[{"id":"x","name":"X"},{"id":"x","name":"X again"}],
      "carrierFees":{"schedule":[
        {"carrier":"x","channel":"sms","direction":"both","numberType":"10dlc","amount":"0.003","from":"2024-01-01"},
        {"carrier":"x","channel":"sms","direction":"outbound","numberType":"10dlc","amount":"0.004","from":"2025-01-01"}
      ]}}"#;
    let card = RateCard::from_json(text).unwrap();
    let got: Vec<(ErrorCode, String)> = card
        .problems()
        .into_iter()
        .map(|e| (e.code, e.path))
        .collect();
    let want = vec![
        (ErrorCode::InvalidValue, "currency".to_string()),
        (ErrorCode::OutOfRange, "rounding.invoice.scale".into()),
        (
            ErrorCode::TiersOutOfOrder,
            "services.a.pricing.tiers[1].upTo".into(),
        ),
        (
            ErrorCode::NegativeValue,
            "services.a.pricing.tiers[2].unitPrice".into(),
        ),
        (
            ErrorCode::MissingField,
            "services.p.pricing.unitPrice".into(),
        ),
        (
            ErrorCode::OutOfRange,
            "services.v.billing.firstIncrement".into(),
        ),
        (ErrorCode::DuplicateEntry, "carriers[1].id".into()),
        (ErrorCode::OverlappingFees, "carrierFees.schedule[1]".into()),
    ];
    for w in &want {
        assert!(got.contains(w), "missing {w:?} in {got:?}");
    }
    assert_eq!(got.len(), want.len(), "{got:?}");
}

#[test]
fn shape_errors_point_at_the_field() {
    let err = RateCard::from_json(
        r#"{"version":1,"name":"t","currency":"USD","rounding":{"statement":{"scale":2,"strategy":"sideways"},"invoice":{"scale":2,"strategy":"halfUp"}},"services":{}}"#,
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.path.as_str()),
        (ErrorCode::InvalidValue, "rounding.statement.strategy")
    );
    let err = RateCard::from_json(
        r#"{"version":1,"name":"t","currency":"USD","rounding":{"statement":{"scale":2,"strategy":"halfUp"},"invoice":{"scale":2,"strategy":"halfUp"}},"services":{"s":{"kind":"sms","pricing":{"model":"flat","unitPrice":0.0083}}}}"#,
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.path.as_str()),
        (ErrorCode::InvalidNumber, "services.s.pricing.unitPrice")
    );
}

#[test]
fn event_rounding_is_applied_only_when_the_card_names_it() {
    let text = r#"{"version":1,"name":"t","currency":"USD",
      "rounding":{"event":{"scale":4,"strategy":"halfUp"},"statement":{"scale":2,"strategy":"halfEven"},"invoice":{"scale":2,"strategy":"halfUp"}},
      "services":{"v":{"kind":"voice","pricing":{"model":"flat","unitPrice":"0.013"},"billing":{"firstIncrement":1,"nextIncrement":1}}}}"#;
    let e = RatingEngine::from_json(text).unwrap();
    let c = rate(&e, r#"{"service":"v","durationSeconds":61}"#);
    // 61/60 × 0.013 = 0.013216666… → 0.0132 at scale 4, half up.
    assert_eq!(c.total.0, d("0.0132"));
}

#[test]
fn hostile_sizes_are_refused_with_limit_exceeded() {
    let tiers: Vec<String> = (1..=101)
        .map(|i| format!(r#"{{"upTo":"{i}","unitPrice":"1"}}"#))
        .chain(std::iter::once(
            r#"{"upTo":null,"unitPrice":"1"}"#.to_string(),
        ))
        .collect();
    let text = format!(
        r#"{{"version":1,"name":"t","currency":"USD",
            "rounding":{{"statement":{{"scale":2,"strategy":"halfEven"}},"invoice":{{"scale":2,"strategy":"halfUp"}}}},
            "services":{{"m":{{"kind":"metered","pricing":{{"model":"graduated","tiers":[{}]}}}}}}}}"#,
        tiers.join(",")
    );
    let card = RateCard::from_json(&text).unwrap();
    let problems = card.problems();
    assert_eq!(problems[0].code, ErrorCode::LimitExceeded);
    assert_eq!(problems[0].path, "services.m.pricing.tiers");

    let nested = "[".repeat(10_000) + &"]".repeat(10_000);
    let err = creditcast::input::from_json::<serde_json::Value>(&nested).unwrap_err();
    assert_eq!(err.code, ErrorCode::LimitExceeded);

    let long = "x".repeat(creditcast::segments::MAX_MESSAGE_UNITS + 1);
    let err = engine()
        .rate(
            &ev(&format!(r#"{{"service":"sms","text":"{long}"}}"#)),
            &RateContext::default(),
        )
        .unwrap_err();
    assert_eq!(
        (err.code, err.path.as_str()),
        (ErrorCode::MessageTooLong, "text")
    );
}

#[test]
fn parsed_events_borrow_their_strings_from_the_input() {
    // No allocation per string on the batch hot path: text, carrier and time borrow from the JSON.
    use std::borrow::Cow;
    let json = r#"{"service":"sms","text":"hello","carrier":"att","at":"2025-01-01"}"#;
    let e: UsageEvent = creditcast::input::from_json(json).unwrap();
    assert!(matches!(e.service, Cow::Borrowed(_)));
    assert!(matches!(e.text, Some(Cow::Borrowed(_))), "text was copied");
    assert!(
        matches!(e.carrier, Some(Cow::Borrowed(_))),
        "carrier was copied"
    );
    assert!(matches!(e.at, Some(Cow::Borrowed(_))), "at was copied");
    // An escaped string cannot be borrowed, and is still read correctly.
    let e: UsageEvent = creditcast::input::from_json(r#"{"service":"sms","text":"a\nb"}"#).unwrap();
    assert_eq!(e.text.as_deref(), Some("a\nb"));
    // null is still refused.
    let err =
        creditcast::input::from_json::<UsageEvent>(r#"{"service":"sms","text":null}"#).unwrap_err();
    assert_eq!(
        (err.code, err.path.as_str()),
        (ErrorCode::InvalidNumber, "text")
    );
    let err = creditcast::input::from_json::<Vec<UsageEvent>>(
        r#"[{"service":"sms","segments":1},{"service":"sms","carrier":null,"segments":1}]"#,
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.path.as_str()),
        (ErrorCode::InvalidNumber, "[1].carrier")
    );
}

/// Amounts are rounded only where the rate card says: a product that would need more than 28
/// significant digits (a quantity with 28 decimals at a price in cents) is an
/// `OVERFLOW` error naming the field, not a silent rounding, and the engine goes on working.
#[test]
fn products_beyond_28_digits_are_an_error() {
    let e = engine();
    let err = e
        .rate(
            &ev(r#"{"service":"transcription","quantity":"0.1234567890123456789012345678"}"#),
            &RateContext::default(),
        )
        .unwrap_err();
    assert_eq!(err.code, creditcast::ErrorCode::Overflow);
    assert!(err.path.ends_with("quantity"), "{}", err.path);
    assert!(
        err.message.contains("28 significant digits"),
        "{}",
        err.message
    );
    let ok = e
        .rate(
            &ev(r#"{"service":"transcription","quantity":"0.12345678901234567890123456"}"#),
            &RateContext::default(),
        )
        .unwrap();
    assert!(!ok.total.0.is_zero());
}

/// Services and carriers are found by their first eight bytes and length before their whole
/// name, and fees from a table by carrier, channel, direction and number type: names that share
/// a long prefix and a length, short names that are prefixes of others, and every fee key must
/// each find their own.
#[test]
fn names_with_shared_prefixes_and_every_fee_key_find_their_own() {
    let carriers = ["carrier-alpha-1", "carrier-alpha-2", "ab", "abc", "a"];
    let mut schedule = Vec::new();
    let mut want = Vec::new();
    let mut cents = 1;
    for c in carriers {
        for channel in ["sms", "mms"] {
            for direction in ["outbound", "inbound"] {
                for nt in ["10dlc", "tollFree", "shortCode"] {
                    let amount = format!("0.{cents:04}");
                    schedule.push(format!(
                        r#"{{"carrier":"{c}","channel":"{channel}","direction":"{direction}","numberType":"{nt}","amount":"{amount}","from":"2024-01-01"}}"#
                    ));
                    want.push((c, channel, direction, nt, amount));
                    cents += 1;
                }
            }
        }
    }
    let carrier_list: Vec<String> = carriers
        .iter()
        .map(|c| format!(r#"{{"id":"{c}","name":"{c}"}}"#))
        .collect();
    let text = format!(
        r#"{{"version":1,"name":"t","currency":"USD",
            "rounding":{{"statement":{{"scale":2,"strategy":"halfEven"}},"invoice":{{"scale":2,"strategy":"halfUp"}}}},
            "services":{{
              "textMessageA":{{"kind":"sms","pricing":{{"model":"flat","unitPrice":"1"}}}},
              "textMessageB":{{"kind":"sms","pricing":{{"model":"flat","unitPrice":"2"}}}},
              "pictureA":{{"kind":"mms","pricing":{{"model":"flat","unitPrice":"3"}}}},
              "pictureAB":{{"kind":"mms","pricing":{{"model":"flat","unitPrice":"4"}}}}
            }},
            "carriers":[{}],
            "carrierFees":{{"schedule":[{}]}}}}"#,
        carrier_list.join(","),
        schedule.join(",")
    );
    let e = RatingEngine::from_json(&text).unwrap_or_else(|e| panic!("{e}"));
    for (service, price) in [
        ("textMessageA", "1"),
        ("textMessageB", "2"),
        ("pictureA", "3"),
        ("pictureAB", "4"),
    ] {
        let seg = if service.starts_with("text") {
            r#","segments":1"#
        } else {
            ""
        };
        let c = rate(&e, &format!(r#"{{"service":"{service}"{seg}}}"#));
        assert_eq!(c.usage.0, d(price), "{service}");
    }
    for (c, channel, direction, nt, amount) in want {
        let (service, seg) = if channel == "sms" {
            ("textMessageA", r#","segments":1"#)
        } else {
            ("pictureA", "")
        };
        let charge = rate(
            &e,
            &format!(
                r#"{{"service":"{service}"{seg},"carrier":"{c}","direction":"{direction}","numberType":"{nt}","at":"2025-01-01"}}"#
            ),
        );
        let fee = charge
            .lines
            .iter()
            .find(|l| l.kind == LineKind::CarrierFee)
            .unwrap_or_else(|| panic!("no fee for {c} {channel} {direction} {nt}"));
        assert_eq!(fee.amount.0, d(&amount), "{c} {channel} {direction} {nt}");
        assert_eq!(fee.carrier.as_deref(), Some(c));
    }
    // A name that shares a known one's first eight bytes and length is still unknown.
    let err = e
        .rate(
            &ev(r#"{"service":"textMessageC","segments":1}"#),
            &RateContext::default(),
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownService);
    let err = e
        .rate(
            &ev(r#"{"service":"textMessageA","segments":1,"carrier":"carrier-alpha-3"}"#),
            &RateContext::default(),
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownCarrier);
}
