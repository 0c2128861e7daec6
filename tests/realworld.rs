//! The real-world corpus (`tests/realworld/`): cases made from real public PRs and commits, each
//! with its source and licence, run under the policy of its group. Every case must give the
//! verdict its `expect.yml` states; see tests/realworld/README.md.

use std::path::{Path, PathBuf};

use flowgate::gate::cases;
use flowgate::policy::load;

fn groups() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realworld");
    let mut groups: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/realworld exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("flowgate.yml").is_file())
        .collect();
    groups.sort();
    groups
}

#[test]
fn every_real_world_case_gets_the_verdict_a_maintainer_expects() {
    let (mut total, mut failures) = (0, Vec::new());
    for group in groups() {
        let name = group.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let policy = load::load_file(&group.join("flowgate.yml")).unwrap_or_else(|e| panic!("{name}: {e}"));
        let results = cases::run(&group, &policy).unwrap_or_else(|e| panic!("{name}: {e}"));
        for r in results {
            total += 1;
            let source = r.source.as_deref().unwrap_or("");
            assert!(
                source.starts_with("https://github.com/"),
                "{name}/{}: `source:` must be the real PR or commit",
                r.name
            );
            assert!(r.license.as_deref().is_some_and(|l| !l.is_empty()), "{name}/{}: `license:` is required", r.name);
            for (what, expected, got) in &r.mismatches {
                failures.push(format!("{name}/{}: {what}: expected {expected}, got {got}  [{source}]", r.name));
            }
        }
    }
    assert!(total >= 40, "the corpus holds {total} cases; it should hold at least 40");
    assert!(failures.is_empty(), "{} of {total} expectations failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_group_names_its_licence() {
    for group in groups() {
        let has_licence = std::fs::read_dir(&group)
            .expect("group directory")
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with("LICENSE"));
        let is_mixed = group.ends_with("agents");
        assert!(has_licence || is_mixed, "{}: add LICENSE.<project>", group.display());
    }
}
