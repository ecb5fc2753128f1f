//! The directory alerts name things in: the workspace's TaskQueues and TaskChannels, and the
//! Flex instance's users.

use super::transport::{Scope, Transport};
use crate::flex::wire::{FlexUser, TaskChannel, TaskQueue};
use crate::store::error::StoreError;

/// Every task queue and task channel of workspace `workspace_sid`, listed at once.
pub(super) async fn queues_and_channels(
    transport: &Transport,
    workspace_sid: &str,
) -> Result<(Vec<TaskQueue>, Vec<TaskChannel>), StoreError> {
    let scope = Scope::Workspace(workspace_sid.to_owned());
    futures::try_join!(
        transport.list_all::<TaskQueue>(
            "list task queues",
            transport.workspace_url(workspace_sid, "TaskQueues"),
            "task_queues",
            scope.clone()
        ),
        transport.list_all::<TaskChannel>(
            "list task channels",
            transport.workspace_url(workspace_sid, "TaskChannels"),
            "channels",
            scope.clone()
        ),
    )
}

/// Every Flex user of the instance.
pub(super) async fn flex_users(transport: &Transport) -> Result<Vec<FlexUser>, StoreError> {
    let path = format!("/v1/Instances/{}/Users", transport.config.instance_sid);
    transport
        .list_all(
            "list Flex users",
            transport.flex_url(&path),
            "users",
            Scope::Instance,
        )
        .await
}
