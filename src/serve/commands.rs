//! Which `/flowgate explain` requests the App answers with a comment. Every answer is a post in the
//! PR that anyone allowed to comment could ask for, so answers are rate limited per PR and per
//! author, and someone without write access (a fork's author) gets at most one per head commit.

use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Answers in a burst on one PR, and then one more every `REFILL`.
pub const PER_PR_BURST: u32 = 3;
/// Answers in a burst to one author, over all PRs, and then one more every `REFILL`.
pub const PER_AUTHOR_BURST: u32 = 5;
pub const REFILL: Duration = Duration::from_secs(300);

/// The associations that mean write access to the repository.
const WRITERS: [&str; 3] = ["OWNER", "MEMBER", "COLLABORATOR"];

/// Keys held in memory before the oldest are forgotten; GitHub's marker check stays durable.
const REMEMBERED: usize = 10_000;

/// An explain request, as the worker sees it after gating the PR.
pub struct Explain<'a> {
    pub repo: &'a str,
    pub pr: u64,
    pub delivery_id: &'a str,
    pub received_at_ms: i64,
    pub login: &'a str,
    pub author_association: &'a str,
    pub head_sha: &'a str,
}

/// Whether to post, and under which marker: a comment holding the marker is never posted twice.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// Post unless a comment since `since` (ISO 8601) already holds `marker`.
    Post { marker: String, since: String },
    /// Acknowledged without a post; the reason is for the log.
    Skip(&'static str),
}

pub struct CommandLimits {
    per_pr: DefaultKeyedRateLimiter<String>,
    per_author: DefaultKeyedRateLimiter<String>,
    /// Head commits whose one answer to someone without write access is already posted.
    answered_heads: Mutex<HashSet<String>>,
}

impl Default for CommandLimits {
    fn default() -> CommandLimits {
        CommandLimits::new()
    }
}

impl CommandLimits {
    pub fn new() -> CommandLimits {
        let quota = |burst: u32| {
            let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
            Quota::with_period(REFILL).map(|q| q.allow_burst(burst)).unwrap_or_else(|| Quota::per_hour(burst))
        };
        CommandLimits {
            per_pr: RateLimiter::keyed(quota(PER_PR_BURST)),
            per_author: RateLimiter::keyed(quota(PER_AUTHOR_BURST)),
            answered_heads: Mutex::new(HashSet::new()),
        }
    }

    /// Decides one `/flowgate explain`. Call `answered` after a post for someone without write
    /// access, so the next request on the same head is skipped without asking GitHub.
    pub fn explain(&self, request: &Explain) -> Answer {
        let writer = WRITERS.iter().any(|w| w.eq_ignore_ascii_case(request.author_association));
        let head_key = head_key(request);
        if !writer {
            if request.head_sha.is_empty() {
                return Answer::Skip("no head commit to answer on, and the commenter has no write access");
            }
            if self.answered_heads.lock().is_ok_and(|heads| heads.contains(&head_key)) {
                return Answer::Skip("already answered once on this head commit for someone without write access");
            }
        }
        if self.per_pr.len() > REMEMBERED {
            self.per_pr.retain_recent();
        }
        if self.per_author.len() > REMEMBERED {
            self.per_author.retain_recent();
        }
        if self.per_pr.check_key(&format!("{}#{}", request.repo, request.pr)).is_err() {
            return Answer::Skip("too many explanations on this PR lately");
        }
        if self.per_author.check_key(&request.login.to_ascii_lowercase()).is_err() {
            return Answer::Skip("too many explanations for this author lately");
        }
        if writer {
            // Once per delivery: a retried unit finds its own comment of the last minute.
            let since = chrono::DateTime::from_timestamp_millis(request.received_at_ms - 60_000)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
            Answer::Post { marker: format!("<!-- flowgate:explain:{} -->", request.delivery_id), since }
        } else {
            // Once per head, whenever it was asked: the whole thread is searched for the marker,
            // so a restarted App does not answer again.
            Answer::Post { marker: format!("<!-- flowgate:explain-head:{head_key} -->"), since: EPOCH.into() }
        }
    }

    /// The answer on this head for someone without write access is posted (or already was).
    pub fn answered(&self, request: &Explain) {
        if let Ok(mut heads) = self.answered_heads.lock() {
            if heads.len() > REMEMBERED {
                heads.clear();
            }
            heads.insert(head_key(request));
        }
    }
}

const EPOCH: &str = "1970-01-01T00:00:00Z";

fn head_key(request: &Explain) -> String {
    format!("{}#{}@{}", request.repo, request.pr, request.head_sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask<'a>(login: &'a str, association: &'a str, head: &'a str, id: &'a str, pr: u64) -> Explain<'a> {
        Explain {
            repo: "a/b",
            pr,
            delivery_id: id,
            received_at_ms: 1_800_000_000_000,
            login,
            author_association: association,
            head_sha: head,
        }
    }

    #[test]
    fn someone_without_write_access_is_answered_once_per_head() {
        let limits = CommandLimits::new();
        let first = ask("forker", "NONE", "aaa", "d1", 1);
        let answer = limits.explain(&first);
        assert!(matches!(&answer, Answer::Post { marker, since } if marker.contains("a/b#1@aaa") && since == EPOCH));
        limits.answered(&first);
        assert!(matches!(limits.explain(&ask("forker", "NONE", "aaa", "d2", 1)), Answer::Skip(_)));
        assert!(matches!(limits.explain(&ask("forker", "CONTRIBUTOR", "bbb", "d3", 1)), Answer::Post { .. }));
    }

    #[test]
    fn writers_are_answered_per_delivery_until_the_pr_or_author_limit() {
        let limits = CommandLimits::new();
        for n in 0..PER_PR_BURST {
            let id = format!("d{n}");
            let answer = limits.explain(&ask("carol", "MEMBER", "aaa", &id, 7));
            assert!(matches!(&answer, Answer::Post { marker, .. } if marker.contains(&id)), "{n}: {answer:?}");
        }
        assert_eq!(
            limits.explain(&ask("dave", "OWNER", "aaa", "dx", 7)),
            Answer::Skip("too many explanations on this PR lately")
        );
        for pr in 100..100 + u64::from(PER_AUTHOR_BURST) - u64::from(PER_PR_BURST) {
            assert!(matches!(limits.explain(&ask("carol", "MEMBER", "aaa", "d", pr)), Answer::Post { .. }));
        }
        assert_eq!(
            limits.explain(&ask("Carol", "MEMBER", "aaa", "d", 200)),
            Answer::Skip("too many explanations for this author lately"),
            "logins compare without case"
        );
    }
}
