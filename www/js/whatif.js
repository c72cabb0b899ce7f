// What-if: the current auto-recharge next to two alternatives on the same traffic (`compare`),
// and a search for the setting that keeps interruptions rare with the fewest recharges
// (`recommendAutoRecharge`). Both run in workers.
import { $, esc, pct, plural, debounce } from './dom.js';
import { formatMoney } from './money.js';
import { projectionRequest, autoRechargeOf } from './state.js';
import { CompareChart } from './chart.js';

export const VARIANT_COLORS = ['#1d4ed8', '#0d9488', '#9333ea'];
const LETTERS = ['A', 'B'];

export class WhatIf {
  constructor(ctx, channels) {
    this.ctx = ctx;
    this.channels = channels;
    this.chart = new CompareChart($('compare-chart'));
    this.last = null;
    this.recommendation = null;
    this.schedule = debounce(() => this.compare(), 150);
    const { state } = ctx;
    state.whatIf.forEach((w, i) => {
      for (const k of ['threshold', 'amount']) {
        const el = $(`wi-${i}-${k}`);
        el.value = w[k];
        el.addEventListener('input', () => { w[k] = el.value; ctx.setFieldError(el.id, null); ctx.changed('whatif'); });
      }
      $(`wi-${i}-use`).addEventListener('click', () => this.use(w.threshold, w.amount));
    });
    $('goal-max').value = state.goal.maxPct;
    $('goal-paths').value = String(state.goal.paths);
    $('goal-max').addEventListener('input', (e) => { state.goal.maxPct = e.target.value === '' ? '' : Number(e.target.value); ctx.setFieldError('goal-max', null); ctx.changed('goal'); });
    $('goal-paths').addEventListener('change', (e) => { state.goal.paths = Number(e.target.value); ctx.changed('goal'); });
    $('recommend-btn').addEventListener('click', () => this.recommend());
    $('recommend-cancel').addEventListener('click', () => { this.channels.recommend.cancel(); });
    $('recommend-apply').addEventListener('click', () => {
      const r = this.recommendation?.recommended;
      if (r) this.use(r.threshold, r.amount);
    });
  }

  fill() {
    this.ctx.state.whatIf.forEach((w, i) => { $(`wi-${i}-threshold`).value = w.threshold; $(`wi-${i}-amount`).value = w.amount; });
    $('goal-max').value = this.ctx.state.goal.maxPct;
    $('goal-paths').value = String(this.ctx.state.goal.paths);
  }

  use(threshold, amount) {
    const a = this.ctx.state.account;
    a.ar = true;
    a.threshold = String(threshold);
    if (a.arMode === 'target') a.target = String(amount); else a.amount = String(amount);
    this.ctx.refillSetup();
    this.ctx.changed('account');
    $('projection').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  variants() {
    const { state } = this.ctx;
    const a = state.account;
    const mode = a.arMode;
    const cur = autoRechargeOf(a, a.ar);
    const v = [{ label: 'Current', autoRecharge: cur }];
    state.whatIf.forEach((w, i) => {
      v.push({ label: `Option ${LETTERS[i]}`, autoRecharge: autoRechargeOf(a, true, { threshold: String(w.threshold), [mode === 'target' ? 'target' : 'amount']: String(w.amount), mode }) });
    });
    return v;
  }

  async compare() {
    const { ctx } = this;
    const labels = { amount: 'Recharge amount', target: 'Top up to' };
    $('wi-amount-label').textContent = labels[ctx.state.account.arMode] ?? labels.amount;
    $('wi-cur-threshold').textContent = ctx.state.account.ar ? formatMoney(ctx.state.account.threshold.trim() || '0') : 'off';
    const curAmt = ctx.state.account.arMode === 'target' ? ctx.state.account.target : ctx.state.account.amount;
    $('wi-cur-amount').textContent = ctx.state.account.ar ? formatMoney(curAmt.trim() || '0') : 'off';
    if (ctx.projectionBroken()) {
      $('compare-status').textContent = 'Waiting for valid settings above.';
      return;
    }
    // Many paths × three settings is slow: comparisons use at most 200 paths.
    const paths = Math.min(200, Number(ctx.state.projection.paths) || 1);
    const req = projectionRequest(ctx.state, { ledger: 'none', resolution: 'day', paths });
    $('compare-status').textContent = paths > 1 ? `Comparing over ${paths.toLocaleString('en-US')} paths…` : 'Comparing…';
    $('whatif-card').classList.add('busy');
    try {
      const { result, ms } = await this.channels.compare.run('compare', [req, this.variants()]);
      for (let i = 0; i < 2; i++) { ctx.setFieldError(`wi-${i}-threshold`, null); ctx.setFieldError(`wi-${i}-amount`, null); }
      this.last = result;
      this.render(result);
      $('compare-status').textContent = `Same traffic and seed for each column${paths > 1 ? `, ${paths} paths` : ''} · green: fewest interrupted days, then fewest recharges · computed in ${Math.round(ms)} ms`;
      ctx.publish();
    } catch (e) {
      if (e.superseded || e.cancelled) return;
      const m = /^variants\[(\d+)\]\.autoRecharge\.(threshold|amount|target)/.exec(e.path ?? '');
      if (m && Number(m[1]) > 0) {
        ctx.setFieldError(`wi-${Number(m[1]) - 1}-${m[2] === 'threshold' ? 'threshold' : 'amount'}`, ctx.describeError(e, true));
        $('compare-status').textContent = 'Fix the highlighted option.';
      } else {
        $('compare-status').textContent = ctx.describeError(e);
      }
    } finally {
      $('whatif-card').classList.remove('busy');
    }
  }

  render(c) {
    const vs = c.variants;
    const multi = vs[0] && Number(this.ctx.state.projection.paths) > 1;
    const best = vs.reduce((bi, v, i) => {
      const b = vs[bi];
      const key = (x) => [x.summary.interruptedDays, x.summary.recharges];
      const [a1, a2] = key(v); const [b1, b2] = key(b);
      return a1 < b1 || (a1 === b1 && a2 < b2) ? i : bi;
    }, 0);
    const row = (label, f, cls = '') => `<tr class="${cls}"><th scope="row">${label}</th>${vs.map((v, i) => `<td class="num${i === best ? ' best' : ''}">${f(v)}</td>`).join('')}</tr>`;
    const rows = [
      row('Recharges', (v) => `${v.summary.recharges}<span class="muted small sub">${formatMoney(v.summary.rechargedAmount)}</span>`),
      row('Failed payments', (v) => String(v.summary.rechargeFailures)),
      row('Days interrupted', (v) => (v.summary.interruptedDays ? `<span class="tag bad">${v.summary.interruptedDays}</span>` : '0')),
      row('Lowest balance', (v) => formatMoney(v.summary.lowestBalance)),
      row('Ending balance', (v) => formatMoney(v.summary.endBalance)),
      row('Spend (usage + fees)', (v) => formatMoney(v.summary.totalSpend)),
    ];
    if (multi) {
      rows.push(row('Chance of an interruption', (v) => pct(v.interruptionProbability)));
      rows.push(row('Recharges, mean over paths', (v) => v.meanRecharges.toFixed(1)));
    }
    $('compare-body').innerHTML = rows.join('');
    $('compare-key').innerHTML = vs.map((v, i) => `<li><span class="swatch line" style="background:${VARIANT_COLORS[i]}"></span>${esc(v.label)}</li>`).join('');
    this.chart.update(vs, VARIANT_COLORS);
  }

  async recommend() {
    const { ctx } = this;
    const { state } = ctx;
    const max = Number(state.goal.maxPct);
    if (!(max >= 0 && max <= 100) || state.goal.maxPct === '') {
      ctx.setFieldError('goal-max', 'Give a percentage from 0 to 100.');
      return;
    }
    if (ctx.projectionBroken()) {
      $('recommend-status').textContent = 'Fix the highlighted settings above first.';
      return;
    }
    const paths = state.goal.paths;
    const req = projectionRequest(state, { ledger: 'none', resolution: 'day', paths });
    const t0 = performance.now();
    $('recommend-btn').disabled = true;
    $('recommend-cancel').hidden = false;
    const tick = () => { $('recommend-status').textContent = `Searching thresholds × amounts over ${paths} paths each… ${((performance.now() - t0) / 1000).toFixed(1)} s`; };
    tick();
    const timer = setInterval(tick, 200);
    try {
      const { result, ms } = await this.channels.recommend.run('recommend', [req, { maxInterruptionProbability: max / 100 }]);
      this.recommendation = result;
      this.renderRecommendation(result, paths);
      $('recommend-status').textContent = `Evaluated ${plural(result.candidates.length, 'setting')} × ${paths} paths in ${(ms / 1000).toFixed(1)} s.`;
      ctx.publish();
    } catch (e) {
      $('recommend-status').textContent = e.cancelled ? 'Cancelled.' : ctx.describeError(e);
    } finally {
      clearInterval(timer);
      $('recommend-btn').disabled = false;
      $('recommend-cancel').hidden = true;
    }
  }

  renderRecommendation(r, paths) {
    const rec = r.recommended;
    const out = $('recommend-result');
    const mode = this.ctx.state.account.arMode;
    const box = $('recommend-summary');
    $('recommend-apply').hidden = !rec;
    if (rec) {
      box.className = 'status ok';
      box.innerHTML = `<strong>Recharge ${formatMoney(rec.amount)} when the balance falls to ${formatMoney(rec.threshold)}.</strong> About ${rec.meanRechargesPerMonth.toFixed(1)} recharges a month; ${pct(rec.interruptionProbability, 1)} of ${paths} sampled paths had an interruption (goal: at most ${pct(r.maxInterruptionProbability, 1)}).`
        + (mode === 'target' ? ' <span class="muted">(Applying switches the account to a fixed amount.)</span>' : '');
    } else {
      box.className = 'status warn';
      const failing = Number(this.ctx.state.account.failPct) > 0;
      box.innerHTML = `<strong>No setting in the grid meets the goal.</strong> ${failing ? 'With payment failures, auto-recharge switches off after the first failed payment, so interruptions become likely over a long horizon: lower the payment failure odds, allow a negative balance, or raise the goal.' : 'Raise the goal or allow a negative balance.'}`;
    }
    const ths = [...new Set(r.candidates.map((c) => c.threshold))];
    const ams = [...new Set(r.candidates.map((c) => c.amount))];
    const cell = (t, a) => {
      const c = r.candidates.find((x) => x.threshold === t && x.amount === a);
      const isRec = rec && rec.threshold === t && rec.amount === a;
      return `<td class="cand ${c.meetsGoal ? 'meets' : 'misses'}${isRec ? ' rec' : ''}"><span>${pct(c.interruptionProbability)}</span><span class="muted small">${c.meanRechargesPerMonth.toFixed(1)}/mo</span></td>`;
    };
    out.innerHTML = `<table class="data grid-table"><caption>Chance of an interruption and recharges a month for each pair (expected spend ${formatMoney(r.expectedDailySpend)} a day). Green meets the goal; the outlined cell is the pick.</caption>
      <thead><tr><th scope="col">Threshold ↓ · Amount →</th>${ams.map((a) => `<th scope="col" class="num">${formatMoney(a)}</th>`).join('')}</tr></thead>
      <tbody>${ths.map((t) => `<tr><th scope="row">${formatMoney(t)}</th>${ams.map((a) => cell(t, a)).join('')}</tr>`).join('')}</tbody></table>`;
  }
}
