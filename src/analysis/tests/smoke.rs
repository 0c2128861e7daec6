//! The basic shapes of change on a small Rust file.

use crate::analysis::budget::{Limits, Unlimited};
use crate::analysis::{ChangeKind, Contents, FileAnalysis, analyze_file};

pub fn analyze(path: &str, base: &str, head: &str) -> FileAnalysis {
    analyze_file(
        path,
        Contents::Versions { base: Some(base.as_bytes()), head: Some(head.as_bytes()) },
        &[],
        &Limits::default(),
        &Unlimited,
    )
}

const BASE: &str =
    "mod session {\n    pub fn verify_token(t: &str) -> bool {\n        // check it\n        t.len() > 3\n    }\n}\n";

#[test]
fn rust_change_kinds() {
    let comment = BASE.replace("// check it", "// check the token's length");
    assert_eq!(analyze("src/auth/mod.rs", BASE, &comment).change, ChangeKind::Comments);
    let layout = BASE.replace("t.len() > 3", "t.len()   >   3");
    assert_eq!(analyze("src/auth/mod.rs", BASE, &layout).change, ChangeKind::Formatting);
    let code = BASE.replace("> 3", "> 8");
    let a = analyze("src/auth/mod.rs", BASE, &code);
    assert_eq!(a.change, ChangeKind::Code);
    assert_eq!(a.symbols, vec!["auth::session::verify_token".to_string()]);
}
