// The shared corpus through the WASM package must give byte-identical JSON to the native run
// (tests/shared_corpus.rs writes target/shared-native/*.json during `make test-native`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate, RatingEngine, segmentMessage } from '../pkg/node.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'tests', 'shared');
const run = {
  simulate: (input) => simulate(input),
  rateBatch: (input) => new RatingEngine().rateBatch(input),
  // The JSON form of the core's result (the options path returns it unchanged).
  segmentMessage: (input) => input.map((t) => segmentMessage(t, {})),
};

for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  test(`native and WASM agree byte for byte: ${name}`, () => {
    const nativeFile = join(root, 'target', 'shared-native', name);
    assert.ok(existsSync(nativeFile), `${nativeFile} missing: run \`cargo test --test shared_corpus\` first`);
    const { fn, input } = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    const wasm = JSON.stringify(run[fn](input));
    assert.equal(wasm, readFileSync(nativeFile, 'utf8'));
  });
}
