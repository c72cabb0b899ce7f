// The two charts (uPlot, served locally): the balance over time with its threshold, markers and
// P10–P90 band, and monthly spend as stacked bars by service plus carrier fees.
import uPlot from '/vendor/uplot/uPlot.esm.js';
import { axisMoney, formatMoney } from './money.js';
import { esc, niceDate, niceMonth, niceTime } from './dom.js';

export const COLORS = {
  balance: '#1d4ed8',
  band: 'rgba(37, 99, 235, 0.13)',
  median: '#64748b',
  threshold: '#b45309',
  recharge: '#15803d',
  failed: '#dc2626',
  settlement: '#7c3aed',
  interruption: '#dc2626',
  zero: '#94a3b8',
};

export const SERVICE_COLORS = {
  sms: '#2563eb',
  automatedSms: '#60a5fa',
  mms: '#0d9488',
  voiceLocal: '#f59e0b',
  voiceTollFree: '#fbbf24',
  automatedVoice: '#fb923c',
  lookup: '#a855f7',
  transcription: '#c084fc',
  voicemailDrop: '#e879f9',
  carrierFees: '#64748b',
};
const fallbackColors = ['#0891b2', '#84cc16', '#e11d48', '#6366f1', '#ca8a04'];

/** Largest index i with a[i] <= x (or −1). */
function floorIndex(a, x) {
  let lo = 0;
  let hi = a.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) { ans = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return ans;
}

const toSec = (at) => Date.parse(at) / 1000;

function sizeOf(el, height) {
  return { width: Math.max(240, Math.floor(el.clientWidth)), height };
}

// ---- balance chart ------------------------------------------------------------------------------

export class BalanceChart {
  constructor(el, readout) {
    this.el = el;
    this.readout = readout;
    this.markers = { recharges: [], failed: [], settlements: [], interruptions: [] };
    this.u = null;
  }

  height() { return window.innerWidth < 640 ? 240 : 320; }

  /** `r`: a projection result (path 0 series, bands). `extra`: threshold (float or null). */
  update(r, { threshold = null, bands = null } = {}) {
    const t = r.series.t;
    const n = t.length;
    const bal = r.series.balance;
    const p10 = new Array(n).fill(null);
    const p50 = new Array(n).fill(null);
    const p90 = new Array(n).fill(null);
    const b = bands ?? (r.paths > 1 ? r.bands : null);
    if (b && b.t.length) {
      for (let i = 0; i < b.t.length; i++) {
        const k = floorIndex(t, b.t[i]);
        if (k >= 0 && t[k] === b.t[i]) { p10[k] = b.p10[i]; p50[k] = b.p50[i]; p90[k] = b.p90[i]; }
      }
    }
    const thr = new Array(n).fill(threshold);
    this.series = { t, bal };

    // Markers, placed at the balance of the step they happen in.
    const at = (sec) => { const k = floorIndex(t, sec); return k < 0 ? bal[0] : bal[k]; };
    const m = { recharges: [], failed: [], settlements: [], interruptions: [] };
    for (const a of r.recharges) {
      const x = toSec(a.at);
      (a.outcome === 'succeeded' ? m.recharges : m.failed).push({ x, y: at(x), label: `${a.outcome === 'succeeded' ? 'Recharge' : 'Failed payment'} ${formatMoney(a.amount)} · ${niceTime(a.at)}` });
    }
    for (const inv of r.invoices) {
      const x = toSec(inv.issuedAt);
      m.settlements.push({ x, y: 0, label: `Settlement: ${formatMoney(inv.amount)} invoiced · ${niceDate(inv.issuedAt)}` });
    }
    let lastDay = null;
    for (const ref of r.refused) {
      const d = ref.at.slice(0, 10);
      if (d === lastDay) continue;
      lastDay = d;
      const x = Date.parse(`${d}T00:00:00Z`) / 1000;
      m.interruptions.push({ x, y: Number(ref.balance), label: `Usage refused · ${niceDate(ref.at)}` });
    }
    this.markers = m;
    this.dayWidth = r.resolution === 'hour' ? 86400 : 86400;

    const data = [t, bal, p10, p50, p90, thr];
    if (!this.u) this.create(data);
    else this.u.setData(data);
  }

  create(data) {
    const self = this;
    const opts = {
      ...sizeOf(this.el, this.height()),
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      scales: { x: { time: true }, y: { range: (u, lo, hi) => {
        const min = Math.min(lo, 0);
        const max = Math.max(hi, 0);
        const pad = (max - min) * 0.08 || 1;
        return [min < 0 ? min - pad : 0, max + pad];
      } } },
      axes: [
        { stroke: '#475569', grid: { stroke: '#eef2f7' }, ticks: { stroke: '#e2e8f0' } },
        { stroke: '#475569', grid: { stroke: '#eef2f7' }, ticks: { stroke: '#e2e8f0' }, size: 58, values: (u, vals) => vals.map(axisMoney) },
      ],
      series: [
        {},
        { label: 'Balance', stroke: COLORS.balance, width: 2, fill: 'rgba(29, 78, 216, 0.07)', fillTo: 0, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } },
        { label: 'P10', stroke: 'rgba(37,99,235,0.35)', width: 1, points: { show: false } },
        { label: 'P50', stroke: COLORS.median, width: 1, dash: [4, 4], points: { show: false } },
        { label: 'P90', stroke: 'rgba(37,99,235,0.35)', width: 1, points: { show: false } },
        { label: 'Threshold', stroke: COLORS.threshold, width: 1.5, dash: [6, 5], points: { show: false } },
      ],
      bands: [{ series: [4, 2], fill: COLORS.band }],
      hooks: {
        draw: [(u) => self.drawMarkers(u)],
        setCursor: [(u) => self.showReadout(u)],
      },
    };
    this.u = new uPlot(opts, data, this.el);
    new ResizeObserver(() => {
      const s = sizeOf(this.el, this.height());
      if (s.width !== this.u.width || s.height !== this.u.height) this.u.setSize(s);
    }).observe(this.el);
  }

  drawMarkers(u) {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const px = devicePixelRatio || 1;
    const X = (x) => u.valToPos(x, 'x', true);
    const Y = (y) => u.valToPos(y, 'y', true);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();

    // Zero line when the balance goes negative.
    const [ymin] = [u.scales.y.min];
    if (ymin < 0) {
      ctx.strokeStyle = COLORS.zero;
      ctx.lineWidth = 1 * px;
      ctx.beginPath();
      ctx.moveTo(left, Y(0));
      ctx.lineTo(left + width, Y(0));
      ctx.stroke();
    }
    // Interruptions: a shaded day and a red tick on the bottom edge.
    const dayPx = Math.max(2 * px, X(86400) - X(0));
    for (const m of this.markers.interruptions) {
      const x = X(m.x);
      ctx.fillStyle = 'rgba(220, 38, 38, 0.07)';
      ctx.fillRect(x, top, dayPx, height);
      ctx.fillStyle = COLORS.interruption;
      ctx.fillRect(x, top + height - 6 * px, dayPx, 6 * px);
    }
    const r = 5 * px;
    ctx.lineWidth = 1.5 * px;
    for (const m of this.markers.recharges) {
      const x = X(m.x);
      const y = Y(m.y);
      ctx.fillStyle = COLORS.recharge;
      ctx.strokeStyle = '#fff';
      ctx.beginPath();
      ctx.moveTo(x, y - r - 2 * px);
      ctx.lineTo(x + r, y + r - 2 * px);
      ctx.lineTo(x - r, y + r - 2 * px);
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    }
    for (const m of this.markers.settlements) {
      const x = X(m.x);
      const y = Y(0);
      ctx.fillStyle = COLORS.settlement;
      ctx.strokeStyle = '#fff';
      ctx.beginPath();
      ctx.moveTo(x, y - r - 1 * px);
      ctx.lineTo(x + r + 1 * px, y);
      ctx.lineTo(x, y + r + 1 * px);
      ctx.lineTo(x - r - 1 * px, y);
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    }
    ctx.strokeStyle = COLORS.failed;
    ctx.lineWidth = 2.5 * px;
    for (const m of this.markers.failed) {
      const x = X(m.x);
      const y = Y(m.y);
      ctx.beginPath();
      ctx.moveTo(x - r, y - r);
      ctx.lineTo(x + r, y + r);
      ctx.moveTo(x + r, y - r);
      ctx.lineTo(x - r, y + r);
      ctx.stroke();
    }
    ctx.restore();
  }

  showReadout(u) {
    const i = u.cursor.idx;
    if (i === null || i === undefined || !this.series) { this.readout.textContent = 'Hover the chart for the balance on a day.'; return; }
    const t = this.series.t[i];
    const at = new Date(t * 1000).toISOString();
    const d = u.data;
    // Chart values are floats (for drawing): shown rounded and marked approximate; the exact
    // figures are in the statements and the ledger.
    const approx = (x) => `≈${formatMoney(x.toFixed(4))}`;
    let s = `${niceTime(at)} · balance ${approx(d[1][i])}`;
    if (d[2][i] !== null) s += ` · P10–P90 ${approx(d[2][i])} to ${approx(d[4][i])}`;
    const near = [...this.markers.recharges, ...this.markers.failed, ...this.markers.settlements]
      .filter((m) => Math.abs(m.x - t) < 43200);
    if (near.length) s += ` · ${near.map((m) => m.label.split(' · ')[0]).join(', ')}`;
    this.readout.textContent = s;
  }

  /** Marker times, for tests and the legend. */
  markerTimes() {
    const f = (a) => a.map((m) => m.x);
    return { recharges: f(this.markers.recharges), failed: f(this.markers.failed), settlements: f(this.markers.settlements), interruptions: f(this.markers.interruptions) };
  }
}

// ---- monthly spend bars ---------------------------------------------------------------------

export class SpendChart {
  constructor(el, legend, readout) {
    this.el = el;
    this.legend = legend;
    this.readout = readout;
    this.u = null;
    this.key = '';
  }

  /** `statements`: path 0's statements; `labels`: service id → label. */
  update(statements, labels) {
    const months = statements.map((s) => s.month);
    const ids = [];
    for (const s of statements) for (const k of Object.keys(s.usageByService)) if (!ids.includes(k)) ids.push(k);
    const order = Object.keys(SERVICE_COLORS);
    ids.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
    const layers = [...ids.map((id) => ({ id, label: labels[id] ?? id })), { id: 'carrierFees', label: 'Carrier fees (pass-through)' }];
    const colorOf = (id, i) => SERVICE_COLORS[id] ?? fallbackColors[i % fallbackColors.length];
    // Cumulative heights (floats, for drawing only); drawn tallest first so each layer shows.
    const x = months.map((_, i) => i);
    const cum = [];
    let acc = months.map(() => 0);
    for (const l of layers) {
      acc = statements.map((s, i) => acc[i] + Number(l.id === 'carrierFees' ? s.carrierFees : (s.usageByService[l.id] ?? '0')));
      cum.push(acc);
    }
    this.statements = statements;
    this.layers = layers;
    const data = [x, ...cum.slice().reverse()];
    const key = layers.map((l) => l.id).join(',');
    this.legend.innerHTML = layers.map((l, i) => `<li><span class="swatch" style="background:${colorOf(l.id, i)}"></span>${esc(l.label)}</li>`).join('');
    if (this.u && key === this.key) {
      this.u.setData(data);
      return;
    }
    this.key = key;
    this.u?.destroy();
    const self = this;
    const bars = uPlot.paths.bars({ size: [0.62, 56], align: 0, radius: [0.08, 0] });
    const series = [{}, ...layers.slice().reverse().map((l) => {
      const i = layers.indexOf(l);
      return { label: l.label, fill: colorOf(l.id, i), stroke: colorOf(l.id, i), width: 0, paths: bars, points: { show: false } };
    })];
    this.u = new uPlot({
      ...sizeOf(this.el, window.innerWidth < 640 ? 200 : 230),
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: false, range: (u, lo, hi) => [lo - 0.6, hi + 0.6] }, y: { range: (u, lo, hi) => [0, hi * 1.08 || 1] } },
      axes: [
        { stroke: '#475569', grid: { show: false }, ticks: { show: false }, splits: () => self.statements.map((_, i) => i),
          values: (u, vals) => {
            // Month names, with the year on the first and on January; thinned to fit.
            const per = u.bbox.width / devicePixelRatio / Math.max(1, vals.length);
            const every = Math.max(1, Math.ceil(46 / per));
            return vals.map((v, i) => {
              const m = self.statements[v]?.month;
              if (!m || i % every) return '';
              const [name, year] = niceMonth(m).split(' ');
              return i === 0 || m.endsWith('-01') ? `${name} '${year.slice(2)}` : name;
            });
          } },
        { stroke: '#475569', grid: { stroke: '#eef2f7' }, ticks: { stroke: '#e2e8f0' }, size: 58, values: (u, vals) => vals.map(axisMoney) },
      ],
      series,
      hooks: { setCursor: [(u) => self.showReadout(u)] },
    }, data, this.el);
    new ResizeObserver(() => {
      const s = sizeOf(this.el, window.innerWidth < 640 ? 200 : 230);
      if (s.width !== this.u.width || s.height !== this.u.height) this.u.setSize(s);
    }).observe(this.el);
  }

  showReadout(u) {
    const i = u.cursor.idx;
    const s = this.statements?.[i];
    if (!s) { this.readout.textContent = 'Hover a bar for the month’s exact figures.'; return; }
    const parts = this.layers.map((l) => `${l.label.replace(' (pass-through)', '')} ${formatMoney(l.id === 'carrierFees' ? s.carrierFees : (s.usageByService[l.id] ?? '0'), { exact: false })}`);
    this.readout.textContent = `${niceMonth(s.month)}: spend ${formatMoney(s.spend)} — ${parts.join(' · ')}`;
  }
}

/** A small chart of several balance lines (what-if variants). */
export class CompareChart {
  constructor(el) { this.el = el; this.u = null; this.n = 0; }

  update(variants, colors) {
    if (!variants.length) return;
    const t = variants[0].series.t;
    const data = [t, ...variants.map((v) => v.series.balance)];
    if (this.u && this.n === variants.length) { this.u.setData(data); return; }
    this.u?.destroy();
    this.n = variants.length;
    this.u = new uPlot({
      ...sizeOf(this.el, 180),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [
        { stroke: '#475569', grid: { stroke: '#eef2f7' } },
        { stroke: '#475569', grid: { stroke: '#eef2f7' }, size: 54, values: (u, vals) => vals.map(axisMoney) },
      ],
      series: [{}, ...variants.map((v, i) => ({ label: v.label, stroke: colors[i], width: 1.6, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } }))],
    }, data, this.el);
    new ResizeObserver(() => {
      const s = sizeOf(this.el, 180);
      if (s.width !== this.u.width) this.u.setSize(s);
    }).observe(this.el);
  }
}
