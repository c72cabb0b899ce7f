import type {
  SegmentOptions, SegmentedMessage, ProjectionRequest, ProjectionResult, Variant, Comparison,
  RechargeGoal, Recommendation, Scenario, SimulationResult, RateCard, UsageEvent, RateContext,
  Charge, BatchOptions, BatchResult,
} from './types.js';

/** Count SMS segments exactly as carriers bill them. */
export declare function segmentMessage(text: string, options?: SegmentOptions): SegmentedMessage;

/**
 * Project the balance over time from a usage profile: path 0 in detail and percentile bands over
 * `paths` random paths. `series` and `bands` hold `Float64Array`s ready for a chart.
 */
export declare function project(request: ProjectionRequest | string): ProjectionResult;

/** The same profile and seed under several account settings, side by side. */
export declare function compare(request: ProjectionRequest | string, variants: Variant[]): Comparison;

/** The auto-recharge threshold and amount that keep interruptions under the goal with the fewest recharges. */
export declare function recommendAutoRecharge(request: ProjectionRequest | string, goal: RechargeGoal): Recommendation;

/** Replay an account's life (big scenarios given as objects cross as columns; same result and errors). */
export declare function simulate(scenario: Scenario | string): SimulationResult;

/** Rates usage events against one validated rate card. */
export declare class RatingEngine {
  constructor(rateCard?: RateCard | string);
  rate(event: UsageEvent, context?: RateContext): Charge;
  /** Rate many events in order (big batches given as arrays cross as columns; same result and errors). */
  rateBatch(events: UsageEvent[] | string, options?: BatchOptions): BatchResult;
  rateCard(): RateCard;
  free(): void;
}
