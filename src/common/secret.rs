//! Secrets (webhook URLs): kept in memory for the store, shown only masked, compared by hash.
//!
//! `Debug` and `Display` never print the value, so a secret cannot leak through a log line or
//! an error message by accident; the only way out is `expose()`, used where a request is built.

use sha2::{Digest, Sha256};

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The real value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Scheme and host with the rest hidden: `https://hooks.slack.com/***`.
    pub fn masked(&self) -> String {
        mask_url(&self.0)
    }

    /// A stable fingerprint to compare secrets without showing them: `sha256:` + 16 hex digits.
    pub fn hash(&self) -> String {
        hash_text(&self.0)
    }
}

/// `sha256:` and the first 16 hex digits of the SHA-256 of `text`.
pub fn hash_text(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Keeps the scheme and host of a URL and replaces the rest with `***`.
pub fn mask_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let host = host.rsplit('@').next().unwrap_or_default();
            format!("{scheme}://{host}/***")
        }
        None => "***".to_owned(),
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_keeps_only_scheme_and_host() {
        let secret = Secret::new("https://hooks.slack.com/services/T0/B0/XYZ?token=1");
        assert_eq!(secret.masked(), "https://hooks.slack.com/***");
        assert_eq!(format!("{secret}"), "https://hooks.slack.com/***");
        assert!(!format!("{secret:?}").contains("XYZ"));
    }

    #[test]
    fn userinfo_is_never_shown() {
        assert_eq!(
            mask_url("https://user:pw@example.com/x"),
            "https://example.com/***"
        );
    }

    #[test]
    fn hash_is_stable_and_distinguishes() {
        let a = Secret::new("https://a.example/1");
        assert_eq!(a.hash(), Secret::new("https://a.example/1").hash());
        assert_ne!(a.hash(), Secret::new("https://a.example/2").hash());
        assert!(a.hash().starts_with("sha256:"));
    }
}
