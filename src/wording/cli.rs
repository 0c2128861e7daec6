//! What the `flowgate` command prints for people (not the verdict, the digest or the audit,
//! which have their own files): the run's GitHub requests, uncommitted changes, `policy validate`
//! and `policy test`, `backfill`, `queue`, `serve --check-config` and the `init` report.
//! Commands live above this layer, so these take plain values.

use super::{count, plural};
use crate::analysis::lang::Lang;
use crate::github::Usage;
use crate::store::ParkedDelivery;

/// `12 GitHub API requests (3 answered 304 Not Modified, free), 1 retried`.
pub fn usage_line(usage: Usage) -> String {
    let mut line = format!("{} GitHub API {}", usage.requests, plural(usage.requests as u64, "request", "requests"));
    if usage.not_modified > 0 {
        line.push_str(&format!(" ({} answered 304 Not Modified, free)", usage.not_modified));
    }
    if usage.retries > 0 {
        line.push_str(&format!(", {} retried", usage.retries));
    }
    line
}

/// What a local check says about changes that are not committed, if there are any.
pub fn uncommitted_line(files: usize, included: bool) -> Option<String> {
    if files == 0 {
        return None;
    }
    let n = count(files as u64, "file", "files");
    Some(if included {
        format!(
            "{n} with uncommitted changes {} included: the working tree is gated against the base",
            plural(files as u64, "is", "are")
        )
    } else {
        format!(
            "{n} {} uncommitted changes that this check does not include; commit them, or run with --include-uncommitted",
            plural(files as u64, "has", "have")
        )
    })
}

/// `flowgate policy validate`: the file is valid, and what it holds.
pub fn policy_valid(path: &str, globs: usize, default_tier: &str, origin: &[String]) -> String {
    format!(
        "{path}: valid ({}, default tier {default_tier}, read from {})\n",
        count(globs as u64, "tier glob", "tier globs"),
        origin.join(" <- ")
    )
}

/// One case of `flowgate policy test`: `ok` or `FAIL` with what differed.
pub fn case_line(name: &str, description: Option<&str>, mismatches: &[(String, String, String)]) -> String {
    if mismatches.is_empty() {
        return format!("ok    {name}\n");
    }
    let mut out = format!("FAIL  {name}{}\n", description.map(|d| format!(" ({d})")).unwrap_or_default());
    for (what, expected, got) in mismatches {
        out.push_str(&format!("        {what}: expected {expected}, got {got}\n"));
    }
    out
}

/// What a `policy test` case compares for one file, and what a file missing from the PR gets.
pub(crate) fn tier_of(path: &str) -> String {
    format!("tier of {path}")
}
pub(crate) const NOT_IN_THE_PR: &str = "not in the PR";

pub fn cases_summary(passed: usize, failed: usize) -> String {
    format!("{passed} passed, {failed} failed\n")
}

/// `flowgate backfill`: what was imported from where.
pub fn backfilled(from: &str, prs: usize, events: usize, added: u64) -> String {
    // Word for word as it has always read, "1 PRs" included: a new wording is a change of its own.
    format!(
        "{from}: {prs} PRs, {events} review events, {added} new ({} already recorded)\n",
        events as u64 - added.min(events as u64)
    )
}

/// `flowgate backfill --from-snapshots`: a saved PR whose pull.json says it ended (closed or
/// merged) without saying when, so the import leaves it open. `snapshot` names its directory.
pub fn snapshot_end_undated(snapshot: &str) -> String {
    format!(
        "{snapshot}/pull.json: the PR is closed but neither merged_at nor closed_at gives a time; \
         imported as still open (save events.json with the snapshot to place its close)"
    )
}

/// One parked delivery in `flowgate queue parked`.
pub fn parked_line(p: &ParkedDelivery) -> String {
    let what = match (&p.repo, p.pr) {
        (Some(r), Some(n)) => format!("{r}#{n}"),
        _ => "-".into(),
    };
    format!(
        "{}  {}{}  {what}  {} attempts  {}\n",
        p.id,
        p.event,
        p.action.as_ref().map(|a| format!(".{a}")).unwrap_or_default(),
        p.attempts,
        p.last_error.as_deref().unwrap_or("")
    )
}

pub fn parked_total(n: usize) -> String {
    format!("{n} parked\n")
}

pub fn requeued(n: u64) -> String {
    format!("{n} parked deliveries back in the queue\n")
}

/// The App's settings as `flowgate serve --check-config` sums them up.
pub struct ConfigSummary<'a> {
    /// The files and environment the settings came from; none means the defaults.
    pub sources: &'a [String],
    pub app_id: u64,
    pub webhook_secrets: usize,
    /// The database URL with its password hidden.
    pub database: &'a str,
    pub github_api_url: &'a str,
    pub listen: std::net::SocketAddr,
    pub digest: Option<DigestSummary>,
}

/// The weekly digest's schedule, when there is one.
pub struct DigestSummary {
    pub repo: String,
    pub weekday: String,
    pub hour: u32,
    pub timezone: String,
    pub slack: bool,
}

pub fn config_ok(c: &ConfigSummary<'_>) -> String {
    let digest = match &c.digest {
        Some(d) => format!(
            "; weekly digest in {} on {} at {:02}:00 {}{}",
            d.repo,
            d.weekday,
            d.hour,
            d.timezone,
            if d.slack { " and to Slack" } else { "" }
        ),
        None => String::new(),
    };
    format!(
        "configuration ok (from {}): App {}, private key parses, {} webhook secret(s), database {} reachable and up to date, GitHub API {}, listening on {}{digest}\n",
        if c.sources.is_empty() { "defaults".to_string() } else { c.sources.join(", ") },
        c.app_id,
        c.webhook_secrets,
        c.database,
        c.github_api_url,
        c.listen
    )
}

/// The Action's job summary when it could not gate the pull request.
pub fn action_failed(error: &dyn std::fmt::Display) -> String {
    format!("## flowgate could not gate this pull request\n\n{error}\n")
}

/// What `flowgate init` does, or would do, to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAction<'a> {
    Write,
    Replace,
    Append,
    /// Leaves it as it is, for this reason.
    Keep(&'a str),
}

pub(crate) const POLICY_PURPOSE: &str = "the policy: red paths, trackers, AI disclosure; read from the base branch";
pub(crate) const WORKFLOW_PURPOSE: &str =
    "the GitHub Action that posts the `flowgate` check run and labels on every pull request";
pub(crate) const TEMPLATE_PURPOSE: &str =
    "the pull request template: the story line and the AI-use boxes the policy reads";
pub(crate) const KEEP_SAME: &str = "already as flowgate init would write it";
pub(crate) const KEEP_EXISTS: &str = "exists; --force replaces it";
pub(crate) const KEEP_HAS_SECTION: &str = "has flowgate's section already";
pub(crate) const KEEP_HAS_SECTION_UNFORCED: &str = "has flowgate's section already; --force rewrites that section";
pub const DRY_RUN: &str = "Dry run: nothing was written.";

/// What `--dry-run` says it would do.
pub fn would(action: FileAction<'_>) -> String {
    match action {
        FileAction::Write => "would write".into(),
        FileAction::Replace => "would replace (--force)".into(),
        FileAction::Append => "would append flowgate's section".into(),
        FileAction::Keep(why) => format!("would keep: {why}"),
    }
}

/// What init did.
pub fn done(action: FileAction<'_>) -> String {
    match action {
        FileAction::Write => "written".into(),
        FileAction::Replace => "replaced (--force)".into(),
        FileAction::Append => "flowgate's section appended".into(),
        FileAction::Keep(why) => format!("kept: {why}"),
    }
}

/// One file's line in the init report: `.github/flowgate.yml: written: the policy: …`.
pub fn file_line(path: &str, what: &str, purpose: &str) -> String {
    format!("{path}: {what}: {purpose}\n")
}

pub fn found(line: &str) -> String {
    format!("found: {line}\n")
}

pub(crate) fn policy_exists(path: &str) -> String {
    format!("{path} exists: the gate below uses it as it is; --force replaces it")
}

/// What init turned on to read the code, and why; or why not. `detectors` are those the
/// languages found (`langs`, with their file counts) bring.
pub fn code_aware(langs: &[(Lang, usize)], detectors: &[&str]) -> String {
    if langs.is_empty() {
        return "code-aware rules: not turned on, since no file here is in a language flowgate reads (Rust, Python, JavaScript, TypeScript, Go, Java); the tiers follow the paths alone".into();
    }
    let read: Vec<String> = langs.iter().map(|(l, n)| format!("{n} {}", l.id())).collect();
    format!(
        "code-aware rules: turned on, since flowgate reads the code here ({} files): a change that adds {} is red wherever it is, and a change to a red or yellow file that only touches comments or layout is green",
        read.join(", "),
        detectors.join(", ")
    )
}

/// The reminder to pin the action when the workflow has the placeholder.
pub fn pin_the_action(workflow: &str, placeholder: &str) -> String {
    format!(
        "\nIn {workflow}, replace `{placeholder}` with the release's commit (git ls-remote https://github.com/flowgate/flowgate 'refs/tags/v0.1.0^{{}}'), or run init again with --action OWNER/NAME@SHA.\n"
    )
}

/// The line above the gate's verdict at the end of the init report.
pub fn gate_on_branch(policy: &str, dry_run: bool, policy_kept: bool) -> String {
    let state = match (dry_run, policy_kept) {
        (_, true) => "it is",
        (true, false) => "it would be written",
        (false, false) => "it is now",
    };
    format!("\nThe gate on the current branch, by {policy} as {state}:\n\n")
}

pub fn gate_not_run(error: &dyn std::fmt::Display) -> String {
    format!("The gate could not run here yet: {error}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_github_requests_of_a_run() {
        let usage = |requests, not_modified, retries| Usage { requests, not_modified, retries };
        let lines = [usage(1, 0, 0), usage(12, 3, 1), usage(0, 0, 2)].map(usage_line);
        insta::assert_snapshot!(lines.join("\n"), @r"
        1 GitHub API request
        12 GitHub API requests (3 answered 304 Not Modified, free), 1 retried
        0 GitHub API requests, 2 retried
        ");
    }

    #[test]
    fn uncommitted_changes_included_or_not() {
        assert_eq!(uncommitted_line(0, false), None);
        let lines = [(1, true), (3, true), (1, false), (3, false)].map(|(n, i)| uncommitted_line(n, i).unwrap());
        insta::assert_snapshot!(lines.join("\n"), @r"
        1 file with uncommitted changes is included: the working tree is gated against the base
        3 files with uncommitted changes are included: the working tree is gated against the base
        1 file has uncommitted changes that this check does not include; commit them, or run with --include-uncommitted
        3 files have uncommitted changes that this check does not include; commit them, or run with --include-uncommitted
        ");
    }

    #[test]
    fn policy_validate_and_policy_test() {
        let origin = vec![".github/flowgate.yml".to_string(), "default".to_string()];
        let valid =
            [policy_valid(".github/flowgate.yml", 1, "green", &origin), policy_valid("p.yml", 4, "yellow", &[])];
        insta::assert_snapshot!(valid.concat(), @r"
        .github/flowgate.yml: valid (1 tier glob, default tier green, read from .github/flowgate.yml <- default)
        p.yml: valid (4 tier globs, default tier yellow, read from )
        ");
        let mismatch = vec![("tier".to_string(), "red".to_string(), "yellow".to_string())];
        let cases = [
            case_line("docs-only", None, &[]),
            case_line("auth", Some("a login change is red"), &mismatch),
            case_line("bare", None, &mismatch),
            cases_summary(1, 2),
        ];
        insta::assert_snapshot!(format!("{}: expected red, got {NOT_IN_THE_PR}", tier_of("src/auth/login.rs")), @"tier of src/auth/login.rs: expected red, got not in the PR");
        insta::assert_snapshot!(cases.concat(), @r"
        ok    docs-only
        FAIL  auth (a login change is red)
                tier: expected red, got yellow
        FAIL  bare
                tier: expected red, got yellow
        1 passed, 2 failed
        ");
    }

    #[test]
    fn backfill_and_the_queue() {
        insta::assert_snapshot!(backfilled("acme/shop", 2, 5, 5) + &backfilled("snapshots", 1, 4, 0), @r"
        acme/shop: 2 PRs, 5 review events, 5 new (0 already recorded)
        snapshots: 1 PRs, 4 review events, 0 new (4 already recorded)
        ");
        insta::assert_snapshot!(snapshot_end_undated("saved/pr-7"), @"saved/pr-7/pull.json: the PR is closed but neither merged_at nor closed_at gives a time; imported as still open (save events.json with the snapshot to place its close)");
        let parked = |repo: Option<&str>, pr, action: Option<&str>, last_error: Option<&str>| ParkedDelivery {
            id: "d-1".into(),
            event: "pull_request".into(),
            action: action.map(Into::into),
            repo: repo.map(Into::into),
            pr,
            attempts: 6,
            last_error: last_error.map(Into::into),
            received_at_ms: 0,
        };
        let lines = [
            parked_line(&parked(Some("acme/shop"), Some(42), Some("opened"), Some("GitHub answered 502"))),
            parked_line(&parked(None, None, None, None)),
            parked_total(2),
            requeued(2),
        ];
        insta::assert_snapshot!(lines.concat(), @r"
        d-1  pull_request.opened  acme/shop#42  6 attempts  GitHub answered 502
        d-1  pull_request  -  6 attempts  
        2 parked
        2 parked deliveries back in the queue
        ");
    }

    #[test]
    fn check_config_with_and_without_a_digest() {
        let sources = vec!["/etc/flowgate.toml".to_string(), "environment".to_string()];
        let mut summary = ConfigSummary {
            sources: &sources,
            app_id: 12345,
            webhook_secrets: 2,
            database: "postgres://flowgate:***@db/flowgate",
            github_api_url: "https://api.github.com",
            listen: "0.0.0.0:8080".parse().unwrap(),
            digest: Some(DigestSummary {
                repo: "acme/eng".into(),
                weekday: "Mon".into(),
                hour: 9,
                timezone: "Europe/Berlin".into(),
                slack: true,
            }),
        };
        insta::assert_snapshot!(config_ok(&summary), @"configuration ok (from /etc/flowgate.toml, environment): App 12345, private key parses, 2 webhook secret(s), database postgres://flowgate:***@db/flowgate reachable and up to date, GitHub API https://api.github.com, listening on 0.0.0.0:8080; weekly digest in acme/eng on Mon at 09:00 Europe/Berlin and to Slack");
        summary.sources = &[];
        summary.digest = None;
        insta::assert_snapshot!(config_ok(&summary), @"configuration ok (from defaults): App 12345, private key parses, 2 webhook secret(s), database postgres://flowgate:***@db/flowgate reachable and up to date, GitHub API https://api.github.com, listening on 0.0.0.0:8080");
        insta::assert_snapshot!(action_failed(&"GitHub answered 404"), @r"
        ## flowgate could not gate this pull request

        GitHub answered 404
        ");
    }

    #[test]
    fn what_init_would_do_and_did_to_each_file() {
        let actions = [FileAction::Write, FileAction::Replace, FileAction::Append, FileAction::Keep(KEEP_SAME)];
        let lines: Vec<String> = actions.iter().map(|a| format!("{} / {}", would(*a), done(*a))).collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        would write / written
        would replace (--force) / replaced (--force)
        would append flowgate's section / flowgate's section appended
        would keep: already as flowgate init would write it / kept: already as flowgate init would write it
        ");
        let fixed = [
            POLICY_PURPOSE,
            WORKFLOW_PURPOSE,
            TEMPLATE_PURPOSE,
            KEEP_SAME,
            KEEP_EXISTS,
            KEEP_HAS_SECTION,
            KEEP_HAS_SECTION_UNFORCED,
            DRY_RUN,
        ];
        insta::assert_snapshot!(fixed.join("\n"), @r"
        the policy: red paths, trackers, AI disclosure; read from the base branch
        the GitHub Action that posts the `flowgate` check run and labels on every pull request
        the pull request template: the story line and the AI-use boxes the policy reads
        already as flowgate init would write it
        exists; --force replaces it
        has flowgate's section already
        has flowgate's section already; --force rewrites that section
        Dry run: nothing was written.
        ");
        insta::assert_snapshot!(file_line(".github/flowgate.yml", "written", POLICY_PURPOSE) + &found("red paths: src/auth/"), @r"
        .github/flowgate.yml: written: the policy: red paths, trackers, AI disclosure; read from the base branch
        found: red paths: src/auth/
        ");
        insta::assert_snapshot!(policy_exists(".github/flowgate.yml"), @".github/flowgate.yml exists: the gate below uses it as it is; --force replaces it");
    }

    #[test]
    fn code_aware_rules_on_or_off() {
        insta::assert_snapshot!(code_aware(&[], &[]), @"code-aware rules: not turned on, since no file here is in a language flowgate reads (Rust, Python, JavaScript, TypeScript, Go, Java); the tiers follow the paths alone");
        insta::assert_snapshot!(code_aware(&[(Lang::Rust, 12), (Lang::Python, 3)], &["unsafe", "subprocess"]), @"code-aware rules: turned on, since flowgate reads the code here (12 rust, 3 python files): a change that adds unsafe, subprocess is red wherever it is, and a change to a red or yellow file that only touches comments or layout is green");
    }

    #[test]
    fn the_end_of_the_init_report() {
        insta::assert_snapshot!(pin_the_action(".github/workflows/flowgate.yml", "flowgate/flowgate@<full-commit-sha> # v0.1.0"), @r"
        In .github/workflows/flowgate.yml, replace `flowgate/flowgate@<full-commit-sha> # v0.1.0` with the release's commit (git ls-remote https://github.com/flowgate/flowgate 'refs/tags/v0.1.0^{}'), or run init again with --action OWNER/NAME@SHA.
        ");
        let states =
            [(false, true), (true, false), (false, false)].map(|(dry, kept)| gate_on_branch("p.yml", dry, kept));
        insta::assert_snapshot!(states.concat(), @r"
        The gate on the current branch, by p.yml as it is:


        The gate on the current branch, by p.yml as it would be written:


        The gate on the current branch, by p.yml as it is now:
        ");
        insta::assert_snapshot!(gate_not_run(&"not a git repository"), @"The gate could not run here yet: not a git repository");
    }
}
