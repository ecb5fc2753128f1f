//! The emulated Twilio Flex: the engine that behaves like the Flex Alerts, Users, Configuration
//! and TaskRouter APIs of the fact sheet, and the HTTP server around it.
//!
//! Every test talks to "Twilio" through this module; the local sandbox store runs the same
//! engine in-process.

pub mod api_error;
pub mod body;
pub mod capture;
pub mod configuration;
pub mod engine;
pub mod faults;
pub mod fire;
pub mod http;
pub mod ids;
pub mod listing;
pub mod persist;
pub mod seed;
pub mod state;
pub mod synthetic;
pub mod taskrouter;

pub use engine::Engine;
pub use seed::Seed;
pub use state::State;
