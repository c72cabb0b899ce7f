// Exact decimal arithmetic on the engine's money strings (as BigInt of 10^-scale), and display
// formatting. The page never adds floats for money; floats are only used to place things on charts.

function parts(v) {
  const s = String(v).trim();
  if (!/^-?\d+(\.\d+)?$/.test(s)) throw new Error(`not a decimal string: ${s}`);
  const neg = s.startsWith('-');
  const [i, f = ''] = s.replace('-', '').split('.');
  return { neg, i, f };
}

function toScaled(v, scale) {
  const { neg, i, f } = parts(v);
  const n = BigInt(i + f.padEnd(scale, '0'));
  return neg ? -n : n;
}

function fromScaled(n, scale) {
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(scale + 1, '0');
  let out = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  if (out.includes('.')) out = out.replace(/0+$/, '').replace(/\.$/, '');
  return (neg && out !== '0' ? '-' : '') + out;
}

const scaleOf = (v) => (String(v).split('.')[1] ?? '').length;

/** Sum decimal strings exactly. */
export function addDecimals(values) {
  const scale = Math.max(0, ...values.map(scaleOf));
  let sum = 0n;
  for (const v of values) sum += toScaled(v, scale);
  return fromScaled(sum, scale);
}

/** a − b, exactly. */
export function subDecimal(a, b) {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  return fromScaled(toScaled(a, scale) - toScaled(b, scale), scale);
}

/** −1, 0 or 1. */
export function cmpDecimal(a, b) {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  const d = toScaled(a, scale) - toScaled(b, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export const isNegative = (v) => cmpDecimal(v, '0') < 0;

/** a ÷ n (a positive integer), rounded half away from zero to `places` (display only). */
export function divDecimal(a, n, places = 6) {
  const s = scaleOf(a);
  const num = toScaled(a, s) * 10n ** BigInt(places + 1);
  const q = num / (BigInt(n) * 10n ** BigInt(s));
  const neg = q < 0n;
  const abs = neg ? -q : q;
  const r = (abs + 5n) / 10n;
  return fromScaled(neg ? -r : r, places);
}

/** Round half away from zero to `scale` places (display only). */
export function roundDecimal(v, scale = 2) {
  const s = scaleOf(v);
  if (s <= scale) return v;
  const n = toScaled(v, s);
  const div = 10n ** BigInt(s - scale);
  const neg = n < 0n;
  const abs = neg ? -n : n;
  let q = abs / div;
  if ((abs % div) * 2n >= div) q += 1n;
  return fromScaled(neg ? -q : q, scale);
}

function group(intPart) {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * `$1,234.50` from a decimal string. `exact` keeps every digit (at least two decimals);
 * otherwise cents, rounded half away from zero.
 */
export function formatMoney(v, { exact = false, sign = false } = {}) {
  if (v === null || v === undefined || v === '') return '–';
  if (!looksDecimal(v)) return String(v);
  const r = exact ? String(v) : roundDecimal(String(v), 2);
  const { neg, i, f } = parts(r);
  const frac = f.padEnd(2, '0');
  const isZero = /^0*$/.test(i + f);
  const pre = neg && !isZero ? '−' : sign && !isZero ? '+' : '';
  return `${pre}$${group(i)}.${frac}`;
}

/** Is this a plain decimal string the engine will take (no exponent, optional sign)? */
export const looksDecimal = (s) => /^-?\d+(\.\d+)?$/.test(String(s).trim());

/** Float for chart geometry only. */
export const toFloat = (v) => Number(v);

/** Compact axis label: $1.2k, $350, −$20. */
export function axisMoney(x) {
  const a = Math.abs(x);
  const sgn = x < 0 ? '−' : '';
  if (a >= 1e6) return `${sgn}$${(a / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${sgn}$${(a / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  if (a >= 10 || a === 0) return `${sgn}$${a.toFixed(0)}`;
  return `${sgn}$${a.toFixed(2)}`;
}
