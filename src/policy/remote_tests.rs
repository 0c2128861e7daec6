//! Remote `extends:` as the loader follows it: the caller is asked for each remote file (its
//! repository, path and commit or ref), relative paths stay in the remote's repository at its
//! commit, messages name remote files as `OWNER/REPO@REV:PATH`, cycles and depth are caught, and
//! only this repository's files count as the policy's own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::load::{LoadError, PolicyFiles, RemoteFile, load_from, load_with_warnings};

const PIN: &str = "0123456789abcdef0123456789abcdef01234567";

/// This repository's files and remote ones, in memory, counting the remote reads.
#[derive(Default)]
struct Files {
    local: BTreeMap<PathBuf, String>,
    remote: BTreeMap<String, String>,
    asked: Mutex<Vec<String>>,
}

impl Files {
    fn local(mut self, path: &str, text: &str) -> Files {
        self.local.insert(PathBuf::from(path), text.to_string());
        self
    }
    /// A remote file by its name, `OWNER/REPO@REV:PATH`.
    fn remote(mut self, name: &str, text: &str) -> Files {
        self.remote.insert(name.to_string(), text.to_string());
        self
    }
    fn asked(&self) -> Vec<String> {
        self.asked.lock().expect("not poisoned").clone()
    }
}

impl PolicyFiles for Files {
    fn read(&self, path: &Path) -> Result<String, String> {
        self.local.get(path).cloned().ok_or_else(|| "no such file".into())
    }
    fn describe(&self, path: &Path) -> String {
        path.display().to_string()
    }
    fn read_remote(&self, file: &RemoteFile) -> Result<String, String> {
        self.asked.lock().expect("not poisoned").push(file.to_string());
        self.remote.get(&file.to_string()).cloned().ok_or_else(|| "404 Not Found".into())
    }
}

fn top(extends: &str) -> String {
    format!("extends: {extends}\nteams:\n  \"@acme/repo\": [ann]\n")
}

fn pinned() -> String {
    top(&format!("{{ from: \"acme/.github:flowgate/base.yml@main\", commit: {PIN} }}"))
}

#[test]
fn a_pinned_remote_is_read_at_its_commit_and_its_relative_extends_stays_in_its_repository() {
    let files = Files::default()
        .local(".github/flowgate.yml", &pinned())
        .remote(
            &format!("acme/.github@{PIN}:flowgate/base.yml"),
            "extends: ../shared/org.yml\ntiers:\n  red: { paths: [\"db/**\"] }\n",
        )
        .remote(&format!("acme/.github@{PIN}:shared/org.yml"), "extends: default\nteams:\n  \"@acme/org\": [cy]\n");
    let policy = load_from(&files, Path::new(".github/flowgate.yml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        files.asked(),
        [format!("acme/.github@{PIN}:flowgate/base.yml"), format!("acme/.github@{PIN}:shared/org.yml")],
        "each remote file once, at the pinned commit"
    );
    assert_eq!(
        policy.origin,
        [
            ".github/flowgate.yml".to_string(),
            format!("acme/.github@{PIN}:flowgate/base.yml"),
            format!("acme/.github@{PIN}:shared/org.yml"),
            "policies/default.yml (bundled)".to_string(),
        ]
    );
    assert_eq!(policy.paths, [".github/flowgate.yml"], "only this repository's files make a PR edit the policy");
    assert!(policy.tiers.owners.iter().any(|(_, glob)| glob == "db/**"), "the remote's red paths apply");
    let teams: Vec<&str> = policy.teams.keys().map(String::as_str).collect();
    assert_eq!(teams, ["@acme/org", "@acme/repo"]);
}

#[test]
fn an_unpinned_remote_is_read_at_its_ref_and_validate_warns() {
    let files = Files::default()
        .local(".github/flowgate.yml", &format!("version: 1\n{}", top("acme/.github:flowgate/base.yml@main")))
        .remote("acme/.github@main:flowgate/base.yml", "extends: default\n");
    let (_, warnings) = load_with_warnings(&files, Path::new(".github/flowgate.yml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(files.asked(), ["acme/.github@main:flowgate/base.yml"]);
    let warnings: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [".github/flowgate.yml:2: `extends: acme/.github:flowgate/base.yml@main` is not pinned: it reads whatever \
          main is now, unreviewed here; run `flowgate policy update` to pin it to a commit"]
    );
}

#[test]
fn a_remote_that_cannot_be_read_fails_the_policy_naming_it() {
    let files = Files::default().local(".github/flowgate.yml", &pinned());
    let e = load_from(&files, Path::new(".github/flowgate.yml")).expect_err("fails closed");
    assert_eq!(
        e.to_string(),
        format!(
            ".github/flowgate.yml: `extends: acme/.github:flowgate/base.yml@main`: cannot read \
             acme/.github@{PIN}:flowgate/base.yml: 404 Not Found"
        )
    );
}

#[test]
fn remotes_that_extend_each_other_in_a_circle_are_refused_with_the_chain() {
    let a = format!("acme/.github@{PIN}:flowgate/base.yml");
    let files = Files::default()
        .local(".github/flowgate.yml", &pinned())
        .remote(&a, &format!("extends: {{ from: \"other/policies:b.yml@main\", commit: {PIN} }}\n"))
        .remote(&format!("other/policies@{PIN}:b.yml"), &pinned());
    let e = load_from(&files, Path::new(".github/flowgate.yml")).expect_err("a circle");
    assert_eq!(
        e.to_string(),
        format!(
            ".github/flowgate.yml: `extends:` goes round in a circle or deeper than 8 files: .github/flowgate.yml -> \
             {a} -> other/policies@{PIN}:b.yml -> {a}"
        )
    );
}

#[test]
fn a_remote_cannot_lead_out_of_its_repository_and_a_pack_cannot_extend_a_remote() {
    let files = Files::default()
        .local(".github/flowgate.yml", &pinned())
        .remote(&format!("acme/.github@{PIN}:flowgate/base.yml"), "extends: ../../etc/x.yml\n");
    let e = load_from(&files, Path::new(".github/flowgate.yml")).expect_err("out of the repository");
    assert!(
        matches!(&e, LoadError::Extends { file, message }
            if file == &format!("acme/.github@{PIN}:flowgate/base.yml") && message.contains("leads to no file of acme/.github")),
        "{e}"
    );
    let bad = Files::default().local(".github/flowgate.yml", &top("acme/.github:../x.yml@main"));
    let e = load_from(&bad, Path::new(".github/flowgate.yml")).expect_err("a bad remote");
    assert!(e.to_string().starts_with(".github/flowgate.yml:1:"), "at its line: {e}");
    assert!(e.to_string().contains("`extends`: \"acme/.github:../x.yml@main\" is not a remote policy"), "{e}");
}
