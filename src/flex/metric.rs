//! The 17 real-time queue metrics a Flex alert can watch: the exact `metric_id` strings, what
//! each measures and in which unit (our reading of Flex's real-time queues view; Twilio does
//! not document threshold units), and which are agent activity (per queue, no channel).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The 17 real-time queue metrics Flex alerts can watch, spelt exactly as Flex spells them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Metric {
    #[serde(rename = "Active (Now)")]
    ActiveNow,
    #[serde(rename = "Waiting (Now)")]
    WaitingNow,
    #[serde(rename = "Available Agents (Now)")]
    AvailableAgentsNow,
    #[serde(rename = "Offline Agents (Now)")]
    OfflineAgentsNow,
    #[serde(rename = "Unavailable Agents (Now)")]
    UnavailableAgentsNow,
    #[serde(rename = "Abandoned (30 min)")]
    Abandoned30Min,
    #[serde(rename = "Abandoned (Today)")]
    AbandonedToday,
    #[serde(rename = "Accepted (30 min)")]
    Accepted30Min,
    #[serde(rename = "Accepted (Today)")]
    AcceptedToday,
    #[serde(rename = "Avg. Speed of Answer (Today)")]
    AvgSpeedOfAnswerToday,
    #[serde(rename = "Avg. Handle Time (Today)")]
    AvgHandleTimeToday,
    #[serde(rename = "Missed Invitations (30 min)")]
    MissedInvitations30Min,
    #[serde(rename = "Missed Invitations (Today)")]
    MissedInvitationsToday,
    #[serde(rename = "SLA (30 min)")]
    Sla30Min,
    #[serde(rename = "SLA (Today)")]
    SlaToday,
    #[serde(rename = "Longest Available Agent (Now)")]
    LongestAvailableAgentNow,
    #[serde(rename = "Longest (Now)")]
    LongestNow,
}

impl Metric {
    pub const ALL: [Metric; 17] = [
        Metric::ActiveNow,
        Metric::WaitingNow,
        Metric::AvailableAgentsNow,
        Metric::OfflineAgentsNow,
        Metric::UnavailableAgentsNow,
        Metric::Abandoned30Min,
        Metric::AbandonedToday,
        Metric::Accepted30Min,
        Metric::AcceptedToday,
        Metric::AvgSpeedOfAnswerToday,
        Metric::AvgHandleTimeToday,
        Metric::MissedInvitations30Min,
        Metric::MissedInvitationsToday,
        Metric::Sla30Min,
        Metric::SlaToday,
        Metric::LongestAvailableAgentNow,
        Metric::LongestNow,
    ];

    /// The exact `metric_id` string Flex uses.
    pub fn id(self) -> &'static str {
        match self {
            Metric::ActiveNow => "Active (Now)",
            Metric::WaitingNow => "Waiting (Now)",
            Metric::AvailableAgentsNow => "Available Agents (Now)",
            Metric::OfflineAgentsNow => "Offline Agents (Now)",
            Metric::UnavailableAgentsNow => "Unavailable Agents (Now)",
            Metric::Abandoned30Min => "Abandoned (30 min)",
            Metric::AbandonedToday => "Abandoned (Today)",
            Metric::Accepted30Min => "Accepted (30 min)",
            Metric::AcceptedToday => "Accepted (Today)",
            Metric::AvgSpeedOfAnswerToday => "Avg. Speed of Answer (Today)",
            Metric::AvgHandleTimeToday => "Avg. Handle Time (Today)",
            Metric::MissedInvitations30Min => "Missed Invitations (30 min)",
            Metric::MissedInvitationsToday => "Missed Invitations (Today)",
            Metric::Sla30Min => "SLA (30 min)",
            Metric::SlaToday => "SLA (Today)",
            Metric::LongestAvailableAgentNow => "Longest Available Agent (Now)",
            Metric::LongestNow => "Longest (Now)",
        }
    }

    pub fn from_id(id: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|metric| metric.id() == id)
    }

    /// What the metric measures for one queue and channel, with its unit: our reading of
    /// Flex's real-time queues view (Twilio does not document the units of thresholds).
    pub fn description(self) -> &'static str {
        match self {
            Metric::ActiveNow => {
                "Tasks agents are handling now (assigned or in wrap-up). Unit: tasks."
            }
            Metric::WaitingNow => "Tasks waiting in the queue for an agent now. Unit: tasks.",
            Metric::AvailableAgentsNow => {
                "Agents of the queue whose activity is available now. Unit: agents."
            }
            Metric::OfflineAgentsNow => "Agents of the queue who are offline now. Unit: agents.",
            Metric::UnavailableAgentsNow => {
                "Agents of the queue who are online but not available now (break, lunch, ...). Unit: agents."
            }
            Metric::Abandoned30Min => {
                "Tasks the customer left while waiting, in the last 30 minutes. Unit: tasks."
            }
            Metric::AbandonedToday => {
                "Tasks the customer left while waiting, since midnight. Unit: tasks."
            }
            Metric::Accepted30Min => {
                "Tasks an agent accepted, in the last 30 minutes. Unit: tasks."
            }
            Metric::AcceptedToday => "Tasks an agent accepted, since midnight. Unit: tasks.",
            Metric::AvgSpeedOfAnswerToday => {
                "Average time a task waited before an agent accepted it, since midnight. Unit: seconds."
            }
            Metric::AvgHandleTimeToday => {
                "Average time agents spent on a task, talk and wrap-up, since midnight. Unit: seconds."
            }
            Metric::MissedInvitations30Min => {
                "Task offers agents rejected or let time out, in the last 30 minutes. Unit: offers."
            }
            Metric::MissedInvitationsToday => {
                "Task offers agents rejected or let time out, since midnight. Unit: offers."
            }
            Metric::Sla30Min => {
                "Share of tasks answered within the queue's service level, in the last 30 minutes. Unit: percent, 0 to 100."
            }
            Metric::SlaToday => {
                "Share of tasks answered within the queue's service level, since midnight. Unit: percent, 0 to 100."
            }
            Metric::LongestAvailableAgentNow => {
                "How long the agent available longest has waited for a task, now. Unit: seconds."
            }
            Metric::LongestNow => {
                "How long the task waiting longest in the queue has waited, now. Unit: seconds."
            }
        }
    }

    /// The unit its values (and thresholds) are in: `tasks`, `agents`, `offers`, `seconds`
    /// or `percent` (our reading, as `description` says).
    pub fn unit(self) -> &'static str {
        match self {
            Metric::ActiveNow
            | Metric::WaitingNow
            | Metric::Abandoned30Min
            | Metric::AbandonedToday
            | Metric::Accepted30Min
            | Metric::AcceptedToday => "tasks",
            Metric::AvailableAgentsNow
            | Metric::OfflineAgentsNow
            | Metric::UnavailableAgentsNow => "agents",
            Metric::MissedInvitations30Min | Metric::MissedInvitationsToday => "offers",
            Metric::AvgSpeedOfAnswerToday
            | Metric::AvgHandleTimeToday
            | Metric::LongestAvailableAgentNow
            | Metric::LongestNow => "seconds",
            Metric::Sla30Min | Metric::SlaToday => "percent",
        }
    }

    /// The agent-activity metrics: counted per queue, with no task channel.
    pub fn is_agent_activity(self) -> bool {
        matches!(
            self,
            Metric::AvailableAgentsNow
                | Metric::OfflineAgentsNow
                | Metric::UnavailableAgentsNow
                | Metric::LongestAvailableAgentNow
        )
    }

    /// SLA metrics are percentages: their thresholds lie between 0 and 100.
    pub fn is_percentage(self) -> bool {
        matches!(self, Metric::Sla30Min | Metric::SlaToday)
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_description_names_the_unit_of_its_metric() {
        for metric in Metric::ALL {
            assert!(
                metric
                    .description()
                    .contains(&format!("Unit: {}", metric.unit())),
                "{metric}: {}",
                metric.description()
            );
        }
    }
}
