//! Ready-made fakes for the tests: the auth-login example and Codertocat/Hello-World#2 from the
//! octokit webhook payloads.

use serde_json::{Value, json};

use super::{FakeGitHub, Pr};

/// The auth-login example as a live PR #42 on `acme/shop`, with the example policy on `main`.
pub async fn example_repo() -> FakeGitHub {
    let fake = FakeGitHub::start("acme/shop").await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |file: &str| std::fs::read_to_string(root.join("examples/auth-login").join(file)).expect("example");
    let list = |file: &str| -> Vec<Value> { serde_json::from_str(&read(file)).expect("json") };
    let hook: Value = serde_json::from_str(&read("pull.json")).expect("json");
    let policy = std::fs::read_to_string(root.join("examples/flowgate.yml")).expect("policy");
    fake.with(|s| {
        s.pulls.insert(
            42,
            Pr {
                pull: hook["pull_request"].clone(),
                files: list("files.json"),
                commits: list("commits.json"),
                reviews: list("reviews.json"),
                events: Vec::new(),
                comments: Vec::new(),
            },
        );
        s.contents.insert(("main".into(), ".github/flowgate.yml".into()), policy);
    });
    fake
}

/// The head commit of Codertocat/Hello-World#2 in the octokit payloads.
pub const HEAD: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

/// A webhook payload from `tests/fixtures/webhooks` (octokit/webhooks, MIT).
pub fn payload(name: &str) -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/webhooks").join(name),
    )
    .expect("payload");
    serde_json::from_str(&text).expect("json")
}

/// Codertocat/Hello-World#2 as the payloads describe it, changing `src/lib.rs`, with the example
/// policy on `master`.
pub async fn hello_world(title: &str, labels: &[&str]) -> FakeGitHub {
    let fake = FakeGitHub::start("Codertocat/Hello-World").await;
    let mut pull = payload("pull_request.opened.payload.json")["pull_request"].clone();
    pull["title"] = json!(title);
    pull["labels"] = Value::from(labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>());
    let policy =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flowgate.yml"))
            .expect("policy");
    fake.with(|s| {
        s.pulls.insert(
            2,
            Pr {
                pull,
                files: vec![json!({ "filename": "src/lib.rs", "status": "modified", "additions": 2, "deletions": 1,
                    "changes": 3, "patch": "@@ -1,2 +1,3 @@\n pub fn greet() -> &'static str {\n-    \"hi\"\n+    \"hello\"\n+}\n" })],
                commits: vec![json!({ "sha": HEAD, "commit": { "message": "Update the greeting",
                    "author": { "name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com" },
                    "committer": { "name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com" } },
                    "author": { "login": "Codertocat" }, "committer": { "login": "Codertocat" } })],
                reviews: Vec::new(),
                events: Vec::new(),
                comments: Vec::new(),
            },
        );
        s.contents.insert(("master".into(), ".github/flowgate.yml".into()), policy);
    });
    fake
}

/// Hello-World#2 after the `pull_request_review` payload's review (Codertocat commenting on
/// their own PR) and an approval from hubot on the head; returns the payload to deliver.
pub fn reviewed_by_hubot(fake: &FakeGitHub) -> Value {
    let review = payload("pull_request_review.submitted.payload.json");
    fake.with(|s| {
        let reviews = &mut s.pr(2).reviews;
        reviews.push(review["review"].clone());
        reviews.push(json!({ "id": 2, "user": { "login": "hubot", "type": "User" }, "state": "APPROVED",
            "commit_id": HEAD, "submitted_at": "2019-05-15T16:00:00Z", "body": "" }));
    });
    review
}
