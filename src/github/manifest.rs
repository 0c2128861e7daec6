//! GitHub's App manifest flow, the one request of it that flowgate makes: trading the one-time
//! code GitHub hands the browser after creating an App for that App's id, private key and webhook
//! secret (`POST /app-manifests/{code}/conversions`, which takes no authentication).

use http::{Method, StatusCode};
use serde::Deserialize;

use super::client::{ACCEPT_JSON, failure};
use super::error::Error;
use super::{Credentials, GitHub};

/// A value that must never be printed or logged: the App's private key, its webhook secret.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The App GitHub created from the manifest, with its credentials.
#[derive(Debug, Clone, Deserialize)]
pub struct CreatedApp {
    pub id: u64,
    pub slug: String,
    pub name: String,
    /// The App's page on GitHub (`https://github.com/apps/SLUG`); installing starts at
    /// `{html_url}/installations/new`.
    pub html_url: String,
    pub pem: Secret,
    pub webhook_secret: Secret,
}

/// Whether `code` can be what GitHub put in the redirect's query: it becomes a path segment, so
/// anything but the characters GitHub's codes are made of is refused before it is sent.
pub fn is_code(code: &str) -> bool {
    (1..=100).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Why a code was not traded, by GitHub's answer.
#[derive(Debug, thiserror::Error)]
pub enum ConversionError {
    /// 404: the code was traded already, or is more than an hour old.
    #[error("GitHub does not know the code (404)")]
    Expired,
    /// Another refusal (422 for a code GitHub cannot use), with GitHub's message.
    #[error("GitHub refused the code ({status}: {message})")]
    Refused { status: u16, message: String },
    /// No answer, or one flowgate cannot read.
    #[error(transparent)]
    Failed(#[from] Error),
}

/// The request as errors name it: the code is as good as the App's key for an hour, so it is
/// never printed.
const REQUEST: &str = "POST /app-manifests/{code}/conversions";

/// Trades `code` for the App it stands for, at the REST API `api_url`. A code is good for one
/// hour and one trade: GitHub answers 404 after either, 422 for a code it cannot use.
pub async fn convert(api_url: &str, code: &str) -> Result<CreatedApp, ConversionError> {
    if !is_code(code) {
        return Err(Error::setup("the code is not one GitHub issues").into());
    }
    let github = GitHub::new(api_url, Credentials::Anonymous).map_err(|e| Error::setup(e.to_string()))?;
    let path = format!("/app-manifests/{code}/conversions");
    let answer = github
        .send(Method::POST, &path, ACCEPT_JSON, None)
        .await
        .map_err(|e| Error::new(e.kind().clone(), e.to_string().replace(code, "{code}")))?;
    match answer.status {
        s if s.is_success() => super::parse::one::<CreatedApp>(&answer.body)
            .map_err(|e| Error::bad_answer(format!("{REQUEST}: {e}")).into()),
        StatusCode::NOT_FOUND => Err(ConversionError::Expired),
        s if s.is_client_error() => Err(ConversionError::Refused {
            status: s.as_u16(),
            message: answer.message().unwrap_or_else(|| s.canonical_reason().unwrap_or_default().to_string()),
        }),
        _ => Err(failure("POST", REQUEST, &answer).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credentials_never_print_themselves() {
        let app: CreatedApp = serde_json::from_value(serde_json::json!({
            "id": 7, "slug": "acme-flowgate", "name": "acme flowgate", "html_url": "https://github.com/apps/acme-flowgate",
            "pem": "-----BEGIN RSA PRIVATE KEY-----\nsecret\n", "webhook_secret": "hush", "client_secret": "other"
        }))
        .expect("the conversion's answer");
        let printed = format!("{app:?}");
        assert!(!printed.contains("secret\n") && !printed.contains("hush"), "{printed}");
        assert_eq!(app.webhook_secret.expose(), "hush");
    }

    #[test]
    fn only_a_code_of_githubs_characters_goes_into_the_path() {
        assert!(is_code("a1b2c3d4e5f6a7b8c9d0"));
        for bad in ["", "../app", "a/b", "a?b", "a b", &"x".repeat(101)] {
            assert!(!is_code(bad), "{bad:?}");
        }
    }
}
