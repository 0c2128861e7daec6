//! A pull request's history read as review events: the pull object with its issue timeline (what
//! `flowgate backfill` fetches), or a snapshot's reviews and issue events, which share the
//! timeline's shapes. Pure: parsed answers in, events out; nothing here asks GitHub anything.
//!
//! Ids are `timeline:{repo}#{pr}:{kind}:{id}`: the same object read again (another backfill, the
//! same PR in a snapshot) has the same id, so importing it twice adds nothing. What the history
//! leaves out is taken from the pull object, under ids of its own (`pull:merged`, `pull:closed`),
//! just as stable: its merge or close, and the dismissal of a review no dismissal event names.

use chrono::{DateTime, Utc};

use super::shapes::{PullJson, TeamJson, TimelineJson, UserJson};
use super::time;
use crate::latency::{Actor, Event, EventKind, PrContext, ReviewOutcome, Reviewer};
use crate::model::Login;

/// `user` (or `actor`) as an actor: its login and whether GitHub types it a bot.
pub fn actor(user: Option<&UserJson>) -> Option<Actor> {
    let user = user.filter(|u| !u.login.is_empty())?;
    Some(Actor::new(user.login.as_str(), user.account_type.as_deref().unwrap_or("User")))
}

/// A review's state, in the webhook's lower case or the REST API's upper case. Pending reviews are
/// drafts nobody else sees, and a dismissed one no longer says what it was: both `None`.
pub fn outcome(state: &str) -> Option<ReviewOutcome> {
    match state.to_ascii_lowercase().as_str() {
        "approved" => Some(ReviewOutcome::Approved),
        "changes_requested" => Some(ReviewOutcome::ChangesRequested),
        "commented" => Some(ReviewOutcome::Commented),
        _ => None,
    }
}

/// Whom a review request (or its removal) names: `requested_reviewer` or `requested_team`. A team
/// is named `owner/slug`, the repository's owner being the team's organisation.
pub fn requested(user: Option<&UserJson>, team: Option<&TeamJson>, repo: &str) -> Option<Reviewer> {
    if let Some(user) = user {
        return Some(Reviewer::user(user.login.as_str()));
    }
    let slug = &team?.slug;
    let owner = repo.split_once('/').map_or(repo, |(owner, _)| owner);
    Some(Reviewer::team(format!("{owner}/{slug}")))
}

/// The context a PR had when nothing evaluated it: its author, no tier, no AI declaration or
/// detection, and no story keys (finding them needs the policy's linkage settings).
pub fn bare_context(pull: &PullJson) -> PrContext {
    let mut context = PrContext {
        author: Login::new(pull.user.as_ref().map(|u| u.login.as_str()).unwrap_or_default()),
        ..PrContext::default()
    };
    describe(&mut context, pull);
    context
}

/// The pull object's title, head branch and labels into `context`, as the digest's exclusions
/// read them.
pub fn describe(context: &mut PrContext, pull: &PullJson) {
    context.title = pull.title.clone();
    context.head_branch = Some(pull.head.ref_.clone()).filter(|b| !b.is_empty());
    context.labels = pull.labels.iter().map(|l| l.name.clone()).collect();
}

/// Every review event in a PR's history: `opened` from the pull object, then one per timeline
/// item that is a review-flow event, in the items' order, then the pull's own merge or close when
/// no item records it. `items` are timeline items, or issue events and reviews (a review without
/// an `event` field is read as `reviewed`). Items without a time are skipped, since an event at a
/// guessed time would distort every wait it touches. A dismissed review stays a review (someone
/// answered the PR then), followed by its dismissal: the item's, else one a second after it.
pub fn pr_history(repo: &str, pull: &PullJson, items: &[TimelineJson], context: &PrContext) -> Vec<Event> {
    let Some(pr) = pull.number else {
        return Vec::new();
    };
    let author = actor(pull.user.as_ref()).unwrap_or_else(|| Actor::login(context.author.as_str()));
    let created = time(pull.created_at.as_deref());
    let new = |suffix: &str, at: DateTime<Utc>, actor: Actor, kind: EventKind| Event {
        id: format!("timeline:{repo}#{pr}:{suffix}"),
        repo: repo.to_string(),
        pr,
        at,
        actor,
        context: context.clone(),
        kind,
    };
    let mut events = Vec::new();
    if let Some(created) = created {
        // The pull says whether it is a draft now; the first draft change says what it was at first.
        let first_change = items.iter().find_map(|i| match kind_of(i) {
            "ready_for_review" => Some(true),
            "convert_to_draft" => Some(false),
            _ => None,
        });
        let draft = first_change.unwrap_or_else(|| pull.draft.unwrap_or(false));
        events.push(new("opened", created, author.clone(), EventKind::Opened { draft }));
    }
    // GitHub's timeline shows a merge as `merged` and then `closed`: one event, the merge (the
    // pull's own `merged_at` when the history has no `merged` item).
    let merged_at = items
        .iter()
        .filter(|i| kind_of(i) == "merged")
        .find_map(|i| time(i.created_at.as_deref()))
        .or_else(|| time(pull.merged_at.as_deref()));
    for item in items {
        let kind = kind_of(item);
        let at = time(if kind == "reviewed" { item.submitted_at.as_deref() } else { item.created_at.as_deref() });
        let who = actor(item.actor.as_ref()).or_else(|| actor(item.user.as_ref()));
        let request = || requested(item.requested_reviewer.as_ref(), item.requested_team.as_ref(), repo);
        let converted = match kind {
            "ready_for_review" => Some(EventKind::ReadyForReview),
            "convert_to_draft" => Some(EventKind::ConvertedToDraft),
            "review_requested" => request().map(|reviewer| EventKind::ReviewRequested { reviewer }),
            "review_request_removed" => request().map(|reviewer| EventKind::ReviewRequestRemoved { reviewer }),
            "reviewed" => review_outcome(item, items).map(|outcome| EventKind::ReviewSubmitted { outcome }),
            "review_dismissed" => {
                dismissed_reviewer(item, items).map(|reviewer| EventKind::ReviewDismissed { reviewer })
            }
            "head_ref_force_pushed" => Some(EventKind::Synchronize),
            "merged" => Some(EventKind::Merged),
            "closed" if merged_at.is_some_and(|merged| at.is_some_and(|at| at >= merged)) => None,
            "closed" => Some(EventKind::Closed),
            "reopened" => Some(EventKind::Reopened),
            "committed" => {
                // A commit carries its own date, not its push's; those from before the PR was
                // opened were in it from the start.
                let at = time(item.committer.as_ref().and_then(|c| c.date.as_deref()));
                match (at, created) {
                    (Some(at), Some(created)) if at > created => {
                        let sha = item.sha.as_deref().unwrap_or_default();
                        events.push(new(&format!("commit:{sha}"), at, author.clone(), EventKind::Synchronize));
                    }
                    _ => {}
                }
                None
            }
            _ => None,
        };
        let (Some(converted), Some(at), Some(who)) = (converted, at, who) else {
            continue;
        };
        let id = item_id(item, kind, at);
        let dismissed_unseen = kind == "reviewed" && is_dismissed(item) && !dismissal_listed(item, items);
        events.push(new(&id, at, who.clone(), converted));
        if dismissed_unseen && let Some(reviewer) = item.user.as_ref().filter(|u| !u.login.is_empty()) {
            // No dismissal event says when: right after the review, so its approval never stands.
            let kind = EventKind::ReviewDismissed { reviewer: Login::new(reviewer.login.as_str()) };
            events.push(new(&format!("{id}:dismissed"), at + chrono::TimeDelta::seconds(1), who, kind));
        }
    }
    events.extend(pull_end(pull, items, &author).map(|(suffix, at, actor, kind)| new(suffix, at, actor, kind)));
    events
}

/// The pull's merge or close, from its own `merged_at` / `closed_at`, when the history does not
/// record it: no dated `merged` item for a merge; for a close, a history that does not already end
/// closed (its last dated `closed` or `reopened` item). `None` for an open pull, and for one whose end
/// has no time ([`undated_end`] says so).
fn pull_end(
    pull: &PullJson,
    items: &[TimelineJson],
    author: &Actor,
) -> Option<(&'static str, DateTime<Utc>, Actor, EventKind)> {
    // Only items with a time are in the history; one without records nothing.
    let dated = || items.iter().filter(|i| time(i.created_at.as_deref()).is_some());
    if let Some(merged) = time(pull.merged_at.as_deref()) {
        if dated().any(|i| kind_of(i) == "merged") {
            return None;
        }
        let by = actor(pull.merged_by.as_ref()).unwrap_or_else(|| author.clone());
        return Some(("pull:merged", merged, by, EventKind::Merged));
    }
    if pull.merged == Some(true) || !is_closed(pull) {
        return None;
    }
    let closed = time(pull.closed_at.as_deref())?;
    let last_change = dated().rfind(|i| matches!(kind_of(i), "closed" | "reopened" | "merged"));
    if last_change.is_some_and(|i| kind_of(i) != "reopened") {
        return None;
    }
    Some(("pull:closed", closed, author.clone(), EventKind::Closed))
}

/// `closed` as GitHub's `state` says, or a `closed_at` on a pull whose state is not given.
fn is_closed(pull: &PullJson) -> bool {
    match pull.state.as_deref() {
        Some(state) => state.eq_ignore_ascii_case("closed"),
        None => pull.closed_at.is_some(),
    }
}

/// The pull says it was merged or closed but not when: its end cannot be placed in the history.
pub fn undated_end(pull: &PullJson) -> bool {
    let merged = pull.merged == Some(true) || pull.merged_at.is_some();
    let placed = time(pull.merged_at.as_deref()).or_else(|| time(pull.closed_at.as_deref())).is_some();
    (merged || is_closed(pull)) && !placed
}

/// The item's kind: its `event`, or `reviewed` for a bare review object (a snapshot's reviews.json).
pub fn kind_of(item: &TimelineJson) -> &str {
    match item.event.as_deref() {
        Some(kind) => kind,
        None if item.state.is_some() && item.submitted_at.is_some() => "reviewed",
        None => "",
    }
}

/// The kind and the object's numeric id (unique within its kind: an issue event's, a review's);
/// else its global node id; else the kind and time.
fn item_id(item: &TimelineJson, kind: &str, at: DateTime<Utc>) -> String {
    match (item.id, item.node_id.as_deref()) {
        (Some(id), _) => format!("{kind}:{id}"),
        (None, Some(node)) if !node.is_empty() => node.to_string(),
        _ => format!("{kind}:{}", at.timestamp()),
    }
}

/// A review's outcome; a dismissed review's is the one its dismissal records, else a comment: it
/// was an answer, and what it decided no longer stands.
fn review_outcome(review: &TimelineJson, items: &[TimelineJson]) -> Option<ReviewOutcome> {
    let state = review.state.as_deref()?;
    if !is_dismissed(review) {
        return outcome(state);
    }
    let recorded = review.id.and_then(|id| {
        items
            .iter()
            .filter(|i| kind_of(i) == "review_dismissed")
            .filter_map(|i| i.dismissed_review.as_ref())
            .find(|d| d.review_id == Some(id))
            .and_then(|d| d.state.as_deref())
            .and_then(outcome)
    });
    Some(recorded.unwrap_or(ReviewOutcome::Commented))
}

fn is_dismissed(review: &TimelineJson) -> bool {
    review.state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("dismissed"))
}

/// Whether a `review_dismissed` item of the history names this review.
fn dismissal_listed(review: &TimelineJson, items: &[TimelineJson]) -> bool {
    review.id.is_some_and(|id| {
        items
            .iter()
            .filter(|i| kind_of(i) == "review_dismissed")
            .any(|i| i.dismissed_review.as_ref().and_then(|d| d.review_id) == Some(id))
    })
}

/// The author of the review a dismissal names, found among the history's reviews.
fn dismissed_reviewer(dismissal: &TimelineJson, items: &[TimelineJson]) -> Option<Login> {
    let id = dismissal.dismissed_review.as_ref()?.review_id?;
    items
        .iter()
        .filter(|i| kind_of(i) == "reviewed")
        .find(|i| i.id == Some(id))
        .and_then(|i| i.user.as_ref())
        .map(|u| Login::new(u.login.as_str()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pull() -> PullJson {
        typed(json!({ "number": 7, "title": "ABC-1 login", "draft": false, "created_at": "2025-03-03T09:00:00Z",
                "user": { "login": "ann", "type": "User" }, "head": { "ref": "abc-1" }, "base": { "ref": "main" } }))
    }

    fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
        serde_json::from_value(value).expect("GitHub's shape")
    }

    fn kinds(events: &[Event]) -> Vec<(String, EventKind)> {
        events.iter().map(|e| (e.id.clone(), e.kind.clone())).collect()
    }

    #[test]
    fn a_timeline_becomes_the_prs_review_events_with_stable_ids() {
        let items: Vec<TimelineJson> = typed(json!([
            json!({ "event": "ready_for_review", "id": 10, "actor": { "login": "ann", "type": "User" },
                    "created_at": "2025-03-03T10:00:00Z" }),
            json!({ "event": "review_requested", "id": 11, "actor": { "login": "ann", "type": "User" },
                    "created_at": "2025-03-03T10:00:00Z", "requested_reviewer": { "login": "bob", "type": "User" } }),
            json!({ "event": "review_requested", "id": 12, "actor": { "login": "ann", "type": "User" },
                    "created_at": "2025-03-03T10:00:00Z", "requested_team": { "slug": "security" } }),
            // Committed before the PR was opened: part of it from the start.
            json!({ "event": "committed", "sha": "aaa", "committer": { "date": "2025-03-02T09:00:00Z" } }),
            json!({ "event": "reviewed", "id": 20, "user": { "login": "bob", "type": "User" }, "state": "DISMISSED",
                    "submitted_at": "2025-03-03T11:00:00Z" }),
            json!({ "event": "review_dismissed", "id": 13, "actor": { "login": "ann", "type": "User" },
                    "created_at": "2025-03-03T11:30:00Z",
                    "dismissed_review": { "state": "approved", "review_id": 20 } }),
            json!({ "event": "committed", "sha": "bbb", "committer": { "date": "2025-03-03T12:00:00Z" } }),
            json!({ "event": "reviewed", "id": 21, "user": { "login": "bob", "type": "User" }, "state": "PENDING",
                    "submitted_at": "2025-03-03T12:30:00Z" }),
            json!({ "event": "labeled", "id": 14, "actor": { "login": "ann", "type": "User" },
                    "created_at": "2025-03-03T12:40:00Z" }),
            json!({ "event": "merged", "id": 15, "actor": { "login": "ann", "type": "User" },
                    "created_at": "2025-03-03T13:00:00Z" }),
            json!({ "event": "closed", "id": 16, "actor": { "login": "ann", "type": "User" },
                    "created_at": "2025-03-03T13:00:00Z" }),
        ]));
        let events = pr_history("acme/shop", &pull(), &items, &bare_context(&pull()));
        let id = |s: &str| format!("timeline:acme/shop#7:{s}");
        assert_eq!(
            kinds(&events),
            vec![
                (id("opened"), EventKind::Opened { draft: true }),
                (id("ready_for_review:10"), EventKind::ReadyForReview),
                (id("review_requested:11"), EventKind::ReviewRequested { reviewer: Reviewer::user("bob") }),
                (id("review_requested:12"), EventKind::ReviewRequested { reviewer: Reviewer::team("acme/security") }),
                (id("reviewed:20"), EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved }),
                (id("review_dismissed:13"), EventKind::ReviewDismissed { reviewer: Login::new("bob") }),
                (id("commit:bbb"), EventKind::Synchronize),
                (id("merged:15"), EventKind::Merged),
            ]
        );
        assert_eq!(events[4].actor.login.as_str(), "bob", "the reviewer is the review's actor");
        assert!(events.iter().all(|e| e.context.author.as_str() == "ann" && e.context.tier.is_none()));
        assert_eq!(events, pr_history("acme/shop", &pull(), &items, &bare_context(&pull())), "the same twice");
    }

    #[test]
    fn a_snapshots_reviews_read_as_reviewed_and_a_close_without_merge_stays() {
        let items: Vec<TimelineJson> = typed(json!([
            json!({ "id": 1, "user": { "login": "bob", "type": "User" }, "state": "CHANGES_REQUESTED",
                    "submitted_at": "2025-03-03T11:00:00Z" }),
            json!({ "event": "closed", "id": 16, "actor": { "login": "ann", "type": "User" },
                    "created_at": "2025-03-04T13:00:00Z" }),
            json!({ "event": "reopened", "id": 17, "actor": { "login": "ann", "type": "User" } }),
        ]));
        let events = pr_history("acme/shop", &pull(), &items, &PrContext::default());
        let kinds: Vec<EventKind> = events.into_iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                EventKind::Opened { draft: false },
                EventKind::ReviewSubmitted { outcome: ReviewOutcome::ChangesRequested },
                EventKind::Closed,
            ],
            "a reopening without a time is left out"
        );
    }

    /// The pull object with `fields` set (its state, merge and close).
    fn ended(fields: serde_json::Value) -> PullJson {
        let mut pull = json!({ "number": 7, "created_at": "2025-03-03T09:00:00Z",
            "user": { "login": "ann", "type": "User" }, "head": { "ref": "abc-1" }, "base": { "ref": "main" } });
        if let (Some(pull), Some(fields)) = (pull.as_object_mut(), fields.as_object()) {
            pull.extend(fields.clone());
        }
        typed(pull)
    }

    fn at(text: &str) -> DateTime<Utc> {
        time(Some(text)).expect("a time")
    }

    #[test]
    fn without_a_history_of_its_end_the_pull_says_how_it_ended() {
        let merged = ended(json!({ "state": "closed", "merged": true, "merged_at": "2025-03-04T10:00:00Z",
            "closed_at": "2025-03-04T10:00:00Z", "merged_by": { "login": "carol", "type": "User" } }));
        let events = pr_history("acme/shop", &merged, &[], &PrContext::default());
        let last = events.last().expect("events");
        let want = ("timeline:acme/shop#7:pull:merged", EventKind::Merged, at("2025-03-04T10:00:00Z"), "carol");
        assert_eq!((last.id.as_str(), last.kind.clone(), last.at, last.actor.login.as_str()), want);
        assert_eq!(events, pr_history("acme/shop", &merged, &[], &PrContext::default()), "the same id again");
        assert!(!undated_end(&merged));

        let closed = ended(json!({ "state": "closed", "closed_at": "2025-03-05T10:00:00Z", "merged_at": null }));
        let events = pr_history("acme/shop", &closed, &[], &PrContext::default());
        assert_eq!(kinds(&events[1..]), vec![("timeline:acme/shop#7:pull:closed".to_string(), EventKind::Closed)]);
        assert_eq!(events[1].at, at("2025-03-05T10:00:00Z"));

        let open = ended(json!({ "state": "open", "closed_at": null }));
        assert_eq!(pr_history("acme/shop", &open, &[], &PrContext::default()).len(), 1, "opened only");

        let undated = ended(json!({ "state": "closed" }));
        assert_eq!(pr_history("acme/shop", &undated, &[], &PrContext::default()).len(), 1, "no guessed time");
        assert!(undated_end(&undated) && undated_end(&ended(json!({ "merged": true }))));
        assert!(!undated_end(&open) && !undated_end(&closed));
    }

    #[test]
    fn a_history_that_records_the_end_is_not_given_it_twice() {
        let merged = ended(json!({ "state": "closed", "merged_at": "2025-03-04T10:00:00Z",
            "closed_at": "2025-03-04T10:00:00Z" }));
        let actor = json!({ "login": "ann", "type": "User" });
        let items: Vec<TimelineJson> = typed(json!([
            { "event": "merged", "id": 15, "actor": actor, "created_at": "2025-03-04T10:00:00Z" },
            { "event": "closed", "id": 16, "actor": actor, "created_at": "2025-03-04T10:00:00Z" },
        ]));
        let events = pr_history("acme/shop", &merged, &items, &PrContext::default());
        assert_eq!(kinds(&events[1..]), vec![("timeline:acme/shop#7:merged:15".to_string(), EventKind::Merged)]);
        // A close listed without its merge is still the merge, once.
        let events = pr_history("acme/shop", &merged, &items[1..], &PrContext::default());
        assert_eq!(kinds(&events[1..]), vec![("timeline:acme/shop#7:pull:merged".to_string(), EventKind::Merged)]);
        // A merge listed without a time records nothing: the pull's time places it.
        let undated: Vec<TimelineJson> = typed(json!([{ "event": "merged", "id": 15, "actor": actor }]));
        let events = pr_history("acme/shop", &merged, &undated, &PrContext::default());
        assert_eq!(kinds(&events[1..]), vec![("timeline:acme/shop#7:pull:merged".to_string(), EventKind::Merged)]);

        let closed = ended(json!({ "state": "closed", "closed_at": "2025-03-06T10:00:00Z" }));
        let items: Vec<TimelineJson> = typed(json!([
            { "event": "closed", "id": 16, "actor": actor, "created_at": "2025-03-04T10:00:00Z" },
            { "event": "reopened", "id": 17, "actor": actor, "created_at": "2025-03-05T10:00:00Z" },
        ]));
        let events = pr_history("acme/shop", &closed, &items, &PrContext::default());
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids[1..],
            ["timeline:acme/shop#7:closed:16", "timeline:acme/shop#7:reopened:17", "timeline:acme/shop#7:pull:closed"],
            "closed again after the reopening"
        );
        let events = pr_history("acme/shop", &closed, &items[..1], &PrContext::default());
        assert_eq!(events.len(), 2, "the history already ends closed");
    }

    #[test]
    fn a_dismissed_review_without_its_dismissal_is_a_review_then_withdrawn() {
        let items: Vec<TimelineJson> = typed(json!([
            { "id": 20, "user": { "login": "bob", "type": "User" }, "state": "DISMISSED",
              "submitted_at": "2025-03-03T11:00:00Z" },
        ]));
        let events = pr_history("acme/shop", &pull(), &items, &bare_context(&pull()));
        assert_eq!(
            kinds(&events[1..]),
            vec![
                (
                    "timeline:acme/shop#7:reviewed:20".to_string(),
                    EventKind::ReviewSubmitted { outcome: ReviewOutcome::Commented }
                ),
                (
                    "timeline:acme/shop#7:reviewed:20:dismissed".to_string(),
                    EventKind::ReviewDismissed { reviewer: Login::new("bob") }
                ),
            ]
        );
        assert_eq!((events[1].at, events[2].at), (at("2025-03-03T11:00:00Z"), at("2025-03-03T11:00:01Z")));
    }

    #[test]
    fn a_pull_without_a_number_has_no_history() {
        let without: PullJson = typed(json!({ "head": { "ref": "x" }, "base": { "ref": "main" } }));
        assert!(pr_history("acme/shop", &without, &[], &PrContext::default()).is_empty());
    }
}
