//! What went wrong talking to GitHub, by what GitHub answered: the kind, which the App's worker
//! acts on (a PR that is gone is not retried, a rate limit waits for its reset), and the sentence
//! a person reads, which names the request and carries GitHub's own words.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, StatusCode};

use super::retry;

/// What GitHub answered, or that it did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// 404: the pull request, the repository or the App's installation is gone, or this identity
    /// may not see it. Asking again changes nothing.
    NotFound,
    /// A 403 that is not a rate limit: the token or the App lacks a permission. GitHub's words.
    Forbidden { message: String },
    /// 429, or a 403 that is a rate limit, that the client did not wait out; `reset` is when
    /// GitHub said the limit lifts, when it said.
    RateLimited { reset: Option<SystemTime> },
    /// A 5xx answer, still there after the client's own retries.
    Server { status: StatusCode },
    /// Any other refusal: 401 (credentials), 409, 422 (a diff GitHub cannot produce), ...
    Refused { status: StatusCode },
    /// No answer: the connection failed, timed out or broke off.
    Transport,
    /// An answer flowgate cannot use: not JSON, or without a field that matters.
    BadAnswer,
    /// Nothing was sent: credentials that cannot be used (a key that cannot sign, a token that
    /// cannot go in a header) or a request that cannot be built.
    Setup,
}

/// A failed GitHub request: its kind, and what a person reads (the request, the status, GitHub's
/// message and a hint).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{what}")]
pub struct Error {
    kind: Kind,
    what: String,
}

impl Error {
    pub fn new(kind: Kind, what: impl Into<String>) -> Error {
        Error { kind, what: what.into() }
    }

    pub fn not_found(what: impl Into<String>) -> Error {
        Error::new(Kind::NotFound, what)
    }

    pub fn bad_answer(what: impl Into<String>) -> Error {
        Error::new(Kind::BadAnswer, what)
    }

    pub fn transport(what: impl Into<String>) -> Error {
        Error::new(Kind::Transport, what)
    }

    pub fn setup(what: impl Into<String>) -> Error {
        Error::new(Kind::Setup, what)
    }

    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    /// The same failure, said with `why` added (the client's reason for giving up).
    pub fn because(mut self, why: &str) -> Error {
        self.what = format!("{}; {why}", self.what);
        self
    }

    /// A failed answer as the user reads it: the request, the status, GitHub's message and a hint.
    pub fn from_answer(method: &str, path: &str, answer: Reply<'_>) -> Error {
        let message = answer.message().map(|m| format!(": {m}")).unwrap_or_default();
        let rate_limited = retry::is_rate_limited(answer.status, answer.headers, answer.body);
        let hint = match answer.status {
            StatusCode::UNAUTHORIZED => " (the token is missing, expired or wrong: set GITHUB_TOKEN or pass --token)",
            StatusCode::FORBIDDEN if rate_limited => " (GitHub's rate limit: wait and run again)",
            StatusCode::FORBIDDEN => " (the token lacks a permission this needs)",
            _ => "",
        };
        Error::new(kind_of(answer, rate_limited), format!("{method} {path}: {}{message}{hint}", answer.status))
    }

    /// A failed answer the client gave up retrying: the request, the status, GitHub's message,
    /// and why the client stopped.
    pub fn given_up(method: &str, path: &str, answer: Reply<'_>, why: &str) -> Error {
        let rate_limited = retry::is_rate_limited(answer.status, answer.headers, answer.body);
        let message = answer.message().map(|m| format!(" ({m})")).unwrap_or_default();
        Error::new(kind_of(answer, rate_limited), format!("{method} {path}: {}{message}; {why}", answer.status))
    }

    /// The GitHub error `error` is or carries: itself, or the one a `UserError::GitHub` holds.
    pub fn find<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Error> {
        if let Some(found) = error.downcast_ref::<Error>() {
            return Some(found);
        }
        match error.downcast_ref::<crate::error::UserError>() {
            Some(crate::error::UserError::GitHub(inner)) => inner.downcast_ref::<Error>(),
            _ => None,
        }
    }
}

impl From<Error> for crate::error::UserError {
    fn from(e: Error) -> Self {
        crate::error::UserError::GitHub(Box::new(e))
    }
}

/// The parts of GitHub's answer an error is made from (the client's `Answer`, borrowed).
#[derive(Debug, Clone, Copy)]
pub struct Reply<'a> {
    pub status: StatusCode,
    pub headers: &'a HeaderMap,
    pub body: &'a str,
}

impl Reply<'_> {
    /// GitHub's `message` field.
    pub fn message(&self) -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(self.body).ok()?;
        value["message"].as_str().map(String::from)
    }
}

fn kind_of(answer: Reply<'_>, rate_limited: bool) -> Kind {
    match answer.status {
        StatusCode::NOT_FOUND => Kind::NotFound,
        _ if rate_limited => Kind::RateLimited { reset: reset_at(answer.headers, SystemTime::now()) },
        StatusCode::FORBIDDEN => {
            Kind::Forbidden { message: answer.message().unwrap_or_else(|| answer.status.to_string()) }
        }
        s if s.is_server_error() => Kind::Server { status: s },
        s => Kind::Refused { status: s },
    }
}

/// When a rate limit lifts, by GitHub's headers: `retry-after` seconds from `now`, else
/// `x-ratelimit-reset` when nothing remains.
pub fn reset_at(headers: &HeaderMap, now: SystemTime) -> Option<SystemTime> {
    let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    if let Some(seconds) = number("retry-after") {
        return Some(now + Duration::from_secs(seconds));
    }
    match (number("x-ratelimit-remaining"), number("x-ratelimit-reset")) {
        (Some(0), Some(reset)) => Some(UNIX_EPOCH + Duration::from_secs(reset)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::client::Answer;

    fn answer(status: u16, headers: &[(&'static str, &str)], body: &str) -> Answer {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().unwrap());
        }
        Answer { status: StatusCode::from_u16(status).unwrap(), headers: map, body: body.into() }
    }

    #[test]
    fn the_kind_follows_the_status_and_the_text_names_the_request() {
        let gone =
            Error::from_answer("GET", "/repos/o/r/pulls/9", answer(404, &[], r#"{"message":"Not Found"}"#).reply());
        assert_eq!(gone.kind(), &Kind::NotFound);
        assert_eq!(gone.to_string(), "GET /repos/o/r/pulls/9: 404 Not Found: Not Found");

        let denied = r#"{"message":"Resource not accessible by integration"}"#;
        let forbidden = Error::from_answer("GET", "/x", answer(403, &[], denied).reply());
        assert_eq!(forbidden.kind(), &Kind::Forbidden { message: "Resource not accessible by integration".into() });
        assert!(forbidden.to_string().ends_with("(the token lacks a permission this needs)"), "{forbidden}");

        let down = Error::from_answer("GET", "/x", answer(502, &[], "").reply());
        assert_eq!(down.kind(), &Kind::Server { status: StatusCode::BAD_GATEWAY });
        let unprocessable = Error::from_answer("GET", "/x", answer(422, &[], "").reply());
        assert_eq!(unprocessable.kind(), &Kind::Refused { status: StatusCode::UNPROCESSABLE_ENTITY });
    }

    #[test]
    fn a_rate_limit_carries_when_it_lifts() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let after = answer(429, &[("retry-after", "30")], "");
        assert_eq!(reset_at(&after.headers, now), Some(now + Duration::from_secs(30)));
        let spent = answer(403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1700000100")], "");
        assert_eq!(reset_at(&spent.headers, now), Some(UNIX_EPOCH + Duration::from_secs(1_700_000_100)));
        assert!(matches!(Error::from_answer("GET", "/x", spent.reply()).kind(), Kind::RateLimited { reset: Some(_) }));
        let secondary = answer(403, &[], r#"{"message":"You have exceeded a secondary rate limit"}"#);
        assert_eq!(Error::from_answer("GET", "/x", secondary.reply()).kind(), &Kind::RateLimited { reset: None });
    }

    #[test]
    fn a_github_error_is_found_inside_a_user_error() {
        let user: crate::error::UserError = Error::not_found("o/r#9 was not found").into();
        assert_eq!(user.to_string(), "GitHub: o/r#9 was not found");
        assert_eq!(Error::find(&user).map(Error::kind), Some(&Kind::NotFound));
        let other = crate::error::UserError::Usage("nothing to do with GitHub".into());
        assert!(Error::find(&other).is_none());
    }
}
