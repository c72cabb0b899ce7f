// Hand-written wrappers over the balance and projection bindings (the rating ones are in
// rating.js), where building the result in JS beats sending it through JSON: the WASM core still
// computes everything.
import {
  __project, __compare, __recommendAutoRecharge, __simulate, __simulateColumns,
} from './creditcast_wasm.js';
import { encodeScenario, tryEncode } from './columns.js';
import { withLists } from './lists.js';
import { comparison, projectionResult } from './pool.js';

export { segmentMessage, RatingEngine } from './rating.js';
export { ProjectionPool } from './pool.js';

/**
 * Project the balance over time from a usage profile. `series` and `bands` hold `Float64Array`s
 * ready for a chart; money elsewhere is decimal strings.
 */
export function project(request) {
  return projectionResult(__project(request));
}

/** The same profile and seed under several account settings, side by side. */
export function compare(request, variants) {
  return comparison(__compare(request, variants));
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
      if (r !== undefined) return withLists(r);
    }
  }
  return withLists(__simulate(scenario));
}
