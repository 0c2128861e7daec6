//! Rendering a verdict: coloured terminal text, Markdown (the check run), JSON (the contract
//! scripts rely on) and a one-line summary, all from the same value and the same wording; and
//! the weekly digest (`digest`) as Markdown, HTML, Slack and JSON; and `flowgate doctor`'s answer
//! (`doctor`) as text and JSON.

pub mod check_run;
pub mod codeowners;
pub mod digest;
pub mod doctor;
pub mod json;
pub(crate) mod markdown;
pub(crate) mod merge_group;
pub mod org_status;
pub(crate) mod provenance;
pub mod text;
pub(crate) mod wording;

use crate::model::Enforcement;
use crate::policy::Tier;
use crate::policy::verdict::{FileVerdict, Verdict};
use crate::wording::{Flavor, shadow};

/// The output formats of a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
    Summary,
}

pub fn render(v: &Verdict, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(v, color),
        Format::Json => json::render(v),
        Format::Markdown => markdown::render(v),
        Format::Summary => format!("{}\n", crate::wording::verdict::summary(v)),
    }
}

/// The verdict as `render` gives it, and in shadow mode (`enforcement: evaluate`) saying so first:
/// a note above the text and Markdown reports, a mark on the summary line, and
/// `"enforcement": "evaluate"` in the JSON.
pub fn render_enforced(v: &Verdict, format: Format, color: bool, enforcement: Enforcement) -> String {
    if !enforcement.is_shadow() {
        return render(v, format, color);
    }
    match format {
        Format::Text => format!("{}\n\n{}", shadow::verdict_note(v, Flavor::Plain), text::render(v, color)),
        Format::Markdown => format!("{}\n\n{}", shadow::verdict_note(v, Flavor::Markdown), markdown::render(v)),
        Format::Summary => format!("{}\n", shadow::summary_line(&crate::wording::verdict::summary(v))),
        Format::Json => {
            let mut value = json::to_value(v);
            value["enforcement"] = enforcement.id().into();
            let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
            text.push('\n');
            text
        }
    }
}

/// Files grouped by tier, riskiest first.
pub(crate) fn files_by_tier(v: &Verdict) -> Vec<(Tier, Vec<&FileVerdict>)> {
    Tier::ALL
        .into_iter()
        .map(|t| (t, v.files.iter().filter(|f| f.tier == t).collect::<Vec<_>>()))
        .filter(|(_, files)| !files.is_empty())
        .collect()
}

#[cfg(test)]
mod tests;
