//! Events as columns (`creditcast::columns`, what the package's JS entry writes for big inputs)
//! decode to exactly the events the JSON path parses, measure exactly the JSON text they stand
//! for, and give the same results and errors.

use creditcast::account::{simulate, simulate_columns, Scenario, ScenarioEvent};
use creditcast::columns::{field as f, intern_totals, EventColumns, JsonSize, Shape, STRIDE};
use creditcast::money::Dec;
use creditcast::rating::{BatchOptions, ChargeDetail};
use creditcast::{ErrorCode, RateCard, RatingEngine, UsageEvent};
use serde_json::{json, Value};

/// The columns the JS encoder (js/columns.js) writes for these events; panics on a shape it
/// would leave to the JSON path (the tests only use shapes it takes).
struct Encoded {
    names: Vec<String>,
    words: Vec<u32>,
    text: Vec<u8>,
    lens: Vec<u32>,
}

fn encode(events: &[Value]) -> Encoded {
    let mut names: Vec<String> = Vec::new();
    let mut id = |s: &str| -> u32 {
        match names.iter().position(|n| n == s) {
            Some(i) => i as u32,
            None => {
                names.push(s.to_string());
                (names.len() - 1) as u32
            }
        }
    };
    let mut words = vec![0u32; events.len() * STRIDE];
    let mut text = Vec::new();
    let mut lens = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let o = e.as_object().expect("an object");
        let mut w = 0u32;
        let mut ids = 0u32;
        let mut pieces: [Option<String>; 5] = Default::default();
        for (k, v) in o {
            match k.as_str() {
                "at" => {
                    w |= f::AT;
                    pieces[0] = Some(v.as_str().unwrap().to_string());
                }
                "type" => {
                    let t = match v.as_str().unwrap() {
                        "usage" => 1,
                        "purchase" => 2,
                        "paymentWillFail" => 3,
                        "paymentMethodFixed" => 4,
                        other => panic!("type {other}"),
                    };
                    w |= t << f::TYPE_SHIFT;
                }
                "service" => {
                    w |= f::SERVICE;
                    ids |= id(v.as_str().unwrap());
                }
                "carrier" => {
                    w |= f::CARRIER;
                    ids |= id(v.as_str().unwrap()) << 16;
                }
                "text" => {
                    w |= f::TEXT;
                    pieces[1] = Some(v.as_str().unwrap().to_string());
                }
                "segments" => {
                    w |= f::SEGMENTS;
                    words[i * STRIDE + 2] = v.as_u64().unwrap() as u32;
                }
                "count" => {
                    w |= f::COUNT;
                    words[i * STRIDE + 3] = v.as_u64().unwrap() as u32;
                }
                "direction" => {
                    w |= f::DIRECTION;
                    if v == "inbound" {
                        w |= f::INBOUND;
                    }
                }
                "numberType" => {
                    let t = match v.as_str().unwrap() {
                        "10dlc" => 0,
                        "tollFree" => 1,
                        "shortCode" => 2,
                        other => panic!("numberType {other}"),
                    };
                    w |= f::NUMBER_TYPE | (t << f::NUMBER_TYPE_SHIFT);
                }
                "durationSeconds" | "quantity" | "amount" => {
                    let (bit, number, slot) = match k.as_str() {
                        "durationSeconds" => (f::DURATION_SECONDS, f::DURATION_SECONDS_NUMBER, 2),
                        "quantity" => (f::QUANTITY, f::QUANTITY_NUMBER, 3),
                        _ => (f::AMOUNT, f::AMOUNT_NUMBER, 4),
                    };
                    w |= bit;
                    pieces[slot] = Some(match v {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => {
                            w |= number;
                            n.to_string()
                        }
                        other => panic!("decimal {other}"),
                    });
                }
                other => panic!("key {other}"),
            }
        }
        words[i * STRIDE] = w;
        words[i * STRIDE + 1] = ids;
        for p in pieces.into_iter().flatten() {
            lens.push(p.len() as u32);
            text.extend_from_slice(p.as_bytes());
        }
    }
    Encoded {
        names,
        words,
        text,
        lens,
    }
}

impl Encoded {
    fn columns(&self, shape: Shape) -> Result<EventColumns<'_>, creditcast::Error> {
        EventColumns::new(shape, &self.names, &self.words, &self.text, &self.lens)
    }
}

fn engine() -> RatingEngine {
    RatingEngine::new(RateCard::default_card()).unwrap()
}

/// Usage events of every shape the encoder takes, with texts that need escaping in JSON and
/// characters of one to four bytes.
fn usage_events() -> Vec<Value> {
    vec![
        json!({ "service": "sms", "text": "Hello, world!", "carrier": "verizon", "at": "2025-05-01T00:00:00Z" }),
        json!({ "service": "sms", "text": "Ça va? “quotes” \"q\" back\\slash {braces} €100", "carrier": "att" }),
        json!({ "carrier": "uscellular", "text": "👨‍👩‍👧‍👦🇺🇸👍🏽 e\u{301} 你好", "count": 3, "service": "sms", "numberType": "10dlc" }),
        json!({ "service": "sms", "text": "line\nbreak\ttab\r\u{1}\u{1f}\u{7f}", "segments_absent": null }),
        json!({ "service": "sms", "segments": 4294967295u32, "count": 0, "direction": "outbound", "numberType": "shortCode", "carrier": "tmobile" }),
        json!({ "service": "mms", "carrier": "att", "at": "2024-09-30T23:59:59Z", "numberType": "tollFree" }),
        json!({ "service": "voiceTollFree", "durationSeconds": 3601, "direction": "inbound" }),
        json!({ "service": "automatedVoice", "durationSeconds": "47.5", "count": 12 }),
        json!({ "service": "lookup", "quantity": "101" }),
        json!({ "service": "voicemailDrop", "quantity": -250 }),
        json!({ "service": "transcription", "quantity": "999.5000" }),
        json!({ "service": "nope", "text": "" }),
        json!({ "service": "sms", "text": "" }),
    ]
    .into_iter()
    .map(|mut v| {
        v.as_object_mut().unwrap().remove("segments_absent");
        v
    })
    .collect()
}

#[test]
fn usage_columns_decode_to_the_events_the_json_path_parses() {
    let events = usage_events();
    let enc = encode(&events);
    let cols = enc.columns(Shape::Usage).unwrap();
    assert_eq!(cols.len(), events.len());
    let text = Value::Array(events).to_string();
    let parsed: Vec<UsageEvent> = creditcast::input::from_json(&text).unwrap();
    assert_eq!(cols.usage_events().unwrap(), parsed);
}

#[test]
fn the_json_size_is_exactly_that_of_the_text_the_events_stand_for() {
    // serde_json escapes like JSON.stringify: `\"`, `\\`, \b \f \n \r \t, other controls as
    // \u00XX, nothing else. Key order does not change the length.
    let events = usage_events();
    let text = Value::Array(events.clone()).to_string();
    let enc = encode(&events);
    let cols = enc.columns(Shape::Usage).unwrap();
    let (bytes, units) = (text.len() as u64, text.encode_utf16().count() as u64);
    assert!(!cols.json_too_large(512 * 1024 * 1024 - bytes, 0));
    assert!(cols.json_too_large(512 * 1024 * 1024 - bytes + 1, 0));
    let v8 = creditcast::columns::JS_STRING_LIMIT;
    assert!(!cols.json_too_large(0, v8 - units));
    assert!(cols.json_too_large(0, v8 - units + 1));

    // Texts that are mostly escapes, and mostly four-byte characters: at the limits, the
    // escapes and the UTF-16 length decide, and just below them the bounds cannot.
    for t in [
        "\u{1}".repeat(500),
        "\u{1}\u{2}\\\"\n".repeat(300),
        "😀a".repeat(300),
        "\u{1f}é😀".repeat(200),
    ] {
        let events = vec![
            json!({ "service": "sms", "text": t, "carrier": "att" }),
            json!({ "service": "sms", "segments": 2 }),
        ];
        let text = Value::Array(events.clone()).to_string();
        let enc = encode(&events);
        let cols = enc.columns(Shape::Usage).unwrap();
        let (bytes, units) = (text.len() as u64, text.encode_utf16().count() as u64);
        let max = 512 * 1024 * 1024;
        for (eb, eu, large) in [
            (max - bytes, 0, false),
            (max - bytes + 1, 0, true),
            (0, v8 - units, false),
            (0, v8 - units + 1, true),
            (max - bytes - 100, v8 - units - 100, false),
            (0, 0, false),
        ] {
            assert_eq!(cols.json_too_large(eb, eu), large, "{t:?} {eb} {eu}");
        }
    }

    // Texts over several of the scan's 64 KiB blocks, the escapes and four-byte characters
    // first, last or spread, so that the scan stops early on one side of the limit or the other.
    let plain = "plain text ".repeat(2000);
    let dense = "\u{1}😀\\".repeat(6000);
    for texts in [
        vec![dense.clone(), plain.clone(), plain.clone(), plain.clone()],
        vec![plain.clone(), plain.clone(), plain.clone(), dense.clone()],
        vec![plain.clone(), dense.clone(), plain.clone(), dense.clone()],
    ] {
        let events: Vec<Value> = texts
            .iter()
            .flat_map(|t| (0..4).map(move |_| json!({ "service": "sms", "text": t })))
            .collect();
        let text = Value::Array(events.clone()).to_string();
        let enc = encode(&events);
        let cols = enc.columns(Shape::Usage).unwrap();
        let (bytes, units) = (text.len() as u64, text.encode_utf16().count() as u64);
        let max = 512 * 1024 * 1024;
        assert!(!cols.json_too_large(max - bytes, 0));
        assert!(cols.json_too_large(max - bytes + 1, 0));
        assert!(!cols.json_too_large(0, v8 - units));
        assert!(cols.json_too_large(0, v8 - units + 1));
        assert!(!cols.json_too_large(0, 0));
    }

    let scenario = vec![
        json!({ "at": "2025-01-03T08:00:00Z", "type": "usage", "service": "sms", "text": "Tab\there 😀", "count": 250, "carrier": "tmobile" }),
        json!({ "type": "paymentWillFail", "at": "2025-01-04T10:00:00Z" }),
        json!({ "at": "2025-01-05T00:00:00Z", "type": "purchase", "amount": 100 }),
        json!({ "at": "2025-01-05T00:00:01Z", "type": "purchase", "amount": "12.50" }),
        json!({ "at": "2025-01-06", "type": "paymentMethodFixed" }),
    ];
    let text = Value::Array(scenario.clone()).to_string();
    let enc = encode(&scenario);
    let cols = enc.columns(Shape::Scenario).unwrap();
    let bytes = text.len() as u64;
    assert!(!cols.json_too_large(512 * 1024 * 1024 - bytes, 0));
    assert!(cols.json_too_large(512 * 1024 * 1024 - bytes + 1, 0));
}

fn year_like(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let t = 1_735_689_600 + (i as i64) * 60;
            let at = creditcast::time::format_instant(t);
            let carrier = ["tmobile", "att", "verizon", "uscellular"][i % 4];
            match i % 7 {
                0 => json!({ "at": at, "type": "usage", "service": "sms", "segments": 1 + i % 3, "carrier": carrier }),
                1 => json!({ "at": at, "type": "usage", "service": "sms", "text": format!("Code {i} ✓"), "carrier": "att" }),
                2 => json!({ "at": at, "type": "usage", "service": "voiceLocal", "durationSeconds": i % 300 }),
                3 => json!({ "at": at, "type": "usage", "service": "lookup", "quantity": "2.5" }),
                4 if i % 700 == 4 => json!({ "at": at, "type": "purchase", "amount": "25" }),
                5 if i % 1400 == 5 => json!({ "at": at, "type": "paymentWillFail" }),
                _ => json!({ "at": at, "type": "usage", "service": "mms", "count": 2, "carrier": "verizon" }),
            }
        })
        .collect()
}

fn scenario_json(events: &[Value]) -> Value {
    json!({
        "account": {
            "openingBalance": "20", "plan": { "cycle": "monthly", "start": "2025-01-01" },
            "negativeBalance": { "allowed": true, "limit": "50" },
            "autoRecharge": { "enabled": true, "threshold": "10", "amount": "40" }
        },
        "events": events,
        "until": "2025-03-01",
    })
}

/// `simulate` on the scenario's JSON, and `simulate_columns` on its head and the columns.
fn both(events: &[Value]) -> (String, String) {
    let engine = engine();
    let full = scenario_json(events).to_string();
    let json_path = match Scenario::from_json(&full) {
        Ok(sc) => match simulate(&engine, &sc) {
            Ok(r) => serde_json::to_string(&r).unwrap(),
            Err(e) => format!("{e}"),
        },
        Err(e) => format!("{e}"),
    };
    let head = scenario_json(&[]).to_string();
    let sc = Scenario::from_json(&head).unwrap();
    let enc = encode(events);
    let cols = enc.columns(Shape::Scenario).unwrap();
    let columns_path = match simulate_columns(&engine, &sc, &cols) {
        Ok(r) => serde_json::to_string(&r).unwrap(),
        Err(e) => format!("{e}"),
    };
    (json_path, columns_path)
}

#[test]
fn simulate_from_columns_gives_the_json_paths_result_across_chunks() {
    let events = year_like(9_000);
    let enc = encode(&events);
    let cols = enc.columns(Shape::Scenario).unwrap();
    let mut decoded: Vec<ScenarioEvent<'static>> = Vec::new();
    cols.scenario_chunks(1000, |base, chunk| {
        assert_eq!(base, decoded.len());
        decoded.extend(chunk.iter().cloned().map(ScenarioEvent::into_owned));
        Ok(())
    })
    .unwrap();
    let text = Value::Array(events.clone()).to_string();
    let parsed: Vec<ScenarioEvent> = creditcast::input::from_json(&text).unwrap();
    assert_eq!(decoded, parsed);

    let (a, b) = both(&events);
    assert!(a.starts_with('{'), "{a}");
    assert_eq!(a, b);
}

#[test]
fn errors_from_columns_name_the_event_as_the_json_path_does() {
    let mut events = year_like(9_000);
    // A bad time well past the first chunk.
    events[8_765]["at"] = json!("2025-02-30T00:00:00Z");
    let (a, b) = both(&events);
    assert!(a.starts_with("INVALID_DATE at events[8765].at"), "{a}");
    assert_eq!(a, b);

    let mut events = year_like(6_000);
    events[5_005]["carrier"] = json!("vodafone");
    let (a, b) = both(&events);
    assert!(
        a.starts_with("UNKNOWN_CARRIER at events[5005].carrier"),
        "{a}"
    );
    assert_eq!(a, b);

    let mut events = year_like(5_000);
    events[4_097]["at"] = json!("2025-01-01T00:00:00Z");
    let (a, b) = both(&events);
    assert!(a.starts_with("OUT_OF_ORDER at events[4097].at"), "{a}");
    assert_eq!(a, b);

    let mut events = year_like(10);
    events[5] = json!({ "at": "2025-01-02T00:00:00Z", "type": "usage", "service": "voiceLocal", "durationSeconds": 60, "text": "hi" });
    let (a, b) = both(&events);
    assert!(a.starts_with("NOT_APPLICABLE at events[5].text"), "{a}");
    assert_eq!(a, b);
}

#[test]
fn rate_batch_from_columns_gives_the_json_paths_result() {
    let engine = engine();
    let events: Vec<Value> = usage_events()
        .into_iter()
        .filter(|e| e["service"] != "nope" && e["quantity"] != -250)
        .collect();
    let enc = encode(&events);
    let cols = enc.columns(Shape::Usage).unwrap();
    let text = Value::Array(events).to_string();
    let parsed: Vec<UsageEvent> = creditcast::input::from_json(&text).unwrap();
    for charges in [ChargeDetail::Full, ChargeDetail::Totals, ChargeDetail::None] {
        let opts = BatchOptions { charges };
        let a = engine.rate_batch(&parsed, opts);
        let b = engine.rate_batch(&cols.usage_events().unwrap(), opts);
        assert_eq!(a, b);
        assert!(a.is_ok(), "{a:?}");
        // Streamed from the columns, one event at a time (what `__rateBatchPart` does).
        let c = engine.rate_each(cols.len(), &mut |rate| cols.each_usage_event(rate), opts);
        assert_eq!(a, c);
    }
    // Errors: the first bad event, as the JSON path names it.
    let all = usage_events();
    let enc = encode(&all);
    let cols = enc.columns(Shape::Usage).unwrap();
    let bad = engine
        .rate_batch(&cols.usage_events().unwrap(), BatchOptions::default())
        .unwrap_err();
    let text = Value::Array(all).to_string();
    let parsed: Vec<UsageEvent> = creditcast::input::from_json(&text).unwrap();
    assert_eq!(
        engine.rate_batch(&parsed, BatchOptions::default()),
        Err(bad.clone())
    );
    assert_eq!(
        (bad.code, bad.path.as_str()),
        (ErrorCode::NegativeValue, "[9].quantity")
    );
    let streamed = engine.rate_each(
        cols.len(),
        &mut |rate| cols.each_usage_event(rate),
        BatchOptions::default(),
    );
    assert_eq!(streamed, Err(bad));
    // The rating stops at the first error: events after it are read, never rated.
    let mut rated = Vec::new();
    let r = cols.each_usage_event(&mut |i, _: &UsageEvent<'_>| {
        rated.push(i);
        if i == 3 {
            Err(creditcast::Error::new(ErrorCode::InvalidInput, "", "stop"))
        } else {
            Ok(())
        }
    });
    assert_eq!(r.map_err(|e| e.message), Err("stop".to_string()));
    assert_eq!(rated, [0, 1, 2, 3]);
}

#[test]
fn malformed_columns_are_invalid_input_never_a_panic() {
    let events = vec![
        json!({ "service": "sms", "text": "héllo 😀", "carrier": "att" }),
        json!({ "service": "sms", "quantity": "1.5" }),
    ];
    let good = encode(&events);
    assert!(good.columns(Shape::Usage).is_ok());
    // Scenario events need a type and a time.
    let e = good.columns(Shape::Scenario).err().unwrap();
    assert_eq!((e.code, e.path.as_str()), (ErrorCode::InvalidInput, "[0]"));

    let check = |mutate: &dyn Fn(&mut Encoded), path: &str| {
        let mut enc = encode(&events);
        mutate(&mut enc);
        let e = enc.columns(Shape::Usage).err().expect("an error");
        assert_eq!(e.code, ErrorCode::InvalidInput, "{e}");
        assert_eq!(e.path, path, "{e}");
    };
    check(&|c| c.words[0] |= 1 << 25, "[0]");
    check(&|c| c.words[4] |= 2 << f::TYPE_SHIFT, "[1]");
    check(&|c| c.words[4] |= f::AMOUNT, "[1]");
    check(
        &|c| c.words[0] |= 3 << f::NUMBER_TYPE_SHIFT | f::NUMBER_TYPE,
        "[0]",
    );
    check(&|c| c.words[1] = 7, "[0].service");
    check(&|c| c.words[1] = 9 << 16, "[0].carrier");
    check(&|c| c.words.push(0), "");
    // A length that ends inside a character, or strings left over or missing.
    check(&|c| c.lens[0] -= 1, "");
    check(&|c| c.lens[0] += 1, "");
    check(&|c| c.lens.push(0), "");
    check(&|c| c.text.push(b'x'), "");
    check(&|c| c.text[1] = 0xff, "");
    check(&|c| c.lens.truncate(1), "");

    // A decimal string that does not parse is reported as the JSON path reports it.
    let mut enc = encode(&events);
    let n = enc.text.len();
    enc.text[n - 2] = b'e';
    let e = enc.columns(Shape::Usage).err().unwrap();
    assert_eq!(
        (e.code, e.path.as_str()),
        (ErrorCode::InvalidNumber, "[1].quantity")
    );
}

#[test]
fn totals_are_interned_by_value() {
    let d = |s: &str| Dec(s.parse().unwrap());
    let totals = [d("0.0113"), d("0.0226"), d("0.0113"), d("1"), d("0.0226")];
    let (table, index) = intern_totals(&totals);
    assert_eq!(table, vec![d("0.0113"), d("0.0226"), d("1")]);
    assert_eq!(index, vec![0, 1, 0, 2, 1]);
    let back: Vec<Dec> = index.iter().map(|&i| table[i as usize]).collect();
    assert_eq!(back, totals);
}

#[test]
fn totals_interned_through_the_slot_cache_keep_every_value() {
    // More distinct values than the 64 slots in front of the map, in an order that makes
    // them evict each other, equal values at different scales among them.
    let values: Vec<Dec> = (0..300)
        .map(|k| {
            let mut v = rust_decimal::Decimal::new(k * 7 + 3, 4);
            if k % 5 == 0 {
                v.rescale(6);
            }
            Dec(v)
        })
        .collect();
    let mut x = 12345u64;
    let totals: Vec<Dec> = (0..5000)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            values[(x >> 33) as usize % values.len()]
        })
        .collect();
    let (table, index) = intern_totals(&totals);
    let back: Vec<Dec> = index.iter().map(|&i| table[i as usize]).collect();
    // Same values and the same scales (equal decimals would compare equal even if not).
    let shown = |v: &[Dec]| v.iter().map(|d| d.0.to_string()).collect::<Vec<_>>();
    assert_eq!(shown(&back), shown(&totals));
    // One entry per distinct value, in the order first seen.
    let mut first = Vec::new();
    for t in &totals {
        if !first
            .iter()
            .any(|f: &Dec| f.0.serialize() == t.0.serialize())
        {
            first.push(*t);
        }
    }
    assert_eq!(shown(&table), shown(&first));
}

/// A list's lines as records, read the way `listFrom` in js/columns.js reads them: four
/// lines each (time, amount, balance, an optional amount), an empty time or balance carried
/// over from the record before.
fn records<'a>(lines: &[&'a str]) -> Vec<[&'a str; 4]> {
    let (mut at, mut balance) = ("", "");
    lines
        .chunks(4)
        .map(|f| {
            if !f[0].is_empty() {
                at = f[0];
            }
            if !f[2].is_empty() {
                balance = f[2];
            }
            [at, f[1], balance, f[3]]
        })
        .collect()
}

/// The refusal columns the JS entry rebuilds refusals from: decoded the way `refusalsFrom` in
/// js/columns.js does, they give the refusals' JSON (pending fees included and omitted; both
/// reasons; an event index beyond 32 bits; times repeated and not). The shared corpus checks the JS side against
/// native results.
#[test]
fn refusal_columns_give_the_refusals_json() {
    let case: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/shared/simulate-deferred-fees.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let input = case["input"].to_string();
    let sc = Scenario::from_json(&input).unwrap();
    let engine = RatingEngine::new(sc.rate_card.clone().unwrap()).unwrap();
    let mut refused = simulate(&engine, &sc).unwrap().refused;
    assert!(refused.iter().any(|r| !r.pending_fees.0.is_zero()));
    // A second service and the other reason, with no pending fees.
    let mut other = refused[0].clone();
    other.service = "voice \"local\"".into();
    other.reason = creditcast::account::RefusalReason::CreditLimit;
    other.pending_fees = Dec(rust_decimal::Decimal::ZERO);
    other.event_index = u64::from(u32::MAX) + 7;
    refused.push(other);

    let mut names = creditcast::columns::Names::default();
    let c = creditcast::columns::refusal_columns(&refused, &mut names);
    let names = names.0;
    let lines: Vec<&str> = c.lines.split('\n').collect();
    assert_eq!(lines.len(), 4 * refused.len());
    assert_eq!(c.numbers.len(), 3 * refused.len());
    let decoded: Vec<Value> = records(&lines)
        .into_iter()
        .zip(c.numbers.chunks(3))
        .map(|([at, amount, balance, pending], n)| {
            let mut r = json!({
                "at": at,
                "eventIndex": n[0] as u64,
                "service": &*names[n[1] as usize],
                "amount": amount,
                "balance": balance,
                "reason": &*names[n[2] as usize],
            });
            if !pending.is_empty() {
                r["pendingFees"] = json!(pending);
            }
            r
        })
        .collect();
    assert_eq!(
        Value::Array(decoded),
        serde_json::to_value(&refused).unwrap()
    );
    // A burst at one instant sends its time once, a run at one balance the balance once.
    assert!(refused.windows(2).any(|w| w[0].at == w[1].at));
    assert!(refused.windows(2).any(|w| w[0].balance == w[1].balance));
    assert!(lines.chunks(4).skip(1).any(|f| f[2].is_empty()));
    assert_eq!(
        lines.chunks(4).filter(|f| !f[0].is_empty()).count(),
        1 + refused.windows(2).filter(|w| w[0].at != w[1].at).count()
    );
    let none = creditcast::columns::refusal_columns(&[], &mut Default::default());
    assert!(none.lines.is_empty() && none.numbers.is_empty());
}

/// The ledger columns, decoded the way `ledgerFrom` in js/columns.js does, give the ledger's
/// JSON: every kind, entries with and without a service, an event index, an amount attempted
/// and a count (a merged day ledger), times repeated and not.
#[test]
fn ledger_columns_give_the_ledger_json() {
    let mut seen = std::collections::BTreeSet::new();
    for (file, mode) in [
        ("simulate-deferred-fees", "event"),
        ("simulate-deferred-fees", "day"),
        ("simulate-busy-month", "event"),
        ("simulate-busy-month", "hour"),
        ("a day of texts", "day"),
    ] {
        let mut input = if file == "a day of texts" {
            let sms = |at: &str| json!({ "at": at, "type": "usage", "service": "sms", "segments": 2, "carrier": "tmobile" });
            json!({ "account": { "openingBalance": "10", "plan": { "start": "2025-01-01" } },
                "events": [sms("2025-01-02T08:00:00Z"), sms("2025-01-02T09:00:00Z"), sms("2025-01-02T10:00:00Z")],
                "until": "2025-01-03" })
        } else {
            let path = format!("{}/tests/shared/{file}.json", env!("CARGO_MANIFEST_DIR"));
            let case: Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            case["input"].clone()
        };
        input["options"] = json!({ "ledger": mode });
        let text = input.to_string();
        let sc = Scenario::from_json(&text).unwrap();
        let engine = match &sc.rate_card {
            Some(card) => RatingEngine::new(card.clone()).unwrap(),
            None => RatingEngine::new(RateCard::default_card()).unwrap(),
        };
        let ledger = simulate(&engine, &sc).unwrap().ledger;
        // Names the refusals put first are shared: indices need not start at 0.
        let mut names = creditcast::columns::Names::default();
        names.index("insufficientBalance");
        let c = creditcast::columns::ledger_columns(&ledger, &mut names);
        let names = names.0;
        let lines: Vec<&str> = c.lines.split('\n').collect();
        assert_eq!(lines.len(), 4 * ledger.len(), "{file} {mode}");
        assert_eq!(c.numbers.len(), 4 * ledger.len(), "{file} {mode}");
        let decoded: Vec<Value> = records(&lines)
            .into_iter()
            .zip(c.numbers.chunks(4))
            .map(|([at, amount, balance, attempted], n)| {
                let mut e = json!({
                    "at": at,
                    "kind": &*names[n[0] as usize],
                    "amount": amount,
                    "balanceAfter": balance,
                });
                if n[1] >= 0.0 {
                    e["service"] = json!(&*names[n[1] as usize]);
                }
                if n[2] >= 0.0 {
                    e["eventIndex"] = json!(n[2] as u64);
                }
                if !attempted.is_empty() {
                    e["attempted"] = json!(attempted);
                }
                if n[3] >= 0.0 {
                    e["count"] = json!(n[3] as u32);
                }
                e
            })
            .collect();
        let want = serde_json::to_value(&ledger).unwrap();
        assert_eq!(Value::Array(decoded), want, "{file} {mode}");
        for e in want.as_array().unwrap() {
            seen.insert(e["kind"].as_str().unwrap().to_string());
            for k in ["service", "eventIndex", "attempted", "count"] {
                let has = if e.get(k).is_some() {
                    "with"
                } else {
                    "without"
                };
                seen.insert(format!("{has} {k}"));
            }
        }
        if ledger.windows(2).any(|w| w[0].at == w[1].at) {
            seen.insert("a time repeated".into());
        }
    }
    for k in [
        "usage",
        "carrierFee",
        "recharge",
        "rechargeFailed",
        "purchase",
        "a time repeated",
    ] {
        assert!(seen.contains(k), "no case has {k}: {seen:?}");
    }
    for k in ["service", "eventIndex", "attempted", "count"] {
        assert!(
            seen.contains(&format!("with {k}")),
            "no case with {k}: {seen:?}"
        );
        assert!(
            seen.contains(&format!("without {k}")),
            "no case without {k}"
        );
    }
    let none = creditcast::columns::ledger_columns(&[], &mut Default::default());
    assert!(none.lines.is_empty() && none.numbers.is_empty());
}

mod packed_refusals {
    use creditcast::account::{Refusal, RefusalReason};
    use creditcast::columns::{pack_refusals, unpack_refusals};
    use creditcast::money::Dec;
    use creditcast::ErrorCode;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use std::sync::Arc;

    /// Decimals of every kind a refusal can hold, and some it cannot: zeros at several scales and
    /// a negative zero, prices, mantissas beyond `i64` up to 96 bits, negative amounts.
    fn decimal() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            4 => (-1_000_000_000i64..1_000_000_000, 0u32..8).prop_map(|(m, s)| Decimal::new(m, s)),
            1 => (0u32..29).prop_map(|s| Decimal::new(0, s)),
            1 => (0u32..29).prop_map(|s| -Decimal::new(0, s)),
            1 => (any::<i64>(), 0u32..29).prop_map(|(m, s)| Decimal::new(m, s)),
            1 => (0u128..(1 << 96), any::<bool>(), 0u32..29).prop_map(|(m, neg, s)| {
                let d = Decimal::from_i128_with_scale(m as i128, s);
                if neg { -d } else { d }
            }),
        ]
    }

    fn refusal(services: Vec<Arc<str>>) -> impl Strategy<Value = Refusal> {
        (
            any::<i64>(),
            any::<u64>(),
            0..services.len(),
            decimal(),
            decimal(),
            prop_oneof![3 => Just(Decimal::ZERO), 1 => decimal()],
            any::<bool>(),
        )
            .prop_map(
                move |(at, event_index, s, amount, balance, pending, limit)| Refusal {
                    at,
                    event_index,
                    service: services[s].clone(),
                    amount: Dec(amount),
                    balance: Dec(balance),
                    pending_fees: Dec(pending),
                    reason: if limit {
                        RefusalReason::CreditLimit
                    } else {
                        RefusalReason::InsufficientBalance
                    },
                },
            )
    }

    /// Runs like a projection's: the same service `Arc`s again and again, times and indices
    /// rising, balances repeated.
    fn refusals() -> impl Strategy<Value = Vec<Refusal>> {
        let services: Vec<Arc<str>> = ["sms", "voiceLocal", "mms", "", "ünïcödé"]
            .into_iter()
            .map(Arc::from)
            .collect();
        prop::collection::vec(refusal(services), 0..40).prop_map(|mut v| {
            // Every other refusal repeats the balance before it.
            for i in (1..v.len()).step_by(2) {
                v[i].balance = v[i - 1].balance;
            }
            v
        })
    }

    /// A refusal's fields, each decimal as its exact bits.
    type Bits = (
        i64,
        u64,
        String,
        [u8; 16],
        [u8; 16],
        [u8; 16],
        RefusalReason,
    );

    fn bits(r: &[Refusal]) -> Vec<Bits> {
        r.iter()
            .map(|r| {
                (
                    r.at,
                    r.event_index,
                    r.service.to_string(),
                    r.amount.0.serialize(),
                    r.balance.0.serialize(),
                    r.pending_fees.0.serialize(),
                    r.reason,
                )
            })
            .collect()
    }

    proptest! {
        /// Unpacking gives back every field exactly: the same bits of every decimal (scale,
        /// sign, negative zeros).
        #[test]
        fn packed_refusals_unpack_to_the_same_bits(v in refusals()) {
            let packed = pack_refusals(&v);
            let back = unpack_refusals(&packed, "refused").expect("unpacks");
            prop_assert_eq!(bits(&back), bits(&v));
        }

        /// Bytes it did not write (changed, cut short, random) give an error or some refusals,
        /// never a panic.
        #[test]
        fn damaged_packs_never_panic(v in refusals(), cut in any::<prop::sample::Index>(), flip in any::<(prop::sample::Index, u8)>(), noise in prop::collection::vec(any::<u8>(), 0..200)) {
            let packed = pack_refusals(&v);
            let n = cut.index(packed.len() + 1);
            let _ = unpack_refusals(&packed[..n], "refused");
            let mut changed = packed.clone();
            if !changed.is_empty() {
                let i = flip.0.index(changed.len());
                changed[i] ^= flip.1 | 1;
            }
            let _ = unpack_refusals(&changed, "refused");
            if let Err(e) = unpack_refusals(&noise, "refused") {
                prop_assert_eq!(e.code, ErrorCode::InvalidInput);
                prop_assert_eq!(e.path.as_str(), "refused");
            }
        }
    }

    #[test]
    fn a_projections_refusals_pack_small() {
        let sms: Arc<str> = Arc::from("sms");
        let v: Vec<Refusal> = (0..10_000)
            .map(|i| Refusal {
                at: 1_740_000_000 + i / 5 * 3600,
                event_index: 20_000 + i as u64,
                service: sms.clone(),
                amount: Dec(Decimal::new(123_456 + i, 4)),
                balance: Dec(Decimal::new(71, 4)),
                pending_fees: Dec(Decimal::ZERO),
                reason: RefusalReason::InsufficientBalance,
            })
            .collect();
        let packed = pack_refusals(&v);
        // Flags, index and service a byte each, the time 2 (an hour on) or 1, the amount 4: at
        // most 9 bytes a refusal, against 130 in the JSON.
        assert!(packed.len() <= 9 * v.len() + 16, "{} bytes", packed.len());
        assert_eq!(
            bits(&unpack_refusals(&packed, "").expect("unpacks")),
            bits(&v)
        );
    }
}

/// `events` cut before each index in `cuts`, each part encoded on its own (its own name table,
/// as a part may have).
fn parts(events: &[Value], cuts: &[usize]) -> Vec<Encoded> {
    let mut out = Vec::new();
    let mut from = 0;
    for &to in cuts.iter().chain([events.len()].iter()) {
        out.push(encode(&events[from..to]));
        from = to;
    }
    out
}

#[test]
fn a_batch_in_parts_rates_and_measures_as_one() {
    let engine = engine();
    let events: Vec<Value> = (0..4)
        .flat_map(|_| usage_events())
        .filter(|e| e["service"] != "nope" && e["quantity"] != -250)
        .collect();
    let n = events.len();
    let text = Value::Array(events.clone()).to_string();
    let (bytes, units) = (text.len() as u64, text.encode_utf16().count() as u64);
    let parsed: Vec<UsageEvent> = creditcast::input::from_json(&text).unwrap();
    for cuts in [vec![], vec![1], vec![7, 8, 30], (1..n).collect()] {
        for charges in [ChargeDetail::Full, ChargeDetail::Totals, ChargeDetail::None] {
            let opts = BatchOptions { charges };
            let mut batch = engine.start_batch(n, opts).unwrap();
            let mut size = JsonSize::default();
            let mut first = 0;
            for p in parts(&events, &cuts) {
                let cols =
                    EventColumns::part(Shape::Usage, &p.names, &p.words, &p.text, &p.lens, first)
                        .unwrap();
                size.add(&cols, 0, 0);
                size.scanned(&p.text);
                cols.each_usage_event(&mut |_, ev: &UsageEvent<'_>| {
                    engine.rate_next(&mut batch, ev)
                })
                .unwrap();
                first += cols.len();
            }
            assert_eq!(batch.len(), n);
            assert_eq!(batch.finish(), engine.rate_batch(&parsed, opts), "{cuts:?}");
            assert_eq!(size.bounds(), ((bytes, units), (bytes, units)), "{cuts:?}");
            assert_eq!(size.verdict(), Some(false));
        }
    }
    // An error names the event by its index in the batch, whatever part it came in.
    let all = usage_events();
    let mut batch = engine
        .start_batch(all.len(), BatchOptions::default())
        .unwrap();
    let mut first = 0;
    let mut err = None;
    for p in parts(&all, &[4, 8, 10]) {
        let cols =
            EventColumns::part(Shape::Usage, &p.names, &p.words, &p.text, &p.lens, first).unwrap();
        first += cols.len();
        if let Err(e) =
            cols.each_usage_event(&mut |_, ev: &UsageEvent<'_>| engine.rate_next(&mut batch, ev))
        {
            err = Some(e);
            break;
        }
    }
    let err = err.unwrap();
    assert_eq!(
        (err.code, err.path.as_str()),
        (ErrorCode::NegativeValue, "[9].quantity")
    );
    // A part's malformed column names the batch's event too.
    let p = encode(&all[4..8]);
    let mut words = p.words.clone();
    words[STRIDE * 2] |= 1 << 30;
    let e = EventColumns::part(Shape::Usage, &p.names, &words, &p.text, &p.lens, 4)
        .err()
        .unwrap();
    assert_eq!(e.path, "[6]");
    // More events than the batch was started for reach the limit per batch, not a panic.
    assert!(engine
        .start_batch(5_000_001, BatchOptions::default())
        .is_err());
}

#[test]
fn parts_are_scanned_only_when_the_batch_may_come_near_a_limit() {
    let max = 512 * 1024 * 1024u64;
    let events: Vec<Value> = (0..50)
        .map(|i| json!({ "service": "sms", "text": format!("line {i}\n\"quoted\" 😀 {}", "x".repeat(i)) }))
        .collect();
    let text = Value::Array(events.clone()).to_string();
    let (bytes, units) = (text.len() as u64, text.encode_utf16().count() as u64);
    // The parts added in turn, with `remaining(first)` events to come after the first `first`.
    let sized = |remaining: &dyn Fn(u64) -> u64| {
        let mut size = JsonSize::default();
        let mut first = 0;
        for p in parts(&events, &[10, 20, 30, 40]) {
            let cols =
                EventColumns::part(Shape::Usage, &p.names, &p.words, &p.text, &p.lens, first)
                    .unwrap();
            first += cols.len();
            size.add_part(&cols, remaining(first as u64));
        }
        size
    };
    // A small batch with nothing to come: no part is scanned, and the bounds decide.
    let size = sized(&|first| 50 - first);
    let ((lo_b, lo_u), (hi_b, hi_u)) = size.bounds();
    assert!(lo_b < bytes && bytes < hi_b && lo_u < units && units < hi_u);
    assert_eq!(size.verdict(), Some(false));
    // With millions of such events still to come the batch may come near the limits: each
    // part is scanned, and the counts are exact.
    let size = sized(&|first| 10_000_000 - first);
    assert_eq!(size.bounds(), ((bytes, units), (bytes, units)));
    // Between the bounds, no verdict until the text is scanned; then the exact one.
    let all = encode(&events);
    let cols = all.columns(Shape::Usage).unwrap();
    for (extra, large) in [(max - bytes, false), (max - bytes + 1, true)] {
        let mut size = JsonSize::default();
        size.add(&cols, extra, 0);
        assert_eq!(size.verdict(), None);
        size.scanned(&all.text);
        assert_eq!(size.verdict(), Some(large));
    }
    // Beyond the limit even without the text's escapes: too large before any scan.
    let mut size = JsonSize::default();
    size.add(&cols, max, 0);
    assert_eq!(size.verdict(), Some(true));
}
