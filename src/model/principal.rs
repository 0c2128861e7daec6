//! Who a policy can name: a GitHub login or a team (`@org/team-slug`), checked as the file is read.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};

/// A user login (`alice`) or a team (`@org/team`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Principal(pub String);

impl Principal {
    pub fn team(&self) -> Option<&str> {
        self.0.starts_with('@').then_some(self.0.as_str())
    }
}

pub(crate) fn is_login(s: &str) -> bool {
    // GitHub logins: alphanumerics and single hyphens; Apps appear as `name[bot]`.
    let core = s.strip_suffix("[bot]").unwrap_or(s);
    !core.is_empty() && core.len() <= 39 && core.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A GitHub team slug. It becomes a segment of `/orgs/{org}/teams/{slug}/members`, so `.` and
/// `..` alone, which would name another path, are refused with everything outside the slug set.
fn is_team_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug != "."
        && slug != ".."
        && slug.len() <= 100
        && slug.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

pub(crate) fn check_team(s: &str) -> Result<(), String> {
    match s.strip_prefix('@').and_then(|t| t.split_once('/')) {
        Some((org, slug)) if is_login(org) && is_team_slug(slug) => Ok(()),
        _ => Err(format!(
            "{s:?} is not a team: write teams as \"@org/team-slug\", a slug of letters, digits, `-`, `_` and `.` (not `.` or `..` alone)"
        )),
    }
}

impl<'de> Deserialize<'de> for Principal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.starts_with('@') {
            check_team(&text).map_err(serde::de::Error::custom)?;
        } else if !is_login(&text) {
            return Err(serde::de::Error::custom(format!(
                "{text:?} is neither a GitHub login nor a team (\"@org/team-slug\")"
            )));
        }
        Ok(Principal(text))
    }
}

impl Serialize for Principal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for Principal {
    fn schema_name() -> Cow<'static, str> {
        "Principal".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^(@[A-Za-z0-9-]+/[A-Za-z0-9_.-]+|[A-Za-z0-9-]+(\\[bot\\])?)$",
            "description": "A GitHub login (`alice`) or a team (`@org/team-slug`)."
        })
    }
}

/// A GitHub login, never a team.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserLogin(pub String);

impl<'de> Deserialize<'de> for UserLogin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.starts_with('@') {
            return Err(serde::de::Error::custom(format!("{text:?} is a team; name people here, by their login")));
        }
        if !is_login(&text) {
            return Err(serde::de::Error::custom(format!("{text:?} is not a GitHub login")));
        }
        Ok(UserLogin(text))
    }
}

impl Serialize for UserLogin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for UserLogin {
    fn schema_name() -> Cow<'static, str> {
        "Login".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "pattern": "^[A-Za-z0-9-]+(\\[bot\\])?$", "description": "A GitHub login." })
    }
}
