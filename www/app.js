// creditcast studio: wires the feature modules to one state object and the WASM engine.
// Fast work (one path over a year) runs at once on every input change; heavy work (many paths,
// hourly resolution, comparisons, recommendations) runs in workers with progress text.
import * as cc from '/pkg/index.js';
import { $, setFieldError, debounce, plural, niceDate, pct, tabs } from './js/dom.js';
import { defaultState, decodeState, encodeState, projectionRequest } from './js/state.js';
import { formatMoney, addDecimals } from './js/money.js';
import { initComposer, renderMix, updateComposer } from './js/composer.js';
import { initSetup, fillSetup, fieldForPath } from './js/setup.js';
import { BalanceChart, SpendChart } from './js/chart.js';
import { renderStatements, statementsCsv, ledgerCsv, LedgerTable, downloadCsv } from './js/tables.js';
import { LiveAccount } from './js/live.js';
import { WhatIf } from './js/whatif.js';
import { RateCardEditor, orderCard } from './js/ratecard.js';
import { Channel } from './js/jobs.js';

const defaultCard = orderCard(cc.defaultRateCard());
let cardKey = JSON.stringify(defaultCard);

let linkProblem = null;
let state;
try {
  state = (await decodeState(location.hash)) ?? defaultState();
} catch (e) {
  linkProblem = e;
  state = defaultState();
}

let booting = true;
const dirty = new Set();
let frame = 0;
let projectionBroken = false;
let current = null; // the result on screen
let full = null; // the worker's result for the current request (paths > 1 or hourly)
let generation = 0;
let lastEngineMs = 0;
let lastComputeMs = 0;
let computeCount = 0;
let ledgerFor = -1;
let multiTimer = 0;
let multiDelay = 0;
let snapshot = Object.freeze({ ready: false });
const SETUP_FIELDS = ['account-card', 'usage-card', 'projection-card'];
const PERCENT_FIELDS = new Set(['u-growth', 'u-variation', 'u-weekend', 'u-sms-inbound', 'u-voice-inbound', 'acct-fail']);

const ctx = {
  cc,
  state,
  defaultCard,
  card: defaultCard,
  engine: new cc.RatingEngine(defaultCard),
  changed,
  setFieldError: (id, msg) => (id === 'mix-first' ? mixError(msg) : setFieldError(id, msg)),
  describeError,
  serviceLabels: () => Object.fromEntries(Object.entries(ctx.card.services ?? {}).map(([id, s]) => [id, s.label ?? id])),
  setCard,
  cardInvalid,
  projectionBroken: () => projectionBroken,
  refillSetup: () => fillSetup(ctx),
  publish,
};

function describeError(e, short = false) {
  if (!e) return '';
  if (e.code && e.code !== 'WORKER') {
    let msg = e.detail ?? e.message;
    // An empty or non-numeric number field reaches the engine as null.
    if (/invalid type: null/.test(msg)) msg = 'Enter a number here.';
    return short || !e.path ? msg : `${e.path}: ${msg}`;
  }
  return e.message ?? String(e);
}

function mixError(msg) {
  const box = $('mix-error');
  box.hidden = !msg;
  box.textContent = msg ?? '';
  for (const el of $('mix').querySelectorAll('input')) {
    if (msg) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid');
  }
}

// ---- the URL --------------------------------------------------------------------------------
let lastHash = location.hash;
const saveUrl = async () => {
  const h = await encodeState(state);
  if (h !== location.hash) {
    lastHash = h;
    history.replaceState(null, '', h);
  }
  publish();
};
const saveUrlSoon = debounce(saveUrl, 120);
window.addEventListener('hashchange', () => { if (location.hash !== lastHash) location.reload(); });

// ---- workers ---------------------------------------------------------------------------------
// Started right after the first projection is drawn, so their WASM compiles do not delay it.
const channels = {};

// ---- modules ---------------------------------------------------------------------------------
const editor = new RateCardEditor(ctx);
if (state.card) editor.check();
renderMix(ctx);
initComposer(ctx);
initSetup(ctx);
const balanceChart = new BalanceChart($('balance-chart'), $('balance-readout'));
const spendChart = new SpendChart($('spend-chart'), $('spend-legend'), $('spend-readout'));
const ledgerTable = new LedgerTable(ctx);
const live = new LiveAccount(ctx);
const whatIf = new WhatIf(ctx, channels);

// ---- the rate card ----------------------------------------------------------------------------
function setCard(card) {
  const key = JSON.stringify(card);
  if (key === cardKey) return;
  cardKey = key;
  state.card = key === JSON.stringify(defaultCard) ? null : card;
  ctx.card = card;
  ctx.engine.free?.();
  ctx.engine = new cc.RatingEngine(card);
  editor.renderSummary(card);
  changed('card');
}

function cardInvalid() {
  // The page keeps computing with the last valid card; the editor shows the problems.
  publish();
}

// ---- the projection ------------------------------------------------------------------------

const isHeavy = () => Number(state.projection.paths) > 1 || state.projection.resolution === 'hour';

function clearProjectionErrors() {
  for (const id of SETUP_FIELDS) for (const el of $(id).querySelectorAll('[aria-invalid="true"]')) setFieldError(el.id, null);
  for (const t of $('setup-tabs').querySelectorAll('[role=tab]')) t.classList.remove('has-error');
  mixError(null);
  $('banner').hidden = true;
}

function showProjectionError(e) {
  projectionBroken = true;
  $('results').classList.add('stale');
  const id = e.path ? fieldForPath(e.path) : null;
  let msg = describeError(e, true);
  // The form speaks percent where the engine speaks fractions.
  const range = /^(-?[\d.]+(?:e-?\d+)?) is outside (-?[\d.]+) to (-?[\d.]+)$/.exec(msg);
  if (range && PERCENT_FIELDS.has(id)) {
    const p = (x) => `${+(Number(x) * 100).toFixed(4)}%`;
    msg = `${p(range[1])} is outside ${p(range[2])} to ${p(range[3])}.`;
  }
  const prob = /^a probability must be 0 to 1 \(got (.+)\)$/.exec(msg);
  if (prob && id === 'acct-fail') msg = `Give a percentage from 0% to 100% (got ${+(Number(prob[1]) * 100).toFixed(4)}%).`;
  let where = '';
  if (id) {
    ctx.setFieldError(id, msg);
    const target = id === 'mix-first' ? $('mix').querySelector('input') : $(id);
    const label = id === 'mix-first' ? 'Carrier mix' : target?.labels?.[0]?.textContent?.trim() ?? id;
    const panel = target?.closest('[role=tabpanel]');
    if (panel) $(panel.getAttribute('aria-labelledby'))?.classList.add('has-error');
    where = `<button type="button" class="link" data-focus="${escapeText(target?.id ?? '')}">${escapeText(label.replace(/\s+/g, ' '))}</button>: `;
  } else if (e.path?.startsWith('rateCard')) {
    where = '<button type="button" class="link" data-focus="card-json">Rate card</button>: ';
  }
  $('banner').hidden = false;
  $('banner').innerHTML = `<strong>The projection needs a fix.</strong> ${where}${escapeText(msg)} <span class="muted small">(${escapeText(e.code ?? 'ERROR')}${e.path ? ` at ${escapeText(e.path)}` : ''})</span>`;
  $('multi-status').textContent = '';
}

const escapeText = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Show the control `id` (switching the setup tab it sits in) and focus it. */
function goToField(id) {
  const el = $(id);
  if (!el) return;
  const panel = el.closest('[role=tabpanel]');
  if (panel?.hidden) selectSetupTab(panel.getAttribute('aria-labelledby'));
  el.scrollIntoView({ block: 'center' });
  el.focus();
}

$('banner').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-focus]');
  if (b?.dataset.focus) goToField(b.dataset.focus);
});

function runProjection() {
  generation++;
  const gen = generation;
  clearProjectionErrors();
  full = null;
  ledgerFor = -1;
  let r;
  const t0 = performance.now();
  const badWeight = Object.values(state.audience.mix).some((v) => !(Number(v) >= 0));
  if (badWeight) {
    showProjectionError({ code: 'NEGATIVE_VALUE', path: 'profile.services.sms.carrierMix', detail: 'Carrier weights must be numbers of 0 or more.' });
    return;
  }
  try {
    r = cc.project(projectionRequest(state, { paths: 1, resolution: 'day', ledger: 'none' }));
  } catch (e) {
    lastEngineMs = performance.now() - t0;
    showProjectionError(e);
    clearTimeout(multiDelay);
    clearInterval(multiTimer);
    channels.multi?.dropPending();
    return;
  }
  lastEngineMs = performance.now() - t0;
  projectionBroken = false;
  $('results').classList.remove('stale');
  current = r;
  renderResult(r);
  if (isHeavy()) runMulti(gen);
  else {
    $('multi-status').textContent = '';
    clearInterval(multiTimer);
    if (ledgerVisible()) setTimeout(() => loadLedger(gen), 0);
  }
}

const HOURLY_MAX_PATHS = 100;

function runMulti(gen) {
  const p = state.projection;
  if (p.resolution === 'hour' && Number(p.paths) > HOURLY_MAX_PATHS) {
    clearInterval(multiTimer);
    ctx.setFieldError('proj-paths', `Hourly steps over more than ${HOURLY_MAX_PATHS} paths would take minutes: choose daily resolution or at most ${HOURLY_MAX_PATHS} paths.`);
    $('multi-status').textContent = 'Showing the first path at daily resolution: the hourly many-path run is too large (see Projection settings).';
    $('stab-projection').classList.add('has-error');
    return;
  }
  const req = projectionRequest(state, { ledger: p.ledger });
  const what = [p.paths > 1 ? `${Number(p.paths).toLocaleString('en-US')} paths` : '', p.resolution === 'hour' ? 'hourly steps' : ''].filter(Boolean).join(' at ');
  const t0 = performance.now();
  clearInterval(multiTimer);
  const tick = () => { $('multi-status').textContent = `Computing ${what} in the background… ${((performance.now() - t0) / 1000).toFixed(1)} s (the first path at daily resolution is shown meanwhile)`; };
  tick();
  multiTimer = setInterval(tick, 200);
  $('results').classList.add('refining');
  clearTimeout(multiDelay);
  multiDelay = setTimeout(() => startMulti(gen, req, what), 150);
}

function startMulti(gen, req, what) {
  if (gen !== generation) return;
  channels.multi.run('project', [req]).then(({ result, ms }) => {
    if (gen !== generation) return;
    clearInterval(multiTimer);
    $('results').classList.remove('refining');
    full = result;
    current = result;
    renderResult(result);
    ledgerFor = gen;
    ledgerTable.set(result.ledger);
    const probs = result.paths > 1
      ? ` Chance of an interruption ${pct(result.interruptionProbability, 1)}, of a failed recharge ${pct(result.rechargeFailureProbability, 1)}; ${result.meanRecharges.toFixed(1)} recharges per path on average.`
      : '';
    $('multi-status').textContent = `${what[0].toUpperCase()}${what.slice(1)} computed in ${(ms / 1000).toFixed(2)} s in the background.${probs}`;
    publish();
  }).catch((e) => {
    if (e.superseded || gen !== generation) return;
    clearInterval(multiTimer);
    $('results').classList.remove('refining');
    if (e.code && e.code !== 'WORKER') showProjectionError(e);
    else $('multi-status').textContent = `Background computation failed: ${describeError(e)}`;
  });
}

function renderResult(r) {
  const s = r.summary;
  const ar = state.account.ar;
  const multi = r.paths > 1;
  $('kpi-spend').textContent = formatMoney(s.totalSpend);
  $('kpi-spend-sub').textContent = `${formatMoney(s.usage)} usage + ${formatMoney(s.carrierFees)} carrier fees over ${plural(r.days, 'day')}`;
  $('kpi-recharges').textContent = ar || s.recharges ? s.recharges.toLocaleString('en-US') : 'off';
  $('kpi-recharges-sub').textContent = (s.recharges ? `${formatMoney(s.rechargedAmount)} added` : ar ? 'never needed' : 'auto-recharge is off')
    + (s.rechargeFailures ? ` · ${plural(s.rechargeFailures, 'failed payment')}` : '')
    + (multi ? ` · ${r.meanRecharges.toFixed(1)} per path on average` : '');
  $('kpi-interruptions').textContent = s.interruptedDays ? plural(s.interruptedDays, 'day') : 'none';
  $('kpi-interruptions').classList.toggle('bad', s.interruptedDays > 0);
  $('kpi-interruptions-sub').textContent = (s.refusedEvents ? `${Number(s.refusedEvents).toLocaleString('en-US')} usage events refused` : 'no usage refused')
    + (multi ? ` · interrupted in ${pct(r.interruptionProbability, 1)} of ${r.paths} paths` : '');
  const invoiced = r.invoices.length ? addDecimals(r.invoices.map((i) => i.amount)) : '0';
  $('kpi-settlements').textContent = r.invoices.length.toLocaleString('en-US');
  $('kpi-settlements-sub').textContent = r.invoices.length ? `${formatMoney(invoiced)} invoiced at month ends` : state.account.negative ? 'never closed a month negative' : 'negative balance is off';
  $('kpi-lowest').textContent = formatMoney(s.lowestBalance);
  $('kpi-lowest-sub').textContent = `on ${niceDate(s.lowestBalanceAt)}${s.firstBelowThresholdAt && ar ? ` · first at threshold ${niceDate(s.firstBelowThresholdAt)}` : ''}`;
  $('kpi-end').textContent = formatMoney(s.endBalance);
  const st = r.autoRecharge;
  $('kpi-end-sub').textContent = st.reason === 'paymentFailed' ? 'auto-recharge ended off: a payment failed' : st.enabled ? 'auto-recharge still on' : 'auto-recharge off';

  balanceChart.update(r, { threshold: ar ? Number(s.threshold) : null });
  const m = balanceChart.markers;
  $('count-recharges').textContent = m.recharges.length;
  $('count-failed').textContent = m.failed.length;
  $('count-settlements').textContent = m.settlements.length;
  $('count-interruptions').textContent = m.interruptions.length;
  $('band-key').hidden = !multi;
  $('balance-chart').setAttribute('aria-label', `Balance over ${plural(r.days, 'day')} from ${formatMoney(state.account.opening.trim() || '0')} to ${formatMoney(s.endBalance)}: ${plural(m.recharges.length, 'recharge')}, ${plural(m.failed.length, 'failed payment')}, ${plural(m.settlements.length, 'settlement')}, ${plural(m.interruptions.length, 'interrupted day')}. The statements table below has the figures.`);
  spendChart.update(r.statements, ctx.serviceLabels());
  renderStatements(r, ctx.serviceLabels());
}

// ---- ledger tab ---------------------------------------------------------------------------------
const ledgerVisible = () => !$('panel-ledger').hidden;

function loadLedger(gen = generation) {
  if (ledgerFor === gen) { ledgerTable.render(); return; }
  if (projectionBroken || gen !== generation) return;
  if (full) { ledgerTable.set(full.ledger); ledgerFor = gen; return; }
  try {
    const r = cc.project(projectionRequest(state, { paths: 1, resolution: 'day', ledger: state.projection.ledger }));
    ledgerTable.set(r.ledger);
    ledgerFor = gen;
  } catch (e) {
    $('ledger-count').textContent = describeError(e);
  }
}

const selectBooksTab = tabs($('books-tabs'), (panel) => {
  if (panel === 'panel-ledger') {
    $('ledger-count').textContent = 'Loading the ledger…';
    setTimeout(() => loadLedger(), 0);
  }
});
const selectSetupTab = tabs($('setup-tabs'));
void selectBooksTab;
$('ledger-detail').value = state.projection.ledger;
$('ledger-detail').addEventListener('change', (e) => {
  state.projection.ledger = e.target.value;
  saveUrlSoon();
  if (isHeavy()) { runProjection(); return; }
  ledgerFor = -1;
  $('ledger-count').textContent = 'Loading the ledger…';
  setTimeout(() => loadLedger(), 0);
});
$('export-statements').addEventListener('click', () => {
  if (current) downloadCsv(`creditcast-statements-${state.projection.start}.csv`, statementsCsv(current, ctx.serviceLabels()));
});
$('export-ledger').addEventListener('click', () => {
  loadLedger();
  if (ledgerTable.ledger) downloadCsv(`creditcast-ledger-${state.projection.start}.csv`, ledgerCsv(ledgerTable.ledger));
});

// ---- change handling ------------------------------------------------------------------------

function changed(kind) {
  dirty.add(kind);
  saveUrlSoon();
  if (booting) return;
  if (!frame) frame = requestAnimationFrame(flush);
}

function flush() {
  frame = 0;
  const k = new Set(dirty);
  dirty.clear();
  const t0 = performance.now();
  const has = (...xs) => xs.some((x) => k.has(x));
  if (has('card')) renderMix(ctx);
  if (has('message', 'audience', 'card')) updateComposer(ctx);
  const projection = has('account', 'usage', 'projection', 'card', 'audience') || (k.has('message') && state.usage.sms.segments === 'message');
  if (projection) runProjection();
  if (has('account', 'card', 'projection')) live.rebuild();
  else if (has('message', 'audience')) live.render();
  if (projection || k.has('whatif')) whatIf.schedule();
  const ms = performance.now() - t0;
  if (projection) {
    lastComputeMs = ms;
    computeCount++;
    $('timing').textContent = `computed in ${Math.max(1, Math.round(lastComputeMs))} ms`;
    $('timing').title = `Engine ${lastEngineMs.toFixed(1)} ms for one path over ${state.projection.days} days; the page redraw took the rest.`;
  } else if (has('message', 'audience')) {
    $('timing').textContent = `computed in ${ms < 1 ? '<1' : Math.round(ms)} ms`;
  }
  publish();
}

$('share').addEventListener('click', async () => {
  saveUrlSoon.cancel();
  await saveUrl();
  let copied = false;
  try { await navigator.clipboard.writeText(location.href); copied = true; } catch { /* not allowed here */ }
  $('share').textContent = copied ? 'Link copied' : 'Link is in the address bar';
  $('share-status').textContent = copied ? 'Share link copied to the clipboard.' : 'Copy the address bar to share this projection.';
  setTimeout(() => { $('share').textContent = 'Copy share link'; }, 2000);
});

// ---- read-only hooks for tests and the curious ----------------------------------------------
Object.defineProperty(window, '__creditcast', { get: () => snapshot, configurable: false });

function publish() {
  if (booting) return;
  const r = current;
  const m = balanceChart.markerTimes();
  snapshot = Object.freeze({
    ready: !booting,
    version: 1,
    computeMs: lastComputeMs,
    engineMs: lastEngineMs,
    computeCount,
    projectionError: projectionBroken ? $('banner').textContent : null,
    paths: r?.paths ?? 0,
    multiDone: Boolean(full),
    summary: r ? JSON.parse(JSON.stringify(r.summary)) : null,
    counts: {
      recharges: m.recharges.length,
      failedPayments: m.failed.length,
      settlements: m.settlements.length,
      interruptions: m.interruptions.length,
      refusedEvents: r ? Number(r.summary.refusedEvents) : 0,
    },
    markers: m,
    interruptionProbability: r?.paths > 1 ? r.interruptionProbability : null,
    composer: { encoding: $('encoding').textContent, segments: Number($('segments').textContent), total: $('total').dataset.value ?? null },
    live: live.snapshot(),
    cardProblems: editor.problems.map((p) => ({ code: p.code, path: p.path })),
    cardEdited: state.card !== null,
    compare: whatIf.last ? whatIf.last.variants.map((v) => ({ label: v.label, recharges: v.summary.recharges, interruptedDays: v.summary.interruptedDays })) : null,
    recommendation: whatIf.recommendation?.recommended ?? null,
    hash: location.hash,
  });
}

// ---- start ------------------------------------------------------------------------------------
booting = false;
dirty.clear();
updateComposer(ctx);
runProjection();
Object.assign(channels, {
  multi: new Channel('multi', { stopAfterMs: 400 }),
  compare: new Channel('compare', { stopAfterMs: 1500 }),
  recommend: new Channel('recommend'),
});
live.rebuild();
whatIf.schedule();
if (linkProblem) {
  $('boot-error').hidden = false;
  $('boot-error').textContent = `This link could not be read (${linkProblem.message}); showing the default projection instead.`;
}
$('timing').textContent = `computed in ${Math.max(1, Math.round(lastEngineMs))} ms`;
$('app').setAttribute('aria-busy', 'false');
lastComputeMs = lastEngineMs;
publish();
if (!location.hash) saveUrlSoon();
