//! Gathering PR facts from a local git repository: the current branch against its base, as an
//! author runs `flowgate check` before opening a pull request; and (`since`) what changed since
//! a commit a reviewer approved.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::model::{ContentSource, Side};

use crate::error::UserError;
use crate::model::{Commit, CommitSha, FileChange, FileStatus, GitPerson, Label, Login, PrFacts};

mod provenance;
mod since;

/// What the author tells flowgate that git cannot know.
#[derive(Debug, Clone, Default)]
pub struct LocalPr {
    /// The base to compare with; by default the remote's default branch, else `main`, else `master`.
    pub base: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub labels: Vec<String>,
    /// The author's GitHub login; by default read from git's `user.email` or `user.name`.
    pub author: Option<String>,
    /// Gate the working tree (staged and unstaged changes to tracked files) instead of HEAD.
    pub include_uncommitted: bool,
}

/// A git repository on disk.
pub struct Repo {
    dir: PathBuf,
}

impl Repo {
    /// The repository containing `dir`.
    pub fn discover(dir: &Path) -> Result<Repo, UserError> {
        let probe = Repo { dir: dir.to_path_buf() };
        let top = probe.git(&["rev-parse", "--show-toplevel"]).map_err(|_| {
            UserError::Usage(format!(
                "{} is not inside a git repository; give --snapshot DIR to gate a saved PR",
                dir.display()
            ))
        })?;
        Ok(Repo { dir: PathBuf::from(top.trim()) })
    }

    pub fn root(&self) -> &Path {
        &self.dir
    }

    fn git(&self, args: &[&str]) -> Result<String, UserError> {
        let out = self.git_output(args)?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let why = match err.trim() {
                "" => format!("{} and no message", out.status),
                err => err.to_string(),
            };
            return Err(UserError::Git(format!("`git {}` failed: {why}", args.join(" "))));
        }
        String::from_utf8(out.stdout)
            .map_err(|_| UserError::Git(format!("`git {}` printed text that is not UTF-8", args.join(" "))))
    }

    /// Runs git and hands back what it did, whatever its exit status: for the commands whose
    /// status is an answer (`merge-base --is-ancestor`, `merge-tree`) or whose output is bytes.
    fn git_output(&self, args: &[&str]) -> Result<std::process::Output, UserError> {
        Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            .output()
            .map_err(|e| UserError::Git(format!("cannot run git: {e}")))
    }

    fn ref_exists(&self, name: &str) -> bool {
        self.git(&["rev-parse", "--verify", "--quiet", &format!("{name}^{{commit}}")]).is_ok()
    }

    /// The base branch: the remote's default branch, else `main`, else `master`.
    pub fn default_base(&self) -> Result<String, UserError> {
        if let Ok(head) = self.git(&["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"]) {
            return Ok(head.trim().trim_start_matches("refs/remotes/").to_string());
        }
        for candidate in ["main", "master", "origin/main", "origin/master"] {
            if self.ref_exists(candidate) {
                return Ok(candidate.to_string());
            }
        }
        Err(UserError::Git("cannot tell the base branch: no origin/HEAD, main or master; give --base".into()))
    }

    /// A file's text as it is on `rev`, or None when it does not exist there.
    pub fn show(&self, rev: &str, path: &str) -> Option<String> {
        self.git(&["show", &format!("{rev}:{path}")]).ok()
    }

    /// Gathers the facts of the current branch as a PR against `pr.base`, and the merge base the
    /// change is measured from.
    pub fn facts(&self, pr: &LocalPr) -> Result<(PrFacts, String), UserError> {
        let base = match &pr.base {
            Some(b) => b.clone(),
            None => self.default_base()?,
        };
        if !self.ref_exists(&base) {
            return Err(UserError::Git(format!("the base {base:?} is not a branch or commit here")));
        }
        let head = self.git(&["rev-parse", "HEAD"])?.trim().to_string();
        let merge_base = self.merge_base(&base)?;
        let branch = self.git(&["rev-parse", "--abbrev-ref", "HEAD"])?.trim().to_string();
        let to = if pr.include_uncommitted { None } else { Some("HEAD") };
        let files = self.changed_files(&merge_base, to)?;
        let commits = self.commits(&merge_base)?;
        let title = pr.title.clone().unwrap_or_else(|| {
            commits.first().map(|c| c.message.lines().next().unwrap_or("").to_string()).unwrap_or_default()
        });
        let author = match &pr.author {
            Some(a) => a.clone(),
            None => self.guess_login(),
        };
        let facts = PrFacts {
            repo: self.github_repo(),
            number: None,
            title,
            body: pr.body.clone().unwrap_or_default(),
            branch,
            base_branch: base,
            author: Login::new(author),
            head_sha: Some(CommitSha::new(head)),
            draft: false,
            labels: pr.labels.iter().map(|l| Label { name: l.clone(), applied_by: None }).collect(),
            files,
            commits,
            reviews: Vec::new(),
            visibility: Default::default(),
            chains: Default::default(),
            since_approved: Default::default(),
            codeowners: None,
            edited_policy: None,
            provenance: None,
            ai_declaration: None,
        };
        let provenance = self.provenance(&merge_base, &facts.commits, &facts.files, pr.include_uncommitted);
        Ok((PrFacts { provenance: Some(provenance), ..facts }, merge_base))
    }

    /// Where HEAD's history meets `base`'s. A shallow clone may not hold it: that is said, with
    /// the fetch that brings it, rather than git's silent failure.
    fn merge_base(&self, base: &str) -> Result<String, UserError> {
        if let Ok(found) = self.git(&["merge-base", base, "HEAD"]) {
            return Ok(found.trim().to_string());
        }
        let shallow = self.git(&["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s.trim() == "true");
        Err(UserError::Git(if shallow {
            format!(
                "the merge base of HEAD and {base} is not in this shallow clone; fetch the history with \
                 `git fetch --unshallow`, or enough of it with `git fetch --deepen=N` (N commits more)"
            )
        } else {
            format!("HEAD and {base} have no commit in common; give --base with the branch this one started from")
        }))
    }

    /// Tracked files whose working-tree or staged version differs from HEAD: what a local check
    /// leaves out unless told to include it. None before the first commit.
    pub fn uncommitted(&self) -> Result<Vec<String>, UserError> {
        if !self.ref_exists("HEAD") {
            return Ok(Vec::new());
        }
        let out = self.git(&["diff", "--name-only", "-z", "HEAD"])?;
        Ok(out.split('\0').filter(|s| !s.is_empty()).map(String::from).collect())
    }

    /// Reads file versions at `base` and `head` through one `git cat-file --batch` process.
    pub fn blobs(&self, base: &str, head: &str) -> Result<Blobs, UserError> {
        self.blobs_against(base, Some(head))
    }

    /// Reads file versions at `base` from git and the head versions from the working tree.
    pub fn blobs_with_worktree(&self, base: &str) -> Result<Blobs, UserError> {
        self.blobs_against(base, None)
    }

    fn blobs_against(&self, base: &str, head: Option<&str>) -> Result<Blobs, UserError> {
        let child = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| UserError::Git(format!("cannot run git cat-file: {e}")))?;
        let head = match head {
            Some(rev) => Head::Rev(rev.to_string()),
            None => Head::WorkTree(self.dir.clone()),
        };
        Ok(Blobs { child, base: base.to_string(), head })
    }

    /// The files changed from `from` to `to`, or to the working tree (staged and unstaged
    /// changes to tracked files) when `to` is None.
    fn changed_files(&self, from: &str, to: Option<&str>) -> Result<Vec<FileChange>, UserError> {
        let revs: Vec<&str> = std::iter::once(from).chain(to).collect();
        let status = self.git(&[&["diff", "--name-status", "-M", "-z"][..], &revs].concat())?;
        let numstat = self.git(&[&["diff", "--numstat", "-M", "-z"][..], &revs].concat())?;
        let mut counts = numstat_counts(&numstat).into_iter();
        let mut files = Vec::new();
        let mut fields = status.split('\0').filter(|s| !s.is_empty());
        while let Some(code) = fields.next() {
            let (status, previous_path) = match code.chars().next() {
                Some('R') => (FileStatus::Renamed, fields.next().map(String::from)),
                Some('C') => (FileStatus::Copied, fields.next().map(String::from)),
                Some('A') => (FileStatus::Added, None),
                Some('D') => (FileStatus::Removed, None),
                Some('M') => (FileStatus::Modified, None),
                _ => (FileStatus::Changed, None),
            };
            let Some(path) = fields.next() else { break };
            let (additions, deletions) = counts.next().unwrap_or((0, 0));
            files.push(FileChange { previous_path, ..FileChange::new(path, status, additions, deletions) });
        }
        Ok(files)
    }

    fn commits(&self, merge_base: &str) -> Result<Vec<Commit>, UserError> {
        let list = self.git(&["rev-list", "--reverse", &format!("{merge_base}..HEAD")])?;
        let mut commits = Vec::new();
        for sha in list.lines().filter(|l| !l.is_empty()) {
            let meta = self.git(&["show", "-s", "--format=%P%x00%T%x00%an%x00%ae%x00%cn%x00%ce%x00%B", sha])?;
            let mut parts = meta.splitn(7, '\0');
            let mut next = || parts.next().unwrap_or("").to_string();
            let (parents, tree) = (next(), next());
            let (an, ae, cn, ce, message) = (next(), next(), next(), next(), next());
            let touched = self.git(&["diff-tree", "--no-commit-id", "--name-only", "-r", "-z", "-M", "--root", sha])?;
            commits.push(Commit {
                sha: CommitSha::new(sha),
                message: message.trim_end().to_string(),
                author: GitPerson { name: an, email: ae, login: None },
                committer: GitPerson { name: cn, email: ce, login: None },
                files: Some(touched.split('\0').filter(|s| !s.is_empty()).map(String::from).collect()),
                parents: parents.split_whitespace().map(CommitSha::new).collect(),
                tree: Some(tree).filter(|t| !t.is_empty()),
            });
        }
        Ok(commits)
    }

    /// Every file in the working tree that git tracks or would track (untracked files that are
    /// not ignored count: `flowgate init` may run before the first commit).
    pub fn files(&self) -> Result<Vec<String>, UserError> {
        let out = self.git(&["ls-files", "-z", "--cached", "--others", "--exclude-standard"])?;
        Ok(out.split('\0').filter(|s| !s.is_empty()).map(String::from).collect())
    }

    /// The messages of the last `n` commits reachable from HEAD, newest first; none before the
    /// first commit.
    pub fn recent_messages(&self, n: usize) -> Result<Vec<String>, UserError> {
        if !self.ref_exists("HEAD") {
            return Ok(Vec::new());
        }
        let out = self.git(&["log", "-n", &n.to_string(), "--format=%B%x00"])?;
        Ok(out.split('\0').map(str::trim).filter(|m| !m.is_empty()).map(String::from).collect())
    }

    /// The names of local and remote-tracking branches (`origin/` and other remote names stripped).
    pub fn branch_names(&self) -> Result<Vec<String>, UserError> {
        let out = self.git(&["for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes"])?;
        let mut names: Vec<String> = out
            .lines()
            .filter_map(|r| match r.strip_prefix("refs/heads/") {
                Some(local) => Some(local.to_string()),
                None => r.strip_prefix("refs/remotes/")?.split_once('/').map(|(_, b)| b.to_string()),
            })
            .filter(|b| b != "HEAD" && !b.is_empty())
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// `owner/name` on GitHub, which bare `#12` references are read against. Without it `#12`
    /// and `owner/name#12` would be two keys. The remotes are read `origin` first; a remote that
    /// is another clone on this machine (a path or `file://` URL) is followed to its own remotes.
    fn github_repo(&self) -> Option<String> {
        self.github_repo_within(MAX_CLONE_HOPS)
    }

    fn github_repo_within(&self, hops: usize) -> Option<String> {
        let remotes = self.git(&["remote"]).ok()?;
        let mut names: Vec<&str> = remotes.lines().map(str::trim).filter(|r| !r.is_empty()).collect();
        names.sort_by_key(|name| (*name != "origin", *name != "upstream", name.to_string()));
        let urls: Vec<String> = names
            .iter()
            .filter_map(|n| self.git(&["remote", "get-url", n]).ok())
            .map(|u| u.trim().to_string())
            .collect();
        if let Some(repo) = urls.iter().find_map(|url| github_repo_of(url)) {
            return Some(repo);
        }
        if hops == 0 {
            return None;
        }
        urls.iter()
            .filter_map(|url| local_clone(url, &self.dir))
            .find_map(|dir| Repo { dir }.github_repo_within(hops - 1))
    }

    fn guess_login(&self) -> String {
        let email = self.git(&["config", "user.email"]).unwrap_or_default();
        if let Some(local) = email.trim().strip_suffix("@users.noreply.github.com") {
            return local.rsplit('+').next().unwrap_or(local).to_string();
        }
        self.git(&["config", "user.name"]).unwrap_or_default().trim().to_string()
    }
}

/// How many clones of clones are followed to find the GitHub repository.
const MAX_CLONE_HOPS: usize = 3;

/// `owner/name` from a remote URL on a GitHub host, in any form git takes: `https://github.com/o/n`,
/// `git@github.com:o/n.git`, `ssh://git@ssh.github.com:443/o/n`, an SSH alias such as
/// `git@github.com-work:o/n`, or GitHub Enterprise (`https://github.acme.example/o/n`).
pub(crate) fn github_repo_of(url: &str) -> Option<String> {
    let (authority, path) = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/')?,
        // scp-like `[user@]host:path`; a colon after a slash is part of a local path.
        None => url.split_once(':').filter(|(host, _)| !host.contains('/'))?,
    };
    let host = authority.rsplit('@').next()?.split(':').next()?.to_ascii_lowercase();
    let mut parts = path.trim_matches('/').split('/');
    if !host.contains("github") {
        // A proxy or mirror that keeps GitHub's host in its path: `https://mirror/github.com/o/n`.
        if parts.next() != Some("github.com") {
            return None;
        }
    }
    let (owner, name) = (parts.next()?, parts.next()?);
    let name = name.strip_suffix(".git").unwrap_or(name);
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    (ok(owner) && ok(name)).then(|| format!("{owner}/{name}"))
}

/// The directory of a remote that is another repository on this machine.
fn local_clone(url: &str, from: &Path) -> Option<PathBuf> {
    let path = match url.strip_prefix("file://") {
        Some(path) => PathBuf::from(path),
        None if url.contains("://") || url.split_once(':').is_some_and(|(host, _)| !host.contains('/')) => {
            return None;
        }
        None => from.join(url),
    };
    path.is_dir().then_some(path)
}

/// Where the head versions of files come from.
enum Head {
    Rev(String),
    /// The working tree at this directory: a local check of uncommitted changes.
    WorkTree(PathBuf),
}

/// File versions read from git objects (or the working tree), for code analysis.
pub struct Blobs {
    child: Child,
    base: String,
    head: Head,
}

impl Blobs {
    fn object(&mut self, spec: &str) -> Option<Vec<u8>> {
        let stdin = self.child.stdin.as_mut()?;
        // A path with a newline would break the request protocol; such a file is not read.
        if spec.contains('\n') {
            return None;
        }
        stdin.write_all(format!("{spec}\n").as_bytes()).ok()?;
        stdin.flush().ok()?;
        let stdout = self.child.stdout.as_mut()?;
        let header = read_line(stdout)?;
        // `<oid> blob <size>` or `<spec> missing`.
        let size: usize = match header.split(' ').collect::<Vec<_>>().as_slice() {
            [_, "blob", size] => size.parse().ok()?,
            [_, _, size] => {
                skip(stdout, size.parse::<usize>().ok()? + 1)?;
                return None;
            }
            _ => return None,
        };
        let mut body = vec![0; size + 1];
        stdout.read_exact(&mut body).ok()?;
        body.pop();
        Some(body)
    }
}

impl ContentSource for Blobs {
    fn read(&mut self, side: Side, path: &str) -> Option<Vec<u8>> {
        let rev = match (side, &self.head) {
            (Side::Base, _) => self.base.clone(),
            (Side::Head, Head::Rev(rev)) => rev.clone(),
            (Side::Head, Head::WorkTree(dir)) => return read_worktree(&dir.join(path)),
        };
        self.object(&format!("{rev}:{path}"))
    }
}

impl Drop for Blobs {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// A file as git would store it: a symbolic link is its target's name, not what it points at.
/// Capped like a snapshot's contents, so a huge or endless file (a FIFO, a device) is unread
/// rather than read whole; an unread file keeps the gate from passing where code matters.
fn read_worktree(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if meta.file_type().is_symlink() {
        return std::fs::read_link(path).ok().map(|t| t.to_string_lossy().into_owned().into_bytes());
    }
    crate::files::read_capped(path, crate::files::MAX_CONTENT_FILE_BYTES).ok()
}

fn read_line(r: &mut impl Read) -> Option<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        r.read_exact(&mut byte).ok()?;
        if byte[0] == b'\n' {
            return String::from_utf8(line).ok();
        }
        line.push(byte[0]);
    }
}

fn skip(r: &mut impl Read, n: usize) -> Option<()> {
    std::io::copy(&mut r.take(n as u64), &mut std::io::sink()).ok().filter(|copied| *copied == n as u64).map(|_| ())
}

/// `git diff --numstat -z`: `added\tdeleted\tpath\0`, or for a rename `added\tdeleted\t\0old\0new\0`.
/// Binary files show `-` counts, read as 0.
fn numstat_counts(out: &str) -> Vec<(u64, u64)> {
    let mut counts = Vec::new();
    let mut fields = out.split('\0');
    while let Some(record) = fields.next() {
        if record.is_empty() {
            continue;
        }
        let mut cols = record.splitn(3, '\t');
        let added = cols.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let deleted = cols.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        if cols.next() == Some("") {
            // A rename: the two paths follow as their own fields.
            fields.next();
            fields.next();
        }
        counts.push((added, deleted));
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_github_repository_is_read_from_every_form_of_remote_url() {
        for url in [
            "https://github.com/acme/shop.git",
            "https://github.com/acme/shop",
            "https://carol@github.com/acme/shop/",
            "http://github.com/acme/shop",
            "git@github.com:acme/shop.git",
            "github.com:acme/shop",
            "ssh://git@github.com/acme/shop.git",
            "ssh://git@ssh.github.com:443/acme/shop.git",
            "git@github.com-work:acme/shop.git",
            "git://github.com/acme/shop.git",
            "https://github.acme.example/acme/shop.git",
            "https://mirror.example/github.com/acme/shop.git",
        ] {
            assert_eq!(github_repo_of(url).as_deref(), Some("acme/shop"), "{url}");
        }
        for url in [
            "https://gitlab.com/acme/shop.git",
            "git@bitbucket.org:acme/shop.git",
            "/srv/git/shop.git",
            "../shop",
            "file:///srv/github/acme/shop",
            "https://github.com/acme",
        ] {
            assert_eq!(github_repo_of(url), None, "{url}");
        }
    }
}
