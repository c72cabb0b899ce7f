/** A decimal amount as a string, e.g. `"0.0079"`. Outputs are always strings. */
export type Decimal = string;
/** Decimal input: a string (preferred), an integer, or a float exactly equal to what was written (`0.5`, not `0.1`). */
export type DecimalInput = string | number;
/** An ISO-8601 date or time: `"2025-01-31"` or `"2025-01-31T12:00:00Z"`. */
export type IsoTime = string;

export type ErrorCode = import('./errors.js').ErrorCode;
export interface Problem { code: ErrorCode; path: string; message: string; }

export type Encoding = 'GSM-7' | 'UCS-2';
export interface SegmentOptions {
  /** Replace look-alike characters (curly quotes, dashes, …) so the message can stay GSM-7. */
  smartEncoding?: boolean;
  /** Trim trailing line breaks before counting, as some providers do. */
  trimTrailingLineBreaks?: boolean;
  /** Force an encoding; `"GSM-7"` throws NOT_GSM7 on a text that cannot be GSM-7. */
  encoding?: 'auto' | Encoding;
}
export interface SmartEncodingReplacement { from: string; to: string; count: number; }
export interface SmartEncodingReport {
  replacements: SmartEncodingReplacement[];
  encodingWithout: Encoding;
  segmentsWithout: number;
  segmentsSaved: number;
}
export interface SegmentedMessage {
  encoding: Encoding;
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  perSegmentUnits: number[];
  perSegmentText: string[];
  unitsLeftInLastSegment: number;
  /** Characters that forced UCS-2, first seen first. */
  nonGsmCharacters: string[];
  smartEncoding?: SmartEncodingReport;
  /** The text that is billed (after smart encoding and trimming). */
  text: string;
}

export type RoundingStrategy = 'halfUp' | 'halfEven' | 'halfDown' | 'up' | 'down' | 'ceiling' | 'floor';
export interface Rounding { scale: number; strategy: RoundingStrategy; }
export type ServiceKind = 'sms' | 'mms' | 'voice' | 'metered';
export type PricingModel = 'flat' | 'graduated' | 'volume' | 'package';
export type NumberType = '10dlc' | 'tollFree' | 'shortCode';
export type Direction = 'outbound' | 'inbound';
export interface Tier { upTo: DecimalInput | null; unitPrice: DecimalInput; }
export interface Pricing {
  model: PricingModel;
  unitPrice?: DecimalInput;
  tiers?: Tier[];
  packageSize?: DecimalInput;
  packagePrice?: DecimalInput;
  /** Units included per billing period before any price applies. */
  included?: DecimalInput;
  minimumPerEvent?: DecimalInput;
}
export interface Service {
  kind: ServiceKind;
  label?: string;
  unit?: string;
  pricing: Pricing;
  inboundPricing?: Pricing;
  billing?: { firstIncrement: number; nextIncrement: number };
  connectFee?: DecimalInput;
  segmentation?: { smartEncoding?: boolean; trimTrailingLineBreaks?: boolean };
}
export interface FeeEntry {
  carrier: string;
  channel: 'sms' | 'mms';
  direction: 'outbound' | 'inbound' | 'both';
  numberType: NumberType;
  amount: DecimalInput;
  from: IsoTime;
  until?: IsoTime;
  source?: string;
}
export interface RateCard {
  version: 1;
  name: string;
  currency: string;
  effectiveFrom?: IsoTime;
  sources?: { title: string; url?: string; note?: string }[];
  rounding: { event?: Rounding; statement: Rounding; invoice: Rounding };
  defaultNumberType?: NumberType;
  services: Record<string, Service>;
  carriers?: { id: string; name: string }[];
  carrierFees?: { timing?: 'immediate' | 'deferred'; deferHours?: number; schedule?: FeeEntry[] };
}

export interface UsageEvent {
  service: string;
  direction?: Direction;
  /** SMS: the text; segments are counted from it. */
  text?: string;
  /** SMS: a segment count instead of text. */
  segments?: number;
  /** Identical messages / calls / uses this event stands for (default 1). */
  count?: number;
  /** Voice: seconds (0 = not connected). */
  durationSeconds?: DecimalInput;
  /** Metered services: units. */
  quantity?: DecimalInput;
  carrier?: string;
  numberType?: NumberType;
  at?: IsoTime;
}
export interface RateContext { used?: Record<string, DecimalInput>; }
export type LineKind = 'usage' | 'allowance' | 'volumeAdjustment' | 'package' | 'minimumCharge' | 'connectFee' | 'carrierFee';
export interface Line {
  kind: LineKind;
  quantity?: Decimal;
  unitPrice?: Decimal;
  amount: Decimal;
  tier?: number;
  carrier?: string;
  numberType?: NumberType;
  deferred?: true;
}
export interface Units {
  quantity: Decimal;
  unit: string;
  count: number;
  encoding?: Encoding;
  segmentsPerMessage?: number;
  billableSeconds?: Decimal;
}
export interface Charge {
  service: string;
  kind: ServiceKind;
  direction: Direction;
  units: Units;
  lines: Line[];
  /** Everything but carrier fees. */
  usage: Decimal;
  /** Carrier pass-through fees, at cost. */
  carrierFees: Decimal;
  total: Decimal;
}
export interface BatchOptions { charges?: 'full' | 'totals' | 'none'; }
export interface ServiceTotal { events: number; quantity: Decimal; unit: string; usage: Decimal; carrierFees: Decimal; total: Decimal; }
export interface BatchResult {
  count: number;
  usage: Decimal;
  carrierFees: Decimal;
  total: Decimal;
  byService: Record<string, ServiceTotal>;
  byCarrier: Record<string, { units: Decimal; amount: Decimal }>;
  /** Full charges (`charges: "full"`) or per-event totals (`"totals"`); absent for `"none"`. */
  charges?: Charge[] | Decimal[];
}

export interface AutoRecharge {
  enabled: boolean;
  /** Balance at or below which a payment is attempted. */
  threshold?: DecimalInput;
  /** Fixed payment (a deep drop is closed with the smallest whole multiple, in one payment)… */
  amount?: DecimalInput;
  /** …or top up to this balance. */
  target?: DecimalInput;
  /** Successful recharges per day / calendar month (account time zone); defaults 10 and 100. */
  maxPerDay?: number;
  maxPerMonth?: number;
}
export interface NegativeBalance {
  allowed: boolean;
  /** How far below zero the balance may go; unlimited when absent. */
  limit?: DecimalInput;
}
export interface AccountConfig {
  openingBalance?: DecimalInput;
  /** `"UTC"`, `"Z"` or a fixed offset `"+02:00"` (IANA names are not supported). */
  timeZone?: string;
  plan: { cycle?: 'monthly' | 'quarterly' | 'annual'; start: IsoTime };
  /** Must equal the rate card's currency when given. */
  currency?: string;
  negativeBalance?: NegativeBalance;
  autoRecharge?: AutoRecharge;
  paymentMethod?: 'ok' | 'failed';
  postpaid?: boolean;
}
export type ScenarioEventType =
  | 'usage' | 'purchase' | 'paymentWillFail' | 'paymentMethodFixed' | 'setAutoRecharge' | 'setNegativeBalance';
/** One part of an aggregated usage event: the per-message fields of a usage event. */
export type UsagePart = Omit<UsageEvent, 'service' | 'at'>;
export interface ScenarioEvent extends Partial<Omit<UsageEvent, 'at'>> {
  at: IsoTime;
  type: ScenarioEventType;
  /** `usage`: aggregated usage of `service`, rated part by part and charged as one debit. */
  parts?: UsagePart[];
  /** `purchase`: the amount bought. */
  amount?: DecimalInput;
  /** `setAutoRecharge`: the new settings. */
  autoRecharge?: AutoRecharge;
  /** `setNegativeBalance`: the new settings. */
  negativeBalance?: NegativeBalance;
}
export interface Scenario {
  rateCard?: RateCard;
  account: AccountConfig;
  events: ScenarioEvent[];
  /** Run the clock to here (a date alone = the end of that day). */
  until: IsoTime;
  options?: { ledger?: 'event' | 'hour' | 'day' | 'none' };
}
export type EntryKind = 'usage' | 'carrierFee' | 'purchase' | 'purchaseFailed' | 'recharge' | 'rechargeFailed' | 'settlement';
export interface LedgerEntry {
  at: IsoTime;
  kind: EntryKind;
  /** Signed: credits positive, debits negative. */
  amount: Decimal;
  balanceAfter: Decimal;
  service?: string;
  eventIndex?: number;
  /** Failed payments: what was attempted. */
  attempted?: Decimal;
  /** Merged ledgers: how many debits this entry stands for. */
  count?: number;
}
export interface Refusal {
  at: IsoTime;
  eventIndex: number;
  service: string;
  amount: Decimal;
  balance: Decimal;
  pendingFees?: Decimal;
  reason: 'insufficientBalance' | 'creditLimit';
}
export interface Invoice {
  month: string;
  issuedAt: IsoTime;
  amount: Decimal;
  /** Rounded with the card's `rounding.invoice`. */
  amountDue: Decimal;
  roundingDifference: Decimal;
}
export interface Statement {
  month: string;
  openingBalance: Decimal;
  closingBalance: Decimal;
  usageByService: Record<string, Decimal>;
  usage: Decimal;
  carrierFees: Decimal;
  purchases: Decimal;
  recharges: Decimal;
  rechargeFailures: number;
  purchaseFailures: number;
  settlement: Decimal;
  refused: number;
  spend: Decimal;
  spendRounded: Decimal;
}
export interface AutoRechargeStatus {
  enabled: boolean;
  reason: null | 'disabled' | 'paymentFailed';
  paymentMethod: 'ok' | 'failed';
  threshold: Decimal | null;
  amount?: Decimal;
  target?: Decimal;
  maxPerDay: number | null;
  maxPerMonth: number | null;
  lastAttempt: { at: IsoTime; amount: Decimal; outcome: 'succeeded' | 'failed' } | null;
  nextTriggerAt: { balance: Decimal; distance: Decimal } | null;
  capReached: null | 'day' | 'month';
  rechargesToday: number;
  rechargesThisMonth: number;
}
export interface SimulationResult {
  currency: string;
  balance: Decimal;
  pendingFees: Decimal;
  ledger: LedgerEntry[];
  refused: Refusal[];
  invoices: Invoice[];
  statements: Statement[];
  autoRecharge: AutoRechargeStatus;
  postpaidEligible: { month: string; spend: Decimal }[];
}
export interface Applied {
  entries: LedgerEntry[];
  refused: Refusal | null;
  invoices: Invoice[];
}
export interface SavedAccount {
  version: 1;
  rateCard: RateCard;
  /** Opaque, versioned engine state. */
  state: object;
}

export interface SegmentsShare { segments: number; share: number; encoding?: Encoding; }
export interface MessageShare { text?: string; length?: number; encoding?: Encoding; share: number; }
export interface DurationProfile { mean: number; distribution?: 'exponential' | 'lognormal' | 'fixed'; sd?: number; }
export interface ServiceProfile {
  /** Mean volume per day: messages, calls or units. */
  perDay: number;
  /** 7 weights, Monday to Sunday. */
  weekdayShape?: number[];
  /** 24 weights, hour 0 to 23 (account time zone); hourly resolution only. */
  hourShape?: number[];
  /** Compounding growth per month (0.05 = +5 %). */
  monthlyGrowth?: number;
  /** Coefficient of variation of the daily volume; 0 = deterministic. */
  variation?: number;
  segmentsMix?: SegmentsShare[];
  messageMix?: MessageShare[];
  /** Share of traffic per carrier id; absent = no carrier fees projected. */
  carrierMix?: Record<string, number>;
  numberType?: NumberType;
  inboundShare?: number;
  /** Voice: call durations (required for voice services). */
  durationSeconds?: DurationProfile;
}
export interface BusyPeriod { start: IsoTime; days: number; multiplier: number; services?: string[]; }
export interface UsageProfile {
  services: Record<string, ServiceProfile>;
  busyPeriods?: BusyPeriod[];
  /** Chance each auto-recharge payment attempt fails (0 to 1). */
  paymentFailureProbability?: number;
}
export interface ProjectionRequest {
  rateCard?: RateCard;
  account: AccountConfig;
  profile: UsageProfile;
  /** First day (a date). */
  start: IsoTime;
  /** 1 to 1,096. */
  days: number;
  resolution?: 'hour' | 'day';
  /** 1 to 10,000 random paths (default 1). */
  paths?: number;
  seed?: number;
  /** `ledger`: path 0's ledger detail (default `"day"`); `maxListedRefusals`: how many refusals to list (default 10,000). */
  options?: { ledger?: 'event' | 'hour' | 'day' | 'none'; maxListedRefusals?: number };
}
export interface Series { t: Float64Array; balance: Float64Array; }
export interface Bands { t: Float64Array; p10: Float64Array; p50: Float64Array; p90: Float64Array; }
export interface MonthBand { month: string; p10: Decimal; p50: Decimal; p90: Decimal; }
export interface RechargeBin { recharges: number; share: number; }
export interface ProjectionSummary {
  totalSpend: Decimal;
  usage: Decimal;
  spendByService: Record<string, Decimal>;
  carrierFees: Decimal;
  recharges: number;
  rechargedAmount: Decimal;
  rechargeFailures: number;
  lowestBalance: Decimal;
  lowestBalanceAt: IsoTime;
  threshold: Decimal;
  firstBelowThresholdAt: IsoTime | null;
  interruptedDays: number;
  refusedEvents: number;
  postpaidEligibleMonths: { month: string; spend: Decimal }[];
  endBalance: Decimal;
  pendingFees: Decimal;
}
export interface RechargeAttempt { at: IsoTime; amount: Decimal; outcome: 'succeeded' | 'failed'; }
export interface ProjectionResult {
  start: IsoTime;
  end: IsoTime;
  days: number;
  resolution: 'hour' | 'day';
  paths: number;
  seed: number;
  months: string[];
  series: Series;
  summary: ProjectionSummary;
  recharges: RechargeAttempt[];
  invoices: Invoice[];
  refused: Refusal[];
  statements: Statement[];
  ledger: LedgerEntry[];
  autoRecharge: AutoRechargeStatus;
  bands: Bands;
  monthlySpend: MonthBand[];
  interruptionProbability: number;
  rechargeFailureProbability: number;
  rechargesPerMonth: RechargeBin[];
  meanRecharges: number;
}
export interface Variant {
  label: string;
  autoRecharge?: AutoRecharge;
  negativeBalance?: NegativeBalance;
  plan?: { cycle?: 'monthly' | 'quarterly' | 'annual'; start?: IsoTime };
  openingBalance?: DecimalInput;
  postpaid?: boolean;
}
export interface VariantResult {
  label: string;
  account: AccountConfig;
  summary: ProjectionSummary;
  series: Series;
  bands: Bands;
  monthlySpend: MonthBand[];
  interruptionProbability: number;
  rechargeFailureProbability: number;
  rechargesPerMonth: RechargeBin[];
  meanRecharges: number;
}
export interface Comparison { variants: VariantResult[]; }
export interface RechargeGoal { maxInterruptionProbability: number; thresholds?: DecimalInput[]; amounts?: DecimalInput[]; }
export interface RechargeCandidate {
  threshold: Decimal;
  amount: Decimal;
  interruptionProbability: number;
  rechargeFailureProbability: number;
  meanRecharges: number;
  meanRechargesPerMonth: number;
  meetsGoal: boolean;
}
export interface Recommendation {
  recommended: RechargeCandidate | null;
  maxInterruptionProbability: number;
  expectedDailySpend: Decimal;
  candidates: RechargeCandidate[];
}
