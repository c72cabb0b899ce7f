//! Exact decimal values at the boundary: money and quantities are `Decimal`, never floats.
//!
//! Accepted input forms (JSON or JS): a decimal string (`"0.0079"`, `"-12.5"`), an integer
//! (`5`), or a float whose value is exactly the decimal it was written as (`0.5`, `0.25`, but not
//! `0.1`, whose binary value is 0.1000000000000000055…). Strings are preferred: they never lose
//! anything. NaN, Infinity, exponents and more than 28 significant digits are rejected.
//!
//! Where `f64` appears in `src/` (audited; none holds an amount of money):
//! - here, [`decimal_from_f64`]: a JS number given for a decimal field, turned into the exact
//!   `Decimal` it stands for or rejected; nothing is computed with it (only another
//!   deserializer's floats reach it: this crate's own hands an amount its digits);
//! - `input::json`: a JSON number parsed as an `f64` only for a field that is itself a float (the
//!   projection's volumes and shares above) or a self-describing value; an amount asks for its
//!   digits instead (`json::DEC`), and an integer field reads an integer;
//! - `projection::profile` and `projection::rng`: volumes per day, shapes, shares, growth,
//!   variation, busy-period multipliers, call durations, probabilities and random draws, and
//!   the draws' tables (`rng::Tables`: the ziggurat's layer edges and the 2^(j/64) of the
//!   noise's `exp`), whose results are volume factors;
//! - `projection::path`: expected volumes, the shares a step's count is split by and the
//!   rounding carried between steps (`split`: message and increment counts are integers); the
//!   chart copies of the balance (`to_f64`, `Series`);
//! - `projection` (the result types): the series' times and balances (chart copies, above) and
//!   the probabilities and mean recharge counts below;
//! - `projection::stats` and `advice`: the balance bands (chart copies, chosen by rank), times as
//!   chart numbers, probabilities, shares and means of recharge counts (`Counts::figures`); the
//!   bytes a range of paths run in another thread sends (`Partial`, `Reader`) hold the daily
//!   balances as those same chart copies, while each month's spend crosses as an integer mantissa
//!   and a scale and is rebuilt as the exact `Decimal`;
//! - `columns` (`Names`, `refusal_columns`, `ledger_columns`): the numbers sent beside the
//!   refusals' and ledger entries' text — event indices, counts, and indices into the names of
//!   services, reasons and entry kinds (-1 for none) — as the JS numbers their JSON would give;
//!   every amount in them (amount, balance, pending fees, amount attempted) is a decimal string,
//!   and `pack_refusals` writes a projection's refusal amounts as a scale and an integer
//!   mantissa (the JS entry prints them from those digits, never through a float);
//! - test modules: the same quantities, and the floats the conversions above are checked with.
//!
//! The projection's fast lanes (charges summed, held or compared with the account's limits) and
//! [`Sum`] (`rateBatch`'s totals) work on integer mantissas at a decimal scale, never on floats.
//!
//! Every amount the engine computes, sums, compares or reports — prices, charges, fees,
//! balances, recharges, invoices, statements, `monthlySpend` — is a `Decimal`.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, ErrorCode, Quoted};

/// A tagged serde error message: the tag carries the stable code through serde's string errors.
pub(crate) fn tagged(code: ErrorCode, msg: impl fmt::Display) -> String {
    format!("[{}] {}", code.as_str(), msg)
}

/// An exact decimal amount or quantity. Serialises as a decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dec(pub Decimal);

impl Dec {
    pub const ZERO: Dec = Dec(Decimal::ZERO);
    pub fn get(self) -> Decimal {
        self.0
    }
}

impl From<Decimal> for Dec {
    fn from(d: Decimal) -> Self {
        Dec(d)
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.normalize(), f)
    }
}

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        with_plain(self.0, |text| s.serialize_str(text))
    }
}

/// Call `f` with `d` written without trailing zeros, exactly as `Decimal`'s `Display` writes the
/// normalised value (`-0.5`, `12`, `0.0079`). Every amount written out goes through here, so the
/// usual case — a mantissa within 64 bits — is written into a stack buffer digit by digit,
/// without the formatting machinery or an allocation; wider ones go through `Display`.
pub fn with_plain<R>(d: Decimal, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 40];
    match plain_into(d, &mut buf) {
        Some(text) => f(text),
        None => f(&d.normalize().to_string()),
    }
}

/// `d` normalised into the end of `buf`; `None` if its mantissa needs more than 64 bits.
fn plain_into(d: Decimal, buf: &mut [u8; 40]) -> Option<&str> {
    let d = d.normalize();
    let mut u = u64::try_from(d.mantissa().unsigned_abs()).ok()?;
    let scale = d.scale();
    // At most 28 fraction digits, a point, 20 integer digits (then no fraction) and a sign: the
    // buffer cannot run out, and `?` on each position keeps that unchecked by panics.
    let mut i = buf.len();
    let mut put = |i: &mut usize, b: u8| -> Option<()> {
        *i = i.checked_sub(1)?;
        *buf.get_mut(*i)? = b;
        Some(())
    };
    for _ in 0..scale {
        put(&mut i, b'0' + (u % 10) as u8)?;
        u /= 10;
    }
    if scale > 0 {
        put(&mut i, b'.')?;
    }
    loop {
        put(&mut i, b'0' + (u % 10) as u8)?;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if d.is_sign_negative() && !d.is_zero() {
        put(&mut i, b'-')?;
    }
    std::str::from_utf8(buf.get(i..)?).ok()
}

/// Parse a plain decimal string: optional `-`, digits, optional `.` and digits. No exponent, no
/// `+`, no spaces or separators.
pub fn parse_decimal(s: &str) -> Result<Decimal, String> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let dot_at_an_end = body.starts_with('.') || body.ends_with('.');
    if !dot_at_an_end {
        if let Some(d) = exact_plain(s) {
            return Ok(d);
        }
    }
    // Not a decimal this type holds: say why, in this order.
    if body.chars().any(|c| !c.is_ascii_digit() && c != '.') || body.matches('.').count() > 1 {
        return Err(format!(
            "{} is not a decimal number (write digits with an optional '-' and '.', e.g. \"0.0079\")",
            Quoted(s)
        ));
    }
    if !body.bytes().any(|b| b.is_ascii_digit()) {
        return Err(format!("{} is not a decimal number", Quoted(s)));
    }
    if dot_at_an_end {
        return Err(format!(
            "{} is not a decimal number (digits are needed on both sides of '.')",
            Quoted(s)
        ));
    }
    Err(format!(
        "{} has more digits than a 96-bit decimal holds exactly (28 significant digits)",
        Quoted(s)
    ))
}

/// The decimal a plain decimal string names (optional `-`, digits, optional `.` and digits), or
/// `None` when it has another character (a `+` too) or does not fit exactly: more than 28 places,
/// or a mantissa past 96 bits. What `Decimal::from_str_exact` gives for such a string (a test
/// checks it), without `rust_decimal`'s general parser (about 1.2 KB gzipped of the rating core).
pub fn exact_plain(s: &str) -> Option<Decimal> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (mut m, mut scale, mut point, mut digits) = (0u128, 0u32, false, false);
    for b in body.bytes() {
        match b {
            b'.' if !point => point = true,
            b'0'..=b'9' => {
                m = m.checked_mul(10)?.checked_add(u128::from(b - b'0'))?;
                scale += u32::from(point);
                digits = true;
            }
            _ => return None,
        }
    }
    if !digits || scale > 28 || m >> 96 != 0 {
        return None;
    }
    // The three 32-bit words of the mantissa; the casts keep the low 32 bits of each.
    let word = |k: u32| (m >> (32 * k)) as u32;
    Some(Decimal::from_parts(
        word(0),
        word(1),
        word(2),
        negative,
        scale,
    ))
}

/// Convert a float to the decimal it was written as, only if that decimal is exactly the float.
pub fn decimal_from_f64(v: f64) -> Result<Decimal, String> {
    if !v.is_finite() {
        return Err("NaN and Infinity are not numbers an amount can have".to_string());
    }
    // The shortest representation that round-trips is what the user typed (JSON.stringify and
    // serde_json agree on it). Exponent forms such as 1e-7 are refused: write a decimal string.
    let shortest = serde_json::to_string(&v).unwrap_or_default();
    let d = exact_plain(&shortest).ok_or_else(|| {
        format!("{shortest} is not a plain decimal within the 28-digit range; pass it as a decimal string")
    })?;
    // d = m / 10^k is a binary fraction exactly iff 5^k divides m (after normalising).
    let n = d.normalize();
    let k = n.scale();
    let m = n.mantissa().unsigned_abs();
    let five_k = 5u128.checked_pow(k).ok_or_else(|| inexact(&shortest))?;
    if m % five_k != 0 {
        return Err(inexact(&shortest));
    }
    Ok(n)
}

/// A JSON number, as written, to the decimal it names: only if it is exactly a binary float, as
/// [`decimal_from_f64`] would have it. JSON from `JSON.stringify` writes a number in its shortest
/// round-trip form, so the two agree on it; the text is never turned into a float.
pub fn decimal_from_number(text: &str) -> Result<Decimal, String> {
    if text.contains(['e', 'E']) {
        return Err(format!(
            "{text} is not a plain decimal within the 28-digit range; pass it as a decimal string"
        ));
    }
    let d = exact_plain(text).ok_or_else(|| {
        format!(
            "{text} is not a plain decimal within the 28-digit range; pass it as a decimal string"
        )
    })?;
    let n = d.normalize();
    let k = n.scale();
    let m = n.mantissa().unsigned_abs();
    let five_k = 5u128.checked_pow(k).ok_or_else(|| inexact(text))?;
    if m % five_k != 0 {
        return Err(inexact(text));
    }
    Ok(n)
}

fn inexact(shortest: &str) -> String {
    format!(
        "the number {shortest} is not exact in binary floating point; pass it as a decimal string (\"{shortest}\")"
    )
}

struct DecVisitor;

impl<'de> Visitor<'de> for DecVisitor {
    type Value = Dec;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal string such as \"0.0079\" or an integer")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Dec, E> {
        parse_decimal(v)
            .map(Dec)
            .map_err(|m| E::custom(tagged(ErrorCode::InvalidNumber, m)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dec, E> {
        Ok(Dec(Decimal::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dec, E> {
        Ok(Dec(Decimal::from(v)))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Dec, E> {
        Decimal::try_from_i128_with_scale(v, 0)
            .map(Dec)
            .map_err(|_| {
                E::custom(tagged(
                    ErrorCode::InvalidNumber,
                    "integer outside the decimal range",
                ))
            })
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dec, E> {
        decimal_from_f64(v)
            .map(Dec)
            .map_err(|m| E::custom(tagged(ErrorCode::InvalidNumber, m)))
    }
    /// A JSON number's text, from [`crate::input::json::Deserializer`].
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Dec, E> {
        let text = std::str::from_utf8(v).unwrap_or("");
        decimal_from_number(text)
            .map(Dec)
            .map_err(|m| E::custom(tagged(ErrorCode::InvalidNumber, m)))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Dec, D::Error> {
        d.deserialize_any(DecVisitor)
    }
}

impl<'de> Deserialize<'de> for Dec {
    /// Through [`crate::input::json::DEC`], the crate's own deserializer hands over a number's
    /// text (`visit_bytes`) instead of a float; any other sees a newtype and reads any value.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(crate::input::json::DEC, DecVisitor)
    }
}

impl Dec {
    /// Read an amount by hand ([`crate::input::json`]): exactly what its `Deserialize` reads.
    pub fn read(d: &mut crate::input::json::Deserializer<'_>) -> crate::input::json::Result<Dec> {
        d.amount(DecVisitor)
    }
}

/// A named rounding strategy, as a rate card spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Strategy {
    /// Half away from zero (commercial rounding).
    HalfUp,
    /// Half to even (banker's rounding).
    HalfEven,
    /// Half towards zero.
    HalfDown,
    /// Away from zero.
    Up,
    /// Towards zero (truncate).
    Down,
    /// Towards +∞.
    Ceiling,
    /// Towards −∞.
    Floor,
}

crate::named!(Strategy, "enum Strategy", {
    Strategy::HalfUp => "halfUp",
    Strategy::HalfEven => "halfEven",
    Strategy::HalfDown => "halfDown",
    Strategy::Up => "up",
    Strategy::Down => "down",
    Strategy::Ceiling => "ceiling",
    Strategy::Floor => "floor",
});

impl Strategy {
    pub fn rust(self) -> RoundingStrategy {
        match self {
            Strategy::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Strategy::HalfEven => RoundingStrategy::MidpointNearestEven,
            Strategy::HalfDown => RoundingStrategy::MidpointTowardZero,
            Strategy::Up => RoundingStrategy::AwayFromZero,
            Strategy::Down => RoundingStrategy::ToZero,
            Strategy::Ceiling => RoundingStrategy::ToPositiveInfinity,
            Strategy::Floor => RoundingStrategy::ToNegativeInfinity,
        }
    }
}

/// Where a rate card rounds: to `scale` decimal places with a named strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rounding {
    pub scale: u32,
    pub strategy: Strategy,
}

impl Rounding {
    pub const MAX_SCALE: u32 = 12;
    pub fn apply(self, d: Decimal) -> Decimal {
        d.round_dp_with_strategy(self.scale, self.strategy.rust())
    }
}

/// Checked helpers that turn overflow into an error with a path. Sums and differences are exact
/// or an error: `Decimal` keeps 28 significant digits and would round the last ones of a sum
/// silently (cents on 10^25), and amounts are rounded only where the rate card says.
pub fn add(a: Decimal, b: Decimal, path: &str) -> Result<Decimal, Error> {
    exact(a.checked_add(b), a, b, path)
}
pub fn sub(a: Decimal, b: Decimal, path: &str) -> Result<Decimal, Error> {
    exact(a.checked_sub(b), a, b, path)
}

/// `r` (the sum or difference of `a` and `b`) if it is exact. `Decimal` keeps the finer scale of
/// the two unless the result then needs more than 96 bits, and only then rounds to a coarser
/// scale: exact when that scale still holds every digit `a` and `b` have.
fn exact(r: Option<Decimal>, a: Decimal, b: Decimal, path: &str) -> Result<Decimal, Error> {
    match r {
        Some(x) if x.scale() >= a.scale().max(b.scale()) || x.is_zero() => Ok(x),
        // Only trailing zeros dropped?
        Some(x) if x.scale() >= a.normalize().scale().max(b.normalize().scale()) => Ok(x),
        Some(_) => Err(too_precise(path)),
        None => Err(Error::overflow(path)),
    }
}

/// A running sum of many amounts, the same as folding [`add`] over them from
/// `Decimal::ZERO` (value, scale and errors), kept as an integer mantissa at the finest scale
/// seen while no amount is negative and the sum fits `Decimal`'s 96 bits: each step is
/// then an integer addition instead of a `Decimal` one. Anything else (a negative amount, a sum
/// beyond 96 bits) continues with [`add`] from the sum so far, which is exact.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sum {
    mantissa: u128,
    scale: u32,
    /// The sum, once it is kept as a `Decimal`.
    dec: Option<Decimal>,
}

/// 2^96: mantissas below it fit a `Decimal`.
const MANTISSA_LIMIT: u128 = 1 << 96;

impl Sum {
    /// Add `d`: an error (at `path`) exactly where [`add`] gives one, and the sum then stays as
    /// it was.
    pub fn add(&mut self, d: Decimal, path: &str) -> Result<(), Error> {
        if let Some(x) = self.dec {
            self.dec = Some(add(x, d, path)?);
            return Ok(());
        }
        if let Some((m, s)) = self.plus(d) {
            self.mantissa = m;
            self.scale = s;
            return Ok(());
        }
        let so_far = self.value()?;
        self.dec = Some(add(so_far, d, path)?);
        Ok(())
    }

    /// The mantissa and scale after adding `d`, if `d` is not negative and the sum fits.
    #[inline]
    fn plus(&self, d: Decimal) -> Option<(u128, u32)> {
        // A negative amount, or a negative zero (`0 + -0` is `-0`), takes `add`.
        if d.is_sign_negative() {
            return None;
        }
        let (m, s) = (d.mantissa().unsigned_abs(), d.scale());
        // As `Decimal` adds: `0 + d` is `d`, and `x + 0` is `x`, each at its own scale.
        if self.mantissa == 0 {
            return Some((m, s));
        }
        if m == 0 {
            return Some((self.mantissa, self.scale));
        }
        let (a, b, scale) = match s.cmp(&self.scale) {
            std::cmp::Ordering::Equal => (self.mantissa, m, s),
            std::cmp::Ordering::Greater => (
                self.mantissa
                    .checked_mul(10u128.checked_pow(s - self.scale)?)?,
                m,
                s,
            ),
            std::cmp::Ordering::Less => (
                self.mantissa,
                m.checked_mul(10u128.checked_pow(self.scale - s)?)?,
                self.scale,
            ),
        };
        // Both operands are at most the sum, so they fit at `scale` as `Decimal` aligns them.
        let sum = a.checked_add(b).filter(|x| *x < MANTISSA_LIMIT)?;
        Some((sum, scale))
    }

    /// The sum as a `Decimal`. (Below 2^96, at a scale some `Decimal` had: the error cannot
    /// happen.)
    pub fn value(&self) -> Result<Decimal, Error> {
        match self.dec {
            Some(x) => Ok(x),
            None => i128::try_from(self.mantissa)
                .ok()
                .and_then(|m| Decimal::try_from_i128_with_scale(m, self.scale).ok())
                .ok_or_else(|| Error::overflow("")),
        }
    }
}

fn too_precise(path: &str) -> Error {
    Error::new(
        ErrorCode::Overflow,
        path,
        "the amount would need more than 28 significant digits",
    )
}
/// Products are exact or an error too: `Decimal` gives the product the sum of the scales, and
/// rounds to a coarser one only when that does not fit.
pub fn mul(a: Decimal, b: Decimal, path: &str) -> Result<Decimal, Error> {
    match a.checked_mul(b) {
        Some(x) if x.scale() >= a.scale() + b.scale() || x.is_zero() => Ok(x),
        Some(x) if x.scale() >= a.normalize().scale() + b.normalize().scale() => Ok(x),
        Some(_) => Err(too_precise(path)),
        None => Err(Error::overflow(path)),
    }
}
pub fn div(a: Decimal, b: Decimal, path: &str) -> Result<Decimal, Error> {
    a.checked_div(b).ok_or_else(|| Error::overflow(path))
}

/// The smallest integer at or above `x`, at scale 0, as `Decimal::ceil` gives it (a negative
/// zero aside), without `Decimal`'s division.
pub fn ceil_int(x: Decimal) -> Decimal {
    let scale = x.scale();
    if scale == 0 {
        return x;
    }
    // scale <= 28: 10^scale < 2^127.
    let p = 10i128.pow(scale);
    let m = x.mantissa();
    let q = m / p + i128::from(m > 0 && m % p != 0);
    // |q| <= |m| < 2^96.
    Decimal::try_from_i128_with_scale(q, 0).unwrap_or(x)
}

/// `ceil(n / d)` for `d > 0`, exactly, in integers: `n = a / 10^p` and `d = b / 10^q`, so
/// `n / d = a * 10^q / (b * 10^p)`. `None` when that does not fit 127 bits or the quotient 96
/// (`Decimal`'s division, which this replaces, rounded such quotients or failed).
pub fn ceil_div(n: Decimal, d: Decimal) -> Option<Decimal> {
    let (n, d) = (n.normalize(), d.normalize());
    let num = n.mantissa().checked_mul(10i128.checked_pow(d.scale())?)?;
    let den = d.mantissa().checked_mul(10i128.checked_pow(n.scale())?)?;
    if den <= 0 {
        return None;
    }
    let q = num / den + i128::from(num > 0 && num % den != 0);
    Decimal::try_from_i128_with_scale(q, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Sum` against `add` folded, in a module of its own: proptest's `Strategy` is not the
    /// rounding `Strategy`.
    mod sum {
        use super::super::{add, Sum};
        use proptest::prelude::*;
        use rust_decimal::Decimal;

        /// Amounts of every kind a sum meets: zeros at several scales (and a negative zero), small
        /// prices, whole numbers, a few negative amounts, and mantissas near 96 bits.
        fn amount() -> impl Strategy<Value = Decimal> {
            prop_oneof![
                4 => (0i64..1_000_000, 0u32..8).prop_map(|(m, s)| Decimal::new(m, s)),
                1 => (0u32..29).prop_map(|s| Decimal::new(0, s)),
                1 => (0u32..29).prop_map(|s| -Decimal::new(0, s)),
                1 => (-1_000_000i64..0, 0u32..8).prop_map(|(m, s)| Decimal::new(m, s)),
                1 => (0u128..(1 << 96), 0u32..29).prop_map(|(m, s)| {
                    Decimal::from_i128_with_scale(m as i128, s)
                }),
                1 => (0u128..1000, 0u32..29).prop_map(|(m, s)| {
                    Decimal::from_i128_with_scale(((1u128 << 96) - 1 - m) as i128, s)
                }),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4000))]
            /// `Sum` is `add` folded from zero: the same value and scale (its text), or the same
            /// error at the same amount, which leaves the sum as it was.
            #[test]
            fn sum_is_add_folded(amounts in proptest::collection::vec(amount(), 0..40)) {
                let mut folded = Ok(Decimal::ZERO);
                let mut fold_failed_at = None;
                for (i, d) in amounts.iter().enumerate() {
                    if let Ok(x) = folded {
                        folded = add(x, *d, "p");
                        if folded.is_err() {
                            fold_failed_at = Some(i);
                        }
                    }
                }
                let mut sum = Sum::default();
                let mut sum_failed_at = None;
                for (i, d) in amounts.iter().enumerate() {
                    let before = sum.value().unwrap();
                    if sum.add(*d, "p").is_err() {
                        sum_failed_at = Some(i);
                        // The failed amount left the sum as it was.
                        prop_assert_eq!(sum.value().unwrap().to_string(), before.to_string());
                        break;
                    }
                }
                prop_assert_eq!(sum_failed_at, fold_failed_at);
                if let Ok(x) = folded {
                    let v = sum.value().unwrap();
                    prop_assert_eq!(v.to_string(), x.to_string());
                    prop_assert_eq!(v.scale(), x.scale());
                    prop_assert_eq!(v.is_sign_negative(), x.is_sign_negative());
                }
            }
        }
    }

    mod ceiling {
        use super::super::{ceil_div, ceil_int};
        use proptest::prelude::*;
        use rust_decimal::Decimal;

        fn show(d: Option<Decimal>) -> Option<(String, u32)> {
            d.map(|d| (d.to_string(), d.scale()))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(20000))]

            /// `ceil_int` against `Decimal::ceil`: the same value at scale 0.
            #[test]
            fn ceil_int_is_decimal_ceil(m in -(1i128 << 96) + 1..(1i128 << 96), scale in 0u32..=28) {
                let x = Decimal::from_i128_with_scale(m, scale);
                let (a, b) = (ceil_int(x), x.ceil());
                prop_assert_eq!((a, a.scale()), (b, b.scale()), "{}", x);
            }

            /// Where `Decimal`'s quotient is exact enough to round up from, `ceil_div` gives what
            /// `checked_div` and `ceil` gave.
            #[test]
            fn ceil_div_is_decimal_division_rounded_up(
                a in 0i64..1_000_000_000_000, p in 0u32..=8, b in 1i64..1_000_000_000, q in 0u32..=8,
            ) {
                let (n, d) = (Decimal::new(a, p), Decimal::new(b, q));
                let want = n.checked_div(d).map(|x| x.ceil());
                let got = ceil_div(n, d);
                prop_assert_eq!(show(got), show(want), "{} / {}", n, d);
            }
        }

        #[test]
        fn ceil_div_is_exact_where_decimal_division_rounds() {
            // 7e28 / 7 is 1e28 exactly; one more unit makes 1e28 + 1/7: Decimal's 96-bit quotient
            // loses the fraction, the exact ceiling is 1e28 + 1.
            let n = Decimal::from_i128_with_scale(7 * 10i128.pow(28) + 1, 0);
            let seven = Decimal::from(7);
            assert_eq!(
                n.checked_div(seven).map(|x| x.ceil()).unwrap().to_string(),
                "10000000000000000000000000000"
            );
            assert_eq!(
                ceil_div(n, seven).unwrap().to_string(),
                "10000000000000000000000000001"
            );
            assert_eq!(ceil_div(Decimal::ZERO, seven), Some(Decimal::ZERO));
            assert_eq!(
                ceil_div(Decimal::new(25, 1), Decimal::new(5, 1))
                    .unwrap()
                    .to_string(),
                "5"
            );
            assert_eq!(
                ceil_div(Decimal::new(26, 1), Decimal::new(5, 1))
                    .unwrap()
                    .to_string(),
                "6"
            );
            assert_eq!(ceil_div(seven, Decimal::ZERO), None);
            assert_eq!(
                ceil_div(Decimal::ONE, Decimal::new(1, 28))
                    .unwrap()
                    .to_string(),
                format!("1{}", "0".repeat(28))
            );
            // The largest decimal over 1e-28 needs about 7.9e28 * 1e28: past 127 bits, and past
            // Decimal's range (its division failed too).
            assert_eq!(ceil_div(Decimal::MAX, Decimal::new(1, 28)), None);
            assert_eq!(Decimal::MAX.checked_div(Decimal::new(1, 28)), None);
        }
    }

    mod plain {
        use super::super::exact_plain;
        use proptest::prelude::*;
        use rust_decimal::Decimal;

        fn same(s: &str) -> Result<(), TestCaseError> {
            let ours = exact_plain(s);
            let theirs = Decimal::from_str_exact(s).ok();
            let show =
                |d: Option<Decimal>| d.map(|d| (d.to_string(), d.scale(), d.is_sign_negative()));
            prop_assert_eq!(show(ours), show(theirs), "{:?}", s);
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(20000))]

            /// Plain decimal strings of up to 40 digits on either side of the point, with
            /// leading and trailing zeros: the same value, scale and sign as `from_str_exact`.
            #[test]
            fn exact_plain_is_from_str_exact(
                neg in any::<bool>(),
                lead in "0{0,12}",
                int in "[0-9]{1,40}",
                frac in proptest::option::of("[0-9]{1,40}"),
                trail in "0{0,12}",
            ) {
                let frac = frac.map(|f| format!(".{f}{trail}")).unwrap_or_default();
                same(&format!("{}{lead}{int}{frac}", if neg { "-" } else { "" }))?;
            }
        }

        #[test]
        fn exact_plain_at_the_limits() {
            let max = "79228162514264337593543950335";
            for s in [
                "0",
                "-0",
                "0.0",
                "-0.000",
                "1",
                "-1",
                "007",
                "0.5",
                "-0.25",
                max,
                "79228162514264337593543950336",
                "7.9228162514264337593543950335",
                "0.0000000000000000000000000001",
                "0.00000000000000000000000000001",
                "0.0000000000000000000000000000",
                "0.00000000000000000000000000000",
                "340282366920938463463374607431768211455",
                "340282366920938463463374607431768211456",
                "-79228162514264337593543950335",
                "1.",
                ".5",
                "",
                "-",
                "1.2.3",
                "1e5",
                " 1",
            ] {
                same(s).unwrap();
            }
            // The one difference: a plain decimal has no `+` (`from_str_exact` takes "+1").
            assert_eq!(exact_plain("+1"), None);
        }
    }

    #[test]
    fn sums_are_exact_or_an_error() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(add(d("0.5"), d("0.25"), "").unwrap().to_string(), "0.75");
        assert_eq!(sub(d("1.10"), d("1.1"), "").unwrap().to_string(), "0.00");
        // 30 significant digits: Decimal alone would round to ...105.604.
        let big = d("13574074074074000000000105.6");
        assert!(add(big, d("0.037"), "").is_ok(), "29 digits fit");
        let e = add(big, d("0.0037"), "total").unwrap_err();
        assert_eq!(
            (e.code, e.path.as_str()),
            (crate::ErrorCode::Overflow, "total")
        );
        assert!(
            big.checked_add(d("0.0037")).is_some(),
            "Decimal rounds it silently"
        );
        assert!(sub(big, d("0.0037"), "").is_err());
        // Coarser result, but only trailing zeros lost: exact.
        let huge = d("10000000000000000000000000000");
        assert_eq!(
            add(huge, d("1.000"), "").unwrap(),
            d("10000000000000000000000000001")
        );
        assert!(add(huge, d("1.5"), "").is_err());
        assert!(add(Decimal::MAX, Decimal::ONE, "").is_err());
        // Products: the scales add up; beyond 28 places, or 96 bits, an error.
        assert_eq!(mul(d("0.0079"), d("3"), "").unwrap().to_string(), "0.0237");
        assert_eq!(
            mul(d("0.333333333333"), d("0.0079"), "")
                .unwrap()
                .to_string(),
            "0.0026333333333307"
        );
        let e = mul(d("0.1234567890123456789012345678"), d("0.005"), "quantity").unwrap_err();
        assert_eq!(
            (e.code, e.path.as_str()),
            (crate::ErrorCode::Overflow, "quantity")
        );
        assert!(mul(d("0.1234567890123456789012345678"), d("2.000"), "").is_ok());
        assert!(mul(big, d("10"), "").is_ok());
        assert!(mul(big, d("10.01"), "").is_err());
        // Zero is exact whatever scale it comes back with.
        assert!(mul(Decimal::ZERO, d("2.50"), "").is_ok());
        assert!(mul(d("0.0000000000000000000000000000"), d("2.5"), "").is_ok());
    }

    #[test]
    fn plain_is_display_of_the_normalised_value() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut cases = vec![
            Decimal::ZERO,
            -Decimal::ZERO,
            Decimal::new(-0, 3),
            Decimal::new(5, 1),
            Decimal::new(-50, 2),
            Decimal::new(79, 4),
            Decimal::new(12_000, 0),
            Decimal::new(1, 28),
            Decimal::new(-1, 28),
            Decimal::new(i64::MAX, 0),
            Decimal::new(i64::MIN, 0),
            Decimal::new(i64::MAX, 28),
            Decimal::from(u64::MAX),
            -Decimal::from(u64::MAX),
            Decimal::from_i128_with_scale(i128::from(u64::MAX) + 1, 3),
            Decimal::MAX,
            Decimal::MIN,
        ];
        for _ in 0..20_000 {
            let bits = next() % 97;
            let m = i128::from(next()) << 32 | i128::from(next() as u32);
            let m = m >> (96 - bits.min(95)) as u32;
            let m = if next() % 2 == 0 { m } else { -m };
            let scale = (next() % 29) as u32;
            if let Ok(d) = Decimal::try_from_i128_with_scale(m, scale) {
                cases.push(d);
            }
            // Trailing zeros to strip.
            cases.push(Decimal::new(
                (next() % 100_000) as i64 * 1000,
                (next() % 12) as u32,
            ));
        }
        for d in cases {
            assert_eq!(
                with_plain(d, |s| s.to_string()),
                d.normalize().to_string(),
                "{d:?}"
            );
        }
    }

    #[test]
    fn floats_exact_as_written_are_accepted() {
        assert_eq!(decimal_from_f64(0.5).unwrap(), Decimal::new(5, 1));
        assert_eq!(decimal_from_f64(0.25).unwrap(), Decimal::new(25, 2));
        assert_eq!(decimal_from_f64(3.0).unwrap(), Decimal::from(3));
        assert!(decimal_from_f64(0.1).is_err());
        assert!(decimal_from_f64(0.0079).is_err());
        assert!(decimal_from_f64(f64::NAN).is_err());
        assert!(decimal_from_f64(f64::INFINITY).is_err());
        assert!(decimal_from_f64(1e300).is_err());
    }

    #[test]
    fn strings_must_be_plain_decimals() {
        assert_eq!(parse_decimal("0.0079").unwrap(), Decimal::new(79, 4));
        assert_eq!(parse_decimal("-12").unwrap(), Decimal::from(-12));
        for bad in [
            "", "-", ".5", "5.", "1e3", "+1", " 1", "1,000", "NaN", "1.2.3",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(parse_decimal("0.12345678901234567890123456789").is_err());
        // Each refusal says why: the first reason that applies.
        let why = |s: &str| {
            let m = parse_decimal(s).unwrap_err();
            m.split_once(" is not a decimal number")
                .map(|(_, r)| r.to_string())
                .or_else(|| m.contains("more digits").then(|| "too long".to_string()))
                .unwrap()
        };
        let chars = " (write digits with an optional '-' and '.', e.g. \"0.0079\")";
        let dots = " (digits are needed on both sides of '.')";
        for (s, reason) in [
            ("", ""),
            ("-", ""),
            (".", ""),
            ("-.", ""),
            (".5", dots),
            ("5.", dots),
            ("-5.", dots),
            ("1e3", chars),
            ("+1", chars),
            ("--1", chars),
            ("1.2.3", chars),
            ("..", chars),
            ("1.2.", chars),
            ("0.12345678901234567890123456789", "too long"),
            ("79228162514264337593543950336", "too long"),
        ] {
            assert_eq!(why(s), reason, "{s:?}");
        }
    }

    #[test]
    fn rounding_strategies_are_explicit() {
        let r = |s| Rounding {
            scale: 2,
            strategy: s,
        };
        let d = Decimal::new(12345, 3); // 12.345
        assert_eq!(r(Strategy::HalfUp).apply(d), Decimal::new(1235, 2));
        assert_eq!(r(Strategy::HalfEven).apply(d), Decimal::new(1234, 2));
        assert_eq!(r(Strategy::Down).apply(d), Decimal::new(1234, 2));
        assert_eq!(r(Strategy::Ceiling).apply(-d), Decimal::new(-1234, 2));
        assert_eq!(r(Strategy::Floor).apply(-d), Decimal::new(-1235, 2));
    }
}
