//! The app's layering, checked on its sources (natively; the browser tests are elsewhere): the
//! field app and the shared UI never reach what only a department needs, so the tablet's wasm
//! cannot start carrying it by accident. A layering rule only holds if a test checks it.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::{Path, PathBuf};

/// What the tablet must not carry: the department pipeline, XLSX writing, signature
/// verification and age decryption (the field app only encrypts, to `age::x25519::Recipient`).
const DEPARTMENT_ONLY: [&str; 6] =
    ["survey_dept", "rust_xlsxwriter", "ed25519_dalek", "age::Decryptor", "age::x25519::Identity", "age::Identity"];

fn sources(folder: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap_or_else(|err| panic!("read {}: {err}", dir.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(folder), &mut out);
    out.sort();
    out
}

/// The forbidden names a source mentions, comments included (a doc comment naming a
/// department crate is rare enough to be worth rewording).
fn mentions<'a>(source: &str, forbidden: &[&'a str]) -> Vec<&'a str> {
    forbidden.iter().copied().filter(|needle| source.contains(needle)).collect()
}

fn violations(folder: &str, forbidden: &[&str]) -> Vec<String> {
    let files = sources(folder);
    assert!(files.len() >= 3, "expected the sources of src/{folder}, found {files:?}");
    let mut found = Vec::new();
    for path in files {
        let source = fs::read_to_string(&path).expect("read source");
        for needle in mentions(&source, forbidden) {
            found.push(format!("{}: mentions `{needle}`", path.display()));
        }
    }
    found
}

#[test]
fn the_field_app_uses_nothing_only_a_department_needs() {
    let mut forbidden = DEPARTMENT_ONLY.to_vec();
    forbidden.push("crate::department");
    let found = violations("field", &forbidden);
    assert!(found.is_empty(), "src/field must stay lean:\n{}", found.join("\n"));
}

#[test]
fn the_shared_ui_uses_neither_page_nor_department_code() {
    let mut forbidden = DEPARTMENT_ONLY.to_vec();
    forbidden.extend(["crate::department", "crate::field"]);
    let found = violations("ui", &forbidden);
    assert!(found.is_empty(), "src/ui is shared by both pages:\n{}", found.join("\n"));
}

#[test]
fn the_check_itself_catches_a_violation() {
    assert_eq!(mentions("use survey_dept::charts;", &DEPARTMENT_ONLY), vec!["survey_dept"]);
    assert_eq!(mentions("let d = age::Decryptor::new(r);", &DEPARTMENT_ONLY), vec!["age::Decryptor"]);
    assert!(mentions("let e = age::Encryptor::with_recipients(r);", &DEPARTMENT_ONLY).is_empty());
}
