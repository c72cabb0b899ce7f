// The built package as a user gets it: `npm pack` of (a copy of) pkg/, installed from the tarball
// into a fresh Node ESM project and into a fresh Vite project whose production build runs in
// headless Chromium. Both run js-tests/fixtures/packaging/calculation.js.
//
// Needs pkg/ (make build), Debian's chromium, and the npm registry for vite@7 (cached by npm
// after the first run). Nothing is skipped: a missing piece fails with what to do about it.
// CREDITCAST_PKG=<dir> tests another build of the package (a copy of pkg/) instead of pkg/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep, posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkgDir = process.env.CREDITCAST_PKG ?? join(root, 'pkg');
const fixtures = join(root, 'js-tests', 'fixtures', 'packaging');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VITE = 'vite@7';

// What calculation.js returns with the embedded default rate card (the README's figures).
const expected = {
  total: '0.0113',
  usage: '0.0083',
  carrierFees: '0.003',
  batchTotal: '0.0496',
  encoding: 'UCS-2',
  segments: 1,
  error: { isCreditcastError: true, isError: true, code: 'UNKNOWN_SERVICE', path: 'service' },
  after: '0.028',
};
expected.rating = {
  ...expected,
  sameErrorClass: true,
  exports: ['CreditcastError', 'RatingEngine', 'defaultRateCard', 'segmentMessage', 'validateRateCard'],
};
// ProjectionPool with one worker (a Web Worker or worker_threads, bundled by Vite) equals project.
expected.pool = { size: 1, paths: 9, same: true };

const exec = promisify(execFile);
async function run(cmd, args, cwd, what, timeout = 120_000) {
  try {
    return await exec(cmd, args, { cwd, timeout, maxBuffer: 16 << 20 });
  } catch (e) {
    throw new Error(`${what} failed: ${cmd} ${args.join(' ')} (in ${cwd})\n${e.stderr || e.message}`);
  }
}

let work;
let tarball;
let packed;

before(async () => {
  assert.ok(
    existsSync(join(pkgDir, 'package.json')),
    `${pkgDir} is not built (no package.json): run \`make build\` first`,
  );
  work = mkdtempSync(join(tmpdir(), 'creditcast-packaging-'));
  // Pack a copy, so that nothing is written next to the package being tested.
  cpSync(pkgDir, join(work, 'pkg'), { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], join(work, 'pkg'), 'npm pack');
  const [info] = JSON.parse(stdout);
  tarball = join(work, info.filename);
  packed = new Set(info.files.map((f) => f.path));
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fresh project from a fixture folder, with the shared calculation copied in. */
function project(name) {
  const dir = join(work, name);
  cpSync(join(fixtures, name), dir, { recursive: true });
  cpSync(join(fixtures, 'calculation.js'), join(dir, 'calculation.js'));
  return dir;
}

test('the tarball is a complete package: metadata, exports map, every file the entries load', () => {
  const manifest = JSON.parse(readFileSync(join(work, 'pkg', 'package.json'), 'utf8'));
  for (const field of ['name', 'version', 'description', 'license', 'repository', 'exports', 'types']) {
    assert.ok(manifest[field], `package.json has no ${field}`);
  }
  assert.equal(manifest.name, 'creditcast');
  assert.equal(manifest.type, 'module');
  const entries = ['.', './rating'].map((k) => manifest.exports[k]);
  for (const [k, e] of Object.entries(manifest.exports)) {
    if (typeof e === 'object') assert.equal(Object.keys(e)[0], 'types', `exports["${k}"].types must come first to be used`);
  }
  assert.ok(entries.every((e) => e), 'package.json exports "." and "./rating"');
  const targets = [manifest.main, manifest.browser, manifest.types, ...entries.flatMap((e) => Object.values(e))]
    .filter((t) => typeof t === 'string');
  for (const t of targets) assert.ok(packed.has(posix.normalize(t)), `${t} (named in package.json) is not in the tarball`);
  assert.ok(packed.has('README.md'), 'README.md is not in the tarball');

  // Every relative import or URL in a shipped .js / .d.ts names a shipped file.
  const missing = [];
  for (const file of packed) {
    if (!/\.(js|d\.ts)$/.test(file)) continue;
    const text = readFileSync(join(work, 'pkg', file), 'utf8');
    const refs = [
      ...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g),
      ...text.matchAll(/new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g),
    ].map((m) => m[1]);
    for (const ref of refs) {
      let target = posix.normalize(posix.join(posix.dirname(file), ref));
      if (file.endsWith('.d.ts')) target = target.replace(/\.js$/, '.d.ts');
      if (!packed.has(target)) missing.push(`${file} → ${ref}`);
    }
  }
  assert.deepEqual(missing, [], `files referenced but not in the tarball (package.json "files"): ${missing.join(', ')}`);
});

test('the shipped JavaScript is minified, keeps its names, and maps back to its source', async () => {
  const ours = new Set(readdirSync(join(root, 'js')).filter((f) => f.endsWith('.js')));
  const scripts = [...packed].filter((f) => f.endsWith('.js'));
  assert.ok(scripts.length >= 12, `only ${scripts.length} .js files in the tarball`);
  for (const file of scripts) {
    const text = readFileSync(join(work, 'pkg', file), 'utf8');
    const name = posix.basename(file);
    assert.ok(text.endsWith(`//# sourceMappingURL=${name}.map\n`), `${file} names no source map`);
    assert.ok(packed.has(`${file}.map`), `${file}.map is not in the tarball`);
    assert.ok(!/^\s*\/\//m.test(text.slice(0, text.lastIndexOf('//# sourceMappingURL'))), `${file} still has comment lines`);
    const map = JSON.parse(readFileSync(join(work, 'pkg', `${file}.map`), 'utf8'));
    const sources = map.sources.map((s) => posix.basename(s));
    // creditcast/rating's entries are bundles of the glue, the wrappers and the column encoder.
    if (file.startsWith('rating/')) assert.deepEqual(new Set(sources), new Set([name, 'creditcast_wasm.js', 'rating.js', 'columns.js']), file);
    else assert.deepEqual(sources, [name]);
    sources.forEach((s, k) => {
      // The hand-written modules map back to js/ as it is in the repository.
      if (ours.has(s)) assert.equal(map.sourcesContent[k], readFileSync(join(root, 'js', s), 'utf8'), `${file}.map: ${s}`);
      else assert.ok(map.sourcesContent[k].split('\n').length > 5, `${file}.map holds no readable ${s}`);
    });
  }
  // creditcast/rating is one module and the .wasm, besides the error class both entries share.
  assert.deepEqual([...packed].filter((f) => f.startsWith('rating/') && !f.endsWith('.map')).sort(),
    ['rating/creditcast_wasm_bg.wasm', 'rating/index.d.ts', 'rating/index.js', 'rating/node.js']);
  for (const entry of ['node.js', 'rating/node.js']) {
    const m = await import(pathToFileURL(join(work, 'pkg', entry)).href);
    assert.equal(m.RatingEngine.name, 'RatingEngine', entry);
    assert.equal(m.segmentMessage.name, 'segmentMessage', entry);
    assert.equal(m.CreditcastError.name, 'CreditcastError', entry);
  }
});

test('a fresh Node ESM project installs the tarball and calculates', { timeout: 60_000 }, async () => {
  const dir = project('node-app');
  await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], dir, 'installing the tarball');
  const { stdout } = await run(process.execPath, ['main.js'], dir, 'running the Node project');
  assert.deepEqual(JSON.parse(stdout), expected);
});

/** Serve a directory on 127.0.0.1 (an ephemeral port), with the right type for .wasm. */
function serve(dir) {
  const types = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.wasm': 'application/wasm',
    '.svg': 'image/svg+xml',
  };
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^[/\\]+/, '');
    const file = join(dir, path || 'index.html');
    if (file !== dir && !file.startsWith(dir + sep)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

let viteDir;
/** The fresh Vite project with vite and the tarball installed (once for both Vite tests). */
async function viteProject() {
  if (viteDir) return viteDir;
  const [major, minor] = process.versions.node.split('.').map(Number);
  assert.ok(major > 20 || (major === 20 && minor >= 19), `${VITE} needs Node 20.19+, this is ${process.version}`);
  const dir = project('vite-app');
  try {
    await exec('npm', ['install', VITE, tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, timeout: 90_000 });
  } catch (e) {
    throw new Error(
      `could not install ${VITE} from the npm registry (needed for this test; is the registry reachable?):\n${e.stderr || e.message}`,
    );
  }
  viteDir = dir;
  return dir;
}

/** Load a page in headless Chromium; its window.__result, #total, and every problem seen. */
async function inChromium(url) {
  assert.ok(existsSync(chromiumPath), `no Chromium at ${chromiumPath}: run \`make setup-browser\` (Debian's chromium) or set CHROMIUM_PATH`);
  const origin = new URL(url).origin;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    page.on('request', (r) => { if (!r.url().startsWith(origin)) problems.push(`off-origin request: ${r.url()}`); });
    await page.goto(url);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 15_000 }).catch(() => {
      throw new Error(`the page never computed a result; problems seen: ${problems.join('; ') || 'none'}`);
    });
    return { result: await page.evaluate(() => window.__result), total: await page.textContent('#total'), problems };
  } finally {
    await browser.close();
  }
}

test(`a fresh Vite project (${VITE}) bundles the package and the page calculates in Chromium`, { timeout: 120_000 }, async () => {
  const dir = await viteProject();
  await run(process.execPath, [join(dir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], dir, 'vite build');
  const dist = join(dir, 'dist');
  const assets = readdirSync(join(dist, 'assets'));
  // One WASM per entry: the whole package and the rating core.
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 2, `vite build should emit two .wasm assets: ${assets.join(', ')}`);
  const server = await serve(dist);
  try {
    const { result, total, problems } = await inChromium(`http://127.0.0.1:${server.address().port}/`);
    assert.equal(result.failed, undefined, result.failed);
    assert.deepEqual(result, expected);
    assert.equal(total, expected.total);
    assert.deepEqual(problems, []);
  } finally {
    server.close();
  }
});

// Vite's dev server pre-bundles dependencies into node_modules/.vite/deps, where the package's
// `new URL('./creditcast_wasm_bg.wasm', import.meta.url)` no longer finds the .wasm: the package
// must be excluded from pre-bundling (`optimizeDeps.exclude`), as the README tells Vite users.
test(`the ${VITE} dev server serves the package with optimizeDeps.exclude: ['creditcast']`, { timeout: 120_000 }, async () => {
  const dir = await viteProject();
  const { createServer: createViteServer } = await import(
    pathToFileURL(join(dir, 'node_modules', 'vite', 'dist', 'node', 'index.js')).href
  );
  const server = await createViteServer({
    root: dir,
    configFile: false,
    logLevel: 'silent',
    optimizeDeps: { exclude: ['creditcast'] },
    server: { host: '127.0.0.1', port: 0, strictPort: false, watch: null },
  });
  await server.listen();
  try {
    const url = server.resolvedUrls?.local?.[0];
    assert.ok(url, 'the Vite dev server reported no local URL');
    const { result, total, problems } = await inChromium(url);
    assert.equal(result.failed, undefined, result.failed);
    assert.deepEqual(result, expected);
    assert.equal(total, expected.total);
    assert.deepEqual(problems, []);
  } finally {
    await server.close();
  }
});
