//! SMS segments, rule by rule (PRODUCT.md §3), plus properties on arbitrary text.

use creditcast::input::from_json;
use creditcast::segments::{
    count_segments, segment_message, Encoding, Replacement, SegmentOptions, SegmentedMessage,
    MAX_MESSAGE_UNITS,
};
use creditcast::ErrorCode;
use proptest::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

fn auto() -> SegmentOptions {
    SegmentOptions::default()
}

fn seg(text: &str) -> SegmentedMessage {
    seg_with(text, &auto())
}

fn seg_with(text: &str, opts: &SegmentOptions) -> SegmentedMessage {
    let m = segment_message(text, opts).expect("segment_message");
    let c = count_segments(text, opts).expect("count_segments");
    assert_eq!(
        (c.encoding, c.segments, c.units),
        (m.encoding, m.segments, m.units),
        "{text:?}"
    );
    m
}

fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}

// --- GSM-7 -------------------------------------------------------------------------------------

#[test]
fn gsm7_one_segment_holds_160_septets_161_makes_two() {
    let m = seg(&rep("a", 160));
    assert_eq!((m.encoding, m.segments, m.units), (Encoding::Gsm7, 1, 160));
    let m = seg(&rep("a", 161));
    assert_eq!(m.segments, 2);
    assert_eq!(m.per_segment_units, [153, 8]);
}

#[test]
fn gsm7_parts_hold_153_septets() {
    assert_eq!(seg(&rep("a", 306)).per_segment_units, [153, 153]);
    assert_eq!(seg(&rep("a", 307)).per_segment_units, [153, 153, 1]);
    assert_eq!(seg(&rep("a", 459)).segments, 3);
    assert_eq!(seg(&rep("a", 460)).segments, 4);
}

#[test]
fn extension_characters_cost_two_septets() {
    for c in ["\u{0C}", "^", "{", "}", "\\", "[", "~", "]", "|", "€"] {
        let m = seg(c);
        assert_eq!((m.encoding, m.units), (Encoding::Gsm7, 2), "{c:?}");
    }
    assert_eq!(seg(&(rep("a", 158) + "€")).segments, 1);
    assert_eq!(seg(&(rep("a", 159) + "€")).segments, 2);
}

#[test]
fn an_escape_sequence_is_never_split_so_153_brackets_are_3_segments() {
    let m = seg(&rep("]", 153));
    assert_eq!(m.units, 306);
    assert_eq!(m.per_segment_units, [152, 152, 2]);
    // 80 brackets are exactly 160 septets: one segment.
    assert_eq!(seg(&rep("]", 80)).segments, 1);
    // A bracket at septet 153 moves to the next part whole.
    let m = seg(&(rep("a", 152) + "]" + &rep("a", 10)));
    assert_eq!(m.per_segment_units, [152, 12]);
    assert!(m.per_segment_text[1].starts_with(']'));
}

#[test]
fn capital_c_cedilla_is_gsm7_small_c_cedilla_is_not() {
    let m = seg("Ça va");
    assert_eq!((m.encoding, m.units), (Encoding::Gsm7, 5));
    let m = seg("ça va");
    assert_eq!((m.encoding, m.units), (Encoding::Ucs2, 5));
    assert_eq!(m.non_gsm_characters, ["ç"]);
}

#[test]
fn the_whole_basic_table_is_gsm7() {
    let basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    assert_eq!(basic.chars().count(), 127);
    let m = seg(basic);
    assert_eq!((m.encoding, m.units), (Encoding::Gsm7, 127));
    for c in ["`", "\t", "ç", "á", "Ñ\u{303}", "’", "\u{1B}", "\u{7F}"] {
        assert_eq!(seg(c).encoding, Encoding::Ucs2, "{c:?}");
    }
}

// --- UCS-2 -------------------------------------------------------------------------------------

#[test]
fn one_character_outside_the_tables_makes_the_whole_message_ucs2() {
    let m = seg(&(rep("a", 100) + "ж"));
    assert_eq!((m.encoding, m.units, m.segments), (Encoding::Ucs2, 101, 2));
    assert_eq!(m.non_gsm_characters, ["ж"]);
    // Extension characters are one unit in UCS-2.
    assert_eq!(seg("ж€]").units, 3);
}

#[test]
fn ucs2_one_segment_holds_70_units_parts_67() {
    assert_eq!(seg(&rep("ж", 70)).per_segment_units, [70]);
    assert_eq!(seg(&rep("ж", 71)).per_segment_units, [67, 4]);
    assert_eq!(seg(&rep("ж", 134)).per_segment_units, [67, 67]);
    assert_eq!(seg(&rep("ж", 135)).per_segment_units, [67, 67, 1]);
}

#[test]
fn an_emoji_outside_the_bmp_is_two_units_and_never_split() {
    let m = seg("😀");
    assert_eq!((m.encoding, m.units), (Encoding::Ucs2, 2));
    let m = seg(&(rep("ж", 66) + "😀" + &rep("ж", 10)));
    assert_eq!(m.per_segment_units, [66, 12]);
    assert_eq!(m.per_segment_text[1].chars().next(), Some('😀'));
    // Code points at the edges of the surrogate range.
    assert_eq!(seg("\u{D7FF}\u{E000}\u{FFFF}").units, 3);
    assert_eq!(seg("\u{10000}\u{10FFFF}").units, 4);
}

#[test]
fn a_zwj_family_is_not_split_at_the_67_unit_boundary() {
    let family = "👨\u{200D}👩\u{200D}👧\u{200D}👦";
    assert_eq!(family.encode_utf16().count(), 11);
    let m = seg(&(rep("ж", 60) + family + &rep("ж", 10)));
    assert_eq!(m.per_segment_units, [60, 21]);
    assert!(m.per_segment_text[1].starts_with(family));
    assert_eq!(m.non_gsm_characters, ["ж", family]);
}

#[test]
fn flags_stay_whole() {
    let m = seg(&(rep("ж", 66) + "🇺🇸🇫🇷"));
    assert_eq!(m.per_segment_units, [66, 8]);
    // A run of regional indicators pairs up from the start: 40 flags, 33 per part.
    let m = seg(&rep("🇺🇸", 40));
    assert_eq!(m.per_segment_units, [64, 64, 32]);
    assert!(m
        .per_segment_text
        .iter()
        .all(|t| t.chars().count() % 2 == 0));
}

#[test]
fn skin_tones_stay_with_their_emoji() {
    let m = seg(&(rep("ж", 65) + "👍🏽" + "ok"));
    assert_eq!(m.per_segment_units, [65, 6]);
    assert!(m.per_segment_text[1].starts_with("👍🏽"));
}

#[test]
fn a_letter_with_a_combining_mark_forces_ucs2_and_stays_whole() {
    let m = seg("cafe\u{301}");
    assert_eq!((m.encoding, m.units), (Encoding::Ucs2, 5));
    assert_eq!(m.non_gsm_characters, ["e\u{301}"]);
    let m = seg(&(rep("a", 66) + "e\u{301}" + &rep("a", 10)));
    assert_eq!(m.per_segment_units, [66, 12]);
}

#[test]
fn a_cluster_longer_than_a_part_is_cut_between_code_points() {
    // Deliberate difference from the reference, which leaves it whole and overflows the part.
    let zalgo = "e".to_string() + &rep("\u{301}", 100);
    let m = seg(&zalgo);
    assert_eq!(m.per_segment_units, [67, 34]);
    // It starts a new part rather than filling the previous one.
    let m = seg(&("hello ж".to_string() + &zalgo));
    assert_eq!(m.per_segment_units, [7, 67, 34]);
}

// --- Line breaks, empty -----------------------------------------------------------------------

#[test]
fn cr_lf_counts_as_two_characters() {
    let m = seg("a\r\nb");
    assert_eq!((m.encoding, m.units), (Encoding::Gsm7, 4));
    assert_eq!(seg("ж\r\n").units, 3);
}

#[test]
fn cr_lf_may_end_up_in_two_parts_as_the_reference_counts_it() {
    // The reference (and the carriers it models) treat CR and LF as two separate characters.
    let m = seg(&(rep("a", 152) + "\r\n" + &rep("b", 10)));
    assert_eq!(m.per_segment_units, [153, 11]);
    assert!(m.per_segment_text[0].ends_with('\r'));
    let m = seg(&(rep("ж", 66) + "\r\n" + &rep("ж", 5)));
    assert_eq!(m.per_segment_units, [67, 6]);
}

#[test]
fn an_empty_message_is_one_segment() {
    let m = seg("");
    assert_eq!((m.encoding, m.segments, m.units), (Encoding::Gsm7, 1, 0));
    assert_eq!(m.per_segment_units, [0]);
    assert_eq!(m.per_segment_text, [""]);
    assert_eq!(m.units_left_in_last_segment, 160);
}

#[test]
fn units_left_in_the_last_segment() {
    assert_eq!(seg(&rep("a", 10)).units_left_in_last_segment, 150);
    assert_eq!(seg(&rep("a", 161)).units_left_in_last_segment, 145);
    assert_eq!(seg(&rep("ж", 71)).units_left_in_last_segment, 63);
}

#[test]
fn trailing_line_breaks_are_trimmed_only_when_asked() {
    let trim = SegmentOptions {
        trim_trailing_line_breaks: true,
        ..auto()
    };
    assert_eq!(seg("hi\n\r\n").units, 5);
    let m = seg_with("\nhi\n\r\n", &trim);
    assert_eq!((m.units, m.text.as_str()), (3, "\nhi"));
    assert_eq!(seg_with(&(rep("a", 160) + "\n"), &trim).segments, 1);
    assert_eq!(seg_with("\r\n", &trim).per_segment_units, [0]);
}

// --- Smart encoding ----------------------------------------------------------------------------

#[test]
fn smart_encoding_replaces_look_alikes_and_reports_the_saving() {
    let smart = SegmentOptions {
        smart_encoding: true,
        ..auto()
    };
    let text = "“Hi” — it’s ready…".to_string() + &rep("a", 150);
    let m = seg_with(&text, &smart);
    assert_eq!(m.encoding, Encoding::Gsm7);
    assert!(m.text.starts_with("\"Hi\" - it's ready..."));
    let report = m.smart_encoding.expect("report");
    let r = |from: &str, to: &str, count| Replacement {
        from: from.into(),
        to: to.into(),
        count,
    };
    assert_eq!(
        report.replacements,
        [
            r("“", "\"", 1),
            r("”", "\"", 1),
            r("—", "-", 1),
            r("’", "'", 1),
            r("…", "...", 1)
        ]
    );
    assert_eq!(report.encoding_without, Encoding::Ucs2);
    assert_eq!(
        (report.segments_without, m.segments, report.segments_saved),
        (3, 2, 1)
    );
    // Off by default.
    assert_eq!(seg(&text).encoding, Encoding::Ucs2);
    assert!(seg(&text).smart_encoding.is_none());
}

#[test]
fn smart_encoding_can_cost_more_and_then_saves_nothing() {
    // As in the reference map, a no-break space becomes two spaces.
    let smart = SegmentOptions {
        smart_encoding: true,
        ..auto()
    };
    let m = seg_with(&("ж".to_string() + &rep("\u{A0}", 69)), &smart);
    let report = m.smart_encoding.expect("report");
    assert_eq!(
        (report.segments_without, m.segments, report.segments_saved),
        (1, 3, 0)
    );
    assert_eq!(
        report.replacements,
        [Replacement {
            from: "\u{A0}".into(),
            to: "  ".into(),
            count: 69
        }]
    );
}

#[test]
fn smart_encoding_report_is_present_even_when_nothing_is_replaced() {
    let smart = SegmentOptions {
        smart_encoding: true,
        ..auto()
    };
    let report = seg_with("plain", &smart).smart_encoding.expect("report");
    assert!(report.replacements.is_empty());
    assert_eq!((report.segments_without, report.segments_saved), (1, 0));
}

// --- Forced encoding, limits, options ---------------------------------------------------------

#[test]
fn forced_gsm7_on_a_non_gsm_text_is_an_error_naming_the_character() {
    let gsm = SegmentOptions {
        encoding: Some(Encoding::Gsm7),
        ..auto()
    };
    for e in [
        segment_message("Merci ça va", &gsm).unwrap_err(),
        count_segments("Merci ça va", &gsm).unwrap_err(),
    ] {
        assert_eq!(e.code, ErrorCode::NotGsm7);
        assert_eq!(e.path, "text");
        assert!(e.message.contains("\"ç\" (U+00E7)"), "{}", e.message);
    }
    let e = count_segments("cafe\u{301}", &gsm).unwrap_err();
    assert!(e.message.contains("U+0065 U+0301"), "{}", e.message);
    // Forced GSM-7 on a GSM-7 text is the same as automatic.
    assert_eq!(seg_with("hello €", &gsm).units, 8);
    // Smart encoding runs first: what is billed is GSM-7.
    let both = SegmentOptions {
        smart_encoding: true,
        ..gsm
    };
    let m = seg_with("it’s", &both);
    assert_eq!(m.encoding, Encoding::Gsm7);
    let report = m.smart_encoding.expect("report");
    assert_eq!(report.encoding_without, Encoding::Ucs2);
}

#[test]
fn forced_ucs2_counts_utf16_units() {
    let ucs2 = SegmentOptions {
        encoding: Some(Encoding::Ucs2),
        ..auto()
    };
    let m = seg_with("hello €", &ucs2);
    assert_eq!((m.encoding, m.units), (Encoding::Ucs2, 7));
    assert!(m.non_gsm_characters.is_empty());
    assert_eq!(seg_with(&rep("a", 71), &ucs2).per_segment_units, [67, 4]);
}

#[test]
fn a_message_longer_than_the_limit_is_refused() {
    assert_eq!(MAX_MESSAGE_UNITS, 100_000);
    assert_eq!(seg(&rep("a", MAX_MESSAGE_UNITS)).segments, 654);
    assert_eq!(seg(&rep("😀", MAX_MESSAGE_UNITS / 2)).units, 100_000);
    for text in [
        rep("a", MAX_MESSAGE_UNITS + 1),
        rep("😀", MAX_MESSAGE_UNITS / 2 + 1),
    ] {
        for e in [
            segment_message(&text, &auto()).unwrap_err(),
            count_segments(&text, &auto()).unwrap_err(),
        ] {
            assert_eq!(
                (e.code, e.path.as_str()),
                (ErrorCode::MessageTooLong, "text")
            );
        }
    }
    // 100,000 bytes of 3-byte characters is far below the limit.
    assert_eq!(seg(&rep("ж", 40_000)).units, 40_000);
}

#[test]
fn long_runs_of_flags_and_marks_are_fast_enough() {
    // Worst cases for grapheme look-back: one long run of regional indicators, one huge cluster.
    let start = std::time::Instant::now();
    assert_eq!(seg(&rep("🇦", MAX_MESSAGE_UNITS / 2)).segments, 1563);
    assert_eq!(
        seg(&("e".to_string() + &rep("\u{301}", MAX_MESSAGE_UNITS - 1))).segments,
        1493
    );
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

#[test]
fn options_read_from_json() {
    let o: SegmentOptions = from_json(r#"{"encoding":"auto"}"#).unwrap();
    assert_eq!(o, SegmentOptions::default());
    let o: SegmentOptions =
        from_json(r#"{"encoding":"GSM-7","smartEncoding":true,"trimTrailingLineBreaks":true}"#)
            .unwrap();
    assert_eq!(
        o,
        SegmentOptions {
            smart_encoding: true,
            trim_trailing_line_breaks: true,
            encoding: Some(Encoding::Gsm7)
        }
    );
    let o: SegmentOptions = from_json(r#"{"encoding":"UCS-2"}"#).unwrap();
    assert_eq!(o.encoding, Some(Encoding::Ucs2));
    let e = from_json::<SegmentOptions>(r#"{"encoding":"utf8"}"#).unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (ErrorCode::InvalidValue, "encoding")
    );
    let e = from_json::<SegmentOptions>(r#"{"smartencoding":true}"#).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownField);
}

#[test]
fn serializes_in_camel_case() {
    let v = serde_json::to_value(seg("hi")).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "encoding": "GSM-7", "segments": 1, "units": 2, "perSegmentUnits": [2],
            "perSegmentText": ["hi"], "unitsLeftInLastSegment": 158, "nonGsmCharacters": [],
            "text": "hi"
        })
    );
    let smart = SegmentOptions {
        smart_encoding: true,
        ..auto()
    };
    let v = serde_json::to_value(seg_with("a’", &smart)).unwrap();
    assert_eq!(
        v["smartEncoding"],
        serde_json::json!({
            "replacements": [{"from": "’", "to": "'", "count": 1}],
            "segmentsWithout": 1, "segmentsSaved": 0, "encodingWithout": "UCS-2"
        })
    );
}

// --- Properties ----------------------------------------------------------------------------------

/// Pieces that exercise every rule: GSM-7 basic and extension characters, CR/LF, non-GSM letters,
/// astral emoji, ZWJ, skin tones, flags, combining marks, Indic conjuncts, Hangul jamo, look-alikes.
const PIECES: &[&str] = &[
    "a",
    "Z",
    " ",
    "0",
    "@",
    "Ç",
    "é",
    "Δ",
    "€",
    "]",
    "{",
    "^",
    "\\",
    "\u{0C}",
    "\r",
    "\n",
    "\r\n",
    "ç",
    "ж",
    "中",
    "😀",
    "👍",
    "🏽",
    "\u{200D}",
    "👩",
    "❤️",
    "\u{FE0F}",
    "🇺",
    "🇸",
    "\u{301}",
    "\u{308}",
    "क",
    "्",
    "ष",
    "\u{1100}",
    "\u{1161}",
    "\u{11A8}",
    "\u{600}",
    "’",
    "“",
    "—",
    "…",
    "\u{A0}",
    "\t",
    "`",
    "\u{E0067}",
    "🏴",
];

fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(proptest::sample::select(PIECES), 0..260)
            .prop_map(|v| v.concat()),
        ".{0,300}",
        "[a-z €\\]ж😀\u{301}\r\n]{0,400}",
    ]
}

fn options() -> impl Strategy<Value = SegmentOptions> {
    (
        any::<bool>(),
        any::<bool>(),
        prop_oneof![
            Just(None),
            Just(Some(Encoding::Gsm7)),
            Just(Some(Encoding::Ucs2))
        ],
    )
        .prop_map(
            |(smart_encoding, trim_trailing_line_breaks, encoding)| SegmentOptions {
                smart_encoding,
                trim_trailing_line_breaks,
                encoding,
            },
        )
}

fn units_of(text: &str, encoding: Encoding) -> u32 {
    match encoding {
        Encoding::Gsm7 => text
            .chars()
            .map(|c| u32::from(creditcast::segments::gsm7_septets(c)))
            .sum(),
        Encoding::Ucs2 => text.encode_utf16().count() as u32,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn both_paths_agree_and_segments_are_consistent(text in message(), opts in options()) {
        let full = segment_message(&text, &opts);
        let count = count_segments(&text, &opts);
        let (m, c) = match (full, count) {
            (Ok(m), Ok(c)) => (m, c),
            (Err(a), Err(b)) => {
                prop_assert_eq!(&a, &b);
                prop_assert_eq!(a.code, ErrorCode::NotGsm7);
                prop_assert_eq!(opts.encoding, Some(Encoding::Gsm7));
                return Ok(());
            }
            (a, b) => return Err(TestCaseError::fail(format!("{a:?} vs {b:?}"))),
        };
        prop_assert_eq!((c.encoding, c.segments, c.units), (m.encoding, m.segments, m.units));
        prop_assert_eq!(m.per_segment_units.len(), m.segments as usize);
        prop_assert_eq!(m.per_segment_text.len(), m.segments as usize);
        prop_assert_eq!(m.per_segment_units.iter().sum::<u32>(), m.units);
        prop_assert_eq!(m.per_segment_text.concat(), m.text.clone());
        prop_assert_eq!(units_of(&m.text, m.encoding), m.units);
        let capacity = match (m.encoding, m.segments) {
            (e, 1) => e.single_segment_units(),
            (e, _) => e.multi_segment_units(),
        };
        for (t, &u) in m.per_segment_text.iter().zip(&m.per_segment_units) {
            prop_assert!(u <= capacity);
            prop_assert_eq!(units_of(t, m.encoding), u);
            if m.segments > 1 {
                prop_assert!(!t.is_empty());
            }
        }
        prop_assert_eq!(m.units_left_in_last_segment, capacity - m.per_segment_units.last().copied().unwrap_or(0));
        if m.encoding == Encoding::Gsm7 {
            prop_assert!(m.text.chars().all(|c| creditcast::segments::gsm7_septets(c) > 0));
        }
        // The characters that forced UCS-2: every non-GSM cluster, once, in first-seen order.
        let mut naive: Vec<String> = Vec::new();
        if m.encoding == Encoding::Ucs2 {
            for g in m.text.graphemes(true) {
                let mut cs = g.chars();
                let gsm = g == "\r\n" || matches!((cs.next(), cs.next()), (Some(c), None) if creditcast::segments::gsm7_septets(c) > 0);
                if !gsm && !naive.iter().any(|n| n == g) {
                    naive.push(g.to_string());
                }
            }
        }
        prop_assert_eq!(&m.non_gsm_characters, &naive);
        // The packed form the JS entry unpacks says the same as the full result.
        if opts == SegmentOptions::default() {
            let p = creditcast::segments::segment_packed(&text).unwrap();
            let n = m.segments as usize;
            prop_assert_eq!(&p[..5], &[u32::from(m.encoding == Encoding::Ucs2), m.segments, m.units, m.units_left_in_last_segment, m.non_gsm_characters.len() as u32][..]);
            prop_assert_eq!(&p[5..5 + n], &m.per_segment_units[..]);
            let lens: Vec<u32> = m.per_segment_text.iter().map(|t| t.encode_utf16().count() as u32).collect();
            prop_assert_eq!(&p[5 + n..5 + 2 * n], &lens[..]);
            let utf16: Vec<u16> = text.encode_utf16().collect();
            for (k, c) in m.non_gsm_characters.iter().enumerate() {
                let (a, l) = (p[5 + 2 * n + 2 * k] as usize, p[5 + 2 * n + 2 * k + 1] as usize);
                prop_assert_eq!(String::from_utf16(&utf16[a..a + l]).unwrap(), c.clone());
            }
        }
        // Every cut is a cluster boundary, between CR and LF, or inside a cluster too long for a part.
        let mut cut = 0;
        for t in &m.per_segment_text[..m.per_segment_text.len() - 1] {
            cut += t.len();
            let ok = m.text.grapheme_indices(true).any(|(i, g)| {
                i == cut || (g == "\r\n" && i + 1 == cut)
                    || (i < cut && cut < i + g.len() && g.encode_utf16().count() as u32 > capacity)
            });
            prop_assert!(ok, "cut at byte {} of {:?}", cut, m.text);
        }
    }
}
