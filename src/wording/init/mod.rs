//! Every sentence of what `flowgate init` found and writes: why a directory or file is red, the
//! `found:` lines of its report, and (`files`) the text of the policy, the Action workflow and the
//! pull request template's section. The report's other lines (what init did to each file, the
//! gate at the end) are in `cli`. `init` sits above this layer, so its findings come in as the
//! borrowed parts below.

mod files;

pub use files::{ACTION_PLACEHOLDER, TEMPLATE_END, TEMPLATE_START, policy, template_section, workflow};

use crate::model::Tracker;

/// What a red directory or file holds, by which `init` found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    // Directories, by their name or what is in them.
    Authentication,
    Authorisation,
    SecurityCode,
    Cryptography,
    Payments,
    Billing,
    DatabaseMigrations,
    Terraform,
    Helm,
    HelmCharts,
    /// A directory holding a `Chart.yaml`.
    HelmChart,
    Kubernetes,
    Infrastructure,
    CiWorkflows,
    ClaudeCode,
    Cursor,
    ContainerBuilds,
    // Files, by their name.
    AgentInstructions,
    ContainerBuild,
    FirewallRules,
    CsrfByName,
    JwtByName,
    SingleSignOnByName,
    AuthenticationByName,
    SessionsByName,
    TokensByName,
}

pub fn reason(why: Reason) -> &'static str {
    match why {
        Reason::Authentication => "authentication",
        Reason::Authorisation => "authorisation",
        Reason::SecurityCode => "security code",
        Reason::Cryptography => "cryptography",
        Reason::Payments => "payments",
        Reason::Billing => "billing",
        Reason::DatabaseMigrations => "database migrations",
        Reason::Terraform => "infrastructure code (Terraform)",
        Reason::Helm => "infrastructure code (Helm)",
        Reason::HelmCharts => "infrastructure code (Helm charts)",
        Reason::HelmChart => "infrastructure code (a Helm chart)",
        Reason::Kubernetes => "infrastructure code (Kubernetes)",
        Reason::Infrastructure => "infrastructure code",
        Reason::CiWorkflows => "CI workflows",
        Reason::ClaudeCode => "AI agent instructions and settings (Claude Code)",
        Reason::Cursor => "AI agent instructions (Cursor)",
        Reason::ContainerBuilds => "container builds",
        Reason::AgentInstructions => "AI agent instructions",
        Reason::ContainerBuild => "a container build",
        Reason::FirewallRules => "firewall rules",
        Reason::CsrfByName => "CSRF protection, by its name",
        Reason::JwtByName => "JSON web tokens, by its name",
        Reason::SingleSignOnByName => "single sign-on, by its name",
        Reason::AuthenticationByName => "authentication, by its name",
        Reason::SessionsByName => "sessions, by its name",
        Reason::TokensByName => "tokens, by its name",
    }
}

/// A directory found red: its path from the repository root, without a trailing slash.
#[derive(Debug, Clone, Copy)]
pub struct RedDir<'a> {
    pub dir: &'a str,
    pub why: Reason,
}

/// Files red by their name, written as one `**/NAME` glob.
#[derive(Debug, Clone, Copy)]
pub struct RedName<'a> {
    pub glob: &'a str,
    pub paths: &'a [String],
    pub why: Reason,
}

/// The red paths init writes: each of the pack's globs with the found directories it covers,
/// then the directories and the names added.
#[derive(Debug, Clone)]
pub struct Red<'a> {
    pub pack: Vec<(&'a str, Vec<RedDir<'a>>)>,
    pub added: Vec<RedDir<'a>>,
    pub names: Vec<RedName<'a>>,
}

/// A tracker key prefix seen in the history.
#[derive(Debug, Clone, Copy)]
pub struct KeyPrefix<'a> {
    pub prefix: &'a str,
    pub tracker: Tracker,
    pub in_commits: usize,
    pub in_branches: usize,
    /// The distinct keys, sorted.
    pub keys: &'a [String],
}

impl KeyPrefix<'_> {
    fn seen(&self) -> usize {
        self.in_commits + self.in_branches
    }
}

/// What the recent history says about trackers.
#[derive(Debug, Clone)]
pub struct History<'a> {
    /// How many commit messages and branch names were read.
    pub messages: usize,
    pub branches: usize,
    /// The prefixes that recur (Jira and Linear), most seen first: the policy lists them.
    pub recurring: Vec<KeyPrefix<'a>>,
    /// The keys of each prefix seen only once.
    pub once: Vec<&'a [String]>,
    /// Messages or branches with a Shortcut (`sc-123`) or Azure Boards (`AB#123`) reference,
    /// and whether they recur enough for the policy to list the tracker.
    pub shortcut: usize,
    pub shortcut_recurs: bool,
    pub azure: usize,
    pub azure_recurs: bool,
}

impl History<'_> {
    /// The recurring prefixes of one tracker.
    pub(super) fn projects(&self, tracker: Tracker) -> Vec<&str> {
        self.recurring.iter().filter(|p| p.tracker == tracker).map(|p| p.prefix).collect()
    }

    /// `ABC 4x, PAY 2x`: how often each recurring prefix of one tracker was seen.
    pub(super) fn seen(&self, tracker: Tracker) -> String {
        let seen: Vec<String> = self
            .recurring
            .iter()
            .filter(|p| p.tracker == tracker)
            .map(|p| format!("{} {}x", p.prefix, p.seen()))
            .collect();
        seen.join(", ")
    }
}

/// The report's `found:` line about red paths: what was found and how the policy covers it.
pub fn red_paths(red: &Red<'_>) -> String {
    let mut found: Vec<String> = red
        .pack
        .iter()
        .flat_map(|(glob, dirs)| {
            dirs.iter().map(move |d| format!("{}/ ({}, covered by the pack's {glob})", d.dir, reason(d.why)))
        })
        .collect();
    found.extend(red.added.iter().map(|d| format!("{}/ ({}, added as {}/**)", d.dir, reason(d.why), d.dir)));
    found.extend(red.names.iter().map(|f| {
        let more = if f.paths.len() > 1 { format!(" and {} more", f.paths.len() - 1) } else { String::new() };
        format!("{}{more} ({}, added as {})", f.paths[0], reason(f.why), f.glob)
    }));
    if found.is_empty() {
        return "red paths: no auth, payments, migrations, CI, infrastructure, container or agent files found; the pack's globs apply"
            .into();
    }
    format!("red paths: {}", found.join("; "))
}

/// The report's `found:` lines about trackers: the keys that recur, those seen once, which
/// trackers the policy lists, and Shortcut and Azure Boards references.
pub fn history(h: &History<'_>) -> Vec<String> {
    let mut lines = Vec::new();
    let scanned = format!("{} commit messages and {} branch names", h.messages, h.branches);
    if h.recurring.is_empty() {
        lines.push(format!("tracker keys: none recur in the last {scanned}"));
    }
    for p in &h.recurring {
        let mut examples: Vec<&str> = p.keys.iter().map(String::as_str).take(3).collect();
        if p.keys.len() > 3 {
            examples.push("…");
        }
        lines.push(format!(
            "tracker keys: {} ({}) in {} commit message{} and {} branch name{} ({}), from the last {scanned}",
            p.prefix,
            p.tracker.id(),
            p.in_commits,
            if p.in_commits == 1 { "" } else { "s" },
            p.in_branches,
            if p.in_branches == 1 { "" } else { "s" },
            examples.join(", ")
        ));
    }
    if !h.once.is_empty() {
        let once: Vec<String> = h.once.iter().map(|keys| keys.join(", ")).collect();
        lines.push(format!("seen only once, so not used: {}", once.join(", ")));
    }
    lines.push(trackers(h));
    if h.shortcut > 0 {
        lines.push(format!("Shortcut references (sc-123) in {} messages or branches", h.shortcut));
    }
    if h.azure > 0 {
        lines.push(format!("Azure Boards references (AB#123) in {} messages", h.azure));
    }
    lines
}

/// Which trackers the policy lists, so that nobody is surprised by a key that does not count.
fn trackers(h: &History<'_>) -> String {
    let mut listed = Vec::new();
    for (tracker, name) in [(Tracker::Jira, "Jira"), (Tracker::Linear, "Linear")] {
        let projects = h.projects(tracker);
        if !projects.is_empty() {
            listed.push(format!("{name} ({})", projects.join(", ")));
        }
    }
    if h.shortcut_recurs {
        listed.push("Shortcut".to_string());
    }
    if h.azure_recurs {
        listed.push("Azure Boards".to_string());
    }
    if listed.is_empty() {
        return "trackers: only GitHub issues (#12) count, since no Jira, Linear, Shortcut or Azure Boards keys recur in the history; add yours under linkage.trackers, e.g. jira: { projects: [ABC] }".into();
    }
    format!("trackers: {} and GitHub issues (#12) count; keys of other projects do not", listed.join(", "))
}

#[cfg(test)]
mod tests;
