//! Bytes as a `rateBatch` in column parts (`__rateBatchPart`): a part reads or is an error with a
//! path; parts that read and rate give what the whole list gives, their JSON sizes add up to the
//! whole's; never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    creditcast_fuzz::check_batch_parts(data);
});
