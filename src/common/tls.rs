//! TLS set-up shared by every HTTPS client of the process (the Twilio client, webhook
//! deliveries): rustls with the ring provider, installed once.

use std::sync::Once;

/// Installs ring as the TLS crypto provider, once per process.
pub fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Fails only when a provider is installed already, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
