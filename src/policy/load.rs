//! Reading a policy: the file, its `extends:` chain (bundled packs, relative paths, files in other
//! GitHub repositories), the merge, and the checks that span several keys. Errors name the file,
//! line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use globset::GlobSetBuilder;
use regex::Regex;
use yaml_serde::{Mapping, Value};

use super::load_error::unknown_pack;
pub use super::load_error::{LoadError, Loosened};
use super::load_review::review_rule;
pub use super::remote::RemoteFile;
use super::remote::{ExtendsFile, RemoteExtends};
use super::schema::{AiFile, ChainFile, LinkageFile, PolicyFile, PoolName, ReviewersFile, StoryState};
use super::yaml_limits;
use super::{
    Ai, AiLabels, AnalysisLimits, ChainRules, Disclosure, Limits, Linkage, OnTrackerError, OnUndeclared, Override,
    Policy, Tier, TierQuery, TierRules, TrackerSet,
};
use crate::assign::policy::{DEFAULT_FAIRNESS_WEEKS, Pool, ReviewerPolicy, SpotCheckRule, TierNeed, Weights};
use crate::files;
use crate::model::Login;
use crate::model::chain::Levels;
use crate::model::story::StateCategory;
use std::time::Duration;

/// The packs shipped inside the binary, by the name `extends:` uses.
pub(crate) use super::packs::BUNDLED;

/// `extends:` chains deeper than this are almost certainly a mistake.
const MAX_EXTENDS_DEPTH: usize = 8;

/// Where policy files are read from: the disk, or a git revision (so that a branch cannot change
/// the files its own gate is judged by).
pub trait PolicyFiles {
    fn read(&self, path: &Path) -> Result<String, String>;
    /// Whether `target`, followed from `dir`, passes through a symbolic link (only the disk has
    /// them): `extends:` follows none, so a link cannot make the loader read, and quote in its
    /// errors, a file outside the policy's tree.
    fn through_link(&self, _dir: &Path, _target: &Path) -> bool {
        false
    }
    /// How messages name the file.
    fn describe(&self, path: &Path) -> String;
    /// The text of a file in a GitHub repository that the chain extends (`OWNER/REPO:PATH@REF`).
    /// Only a caller that can reach GitHub reads one; the others say so.
    fn read_remote(&self, _file: &RemoteFile) -> Result<String, String> {
        Err(NO_GITHUB.to_string())
    }
}

/// Why a remote `extends:` cannot be read where GitHub is out of reach.
pub const NO_GITHUB: &str = "a remote policy is read from GitHub, which this command does not reach";

/// What the loader needs of where a chain's files come from besides their texts: how messages name
/// a file, and whether a path that `extends:` names goes through a symbolic link. Every
/// `PolicyFiles` is one; a caller that fetches the texts itself and gives them to [`Loading`]
/// needs only this.
pub(crate) trait FileNames {
    /// How messages name the file.
    fn name(&self, path: &Path) -> String;
    /// Whether `target`, followed from `dir`, passes through a symbolic link.
    fn links(&self, _dir: &Path, _target: &Path) -> bool {
        false
    }
}

impl<T: PolicyFiles + ?Sized> FileNames for T {
    fn name(&self, path: &Path) -> String {
        self.describe(path)
    }
    fn links(&self, dir: &Path, target: &Path) -> bool {
        self.through_link(dir, target)
    }
}

/// Policy files on disk.
pub(crate) struct Disk;

impl PolicyFiles for Disk {
    fn read(&self, path: &Path) -> Result<String, String> {
        files::read_text_capped(path, yaml_limits::MAX_POLICY_BYTES as u64).map_err(|e| match e {
            files::ReadError::Other(why) if why.contains("over the limit") => format!("{why} (max policy size)"),
            e => e.to_string(),
        })
    }
    fn describe(&self, path: &Path) -> String {
        path.display().to_string()
    }
    fn through_link(&self, dir: &Path, target: &Path) -> bool {
        files::through_link(dir, target)
    }
}

/// Where a policy text came from: a file of this repository, a bundled pack, or a file in a
/// GitHub repository (at a commit or ref: one file at two commits is two files).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    File(PathBuf),
    Bundled(&'static str),
    Remote(RemoteFile),
}

impl Origin {
    fn name<N: FileNames + ?Sized>(&self, files: &N) -> String {
        match self {
            Origin::File(p) => files.name(p),
            Origin::Bundled(name) => format!("policies/{name}.yml (bundled)"),
            Origin::Remote(file) => file.to_string(),
        }
    }
}

/// A file the loader asks its caller for: one of this repository's (read where the first file
/// came from), or one in a GitHub repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wants<'a> {
    File(&'a Path),
    Remote(&'a RemoteFile),
}

/// Reads and checks the policy file at `path` on disk, following its `extends:` chain.
pub fn load_file(path: &Path) -> Result<Policy, LoadError> {
    load_from(&Disk, path)
}

/// Reads and checks the policy file at `path` from `files`, following its `extends:` chain there.
pub fn load_from(files: &dyn PolicyFiles, path: &Path) -> Result<Policy, LoadError> {
    let text = read_first(files, path)?;
    load_read(files, path, text)
}

/// `load_from` for a caller that has read the file at `path` already (to learn whether there is
/// one): the files it extends are read from `files`, and it is not read again.
pub(crate) fn load_read(files: &dyn PolicyFiles, path: &Path, text: String) -> Result<Policy, LoadError> {
    resolve_chain(files, Origin::File(normalize(path)), text).map(|(policy, _)| policy)
}

/// Loads the bundled pack `name` (`default`, `strict`).
pub fn load_bundled(name: &str) -> Result<Policy, LoadError> {
    let (name, text) = bundled(name).ok_or_else(|| LoadError::UnknownPack { name: name.to_string() })?;
    resolve_chain(&Disk, Origin::Bundled(name), text.to_string()).map(|(policy, _)| policy)
}

/// Starts the chain of the bundled pack `name`, for a baseline.
pub(crate) fn loading_bundled(name: &str) -> Result<Loading, LoadError> {
    let (name, text) = bundled(name).ok_or_else(|| LoadError::UnknownPack { name: name.to_string() })?;
    Loading::begin(&Disk, Origin::Bundled(name), text.to_string())
}

/// Reads the policy file at `path` from `files` and its whole `extends:` chain, unbuilt.
pub(crate) fn loading_file(files: &dyn PolicyFiles, path: &Path) -> Result<Loading, LoadError> {
    let text = read_first(files, path)?;
    let mut loading = Loading::begin(files, Origin::File(normalize(path)), text)?;
    pull(files, &mut loading)?;
    Ok(loading)
}

/// Loads policy text said to come from `path` on disk: messages name it, and relative
/// `extends:` paths start from its directory.
pub fn load_text(text: &str, path: &Path) -> Result<Policy, LoadError> {
    load_read(&Disk, path, text.to_string())
}

/// A policy file's text from disk, within the policy size limit (`flowgate policy update` edits it).
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    read_first(&Disk, path)
}

fn read_first(files: &dyn PolicyFiles, path: &Path) -> Result<String, LoadError> {
    files.read(path).map_err(|why| LoadError::Unreadable { file: files.describe(path), why })
}

fn bundled(name: &str) -> Option<(&'static str, &'static str)> {
    BUNDLED.iter().find(|(n, _)| *n == name).copied()
}

/// Folds `.` and `..` so that one file has one name, whichever way `extends:` reached it.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Something a policy that loads allows but probably does not mean, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub file: String,
    /// 1-based; None when the setting cannot be placed on a line.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The warning an open `jira: {}` gets: it takes any `WORD-123` for a story key.
pub(crate) const OPEN_JIRA: &str = "jira accepts any project: titles like GPT-5 or PKCS-11 count as keys; list your projects: jira: { projects: [ABC] }";

/// `load_file`, and what in the policy (or a file it extends) is probably not meant.
pub fn load_file_with_warnings(path: &Path) -> Result<(Policy, Vec<Warning>), LoadError> {
    load_with_warnings(&Disk, path)
}

/// `load_file_with_warnings` for a policy file read from `files` (which may reach GitHub for the
/// remote files it extends).
pub fn load_with_warnings(files: &dyn PolicyFiles, path: &Path) -> Result<(Policy, Vec<Warning>), LoadError> {
    let text = read_first(files, path)?;
    let mut loading = Loading::begin(files, Origin::File(normalize(path)), text)?;
    pull(files, &mut loading)?;
    let unpinned = std::mem::take(&mut loading.unpinned);
    let (policy, chain) = loading.finish_chain()?;
    let mut warnings = unpinned;
    warnings.extend(self::warnings(&policy, &chain));
    Ok((policy, warnings))
}

/// The warning a remote `extends:` that follows a ref gets: what it reads can change without a
/// review here.
fn unpinned(from: &super::remote::RemoteSpec) -> String {
    format!(
        "`extends: {from}` is not pinned: it reads whatever {} is now, unreviewed here; \
         run `flowgate policy update` to pin it to a commit",
        from.reference
    )
}

/// Warnings about a loaded policy, given the files of its `extends:` chain (name, text), the
/// extending file first.
fn warnings(policy: &Policy, chain: &[(String, String)]) -> Vec<Warning> {
    let mut out = Vec::new();
    if policy.linkage.trackers.jira.as_ref().is_some_and(Vec::is_empty) {
        // The nearest file that writes `jira:` is the one to edit.
        let writes_jira = |text: &str| {
            yaml_serde::from_str::<PolicyFile>(text).ok().and_then(|f| f.linkage?.trackers?.jira).is_some()
        };
        if let Some((file, text)) = chain.iter().find(|(_, text)| writes_jira(text)) {
            out.push(Warning { file: file.clone(), line: key_line(text, "jira"), message: OPEN_JIRA.into() });
        }
    }
    out
}

/// The first line that writes `key:` outside a comment (block or flow style).
fn key_line(text: &str, key: &str) -> Option<usize> {
    let pattern = Regex::new(&format!(r"(^|[\s{{,]){}\s*:", regex::escape(key))).ok()?;
    text.lines().position(|line| pattern.is_match(line.split('#').next().unwrap_or(""))).map(|i| i + 1)
}

/// Reads the `extends:` chain from `files` and builds the policy; also gives each file's name and
/// text.
fn resolve_chain(
    files: &dyn PolicyFiles,
    origin: Origin,
    text: String,
) -> Result<(Policy, Vec<(String, String)>), LoadError> {
    let mut loading = Loading::begin(files, origin, text)?;
    pull(files, &mut loading)?;
    loading.finish_chain()
}

/// Gives `loading` every file it asks for, read from `files`.
fn pull(files: &dyn PolicyFiles, loading: &mut Loading) -> Result<(), LoadError> {
    loop {
        let text = match loading.wants() {
            None => return Ok(()),
            Some(Wants::File(path)) => files.read(path),
            Some(Wants::Remote(file)) => files.read_remote(file),
        };
        loading.give(files, text)?;
    }
}

/// A policy's `extends:` chain, read a file at a time by the caller: the App fetches each file
/// from GitHub and cannot block the loader on it. Each file is given once and parsed once as it
/// comes, and the policy is built once at the end; bundled packs are followed without asking. A
/// remote file (`OWNER/REPO:PATH@REF`) is asked for by repository, path and commit or ref
/// ([`Wants::Remote`]); the loader itself never reaches GitHub. `files` names the files in messages and says where a symbolic link would be followed.
pub(crate) struct Loading {
    /// The files taken so far, the extending file first, with their names and texts.
    chain: Vec<Origin>,
    names: Vec<String>,
    texts: Vec<(String, String)>,
    /// The chain so far, each file laid over the ones it extends.
    merged: Value,
    /// The file the last one extends, still to be read.
    wanted: Option<Wanted>,
    /// This repository's files that extend a remote file without pinning a commit.
    unpinned: Vec<Warning>,
}

/// A file that `extends:` names, and who names it how, for the error when it cannot be read.
struct Wanted {
    origin: Origin,
    target: String,
    by: String,
}

impl Loading {
    /// Starts with the policy file at `path`, whose text the caller has read from `files`.
    pub fn start<N: FileNames + ?Sized>(files: &N, path: &Path, text: String) -> Result<Loading, LoadError> {
        Loading::begin(files, Origin::File(normalize(path)), text)
    }

    fn begin<N: FileNames + ?Sized>(files: &N, origin: Origin, text: String) -> Result<Loading, LoadError> {
        let mut loading = Loading {
            chain: Vec::new(),
            names: Vec::new(),
            texts: Vec::new(),
            merged: Value::Mapping(Mapping::new()),
            wanted: None,
            unpinned: Vec::new(),
        };
        loading.take(files, origin, text)?;
        Ok(loading)
    }

    /// Starts with the remote file `file`, whose text the caller has fetched (a policy named by
    /// `OWNER/REPO:PATH@REF` rather than read from a repository's own `.github/flowgate.yml`).
    pub fn start_remote<N: FileNames + ?Sized>(
        files: &N,
        file: RemoteFile,
        text: String,
    ) -> Result<Loading, LoadError> {
        Loading::begin(files, Origin::Remote(file), text)
    }

    /// The file the chain extends next, to read (one of this repository's from where the first
    /// file came from; a remote one from GitHub) and `give`; `None` once the chain is complete.
    pub fn wants(&self) -> Option<Wants<'_>> {
        self.wanted.as_ref().and_then(|w| match &w.origin {
            Origin::File(path) => Some(Wants::File(path.as_path())),
            Origin::Remote(file) => Some(Wants::Remote(file)),
            Origin::Bundled(_) => None,
        })
    }

    /// Gives the text of the file `wants` names, or why it cannot be read.
    pub fn give<N: FileNames + ?Sized>(&mut self, files: &N, text: Result<String, String>) -> Result<(), LoadError> {
        let Some(Wanted { origin, target, by }) = self.wanted.take() else { return Ok(()) };
        let text = text.map_err(|e| LoadError::Extends {
            file: by,
            message: format!("`extends: {target}`: cannot read {}: {e}", origin.name(files)),
        })?;
        self.take(files, origin, text)
    }

    /// Checks one file and lays the chain so far over it, then follows its `extends:` through
    /// bundled packs until a file must be read (or the chain ends).
    fn take<N: FileNames + ?Sized>(&mut self, files: &N, origin: Origin, text: String) -> Result<(), LoadError> {
        let mut next = Some((origin, text));
        while let Some((origin, text)) = next.take() {
            let name = origin.name(files);
            if self.chain.len() >= MAX_EXTENDS_DEPTH || self.chain.contains(&origin) {
                return Err(LoadError::Extends {
                    file: self.names.first().cloned().unwrap_or_else(|| name.clone()),
                    message: format!(
                        "`extends:` goes round in a circle or deeper than {MAX_EXTENDS_DEPTH} files: {} -> {name}",
                        self.names.join(" -> ")
                    ),
                });
            }
            let file = parse_strict(&text, &name)?;
            if let Some(version) = file.version
                && version != 1
            {
                return Err(LoadError::Rule {
                    file: name,
                    message: format!("version {version} is not supported; this flowgate reads `version: 1`"),
                });
            }
            let value: Value = yaml_serde::from_str(&text).map_err(|e| syntax_error(&name, &e))?;
            // The extending file wins: what we have so far is laid over its parent.
            self.merged = merge(std::mem::replace(&mut self.merged, Value::Null), value);
            if let (Origin::File(_), Some(ExtendsFile::Remote(RemoteExtends { from, commit: None }))) =
                (&origin, &file.extends)
            {
                self.unpinned.push(Warning {
                    file: name.clone(),
                    line: key_line(&text, "extends"),
                    message: unpinned(from),
                });
            }
            match &file.extends {
                None => {}
                Some(extends) => match open_extends(files, &origin, &name, extends)? {
                    Extends::Pack(pack, text) => next = Some((Origin::Bundled(pack), text.to_string())),
                    Extends::Read(wanted) => {
                        self.wanted = Some(Wanted { origin: wanted, target: extends.target(), by: name.clone() });
                    }
                },
            }
            self.texts.push((name.clone(), text));
            self.chain.push(origin);
            self.names.push(name);
        }
        Ok(())
    }

    /// Builds the policy from the whole chain.
    pub fn finish(self) -> Result<Policy, LoadError> {
        self.finish_chain().map(|(policy, _)| policy)
    }

    fn finish_chain(self) -> Result<(Policy, Vec<(String, String)>), LoadError> {
        self.merged()?.build(None)
    }

    /// The whole chain merged and not yet built: a baseline, or a policy to lay over one.
    pub(crate) fn merged(mut self) -> Result<Merged, LoadError> {
        if let Some(Wanted { target, by, .. }) = self.wanted {
            // A caller that stopped giving files: the chain is incomplete, and so is the policy.
            return Err(LoadError::Extends {
                file: by,
                message: format!("`extends: {target}`: the file was not read"),
            });
        }
        if let Value::Mapping(m) = &mut self.merged {
            m.remove("extends");
        }
        Ok(Merged { value: self.merged, names: self.names, texts: self.texts, chain: self.chain })
    }
}

/// A policy's `extends:` chain merged into one mapping, with its files' names and texts.
pub(crate) struct Merged {
    pub value: Value,
    /// The files' names, the extending file first.
    pub names: Vec<String>,
    pub texts: Vec<(String, String)>,
    chain: Vec<Origin>,
}

impl Merged {
    /// Builds the policy; laid over `base` (a baseline's merged mapping and its files' names) when
    /// given, as if the chain's last file extended it.
    pub fn build(self, base: Option<(&Value, &[String])>) -> Result<(Policy, Vec<(String, String)>), LoadError> {
        let (value, names) = match base {
            None => (self.value, self.names),
            Some((base, base_names)) => {
                let mut names = self.names;
                names.extend(base_names.iter().filter(|n| !names.contains(n)).cloned().collect::<Vec<_>>());
                (merge(self.value, base.clone()), names)
            }
        };
        let file: PolicyFile = yaml_serde::from_value(value)
            .map_err(|e| LoadError::Rule { file: names[0].clone(), message: strip_location(&e.to_string()) })?;
        let mut policy = build(file, names)?;
        policy.paths = self
            .chain
            .iter()
            .filter_map(|origin| match origin {
                Origin::File(path) => Some(path.to_string_lossy().replace('\\', "/")),
                // Another repository's files are not this one's to edit in a PR.
                Origin::Bundled(_) | Origin::Remote(_) => None,
            })
            .collect();
        Ok((policy, self.texts))
    }
}

/// Where an `extends:` leads: a bundled pack (its text is here), or a file to read (this
/// repository's or a remote one).
enum Extends {
    Pack(&'static str, &'static str),
    Read(Origin),
}

fn open_extends<N: FileNames + ?Sized>(
    files: &N,
    origin: &Origin,
    name: &str,
    extends: &ExtendsFile,
) -> Result<Extends, LoadError> {
    let target = match extends {
        ExtendsFile::Name(target) => target.as_str(),
        ExtendsFile::Remote(remote) => {
            if let Origin::Bundled(_) = origin {
                return Err(LoadError::Extends {
                    file: name.to_string(),
                    message: format!("`extends: {}`: a bundled pack can only extend another bundled pack", remote.from),
                });
            }
            let rev = remote.rev().to_string();
            return Ok(Extends::Read(Origin::Remote(RemoteFile {
                repo: remote.from.repo.clone(),
                path: remote.from.path.clone(),
                rev,
            })));
        }
    };
    if let Some((pack, text)) = bundled(target) {
        return Ok(Extends::Pack(pack, text));
    }
    let looks_like_path = target.ends_with(".yml") || target.ends_with(".yaml");
    match origin {
        // A remote file's relative `extends:` stays in its repository, at its commit.
        Origin::Remote(file) if looks_like_path => {
            let dir = Path::new(&file.path).parent().unwrap_or(Path::new(""));
            let path = normalize(&dir.join(target)).to_string_lossy().replace('\\', "/");
            super::remote::check_path(&path).map_err(|why| LoadError::Extends {
                file: name.to_string(),
                message: format!("`extends: {target}`: leads to no file of {}: {why}", file.repo),
            })?;
            Ok(Extends::Read(Origin::Remote(RemoteFile { repo: file.repo.clone(), path, rev: file.rev.clone() })))
        }
        Origin::File(path) if looks_like_path => {
            let dir = path.parent().unwrap_or(Path::new(""));
            if files.links(dir, Path::new(target)) {
                return Err(LoadError::Extends {
                    file: name.to_string(),
                    message: format!(
                        "`extends: {target}`: the path goes through a symbolic link, which `extends:` does not follow"
                    ),
                });
            }
            Ok(Extends::Read(Origin::File(normalize(&dir.join(target)))))
        }
        Origin::Bundled(_) => Err(LoadError::Extends {
            file: name.to_string(),
            message: format!("`extends: {target}`: a bundled pack can only extend another bundled pack"),
        }),
        _ => Err(LoadError::Extends {
            file: name.to_string(),
            message: format!(
                "`extends: {target}`: {}; or give a path ending in .yml, or OWNER/REPO:PATH@REF",
                unknown_pack(target)
            ),
        }),
    }
}

/// Parses one file on its own, so that unknown keys and bad values are reported at their line.
/// The `enforcement:` a policy file that does not load says at its top level, read as leniently
/// as its YAML allows, so that a broken policy in shadow mode does not block merges either.
/// `enforce` unless the file is YAML within the limits and says `enforcement: evaluate` itself
/// (an `evaluate` it would inherit through `extends:` is not seen: not knowing, flowgate enforces).
/// Anyone who can write the file can switch enforcement off anyway, so reading it here loosens
/// nothing a valid file could not.
pub fn declared_enforcement(text: &str) -> crate::model::Enforcement {
    use crate::model::Enforcement;
    if yaml_limits::check(text).is_err() {
        return Enforcement::Enforce;
    }
    match yaml_serde::from_str::<Value>(text) {
        Ok(Value::Mapping(top)) => match top.get("enforcement") {
            Some(Value::String(mode)) if mode == "evaluate" => Enforcement::Evaluate,
            _ => Enforcement::Enforce,
        },
        _ => Enforcement::Enforce,
    }
}

fn parse_strict(text: &str, name: &str) -> Result<PolicyFile, LoadError> {
    if text.trim().is_empty() {
        return Err(LoadError::Rule {
            file: name.to_string(),
            message: "the policy file is empty; start from `extends: default`".into(),
        });
    }
    // Before the parser, which has no limits of its own: see `yaml_limits`.
    yaml_limits::check(text).map_err(|e| LoadError::Syntax {
        file: name.to_string(),
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    yaml_serde::from_str::<PolicyFile>(text).map_err(|e| syntax_error(name, &e))
}

static LOCATION_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r" at line \d+ column \d+$").expect("static regex"));

/// When a whole file is one string where a policy belongs, the parser quotes that string: it is
/// the file itself when the file is not a policy at all (a token, a key), so it is never
/// repeated. A wrong value inside a policy (`approvals: two`) is still quoted, to be found.
static WHOLE_FILE_STRING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"invalid type: string "(?:[^"\\]|\\.)*"(, expected a policy)"#).expect("static regex")
});

fn strip_location(message: &str) -> String {
    let message = LOCATION_SUFFIX.replace(message, "");
    WHOLE_FILE_STRING.replace_all(&message, "invalid type: a string$1").into_owned()
}

fn syntax_error(file: &str, e: &yaml_serde::Error) -> LoadError {
    let message = strip_location(&e.to_string());
    match e.location() {
        Some(loc) => LoadError::Syntax { file: file.to_string(), line: loc.line(), column: loc.column(), message },
        None => LoadError::Rule { file: file.to_string(), message },
    }
}

/// Deep-merges mappings (`over` wins key by key); any other value in `over` replaces `base`.
fn merge(over: Value, base: Value) -> Value {
    match (over, base) {
        (Value::Mapping(over), Value::Mapping(mut base)) => {
            for (k, v) in over {
                let merged = match base.remove(&k) {
                    Some(b) => merge(v, b),
                    None => v,
                };
                base.insert(k, merged);
            }
            Value::Mapping(base)
        }
        (over, _) => over,
    }
}

fn build(file: PolicyFile, origin: Vec<String>) -> Result<Policy, LoadError> {
    let top = origin[0].clone();
    let err = |message: String| LoadError::Rule { file: top.clone(), message };
    if file.version.is_none() {
        return Err(err("missing `version: 1` (in this file or the pack it extends)".into()));
    }
    let tiers_file = file.tiers.unwrap_or_default();
    let defaults: Vec<Tier> =
        Tier::ALL.into_iter().filter(|t| tiers_file.get(*t).and_then(|r| r.default) == Some(true)).collect();
    let default =
        match defaults.as_slice() {
            [one] => *one,
            [] => return Err(err(
                "no tier is the default: mark one tier `default: true` (files that no `paths` glob matches take it)"
                    .into(),
            )),
            many => {
                return Err(err(format!(
                    "more than one tier says `default: true` ({}); exactly one may",
                    many.iter().map(|t| t.id()).collect::<Vec<_>>().join(", ")
                )));
            }
        };
    let mut builder = GlobSetBuilder::new();
    let mut owners = Vec::new();
    let mut review = BTreeMap::new();
    let mut code = BTreeMap::new();
    let mut queries = Vec::new();
    let mut relax = BTreeMap::new();
    for tier in Tier::ALL {
        let Some(rule) = tiers_file.get(tier) else { continue };
        for glob in rule.paths.iter().flatten() {
            builder.add(glob.glob.clone());
            owners.push((tier, glob.text.clone()));
        }
        review.insert(tier, review_rule(&format!("tiers.{tier}.review"), tier, rule.review.as_ref()).map_err(err)?);
        code.insert(tier, rule.code.iter().flatten().map(|d| d.0).collect());
        for (lang, source, query) in rule.queries.iter().flat_map(|q| q.0.iter()) {
            queries.push(TierQuery {
                tier,
                lang: *lang,
                source: source.clone(),
                query: query.clone(),
                name: format!("query:{tier}"),
            });
        }
        relax.insert(tier, rule.relax.iter().flatten().map(|k| k.change()).collect());
    }
    if relax.get(&Tier::Green).is_some_and(|r: &Vec<_>| !r.is_empty()) {
        return Err(err("`tiers.green.relax` has no effect: relaxing moves files to green already".into()));
    }
    let set = builder.build().map_err(|e| err(format!("the tier globs do not compile together: {e}")))?;

    let teams: BTreeMap<String, Vec<Login>> = file
        .teams
        .unwrap_or_default()
        .into_iter()
        .map(|(team, members)| (team.0, members.into_iter().map(Login::new).collect()))
        .collect();

    let override_ = match file.override_ {
        None => None,
        Some(o) => {
            let label =
                o.label.filter(|l| !l.trim().is_empty()).ok_or_else(|| err("`override:` needs a `label:`".into()))?;
            let allowed = o.allowed.unwrap_or_default();
            if allowed.is_empty() {
                return Err(err(
                    "`override.allowed` is empty: name the people or teams who may override, or remove `override:`"
                        .into(),
                ));
            }
            Some(Override { label, allowed })
        }
    };

    let limits = file
        .limits
        .map(|l| Limits { max_files: l.max_files, max_changed_lines: l.max_changed_lines })
        .unwrap_or_default();
    Ok(Policy {
        origin,
        paths: Vec::new(),
        tiers: TierRules { default, set, owners, review, code, queries, relax },
        teams,
        linkage: linkage(file.linkage.unwrap_or_default()).map_err(err)?,
        ai: ai(file.ai.unwrap_or_default()).map_err(err)?,
        limits,
        override_,
        analysis: analysis_limits(file.analysis.unwrap_or_default()),
        reviewers: file.reviewers.map(reviewers).transpose().map_err(err)?,
        latency: super::latency::settings(file.latency.unwrap_or_default()).map_err(err)?,
        queue_prs: queue_prs(file.merge_queue.unwrap_or_default()).map_err(err)?,
        enforcement: file.enforcement.unwrap_or_default(),
    })
}

/// `merge_queue.queue_prs`: each rule names an account and a branch prefix, both needed, since a
/// rule that matched any author or any branch would let anyone's PR skip its own gate.
fn queue_prs(file: super::schema::MergeQueueFile) -> Result<Vec<crate::merge_queue::members::QueuePrRule>, String> {
    file.queue_prs
        .unwrap_or_default()
        .into_iter()
        .map(|rule| {
            if rule.author.trim().is_empty() || rule.branch.trim().is_empty() {
                return Err("`merge_queue.queue_prs`: each entry needs an `author` and a `branch` prefix".to_string());
            }
            Ok(crate::merge_queue::members::QueuePrRule { author: rule.author, branch_prefix: rule.branch })
        })
        .collect()
}

/// Checks the `reviewers:` section as a whole: every pool named is defined and has members and a
/// capacity, so that choosing reviewers never meets a dangling name.
fn reviewers(file: ReviewersFile) -> Result<ReviewerPolicy, String> {
    let pools_file = file.pools.unwrap_or_default();
    if pools_file.is_empty() {
        return Err("`reviewers.pools` is empty: define at least one pool of reviewers to request from".into());
    }
    let mut pools = BTreeMap::new();
    for (name, pool) in pools_file {
        let name = name.0;
        let members = pool.members.unwrap_or_default();
        if members.is_empty() {
            return Err(format!("`reviewers.pools.{name}` has no members: list logins or \"@org/team\"s"));
        }
        let capacity = pool.capacity.ok_or_else(|| {
            format!("`reviewers.pools.{name}` needs a `capacity`: the most open review requests a member should carry")
        })?;
        pools.insert(name.clone(), Pool { name, members, capacity: capacity.0 });
    }
    let defined = pools.keys().cloned().collect::<Vec<_>>().join(", ");
    let known = |key: &str, names: Vec<PoolName>| -> Result<Vec<String>, String> {
        if names.is_empty() {
            return Err(format!("`{key}` is empty: name at least one pool (the pools are: {defined})"));
        }
        let mut out: Vec<String> = Vec::new();
        for PoolName(name) in names {
            if !pools.contains_key(&name) {
                return Err(format!("`{key}` names the pool {name:?}, which is not defined; the pools are: {defined}"));
            }
            if !out.contains(&name) {
                out.push(name);
            }
        }
        Ok(out)
    };
    let tiers_file = file.tiers.unwrap_or_default();
    let mut tiers = BTreeMap::new();
    for tier in Tier::ALL {
        let Some(rule) = tiers_file.get(tier) else { continue };
        let key = format!("reviewers.tiers.{tier}");
        let request = rule.request.ok_or_else(|| format!("`{key}` needs `request`: how many reviewers in total"))?;
        let from = match rule.from.clone() {
            None if request == 0 => Vec::new(),
            None => return Err(format!("`{key}` needs `from`: the pools to request from (the pools are: {defined})")),
            Some(names) if names.is_empty() && request == 0 => Vec::new(),
            Some(names) => known(&format!("{key}.from"), names)?,
        };
        tiers.insert(tier, TierNeed { request, from });
    }
    let spot_check = match file.ai_spot_check {
        None => None,
        Some(spot) => {
            let percent = spot
                .percent
                .ok_or("`reviewers.ai_spot_check` needs `percent`: the share of AI-touched PRs, 0 to 100")?;
            let from = spot.from.ok_or_else(|| {
                format!("`reviewers.ai_spot_check` needs `from`: the pools to request from (the pools are: {defined})")
            })?;
            Some(SpotCheckRule { percent: percent.0, from: known("reviewers.ai_spot_check.from", from)? })
        }
    };
    let weights_file = file.weights.unwrap_or_default();
    let default = Weights::default();
    let weights = Weights {
        expertise: weights_file.expertise.map_or(default.expertise, |w| w.0),
        load: weights_file.load.map_or(default.load, |w| w.0),
        fairness: weights_file.fairness.map_or(default.fairness, |w| w.0),
    };
    Ok(ReviewerPolicy {
        pools,
        tiers,
        spot_check,
        unavailable: file.unavailable.unwrap_or_default().into_iter().map(|l| Login::new(l.0)).collect(),
        working_hours: file.working_hours.unwrap_or_default().into_iter().map(|(l, h)| (Login::new(l.0), h)).collect(),
        weights,
        fairness_weeks: file.fairness_weeks.map_or(DEFAULT_FAIRNESS_WEEKS, |w| w.0),
    })
}

fn analysis_limits(file: super::schema::AnalysisFile) -> AnalysisLimits {
    let default = AnalysisLimits::default();
    AnalysisLimits {
        max_file_bytes: file.max_file_kb.map_or(default.max_file_bytes, |kb| (kb as usize).saturating_mul(1024)),
        per_file: file.file_budget_ms.map_or(default.per_file, Duration::from_millis),
        per_pr: file.pr_budget_ms.map_or(default.per_pr, Duration::from_millis),
    }
}

fn linkage(file: LinkageFile) -> Result<Linkage, String> {
    let trackers_file = file.trackers.unwrap_or_default();
    let keys =
        |v: Option<Vec<super::schema::ProjectKey>>| v.unwrap_or_default().into_iter().map(|k| k.0).collect::<Vec<_>>();
    let trackers = TrackerSet {
        jira: trackers_file.jira.map(|j| keys(j.projects)),
        linear: trackers_file.linear.map(|l| keys(l.teams)),
        shortcut: trackers_file.shortcut.is_some(),
        azure: trackers_file.azure.is_some(),
        github: trackers_file.github.is_some(),
    };
    let required = file.required.unwrap_or(false);
    let any_tracker =
        trackers.jira.is_some() || trackers.linear.is_some() || trackers.shortcut || trackers.azure || trackers.github;
    if required && !any_tracker {
        return Err("`linkage.required` is true but no tracker is enabled under `linkage.trackers` (jira, linear, shortcut, azure, github)".into());
    }
    let sources = file.sources.unwrap_or_else(|| {
        vec![super::LinkSource::Title, super::LinkSource::Branch, super::LinkSource::Body, super::LinkSource::Commits]
    });
    if required && sources.is_empty() {
        return Err("`linkage.sources` is empty, so no reference could ever be found; list some of: title, branch, body, commits".into());
    }
    let exempt = file.exempt.unwrap_or_default();
    Ok(Linkage {
        required,
        sources,
        trackers,
        exempt_authors: exempt.authors.unwrap_or_default().into_iter().map(Login::new).collect(),
        exempt_labels: exempt.labels.unwrap_or_default(),
        exempt_tiers: exempt.tiers.unwrap_or_default(),
        exempt_titles: exempt.titles.unwrap_or_default().into_iter().map(|r| r.0).collect(),
        exempt_branches: exempt.branches.unwrap_or_default().into_iter().map(|r| r.0).collect(),
        chain: file.chain.map(chain_rules).transpose()?,
        on_tracker_error: file.on_tracker_error.unwrap_or(OnTrackerError::Pending),
    })
}

/// Checks `linkage.chain` as a whole: levels distinct, every level named elsewhere defined.
fn chain_rules(file: ChainFile) -> Result<ChainRules, String> {
    let names: Vec<String> = match file.levels {
        Some(levels) => levels.into_iter().map(|l| l.0).collect(),
        None => ["story", "epic", "prd", "okr"].map(String::from).to_vec(),
    };
    if names.len() < 2 {
        return Err(
            "`linkage.chain.levels` needs at least two levels, the story's first (e.g. [story, epic, prd, okr])".into(),
        );
    }
    if let Some(none) = names.iter().find(|n| *n == "none") {
        return Err(format!("`linkage.chain.levels` cannot name {none:?}: it means \"no chain\" in `require`"));
    }
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(format!("`linkage.chain.levels` names {name:?} twice"));
        }
    }
    let listed = names.join(", ");
    let types: Vec<(String, String)> = file.types.unwrap_or_default().into_iter().map(|(k, v)| (k, v.0)).collect();
    let levels = Levels::new(names.clone(), &types).map_err(|e| format!("`linkage.chain.types`: {e}"))?;
    let require_file = file.require.unwrap_or_default();
    let mut require = BTreeMap::new();
    for tier in Tier::ALL {
        let Some(level) = require_file.get(tier) else { continue };
        if level.0 == "none" {
            continue;
        }
        let index = levels.index_of(&level.0).ok_or_else(|| {
            format!(
                "`linkage.chain.require.{tier}` is {:?}, which is not one of the levels ({listed}) or none",
                level.0
            )
        })?;
        if index == 0 {
            return Err(format!(
                "`linkage.chain.require.{tier}` is the first level ({:?}), which the PR's own item already is; name a higher level or none",
                level.0
            ));
        }
        require.insert(tier, index);
    }
    let story_states: Vec<StateCategory> = match file.story_states.and_then(|s| s.allow) {
        Some(states) => states
            .into_iter()
            .map(|s| match s {
                StoryState::Open => StateCategory::Open,
                StoryState::InProgress => StateCategory::InProgress,
                StoryState::Done => StateCategory::Done,
            })
            .collect(),
        None => vec![StateCategory::Open, StateCategory::InProgress],
    };
    if story_states.is_empty() {
        return Err(
            "`linkage.chain.story_states.allow` is empty, so every PR would fail: list some of open, in_progress, done"
                .into(),
        );
    }
    Ok(ChainRules { levels, require, story_states })
}

fn ai(file: AiFile) -> Result<Ai, String> {
    let labels = ai_labels(file.labels.unwrap_or_default())?;
    let exempt = file.exempt.unwrap_or_default();
    let tiers = file.tiers.unwrap_or_default();
    let tier_review = Tier::ALL
        .into_iter()
        .filter_map(|t| {
            let rule = tiers.get(t).and_then(|r| r.review.as_ref())?;
            Some(review_rule(&format!("ai.tiers.{t}.review"), t, Some(rule)).map(|r| (t, r)))
        })
        .collect::<Result<BTreeMap<Tier, _>, String>>()?;
    let mut max_ai_share = BTreeMap::new();
    for t in Tier::ALL {
        let Some(share) = tiers.get(t).and_then(|r| r.max_ai_share) else { continue };
        if !tier_review.contains_key(&t) {
            return Err(format!(
                "`ai.tiers.{t}.max_ai_share` needs `ai.tiers.{t}.review`: the share decides when that review applies, and there is none"
            ));
        }
        max_ai_share.insert(t, share);
    }
    Ok(Ai {
        disclosure: file.disclosure.unwrap_or(Disclosure::Optional),
        on_undeclared: file.on_undeclared.unwrap_or(OnUndeclared::Fail),
        exempt_authors: exempt.authors.unwrap_or_default().into_iter().map(Login::new).collect(),
        exempt_labels: exempt.labels.unwrap_or_default(),
        tier_review,
        max_ai_share,
        labels,
    })
}

/// GitHub refuses label names longer than this.
const LABEL_NAME_LIMIT: usize = 50;

/// Resolves `ai.labels` to one label per tool, refusing names that would collide with the
/// author's declaration labels or flowgate's tier labels: flowgate must never add those.
fn ai_labels(file: super::schema::AiLabelsFile) -> Result<AiLabels, String> {
    use super::ai::{DECLARATION_LABELS, markers::AiTool};
    let prefix = file.prefix.unwrap_or_else(|| AiLabels::DEFAULT_PREFIX.to_string());
    let names = file.names.unwrap_or_default();
    let ids: Vec<&str> = AiTool::all().iter().map(|t| t.id()).collect();
    if let Some(unknown) = names.keys().find(|k| !ids.contains(&k.as_str())) {
        return Err(format!(
            "`ai.labels.names` names the tool {unknown:?}, which flowgate does not know; the tools are: {}",
            ids.join(", ")
        ));
    }
    let mut resolved = Vec::new();
    for tool in AiTool::all() {
        let name = names.get(tool.id()).cloned().unwrap_or_else(|| format!("{prefix}{}", tool.id()));
        let name = name.trim().to_string();
        let key = format!("`ai.labels` for {}", tool.id());
        if name.is_empty() {
            return Err(format!("{key}: the label name is empty"));
        }
        if name.chars().count() > LABEL_NAME_LIMIT {
            return Err(format!("{key}: {name:?} is longer than GitHub's {LABEL_NAME_LIMIT} characters"));
        }
        if let Some((taken, _)) = DECLARATION_LABELS.iter().find(|(d, _)| d.eq_ignore_ascii_case(&name)) {
            return Err(format!(
                "{key}: {name:?} is the author's declaration label {taken}, which flowgate never adds or removes"
            ));
        }
        // flowgate's tier labels (`flowgate:red`, ...), which it sets and removes itself.
        if ["flowgate:green", "flowgate:yellow", "flowgate:red"].iter().any(|t| t.eq_ignore_ascii_case(&name)) {
            return Err(format!("{key}: {name:?} is one of flowgate's tier labels"));
        }
        if let Some((other, _)) = resolved.iter().find(|(_, n): &&(AiTool, String)| n.eq_ignore_ascii_case(&name)) {
            return Err(format!("{key}: {name:?} is also the label of {}; give each tool its own label", other.id()));
        }
        resolved.push((*tool, name));
    }
    let color = file.color.unwrap_or_else(|| AiLabels::DEFAULT_COLOR.to_string());
    let color = color.trim_start_matches('#').to_ascii_lowercase();
    if color.len() != 6 || !color.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("`ai.labels.color`: {color:?} is not a colour; write six hex digits such as 8250df"));
    }
    Ok(AiLabels { enabled: file.enabled.unwrap_or(true), names: resolved, color })
}

/// The JSON Schema of the policy file, as `flowgate policy schema` prints it.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(PolicyFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
