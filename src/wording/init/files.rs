//! The text of the files `flowgate init` writes: the starter policy with the comments that say
//! what was found and why, the Action workflow (the one docs/action.md explains) and the pull
//! request template's flowgate section.

use super::{History, Red, RedDir, reason};
use crate::analysis::lang::Lang;
use crate::model::Tracker;

/// The first line of the template section, so that it is found and never added twice.
pub const TEMPLATE_START: &str = "<!-- flowgate: the story and AI-use lines below are read by the flowgate check -->";
pub const TEMPLATE_END: &str = "<!-- /flowgate -->";

/// The action's `uses:` line when the user gives no pinned commit: docs/action.md says how to find it.
pub const ACTION_PLACEHOLDER: &str = "flowgate/flowgate@<full-commit-sha> # v0.1.0";

/// Found directories as a comment: at most three named, the rest counted.
fn found_comment(dirs: &[RedDir<'_>]) -> String {
    let mut named: Vec<String> = dirs.iter().take(3).map(|d| format!("{}/", d.dir)).collect();
    if dirs.len() > 3 {
        named.push(format!("and {} more", dirs.len() - 3));
    }
    format!("found here: {}", named.join(", "))
}

fn yaml_list_line(out: &mut String, item: &str, comment: Option<String>) {
    match comment {
        Some(c) => out.push_str(&format!("      - \"{item}\" # {c}\n")),
        None => out.push_str(&format!("      - \"{item}\"\n")),
    }
}

/// `.github/flowgate.yml`: the pack, the red paths written out in full (a list in an extending
/// file replaces the pack's), the code-aware rules for the languages found (`langs`, turning on
/// `detectors`), and the trackers the history shows.
pub fn policy(pack: &str, red: &Red<'_>, langs: &[(Lang, usize)], detectors: &[&str], keys: &History<'_>) -> String {
    let mut out = String::new();
    out.push_str("# flowgate policy, written by `flowgate init`. Reference: docs/policy.md in flowgate.\n");
    out.push_str(&format!(
        "# It starts from the bundled `{pack}` pack and writes out what differs for this repository.\n"
    ));
    out.push_str("# Check a change with `flowgate policy validate`; flowgate reads this file from the base branch.\n");
    out.push_str(&format!("version: 1\nextends: {pack}\n\n"));
    out.push_str("tiers:\n  red:\n");
    out.push_str(
        "    # The pack's red paths, then the directories and files flowgate init found in this repository.\n",
    );
    out.push_str("    # A list here replaces the pack's, so all of it is written out.\n");
    out.push_str("    paths:\n");
    for (glob, dirs) in &red.pack {
        yaml_list_line(&mut out, glob, (!dirs.is_empty()).then(|| found_comment(dirs)));
    }
    for dir in &red.added {
        yaml_list_line(&mut out, &format!("{}/**", dir.dir), Some(format!("found here: {}", reason(dir.why))));
    }
    for file in &red.names {
        let named: Vec<&str> = file.paths.iter().map(String::as_str).take(2).collect();
        let more = file.paths.len().saturating_sub(2);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        yaml_list_line(&mut out, file.glob, Some(format!("{}: {}{more}", reason(file.why), named.join(", "))));
    }
    if !langs.is_empty() {
        let names: Vec<&str> = langs.iter().map(|(l, _)| l.id()).collect();
        out.push_str(&format!(
            "    # flowgate reads the {} code here: a change that adds one of these is red wherever it is,\n",
            names.join(", ")
        ));
        out.push_str(&format!("    code: [{}]\n", detectors.join(", ")));
        out.push_str("    # and a change to a red file that only touches comments or layout is green.\n");
        out.push_str("    relax: [comments, formatting]\n");
        out.push_str("  yellow:\n    relax: [comments, formatting]\n");
    }
    out.push_str("\nlinkage:\n  trackers:\n");
    let jira = keys.projects(Tracker::Jira);
    let linear = keys.projects(Tracker::Linear);
    if jira.is_empty() {
        // An open `jira: {}` would take GPT-5 or PKCS-11 in a title for a story: only what the
        // history shows is written, and the comment says how to add the rest.
        out.push_str("    # No Jira keys recur in the recent history, so Jira is not listed. To use it, list\n");
        out.push_str("    # your projects: jira: { projects: [ABC, PAY] }\n");
    } else {
        out.push_str(&format!(
            "    # Seen in the last {} commits and the branch names: {}.\n",
            keys.messages,
            keys.seen(Tracker::Jira)
        ));
        out.push_str(&format!("    jira: {{ projects: [{}] }}\n", jira.join(", ")));
    }
    if !linear.is_empty() {
        out.push_str(&format!(
            "    # Linear-style branch names (team-123 in lowercase): {}.\n",
            keys.seen(Tracker::Linear)
        ));
        out.push_str(&format!("    linear: {{ teams: [{}] }}\n", linear.join(", ")));
    }
    if keys.shortcut_recurs {
        out.push_str(&format!("    shortcut: {{}} # sc-123 references in {} messages or branches\n", keys.shortcut));
    }
    if keys.azure_recurs {
        out.push_str(&format!("    azure: {{}} # AB#123 references in {} messages\n", keys.azure));
    }
    out.push_str("    github: {}\n");
    out
}

/// `.github/workflows/flowgate.yml`, as docs/action.md gives it: `pull_request_target` with no
/// checkout, `permissions: {}` at the top and only what flowgate uses on the job.
pub fn workflow(uses: &str) -> String {
    format!(
        r#"# flowgate: gates every pull request (docs/action.md in flowgate). It reads the pull request
# over the API and never checks out or runs its code, which is what makes pull_request_target safe.
name: flowgate

on:
  pull_request_target: # zizmor: ignore[dangerous-triggers] flowgate runs no pull request code
    types: [opened, edited, synchronize, reopened, labeled, unlabeled, ready_for_review]
  pull_request_review:
    types: [submitted, dismissed]
  # A merge queue waits for a required check on each merge group: flowgate verifies the group.
  merge_group:
    types: [checks_requested]

permissions: {{}}

concurrency:
  group: flowgate-${{{{ github.event_name == 'merge_group' && github.event.merge_group.head_sha || github.event.pull_request.number }}}}
  cancel-in-progress: true

jobs:
  gate:
    name: gate
    # Skip the runs set off by flowgate's own tier labels.
    if: ${{{{ !contains(fromJSON('["flowgate:green", "flowgate:yellow", "flowgate:red"]'), github.event.label.name) }}}}
    runs-on: ubuntu-latest
    permissions:
      contents: read # read the policy on the base branch
      pull-requests: write # read the pull request and its reviews; set the tier and AI tool labels
      checks: write # post the `flowgate` check run
      issues: write # labels (creating the AI tool labels too) and label events are served by the issues API
    steps:
      - uses: {uses}
"#
    )
}

/// The pull request template's flowgate section: a story line and the AI-use boxes that the
/// policy's AI disclosure reads. No example key appears in it, so an untouched template never
/// counts as a linked story.
pub fn template_section(example_prefix: Option<&str>) -> String {
    let key = match example_prefix {
        Some(prefix) => format!("the work item's key, such as {prefix}- and its number"),
        None => "the work item's key (a Jira or Linear key, sc- and a number, or #issue)".to_string(),
    };
    format!(
        "{TEMPLATE_START}\n\
         ## Story\n\n\
         Story: <!-- {key}; the title or branch name may carry it instead -->\n\n\
         ## AI use\n\n\
         Tick one (or add the label ai:none, ai:assisted or ai:generated):\n\n\
         - [ ] No AI was used\n\
         - [ ] AI-assisted (an AI tool wrote or changed some of this code)\n\
         - [ ] AI-generated (an AI tool wrote most of this code)\n\
         {TEMPLATE_END}\n"
    )
}
