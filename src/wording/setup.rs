//! What `flowgate app setup` says: the line that tells where to open the setup page, the page's
//! sentences, the page and the lines shown once the App exists, and each way the setup can fail.
//! The page adds the markup and escapes every piece; nothing here is HTML.

use std::path::Path;

use super::count;
use crate::github::manifest::ConversionError;

/// Who is to own the App: an organisation or the account of whoever signs in.
pub fn owner(org: Option<&str>) -> String {
    match org {
        Some(org) => format!("the organization {org}"),
        None => "your GitHub account".to_string(),
    }
}

/// The line printed once the page is served.
pub fn open_the_page(url: &str, owner: &str, minutes: u64) -> String {
    format!(
        "Open {url} in a browser signed in to GitHub to create the GitHub App for {owner} \
         (waiting up to {}; Ctrl-C to stop).\n",
        count(minutes, "minute", "minutes")
    )
}

pub const PAGE_TITLE: &str = "Create the flowgate GitHub App";

/// The setup page's explanation, above the button.
pub fn page_intro(name: &str, owner: &str, github_url: &str, webhook_url: &str) -> Vec<String> {
    vec![
        format!(
            "This creates the GitHub App \"{name}\" for {owner} on {github_url}, with the permissions and events \
             flowgate uses and no more. GitHub sends its webhooks to {webhook_url}."
        ),
        "GitHub shows the App before creating it; you can change its name there. Then it sends this browser \
         back here, and flowgate writes the App's settings and private key on this machine."
            .to_string(),
    ]
}

pub const PAGE_BUTTON: &str = "Create the GitHub App on GitHub";

pub const DONE_TITLE: &str = "The GitHub App is created";

/// What the page and the terminal say once the App exists and its settings are written.
pub fn done(name: &str, id: u64, config: &Path, key: &Path, install_url: &str) -> Vec<String> {
    vec![
        format!("GitHub created the App \"{name}\" (App id {id})."),
        format!(
            "flowgate wrote its settings to {} and its private key to {}, both readable only by you. \
             They hold its secrets: keep them out of version control.",
            config.display(),
            key.display()
        ),
        format!("Next, install the App on the repositories it is to gate: {install_url}"),
        format!("Then run it: flowgate serve --config {}", config.display()),
    ]
}

pub const REFUSED_TITLE: &str = "Not accepted";
pub const FAILED_TITLE: &str = "The GitHub App could not be set up";

/// A redirect whose state is not this run's: it did not come from the page this run served.
pub const STATE_MISMATCH: &str = "This answer does not come from the page this run of flowgate app setup served \
     (its state does not match), so it was ignored and nothing was written. Start from the setup page.";

/// A redirect with the right state but no code.
pub const NO_CODE: &str = "GitHub's answer holds no code, so there is nothing to trade and nothing was written. \
     Start from the setup page again.";

pub const QUERY_TOO_LONG: &str =
    "The address is longer than any answer GitHub sends here, so it was ignored and nothing was written.";

/// A page asked for under a name other than the address this run listens on.
pub const WRONG_HOST: &str = "This page is served only at the address flowgate app setup printed.";

/// A second redirect after the first was taken.
pub const ALREADY_DONE: &str = "This run of flowgate app setup has already taken GitHub's answer.";

/// The code could not be traded: `why` is GitHub's answer, or that there was none.
pub fn conversion_failed(why: &ConversionError) -> String {
    let start_again = "The App may exist on GitHub without its private key: delete it in its settings on GitHub \
                       (Developer settings, GitHub Apps), then run flowgate app setup again.";
    match why {
        ConversionError::Expired => format!(
            "GitHub no longer knows the code it sent back (404): a code is good for one hour and one use. \
             {start_again}"
        ),
        ConversionError::Refused { status, message } => {
            format!("GitHub refused to trade the code it sent back ({status}: {message}). {start_again}")
        }
        ConversionError::Failed(error) => {
            format!("flowgate could not trade the code GitHub sent back: {error}. {start_again}")
        }
    }
}

/// The run ended without an answer from GitHub.
pub fn timed_out(minutes: u64) -> String {
    format!(
        "no App was created within {}, so nothing was written: run flowgate app setup again when you are ready \
         (--timeout-minutes gives more time)",
        count(minutes, "minute", "minutes")
    )
}

/// Files that exist and would be replaced.
pub fn would_overwrite(paths: &[&Path]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    format!(
        "{} already {}: flowgate app setup does not replace {} (--force does, or choose others with --config and \
         --key-file)",
        names.join(" and "),
        if names.len() == 1 { "exists" } else { "exist" },
        if names.len() == 1 { "it" } else { "them" }
    )
}

/// The config and the key at one path.
pub fn same_file(path: &Path) -> String {
    format!("--config and --key-file both name {}: the settings and the private key need a file each", path.display())
}

/// A file that could not be written after GitHub created the App.
pub fn cannot_write(name: &str, path: &Path, error: &dyn std::fmt::Display) -> String {
    format!(
        "GitHub created the App \"{name}\", but {} could not be written ({error}). Generate a new private key and \
         set a new webhook secret in the App's settings on GitHub, and write flowgate.toml by hand (docs/app.md)",
        path.display()
    )
}

pub fn bad_webhook_url(url: &str) -> String {
    format!("--webhook-url {url:?}: not an http(s) URL such as https://flowgate.example.com/webhook")
}

pub fn bad_org(org: &str) -> String {
    format!("--org {org:?}: not an organization's login (letters, digits and single hyphens)")
}

pub fn bad_github_url(url: &str) -> String {
    format!("--github-url {url:?}: not an http(s) URL such as https://github.com")
}

pub fn unroutable_listen(address: &str) -> String {
    format!(
        "--listen {address}: GitHub sends the browser back to this address, so it must be one a browser can open, \
         such as 127.0.0.1:3000, not a wildcard"
    )
}

pub fn cannot_listen(address: &str, error: &dyn std::fmt::Display) -> String {
    format!("--listen {address}: cannot listen there: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_the_terminal_say_where_to_go_and_what_is_next() {
        let lines = [
            open_the_page("http://127.0.0.1:3000/", &owner(Some("acme")), 15),
            page_intro("acme-flowgate", &owner(None), "https://github.com", "https://gate.acme.dev/webhook").join("\n"),
            done(
                "acme-flowgate",
                42,
                Path::new("/srv/flowgate.toml"),
                Path::new("/srv/flowgate-app.pem"),
                "https://github.com/apps/acme-flowgate/installations/new",
            )
            .join("\n"),
        ];
        insta::assert_snapshot!(lines.join("\n"), @r#"
        Open http://127.0.0.1:3000/ in a browser signed in to GitHub to create the GitHub App for the organization acme (waiting up to 15 minutes; Ctrl-C to stop).

        This creates the GitHub App "acme-flowgate" for your GitHub account on https://github.com, with the permissions and events flowgate uses and no more. GitHub sends its webhooks to https://gate.acme.dev/webhook.
        GitHub shows the App before creating it; you can change its name there. Then it sends this browser back here, and flowgate writes the App's settings and private key on this machine.
        GitHub created the App "acme-flowgate" (App id 42).
        flowgate wrote its settings to /srv/flowgate.toml and its private key to /srv/flowgate-app.pem, both readable only by you. They hold its secrets: keep them out of version control.
        Next, install the App on the repositories it is to gate: https://github.com/apps/acme-flowgate/installations/new
        Then run it: flowgate serve --config /srv/flowgate.toml
        "#);
    }

    #[test]
    fn each_failure_says_what_happened_and_what_to_do() {
        let lines = [
            conversion_failed(&ConversionError::Expired),
            conversion_failed(&ConversionError::Refused { status: 422, message: "Validation Failed".into() }),
            conversion_failed(&ConversionError::Failed(crate::github::Error::transport(
                "POST /app-manifests/{code}/conversions: connection refused",
            ))),
            timed_out(15),
            timed_out(1),
            would_overwrite(&[Path::new("flowgate.toml")]),
            would_overwrite(&[Path::new("flowgate.toml"), Path::new("flowgate-app.pem")]),
            same_file(Path::new("x")),
            cannot_write("acme-flowgate", Path::new("/ro/flowgate.toml"), &"permission denied"),
            bad_webhook_url("gate.acme.dev"),
            bad_org("-acme"),
            bad_github_url("github.com"),
            unroutable_listen("0.0.0.0:3000"),
            cannot_listen("127.0.0.1:3000", &"address in use"),
        ];
        insta::assert_snapshot!(lines.join("\n"), @r#"
        GitHub no longer knows the code it sent back (404): a code is good for one hour and one use. The App may exist on GitHub without its private key: delete it in its settings on GitHub (Developer settings, GitHub Apps), then run flowgate app setup again.
        GitHub refused to trade the code it sent back (422: Validation Failed). The App may exist on GitHub without its private key: delete it in its settings on GitHub (Developer settings, GitHub Apps), then run flowgate app setup again.
        flowgate could not trade the code GitHub sent back: POST /app-manifests/{code}/conversions: connection refused. The App may exist on GitHub without its private key: delete it in its settings on GitHub (Developer settings, GitHub Apps), then run flowgate app setup again.
        no App was created within 15 minutes, so nothing was written: run flowgate app setup again when you are ready (--timeout-minutes gives more time)
        no App was created within 1 minute, so nothing was written: run flowgate app setup again when you are ready (--timeout-minutes gives more time)
        flowgate.toml already exists: flowgate app setup does not replace it (--force does, or choose others with --config and --key-file)
        flowgate.toml and flowgate-app.pem already exist: flowgate app setup does not replace them (--force does, or choose others with --config and --key-file)
        --config and --key-file both name x: the settings and the private key need a file each
        GitHub created the App "acme-flowgate", but /ro/flowgate.toml could not be written (permission denied). Generate a new private key and set a new webhook secret in the App's settings on GitHub, and write flowgate.toml by hand (docs/app.md)
        --webhook-url "gate.acme.dev": not an http(s) URL such as https://flowgate.example.com/webhook
        --org "-acme": not an organization's login (letters, digits and single hyphens)
        --github-url "github.com": not an http(s) URL such as https://github.com
        --listen 0.0.0.0:3000: GitHub sends the browser back to this address, so it must be one a browser can open, such as 127.0.0.1:3000, not a wildcard
        --listen 127.0.0.1:3000: cannot listen there: address in use
        "#);
    }
}
