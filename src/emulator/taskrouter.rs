//! The TaskRouter resources the emulator serves besides queues and channels, as twilio-oai's
//! `taskrouter.v1` schemas shape them: the workspace, its activities and workers (one worker
//! per seeded Flex user), and the documented TaskQueue list filters, checked as TaskRouter
//! checks them. Every URL an answer holds is one the emulator serves.

use serde_json::{Value, json};

use super::api_error::ApiError;
use super::ids::mint_sid;
use super::state::State;
use super::synthetic::{ACTIVITIES, activity_sid};
use crate::flex::wire::{FlexUser, TaskQueue};

/// Twilio's "Invalid Parameter".
const INVALID_PARAMETER: i64 = 20001;

fn invalid(message: String) -> ApiError {
    ApiError::new(400, INVALID_PARAMETER, message)
}

/// The workspace resource; its `links` name only what is served.
pub fn workspace_json(state: &State, workspace_url: &str) -> Value {
    let offline = activity_sid("0004");
    json!({
        "account_sid": state.account_sid,
        "date_created": state.configuration["date_created"],
        "date_updated": state.configuration["date_created"],
        "default_activity_name": "Offline",
        "default_activity_sid": offline,
        "event_callback_url": null,
        "events_filter": null,
        "friendly_name": "Flex Task Assignment",
        "multi_task_enabled": true,
        "sid": state.workspace_sid,
        "timeout_activity_name": "Offline",
        "timeout_activity_sid": offline,
        "prioritize_queue_order": "FIFO",
        "url": workspace_url,
        "links": {
            "activities": format!("{workspace_url}/Activities"),
            "task_queues": format!("{workspace_url}/TaskQueues"),
            "task_channels": format!("{workspace_url}/TaskChannels"),
            "workers": format!("{workspace_url}/Workers"),
        },
    })
}

/// Every activity, in the synthetic statistics' order.
pub fn activities_json(state: &State, workspace_url: &str) -> Vec<Value> {
    ACTIVITIES
        .iter()
        .map(|(suffix, name, available)| {
            let sid = activity_sid(suffix);
            json!({
                "account_sid": state.account_sid,
                "available": available,
                "date_created": state.configuration["date_created"],
                "date_updated": state.configuration["date_created"],
                "friendly_name": name,
                "sid": sid,
                "workspace_sid": state.workspace_sid,
                "url": format!("{workspace_url}/Activities/{sid}"),
                "links": { "workspace": workspace_url },
            })
        })
        .collect()
}

/// The worker SID of a Flex user: Flex makes one TaskRouter worker per agent.
pub fn worker_sid(state: &State, user: &FlexUser) -> String {
    mint_sid(
        "WK",
        &format!("{}:{}", state.workspace_sid, user.flex_user_sid),
        0,
    )
}

/// One worker per Flex user, offline, with the attributes Flex gives an agent.
pub fn workers_json(state: &State, workspace_url: &str) -> Vec<Value> {
    state
        .users
        .iter()
        .map(|user| {
            let sid = worker_sid(state, user);
            let attributes = json!({
                "contact_uri": format!("client:{}", user.username),
                "email": user.email,
                "full_name": user.full_name,
                "roles": user.roles,
                "routing": { "skills": [], "levels": {} },
            });
            json!({
                "account_sid": state.account_sid,
                "activity_name": "Offline",
                "activity_sid": activity_sid("0004"),
                "attributes": attributes.to_string(),
                "available": false,
                "date_created": state.configuration["date_created"],
                "date_status_changed": state.configuration["date_created"],
                "date_updated": state.configuration["date_created"],
                "friendly_name": user.username,
                "sid": sid,
                "workspace_sid": state.workspace_sid,
                "url": format!("{workspace_url}/Workers/{sid}"),
                "links": {
                    "activity": format!("{workspace_url}/Activities/{}", activity_sid("0004")),
                    "workspace": workspace_url,
                },
            })
        })
        .collect()
}

/// The queues a TaskQueue list's filters keep, in the order asked: `FriendlyName` (exact),
/// `EvaluateWorkerAttributes` (a JSON object; every seeded queue targets `1==1`, so all),
/// `WorkerSid` (a `WK` SID; the queues a worker of the workspace is in, else none) and
/// `Ordering` (`DateCreated:asc` or `DateCreated:desc`). A malformed value is refused.
pub fn filter_queues<'a>(
    state: &State,
    queues: &'a [TaskQueue],
    query: &[(String, String)],
) -> Result<Vec<&'a TaskQueue>, ApiError> {
    let mut kept: Vec<&TaskQueue> = queues.iter().collect();
    for (key, value) in query {
        match key.as_str() {
            "FriendlyName" => {
                kept.retain(|queue| queue.friendly_name.as_deref() == Some(value.as_str()))
            }
            "EvaluateWorkerAttributes" => {
                let attributes: Value = serde_json::from_str(value).map_err(|_| {
                    invalid(format!(
                        "EvaluateWorkerAttributes is not valid JSON: {}",
                        value.chars().take(40).collect::<String>()
                    ))
                })?;
                if !attributes.is_object() {
                    return Err(invalid(
                        "EvaluateWorkerAttributes must be a JSON object".to_owned(),
                    ));
                }
            }
            "WorkerSid" => {
                let well_formed = value.len() == 34
                    && value.starts_with("WK")
                    && value[2..].bytes().all(|b| b.is_ascii_hexdigit());
                if !well_formed {
                    return Err(invalid(format!(
                        "WorkerSid must be a Worker SID (WK followed by 32 hex digits), not {}",
                        value.chars().take(40).collect::<String>()
                    )));
                }
                if !state
                    .users
                    .iter()
                    .any(|user| worker_sid(state, user) == *value)
                {
                    kept.clear();
                }
            }
            "Ordering" => match value.as_str() {
                // Seeded queues share one creation time: the seed's order is the order.
                "DateCreated:asc" => {}
                "DateCreated:desc" => kept.reverse(),
                other => {
                    return Err(invalid(format!(
                        "Ordering must be DateCreated:asc or DateCreated:desc, not {}",
                        other.chars().take(40).collect::<String>()
                    )));
                }
            },
            _ => {}
        }
    }
    Ok(kept)
}
