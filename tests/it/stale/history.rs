//! A git history built step by step at fixed times, so every run makes the same commits, and the
//! case it ends in: the base branch, the commit a reviewer approved and the PR's head.

use std::cell::Cell;
use std::path::PathBuf;

use flowgate::git::Repo;
use flowgate::model::since::{ChangeSince, Unseen};
use flowgate::since::Inputs;

use crate::support::common::git_repo::GitRepo;

/// 2025-01-01T00:00:00Z; each git command runs a minute after the one before.
const START: u64 = 1_735_689_600;

pub struct History {
    repo: GitRepo,
    minutes: Cell<u64>,
}

/// A person other than the PR's author who commits to its branch.
pub struct Committer {
    pub name: &'static str,
    pub email: &'static str,
}

pub const BOT: Committer = Committer { name: "shop-format[bot]", email: "shop-format[bot]@users.noreply.github.com" };

impl History {
    /// A repository whose `main` holds src/login.rs (40 numbered lines), src/pay.rs (12) and
    /// README.md, committed once.
    pub fn new() -> History {
        let history = History { repo: GitRepo::init(), minutes: Cell::new(0) };
        history.write("src/login.rs", &numbered("login", 40));
        history.write("src/pay.rs", &numbered("pay", 12));
        history.write("README.md", "# shop\n");
        history.commit("Initial import");
        history
    }

    pub fn dir(&self) -> PathBuf {
        self.repo.dir()
    }

    /// Runs git at the next minute; a failure fails the test.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.run(&[], args);
        assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs git at the next minute and says whether it succeeded (a merge may stop on a conflict).
    pub fn try_git(&self, args: &[&str]) -> bool {
        self.run(&[], args).status.success()
    }

    fn run(&self, vars: &[(&str, &str)], args: &[&str]) -> std::process::Output {
        self.minutes.set(self.minutes.get() + 1);
        let date = format!("@{} +0000", START + self.minutes.get() * 60);
        let mut all =
            vec![("GIT_AUTHOR_DATE", date.as_str()), ("GIT_COMMITTER_DATE", date.as_str()), ("GIT_EDITOR", "true")];
        all.extend_from_slice(vars);
        self.repo.git_with(&all, args)
    }

    pub fn write(&self, path: &str, text: &str) {
        self.repo.write(path, text);
    }

    /// Replaces line `n` (from 1) of `path` in the work tree.
    pub fn edit_line(&self, path: &str, n: usize, text: &str) {
        let old = std::fs::read_to_string(self.dir().join(path)).expect("the file is there");
        let mut lines: Vec<&str> = old.lines().collect();
        lines[n - 1] = text;
        self.write(path, &(lines.join("\n") + "\n"));
    }

    /// Stages everything and commits it as the PR's author; the new commit's sha.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
        self.sha("HEAD")
    }

    /// Stages everything and commits it as `who`.
    pub fn commit_as(&self, who: &Committer, message: &str) -> String {
        self.git(&["add", "-A"]);
        let vars = [
            ("GIT_AUTHOR_NAME", who.name),
            ("GIT_AUTHOR_EMAIL", who.email),
            ("GIT_COMMITTER_NAME", who.name),
            ("GIT_COMMITTER_EMAIL", who.email),
        ];
        let out = self.run(&vars, &["commit", "-q", "-m", message]);
        assert!(out.status.success(), "commit as {} failed: {}", who.name, String::from_utf8_lossy(&out.stderr));
        self.sha("HEAD")
    }

    pub fn sha(&self, rev: &str) -> String {
        self.git(&["rev-parse", "--verify", rev]).trim().to_string()
    }

    pub fn checkout(&self, branch: &str) {
        self.git(&["checkout", "-q", branch]);
    }

    /// A new branch from the current commit, checked out.
    pub fn branch(&self, name: &str) {
        self.git(&["checkout", "-q", "-b", name]);
    }

    /// Ends the history: the PR is the branch checked out now, against `main`.
    pub fn case(self, approved: &str) -> Case {
        let head = self.sha("HEAD");
        Case { history: self, base: "main".into(), approved: approved.into(), head, retargeted: false }
    }
}

/// `{name}.step(i);` lines, each one different.
fn numbered(name: &str, count: usize) -> String {
    (1..=count).map(|i| format!("    {name}.step({i});\n")).collect()
}

/// A PR after an approval: its base branch, the approved commit and its head now.
pub struct Case {
    pub history: History,
    pub base: String,
    pub approved: String,
    pub head: String,
    pub retargeted: bool,
}

impl Case {
    fn repo(&self) -> Repo {
        Repo::discover(&self.history.dir()).expect("the case's repository")
    }

    /// What changed since the approval, as local git sees it.
    pub fn since(&self) -> Result<ChangeSince, Unseen> {
        self.repo().since_approved(&self.base, &self.approved, &self.head, self.retargeted)
    }

    /// What local git read for `since`.
    pub fn inputs(&self) -> Inputs {
        self.repo().since_inputs(&self.base, &self.approved, &self.head, self.retargeted).expect("git reads the case")
    }
}
