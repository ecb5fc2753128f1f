//! TaskRouter workspace resources read as they are (the queue statistics and the activities
//! `record` samples), with the transport's retries.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::transport::{Kind, Scope, Transport};
use crate::store::error::StoreError;

/// `GET` of one resource of workspace `workspace_sid`: `path` after `/v1/Workspaces/{sid}/`,
/// with `query`.
pub(super) async fn get(
    transport: &Transport,
    workspace_sid: &str,
    (what, path, query): (&str, &str, &[(&str, &str)]),
) -> Result<Value, StoreError> {
    let mut url = transport.workspace_url(workspace_sid, path);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    let scope = Scope::Workspace(workspace_sid.to_owned());
    let call = transport.call(what, Method::GET, url, Kind::Read, scope);
    transport.send_json(&call).await
}

/// Every item of a list of workspace `workspace_sid` (`key` holds a page's items).
pub(super) async fn list<T: DeserializeOwned>(
    transport: &Transport,
    workspace_sid: &str,
    (what, path, key): (&str, &str, &str),
) -> Result<Vec<T>, StoreError> {
    let url = transport.workspace_url(workspace_sid, path);
    let scope = Scope::Workspace(workspace_sid.to_owned());
    transport.list_all(what, url, key, scope).await
}
