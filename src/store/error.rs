//! What can go wrong with the store, said so that an operator can act on it; and the redaction
//! that keeps database passwords out of every message.

/// The URL forms `Store::connect` accepts, for the message that rejects any other.
pub const ACCEPTED_URLS: &str = "sqlite://PATH, sqlite::memory: or postgres://USER@HOST[:PORT]/DATABASE";

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A URL that is not one of the accepted forms. `url` is already redacted.
    #[error("unsupported database URL `{url}`: use {ACCEPTED_URLS}")]
    UnsupportedUrl { url: String },
    /// A URL of an accepted scheme that does not parse. `url` is already redacted.
    #[error("invalid database URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The database could not be opened or connected to. `url` is already redacted.
    #[error("cannot reach the database at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The schema could not be created or brought up to date.
    #[error("cannot set up the tables in the database at {url}: {reason}")]
    Migrate { url: String, reason: String },
    /// A statement failed; `doing` says what the store was doing, e.g. "claiming work".
    #[error("database error while {doing}: {reason}")]
    Query { doing: &'static str, reason: String },
    /// The worker's lease on `key` ended and another worker took the key over; nothing was changed,
    /// because the deliveries are now that worker's.
    #[error(
        "the lease of worker `{worker}` on {key} was lost (it expired and another worker took the key); nothing was changed"
    )]
    LeaseLost { key: String, worker: String },
    /// A review event that cannot be stored as it is (a PR number beyond the database's range).
    #[error("review event `{id}` cannot be stored: {reason}")]
    InvalidEvent { id: String, reason: String },
    /// A stored review event that no longer reads as one (written by another version, or edited by hand).
    #[error("stored review event `{id}` does not read back as an event: {reason}")]
    UnreadableEvent { id: String, reason: String },
}

impl StoreError {
    /// A failed statement, as a closure for `map_err`.
    pub(crate) fn query(doing: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |e| StoreError::Query { doing, reason: e.to_string() }
    }
}

/// `url` with its password (in the userinfo or a `password=` parameter) replaced by `***`.
pub fn redact(url: &str) -> String {
    let mut out = url.to_string();
    for password in passwords(url) {
        out = out.replace(&format!(":{password}@"), ":***@").replace(&format!("={password}"), "=***");
    }
    out
}

/// `reason` with every password of `url` replaced, in case a driver echoes it back. Passwords
/// shorter than 3 characters are left alone: replacing them would garble the message, and a driver
/// echoing one is far less likely than the letters occurring by chance.
pub(crate) fn scrub(reason: &str, url: &str) -> String {
    let mut out = reason.to_string();
    for password in passwords(url).into_iter().filter(|p| p.len() >= 3) {
        out = out.replace(&password, "***");
    }
    out
}

/// The passwords written in `url`, as they appear in it (percent-encoded or not).
fn passwords(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some((_, rest)) = url.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
            && !password.is_empty()
        {
            found.push(password.to_string());
        }
    }
    if let Some((_, query)) = url.split_once('?') {
        for pair in query.split(['&', '#']) {
            if let Some((name, value)) = pair.split_once('=')
                && name.eq_ignore_ascii_case("password")
                && !value.is_empty()
            {
                found.push(value.to_string());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_userinfo_and_parameter_passwords() {
        assert_eq!(redact("postgres://app:s3cr%40t@db:5432/flowgate"), "postgres://app:***@db:5432/flowgate");
        assert_eq!(
            redact("postgres://db/flowgate?user=app&password=hunter2"),
            "postgres://db/flowgate?user=app&password=***"
        );
        assert_eq!(redact("postgres://app@db/flowgate"), "postgres://app@db/flowgate");
        assert_eq!(redact("sqlite:///var/lib/flowgate.db"), "sqlite:///var/lib/flowgate.db");
    }
}
