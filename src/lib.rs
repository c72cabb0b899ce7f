//! creditcast: a pricing and prepaid-balance engine.
//!
//! The core is plain Rust with no WebAssembly types; `wasm` (compiled for `wasm32` only) is the
//! one thin binding module that exposes it to JavaScript.

pub mod account;
pub mod columns;
pub mod error;
pub mod fees;
pub mod input;
pub mod money;
pub mod output;
pub mod projection;
pub mod ratecard;
pub mod rating;
pub mod segments;
pub mod time;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Error, ErrorCode, Errors};
pub use ratecard::RateCard;
pub use rating::{Charge, RatingEngine, UsageEvent};
