//! Who a policy can name: a GitHub login or a team (`@org/team-slug`), checked as the file is read.

use schemars::json_schema;

use super::checked::{Published, checked_newtype};

/// A user login (`alice`) or a team (`@org/team`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Principal(pub String);

// The shapes the schema publishes, written once: each check below starts from them.
macro_rules! login_shape {
    () => {
        r"[A-Za-z0-9-]+(\[bot\])?"
    };
}
macro_rules! team_shape {
    () => {
        "@[A-Za-z0-9-]+/[A-Za-z0-9_.-]+"
    };
}

/// A login's shape: alphanumerics and hyphens; Apps appear as `name[bot]`.
static LOGIN: Published = Published::new(concat!("^", login_shape!(), "$"));
/// A team's shape, `@org/team-slug`, as the schema publishes it for `teams:` keys.
pub(crate) static TEAM: Published = Published::new(concat!("^", team_shape!(), "$"));
static PRINCIPAL: Published = Published::new(concat!("^(", team_shape!(), "|", login_shape!(), ")$"));

pub(crate) fn is_login(s: &str) -> bool {
    // GitHub caps a login at 39 characters, which the published shape does not say.
    LOGIN.matches(s) && s.strip_suffix("[bot]").unwrap_or(s).len() <= 39
}

/// What the published shape leaves open about a slug. It becomes a segment of
/// `/orgs/{org}/teams/{slug}/members`, so `.` and `..` alone, which would name another path, are
/// refused; GitHub caps it at 100 characters.
fn is_team_slug(slug: &str) -> bool {
    slug != "." && slug != ".." && slug.len() <= 100
}

pub(crate) fn check_team(s: &str) -> Result<(), String> {
    // The published shape first; then what a pattern cannot say well: GitHub's length limits, and
    // a slug of `.` or `..` alone.
    let ok = TEAM.matches(s) && s[1..].split_once('/').is_some_and(|(org, slug)| is_login(org) && is_team_slug(slug));
    if !ok {
        return Err(format!(
            "{s:?} is not a team: write teams as \"@org/team-slug\", a slug of letters, digits, `-`, `_` and `.` (not `.` or `..` alone)"
        ));
    }
    Ok(())
}

impl Principal {
    pub fn team(&self) -> Option<&str> {
        self.0.starts_with('@').then_some(self.0.as_str())
    }

    fn parse(text: String) -> Result<Self, String> {
        if text.starts_with('@') {
            check_team(&text)?;
        } else if !is_login(&text) {
            return Err(format!("{text:?} is neither a GitHub login nor a team (\"@org/team-slug\")"));
        }
        Ok(Principal(text))
    }
}

checked_newtype! {
    Principal = "Principal",
    read: String => Principal::parse,
    write: |v| &v.0,
    schema: json_schema!({
        "type": "string",
        "pattern": PRINCIPAL.pattern(),
        "description": "A GitHub login (`alice`) or a team (`@org/team-slug`)."
    }),
}

/// A GitHub login, never a team.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserLogin(pub String);

impl UserLogin {
    fn parse(text: String) -> Result<Self, String> {
        if text.starts_with('@') {
            return Err(format!("{text:?} is a team; name people here, by their login"));
        }
        if !is_login(&text) {
            return Err(format!("{text:?} is not a GitHub login"));
        }
        Ok(UserLogin(text))
    }
}

checked_newtype! {
    UserLogin = "Login",
    read: String => UserLogin::parse,
    write: |v| &v.0,
    schema: json_schema!({ "type": "string", "pattern": LOGIN.pattern(), "description": "A GitHub login." }),
}
