//! Guessing a repository's red paths from its layout: the directories whose names say a mistake
//! there costs the most (auth, security, crypto, payments, billing, migrations, CI workflows,
//! container builds, AI agent instructions) and infrastructure code (Terraform, Helm charts,
//! Kubernetes manifests); then files whose names say the same (`auth.go`, `session_store.py`,
//! `jwt.ts`, `csrf.go`, `Dockerfile.prod`, `AGENTS.md`, `init-firewall.sh`); and whether the
//! code is in a language flowgate reads, so the code-aware rules can be turned on. Pure: paths
//! in, globs out.

use std::collections::BTreeMap;

use globset::GlobSet;

use crate::analysis::lang::Lang;
use crate::wording::init::Reason;

/// Directory names (compared without case) and what they hold.
const SENSITIVE_DIRS: &[(&str, Reason)] = &[
    ("auth", Reason::Authentication),
    ("authentication", Reason::Authentication),
    ("authz", Reason::Authorisation),
    ("security", Reason::SecurityCode),
    ("crypto", Reason::Cryptography),
    ("payments", Reason::Payments),
    ("payment", Reason::Payments),
    ("billing", Reason::Billing),
    ("migrations", Reason::DatabaseMigrations),
    ("terraform", Reason::Terraform),
    ("helm", Reason::Helm),
    ("charts", Reason::HelmCharts),
    ("k8s", Reason::Kubernetes),
    ("kubernetes", Reason::Kubernetes),
    ("infra", Reason::Infrastructure),
    ("infrastructure", Reason::Infrastructure),
];

/// A directory flowgate thinks is red, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDir {
    /// The path from the repository root, without a trailing slash.
    pub dir: String,
    pub why: Reason,
}

/// Red directories in `files` (paths from the repository root): directories with a telling
/// name, `.github/workflows`, directories holding Terraform (`*.tf`) or a Helm chart
/// (`Chart.yaml`). A directory inside one already found is not listed again.
pub fn red_dirs(files: &[String]) -> Vec<FoundDir> {
    let mut found: BTreeMap<String, Reason> = BTreeMap::new();
    for path in files {
        let parts: Vec<&str> = path.split('/').collect();
        let (dirs, file) = parts.split_at(parts.len().saturating_sub(1));
        for (i, name) in dirs.iter().enumerate() {
            let lower = name.to_ascii_lowercase();
            let why = SENSITIVE_DIRS.iter().find(|(n, _)| *n == lower).map(|(_, why)| *why).or_else(|| {
                let parent = if i > 0 { dirs[i - 1] } else { "" };
                match (parent, lower.as_str()) {
                    (".github", "workflows") => Some(Reason::CiWorkflows),
                    (_, ".claude") => Some(Reason::ClaudeCode),
                    (".cursor", "rules") => Some(Reason::Cursor),
                    (_, "docker") => Some(Reason::ContainerBuilds),
                    (_, name) if is_auth_word(name) => Some(Reason::Authentication),
                    _ => None,
                }
            });
            if let Some(why) = why {
                found.entry(dirs[..=i].join("/")).or_insert(why);
            }
        }
        let file = file.first().copied().unwrap_or_default();
        if !dirs.is_empty() && file.ends_with(".tf") {
            found.entry(dirs.join("/")).or_insert(Reason::Terraform);
        }
        if !dirs.is_empty() && file == "Chart.yaml" {
            found.entry(dirs.join("/")).or_insert(Reason::HelmChart);
        }
    }
    let dirs: Vec<String> = found.keys().cloned().collect();
    found
        .into_iter()
        .filter(|(dir, _)| !dirs.iter().any(|outer| dir.len() > outer.len() && dir.starts_with(&format!("{outer}/"))))
        .filter(|(dir, _)| writable(dir))
        .map(|(dir, why)| FoundDir { dir, why })
        .collect()
}

/// `auth`, `authn`, `authx`, `authentication`, `authorization`, `oauth2`: authentication by its
/// name. `authors` and `authority` are not.
fn is_auth_word(word: &str) -> bool {
    let author = word.starts_with("author") && !word.starts_with("authoriz") && !word.starts_with("authoris");
    (word.starts_with("auth") && !author) || word.starts_with("oauth")
}

/// A file flowgate thinks is red by its name, written as `**/NAME` so that the name is red
/// wherever it is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundFile {
    pub glob: String,
    /// The files here with that name.
    pub paths: Vec<String>,
    pub why: Reason,
}

/// Extensions of source code (tree-sitter or not): a name such as `session` or `token` is only
/// believed on code, so `tokens.css` and `session.md` stay as they are.
const CODE_EXTENSIONS: &[&str] = &[
    "go", "rs", "py", "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "java", "kt", "kts", "scala", "rb", "php",
    "cs", "swift", "c", "cc", "cpp", "h", "hpp", "ex", "exs", "erl", "clj", "lua", "dart",
];

/// Extensions of prose, never a firewall script however it is named.
const DOC_EXTENSIONS: &[&str] = &["md", "markdown", "rst", "txt", "adoc", "html", "pdf"];

/// AI agents' instruction files: what they say, an agent does, so they are reviewed as code.
const AGENT_FILES: &[&str] =
    &["agents.md", "claude.md", "gemini.md", ".cursorrules", ".windsurfrules", "copilot-instructions.md"];

/// The words of a file's stem: `session_store` -> session, store; `OAuth2Client` -> oauth2,
/// client; `JWTValidator` -> jwt, validator.
fn words(stem: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in stem.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = c.is_ascii_uppercase()
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
                });
            if boundary && !word.is_empty() {
                out.push(std::mem::take(&mut word).to_ascii_lowercase());
            }
            word.push(c);
        }
        if !word.is_empty() {
            out.push(word.to_ascii_lowercase());
        }
    }
    out
}

/// Why a file is red by its name alone, if it is.
fn red_by_name(name: &str) -> Option<Reason> {
    let lower = name.to_ascii_lowercase();
    let (stem, ext) = match lower.split_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, ext.rsplit('.').next().unwrap_or(ext)),
        _ => (lower.as_str(), ""),
    };
    if AGENT_FILES.contains(&lower.as_str()) {
        return Some(Reason::AgentInstructions);
    }
    if lower == "dockerfile" || lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") {
        return Some(Reason::ContainerBuild);
    }
    let words = words(name.split_once('.').map_or(name, |(s, _)| s));
    let any = |f: &dyn Fn(&str) -> bool| words.iter().any(|w| f(w));
    if !DOC_EXTENSIONS.contains(&ext)
        && (["firewall", "iptables", "ip6tables", "nftables"].iter().any(|w| stem.contains(w)) || any(&|w| w == "ufw"))
    {
        return Some(Reason::FirewallRules);
    }
    if !CODE_EXTENSIONS.contains(&ext) {
        return None;
    }
    if stem.contains("csrf") || stem.contains("xsrf") {
        Some(Reason::CsrfByName)
    } else if any(&|w| w.starts_with("jwt") || w.starts_with("jwk")) {
        Some(Reason::JwtByName)
    } else if any(&|w| w.starts_with("oauth") || w == "oidc" || w == "saml") {
        Some(Reason::SingleSignOnByName)
    } else if any(&is_auth_word) {
        Some(Reason::AuthenticationByName)
    } else if any(&|w| w == "session" || w == "sessions") {
        Some(Reason::SessionsByName)
    } else if any(&|w| w == "token" || w == "tokens") {
        Some(Reason::TokensByName)
    } else {
        None
    }
}

/// Files red by their names (`auth.go`, `session_store.py`, `Dockerfile.prod`, `AGENTS.md`,
/// `init-firewall.sh`), one glob per name. Files a red glob or found directory already covers
/// (`red`) are left out, and so are tests (`green`: `sessions_test.go` is a test of sessions,
/// not session code); agent instructions stay in even where `**/*.md` is green, since red wins.
pub fn red_files(files: &[String], red: &dyn Fn(&str) -> bool, green: &dyn Fn(&str) -> bool) -> Vec<FoundFile> {
    let mut found: BTreeMap<String, FoundFile> = BTreeMap::new();
    for path in files {
        let name = path.rsplit('/').next().unwrap_or(path);
        let Some(why) = red_by_name(name) else { continue };
        let test = why != Reason::AgentInstructions && green(path);
        if !writable(name) || red(path) || test {
            continue;
        }
        let entry = found.entry(name.to_string()).or_insert_with(|| FoundFile {
            glob: format!("**/{name}"),
            paths: Vec::new(),
            why,
        });
        entry.paths.push(path.clone());
    }
    found.into_values().collect()
}

/// The languages flowgate reads with tree-sitter, with how many files of each are here, most first.
pub fn languages(files: &[String]) -> Vec<(Lang, usize)> {
    let mut count: BTreeMap<Lang, usize> = BTreeMap::new();
    for path in files {
        if let Some(lang) = Lang::for_path(path) {
            *count.entry(lang).or_default() += 1;
        }
    }
    let mut langs: Vec<(Lang, usize)> = count.into_iter().collect();
    langs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    langs
}

/// The built-in detectors init turns on for these languages: `unsafe` only where there is Rust.
pub fn detectors(langs: &[(Lang, usize)]) -> Vec<&'static str> {
    let mut ids = Vec::new();
    if langs.iter().any(|(l, _)| *l == Lang::Rust) {
        ids.push("unsafe");
    }
    ids.extend(["shell-exec", "eval", "deserialize-untrusted"]);
    ids
}

/// Whether a directory can be written as a glob inside a double-quoted YAML string as it is:
/// glob syntax, quotes, backslashes and control characters would change its meaning.
fn writable(dir: &str) -> bool {
    !dir.chars().any(|c| "*?[]{}\"\\".contains(c) || c.is_control())
}

/// The red paths to write: every glob of the pack's red tier (with the found directories each
/// already covers), then one `dir/**` glob per found directory that none covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedPaths {
    pub pack: Vec<(String, Vec<FoundDir>)>,
    pub added: Vec<FoundDir>,
    /// Files red by their names, which no glob above covers.
    pub files: Vec<FoundFile>,
}

impl RedPaths {
    /// Every glob, pack globs first.
    pub fn globs(&self) -> Vec<String> {
        let pack = self.pack.iter().map(|(g, _)| g.clone());
        let dirs = self.added.iter().map(|d| format!("{}/**", d.dir));
        pack.chain(dirs).chain(self.files.iter().map(|f| f.glob.clone())).collect()
    }

    /// Whether a path lies in a found directory.
    pub fn in_found_dir(&self, path: &str) -> bool {
        let dirs = self.pack.iter().flat_map(|(_, ds)| ds).chain(&self.added);
        dirs.into_iter().any(|d| path.starts_with(&format!("{}/", d.dir)))
    }
}

/// Lays the found directories over the pack's red globs (`pack_red`, compiled together in
/// `pack_set`, in the same order). A directory counts as covered when a file directly in it
/// would match one of the pack's globs.
pub fn red_paths(pack_red: &[String], pack_set: &GlobSet, found: &[FoundDir]) -> RedPaths {
    let mut pack: Vec<(String, Vec<FoundDir>)> = pack_red.iter().map(|g| (g.clone(), Vec::new())).collect();
    let mut added = Vec::new();
    for dir in found {
        // A name no real file has, so that only directory globs (`**/auth/**`) match.
        let probe = format!("{}/flowgate-init-probe.txt", dir.dir);
        match pack_set.matches(&probe).first() {
            Some(&i) => pack[i].1.push(dir.clone()),
            None => added.push(dir.clone()),
        }
    }
    RedPaths { pack, added, files: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wording::init::reason;
    use globset::{GlobBuilder, GlobSetBuilder};

    fn files(list: &str) -> Vec<String> {
        list.split_whitespace().map(String::from).collect()
    }

    fn set(globs: &[String]) -> GlobSet {
        let mut b = GlobSetBuilder::new();
        for g in globs {
            b.add(GlobBuilder::new(g).literal_separator(true).build().expect("glob"));
        }
        b.build().expect("set")
    }

    #[test]
    fn telling_directories_ci_and_infrastructure_are_found_once() {
        let found = red_dirs(&files(
            "src/auth/login.rs src/auth/oauth/google.rs src/cart.rs db/Migrations/001.sql \
             .github/workflows/ci.yml ops/main.tf ops/vars.tfvars deploy/chart/Chart.yaml \
             deploy/chart/templates/a.yaml k8s/app.yaml README.md docs/security.md",
        ));
        let dirs: Vec<(&str, &str)> = found.iter().map(|d| (d.dir.as_str(), reason(d.why))).collect();
        assert_eq!(
            dirs,
            [
                (".github/workflows", "CI workflows"),
                ("db/Migrations", "database migrations"),
                ("deploy/chart", "infrastructure code (a Helm chart)"),
                ("k8s", "infrastructure code (Kubernetes)"),
                ("ops", "infrastructure code (Terraform)"),
                ("src/auth", "authentication"),
            ]
        );
    }

    #[test]
    fn a_file_named_like_a_directory_and_glob_characters_are_not_red_dirs() {
        assert!(red_dirs(&files("auth.rs docs/security.md src/billing.rs")).is_empty());
        assert!(red_dirs(&files("src/{auth}/x.rs weird/auth*/y.rs")).is_empty());
        assert!(red_dirs(&files("main.tf")).is_empty(), "Terraform at the root is covered by **/*.tf alone");
    }

    #[test]
    fn auth_like_container_and_agent_directories_are_found_and_authors_is_not() {
        let found = red_dirs(&files(
            "internal/authx/x.go pkg/oauth2/client.go docker/app/run.sh .claude/commands/review.md \
             .cursor/rules/go.mdc docs/authors/list.md internal/authority/x.go",
        ));
        let dirs: Vec<(&str, &str)> = found.iter().map(|d| (d.dir.as_str(), reason(d.why))).collect();
        assert_eq!(
            dirs,
            [
                (".claude", "AI agent instructions and settings (Claude Code)"),
                (".cursor/rules", "AI agent instructions (Cursor)"),
                ("docker", "container builds"),
                ("internal/authx", "authentication"),
                ("pkg/oauth2", "authentication"),
            ]
        );
    }

    /// The pack's green globs, for tests: `*_test.go` and `*.md` are green.
    fn green(path: &str) -> bool {
        set(&["**/*_test.go".to_string(), "**/*.md".to_string(), "**/test/**".to_string()]).is_match(path)
    }

    #[test]
    fn security_files_are_red_by_name_and_their_look_alikes_are_not() {
        let found = red_files(
            &files(
                "internal/route/user/auth.go internal/route/user/auth_test.go internal/db/session_store.go \
                 web/src/SessionManager.ts internal/api/token.go internal/api/jwks.go lib/JWTValidator.java \
                 pkg/oauth2_provider.py internal/web/csrf.go app/middleware/anti_csrf.rb \
                 deploy/Dockerfile.prod Dockerfile.dev AGENTS.md CLAUDE.md .github/copilot-instructions.md \
                 .devcontainer/init-firewall.sh scripts/iptables.rules ops/ufw-setup.sh \
                 internal/lexer/tokenizer.go web/styles/tokens.css internal/db/sessions_test.go \
                 authors.md AUTHORS docs/session.md internal/authority.go docs/firewall.md src/auth/auth.go",
            ),
            &|p| p.starts_with("src/auth/"),
            &green,
        );
        let got: Vec<(&str, &str)> = found.iter().map(|f| (f.glob.as_str(), reason(f.why))).collect();
        assert_eq!(
            got,
            [
                ("**/AGENTS.md", "AI agent instructions"),
                ("**/CLAUDE.md", "AI agent instructions"),
                ("**/Dockerfile.dev", "a container build"),
                ("**/Dockerfile.prod", "a container build"),
                ("**/JWTValidator.java", "JSON web tokens, by its name"),
                ("**/SessionManager.ts", "sessions, by its name"),
                ("**/anti_csrf.rb", "CSRF protection, by its name"),
                ("**/auth.go", "authentication, by its name"),
                ("**/copilot-instructions.md", "AI agent instructions"),
                ("**/csrf.go", "CSRF protection, by its name"),
                ("**/init-firewall.sh", "firewall rules"),
                ("**/iptables.rules", "firewall rules"),
                ("**/jwks.go", "JSON web tokens, by its name"),
                ("**/oauth2_provider.py", "single sign-on, by its name"),
                ("**/session_store.go", "sessions, by its name"),
                ("**/token.go", "tokens, by its name"),
                ("**/ufw-setup.sh", "firewall rules"),
            ]
        );
        for look_alike in [
            "tokenizer.go",
            "tokens.css",
            "sessions_test.go",
            "authors.md",
            "AUTHORS",
            "session.md",
            "authority.go",
            "firewall.md",
            "auth_test.go",
        ] {
            assert!(!found.iter().any(|f| f.glob.ends_with(&format!("/{look_alike}"))), "{look_alike} is not red");
        }
        assert!(!found.iter().any(|f| f.paths.contains(&"src/auth/auth.go".to_string())), "covered already");
    }

    #[test]
    fn detectors_follow_the_languages_present() {
        let langs = languages(&files("a.go b.go c.py README.md style.css"));
        assert_eq!(langs, [(Lang::Go, 2), (Lang::Python, 1)]);
        assert_eq!(detectors(&langs), ["shell-exec", "eval", "deserialize-untrusted"]);
        assert_eq!(detectors(&languages(&files("src/lib.rs")))[0], "unsafe", "unsafe only with Rust");
        assert!(languages(&files("README.md main.c")).is_empty());
    }

    #[test]
    fn directories_the_pack_covers_are_noted_and_the_rest_added() {
        let pack: Vec<String> = ["**/auth/**", "**/migrations/**", ".github/workflows/**", "**/*.tf"]
            .into_iter()
            .map(String::from)
            .collect();
        let found =
            red_dirs(&files("src/auth/a.rs db/migrations/1.sql ops/main.tf k8s/app.yaml .github/workflows/ci.yml"));
        let red = red_paths(&pack, &set(&pack), &found);
        let covered: Vec<(&str, Vec<&str>)> =
            red.pack.iter().map(|(g, ds)| (g.as_str(), ds.iter().map(|d| d.dir.as_str()).collect())).collect();
        assert_eq!(
            covered,
            [
                ("**/auth/**", vec!["src/auth"]),
                ("**/migrations/**", vec!["db/migrations"]),
                (".github/workflows/**", vec![".github/workflows"]),
                ("**/*.tf", vec![]),
            ]
        );
        assert_eq!(red.globs()[4..], ["k8s/**".to_string(), "ops/**".to_string()]);
    }
}
