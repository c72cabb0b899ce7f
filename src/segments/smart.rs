//! Smart encoding: look-alike characters replaced with GSM-7 equivalents so that a message that is
//! GSM-7 in spirit is billed as GSM-7.
//!
//! The map is the one of the reference calculator (`sms-segments-calculator` 1.3.0,
//! `src/libs/SmartEncodingMap.ts`, which emulates Twilio's Smart Encoding), entry for entry, sorted by
//! code point so that it can be binary-searched. Its quirks are kept on purpose, so that both
//! agree on every message: a no-break space becomes *two* spaces, a tab seven, and some
//! invisible characters are dropped. The differential test checks every entry against the
//! reference.

use std::borrow::Cow;

use super::swar;

/// `(look-alike, GSM-7 replacement)`, sorted by code point, one entry per character.
pub const SMART_ENCODING_MAP: &[(char, &str)] = &[
    ('\u{0000}', ""),        // NULL
    ('\u{0003}', ""),        // END OF TEXT
    ('\u{0004}', ""),        // END OF TRANSMISSION
    ('\u{0009}', "       "), // TAB (7 spaces based on print statement in Python interpreter)
    ('\u{0010}', ""),        // ESCAPE, DATA LINK (not visible)
    ('\u{0011}', ""),        // DEVICE CONTROL ONE
    ('\u{0012}', ""),        // DEVICE CONTROL TWO
    ('\u{0013}', ""),        // DEVICE CONTROL THREE
    ('\u{0014}', ""),        // DEVICE CONTROL FOUR
    ('\u{0017}', ""),        // END OF TRANSMISSION BLOCK
    ('\u{0019}', ""),        // END OF MEDIUM
    ('\u{0060}', "'"),       // GRAVE ACCENT
    ('\u{0080}', "  "),      // C1 CONTROL CODES
    ('\u{008D}', "  "), // REVERSE LINE FEED (standard LF looks like \n, this looks like a space)
    ('\u{0090}', "  "), // DEVICE CONTROL STRING
    ('\u{009B}', "  "), // CONTROL SEQUENCE INTRODUCER
    ('\u{009F}', "  "), // <control>
    ('\u{00A0}', "  "), // NO-BREAK SPACE
    ('\u{00AB}', "\""), // LEFT-POINTING DOUBLE ANGLE QUOTATION MARK
    ('\u{00B4}', "'"),  // ACUTE ACCENT
    ('\u{00BB}', "\""), // RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK
    ('\u{00BC}', "1/4"), // VULGAR FRACTION ONE QUARTER
    ('\u{00BD}', "1/2"), // VULGAR FRACTION ONE HALF
    ('\u{00BE}', "3/4"), // VULGAR FRACTION THREE QUARTERS
    ('\u{00F7}', "/"),  // DIVISION SIGN
    ('\u{01C3}', "!"),  // LATIN LETTER RETROFLEX CLICK
    ('\u{0262}', "G"),  // LATIN LETTER SMALL CAPITAL G
    ('\u{026A}', "I"),  // LATIN LETTER SMALL CAPITAL I
    ('\u{0274}', "N"),  // LATIN LETTER SMALL CAPITAL N
    ('\u{0280}', "R"),  // LATIN LETTER SMALL CAPITAL R
    ('\u{028F}', "Y"),  // LATIN LETTER SMALL CAPITAL Y
    ('\u{0299}', "B"),  // LATIN LETTER SMALL CAPITAL B
    ('\u{029C}', "H"),  // LATIN LETTER SMALL CAPITAL H
    ('\u{029F}', "L"),  // LATIN LETTER SMALL CAPITAL L
    ('\u{02B9}', "'"),  // MODIFIER LETTER PRIME
    ('\u{02BA}', "\""), // MODIFIER LETTER DOUBLE PRIME
    ('\u{02BB}', "'"),  // MODIFIER LETTER TURNED COMMA
    ('\u{02BC}', "'"),  // MODIFIER LETTER APOSTROPHE
    ('\u{02BD}', "'"),  // MODIFIER LETTER REVERSED COMMA
    ('\u{02C6}', "^"),  // MODIFIER LETTER CIRCUMFLEX ACCENT
    ('\u{02C8}', "'"),  // MODIFIER LETTER VERTICAL LINE
    ('\u{02CA}', "'"),  // MODIFIER LETTER ACUTE ACCENT
    ('\u{02CB}', "'"),  // MODIFIER LETTER GRAVE ACCENT
    ('\u{02D0}', ":"),  // MODIFIER LETTER TRIANGULAR COLON
    ('\u{02D6}', "+"),  // MODIFIER LETTER PLUS SIGN
    ('\u{02DC}', "~"),  // SMALL TILDE
    ('\u{02EE}', "\""), // MODIFIER LETTER DOUBLE APOSTROPHE
    ('\u{02F7}', "~"),  // MODIFIER LETTER LOW TILDE
    ('\u{02F8}', ":"),  // MODIFIER LETTER RAISED COLON
    ('\u{0302}', "^"),  // COMBINING CIRCUMFLEX ACCENT
    ('\u{0303}', "~"),  // COMBINING TILDE
    ('\u{0313}', "'"),  // COMBINING COMMA ABOVE
    ('\u{0314}', "'"),  // COMBINING REVERSED COMMA ABOVE
    ('\u{0326}', ","),  // COMBINING COMMA BELOW
    ('\u{0330}', "~"),  // COMBINING TILDE BELOW
    ('\u{0332}', "_"),  // COMBINING LOW LINE
    ('\u{0334}', "~"),  // COMBINING TILDE OVERLAY
    ('\u{0337}', "/"),  // COMBINING SHORT SOLIDUS OVERLAY
    ('\u{0338}', "/"),  // COMBINING LONG SOLIDUS OVERLAY
    ('\u{0347}', "="),  // COMBINING EQUALS SIGN BELOW
    ('\u{1D00}', "A"),  // LATIN LETTER SMALL CAPITAL A
    ('\u{1D04}', "C"),  // LATIN LETTER SMALL CAPITAL C
    ('\u{1D05}', "D"),  // LATIN LETTER SMALL CAPITAL D
    ('\u{1D07}', "E"),  // LATIN LETTER SMALL CAPITAL E
    ('\u{1D0A}', "J"),  // LATIN LETTER SMALL CAPITAL J
    ('\u{1D0B}', "K"),  // LATIN LETTER SMALL CAPITAL K
    ('\u{1D0D}', "M"),  // LATIN LETTER SMALL CAPITAL M
    ('\u{1D0F}', "O"),  // LATIN LETTER SMALL CAPITAL O
    ('\u{1D18}', "P"),  // LATIN LETTER SMALL CAPITAL P
    ('\u{1D1B}', "T"),  // LATIN LETTER SMALL CAPITAL T
    ('\u{1D1C}', "U"),  // LATIN LETTER SMALL CAPITAL U
    ('\u{1D20}', "V"),  // LATIN LETTER SMALL CAPITAL V
    ('\u{1D21}', "W"),  // LATIN LETTER SMALL CAPITAL W
    ('\u{1D22}', "Z"),  // LATIN LETTER SMALL CAPITAL Z
    ('\u{1DCD}', "^"),  // COMBINING DOUBLE CIRCUMFLEX ABOVE
    ('\u{2000}', "  "), // EN QUAD
    ('\u{2001}', " "),  // Whitespace: Medium Mathematical Space
    ('\u{2002}', "  "), // EN SPACE
    ('\u{2003}', "  "), // EM SPACE
    ('\u{2004}', "  "), // THREE-PER-EM SPACE
    ('\u{2005}', "  "), // FOUR-PER-EM SPACE
    ('\u{2006}', "  "), // SIX-PER-EM SPACE
    ('\u{2007}', "  "), // FIGURE SPACE
    ('\u{2008}', "  "), // PUNCTUATION SPACE
    ('\u{2009}', "  "), // THIN SPACE
    ('\u{200A}', "  "), // HAIR SPACE
    ('\u{200B}', ""),   // ZERO WIDTH SPACE
    ('\u{200C}', ""),   // ZERO WIDTH NON-JOINER
    ('\u{2010}', "-"),  // HYPHEN
    ('\u{2013}', "-"),  // EN DASH
    ('\u{2014}', "-"),  // EM DASH
    ('\u{2015}', "-"),  // HORIZONTAL BAR
    ('\u{2017}', "_"),  // DOUBLE LOW LINE
    ('\u{2018}', "'"),  // LEFT SINGLE QUOTATION MARK
    ('\u{2019}', "'"),  // RIGHT SINGLE QUOTATION MARK
    ('\u{201A}', ","),  // SINGLE LOW-9 QUOTATION MARK
    ('\u{201B}', "'"),  // SINGLE HIGH-REVERSED-9 QUOTATION MARK
    ('\u{201C}', "\""), // LEFT DOUBLE QUOTATION MARK
    ('\u{201D}', "\""), // RIGHT DOUBLE QUOTATION MARK
    ('\u{201E}', "\""), // DOUBLE LOW-9 QUOTATION MARK
    ('\u{201F}', "\""), // DOUBLE HIGH-REVERSED-9 QUOTATION MARK
    ('\u{2022}', "-"),  // Bullet
    ('\u{2026}', "..."), // Whitespace: Narrow No-Break Space
    ('\u{2028}', " "),  // Whitespace: Line Separator
    ('\u{2029}', " "),  // Whitespace: Paragraph Separator
    ('\u{202F}', "  "), // NARROW NO-BREAK SPACE
    ('\u{2039}', "<"),  // Single left-pointing angle quotation mark
    ('\u{203A}', ">"),  // Single right-pointing angle quotation mark
    ('\u{203C}', "!!"), // Double exclamation mark
    ('\u{2043}', "-"),  // HYPHEN BULLET
    ('\u{2044}', "/"),  // FRACTION SLASH
    ('\u{204E}', "*"),  // LOW ASTERISK
    ('\u{204F}', ";"),  // REVERSED SEMICOLON
    ('\u{205F}', "  "), // MEDIUM MATHEMATICAL SPACE
    ('\u{2060}', ""),   // WORD JOINER
    ('\u{20D2}', "|"),  // COMBINING LONG VERTICAL LINE OVERLAY
    ('\u{20D3}', "|"),  // COMBINING SHORT VERTICAL LINE OVERLAY
    ('\u{20E5}', "\\"), // COMBINING REVERSE SOLIDUS OVERLAY
    ('\u{2215}', "/"),  // DIVISION SLASH
    ('\u{2217}', "*"),  // ASTERISK OPERATOR
    ('\u{2223}', "|"),  // DIVIDES
    ('\u{223C}', "~"),  // TILDE OPERATOR
    ('\u{229B}', "*"),  // CIRCLED ASTERISK OPERATOR
    ('\u{239C}', "|"),  // LEFT PARENTHESIS EXTENSION
    ('\u{239F}', "|"),  // RIGHT PARENTHESIS EXTENSION
    ('\u{23B8}', "|"),  // LEFT VERTICAL BOX LINE
    ('\u{23B9}', "|"),  // RIGHT VERTICAL BOX LINE
    ('\u{23BC}', "-"),  // HORIZONTAL SCAN LINE-7
    ('\u{23BD}', "-"),  // HORIZONTAL SCAN LINE-9
    ('\u{23D0}', "|"),  // VERTICAL LINE EXTENSION
    ('\u{2722}', "*"),  // FOUR TEARDROP-SPOKED ASTERISK
    ('\u{2723}', "*"),  // FOUR BALLOON-SPOKED ASTERISK
    ('\u{2724}', "*"),  // HEAVY FOUR BALLOON-SPOKED ASTERISK
    ('\u{2725}', "*"),  // FOUR CLUB-SPOKED ASTERISK
    ('\u{2731}', "*"),  // HEAVY ASTERISK
    ('\u{2732}', "*"),  // OPEN CENTRE ASTERISK
    ('\u{2733}', "*"),  // EIGHT SPOKED ASTERISK
    ('\u{273A}', "*"),  // SIXTEEN POINTED ASTERISK
    ('\u{273B}', "*"),  // TEARDROP-SPOKED ASTERISK
    ('\u{273C}', "*"),  // OPEN CENTRE TEARDROP-SPOKED ASTERISK
    ('\u{273D}', "*"),  // HEAVY TEARDROP-SPOKED ASTERISK
    ('\u{2743}', "*"),  // HEAVY TEARDROP-SPOKED PINWHEEL ASTERISK
    ('\u{2749}', "*"),  // BALLOON-SPOKED ASTERISK
    ('\u{274A}', "*"),  // EIGHT TEARDROP-SPOKED PROPELLER ASTERISK
    ('\u{274B}', "*"),  // HEAVY EIGHT TEARDROP-SPOKED PROPELLER ASTERISK
    ('\u{275B}', "'"),  // HEAVY SINGLE TURNED COMMA QUOTATION MARK ORNAMENT
    ('\u{275C}', "'"),  // HEAVY SINGLE COMMA QUOTATION MARK ORNAMENT
    ('\u{275D}', "\""), // HEAVY DOUBLE TURNED COMMA QUOTATION MARK ORNAMENT
    ('\u{275E}', "\""), // HEAVY DOUBLE COMMA QUOTATION MARK ORNAMENT
    ('\u{2768}', "("),  // MEDIUM LEFT PARENTHESIS ORNAMENT
    ('\u{2769}', ")"),  // MEDIUM RIGHT PARENTHESIS ORNAMENT
    ('\u{276A}', "("),  // MEDIUM FLATTENED LEFT PARENTHESIS ORNAMENT
    ('\u{276B}', ")"),  // MEDIUM FLATTENED RIGHT PARENTHESIS ORNAMENT
    ('\u{2774}', "{"),  // MEDIUM LEFT CURLY BRACKET ORNAMENT
    ('\u{2775}', "}"),  // MEDIUM RIGHT CURLY BRACKET ORNAMENT
    ('\u{27EE}', "("),  // MATHEMATICAL LEFT FLATTENED PARENTHESIS
    ('\u{27EF}', ")"),  // MATHEMATICAL RIGHT FLATTENED PARENTHESIS
    ('\u{2982}', ":"),  // Z NOTATION TYPE COLON
    ('\u{2985}', "("),  // LEFT WHITE PARENTHESIS
    ('\u{2986}', ")"),  // RIGHT WHITE PARENTHESIS
    ('\u{29C6}', "*"),  // SQUARED ASTERISK
    ('\u{29F5}', "\\"), // REVERSE SOLIDUS OPERATOR
    ('\u{29F8}', "/"),  // BIG SOLIDUS
    ('\u{29F9}', "\\"), // BIG REVERSE SOLIDUS
    ('\u{3000}', "  "), // IDEOGRAHPIC SPACE
    ('\u{3001}', ","),  // IDEOGRAPHIC COMMA
    ('\u{3002}', "."),  // IDEOGRAPHIC FULL STOP
    ('\u{301D}', "\""), // REVERSED DOUBLE PRIME QUOTATION MARK
    ('\u{301E}', "\""), // DOUBLE PRIME QUOTATION MARK
    ('\u{A730}', "F"),  // LATIN LETTER SMALL CAPITAL F
    ('\u{A731}', "S"),  // LATIN LETTER SMALL CAPITAL S
    ('\u{A789}', ":"),  // MODIFIER LETTER COLON
    ('\u{A78A}', "="),  // MODIFIER LETTER SHORT EQUALS SIGN
    ('\u{FE10}', "'"),  // PRESENTATION FORM FOR VERTICAL COMMA
    ('\u{FE11}', "'"),  // PRESENTATION FORM FOR VERTICAL IDEOGRAPHIC COMMA
    ('\u{FE13}', ":"),  // PRESENTATION FORM FOR VERTICAL COLON
    ('\u{FE14}', ";"),  // PRESENTATION FORM FOR VERTICAL SEMICOLON
    ('\u{FE15}', "!"),  // PRESENTATION FORM FOR VERTICAL EXLAMATION MARK
    ('\u{FE16}', "?"),  // PRESENTATION FORM FOR VERTICAL QUESTION MARK
    ('\u{FE50}', ","),  // SMALL COMMA
    ('\u{FE51}', ","),  // SMALL IDEOGRAPHIC COMMA
    ('\u{FE52}', "."),  // SMALL FULL STOP
    ('\u{FE54}', ";"),  // SMALL SEMICOLON
    ('\u{FE56}', "?"),  // SMALL QUESTION MARK
    ('\u{FE57}', "!"),  // SMALL EXCLAMATION MARK
    ('\u{FE59}', "("),  // SMALL LEFT PARENTHESIS
    ('\u{FE5A}', ")"),  // SMALL RIGHT PARENTHESIS
    ('\u{FE5B}', "{"),  // SMALL LEFT CURLY BRACKET
    ('\u{FE5C}', "}"),  // SMALL RIGHT CURLY BRACKET
    ('\u{FE5F}', "#"),  // SMALL NUMBER SIGN
    ('\u{FE60}', "&"),  // SMALL AMPERSAND
    ('\u{FE61}', "*"),  // SMALL ASTERISK
    ('\u{FE62}', "+"),  // SMALL PLUS SIGN
    ('\u{FE63}', "-"),  // SMALL HYPHEN-MINUS
    ('\u{FE64}', "<"),  // SMALL LESS-THAN SIGN
    ('\u{FE65}', ">"),  // SMALL GREATER-THAN SIGN
    ('\u{FE66}', "="),  // SMALL EQUALS SIGN
    ('\u{FE68}', "\\"), // SMALL REVERSE SOLIDUS
    ('\u{FE69}', "$"),  // SMALL DOLLAR SIGN
    ('\u{FE6A}', "%"),  // SMALL PERCENT SIGN
    ('\u{FE6B}', "@"),  // SMALL COMMERCIAL AT
    ('\u{FEFF}', ""),   // ZERO WIDTH NO-BREAK SPACE
    ('\u{FF01}', "!"),  // FULLWIDTH EXCLAMATION MARK
    ('\u{FF02}', "\""), // FULLWIDTH QUOTATION MARK
    ('\u{FF03}', "#"),  // FULLWIDTH NUMBER SIGN
    ('\u{FF04}', "$"),  // FULLWIDTH DOLLAR SIGN
    ('\u{FF05}', "%"),  // FULLWIDTH PERCENT SIGN
    ('\u{FF06}', "&"),  // FULLWIDTH AMPERSAND
    ('\u{FF07}', "'"),  // FULLWIDTH APOSTROPHE
    ('\u{FF08}', "("),  // FULLWIDTH LEFT PARENTHESIS
    ('\u{FF09}', ")"),  // FULLWIDTH RIGHT PARENTHESIS
    ('\u{FF0A}', "*"),  // FULLWIDTH ASTERISK
    ('\u{FF0B}', "+"),  // FULLWIDTH PLUS SIGN
    ('\u{FF0C}', ","),  // FULLWIDTH COMMA
    ('\u{FF0D}', "-"),  // FULLWIDTH HYPHEN-MINUS
    ('\u{FF0E}', "."),  // FULLWIDTH FULL STOP
    ('\u{FF0F}', "/"),  // FULLWIDTH SOLIDUS
    ('\u{FF10}', "0"),  // FULLWIDTH DIGIT ZERO
    ('\u{FF11}', "1"),  // FULLWIDTH DIGIT ONE
    ('\u{FF12}', "2"),  // FULLWIDTH DIGIT TWO
    ('\u{FF13}', "3"),  // FULLWIDTH DIGIT THREE
    ('\u{FF14}', "4"),  // FULLWIDTH DIGIT FOUR
    ('\u{FF15}', "5"),  // FULLWIDTH DIGIT FIVE
    ('\u{FF16}', "6"),  // FULLWIDTH DIGIT SIX
    ('\u{FF17}', "7"),  // FULLWIDTH DIGIT SEVEN
    ('\u{FF18}', "8"),  // FULLWIDTH DIGIT EIGHT
    ('\u{FF19}', "9"),  // FULLWIDTH DIGIT NINE
    ('\u{FF1A}', ":"),  // FULLWIDTH COLON
    ('\u{FF1B}', ";"),  // FULLWIDTH SEMICOLON
    ('\u{FF1C}', "<"),  // FULLWIDTH LESS-THAN SIGN
    ('\u{FF1D}', "="),  // FULLWIDTH EQUALS SIGN
    ('\u{FF1E}', ">"),  // FULLWIDTH GREATER-THAN SIGN
    ('\u{FF1F}', "?"),  // FULLWIDTH QUESTION MARK
    ('\u{FF20}', "@"),  // FULLWIDTH COMMERCIAL AT
    ('\u{FF21}', "A"),  // FULLWIDTH LATIN CAPITAL LETTER A
    ('\u{FF22}', "B"),  // FULLWIDTH LATIN CAPITAL LETTER B
    ('\u{FF23}', "C"),  // FULLWIDTH LATIN CAPITAL LETTER C
    ('\u{FF24}', "D"),  // FULLWIDTH LATIN CAPITAL LETTER D
    ('\u{FF25}', "E"),  // FULLWIDTH LATIN CAPITAL LETTER E
    ('\u{FF26}', "F"),  // FULLWIDTH LATIN CAPITAL LETTER F
    ('\u{FF27}', "G"),  // FULLWIDTH LATIN CAPITAL LETTER G
    ('\u{FF28}', "H"),  // FULLWIDTH LATIN CAPITAL LETTER H
    ('\u{FF29}', "I"),  // FULLWIDTH LATIN CAPITAL LETTER I
    ('\u{FF2A}', "J"),  // FULLWIDTH LATIN CAPITAL LETTER J
    ('\u{FF2B}', "K"),  // FULLWIDTH LATIN CAPITAL LETTER K
    ('\u{FF2C}', "L"),  // FULLWIDTH LATIN CAPITAL LETTER L
    ('\u{FF2D}', "M"),  // FULLWIDTH LATIN CAPITAL LETTER M
    ('\u{FF2E}', "N"),  // FULLWIDTH LATIN CAPITAL LETTER N
    ('\u{FF2F}', "O"),  // FULLWIDTH LATIN CAPITAL LETTER O
    ('\u{FF30}', "P"),  // FULLWIDTH LATIN CAPITAL LETTER P
    ('\u{FF31}', "Q"),  // FULLWIDTH LATIN CAPITAL LETTER Q
    ('\u{FF32}', "R"),  // FULLWIDTH LATIN CAPITAL LETTER R
    ('\u{FF33}', "S"),  // FULLWIDTH LATIN CAPITAL LETTER S
    ('\u{FF34}', "T"),  // FULLWIDTH LATIN CAPITAL LETTER T
    ('\u{FF35}', "U"),  // FULLWIDTH LATIN CAPITAL LETTER U
    ('\u{FF36}', "V"),  // FULLWIDTH LATIN CAPITAL LETTER V
    ('\u{FF37}', "W"),  // FULLWIDTH LATIN CAPITAL LETTER W
    ('\u{FF38}', "X"),  // FULLWIDTH LATIN CAPITAL LETTER X
    ('\u{FF39}', "Y"),  // FULLWIDTH LATIN CAPITAL LETTER Y
    ('\u{FF3A}', "Z"),  // FULLWIDTH LATIN CAPITAL LETTER Z
    ('\u{FF3B}', "["),  // FULLWIDTH LEFT SQUARE BRACKET
    ('\u{FF3C}', "\\"), // FULLWIDTH REVERSE SOLIDUS
    ('\u{FF3D}', "]"),  // FULLWIDTH RIGHT SQUARE BRACKET
    ('\u{FF3E}', "^"),  // FULLWIDTH CIRCUMFLEX ACCENT
    ('\u{FF3F}', "_"),  // FULLWIDTH LOW LINE
    ('\u{FF5B}', "{"),  // FULLWIDTH LEFT CURLY BRACKET
    ('\u{FF5C}', "|"),  // FULLWIDTH VERTICAL LINE
    ('\u{FF5D}', "}"),  // FULLWIDTH RIGHT CURLY BRACKET
    ('\u{FF5E}', "~"),  // FULLWIDTH TILDE
    ('\u{FF61}', "."),  // HALFWIDTH IDEOGRAPHIC FULL STOP
    ('\u{FF64}', ","),  // HALFWIDTH IDEOGRAPHIC COMMA
];

/// ASCII characters that have an entry (bit `n` set for U+00nn): the check for ASCII text, which
/// is most text, costs one shift instead of a search.
const ASCII_KEYS: u128 = ascii_keys();

const fn ascii_keys() -> u128 {
    let mut mask = 0u128;
    let mut i = 0;
    while i < SMART_ENCODING_MAP.len() {
        let cp = SMART_ENCODING_MAP[i].0 as u32;
        if cp < 128 {
            mask |= 1u128 << cp;
        }
        i += 1;
    }
    mask
}

/// The replacement for `c`, if smart encoding replaces it.
#[inline]
pub fn replacement(c: char) -> Option<&'static str> {
    let cp = c as u32;
    if cp < 128 && ASCII_KEYS & (1u128 << cp) == 0 {
        return None;
    }
    SMART_ENCODING_MAP
        .binary_search_by_key(&c, |&(from, _)| from)
        .ok()
        .and_then(|i| SMART_ENCODING_MAP.get(i))
        .map(|&(_, to)| to)
}

/// `text` with every mapped character replaced; borrowed when nothing is replaced.
pub fn apply(text: &str) -> Cow<'_, str> {
    let Some(first) = first_replaced(text) else {
        return Cow::Borrowed(text);
    };
    let (head, tail) = text.split_at(first);
    let mut out = String::with_capacity(text.len().saturating_add(16));
    out.push_str(head);
    for c in tail.chars() {
        match replacement(c) {
            Some(to) => out.push_str(to),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Byte offset of the first character smart encoding replaces. Skips 8 bytes at a time when
/// they are printable ASCII other than the backtick (no entry there); other characters are
/// decoded at their lead byte only.
fn first_replaced(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if swar::load(bytes, i).is_some_and(swar::plain_printable_ascii) {
            i = i.saturating_add(8);
            continue;
        }
        let hit = if b < 0x80 {
            ASCII_KEYS & (1u128 << b) != 0
        } else {
            b >= 0xC0
                && text
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .is_some_and(|c| replacement(c).is_some())
        };
        if hit {
            return Some(i);
        }
        i = i.saturating_add(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_is_sorted_unique_and_every_replacement_is_gsm7() {
        assert_eq!(SMART_ENCODING_MAP.len(), 271);
        for w in SMART_ENCODING_MAP.windows(2) {
            if let [a, b] = w {
                assert!(a.0 < b.0, "{:?} before {:?}", a.0, b.0);
            }
        }
        for &(from, to) in SMART_ENCODING_MAP {
            assert!(
                to.chars().all(super::super::gsm::is_gsm7),
                "{from:?} -> {to:?}"
            );
            assert_eq!(replacement(from), Some(to));
        }
    }

    #[test]
    fn apply_borrows_when_nothing_changes() {
        assert!(matches!(apply("plain text"), Cow::Borrowed(_)));
        assert_eq!(apply("“hi”…\u{A0}x"), "\"hi\"...  x");
    }
}
