//! The Markdown rendering: what the check run and the job summary show on GitHub.

use crate::policy::verdict::Verdict;
use crate::wording::Flavor;
use crate::wording::verdict as wording;

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
    out.push_str(&format!("| | {} | {} |\n|---|---|---|\n", wording::RULE_COLUMN, wording::RESULT_COLUMN));
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
    out.push_str(&format!("### {}\n\n", wording::FILES_BY_TIER));
    if v.files.is_empty() {
        out.push_str(&format!("{}\n", wording::NO_FILES));
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
            let renamed = file.previous_path.as_ref().map(|p| wording::renamed_from(p, f)).unwrap_or_default();
            let line = wording::file_line(file, f)
                .replace(wording::ai_touched_note(), &format!("🤖 {}", wording::ai_touched_note()));
            out.push_str(&format!("- {}{renamed}: {line}\n", f.code(&file.path)));
            for x in file.analysis.iter().flat_map(|a| &a.findings) {
                out.push_str(&format!("  - ⚠️ {}\n", wording::finding_line(x, f)));
            }
        }
        if files.len() > FILES_PER_TIER {
            out.push_str(&format!("- {}\n", wording::more(files.len() - FILES_PER_TIER)));
        }
        out.push_str("\n</details>\n\n");
    }
    out
}

/// PR titles are written by anyone: keep them from opening HTML or Markdown structure.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub(crate) fn escape_cell(text: &str) -> String {
    escape(text).replace('|', "\\|").replace('\n', " ")
}
