//! The hand-written JSON output (`src/output.rs`) against `serde_json::to_string` of the same
//! values' derived `Serialize`: the same text, byte for byte, for charges, batch results,
//! segmented messages, errors and rate cards.

use creditcast::output::{to_json, WriteJson};
use creditcast::ratecard::{RateCard, DEFAULT_RATE_CARD_JSON};
use creditcast::rating::{BatchOptions, ChargeDetail, RateContext, RatingEngine, UsageEvent};
use creditcast::segments::{segment_message, Encoding, SegmentOptions};
use serde_json::{json, Value};

mod common;

fn same<T: WriteJson + serde::Serialize + ?Sized>(v: &T) {
    assert_eq!(to_json(v), serde_json::to_string(v).unwrap());
}

/// The shipped card with deferred fees, the card's every optional field, and a name that needs
/// escaping.
fn cards() -> Vec<RateCard> {
    let base: Value = serde_json::from_str(DEFAULT_RATE_CARD_JSON).unwrap();
    let mut full = base.clone();
    full["name"] = json!("quote \" slash \\ nl \n tab \t bell \u{7} del \u{7f} é 😀");
    full["sources"][0]["url"] = json!("https://example.com/rates?a=1&b=2");
    full["rounding"]["event"] = json!({ "scale": 4, "strategy": "halfEven" });
    full["services"]["sms"]["segmentation"] =
        json!({ "smartEncoding": true, "trimTrailingLineBreaks": true });
    full["services"]["sms"]["pricing"]["minimumPerEvent"] = json!("0.001");
    full["carrierFees"]["timing"] = json!("deferred");
    full["carrierFees"]["deferHours"] = json!(24);
    let mut bare = base.clone();
    bare.as_object_mut().unwrap().remove("sources");
    bare.as_object_mut().unwrap().remove("effectiveFrom");
    [base, full, bare]
        .iter()
        .map(|v| RateCard::from_json(&v.to_string()).unwrap())
        .collect()
}

/// Events of every service, direction, carrier and kind of quantity.
fn events(card: &RateCard) -> Vec<UsageEvent<'static>> {
    let mut out = Vec::new();
    let texts = ["", "hi", "€uro – “quoted”", "😀 emoji", &"long ".repeat(80)];
    for id in card.services.keys() {
        for direction in ["outbound", "inbound"] {
            for carrier in [None, Some("att"), Some("tmobile"), Some("verizon")] {
                for (i, text) in texts.iter().enumerate() {
                    let mut e = json!({ "service": id, "direction": direction, "at": "2025-06-01T12:00:00Z" });
                    if let Some(c) = carrier {
                        e["carrier"] = json!(c);
                    }
                    match id.as_str() {
                        "sms" | "automatedSms" => e["text"] = json!(text),
                        "mms" => e["count"] = json!(i + 1),
                        s if s.starts_with("voice")
                            || s == "automatedVoice"
                            || s == "voicemailDrop" =>
                        {
                            e["durationSeconds"] = json!(["0", "1", "59.5", "61", "3600"][i])
                        }
                        _ => e["quantity"] = json!(["0", "1", "2.5", "1000", "12345.678"][i]),
                    }
                    let text = e.to_string();
                    if let Ok(ev) =
                        creditcast::input::read(&text, creditcast::rating::read::usage_event)
                    {
                        out.push(ev.into_owned());
                    }
                }
            }
        }
    }
    out
}

#[test]
fn charges_and_batches_are_written_as_serde_writes_them() {
    let mut lines = 0;
    for card in cards() {
        same(&card);
        let engine = RatingEngine::new(card.clone()).unwrap();
        let evs = events(&card);
        assert!(evs.len() > 100);
        for ev in &evs {
            if let Ok(c) = engine.rate(ev, &RateContext::default()) {
                lines += c.lines.len();
                same(&c);
            }
        }
        for charges in [ChargeDetail::Full, ChargeDetail::Totals, ChargeDetail::None] {
            let ok: Vec<UsageEvent> = evs
                .iter()
                .filter(|e| engine.rate(e, &RateContext::default()).is_ok())
                .cloned()
                .collect();
            let r = engine.rate_batch(&ok, BatchOptions { charges }).unwrap();
            same(&r);
        }
    }
    assert!(lines > 500, "{lines}");
}

#[test]
fn segmented_messages_are_written_as_serde_writes_them() {
    let texts = [
        "",
        "plain",
        "quote \" backslash \\ and \u{1} \u{1b} \u{1f} \u{b} control",
        "“smart” quotes – dashes … and\u{a0}spaces",
        "emoji 😀👍🏽 and ZWJ 👩‍👩‍👧",
        "line\r\nbreaks\n\n",
        &"€".repeat(200),
    ];
    for text in texts {
        for smart in [false, true] {
            for trim in [false, true] {
                for encoding in [None, Some(Encoding::Ucs2)] {
                    let o = SegmentOptions {
                        smart_encoding: smart,
                        trim_trailing_line_breaks: trim,
                        encoding,
                    };
                    same(&segment_message(text, &o).unwrap());
                }
            }
        }
    }
}

#[test]
fn errors_and_every_readable_change_of_a_card_are_written_as_serde_writes_them() {
    let base: Value = serde_json::from_str(DEFAULT_RATE_CARD_JSON).unwrap();
    let written = std::cell::Cell::new(0);
    common::one_step_changes(&base, |text| {
        if let Ok(card) = RateCard::from_json(text) {
            same(&card);
            same(&card.problems());
            written.set(written.get() + 1);
        }
        if let Err(e) = RateCard::from_json(text) {
            same(&e);
        }
        Ok(())
    });
    assert!(written.get() > 200, "{}", written.get());
}

/// Each unit enum's one table of JSON names is the names serde writes, variant for variant.
#[test]
fn enum_names_are_the_names_serde_writes() {
    use creditcast::input::json::Named;
    fn check<T: Named + serde::Serialize>() {
        assert_eq!(T::NAMES.len(), T::ALL.len(), "{}", T::EXPECTING);
        for (v, name) in T::ALL.iter().zip(T::NAMES) {
            assert_eq!(v.name(), *name);
            assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{name}\""));
        }
    }
    use creditcast::ratecard::*;
    check::<NumberType>();
    check::<ServiceKind>();
    check::<PricingModel>();
    check::<Direction>();
    check::<FeeChannel>();
    check::<FeeDirection>();
    check::<FeeTiming>();
    check::<creditcast::money::Strategy>();
    check::<creditcast::rating::LineKind>();
}
