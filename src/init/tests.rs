//! `init::plan` over made-up repositories: what each file becomes with and without existing
//! files and `--force`, and that the policy it writes loads.

use std::path::Path;

use super::*;
use crate::policy::load::load_text;

fn repo(files: &[&str], messages: &[&str], existing: &[(&str, &str)]) -> Repository {
    Repository {
        files: files.iter().map(|s| s.to_string()).collect(),
        messages: messages.iter().map(|s| s.to_string()).collect(),
        branches: vec!["main".into()],
        existing: existing.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect(),
    }
}

fn options(force: bool) -> Options {
    Options { pack: "default".into(), force, action: None }
}

fn change<'a>(plan: &'a Plan, path: &str) -> &'a Change {
    &plan.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} in {:?}", plan.files)).change
}

#[test]
fn an_empty_repository_gets_all_three_files_and_a_policy_that_loads() {
    let plan = plan(&repo(&["src/main.rs"], &[], &[]), &options(false)).expect("plans");
    for path in [POLICY_PATH, WORKFLOW_PATH, TEMPLATE_PATH] {
        assert!(matches!(change(&plan, path), Change::Create(_)), "{path}: {:?}", change(&plan, path));
    }
    let policy = load_text(&plan.policy_text, Path::new(POLICY_PATH)).expect("loads");
    assert_eq!(policy.tiers.default, crate::policy::Tier::Yellow, "the pack's tiers come through extends");
    assert!(plan.found.iter().any(|l| l.contains("no auth, payments")), "{:?}", plan.found);
    assert!(plan.found.iter().any(|l| l.contains("tracker keys: none recur")), "{:?}", plan.found);
}

#[test]
fn found_red_directories_and_recurring_keys_shape_the_policy() {
    let r = repo(
        &["src/auth/login.rs", "deploy/k8s/app.yaml", "src/cart.rs"],
        &["ABC-1 login", "ABC-2 logout", "UTF-8 names", "CVE-2024-1 patched"],
        &[],
    );
    let plan = plan(&r, &options(false)).expect("plans");
    let policy = load_text(&plan.policy_text, Path::new(POLICY_PATH)).expect("loads");
    let red: Vec<&str> = policy.tiers.owners.iter().filter(|(t, _)| *t == Tier::Red).map(|(_, g)| g.as_str()).collect();
    assert!(red.contains(&"**/auth/**") && red.contains(&"deploy/k8s/**"), "{red:?}");
    assert_eq!(policy.linkage.trackers.jira, Some(vec!["ABC".to_string()]));
    assert!(plan.policy_text.contains("\"**/auth/**\" # found here: src/auth/"), "{}", plan.policy_text);
    let keys = plan.found.iter().find(|l| l.starts_with("tracker keys: ABC")).expect("ABC reported");
    assert!(keys.contains("in 2 commit messages and 0 branch names (ABC-1, ABC-2)"), "{keys}");
    assert!(!plan.found.iter().any(|l| l.contains("UTF") || l.contains("CVE")), "{:?}", plan.found);
}

#[test]
fn existing_files_are_kept_unless_forced() {
    let r = repo(&[], &[], &[(POLICY_PATH, "version: 1\nextends: strict\n"), (WORKFLOW_PATH, "name: mine\n")]);
    let kept = plan(&r, &options(false)).expect("plans");
    assert!(matches!(change(&kept, POLICY_PATH), Change::Keep(why) if why.contains("--force")));
    assert!(matches!(change(&kept, WORKFLOW_PATH), Change::Keep(_)));
    assert_eq!(kept.policy_text, "version: 1\nextends: strict\n", "the gate uses the policy that stays");
    let forced = plan(&r, &options(true)).expect("plans");
    assert!(matches!(change(&forced, POLICY_PATH), Change::Overwrite(_)));
    assert!(matches!(change(&forced, WORKFLOW_PATH), Change::Overwrite(t) if t.contains("pull_request_target")));
}

#[test]
fn a_template_gets_the_section_once_and_force_rewrites_only_that_section() {
    let mine = "## What\n\nDescribe the change.";
    let r = repo(&[], &[], &[(".github/PULL_REQUEST_TEMPLATE.md", mine)]);
    let first = plan(&r, &options(false)).expect("plans");
    let file = first.files.iter().find(|f| f.purpose.starts_with("the pull request template")).expect("template");
    assert_eq!(file.path, ".github/PULL_REQUEST_TEMPLATE.md", "the template GitHub already uses");
    let Change::Append(added) = &file.change else { panic!("{:?}", file.change) };
    assert!(added.starts_with("\n\n<!-- flowgate:"), "{added:?}");

    let appended = format!("{mine}{added}\nMore of mine.\n");
    let again = repo(&[], &[], &[(".github/PULL_REQUEST_TEMPLATE.md", &appended)]);
    let second = plan(&again, &options(false)).expect("plans");
    assert!(matches!(change(&second, ".github/PULL_REQUEST_TEMPLATE.md"), Change::Keep(_)), "never twice");
    let forced = plan(&again, &options(true)).expect("plans");
    match change(&forced, ".github/PULL_REQUEST_TEMPLATE.md") {
        Change::Keep(_) => {}
        other => panic!("an unchanged section is not rewritten: {other:?}"),
    }
    let edited = appended.replace("- [ ] No AI was used", "- [ ] none");
    let forced =
        plan(&repo(&[], &[], &[(".github/PULL_REQUEST_TEMPLATE.md", &edited)]), &options(true)).expect("plans");
    let Change::Overwrite(text) = change(&forced, ".github/PULL_REQUEST_TEMPLATE.md") else { panic!() };
    assert!(text.starts_with(mine) && text.ends_with("More of mine.\n") && text.contains("No AI was used"), "{text}");
    assert_eq!(text.matches("<!-- flowgate:").count(), 1);
}

#[test]
fn unknown_packs_and_unpinned_actions_are_refused_by_name() {
    let r = repo(&[], &[], &[]);
    let e = plan(&r, &Options { pack: "lenient".into(), force: false, action: None }).expect_err("refused");
    assert!(e.to_string().contains("lenient") && e.to_string().contains("default, strict"), "{e}");
    for bad in ["flowgate/flowgate@v0.1.0", "flowgate@0123456789012345678901234567890123456789", "a/b/c@x"] {
        let e = plan(&r, &Options { action: Some(bad.into()), ..options(false) }).expect_err("refused");
        assert!(e.to_string().contains("--action"), "{e}");
    }
    let pinned = "acme/flowgate@0123456789abcdef0123456789abcdef01234567";
    let plan = plan(&r, &Options { action: Some(pinned.into()), ..options(false) }).expect("plans");
    assert!(matches!(change(&plan, WORKFLOW_PATH), Change::Create(t) if t.contains(&format!("- uses: {pinned}\n"))));
    assert!(!plan.action_placeholder);
}

#[test]
fn the_strict_pack_is_written_as_strict() {
    let plan = plan(&repo(&["src/billing/x.rs"], &[], &[]), &Options { pack: "strict".into(), ..options(false) })
        .expect("plans");
    assert!(plan.policy_text.contains("extends: strict"));
    let policy = load_text(&plan.policy_text, Path::new(POLICY_PATH)).expect("loads");
    assert_eq!(policy.limits.max_files, Some(400), "the strict pack's limits");
}

#[test]
fn without_recurring_keys_only_github_issues_count() {
    let plan = plan(&repo(&["src/main.rs"], &["Support GPT-5 and PKCS-11"], &[]), &options(false)).expect("plans");
    let policy = load_text(&plan.policy_text, Path::new(POLICY_PATH)).expect("loads");
    assert_eq!(policy.linkage.trackers.jira, None, "no open Jira: GPT-5 would be a story key");
    assert!(policy.linkage.trackers.github);
    let keys = crate::policy::linkage::keys::extract(
        "Support GPT-5 and PKCS-11",
        crate::policy::linkage::keys::Source::Title,
        &policy.linkage.trackers,
        None,
    );
    assert!(keys.is_empty(), "{keys:?}");
    assert!(plan.found.iter().any(|l| l.starts_with("trackers: only GitHub issues (#12) count")), "{:?}", plan.found);
    assert!(plan.policy_text.contains("jira: { projects: [ABC, PAY] }"), "the comment says how to add Jira");
}
