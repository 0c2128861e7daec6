//! Remote `extends:`: a policy file in another GitHub repository, `OWNER/REPO:PATH@REF`, read at a
//! reviewed commit when the file pins one (`extends: { from: ..., commit: ... }`, which `flowgate
//! policy update` writes). What `extends:` says is parsed and checked here, strictly, with errors
//! that name the key; reading the file is the caller's (the loader asks for it).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A file in a GitHub repository that a policy extends, as written: `OWNER/REPO:PATH@REF`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSpec {
    /// `OWNER/REPO`.
    pub repo: String,
    /// The file's path in the repository, without a leading `/`.
    pub path: String,
    /// The branch, tag or commit the file is read at when it is not pinned.
    pub reference: String,
}

/// GitHub's limits on an account's and a repository's names, and a bound on a ref and a path.
const MAX_OWNER: usize = 39;
const MAX_REPO: usize = 100;
const MAX_REF: usize = 255;
const MAX_PATH: usize = 1024;

/// How the remote form is written, for errors.
const REMOTE_FORM: &str = "write OWNER/REPO:PATH@REF, e.g. acme/.github:flowgate/base.yml@main";

impl RemoteSpec {
    /// Whether an `extends:` string is meant as a remote: only a remote has a `:` (bundled packs
    /// and relative paths never do).
    pub fn looks_remote(text: &str) -> bool {
        text.contains(':')
    }

    /// Reads `OWNER/REPO:PATH@REF`, refusing anything that would name another repository or a
    /// path outside this one.
    pub fn parse(text: &str) -> Result<RemoteSpec, String> {
        let text = text.trim();
        let bad = |why: String| Err(format!("{text:?} is not a remote policy: {why}; {REMOTE_FORM}"));
        let Some((repo, rest)) = text.split_once(':') else { return bad("no `:` after OWNER/REPO".into()) };
        let Some((path, reference)) = rest.rsplit_once('@') else { return bad("no `@REF` after the path".into()) };
        let Some((owner, name)) = repo.split_once('/') else { return bad("the repository is not OWNER/REPO".into()) };
        if owner.is_empty()
            || owner.len() > MAX_OWNER
            || owner.starts_with('-')
            || !owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return bad(format!("the owner {owner:?} is not a GitHub account name (letters, digits and -)"));
        }
        if name.is_empty()
            || name.len() > MAX_REPO
            || name == "."
            || name == ".."
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return bad(format!("the repository {name:?} is not a repository name (letters, digits, -, _ and .)"));
        }
        if let Err(why) = check_path(path) {
            return bad(why);
        }
        if reference.is_empty()
            || reference.len() > MAX_REF
            || reference.starts_with(['/', '-', '.'])
            || reference.ends_with(['/', '.'])
            || reference.contains("..")
            || reference.contains("//")
            || !reference.chars().all(|c| c.is_ascii_alphanumeric() || "-_./+".contains(c))
        {
            return bad(format!("the ref {reference:?} is not a branch, tag or commit name"));
        }
        Ok(RemoteSpec { repo: repo.to_string(), path: path.to_string(), reference: reference.to_string() })
    }

    pub fn owner(&self) -> &str {
        self.repo.split_once('/').map_or(self.repo.as_str(), |(owner, _)| owner)
    }
}

impl std::fmt::Display for RemoteSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}@{}", self.repo, self.path, self.reference)
    }
}

/// A path inside a repository: relative, made of names (no `.`, `..` or empty parts), ending in
/// `.yml` or `.yaml`.
pub(crate) fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() || path.len() > MAX_PATH {
        return Err("the path is empty or too long".into());
    }
    if path.starts_with('/') || path.contains('\\') {
        return Err(format!("the path {path:?} must be relative to the repository's root, with `/` between names"));
    }
    if path.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
        return Err(format!("the path {path:?} has an empty, `.` or `..` part"));
    }
    if !(path.ends_with(".yml") || path.ends_with(".yaml")) {
        return Err(format!("the path {path:?} does not end in .yml or .yaml"));
    }
    Ok(())
}

/// A commit id as `extends.commit` takes it: 40 hex digits, read in lower case.
fn check_commit(text: &str) -> Result<String, String> {
    let commit = text.trim().to_ascii_lowercase();
    if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "`extends.commit`: {text:?} is not a commit id: write the full 40 hex digits (`flowgate policy update` does)"
        ));
    }
    Ok(commit)
}

/// A remote `extends:`: the file, and the commit it is read at when pinned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteExtends {
    pub from: RemoteSpec,
    pub commit: Option<String>,
}

impl RemoteExtends {
    /// What the file is read at: the pinned commit, else the ref.
    pub fn rev(&self) -> &str {
        self.commit.as_deref().unwrap_or(&self.from.reference)
    }
}

/// What `extends:` says: a bundled pack or a path relative to the file (`Name`), or a file in a
/// GitHub repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtendsFile {
    Name(String),
    Remote(RemoteExtends),
}

impl ExtendsFile {
    /// The value as it reads in messages: the name, or `OWNER/REPO:PATH@REF`.
    pub fn target(&self) -> String {
        match self {
            ExtendsFile::Name(name) => name.clone(),
            ExtendsFile::Remote(remote) => remote.from.to_string(),
        }
    }
}

/// A file the loader asks its caller for: `path` in `repo` at `rev` (a commit or a ref).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RemoteFile {
    pub repo: String,
    pub path: String,
    pub rev: String,
}

impl RemoteFile {
    pub fn owner(&self) -> &str {
        self.repo.split_once('/').map_or(self.repo.as_str(), |(owner, _)| owner)
    }
}

/// How messages name a remote file: `acme/.github@<commit-or-ref>:flowgate/base.yml`.
impl std::fmt::Display for RemoteFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}:{}", self.repo, self.rev, self.path)
    }
}

impl<'de> Deserialize<'de> for ExtendsFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = ExtendsFile;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a bundled pack (default, strict), a path ending in .yml, OWNER/REPO:PATH@REF, \
                     or a map with `from` and `commit`",
                )
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<ExtendsFile, E> {
                if !RemoteSpec::looks_remote(text) {
                    return Ok(ExtendsFile::Name(text.to_string()));
                }
                let from = RemoteSpec::parse(text).map_err(|e| E::custom(format!("`extends`: {e}")))?;
                Ok(ExtendsFile::Remote(RemoteExtends { from, commit: None }))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ExtendsFile, A::Error> {
                use serde::de::Error;
                let (mut from, mut commit) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "from" if from.is_none() => {
                            let text: String = map.next_value()?;
                            let spec = RemoteSpec::parse(&text)
                                .map_err(|e| A::Error::custom(format!("`extends.from`: {e}")))?;
                            from = Some(spec);
                        }
                        "commit" if commit.is_none() => {
                            let text: String = map.next_value()?;
                            commit = Some(check_commit(&text).map_err(A::Error::custom)?);
                        }
                        "from" | "commit" => return Err(A::Error::custom(format!("`extends.{key}` is given twice"))),
                        other => {
                            return Err(A::Error::custom(format!(
                                "`extends` has an unknown key {other:?}: a pinned remote has `from` and `commit`"
                            )));
                        }
                    }
                }
                let from = from.ok_or_else(|| {
                    A::Error::custom("`extends` needs `from`: OWNER/REPO:PATH@REF, the file this policy starts from")
                })?;
                let commit = commit.ok_or_else(|| {
                    A::Error::custom(
                        "`extends` needs `commit`: the reviewed commit to read it at (`flowgate policy update` writes it); \
                         or write `extends: OWNER/REPO:PATH@REF` to follow the ref",
                    )
                })?;
                Ok(ExtendsFile::Remote(RemoteExtends { from, commit: Some(commit) }))
            }
        }
        d.deserialize_any(Visit)
    }
}

impl Serialize for ExtendsFile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            ExtendsFile::Name(name) => s.serialize_str(name),
            ExtendsFile::Remote(RemoteExtends { from, commit: None }) => s.serialize_str(&from.to_string()),
            ExtendsFile::Remote(RemoteExtends { from, commit: Some(commit) }) => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("from", &from.to_string())?;
                map.serialize_entry("commit", commit)?;
                map.end()
            }
        }
    }
}

impl JsonSchema for ExtendsFile {
    fn schema_name() -> Cow<'static, str> {
        "Extends".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let remote = r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+:[^@]+@[A-Za-z0-9._/+-]+$";
        json_schema!({
            "description": "The policy this file starts from: a bundled pack (`default`, `strict`), a path \
                relative to this file ending in .yml, or a file in a GitHub repository, OWNER/REPO:PATH@REF \
                (read at REF), or pinned to a reviewed commit as `flowgate policy update` writes it: \
                `{ from: OWNER/REPO:PATH@REF, commit: <40 hex digits> }`.",
            "oneOf": [
                { "type": "string" },
                {
                    "type": "object",
                    "properties": {
                        "from": { "type": "string", "pattern": remote },
                        "commit": { "type": "string", "pattern": "^[0-9a-fA-F]{40}$" }
                    },
                    "required": ["from", "commit"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_is_read_into_its_repository_path_and_ref() {
        let spec = RemoteSpec::parse("acme/.github:flowgate/base.yml@main").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spec.repo, "acme/.github");
        assert_eq!(spec.path, "flowgate/base.yml");
        assert_eq!(spec.reference, "main");
        assert_eq!(spec.owner(), "acme");
        assert_eq!(spec.to_string(), "acme/.github:flowgate/base.yml@main");
        let tag = RemoteSpec::parse("acme/policies:base.yaml@release/v1.2").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tag.reference, "release/v1.2");
    }

    #[test]
    fn a_remote_that_could_reach_elsewhere_is_refused_with_the_reason() {
        let cases = [
            ("acme/.github:../x.yml@main", "has an empty, `.` or `..` part"),
            ("acme/.github:/etc/x.yml@main", "must be relative"),
            ("acme/.github:a//b.yml@main", "has an empty"),
            ("acme/.github:base.json@main", "does not end in .yml"),
            ("acme/.github:base.yml", "no `@REF`"),
            ("acme:base.yml@main", "not OWNER/REPO"),
            ("ac me/x:base.yml@main", "not a GitHub account name"),
            ("acme/..:base.yml@main", "not a repository name"),
            ("acme/x/y:base.yml@main", "not a repository name"),
            ("acme/x:base.yml@ma..in", "not a branch, tag or commit name"),
            ("acme/x:base.yml@", "not a branch, tag or commit name"),
            ("acme/x:base.yml@-rf", "not a branch, tag or commit name"),
        ];
        for (text, why) in cases {
            let e = RemoteSpec::parse(text).expect_err(text);
            assert!(e.contains(why), "{text}: {e}");
            assert!(e.contains("write OWNER/REPO:PATH@REF"), "{text}: {e}");
        }
    }

    fn extends(yaml: &str) -> Result<ExtendsFile, String> {
        yaml_serde::from_str::<ExtendsFile>(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn extends_is_a_name_a_remote_or_a_pinned_remote() {
        assert_eq!(extends("default"), Ok(ExtendsFile::Name("default".into())));
        assert_eq!(extends("../org.yml"), Ok(ExtendsFile::Name("../org.yml".into())));
        let Ok(ExtendsFile::Remote(unpinned)) = extends("acme/.github:base.yml@main") else { panic!("a remote") };
        assert_eq!((unpinned.commit.as_deref(), unpinned.rev()), (None, "main"));
        let sha = "0123456789ABCDEF0123456789abcdef01234567";
        let Ok(ExtendsFile::Remote(pinned)) = extends(&format!("from: acme/.github:base.yml@main\ncommit: {sha}"))
        else {
            panic!("a pinned remote")
        };
        assert_eq!(pinned.rev(), "0123456789abcdef0123456789abcdef01234567", "read in lower case");
    }

    #[test]
    fn a_pinned_remote_is_checked_key_by_key() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let cases = [
            (format!("from: acme/.github:base.yml@main\ncommit: {}", &sha[..7]), "`extends.commit`"),
            (format!("from: acme/.github:base.yml@main\ncommit: {}", sha.replace('0', "g")), "`extends.commit`"),
            ("from: acme/.github:base.yml@main".to_string(), "`extends` needs `commit`"),
            (format!("commit: {sha}"), "`extends` needs `from`"),
            (format!("from: default\ncommit: {sha}"), "`extends.from`"),
            (format!("from: acme/.github:base.yml@main\ncommit: {sha}\nref: main"), "unknown key \"ref\""),
        ];
        for (yaml, key) in cases {
            let e = extends(&yaml).expect_err(&yaml);
            assert!(e.contains(key), "{yaml}: {e}");
        }
    }
}
