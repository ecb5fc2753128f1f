//! Property: for random alert files and random live states (alerts applied from other files,
//! plus undeclared alerts up to the cap), plan -> apply succeeds with no step refused by the
//! emulator's caps, a second plan is empty, and every notification configuration is owned by
//! exactly one alert. A plan that cannot fit the cap fails before any write.

use flex_alerts::apply::journal::Journal;
use flex_alerts::apply::{Silent, apply};
use flex_alerts::plan::{PlanOptions, plan};
use flex_alerts::store::Store;
use proptest::prelude::*;

use crate::plan::{assert_configs_owned, converge, desired, plan_for, sandbox};
use crate::support::rule_body;

const NAMES: [&str; 10] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
];

fn alert(name: &'static str) -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["Waiting (Now)", "Longest (Now)", "Abandoned (Today)", "SLA (Today)"]),
        prop::sample::select(vec!["voice", "chat", "sms"]),
        prop::sample::subsequence(vec!["Support", "Billing", "Sales", "Retention"], 1..=3),
        any::<bool>(),
        (any::<bool>(), prop::option::of(0u32..40), 41u32..90),
        prop::option::of((
            prop::sample::subsequence(vec!["jane.doe", "raj.patel", "li.wei"], 0..=2),
            any::<(bool, bool)>(),
            prop::option::of(0u8..3),
            prop::sample::subsequence(vec!["a@example.com", "b@example.com"], 0..=2),
            prop::sample::select(vec!["0s", "30s", "5m"]),
        )),
    )
        .prop_map(move |(metric, channel, queues, active, (above, warning, critical), notify)| {
            let (warning, critical) = match above {
                true => (warning.map(|value| format!("{{ above: {value} }}")), format!("{{ above: {critical} }}")),
                // Below: the warning is the higher value; percentages stay within 100.
                false => (
                    warning.map(|value| format!("{{ below: {} }}", critical + 1 + value % 10)),
                    format!("{{ below: {critical} }}"),
                ),
            };
            let mut yaml = format!(
                "  - name: {name}\n    metric: {metric}\n    channel: {channel}\n    queues: [{}]\n    active: {active}\n    thresholds:\n",
                queues.join(", ")
            );
            if let Some(warning) = warning {
                yaml.push_str(&format!("      warning: {warning}\n"));
            }
            yaml.push_str(&format!("      critical: {critical}\n"));
            if let Some((users, (popup, browser_push), webhook, mut emails, after)) = notify {
                if users.is_empty() && webhook.is_none() && emails.is_empty() {
                    emails.push("oncall@example.com");
                }
                yaml.push_str(&format!("    notify:\n      after: {after}\n"));
                if !users.is_empty() {
                    yaml.push_str(&format!("      users: [{}]\n      popup: {popup}\n      browser_push: {browser_push}\n", users.join(", ")));
                }
                if let Some(webhook) = webhook {
                    yaml.push_str(&format!("      webhook: {{ type: custom, url: \"https://hooks.example.com/{webhook}\" }}\n"));
                }
                if !emails.is_empty() {
                    yaml.push_str(&format!("      emails: [{}]\n", emails.join(", ")));
                }
            }
            yaml
        })
}

fn alert_file() -> impl Strategy<Value = String> {
    prop::sample::subsequence(NAMES.to_vec(), 0..=8)
        .prop_flat_map(|names| names.into_iter().map(alert).collect::<Vec<_>>())
        .prop_map(|alerts| {
            format!(
                "version: 1\nalerts:{}\n{}",
                if alerts.is_empty() { " []" } else { "" },
                alerts.concat()
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn plan_apply_plan_is_empty_and_caps_hold(first in alert_file(), second in alert_file(), undeclared in 0usize..=96, prune in any::<bool>()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let store = sandbox();
            for index in 0..undeclared {
                store.create_rule(&rule_body(&format!("undeclared {index:02}"))).await.unwrap();
            }
            let first = desired(&first);
            let second = desired(&second);
            let fits = |wanted: &flex_alerts::config::desired::Desired| wanted.alerts.len() + undeclared <= 100;
            if fits(&first) {
                converge(&store, &first, false).await;
            }
            let live = store.snapshot().await.unwrap();
            // Live alerts the second file does not declare stay unless prune is on.
            let declared: Vec<&str> = second.alerts.iter().map(|alert| alert.name.as_str()).collect();
            let kept = if prune {
                0
            } else {
                live.rules.iter().filter(|rule| !declared.contains(&rule.name())).count()
            };
            match plan(&second, &live, PlanOptions { prune, ..Default::default() }) {
                Ok(plan) => {
                    prop_assert!(second.alerts.len() + kept <= 100);
                    let report = apply(&plan, &store, 4, &Journal::disabled(), &Silent).await;
                    // The engine refuses a 101st rule or configuration, so success means no step passed a cap.
                    prop_assert!(report.succeeded(), "{}", report.render());
                    let again = plan_for(&store, &second, prune).await;
                    prop_assert!(!again.has_changes(), "{:?}", again.changes().collect::<Vec<_>>());
                    assert_configs_owned(&store);
                    prop_assert_eq!(store.state().rules.len(), second.alerts.len() + kept);
                }
                Err(problems) => {
                    prop_assert!(second.alerts.len() + kept > 100, "{:?}", problems);
                    prop_assert!(problems[0].message.contains("more than its cap"));
                }
            }
            Ok(())
        })?;
    }
}
