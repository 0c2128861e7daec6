//! The switch that makes a delivery handler's error fail a test: the tests' server keeps its
//! workers' errors, and stopping it fails on one the test did not say it expects, or on an
//! expected one that never came. Without it a 502 retried into success would pass unseen. The
//! switch works the same whatever the database, so SQLite alone is used.

use crate::support::db::Db;
use crate::support::fake_github;
use crate::support::server;

use fake_github::{AppAuth, HEAD, hello_world, payload};
use flowgate::serve::config::OnHandlerError;
use server::{Server, wait_until};

async fn opened_pr() -> fake_github::FakeGitHub {
    let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
    fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
    fake
}

/// Whether stopping `server` fails the test, and with what words.
async fn stopping_fails(server: Server) -> Option<String> {
    let stopped = tokio::spawn(server.stop()).await;
    let panic = stopped.err()?.into_panic();
    Some(panic.downcast_ref::<String>().cloned().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_handler_error_the_test_did_not_expect_fails_it_even_when_a_retry_succeeds() {
    let db = Db::sqlite();
    let fake = opened_pr().await;
    // Enough 502s to fail one attempt; the retry succeeds, and the PR ends up gated.
    fake.with(|s| s.bad_gateway_next = 5);
    let server = Server::start(&fake, &db.url).await;
    server.deliver("pull_request", "h-1", &payload("pull_request.opened.payload.json")).await;
    wait_until("the check run after a retry", async || fake.with(|s| s.runs_on(HEAD).len() == 1)).await;
    wait_until("the delivery is done", async || server.depth().await.done == 1).await;
    let failed = stopping_fails(server).await.expect("the unexpected 502 fails the test");
    assert!(failed.contains("did not expect") && failed.contains("502 Bad Gateway"), "{failed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expected_handler_error_that_never_comes_fails_the_test_and_a_clean_run_passes() {
    let db = Db::sqlite();
    let fake = opened_pr().await;
    let server = Server::start(&fake, &db.url).await;
    server.expect_handler_errors("502 Bad Gateway");
    server.deliver("pull_request", "h-2", &payload("pull_request.opened.payload.json")).await;
    wait_until("the delivery is done", async || server.depth().await.done == 1).await;
    let failed = stopping_fails(server).await.expect("the missing 502 fails the test");
    assert!(failed.contains("no handler error contains \"502 Bad Gateway\""), "{failed}");

    // The same delivery, expecting nothing, stops cleanly.
    let server = Server::start(&fake, &db.url).await;
    server.deliver("pull_request", "h-3", &payload("pull_request.opened.payload.json")).await;
    wait_until("the delivery is done", async || server.depth().await.done == 2).await;
    assert_eq!(stopping_fails(server).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_running_app_only_logs_its_handler_errors() {
    let db = Db::sqlite();
    let fake = opened_pr().await;
    fake.with(|s| s.bad_gateway_next = 5);
    let mut settings = server::config(&fake, &db.url);
    settings.on_handler_error = OnHandlerError::Log;
    let server = Server::start_with(settings).await;
    server.deliver("pull_request", "h-4", &payload("pull_request.opened.payload.json")).await;
    wait_until("the delivery is done", async || server.depth().await.done == 1).await;
    assert!(fake.with(|s| s.log.iter().any(|l| l.status == 502)), "the attempt met a 502");
    assert_eq!(server.app.handler_errors(), Vec::<String>::new(), "nothing is kept");
    assert_eq!(stopping_fails(server).await, None);
}
