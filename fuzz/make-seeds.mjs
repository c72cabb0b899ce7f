// Write the fuzzers' seed corpora (fuzz/corpus/<target>/seed-*) and dictionaries
// (fuzz/corpus/<target>.dict) from real inputs: the embedded default rate card, the README
// examples and the segmentation corpus. Generated, never committed (fuzz/corpus is git-ignored).
// Usage: node fuzz/make-seeds.mjs
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const fuzz = dirname(fileURLToPath(import.meta.url));
const root = join(fuzz, '..');
const corpus = join(fuzz, 'corpus');
const card = JSON.parse(readFileSync(join(root, 'data', 'default-rate-card.json'), 'utf8'));
const clone = (v) => structuredClone(v);
const counts = {};

function seed(target, bytes) {
  const dir = join(corpus, target);
  mkdirSync(dir, { recursive: true });
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
  const name = `seed-${createHash('sha1').update(buf).digest('hex').slice(0, 16)}`;
  writeFileSync(join(dir, name), buf);
  counts[target] = (counts[target] ?? 0) + 1;
}

// libFuzzer dictionary: every object key and short string value seen in the seeds, quoted as
// they appear in JSON.
function dictionary(target, values) {
  const tokens = new Set(['{', '}', '[', ']', ':', ',', 'null', 'true', 'false', '-', '.', '"']);
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        tokens.add(JSON.stringify(k));
        walk(x);
      }
    } else if (typeof v === 'string' && v.length <= 32) tokens.add(JSON.stringify(v));
  };
  values.forEach(walk);
  // libFuzzer reads printable ASCII; anything else (and backslash, quote) as \xNN UTF-8 bytes.
  const esc = (t) => [...Buffer.from(t, 'utf8')]
    .map((b) => (b >= 0x20 && b < 0x7f && b !== 0x5c && b !== 0x22 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`))
    .join('');
  const lines = [...tokens].map((t) => `"${esc(t)}"`);
  writeFileSync(join(corpus, `${target}.dict`), lines.join('\n') + '\n');
}

// README code blocks, for the texts and events they show.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const readmeStrings = [...readme.matchAll(/'((?:[^'\\\n]|\\.)*)'/g)].map((m) => m[1].replace(/\\'/g, "'"));

// ---- rate_card: the default card and variants that reach every pricing model and option ----
const cards = [card];
{
  const c = clone(card);
  c.rounding.event = { scale: 4, strategy: 'halfUp' };
  c.carrierFees.timing = 'deferred';
  c.carrierFees.deferHours = 48;
  cards.push(c);
}
{
  const c = clone(card);
  c.services.sms.pricing = {
    model: 'volume', included: '50', minimumPerEvent: '0.01',
    tiers: [{ upTo: 1000, unitPrice: '0.009' }, { upTo: '100000', unitPrice: 0.5 }, { upTo: null, unitPrice: '0.006' }],
  };
  c.services.sms.segmentation = { smartEncoding: true, trimTrailingLineBreaks: true };
  c.services.mms.inboundPricing = { model: 'package', packageSize: 10, packagePrice: '0.15' };
  c.defaultNumberType = 'tollFree';
  cards.push(c);
}
{
  const c = clone(card);
  c.services.voiceLocal.billing = { firstIncrement: 6, nextIncrement: 6 };
  c.services.voiceLocal.connectFee = '0.001';
  c.services.voiceLocal.pricing = { model: 'graduated', tiers: [{ upTo: '10', unitPrice: '0' }, { upTo: null, unitPrice: '0.02' }] };
  cards.push(c);
}
{
  // README's error example: a float that is not exactly what it looks like.
  const c = clone(card);
  c.services.sms.pricing.unitPrice = 0.1;
  cards.push(c);
}
{
  const c = clone(card);
  c.carriers.push(clone(c.carriers[0]));
  c.services.sms.pricing = { model: 'graduated', tiers: [{ upTo: '10', unitPrice: '1' }, { upTo: '5', unitPrice: '2' }] };
  c.services.voiceLocal.billing = { firstIncrement: 0, nextIncrement: 60 };
  if (c.carrierFees?.schedule?.length) c.carrierFees.schedule.push(clone(c.carrierFees.schedule[0]));
  cards.push(c);
}
{
  const minimal = {
    version: 1, name: 'minimal', currency: 'EUR',
    rounding: { statement: { scale: 2, strategy: 'halfEven' }, invoice: { scale: 2, strategy: 'halfUp' } },
    services: { api: { kind: 'metered', unit: 'call', pricing: { model: 'flat', unitPrice: '0.001' } } },
  };
  cards.push(minimal);
}
for (const c of cards) {
  seed('rate_card', JSON.stringify(c));
}
seed('rate_card', JSON.stringify(card, null, 2));
seed('rate_card', '{}');
seed('rate_card', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[');
dictionary('rate_card', cards);

// ---- segments: UTF-16LE texts from the corpus and the README ----
const texts = new Set(readmeStrings);
const corpusFile = join(root, 'tests', 'corpus', 'segments_corpus.jsonl');
if (existsSync(corpusFile)) {
  const byClass = new Map();
  for (const line of readFileSync(corpusFile, 'utf8').split('\n')) {
    if (!line) continue;
    const { class: cls, text } = JSON.parse(line);
    const list = byClass.get(cls) ?? [];
    if (list.length < 40) list.push(text);
    byClass.set(cls, list);
  }
  for (const list of byClass.values()) list.forEach((t) => texts.add(t));
} else {
  console.warn('make-seeds: tests/corpus/segments_corpus.jsonl missing (make tests/corpus/segments_corpus.jsonl); seeding from the README only');
}
// Lone surrogates as the JS side can hold them (they reach WASM as U+FFFD).
texts.add('\uD83D lone high');
texts.add('lone low \uDC00');
texts.add('\uDC00\uD83D');
for (const t of texts) {
  const buf = Buffer.alloc(t.length * 2);
  for (let i = 0; i < t.length; i++) buf.writeUInt16LE(t.charCodeAt(i), i * 2);
  seed('segments', buf);
}

// ---- simulate: scenarios over each event type and account option ----
const at = (d) => `2025-${d}`;
const usage = (d, extra) => ({ at: at(d), type: 'usage', ...extra });
const scenarios = [
  {
    account: { openingBalance: '10', plan: { cycle: 'monthly', start: '2025-01-01' } },
    events: [
      usage('01-02', { service: 'sms', text: 'Hi there', carrier: 'tmobile' }),
      usage('01-03', { service: 'voiceLocal', durationSeconds: 61 }),
      usage('01-04', { service: 'lookup', quantity: '150' }),
      { at: at('01-05'), type: 'purchase', amount: '5' },
    ],
    until: '2025-03-31',
  },
  {
    account: {
      openingBalance: '1', timeZone: '+02:00', plan: { cycle: 'quarterly', start: '2025-01-01T00:00:00' },
      autoRecharge: { enabled: true, threshold: '0.5', amount: '20', maxPerDay: 2, maxPerMonth: 3 },
    },
    events: [
      usage('01-02T10:00:00', { service: 'mms', carrier: 'att', count: 40 }),
      { at: at('01-02T11:00:00'), type: 'paymentWillFail' },
      usage('01-02T12:00:00', { service: 'automatedVoice', durationSeconds: '3600', count: 30 }),
      { at: at('01-03'), type: 'paymentMethodFixed' },
      { at: at('01-04'), type: 'setAutoRecharge', autoRecharge: { enabled: true, threshold: '5', target: '50' } },
      usage('02-01', { service: 'transcription', quantity: '1200.5' }),
    ],
    until: '2025-04-01',
    options: { ledger: 'hour' },
  },
  {
    account: { plan: { start: '2025-01-01' }, postpaid: true, currency: 'USD' },
    events: [usage('01-15', { service: 'sms', segments: 3, count: 100000, carrier: 'verizon', numberType: 'tollFree' })],
    until: '2025-02-28',
    options: { ledger: 'day' },
  },
  {
    rateCard: cards[1],
    account: { plan: { start: '2025-01-01' }, negativeBalance: { allowed: true, limit: '25' } },
    events: [
      usage('01-31T23:30:00Z', { service: 'sms', segments: 2, carrier: 'tmobile', direction: 'inbound' }),
      { at: at('02-01'), type: 'setNegativeBalance', negativeBalance: { allowed: false } },
      usage('02-02', { service: 'voicemailDrop', quantity: 250 }),
    ],
    until: '2025-02-03',
    options: { ledger: 'none' },
  },
  { account: { plan: { start: '2025-01-01' } }, events: [], until: '2025-01-01' },
  {
    account: { openingBalance: '2', plan: { start: '2025-01-01' }, autoRecharge: { enabled: true, threshold: '1', amount: '5' } },
    events: [
      usage('01-02T10:00:00Z', { service: 'sms', parts: [{ segments: 1, count: 300, carrier: 'tmobile' }, { text: 'Ça va 👍', carrier: 'att', direction: 'inbound' }] }),
      usage('01-02T11:00:00Z', { service: 'voiceLocal', parts: [{ durationSeconds: 61, count: 20 }, { durationSeconds: '0', count: 3 }] }),
      usage('01-03', { service: 'lookup', parts: [{ quantity: '60' }, { quantity: 70 }] }),
    ],
    until: '2025-01-31',
  },
];
for (const s of scenarios) seed('simulate', JSON.stringify(s));
dictionary('simulate', [...scenarios, card]);

// ---- project: requests over the default card (the shapes of bench/corpus.mjs, smaller) ----
const profile = {
  services: {
    sms: {
      perDay: 800, variation: 0.25, monthlyGrowth: 0.03, carrierMix: { tmobile: 0.35, att: 0.3, verizon: 0.3, uscellular: 0.05 },
      segmentsMix: [{ segments: 1, share: 0.75 }, { segments: 2, share: 0.2 }, { segments: 3, share: 0.05 }],
      weekdayShape: [1.2, 1.2, 1.1, 1.1, 1, 0.4, 0.3],
      hourShape: [0, 0, 0, 0, 0, 0, 0.2, 0.5, 1, 1.4, 1.5, 1.4, 1.2, 1.3, 1.4, 1.3, 1.1, 0.8, 0.5, 0.3, 0.2, 0.1, 0, 0],
    },
    mms: { perDay: 30, variation: 0.3, carrierMix: { tmobile: 0.4, att: 0.3, verizon: 0.3 } },
    voiceLocal: { perDay: 40, variation: 0.2, durationSeconds: { mean: 180, distribution: 'exponential' }, inboundShare: 0.3 },
    automatedVoice: { perDay: 15, durationSeconds: { mean: 40, distribution: 'lognormal', sd: 20 } },
    lookup: { perDay: 12 },
  },
  busyPeriods: [{ start: '2025-01-20', days: 5, multiplier: 2.5 }],
  paymentFailureProbability: 0.2,
};
const projectAccount = {
  openingBalance: '50', plan: { cycle: 'monthly', start: '2025-01-01' },
  negativeBalance: { allowed: false },
  autoRecharge: { enabled: true, threshold: '15', amount: '50', maxPerDay: 2 },
};
const requests = [
  { account: projectAccount, profile, start: '2025-01-01', days: 60, resolution: 'day', paths: 3, seed: 42 },
  { account: projectAccount, profile, start: '2025-01-01', days: 7, resolution: 'hour', seed: 7, options: { ledger: 'event' } },
  { account: { plan: { start: '2025-01-01' }, postpaid: true, timeZone: '-05:00' }, profile, start: '2025-01-15', days: 45 },
  {
    rateCard: cards[1], account: { plan: { start: '2025-01-01', cycle: 'quarterly' }, negativeBalance: { allowed: true, limit: '20' } },
    profile: { services: { sms: { perDay: 100, messageMix: [{ text: 'Hi there 😀', share: 0.5 }, { text: 'Your code is 123456', share: 0.5 }] } } },
    start: '2025-01-01', days: 40, options: { ledger: 'none' },
  },
];
for (const r of requests) seed('project', JSON.stringify(r));
dictionary('project', [...requests, card]);

// ---- rate, simulate_structured: structured (arbitrary) input; the fuzzers start empty ----
mkdirSync(join(corpus, 'rate'), { recursive: true });
mkdirSync(join(corpus, 'simulate_structured'), { recursive: true });

// ---- merge: a job byte (0 project, 1 compare, 2 recommend; +0x80: the rest is the bytes
// themselves), then (position, xor) triples applied to the workers' real bytes ----
for (const job of [0, 1, 2]) {
  seed('merge', Buffer.from([job]));
  seed('merge', Buffer.from([job, 20, 0, 0xff, 30, 0, 0x01]));
  seed('merge', Buffer.from([job | 0x80, ...Buffer.from('ccp1')]));
}

// ---- packed_refusals: bytes as `pack_refusals` writes them (src/columns.rs): one name "sms",
// then a refusal with its flags, time, index, service and decimals ----
{
  const varint = (n) => { const out = []; let v = BigInt(n); do { let x = Number(v & 0x7fn); v >>= 7n; if (v) x |= 0x80; out.push(x); } while (v); return out; };
  const zig = (n) => (BigInt(n) >= 0n ? 2n * BigInt(n) : -2n * BigInt(n) - 1n);
  const head = [1, 3, ...Buffer.from('sms')];
  const first = [2, ...varint(zig(1_735_689_600)), ...varint(zig(7)), 0, 4, ...varint(zig(123450)), 4, ...varint(zig(71))];
  // The balance as the one before, pending fees, credit limit; then a 16-byte negative zero.
  const second = [1 | 4, ...varint(zig(3600)), ...varint(zig(1)), 0, 4, ...varint(zig(99)), 2, ...varint(zig(5))];
  const third = [2, 0, ...varint(zig(1)), 0, 0x80, 0, 0, 2, 0x80, ...new Array(12).fill(0), 0, 0];
  seed('packed_refusals', Buffer.from([0]));
  seed('packed_refusals', Buffer.from([...head, ...first]));
  seed('packed_refusals', Buffer.from([...head, ...first, ...second, ...third]));
}

// ---- batch_parts: an event count, then per event its field bits (3 bytes), service and carrier
// (indices into the fuzz check's names), segments, count, and its strings (a length byte, then
// the bytes); then four bytes where the batch is cut into parts ----
{
  const str = (t) => [Buffer.byteLength(t), ...Buffer.from(t)];
  const sms = [10, 1, 0, 0, 1, 0, 0, ...str('hello 😀 world')];
  const lookup = [130, 0, 0, 3, 0, 0, 0, ...str('12.5')];
  const counted = [50, 0, 0, 0, 4, 2, 3];
  const timed = [11, 0, 0, 2, 1, 0, 0, ...str('2025-03-04T05:06:07Z'), ...str('hi')];
  seed('batch_parts', Buffer.from([0]));
  seed('batch_parts', Buffer.from([3, ...sms, ...lookup, ...counted, 1, 2, 3, 0]));
  seed('batch_parts', Buffer.from([5, ...timed, ...sms, ...counted, ...lookup, ...timed, 2, 4, 0, 0]));
}

console.log(`make-seeds: ${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ')}`);
