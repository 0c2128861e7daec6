//! A repository's `AI-DECLARATION.md` (the format of <https://ai-declaration.md>, version 0.1.x,
//! as cdxgen and others publish it): YAML front matter with an overall `level` and `components`,
//! paths each with their own level. Read from the base branch; the engine takes a component's
//! level as the default declaration of the files under it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where the file is looked for, at the repository's root.
pub const PATH: &str = "AI-DECLARATION.md";
/// Larger than this is not a declaration anyone reads; it is refused unparsed.
pub const MAX_BYTES: usize = 64 * 1024;
/// Components kept: a declaration lists directories, not every file.
pub const MAX_COMPONENTS: usize = 500;

/// How much AI took part, weakest first (the format's six levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A person did the work alone.
    None,
    /// The AI surfaced suggestions passively.
    Hint,
    /// The AI did a part of the work a person asked for.
    Assist,
    /// A person and the AI worked on it equally.
    Pair,
    /// The AI did the whole work, asking a person for permission or clarification.
    Copilot,
    /// The AI did the work on its own.
    Auto,
}

impl Level {
    pub fn id(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Hint => "hint",
            Level::Assist => "assist",
            Level::Pair => "pair",
            Level::Copilot => "copilot",
            Level::Auto => "auto",
        }
    }
}

/// The declaration as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiDeclaration {
    /// The overall level (the format asks it to be the highest present).
    pub level: Level,
    /// Paths (files or directories, without a leading `./` or trailing `/`) and their levels,
    /// longest first so the most specific one is found first.
    pub components: Vec<(String, Level)>,
}

impl AiDeclaration {
    /// The level that covers `path` and the component it comes from: the most specific
    /// component holding it; with no `components` at all, the overall level covers every file
    /// (`None` for the component). A file outside every listed component has no default.
    pub fn level_for(&self, path: &str) -> Option<(Level, Option<&str>)> {
        if self.components.is_empty() {
            return Some((self.level, None));
        }
        self.components
            .iter()
            .find(|(c, _)| path == c || path.strip_prefix(c.as_str()).is_some_and(|rest| rest.starts_with('/')))
            .map(|(c, level)| (*level, Some(c.as_str())))
    }
}

/// The base branch's `AI-DECLARATION.md`, as gathering found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoAiDeclaration {
    Read(AiDeclaration),
    /// The repository has none at its root.
    Missing,
    /// It exists and is not a declaration flowgate can read: `line` (of the file) when known.
    Bad {
        line: Option<usize>,
        reason: String,
    },
}

#[derive(Deserialize)]
struct FrontMatter {
    level: Option<Level>,
    components: Option<BTreeMap<String, Level>>,
}

impl RepoAiDeclaration {
    /// Reads the file's text: its front matter, between a first line `---` and the next `---`
    /// line. Other keys of the format (`version`, `processes`) are not needed and not checked.
    pub fn parse(text: &str) -> RepoAiDeclaration {
        let bad = |line: Option<usize>, reason: String| RepoAiDeclaration::Bad { line, reason };
        if text.len() > MAX_BYTES {
            return bad(None, format!("it is {} bytes, more than the {MAX_BYTES} flowgate reads", text.len()));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.lines();
        if lines.next().map(str::trim_end) != Some("---") {
            return bad(Some(1), "it does not start with a `---` line opening its YAML front matter".into());
        }
        let Some(end) = lines.position(|l| matches!(l.trim_end(), "---" | "...")) else {
            return bad(None, "its YAML front matter is not closed by a second `---` line".into());
        };
        let yaml: String = text.lines().skip(1).take(end).map(|l| format!("{l}\n")).collect();
        let front: FrontMatter = match yaml_serde::from_str(&yaml) {
            Ok(f) => f,
            // The front matter starts on the file's second line.
            Err(e) => {
                let line = e.location().map(|l| l.line() + 1);
                let reason = e.to_string();
                let reason = reason.split(" at line ").next().unwrap_or(&reason).to_string();
                return bad(line, format!("its front matter is not valid: {reason}"));
            }
        };
        let Some(level) = front.level else {
            return bad(Some(1), "its front matter has no `level`".into());
        };
        let components = front.components.unwrap_or_default();
        if components.len() > MAX_COMPONENTS {
            return bad(
                None,
                format!("it lists {} components, more than the {MAX_COMPONENTS} flowgate reads", components.len()),
            );
        }
        let mut components: Vec<(String, Level)> = components
            .into_iter()
            .map(|(path, level)| {
                let path = path.trim().trim_start_matches("./").trim_end_matches('/').to_string();
                (path, level)
            })
            .filter(|(path, _)| !path.is_empty())
            .collect();
        components.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        RepoAiDeclaration::Read(AiDeclaration { level, components })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CDXGEN: &str = "---\nversion: \"0.1.2\"\nlevel: pair\ncomponents:\n  lib/helpers/ciParsers: pair\n  lib/helpers/table.js: pair\n  lib: assist\n  test: assist\n  bin: assist\n---\n\nThis format is based on [AI-DECLARATION.md](https://ai-declaration.md/en/0.1.2).\n\n## Notes\n\n- Various models were used.\n";

    fn read(text: &str) -> AiDeclaration {
        match RepoAiDeclaration::parse(text) {
            RepoAiDeclaration::Read(d) => d,
            other => panic!("not read: {other:?}"),
        }
    }

    #[test]
    fn the_most_specific_component_gives_a_files_level() {
        let d = read(CDXGEN);
        assert_eq!(d.level, Level::Pair);
        assert_eq!(d.level_for("lib/helpers/ciParsers/gitlab.js"), Some((Level::Pair, Some("lib/helpers/ciParsers"))));
        assert_eq!(d.level_for("lib/helpers/table.js"), Some((Level::Pair, Some("lib/helpers/table.js"))));
        assert_eq!(d.level_for("lib/cli/index.js"), Some((Level::Assist, Some("lib"))));
        // `lib` is a directory: `library/x` is not under it; unlisted files have no default.
        assert_eq!(d.level_for("library/x.js"), None);
        assert_eq!(d.level_for("README.md"), None);
    }

    #[test]
    fn without_components_the_level_covers_every_file() {
        let d = read("---\nversion: \"0.1.1\"\nlevel: none\n---\n\n## Notes\n\n- No AI tools were used.\n");
        assert_eq!(d.level_for("src/main.rs"), Some((Level::None, None)));
    }

    #[test]
    fn a_bad_file_is_reported_with_its_line() {
        let bad = RepoAiDeclaration::parse("---\nversion: \"0.1.2\"\nlevel: pair\ncomponents:\n  lib: mostly\n---\n");
        let RepoAiDeclaration::Bad { line, reason } = bad else { panic!("{bad:?}") };
        assert_eq!(line, Some(5));
        assert!(
            reason.starts_with("its front matter is not valid: components.lib: unknown variant `mostly`"),
            "{reason}"
        );
        let unclosed = RepoAiDeclaration::parse("---\nlevel: auto\n");
        assert!(matches!(unclosed, RepoAiDeclaration::Bad { line: None, .. }), "{unclosed:?}");
        let no_front = RepoAiDeclaration::parse("# AI declaration\n\nlevel: auto\n");
        assert!(matches!(no_front, RepoAiDeclaration::Bad { line: Some(1), .. }), "{no_front:?}");
        let huge = RepoAiDeclaration::parse(&"x".repeat(MAX_BYTES + 1));
        assert!(matches!(huge, RepoAiDeclaration::Bad { line: None, .. }), "{huge:?}");
        let no_level = RepoAiDeclaration::parse("---\nversion: \"0.1.2\"\n---\n");
        assert!(matches!(no_level, RepoAiDeclaration::Bad { .. }), "{no_level:?}");
    }
}
