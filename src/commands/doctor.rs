//! `flex-alerts doctor`: a read-only first contact with a Flex account, as a checklist with a
//! fix for each failure: the credentials (and whether they are an API key), the Configuration,
//! InsightsRules and NotificationConfigurations readable, the counts against the caps, every
//! live alert readable by YAML v1, the directory, the browser-push mode, the clock against the
//! server's `Date`, and the rate-limit and concurrency headers seen. Nothing is written; a
//! check whose prerequisite failed is skipped with the reason. Exit 0 when every check passes.

use serde::Serialize;
use serde_json::Value;

use super::environment::{Context, Needs};
use super::session::Session;
use crate::cli::{Cli, DoctorArgs, DoctorFormat};
use crate::error::Error;
use crate::flex::limits::{MAX_ALERTS, MAX_NOTIFICATION_CONFIGS};
use crate::flex::wire::Rule;
use crate::output::Output;
use crate::plan::alert::AlertSpec;
use crate::store::{AnyStore, Store, StoreError};

/// A clock further than this from the server's is a failure: history timestamps and the
/// records of applies would be off.
const MAX_SKEW_SECONDS: u64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Status {
    Pass,
    Fail,
    Skip,
}

#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    status: Status,
    detail: String,
    /// What to do, for a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

#[derive(Debug, Default)]
struct Checklist(Vec<Check>);

impl Checklist {
    fn pass(&mut self, name: &'static str, detail: impl Into<String>) {
        self.push(name, Status::Pass, detail.into(), None);
    }
    fn fail(&mut self, name: &'static str, detail: impl Into<String>, fix: impl Into<String>) {
        self.push(name, Status::Fail, detail.into(), Some(fix.into()));
    }
    fn skip(&mut self, name: &'static str, why: &str) {
        self.push(name, Status::Skip, why.to_owned(), None);
    }
    fn push(&mut self, name: &'static str, status: Status, detail: String, fix: Option<String>) {
        self.0.push(Check {
            name,
            status,
            detail,
            fix,
        });
    }
}

/// The checks, in order; each names itself the same in text and JSON.
const CREDENTIALS: &str = "credentials";
const CONFIGURATION: &str = "configuration";
const RULES: &str = "insights_rules";
const CONFIGS: &str = "notification_configurations";
const CAPS: &str = "caps";
const READABLE: &str = "alerts_readable";
const DIRECTORY: &str = "directory";
const PUSH_MODE: &str = "browser_push_mode";
const CLOCK: &str = "clock";
const LIMITS: &str = "limits";
const AFTER_CREDENTIALS: [&str; 9] = [
    CONFIGURATION,
    RULES,
    CONFIGS,
    CAPS,
    READABLE,
    DIRECTORY,
    PUSH_MODE,
    CLOCK,
    LIMITS,
];

pub fn run(cli: &Cli, args: &DoctorArgs, output: &Output) -> Result<u8, Error> {
    let context = Context::resolve(args.env.name.as_deref(), Needs::One, output)?;
    let choice = context.store_choice(cli, &args.store)?;
    let session = Session::open(cli, &choice, choice.text(), output, None)?;
    let checks = session.runtime.block_on(diagnose(&session.store));
    let failed = checks
        .0
        .iter()
        .filter(|check| check.status != Status::Pass)
        .count();
    match args.format {
        DoctorFormat::Text => output.data(&render(&checks))?,
        DoctorFormat::Json => output.data(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "store": session.store.describe(),
                "environment": context.name(),
                "passed": failed == 0,
                "checks": checks.0,
            }))
            .expect("JSON")
        ))?,
    }
    Ok(u8::from(failed > 0))
}

fn render(checks: &Checklist) -> String {
    let mut out = String::new();
    for check in &checks.0 {
        let mark = match check.status {
            Status::Pass => "ok  ",
            Status::Fail => "FAIL",
            Status::Skip => "skip",
        };
        out.push_str(&format!("  {mark}  {}: {}\n", check.name, check.detail));
        if let Some(fix) = &check.fix {
            out.push_str(&format!("        fix: {fix}\n"));
        }
    }
    let total = checks.0.len();
    let passed = checks
        .0
        .iter()
        .filter(|check| check.status == Status::Pass)
        .count();
    let failed = checks
        .0
        .iter()
        .filter(|check| check.status == Status::Fail)
        .count();
    if passed == total {
        out.push_str(&format!("\nAll {total} checks passed.\n"));
    } else {
        out.push_str(&format!(
            "\n{failed} of {total} checks failed, {} skipped; nothing was changed.\n",
            total - passed - failed
        ));
    }
    out
}

async fn diagnose(store: &AnyStore) -> Checklist {
    let mut checks = Checklist::default();
    let client = match store {
        AnyStore::Twilio(client) => Some(client),
        AnyStore::Local(_) => None,
    };
    // 1, 2: the first request says whether the credentials are accepted.
    let configuration = match client {
        Some(client) => match client.flex_configuration().await {
            Err(StoreError::Unauthorized { .. }) => {
                checks.fail(
                    CREDENTIALS,
                    "refused (HTTP 401)",
                    "check the account's API key and secret (or account SID and auth token) in the variables the environment names; `flex-alerts doctor -v` shows each request",
                );
                for name in AFTER_CREDENTIALS {
                    checks.skip(name, "the credentials were refused");
                }
                return checks;
            }
            result => {
                checks.pass(
                    CREDENTIALS,
                    if client.uses_api_key() {
                        "accepted: an API key".to_owned()
                    } else {
                        "accepted: the account's auth token; an API key is recommended (it can be revoked on its own without changing the account's token)".to_owned()
                    },
                );
                Some(result)
            }
        },
        None => {
            checks.pass(CREDENTIALS, "not needed: the local sandbox");
            None
        }
    };
    let configuration = match configuration {
        Some(Ok(value)) => {
            checks.pass(CONFIGURATION, "the Flex Configuration is readable");
            Some(value)
        }
        Some(Err(error)) => {
            checks.fail(
                CONFIGURATION,
                format!("cannot be read: {error}"),
                "the credentials need read access to Flex; check that Flex is enabled on the account",
            );
            None
        }
        None => {
            checks.pass(CONFIGURATION, "the sandbox's configuration is readable");
            None
        }
    };

    // 3-5: the alerts, their configurations, the caps, what YAML v1 can manage.
    let rules = store.rules().await;
    let rules: Option<Vec<Rule>> = match rules {
        Ok(rules) => {
            let rules = crate::store::merge_by_sid(rules);
            checks.pass(RULES, format!("{} alert(s) listed", rules.len()));
            Some(rules)
        }
        Err(error @ StoreError::InstanceNotFound { .. }) => {
            checks.fail(
                RULES,
                error.to_string(),
                "check the instance SID (FLEX_INSTANCE_SID, or the environment's _INSTANCE_SID): Console > Flex > Overview shows it",
            );
            None
        }
        Err(error) => {
            checks.fail(
                RULES,
                error.to_string(),
                "the credentials need access to Flex Insights rules",
            );
            None
        }
    };
    match &rules {
        Some(rules) => {
            let ttids: Vec<String> = rules
                .iter()
                .filter_map(|rule| rule.notify_methods_id.clone())
                .collect();
            let named = ttids.len();
            match store.fetch_configs(ttids).await {
                Ok(configs) => {
                    let missing = named - configs.len();
                    checks.pass(
                        CONFIGS,
                        if named == 0 {
                            "no alert names one: nothing to read".to_owned()
                        } else if missing == 0 {
                            format!("{} read", configs.len())
                        } else {
                            format!(
                                "{} read; {missing} named by an alert no longer exist(s)",
                                configs.len()
                            )
                        },
                    );
                    caps(&mut checks, rules.len(), configs.len());
                    readable(&mut checks, rules, &configs);
                }
                Err(error) => {
                    checks.fail(
                        CONFIGS,
                        error.to_string(),
                        "the credentials need access to Flex notification configurations",
                    );
                    checks.skip(CAPS, "the notification configurations could not be read");
                    checks.skip(
                        READABLE,
                        "the notification configurations could not be read",
                    );
                }
            }
        }
        None => {
            for name in [CONFIGS, CAPS, READABLE] {
                checks.skip(name, "the alerts could not be listed");
            }
        }
    }

    // 6, 7: the directory and the push mode.
    let directory = match client {
        Some(client) => client.directory().await,
        None => store.snapshot().await.map(|live| live.directory),
    };
    match directory {
        Ok(directory) => checks.pass(
            DIRECTORY,
            format!(
                "{} user(s), {} queue(s), {} channel(s)",
                directory.users.len(),
                directory.queues.len(),
                directory.channels.len()
            ),
        ),
        Err(error) => checks.fail(
            DIRECTORY,
            error.to_string(),
            "the credentials need read access to Flex users and TaskRouter (set the workspace SID if the Configuration does not name one)",
        ),
    }
    match (&configuration, client) {
        (Some(configuration), _) => {
            let mode = configuration
                .pointer("/notifications/mode")
                .and_then(Value::as_str)
                .unwrap_or("not set");
            checks.pass(PUSH_MODE, mode.to_owned());
        }
        (None, Some(_)) => checks.skip(PUSH_MODE, "the Configuration could not be read"),
        (None, None) => checks.pass(PUSH_MODE, "the sandbox's, as `settings` set it"),
    }

    // 8, 9: what the answers said about the server.
    match client {
        Some(client) => {
            let observed = client.observed();
            match observed.server_date {
                Some((server, local)) => {
                    let (ahead, seconds) = match local.duration_since(server) {
                        Ok(ahead) => ("ahead of", ahead.as_secs()),
                        Err(behind) => ("behind", behind.duration().as_secs()),
                    };
                    let detail = format!("this machine is {seconds} s {ahead} the server's Date");
                    if seconds > MAX_SKEW_SECONDS {
                        checks.fail(
                            CLOCK,
                            detail,
                            "set the clock from NTP (timedatectl set-ntp true): histories and apply records are timed by it",
                        );
                    } else {
                        checks.pass(CLOCK, detail);
                    }
                }
                None => checks.fail(
                    CLOCK,
                    "no answer carried a Date header",
                    "a proxy between this machine and Twilio may strip it",
                ),
            }
            if observed.limit_headers.is_empty() {
                checks.pass(LIMITS, "no rate-limit or concurrency header seen");
            } else {
                let seen: Vec<String> = observed
                    .limit_headers
                    .iter()
                    .map(|(name, value)| format!("{name}: {value}"))
                    .collect();
                checks.pass(LIMITS, seen.join(", "));
            }
        }
        None => {
            checks.pass(CLOCK, "not applicable: the sandbox has no server");
            checks.pass(LIMITS, "not applicable: the sandbox has no limits");
        }
    }
    checks
}

fn caps(checks: &mut Checklist, alerts: usize, configs: usize) {
    let detail = format!(
        "{alerts}/{MAX_ALERTS} alerts, {configs}/{MAX_NOTIFICATION_CONFIGS} notification configurations"
    );
    if alerts > MAX_ALERTS || configs > MAX_NOTIFICATION_CONFIGS {
        checks.fail(
            CAPS,
            detail,
            "over a cap, Flex refuses new alerts: delete some in Console or with `apply --prune`",
        );
    } else {
        checks.pass(CAPS, detail);
    }
}

fn readable(
    checks: &mut Checklist,
    rules: &[Rule],
    configs: &std::collections::BTreeMap<String, crate::flex::wire::NotificationConfig>,
) {
    let cannot: Vec<String> = rules
        .iter()
        .filter_map(|rule| {
            AlertSpec::from_live(rule, configs).err().map(|reason| {
                format!(
                    "! cannot manage \"{}\" ({}): {reason}",
                    crate::common::shown::escape_invisible(rule.name()),
                    rule.sid.as_deref().unwrap_or("no SID")
                )
            })
        })
        .collect();
    if cannot.is_empty() {
        checks.pass(READABLE, format!("all {} readable by YAML v1", rules.len()));
    } else {
        checks.fail(
            READABLE,
            format!(
                "{} of {} cannot be managed: {}",
                cannot.len(),
                rules.len(),
                cannot.join("; ")
            ),
            "plans keep these as they are and count them against the caps; change them in Console to a shape YAML v1 holds (docs/plan-and-apply.md#alerts-flex-alerts-cannot-manage), or leave them",
        );
    }
}
