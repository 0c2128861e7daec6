//! Running one test alone in a fresh process of this test binary: for the few tests that read
//! process-wide state (which tree-sitter queries this process has compiled), which every other
//! test in the binary would otherwise change behind their back.

/// Set in the child process: the test runs its body instead of spawning.
const CHILD: &str = "FLOWGATE_ISOLATED_TEST";

/// Runs `body` in a fresh process of this test binary that runs only the test `name` (its full
/// path, `analysis_startup::a_pr_compiles_...`), and fails with the child's output if it fails.
/// In that child, runs `body` directly.
pub fn isolated(name: &str, body: impl FnOnce()) {
    if std::env::var_os(CHILD).is_some() {
        body();
        return;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = std::process::Command::new(exe)
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name} failed in its own process:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{name} did not run in its own process:\n{stdout}\n{stderr}");
}
