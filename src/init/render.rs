//! init's findings handed to `wording::init`, which words the files init writes and the lines it
//! reports: the red paths and the trackers' keys as the borrowed parts that layer takes.

use super::keys::{Guess, MIN_SEEN};
use super::layout::{FoundDir, RedPaths};
use crate::wording::init::{History, KeyPrefix, Red, RedDir, RedName};

pub use crate::wording::init::{ACTION_PLACEHOLDER, workflow};
pub(crate) use crate::wording::init::{TEMPLATE_END, TEMPLATE_START, template_section};

fn dir(found: &FoundDir) -> RedDir<'_> {
    RedDir { dir: &found.dir, why: found.why }
}

/// The red paths as `wording::init` takes them.
pub fn red(red: &RedPaths) -> Red<'_> {
    Red {
        pack: red.pack.iter().map(|(glob, dirs)| (glob.as_str(), dirs.iter().map(dir).collect())).collect(),
        added: red.added.iter().map(dir).collect(),
        names: red.files.iter().map(|f| RedName { glob: &f.glob, paths: &f.paths, why: f.why }).collect(),
    }
}

/// What the history says about trackers, as `wording::init` takes it; Shortcut and Azure Boards
/// are listed when their references recur as often as a key prefix must.
pub fn history(guess: &Guess) -> History<'_> {
    History {
        messages: guess.messages,
        branches: guess.branches,
        recurring: guess
            .prefixes
            .iter()
            .map(|p| KeyPrefix {
                prefix: &p.prefix,
                tracker: p.tracker,
                in_commits: p.in_commits,
                in_branches: p.in_branches,
                keys: &p.keys,
            })
            .collect(),
        once: guess.once.iter().map(|p| p.keys.as_slice()).collect(),
        shortcut: guess.shortcut,
        shortcut_recurs: guess.shortcut >= MIN_SEEN,
        azure: guess.azure,
        azure_recurs: guess.azure >= MIN_SEEN,
    }
}
