//! The properties the fuzz targets check, shared by the targets in `fuzz_targets/`.
//!
//! Each `check_*` takes what the JS boundary can deliver (text, or a structured event list) and
//! panics only when a promise is broken: a panic inside the engine, a result that contradicts
//! itself (total ≠ usage + carrier fees, segments that do not add up), or two entry points that
//! disagree. A clean `Err` is always fine.

use std::sync::OnceLock;

use creditcast::rating::{BatchOptions, BatchResult, ChargeDetail, Charges, LineKind, RateContext};
use creditcast::segments::{
    count_segments, gsm7_septets, segment_message, Encoding, SegmentOptions,
};
use creditcast::{Charge, RateCard, RatingEngine, UsageEvent};
use rust_decimal::Decimal;

pub mod structured;

/// The engine over the embedded default card, built once per fuzzing process.
pub fn default_engine() -> &'static RatingEngine {
    static ENGINE: OnceLock<RatingEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        RatingEngine::new(RateCard::default_card()).expect("the embedded card is valid")
    })
}

/// Rate-card text: parse, validate, compile. The three must agree, a valid card must survive the
/// round trip through `rateCard()` (its JSON output is valid input), and its engine must rate one
/// event of each of its services without panicking.
pub fn check_rate_card(text: &str) {
    let card = match RateCard::from_json(text) {
        Ok(c) => c,
        Err(_) => {
            assert!(RatingEngine::from_json(text).is_err());
            return;
        }
    };
    let problems = card.problems();
    assert_eq!(
        problems.is_empty(),
        creditcast::ratecard::validate(&card).is_ok()
    );
    match RatingEngine::new(card.clone()) {
        Err(es) => {
            assert!(
                !problems.is_empty(),
                "engine refused a card with no problems"
            );
            assert!(!es.0.is_empty(), "an Err without any problem");
        }
        Ok(engine) => {
            assert!(
                problems.is_empty(),
                "engine accepted a card with problems: {problems:?}"
            );
            let out = serde_json::to_string(engine.card()).expect("a card serialises");
            let back = RateCard::from_json(&out)
                .unwrap_or_else(|e| panic!("rateCard() output is not a valid card: {e}\n{out}"));
            assert_eq!(back, card, "rate card JSON round trip");
            assert!(
                back.problems().is_empty(),
                "round-tripped card has problems"
            );
            smoke_rate(&engine);
        }
    }
}

/// One plausible event per service (and per carrier for messaging), rated and checked.
fn smoke_rate(engine: &RatingEngine) {
    let carriers: Vec<String> = engine
        .card()
        .carriers
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let mut events = Vec::new();
    for (id, s) in &engine.card().services {
        use creditcast::ratecard::ServiceKind as K;
        let base =
            |extra: &str| format!(r#"{{"service":{},"at":"2025-03-01"{extra}}}"#, json_str(id));
        match s.kind {
            K::Sms => {
                events.push(base(r#","text":"Hello there""#));
                events.push(base(r#","segments":3,"count":7,"direction":"inbound""#));
                for c in carriers.iter().take(4) {
                    events.push(base(&format!(r#","segments":2,"carrier":{}"#, json_str(c))));
                }
            }
            K::Mms => {
                events.push(base(""));
                for c in carriers.iter().take(4) {
                    events.push(base(&format!(r#","carrier":{},"count":3"#, json_str(c))));
                }
            }
            K::Voice => {
                events.push(base(r#","durationSeconds":61"#));
                events.push(base(r#","durationSeconds":"0""#));
                events.push(base(r#","durationSeconds":"3599.5","direction":"inbound""#));
            }
            K::Metered => {
                events.push(base(r#","quantity":"1500.25""#));
                events.push(base(""));
            }
        }
    }
    let parsed: Vec<UsageEvent<'_>> = events
        .iter()
        .filter_map(|t| creditcast::input::from_json(t).ok())
        .collect();
    check_events(engine, &parsed, &RateContext::default());
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Every option combination a caller can pass to `segmentMessage`.
pub fn all_segment_options() -> Vec<SegmentOptions> {
    let mut v = Vec::new();
    for smart_encoding in [false, true] {
        for trim_trailing_line_breaks in [false, true] {
            for encoding in [None, Some(Encoding::Gsm7), Some(Encoding::Ucs2)] {
                v.push(SegmentOptions {
                    smart_encoding,
                    trim_trailing_line_breaks,
                    encoding,
                });
            }
        }
    }
    v
}

/// Units one piece of billed text costs in an encoding.
fn units_of(text: &str, enc: Encoding) -> u32 {
    match enc {
        Encoding::Ucs2 => text.encode_utf16().count() as u32,
        Encoding::Gsm7 => text.chars().map(|c| u32::from(gsm7_septets(c))).sum(),
    }
}

/// `segment_message` and `count_segments` on one text with one set of options: they agree, and
/// the segments add up.
pub fn check_segments(text: &str, opts: &SegmentOptions) {
    let full = segment_message(text, opts);
    let count = count_segments(text, opts);
    let (m, c) = match (full, count) {
        (Ok(m), Ok(c)) => (m, c),
        (Err(a), Err(b)) => {
            assert_eq!(
                a.code, b.code,
                "the two functions fail differently: {a} / {b}"
            );
            return;
        }
        (a, b) => panic!("segment_message {a:?} but count_segments {b:?} ({opts:?})"),
    };
    assert_eq!(
        (m.encoding, m.segments, m.units),
        (c.encoding, c.segments, c.units),
        "segment_message and count_segments disagree ({opts:?})"
    );
    if let Some(forced) = opts.encoding {
        assert_eq!(m.encoding, forced, "forced encoding not used");
    }
    assert!(m.segments >= 1, "no segment at all");
    assert_eq!(m.per_segment_units.len(), m.segments as usize);
    assert_eq!(m.per_segment_text.len(), m.segments as usize);
    let capacity = if m.segments > 1 {
        m.encoding.multi_segment_units()
    } else {
        m.encoding.single_segment_units()
    };
    let mut sum = 0u32;
    for (i, (&u, t)) in m
        .per_segment_units
        .iter()
        .zip(&m.per_segment_text)
        .enumerate()
    {
        assert!(u <= capacity, "segment {i} holds {u} units > {capacity}");
        assert!(
            m.segments == 1 || u > 0,
            "empty segment {i} in a concatenated message"
        );
        assert_eq!(
            units_of(t, m.encoding),
            u,
            "segment {i}'s units do not match its text"
        );
        sum += u;
    }
    assert_eq!(sum, m.units, "per-segment units do not sum to units");
    assert_eq!(
        m.per_segment_text.concat(),
        m.text,
        "segments do not concatenate to the text"
    );
    assert_eq!(
        units_of(&m.text, m.encoding),
        m.units,
        "units do not match the billed text"
    );
    if m.encoding == Encoding::Gsm7 {
        assert!(
            m.text.chars().all(|ch| gsm7_septets(ch) > 0),
            "GSM-7 message with a non-GSM character"
        );
        assert!(m.non_gsm_characters.is_empty());
    } else if opts.encoding.is_none() {
        assert!(
            !m.non_gsm_characters.is_empty(),
            "automatic UCS-2 without naming the character that forced it"
        );
    }
    let last = m.per_segment_units.last().copied().unwrap_or(0);
    assert_eq!(m.units_left_in_last_segment, capacity.saturating_sub(last));
    match (&m.smart_encoding, opts.smart_encoding) {
        (Some(r), true) => assert_eq!(
            r.segments_saved,
            r.segments_without.saturating_sub(m.segments)
        ),
        (None, false) => {}
        (r, _) => panic!(
            "smart-encoding report {r:?} with smartEncoding {}",
            opts.smart_encoding
        ),
    }
    if opts.trim_trailing_line_breaks {
        assert!(
            !m.text.ends_with(['\n', '\r']),
            "trailing line break not trimmed"
        );
    }
    if !opts.smart_encoding && !opts.trim_trailing_line_breaks {
        assert_eq!(m.text, text, "billed text differs from the input");
    }
}

/// A charge contradicts nothing: total = usage + carrier fees, and the lines add up to them.
pub fn check_charge(c: &Charge) {
    let total = c.usage.0.checked_add(c.carrier_fees.0);
    assert_eq!(
        total,
        Some(c.total.0),
        "total != usage + carrierFees: {c:?}"
    );
    let mut usage = Decimal::ZERO;
    let mut fees = Decimal::ZERO;
    for l in &c.lines {
        let slot = if l.kind == LineKind::CarrierFee {
            &mut fees
        } else {
            &mut usage
        };
        *slot = slot.checked_add(l.amount.0).expect("line amounts overflow");
    }
    assert_eq!(usage, c.usage.0, "usage lines do not sum to usage: {c:?}");
    assert_eq!(
        fees, c.carrier_fees.0,
        "carrier-fee lines do not sum to carrierFees: {c:?}"
    );
    assert!(!c.carrier_fees.0.is_sign_negative() || c.carrier_fees.0.is_zero());
}

/// KNOWN ISSUE, reported (the two ignored tests in tests/regressions.rs): a voice call whose
/// billable seconds are not a multiple of 3 is a non-terminating number of minutes, so per-event
/// amounts are rounded at 28 digits, and sums grouped differently (the batch total in event
/// order, `byService` per service, usage and carrier fees as separate running sums) can differ in
/// the last digit. While it is open, such sums are compared to within their 26th significant
/// digit (at least 1e-20) so that the fuzzer can go on looking for other bugs; set this to
/// `false` once those tests pass.
const TOLERATE_LAST_DIGIT_SUMS: bool = false;

fn sum(mut it: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    it.try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
}

fn assert_same_sum(a: Decimal, b: Decimal, what: &str) {
    if a == b {
        return;
    }
    // The last of 28 significant digits: relative to the magnitude, at least 1e-20.
    let scale = a.abs().max(b.abs()).max(Decimal::ONE);
    let tolerance = scale
        .checked_mul(Decimal::new(1, 25))
        .unwrap_or(Decimal::MAX);
    let close = a
        .checked_sub(b)
        .is_some_and(|d| d.abs() <= tolerance.max(Decimal::new(1, 20)));
    assert!(TOLERATE_LAST_DIGIT_SUMS && close, "{what}: {a} != {b}");
}

fn check_batch(r: &BatchResult, n: usize) {
    assert_eq!(r.count, n as u64);
    match r.usage.0.checked_add(r.carrier_fees.0) {
        Some(sum) => assert_same_sum(sum, r.total.0, "batch total != usage + carrierFees"),
        None => panic!("batch usage + carrierFees overflows but the total did not"),
    }
    let mut events = 0;
    for st in r.by_service.values() {
        assert_eq!(st.usage.0.checked_add(st.carrier_fees.0), Some(st.total.0));
        events += st.events;
    }
    assert_eq!(events, r.count, "byService events do not sum to the count");
    // Grouped differently from the engine's running total, a sum may overflow where it did not.
    if let Some(total) = sum(r.by_service.values().map(|s| s.total.0)) {
        assert_same_sum(total, r.total.0, "byService totals do not sum to the total");
    }
    if let Some(fees) = sum(r.by_carrier.values().map(|c| c.amount.0)) {
        assert_same_sum(
            fees,
            r.carrier_fees.0,
            "byCarrier amounts do not sum to carrierFees",
        );
    }
    match &r.charges {
        Some(Charges::Full(cs)) => {
            assert_eq!(cs.len(), n);
            cs.iter().for_each(check_charge);
            let total = sum(cs.iter().map(|c| c.total.0));
            assert_eq!(
                total,
                Some(r.total.0),
                "charges do not sum to the batch total"
            );
        }
        Some(Charges::Totals(ts)) => {
            assert_eq!(ts.len(), n);
            assert_eq!(
                sum(ts.iter().map(|t| t.0)),
                Some(r.total.0),
                "totals do not sum to the total"
            );
        }
        None => {}
    }
}

/// Rate each event alone (with `ctx`) and the whole list as a batch with every `charges` option.
/// The batch options must agree with each other; a one-event batch equals the single quote.
pub fn check_events(engine: &RatingEngine, events: &[UsageEvent<'_>], ctx: &RateContext) {
    let mut singles = Vec::with_capacity(events.len());
    for ev in events {
        let r = engine.rate(ev, ctx);
        if let Ok(c) = &r {
            check_charge(c);
        }
        singles.push(r);
    }
    let full = engine.rate_batch(
        events,
        BatchOptions {
            charges: ChargeDetail::Full,
        },
    );
    let totals = engine.rate_batch(
        events,
        BatchOptions {
            charges: ChargeDetail::Totals,
        },
    );
    let none = engine.rate_batch(
        events,
        BatchOptions {
            charges: ChargeDetail::None,
        },
    );
    match (&full, &totals, &none) {
        (Ok(f), Ok(t), Ok(n)) => {
            check_batch(f, events.len());
            check_batch(t, events.len());
            check_batch(n, events.len());
            assert_eq!(
                (f.total, f.usage, f.carrier_fees),
                (t.total, t.usage, t.carrier_fees)
            );
            assert_eq!(
                (f.total, f.usage, f.carrier_fees),
                (n.total, n.usage, n.carrier_fees)
            );
            assert_eq!(f.by_service, n.by_service);
            assert_eq!(f.by_carrier, n.by_carrier);
        }
        (Err(a), Err(b), Err(c)) => {
            assert_eq!((a, a), (b, c), "batch options fail differently");
        }
        _ => panic!("batch options disagree: {full:?} / {totals:?} / {none:?}"),
    }
    // A batch of one with nothing used before is the single quote (same period rules).
    if ctx.used.is_empty() {
        for (ev, single) in events.iter().zip(&singles) {
            let one = engine.rate_batch(std::slice::from_ref(ev), BatchOptions::default());
            match (single, one) {
                (Ok(c), Ok(b)) => match b.charges {
                    Some(Charges::Full(cs)) => {
                        assert_eq!(cs.first(), Some(c), "batch of one != rate")
                    }
                    other => panic!("full charges missing: {other:?}"),
                },
                (Err(a), Err(b)) => {
                    assert_eq!(a.code, b.code, "batch of one fails differently from rate");
                }
                (a, b) => panic!("rate {a:?} but batch of one {b:?}"),
            }
        }
    }
}

/// Scenario text: parse, build the engine it names (or the default one), simulate. Only checks
/// that nothing panics and the result's own arithmetic holds.
pub fn check_simulate(text: &str) {
    use creditcast::account::{simulate, Scenario};
    let Ok(sc) = Scenario::from_json(text) else {
        return;
    };
    let owned;
    let engine = match &sc.rate_card {
        None => default_engine(),
        Some(card) => match RatingEngine::new(card.clone()) {
            Ok(e) => {
                owned = e;
                &owned
            }
            Err(_) => return,
        },
    };
    let Ok(r) = simulate(engine, &sc) else { return };
    let mut prev: Option<&creditcast::account::Statement> = None;
    for s in &r.statements {
        let closing = s.opening_balance.0 + s.purchases.0 + s.recharges.0 + s.settlement.0
            - s.usage.0
            - s.carrier_fees.0;
        assert_eq!(
            closing, s.closing_balance.0,
            "statement {} does not reconcile",
            s.month
        );
        assert_eq!(
            s.spend.0,
            s.usage.0 + s.carrier_fees.0,
            "spend != usage + carrier fees"
        );
        if let Some(p) = prev {
            assert_eq!(
                p.closing_balance, s.opening_balance,
                "statements do not chain"
            );
        }
        prev = Some(s);
    }
    if let Some(last) = r.statements.last() {
        assert_eq!(
            last.closing_balance, r.balance,
            "last statement closes at the balance"
        );
    }
    // Merged or not, each entry's balance follows from the one before and the last is the
    // balance.
    for w in r.ledger.windows(2) {
        if let Some(after) = w[0].balance_after.0.checked_add(w[1].amount.0) {
            assert_eq!(w[1].balance_after.0, after, "the ledger does not chain");
        }
    }
    if let Some(last) = r.ledger.last() {
        assert_eq!(
            last.balance_after, r.balance,
            "the ledger ends at the balance"
        );
    }
    serde_json::to_string(&r).expect("a simulation result serialises");
}

/// Largest projection a fuzz input may ask for: the documented limits (1,096 days, 10,000 paths)
/// are far beyond one input's time budget, so requests are clamped, not skipped.
const MAX_FUZZ_PATHS: u32 = 3;
const MAX_FUZZ_DAYS: u32 = 120;
const MAX_FUZZ_HOURLY_DAYS: u32 = 14;

/// Projection request text: parse, clamp, project. The summary adds up, and path 0 replayed
/// through `simulate` (`path_scenario`) gives exactly the projection's ledger, refusals,
/// invoices and statements, as `creditcast::projection` promises.
pub fn check_project(text: &str) {
    use creditcast::account::simulate;
    use creditcast::projection::{path_scenario, project, ProjectionRequest, Resolution};
    let Ok(mut req) = ProjectionRequest::from_json(text) else {
        return;
    };
    req.paths = req.paths.min(MAX_FUZZ_PATHS);
    req.days = req.days.min(match req.resolution {
        Resolution::Hour => MAX_FUZZ_HOURLY_DAYS,
        Resolution::Day => MAX_FUZZ_DAYS,
    });
    let owned;
    let engine = match &req.rate_card {
        None => default_engine(),
        Some(card) => match RatingEngine::new(card.clone()) {
            Ok(e) => {
                owned = e;
                &owned
            }
            Err(_) => return,
        },
    };
    let Ok(r) = project(engine, &req) else { return };
    let s = &r.summary;
    assert_eq!(
        s.usage.0.checked_add(s.carrier_fees.0),
        Some(s.total_spend.0),
        "totalSpend != usage + carrierFees"
    );
    if let Some(by_service) = sum(s.spend_by_service.values().map(|v| v.0)) {
        assert_same_sum(
            by_service,
            s.usage.0,
            "spendByService does not sum to usage",
        );
    }
    assert_eq!(r.series.t.len(), r.series.balance.len());
    assert!(
        s.lowest_balance.0 <= s.end_balance.0,
        "lowest balance above the end balance"
    );
    serde_json::to_string(&r).expect("a projection result serialises");
    let sc = path_scenario(engine, &req, 0).unwrap_or_else(|e| panic!("path_scenario: {e}"));
    let sim = simulate(engine, &sc).unwrap_or_else(|e| panic!("path 0's scenario fails: {e}"));
    assert_eq!(sim.ledger, r.ledger, "path 0 replayed: ledger differs");
    assert_eq!(sim.invoices, r.invoices, "path 0 replayed: invoices differ");
    assert_eq!(
        sim.statements, r.statements,
        "path 0 replayed: statements differ"
    );
    let listed = r.refused.len();
    assert_eq!(
        &sim.refused[..listed.min(sim.refused.len())],
        &r.refused[..],
        "path 0 replayed: refusals differ"
    );
    assert_eq!(
        sim.balance, s.end_balance,
        "path 0 replayed: end balance differs"
    );
}

/// A small request whose three pool jobs (project, compare, recommend) have paths that differ:
/// variation, failed payments, a low balance.
struct MergeCase {
    req: creditcast::projection::ProjectionRequest,
    variants: Vec<creditcast::projection::Variant>,
    goal: creditcast::projection::RechargeGoal,
    /// Per job: the bytes of paths 2..5 (run apart from paths 0..2).
    parts: [Vec<u8>; 3],
}

fn merge_case() -> &'static MergeCase {
    use creditcast::projection::{
        compare_paths, project_paths, recommend_paths, ProjectionRequest, RechargeGoal, Variant,
    };
    static CASE: OnceLock<MergeCase> = OnceLock::new();
    CASE.get_or_init(|| {
        let req = ProjectionRequest::from_json(
            r#"{ "account": { "openingBalance": "30", "plan": { "start": "2025-01-01" },
                 "autoRecharge": { "enabled": true, "threshold": "10", "amount": "25" } },
               "profile": { "services": { "sms": { "perDay": 700, "variation": 0.5 } },
                 "paymentFailureProbability": 0.2 },
               "start": "2025-01-20", "days": 20, "paths": 5, "seed": 9 }"#,
        )
        .expect("the merge case's request is valid");
        let variants = Variant::list_from_json(
            r#"[{ "label": "a" }, { "label": "b", "autoRecharge": { "enabled": false } }]"#,
        )
        .expect("valid variants");
        let goal = RechargeGoal::from_json(
            r#"{ "maxInterruptionProbability": 0.3, "thresholds": ["5", "15"], "amounts": ["20"] }"#,
        )
        .expect("a valid goal");
        let e = default_engine();
        let parts = [
            project_paths(e, &req, 2, 5).expect("paths 2..5"),
            compare_paths(e, &req, &variants, 2, 5).expect("compared paths 2..5"),
            recommend_paths(e, &req, &goal, 2, 5).expect("searched paths 2..5"),
        ];
        MergeCase {
            req,
            variants,
            goal,
            parts,
        }
    })
}

/// The bytes `ProjectionPool`'s workers send back, damaged: the first byte picks the job (and
/// whether the rest is taken as the bytes themselves); the rest is (position, xor) pairs applied
/// to the real bytes. Merging must give the one-thread result or an error, never a panic; the
/// undamaged bytes must give exactly the one-thread result.
pub fn check_merge(data: &[u8]) {
    use creditcast::projection::{
        compare, compare_local, compare_merge, project, project_local, project_merge,
        recommend_auto_recharge, recommend_local, recommend_merge,
    };
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let case = merge_case();
    let job = usize::from(head % 3);
    let bytes = if head & 0x80 != 0 {
        rest.to_vec()
    } else {
        let mut b = case.parts[job].clone();
        let n = b.len().max(1);
        for pair in rest.chunks_exact(3) {
            let at = usize::from(u16::from_le_bytes([pair[0], pair[1]]));
            if let Some(x) = b.get_mut(at % n) {
                *x ^= pair[2];
            }
        }
        b
    };
    let intact = bytes == case.parts[job];
    let (e, r) = (default_engine(), &case.req);
    let parts: [&[u8]; 1] = [&bytes];
    match job {
        0 => {
            let local = project_local(e, r, 2).expect("paths 0..2");
            let merged = project_merge(e, r, local, &parts);
            if intact {
                assert_eq!(merged.ok(), project(e, r).ok(), "merged projection differs");
            }
        }
        1 => {
            let local = compare_local(e, r, &case.variants, 2).expect("compared paths 0..2");
            let merged = compare_merge(e, r, &case.variants, local, &parts);
            if intact {
                assert_eq!(
                    merged.ok(),
                    compare(e, r, &case.variants).ok(),
                    "merged comparison differs"
                );
            }
        }
        _ => {
            let local = recommend_local(e, r, &case.goal, 2).expect("searched paths 0..2");
            let merged = recommend_merge(e, r, &case.goal, local, &parts);
            if intact {
                assert_eq!(
                    merged.ok(),
                    recommend_auto_recharge(e, r, &case.goal).ok(),
                    "merged recommendation differs"
                );
            }
        }
    }
}

/// Arbitrary bytes as packed refusals (`columns::unpack_refusals`, what `__refusalColumns` runs
/// on bytes from JS): an `INVALID_INPUT` error at the path given, or refusals that pack and
/// unpack again to the same fields, every decimal to the same bits; and their columns build.
pub fn check_packed_refusals(data: &[u8]) {
    use creditcast::columns::{pack_refusals, refusal_columns, unpack_refusals, Names};
    let refused = match unpack_refusals(data, "refused") {
        Ok(r) => r,
        Err(e) => {
            assert_eq!(e.code, creditcast::ErrorCode::InvalidInput);
            assert_eq!(e.path, "refused");
            return;
        }
    };
    let again =
        unpack_refusals(&pack_refusals(&refused), "refused").expect("repacked bytes unpack");
    let bits = |r: &creditcast::account::Refusal| {
        (
            r.at,
            r.event_index,
            r.service.to_string(),
            [
                r.amount.0.serialize(),
                r.balance.0.serialize(),
                r.pending_fees.0.serialize(),
            ],
            r.reason,
        )
    };
    assert_eq!(refused.len(), again.len());
    for (a, b) in refused.iter().zip(&again) {
        assert_eq!(bits(a), bits(b));
    }
    let c = refusal_columns(&refused, &mut Names::default());
    assert_eq!(c.numbers.len(), 3 * refused.len());
}

/// Arbitrary bytes as a `rateBatch` in column parts (what the JS entry writes, a part at a time,
/// for `__rateBatchPart`): events with any field bits, names, counts and strings of any bytes,
/// cut into parts anywhere. A part is an error with an event's path, or it reads; a batch whose
/// parts all read and rate gives what rating the whole list gives, and its JSON size adds up
/// over the parts to that of the whole list. Never a panic.
pub fn check_batch_parts(data: &[u8]) {
    use creditcast::columns::{field as f, EventColumns, JsonSize, Shape, STRIDE};
    const NAMES: [&str; 6] = ["sms", "att", "voiceLocal", "lookup", "tmobile", "fax"];
    let names: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    let mut bytes = data.iter().copied();
    let mut next = || bytes.next().unwrap_or(0);
    let n = usize::from(next() % 24);
    let (mut words, mut text, mut lens) = (Vec::new(), Vec::new(), Vec::new());
    // Per event: its first piece's index and its first text byte.
    let mut starts = Vec::new();
    for _ in 0..n {
        starts.push((lens.len(), text.len()));
        let w = u32::from_le_bytes([next(), next(), next() & 0x0f, 0]) & f::ALL;
        let ids = u32::from(next() % 7) | (u32::from(next() % 7) << 16);
        words.extend([w, ids, u32::from(next()), u32::from(next())]);
        for bit in [f::AT, f::TEXT, f::DURATION_SECONDS, f::QUANTITY, f::AMOUNT] {
            if w & bit != 0 {
                let len = usize::from(next() % 40);
                let piece: Vec<u8> = (0..len).map(|_| next()).collect();
                lens.push(piece.len() as u32);
                text.extend(piece);
            }
        }
    }
    starts.push((lens.len(), text.len()));
    let engine = default_engine();
    let opts = BatchOptions {
        charges: ChargeDetail::Totals,
    };
    let whole = EventColumns::new(Shape::Usage, &names, &words, &text, &lens);
    // Cut before the events the next bytes name.
    let mut cuts: Vec<usize> = (0..4).map(|_| usize::from(next()) % (n + 1)).collect();
    cuts.extend([0, n]);
    cuts.sort_unstable();
    cuts.dedup();
    let mut batch = engine.start_batch(n, opts).expect("a small batch");
    let mut size = JsonSize::default();
    let mut rated = Ok(());
    let mut all_read = true;
    for pair in cuts.windows(2) {
        let (&[a, b], Some(&(pa, ta)), Some(&(pb, tb))) =
            (pair, starts.get(pair[0]), starts.get(pair[1]))
        else {
            continue;
        };
        let part = EventColumns::part(
            Shape::Usage,
            &names,
            &words[a * STRIDE..b * STRIDE],
            &text[ta..tb],
            &lens[pa..pb],
            a,
        );
        match part {
            Err(e) => {
                assert!(e.path.is_empty() || e.path.starts_with('['), "{e:?}");
                all_read = false;
            }
            Ok(cols) => {
                size.add(&cols, 0, 0);
                size.scanned(&text[ta..tb]);
                if rated.is_ok() {
                    rated = cols.each_usage_event(|_, ev: &UsageEvent<'_>| {
                        engine.rate_next(&mut batch, ev)
                    });
                }
            }
        }
    }
    // The whole list reads exactly when every part does (the same checks, event by event).
    assert_eq!(whole.is_ok(), all_read, "{:?}", whole.as_ref().err());
    let Ok(whole) = whole else { return };
    let mut exact = JsonSize::default();
    exact.add(&whole, 0, 0);
    exact.scanned(&text);
    assert_eq!(size.bounds(), exact.bounds());
    let events = whole.usage_events().expect("checked columns read");
    let expected = engine.rate_batch(&events, opts);
    match rated {
        Ok(()) => assert_eq!(batch.finish(), expected),
        Err(e) => assert_eq!(Err(e), expected.map(drop)),
    }
}
