//! GitHub's REST API through octocrab. Only this module speaks to GitHub: `client` sends (auth,
//! pacing, retries, ETags), `read` fetches a PR's JSON and files on the base branch, `checks`
//! makes the writes (check runs, labels, review requests, comments) that `gate::apply` orders,
//! `protection` reads what `flowgate doctor` judges (protection, rules, workflows, the installation);
//! `provenance` reads git notes, trees, blobs and one commit's patches for line-level AI provenance;
//! `installations` finds an App's client for another account's repository;
//! `manifest` trades the manifest flow's code for a new App's credentials;
//! `parse` reads GitHub's JSON into flowgate's types; `error` says what failed by what GitHub answered.

pub mod auth;
pub mod checks;
pub(crate) mod client;
pub(crate) mod error;
pub(crate) mod installations;
pub(crate) mod issues;
pub mod manifest;
pub mod org;
pub mod parse;
pub(crate) mod protection;
pub(crate) mod provenance;
pub(crate) mod read;
pub mod retry;
pub(crate) mod status;

pub use auth::{AppKey, Credentials, Token};
pub use client::{GitHub, Usage};
pub use error::Error;

use crate::error::UserError;

/// The API GitHub Actions and GitHub Enterprise Server name in `GITHUB_API_URL`.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// `owner/name`, checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepoName {
    pub owner: String,
    pub name: String,
}

impl RepoName {
    pub fn parse(text: &str) -> Result<RepoName, UserError> {
        // Each part becomes a URL path segment: `.` and `..` alone would name another path.
        let ok = |s: &str| {
            !s.is_empty() && s != "." && s != ".." && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
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

/// Percent-encodes a path segment or query value, `/` included. A segment of dots alone (`.`,
/// `..`) has its dots encoded too, so that it stays a name and never moves up the path.
pub fn encode(segment: &str) -> String {
    if !segment.is_empty() && segment.bytes().all(|b| b == b'.') {
        return "%2E".repeat(segment.len());
    }
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_segment_is_encoded_so_that_it_stays_one_segment() {
        assert_eq!(encode("a/b"), "a%2Fb");
        assert_eq!(encode(".."), "%2E%2E");
        assert_eq!(encode("."), "%2E");
        assert_eq!(encode("x?y#z"), "x%3Fy%23z");
        assert_eq!(encode("my team"), "my%20team");
        assert_eq!(encode("%2e%2e"), "%252e%252e");
        assert_eq!(encode("release-1.2_x"), "release-1.2_x", "slug characters stay readable");
    }

    #[test]
    fn a_repository_of_dots_is_refused() {
        for bad in ["../x", "x/..", "./x", "a/b/c", "a b/c"] {
            assert!(RepoName::parse(bad).is_err(), "{bad}");
        }
        assert!(RepoName::parse("octo.org/.github").is_ok());
    }
}
