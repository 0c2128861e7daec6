//! `enforcement:`: enforced by default, `evaluate` for shadow mode, inherited through `extends:`
//! like any scalar, refused when misspelt; and what a policy that does not load says of it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::load::{LoadError, PolicyFiles, declared_enforcement, load_from, load_text};
use crate::model::Enforcement;

const BASE: &str = "version: 1\ntiers:\n  yellow: { default: true }\n";

fn load(text: &str) -> Result<super::Policy, LoadError> {
    load_text(text, Path::new("test.yml"))
}

#[test]
fn a_policy_enforces_unless_it_says_evaluate() {
    assert_eq!(load(BASE).expect("loads").enforcement, Enforcement::Enforce);
    assert_eq!(load("extends: default\n").expect("loads").enforcement, Enforcement::Enforce, "the packs enforce");
    let shadow = load(&format!("{BASE}enforcement: evaluate\n")).expect("loads");
    assert_eq!(shadow.enforcement, Enforcement::Evaluate);
    let explicit = load(&format!("{BASE}enforcement: enforce\n")).expect("loads");
    assert_eq!(explicit.enforcement, Enforcement::Enforce);
}

#[test]
fn a_misspelt_mode_is_refused_at_its_line_with_the_two_modes() {
    let err = load(&format!("{BASE}enforcement: shadow\n")).expect_err("not a mode");
    let text = err.to_string();
    assert!(text.contains("test.yml:4"), "{text}");
    assert!(text.contains("`enforce`") && text.contains("`evaluate`"), "{text}");
}

struct Files(BTreeMap<PathBuf, &'static str>);

impl PolicyFiles for Files {
    fn read(&self, path: &Path) -> Result<String, String> {
        self.0.get(path).map(|t| t.to_string()).ok_or_else(|| "no such file".into())
    }
    fn describe(&self, path: &Path) -> String {
        path.display().to_string()
    }
}

#[test]
fn an_organisations_shadow_mode_is_inherited_and_a_repository_can_enforce_early() {
    let files = Files(BTreeMap::from([
        (PathBuf::from("org/org.yml"), "extends: default\nenforcement: evaluate\n"),
        (PathBuf::from("repo/shadow.yml"), "extends: ../org/org.yml\n"),
        (PathBuf::from("repo/early.yml"), "extends: ../org/org.yml\nenforcement: enforce\n"),
    ]));
    let shadow = load_from(&files, Path::new("repo/shadow.yml")).expect("loads");
    assert_eq!(shadow.enforcement, Enforcement::Evaluate);
    let early = load_from(&files, Path::new("repo/early.yml")).expect("loads");
    assert_eq!(early.enforcement, Enforcement::Enforce);
}

#[test]
fn a_broken_policy_is_in_shadow_mode_only_when_it_says_so_itself() {
    // Well-formed YAML that the schema refuses: the mode is still read.
    let unknown_key = format!("{BASE}enforcement: evaluate\nlinkage: {{ requird: true }}\n");
    assert!(load(&unknown_key).is_err());
    assert_eq!(declared_enforcement(&unknown_key), Enforcement::Evaluate);
    assert_eq!(declared_enforcement("enforcement: evaluate\ntiers: [\n"), Enforcement::Enforce, "not YAML");
    assert_eq!(declared_enforcement("version: 1\nlinkage: { requird: true }\n"), Enforcement::Enforce);
    assert_eq!(declared_enforcement("enforcement: shadow\n"), Enforcement::Enforce, "not a mode");
    assert_eq!(declared_enforcement("- enforcement: evaluate\n"), Enforcement::Enforce, "not at the top");
    let aliases: String = (0..2000).map(|i| format!("b{i}: [*a, *a, *a]\n")).collect();
    let bomb = format!("enforcement: evaluate\na: &a [x, y]\n{aliases}");
    assert_eq!(declared_enforcement(&bomb), Enforcement::Enforce, "over the limits: never parsed");
}
