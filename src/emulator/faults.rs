//! Fault injection for the emulator: latency, a concurrency limit answered with 429, a rate of
//! 500/503 answers, dropped connections, "apply the write, then fail the response", and a
//! script of one-off faults aimed at particular requests.
//!
//! Random faults draw from a generator seeded at start, so a run is reproducible; scripted
//! faults are exact and are what tests use to assert request counts.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The faults in force; set by flags at start and replaced at run time via `/__admin/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every request, in milliseconds.
    pub latency_ms: u64,
    /// Up to this many milliseconds more, drawn at random per request.
    pub latency_jitter_ms: u64,
    /// More requests than this in flight at once are answered 429 (code 20429).
    pub concurrency_limit: Option<usize>,
    /// `Retry-After` sent with those 429s: seconds or an HTTP date.
    pub retry_after: Option<String>,
    /// Share of requests (0 to 1) answered with `error_status` without being processed.
    pub error_rate: f64,
    /// 500 or 503.
    pub error_status: u16,
    /// Share of requests whose connection is dropped without being processed.
    pub drop_rate: f64,
    /// Share of writes (POST, DELETE) applied and then answered with 500.
    pub apply_then_fail_rate: f64,
    /// Share of writes applied and then left without an answer (the connection is cut).
    pub apply_then_drop_rate: f64,
    /// One-off faults, each for the next `times` requests that match it, in order.
    pub script: Vec<ScriptedFault>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            latency_jitter_ms: 0,
            concurrency_limit: None,
            retry_after: None,
            error_rate: 0.0,
            error_status: 503,
            drop_rate: 0.0,
            apply_then_fail_rate: 0.0,
            apply_then_drop_rate: 0.0,
            script: Vec::new(),
        }
    }
}

/// A fault for the requests that match every given condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedFault {
    /// `GET`, `POST`, `DELETE`, or `WRITE` for both POST and DELETE; any when omitted.
    #[serde(default)]
    pub method: Option<String>,
    /// A part of the path, e.g. `/InsightsRules`.
    #[serde(default)]
    pub path_contains: Option<String>,
    /// A part of the request body, e.g. an alert's name.
    #[serde(default)]
    pub body_contains: Option<String>,
    pub action: FaultAction,
    /// How many matching requests get it; forever when omitted.
    #[serde(default)]
    pub times: Option<u32>,
    /// How many matching requests pass untouched before it applies (to aim at the Nth write).
    #[serde(default)]
    pub skip: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Answer with this status (Twilio error body) without processing the request.
    Status {
        status: u16,
        #[serde(default)]
        retry_after: Option<String>,
    },
    /// Close the connection without an answer, without processing the request.
    Drop,
    /// Process the request, then answer 500 instead of its result.
    ApplyThenFail,
    /// Process the request, then close the connection without an answer.
    ApplyThenDrop,
    /// Hold the request without processing it and without answering (up to a minute), so a
    /// test can kill the client while it waits.
    Hold,
    /// Process the request, then hold it without answering (up to a minute).
    ApplyThenHold,
}

/// What to do with one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Pass,
    Reject {
        status: u16,
        retry_after: Option<String>,
    },
    Drop,
    ApplyThenFail,
    ApplyThenDrop,
    Hold,
    ApplyThenHold,
}

/// The faults in force and the seeded generator behind the random ones.
#[derive(Debug)]
pub struct FaultState {
    pub faults: Faults,
    rng: fastrand::Rng,
}

impl FaultState {
    pub fn new(faults: Faults, seed: u64) -> Self {
        FaultState {
            faults,
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// The latency and the fault for a request.
    pub fn decide(&mut self, method: &str, path: &str, body: &[u8]) -> (Duration, Decision) {
        let jitter = match self.faults.latency_jitter_ms {
            0 => 0,
            jitter => self.rng.u64(0..=jitter),
        };
        let latency = Duration::from_millis(self.faults.latency_ms + jitter);
        (
            latency,
            self.scripted(method, path, body)
                .unwrap_or_else(|| self.random(method)),
        )
    }

    fn scripted(&mut self, method: &str, path: &str, body: &[u8]) -> Option<Decision> {
        let body = String::from_utf8_lossy(body);
        let write = method == "POST" || method == "DELETE";
        let index = self.faults.script.iter().position(|fault| {
            fault.method.as_deref().is_none_or(|wanted| {
                wanted.eq_ignore_ascii_case(method) || (wanted == "WRITE" && write)
            }) && fault
                .path_contains
                .as_deref()
                .is_none_or(|part| path.contains(part))
                && fault
                    .body_contains
                    .as_deref()
                    .is_none_or(|part| body.contains(part))
        })?;
        let fault = &mut self.faults.script[index];
        if fault.skip > 0 {
            fault.skip -= 1;
            return None;
        }
        let action = fault.action.clone();
        if let Some(times) = &mut fault.times {
            *times = times.saturating_sub(1);
            if *times == 0 {
                self.faults.script.remove(index);
            }
        }
        Some(match action {
            FaultAction::Status {
                status,
                retry_after,
            } => Decision::Reject {
                status,
                retry_after,
            },
            FaultAction::Drop => Decision::Drop,
            FaultAction::ApplyThenFail => Decision::ApplyThenFail,
            FaultAction::ApplyThenDrop => Decision::ApplyThenDrop,
            FaultAction::Hold => Decision::Hold,
            FaultAction::ApplyThenHold => Decision::ApplyThenHold,
        })
    }

    fn random(&mut self, method: &str) -> Decision {
        let faults = &self.faults;
        if faults.drop_rate > 0.0 && self.rng.f64() < faults.drop_rate {
            return Decision::Drop;
        }
        if faults.error_rate > 0.0 && self.rng.f64() < faults.error_rate {
            return Decision::Reject {
                status: faults.error_status,
                retry_after: None,
            };
        }
        let write = method == "POST" || method == "DELETE";
        if write
            && faults.apply_then_fail_rate > 0.0
            && self.rng.f64() < faults.apply_then_fail_rate
        {
            return Decision::ApplyThenFail;
        }
        if write
            && faults.apply_then_drop_rate > 0.0
            && self.rng.f64() < faults.apply_then_drop_rate
        {
            return Decision::ApplyThenDrop;
        }
        Decision::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripted(fault: ScriptedFault) -> FaultState {
        FaultState::new(
            Faults {
                script: vec![fault],
                ..Faults::default()
            },
            1,
        )
    }

    #[test]
    fn scripted_fault_hits_only_matching_requests_and_runs_out() {
        let mut state = scripted(ScriptedFault {
            method: Some("POST".into()),
            path_contains: Some("/InsightsRules".into()),
            body_contains: Some("Billing".into()),
            action: FaultAction::Drop,
            times: Some(2),
            skip: 0,
        });
        assert_eq!(
            state
                .decide("GET", "/v1/Instances/GO1/InsightsRules", b"Billing")
                .1,
            Decision::Pass
        );
        assert_eq!(
            state
                .decide("POST", "/v1/Instances/GO1/InsightsRules", b"Support")
                .1,
            Decision::Pass
        );
        for _ in 0..2 {
            assert_eq!(
                state
                    .decide("POST", "/v1/Instances/GO1/InsightsRules", b"Billing")
                    .1,
                Decision::Drop
            );
        }
        assert_eq!(
            state
                .decide("POST", "/v1/Instances/GO1/InsightsRules", b"Billing")
                .1,
            Decision::Pass
        );
    }

    #[test]
    fn random_faults_are_reproducible_from_the_seed() {
        let faults = Faults {
            error_rate: 0.5,
            latency_jitter_ms: 100,
            ..Faults::default()
        };
        let run = |seed| {
            let mut state = FaultState::new(faults.clone(), seed);
            (0..50)
                .map(|_| state.decide("GET", "/", b""))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        let rejected = run(7)
            .iter()
            .filter(|(_, decision)| *decision != Decision::Pass)
            .count();
        assert!(
            (10..40).contains(&rejected),
            "{rejected} of 50 rejected at rate 0.5"
        );
    }
}
