// The live account: a real `Account` opened with the setup's settings, on which the buttons act
// as the customer's actions would (send, buy credits, a failing card, fixing it). Its actions are
// kept in the state, so a shared link replays them.
import { $, esc, niceTime } from './dom.js';
import { formatMoney } from './money.js';
import { accountConfig, SERVICES } from './state.js';
import { sendEvents, splitRecipients } from './composer.js';
import { KIND_LABELS } from './tables.js';

const HOUR = 3600000;
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const MAX_ACTIONS = 300;

export class LiveAccount {
  constructor(ctx) {
    this.ctx = ctx;
    this.account = null;
    this.error = null;
    $('live-send').addEventListener('click', () => this.act('send'));
    $('live-day').addEventListener('click', () => this.act('day'));
    $('live-buy').addEventListener('click', () => this.act('buy'));
    $('live-fail').addEventListener('click', () => this.act('fail'));
    $('live-fix').addEventListener('click', () => this.act('fix'));
    $('live-month').addEventListener('click', () => this.act('monthEnd'));
    $('live-reset').addEventListener('click', () => { ctx.state.live = []; this.rebuild(); ctx.changed('live'); });
    $('live-buy-amount').addEventListener('input', () => this.ctx.setFieldError('live-buy-amount', null));
  }

  startMs() { return Date.parse(`${this.ctx.state.projection.start}T09:00:00Z`); }

  /** Open the account again with the current settings and replay the recorded actions. */
  rebuild() {
    const { cc, state } = this.ctx;
    this.account?.free?.();
    this.account = null;
    this.armed = false;
    this.error = null;
    $('live-error').hidden = true;
    try {
      this.account = new cc.Account(accountConfig(state), this.ctx.card);
    } catch (e) {
      this.error = e;
      this.render();
      return;
    }
    const kept = [];
    for (const ev of state.live) {
      try {
        this.applyOne(ev);
        kept.push(ev);
      } catch (e) {
        // Settings changed under a recorded action (e.g. a service left the rate card): drop it.
        this.error = e;
        break;
      }
    }
    state.live = kept;
    this.render();
  }

  clockMs() {
    const last = this.ctx.state.live[this.ctx.state.live.length - 1];
    return last ? Date.parse(last.at) : this.startMs() - HOUR;
  }

  applyOne(ev) {
    if (ev.type === 'advance') { this.account.advanceTo(ev.at); return; }
    if (ev.type === 'batch') {
      const before = this.account.ledger().length;
      this.account.applyAll(ev.events.map((e) => ({ ...e, at: ev.at })));
      this.trackFailure(this.account.ledger().slice(before));
      return;
    }
    const r = this.account.apply(ev);
    if (ev.type === 'paymentWillFail') this.armed = true;
    this.trackFailure(r.entries);
  }

  trackFailure(entries) {
    if (entries.some((e) => e.kind === 'rechargeFailed' || e.kind === 'purchaseFailed')) this.armed = false;
  }

  /** One button press. */
  act(kind) {
    if (!this.account) return;
    const { state } = this.ctx;
    const now = this.clockMs();
    let ev;
    if (kind === 'send') ev = { type: 'batch', what: 'send', at: iso(now + HOUR), events: sendEvents(this.ctx) };
    else if (kind === 'day') {
      const next = new Date(now + 24 * HOUR);
      next.setUTCHours(9, 0, 0, 0);
      ev = { type: 'batch', what: 'day', at: iso(next.getTime()), events: this.dayEvents() };
    } else if (kind === 'buy') {
      const amount = $('live-buy-amount').value.trim();
      ev = { type: 'purchase', at: iso(now + HOUR), amount };
    } else if (kind === 'fail') ev = { type: 'paymentWillFail', at: iso(now + HOUR) };
    else if (kind === 'fix') ev = { type: 'paymentMethodFixed', at: iso(now + HOUR) };
    else if (kind === 'monthEnd') {
      const d = new Date(now + HOUR);
      ev = { type: 'advance', at: iso(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1, 0, 0, 0) + HOUR * 9) };
    }
    if (!ev) return;
    if (state.live.length >= MAX_ACTIONS) {
      this.showError(`This demo keeps the last ${MAX_ACTIONS} actions: press “Start over” to continue.`);
      return;
    }
    try {
      this.applyOne(ev);
    } catch (e) {
      this.rebuild(); // a batch may have applied in part: start again from the recorded actions
      if (kind === 'buy') this.ctx.setFieldError('live-buy-amount', this.ctx.describeError(e, true));
      else this.showError(this.ctx.describeError(e));
      return;
    }
    $('live-error').hidden = true;
    state.live.push(ev);
    this.render(kind);
    this.ctx.changed('live');
  }

  showError(text) {
    $('live-error').hidden = false;
    $('live-error').textContent = text;
  }

  /** A typical day of the usage profile (mean volumes), as aggregated usage events. */
  dayEvents() {
    const { state, card } = this.ctx;
    const u = state.usage;
    const out = [];
    const carriers = card.carriers ?? [];
    const has = (id) => card.services?.[id];
    const texts = (service, perDay, extra = {}) => {
      const n = Math.round(Number(perDay) || 0);
      if (!n || !has(service)) return;
      const split = splitRecipients(n, state.audience.mix, carriers);
      for (const [carrier, count] of split.length ? split : [[undefined, n]]) {
        out.push({ type: 'usage', service, count, ...(carrier ? { carrier } : {}), numberType: state.audience.numberType, ...extra });
      }
    };
    const segs = u.sms.segments === 'message'
      ? this.ctx.cc.segmentMessage(state.message.text).segments
      : Number(u.sms.segments) || 1;
    const smsIn = Math.round((Number(u.sms.perDay) || 0) * (Number(u.sms.inboundPct) || 0) / 100);
    texts(SERVICES.sms, (Number(u.sms.perDay) || 0) - smsIn, { segments: segs });
    texts(SERVICES.sms, smsIn, { segments: 1, direction: 'inbound' });
    texts(SERVICES.mms, u.mms.perDay);
    texts(SERVICES.autoSms, u.autoSms.perDay, { segments: 1 });
    const calls = (service, perDay, mean, inboundPct = 0) => {
      const n = Math.round(Number(perDay) || 0);
      if (!n || !has(service)) return;
      const inbound = Math.round((n * (Number(inboundPct) || 0)) / 100);
      const d = Math.max(1, Math.round(Number(mean) || 60));
      if (n - inbound) out.push({ type: 'usage', service, count: n - inbound, durationSeconds: d });
      if (inbound) out.push({ type: 'usage', service, count: inbound, durationSeconds: d, direction: 'inbound' });
    };
    calls(SERVICES.voice, u.voice.perDay, u.voice.meanSec, u.voice.inboundPct);
    calls(SERVICES.autoVoice, u.autoVoice.perDay, u.autoVoice.meanSec);
    return out;
  }

  render(lastKind) {
    const { state } = this.ctx;
    const recipients = Math.max(1, Math.floor(Number(state.message.recipients) || 1));
    $('live-send').textContent = `Send the message to ${recipients.toLocaleString('en-US')}`;
    if (!this.account) {
      $('live-balance').textContent = '–';
      $('live-status').className = 'status bad';
      $('live-status').dataset.state = 'unavailable';
      $('live-status-text').textContent = 'The live account cannot open with these settings: fix the highlighted field above.';
      for (const b of document.querySelectorAll('#live-actions button')) b.disabled = true;
      $('live-last').textContent = '';
      $('live-clock').textContent = '';
      $('live-log').innerHTML = '';
      $('live-refused').hidden = true;
      return;
    }
    for (const b of document.querySelectorAll('#live-actions button')) b.disabled = false;
    if (this.error) this.showError(`A recorded action no longer applies and was dropped: ${this.ctx.describeError(this.error)}`);
    const bal = this.account.balance();
    $('live-balance').textContent = formatMoney(bal, { exact: false });
    $('live-balance').dataset.value = bal;
    $('live-clock').textContent = state.live.length ? niceTime(state.live[state.live.length - 1].at) : `${niceTime(`${state.projection.start}T09:00:00Z`)} (opened)`;

    const s = this.account.autoRechargeStatus();
    const ledger = this.account.ledger();
    const box = $('live-status');
    const text = $('live-status-text');
    let cls = 'status ok';
    let msg;
    let stateName;
    if (s.enabled) {
      stateName = s.capReached ? 'capped' : 'on';
      const how = s.amount ? `adds ${formatMoney(s.amount)}` : `tops up to ${formatMoney(s.target)}`;
      msg = `<strong>Auto-recharge on</strong> — ${how} when the balance falls to ${formatMoney(s.threshold)}.`;
      if (s.nextTriggerAt) msg += ` ${formatMoney(s.nextTriggerAt.distance)} to go.`;
      if (s.capReached) { cls = 'status warn'; msg += ` <strong>Paused:</strong> the ${s.capReached === 'day' ? 'daily' : 'monthly'} cap of ${s.capReached === 'day' ? s.maxPerDay : s.maxPerMonth} recharges is reached.`; }
    } else if (s.reason === 'paymentFailed') {
      stateName = 'paymentFailed';
      cls = 'status bad';
      const failed = [...ledger].reverse().find((e) => e.kind === 'rechargeFailed' || e.kind === 'purchaseFailed');
      const what = failed ? `the ${failed.kind === 'rechargeFailed' ? 'auto-recharge' : 'credit purchase'} payment of ${formatMoney(failed.attempted ?? '0')} failed on ${niceTime(failed.at)}` : 'a payment failed';
      msg = `<strong>Auto-recharge off: payment failed</strong> — ${what}. It stays off until the payment method is fixed.`;
    } else {
      stateName = 'disabled';
      cls = 'status muted';
      msg = '<strong>Auto-recharge off</strong> — turned off in the account settings.';
    }
    if (s.paymentMethod === 'failed' && s.reason !== 'paymentFailed') msg += ' The payment method needs fixing.';
    if (this.armed) msg += ' <span class="tag warn">Next payment will fail</span>';
    box.className = cls;
    box.dataset.state = stateName;
    text.innerHTML = msg;
    $('live-fix').disabled = s.paymentMethod !== 'failed' && !this.armed;
    $('live-last').textContent = s.lastAttempt ? `Last auto-recharge: ${formatMoney(s.lastAttempt.amount)} ${s.lastAttempt.outcome} · ${niceTime(s.lastAttempt.at)}. This month: ${s.rechargesThisMonth}.` : 'No auto-recharge attempt yet.';

    const labels = this.ctx.serviceLabels();
    const refused = this.account.refused();
    const recent = ledger.slice(-6).reverse();
    $('live-log').innerHTML = recent.length
      ? recent.map((e) => `<li class="k-${e.kind}"><span class="kind k-${e.kind}">${KIND_LABELS[e.kind] ?? e.kind}</span><span class="what">${esc(e.service ? labels[e.service] ?? e.service : e.attempted ? `${formatMoney(e.attempted)} attempted` : '')}</span><span class="num">${formatMoney(e.amount, { sign: true })}</span><span class="num muted">${formatMoney(e.balanceAfter)}</span></li>`).join('')
      : '<li class="muted">No activity yet — use the buttons below.</li>';
    const lastRefused = refused[refused.length - 1];
    $('live-refused').hidden = !refused.length;
    $('live-refused').textContent = refused.length ? `${refused.length} usage event${refused.length === 1 ? '' : 's'} refused (service interrupted), the last: ${labels[lastRefused.service] ?? lastRefused.service} costing ${formatMoney(lastRefused.amount)} with ${formatMoney(lastRefused.balance)} left.` : '';
    void lastKind;
  }

  snapshot() {
    if (!this.account) return { open: false };
    const s = this.account.autoRechargeStatus();
    return { open: true, balance: this.account.balance(), enabled: s.enabled, reason: s.reason, paymentMethod: s.paymentMethod, actions: this.ctx.state.live.length, refused: this.account.refused().length };
  }
}
