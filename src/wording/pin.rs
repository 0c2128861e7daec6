//! What `flowgate policy update` prints: each remote `extends:` and the commit it is pinned to,
//! before and after, or that it is current; and why a pin cannot be refreshed.

/// A commit as people compare them: its first 7 digits.
fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

/// The pin moved (or, with `--check`, would move) from `old` (none: not pinned) to `new`.
pub fn changed(from: &str, old: Option<&str>, new: &str, written: bool) -> String {
    let old = old.map_or("not pinned", short);
    let tail = if written { "" } else { " (stale: run `flowgate policy update`)" };
    format!("{from}: {old} -> {new}{tail}\n")
}

/// The pin is the commit the ref names now.
pub fn current(from: &str, commit: &str) -> String {
    format!("{from}: already current ({})\n", short(commit))
}

/// The file extends no remote policy: nothing to pin.
pub fn nothing_to_pin(path: &str) -> String {
    format!("{path}: no remote `extends:` to pin (a bundled pack or a path of this repository needs none)\n")
}

/// GitHub knows no commit by the ref `reference` in `repo` (or the token cannot see it).
pub fn unknown_ref(from: &str, repo: &str, reference: &str) -> String {
    format!(
        "{from}: {repo} has no branch, tag or commit {reference:?} (or the token cannot see {repo}); \
         check the ref, and that GITHUB_TOKEN can read {repo}"
    )
}

/// GitHub did not answer the question of which commit the ref names.
pub fn unreachable(from: &str, error: &str) -> String {
    format!("{from}: cannot resolve the ref through GitHub: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_policy_update_prints() {
        let from = "acme/.github:flowgate/base.yml@main";
        let new = "89abcdef0123456789abcdef0123456789abcdef";
        let lines = [
            changed(from, Some("0123456789abcdef0123456789abcdef01234567"), new, true),
            changed(from, None, new, true),
            changed(from, Some("0123456789abcdef0123456789abcdef01234567"), new, false),
            current(from, new),
            nothing_to_pin(".github/flowgate.yml"),
            unknown_ref(from, "acme/.github", "mian") + "\n",
            unreachable(from, "GET /repos/acme/.github/commits/main: 500") + "\n",
        ];
        insta::assert_snapshot!(lines.concat(), @r#"
        acme/.github:flowgate/base.yml@main: 0123456 -> 89abcdef0123456789abcdef0123456789abcdef
        acme/.github:flowgate/base.yml@main: not pinned -> 89abcdef0123456789abcdef0123456789abcdef
        acme/.github:flowgate/base.yml@main: 0123456 -> 89abcdef0123456789abcdef0123456789abcdef (stale: run `flowgate policy update`)
        acme/.github:flowgate/base.yml@main: already current (89abcde)
        .github/flowgate.yml: no remote `extends:` to pin (a bundled pack or a path of this repository needs none)
        acme/.github:flowgate/base.yml@main: acme/.github has no branch, tag or commit "mian" (or the token cannot see acme/.github); check the ref, and that GITHUB_TOKEN can read acme/.github
        acme/.github:flowgate/base.yml@main: cannot resolve the ref through GitHub: GET /repos/acme/.github/commits/main: 500
        "#);
    }
}
