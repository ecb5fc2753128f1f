//! Name resolution: the queue, channel and user names of an alert file turned into the SIDs
//! Flex stores, through the live directory. Every unknown name is reported, not just the first.

use super::alert::{AlertSpec, NotifySpec, Threshold, WebhookSpec};
use crate::config::desired::{DesiredAlert, WebhookKind};
use crate::store::Directory;
use crate::store::directory::NameError;

/// A desired alert in normal form, or every name in it the directory does not know.
pub fn resolve(alert: &DesiredAlert, directory: &Directory) -> Result<AlertSpec, Vec<NameError>> {
    let mut unknown = Vec::new();
    let mut sid = |result: Result<String, NameError>| match result {
        Ok(sid) => sid,
        Err(problem) => {
            unknown.push(problem);
            String::new()
        }
    };
    let channel = alert.channel.as_ref().map(|channel| {
        sid(directory
            .channel(channel)
            .map(|channel| channel.sid.clone()))
    });
    let mut queues: Vec<String> = alert
        .queues
        .iter()
        .map(|queue| sid(directory.queue(queue).map(|queue| queue.sid.clone())))
        .collect();
    queues.sort();
    let threshold = |limit: Option<crate::config::desired::Limit>| {
        limit.map(|limit| Threshold {
            direction: limit.direction,
            value: i64::from(limit.value),
        })
    };
    let notify = alert.notify.as_ref().map(|notify| {
        NotifySpec {
            enabled: notify.enabled,
            severity: notify.severity,
            after_ms: u64::from(notify.after_seconds) * 1000,
            users: notify
                .users
                .iter()
                .map(|user| sid(directory.user(user).map(|user| user.flex_user_sid.clone())))
                .collect(),
            inbox: notify.inbox,
            popup: notify.popup,
            browser_push: notify.browser_push,
            webhook: notify.webhook.as_ref().map(|webhook| {
                let kind = match webhook.kind {
                    WebhookKind::Slack => "slack",
                    WebhookKind::Custom => "custom",
                };
                WebhookSpec::new(kind, webhook.url.clone(), true)
            }),
            emails: notify.emails.clone(),
            config_missing: false,
        }
        .normalize()
    });
    if !unknown.is_empty() {
        return Err(unknown);
    }
    Ok(AlertSpec {
        name: alert.name.clone(),
        metric: alert.metric.id().to_owned(),
        channel,
        queues,
        active: alert.active,
        warning: threshold(alert.warning),
        critical: threshold(alert.critical),
        notify,
    })
}
