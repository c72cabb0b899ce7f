//! The usage profile (what traffic looks like) and its validation into per-service plans the
//! path generator runs on. Every problem has a code and a path (`profile.services.sms.perDay`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode as C};
use crate::input::non_null;
use crate::ratecard::{NumberType, ServiceKind, VoiceBilling};
use crate::rating::RatingEngine;
use crate::segments::{count_segments, Encoding, SegmentOptions, MAX_MESSAGE_UNITS};

use super::rng::Noise;

/// Most entries in one `carrierMix`.
pub const MAX_CARRIER_MIX: usize = 32;
/// Most entries in one `segmentsMix` or `messageMix`.
pub const MAX_MESSAGE_MIX: usize = 32;
/// Most `busyPeriods`.
pub const MAX_BUSY_PERIODS: usize = 1_000;
/// Largest `perDay`, and largest expected daily volume once growth and busy periods apply.
pub const MAX_PER_DAY: f64 = 1e9;
/// `monthlyGrowth` range (−90 % to +100 % a month).
pub const MIN_GROWTH: f64 = -0.9;
pub const MAX_GROWTH: f64 = 1.0;
/// Largest `variation` (coefficient of variation of the daily volume).
pub const MAX_VARIATION: f64 = 3.0;
/// Largest busy-period `multiplier`.
pub const MAX_MULTIPLIER: f64 = 1_000.0;
/// Longest mean call (`durationSeconds.mean`): one day.
pub const MAX_MEAN_DURATION: f64 = 86_400.0;
/// `sd` of a lognormal call duration: at most this many times its mean.
pub const MAX_DURATION_CV: f64 = 10.0;
/// Shares must add up to 1 within this.
pub const SHARE_TOLERANCE: f64 = 1e-6;
/// Average days per month, for `monthlyGrowth` (compounded daily: `(1 + g)^(day / 30.436875)`).
pub const DAYS_PER_MONTH: f64 = 365.2425 / 12.0;

/// What traffic an account has, per service of the rate card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsageProfile {
    /// Keyed by service id of the rate card (`sms`, `voiceLocal`, …).
    pub services: BTreeMap<String, ServiceProfile>,
    /// Campaign bursts: volumes multiplied for a run of days (overlapping periods multiply).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub busy_periods: Vec<BusyPeriod>,
    /// Chance that each auto-recharge payment attempt fails (0 to 1).
    #[serde(default)]
    pub payment_failure_probability: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceProfile {
    /// Mean volume per day: messages (SMS, MMS), calls (voice) or units (metered).
    pub per_day: f64,
    /// 7 weights, Monday to Sunday (relative; normalised to a mean of 1). Absent: flat.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub weekday_shape: Option<Vec<f64>>,
    /// 24 weights, hour 0 to 23 in the account's time zone (relative; normalised to shares).
    /// Used at `"hour"` resolution only. Absent: flat.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub hour_shape: Option<Vec<f64>>,
    /// Growth per month, compounding (0.05 = +5 % a month).
    #[serde(default)]
    pub monthly_growth: f64,
    /// Coefficient of variation of the daily volume (lognormal, mean 1); 0 = deterministic.
    #[serde(default)]
    pub variation: f64,
    /// SMS: segments per message. Absent (and no `messageMix`): every message is 1 segment.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub segments_mix: Option<Vec<SegmentsShare>>,
    /// SMS: message lengths or sample texts, turned into segments with the card's segmentation.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_mix: Option<Vec<MessageShare>>,
    /// SMS/MMS: share of traffic per carrier id of the rate card. Absent: events carry no
    /// carrier, so no pass-through fees are projected.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub carrier_mix: Option<BTreeMap<String, f64>>,
    /// SMS/MMS: number type of the events (absent: the card's default).
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub number_type: Option<NumberType>,
    /// SMS, MMS, voice: share of the volume that is inbound (0 to 1).
    #[serde(default)]
    pub inbound_share: f64,
    /// Voice (required): how long calls last.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub duration_seconds: Option<DurationProfile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SegmentsShare {
    /// Segments per message (1 to 255).
    pub segments: u32,
    pub share: f64,
    /// For display only: segments are what carriers bill.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub encoding: Option<Encoding>,
}

/// A message kind: a sample `text`, or a `length` (characters, septets for GSM-7) with an
/// `encoding` (default GSM-7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageShare {
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<String>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub length: Option<u32>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub encoding: Option<Encoding>,
    pub share: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DurationDistribution {
    #[default]
    Exponential,
    Lognormal,
    Fixed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DurationProfile {
    /// Mean call duration in seconds (above 0, at most 86,400).
    pub mean: f64,
    #[serde(default)]
    pub distribution: DurationDistribution,
    /// Lognormal only (required there): standard deviation in seconds.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub sd: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BusyPeriod {
    /// First day (a date, in the account's time zone).
    pub start: String,
    /// Length in days (1 to 1,096).
    pub days: u32,
    /// Volume multiplier (0 to 1,000).
    pub multiplier: f64,
    /// Services it applies to (ids in `profile.services`); absent: all.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub services: Option<Vec<String>>,
}

/// Voice: billable time per call. Every call is connected; a call of duration `D` is billed
/// `first + K × next` seconds with `K = ceil(max(0, D − first) / next)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct VoicePlan {
    pub first: u32,
    pub next: u32,
    /// `E[K]` under the duration distribution.
    pub mean_increments: f64,
}

/// A validated service profile, ready to generate events.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ServicePlan {
    pub id: String,
    pub kind: ServiceKind,
    pub per_day: f64,
    /// Mean 1.
    pub weekday: [f64; 7],
    /// Sum 1.
    pub hour: [f64; 24],
    pub growth: f64,
    pub noise: Option<Noise>,
    pub inbound: f64,
    /// Carrier ids (one `None` when there is no carrier mix).
    pub carriers: Vec<Option<String>>,
    /// SMS: segments per message (other kinds: one class, 0).
    pub classes: Vec<u32>,
    /// Share of each (carrier, class) pair, carrier-major: what a step's count is split into.
    pub bucket_shares: Vec<f64>,
    pub number_type: Option<NumberType>,
    pub voice: Option<VoicePlan>,
}

pub(crate) struct BusyPlan {
    /// Local day numbers (days since 1970-01-01 in the account's time zone), end exclusive.
    pub from_day: i64,
    pub to_day: i64,
    pub multiplier: f64,
    /// Indices into the service plans; `None` = all.
    pub services: Option<Vec<usize>>,
}

fn err(code: C, path: impl Into<String>, msg: impl Into<String>) -> Error {
    Error::new(code, path, msg)
}

fn finite(v: f64, path: &str) -> Result<f64, Error> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(err(C::InvalidNumber, path, "must be a finite number"))
    }
}

fn in_range(v: f64, lo: f64, hi: f64, path: &str) -> Result<f64, Error> {
    let v = finite(v, path)?;
    if v < lo || v > hi {
        return Err(err(
            C::OutOfRange,
            path,
            format!("{v} is outside {lo} to {hi}"),
        ));
    }
    Ok(v)
}

fn non_negative(v: f64, path: &str) -> Result<f64, Error> {
    let v = finite(v, path)?;
    if v < 0.0 {
        return Err(err(
            C::NegativeValue,
            path,
            format!("must not be negative (got {v})"),
        ));
    }
    Ok(v)
}

/// Shares: each ≥ 0, adding up to 1.
fn shares(values: impl Iterator<Item = (f64, String)>, path: &str) -> Result<(), Error> {
    let mut sum = 0.0;
    for (v, p) in values {
        sum += non_negative(v, &p)?;
    }
    if (sum - 1.0).abs() > SHARE_TOLERANCE {
        return Err(err(
            C::OutOfRange,
            path,
            format!("shares add up to {sum}; they must add up to 1"),
        ));
    }
    Ok(())
}

/// Weights normalised so that they average `mean_to` (7 weekdays → mean 1; 24 hours → sum 1).
fn shape<const N: usize>(w: &Option<Vec<f64>>, path: &str, what: &str) -> Result<[f64; N], Error> {
    let mut out = [1.0 / N as f64; N];
    let Some(w) = w else {
        return Ok(out);
    };
    if w.len() != N {
        return Err(err(
            C::OutOfRange,
            path,
            format!("needs {N} weights ({what}); got {}", w.len()),
        ));
    }
    let mut sum = 0.0;
    for (i, v) in w.iter().enumerate() {
        sum += non_negative(*v, &format!("{path}[{i}]"))?;
    }
    if sum <= 0.0 || !sum.is_finite() {
        return Err(err(C::OutOfRange, path, "the weights must not all be 0"));
    }
    for (o, v) in out.iter_mut().zip(w) {
        *o = v / sum;
    }
    Ok(out)
}

fn not_for(present: bool, path: &str, field: &str, what: &str) -> Result<(), Error> {
    if present {
        return Err(err(
            C::NotApplicable,
            format!("{path}.{field}"),
            format!("`{field}` does not apply to {what}"),
        ));
    }
    Ok(())
}

/// Segments of a message of `length` characters in `enc`.
fn segments_of_length(length: u32, enc: Encoding) -> u32 {
    let single = enc.single_segment_units();
    if length <= single {
        1
    } else {
        length.div_ceil(enc.multi_segment_units())
    }
}

/// Validate a profile against the card. `path` is where the profile sits (`profile`).
pub(crate) fn plan_services(
    p: &UsageProfile,
    engine: &RatingEngine,
    path: &str,
) -> Result<Vec<ServicePlan>, Error> {
    let card = engine.card();
    let mut out = Vec::with_capacity(p.services.len());
    for (id, s) in &p.services {
        let sp = format!("{path}.services.{id}");
        let Some(svc) = card.services.get(id) else {
            let known: Vec<&str> = card.services.keys().map(|k| k.as_str()).collect();
            return Err(err(
                C::UnknownService,
                sp,
                format!(
                    "no service {id:?} in the rate card (it has: {})",
                    known.join(", ")
                ),
            ));
        };
        let kind = svc.kind;
        let what = match kind {
            ServiceKind::Sms => "an SMS service",
            ServiceKind::Mms => "an MMS service",
            ServiceKind::Voice => "a voice service",
            ServiceKind::Metered => "a metered service",
        };
        let per_day = non_negative(s.per_day, &format!("{sp}.perDay"))?;
        if per_day > MAX_PER_DAY {
            return Err(err(
                C::OutOfRange,
                format!("{sp}.perDay"),
                format!("{per_day} is above the limit of {MAX_PER_DAY}"),
            ));
        }
        let weekday = shape::<7>(
            &s.weekday_shape,
            &format!("{sp}.weekdayShape"),
            "Monday to Sunday",
        )?
        .map(|v| v * 7.0);
        let hour = shape::<24>(&s.hour_shape, &format!("{sp}.hourShape"), "hours 0 to 23")?;
        let growth = in_range(
            s.monthly_growth,
            MIN_GROWTH,
            MAX_GROWTH,
            &format!("{sp}.monthlyGrowth"),
        )?;
        let cv = in_range(s.variation, 0.0, MAX_VARIATION, &format!("{sp}.variation"))?;
        let messaging = matches!(kind, ServiceKind::Sms | ServiceKind::Mms);
        let inbound = if kind == ServiceKind::Metered {
            not_for(s.inbound_share != 0.0, &sp, "inboundShare", what)?;
            0.0
        } else {
            in_range(s.inbound_share, 0.0, 1.0, &format!("{sp}.inboundShare"))?
        };
        not_for(
            s.segments_mix.is_some() && kind != ServiceKind::Sms,
            &sp,
            "segmentsMix",
            what,
        )?;
        not_for(
            s.message_mix.is_some() && kind != ServiceKind::Sms,
            &sp,
            "messageMix",
            what,
        )?;
        not_for(
            s.carrier_mix.is_some() && !messaging,
            &sp,
            "carrierMix",
            what,
        )?;
        not_for(
            s.number_type.is_some() && !messaging,
            &sp,
            "numberType",
            what,
        )?;
        not_for(
            s.duration_seconds.is_some() && kind != ServiceKind::Voice,
            &sp,
            "durationSeconds",
            what,
        )?;

        let carriers = match &s.carrier_mix {
            None => vec![(None, 1.0)],
            Some(mix) => {
                let mp = format!("{sp}.carrierMix");
                if mix.len() > MAX_CARRIER_MIX {
                    return Err(err(
                        C::LimitExceeded,
                        mp,
                        format!("{} carriers; the limit is {MAX_CARRIER_MIX}", mix.len()),
                    ));
                }
                for c in mix.keys() {
                    if !card.carriers.iter().any(|k| &k.id == c) {
                        let known: Vec<&str> =
                            card.carriers.iter().map(|k| k.id.as_str()).collect();
                        return Err(err(
                            C::UnknownCarrier,
                            format!("{mp}.{c}"),
                            format!(
                                "no carrier {c:?} in the rate card (it has: {})",
                                known.join(", ")
                            ),
                        ));
                    }
                }
                shares(mix.iter().map(|(c, v)| (*v, format!("{mp}.{c}"))), &mp)?;
                mix.iter()
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(c, v)| (Some(c.clone()), *v))
                    .collect()
            }
        };

        let classes = if kind == ServiceKind::Sms {
            sms_classes(s, engine, id, &sp)?
        } else {
            vec![(0, 1.0)]
        };

        let voice = if kind == ServiceKind::Voice {
            let Some(d) = &s.duration_seconds else {
                return Err(err(
                    C::MissingField,
                    format!("{sp}.durationSeconds"),
                    "a voice service needs `durationSeconds` ({ \"mean\": 180 })",
                ));
            };
            let billing = svc.billing.unwrap_or(VoiceBilling {
                first_increment: 60,
                next_increment: 60,
            });
            Some(voice_plan(d, billing, &format!("{sp}.durationSeconds"))?)
        } else {
            None
        };

        let (carriers, carrier_shares): (Vec<_>, Vec<f64>) = carriers.into_iter().unzip();
        let (classes, class_shares): (Vec<_>, Vec<f64>) = classes.into_iter().unzip();
        let bucket_shares = carrier_shares
            .iter()
            .flat_map(|c| class_shares.iter().map(move |k| c * k))
            .collect();
        out.push(ServicePlan {
            id: id.clone(),
            kind,
            per_day,
            weekday,
            hour,
            growth,
            noise: Noise::new(cv),
            inbound,
            carriers,
            classes,
            bucket_shares,
            number_type: s.number_type,
            voice,
        });
    }
    Ok(out)
}

/// SMS segment classes from `segmentsMix` or `messageMix`, merged and in increasing segments.
fn sms_classes(
    s: &ServiceProfile,
    engine: &RatingEngine,
    id: &str,
    sp: &str,
) -> Result<Vec<(u32, f64)>, Error> {
    let mut merged: BTreeMap<u32, f64> = BTreeMap::new();
    match (&s.segments_mix, &s.message_mix) {
        (Some(_), Some(_)) => {
            return Err(err(
                C::InvalidSettings,
                format!("{sp}.messageMix"),
                "give `segmentsMix` or `messageMix`, not both",
            ))
        }
        (None, None) => {
            merged.insert(1, 1.0);
        }
        (Some(mix), None) => {
            let mp = format!("{sp}.segmentsMix");
            check_mix_len(mix.len(), &mp)?;
            shares(
                mix.iter()
                    .enumerate()
                    .map(|(i, m)| (m.share, format!("{mp}[{i}].share"))),
                &mp,
            )?;
            for (i, m) in mix.iter().enumerate() {
                if m.segments == 0 || m.segments > 255 {
                    return Err(err(
                        C::OutOfRange,
                        format!("{mp}[{i}].segments"),
                        format!("segments must be 1 to 255 (got {})", m.segments),
                    ));
                }
                if merged.insert(m.segments, m.share).is_some() {
                    return Err(err(
                        C::DuplicateEntry,
                        format!("{mp}[{i}].segments"),
                        format!("{} segments is listed twice", m.segments),
                    ));
                }
            }
        }
        (None, Some(mix)) => {
            let mp = format!("{sp}.messageMix");
            check_mix_len(mix.len(), &mp)?;
            shares(
                mix.iter()
                    .enumerate()
                    .map(|(i, m)| (m.share, format!("{mp}[{i}].share"))),
                &mp,
            )?;
            let seg = engine
                .card()
                .services
                .get(id)
                .and_then(|svc| svc.segmentation)
                .map(|g| SegmentOptions {
                    smart_encoding: g.smart_encoding,
                    trim_trailing_line_breaks: g.trim_trailing_line_breaks,
                    ..SegmentOptions::default()
                })
                .unwrap_or_default();
            for (i, m) in mix.iter().enumerate() {
                let ip = format!("{mp}[{i}]");
                let n = match (&m.text, m.length) {
                    (Some(t), None) => {
                        let opts = SegmentOptions {
                            encoding: m.encoding,
                            ..seg
                        };
                        count_segments(t, &opts).map_err(|e| e.at(&ip))?.segments
                    }
                    (None, Some(len)) => {
                        if len as usize > MAX_MESSAGE_UNITS {
                            return Err(err(
                                C::MessageTooLong,
                                format!("{ip}.length"),
                                format!("{len} is above the limit of {MAX_MESSAGE_UNITS}"),
                            ));
                        }
                        segments_of_length(len, m.encoding.unwrap_or(Encoding::Gsm7))
                    }
                    (Some(_), Some(_)) => {
                        return Err(err(
                            C::InvalidSettings,
                            format!("{ip}.length"),
                            "give `text` or `length`, not both",
                        ))
                    }
                    (None, None) => {
                        return Err(err(
                            C::MissingField,
                            format!("{ip}.text"),
                            "a message kind needs `text` or `length`",
                        ))
                    }
                };
                *merged.entry(n).or_insert(0.0) += m.share;
            }
        }
    }
    Ok(merged.into_iter().filter(|(_, v)| *v > 0.0).collect())
}

fn check_mix_len(n: usize, path: &str) -> Result<(), Error> {
    if n > MAX_MESSAGE_MIX {
        return Err(err(
            C::LimitExceeded,
            path,
            format!("{n} entries; the limit is {MAX_MESSAGE_MIX}"),
        ));
    }
    Ok(())
}

fn voice_plan(d: &DurationProfile, b: VoiceBilling, path: &str) -> Result<VoicePlan, Error> {
    let mean = finite(d.mean, &format!("{path}.mean"))?;
    if mean <= 0.0 || mean > MAX_MEAN_DURATION {
        return Err(err(
            C::OutOfRange,
            format!("{path}.mean"),
            format!("the mean duration must be above 0 and at most {MAX_MEAN_DURATION} seconds (got {mean})"),
        ));
    }
    let (first, next) = (b.first_increment, b.next_increment.max(1));
    let (f, n) = (f64::from(first), f64::from(next));
    let mean_increments = match d.distribution {
        DurationDistribution::Fixed => {
            not_for(d.sd.is_some(), path, "sd", "a fixed duration")?;
            libm::ceil((mean - f).max(0.0) / n)
        }
        DurationDistribution::Exponential => {
            not_for(
                d.sd.is_some(),
                path,
                "sd",
                "an exponential duration (its sd is its mean)",
            )?;
            // Σ_{k≥1} P(D > first + (k−1)·next), a geometric series.
            libm::exp(-f / mean) / -libm::expm1(-n / mean)
        }
        DurationDistribution::Lognormal => {
            let Some(sd) = d.sd else {
                return Err(err(
                    C::MissingField,
                    format!("{path}.sd"),
                    "a lognormal duration needs `sd`",
                ));
            };
            let sd = finite(sd, &format!("{path}.sd"))?;
            if sd <= 0.0 || sd > MAX_DURATION_CV * mean {
                return Err(err(
                    C::OutOfRange,
                    format!("{path}.sd"),
                    format!("sd must be above 0 and at most {MAX_DURATION_CV} times the mean (got {sd})"),
                ));
            }
            lognormal_increments(mean, sd, f, n)
        }
    };
    Ok(VoicePlan {
        first,
        next,
        mean_increments,
    })
}

/// `E[K] = Σ_{k≥1} P(D > first + (k−1)·next)` for a lognormal `D`: summed term by term, with the
/// far tail (past 20,000 terms) from the closed form of `E[(D − c)⁺]`.
fn lognormal_increments(mean: f64, sd: f64, first: f64, next: f64) -> f64 {
    let var = libm::log1p((sd / mean) * (sd / mean));
    let sigma = var.sqrt();
    let mu = libm::log(mean) - var / 2.0;
    let survival = |x: f64| {
        if x <= 0.0 {
            1.0
        } else {
            0.5 * libm::erfc((libm::log(x) - mu) / (sigma * std::f64::consts::SQRT_2))
        }
    };
    let phi = |x: f64| 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
    let mut sum = 0.0;
    for k in 0..20_000u32 {
        let s = survival(first + f64::from(k) * next);
        if s < 1e-17 {
            return sum;
        }
        sum += s;
    }
    // Midpoint rule for the rest: Σ_{k≥N} S(a_k) ≈ E[(D − c)⁺] / next, c = a_N − next/2.
    let c = first + 20_000.0 * next - next / 2.0;
    let d1 = (mu + var - libm::log(c)) / sigma;
    let tail = mean * phi(d1) - c * phi(d1 - sigma);
    sum + tail.max(0.0) / next
}

/// Busy periods, with local day numbers.
pub(crate) fn plan_busy(
    p: &UsageProfile,
    services: &[ServicePlan],
    path: &str,
) -> Result<Vec<BusyPlan>, Error> {
    let bp = format!("{path}.busyPeriods");
    if p.busy_periods.len() > MAX_BUSY_PERIODS {
        return Err(err(
            C::LimitExceeded,
            bp,
            format!(
                "{} busy periods; the limit is {MAX_BUSY_PERIODS}",
                p.busy_periods.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(p.busy_periods.len());
    for (i, b) in p.busy_periods.iter().enumerate() {
        let ip = format!("{bp}[{i}]");
        let day = local_day(&b.start).map_err(|m| err(C::InvalidDate, format!("{ip}.start"), m))?;
        if b.days == 0 || b.days > super::MAX_DAYS {
            return Err(err(
                C::OutOfRange,
                format!("{ip}.days"),
                format!("days must be 1 to {} (got {})", super::MAX_DAYS, b.days),
            ));
        }
        let multiplier = in_range(
            b.multiplier,
            0.0,
            MAX_MULTIPLIER,
            &format!("{ip}.multiplier"),
        )?;
        let svcs = match &b.services {
            None => None,
            Some(list) => {
                let mut v = Vec::with_capacity(list.len());
                for (j, id) in list.iter().enumerate() {
                    match services.iter().position(|s| &s.id == id) {
                        Some(k) => v.push(k),
                        None => {
                            return Err(err(
                                C::UnknownService,
                                format!("{ip}.services[{j}]"),
                                format!("{id:?} is not a service of the profile"),
                            ))
                        }
                    }
                }
                Some(v)
            }
        };
        out.push(BusyPlan {
            from_day: day,
            to_day: day + i64::from(b.days),
            multiplier,
            services: svcs,
        });
    }
    Ok(out)
}

/// The day number (days since 1970-01-01) of a date such as `2025-11-20`. Local day numbers of
/// instants are `(t + offset).div_euclid(DAY)`, so a date read in any time zone has this number.
pub(crate) fn local_day(s: &str) -> Result<i64, String> {
    if s.len() != 10 {
        return Err(format!("{s:?} is not a date (e.g. \"2025-11-20\")"));
    }
    let t = crate::time::parse_instant(s)?;
    Ok(t.div_euclid(crate::time::DAY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_increments() {
        // Fixed 150 s on 60/60: 3 minutes = first + 2 increments.
        let b = VoiceBilling {
            first_increment: 60,
            next_increment: 60,
        };
        let fixed = DurationProfile {
            mean: 150.0,
            distribution: DurationDistribution::Fixed,
            sd: None,
        };
        assert_eq!(voice_plan(&fixed, b, "").unwrap().mean_increments, 2.0);
        // Exponential: closed form against a direct sum.
        let e = DurationProfile {
            mean: 180.0,
            distribution: DurationDistribution::Exponential,
            sd: None,
        };
        let k = voice_plan(&e, b, "").unwrap().mean_increments;
        let direct: f64 = (0..10_000)
            .map(|k| (-(60.0 + 60.0 * k as f64) / 180.0f64).exp())
            .sum();
        assert!((k - direct).abs() < 1e-9);
        // Lognormal with next = 1 s: E[K] ≈ E[(D − first)⁺] + ~0.5 P(D > first).
        let l = lognormal_increments(180.0, 120.0, 30.0, 1.0);
        assert!(l > 150.0 && l < 152.0, "{l}");
        let coarse = lognormal_increments(180.0, 120.0, 60.0, 60.0);
        assert!(coarse > 2.0 && coarse < 3.0, "{coarse}");
    }

    #[test]
    fn lengths_to_segments() {
        assert_eq!(segments_of_length(0, Encoding::Gsm7), 1);
        assert_eq!(segments_of_length(160, Encoding::Gsm7), 1);
        assert_eq!(segments_of_length(161, Encoding::Gsm7), 2);
        assert_eq!(segments_of_length(306, Encoding::Gsm7), 2);
        assert_eq!(segments_of_length(307, Encoding::Gsm7), 3);
        assert_eq!(segments_of_length(70, Encoding::Ucs2), 1);
        assert_eq!(segments_of_length(71, Encoding::Ucs2), 2);
    }
}
