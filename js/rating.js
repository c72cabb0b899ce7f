// Hand-written wrappers over the rating bindings, where building the result in JS beats sending
// it through JSON: the WASM core still computes everything. Shared by both entries: the whole
// package (through api.js) and `creditcast/rating`, whose build holds the rating core alone.
import {
  segmentMessage as segmentMessageJson, __segmentPacked, RatingEngine as RatingEngineCore,
} from './creditcast_wasm.js';
import { encodeParts, PART } from './columns.js';

/**
 * Count SMS segments exactly as carriers bill them. Without options the result is assembled here
 * from a packed array of numbers (the text never crosses back); with options the core's full
 * result (smart-encoding report, trimmed text) is returned as is.
 */
export function segmentMessage(text, options) {
  if (options !== undefined && options !== null) return segmentMessageJson(text, options);
  if (typeof text !== 'string') return segmentMessageJson(text, options);
  // Lone surrogates reach the core as U+FFFD (same unit count); show the text the core counted.
  if (typeof text.isWellFormed === 'function' && !text.isWellFormed()) text = text.toWellFormed();
  const p = __segmentPacked(text);
  const segments = p[1];
  const nonGsm = p[4];
  const perSegmentUnits = new Array(segments);
  const perSegmentText = new Array(segments);
  let at = 0;
  for (let i = 0; i < segments; i++) {
    perSegmentUnits[i] = p[5 + i];
    const len = p[5 + segments + i];
    perSegmentText[i] = segments === 1 ? text : text.slice(at, at + len);
    at += len;
  }
  const nonGsmCharacters = new Array(nonGsm);
  const base = 5 + 2 * segments;
  for (let i = 0; i < nonGsm; i++) {
    const start = p[base + 2 * i];
    nonGsmCharacters[i] = text.slice(start, start + p[base + 2 * i + 1]);
  }
  return {
    encoding: p[0] === 0 ? 'GSM-7' : 'UCS-2',
    segments,
    units: p[2],
    perSegmentUnits,
    perSegmentText,
    unitsLeftInLastSegment: p[3],
    nonGsmCharacters,
    text,
  };
}

/** Rates usage events against one validated rate card. */
export class RatingEngine extends RatingEngineCore {
  /** Whether this engine's batch parts are coming (see `rateBatch`). */
  #parts = false;

  /**
   * Rate many events in order. With `charges: 'totals'` or `'none'`, a batch given as an array
   * crosses as columns when every event has a simple shape (same result and errors as the JSON
   * path, which takes the rest).
   */
  rateBatch(events, options) {
    // With full charges the output (an object per event) dominates and the JSON path is as
    // fast; building it after the columns also makes WASM memory grow in many small steps,
    // each of which can trigger a full GC in V8.
    const charges = options?.charges;
    // A call made while this engine's parts are coming (from a getter on an event) takes the
    // JSON path: the engine holds one batch's parts at a time.
    if ((charges === 'totals' || charges === 'none') && Array.isArray(events) && events.length > 0
      && !this.#parts) {
      this.#parts = true;
      let r;
      try {
        r = this.#rateParts(events, options);
      } finally {
        this.#parts = false;
      }
      if (Array.isArray(r)) {
        // Per-event totals came back as distinct values and an index per event.
        const [result, table, index] = r;
        const list = new Array(index.length);
        for (let i = 0; i < index.length; i++) list[i] = table[index[i]];
        result.charges = list;
        return result;
      }
      if (r !== undefined) return r;
    }
    return super.rateBatch(events, options);
  }

  /**
   * The batch as columns, a part at a time, each part rated while its text is still in the
   * cache; `undefined` when the JSON path must run (an event of another shape, or input it
   * would refuse as too large).
   */
  #rateParts(events, options) {
    let r;
    try {
      const written = encodeParts(events, PART, (names, buffers, n, text, lens, total) => {
        r = this.__rateBatchPart(total > 0 ? options : undefined, total, names, buffers, n, text, lens);
      });
      // The last part's call returns the result, or null when the JSON path must decide.
      return written ? r ?? undefined : undefined;
    } finally {
      if (r === undefined) this.__dropBatchParts();
    }
  }
}
