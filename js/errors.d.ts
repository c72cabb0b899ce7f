/** Stable error codes; see the README for what each means. */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'MISSING_FIELD'
  | 'UNKNOWN_FIELD'
  | 'INVALID_NUMBER'
  | 'NEGATIVE_VALUE'
  | 'OUT_OF_RANGE'
  | 'OVERFLOW'
  | 'UNKNOWN_SERVICE'
  | 'UNKNOWN_CARRIER'
  | 'INVALID_VALUE'
  | 'NOT_APPLICABLE'
  | 'TIERS_OUT_OF_ORDER'
  | 'OVERLAPPING_FEES'
  | 'DUPLICATE_ENTRY'
  | 'INVALID_DATE'
  | 'NOT_GSM7'
  | 'MESSAGE_TOO_LONG'
  | 'LIMIT_EXCEEDED'
  | 'OUT_OF_ORDER'
  | 'INVALID_SETTINGS';

export interface Problem {
  code: ErrorCode;
  path: string;
  message: string;
}

/** Thrown by every creditcast function on bad input. The object that threw stays usable. */
export declare class CreditcastError extends Error {
  readonly name: 'CreditcastError';
  readonly code: ErrorCode;
  /** Path to the offending field, e.g. `services.sms.pricing.tiers[2].upTo`; `""` for the whole input. */
  readonly path: string;
  /** The message without the path prefix. */
  readonly detail: string;
  /** Every problem found (several for rate-card validation). */
  readonly problems: Problem[];
}
