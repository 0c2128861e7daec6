//! Guessing a repository's red paths from its layout: the directories whose names say a mistake
//! there costs the most (auth, security, crypto, payments, billing, migrations, CI workflows) and
//! infrastructure code (Terraform, Helm charts, Kubernetes manifests). Pure: paths in, globs out.

use std::collections::BTreeMap;

use globset::GlobSet;

/// Directory names (compared without case) and what they hold.
const SENSITIVE_DIRS: &[(&str, &str)] = &[
    ("auth", "authentication"),
    ("authentication", "authentication"),
    ("authz", "authorisation"),
    ("security", "security code"),
    ("crypto", "cryptography"),
    ("payments", "payments"),
    ("payment", "payments"),
    ("billing", "billing"),
    ("migrations", "database migrations"),
    ("terraform", "infrastructure code (Terraform)"),
    ("helm", "infrastructure code (Helm)"),
    ("charts", "infrastructure code (Helm charts)"),
    ("k8s", "infrastructure code (Kubernetes)"),
    ("kubernetes", "infrastructure code (Kubernetes)"),
    ("infra", "infrastructure code"),
    ("infrastructure", "infrastructure code"),
];

/// A directory flowgate thinks is red, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDir {
    /// The path from the repository root, without a trailing slash.
    pub dir: String,
    pub why: &'static str,
}

/// Red directories in `files` (paths from the repository root): directories with a telling
/// name, `.github/workflows`, directories holding Terraform (`*.tf`) or a Helm chart
/// (`Chart.yaml`). A directory inside one already found is not listed again.
pub fn red_dirs(files: &[String]) -> Vec<FoundDir> {
    let mut found: BTreeMap<String, &'static str> = BTreeMap::new();
    for path in files {
        let parts: Vec<&str> = path.split('/').collect();
        let (dirs, file) = parts.split_at(parts.len().saturating_sub(1));
        for (i, name) in dirs.iter().enumerate() {
            let lower = name.to_ascii_lowercase();
            if let Some((_, why)) = SENSITIVE_DIRS.iter().find(|(n, _)| *n == lower) {
                found.entry(dirs[..=i].join("/")).or_insert(*why);
            }
            if lower == "workflows" && i > 0 && dirs[i - 1] == ".github" {
                found.entry(dirs[..=i].join("/")).or_insert("CI workflows");
            }
        }
        let file = file.first().copied().unwrap_or_default();
        if !dirs.is_empty() && file.ends_with(".tf") {
            found.entry(dirs.join("/")).or_insert("infrastructure code (Terraform)");
        }
        if !dirs.is_empty() && file == "Chart.yaml" {
            found.entry(dirs.join("/")).or_insert("infrastructure code (a Helm chart)");
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
}

impl RedPaths {
    /// Every glob, pack globs first.
    pub fn globs(&self) -> Vec<String> {
        let pack = self.pack.iter().map(|(g, _)| g.clone());
        pack.chain(self.added.iter().map(|d| format!("{}/**", d.dir))).collect()
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
    RedPaths { pack, added }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let dirs: Vec<(&str, &str)> = found.iter().map(|d| (d.dir.as_str(), d.why)).collect();
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
