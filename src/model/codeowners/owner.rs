//! Who a CODEOWNERS line names: `@login`, `@org/team` or an e-mail address, checked as read.

use crate::model::principal::{check_team, is_login};
use crate::model::{Login, Principal};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Owner {
    /// `@login`, kept without its `@`.
    User(Login),
    /// `@org/team`, kept with its `@` as policies write teams.
    Team(String),
    /// An e-mail address: GitHub maps it to the account that verified it, which flowgate cannot
    /// see, except in GitHub's own noreply form (`login@users.noreply.github.com`).
    Email(String),
}

impl Owner {
    /// The owner a word names, or `None` when it names none of the three kinds.
    pub fn parse(word: &str) -> Option<Owner> {
        if let Some(name) = word.strip_prefix('@') {
            if name.contains('/') {
                return check_team(word).is_ok().then(|| Owner::Team(word.to_string()));
            }
            return is_login(name).then(|| Owner::User(Login::new(name)));
        }
        let (local, domain) = word.split_once('@')?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        (!local.is_empty() && domain_ok).then(|| Owner::Email(word.to_string()))
    }

    /// As a CODEOWNERS file writes it: `@alice`, `@acme/security`, `docs@example.com`.
    pub fn text(&self) -> String {
        match self {
            Owner::User(login) => format!("@{login}"),
            Owner::Team(team) => team.clone(),
            Owner::Email(email) => email.clone(),
        }
    }

    /// The login this owner is, when it is one person flowgate can name.
    pub fn login(&self) -> Option<Login> {
        match self {
            Owner::User(login) => Some(login.clone()),
            Owner::Team(_) => None,
            Owner::Email(email) => {
                let local = email.to_ascii_lowercase().strip_suffix("@users.noreply.github.com")?.to_string();
                // `12345+login@...` or the older `login@...`.
                let login = local.rsplit('+').next().unwrap_or(&local).to_string();
                is_login(&login).then(|| Login::new(login))
            }
        }
    }

    /// The owner as a policy names people (a login or a team), when it can be named so.
    pub fn principal(&self) -> Option<Principal> {
        match self {
            Owner::Team(team) => Some(Principal(team.clone())),
            _ => self.login().map(|l| Principal(l.as_str().to_string())),
        }
    }
}
