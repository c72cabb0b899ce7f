//! SMS segmentation as carriers bill it (PRODUCT.md §3).
//!
//! A message is GSM-7 when every character is in the GSM 03.38 tables, UCS-2 otherwise. One
//! segment holds 160 septets or 70 UTF-16 code units; a longer message is cut into parts of at
//! most 153 septets or 67 units (the rest of each part is the concatenation header). A cut never
//! falls inside an escape sequence, a surrogate pair or a grapheme cluster — except inside a
//! cluster that is itself longer than a part, which is cut between code points.
//!
//! [`count_segments`] is the hot path of rating: no allocation (unless smart encoding actually
//! replaces something), one byte scan that also packs GSM-7 parts, and grapheme rules consulted
//! only at the few places where a UCS-2 message longer than one segment is cut.
//! [`segment_message`] returns the full picture for a UI. Both fill parts with the same code; the
//! tests also check that they agree on every corpus message and on arbitrary text.
//!
//! The public reference is the npm package `sms-segments-calculator`; `docs/segments-differences.md`
//! lists where we deliberately differ from it, and `tests/segments_differential.rs` checks that
//! nothing else does.

mod gsm;
mod smart;
mod swar;

use std::borrow::Cow;

use icu_segmenter::GraphemeClusterSegmenter;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode};

pub use smart::SMART_ENCODING_MAP;

/// Longest message accepted, in UTF-16 code units of the input (before smart encoding).
pub const MAX_MESSAGE_UNITS: usize = 100_000;

/// Septets in a GSM-7 message that fits in one segment.
pub const GSM7_SINGLE_SEGMENT: u32 = 160;
/// Septets per part of a concatenated GSM-7 message.
pub const GSM7_MULTI_SEGMENT: u32 = 153;
/// UTF-16 code units in a UCS-2 message that fits in one segment.
pub const UCS2_SINGLE_SEGMENT: u32 = 70;
/// UTF-16 code units per part of a concatenated UCS-2 message.
pub const UCS2_MULTI_SEGMENT: u32 = 67;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoding {
    #[serde(rename = "GSM-7")]
    Gsm7,
    #[serde(rename = "UCS-2")]
    Ucs2,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }

    /// Capacity of a message that is a single segment (160 septets / 70 units).
    pub fn single_segment_units(self) -> u32 {
        match self {
            Encoding::Gsm7 => GSM7_SINGLE_SEGMENT,
            Encoding::Ucs2 => UCS2_SINGLE_SEGMENT,
        }
    }

    /// Capacity of each part of a concatenated message (153 septets / 67 units).
    pub fn multi_segment_units(self) -> u32 {
        match self {
            Encoding::Gsm7 => GSM7_MULTI_SEGMENT,
            Encoding::Ucs2 => UCS2_MULTI_SEGMENT,
        }
    }
}

/// How the provider counts segments. All off / automatic by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SegmentOptions {
    /// Replace look-alike characters (curly quotes, dashes, ellipsis, no-break spaces …) with
    /// GSM-7 equivalents before billing, as Twilio's Smart Encoding does.
    pub smart_encoding: bool,
    /// Trim trailing `\n` / `\r` before billing (some providers do).
    pub trim_trailing_line_breaks: bool,
    /// `"GSM-7"` or `"UCS-2"` forces the encoding; `"auto"` or absent (`None`) picks GSM-7 when
    /// the text allows it. Forcing GSM-7 on a text that is not GSM-7 is an error (`NOT_GSM7`).
    pub encoding: Option<Encoding>,
}

/// What a message costs: the number the rating code multiplies by the per-segment price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentCount {
    pub encoding: Encoding,
    pub segments: u32,
    /// Septets (GSM-7, extension characters count 2) or UTF-16 code units (UCS-2).
    pub units: u32,
}

/// A message cut into segments, with what a UI needs to show where each one ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentedMessage {
    pub encoding: Encoding,
    pub segments: u32,
    /// Septets (GSM-7, extension characters count 2) or UTF-16 code units (UCS-2).
    pub units: u32,
    pub per_segment_units: Vec<u32>,
    /// The text of each segment; concatenated, they give `text`.
    pub per_segment_text: Vec<String>,
    /// Units still free in the last segment (an extension character needs 2).
    pub units_left_in_last_segment: u32,
    /// Distinct characters or grapheme clusters that made the message UCS-2, in first-seen order.
    pub non_gsm_characters: Vec<String>,
    /// Present only when smart encoding was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smart_encoding: Option<SmartEncodingReport>,
    /// The text actually billed, after smart encoding and trimming.
    pub text: String,
}

/// What smart encoding changed, and what it saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartEncodingReport {
    /// One entry per replaced character, in first-seen order.
    pub replacements: Vec<Replacement>,
    /// Segments the message would cost without smart encoding.
    pub segments_without: u32,
    /// `segments_without - segments`, or 0 when smart encoding saves nothing. It can cost more:
    /// a no-break space becomes two spaces, which in a message that stays UCS-2 is one unit more.
    pub segments_saved: u32,
    /// Encoding without smart encoding. With GSM-7 forced on a text that is only GSM-7 after
    /// smart encoding, this is what automatic choice would give (UCS-2).
    pub encoding_without: Encoding,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replacement {
    pub from: String,
    pub to: String,
    pub count: u32,
}

/// Septets `c` costs in GSM-7: 1 (basic table), 2 (extension table) or 0 (not GSM-7).
pub fn gsm7_septets(c: char) -> u8 {
    gsm::septets(c)
}

/// Count the segments `text` is billed as. Allocation-free unless smart encoding replaces a
/// character. Agrees exactly with [`segment_message`].
pub fn count_segments(text: &str, opts: &SegmentOptions) -> Result<SegmentCount, Error> {
    check_length(text)?;
    let replaced = if opts.smart_encoding {
        smart::apply(text)
    } else {
        Cow::Borrowed(text)
    };
    let billed = trim(&replaced, opts);
    let plan = plan(billed, opts.encoding)?;
    count(billed, &plan)
}

/// Cut `text` into segments and report everything about them.
/// [`segment_message`] without options, packed for the JS entry, computed straight from the
/// cuts (no per-segment strings are built): `[encoding (0 GSM-7, 1 UCS-2), segments, units,
/// unitsLeftInLastSegment, nonGsmCount, perSegmentUnits…, perSegmentUtf16Length…,
/// (nonGsmUtf16Start, utf16Length)…]`, offsets into the text itself.
pub fn segment_packed(text: &str) -> Result<Vec<u32>, Error> {
    check_length(text)?;
    let plan = plan(text, None)?;
    let mut units: Vec<u32> = Vec::with_capacity(4);
    let mut lengths: Vec<u32> = Vec::with_capacity(4);
    for span in Cuts::new(text, &plan) {
        units.push(to_u32(span.units)?);
        lengths.push(to_u32(utf16_len(
            text.get(span.start..span.end).unwrap_or_default(),
        ))?);
    }
    let segments = to_u32(units.len())?;
    let total = units
        .iter()
        .try_fold(0u32, |n, &u| n.checked_add(u))
        .ok_or_else(too_long)?;
    let capacity = if segments > 1 {
        plan.encoding.multi_segment_units()
    } else {
        plan.encoding.single_segment_units()
    };
    let spans = match plan.encoding {
        Encoding::Gsm7 => Vec::new(),
        Encoding::Ucs2 => non_gsm_cluster_spans(text),
    };
    let mut out = Vec::with_capacity(5 + 2 * units.len() + 2 * spans.len());
    out.push(u32::from(plan.encoding == Encoding::Ucs2));
    out.push(segments);
    out.push(total);
    out.push(capacity.saturating_sub(units.last().copied().unwrap_or(0)));
    out.push(to_u32(spans.len())?);
    out.extend_from_slice(&units);
    out.extend_from_slice(&lengths);
    for (a, b) in spans {
        out.push(to_u32(utf16_len(text.get(..a).unwrap_or_default()))?);
        out.push(to_u32(utf16_len(text.get(a..b).unwrap_or_default()))?);
    }
    Ok(out)
}

pub fn segment_message(text: &str, opts: &SegmentOptions) -> Result<SegmentedMessage, Error> {
    check_length(text)?;
    let (replaced, replacements) = if opts.smart_encoding {
        smart_with_report(text)
    } else {
        (Cow::Borrowed(text), Vec::new())
    };
    let billed = trim(&replaced, opts);
    let plan = plan(billed, opts.encoding)?;

    let mut per_segment_units = Vec::new();
    let mut per_segment_text = Vec::new();
    for span in Cuts::new(billed, &plan) {
        per_segment_units.push(to_u32(span.units)?);
        per_segment_text.push(
            billed
                .get(span.start..span.end)
                .unwrap_or_default()
                .to_string(),
        );
    }
    let segments = to_u32(per_segment_units.len())?;
    let units = per_segment_units
        .iter()
        .try_fold(0u32, |n, &u| n.checked_add(u));
    let units = units.ok_or_else(too_long)?;
    let capacity = if segments > 1 {
        plan.encoding.multi_segment_units()
    } else {
        plan.encoding.single_segment_units()
    };
    let last = per_segment_units.last().copied().unwrap_or(0);

    let smart_encoding = if opts.smart_encoding {
        let original = trim(text, opts);
        // Forcing GSM-7 can only fail here on the text before smart encoding; show what the
        // automatic choice would have cost.
        let without_plan = plan_or_auto(original, opts.encoding)?;
        let without = count(original, &without_plan)?;
        Some(SmartEncodingReport {
            replacements,
            segments_without: without.segments,
            segments_saved: without.segments.saturating_sub(segments),
            encoding_without: without.encoding,
        })
    } else {
        None
    };

    Ok(SegmentedMessage {
        encoding: plan.encoding,
        segments,
        units,
        per_segment_units,
        per_segment_text,
        units_left_in_last_segment: capacity.saturating_sub(last),
        non_gsm_characters: match plan.encoding {
            Encoding::Gsm7 => Vec::new(),
            Encoding::Ucs2 => non_gsm_clusters(billed),
        },
        smart_encoding,
        text: billed.to_string(),
    })
}

fn check_length(text: &str) -> Result<(), Error> {
    // A UTF-16 unit takes at least one UTF-8 byte, so short inputs need no counting.
    if text.len() <= MAX_MESSAGE_UNITS {
        return Ok(());
    }
    let units = utf16_len(text);
    if units > MAX_MESSAGE_UNITS {
        return Err(Error::new(
            ErrorCode::MessageTooLong,
            "text",
            format!("message is {units} UTF-16 code units long; the limit is {MAX_MESSAGE_UNITS}"),
        ));
    }
    Ok(())
}

/// UTF-16 length from the UTF-8 bytes: one unit per character, two for a 4-byte one.
fn utf16_len(text: &str) -> usize {
    let chunks = text.as_bytes().chunks_exact(8);
    let tail = chunks
        .remainder()
        .iter()
        .fold(0usize, |n, &b| n.wrapping_add(utf16_units_of_byte(b)));
    // Cannot overflow: at most 2 per byte of an in-memory string.
    chunks.fold(tail, |n, c| {
        let word = <[u8; 8]>::try_from(c).map_or(0, |w| swar::utf16_units(u64::from_le_bytes(w)));
        n.wrapping_add(word)
    })
}

fn trim<'a>(text: &'a str, opts: &SegmentOptions) -> &'a str {
    if opts.trim_trailing_line_breaks {
        text.trim_end_matches(['\n', '\r'])
    } else {
        text
    }
}

fn to_u32(n: usize) -> Result<u32, Error> {
    u32::try_from(n).map_err(|_| too_long())
}

fn too_long() -> Error {
    Error::new(
        ErrorCode::MessageTooLong,
        "text",
        "message is too long to count",
    )
}

/// The encoding chosen for a text and, for GSM-7, what the scan found.
struct Plan {
    encoding: Encoding,
    /// GSM-7 only: the message's septets.
    gsm7_septets: usize,
    /// GSM-7 only: parts of at most 153 septets, filled greedily without splitting an escape
    /// (the segment count when the message is over 160 septets).
    gsm7_parts: usize,
}

/// Scan the text once, filling GSM-7 parts as it goes, or stop at the first non-GSM character.
fn plan(text: &str, forced: Option<Encoding>) -> Result<Plan, Error> {
    let ucs2 = || Plan {
        encoding: Encoding::Ucs2,
        gsm7_septets: 0,
        gsm7_parts: 0,
    };
    if forced == Some(Encoding::Ucs2) {
        return Ok(ucs2());
    }
    let (mut pos, mut septets, mut parts) = (0usize, 0usize, 0usize);
    loop {
        match fill(text, Encoding::Gsm7, pos, GSM7_MULTI_SEGMENT as usize) {
            Err(at) if forced == Some(Encoding::Gsm7) => return Err(not_gsm7(text, at)),
            Err(_) => return Ok(ucs2()),
            Ok((end, units)) => {
                septets = septets.saturating_add(units);
                parts = parts.saturating_add(1);
                if end >= text.len() || end <= pos {
                    break;
                }
                pos = end;
            }
        }
    }
    Ok(Plan {
        encoding: Encoding::Gsm7,
        gsm7_septets: septets,
        gsm7_parts: parts,
    })
}

/// Fill one part greedily from byte `start` (a char boundary): the end and the units of the
/// longest run of whole characters that fits in `capacity` (at least one character, so callers
/// always progress). For GSM-7, `Err(offset)` of the first character outside the tables.
///
/// Eight bytes at a time: a word is taken whole when it fits, or cut at the exact byte where the
/// part ends. For GSM-7 only the GSM-7 ASCII bytes at the front of a word are taken that way; the
/// next character goes by itself. UCS-2 is counted per byte: a continuation byte costs nothing,
/// so a part can only end at a lead byte.
fn fill(
    text: &str,
    encoding: Encoding,
    start: usize,
    capacity: usize,
) -> Result<(usize, usize), usize> {
    let bytes = text.as_bytes();
    let (mut i, mut units) = (start, 0usize);
    loop {
        // Whole words that fit: the bulk of any text, with the least work per word.
        while let Some(word) = swar::load(bytes, i) {
            let n = match encoding {
                Encoding::Gsm7 => match swar::gsm7_costs(word, 8) {
                    (8, costs) => swar::sum(costs),
                    _ => break,
                },
                Encoding::Ucs2 => swar::utf16_units(word),
            };
            if units.saturating_add(n) > capacity {
                break;
            }
            units = units.saturating_add(n);
            i = i.saturating_add(8);
        }
        let Some((word, lanes)) = swar::load_upto8(bytes, i) else {
            break;
        };
        let (taken, costs) = match encoding {
            Encoding::Gsm7 => swar::gsm7_costs(word, lanes),
            Encoding::Ucs2 => (lanes, swar::utf16_costs(word, lanes)),
        };
        let n = swar::sum(costs);
        if units.saturating_add(n) > capacity {
            let (lane, before) = swar::first_over(costs, capacity.saturating_sub(units));
            let end = i.saturating_add(lane);
            if end > start {
                return Ok((end, units.saturating_add(before)));
            }
        }
        units = units.saturating_add(n);
        i = i.saturating_add(taken);
        if taken < lanes {
            // GSM-7 only: a character that is not GSM-7 ASCII.
            let (septets, len) = gsm::septets_at(bytes, i);
            let cost = usize::from(septets);
            if cost == 0 {
                return Err(i);
            }
            if units.saturating_add(cost) > capacity && i > start {
                return Ok((i, units));
            }
            units = units.saturating_add(cost);
            i = i.saturating_add(len);
        }
    }
    Ok((i.min(bytes.len()), units))
}

/// UTF-16 units a UTF-8 byte contributes: 1 for a character start, 1 more for a 4-byte one.
#[inline]
fn utf16_units_of_byte(b: u8) -> usize {
    usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0)
}

fn plan_or_auto(text: &str, forced: Option<Encoding>) -> Result<Plan, Error> {
    match plan(text, forced) {
        Err(e) if e.code == ErrorCode::NotGsm7 => plan(text, None),
        other => other,
    }
}

fn count(text: &str, plan: &Plan) -> Result<SegmentCount, Error> {
    let (segments, units) = match (single_segment(text, plan), plan.encoding) {
        (Some(units), _) => (1, units),
        (None, Encoding::Gsm7) => (plan.gsm7_parts, plan.gsm7_septets),
        // A UCS-2 message's length is the sum of its parts: no separate pass to count it.
        (None, Encoding::Ucs2) => Cuts::parts(text, Encoding::Ucs2)
            .fold((0usize, 0usize), |(n, u), s| {
                (n.saturating_add(1), u.saturating_add(s.units))
            }),
    };
    Ok(SegmentCount {
        encoding: plan.encoding,
        segments: to_u32(segments)?,
        units: to_u32(units)?,
    })
}

/// `Some(units)` when the whole text fits in one segment. For UCS-2 that is whether filling 70
/// units reaches the end, which reads at most the first 70 units.
fn single_segment(text: &str, plan: &Plan) -> Option<usize> {
    match plan.encoding {
        Encoding::Gsm7 => {
            (plan.gsm7_septets <= GSM7_SINGLE_SEGMENT as usize).then_some(plan.gsm7_septets)
        }
        Encoding::Ucs2 => match fill(text, Encoding::Ucs2, 0, UCS2_SINGLE_SEGMENT as usize) {
            Ok((end, units)) if end >= text.len() => Some(units),
            _ => None,
        },
    }
}

fn not_gsm7(text: &str, at: usize) -> Error {
    // The cluster holding byte `at`: the first one from the last boundary at or before it.
    let start = GraphemeClusterSegmenter::new()
        .segment_str(text)
        .take_while(|&b| b <= at)
        .last()
        .unwrap_or(0);
    let cluster = text.get(start..).and_then(first_cluster).unwrap_or("");
    let code_points: Vec<String> = cluster
        .chars()
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    Error::new(
        ErrorCode::NotGsm7,
        "text",
        format!(
            "encoding GSM-7 was forced, but \"{cluster}\" ({}) is not in the GSM 03.38 character set",
            code_points.join(" ")
        ),
    )
}

/// Distinct clusters that are not a single GSM-7 character, in first-seen order. CR LF is one
/// cluster in UAX #29 but two GSM-7 characters.
/// The distinct clusters that are not GSM-7, in first-seen order.
///
/// Only the clusters around non-GSM characters are segmented: most of a message is plain GSM
/// text. A cluster holding a non-GSM character starts at that character or at the GSM character
/// just before it (a base letter taking a combining mark, ZWJ or variation selector): two GSM
/// characters never join (CR LF is GSM and skipped), and a cluster never continues past a CR or
/// LF. Every cluster is read from a known boundary, so runs of flags stay linear.
fn non_gsm_clusters(text: &str) -> Vec<String> {
    non_gsm_cluster_spans(text)
        .into_iter()
        .filter_map(|(a, b)| text.get(a..b).map(str::to_string))
        .collect()
}

/// Byte ranges of the first occurrence of each distinct non-GSM cluster (see above).
fn non_gsm_cluster_spans(text: &str) -> Vec<(usize, usize)> {
    let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    let mut out = Vec::new();
    // `boundary`: where the last cluster read ended (a known cluster boundary); characters
    // before it were covered by that cluster.
    let mut boundary = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // Plain ASCII GSM text is skipped a byte at a time, without decoding characters.
        if b < 0x80 && gsm::is_gsm7(char::from(b)) {
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        if gsm::is_gsm7(c) {
            i += c.len_utf8();
            continue;
        }
        let start = if i == boundary {
            i
        } else {
            match text
                .get(..i)
                .and_then(|head| head.char_indices().next_back())
            {
                Some((_, '\r' | '\n')) | None => i,
                Some((p, _)) => {
                    let first = text.get(p..).and_then(first_cluster);
                    if first.is_some_and(|g| g.len() > i - p) {
                        p
                    } else {
                        i
                    }
                }
            }
        };
        let Some(g) = text.get(start..).and_then(first_cluster) else {
            break;
        };
        if seen.insert(g) {
            out.push((start, start + g.len()));
        }
        boundary = start + g.len();
        i = boundary;
    }
    out
}

/// The first extended grapheme cluster of `t` (UAX #29, ICU4X's Unicode data); `None` if `t` is
/// empty.
fn first_cluster(t: &str) -> Option<&str> {
    let mut chars = t.chars();
    let first = chars.next()?;
    // A character alone, or apart from the next, is a cluster of its own: no segmenter needed
    // for accented Latin, Cyrillic, CJK and the like.
    if chars.next().is_none_or(|next| apart(first, next)) {
        return t.get(..first.len_utf8());
    }
    let end = GraphemeClusterSegmenter::new()
        .segment_str(t)
        .find(|&b| b > 0)?;
    t.get(..end)
}

fn smart_with_report(text: &str) -> (Cow<'_, str>, Vec<Replacement>) {
    let replaced = smart::apply(text);
    if matches!(replaced, Cow::Borrowed(_)) {
        return (replaced, Vec::new());
    }
    let mut report: Vec<Replacement> = Vec::new();
    for c in text.chars() {
        let Some(to) = smart::replacement(c) else {
            continue;
        };
        let mut buf = [0u8; 4];
        let from: &str = c.encode_utf8(&mut buf);
        match report.iter_mut().find(|r| r.from == from) {
            Some(r) => r.count = r.count.saturating_add(1),
            None => report.push(Replacement {
                from: from.to_string(),
                to: to.to_string(),
                count: 1,
            }),
        }
    }
    (replaced, report)
}

/// One segment: a byte range of the billed text and its size in units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    units: usize,
}

/// The segments of a text, in order. A message that fits in one segment is one span; a longer
/// one is filled greedily, each part as full as it can be without cutting what must stay whole.
struct Cuts<'a> {
    text: &'a str,
    encoding: Encoding,
    pos: usize,
    /// `Some(units)` when the whole text is a single segment.
    single: Option<usize>,
    done: bool,
    /// Byte range of the last run of regional indicators looked at (all of it RIs, 4 bytes each),
    /// so that cuts in a long run of flags do not each count the run from its start.
    ri_run: (usize, usize),
    /// Every cluster boundary of the text, found once when a cut first needs one.
    boundaries: Option<Vec<usize>>,
}

impl<'a> Cuts<'a> {
    fn new(text: &'a str, plan: &Plan) -> Self {
        Cuts {
            single: single_segment(text, plan),
            ..Cuts::parts(text, plan.encoding)
        }
    }

    /// The parts of a message known to be longer than one segment.
    fn parts(text: &'a str, encoding: Encoding) -> Self {
        Cuts {
            text,
            encoding,
            pos: 0,
            single: None,
            done: false,
            ri_run: (0, 0),
            boundaries: None,
        }
    }

    fn next_part(&mut self) -> Option<Span> {
        let start = self.pos;
        if start >= self.text.len() {
            return None;
        }
        let capacity = self.encoding.multi_segment_units() as usize;
        // The text was scanned by `plan`, so GSM-7 filling cannot fail; stop if it ever did.
        let (end, units) = fill(self.text, self.encoding, start, capacity).ok()?;
        let span = Span { start, end, units };
        // GSM-7 characters are whole clusters on their own (multi-code-point clusters are never
        // GSM-7); escape sequences are kept whole by costing 2 in `fill`.
        let span = if self.encoding == Encoding::Ucs2 && end < self.text.len() {
            self.back_off_to_cluster_boundary(span)
        } else {
            span
        };
        if span.end <= start {
            return None;
        }
        self.pos = span.end;
        Some(span)
    }

    /// Move the end of `span` back to the last cut point inside it. If there is none, the cluster
    /// that starts the span is longer than a part and is cut between code points.
    fn back_off_to_cluster_boundary(&mut self, span: Span) -> Span {
        let Some(inside) = self.text.get(span.start..span.end) else {
            return span;
        };
        let (mut end, mut units) = (span.end, span.units);
        let mut chars = inside.chars().rev();
        while end > span.start {
            if self.is_cut_point(end) {
                return Span {
                    start: span.start,
                    end,
                    units,
                };
            }
            let Some(c) = chars.next() else { break };
            end = end.saturating_sub(c.len_utf8());
            units = units.saturating_sub(c.len_utf16());
        }
        span
    }

    /// Whether a segment may end at byte `at` (a char boundary): an extended grapheme cluster
    /// boundary (UAX #29), or between CR and LF, which carriers and the reference count as two
    /// characters.
    fn is_cut_point(&mut self, at: usize) -> bool {
        let text = self.text;
        let before = text.get(..at).and_then(|t| t.chars().next_back());
        let after = text.get(at..).and_then(|t| t.chars().next());
        match (before, after) {
            (Some('\r'), Some('\n')) => true,
            // GB12/GB13: regional indicators pair up from the start of their run.
            (Some(b), Some(a)) if is_regional_indicator(b) && is_regional_indicator(a) => {
                self.regional_indicators_before(at).is_multiple_of(2)
            }
            (Some(b), Some(a)) if apart(b, a) => true,
            _ => self.is_cluster_boundary(at),
        }
    }

    /// Whether byte `at` is an extended grapheme cluster boundary. The text is segmented from
    /// the nearest earlier point between two characters that are `apart`: a boundary that no
    /// rule looks back across, since every rule that reads context before a position (GB9c,
    /// GB11, GB12 and GB13) reads only joining characters there. Past 32 joining characters,
    /// every boundary of the text is found once and kept.
    fn is_cluster_boundary(&mut self, at: usize) -> bool {
        let text = self.text;
        let mut from = at;
        let mut after = text.get(at..).and_then(|t| t.chars().next());
        for _ in 0..32 {
            match text.get(..from).and_then(|t| t.chars().next_back()) {
                Some(c) if !after.is_some_and(|a| apart(c, a)) => {
                    from = from.saturating_sub(c.len_utf8());
                    after = Some(c);
                }
                _ => {
                    return text.get(from..).is_some_and(|t| {
                        GraphemeClusterSegmenter::new()
                            .segment_str(t)
                            .map(|b| b.saturating_add(from))
                            .take_while(|&b| b <= at)
                            .any(|b| b == at)
                    })
                }
            }
        }
        self.boundaries
            .get_or_insert_with(|| GraphemeClusterSegmenter::new().segment_str(text).collect())
            .binary_search(&at)
            .is_ok()
    }

    /// Regional indicators in the run that ends at byte `at`. Amortised: a walk back stops where
    /// the last known run ends.
    fn regional_indicators_before(&mut self, at: usize) -> usize {
        let (start, end) = self.ri_run;
        if !(start <= at && at <= end) {
            let mut s = at;
            while let Some(c) = self.text.get(..s).and_then(|t| t.chars().next_back()) {
                if !is_regional_indicator(c) {
                    break;
                }
                s = s.saturating_sub(c.len_utf8());
                if s == end && start < end {
                    s = start;
                    break;
                }
            }
            self.ri_run = (s, at);
        }
        at.saturating_sub(self.ri_run.0) / 4
    }
}

/// Characters that are a cluster on their own whatever surrounds them (Grapheme_Cluster_Break
/// Other or Control, not Extended_Pictographic after a ZWJ, not an Indic consonant): between two
/// of them there is always a boundary (or CR LF, handled first), so the cursor is not needed.
/// Latin, Greek, Cyrillic letters and CJK ideographs: the usual neighbours of a cut. Checked
/// against the cursor for every such character in the tests.
fn never_joins(c: char) -> bool {
    matches!(c as u32, 0..=0x2FF | 0x370..=0x482 | 0x48A..=0x52F | 0x4E00..=0x9FFF)
}

/// Whether a cluster boundary lies between `a` and `b` whatever surrounds them: both never join
/// (see `never_joins`) and they are not CR LF, the one pair of such characters UAX #29 keeps
/// together.
fn apart(a: char, b: char) -> bool {
    never_joins(a) && never_joins(b) && !(a == '\r' && b == '\n')
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

impl Iterator for Cuts<'_> {
    type Item = Span;

    fn next(&mut self) -> Option<Span> {
        if self.done {
            return None;
        }
        if let Some(units) = self.single {
            self.done = true;
            return Some(Span {
                start: 0,
                end: self.text.len(),
                units,
            });
        }
        let part = self.next_part();
        self.done = part.is_none();
        part
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `is_cluster_boundary` (from the nearest point between two characters that never join, or
    /// from every boundary of the text past 32 joining characters) and `first_cluster` (from
    /// every boundary) agree with segmenting the whole text, on texts mixing joining and plain
    /// characters.
    #[test]
    fn cluster_boundaries_from_a_window_are_those_of_the_whole_text() {
        let marks = "\u{301}".repeat(40);
        let pieces = [
            "a",
            "Z",
            " ",
            "\r\n",
            "\n",
            "é",
            "e\u{301}",
            "©",
            "\u{200d}",
            "👩‍👩‍👧",
            "🇺🇸",
            "🇺",
            "क्ष",
            "क",
            "्",
            "한",
            "\u{1100}",
            "\u{1161}",
            "😀",
            "🏼",
            "\u{fe0f}",
            "ا",
            "中",
            &marks,
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..3000 {
            let len = 1 + next(24);
            let text: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
            let all: Vec<usize> = GraphemeClusterSegmenter::new().segment_str(&text).collect();
            // The first cluster from every boundary, with or without the fast path.
            for w in all.windows(2) {
                let (a, b) = (w[0], w[1]);
                assert_eq!(
                    first_cluster(&text[a..]),
                    Some(&text[a..b]),
                    "{text:?} from {a}"
                );
            }
            let mut cuts = Cuts::parts(&text, Encoding::Ucs2);
            for (at, _) in text.char_indices().skip(1) {
                let want = all.binary_search(&at).is_ok();
                assert_eq!(cuts.is_cluster_boundary(at), want, "{text:?} at {at}");
            }
        }
    }

    /// Between two `never_joins` characters every UAX #29 rule but GB999 (break) needs one side
    /// to be Extend, ZWJ, SpacingMark, Prepend, Hangul, an Indic consonant or a regional
    /// indicator; show that no such character is one of those, by its behaviour in the segmenter.
    #[test]
    fn never_joins_characters_are_none_of_the_joining_kinds() {
        let boundary = |s: &str, at: usize| {
            Ok::<bool, ()>(
                GraphemeClusterSegmenter::new()
                    .segment_str(s)
                    .any(|b| b == at),
            )
        };
        for c in (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| never_joins(c))
        {
            let n = c.len_utf8();
            // Not Extend, ZWJ or SpacingMark (GB9, GB9a), hence not the ZWJ of GB11.
            assert_eq!(boundary(&format!("a{c}"), 1), Ok(true), "{c:?}");
            // Not Prepend (GB9b).
            assert_eq!(boundary(&format!("{c}a"), n), Ok(true), "{c:?}");
            // Not Hangul L, V, LV (GB6, GB7) nor LV, LVT, V, T (GB7, GB8).
            assert_eq!(boundary(&format!("{c}\u{1161}"), n), Ok(true), "{c:?}");
            assert_eq!(boundary(&format!("{c}\u{11A8}"), n), Ok(true), "{c:?}");
            // Not an Indic consonant joined by a virama (GB9c).
            assert_eq!(boundary(&format!("क्{c}"), "क्".len()), Ok(true), "{c:?}");
            // Not a regional indicator (GB12, GB13).
            assert_eq!(boundary(&format!("🇺{c}"), 4), Ok(true), "{c:?}");
        }
    }
}
