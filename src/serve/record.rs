//! Recording review events: the App's `pull_request` and `pull_request_review` deliveries as
//! events (`event_from_delivery`, pure), stored with the PR's context from its verdict; and the
//! imports of history that `flowgate backfill` runs (from GitHub, or from saved snapshots).

use std::path::Path;

use anyhow::Context;

use crate::error::UserError;
use crate::github::parse::RawSnapshot;
use crate::github::parse::shapes::{PullJson, TimelineJson};
use crate::github::parse::timeline::{self, actor};
use crate::github::parse::{self, time, webhook};
use crate::github::{GitHub, RepoName};
use crate::latency::{AiDeclared, Digest, Event, EventKind, LatencyConfig, PrContext, Window};
use crate::model::Login;
use crate::policy::Policy;
use crate::policy::ai::markers::Declared;
use crate::policy::linkage::keys::{self, Source, TrackerSet};
use crate::policy::verdict::{AiVerdict, Verdict};
use crate::store::{Store, StoreError, Work};
use chrono::{DateTime, Utc};

/// The review event a webhook delivery reports, with `id` (the delivery id: GitHub redelivers
/// with the same one, so a redelivery records nothing new) and the PR's `context`. `Ok(None)`
/// for the deliveries that are no review-flow event (a label, an edit, a pending review); `Err`
/// names what the payload lacks. The time is the payload's own where it has one (a review's
/// submission, a merge), else the PR's `updated_at` (which the action itself set), else
/// `received_at`.
pub(crate) fn event_from_delivery(
    id: &str,
    delivery: &webhook::Event,
    received_at: DateTime<Utc>,
    context: &PrContext,
) -> Result<Option<Event>, String> {
    let (pull, repo, sender) = match delivery {
        webhook::Event::PullRequest(e) => (&e.pull_request, &e.repository.full_name, actor(e.sender.as_ref())),
        webhook::Event::Review(e) => (&e.pull_request, &e.repository.full_name, actor(e.sender.as_ref())),
        _ => return Ok(None),
    };
    let updated = time(pull.updated_at.as_deref()).unwrap_or(received_at);
    let (kind, at, who) = match delivery {
        webhook::Event::PullRequest(e) => match e.action.as_str() {
            "opened" => {
                let draft = pull.draft.unwrap_or(false);
                (EventKind::Opened { draft }, time(pull.created_at.as_deref()).unwrap_or(updated), sender)
            }
            "ready_for_review" => (EventKind::ReadyForReview, updated, sender),
            "converted_to_draft" => (EventKind::ConvertedToDraft, updated, sender),
            "synchronize" => (EventKind::Synchronize, updated, sender),
            "reopened" => (EventKind::Reopened, updated, sender),
            "closed" if pull.merged == Some(true) => {
                (EventKind::Merged, time(pull.merged_at.as_deref()).unwrap_or(updated), sender)
            }
            "closed" => (EventKind::Closed, time(pull.closed_at.as_deref()).unwrap_or(updated), sender),
            action @ ("review_requested" | "review_request_removed") => {
                let reviewer = timeline::requested(e.requested_reviewer.as_ref(), e.requested_team.as_ref(), repo)
                    .ok_or("a review request names neither requested_reviewer nor requested_team")?;
                let kind = if action == "review_requested" {
                    EventKind::ReviewRequested { reviewer }
                } else {
                    EventKind::ReviewRequestRemoved { reviewer }
                };
                (kind, updated, sender)
            }
            _ => return Ok(None),
        },
        webhook::Event::Review(e) => match e.action.as_str() {
            "submitted" => {
                let Some(outcome) = e.review.state.as_deref().and_then(timeline::outcome) else {
                    return Ok(None);
                };
                let at = time(e.review.submitted_at.as_deref()).unwrap_or(received_at);
                (EventKind::ReviewSubmitted { outcome }, at, actor(e.review.user.as_ref()).or(sender))
            }
            "dismissed" => {
                let reviewer = e.review.user.as_ref().ok_or("the dismissed review has no user")?;
                // The payload keeps the review's submission time, not the dismissal's.
                (EventKind::ReviewDismissed { reviewer: Login::new(reviewer.login.as_str()) }, received_at, sender)
            }
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    let pr = pull.number.ok_or("the payload has no pull_request.number")?;
    let who = who.ok_or("the payload has no sender")?;
    let mut context = context.clone();
    if context.author.as_str().is_empty() {
        context.author = Login::new(pull.user.as_ref().map(|u| u.login.as_str()).unwrap_or_default());
    }
    timeline::describe(&mut context, pull);
    Ok(Some(Event { id: id.to_string(), repo: repo.to_string(), pr, at, actor: who, context, kind }))
}

/// The PR's context as its verdict saw it: tier, AI declared and detected, story keys.
pub(crate) fn context_from_verdict(verdict: &Verdict) -> PrContext {
    let mut context = PrContext {
        author: verdict.pr.author.clone(),
        tier: Some(verdict.tier),
        story_keys: verdict.linkage.keys().into_iter().map(String::from).collect(),
        // The delivery's own pull object says title, head branch and labels at the event's moment.
        ..PrContext::default()
    };
    set_ai(&mut context, &verdict.ai);
    context
}

/// The AI part of a context: what the PR declared, and the tools whose markers it carries.
fn set_ai(context: &mut PrContext, ai: &AiVerdict) {
    let detected = ai.detected();
    context.ai_declared = match ai.declared {
        None => AiDeclared::Undeclared,
        Some(Declared::None) => AiDeclared::None,
        Some(Declared::Assisted) => AiDeclared::Assisted,
        Some(Declared::Generated) => AiDeclared::Generated,
    };
    context.ai_detected = !detected.is_empty();
    context.ai_tools = detected.iter().map(|t| t.id().to_string()).collect();
}

/// Records the review events among a unit's deliveries. The context is the verdict's when the
/// PR was just evaluated, else (a closed PR, a policy that does not load) the one recorded last
/// for the PR. A delivery whose payload does not read is skipped with a message: recording is
/// an account of what happened, and one bad payload must not hold up the rest. Returns how many
/// events were new.
pub(crate) async fn record_unit(store: &Store, work: &Work, verdict: Option<&Verdict>) -> Result<u64, StoreError> {
    let deliveries: Vec<_> =
        work.deliveries.iter().filter(|d| matches!(d.event.as_str(), "pull_request" | "pull_request_review")).collect();
    if deliveries.is_empty() {
        return Ok(0);
    }
    let context = match (verdict, work.repo.as_deref(), work.pr.and_then(|n| u64::try_from(n).ok())) {
        (Some(verdict), _, _) => context_from_verdict(verdict),
        (None, Some(repo), Some(pr)) => store.latest_context(repo, pr).await?.unwrap_or_default(),
        _ => PrContext::default(),
    };
    let mut events = Vec::new();
    // The unit's latest moment and the PR's description then, for the notes on its verdict.
    let mut latest: (DateTime<Utc>, Option<String>) = (DateTime::<Utc>::MIN_UTC, None);
    for d in deliveries {
        let received = DateTime::from_timestamp_millis(d.received_at_ms).unwrap_or_default();
        let converted = webhook::Event::parse(&d.event, &d.body).and_then(|delivery| {
            if received >= latest.0 {
                latest = (received, pull_body(&delivery));
            }
            event_from_delivery(&d.id, &delivery, received, &context)
        });
        match converted {
            Ok(Some(event)) => events.push(event),
            Ok(None) => {}
            Err(why) => tracing::warn!(reason = %why, "delivery {} records no review event", d.id),
        }
    }
    if let Some(verdict) = verdict.filter(|_| latest.0 > DateTime::<Utc>::MIN_UTC) {
        events.extend(super::record_notes::notes(verdict, &context, latest.0, latest.1.as_deref()));
    }
    store.record_events(&events).await
}

/// The PR's description as a delivery gives it.
fn pull_body(delivery: &webhook::Event) -> Option<String> {
    match delivery {
        webhook::Event::PullRequest(e) => e.pull_request.body.clone(),
        webhook::Event::Review(e) => e.pull_request.body.clone(),
        _ => None,
    }
}

/// What an import recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub prs: usize,
    /// Events read from the history.
    pub events: usize,
    /// Of those, the ones not stored before.
    pub added: u64,
}

/// Imports the review history of every PR of `repo` updated since `since`: the pull (opened),
/// and its issue timeline. Tier and AI are unknown for history (`None`, undeclared); story keys
/// are read from each title with the linkage trackers of the policy on the PR's base branch, when
/// it loads. One request per PR (per 100 timeline items) plus the listing.
pub async fn backfill(gh: &GitHub, store: &Store, repo: &RepoName, since: DateTime<Utc>) -> anyhow::Result<Imported> {
    let name = repo.to_string();
    let pulls = gh.pulls_updated_since(repo, since).await?;
    let mut trackers: Vec<(String, Option<TrackerSet>)> = Vec::new();
    let mut imported = Imported::default();
    for pull in &pulls {
        let Some(number) = pull.number else {
            continue;
        };
        let base = pull.base.ref_.clone();
        if !trackers.iter().any(|(b, _)| *b == base) {
            let found = match crate::gate::remote::policy_on_base(gh, repo, &base).await {
                Ok(chosen) => Some(chosen.policy.linkage.trackers),
                Err(e) => {
                    tracing::warn!(error = %e, "{name}@{base}: the policy does not load, so no story keys");
                    None
                }
            };
            trackers.push((base.clone(), found));
        }
        let tracker_set = trackers.iter().find(|(b, _)| *b == base).and_then(|(_, t)| t.as_ref());
        let items = gh.timeline(repo, number).await?;
        let events = timeline::pr_history(&name, pull, &items, &context(pull, &name, tracker_set));
        imported.prs += 1;
        imported.events += events.len();
        imported.added += store.record_events(&events).await.context("recording the imported review events")?;
    }
    Ok(imported)
}

/// What an import of saved snapshots read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotHistory {
    pub events: Vec<Event>,
    /// The snapshots whose pull.json says the PR ended (closed or merged) without saying when,
    /// and whose history does not place it either: imported as still open.
    pub undated: Vec<std::path::PathBuf>,
}

/// Imports saved snapshots: `dir` itself when it holds a pull.json, else each directory in it
/// that does. A snapshot's reviews and issue events are its history (no commits: a snapshot's
/// commits.json does not say when each was pushed), and its pull.json's own merge or close when
/// the history does not record it. Ids match a backfill's, so importing both adds each happening
/// once. The context is the one the gate would give the PR, but for its tier: the author, AI
/// declared and detected (by the gate's own detection, on the snapshot's commits, body, branch
/// and labels, under `policy`'s AI settings), and the story keys its title holds under `policy`'s
/// linkage trackers.
pub fn snapshot_events(dir: &Path, policy: &Policy) -> Result<SnapshotHistory, UserError> {
    let mut dirs = Vec::new();
    if dir.join("pull.json").is_file() {
        dirs.push(dir.to_path_buf());
    } else {
        let entries = std::fs::read_dir(dir).map_err(|e| UserError::input(dir, format!("cannot read: {e}")))?;
        for entry in entries {
            let path = entry.map_err(|e| UserError::input(dir, format!("cannot read: {e}")))?.path();
            if path.join("pull.json").is_file() {
                dirs.push(path);
            }
        }
        dirs.sort();
        if dirs.is_empty() {
            return Err(UserError::input(dir, "holds no snapshot: no pull.json in it or in a directory in it"));
        }
    }
    let mut history = SnapshotHistory::default();
    for snapshot in dirs {
        let pull_path = snapshot.join("pull.json");
        let text = read_saved(&snapshot, "pull.json")?
            .ok_or_else(|| UserError::input(&pull_path, "missing; a snapshot needs pull.json"))?;
        // A webhook payload wraps the pull and names the repository beside it.
        let pull = parse::pull::pull(&text, &pull_path)?;
        let repo = pull
            .repo
            .clone()
            .ok_or_else(|| UserError::input(&pull_path, "names no repository (base.repo.full_name)"))?;
        let mut items: Vec<TimelineJson> = Vec::new();
        for (file, kind) in [("events.json", None), ("reviews.json", Some("reviewed"))] {
            let Some(text) = read_saved(&snapshot, file)? else {
                continue;
            };
            let listed: Vec<TimelineJson> =
                parse::list(&text).map_err(|message| UserError::input(&snapshot.join(file), message))?;
            items.extend(listed.into_iter().map(|mut item| {
                if let Some(kind) = kind {
                    item.event = Some(kind.to_string());
                }
                item
            }));
        }
        let mut context = context(&pull.json, &repo, Some(&policy.linkage.trackers));
        set_ai(&mut context, &snapshot_ai(&snapshot, pull.clone(), policy)?);
        let events = timeline::pr_history(&repo, &pull.json, &items, &context);
        let ended = events.iter().any(|e| matches!(e.kind, EventKind::Merged | EventKind::Closed));
        if timeline::undated_end(&pull.json) && !ended {
            history.undated.push(snapshot.clone());
        }
        history.events.extend(events);
    }
    Ok(history)
}

/// The gate's AI judgement of a saved PR: its commits (commits.json), body, branch, author and
/// labels; files.json only says which files AI touched, so a snapshot without it is judged too.
fn snapshot_ai(snapshot: &Path, pull: parse::pull::Pull, policy: &Policy) -> Result<AiVerdict, UserError> {
    let raw = RawSnapshot {
        files: read_saved(snapshot, "files.json")?.unwrap_or_else(|| "[]".into()),
        commits: read_saved(snapshot, "commits.json")?,
        ..RawSnapshot::default()
    };
    let parsed = parse::pull::with_lists(pull, &raw, snapshot)?;
    Ok(crate::policy::ai::evaluate(&policy.ai, &parsed.facts))
}

/// The digest of `window` from the stored events of the PRs active in it (`repos` limits the
/// repositories), read a PR at a time, without tracing chains ([`crate::gate::digest`] for that).
pub async fn digest(
    store: &Store,
    config: LatencyConfig,
    window: Window,
    now: DateTime<Utc>,
    repos: Option<&[String]>,
) -> Result<Digest, StoreError> {
    Ok(crate::gate::digest::builder(store, config, window, now, repos).await?.finish())
}

/// A PR's context when only its pull object is known.
fn context(pull: &PullJson, repo: &str, trackers: Option<&TrackerSet>) -> PrContext {
    let mut context = timeline::bare_context(pull);
    if let (Some(trackers), Some(title)) = (trackers, pull.title.as_deref()) {
        for found in keys::extract(title, Source::Title, trackers, Some(repo)) {
            if !context.story_keys.contains(&found.key) {
                context.story_keys.push(found.key);
            }
        }
    }
    context
}

/// A snapshot file's text under the snapshot's rules (its size cap, no link out of its
/// directory); `None` when it is not there.
fn read_saved(snapshot: &Path, name: &str) -> Result<Option<String>, UserError> {
    crate::snapshot::read_beside_checked(snapshot, name)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::latency::{Actor, ReviewOutcome, Reviewer};
    use crate::policy::Tier;

    const OPENED: &str = include_str!("../../tests/fixtures/webhooks/pull_request.opened.payload.json");
    const REVIEWED: &str = include_str!("../../tests/fixtures/webhooks/pull_request_review.submitted.payload.json");
    const LABELED: &str = include_str!("../../tests/fixtures/webhooks/pull_request.labeled.payload.json");

    fn payload(text: &str) -> Value {
        serde_json::from_str(text).expect("a fixture")
    }

    fn context() -> PrContext {
        PrContext {
            author: Login::new("Codertocat"),
            tier: Some(Tier::Red),
            ai_declared: AiDeclared::Assisted,
            ai_detected: true,
            ai_tools: vec!["claude".into()],
            story_keys: vec!["ABC-1".into()],
            ..PrContext::default()
        }
    }

    fn received() -> DateTime<Utc> {
        time(Some("2019-05-15T16:00:00Z")).expect("a time")
    }

    /// The `opened` payload turned into another action, as GitHub sends it.
    fn pull_request(action: &str, change: impl FnOnce(&mut Value)) -> Value {
        let mut p = payload(OPENED);
        p["action"] = json!(action);
        p["pull_request"]["updated_at"] = json!("2019-05-15T15:30:00Z");
        change(&mut p);
        p
    }

    /// The delivery read as the worker reads it, then as a review event.
    fn try_convert(event: &str, p: &Value, context: &PrContext) -> Result<Option<Event>, String> {
        let body = serde_json::to_vec(p).expect("JSON");
        webhook::Event::parse(event, &body).and_then(|d| event_from_delivery("guid-1", &d, received(), context))
    }

    fn convert(event: &str, p: &Value) -> Option<Event> {
        try_convert(event, p, &context()).expect("reads")
    }

    fn at(text: &str) -> DateTime<Utc> {
        time(Some(text)).expect("a time")
    }

    #[test]
    fn an_opened_pr_is_recorded_when_it_was_created_with_the_verdicts_context() {
        let e = convert("pull_request", &payload(OPENED)).expect("an event");
        // The verdict's context, with the payload's title, head branch and labels for the
        // digest's exclusions.
        let context = PrContext {
            title: Some("Update the README with new information.".into()),
            head_branch: Some("changes".into()),
            labels: vec!["bug".into()],
            ..context()
        };
        assert_eq!(
            e,
            Event {
                id: "guid-1".into(),
                repo: "Codertocat/Hello-World".into(),
                pr: 2,
                at: at("2019-05-15T15:20:33Z"),
                actor: Actor::new("Codertocat", "User"),
                context,
                kind: EventKind::Opened { draft: false },
            }
        );
        let draft = pull_request("opened", |p| p["pull_request"]["draft"] = json!(true));
        assert_eq!(convert("pull_request", &draft).expect("an event").kind, EventKind::Opened { draft: true });
        // A later delivery carries the PR as it is then: renamed, relabelled.
        let renamed = pull_request("synchronize", |p| {
            p["pull_request"]["title"] = json!("Revert \"Update the README\"");
            p["pull_request"]["labels"] = json!([{ "name": "no-metrics" }]);
        });
        let later = convert("pull_request", &renamed).expect("an event").context;
        assert_eq!(later.title.as_deref(), Some("Revert \"Update the README\""));
        assert_eq!(later.labels, vec!["no-metrics".to_string()]);
    }

    #[test]
    fn a_submitted_review_is_the_reviewers_at_its_submission() {
        let e = convert("pull_request_review", &payload(REVIEWED)).expect("an event");
        assert_eq!(e.kind, EventKind::ReviewSubmitted { outcome: ReviewOutcome::Commented });
        assert_eq!((e.actor.login.as_str(), e.at), ("Codertocat", at("2019-05-15T15:20:38Z")));
        for (state, outcome) in
            [("approved", ReviewOutcome::Approved), ("changes_requested", ReviewOutcome::ChangesRequested)]
        {
            let mut p = payload(REVIEWED);
            p["review"]["state"] = json!(state);
            p["review"]["user"] = json!({ "login": "hubot", "type": "User" });
            let e = convert("pull_request_review", &p).expect("an event");
            assert_eq!((e.kind, e.actor.login.as_str()), (EventKind::ReviewSubmitted { outcome }, "hubot"));
        }
        let mut pending = payload(REVIEWED);
        pending["review"]["state"] = json!("pending");
        assert_eq!(convert("pull_request_review", &pending), None, "a pending review is a draft");
    }

    #[test]
    fn a_dismissal_names_the_reviewer_whose_review_it_was() {
        let mut p = payload(REVIEWED);
        p["action"] = json!("dismissed");
        p["review"]["user"] = json!({ "login": "hubot", "type": "User" });
        let e = convert("pull_request_review", &p).expect("an event");
        assert_eq!(e.kind, EventKind::ReviewDismissed { reviewer: Login::new("hubot") });
        assert_eq!((e.actor.login.as_str(), e.at), ("Codertocat", received()), "the sender dismissed it, now");
    }

    #[test]
    fn requests_name_a_person_or_the_owners_team() {
        let person = pull_request("review_requested", |p| {
            p["requested_reviewer"] = json!({ "login": "hubot", "type": "User" });
        });
        let e = convert("pull_request", &person).expect("an event");
        assert_eq!(e.kind, EventKind::ReviewRequested { reviewer: Reviewer::user("hubot") });
        assert_eq!(e.at, at("2019-05-15T15:30:00Z"), "when the request changed the PR");
        let team = pull_request("review_request_removed", |p| {
            p["requested_team"] = json!({ "name": "Security", "slug": "security" });
        });
        let e = convert("pull_request", &team).expect("an event");
        assert_eq!(e.kind, EventKind::ReviewRequestRemoved { reviewer: Reviewer::team("Codertocat/security") });
        let neither = pull_request("review_requested", |_| {});
        let why = try_convert("pull_request", &neither, &context()).expect_err("says");
        assert!(why.contains("requested_reviewer"), "{why}");
    }

    #[test]
    fn every_state_change_of_the_pr_is_an_event() {
        let cases = [
            ("ready_for_review", EventKind::ReadyForReview),
            ("converted_to_draft", EventKind::ConvertedToDraft),
            ("synchronize", EventKind::Synchronize),
            ("reopened", EventKind::Reopened),
        ];
        for (action, kind) in cases {
            let e = convert("pull_request", &pull_request(action, |_| {})).expect("an event");
            assert_eq!((e.kind, e.at), (kind, at("2019-05-15T15:30:00Z")), "{action}");
        }
        let merged = pull_request("closed", |p| {
            p["pull_request"]["merged"] = json!(true);
            p["pull_request"]["merged_at"] = json!("2019-05-15T15:40:00Z");
            p["pull_request"]["closed_at"] = json!("2019-05-15T15:40:00Z");
        });
        let e = convert("pull_request", &merged).expect("an event");
        assert_eq!((e.kind, e.at), (EventKind::Merged, at("2019-05-15T15:40:00Z")));
        let closed = pull_request("closed", |p| p["pull_request"]["closed_at"] = json!("2019-05-15T15:50:00Z"));
        let e = convert("pull_request", &closed).expect("an event");
        assert_eq!((e.kind, e.at), (EventKind::Closed, at("2019-05-15T15:50:00Z")));
    }

    #[test]
    fn labels_and_edits_are_no_review_event() {
        assert_eq!(convert("pull_request", &payload(LABELED)), None);
        assert_eq!(convert("pull_request", &pull_request("edited", |_| {})), None);
        assert!(!matches!(try_convert("issue_comment", &payload(OPENED), &context()), Ok(Some(_))));
    }

    #[test]
    fn a_payload_missing_its_pull_request_says_so() {
        let mut p = pull_request("synchronize", |_| {});
        p["pull_request"] = json!({});
        let why = try_convert("pull_request", &p, &context()).expect_err("says");
        assert!(why.contains("missing field `head`"), "{why}");
        let mut p = pull_request("synchronize", |_| {});
        p["pull_request"].as_object_mut().expect("an object").remove("number");
        let why = try_convert("pull_request", &p, &context()).expect_err("says");
        assert!(why.contains("pull_request.number"), "{why}");
    }

    #[test]
    fn without_a_recorded_context_the_author_comes_from_the_payload() {
        let e = try_convert("pull_request", &payload(OPENED), &PrContext::default()).expect("reads").expect("an event");
        assert_eq!((e.context.author.as_str(), e.context.tier), ("Codertocat", None));
    }
}
