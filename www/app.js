// The message cost calculator: every number on this page comes from the creditcast WASM engine.
import { segmentMessage, RatingEngine, defaultRateCard, CreditcastError } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
const card = defaultRateCard();
const engine = new RatingEngine(card);
const defaultMix = { tmobile: 30, att: 30, verizon: 35, uscellular: 5 };

// Carrier mix inputs, one per carrier in the rate card.
for (const c of card.carriers) {
  const wrap = document.createElement('div');
  wrap.innerHTML = `<label for="mix-${c.id}">${c.name}</label><input id="mix-${c.id}" type="number" min="0" max="100" step="1" value="${defaultMix[c.id] ?? 0}">`;
  $('mix').append(wrap);
}

const escapeHtml = (s) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]);

function renderSegments(m) {
  const bad = new Set(m.nonGsmCharacters);
  $('segment-view').innerHTML = m.perSegmentText
    .map((text, i) => {
      const body = [...text].map((ch) => (bad.has(ch) ? `<mark class="ucs">${escapeHtml(ch)}</mark>` : escapeHtml(ch))).join('');
      return `<div class="seg"><span class="tag">Segment ${i + 1} · ${m.perSegmentUnits[i]} ${m.encoding === 'GSM-7' ? 'septets' : 'units'}</span>${body || '<em>(empty)</em>'}</div>`;
    })
    .join('');
}

// Sum decimal strings exactly (as integers of 10^-scale) so the page never adds floats.
function addDecimals(values) {
  const scale = Math.max(0, ...values.map((v) => (v.split('.')[1] ?? '').length));
  let sum = 0n;
  for (const v of values) {
    const [i, f = ''] = v.replace('-', '').split('.');
    const n = BigInt(i + f.padEnd(scale, '0'));
    sum += v.startsWith('-') ? -n : n;
  }
  const neg = sum < 0n;
  const digits = (neg ? -sum : sum).toString().padStart(scale + 1, '0');
  const out = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return (neg ? '-' : '') + out;
}

const money = (s) => `$${s}`;

function update() {
  const t0 = performance.now();
  $('error').hidden = true;
  try {
    const text = $('message').value;
    const options = { smartEncoding: $('smart').checked, trimTrailingLineBreaks: $('trim').checked };
    const m = segmentMessage(text, options);
    $('encoding').textContent = m.encoding;
    $('segments').textContent = m.segments;
    $('units').textContent = m.units;
    $('left').textContent = m.unitsLeftInLastSegment;
    const ucs = $('ucs-note');
    ucs.hidden = m.encoding === 'GSM-7';
    ucs.textContent = m.nonGsmCharacters.length
      ? `UCS-2 because of: ${m.nonGsmCharacters.join(' ')} (70/67 units per segment instead of 160/153).`
      : '';
    const smart = $('smart-note');
    smart.hidden = !m.smartEncoding;
    if (m.smartEncoding) {
      const r = m.smartEncoding;
      smart.textContent = r.replacements.length
        ? `Smart encoding replaced ${r.replacements.map((x) => `${x.from}→${x.to}`).join(', ')}: saves ${r.segmentsSaved} segment(s) per message.`
        : 'Smart encoding: nothing to replace.';
    }
    renderSegments(m);

    const recipients = Number($('recipients').value);
    if (!Number.isInteger(recipients) || recipients < 1) throw new Error('Recipients must be a whole number of at least 1.');
    const numberType = $('number-type').value;
    const mix = card.carriers.map((c) => [c.id, Number($(`mix-${c.id}`).value) || 0]);
    const weight = mix.reduce((a, [, w]) => a + w, 0) || 1;
    // Whole recipients per carrier; the rounding remainder goes to the largest share.
    const counts = mix.map(([id, w]) => [id, Math.floor((recipients * w) / weight)]);
    const rest = recipients - counts.reduce((a, [, n]) => a + n, 0);
    counts.sort((a, b) => b[1] - a[1]);
    if (counts.length) counts[0][1] += rest;
    const events = counts.filter(([, n]) => n > 0).map(([carrier, n]) => ({
      service: 'sms', text: m.text, count: n, carrier, numberType,
    }));
    const batch = engine.rateBatch(events);
    const rows = [[`SMS usage (${m.segments} segment${m.segments === 1 ? '' : 's'} × ${recipients})`, batch.byService.sms?.quantity ?? '0', batch.usage]];
    for (const [carrier, t] of Object.entries(batch.byCarrier)) {
      const name = card.carriers.find((c) => c.id === carrier)?.name ?? carrier;
      rows.push([`Carrier fee — ${name} (pass-through)`, t.units, t.amount]);
    }
    $('lines').innerHTML = rows.map(([a, q, amt]) => `<tr><td>${escapeHtml(a)}</td><td class="num">${q}</td><td class="num">${money(amt)}</td></tr>`).join('');
    $('total').textContent = money(addDecimals([batch.usage, batch.carrierFees]));
  } catch (e) {
    $('error').hidden = false;
    $('error').textContent = e instanceof CreditcastError ? `${e.code} at ${e.path || 'input'}: ${e.detail}` : e.message;
  }
  $('timing').textContent = `computed in ${(performance.now() - t0).toFixed(1)} ms`;
}

for (const el of document.querySelectorAll('textarea, input, select')) el.addEventListener('input', update);
update();
