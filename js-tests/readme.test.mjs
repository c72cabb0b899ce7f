// Every ```js example in README.md runs here against the built package, so the README cannot rot.
import { test } from 'node:test';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const entry = pathToFileURL(join(root, 'pkg', 'node.js')).href;
const ratingEntry = pathToFileURL(join(root, 'pkg', 'rating', 'node.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'creditcast-readme-'));

test('README has examples', (t) => {
  if (blocks.length < 3) throw new Error(`expected at least 3 js examples, found ${blocks.length}`);
});

blocks.forEach((code, i) => {
  const title = code.split('\n').find((l) => l.startsWith('import {'))?.slice(0, 60) ?? `block ${i}`;
  // Only blocks that assert something are runnable examples; the import-only block is checked too.
  test(`README example ${i + 1}: ${title}`, async () => {
    const file = join(dir, `example-${i}.mjs`);
    writeFileSync(file, code.replaceAll("from 'creditcast'", `from '${entry}'`).replaceAll("from 'creditcast/rating'", `from '${ratingEntry}'`));
    await import(pathToFileURL(file).href);
  });
});
