//! Posting a message to a Slack incoming webhook. The webhook URL is a secret (whoever has it can
//! post to the channel), so no message here ever contains it.

use std::time::Duration;

use axum::body::Bytes;
use http::{Method, Request, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Where `flowgate digest --post` and the App read the webhook URL from.
pub const WEBHOOK_ENV: &str = "FLOWGATE_SLACK_WEBHOOK_URL";

/// How long a post may take before it is given up.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a post did not reach the channel, in words that never contain the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlackError {
    #[error("{WEBHOOK_ENV} is not set: give the incoming-webhook URL Slack made for the channel")]
    NotSet,
    #[error("{WEBHOOK_ENV} is not an http(s) URL")]
    BadUrl,
    #[error("Slack refused the message: {status}{}", answer.as_ref().map(|a| format!(" ({a})")).unwrap_or_default())]
    Refused { status: u16, answer: Option<String> },
    #[error("Slack did not answer within {} seconds", .0.as_secs_f64())]
    Timeout(Duration),
    #[error("cannot reach Slack: {0}")]
    Unreachable(String),
}

/// The webhook URL from an environment variable's value, checked but never shown.
pub fn webhook_url(value: Option<String>) -> Result<String, SlackError> {
    let url = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).ok_or(SlackError::NotSet)?;
    let parsed: http::Uri = url.parse().map_err(|_| SlackError::BadUrl)?;
    match parsed.scheme_str() {
        Some("https" | "http") if parsed.host().is_some() => Ok(url),
        _ => Err(SlackError::BadUrl),
    }
}

/// Posts `json` (a Block Kit message) to the webhook; anything but a 2xx answer within
/// `timeout` is an error.
pub async fn post(url: &str, json: &str, timeout: Duration) -> Result<(), SlackError> {
    let uri: http::Uri = url.parse().map_err(|_| SlackError::BadUrl)?;
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| SlackError::Unreachable(format!("no trusted root certificates: {e}")))?
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(https);
    let request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, concat!("flowgate/", env!("CARGO_PKG_VERSION")))
        .body(Full::new(Bytes::from(json.to_string())))
        .map_err(|_| SlackError::BadUrl)?;
    let exchange = async {
        let response = client.request(request).await.map_err(|e| SlackError::Unreachable(describe(&e, url)))?;
        let status = response.status();
        // Slack answers a word or two ("ok", "invalid_payload", "no_service"); read at most 4 KiB.
        let body = Limited::new(response.into_body(), 4096).collect().await.map(|b| b.to_bytes()).ok();
        Ok::<_, SlackError>((status, body))
    };
    let (status, body) = tokio::time::timeout(timeout, exchange).await.map_err(|_| SlackError::Timeout(timeout))??;
    if status.is_success() {
        return Ok(());
    }
    let answer = body
        .map(|b| String::from_utf8_lossy(&b).trim().chars().take(200).collect::<String>())
        .filter(|a| !a.is_empty())
        .map(|a| a.replace(url, "***"));
    Err(SlackError::Refused { status: status.as_u16(), answer })
}

/// The error and its causes on one line, with the URL taken out should any layer have put it in.
fn describe(error: &(dyn std::error::Error + 'static), url: &str) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.replace(url, "***")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::matchers::{body_json, header as has_header, method};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[tokio::test]
    async fn a_2xx_answer_is_posted_and_anything_else_says_what_slack_said() {
        let server = MockServer::start().await;
        let url = format!("{}/services/T000/B000/secret", server.uri());
        Mock::given(method("POST"))
            .and(has_header("content-type", "application/json"))
            .and(body_json(serde_json::json!({ "blocks": [] })))
            .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
            .expect(1)
            .mount(&server)
            .await;
        post(&url, r#"{"blocks":[]}"#, TIMEOUT).await.expect("posted");
        server.reset().await;

        for (status, said) in [(400, "invalid_payload"), (404, "no_service"), (500, "")] {
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(status).set_body_string(said))
                .mount(&server)
                .await;
            let e = post(&url, "{}", TIMEOUT).await.unwrap_err();
            assert_eq!(e, SlackError::Refused { status, answer: (!said.is_empty()).then(|| said.to_string()) });
            let line = e.to_string();
            assert!(line.contains(&status.to_string()) && !line.contains("secret") && !line.contains('\n'), "{line}");
            server.reset().await;
        }
    }

    #[tokio::test]
    async fn a_slow_or_absent_webhook_is_an_error_without_the_url() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
            .mount(&server)
            .await;
        let url = format!("{}/services/secret", server.uri());
        let e = post(&url, "{}", Duration::from_millis(200)).await.unwrap_err();
        assert_eq!(e, SlackError::Timeout(Duration::from_millis(200)));

        // A port nothing listens on: bind one, then free it.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let url = format!("http://127.0.0.1:{port}/services/secret");
        let e = post(&url, "{}", TIMEOUT).await.unwrap_err().to_string();
        assert!(e.starts_with("cannot reach Slack") && !e.contains("secret"), "{e}");
    }

    #[test]
    fn the_url_must_be_set_and_be_http() {
        assert_eq!(webhook_url(None), Err(SlackError::NotSet));
        assert_eq!(webhook_url(Some("  ".into())), Err(SlackError::NotSet));
        assert_eq!(webhook_url(Some("hooks.slack.com/services/x".into())), Err(SlackError::BadUrl));
        assert_eq!(webhook_url(Some("ftp://hooks.slack.com/x".into())), Err(SlackError::BadUrl));
        assert!(webhook_url(Some("https://hooks.slack.com/services/T/B/x".into())).is_ok());
        assert!(!SlackError::BadUrl.to_string().contains("hooks"));
    }
}
