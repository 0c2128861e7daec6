//! Who flowgate is to GitHub: a token (Actions, the CLI) or a GitHub App, whose short-lived JWT
//! buys installation tokens that the client caches and renews before they expire.

use std::path::Path;
use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use super::error::Error;
use super::{GitHub, RepoName};
use crate::error::UserError;

/// A token that never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(token: impl Into<String>) -> Option<Token> {
        let token = token.into();
        (!token.trim().is_empty()).then(|| Token(token.trim().to_string()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// A GitHub App's identity: its id and the private key GitHub issued for it.
#[derive(Clone)]
pub struct AppKey {
    pub app_id: u64,
    key: EncodingKey,
}

impl std::fmt::Debug for AppKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AppKey {{ app_id: {}, key: *** }}", self.app_id)
    }
}

/// The claims GitHub reads from an App's JWT.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct AppClaims {
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
}

/// GitHub refuses a JWT that lives longer than ten minutes.
pub(crate) const JWT_LIFE: Duration = Duration::from_secs(600);
/// `iat` is set this far in the past, so that a server clock a little behind ours still accepts it.
pub(crate) const CLOCK_SKEW: Duration = Duration::from_secs(60);
/// An installation token is renewed when it has less than this left (they live an hour).
pub(crate) const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);

impl AppClaims {
    pub fn at(app_id: u64, now_unix: u64) -> AppClaims {
        let iat = now_unix.saturating_sub(CLOCK_SKEW.as_secs());
        AppClaims { iat, exp: iat + JWT_LIFE.as_secs(), iss: app_id.to_string() }
    }
}

impl AppKey {
    /// Reads a PEM private key (PKCS#1 as GitHub issues it, or PKCS#8).
    pub fn from_pem(app_id: u64, pem: &[u8]) -> Result<AppKey, UserError> {
        let key = EncodingKey::from_rsa_pem(pem).map_err(|e| {
            UserError::Config(format!("the GitHub App's private key is not an RSA key in PEM form: {e}"))
        })?;
        Ok(AppKey { app_id, key })
    }

    /// Reads the PEM private key at `path`.
    pub fn from_file(app_id: u64, path: &Path) -> Result<AppKey, UserError> {
        let pem = std::fs::read(path).map_err(|e| UserError::input(path, format!("cannot read: {e}")))?;
        AppKey::from_pem(app_id, &pem)
    }

    /// The JWT that authenticates as the App itself, valid from a minute ago for ten minutes.
    pub fn jwt(&self, now_unix: u64) -> Result<String, Error> {
        let claims = AppClaims::at(self.app_id, now_unix);
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .map_err(|e| Error::setup(format!("cannot sign the GitHub App's JWT: {e}")))
    }
}

/// How the client authenticates.
#[derive(Debug, Clone)]
pub enum Credentials {
    Anonymous,
    Token(Token),
    /// The App itself (JWT): only for App endpoints, such as finding an installation.
    App(AppKey),
    /// An App acting in one installation; tokens are fetched and renewed by the client.
    Installation {
        app: AppKey,
        installation_id: u64,
    },
}

/// A client at `api_url` for reading and writing `repo`, as the commands are told to act: with a
/// GitHub App's id and private key (a PEM file), as the App's installation on that repository;
/// else with `token`; else anonymous.
pub async fn client_for(
    api_url: &str,
    repo: &RepoName,
    app: Option<(u64, &Path)>,
    token: Option<&str>,
) -> Result<GitHub, UserError> {
    let Some((app_id, key_path)) = app else {
        let credentials = match token.and_then(Token::new) {
            Some(token) => Credentials::Token(token),
            None => Credentials::Anonymous,
        };
        return GitHub::new(api_url, credentials);
    };
    let app = AppKey::from_file(app_id, key_path)?;
    // The installation is looked up as the App, then the client acts as that installation.
    let lookup = GitHub::new(api_url, Credentials::App(app.clone()))?;
    let installation_id = lookup.installation_for(repo).await?;
    GitHub::new(api_url, Credentials::Installation { app, installation_id })
}

/// An installation token and when, by this machine's clock, to renew it.
#[derive(Debug, Clone)]
pub(crate) struct InstallationToken {
    pub token: Token,
    /// `expires_at` as GitHub wrote it.
    pub expires_unix: u64,
    /// When to stop using it, on the local clock.
    pub renew_at_unix: u64,
}

/// However a token's expiry reads, it is used for at least this long before it is renewed, so a
/// clock far from GitHub's cannot turn every request into a token request.
pub(crate) const MIN_TOKEN_USE: Duration = Duration::from_secs(30);

impl InstallationToken {
    /// Reads GitHub's answer to `POST /app/installations/{id}/access_tokens`. The token's life is
    /// measured against GitHub's own clock (the answer's `Date`, when given) and then counted
    /// on ours, so clock skew between the two does not shorten or stretch it.
    pub fn from_answer(body: &str, date_header: Option<&str>, now_unix: u64) -> Result<InstallationToken, Error> {
        let mut token = InstallationToken::parse(body)?;
        let server_now = date_header
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .map_or(now_unix, |d| d.timestamp().max(0) as u64);
        let life = token.expires_unix.saturating_sub(server_now).min(3600);
        let keep = life.saturating_sub(RENEW_BEFORE.as_secs().min(life / 2)).max(MIN_TOKEN_USE.as_secs());
        token.renew_at_unix = now_unix + keep;
        Ok(token)
    }

    /// Reads the answer's fields, renewing at GitHub's expiry minus five minutes.
    pub fn parse(body: &str) -> Result<InstallationToken, Error> {
        let value: serde_json::Value = serde_json::from_str(body)
            .map_err(|e| Error::bad_answer(format!("the installation token answer is not JSON: {e}")))?;
        let token = value["token"].as_str().and_then(Token::new);
        let expires = value["expires_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp().max(0) as u64);
        match (token, expires) {
            (Some(token), Some(expires_unix)) => Ok(InstallationToken {
                token,
                expires_unix,
                renew_at_unix: expires_unix.saturating_sub(RENEW_BEFORE.as_secs()),
            }),
            _ => Err(Error::bad_answer("the installation token answer lacks token or expires_at")),
        }
    }

    /// Whether the token is still good for long enough to start a request with it.
    pub fn fresh(&self, now_unix: u64) -> bool {
        now_unix < self.renew_at_unix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jwt_starts_a_minute_ago_and_lives_ten_minutes() {
        let claims = AppClaims::at(42, 1_700_000_000);
        assert_eq!(claims, AppClaims { iat: 1_699_999_940, exp: 1_700_000_540, iss: "42".into() });
    }

    #[test]
    fn a_token_is_renewed_five_minutes_before_it_expires() {
        let t = InstallationToken::parse(r#"{"token":"ghs_x","expires_at":"2023-11-14T23:13:20Z"}"#).unwrap();
        assert_eq!(t.expires_unix, 1_700_003_600);
        assert!(t.fresh(t.expires_unix - 301));
        assert!(!t.fresh(t.expires_unix - 300));
        assert!(!t.fresh(t.expires_unix + 10));
    }

    #[test]
    fn a_token_lives_by_githubs_clock_counted_on_ours() {
        let body = r#"{"token":"ghs_x","expires_at":"2023-11-14T23:13:20Z"}"#;
        // GitHub's clock says 22:13:20, an hour before expiry; ours is ten minutes ahead.
        let ahead = 1_700_000_000 + 600;
        let t = InstallationToken::from_answer(body, Some("Tue, 14 Nov 2023 22:13:20 GMT"), ahead).unwrap();
        assert_eq!(t.renew_at_unix, ahead + 3600 - 300, "used for 55 minutes of our time");
        assert!(t.fresh(ahead + 3000) && !t.fresh(ahead + 3300));
    }

    #[test]
    fn a_token_that_reads_as_expired_is_still_used_for_a_while() {
        // An expiry in the past (a far-off clock, a fake server): not renewed on every request.
        let body = r#"{"token":"ghs_x","expires_at":"2016-07-11T22:14:10Z"}"#;
        let t = InstallationToken::from_answer(body, None, 1_700_000_000).unwrap();
        assert!(t.fresh(1_700_000_000 + 29));
        assert!(!t.fresh(1_700_000_000 + 30));
    }

    #[test]
    fn a_broken_token_answer_is_an_error_not_a_panic() {
        assert!(InstallationToken::parse("{").is_err());
        assert!(InstallationToken::parse(r#"{"token":"x"}"#).is_err());
        assert!(InstallationToken::parse(r#"{"token":"","expires_at":"2023-11-14T23:13:20Z"}"#).is_err());
    }

    #[test]
    fn tokens_and_keys_never_print_themselves() {
        assert_eq!(format!("{:?}", Token::new("ghp_secret").unwrap()), "Token(***)");
    }
}
