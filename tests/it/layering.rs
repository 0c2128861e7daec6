//! The module layering of `docs/design.md`, enforced: every `crate::` path in the library's
//! non-test code must name a module of a lower layer, or be one of the listed exceptions; and
//! every listed exception must still happen, so the list shrinks as moves land.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::common::root;

/// The two tables of `docs/design.md`: each module's layer, and the exceptions (from, to).
fn design() -> (BTreeMap<String, u32>, BTreeSet<(String, String)>) {
    let text = std::fs::read_to_string(root().join("docs/design.md")).expect("docs/design.md is readable");
    let cells = |line: &str| -> Vec<String> {
        line.trim().trim_matches('|').split('|').map(|c| c.trim().trim_matches('`').to_string()).collect()
    };
    let mut layers = BTreeMap::new();
    let mut exceptions = BTreeSet::new();
    let mut section = "";
    for line in text.lines() {
        if line.starts_with('#') {
            section = if line.contains("Exceptions") {
                "exceptions"
            } else if line.trim() == "## Layers" {
                "layers"
            } else {
                ""
            };
            continue;
        }
        if !line.starts_with('|') || line.starts_with("|---") {
            continue;
        }
        let row = cells(line);
        match section {
            "layers" if row.len() >= 2 => {
                if let Ok(layer) = row[1].parse::<u32>() {
                    layers.insert(row[0].clone(), layer);
                }
            }
            "exceptions" if row.len() >= 2 && row[0] != "from" => {
                exceptions.insert((row[0].clone(), row[1].clone()));
            }
            _ => {}
        }
    }
    (layers, exceptions)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The library's non-test code of `file`: nothing from the first `#[cfg(test)]` on (test modules
/// sit at the end of a file), no comment lines.
fn production_code(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_str()?;
    if name == "tests.rs" || file.components().any(|c| c.as_os_str() == "tests") {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    Some(code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n"))
}

/// Every (from, to, file) where a module's code names another top-level module.
fn imports(layers: &BTreeMap<String, u32>) -> Vec<(String, String, String)> {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let top = relative.components().next().and_then(|c| c.as_os_str().to_str()).unwrap_or_default();
        let top = top.trim_end_matches(".rs").to_string();
        if top == "main" || top == "lib" || top == "bin" {
            continue; // the binary and the library's face sit above every layer
        }
        let Some(code) = production_code(&file) else { continue };
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if name != top && layers.contains_key(&name) {
                found.push((top.clone(), name, relative.display().to_string()));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn every_module_has_a_layer_and_imports_only_lower_layers_or_a_listed_exception() {
    let (layers, exceptions) = design();
    assert!(layers.len() >= 15, "the layer table of docs/design.md was not found: {layers:?}");

    // Every top-level module of the library is in the table, and nothing else.
    let src = root().join("src");
    let mut modules: BTreeSet<String> = std::fs::read_dir(&src)
        .expect("src is readable")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(|n| n.trim_end_matches(".rs").to_string()))
        .filter(|n| n != "main" && n != "lib" && n != "bin")
        .collect();
    modules.retain(|m| !m.starts_with('.'));
    assert_eq!(modules, layers.keys().cloned().collect::<BTreeSet<_>>(), "docs/design.md's layer table and src/");

    let mut upward = BTreeMap::<(String, String), Vec<String>>::new();
    for (from, to, file) in imports(&layers) {
        if layers[&to] >= layers[&from] {
            upward.entry((from, to)).or_default().push(file);
        }
    }
    let unlisted: Vec<_> = upward.iter().filter(|(edge, _)| !exceptions.contains(*edge)).collect();
    assert!(
        unlisted.is_empty(),
        "imports of the same or a higher layer (docs/design.md, Layers): {unlisted:#?}\n\
         Move the shared type down (often into model/), or the code up."
    );
    let stale: Vec<_> = exceptions.iter().filter(|edge| !upward.contains_key(*edge)).collect();
    assert!(stale.is_empty(), "exceptions in docs/design.md that no longer happen; delete their rows: {stale:?}");
}

#[test]
fn the_layer_check_sees_an_upward_import() {
    // The check reads real paths: a made-up upward import in a file's code is found, and the
    // same text in a comment or a test module is not.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("sample.rs");
    std::fs::write(
        &file,
        "use crate::gate::x;\n// use crate::serve::y;\n#[cfg(test)]\nmod tests { use crate::serve::z; }\n",
    )
    .expect("writes");
    let code = production_code(&file).expect("not a test file");
    assert!(code.contains("crate::gate::x"));
    assert!(!code.contains("crate::serve"), "{code}");
    let tests_file = dir.path().join("tests.rs");
    std::fs::write(&tests_file, "use crate::serve::z;\n").expect("writes");
    assert!(production_code(&tests_file).is_none());
}
