//! Inputs the fuzzers (fuzz/, `scripts/fuzz.sh`) found, minimised, each fed exactly as found and
//! checked for a clean error or a consistent result. docs/fuzzing.md says how to add one.

use creditcast::rating::{BatchOptions, BatchResult, Charges};
use creditcast::{RatingEngine, UsageEvent};
use rust_decimal::Decimal;

/// Per-second voice billing (so a 20-second call is 1/3 of a minute), a metered service and an
/// SMS service whose only cost is a 10.00 carrier fee.
const PER_SECOND_CARD: &str = r#"{"version":1,"name":"per-second","currency":"USD",
  "rounding":{"statement":{"scale":2,"strategy":"halfEven"},"invoice":{"scale":2,"strategy":"halfUp"}},
  "services":{
    "call":{"kind":"voice","pricing":{"model":"flat","unitPrice":"1"},
            "billing":{"firstIncrement":1,"nextIncrement":1}},
    "api":{"kind":"metered","pricing":{"model":"flat","unitPrice":"1"}},
    "sms":{"kind":"sms","pricing":{"model":"flat","unitPrice":"0"}}},
  "carriers":[{"id":"c","name":"C"}],
  "carrierFees":{"schedule":[{"carrier":"c","channel":"sms","direction":"both",
    "numberType":"10dlc","amount":"10","from":"2020-01-01"}]}}"#;

fn batch(events: &str) -> BatchResult {
    let engine = RatingEngine::from_json(PER_SECOND_CARD).unwrap_or_else(|e| panic!("{e}"));
    let events: Vec<UsageEvent<'_>> =
        creditcast::input::from_json(events).unwrap_or_else(|e| panic!("{e}"));
    engine
        .rate_batch(&events, BatchOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Found by the `rate_card` target (2026-11-26, a card with `firstIncrement: 20`), minimised by
/// hand. A call of 1/3 minute costs a non-terminating decimal, rounded at 28 digits. The batch
/// total adds events in order, `byService` adds them per service, and the two groupings round
/// differently: the service totals added up to 10.666666666666666666666666667, the batch total
/// said 10.666666666666666666666666666.
#[test]
fn batch_total_equals_the_sum_of_its_service_totals() {
    let r = batch(
        r#"[{"service":"call","durationSeconds":20},
            {"service":"api","quantity":"10"},
            {"service":"call","durationSeconds":20}]"#,
    );
    let by_service: Decimal = r.by_service.values().map(|s| s.total.0).sum();
    assert_eq!(
        by_service, r.total.0,
        "byService totals must add up to the batch total"
    );
    let Some(Charges::Full(charges)) = &r.charges else {
        panic!("full charges expected")
    };
    let by_event: Decimal = charges.iter().map(|c| c.total.0).sum();
    assert_eq!(by_event, r.total.0);
}

/// Found by the `rate_card` target (2026-11-26, a card with `nextIncrement: 61`), minimised by
/// search. Same cause: the batch's usage, carrier fees and total are three running sums that
/// round at different moments, so usage + carrierFees (0.6666666666666666666666666666 + 10 =
/// 10.666666666666666666666666667) was not the total (10.666666666666666666666666666).
#[test]
fn batch_total_equals_usage_plus_carrier_fees() {
    let r = batch(
        r#"[{"service":"sms","segments":1,"carrier":"c"},
            {"service":"call","durationSeconds":20},
            {"service":"call","durationSeconds":20}]"#,
    );
    assert_eq!(
        r.usage.0.checked_add(r.carrier_fees.0),
        Some(r.total.0),
        "total must be usage + carrierFees"
    );
}

/// Found by the `rate_card` target (2026-11-26, an automated-voice price of
/// 222222222222222222222222.013 per minute), reduced by hand. Amounts near 10^25 with fractions of
/// a cent need more than `Decimal`'s 28 significant digits once summed, and `Decimal` rounds such
/// sums silently: the batch total (usage + carrier fees) and the sum of the charges differed in
/// the last digit. Sums are now exact or an `OVERFLOW` error; each event alone still rates.
#[test]
fn sums_beyond_28_digits_are_an_error_not_a_rounding() {
    let card = r#"{"version":1,"name":"huge","currency":"USD",
      "rounding":{"statement":{"scale":2,"strategy":"halfEven"},"invoice":{"scale":2,"strategy":"halfUp"}},
      "services":{
        "api":{"kind":"metered","pricing":{"model":"flat","unitPrice":"2222222222222222222222222.013"}},
        "sms":{"kind":"sms","pricing":{"model":"flat","unitPrice":"0"}}},
      "carriers":[{"id":"c","name":"C"}],
      "carrierFees":{"schedule":[{"carrier":"c","channel":"sms","direction":"both",
        "numberType":"10dlc","amount":"0.0035","from":"2020-01-01"}]}}"#;
    let engine = RatingEngine::from_json(card).unwrap_or_else(|e| panic!("{e}"));
    let text = r#"[{"service":"api","quantity":"5"},{"service":"sms","segments":1,"carrier":"c"}]"#;
    let events: Vec<UsageEvent<'_>> =
        creditcast::input::from_json(text).unwrap_or_else(|e| panic!("{e}"));
    let e = engine
        .rate_batch(&events, BatchOptions::default())
        .expect_err("the batch total needs 30 significant digits");
    assert_eq!(e.code, creditcast::ErrorCode::Overflow);
    for ev in &events {
        let c = engine
            .rate(ev, &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Some(c.total.0), c.usage.0.checked_add(c.carrier_fees.0));
    }
}
