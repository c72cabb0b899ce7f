// Lists the core sends as columns (`ListColumns` in src/columns.rs) — a simulation's refusals and
// ledger — read back into records. Apart from the event encoder (columns.js) so that the rating
// entry, which has no lists, does not load it.

/**
 * The records of a list the core sent as columns (`ListColumns` in src/columns.rs), each built by
 * `make(rec, k)`: four lines of `lines` per record — time, amount, balance (time and balance empty
 * when the same as the record before's), an optional amount (empty when none), left in `rec.at`,
 * `rec.amount`, `rec.balance` and `rec.extra` — and `width` of `numbers`, from `numbers[k]`.
 * The lines are read in place, rather than split first: only the strings a record keeps are built.
 */
function listFrom(lines, numbers, width, make) {
  if (lines === '') return [];
  let p = 0;
  const line = () => {
    let q = lines.indexOf('\n', p);
    if (q < 0) q = lines.length;
    const l = q === p ? '' : lines.slice(p, q);
    p = q + 1;
    return l;
  };
  const rec = { at: '', amount: '', balance: '', extra: '' };
  const out = new Array(numbers.length / width);
  for (let i = 0, k = 0; i < out.length; i++, k += width) {
    const t = line();
    if (t !== '') rec.at = t;
    rec.amount = line();
    const b = line();
    if (b !== '') rec.balance = b;
    rec.extra = line();
    out[i] = make(rec, k);
  }
  return out;
}

/**
 * Refusals from the core's columns (`refusal_columns` in src/columns.rs): per refusal, four lines
 * — time and balance (each empty when the same as the refusal before), amount, pending fees
 * (empty when none) — and three numbers — event index, and service and reason as indices into
 * `names` — rebuilt as the objects their JSON gives, keys in the same order.
 */
export function refusalsFrom(lines, numbers, names) {
  return listFrom(lines, numbers, 3, (rec, k) => {
    const r = { at: rec.at, eventIndex: numbers[k], service: names[numbers[k + 1]], amount: rec.amount, balance: rec.balance };
    if (rec.extra !== '') r.pendingFees = rec.extra;
    r.reason = names[numbers[k + 2]];
    return r;
  });
}

/**
 * Ledger entries from the core's columns (`ledger_columns` in src/columns.rs): per entry, four
 * lines — time and balance after (each empty when the same as the entry before), amount, amount
 * attempted (empty when none) — and four numbers — kind and service as indices into `names`, event index
 * and count, each -1 when absent — rebuilt as the objects their JSON gives, keys in the same order.
 */
export function ledgerFrom(lines, numbers, names) {
  return listFrom(lines, numbers, 4, (rec, j) => {
    const e = { at: rec.at, kind: names[numbers[j]], amount: rec.amount, balanceAfter: rec.balance };
    if (numbers[j + 1] >= 0) e.service = names[numbers[j + 1]];
    if (numbers[j + 2] >= 0) e.eventIndex = numbers[j + 2];
    if (rec.extra !== '') e.attempted = rec.extra;
    if (numbers[j + 3] >= 0) e.count = numbers[j + 3];
    return e;
  });
}

/**
 * A result the core sent as `[result, names, refusal lines, refusal numbers, ledger lines, ledger
 * numbers, …]` (`lists_apart` in src/wasm.rs), its refusals and ledger in place.
 */
export function withLists([result, names, refusalLines, refusalNumbers, ledgerLines, ledgerNumbers]) {
  result.refused = refusalsFrom(refusalLines, refusalNumbers, names);
  result.ledger = ledgerFrom(ledgerLines, ledgerNumbers, names);
  return result;
}
