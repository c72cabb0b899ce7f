// The columnar boundary (js/columns.js, src/columns.rs): event lists given as JS objects cross as
// columns when every event has a shape encoded exactly. Each test compares the package's entry
// with the JSON path (the generated binding, which stringifies its input): results, and error
// code, path, message and problems, must be identical — and checks which path the entry took.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate, RatingEngine, CreditcastError } from '../pkg/node.js';
import { encodeEvents, PART } from '../pkg/columns.js';
import { withLists } from '../pkg/lists.js';
import { __simulate, RatingEngine as RatingEngineJson } from '../pkg/creditcast_wasm.js';
// The same varied events on every run.
import { rng } from '../bench/corpus.mjs';

// The JSON path: the binding, which stringifies its input. Its refusals come back as columns, as
// on the columnar path (js-tests/shared.test.mjs checks those against the native result).
const simulateJson = (scenario) => withLists(__simulate(scenario));

const root = fileURLToPath(new URL('..', import.meta.url));
const engine = new RatingEngine();
// Count the batches that reach the engine as columns (all their parts: the last part's call
// returns something other than undefined, or throws), and the parts.
let columnCalls = 0;
let partCalls = 0;
const partCall = engine.__rateBatchPart;
engine.__rateBatchPart = function (...args) {
  partCalls++;
  let done = true;
  try {
    const r = partCall.apply(this, args);
    done = r !== undefined;
    return r;
  } finally {
    if (done) columnCalls++;
  }
};

/** What a call gives: its result as JSON text, or its error's code, path, message and problems. */
function outcome(call) {
  try {
    return { result: JSON.stringify(call()) };
  } catch (e) {
    assert.ok(e instanceof CreditcastError, `not a CreditcastError: ${e?.stack ?? e}`);
    return { code: e.code, path: e.path, message: e.message, detail: e.detail, problems: JSON.stringify(e.problems) };
  }
}

/** Whether the encoder takes these events (the columnar path) rather than leaving them to JSON. */
function columnar(events, scenario) {
  let c;
  try {
    c = encodeEvents(events, scenario);
  } catch {
    return false; // the package entry then takes the JSON path, which reports the throw
  }
  if (c === null) return false;
  c.buffers.free();
  return true;
}

function sameSimulate(scenario, { viaColumns = true } = {}) {
  assert.equal(columnar(scenario.events, true), viaColumns, 'path taken');
  const a = outcome(() => simulate(scenario));
  const b = outcome(() => simulateJson(scenario));
  assert.deepEqual(a, b);
  return a;
}

/** Full charges (`options.charges` neither `totals` nor `none`) always take the JSON path. */
function sameRateBatch(events, options, { viaColumns = true } = {}) {
  const full = options?.charges !== 'totals' && options?.charges !== 'none';
  assert.equal(columnar(events, false), viaColumns, 'path taken');
  const before = columnCalls;
  const a = outcome(() => engine.rateBatch(events, options));
  assert.equal(columnCalls - before, viaColumns && !full ? 1 : 0, 'columns used');
  const b = outcome(() => RatingEngineJson.prototype.rateBatch.call(engine, events, options));
  assert.deepEqual(a, b);
  return a;
}

const pieces = ['Hi', 'code 123456', 'Ça va?', '“quotes”', '"q"', 'back\\slash', 'line\nbreak', 'tab\t', '\u0001ctl', '€', '{[]}', '😀', '👨‍👩‍👧', '你好', 'é', ' ', 'x'.repeat(170)];
const carriers = ['tmobile', 'att', 'verizon', 'uscellular'];

/** Usage fields of every kind the default card has, in varied key orders and forms. */
function usage(r) {
  const pick = (a) => a[Math.floor(r() * a.length)];
  const k = r();
  let e;
  if (k < 0.45) {
    e = r() < 0.6
      ? { service: 'sms', text: Array.from({ length: 1 + Math.floor(r() * 5) }, () => pick(pieces)).join(' ') }
      : { service: 'sms', segments: Math.floor(r() * 4) };
    if (r() < 0.8) e.carrier = pick(carriers);
    if (r() < 0.2) e.numberType = pick(['10dlc', 'tollFree', 'shortCode']);
    if (r() < 0.2) e.direction = pick(['inbound', 'outbound']);
  } else if (k < 0.6) {
    e = { carrier: pick(carriers), service: 'mms' };
  } else if (k < 0.8) {
    e = { service: pick(['voiceLocal', 'voiceTollFree', 'automatedVoice']), durationSeconds: r() < 0.5 ? Math.floor(r() * 400) : `${Math.floor(r() * 400)}.${Math.floor(r() * 10)}` };
    if (r() < 0.3) e.direction = 'inbound';
  } else {
    e = { service: pick(['lookup', 'transcription', 'voicemailDrop']), quantity: r() < 0.5 ? Math.floor(r() * 50) : `${Math.floor(r() * 50)}.25` };
  }
  if (r() < 0.3) e.count = 1 + Math.floor(r() * 20);
  return e;
}

function scenarioEvents(n, seed) {
  const r = rng(seed);
  const start = Date.UTC(2025, 0, 1);
  const events = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(start + Math.floor((i * 90 * 86_400_000) / n)).toISOString().replace('.000Z', 'Z');
    const k = r();
    if (k < 0.9) events.push({ at, type: 'usage', ...usage(r) });
    else if (k < 0.95) events.push({ type: 'purchase', at, amount: r() < 0.5 ? 25 : '12.50' });
    else if (k < 0.975) events.push({ at, type: 'paymentWillFail' });
    else events.push({ at, type: 'paymentMethodFixed' });
  }
  return events;
}

const account = {
  openingBalance: '20', plan: { cycle: 'monthly', start: '2025-01-01' },
  negativeBalance: { allowed: true, limit: '100' },
  autoRecharge: { enabled: true, threshold: '10', amount: '40' },
};
const scenarioOf = (events, extra = {}) => ({ account, events, until: '2025-04-01', ...extra });

test('the shared corpus gives the same result through columns as through JSON', () => {
  const dir = join(root, 'tests', 'shared');
  let n = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const { fn, input } = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    if (fn === 'simulate') {
      // Aggregated usage (`parts`) is not encoded in columns: such scenarios take the JSON path.
      const viaColumns = !input.events.some((e) => 'parts' in e);
      assert.ok(sameSimulate(input, { viaColumns }).result, name);
      n++;
    } else if (fn === 'rateBatch') {
      for (const charges of ['full', 'totals', 'none']) assert.ok(sameRateBatch(input, { charges }).result, name);
      n++;
    }
  }
  assert.ok(n >= 3);
});

test('varied scenarios give byte-identical results through columns and JSON', () => {
  for (const seed of [1, 2, 3]) {
    const events = scenarioEvents(3000, seed);
    for (const ledger of ['event', 'day', 'none']) {
      const r = sameSimulate(scenarioOf(events, { options: { ledger } }));
      assert.ok(r.result, JSON.stringify(r));
    }
  }
  // A rate card in the scenario's head, and deferred fees.
  const card = JSON.parse(readFileSync(join(root, 'data', 'default-rate-card.json'), 'utf8'));
  card.carrierFees.timing = 'deferred';
  assert.ok(sameSimulate(scenarioOf(scenarioEvents(500, 4), { rateCard: card })).result);
});

test('varied batches give byte-identical results through columns and JSON', () => {
  for (const seed of [5, 6]) {
    const r = rng(seed);
    const events = Array.from({ length: 4000 }, (_, i) => {
      const e = usage(r);
      if (i % 3 === 0) e.at = new Date(Date.UTC(2025, i % 12, 1 + (i % 28))).toISOString();
      return e;
    });
    for (const charges of [undefined, 'full', 'totals', 'none']) {
      const res = sameRateBatch(events, charges === undefined ? undefined : { charges });
      assert.ok(res.result);
      if (charges === 'totals') assert.equal(JSON.parse(res.result).charges.length, events.length);
    }
  }
});

test('each part gets the buffers to itself: what a bigger part left shows through nowhere', () => {
  // The parts of a batch are written one after another into the same buffers (js/columns.js,
  // encodeParts): a part of long texts and decimals, then parts of short ones, empty ones and
  // segment counts, must each be read as written.
  const long = Array.from({ length: PART }, (_, i) => (i % 10 === 0
    ? { service: 'lookup', quantity: `${i}.125` }
    : { service: 'sms', carrier: 'att', text: `${'é😀'.repeat(40 + (i % 7))} ${i}` }));
  const r = rng(9);
  const short = Array.from({ length: PART }, (_, i) => (i % 3 === 0 ? { service: 'sms', text: '' } : usage(r)));
  const counts = Array.from({ length: 100 }, (_, i) => ({ service: 'sms', segments: i % 4 }));
  // Strings are encoded through a scratch room of 64 KiB after the text and moved into place,
  // or, when they might not fit it (over 21,845 UTF-16 units), encoded in place.
  long[7] = { service: 'sms', text: '😀é'.repeat(7281) };
  long[8] = { service: 'sms', text: `${'😀é'.repeat(7282)}!` };
  long[9] = { service: 'sms', text: 'ab'.repeat(20_000) };
  for (const events of [[...long, ...short, ...counts], [...long, ...counts], [...short, ...long, ...short]]) {
    for (const charges of ['totals', 'none']) assert.ok(sameRateBatch(events, { charges }).result);
  }
  // Batches one after another, with a JSON-path call in between.
  sameRateBatch(short, { charges: 'full' });
  assert.ok(sameRateBatch(long.slice(0, 10), { charges: 'totals' }).result);
});

// Each bad event breaks an otherwise good list at index 5; the columnar path must report it as
// the JSON path does.
const bad = [
  ['a bad time', { at: '2025-13-01T00:00:00Z' }, 'INVALID_DATE', 'at'],
  ['a time that is no time', { at: 'yesterday' }, 'INVALID_DATE', 'at'],
  ['an unknown carrier', { carrier: 'vodafone' }, 'UNKNOWN_CARRIER', 'carrier'],
  ['an unknown service', { service: 'fax' }, 'UNKNOWN_SERVICE', 'service'],
  ['text and segments', { text: 'hi', segments: 1 }, 'INVALID_INPUT', 'segments'],
  ['text on a voice call', { service: 'voiceLocal', durationSeconds: 60, segments: undefined, text: 'hi', carrier: undefined }, 'NOT_APPLICABLE', 'text'],
  ['a count above the limit', { count: 1_000_000_001 }, 'OUT_OF_RANGE', 'count'],
  ['a message too long', { segments: undefined, text: 'x'.repeat(100_001) }, 'MESSAGE_TOO_LONG', 'text'],
  ['a negative duration string', { service: 'voiceLocal', segments: undefined, carrier: undefined, durationSeconds: '-5' }, 'NEGATIVE_VALUE', 'durationSeconds'],
];

function smsAt(i) {
  return { at: `2025-01-02T00:00:${String(i).padStart(2, '0')}Z`, type: 'usage', service: 'sms', segments: 1, carrier: 'att' };
}

test('errors raised from columns carry the JSON path\'s code, path and message', () => {
  for (const [what, change, code, field] of bad) {
    const events = Array.from({ length: 12 }, (_, i) => smsAt(i));
    events[5] = { ...events[5], ...change };
    const r = sameSimulate(scenarioOf(events));
    assert.equal(r.code, code, what);
    assert.equal(r.path, `events[5].${field}`, what);

    const batch = events.map(({ type, ...u }) => u); // eslint-disable-line no-unused-vars
    const b = sameRateBatch(batch, { charges: 'totals' });
    assert.equal(b.code, code, what);
    assert.equal(b.path, `[5].${field}`, what);
  }
  // Events out of order, a purchase below the minimum, and problems outside the events.
  const events = Array.from({ length: 12 }, (_, i) => smsAt(i));
  events[9] = smsAt(3);
  assert.equal(sameSimulate(scenarioOf(events)).path, 'events[9].at');
  const early = [{ ...smsAt(1), at: '2024-12-31T23:59:59Z' }, smsAt(2)];
  assert.equal(sameSimulate(scenarioOf(early)).code, 'OUT_OF_ORDER');
  const zero = [smsAt(1), { at: smsAt(2).at, type: 'purchase', amount: '0' }];
  assert.equal(sameSimulate(scenarioOf(zero)).path, 'events[1].amount');
  const list = Array.from({ length: 12 }, (_, i) => smsAt(i));
  assert.equal(sameSimulate(scenarioOf(list, { until: '2025-01-01' })).path, 'until');
  assert.equal(sameSimulate(scenarioOf(list, { until: 5 })).path, 'until');
  assert.equal(sameSimulate({ ...scenarioOf(list), account: { ...account, openingBalance: 0.1 } }).path, 'account.openingBalance');
  assert.equal(sameSimulate({ ...scenarioOf(list), extra: 1 }).code, 'UNKNOWN_FIELD');
  assert.equal(sameSimulate({ events: list, until: '2025-02-01' }).path, 'account');
  assert.equal(sameSimulate({ ...scenarioOf(list), rateCard: { version: 2 } }).path, 'rateCard.name');
  assert.equal(sameRateBatch(list.map(({ type, ...u }) => u), { charges: 'some' }).path, 'options.charges'); // eslint-disable-line no-unused-vars
});

test('an error far into a long list names the same event in both paths', () => {
  const events = scenarioEvents(20_000, 9);
  events[17_345] = { ...events[17_345], at: '2025-02-30T10:00:00Z' };
  const r = sameSimulate(scenarioOf(events));
  assert.equal(r.code, 'INVALID_DATE');
  assert.equal(r.path, 'events[17345].at');
  // A batch of several parts: the path counts from the batch's first event, not the part's.
  const batch = events.map(({ at }) => ({ at, service: 'sms', segments: 1, carrier: 'att' }));
  const parts = partCalls;
  const b = sameRateBatch(batch, { charges: 'totals' });
  assert.equal(partCalls - parts, Math.ceil(batch.length / PART));
  assert.equal(b.code, 'INVALID_DATE');
  assert.equal(b.path, '[17345].at');
});

test('a batch in several parts gives the result of one', () => {
  assert.equal(PART, 8192);
  const r = rng(12);
  const events = Array.from({ length: 2 * PART + 100 }, (_, i) => {
    const e = usage(r);
    if (i % 5 === 0) e.at = new Date(Date.UTC(2025, i % 12, 1 + (i % 28))).toISOString();
    return e;
  });
  // A carrier and a service first seen in the last part: the name table grows between parts.
  events.forEach((e) => { if (e.carrier === 'uscellular') e.carrier = 'att'; });
  events[2 * PART + 50] = { service: 'sms', carrier: 'uscellular', text: 'late' };
  events[2 * PART + 60] = { service: 'voicemailDrop', quantity: 2 };
  for (const n of [PART - 1, PART, PART + 1, events.length]) {
    const parts = partCalls;
    for (const charges of ['totals', 'none']) {
      const res = sameRateBatch(events.slice(0, n), { charges });
      assert.ok(res.result, JSON.stringify(res));
    }
    assert.equal(partCalls - parts, 2 * Math.ceil(n / PART), `${n} events`);
  }
  // Allowances and tiers run on across parts: 30,000 SMS of 1 segment in one month.
  const sms = Array.from({ length: 30_000 }, () => ({ service: 'sms', segments: 1, at: '2025-03-04T05:06:07Z' }));
  assert.ok(sameRateBatch(sms, { charges: 'totals' }).result);
});

test('a rating error in an early part gives way to a shape a later part leaves to JSON', () => {
  const events = Array.from({ length: 3 * PART }, (_, i) => ({ service: 'sms', carrier: 'att', text: `hello ${i}` }));
  events[5] = { service: 'sms', carrier: 'vodafone', text: 'hi' };
  // Rated as columns, the unknown carrier is the error.
  assert.equal(sameRateBatch(events, { charges: 'totals' }).path, '[5].carrier');
  // A lone surrogate in the third part: the JSON path decides the whole call.
  events[2 * PART + 7] = { service: 'sms', carrier: 'att', text: 'ab\ud800c' };
  const finished = columnCalls;
  const r = outcome(() => engine.rateBatch(events, { charges: 'totals' }));
  assert.equal(columnCalls, finished, 'the parts were not finished');
  assert.deepEqual(r, outcome(() => RatingEngineJson.prototype.rateBatch.call(engine, events, { charges: 'totals' })));
  // The engine goes on working.
  assert.ok(sameRateBatch(events.slice(0, 5), { charges: 'totals' }).result);
});

// Shapes the encoder must not take: the JSON path decides, so results and errors stay its own.
const odd = [
  ['a negative count', { count: -1 }],
  ['a fractional count', { count: 1.5 }],
  ['a count too big for 32 bits', { count: 2 ** 32 }],
  ['NaN segments', { segments: NaN }],
  ['Infinity segments', { segments: Infinity }],
  ['segments as a string', { segments: '2' }],
  ['null text', { text: null }],
  ['text as a number', { text: 5, segments: undefined }],
  ['a lone surrogate', { segments: undefined, text: 'ab\ud800c' }],
  ['an unknown key', { foo: 1 }],
  ['a misspelt key', { Segments: 1 }],
  ['a carrier that is not a string', { carrier: 7 }],
  ['an unknown direction', { direction: 'sideways' }],
  ['an unknown number type', { numberType: '11dlc' }],
  ['a float quantity', { service: 'lookup', segments: undefined, carrier: undefined, quantity: 0.1 }],
  ['an exact float quantity', { service: 'lookup', segments: undefined, carrier: undefined, quantity: 0.5 }],
  ['a quantity with an exponent', { service: 'lookup', segments: undefined, carrier: undefined, quantity: '1e3' }],
  ['a quantity of 29 digits', { service: 'lookup', segments: undefined, carrier: undefined, quantity: '1'.repeat(29) }],
  ['an unsafe integer duration', { service: 'voiceLocal', segments: undefined, carrier: undefined, durationSeconds: 2 ** 60 }],
  ['a Date for a time', { at: new Date('2025-01-02T00:00:05Z') }],
  ['a boxed string', { service: new String('sms') }], // eslint-disable-line no-new-wrappers
  ['a BigInt count', { count: 1n }],
];

test('odd shapes take the JSON path for the whole call, with its errors', () => {
  for (const [what, change] of odd) {
    const events = Array.from({ length: 8 }, (_, i) => smsAt(i));
    events[5] = { ...events[5], ...change };
    const a = sameSimulate(scenarioOf(events), { viaColumns: false });
    const batch = events.map(({ type, ...u }) => u); // eslint-disable-line no-unused-vars
    const b = sameRateBatch(batch, { charges: 'totals' }, { viaColumns: false });
    // Most are errors; when one is, it names event 5 in both forms.
    if (a.code && a.path) assert.match(a.path, /^events\[5\]/, what);
    if (b.code && b.path) assert.match(b.path, /^\[5\]/, what);
  }
  // Event types with nested settings, and `amount` on a usage event of a batch.
  const events = [smsAt(1), { at: smsAt(2).at, type: 'setNegativeBalance', negativeBalance: { allowed: false } }, smsAt(3)];
  assert.ok(sameSimulate(scenarioOf(events), { viaColumns: false }).result);
  assert.equal(sameRateBatch([{ service: 'sms', segments: 1, amount: '1' }], { charges: 'none' }, { viaColumns: false }).code, 'UNKNOWN_FIELD');
  // Missing required fields are parse errors.
  assert.equal(sameSimulate(scenarioOf([{ type: 'usage', service: 'sms', segments: 1 }]), { viaColumns: false }).code, 'MISSING_FIELD');
  assert.equal(sameSimulate(scenarioOf([{ at: smsAt(1).at, service: 'sms', segments: 1 }]), { viaColumns: false }).path, 'events[0].type');
  assert.equal(sameRateBatch([{ segments: 1 }], undefined, { viaColumns: false }).path, '[0].service');
  // Full charges (the default) take the JSON path.
  assert.ok(sameRateBatch([{ service: 'sms', segments: 1 }], {}).result);
});

test('objects that JSON.stringify would see differently take the JSON path', () => {
  class Ev { constructor() { Object.assign(this, smsAt(1)); } }
  const withToJSON = { ...smsAt(1), toJSON: () => smsAt(2) };
  const hidden = smsAt(1);
  Object.defineProperty(hidden, 'carrier', { value: 'vodafone', enumerable: false });
  const holes = [smsAt(1), , smsAt(3)]; // eslint-disable-line no-sparse-arrays
  for (const events of [[new Ev()], [withToJSON], [hidden], holes, [new Map()], [[1, 2]], ['sms']]) {
    sameSimulate(scenarioOf(events), { viaColumns: false });
  }
  // A getter that throws: the JSON path reports it.
  const throwing = { ...smsAt(1) };
  Object.defineProperty(throwing, 'text', { get() { throw new Error('boom'); }, enumerable: true });
  const r = sameSimulate(scenarioOf([throwing]), { viaColumns: false });
  assert.equal(r.code, 'INVALID_INPUT');
  // Prototype pollution: a field read by name must not come from Object.prototype.
  Object.defineProperty(Object.prototype, 'count', { value: 3, configurable: true, writable: true });
  try {
    assert.ok(sameSimulate(scenarioOf([smsAt(1)]), { viaColumns: false }).result);
  } finally {
    delete Object.prototype.count;
  }
  assert.equal(columnar([smsAt(1)], true), true);
});

test('shapes JSON treats as plain data take the columns', () => {
  // `undefined` values are left out by JSON.stringify; a null-prototype object is plain data.
  const bare = Object.assign(Object.create(null), smsAt(2));
  const events = [{ ...smsAt(1), text: undefined, count: undefined }, bare, { ...smsAt(3), carrier: 'att', numberType: '10dlc', direction: 'outbound' }];
  assert.ok(sameSimulate(scenarioOf(events)).result);
  // Key order does not matter.
  const shuffled = [{ carrier: 'att', segments: 2, service: 'sms', type: 'usage', at: smsAt(1).at }];
  assert.ok(sameSimulate(scenarioOf(shuffled)).result);
  // The largest values the encoder takes.
  const big = [{ ...smsAt(1), segments: 2 ** 32 - 1, count: 0 }, { at: smsAt(2).at, type: 'purchase', amount: '1234567890123456789012345.50' }];
  sameSimulate(scenarioOf(big));
  const batch = [{ service: 'lookup', quantity: Number.MAX_SAFE_INTEGER }, { service: 'lookup', quantity: -Number.MAX_SAFE_INTEGER }, { service: 'lookup', quantity: -0 }];
  sameRateBatch(batch, { charges: 'totals' });
});

test('events that call the same engine while they are read give the JSON path\'s result', () => {
  // A getter runs while the column encoder reads the event (between two parts' calls into
  // WASM) and while JSON.stringify reads it (inside the JSON path's call into WASM): a batch of
  // the same engine from there must work either way.
  const inner = [{ service: 'sms', text: 'inner', carrier: 'att' }];
  const direct = engine.rateBatch(inner, { charges: 'totals' }).total;
  const totals = [];
  const calling = () => {
    const e = { service: 'sms', carrier: 'tmobile' };
    Object.defineProperty(e, 'text', {
      enumerable: true,
      get() {
        totals.push(engine.rateBatch(inner, { charges: 'totals' }).total);
        return 'outer';
      },
    });
    return e;
  };
  const events = [calling(), ...Array.from({ length: PART + 5 }, () => ({ service: 'sms', text: 'plain' })), calling()];
  for (const charges of ['totals', 'none', 'full']) {
    const a = outcome(() => engine.rateBatch(events, { charges }));
    const b = outcome(() => RatingEngineJson.prototype.rateBatch.call(engine, events, { charges }));
    assert.ok(a.result, `${charges}: ${JSON.stringify(a)}`);
    assert.deepEqual(a, b, charges);
  }
  assert.ok(totals.length >= 6);
  assert.ok(totals.every((t) => t === direct), JSON.stringify(totals));
});
