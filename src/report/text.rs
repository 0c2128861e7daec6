//! The terminal rendering: what an author reads after `flowgate check`.

use owo_colors::OwoColorize;

use crate::policy::Tier;
use crate::policy::verdict::{State, Verdict};
use crate::wording::Flavor;
use crate::wording::verdict::{self as wording, Mark};

/// A terminal shows this many files per tier; the rest are counted.
const FILES_PER_TIER: usize = 20;

pub fn render(v: &Verdict, color: bool) -> String {
    let paint = |text: &str, mark: Mark| -> String {
        if !color {
            return text.to_string();
        }
        match mark {
            Mark::Pass => text.green().to_string(),
            Mark::Pending => text.yellow().to_string(),
            Mark::Fail => text.red().to_string(),
            Mark::Skip => text.dimmed().to_string(),
        }
    };
    let state_mark = match v.state {
        State::Pass => Mark::Pass,
        State::Pending => Mark::Pending,
        State::Fail => Mark::Fail,
    };
    let mut out = String::new();
    let title = format!("{} {}", wording::state_emoji(v.state), wording::title(v));
    out.push_str(&if color { paint(&title, state_mark).bold().to_string() } else { title });
    out.push('\n');
    let pr = wording::pr_line(v);
    if !pr.is_empty() {
        out.push_str(&format!("   {pr}\n"));
    }
    out.push_str(&format!("   {}\n", wording::effort_line(v)));
    out.push('\n');
    for s in wording::sections(v, Flavor::Plain) {
        out.push_str(&format!("{} {:<14} {}\n", wording::mark_emoji(s.mark), paint(s.title, s.mark), s.headline));
        for d in &s.details {
            out.push_str(&format!("     {d}\n"));
        }
    }
    out.push('\n');
    for (tier, files) in super::files_by_tier(v) {
        let heading = wording::tier_heading(tier, files.len());
        let mark = match tier {
            Tier::Red => Mark::Fail,
            Tier::Yellow => Mark::Pending,
            Tier::Green => Mark::Pass,
        };
        out.push_str(&paint(&heading, mark));
        out.push('\n');
        for f in files.iter().take(FILES_PER_TIER) {
            let renamed = f.previous_path.as_ref().map(|p| wording::renamed_from(p, Flavor::Plain)).unwrap_or_default();
            out.push_str(&format!("   {}{renamed}  {}\n", f.path, wording::file_line(f, Flavor::Plain)));
            for x in f.analysis.iter().flat_map(|a| &a.findings) {
                out.push_str(&format!("      ⚠ {}\n", wording::finding_line(x, Flavor::Plain)));
            }
        }
        if files.len() > FILES_PER_TIER {
            out.push_str(&format!("   {}\n", wording::more(files.len() - FILES_PER_TIER)));
        }
    }
    out
}
