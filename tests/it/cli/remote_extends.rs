//! A policy that extends a remote one (`acme/.github:flowgate/base.yml@main`) from the command
//! line, against the fake GitHub: `flowgate policy update` pins it to the commit `main` names and
//! `--check` finds a stale pin; `flowgate check --repo --pr` reads the remote; local git mode
//! reads it with `GITHUB_TOKEN`, and says to set it when it is missing.

use crate::support::{common, fake_github};

use std::path::Path;

use fake_github::{FakeGitHub, RemoteRepo, TOKEN, hello_world, reviewed_by_hubot};
use tempfile::TempDir;

use common::Run;
use common::git_repo::GitRepo;

const PIN: &str = "0123456789abcdef0123456789abcdef01234567";
const NEXT: &str = "89abcdef0123456789abcdef0123456789abcdef";

fn example_policy() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flowgate.yml")).expect("policy")
}

/// The organisation's policy at `commit` on `main`: the example policy with `src/**` red.
fn organisation(commit: &str) -> RemoteRepo {
    let base = "extends: ../shared/org.yml\ntiers:\n  red:\n    paths: [\"src/**\"]\n";
    RemoteRepo::at("main", commit, &[("flowgate/base.yml", base), ("shared/org.yml", &example_policy())])
}

/// `flowgate ARGS` in `cwd` against the fake, with its token.
async fn flowgate(fake: &FakeGitHub, cwd: &Path, args: &[&str]) -> Run {
    let (uri, cwd) = (fake.uri(), cwd.to_path_buf());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Run::of(
            assert_cmd::Command::cargo_bin("flowgate")
                .expect("binary")
                .current_dir(cwd)
                .args(&args)
                .env_clear()
                .env("GITHUB_API_URL", uri)
                .env("GITHUB_TOKEN", TOKEN)
                .env("NO_COLOR", "1"),
        )
    })
    .await
    .expect("joins")
}

const POLICY: &str = "# Our policy: the organisation's, and our own teams.
version: 1
extends: \"acme/.github:flowgate/base.yml@main\"   # reviewed by platform

# Who we are.
teams:
  \"@acme/shop\": [ann]
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_update_pins_the_remote_to_its_commit_and_check_finds_a_stale_pin() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| s.remotes.insert("acme/.github".into(), organisation(PIN)));
    let dir = TempDir::new().expect("tempdir");
    let file = dir.path().join("flowgate.yml");
    std::fs::write(&file, POLICY).expect("policy");
    let update = ["policy", "update", "--policy", "flowgate.yml"];

    // Unpinned, it loads (read at `main`), and validate says to pin it.
    let run = flowgate(&fake, dir.path(), &["policy", "validate", "flowgate.yml"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("acme/.github@main:flowgate/base.yml"), "read from the remote: {}", run.stdout);
    assert!(
        run.stderr.contains("is not pinned") && run.stderr.contains("run `flowgate policy update`"),
        "{}",
        run.stderr
    );

    let run = flowgate(&fake, dir.path(), &update).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, format!("acme/.github:flowgate/base.yml@main: not pinned -> {PIN}\n"));
    let pinned = std::fs::read_to_string(&file).expect("policy");
    insta::assert_snapshot!(pinned, @r#"
    # Our policy: the organisation's, and our own teams.
    version: 1
    extends: # reviewed by platform
      from: "acme/.github:flowgate/base.yml@main"
      commit: 0123456789abcdef0123456789abcdef01234567

    # Who we are.
    teams:
      "@acme/shop": [ann]
    "#);

    let run = flowgate(&fake, dir.path(), &["policy", "update", "--policy", "flowgate.yml", "--check"]).await;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "acme/.github:flowgate/base.yml@main: already current (0123456)\n")
    );

    // The organisation merges a change: `main` moves on, and the pin is stale.
    fake.with(|s| s.remotes.insert("acme/.github".into(), organisation(NEXT)));
    let run = flowgate(&fake, dir.path(), &["policy", "update", "--policy", "flowgate.yml", "--check"]).await;
    assert_eq!(run.code, 1, "a stale pin fails the check: {}", run.stderr);
    assert!(run.stdout.contains(&format!("0123456 -> {NEXT} (stale")), "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(&file).expect("policy"), pinned, "--check writes nothing");

    let run = flowgate(&fake, dir.path(), &update).await;
    assert_eq!(run.stdout, format!("acme/.github:flowgate/base.yml@main: 0123456 -> {NEXT}\n"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("policy"), pinned.replace(PIN, NEXT), "only the commit changed");
    fake.with(|s| {
        let resolved = s.log.iter().filter(|l| l.url == "/repos/acme/.github/commits/main").count();
        assert_eq!(resolved, 4, "one GET commits/main for each update");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_update_names_a_ref_the_remote_lacks() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| s.remotes.insert("acme/.github".into(), organisation(PIN)));
    let dir = TempDir::new().expect("tempdir");
    std::fs::write(dir.path().join("flowgate.yml"), POLICY.replace("@main", "@mian")).expect("policy");
    let run = flowgate(&fake, dir.path(), &["policy", "update", "--policy", "flowgate.yml"]).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("acme/.github has no branch, tag or commit \"mian\""), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_of_a_live_pr_reads_the_remote_and_fails_closed_without_it() {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    reviewed_by_hubot(&fake);
    let policy = format!("extends:\n  from: acme/.github:flowgate/base.yml@main\n  commit: {PIN}\n");
    fake.with(|s| {
        s.contents.insert(("master".into(), ".github/flowgate.yml".into()), policy);
        s.remotes.insert("acme/.github".into(), organisation(PIN));
    });
    let dir = TempDir::new().expect("tempdir");
    let live = ["check", "--repo", "Codertocat/Hello-World", "--pr", "2", "--format", "json"];
    let run = flowgate(&fake, dir.path(), &live).await;
    let verdict = run.json();
    assert_eq!(verdict["tier"], "red", "the remote's red paths apply: {}", run.stderr);

    fake.with(|s| s.remotes.clear());
    let run = flowgate(&fake, dir.path(), &live).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains(&format!("cannot read acme/.github@{PIN}:flowgate/base.yml")), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_check_reads_the_remote_with_the_token_and_says_to_set_one() {
    let fake = FakeGitHub::start("acme/shop").await;
    fake.with(|s| s.remotes.insert("acme/.github".into(), organisation(PIN)));
    let repo = GitRepo::init();
    repo.write(
        ".github/flowgate.yml",
        &format!("extends:\n  from: acme/.github:flowgate/base.yml@main\n  commit: {PIN}\n"),
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "policy"]);
    repo.git(&["checkout", "-qb", "greeting"]);
    repo.write("src/lib.rs", "pub fn hello() {}\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "ABC-123: say hello\n\n- [x] No AI was used"]);
    let check = ["check", "--base", "main", "--format", "json", "--author", "ann"];

    // The binary runs on a blocking thread, while the fake answers on the runtime's others.
    let uri = fake.uri();
    let run = tokio::task::block_in_place(|| {
        repo.flowgate_env(&[("GITHUB_API_URL", &uri), ("GITHUB_TOKEN", TOKEN)], &[], &check)
    });
    assert_eq!(run.json()["tier"], "red", "{}", run.stderr);

    let run = tokio::task::block_in_place(|| repo.flowgate_env(&[("GITHUB_API_URL", &uri)], &["GITHUB_TOKEN"], &check));
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("set GITHUB_TOKEN to a token that can read acme/.github"), "{}", run.stderr);
}
