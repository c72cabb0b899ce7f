// Hand-written wrappers over the balance and projection bindings (the rating ones are in
// rating.js), where building the result in JS beats sending it through JSON: the WASM core still
// computes everything.
import {
  __project, __compare, __recommendAutoRecharge, __simulate, __simulateColumns,
} from './creditcast_wasm.js';
import { encodeScenario, tryEncode, withRefusals } from './columns.js';

export { segmentMessage, RatingEngine } from './rating.js';

const typed = (a) => (a instanceof Float64Array ? a : Float64Array.from(a));

function withTypedArrays(result) {
  if (result.series) {
    result.series.t = typed(result.series.t);
    result.series.balance = typed(result.series.balance);
  }
  if (result.bands) {
    for (const k of ['t', 'p10', 'p50', 'p90']) result.bands[k] = typed(result.bands[k]);
  }
  return result;
}

/**
 * Project the balance over time from a usage profile. `series` and `bands` hold `Float64Array`s
 * ready for a chart; money elsewhere is decimal strings.
 */
export function project(request) {
  // The core sends the refusals and the series apart from the result's JSON (see src/wasm.rs).
  const sent = __project(request);
  const result = withRefusals(sent);
  const [, , , , t, balance] = sent;
  result.series.t = t;
  result.series.balance = balance;
  return withTypedArrays(result);
}

/** The same profile and seed under several account settings, side by side. */
export function compare(request, variants) {
  const c = __compare(request, variants);
  for (const v of c.variants ?? []) withTypedArrays(v);
  return c;
}

/** The auto-recharge settings that keep interruptions under the goal with the fewest recharges. */
export function recommendAutoRecharge(request, goal) {
  return __recommendAutoRecharge(request, goal);
}

/**
 * Replay an account's life. A scenario given as an object crosses as columns when every event
 * has a simple shape (same result and errors as the JSON path, which takes the rest).
 */
export function simulate(scenario) {
  if (Array.isArray(scenario?.events) && scenario.events.length > 0) {
    const c = tryEncode(encodeScenario, scenario);
    if (c !== null) {
      let r;
      try {
        r = __simulateColumns(c.head, c.names, c.buffers, c.events, c.text, c.lens);
      } finally {
        c.buffers.free();
      }
      if (r !== undefined) return withRefusals(r);
    }
  }
  return withRefusals(__simulate(scenario));
}
