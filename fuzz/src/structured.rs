//! Structured input for the `rate` target: a rate card (the default one, or the default one with
//! a few fields replaced, or raw text) and usage events built field by field from values that
//! are likely to matter (edge decimals, floats, huge counts, odd dates, unknown fields), written
//! as JSON text and parsed the way the JS boundary parses them.

use arbitrary::Arbitrary;
use serde_json::{json, Map, Value};

/// Field names of rate cards and events, so that mutations land on real fields (and typos of
/// them land on `UNKNOWN_FIELD`).
const KEYS: &[&str] = &[
    "version",
    "name",
    "currency",
    "effectiveFrom",
    "sources",
    "rounding",
    "event",
    "statement",
    "invoice",
    "scale",
    "strategy",
    "defaultNumberType",
    "services",
    "kind",
    "label",
    "unit",
    "pricing",
    "inboundPricing",
    "model",
    "unitPrice",
    "tiers",
    "upTo",
    "packageSize",
    "packagePrice",
    "included",
    "minimumPerEvent",
    "billing",
    "firstIncrement",
    "nextIncrement",
    "connectFee",
    "segmentation",
    "smartEncoding",
    "trimTrailingLineBreaks",
    "carriers",
    "id",
    "carrierFees",
    "timing",
    "deferHours",
    "schedule",
    "carrier",
    "channel",
    "direction",
    "numberType",
    "amount",
    "from",
    "until",
    "source",
    "sms",
    "mms",
    "voiceLocal",
    "lookup",
    "transcription",
    "tmobile",
    "att",
    "verizon",
    "unitprice",
];

const STRINGS: &[&str] = &[
    "",
    "sms",
    "mms",
    "voice",
    "metered",
    "flat",
    "graduated",
    "volume",
    "package",
    "halfUp",
    "halfEven",
    "halfDown",
    "up",
    "down",
    "ceiling",
    "floor",
    "10dlc",
    "tollFree",
    "shortCode",
    "outbound",
    "inbound",
    "both",
    "immediate",
    "deferred",
    "USD",
    "EUR",
    "tmobile",
    "att",
    "verizon",
    "uscellular",
    "2025-01-01",
    "2024-12-31T23:59:59Z",
    "2025-03-01T00:00:00+05:30",
    "1970-01-01",
    "9999-12-31",
    "0000-01-01",
    "2025-02-29",
    "2024-02-29T24:00:00Z",
    "auto",
    "GSM-7",
    "UCS-2",
];

const DECIMALS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "0.0083",
    "0.1",
    "100",
    "1000",
    "999999999",
    "4294967295",
    "4294967296",
    "0.0000000000000000000000000001",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "7922816251426433759354395033.5",
    "1e3",
    "1.",
    ".5",
    "+1",
    " 1",
    "NaN",
    "Infinity",
    "0x10",
    "00.10",
    "1_000",
    "12345678901234567890.123456789",
];

#[derive(Arbitrary, Debug, Clone)]
pub enum Val {
    Null,
    Bool(bool),
    /// A small integer (counts, scales, increments).
    Small(u8),
    Int(i64),
    Float(f64),
    /// A string from [`STRINGS`].
    Known(u8),
    /// A decimal-looking string from [`DECIMALS`].
    Decimal(u8),
    Digits(u64, u8),
    Str(String),
    Array(Vec<Val>),
    Object(Vec<(u8, Val)>),
}

impl Val {
    pub fn to_json(&self, depth: u32) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => json!(b),
            Val::Small(n) => json!(n),
            Val::Int(n) => json!(n),
            Val::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Val::Known(i) => json!(pick(STRINGS, *i)),
            Val::Decimal(i) => json!(pick(DECIMALS, *i)),
            Val::Digits(n, scale) => {
                let s = n.to_string();
                let k = (*scale as usize) % (s.len() + 1);
                json!(format!("{}.{}", &s[..s.len() - k], &s[s.len() - k..]))
            }
            Val::Str(s) => json!(s),
            Val::Array(v) if depth < 4 => {
                Value::Array(v.iter().take(8).map(|x| x.to_json(depth + 1)).collect())
            }
            Val::Object(v) if depth < 4 => Value::Object(
                v.iter()
                    .take(8)
                    .map(|(k, x)| (pick(KEYS, *k).to_string(), x.to_json(depth + 1)))
                    .collect(),
            ),
            Val::Array(_) | Val::Object(_) => Value::Null,
        }
    }
}

fn pick<'a>(list: &[&'a str], i: u8) -> &'a str {
    list[i as usize % list.len()]
}

/// A number field, usually well-formed: a small integer, an amount in cents, a decimal of any
/// scale, or any value at all.
#[derive(Arbitrary, Debug, Clone)]
pub enum Num {
    Small(u8),
    Cents(u32),
    Scaled(u64, u8),
    Raw(Val),
}

impl Num {
    pub fn to_json(&self) -> Value {
        match self {
            Num::Small(n) => json!(n),
            Num::Cents(c) => json!(format!("{}.{:02}", c / 100, c % 100)),
            Num::Scaled(n, k) => Val::Digits(*n, *k).to_json(0),
            Num::Raw(v) => v.to_json(0),
        }
    }
}

/// A choice among the valid words of a field, or any value.
#[derive(Arbitrary, Debug, Clone)]
pub enum Word {
    Valid(u8),
    Raw(Val),
}

impl Word {
    fn to_json(&self, valid: &[&str]) -> Value {
        match self {
            Word::Valid(i) => json!(pick(valid, *i)),
            Word::Raw(v) => v.to_json(0),
        }
    }
}

/// A date: days after 2023-01-01 (in UTC, or as a bare date), or any value.
#[derive(Arbitrary, Debug, Clone)]
pub enum Date {
    Day(u16, bool),
    Raw(Val),
}

impl Date {
    fn to_json(&self) -> Value {
        match self {
            // 2023-01-01 is 730 days (1,051,200 minutes) before 2024-12-31, where `iso` counts from.
            Date::Day(d, bare) => json!(iso(
                i64::from(*d % 1500) * 1440 - 1_051_200,
                if *bare { 2 } else { 0 }
            )),
            Date::Raw(v) => v.to_json(0),
        }
    }
}

/// One step of a path into the card: an existing key or index (by position), or a named key.
#[derive(Arbitrary, Debug, Clone)]
pub enum Step {
    Nth(u8),
    Key(u8),
}

#[derive(Arbitrary, Debug, Clone)]
pub enum Edit {
    Set(Vec<Step>, Val),
    Remove(Vec<Step>),
    /// Copy one array element to the end of its array (duplicate carriers, fee entries, tiers).
    Duplicate(Vec<Step>),
}

#[derive(Arbitrary, Debug, Clone)]
pub enum CardInput {
    Default,
    Edited(Vec<Edit>),
    Raw(String),
}

fn walk<'a>(v: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    let Some((s, rest)) = steps.split_first() else {
        return Some(v);
    };
    let next = match (v, s) {
        (Value::Object(m), Step::Nth(i)) => {
            let n = m.len();
            let k = m.keys().nth(*i as usize % n.max(1))?.clone();
            m.get_mut(&k)?
        }
        (Value::Object(m), Step::Key(i)) => m.entry(pick(KEYS, *i)).or_insert(Value::Null),
        (Value::Array(a), Step::Nth(i) | Step::Key(i)) => {
            let n = a.len().max(1);
            a.get_mut(*i as usize % n)?
        }
        _ => return None,
    };
    walk(next, rest)
}

fn apply(card: &mut Value, e: &Edit) {
    match e {
        Edit::Set(path, val) => {
            if let Some(slot) = walk(card, path) {
                *slot = val.to_json(0);
            }
        }
        Edit::Remove(path) => {
            if let Some((last, init)) = path.split_last() {
                match (walk(card, init), last) {
                    (Some(Value::Object(m)), Step::Nth(i)) if !m.is_empty() => {
                        if let Some(k) = m.keys().nth(*i as usize % m.len()).cloned() {
                            m.remove(&k);
                        }
                    }
                    (Some(Value::Object(m)), Step::Key(i)) => {
                        m.remove(pick(KEYS, *i));
                    }
                    (Some(Value::Array(a)), Step::Nth(i) | Step::Key(i)) if !a.is_empty() => {
                        let n = a.len();
                        a.remove(*i as usize % n);
                    }
                    _ => {}
                }
            }
        }
        Edit::Duplicate(path) => {
            if let Some(Value::Array(a)) = walk(card, path) {
                if let Some(x) = a.first().cloned() {
                    a.push(x);
                }
            }
        }
    }
}

impl CardInput {
    /// The card as JSON text, or `None` for the default card.
    pub fn text(&self) -> Option<String> {
        match self {
            CardInput::Default => None,
            CardInput::Raw(s) => Some(s.clone()),
            CardInput::Edited(edits) => {
                let mut v: Value =
                    serde_json::from_str(creditcast::ratecard::DEFAULT_RATE_CARD_JSON).ok()?;
                for e in edits.iter().take(8) {
                    apply(&mut v, e);
                }
                Some(v.to_string())
            }
        }
    }
}

/// A usage event, field by field. `service` and `carrier` are usually names the card has.
#[derive(Arbitrary, Debug, Clone)]
pub struct Event {
    pub service: Name,
    pub direction: Option<Word>,
    pub text: Option<Text>,
    pub segments: Option<Num>,
    pub count: Option<Num>,
    pub duration_seconds: Option<Num>,
    pub quantity: Option<Num>,
    pub carrier: Option<Name>,
    pub number_type: Option<Word>,
    pub at: Option<Date>,
    pub unknown: Option<(u8, Val)>,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum Name {
    /// The n-th service (or carrier) of the card.
    Nth(u8),
    Other(Val),
}

/// SMS text: arbitrary UTF-16 (lone surrogates become U+FFFD, as across the JS boundary), or a
/// character repeated to reach segment boundaries.
#[derive(Arbitrary, Debug, Clone)]
pub enum Text {
    Utf16(Vec<u16>),
    Repeat(char, u16),
    Val(Val),
}

impl Text {
    fn to_json(&self) -> Value {
        match self {
            Text::Utf16(u) => json!(String::from_utf16_lossy(u)),
            Text::Repeat(c, n) => json!(c.to_string().repeat(*n as usize % 2_000)),
            Text::Val(v) => v.to_json(0),
        }
    }
}

impl Event {
    pub fn to_json(&self, services: &[String], carriers: &[String]) -> String {
        let name = |n: &Name, list: &[String]| match n {
            Name::Nth(i) if !list.is_empty() => json!(list[*i as usize % list.len()]),
            Name::Nth(i) => json!(format!("x{i}")),
            Name::Other(v) => v.to_json(0),
        };
        let mut m = Map::new();
        m.insert("service".into(), name(&self.service, services));
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.into(), v);
            }
        };
        put(
            "direction",
            self.direction
                .as_ref()
                .map(|w| w.to_json(&["outbound", "inbound"])),
        );
        put("segments", self.segments.as_ref().map(Num::to_json));
        put("count", self.count.as_ref().map(Num::to_json));
        put(
            "durationSeconds",
            self.duration_seconds.as_ref().map(Num::to_json),
        );
        put("quantity", self.quantity.as_ref().map(Num::to_json));
        put(
            "numberType",
            self.number_type
                .as_ref()
                .map(|w| w.to_json(&["10dlc", "tollFree", "shortCode"])),
        );
        put("at", self.at.as_ref().map(Date::to_json));
        if let Some(t) = &self.text {
            m.insert("text".into(), t.to_json());
        }
        if let Some(c) = &self.carrier {
            m.insert("carrier".into(), name(c, carriers));
        }
        if let Some((k, v)) = &self.unknown {
            m.insert(pick(KEYS, *k).into(), v.to_json(0));
        }
        Value::Object(m).to_string()
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct RateInput {
    pub card: CardInput,
    pub events: Vec<Event>,
    /// `context.used` for the single quotes: (service, units).
    pub used: Vec<(Name, Num)>,
}

/// A whole account scenario for `simulate`, mostly well-formed so that the replay itself is
/// exercised: times ascend from the plan start by fuzzed steps, amounts are edge decimals.
#[derive(Arbitrary, Debug, Clone)]
pub struct ScenarioInput {
    pub card: Option<CardInput>,
    pub opening_balance: Option<Num>,
    pub time_zone: Option<Zone>,
    pub cycle: Option<Word>,
    /// Minutes after 2024-12-31T00:00Z.
    pub start: u16,
    pub negative_balance: Option<(bool, Option<Num>)>,
    pub auto_recharge: Option<AutoRechargeInput>,
    pub payment_failed: bool,
    pub postpaid: bool,
    pub currency: Option<Word>,
    pub events: Vec<ScenarioEventInput>,
    pub until: Until,
    pub ledger: Option<Word>,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum Until {
    /// Minutes after the last event.
    After(u16),
    /// Days after the last event.
    Days(u16),
    Raw(Val),
}

#[derive(Arbitrary, Debug, Clone)]
pub enum Zone {
    /// Offsets in quarter hours, -72..=72 is valid (±18:00).
    Quarters(i8),
    Val(Val),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct AutoRechargeInput {
    pub enabled: bool,
    pub threshold: Option<Num>,
    pub amount: Option<Num>,
    pub target: Option<Num>,
    pub max_per_day: Option<Num>,
    pub max_per_month: Option<Num>,
}

impl AutoRechargeInput {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("enabled".into(), json!(self.enabled));
        for (k, v) in [
            ("threshold", &self.threshold),
            ("amount", &self.amount),
            ("target", &self.target),
            ("maxPerDay", &self.max_per_day),
            ("maxPerMonth", &self.max_per_month),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), v.to_json());
            }
        }
        Value::Object(m)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub enum ScenarioAction {
    Usage(Event),
    /// Aggregated usage: the first event's service, every event a part (its `service` and `at`
    /// removed unless `keep` says otherwise, to reach the errors too).
    Parts(Vec<Event>, bool),
    Purchase(Num),
    PaymentWillFail,
    PaymentMethodFixed,
    SetAutoRecharge(Option<AutoRechargeInput>),
    SetNegativeBalance(Option<(bool, Option<Num>)>),
    Other(Val, Option<(u8, Val)>),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct ScenarioEventInput {
    /// Minutes after the previous event (0 = same instant); a few events go back in time.
    pub step: u16,
    pub backwards: bool,
    /// Write the time as a local date-time without offset, as a date, or in UTC.
    pub form: u8,
    pub action: ScenarioAction,
}

fn iso(minutes: i64, form: u8) -> String {
    // 2024-12-31T00:00:00Z is 1735603200.
    let t = 1_735_603_200 + minutes * 60;
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    let (hh, mm) = (secs / 3600, secs % 3600 / 60);
    match form % 4 {
        0 => format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:00Z"),
        1 => format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:00"),
        2 => format!("{y:04}-{m:02}-{d:02}"),
        _ => format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:00+05:30"),
    }
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn negative(nb: &(bool, Option<Num>)) -> Value {
    let mut m = Map::new();
    m.insert("allowed".into(), json!(nb.0));
    if let Some(l) = &nb.1 {
        m.insert("limit".into(), l.to_json());
    }
    Value::Object(m)
}

impl ScenarioInput {
    pub fn to_json(&self) -> String {
        let card_text = self.card.as_ref().and_then(|c| c.text());
        let card: Option<Value> = card_text
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok());
        let default: Value = serde_json::from_str(creditcast::ratecard::DEFAULT_RATE_CARD_JSON)
            .unwrap_or(Value::Null);
        let names = |v: &Value, key: &str| -> Vec<String> {
            match &v[key] {
                Value::Object(m) => m.keys().cloned().collect(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(|c| c["id"].as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let used_card = card.as_ref().unwrap_or(&default);
        let services = names(used_card, "services");
        let carriers = names(used_card, "carriers");

        let mut account = Map::new();
        let start = i64::from(self.start);
        account.insert("plan".into(), {
            let mut p = Map::new();
            p.insert("start".into(), json!(iso(start, 0)));
            if let Some(c) = &self.cycle {
                p.insert(
                    "cycle".into(),
                    c.to_json(&["monthly", "quarterly", "annual"]),
                );
            }
            Value::Object(p)
        });
        if let Some(v) = &self.opening_balance {
            account.insert("openingBalance".into(), v.to_json());
        }
        match &self.time_zone {
            Some(Zone::Quarters(q)) => {
                let m = i32::from(*q) * 15;
                let sign = if m < 0 { '-' } else { '+' };
                let a = m.abs();
                account.insert(
                    "timeZone".into(),
                    json!(format!("{sign}{:02}:{:02}", a / 60, a % 60)),
                );
            }
            Some(Zone::Val(v)) => {
                account.insert("timeZone".into(), v.to_json(0));
            }
            None => {}
        }
        if let Some(nb) = &self.negative_balance {
            account.insert("negativeBalance".into(), negative(nb));
        }
        if let Some(a) = &self.auto_recharge {
            account.insert("autoRecharge".into(), a.to_json());
        }
        if self.payment_failed {
            account.insert("paymentMethod".into(), json!("failed"));
        }
        if self.postpaid {
            account.insert("postpaid".into(), json!(true));
        }
        if let Some(c) = &self.currency {
            account.insert("currency".into(), c.to_json(&["USD", "EUR"]));
        }

        let mut t = start;
        let mut events = Vec::new();
        for e in self.events.iter().take(48) {
            let step = i64::from(e.step);
            t = if e.backwards {
                t - step.min(600)
            } else {
                t + step
            };
            let mut ev: Map<String, Value> = match &e.action {
                ScenarioAction::Usage(u) => {
                    let mut m: Map<String, Value> =
                        serde_json::from_str(&u.to_json(&services, &carriers)).unwrap_or_default();
                    m.remove("at");
                    m.insert("type".into(), json!("usage"));
                    m
                }
                ScenarioAction::Parts(parts, keep) => {
                    let mut m = Map::new();
                    m.insert("type".into(), json!("usage"));
                    let mut list = Vec::new();
                    for p in parts.iter().take(8) {
                        let mut part: Map<String, Value> =
                            serde_json::from_str(&p.to_json(&services, &carriers))
                                .unwrap_or_default();
                        if let Some(svc) = part.get("service").cloned() {
                            m.entry("service").or_insert(svc);
                        }
                        if !keep {
                            part.remove("service");
                            part.remove("at");
                        }
                        list.push(Value::Object(part));
                    }
                    m.insert("parts".into(), Value::Array(list));
                    m
                }
                ScenarioAction::Purchase(v) => {
                    let mut m = Map::new();
                    m.insert("type".into(), json!("purchase"));
                    m.insert("amount".into(), v.to_json());
                    m
                }
                ScenarioAction::PaymentWillFail => [("type".to_string(), json!("paymentWillFail"))]
                    .into_iter()
                    .collect(),
                ScenarioAction::PaymentMethodFixed => {
                    [("type".to_string(), json!("paymentMethodFixed"))]
                        .into_iter()
                        .collect()
                }
                ScenarioAction::SetAutoRecharge(a) => {
                    let mut m = Map::new();
                    m.insert("type".into(), json!("setAutoRecharge"));
                    if let Some(a) = a {
                        m.insert("autoRecharge".into(), a.to_json());
                    }
                    m
                }
                ScenarioAction::SetNegativeBalance(nb) => {
                    let mut m = Map::new();
                    m.insert("type".into(), json!("setNegativeBalance"));
                    if let Some(nb) = nb {
                        m.insert("negativeBalance".into(), negative(nb));
                    }
                    m
                }
                ScenarioAction::Other(kind, extra) => {
                    let mut m = Map::new();
                    m.insert("type".into(), kind.to_json(0));
                    if let Some((k, v)) = extra {
                        m.insert(pick(KEYS, *k).into(), v.to_json(0));
                    }
                    m
                }
            };
            ev.insert("at".into(), json!(iso(t, e.form)));
            events.push(Value::Object(ev));
        }
        let until = match &self.until {
            Until::After(m) => json!(iso(t + i64::from(*m), 0)),
            Until::Days(d) => json!(iso(t + i64::from(*d % 4000) * 1440, 2)),
            Until::Raw(v) => v.to_json(0),
        };
        let mut sc = Map::new();
        if let Some(c) = card {
            sc.insert("rateCard".into(), c);
        }
        sc.insert("account".into(), Value::Object(account));
        sc.insert("events".into(), Value::Array(events));
        sc.insert("until".into(), until);
        if let Some(l) = &self.ledger {
            sc.insert(
                "options".into(),
                json!({ "ledger": l.to_json(&["event", "hour", "day", "none"]) }),
            );
        }
        Value::Object(sc).to_string()
    }
}
