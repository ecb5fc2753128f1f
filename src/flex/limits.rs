//! Flex's limits (fact sheet, "Limits"): what one account, alert and notification
//! configuration may hold.

/// Alert rules per account.
pub const MAX_ALERTS: usize = 100;
/// Notification configurations per Flex instance.
pub const MAX_NOTIFICATION_CONFIGS: usize = 100;
/// Task queues one alert watches (at least one).
pub const MAX_QUEUES: usize = 20;
/// Flex users one notification configuration notifies.
pub const MAX_USERS: usize = 10;
/// Webhooks one notification configuration calls.
pub const MAX_WEBHOOKS: usize = 1;
/// Email addresses one notification configuration notifies.
pub const MAX_EMAILS: usize = 10;
/// The longest `notify_duration`: an alert may have to last up to 15 minutes before it notifies.
pub const MAX_NOTIFY_DURATION_MS: u64 = 15 * 60 * 1000;
