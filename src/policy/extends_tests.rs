//! The `extends:` chain as the loader reads it: each file once, in the chain's order, through
//! whatever `PolicyFiles` gives the texts, and the first not again when the caller read it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::load::{PolicyFiles, load_from, load_read};

/// Files in memory that count their reads.
struct Counted {
    files: BTreeMap<PathBuf, &'static str>,
    reads: Mutex<Vec<PathBuf>>,
}

impl PolicyFiles for Counted {
    fn read(&self, path: &Path) -> Result<String, String> {
        self.reads.lock().expect("not poisoned").push(path.to_path_buf());
        self.files.get(path).map(|t| t.to_string()).ok_or_else(|| "no such file".into())
    }
    fn describe(&self, path: &Path) -> String {
        path.display().to_string()
    }
}

fn chain() -> Counted {
    Counted {
        files: BTreeMap::from([
            (PathBuf::from("repo/flowgate.yml"), "extends: team.yml\nteams:\n  \"@o/repo\": [ann]\n"),
            (PathBuf::from("repo/team.yml"), "extends: ../org/org.yml\nteams:\n  \"@o/team\": [bob]\n"),
            (PathBuf::from("org/org.yml"), "extends: default\nteams:\n  \"@o/org\": [cy]\n"),
        ]),
        reads: Mutex::new(Vec::new()),
    }
}

fn reads(files: &Counted) -> Vec<String> {
    files.reads.lock().expect("not poisoned").iter().map(|p| p.display().to_string()).collect()
}

#[test]
fn each_file_of_a_chain_is_read_once_in_order() {
    let files = chain();
    let policy = load_from(&files, Path::new("repo/flowgate.yml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reads(&files), ["repo/flowgate.yml", "repo/team.yml", "org/org.yml"]);
    let teams: Vec<&str> = policy.teams.keys().map(String::as_str).collect();
    assert_eq!(teams, ["@o/org", "@o/repo", "@o/team"], "every file of the chain is in the policy");
}

#[test]
fn a_first_file_the_caller_read_is_not_read_again() {
    let files = chain();
    let text = files.files[Path::new("repo/flowgate.yml")].to_string();
    load_read(&files, Path::new("repo/flowgate.yml"), text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reads(&files), ["repo/team.yml", "org/org.yml"]);
}
