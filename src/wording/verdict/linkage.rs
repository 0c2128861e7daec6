//! The story linkage rule: the work item found, the chain from it up to the policy's top level,
//! where a chain breaks, and why a PR is exempt.

use super::section::{Mark, Section};
use crate::policy::verdict::{ChainBreak, ChainOutcome, ChainVerdict, Exemption, LinkageState, NotSeen, Verdict};
use crate::wording::Flavor;

/// What to write when a PR needs a work item and has none.
const ADD_A_KEY: &str = "Add a work-item key (for example ABC-123, ENG-42, sc-123, AB#123 or #12) to the title, the branch name or the description.";

pub fn exemption(e: &Exemption, f: Flavor) -> String {
    match e {
        Exemption::Author(a) => format!("author {} is exempt", f.code(a.as_str())),
        Exemption::Label(l) => format!("label {} exempts it", f.code(l)),
        Exemption::Tier(t) => format!("{t} PRs are exempt"),
        Exemption::Title(r) => format!("the title matches {}", f.code(r)),
        Exemption::Branch(r) => format!("the branch matches {}", f.code(r)),
    }
}

fn exempt(e: Option<&Exemption>, f: Flavor) -> String {
    format!("exempt: {}", e.map(|e| exemption(e, f)).unwrap_or_default())
}

pub fn linkage_section(v: &Verdict, f: Flavor) -> Section {
    let l = &v.linkage;
    let mut details: Vec<String> = l
        .refs
        .iter()
        .map(|r| {
            format!(
                "{} ({}, in the {}{})",
                f.code(&r.key),
                r.tracker.id(),
                r.source.id(),
                if r.closes { ", closes it" } else { "" }
            )
        })
        .collect();
    if let Some(chain) = &l.chain {
        return chain_section(v, chain, details, f);
    }
    let (mark, headline) = match l.state {
        LinkageState::Pending => (Mark::Pending, "waiting for the tracker".to_string()),
        LinkageState::Pass if l.refs.is_empty() => {
            (Mark::Skip, "no work item referenced; linkage is optional".to_string())
        }
        LinkageState::Pass => {
            (Mark::Pass, format!("linked to {}", l.keys().iter().map(|k| f.code(k)).collect::<Vec<_>>().join(", ")))
        }
        LinkageState::Exempt => (Mark::Skip, exempt(l.exemption.as_ref(), f)),
        LinkageState::Fail => {
            details.push(ADD_A_KEY.to_string());
            (Mark::Fail, "no work item referenced, and this PR needs one".to_string())
        }
    };
    Section { title: "Story linkage", mark, headline, details }
}

/// Why a chain could not be seen: also the `reason` of the JSON's `tracker_error` and of the
/// audit's "not verified".
pub fn not_seen(why: &NotSeen) -> String {
    match why {
        NotSeen::NoKey => "no key was found to look up".to_string(),
        NotSeen::NotLookedUp => "not looked up in its tracker".to_string(),
        NotSeen::Tracker(error) => error.to_string(),
    }
}

/// The linkage section when the tier needs a chain: the chain found, and where it breaks.
fn chain_section(v: &Verdict, chain: &ChainVerdict, mut details: Vec<String>, f: Flavor) -> Section {
    let l = &v.linkage;
    let need = format!("this {} PR needs a chain up to {}", v.tier, level_word(&chain.required_level));
    if !chain.links.is_empty() {
        details.insert(0, format!("chain: {}", chain_line(chain, f)));
    }
    let key = f.code(&chain.key);
    let (mark, headline) = match (&chain.outcome, l.state) {
        (ChainOutcome::Complete, _) => {
            (Mark::Pass, format!("linked to {key}, which traces up to {}", level_word(&chain.required_level)))
        }
        (_, LinkageState::Exempt) => (Mark::Skip, exempt(l.exemption.as_ref(), f)),
        (ChainOutcome::Broken(b), _) if b.missing_level().is_some() => {
            (Mark::Fail, format!("{key} does not trace far enough: {}; {need}", chain_break(b, f)))
        }
        (ChainOutcome::Broken(b), _) => (Mark::Fail, chain_break(b, f)),
        (ChainOutcome::Unseen { key: at, why }, LinkageState::Fail) => (
            Mark::Fail,
            format!(
                "could not verify {key} ({}: {}), and the policy fails on tracker errors",
                f.code(at),
                not_seen(why)
            ),
        ),
        (ChainOutcome::Unseen { key: at, why }, _) => (
            Mark::Pending,
            format!(
                "could not verify {key} yet ({}: {}); run again when the tracker answers",
                f.code(at),
                not_seen(why)
            ),
        ),
    };
    Section { title: "Story linkage", mark, headline, details }
}

/// `ABC-123 Story -> ABC-7 Epic -> PRD-3 -> OKR-2 'Cut churn 10%'`: each item with its type
/// unless its key already says it, and the top item's title.
pub fn chain_line(chain: &ChainVerdict, f: Flavor) -> String {
    let last = chain.links.len().saturating_sub(1);
    chain
        .links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            let mut text = f.code(&link.key);
            let kind = link.kind.clone().or_else(|| link.level.as_deref().map(level_word));
            if let Some(kind) =
                kind.filter(|k| !k.is_empty() && !link.key.to_lowercase().starts_with(&k.to_lowercase()))
            {
                text.push(' ');
                text.push_str(&kind);
            }
            if i == last && !link.title.is_empty() {
                text.push_str(&format!(" '{}'", link.title));
            }
            text
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// A level as people write it: short names in capitals (`PRD`, `OKR`), others capitalised (`Epic`).
pub fn level_word(level: &str) -> String {
    if level.len() <= 3 {
        return level.to_uppercase();
    }
    let mut chars = level.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Where and why a chain breaks, as one clause.
pub fn chain_break(b: &ChainBreak, f: Flavor) -> String {
    match b {
        ChainBreak::NotFound { key } => {
            format!("{} does not exist in its tracker (or flowgate's credentials cannot see it)", f.code(key))
        }
        ChainBreak::StoryState { key, state } => {
            format!("{} is {state}, and a PR must be for an item that is still open", f.code(key))
        }
        ChainBreak::NoParent { key, missing } => format!("{} has no parent {}", f.code(key), level_word(missing)),
        ChainBreak::ParentMissing { key, parent, missing } => format!(
            "{}'s parent {} does not exist (deleted?), so the chain never reaches {}",
            f.code(key),
            f.code(parent),
            level_word(missing)
        ),
        ChainBreak::Cycle { key, repeated, missing } => format!(
            "{} leads back to {}, which is already in the chain (an item is its own ancestor), before any {}",
            f.code(key),
            f.code(repeated),
            level_word(missing)
        ),
        ChainBreak::TooDeep { missing } => format!(
            "the chain passes {} items without reaching {}",
            crate::trackers::chain::MAX_LINKS,
            level_word(missing)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{show, verdict};
    use super::*;
    use crate::model::Login;
    use crate::model::story::TrackerError;
    use crate::policy::Tier;
    use crate::policy::verdict::ChainItem;

    fn item(key: &str, kind: Option<&str>, level: Option<&str>, title: &str) -> ChainItem {
        ChainItem {
            key: key.into(),
            title: title.into(),
            url: None,
            kind: kind.map(Into::into),
            level: level.map(Into::into),
            state: None,
        }
    }

    fn chain(outcome: ChainOutcome) -> ChainVerdict {
        ChainVerdict {
            key: "ABC-123".into(),
            links: vec![
                item("ABC-123", Some("Story"), Some("story"), "Rate-limit logins"),
                item("ABC-7", Some("Epic"), Some("epic"), "Login hardening"),
                item("OKR-2", None, Some("okr"), "Cut account takeovers"),
            ],
            required_level: "okr".into(),
            outcome,
        }
    }

    #[test]
    fn each_exemption_in_words() {
        let all = [
            Exemption::Author(Login::new("dependabot[bot]")),
            Exemption::Label("no-story".into()),
            Exemption::Tier(Tier::Green),
            Exemption::Title("^chore".into()),
            Exemption::Branch("^release/".into()),
        ];
        let words: Vec<String> = all.iter().map(|e| exemption(e, Flavor::Markdown)).collect();
        insta::assert_snapshot!(words.join("\n"), @r"
        author `dependabot[bot]` is exempt
        label `no-story` exempts it
        green PRs are exempt
        the title matches `^chore`
        the branch matches `^release/`
        ");
    }

    #[test]
    fn the_linkage_section_without_a_chain_in_each_state() {
        let mut v = verdict("auth-login");
        insta::assert_snapshot!(show(&linkage_section(&v, Flavor::Markdown)), @r"
        ✅ Story linkage: linked to `ABC-123`
          `ABC-123` (jira, in the title)
          `ABC-123` (jira, in the branch)
        ");
        v.linkage.state = LinkageState::Pending;
        insta::assert_snapshot!(linkage_section(&v, Flavor::Plain).headline, @"waiting for the tracker");
        v.linkage.state = LinkageState::Exempt;
        v.linkage.exemption = Some(Exemption::Label("no-story".into()));
        insta::assert_snapshot!(linkage_section(&v, Flavor::Plain).headline, @"exempt: label no-story exempts it");
        v.linkage.refs.clear();
        v.linkage.state = LinkageState::Pass;
        insta::assert_snapshot!(show(&linkage_section(&v, Flavor::Plain)), @"➖ Story linkage: no work item referenced; linkage is optional");
        insta::assert_snapshot!(show(&linkage_section(&verdict("agent-undeclared"), Flavor::Plain)), @r"
        ❌ Story linkage: no work item referenced, and this PR needs one
          Add a work-item key (for example ABC-123, ENG-42, sc-123, AB#123 or #12) to the title, the branch name or the description.
        ");
    }

    #[test]
    fn the_linkage_section_with_a_chain_in_each_outcome() {
        let mut v = verdict("auth-login");
        v.linkage.refs.truncate(1);
        v.linkage.chain = Some(chain(ChainOutcome::Complete));
        insta::assert_snapshot!(show(&linkage_section(&v, Flavor::Plain)), @r"
        ✅ Story linkage: linked to ABC-123, which traces up to OKR
          chain: ABC-123 Story -> ABC-7 Epic -> OKR-2 'Cut account takeovers'
          ABC-123 (jira, in the title)
        ");
        let broken = ChainBreak::NoParent { key: "ABC-7".into(), missing: "okr".into() };
        v.linkage.chain = Some(chain(ChainOutcome::Broken(broken)));
        v.linkage.state = LinkageState::Fail;
        insta::assert_snapshot!(linkage_section(&v, Flavor::Plain).headline, @"ABC-123 does not trace far enough: ABC-7 has no parent OKR; this red PR needs a chain up to OKR");
        v.linkage.chain = Some(chain(ChainOutcome::Broken(ChainBreak::NotFound { key: "ABC-123".into() })));
        insta::assert_snapshot!(linkage_section(&v, Flavor::Plain).headline, @"ABC-123 does not exist in its tracker (or flowgate's credentials cannot see it)");
        let answered = TrackerError::Down { reason: "Jira answered 503".into() };
        let unseen = ChainOutcome::Unseen { key: "ABC-7".into(), why: NotSeen::Tracker(answered) };
        v.linkage.chain = Some(chain(unseen));
        insta::assert_snapshot!(linkage_section(&v, Flavor::Plain).headline, @"could not verify ABC-123 (ABC-7: the tracker is unreachable or failing: Jira answered 503), and the policy fails on tracker errors");
        v.linkage.state = LinkageState::Pending;
        insta::assert_snapshot!(show(&linkage_section(&v, Flavor::Markdown)), @r"
        ⏳ Story linkage: could not verify `ABC-123` yet (`ABC-7`: the tracker is unreachable or failing: Jira answered 503); run again when the tracker answers
          chain: `ABC-123` Story -> `ABC-7` Epic -> `OKR-2` 'Cut account takeovers'
          `ABC-123` (jira, in the title)
        ");
        v.linkage.state = LinkageState::Exempt;
        v.linkage.exemption = Some(Exemption::Tier(Tier::Red));
        insta::assert_snapshot!(linkage_section(&v, Flavor::Plain).headline, @"exempt: red PRs are exempt");
    }

    #[test]
    fn why_a_chain_could_not_be_seen() {
        let reasons = [
            NotSeen::NoKey,
            NotSeen::NotLookedUp,
            NotSeen::Tracker(TrackerError::Timeout { after_ms: 5000 }),
            NotSeen::Tracker(TrackerError::NotConfigured {
                tracker: "jira".into(),
                hint: "set FLOWGATE_JIRA_URL".into(),
            }),
        ];
        insta::assert_snapshot!(reasons.iter().map(not_seen).collect::<Vec<_>>().join("\n"), @r"
        no key was found to look up
        not looked up in its tracker
        no answer within 5000 ms
        no jira connection is configured (set FLOWGATE_JIRA_URL)
        ");
    }

    #[test]
    fn a_chain_line_names_each_kind_once_and_the_top_title() {
        let mut c = chain(ChainOutcome::Complete);
        c.links[0].kind = None;
        c.links[1].key = "EPIC-7".into();
        insta::assert_snapshot!(chain_line(&c, Flavor::Plain), @"ABC-123 Story -> EPIC-7 -> OKR-2 'Cut account takeovers'");
        insta::assert_snapshot!(chain_line(&ChainVerdict { links: vec![], ..c }, Flavor::Plain), @"");
    }

    #[test]
    fn levels_are_written_as_people_write_them() {
        let words = ["okr", "prd", "epic", "initiative", ""].map(level_word);
        insta::assert_snapshot!(words.join(", "), @"OKR, PRD, Epic, Initiative, ");
    }

    #[test]
    fn each_chain_break_in_words() {
        let breaks = [
            ChainBreak::NotFound { key: "ABC-9".into() },
            ChainBreak::StoryState { key: "ABC-9".into(), state: "Done".into() },
            ChainBreak::NoParent { key: "ABC-9".into(), missing: "epic".into() },
            ChainBreak::ParentMissing { key: "ABC-9".into(), parent: "ABC-1".into(), missing: "okr".into() },
            ChainBreak::Cycle { key: "ABC-9".into(), repeated: "ABC-1".into(), missing: "okr".into() },
            ChainBreak::TooDeep { missing: "okr".into() },
        ];
        let words: Vec<String> = breaks.iter().map(|b| chain_break(b, Flavor::Markdown)).collect();
        insta::assert_snapshot!(words.join("\n"), @r"
        `ABC-9` does not exist in its tracker (or flowgate's credentials cannot see it)
        `ABC-9` is Done, and a PR must be for an item that is still open
        `ABC-9` has no parent Epic
        `ABC-9`'s parent `ABC-1` does not exist (deleted?), so the chain never reaches OKR
        `ABC-9` leads back to `ABC-1`, which is already in the chain (an item is its own ancestor), before any OKR
        the chain passes 12 items without reaching OKR
        ");
    }
}
