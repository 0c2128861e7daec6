//! The Markdown rendering: what the check run and the job summary show on GitHub.

use super::wording::{self, Flavor};
use crate::policy::verdict::Verdict;

/// GitHub cuts a check-run summary at 65,535 characters; list at most this many files per tier.
const FILES_PER_TIER: usize = 100;

pub fn render(v: &Verdict) -> String {
    let f = Flavor::Markdown;
    let mut out =
        format!("## {} {} {}\n\n", wording::tier_emoji(v.tier), wording::state_emoji(v.state), wording::title(v));
    let pr = wording::pr_line(v);
    if !pr.is_empty() {
        out.push_str(&format!("{}\n\n", escape(&pr)));
    }
    out.push_str(&format!("_{}_\n\n", wording::effort_line(v)));
    out.push_str("| | Rule | Result |\n|---|---|---|\n");
    let sections = wording::sections(v, f);
    for s in &sections {
        out.push_str(&format!("| {} | {} | {} |\n", wording::mark_emoji(s.mark), s.title, escape_cell(&s.headline)));
    }
    out.push('\n');
    for s in sections.iter().filter(|s| !s.details.is_empty()) {
        out.push_str(&format!("**{}**\n", s.title));
        for d in &s.details {
            out.push_str(&format!("- {d}\n"));
        }
        out.push('\n');
    }
    out.push_str("### Files by tier\n\n");
    if v.files.is_empty() {
        out.push_str("No changed files.\n");
    }
    for (tier, files) in super::files_by_tier(v) {
        // Red is what reviewers must read first, so it is the one group shown open.
        let open = if tier == crate::policy::Tier::Red { " open" } else { "" };
        out.push_str(&format!(
            "<details{open}><summary>{} {} ({})</summary>\n\n",
            wording::tier_emoji(tier),
            tier,
            files.len()
        ));
        for file in files.iter().take(FILES_PER_TIER) {
            let renamed =
                file.previous_path.as_ref().map(|p| format!(" (renamed from {})", f.code(p))).unwrap_or_default();
            let line = wording::file_line(file, f)
                .replace(wording::ai_touched_note(), &format!("🤖 {}", wording::ai_touched_note()));
            out.push_str(&format!("- {}{renamed}: {line}\n", f.code(&file.path)));
            for x in file.analysis.iter().flat_map(|a| &a.findings) {
                out.push_str(&format!("  - ⚠️ {}\n", wording::finding_line(x, f)));
            }
        }
        if files.len() > FILES_PER_TIER {
            out.push_str(&format!("- … and {} more\n", files.len() - FILES_PER_TIER));
        }
        out.push_str("\n</details>\n\n");
    }
    out
}

/// PR titles are written by anyone: keep them from opening HTML or Markdown structure.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn escape_cell(text: &str) -> String {
    escape(text).replace('|', "\\|").replace('\n', " ")
}
