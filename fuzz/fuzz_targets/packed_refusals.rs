//! Bytes for `__refusalColumns` (a projection's packed refusals, which JS hands back to the
//! core): refusals or a clean error, never a panic; what unpacks packs and unpacks again to the
//! same refusals, bit for bit.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    creditcast_fuzz::check_packed_refusals(data);
});
