//! The emulator fires: each notification its live alert rules send, POSTed to the rule's
//! webhooks in Twilio's payload format, so a team can try its receiver before going live.
//!
//! Which notifications the rules send is decided by the product's rule engine, the same as
//! `test` and `backtest` use; the emulator imports only Flex's facts and the helpers, so
//! whoever starts it lends that engine as a `Firer` (`flex-alerts emulator` does; an
//! emulator without one fires nothing and says so).

use serde::Serialize;

use super::state::State;
use crate::common::secret::mask_url;
use crate::flex::webhook::{AlertPayload, Notification};

/// The notifications an emulator's live rules send, on the metric values it was started with
/// (a history, or the synthetic day).
pub trait Firer: Send + Sync + std::fmt::Debug {
    /// Every notification the rules of `state` send over `window` (Unix seconds), in time
    /// order.
    fn firings(&self, state: &State, window: (i64, i64)) -> Vec<Notification>;

    /// The window `POST /__admin/fire` evaluates when it names none, at the engine's time
    /// `now`: the whole history, or the last hour of the synthetic day.
    fn default_window(&self, now: i64) -> (i64, i64);

    /// The longest window (seconds) one request may ask to evaluate, when its cost grows
    /// with the window (the synthetic day is computed minute by minute); `None`: no limit.
    fn longest_window(&self) -> Option<i64> {
        None
    }
}

/// What delivering the firings did.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Each payload delivered (answered 2xx), in the order sent.
    pub sent: Vec<AlertPayload>,
    /// Deliveries that failed, with the reason; webhook URLs masked (they are secrets).
    pub failed: Vec<String>,
}

/// POSTs each firing to its webhooks, one at a time in time order, 10 s at most each.
pub async fn deliver(firings: &[Notification]) -> Report {
    crate::common::tls::install_crypto_provider();
    let mut report = Report::default();
    let client = match reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            report
                .failed
                .push(format!("cannot make an HTTP client: {error}"));
            return report;
        }
    };
    for firing in firings {
        for url in &firing.urls {
            let masked = mask_url(url);
            match client.post(url).json(&firing.payload).send().await {
                Ok(answer) if answer.status().is_success() => {
                    report.sent.push(firing.payload.clone())
                }
                Ok(answer) => report
                    .failed
                    .push(format!("{masked} answered {}", answer.status())),
                Err(error) => {
                    let reason = if error.is_timeout() {
                        "no answer within 10 s"
                    } else if error.is_connect() {
                        "cannot connect"
                    } else {
                        "the request failed"
                    };
                    report.failed.push(format!("{masked}: {reason}"));
                }
            }
        }
    }
    report
}
