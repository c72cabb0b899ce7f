//! Arbitrary UTF-16 (little-endian pairs of bytes) as an SMS text. A JS string crosses into WASM
//! as UTF-8 with every lone surrogate replaced by U+FFFD, which is `String::from_utf16_lossy`.
//! Every option combination; `segment_message` and `count_segments` must agree and add up.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let units: Vec<u16> = data
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let text = String::from_utf16_lossy(&units);
    for opts in creditcast_fuzz::all_segment_options() {
        creditcast_fuzz::check_segments(&text, &opts);
    }
});
