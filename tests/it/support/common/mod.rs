//! What the CLI test files share: running the `flowgate` binary and reading what it did.

use std::path::Path;

use serde_json::Value;

pub mod git_repo;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Runs the prepared command. flowgate never panics, whatever the input.
    pub fn of(cmd: &mut assert_cmd::Command) -> Run {
        let out = cmd.output().expect("the flowgate binary runs");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(!run.stderr.contains("panicked"), "flowgate panicked:\n{}", run.stderr);
        run
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr:\n{}\nstdout:\n{}", self.stderr, self.stdout))
    }

    /// A verdict was reached: exit 0 (pass, pending) or 1 (fail), never 2 or a crash.
    pub fn assert_gated(&self) {
        assert!(
            self.code == 0 || self.code == 1,
            "expected a verdict (exit 0 or 1), got exit {}; stderr:\n{}",
            self.code,
            self.stderr
        );
    }

    /// Exit 2 with a clear message on stderr naming `what`, nothing on stdout.
    pub fn assert_bad_input(&self, what: &str) {
        assert_eq!(self.code, 2, "expected exit 2 for bad input; stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        assert!(self.stderr.contains("flowgate: error:"), "no error message on stderr:\n{}", self.stderr);
        assert!(self.stderr.contains(what), "the error should name {what:?}:\n{}", self.stderr);
        assert!(self.stdout.is_empty(), "bad input should print no verdict:\n{}", self.stdout);
    }
}
