// ProjectionPool: `project`, `compare` and `recommendAutoRecharge` over worker threads give exactly the
// one-thread results and errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { project, compare, recommendAutoRecharge, ProjectionPool, CreditcastError } from '../pkg/node.js';

const base = {
  account: { openingBalance: '100', plan: { start: '2025-01-01' }, autoRecharge: { enabled: true, threshold: '40', amount: '90.5' } },
  profile: {
    services: {
      sms: { perDay: 2000, variation: 0.4, carrierMix: { tmobile: 0.4, att: 0.3, verizon: 0.3 }, segmentsMix: [{ segments: 1, share: 0.8 }, { segments: 2, share: 0.2 }] },
      voiceLocal: { perDay: 40, variation: 0.3, durationSeconds: { mean: 150 } },
    },
    paymentFailureProbability: 0.05,
  },
  start: '2025-01-01',
  days: 75,
  resolution: 'day',
  paths: 61,
  seed: 7,
};

/**
 * `sync()` throws a CreditcastError with `code` and `path`, and `pooled()` rejects with the same
 * code, path and message.
 */
async function sameError(sync, pooled, code, path) {
  let thrown;
  try { sync(); } catch (e) { thrown = e; }
  assert.ok(thrown instanceof CreditcastError, String(thrown));
  assert.deepEqual([thrown.code, thrown.path], [code, path], thrown.message);
  await assert.rejects(pooled(), (e) => {
    assert.ok(e instanceof CreditcastError);
    assert.deepEqual([e.code, e.path, e.message], [thrown.code, thrown.path, thrown.message]);
    return true;
  });
}

// Three workers even on a 2-core machine: the ranges, their order and the merge are what is tested.
const pool = await ProjectionPool.create({ workers: 3 });
after(() => pool.terminate());

test('the pool gives exactly the result of project, daily and hourly, any number of paths', async () => {
  assert.equal(pool.size, 3);
  const whole = project(base);
  // Paths differ: some are interrupted, some not; recharges per month vary.
  assert.ok(whole.interruptionProbability > 0 && whole.interruptionProbability < 1, String(whole.interruptionProbability));
  assert.ok(whole.rechargesPerMonth.length > 2);
  assert.deepEqual(await pool.project(base), whole);
  for (const paths of [1, 2, 3, 4, 5, 7]) {
    const req = { ...base, paths, days: 40 };
    assert.deepEqual(await pool.project(req), project(req), `paths ${paths}`);
  }
  const hourly = { ...base, resolution: 'hour', days: 10, paths: 6 };
  assert.deepEqual(await pool.project(hourly), project(hourly));
  // A JSON string, and options for path 0's ledger.
  const text = JSON.stringify({ ...base, options: { ledger: 'event', maxListedRefusals: 3 } });
  assert.deepEqual(await pool.project(text), project(text));
});

test('the pool recommends exactly what recommendAutoRecharge does, and rejects the same errors', async () => {
  const req = { ...base, days: 60, paths: 33, account: { ...base.account, openingBalance: '20' } };
  const goal = { maxInterruptionProbability: 0.2 };
  const whole = recommendAutoRecharge(req, goal);
  assert.ok(whole.candidates.some((c) => c.meetsGoal) && whole.candidates.some((c) => !c.meetsGoal));
  assert.deepEqual(await pool.recommendAutoRecharge(req, goal), whole);
  for (const paths of [1, 2, 4, 9]) {
    const r = { ...req, paths };
    const g = { maxInterruptionProbability: 0.1, thresholds: ['5', '30'], amounts: ['25.5', '90'] };
    assert.deepEqual(await pool.recommendAutoRecharge(r, g), recommendAutoRecharge(r, g), `paths ${paths}`);
  }
  assert.deepEqual(await pool.recommendAutoRecharge(JSON.stringify(req), goal), whole);
  const cases = [
    [req, { maxInterruptionProbability: 2 }, 'OUT_OF_RANGE', 'goal.maxInterruptionProbability'],
    [req, { maxInterruptionProbability: 0.1, amounts: ['30', '0.001'] }, 'OUT_OF_RANGE', 'goal.amounts[1]'],
    [req, { maxInterruptionProbability: 0.1, thresholds: [] }, 'OUT_OF_RANGE', 'goal.thresholds'],
    [req, { maxInterruptionProbability: 0.1, extra: 1 }, 'UNKNOWN_FIELD', 'goal.extra'],
    [req, undefined, 'INVALID_INPUT', 'goal'],
    [{ ...req, days: 0 }, goal, 'OUT_OF_RANGE', 'days'],
  ];
  for (const [r, g, code, path] of cases) {
    await sameError(() => recommendAutoRecharge(r, g), () => pool.recommendAutoRecharge(r, g), code, path);
  }
});

test('the pool compares exactly as compare does, and rejects the same errors', async () => {
  const req = { ...base, days: 50, paths: 21 };
  const variants = [
    { label: 'as is' },
    { label: 'roomy', autoRecharge: { enabled: true, threshold: '60', amount: '500' } },
    { label: 'none', autoRecharge: { enabled: false }, negativeBalance: { allowed: false } },
  ];
  const whole = compare(req, variants);
  assert.ok(whole.variants[0].bands.p50 instanceof Float64Array);
  assert.deepEqual(await pool.compare(req, variants), whole);
  for (const paths of [1, 3, 5]) {
    const r = { ...req, paths };
    assert.deepEqual(await pool.compare(r, variants), compare(r, variants), `paths ${paths}`);
  }
  const cases = [
    [req, [], 'OUT_OF_RANGE', 'variants'],
    [req, [{ label: 'x', autoRecharge: { enabled: true, threshold: '-5', amount: '10' } }], 'INVALID_SETTINGS', 'variants[0].autoRecharge.threshold'],
    [req, [{ label: 'x', colour: 'red' }], 'UNKNOWN_FIELD', 'variants[0].colour'],
    [req, undefined, 'INVALID_INPUT', 'variants'],
    [{ ...req, paths: 0 }, variants, 'OUT_OF_RANGE', 'paths'],
  ];
  for (const [r, vs, code, path] of cases) {
    await sameError(() => compare(r, vs), () => pool.compare(r, vs), code, path);
  }
});

test('several projections at once on one pool each get their own result', async () => {
  const reqs = [11, 12, 13, 14].map((seed) => ({ ...base, seed, days: 30 }));
  const got = await Promise.all(reqs.map((r) => pool.project(r)));
  reqs.forEach((r, i) => assert.deepEqual(got[i], project(r)));
  assert.notDeepEqual(got[0].bands, got[1].bands);
});

test('bad input rejects with the CreditcastError project throws, and the pool keeps working', async () => {
  const cases = [
    [{ ...base, days: 0 }, 'OUT_OF_RANGE', 'days'],
    [{ ...base, paths: 10001 }, 'LIMIT_EXCEEDED', 'paths'],
    [{ ...base, paths: 2.5 }, 'INVALID_INPUT', 'paths'],
    [{ ...base, profile: { services: { fax: { perDay: 1 } } } }, 'UNKNOWN_SERVICE', 'profile.services.fax'],
    [{ ...base, account: { ...base.account, timeZone: 'Mars/Olympus' } }, 'INVALID_VALUE', 'account.timeZone'],
    ['{"paths": 4', 'INVALID_INPUT', ''],
    [undefined, 'INVALID_INPUT', ''],
  ];
  for (const [req, code, path] of cases) {
    await sameError(() => project(req), () => pool.project(req), code, path);
  }
  const cyclic = { ...base };
  cyclic.self = cyclic;
  await assert.rejects(pool.project(cyclic), (e) => e instanceof CreditcastError && e.code === 'INVALID_INPUT');
  assert.deepEqual(await pool.project({ ...base, days: 20 }), project({ ...base, days: 20 }));
});

test('worker counts: 0 runs on the calling thread, a bad count is a CreditcastError, terminate falls back', async () => {
  const none = await ProjectionPool.create({ workers: 0 });
  assert.equal(none.size, 0);
  assert.deepEqual(await none.project({ ...base, days: 20 }), project({ ...base, days: 20 }));
  for (const workers of [-1, 1.5, 17, '2', null]) {
    await assert.rejects(ProjectionPool.create({ workers }), (e) => e instanceof CreditcastError && e.code === 'OUT_OF_RANGE' && e.path === 'workers');
  }
  const one = await ProjectionPool.create();
  assert.ok(one.size >= 1);
  one.terminate();
  assert.equal(one.size, 0);
  assert.deepEqual(await one.project({ ...base, days: 20 }), project({ ...base, days: 20 }));
});

test('terminate while workers run: the call rejects with an Error, and the pool goes on alone', async () => {
  const doomed = await ProjectionPool.create({ workers: 2 });
  // The calling thread's share runs before project returns its promise; the workers' run on.
  const pending = doomed.project({ ...base, days: 200, paths: 300 });
  doomed.terminate();
  await assert.rejects(pending, (e) => !(e instanceof CreditcastError) && /terminated/.test(e.message));
  assert.equal(doomed.size, 0);
  assert.deepEqual(await doomed.project({ ...base, days: 20 }), project({ ...base, days: 20 }));
});

test('idle workers do not keep Node running', () => {
  const script = `const { ProjectionPool } = await import(${JSON.stringify(new URL('../pkg/node.js', import.meta.url).href)});
    const pool = await ProjectionPool.create({ workers: 2 });
    const r = await pool.project(${JSON.stringify({ ...base, days: 20 })});
    console.log(r.paths);`;
  const dir = mkdtempSync(join(tmpdir(), 'creditcast-pool-'));
  const file = join(dir, 'run.mjs');
  writeFileSync(file, script);
  const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20000 });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(run.signal, null, 'still running after 20 s');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), '61');
});
