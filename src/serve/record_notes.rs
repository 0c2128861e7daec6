//! The notes the App records beside a PR's review events about its own judgement: an accepted
//! override (who applied the label, and the reason the description gives) and the linkage
//! exemption a PR went without a story under. Each is recorded once per PR and value (its id
//! says which), so the digest's hygiene section can list them.

use chrono::{DateTime, Utc};

use crate::latency::{Actor, Event, EventKind, ExemptRule, LinkageExemption, PrContext};
use crate::policy::verdict::{Exemption, Verdict};

/// A reason longer than this is cut: the digest shows one line of it.
const MAX_REASON_CHARS: usize = 200;
/// The line of the PR's description that says why it was overridden.
const REASON_KEY: &str = "override-reason:";

/// The notes `verdict` carries, at `at`, with `context`; `body` is the PR's description as the
/// unit's latest delivery gave it.
pub(crate) fn notes(verdict: &Verdict, context: &PrContext, at: DateTime<Utc>, body: Option<&str>) -> Vec<Event> {
    let (Some(repo), Some(pr)) = (verdict.pr.repo.as_deref(), verdict.pr.number) else { return Vec::new() };
    let event = |id: String, actor: Actor, kind: EventKind| Event {
        id,
        repo: repo.to_string(),
        pr,
        at,
        actor,
        context: context.clone(),
        kind,
    };
    let mut out = Vec::new();
    if let Some(o) = verdict.override_.as_ref().filter(|o| o.accepted)
        && let Some(by) = &o.applied_by
    {
        let id = format!("override:{repo}#{pr}:{}:{}", o.label, by.as_str().to_ascii_lowercase());
        let kind = EventKind::OverrideAccepted { label: o.label.clone(), reason: body.and_then(reason) };
        out.push(event(id, Actor::login(by.as_str()), kind));
    }
    if let Some(exemption) = &verdict.linkage.exemption {
        let (rule, value) = match exemption {
            Exemption::Author(login) => (ExemptRule::Author, login.as_str().to_string()),
            Exemption::Label(label) => (ExemptRule::Label, label.clone()),
            Exemption::Tier(tier) => (ExemptRule::Tier, tier.id().to_string()),
            Exemption::Title(pattern) => (ExemptRule::Title, pattern.clone()),
            Exemption::Branch(pattern) => (ExemptRule::Branch, pattern.clone()),
        };
        let id = format!("exempt:{repo}#{pr}:{}:{value}", serde_json::json!(rule).as_str().unwrap_or_default());
        let actor = Actor::login(verdict.pr.author.as_str());
        out.push(event(id, actor, EventKind::LinkageExempt { exemption: LinkageExemption { rule, value } }));
    }
    out
}

/// The text after the description's first `Override-Reason:` line (any case), one line, cut to
/// [`MAX_REASON_CHARS`]; `None` when there is none or it is empty.
fn reason(body: &str) -> Option<String> {
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| l.get(..REASON_KEY.len()).is_some_and(|key| key.eq_ignore_ascii_case(REASON_KEY)))?;
    let text = line[REASON_KEY.len()..].trim();
    (!text.is_empty()).then(|| text.chars().take(MAX_REASON_CHARS).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Login;
    use crate::policy::verdict::OverrideVerdict;

    #[test]
    fn an_accepted_override_and_an_exemption_become_notes_recorded_once_in_the_stored_shape() {
        let mut verdict = crate::wording::verdict::tests::verdict("docs-only");
        (verdict.pr.repo, verdict.pr.number) = (Some("acme/api".into()), Some(7));
        (verdict.override_, verdict.linkage.exemption) = (None, None);
        let at: DateTime<Utc> = "2025-03-04T10:00:00Z".parse().expect("a time");
        assert!(notes(&verdict, &PrContext::default(), at, None).is_empty(), "nothing to note");
        verdict.override_ = Some(OverrideVerdict {
            label: "flowgate-override".into(),
            applied_by: Some(Login::new("Alice")),
            accepted: true,
        });
        verdict.linkage.exemption = Some(Exemption::Label("skip-story".into()));
        let body = "Fix.\nOverride-Reason: hotfix for INC-42";
        let stored: Vec<serde_json::Value> = notes(&verdict, &PrContext::default(), at, Some(body))
            .iter()
            .map(|e| serde_json::json!({ "id": e.id, "actor": e.actor.login.as_str(), "kind": e.kind }))
            .collect();
        assert_eq!(
            stored,
            [
                serde_json::json!({ "id": "override:acme/api#7:flowgate-override:alice", "actor": "Alice",
                    "kind": { "event": "override_accepted", "label": "flowgate-override", "reason": "hotfix for INC-42" } }),
                serde_json::json!({ "id": "exempt:acme/api#7:label:skip-story", "actor": verdict.pr.author.as_str(),
                    "kind": { "event": "linkage_exempt", "exemption": { "rule": "label", "value": "skip-story" } } }),
            ]
        );
        verdict.override_ =
            Some(OverrideVerdict { label: "x".into(), applied_by: Some(Login::new("eve")), accepted: false });
        verdict.linkage.exemption = None;
        assert!(notes(&verdict, &PrContext::default(), at, Some(body)).is_empty(), "an ignored label is no override");
    }

    #[test]
    fn the_reason_is_the_first_override_reason_line_cut_to_one_line() {
        let body =
            "Fixes the outage.\n\noverride-REASON:  hotfix for INC-42, story to follow \nOverride-Reason: second";
        assert_eq!(reason(body).as_deref(), Some("hotfix for INC-42, story to follow"));
        assert_eq!(reason("Override-Reason:   \n"), None, "an empty reason is no reason");
        assert_eq!(reason("no reason given"), None);
        assert_eq!(reason(&format!("Override-Reason: {}", "x".repeat(500))).map(|r| r.chars().count()), Some(200));
    }
}
