//! `flowgate init`: plan, print, write (unless --dry-run), then gate the current branch with the
//! policy as it now stands.

use std::process::ExitCode;

use flowgate::git::LocalPr;
use flowgate::init::{self, Change};
use flowgate::report::{self, Format};
use flowgate::wording::cli::{self, FileAction};
use flowgate::{UserError, gate};

use crate::common::{current_dir, print};

/// Set flowgate up in this repository: a policy guessed from its layout and history, the
/// Action workflow and the pull request template; then gate the current branch.
#[derive(clap::Args)]
pub struct Args {
    /// The bundled pack the policy starts from: default or strict.
    #[arg(long, default_value = "default", value_name = "NAME")]
    pack: String,
    /// Print what would be written, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Replace files that exist (the template keeps its own text; only flowgate's section is rewritten).
    #[arg(long)]
    force: bool,
    /// The action to pin in the workflow, OWNER/NAME@<40-character commit> (default: a placeholder
    /// to replace, see docs/action.md).
    #[arg(long, value_name = "OWNER/NAME@SHA")]
    action: Option<String>,
}

/// Exit 0 once the files are in place, whatever the gate says: the verdict shows the gate
/// working, it is not the result of `init`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cwd = current_dir()?;
    let repo = flowgate::git::Repo::discover(&cwd)?;
    let root = repo.root().to_path_buf();
    let mut existing = Vec::new();
    for path in [gate::POLICY_PATH, init::WORKFLOW_PATH].iter().chain(init::TEMPLATE_PATHS) {
        let full = root.join(path);
        if full.is_file() {
            let text =
                std::fs::read_to_string(&full).map_err(|e| UserError::input(&full, format!("cannot read: {e}")))?;
            existing.push((path.to_string(), text));
        }
    }
    let facts = init::Repository {
        files: repo.files()?,
        messages: repo.recent_messages(init::HISTORY)?,
        branches: repo.branch_names()?,
        existing,
    };
    let options = init::Options { pack: args.pack.clone(), force: args.force, action: args.action.clone() };
    let plan = init::plan(&facts, &options)?;
    let mut out = String::new();
    for line in &plan.found {
        out.push_str(&cli::found(line));
    }
    out.push('\n');
    if args.dry_run {
        for file in &plan.files {
            let (what, text) = match &file.change {
                Change::Create(t) => (FileAction::Write, Some(t)),
                Change::Overwrite(t) => (FileAction::Replace, Some(t)),
                Change::Append(t) => (FileAction::Append, Some(t)),
                Change::Keep(why) => (FileAction::Keep(why), None),
            };
            out.push_str(&cli::file_line(&file.path, &cli::would(what), file.purpose));
            if let Some(text) = text {
                out.push_str(&format!("----- {} -----\n{text}", file.path));
                if !text.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("-----\n");
            }
        }
        out.push_str(&format!("\n{}\n", cli::DRY_RUN));
    } else {
        for done in init::apply(&root, &plan)? {
            out.push_str(&cli::file_line(&done.path, &done.what, done.purpose));
        }
    }
    if plan.action_placeholder {
        out.push_str(&cli::pin_the_action(init::WORKFLOW_PATH, init::render::ACTION_PLACEHOLDER));
    }
    let policy_kept = plan.files.iter().any(|f| f.path == gate::POLICY_PATH && matches!(f.change, Change::Keep(_)));
    out.push_str(&cli::gate_on_branch(gate::POLICY_PATH, args.dry_run, policy_kept));
    print(&out);
    // The files are in place whatever happens here: a policy that does not load (one that was
    // kept) or a branch git cannot compare is reported, not turned into a failed init.
    let policy_path = root.join(gate::POLICY_PATH);
    let gated = flowgate::policy::load::load_text(&plan.policy_text, &policy_path)
        .map_err(gate::Error::from)
        .and_then(|policy| gate::check_local_with(&root, &LocalPr::default(), &policy));
    match gated {
        Ok(verdict) => print(&report::render(&verdict, Format::Text, false)),
        Err(e) => print(&cli::gate_not_run(&e)),
    }
    Ok(ExitCode::SUCCESS)
}
