//! The one binding module: every `#[wasm_bindgen]` item lives here. It converts JS values to the
//! core's types and back, and turns every core error into a JS `CreditcastError` (code, path,
//! message). Nothing in here can panic on input.

use std::cell::RefCell;

use js_sys::{Array, Function, Reflect, Uint32Array, JSON};
#[cfg(feature = "balance")]
use serde::de::DeserializeOwned;
#[cfg(feature = "balance")]
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[cfg(feature = "balance")]
use crate::account::{self, Scenario, ScenarioEvent};
use crate::columns::{EventColumns, JsonSize, Shape};
use crate::error::{Error, ErrorCode, Errors};
use crate::input;
use crate::output::{self, WriteJson};
#[cfg(feature = "balance")]
use crate::projection;
use crate::ratecard::{RateCard, DEFAULT_RATE_CARD_JSON};
use crate::rating::{
    self, BatchOptions, Charges, RateContext, RatingEngine as CoreEngine, UsageEvent,
};
use crate::segments::{segment_message, SegmentOptions};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = include_str!("wasm_types.d.ts");

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Called once by the package entry with its `CreditcastError` class, so that every error thrown
/// from WASM is an instance of it.
#[wasm_bindgen(js_name = "__setErrorClass")]
pub fn set_error_class(class: Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

fn js_error(e: &Error, problems: Option<&[Error]>) -> JsValue {
    let code = JsValue::from_str(e.code.as_str());
    let path = JsValue::from_str(&e.path);
    let message = JsValue::from_str(&e.message);
    let problems_js = problems.map(|ps| {
        let arr = Array::new();
        for p in ps {
            arr.push(&json_out(p).unwrap_or(JsValue::NULL));
        }
        JsValue::from(arr)
    });
    let class = ERROR_CLASS.with(|c| c.borrow().clone());
    if let Some(class) = class {
        let args = Array::of3(&code, &path, &message);
        if let Some(p) = &problems_js {
            args.push(p);
        }
        if let Ok(v) = Reflect::construct(&class, &args) {
            return v;
        }
    }
    let text = if e.path.is_empty() {
        e.message.clone()
    } else {
        format!("{}: {}", e.path, e.message)
    };
    let err = js_sys::Error::new(&text);
    let _ = Reflect::set(&err, &"code".into(), &code);
    let _ = Reflect::set(&err, &"path".into(), &path);
    if let Some(p) = &problems_js {
        let _ = Reflect::set(&err, &"problems".into(), p);
    }
    err.into()
}

fn throw(e: Error) -> JsValue {
    js_error(&e, None)
}

fn throw_all(es: Errors) -> JsValue {
    match es.0.first() {
        Some(first) => {
            let mut head = first.clone();
            if es.0.len() > 1 {
                head.message = format!("{} (and {} more problems)", head.message, es.0.len() - 1);
            }
            js_error(&head, Some(&es.0))
        }
        None => throw(Error::new(ErrorCode::InvalidInput, "", "invalid input")),
    }
}

/// Outputs cross as JSON text parsed by the engine's `JSON.parse`: one string crossing the
/// boundary beats a call per field. The rating results, rate cards and errors are written by hand
/// ([`output`]: the text serde would write, without serde's code in the rating core).
fn json_out<T: WriteJson + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    parse_out(&output::to_json(v))
}

fn parse_out(text: &str) -> Result<JsValue, JsValue> {
    JSON::parse(text).map_err(|_| {
        throw(Error::new(
            ErrorCode::InvalidInput,
            "",
            "could not build the result",
        ))
    })
}

/// Any other result, through its derived `Serialize`.
#[cfg(feature = "balance")]
fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(v)
        .map_err(|e| throw(Error::new(ErrorCode::InvalidInput, "", e.to_string())))?;
    JSON::parse(&text).map_err(|_| {
        throw(Error::new(
            ErrorCode::InvalidInput,
            "",
            "could not build the result",
        ))
    })
}

/// A JS value (or a JSON string) into a typed value, with coded errors and paths. Inputs cross
/// as JSON text (`JSON.stringify` in the engine): a JS `NaN`/`Infinity` becomes `null`, which
/// every numeric field rejects, and `undefined` fields are simply absent.
#[cfg(feature = "balance")]
fn from_js<T: DeserializeOwned>(v: JsValue) -> Result<T, Error> {
    let text = stringify(&v)?;
    input::from_json(&text)
}

/// Stringify a large JS value once, so it can be parsed in WASM without per-field calls.
fn stringify(v: &JsValue) -> Result<String, Error> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    if v.is_undefined() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "",
            "input is missing (undefined)",
        ));
    }
    match JSON::stringify(v) {
        Ok(s) => s.as_string().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                "",
                "input is not JSON-serialisable",
            )
        }),
        Err(_) => Err(Error::new(
            ErrorCode::InvalidInput,
            "",
            "input is not JSON-serialisable (a cycle, a BigInt or a throwing toJSON)",
        )),
    }
}

/// A JS value (or a JSON string) read by a type's hand-written reader (the rating inputs: no
/// serde code for them in the WASM).
fn read_js<T>(
    v: &JsValue,
    f: fn(&mut input::json::Deserializer<'_>) -> input::json::Result<T>,
) -> Result<T, Error> {
    let text = stringify(v)?;
    input::read(&text, f)
}

fn event_from(v: JsValue) -> Result<UsageEvent<'static>, Error> {
    let text = stringify(&v)?;
    input::read(&text, rating::read::usage_event).map(UsageEvent::into_owned)
}

/// An optional argument: absent (`undefined` or `null`) is the default.
fn opt<T: Default>(
    v: Option<JsValue>,
    f: fn(&mut input::json::Deserializer<'_>) -> input::json::Result<T>,
) -> Result<T, Error> {
    match v {
        Some(v) if !v.is_undefined() && !v.is_null() => read_js(&v, f),
        _ => Ok(T::default()),
    }
}

fn card_from(v: JsValue) -> Result<CoreEngine, JsValue> {
    if v.is_undefined() || v.is_null() {
        return CoreEngine::new(RateCard::default_card()).map_err(throw_all);
    }
    let card = read_js(&v, RateCard::read).map_err(throw)?;
    CoreEngine::new(card).map_err(throw_all)
}

/// Count SMS segments exactly as carriers bill them.
#[wasm_bindgen(js_name = segmentMessage, unchecked_return_type = "SegmentedMessage")]
pub fn segment_message_js(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "SegmentOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let opts: SegmentOptions =
        opt(options, rating::read::segment_options).map_err(|e| throw(e.at("options")))?;
    let m = segment_message(text, &opts).map_err(throw)?;
    json_out(&m)
}

/// `segmentMessage` without options, packed for the JS entry (see `SegmentedMessage::packed`).
#[wasm_bindgen(js_name = "__segmentPacked")]
pub fn segment_packed(text: &str) -> Result<Vec<u32>, JsValue> {
    crate::segments::segment_packed(text).map_err(throw)
}

/// The embedded example US rate card.
#[wasm_bindgen(js_name = defaultRateCard, unchecked_return_type = "RateCard")]
pub fn default_rate_card() -> Result<JsValue, JsValue> {
    JSON::parse(DEFAULT_RATE_CARD_JSON).map_err(|_| {
        throw(Error::new(
            ErrorCode::InvalidInput,
            "",
            "could not build the default rate card",
        ))
    })
}

/// Every problem with a rate card, each `{ code, path, message }`; empty when the card is valid.
#[wasm_bindgen(js_name = validateRateCard, unchecked_return_type = "Problem[]")]
pub fn validate_rate_card(
    #[wasm_bindgen(unchecked_param_type = "RateCard | string")] card: JsValue,
) -> Result<JsValue, JsValue> {
    let problems = match read_js(&card, RateCard::read) {
        Ok(c) => c.problems(),
        Err(e) => vec![e],
    };
    json_out(&problems)
}

/// Column buffers in WASM memory, written in place by the package's JS encoder (js/columns.js):
/// a million events cross without a copy. The encoder asks for the addresses, views the memory
/// through typed arrays and grows a buffer through this object when it runs out of room.
#[wasm_bindgen(js_name = "__Columns")]
pub struct ColumnBuffers {
    words: Vec<u32>,
    text: Vec<u8>,
    lens: Vec<u32>,
}

/// Grow `v` to `n` items, zero-filled; false when memory runs out (the JSON path then runs).
fn zeroed<T: Clone + Default>(v: &mut Vec<T>, n: u32) -> bool {
    let n = n as usize;
    if v.try_reserve_exact(n.saturating_sub(v.len())).is_err() {
        return false;
    }
    v.resize(n, T::default());
    true
}

#[wasm_bindgen(js_class = "__Columns")]
impl ColumnBuffers {
    /// Buffers for `words` words, `text` bytes and `lens` string lengths; `undefined` when
    /// memory runs out.
    pub fn make(words: u32, text: u32, lens: u32) -> Option<ColumnBuffers> {
        let mut b = ColumnBuffers {
            words: Vec::new(),
            text: Vec::new(),
            lens: Vec::new(),
        };
        (zeroed(&mut b.words, words) && zeroed(&mut b.text, text) && zeroed(&mut b.lens, lens))
            .then_some(b)
    }

    /// Addresses in WASM memory (valid until the next call into WASM that allocates).
    pub fn words(&self) -> u32 {
        self.words.as_ptr() as usize as u32
    }
    pub fn text(&self) -> u32 {
        self.text.as_ptr() as usize as u32
    }
    pub fn lens(&self) -> u32 {
        self.lens.as_ptr() as usize as u32
    }

    /// Grow the text (or the length list) to `n`, keeping its content; false when memory runs
    /// out.
    #[wasm_bindgen(js_name = growText)]
    pub fn grow_text(&mut self, n: u32) -> bool {
        zeroed(&mut self.text, n)
    }
    #[wasm_bindgen(js_name = growLens)]
    pub fn grow_lens(&mut self, n: u32) -> bool {
        zeroed(&mut self.lens, n)
    }
}

impl ColumnBuffers {
    /// The columns in the parts the encoder filled: `events` events, `text` bytes, `lens`
    /// strings; the first event is the batch's event `first`.
    fn columns<'b>(
        &'b self,
        shape: Shape,
        names: &'b [String],
        (events, text, lens): (u32, u32, u32),
        first: usize,
    ) -> Result<EventColumns<'b>, JsValue> {
        let words = (events as usize).checked_mul(crate::columns::STRIDE);
        match (
            words.and_then(|w| self.words.get(..w)),
            self.text.get(..text as usize),
            self.lens.get(..lens as usize),
        ) {
            (Some(w), Some(t), Some(l)) => {
                EventColumns::part(shape, names, w, t, l, first).map_err(throw)
            }
            _ => Err(malformed("sizes beyond the buffers")),
        }
    }
}

/// The WASM memory, for the JS encoder's views into `__Columns` buffers.
#[wasm_bindgen(js_name = "__memory")]
pub fn memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Rates usage events against one validated rate card.
#[wasm_bindgen(js_name = RatingEngine)]
pub struct RatingEngine {
    core: CoreEngine,
    /// The `rateBatch` whose parts are coming, if any. Behind a `RefCell` so that the part
    /// calls take `&self`: a getter or `toJSON` that `JSON.stringify` runs inside another call
    /// of this engine may rate a batch of its own (the JS entry sends a batch started while
    /// one's parts are coming down the JSON path).
    parts: RefCell<Option<Parts>>,
}

/// A `rateBatch` whose events come in parts (`RatingEngine.__rateBatchPart`).
struct Parts {
    batch: rating::Batch,
    size: JsonSize,
    /// Events the batch was started for, and given so far.
    expected: usize,
    seen: usize,
    /// The first rating error, thrown once every part has been read.
    error: Option<Error>,
}

/// One part of a batch (see `RatingEngine::rate_batch_part`).
fn rate_part(
    core: &CoreEngine,
    run: &mut Parts,
    names: &[String],
    buffers: &ColumnBuffers,
    sizes: (u32, u32, u32),
) -> Result<JsValue, JsValue> {
    let first = run.seen;
    let cols = buffers.columns(Shape::Usage, names, sizes, first)?;
    run.seen = first.saturating_add(cols.len());
    let Some(remaining) = run.expected.checked_sub(run.seen) else {
        return Err(malformed("more events than the batch was started for"));
    };
    run.size.add_part(&cols, remaining as u64);
    if run.error.is_none() {
        let batch = &mut run.batch;
        run.error = cols
            .each_usage_event(&mut |_, ev: &UsageEvent<'_>| core.rate_next(batch, ev))
            .err();
    }
    if remaining > 0 {
        return Ok(JsValue::UNDEFINED);
    }
    // Undecided only when the parts scanned were not enough (text far heavier at the end than
    // before): the JSON path decides then.
    if run.size.verdict() != Some(false) {
        return Ok(JsValue::NULL);
    }
    if let Some(e) = run.error.take() {
        return Err(throw(e));
    }
    let mut r = std::mem::take(&mut run.batch).finish().map_err(throw)?;
    // The JS entry puts `charges` back (last, where the JSON path has it).
    if let Some(Charges::Totals(totals)) = &r.charges {
        let (table, index) = crate::columns::intern_totals(totals);
        r.charges = None;
        let mut text = String::from("[");
        r.write_json(&mut text);
        text.push(',');
        table.write_json(&mut text);
        text.push(']');
        let packed: Array = parse_out(&text)?.into();
        packed.push(&Uint32Array::from(&index[..]));
        return Ok(packed.into());
    }
    json_out(&r)
}

fn malformed(what: &str) -> JsValue {
    throw(Error::new(
        ErrorCode::InvalidInput,
        "",
        format!("malformed event columns: {what}"),
    ))
}

#[wasm_bindgen(js_class = RatingEngine)]
impl RatingEngine {
    /// Validate and compile `rateCard` (the default card when omitted). Throws a
    /// `CreditcastError` whose `problems` lists every problem found.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "RateCard | string | undefined")] rate_card: JsValue,
    ) -> Result<RatingEngine, JsValue> {
        Ok(RatingEngine {
            core: card_from(rate_card)?,
            parts: RefCell::new(None),
        })
    }

    /// Quote one event. `context.used` gives units already used this period per service, for
    /// allowances and tiers; without it the period starts empty.
    #[wasm_bindgen(unchecked_return_type = "Charge")]
    pub fn rate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UsageEvent")] event: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RateContext")] context: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let ev = event_from(event).map_err(throw)?;
        let ctx: RateContext =
            opt(context, rating::read::rate_context).map_err(|e| throw(e.at("context")))?;
        let c = self.core.rate(&ev, &ctx).map_err(throw)?;
        json_out(&c)
    }

    /// Rate many events in order, consuming allowances and tiers; per-event charges plus totals
    /// by service and by carrier. `options.charges`: `"full"` (default), `"totals"` or `"none"`.
    #[wasm_bindgen(js_name = rateBatch, unchecked_return_type = "BatchResult")]
    pub fn rate_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UsageEvent[]")] events: JsValue,
        #[wasm_bindgen(unchecked_param_type = "BatchOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let opts: BatchOptions =
            opt(options, rating::read::batch_options).map_err(|e| throw(e.at("options")))?;
        let text = stringify(&events).map_err(throw)?;
        let evs = UsageEvent::list_from_json(&text).map_err(throw)?;
        let r = self.core.rate_batch(&evs, opts).map_err(throw)?;
        json_out(&r)
    }

    /// `rateBatch` with the events as columns, a part at a time (see `crate::columns`; written
    /// by the package's JS entry when every event has a simple shape). The first part gives
    /// the options and the number of events in the batch (`total`), and starts it; later parts
    /// give `total` 0. Each part's columns are checked (a malformed one throws) and its events
    /// rated unless an event before them failed. Rating errors are held until the last part: a
    /// later part may still send the whole call to the JSON path.
    ///
    /// Returns `undefined` while parts are to come. After the last, the batch's result as
    /// `rateBatch` returns it, but with per-event totals as `[result, distinct totals,
    /// Uint32Array of indices]`; or `null` when the JSON path must decide instead (input it
    /// would refuse as too large). Throws the options' errors, and the first rating error.
    #[wasm_bindgen(
        js_name = "__rateBatchPart",
        unchecked_return_type = "BatchResult | [BatchResult, Decimal[], Uint32Array] | null | undefined"
    )]
    #[allow(clippy::too_many_arguments)]
    pub fn rate_batch_part(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BatchOptions")] options: Option<JsValue>,
        total: u32,
        names: Vec<String>,
        buffers: &ColumnBuffers,
        events: u32,
        text: u32,
        lens: u32,
    ) -> Result<JsValue, JsValue> {
        let started = if total > 0 {
            // Read before the run is borrowed: reading the options may run the caller's code.
            let opts: BatchOptions =
                opt(options, rating::read::batch_options).map_err(|e| throw(e.at("options")))?;
            Some(Parts {
                batch: self.core.start_batch(total as usize, opts).map_err(throw)?,
                size: JsonSize::default(),
                expected: total as usize,
                seen: 0,
                error: None,
            })
        } else {
            None
        };
        // Nothing below runs the caller's code, so the run cannot be borrowed twice.
        let Ok(mut slot) = self.parts.try_borrow_mut() else {
            return Err(malformed("a batch's parts are being read"));
        };
        if started.is_some() {
            *slot = started;
        }
        let out = match slot.as_mut() {
            Some(run) => rate_part(&self.core, run, &names, buffers, (events, text, lens)),
            None => Err(malformed("no batch started")),
        };
        // Done, or failed: the next batch starts afresh.
        if !matches!(&out, Ok(v) if v.is_undefined()) {
            *slot = None;
        }
        out
    }

    /// Drop the batch whose parts were coming (the JSON path takes the call).
    #[wasm_bindgen(js_name = "__dropBatchParts")]
    pub fn drop_batch_parts(&self) {
        if let Ok(mut slot) = self.parts.try_borrow_mut() {
            *slot = None;
        }
    }

    /// The rate card this engine uses.
    #[wasm_bindgen(js_name = rateCard, unchecked_return_type = "RateCard")]
    pub fn rate_card(&self) -> Result<JsValue, JsValue> {
        json_out(self.core.card())
    }
}

/// Build the engine for an optional rate card inside a larger input, errors prefixed with `at`.
#[cfg(feature = "balance")]
fn engine_for(card: Option<&RateCard>, at: &str) -> Result<CoreEngine, JsValue> {
    let card = card.cloned().unwrap_or_else(RateCard::default_card);
    CoreEngine::new(card)
        .map_err(|es| throw_all(Errors(es.0.into_iter().map(|e| e.at(at)).collect())))
}

/// Replay an account's life: usage, purchases, payment failures and fixes, settings changes,
/// month ends up to `until`. A pure function of its JSON input.
/// Returns the result with its refusals and ledger apart: see [`lists_apart`].
#[cfg(feature = "balance")]
#[wasm_bindgen(
    js_name = "__simulate",
    unchecked_return_type = "[SimulationResult, string[], string, Float64Array, string, Float64Array]"
)]
pub fn simulate(
    #[wasm_bindgen(unchecked_param_type = "Scenario | string")] scenario: JsValue,
) -> Result<JsValue, JsValue> {
    let text = stringify(&scenario).map_err(throw)?;
    let sc = Scenario::from_json(&text).map_err(throw)?;
    let engine = engine_for(sc.rate_card.as_ref(), "rateCard")?;
    let mut r = account::simulate(&engine, &sc).map_err(throw)?;
    let refused = std::mem::take(&mut r.refused);
    let ledger = std::mem::take(&mut r.ledger);
    Ok(lists_apart(&r, &refused, &ledger)?.into())
}

/// A result whose refusals and ledger cross apart from its JSON, as `[result, names, refusal
/// lines, refusal numbers, ledger lines, ledger numbers]` (see `crate::columns`): an account
/// left without funds can refuse millions of events, and a year's ledger holds thousands of
/// entries, which the JS entry builds from these about twice as fast as it parses their JSON.
/// The result's `refused` and `ledger` are in place, empty, for the JS entry to fill.
#[cfg(feature = "balance")]
fn lists_apart<T: Serialize>(
    result: &T,
    refused: &[account::Refusal],
    ledger: &[account::Entry],
) -> Result<Array, JsValue> {
    let mut names = crate::columns::Names::default();
    let r = crate::columns::refusal_columns(refused, &mut names);
    let l = crate::columns::ledger_columns(ledger, &mut names);
    let out = Array::new();
    out.push(&to_js(result)?);
    out.push(
        &names
            .0
            .iter()
            .map(|n| JsValue::from_str(n))
            .collect::<Array>(),
    );
    for c in [&r, &l] {
        out.push(&JsValue::from_str(&c.lines));
        out.push(&js_sys::Float64Array::from(&c.numbers[..]));
    }
    Ok(out)
}

/// `simulate` with the events as columns (see `crate::columns`): `head` is the scenario's JSON
/// text with `"events":[]`. Returns what `__simulate` returns, or `undefined` when the JSON path
/// must decide instead.
#[cfg(feature = "balance")]
#[wasm_bindgen(
    js_name = "__simulateColumns",
    unchecked_return_type = "[SimulationResult, string[], string, Float64Array, string, Float64Array] | undefined"
)]
pub fn simulate_columns(
    head: &str,
    names: Vec<String>,
    buffers: &ColumnBuffers,
    events: u32,
    text: u32,
    lens: u32,
) -> Result<JsValue, JsValue> {
    let cols = buffers.columns(Shape::Scenario, &names, (events, text, lens), 0)?;
    // The JSON text would be the head with the events' text in place of its `[]`.
    let head_units = head.encode_utf16().count() as u64;
    if cols.json_too_large(
        (head.len() as u64).saturating_sub(2),
        head_units.saturating_sub(2),
    ) {
        return Ok(JsValue::UNDEFINED);
    }
    let sc = Scenario::from_json(head).map_err(throw)?;
    let engine = engine_for(sc.rate_card.as_ref(), "rateCard")?;
    let mut r = account::simulate_columns(&engine, &sc, &cols).map_err(throw)?;
    let refused = std::mem::take(&mut r.refused);
    let ledger = std::mem::take(&mut r.ledger);
    Ok(lists_apart(&r, &refused, &ledger)?.into())
}

/// A live prepaid account for a UI: apply events as they happen, read the balance, the ledger
/// and the auto-recharge status, persist with `toJSON` / `Account.fromJSON`.
#[cfg(feature = "balance")]
#[wasm_bindgen(js_name = Account)]
pub struct Account {
    core: account::Account,
    engine: CoreEngine,
}

#[cfg(feature = "balance")]
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SavedOut<'a> {
    version: u32,
    rate_card: &'a RateCard,
    state: &'a account::Account,
}

/// What `applyAll` returns.
#[cfg(feature = "balance")]
#[derive(serde::Serialize)]
struct Applied {
    applied: usize,
    balance: crate::money::Dec,
}

#[cfg(feature = "balance")]
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SavedIn {
    version: u32,
    rate_card: RateCard,
    state: account::Account,
}

#[cfg(feature = "balance")]
#[wasm_bindgen(js_class = Account)]
impl Account {
    /// Open an account with `config`, priced on `rateCard` (the default card when omitted).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "AccountConfig")] config: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RateCard | string")] rate_card: Option<JsValue>,
    ) -> Result<Account, JsValue> {
        let engine = card_from(rate_card.unwrap_or(JsValue::UNDEFINED))?;
        let config: account::AccountConfig = from_js(config).map_err(throw)?;
        let core = account::Account::new(config, &engine).map_err(throw)?;
        Ok(Account { core, engine })
    }

    /// Apply one event (`usage`, `purchase`, `paymentWillFail`, `paymentMethodFixed`,
    /// `setAutoRecharge`, `setNegativeBalance`). Month ends and deferred fees due before it are
    /// applied first. On error nothing changes.
    #[wasm_bindgen(unchecked_return_type = "Applied")]
    pub fn apply(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ScenarioEvent")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        let text = stringify(&event).map_err(throw)?;
        let ev = ScenarioEvent::from_json(&text).map_err(throw)?;
        let applied = self.core.apply(&self.engine, &ev).map_err(throw)?;
        to_js(&applied)
    }

    /// Apply many events in order (much faster than one call each). Stops at the first bad
    /// event with its error (path `[i]…`); the events before it stay applied.
    #[wasm_bindgen(js_name = applyAll, unchecked_return_type = "{ applied: number; balance: Decimal }")]
    pub fn apply_all(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ScenarioEvent[]")] events: JsValue,
    ) -> Result<JsValue, JsValue> {
        let text = stringify(&events).map_err(throw)?;
        let evs: Vec<ScenarioEvent<'_>> = input::from_json(&text).map_err(throw)?;
        self.core.apply_all(&self.engine, &evs).map_err(throw)?;
        to_js(&Applied {
            applied: evs.len(),
            balance: crate::money::Dec(self.core.balance()),
        })
    }

    /// Run the clock to `at` (month ends settle, deferred fees post).
    #[wasm_bindgen(js_name = advanceTo, unchecked_return_type = "Applied")]
    pub fn advance_to(&mut self, at: &str) -> Result<JsValue, JsValue> {
        let applied = self.core.advance_to(at).map_err(|e| {
            throw(if e.path.is_empty() {
                Error {
                    path: "at".into(),
                    ..e
                }
            } else {
                e
            })
        })?;
        to_js(&applied)
    }

    /// The balance, as a decimal string.
    pub fn balance(&self) -> String {
        crate::money::Dec(self.core.balance()).to_string()
    }

    #[wasm_bindgen(unchecked_return_type = "LedgerEntry[]")]
    pub fn ledger(&self) -> Result<JsValue, JsValue> {
        to_js(&*self.core.ledger().map_err(throw)?)
    }

    #[wasm_bindgen(unchecked_return_type = "Refusal[]")]
    pub fn refused(&self) -> Result<JsValue, JsValue> {
        to_js(self.core.refused())
    }

    #[wasm_bindgen(unchecked_return_type = "Invoice[]")]
    pub fn invoices(&self) -> Result<JsValue, JsValue> {
        to_js(self.core.invoices())
    }

    #[wasm_bindgen(unchecked_return_type = "Statement[]")]
    pub fn statements(&self) -> Result<JsValue, JsValue> {
        to_js(&self.core.statements().map_err(throw)?)
    }

    /// Auto-recharge as the account sees it: on/off and why, last attempt, next trigger point.
    #[wasm_bindgen(js_name = autoRechargeStatus, unchecked_return_type = "AutoRechargeStatus")]
    pub fn auto_recharge_status(&self) -> Result<JsValue, JsValue> {
        to_js(&self.core.auto_recharge_status())
    }

    /// Everything `simulate` returns, for the account as it is now.
    #[wasm_bindgen(unchecked_return_type = "SimulationResult")]
    pub fn result(&self) -> Result<JsValue, JsValue> {
        to_js(&self.core.result().map_err(throw)?)
    }

    /// A plain JSON value that `Account.fromJSON` restores exactly (the rate card included).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "SavedAccount")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        to_js(&SavedOut {
            version: 1,
            rate_card: self.engine.card(),
            state: &self.core,
        })
    }

    /// Restore an account saved with `toJSON` (object or JSON string).
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "SavedAccount | string")] saved: JsValue,
    ) -> Result<Account, JsValue> {
        let saved: SavedIn = from_js(saved).map_err(throw)?;
        if saved.version != 1 {
            return Err(throw(Error::new(
                ErrorCode::InvalidValue,
                "version",
                "saved account version must be 1",
            )));
        }
        let engine = engine_for(Some(&saved.rate_card), "rateCard")?;
        let core = account::Account::restored(saved.state).map_err(|e| throw(e.at("state")))?;
        Ok(Account { core, engine })
    }
}

/// Project an account's balance from a usage profile: path 0 in detail (series, recharges,
/// settlements, refusals, statements, summary) and percentile bands over `paths` random paths.
/// The JS entry turns the series and bands into `Float64Array`s.
#[cfg(feature = "balance")]
#[wasm_bindgen(
    js_name = "__project",
    unchecked_return_type = "[ProjectionResult, string[], Uint8Array, Float64Array, string, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array]"
)]
pub fn project(
    #[wasm_bindgen(unchecked_param_type = "ProjectionRequest | string")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let (engine, req, ()) = projection_input(&request, || Ok(()))?;
    projection_out(projection::project(&engine, &req).map_err(throw)?)
}

/// A projection request (object or JSON text), what follows it (`rest`: the variants or the
/// goal, parsed after it so that errors come in the order of the arguments), and the engine of
/// its rate card.
#[cfg(feature = "balance")]
fn projection_input<T>(
    request: &JsValue,
    rest: impl FnOnce() -> Result<T, JsValue>,
) -> Result<(CoreEngine, projection::ProjectionRequest, T), JsValue> {
    let req: projection::ProjectionRequest = from_js(request.clone()).map_err(throw)?;
    let rest = rest()?;
    let engine = engine_for(req.rate_card.as_ref(), "rateCard")?;
    Ok((engine, req, rest))
}

/// An argument after the request (object or JSON text), its errors under the path `at`.
#[cfg(feature = "balance")]
fn argument<T: DeserializeOwned>(v: &JsValue, at: &str) -> Result<T, JsValue> {
    from_js(v.clone()).map_err(|e| throw(e.at(at)))
}

/// A projection's result as `__project` returns it.
#[cfg(feature = "balance")]
fn projection_out(mut r: projection::ProjectionResult) -> Result<JsValue, JsValue> {
    // The big lists cross without JSON (the rest of the result does): the ledger as
    // `lists_apart` sends it, the refusals packed, the series and the bands as Float64Arrays
    // copied out of WASM memory. Their places in the JSON stay, empty.
    let refused = std::mem::take(&mut r.refused);
    let ledger = std::mem::take(&mut r.ledger);
    let t = std::mem::take(&mut r.series.t);
    let balance = std::mem::take(&mut r.series.balance);
    let bands = std::mem::take(&mut r.bands);
    let out = lists_apart(&r, &[], &ledger)?;
    // The refusals packed (up to 10,000 of them): `__refusalColumns` turns them into columns
    // when the page first reads `refused`.
    let packed = crate::columns::pack_refusals(&refused);
    out.set(2, js_sys::Uint8Array::from(&packed[..]).into());
    for column in [&t, &balance, &bands.t, &bands.p10, &bands.p50, &bands.p90] {
        out.push(&js_sys::Float64Array::from(&column[..]));
    }
    Ok(out.into())
}

/// Refusals packed by a projection (`crate::columns::pack_refusals`) as `[names, lines,
/// numbers]`, the columns `lists_apart` sends: the JS entry builds a projection's `refused` from
/// them when it is first read.
#[cfg(feature = "balance")]
#[wasm_bindgen(
    js_name = "__refusalColumns",
    unchecked_return_type = "[string[], string, Float64Array]"
)]
pub fn refusal_columns(packed: &[u8]) -> Result<JsValue, JsValue> {
    let refused = crate::columns::unpack_refusals(packed, "refused").map_err(throw)?;
    let mut names = crate::columns::Names::default();
    let c = crate::columns::refusal_columns(&refused, &mut names);
    let names: Array = names.0.iter().map(|n| JsValue::from_str(n)).collect();
    Ok(Array::of3(
        &names,
        &JsValue::from_str(&c.lines),
        &js_sys::Float64Array::from(&c.numbers[..]),
    )
    .into())
}

/// The compiled WASM module, for `ProjectionPool`'s workers to instantiate.
#[cfg(feature = "balance")]
#[wasm_bindgen(js_name = "__module")]
pub fn module() -> JsValue {
    wasm_bindgen::module()
}

/// `Uint8Array[]` from JS, copied.
#[cfg(feature = "balance")]
fn parts_of(parts: &JsValue) -> Result<Vec<Vec<u8>>, JsValue> {
    let bad = |path: String, m: &str| throw(Error::new(ErrorCode::InvalidInput, path, m));
    if !Array::is_array(parts) {
        return Err(bad("parts".into(), "expected an array of Uint8Array"));
    }
    let mut bytes = Vec::new();
    for (i, p) in Array::from(parts).iter().enumerate() {
        let b = p
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| bad(format!("parts[{i}]"), "expected a Uint8Array"))?;
        bytes.push(b.to_vec());
    }
    Ok(bytes)
}

/// The same profile and seed under several account settings, side by side.
#[cfg(feature = "balance")]
#[wasm_bindgen(js_name = "__compare", unchecked_return_type = "Comparison")]
pub fn compare(
    #[wasm_bindgen(unchecked_param_type = "ProjectionRequest | string")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Variant[]")] variants: JsValue,
) -> Result<JsValue, JsValue> {
    let (engine, req, vs) = projection_input(&request, || {
        argument::<Vec<projection::Variant>>(&variants, "variants")
    })?;
    to_js(&projection::compare(&engine, &req, &vs).map_err(throw)?)
}

/// A `ProjectionPool` job's input: `op` is `"project"`, `"compare"` (`extra`: the variants) or
/// `"recommend"` (`extra`: the goal).
#[cfg(feature = "balance")]
enum PoolInput {
    Project,
    Compare(Vec<projection::Variant>),
    Recommend(projection::RechargeGoal),
}

#[cfg(feature = "balance")]
fn pool_input(
    op: &str,
    request: &JsValue,
    extra: &JsValue,
) -> Result<(CoreEngine, projection::ProjectionRequest, PoolInput), JsValue> {
    match op {
        "project" => projection_input(request, || Ok(PoolInput::Project)),
        "compare" => projection_input(request, || {
            argument(extra, "variants").map(PoolInput::Compare)
        }),
        "recommend" => projection_input(request, || {
            argument(extra, "goal").map(PoolInput::Recommend)
        }),
        _ => Err(throw(Error::new(
            ErrorCode::InvalidValue,
            "op",
            format!("unknown pool job `{op}`: give project, compare or recommend"),
        ))),
    }
}

/// Paths `from..to` of a job, run in a `ProjectionPool` worker: opaque bytes for
/// `__PoolRun.finish`.
#[cfg(feature = "balance")]
#[wasm_bindgen(js_name = "__poolPaths")]
pub fn pool_paths(
    op: &str,
    #[wasm_bindgen(unchecked_param_type = "ProjectionRequest | string")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Variant[] | RechargeGoal | string | undefined")]
    extra: JsValue,
    from: u32,
    to: u32,
) -> Result<Vec<u8>, JsValue> {
    let (engine, req, input) = pool_input(op, &request, &extra)?;
    match input {
        PoolInput::Project => projection::project_paths(&engine, &req, from, to),
        PoolInput::Compare(vs) => projection::compare_paths(&engine, &req, &vs, from, to),
        PoolInput::Recommend(g) => projection::recommend_paths(&engine, &req, &g, from, to),
    }
    .map_err(throw)
}

/// Paths `0..local` of a pool job, run here.
#[cfg(feature = "balance")]
enum PoolLocal {
    Project(Box<projection::LocalPaths>),
    Compare(Vec<projection::Variant>, projection::LocalComparison),
    Recommend(projection::RechargeGoal, projection::LocalAdvice),
}

/// A `ProjectionPool` job whose paths `0..local` run here (in the constructor) while the pool's
/// workers run the rest; `finish` merges their bytes into the one-thread function's result, once.
#[cfg(feature = "balance")]
#[wasm_bindgen(js_name = "__PoolRun")]
pub struct PoolRun {
    engine: CoreEngine,
    req: projection::ProjectionRequest,
    local: Option<PoolLocal>,
}

#[cfg(feature = "balance")]
#[wasm_bindgen(js_class = "__PoolRun")]
impl PoolRun {
    #[wasm_bindgen(constructor)]
    pub fn new(
        op: &str,
        #[wasm_bindgen(unchecked_param_type = "ProjectionRequest | string")] request: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Variant[] | RechargeGoal | string | undefined")]
        extra: JsValue,
        local: u32,
    ) -> Result<PoolRun, JsValue> {
        let (engine, req, input) = pool_input(op, &request, &extra)?;
        let local = match input {
            PoolInput::Project => projection::project_local(&engine, &req, local)
                .map(|l| PoolLocal::Project(Box::new(l))),
            PoolInput::Compare(vs) => projection::compare_local(&engine, &req, &vs, local)
                .map(|l| PoolLocal::Compare(vs, l)),
            PoolInput::Recommend(g) => projection::recommend_local(&engine, &req, &g, local)
                .map(|l| PoolLocal::Recommend(g, l)),
        }
        .map_err(throw)?;
        Ok(PoolRun {
            engine,
            req,
            local: Some(local),
        })
    }

    /// The result, from the other paths' bytes (`__poolPaths`, in order): what `__project`,
    /// `__compare` or `__recommendAutoRecharge` returns.
    pub fn finish(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array[]")] parts: JsValue,
    ) -> Result<JsValue, JsValue> {
        let bytes = parts_of(&parts)?;
        let local = self.local.take().ok_or_else(finished)?;
        let slices: Vec<&[u8]> = bytes.iter().map(Vec::as_slice).collect();
        let (e, r) = (&self.engine, &self.req);
        match local {
            PoolLocal::Project(l) => {
                projection_out(projection::project_merge(e, r, *l, &slices).map_err(throw)?)
            }
            PoolLocal::Compare(vs, l) => {
                to_js(&projection::compare_merge(e, r, &vs, l, &slices).map_err(throw)?)
            }
            PoolLocal::Recommend(g, l) => {
                to_js(&projection::recommend_merge(e, r, &g, l, &slices).map_err(throw)?)
            }
        }
    }
}

/// The error of a run's second `finish`.
#[cfg(feature = "balance")]
fn finished() -> JsValue {
    throw(Error::new(
        ErrorCode::InvalidInput,
        "",
        "this run is already finished",
    ))
}

/// The auto-recharge threshold and amount that keep the chance of an interruption under the
/// goal with the fewest recharges, with the candidates evaluated as evidence.
#[cfg(feature = "balance")]
#[wasm_bindgen(
    js_name = "__recommendAutoRecharge",
    unchecked_return_type = "Recommendation"
)]
pub fn recommend_auto_recharge(
    #[wasm_bindgen(unchecked_param_type = "ProjectionRequest | string")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RechargeGoal")] goal: JsValue,
) -> Result<JsValue, JsValue> {
    let (engine, req, g) = projection_input(&request, || {
        argument::<projection::RechargeGoal>(&goal, "goal")
    })?;
    to_js(&projection::recommend_auto_recharge(&engine, &req, &g).map_err(throw)?)
}
