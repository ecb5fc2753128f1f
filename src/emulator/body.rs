//! Request bodies the emulated Flex accepts: every key, type, enum, SID format, reference and
//! limit of the fact sheet, checked before anything is stored. A rejected body is a 400 with
//! Twilio's validation code (45004) and a message naming the offending key.
//!
//! Unknown keys are rejected too: stricter than Twilio may be, so a client bug shows here.

use serde_json::{Map, Value};

use super::api_error::ApiError;
use super::state::State;
use crate::flex::Metric;
use crate::flex::limits::{
    MAX_EMAILS, MAX_NOTIFY_DURATION_MS, MAX_QUEUES, MAX_USERS, MAX_WEBHOOKS,
};
use crate::flex::sid::{is_sid, is_ttid};
use crate::flex::wire::{
    CRITICAL, Destinations, EmailRecipient, Emails, Enabled, Endpoint, GREATER_THAN, LESSER_THAN,
    Recipient, Rule, RuleBody, RuleThreshold, SubscriptionDefaults, Subscriptions, WARNING,
    Webhooks,
};

const NOTIFICATION_TYPES: [&str; 3] = ["in_app", "browser_push", "toast"];
const WEBHOOK_TYPES: [&str; 2] = ["slack", "custom"];

const RULE_KEYS: [&str; 10] = [
    "rule_friendly_name",
    "metric_id",
    "task_channel_sid",
    "task_queue_sids",
    "active",
    "rule_thresholds",
    "notify_enabled",
    "notify_severity",
    "notify_duration",
    "notify_methods_id",
];

/// Checks a rule create or update body against the instance's directory and configurations.
/// `existing` is the rule an update changes: one without a channel (an agent-activity alert
/// made in Console) may be updated without one; a create always needs one.
pub fn rule_body(
    value: &Value,
    state: &State,
    existing: Option<&Rule>,
) -> Result<RuleBody, ApiError> {
    let body = object(value, "body")?;
    known_keys(body, "", &RULE_KEYS)?;
    let name = string(required(body, "rule_friendly_name")?, "rule_friendly_name")?;
    if name.trim().is_empty() {
        return Err(ApiError::invalid(
            "Invalid value for [rule_friendly_name]: must not be empty",
        ));
    }
    let metric_id = string(required(body, "metric_id")?, "metric_id")?;
    if Metric::from_id(metric_id).is_none() {
        return Err(ApiError::invalid(format!(
            "Invalid value for [metric_id]: `{metric_id}` is not a supported metric"
        )));
    }
    let channel_optional = existing.is_some_and(|rule| rule.task_channel_sid.is_none());
    let channel = match optional(body, "task_channel_sid") {
        None if channel_optional => None,
        value => {
            let value = value.ok_or_else(|| {
                ApiError::invalid("Missing required parameter [task_channel_sid]")
            })?;
            let channel = string(value, "task_channel_sid")?;
            sid(channel, "TC", "task_channel_sid")?;
            if !state.channels.iter().any(|known| known.sid == channel) {
                return Err(ApiError::invalid(format!(
                    "Invalid value for [task_channel_sid]: TaskChannel {channel} does not exist"
                )));
            }
            Some(channel.to_owned())
        }
    };
    let queues = array(required(body, "task_queue_sids")?, "task_queue_sids")?;
    if queues.is_empty() || queues.len() > MAX_QUEUES {
        return Err(ApiError::invalid(format!(
            "Invalid value for [task_queue_sids]: between 1 and {MAX_QUEUES} queues are allowed, got {}",
            queues.len()
        )));
    }
    let mut queue_sids: Vec<String> = Vec::new();
    for (index, queue) in queues.iter().enumerate() {
        let path = format!("task_queue_sids[{index}]");
        let queue = string(queue, &path)?;
        sid(queue, "WQ", &path)?;
        if !state.queues.iter().any(|known| known.sid == queue) {
            return Err(ApiError::invalid(format!(
                "Invalid value for [{path}]: TaskQueue {queue} does not exist"
            )));
        }
        if queue_sids.iter().any(|seen| seen == queue) {
            return Err(ApiError::invalid(format!(
                "Invalid value for [{path}]: TaskQueue {queue} is listed twice"
            )));
        }
        queue_sids.push(queue.to_owned());
    }
    let active = boolean(required(body, "active")?, "active")?;
    let rule_thresholds = thresholds(required(body, "rule_thresholds")?)?;
    let notify_enabled = boolean(required(body, "notify_enabled")?, "notify_enabled")?;
    let notify_severity = optional(body, "notify_severity")
        .map(|value| {
            let severity = string(value, "notify_severity")?;
            one_of(severity, &[CRITICAL, WARNING], "notify_severity")?;
            Ok::<_, ApiError>(severity.to_owned())
        })
        .transpose()?;
    let notify_duration = optional(body, "notify_duration")
        .map(|value| {
            let duration = integer(value, "notify_duration")?;
            if !(0..=MAX_NOTIFY_DURATION_MS as i64).contains(&duration) {
                return Err(ApiError::invalid(format!(
                    "Invalid value for [notify_duration]: must be between 0 and {MAX_NOTIFY_DURATION_MS} milliseconds, got {duration}"
                )));
            }
            Ok(duration as u64)
        })
        .transpose()?;
    let notify_methods_id = optional(body, "notify_methods_id")
        .map(|value| {
            let ttid = string(value, "notify_methods_id")?;
            if !is_ttid(ttid) {
                return Err(ApiError::invalid(format!(
                    "Invalid value for [notify_methods_id]: `{ttid}` is not a notification configuration TTID"
                )));
            }
            if !state.notification_configs.iter().any(|config| config.ttid == ttid) {
                return Err(ApiError::invalid(format!(
                    "Invalid value for [notify_methods_id]: notification configuration {ttid} does not exist"
                )));
            }
            Ok(ttid.to_owned())
        })
        .transpose()?;
    Ok(RuleBody {
        rule_friendly_name: name.to_owned(),
        metric_id: metric_id.to_owned(),
        task_channel_sid: channel,
        task_queue_sids: queue_sids,
        active,
        rule_thresholds,
        notify_enabled,
        notify_severity,
        notify_duration,
        notify_methods_id,
    })
}

fn thresholds(value: &Value) -> Result<Vec<RuleThreshold>, ApiError> {
    let items = array(value, "rule_thresholds")?;
    if items.is_empty() {
        return Err(ApiError::invalid(
            "Invalid value for [rule_thresholds]: at least one threshold is required",
        ));
    }
    let mut thresholds: Vec<RuleThreshold> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let path = format!("rule_thresholds[{index}]");
        let threshold = object(item, &path)?;
        known_keys(
            threshold,
            &path,
            &["threshold_type", "threshold_operator", "threshold_value"],
        )?;
        let kind_path = format!("{path}.threshold_type");
        let kind = string(required_at(threshold, &path, "threshold_type")?, &kind_path)?;
        one_of(kind, &[CRITICAL, WARNING], &kind_path)?;
        let operator_path = format!("{path}.threshold_operator");
        let operator = string(
            required_at(threshold, &path, "threshold_operator")?,
            &operator_path,
        )?;
        one_of(operator, &[GREATER_THAN, LESSER_THAN], &operator_path)?;
        let value = integer(
            required_at(threshold, &path, "threshold_value")?,
            &format!("{path}.threshold_value"),
        )?;
        if thresholds.iter().any(|seen| seen.threshold_type == kind) {
            return Err(ApiError::invalid(format!(
                "Invalid value for [{kind_path}]: only one {kind} threshold is allowed"
            )));
        }
        thresholds.push(RuleThreshold {
            threshold_type: kind.to_owned(),
            threshold_operator: operator.to_owned(),
            threshold_value: value,
        });
    }
    Ok(thresholds)
}

/// Checks a notification configuration body: `{"destinations": {...}}`.
pub fn destinations(value: &Value, state: &State) -> Result<Destinations, ApiError> {
    let body = object(value, "body")?;
    known_keys(body, "", &["destinations"])?;
    let destinations = object(required(body, "destinations")?, "destinations")?;
    known_keys(
        destinations,
        "destinations",
        &["subscriptions", "webhooks", "emails"],
    )?;
    Ok(Destinations {
        subscriptions: optional(destinations, "subscriptions")
            .map(|value| subscriptions(value, state))
            .transpose()?,
        webhooks: optional(destinations, "webhooks")
            .map(webhooks)
            .transpose()?,
        emails: optional(destinations, "emails").map(emails).transpose()?,
    })
}

fn subscriptions(value: &Value, state: &State) -> Result<Subscriptions, ApiError> {
    let path = "destinations.subscriptions";
    let subscriptions = object(value, path)?;
    known_keys(subscriptions, path, &["defaults", "recipients"])?;
    let defaults = optional(subscriptions, "defaults")
        .map(|value| {
            let path = format!("{path}.defaults");
            let defaults = object(value, &path)?;
            known_keys(
                defaults,
                &path,
                &["archive", "enabled", "notification_type"],
            )?;
            Ok::<_, ApiError>(SubscriptionDefaults {
                archive: optional_bool(defaults, &path, "archive")?,
                enabled: optional_bool(defaults, &path, "enabled")?,
                notification_type: optional(defaults, "notification_type")
                    .map(|value| notification_types(value, &format!("{path}.notification_type")))
                    .transpose()?,
            })
        })
        .transpose()?;
    let mut recipients = Vec::new();
    let mut user_count = 0;
    let items = array(
        required_at(subscriptions, path, "recipients")?,
        &format!("{path}.recipients"),
    )?;
    for (index, item) in items.iter().enumerate() {
        let path = format!("{path}.recipients[{index}]");
        let recipient = object(item, &path)?;
        known_keys(
            recipient,
            &path,
            &["user_sids", "notification_type", "archive", "enabled"],
        )?;
        let users_path = format!("{path}.user_sids");
        let mut user_sids = Vec::new();
        for (position, user) in array(required_at(recipient, &path, "user_sids")?, &users_path)?
            .iter()
            .enumerate()
        {
            let user_path = format!("{users_path}[{position}]");
            let user = string(user, &user_path)?;
            sid(user, "FU", &user_path)?;
            if !state.users.iter().any(|known| known.flex_user_sid == user) {
                return Err(ApiError::invalid(format!(
                    "Invalid value for [{user_path}]: Flex user {user} does not exist"
                )));
            }
            user_sids.push(user.to_owned());
        }
        user_count += user_sids.len();
        recipients.push(Recipient {
            user_sids,
            notification_type: optional(recipient, "notification_type")
                .map(|value| notification_types(value, &format!("{path}.notification_type")))
                .transpose()?,
            archive: optional_bool(recipient, &path, "archive")?,
            enabled: optional_bool(recipient, &path, "enabled")?,
        });
    }
    if user_count > MAX_USERS {
        return Err(ApiError::invalid(format!(
            "Invalid value for [{path}.recipients]: at most {MAX_USERS} Flex users are allowed per configuration, got {user_count}"
        )));
    }
    Ok(Subscriptions {
        defaults,
        recipients,
    })
}

fn notification_types(value: &Value, path: &str) -> Result<Vec<String>, ApiError> {
    let mut types: Vec<String> = Vec::new();
    for (index, item) in array(value, path)?.iter().enumerate() {
        let item_path = format!("{path}[{index}]");
        let kind = string(item, &item_path)?;
        one_of(kind, &NOTIFICATION_TYPES, &item_path)?;
        if types.iter().any(|seen| seen == kind) {
            return Err(ApiError::invalid(format!(
                "Invalid value for [{item_path}]: `{kind}` is listed twice"
            )));
        }
        types.push(kind.to_owned());
    }
    Ok(types)
}

fn webhooks(value: &Value) -> Result<Webhooks, ApiError> {
    let path = "destinations.webhooks";
    let webhooks = object(value, path)?;
    known_keys(webhooks, path, &["defaults", "endpoints"])?;
    let items = array(
        required_at(webhooks, path, "endpoints")?,
        &format!("{path}.endpoints"),
    )?;
    if items.len() > MAX_WEBHOOKS {
        return Err(ApiError::invalid(format!(
            "Invalid value for [{path}.endpoints]: at most {MAX_WEBHOOKS} webhook is allowed per configuration, got {}",
            items.len()
        )));
    }
    let mut endpoints = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let path = format!("{path}.endpoints[{index}]");
        let endpoint = object(item, &path)?;
        known_keys(endpoint, &path, &["type", "url", "enabled"])?;
        let kind_path = format!("{path}.type");
        let kind = string(required_at(endpoint, &path, "type")?, &kind_path)?;
        one_of(kind, &WEBHOOK_TYPES, &kind_path)?;
        let url = string(required_at(endpoint, &path, "url")?, &format!("{path}.url"))?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(ApiError::invalid(format!(
                "Invalid value for [{path}.url]: must be an http(s) URL"
            )));
        }
        endpoints.push(Endpoint {
            kind: kind.to_owned(),
            url: url.to_owned(),
            enabled: optional_bool(endpoint, &path, "enabled")?,
        });
    }
    Ok(Webhooks {
        defaults: enabled_defaults(webhooks, path)?,
        endpoints,
    })
}

fn emails(value: &Value) -> Result<Emails, ApiError> {
    let path = "destinations.emails";
    let emails = object(value, path)?;
    known_keys(emails, path, &["defaults", "email_recipients"])?;
    let mut email_recipients = Vec::new();
    if let Some(items) = optional(emails, "email_recipients") {
        let items = array(items, &format!("{path}.email_recipients"))?;
        if items.len() > MAX_EMAILS {
            return Err(ApiError::invalid(format!(
                "Invalid value for [{path}.email_recipients]: at most {MAX_EMAILS} email addresses are allowed per configuration, got {}",
                items.len()
            )));
        }
        for (index, item) in items.iter().enumerate() {
            let path = format!("{path}.email_recipients[{index}]");
            let recipient = object(item, &path)?;
            known_keys(recipient, &path, &["email_address"])?;
            let address = string(
                required_at(recipient, &path, "email_address")?,
                &format!("{path}.email_address"),
            )?;
            email_recipients.push(EmailRecipient {
                email_address: address.to_owned(),
            });
        }
    }
    Ok(Emails {
        defaults: enabled_defaults(emails, path)?,
        email_recipients,
    })
}

fn enabled_defaults(parent: &Map<String, Value>, path: &str) -> Result<Option<Enabled>, ApiError> {
    optional(parent, "defaults")
        .map(|value| {
            let path = format!("{path}.defaults");
            let defaults = object(value, &path)?;
            known_keys(defaults, &path, &["enabled"])?;
            Ok(Enabled {
                enabled: optional_bool(defaults, &path, "enabled")?,
            })
        })
        .transpose()
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ApiError> {
    value
        .as_object()
        .ok_or_else(|| ApiError::invalid(format!("Invalid type for [{path}]: expected an object")))
}

fn known_keys(object: &Map<String, Value>, path: &str, known: &[&str]) -> Result<(), ApiError> {
    match object.keys().find(|key| !known.contains(&key.as_str())) {
        Some(key) if path.is_empty() => Err(ApiError::invalid(format!("Unknown property [{key}]"))),
        Some(key) => Err(ApiError::invalid(format!(
            "Unknown property [{path}.{key}]"
        ))),
        None => Ok(()),
    }
}

/// A present, non-null value.
fn optional<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|value| !value.is_null())
}

fn required<'a>(object: &'a Map<String, Value>, key: &str) -> Result<&'a Value, ApiError> {
    optional(object, key)
        .ok_or_else(|| ApiError::invalid(format!("Missing required parameter [{key}]")))
}

fn required_at<'a>(
    object: &'a Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<&'a Value, ApiError> {
    optional(object, key)
        .ok_or_else(|| ApiError::invalid(format!("Missing required parameter [{path}.{key}]")))
}

fn optional_bool(
    object: &Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<Option<bool>, ApiError> {
    optional(object, key)
        .map(|value| boolean(value, &format!("{path}.{key}")))
        .transpose()
}

fn string<'a>(value: &'a Value, path: &str) -> Result<&'a str, ApiError> {
    value
        .as_str()
        .ok_or_else(|| ApiError::invalid(format!("Invalid type for [{path}]: expected a string")))
}

fn boolean(value: &Value, path: &str) -> Result<bool, ApiError> {
    value
        .as_bool()
        .ok_or_else(|| ApiError::invalid(format!("Invalid type for [{path}]: expected a boolean")))
}

fn integer(value: &Value, path: &str) -> Result<i64, ApiError> {
    value
        .as_i64()
        .ok_or_else(|| ApiError::invalid(format!("Invalid type for [{path}]: expected an integer")))
}

fn array<'a>(value: &'a Value, path: &str) -> Result<&'a Vec<Value>, ApiError> {
    value
        .as_array()
        .ok_or_else(|| ApiError::invalid(format!("Invalid type for [{path}]: expected an array")))
}

fn sid(value: &str, prefix: &str, path: &str) -> Result<(), ApiError> {
    if is_sid(value, prefix) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "Invalid value for [{path}]: `{value}` is not a {prefix} SID"
        )))
    }
}

fn one_of(value: &str, allowed: &[&str], path: &str) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "Invalid value for [{path}]: `{value}` is not one of {}",
            allowed.join(", ")
        )))
    }
}
