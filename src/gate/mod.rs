//! Where the layers meet: choose the policy, gather the facts, evaluate. Every surface (the CLI
//! today, the Action and the App later) calls these functions.

pub mod cases;

use std::path::{Path, PathBuf};

use crate::error::UserError;
use crate::git::{LocalPr, Repo};
use crate::model::PrFacts;
use crate::policy::load::{load_bundled, load_file, load_text};
use crate::policy::verdict::Verdict;
use crate::policy::{Policy, evaluate::evaluate};

/// Where a repository keeps its policy.
pub const POLICY_PATH: &str = ".github/flowgate.yml";

/// A loaded policy and a sentence saying where it came from.
pub struct ChosenPolicy {
    pub policy: Policy,
    pub origin: String,
}

/// The policy given by `--policy`, else `.github/flowgate.yml` under `dir`, else the bundled default.
pub fn policy_from_disk(explicit: Option<&Path>, dir: &Path) -> Result<ChosenPolicy, UserError> {
    if let Some(path) = explicit {
        return Ok(ChosenPolicy { policy: load_file(path)?, origin: path.display().to_string() });
    }
    let path = dir.join(POLICY_PATH);
    if path.is_file() {
        return Ok(ChosenPolicy { policy: load_file(&path)?, origin: path.display().to_string() });
    }
    Ok(ChosenPolicy {
        policy: load_bundled("default")?,
        origin: "the bundled default policy (no .github/flowgate.yml found)".into(),
    })
}

/// Gates a saved PR.
pub fn check_snapshot(dir: &Path, policy: &Policy) -> Result<(PrFacts, Verdict), UserError> {
    let facts = crate::snapshot::read(dir)?;
    let verdict = evaluate(&facts, policy);
    Ok((facts, verdict))
}

/// Gates the current branch of the repository at `dir`. The policy comes from the **base**
/// branch unless `--policy` names a file, so a branch cannot loosen the gate it is judged by.
pub fn check_local(
    dir: &Path,
    pr: &LocalPr,
    explicit_policy: Option<&Path>,
) -> Result<(ChosenPolicy, Verdict), UserError> {
    let repo = Repo::discover(dir)?;
    let mut pr = pr.clone();
    if pr.base.is_none() {
        pr.base = Some(repo.default_base()?);
    }
    let base = pr.base.clone().unwrap_or_default();
    let chosen = match explicit_policy {
        Some(path) => ChosenPolicy { policy: load_file(path)?, origin: path.display().to_string() },
        None => match repo.show(&base, POLICY_PATH) {
            Some(text) => {
                let shown = PathBuf::from(format!("{base}:{POLICY_PATH}"));
                let policy = load_text(&text, &repo.root().join(POLICY_PATH)).map_err(|e| rename_origin(e, &shown))?;
                ChosenPolicy { policy, origin: format!("{POLICY_PATH} on {base}") }
            }
            None => ChosenPolicy {
                policy: load_bundled("default")?,
                origin: format!("the bundled default policy ({base} has no {POLICY_PATH})"),
            },
        },
    };
    let facts = repo.facts(&pr)?;
    let verdict = evaluate(&facts, &chosen.policy);
    Ok((chosen, verdict))
}

/// Errors in a policy read from git name the revision, not the working-tree file.
fn rename_origin(e: UserError, shown: &Path) -> UserError {
    let name = shown.display().to_string();
    match e {
        UserError::PolicySyntax { line, column, message, .. } => {
            UserError::PolicySyntax { file: name, line, column, message }
        }
        UserError::Policy { message, .. } => UserError::Policy { file: name, message },
        other => other,
    }
}
