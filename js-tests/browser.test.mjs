// The built package and the page in a real headless Chromium (Debian's, driven by playwright-core).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
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
});

/** Open a page, recording console errors, page errors and any request off this origin. */
async function open(path, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(base)) problems.push(`off-origin request: ${r.url()}`); });
  await page.goto(base + path);
  return { page, problems };
}

test('the package loads in a browser page and rates', async () => {
  const { page, problems } = await open('/pkg-check.html');
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 15000 });
  const r = await page.evaluate(() => window.__result);
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.segments, 2);
  assert.equal(r.total, '0.0113');
  assert.equal(r.errorIsClass, true);
  assert.equal(r.errorCode, 'UNKNOWN_SERVICE');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the message cost calculator updates live: an emoji flips it to UCS-2', async () => {
  const { page, problems } = await open('/');
  await page.waitForFunction(() => document.getElementById('encoding').textContent !== '–');
  assert.equal(await page.textContent('#encoding'), 'GSM-7');
  const gsmTotal = await page.textContent('#total');
  await page.fill('#message', 'x'.repeat(69) + '😀');
  await page.waitForFunction(() => document.getElementById('encoding').textContent === 'UCS-2');
  assert.equal(await page.textContent('#segments'), '2'); // 71 units > 70
  assert.match(await page.textContent('#ucs-note'), /😀/);
  assert.equal(await page.locator('mark.ucs').count(), 1);
  const ucsTotal = await page.textContent('#total');
  assert.notEqual(ucsTotal, gsmTotal);
  // 1000 recipients × 2 segments × $0.0083 = $16.6 usage; fees depend on the mix.
  assert.match(await page.textContent('#lines'), /16\.6/);
  await page.fill('#recipients', '0');
  await page.waitForFunction(() => !document.getElementById('error').hidden);
  await page.fill('#recipients', '10');
  await page.waitForFunction(() => document.getElementById('error').hidden);
  await page.screenshot({ path: join(out, 'calculator-1280.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the calculator works on a narrow screen', async () => {
  const { page, problems } = await open('/', { width: 390, height: 844 });
  await page.waitForFunction(() => document.getElementById('encoding').textContent === 'GSM-7');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px at 390px`);
  await page.screenshot({ path: join(out, 'calculator-390.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
