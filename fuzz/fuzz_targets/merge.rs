//! Damaged worker bytes for `ProjectionPool`'s merges (`project_merge`, `compare_merge`,
//! `recommend_merge`): the one-thread result or a clean error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    creditcast_fuzz::check_merge(data);
});
