//! Big event lists as columns instead of JSON text: the fast way in for `simulate` and
//! `rateBatch` (a million events as JS objects cost seconds in `JSON.stringify` and parsing).
//!
//! The package's JS side (`js/columns.js`) writes the columns only when every event has a simple
//! shape it recognises exactly — known keys, strings where strings belong, integers in range,
//! plain decimal strings — and otherwise leaves the call to the JSON path, so every parse error
//! keeps its code, path and message. What reaches this module therefore parses; it is checked
//! again all the same (nothing here trusts its input), and a column that does not decode is an
//! `INVALID_INPUT` error with the event's path.
//!
//! Layout, per event `i`:
//! - `words[4i]`: the field bits ([`field`]): which fields are present, the direction, number
//!   type and event type, and which decimals were JS numbers;
//! - `words[4i + 1]`: the service (low 16 bits) and carrier (high 16 bits), as indices into the
//!   name table;
//! - `words[4i + 2]`, `words[4i + 3]`: `segments` and `count`;
//! - strings, in this order and only when present: `at`, `text`, `durationSeconds`, `quantity`,
//!   `amount` (decimals are strings; an integer JS number is written as its digits). They are
//!   written one after the other into one UTF-8 text, with each piece's length in bytes.
//!
//! Events are built borrowing from the text and the name table: no allocation per event.
//!
//! `rateBatch` sends its events in parts of a few thousand, written one after another into the
//! same buffers ([`EventColumns::part`]): each part is checked and rated while its text is still
//! in the cache, errors name events by their index in the whole batch, and [`JsonSize`] adds up
//! the JSON text the parts stand for. `simulate` sends its events whole.

use std::borrow::Cow;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::account::{Entry, EventType, Refusal, RefusalReason, ScenarioEvent};
use crate::error::{Error, ErrorCode as C};
use crate::input::MAX_JSON_BYTES;
use crate::money::{parse_decimal, with_plain, Dec};
use crate::ratecard::{Direction, NumberType};
use crate::rating::UsageEvent;
use crate::time::push_instant;

/// Words per event in `words`.
pub const STRIDE: usize = 4;

/// The bits of `words[4i]`.
pub mod field {
    pub const AT: u32 = 1;
    pub const SERVICE: u32 = 1 << 1;
    pub const DIRECTION: u32 = 1 << 2;
    pub const TEXT: u32 = 1 << 3;
    pub const SEGMENTS: u32 = 1 << 4;
    pub const COUNT: u32 = 1 << 5;
    pub const DURATION_SECONDS: u32 = 1 << 6;
    pub const QUANTITY: u32 = 1 << 7;
    pub const CARRIER: u32 = 1 << 8;
    pub const NUMBER_TYPE: u32 = 1 << 9;
    pub const AMOUNT: u32 = 1 << 10;
    /// `direction: "inbound"` (with `DIRECTION`).
    pub const INBOUND: u32 = 1 << 11;
    /// Two bits: 0 `10dlc`, 1 `tollFree`, 2 `shortCode` (with `NUMBER_TYPE`).
    pub const NUMBER_TYPE_SHIFT: u32 = 12;
    /// The decimal was a JS number (written without quotes in JSON; only the size check cares).
    pub const DURATION_SECONDS_NUMBER: u32 = 1 << 14;
    pub const QUANTITY_NUMBER: u32 = 1 << 15;
    pub const AMOUNT_NUMBER: u32 = 1 << 16;
    /// Three bits: 0 none (a `rateBatch` event), 1 `usage`, 2 `purchase`, 3 `paymentWillFail`,
    /// 4 `paymentMethodFixed`.
    pub const TYPE_SHIFT: u32 = 17;
    /// Every bit in use.
    pub const ALL: u32 = (1 << 20) - 1;
}
use field as f;

/// What the events are: `rateBatch` usage events or `simulate` scenario events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Usage,
    Scenario,
}

/// The longest string V8 builds (2^29 − 24 UTF-16 units): `JSON.stringify` throws beyond it.
/// Other engines allow longer strings; above this the JSON path decides.
pub const JS_STRING_LIMIT: u64 = (1 << 29) - 24;

/// Decoded, checked columns.
pub struct EventColumns<'a> {
    shape: Shape,
    names: &'a [String],
    words: &'a [u32],
    text: &'a str,
    /// The length in bytes of every string piece in `text` (checked to cover it, each ending on
    /// a character boundary).
    lens: &'a [u32],
    /// Length of `JSON.stringify(events)` but for the list's brackets and commas and what the
    /// strings' characters and escapes add beyond their bytes: UTF-8 bytes (the text's bytes
    /// included) and UTF-16 units (the text's units not included).
    json_bytes: u64,
    json_units: u64,
    /// The index of the first event in the whole batch (for error paths).
    first: usize,
}

fn bad(path: impl Into<String>, what: &str) -> Error {
    Error::new(
        C::InvalidInput,
        path,
        format!("malformed event columns: {what}"),
    )
}

const KEY_LEN: [(u32, u64); 11] = [
    (f::AT, 2),
    (f::SERVICE, 7),
    (f::DIRECTION, 9),
    (f::TEXT, 4),
    (f::SEGMENTS, 8),
    (f::COUNT, 5),
    (f::DURATION_SECONDS, 15),
    (f::QUANTITY, 8),
    (f::CARRIER, 7),
    (f::NUMBER_TYPE, 10),
    (f::AMOUNT, 6),
];

impl<'a> EventColumns<'a> {
    /// Check the columns and index the strings. `names` is the name table (services and
    /// carriers); `lens` the length in bytes of every string piece.
    pub fn new(
        shape: Shape,
        names: &'a [String],
        words: &'a [u32],
        text: &'a [u8],
        lens: &'a [u32],
    ) -> Result<EventColumns<'a>, Error> {
        Self::part(shape, names, words, text, lens, 0)
    }

    /// [`new`](Self::new) for a part of a batch whose first event is the batch's event `first`:
    /// errors name events by their index in the batch.
    pub fn part(
        shape: Shape,
        names: &'a [String],
        words: &'a [u32],
        text: &'a [u8],
        lens: &'a [u32],
        first: usize,
    ) -> Result<EventColumns<'a>, Error> {
        if names.len() > 1 << 16 || !words.len().is_multiple_of(STRIDE) {
            return Err(bad("", "column sizes"));
        }
        let text = std::str::from_utf8(text).map_err(|_| bad("", "text is not UTF-8"))?;
        split(text, lens)?;
        let mut cols = EventColumns {
            shape,
            names,
            words,
            text,
            lens,
            json_bytes: 0,
            json_units: 0,
            first,
        };
        cols.check()?;
        Ok(cols)
    }

    pub fn len(&self) -> usize {
        self.words.len() / STRIDE
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether `JSON.stringify(events)` plus `extra` (the rest of the input, in bytes and UTF-16
    /// units) would be refused by the JSON path as too large: then that path must run, so that
    /// its error (or, in an engine with longer strings, its result) is the one reported.
    ///
    /// Exact, but the text is scanned for its UTF-16 length and escapes only as far as
    /// [`JsonSize`]'s bounds need, in blocks: a batch that would fit even if every byte of its
    /// text were escaped is not scanned at all.
    pub fn json_too_large(&self, extra_bytes: u64, extra_units: u64) -> bool {
        let mut size = JsonSize::default();
        size.add(self, extra_bytes, extra_units);
        // Blocks may cut a character: `scan` counts per byte, so the counts add up.
        for block in self.text.as_bytes().chunks(1 << 16) {
            if let Some(v) = size.verdict() {
                return v;
            }
            size.scanned(block);
        }
        size.verdict().unwrap_or(true)
    }

    /// Check every event once (so a bad column is reported before anything runs) and measure
    /// the JSON text the events would have been.
    fn check(&mut self) -> Result<(), Error> {
        let name_sizes: Vec<(u64, u64)> = self
            .names
            .iter()
            .map(|n| {
                let esc = escape_extra(n.as_bytes());
                (
                    n.len() as u64 + esc + 2,
                    n.encode_utf16().count() as u64 + esc + 2,
                )
            })
            .collect();
        // What costs the same in bytes and in UTF-16 units: per event everything but its
        // strings (see `Layout`) and numbers. The list's `[`, `]` and commas are left to
        // `JsonSize`, which may add up the parts of a batch.
        let mut fixed = 0u64;
        // The names (service, carrier) in bytes and in units.
        let (mut bytes, mut units) = (0u64, 0u64);
        let mut cursor = Cursor::default();
        let mut last: Option<Layout> = None;
        for (ev, i) in self.words.chunks_exact(STRIDE).zip(self.first..) {
            let &[w, ids, segments, count] = ev else {
                continue;
            };
            let l = match last {
                Some(l) if l.word == w => l,
                _ => {
                    let l = Layout::of(self.shape, w).map_err(|m| bad(format!("[{i}]"), m))?;
                    last = Some(l);
                    l
                }
            };
            fixed += l.fixed;
            if w & f::SEGMENTS != 0 {
                fixed += digits(segments);
            }
            if w & f::COUNT != 0 {
                fixed += digits(count);
            }
            for (bit, id, name) in [
                (f::SERVICE, ids & 0xffff, "service"),
                (f::CARRIER, ids >> 16, "carrier"),
            ] {
                if w & bit != 0 {
                    let (b, u) = name_sizes
                        .get(id as usize)
                        .copied()
                        .ok_or_else(|| bad(format!("[{i}].{name}"), "name index out of range"))?;
                    bytes += b;
                    units += u;
                }
            }
            if w & (f::DURATION_SECONDS | f::QUANTITY | f::AMOUNT) != 0 {
                // Parse the decimals now, so that a bad one is reported before anything runs.
                let mut at = cursor;
                match self.shape {
                    Shape::Usage => self.usage_event(i, ev, &mut at).map(drop)?,
                    Shape::Scenario => self.scenario_event(i, ev, &mut at).map(drop)?,
                }
            }
            for _ in 0..l.pieces {
                let len = self.lens.get(cursor.piece).copied().unwrap_or(0);
                cursor.piece += 1;
                cursor.pos = cursor.pos.saturating_add(len as usize);
            }
        }
        if cursor.piece != self.lens.len() {
            return Err(bad("", "the events use a different number of strings"));
        }
        // The pieces cover the text (their quotes are in the layouts).
        bytes += self.text.len() as u64;
        // The text's UTF-16 length and escapes are left to `json_too_large`.
        self.json_bytes = fixed.saturating_add(bytes);
        self.json_units = fixed.saturating_add(units);
        Ok(())
    }

    #[inline(always)]
    fn piece(&self, i: usize, cursor: &mut Cursor, name: &str) -> Result<&'a str, Error> {
        let len = self
            .lens
            .get(cursor.piece)
            .copied()
            .ok_or_else(|| bad(format!("[{i}].{name}"), "missing string"))?;
        let start = cursor.pos;
        cursor.piece += 1;
        cursor.pos = start.saturating_add(len as usize);
        self.text
            .get(start..cursor.pos)
            .ok_or_else(|| bad(format!("[{i}].{name}"), "string out of range"))
    }

    #[inline(always)]
    fn name(&self, i: usize, id: u32, field: &str) -> Result<&str, Error> {
        self.names
            .get(id as usize)
            .map(|n| n.as_str())
            .ok_or_else(|| bad(format!("[{i}].{field}"), "name index out of range"))
    }

    fn decimal(&self, i: usize, cursor: &mut Cursor, name: &str) -> Result<Dec, Error> {
        let s = self.piece(i, cursor, name)?;
        // The message the JSON path gives for the same string.
        parse_decimal(s)
            .map(Dec)
            .map_err(|m| Error::new(C::InvalidNumber, format!("[{i}].{name}"), m))
    }

    #[inline(always)]
    fn opt_piece(
        &self,
        present: bool,
        i: usize,
        cursor: &mut Cursor,
        name: &str,
    ) -> Result<Option<Cow<'a, str>>, Error> {
        if present {
            self.piece(i, cursor, name).map(|s| Some(Cow::Borrowed(s)))
        } else {
            Ok(None)
        }
    }

    #[inline(always)]
    fn opt_decimal(
        &self,
        present: bool,
        i: usize,
        cursor: &mut Cursor,
        name: &str,
    ) -> Result<Option<Dec>, Error> {
        if present {
            self.decimal(i, cursor, name).map(Some)
        } else {
            Ok(None)
        }
    }

    #[inline(always)]
    fn opt_name(
        &self,
        present: bool,
        i: usize,
        id: u32,
        field: &str,
    ) -> Result<Option<Cow<'_, str>>, Error> {
        if present {
            self.name(i, id, field).map(|s| Some(Cow::Borrowed(s)))
        } else {
            Ok(None)
        }
    }

    /// Event `i` (its words `ev`) as `simulate` takes it, reading its strings at `cursor`.
    /// The word itself was checked by `Layout::of` in `check`.
    fn scenario_event(
        &self,
        i: usize,
        ev: &[u32],
        cursor: &mut Cursor,
    ) -> Result<ScenarioEvent<'_>, Error> {
        let &[w, ids, segments, count] = ev else {
            return Err(bad(format!("[{i}]"), "column sizes"));
        };
        let Some(kind) = event_type(w) else {
            return Err(bad(format!("[{i}].type"), "not a scenario event"));
        };
        // Fields are evaluated in this order: the strings in the order they were written.
        Ok(ScenarioEvent {
            at: self
                .opt_piece(true, i, cursor, "at")?
                .unwrap_or(Cow::Borrowed("")),
            text: self.opt_piece(w & f::TEXT != 0, i, cursor, "text")?,
            duration_seconds: self.opt_decimal(
                w & f::DURATION_SECONDS != 0,
                i,
                cursor,
                "durationSeconds",
            )?,
            quantity: self.opt_decimal(w & f::QUANTITY != 0, i, cursor, "quantity")?,
            amount: self.opt_decimal(w & f::AMOUNT != 0, i, cursor, "amount")?,
            kind,
            service: self.opt_name(w & f::SERVICE != 0, i, ids & 0xffff, "service")?,
            carrier: self.opt_name(w & f::CARRIER != 0, i, ids >> 16, "carrier")?,
            direction: direction(w),
            segments: (w & f::SEGMENTS != 0).then_some(segments),
            count: (w & f::COUNT != 0).then_some(count),
            number_type: number_type(w, i)?,
            parts: None,
            auto_recharge: None,
            negative_balance: None,
        })
    }

    /// Event `i` as `rateBatch` takes it (see [`scenario_event`](Self::scenario_event)).
    fn usage_event(
        &self,
        i: usize,
        ev: &[u32],
        cursor: &mut Cursor,
    ) -> Result<UsageEvent<'_>, Error> {
        let &[w, ids, segments, count] = ev else {
            return Err(bad(format!("[{i}]"), "column sizes"));
        };
        Ok(UsageEvent {
            at: self.opt_piece(w & f::AT != 0, i, cursor, "at")?,
            text: self.opt_piece(w & f::TEXT != 0, i, cursor, "text")?,
            duration_seconds: self.opt_decimal(
                w & f::DURATION_SECONDS != 0,
                i,
                cursor,
                "durationSeconds",
            )?,
            quantity: self.opt_decimal(w & f::QUANTITY != 0, i, cursor, "quantity")?,
            service: self
                .opt_name(true, i, ids & 0xffff, "service")?
                .unwrap_or(Cow::Borrowed("")),
            carrier: self.opt_name(w & f::CARRIER != 0, i, ids >> 16, "carrier")?,
            direction: direction(w).unwrap_or_default(),
            segments: (w & f::SEGMENTS != 0).then_some(segments),
            count: (w & f::COUNT != 0).then_some(count),
            number_type: number_type(w, i)?,
        })
    }

    /// The events as `rateBatch` takes them (paths `[i].field`).
    pub fn usage_events(&self) -> Result<Vec<UsageEvent<'_>>, Error> {
        let mut out = Vec::with_capacity(self.len());
        let mut cursor = Cursor::default();
        for (ev, i) in self.words.chunks_exact(STRIDE).zip(self.first..) {
            out.push(self.usage_event(i, ev, &mut cursor)?);
        }
        Ok(out)
    }

    /// Each usage event in order, read from the columns and handed to `rate` with its index,
    /// without holding them all; the first error stops it. Every event was checked when the
    /// columns were made (`new`), so an event that cannot be read is reported before any is
    /// rated, as when the whole batch was read first.
    pub fn each_usage_event(
        &self,
        mut rate: impl FnMut(usize, &UsageEvent<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut cursor = Cursor::default();
        for (ev, i) in self.words.chunks_exact(STRIDE).zip(self.first..) {
            rate(i, &self.usage_event(i, ev, &mut cursor)?)?;
        }
        Ok(())
    }

    /// Scenario events in order, `chunk` at a time, each chunk handed to `f` with the index of
    /// its first event (paths `[i].field`).
    pub fn scenario_chunks(
        &self,
        chunk: usize,
        mut f: impl FnMut(usize, &[ScenarioEvent<'_>]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let chunk = chunk.max(1);
        let mut buf: Vec<ScenarioEvent<'_>> = Vec::with_capacity(chunk.min(self.len()));
        let mut cursor = Cursor::default();
        let mut base = 0;
        for (ev, i) in self.words.chunks_exact(STRIDE).zip(self.first..) {
            buf.push(self.scenario_event(i, ev, &mut cursor)?);
            if buf.len() == chunk {
                f(base, &buf)?;
                base += buf.len();
                buf.clear();
            }
        }
        if !buf.is_empty() {
            f(base, &buf)?;
        }
        Ok(())
    }
}

/// Bounds on the length of `JSON.stringify(events)` (and of anything else in the same input), in
/// UTF-8 bytes and in UTF-16 units, for the JSON path's limits ([`MAX_JSON_BYTES`],
/// [`JS_STRING_LIMIT`]). Everything but the text's characters is counted exactly as columns
/// are added; text not yet scanned is bounded: escaping adds at most five bytes (and units) per
/// byte (`\u0001` for one byte), and a byte of UTF-8 is at most one UTF-16 unit.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonSize {
    /// UTF-8 bytes, exact but for the escapes of the text not scanned.
    bytes: u64,
    /// UTF-16 units, exact but for the text not scanned.
    units: u64,
    /// Bytes of text not scanned.
    unscanned: u64,
    /// Events in the list.
    events: u64,
}

impl JsonSize {
    /// Add columns (a batch's events after those added so far) and `extra` bytes and units from
    /// elsewhere in the input; their text is not scanned.
    pub fn add(&mut self, cols: &EventColumns<'_>, extra_bytes: u64, extra_units: u64) {
        self.bytes = self
            .bytes
            .saturating_add(cols.json_bytes)
            .saturating_add(extra_bytes);
        self.units = self
            .units
            .saturating_add(cols.json_units)
            .saturating_add(extra_units);
        self.unscanned = self.unscanned.saturating_add(cols.text.len() as u64);
        self.events = self.events.saturating_add(cols.len() as u64);
    }

    /// Count a block of the text not yet scanned (blocks may cut a character: `scan` counts
    /// per byte, so the counts add up).
    pub fn scanned(&mut self, block: &[u8]) {
        let (u, e) = scan(block);
        self.bytes = self.bytes.saturating_add(e);
        self.units = self.units.saturating_add(u as u64).saturating_add(e);
        self.unscanned = self.unscanned.saturating_sub(block.len() as u64);
    }

    /// Add a part of a batch, scanning its text when the bounds may need it: when the batch,
    /// if the `remaining` events to come were like those so far and no more text were scanned,
    /// could come within an eighth of a limit. A part is scanned while it is still in the
    /// cache; what is left unscanned is what a verdict can do without, or nearly so.
    pub fn add_part(&mut self, cols: &EventColumns<'_>, remaining: u64) {
        self.add(cols, 0, 0);
        let seen = self.events.max(1);
        // Saturating: a product out of range is near a limit anyway.
        let projected = |v: u64| v.saturating_mul(seen.saturating_add(remaining)) / seen;
        let (bytes, units) = self.upper();
        let near = |v: u64, limit: u64| projected(v) > limit - limit / 8;
        if near(bytes, MAX_JSON_BYTES as u64) || near(units, JS_STRING_LIMIT) {
            self.scanned(cols.text.as_bytes());
        }
    }

    /// The fewest and the most bytes and units the JSON text can have, as `((bytes, units),
    /// (bytes, units))`: equal once all the text is scanned.
    pub fn bounds(&self) -> ((u64, u64), (u64, u64)) {
        let frame = self.frame();
        (
            (
                self.bytes.saturating_add(frame),
                self.units.saturating_add(frame),
            ),
            self.upper(),
        )
    }

    /// The most bytes and units the JSON text can have.
    fn upper(&self) -> (u64, u64) {
        let frame = self.frame();
        (
            self.bytes
                .saturating_add(frame)
                .saturating_add(self.unscanned.saturating_mul(5)),
            self.units
                .saturating_add(frame)
                .saturating_add(self.unscanned.saturating_mul(6)),
        )
    }

    /// `[`, `]` and the commas between events.
    fn frame(&self) -> u64 {
        self.events.saturating_sub(1).saturating_add(2)
    }

    /// Whether the JSON path would refuse the input as too large, once the bounds decide it.
    pub fn verdict(&self) -> Option<bool> {
        const MAX: u64 = MAX_JSON_BYTES as u64;
        let ((bytes, units), (most_bytes, most_units)) = self.bounds();
        if bytes > MAX || units > JS_STRING_LIMIT {
            return Some(true);
        }
        (most_bytes <= MAX && most_units <= JS_STRING_LIMIT).then_some(false)
    }
}

/// Where the next string starts: its index and its byte offset in the text.
#[derive(Clone, Copy, Default)]
struct Cursor {
    piece: usize,
    pos: usize,
}

fn event_type(w: u32) -> Option<EventType> {
    match w >> f::TYPE_SHIFT {
        1 => Some(EventType::Usage),
        2 => Some(EventType::Purchase),
        3 => Some(EventType::PaymentWillFail),
        4 => Some(EventType::PaymentMethodFixed),
        _ => None,
    }
}

fn direction(w: u32) -> Option<Direction> {
    (w & f::DIRECTION != 0).then_some(if w & f::INBOUND != 0 {
        Direction::Inbound
    } else {
        Direction::Outbound
    })
}

fn number_type(w: u32, i: usize) -> Result<Option<NumberType>, Error> {
    if w & f::NUMBER_TYPE == 0 {
        return Ok(None);
    }
    number_type_of(w)
        .map(Some)
        .ok_or_else(|| bad(format!("[{i}].numberType"), "unknown number type"))
}

/// The number type the field word encodes (its bits, whether or not the field is present).
fn number_type_of(w: u32) -> Option<NumberType> {
    match (w >> f::NUMBER_TYPE_SHIFT) & 3 {
        0 => Some(NumberType::TenDlc),
        1 => Some(NumberType::TollFree),
        2 => Some(NumberType::ShortCode),
        _ => None,
    }
}

/// What a field word says about an event, worked out once per distinct word (a big input has
/// few): its JSON size but for strings and numbers, and how many strings it has.
#[derive(Clone, Copy)]
struct Layout {
    word: u32,
    /// Braces, keys with quotes and colons, commas, quotes around strings, enum values.
    fixed: u64,
    pieces: usize,
}

impl Layout {
    fn of(shape: Shape, w: u32) -> Result<Layout, &'static str> {
        if w & !f::ALL != 0 {
            return Err("unknown field bits");
        }
        let kind = w >> f::TYPE_SHIFT;
        if kind > 4 {
            return Err("unknown event type");
        }
        if w & f::NUMBER_TYPE != 0 && number_type_name(w).is_none() {
            return Err("unknown number type");
        }
        let ok = match shape {
            Shape::Usage => kind == 0 && w & f::AMOUNT == 0 && w & f::SERVICE != 0,
            Shape::Scenario => kind != 0 && w & f::AT != 0,
        };
        if !ok {
            return Err("fields that do not make an event of this kind");
        }
        let mut fixed = 2u64;
        let mut nf = 0u64;
        for (bit, len) in KEY_LEN {
            if w & bit != 0 {
                nf += 1;
                fixed += len + 3;
            }
        }
        if let Some(t) = type_name(w) {
            nf += 1;
            fixed += 4 + 3 + t.len() as u64 + 2;
        }
        fixed += nf.saturating_sub(1);
        let strings = [
            (f::AT, 0),
            (f::TEXT, 0),
            (f::DURATION_SECONDS, f::DURATION_SECONDS_NUMBER),
            (f::QUANTITY, f::QUANTITY_NUMBER),
            (f::AMOUNT, f::AMOUNT_NUMBER),
        ];
        let mut pieces = 0;
        for (bit, number) in strings {
            if w & bit != 0 {
                pieces += 1;
                if w & number == 0 {
                    fixed += 2;
                }
            }
        }
        if w & f::DIRECTION != 0 {
            fixed += if w & f::INBOUND != 0 { 9 } else { 10 };
        }
        if w & f::NUMBER_TYPE != 0 {
            fixed += number_type_name(w).map_or(0, |s| s.len() as u64 + 2);
        }
        Ok(Layout {
            word: w,
            fixed,
            pieces,
        })
    }
}

fn type_name(w: u32) -> Option<&'static str> {
    event_type(w).map(EventType::name)
}

fn number_type_name(w: u32) -> Option<&'static str> {
    number_type_of(w).map(crate::input::json::Named::name)
}

/// Decimal digits of a `u32`, as `JSON.stringify` writes it.
fn digits(v: u32) -> u64 {
    let mut n = 1;
    let mut v = v;
    while v >= 10 {
        v /= 10;
        n += 1;
    }
    n
}

/// Check that pieces of the given byte lengths cover `text`, each ending on a character boundary.
fn split(text: &str, lens: &[u32]) -> Result<(), Error> {
    let mut pos = 0usize;
    for &n in lens {
        pos = pos
            .checked_add(n as usize)
            .filter(|&e| e <= text.len() && text.is_char_boundary(e))
            .ok_or_else(|| bad("", "string lengths"))?;
    }
    if pos != text.len() {
        return Err(bad("", "string lengths"));
    }
    Ok(())
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = LO << 7;

/// UTF-16 units of the UTF-8 text `b` (a leading byte counts its character: one unit, two from
/// `0xF0` up), and the extra bytes `JSON.stringify` spends escaping it.
fn scan(b: &[u8]) -> (usize, u64) {
    let has_zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let mut units = 0usize;
    let mut escapes = 0u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let Ok(a) = <[u8; 8]>::try_from(c) else {
            continue;
        };
        let x = u64::from_le_bytes(a);
        // ASCII with nothing to escape, the bulk of any text, in one test. With every lane below
        // 0x80, a lane's high bit is set after these subtractions only if it is below 0x20, or
        // equal to `"` or `\`, or sits above such a lane (a borrow): no such lane, no high bit.
        let quick = (x
            | x.wrapping_sub(LO * 0x20)
            | (x ^ (LO * 0x22)).wrapping_sub(LO)
            | (x ^ (LO * 0x5c)).wrapping_sub(LO))
            & HI;
        if quick == 0 {
            units += 8;
            continue;
        }
        if x & HI == 0 {
            units += 8;
        } else {
            // Continuation bytes (10xxxxxx) add nothing; four-byte leaders (11110xxx) add two.
            let cont = x & !(x << 1) & HI;
            let four = x & (x << 1) & (x << 2) & (x << 3) & HI;
            units += 8 - cont.count_ones() as usize + four.count_ones() as usize;
        }
        // A lane below 0x20, or equal to `"` or `\` (the word test may err towards a hit; the
        // lanes are then counted exactly).
        let hit = (x.wrapping_sub(LO * 0x20) & !x & HI)
            | has_zero(x ^ (LO * 0x22))
            | has_zero(x ^ (LO * 0x5c));
        if hit != 0 {
            escapes += c.iter().map(|&b| escape_cost(b)).sum::<u64>();
        }
    }
    for &b in chunks.remainder() {
        units += match b {
            0x80..=0xbf => 0,
            0xf0..=0xff => 2,
            _ => 1,
        };
        escapes += escape_cost(b);
    }
    (units, escapes)
}

/// Extra bytes `JSON.stringify` spends on a byte: `\"`, `\\`, `\n` and the like take two
/// characters, other control characters six (`\u0001`).
fn escape_cost(b: u8) -> u64 {
    match b {
        b'"' | b'\\' | 0x08 | 0x09 | 0x0a | 0x0c | 0x0d => 1,
        0..=0x1f => 5,
        _ => 0,
    }
}

/// Extra bytes `JSON.stringify` spends escaping `s` (for the short name-table strings).
fn escape_extra(s: &[u8]) -> u64 {
    s.iter().map(|&b| escape_cost(b)).sum()
}

/// Per-event totals as a table of distinct values and, per event, its index in the table: a
/// batch has few distinct totals, and writing each once (rather than a million decimal strings
/// into JSON) is most of the cost of handing the totals back.
pub fn intern_totals(totals: &[Dec]) -> (Vec<Dec>, Vec<u32>) {
    let mut table = Vec::new();
    let mut seen: rustc_hash::FxHashMap<u128, u32> = Default::default();
    // The last value seen in each of 64 slots, in front of the map: most lookups end here.
    // No decimal serialises to all ones (its flag word's low bits are zero), so that marks an
    // empty slot.
    let mut recent = [(u128::MAX, 0u32); 64];
    let mut index = Vec::with_capacity(totals.len());
    for t in totals {
        let key = u128::from_le_bytes(t.0.serialize());
        let folded = (key as u64) ^ ((key >> 64) as u64);
        let slot = (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize;
        let id = match recent.get(slot) {
            Some(&(k, id)) if k == key => id,
            _ => {
                // Equal values with different scales get two entries that print the same:
                // harmless.
                let id = *seen.entry(key).or_insert_with(|| {
                    table.push(*t);
                    (table.len() - 1) as u32
                });
                if let Some(r) = recent.get_mut(slot) {
                    *r = (key, id);
                }
                id
            }
        };
        index.push(id);
    }
    (table, index)
}

/// Names (services, reasons, entry kinds) sent once, and referred to by index.
#[derive(Default)]
pub struct Names(pub Vec<Arc<str>>);

impl Names {
    /// The name's index, as a JS number.
    pub fn index(&mut self, s: &str) -> f64 {
        match self.0.iter().position(|n| &**n == s) {
            Some(k) => k as f64,
            None => {
                self.0.push(Arc::from(s));
                (self.0.len() - 1) as f64
            }
        }
    }
}

/// Lists of a result rebuilt as objects by the JS entry (`refusalsFrom` and `ledgerFrom` in
/// js/columns.js): four lines per record (its strings) and a few numbers. Building the objects
/// that way costs about half of parsing their JSON, and writing them a fraction of writing the
/// JSON.
pub struct ListColumns {
    pub lines: String,
    pub numbers: Vec<f64>,
    /// The last record's time and second amount (a balance).
    last: Option<(crate::time::Instant, [u8; 16])>,
}

impl ListColumns {
    fn with_capacity(records: usize, numbers_each: usize) -> ListColumns {
        ListColumns {
            lines: String::with_capacity(records * 48),
            numbers: Vec::with_capacity(records * numbers_each),
            last: None,
        }
    }

    /// A record's four lines: its time and its second amount (a balance), each an empty line
    /// when the same as the record's before (records come in bursts at one instant — every
    /// service of an hour without funds, a debit's usage and fee — and an account without funds
    /// refuses at one balance), its first amount, and an optional one (an empty line when none).
    fn push_lines(
        &mut self,
        at: crate::time::Instant,
        a: Decimal,
        b: Decimal,
        optional: Option<Decimal>,
    ) {
        let lines = &mut self.lines;
        // The balance's exact representation: the same value at another scale prints otherwise.
        let b_bits = b.serialize();
        let (same_at, same_b) = match self.last {
            Some((t, bits)) => {
                lines.push('\n');
                (t == at, bits == b_bits)
            }
            None => (false, false),
        };
        self.last = Some((at, b_bits));
        if !same_at {
            push_instant(lines, at);
        }
        lines.push('\n');
        with_plain(a, |a| lines.push_str(a));
        lines.push('\n');
        if !same_b {
            with_plain(b, |b| lines.push_str(b));
        }
        lines.push('\n');
        if let Some(x) = optional {
            with_plain(x, |x| lines.push_str(x));
        }
    }
}

/// Refusals: four lines each — time, amount, balance (the time and the balance an empty line
/// when the same as the refusal's before), pending fees (an empty line when none, as the JSON
/// omits them) — and three numbers — event index, and service and reason as indices into
/// `names`.
pub fn refusal_columns(refused: &[Refusal], names: &mut Names) -> ListColumns {
    let mut c = ListColumns::with_capacity(refused.len(), 3);
    for r in refused {
        let pending = Some(r.pending_fees.0).filter(|p| !p.is_zero());
        c.push_lines(r.at, r.amount.0, r.balance.0, pending);
        // The index as JSON.parse would read it: the nearest double, as `as` rounds.
        c.numbers.push(r.event_index as f64);
        c.numbers.push(names.index(&r.service));
        c.numbers.push(names.index(r.reason.name()));
    }
    c
}

/// Refusals packed as bytes, for a result that turns them into objects only when they are read
/// (a projection lists up to 10,000 and a page redrawing a chart never looks): [`unpack_refusals`]
/// gives them back exactly. Integers are LEB128 varints (signed ones zigzag-coded); a decimal is
/// a byte (its scale, or 0x80 for the 16 bytes of `Decimal::serialize` after it) and then its
/// mantissa, when that fits an `i64` (a negative zero does not: its sign would be lost). The
/// bytes hold the number of service names and each name (its length in bytes, then UTF-8), then
/// per refusal a flag byte ([`SAME_BALANCE`], [`NO_PENDING`], [`CREDIT_LIMIT`]), the time and
/// the event index as differences from the refusal before's, the service (an index into the
/// names), the amount, then the balance and the pending fees unless the flags leave them out.
pub fn pack_refusals(refused: &[Refusal]) -> Vec<u8> {
    // One pass over the refusals (a path's share the engine's `Arc`s: compared by address
    // first), the names found on the way written in front after.
    // The names' own `Arc`s (not references into the refusals): the search stays in cache.
    let mut names: Vec<Arc<str>> = Vec::new();
    let mut last: Option<(&Arc<str>, u64)> = None;
    let mut out = Vec::with_capacity(refused.len() * 12);
    let (mut at, mut index, mut balance) = (0i64, 0u64, None);
    for r in refused {
        let service = match last {
            Some((a, k)) if Arc::ptr_eq(a, &r.service) => k,
            _ => {
                let found = names
                    .iter()
                    .position(|n| Arc::ptr_eq(n, &r.service))
                    .or_else(|| names.iter().position(|n| *n == r.service));
                let k = match found {
                    Some(k) => k,
                    None => {
                        names.push(r.service.clone());
                        names.len() - 1
                    }
                } as u64;
                last = Some((&r.service, k));
                k
            }
        };
        let bits = r.balance.0.serialize();
        let same = balance == Some(bits);
        // Left out when exactly `Decimal::ZERO` (a zero at another scale is kept as it is).
        let pending = r.pending_fees.0.serialize() != ZERO_BITS;
        let mut flags = 0u8;
        if same {
            flags |= SAME_BALANCE;
        }
        if !pending {
            flags |= NO_PENDING;
        }
        if r.reason == RefusalReason::CreditLimit {
            flags |= CREDIT_LIMIT;
        }
        // At most 88 bytes: flags, three varints of up to 10 bytes, three decimals of up to 17.
        out.reserve(88);
        out.push(flags);
        put_varint(&mut out, zigzag(r.at.wrapping_sub(at)));
        put_varint(&mut out, zigzag(r.event_index.wrapping_sub(index) as i64));
        put_varint(&mut out, service);
        put_decimal(&mut out, r.amount.0);
        if !same {
            put_decimal(&mut out, r.balance.0);
        }
        if pending {
            put_decimal(&mut out, r.pending_fees.0);
        }
        (at, index, balance) = (r.at, r.event_index, Some(bits));
    }
    let mut head = Vec::with_capacity(out.len() + 1 + names.len() * 16);
    put_varint(&mut head, names.len() as u64);
    for n in &names {
        put_varint(&mut head, n.len() as u64);
        head.extend_from_slice(n.as_bytes());
    }
    head.extend_from_slice(&out);
    head
}

/// `Decimal::ZERO` as `Decimal::serialize` writes it.
const ZERO_BITS: [u8; 16] = [0; 16];

/// [`pack_refusals`]' flags: the balance is the refusal before's (and is left out); no pending
/// fees (left out); the reason is `creditLimit` (else `insufficientBalance`).
const SAME_BALANCE: u8 = 1;
const NO_PENDING: u8 = 2;
const CREDIT_LIMIT: u8 = 4;

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[inline(always)]
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline(always)]
fn put_decimal(out: &mut Vec<u8>, d: Decimal) {
    match i64::try_from(d.mantissa()) {
        Ok(m) if !(m == 0 && d.is_sign_negative()) => {
            out.push(d.scale() as u8);
            put_varint(out, zigzag(m));
        }
        _ => {
            out.push(0x80);
            out.extend_from_slice(&d.serialize());
        }
    }
}

/// A reader of [`pack_refusals`]' bytes: `None` for anything it cannot have written.
struct Unpacker<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Unpacker<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let b = self.bytes.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(b)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                // The tenth byte may only hold the top bit.
                return (shift < 63 || b <= 1).then_some(v);
            }
        }
        None
    }

    fn decimal(&mut self) -> Option<Decimal> {
        let scale = self.byte()?;
        if scale == 0x80 {
            let mut raw = [0u8; 16];
            raw.copy_from_slice(self.take(16)?);
            let flags = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
            // Only the sign bit and a scale up to 28, as `Decimal::serialize` writes them.
            if flags & !0x80ff_0000 != 0 || (flags >> 16) & 0xff > 28 {
                return None;
            }
            return Some(Decimal::deserialize(raw));
        }
        let m = unzigzag(self.varint()?);
        Decimal::try_from_i128_with_scale(i128::from(m), u32::from(scale)).ok()
    }
}

/// The refusals [`pack_refusals`] packed; an `INVALID_INPUT` error (at `path`) for bytes it
/// cannot have written.
pub fn unpack_refusals(bytes: &[u8], path: &str) -> Result<Vec<Refusal>, Error> {
    let bad = || Error::new(C::InvalidInput, path, "not a packed list of refusals");
    let mut u = Unpacker { bytes, pos: 0 };
    let mut names = Vec::new();
    for _ in 0..u.varint().ok_or_else(bad)? {
        let len = usize::try_from(u.varint().ok_or_else(bad)?).map_err(|_| bad())?;
        let text = std::str::from_utf8(u.take(len).ok_or_else(bad)?).map_err(|_| bad())?;
        names.push(Arc::<str>::from(text));
    }
    let mut out = Vec::new();
    let (mut at, mut index, mut balance) = (0i64, 0u64, None);
    while u.pos < bytes.len() {
        let r = (|| {
            let flags = u.byte()?;
            if flags & !(SAME_BALANCE | NO_PENDING | CREDIT_LIMIT) != 0 {
                return None;
            }
            at = at.wrapping_add(unzigzag(u.varint()?));
            index = index.wrapping_add(unzigzag(u.varint()?) as u64);
            let service = names.get(usize::try_from(u.varint()?).ok()?)?.clone();
            let amount = u.decimal()?;
            balance = if flags & SAME_BALANCE != 0 {
                Some(balance?)
            } else {
                Some(u.decimal()?)
            };
            let pending = if flags & NO_PENDING != 0 {
                Decimal::ZERO
            } else {
                u.decimal()?
            };
            Some(Refusal {
                at,
                event_index: index,
                service,
                amount: Dec(amount),
                balance: Dec(balance?),
                pending_fees: Dec(pending),
                reason: if flags & CREDIT_LIMIT != 0 {
                    RefusalReason::CreditLimit
                } else {
                    RefusalReason::InsufficientBalance
                },
            })
        })();
        out.push(r.ok_or_else(bad)?);
    }
    Ok(out)
}

/// Ledger entries: four lines each — time, amount, balance after (the time and the balance an
/// empty line when the same as the entry's before), amount attempted (an empty line when none)
/// — and four numbers — the kind and the service as indices into `names`, the event index and
/// the count, each -1 when the entry has none.
pub fn ledger_columns(entries: &[Entry], names: &mut Names) -> ListColumns {
    let mut c = ListColumns::with_capacity(entries.len(), 4);
    for e in entries {
        c.push_lines(
            e.at,
            e.amount.0,
            e.balance_after.0,
            e.attempted.map(|a| a.0),
        );
        c.numbers.push(names.index(e.kind.name()));
        c.numbers
            .push(e.service.as_deref().map_or(-1.0, |s| names.index(s)));
        c.numbers.push(e.event_index.map_or(-1.0, |k| k as f64));
        c.numbers.push(e.count.map_or(-1.0, f64::from));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// `scan` counts what `encode_utf16` and a byte-by-byte escape count give, on texts
        /// mixing ASCII, the bytes JSON escapes, and two-, three- and four-byte characters.
        #[test]
        fn scan_counts_units_and_escapes(
            parts in proptest::collection::vec(
                prop_oneof![
                    "[a-z ]{0,20}",
                    Just("\"".to_string()),
                    Just("\\\\".to_string()),
                    "[\\x00-\\x1f]{1,3}",
                    "[é€😀中]{1,4}",
                    "\\PC{0,6}",
                ],
                0..24,
            )
        ) {
            let s = parts.concat();
            let escapes: u64 = s.bytes().map(escape_cost).sum();
            prop_assert_eq!(scan(s.as_bytes()), (s.encode_utf16().count(), escapes));
        }
    }
}
