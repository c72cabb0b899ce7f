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
