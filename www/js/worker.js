// Heavy engine work off the main thread: multi-path projections, comparisons, recommendations.
// Same package, same origin; results come back by structured clone (typed arrays included).
// Every job spreads its paths over a ProjectionPool's workers (started on first use; they stop
// with this worker when a newer request replaces it).
import { ProjectionPool } from '/pkg/index.js';

let pool = null;
// Without workers (none could start) the pool runs on this thread.
const pooled = () => (pool ??= ProjectionPool.create().catch(() => ProjectionPool.create({ workers: 0 })));

const ops = {
  project: async (request) => (await pooled()).project(request),
  compare: async (request, variants) => (await pooled()).compare(request, variants),
  recommend: async (request, goal) => (await pooled()).recommendAutoRecharge(request, goal),
};

self.onmessage = async (e) => {
  const { id, op, args } = e.data;
  const t0 = performance.now();
  try {
    const result = await ops[op](...args);
    self.postMessage({ id, result, ms: performance.now() - t0 });
  } catch (err) {
    self.postMessage({ id, error: { name: err?.name, code: err?.code, path: err?.path, detail: err?.detail, message: String(err?.message ?? err) }, ms: performance.now() - t0 });
  }
};
self.postMessage({ ready: true });
