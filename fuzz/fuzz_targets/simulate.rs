//! Arbitrary bytes as a scenario: `creditcast::account::Scenario::from_json`, then `simulate`
//! with the card it names (or the default card). Nothing panics; statements reconcile and chain.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    creditcast_fuzz::check_simulate(&String::from_utf8_lossy(data));
});
