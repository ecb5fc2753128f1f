//! The shapes of Twilio's identifiers: SIDs (two letters naming the kind, then 32 hex digits)
//! and notification configuration TTIDs (`flex_notificationconfiguration_` + a lowercase ULID).

pub const TTID_PREFIX: &str = "flex_notificationconfiguration_";
/// The alphabet of a ULID: Crockford's base 32, lowercase as Flex writes it.
pub const CROCKFORD: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// `prefix` + 32 hex digits, as every Twilio SID is (`QY` alert rules, `WQ` task queues,
/// `TC` task channels, `FU` Flex users, `GO` Flex instances, `WS` workspaces, `AC` accounts,
/// `SK` API keys).
pub fn is_sid(value: &str, prefix: &str) -> bool {
    value.len() == 34
        && value.starts_with(prefix)
        && value[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// `flex_notificationconfiguration_` + 26 lowercase Crockford base32 characters.
pub fn is_ttid(value: &str) -> bool {
    value
        .strip_prefix(TTID_PREFIX)
        .is_some_and(|ulid| ulid.len() == 26 && ulid.bytes().all(|b| CROCKFORD.contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sid_check_wants_prefix_length_and_hex() {
        assert!(is_sid("WQ00000000000000000000000000000001", "WQ"));
        assert!(!is_sid("WQ0000000000000000000000000000000g", "WQ"));
        assert!(!is_sid("TC00000000000000000000000000000001", "WQ"));
        assert!(!is_sid("WQ0001", "WQ"));
    }
}
