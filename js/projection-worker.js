// A ProjectionPool worker (see pool.js): it instantiates the module the pool sends, then runs
// ranges of a job's paths (a projection, a comparison, an auto-recharge search) and answers with
// their figures as bytes.
import { initSync, __poolPaths, __setErrorClass } from './creditcast_wasm.js';
import { CreditcastError } from './errors.js';

function handle(msg, reply) {
  if (msg?.module) {
    initSync({ module: msg.module });
    __setErrorClass(CreditcastError);
    reply({ ready: true });
    return;
  }
  const { id, op, request, extra, from, to } = msg;
  try {
    const bytes = __poolPaths(op, request, extra, from, to);
    reply({ id, bytes }, [bytes.buffer]);
  } catch (e) {
    if (e instanceof CreditcastError) reply({ id, error: { code: e.code, path: e.path, message: e.detail, problems: e.problems } });
    else reply({ id, failure: String(e?.message ?? e) });
  }
}

// No top-level await: bundlers may emit a worker as a classic script.
if (typeof process === 'object' && typeof process.versions?.node === 'string') {
  import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:worker_threads').then(({ parentPort }) => {
    parentPort.on('message', (m) => handle(m, (v, t) => parentPort.postMessage(v, t)));
  });
} else {
  self.onmessage = (e) => handle(e.data, (v, t) => self.postMessage(v, t));
}
