//! Native throughput of `simulate` (ignored by default; run it in release mode):
//! `cargo test --release --test account_throughput -- --ignored --nocapture`

use std::time::Instant;

use creditcast::account::{simulate, Scenario};
use creditcast::time::{format_instant, parse_instant};
use creditcast::{RateCard, RatingEngine};

/// `days` days of an account sending `per_day` SMS a day (texts of one or two segments, four
/// carriers), with auto-recharge.
fn scenario_json(days: u32, per_day: u32, ledger: &str) -> String {
    let carriers = ["tmobile", "att", "verizon", "uscellular"];
    let texts = [
        "Your appointment is confirmed for tomorrow at 10:00. Reply C to cancel.",
        "Hi! Your order has shipped and will arrive in 2-3 business days. Track it on our website any time you like, day or night.",
        "Reminder: your invoice is due on Friday.",
    ];
    let start = parse_instant("2025-01-01").unwrap();
    let step = 86_400 / per_day as i64;
    let mut out = String::with_capacity((days * per_day) as usize * 160);
    out.push_str(r#"{"account":{"openingBalance":"100","plan":{"start":"2025-01-01"},"autoRecharge":{"enabled":true,"threshold":"50","amount":"500","maxPerDay":10}},"events":["#);
    let mut n = 0usize;
    for day in 0..days as i64 {
        for i in 0..per_day as i64 {
            if n > 0 {
                out.push(',');
            }
            let at = format_instant(start + day * 86_400 + i * step);
            out.push_str(&format!(
                r#"{{"at":"{at}","type":"usage","service":"sms","text":"{}","carrier":"{}"}}"#,
                texts[n % texts.len()],
                carriers[n % carriers.len()]
            ));
            n += 1;
        }
    }
    let until = format_instant(start + days as i64 * 86_400);
    out.push_str(&format!(
        r#"],"until":"{until}","options":{{"ledger":"{ledger}"}}}}"#
    ));
    out
}

#[test]
#[ignore]
fn rating_alone_for_comparison() {
    use creditcast::rating::Counters;
    use creditcast::UsageEvent;
    use std::borrow::Cow;
    let engine = RatingEngine::new(RateCard::default_card()).unwrap();
    let text = scenario_json(100, 10_000, "none");
    let sc = Scenario::from_json(&text).unwrap();
    let t = Instant::now();
    let mut counters = Counters::new();
    let mut total = rust_decimal::Decimal::ZERO;
    for e in &sc.events {
        let at = parse_instant(&e.at).unwrap();
        let u = UsageEvent {
            service: Cow::Borrowed(e.service.as_deref().unwrap()),
            text: e.text.as_deref().map(Cow::Borrowed),
            carrier: e.carrier.as_deref().map(Cow::Borrowed),
            ..UsageEvent::default()
        };
        let c = engine.rate_with(&u, Some(at), &mut counters, 0).unwrap();
        counters.commit();
        total += c.total.0;
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "parse_instant + rate_with alone: {:.0} ms = {:.2} M events/s ({total})",
        s * 1e3,
        sc.events.len() as f64 / s / 1e6
    );
}

#[test]
#[ignore]
fn simulate_a_million_sms() {
    let engine = RatingEngine::new(RateCard::default_card()).unwrap();
    let only = std::env::var("LEDGER").ok();
    for ledger in ["none", "day", "event"] {
        if only.as_deref().is_some_and(|o| o != ledger) {
            continue;
        }
        let text = scenario_json(100, 10_000, ledger);
        let t0 = Instant::now();
        let sc = Scenario::from_json(&text).unwrap();
        let parse = t0.elapsed().as_secs_f64();
        let n = sc.events.len() as f64;
        let mut best = f64::INFINITY;
        let mut out = None;
        for _ in 0..3 {
            let t = Instant::now();
            let r = simulate(&engine, &sc).unwrap();
            best = best.min(t.elapsed().as_secs_f64());
            out = Some(r);
        }
        let r = out.unwrap();
        println!(
            "ledger {ledger:>5}: {} events, parse {:.0} ms ({:.2} M/s), simulate {:.0} ms = {:.2} M events/s; {} entries, {} recharges, balance {}",
            n,
            parse * 1e3,
            n / parse / 1e6,
            best * 1e3,
            n / best / 1e6,
            r.ledger.len(),
            r.statements.iter().map(|s| s.recharges.0).sum::<rust_decimal::Decimal>(),
            r.balance
        );
    }
}
