//! Reading usage events and rating options from JSON by hand, as the rate card is read
//! (`src/ratecard/read.rs`): the same values, errors, messages and paths as serde's derived
//! `Deserialize` for the same shapes (`tests/event_reader.rs` keeps those as the oracle), with a
//! fraction of its code in WASM. Each type's `Deserialize` reads through these too.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::de::{self, Deserialize, Deserializer};

use super::{BatchOptions, RateContext, UsageEvent};
use crate::error::Error;
use crate::input::json::{Deserializer as Json, Result};
use crate::input::{by_hand, null_refused, read};
use crate::money::Dec;
use crate::segments::{Encoding, SegmentOptions};

/// An optional field that refuses an explicit `null` (see [`crate::input::non_null`]).
fn not_null<'de, T>(
    d: &mut Json<'de>,
    f: impl FnOnce(&mut Json<'de>) -> Result<T>,
) -> Result<Option<T>> {
    if d.null()? {
        return Err(null_refused());
    }
    f(d).map(Some)
}

/// One usage event; its strings borrow from the input when they have no escapes.
pub fn usage_event<'de>(d: &mut Json<'de>) -> Result<UsageEvent<'de>> {
    const FIELDS: &[&str] = &[
        "service",
        "direction",
        "text",
        "segments",
        "count",
        "durationSeconds",
        "quantity",
        "carrier",
        "numberType",
        "at",
    ];
    let mut service: Option<Cow<'de, str>> = None;
    let mut e = UsageEvent::default();
    d.object(&"struct UsageEvent", FIELDS, &mut |d, i| {
        match i {
            0 => service = Some(d.cow()?),
            1 => e.direction = d.one_of()?,
            2 => e.text = not_null(d, Json::cow)?,
            3 => e.segments = not_null(d, Json::uint32)?,
            4 => e.count = not_null(d, Json::uint32)?,
            5 => e.duration_seconds = not_null(d, Dec::read)?,
            6 => e.quantity = not_null(d, Dec::read)?,
            7 => e.carrier = not_null(d, Json::cow)?,
            8 => e.number_type = not_null(d, Json::one_of)?,
            _ => e.at = not_null(d, Json::cow)?,
        }
        Ok(())
    })?;
    e.service = service.ok_or_else(|| de::Error::missing_field("service"))?;
    Ok(e)
}

/// A list of usage events.
pub fn usage_events<'de>(d: &mut Json<'de>) -> Result<Vec<UsageEvent<'de>>> {
    let mut out = Vec::new();
    d.list(&"a sequence", &mut |d, _| {
        out.push(usage_event(d)?);
        Ok(())
    })?;
    Ok(out)
}

impl UsageEvent<'_> {
    /// Events from JSON text (an array), borrowing from it.
    pub fn list_from_json(text: &str) -> std::result::Result<Vec<UsageEvent<'_>>, Error> {
        read(text, usage_events)
    }
}

impl<'de> Deserialize<'de> for UsageEvent<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        by_hand(
            d,
            "struct UsageEvent",
            |t| read(t, usage_event),
            |t| read(t, usage_event).map(UsageEvent::into_owned),
        )
    }
}

/// Rating context: units already used this period, per service.
pub fn rate_context(d: &mut Json<'_>) -> Result<RateContext> {
    let mut used = BTreeMap::new();
    d.object(&"struct RateContext", &["used"], &mut |d, _| {
        d.entries(&"a map", &mut |d, key| {
            used.insert(key.into_owned(), Dec::read(d)?);
            Ok(())
        })
    })?;
    Ok(RateContext { used })
}

impl<'de> Deserialize<'de> for RateContext {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        fn text(t: &str) -> std::result::Result<RateContext, Error> {
            read(t, rate_context)
        }
        by_hand(d, "struct RateContext", text, text)
    }
}

/// Batch options: how much of each event's charge to return.
pub fn batch_options(d: &mut Json<'_>) -> Result<BatchOptions> {
    let mut o = BatchOptions::default();
    d.object(&"struct BatchOptions", &["charges"], &mut |d, _| {
        o.charges = d.one_of()?;
        Ok(())
    })?;
    Ok(o)
}

impl<'de> Deserialize<'de> for BatchOptions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        fn text(t: &str) -> std::result::Result<BatchOptions, Error> {
            read(t, batch_options)
        }
        by_hand(d, "struct BatchOptions", text, text)
    }
}

/// Segmentation options; `encoding` is `"GSM-7"`, `"UCS-2"` or `"auto"` (or `null`: automatic).
pub fn segment_options(d: &mut Json<'_>) -> Result<SegmentOptions> {
    let mut o = SegmentOptions::default();
    d.object(
        &"struct SegmentOptions",
        &["smartEncoding", "trimTrailingLineBreaks", "encoding"],
        &mut |d, i| {
            match i {
                0 => o.smart_encoding = d.boolean()?,
                1 => o.trim_trailing_line_breaks = d.boolean()?,
                _ => {
                    o.encoding = match d
                        .nullable(|d| d.variant(&"enum Choice", &["auto", "GSM-7", "UCS-2"]))?
                    {
                        Some(1) => Some(Encoding::Gsm7),
                        Some(2) => Some(Encoding::Ucs2),
                        _ => None,
                    }
                }
            }
            Ok(())
        },
    )?;
    Ok(o)
}

impl<'de> Deserialize<'de> for SegmentOptions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        fn text(t: &str) -> std::result::Result<SegmentOptions, Error> {
            read(t, segment_options)
        }
        by_hand(d, "struct SegmentOptions", text, text)
    }
}
