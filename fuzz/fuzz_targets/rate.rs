//! Structured usage events (see `src/structured.rs`) against the default card and against
//! edited or arbitrary cards: `rate` and `rate_batch` never panic, and every charge adds up.
#![no_main]
use creditcast::rating::RateContext;
use creditcast::{RatingEngine, UsageEvent};
use creditcast_fuzz::structured::{Name, RateInput};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fuzz_target!(|input: RateInput| {
    let owned;
    let engine = match input.card.text() {
        None => creditcast_fuzz::default_engine(),
        Some(text) => match RatingEngine::from_json(&text) {
            Ok(e) => {
                owned = e;
                &owned
            }
            Err(_) => return,
        },
    };
    let services: Vec<String> = engine.card().services.keys().cloned().collect();
    let carriers: Vec<String> = engine
        .card()
        .carriers
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let texts: Vec<String> = input
        .events
        .iter()
        .take(64)
        .map(|e| e.to_json(&services, &carriers))
        .collect();
    let events: Vec<UsageEvent<'_>> = texts
        .iter()
        .filter_map(|t| creditcast::input::from_json(t).ok())
        .collect();
    let mut used = Map::new();
    for (name, v) in input.used.iter().take(4) {
        let key = match name {
            Name::Nth(i) if !services.is_empty() => services[*i as usize % services.len()].clone(),
            Name::Nth(i) => format!("x{i}"),
            Name::Other(v) => v.to_json(0).to_string(),
        };
        used.insert(key, v.to_json());
    }
    let ctx_text = serde_json::json!({ "used": Value::Object(used) }).to_string();
    let ctx: RateContext = creditcast::input::from_json(&ctx_text).unwrap_or_default();
    creditcast_fuzz::check_events(engine, &events, &ctx);
    if !ctx.used.is_empty() {
        creditcast_fuzz::check_events(engine, &events, &RateContext::default());
    }
});
