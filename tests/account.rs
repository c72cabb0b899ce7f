//! The credit balance, read like PRODUCT.md §4: one scenario per rule.

use std::str::FromStr;

use creditcast::account::{
    simulate, Account, AccountConfig, Entry, EntryKind, LedgerMode, OffReason, Outcome,
    PaymentMethod, RefusalReason, Scenario, ScenarioEvent, SimulationOptions, SimulationResult,
    Statement,
};
use creditcast::error::{Error, ErrorCode};
use creditcast::RatingEngine;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Round prices so that the scenarios read in whole cents: an SMS segment costs 0.01 plus a
/// 0.005 carrier fee, an `api` call 0.001 (so `spend(…, "2.5")` is 2,500 calls), a `lookup` 1.00
/// after 10 included per period.
fn card_json(timing: &str) -> String {
    json!({
        "version": 1, "name": "test", "currency": "USD",
        "rounding": { "statement": { "scale": 2, "strategy": "halfEven" },
                      "invoice": { "scale": 2, "strategy": "halfUp" } },
        "services": {
            "sms": { "kind": "sms", "pricing": { "model": "flat", "unitPrice": "0.01" } },
            "api": { "kind": "metered", "unit": "call", "pricing": { "model": "flat", "unitPrice": "0.001" } },
            "lookup": { "kind": "metered", "unit": "lookup",
                        "pricing": { "model": "flat", "unitPrice": "1", "included": "10" } }
        },
        "carriers": [{ "id": "tmobile", "name": "T-Mobile" }],
        "carrierFees": { "timing": timing, "schedule": [
            { "carrier": "tmobile", "channel": "sms", "direction": "both", "numberType": "10dlc",
              "amount": "0.005", "from": "2020-01-01" } ] }
    })
    .to_string()
}

fn engine() -> RatingEngine {
    RatingEngine::from_json(&card_json("immediate")).unwrap_or_else(|e| panic!("{e}"))
}

fn deferred_engine() -> RatingEngine {
    RatingEngine::from_json(&card_json("deferred")).unwrap_or_else(|e| panic!("{e}"))
}

/// Usage of the `api` service costing `dollars` (0.001 per call).
fn spend(at: &str, dollars: &str) -> Value {
    let calls = d(dollars) * Decimal::from(1000);
    json!({ "at": at, "type": "usage", "service": "api", "quantity": calls.normalize().to_string() })
}

fn sms(at: &str, segments: u32) -> Value {
    json!({ "at": at, "type": "usage", "service": "sms", "segments": segments, "carrier": "tmobile" })
}

fn ev(at: &str, kind: &str) -> Value {
    json!({ "at": at, "type": kind })
}

fn try_run(engine: &RatingEngine, scenario: &Value) -> Result<SimulationResult, Error> {
    let text = scenario.to_string();
    let sc = Scenario::from_json(&text)?;
    simulate(engine, &sc)
}

fn run(engine: &RatingEngine, scenario: &Value) -> SimulationResult {
    let r = try_run(engine, scenario).unwrap_or_else(|e| panic!("{e}"));
    check_invariants(&r, scenario);
    r
}

fn scenario(account: Value, events: Vec<Value>, until: &str) -> Value {
    json!({ "account": account, "events": events, "until": until })
}

fn opening(r: &SimulationResult) -> Decimal {
    r.statements.first().map(|s| s.opening_balance.0).unwrap()
}

/// What every scenario must satisfy: the ledger sums, each entry's balance follows from the one
/// before, statements reconcile and chain.
fn check_invariants(r: &SimulationResult, scenario: &Value) {
    let open = d(scenario["account"]["openingBalance"]
        .as_str()
        .unwrap_or("0"));
    if scenario["options"]["ledger"] != "none" {
        let mut bal = open;
        for e in &r.ledger {
            bal += e.amount.0;
            assert_eq!(e.balance_after.0, bal, "running balance at {e:?}");
        }
        assert_eq!(bal, r.balance.0, "opening + sum of entries = closing");
    }
    let mut prev: Option<&Statement> = None;
    for s in &r.statements {
        reconciles(s);
        if let Some(p) = prev {
            assert_eq!(p.closing_balance, s.opening_balance, "statements chain");
        }
        prev = Some(s);
    }
    if let Some(first) = r.statements.first() {
        assert_eq!(first.opening_balance.0, open);
    }
}

fn reconciles(s: &Statement) {
    let closing = s.opening_balance.0 + s.purchases.0 + s.recharges.0 + s.settlement.0
        - s.usage.0
        - s.carrier_fees.0;
    assert_eq!(
        closing, s.closing_balance.0,
        "statement {} reconciles",
        s.month
    );
    assert_eq!(s.spend.0, s.usage.0 + s.carrier_fees.0);
    let by_service: Decimal = s.usage_by_service.values().map(|v| v.0).sum();
    assert_eq!(by_service, s.usage.0);
}

fn kinds(r: &SimulationResult) -> Vec<EntryKind> {
    r.ledger.iter().map(|e| e.kind).collect()
}

fn base() -> Value {
    json!({ "openingBalance": "10", "plan": { "cycle": "monthly", "start": "2025-01-01" } })
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

// ---- negative balance and month-end settlement ----

#[test]
fn a_negative_balance_is_invoiced_at_month_end_and_reset_to_zero_on_the_1st() {
    let account = with(base(), "negativeBalance", json!({ "allowed": true }));
    let r = run(
        &engine(),
        &scenario(
            account,
            vec![
                spend("2025-01-20T10:00:00Z", "11.505"),
                spend("2025-02-03", "1"),
            ],
            "2025-02-28",
        ),
    );
    let settle = r
        .ledger
        .iter()
        .find(|e| e.kind == EntryKind::Settlement)
        .unwrap();
    assert_eq!(
        settle.at,
        creditcast::time::parse_instant("2025-02-01").unwrap()
    );
    assert_eq!(
        settle.amount.0,
        d("1.505"),
        "credits exactly the negative balance"
    );
    assert_eq!(settle.balance_after.0, d("0"));
    assert_eq!(r.invoices.len(), 2, "January and February");
    let jan = &r.invoices[0];
    assert_eq!(jan.month, "2025-01");
    assert_eq!(jan.amount.0, d("1.505"));
    assert_eq!(
        jan.amount_due.0,
        d("1.51"),
        "rounded half up with rounding.invoice"
    );
    assert_eq!(jan.rounding_difference.0, d("0.005"));
    assert_eq!(r.invoices[1].month, "2025-02");
    assert_eq!(r.invoices[1].amount.0, d("1"));
    assert_eq!(r.balance.0, d("0"));
    let s = &r.statements[0];
    assert_eq!(
        (s.month.as_str(), s.closing_balance.0, s.settlement.0),
        ("2025-01", d("0"), d("1.505"))
    );
    assert_eq!(r.statements[1].opening_balance.0, d("0"), "a fresh start");
}

#[test]
fn a_quarterly_plan_is_still_settled_every_month_while_allowances_last_the_quarter() {
    let account = json!({ "plan": { "cycle": "quarterly", "start": "2025-01-01" },
                          "negativeBalance": { "allowed": true } });
    let lookup =
        |at: &str, n: u32| json!({ "at": at, "type": "usage", "service": "lookup", "quantity": n });
    let r = run(
        &engine(),
        &scenario(
            account,
            vec![
                lookup("2025-01-10", 8),  // 8 of the 10 included: free
                lookup("2025-02-10", 5),  // 2 free, 3 charged
                lookup("2025-04-10", 12), // a new quarter: 10 free, 2 charged
            ],
            "2025-04-30",
        ),
    );
    let months: Vec<&str> = r.invoices.iter().map(|i| i.month.as_str()).collect();
    assert_eq!(months, ["2025-02", "2025-04"]);
    assert_eq!(r.invoices[0].amount.0, d("3"));
    assert_eq!(r.invoices[1].amount.0, d("2"));
    assert_eq!(
        r.statements[0].usage_by_service["lookup"].0,
        d("0"),
        "free usage is still listed"
    );
}

// ---- refusals ----

#[test]
fn without_negative_balance_usage_the_balance_cannot_cover_is_refused_and_nothing_is_charged() {
    let account = with(base(), "openingBalance", json!("5"));
    let lookup =
        |at: &str, n: u32| json!({ "at": at, "type": "usage", "service": "lookup", "quantity": n });
    let r = run(
        &engine(),
        &scenario(
            account,
            vec![
                lookup("2025-01-02", 16), // 10 free + 6 charged: more than the balance
                lookup("2025-01-03", 10), // the allowance was not consumed by the refusal
                spend("2025-01-04", "5"), // exactly the balance: allowed, down to 0
                spend("2025-01-05", "0.001"),
            ],
            "2025-01-31",
        ),
    );
    assert_eq!(r.refused.len(), 2);
    let first = &r.refused[0];
    assert_eq!(first.reason, RefusalReason::InsufficientBalance);
    assert_eq!(
        (first.event_index, first.amount.0, first.balance.0),
        (0, d("6"), d("5"))
    );
    assert_eq!(&*first.service, "lookup");
    assert_eq!(r.refused[1].event_index, 3);
    assert_eq!(r.balance.0, d("0"));
    assert_eq!(r.statements[0].refused, 2);
    assert!(r.invoices.is_empty());
}

#[test]
fn with_a_credit_limit_usage_that_would_cross_it_is_refused() {
    let account = json!({ "plan": { "start": "2025-01-01" },
                          "negativeBalance": { "allowed": true, "limit": "5" } });
    let r = run(
        &engine(),
        &scenario(
            account,
            vec![
                spend("2025-01-02", "4"),
                spend("2025-01-03", "2"),
                spend("2025-01-04", "1"), // exactly at the limit
            ],
            "2025-01-31",
        ),
    );
    assert_eq!(r.refused.len(), 1);
    assert_eq!(r.refused[0].reason, RefusalReason::CreditLimit);
    assert_eq!(r.refused[0].event_index, 1);
    assert_eq!(r.invoices[0].amount.0, d("5"));
}

// ---- auto-recharge ----

fn recharging(ar: Value) -> Value {
    with(base(), "autoRecharge", ar)
}

#[test]
fn auto_recharge_fires_when_a_debit_leaves_the_balance_at_or_below_the_threshold() {
    let account = with(
        recharging(json!({ "enabled": true, "threshold": "5", "amount": "20" })),
        "openingBalance",
        json!("12"),
    );
    let r = run(
        &engine(),
        &scenario(
            account,
            vec![
                spend("2025-01-02T09:00:00Z", "6.5"), // 5.50: above
                spend("2025-01-02T10:00:00Z", "0.5"), // 5.00: at the threshold
            ],
            "2025-01-02T23:00:00Z",
        ),
    );
    assert_eq!(
        kinds(&r),
        [EntryKind::Usage, EntryKind::Usage, EntryKind::Recharge]
    );
    let rc = &r.ledger[2];
    assert_eq!((rc.amount.0, rc.balance_after.0), (d("20"), d("25")));
    let st = &r.auto_recharge;
    assert!(st.enabled);
    assert_eq!(st.reason, None);
    let last = st.last_attempt.unwrap();
    assert_eq!((last.amount.0, last.outcome), (d("20"), Outcome::Succeeded));
    let next = st.next_trigger_at.unwrap();
    assert_eq!((next.balance.0, next.distance.0), (d("5"), d("20")));
    assert_eq!((st.recharges_today, st.recharges_this_month), (1, 1));
    assert_eq!(r.statements[0].recharges.0, d("20"));
}

#[test]
fn a_burst_of_usage_recharges_at_most_the_daily_cap_and_resumes_the_next_day() {
    let account = with(
        recharging(json!({ "enabled": true, "threshold": "10", "amount": "20", "maxPerDay": 2 })),
        "openingBalance",
        json!("20"),
    );
    let mut events: Vec<Value> = (0..6)
        .map(|i| spend(&format!("2025-01-02T10:0{i}:00Z"), "9"))
        .collect();
    events.push(spend("2025-01-03T08:00:00Z", "1"));
    let r = run(
        &engine(),
        &scenario(
            account.clone(),
            events[..6].to_vec(),
            "2025-01-02T23:00:00Z",
        ),
    );
    // 20 → 11 → 2 ⟶ 22 → 13 → 4 ⟶ 24 → 15 → 6 (cap) → refused.
    let recharges = r
        .ledger
        .iter()
        .filter(|e| e.kind == EntryKind::Recharge)
        .count();
    assert_eq!(recharges, 2, "never more than maxPerDay");
    assert_eq!(
        r.auto_recharge.cap_reached,
        Some(creditcast::account::Cap::Day)
    );
    assert_eq!(r.auto_recharge.recharges_today, 2);
    assert_eq!(r.refused.len(), 0);
    assert_eq!(r.balance.0, d("6"));

    let r = run(
        &engine(),
        &scenario(account, events, "2025-01-03T09:00:00Z"),
    );
    assert_eq!(
        r.ledger
            .iter()
            .filter(|e| e.kind == EntryKind::Recharge)
            .count(),
        3
    );
    assert_eq!(r.auto_recharge.cap_reached, None);
    assert_eq!(r.auto_recharge.recharges_today, 1);
    assert_eq!(r.auto_recharge.recharges_this_month, 3);
}

#[test]
fn a_monthly_cap_holds_across_days() {
    let account = with(
        recharging(json!({ "enabled": true, "threshold": "10", "amount": "20", "maxPerMonth": 1 })),
        "openingBalance",
        json!("20"),
    );
    let events = vec![
        spend("2025-01-02", "15"),
        spend("2025-01-03", "15"),
        spend("2025-02-01", "1"),
    ];
    let r = run(
        &engine(),
        &scenario(account, events, "2025-02-01T01:00:00Z"),
    );
    let at: Vec<String> = r
        .ledger
        .iter()
        .filter(|e| e.kind == EntryKind::Recharge)
        .map(|e| creditcast::time::format_instant(e.at))
        .collect();
    assert_eq!(at, ["2025-01-02T00:00:00Z", "2025-02-01T00:00:00Z"]);
}

#[test]
fn a_failed_payment_switches_auto_recharge_off_until_the_payment_method_is_fixed() {
    let account = with(
        recharging(json!({ "enabled": true, "threshold": "5", "amount": "20" })),
        "openingBalance",
        json!("10"),
    );
    let events = vec![
        ev("2025-01-02T09:00:00Z", "paymentWillFail"),
        spend("2025-01-02T10:00:00Z", "6"), // 4: attempt fails
        spend("2025-01-02T11:00:00Z", "1"), // 3: no attempt while off
        ev("2025-01-03T09:00:00Z", "paymentMethodFixed"), // at/below threshold: attempt now
    ];
    let sc = scenario(account, events, "2025-01-03T10:00:00Z");
    let r = run(&engine(), &sc);
    assert_eq!(
        kinds(&r),
        [
            EntryKind::Usage,
            EntryKind::RechargeFailed,
            EntryKind::Usage,
            EntryKind::Recharge
        ]
    );
    let failed = &r.ledger[1];
    assert_eq!(
        (
            failed.amount.0,
            failed.attempted.unwrap().0,
            failed.balance_after.0
        ),
        (d("0"), d("20"), d("4"))
    );
    assert_eq!(r.ledger[3].balance_after.0, d("23"));
    assert_eq!(r.statements[0].recharge_failures, 1);

    // Status while it is off.
    let text = sc.to_string();
    let mut s = Scenario::from_json(&text).unwrap();
    s.events.truncate(3);
    s.until = "2025-01-02T12:00:00Z".into();
    let st = simulate(&engine(), &s).unwrap().auto_recharge;
    assert!(!st.enabled);
    assert_eq!(st.reason, Some(OffReason::PaymentFailed));
    assert_eq!(st.payment_method, PaymentMethod::Failed);
    assert_eq!(st.last_attempt.unwrap().outcome, Outcome::Failed);
    assert_eq!(st.next_trigger_at, None);
}

#[test]
fn a_manual_purchase_can_fail_too_and_marks_the_payment_method_failed() {
    let account = recharging(json!({ "enabled": true, "threshold": "5", "amount": "20" }));
    let events = vec![
        ev("2025-01-02", "paymentWillFail"),
        json!({ "at": "2025-01-03", "type": "purchase", "amount": "50" }),
        json!({ "at": "2025-01-04", "type": "purchase", "amount": "50" }),
    ];
    let r = run(&engine(), &scenario(account, events, "2025-01-05"));
    assert_eq!(kinds(&r), [EntryKind::PurchaseFailed, EntryKind::Purchase]);
    assert_eq!(r.ledger[0].attempted.unwrap().0, d("50"));
    assert_eq!(r.ledger[0].event_index, Some(1));
    assert_eq!(r.balance.0, d("60"));
    assert_eq!(
        r.auto_recharge.reason,
        Some(OffReason::PaymentFailed),
        "until paymentMethodFixed"
    );
    assert_eq!(
        (
            r.statements[0].purchases.0,
            r.statements[0].purchase_failures
        ),
        (d("50"), 1)
    );
}

#[test]
fn after_a_deep_drop_a_fixed_amount_closes_the_shortfall_in_one_payment_of_whole_multiples() {
    let account = json!({ "openingBalance": "12", "plan": { "start": "2025-01-01" },
                          "negativeBalance": { "allowed": true },
                          "autoRecharge": { "enabled": true, "threshold": "10", "amount": "25" } });
    let r = run(
        &engine(),
        &scenario(account, vec![spend("2025-01-02", "60")], "2025-01-03"),
    );
    // 12 − 60 = −48; −48 + 25·n > 10 needs n = 3.
    assert_eq!(kinds(&r), [EntryKind::Usage, EntryKind::Recharge]);
    assert_eq!(r.ledger[1].amount.0, d("75"));
    assert_eq!(r.balance.0, d("27"));
}

#[test]
fn target_mode_tops_up_to_the_target_rounded_up_to_the_statement_scale() {
    let account = with(
        recharging(json!({ "enabled": true, "threshold": "10", "target": "100" })),
        "openingBalance",
        json!("15"),
    );
    let r = run(
        &engine(),
        &scenario(account, vec![spend("2025-01-02", "5.0037")], "2025-01-03"),
    );
    assert_eq!(
        r.ledger[1].amount.0,
        d("90.01"),
        "100 − 9.9963, rounded up to cents"
    );
    assert_eq!(r.balance.0, d("100.0063"));
    assert_eq!(r.auto_recharge.target.unwrap().0, d("100"));
}

#[test]
fn turning_auto_recharge_on_below_the_threshold_recharges_at_once() {
    let account = with(base(), "openingBalance", json!("3"));
    let events = vec![json!({ "at": "2025-01-02", "type": "setAutoRecharge",
                              "autoRecharge": { "enabled": true, "threshold": "5", "amount": "10" } })];
    let r = run(&engine(), &scenario(account, events, "2025-01-03"));
    assert_eq!(kinds(&r), [EntryKind::Recharge]);
    assert_eq!(r.balance.0, d("13"));
}

// ---- deferred carrier fees ----

#[test]
fn deferred_carrier_fees_post_about_a_day_later_aggregated_per_hour_and_can_trigger_a_recharge() {
    let account = with(
        recharging(json!({ "enabled": true, "threshold": "1", "amount": "10" })),
        "openingBalance",
        json!("1.3"),
    );
    let events = vec![
        sms("2025-01-10T10:20:00Z", 10), // 0.10 now, fee 0.05 due 2025-01-11T11:00
        sms("2025-01-10T10:40:00Z", 10), // 0.10 now, fee 0.05 due the same hour
        sms("2025-01-11T11:00:00Z", 1),  // after the fees post
    ];
    let r = run(
        &deferred_engine(),
        &scenario(account, events, "2025-01-12T00:00:00Z"),
    );
    use EntryKind::*;
    assert_eq!(kinds(&r), [Usage, Usage, CarrierFee, Recharge, Usage]);
    let fee = &r.ledger[2];
    assert_eq!(
        creditcast::time::format_instant(fee.at),
        "2025-01-11T11:00:00Z"
    );
    assert_eq!((fee.amount.0, fee.balance_after.0), (d("-0.1"), d("1")));
    assert_eq!(fee.service, None, "aggregated over the hour");
    assert_eq!(
        r.ledger[3].at, fee.at,
        "the overnight drop triggers the recharge"
    );
    assert_eq!(
        r.pending_fees.0,
        d("0.005"),
        "the last message's fee is not due yet"
    );
}

#[test]
fn pending_deferred_fees_count_against_the_floor_so_posting_them_never_crosses_it() {
    let account = with(base(), "openingBalance", json!("0.2"));
    let events = vec![
        sms("2025-01-10T10:00:00Z", 10),
        sms("2025-01-10T10:01:00Z", 4),
    ];
    // 0.2 − 0.10 = 0.10 with 0.05 pending: 0.05 available; 4 segments cost 0.04 + 0.02.
    let r = run(&deferred_engine(), &scenario(account, events, "2025-01-12"));
    assert_eq!(r.refused.len(), 1);
    assert_eq!(r.refused[0].pending_fees.0, d("0.05"));
    assert_eq!(r.balance.0, d("0.05"));
}

// ---- post-paid ----

#[test]
fn post_paid_eligibility_is_reported_for_months_spending_more_than_5000() {
    let account = with(base(), "openingBalance", json!("20000"));
    let events = vec![
        spend("2025-01-10", "5000"),    // exactly 5,000: not more
        spend("2025-02-10", "4999.99"), // with its carrier fee below
        sms("2025-02-11", 1),           // 0.015 more: 5,000.005
    ];
    let r = run(&engine(), &scenario(account, events, "2025-02-28"));
    assert_eq!(r.postpaid_eligible.len(), 1);
    assert_eq!(r.postpaid_eligible[0].month, "2025-02");
    assert_eq!(r.postpaid_eligible[0].spend.0, d("5000.005"));
    assert_eq!(
        r.statements[1].spend_rounded.0,
        d("5000.00"),
        "half-even at the statement"
    );
}

#[test]
fn post_paid_usage_accrues_without_refusals_or_recharges_and_is_invoiced_monthly() {
    let account = json!({ "plan": { "start": "2025-01-01" }, "postpaid": true });
    let r = run(
        &engine(),
        &scenario(
            account,
            vec![
                spend("2025-01-05", "3000"),
                spend("2025-01-25", "2500"),
                spend("2025-02-02", "10"),
            ],
            "2025-02-28",
        ),
    );
    assert!(r.refused.is_empty());
    let inv: Vec<(&str, Decimal)> = r
        .invoices
        .iter()
        .map(|i| (i.month.as_str(), i.amount.0))
        .collect();
    assert_eq!(inv, [("2025-01", d("5500")), ("2025-02", d("10"))]);
    assert_eq!(r.auto_recharge.reason, Some(OffReason::Disabled));
    assert_eq!(r.postpaid_eligible[0].month, "2025-01");
}

// ---- time zones and order ----

#[test]
fn month_ends_follow_the_account_time_zone() {
    let account = json!({ "plan": { "start": "2025-01-01" }, "timeZone": "+02:00",
                          "negativeBalance": { "allowed": true } });
    let events = vec![
        spend("2025-01-31T23:30:00+02:00", "1"), // 21:30 UTC: still January here
        spend("2025-01-31T22:30:00Z", "2"),      // 00:30 on 1 February here
        spend("2025-02-10", "4"),                // a date is local midnight
    ];
    let r = run(&engine(), &scenario(account, events, "2025-02-28"));
    let jan = &r.invoices[0];
    assert_eq!((jan.month.as_str(), jan.amount.0), ("2025-01", d("1")));
    assert_eq!(
        creditcast::time::format_instant(jan.issued_at),
        "2025-01-31T22:00:00Z"
    );
    assert_eq!(r.statements[1].usage.0, d("6"));
    assert_eq!(
        creditcast::time::format_instant(r.ledger[3].at),
        "2025-02-09T22:00:00Z"
    );
    // `until: "2025-02-28"` runs to the end of that day, local: February is settled too.
    assert_eq!(r.invoices[1].month, "2025-02");
    assert_eq!(
        creditcast::time::format_instant(r.invoices[1].issued_at),
        "2025-02-28T22:00:00Z"
    );
}

#[test]
fn events_out_of_time_order_are_an_error_with_the_path() {
    let e = try_run(
        &engine(),
        &scenario(
            base(),
            vec![spend("2025-01-05", "1"), spend("2025-01-04", "1")],
            "2025-01-31",
        ),
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (ErrorCode::OutOfOrder, "events[1].at")
    );

    let e = try_run(
        &engine(),
        &scenario(base(), vec![spend("2024-12-31", "1")], "2025-01-31"),
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (ErrorCode::OutOfOrder, "events[0].at"),
        "before the plan start"
    );

    let e = try_run(
        &engine(),
        &scenario(base(), vec![spend("2025-02-05", "1")], "2025-02-01"),
    )
    .unwrap_err();
    assert_eq!((e.code, e.path.as_str()), (ErrorCode::OutOfOrder, "until"));
}

// ---- bad input ----

#[test]
fn bad_input_is_an_error_with_a_code_and_a_path() {
    let ar = |v: Value| recharging(v);
    let cases: Vec<(Value, ErrorCode, &str)> = vec![
        (
            scenario(base(), vec![ev("2025-01-02", "refund")], "2025-01-31"),
            ErrorCode::InvalidValue,
            "events[0].type",
        ),
        (
            scenario(
                base(),
                vec![ev("2025-02-30", "paymentWillFail")],
                "2025-03-31",
            ),
            ErrorCode::InvalidDate,
            "events[0].at",
        ),
        (
            scenario(
                base(),
                vec![json!({"at":"2025-01-02","type":"purchase","amount":"-5"})],
                "2025-01-31",
            ),
            ErrorCode::NegativeValue,
            "events[0].amount",
        ),
        (
            scenario(
                base(),
                vec![json!({"at":"2025-01-02","type":"purchase","amount":"0"})],
                "2025-01-31",
            ),
            ErrorCode::OutOfRange,
            "events[0].amount",
        ),
        (
            scenario(
                base(),
                vec![json!({"at":"2025-01-02","type":"purchase","amount":"10.001"})],
                "2025-01-31",
            ),
            ErrorCode::OutOfRange,
            "events[0].amount",
        ),
        (
            scenario(
                base(),
                vec![json!({"at":"2025-01-02","type":"purchase","amount":null})],
                "2025-01-31",
            ),
            ErrorCode::InvalidNumber,
            "events[0].amount",
        ),
        (
            scenario(
                base(),
                vec![json!({"at":"2025-01-02","type":"purchase"})],
                "2025-01-31",
            ),
            ErrorCode::MissingField,
            "events[0].amount",
        ),
        (
            scenario(
                base(),
                vec![json!({"at":"2025-01-02","type":"purchase","amount":"5","text":"hi"})],
                "2025-01-31",
            ),
            ErrorCode::NotApplicable,
            "events[0].text",
        ),
        (
            scenario(
                base(),
                vec![json!({"at":"2025-01-02","type":"usage","service":"api","amount":"5"})],
                "2025-01-31",
            ),
            ErrorCode::NotApplicable,
            "events[0].amount",
        ),
        (
            scenario(
                base(),
                vec![json!({"at":"2025-01-02","type":"usage","service":"fax"})],
                "2025-01-31",
            ),
            ErrorCode::UnknownService,
            "events[0].service",
        ),
        (
            scenario(
                base(),
                vec![
                    json!({"at":"2025-01-02","type":"usage","service":"sms","segments":1,"carrier":"vodafone"}),
                ],
                "2025-01-31",
            ),
            ErrorCode::UnknownCarrier,
            "events[0].carrier",
        ),
        (
            scenario(
                base(),
                vec![
                    json!({"at":"2025-01-02","type":"usage","service":"sms","segments":1,"colour":"red"}),
                ],
                "2025-01-31",
            ),
            ErrorCode::UnknownField,
            "events[0].colour",
        ),
        (
            scenario(
                base(),
                vec![
                    json!({"at":"2025-01-02","type":"usage","service":"api","quantity":"2000000000000000"}),
                ],
                "2025-01-31",
            ),
            ErrorCode::OutOfRange,
            "events[0]",
        ),
        (
            scenario(
                base(),
                vec![
                    json!({"at":"2025-01-02","type":"setAutoRecharge","autoRecharge":{"enabled":true,"threshold":"20","target":"20"}}),
                ],
                "2025-01-31",
            ),
            ErrorCode::InvalidSettings,
            "events[0].autoRecharge.target",
        ),
        (
            scenario(
                ar(json!({"enabled":true,"threshold":"5","amount":"10"})),
                vec![
                    json!({"at":"2025-01-02","type":"setNegativeBalance","negativeBalance":{"allowed":false,"limit":"5"}}),
                ],
                "2025-01-31",
            ),
            ErrorCode::InvalidSettings,
            "events[0].negativeBalance.limit",
        ),
        (
            scenario(
                base(),
                vec![json!({"at":"2025-01-02","type":"setNegativeBalance"})],
                "2025-01-31",
            ),
            ErrorCode::MissingField,
            "events[0].negativeBalance",
        ),
        (
            scenario(
                ar(json!({"enabled":true,"threshold":"50","target":"40"})),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::InvalidSettings,
            "account.autoRecharge.target",
        ),
        (
            scenario(
                ar(json!({"enabled":true,"threshold":"5","amount":"10","target":"40"})),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::InvalidSettings,
            "account.autoRecharge.target",
        ),
        (
            scenario(
                ar(json!({"enabled":true,"threshold":"5"})),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::MissingField,
            "account.autoRecharge.amount",
        ),
        (
            scenario(
                ar(json!({"enabled":true,"amount":"5"})),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::MissingField,
            "account.autoRecharge.threshold",
        ),
        (
            scenario(
                ar(json!({"enabled":true,"threshold":"5","amount":"-5"})),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::NegativeValue,
            "account.autoRecharge.amount",
        ),
        (
            scenario(
                ar(json!({"enabled":true,"threshold":"5","amount":"10","maxPerDay":0})),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::OutOfRange,
            "account.autoRecharge.maxPerDay",
        ),
        (
            scenario(
                ar(json!({"enabled":true,"threshold":"-1","amount":"10"})),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::InvalidSettings,
            "account.autoRecharge.threshold",
        ),
        (
            scenario(
                ar(json!({"enabled":true,"threshold":"5","amount":"10","every":"day"})),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::UnknownField,
            "account.autoRecharge.every",
        ),
        (
            scenario(
                with(
                    base(),
                    "negativeBalance",
                    json!({"allowed":true,"limit":"-5"}),
                ),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::NegativeValue,
            "account.negativeBalance.limit",
        ),
        (
            scenario(
                with(
                    with(base(), "postpaid", json!(true)),
                    "negativeBalance",
                    json!({"allowed":true,"limit":"5"}),
                ),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::InvalidSettings,
            "account.negativeBalance.limit",
        ),
        (
            scenario(
                with(
                    ar(json!({"enabled":true,"threshold":"5","amount":"10"})),
                    "postpaid",
                    json!(true),
                ),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::InvalidSettings,
            "account.autoRecharge.enabled",
        ),
        (
            scenario(
                with(base(), "openingBalance", json!("-1")),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::InvalidSettings,
            "account.openingBalance",
        ),
        (
            scenario(
                with(base(), "timeZone", json!("Europe/Paris")),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::InvalidValue,
            "account.timeZone",
        ),
        (
            scenario(with(base(), "currency", json!("EUR")), vec![], "2025-01-31"),
            ErrorCode::InvalidSettings,
            "account.currency",
        ),
        (
            scenario(
                json!({"plan":{"start":"2025-01-01","cycle":"weekly"}}),
                vec![],
                "2025-01-31",
            ),
            ErrorCode::InvalidValue,
            "account.plan.cycle",
        ),
        (
            scenario(json!({"plan":{"start":"soon"}}), vec![], "2025-01-31"),
            ErrorCode::InvalidDate,
            "account.plan.start",
        ),
        (
            scenario(base(), vec![], "later"),
            ErrorCode::InvalidDate,
            "until",
        ),
        (
            json!({"account": base(), "events": [], "until": "2025-01-31", "options": {"ledger": "week"}}),
            ErrorCode::InvalidValue,
            "options.ledger",
        ),
    ];
    for (sc, code, path) in cases {
        let e = try_run(&engine(), &sc).expect_err(&format!("{path} should fail"));
        assert_eq!((e.code, e.path.as_str()), (code, path), "{e}");
    }
}

#[test]
fn a_failed_apply_changes_nothing_and_the_account_stays_usable() {
    let e = engine();
    let config: AccountConfig = serde_json::from_value(recharging(json!({
        "enabled": true, "threshold": "5", "amount": "20" })))
    .unwrap();
    let mut acct = Account::new(config, &e).unwrap();
    let apply = |acct: &mut Account, v: Value| {
        let text = v.to_string();
        let ev = ScenarioEvent::from_json(&text)?;
        acct.apply(&e, &ev)
    };
    apply(
        &mut acct,
        json!({"at":"2025-01-02","type":"usage","service":"lookup","quantity":4}),
    )
    .unwrap();
    apply(&mut acct, spend("2025-01-03", "1")).unwrap();
    let before = acct.to_json().unwrap();
    let bad = [
        json!({"at":"2025-01-04","type":"usage","service":"lookup","quantity":"-1"}),
        json!({"at":"2025-01-04","type":"usage","service":"sms","segments":1,"carrier":"nope"}),
        json!({"at":"2025-01-02","type":"usage","service":"api","quantity":1}),
        json!({"at":"2025-03-04","type":"purchase","amount":"0"}),
        json!({"at":"2025-03-04","type":"setAutoRecharge","autoRecharge":{"enabled":true,"threshold":"9","target":"5"}}),
        json!({"at":"2025-03-04","type":"usage","service":"api","quantity":"2000000000000000"}),
    ];
    for b in bad {
        assert!(apply(&mut acct, b.clone()).is_err(), "{b}");
        assert_eq!(acct.to_json().unwrap(), before, "{b} changed the account");
    }
    // Usable: the allowance consumed before the errors is intact (6 of 10 left).
    let done = apply(
        &mut acct,
        json!({"at":"2025-01-05","type":"usage","service":"lookup","quantity":7}),
    )
    .unwrap();
    assert_eq!(done.entries.len(), 1);
    assert_eq!(done.entries[0].amount.0, d("-1"));
    assert_eq!(acct.balance(), d("8"));
    assert_eq!(acct.events_applied(), 3);
}

// ---- the stateful account ----

fn long_scenario(ledger: &str) -> Value {
    let account = json!({ "openingBalance": "3", "timeZone": "-05:00",
        "plan": { "cycle": "quarterly", "start": "2025-01-01" },
        "negativeBalance": { "allowed": true, "limit": "2" },
        "autoRecharge": { "enabled": true, "threshold": "1", "amount": "2", "maxPerDay": 1 } });
    let mut events = Vec::new();
    for day in 1..=70u32 {
        let date = creditcast::time::format_instant(
            creditcast::time::parse_instant("2025-01-01T12:00:00Z").unwrap()
                + (day as i64 - 1) * 86_400,
        );
        let date = &date[..10];
        for h in [9, 13, 21] {
            events.push(sms(&format!("{date}T{h:02}:15:00Z"), 20 + day % 7));
            events.push(sms(&format!("{date}T{h:02}:20:00Z"), 1 + day % 5));
            events.push(json!({ "at": format!("{date}T{h:02}:30:00Z"), "type": "usage", "service": "lookup", "quantity": day % 3 }));
        }
        if day % 9 == 0 {
            events.push(ev(&format!("{date}T22:00:00Z"), "paymentWillFail"));
        }
        if day % 9 == 4 {
            events.push(ev(&format!("{date}T22:30:00Z"), "paymentMethodFixed"));
        }
        if day % 20 == 0 {
            events.push(
                json!({ "at": format!("{date}T23:00:00Z"), "type": "purchase", "amount": "3.5" }),
            );
        }
    }
    json!({ "account": account, "events": events, "until": "2025-03-15", "options": { "ledger": ledger } })
}

/// Each entry's balance follows from the one before, and the last is the account's balance: the
/// ledger as read at any moment, a merged run in progress included.
fn assert_ledger_chains(acct: &Account, at: usize) {
    let ledger = acct.ledger().unwrap();
    for (k, w) in ledger.windows(2).enumerate() {
        assert_eq!(
            w[1].balance_after.0,
            w[0].balance_after.0 + w[1].amount.0,
            "entry {} after event {at}",
            k + 1
        );
    }
    if let Some(last) = ledger.last() {
        assert_eq!(last.balance_after.0, acct.balance(), "after event {at}");
    }
}

#[test]
fn simulate_is_exactly_the_stateful_account_and_survives_a_json_round_trip() {
    let e = deferred_engine();
    for mode in ["event", "hour", "day"] {
        let sc = long_scenario(mode);
        let expected = run(&e, &sc);
        assert!(!expected.invoices.is_empty() && !expected.refused.is_empty());
        assert!(expected
            .ledger
            .iter()
            .any(|x| x.kind == EntryKind::RechargeFailed));

        let config: AccountConfig = serde_json::from_value(sc["account"].clone()).unwrap();
        let options: SimulationOptions = serde_json::from_value(sc["options"].clone()).unwrap();
        let mut acct = Account::with_options(config, options, &e).unwrap();
        let events = sc["events"].as_array().unwrap();
        for (i, v) in events.iter().enumerate() {
            if i % 37 == 0 {
                // Saved mid-run too (a merged run's balances are worked out when read).
                let saved = acct.to_json().unwrap();
                let restored = Account::from_json(&saved).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(restored, acct, "{mode}: round trip at event {i}");
                acct = restored;
            }
            let text = v.to_string();
            acct.apply(&e, &ScenarioEvent::from_json(&text).unwrap())
                .unwrap();
            assert_ledger_chains(&acct, i);
        }
        acct.advance_to("2025-03-15").unwrap();
        assert_eq!(acct.result().unwrap(), expected, "{mode}");
    }
}

#[test]
fn merged_and_absent_ledgers_give_the_same_balance_invoices_and_statements() {
    let e = deferred_engine();
    let full = run(&e, &long_scenario("event"));
    for mode in ["hour", "day", "none"] {
        let r = run(&e, &long_scenario(mode));
        assert_eq!(r.balance, full.balance, "{mode}");
        assert_eq!(r.invoices, full.invoices, "{mode}");
        assert_eq!(r.statements, full.statements, "{mode}");
        assert_eq!(r.refused, full.refused, "{mode}");
        assert_eq!(r.auto_recharge, full.auto_recharge, "{mode}");
        match mode {
            "none" => assert!(r.ledger.is_empty()),
            _ => assert!(r.ledger.len() < full.ledger.len(), "{mode} merges"),
        }
    }
}

/// A merged ledger is the event ledger with each hour's or day's debits of a kind and service
/// added into the first of them (counted, keeping its time and event index), runs never crossing
/// another entry or the hour's or day's end in the account's time zone (-05:00 here): merged
/// here from the event ledger, and compared with what the account merged as it went.
#[test]
fn merged_ledgers_are_the_event_ledger_merged() {
    let e = deferred_engine();
    let events = run(&e, &long_scenario("event")).ledger;
    let offset = -5 * 3600;
    for (mode, width) in [("hour", 3600), ("day", 86_400)] {
        let mut want: Vec<Entry> = Vec::new();
        let mut run_at: Option<(usize, i64)> = None;
        for x in &events {
            if !matches!(x.kind, EntryKind::Usage | EntryKind::CarrierFee) {
                run_at = None;
                want.push(x.clone());
                continue;
            }
            let bucket = (x.at + offset).div_euclid(width);
            let same = match run_at {
                Some((start, b)) if b == bucket => want[start..]
                    .iter_mut()
                    .find(|w| w.kind == x.kind && w.service == x.service),
                _ => {
                    run_at = Some((want.len(), bucket));
                    None
                }
            };
            match same {
                Some(w) => {
                    w.amount.0 += x.amount.0;
                    w.count = Some(w.count.unwrap_or(1) + 1);
                }
                None => want.push(x.clone()),
            }
        }
        let mut balance = opening(&run(&e, &long_scenario(mode)));
        for w in &mut want {
            balance += w.amount.0;
            w.balance_after.0 = balance;
        }
        let got = run(&e, &long_scenario(mode)).ledger;
        assert!(got.iter().any(|x| x.count.is_some()), "{mode} merges");
        assert_eq!(got, want, "{mode}");
    }
}

#[test]
fn a_day_ledger_merges_debits_of_a_service_but_never_across_another_entry() {
    let account = with(
        recharging(json!({ "enabled": true, "threshold": "5", "amount": "20" })),
        "openingBalance",
        json!("6"),
    );
    let events = vec![
        sms("2025-01-02T08:00:00Z", 10),
        sms("2025-01-02T09:00:00Z", 10),
        spend("2025-01-02T10:00:00Z", "0.8"), // 5.70 → 4.90: recharge
        sms("2025-01-02T11:00:00Z", 10),
        sms("2025-01-03T11:00:00Z", 10),
    ];
    let mut sc = scenario(account, events, "2025-01-04");
    sc["options"] = json!({ "ledger": "day" });
    let r = run(&engine(), &sc);
    use EntryKind::*;
    assert_eq!(
        kinds(&r),
        [Usage, CarrierFee, Usage, Recharge, Usage, CarrierFee, Usage, CarrierFee]
    );
    assert_eq!(
        (r.ledger[0].amount.0, r.ledger[0].count),
        (d("-0.2"), Some(2))
    );
    assert_eq!(r.ledger[1].amount.0, d("-0.1"));
    assert_eq!(r.ledger[2].service.as_deref(), Some("api"));
    assert_eq!(r.ledger[4].count, None);
    assert_eq!(opening(&r), d("6"));
}

#[test]
fn the_status_of_an_account_without_auto_recharge_says_disabled() {
    let acct = Account::new(serde_json::from_value(base()).unwrap(), &engine()).unwrap();
    let st = acct.auto_recharge_status();
    assert!(!st.enabled);
    assert_eq!(st.reason, Some(OffReason::Disabled));
    assert_eq!(st.threshold, None);
    let json = serde_json::to_value(&st).unwrap();
    assert_eq!(json["reason"], "disabled");
    assert_eq!(json["lastAttempt"], Value::Null);
    assert_eq!(acct.ledger_mode(), LedgerMode::Event);
}

/// The JSON shapes the TypeScript types describe: field names are part of the API.
#[test]
fn results_serialise_to_the_documented_json_shape() {
    let account = json!({ "openingBalance": "1", "plan": { "start": "2025-01-01" },
        "negativeBalance": { "allowed": true, "limit": "50" },
        "autoRecharge": { "enabled": true, "threshold": "0.5", "amount": "20", "maxPerDay": 3 } });
    let events = vec![
        ev("2025-01-02T10:00:00Z", "paymentWillFail"),
        sms("2025-01-02T10:00:00Z", 2),
        spend("2025-01-20", "60"),
        spend("2025-01-21", "1"),
    ];
    let r = run(
        &engine(),
        &scenario(account, events, "2025-02-01T08:00:00Z"),
    );
    let v = serde_json::to_value(&r).unwrap();
    if std::env::var("SHOW_JSON").is_ok() {
        println!("{}", serde_json::to_string_pretty(&v).unwrap());
    }
    let keys = |v: &Value| {
        v.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(
        keys(&v),
        "autoRecharge,balance,currency,invoices,ledger,pendingFees,postpaidEligible,refused,statements"
    );
    assert_eq!(
        keys(&v["ledger"][0]),
        "amount,at,balanceAfter,eventIndex,kind,service"
    );
    assert_eq!(v["ledger"][0]["at"], "2025-01-02T10:00:00Z");
    assert_eq!(v["ledger"][0]["amount"], "-0.02");
    assert_eq!(
        keys(&v["ledger"][3]),
        "amount,at,attempted,balanceAfter,eventIndex,kind"
    );
    assert_eq!(keys(&v["ledger"][4]), "amount,at,balanceAfter,kind");
    assert_eq!(
        keys(&v["refused"][0]),
        "amount,at,balance,eventIndex,reason,service"
    );
    assert_eq!(v["refused"][0]["reason"], "creditLimit");
    assert_eq!(
        keys(&v["invoices"][0]),
        "amount,amountDue,issuedAt,month,roundingDifference"
    );
    assert_eq!(
        keys(&v["statements"][0]),
        "carrierFees,closingBalance,month,openingBalance,purchaseFailures,purchases,rechargeFailures,recharges,refused,settlement,spend,spendRounded,usage,usageByService"
    );
    assert_eq!(
        keys(&v["autoRecharge"]),
        "amount,capReached,enabled,lastAttempt,maxPerDay,maxPerMonth,nextTriggerAt,paymentMethod,reason,rechargesThisMonth,rechargesToday,threshold"
    );
}

#[test]
fn apply_all_stops_at_the_first_bad_event_and_keeps_the_ones_before() {
    let e = engine();
    let mut acct = Account::new(serde_json::from_value(base()).unwrap(), &e).unwrap();
    let text = json!([
        spend("2025-01-02", "1"),
        spend("2025-01-03", "-1"),
        spend("2025-01-04", "1")
    ])
    .to_string();
    let events: Vec<ScenarioEvent> = creditcast::input::from_json(&text).unwrap();
    let err = acct.apply_all(&e, &events).unwrap_err();
    assert_eq!(
        (err.code, err.path.as_str()),
        (ErrorCode::NegativeValue, "[1].quantity")
    );
    assert_eq!((acct.events_applied(), acct.balance()), (1, d("9")));
    acct.apply_all(&e, &events[2..]).unwrap();
    assert_eq!(acct.balance(), d("8"));
}

// ---- aggregated usage (`parts`) ----

#[test]
fn an_aggregated_usage_event_charges_the_sum_of_its_parts_as_one_debit() {
    let parts = json!([
        { "segments": 2, "count": 30, "carrier": "tmobile" },
        { "segments": 1, "count": 5, "carrier": "tmobile", "direction": "inbound" },
        { "segments": 3, "count": 1 }
    ]);
    let one = run(
        &engine(),
        &scenario(
            base(),
            vec![
                json!({ "at": "2025-01-02T10:00:00Z", "type": "usage", "service": "sms", "parts": parts }),
            ],
            "2025-01-31",
        ),
    );
    let separate: Vec<Value> = parts
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut e = p.clone();
            e["at"] = json!("2025-01-02T10:00:00Z");
            e["type"] = json!("usage");
            e["service"] = json!("sms");
            e
        })
        .collect();
    let many = run(&engine(), &scenario(base(), separate, "2025-01-31"));
    // 60 + 5 + 3 segments at 0.01, fees on the 65 T-Mobile segments at 0.005.
    assert_eq!(kinds(&one), vec![EntryKind::Usage, EntryKind::CarrierFee]);
    assert_eq!(one.ledger[0].amount.0, d("-0.68"));
    assert_eq!(one.ledger[1].amount.0, d("-0.325"));
    assert_eq!(one.ledger[0].amount.to_string(), "-0.68", "normalised");
    assert_eq!(one.ledger[1].event_index, Some(0));
    assert_eq!(one.balance, many.balance);
    assert_eq!(one.statements, many.statements);
    assert_eq!(many.ledger.len(), 5);
}

#[test]
fn an_aggregated_usage_event_is_refused_as_a_whole_and_consumes_no_allowance() {
    // 10 lookups are included: the event's two parts would use them and 6 more (6.00 > 5.00).
    let account = with(base(), "openingBalance", json!("5"));
    let lookups = |at: &str, a: u32, b: u32| {
        json!({ "at": at, "type": "usage", "service": "lookup",
                "parts": [{ "quantity": a }, { "quantity": b }] })
    };
    let r = run(
        &engine(),
        &scenario(
            account,
            vec![lookups("2025-01-02", 8, 8), lookups("2025-01-03", 6, 4)],
            "2025-01-31",
        ),
    );
    assert_eq!(r.refused.len(), 1);
    assert_eq!(
        (r.refused[0].event_index, r.refused[0].amount.0),
        (0, d("6"))
    );
    // The second event is free: the refused one put the allowance back.
    assert_eq!(r.balance.0, d("5"));
    assert!(r.ledger.is_empty());
}

#[test]
fn aggregated_usage_errors_name_the_part_and_change_nothing() {
    let e = engine();
    let at = "2025-01-02T10:00:00Z";
    let cases: Vec<(Value, ErrorCode, &str)> = vec![
        (
            json!({ "at": at, "type": "usage", "service": "sms",
                    "parts": [{ "segments": 1 }, { "segments": 1, "carrier": "nope" }] }),
            ErrorCode::UnknownCarrier,
            "parts[1].carrier",
        ),
        (
            json!({ "at": at, "type": "usage", "service": "sms", "count": 2,
                    "parts": [{ "segments": 1 }] }),
            ErrorCode::NotApplicable,
            "count",
        ),
        (
            json!({ "at": at, "type": "usage", "service": "sms", "parts": [] }),
            ErrorCode::InvalidValue,
            "parts",
        ),
        (
            json!({ "at": at, "type": "usage", "service": "fax", "parts": [{ "count": 1 }] }),
            ErrorCode::UnknownService,
            "service",
        ),
        (
            json!({ "at": at, "type": "purchase", "amount": "1", "parts": [{ "count": 1 }] }),
            ErrorCode::NotApplicable,
            "parts",
        ),
        (
            json!({ "at": at, "type": "usage", "service": "sms", "parts": [{ "segments": 1, "at": at }] }),
            ErrorCode::UnknownField,
            "parts[0].at",
        ),
        (
            json!({ "at": at, "type": "usage", "service": "lookup",
                    "parts": [{ "quantity": 4 }, { "quantity": -1 }] }),
            ErrorCode::NegativeValue,
            "parts[1].quantity",
        ),
    ];
    for (event, code, path) in cases {
        let mut acct = Account::new(serde_json::from_value(base()).unwrap(), &e).unwrap();
        acct.apply(&e, &ScenarioEvent::from_json(&json!({ "at": "2025-01-01T12:00:00Z", "type": "usage", "service": "lookup", "quantity": 9 }).to_string()).unwrap())
            .unwrap();
        let before = acct.clone();
        let text = event.to_string();
        let err = ScenarioEvent::from_json(&text)
            .and_then(|ev| acct.apply(&e, &ev).map(|_| ()))
            .unwrap_err();
        assert_eq!(
            (err.code, err.path.as_str()),
            (code, path),
            "{event}: {err}"
        );
        assert_eq!(acct, before, "{event}: nothing changed");
        // Still usable: one more included lookup is free, the next is charged.
        let ok =
            json!({ "at": at, "type": "usage", "service": "lookup", "parts": [{ "quantity": 2 }] });
        acct.apply(&e, &ScenarioEvent::from_json(&ok.to_string()).unwrap())
            .unwrap();
        assert_eq!(acct.balance(), d("9"));
    }
}

#[test]
fn aggregated_usage_the_balance_cannot_cover_recharges_first_when_auto_recharge_is_on() {
    // 0.50 of balance, threshold 1, amount 5; an hour of traffic costing 12.00: the recharge its
    // first messages would have triggered is made first, as a deep drop (3 × 5 lifts 0.5 - 12
    // above the threshold), then the whole hour is charged.
    let account = recharging(json!({ "enabled": true, "threshold": "1", "amount": "5" }));
    let account = with(account, "openingBalance", json!("0.5"));
    let hour = |at: &str| json!({ "at": at, "type": "usage", "service": "api", "parts": [{ "quantity": 7000 }, { "quantity": 5000 }] });
    let r = run(
        &engine(),
        &scenario(
            account.clone(),
            vec![hour("2025-01-02T10:00:00Z")],
            "2025-01-31",
        ),
    );
    assert!(r.refused.is_empty());
    assert_eq!(kinds(&r), vec![EntryKind::Recharge, EntryKind::Usage]);
    assert_eq!(r.ledger[0].amount.0, d("15"));
    assert_eq!(r.ledger[0].event_index, Some(0));
    assert_eq!(r.balance.0, d("3.5"));
    // A failing payment refuses the hour and turns auto-recharge off; a single event that does
    // not fit is refused without trying (it is one message).
    let r = run(
        &engine(),
        &scenario(
            account.clone(),
            vec![
                ev("2025-01-02T09:00:00Z", "paymentWillFail"),
                hour("2025-01-02T10:00:00Z"),
            ],
            "2025-01-31",
        ),
    );
    assert_eq!(kinds(&r), vec![EntryKind::RechargeFailed]);
    assert_eq!(r.refused.len(), 1);
    assert!(!r.auto_recharge.enabled);
    let r = run(
        &engine(),
        &scenario(
            account,
            vec![spend("2025-01-02T10:00:00Z", "12")],
            "2025-01-31",
        ),
    );
    assert_eq!(r.refused.len(), 1);
    assert!(r.ledger.is_empty());
}
