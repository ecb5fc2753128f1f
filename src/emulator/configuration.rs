//! The Flex Configuration resource as twilio-oai's `flex.v1.configuration` has it: all 49
//! properties, with plausible values for an emulated contact center. What the state holds
//! (the seed's, and every update) is laid over these, so a state saved before a property
//! existed still answers with every one.

use serde_json::{Map, Value, json};

use super::ids::mint_sid;
use super::state::State;
use super::synthetic::activity_sid;

/// The full resource: the defaults, then what the state holds, then its `url`.
pub fn resource(state: &State, flex_base: &str) -> Value {
    let mut resource = defaults(state);
    if let (Some(resource), Some(stored)) =
        (resource.as_object_mut(), state.configuration.as_object())
    {
        for (key, value) in stored {
            resource.insert(key.clone(), value.clone());
        }
        resource.insert("url".into(), json!(format!("{flex_base}/v1/Configuration")));
    }
    resource
}

fn defaults(state: &State) -> Value {
    let salt = &state.instance_sid;
    let queues: Vec<Value> = state
        .queues
        .iter()
        .map(|queue| json!({ "sid": queue.sid, "targettable": true }))
        .collect();
    let object = || Value::Object(Map::new());
    // In two halves: one `json!` of 49 keys is more than the macro's recursion allows.
    let mut first = json!({
        "account_sid": state.account_sid,
        "date_created": state.configuration["date_created"],
        "date_updated": state.configuration["date_created"],
        "attributes": object(),
        "status": "ok",
        "taskrouter_workspace_sid": state.workspace_sid,
        "taskrouter_target_workflow_sid": mint_sid("WW", salt, 0),
        "taskrouter_target_taskqueue_sid": state.queues.first().map(|queue| queue.sid.clone()),
        "taskrouter_taskqueues": queues,
        "taskrouter_skills": [],
        "taskrouter_worker_channels": { "assignment": [], "available": [] },
        "taskrouter_worker_attributes": object(),
        "taskrouter_offline_activity_sid": activity_sid("0004"),
        "runtime_domain": "flex-emulator.twil.io",
        "messaging_service_instance_sid": mint_sid("MG", salt, 0),
        "chat_service_instance_sid": mint_sid("IS", salt, 1),
        "flex_service_instance_sid": mint_sid("IS", salt, 0),
        "flex_instance_sid": state.instance_sid,
        "ui_language": "en",
        "ui_attributes": object(),
        "ui_dependencies": object(),
        "ui_version": "2.13.0",
        "service_version": "1.0",
        "call_recording_enabled": false,
        "call_recording_webhook_url": null,
    });
    let second = json!({
        "crm_enabled": false,
        "crm_type": null,
        "crm_callback_url": null,
        "crm_fallback_url": null,
        "crm_attributes": object(),
        "public_attributes": object(),
        "plugin_service_enabled": true,
        "plugin_service_attributes": object(),
        "integrations": [],
        "outbound_call_flows": object(),
        "serverless_service_sids": [],
        "queue_stats_configuration": { "default": { "service_level_threshold": 60 }, "queue_configurations": [] },
        "notifications": { "enabled": true, "mode": "whenNotInFocus" },
        "markdown": { "enabled": false, "mode": "readOnly" },
        "url": null,
        "flex_insights_hr": object(),
        "flex_insights_drilldown": false,
        "flex_url": "https://flex.twilio.com/agent-desktop",
        "channel_configs": [],
        "debugger_integration": { "enabled": false },
        "flex_ui_status_report": { "enabled": false },
        "agent_conv_end_methods": object(),
        "citrix_voice_vdi": { "enabled": false },
        "offline_config": { "enabled": false },
    });
    if let (Some(first), Value::Object(second)) = (first.as_object_mut(), second) {
        first.extend(second);
    }
    first
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_resource_has_the_49_properties_of_the_openapi_schema() {
        let state = super::State::from_seed(&crate::emulator::Seed::builtin(), 0);
        let resource = super::resource(&state, "http://127.0.0.1:1");
        assert_eq!(resource.as_object().unwrap().len(), 49);
        assert_eq!(resource["url"], "http://127.0.0.1:1/v1/Configuration");
        assert_eq!(resource["flex_instance_sid"], state.instance_sid.as_str());
    }
}
