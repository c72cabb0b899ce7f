// Uses every export of the built package with the types a TypeScript user writes, so that
// `tsc --noEmit` (js-tests/types.test.mjs) proves the declarations are usable and precise. The
// `@ts-expect-error` lines prove that wrong inputs and outputs are rejected: tsc fails if one of
// them type-checks.
import {
  Account,
  CreditcastError,
  ProjectionPool,
  RatingEngine,
  compare,
  defaultRateCard,
  project,
  recommendAutoRecharge,
  segmentMessage,
  simulate,
  validateRateCard,
} from 'creditcast';
// The rating core alone: the same declarations, narrowed to what its smaller WASM exports.
import * as ratingOnly from 'creditcast/rating';
// @ts-expect-error: the rating entry has no balance or projection functions
import { simulate as notInRatingEntry } from 'creditcast/rating';
import type {
  AccountConfig,
  Applied,
  AutoRechargeStatus,
  BatchResult,
  Charge,
  Comparison,
  Decimal,
  Encoding,
  ErrorCode,
  Invoice,
  LedgerEntry,
  Problem,
  ProjectionRequest,
  ProjectionResult,
  RateCard,
  Recommendation,
  Refusal,
  SavedAccount,
  Scenario,
  ScenarioEvent,
  SegmentedMessage,
  SimulationResult,
  Statement,
  UsageEvent,
} from 'creditcast';

// ---- Segments ----
const message: SegmentedMessage = segmentMessage('Hello! Your code is 123456.');
const segments: number = message.segments;
const encoding: Encoding = message.encoding;
const perSegment: string[] = message.perSegmentText;
const smart = segmentMessage('It’s “done”', { smartEncoding: true, trimTrailingLineBreaks: true, encoding: 'auto' });
const saved: number | undefined = smart.smartEncoding?.segmentsSaved;
const forced = segmentMessage('hi', { encoding: 'UCS-2' });

// ---- Rate cards and rating (the README's examples) ----
const engine = new RatingEngine();
const card: RateCard = defaultRateCard();
card.services['sms']!.pricing.unitPrice = '0.0079';
const fromCard = new RatingEngine(card);
const fromText = new RatingEngine(JSON.stringify(card));
const event: UsageEvent = { service: 'sms', text: 'Hi there', carrier: 'tmobile', at: '2025-03-01' };
const charge: Charge = engine.rate(event);
const total: Decimal = charge.total;
const kinds: string[] = charge.lines.map((l) => l.kind);
const quote: Charge = fromCard.rate({ service: 'lookup', quantity: '150' }, { used: { lookup: '90' } });
const call: Decimal = engine.rate({ service: 'voiceLocal', durationSeconds: 61 }).total;
const batch: BatchResult = engine.rateBatch([
  { service: 'sms', segments: 2, carrier: 'att' },
  { service: 'mms', carrier: 'verizon' },
]);
const attFees: Decimal | undefined = batch.byCarrier['att']?.amount;
const totalsOnly: BatchResult = fromText.rateBatch([event], { charges: 'totals' });
const same: RateCard = engine.rateCard();
const problems: Problem[] = validateRateCard(card);
const firstCode: ErrorCode | undefined = problems[0]?.code;
const fromJson: Problem[] = validateRateCard(JSON.stringify(card));
fromText.free();

// ---- Errors ----
try {
  engine.rate({ service: 'sms', segments: -1 });
} catch (e) {
  if (e instanceof CreditcastError) {
    const code: ErrorCode = e.code;
    const path: string = e.path;
    const detail: string = e.detail;
    const all: Problem[] = e.problems;
    const asError: Error = e;
  }
}

// ---- The credit balance ----
const config: AccountConfig = {
  openingBalance: '10',
  timeZone: '+02:00',
  plan: { cycle: 'monthly', start: '2025-01-01' },
  negativeBalance: { allowed: true, limit: '5' },
  autoRecharge: { enabled: true, threshold: '5', amount: '20', maxPerDay: 2 },
};
const events: ScenarioEvent[] = [
  { at: '2025-01-02', type: 'usage', service: 'sms', segments: 2, carrier: 'tmobile' },
  { at: '2025-01-03', type: 'purchase', amount: '25' },
  { at: '2025-01-04', type: 'paymentWillFail' },
  { at: '2025-01-05', type: 'setAutoRecharge', autoRecharge: { enabled: true, threshold: '2', target: '30' } },
  { at: '2025-01-06T10:00:00Z', type: 'usage', service: 'sms', parts: [{ segments: 1, count: 40, carrier: 'att' }, { text: 'hi 👋', direction: 'inbound' }] },
];
const account = new Account(config, card);
const applied: Applied = account.apply({ at: '2025-01-02T10:00:00', type: 'usage', service: 'voiceLocal', durationSeconds: 90 });
const refusedNow: Refusal | null = applied.refused;
const many: { applied: number; balance: Decimal } = account.applyAll(events.slice(1));
const balance: Decimal = account.balance();
const monthEnd: Applied = account.advanceTo('2025-01-31');
const ledger: LedgerEntry[] = account.ledger();
const refused: Refusal[] = account.refused();
const invoices: Invoice[] = account.invoices();
const statements: Statement[] = account.statements();
const status: AutoRechargeStatus = account.autoRechargeStatus();
const result: SimulationResult = account.result();
const savedAccount: SavedAccount = account.toJSON();
const restored: Account = Account.fromJSON(savedAccount);
const restoredFromText: Account = Account.fromJSON(JSON.stringify(savedAccount));
restored.free();

const scenario: Scenario = { account: config, events, until: '2025-03-31', options: { ledger: 'day' } };
const simulated: SimulationResult = simulate(scenario);
const simulatedText: SimulationResult = simulate(JSON.stringify(scenario));
const closing: Decimal | undefined = simulated.statements.at(-1)?.closingBalance;

// ---- Projection ----
const request: ProjectionRequest = {
  account: config,
  profile: {
    services: {
      sms: { perDay: 800, variation: 0.25, carrierMix: { tmobile: 0.5, att: 0.5 }, segmentsMix: [{ segments: 1, share: 1 }] },
      voiceLocal: { perDay: 40, durationSeconds: { mean: 180, distribution: 'exponential' } },
    },
    busyPeriods: [{ start: '2025-01-20', days: 5, multiplier: 2 }],
    paymentFailureProbability: 0.02,
  },
  start: '2025-01-01',
  days: 90,
  resolution: 'day',
  paths: 100,
  seed: 42,
};
const projection: ProjectionResult = project(request);
const curve: Float64Array = projection.series.balance;
const p90: Float64Array = projection.bands.p90;
const spend: Decimal = projection.summary.totalSpend;
const comparison: Comparison = compare(request, [
  { label: 'recharge at 50', autoRecharge: { enabled: true, threshold: '50', amount: '200' } },
  { label: 'post-paid', postpaid: true },
]);
// The same projection with its paths spread over worker threads.
const pool: ProjectionPool = await ProjectionPool.create({ workers: 2 });
const pooled: ProjectionResult = await pool.project(request);
const pooledBand: Float64Array = pooled.bands.p50;
const pooledAdvice: Recommendation = await pool.recommendAutoRecharge(request, { maxInterruptionProbability: 0.05 });
const pooledSide: Comparison = await pool.compare(request, [{ label: 'manual top-ups', autoRecharge: { enabled: false } }]);
pool.terminate();
const recommendation: Recommendation = recommendAutoRecharge(request, { maxInterruptionProbability: 0.05 });
const threshold: Decimal | undefined = recommendation.recommended?.threshold;

const quoted: Charge = new ratingOnly.RatingEngine(ratingOnly.defaultRateCard()).rate(event);
const sameSegments: SegmentedMessage = ratingOnly.segmentMessage('hi');
const ratingProblems: Problem[] = ratingOnly.validateRateCard(card);
const sameClass: typeof CreditcastError = ratingOnly.CreditcastError;

// ---- What must not type-check ----
// @ts-expect-error: amounts come out as decimal strings, never numbers
const asNumber: number = charge.total;
// @ts-expect-error: a misspelled event field
engine.rate({ service: 'sms', segmnets: 1 });
// @ts-expect-error: every event names its service
engine.rate({ text: 'hi' });
// @ts-expect-error: the encoding is 'GSM-7' or 'UCS-2'
segmentMessage('hi', { encoding: 'GSM7' });
// @ts-expect-error: a part of aggregated usage has no service of its own
account.apply({ at: '2025-01-02', type: 'usage', service: 'sms', parts: [{ service: 'mms', count: 1 }] });
// @ts-expect-error: a pool's project returns a promise, not the result
const notAwaited: ProjectionResult = pool.project(request);
// @ts-expect-error: the worker count is a number
ProjectionPool.create({ workers: 'all' });
// @ts-expect-error: batch charges are 'full', 'totals' or 'none'
engine.rateBatch([event], { charges: 'all' });
// @ts-expect-error: no such account event type
account.apply({ at: '2025-01-02', type: 'refund', amount: '5' });
// @ts-expect-error: error codes are a closed set
const notACode: ErrorCode = 'NOT_A_CODE';
// @ts-expect-error: a rate card has a version, name, currency, rounding and services
new RatingEngine({ services: {} });
// @ts-expect-error: balances are decimal strings
const balanceNumber: number = account.balance();
