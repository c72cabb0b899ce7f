// The shared corpus through the WASM package must give byte-identical JSON to the native run
// (projections: the same JSON once both are written by JS, see below)
// (tests/shared_corpus.rs writes target/shared-native/*.json during `make test-native`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate, RatingEngine, segmentMessage, project } from '../pkg/node.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'tests', 'shared');
const run = {
  simulate: (input) => simulate(input),
  rateBatch: (input) => new RatingEngine().rateBatch(input),
  // The JSON form of the core's result (the options path returns it unchanged).
  segmentMessage: (input) => input.map((t) => segmentMessage(t, {})),
  project: (input) => project(input),
};
// Chart series come back as Float64Arrays; in JSON they are the plain arrays the core writes.
const plain = (k, v) => (v instanceof Float64Array ? Array.from(v) : v);

for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  test(`native and WASM give the same JSON: ${name}`, () => {
    const nativeFile = join(root, 'target', 'shared-native', name);
    assert.ok(existsSync(nativeFile), `${nativeFile} missing: run \`cargo test --test shared_corpus\` first`);
    const { fn, input } = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    const wasm = JSON.stringify(run[fn](input), plain);
    let native = readFileSync(nativeFile, 'utf8');
    // Projections carry floats (chart series, probabilities), which serde_json writes as
    // `1735689600.0` where JS writes `1735689600`: compare them as JS writes the native result
    // (same values, same keys in the same order); everything else byte for byte.
    if (fn === 'project') native = JSON.stringify(JSON.parse(native));
    assert.equal(wasm, native);
  });
}
