//! The judgement on made-up facts: required or not, where from, merge queues with ready,
//! stalling and unknown checks, the App's permissions and events, and what could not be read.

use super::*;

fn check(context: &str, source: Source) -> RequiredCheck {
    RequiredCheck { context: context.into(), app_id: None, source }
}

fn ruleset(id: u64) -> Source {
    Source::Ruleset { id, name: Some(format!("ruleset {id}")) }
}

fn branch(protection: Option<Vec<RequiredCheck>>, rules: BranchRules) -> BranchFacts {
    BranchFacts { name: "main".into(), protection: Ok(protection), rules: Ok(rules), workflows: None }
}

fn needs() -> Needs {
    Needs {
        permissions: vec![("checks".into(), Access::Write), ("merge_queues".into(), Access::Read)],
        events: vec!["pull_request".into(), "merge_group".into()],
    }
}

fn facts(branches: Vec<BranchFacts>, app: AppFacts) -> Facts {
    Facts { branches, app, needs: needs() }
}

fn installation(permissions: &[(&str, &str)], events: &[&str]) -> AppFacts {
    AppFacts::Read(Installation {
        app_id: Some(42),
        permissions: permissions.iter().map(|(p, a)| (p.to_string(), a.to_string())).collect(),
        events: events.iter().map(|e| e.to_string()).collect(),
    })
}

fn full_installation() -> AppFacts {
    installation(
        &[("checks", "write"), ("merge_queues", "read"), ("metadata", "read")],
        &["pull_request", "merge_group"],
    )
}

fn kinds(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| serde_json::to_value(f).unwrap()["kind"].as_str().unwrap().to_string()).collect()
}

#[test]
fn flowgate_required_by_protection_and_a_ruleset_without_a_queue_is_ready() {
    let rules =
        BranchRules { checks: vec![check("flowgate", ruleset(7)), check("test", ruleset(7))], merge_queue: None };
    let found = judge(&facts(
        vec![branch(Some(vec![check("flowgate", Source::BranchProtection)]), rules)],
        full_installation(),
    ));
    assert_eq!(kinds(&found), ["required", "no_merge_queue", "app_ready"]);
    assert_eq!(
        found[0],
        Finding::Required {
            branch: "main".into(),
            sources: vec![Source::BranchProtection, ruleset(7)],
            app_ids: vec![]
        },
        "one finding for flowgate, naming both sources"
    );
    assert_eq!(outcome(&found), Outcome::Ready);
}

#[test]
fn flowgate_not_required_is_not_ready_and_names_what_is() {
    let found = judge(&facts(
        vec![branch(Some(vec![check("test", Source::BranchProtection)]), BranchRules::default())],
        full_installation(),
    ));
    assert_eq!(found[0], Finding::NotRequired { branch: "main".into(), others: vec!["test".into()] });
    assert_eq!(outcome(&found), Outcome::NotReady);

    let unprotected = judge(&facts(vec![branch(None, BranchRules::default())], full_installation()));
    assert_eq!(unprotected[0], Finding::NotRequired { branch: "main".into(), others: vec![] });
}

#[test]
fn flowgate_pinned_to_another_app_is_not_ready_when_the_app_is_known() {
    let pinned = RequiredCheck { context: "flowgate".into(), app_id: Some(15368), source: Source::BranchProtection };
    let found = judge(&facts(vec![branch(Some(vec![pinned.clone()]), BranchRules::default())], full_installation()));
    assert!(found.contains(&Finding::PinnedElsewhere { branch: "main".into(), app_id: 15368, ours: 42 }), "{found:#?}");
    assert_eq!(outcome(&found), Outcome::NotReady);

    // Without the App's credentials its id is unknown: the pin is reported, not judged.
    let found = judge(&facts(vec![branch(Some(vec![pinned]), BranchRules::default())], AppFacts::NotChecked));
    assert_eq!(kinds(&found), ["required", "no_merge_queue", "app_not_checked"]);
    assert_eq!(outcome(&found), Outcome::Ready);
}

fn workflow(path: &str, text: &str) -> Workflow {
    workflow::read(path, text).unwrap()
}

#[test]
fn a_merge_queue_with_a_check_from_a_workflow_without_merge_group_is_not_ready() {
    let rules = BranchRules {
        checks: vec![check("flowgate", ruleset(1)), check("test", ruleset(1)), check("lint", ruleset(1))],
        merge_queue: Some(ruleset(1)),
    };
    let mut main = branch(None, rules);
    assert!(main.wants_workflows());
    main.workflows = Some(Ok(Workflows {
        unreadable: vec![],
        read: vec![
            workflow(".github/workflows/ci.yml", "on: [pull_request, push]\njobs:\n  test: {}\n"),
            workflow(".github/workflows/lint.yml", "on: [pull_request, merge_group]\njobs:\n  lint: {}\n"),
        ],
    }));
    let found = judge(&facts(vec![main], full_installation()));
    assert_eq!(kinds(&found), ["required", "merge_queue", "queue_stalls", "queue_ready", "app_ready"]);
    assert_eq!(
        found[2],
        Finding::QueueStalls {
            branch: "main".into(),
            context: "test".into(),
            jobs: vec![JobRef {
                workflow: ".github/workflows/ci.yml".into(),
                job: "test".into(),
                triggers: vec!["pull_request".into(), "push".into()],
            }],
        }
    );
    assert_eq!(outcome(&found), Outcome::NotReady);
}

#[test]
fn a_check_no_workflow_posts_and_an_unreadable_workflow_are_notes_and_one_ready_workflow_is_enough() {
    let rules = BranchRules {
        checks: vec![check("flowgate", ruleset(1)), check("ci/circleci", ruleset(1)), check("test", ruleset(1))],
        merge_queue: Some(ruleset(1)),
    };
    let mut main = branch(None, rules);
    main.workflows = Some(Ok(Workflows {
        read: vec![
            workflow("a.yml", "on: push\njobs:\n  test: {}\n"),
            workflow("b.yml", "on: merge_group\njobs:\n  test: {}\n"),
        ],
        unreadable: vec![(".github/workflows/broken.yml".into(), "not YAML".into())],
    }));
    let found = judge(&facts(vec![main], full_installation()));
    assert_eq!(
        kinds(&found),
        ["required", "merge_queue", "workflow_unreadable", "queue_unknown", "queue_ready", "app_ready"]
    );
    assert_eq!(outcome(&found), Outcome::Ready, "a check flowgate cannot trace is said, not judged");
}

#[test]
fn the_flowgate_action_without_merge_group_stalls_the_queue() {
    let rules = BranchRules { checks: vec![check("flowgate", ruleset(1))], merge_queue: Some(ruleset(1)) };
    let mut main = branch(None, rules);
    main.workflows = Some(Ok(Workflows {
        unreadable: vec![],
        read: vec![workflow(
            ".github/workflows/flowgate.yml",
            "on: pull_request_target\njobs:\n  gate:\n    steps: [{ uses: acme/flowgate@v1 }]\n",
        )],
    }));
    let found = judge(&facts(vec![main], AppFacts::NotChecked));
    assert!(
        found.iter().any(
            |f| matches!(f, Finding::ActionStalls { workflow, .. } if workflow == ".github/workflows/flowgate.yml")
        )
    );
    assert_eq!(outcome(&found), Outcome::NotReady);
}

#[test]
fn a_missing_permission_or_event_is_named_and_an_unknown_level_is_not_enough() {
    let found = judge(&facts(
        vec![branch(Some(vec![check("flowgate", Source::BranchProtection)]), BranchRules::default())],
        installation(&[("checks", "read"), ("merge_queues", "someday")], &["pull_request"]),
    ));
    assert_eq!(
        found[2..],
        [
            Finding::AppPermissionMissing {
                permission: "checks".into(),
                needed: Access::Write,
                granted: Some("read".into())
            },
            Finding::AppPermissionMissing {
                permission: "merge_queues".into(),
                needed: Access::Read,
                granted: Some("someday".into())
            },
            Finding::AppEventMissing { event: "merge_group".into() },
        ]
    );
    assert_eq!(outcome(&found), Outcome::NotReady);
    let more =
        installation(&[("checks", "admin"), ("merge_queues", "write")], &["merge_group", "pull_request", "push"]);
    assert!(
        matches!(judge(&facts(vec![], more))[..], [Finding::AppReady { permissions: 2, events: 2 }]),
        "more is enough"
    );
}

#[test]
fn protection_that_cannot_be_read_is_cannot_tell_never_ready_nor_not_required() {
    let forbidden = Unreadable { status: 403, message: "Resource not accessible by integration".into() };
    let main = BranchFacts {
        name: "main".into(),
        protection: Err(forbidden.clone()),
        rules: Ok(BranchRules::default()),
        workflows: None,
    };
    let found = judge(&facts(vec![main], full_installation()));
    assert_eq!(
        found[0],
        Finding::Unreadable {
            branch: Some("main".into()),
            read: Read::Protection,
            status: 403,
            message: forbidden.message.clone()
        }
    );
    assert!(!kinds(&found).contains(&"not_required".to_string()), "{found:#?}");
    assert_eq!(outcome(&found), Outcome::CannotTell);

    // Required by a ruleset is still said; the unread protection still keeps it from "ready".
    let main = BranchFacts {
        name: "main".into(),
        protection: Err(forbidden),
        rules: Ok(BranchRules { checks: vec![check("flowgate", ruleset(3))], merge_queue: None }),
        workflows: None,
    };
    let found = judge(&facts(vec![main], full_installation()));
    assert_eq!(kinds(&found), ["unreadable", "required", "no_merge_queue", "app_ready"]);
    assert_eq!(outcome(&found), Outcome::CannotTell);
}

#[test]
fn unread_workflows_or_installation_are_cannot_tell() {
    let rules = BranchRules {
        checks: vec![check("flowgate", ruleset(1)), check("test", ruleset(1))],
        merge_queue: Some(ruleset(1)),
    };
    let mut main = branch(None, rules);
    main.workflows = Some(Err(Unreadable { status: 403, message: "Resource not accessible by integration".into() }));
    let found =
        judge(&facts(vec![main], AppFacts::Unreadable(Unreadable { status: 404, message: "Not Found".into() })));
    assert_eq!(kinds(&found), ["required", "merge_queue", "unreadable", "unreadable"]);
    assert_eq!(outcome(&found), Outcome::CannotTell);
}
