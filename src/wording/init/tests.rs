//! The words of what `flowgate init` found and writes, over made-up findings; and that the files
//! it writes do what they say: the template's boxes declare AI use, the workflow is the one
//! docs/action.md explains.

use super::*;
use crate::analysis::lang::Lang;
use crate::policy::ai::markers::{Declared, body_declaration};

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Red paths with a pack glob covering one and four directories, two added directories and
/// names found once and three times.
fn found_red<'a>(one: &'a [String], three: &'a [String]) -> Red<'a> {
    let dir = |dir, why| RedDir { dir, why };
    Red {
        pack: vec![
            ("**/auth/**", vec![dir("src/auth", Reason::Authentication)]),
            (
                "**/migrations/**",
                vec![
                    dir("db/migrations", Reason::DatabaseMigrations),
                    dir("api/migrations", Reason::DatabaseMigrations),
                    dir("jobs/migrations", Reason::DatabaseMigrations),
                    dir("old/migrations", Reason::DatabaseMigrations),
                ],
            ),
            ("**/*.tf", vec![]),
        ],
        added: vec![dir("deploy/shop", Reason::HelmChart), dir("ops/network", Reason::Terraform)],
        names: vec![
            RedName { glob: "**/AGENTS.md", paths: one, why: Reason::AgentInstructions },
            RedName { glob: "**/auth.go", paths: three, why: Reason::AuthenticationByName },
        ],
    }
}

fn nothing_red() -> Red<'static> {
    Red { pack: vec![("**/auth/**", vec![]), ("**/*.tf", vec![])], added: vec![], names: vec![] }
}

fn prefix<'a>(
    prefix: &'a str,
    tracker: Tracker,
    in_commits: usize,
    in_branches: usize,
    keys: &'a [String],
) -> KeyPrefix<'a> {
    KeyPrefix { prefix, tracker, in_commits, in_branches, keys }
}

/// ABC (Jira, four keys), PAY (Jira, one commit), ENG (Linear, one branch), a one-off XYZ-9, and
/// Shortcut and Azure Boards references that recur.
fn busy_history<'a>(abc: &'a [String], pay: &'a [String], eng: &'a [String], xyz: &'a [String]) -> History<'a> {
    History {
        messages: 200,
        branches: 12,
        recurring: vec![
            prefix("ABC", Tracker::Jira, 3, 2, abc),
            prefix("PAY", Tracker::Jira, 1, 1, pay),
            prefix("ENG", Tracker::Linear, 0, 1, eng),
        ],
        once: vec![xyz],
        shortcut: 3,
        shortcut_recurs: true,
        azure: 2,
        azure_recurs: true,
    }
}

/// A history where nothing recurs: one Shortcut reference, no key.
fn quiet_history() -> History<'static> {
    History {
        messages: 4,
        branches: 1,
        recurring: vec![],
        once: vec![],
        shortcut: 1,
        shortcut_recurs: false,
        azure: 0,
        azure_recurs: false,
    }
}

#[test]
fn every_reason_a_path_is_red() {
    let all = [
        Reason::Authentication,
        Reason::Authorisation,
        Reason::SecurityCode,
        Reason::Cryptography,
        Reason::Payments,
        Reason::Billing,
        Reason::DatabaseMigrations,
        Reason::Terraform,
        Reason::Helm,
        Reason::HelmCharts,
        Reason::HelmChart,
        Reason::Kubernetes,
        Reason::Infrastructure,
        Reason::CiWorkflows,
        Reason::ClaudeCode,
        Reason::Cursor,
        Reason::ContainerBuilds,
        Reason::AgentInstructions,
        Reason::ContainerBuild,
        Reason::FirewallRules,
        Reason::CsrfByName,
        Reason::JwtByName,
        Reason::SingleSignOnByName,
        Reason::AuthenticationByName,
        Reason::SessionsByName,
        Reason::TokensByName,
    ];
    insta::assert_snapshot!(all.map(reason).join("\n"), @r"
        authentication
        authorisation
        security code
        cryptography
        payments
        billing
        database migrations
        infrastructure code (Terraform)
        infrastructure code (Helm)
        infrastructure code (Helm charts)
        infrastructure code (a Helm chart)
        infrastructure code (Kubernetes)
        infrastructure code
        CI workflows
        AI agent instructions and settings (Claude Code)
        AI agent instructions (Cursor)
        container builds
        AI agent instructions
        a container build
        firewall rules
        CSRF protection, by its name
        JSON web tokens, by its name
        single sign-on, by its name
        authentication, by its name
        sessions, by its name
        tokens, by its name
        ");
}

#[test]
fn the_found_line_about_red_paths() {
    let (one, three) = (strings(&["AGENTS.md"]), strings(&["a/auth.go", "b/auth.go", "c/auth.go"]));
    insta::assert_snapshot!(red_paths(&found_red(&one, &three)), @"red paths: src/auth/ (authentication, covered by the pack's **/auth/**); db/migrations/ (database migrations, covered by the pack's **/migrations/**); api/migrations/ (database migrations, covered by the pack's **/migrations/**); jobs/migrations/ (database migrations, covered by the pack's **/migrations/**); old/migrations/ (database migrations, covered by the pack's **/migrations/**); deploy/shop/ (infrastructure code (a Helm chart), added as deploy/shop/**); ops/network/ (infrastructure code (Terraform), added as ops/network/**); AGENTS.md (AI agent instructions, added as **/AGENTS.md); a/auth.go and 2 more (authentication, by its name, added as **/auth.go)");
    insta::assert_snapshot!(red_paths(&nothing_red()), @"red paths: no auth, payments, migrations, CI, infrastructure, container or agent files found; the pack's globs apply");
}

#[test]
fn the_found_lines_about_trackers() {
    let abc = strings(&["ABC-1", "ABC-2", "ABC-7", "ABC-9"]);
    let (pay, eng, xyz) = (strings(&["PAY-3"]), strings(&["ENG-42"]), strings(&["XYZ-9"]));
    insta::assert_snapshot!(history(&busy_history(&abc, &pay, &eng, &xyz)).join("\n"), @r"
        tracker keys: ABC (jira) in 3 commit messages and 2 branch names (ABC-1, ABC-2, ABC-7, …), from the last 200 commit messages and 12 branch names
        tracker keys: PAY (jira) in 1 commit message and 1 branch name (PAY-3), from the last 200 commit messages and 12 branch names
        tracker keys: ENG (linear) in 0 commit messages and 1 branch name (ENG-42), from the last 200 commit messages and 12 branch names
        seen only once, so not used: XYZ-9
        trackers: Jira (ABC, PAY), Linear (ENG), Shortcut, Azure Boards and GitHub issues (#12) count; keys of other projects do not
        Shortcut references (sc-123) in 3 messages or branches
        Azure Boards references (AB#123) in 2 messages
        ");
    insta::assert_snapshot!(history(&quiet_history()).join("\n"), @r"
        tracker keys: none recur in the last 4 commit messages and 1 branch names
        trackers: only GitHub issues (#12) count, since no Jira, Linear, Shortcut or Azure Boards keys recur in the history; add yours under linkage.trackers, e.g. jira: { projects: [ABC] }
        Shortcut references (sc-123) in 1 messages or branches
        ");
}

#[test]
fn the_policy_says_what_was_found_and_why() {
    let (one, three) = (strings(&["AGENTS.md"]), strings(&["a/auth.go", "b/auth.go", "c/auth.go"]));
    let abc = strings(&["ABC-1", "ABC-2", "ABC-7", "ABC-9"]);
    let (pay, eng, xyz) = (strings(&["PAY-3"]), strings(&["ENG-42"]), strings(&["XYZ-9"]));
    let langs = [(Lang::Rust, 12), (Lang::Go, 3)];
    let detectors = ["unsafe", "shell-exec", "eval", "deserialize-untrusted"];
    let text = policy("strict", &found_red(&one, &three), &langs, &detectors, &busy_history(&abc, &pay, &eng, &xyz));
    insta::assert_snapshot!(text, @r#"
        # flowgate policy, written by `flowgate init`. Reference: docs/policy.md in flowgate.
        # It starts from the bundled `strict` pack and writes out what differs for this repository.
        # Check a change with `flowgate policy validate`; flowgate reads this file from the base branch.
        version: 1
        extends: strict

        tiers:
          red:
            # The pack's red paths, then the directories and files flowgate init found in this repository.
            # A list here replaces the pack's, so all of it is written out.
            paths:
              - "**/auth/**" # found here: src/auth/
              - "**/migrations/**" # found here: db/migrations/, api/migrations/, jobs/migrations/, and 1 more
              - "**/*.tf"
              - "deploy/shop/**" # found here: infrastructure code (a Helm chart)
              - "ops/network/**" # found here: infrastructure code (Terraform)
              - "**/AGENTS.md" # AI agent instructions: AGENTS.md
              - "**/auth.go" # authentication, by its name: a/auth.go, b/auth.go and 1 more
            # flowgate reads the rust, go code here: a change that adds one of these is red wherever it is,
            code: [unsafe, shell-exec, eval, deserialize-untrusted]
            # and a change to a red file that only touches comments or layout is green.
            relax: [comments, formatting]
          yellow:
            relax: [comments, formatting]

        linkage:
          trackers:
            # Seen in the last 200 commits and the branch names: ABC 5x, PAY 2x.
            jira: { projects: [ABC, PAY] }
            # Linear-style branch names (team-123 in lowercase): ENG 1x.
            linear: { teams: [ENG] }
            shortcut: {} # sc-123 references in 3 messages or branches
            azure: {} # AB#123 references in 2 messages
            github: {}
        "#);
}

#[test]
fn the_policy_of_a_repository_with_nothing_found() {
    insta::assert_snapshot!(policy("default", &nothing_red(), &[], &[], &quiet_history()), @r#"
        # flowgate policy, written by `flowgate init`. Reference: docs/policy.md in flowgate.
        # It starts from the bundled `default` pack and writes out what differs for this repository.
        # Check a change with `flowgate policy validate`; flowgate reads this file from the base branch.
        version: 1
        extends: default

        tiers:
          red:
            # The pack's red paths, then the directories and files flowgate init found in this repository.
            # A list here replaces the pack's, so all of it is written out.
            paths:
              - "**/auth/**"
              - "**/*.tf"

        linkage:
          trackers:
            # No Jira keys recur in the recent history, so Jira is not listed. To use it, list
            # your projects: jira: { projects: [ABC, PAY] }
            github: {}
        "#);
}

#[test]
fn the_workflow_and_the_template_section() {
    insta::assert_snapshot!(workflow(ACTION_PLACEHOLDER), @r#"
        # flowgate: gates every pull request (docs/action.md in flowgate). It reads the pull request
        # over the API and never checks out or runs its code, which is what makes pull_request_target safe.
        name: flowgate

        on:
          pull_request_target: # zizmor: ignore[dangerous-triggers] flowgate runs no pull request code
            types: [opened, edited, synchronize, reopened, labeled, unlabeled, ready_for_review]
          pull_request_review:
            types: [submitted, dismissed]
          # A merge queue waits for a required check on each merge group: flowgate verifies the group.
          merge_group:
            types: [checks_requested]

        permissions: {}

        concurrency:
          group: flowgate-${{ github.event_name == 'merge_group' && github.event.merge_group.head_sha || github.event.pull_request.number }}
          cancel-in-progress: true

        jobs:
          gate:
            name: gate
            # Skip the runs set off by flowgate's own tier labels.
            if: ${{ !contains(fromJSON('["flowgate:green", "flowgate:yellow", "flowgate:red"]'), github.event.label.name) }}
            runs-on: ubuntu-latest
            permissions:
              contents: read # read the policy on the base branch
              pull-requests: write # read the pull request and its reviews; set the tier and AI tool labels
              checks: write # post the `flowgate` check run
              issues: write # labels (creating the AI tool labels too) and label events are served by the issues API
            steps:
              - uses: flowgate/flowgate@<full-commit-sha> # v0.1.0
        "#);
    insta::assert_snapshot!(template_section(Some("ABC")), @r"
        <!-- flowgate: the story and AI-use lines below are read by the flowgate check -->
        ## Story

        Story: <!-- the work item's key, such as ABC- and its number; the title or branch name may carry it instead -->

        ## AI use

        Tick one (or add the label ai:none, ai:assisted or ai:generated):

        - [ ] No AI was used
        - [ ] AI-assisted (an AI tool wrote or changed some of this code)
        - [ ] AI-generated (an AI tool wrote most of this code)
        <!-- /flowgate -->
        ");
    insta::assert_snapshot!(template_section(None).lines().nth(3).unwrap_or_default(), @"Story: <!-- the work item's key (a Jira or Linear key, sc- and a number, or #issue); the title or branch name may carry it instead -->");
}

#[test]
fn each_ticked_box_of_the_template_declares_what_it_says_and_an_untouched_one_nothing() {
    let section = template_section(Some("ABC"));
    assert_eq!(body_declaration(&section), None, "nothing ticked, nothing declared");
    let tick = |line: &str| section.replace(&format!("- [ ] {line}"), &format!("- [x] {line}"));
    assert_eq!(body_declaration(&tick("No AI was used")), Some(Declared::None));
    assert_eq!(body_declaration(&tick("AI-assisted")), Some(Declared::Assisted));
    assert_eq!(body_declaration(&tick("AI-generated")), Some(Declared::Generated));
}

#[test]
fn the_untouched_template_links_no_story() {
    let any = crate::policy::TrackerSet {
        jira: Some(Vec::new()),
        linear: Some(Vec::new()),
        shortcut: true,
        azure: true,
        github: true,
    };
    for prefix in [Some("ABC"), None] {
        let found = crate::policy::linkage::keys::extract(
            &template_section(prefix),
            crate::policy::linkage::keys::Source::Body,
            &any,
            Some("o/r"),
        );
        assert!(found.is_empty(), "{found:?}");
    }
}

#[test]
fn the_workflow_is_the_one_docs_action_md_explains() {
    let docs = include_str!("../../../docs/action.md");
    let section = docs.split("## The workflow to copy").nth(1).expect("the section");
    let block = section.split("```yaml\n").nth(1).and_then(|b| b.split("```").next()).expect("the block");
    let written = workflow("OWNER/flowgate@<full-commit-sha> # v0.1.0");
    assert!(written.ends_with(block), "docs/action.md and `flowgate init` disagree:\n{written}\n---\n{block}");
}

#[test]
fn the_workflow_has_no_checkout_and_least_privilege() {
    let text = workflow(ACTION_PLACEHOLDER);
    assert!(!text.contains("actions/checkout"));
    assert!(text.contains("permissions: {}\n"));
    // One run per PR, and one per merge group: keyed on the PR alone, every merge group (which has
    // no pull_request) would share one key and cancel the others.
    assert!(text.contains(
        "group: flowgate-${{ github.event_name == 'merge_group' && github.event.merge_group.head_sha || github.event.pull_request.number }}"
    ));
    assert!(text.contains("  merge_group:\n    types: [checks_requested]\n"));
    assert!(text.contains("      - uses: flowgate/flowgate@<full-commit-sha> # v0.1.0\n"));
    let run_lines = text.lines().filter(|l| l.trim_start().starts_with("run:")).count();
    assert_eq!(run_lines, 0, "no run: line, so nothing from the PR can reach a shell");
}

#[test]
fn the_policy_init_writes_loads_with_what_it_found() {
    let (one, three) = (strings(&["AGENTS.md"]), strings(&["a/auth.go", "b/auth.go", "c/auth.go"]));
    let abc = strings(&["ABC-1", "ABC-2", "ABC-7", "ABC-9"]);
    let (pay, eng, xyz) = (strings(&["PAY-3"]), strings(&["ENG-42"]), strings(&["XYZ-9"]));
    let langs = [(Lang::Rust, 12)];
    let text = policy("default", &found_red(&one, &three), &langs, &["unsafe"], &busy_history(&abc, &pay, &eng, &xyz));
    let loaded = crate::policy::load::load_text(&text, std::path::Path::new(".github/flowgate.yml")).expect("loads");
    assert_eq!(loaded.linkage.trackers.jira, Some(vec!["ABC".to_string(), "PAY".to_string()]));
}
