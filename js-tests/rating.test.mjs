// The built package from Node: segments, rating, batches, errors and the money boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  segmentMessage, RatingEngine, defaultRateCard, validateRateCard, CreditcastError,
} from '../pkg/node.js';

test('segmentMessage follows the carrier rules', () => {
  assert.equal(segmentMessage('a'.repeat(160)).segments, 1);
  assert.equal(segmentMessage('a'.repeat(161)).segments, 2);
  assert.deepEqual(segmentMessage('a'.repeat(161)).perSegmentUnits, [153, 8]);
  assert.equal(segmentMessage('').segments, 1);
  assert.equal(segmentMessage('€').units, 2);
  assert.equal(segmentMessage('Ç').encoding, 'GSM-7');
  assert.equal(segmentMessage('ç').encoding, 'UCS-2');
  assert.equal(segmentMessage('😀').units, 2);
  assert.equal(segmentMessage('\r\n').units, 2);
  const flags = '🇺🇸'.repeat(20); // 80 units: a flag is never split
  const m = segmentMessage(flags);
  assert.equal(m.segments, 2);
  assert.deepEqual(m.perSegmentUnits, [64, 16]);
  assert.equal(m.perSegmentText.join(''), flags);
});

test('the fast path (no options) and the full result agree', () => {
  const tricky = ['', 'plain', 'xe\u0301 then \u0301 alone', '👨‍👩‍👧 and 👨', '🇺🇸🇺🇸🇬🇧', 'a'.repeat(300) + '€', 'ç'.repeat(140), 'Line\r\n'.repeat(40) + '😀', 'lone \ud83d surrogate \ude00'];
  for (const t of tricky) assert.deepEqual(segmentMessage(t), segmentMessage(t, {}), JSON.stringify(t));
});

test('forced GSM-7 on a UCS-2 text is a coded error', () => {
  assert.throws(() => segmentMessage('hi 😀', { encoding: 'GSM-7' }), (e) => {
    assert.ok(e instanceof CreditcastError);
    assert.equal(e.code, 'NOT_GSM7');
    assert.equal(e.path, 'text');
    return true;
  });
  assert.throws(() => segmentMessage('x', { smartEncodin: true }), (e) => e.code === 'UNKNOWN_FIELD' && e.path === 'options.smartEncodin');
});

test('rate gives exact decimal strings and line items', () => {
  const engine = new RatingEngine();
  const c = engine.rate({ service: 'sms', text: 'x'.repeat(161), carrier: 'uscellular' });
  assert.equal(c.units.segmentsPerMessage, 2);
  assert.equal(c.usage, '0.0166');
  assert.equal(c.carrierFees, '0.01');
  assert.equal(c.total, '0.0266');
  for (const l of c.lines) assert.equal(typeof l.amount, 'string');
});

test('rateBatch totals equal the sum of its charges', () => {
  const engine = new RatingEngine(defaultRateCard());
  const events = [];
  for (let i = 0; i < 500; i++) {
    events.push({ service: i % 3 ? 'sms' : 'mms', ...(i % 3 ? { text: 'x'.repeat(i) } : {}), carrier: ['att', 'tmobile', 'verizon'][i % 3] });
  }
  const r = engine.rateBatch(events);
  assert.equal(r.count, 500);
  assert.equal(r.charges.length, 500);
  // Sum in integer micro-units (all amounts here have at most 6 decimals).
  const micro = (s) => BigInt(Math.round(Number(s) * 1e6)); // test-only: values are small and exact at 1e-6
  const sum = r.charges.reduce((a, c) => a + micro(c.total), 0n);
  assert.equal(sum, micro(r.total));
  const totalsOnly = engine.rateBatch(events, { charges: 'totals' });
  assert.deepEqual(totalsOnly.charges, r.charges.map((c) => c.total));
  assert.equal(engine.rateBatch(events, { charges: 'none' }).charges, undefined);
});

test('money crosses the boundary exactly: strings, integers and exact floats only', () => {
  const card = defaultRateCard();
  const price = (p) => {
    const c = structuredClone(card);
    c.services.sms.pricing.unitPrice = p;
    return new RatingEngine(c).rate({ service: 'sms', segments: 1 }).usage;
  };
  assert.equal(price('0.0079'), '0.0079');
  assert.equal(price(1), '1');
  assert.equal(price(0.5), '0.5');
  for (const bad of [0.1, NaN, Infinity, -Infinity, 1e300, '1e-3', ' 1', '']) {
    assert.throws(() => price(bad), (e) => e instanceof CreditcastError && e.path === 'services.sms.pricing.unitPrice', String(bad));
  }
});

test('every bad input is a CreditcastError with code and path, and the engine keeps working', () => {
  const engine = new RatingEngine();
  const cases = [
    [{ service: 'fax' }, 'UNKNOWN_SERVICE', 'service'],
    [{ service: 'sms' }, 'MISSING_FIELD', 'text'],
    [{ service: 'sms', segments: 1, carrier: 'nope' }, 'UNKNOWN_CARRIER', 'carrier'],
    [{ service: 'lookup', quantity: '-2' }, 'NEGATIVE_VALUE', 'quantity'],
    [{ service: 'voiceLocal', durationSeconds: 'abc' }, 'INVALID_NUMBER', 'durationSeconds'],
    [{ service: 'sms', segments: 1, at: 'soon' }, 'INVALID_DATE', 'at'],
    [{ service: 'sms', segments: 1, colour: 'red' }, 'UNKNOWN_FIELD', 'colour'],
    [{ service: 42 }, 'INVALID_INPUT', 'service'],
    [{}, 'MISSING_FIELD', 'service'],
    [null, 'INVALID_INPUT', ''],
    ['{not json', 'INVALID_INPUT', ''],
  ];
  for (const [ev, code, path] of cases) {
    assert.throws(() => engine.rate(ev), (e) => {
      assert.ok(e instanceof CreditcastError, `${JSON.stringify(ev)} threw ${e}`);
      assert.ok(e instanceof Error);
      assert.equal(e.code, code, JSON.stringify(ev));
      assert.equal(e.path, path, JSON.stringify(ev));
      assert.ok(e.message.length > 5);
      return true;
    });
    // The same engine still rates after every error.
    assert.equal(engine.rate({ service: 'sms', segments: 1 }).total, '0.0083');
  }
  assert.throws(() => engine.rateBatch([{ service: 'sms', segments: 1 }, { service: 'sms', text: 5 }]), (e) => e.path === '[1].text');
  const cyclic = { service: 'sms' };
  cyclic.self = cyclic;
  assert.throws(() => engine.rateBatch([cyclic]), CreditcastError);
  assert.equal(engine.rateBatch([{ service: 'sms', segments: 1 }]).total, '0.0083');
});

test('validateRateCard reports every problem; the constructor throws them all', () => {
  const card = defaultRateCard();
  card.services.transcription.pricing.tiers[1].upTo = '10';
  card.services.voiceLocal.billing.nextIncrement = 0;
  card.carriers.push({ id: 'att', name: 'Duplicate' });
  const problems = validateRateCard(card);
  const paths = problems.map((p) => `${p.code} ${p.path}`).sort();
  assert.deepEqual(paths, [
    'DUPLICATE_ENTRY carriers[4].id',
    'OUT_OF_RANGE services.voiceLocal.billing.nextIncrement',
    'TIERS_OUT_OF_ORDER services.transcription.pricing.tiers[1].upTo',
    'TIERS_OUT_OF_ORDER services.transcription.pricing.tiers[1].upTo',
  ]);
  assert.throws(() => new RatingEngine(card), (e) => e instanceof CreditcastError && e.problems.length === 4);
  assert.deepEqual(validateRateCard(defaultRateCard()), []);
  assert.deepEqual(validateRateCard(JSON.stringify(defaultRateCard())), []);
});
