// Message composer: live encoding and segments, the characters that force UCS-2, the smart-
// encoding suggestion, and the cost of one send to N recipients split by carrier mix.
import { $, esc, plural } from './dom.js';
import { addDecimals, subDecimal, formatMoney, cmpDecimal, divDecimal } from './money.js';

const segmenter = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter('en', { granularity: 'grapheme' }) : null;
const graphemes = (s) => (segmenter ? [...segmenter.segment(s)].map((x) => x.segment) : [...s]);

const VISIBLE = { '\n': '↵\n', '\r': '␍', '\t': '⇥' };

function renderText(text, bad) {
  return graphemes(text).map((g) => {
    const shown = VISIBLE[g] ?? (g === '\r\n' ? '␍↵\n' : g);
    const isBad = bad.has(g) || [...g].some((c) => bad.has(c));
    return isBad ? `<mark class="ucs" title="Not in the GSM-7 alphabet">${esc(shown)}</mark>` : esc(shown);
  }).join('');
}

/** Whole recipients per carrier from percentage weights; the rest goes to the largest share. */
export function splitRecipients(recipients, mix, carriers) {
  const weights = carriers.map((c) => [c.id, Math.max(0, Number(mix[c.id]) || 0)]);
  const total = weights.reduce((a, [, w]) => a + w, 0);
  if (!(total > 0)) return [];
  const counts = weights.map(([id, w]) => [id, Math.floor((recipients * w) / total)]);
  const rest = recipients - counts.reduce((a, [, n]) => a + n, 0);
  const order = counts.map((c, i) => i).sort((a, b) => weights[b][1] - weights[a][1]);
  counts[order[0]][1] += rest;
  return counts.filter(([, n]) => n > 0);
}

export function initComposer(ctx) {
  const { state } = ctx;
  const msg = state.message;
  $('message').value = msg.text;
  $('smart').checked = msg.smart;
  $('trim').checked = msg.trim;
  $('recipients').value = msg.recipients;
  $('number-type').value = state.audience.numberType;

  $('message').addEventListener('input', () => { msg.text = $('message').value; ctx.changed('message'); });
  $('smart').addEventListener('change', () => { msg.smart = $('smart').checked; ctx.changed('message'); });
  $('trim').addEventListener('change', () => { msg.trim = $('trim').checked; ctx.changed('message'); });
  $('recipients').addEventListener('input', () => { msg.recipients = $('recipients').value; ctx.changed('message'); });
  $('number-type').addEventListener('change', () => { state.audience.numberType = $('number-type').value; ctx.changed('audience'); });
  $('apply-smart').addEventListener('click', () => { msg.smart = true; $('smart').checked = true; ctx.changed('message'); });
}

/** Build the carrier-mix inputs for the card's carriers (again when the card changes). */
export function renderMix(ctx) {
  const { state } = ctx;
  const carriers = ctx.card.carriers ?? [];
  const host = $('mix');
  const key = carriers.map((c) => c.id).join(',');
  if (host.dataset.key === key) return;
  host.dataset.key = key;
  host.innerHTML = carriers.map((c) => `<div class="field"><label for="mix-${esc(c.id)}">${esc(c.name)}</label><div class="suffix"><input id="mix-${esc(c.id)}" type="number" min="0" max="100" step="1" inputmode="numeric" value="${Number(state.audience.mix[c.id] ?? 0)}"><span aria-hidden="true">%</span></div></div>`).join('');
  for (const c of carriers) {
    $(`mix-${c.id}`).addEventListener('input', (e) => { state.audience.mix[c.id] = e.target.value === '' ? 0 : Number(e.target.value); ctx.changed('audience'); });
  }
}

function batchFor(ctx, text, recipients) {
  const { state } = ctx;
  const counts = splitRecipients(recipients, state.audience.mix, ctx.card.carriers ?? []);
  const events = counts.length
    ? counts.map(([carrier, n]) => ({ service: 'sms', text, count: n, carrier, numberType: state.audience.numberType }))
    : [{ service: 'sms', text, count: recipients, numberType: state.audience.numberType }];
  return ctx.engine.rateBatch(events, { charges: 'none' });
}

/** The events "send this message to N recipients" stands for (for the live account). */
export function sendEvents(ctx) {
  const { state } = ctx;
  const m = ctx.cc.segmentMessage(state.message.text, { smartEncoding: state.message.smart, trimTrailingLineBreaks: state.message.trim });
  const n = Math.max(1, Math.floor(Number(state.message.recipients) || 1));
  const counts = splitRecipients(n, state.audience.mix, ctx.card.carriers ?? []);
  return (counts.length ? counts : [[undefined, n]]).map(([carrier, count]) => ({
    type: 'usage', service: 'sms', segments: m.segments, count, ...(carrier ? { carrier } : {}), numberType: state.audience.numberType,
  }));
}

export function updateComposer(ctx) {
  const { state, cc } = ctx;
  const msg = state.message;
  $('composer-error').hidden = true;
  ctx.setFieldError('recipients', null);
  const text = msg.text;
  const m = cc.segmentMessage(text, { smartEncoding: msg.smart, trimTrailingLineBreaks: msg.trim });
  const isGsm = m.encoding === 'GSM-7';
  $('encoding').textContent = m.encoding;
  $('encoding').className = isGsm ? 'pill ok' : 'pill warn';
  $('segments').textContent = m.segments;
  $('units').textContent = `${m.units}`;
  $('units-label').textContent = isGsm ? 'Septets' : 'UTF-16 units';
  $('left').textContent = m.unitsLeftInLastSegment;
  $('chars').textContent = graphemes(text).length;
  const per = m.segments > 1 ? (isGsm ? 153 : 67) : (isGsm ? 160 : 70);
  $('capacity').textContent = m.segments > 1
    ? `Split messages carry ${per} ${isGsm ? 'septets' : 'units'} per segment (the rest is the concatenation header).`
    : `One segment holds ${per} ${isGsm ? 'septets' : 'units'}.`;

  const said = `${m.encoding}, ${m.segments} segment${m.segments === 1 ? '' : 's'}`;
  if ($('sr-composer').textContent !== said) $('sr-composer').textContent = said;
  const ucs = $('ucs-note');
  ucs.hidden = isGsm;
  if (!isGsm) {
    const chars = m.nonGsmCharacters.map((c) => `<mark class="ucs">${esc(c === ' ' ? 'NBSP' : c)}</mark>`).join(' ');
    ucs.innerHTML = `<strong>UCS-2</strong> because of ${chars || 'a character outside GSM-7'} — segments hold 70 units (67 when split) instead of 160 septets (153).`;
  }

  // Where each segment ends.
  const bad = new Set(m.nonGsmCharacters);
  $('segment-view').innerHTML = m.perSegmentText.map((t, i) => {
    const units = m.perSegmentUnits[i];
    const fill = Math.min(100, Math.round((units / per) * 100));
    const last = i === m.segments - 1;
    return `<li class="seg"><div class="seg-head"><span>Segment ${i + 1}</span><span class="seg-count">${units}/${per}</span></div>`
      + `<div class="meter" aria-hidden="true"><span style="width:${fill}%"></span></div>`
      + `<div class="seg-text">${t ? renderText(t, bad) : '<em>(empty message)</em>'}${last ? '' : '<span class="cut" title="Segment ends here">✂</span>'}</div></li>`;
  }).join('');

  // Cost to N recipients.
  const recipients = Number(msg.recipients);
  if (!Number.isInteger(recipients) || recipients < 1 || recipients > 10000000) {
    ctx.setFieldError('recipients', 'Enter a whole number of recipients, 1 to 10,000,000.');
    $('lines').innerHTML = '';
    $('total').textContent = '–';
    $('per-recipient').textContent = '–';
    return m;
  }
  try {
    const batch = batchFor(ctx, m.text, recipients);
    const carriers = Object.fromEntries((ctx.card.carriers ?? []).map((c) => [c.id, c.name]));
    const sms = batch.byService.sms;
    const price = ctx.card.services?.sms?.pricing?.unitPrice;
    const rows = [[`SMS — ${plural(recipients, 'message')} × ${plural(m.segments, 'segment')}`, `${sms?.quantity ?? '0'} segments${price ? ` × ${formatMoney(price, { exact: true })}` : ''}`, formatMoney(batch.usage, { exact: true })]];
    for (const [carrier, t] of Object.entries(batch.byCarrier)) {
      rows.push([`Carrier fee — ${carriers[carrier] ?? carrier}`, `${t.units} segments`, formatMoney(t.amount, { exact: true })]);
    }
    if (!Object.keys(batch.byCarrier).length) rows.push(['Carrier fees', 'no carrier mix', formatMoney('0')]);
    $('lines').innerHTML = rows.map(([a, q, amt]) => `<tr><td>${esc(a)}</td><td class="num muted">${esc(q)}</td><td class="num">${amt}</td></tr>`).join('');
    const total = addDecimals([batch.usage, batch.carrierFees]);
    $('total').textContent = formatMoney(total, { exact: true });
    $('total').dataset.value = total;
    $('per-recipient').textContent = `${formatMoney(divDecimal(total, recipients, 5), { exact: true })} per recipient`;

    // Smart encoding: what it would save (or saves).
    const smartNote = $('smart-note');
    const probe = msg.smart ? m : cc.segmentMessage(text, { smartEncoding: true, trimTrailingLineBreaks: msg.trim });
    const rep = probe.smartEncoding;
    const saved = rep?.segmentsSaved ?? 0;
    $('apply-smart').hidden = msg.smart || saved <= 0;
    if (rep && rep.replacements.length && saved > 0) {
      const plainText = msg.smart ? cc.segmentMessage(text, { trimTrailingLineBreaks: msg.trim }).text : m.text;
      const without = msg.smart ? batchFor(ctx, plainText, recipients) : batch;
      const withSmart = msg.smart ? batch : batchFor(ctx, probe.text, recipients);
      const diff = subDecimal(addDecimals([without.usage, without.carrierFees]), addDecimals([withSmart.usage, withSmart.carrierFees]));
      const swaps = rep.replacements.map((x) => `<code>${esc(x.from)}</code>→<code>${esc(x.to)}</code>`).join(' ');
      smartNote.innerHTML = msg.smart
        ? `Smart encoding replaced ${swaps}: ${plural(saved, 'segment')} fewer per message, <strong>${formatMoney(diff)}</strong> saved on this send.`
        : `Smart encoding would replace ${swaps} and keep it GSM-7: ${plural(saved, 'segment')} fewer per message, <strong>${formatMoney(diff)}</strong> less on this send.`;
      smartNote.hidden = false;
      smartNote.dataset.saving = cmpDecimal(diff, '0') > 0 ? diff : '0';
    } else if (rep && rep.replacements.length && probe.encoding !== 'GSM-7') {
      const swaps = rep.replacements.map((x) => `<code>${esc(x.from)}</code>→<code>${esc(x.to)}</code>`).join(' ');
      const blockers = probe.nonGsmCharacters.map((c) => `<mark class="ucs">${esc(c)}</mark>`).join(' ');
      smartNote.innerHTML = `Smart encoding ${msg.smart ? 'replaced' : 'could replace'} ${swaps}, but ${blockers} still need${probe.nonGsmCharacters.length === 1 ? 's' : ''} UCS-2: no saving.`;
      smartNote.hidden = false;
      smartNote.dataset.saving = '0';
    } else {
      smartNote.hidden = !msg.smart;
      smartNote.textContent = msg.smart ? 'Smart encoding is on: nothing here needed replacing.' : '';
      smartNote.dataset.saving = '0';
    }
  } catch (e) {
    $('composer-error').hidden = false;
    $('composer-error').textContent = ctx.describeError(e);
  }
  return m;
}
