//! Identifier and timestamp formats of Flex: SIDs (`QY` + 32 hex), TTIDs
//! (`flex_notificationconfiguration_` + a 26-character lowercase ULID) and ISO 8601 times.
//!
//! Minting is deterministic: a SID is a hash of the instance and a counter, so a seeded
//! emulator hands out the same SIDs in the same order every run.

use sha2::{Digest, Sha256};

pub const TTID_PREFIX: &str = "flex_notificationconfiguration_";
const CROCKFORD: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// `prefix` + 32 lowercase hex digits derived from `salt` and `counter`.
pub fn mint_sid(prefix: &str, salt: &str, counter: u64) -> String {
    let digest = Sha256::digest(format!("{salt}:{prefix}:{counter}").as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

/// A TTID: the ULID time part from `now_ms`, the random part derived from `salt` and `counter`.
pub fn mint_ttid(salt: &str, counter: u64, now_ms: u64) -> String {
    let digest = Sha256::digest(format!("{salt}:ttid:{counter}").as_bytes());
    let mut ulid = String::with_capacity(26);
    for index in (0..10).rev() {
        ulid.push(CROCKFORD[((now_ms >> (index * 5)) & 31) as usize] as char);
    }
    let mut random: u128 = 0;
    for byte in &digest[..10] {
        random = (random << 8) | u128::from(*byte);
    }
    for index in (0..16).rev() {
        ulid.push(CROCKFORD[((random >> (index * 5)) & 31) as usize] as char);
    }
    format!("{TTID_PREFIX}{ulid}")
}

/// `XX` + 32 hex digits, as every Twilio SID is.
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

/// `2019-08-24T14:15:22Z` for a Unix time in milliseconds.
pub fn iso8601(unix_ms: u64) -> String {
    let seconds = unix_ms / 1000;
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_sids_are_well_formed_stable_and_distinct() {
        let first = mint_sid("QY", "GO1", 1);
        assert!(is_sid(&first, "QY"), "{first}");
        assert_eq!(first, mint_sid("QY", "GO1", 1));
        assert_ne!(first, mint_sid("QY", "GO1", 2));
    }

    #[test]
    fn minted_ttids_match_the_documented_shape() {
        let ttid = mint_ttid("GO1", 7, 1_700_000_000_000);
        assert_eq!(ttid.len(), 57);
        assert!(is_ttid(&ttid), "{ttid}");
        assert!(is_ttid(
            "flex_notificationconfiguration_01jt2gntpafkt9671avqj50sq8"
        ));
        assert!(!is_ttid(
            "flex_notificationconfiguration_01JT2GNTPAFKT9671AVQJ50SQ8"
        ));
        assert!(!is_ttid(
            "flex_notificationconfiguration_01jt2gntpafkt9671avqj50sq"
        ));
    }

    #[test]
    fn sid_check_wants_prefix_length_and_hex() {
        assert!(is_sid("WQ00000000000000000000000000000001", "WQ"));
        assert!(!is_sid("WQ0000000000000000000000000000000g", "WQ"));
        assert!(!is_sid("TC00000000000000000000000000000001", "WQ"));
        assert!(!is_sid("WQ0001", "WQ"));
    }

    #[test]
    fn formats_utc_timestamps() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_566_656_122_000), "2019-08-24T14:15:22Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
    }
}
