//! HTTP for tracker adapters: paced with governor, time-bounded, cached for a TTL and revalidated
//! with ETags, with every failure turned into a [`TrackerError`].

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use http::{HeaderValue, Request, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::TrackerError;

/// No tracker answer flowgate reads is this large.
const MAX_BODY: usize = 8 * 1024 * 1024;
/// Cached answers kept per client.
const MAX_CACHED: usize = 4096;

/// How a tracker client behaves; the defaults suit a gate run, tests shorten them.
#[derive(Debug, Clone, Copy)]
pub struct HttpSettings {
    /// The longest one request may take, connection included.
    pub timeout: Duration,
    /// How long an answer is reused without asking again.
    pub cache_ttl: Duration,
    /// Requests per second, with a burst of four times as many.
    pub per_second: u32,
    /// A 429 whose retry-after is at most this long is waited out once; a longer one fails the lookup.
    pub max_retry_wait: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(5),
            cache_ttl: Duration::from_secs(300),
            per_second: 10,
            max_retry_wait: Duration::from_secs(5),
        }
    }
}

/// What a client has cost so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HttpUsage {
    /// HTTP requests sent, retries included.
    pub requests: usize,
    /// Reads answered from the cache without a request.
    pub cache_hits: usize,
    /// Requests answered 304 Not Modified.
    pub not_modified: usize,
}

/// A successful answer's body.
#[derive(Debug, Clone)]
pub(crate) struct Body(pub String);

impl Body {
    pub fn json(&self, what: &str) -> Result<serde_json::Value, TrackerError> {
        serde_json::from_str(&self.0)
            .map_err(|e| TrackerError::BadAnswer { reason: format!("{what} is not JSON: {e}") })
    }
}

struct Cached {
    fetched: Instant,
    etag: Option<String>,
    /// `None` for a 404: "no parent" is the most common answer at the top of a chain.
    body: Option<String>,
}

/// One tracker's HTTP client: one base URL, one identity.
pub(crate) struct TrackerHttp {
    client: Client<HttpsConnector<HttpConnector>, Full<bytes::Bytes>>,
    base: String,
    headers: Vec<(header::HeaderName, HeaderValue)>,
    settings: HttpSettings,
    pace: DefaultDirectRateLimiter,
    cache: Mutex<HashMap<String, Cached>>,
    requests: AtomicUsize,
    cache_hits: AtomicUsize,
    not_modified: AtomicUsize,
}

impl TrackerHttp {
    /// A client for `base` (no trailing slash needed) sending `headers` on every request.
    pub fn new(
        base: &str,
        headers: Vec<(header::HeaderName, HeaderValue)>,
        settings: HttpSettings,
    ) -> Result<TrackerHttp, String> {
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(format!("{base:?} is not an http(s) URL"));
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| format!("cannot load the system's TLS roots: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        let rate = NonZeroU32::new(settings.per_second).unwrap_or(NonZeroU32::MIN);
        let burst = rate.saturating_mul(NonZeroU32::new(4).unwrap_or(NonZeroU32::MIN));
        Ok(TrackerHttp {
            client,
            base,
            headers,
            settings,
            pace: RateLimiter::direct(Quota::per_second(rate).allow_burst(burst)),
            cache: Mutex::new(HashMap::new()),
            requests: AtomicUsize::new(0),
            cache_hits: AtomicUsize::new(0),
            not_modified: AtomicUsize::new(0),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn usage(&self) -> HttpUsage {
        HttpUsage {
            requests: self.requests.load(Ordering::Relaxed),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            not_modified: self.not_modified.load(Ordering::Relaxed),
        }
    }

    /// GETs `path` (below the base URL). A fresh cached answer is reused; a stale one with an
    /// ETag is revalidated. A 429 with a short retry-after is waited out once.
    pub async fn get(&self, path: &str) -> Result<Body, TrackerError> {
        self.fetch(path, None).await
    }

    /// POSTs a JSON `body` to `path` for an answer that only reads (a GraphQL query), cached like
    /// a GET by path and body.
    pub async fn query(&self, path: &str, body: &serde_json::Value) -> Result<Body, TrackerError> {
        self.fetch(path, Some(body.to_string())).await
    }

    async fn fetch(&self, path: &str, post: Option<String>) -> Result<Body, TrackerError> {
        let key = match &post {
            Some(body) => format!("POST {path} {body}"),
            None => path.to_string(),
        };
        let key = key.as_str();
        let verb = if post.is_some() { "POST" } else { "GET" };
        let etag = {
            let cache = self.cache.lock().map_err(|_| TrackerError::Down { reason: "cache poisoned".into() })?;
            match cache.get(key) {
                Some(c) if c.fetched.elapsed() < self.settings.cache_ttl => {
                    self.cache_hits.fetch_add(1, Ordering::Relaxed);
                    return c.body.clone().map(Body).ok_or(TrackerError::NotFound);
                }
                Some(c) => c.etag.clone(),
                None => None,
            }
        };
        let mut waited = false;
        loop {
            let (status, headers, body) = self.send(path, post.as_deref(), etag.as_deref()).await?;
            match status {
                StatusCode::NOT_MODIFIED => {
                    self.not_modified.fetch_add(1, Ordering::Relaxed);
                    let mut cache =
                        self.cache.lock().map_err(|_| TrackerError::Down { reason: "cache poisoned".into() })?;
                    if let Some(c) = cache.get_mut(key) {
                        c.fetched = Instant::now();
                        return c.body.clone().map(Body).ok_or(TrackerError::NotFound);
                    }
                    return Err(TrackerError::BadAnswer {
                        reason: format!("{verb} {path}: 304 for an answer never cached"),
                    });
                }
                // Azure DevOps answers a token it does not accept with 203 and a sign-in page.
                StatusCode::NON_AUTHORITATIVE_INFORMATION => {
                    return Err(TrackerError::Permission {
                        status: 203,
                        message: "a sign-in page instead of an answer: the token was not accepted".into(),
                    });
                }
                s if s.is_success() => {
                    let etag = headers.get(header::ETAG).and_then(|e| e.to_str().ok()).map(String::from);
                    self.store(key, etag, Some(body.clone()));
                    return Ok(Body(body));
                }
                StatusCode::NOT_FOUND | StatusCode::GONE => {
                    self.store(key, None, None);
                    return Err(TrackerError::NotFound);
                }
                s if is_rate_limited(s, &headers, &body) => {
                    let retry_after = retry_after(&headers);
                    let wait = Duration::from_secs(retry_after.unwrap_or(u64::MAX));
                    if !waited && wait <= self.settings.max_retry_wait {
                        waited = true;
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(TrackerError::RateLimited { retry_after });
                }
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                    return Err(TrackerError::Permission { status: status.as_u16(), message: message_of(&body) });
                }
                s if s.is_server_error() => {
                    return Err(TrackerError::Down { reason: format!("{verb} {path}: HTTP {}", s.as_u16()) });
                }
                s => {
                    return Err(TrackerError::BadAnswer {
                        reason: format!("{verb} {path}: HTTP {}{}", s.as_u16(), with_colon(&message_of(&body))),
                    });
                }
            }
        }
    }

    async fn send(
        &self,
        path: &str,
        post: Option<&str>,
        etag: Option<&str>,
    ) -> Result<(StatusCode, http::HeaderMap, String), TrackerError> {
        self.pace.until_ready().await;
        let url = format!("{}{path}", self.base);
        let method = if post.is_some() { http::Method::POST } else { http::Method::GET };
        let url_text = format!("{method} {url}");
        let mut request = Request::builder().method(method).uri(&url).header(header::USER_AGENT, "flowgate");
        if post.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        for (name, value) in &self.headers {
            request = request.header(name, value.clone());
        }
        if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        let request = request
            .body(Full::new(bytes::Bytes::from(post.unwrap_or_default().to_string())))
            .map_err(|e| TrackerError::BadAnswer { reason: format!("cannot build {url_text}: {e}") })?;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let timeout = self.settings.timeout;
        let after_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| TrackerError::Down { reason: format!("{url_text}: {}", error_chain(&e)) })?;
            let status = response.status();
            let headers = response.headers().clone();
            let bytes =
                Limited::new(response.into_body(), MAX_BODY).collect().await.map_err(|e| TrackerError::Down {
                    reason: format!("{url_text}: the answer broke off or passed {MAX_BODY} bytes: {e}"),
                })?;
            Ok((status, headers, String::from_utf8_lossy(&bytes.to_bytes()).into_owned()))
        };
        tokio::time::timeout(timeout, exchange).await.map_err(|_| TrackerError::Timeout { after_ms })?
    }

    fn store(&self, path: &str, etag: Option<String>, body: Option<String>) {
        let Ok(mut cache) = self.cache.lock() else { return };
        if cache.len() >= MAX_CACHED
            && let Some(oldest) = cache.iter().min_by_key(|(_, c)| c.fetched).map(|(k, _)| k.clone())
        {
            cache.remove(&oldest);
        }
        cache.insert(path.to_string(), Cached { fetched: Instant::now(), etag, body });
    }
}

/// A 429, or a 403 that GitHub uses for its rate limits.
fn is_rate_limited(status: StatusCode, headers: &http::HeaderMap, body: &str) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        // Linear's GraphQL API answers 400 with the error code RATELIMITED.
        || (status == StatusCode::BAD_REQUEST && body.contains("RATELIMITED"))
        || (status == StatusCode::FORBIDDEN
            && (headers.contains_key(header::RETRY_AFTER)
                || headers.get("x-ratelimit-remaining").is_some_and(|v| v.as_bytes() == b"0")
                || body.to_ascii_lowercase().contains("rate limit")))
}

/// Seconds from `Retry-After` (the seconds form; an HTTP date counts as unknown).
fn retry_after(headers: &http::HeaderMap) -> Option<u64> {
    headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

/// The error text trackers put in their bodies: GitHub's `message`, GraphQL's `errors`, Jira's
/// `errorMessages`.
fn message_of(body: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else { return String::new() };
    if let Some(m) = value["message"].as_str() {
        return m.to_string();
    }
    if let Some(m) = value["errors"][0]["message"].as_str() {
        return m.to_string();
    }
    value["errorMessages"]
        .as_array()
        .map(|ms| ms.iter().filter_map(|m| m.as_str()).collect::<Vec<_>>().join("; "))
        .unwrap_or_default()
}

fn with_colon(message: &str) -> String {
    if message.is_empty() { String::new() } else { format!(": {message}") }
}

/// hyper's client errors hide the cause ("connection refused") one level down.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_ignores_dates() {
        let mut headers = http::HeaderMap::new();
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(retry_after(&headers), Some(120));
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("Wed, 21 Oct 2026 07:28:00 GMT"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn a_403_is_a_rate_limit_only_when_it_says_so() {
        let none = http::HeaderMap::new();
        assert!(!is_rate_limited(StatusCode::FORBIDDEN, &none, r#"{"message":"Resource not accessible"}"#));
        assert!(is_rate_limited(StatusCode::FORBIDDEN, &none, r#"{"message":"API rate limit exceeded"}"#));
        assert!(is_rate_limited(StatusCode::TOO_MANY_REQUESTS, &none, ""));
    }

    #[test]
    fn error_messages_come_from_github_or_jira_bodies() {
        assert_eq!(message_of(r#"{"message":"Bad credentials"}"#), "Bad credentials");
        assert_eq!(
            message_of(r#"{"errorMessages":["Issue does not exist","or no permission"]}"#),
            "Issue does not exist; or no permission"
        );
        assert_eq!(message_of("<html>"), "");
    }
}
