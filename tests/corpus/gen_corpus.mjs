// Generates tests/corpus/segments_corpus.jsonl: SMS messages segmented by the reference calculator
// (npm `sms-segments-calculator`, a devDependency), for tests/segments_differential.rs.
//
//   node tests/corpus/gen_corpus.mjs [output-path]
//
// Deterministic (fixed seed, no clock, no dependency beyond node and the reference). One JSON
// object per line:
//   class            label of the generator that made the message
//   text             the message as given to the reference
//   smartEncoding    true when the reference ran with smart encoding (absent otherwise)
//   forceEncoding    "GSM-7" | "UCS-2" when the encoding was forced (absent = auto)
//   error            true when the reference refused the message (forced GSM-7 on a non-GSM text)
//   encoding         reference encoding, "GSM-7" | "UCS-2"
//   segments         reference segment count
//   perSegmentUnits  reference units per segment, user data header excluded (septets for GSM-7,
//                    extension characters = 2; UTF-16 code units for UCS-2)
//   billedText       class smart-map only: the text after the reference's replacements
//   refClusters      present only when the reference's grapheme clusters differ from those of
//   icuClusters      Intl.Segmenter (ICU, current Unicode: the third opinion): each side's clusters
//                    of more than one code point, flattened as [offset, length, offset, length, ...]
//                    in UTF-16 units of the billed text, CR LF split in two as the reference does
import { createRequire } from 'node:module';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { SegmentedMessage } = require('sms-segments-calculator');
const refVersion = require('sms-segments-calculator/package.json').version;
if (refVersion !== '1.3.0') {
  throw new Error(`expected sms-segments-calculator 1.3.0, found ${refVersion}`);
}

const here = dirname(fileURLToPath(import.meta.url));
const outPath = process.argv[2] ?? join(here, 'segments_corpus.jsonl');

// ---------------------------------------------------------------------------------------------
// Deterministic random numbers (mulberry32).
let seed = 0x5e9c0de;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
const pick = (arr) => arr[Math.floor(rand() * arr.length)];
const range = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

// ---------------------------------------------------------------------------------------------
// Character pools. Every entry is a whole string of code points (never a lone surrogate).
const chars = (s) => [...s];
const GSM_BASIC = chars(
  '@£$¥èéùìòÇØøÅå_ÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüàΔΦΓΛΩΠΨΣΘΞ',
);
const GSM_TEXTY = chars('abcdefghijklmnopqrstuvwxyz      ABCDEFGHIJ.,!?0123456789');
const GSM_EXT = chars('\f^{}\\[~]|€');
const BMP_NON_GSM = chars(
  'çÇâêîôûëïüÿœáíóúãõŁłŚśŻżČčŠšŽžđĐабвгдежзийклмнопрстуфхцчшщыэюяАБВГДЕЖЗαβγδεζηθλμπσωάέή中文字符日本語한국어'
    + 'ąęółńźćşğıİ¢©®°±µ¶·×÷‰†‡•…‘’“”–—™∞≈≠≤≥←→↑↓★☆✓✔☺♥',
);
const ASTRAL = chars('😀😂🥲🎉👍🙏🔥💯🚀🌍🍕🎂📱💬🧪🦄🪐𝒜𝔘𠀋𠮷🀄');
const VS16 = ['❤️', '☺️', '✈️', '☎️', '✔️', '⚠️', '♻️'];
const ZWJ = [
  '👨‍👩‍👧‍👦', '👩‍💻', '🧑‍🚀', '🏳️‍🌈', '🏳️‍⚧️', '🧑‍🤝‍🧑', '👁️‍🗨️', '🐕‍🦺', '🐈‍⬛', '❤️‍🔥',
  '🧑🏽‍🚀', '👩🏿‍🦰', '🫱🏻‍🫲🏿', '👨‍❤️‍💋‍👨', '🧔‍♀️', '🏃‍➡️', '🐦‍🔥', '🍋‍🟩',
];
const FLAGS = ['🇺🇸', '🇫🇷', '🇯🇵', '🇧🇷', '🇩🇪', '🇺🇦', '🇪🇺', '🇨🇦'];
const TAG_FLAGS = ['🏴󠁧󠁢󠁥󠁮󠁧󠁿', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🏴󠁧󠁢󠁷󠁬󠁳󠁿'];
const SKIN = ['👍🏽', '👋🏿', '🙌🏻', '💪🏾', '🤙🏼', '🫶🏼', '🧑🏻', '🫰🏽', '🤌🏾'];
const MODIFIER_ALONE = ['🏻', '🏼', '🏽', '🏾', '🏿'];
const KEYCAPS = ['1️⃣', '#️⃣', '*️⃣', '0️⃣'];
const COMBINING = ['e\u0301', 'a\u0308', 'n\u0303', 'o\u0302\u0301', 'u\u031b\u0323', 'c\u0327', 'A\u030a', 'i\u0307\u0301'];
const MARKS = chars('\u0300\u0301\u0302\u0303\u0308\u0327\u0323\u031b\u0336\u0489\u05b7\u0654\u20dd');
const INDIC = ['नमस्ते', 'क्ष', 'त्र', 'ज्ञ', 'श्री', 'हिन्दी', 'द्ध्य', 'ক্ষ', 'স্ত্র', 'ક્ષ', 'క్ష', 'ക്ഷ', 'ଷ୍ଟ'];
const HANGUL = ['한국어', '안녕하세요', '\u1100\u1161\u11a8', '\u1112\u1161\u11ab', '\u1100\u1161', 'ᄒᆞᆫ'];
const THAI = ['สวัสดี', 'ขอบคุณ', 'น้ำ', 'กำ', 'ที่นี่'];
const ARABIC = ['مرحبا', 'شكراً', 'السَّلَامُ', '\u0600\u0661\u0662', 'ﷺ'];
const PREPEND = ['\u0600\u0661', '\u{110BD}\u{11082}', '\u0d4e\u0d15'];
const WORDS = ['Hi', 'your', 'order', 'has', 'shipped', 'Reply', 'STOP', 'to', 'opt', 'out', 'code', 'is',
  'appointment', 'tomorrow', 'at', '10:30', 'Thanks!', 'Call', 'us', 'balance', '$12.50', 'due', 'link:',
  'https://ex.co/a?b=c', 'Bonjour', 'Grüße', 'señor', 'façade', 'naïve', 'café', 'Ça', 'va?', '50%', '#1'];
const SMART_KEYS = chars(
  '«»“”‘’—–…\u00a0\u2009\u202f\u3000•´`\t‹›‼\u200b\ufeff½¼¾÷／＠＄！（）ｘ～＾｛｝［］｜＼ᴀʙ\u2028\u2060\u0000',
).filter((c) => c !== 'ｘ');

// ---------------------------------------------------------------------------------------------
const u16 = (s) => s.length;
/** Random string from `pool` of exactly `units` UTF-16 units (falls back to `pad` to land exactly). */
function fill(units, pool, pad = 'a') {
  let s = '';
  while (u16(s) < units) {
    const c = pick(pool);
    s += u16(s) + u16(c) <= units ? c : pad;
  }
  return s;
}
const gsmText = (n, pool = GSM_BASIC) => fill(n, pool);
/** GSM-7 text of exactly `septets` septets, with extension chars mixed in at rate `p`. */
function gsmWithExt(septets, p) {
  let s = '';
  let n = 0;
  while (n < septets) {
    if (rand() < p && n + 2 <= septets) {
      s += pick(GSM_EXT);
      n += 2;
    } else {
      s += pick(GSM_BASIC);
      n += 1;
    }
  }
  return s;
}
function insertAt(text, units, piece) {
  // Insert at the code point boundary at or before `units` UTF-16 units.
  let i = Math.min(units, text.length);
  if (i > 0 && i < text.length && /[\udc00-\udfff]/.test(text[i])) i -= 1;
  return text.slice(0, i) + piece + text.slice(i);
}

// ---------------------------------------------------------------------------------------------
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const splitCrlf = (gs) => gs.flatMap((g) => (g === '\r\n' ? ['\r', '\n'] : [g]));
function multiCodePointClusters(graphemes) {
  const out = [];
  let off = 0;
  for (const g of graphemes) {
    if ([...g].length > 1) out.push(off, g.length);
    off += g.length;
  }
  return out;
}

const lines = [];
const counts = new Map();
function add(cls, text, opts = {}) {
  const entry = { class: cls, text };
  if (opts.smartEncoding) entry.smartEncoding = true;
  if (opts.forceEncoding) entry.forceEncoding = opts.forceEncoding;
  let msg;
  try {
    msg = new SegmentedMessage(text, opts.forceEncoding ?? 'auto', Boolean(opts.smartEncoding));
  } catch (e) {
    if (opts.forceEncoding !== 'GSM-7') throw e;
    entry.error = true;
    lines.push(JSON.stringify(entry));
    counts.set(cls, (counts.get(cls) ?? 0) + 1);
    return;
  }
  entry.encoding = msg.encodingName;
  entry.segments = msg.segmentsCount;
  entry.perSegmentUnits = msg.segments.map((seg) =>
    seg.filter((c) => !c.isUserDataHeader).reduce((n, c) => n + c.codeUnits.length, 0),
  );
  const billed = msg.graphemes.join('');
  if (opts.keepBilledText) entry.billedText = billed;
  const ref = multiCodePointClusters(msg.graphemes);
  const icu = multiCodePointClusters(splitCrlf([...segmenter.segment(billed)].map((s) => s.segment)));
  if (JSON.stringify(icu) !== JSON.stringify(ref)) {
    entry.refClusters = ref;
    entry.icuClusters = icu;
  }
  lines.push(JSON.stringify(entry));
  counts.set(cls, (counts.get(cls) ?? 0) + 1);
}

// ---------------------------------------------------------------------------------------------
// Empty and tiny.
add('empty', '');
for (const s of [' ', '\n', '\r\n', '\r', 'a', '€', 'ç', 'Ç', '😀', '\u0301', 'e\u0301', '🇺🇸', '\n\n\n']) {
  add('empty', s);
}

// GSM-7 lengths around every boundary.
for (const n of [...range(0, 170), ...range(300, 310), ...range(455, 462)]) {
  for (let k = 0; k < 5; k++) add('gsm-length', gsmText(n, k % 2 ? GSM_TEXTY : GSM_BASIC));
}

// Extension characters at the edges: ']' at septet 152/153, whole runs of them, '€' straddling.
for (const before of [...range(148, 162), ...range(300, 310), ...range(455, 462)]) {
  for (const ext of GSM_EXT) {
    for (const after of [0, 1, 2, 7, 40]) {
      if (rand() < 0.3) add('gsm-ext-edge', gsmText(before, GSM_TEXTY) + ext + gsmText(after, GSM_TEXTY));
    }
  }
}
for (const n of [...range(70, 82), ...range(150, 160), ...range(225, 232), 306, 307, 459]) {
  add('gsm-ext-run', ']'.repeat(n));
  add('gsm-ext-run', '€'.repeat(n));
  add('gsm-ext-run', 'a' + '{'.repeat(n));
}
for (let i = 0; i < 250; i++) add('gsm-ext-mix', gsmWithExt(int(140, 470), pick([0.02, 0.1, 0.3, 0.7])));

// Ç is GSM-7 (0x09), ç is not.
for (let i = 0; i < 300; i++) {
  const n = int(1, 330);
  add('cedilla', insertAt(gsmText(n, GSM_TEXTY), int(0, n), rand() < 0.5 ? 'Ç' : 'ç'));
}

// UCS-2 lengths around the 70/67 boundaries (BMP only).
for (const n of [...range(1, 5), ...range(60, 75), ...range(128, 140), ...range(196, 205)]) {
  for (let k = 0; k < 10; k++) {
    const pool = k % 3 === 0 ? BMP_NON_GSM : [...GSM_TEXTY, ...GSM_TEXTY, ...BMP_NON_GSM];
    let s = fill(n - 1, pool);
    s = insertAt(s, int(0, n - 1), pick(BMP_NON_GSM));
    add('ucs2-length', s);
  }
}

// Surrogate pairs straddling every cut.
for (const at of [...range(64, 72), ...range(131, 137), ...range(198, 203)]) {
  for (let k = 0; k < 20; k++) {
    const total = at + int(0, 30);
    const base = fill(total, k % 2 ? BMP_NON_GSM : GSM_TEXTY);
    add('ucs2-surrogate-edge', insertAt(base, at, pick(ASTRAL)));
  }
}

// Clusters placed across every cut, in GSM-looking and UCS-2 filler.
const clusterClasses = {
  emoji: [...ASTRAL, ...VS16],
  zwj: ZWJ,
  flag: FLAGS,
  'tag-flag': TAG_FLAGS,
  'skin-tone': SKIN,
  'modifier-alone': MODIFIER_ALONE.map((m) => pick(['a', 'x', '!', '😀', '❤️', '✋']) + m),
  keycap: KEYCAPS,
  combining: COMBINING,
  indic: INDIC,
  hangul: HANGUL,
  thai: THAI,
  arabic: ARABIC,
  prepend: PREPEND,
};
for (const [cls, pool] of Object.entries(clusterClasses)) {
  const n = cls === 'indic' || cls === 'modifier-alone' ? 400 : 600;
  for (let i = 0; i < n; i++) {
    const cut = pick([66, 67, 68, 69, 70, 71, 66, 67, 68, 69, 70, 71, 133, 134, 135]);
    const at = cut - int(0, 12);
    const total = at + int(0, 30);
    const base = fill(total, i % 3 === 0 ? BMP_NON_GSM : GSM_TEXTY);
    let s = insertAt(base, at, pick(pool));
    if (i % 4 === 0) s = insertAt(s, int(0, s.length), pick(pool));
    add(cls, s);
  }
}
for (let i = 0; i < 150; i++) {
  // Runs of clusters only: every cut lands inside or between them.
  const pool = pick(Object.values(clusterClasses));
  let s = '';
  const n = int(60, 300);
  while (s.length < n) s += pick(pool);
  add('cluster-run', s);
}

// A combining mark in otherwise GSM-7 text forces UCS-2.
for (let i = 0; i < 400; i++) {
  const n = int(1, 200);
  add('combining-forces-ucs2', insertAt(gsmText(n, GSM_TEXTY), int(0, n), pick(MARKS)));
}

// Clusters longer than one segment (the reference never splits them).
for (let i = 0; i < 240; i++) {
  let cluster;
  const kind = i % 4;
  if (kind === 0) cluster = pick(['e', 'Z', 'a', 'ж']) + Array.from({ length: int(30, 160) }, () => pick(MARKS)).join('');
  else if (kind === 1) cluster = Array.from({ length: int(8, 30) }, () => pick(['👨', '👩', '👧', '👦', '❤️'])).join('\u200d');
  else if (kind === 2) cluster = '🏴' + Array.from({ length: int(34, 90) }, () => String.fromCodePoint(0xe0061 + int(0, 25))).join('') + '\u{E007F}';
  else cluster = 'क' + Array.from({ length: int(20, 60) }, () => '्क').join('');
  const before = fill(int(0, 90), i % 2 ? GSM_TEXTY : BMP_NON_GSM);
  const after = fill(int(0, 90), GSM_TEXTY);
  add('long-cluster', before + cluster + after);
}
for (const n of [33, 34, 35, 36, 67, 68, 100]) {
  // Regional indicators are pairs, however long the run.
  let s = '';
  for (let k = 0; k < n; k++) s += String.fromCodePoint(0x1f1e6 + int(0, 25));
  add('ri-run', s);
  add('ri-run', 'x' + s);
}

// CR LF: two characters, never merged, at every edge.
for (const at of [...range(150, 162), ...range(303, 308)]) {
  for (let k = 0; k < 8; k++) {
    const base = gsmText(at + int(0, 30), GSM_TEXTY);
    add('crlf-gsm', insertAt(base, at, pick(['\r\n', '\r\n\r\n', '\n', '\r', '\n\r'])));
  }
}
for (const at of [...range(64, 72), ...range(131, 136)]) {
  for (let k = 0; k < 10; k++) {
    const base = fill(at + int(0, 30), k % 2 ? BMP_NON_GSM : [...GSM_TEXTY, 'ж']);
    add('crlf-ucs2', insertAt(insertAt(base, 0, 'ж'), at, pick(['\r\n', '\r\n\r\n', '\n', '\r'])));
  }
}
for (let i = 0; i < 200; i++) {
  add('crlf-trailing', gsmText(int(0, 200), GSM_TEXTY) + pick(['\n', '\r\n', '\r\n\r\n', '\n\n', '\r']));
}

// Random GSM-7 and random mixtures of everything.
for (let i = 0; i < 450; i++) add('random-gsm', gsmWithExt(int(1, 500), pick([0, 0, 0.01, 0.05])));
const everything = [
  ...GSM_BASIC, ...GSM_BASIC, ...GSM_TEXTY, ...GSM_TEXTY, ...GSM_EXT, ...BMP_NON_GSM, ...ASTRAL, ...VS16,
  ...ZWJ, ...FLAGS, ...SKIN, ...KEYCAPS, ...COMBINING, ...INDIC, ...HANGUL, ...THAI, ...ARABIC, '\r\n', '\n',
];
for (let i = 0; i < 500; i++) {
  const n = int(1, 400);
  let s = '';
  while (s.length < n) s += pick(everything);
  add('random-mixed', s);
}
for (let i = 0; i < 5000; i++) {
  const n = int(1, 40);
  let s = '';
  while (s.length < n) s += pick(everything);
  add('short-mixed', s);
}

// Realistic messages of 10-400 characters, mostly GSM-7, some with an emoji or an accent.
for (let i = 0; i < 650; i++) {
  const n = int(10, 400);
  let s = '';
  while (s.length < n) s += (s ? ' ' : '') + pick(WORDS);
  if (rand() < 0.25) s = insertAt(s, int(0, s.length), pick([...ASTRAL, ...VS16, ...SKIN, ...ZWJ, 'ç', '’', '—']));
  add('realistic', s);
}

// Smart encoding: look-alikes replaced (sometimes saving a segment, sometimes not).
for (let i = 0; i < 560; i++) {
  const n = int(1, 400);
  let s = gsmText(n, GSM_TEXTY);
  for (let k = int(1, 6); k > 0; k--) s = insertAt(s, int(0, s.length), pick(SMART_KEYS));
  if (i % 5 === 0) s = insertAt(s, int(0, s.length), pick([...ASTRAL, 'ç', 'ж', ...ZWJ]));
  add('smart', s, { smartEncoding: true });
}
// Every entry of the reference's smart-encoding map, on its own and in a sentence.
const SmartEncodingMap = require('sms-segments-calculator/dist/libs/SmartEncodingMap').default;
for (const key of Object.keys(SmartEncodingMap)) {
  add('smart-map', `a${key}b`, { smartEncoding: true, keepBilledText: true });
  add('smart-map', key.repeat(int(1, 90)) + 'x', { smartEncoding: true });
}

// Forced encodings.
for (let i = 0; i < 300; i++) add('forced-ucs2', gsmWithExt(int(0, 300), 0.05), { forceEncoding: 'UCS-2' });
for (let i = 0; i < 150; i++) add('forced-gsm7', gsmWithExt(int(0, 400), 0.05), { forceEncoding: 'GSM-7' });
for (let i = 0; i < 150; i++) {
  const n = int(1, 200);
  add('forced-gsm7-error', insertAt(gsmText(n, GSM_TEXTY), int(0, n), pick([...BMP_NON_GSM, ...ASTRAL, ...COMBINING])), {
    forceEncoding: 'GSM-7',
  });
}

mkdirSync(dirname(outPath), { recursive: true });
const body = lines.join('\n') + '\n';
writeFileSync(outPath, body);
const summary = [...counts].map(([k, v]) => `${k}=${v}`).join(' ');
console.error(`wrote ${lines.length} messages, ${(body.length / 1e6).toFixed(2)}M UTF-16 units, to ${outPath}\n${summary}`);
