//! Where the policy a gate used came from, as the Action's summary and the command line's log
//! name it: a file given by path is named by its path alone, so only the other two cases are here.

/// The policy file as it is on a branch: `.github/flowgate.yml on acme/shop@main`.
pub fn on_branch(path: &str, at: &str) -> String {
    format!("{path} on {at}")
}

/// The bundled default policy, used because there is no policy file: on the branch `at`, or
/// (`None`) in the directory the command ran in.
pub fn bundled_default(path: &str, at: Option<&str>) -> String {
    match at {
        Some(at) => format!("the bundled default policy ({at} has no {path})"),
        None => format!("the bundled default policy (no {path} found)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_file_on_a_branch_or_the_bundled_default() {
        let path = ".github/flowgate.yml";
        let lines = [
            on_branch(path, "acme/shop@main"),
            on_branch(path, "origin/main"),
            bundled_default(path, Some("acme/shop@main")),
            bundled_default(path, Some("main")),
            bundled_default(path, None),
        ];
        insta::assert_snapshot!(lines.join("\n"), @r"
        .github/flowgate.yml on acme/shop@main
        .github/flowgate.yml on origin/main
        the bundled default policy (acme/shop@main has no .github/flowgate.yml)
        the bundled default policy (main has no .github/flowgate.yml)
        the bundled default policy (no .github/flowgate.yml found)
        ");
    }
}
