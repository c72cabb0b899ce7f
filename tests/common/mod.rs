//! Shared by the reader tests: one-step changes of a JSON value, to run two readers on, and the
//! comparison of their answers. Each test file uses some of it.
#![allow(dead_code)]

use std::fmt::Debug;

use proptest::prelude::*;
use serde_json::{json, Value};

/// Two readers' answers to one text: the same value (compared by its `Debug` form: the oracle's
/// types have the same names and fields) or the same error (code, path and message).
pub fn agree<A: Debug, B: Debug>(
    ours: Result<A, creditcast::Error>,
    oracle: Result<B, creditcast::Error>,
) -> Result<(), String> {
    match (ours, oracle) {
        (Ok(a), Ok(b)) => {
            let (a, b) = (format!("{a:?}"), format!("{b:?}"));
            if a == b {
                Ok(())
            } else {
                Err(format!("values differ:\n {a}\n {b}"))
            }
        }
        (Err(a), Err(b)) => {
            if (a.code, &a.path, &a.message) == (b.code, &b.path, &b.message) {
                Ok(())
            } else {
                Err(format!("errors differ:\n ours   {a:?}\n oracle {b:?}"))
            }
        }
        (a, b) => Err(format!(
            "one reads, one refuses:\n ours   {a:?}\n oracle {b:?}"
        )),
    }
}

/// Every place in a JSON value, as a path of keys and indices.
pub fn places(v: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                at.push(json!(k));
                places(x, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                at.push(json!(i));
                places(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

pub fn get_mut<'v>(v: &'v mut Value, path: &[Value]) -> &'v mut Value {
    path.iter().fold(v, |v, k| match k {
        Value::String(k) => v.get_mut(k.as_str()).unwrap(),
        _ => v.get_mut(k.as_u64().unwrap() as usize).unwrap(),
    })
}

/// Values that break each kind of field in some way.
pub fn replacements() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(4294967296u64),
        json!(2.5),
        json!(0.1),
        json!("x"),
        json!("0.5"),
        json!("sms"),
        json!("halfUp"),
        json!("10dlc"),
        json!("UCS-2"),
        json!("inbound"),
        json!("totals"),
        json!([]),
        json!([1]),
        json!({}),
        json!({ "flat": null }),
        json!({ "zzz": 1 }),
    ]
}

/// Every one-step change of `base`: each of [`replacements`] at every place, each field and
/// element removed, an unknown key and a key given twice in every object. `agree` checks one
/// JSON text. Returns how many texts were checked.
pub fn one_step_changes(base: &Value, agree: impl Fn(&str) -> Result<(), String>) -> usize {
    let mut all = Vec::new();
    places(base, &mut Vec::new(), &mut all);
    let mut checked = 0;
    for path in &all {
        for r in replacements() {
            let mut v = base.clone();
            *get_mut(&mut v, path) = r;
            agree(&v.to_string()).unwrap_or_else(|e| panic!("at {path:?}: {e}"));
            checked += 1;
        }
        if let Some((last, parent)) = path.split_last() {
            let mut v = base.clone();
            match (get_mut(&mut v, parent), last) {
                (Value::Object(m), Value::String(k)) => {
                    m.remove(k);
                }
                (Value::Array(a), i) => {
                    a.remove(i.as_u64().unwrap() as usize);
                }
                _ => continue,
            }
            agree(&v.to_string()).unwrap_or_else(|e| panic!("without {path:?}: {e}"));
            checked += 1;
        }
        if let Value::Object(m) = get_mut(&mut base.clone(), path) {
            // An unknown key, and a key given twice (written by hand: a map cannot hold it).
            let mut v = base.clone();
            if let Value::Object(m) = get_mut(&mut v, path) {
                m.insert("unknownField".into(), json!(1));
            }
            agree(&v.to_string()).unwrap_or_else(|e| panic!("unknown key in {path:?}: {e}"));
            if let Some(k) = m.keys().next() {
                let text = base.to_string();
                let obj = get_mut(&mut base.clone(), path).to_string();
                let first = format!("{}:{}", json!(k), m[k]);
                let twice = obj.replacen(&first, &format!("{first},{first}"), 1);
                let text = text.replacen(&obj, &twice, 1);
                agree(&text).unwrap_or_else(|e| panic!("key twice in {path:?}: {e}"));
            }
            checked += 2;
        }
    }
    checked
}

/// A random JSON value to put in place of a field: scalars, `words` (values the schema knows,
/// such as variant names) and small arrays and objects whose keys are among `keys`.
pub fn junk(words: Vec<&'static str>, keys: Vec<&'static str>) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e3f64..1e3).prop_map(Value::from),
        "[a-zA-Z0-9.\\-]{0,8}".prop_map(Value::from),
        prop::sample::select(words).prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(keys.clone()).prop_map(String::from),
                inner,
                0..3
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `v` with each of `picks` put in turn at a place chosen among those `v` then has.
pub fn change_at(mut v: Value, picks: Vec<(prop::sample::Index, Value)>) -> Value {
    for (at, value) in picks {
        let mut all = Vec::new();
        places(&v, &mut Vec::new(), &mut all);
        let path = at.get(&all).clone();
        *get_mut(&mut v, &path) = value;
    }
    v
}
