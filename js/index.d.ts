// The public API of creditcast, written by hand beside the bindings (the generated
// creditcast_wasm.d.ts is internal). Data types live in types.d.ts.
import type {
  AccountConfig, Applied, AutoRechargeStatus, BatchOptions, BatchResult, Charge, Comparison,
  Decimal, Invoice, LedgerEntry, Problem, ProjectionRequest, ProjectionResult, RateCard,
  RateContext, Recommendation, RechargeGoal, Refusal, SavedAccount, Scenario, ScenarioEvent,
  SegmentOptions, SegmentedMessage, SimulationResult, Statement, UsageEvent, Variant,
} from './types.js';

export type * from './types.js';
export { CreditcastError } from './errors.js';

/** Count SMS segments exactly as carriers bill them (GSM-7 / UCS-2, never splitting an escape, a surrogate pair or a grapheme cluster). */
export declare function segmentMessage(text: string, options?: SegmentOptions): SegmentedMessage;

/** The embedded example US rate card (reference figures, with their sources). */
export declare function defaultRateCard(): RateCard;

/** Every problem with a rate card, each `{ code, path, message }`; empty when the card is valid. */
export declare function validateRateCard(card: RateCard | string): Problem[];

/** Rates usage events against one validated rate card. */
export declare class RatingEngine {
  /** Validate and compile `rateCard` (the default card when omitted); throws a `CreditcastError` listing every problem. */
  constructor(rateCard?: RateCard | string);
  /** Quote one event; `context.used` gives units already used this period per service (allowances, tiers). */
  rate(event: UsageEvent, context?: RateContext): Charge;
  /** Rate many events in order, consuming allowances and tiers; totals by service and by carrier. */
  rateBatch(events: UsageEvent[] | string, options?: BatchOptions): BatchResult;
  /** The rate card this engine uses. */
  rateCard(): RateCard;
  /** Release the WASM memory now (otherwise it is released when the object is garbage-collected). */
  free(): void;
}

/** Replay an account's life (usage, purchases, payment failures and fixes, settings, month ends up to `until`). Pure. */
export declare function simulate(scenario: Scenario | string): SimulationResult;

/** A live prepaid account: apply events as they happen, read the balance, ledger and auto-recharge status, persist it. */
export declare class Account {
  /** Open an account with `config`, priced on `rateCard` (the default card when omitted). */
  constructor(config: AccountConfig, rateCard?: RateCard | string);
  /** Apply one event; month ends and deferred fees due before it are applied first. On error nothing changes. */
  apply(event: ScenarioEvent): Applied;
  /** Apply many events in order; stops at the first bad one (path `[i]…`), keeping those before it. */
  applyAll(events: ScenarioEvent[] | string): { applied: number; balance: Decimal };
  /** Run the clock to `at`: month ends settle, deferred fees post. */
  advanceTo(at: string): Applied;
  balance(): Decimal;
  ledger(): LedgerEntry[];
  refused(): Refusal[];
  invoices(): Invoice[];
  statements(): Statement[];
  autoRechargeStatus(): AutoRechargeStatus;
  /** Everything `simulate` returns, for the account as it is now. */
  result(): SimulationResult;
  /** A plain JSON value `Account.fromJSON` restores exactly (the rate card included). */
  toJSON(): SavedAccount;
  static fromJSON(saved: SavedAccount | string): Account;
  free(): void;
}

/** Project the balance from a usage profile: path 0 in detail and P10/P50/P90 bands over `paths`; `series` and `bands` are `Float64Array`s. */
export declare function project(request: ProjectionRequest | string): ProjectionResult;

/** The same profile and seed under several account settings, side by side. */
export declare function compare(request: ProjectionRequest | string, variants: Variant[]): Comparison;

/** The auto-recharge threshold and amount that keep interruptions under the goal with the fewest recharges, with the evidence. */
export declare function recommendAutoRecharge(request: ProjectionRequest | string, goal: RechargeGoal): Recommendation;

/** `project`, `compare` and `recommendAutoRecharge` with the paths spread over worker threads (Web Workers, or worker_threads in Node): the same result, sooner when there are many paths. */
export declare class ProjectionPool {
  /** Start `workers` workers (default: the machine's cores less one, at least 1, at most 16); `0` runs everything on the calling thread. */
  static create(options?: { workers?: number }): Promise<ProjectionPool>;
  /** Workers running. */
  readonly size: number;
  /** The same result as `project(request)`; rejects with the same `CreditcastError` on bad input. The calling thread runs path 0 and a share of the paths. */
  project(request: ProjectionRequest | string): Promise<ProjectionResult>;
  /** The same result as `compare(request, variants)`, every variant's paths spread the same way; rejects with the same `CreditcastError` on bad input. */
  compare(request: ProjectionRequest | string, variants: Variant[]): Promise<Comparison>;
  /** The same result as `recommendAutoRecharge(request, goal)`, every candidate's paths spread the same way; rejects with the same `CreditcastError` on bad input. */
  recommendAutoRecharge(request: ProjectionRequest | string, goal: RechargeGoal): Promise<Recommendation>;
  /** Stop the workers: calls still waiting for them reject with an `Error`; later calls run on the calling thread alone. */
  terminate(): void;
}
