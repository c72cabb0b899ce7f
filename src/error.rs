//! One error type for every operation: a stable machine-readable `code`, a `path` to the offending
//! field (e.g. `services.sms.pricing.tiers[2].upTo`) and a human message.
//!
//! The binding module turns it into a JS `CreditcastError`; natively it is a plain Rust error.

use std::fmt;

/// Stable error codes. The string form (`as_str`) is part of the public API: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Input is not valid JSON, or a value has the wrong JSON type / shape.
    InvalidInput,
    /// A required field is missing.
    MissingField,
    /// A field the schema does not know (typos are caught, not ignored).
    UnknownField,
    /// A money or quantity value that is not an exact decimal (NaN, Infinity, inexact float, bad string).
    InvalidNumber,
    /// A value that must not be negative is negative.
    NegativeValue,
    /// A value outside its allowed range (zero increments, too many decimal places, …).
    OutOfRange,
    /// Arithmetic overflowed the decimal range.
    Overflow,
    /// An event names a service the rate card does not define.
    UnknownService,
    /// An event names a carrier the fee schedule does not know.
    UnknownCarrier,
    /// An enum-like string field with a value that is not one of the allowed ones.
    InvalidValue,
    /// A field that does not apply to the service (e.g. `text` on a voice event).
    NotApplicable,
    /// Tiers not strictly increasing, or an unbounded tier that is not last.
    TiersOutOfOrder,
    /// Two schedule entries for the same carrier, channel, direction and number type overlap in time.
    OverlappingFees,
    /// The same carrier key listed twice where it must be unique.
    DuplicateEntry,
    /// A date or time that cannot be parsed, or is out of range.
    InvalidDate,
    /// Forced GSM-7 encoding on a text that has characters outside GSM 03.38.
    NotGsm7,
    /// A message longer than the engine accepts.
    MessageTooLong,
    /// Too many items (events in a batch, tiers in a service, …) or input too deeply nested.
    LimitExceeded,
    /// Events out of time order, or a time before the plan start.
    OutOfOrder,
    /// Settings that contradict each other (threshold above target, …).
    InvalidSettings,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 20] = [
        ErrorCode::InvalidInput,
        ErrorCode::MissingField,
        ErrorCode::UnknownField,
        ErrorCode::InvalidNumber,
        ErrorCode::NegativeValue,
        ErrorCode::OutOfRange,
        ErrorCode::Overflow,
        ErrorCode::UnknownService,
        ErrorCode::UnknownCarrier,
        ErrorCode::InvalidValue,
        ErrorCode::NotApplicable,
        ErrorCode::TiersOutOfOrder,
        ErrorCode::OverlappingFees,
        ErrorCode::DuplicateEntry,
        ErrorCode::InvalidDate,
        ErrorCode::NotGsm7,
        ErrorCode::MessageTooLong,
        ErrorCode::LimitExceeded,
        ErrorCode::OutOfOrder,
        ErrorCode::InvalidSettings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::MissingField => "MISSING_FIELD",
            ErrorCode::UnknownField => "UNKNOWN_FIELD",
            ErrorCode::InvalidNumber => "INVALID_NUMBER",
            ErrorCode::NegativeValue => "NEGATIVE_VALUE",
            ErrorCode::OutOfRange => "OUT_OF_RANGE",
            ErrorCode::Overflow => "OVERFLOW",
            ErrorCode::UnknownService => "UNKNOWN_SERVICE",
            ErrorCode::UnknownCarrier => "UNKNOWN_CARRIER",
            ErrorCode::InvalidValue => "INVALID_VALUE",
            ErrorCode::NotApplicable => "NOT_APPLICABLE",
            ErrorCode::TiersOutOfOrder => "TIERS_OUT_OF_ORDER",
            ErrorCode::OverlappingFees => "OVERLAPPING_FEES",
            ErrorCode::DuplicateEntry => "DUPLICATE_ENTRY",
            ErrorCode::InvalidDate => "INVALID_DATE",
            ErrorCode::NotGsm7 => "NOT_GSM7",
            ErrorCode::MessageTooLong => "MESSAGE_TOO_LONG",
            ErrorCode::LimitExceeded => "LIMIT_EXCEEDED",
            ErrorCode::OutOfOrder => "OUT_OF_ORDER",
            ErrorCode::InvalidSettings => "INVALID_SETTINGS",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string quoted in a message as JSON would write it (`"caf\u00e9"` stays `"café"`; quotes,
/// backslashes and control characters are escaped), the same in every message.
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(self.0.len() + 2);
        crate::output::string(&mut s, self.0);
        f.write_str(&s)
    }
}

/// An error with a code, a path into the input and a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Error {
    pub code: ErrorCode,
    /// Dotted path into the input, `""` for the input as a whole.
    pub path: String,
    pub message: String,
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Error {
    pub fn new(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            code,
            path: path.into(),
            message: message.into(),
        }
    }

    /// Prefix the path with a parent segment: `at("events[3]")` turns `text` into `events[3].text`.
    pub fn at(mut self, parent: &str) -> Self {
        self.path = join_path(parent, &self.path);
        self
    }

    pub fn overflow(path: impl Into<String>) -> Self {
        Error::new(
            ErrorCode::Overflow,
            path,
            "amount is outside the decimal range",
        )
    }
}

/// Join a parent path and a child path (`a` + `b` = `a.b`, `a` + `[2]` = `a[2]`).
pub fn join_path(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else if child.is_empty() {
        parent.to_string()
    } else if child.starts_with('[') {
        format!("{parent}{child}")
    } else {
        format!("{parent}.{child}")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.code, self.message)
        } else {
            write!(f, "{} at {}: {}", self.code, self.path, self.message)
        }
    }
}

impl std::error::Error for Error {}

/// Several problems found at once (rate-card validation reports all of them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Errors(pub Vec<Error>);

impl Errors {
    pub fn push(&mut self, e: Error) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result(self) -> Result<(), Errors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::Quoted;

    #[test]
    fn strings_in_messages_are_quoted_as_json_writes_them() {
        for s in [
            "",
            "plain",
            "a\"b\\c",
            "tab\there\n",
            "\u{1}\u{1b}\u{7f}",
            "café 😀 e\u{301}",
        ] {
            assert_eq!(Quoted(s).to_string(), serde_json::to_string(s).unwrap());
        }
        assert_eq!(Quoted("x\u{1b}").to_string(), "\"x\\u001b\"");
    }
}
