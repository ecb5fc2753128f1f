//! Minting the identifiers Flex hands out, in the shapes `flex::sid` describes: SIDs (`QY` + 32
//! hex) and TTIDs (`flex_notificationconfiguration_` + a 26-character lowercase ULID).
//!
//! Minting is deterministic: a SID is a hash of the instance and a counter, so a seeded
//! emulator hands out the same SIDs in the same order every run.

use sha2::{Digest, Sha256};

use crate::flex::sid::{CROCKFORD, TTID_PREFIX};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flex::sid::{is_sid, is_ttid};

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
}
