//! When to send a request again, and after how long: GitHub's rate-limit rules as a pure function
//! of the answer, so that every rule is tested without a clock or a network.

use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};

/// How patient the client is.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts after the first, for any one request.
    pub max_retries: u32,
    /// The first wait on a rate limit that names no time; doubled on each further attempt.
    pub rate_limit_backoff: Duration,
    /// The first wait after a server error or a broken connection; doubled likewise.
    pub server_error_backoff: Duration,
    /// A wait longer than this is not waited: the request fails with a message saying when to retry.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            // GitHub: "wait at least one minute", then back off exponentially.
            rate_limit_backoff: Duration::from_secs(60),
            server_error_backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(15 * 60),
        }
    }
}

/// What the client does with an answer it did not want.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    Retry(Duration),
    /// Do not retry; the reason goes into the error the user sees.
    GiveUp(String),
}

/// Whether `method` may be sent twice without a second effect. POST is not: a POST that failed
/// with a server error may still have created something, and the caller must look before it
/// sends it again.
pub(crate) fn idempotent(method: &Method) -> bool {
    !matches!(*method, Method::POST)
}

/// Whether the answer is GitHub's primary or secondary rate limit rather than a permission error.
pub(crate) fn is_rate_limited(status: StatusCode, headers: &HeaderMap, body: &str) -> bool {
    match status {
        StatusCode::TOO_MANY_REQUESTS => true,
        StatusCode::FORBIDDEN => {
            headers.contains_key("retry-after")
                || header_u64(headers, "x-ratelimit-remaining") == Some(0)
                || body.to_ascii_lowercase().contains("rate limit")
        }
        _ => false,
    }
}

/// The wait before attempt `retry` (1 for the first retry) after a rate-limited answer:
/// `retry-after` first, then `x-ratelimit-reset`, then exponential backoff from a minute.
/// A rate-limited request was not carried out, so any method may be sent again.
pub(crate) fn after_rate_limit(policy: &RetryPolicy, headers: &HeaderMap, retry: u32, now_unix: u64) -> Decision {
    if retry > policy.max_retries {
        return Decision::GiveUp(format!("still rate limited after {} retries", policy.max_retries));
    }
    let wait = if let Some(seconds) = header_u64(headers, "retry-after") {
        Duration::from_secs(seconds)
    } else if let (Some(0), Some(reset)) =
        (header_u64(headers, "x-ratelimit-remaining"), header_u64(headers, "x-ratelimit-reset"))
    {
        // One second more, so that the request lands after the reset and not on it.
        Duration::from_secs(reset.saturating_sub(now_unix) + 1)
    } else {
        backoff(policy.rate_limit_backoff, retry)
    };
    if wait > policy.max_wait {
        return Decision::GiveUp(format!(
            "GitHub's rate limit asks for a wait of {} s, more than the {} s flowgate waits",
            wait.as_secs(),
            policy.max_wait.as_secs()
        ));
    }
    Decision::Retry(wait)
}

/// The wait before attempt `retry` after a 5xx answer or a broken connection, for a request that
/// may be sent twice.
pub(crate) fn after_server_error(policy: &RetryPolicy, method: &Method, retry: u32) -> Decision {
    if !idempotent(method) {
        return Decision::GiveUp(format!("{method} is not sent twice blindly"));
    }
    if retry > policy.max_retries {
        return Decision::GiveUp(format!("still failing after {} retries", policy.max_retries));
    }
    Decision::Retry(backoff(policy.server_error_backoff, retry))
}

fn backoff(first: Duration, retry: u32) -> Duration {
    first.saturating_mul(1 << retry.saturating_sub(1).min(16))
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    const NOW: u64 = 1_700_000_000;

    #[test]
    fn retry_after_comes_first() {
        let h = headers(&[("retry-after", "7"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1700000100")]);
        assert_eq!(after_rate_limit(&RetryPolicy::default(), &h, 1, NOW), Decision::Retry(Duration::from_secs(7)));
    }

    #[test]
    fn then_the_reset_time_when_nothing_remains() {
        let h = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1700000100")]);
        assert_eq!(after_rate_limit(&RetryPolicy::default(), &h, 1, NOW), Decision::Retry(Duration::from_secs(101)));
        // A reset already past still waits a second rather than hammering.
        let h = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1699999990")]);
        assert_eq!(after_rate_limit(&RetryPolicy::default(), &h, 1, NOW), Decision::Retry(Duration::from_secs(1)));
    }

    #[test]
    fn then_exponential_backoff_from_a_minute() {
        let p = RetryPolicy::default();
        let waits: Vec<Decision> = (1..=3).map(|r| after_rate_limit(&p, &HeaderMap::new(), r, NOW)).collect();
        assert_eq!(
            waits,
            [60, 120, 240].map(|s| Decision::Retry(Duration::from_secs(s))).to_vec(),
            "a secondary limit without headers waits a minute, then doubles"
        );
        assert!(matches!(after_rate_limit(&p, &HeaderMap::new(), 4, NOW), Decision::GiveUp(_)));
    }

    #[test]
    fn a_wait_beyond_the_limit_is_refused_with_its_length() {
        let h = headers(&[("retry-after", "3600")]);
        match after_rate_limit(&RetryPolicy::default(), &h, 1, NOW) {
            Decision::GiveUp(why) => assert!(why.contains("3600 s"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn server_errors_retry_only_what_may_be_sent_twice() {
        let p = RetryPolicy::default();
        assert_eq!(after_server_error(&p, &Method::GET, 1), Decision::Retry(Duration::from_secs(1)));
        assert_eq!(after_server_error(&p, &Method::PATCH, 2), Decision::Retry(Duration::from_secs(2)));
        assert!(matches!(after_server_error(&p, &Method::POST, 1), Decision::GiveUp(_)));
        assert!(matches!(after_server_error(&p, &Method::GET, 4), Decision::GiveUp(_)));
    }

    #[test]
    fn a_forbidden_answer_is_a_rate_limit_only_with_its_signs() {
        let none = HeaderMap::new();
        assert!(!is_rate_limited(
            StatusCode::FORBIDDEN,
            &none,
            r#"{"message":"Resource not accessible by integration"}"#
        ));
        assert!(is_rate_limited(
            StatusCode::FORBIDDEN,
            &none,
            r#"{"message":"You have exceeded a secondary rate limit"}"#
        ));
        assert!(is_rate_limited(StatusCode::FORBIDDEN, &headers(&[("x-ratelimit-remaining", "0")]), ""));
        assert!(is_rate_limited(StatusCode::TOO_MANY_REQUESTS, &none, ""));
        assert!(!is_rate_limited(StatusCode::NOT_FOUND, &headers(&[("retry-after", "1")]), ""));
    }
}
