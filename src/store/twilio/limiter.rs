//! How many requests may be in flight at once, found out as we go: a congestion window shared
//! by every read and write of one client. It starts at a few requests and doubles each round
//! trip while every answer is good (slow start), then grows by about one request per round
//! trip (additive increase); a 429 or 503 halves it (multiplicative decrease), at most once per
//! round trip, and ends slow start. `--concurrency` is its ceiling.
//!
//! Twilio's 429 means the account has too many requests in flight: a fixed number. When a
//! refusal arrives, the others still in flight are (at most) what Flex holds, so the window
//! also learns that number and stops probing past it: with `Retry-After`, every probe costs a
//! refused request a whole wait. So an unthrottled Flex is used at the ceiling within a few round trips, and one that
//! allows only a few requests at a time is used at its limit, as if tuned by hand.

use std::sync::Mutex;
use std::time::Instant;

use tokio::sync::Notify;

use crate::common::lock::lock;

/// The window a client starts with (at most its ceiling).
pub const INITIAL_WINDOW: usize = 8;

#[derive(Debug)]
pub struct Limiter {
    state: Mutex<Window>,
    released: Notify,
}

#[derive(Debug)]
struct Window {
    /// Requests allowed in flight (its floor, at least 1).
    limit: f64,
    /// Below this, the window doubles per round trip; above, it grows by one.
    slow_start_until: f64,
    in_flight: usize,
    /// Requests that started before the last decrease do not decrease it again.
    decreased_at: Instant,
    /// The most requests in flight that Flex has shown it takes (the ceiling until it
    /// refuses some).
    learned: f64,
}

/// One request's place in the window, given back when dropped.
#[derive(Debug)]
pub struct Permit<'a> {
    limiter: &'a Limiter,
    pub started: Instant,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        lock(&self.limiter.state).in_flight -= 1;
        self.limiter.released.notify_waiters();
    }
}

impl Limiter {
    pub fn new(ceiling: usize) -> Limiter {
        let ceiling = ceiling.max(1) as f64;
        Limiter {
            state: Mutex::new(Window {
                limit: (INITIAL_WINDOW as f64).min(ceiling),
                slow_start_until: ceiling,
                in_flight: 0,
                decreased_at: Instant::now(),
                learned: ceiling,
            }),
            released: Notify::new(),
        }
    }

    /// Requests allowed in flight now.
    pub fn limit(&self) -> usize {
        (lock(&self.state).limit as usize).max(1)
    }

    /// Waits for a place in the window.
    pub async fn acquire(&self) -> Permit<'_> {
        loop {
            let released = self.released.notified();
            tokio::pin!(released);
            released.as_mut().enable();
            {
                let mut window = lock(&self.state);
                if window.in_flight < (window.limit as usize).max(1) {
                    window.in_flight += 1;
                    return Permit {
                        limiter: self,
                        started: Instant::now(),
                    };
                }
            }
            released.await;
        }
    }

    /// A good answer: the window grows.
    pub fn succeeded(&self) {
        let mut window = lock(&self.state);
        let growth = if window.limit < window.slow_start_until {
            1.0
        } else {
            1.0 / window.limit
        };
        window.limit = (window.limit + growth).min(window.learned);
        drop(window);
        self.released.notify_waiters();
    }

    /// Flex said it is overloaded (429, 503) to `permit`'s request.
    pub fn overloaded(&self, permit: &Permit<'_>) {
        let mut window = lock(&self.state);
        // The others in flight now (this one still holds its place) are at most what Flex
        // holds; the last refusal of a burst to arrive sees the fewest.
        let others = window.in_flight.saturating_sub(1).max(1) as f64;
        window.learned = window.learned.min(others);
        window.limit = if permit.started < window.decreased_at {
            // This round trip already halved it.
            window.limit.min(window.learned)
        } else {
            (window.limit / 2.0).min(window.learned).max(1.0)
        };
        window.slow_start_until = window.limit;
        window.decreased_at = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn grows_fast_then_slowly_and_halves_once_per_round_within_bounds() {
        let limiter = Limiter::new(64);
        assert_eq!(limiter.limit(), INITIAL_WINDOW);
        for _ in 0..24 {
            limiter.succeeded();
        }
        assert_eq!(limiter.limit(), 32, "slow start: one more per good answer");
        let mut permits: Vec<Permit<'_>> =
            futures::future::join_all((0..32).map(|_| limiter.acquire())).await;
        // Refused while 31 others are in flight: the window halves, once per round trip.
        let refused = permits.pop().unwrap();
        limiter.overloaded(&refused);
        limiter.overloaded(&refused);
        assert_eq!(limiter.limit(), 16, "the same round trip halves it once");
        drop((permits, refused));
        for _ in 0..16 {
            limiter.succeeded();
        }
        assert_eq!(
            limiter.limit(),
            16,
            "past slow start, about one more per round trip"
        );
        for _ in 0..10_000 {
            limiter.succeeded();
        }
        assert_eq!(
            limiter.limit(),
            31,
            "never past what Flex has shown it takes"
        );
        for _ in 0..20 {
            std::thread::sleep(std::time::Duration::from_millis(1));
            let refused = limiter.acquire().await;
            limiter.overloaded(&refused);
        }
        assert_eq!(limiter.limit(), 1, "never below one");
    }

    #[tokio::test]
    async fn learns_the_limit_from_what_is_in_flight_when_refusals_arrive() {
        let limiter = Limiter::new(64);
        let mut permits: Vec<Permit<'_>> =
            futures::future::join_all((0..8).map(|_| limiter.acquire())).await;
        // Flex takes 4 at once: four refusals arrive while the four it took are in flight.
        for _ in 0..4 {
            let refused = permits.pop().unwrap();
            limiter.overloaded(&refused);
        }
        assert_eq!(limiter.limit(), 4);
        drop(permits);
        for _ in 0..1000 {
            limiter.succeeded();
        }
        assert_eq!(limiter.limit(), 4, "no probing past a known limit");
    }

    #[tokio::test]
    async fn holds_requests_beyond_the_window_until_one_is_released() {
        let limiter = Limiter::new(2);
        let first = limiter.acquire().await;
        let _second = limiter.acquire().await;
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), limiter.acquire());
        assert!(waiting.await.is_err(), "a third waits");
        drop(first);
        let third = tokio::time::timeout(std::time::Duration::from_millis(500), limiter.acquire());
        assert!(third.await.is_ok(), "and goes once one is released");
    }
}
