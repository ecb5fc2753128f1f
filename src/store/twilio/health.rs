//! Whether the store still answers. A store that stopped answering (every attempt refused,
//! timed out or cut, for several seconds, with no answer in between) is given up on: every
//! later request fails at once instead of retrying for minutes, and apply starts no new step.
//!
//! Any HTTP answer, even an error, proves the store is there and resets the count.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::common::lock::lock;
use crate::store::error::StoreError;

/// Failed attempts in a row before the store can be given up on (with the time below).
const FAILURES: usize = 3;

#[derive(Debug)]
pub struct Health {
    give_up_after: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Attempts that failed since the last answer.
    failures: usize,
    /// When the earliest of them started.
    failing_since: Option<Instant>,
    /// Set once given up; never cleared.
    gone: Option<String>,
}

impl Health {
    pub fn new(give_up_after: Duration) -> Health {
        Health {
            give_up_after,
            state: Mutex::new(State::default()),
        }
    }

    pub fn answered(&self) {
        let mut state = lock(&self.state);
        state.failures = 0;
        state.failing_since = None;
    }

    /// An attempt that started at `started` got no answer.
    pub fn failed(&self, started: Instant) {
        let mut state = lock(&self.state);
        state.failures += 1;
        let since = state
            .failing_since
            .map_or(started, |since| since.min(started));
        state.failing_since = Some(since);
    }

    /// Why the store was given up on, if it was (judged now: time passes while retries wait).
    pub fn gone(&self) -> Option<String> {
        let mut state = lock(&self.state);
        if state.gone.is_none()
            && state.failures >= FAILURES
            && let Some(since) = state.failing_since
            && since.elapsed() >= self.give_up_after
        {
            state.gone = Some(format!(
                "{} attempts in a row got no answer over {:.1}s",
                state.failures,
                since.elapsed().as_secs_f64()
            ));
        }
        state.gone.clone()
    }

    /// Waits `delay`, or less when the store is given up on meanwhile.
    pub async fn pause(&self, delay: Duration) {
        let until = Instant::now() + delay;
        while self.gone().is_none() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            tokio::time::sleep(left.min(Duration::from_millis(200))).await;
        }
    }

    /// An error for `what` when the store was given up on.
    pub fn check(&self, what: &str) -> Result<(), StoreError> {
        match self.gone() {
            Some(detail) => Err(StoreError::Unreachable {
                what: what.to_owned(),
                detail,
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_up_only_after_several_failures_spanning_the_wait_with_no_answer_between() {
        let health = Health::new(Duration::from_millis(50));
        let long_ago = Instant::now() - Duration::from_secs(1);
        health.failed(long_ago);
        health.failed(long_ago);
        assert_eq!(health.gone(), None, "two failures are not enough");
        health.answered();
        health.failed(Instant::now());
        health.failed(Instant::now());
        health.failed(Instant::now());
        assert_eq!(health.gone(), None, "three quick failures are not enough");
        health.failed(long_ago);
        let gone = health.gone().expect("given up");
        assert!(
            gone.starts_with("4 attempts in a row got no answer"),
            "{gone}"
        );
        assert!(health.check("list alert rules").is_err());
    }
}
