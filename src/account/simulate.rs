//! `simulate(scenario)`: a pure replay of an account's life, as plain JSON in and out.

use serde::{Deserialize, Serialize};

use super::event::ScenarioEvent;
use super::ledger::{Entry, LedgerMode};
use super::recharge::AutoRechargeStatus;
use super::statement::{Invoice, PostpaidMonth, Statement};
use super::{Account, AccountConfig, Refusal};
use crate::columns::EventColumns;
use crate::error::{Error, ErrorCode as C};
use crate::money::Dec;
use crate::ratecard::RateCard;
use crate::rating::{RatingEngine, MAX_BATCH_EVENTS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SimulationOptions {
    #[serde(default)]
    pub ledger: LedgerMode,
}

/// A whole scenario, as plain JSON so a demo can be saved and shared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario<'a> {
    /// The rate card; absent = the default card. `simulate` takes the engine built from it.
    #[serde(
        default,
        deserialize_with = "crate::input::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub rate_card: Option<RateCard>,
    pub account: AccountConfig,
    /// In non-decreasing time order.
    #[serde(borrow)]
    pub events: Vec<ScenarioEvent<'a>>,
    /// Run the clock to here (a date alone means the end of that day): month ends up to and
    /// including it are settled. Not before the last event.
    pub until: String,
    #[serde(default)]
    pub options: SimulationOptions,
}

impl<'a> Scenario<'a> {
    pub fn from_json(text: &'a str) -> Result<Scenario<'a>, Error> {
        crate::input::from_json(text)
    }
}

/// What `simulate` returns (and `Account::result`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulationResult {
    /// The rate card's currency (ISO 4217).
    pub currency: String,
    /// The balance at `until` (deferred fees not yet posted are not in it).
    pub balance: Dec,
    /// Deferred carrier fees charged but not yet posted at `until`.
    pub pending_fees: Dec,
    pub ledger: Vec<Entry>,
    pub refused: Vec<Refusal>,
    pub invoices: Vec<Invoice>,
    pub statements: Vec<Statement>,
    pub auto_recharge: AutoRechargeStatus,
    pub postpaid_eligible: Vec<PostpaidMonth>,
}

/// Replay a scenario: exactly `Account::with_options(account, options)`, `apply` for every event
/// (`apply_all`), then `advance_to(until)`. Errors have paths into the scenario (`events[12].amount`,
/// `account.autoRecharge.target`, `until`).
pub fn simulate(engine: &RatingEngine, scenario: &Scenario<'_>) -> Result<SimulationResult, Error> {
    replay(engine, scenario, scenario.events.len(), |account| {
        account.apply_all(engine, &scenario.events)
    })
}

/// Events handed to `apply_all` at a time by [`simulate_columns`].
const CHUNK: usize = 256;

/// [`simulate`] with the events given as columns (the scenario's own `events` are ignored): the
/// same replay, fed to `apply_all` in chunks of events that borrow from the columns.
pub fn simulate_columns(
    engine: &RatingEngine,
    scenario: &Scenario<'_>,
    events: &EventColumns<'_>,
) -> Result<SimulationResult, Error> {
    replay(engine, scenario, events.len(), |account| {
        events.scenario_chunks(CHUNK, |base, chunk| {
            account
                .apply_all(engine, chunk)
                .map_err(|e| reindex(e, base))
        })
    })
}

/// An `apply_all` error names the event within its chunk (`[3].at`): name it within the whole
/// list (`[4099].at`).
fn reindex(mut e: Error, base: usize) -> Error {
    if base == 0 {
        return e;
    }
    let shifted = e.path.strip_prefix('[').and_then(|rest| {
        let (i, tail) = rest.split_once(']')?;
        let i: usize = i.parse().ok()?;
        Some(format!("[{}]{tail}", i.checked_add(base)?))
    });
    if let Some(p) = shifted {
        e.path = p;
    }
    e
}

fn replay(
    engine: &RatingEngine,
    scenario: &Scenario<'_>,
    n_events: usize,
    apply: impl FnOnce(&mut Account) -> Result<(), Error>,
) -> Result<SimulationResult, Error> {
    if n_events > MAX_BATCH_EVENTS {
        return Err(Error::new(
            C::LimitExceeded,
            "events",
            format!("{n_events} events; the limit is {MAX_BATCH_EVENTS}"),
        ));
    }
    let mut account = Account::with_options(scenario.account.clone(), scenario.options, engine)
        .map_err(|e| e.at("account"))?;
    apply(&mut account).map_err(|e| e.at("events"))?;
    account
        .advance_to(&scenario.until)
        .map_err(|e| e.at("until"))?;
    account.into_result()
}
