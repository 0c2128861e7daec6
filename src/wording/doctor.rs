//! What `flowgate doctor` says to a platform team: a headline with the answer, then one line per
//! finding that says what was found and, when something is to be done, what to do. Check names
//! are quoted, since they hold spaces and slashes.

use super::count;
use crate::doctor::{Finding, JobRef, Level, Outcome, Read, Source};

/// The word before a finding's line, as wide as the widest.
pub fn tag(level: Level) -> &'static str {
    match level {
        Level::Ok => "ok",
        Level::Note => "note",
        Level::Problem => "fix",
        Level::Unknown => "unknown",
    }
}

/// The first line: the repository and the answer, with what stands in its way.
pub fn headline(repo: &str, outcome: Outcome, branches: &[String], problems: usize, unknowns: usize) -> String {
    let to_fix = count(problems as u64, "thing to fix", "things to fix");
    match outcome {
        Outcome::Ready => {
            format!("{repo}: ready: flowgate can be the required check on {}", branches.join(", "))
        }
        Outcome::NotReady => format!("{repo}: not ready: {to_fix}"),
        Outcome::CannotTell if problems == 0 => {
            format!("{repo}: cannot tell: {} could not be read", count(unknowns as u64, "thing", "things"))
        }
        Outcome::CannotTell => format!(
            "{repo}: cannot tell: {} could not be read, and {to_fix}",
            count(unknowns as u64, "thing", "things")
        ),
    }
}

/// A permission as GitHub's settings name it: `merge_queues` is "Merge queues".
pub fn permission(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What a read needs, as GitHub's settings name it.
pub fn needed_for(read: Read) -> &'static str {
    match read {
        Read::Protection => "Administration: read",
        Read::Rules => "Metadata: read",
        Read::Workflows => "Contents: read",
        Read::Installation => "the App's own credentials",
    }
}

pub(crate) fn source(source: &Source) -> String {
    match source {
        Source::BranchProtection => "branch protection".into(),
        Source::Ruleset { name: Some(name), .. } => format!("ruleset \"{name}\""),
        Source::Ruleset { id, name: None } => format!("ruleset {id}"),
    }
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

fn jobs(jobs: &[JobRef], with_triggers: bool) -> String {
    let one = |j: &JobRef| match with_triggers {
        true => format!("job {} in {} (on: {})", j.job, j.workflow, j.triggers.join(", ")),
        false => format!("job {} in {}", j.job, j.workflow),
    };
    jobs.iter().map(one).collect::<Vec<_>>().join("; ")
}

fn answered(status: u16, message: &str) -> String {
    let also = match (status, message) {
        (404, "Not Found") => ", which GitHub also answers a token that may not see it",
        _ => "",
    };
    format!("GitHub answered {status} ({message}){also}")
}

/// What the App's installation lacks is fixed in two places: the App, then the installation.
const ACCEPT: &str = "give the App that permission (the App's settings, Permissions & events), then have an owner of the \
                      repository accept the change on the installation (Settings, GitHub Apps, Configure)";

/// One finding's line, without its tag.
pub fn line(finding: &Finding) -> String {
    match finding {
        Finding::Required { branch, sources, app_ids } => {
            let from = match app_ids.as_slice() {
                [] => String::new(),
                ids => format!(" from App {}", ids.iter().map(u64::to_string).collect::<Vec<_>>().join(" or ")),
            };
            let by = sources.iter().map(source).collect::<Vec<_>>().join(", ");
            format!("{branch}: flowgate is a required check{from} ({by})")
        }
        Finding::NotRequired { branch, others } if others.is_empty() => format!(
            "{branch}: flowgate is not a required check, so a pull request can merge while it fails: require the \
             status check \"flowgate\" on {branch} in a ruleset or in its branch protection"
        ),
        Finding::NotRequired { branch, others } => format!(
            "{branch}: flowgate is not among the required checks ({}), so a pull request can merge while it \
             fails: add the status check \"flowgate\" to them",
            quoted(others)
        ),
        Finding::PinnedElsewhere { branch, app_id, ours } => format!(
            "{branch}: flowgate is required from App {app_id}, but this App is {ours}, so its check runs do not \
             count: require flowgate from App {ours}, or from any source"
        ),
        Finding::NoMergeQueue { branch } => format!("{branch}: no merge queue"),
        Finding::MergeQueue { branch, source: by } => format!(
            "{branch}: merges through a merge queue ({}): every required check must also report on the queue's \
             merge_group commits, or the queue waits for it until its timeout fails the entry (flowgate reports \
             on them when the App receives merge_group events, or when its Action's workflow runs on merge_group)",
            source(by)
        ),
        Finding::QueueReady { branch, context, jobs: posted } => {
            format!("{branch}: the required check \"{context}\" runs on merge_group ({})", jobs(posted, false))
        }
        Finding::QueueStalls { branch, context, jobs: posted } => format!(
            "{branch}: the required check \"{context}\" will stall the merge queue: {} {}",
            jobs(posted, true),
            match posted.len() {
                1 => "does not run on merge_group: add merge_group to its workflow's on:",
                _ => "do not run on merge_group: add merge_group to the on: of one of these workflows",
            }
        ),
        Finding::QueueUnknown { branch, context } => format!(
            "{branch}: flowgate cannot tell whether the required check \"{context}\" reports on merge_group: no job \
             in .github/workflows posts it, so another App or service does; make sure it also runs on the \
             queue's branches (gh-readonly-queue/{branch}/*)"
        ),
        Finding::ActionStalls { branch, workflow, triggers } => format!(
            "{branch}: {workflow} runs the flowgate Action on {} but not on merge_group, so flowgate never \
             reports on the queue: add \"merge_group: types: [checks_requested]\" to its on:",
            triggers.join(", ")
        ),
        Finding::WorkflowUnreadable { branch, workflow, why } => format!(
            "{branch}: {workflow} could not be read as a workflow ({why}), so no required check was traced to \
             it: check by hand whether it runs on merge_group"
        ),
        Finding::Unreadable { branch, read, status, message } => {
            let what = match read {
                Read::Protection => "its branch protection",
                Read::Rules => "the rules that apply to it",
                Read::Workflows => "its .github/workflows",
                Read::Installation => {
                    return format!(
                        "cannot read the App's installation on the repository: {}; install the App on it, and \
                         check that --app-id and --app-key are the App's",
                        answered(*status, message)
                    );
                }
            };
            let branch = branch.as_deref().unwrap_or_default();
            if *status == 404 && message == "Branch not found" {
                return format!(
                    "{branch}: there is no such branch (GitHub answered 404 Branch not found): check its name"
                );
            }
            let who = match read {
                Read::Protection => " (a repository admin's token, or a fine-grained token or App with it)",
                _ => "",
            };
            format!(
                "{branch}: cannot read {what}: {}; the token needs {}{who}",
                answered(*status, message),
                needed_for(*read)
            )
        }
        Finding::AppReady { permissions, events } => format!(
            "the App's installation has the {} and {} flowgate needs",
            count(*permissions as u64, "permission", "permissions"),
            count(*events as u64, "event", "events")
        ),
        Finding::AppPermissionMissing { permission: name, needed, granted } => {
            let why = match name.as_str() {
                "merge_queues" => " (without it GitHub never sends the App merge_group events)",
                _ => "",
            };
            let needs = format!("{}: {}", permission(name), needed.as_str());
            match granted {
                None => format!("the App's installation lacks {needs}{why}: {ACCEPT}"),
                Some(has) => format!(
                    "the App's installation has {}: {has} where flowgate needs {needs}{why}: {ACCEPT}",
                    permission(name)
                ),
            }
        }
        Finding::AppEventMissing { event } => format!(
            "the App's installation does not receive {event} events: subscribe the App to them (the App's \
             settings, Permissions & events), then have an owner of the repository accept the change on the \
             installation (Settings, GitHub Apps, Configure)"
        ),
        Finding::AppNotChecked { permissions, events } => format!(
            "the App's permissions ({}) and events ({}) were not checked, since a token cannot see an \
             installation: run with --app-id and --app-key to check them",
            permissions.iter().map(|p| permission(p)).collect::<Vec<_>>().join(", "),
            events.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Access;

    fn lines(findings: &[Finding]) -> String {
        findings.iter().map(|f| format!("{} | {}", tag(f.level()), line(f))).collect::<Vec<_>>().join("\n")
    }

    fn ruleset(name: &str) -> Source {
        Source::Ruleset { id: 7, name: Some(name.into()) }
    }

    #[test]
    fn headlines() {
        let main = ["main".to_string(), "release".to_string()];
        let all = [
            headline("acme/shop", Outcome::Ready, &main, 0, 0),
            headline("acme/shop", Outcome::NotReady, &main, 1, 0),
            headline("acme/shop", Outcome::CannotTell, &main, 0, 2),
            headline("acme/shop", Outcome::CannotTell, &main, 2, 1),
        ];
        insta::assert_snapshot!(all.join("\n"), @r#"
        acme/shop: ready: flowgate can be the required check on main, release
        acme/shop: not ready: 1 thing to fix
        acme/shop: cannot tell: 2 things could not be read
        acme/shop: cannot tell: 1 thing could not be read, and 2 things to fix
        "#);
    }

    #[test]
    fn required_checks_and_merge_queues() {
        let branch = || "main".to_string();
        let job = |workflow: &str, job: &str| JobRef {
            workflow: workflow.into(),
            job: job.into(),
            triggers: vec!["pull_request".into(), "push".into()],
        };
        insta::assert_snapshot!(lines(&[
            Finding::Required { branch: branch(), sources: vec![Source::BranchProtection, ruleset("Protect main")], app_ids: vec![] },
            Finding::Required { branch: branch(), sources: vec![Source::Ruleset { id: 9, name: None }], app_ids: vec![42] },
            Finding::NotRequired { branch: branch(), others: vec![] },
            Finding::NotRequired { branch: branch(), others: vec!["test".into(), "ci/circleci".into()] },
            Finding::PinnedElsewhere { branch: branch(), app_id: 15368, ours: 42 },
            Finding::NoMergeQueue { branch: branch() },
            Finding::MergeQueue { branch: branch(), source: ruleset("Queue") },
            Finding::QueueReady { branch: branch(), context: "lint".into(), jobs: vec![job(".github/workflows/lint.yml", "lint")] },
            Finding::QueueStalls { branch: branch(), context: "test".into(), jobs: vec![job(".github/workflows/ci.yml", "test")] },
            Finding::QueueStalls {
                branch: branch(),
                context: "test".into(),
                jobs: vec![job(".github/workflows/ci.yml", "test"), job(".github/workflows/nightly.yml", "test")],
            },
            Finding::QueueUnknown { branch: branch(), context: "ci/circleci".into() },
            Finding::ActionStalls {
                branch: branch(),
                workflow: ".github/workflows/flowgate.yml".into(),
                triggers: vec!["pull_request_target".into(), "pull_request_review".into()],
            },
            Finding::WorkflowUnreadable { branch: branch(), workflow: ".github/workflows/x.yml".into(), why: "no `on:`: the events it runs on".into() },
        ]), @r#"
        ok | main: flowgate is a required check (branch protection, ruleset "Protect main")
        ok | main: flowgate is a required check from App 42 (ruleset 9)
        fix | main: flowgate is not a required check, so a pull request can merge while it fails: require the status check "flowgate" on main in a ruleset or in its branch protection
        fix | main: flowgate is not among the required checks ("test", "ci/circleci"), so a pull request can merge while it fails: add the status check "flowgate" to them
        fix | main: flowgate is required from App 15368, but this App is 42, so its check runs do not count: require flowgate from App 42, or from any source
        ok | main: no merge queue
        ok | main: merges through a merge queue (ruleset "Queue"): every required check must also report on the queue's merge_group commits, or the queue waits for it until its timeout fails the entry (flowgate reports on them when the App receives merge_group events, or when its Action's workflow runs on merge_group)
        ok | main: the required check "lint" runs on merge_group (job lint in .github/workflows/lint.yml)
        fix | main: the required check "test" will stall the merge queue: job test in .github/workflows/ci.yml (on: pull_request, push) does not run on merge_group: add merge_group to its workflow's on:
        fix | main: the required check "test" will stall the merge queue: job test in .github/workflows/ci.yml (on: pull_request, push); job test in .github/workflows/nightly.yml (on: pull_request, push) do not run on merge_group: add merge_group to the on: of one of these workflows
        note | main: flowgate cannot tell whether the required check "ci/circleci" reports on merge_group: no job in .github/workflows posts it, so another App or service does; make sure it also runs on the queue's branches (gh-readonly-queue/main/*)
        fix | main: .github/workflows/flowgate.yml runs the flowgate Action on pull_request_target, pull_request_review but not on merge_group, so flowgate never reports on the queue: add "merge_group: types: [checks_requested]" to its on:
        note | main: .github/workflows/x.yml could not be read as a workflow (no `on:`: the events it runs on), so no required check was traced to it: check by hand whether it runs on merge_group
        "#);
    }

    #[test]
    fn reads_that_were_refused_name_the_permission() {
        let refused = |read, status, message: &str| Finding::Unreadable {
            branch: (read != Read::Installation).then(|| "main".to_string()),
            read,
            status,
            message: message.into(),
        };
        insta::assert_snapshot!(lines(&[
            refused(Read::Protection, 403, "Resource not accessible by integration"),
            refused(Read::Protection, 404, "Not Found"),
            refused(Read::Protection, 404, "Branch not found"),
            refused(Read::Rules, 403, "Resource not accessible by personal access token"),
            refused(Read::Workflows, 403, "Resource not accessible by integration"),
            refused(Read::Installation, 404, "Not Found"),
        ]), @r#"
        unknown | main: cannot read its branch protection: GitHub answered 403 (Resource not accessible by integration); the token needs Administration: read (a repository admin's token, or a fine-grained token or App with it)
        unknown | main: cannot read its branch protection: GitHub answered 404 (Not Found), which GitHub also answers a token that may not see it; the token needs Administration: read (a repository admin's token, or a fine-grained token or App with it)
        unknown | main: there is no such branch (GitHub answered 404 Branch not found): check its name
        unknown | main: cannot read the rules that apply to it: GitHub answered 403 (Resource not accessible by personal access token); the token needs Metadata: read
        unknown | main: cannot read its .github/workflows: GitHub answered 403 (Resource not accessible by integration); the token needs Contents: read
        unknown | cannot read the App's installation on the repository: GitHub answered 404 (Not Found), which GitHub also answers a token that may not see it; install the App on it, and check that --app-id and --app-key are the App's
        "#);
    }

    #[test]
    fn the_apps_permissions_and_events() {
        insta::assert_snapshot!(lines(&[
            Finding::AppReady { permissions: 7, events: 6 },
            Finding::AppPermissionMissing { permission: "merge_queues".into(), needed: Access::Read, granted: None },
            Finding::AppPermissionMissing { permission: "pull_requests".into(), needed: Access::Write, granted: Some("read".into()) },
            Finding::AppEventMissing { event: "merge_group".into() },
            Finding::AppNotChecked {
                permissions: vec!["checks".into(), "merge_queues".into()],
                events: vec!["pull_request".into(), "merge_group".into()],
            },
        ]), @r#"
        ok | the App's installation has the 7 permissions and 6 events flowgate needs
        fix | the App's installation lacks Merge queues: read (without it GitHub never sends the App merge_group events): give the App that permission (the App's settings, Permissions & events), then have an owner of the repository accept the change on the installation (Settings, GitHub Apps, Configure)
        fix | the App's installation has Pull requests: read where flowgate needs Pull requests: write: give the App that permission (the App's settings, Permissions & events), then have an owner of the repository accept the change on the installation (Settings, GitHub Apps, Configure)
        fix | the App's installation does not receive merge_group events: subscribe the App to them (the App's settings, Permissions & events), then have an owner of the repository accept the change on the installation (Settings, GitHub Apps, Configure)
        note | the App's permissions (Checks, Merge queues) and events (pull_request, merge_group) were not checked, since a token cannot see an installation: run with --app-id and --app-key to check them
        "#);
    }
}
