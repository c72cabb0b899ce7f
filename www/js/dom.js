// Small DOM helpers shared by the feature modules.

export const $ = (id) => document.getElementById(id);

export const esc = (s) => String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);

/** Show `message` under the control `id` (or clear it with null), wired for screen readers. */
export function setFieldError(id, message) {
  const input = $(id);
  if (!input) return false;
  let box = $(`${id}-err`);
  if (!box) {
    box = document.createElement('p');
    box.id = `${id}-err`;
    box.className = 'field-error';
    box.dataset.testid = 'field-error';
    const host = input.closest('.field') ?? input.parentElement;
    host.append(box);
  }
  if (message) {
    box.textContent = message;
    box.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    const d = new Set((input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
    d.add(box.id);
    input.setAttribute('aria-describedby', [...d].join(' '));
  } else {
    box.hidden = true;
    box.textContent = '';
    input.removeAttribute('aria-invalid');
  }
  return true;
}

/** Clear every field error inside `root`. */
export function clearFieldErrors(root) {
  for (const el of root.querySelectorAll('[aria-invalid="true"]')) setFieldError(el.id, null);
}

export function debounce(fn, ms) {
  let t;
  const d = (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  d.cancel = () => clearTimeout(t);
  return d;
}

/** "2025-03-14" from an RFC 3339 instant (or a date). */
export const day = (at) => String(at).slice(0, 10);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "Mar 14, 2025" from an RFC 3339 instant (UTC calendar date of the instant). */
export function niceDate(at) {
  const [y, m, d] = day(at).split('-').map(Number);
  return `${MONTHS[m - 1]} ${d}, ${y}`;
}
/** "Mar 2025" from "2025-03". */
export function niceMonth(ym) {
  const [y, m] = ym.split('-').map(Number);
  return `${MONTHS[m - 1]} ${y}`;
}
/** "Mar 14, 09:00" for times with an hour. */
export function niceTime(at) {
  const s = String(at);
  const hm = s.length > 10 ? s.slice(11, 16) : '';
  return hm && hm !== '00:00' ? `${niceDate(s)} ${hm}` : niceDate(s);
}

export const plural = (n, one, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export const pct = (x, digits = 0) => `${(x * 100).toFixed(digits)}%`;

/** Trigger a download of `text` as `name` (a same-origin blob URL). */
export function download(name, text, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** RFC 4180 CSV. */
export function toCsv(rows) {
  return rows.map((r) => r.map((v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(',')).join('\r\n') + '\r\n';
}

/**
 * Wire a WAI-ARIA tab list: click or arrow keys select, Home/End jump. `onSelect(panelId)` runs
 * after the switch. Returns `select(tabId)`.
 */
export function tabs(list, onSelect = () => {}) {
  const all = [...list.querySelectorAll('[role=tab]')];
  const select = (tab, focus = false) => {
    for (const t of all) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    onSelect(tab.getAttribute('aria-controls'));
  };
  for (const t of all) {
    t.addEventListener('click', () => select(t));
    t.addEventListener('keydown', (e) => {
      const i = all.indexOf(t);
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: all.length - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      select(all[(to + all.length) % all.length], true);
    });
  }
  return (id) => select(typeof id === 'string' ? document.getElementById(id) : id);
}
