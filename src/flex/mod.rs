//! Flex's facts, as the fact sheet (`flex-alerts-api.md`) gives them: the JSON Twilio sends and
//! receives, the limits, SID shapes, base URLs, and the 17 metrics with what each measures.
//!
//! The bottom of the house: every layer reads these from here, and this module imports nothing
//! of ours, so no one has to open the emulator (or anything else) to learn what Flex allows.

pub mod limits;
pub mod metric;
pub mod sid;
pub mod statistics;
pub mod urls;
pub mod webhook;
pub mod wire;

pub use metric::Metric;
