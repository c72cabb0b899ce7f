//! Ledger invariants over thousands of random account lives: random settings, usage mixes,
//! purchases, payment failures and fixes, settings changes, month, quarter and time-zone
//! boundaries, immediate and deferred carrier fees.

use std::collections::BTreeMap;
use std::str::FromStr;

use creditcast::account::{
    simulate, Account, AccountConfig, EntryKind, Scenario, ScenarioEvent, SimulationResult,
};
use creditcast::time::{format_instant, parse_instant, DAY};
use creditcast::RatingEngine;
use proptest::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn to_cents(v: &Value) -> i64 {
    (d(v.as_str().unwrap()) * Decimal::from(100))
        .to_i64()
        .unwrap()
}

fn cents(n: i64) -> String {
    Decimal::new(n, 2).normalize().to_string()
}

/// A sub-cent SMS price (so that rounding matters), a metered service with an allowance per
/// period and one without.
fn engine(defer_hours: Option<u32>) -> RatingEngine {
    let fees = match defer_hours {
        None => json!({ "timing": "immediate" }),
        Some(h) => json!({ "timing": "deferred", "deferHours": h }),
    };
    let mut fees = fees;
    fees["schedule"] = json!([
        { "carrier": "tmobile", "channel": "sms", "direction": "both", "numberType": "10dlc", "amount": "0.003", "from": "2020-01-01" },
        { "carrier": "verizon", "channel": "sms", "direction": "outbound", "numberType": "10dlc", "amount": "0.004", "from": "2020-01-01" }
    ]);
    let card = json!({
        "version": 1, "name": "props", "currency": "USD",
        "rounding": { "statement": { "scale": 2, "strategy": "halfEven" },
                      "invoice": { "scale": 2, "strategy": "halfUp" } },
        "services": {
            "sms": { "kind": "sms", "pricing": { "model": "flat", "unitPrice": "0.0083" } },
            "api": { "kind": "metered", "pricing": { "model": "flat", "unitPrice": "0.001" } },
            "lookup": { "kind": "metered", "pricing": { "model": "graduated", "included": "10",
                "tiers": [ { "upTo": "20", "unitPrice": "0.75" }, { "upTo": null, "unitPrice": "0.5" } ] } }
        },
        "carriers": [ { "id": "tmobile", "name": "T-Mobile" }, { "id": "verizon", "name": "Verizon" } ],
        "carrierFees": fees
    });
    RatingEngine::from_json(&card.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

#[derive(Debug, Clone)]
enum Kind {
    Sms {
        segments: u32,
        carrier: u8,
        count: u32,
        inbound: bool,
    },
    Lookup(u32),
    Api(u32),
    /// Aggregated usage: SMS parts `(segments, carrier, count)`, or lookup quantities.
    SmsParts(Vec<(u32, u8, u32)>),
    LookupParts(Vec<u32>),
    Purchase(i64),
    WillFail,
    Fixed,
    SetAr(ArSpec),
    SetNb(u8, i64),
}

#[derive(Debug, Clone)]
struct ArSpec {
    enabled: bool,
    /// Cents above the floor (or above −10 without a floor).
    threshold: i64,
    target_mode: bool,
    /// Cents: the amount, or how far the target is above the threshold.
    size: i64,
    per_day: Option<u32>,
    per_month: Option<u32>,
}

#[derive(Debug, Clone)]
struct Spec {
    opening: i64,
    tz: &'static str,
    cycle: &'static str,
    start_day: u32,
    /// 0 none, 1 unlimited, 2 limit, 3 post-paid.
    nb: u8,
    limit: i64,
    ar: Option<ArSpec>,
    defer: Option<u32>,
    events: Vec<(u32, Kind)>,
    until_gap: u32,
}

fn ar_spec() -> impl Strategy<Value = ArSpec> {
    (
        any::<bool>(),
        0i64..4000,
        any::<bool>(),
        1i64..6000,
        prop::option::of(1u32..4),
        prop::option::of(1u32..12),
    )
        .prop_map(
            |(e, threshold, target_mode, size, per_day, per_month)| ArSpec {
                enabled: e || threshold % 3 != 0,
                threshold,
                target_mode,
                size,
                per_day,
                per_month,
            },
        )
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        10 => (1u32..12, 0u8..3, 1u32..40, any::<bool>())
            .prop_map(|(segments, carrier, count, inbound)| Kind::Sms { segments, carrier, count, inbound }),
        3 => (0u32..15).prop_map(Kind::Lookup),
        4 => (0u32..30_000).prop_map(Kind::Api),
        2 => prop::collection::vec((1u32..5, 0u8..3, 1u32..400), 1..5).prop_map(Kind::SmsParts),
        1 => prop::collection::vec(0u32..8, 1..4).prop_map(Kind::LookupParts),
        2 => (1i64..8000).prop_map(Kind::Purchase),
        1 => Just(Kind::WillFail),
        1 => Just(Kind::Fixed),
        1 => ar_spec().prop_map(Kind::SetAr),
        1 => (0u8..3, 0i64..3000).prop_map(|(n, l)| Kind::SetNb(n, l)),
    ]
}

/// Minutes to the next event: mostly bursts, sometimes hours, sometimes days.
fn gap() -> impl Strategy<Value = u32> {
    prop_oneof![6 => 0u32..30, 3 => 30u32..1500, 1 => 1500u32..30_000]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (
            0i64..6000,
            prop::sample::select(vec!["UTC", "+02:00", "-05:30", "+14:00", "-11:00"]),
        ),
        (
            prop::sample::select(vec!["monthly", "quarterly", "annual"]),
            1u32..28,
        ),
        (
            0u8..4,
            0i64..3000,
            prop::option::of(ar_spec()),
            prop::option::of(1u32..49),
        ),
        prop::collection::vec((gap(), kind()), 0..90),
        0u32..80_000,
    )
        .prop_map(
            |((opening, tz), (cycle, start_day), (nb, limit, ar, defer), events, until_gap)| Spec {
                opening,
                tz,
                cycle,
                start_day,
                nb,
                limit,
                ar,
                defer,
                events,
                until_gap,
            },
        )
}

fn floor_of(nb: &Value, postpaid: bool) -> Option<i64> {
    if postpaid {
        return None;
    }
    match (nb["allowed"].as_bool(), nb["limit"].as_str()) {
        (Some(true), Some(_)) => Some(-to_cents(&nb["limit"])),
        (Some(true), None) => None,
        _ => Some(0),
    }
}

fn ar_json(a: &ArSpec, floor: Option<i64>, postpaid: bool) -> Value {
    let threshold = floor.unwrap_or(-1000) + a.threshold;
    let mut v = json!({ "enabled": a.enabled && !postpaid, "threshold": cents(threshold) });
    if a.target_mode {
        v["target"] = json!(cents(threshold + a.size));
    } else {
        v["amount"] = json!(cents(a.size));
    }
    if let Some(n) = a.per_day {
        v["maxPerDay"] = json!(n);
    }
    if let Some(n) = a.per_month {
        v["maxPerMonth"] = json!(n);
    }
    v
}

/// Build a valid scenario from a spec (settings changes are kept consistent with each other).
fn build(s: &Spec, ledger: &str) -> Value {
    let postpaid = s.nb == 3;
    let mut nb = match s.nb {
        1 => json!({ "allowed": true }),
        2 => json!({ "allowed": true, "limit": cents(s.limit) }),
        _ => Value::Null,
    };
    let start = format!("2025-01-{:02}", s.start_day);
    let mut account = json!({ "openingBalance": cents(s.opening), "timeZone": s.tz,
                              "plan": { "cycle": s.cycle, "start": start }, "postpaid": postpaid });
    if !nb.is_null() {
        account["negativeBalance"] = nb.clone();
    }
    let mut threshold: Option<i64> = None;
    if let Some(a) = &s.ar {
        let v = ar_json(a, floor_of(&nb, postpaid), postpaid);
        threshold = Some(to_cents(&v["threshold"]));
        account["autoRecharge"] = v;
    }
    let mut t = parse_instant(&format!("{start}T00:00:00Z")).unwrap() + 14 * 3600;
    let mut events = Vec::new();
    for (gap, k) in &s.events {
        t += *gap as i64 * 60;
        let at = format_instant(t);
        let e = match k {
            Kind::Sms {
                segments,
                carrier,
                count,
                inbound,
            } => {
                let mut e = json!({ "at": at, "type": "usage", "service": "sms", "segments": segments, "count": count });
                if *carrier > 0 {
                    e["carrier"] = json!(if *carrier == 1 { "tmobile" } else { "verizon" });
                }
                if *inbound {
                    e["direction"] = json!("inbound");
                }
                e
            }
            Kind::Lookup(q) => {
                json!({ "at": at, "type": "usage", "service": "lookup", "quantity": q })
            }
            Kind::Api(q) => json!({ "at": at, "type": "usage", "service": "api", "quantity": q }),
            Kind::SmsParts(parts) => {
                let parts: Vec<Value> = parts
                    .iter()
                    .map(|(segments, carrier, count)| {
                        let mut p = json!({ "segments": segments, "count": count });
                        if *carrier > 0 {
                            p["carrier"] = json!(if *carrier == 1 { "tmobile" } else { "verizon" });
                        }
                        p
                    })
                    .collect();
                json!({ "at": at, "type": "usage", "service": "sms", "parts": parts })
            }
            Kind::LookupParts(qs) => {
                let parts: Vec<Value> = qs.iter().map(|q| json!({ "quantity": q })).collect();
                json!({ "at": at, "type": "usage", "service": "lookup", "parts": parts })
            }
            Kind::Purchase(c) => json!({ "at": at, "type": "purchase", "amount": cents(*c) }),
            Kind::WillFail => json!({ "at": at, "type": "paymentWillFail" }),
            Kind::Fixed => json!({ "at": at, "type": "paymentMethodFixed" }),
            Kind::SetAr(a) => {
                let v = ar_json(a, floor_of(&nb, postpaid), postpaid);
                threshold = Some(to_cents(&v["threshold"]));
                json!({ "at": at, "type": "setAutoRecharge", "autoRecharge": v })
            }
            Kind::SetNb(n, l) => {
                let th = threshold.unwrap_or(0);
                let v = if postpaid {
                    json!({ "allowed": true })
                } else {
                    match n {
                        0 if th >= 0 => json!({ "allowed": false }),
                        1 => json!({ "allowed": true }),
                        _ => json!({ "allowed": true, "limit": cents((*l).max(-th)) }),
                    }
                };
                nb = v.clone();
                json!({ "at": at, "type": "setNegativeBalance", "negativeBalance": v })
            }
        };
        events.push(e);
    }
    let until = format_instant(t + s.until_gap as i64 * 60);
    json!({ "account": account, "events": events, "until": until, "options": { "ledger": ledger } })
}

fn sim(engine: &RatingEngine, sc: &Value) -> SimulationResult {
    let text = sc.to_string();
    let parsed = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{e}"));
    simulate(engine, &parsed).unwrap_or_else(|e| panic!("{e}\n{sc}"))
}

fn check_ledger(r: &SimulationResult, opening: Decimal) {
    let mut bal = opening;
    for (i, e) in r.ledger.iter().enumerate() {
        if e.kind == EntryKind::Settlement {
            assert!(
                bal < Decimal::ZERO,
                "a settlement clears a negative balance"
            );
            assert_eq!(
                e.amount.0, -bal,
                "the settlement equals the negative balance it clears"
            );
            assert_eq!(e.balance_after.0, Decimal::ZERO, "and leaves 0");
        }
        if matches!(
            e.kind,
            EntryKind::RechargeFailed | EntryKind::PurchaseFailed
        ) {
            assert_eq!(e.amount.0, Decimal::ZERO);
            assert!(e.attempted.is_some_and(|a| a.0 > Decimal::ZERO));
        }
        bal += e.amount.0;
        assert_eq!(
            e.balance_after.0, bal,
            "entry {i} follows from the one before"
        );
    }
    assert_eq!(
        bal, r.balance.0,
        "opening balance + sum of entries == closing balance"
    );
    let settled: Vec<Decimal> = r
        .ledger
        .iter()
        .filter(|e| e.kind == EntryKind::Settlement)
        .map(|e| e.amount.0)
        .collect();
    let invoiced: Vec<Decimal> = r.invoices.iter().map(|i| i.amount.0).collect();
    assert_eq!(settled, invoiced, "each invoice is its settlement");
}

fn check_statements(r: &SimulationResult, opening: Decimal) {
    let mut prev = opening;
    for s in &r.statements {
        assert_eq!(s.opening_balance.0, prev, "statements chain");
        let closing = s.opening_balance.0 + s.purchases.0 + s.recharges.0 + s.settlement.0
            - s.usage.0
            - s.carrier_fees.0;
        assert_eq!(
            closing, s.closing_balance.0,
            "statement {} reconciles",
            s.month
        );
        let by_service: Decimal = s.usage_by_service.values().map(|v| v.0).sum();
        assert_eq!(by_service, s.usage.0);
        assert_eq!(s.spend.0, s.usage.0 + s.carrier_fees.0);
        prev = s.closing_balance.0;
    }
    assert_eq!(
        prev, r.balance.0,
        "the last statement closes at the balance"
    );
    for inv in &r.invoices {
        assert_eq!(
            inv.amount_due.0,
            inv.amount
                .0
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        );
        assert_eq!(inv.rounding_difference.0, inv.amount_due.0 - inv.amount.0);
    }
    let refused: u64 = r.statements.iter().map(|s| s.refused).sum();
    assert_eq!(refused, r.refused.len() as u64);
}

/// Recharges per local day never exceed a fixed daily cap.
fn check_caps(r: &SimulationResult, spec: &Spec) {
    let Some(a) = &spec.ar else { return };
    if spec.events.iter().any(|(_, k)| matches!(k, Kind::SetAr(_))) {
        return;
    }
    let offset = creditcast::time::parse_offset(spec.tz).unwrap() as i64;
    let mut per_day: BTreeMap<i64, u32> = BTreeMap::new();
    for e in r.ledger.iter().filter(|e| e.kind == EntryKind::Recharge) {
        *per_day.entry((e.at + offset).div_euclid(DAY)).or_default() += 1;
    }
    let cap = a
        .per_day
        .unwrap_or(creditcast::account::DEFAULT_MAX_PER_DAY);
    assert!(
        per_day.values().all(|&n| n <= cap),
        "{per_day:?} over the cap {cap}"
    );
}

/// After a failed payment, no recharge is attempted until a `paymentMethodFixed` event.
fn check_off_after_failure(r: &SimulationResult, sc: &Value) {
    let fixes: Vec<i64> = sc["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "paymentMethodFixed")
        .map(|e| parse_instant(e["at"].as_str().unwrap()).unwrap())
        .collect();
    let mut off_since: Option<i64> = None;
    for e in &r.ledger {
        if let Some(t0) = off_since {
            if fixes.iter().any(|&f| f >= t0 && f <= e.at) {
                off_since = None;
            }
        }
        match e.kind {
            EntryKind::Recharge | EntryKind::RechargeFailed => {
                assert!(
                    off_since.is_none(),
                    "a recharge was attempted while the payment method was failed"
                );
            }
            _ => {}
        }
        if matches!(
            e.kind,
            EntryKind::RechargeFailed | EntryKind::PurchaseFailed
        ) {
            off_since = Some(e.at);
        }
    }
}

fn constant_floor(spec: &Spec) -> Option<Decimal> {
    if spec
        .events
        .iter()
        .any(|(_, k)| matches!(k, Kind::SetNb(..)))
    {
        return None;
    }
    match spec.nb {
        0 => Some(Decimal::ZERO),
        2 => Some(-Decimal::new(spec.limit, 2)),
        _ => None,
    }
}

/// The stateful account: chunks of events alternately applied one by one (`apply`) and all at
/// once (`apply_all`), saved and restored (`to_json` / `from_json`) between chunks.
fn replay(engine: &RatingEngine, sc: &Value, every: usize) -> SimulationResult {
    let config: AccountConfig = serde_json::from_value(sc["account"].clone()).unwrap();
    let mut acct = Account::new(config, engine).unwrap();
    let texts: Vec<String> = sc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.to_string())
        .collect();
    let events: Vec<ScenarioEvent> = texts
        .iter()
        .map(|t| ScenarioEvent::from_json(t).unwrap())
        .collect();
    for (k, chunk) in events.chunks(every).enumerate() {
        acct = Account::from_json(&acct.to_json().unwrap()).unwrap_or_else(|e| panic!("{e}"));
        if k % 2 == 0 {
            for ev in chunk {
                acct.apply(engine, ev).unwrap();
            }
        } else {
            acct.apply_all(engine, chunk).unwrap();
        }
    }
    acct.advance_to(sc["until"].as_str().unwrap()).unwrap();
    acct.into_result().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn every_account_life_keeps_its_books(spec in spec(), every in 1usize..40) {
        let engine = engine(spec.defer);
        let opening = Decimal::new(spec.opening, 2);
        let sc = build(&spec, "event");
        let r = sim(&engine, &sc);

        check_ledger(&r, opening);
        check_statements(&r, opening);
        check_caps(&r, &spec);
        check_off_after_failure(&r, &sc);
        if let Some(floor) = constant_floor(&spec) {
            for e in &r.ledger {
                prop_assert!(e.balance_after.0 >= floor, "{:?} below the floor {floor}", e);
            }
        }
        if spec.nb == 3 {
            prop_assert!(r.refused.is_empty(), "post-paid usage is never refused");
        }

        // The stateful account, persisted and restored along the way, agrees exactly.
        prop_assert_eq!(&replay(&engine, &sc, every), &r);

        // Less ledger detail changes nothing else.
        for mode in ["hour", "day", "none"] {
            let m = sim(&engine, &build(&spec, mode));
            prop_assert_eq!(&m.balance, &r.balance);
            prop_assert_eq!(&m.invoices, &r.invoices);
            prop_assert_eq!(&m.statements, &r.statements);
            prop_assert_eq!(&m.refused, &r.refused);
            prop_assert_eq!(&m.auto_recharge, &r.auto_recharge);
            prop_assert_eq!(&m.postpaid_eligible, &r.postpaid_eligible);
            if mode == "none" {
                prop_assert!(m.ledger.is_empty());
            } else {
                check_ledger(&m, opening);
                prop_assert!(m.ledger.len() <= r.ledger.len());
            }
        }
    }
}

#[test]
fn big_deferrals_and_zones_are_covered_by_the_generator() {
    // A fixed case: deferred fees in a +14:00 zone straddling a month end.
    let spec = Spec {
        opening: 100,
        tz: "+14:00",
        cycle: "quarterly",
        start_day: 30,
        nb: 2,
        limit: 50,
        ar: None,
        defer: Some(24),
        events: vec![
            (
                0,
                Kind::Sms {
                    segments: 5,
                    carrier: 1,
                    count: 3,
                    inbound: false
                }
            );
            3
        ],
        until_gap: 3000,
    };
    let sc = build(&spec, "event");
    let r = sim(&engine(Some(24)), &sc);
    check_ledger(&r, d("1"));
    check_statements(&r, d("1"));
}

/// The generator is only as good as what it reaches: every rule shows up in a sample.
#[test]
fn the_generator_reaches_every_rule() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    for _ in 0..400 {
        let spec = spec().new_tree(&mut runner).unwrap().current();
        let sc = build(&spec, "event");
        let r = sim(&engine(spec.defer), &sc);
        let mut hit = |k: &'static str, b: bool| *seen.entry(k).or_default() += b as u32;
        hit("refused", !r.refused.is_empty());
        hit("invoice", !r.invoices.is_empty());
        hit(
            "recharge",
            r.ledger.iter().any(|e| e.kind == EntryKind::Recharge),
        );
        hit(
            "rechargeFailed",
            r.ledger.iter().any(|e| e.kind == EntryKind::RechargeFailed),
        );
        hit(
            "purchaseFailed",
            r.ledger.iter().any(|e| e.kind == EntryKind::PurchaseFailed),
        );
        hit(
            "deferredFee",
            r.ledger
                .iter()
                .any(|e| e.kind == EntryKind::CarrierFee && e.service.is_none()),
        );
        let offset = creditcast::time::parse_offset(spec.tz).unwrap() as i64;
        let mut per_day: BTreeMap<i64, u32> = BTreeMap::new();
        for e in r.ledger.iter().filter(|e| e.kind == EntryKind::Recharge) {
            *per_day.entry((e.at + offset).div_euclid(DAY)).or_default() += 1;
        }
        let cap = spec.ar.as_ref().and_then(|a| a.per_day);
        hit(
            "dailyCapHit",
            cap.is_some_and(|c| per_day.values().any(|&n| n == c)),
        );
        hit("severalMonths", r.statements.len() > 2);
        hit("postpaid", spec.nb == 3 && !r.invoices.is_empty());
    }
    eprintln!("{seen:?}");
    assert!(seen.values().all(|&n| n >= 5), "{seen:?}");
}
