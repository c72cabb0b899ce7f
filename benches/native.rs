//! `make bench`, the native half: the same figures as the Node benchmark, measured in native
//! Rust on the same corpus (target/bench/events.json, written by bench/corpus.mjs). Writes
//! target/bench/native.json for the Node script's table.

use std::time::Instant;

use creditcast::rating::{BatchOptions, ChargeDetail};
use creditcast::{RateCard, RatingEngine, UsageEvent};

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..runs {
        let t0 = Instant::now();
        let v = f();
        best = best.min(t0.elapsed().as_secs_f64());
        out = Some(v);
    }
    (best, out.expect("at least one run"))
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let path = format!("{root}/target/bench/events.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}; run `node bench/corpus.mjs` first"));
    let engine = RatingEngine::new(RateCard::default_card()).expect("default card");
    let opts = BatchOptions {
        charges: ChargeDetail::Totals,
    };

    let events = UsageEvent::list_from_json(&text).expect("corpus parses");
    let n = events.len() as f64;
    let (t, r) = best(3, || engine.rate_batch(&events, opts).expect("rates"));
    let rate = n / t;
    println!(
        "native rate_batch: {} events in {:.0} ms = {:.0} events/s (total {})",
        events.len(),
        t * 1e3,
        rate,
        r.total
    );

    let (tj, _) = best(3, || {
        let evs = UsageEvent::list_from_json(&text).expect("corpus parses");
        engine.rate_batch(&evs, opts).expect("rates")
    });
    let rate_json = n / tj;
    println!(
        "native parse + rate_batch: {:.0} ms = {:.0} events/s",
        tj * 1e3,
        rate_json
    );

    let texts: Vec<&str> = events.iter().filter_map(|e| e.text.as_deref()).collect();
    let so = creditcast::segments::SegmentOptions::default();
    let (ts, _) = best(3, || {
        texts
            .iter()
            .map(|t| {
                creditcast::segments::count_segments(t, &so)
                    .map(|c| c.segments)
                    .unwrap_or(0) as u64
            })
            .sum::<u64>()
    });
    println!(
        "native count_segments: {:.0} messages/s",
        texts.len() as f64 / ts
    );

    let scenario_path = format!("{root}/target/bench/year-scenario.json");
    let scenario_text = std::fs::read_to_string(&scenario_path)
        .unwrap_or_else(|e| panic!("{scenario_path}: {e}; run `node bench/corpus.mjs` first"));
    let sc = creditcast::account::Scenario::from_json(&scenario_text).expect("scenario parses");
    let n_sim = sc.events.len() as f64;
    let (tsim, r) = best(3, || {
        creditcast::account::simulate(&engine, &sc).expect("simulates")
    });
    let sim_rate = n_sim / tsim;
    println!(
        "native simulate: {} events in {:.0} ms = {:.0} events/s (balance {})",
        sc.events.len(),
        tsim * 1e3,
        sim_rate,
        r.balance
    );

    let proj_path = format!("{root}/target/bench/projection.json");
    let proj_text = std::fs::read_to_string(&proj_path)
        .unwrap_or_else(|e| panic!("{proj_path}: {e}; run `node bench/corpus.mjs` first"));
    let v: serde_json::Value = serde_json::from_str(&proj_text).expect("projection requests");
    let hourly = creditcast::projection::ProjectionRequest::from_json(&v["hourly"].to_string())
        .expect("hourly");
    let daily = creditcast::projection::ProjectionRequest::from_json(&v["daily"].to_string())
        .expect("daily");
    let (th, _) = best(5, || {
        creditcast::projection::project(&engine, &hourly).expect("projects")
    });
    let (td, _) = best(2, || {
        creditcast::projection::project(&engine, &daily).expect("projects")
    });
    println!(
        "native project: 1 path hourly {:.1} ms, 1000 paths daily {:.0} ms",
        th * 1e3,
        td * 1e3
    );
    // The same 1,000 paths on every core, as ProjectionPool splits them: this thread runs
    // paths 0..share (path 0 in detail), the others a range each, then the merge.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    let (tp, pooled) = best(2, || project_threaded(&engine, &daily, threads));
    let one = creditcast::projection::project(&engine, &daily).expect("projects");
    assert!(
        pooled == one,
        "the threaded projection differs from project"
    );
    println!(
        "native project, 1000 paths daily on {threads} threads: {:.0} ms",
        tp * 1e3
    );

    let json = format!(
        "{{\"rateBatchEventsPerSec\":{rate:.0},\"rateBatchJsonEventsPerSec\":{rate_json:.0},\"countSegmentsPerSec\":{:.0},\"simulateEventsPerSec\":{sim_rate:.0},\"projectHourlyMs\":{:.3},\"projectDailyMs\":{:.3},\"projectDailyThreadedMs\":{:.3},\"threads\":{threads}}}",
        texts.len() as f64 / ts,
        th * 1e3,
        td * 1e3,
        tp * 1e3
    );
    std::fs::write(format!("{root}/target/bench/native.json"), json).expect("write native.json");
}

/// `project` with its paths split over `threads` threads the way `ProjectionPool` splits them.
fn project_threaded(
    engine: &creditcast::RatingEngine,
    req: &creditcast::projection::ProjectionRequest,
    threads: u32,
) -> creditcast::projection::ProjectionResult {
    use creditcast::projection::{project_local, project_merge, project_paths};
    let shares = threads.clamp(1, req.paths);
    let base = req.paths / shares;
    let mut longer = req.paths - base * shares;
    let mut ranges = Vec::new();
    let mut from = base;
    for _ in 1..shares {
        let to = from + base + u32::from(longer > 0);
        longer = longer.saturating_sub(1);
        ranges.push((from, to));
        from = to;
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|&(a, b)| s.spawn(move || project_paths(engine, req, a, b).expect("paths")))
            .collect();
        let local = project_local(engine, req, base).expect("local paths");
        let parts: Vec<Vec<u8>> = handles
            .into_iter()
            .map(|h| h.join().expect("a thread"))
            .collect();
        let slices: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        project_merge(engine, req, local, &slices).expect("merged")
    })
}
