//! A live PR's policy from its base branch on GitHub: `.github/flowgate.yml`'s text, then each file
//! its `extends:` chain names, fetched one at a time as the loader comes to it (the loader reads
//! synchronously, GitHub answers asynchronously), each fetched once and parsed once, and the
//! policy built once.

use std::path::Path;

use crate::github::{self, GitHub, RepoName};
use crate::policy::Policy;
use crate::policy::baseline::Baseline;
use crate::policy::load::{FileNames, LoadError, Loading};

use super::{Error, POLICY_PATH};

/// Where the files of a policy's `extends:` chain come from, one at a time.
pub trait Fetch {
    /// The text of the file at `path` in the repository; `None` when the branch has none.
    fn fetch(&self, path: &str) -> impl Future<Output = Result<Option<String>, github::Error>> + Send;
}

/// A branch of a repository on GitHub.
pub struct OnGitHub<'a> {
    pub gh: &'a GitHub,
    pub repo: &'a RepoName,
    pub rev: &'a str,
}

impl Fetch for OnGitHub<'_> {
    fn fetch(&self, path: &str) -> impl Future<Output = Result<Option<String>, github::Error>> + Send {
        self.gh.file_at(self.repo, self.rev, path)
    }
}

/// How messages name a file of the branch: `OWNER/NAME@REV:PATH`.
#[derive(Clone)]
pub struct OnBranch {
    pub repo: String,
    pub rev: String,
}

impl FileNames for OnBranch {
    fn name(&self, path: &Path) -> String {
        format!("{}@{}:{}", self.repo, self.rev, path.display())
    }
}

/// A PR's head, whose files messages and annotations name by their path in the repository alone.
#[derive(Clone)]
pub struct InRepository;

impl FileNames for InRepository {
    fn name(&self, path: &Path) -> String {
        path.display().to_string().replace('\\', "/")
    }
}

/// Loads the policy whose first file, `.github/flowgate.yml`, reads `text` at `rev`, fetching from
/// `files` each file its `extends:` chain names, once, and naming them by `names`. Parsing and building run on blocking threads:
/// CPU work that the policy limits bound but do not make free, kept off the runtime's threads,
/// which go on acknowledging deliveries.
pub async fn load<F: Fetch + Sync, N: FileNames + Clone + Send + 'static>(
    files: &F,
    names: N,
    rev: &str,
    text: String,
) -> Result<Policy, Error> {
    let loading = read_chain(files, names, POLICY_PATH, rev, text).await?;
    Ok(off_runtime(move || loading.finish()).await?)
}

/// `load`, with the policy laid over `baseline` and judged against it: a policy that loosens the
/// baseline does not load.
pub async fn load_over<F: Fetch + Sync, N: FileNames + Clone + Send + 'static>(
    files: &F,
    names: N,
    rev: &str,
    text: String,
    baseline: std::sync::Arc<Baseline>,
) -> Result<Policy, Error> {
    let loading = read_chain(files, names, POLICY_PATH, rev, text).await?;
    Ok(off_runtime(move || super::baseline::judge(loading, &baseline)).await?)
}

/// The baseline whose first file, at `path`, reads `text`, with the files it extends from `files`.
pub async fn load_baseline<F: Fetch + Sync, N: FileNames + Clone + Send + 'static>(
    files: &F,
    names: N,
    path: &str,
    rev: &str,
    text: String,
    name: String,
    enforcement: Option<crate::model::Enforcement>,
) -> Result<Baseline, Error> {
    let loading = read_chain(files, names, path, rev, text).await?;
    Ok(off_runtime(move || Baseline::from_loading(&name, loading, enforcement)).await?)
}

/// Reads the whole chain that starts with the file at `path` reading `text`, unbuilt.
async fn read_chain<F: Fetch + Sync, N: FileNames + Clone + Send + 'static>(
    files: &F,
    names: N,
    path: &str,
    rev: &str,
    text: String,
) -> Result<Loading, Error> {
    let mut loading = {
        let names = names.clone();
        let path = path.to_string();
        off_runtime(move || Loading::start(&names, Path::new(&path), text)).await?
    };
    while let Some(path) = loading.wants() {
        let path = path.to_string_lossy().replace('\\', "/");
        let text = files.fetch(&path).await?.ok_or_else(|| format!("no such file on {rev}"));
        let names = names.clone();
        loading = off_runtime(move || loading.give(&names, text).map(|()| loading)).await?;
    }
    Ok(loading)
}

async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, LoadError> + Send + 'static,
) -> Result<T, LoadError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| LoadError::Stopped { file: POLICY_PATH.to_string(), why: e.to_string() })?
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::*;

    /// A branch in memory that counts what is fetched from it.
    struct Counted {
        files: BTreeMap<&'static str, &'static str>,
        fetched: Mutex<Vec<String>>,
    }

    impl Fetch for Counted {
        fn fetch(&self, path: &str) -> impl Future<Output = Result<Option<String>, github::Error>> + Send {
            self.fetched.lock().expect("not poisoned").push(path.to_string());
            let text = self.files.get(path).map(|t| t.to_string());
            async move { Ok(text) }
        }
    }

    fn names() -> OnBranch {
        OnBranch { repo: "o/r".into(), rev: "main".into() }
    }

    const TOP: &str = "extends: team.yml\nteams:\n  \"@o/top\": [ann]\n";

    #[tokio::test]
    async fn each_file_of_an_extends_chain_is_fetched_once_and_the_policy_has_all_of_them() {
        let branch = Counted {
            files: BTreeMap::from([
                (".github/team.yml", "extends: ../shared/org.yml\nteams:\n  \"@o/team\": [bob]\n"),
                ("shared/org.yml", "extends: default\nteams:\n  \"@o/org\": [cy]\n"),
            ]),
            fetched: Mutex::new(Vec::new()),
        };
        let policy = load(&branch, names(), "main", TOP.to_string()).await.unwrap_or_else(|e| panic!("{e}"));
        let fetched = branch.fetched.lock().expect("not poisoned").clone();
        assert_eq!(fetched, [".github/team.yml", "shared/org.yml"], "each file once, in the chain's order");
        let teams: Vec<&str> = policy.teams.keys().map(String::as_str).collect();
        assert_eq!(teams, ["@o/org", "@o/team", "@o/top"]);
        assert_eq!(policy.origin.len(), 4, "the three files and the bundled pack: {:?}", policy.origin);
    }

    #[tokio::test]
    async fn a_file_the_branch_lacks_is_named_by_the_file_that_extends_it() {
        let branch = Counted { files: BTreeMap::new(), fetched: Mutex::new(Vec::new()) };
        let e = load(&branch, names(), "main", TOP.to_string()).await.expect_err("refused");
        assert_eq!(
            e.to_string(),
            "o/r@main:.github/flowgate.yml: `extends: team.yml`: cannot read o/r@main:.github/team.yml: \
             no such file on main"
        );
        assert!(matches!(e, Error::Policy { error: LoadError::Extends { .. }, .. }), "{e:?}");
    }
}
