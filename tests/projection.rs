//! Spend projection (PRODUCT.md §5): determinism, statistical sanity, edge cases, input errors,
//! and the rule that a projected path is exactly what `simulate` makes of its events.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use creditcast::account::{simulate, EventType, ScenarioEvent};
use creditcast::projection::{
    compare, compare_local, compare_merge, compare_paths, path_events, path_scenario, project,
    project_local, project_merge, project_paths, recommend_auto_recharge, recommend_local,
    recommend_merge, recommend_paths, ProjectionRequest, ProjectionResult, RechargeGoal, Variant,
    MAX_LISTED_REFUSALS,
};
use creditcast::{ErrorCode, RateCard, RatingEngine};

fn engine() -> RatingEngine {
    RatingEngine::new(RateCard::default_card()).unwrap()
}

const CARRIERS: [(&str, f64); 4] = [
    ("tmobile", 0.3),
    ("att", 0.3),
    ("verizon", 0.35),
    ("uscellular", 0.05),
];

fn carrier_mix() -> Value {
    let m: serde_json::Map<String, Value> = CARRIERS
        .iter()
        .map(|(c, s)| (c.to_string(), json!(s)))
        .collect();
    Value::Object(m)
}

/// A five-service account with auto-recharge, `variation` on every service.
fn request(variation: f64, days: u32, resolution: &str, paths: u32, seed: u64) -> Value {
    json!({
        "account": {
            "openingBalance": "100",
            "plan": { "start": "2025-01-01" },
            "autoRecharge": { "enabled": true, "threshold": "50", "amount": "200" }
        },
        "profile": {
            "services": {
                "sms": {
                    "perDay": 1000, "variation": variation,
                    "weekdayShape": [1, 1, 1, 1, 1, 0.5, 0.3],
                    "hourShape": [0,0,0,0,0,0,1,2,4,6,7,7,6,6,6,5,5,4,3,2,1,1,0,0],
                    "segmentsMix": [
                        { "segments": 1, "share": 0.7 },
                        { "segments": 2, "share": 0.25, "encoding": "UCS-2" },
                        { "segments": 3, "share": 0.05 }
                    ],
                    "carrierMix": carrier_mix(),
                    "inboundShare": 0.2
                },
                "mms": { "perDay": 50, "variation": variation, "carrierMix": carrier_mix() },
                "voiceLocal": {
                    "perDay": 80, "variation": variation, "inboundShare": 0.4,
                    "durationSeconds": { "mean": 180, "distribution": "exponential" }
                },
                "automatedSms": {
                    "perDay": 300, "variation": variation,
                    "messageMix": [
                        { "text": "Your appointment is confirmed for tomorrow at 10:00.", "share": 0.6 },
                        { "length": 200, "share": 0.4 }
                    ],
                    "carrierMix": carrier_mix()
                },
                "lookup": { "perDay": 120, "variation": variation }
            }
        },
        "start": "2025-01-01",
        "days": days,
        "resolution": resolution,
        "paths": paths,
        "seed": seed
    })
}

fn req(v: &Value) -> ProjectionRequest {
    ProjectionRequest::from_json(&v.to_string()).unwrap()
}

fn run(v: &Value) -> ProjectionResult {
    project(&engine(), &req(v)).unwrap()
}

fn err(v: &Value) -> creditcast::Error {
    match ProjectionRequest::from_json(&v.to_string()) {
        Err(e) => e,
        Ok(r) => project(&engine(), &r).unwrap_err(),
    }
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Units per service over some events (SMS: messages; voice: calls).
/// A projection's step events (one per service, with parts) as one event per part.
fn flatten(events: Vec<ScenarioEvent<'static>>) -> Vec<ScenarioEvent<'static>> {
    let mut out = Vec::new();
    for e in events {
        match &e.parts {
            None => out.push(e),
            Some(parts) => {
                assert!(!parts.is_empty());
                for p in parts {
                    let mut x = ScenarioEvent::new(e.at.clone(), e.kind);
                    x.service = e.service.clone();
                    x.direction = p.direction;
                    x.segments = p.segments;
                    x.count = p.count;
                    x.duration_seconds = p.duration_seconds;
                    x.carrier = p.carrier.clone();
                    x.number_type = p.number_type;
                    out.push(x);
                }
            }
        }
    }
    out
}

fn volumes(events: &[ScenarioEvent<'_>]) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for e in events {
        if e.kind == EventType::Usage {
            *m.entry(e.service.as_deref().unwrap().to_string())
                .or_insert(0) += u64::from(e.count.unwrap_or(1));
        }
    }
    m
}

#[test]
fn same_seed_same_result_different_seed_different_result() {
    let a = serde_json::to_string(&run(&request(0.3, 45, "day", 20, 7))).unwrap();
    let b = serde_json::to_string(&run(&request(0.3, 45, "day", 20, 7))).unwrap();
    let c = serde_json::to_string(&run(&request(0.3, 45, "day", 20, 8))).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn without_variation_every_path_is_the_deterministic_path() {
    let many = run(&request(0.0, 62, "day", 25, 3));
    let one = run(&request(0.0, 62, "day", 1, 99));
    assert_eq!(many.bands.p10, many.bands.p50);
    assert_eq!(many.bands.p90, many.bands.p50);
    // P50 is the deterministic path: the single path's end-of-day balances, whatever the seed.
    assert_eq!(many.bands.p50, one.series.balance);
    assert_eq!(many.series, one.series);
    assert_eq!(many.statements, one.statements);
    for (m, s) in many.monthly_spend.iter().zip(&one.statements) {
        assert_eq!(m.month, s.month);
        assert_eq!((m.p10, m.p50, m.p90), (s.spend, s.spend, s.spend));
    }
    assert_eq!(many.interruption_probability, 0.0);
    // Deterministic volumes are the expectations: 1000 SMS a day with the weekday shape
    // (mean 1) over 8 whole weeks (fractions carried, so at most one message short).
    let ev = flatten(path_events(&engine(), &req(&request(0.0, 56, "day", 1, 0)), 0).unwrap());
    let v = volumes(&ev);
    assert!((55_999..=56_000).contains(&v["sms"]), "{}", v["sms"]);
    assert_eq!(v["lookup"], 120 * 56);
}

#[test]
fn volumes_average_to_the_profile_means() {
    let (paths, days) = (150u32, 28u32);
    let r = req(&request(0.5, days, "day", paths, 11));
    let e = engine();
    let mut total: BTreeMap<String, u64> = BTreeMap::new();
    for p in 0..paths {
        for (k, v) in volumes(&flatten(path_events(&e, &r, p).unwrap())) {
            *total.entry(k).or_insert(0) += v;
        }
    }
    let path_days = f64::from(paths * days);
    for (svc, mean) in [
        ("sms", 1000.0),
        ("mms", 50.0),
        ("lookup", 120.0),
        ("automatedSms", 300.0),
    ] {
        let avg = total[svc] as f64 / path_days;
        assert!(
            (avg / mean - 1.0).abs() < 0.03,
            "{svc}: {avg} a day on average, profile says {mean}"
        );
    }
    // Voice: calls (the events' counts), inbound and outbound together.
    let avg = total["voiceLocal"] as f64 / path_days;
    assert!((avg / 80.0 - 1.0).abs() < 0.03, "voice: {avg}");
    // And the bands spread: P10 < P90 somewhere.
    let res = project(&e, &r).unwrap();
    assert!(res.bands.p10.iter().zip(&res.bands.p90).any(|(a, b)| a < b));
    assert!(res
        .bands
        .p10
        .iter()
        .zip(&res.bands.p50)
        .all(|(a, b)| a <= b));
    assert!(res
        .bands
        .p50
        .iter()
        .zip(&res.bands.p90)
        .all(|(a, b)| a <= b));
}

#[test]
fn carrier_direction_and_segment_shares_hold() {
    let ev = flatten(path_events(&engine(), &req(&request(0.4, 60, "hour", 1, 5)), 0).unwrap());
    let mut by_carrier: BTreeMap<String, u64> = BTreeMap::new();
    let (mut inbound, mut total, mut segs) = (0u64, 0u64, [0u64; 4]);
    for e in ev.iter().filter(|e| e.service.as_deref() == Some("sms")) {
        let n = u64::from(e.count.unwrap());
        total += n;
        *by_carrier
            .entry(e.carrier.as_deref().unwrap().to_string())
            .or_insert(0) += n;
        if e.direction == Some(creditcast::ratecard::Direction::Inbound) {
            inbound += n;
        }
        segs[e.segments.unwrap() as usize] += n;
    }
    let share = |n: u64| n as f64 / total as f64;
    for (c, s) in CARRIERS {
        assert!((share(by_carrier[c]) - s).abs() < 1e-3, "{c}");
    }
    assert!((share(inbound) - 0.2).abs() < 1e-3);
    assert!((share(segs[1]) - 0.7).abs() < 1e-3);
    assert!((share(segs[2]) - 0.25).abs() < 1e-3);
    assert!((share(segs[3]) - 0.05).abs() < 1e-3);
    // messageMix: the sample text is 1 GSM-7 segment, 200 GSM-7 characters are 2.
    let auto: Vec<_> = ev
        .iter()
        .filter(|e| e.service.as_deref() == Some("automatedSms"))
        .collect();
    assert!(auto.iter().all(|e| matches!(e.segments, Some(1 | 2))));
    // Hourly: nothing at night (hour shape 0 from 22:00 to 06:00 UTC).
    assert!(ev
        .iter()
        .filter(|e| e.service.as_deref() == Some("sms"))
        .all(|e| !e.at.contains("T23:") && !e.at.contains("T03:")));
}

#[test]
fn growth_and_busy_periods_scale_volumes() {
    let mut v = request(0.0, 365, "day", 1, 0);
    v["profile"]["services"]["sms"]["monthlyGrowth"] = json!(0.1);
    v["profile"]["busyPeriods"] = json!([
        { "start": "2025-03-03", "days": 7, "multiplier": 3, "services": ["lookup"] }
    ]);
    let ev = flatten(path_events(&engine(), &req(&v), 0).unwrap());
    let count = |svc: &str, prefix: &str| -> u64 {
        ev.iter()
            .filter(|e| e.service.as_deref() == Some(svc) && e.at.starts_with(prefix))
            .map(|e| u64::from(e.count.unwrap()))
            .sum()
    };
    // +10 % a month, compounded: December is about 1.1^11 ≈ 2.85 times January.
    let ratio = count("sms", "2025-12") as f64 / count("sms", "2025-01") as f64;
    assert!((ratio - 2.85).abs() < 0.1, "{ratio}");
    // Busy week: three times the lookups of the week before; other services unchanged.
    let week = |svc: &str, days: std::ops::Range<u32>| -> u64 {
        days.map(|d| count(svc, &format!("2025-03-{d:02}"))).sum()
    };
    assert_eq!(week("lookup", 3..10), 3 * 120 * 7);
    assert_eq!(week("lookup", 17..24), 120 * 7);
    assert_eq!(week("mms", 3..10), 50 * 7);
}

#[test]
fn zero_usage_keeps_the_balance_flat() {
    let v = json!({
        "account": {
            "openingBalance": "25",
            "plan": { "start": "2025-01-01" },
            "autoRecharge": { "enabled": true, "threshold": "10", "amount": "50" }
        },
        "profile": { "services": { "sms": { "perDay": 0 } } },
        "start": "2025-01-01", "days": 90, "resolution": "hour", "paths": 3, "seed": 1
    });
    let r = run(&v);
    assert!(r.series.balance.iter().all(|b| *b == 25.0));
    assert_eq!(r.series.t.len(), 90 * 24);
    assert_eq!(r.summary.recharges, 0);
    assert!(r.recharges.is_empty());
    assert_eq!(r.summary.total_spend.0, Decimal::ZERO);
    assert_eq!(r.summary.first_below_threshold_at, None);
    assert_eq!(r.mean_recharges, 0.0);
    assert_eq!(r.recharges_per_month.len(), 1);
    assert_eq!(r.recharges_per_month[0].recharges, 0);
    assert_eq!(r.recharges_per_month[0].share, 1.0);
}

#[test]
fn a_profile_that_drains_the_balance_on_day_one_interrupts_every_path() {
    let v = json!({
        "account": { "openingBalance": "5", "plan": { "start": "2025-01-01" } },
        "profile": {
            "services": { "sms": { "perDay": 5000, "variation": 0.3, "carrierMix": { "att": 1 } } }
        },
        "start": "2025-01-01", "days": 30, "paths": 40, "seed": 9
    });
    let r = run(&v);
    assert_eq!(r.interruption_probability, 1.0);
    assert_eq!(r.summary.interrupted_days, 30);
    assert!(r.summary.refused_events >= 30);
    assert_eq!(r.refused[0].at, 1_735_689_600);
    // Refused usage charges nothing: the balance never moves, so it is never at the threshold (0).
    assert_eq!(r.summary.lowest_balance.0, dec("5"));
    assert_eq!(r.summary.first_below_threshold_at, None);
    // With an unlimited negative balance nothing is refused; month ends settle it.
    let mut v2 = v.clone();
    v2["account"]["negativeBalance"] = json!({ "allowed": true });
    let r2 = run(&v2);
    assert_eq!(r2.interruption_probability, 0.0);
    assert_eq!(r2.invoices.len(), 0); // 30 days in January: the month has not ended
    v2["days"] = json!(31);
    let r3 = run(&v2);
    assert_eq!(r3.invoices.len(), 1);
    assert_eq!(r3.invoices[0].month, "2025-01");
}

#[test]
fn three_years_and_a_day() {
    let mut v = request(0.2, 1096, "day", 2, 4);
    v["profile"]["services"]["sms"]["monthlyGrowth"] = json!(0.02);
    let r = run(&v);
    assert_eq!(r.series.t.len(), 1096);
    assert_eq!(r.bands.p50.len(), 1096);
    assert_eq!(r.months.len(), 37);
    assert_eq!(r.monthly_spend.len(), 37);
    assert_eq!(r.end, "2028-01-02T00:00:00Z");
    let e = err(&request(0.2, 1097, "day", 1, 4));
    assert_eq!((e.code, e.path.as_str()), (ErrorCode::OutOfRange, "days"));
}

#[test]
fn bad_input_has_a_code_and_a_path() {
    let cases: Vec<(Value, ErrorCode, &str)> = {
        let base = request(0.1, 10, "day", 1, 0);
        let with = |f: &dyn Fn(&mut Value)| {
            let mut v = base.clone();
            f(&mut v);
            v
        };
        vec![
            (
                with(&|v| v["days"] = json!(0)),
                ErrorCode::OutOfRange,
                "days",
            ),
            (
                with(&|v| v["days"] = json!(1097)),
                ErrorCode::OutOfRange,
                "days",
            ),
            (
                with(&|v| v["days"] = json!(-1)),
                ErrorCode::OutOfRange,
                "days",
            ),
            (
                with(&|v| v["paths"] = json!(0)),
                ErrorCode::OutOfRange,
                "paths",
            ),
            (
                with(&|v| v["paths"] = json!(10_001)),
                ErrorCode::LimitExceeded,
                "paths",
            ),
            (
                with(&|v| v["seed"] = json!(9_007_199_254_740_992u64)),
                ErrorCode::OutOfRange,
                "seed",
            ),
            (
                with(&|v| v["profile"]["services"]["fax"] = json!({ "perDay": 1 })),
                ErrorCode::UnknownService,
                "profile.services.fax",
            ),
            (
                with(&|v| v["profile"]["services"]["sms"]["perDay"] = json!(-5)),
                ErrorCode::NegativeValue,
                "profile.services.sms.perDay",
            ),
            (
                with(&|v| v["profile"]["services"]["sms"]["carrierMix"]["att"] = json!(0.4)),
                ErrorCode::OutOfRange,
                "profile.services.sms.carrierMix",
            ),
            (
                with(&|v| v["profile"]["services"]["mms"]["carrierMix"]["sprint"] = json!(0)),
                ErrorCode::UnknownCarrier,
                "profile.services.mms.carrierMix.sprint",
            ),
            (
                with(&|v| v["profile"]["services"]["sms"]["segmentsMix"][0]["share"] = json!(0.5)),
                ErrorCode::OutOfRange,
                "profile.services.sms.segmentsMix",
            ),
            (
                with(&|v| v["profile"]["services"]["sms"]["weekdayShape"] = json!([1, 2])),
                ErrorCode::OutOfRange,
                "profile.services.sms.weekdayShape",
            ),
            (
                with(&|v| v["profile"]["services"]["voiceLocal"]["durationSeconds"] = json!(null)),
                ErrorCode::InvalidNumber,
                "profile.services.voiceLocal.durationSeconds",
            ),
            (
                with(&|v| {
                    v["profile"]["services"]["voiceLocal"]
                        .as_object_mut()
                        .unwrap()
                        .remove("durationSeconds");
                }),
                ErrorCode::MissingField,
                "profile.services.voiceLocal.durationSeconds",
            ),
            (
                with(&|v| v["profile"]["services"]["lookup"]["carrierMix"] = json!({ "att": 1 })),
                ErrorCode::NotApplicable,
                "profile.services.lookup.carrierMix",
            ),
            (
                with(&|v| v["profile"]["services"]["sms"]["perDya"] = json!(1)),
                ErrorCode::UnknownField,
                "profile.services.sms.perDya",
            ),
            (
                with(&|v| v["profile"]["services"]["sms"]["variation"] = json!(4)),
                ErrorCode::OutOfRange,
                "profile.services.sms.variation",
            ),
            (
                with(&|v| v["profile"]["paymentFailureProbability"] = json!(1.5)),
                ErrorCode::OutOfRange,
                "profile.paymentFailureProbability",
            ),
            (
                with(&|v| {
                    v["profile"]["busyPeriods"] =
                        json!([{ "start": "2025-02-30", "days": 3, "multiplier": 2 }])
                }),
                ErrorCode::InvalidDate,
                "profile.busyPeriods[0].start",
            ),
            (
                with(
                    &|v| v["profile"]["busyPeriods"] = json!([{ "start": "2025-02-01", "days": 3, "multiplier": 2, "services": ["fax"] }]),
                ),
                ErrorCode::UnknownService,
                "profile.busyPeriods[0].services[0]",
            ),
            (
                with(&|v| v["start"] = json!("2024-12-31")),
                ErrorCode::OutOfOrder,
                "start",
            ),
            (
                with(&|v| v["start"] = json!("2025-01-01T10:00:00Z")),
                ErrorCode::InvalidDate,
                "start",
            ),
            (
                with(&|v| v["account"]["autoRecharge"]["amount"] = json!("-1")),
                ErrorCode::NegativeValue,
                "account.autoRecharge.amount",
            ),
            (
                with(&|v| v["resolution"] = json!("minute")),
                ErrorCode::InvalidValue,
                "resolution",
            ),
        ]
    };
    for (v, code, path) in cases {
        let e = err(&v);
        assert_eq!((e.code, e.path.as_str()), (code, path), "{e}");
    }
}

/// A card with deferred carrier fees (so that fee postings trigger recharges between steps).
fn deferred_engine() -> RatingEngine {
    let mut card = RateCard::default_card();
    card.carrier_fees.timing = creditcast::ratecard::FeeTiming::Deferred;
    RatingEngine::new(card).unwrap()
}

/// Path 0 lists its first `maxListedRefusals` refusals and counts the rest: the counts, the
/// interrupted days and the statements are those of every refusal, whatever the cap, and the
/// list is simulate's first ones; a time zone east of UTC moves the days.
#[test]
fn refusals_past_the_listing_cap_are_counted_with_their_days() {
    for (engine, resolution, zone, offset) in [
        (engine(), "hour", "UTC", 0i64),
        (deferred_engine(), "hour", "+09:30", 34_200),
        (engine(), "day", "-05:00", -18_000),
    ] {
        let mut v = request(0.6, 75, resolution, 3, 5);
        v["profile"]["paymentFailureProbability"] = json!(0.3);
        v["account"]["timeZone"] = json!(zone);
        v["account"]["autoRecharge"] =
            json!({ "enabled": true, "threshold": "20", "amount": "25" });
        let r = req(&v);
        let scenario = path_scenario(&engine, &r, 0).unwrap();
        let simulated = simulate(&engine, &scenario).unwrap();
        let all = simulated.refused.len();
        assert!(
            (60..MAX_LISTED_REFUSALS).contains(&all),
            "{resolution}: {all} refusals"
        );
        let full = project(&engine, &r).unwrap();
        assert!(full.refused == simulated.refused);
        // Local days with a refusal, from simulate's list.
        let mut days: Vec<i64> = simulated
            .refused
            .iter()
            .map(|x| (x.at + offset).div_euclid(86_400))
            .collect();
        days.dedup();
        assert_eq!(
            full.summary.interrupted_days as usize,
            days.len(),
            "{resolution}"
        );
        for cap in [0usize, 1, 3, 50, all - 1, all] {
            let mut v = v.clone();
            v["options"] = json!({ "maxListedRefusals": cap });
            let capped = project(&engine, &req(&v)).unwrap();
            assert!(
                capped.refused[..] == simulated.refused[..cap],
                "{resolution} {cap}"
            );
            assert_eq!(
                capped.summary.refused_events, all as u64,
                "{resolution} {cap}"
            );
            assert_eq!(
                capped.summary.interrupted_days, full.summary.interrupted_days,
                "{resolution} {cap}"
            );
            assert!(capped.statements == full.statements, "{resolution} {cap}");
            assert_eq!(
                capped.interruption_probability,
                full.interruption_probability
            );
            assert_eq!(capped.bands, full.bands);
        }
    }
}

#[test]
fn a_projected_path_is_what_simulate_makes_of_its_events() {
    for (engine, resolution, ledger, p_fail) in [
        (engine(), "day", "day", 0.05),
        (deferred_engine(), "hour", "event", 0.2),
        (deferred_engine(), "day", "hour", 0.0),
    ] {
        let mut v = request(0.6, 75, resolution, 2, 21);
        v["options"] = json!({ "ledger": ledger });
        v["profile"]["paymentFailureProbability"] = json!(p_fail);
        v["account"]["autoRecharge"] = json!({
            "enabled": true, "threshold": "20", "amount": "25", "maxPerDay": 2
        });
        let r = req(&v);
        let projected = project(&engine, &r).unwrap();
        let scenario = path_scenario(&engine, &r, 0).unwrap();
        let simulated = simulate(&engine, &scenario).unwrap();
        assert!(!projected.ledger.is_empty());
        // (assert! rather than assert_eq!: a difference would print megabytes)
        assert!(
            projected.ledger == simulated.ledger,
            "{resolution} {ledger}: ledgers differ"
        );
        let listed = simulated.refused.len().min(MAX_LISTED_REFUSALS);
        assert!(projected.refused[..] == simulated.refused[..listed]);
        assert_eq!(
            projected.summary.refused_events,
            simulated.refused.len() as u64
        );
        assert_eq!(projected.invoices, simulated.invoices);
        assert!(projected.statements == simulated.statements);
        assert_eq!(projected.auto_recharge, simulated.auto_recharge);
        assert_eq!(projected.summary.end_balance, simulated.balance);
        assert_eq!(projected.summary.pending_fees, simulated.pending_fees);
        // Every recharge attempt the projection reports is in the ledger.
        let attempts: Vec<_> = simulated
            .ledger
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    creditcast::account::EntryKind::Recharge
                        | creditcast::account::EntryKind::RechargeFailed
                )
            })
            .map(|e| e.at)
            .collect();
        let reported: Vec<_> = projected.recharges.iter().map(|a| a.at).collect();
        assert_eq!(attempts, reported);
        let failures = projected
            .recharges
            .iter()
            .filter(|a| a.outcome == creditcast::account::Outcome::Failed)
            .count();
        // Recharges happen; with failure odds one fails and auto-recharge stays off after it.
        assert!(projected.recharges.len() > 1);
        assert_eq!(failures, usize::from(p_fail > 0.0));
        // The scenario round-trips through JSON, as a demo would save it.
        let text = serde_json::to_string(&scenario).unwrap();
        let back = creditcast::account::Scenario::from_json(&text).unwrap();
        assert_eq!(simulate(&engine, &back).unwrap(), simulated);
    }
}

#[test]
fn payment_failures_stop_auto_recharge() {
    let mut v = request(0.0, 120, "day", 200, 5);
    v["profile"]["paymentFailureProbability"] = json!(1);
    let r = run(&v);
    // The first attempt fails on every path; the balance then runs out.
    assert_eq!(r.recharge_failure_probability, 1.0);
    assert_eq!(r.summary.recharges, 0);
    assert_eq!(r.summary.recharge_failures, 1);
    assert_eq!(r.interruption_probability, 1.0);
    v["profile"]["paymentFailureProbability"] = json!(0.1);
    let r = run(&v);
    assert!(r.recharge_failure_probability > 0.2 && r.recharge_failure_probability < 1.0);
    let shares: f64 = r.recharges_per_month.iter().map(|b| b.share).sum();
    assert!((shares - 1.0).abs() < 1e-9);
}

/// Paths `local..paths` run apart by `run(from, to)` in the ranges that start at `local` and at
/// each of `cuts`: their bytes, in order.
fn ranges_apart(
    local: u32,
    cuts: &[u32],
    paths: u32,
    mut run: impl FnMut(u32, u32) -> Vec<u8>,
) -> Vec<Vec<u8>> {
    let mut bounds = vec![local];
    bounds.extend_from_slice(cuts);
    if local < paths {
        bounds.push(paths);
    }
    bounds.windows(2).map(|w| run(w[0], w[1])).collect()
}

fn slices(parts: &[Vec<u8>]) -> Vec<&[u8]> {
    parts.iter().map(Vec::as_slice).collect()
}

/// `project` with paths `local..paths` run apart in the ranges that start at `cuts`.
fn run_apart(v: &Value, local: u32, cuts: &[u32]) -> ProjectionResult {
    let (e, r) = (engine(), req(v));
    let parts = ranges_apart(local, cuts, r.paths, |a, b| {
        project_paths(&e, &r, a, b).unwrap()
    });
    let here = project_local(&e, &r, local).unwrap();
    project_merge(&e, &r, here, &slices(&parts)).unwrap()
}

#[test]
fn paths_run_apart_give_the_same_result() {
    // Payment failures and a low balance, so that paths differ in recharges, failures,
    // refusals and spend; daily and hourly; deferred fees would not change the split.
    let mut v = request(0.4, 75, "day", 37, 11);
    v["profile"]["paymentFailureProbability"] = json!(0.03);
    v["account"]["autoRecharge"]["amount"] = json!("60.5");
    let whole = run(&v);
    assert!(whole.interruption_probability > 0.0 && whole.interruption_probability < 1.0);
    assert!(whole.recharges_per_month.len() > 2);
    for (local, cuts) in [
        (1, vec![]),
        (10, vec![20]),
        (3, vec![4, 5, 36]),
        (36, vec![]),
    ] {
        assert_eq!(
            run_apart(&v, local, &cuts),
            whole,
            "local {local}, cuts {cuts:?}"
        );
    }
    let mut h = request(0.4, 20, "hour", 5, 3);
    h["profile"]["paymentFailureProbability"] = json!(0.3);
    assert_eq!(run_apart(&h, 2, &[3]), run(&h));
    // Every path here: nothing to merge.
    for paths in [1, 4] {
        let all = request(0.4, 20, "day", paths, 3);
        assert_eq!(run_apart(&all, paths, &[]), run(&all));
    }
}

#[test]
fn paths_run_apart_are_checked_before_they_are_merged() {
    let v = request(0.4, 30, "day", 6, 11);
    let (e, r) = (engine(), req(&v));
    let part = |v: &Value, from, to| project_paths(&e, &req(v), from, to).unwrap();
    let merge =
        |parts: &[&[u8]], local| project_merge(&e, &r, project_local(&e, &r, local)?, parts);
    let code_path = |parts: &[&[u8]], local| {
        let x = merge(parts, local).unwrap_err();
        (x.code, x.path)
    };
    let good = part(&v, 2, 6);
    assert!(merge(&[&good], 2).is_ok());
    let parts_err = |i: usize| (ErrorCode::InvalidInput, format!("parts[{i}]"));
    // Another request's paths (another seed, another account), cut short, extended, damaged.
    let mut other = v.clone();
    other["seed"] = json!(12);
    assert_eq!(code_path(&[&part(&other, 2, 6)], 2), parts_err(0));
    other = v.clone();
    other["account"]["openingBalance"] = json!("101");
    assert_eq!(code_path(&[&part(&other, 2, 6)], 2), parts_err(0));
    assert_eq!(code_path(&[&good[..good.len() - 1]], 2), parts_err(0));
    assert_eq!(
        code_path(&[&[good.clone(), vec![0]].concat()], 2),
        parts_err(0)
    );
    assert_eq!(code_path(&[&good[..3]], 2), parts_err(0));
    assert_eq!(code_path(&[&[]], 2), parts_err(0));
    // A monthly spend's scale beyond 28 (the last four bytes are the last scale).
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 4..].copy_from_slice(&29u32.to_le_bytes());
    assert_eq!(code_path(&[&bad], 2), parts_err(0));
    // Ranges that leave a gap, overlap, or stop short.
    let parts_at = (ErrorCode::InvalidInput, "parts".to_string());
    assert_eq!(code_path(&[&part(&v, 3, 6)], 2), parts_at);
    assert_eq!(code_path(&[&part(&v, 2, 4), &part(&v, 3, 6)], 2), parts_at);
    assert_eq!(code_path(&[&part(&v, 2, 4)], 2), parts_at);
    assert_eq!(code_path(&[&good, &good], 2), parts_at);
    assert_eq!(
        code_path(&[&good], 0),
        (ErrorCode::OutOfRange, "local".to_string())
    );
    assert_eq!(
        code_path(&[], 7),
        (ErrorCode::OutOfRange, "local".to_string())
    );
    // Local paths of another request.
    let here = project_local(&e, &req(&other), 2).unwrap();
    let x = project_merge(&e, &r, here, &[&good]).unwrap_err();
    assert_eq!((x.code, x.path.as_str()), (ErrorCode::InvalidInput, ""));
    // Path 0 runs with the result, and ranges stay within the paths.
    for (from, to) in [(0, 3), (3, 3), (4, 2), (5, 7)] {
        let x = project_paths(&e, &r, from, to).unwrap_err();
        assert_eq!((x.code, x.path.as_str()), (ErrorCode::OutOfRange, "from"));
    }
    // After all that, the same engine still merges good parts.
    assert_eq!(merge(&[&good], 2).unwrap(), project(&e, &r).unwrap());
}

#[test]
fn advice_run_apart_gives_the_same_recommendation() {
    let e = engine();
    let mut v = request(0.5, 60, "day", 23, 13);
    v["account"]["openingBalance"] = json!("20");
    v["profile"]["paymentFailureProbability"] = json!(0.05);
    let r = req(&v);
    let goal = RechargeGoal::from_json(r#"{ "maxInterruptionProbability": 0.2 }"#).unwrap();
    let whole = recommend_auto_recharge(&e, &r, &goal).unwrap();
    // The candidates differ, some meet the goal and some do not.
    assert!(whole.candidates.iter().any(|c| c.meets_goal));
    assert!(whole.candidates.iter().any(|c| !c.meets_goal));
    assert!(whole
        .candidates
        .iter()
        .any(|c| c.recharge_failure_probability > 0.0));
    let apart = |local: u32, cuts: &[u32]| {
        let parts = ranges_apart(local, cuts, r.paths, |a, b| {
            recommend_paths(&e, &r, &goal, a, b).unwrap()
        });
        let here = recommend_local(&e, &r, &goal, local)?;
        recommend_merge(&e, &r, &goal, here, &slices(&parts))
    };
    for (local, cuts) in [
        (1, vec![]),
        (7, vec![15]),
        (2, vec![3, 4, 22]),
        (23, vec![]),
    ] {
        assert_eq!(
            apart(local, &cuts).unwrap(),
            whole,
            "local {local}, cuts {cuts:?}"
        );
    }
    // Counts of another goal, a gap, damage: coded errors.
    let good = recommend_paths(&e, &r, &goal, 5, 23).unwrap();
    let merge = |parts: &[&[u8]]| {
        let here = recommend_local(&e, &r, &goal, 5).unwrap();
        let x = recommend_merge(&e, &r, &goal, here, parts);
        x.map(|_| ()).map_err(|x| (x.code, x.path))
    };
    assert_eq!(merge(&[&good]), Ok(()));
    let other = RechargeGoal::from_json(r#"{ "maxInterruptionProbability": 0.3 }"#).unwrap();
    let foreign = recommend_paths(&e, &r, &other, 5, 23).unwrap();
    let parts0 = Err((ErrorCode::InvalidInput, "parts[0]".to_string()));
    assert_eq!(merge(&[&foreign]), parts0);
    assert_eq!(merge(&[&good[..good.len() - 1]]), parts0);
    assert_eq!(merge(&[&[good.clone(), vec![1]].concat()]), parts0);
    let gap = Err((ErrorCode::InvalidInput, "parts".to_string()));
    assert_eq!(
        merge(&[&recommend_paths(&e, &r, &goal, 6, 23).unwrap()]),
        gap
    );
    assert_eq!(
        merge(&[&recommend_paths(&e, &r, &goal, 5, 22).unwrap()]),
        gap
    );
    assert_eq!(merge(&[&good, &good]), gap);
    let here = recommend_local(&e, &r, &other, 5).unwrap();
    let x = recommend_merge(&e, &r, &goal, here, &[&good]).unwrap_err();
    assert_eq!((x.code, x.path.as_str()), (ErrorCode::InvalidInput, ""));
    let x = recommend_paths(&e, &r, &goal, 0, 3).unwrap_err();
    assert_eq!((x.code, x.path.as_str()), (ErrorCode::OutOfRange, "from"));
    let x = recommend_local(&e, &r, &goal, 24).err().unwrap();
    assert_eq!((x.code, x.path.as_str()), (ErrorCode::OutOfRange, "local"));
}

#[test]
fn comparisons_run_apart_give_the_same_result() {
    let e = engine();
    let mut v = request(0.4, 45, "day", 17, 2);
    v["profile"]["paymentFailureProbability"] = json!(0.05);
    let r = req(&v);
    let variants = Variant::list_from_json(
        r#"[
            { "label": "as is" },
            { "label": "big recharges", "autoRecharge": { "enabled": true, "threshold": "50", "amount": "1000" } },
            { "label": "no auto-recharge", "autoRecharge": { "enabled": false }, "negativeBalance": { "allowed": false } }
        ]"#,
    )
    .unwrap();
    let whole = compare(&e, &r, &variants).unwrap();
    let apart = |local: u32, cuts: &[u32]| {
        let parts = ranges_apart(local, cuts, r.paths, |a, b| {
            compare_paths(&e, &r, &variants, a, b).unwrap()
        });
        let here = compare_local(&e, &r, &variants, local)?;
        compare_merge(&e, &r, &variants, here, &slices(&parts))
    };
    for (local, cuts) in [(1, vec![]), (6, vec![11]), (2, vec![3, 16]), (17, vec![])] {
        assert_eq!(
            apart(local, &cuts).unwrap(),
            whole,
            "local {local}, cuts {cuts:?}"
        );
    }
    // Another variant list's paths, damage, gaps: coded errors.
    let good = compare_paths(&e, &r, &variants, 4, 17).unwrap();
    let merge = |parts: &[&[u8]]| {
        let here = compare_local(&e, &r, &variants, 4).unwrap();
        let x = compare_merge(&e, &r, &variants, here, parts);
        x.map(|_| ()).map_err(|x| (x.code, x.path))
    };
    assert_eq!(merge(&[&good]), Ok(()));
    let fewer = &variants[..2];
    let foreign = compare_paths(&e, &r, fewer, 4, 17).unwrap();
    let parts0 = Err((ErrorCode::InvalidInput, "parts[0]".to_string()));
    assert_eq!(merge(&[&foreign]), parts0);
    assert_eq!(merge(&[&good[..good.len() - 1]]), parts0);
    assert_eq!(merge(&[&[good.clone(), vec![0]].concat()]), parts0);
    // A length field larger than what follows.
    let mut long = good.clone();
    long[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(merge(&[&long]), parts0);
    let gap = Err((ErrorCode::InvalidInput, "parts".to_string()));
    assert_eq!(
        merge(&[&compare_paths(&e, &r, &variants, 5, 17).unwrap()]),
        gap
    );
    assert_eq!(merge(&[]), gap);
    let x = compare_merge(
        &e,
        &r,
        &variants,
        compare_local(&e, &r, fewer, 4).unwrap(),
        &[&good],
    )
    .unwrap_err();
    assert_eq!((x.code, x.path.as_str()), (ErrorCode::InvalidInput, ""));
    let x = compare_paths(&e, &r, &variants, 0, 2).unwrap_err();
    assert_eq!((x.code, x.path.as_str()), (ErrorCode::OutOfRange, "from"));
}

#[test]
fn compare_runs_the_same_traffic_under_each_setting() {
    let e = engine();
    let r = req(&request(0.3, 60, "day", 30, 2));
    let variants = Variant::list_from_json(
        r#"[
            { "label": "as is" },
            { "label": "big recharges", "autoRecharge": { "enabled": true, "threshold": "50", "amount": "1000" } },
            { "label": "no auto-recharge", "autoRecharge": { "enabled": false }, "negativeBalance": { "allowed": false } },
            { "label": "annual plan", "plan": { "cycle": "annual" } }
        ]"#,
    )
    .unwrap();
    let c = compare(&e, &r, &variants).unwrap();
    assert_eq!(c.variants.len(), 4);
    assert_eq!(c.variants[0].summary, project(&e, &r).unwrap().summary);
    let spend = |i: usize| c.variants[i].summary.total_spend;
    assert_eq!(spend(0), spend(1));
    // Lookups include 100 a plan period: an annual plan includes 100 a year, not a month.
    assert!(spend(3).0 > spend(0).0);
    assert!(c.variants[1].summary.recharges < c.variants[0].summary.recharges);
    assert_eq!(c.variants[2].summary.recharges, 0);
    assert!(spend(2).0 < spend(0).0);
    assert_eq!(c.variants[2].interruption_probability, 1.0);
    let bad = Variant::list_from_json(
        r#"[{ "label": "x" }, { "label": "y", "autoRecharge": { "enabled": true, "threshold": "-5", "amount": "10" } }]"#,
    )
    .unwrap();
    let err = compare(&e, &r, &bad).unwrap_err();
    assert_eq!(err.path, "variants[1].autoRecharge.threshold");
}

#[test]
fn recommendation_meets_the_goal_with_the_fewest_recharges() {
    let e = engine();
    let mut v = request(0.5, 60, "day", 40, 13);
    v["account"]["openingBalance"] = json!("20");
    let r = req(&v);
    let goal = RechargeGoal::from_json(r#"{ "maxInterruptionProbability": 0.05 }"#).unwrap();
    let rec = recommend_auto_recharge(&e, &r, &goal).unwrap();
    assert_eq!(rec.candidates.len(), 12);
    let best = rec.recommended.clone().expect("a pair meets the goal");
    assert!(best.interruption_probability <= 0.05);
    for c in rec.candidates.iter().filter(|c| c.meets_goal) {
        assert!(c.mean_recharges >= best.mean_recharges);
    }
    assert!(rec.expected_daily_spend.0 > dec("10"));
    // A given grid is used as given.
    let goal = RechargeGoal::from_json(
        r#"{ "maxInterruptionProbability": 0, "thresholds": ["5", "40"], "amounts": ["30", "300"] }"#,
    )
    .unwrap();
    let rec = recommend_auto_recharge(&e, &r, &goal).unwrap();
    assert_eq!(rec.candidates.len(), 4);
    assert_eq!(rec.candidates[1].threshold.0, dec("5"));
    assert_eq!(rec.candidates[1].amount.0, dec("300"));
    let bad = RechargeGoal::from_json(
        r#"{ "maxInterruptionProbability": 0.1, "amounts": ["30", "0.001"] }"#,
    )
    .unwrap();
    let err = recommend_auto_recharge(&e, &r, &bad).unwrap_err();
    assert_eq!(
        (err.code, err.path.as_str()),
        (ErrorCode::OutOfRange, "goal.amounts[1]")
    );
}

/// FNV-1a, for a compact fingerprint of a long output.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The events a seed gives are pinned: the PRNG, its seeding and every `libm` function are part
/// of the output. The JS tests check the same fingerprint from WebAssembly.
#[test]
fn a_seed_gives_the_same_events_on_every_target() {
    let mut v = request(0.4, 30, "hour", 4, 2024);
    v["profile"]["services"]["voiceLocal"]["durationSeconds"] =
        json!({ "mean": 150, "distribution": "lognormal", "sd": 200 });
    v["profile"]["services"]["sms"]["monthlyGrowth"] = json!(0.07);
    v["profile"]["busyPeriods"] = json!([{ "start": "2025-01-10", "days": 5, "multiplier": 2.5 }]);
    let events = path_events(&engine(), &req(&v), 3).unwrap();
    let text = serde_json::to_string(&events).unwrap();
    // One event per service and step, with its parts per carrier, segments and direction.
    assert_eq!(events.len(), 3_354);
    assert_eq!(flatten(events.clone()).len(), 14_598);
    assert_eq!(
        format!("{:016x}", fnv1a(text.as_bytes())),
        "9261bdc4ca030e5d"
    );
}

#[test]
fn deferred_fees_posted_at_the_end_can_trigger_a_last_recharge() {
    // Daily steps with deferred fees: the last day's fees fall due at the very end, and the
    // recharge they trigger is the last attempt of the path (no failure is drawn after it).
    let mut v = request(0.3, 3, "day", 200, 77);
    v["profile"]["paymentFailureProbability"] = json!(0.15);
    v["account"]["openingBalance"] = json!("40");
    v["account"]["autoRecharge"] = json!({ "enabled": true, "threshold": "29", "amount": "10" });
    let e = deferred_engine();
    let r = project(&e, &req(&v)).unwrap();
    assert!(r.recharge_failure_probability > 0.0 && r.recharge_failure_probability < 1.0);
    let end = 1_735_689_600 + 3 * 86_400;
    assert!(r.recharges.iter().all(|a| a.at <= end));
}
