//! A GitHub Actions workflow as doctor reads it: the events it runs on, and its jobs with the
//! check names GitHub gives their runs, so that a required check can be traced to the workflow
//! that posts it and asked whether that workflow runs on `merge_group`.

use serde::Serialize;
use yaml_serde::Value;

/// The event a merge queue sends for each merge group.
pub const MERGE_GROUP: &str = "merge_group";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workflow {
    /// Its path in the repository (`.github/workflows/ci.yml`).
    pub path: String,
    /// The events under `on:`, in the file's order.
    pub triggers: Vec<String>,
    pub jobs: Vec<Job>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    /// The key under `jobs:`.
    pub id: String,
    /// Its `name:`, which becomes its check run's name (GitHub uses the id without one).
    pub name: Option<String>,
    /// Whether it has a `strategy.matrix`: GitHub then names each run `NAME (values)`.
    pub matrix: bool,
    /// The reusable workflow it calls (`uses:` on the job): its runs are named `NAME / CALLED`.
    pub calls: Option<String>,
    /// The actions its steps use.
    pub actions: Vec<String>,
}

impl Workflow {
    pub fn runs_on_merge_group(&self) -> bool {
        self.triggers.iter().any(|t| t == MERGE_GROUP)
    }

    /// Whether a job runs the flowgate Action (`uses: OWNER/flowgate@REF`).
    pub fn runs_flowgate_action(&self) -> bool {
        self.jobs.iter().flat_map(|j| &j.actions).any(|uses| is_flowgate_action(uses))
    }
}

impl Job {
    /// The name GitHub gives this job's check run.
    pub fn check_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// Whether the check run named `context` can be this job's.
    pub fn posts(&self, context: &str) -> bool {
        let name = self.check_name();
        if name.contains("${{") {
            // A name built from expressions: the expressions may become anything.
            return matches_template(name, context);
        }
        context == name
            || self.matrix
                && context.strip_prefix(name).is_some_and(|rest| rest.starts_with(" (") && rest.ends_with(')'))
            || self.calls.is_some() && context.strip_prefix(name).is_some_and(|rest| rest.starts_with(" / "))
    }
}

/// `OWNER/flowgate@REF` or `OWNER/flowgate/PATH@REF`, as docs/action.md writes it.
fn is_flowgate_action(uses: &str) -> bool {
    let path = uses.split('@').next().unwrap_or_default();
    path.split('/').nth(1).is_some_and(|repo| repo.eq_ignore_ascii_case("flowgate"))
}

/// Whether `text` can be what `template` becomes when each `${{ ... }}` is replaced by some text.
fn matches_template(template: &str, text: &str) -> bool {
    let mut literals = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${{") {
        literals.push(&rest[..start]);
        rest = rest[start..].find("}}").map_or("", |end| &rest[start + end + 2..]);
    }
    literals.push(rest);
    let (first, last) = (literals[0], literals[literals.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut middle = &text[first.len()..text.len() - last.len()];
    for literal in &literals[1..literals.len() - 1] {
        match middle.find(literal) {
            Some(at) => middle = &middle[at + literal.len()..],
            None => return false,
        }
    }
    true
}

/// Reads the workflow at `path` from its text; the error says why it is not a workflow.
pub fn read(path: &str, text: &str) -> Result<Workflow, String> {
    let value: Value = yaml_serde::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
    let top = value.as_mapping().ok_or("not a mapping of `on:` and `jobs:`")?;
    // YAML 1.1 readers take a bare `on` for `true`; GitHub's does not, and neither does ours,
    // but a file written for either is read.
    let on =
        top.get(Value::from("on")).or_else(|| top.get(Value::Bool(true))).ok_or("no `on:`: the events it runs on")?;
    let triggers = match on {
        Value::String(event) => vec![event.clone()],
        Value::Sequence(events) => events.iter().filter_map(|e| e.as_str().map(String::from)).collect(),
        Value::Mapping(events) => events.keys().filter_map(|e| e.as_str().map(String::from)).collect(),
        _ => return Err("`on:` is neither an event, a list of events nor a mapping of them".into()),
    };
    let mut jobs = Vec::new();
    if let Some(map) = top.get(Value::from("jobs")).and_then(Value::as_mapping) {
        for (id, job) in map {
            let Some(id) = id.as_str() else { continue };
            let text = |key: &str| job.get(key).and_then(Value::as_str).map(String::from);
            let actions = job
                .get("steps")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .filter_map(|step| step.get("uses").and_then(Value::as_str).map(String::from))
                .collect();
            jobs.push(Job {
                id: id.to_string(),
                name: text("name"),
                matrix: job.get("strategy").and_then(|s| s.get("matrix")).is_some(),
                calls: text("uses"),
                actions,
            });
        }
    }
    Ok(Workflow { path: path.to_string(), triggers, jobs })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CI: &str = "
name: CI
on:
  pull_request:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo test
  lint:
    name: Lint
    runs-on: ubuntu-latest
    steps: [{ run: cargo clippy }]
  build:
    strategy: { matrix: { os: [ubuntu-latest, macos-latest] } }
    runs-on: ${{ matrix.os }}
    steps: [{ run: cargo build }]
  shared:
    uses: acme/ci/.github/workflows/shared.yml@v1
  e2e:
    name: e2e on ${{ matrix.browser }}
    strategy: { matrix: { browser: [chrome, firefox] } }
    runs-on: ubuntu-latest
";

    #[test]
    fn a_workflow_gives_its_events_and_the_check_names_of_its_jobs() {
        let w = read(".github/workflows/ci.yml", CI).unwrap();
        assert_eq!(w.triggers, ["pull_request", "push"]);
        assert!(!w.runs_on_merge_group());
        let job = |id: &str| w.jobs.iter().find(|j| j.id == id).unwrap();
        assert!(job("test").posts("test"));
        assert!(!job("test").posts("tests"));
        assert!(job("lint").posts("Lint") && !job("lint").posts("lint"), "a name replaces the id");
        assert!(job("build").posts("build (ubuntu-latest)"), "a matrix run carries its values");
        assert!(!job("build").posts("build-all"));
        assert!(job("shared").posts("shared / clippy"), "a reusable workflow's jobs are named under the caller");
        assert!(job("e2e").posts("e2e on chrome") && !job("e2e").posts("unit on chrome"));
    }

    #[test]
    fn every_form_of_on_is_read() {
        for (on, expected) in [
            ("on: merge_group", vec!["merge_group"]),
            ("on: [pull_request, merge_group]", vec!["pull_request", "merge_group"]),
            (
                "on:\n  merge_group:\n    types: [checks_requested]\n  pull_request:",
                vec!["merge_group", "pull_request"],
            ),
            ("true: [push]", vec!["push"]),
        ] {
            let w = read("w.yml", &format!("{on}\njobs: {{}}\n")).unwrap();
            assert_eq!(w.triggers, expected, "{on}");
        }
        assert!(read("w.yml", "jobs: {}").unwrap_err().contains("no `on:`"));
        assert!(read("w.yml", "- a list").unwrap_err().contains("not a mapping"));
        assert!(read("w.yml", "on: [").unwrap_err().contains("not YAML"));
    }

    #[test]
    fn the_flowgate_action_is_recognised_by_its_repository_name() {
        let w = read(
            "f.yml",
            "on: pull_request_target\njobs:\n  gate:\n    steps:\n      - uses: acme/flowgate@0123abc # v0.1.0\n",
        )
        .unwrap();
        assert!(w.runs_flowgate_action());
        for other in ["acme/flowgate-extras@v1", "flowgate@v1", "actions/checkout@v4"] {
            assert!(!is_flowgate_action(other), "{other}");
        }
        assert!(is_flowgate_action("acme/Flowgate/sub@v1"));
    }

    #[test]
    fn a_templated_name_matches_what_its_expressions_may_become() {
        assert!(matches_template("test (${{ matrix.os }}, ${{ matrix.rust }})", "test (linux, stable)"));
        assert!(!matches_template("test (${{ matrix.os }})", "lint (linux)"));
        assert!(matches_template("${{ inputs.name }}", "anything"));
        assert!(!matches_template("a${{ x }}b${{ y }}c", "abx"));
    }
}
