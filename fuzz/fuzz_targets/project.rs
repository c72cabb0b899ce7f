//! Arbitrary bytes as a projection request: `creditcast::projection::ProjectionRequest::from_json`
//! and `project` (days and paths clamped to a fuzzing budget), then path 0 replayed through
//! `simulate` must give the same ledger, refusals, invoices and statements.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    creditcast_fuzz::check_project(&String::from_utf8_lossy(data));
});
