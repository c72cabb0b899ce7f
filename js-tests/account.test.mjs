// The balance engine through the built package: one test per rule in PRODUCT.md §4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, Account, CreditcastError } from '../pkg/node.js';

const plan = { cycle: 'monthly', start: '2025-01-01' };
const sms = (at, segments, extra = {}) => ({ at, type: 'usage', service: 'sms', segments, ...extra });
// Exact decimal-string arithmetic for assertions (micro-units are exact for these amounts).
const micro = (s) => BigInt(s.replace('-', '').split('.')[0] + (s.split('.')[1] ?? '').padEnd(6, '0')) * (s.startsWith('-') ? -1n : 1n);

test('negative balance is invoiced at month end and the balance resets to zero on the 1st', () => {
  const r = simulate({
    account: { openingBalance: '1', plan, negativeBalance: { allowed: true } },
    events: [sms('2025-01-20T12:00:00Z', 500)], // 500 × 0.0083 = 4.15
    until: '2025-02-01',
  });
  assert.equal(r.invoices.length, 1);
  assert.deepEqual([r.invoices[0].month, r.invoices[0].amount, r.invoices[0].amountDue], ['2025-01', '3.15', '3.15']);
  const settlement = r.ledger.find((e) => e.kind === 'settlement');
  assert.equal(settlement.at, '2025-02-01T00:00:00Z');
  assert.equal(settlement.amount, '3.15');
  assert.equal(settlement.balanceAfter, '0');
  assert.equal(r.balance, '0');
});

test('a quarterly plan is still settled every month', () => {
  const r = simulate({
    account: { plan: { cycle: 'quarterly', start: '2025-01-01' }, negativeBalance: { allowed: true } },
    events: [sms('2025-01-15T00:00:00Z', 100), sms('2025-02-15T00:00:00Z', 100), sms('2025-03-15T00:00:00Z', 100)],
    until: '2025-03-31',
  });
  assert.deepEqual(r.invoices.map((i) => i.month), ['2025-01', '2025-02', '2025-03']);
  assert.ok(r.invoices.every((i) => i.amount === '0.83'));
});

test('auto-recharge fires when a debit leaves the balance at or below the threshold', () => {
  const r = simulate({
    account: { openingBalance: '10', plan, autoRecharge: { enabled: true, threshold: '5', amount: '20' } },
    events: [sms('2025-01-02T09:00:00Z', 500), sms('2025-01-02T10:00:00Z', 500)], // −4.15 → 5.85, −4.15 → 1.70
    until: '2025-01-31',
  });
  const kinds = r.ledger.map((e) => e.kind);
  assert.deepEqual(kinds, ['usage', 'usage', 'recharge']);
  assert.equal(r.ledger[2].balanceAfter, '21.7');
  assert.equal(r.autoRecharge.lastAttempt.outcome, 'succeeded');
});

test('a burst of usage recharges at most the daily cap', () => {
  const events = [];
  for (let h = 0; h < 24; h++) events.push(sms(`2025-01-05T${String(h).padStart(2, '0')}:00:00Z`, 1000)); // 8.30 each
  const r = simulate({
    account: { openingBalance: '10', plan, negativeBalance: { allowed: true }, autoRecharge: { enabled: true, threshold: '5', amount: '10', maxPerDay: 3 } },
    events,
    until: '2025-01-05T23:59:59Z',
  });
  assert.equal(r.ledger.filter((e) => e.kind === 'recharge').length, 3);
  assert.equal(r.autoRecharge.capReached, 'day');
});

test('a failed payment turns auto-recharge off until the payment method is fixed', () => {
  const a = new Account({ openingBalance: '10', plan, negativeBalance: { allowed: true }, autoRecharge: { enabled: true, threshold: '5', amount: '20' } });
  a.apply({ at: '2025-01-02T00:00:00Z', type: 'paymentWillFail' });
  const applied = a.apply(sms('2025-01-02T01:00:00Z', 1000)); // 10 − 8.30 = 1.70 → attempt fails
  assert.deepEqual(applied.entries.map((e) => e.kind), ['usage', 'rechargeFailed']);
  let status = a.autoRechargeStatus();
  assert.equal(status.enabled, false);
  assert.equal(status.reason, 'paymentFailed');
  assert.equal(status.paymentMethod, 'failed');
  assert.equal(status.lastAttempt.outcome, 'failed');
  a.apply(sms('2025-01-02T02:00:00Z', 100)); // still below the threshold: no attempt while off
  assert.equal(a.ledger().filter((e) => e.kind === 'recharge').length, 0);
  const fixed = a.apply({ at: '2025-01-03T00:00:00Z', type: 'paymentMethodFixed' });
  assert.deepEqual(fixed.entries.map((e) => e.kind), ['recharge']); // below threshold: recharges at once
  status = a.autoRechargeStatus();
  assert.equal(status.enabled, true);
  assert.equal(status.reason, null);
});

test('without negative balance, usage the balance cannot cover is refused and nothing is charged', () => {
  const r = simulate({
    account: { openingBalance: '1', plan },
    events: [sms('2025-01-02T00:00:00Z', 100), sms('2025-01-02T01:00:00Z', 100)], // 0.83, then 0.83 > 0.17 left
    until: '2025-01-31',
  });
  assert.equal(r.refused.length, 1);
  assert.equal(r.refused[0].reason, 'insufficientBalance');
  assert.equal(r.refused[0].eventIndex, 1);
  assert.equal(r.balance, '0.17');
  assert.equal(r.ledger.length, 1);
});

test('a credit limit refuses usage that would go past it', () => {
  const r = simulate({
    account: { plan, negativeBalance: { allowed: true, limit: '1' } },
    events: [sms('2025-01-02T00:00:00Z', 100), sms('2025-01-02T01:00:00Z', 100)],
    until: '2025-01-02T23:00:00Z',
  });
  assert.equal(r.refused.length, 1);
  assert.equal(r.refused[0].reason, 'creditLimit');
  assert.equal(r.balance, '-0.83');
});

test('post-paid eligibility is reported for a month over $5,000', () => {
  const r = simulate({
    account: { plan, postpaid: true },
    events: [sms('2025-01-10T00:00:00Z', 700000)], // 5,810
    until: '2025-02-01',
  });
  assert.deepEqual(r.postpaidEligible, [{ month: '2025-01', spend: '5810' }]);
  assert.equal(r.invoices[0].amount, '5810');
});

test('ledger invariant: opening balance plus the sum of entries is the closing balance', () => {
  const events = [];
  for (let d = 1; d <= 60; d++) {
    const day = new Date(Date.UTC(2025, 0, d)).toISOString().slice(0, 10);
    events.push(sms(`${day}T09:00:00Z`, 37 * d, { carrier: ['att', 'tmobile', 'verizon'][d % 3] }));
    if (d % 17 === 0) events.push({ at: `${day}T10:00:00Z`, type: 'paymentWillFail' });
    if (d % 23 === 0) events.push({ at: `${day}T11:00:00Z`, type: 'paymentMethodFixed' });
  }
  const r = simulate({
    account: { openingBalance: '25', plan, negativeBalance: { allowed: true, limit: '50' }, autoRecharge: { enabled: true, threshold: '10', amount: '25' } },
    events,
    until: '2025-03-01',
  });
  const sum = r.ledger.reduce((a, e) => a + micro(e.amount), micro('25'));
  assert.equal(sum, micro(r.balance));
  for (const inv of r.invoices) {
    const s = r.ledger.find((e) => e.kind === 'settlement' && e.at === inv.issuedAt);
    assert.equal(s.amount, inv.amount);
  }
});

test('Account round-trips through toJSON and keeps going identically', () => {
  const config = { openingBalance: '20', plan, autoRecharge: { enabled: true, threshold: '5', amount: '10' } };
  const a = new Account(config);
  const b = new Account(config);
  a.apply(sms('2025-01-02T00:00:00Z', 1000));
  b.apply(sms('2025-01-02T00:00:00Z', 1000));
  const c = Account.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
  for (const acct of [b, c]) acct.apply(sms('2025-01-03T00:00:00Z', 1500));
  assert.deepEqual(c.ledger(), b.ledger());
  assert.equal(c.balance(), b.balance());
  assert.deepEqual(c.autoRechargeStatus(), b.autoRechargeStatus());
});

test('bad input is a CreditcastError with code and path, and the account stays usable', () => {
  const a = new Account({ openingBalance: '5', plan });
  const cases = [
    [{ at: '2025-01-02', type: 'refund' }, 'INVALID_VALUE', 'type'],
    [{ at: 'soon', type: 'purchase', amount: '5' }, 'INVALID_DATE', 'at'],
    [{ at: '2025-01-02', type: 'purchase', amount: '-5' }, 'NEGATIVE_VALUE', 'amount'],
    [{ at: '2025-01-02', type: 'setAutoRecharge', autoRecharge: { enabled: true, threshold: '50', target: '20' } }, 'INVALID_SETTINGS', 'autoRecharge.target'],
    [{ at: '2025-01-02', type: 'purchase', amount: '5', service: 'sms' }, 'NOT_APPLICABLE', 'service'],
  ];
  for (const [ev, code, path] of cases) {
    assert.throws(() => a.apply(ev), (e) => {
      assert.ok(e instanceof CreditcastError, String(e));
      assert.equal(e.code, code, JSON.stringify(ev));
      assert.equal(e.path, path, JSON.stringify(ev));
      return true;
    });
  }
  assert.equal(a.balance(), '5');
  a.apply({ at: '2025-01-02T00:00:00Z', type: 'purchase', amount: '5' });
  assert.equal(a.balance(), '10');
  assert.throws(() => a.apply({ at: '2025-01-01T00:00:00Z', type: 'purchase', amount: '1' }), (e) => e.code === 'OUT_OF_ORDER');
  assert.throws(
    () => simulate({ account: { plan }, events: [sms('2025-01-03T00:00:00Z', 1), sms('2025-01-02T00:00:00Z', 1)], until: '2025-01-31' }),
    (e) => e.code === 'OUT_OF_ORDER' && e.path === 'events[1].at',
  );
  assert.throws(() => new Account({ plan: { start: '2025-13-01' } }), (e) => e.code === 'INVALID_DATE' && e.path === 'plan.start');
});

test('applyAll applies a day of events in one call', () => {
  const a = new Account({ openingBalance: '100', plan });
  const events = Array.from({ length: 1000 }, (_, i) => sms(`2025-01-02T${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`, 1));
  assert.deepEqual(a.applyAll(events), { applied: 1000, balance: '91.7' });
});

test('aggregated usage: parts are charged as one debit, refused as a whole, errors name the part', () => {
  const a = new Account({ openingBalance: '2', plan });
  const parts = [{ segments: 1, count: 100, carrier: 'tmobile' }, { segments: 3, count: 20, carrier: 'verizon' }];
  // 160 segments × 0.0083 = 1.328; fees 100 × 0.003 + 60 × 0.004 = 0.54: 1.868 in all.
  const applied = a.apply({ at: '2025-01-02T10:00:00Z', type: 'usage', service: 'sms', parts });
  assert.deepEqual(applied.entries.map((e) => [e.kind, e.amount, e.balanceAfter]), [
    ['usage', '-1.328', '0.672'], ['carrierFee', '-0.54', '0.132'],
  ]);
  // The same again does not fit: refused whole, nothing charged.
  const refused = a.apply({ at: '2025-01-02T11:00:00Z', type: 'usage', service: 'sms', parts });
  assert.equal(refused.refused.amount, '1.868');
  assert.equal(a.balance(), '0.132');
  assert.throws(
    () => a.apply({ at: '2025-01-02T12:00:00Z', type: 'usage', service: 'sms', parts: [{ segments: 1 }, { segments: 1, carrier: 'nope' }] }),
    (e) => e instanceof CreditcastError && e.code === 'UNKNOWN_CARRIER' && e.path === 'parts[1].carrier',
  );
  assert.throws(
    () => simulate({ account: { plan }, events: [{ at: '2025-01-02', type: 'usage', service: 'sms', count: 2, parts }], until: '2025-01-31' }),
    (e) => e.code === 'NOT_APPLICABLE' && e.path === 'events[0].count',
  );
  assert.equal(a.ledger().length, 2);
});
