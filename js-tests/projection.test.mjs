// Spend projection through the built package: typed arrays, determinism, bands, what-if, advice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { project, compare, recommendAutoRecharge, simulate, CreditcastError } from '../pkg/node.js';

const base = {
  account: { openingBalance: '100', plan: { start: '2025-01-01' }, autoRecharge: { enabled: true, threshold: '20', amount: '100' } },
  profile: {
    services: {
      sms: { perDay: 2000, carrierMix: { tmobile: 0.4, att: 0.3, verizon: 0.3 }, segmentsMix: [{ segments: 1, share: 0.8 }, { segments: 2, share: 0.2 }] },
      voiceLocal: { perDay: 40, durationSeconds: { mean: 150 } },
    },
  },
  start: '2025-01-01',
  days: 90,
  resolution: 'day',
  seed: 7,
};

test('one path: typed arrays for the chart, decimal strings for money', () => {
  const r = project(base);
  assert.ok(r.series.t instanceof Float64Array);
  assert.ok(r.series.balance instanceof Float64Array);
  assert.equal(r.series.t.length, 90);
  assert.equal(typeof r.summary.totalSpend, 'string');
  assert.match(r.summary.totalSpend, /^\d+(\.\d+)?$/);
  assert.ok(r.summary.recharges > 0);
  assert.equal(r.recharges.filter((a) => a.outcome === 'succeeded').length, r.summary.recharges);
  assert.deepEqual(r.months, ['2025-01', '2025-02', '2025-03']);
});

test('the same seed gives the same projection; another seed differs when there is randomness', () => {
  const noisy = structuredClone(base);
  noisy.profile.services.sms.variation = 0.4;
  noisy.paths = 20;
  const a = JSON.stringify(project(noisy), (k, v) => (v instanceof Float64Array ? Array.from(v) : v));
  const b = JSON.stringify(project(noisy), (k, v) => (v instanceof Float64Array ? Array.from(v) : v));
  assert.equal(a, b);
  const c = JSON.stringify(project({ ...noisy, seed: 8 }), (k, v) => (v instanceof Float64Array ? Array.from(v) : v));
  assert.notEqual(a, c);
});

test('without randomness every path is the deterministic path: P10 = P50 = P90 = path 0', () => {
  const r = project({ ...base, paths: 25 });
  assert.equal(r.bands.p50.length, 90);
  for (let i = 0; i < 90; i++) {
    assert.equal(r.bands.p10[i], r.bands.p50[i]);
    assert.equal(r.bands.p90[i], r.bands.p50[i]);
    assert.equal(r.bands.p50[i], r.series.balance[i]);
  }
});

test('a projected path replays through simulate to the same ledger', () => {
  const r = project({ ...base, options: { ledger: 'event' } });
  assert.ok(r.ledger.length > 0);
  const last = r.ledger.at(-1);
  assert.equal(r.summary.endBalance, last.balanceAfter);
});

test('a profile that drains the balance on day one interrupts service without recharge or credit', () => {
  const r = project({ ...base, account: { openingBalance: '5', plan: { start: '2025-01-01' } }, days: 5, paths: 10 });
  assert.equal(r.interruptionProbability, 1);
  assert.ok(r.summary.interruptedDays >= 1);
  const few = project({ ...base, account: { openingBalance: '5', plan: { start: '2025-01-01' } }, days: 5, options: { maxListedRefusals: 2 } });
  assert.equal(few.refused.length, 2);
  assert.ok(few.summary.refusedEvents > 2, 'the summary still counts every refusal');
  const credit = project({ ...base, account: { openingBalance: '5', plan: { start: '2025-01-01' }, negativeBalance: { allowed: true } }, days: 40 });
  assert.equal(credit.summary.interruptedDays, 0);
  assert.ok(credit.invoices.length >= 1, 'the negative balance is invoiced at month end instead');
});

test('refusals and the ledger are made into objects when first read, like any other property', () => {
  const drained = { ...base, account: { openingBalance: '5', plan: { start: '2025-01-01' } }, days: 5 };
  const r = project(drained);
  const ledger = Object.getOwnPropertyDescriptor(r, 'ledger');
  assert.equal(typeof ledger.get, 'function');
  assert.ok(ledger.enumerable);
  assert.ok(r.ledger.length > 0);
  assert.deepEqual(Object.keys(r.ledger[0]), ['at', 'kind', 'amount', 'balanceAfter', 'service', 'eventIndex']);
  assert.equal(Object.getOwnPropertyDescriptor(r, 'ledger').value, r.ledger);
  assert.deepEqual(JSON.parse(JSON.stringify(project(drained))).ledger, r.ledger);
  assert.ok(r.bands.p50 instanceof Float64Array && r.bands.t instanceof Float64Array);
  // Not built yet: an enumerable getter in its place among the keys.
  const before = Object.getOwnPropertyDescriptor(r, 'refused');
  assert.equal(typeof before.get, 'function');
  assert.ok(before.enumerable);
  assert.deepEqual(Object.keys(r), Object.keys(JSON.parse(JSON.stringify(r))));
  const first = r.refused;
  assert.equal(first.length, r.summary.refusedEvents);
  assert.deepEqual(Object.keys(first[0]), ['at', 'eventIndex', 'service', 'amount', 'balance', 'reason']);
  // Then an ordinary property: the same array every time.
  assert.equal(Object.getOwnPropertyDescriptor(r, 'refused').value, first);
  assert.equal(r.refused, first);
  // Serialised, spread or cloned without reading it first: the same refusals.
  assert.deepEqual(JSON.parse(JSON.stringify(project(drained))).refused, first);
  assert.deepEqual({ ...project(drained) }.refused, first);
  assert.deepEqual(structuredClone(project(drained)).refused, first);
  // Assigned before it is read: the assigned value.
  const other = project(drained);
  other.refused = [];
  assert.deepEqual(other.refused, []);
});

test('compare runs several auto-recharge settings on the same traffic', () => {
  const c = compare(base, [
    { label: 'small', autoRecharge: { enabled: true, threshold: '10', amount: '50' } },
    { label: 'large', autoRecharge: { enabled: true, threshold: '50', amount: '500' } },
  ]);
  assert.deepEqual(c.variants.map((v) => v.label), ['small', 'large']);
  assert.ok(c.variants[0].summary.recharges > c.variants[1].summary.recharges);
  assert.equal(c.variants[0].summary.totalSpend, c.variants[1].summary.totalSpend);
  assert.ok(c.variants[0].series.balance instanceof Float64Array);
});

test('recommendAutoRecharge meets the interruption goal with the fewest recharges, with evidence', () => {
  const req = structuredClone(base);
  req.profile.services.sms.variation = 0.3;
  req.paths = 40;
  const rec = recommendAutoRecharge(req, { maxInterruptionProbability: 0.05 });
  assert.ok(rec.candidates.length >= 4);
  assert.ok(rec.recommended, 'a candidate meets the goal');
  assert.ok(rec.recommended.interruptionProbability <= 0.05);
  const meeting = rec.candidates.filter((c) => c.meetsGoal);
  assert.ok(meeting.every((c) => c.meanRecharges >= rec.recommended.meanRecharges));
});

test('bad input is a CreditcastError with code and path', () => {
  const cases = [
    [{ ...base, days: 0 }, 'OUT_OF_RANGE', 'days'],
    [{ ...base, days: 1097 }, 'OUT_OF_RANGE', 'days'],
    [{ ...base, paths: 10001 }, 'LIMIT_EXCEEDED', 'paths'],
    [{ ...base, profile: { services: { fax: { perDay: 1 } } } }, 'UNKNOWN_SERVICE', 'profile.services.fax'],
    [{ ...base, profile: { services: { sms: { perDay: -1 } } } }, 'NEGATIVE_VALUE', 'profile.services.sms.perDay'],
  ];
  for (const [req, code, path] of cases) {
    assert.throws(() => project(req), (e) => {
      assert.ok(e instanceof CreditcastError, String(e));
      assert.equal(e.code, code, JSON.stringify(req).slice(0, 80));
      assert.equal(e.path, path);
      return true;
    });
  }
  // A missing second argument is named by its path.
  assert.throws(() => compare(base, undefined), (e) => e.code === 'INVALID_INPUT' && e.path === 'variants');
  assert.throws(() => recommendAutoRecharge(base, undefined), (e) => e.code === 'INVALID_INPUT' && e.path === 'goal');
  assert.equal(typeof simulate, 'function');
});

test('packed refusals read in JS are the ones the core formats, and the core takes what JS cannot read', async () => {
  const { refusalsFromPacked } = await import('../pkg/pool.js');
  const { __project } = await import('../pkg/creditcast_wasm.js');
  const { readFileSync } = await import('node:fs');
  const shared = (name) => JSON.parse(readFileSync(new URL(`../tests/shared/${name}`, import.meta.url), 'utf8')).input;
  const cases = ['project-hourly-refusals.json', 'project-daily-credit-limit.json', 'project-deferred-fees.json'].map(shared);
  const seen = new Set();
  for (const request of cases) {
    const packed = __project(request)[2];
    const js = refusalsFromPacked(packed);
    assert.ok(js.length > 0);
    assert.deepEqual(js, refusalsFromPacked(packed, true));
    for (const r of js) {
      seen.add(r.reason);
      if (r.pendingFees) seen.add('pendingFees');
      if (r.balance.startsWith('-')) seen.add('negative balance');
    }
  }
  // The corpus reaches both reasons, pending fees and negative balances.
  assert.deepEqual([...seen].sort(), ['creditLimit', 'insufficientBalance', 'negative balance', 'pendingFees']);

  // Hand-packed: one service "sms", then refusals whose amount JS cannot read — a decimal sent as
  // its 16 bytes (-0.00: a negative zero), a mantissa of eight varint bytes — and one it can.
  const varint = (n) => { const out = []; let v = BigInt(n); do { let x = Number(v & 0x7fn); v >>= 7n; if (v) x |= 0x80; out.push(x); } while (v); return out; };
  const zig = (n) => (BigInt(n) >= 0n ? 2n * BigInt(n) : -2n * BigInt(n) - 1n);
  const head = [1, 3, ...Buffer.from('sms')];
  const record = (amount) => [2 /* no pending fees */, ...varint(zig(1_735_689_600)), ...varint(zig(7)), 0, ...amount, 4, ...varint(zig(71))];
  const negativeZero = [0x80, 0, 0, 2, 0x80, ...new Array(12).fill(0)];
  const big = [4, ...varint(zig(2n ** 53n + 1n))];
  const small = [4, ...varint(zig(-123450))];
  for (const amount of [negativeZero, big, small]) {
    const packed = Uint8Array.from([...head, ...record(amount)]);
    const core = refusalsFromPacked(packed, true);
    assert.deepEqual(refusalsFromPacked(packed), core);
    assert.deepEqual(core.map((r) => [r.at, r.eventIndex, r.service, r.balance, r.reason]), [['2025-01-01T00:00:00Z', 7, 'sms', '0.0071', 'insufficientBalance']]);
  }
  assert.equal(refusalsFromPacked(Uint8Array.from([...head, ...record(big)]))[0].amount, '900719925474.0993');
  assert.equal(refusalsFromPacked(Uint8Array.from([...head, ...record(small)]))[0].amount, '-12.345');
});
