//! Arbitrary bytes as rate-card JSON: `RateCard::from_json`, `validate`, `RatingEngine::new`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The JS boundary always hands over a string; invalid UTF-8 cannot reach the engine.
    creditcast_fuzz::check_rate_card(&String::from_utf8_lossy(data));
});
