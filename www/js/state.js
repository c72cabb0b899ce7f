// The page state: one plain object that every control reads and writes, turned into engine
// requests here, and carried whole in the URL hash (compact JSON, deflated, base64url).

export const SERVICES = {
  sms: 'sms',
  mms: 'mms',
  voice: 'voiceLocal',
  autoSms: 'automatedSms',
  autoVoice: 'automatedVoice',
};

const monthStart = () => {
  const d = new Date();
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01`;
};

export const addDays = (date, n) => {
  const t = Date.parse(`${date}T00:00:00Z`) + n * 86400000;
  return new Date(t).toISOString().slice(0, 10);
};

/** Usage presets: what a typical account of each kind sends and calls per day. */
export const PRESETS = {
  small: {
    label: 'Small team',
    usage: {
      sms: { perDay: 120, inboundPct: 30, segments: '1' },
      mms: { perDay: 4 },
      voice: { perDay: 25, meanSec: 150, inboundPct: 40 },
      autoSms: { perDay: 40 },
      autoVoice: { perDay: 0, meanSec: 40 },
      growthPct: 0, variationPct: 15, weekendPct: 20,
      busy: { on: false, startDay: 45, days: 7, mult: 2, scope: 'all' },
    },
  },
  growing: {
    label: 'Growing sales team',
    usage: {
      sms: { perDay: 700, inboundPct: 25, segments: '2' },
      mms: { perDay: 25 },
      voice: { perDay: 120, meanSec: 210, inboundPct: 35 },
      autoSms: { perDay: 300 },
      autoVoice: { perDay: 40, meanSec: 45 },
      growthPct: 8, variationPct: 20, weekendPct: 25,
      busy: { on: true, startDay: 70, days: 10, mult: 2.5, scope: 'all' },
    },
  },
  campaign: {
    label: 'Campaign-heavy',
    usage: {
      sms: { perDay: 400, inboundPct: 15, segments: '2' },
      mms: { perDay: 120 },
      voice: { perDay: 30, meanSec: 120, inboundPct: 50 },
      autoSms: { perDay: 2500 },
      autoVoice: { perDay: 300, meanSec: 35 },
      growthPct: 2, variationPct: 35, weekendPct: 60,
      busy: { on: true, startDay: 40, days: 14, mult: 4, scope: 'automations' },
    },
  },
};

const clone = (x) => JSON.parse(JSON.stringify(x));

export function defaultState() {
  const start = monthStart();
  return {
    v: 1,
    message: {
      text: 'Hi Sam, your order #4821 has shipped and arrives Thursday. Track it: https://ex.co/t/4821 Reply STOP to opt out.',
      smart: false, trim: false, recipients: 1000,
    },
    audience: { numberType: '10dlc', mix: { tmobile: 30, att: 30, verizon: 35, uscellular: 5 } },
    account: {
      opening: '250', cycle: 'monthly', tz: 'UTC',
      negative: false, limit: '',
      ar: true, arMode: 'amount', threshold: '100', amount: '500', target: '600',
      maxPerDay: 10, maxPerMonth: 100, failPct: 0,
    },
    usage: { preset: 'growing', ...clone(PRESETS.growing.usage) },
    projection: { start, days: 365, resolution: 'day', paths: 1, seed: 1, ledger: 'day' },
    card: null,
    whatIf: [
      { threshold: '50', amount: '250' },
      { threshold: '250', amount: '1000' },
    ],
    goal: { maxPct: 5, paths: 40 },
    live: [],
  };
}

export function applyPreset(state, key) {
  const p = PRESETS[key];
  if (!p) return;
  state.usage = { preset: key, ...clone(p.usage) };
}

/** Deep-merge a decoded state over the defaults, so old or partial links still load. */
export function mergeState(base, given) {
  if (!given || typeof given !== 'object' || Array.isArray(given)) return base;
  for (const [k, v] of Object.entries(given)) {
    if (!(k in base)) continue;
    const b = base[k];
    if (b && typeof b === 'object' && !Array.isArray(b) && v && typeof v === 'object' && !Array.isArray(v)) {
      base[k] = mergeState(b, v);
    } else {
      base[k] = v;
    }
  }
  return base;
}

// ---- requests ------------------------------------------------------------------------------

const num = (v) => (typeof v === 'number' ? v : v === '' || v === null || v === undefined ? NaN : Number(v));

/** Carrier mix as shares adding up to 1 (undefined when every weight is 0). */
export function carrierShares(mix) {
  const entries = Object.entries(mix).map(([k, v]) => [k, Math.max(0, num(v) || 0)]);
  const sum = entries.reduce((a, [, v]) => a + v, 0);
  if (!(sum > 0)) return undefined;
  const out = {};
  for (const [k, v] of entries) if (v > 0) out[k] = v / sum;
  // Make the shares add up to exactly 1 in floating point: the largest takes the rounding rest.
  const keys = Object.keys(out);
  const big = keys.reduce((a, k) => (out[k] > out[a] ? k : a), keys[0]);
  out[big] = 1 - keys.filter((k) => k !== big).reduce((a, k) => a + out[k], 0);
  return out;
}

/** The account config the engine takes. Money stays as the strings typed. */
export function accountConfig(s) {
  const a = s.account;
  const cfg = {
    openingBalance: a.opening.trim(),
    timeZone: a.tz,
    plan: { cycle: a.cycle, start: s.projection.start },
    negativeBalance: a.negative
      ? (a.limit.trim() === '' ? { allowed: true } : { allowed: true, limit: a.limit.trim() })
      : { allowed: false },
  };
  cfg.autoRecharge = autoRechargeOf(a, a.ar);
  return cfg;
}

export function autoRechargeOf(a, enabled, over = {}) {
  const threshold = (over.threshold ?? a.threshold).trim();
  const r = { enabled, threshold };
  if ((over.mode ?? a.arMode) === 'target') r.target = (over.target ?? a.target).trim();
  else r.amount = (over.amount ?? a.amount).trim();
  const mpd = num(a.maxPerDay);
  const mpm = num(a.maxPerMonth);
  if (Number.isFinite(mpd)) r.maxPerDay = mpd;
  if (Number.isFinite(mpm)) r.maxPerMonth = mpm;
  return r;
}

/** The usage profile for `project`. */
export function usageProfile(s) {
  const u = s.usage;
  const mix = carrierShares(s.audience.mix);
  const growth = num(u.growthPct) / 100;
  const variation = num(u.variationPct) / 100;
  const weekend = num(u.weekendPct) / 100;
  const weekdayShape = weekend === 1 ? undefined : [1, 1, 1, 1, 1, weekend, weekend];
  const common = { monthlyGrowth: growth, variation, ...(weekdayShape ? { weekdayShape } : {}) };
  const messaging = (extra) => ({ ...common, ...(mix ? { carrierMix: mix } : {}), numberType: s.audience.numberType, ...extra });
  const services = {};
  const add = (key, profile) => { if (num(profile.perDay) > 0 || key === 'sms') services[SERVICES[key]] = profile; };

  const smsMix = u.sms.segments === 'message'
    ? { messageMix: [{ text: s.message.text, share: 1 }] }
    : { segmentsMix: [{ segments: Number(u.sms.segments) || 1, share: 1 }] };
  add('sms', messaging({ perDay: num(u.sms.perDay), inboundShare: num(u.sms.inboundPct) / 100, ...smsMix }));
  add('mms', messaging({ perDay: num(u.mms.perDay) }));
  add('voice', { ...common, perDay: num(u.voice.perDay), inboundShare: num(u.voice.inboundPct) / 100, durationSeconds: { mean: num(u.voice.meanSec) } });
  add('autoSms', messaging({ perDay: num(u.autoSms.perDay) }));
  add('autoVoice', { ...common, perDay: num(u.autoVoice.perDay), durationSeconds: { mean: num(u.autoVoice.meanSec) } });

  const profile = { services, paymentFailureProbability: num(s.account.failPct) / 100 };
  if (u.busy.on) {
    const scope = {
      all: undefined,
      automations: [SERVICES.autoSms, SERVICES.autoVoice],
      messaging: [SERVICES.sms, SERVICES.mms, SERVICES.autoSms],
    }[u.busy.scope];
    const b = { start: addDays(s.projection.start, Math.max(0, Math.round(num(u.busy.startDay)) || 0)), days: num(u.busy.days), multiplier: num(u.busy.mult) };
    const list = scope?.filter((id) => id in services);
    if (list && list.length) b.services = list;
    if (!scope || (list && list.length)) profile.busyPeriods = [b];
  }
  return profile;
}

/** The `project` request. `paths`, `ledger` and `resolution` may be overridden. */
export function projectionRequest(s, over = {}) {
  const p = s.projection;
  const req = {
    account: accountConfig(s),
    profile: usageProfile(s),
    start: p.start,
    days: num(p.days),
    resolution: over.resolution ?? p.resolution,
    paths: over.paths ?? num(p.paths),
    seed: num(p.seed),
    options: { ledger: over.ledger ?? 'none' },
  };
  if (s.card) req.rateCard = s.card;
  return req;
}

// ---- URL -------------------------------------------------------------------------------------

const b64url = (bytes) => {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const unb64url = (s) => {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
};

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** `#s=…`: the state as JSON, deflated when the browser can, base64url. */
export async function encodeState(state) {
  const json = new TextEncoder().encode(JSON.stringify(state));
  if (typeof CompressionStream === 'function') {
    return `#z=${b64url(await pipe(json, new CompressionStream('deflate-raw')))}`;
  }
  return `#j=${b64url(json)}`;
}

/** The state in a hash, merged over the defaults; null when there is none. Throws on a bad link. */
export async function decodeState(hash) {
  const m = /^#([zj])=([A-Za-z0-9_-]+)$/.exec(hash);
  if (!m) return null;
  let bytes = unb64url(m[2]);
  if (m[1] === 'z') bytes = await pipe(bytes, new DecompressionStream('deflate-raw'));
  const given = JSON.parse(new TextDecoder().decode(bytes));
  return mergeState(defaultState(), given);
}
