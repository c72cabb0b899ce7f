// Background engine work. One worker per kind of job; each channel runs one job at a time and
// keeps only the latest request waiting (older ones are superseded), so dragging a slider never
// queues work. A job that has run for a while when a newer request arrives is stopped by
// replacing its worker with a spare one started in advance (so this also works offline).

const WORKER_URL = new URL('./worker.js', import.meta.url);
let spare = null;

function startWorker(name) {
  const worker = new Worker(WORKER_URL, { type: 'module', name: `creditcast-${name}` });
  const ready = new Promise((ok) => {
    const on = (e) => { if (e.data?.ready) { worker.removeEventListener('message', on); ok(); } };
    worker.addEventListener('message', on);
  });
  return { worker, ready };
}

function takeSpare(name) {
  const w = spare ?? startWorker(name);
  spare = startWorker('spare');
  return w;
}

export class Channel {
  /** `stopAfterMs`: stop a running job this old when a newer request arrives (Infinity: never). */
  constructor(name, { stopAfterMs = Infinity } = {}) {
    this.name = name;
    this.stopAfterMs = stopAfterMs;
    this.nextId = 1;
    this.running = null;
    this.pending = null;
    this.attach(startWorker(name));
    if (!spare) spare = startWorker('spare');
  }

  attach({ worker, ready }) {
    this.worker = worker;
    this.ready = ready;
    worker.addEventListener('message', (e) => { if (worker === this.worker) this.onMessage(e.data); });
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      if (worker !== this.worker) return;
      const job = this.running;
      this.running = null;
      job?.reject(Object.assign(new Error(`the background engine stopped (${e.message || 'could not load'})`), { code: 'WORKER' }));
    });
  }

  /** Run `op(...args)`; resolves `{ result, ms }`, rejects with the engine's error fields. */
  run(op, args) {
    return new Promise((resolve, reject) => {
      const job = { id: this.nextId++, op, args, resolve, reject };
      if (this.pending) this.pending.reject(Object.assign(new Error('superseded'), { superseded: true }));
      this.pending = job;
      if (this.running && performance.now() - this.running.started > this.stopAfterMs) this.stopRunning(true);
      this.pump();
    });
  }

  async pump() {
    if (this.running || !this.pending) return;
    const job = this.pending;
    this.pending = null;
    this.running = job;
    job.started = performance.now();
    await this.ready;
    if (this.running === job) this.worker.postMessage({ id: job.id, op: job.op, args: job.args });
  }

  onMessage(msg) {
    if (msg.ready) return;
    const job = this.running;
    if (!job || job.id !== msg.id) return;
    this.running = null;
    if (msg.error) job.reject(Object.assign(new Error(msg.error.message), msg.error, { ms: msg.ms }));
    else job.resolve({ result: msg.result, ms: msg.ms });
    this.pump();
  }

  stopRunning(superseded) {
    const job = this.running;
    this.running = null;
    this.worker.terminate();
    this.attach(takeSpare(this.name));
    job?.reject(Object.assign(new Error(superseded ? 'superseded' : 'cancelled'), superseded ? { superseded: true } : { cancelled: true }));
  }

  /** Forget the waiting request (a newer state made it pointless). */
  dropPending() {
    this.pending?.reject(Object.assign(new Error('superseded'), { superseded: true }));
    this.pending = null;
  }

  /** Stop the running job and drop the waiting one. */
  cancel() {
    this.pending?.reject(Object.assign(new Error('cancelled'), { cancelled: true }));
    this.pending = null;
    if (this.running) this.stopRunning(false);
  }

  get busy() { return Boolean(this.running || this.pending); }
}
