//! The GSM 03.38 default alphabet (3GPP TS 23.038 §6.2.1): which characters a GSM-7 message can
//! carry and how many septets each costs.
//!
//! The basic table has 128 positions, one of them the escape code 0x1B, so 127 characters at one
//! septet. The extension table is reached through that escape, so its characters cost two septets.
//! Only the extension characters every handset must support are accepted (form feed and
//! `^ { } \ [ ~ ] | €`); the national language shift tables are not.

/// Septets per character for U+0000..=U+00FF: 0 = not GSM-7, 1 = basic table, 2 = extension table.
/// Indexed by code point. Built at compile time from the table below so it cannot drift from it.
static LATIN1_SEPTETS: [u8; 256] = build_latin1_table();

/// Basic-table characters (one septet) below U+0100; the other ten are the Greek capitals in
/// [`septets`].
const BASIC_LATIN1: &str = "@£$¥èéùìòÇ\nØø\rÅå_ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// Extension-table characters (escape + one septet = two septets).
const EXTENSION: [char; 10] = ['\u{0C}', '^', '{', '}', '\\', '[', '~', ']', '|', '€'];

const fn build_latin1_table() -> [u8; 256] {
    let mut table = [0u8; 256];
    let bytes = BASIC_LATIN1.as_bytes();
    let mut i = 0;
    // Decode the (1- or 2-byte) UTF-8 of BASIC_LATIN1 by hand: `chars()` is not const.
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            table[b as usize] = 1;
            i += 1;
        } else {
            let cp = ((b as u32 & 0x1F) << 6) | (bytes[i + 1] as u32 & 0x3F);
            table[cp as usize] = 1;
            i += 2;
        }
    }
    let mut j = 0;
    while j < EXTENSION.len() {
        let cp = EXTENSION[j] as u32;
        if cp < 256 {
            table[cp as usize] = 2;
        }
        j += 1;
    }
    table
}

/// Septets `c` costs in GSM-7: 1 (basic table), 2 (extension table) or 0 (not GSM-7).
#[inline]
pub fn septets(c: char) -> u8 {
    let cp = c as u32;
    if cp < 0x100 {
        // `cp as u8` is lossless here and a u8 always indexes a 256-entry table.
        LATIN1_SEPTETS[cp as u8 as usize]
    } else {
        match c {
            'Δ' | 'Φ' | 'Γ' | 'Λ' | 'Ω' | 'Π' | 'Ψ' | 'Σ' | 'Θ' | 'Ξ' => 1,
            '€' => 2,
            _ => 0,
        }
    }
}

/// Septets for an ASCII byte (0 = not GSM-7). Non-ASCII bytes give 0 as well: decode them first.
#[inline]
pub fn septets_ascii(b: u8) -> u8 {
    if b < 0x80 {
        LATIN1_SEPTETS[usize::from(b)]
    } else {
        0
    }
}

/// Septets of the character whose UTF-8 starts at `bytes[i]`, and its length in bytes, read
/// straight from the bytes (no char decoding): ASCII and Latin-1 through the table, the Greek
/// capitals, `€`. Agrees with [`septets`] on every character (tested).
#[inline]
pub fn septets_at(bytes: &[u8], i: usize) -> (u8, usize) {
    let Some(&b0) = bytes.get(i) else {
        return (0, 1);
    };
    let b1 = bytes.get(i.saturating_add(1)).copied().unwrap_or(0);
    match b0 {
        0..=0x7F => (septets_ascii(b0), 1),
        // U+0080..=U+00FF: the code point fits in a byte.
        0xC2 | 0xC3 => (
            LATIN1_SEPTETS[usize::from(((b0 & 0x03) << 6) | (b1 & 0x3F))],
            2,
        ),
        // U+0380..=U+03BF: Greek capitals.
        0xCE => {
            let greek = matches!(
                b1 & 0x3F,
                0x13 | 0x14 | 0x18 | 0x1B | 0x1E | 0x20 | 0x23 | 0x26 | 0x28 | 0x29
            );
            (u8::from(greek), 2)
        }
        0xE2 => {
            let euro = b1 == 0x82 && bytes.get(i.saturating_add(2)) == Some(&0xAC);
            (if euro { 2 } else { 0 }, 3)
        }
        0x80..=0xDF => (0, 2),
        0xE0..=0xEF => (0, 3),
        _ => (0, 4),
    }
}

/// Whether `c` is in the basic or the extension table.
#[inline]
pub fn is_gsm7(c: char) -> bool {
    septets(c) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_table_has_127_characters_and_extension_table_10() {
        let basic = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| septets(c) == 1)
            .count();
        let ext = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| septets(c) == 2)
            .count();
        assert_eq!(basic, 127);
        assert_eq!(ext, 10);
        assert_eq!(BASIC_LATIN1.chars().count() + 10, 127);
    }

    #[test]
    fn byte_decoding_agrees_with_char_lookup_for_every_character() {
        let mut buf = [0u8; 4];
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            assert_eq!(septets_at(bytes, 0), (septets(c), c.len_utf8()), "{c:?}");
        }
    }

    #[test]
    fn cedilla_capital_only() {
        assert_eq!(septets('Ç'), 1);
        assert_eq!(septets('ç'), 0);
        assert_eq!(septets('`'), 0);
        assert_eq!(septets('\t'), 0);
        assert_eq!(septets('€'), 2);
        assert_eq!(septets('\u{0C}'), 2);
    }
}
