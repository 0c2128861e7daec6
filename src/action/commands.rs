//! What a GitHub Actions step writes back to the runner: step outputs in `$GITHUB_OUTPUT`'s
//! heredoc form and `::error`/`::warning` workflow commands, escaped as the runner expects.

use crate::model::Enforcement;
use crate::policy::verdict::{AiState, LinkageState, State, Verdict};
use crate::report::check_run;
use crate::wording::action;
use crate::wording::verdict as wording;

/// The step outputs: `tier`, `state`, `story-keys` (comma-separated), `ai-detected`; the caller
/// adds `enforcement`.
pub fn outputs(v: &Verdict) -> Vec<(&'static str, String)> {
    let detected = !v.ai.detected().is_empty();
    vec![
        ("tier", v.tier.to_string()),
        ("state", v.state.id().to_string()),
        ("story-keys", v.linkage.keys().join(",")),
        ("ai-detected", detected.to_string()),
    ]
}

/// `name<<DELIMITER` blocks for `$GITHUB_OUTPUT`, with a delimiter that no value contains, so a
/// PR title cannot smuggle in an output of its own.
pub fn output_file_text(outputs: &[(&str, String)]) -> String {
    let mut delimiter = String::from("FLOWGATE_EOF");
    while outputs.iter().any(|(_, value)| value.contains(&delimiter)) {
        delimiter.push('_');
    }
    outputs.iter().map(|(name, value)| format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")).collect()
}

/// Workflow commands: an error for each rule that failed (a warning in shadow mode, where nothing
/// fails), a warning at each finding's line.
pub(crate) fn workflow_commands(v: &Verdict, enforcement: Enforcement) -> Vec<String> {
    let mut out = failures(v);
    if enforcement.is_shadow() {
        out = out.into_iter().map(|c| c.replacen("::error", "::warning", 1)).collect();
    }
    for a in check_run::annotations(v) {
        let level = if a.level == "warning" { "warning" } else { "notice" };
        let line = a.start_line.to_string();
        out.push(command(level, &[("file", &a.path), ("line", &line), ("title", &a.title)], &a.message));
    }
    out
}

/// An error command for each rule that failed.
fn failures(v: &Verdict) -> Vec<String> {
    let mut out = Vec::new();
    if v.state == State::Fail {
        if v.linkage.state == LinkageState::Fail {
            out.push(command(
                "error",
                &[("title", action::TITLE_STORY)],
                &wording::linkage_section(v, crate::wording::Flavor::Plain).headline,
            ));
        }
        if v.ai.state == AiState::Fail {
            out.push(command(
                "error",
                &[("title", action::TITLE_AI)],
                &wording::ai_section(v, crate::wording::Flavor::Plain).headline,
            ));
        }
        for problem in &v.limits {
            out.push(command("error", &[("title", action::TITLE_SIZE)], &wording::limit_problem(problem)));
        }
        if out.is_empty() {
            out.push(command("error", &[("title", action::TITLE)], &wording::summary(v)));
        }
    }
    out
}

/// One `::level props::message` line, escaped per the runner's rules.
pub fn command(level: &str, properties: &[(&str, &str)], message: &str) -> String {
    let props: Vec<String> = properties.iter().map(|(k, v)| format!("{k}={}", escape_property(v))).collect();
    let props = if props.is_empty() { String::new() } else { format!(" {}", props.join(",")) };
    format!("::{level}{props}::{}", escape_data(message))
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_holding_the_delimiter_cannot_end_its_block_early() {
        let text = output_file_text(&[("story-keys", "A-1\nFLOWGATE_EOF\ninjected<<X".into()), ("tier", "red".into())]);
        assert!(text.starts_with("story-keys<<FLOWGATE_EOF_\n"), "{text}");
        assert!(text.ends_with("tier<<FLOWGATE_EOF_\nred\nFLOWGATE_EOF_\n"), "{text}");
    }

    #[test]
    fn commands_escape_what_would_break_them() {
        assert_eq!(
            command("warning", &[("file", "a,b:c.rs"), ("line", "3")], "100% sure\nnext"),
            "::warning file=a%2Cb%3Ac.rs,line=3::100%25 sure%0Anext"
        );
        assert_eq!(command("error", &[], "x"), "::error::x");
    }
}
