//! Turning JSON-shaped input (a JSON string natively, a JS value in WASM) into typed Rust values,
//! with every serde error mapped to a stable code and a path.

use serde::Deserializer;

use crate::error::{join_path, Error, ErrorCode};

/// Largest JSON text accepted in one call (256 MiB): enough for a million-event batch.
pub const MAX_JSON_BYTES: usize = 256 * 1024 * 1024;

/// Deserialize with paths, from any serde deserializer (serde_json's or serde-wasm-bindgen's).
pub fn deserialize<'de, T, D>(d: D) -> Result<T, Error>
where
    T: serde::Deserialize<'de>,
    D: Deserializer<'de>,
    D::Error: std::fmt::Display,
{
    serde_path_to_error::deserialize(d).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        from_serde_message(&path, &e.into_inner().to_string())
    })
}

/// Parse a JSON string into `T`.
pub fn from_json<'de, T: serde::Deserialize<'de>>(text: &'de str) -> Result<T, Error> {
    if text.len() > MAX_JSON_BYTES {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            "",
            format!("input is {} bytes; the limit is {MAX_JSON_BYTES}", text.len()),
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let v = deserialize(&mut de)?;
    de.end().map_err(|e| Error::new(ErrorCode::InvalidInput, "", strip_position(&e.to_string())))?;
    Ok(v)
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Map a serde error message to a coded error. Our own visitors tag messages `[CODE] …`; serde's
/// built-in messages are recognised by their wording.
pub fn from_serde_message(path: &str, raw: &str) -> Error {
    let msg = strip_position(raw);
    if let Some(rest) = msg.strip_prefix('[') {
        if let Some((tag, text)) = rest.split_once("] ") {
            if let Some(code) = ErrorCode::ALL.iter().find(|c| c.as_str() == tag) {
                return Error::new(*code, path, text);
            }
        }
    }
    if let Some(field) = backticked(&msg, "missing field `") {
        return Error::new(
            ErrorCode::MissingField,
            join_path(path, &field),
            format!("`{field}` is required"),
        );
    }
    if let Some(field) = backticked(&msg, "unknown field `") {
        // serde_path_to_error already points at the unknown field itself.
        let p = if path.ends_with(&field) { path.to_string() } else { join_path(path, &field) };
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
        let e = from_json::<Card>(r#"{"tiers":[{"upTo":1,"unitPrice":"1"},{"upTo":2,"unitPrice":"x"}]}"#)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidNumber);
        assert_eq!(e.path, "tiers[1].unitPrice");

        let e = from_json::<Card>(r#"{"tiers":[{"upTo":1}]}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::MissingField);
        assert_eq!(e.path, "tiers[0].unitPrice");

        let e = from_json::<Card>(r#"{"tiers":[{"upTo":1,"unitPrice":"1","uptO":3}]}"#).unwrap_err();
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
