//! A JSON deserializer for serde, written for this crate's inputs.
//!
//! It reads the text once, front to back, like `serde_json`'s, and differs where that matters
//! here:
//!
//! - **Paths.** An error leaving a field or an element takes its key or index on the way out, so
//!   it names exactly the field it is about (`services.sms.pricing.tiers[2].upTo`). Nothing is
//!   tracked on the happy path.
//! - **Numbers keep their text.** An amount ([`crate::money::Dec`]) asks for its number through
//!   [`DEC`] and gets the digits as written, never a float. An integer field reads an integer
//!   (one beyond 64 bits is out of its range, a fraction the wrong type, both described by the
//!   number's text). Only a field that is itself a float, or a self-describing value, parses one,
//!   so the rating core's WASM holds no float parsing or printing at all.
//! - **No struct from an array.** A struct is a JSON object; `serde_json` also takes an array of
//!   its fields in order, which no input of this crate is.
//! - **Reading by hand.** Besides serde's interface, [`Deserializer::object`], `entries`, `list`,
//!   `variant` and the scalar readers let a type read itself with serde's own error values, and
//!   [`RAW`] hands such a type its JSON text from inside a derived `Deserialize`
//!   ([`crate::input::by_hand`]).
//!
//! Limits are `serde_json`'s: nesting deeper than 128 is refused, and so is anything after the
//! value but whitespace. Its syntax error messages are reused.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Expected, Unexpected, Visitor};

/// The name [`crate::money::Dec`] passes to `deserialize_newtype_struct`: this deserializer then
/// hands a number to the visitor as its text through `visit_bytes`, and a string through
/// `visit_str`. Any other deserializer sees an ordinary newtype struct.
pub const DEC: &str = "$creditcast::Dec";

/// The name a type passes to `deserialize_newtype_struct` to get its value as raw JSON text
/// (`visit_borrowed_str`), and read it by hand with [`Deserializer`]'s reading methods. Any other
/// deserializer sees an ordinary newtype struct.
pub const RAW: &str = "$creditcast::Raw";

const MAX_DEPTH: u32 = 128;

/// A deserialization error: a message, the path it happened at, and whether it is a syntax error
/// (which has no path, as in `serde_json`).
#[derive(Debug)]
pub struct Error {
    msg: String,
    /// Keys and indices, innermost first.
    segments: Vec<Segment>,
    syntax: bool,
}

#[derive(Debug)]
enum Segment {
    Key(String),
    Index(usize),
}

impl Error {
    fn syntax(msg: &str) -> Error {
        Error {
            msg: msg.to_string(),
            segments: Vec::new(),
            syntax: true,
        }
    }

    /// The error as seen from the object holding it under the key whose string starts at byte
    /// `at` of `text`.
    #[cold]
    #[inline(never)]
    fn at_key_in(self, text: &str, at: usize) -> Error {
        let mut d = Deserializer::new(text);
        d.pos = at;
        let key = d.string().map(Cow::into_owned).unwrap_or_default();
        self.at(Segment::Key(key))
    }

    /// The error as seen from the list holding it at `index`.
    #[cold]
    #[inline(never)]
    fn at_index(self, index: usize) -> Error {
        self.at(Segment::Index(index))
    }

    fn at(mut self, s: Segment) -> Error {
        if !self.syntax {
            self.segments.push(s);
        }
        self
    }

    pub fn message(&self) -> &str {
        &self.msg
    }

    /// `a.b[2].c`; empty for a syntax error or an error about the whole input.
    #[inline(never)]
    pub fn path(&self) -> String {
        let mut p = String::new();
        for s in self.segments.iter().rev() {
            match s {
                Segment::Key(k) => {
                    if !p.is_empty() {
                        p.push('.');
                    }
                    p.push_str(k);
                }
                Segment::Index(i) => {
                    p.push('[');
                    p.push_str(&i.to_string());
                    p.push(']');
                }
            }
        }
        p
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error {
            msg: msg.to_string(),
            segments: Vec::new(),
            syntax: false,
        }
    }

    #[inline(never)]
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Error {
        de::Error::custom(format_args!(
            "invalid type: {}, expected {}",
            Found(unexp),
            exp
        ))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Error {
        de::Error::custom(format_args!(
            "invalid value: {}, expected {}",
            Found(unexp),
            exp
        ))
    }
}

/// What was found, in JSON's words (`null`, not serde's "unit value"). A float is never formatted
/// here: this deserializer describes a fractional number by its text (`Unexpected::Other`), so
/// float printing stays out of the WASM.
struct Found<'a>(Unexpected<'a>);

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Bool(b) => write!(f, "boolean `{b}`"),
            Unexpected::Unsigned(n) => write!(f, "integer `{n}`"),
            Unexpected::Signed(n) => write!(f, "integer `{n}`"),
            Unexpected::Float(_) => f.write_str("floating point number"),
            Unexpected::Char(c) => write!(f, "character `{c}`"),
            Unexpected::Str(s) => write!(f, "string {}", crate::error::Quoted(s)),
            Unexpected::Bytes(_) => f.write_str("byte array"),
            Unexpected::Unit => f.write_str("null"),
            Unexpected::Option => f.write_str("Option value"),
            Unexpected::NewtypeStruct => f.write_str("newtype struct"),
            Unexpected::Seq => f.write_str("sequence"),
            Unexpected::Map => f.write_str("map"),
            Unexpected::Enum => f.write_str("enum"),
            Unexpected::UnitVariant => f.write_str("unit variant"),
            Unexpected::NewtypeVariant => f.write_str("newtype variant"),
            Unexpected::TupleVariant => f.write_str("tuple variant"),
            Unexpected::StructVariant => f.write_str("struct variant"),
            Unexpected::Other(s) => f.write_str(s),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// A number as written: its text, and whether it is an integer (no fraction, no exponent).
struct Number<'de> {
    text: &'de str,
    integer: bool,
}

/// An integer read exactly, or why not.
enum Int {
    U(u64),
    I(i64),
    /// Not an integer, or beyond 64 bits.
    No,
}

impl Number<'_> {
    #[inline(never)]
    fn int(&self) -> Int {
        if !self.integer {
            return Int::No;
        }
        let (neg, digits) = match self.text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, self.text),
        };
        let mut v: u64 = 0;
        for b in digits.bytes() {
            match v
                .checked_mul(10)
                .and_then(|x| x.checked_add(u64::from(b.wrapping_sub(b'0'))))
            {
                Some(x) => v = x,
                None => return Int::No,
            }
        }
        if !neg {
            Int::U(v)
        } else if v <= 1 << 63 {
            // -(2^63) is the one magnitude past i64::MAX that fits.
            Int::I((v as i64).wrapping_neg())
        } else {
            Int::No
        }
    }

    /// The number as an error message shows it: `integer `…`` or `floating point `…``.
    #[cold]
    #[inline(never)]
    fn describe(&self) -> String {
        let kind = if self.integer {
            "integer"
        } else {
            "floating point"
        };
        format!("{kind} `{}`", self.text)
    }

    /// Why this number is not an integer `exp` can take: a fraction is the wrong type, an
    /// integer beyond 64 bits the wrong value.
    #[cold]
    #[inline(never)]
    fn not_int(&self, exp: &dyn Expected) -> Error {
        let what = self.describe();
        if self.integer {
            de::Error::invalid_value(Unexpected::Other(&what), exp)
        } else {
            de::Error::invalid_type(Unexpected::Other(&what), exp)
        }
    }

    /// Hand an integer to `v`; anything else is an error, reported without parsing a float.
    fn visit_int<'de, V: Visitor<'de>>(&self, v: V) -> Result<V::Value> {
        match self.int() {
            Int::U(n) => v.visit_u64(n),
            Int::I(n) => v.visit_i64(n),
            Int::No => Err(self.not_int(&v)),
        }
    }

    /// Hand any number to `v`: integers as integers, anything else as an `f64`.
    fn visit_any<'de, V: Visitor<'de>>(&self, v: V) -> Result<V::Value> {
        // serde_json reads `-0` as the float -0.0 (an integer field still takes it as 0).
        if self.text == "-0" {
            return v.visit_f64(-0.0);
        }
        match self.int() {
            Int::U(n) => return v.visit_u64(n),
            Int::I(n) => return v.visit_i64(n),
            Int::No => {}
        }
        match self.text.parse::<f64>() {
            Ok(x) if x.is_finite() => v.visit_f64(x),
            _ => Err(Error::syntax("number out of range")),
        }
    }
}

/// The index of the first byte at or after `i` that ends a run of plain string content: a quote,
/// a backslash or a control character (or `b.len()`). Eight bytes at a time: in each lane,
/// `(x - 0x01…) & !x & 0x80…` flags a zero byte, exactly for the first one, so the lowest flag
/// is the first byte that matches.
pub(crate) fn plain_run(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(lane) = b.get(i..i + 8).and_then(|s| <[u8; 8]>::try_from(s).ok()) {
        let w = u64::from_le_bytes(lane);
        let quote = w ^ (ONES * u64::from(b'"'));
        let slash = w ^ (ONES * u64::from(b'\\'));
        let hits = (quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (w.wrapping_sub(ONES * 0x20) & !w);
        let hits = hits & HIGH;
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// `Deserializer` methods that hand their visitor on to one method of the same signature.
macro_rules! forward_to {
    ($target:ident: $($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
                self.$target(v)
            }
        )*
    };
}

/// Reads one JSON value from a string.
pub struct Deserializer<'de> {
    text: &'de str,
    pos: usize,
    depth: u32,
}

impl<'de> Deserializer<'de> {
    pub fn new(text: &'de str) -> Self {
        Deserializer {
            text,
            pos: 0,
            depth: 0,
        }
    }

    /// Only whitespace may follow the value.
    pub fn end(&mut self) -> Result<()> {
        match self.ws() {
            None => Ok(()),
            Some(_) => Err(Error::syntax("trailing characters")),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skip whitespace and peek at the next byte.
    fn ws(&mut self) -> Option<u8> {
        while let Some(b) = self.peek() {
            if matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                self.pos += 1;
            } else {
                return Some(b);
            }
        }
        None
    }

    /// The rest of a literal whose first byte has been seen.
    #[inline(never)]
    fn literal(&mut self, word: &str) -> Result<()> {
        let end = self.pos + word.len();
        if self.text.as_bytes().get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(())
        } else if end > self.text.len() {
            Err(Error::syntax("EOF while parsing a value"))
        } else {
            Err(Error::syntax("expected ident"))
        }
    }

    /// A JSON number at the current position, checked against the grammar.
    #[inline(never)]
    fn number(&mut self) -> Result<Number<'de>> {
        let b = self.text.as_bytes();
        let start = self.pos;
        let mut i = start;
        let digits = |i: &mut usize| {
            let s = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i - s
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                digits(&mut i);
            }
            Some(_) => return Err(Error::syntax("invalid number")),
            None => return Err(Error::syntax("EOF while parsing a value")),
        }
        let mut integer = true;
        if b.get(i) == Some(&b'.') {
            i += 1;
            integer = false;
            if digits(&mut i) == 0 {
                return Err(Error::syntax("invalid number"));
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            integer = false;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                return Err(Error::syntax("invalid number"));
            }
        }
        self.pos = i;
        Ok(Number {
            text: self.text.get(start..i).unwrap_or(""),
            integer,
        })
    }

    /// A string whose opening quote is at the current position: borrowed from the input when it
    /// has no escapes.
    #[inline(never)]
    fn string(&mut self) -> Result<Cow<'de, str>> {
        let b = self.text.as_bytes();
        self.pos += 1;
        let start = self.pos;
        let mut i = plain_run(b, start);
        loop {
            match b.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(Cow::Borrowed(self.text.get(start..i).unwrap_or("")));
                }
                Some(b'\\') => break,
                Some(c) if *c < 0x20 => {
                    return Err(Error::syntax(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ))
                }
                Some(_) => i += 1,
                None => return Err(Error::syntax("EOF while parsing a string")),
            }
        }
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(self.text.get(start..i).unwrap_or(""));
        let mut run = i;
        loop {
            match b.get(i) {
                Some(b'"') => {
                    out.push_str(self.text.get(run..i).unwrap_or(""));
                    self.pos = i + 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    out.push_str(self.text.get(run..i).unwrap_or(""));
                    i += 1;
                    let c = match b.get(i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let (c, next) = self.unicode_escape(i + 1)?;
                            i = next - 1;
                            c
                        }
                        Some(_) => return Err(Error::syntax("invalid escape")),
                        None => return Err(Error::syntax("EOF while parsing a string")),
                    };
                    out.push(c);
                    i += 1;
                    run = i;
                }
                Some(c) if *c < 0x20 => {
                    return Err(Error::syntax(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ))
                }
                Some(_) => i += 1,
                None => return Err(Error::syntax("EOF while parsing a string")),
            }
        }
    }

    /// The four hex digits at `at`, and a low surrogate's escape after a high one. Returns the
    /// character and the index after the escape.
    #[inline(never)]
    fn unicode_escape(&self, at: usize) -> Result<(char, usize)> {
        let hex = |at: usize| -> Result<u32> {
            let digits = self
                .text
                .get(at..at + 4)
                .ok_or_else(|| Error::syntax("EOF while parsing a string"))?;
            if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
                return Err(Error::syntax("invalid escape"));
            }
            u32::from_str_radix(digits, 16).map_err(|_| Error::syntax("invalid escape"))
        };
        let first = hex(at)?;
        match first {
            0xD800..=0xDBFF => {
                let b = self.text.as_bytes();
                if b.get(at + 4) != Some(&b'\\') || b.get(at + 5) != Some(&b'u') {
                    return Err(Error::syntax("lone leading surrogate in hex escape"));
                }
                let second = hex(at + 6)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(Error::syntax("lone leading surrogate in hex escape"));
                }
                let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                let c = char::from_u32(c).ok_or_else(|| Error::syntax("invalid escape"))?;
                Ok((c, at + 10))
            }
            0xDC00..=0xDFFF => Err(Error::syntax("lone trailing surrogate in hex escape")),
            _ => {
                let c = char::from_u32(first).ok_or_else(|| Error::syntax("invalid escape"))?;
                Ok((c, at + 4))
            }
        }
    }

    #[inline(never)]
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::syntax("recursion limit exceeded"));
        }
        self.pos += 1;
        Ok(())
    }

    /// After a list's elements: `]`.
    #[inline(never)]
    fn close_seq(&mut self) -> Result<()> {
        self.depth -= 1;
        match self.ws() {
            Some(b']') => {
                self.pos += 1;
                Ok(())
            }
            Some(b',') => Err(Error::syntax("trailing comma")),
            Some(_) => Err(Error::syntax("trailing characters")),
            None => Err(Error::syntax("EOF while parsing a list")),
        }
    }

    /// After an object's entries: `}`.
    #[inline(never)]
    fn close_map(&mut self) -> Result<()> {
        self.depth -= 1;
        match self.ws() {
            Some(b'}') => {
                self.pos += 1;
                Ok(())
            }
            Some(b',') => Err(Error::syntax("trailing comma")),
            Some(_) => Err(Error::syntax("trailing characters")),
            None => Err(Error::syntax("EOF while parsing an object")),
        }
    }

    /// The type error for whatever value comes next, read only as far as describing it needs.
    fn invalid_type(&mut self, exp: &dyn Expected) -> Error {
        match self.ws() {
            Some(b'n') => match self.literal("null") {
                Ok(()) => de::Error::invalid_type(Unexpected::Unit, exp),
                Err(e) => e,
            },
            Some(b't') => match self.literal("true") {
                Ok(()) => de::Error::invalid_type(Unexpected::Bool(true), exp),
                Err(e) => e,
            },
            Some(b'f') => match self.literal("false") {
                Ok(()) => de::Error::invalid_type(Unexpected::Bool(false), exp),
                Err(e) => e,
            },
            Some(b'"') => match self.string() {
                Ok(s) => de::Error::invalid_type(Unexpected::Str(&s), exp),
                Err(e) => e,
            },
            Some(b'[') => de::Error::invalid_type(Unexpected::Seq, exp),
            Some(b'{') => de::Error::invalid_type(Unexpected::Map, exp),
            Some(b'-' | b'0'..=b'9') => match self.number() {
                Ok(n) => match n.int() {
                    Int::U(u) => de::Error::invalid_type(Unexpected::Unsigned(u), exp),
                    Int::I(i) => de::Error::invalid_type(Unexpected::Signed(i), exp),
                    Int::No => de::Error::invalid_type(Unexpected::Other(&n.describe()), exp),
                },
                Err(e) => e,
            },
            Some(_) => Error::syntax("expected value"),
            None => Error::syntax("EOF while parsing a value"),
        }
    }

    /// Skip one value (an ignored field).
    #[inline(never)]
    fn skip(&mut self) -> Result<()> {
        match self.ws() {
            Some(b'n') => self.literal("null"),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'"') => self.string().map(drop),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            Some(b'[') => {
                self.enter()?;
                let mut seq = Seq::new(self);
                while seq.next()? {
                    seq.de.skip()?;
                }
                self.close_seq()
            }
            Some(b'{') => {
                self.enter()?;
                let mut map = Map::new(self);
                while map.next_key()?.is_some() {
                    map.colon()?;
                    map.de.skip()?;
                }
                self.close_map()
            }
            Some(_) => Err(Error::syntax("expected value")),
            None => Err(Error::syntax("EOF while parsing a value")),
        }
    }

    /// An amount ([`DEC`], and `Dec::read`): a string's content through `visit_str`, a number's
    /// text as written through `visit_bytes`.
    #[inline(never)]
    pub fn amount<V: Visitor<'de>>(&mut self, v: V) -> Result<V::Value> {
        match self.ws() {
            Some(b'"') => match self.string()? {
                Cow::Borrowed(s) => v.visit_str(s),
                Cow::Owned(s) => v.visit_str(&s),
            },
            Some(b'-' | b'0'..=b'9') => {
                let n = self.number()?;
                v.visit_bytes(n.text.as_bytes())
            }
            _ => Err(self.invalid_type(&v)),
        }
    }

    /// A value as its JSON text ([`RAW`]).
    #[inline(never)]
    fn raw<V: Visitor<'de>>(&mut self, v: V) -> Result<V::Value> {
        self.ws();
        let start = self.pos;
        self.skip()?;
        v.visit_borrowed_str(self.text.get(start..self.pos).unwrap_or(""))
    }

    fn visit_string<V: Visitor<'de>>(&mut self, v: V) -> Result<V::Value> {
        match self.string()? {
            Cow::Borrowed(s) => v.visit_borrowed_str(s),
            Cow::Owned(s) => v.visit_string(s),
        }
    }
}

/// A unit enum as JSON names it: one table per type, from which the hand readers pick a variant
/// ([`Deserializer::one_of`]) and `crate::output` writes one. Made by [`named!`](crate::named).
pub trait Named: Copy + 'static {
    /// What a type error calls the type, as serde's derive does (`enum ServiceKind`).
    const EXPECTING: &'static str;
    /// Every variant's JSON name, in the order of [`ALL`](Self::ALL).
    const NAMES: &'static [&'static str];
    const ALL: &'static [Self];
    /// The variant's JSON name.
    fn name(self) -> &'static str;
}

/// Implement [`Named`]: `named!(Type, "enum Type", { Type::A => "a", Type::B => "b" });`.
#[macro_export]
macro_rules! named {
    ($t:ty, $expecting:literal, { $($variant:path => $name:literal),+ $(,)? }) => {
        impl $crate::input::json::Named for $t {
            const EXPECTING: &'static str = $expecting;
            const NAMES: &'static [&'static str] = &[$($name),+];
            const ALL: &'static [Self] = &[$($variant),+];
            fn name(self) -> &'static str {
                match self {
                    $($variant => $name),+
                }
            }
        }
    };
}

/// Reading by hand: a type whose shape is known reads its fields without serde's generated
/// code (much smaller in WASM), with the same errors, messages and paths as a derived
/// `Deserialize` read through this deserializer. Each method reads one value.
impl<'de> Deserializer<'de> {
    /// An object with the given fields, in any order: `f(self, i)` reads the value of
    /// `fields[i]`. Errors come in document order, as serde's: an unknown field (named by its
    /// key), a field given twice (at the object), or an error in a value (at its key).
    #[inline(never)]
    pub fn object(
        &mut self,
        exp: &dyn Expected,
        fields: &'static [&'static str],
        f: &mut dyn FnMut(&mut Self, usize) -> Result<()>,
    ) -> Result<()> {
        if self.ws() != Some(b'{') {
            return Err(self.invalid_type(exp));
        }
        self.enter()?;
        let mut map = Map::new(self);
        let mut seen: u64 = 0;
        while let Some(key) = map.next_key()? {
            let key_at = map.key_at;
            let Some(i) = fields.iter().position(|f| *f == key) else {
                let e: Error = de::Error::unknown_field(&key, fields);
                return Err(e.at_key_in(map.de.text, key_at));
            };
            let bit = 1u64.checked_shl(i as u32).unwrap_or(0);
            if seen & bit != 0 {
                return Err(de::Error::duplicate_field(
                    fields.get(i).copied().unwrap_or(""),
                ));
            }
            seen |= bit;
            map.colon()?;
            f(map.de, i).map_err(|e| e.at_key_in(map.de.text, key_at))?;
        }
        self.close_map()
    }

    /// An object as a map: `f(self, key)` reads each value (a key given twice is read twice).
    #[inline(never)]
    pub fn entries(
        &mut self,
        exp: &dyn Expected,
        f: &mut dyn FnMut(&mut Self, Cow<'de, str>) -> Result<()>,
    ) -> Result<()> {
        if self.ws() != Some(b'{') {
            return Err(self.invalid_type(exp));
        }
        self.enter()?;
        let mut map = Map::new(self);
        while let Some(key) = map.next_key()? {
            let key_at = map.key_at;
            map.colon()?;
            f(map.de, key).map_err(|e| e.at_key_in(map.de.text, key_at))?;
        }
        self.close_map()
    }

    /// A list: `f(self, i)` reads element `i`.
    #[inline(never)]
    pub fn list(
        &mut self,
        exp: &dyn Expected,
        f: &mut dyn FnMut(&mut Self, usize) -> Result<()>,
    ) -> Result<()> {
        if self.ws() != Some(b'[') {
            return Err(self.invalid_type(exp));
        }
        self.enter()?;
        let mut seq = Seq::new(self);
        while seq.next()? {
            let i = seq.index;
            seq.index += 1;
            f(seq.de, i).map_err(|e| e.at_index(i))?;
        }
        self.close_seq()
    }

    /// `null` as `None`, anything else read by `f`.
    pub fn nullable<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        if self.null()? {
            return Ok(None);
        }
        f(self).map(Some)
    }

    /// Whether the value is `null` (read if so).
    #[inline(never)]
    pub fn null(&mut self) -> Result<bool> {
        if self.ws() == Some(b'n') {
            self.literal("null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// A string, owned.
    #[inline(never)]
    pub fn text(&mut self) -> Result<String> {
        self.cow().map(Cow::into_owned)
    }

    /// A string, borrowed from the input when it has no escapes.
    pub fn cow(&mut self) -> Result<Cow<'de, str>> {
        self.string_or(&"a string")
    }

    /// A string, or the type error for what `exp` expected.
    #[inline(never)]
    fn string_or(&mut self, exp: &dyn Expected) -> Result<Cow<'de, str>> {
        if self.ws() != Some(b'"') {
            return Err(self.invalid_type(exp));
        }
        self.string()
    }

    /// `true` or `false`.
    pub fn boolean(&mut self) -> Result<bool> {
        self.boolean_or(&"a boolean")
    }

    /// `true` or `false`, or the type error for what `exp` expected.
    #[inline(never)]
    fn boolean_or(&mut self, exp: &dyn Expected) -> Result<bool> {
        match self.ws() {
            Some(b't') => self.literal("true").map(|()| true),
            Some(b'f') => self.literal("false").map(|()| false),
            _ => Err(self.invalid_type(exp)),
        }
    }

    /// An integer that fits a `u32`.
    #[inline(never)]
    pub fn uint32(&mut self) -> Result<u32> {
        const EXP: &str = "u32";
        if !matches!(self.ws(), Some(b'-' | b'0'..=b'9')) {
            return Err(self.invalid_type(&EXP));
        }
        let n = self.number()?;
        match n.int() {
            Int::U(v) => u32::try_from(v)
                .map_err(|_| de::Error::invalid_value(Unexpected::Unsigned(v), &EXP)),
            Int::I(v) => Err(de::Error::invalid_value(Unexpected::Signed(v), &EXP)),
            Int::No => Err(n.not_int(&EXP)),
        }
    }

    /// One of `names`, written as a string (or as `{"name": null}`, which serde also reads):
    /// its index.
    #[inline(never)]
    pub fn variant(&mut self, exp: &dyn Expected, names: &'static [&'static str]) -> Result<usize> {
        let pick = |s: &str| {
            names
                .iter()
                .position(|n| *n == s)
                .ok_or_else(|| de::Error::unknown_variant(s, names))
        };
        match self.ws() {
            Some(b'"') => {
                let s = self.string()?;
                pick(&s)
            }
            Some(b'{') => {
                self.enter()?;
                let mut map = Map::new(self);
                let Some(key) = map.next_key()? else {
                    return Err(de::Error::invalid_value(Unexpected::Map, &"one variant"));
                };
                let key_at = map.key_at;
                let i = pick(&key).map_err(|e: Error| e.at_key_in(map.de.text, key_at))?;
                map.colon()?;
                let de = map.de;
                if de.ws() != Some(b'n') {
                    return Err(de.invalid_type(&"unit").at_key_in(de.text, key_at));
                }
                de.literal("null")?;
                de.close_map()?;
                Ok(i)
            }
            _ => Err(self.invalid_type(exp)),
        }
    }

    /// A unit enum's variant, by its JSON name ([`Named`]).
    pub fn one_of<T: Named>(&mut self) -> Result<T> {
        let i = self.variant(&T::EXPECTING, T::NAMES)?;
        T::ALL
            .get(i)
            .copied()
            .ok_or_else(|| de::Error::unknown_variant("", T::NAMES))
    }
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    #[inline(never)]
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.ws() {
            Some(b'n') => {
                self.literal("null")?;
                v.visit_unit()
            }
            Some(b't') => {
                self.literal("true")?;
                v.visit_bool(true)
            }
            Some(b'f') => {
                self.literal("false")?;
                v.visit_bool(false)
            }
            Some(b'"') => self.visit_string(v),
            Some(b'-' | b'0'..=b'9') => self.number()?.visit_any(v),
            Some(b'[') => self.deserialize_seq(v),
            Some(b'{') => self.deserialize_map(v),
            Some(_) => Err(Error::syntax("expected value")),
            None => Err(Error::syntax("EOF while parsing a value")),
        }
    }

    #[inline(never)]
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        let b = self.boolean_or(&v)?;
        v.visit_bool(b)
    }

    forward_to!(deserialize_i64: deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128);

    #[inline(never)]
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.ws() {
            Some(b'-' | b'0'..=b'9') => self.number()?.visit_int(v),
            _ => Err(self.invalid_type(&v)),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_f64(v)
    }
    #[inline(never)]
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.ws() {
            Some(b'-' | b'0'..=b'9') => self.number()?.visit_any(v),
            _ => Err(self.invalid_type(&v)),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_str(v)
    }
    #[inline(never)]
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.string_or(&v)? {
            Cow::Borrowed(s) => v.visit_borrowed_str(s),
            Cow::Owned(s) => v.visit_string(s),
        }
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_str(v)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.ws() {
            Some(b'[') => self.deserialize_seq(v),
            _ => self.deserialize_str(v),
        }
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_bytes(v)
    }

    #[inline(never)]
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        if self.null()? {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    #[inline(never)]
    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        if self.null()? {
            v.visit_unit()
        } else {
            Err(self.invalid_type(&v))
        }
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(v)
    }

    /// Inlined so that the name test folds away: an amount's visitor is then never asked to
    /// read a newtype, which would bring float parsing into the WASM.
    #[inline(always)]
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value> {
        if name == DEC {
            self.amount(v)
        } else if name == RAW {
            self.raw(v)
        } else {
            v.visit_newtype_struct(self)
        }
    }

    #[inline(never)]
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.ws() {
            Some(b'[') => {
                self.enter()?;
                let value = v.visit_seq(Seq::new(self))?;
                self.close_seq()?;
                Ok(value)
            }
            _ => Err(self.invalid_type(&v)),
        }
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value> {
        self.deserialize_seq(v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(v)
    }

    #[inline(never)]
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.ws() {
            Some(b'{') => {
                self.enter()?;
                let value = v.visit_map(Map::new(self))?;
                self.close_map()?;
                Ok(value)
            }
            _ => Err(self.invalid_type(&v)),
        }
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        self.deserialize_map(v)
    }

    #[inline(never)]
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        match self.ws() {
            Some(b'"') => {
                let s = self.string()?;
                v.visit_enum(Key(s))
            }
            Some(b'{') => {
                self.enter()?;
                let value = v.visit_enum(Variant { de: &mut *self })?;
                self.close_map()?;
                Ok(value)
            }
            _ => Err(self.invalid_type(&v)),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_str(v)
    }

    #[inline(never)]
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.skip()?;
        v.visit_unit()
    }
}

/// The elements of a list, after its `[`.
struct Seq<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    first: bool,
    /// The index of the next element handed out, for an error's path.
    index: usize,
}

impl<'a, 'de> Seq<'a, 'de> {
    fn new(de: &'a mut Deserializer<'de>) -> Self {
        Seq {
            de,
            first: true,
            index: 0,
        }
    }

    /// Whether another element follows (its comma read).
    #[inline(never)]
    fn next(&mut self) -> Result<bool> {
        match self.de.ws() {
            Some(b']') => Ok(false),
            Some(b',') if !self.first => {
                self.de.pos += 1;
                match self.de.ws() {
                    Some(b']') => Err(Error::syntax("trailing comma")),
                    _ => Ok(true),
                }
            }
            Some(_) if self.first => {
                self.first = false;
                Ok(true)
            }
            Some(_) => Err(Error::syntax("expected `,` or `]`")),
            None => Err(Error::syntax("EOF while parsing a list")),
        }
    }
}

impl<'de> de::SeqAccess<'de> for Seq<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.next()? {
            return Ok(None);
        }
        let i = self.index;
        self.index += 1;
        seed.deserialize(&mut *self.de)
            .map(Some)
            .map_err(|e| e.at_index(i))
    }
}

/// The entries of an object, after its `{`.
struct Map<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    first: bool,
    /// Where the key of the entry being read starts, read again for an error's path.
    key_at: usize,
}

impl<'a, 'de> Map<'a, 'de> {
    fn new(de: &'a mut Deserializer<'de>) -> Self {
        Map {
            de,
            first: true,
            key_at: 0,
        }
    }

    /// The next key, or `None` at the closing brace.
    #[inline(never)]
    fn next_key(&mut self) -> Result<Option<Cow<'de, str>>> {
        match self.de.ws() {
            Some(b'}') => return Ok(None),
            Some(b',') if !self.first => {
                self.de.pos += 1;
                match self.de.ws() {
                    Some(b'}') => return Err(Error::syntax("trailing comma")),
                    None => return Err(Error::syntax("EOF while parsing an object")),
                    _ => {}
                }
            }
            Some(_) if self.first => {}
            Some(_) => return Err(Error::syntax("expected `,` or `}`")),
            None => return Err(Error::syntax("EOF while parsing an object")),
        }
        self.first = false;
        self.key_at = self.de.pos;
        match self.de.peek() {
            Some(b'"') => self.de.string().map(Some),
            _ => Err(Error::syntax("key must be a string")),
        }
    }

    #[inline(never)]
    fn colon(&mut self) -> Result<()> {
        match self.de.ws() {
            Some(b':') => {
                self.de.pos += 1;
                Ok(())
            }
            Some(_) => Err(Error::syntax("expected `:`")),
            None => Err(Error::syntax("EOF while parsing an object")),
        }
    }
}

impl<'de> de::MapAccess<'de> for Map<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some(key) = self.next_key()? else {
            return Ok(None);
        };
        seed.deserialize(Key(key))
            .map(Some)
            .map_err(|e| e.at_key_in(self.de.text, self.key_at))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        self.colon()?;
        seed.deserialize(&mut *self.de)
            .map_err(|e| e.at_key_in(self.de.text, self.key_at))
    }
}

/// An object key, or an enum's variant name: a string that integer-keyed maps read as a number.
struct Key<'de>(Cow<'de, str>);

impl<'de> Key<'de> {
    /// An integer-keyed map's key: the whole string must be a JSON integer.
    fn int<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        let text = &*self.0;
        let mut d = Deserializer::new(text);
        match d.number() {
            Ok(n) if n.integer && d.pos == text.len() => n.visit_int(v),
            _ => Err(de::Error::invalid_type(Unexpected::Str(text), &v)),
        }
    }
}

impl<'de> de::Deserializer<'de> for Key<'de> {
    type Error = Error;

    /// One call for both kinds of key, so a struct's field names are matched in one place.
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        v.visit_str(&self.0)
    }

    forward_to!(int: deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_u8
        deserialize_u16 deserialize_u32 deserialize_u64);

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        v.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string bytes byte_buf option unit unit_struct
        newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de> de::EnumAccess<'de> for Key<'de> {
    type Error = Error;
    type Variant = UnitOnly;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, UnitOnly)> {
        seed.deserialize(self).map(|v| (v, UnitOnly))
    }
}

/// A variant named by a bare string has no content.
struct UnitOnly;

impl<'de> de::VariantAccess<'de> for UnitOnly {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"newtype variant",
        ))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _v: V) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"tuple variant",
        ))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _v: V,
    ) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"struct variant",
        ))
    }
}

/// A variant written as a one-entry object, `{"name": content}`, after its `{`.
struct Variant<'a, 'de> {
    de: &'a mut Deserializer<'de>,
}

impl<'a, 'de> de::EnumAccess<'de> for Variant<'a, 'de> {
    type Error = Error;
    type Variant = Content<'a, 'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant)> {
        let mut map = Map::new(self.de);
        let key = match map.next_key()? {
            Some(k) => k,
            None => return Err(de::Error::invalid_value(Unexpected::Map, &"one variant")),
        };
        let key_at = map.key_at;
        let value = seed
            .deserialize(Key(key))
            .map_err(|e| e.at_key_in(map.de.text, key_at))?;
        map.colon()?;
        Ok((value, Content { de: map.de, key_at }))
    }
}

/// The content of a variant written as an object.
struct Content<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    key_at: usize,
}

impl<'de> de::VariantAccess<'de> for Content<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(&mut *self.de)
            .map_err(|e| e.at_key_in(self.de.text, self.key_at))
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(&mut *self.de)
            .map_err(|e| e.at_key_in(self.de.text, self.key_at))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(&mut *self.de, v)
            .map_err(|e| e.at_key_in(self.de.text, self.key_at))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_map(&mut *self.de, v)
            .map_err(|e| e.at_key_in(self.de.text, self.key_at))
    }
}
