//! Account events (`events[]` in a scenario, `account.apply(event)`): one flat struct, so that
//! every field error has a path, checked per `type` into an [`Action`].

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::config::{AutoRecharge, NegativeBalance};
use crate::error::{Error, ErrorCode as C};
use crate::input::{non_null, own_cow};
use crate::money::Dec;
use crate::ratecard::{Direction, NumberType};
use crate::rating::{UsageEvent, UsagePart};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventType {
    /// Usage rated with the rate card (the fields of a `rate()` event).
    Usage,
    /// A manual purchase of credit (`amount`).
    Purchase,
    /// The next payment attempt (recharge or purchase) fails; each event queues one failure.
    PaymentWillFail,
    /// The payment method works again: clears queued failures and re-enables auto-recharge.
    PaymentMethodFixed,
    /// Replace the auto-recharge settings (`autoRecharge`).
    SetAutoRecharge,
    /// Replace the negative-balance settings (`negativeBalance`).
    SetNegativeBalance,
}

/// One account event. Only the fields of its `type` may be given; any other is `NOT_APPLICABLE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioEvent<'a> {
    /// ISO-8601; a date or a time without an offset is read in the account's time zone.
    #[serde(borrow)]
    pub at: Cow<'a, str>,
    #[serde(rename = "type")]
    pub kind: EventType,
    #[serde(
        default,
        deserialize_with = "crate::input::opt_cow",
        skip_serializing_if = "Option::is_none"
    )]
    pub service: Option<Cow<'a, str>>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub direction: Option<Direction>,
    #[serde(
        default,
        deserialize_with = "crate::input::opt_cow",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<Cow<'a, str>>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub segments: Option<u32>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<u32>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub duration_seconds: Option<Dec>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Dec>,
    #[serde(
        default,
        deserialize_with = "crate::input::opt_cow",
        skip_serializing_if = "Option::is_none"
    )]
    pub carrier: Option<Cow<'a, str>>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub number_type: Option<NumberType>,
    /// `usage`: aggregated usage of `service`, rated part by part and charged as one event (one
    /// `usage` and one `carrierFee` entry, refused as a whole). The per-message fields then
    /// belong to the parts.
    #[serde(
        default,
        borrow,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub parts: Option<Vec<UsagePart<'a>>>,
    /// `purchase`: the amount bought (> 0, at most the card's statement scale in decimals).
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Dec>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_recharge: Option<Box<AutoRecharge>>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub negative_balance: Option<Box<NegativeBalance>>,
}

impl<'a> ScenarioEvent<'a> {
    /// A bare event of a type at a time (fill in the fields of the type).
    pub fn new(at: impl Into<Cow<'a, str>>, kind: EventType) -> Self {
        ScenarioEvent {
            at: at.into(),
            kind,
            service: None,
            direction: None,
            text: None,
            segments: None,
            count: None,
            duration_seconds: None,
            quantity: None,
            carrier: None,
            number_type: None,
            parts: None,
            amount: None,
            auto_recharge: None,
            negative_balance: None,
        }
    }

    /// Parse one event from JSON (errors carry paths relative to the event).
    pub fn from_json(text: &'a str) -> Result<Self, Error> {
        crate::input::from_json(text)
    }

    /// A copy that borrows nothing.
    pub fn into_owned(self) -> ScenarioEvent<'static> {
        ScenarioEvent {
            at: Cow::Owned(self.at.into_owned()),
            kind: self.kind,
            service: own_cow(self.service),
            direction: self.direction,
            text: own_cow(self.text),
            segments: self.segments,
            count: self.count,
            duration_seconds: self.duration_seconds,
            quantity: self.quantity,
            carrier: own_cow(self.carrier),
            number_type: self.number_type,
            parts: self
                .parts
                .map(|v| v.into_iter().map(UsagePart::into_owned).collect()),
            amount: self.amount,
            auto_recharge: self.auto_recharge,
            negative_balance: self.negative_balance,
        }
    }

    /// Check that only the fields of the type are present and turn the event into an action.
    pub(crate) fn action(&self) -> Result<Action<'_>, Error> {
        let usage = self.kind == EventType::Usage;
        let message = self.per_message_fields();
        let usage_fields =
            self.service.is_some() || message.iter().any(|f| f.0) || self.parts.is_some();
        let misplaced = (usage_fields && !usage)
            || (self.amount.is_some() && self.kind != EventType::Purchase)
            || (self.auto_recharge.is_some() && self.kind != EventType::SetAutoRecharge)
            || (self.negative_balance.is_some() && self.kind != EventType::SetNegativeBalance);
        if misplaced {
            return Err(self.not_applicable());
        }
        Ok(match self.kind {
            EventType::Usage => {
                let Some(service) = &self.service else {
                    return Err(Error::new(
                        C::MissingField,
                        "service",
                        "a usage event needs `service`",
                    ));
                };
                if let Some(parts) = &self.parts {
                    if let Some((_, field)) = message.iter().find(|f| f.0) {
                        return Err(Error::new(
                            C::NotApplicable,
                            *field,
                            format!("`{field}` belongs to each part of a usage event with `parts`"),
                        ));
                    }
                    return Ok(Action::Parts(service, parts));
                }
                Action::Usage(UsageEvent {
                    service: Cow::Borrowed(service.as_ref()),
                    direction: self.direction.unwrap_or_default(),
                    text: self.text.as_deref().map(Cow::Borrowed),
                    segments: self.segments,
                    count: self.count,
                    duration_seconds: self.duration_seconds,
                    quantity: self.quantity,
                    carrier: self.carrier.as_deref().map(Cow::Borrowed),
                    number_type: self.number_type,
                    at: None,
                })
            }
            EventType::Purchase => match self.amount {
                Some(a) => Action::Purchase(a.0),
                None => {
                    return Err(Error::new(
                        C::MissingField,
                        "amount",
                        "a purchase needs `amount`",
                    ))
                }
            },
            EventType::PaymentWillFail => Action::PaymentWillFail,
            EventType::PaymentMethodFixed => Action::PaymentMethodFixed,
            EventType::SetAutoRecharge => match self.auto_recharge.as_deref() {
                Some(a) => Action::SetAutoRecharge(a),
                None => {
                    return Err(Error::new(
                        C::MissingField,
                        "autoRecharge",
                        "a setAutoRecharge event needs `autoRecharge`",
                    ))
                }
            },
            EventType::SetNegativeBalance => match self.negative_balance.as_deref() {
                Some(n) => Action::SetNegativeBalance(n),
                None => {
                    return Err(Error::new(
                        C::MissingField,
                        "negativeBalance",
                        "a setNegativeBalance event needs `negativeBalance`",
                    ))
                }
            },
        })
    }

    /// The first field that does not belong to the event's type.
    #[cold]
    fn not_applicable(&self) -> Error {
        let usage = self.kind == EventType::Usage;
        let usage_fields = [(self.service.is_some(), "service")]
            .into_iter()
            .chain(self.per_message_fields())
            .chain([(self.parts.is_some(), "parts")])
            .map(|(present, field)| (present, field, usage));
        let others = [
            (
                self.amount.is_some(),
                "amount",
                self.kind == EventType::Purchase,
            ),
            (
                self.auto_recharge.is_some(),
                "autoRecharge",
                self.kind == EventType::SetAutoRecharge,
            ),
            (
                self.negative_balance.is_some(),
                "negativeBalance",
                self.kind == EventType::SetNegativeBalance,
            ),
        ];
        let field = usage_fields
            .chain(others)
            .find(|f| f.0 && !f.2)
            .map_or("", |f| f.1);
        Error::new(
            C::NotApplicable,
            field,
            format!("`{field}` does not apply to a `{}` event", self.type_name()),
        )
    }

    /// The per-message usage fields (those of a part, when the event has `parts`): present?
    fn per_message_fields(&self) -> [(bool, &'static str); 8] {
        [
            (self.direction.is_some(), "direction"),
            (self.text.is_some(), "text"),
            (self.segments.is_some(), "segments"),
            (self.count.is_some(), "count"),
            (self.duration_seconds.is_some(), "durationSeconds"),
            (self.quantity.is_some(), "quantity"),
            (self.carrier.is_some(), "carrier"),
            (self.number_type.is_some(), "numberType"),
        ]
    }

    fn type_name(&self) -> &'static str {
        self.kind.name()
    }
}

impl EventType {
    /// The `type` as written in JSON.
    pub fn name(self) -> &'static str {
        match self {
            EventType::Usage => "usage",
            EventType::Purchase => "purchase",
            EventType::PaymentWillFail => "paymentWillFail",
            EventType::PaymentMethodFixed => "paymentMethodFixed",
            EventType::SetAutoRecharge => "setAutoRecharge",
            EventType::SetNegativeBalance => "setNegativeBalance",
        }
    }
}

/// What an event asks for, after the per-type field check.
pub(crate) enum Action<'e> {
    Usage(UsageEvent<'e>),
    /// Aggregated usage: the service and its parts.
    Parts(&'e str, &'e [UsagePart<'e>]),
    Purchase(Decimal),
    PaymentWillFail,
    PaymentMethodFixed,
    SetAutoRecharge(&'e AutoRecharge),
    SetNegativeBalance(&'e NegativeBalance),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::json::Named;

    /// The names the columnar boundary uses to size JSON are the names serde writes.
    #[test]
    fn names_are_the_json_names() {
        use EventType as E;
        for k in [
            E::Usage,
            E::Purchase,
            E::PaymentWillFail,
            E::PaymentMethodFixed,
            E::SetAutoRecharge,
            E::SetNegativeBalance,
        ] {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.name())
            );
        }
        for r in [
            super::super::RefusalReason::InsufficientBalance,
            super::super::RefusalReason::CreditLimit,
        ] {
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.name())
            );
        }
        for n in [
            NumberType::TenDlc,
            NumberType::TollFree,
            NumberType::ShortCode,
        ] {
            assert_eq!(
                serde_json::to_string(&n).unwrap(),
                format!("\"{}\"", n.name())
            );
        }
    }
}
