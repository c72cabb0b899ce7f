// Heavy engine work off the main thread: multi-path projections, comparisons, recommendations.
// Same package, same origin; results come back by structured clone (typed arrays included).
import { project, compare, recommendAutoRecharge } from '/pkg/index.js';

const ops = { project, compare, recommend: recommendAutoRecharge };

self.onmessage = (e) => {
  const { id, op, args } = e.data;
  const t0 = performance.now();
  try {
    const result = ops[op](...args);
    self.postMessage({ id, result, ms: performance.now() - t0 });
  } catch (err) {
    self.postMessage({ id, error: { name: err?.name, code: err?.code, path: err?.path, detail: err?.detail, message: String(err?.message ?? err) }, ms: performance.now() - t0 });
  }
};
self.postMessage({ ready: true });
