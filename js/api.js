// Hand-written wrappers over the generated bindings, where building the result in JS beats
// sending it through JSON: the WASM core still computes everything.
import { segmentMessage as segmentMessageJson, __segmentPacked } from './creditcast_wasm.js';

/**
 * Count SMS segments exactly as carriers bill them. Without options the result is assembled here
 * from a packed array of numbers (the text never crosses back); with options the core's full
 * result (smart-encoding report, trimmed text) is returned as is.
 */
export function segmentMessage(text, options) {
  if (options !== undefined && options !== null) return segmentMessageJson(text, options);
  if (typeof text !== 'string') return segmentMessageJson(text, options);
  const p = __segmentPacked(text);
  const segments = p[1];
  const nonGsm = p[4];
  const perSegmentUnits = Array.from(p.subarray(5, 5 + segments));
  const perSegmentText = new Array(segments);
  let at = 0;
  for (let i = 0; i < segments; i++) {
    const len = p[5 + segments + i];
    perSegmentText[i] = text.slice(at, at + len);
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
