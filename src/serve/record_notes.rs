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
