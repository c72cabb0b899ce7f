//! Eight bytes at a time in a `u64` ("SIMD within a register"): the fast path of the scans.
//!
//! The release profile optimises for size (`opt-level = "s"`), under which the compiler does not
//! vectorise byte loops, so the common case — runs of ASCII — is written with explicit word
//! arithmetic. Every function here is checked against the per-character tables in tests.

/// `0x01` in every byte.
const LO: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte.
const HI: u64 = LO << 7;

/// Load 8 bytes at `i`, if there are 8.
#[inline]
pub fn load(bytes: &[u8], i: usize) -> Option<u64> {
    let chunk = bytes.get(i..i.checked_add(8)?)?;
    <[u8; 8]>::try_from(chunk).ok().map(u64::from_le_bytes)
}

/// Up to 8 bytes at `i` (zero-padded) and how many there are; `None` at the end.
#[inline]
pub fn load_upto8(bytes: &[u8], i: usize) -> Option<(u64, usize)> {
    if let Some(word) = load(bytes, i) {
        return Some((word, 8));
    }
    let rest = bytes.get(i..).filter(|r| !r.is_empty())?;
    let mut buf = [0u8; 8];
    buf.iter_mut().zip(rest).for_each(|(d, &s)| *d = s);
    Some((u64::from_le_bytes(buf), rest.len().min(8)))
}

/// Mask of the lanes below `n` (0..=8).
#[inline]
fn lanes_below(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (n * 8)).wrapping_sub(1)
    }
}

/// High bit set in each byte `>= n`. Exact for bytes below 0x80 and `n <= 0x80`: every byte is
/// lifted to `0x80 + b` first, so no subtraction borrows across bytes.
#[inline]
fn ge(x: u64, n: u8) -> u64 {
    (x | HI).wrapping_sub(LO.wrapping_mul(u64::from(n))) & HI
}

/// High bit set in each byte equal to `c` (bytes and `c` below 0x80).
#[inline]
fn eq(x: u64, c: u8) -> u64 {
    !ge(x ^ LO.wrapping_mul(u64::from(c)), 1) & HI
}

/// Per-lane septets (1 or 2) of the leading bytes of `x`, among its first `lanes`, that are
/// GSM-7 ASCII characters, and how many of them there are. The first other byte — not ASCII, or
/// ASCII outside the GSM 03.38 tables — is left to the per-character path.
///
/// Lanes at and after a byte with its high bit set may be misclassified (the comparisons look at
/// the low 7 bits), but only lanes before the first such byte are used, and no comparison
/// borrows across lanes.
#[inline]
pub fn gsm7_costs(x: u64, lanes: usize) -> (usize, u64) {
    // Most words are 0x20..=0x5A and 0x61..=0x7A only: all basic table, one septet each.
    let unusual = (x & HI) | (!ge(x, 0x20) & HI) | (ge(x, 0x5B) & !ge(x, 0x61)) | ge(x, 0x7B);
    if unusual == 0 && lanes >= 8 {
        return (8, LO);
    }
    let form_feed = eq(x, 0x0C);
    let control = !ge(x, 0x20) & HI;
    let allowed_control = eq(x, b'\n') | eq(x, b'\r') | form_feed;
    let beyond = !lanes_below(lanes) & HI;
    let bad = (x & HI) | (control & !allowed_control) | eq(x, b'`') | eq(x, 0x7F) | beyond;
    // Extension table: [ \ ] ^ (0x5B..=0x5E), { | } ~ (0x7B..=0x7E), form feed.
    let ext = (ge(x, 0x5B) & !ge(x, 0x5F)) | (ge(x, 0x7B) & !ge(x, 0x7F)) | form_feed;
    // Little-endian: the first byte in memory is the lowest lane.
    let good = if bad == 0 {
        8
    } else {
        (bad.trailing_zeros() / 8) as usize
    };
    (good, LO.wrapping_add(ext >> 7) & lanes_below(good))
}

/// Per-lane UTF-16 units of the first `lanes` bytes of UTF-8 in `x`: 1 at a character start
/// (not `10xxxxxx`), 2 at a 4-byte lead (`11110xxx`), 0 on continuation bytes.
#[inline]
pub fn utf16_costs(x: u64, lanes: usize) -> u64 {
    let continuation = x & !(x << 1) & HI;
    let four_byte_lead = x & (x << 1) & (x << 2) & (x << 3) & HI;
    ((!continuation & HI) >> 7).wrapping_add(four_byte_lead >> 7) & lanes_below(lanes)
}

/// Sum of per-lane costs (each lane at most 2).
#[inline]
pub fn sum(costs: u64) -> usize {
    (costs.wrapping_mul(LO) >> 56) as usize
}

/// The first lane at which the running total of `costs` exceeds `room` (which the total does,
/// and `room < 16`), and the total before that lane.
#[inline]
pub fn first_over(costs: u64, room: usize) -> (usize, usize) {
    // Lane k of the product is the total of lanes 0..=k (at most 16: no carry between lanes).
    let running = costs.wrapping_mul(LO);
    let limit = u8::try_from(room.saturating_add(1))
        .unwrap_or(u8::MAX)
        .min(0x80);
    let over = ge(running, limit);
    let lane = (over.trailing_zeros() / 8).min(7) as usize;
    let before = if lane == 0 {
        0
    } else {
        ((running >> ((lane - 1) * 8)) & 0xFF) as usize
    };
    (lane, before)
}

/// UTF-16 code units of 8 bytes of UTF-8: one per character start (not `10xxxxxx`), one more per
/// 4-byte lead (`11110xxx`).
#[inline]
pub fn utf16_units(x: u64) -> usize {
    sum(utf16_costs(x, 8))
}

/// Whether 8 bytes are printable ASCII other than the backtick: nothing smart encoding replaces.
#[inline]
pub fn plain_printable_ascii(x: u64) -> bool {
    x & HI == 0 && (!ge(x, 0x20) & HI) == 0 && eq(x, b'`') == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word_with(b: u8, at: usize, fill: u8) -> u64 {
        let mut w = [fill; 8];
        w[at] = b;
        u64::from_le_bytes(w)
    }

    /// Reference: per-lane septets from the table, up to the first byte that is not GSM-7 ASCII.
    fn costs_by_table(w: [u8; 8], lanes: usize) -> (usize, u64) {
        let mut costs = [0u8; 8];
        for (i, &b) in w.iter().enumerate().take(lanes) {
            let cost = if b < 0x80 {
                super::super::gsm::septets_ascii(b)
            } else {
                0
            };
            if cost == 0 {
                return (i, u64::from_le_bytes(costs));
            }
            costs[i] = cost;
        }
        (lanes, u64::from_le_bytes(costs))
    }

    #[test]
    fn gsm7_costs_agree_with_the_table_for_every_byte_in_every_lane() {
        for fill in [b'a', b']', b'\n', 0xC3, 0x80] {
            for at in 0..8 {
                for b in 0..=255u8 {
                    let mut w = [fill; 8];
                    w[at] = b;
                    for lanes in [8, at + 1, at] {
                        let got = gsm7_costs(u64::from_le_bytes(w), lanes);
                        assert_eq!(got, costs_by_table(w, lanes), "{w:02x?} {lanes}");
                    }
                }
            }
        }
    }

    #[test]
    fn gsm7_costs_and_cuts_agree_with_the_table_on_random_words() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Bias towards the interesting bytes: controls, ASCII, the extension range, high bytes.
            let w = seed.to_le_bytes().map(|b| match b % 4 {
                0 => b & 0x1F,
                1 => 0x58 + (b & 0x0F),
                2 => 0x78 + (b & 0x0F),
                _ => b,
            });
            let lanes = (seed >> 61) as usize + 1;
            let (good, costs) = gsm7_costs(u64::from_le_bytes(w), lanes);
            assert_eq!((good, costs), costs_by_table(w, lanes), "{w:02x?}");
            let per_lane = costs.to_le_bytes();
            let total: usize = per_lane.iter().map(|&c| usize::from(c)).sum();
            assert_eq!(sum(costs), total);
            for room in 0..total {
                let mut run = 0;
                let lane = per_lane.iter().position(|&c| {
                    run += usize::from(c);
                    run > room
                });
                let lane = lane.expect("total exceeds room");
                let before: usize = per_lane[..lane].iter().map(|&c| usize::from(c)).sum();
                assert_eq!(
                    first_over(costs, room),
                    (lane, before),
                    "{per_lane:?} room {room}"
                );
            }
        }
    }

    #[test]
    fn utf16_costs_agree_with_std() {
        for s in [
            "abcdefgh",
            "жжжж",
            "😀😀",
            "a😀bжc",
            "€€ab😀",
            "\u{10FFFF}\u{FFFF}a",
            "ab€жx",
        ] {
            let bytes = s.as_bytes();
            for lanes in 1..=bytes.len().min(8) {
                let (w, _) = load_upto8(&bytes[..lanes], 0).expect("bytes");
                let expected: usize = bytes[..lanes]
                    .iter()
                    .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
                    .sum();
                assert_eq!(sum(utf16_costs(w, lanes)), expected, "{s} {lanes}");
            }
            let w = load(bytes, 0).expect("8 bytes");
            let head = std::str::from_utf8(&bytes[..8]).expect("boundary");
            assert_eq!(utf16_units(w), head.encode_utf16().count(), "{s}");
        }
    }

    #[test]
    fn plain_printable_ascii_excludes_controls_backtick_and_non_ascii() {
        assert!(plain_printable_ascii(u64::from_le_bytes(*b"Hello, w")));
        for b in [0u8, b'\t', b'\n', 0x1F, b'`', 0x80, 0xE2] {
            assert!(!plain_printable_ascii(word_with(b, 3, b'a')), "{b:#04x}");
        }
        assert!(plain_printable_ascii(word_with(0x7F, 3, b'a')));
    }
}
