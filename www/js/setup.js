// The setup forms: account, usage profile (sliders, presets, busy period) and projection settings.
// Each control writes one field of the state and says what changed; nothing here computes.
import { $, esc } from './dom.js';
import { PRESETS, applyPreset, addDays } from './state.js';

const numOrRaw = (v) => (v === '' ? '' : Number.isFinite(Number(v)) ? Number(v) : v);

function slider({ id, label, min, max, step, unit, hint }) {
  return `<div class="field slider">
    <label id="${id}-lab" for="${id}">${esc(label)}</label>
    <div class="pair">
      <input type="range" id="${id}-range" min="${min}" max="${max}" step="${step}" aria-labelledby="${id}-lab">
      <div class="suffix"><input type="number" id="${id}" min="${min}" step="${step}" inputmode="decimal"><span aria-hidden="true">${esc(unit)}</span></div>
    </div>${hint ? `<p class="hint" id="${id}-hint">${esc(hint)}</p>` : ''}
  </div>`;
}

const USAGE = [
  { group: 'SMS', fields: [
    { id: 'u-sms-perday', path: ['sms', 'perDay'], label: 'Texts a day (agents)', min: 0, max: 5000, step: 10, unit: '/day' },
    { id: 'u-sms-inbound', path: ['sms', 'inboundPct'], label: 'Received (inbound)', min: 0, max: 100, step: 5, unit: '%' },
  ], extra: `<div class="field"><label for="u-sms-segments">Message length</label>
    <select id="u-sms-segments"><option value="1">1 segment (up to 160 GSM-7 characters)</option><option value="2">2 segments</option><option value="3">3 segments</option><option value="message">Like the message in the composer</option></select></div>` },
  { group: 'MMS', fields: [
    { id: 'u-mms-perday', path: ['mms', 'perDay'], label: 'Picture messages a day', min: 0, max: 1000, step: 5, unit: '/day' },
  ] },
  { group: 'Voice', fields: [
    { id: 'u-voice-perday', path: ['voice', 'perDay'], label: 'Calls a day', min: 0, max: 2000, step: 5, unit: '/day' },
    { id: 'u-voice-mean', path: ['voice', 'meanSec'], label: 'Average call length', min: 10, max: 1800, step: 10, unit: 's' },
    { id: 'u-voice-inbound', path: ['voice', 'inboundPct'], label: 'Received (inbound)', min: 0, max: 100, step: 5, unit: '%' },
  ] },
  { group: 'Automations', fields: [
    { id: 'u-autoSms-perday', path: ['autoSms', 'perDay'], label: 'Automated texts a day', min: 0, max: 20000, step: 50, unit: '/day' },
    { id: 'u-autoVoice-perday', path: ['autoVoice', 'perDay'], label: 'Automated calls a day', min: 0, max: 5000, step: 10, unit: '/day' },
    { id: 'u-autoVoice-mean', path: ['autoVoice', 'meanSec'], label: 'Automated call length', min: 5, max: 600, step: 5, unit: 's' },
  ] },
  { group: 'Shape', fields: [
    { id: 'u-growth', path: ['growthPct'], label: 'Growth per month', min: -20, max: 50, step: 1, unit: '%' },
    { id: 'u-variation', path: ['variationPct'], label: 'Day-to-day variation', min: 0, max: 100, step: 5, unit: '%' },
    { id: 'u-weekend', path: ['weekendPct'], label: 'Weekend traffic vs. weekdays', min: 0, max: 100, step: 5, unit: '%' },
  ] },
];

const getPath = (obj, path) => path.reduce((o, k) => o[k], obj);
const setPath = (obj, path, v) => { const last = path[path.length - 1]; path.slice(0, -1).reduce((o, k) => o[k], obj)[last] = v; };

export function buildUsageForm() {
  $('usage-fields').innerHTML = USAGE.map((g) => `<fieldset class="group"><legend>${esc(g.group)}</legend>
    ${g.fields.map(slider).join('')}${g.extra ?? ''}</fieldset>`).join('')
    + `<fieldset class="group"><legend>Busy period</legend>
      <label class="check"><input type="checkbox" id="u-busy-on"> A campaign burst</label>
      <div class="grid2">
        <div class="field"><label for="u-busy-start">Starts on</label><input type="date" id="u-busy-start"></div>
        <div class="field"><label for="u-busy-days">Lasts</label><div class="suffix"><input type="number" id="u-busy-days" min="1" max="1096" step="1"><span aria-hidden="true">days</span></div></div>
        <div class="field"><label for="u-busy-mult">Volume</label><div class="suffix"><input type="number" id="u-busy-mult" min="0" max="1000" step="0.5"><span aria-hidden="true">×</span></div></div>
        <div class="field"><label for="u-busy-scope">Applies to</label><select id="u-busy-scope"><option value="all">All services</option><option value="messaging">Texts only</option><option value="automations">Automations only</option></select></div>
      </div></fieldset>`;
}

export function initSetup(ctx) {
  const { state } = ctx;
  buildUsageForm();
  $('presets').innerHTML = Object.entries(PRESETS).map(([k, p]) => `<button type="button" class="chip" id="preset-${k}" data-preset="${k}" aria-pressed="false">${esc(p.label)}</button>`).join('');
  for (const b of $('presets').querySelectorAll('button')) {
    b.addEventListener('click', () => { applyPreset(state, b.dataset.preset); fillUsage(ctx); ctx.changed('usage'); });
  }

  // ---- account ----
  const a = state.account;
  const text = (id, key, what = 'account') => $(id).addEventListener('input', (e) => { a[key] = e.target.value; ctx.changed(what); });
  text('acct-opening', 'opening');
  text('acct-limit', 'limit');
  text('acct-threshold', 'threshold');
  text('acct-amount', 'amount');
  text('acct-target', 'target');
  $('acct-cycle').addEventListener('change', (e) => { a.cycle = e.target.value; ctx.changed('account'); });
  $('acct-tz').addEventListener('change', (e) => { a.tz = e.target.value; ctx.changed('account'); });
  $('acct-negative').addEventListener('change', (e) => { a.negative = e.target.checked; syncAccount(ctx); ctx.changed('account'); });
  $('acct-ar').addEventListener('change', (e) => { a.ar = e.target.checked; syncAccount(ctx); ctx.changed('account'); });
  for (const r of document.querySelectorAll('input[name="ar-mode"]')) {
    r.addEventListener('change', () => { a.arMode = r.value; syncAccount(ctx); ctx.changed('account'); });
  }
  $('acct-maxday').addEventListener('input', (e) => { a.maxPerDay = numOrRaw(e.target.value); ctx.changed('account'); });
  $('acct-maxmonth').addEventListener('input', (e) => { a.maxPerMonth = numOrRaw(e.target.value); ctx.changed('account'); });
  const fail = (v) => { a.failPct = numOrRaw(v); $('acct-fail').value = v; $('acct-fail-range').value = v; ctx.changed('account'); };
  $('acct-fail').addEventListener('input', (e) => fail(e.target.value));
  $('acct-fail-range').addEventListener('input', (e) => fail(e.target.value));

  // ---- usage ----
  for (const g of USAGE) {
    for (const f of g.fields) {
      const onInput = (v) => {
        setPath(state.usage, f.path, numOrRaw(v));
        state.usage.preset = 'custom';
        $(f.id).value = v;
        $(`${f.id}-range`).value = v;
        syncPresets(ctx);
        ctx.changed('usage');
      };
      $(f.id).addEventListener('input', (e) => onInput(e.target.value));
      $(`${f.id}-range`).addEventListener('input', (e) => onInput(e.target.value));
    }
  }
  const u = () => state.usage;
  const custom = () => { u().preset = 'custom'; syncPresets(ctx); };
  $('u-sms-segments').addEventListener('change', (e) => { u().sms.segments = e.target.value; custom(); ctx.changed('usage'); });
  $('u-busy-on').addEventListener('change', (e) => { u().busy.on = e.target.checked; custom(); syncBusy(ctx); ctx.changed('usage'); });
  $('u-busy-start').addEventListener('change', (e) => {
    if (!e.target.value) return;
    const d = Math.round((Date.parse(e.target.value) - Date.parse(state.projection.start)) / 86400000);
    u().busy.startDay = d; custom(); ctx.changed('usage');
  });
  $('u-busy-days').addEventListener('input', (e) => { u().busy.days = numOrRaw(e.target.value); custom(); ctx.changed('usage'); });
  $('u-busy-mult').addEventListener('input', (e) => { u().busy.mult = numOrRaw(e.target.value); custom(); ctx.changed('usage'); });
  $('u-busy-scope').addEventListener('change', (e) => { u().busy.scope = e.target.value; custom(); ctx.changed('usage'); });

  // ---- projection ----
  const p = state.projection;
  $('proj-start').addEventListener('change', (e) => { if (e.target.value) { p.start = e.target.value; syncBusy(ctx); ctx.changed('projection'); } });
  $('proj-days').addEventListener('change', (e) => { p.days = Number(e.target.value); ctx.changed('projection'); });
  $('proj-res').addEventListener('change', (e) => { p.resolution = e.target.value; ctx.changed('projection'); });
  $('proj-paths').addEventListener('change', (e) => { p.paths = Number(e.target.value); ctx.changed('projection'); });
  $('proj-seed').addEventListener('input', (e) => { p.seed = numOrRaw(e.target.value); ctx.changed('projection'); });
  $('proj-reseed').addEventListener('click', () => { p.seed = Math.floor(Math.random() * 1e6); $('proj-seed').value = p.seed; ctx.changed('projection'); });

  fillSetup(ctx);
}

function syncPresets(ctx) {
  for (const b of $('presets').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.preset === ctx.state.usage.preset));
}

function syncBusy(ctx) {
  const b = ctx.state.usage.busy;
  $('u-busy-start').value = addDays(ctx.state.projection.start, Number(b.startDay) || 0);
  for (const id of ['u-busy-start', 'u-busy-days', 'u-busy-mult', 'u-busy-scope']) $(id).disabled = !b.on;
}

/** Enable what applies: the limit with negative balance, amount or target with auto-recharge. */
export function syncAccount(ctx) {
  const a = ctx.state.account;
  $('acct-limit').disabled = !a.negative;
  const on = a.ar;
  for (const id of ['acct-threshold', 'acct-amount', 'acct-target', 'acct-maxday', 'acct-maxmonth', 'ar-mode-amount', 'ar-mode-target']) $(id).disabled = !on;
  $('acct-amount-field').hidden = a.arMode === 'target';
  $('acct-target-field').hidden = a.arMode !== 'target';
  $('ar-fieldset').classList.toggle('off', !on);
}

export function fillUsage(ctx) {
  const u = ctx.state.usage;
  for (const g of USAGE) {
    for (const f of g.fields) {
      const v = getPath(u, f.path);
      $(f.id).value = v;
      $(`${f.id}-range`).value = v;
    }
  }
  $('u-sms-segments').value = u.sms.segments;
  $('u-busy-on').checked = u.busy.on;
  $('u-busy-days').value = u.busy.days;
  $('u-busy-mult').value = u.busy.mult;
  $('u-busy-scope').value = u.busy.scope;
  syncBusy(ctx);
  syncPresets(ctx);
}

/** Put the whole state into the forms (start-up, loading a link, applying a recommendation). */
export function fillSetup(ctx) {
  const { state } = ctx;
  const a = state.account;
  $('acct-opening').value = a.opening;
  $('acct-cycle').value = a.cycle;
  $('acct-tz').value = a.tz;
  $('acct-negative').checked = a.negative;
  $('acct-limit').value = a.limit;
  $('acct-ar').checked = a.ar;
  $(a.arMode === 'target' ? 'ar-mode-target' : 'ar-mode-amount').checked = true;
  $('acct-threshold').value = a.threshold;
  $('acct-amount').value = a.amount;
  $('acct-target').value = a.target;
  $('acct-maxday').value = a.maxPerDay;
  $('acct-maxmonth').value = a.maxPerMonth;
  $('acct-fail').value = a.failPct;
  $('acct-fail-range').value = a.failPct;
  syncAccount(ctx);
  fillUsage(ctx);
  const p = state.projection;
  $('proj-start').value = p.start;
  $('proj-days').value = String(p.days);
  $('proj-res').value = p.resolution;
  $('proj-paths').value = String(p.paths);
  $('proj-seed').value = p.seed;
}

/** Engine error path → the control it is about. */
export function fieldForPath(path) {
  const p = path.replace(/^\[\d+\]\.?/, '');
  const rules = [
    [/^account\.openingBalance/, 'acct-opening'],
    [/^account\.negativeBalance\.limit/, 'acct-limit'],
    [/^account\.negativeBalance/, 'acct-negative'],
    [/^account\.autoRecharge\.threshold/, 'acct-threshold'],
    [/^account\.autoRecharge\.amount/, 'acct-amount'],
    [/^account\.autoRecharge\.target/, 'acct-target'],
    [/^account\.autoRecharge\.maxPerDay/, 'acct-maxday'],
    [/^account\.autoRecharge\.maxPerMonth/, 'acct-maxmonth'],
    [/^account\.autoRecharge/, 'acct-ar'],
    [/^account\.timeZone/, 'acct-tz'],
    [/^account\.plan\.start/, 'proj-start'],
    [/^account\.plan/, 'acct-cycle'],
    [/^account/, 'acct-opening'],
    [/^profile\.paymentFailureProbability/, 'acct-fail'],
    [/^profile\.services\.[^.]+\.monthlyGrowth/, 'u-growth'],
    [/^profile\.services\.[^.]+\.variation/, 'u-variation'],
    [/^profile\.services\.[^.]+\.weekdayShape/, 'u-weekend'],
    [/^profile\.services\.[^.]+\.(carrierMix|numberType)/, 'mix-first'],
    [/^profile\.services\.sms\.inboundShare/, 'u-sms-inbound'],
    [/^profile\.services\.sms\.(segmentsMix|messageMix)/, 'u-sms-segments'],
    [/^profile\.services\.sms/, 'u-sms-perday'],
    [/^profile\.services\.mms/, 'u-mms-perday'],
    [/^profile\.services\.voiceLocal\.durationSeconds/, 'u-voice-mean'],
    [/^profile\.services\.voiceLocal\.inboundShare/, 'u-voice-inbound'],
    [/^profile\.services\.voiceLocal/, 'u-voice-perday'],
    [/^profile\.services\.automatedSms/, 'u-autoSms-perday'],
    [/^profile\.services\.automatedVoice\.durationSeconds/, 'u-autoVoice-mean'],
    [/^profile\.services\.automatedVoice/, 'u-autoVoice-perday'],
    [/^profile\.busyPeriods\[\d+\]\.start/, 'u-busy-start'],
    [/^profile\.busyPeriods\[\d+\]\.days/, 'u-busy-days'],
    [/^profile\.busyPeriods\[\d+\]\.multiplier/, 'u-busy-mult'],
    [/^profile\.busyPeriods/, 'u-busy-scope'],
    [/^start/, 'proj-start'],
    [/^days/, 'proj-days'],
    [/^paths/, 'proj-paths'],
    [/^seed/, 'proj-seed'],
  ];
  for (const [re, id] of rules) if (re.test(p)) return id;
  return null;
}
