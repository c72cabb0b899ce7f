// The benchmark corpus: SMS events with texts of mixed length and encoding, deterministic.
// Written once to target/bench/events.json so Node and native Rust rate the very same events.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const corpusFile = join(root, 'target', 'bench', 'events.json');

// xorshift32: reproducible and fast; the corpus only needs variety, not statistical quality.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

const words = 'your order has shipped track it here thanks for booking reply STOP to opt out code is appointment tomorrow at confirm please call us back'.split(' ');
const ucs = ['😀', '📦', '👍🏽', '🇺🇸', '👨‍👩‍👧', 'é', 'ñ', '你好', 'ç', 'ü'];
const ext = ['€', '[', ']', '{', '}', '~', '^', '|', '\\'];
const carriers = ['tmobile', 'att', 'verizon', 'uscellular'];

export function makeEvents(n, seed = 42) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const texts = [];
  for (let i = 0; i < n; i++) {
    const target = 5 + Math.floor(r() * r() * 400); // mostly short, some long
    let t = '';
    while (t.length < target) t += (t ? ' ' : '') + pick(words);
    const kind = r();
    if (kind < 0.2) t += ' ' + pick(ucs); // UCS-2
    else if (kind < 0.3) t += pick(ext); // GSM-7 with an extension character
    texts.push({ service: 'sms', text: t, carrier: pick(carriers) });
  }
  return texts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 1_000_000);
  if (!existsSync(corpusFile) || process.argv.includes('--force')) {
    mkdirSync(dirname(corpusFile), { recursive: true });
    writeFileSync(corpusFile, JSON.stringify(makeEvents(n)));
  }
  console.log(`bench corpus: ${corpusFile}`);
}
