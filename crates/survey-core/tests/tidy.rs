//! Tidy checks: survey-core stays pure (no IO, clock, randomness or browser APIs) and documented.
//! A layering rule only holds if a test checks it.

use std::fs;
use std::path::{Path, PathBuf};

const FORBIDDEN: [&str; 5] = ["std::fs", "SystemTime::now", "web_sys", "thread_rng", "tokio"];

fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out.sort();
    out
}

/// The source before its `#[cfg(test)]` module: tests may read fixtures, the library may not.
fn non_test_part(source: &str) -> &str {
    source.find("#[cfg(test)]").map_or(source, |idx| &source[..idx])
}

fn violations(source: &str) -> Vec<&'static str> {
    FORBIDDEN.iter().copied().filter(|needle| non_test_part(source).contains(needle)).collect()
}

#[test]
fn core_does_no_io_and_reads_no_clock_or_randomness() {
    let files = sources();
    assert!(files.len() >= 3, "expected the survey-core sources, found {files:?}");
    let mut found = Vec::new();
    for path in files {
        let source = fs::read_to_string(&path).expect("read source");
        for needle in violations(&source) {
            found.push(format!("{}: mentions `{needle}`", path.display()));
        }
    }
    assert!(found.is_empty(), "survey-core must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_check_itself_catches_a_violation() {
    assert_eq!(violations("fn f() { let _ = std::fs::read(\"x\"); }"), vec!["std::fs"]);
    assert_eq!(violations("fn f() {}\n#[cfg(test)]\nmod t { use std::fs; }"), Vec::<&str>::new());
    assert_eq!(violations("let t = std::time::SystemTime::now(); tokio::spawn(x);"), vec!["SystemTime::now", "tokio"]);
}

#[test]
fn every_module_has_a_doc_comment() {
    for path in sources() {
        let source = fs::read_to_string(&path).expect("read source");
        assert!(source.trim_start().starts_with("//!"), "{} must start with a `//!` module comment", path.display());
    }
}
