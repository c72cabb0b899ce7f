// The benchmark corpus: SMS events with texts of mixed length and encoding, deterministic.
// Written once to target/bench/events.json so Node and native Rust rate the very same events.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const corpusFile = join(root, 'target', 'bench', 'events.json');

// xorshift32: reproducible and fast; the corpus only needs variety, not statistical quality.
// The columnar-path tests draw their varied events from it too.
export function rng(seed) {
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

export const scenarioFile = join(root, 'target', 'bench', 'year-scenario.json');

/** A year of an account sending 10,000 SMS a day: 3,650,000 usage events, one per message. */
export function yearScenario() {
  const perDay = 10_000;
  const start = Date.UTC(2025, 0, 1) / 1000;
  const carriers = ['tmobile', 'att', 'verizon', 'uscellular'];
  const r = rng(7);
  const events = new Array(perDay * 365);
  for (let i = 0; i < events.length; i++) {
    const t = start + Math.floor((i * 86_400) / perDay);
    events[i] = {
      at: new Date(t * 1000).toISOString().replace('.000Z', 'Z'),
      type: 'usage',
      service: 'sms',
      segments: 1 + Math.floor(r() * r() * 3),
      carrier: carriers[i % 4],
    };
  }
  return {
    account: {
      openingBalance: '500',
      plan: { cycle: 'monthly', start: '2025-01-01' },
      negativeBalance: { allowed: true, limit: '2000' },
      autoRecharge: { enabled: true, threshold: '100', amount: '500', maxPerDay: 5 },
    },
    events,
    until: '2025-12-31',
    options: { ledger: 'none' },
  };
}

/** The projection benchmarks: 5 services, a year; one path hourly, and 1,000 paths daily. */
export function projectionRequests() {
  const profile = {
    services: {
      sms: { perDay: 8000, variation: 0.25, monthlyGrowth: 0.03, carrierMix: { tmobile: 0.35, att: 0.3, verizon: 0.3, uscellular: 0.05 },
        segmentsMix: [{ segments: 1, share: 0.75 }, { segments: 2, share: 0.2 }, { segments: 3, share: 0.05 }],
        weekdayShape: [1.2, 1.2, 1.1, 1.1, 1, 0.4, 0.3], hourShape: [0, 0, 0, 0, 0, 0, 0.2, 0.5, 1, 1.4, 1.5, 1.4, 1.2, 1.3, 1.4, 1.3, 1.1, 0.8, 0.5, 0.3, 0.2, 0.1, 0, 0] },
      mms: { perDay: 300, variation: 0.3, carrierMix: { tmobile: 0.4, att: 0.3, verizon: 0.3 } },
      voiceLocal: { perDay: 400, variation: 0.2, durationSeconds: { mean: 180, distribution: 'exponential' }, inboundShare: 0.3 },
      automatedSms: { perDay: 2000, variation: 0.5, carrierMix: { tmobile: 0.35, att: 0.35, verizon: 0.3 } },
      automatedVoice: { perDay: 150, durationSeconds: { mean: 40, distribution: 'lognormal', sd: 20 } },
    },
    busyPeriods: [{ start: '2025-11-20', days: 10, multiplier: 2.5 }],
    paymentFailureProbability: 0.02,
  };
  const account = {
    openingBalance: '500', plan: { cycle: 'monthly', start: '2025-01-01' },
    negativeBalance: { allowed: false },
    autoRecharge: { enabled: true, threshold: '150', amount: '500', maxPerDay: 5 },
  };
  return {
    hourly: { account, profile, start: '2025-01-01', days: 365, resolution: 'hour', paths: 1, seed: 42 },
    daily: { account, profile, start: '2025-01-01', days: 365, resolution: 'day', paths: 1000, seed: 42 },
  };
}

export const projectionFile = join(root, 'target', 'bench', 'projection.json');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(dirname(projectionFile), { recursive: true });
  writeFileSync(projectionFile, JSON.stringify(projectionRequests()));
  if (!existsSync(scenarioFile) || process.argv.includes('--force')) {
    mkdirSync(dirname(scenarioFile), { recursive: true });
    writeFileSync(scenarioFile, JSON.stringify(yearScenario()));
  }
  const n = Number(process.argv[2] ?? 1_000_000);
  if (!existsSync(corpusFile) || process.argv.includes('--force')) {
    mkdirSync(dirname(corpusFile), { recursive: true });
    writeFileSync(corpusFile, JSON.stringify(makeEvents(n)));
  }
  console.log(`bench corpus: ${corpusFile}`);
}
