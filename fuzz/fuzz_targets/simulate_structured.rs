//! Structured scenarios (see `ScenarioInput` in `src/structured.rs`): mostly well-formed accounts
//! and time-ordered events of every type, so that the replay itself (refusals, recharges, caps,
//! payment failures, month ends, deferred fees) is what gets fuzzed, not the JSON parser.
#![no_main]
use creditcast_fuzz::structured::ScenarioInput;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: ScenarioInput| {
    creditcast_fuzz::check_simulate(&input.to_json());
});
