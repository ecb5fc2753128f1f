//! Where Twilio serves the APIs flex-alerts uses (another base URL, such as the emulator's,
//! replaces both).

/// Flex: InsightsRules, NotificationConfigurations, Users, Configuration.
pub const TWILIO_FLEX_BASE: &str = "https://flex-api.twilio.com";
/// TaskRouter: TaskQueues, TaskChannels, Activities, statistics.
pub const TWILIO_TASKROUTER_BASE: &str = "https://taskrouter.twilio.com";
