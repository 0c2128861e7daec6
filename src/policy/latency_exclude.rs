//! The policy's `latency.exclude`: which PRs the digest leaves out of every figure (release
//! and dependency bots, reverts, drafts never opened for review). Each value is checked as it is
//! read, so an empty prefix, label or login is reported at its line.

use schemars::{JsonSchema, json_schema};
use serde::{Deserialize, Serialize};

use crate::latency::Exclusions;
use crate::model::checked::checked_newtype;
use crate::model::principal::UserLogin;

/// PRs the digest counts in no figure; it names how many each rule left out.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "exclusions: a map with drafts, reverts, title_prefixes, branch_prefixes, labels, authors"
)]
pub struct ExcludeFile {
    /// PRs that were drafts all their life.
    pub drafts: Option<bool>,
    /// PRs made with GitHub's revert button: the title starts with `Revert "`.
    pub reverts: Option<bool>,
    /// PRs whose title starts with one of these, any case: `chore(release)`, `[bot]`.
    pub title_prefixes: Option<Vec<Prefix>>,
    /// PRs whose head branch starts with one of these, exactly: `release-please--`, `dependabot/`.
    pub branch_prefixes: Option<Vec<Prefix>>,
    /// PRs carrying one of these labels (as of their latest review event), any case.
    pub labels: Option<Vec<Prefix>>,
    /// PRs opened by one of these logins: `renovate[bot]`, `release-bot`.
    pub authors: Option<Vec<UserLogin>>,
}

impl ExcludeFile {
    pub fn rules(self) -> Exclusions {
        let texts = |list: Option<Vec<Prefix>>| list.unwrap_or_default().into_iter().map(|p| p.0).collect();
        Exclusions {
            drafts: self.drafts.unwrap_or(false),
            reverts: self.reverts.unwrap_or(false),
            title_prefixes: texts(self.title_prefixes),
            branch_prefixes: texts(self.branch_prefixes),
            labels: texts(self.labels),
            authors: self.authors.unwrap_or_default().into_iter().map(|l| l.0).collect(),
        }
    }
}

/// A prefix or a label: some text, never empty (an empty prefix would leave out every PR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix(pub String);

impl Prefix {
    fn parse(text: String) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Err(format!(
                "{text:?} is empty: an empty prefix or label would leave every PR out of the digest; remove it"
            ));
        }
        Ok(Prefix(text))
    }
}

checked_newtype! {
    Prefix = "NonEmptyText",
    read: String => Prefix::parse,
    write: |v| &v.0,
    schema: json_schema!({ "type": "string", "minLength": 1, "pattern": "\\S" }),
}

#[cfg(test)]
mod tests {
    use crate::policy::load::load_text;
    use std::path::Path;

    fn load(latency: &str) -> Result<crate::policy::Policy, String> {
        load_text(&format!("extends: default\nlatency:\n{latency}"), Path::new("flowgate.yml"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn every_rule_reads_into_the_digests_exclusions() {
        let p = load(
            "  exclude:\n    drafts: true\n    reverts: true\n    title_prefixes: [\"chore(release)\", \"[bot]\"]\n    branch_prefixes: [release-please--, dependabot/]\n    labels: [no-metrics]\n    authors: [\"renovate[bot]\", release-bot]\n",
        )
        .expect("a valid policy");
        let e = &p.latency.exclude;
        assert!(e.drafts && e.reverts);
        assert_eq!(e.title_prefixes, ["chore(release)", "[bot]"]);
        assert_eq!(e.branch_prefixes, ["release-please--", "dependabot/"]);
        assert_eq!(e.labels, ["no-metrics"]);
        assert_eq!(e.authors, ["renovate[bot]", "release-bot"]);
        assert!(load("  timezone: UTC\n").expect("valid").latency.exclude.is_empty());
    }

    #[test]
    fn an_empty_prefix_is_an_error_at_its_line() {
        for (list, line) in [
            ("    title_prefixes: [\"chore\", \"\"]\n", 5),
            // A block list's entries are reported where the list starts (the YAML reader's mark).
            ("    branch_prefixes:\n      - dependabot/\n      - \"  \"\n", 6),
            ("    labels: [\"\"]\n", 5),
        ] {
            let e = load(&format!("  exclude:\n    drafts: true\n{list}")).expect_err("refused");
            assert!(e.contains("is empty") && e.contains(&format!("flowgate.yml:{line}:")), "{list}: {e}");
            assert!(e.contains("latency.exclude."), "the key is named: {e}");
        }
        let e = load("  exclude: { authors: [\"@acme/bots\"] }\n").expect_err("refused");
        assert!(e.contains("is a team"), "{e}");
        let e = load("  exclude: { bots: true }\n").expect_err("refused");
        assert!(e.contains("bots"), "{e}");
    }
}
