//! Where the layers meet: choose the policy, gather the facts, evaluate. Every surface (the CLI
//! today, the Action and the App later) calls these functions.

pub mod analyze;
pub mod cases;

use std::path::Path;

use crate::error::UserError;
use crate::git::{LocalPr, Repo};
use crate::github::{GitHub, RepoName};
use crate::model::PrFacts;
use crate::policy::load::{PolicyFiles, load_bundled, load_file, load_from};
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
    let mut facts = crate::snapshot::read(dir)?;
    analyze::analyze(&mut facts, policy, &mut crate::snapshot::SnapshotContents::new(dir));
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
        None => {
            let at_base = AtRevision { repo: &repo, rev: &base };
            if at_base.read(Path::new(POLICY_PATH)).is_ok() {
                let policy = load_from(&at_base, Path::new(POLICY_PATH))?;
                ChosenPolicy { policy, origin: format!("{POLICY_PATH} on {base}") }
            } else {
                let policy = load_bundled("default")?;
                ChosenPolicy { policy, origin: format!("the bundled default policy ({base} has no {POLICY_PATH})") }
            }
        }
    };
    let (mut facts, merge_base) = repo.facts(&pr)?;
    let mut blobs = repo.blobs(&merge_base, "HEAD")?;
    analyze::analyze(&mut facts, &chosen.policy, &mut blobs);
    let verdict = evaluate(&facts, &chosen.policy);
    Ok((chosen, verdict))
}

/// Gates a live pull request, read-only: GitHub's JSON for the PR, the policy from the base
/// branch through the contents API, and the patches GitHub lists for code analysis.
pub fn check_remote(
    gh: &GitHub,
    repo: &RepoName,
    number: u64,
    explicit_policy: Option<&Path>,
) -> Result<(ChosenPolicy, Verdict), UserError> {
    let raw = gh.pull_request(repo, number)?;
    let mut facts = crate::snapshot::parse(&raw, Path::new(&format!("GitHub {repo}#{number}")))?;
    let chosen = match explicit_policy {
        Some(path) => ChosenPolicy { policy: load_file(path)?, origin: path.display().to_string() },
        None => {
            let at_base = OnGitHub {
                gh,
                repo,
                rev: &facts.base_branch,
                missing: Default::default(),
                fetched: Default::default(),
            };
            match gh.file_at(repo, &facts.base_branch, POLICY_PATH)? {
                Some(text) => {
                    at_base.fetched.borrow_mut().insert(POLICY_PATH.to_string(), text);
                    let policy = load_from(&at_base, Path::new(POLICY_PATH))?;
                    if let Some(e) = at_base.missing.take() {
                        return Err(e);
                    }
                    ChosenPolicy { policy, origin: format!("{POLICY_PATH} on {repo}@{}", facts.base_branch) }
                }
                None => ChosenPolicy {
                    policy: load_bundled("default")?,
                    origin: format!("the bundled default policy ({repo}@{} has no {POLICY_PATH})", facts.base_branch),
                },
            }
        }
    };
    analyze::analyze(&mut facts, &chosen.policy, &mut analyze::NoContents);
    let verdict = evaluate(&facts, &chosen.policy);
    Ok((chosen, verdict))
}

/// Policy files on a repository's base branch, read through GitHub's contents API.
struct OnGitHub<'a> {
    gh: &'a GitHub,
    repo: &'a RepoName,
    rev: &'a str,
    /// A request that failed (as opposed to a file that does not exist), kept to report it.
    missing: std::cell::Cell<Option<UserError>>,
    /// Files already fetched, so that none is asked for twice.
    fetched: std::cell::RefCell<std::collections::HashMap<String, String>>,
}

impl PolicyFiles for OnGitHub<'_> {
    fn read(&self, path: &Path) -> Result<String, String> {
        let path = path.to_string_lossy().replace('\\', "/");
        if let Some(text) = self.fetched.borrow().get(&path) {
            return Ok(text.clone());
        }
        match self.gh.file_at(self.repo, self.rev, &path) {
            Ok(Some(text)) => Ok(text),
            Ok(None) => Err(format!("no such file on {}", self.rev)),
            Err(e) => {
                let message = e.to_string();
                self.missing.set(Some(e));
                Err(message)
            }
        }
    }
    fn describe(&self, path: &Path) -> String {
        format!("{}@{}:{}", self.repo, self.rev, path.display())
    }
}

/// Policy files as they are at a git revision: the policy and every file it extends come from
/// the base branch, never from the working tree a branch can change.
struct AtRevision<'a> {
    repo: &'a Repo,
    rev: &'a str,
}

impl PolicyFiles for AtRevision<'_> {
    fn read(&self, path: &Path) -> Result<String, String> {
        let path = path.to_string_lossy().replace('\\', "/");
        self.repo.show(self.rev, &path).ok_or_else(|| format!("no such file on {}", self.rev))
    }
    fn describe(&self, path: &Path) -> String {
        format!("{}:{}", self.rev, path.display())
    }
}
