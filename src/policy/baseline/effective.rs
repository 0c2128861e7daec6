//! A baseline loaded, and a repository's policy laid over it as if its chain ended in an
//! `extends:` of the baseline; the result judged with `loosenings`, each placed in the
//! repository's file.

use std::path::Path;

use yaml_serde::Value;

use super::{Loosening, loosenings, position};
use crate::model::Enforcement;
use crate::policy::Policy;
use crate::policy::load::{LoadError, Loading, Loosened, Merged, loading_bundled, loading_file};

/// A baseline policy, built, and its merged file to lay repositories' policies over.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// How messages name it: the pack, the path, or `ORG/REPO:PATH@REF`.
    pub name: String,
    pub policy: Policy,
    merged: Value,
    files: Vec<String>,
}

impl Baseline {
    /// The baseline whose chain `loading` has read whole; `enforcement`, when given (a shadow
    /// target), replaces the policy's own, as if the baseline file said it.
    pub(crate) fn from_loading(
        name: &str,
        loading: Loading,
        enforcement: Option<Enforcement>,
    ) -> Result<Baseline, LoadError> {
        let mut merged: Merged = loading.merged()?;
        if let (Some(mode), Value::Mapping(top)) = (enforcement, &mut merged.value) {
            top.insert(Value::from("enforcement"), Value::from(mode.id()));
        }
        let (value, files) = (merged.value.clone(), merged.names.clone());
        let (policy, _) = merged.build(None)?;
        Ok(Baseline { name: name.to_string(), policy, merged: value, files })
    }

    /// A bundled pack (`strict`) as a baseline.
    pub fn bundled(name: &str, enforcement: Option<Enforcement>) -> Result<Baseline, LoadError> {
        Baseline::from_loading(name, loading_bundled(name)?, enforcement)
    }

    /// A policy file on disk, and the files it extends, as a baseline.
    pub fn file(
        files: &dyn crate::policy::load::PolicyFiles,
        path: &Path,
        enforcement: Option<Enforcement>,
    ) -> Result<Baseline, LoadError> {
        Baseline::from_loading(&path.display().to_string(), loading_file(files, path)?, enforcement)
    }
}

/// A repository's policy laid over its baseline, and what it loosens.
#[derive(Debug)]
pub struct Effective {
    pub policy: Policy,
    pub loosenings: Vec<Loosening>,
    /// The repository's policy file: its name and text.
    file: String,
    text: String,
}

/// Lays the repository's chain, read whole in `repo`, over `baseline`. A chain that already
/// extends the baseline has it once.
pub(crate) fn lay_over(repo: Loading, baseline: &Baseline) -> Result<Effective, LoadError> {
    let merged = repo.merged()?;
    let (file, text) = merged.texts.first().cloned().unwrap_or_default();
    let (policy, _) = merged.build(Some((&baseline.merged, &baseline.files)))?;
    let loosenings = loosenings(&baseline.policy, &policy);
    Ok(Effective { policy, loosenings, file, text })
}

impl Effective {
    /// Where `key` is written in the repository's file: its own place, else the nearest key
    /// around it, else the `extends:` that brings it, else the top.
    pub fn place(&self, key: &str) -> (usize, usize) {
        position::key_position(&self.text, key)
            .or_else(|| position::key_position(&self.text, "extends"))
            .unwrap_or((1, 1))
    }

    /// The policy when it loosens nothing; else the first loosening, at its place, in `word`'s
    /// words (with how many more there are).
    pub fn judged(self, baseline: &Baseline, word: impl Fn(&Loosening, usize) -> String) -> Result<Policy, LoadError> {
        let Some(first) = self.loosenings.first() else { return Ok(self.policy) };
        let (line, column) = self.place(&first.key);
        Err(LoadError::Loosens(Box::new(Loosened {
            file: self.file.clone(),
            line,
            column,
            key: first.key.clone(),
            baseline: baseline.name.clone(),
            why: word(first, self.loosenings.len() - 1),
        })))
    }
}
