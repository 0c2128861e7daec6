//! A live PR's policy from its base branch on GitHub: `.github/flowgate.yml`'s text, then each file
//! its `extends:` chain names, fetched one at a time as the loader comes to it (the loader reads
//! synchronously, GitHub answers asynchronously), each fetched once and parsed once, and the
//! policy built once. A file in another repository (a remote `extends:`) is fetched with the
//! same client, or, for an App, with its installation on that repository's account; one that
//! cannot be read fails the policy, naming it, never falls back to another policy.

use std::path::Path;

use crate::github::{self, GitHub, RepoName};
use crate::policy::Policy;
use crate::policy::baseline::Baseline;
use crate::policy::load::{Disk, FileNames, LoadError, Loading, NO_GITHUB, PolicyFiles, RemoteFile, Wants};
use crate::policy::remote::RemoteSpec;

use super::{Error, POLICY_PATH};

/// Where the files of a policy's `extends:` chain come from, one at a time.
pub trait Fetch {
    /// The text of the file at `path` in the repository; `None` when the branch has none.
    fn fetch(&self, path: &str) -> impl Future<Output = Result<Option<String>, github::Error>> + Send;
    /// The text of a file in a GitHub repository (a remote `extends:`), or why it cannot be
    /// read: any failure, GitHub's included, is the policy's, so that it fails closed.
    fn fetch_remote(&self, _file: &RemoteFile) -> impl Future<Output = Result<String, String>> + Send {
        std::future::ready(Err(NO_GITHUB.to_string()))
    }
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
    fn fetch_remote(&self, file: &RemoteFile) -> impl Future<Output = Result<String, String>> + Send {
        remote_text(self.gh, Some(self.repo), file)
    }
}

/// The text of a remote file through `gh`, or, when `gh` is an App's installation and the file is
/// in another account than `home`'s, through the App's installation there. Every failure is a
/// sentence: the policy that needs the file does not load.
pub async fn remote_text(gh: &GitHub, home: Option<&RepoName>, file: &RemoteFile) -> Result<String, String> {
    let repo = RepoName::parse(&file.repo).map_err(|e| e.to_string())?;
    let same_account = home.is_some_and(|home| home.owner.eq_ignore_ascii_case(&repo.owner));
    let other;
    let reader = match gh.reader_for(&repo, same_account).await.map_err(|e| e.to_string())? {
        Some(client) => {
            other = client;
            other.as_ref()
        }
        None => gh,
    };
    match reader.file_at(&repo, &file.rev, &file.path).await {
        Ok(Some(text)) => Ok(text),
        Ok(None) => Err(format!("GitHub has no such file at {} (or may not show it to flowgate)", file.rev)),
        Err(e) => Err(format!("GitHub did not give it: {e}")),
    }
}

/// Loads the policy `OWNER/REPO:PATH@REF` names, with every file its `extends:` chain names, from
/// GitHub through `gh` (for an App, its installation on that account): a shared policy named by
/// reference rather than by a repository's own `.github/flowgate.yml`.
pub async fn load_remote(gh: &GitHub, spec: &str) -> Result<Policy, Error> {
    let spec = RemoteSpec::parse(spec).map_err(|message| LoadError::Rule { file: spec.to_string(), message })?;
    let file = RemoteFile { repo: spec.repo.clone(), path: spec.path.clone(), rev: spec.reference.clone() };
    let text =
        remote_text(gh, None, &file).await.map_err(|why| LoadError::Unreadable { file: file.to_string(), why })?;
    let from = RemoteOnly { gh };
    let loading = off_runtime(move || Loading::start_remote(&InRepository, file, text)).await?;
    let loading = pull(&from, InRepository, "", loading).await?;
    Ok(off_runtime(move || loading.finish()).await?)
}

/// A policy file on disk (`--policy` for a live PR): the files its relative `extends:` name are
/// read from the disk, its remote ones through `gh`.
pub async fn load_from_disk(gh: &GitHub, path: &Path) -> Result<Policy, LoadError> {
    let text = Disk.read(path).map_err(|why| LoadError::Unreadable { file: Disk.describe(path), why })?;
    let mut loading = Loading::start(&Disk, path, text)?;
    loop {
        let text = match loading.wants() {
            None => break,
            Some(Wants::File(path)) => Disk.read(path),
            Some(Wants::Remote(file)) => {
                let file = file.clone();
                remote_text(gh, None, &file).await
            }
        };
        loading.give(&Disk, text)?;
    }
    loading.finish()
}

/// A chain that starts in another repository: every file it reads is a remote one.
struct RemoteOnly<'a> {
    gh: &'a GitHub,
}

impl Fetch for RemoteOnly<'_> {
    fn fetch(&self, _path: &str) -> impl Future<Output = Result<Option<String>, github::Error>> + Send {
        // A remote file's relative `extends:` is itself remote: nothing is read from a branch.
        std::future::ready(Ok(None))
    }
    fn fetch_remote(&self, file: &RemoteFile) -> impl Future<Output = Result<String, String>> + Send {
        remote_text(self.gh, None, file)
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
    let loading = {
        let names = names.clone();
        let path = path.to_string();
        off_runtime(move || Loading::start(&names, Path::new(&path), text)).await?
    };
    pull(files, names, rev, loading).await
}

/// Gives `loading` each file it asks for, fetched from `files`; the chain, unbuilt.
async fn pull<F: Fetch + Sync, N: FileNames + Clone + Send + 'static>(
    files: &F,
    names: N,
    rev: &str,
    mut loading: Loading,
) -> Result<Loading, Error> {
    loop {
        let text = match loading.wants() {
            None => break,
            Some(Wants::File(path)) => {
                let path = path.to_string_lossy().replace('\\', "/");
                files.fetch(&path).await?.ok_or_else(|| format!("no such file on {rev}"))
            }
            Some(Wants::Remote(file)) => {
                let file = file.clone();
                files.fetch_remote(&file).await
            }
        };
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
