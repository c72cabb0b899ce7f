// Monthly statements, invoices and the ledger (filterable by kind), with CSV export.
import { $, esc, niceMonth, niceTime, download, toCsv, plural } from './dom.js';
import { formatMoney, addDecimals } from './money.js';

export const KIND_LABELS = {
  usage: 'Usage',
  carrierFee: 'Carrier fee',
  purchase: 'Purchase',
  purchaseFailed: 'Purchase failed',
  recharge: 'Auto-recharge',
  rechargeFailed: 'Recharge failed',
  settlement: 'Settlement',
};

const PAGE = 200;

export function renderStatements(r, labels) {
  const st = r.statements;
  const body = st.map((s) => `<tr>
    <th scope="row">${esc(niceMonth(s.month))}</th>
    <td class="num">${formatMoney(s.openingBalance)}</td>
    <td class="num">${formatMoney(s.usage)}</td>
    <td class="num">${formatMoney(s.carrierFees)}</td>
    <td class="num">${s.recharges === '0' ? '<span class="muted">–</span>' : formatMoney(s.recharges, { sign: true })}${s.rechargeFailures ? ` <span class="tag bad" title="Failed recharge payments">${s.rechargeFailures} failed</span>` : ''}</td>
    <td class="num">${s.purchases === '0' ? '<span class="muted">–</span>' : formatMoney(s.purchases, { sign: true })}</td>
    <td class="num">${s.settlement === '0' ? '<span class="muted">–</span>' : formatMoney(s.settlement, { sign: true })}</td>
    <td class="num">${formatMoney(s.closingBalance)}</td>
    <td class="num">${s.refused ? `<span class="tag bad">${s.refused.toLocaleString('en-US')}</span>` : '<span class="muted">0</span>'}</td>
  </tr>`).join('');
  const sum = (k) => addDecimals(st.map((s) => s[k]));
  $('statements-body').innerHTML = body;
  $('statements-foot').innerHTML = st.length ? `<tr><th scope="row">Total</th><td></td>
    <td class="num">${formatMoney(sum('usage'))}</td><td class="num">${formatMoney(sum('carrierFees'))}</td>
    <td class="num">${formatMoney(sum('recharges'), { sign: true })}</td><td class="num">${formatMoney(sum('purchases'), { sign: true })}</td>
    <td class="num">${formatMoney(sum('settlement'), { sign: true })}</td><td></td>
    <td class="num">${st.reduce((a, s) => a + s.refused, 0).toLocaleString('en-US')}</td></tr>` : '';

  // Spend per service, the exact figures behind the bars.
  const inv = r.invoices;
  $('invoices').innerHTML = inv.length
    ? `<h4>Month-end settlements (invoiced to the billing admin)</h4><ul class="invoice-list">${inv.map((i) => `<li><span>${esc(niceMonth(i.month))}</span><span class="num">${formatMoney(i.amountDue, { exact: true })} due</span><span class="muted">issued ${esc(niceTime(i.issuedAt))}${i.roundingDifference !== '0' ? ` · exact ${formatMoney(i.amount, { exact: true })}` : ''}</span></li>`).join('')}</ul>`
    : '<p class="muted small">No month-end settlements: the balance never closed a month below zero.</p>';

  // Monthly spend over all paths (when there are several).
  const bandsBox = $('monthly-bands');
  if (r.paths > 1 && r.monthlySpend?.length) {
    bandsBox.hidden = false;
    bandsBox.innerHTML = `<h4>Monthly spend over ${r.paths.toLocaleString('en-US')} paths</h4><table class="data compact"><thead><tr><th scope="col">Month</th><th scope="col" class="num">P10</th><th scope="col" class="num">P50</th><th scope="col" class="num">P90</th></tr></thead><tbody>${r.monthlySpend.map((m) => `<tr><th scope="row">${esc(niceMonth(m.month))}</th><td class="num">${formatMoney(m.p10)}</td><td class="num">${formatMoney(m.p50)}</td><td class="num">${formatMoney(m.p90)}</td></tr>`).join('')}</tbody></table>`;
  } else {
    bandsBox.hidden = true;
  }
  void labels;
}

export function statementsCsv(r, labels) {
  const services = [];
  for (const s of r.statements) for (const k of Object.keys(s.usageByService)) if (!services.includes(k)) services.push(k);
  const head = ['month', 'opening_balance', ...services.map((s) => `usage_${s}`), 'usage', 'carrier_fees', 'purchases', 'recharges', 'recharge_failures', 'settlement', 'closing_balance', 'refused_events', 'spend', 'spend_rounded'];
  const rows = r.statements.map((s) => [s.month, s.openingBalance, ...services.map((k) => s.usageByService[k] ?? '0'), s.usage, s.carrierFees, s.purchases, s.recharges, s.rechargeFailures, s.settlement, s.closingBalance, s.refused, s.spend, s.spendRounded]);
  void labels;
  return toCsv([head, ...rows]);
}

export function ledgerCsv(ledger) {
  return toCsv([['at', 'kind', 'service', 'count', 'amount', 'balance_after', 'attempted'], ...ledger.map((e) => [e.at, e.kind, e.service ?? '', e.count ?? 1, e.amount, e.balanceAfter, e.attempted ?? ''])]);
}

export class LedgerTable {
  constructor(ctx) {
    this.ctx = ctx;
    this.ledger = null;
    this.shown = PAGE;
    $('ledger-kind').addEventListener('change', () => { this.shown = PAGE; this.render(); });
    $('ledger-more').addEventListener('click', () => { this.shown += PAGE * 5; this.render(); });
  }

  set(ledger) {
    this.ledger = ledger;
    this.shown = PAGE;
    const counts = {};
    for (const e of ledger) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
    const sel = $('ledger-kind');
    const cur = sel.value || 'all';
    sel.innerHTML = `<option value="all">All entries (${ledger.length.toLocaleString('en-US')})</option>`
      + Object.keys(KIND_LABELS).filter((k) => counts[k]).map((k) => `<option value="${k}">${KIND_LABELS[k]} (${counts[k].toLocaleString('en-US')})</option>`).join('');
    sel.value = counts[cur] || cur === 'all' ? cur : 'all';
    this.render();
  }

  render() {
    if (!this.ledger) return;
    const kind = $('ledger-kind').value;
    const rows = kind === 'all' ? this.ledger : this.ledger.filter((e) => e.kind === kind);
    const labels = this.ctx.serviceLabels();
    const part = rows.slice(0, this.shown);
    $('ledger-body').innerHTML = part.map((e) => {
      const credit = !e.amount.startsWith('-');
      return `<tr class="k-${e.kind}"><td>${esc(niceTime(e.at))}</td><td><span class="kind k-${e.kind}">${KIND_LABELS[e.kind] ?? e.kind}</span></td>
      <td>${esc(e.service ? labels[e.service] ?? e.service : e.attempted ? `attempted ${formatMoney(e.attempted)}` : '')}${e.count > 1 ? ` <span class="muted">×${e.count}</span>` : ''}</td>
      <td class="num ${credit && e.amount !== '0' ? 'credit' : ''}">${formatMoney(e.amount, { exact: true, sign: true })}</td>
      <td class="num">${formatMoney(e.balanceAfter, { exact: true })}</td></tr>`;
    }).join('') || '<tr><td colspan="5" class="muted">No entries of this kind.</td></tr>';
    $('ledger-more').hidden = rows.length <= this.shown;
    $('ledger-count').textContent = `Showing ${Math.min(rows.length, this.shown).toLocaleString('en-US')} of ${plural(rows.length, 'entry', 'entries')} (path 0, ${this.ctx.state.projection.ledger === 'event' ? 'every event' : 'debits merged per day'}).`;
  }
}

export function downloadCsv(name, text) { download(name, text); }
