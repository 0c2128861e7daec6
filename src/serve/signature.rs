//! Webhook signatures: `X-Hub-Signature-256` is HMAC-SHA256 of the raw body under the webhook
//! secret. Checked against every configured secret (so a secret can be rotated), in constant time,
//! before anything in the body is parsed. The App hashes the body while it streams in (`Verifier`),
//! so a forged body is refused the moment its last byte arrives.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// A webhook secret that never prints itself.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    pub fn new(secret: &str) -> Option<WebhookSecret> {
        let secret = secret.trim();
        (!secret.is_empty()).then(|| WebhookSecret(secret.as_bytes().to_vec()))
    }

    /// `sha256=<hex>` for `body`: what GitHub sends, and what tests sign with.
    pub fn sign(&self, body: &[u8]) -> String {
        let tag = self.mac(body).map(|m| hex::encode(m.finalize().into_bytes())).unwrap_or_default();
        format!("sha256={tag}")
    }

    /// HMAC takes a key of any length, so this is always `Some`.
    fn mac(&self, body: &[u8]) -> Option<Hmac<Sha256>> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).ok()?;
        mac.update(body);
        Some(mac)
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

/// Whether `header` (`sha256=<hex>`) signs `body` under one of `secrets`.
pub fn verify(secrets: &[WebhookSecret], body: &[u8], header: Option<&str>) -> bool {
    let Some(mut verifier) = Verifier::new(secrets, header) else { return false };
    verifier.update(body);
    verifier.finish()
}

/// A signature checked as the body arrives, chunk by chunk, under every configured secret.
pub(crate) struct Verifier {
    tag: Vec<u8>,
    macs: Vec<Hmac<Sha256>>,
}

impl Verifier {
    /// `None` when the header is missing or is not `sha256=` and 64 hex digits, or no secret is
    /// configured: such a request is refused before its body is read at all.
    pub fn new(secrets: &[WebhookSecret], header: Option<&str>) -> Option<Verifier> {
        let tag = header.and_then(|h| h.trim().strip_prefix("sha256=")).and_then(|h| hex::decode(h).ok())?;
        let macs: Vec<Hmac<Sha256>> = secrets.iter().filter_map(|s| s.mac(b"")).collect();
        (tag.len() == 32 && !macs.is_empty()).then_some(Verifier { tag, macs })
    }

    pub fn update(&mut self, chunk: &[u8]) {
        for mac in &mut self.macs {
            mac.update(chunk);
        }
    }

    /// Whether the body seen signs to the header's tag under one of the secrets.
    pub fn finish(self) -> bool {
        // Every secret is tried, whichever matches, so the time taken does not say which one did.
        let tag = self.tag;
        self.macs.into_iter().fold(false, |ok, mac| mac.verify_slice(&tag).is_ok() | ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn githubs_documented_example_verifies() {
        // From GitHub's "Validating webhook deliveries" page.
        let secret = WebhookSecret::new("It's a Secret to Everybody").unwrap();
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(secret.sign(b"Hello, World!"), header);
        assert!(verify(&[secret], b"Hello, World!", Some(header)));
    }

    #[test]
    fn any_configured_secret_may_sign_during_a_rotation() {
        let old = WebhookSecret::new("old").unwrap();
        let new = WebhookSecret::new("new").unwrap();
        let header = old.sign(b"{}");
        assert!(verify(&[new.clone(), old], b"{}", Some(&header)));
        assert!(!verify(&[new], b"{}", Some(&header)));
    }

    #[test]
    fn anything_else_is_refused() {
        let secret = WebhookSecret::new("s").unwrap();
        let good = secret.sign(b"{}");
        for header in [None, Some(""), Some("sha256="), Some("sha1=abc"), Some("sha256=zz"), Some(&good[..20])] {
            assert!(!verify(std::slice::from_ref(&secret), b"{}", header), "{header:?}");
        }
        assert!(!verify(std::slice::from_ref(&secret), b"{ }", Some(&good)), "the body is signed byte for byte");
        assert!(!verify(&[], b"{}", Some(&good)), "no secret configured: nothing verifies");
        assert_eq!(format!("{secret:?}"), "WebhookSecret(***)");
    }

    #[test]
    fn a_body_hashed_in_chunks_verifies_as_a_whole() {
        let secret = WebhookSecret::new("s").unwrap();
        let body = b"{\"action\":\"opened\",\"number\":2}";
        let header = secret.sign(body);
        let mut verifier = Verifier::new(std::slice::from_ref(&secret), Some(&header)).unwrap();
        for chunk in body.chunks(5) {
            verifier.update(chunk);
        }
        assert!(verifier.finish());
        let mut forged = Verifier::new(std::slice::from_ref(&secret), Some(&header)).unwrap();
        forged.update(&body[..body.len() - 1]);
        assert!(!forged.finish(), "one byte short");
        assert!(Verifier::new(std::slice::from_ref(&secret), Some("sha256=abcd")).is_none(), "not 32 bytes");
    }
}
