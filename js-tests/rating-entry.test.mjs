// `creditcast/rating`: the rating core built alone (no `balance` feature), for pages that only
// quote prices. It must give exactly what the whole package gives, throw the same error class,
// export nothing of the balance or projection API, and be the smaller download it exists to be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as whole from '../pkg/node.js';
import * as rating from '../pkg/rating/node.js';

const gz = (path) => gzipSync(readFileSync(new URL(path, import.meta.url)), { level: 9 }).length;

test('exports the rating API and nothing of the balance or projection API', () => {
  assert.deepEqual(Object.keys(rating).sort(), [
    'CreditcastError', 'RatingEngine', 'defaultRateCard', 'segmentMessage', 'validateRateCard',
  ]);
  for (const name of Object.keys(rating)) assert.ok(name in whole, `${name} is not in the whole package`);
  assert.equal(rating.CreditcastError, whole.CreditcastError, 'one error class for both entries');
});

test('its WASM leaves the balance and projection code out', () => {
  const full = gz('../pkg/creditcast_wasm_bg.wasm');
  const core = gz('../pkg/rating/creditcast_wasm_bg.wasm');
  // Measured at about half; two thirds would mean the balance code came back in.
  assert.ok(core < (2 / 3) * full, `rating core ${core} B gzipped against ${full} B for the whole package`);
});

// Events of every kind the card prices, with texts that exercise segmentation.
const events = [];
const carriers = ['tmobile', 'att', 'verizon', 'uscellular', undefined];
for (let i = 0; i < 3000; i++) {
  const at = `2025-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:00:00Z`;
  const carrier = carriers[i % carriers.length];
  switch (i % 6) {
    case 0: events.push({ service: 'sms', text: 'Order '.repeat(i % 60) + (i % 7 === 0 ? '😀' : '€'), carrier, at }); break;
    case 1: events.push({ service: 'sms', segments: 1 + (i % 4), carrier, direction: i % 2 ? 'inbound' : 'outbound', at }); break;
    case 2: events.push({ service: 'mms', carrier, at }); break;
    case 3: events.push({ service: 'voiceLocal', durationSeconds: i % 400, at }); break;
    case 4: events.push({ service: 'automatedSms', segments: 2, carrier, at }); break;
    default: events.push({ service: 'lookup', quantity: String(i % 50), at });
  }
}

test('rate, rateBatch (columns and JSON paths), segmentMessage and validateRateCard agree with the whole package', () => {
  const a = new whole.RatingEngine();
  const b = new rating.RatingEngine();
  for (const e of events.slice(0, 300)) assert.deepEqual(b.rate(e), a.rate(e), JSON.stringify(e));
  for (const charges of ['totals', 'none', 'full']) {
    assert.deepEqual(b.rateBatch(events, { charges }), a.rateBatch(events, { charges }), charges);
  }
  // As JSON text: the JSON path.
  assert.deepEqual(b.rateBatch(JSON.stringify(events)), a.rateBatch(JSON.stringify(events)));
  for (const text of ['', 'a'.repeat(161), '👨‍👩‍👧 🇺🇸 e\u0301', 'ç'.repeat(71), '“smart” quotes']) {
    assert.deepEqual(rating.segmentMessage(text), whole.segmentMessage(text));
    assert.deepEqual(rating.segmentMessage(text, { smartEncoding: true }), whole.segmentMessage(text, { smartEncoding: true }));
  }
  assert.deepEqual(rating.defaultRateCard(), whole.defaultRateCard());
  const bad = whole.defaultRateCard();
  delete bad.services.sms.kind;
  const problems = rating.validateRateCard(bad);
  assert.deepEqual(problems.map((p) => p.path), ['services.sms.kind']);
  assert.deepEqual(problems, whole.validateRateCard(bad));
});

test('bad input throws the coded error, and the engine keeps working', () => {
  const engine = new rating.RatingEngine();
  const before = engine.rate(events[0]);
  const cases = [
    [() => engine.rate({ service: 'fax', segments: 1 }), 'UNKNOWN_SERVICE', 'service'],
    [() => engine.rate({ service: 'sms', segments: -1 }), 'OUT_OF_RANGE', 'segments'],
    [() => engine.rateBatch([events[0], { service: 'sms', text: 5 }]), 'INVALID_INPUT', '[1].text'],
    [() => new rating.RatingEngine({ services: {} }), 'MISSING_FIELD', 'version'],
  ];
  for (const [call, code, path] of cases) {
    assert.throws(call, (e) => {
      assert.ok(e instanceof whole.CreditcastError, 'the same class as the whole package throws');
      assert.equal(e.code, code);
      assert.equal(e.path, path);
      return true;
    });
  }
  assert.deepEqual(engine.rate(events[0]), before);
});
