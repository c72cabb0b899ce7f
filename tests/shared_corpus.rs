//! The shared corpus (tests/shared/*.json) run natively. Each result is written to
//! target/shared-native/<name>.json; the Node test js-tests/shared.test.mjs runs the same inputs
//! through the WASM package and requires byte-identical JSON.

use creditcast::account::{simulate, Scenario};
use creditcast::rating::BatchOptions;
use creditcast::segments::{segment_message, SegmentOptions};
use creditcast::{RateCard, RatingEngine, UsageEvent};
use serde_json::Value;

fn run(fun: &str, input: &Value) -> String {
    let text = input.to_string();
    match fun {
        "simulate" => {
            let sc = Scenario::from_json(&text).unwrap();
            let card = sc.rate_card.clone().unwrap_or_else(RateCard::default_card);
            let engine = RatingEngine::new(card).unwrap();
            serde_json::to_string(&simulate(&engine, &sc).unwrap()).unwrap()
        }
        "rateBatch" => {
            let engine = RatingEngine::new(RateCard::default_card()).unwrap();
            let evs: Vec<UsageEvent> = creditcast::input::from_json(&text).unwrap();
            serde_json::to_string(&engine.rate_batch(&evs, BatchOptions::default()).unwrap())
                .unwrap()
        }
        "segmentMessage" => {
            let texts: Vec<String> = serde_json::from_value(input.clone()).unwrap();
            let out: Vec<_> = texts
                .iter()
                .map(|t| segment_message(t, &SegmentOptions::default()).unwrap())
                .collect();
            serde_json::to_string(&out).unwrap()
        }
        "project" => {
            let req = creditcast::projection::ProjectionRequest::from_json(&text).unwrap();
            let card = req.rate_card.clone().unwrap_or_else(RateCard::default_card);
            let engine = RatingEngine::new(card).unwrap();
            serde_json::to_string(&creditcast::projection::project(&engine, &req).unwrap()).unwrap()
        }
        other => panic!("unknown fn {other}"),
    }
}

#[test]
fn shared_corpus_runs_natively_and_is_recorded_for_the_wasm_comparison() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out_dir = format!("{root}/target/shared-native");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut n = 0;
    for entry in std::fs::read_dir(format!("{root}/tests/shared")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let fun = case["fn"].as_str().unwrap();
        let a = run(fun, &case["input"]);
        assert_eq!(a, run(fun, &case["input"]), "deterministic");
        let name = path.file_name().unwrap().to_str().unwrap();
        std::fs::write(format!("{out_dir}/{name}"), a).unwrap();
        n += 1;
    }
    assert!(n >= 4, "expected the shared corpus, found {n} cases");
}
