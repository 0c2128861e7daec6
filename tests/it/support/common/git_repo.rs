//! A git repository in a temporary home for CLI tests, kept apart from the machine's and the
//! user's git configuration, and `flowgate` run inside it with the same isolation.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use tempfile::TempDir;

use super::Run;

/// Variables that would point git at another repository or configuration.
const CLEARED: [&str; 5] = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_GLOBAL", "GIT_CONFIG"];

pub struct GitRepo {
    home: TempDir,
}

impl GitRepo {
    /// An empty repository on branch `main`, in `HOME/repo`.
    pub fn init() -> GitRepo {
        let repo = GitRepo { home: TempDir::new().expect("tempdir") };
        fs::create_dir(repo.dir()).expect("the repository's directory");
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn dir(&self) -> PathBuf {
        self.home.path().join("repo")
    }

    /// The temporary home around the repository: a place outside any repository.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The environment that keeps the machine's and the user's git configuration out and names
    /// the committer; the variables in `CLEARED` are removed where it is applied.
    fn env(&self) -> Vec<(&'static str, &OsStr)> {
        let home = self.home.path().as_os_str();
        let mut env = vec![("HOME", home), ("XDG_CONFIG_HOME", home), ("GIT_CEILING_DIRECTORIES", home)];
        for (name, value) in [
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_AUTHOR_NAME", "Carol Diaz"),
            ("GIT_AUTHOR_EMAIL", "carol@acme.example"),
            ("GIT_COMMITTER_NAME", "Carol Diaz"),
            ("GIT_COMMITTER_EMAIL", "carol@acme.example"),
            ("NO_COLOR", "1"),
        ] {
            env.push((name, OsStr::new(value)));
        }
        env
    }

    /// Runs git in the repository; a failing git command fails the test with its stderr.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_with(&[], args);
        assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs git in the repository with more variables (fixed dates, another author), whatever
    /// its exit status: a merge that stops on a conflict is a step of some histories.
    pub fn git_with(&self, vars: &[(&str, &str)], args: &[&str]) -> std::process::Output {
        let mut cmd = Process::new("git");
        cmd.current_dir(self.dir()).envs(self.env()).envs(vars.iter().copied()).args(args);
        for var in CLEARED {
            cmd.env_remove(var);
        }
        cmd.output().expect("git runs")
    }

    /// Writes a file, making its directories.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.dir().join(rel);
        fs::create_dir_all(path.parent().expect("a file's parent")).expect("the file's directories");
        fs::write(path, text).expect("the file is written");
    }

    /// `flowgate ARGS` run in `cwd` with this repository's isolated environment.
    pub fn flowgate_in(&self, cwd: &Path, args: &[&str]) -> Run {
        let mut cmd = Command::cargo_bin("flowgate").expect("the flowgate binary");
        cmd.current_dir(cwd).envs(self.env()).args(args);
        for var in CLEARED {
            cmd.env_remove(var);
        }
        Run::of(&mut cmd)
    }

    /// `flowgate ARGS` run in the repository with `vars` set and `removed` unset besides.
    pub fn flowgate_env(&self, vars: &[(&str, &str)], removed: &[&str], args: &[&str]) -> Run {
        let mut cmd = Command::cargo_bin("flowgate").expect("the flowgate binary");
        cmd.current_dir(self.dir()).envs(self.env()).envs(vars.iter().copied()).args(args);
        for var in CLEARED.iter().chain(removed) {
            cmd.env_remove(var);
        }
        Run::of(&mut cmd)
    }

    pub fn flowgate(&self, args: &[&str]) -> Run {
        self.flowgate_in(&self.dir(), args)
    }
}
