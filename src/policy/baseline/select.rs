//! Which baseline a repository gets (pure): the App's `[[baseline]]` entries, then those of the
//! organisation's `.github` repository (`.github/flowgate-baselines.yml`), each matching
//! repositories by full-name globs and by GitHub custom properties; the first that matches wins.

use std::collections::BTreeMap;
use std::path::PathBuf;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::model::Enforcement;

/// A repository's custom properties: each name with its value, or values (multi-select).
pub type Properties = BTreeMap<String, Vec<String>>;

/// One baseline entry: the policy it names and the repositories it applies to.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RuleFile")]
pub struct BaselineRule {
    pub source: BaselineSource,
    /// The globs on `owner/name` as written; none means every repository.
    pub repositories: Vec<String>,
    matcher: GlobSet,
    /// Custom properties that must all have these values.
    pub properties: BTreeMap<String, String>,
    /// A shadow target (`evaluate`) or an enforced one, when the entry says; else the baseline
    /// policy's own `enforcement`.
    pub enforcement: Option<Enforcement>,
}

/// Where a baseline policy is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineSource {
    /// A bundled pack (`strict`).
    Pack(String),
    /// A file on the App's disk.
    File(PathBuf),
    /// A file in a repository on GitHub: `ORG/REPO:PATH@REF`.
    Remote { repo: String, path: String, rev: String },
}

impl std::fmt::Display for BaselineSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BaselineSource::Pack(name) => write!(f, "{name}"),
            BaselineSource::File(path) => write!(f, "{}", path.display()),
            BaselineSource::Remote { repo, path, rev } => write!(f, "{repo}:{path}@{rev}"),
        }
    }
}

impl BaselineSource {
    /// Reads `strict`, `/path/file.yml` or `ORG/REPO:PATH@REF`.
    pub fn parse(text: &str) -> Result<BaselineSource, String> {
        let text = text.trim();
        if crate::policy::load::BUNDLED.iter().any(|(name, _)| *name == text) {
            return Ok(BaselineSource::Pack(text.to_string()));
        }
        if let Some((repo, rest)) = text.split_once(':')
            && let Some((path, rev)) = rest.rsplit_once('@')
        {
            let repo_ok = repo.split('/').count() == 2 && repo.split('/').all(|p| !p.is_empty());
            if !repo_ok || path.is_empty() || rev.is_empty() {
                return Err(format!(
                    "baseline policy {text:?}: write ORG/REPO:PATH@REF, e.g. acme/.github:policies/base.yml@main"
                ));
            }
            return Ok(BaselineSource::Remote {
                repo: repo.into(),
                path: path.trim_start_matches('/').into(),
                rev: rev.into(),
            });
        }
        if text.ends_with(".yml") || text.ends_with(".yaml") {
            return Ok(BaselineSource::File(PathBuf::from(text)));
        }
        let packs: Vec<&str> = crate::policy::load::BUNDLED.iter().map(|(n, _)| *n).collect();
        Err(format!(
            "baseline policy {text:?} is neither a bundled pack ({}), a path ending in .yml, nor ORG/REPO:PATH@REF",
            packs.join(", ")
        ))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    policy: String,
    #[serde(default)]
    repositories: Vec<String>,
    #[serde(default)]
    properties: BTreeMap<String, String>,
    enforcement: Option<Enforcement>,
}

impl TryFrom<RuleFile> for BaselineRule {
    type Error = String;

    fn try_from(file: RuleFile) -> Result<BaselineRule, String> {
        let source = BaselineSource::parse(&file.policy)?;
        let mut set = GlobSetBuilder::new();
        for pattern in &file.repositories {
            let glob = GlobBuilder::new(pattern)
                .case_insensitive(true)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("baseline {source}: repositories: {pattern:?} is not a glob: {e}"))?;
            set.add(glob);
        }
        let matcher = set.build().map_err(|e| format!("baseline {source}: repositories: {e}"))?;
        Ok(BaselineRule {
            source,
            repositories: file.repositories,
            matcher,
            properties: file.properties,
            enforcement: file.enforcement,
        })
    }
}

impl BaselineRule {
    /// Whether the entry's name globs take `repo` (`owner/name`); no globs take every repository.
    pub fn names(&self, repo: &str) -> bool {
        self.repositories.is_empty() || self.matcher.is_match(repo)
    }

    /// Whether `repo` with `properties` is one this entry applies to.
    pub fn matches(&self, repo: &str, properties: &Properties) -> bool {
        self.names(repo)
            && self.properties.iter().all(|(name, want)| properties.get(name).is_some_and(|have| have.contains(want)))
    }
}

/// The baseline `repo` (`owner/name`) gets: the first entry of `rules` that matches its name and
/// custom properties.
pub fn baseline_for<'a>(
    rules: &'a [BaselineRule],
    repo_full_name: &str,
    properties: &Properties,
) -> Option<&'a BaselineRule> {
    rules.iter().find(|rule| rule.matches(repo_full_name, properties))
}

/// Whether choosing among `rules` for `repo` needs its custom properties: some entry its name
/// matches asks for them before any entry that needs none has matched.
pub fn needs_properties(rules: &[BaselineRule], repo_full_name: &str) -> bool {
    // The first entry that takes the name and asks for no property matches whatever they are.
    rules.iter().find(|r| r.names(repo_full_name)).is_some_and(|r| !r.properties.is_empty())
}

/// The organisation's `.github/flowgate-baselines.yml`: `baselines:`, a list of entries with the
/// App configuration's fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgFile {
    baselines: Vec<BaselineRule>,
}

/// Reads an organisation's baselines file, within the policy files' YAML limits.
pub fn parse_org_file(text: &str) -> Result<Vec<BaselineRule>, String> {
    crate::policy::yaml_limits::check(text).map_err(|e| format!("{}:{}: {}", e.line, e.column, e.message))?;
    yaml_serde::from_str::<OrgFile>(text).map(|f| f.baselines).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(yaml: &str) -> Vec<BaselineRule> {
        parse_org_file(yaml).unwrap_or_else(|e| panic!("{e}"))
    }

    const RULES: &str = "baselines:\n  - policy: strict\n    properties: { criticality: high }\n  - policy: acme/.github:base.yml@v1\n    repositories: [\"acme/pay-*\"]\n    enforcement: evaluate\n  - policy: default\n";

    #[test]
    fn the_first_entry_that_matches_name_and_properties_wins() {
        let rules = rules(RULES);
        let high = Properties::from([("criticality".into(), vec!["high".into()])]);
        let source = |repo: &str, props: &Properties| baseline_for(&rules, repo, props).map(|r| r.source.to_string());
        assert_eq!(source("acme/pay-api", &high).as_deref(), Some("strict"));
        assert_eq!(source("acme/pay-api", &Properties::new()).as_deref(), Some("acme/.github:base.yml@v1"));
        assert_eq!(
            source("ACME/Pay-Web", &Properties::new()).as_deref(),
            Some("acme/.github:base.yml@v1"),
            "names ignore case"
        );
        assert_eq!(source("acme/docs", &Properties::new()).as_deref(), Some("default"));
        assert_eq!(
            baseline_for(&rules, "acme/pay-api", &Properties::new()).and_then(|r| r.enforcement),
            Some(Enforcement::Evaluate)
        );
    }

    #[test]
    fn no_entry_means_no_baseline_and_a_multi_select_property_matches_any_of_its_values() {
        let rules = rules(
            "baselines:\n  - policy: strict\n    repositories: [\"acme/*\"]\n    properties: { team: payments }\n",
        );
        assert!(baseline_for(&rules, "other/x", &Properties::new()).is_none());
        let multi = Properties::from([("team".into(), vec!["web".into(), "payments".into()])]);
        assert!(baseline_for(&rules, "acme/x", &multi).is_some());
        assert!(needs_properties(&rules, "acme/x"));
        assert!(!needs_properties(&rules, "other/x"));
    }

    #[test]
    fn a_bad_entry_is_refused_with_what_is_wrong() {
        let e = parse_org_file("baselines:\n  - policy: lenient\n").err().unwrap_or_default();
        assert!(e.contains("\"lenient\" is neither a bundled pack (default, strict)"), "{e}");
        let e = parse_org_file("baselines:\n  - policy: strict\n    repos: [x]\n").err().unwrap_or_default();
        assert!(e.contains("unknown field `repos`"), "{e}");
        let e = parse_org_file("baselines:\n  - policy: acme:x.yml@main\n").err().unwrap_or_default();
        assert!(e.contains("write ORG/REPO:PATH@REF"), "{e}");
    }
}
