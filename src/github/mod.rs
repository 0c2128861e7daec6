//! Reading pull requests from GitHub's REST API with octocrab. Only this module speaks to GitHub;
//! what it fetches is kept as GitHub's own JSON, so a live PR and a saved snapshot are parsed by
//! the same code (`snapshot::parse`).

use std::sync::atomic::{AtomicUsize, Ordering};

use http::{HeaderMap, HeaderValue, StatusCode, header};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use tokio::runtime::Runtime;

use crate::error::UserError;
use crate::snapshot::RawSnapshot;

/// The API GitHub Actions and GitHub Enterprise Server name in `GITHUB_API_URL`.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// GitHub lists at most 3,000 files (30 pages of 100) and 250 commits (3 pages of 100).
const MAX_FILE_PAGES: u32 = 30;
const MAX_COMMIT_PAGES: u32 = 3;
/// Reviews and events have no documented cap; stop somewhere sane.
const MAX_OTHER_PAGES: u32 = 50;

/// A token that never prints itself.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(token: impl Into<String>) -> Option<Token> {
        let token = token.into();
        (!token.trim().is_empty()).then(|| Token(token.trim().to_string()))
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// `owner/name`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoName {
    pub owner: String,
    pub name: String,
}

impl RepoName {
    pub fn parse(text: &str) -> Result<RepoName, UserError> {
        let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        match text.split_once('/') {
            Some((owner, name)) if ok(owner) && ok(name) => Ok(RepoName { owner: owner.into(), name: name.into() }),
            _ => Err(UserError::Usage(format!("{text:?} is not a repository: write OWNER/NAME"))),
        }
    }
}

impl std::fmt::Display for RepoName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// A read-only GitHub client for the CLI: each call runs to completion on its own runtime.
pub struct GitHub {
    client: Octocrab,
    runtime: Runtime,
    requests: AtomicUsize,
}

impl GitHub {
    pub fn new(api_url: &str, token: Option<Token>) -> Result<GitHub, UserError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| UserError::Usage(format!("cannot start the network runtime: {e}")))?;
        let client = runtime.block_on(async {
            let mut builder = Octocrab::builder()
                .base_uri(api_url)
                .map_err(|_| UserError::Usage(format!("{api_url:?} is not a URL for the GitHub API")))?;
            if let Some(Token(token)) = token {
                builder = builder.personal_token(token);
            }
            builder
                .build()
                .map_err(|e| UserError::Usage(format!("cannot set up the GitHub client: {}", first_line(&e))))
        })?;
        Ok(GitHub { client, runtime, requests: AtomicUsize::new(0) })
    }

    /// How many HTTP requests this client has made: the API budget an evaluation costs.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// One GET; `Ok(None)` for 404.
    fn get(&self, path: &str, accept: Option<&'static str>) -> Result<Option<(HeaderMap, String)>, UserError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(accept.unwrap_or("application/vnd.github+json")));
        headers.insert("x-github-api-version", HeaderValue::from_static("2022-11-28"));
        self.runtime.block_on(async {
            let response = self
                .client
                ._get_with_headers(path, Some(headers))
                .await
                .map_err(|e| UserError::GitHub(format!("GET {path}: {}", first_line(&e))))?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| UserError::GitHub(format!("GET {path}: the response broke off: {}", first_line(&e))))?
                .to_bytes();
            let text = String::from_utf8_lossy(&body).into_owned();
            match status {
                s if s.is_success() => Ok(Some((headers, text))),
                StatusCode::NOT_FOUND => Ok(None),
                s => Err(UserError::GitHub(format!("GET {path}: {s}{}", explain(s, &headers, &text)))),
            }
        })
    }

    /// Every page of a list, up to `max_pages`; also says whether the last page was full at the
    /// cap, so a caller can tell a listing that GitHub cut short.
    fn pages(&self, path: &str, max_pages: u32) -> Result<Option<Vec<String>>, UserError> {
        let mut pages = Vec::new();
        for page in 1..=max_pages {
            let sep = if path.contains('?') { '&' } else { '?' };
            let Some((headers, text)) = self.get(&format!("{path}{sep}per_page=100&page={page}"), None)? else {
                return Ok(if page == 1 { None } else { Some(pages) });
            };
            let more =
                headers.get(header::LINK).and_then(|l| l.to_str().ok()).is_some_and(|l| l.contains("rel=\"next\""));
            pages.push(text);
            if !more {
                break;
            }
        }
        Ok(Some(pages))
    }

    /// Everything `flowgate check` needs about one PR, as GitHub's JSON.
    pub fn pull_request(&self, repo: &RepoName, number: u64) -> Result<RawSnapshot, UserError> {
        let base = format!("/repos/{repo}/pulls/{number}");
        let (_, pull) = self
            .get(&base, None)?
            .ok_or_else(|| UserError::GitHub(format!("{repo}#{number} was not found (or the token cannot see it)")))?;
        let files = self.pages(&format!("{base}/files"), MAX_FILE_PAGES)?.unwrap_or_default();
        let commits = self.pages(&format!("{base}/commits"), MAX_COMMIT_PAGES)?;
        let reviews = self.pages(&format!("{base}/reviews"), MAX_OTHER_PAGES)?;
        let events = self.pages(&format!("/repos/{repo}/issues/{number}/events"), MAX_OTHER_PAGES)?;
        Ok(RawSnapshot {
            pull,
            files: files.join("\n"),
            commits: commits.map(|p| p.join("\n")),
            reviews: reviews.map(|p| p.join("\n")),
            events: events.map(|p| p.join("\n")),
        })
    }

    /// A file's text at `rev`, or `None` when it does not exist there.
    pub fn file_at(&self, repo: &RepoName, rev: &str, path: &str) -> Result<Option<String>, UserError> {
        let encoded: String = path.split('/').map(encode).collect::<Vec<_>>().join("/");
        let url = format!("/repos/{repo}/contents/{encoded}?ref={}", encode(rev));
        Ok(self.get(&url, Some("application/vnd.github.raw+json"))?.map(|(_, text)| text))
    }
}

/// Percent-encodes a path segment or query value.
fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a failed response means for the person running flowgate.
fn explain(status: StatusCode, headers: &HeaderMap, body: &str) -> String {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(String::from))
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    let hint = match status {
        StatusCode::UNAUTHORIZED => " (the token is missing, expired or wrong: set GITHUB_TOKEN or pass --token)",
        StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
            if headers.contains_key("retry-after")
                || headers.get("x-ratelimit-remaining").is_some_and(|v| v == "0") =>
        {
            " (GitHub's rate limit: wait and run again)"
        }
        _ => "",
    };
    format!("{message}{hint}")
}

/// Octocrab's errors carry backtraces after the first line; people need the first line.
fn first_line(e: &impl std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}
