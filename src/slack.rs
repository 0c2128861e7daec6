//! Posting a message to a Slack incoming webhook, and a direct message through Slack's Web API
//! (`chat.postMessage` with a bot token). The webhook URL and the token are secrets (whoever has
//! one can post), so no message here ever contains them.

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
    /// The Web API answered, but not `ok` (`{"ok": false, "error": "channel_not_found"}`).
    #[error("Slack refused the message: {0}")]
    Api(String),
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

/// Slack's Web API, where `chat.postMessage` lives.
pub const API_URL: &str = "https://slack.com/api";

/// Posts `json` (a Block Kit message) to the webhook; anything but a 2xx answer within
/// `timeout` is an error.
pub async fn post(url: &str, json: &str, timeout: Duration) -> Result<(), SlackError> {
    let (status, body) = exchange(url, None, json, timeout).await?;
    if status.is_success() {
        return Ok(());
    }
    let answer = body
        .map(|b| String::from_utf8_lossy(&b).trim().chars().take(200).collect::<String>())
        .filter(|a| !a.is_empty())
        .map(|a| a.replace(url, "***"));
    Err(SlackError::Refused { status: status.as_u16(), answer })
}

/// Sends `text` (Slack's mrkdwn) to `channel` (a user id for a direct message) with the bot
/// `token` through `chat.postMessage` under `api_url`. Slack answers 200 with `"ok": false` and
/// an error code when it refuses: that is an error naming the code.
pub async fn post_message(
    api_url: &str,
    token: &str,
    channel: &str,
    text: &str,
    timeout: Duration,
) -> Result<(), SlackError> {
    let url = format!("{}/chat.postMessage", api_url.trim_end_matches('/'));
    let json = serde_json::json!({ "channel": channel, "text": text, "unfurl_links": false }).to_string();
    let (status, body) = exchange(&url, Some(token), &json, timeout).await?;
    let said: Option<serde_json::Value> = body.as_deref().and_then(|b| serde_json::from_slice(b).ok());
    let scrub = |text: &str| text.replace(token, "***").chars().take(200).collect::<String>();
    match said {
        Some(answer) if status.is_success() && answer["ok"] == serde_json::Value::Bool(true) => Ok(()),
        Some(answer) if status.is_success() => {
            Err(SlackError::Api(scrub(answer["error"].as_str().unwrap_or("no error code given"))))
        }
        _ => Err(SlackError::Refused {
            status: status.as_u16(),
            answer: body.map(|b| scrub(String::from_utf8_lossy(&b).trim())).filter(|a| !a.is_empty()),
        }),
    }
}

/// One POST of `json` under `timeout`, with the bot token when given: the status and at most
/// 4 KiB of the answer.
async fn exchange(
    url: &str,
    token: Option<&str>,
    json: &str,
    timeout: Duration,
) -> Result<(http::StatusCode, Option<Bytes>), SlackError> {
    let uri: http::Uri = url.parse().map_err(|_| SlackError::BadUrl)?;
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| SlackError::Unreachable(format!("no trusted root certificates: {e}")))?
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(https);
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::USER_AGENT, concat!("flowgate/", env!("CARGO_PKG_VERSION")));
    request = match token {
        // The Web API warns about a JSON body without its charset.
        Some(token) => request
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .header(header::AUTHORIZATION, format!("Bearer {token}")),
        None => request.header(header::CONTENT_TYPE, "application/json"),
    };
    let request = request.body(Full::new(Bytes::from(json.to_string()))).map_err(|_| SlackError::BadUrl)?;
    let exchange = async {
        let response = client
            .request(request)
            .await
            .map_err(|e| SlackError::Unreachable(describe(&e, url).replace(token.unwrap_or(url), "***")))?;
        let status = response.status();
        // Slack answers a word or two ("ok", "invalid_payload", "no_service"); read at most 4 KiB.
        let body = Limited::new(response.into_body(), 4096).collect().await.map(|b| b.to_bytes()).ok();
        Ok::<_, SlackError>((status, body))
    };
    tokio::time::timeout(timeout, exchange).await.map_err(|_| SlackError::Timeout(timeout))?
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

    #[tokio::test]
    async fn a_direct_message_goes_with_the_token_and_an_ok_false_answer_is_an_error_naming_it() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(wiremock::matchers::path("/api/chat.postMessage"))
            .and(has_header("authorization", "Bearer xoxb-hush"))
            .and(body_json(serde_json::json!({ "channel": "U0ALICE", "text": "hi", "unfurl_links": false })))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({ "ok": true })))
            .expect(1)
            .mount(&server)
            .await;
        let api = format!("{}/api", server.uri());
        post_message(&api, "xoxb-hush", "U0ALICE", "hi", TIMEOUT).await.expect("sent");
        server.reset().await;

        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({ "ok": false, "error": "channel_not_found" })),
            )
            .mount(&server)
            .await;
        let e = post_message(&api, "xoxb-hush", "U0GONE", "hi", TIMEOUT).await.unwrap_err();
        assert_eq!(e, SlackError::Api("channel_not_found".into()));
        assert_eq!(e.to_string(), "Slack refused the message: channel_not_found");
        server.reset().await;

        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(401).set_body_string("bad token xoxb-hush"))
            .mount(&server)
            .await;
        let e = post_message(&api, "xoxb-hush", "U0ALICE", "hi", TIMEOUT).await.unwrap_err().to_string();
        assert!(e.contains("401") && !e.contains("hush"), "{e}");
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
