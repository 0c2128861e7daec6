//! `flowgate init`: a working setup for a repository in one command. `plan` decides, from the
//! repository's layout and history and the files already there, what each file should become
//! (pure); `apply` writes the plan. The CLI then gates the current branch with the result.

pub(crate) mod keys;
pub(crate) mod layout;
pub mod render;

use std::path::Path;

use crate::error::UserError;
use crate::gate::POLICY_PATH;
use crate::policy::Tier;
use crate::policy::load::{load_bundled, load_text};
use crate::wording::cli::{self, FileAction};
use crate::wording::init as init_words;

/// Where the Action workflow goes.
pub const WORKFLOW_PATH: &str = ".github/workflows/flowgate.yml";
/// Where the template goes when the repository has none.
pub(crate) const TEMPLATE_PATH: &str = ".github/pull_request_template.md";
/// Where GitHub looks for a pull request template, in the order it looks.
pub const TEMPLATE_PATHS: &[&str] = &[
    ".github/pull_request_template.md",
    ".github/PULL_REQUEST_TEMPLATE.md",
    "pull_request_template.md",
    "PULL_REQUEST_TEMPLATE.md",
    "docs/pull_request_template.md",
    "docs/PULL_REQUEST_TEMPLATE.md",
];
/// How many recent commits are read for tracker keys.
pub const HISTORY: usize = 200;

/// What the repository looks like, as `init` reads it.
#[derive(Debug, Clone, Default)]
pub struct Repository {
    /// Every file, from the repository root.
    pub files: Vec<String>,
    /// The last `HISTORY` commit messages, newest first.
    pub messages: Vec<String>,
    pub branches: Vec<String>,
    /// The current text of each path `init` may write, when the file exists.
    pub existing: Vec<(String, String)>,
}

impl Repository {
    fn existing(&self, path: &str) -> Option<&str> {
        self.existing.iter().find(|(p, _)| p == path).map(|(_, t)| t.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    /// A bundled pack's name.
    pub pack: String,
    pub force: bool,
    /// The action's `uses:` value, `OWNER/NAME@<40 hex>`; None writes a placeholder to replace.
    pub action: Option<String>,
}

/// What happens to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Create(String),
    /// Replaces the file (only with `--force`).
    Overwrite(String),
    /// Adds the text to the end of the file.
    Append(String),
    /// Leaves the file as it is, for this reason.
    Keep(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub path: String,
    /// One line saying what the file is for.
    pub purpose: &'static str,
    pub change: Change,
}

/// Everything `init` will do and what it found.
#[derive(Debug, Clone)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
    /// Lines reporting what was found in the layout and the history.
    pub found: Vec<String>,
    /// The policy text the gate will use after `init`: the one written, or the one kept.
    pub policy_text: String,
    /// Whether the action line is still the placeholder.
    pub action_placeholder: bool,
}

/// Decides what to write. Fails only for bad options (an unknown pack, a bad `--action`), or if
/// the policy it would write does not load (a bug, reported rather than written).
pub fn plan(repo: &Repository, options: &Options) -> Result<Plan, UserError> {
    let pack = load_bundled(&options.pack)?;
    let uses = match &options.action {
        Some(action) => check_action(action)?.to_string(),
        None => render::ACTION_PLACEHOLDER.to_string(),
    };

    let globs = |tier: Tier| -> Vec<String> {
        pack.tiers.owners.iter().filter(|(t, _)| *t == tier).map(|(_, g)| g.clone()).collect()
    };
    let pack_red = globs(Tier::Red);
    let pack_set = glob_set(&pack_red, &options.pack)?;
    let green_set = glob_set(&globs(Tier::Green), &options.pack)?;
    let found_dirs = layout::red_dirs(&repo.files);
    let mut red = layout::red_paths(&pack_red, &pack_set, &found_dirs);
    red.files = layout::red_files(&repo.files, &|path| pack_set.is_match(path) || red.in_found_dir(path), &|path| {
        green_set.is_match(path)
    });
    let langs = layout::languages(&repo.files);
    let guess = keys::guess(&repo.messages, &repo.branches);
    let (red_words, history) = (render::red(&red), render::history(&guess));
    let detectors = layout::detectors(&langs);
    let policy_text = init_words::policy(&options.pack, &red_words, &langs, &detectors, &history);
    // What init writes must load: refuse to write a policy the gate would reject.
    load_text(&policy_text, Path::new(POLICY_PATH))?;

    let mut found = vec![init_words::red_paths(&red_words), cli::code_aware(&langs, &detectors)];
    found.extend(init_words::history(&history));
    let mut files = Vec::new();
    let kept_policy = repo.existing(POLICY_PATH).filter(|_| !options.force).map(str::to_string);
    files.push(whole_file(repo, options, POLICY_PATH, cli::POLICY_PURPOSE, policy_text.clone()));
    files.push(whole_file(repo, options, WORKFLOW_PATH, cli::WORKFLOW_PURPOSE, render::workflow(&uses)));
    let example = guess.prefixes.first().map(|p| p.prefix.as_str());
    files.push(template(repo, options, &render::template_section(example)));
    if kept_policy.is_some() {
        found.push(cli::policy_exists(POLICY_PATH));
    }
    Ok(Plan {
        files,
        found,
        policy_text: kept_policy.unwrap_or(policy_text),
        action_placeholder: options.action.is_none(),
    })
}

/// A pack's globs compiled together, as the policy compiles them.
fn glob_set(globs: &[String], pack: &str) -> Result<globset::GlobSet, UserError> {
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        let compiled = globset::GlobBuilder::new(glob).literal_separator(true).build();
        builder.add(compiled.map_err(|e| UserError::Usage(format!("the {pack} pack's glob {glob}: {e}")))?);
    }
    builder.build().map_err(|e| UserError::Usage(format!("the {pack} pack's globs: {e}")))
}

/// `OWNER/NAME@SHA` with a full 40-character commit: a tag can move, a commit cannot.
fn check_action(action: &str) -> Result<&str, UserError> {
    let bad =
        |why: &str| UserError::Usage(format!("--action {action:?}: {why}; write OWNER/NAME@<40-character commit>"));
    let (repo, sha) = action.split_once('@').ok_or_else(|| bad("no @"))?;
    let parts: Vec<&str> = repo.split('/').collect();
    let name_ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if parts.len() != 2 || !parts.iter().all(|p| name_ok(p)) {
        return Err(bad("not a repository OWNER/NAME"));
    }
    if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("pin a full commit, not a tag or branch"));
    }
    Ok(action)
}

fn whole_file(repo: &Repository, options: &Options, path: &str, purpose: &'static str, text: String) -> PlannedFile {
    let change = match repo.existing(path) {
        None => Change::Create(text),
        Some(old) if old == text => Change::Keep(cli::KEEP_SAME.into()),
        Some(_) if options.force => Change::Overwrite(text),
        Some(_) => Change::Keep(cli::KEEP_EXISTS.into()),
    };
    PlannedFile { path: path.to_string(), purpose, change }
}

/// The template GitHub uses, if any, gets the section appended once; `--force` replaces a
/// section added before. Without a template, one is created.
fn template(repo: &Repository, options: &Options, section: &str) -> PlannedFile {
    let purpose = cli::TEMPLATE_PURPOSE;
    let Some((path, old)) = TEMPLATE_PATHS.iter().find_map(|p| repo.existing(p).map(|t| (*p, t))) else {
        return PlannedFile { path: TEMPLATE_PATH.to_string(), purpose, change: Change::Create(section.to_string()) };
    };
    let change = match (old.find(render::TEMPLATE_START), old.find(render::TEMPLATE_END)) {
        (Some(start), Some(end)) if end > start && options.force => {
            let after = &old[end + render::TEMPLATE_END.len()..];
            let after = after.strip_prefix('\n').unwrap_or(after);
            let text = format!("{}{section}{after}", &old[..start]);
            if text == old { Change::Keep(cli::KEEP_HAS_SECTION.into()) } else { Change::Overwrite(text) }
        }
        (Some(_), _) => Change::Keep(cli::KEEP_HAS_SECTION_UNFORCED.into()),
        (None, _) => {
            let gap = if old.is_empty() || old.ends_with("\n\n") {
                ""
            } else if old.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            Change::Append(format!("{gap}{section}"))
        }
    };
    PlannedFile { path: path.to_string(), purpose, change }
}

/// What writing one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    pub purpose: &'static str,
    /// `written`, `replaced`, `appended to` or `kept (why)`.
    pub what: String,
}

/// Writes the plan under `root`, creating directories as needed.
pub fn apply(root: &Path, plan: &Plan) -> Result<Vec<Written>, UserError> {
    let mut out = Vec::new();
    for file in &plan.files {
        let path = root.join(&file.path);
        let write = |text: &str| -> Result<(), UserError> {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| UserError::input(parent, format!("cannot create the directory: {e}")))?;
            }
            std::fs::write(&path, text).map_err(|e| UserError::input(&path, format!("cannot write: {e}")))
        };
        let what = match &file.change {
            Change::Create(text) => write(text).map(|_| cli::done(FileAction::Write))?,
            Change::Overwrite(text) => write(text).map(|_| cli::done(FileAction::Replace))?,
            Change::Append(text) => {
                use std::io::Write;
                std::fs::OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .and_then(|mut f| f.write_all(text.as_bytes()))
                    .map_err(|e| UserError::input(&path, format!("cannot append: {e}")))?;
                cli::done(FileAction::Append)
            }
            Change::Keep(why) => cli::done(FileAction::Keep(why)),
        };
        out.push(Written { path: file.path.clone(), purpose: file.purpose, what });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
