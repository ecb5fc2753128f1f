//! Alert rules (InsightsRules) and notification configurations: listed, read, created,
//! updated and deleted. A rule create whose answer was lost is looked up by name and metric
//! before it is sent again; a configuration create never is (the API cannot list them).

use std::collections::BTreeMap;

use futures::{StreamExt, TryStreamExt};
use reqwest::{Method, Url};
use serde_json::{Value, json};

use super::transport::{Call, Kind, Scope, Transport};
use crate::flex::wire::{Destinations, NotificationConfig, Rule, RuleBody};
use crate::store::error::StoreError;
use crate::store::merge_by_sid;

fn rules_url(transport: &Transport, sid: Option<&str>) -> Url {
    let instance = &transport.config.instance_sid;
    match sid {
        Some(sid) => transport.flex_url(&format!("/v1/Instances/{instance}/InsightsRules/{sid}")),
        None => transport.flex_url(&format!("/v1/Instances/{instance}/InsightsRules")),
    }
}

fn configs_url(transport: &Transport, ttid: Option<&str>) -> Url {
    let instance = &transport.config.instance_sid;
    match ttid {
        Some(ttid) => transport.flex_url(&format!(
            "/v1/Instances/{instance}/NotificationConfigurations/{ttid}"
        )),
        None => transport.flex_url(&format!(
            "/v1/Instances/{instance}/NotificationConfigurations"
        )),
    }
}

/// A notification configuration call: they all carry the account in
/// `I-Twilio-Auth-Account`.
fn config_call(
    transport: &Transport,
    account_sid: &str,
    (what, method, kind): (&str, Method, Kind),
    ttid: Option<&str>,
) -> Call {
    let scope = if ttid.is_some() {
        Scope::Object
    } else {
        Scope::Instance
    };
    let mut call = transport.call(what, method, configs_url(transport, ttid), kind, scope);
    call.account_header = Some(account_sid.to_owned());
    call
}

/// How often a rules listing of several pages is read, at most, until two readings agree.
const MAX_LISTINGS: usize = 5;

/// Every rule, each read as leniently as the documentation allows, so one rule of an
/// unexpected shape never hides the others.
///
/// A listing of several pages can miss a rule: when another process deletes one while the
/// pages are read, a page-numbered list shifts and a rule slides past a page boundary unseen.
/// A missed rule would be planned as a create (a duplicate). So such a listing is read again
/// until two readings in a row list the same rules (nothing changed meanwhile, so nothing was
/// missed); should the lists keep changing, every rule any reading saw is kept (a rule gone
/// since is found gone when written to, which does no harm; a missed one would).
pub(super) async fn list_rules(transport: &Transport) -> Result<Vec<Rule>, StoreError> {
    let mut seen: Vec<Rule> = Vec::new();
    let mut previous: Option<Vec<String>> = None;
    for _ in 0..MAX_LISTINGS {
        let (items, pages): (Vec<Value>, usize) = transport
            .list_pages(
                "list alert rules",
                rules_url(transport, None),
                "rules",
                Scope::Instance,
            )
            .await?;
        let listed = merge_by_sid(items.into_iter().map(Rule::from_listed).collect());
        let mut sids: Vec<String> = listed.iter().map(|rule| rule.sid().to_owned()).collect();
        sids.sort();
        if pages <= 1 || previous.as_ref() == Some(&sids) {
            return Ok(listed);
        }
        previous = Some(sids);
        seen = merge_by_sid(listed.into_iter().chain(seen).collect());
    }
    Ok(seen)
}

/// The rule a create whose answer was lost would have made, if Flex has it.
async fn find_created(transport: &Transport, body: &RuleBody) -> Result<Option<Rule>, StoreError> {
    let rules = list_rules(transport).await?;
    Ok(rules.into_iter().rev().find(|rule| {
        rule.name() == body.rule_friendly_name
            && rule.metric_id.as_deref() == Some(body.metric_id.as_str())
    }))
}

pub(super) async fn fetch_rule(
    transport: &Transport,
    sid: &str,
) -> Result<Option<Rule>, StoreError> {
    let call = transport.call(
        &format!("read alert rule {sid}"),
        Method::GET,
        rules_url(transport, Some(sid)),
        Kind::Read,
        Scope::Object,
    );
    transport.fetch_optional(&call).await
}

pub(super) async fn create_rule(
    transport: &Transport,
    body: &RuleBody,
) -> Result<Rule, StoreError> {
    let what = format!("create alert rule `{}`", body.rule_friendly_name);
    let call = transport
        .call(
            &what,
            Method::POST,
            rules_url(transport, None),
            Kind::Create,
            Scope::Instance,
        )
        .with_body(body);
    let mut delays = transport.config.retry.delays();
    loop {
        match transport.send_json(&call).await {
            Err(StoreError::Unknown { detail, .. }) => {
                // Look before sending again: the lost answer may have been a success.
                if let Some(rule) = find_created(transport, body).await? {
                    return Ok(rule);
                }
                match delays.next() {
                    Some(delay) => transport.pause(delay).await,
                    None => {
                        return Err(StoreError::Transport {
                            what: call.what.clone(),
                            detail: format!(
                                "no answer after several attempts ({detail}), and Flex has no such rule"
                            ),
                        });
                    }
                }
            }
            result => return result,
        }
    }
}

pub(super) async fn update_rule(
    transport: &Transport,
    sid: &str,
    body: &RuleBody,
) -> Result<Rule, StoreError> {
    let what = format!("update alert rule `{}` ({sid})", body.rule_friendly_name);
    let call = transport
        .call(
            &what,
            Method::POST,
            rules_url(transport, Some(sid)),
            Kind::Write,
            Scope::Object,
        )
        .with_body(body);
    transport.send_json(&call).await
}

pub(super) async fn delete_rule(transport: &Transport, sid: &str) -> Result<(), StoreError> {
    let call = transport.call(
        &format!("delete alert rule {sid}"),
        Method::DELETE,
        rules_url(transport, Some(sid)),
        Kind::Delete,
        Scope::Object,
    );
    transport.send(&call).await.map(drop)
}

pub(super) async fn fetch_config(
    transport: &Transport,
    account_sid: &str,
    ttid: &str,
) -> Result<Option<NotificationConfig>, StoreError> {
    let what = format!("read notification configuration {ttid}");
    let call = config_call(
        transport,
        account_sid,
        (&what, Method::GET, Kind::Read),
        Some(ttid),
    );
    transport.fetch_optional(&call).await
}

/// The configurations that exist among `ttids`, fetched concurrently.
pub(super) async fn fetch_configs(
    transport: &Transport,
    account_sid: &str,
    ttids: Vec<String>,
) -> Result<BTreeMap<String, NotificationConfig>, StoreError> {
    let configs: Vec<Option<NotificationConfig>> = futures::stream::iter(ttids)
        .map(|ttid| async move { fetch_config(transport, account_sid, &ttid).await })
        .buffer_unordered(transport.config.concurrency.max(1))
        .try_collect()
        .await?;
    Ok(configs
        .into_iter()
        .flatten()
        .map(|config| (config.ttid.clone(), config))
        .collect())
}

pub(super) async fn create_config(
    transport: &Transport,
    account_sid: &str,
    destinations: &Destinations,
) -> Result<NotificationConfig, StoreError> {
    let what = "create a notification configuration";
    let call = config_call(
        transport,
        account_sid,
        (what, Method::POST, Kind::Create),
        None,
    )
    .with_body(&json!({ "destinations": destinations }));
    transport.send_json(&call).await
}

pub(super) async fn update_config(
    transport: &Transport,
    account_sid: &str,
    ttid: &str,
    destinations: &Destinations,
) -> Result<NotificationConfig, StoreError> {
    let what = format!("update notification configuration {ttid}");
    let call = config_call(
        transport,
        account_sid,
        (&what, Method::POST, Kind::Write),
        Some(ttid),
    )
    .with_body(&json!({ "destinations": destinations }));
    transport.send_json(&call).await
}

pub(super) async fn delete_config(
    transport: &Transport,
    account_sid: &str,
    ttid: &str,
) -> Result<(), StoreError> {
    let what = format!("delete notification configuration {ttid}");
    let call = config_call(
        transport,
        account_sid,
        (&what, Method::DELETE, Kind::Delete),
        Some(ttid),
    );
    transport.send(&call).await.map(drop)
}
