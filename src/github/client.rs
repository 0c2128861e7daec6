//! The one door to GitHub's REST API: octocrab's HTTP stack with our authentication, pacing,
//! retries and conditional requests on top. Every request flowgate makes goes through `send`.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use octocrab::Octocrab;

use super::auth::{Credentials, InstallationToken};
use super::error::{Error, Reply};
use super::retry::{self, Decision, RetryPolicy};
use crate::error::UserError;

/// The media type for JSON answers. `application/json` is listed too because some servers that
/// speak GitHub's API (and GitHub's own OpenAPI mock) accept only that.
pub const ACCEPT_JSON: &str = "application/vnd.github+json, application/json";
/// The media type for a file's raw bytes from the contents API.
pub const ACCEPT_RAW: &str = "application/vnd.github.raw+json, application/json";
const API_VERSION: &str = "2022-11-28";

/// No answer flowgate reads is this large; a bigger one is refused rather than held in memory.
const MAX_BODY: usize = 32 * 1024 * 1024;
/// Conditional-request entries kept per client.
const MAX_ETAGS: usize = 4096;

/// An HTTP answer, read whole.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// The answer's parts, borrowed, for an error made from it.
    pub fn reply(&self) -> Reply<'_> {
        Reply { status: self.status, headers: &self.headers, body: &self.body }
    }

    /// GitHub's `message` field, for errors.
    pub fn message(&self) -> Option<String> {
        self.reply().message()
    }

    pub fn json(&self, what: &str) -> Result<serde_json::Value, Error> {
        serde_json::from_str(&self.body).map_err(|e| Error::bad_answer(format!("{what}: the answer is not JSON: {e}")))
    }
}

/// What a client has cost so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// HTTP requests sent, retries and token requests included.
    pub requests: usize,
    /// Of those, conditional requests answered 304: they cost no rate limit.
    pub not_modified: usize,
    pub retries: usize,
}

impl Usage {
    /// Requests that count against the rate limit.
    pub fn charged(&self) -> usize {
        self.requests - self.not_modified
    }
}

/// A GitHub API client for one identity (a token or one App installation).
pub struct GitHub {
    octo: Octocrab,
    api_url: String,
    credentials: Credentials,
    installation_token: tokio::sync::Mutex<Option<InstallationToken>>,
    reads: DefaultDirectRateLimiter,
    writes: DefaultDirectRateLimiter,
    etags: Mutex<EtagCache>,
    retry: RetryPolicy,
    requests: AtomicUsize,
    not_modified: AtomicUsize,
    retries: AtomicUsize,
    /// GitHub's `x-ratelimit-remaining` on the latest answer; -1 until one says.
    rate_remaining: AtomicI64,
    /// For an App's installation: the clients of its installations on other accounts, by account
    /// (`None`: the same installation), for the files it reads there (`installations`).
    pub(super) other_installations: super::installations::Others,
    /// GitHub's `x-ratelimit-reset` (Unix seconds) on the latest answer; -1 until one says.
    rate_reset: AtomicI64,
}

impl GitHub {
    /// A client for `api_url` (`https://api.github.com`, or `https://HOST/api/v3` on GitHub
    /// Enterprise Server). Call it inside a tokio runtime. A URL that is not one is the setting's
    /// mistake; a client that cannot be built (its TLS roots, say) is a GitHub setup failure.
    pub fn new(api_url: &str, credentials: Credentials) -> Result<GitHub, UserError> {
        let octo = Octocrab::builder()
            .base_uri(api_url)
            .map_err(|_| UserError::Config(format!("{api_url:?} is not a URL for the GitHub API")))?
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(Duration::from_secs(60)))
            .build()
            .map_err(|e| Error::setup(format!("cannot set up the client: {}", first_line(&e))))?;
        // GitHub's secondary limits allow 900 points a minute, a write costing 5, and 80
        // content-creating requests a minute; stay well inside both.
        let per_second = |n: u32| Quota::per_second(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Ok(GitHub {
            octo,
            api_url: api_url.trim_end_matches('/').to_string(),
            credentials,
            installation_token: tokio::sync::Mutex::new(None),
            reads: RateLimiter::direct(per_second(10).allow_burst(NonZeroU32::new(40).unwrap_or(NonZeroU32::MIN))),
            writes: RateLimiter::direct(
                Quota::per_minute(NonZeroU32::new(60).unwrap_or(NonZeroU32::MIN))
                    .allow_burst(NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN)),
            ),
            etags: Mutex::new(EtagCache::default()),
            retry: RetryPolicy::default(),
            requests: AtomicUsize::new(0),
            not_modified: AtomicUsize::new(0),
            retries: AtomicUsize::new(0),
            rate_remaining: AtomicI64::new(-1),
            other_installations: Default::default(),
            rate_reset: AtomicI64::new(-1),
        })
    }

    /// Replaces the client's own pace (10 reads a second with bursts of 40, 60 writes a minute with
    /// bursts of 10, inside GitHub's secondary limits) for a GitHub Enterprise Server whose limits
    /// differ, or a test's fake.
    pub fn with_pace(mut self, reads_per_second: u32, writes_per_minute: u32) -> GitHub {
        let n = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        self.reads = RateLimiter::direct(
            Quota::per_second(n(reads_per_second)).allow_burst(n(reads_per_second.saturating_mul(4))),
        );
        self.writes =
            RateLimiter::direct(Quota::per_minute(n(writes_per_minute)).allow_burst(n(writes_per_minute.div_ceil(6))));
        self
    }

    /// Replaces the retry policy (tests shorten the waits).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> GitHub {
        self.retry = retry;
        self
    }

    pub fn usage(&self) -> Usage {
        Usage {
            requests: self.requests.load(Ordering::Relaxed),
            not_modified: self.not_modified.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
        }
    }

    /// Requests left in this identity's hourly budget, as GitHub last said.
    pub fn rate_limit_remaining(&self) -> Option<i64> {
        Some(self.rate_remaining.load(Ordering::Relaxed)).filter(|r| *r >= 0)
    }

    /// When this identity's hourly budget starts again, as GitHub last said.
    pub fn rate_limit_reset(&self) -> Option<SystemTime> {
        let reset = self.rate_reset.load(Ordering::Relaxed);
        u64::try_from(reset).ok().map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// The REST API's base URL, without a trailing slash.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// One GET; `Ok(None)` for 404, an error naming the request for any other failure.
    pub async fn get(&self, path: &str, accept: &'static str) -> Result<Option<Answer>, Error> {
        let answer = self.send(Method::GET, path, accept, None).await?;
        match answer.status {
            s if s.is_success() => Ok(Some(answer)),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(failure("GET", path, &answer)),
        }
    }

    /// Every page of a list, following `Link: rel="next"`, up to `max_pages` of 100 items.
    /// `Ok(None)` when the list itself is not found.
    pub async fn pages(&self, path: &str, max_pages: u32) -> Result<Option<Vec<String>>, Error> {
        let mut pages = Vec::new();
        let sep = if path.contains('?') { '&' } else { '?' };
        for page in 1..=max_pages {
            let Some(answer) = self.get(&format!("{path}{sep}per_page=100&page={page}"), ACCEPT_JSON).await? else {
                return Ok(if page == 1 { None } else { Some(pages) });
            };
            let more = answer
                .headers
                .get(header::LINK)
                .and_then(|l| l.to_str().ok())
                .is_some_and(|l| l.contains("rel=\"next\""));
            pages.push(answer.body);
            if !more {
                break;
            }
        }
        Ok(Some(pages))
    }

    /// Sends one request and returns GitHub's answer whatever its status, after waiting out rate
    /// limits and retrying server errors where sending twice is harmless. GETs are conditional
    /// when an earlier answer carried an ETag; a 304 is answered from the cache.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        accept: &'static str,
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, Error> {
        let cache_key = (method == Method::GET).then(|| format!("{accept} {path}"));
        let mut retry = 0;
        loop {
            let etag = cache_key.as_ref().and_then(|k| self.etags.lock().ok()?.etag(k));
            let result = match self.bearer().await {
                Ok(authorization) => self.send_once(&method, path, accept, body, etag.as_deref(), authorization).await,
                Err(e) => return Err(e),
            };
            retry += 1;
            let decision = match &result {
                Ok(answer) if answer.status == StatusCode::NOT_MODIFIED => {
                    self.not_modified.fetch_add(1, Ordering::Relaxed);
                    if let Some(cached) = cache_key.as_ref().and_then(|k| self.etags.lock().ok()?.get(k)) {
                        return Ok(cached);
                    }
                    // The entry was evicted between asking and answering: ask again, unconditionally.
                    if let Some(k) = &cache_key
                        && let Ok(mut etags) = self.etags.lock()
                    {
                        etags.forget(k);
                    }
                    Decision::Retry(Duration::ZERO)
                }
                Ok(answer) if retry::is_rate_limited(answer.status, &answer.headers, &answer.body) => {
                    retry::after_rate_limit(&self.retry, &answer.headers, retry, now_unix())
                }
                Ok(answer) if answer.status.is_server_error() => retry::after_server_error(&self.retry, &method, retry),
                Ok(answer) => {
                    if let (Some(k), true) = (&cache_key, answer.status == StatusCode::OK)
                        && let Ok(mut etags) = self.etags.lock()
                    {
                        etags.store(k, answer);
                    }
                    return result;
                }
                // Nothing was sent: sending again cannot help.
                Err(e) if *e.kind() == super::error::Kind::Setup => return result,
                Err(_) => retry::after_server_error(&self.retry, &method, retry),
            };
            match decision {
                Decision::Retry(wait) => {
                    self.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(wait).await;
                }
                Decision::GiveUp(why) => {
                    return match result {
                        Ok(answer) if answer.status.is_server_error() && method == Method::POST => Ok(answer),
                        Ok(answer) => Err(Error::given_up(method.as_str(), path, answer.reply(), &why)),
                        Err(e) => Err(e.because(&why)),
                    };
                }
            }
        }
    }

    /// A request authenticated as the App itself (JWT), not as an installation.
    pub async fn send_as_app(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, Error> {
        let jwt = self.app_jwt()?;
        self.send_once(&method, path, ACCEPT_JSON, body, None, Some(jwt)).await
    }

    async fn send_once(
        &self,
        method: &Method,
        path: &str,
        accept: &'static str,
        body: Option<&serde_json::Value>,
        etag: Option<&str>,
        authorization: Option<String>,
    ) -> Result<Answer, Error> {
        if *method == Method::GET {
            self.reads.until_ready().await;
        } else {
            self.writes.until_ready().await;
        }
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::ACCEPT, accept)
            .header("x-github-api-version", API_VERSION);
        if let Some(value) = authorization {
            let mut value = HeaderValue::from_str(&format!("Bearer {value}"))
                .map_err(|_| Error::setup("the token holds characters that cannot go in a header"))?;
            value.set_sensitive(true);
            request = request.header(header::AUTHORIZATION, value);
        }
        if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        let request = match body {
            Some(body) => request.header(header::CONTENT_TYPE, "application/json").body(body.to_string()),
            None => request.body(String::new()),
        }
        .map_err(|e| Error::setup(format!("{method} {path}: cannot build the request: {e}")))?;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = self
            .octo
            .execute(request)
            .await
            .map_err(|e| Error::transport(format!("{method} {path}: {}", first_line(&e))))?;
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(remaining) = headers.get("x-ratelimit-remaining").and_then(|v| v.to_str().ok()?.parse().ok()) {
            self.rate_remaining.store(remaining, Ordering::Relaxed);
        }
        if let Some(reset) = headers.get("x-ratelimit-reset").and_then(|v| v.to_str().ok()?.parse().ok()) {
            self.rate_reset.store(reset, Ordering::Relaxed);
        }
        let bytes = Limited::new(response.into_body(), MAX_BODY).collect().await.map_err(|e| {
            Error::transport(format!("{method} {path}: the answer broke off or passed {MAX_BODY} bytes: {e}"))
        })?;
        let body = String::from_utf8_lossy(&bytes.to_bytes()).into_owned();
        Ok(Answer { status, headers, body })
    }

    /// The installation token when this client acts for an App installation (renewed as for
    /// its own requests), so that another client can read what the installation can read.
    pub async fn installation_token(&self) -> Result<Option<String>, Error> {
        match self.credentials {
            Credentials::Installation { .. } => self.bearer().await,
            _ => Ok(None),
        }
    }

    /// The bearer token for an ordinary request: the token, or a cached installation token
    /// renewed five minutes before it expires.
    async fn bearer(&self) -> Result<Option<String>, Error> {
        match &self.credentials {
            Credentials::Anonymous => Ok(None),
            Credentials::Token(token) => Ok(Some(token.expose().to_string())),
            Credentials::App(app) => app.jwt(now_unix()).map(Some),
            Credentials::Installation { installation_id, .. } => {
                // Held across the renewal, so that concurrent requests wait for one new token.
                let mut cached = self.installation_token.lock().await;
                if let Some(t) = cached.as_ref().filter(|t| t.fresh(now_unix())) {
                    return Ok(Some(t.token.expose().to_string()));
                }
                let path = format!("/app/installations/{installation_id}/access_tokens");
                let jwt = self.app_jwt()?;
                let answer = self.send_once(&Method::POST, &path, ACCEPT_JSON, None, None, Some(jwt)).await?;
                if !answer.status.is_success() {
                    return Err(failure("POST", &path, &answer));
                }
                let date = answer.headers.get(header::DATE).and_then(|d| d.to_str().ok());
                let token = InstallationToken::from_answer(&answer.body, date, now_unix())?;
                let value = token.token.expose().to_string();
                *cached = Some(token);
                Ok(Some(value))
            }
        }
    }

    fn app_jwt(&self) -> Result<String, Error> {
        match &self.credentials {
            Credentials::Installation { app, .. } | Credentials::App(app) => app.jwt(now_unix()),
            _ => Err(Error::setup("this request needs a GitHub App's credentials")),
        }
    }
}

/// A failed answer as the user reads it: the request, the status, GitHub's message and a hint.
pub fn failure(method: &str, path: &str, answer: &Answer) -> Error {
    Error::from_answer(method, path, answer.reply())
}

/// Answers kept for conditional requests, by media type and path.
#[derive(Default)]
struct EtagCache {
    entries: HashMap<String, (u64, String, Answer)>,
    tick: u64,
}

impl EtagCache {
    fn etag(&self, key: &str) -> Option<String> {
        self.entries.get(key).map(|(_, etag, _)| etag.clone())
    }

    fn get(&mut self, key: &str) -> Option<Answer> {
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(key).map(|(used, _, answer)| {
            *used = tick;
            answer.clone()
        })
    }

    fn forget(&mut self, key: &str) {
        self.entries.remove(key);
    }

    fn store(&mut self, key: &str, answer: &Answer) {
        let Some(etag) = answer.headers.get(header::ETAG).and_then(|e| e.to_str().ok()) else {
            return;
        };
        if self.entries.len() >= MAX_ETAGS
            && let Some(oldest) = self.entries.iter().min_by_key(|(_, (used, _, _))| *used).map(|(k, _)| k.clone())
        {
            self.entries.remove(&oldest);
        }
        self.tick += 1;
        self.entries.insert(key.to_string(), (self.tick, etag.to_string(), answer.clone()));
    }
}

fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Octocrab's errors carry backtraces after the first line; people need the first line.
pub(crate) fn first_line(e: &impl std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}
