//! Line-level AI provenance in the App: a repository without notes costs each evaluation its
//! notes refs' listing and the trace directory's 404, and a notes ref GitHub fails on leaves the
//! source unreadable while the check run is posted as usual.

use crate::support::db::Db;
use crate::support::fake_github;
use crate::support::server::{Server, wait_until};

use fake_github::{AppAuth, FakeGitHub, HEAD, hello_world, payload};
use flowgate::store::QueueDepth;

async fn installed() -> FakeGitHub {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
    fake
}

/// How many requests went to a path ending in `tail` (without the query).
fn asked(fake: &FakeGitHub, tail: &str) -> usize {
    fake.with(|s| s.log.iter().filter(|l| l.url.split('?').next().is_some_and(|p| p.ends_with(tail))).count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_notes_an_evaluation_costs_one_refs_listing_and_one_directory_lookup() {
    let db = &Db::sqlite();
    let fake = installed().await;
    let server = Server::start(&fake, &db.url).await;
    let opened = payload("pull_request.opened.payload.json");
    assert_eq!(server.deliver("pull_request", "prov-opened", &opened).await.0, 202);
    wait_until("a check run on the head", async || fake.with(|s| s.runs_on(HEAD).len() == 1)).await;
    wait_until("the delivery is done", async || server.depth().await.done == 1).await;
    assert_eq!(asked(&fake, "/git/matching-refs/notes"), 1);
    assert_eq!(asked(&fake, "/contents/.agent-trace"), 1);
    let deeper =
        fake.with(|s| s.log.iter().filter(|l| l.url.contains("/git/trees/") || l.url.contains("/git/blobs/")).count());
    assert_eq!(deeper, 0, "no notes tree is read without a notes ref");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_notes_ref_github_fails_on_does_not_stop_the_check_run() {
    let db = &Db::sqlite();
    let fake = installed().await;
    fake.with(|s| s.notes.entry("notes/ai".into()).or_default().fails_with = Some(500));
    let server = Server::start(&fake, &db.url).await;
    let opened = payload("pull_request.opened.payload.json");
    assert_eq!(server.deliver("pull_request", "prov-500", &opened).await.0, 202);
    wait_until("a check run on the head", async || fake.with(|s| s.runs_on(HEAD).len() == 1)).await;
    wait_until("the delivery is done", async || server.depth().await.done == 1).await;
    assert!(asked(&fake, "/git/matching-refs/notes") >= 1, "the ref was asked for (and retried, as a 5xx is)");
    assert!(server.app.store.parked().await.expect("lists").is_empty(), "nothing parked for a provenance source");
    assert_eq!(
        server.depth().await,
        QueueDepth { done: 1, ..Default::default() },
        "the delivery is done at the first attempt, not retried for a provenance source"
    );
    server.stop().await;
}
