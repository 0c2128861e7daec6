//! Guessing which trackers a repository uses from its recent commit messages and branch names:
//! Jira projects and Linear teams by their key prefix, Shortcut and Azure Boards by their forms.
//! Only what recurs counts, so a one-off `ABC-1` in a message does not become a project, and the
//! look-alikes the linkage rules refuse (`UTF-8`, `SHA-256`, `CVE-2024-1`) never count at all.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::policy::TrackerSet;
use crate::policy::linkage::keys::{self, Source, Tracker};

/// A key prefix (or a tracker's whole form) must be seen in at least this many messages or
/// branch names to count.
pub const MIN_SEEN: usize = 2;

/// Words that lowercase branch names use before a number and that are no tracker's team
/// (`fix-2`, `release-3`); a lowercase prefix is only believed when it is not one of them.
const BRANCH_WORDS: &[&str] = &[
    "BUG", "BUGFIX", "BUMP", "CHORE", "DAY", "DEPS", "DOCS", "FEAT", "FEATURE", "FIX", "HOTFIX", "ISSUE", "ITER",
    "PART", "PATCH", "PHASE", "PR", "REL", "RELEASE", "REVERT", "ROUND", "SPRINT", "STAGE", "STEP", "TASK", "TEST",
    "TRY", "UPDATE", "V", "VERSION", "WEEK", "WIP",
];

/// Versions, dates and timestamps that read like keys once a branch name is uppercased:
/// `next-15.5.21` (NEXT-15), `junit-pioneer-2.3.0` (PIONEER-2), `backup-2024-01-15`,
/// `nightly-20240115`. They are blanked out before keys are read.
static VERSION_OR_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z][a-z0-9_]*-(?:[0-9]+(?:[.-][0-9x]+)+|[0-9]{7,})\b").expect("static regex")
});

/// Branches that dependency bots name after a package and its version
/// (`dependabot/github_actions/actions/checkout-4`): never a story.
const BOT_BRANCHES: &[&str] = &["dependabot/", "renovate/"];

fn without_versions(text: &str) -> std::borrow::Cow<'_, str> {
    VERSION_OR_DATE.replace_all(text, |c: &regex::Captures| " ".repeat(c[0].len()))
}

/// One key prefix and where it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    pub prefix: String,
    pub tracker: Tracker,
    /// Commit messages that mention a key with this prefix.
    pub in_commits: usize,
    /// Branch names that carry one.
    pub in_branches: usize,
    /// The distinct keys, in sorted order.
    pub keys: Vec<String>,
}

impl Prefix {
    pub fn seen(&self) -> usize {
        self.in_commits + self.in_branches
    }
}

/// What the history says about trackers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guess {
    /// Prefixes seen often enough, Jira and Linear, most seen first.
    pub prefixes: Vec<Prefix>,
    /// Prefixes seen only once: reported, not used.
    pub once: Vec<Prefix>,
    /// Messages or branches with a Shortcut (`sc-123`) or Azure Boards (`AB#123`) reference.
    pub shortcut: usize,
    pub azure: usize,
    pub messages: usize,
    pub branches: usize,
}

impl Guess {
    pub fn projects(&self, tracker: Tracker) -> Vec<String> {
        self.prefixes.iter().filter(|p| p.tracker == tracker).map(|p| p.prefix.clone()).collect()
    }
}

#[derive(Default)]
struct Seen {
    commits: usize,
    branches: usize,
    /// Seen in lowercase in a branch name, as Linear writes branches (`alice/eng-42-fix`).
    lowercase_branch: bool,
    uppercase: bool,
    keys: BTreeSet<String>,
}

/// Reads the keys in `messages` (newest first) and `branches`.
pub fn guess(messages: &[String], branches: &[String]) -> Guess {
    // Any prefix counts while guessing; look-alikes are refused by the same rules the gate uses.
    let any = TrackerSet { jira: Some(Vec::new()), linear: None, shortcut: true, azure: true, github: false };
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    let (mut shortcut, mut azure) = (0, 0);
    let branches_read = branches.iter().filter(|b| !BOT_BRANCHES.iter().any(|bot| b.starts_with(bot)));
    for (text, source) in
        messages.iter().map(|m| (m, Source::Commits)).chain(branches_read.map(|b| (b, Source::Branch)))
    {
        let text = without_versions(text);
        let text = text.as_ref();
        let mut found = keys::extract(text, source, &any, None);
        let mut lowercase: BTreeSet<String> = BTreeSet::new();
        if source == Source::Branch {
            // Lowercase keys only show once the name is uppercased; they are Linear's branch style.
            let as_written: BTreeSet<String> = found.iter().map(|r| r.key.clone()).collect();
            for r in keys::extract(&text.to_ascii_uppercase(), source, &any, None) {
                if r.tracker == Tracker::Jira && !as_written.contains(&r.key) {
                    lowercase.insert(r.key.clone());
                    found.push(r);
                }
            }
        }
        shortcut += usize::from(found.iter().any(|r| r.tracker == Tracker::Shortcut));
        azure += usize::from(found.iter().any(|r| r.tracker == Tracker::Azure));
        let mut counted: BTreeSet<String> = BTreeSet::new();
        for r in found.iter().filter(|r| r.tracker == Tracker::Jira) {
            let Some((prefix, _)) = r.key.split_once('-') else { continue };
            let lower = lowercase.contains(&r.key);
            if lower && BRANCH_WORDS.contains(&prefix) {
                continue;
            }
            let entry = seen.entry(prefix.to_string()).or_default();
            entry.keys.insert(r.key.clone());
            entry.lowercase_branch |= lower;
            entry.uppercase |= !lower;
            if counted.insert(prefix.to_string()) {
                match source {
                    Source::Branch => entry.branches += 1,
                    _ => entry.commits += 1,
                }
            }
        }
    }
    let mut prefixes = Vec::new();
    let mut once = Vec::new();
    for (prefix, s) in seen {
        // Jira keys are written in capitals; a prefix only ever seen in lowercase branch names is
        // Linear's, and so is one Linear's branches use alongside capitalised mentions.
        let tracker = if s.lowercase_branch { Tracker::Linear } else { Tracker::Jira };
        let p = Prefix {
            prefix,
            tracker,
            in_commits: s.commits,
            in_branches: s.branches,
            keys: s.keys.into_iter().collect(),
        };
        if p.seen() >= MIN_SEEN { prefixes.push(p) } else { once.push(p) }
    }
    prefixes.sort_by(|a, b| b.seen().cmp(&a.seen()).then(a.prefix.cmp(&b.prefix)));
    Guess { prefixes, once, shortcut, azure, messages: messages.len(), branches: branches.len() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn recurring_jira_keys_count_and_look_alikes_never_do() {
        let messages = texts(&[
            "ABC-101: rate-limit logins",
            "Fix the UTF-8 decoder (ABC-102)",
            "Bump ISO-8601 parsing; SHA-256 sums; CVE-2024-1 and CVE-2024-12345 fixed",
            "PAY-7 refunds",
            "Use RFC-2119 words",
            "Also UTF-8 and SHA-256 again, TLS-1.3",
        ]);
        let g = guess(&messages, &texts(&["main", "feature/ABC-103-login"]));
        let counted: Vec<(&str, Tracker, usize, usize)> =
            g.prefixes.iter().map(|p| (p.prefix.as_str(), p.tracker, p.in_commits, p.in_branches)).collect();
        assert_eq!(counted, [("ABC", Tracker::Jira, 2, 1)]);
        assert_eq!(g.prefixes[0].keys, ["ABC-101", "ABC-102", "ABC-103"]);
        let once: Vec<&str> = g.once.iter().map(|p| p.prefix.as_str()).collect();
        assert_eq!(once, ["PAY"], "seen once: reported, not used");
        assert_eq!(g.projects(Tracker::Jira), ["ABC"]);
    }

    #[test]
    fn a_key_repeated_in_one_message_is_seen_once() {
        let g = guess(&texts(&["XYZ-1 XYZ-2 XYZ-3"]), &[]);
        assert!(g.prefixes.is_empty());
        assert_eq!(g.once[0].keys, ["XYZ-1", "XYZ-2", "XYZ-3"]);
    }

    #[test]
    fn lowercase_branch_keys_are_linear_and_common_words_are_not_teams() {
        let branches =
            texts(&["alice/eng-42-fix-login", "bob/eng-43-cache", "fix-2", "release-3", "fix-4-typo", "origin"]);
        let g = guess(&texts(&["Cache tokens (ENG-43)"]), &branches);
        let counted: Vec<(&str, Tracker, usize, usize)> =
            g.prefixes.iter().map(|p| (p.prefix.as_str(), p.tracker, p.in_commits, p.in_branches)).collect();
        assert_eq!(counted, [("ENG", Tracker::Linear, 1, 2)]);
        assert!(g.once.is_empty(), "{:?}", g.once);
    }

    #[test]
    fn versions_dates_and_dependency_bot_branches_are_not_keys() {
        let branches = texts(&[
            "dependabot/npm_and_yarn/next-15.5.21",
            "renovate/junit-pioneer-2.3.0",
            "upgrade/next-15.5.21",
            "junit-pioneer-2.3.0",
            "backup-2024-01-15",
            "nightly-20240115",
            "release-1.x",
            "snapshot-2.x",
            "dependabot/github_actions/actions/checkout-4",
        ]);
        let messages = texts(&[
            "Bump next from 15.5.20 to next-15.5.21",
            "Update junit-pioneer-2.3.0 and log-2024-01-15T10:30:00Z",
            "ABC-7: first",
            "ABC-8. Second",
        ]);
        let g = guess(&messages, &branches);
        let counted: Vec<&str> = g.prefixes.iter().map(|p| p.prefix.as_str()).collect();
        assert_eq!(counted, ["ABC"], "a key before a full stop still counts");
        assert!(g.once.is_empty(), "nothing above is a key seen once: {:?}", g.once);
    }

    #[test]
    fn shortcut_and_azure_forms_are_counted() {
        let g = guess(&texts(&["[sc-12] cart", "Fixes AB#7", "AB#8 follow-up"]), &texts(&["jane/sc-13/cart-total"]));
        assert_eq!((g.shortcut, g.azure), (2, 2));
        assert!(g.prefixes.is_empty(), "sc- is Shortcut's, not a Jira project: {:?}", g.prefixes);
    }
}
