//! Alerts as the engine sees them: thresholds, whether active, and when they notify; from the
//! alert files, or from a live (or planned) alert.

use super::engine::{Level, NotifyRule, Rule, Threshold};
use crate::config::desired::{DesiredAlert, Limit, Severity};
use crate::plan::alert::AlertSpec;

/// The rule of an alert as the files declare it.
pub fn from_desired(alert: &DesiredAlert) -> Rule {
    let limit = |limit: Option<Limit>| {
        limit.map(|limit| Threshold {
            direction: limit.direction,
            value: f64::from(limit.value),
        })
    };
    Rule {
        active: alert.active,
        warning: limit(alert.warning),
        critical: limit(alert.critical),
        notify: alert.notify.as_ref().and_then(|notify| {
            notify_rule(notify.enabled, notify.severity, notify.after_seconds.into())
        }),
    }
}

/// The rule of an alert as Flex holds it (or as a plan will make it).
pub fn from_spec(alert: &AlertSpec) -> Rule {
    let limit = |threshold: Option<crate::plan::alert::Threshold>| {
        threshold.map(|threshold| Threshold {
            direction: threshold.direction,
            value: threshold.value as f64,
        })
    };
    Rule {
        active: alert.active,
        warning: limit(alert.warning),
        critical: limit(alert.critical),
        notify: alert.notify.as_ref().and_then(|notify| {
            notify_rule(notify.enabled, notify.severity, notify.after_ms / 1000)
        }),
    }
}

/// When notifications are on: the level that notifies and the delay in seconds.
fn notify_rule(enabled: bool, severity: Severity, after_seconds: u64) -> Option<NotifyRule> {
    enabled.then(|| NotifyRule {
        severity: match severity {
            Severity::Warning => Level::Warning,
            Severity::Critical => Level::Critical,
        },
        after: i64::try_from(after_seconds).unwrap_or(i64::MAX),
    })
}
