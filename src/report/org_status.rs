//! `flowgate org status` as a Markdown table (one row per repository, errors in their row) and as
//! JSON (the `doctor::org` structs, documented in docs/app.md).

use crate::doctor::org::OrgStatus;
use crate::report::markdown::escape_cell;
use crate::wording::org_status as w;

pub fn markdown(status: &OrgStatus, database_problem: Option<&str>) -> String {
    let with_app = status.repos.iter().filter(|r| r.installed).count();
    let mut out =
        format!("## {}\n\n", escape_cell(&w::headline(&status.org, status.installed, status.repos.len(), with_app)));
    if !status.installed {
        return out;
    }
    out.push_str(&format!("| {} |\n|{}\n", w::COLUMNS.join(" | "), "---|".repeat(w::COLUMNS.len())));
    let unknown = || w::UNKNOWN.to_string();
    for row in &status.repos {
        let mut cells = vec![
            row.repo.clone(),
            w::installed(row),
            row.policy.as_ref().map_or_else(unknown, w::policy),
            w::baseline(row),
            row.enforcement.map_or_else(unknown, |e| w::enforcement(e).to_string()),
            row.required_by.as_deref().map_or_else(unknown, w::required_by),
            row.merge_queue.map_or_else(unknown, |q| w::queue(q).to_string()),
            row.doctor.map_or_else(unknown, |d| w::doctor(d).to_string()),
            row.last_evaluation.as_ref().map_or_else(unknown, w::last_evaluation),
        ];
        // The error takes the place of the first value it kept from being read.
        if let Some(error) = &row.error {
            cells[if row.policy.is_none() { 2 } else { 7 }] = w::row_error(error);
        }
        let cells: Vec<String> = cells.iter().map(|c| escape_cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    if status.truncated {
        out.push_str(&format!("\n{}\n", w::truncated(status.repos.len())));
    }
    if let Some(why) = database_problem {
        out.push_str(&format!("\n{}\n", escape_cell(&w::no_database(why))));
    }
    out
}

pub fn json(status: &OrgStatus) -> String {
    let mut text = serde_json::to_string_pretty(status).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    text.push('\n');
    text
}
