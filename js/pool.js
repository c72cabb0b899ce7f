// ProjectionPool: `project`, `compare` and `recommendAutoRecharge` with the paths spread over
// worker threads (Web Workers in browsers, worker_threads in Node). Every path depends only on the
// request and its index, so the result is exactly the one-thread function's; the calling thread
// runs path 0 (in detail) and a share of the others while the workers run the rest, then the core
// merges the figures (`__PoolRun`, src/wasm.rs).
import {
  __module, __project, __compare, __recommendAutoRecharge, __PoolRun, __refusalColumns,
} from './creditcast_wasm.js';
import { CreditcastError } from './errors.js';
import { ledgerFrom, refusalsFrom } from './lists.js';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';
const MAX_WORKERS = 16;

const typed = (a) => (a instanceof Float64Array ? a : Float64Array.from(a));

/** `__project`'s (or a projection `__PoolRun`'s) answer as `project` returns it. */
export function projectionResult(sent) {
  // The core sends the ledger, the refusals, the series and the bands apart from the result's
  // JSON (see src/wasm.rs); the ledger and the refusals become objects when first read.
  const [result, names, packed, , ledgerLines, ledgerNumbers, t, balance, bt, p10, p50, p90] = sent;
  lazy(result, 'refused', () => refusalsFromPacked(packed));
  lazy(result, 'ledger', () => ledgerFrom(ledgerLines, ledgerNumbers, names));
  result.series.t = t;
  result.series.balance = balance;
  Object.assign(result.bands, { t: bt, p10, p50, p90 });
  return result;
}

/**
 * Refusals from the bytes `pack_refusals` (src/columns.rs) writes, as `refusalsFrom` builds
 * them: read here when every time is within 1970–9999 and every decimal is a scale and a
 * mantissa of at most 49 bits (seven varint bytes: a `Number` holds it exactly), else (or with
 * `viaCore`) formatted by the core.
 */
export function refusalsFromPacked(packed, viaCore = false) {
  const read = viaCore ? null : readPacked(packed);
  if (read !== null) return read;
  const [names, lines, numbers] = __refusalColumns(packed);
  return refusalsFrom(lines, numbers, names);
}

const two = (n) => (n < 10 ? `0${n}` : `${n}`);
/** 253402300800: 10000-01-01T00:00:00Z, in Unix seconds. */
const YEAR_10000 = 253402300800;

function readPacked(b) {
  let p = 0;
  // An unsigned varint of at most seven bytes, else NaN.
  const varint = () => {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 7 && p < b.length; i++) {
      const x = b[p++];
      v += (x & 0x7f) * scale;
      if (x < 0x80) return v;
      scale *= 128;
    }
    return NaN;
  };
  const signed = (z) => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
  // A decimal written as its scale and mantissa, normalised as the core prints it; null for
  // one written as its 16 bytes (scale byte 0x80) or a mantissa beyond seven bytes.
  const decimal = () => {
    const scale = b[p++];
    if (!(scale <= 28)) return null;
    const z = varint();
    if (Number.isNaN(z)) return null;
    let s = String(z % 2 === 0 ? z / 2 : (z + 1) / 2);
    if (scale > 0) {
      if (s.length <= scale) s = '0'.repeat(scale + 1 - s.length) + s;
      const point = s.length - scale;
      let end = s.length;
      while (end > point && s.charCodeAt(end - 1) === 48) end--;
      s = end > point ? `${s.slice(0, point)}.${s.slice(point, end)}` : s.slice(0, point);
    }
    return z % 2 === 1 ? `-${s}` : s;
  };
  const names = [];
  const nNames = varint();
  const utf8 = new TextDecoder();
  for (let i = 0; i < nNames; i++) {
    const len = varint();
    if (Number.isNaN(len) || p + len > b.length) return null;
    names.push(utf8.decode(b.subarray(p, p + len)));
    p += len;
  }
  if (Number.isNaN(nNames)) return null;
  const out = [];
  let at = 0;
  let index = 0;
  let atText = '';
  let lastAt = NaN;
  let day = NaN;
  let dayText = '';
  let balance = null;
  while (p < b.length) {
    const flags = b[p++];
    const dt = varint();
    const di = varint();
    const service = names[varint()];
    if (flags > 7 || Number.isNaN(dt) || Number.isNaN(di) || service === undefined) return null;
    at += signed(dt);
    index += signed(di);
    if (at !== lastAt) {
      if (!(at >= 0 && at < YEAR_10000)) return null;
      lastAt = at;
      const d = Math.floor(at / 86400);
      if (d !== day) {
        day = d;
        dayText = new Date(d * 86400000).toISOString().slice(0, 11);
      }
      const s = at - d * 86400;
      atText = `${dayText}${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}Z`;
    }
    const amount = decimal();
    if (amount === null) return null;
    if (!(flags & 1)) balance = decimal();
    if (balance === null) return null;
    const r = { at: atText, eventIndex: index, service, amount, balance };
    if (!(flags & 2)) {
      const pending = decimal();
      if (pending === null) return null;
      if (pending !== '0') r.pendingFees = pending;
    }
    r.reason = flags & 4 ? 'creditLimit' : 'insufficientBalance';
    out.push(r);
  }
  return out;
}

/**
 * `obj[key]` made by `make()` when first read (then an ordinary property), and replaced if
 * assigned first. Enumerable, in its place among the keys: `JSON.stringify`, spreading,
 * `structuredClone` and `postMessage` read it like any other property.
 */
function lazy(obj, key, make) {
  const set = (value) => Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(obj, key, {
    get() {
      const value = make();
      set(value);
      return value;
    },
    set,
    enumerable: true,
    configurable: true,
  });
}

/** `__compare`'s (or a comparison `__PoolRun`'s) answer as `compare` returns it. */
export function comparison(c) {
  for (const v of c.variants ?? []) withTypedArrays(v);
  return c;
}

/** `series` and `bands` as `Float64Array`s. */
export function withTypedArrays(result) {
  if (result.series) {
    result.series.t = typed(result.series.t);
    result.series.balance = typed(result.series.balance);
  }
  if (result.bands) {
    for (const k of ['t', 'p10', 'p50', 'p90']) result.bands[k] = typed(result.bands[k]);
  }
  return result;
}

async function cores() {
  if (typeof navigator === 'object' && navigator.hardwareConcurrency > 0) return navigator.hardwareConcurrency;
  if (isNode) {
    const os = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return 2;
}

/** One worker, the same interface in browsers and Node. */
async function spawn(module) {
  let w;
  const handlers = { message: () => {}, error: () => {} };
  if (isNode) {
    const { Worker } = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:worker_threads');
    w = new Worker(new URL('./projection-worker.js', import.meta.url));
    w.on('message', (m) => handlers.message(m));
    w.on('error', (e) => handlers.error(e));
    w.on('exit', () => handlers.error(new Error('the projection worker exited')));
  } else {
    // Written out in full: the pattern bundlers (Vite, webpack) recognise and bundle as a worker.
    w = new Worker(new URL('./projection-worker.js', import.meta.url), { type: 'module', name: 'creditcast-projection' });
    w.onmessage = (e) => handlers.message(e.data);
    w.onerror = (e) => { e.preventDefault?.(); handlers.error(new Error(e.message || 'the projection worker could not run')); };
  }
  const worker = {
    jobs: new Map(),
    post: (m) => w.postMessage(m),
    /** Mark the worker dead (the first cause stays) and reject the jobs it was running. */
    fail: (e) => {
      worker.dead ??= e;
      for (const job of worker.jobs.values()) job.reject(worker.dead);
      worker.jobs.clear();
    },
    // A browser fires no event for a terminated worker: its jobs are rejected here.
    terminate: () => {
      worker.fail(new Error('the pool was terminated'));
      w.terminate();
    },
    // An idle worker does not keep Node running; one with jobs does, until they are answered.
    busy: (on) => { if (isNode) (on ? w.ref() : w.unref()); },
    dead: null,
  };
  await new Promise((ready, failed) => {
    handlers.message = (m) => (m?.ready ? ready() : failed(new Error('the projection worker did not start')));
    handlers.error = failed;
    w.postMessage({ module });
  });
  handlers.message = (m) => {
    const job = worker.jobs.get(m?.id);
    if (!job) return;
    worker.jobs.delete(m.id);
    if (worker.jobs.size === 0) worker.busy(false);
    if (m.error) job.reject(new CreditcastError(m.error.code, m.error.path, m.error.message, m.error.problems));
    else if (m.failure !== undefined) job.reject(new Error(`a projection worker failed: ${m.failure}`));
    else job.resolve(m.bytes);
  };
  handlers.error = worker.fail;
  worker.busy(false);
  return worker;
}

/**
 * The jobs a pool spreads: the one-thread binding, how its answer (or a `__PoolRun`'s, the same
 * shape) becomes the public result, and whether an argument follows the request.
 */
const JOBS = {
  project: { alone: (request) => __project(request), shape: projectionResult, extra: false },
  compare: { alone: __compare, shape: comparison, extra: true },
  recommend: { alone: __recommendAutoRecharge, shape: (r) => r, extra: true },
};

let nextJob = 1;

/** Run `job` (`{ op, request, extra, from, to }`) on `worker`: its bytes. */
function runOn(worker, job) {
  return new Promise((resolve, reject) => {
    if (worker.dead) { reject(worker.dead); return; }
    const id = nextJob++;
    worker.jobs.set(id, { resolve, reject });
    worker.busy(true);
    worker.post({ id, ...job });
  });
}

/**
 * `project`, `compare` and `recommendAutoRecharge` over worker threads: the same results, sooner
 * when there are many paths. Create it once (starting workers takes a few milliseconds each) and
 * reuse it; `terminate()` stops them.
 */
export class ProjectionPool {
  #workers;

  constructor(workers) {
    this.#workers = workers;
  }

  /**
   * Start `workers` workers (default: one fewer than the machine's cores, at least 1, at most
   * 16). The calling thread takes a share of the paths too.
   */
  static async create(options = {}) {
    let n = options?.workers;
    if (n === undefined) n = Math.max(1, Math.min(MAX_WORKERS, (await cores()) - 1));
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_WORKERS) {
      throw new CreditcastError('OUT_OF_RANGE', 'workers', `workers must be an integer 0 to ${MAX_WORKERS} (got ${String(n)})`);
    }
    const module = __module();
    const started = await Promise.allSettled(Array.from({ length: n }, () => spawn(module)));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      for (const s of started) if (s.status === 'fulfilled') s.value.terminate();
      throw failed.reason;
    }
    return new ProjectionPool(started.map((s) => s.value));
  }

  /** Workers running (those that failed are left out). */
  get size() {
    return this.#workers.filter((w) => !w.dead).length;
  }

  /** The same result as `project(request)`; it rejects with the same errors. */
  project(request) {
    return this.#spread('project', request);
  }

  /**
   * The same result as `recommendAutoRecharge(request, goal)`; it rejects with the same errors.
   * Every candidate's paths are spread like `project`'s.
   */
  recommendAutoRecharge(request, goal) {
    return this.#spread('recommend', request, goal);
  }

  /**
   * The same result as `compare(request, variants)`; it rejects with the same errors. Every
   * variant's paths are spread like `project`'s.
   */
  compare(request, variants) {
    return this.#spread('compare', request, variants);
  }

  /**
   * Job `op` (see `JOBS`) over the calling thread and the workers, or on the calling thread alone
   * when it cannot be spread. `extra` is the variants or the goal.
   */
  async #spread(op, request, extra) {
    const job = JOBS[op];
    const alone = () => job.shape(job.alone(request, extra));
    const workers = this.#workers.filter((w) => !w.dead);
    let text;
    let extraText;
    try {
      text = typeof request === 'string' ? request : JSON.stringify(request);
      extraText = typeof extra === 'string' ? extra : JSON.stringify(extra);
    } catch {
      return alone();
    }
    const paths = typeof request === 'string' ? pathsOf(text) : request?.paths;
    const shares = Math.min(workers.length + 1, Number.isSafeInteger(paths) && paths > 1 ? paths : 1);
    if (text === undefined || (job.extra && extraText === undefined) || shares < 2) return alone();
    // Equal shares; the calling thread's, which holds path 0, is the smallest.
    const base = Math.floor(paths / shares);
    let longer = paths - base * shares;
    let from = base;
    const jobs = [];
    for (const w of workers.slice(0, shares - 1)) {
      const to = from + base + (longer > 0 ? 1 : 0);
      if (longer > 0) longer--;
      jobs.push(runOn(w, { op, request: text, extra: extraText, from, to }));
      from = to;
    }
    const parts = Promise.all(jobs);
    // If the request fails here, the workers' answers are not waited for.
    parts.catch(() => {});
    const run = new __PoolRun(op, text, extraText, base);
    try {
      return job.shape(run.finish(await parts));
    } finally {
      run.free();
    }
  }

  /**
   * Stop the workers; calls still waiting for them reject with an `Error`, and later calls run on
   * the calling thread alone.
   */
  terminate() {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
}

function pathsOf(text) {
  try {
    return JSON.parse(text)?.paths;
  } catch {
    return undefined;
  }
}
