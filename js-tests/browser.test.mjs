// The built package and the demo page in a real headless Chromium (Debian's, driven by
// playwright-core). Every page fails its test on a console error, an uncaught exception or a
// request off the page's own origin. Screenshots go to test-output/ (git-ignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'test-output');
mkdirSync(out, { recursive: true });

let server;
let browser;
let base;
const timings = {};

before(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  writeFileSync(join(out, 'demo-timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
});

/** Open a page, recording console errors, page errors and any request off this origin. */
async function open(path, viewport = { width: 1280, height: 800 }, context = null) {
  const page = await (context ?? browser).newPage({ viewport });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(base) && !u.startsWith(`blob:${base}`)) problems.push(`off-origin request: ${u}`);
  });
  await page.goto(base + path);
  return { page, problems };
}

/** The studio, ready: first projection drawn and the what-if comparison back from its worker. */
async function studio(path = '/', viewport, context) {
  const o = await open(path, viewport, context);
  await o.page.waitForFunction(() => window.__creditcast?.ready && window.__creditcast.compare, null, { timeout: 20000 });
  return o;
}

const snap = (page) => page.evaluate(() => window.__creditcast);

/** Run `action`, then wait until the page has computed again. */
async function recompute(page, action) {
  const before = (await snap(page)).computeCount;
  await action();
  await page.waitForFunction((n) => window.__creditcast.computeCount > n, before, { timeout: 10000 });
  return snap(page);
}

async function setupTab(page, name) {
  await page.click(`#stab-${name}`);
}

test('the package and its rating-only entry load in a browser page and rate', async () => {
  const { page, problems } = await open('/pkg-check.html');
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 15000 });
  const r = await page.evaluate(() => window.__result);
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.segments, 2);
  assert.equal(r.total, '0.0113');
  assert.equal(r.errorIsClass, true);
  assert.equal(r.errorCode, 'UNKNOWN_SERVICE');
  assert.deepEqual(r.rating, { segments: 2, total: '0.0113', hasSimulate: false, errorIsClass: true, errorCode: 'UNKNOWN_SERVICE' });
  // ProjectionPool in Web Workers: project's very result, and its errors.
  assert.deepEqual(r.pool, { size: 2, same: true, typed: true, paths: 25, error: [true, 'OUT_OF_RANGE', 'days'], terminated: 'the pool was terminated' });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the studio loads with no console errors: composer, projection, charts, tables, what-if', async () => {
  const { page, problems } = await studio();
  const s = await snap(page);
  assert.equal(s.projectionError, null);
  assert.equal(s.composer.encoding, 'GSM-7');
  assert.match(await page.textContent('#kpi-spend'), /^\$[\d,]+\.\d\d$/);
  assert.ok(s.counts.recharges > 0, 'the default profile recharges');
  assert.equal(await page.textContent('#count-recharges'), String(s.counts.recharges));
  // uPlot, served from /vendor, drew both charts.
  assert.equal(await page.locator('#balance-chart canvas').count(), 1);
  assert.equal(await page.locator('#spend-chart canvas').count(), 1);
  assert.ok(await page.locator('#statements-body tr').count() >= 12);
  assert.equal(s.compare.length, 3);
  assert.equal(await page.locator('#compare-body tr').count() >= 5, true);
  assert.match(await page.textContent('#timing'), /computed in \d+ ms/);
  // Every form control has a label (accessible name).
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
    .map((el) => el.id || el.name));
  assert.deepEqual(unlabelled, []);
  await page.screenshot({ path: join(out, 'studio-1280.png'), fullPage: true });
  await page.screenshot({ path: join(out, 'studio-1280-fold.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('typing an emoji flips the composer to UCS-2 and updates the cost', async () => {
  const { page, problems } = await studio();
  await page.fill('#message', `${'x'.repeat(69)}:)`);
  await page.waitForFunction(() => window.__creditcast.composer.total === '11.75');
  assert.equal(await page.textContent('#encoding'), 'GSM-7');
  assert.equal(await page.textContent('#segments'), '1');
  // 1,000 recipients: 1,000 × $0.0083 + fees (300 T-Mobile and 300 AT&T at $0.003, 350 Verizon
  // at $0.004, 50 US Cellular at $0.005).
  assert.equal(await page.textContent('#total'), '$11.75');

  await page.fill('#message', `${'x'.repeat(69)}😀`);
  await page.waitForFunction(() => window.__creditcast.composer.encoding === 'UCS-2');
  assert.equal(await page.textContent('#segments'), '2'); // 71 UTF-16 units > 70
  assert.match(await page.textContent('#ucs-note'), /😀/);
  assert.equal(await page.locator('#segment-view mark.ucs').count(), 1);
  assert.equal(await page.locator('#segment-view li').count(), 2);
  // Twice the segments: $16.60 usage + $6.90 fees.
  assert.equal((await snap(page)).composer.total, '23.5');
  assert.match(await page.textContent('#lines'), /\$16\.60/);

  // A curly apostrophe forces UCS-2 too; smart encoding says what it saves, and applies.
  await page.fill('#message', `${'x'.repeat(100)}’`);
  await page.waitForSelector('#smart-note:not([hidden])');
  assert.match(await page.textContent('#smart-note'), /1 segment fewer per message/);
  await page.click('#apply-smart');
  await page.waitForFunction(() => window.__creditcast.composer.encoding === 'GSM-7');
  assert.equal(await page.isChecked('#smart'), true);

  // A bad recipient count is an error next to the field, not a blank page.
  await page.fill('#recipients', '0');
  await page.waitForSelector('#recipients-err:not([hidden])');
  assert.equal(await page.getAttribute('#recipients', 'aria-invalid'), 'true');
  await page.fill('#recipients', '10');
  await page.waitForSelector('#recipients-err', { state: 'hidden' });
  assert.deepEqual(problems, []);
  await page.close();
});

test('changing the threshold moves the recharge markers and changes their count', async () => {
  const { page, problems } = await studio();
  const a = await snap(page);
  // With a fixed amount, every $500 of threshold moves the recharges earlier and adds one.
  const b = await recompute(page, () => page.fill('#acct-threshold', '1100'));
  assert.equal(b.projectionError, null);
  assert.ok(b.counts.recharges > a.counts.recharges, `${b.counts.recharges} > ${a.counts.recharges}`);
  assert.notDeepEqual(b.markers.recharges, a.markers.recharges);
  assert.equal(b.markers.recharges.length, b.counts.recharges);
  assert.equal(await page.textContent('#count-recharges'), String(b.counts.recharges));
  assert.equal(await page.textContent('#kpi-recharges'), String(b.counts.recharges));
  // Markers are where the engine says the recharges are.
  assert.equal(b.summary.recharges, b.counts.recharges);
  const c = await recompute(page, () => page.fill('#acct-threshold', '20'));
  assert.ok(c.counts.recharges < b.counts.recharges);
  assert.deepEqual(problems, []);
  await page.close();
});

test('toggling negative balance turns interruptions into settlements', async () => {
  const { page, problems } = await studio();
  await recompute(page, () => page.uncheck('#acct-ar'));
  const off = await snap(page);
  assert.ok(off.counts.interruptions > 0, 'without auto-recharge or negative balance, usage is refused');
  assert.equal(off.counts.settlements, 0);
  assert.match(await page.textContent('#kpi-interruptions'), /\d+ days?/);

  const on = await recompute(page, () => page.check('#acct-negative'));
  assert.equal(on.counts.interruptions, 0);
  assert.equal(on.counts.refusedEvents, 0);
  assert.ok(on.counts.settlements > 0, 'negative months are settled');
  assert.equal(await page.textContent('#count-settlements'), String(on.counts.settlements));
  assert.equal(await page.textContent('#kpi-interruptions'), 'none');
  assert.match(await page.textContent('#invoices'), /Month-end settlements/);

  // A credit limit brings interruptions back once the balance reaches it.
  await page.fill('#acct-limit', '50');
  const limited = await recompute(page, () => page.fill('#acct-limit', '5'));
  assert.ok(limited.counts.interruptions > 0);
  assert.ok(limited.counts.settlements > 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the failed-payment button turns auto-recharge off and the status says why', async () => {
  const { page, problems } = await studio();
  const status = () => page.textContent('[data-testid=autorecharge-status]');
  assert.match(await status(), /Auto-recharge on/);
  await page.click('#live-fail');
  await page.waitForFunction(() => /Next payment will fail/.test(document.getElementById('live-status').textContent));
  // One send of 20,000 texts takes the balance under the $100 threshold: the recharge is tried, and fails.
  await page.fill('#recipients', '20000');
  await page.click('#live-send');
  await page.waitForFunction(() => window.__creditcast.live.reason === 'paymentFailed');
  const s = (await snap(page)).live;
  assert.equal(s.enabled, false);
  assert.equal(s.paymentMethod, 'failed');
  assert.equal(await page.getAttribute('#live-status', 'data-state'), 'paymentFailed');
  assert.match(await status(), /Auto-recharge off: payment failed/);
  assert.match(await status(), /auto-recharge payment of \$500\.00 failed/);
  assert.match(await page.textContent('#live-log'), /Recharge failed/);
  // Fixing the card recharges at once (the balance is below the threshold) and turns it back on.
  await page.click('#live-fix');
  await page.waitForFunction(() => window.__creditcast.live.enabled === true);
  assert.match(await status(), /Auto-recharge on/);
  assert.match(await page.textContent('#live-log'), /Auto-recharge/);
  // Buying credits with a bad amount is an error at the field.
  await page.fill('#live-buy-amount', '-5');
  await page.click('#live-buy');
  await page.waitForSelector('#live-buy-amount-err:not([hidden])');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bad rate card or impossible settings show an error at the field, never a blank page', async () => {
  const { page, problems } = await studio();
  const before = await snap(page);
  const ta = page.locator('#card-json');
  const text = await ta.inputValue();
  assert.match(text, /"unitPrice": "0\.0083"/);
  await ta.fill(text.replace('"unitPrice": "0.0083"', '"unitPrice": 0.1'));
  await page.waitForSelector('[data-testid=card-problem]');
  const problem = page.locator('[data-testid=card-problem]').first();
  assert.equal(await problem.getAttribute('data-path'), 'services.sms.pricing.unitPrice');
  assert.match(await problem.textContent(), /INVALID_NUMBER/);
  assert.match(await problem.textContent(), /Line \d+/);
  assert.equal(await page.getAttribute('#card-json', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#card-json-err'), /services\.sms\.pricing\.unitPrice/);
  // "Line N" selects the offending field in the editor.
  await problem.locator('button').click();
  const selected = await page.evaluate(() => { const t = document.getElementById('card-json'); return t.value.slice(t.selectionStart, t.selectionEnd); });
  assert.match(selected, /"unitPrice": 0\.1/);
  // The page keeps working on the last valid card.
  assert.equal((await snap(page)).summary.totalSpend, before.summary.totalSpend);
  // Broken JSON is pointed at too.
  await ta.fill('{ "version": 1, ');
  await page.waitForFunction(() => window.__creditcast.cardProblems[0]?.code === 'JSON_SYNTAX');
  // A valid edit reprices everything on the page.
  await ta.fill(text.replace('"unitPrice": "0.0083"', '"unitPrice": "0.01"'));
  await page.waitForFunction(() => window.__creditcast.cardEdited && window.__creditcast.cardProblems.length === 0);
  await page.waitForFunction((t) => window.__creditcast.summary.totalSpend !== t, before.summary.totalSpend);
  await page.click('#card-reset');
  await page.waitForFunction(() => !window.__creditcast.cardEdited);

  // Impossible settings: the engine's error lands next to the field it names.
  await recompute(page, () => page.fill('#acct-threshold', 'abc'));
  await page.waitForSelector('#acct-threshold-err:not([hidden])');
  assert.equal(await page.getAttribute('#acct-threshold', 'aria-invalid'), 'true');
  assert.match(await page.textContent('[data-testid=projection-error]'), /account\.autoRecharge\.threshold/);
  assert.ok((await snap(page)).projectionError);
  await recompute(page, () => page.fill('#acct-threshold', '-5'));
  assert.match(await page.textContent('#acct-threshold-err'), /lowest balance allowed/);
  await recompute(page, () => page.fill('#acct-threshold', '100'));
  assert.equal((await snap(page)).projectionError, null);
  assert.equal(await page.isHidden('#acct-threshold-err'), true);
  // A field on another setup tab: the banner's link opens the tab and focuses the field.
  await setupTab(page, 'usage');
  await recompute(page, () => page.fill('#u-voice-mean', '0'));
  await page.waitForSelector('#u-voice-mean-err:not([hidden])');
  await setupTab(page, 'account');
  assert.match(await page.getAttribute('#stab-usage', 'class'), /has-error/);
  await page.click('[data-testid=projection-error] button.link');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'u-voice-mean');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the URL carries the whole state: a new page shows the same numbers', async () => {
  const { page, problems } = await studio();
  await page.fill('#message', 'Flash sale 🎉 20% off today only');
  await page.fill('#recipients', '2500');
  await setupTab(page, 'usage');
  await recompute(page, () => page.click('#preset-campaign'));
  await setupTab(page, 'account');
  await recompute(page, () => page.fill('#acct-threshold', '150'));
  await recompute(page, () => page.check('#acct-negative'));
  await page.click('#live-day');
  await page.click('#live-day');
  const text = await page.locator('#card-json').inputValue();
  await page.locator('#card-json').fill(text.replace('"unitPrice": "0.022"', '"unitPrice": "0.025"'));
  await page.waitForFunction(() => window.__creditcast.cardEdited);
  await page.waitForFunction(() => window.__creditcast.live.actions === 2);
  await page.waitForFunction(() => window.__creditcast.hash === location.hash && location.hash.length > 10);
  await page.waitForTimeout(300); // the hash is written 120 ms after the last change
  const a = await snap(page);
  const url = page.url();
  assert.match(url, /#z=[A-Za-z0-9_-]+$/);

  const { page: p2, problems: problems2 } = await studio(new URL(url).pathname + new URL(url).hash);
  await p2.waitForFunction(() => window.__creditcast.live.actions === 2);
  const b = await snap(p2);
  assert.deepEqual(b.summary, a.summary);
  assert.deepEqual(b.counts, a.counts);
  assert.deepEqual(b.composer, a.composer);
  assert.equal(b.composer.encoding, 'UCS-2');
  assert.equal(b.live.balance, a.live.balance);
  assert.equal(b.cardEdited, true);
  assert.equal(await p2.inputValue('#acct-threshold'), '150');
  assert.equal(await p2.isChecked('#acct-negative'), true);
  assert.equal(await p2.getAttribute('#preset-campaign', 'aria-pressed'), 'true');
  assert.equal(await p2.inputValue('#recipients'), '2500');
  assert.equal(await p2.textContent('#kpi-spend'), await page.textContent('#kpi-spend'));
  assert.equal(await p2.textContent('#live-balance'), await page.textContent('#live-balance'));
  // A damaged link falls back to the defaults with a message, not a blank page.
  const { page: p3, problems: problems3 } = await studio('/#z=not-a-valid-state');
  assert.match(await p3.textContent('#boot-error'), /could not be read/);
  // A link with impossible settings opens with the error at its field.
  const partial = Buffer.from(JSON.stringify({ account: { threshold: 'abc' } })).toString('base64url');
  const { page: p4, problems: problems4 } = await open(`/#j=${partial}`);
  await p4.waitForFunction(() => window.__creditcast?.ready);
  await p4.waitForSelector('#acct-threshold-err:not([hidden])');
  assert.equal(await p4.inputValue('#acct-threshold'), 'abc');
  assert.deepEqual([...problems, ...problems2, ...problems3, ...problems4], []);
  await Promise.all([page.close(), p2.close(), p3.close(), p4.close()]);
});

test('many paths add the P10–P90 band and probabilities, computed in the background', async () => {
  const { page, problems } = await studio();
  const workers = [];
  page.on('worker', (w) => workers.push(new URL(w.url()).pathname));
  await setupTab(page, 'projection');
  await page.selectOption('#proj-paths', '100');
  await page.waitForFunction(() => window.__creditcast.multiDone, null, { timeout: 30000 });
  const s = await snap(page);
  assert.equal(s.paths, 100);
  // The background worker spread the paths over a ProjectionPool's own worker.
  assert.ok(workers.includes('/pkg/projection-worker.js'), workers.join(', '));
  assert.equal(typeof s.interruptionProbability, 'number');
  assert.equal(await page.isVisible('#band-key'), true);
  assert.match(await page.textContent('#multi-status'), /100 paths computed in [\d.]+ s/);
  timings.paths100Seconds = Number(/computed in ([\d.]+) s/.exec(await page.textContent('#multi-status'))[1]);
  // Hourly steps over 100 paths would take minutes: refused at the field; one hourly path is fine.
  await page.selectOption('#proj-res', 'hour');
  await page.selectOption('#proj-paths', '500');
  await page.waitForSelector('#proj-paths-err:not([hidden])');
  await page.selectOption('#proj-paths', '1');
  await page.waitForFunction(() => window.__creditcast.multiDone && /Hourly steps computed/.test(document.getElementById('multi-status').textContent), null, { timeout: 30000 });
  assert.equal(await page.isHidden('#proj-paths-err'), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('what-if compares settings side by side, and recommends one', async () => {
  const { page, problems } = await studio();
  const a = await snap(page);
  assert.deepEqual(a.compare.map((v) => v.label), ['Current', 'Option A', 'Option B']);
  assert.equal(a.compare[0].recharges, a.counts.recharges, 'the current column is the projection');
  await page.fill('#wi-0-threshold', '400');
  await page.waitForFunction((r) => window.__creditcast.compare[1].recharges !== r, a.compare[1].recharges);
  await page.fill('#wi-1-amount', '0');
  await page.waitForSelector('#wi-1-amount-err:not([hidden])');
  await page.fill('#wi-1-amount', '1000');
  await page.waitForSelector('#wi-1-amount-err', { state: 'hidden' });

  await page.selectOption('#goal-paths', '20');
  await page.click('#recommend-btn');
  await page.waitForFunction(() => /Evaluated/.test(document.getElementById('recommend-status').textContent), null, { timeout: 40000 });
  const rec = (await snap(page)).recommendation;
  assert.ok(rec, 'without payment failures some setting meets a 5 % goal');
  assert.equal(await page.locator('#recommend-result td.rec').count(), 1);
  await recompute(page, () => page.click('#recommend-apply'));
  assert.equal(await page.inputValue('#acct-threshold'), rec.threshold);
  assert.equal(await page.inputValue('#acct-amount'), rec.amount);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the ledger filters by kind and exports CSV', async () => {
  const { page, problems } = await studio();
  await page.click('#tab-ledger');
  await page.waitForSelector('#ledger-body tr');
  await page.selectOption('#ledger-kind', 'recharge');
  const kinds = await page.locator('#ledger-body .kind').allTextContents();
  assert.ok(kinds.length > 0);
  assert.ok(kinds.every((k) => k === 'Auto-recharge'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-ledger')]);
  const csv = await (await download.createReadStream()).toArray();
  const body = Buffer.concat(csv).toString('utf8');
  assert.match(body, /^at,kind,service,count,amount,balance_after,attempted\r\n/);
  assert.match(body, /,recharge,/);
  const [d2] = await Promise.all([page.waitForEvent('download'), (async () => { await page.click('#tab-statements'); await page.click('#export-statements'); })()]);
  const st = Buffer.concat(await (await d2.createReadStream()).toArray()).toString('utf8');
  assert.match(st, /^month,opening_balance,/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('one path over a year redraws in well under 50 ms per input change', async () => {
  const { page, problems } = await studio();
  const engine = [];
  const total = [];
  for (const v of ['120', '140', '160', '180', '200', '220', '240', '260', '280', '300', '90', '110']) {
    const s = await recompute(page, () => page.fill('#acct-threshold', v));
    engine.push(s.engineMs);
    total.push(s.computeMs);
  }
  await setupTab(page, 'usage');
  for (const v of ['800', '900', '1000', '1100', '1200', '600']) {
    const s = await recompute(page, () => page.fill('#u-sms-perday', v));
    engine.push(s.engineMs);
    total.push(s.computeMs);
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  timings.onePathYear = { medianComputeMs: median(total), maxComputeMs: Math.max(...total), medianEngineMs: median(engine), samples: total.length };
  assert.ok(median(total) < 50, `median redraw ${median(total).toFixed(1)} ms`);
  assert.match(await page.textContent('#timing'), /computed in \d+ ms/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('works offline once loaded, and from the keyboard', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page, problems } = await studio('/', undefined, context);
  await context.setOffline(true);
  const s = await recompute(page, () => page.fill('#acct-threshold', '250'));
  assert.equal(s.projectionError, null);
  await setupTab(page, 'projection');
  await page.selectOption('#proj-paths', '20');
  await page.waitForFunction(() => window.__creditcast.multiDone, null, { timeout: 30000 });
  await context.setOffline(false);
  // Keyboard: the setup tabs move with the arrow keys, and focus is visible.
  await page.focus('#stab-projection');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'stab-usage');
  assert.equal(await page.isVisible('#usage-card'), true);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.closest('#usage-card') !== null), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the studio works on a narrow screen (390 px): no sideways scroll', async () => {
  const { page, problems } = await studio('/', { width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px at 390px`);
  for (const tab of ['usage', 'projection']) {
    await setupTab(page, tab);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 0, `${tab} tab overflows`);
  }
  await setupTab(page, 'account');
  assert.ok(await page.evaluate(() => document.getElementById('balance-chart').getBoundingClientRect().width) <= 390);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, 'studio-390.png'), fullPage: true });
  await page.screenshot({ path: join(out, 'studio-390-fold.png') });
  assert.deepEqual(problems, []);
  await page.close();
});
