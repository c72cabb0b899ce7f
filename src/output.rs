//! The rating results written as JSON by hand: exactly the text `serde_json::to_string` writes
//! from their derived `Serialize` (`tests/output.rs` compares the two), with a fraction of the
//! code in the rating core's WASM. The bindings send results as JSON text that the JS engine
//! parses once.

use crate::error::Error;
use crate::input::json::Named;
use crate::money::{with_plain, Dec, Rounding};
use crate::ratecard::{
    Carrier, CarrierFees, FeeEntry, NumberType, Pricing, RateCard, RoundingPoints, Service, Source,
    Tier,
};
use crate::rating::{BatchResult, CarrierTotal, Charge, Charges, Line, ServiceTotal, Units};
use crate::segments::{Encoding, Replacement, SegmentedMessage, SmartEncodingReport};

/// A value that writes itself as JSON.
pub trait WriteJson {
    fn write_json(&self, out: &mut String);
}

/// `v` as JSON text.
pub fn to_json<T: WriteJson + ?Sized>(v: &T) -> String {
    let mut out = String::with_capacity(256);
    v.write_json(&mut out);
    out
}

/// A JSON string, escaped as serde_json escapes it: `"`, `\` and control characters; every other
/// character as itself. Runs that need no escape are found eight bytes at a time.
#[inline(never)]
pub(crate) fn string(out: &mut String, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push('"');
    let mut run = 0;
    loop {
        let i = crate::input::json::plain_run(b, run);
        out.push_str(s.get(run..i).unwrap_or(""));
        let Some(&c) = b.get(i) else { break };
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(c >> 4)]));
                out.push(char::from(HEX[usize::from(c & 0xf)]));
            }
        }
        run = i + 1;
    }
    out.push('"');
}

impl WriteJson for str {
    fn write_json(&self, out: &mut String) {
        string(out, self)
    }
}

impl WriteJson for String {
    fn write_json(&self, out: &mut String) {
        string(out, self)
    }
}

impl WriteJson for Dec {
    fn write_json(&self, out: &mut String) {
        with_plain(self.0, |text| string(out, text))
    }
}

impl WriteJson for u32 {
    fn write_json(&self, out: &mut String) {
        u64::from(*self).write_json(out)
    }
}

impl WriteJson for u64 {
    fn write_json(&self, out: &mut String) {
        with_plain(rust_decimal::Decimal::from(*self), |text| {
            out.push_str(text)
        })
    }
}

impl WriteJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" })
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: WriteJson> WriteJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.write_json(out);
        }
        out.push(']');
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out)
    }
}

impl<V: WriteJson> WriteJson for std::collections::BTreeMap<String, V> {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        for (k, v) in self {
            o.field(k, v);
        }
        o.end();
    }
}

/// A unit enum written as its JSON name.
struct Name(&'static str);

impl WriteJson for Name {
    fn write_json(&self, out: &mut String) {
        string(out, self.0)
    }
}

/// An object being written: fields in order, each after a comma but the first.
struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    fn new(out: &'a mut String) -> Self {
        out.push('{');
        Obj { out, first: true }
    }

    #[inline(never)]
    fn key(&mut self, k: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        string(self.out, k);
        self.out.push(':');
        self.out
    }

    fn field<T: WriteJson + ?Sized>(&mut self, k: &str, v: &T) {
        v.write_json(self.key(k));
    }

    /// A field left out when `None` (`skip_serializing_if = "Option::is_none"`).
    fn some<T: WriteJson>(&mut self, k: &str, v: &Option<T>) {
        if let Some(v) = v {
            self.field(k, v);
        }
    }

    fn end(self) {
        self.out.push('}');
    }
}

impl WriteJson for NumberType {
    fn write_json(&self, out: &mut String) {
        string(out, self.name())
    }
}

impl WriteJson for Encoding {
    fn write_json(&self, out: &mut String) {
        string(out, self.as_str())
    }
}

impl WriteJson for Units {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("quantity", &self.quantity);
        o.field("unit", &*self.unit);
        o.field("count", &self.count);
        o.some("encoding", &self.encoding);
        o.some("segmentsPerMessage", &self.segments_per_message);
        o.some("billableSeconds", &self.billable_seconds);
        o.end();
    }
}

impl WriteJson for Line {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("kind", &Name(self.kind.name()));
        o.some("quantity", &self.quantity);
        o.some("unitPrice", &self.unit_price);
        o.field("amount", &self.amount);
        o.some("tier", &self.tier);
        if let Some(c) = &self.carrier {
            o.field("carrier", &**c);
        }
        o.some("numberType", &self.number_type);
        if self.deferred {
            o.field("deferred", &true);
        }
        o.end();
    }
}

impl WriteJson for Charge {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("service", &*self.service);
        o.field("kind", &Name(self.kind.name()));
        o.field("direction", &Name(self.direction.name()));
        o.field("units", &self.units);
        o.field("lines", &self.lines);
        o.field("usage", &self.usage);
        o.field("carrierFees", &self.carrier_fees);
        o.field("total", &self.total);
        o.end();
    }
}

impl WriteJson for ServiceTotal {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("events", &self.events);
        o.field("quantity", &self.quantity);
        o.field("unit", &self.unit);
        o.field("usage", &self.usage);
        o.field("carrierFees", &self.carrier_fees);
        o.field("total", &self.total);
        o.end();
    }
}

impl WriteJson for CarrierTotal {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("units", &self.units);
        o.field("amount", &self.amount);
        o.end();
    }
}

impl WriteJson for Charges {
    fn write_json(&self, out: &mut String) {
        match self {
            Charges::Full(v) => v.write_json(out),
            Charges::Totals(v) => v.write_json(out),
        }
    }
}

impl WriteJson for BatchResult {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("count", &self.count);
        o.field("usage", &self.usage);
        o.field("carrierFees", &self.carrier_fees);
        o.field("total", &self.total);
        o.field("byService", &self.by_service);
        o.field("byCarrier", &self.by_carrier);
        o.some("charges", &self.charges);
        o.end();
    }
}

impl WriteJson for Replacement {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("from", &self.from);
        o.field("to", &self.to);
        o.field("count", &self.count);
        o.end();
    }
}

impl WriteJson for SmartEncodingReport {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("replacements", &self.replacements);
        o.field("segmentsWithout", &self.segments_without);
        o.field("segmentsSaved", &self.segments_saved);
        o.field("encodingWithout", &self.encoding_without);
        o.end();
    }
}

impl WriteJson for SegmentedMessage {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("encoding", &self.encoding);
        o.field("segments", &self.segments);
        o.field("units", &self.units);
        o.field("perSegmentUnits", &self.per_segment_units);
        o.field("perSegmentText", &self.per_segment_text);
        o.field("unitsLeftInLastSegment", &self.units_left_in_last_segment);
        o.field("nonGsmCharacters", &self.non_gsm_characters);
        o.some("smartEncoding", &self.smart_encoding);
        o.field("text", &self.text);
        o.end();
    }
}

impl WriteJson for Error {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("code", self.code.as_str());
        o.field("path", &self.path);
        o.field("message", &self.message);
        o.end();
    }
}

impl WriteJson for Rounding {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("scale", &self.scale);
        o.field("strategy", &Name(self.strategy.name()));
        o.end();
    }
}

impl WriteJson for Source {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("title", &self.title);
        o.some("url", &self.url);
        o.some("note", &self.note);
        o.end();
    }
}

impl WriteJson for RoundingPoints {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.some("event", &self.event);
        o.field("statement", &self.statement);
        o.field("invoice", &self.invoice);
        o.end();
    }
}

impl WriteJson for Tier {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("upTo", &self.up_to);
        o.field("unitPrice", &self.unit_price);
        o.end();
    }
}

impl WriteJson for Pricing {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("model", &Name(self.model.name()));
        o.some("unitPrice", &self.unit_price);
        o.some("tiers", &self.tiers);
        o.some("packageSize", &self.package_size);
        o.some("packagePrice", &self.package_price);
        o.some("included", &self.included);
        o.some("minimumPerEvent", &self.minimum_per_event);
        o.end();
    }
}

impl WriteJson for Service {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("kind", &Name(self.kind.name()));
        o.some("label", &self.label);
        o.some("unit", &self.unit);
        o.field("pricing", &self.pricing);
        o.some("inboundPricing", &self.inbound_pricing);
        if let Some(b) = &self.billing {
            let mut w = Obj::new(o.key("billing"));
            w.field("firstIncrement", &b.first_increment);
            w.field("nextIncrement", &b.next_increment);
            w.end();
        }
        o.some("connectFee", &self.connect_fee);
        if let Some(s) = &self.segmentation {
            let mut w = Obj::new(o.key("segmentation"));
            w.field("smartEncoding", &s.smart_encoding);
            w.field("trimTrailingLineBreaks", &s.trim_trailing_line_breaks);
            w.end();
        }
        o.end();
    }
}

impl WriteJson for Carrier {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("id", &self.id);
        o.field("name", &self.name);
        o.end();
    }
}

impl WriteJson for FeeEntry {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("carrier", &self.carrier);
        o.field("channel", &Name(self.channel.name()));
        o.field("direction", &Name(self.direction.name()));
        o.field("numberType", &self.number_type);
        o.field("amount", &self.amount);
        o.field("from", &self.from);
        o.some("until", &self.until);
        o.some("source", &self.source);
        o.end();
    }
}

impl WriteJson for CarrierFees {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("timing", &Name(self.timing.name()));
        o.some("deferHours", &self.defer_hours);
        o.field("schedule", &self.schedule);
        o.end();
    }
}

impl WriteJson for RateCard {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("version", &self.version);
        o.field("name", &self.name);
        o.field("currency", &self.currency);
        o.some("effectiveFrom", &self.effective_from);
        if !self.sources.is_empty() {
            o.field("sources", &self.sources);
        }
        o.field("rounding", &self.rounding);
        o.field("defaultNumberType", &self.default_number_type);
        o.field("services", &self.services);
        o.field("carriers", &self.carriers);
        o.field("carrierFees", &self.carrier_fees);
        o.end();
    }
}
