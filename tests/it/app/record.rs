//! The App records review events: each `pull_request` and `pull_request_review` delivery becomes
//! one event with the context of the verdict it caused; a closed PR, not evaluated again, keeps the
//! context recorded last; a redelivery records nothing new. On SQLite and PostgreSQL.

use crate::support::fake_github;
use crate::support::server;

use fake_github::{AppAuth, hello_world, payload};
use flowgate::latency::{AiDeclared, Event, EventKind, ReviewOutcome};
use serde_json::json;
use server::{Server, databases, wait_until};

async fn recorded(server: &Server) -> Vec<Event> {
    let mut all = Vec::new();
    server
        .app
        .store
        .events_for_prs_active_since(0, None, &mut |events| all.extend_from_slice(events))
        .await
        .expect("reads events");
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_are_recorded_as_review_events_with_the_verdicts_context() {
    for db in databases("serve_record").await {
        let fake = hello_world("ABC-123: update the greeting", &["ai:none"]).await;
        fake.with(|s| s.app = Some(AppAuth { installation_id: 1, ..AppAuth::default() }));
        let server = Server::start(&fake, &db.url).await;

        server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
        wait_until("the opening is worked off", async || server.depth().await.done == 1).await;
        let review = fake_github::reviewed_by_hubot(&fake);
        server.deliver("pull_request_review", "d-review", &review).await;
        wait_until("the review is worked off", async || server.depth().await.done == 2).await;
        let mut labeled = payload("pull_request.labeled.payload.json");
        labeled["action"] = json!("labeled");
        server.deliver("pull_request", "d-labeled", &labeled).await;
        let mut merged = payload("pull_request.opened.payload.json");
        merged["action"] = json!("closed");
        merged["pull_request"]["merged"] = json!(true);
        merged["pull_request"]["merged_at"] = json!("2019-05-15T17:00:00Z");
        server.deliver("pull_request", "d-merged", &merged).await;
        wait_until("every delivery is worked off", async || server.depth().await.done == 4).await;

        let events = recorded(&server).await;
        let kinds: Vec<(&str, &EventKind)> = events.iter().map(|e| (e.id.as_str(), &e.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("d-opened", &EventKind::Opened { draft: false }),
                ("d-review", &EventKind::ReviewSubmitted { outcome: ReviewOutcome::Commented }),
                ("d-merged", &EventKind::Merged),
            ],
            "{}: a label is no review event",
            db.name
        );
        let context = &events[0].context;
        assert_eq!(context.author.as_str(), "Codertocat");
        assert!(context.tier.is_some(), "an evaluated PR has its tier: {context:?}");
        assert_eq!((context.ai_declared, context.story_keys.clone()), (AiDeclared::None, vec!["ABC-123".into()]));
        assert_eq!(events[2].context, events[1].context, "{}: the merge keeps the last context", db.name);

        // GitHub redelivers with the same id: the store keeps one delivery and one event.
        let (status, _) =
            server.deliver("pull_request", "d-opened", &payload("pull_request.opened.payload.json")).await;
        assert_eq!(status, 200, "{}", db.name);
        assert_eq!(recorded(&server).await.len(), 3);
        server.stop().await;
        db.drop_database().await;
    }
}
