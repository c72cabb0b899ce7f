// The rate card editor: the card as JSON, validated on every keystroke by the engine
// (`validateRateCard`), each problem pointing at its field path and line; reset to default.
import { $, esc, plural } from './dom.js';
import { formatMoney } from './money.js';

const ORDER = {
  card: ['version', 'name', 'currency', 'effectiveFrom', 'sources', 'rounding', 'defaultNumberType', 'services', 'carriers', 'carrierFees'],
  service: ['kind', 'label', 'unit', 'pricing', 'inboundPricing', 'billing', 'connectFee', 'segmentation'],
  pricing: ['model', 'unitPrice', 'tiers', 'packageSize', 'packagePrice', 'included', 'minimumPerEvent'],
  fee: ['carrier', 'channel', 'direction', 'numberType', 'amount', 'from', 'until', 'source'],
  fees: ['timing', 'deferHours', 'schedule'],
};

function ordered(obj, keys) {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const out = {};
  for (const k of keys) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  return out;
}

/** The card with its keys in reading order (the engine returns them sorted). */
export function orderCard(card) {
  const c = ordered(card, ORDER.card);
  if (c.services) {
    const known = ['sms', 'mms', 'voiceLocal', 'voiceTollFree', 'automatedSms', 'automatedVoice'];
    const rank = (id) => (known.includes(id) ? known.indexOf(id) : known.length);
    c.services = Object.fromEntries(Object.entries(c.services).sort(([a], [b]) => rank(a) - rank(b)).map(([id, s]) => {
      const o = ordered(s, ORDER.service);
      if (o.pricing) o.pricing = ordered(o.pricing, ORDER.pricing);
      if (o.inboundPricing) o.inboundPricing = ordered(o.inboundPricing, ORDER.pricing);
      return [id, o];
    }));
  }
  if (c.carrierFees) {
    c.carrierFees = ordered(c.carrierFees, ORDER.fees);
    if (Array.isArray(c.carrierFees.schedule)) c.carrierFees.schedule = c.carrierFees.schedule.map((f) => ordered(f, ORDER.fee));
  }
  return c;
}

/**
 * Where each value sits in a JSON text: path ("services.sms.pricing.unitPrice",
 * "carrierFees.schedule[3].amount") → { start, end } of the value, and keyStart for members.
 */
export function locateJson(text) {
  const map = new Map();
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const str = () => {
    const s = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(s, i));
  };
  const value = (path, keyStart) => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') i++;
      else {
        for (;;) {
          ws();
          const ks = i;
          const k = str();
          ws();
          i++; // :
          value(path ? `${path}.${k}` : k, ks);
          ws();
          if (text[i] === ',') { i++; continue; }
          i++;
          break;
        }
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') i++;
      else {
        for (let n = 0; ; n++) {
          value(`${path}[${n}]`);
          ws();
          if (text[i] === ',') { i++; continue; }
          i++;
          break;
        }
      }
    } else if (c === '"') str();
    else while (i < text.length && !/[\s,\]}]/.test(text[i])) i++;
    map.set(path, { start, end: i, keyStart: keyStart ?? start });
  };
  try { value(''); } catch { /* only called on text JSON.parse accepted */ }
  return map;
}

/** The nearest located ancestor of an engine path (a missing field points at its object). */
function findPath(map, path) {
  let p = path ?? '';
  for (;;) {
    if (map.has(p)) return map.get(p);
    if (!p) return null;
    const q = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
    p = q === p ? '' : q;
  }
}

const lineOf = (text, pos) => text.slice(0, pos).split('\n').length;

function pointer(text, loc) {
  const lineStart = text.lastIndexOf('\n', loc.keyStart - 1) + 1;
  let lineEnd = text.indexOf('\n', loc.keyStart);
  if (lineEnd < 0) lineEnd = text.length;
  const line = text.slice(lineStart, lineEnd);
  const col = loc.keyStart - lineStart;
  const len = Math.max(1, Math.min(line.length - col, loc.end - loc.keyStart));
  return `${line}\n${' '.repeat(col)}${'^'.repeat(len)}`;
}

function syntaxPosition(e, text) {
  const m = /position (\d+)/.exec(e.message);
  if (m) return Number(m[1]);
  const lc = /line (\d+) column (\d+)/.exec(e.message);
  if (lc) {
    const lines = text.split('\n');
    return lines.slice(0, Number(lc[1]) - 1).reduce((a, l) => a + l.length + 1, 0) + Number(lc[2]) - 1;
  }
  return text.length;
}

function priceOf(p) {
  if (!p) return '–';
  const inc = p.included ? ` after ${Number(p.included).toLocaleString('en-US')} included` : '';
  switch (p.model) {
    case 'flat': return `${formatMoney(String(p.unitPrice), { exact: true })}${inc}`;
    case 'graduated':
    case 'volume': return `${p.model} tiers from ${formatMoney(String(p.tiers?.[0]?.unitPrice ?? '0'), { exact: true })}${inc}`;
    case 'package': return `${formatMoney(String(p.packagePrice), { exact: true })} per ${p.packageSize}${inc}`;
    default: return p.model;
  }
}

export class RateCardEditor {
  constructor(ctx) {
    this.ctx = ctx;
    this.ta = $('card-json');
    this.problems = [];
    this.ta.value = JSON.stringify(ctx.state.card ?? ctx.defaultCard, null, 2);
    this.ta.addEventListener('input', () => this.check());
    this.ta.addEventListener('keydown', (e) => {
      // Tab indents inside the editor; Escape then Tab leaves it (keyboard users are not trapped).
      if (e.key === 'Escape') { this.escaped = true; return; }
      if (e.key === 'Tab' && !e.shiftKey && !this.escaped) {
        e.preventDefault();
        this.ta.setRangeText('  ', this.ta.selectionStart, this.ta.selectionEnd, 'end');
        this.check();
      }
    });
    this.ta.addEventListener('blur', () => { this.escaped = false; });
    $('card-reset').addEventListener('click', () => {
      this.ta.value = JSON.stringify(ctx.defaultCard, null, 2);
      this.check();
    });
    $('card-format').addEventListener('click', () => {
      try { this.ta.value = JSON.stringify(JSON.parse(this.ta.value), null, 2); this.check(); } catch { /* shown already */ }
    });
    $('card-problems').addEventListener('click', (e) => {
      const b = e.target.closest('button[data-start]');
      if (!b) return;
      this.ta.focus();
      this.ta.setSelectionRange(Number(b.dataset.start), Number(b.dataset.end));
      const line = Number(b.dataset.line);
      const lh = parseFloat(getComputedStyle(this.ta).lineHeight) || 18;
      this.ta.scrollTop = Math.max(0, (line - 4) * lh);
    });
    this.renderSummary(ctx.card);
  }

  /** Validate the text; a valid card becomes the page's card. */
  check() {
    const text = this.ta.value;
    const { cc } = this.ctx;
    let card;
    const list = [];
    try {
      card = JSON.parse(text);
    } catch (e) {
      const pos = syntaxPosition(e, text);
      list.push({ code: 'JSON_SYNTAX', path: '', message: e.message, start: pos, end: Math.min(text.length, pos + 1), line: lineOf(text, pos), pointer: '' });
    }
    if (card !== undefined) {
      let problems;
      try {
        problems = cc.validateRateCard(card);
      } catch (e) {
        problems = e.problems ?? [{ code: e.code ?? 'INVALID_INPUT', path: e.path ?? '', message: e.detail ?? e.message }];
      }
      if (!problems.length) {
        try {
          new cc.RatingEngine(card).free?.();
        } catch (e) {
          problems = e.problems ?? [{ code: e.code, path: e.path, message: e.detail ?? e.message }];
        }
      }
      if (problems.length) {
        const map = locateJson(text);
        for (const p of problems) {
          const loc = findPath(map, p.path) ?? { start: 0, end: 0, keyStart: 0 };
          list.push({ ...p, start: loc.keyStart, end: loc.end, line: lineOf(text, loc.keyStart), pointer: pointer(text, loc) });
        }
      }
    }
    this.problems = list;
    this.render(list);
    if (!list.length) this.ctx.setCard(card);
    else this.ctx.cardInvalid(list);
  }

  render(list) {
    const status = $('card-status');
    const box = $('card-problems');
    if (!list.length) {
      this.ctx.setFieldError('card-json', null);
      const edited = this.ctx.state.card !== null;
      status.className = 'status ok';
      status.textContent = edited ? 'Valid — the edited card prices everything on this page.' : 'Valid — the embedded example US card.';
      box.innerHTML = '';
      return;
    }
    const first = list[0];
    this.ctx.setFieldError('card-json', `${first.path ? `${first.path}: ` : ''}${first.message}`);
    status.className = 'status bad';
    status.textContent = `${plural(list.length, 'problem')} — the page keeps using the last valid card until ${list.length === 1 ? 'it is' : 'they are'} fixed.`;
    box.innerHTML = list.map((p) => `<li data-testid="card-problem" data-path="${esc(p.path)}">
      <button type="button" class="link" data-start="${p.start}" data-end="${p.end}" data-line="${p.line}">Line ${p.line}</button>
      <code class="path">${esc(p.path || '(JSON)')}</code> <span class="code">${esc(p.code)}</span>
      <div>${esc(p.message)}</div>${p.pointer ? `<pre class="pointer" aria-hidden="true">${esc(p.pointer)}</pre>` : ''}</li>`).join('');
  }

  /** Put a card into the editor (a loaded link). */
  show(card) {
    this.ta.value = JSON.stringify(card, null, 2);
    this.render([]);
  }

  renderSummary(card) {
    const rows = Object.entries(card.services ?? {}).map(([id, s]) => `<tr><th scope="row">${esc(s.label ?? id)}<br><code class="muted small">${esc(id)}</code></th><td>${esc(s.kind)}${s.kind === 'voice' && s.billing ? ` <span class="muted small">${s.billing.firstIncrement}/${s.billing.nextIncrement}</span>` : ''}</td><td class="num">${esc(priceOf(s.pricing))}</td></tr>`).join('');
    const fees = card.carrierFees?.schedule?.length ?? 0;
    $('card-summary').innerHTML = `<div class="table-wrap"><table class="data compact"><caption>${esc(card.name ?? 'Rate card')} · ${esc(card.currency ?? '')}</caption><thead><tr><th scope="col">Service</th><th scope="col">Kind</th><th scope="col" class="num">Price per unit</th></tr></thead><tbody>${rows}</tbody></table></div>
      <p class="muted small">${plural((card.carriers ?? []).length, 'carrier')}, ${plural(fees, 'carrier-fee entry', 'carrier-fee entries')} passed through at cost (${esc(card.carrierFees?.timing ?? 'immediate')}). Statement rounding: ${card.rounding?.statement?.scale} places, ${esc(card.rounding?.statement?.strategy ?? '')}.</p>`;
  }
}
