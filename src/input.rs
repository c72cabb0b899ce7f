//! Turning JSON-shaped input (a JSON string natively, a JS value in WASM) into typed Rust values,
//! with every serde error mapped to a stable code and a path.

use serde::{Deserialize, Deserializer};

use crate::error::{join_path, Error, ErrorCode};

pub mod json;

const NULL_NOT_ALLOWED: &str = "null is not allowed here";

/// Largest JSON text accepted in one call (512 MiB, about a JS engine's longest string): enough
/// for a year of 10,000 messages a day as individual events.
pub const MAX_JSON_BYTES: usize = 512 * 1024 * 1024;

/// Parse a JSON string into `T`, with a coded error and the path of the offending field.
///
/// [`json::Deserializer`] reads the text; an error carries the path of the field it is about,
/// added as it leaves each object and list, so the happy path tracks nothing.
pub fn from_json<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T, Error> {
    read(text, |d| T::deserialize(d))
}

/// Read a JSON string with `f` (a type's hand-written reader, or its `Deserialize`), then check
/// that only whitespace follows; a coded error with the path of the offending field.
pub fn read<'de, T>(
    text: &'de str,
    f: impl FnOnce(&mut json::Deserializer<'de>) -> json::Result<T>,
) -> Result<T, Error> {
    if text.len() > MAX_JSON_BYTES {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            "",
            format!(
                "input is {} bytes; the limit is {MAX_JSON_BYTES}",
                text.len()
            ),
        ));
    }
    let mut de = json::Deserializer::new(text);
    f(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| from_serde_message(&e.path(), e.message()))
}

/// An error raised inside a value read on its own (a rate card inside a larger input), as a
/// serde message that keeps its code and its path within that value: `[CODE@path] message`.
/// [`from_serde_message`] joins the path to where the value was.
pub fn located(e: &Error) -> String {
    format!("[{}@{}] {}", e.code.as_str(), e.path, e.message)
}

/// Map a serde error message to a coded error. Our own visitors tag messages `[CODE] …`; serde's
/// built-in messages are recognised by their wording.
pub fn from_serde_message(path: &str, msg: &str) -> Error {
    if let Some(rest) = msg.strip_prefix('[') {
        if let Some((tag, text)) = rest.split_once("] ") {
            let (tag, inner) = tag.split_once('@').unwrap_or((tag, ""));
            if let Some(code) = ErrorCode::ALL.iter().find(|c| c.as_str() == tag) {
                return Error::new(*code, join_path(path, inner), text);
            }
        }
    }
    if let Some(field) = backticked(msg, "missing field `") {
        return Error::new(
            ErrorCode::MissingField,
            join_path(path, &field),
            format!("`{field}` is required"),
        );
    }
    if let Some(field) = backticked(msg, "unknown field `") {
        // The key was added to the path as the error left the object.
        let p = if path.is_empty() {
            field.clone()
        } else {
            path.to_string()
        };
        let expected = msg.split_once(", expected ").map(|x| x.1).unwrap_or("");
        return Error::new(
            ErrorCode::UnknownField,
            p,
            format!("unknown field `{field}`; expected {expected}"),
        );
    }
    if msg.starts_with("unknown variant") {
        return Error::new(ErrorCode::InvalidValue, path, msg);
    }
    if msg.contains("recursion limit") {
        return Error::new(ErrorCode::LimitExceeded, path, "input is nested too deeply");
    }
    if msg.starts_with("invalid value") && msg.contains("expected u") {
        return Error::new(ErrorCode::OutOfRange, path, msg);
    }
    Error::new(ErrorCode::InvalidInput, path, msg)
}

fn backticked(msg: &str, prefix: &str) -> Option<String> {
    let rest = msg.strip_prefix(prefix)?;
    let end = rest.find('`')?;
    Some(rest[..end].to_string())
}

/// For optional input fields: absent means "not given", but an explicit `null` is an error. JSON
/// turns JS `NaN`, `Infinity` and `undefined`-in-arrays into `null`, so accepting `null` as
/// "absent" would silently drop a bad number.
pub fn non_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    match Option::<T>::deserialize(d)? {
        Some(v) => Ok(Some(v)),
        None => Err(null_refused()),
    }
}

/// The error for an explicit `null` in an optional field that refuses it ([`non_null`]).
pub fn null_refused<E: serde::de::Error>() -> E {
    E::custom(crate::money::tagged(
        ErrorCode::InvalidNumber,
        format_args!("{NULL_NOT_ALLOWED} (a JS NaN or Infinity becomes null in JSON); omit the field or give a value"),
    ))
}

/// A type's `Deserialize` through its hand-written reader: this crate's deserializer hands over
/// the value's JSON text ([`json::RAW`]), read by `borrowed`; any other deserializer gives a
/// `serde_json::Value`, written out and read by `owned`. An error keeps its code and its path
/// within the value ([`located`]).
pub fn by_hand<'de, D, T>(
    d: D,
    expecting: &'static str,
    borrowed: fn(&'de str) -> Result<T, Error>,
    owned: fn(&str) -> Result<T, Error>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_newtype_struct(
        json::RAW,
        ByHand {
            expecting,
            borrowed,
            owned,
        },
    )
}

struct ByHand<'de, T> {
    expecting: &'static str,
    borrowed: fn(&'de str) -> Result<T, Error>,
    owned: fn(&str) -> Result<T, Error>,
}

impl<'de, T> serde::de::Visitor<'de> for ByHand<'de, T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, raw: &'de str) -> Result<T, E> {
        (self.borrowed)(raw).map_err(|e| E::custom(located(&e)))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        (self.owned)(&v.to_string()).map_err(|e| serde::de::Error::custom(located(&e)))
    }
}

/// [`non_null`] for optional strings that borrow from the input when it allows (no escapes): no
/// allocation per string on the batch hot path. `Option<Cow<str>>` through `non_null` alone would
/// always copy, since serde's `Cow<str>` impl only borrows under `#[serde(borrow)]`.
pub fn opt_cow<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<std::borrow::Cow<'a, str>>, D::Error> {
    #[derive(Deserialize)]
    struct W<'a>(#[serde(borrow)] std::borrow::Cow<'a, str>);
    non_null::<D, W<'a>>(d).map(|o| o.map(|w| w.0))
}

/// An optional borrowed string as one that borrows nothing (for `into_owned`).
pub fn own_cow(c: Option<std::borrow::Cow<'_, str>>) -> Option<std::borrow::Cow<'static, str>> {
    c.map(|c| std::borrow::Cow::Owned(c.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Dec;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Tier {
        up_to: Option<u64>,
        unit_price: Dec,
    }
    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Card {
        tiers: Vec<Tier>,
    }

    #[test]
    fn errors_carry_code_and_path() {
        let e = from_json::<Card>(
            r#"{"tiers":[{"upTo":1,"unitPrice":"1"},{"upTo":2,"unitPrice":"x"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidNumber);
        assert_eq!(e.path, "tiers[1].unitPrice");

        let e = from_json::<Card>(r#"{"tiers":[{"upTo":1}]}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::MissingField);
        assert_eq!(e.path, "tiers[0].unitPrice");

        let e =
            from_json::<Card>(r#"{"tiers":[{"upTo":1,"unitPrice":"1","uptO":3}]}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnknownField);
        assert_eq!(e.path, "tiers[0].uptO");

        let e = from_json::<Card>(r#"{"tiers":[{"upTo":-1,"unitPrice":"1"}]}"#).unwrap_err();
        assert_eq!(e.path, "tiers[0].upTo");

        let e = from_json::<Card>(r#"{"tiers":[{"upTo":1,"unitPrice":0.1}]}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidNumber);

        let e = from_json::<Card>("{").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
    }
}
