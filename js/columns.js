// The fast way in for big event lists: instead of JSON text (JSON.stringify, then parsing in WASM,
// which costs seconds for millions of events), events are written straight into WASM memory as a
// few columns of numbers and one UTF-8 text. The layout is documented in src/columns.rs.
//
// The encoder accepts only what it recognises exactly: plain objects with known keys, strings
// where strings belong, integers in range for counts, plain decimal strings or safe integers for
// decimals. Anything else (an unknown key, null, NaN, a float, a money field as a number with a
// fraction, a lone surrogate …) returns null, and the caller takes the JSON path for the whole
// call, so that every error keeps its code, path and message. What it accepts parses identically
// on both paths; the core then checks times, services, carriers, order … the same way.

import { __Columns, __memory } from './creditcast_wasm.js';

const AT = 1;
const SERVICE = 1 << 1;
const DIRECTION = 1 << 2;
const TEXT = 1 << 3;
const SEGMENTS = 1 << 4;
const COUNT = 1 << 5;
const DURATION_SECONDS = 1 << 6;
const QUANTITY = 1 << 7;
const CARRIER = 1 << 8;
const NUMBER_TYPE = 1 << 9;
const AMOUNT = 1 << 10;
const INBOUND = 1 << 11;
const NUMBER_TYPE_SHIFT = 12;
const DURATION_SECONDS_NUMBER = 1 << 14;
const QUANTITY_NUMBER = 1 << 15;
const AMOUNT_NUMBER = 1 << 16;
const TYPE_SHIFT = 17;
// Not a column bit: marks the `type` key among the keys seen.
const TYPE_KEY = 1 << 20;
const KEY_BITS = AT | SERVICE | DIRECTION | TEXT | SEGMENTS | COUNT | DURATION_SECONDS | QUANTITY | CARRIER | NUMBER_TYPE | AMOUNT;

// A decimal string the core parses without error: digits, an optional '-' and fraction, at most
// 28 characters (so at most 28 digits, within a 96-bit decimal).
const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?$/;

const wellFormed = typeof ''.isWellFormed === 'function'
  ? (s) => s.isWellFormed()
  : (s) => !/\p{Cs}/u.test(s);

const KEYS = ['at', 'type', 'service', 'carrier', 'text', 'segments', 'count', 'direction', 'numberType',
  'durationSeconds', 'quantity', 'amount'];

/** `encode(input)`, or null when it throws (a getter, a cycle, a BigInt: the JSON path reports it). */
export function tryEncode(encode, input) {
  try {
    return encode(input);
  } catch {
    return null;
  }
}

const encoder = new TextEncoder();
const NONE = {};
/** Bytes after the text's room where `fill` encodes a string before moving it into place. */
const SCRATCH = 1 << 16;

/**
 * Events per part when `rateBatch` takes a batch a part at a time ([`encodeParts`]): a part's
 * text (under 1 MB for messages of 100 bytes) is still in the cache when the core reads it.
 */
export const PART = 8192;

/**
 * Events as columns in WASM memory, `{ names, buffers, events, text, lens }`: the name table
 * (services and carriers), the `__Columns` buffers (the caller frees them) and how much of them
 * is filled. Null when any event is not of a shape encoded exactly: then the JSON path must run.
 * `scenario`: `simulate` events (`at` and `type` required) rather than `rateBatch` usage events.
 */
export function encodeEvents(events, scenario) {
  const w = writer(events, scenario, Infinity);
  if (w === null) return null;
  let done = false;
  try {
    done = fill(events, 0, w.n, scenario, w);
    return done ? { names: w.names, buffers: w.buffers, events: w.events, text: w.text, lens: w.lens } : null;
  } finally {
    if (!done) w.buffers.free();
  }
}

/**
 * `rateBatch` events as columns, `part` events at a time, into the same buffers:
 * `onPart(names, buffers, events, text, lens, total)` runs after each part is written (it must
 * be done with the buffers when it returns; what it throws propagates). `total` is the number
 * of events in the batch for the first part, 0 for the others. The name table grows from part
 * to part, its indices kept. False when an event is not of a shape encoded exactly, or reading
 * one throws (a getter, a proxy): then the JSON path must run.
 */
export function encodeParts(events, part, onPart) {
  const w = tryEncode((evs) => writer(evs, false, part), events);
  if (w === null) return false;
  try {
    for (let from = 0; from < w.n; from += part) {
      const to = Math.min(w.n, from + part);
      if (!tryEncode(() => fill(events, from, to, false, w), null)) return false;
      onPart(w.names, w.buffers, w.events, w.text, w.lens, from === 0 ? w.n : 0);
    }
    return true;
  } finally {
    w.buffers.free();
  }
}

/**
 * What `fill` keeps from part to part: the buffers and their sizes, the name table, and how
 * much of the buffers the last part filled. Null when `events` cannot be columns at all.
 */
function writer(events, scenario, part) {
  if (!Array.isArray(events) || events.toJSON !== undefined) return null;
  // Fields are read by name: one inherited from Object.prototype would be read where
  // JSON.stringify sees nothing.
  for (const k of KEYS) if (k in Object.prototype) return null;
  if ('toJSON' in Object.prototype) return null;
  const n = events.length;
  if (n === 0 || n > 5_000_000) return null;
  const m = Math.min(n, part);
  const cap = textRoom(events, m) + 64;
  const lensCap = m * (scenario ? 1 : 2) + 8;
  const buffers = __Columns.make(m * 4, cap + SCRATCH, lensCap);
  if (buffers === undefined) return null;
  return {
    n, buffers, cap, lensCap,
    ids: new Map(), names: [],
    lastService: NONE, lastServiceId: 0, lastCarrier: NONE, lastCarrierId: 0,
    events: 0, text: 0, lens: 0,
  };
}

/** Bytes the strings of `m` events will take, from the first events (growing costs a copy). */
function textRoom(events, m) {
  const k = Math.min(events.length, 256);
  let units = 0;
  for (let i = 0; i < k; i++) {
    const e = events[i];
    if (typeof e !== 'object' || e === null) continue;
    // Descriptors, not reads: a getter runs once, when the event is encoded.
    for (const key of ['at', 'text']) {
      const v = Object.getOwnPropertyDescriptor(e, key)?.value;
      if (typeof v === 'string') units += v.length;
    }
  }
  return Math.ceil(((units / Math.max(k, 1)) * 1.1 + 4) * m);
}

/**
 * Write `events[from, to)` at the start of `w`'s buffers; false when an event is not of a shape
 * encoded exactly.
 */
function fill(events, from, to, scenario, w) {
  const n = to - from;
  const { buffers, ids, names } = w;
  // Views into WASM memory: made again after every call that may grow it (growing detaches the
  // old views), and for every part (the core allocates between parts).
  let words, text, scratch, lens;
  let cap = w.cap;
  let lensCap = w.lensCap;
  const view = () => {
    const memory = __memory().buffer;
    words = new Uint32Array(memory, buffers.words(), n * 4);
    text = new Uint8Array(memory, buffers.text(), cap + SCRATCH);
    scratch = text.subarray(cap);
    lens = new Uint32Array(memory, buffers.lens(), lensCap);
  };
  view();
  let pos = 0;
  let np = 0;
  let current = 0;
  let lastService = w.lastService;
  let lastServiceId = w.lastServiceId;
  let lastCarrier = w.lastCarrier;
  let lastCarrierId = w.lastCarrierId;

  const intern = (s) => {
    let id = ids.get(s);
    if (id === undefined) {
      if (typeof s !== 'string' || !wellFormed(s) || names.length >= 0xffff) return -1;
      id = names.length;
      names.push(s);
      ids.set(s, id);
    }
    return id;
  };
  // Strings of up to 8 characters are copied character by character while ASCII; longer ones
  // are encoded in one call. Both beat joining millions of strings and encoding the result.
  const put = (s) => {
    const len = s.length;
    if (pos + 3 * len > cap) {
      // Room for the rest at the rate so far, and a quarter more.
      cap = Math.max(2 * cap, Math.ceil((pos / (current + 1)) * n * 1.25)) + 3 * len;
      if (cap + SCRATCH > 0xffffffff || !buffers.growText(cap + SCRATCH)) return false;
      w.cap = cap;
      view();
    }
    let bytes;
    if (len > 8 && 3 * len <= SCRATCH) {
      // Through the scratch room after the text, then moved into place: a view of the text
      // at `pos` for every string would cost more than the copy.
      bytes = encoder.encodeInto(s, scratch).written;
      text.copyWithin(pos, cap, cap + bytes);
    } else if (len > 8) {
      bytes = encoder.encodeInto(s, text.subarray(pos)).written;
    } else {
      let j = 0;
      for (; j < len; j++) {
        const c = s.charCodeAt(j);
        if (c > 0x7f) break;
        text[pos + j] = c;
      }
      bytes = j;
      if (j < len) bytes += encoder.encodeInto(s.slice(j), text.subarray(pos + j)).written;
    }
    pos += bytes;
    lens[np++] = bytes;
    return true;
  };
  const decimal = (v) => {
    if (typeof v === 'string') return v.length <= 28 && DECIMAL.test(v) ? v : null;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
    return null;
  };

  for (let i = 0; i < n; i++) {
    current = i;
    const e = events[from + i];
    if (typeof e !== 'object' || e === null) return false;
    const proto = Object.getPrototypeOf(e);
    if ((proto !== Object.prototype && proto !== null) || e.toJSON !== undefined) return false;
    // The keys JSON.stringify sees (enumerable; none inherited, see KEYS): known ones as bits.
    let seen = 0;
    let others = 0;
    for (const k in e) {
      switch (k) {
        case 'at': seen |= AT; break;
        case 'type': seen |= TYPE_KEY; break;
        case 'service': seen |= SERVICE; break;
        case 'carrier': seen |= CARRIER; break;
        case 'text': seen |= TEXT; break;
        case 'segments': seen |= SEGMENTS; break;
        case 'count': seen |= COUNT; break;
        case 'direction': seen |= DIRECTION; break;
        case 'numberType': seen |= NUMBER_TYPE; break;
        case 'durationSeconds': seen |= DURATION_SECONDS; break;
        case 'quantity': seen |= QUANTITY; break;
        case 'amount': seen |= AMOUNT; break;
        default: others++;
      }
    }
    let flags = 0;
    let ids2 = 0;
    const at = e.at;
    if (at !== undefined) {
      if (typeof at !== 'string' || !wellFormed(at)) return false;
      flags |= AT;
    }
    const type = e.type;
    if (type !== undefined) {
      if (!scenario) return false;
      const t = type === 'usage' ? 1 : type === 'purchase' ? 2 : type === 'paymentWillFail' ? 3 : type === 'paymentMethodFixed' ? 4 : 0;
      if (t === 0) return false;
      flags |= t << TYPE_SHIFT;
    }
    const service = e.service;
    if (service !== undefined) {
      if (service !== lastService) {
        const id = intern(service);
        if (id < 0) return false;
        lastService = service;
        lastServiceId = id;
      }
      ids2 |= lastServiceId;
      flags |= SERVICE;
    }
    const carrier = e.carrier;
    if (carrier !== undefined) {
      if (carrier !== lastCarrier) {
        const id = intern(carrier);
        if (id < 0) return false;
        lastCarrier = carrier;
        lastCarrierId = id;
      }
      ids2 |= lastCarrierId << 16;
      flags |= CARRIER;
    }
    const message = e.text;
    if (message !== undefined) {
      if (typeof message !== 'string' || !wellFormed(message)) return false;
      flags |= TEXT;
    }
    const segments = e.segments;
    if (segments !== undefined) {
      if (typeof segments !== 'number' || segments >>> 0 !== segments) return false;
      words[4 * i + 2] = segments;
      flags |= SEGMENTS;
    }
    const count = e.count;
    if (count !== undefined) {
      if (typeof count !== 'number' || count >>> 0 !== count) return false;
      words[4 * i + 3] = count;
      flags |= COUNT;
    }
    const direction = e.direction;
    if (direction !== undefined) {
      if (direction === 'outbound') flags |= DIRECTION;
      else if (direction === 'inbound') flags |= DIRECTION | INBOUND;
      else return false;
    }
    const numberType = e.numberType;
    if (numberType !== undefined) {
      const t = numberType === '10dlc' ? 0 : numberType === 'tollFree' ? 1 : numberType === 'shortCode' ? 2 : -1;
      if (t < 0) return false;
      flags |= NUMBER_TYPE | (t << NUMBER_TYPE_SHIFT);
    }
    let duration, quantity, amount;
    const d = e.durationSeconds;
    if (d !== undefined) {
      duration = decimal(d);
      if (duration === null) return false;
      flags |= DURATION_SECONDS | (typeof d === 'number' ? DURATION_SECONDS_NUMBER : 0);
    }
    const q = e.quantity;
    if (q !== undefined) {
      quantity = decimal(q);
      if (quantity === null) return false;
      flags |= QUANTITY | (typeof q === 'number' ? QUANTITY_NUMBER : 0);
    }
    const a = e.amount;
    if (a !== undefined) {
      if (!scenario) return false;
      amount = decimal(a);
      if (amount === null) return false;
      flags |= AMOUNT | (typeof a === 'number' ? AMOUNT_NUMBER : 0);
    }
    const defined = (flags & KEY_BITS) | (type !== undefined ? TYPE_KEY : 0);
    // A value read by name that JSON.stringify would not see (not enumerable).
    if ((defined & ~seen) !== 0) return false;
    // Keys holding `undefined` are left out by JSON.stringify; any other key is not ours.
    if (seen !== defined || others !== 0) {
      for (const k in e) if (e[k] !== undefined && !KEYS.includes(k)) return false;
    }
    // A missing required field is a parse error: the JSON path reports it.
    if (scenario ? (flags & AT) === 0 || flags >>> TYPE_SHIFT === 0 : (flags & SERVICE) === 0) return false;
    words[4 * i] = flags;
    words[4 * i + 1] = ids2;
    if (np + 5 > lensCap) {
      lensCap = lensCap * 2 + 5;
      if (lensCap > 0xffffffff || !buffers.growLens(lensCap)) return false;
      w.lensCap = lensCap;
      view();
    }
    if (at !== undefined && !put(at)) return false;
    if (message !== undefined && !put(message)) return false;
    if (duration !== undefined && !put(duration)) return false;
    if (quantity !== undefined && !put(quantity)) return false;
    if (amount !== undefined && !put(amount)) return false;
  }
  w.lastService = lastService;
  w.lastServiceId = lastServiceId;
  w.lastCarrier = lastCarrier;
  w.lastCarrierId = lastCarrierId;
  w.events = n;
  w.text = pos;
  w.lens = np;
  return true;
}

/**
 * A `simulate` scenario as its JSON head (every field but the events' content) and the events as
 * columns; null when the JSON path must run.
 */
export function encodeScenario(scenario) {
  if (typeof scenario !== 'object' || scenario === null) return null;
  const proto = Object.getPrototypeOf(scenario);
  if ((proto !== Object.prototype && proto !== null) || scenario.toJSON !== undefined) return null;
  if (!Object.prototype.propertyIsEnumerable.call(scenario, 'events')) return null;
  // Same keys in the same order, so the head parses exactly as the full text would.
  const head = JSON.stringify({ ...scenario, events: [] });
  const columns = encodeEvents(scenario.events, true);
  if (columns === null) return null;
  return { head, ...columns };
}
