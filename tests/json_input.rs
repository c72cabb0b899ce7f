//! The crate's JSON deserializer (`creditcast::input::json`): it reads what `serde_json` reads,
//! refuses what it refuses, names the path of every error, and hands amounts their digits.

use std::collections::BTreeMap;

use creditcast::input::from_json;
use creditcast::money::Dec;
use creditcast::ErrorCode;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;

#[derive(serde::Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Tier {
    up_to: Option<u64>,
    unit_price: Dec,
}

#[derive(serde::Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
enum Kind {
    Flat,
    Tiered(Vec<Tier>),
}

#[derive(serde::Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct Card {
    services: BTreeMap<String, Service>,
}

#[derive(serde::Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct Service {
    kind: Kind,
    #[serde(default)]
    tiers: Vec<Tier>,
    #[serde(default)]
    small: Option<u8>,
}

fn err<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> (ErrorCode, String) {
    let e = from_json::<T>(text).unwrap_err();
    (e.code, e.path)
}

#[test]
fn every_error_names_the_field_it_is_about() {
    let cases: &[(&str, ErrorCode, &str)] = &[
        (
            r#"{"services":{"sms":{"kind":"flat","tiers":[{"upTo":1,"unitPrice":"x"}]}}}"#,
            ErrorCode::InvalidNumber,
            "services.sms.tiers[0].unitPrice",
        ),
        (
            r#"{"services":{"sms":{"kind":"flat","tiers":[{"upTo":1,"unitPrice":"1"},{"upTo":2}]}}}"#,
            ErrorCode::MissingField,
            "services.sms.tiers[1].unitPrice",
        ),
        (
            r#"{"services":{"sms":{"kind":"flat","tierz":[]}}}"#,
            ErrorCode::UnknownField,
            "services.sms.tierz",
        ),
        (
            r#"{"services":{"sms":{"kind":"flat","small":300}}}"#,
            ErrorCode::OutOfRange,
            "services.sms.small",
        ),
        (
            r#"{"services":{"sms":{"kind":"flat","small":1.5}}}"#,
            ErrorCode::InvalidInput,
            "services.sms.small",
        ),
        (
            r#"{"services":{"sms":{"kind":"round"}}}"#,
            ErrorCode::InvalidValue,
            "services.sms.kind",
        ),
        (
            r#"{"services":{"sms":{"kind":{"tiered":[{"upTo":-1,"unitPrice":"1"}]}}}}"#,
            ErrorCode::OutOfRange,
            "services.sms.kind.tiered[0].upTo",
        ),
        // A key with escapes is named as it reads.
        (
            r#"{"services":{"s\u006ds":{"kind":"flat","small":"x"}}}"#,
            ErrorCode::InvalidInput,
            "services.sms.small",
        ),
        // null where a value is required.
        (
            r#"{"services":{"sms":{"kind":"flat","tiers":[{"upTo":null,"unitPrice":null}]}}}"#,
            ErrorCode::InvalidInput,
            "services.sms.tiers[0].unitPrice",
        ),
        (r#"{"services":[]}"#, ErrorCode::InvalidInput, "services"),
        (r#"{}"#, ErrorCode::MissingField, "services"),
    ];
    for (text, code, path) in cases {
        assert_eq!(err::<Card>(text), (*code, path.to_string()), "{text}");
    }
}

#[test]
fn syntax_errors_are_invalid_input_without_a_path() {
    for text in [
        "",
        "{",
        r#"{"services":{}"#,
        r#"{"services":{},}"#,
        r#"{"services":{}} x"#,
        r#"{"services" {}}"#,
        r#"{services:{}}"#,
        r#"{"services":{"a":{"kind":"flat","tiers":[{"upTo":1,"unitPrice":"1"},]}}}"#,
        "{\"services\":{\"a\u{1}\":{}}}",
        r#"{"services":{"\q":{}}}"#,
        r#"{"services":{"\ud800":{}}}"#,
        r#"{"services":{"\udc00":{}}}"#,
        r#"{"services":{"\u12":{}}}"#,
        r#"{"services":{"a":{"kind":"flat","small":01}}}"#,
        r#"{"services":{"a":{"kind":"flat","small":1.}}}"#,
        r#"{"services":{"a":{"kind":"flat","small":-}}}"#,
        r#"{"services":{"a":{"kind":"flat","small":tru}}}"#,
    ] {
        let (code, path) = err::<Card>(text);
        assert_eq!(
            (code, path.as_str()),
            (ErrorCode::InvalidInput, ""),
            "{text}"
        );
    }
    let deep = "[".repeat(200) + &"]".repeat(200);
    assert_eq!(err::<Value>(&deep).0, ErrorCode::LimitExceeded);
    let ok = "[".repeat(100) + &"]".repeat(100);
    assert!(from_json::<Value>(&ok).is_ok());
}

#[test]
fn amounts_read_a_number_by_its_digits() {
    let dec = |text: &str| from_json::<Dec>(text).map(|d| d.0);
    assert_eq!(dec("0.5").unwrap(), Decimal::new(5, 1));
    assert_eq!(dec("0.250").unwrap(), Decimal::new(25, 2));
    assert_eq!(dec("-3").unwrap(), Decimal::from(-3));
    assert_eq!(dec("\"0.0079\"").unwrap(), Decimal::new(79, 4));
    // Integers beyond 64 bits are exact (serde_json made them floats).
    assert_eq!(
        dec("12345678901234567890123456").unwrap(),
        "12345678901234567890123456".parse::<Decimal>().unwrap()
    );
    // A number that is not exactly a binary float was not entered as the user meant it.
    for bad in [
        "0.1",
        "0.0079",
        "1e2",
        "1E-7",
        "0.30000000000000004",
        "1.5e300",
        "null",
        "true",
    ] {
        let e = from_json::<Dec>(bad).unwrap_err();
        assert!(
            matches!(e.code, ErrorCode::InvalidNumber | ErrorCode::InvalidInput),
            "{bad}: {e}"
        );
    }
    assert_eq!(
        from_json::<Dec>("0.1").unwrap_err().code,
        ErrorCode::InvalidNumber
    );
    // Too many digits for 96 bits.
    assert_eq!(
        from_json::<Dec>("123456789012345678901234567890")
            .unwrap_err()
            .code,
        ErrorCode::InvalidNumber
    );
}

#[test]
fn strings_borrow_unless_escaped() {
    use std::borrow::Cow;
    #[derive(serde::Deserialize)]
    struct S<'a> {
        #[serde(borrow)]
        a: Cow<'a, str>,
        #[serde(borrow)]
        b: Cow<'a, str>,
    }
    let s: S = from_json(r#"{"a":"plain ✓","b":"tab\there \ud83d\ude00 \u00e7 \/"}"#).unwrap();
    assert!(matches!(s.a, Cow::Borrowed("plain ✓")));
    assert_eq!(s.b, "tab\there 😀 ç /");
}

#[test]
fn integer_keys_and_ignored_fields() {
    let m: BTreeMap<u32, String> = from_json(r#"{"7":"a","12":"b"}"#).unwrap();
    assert_eq!(m.get(&12).map(String::as_str), Some("b"));
    assert_eq!(err::<BTreeMap<u32, String>>(r#"{"x":"a"}"#).1, "x");

    #[derive(serde::Deserialize)]
    struct Loose {
        a: u8,
    }
    let l: Loose =
        from_json(r#"{"skip":{"x":[1,2.5e3,"s",null,true,{"y":[]}]},"a":4,"more":-0.5}"#).unwrap();
    assert_eq!(l.a, 4);
}

/// A JSON value with no float that `serde_json` and this deserializer might read differently
/// (floats are compared by value below).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Any JSON text serde_json writes (compact or pretty) reads back to the same value.
    #[test]
    fn reads_what_serde_json_writes(v in json_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&v).unwrap()
        } else {
            serde_json::to_string(&v).unwrap()
        };
        let back: Value = from_json(&text).unwrap();
        prop_assert_eq!(back, v);
    }

    /// On arbitrary text, it accepts exactly what serde_json accepts, with the same value.
    #[test]
    fn accepts_what_serde_json_accepts(text in "[\\[\\]{}\":,0-9.eE+\\-a-z \\\\]{0,24}") {
        let ours = from_json::<Value>(&text);
        let theirs = serde_json::from_str::<Value>(&text);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "{text:?}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }
}
