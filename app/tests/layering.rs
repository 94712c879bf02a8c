//! The app's layering, checked on its sources (natively; the browser tests are elsewhere): the
//! field app and the shared UI never reach what only a department needs, so the tablet's wasm
//! cannot start carrying it by accident. A layering rule only holds if a test checks it.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::{Path, PathBuf};

/// What the tablet must not carry: the department pipeline, XLSX writing, signature
/// verification and the `age` crate (the field app encrypts with `survey_core::bundle::seal`;
/// the crate's encryptor brings its localisation runtime, decryption is the department's).
const DEPARTMENT_ONLY: [&str; 4] = ["survey_dept", "rust_xlsxwriter", "ed25519_dalek", "age::"];

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
/// A name counts only where it starts a path segment, so `age::` does not match `Storage::`.
fn mentions<'a>(source: &str, forbidden: &[&'a str]) -> Vec<&'a str> {
    let starts_a_name =
        |at: usize| source[..at].chars().next_back().is_none_or(|before| !(before.is_alphanumeric() || before == '_'));
    forbidden.iter().copied().filter(|needle| source.match_indices(needle).any(|(at, _)| starts_a_name(at))).collect()
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
    // The example texts inside the wasm: the field app fetches them as files instead. Workbooks
    // are converted by organisers and departments, never on the tablet.
    forbidden.extend(["crate::department", "BUNDLED", "survey_xlsform", "calamine"]);
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
    assert_eq!(mentions("let d = age::Decryptor::new(r);", &DEPARTMENT_ONLY), vec!["age::"]);
    assert_eq!(mentions("let e = age::Encryptor::with_recipients(r);", &DEPARTMENT_ONLY), vec!["age::"]);
    assert!(mentions("let s = LocalStorage::raw();", &DEPARTMENT_ONLY).is_empty());
}

#[test]
fn the_app_takes_the_age_crate_only_through_the_department_pipeline() {
    // A direct dependency would let any room, the field app's included, link the crate.
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).expect("read Cargo.toml");
    let direct: Vec<&str> = manifest
        .lines()
        .filter(|line| line.trim_start().starts_with("age ") || line.trim_start().starts_with("age."))
        .collect();
    assert!(direct.is_empty(), "app/Cargo.toml depends on age directly: {direct:?}");
}

#[test]
fn the_field_page_copies_and_names_every_example() {
    let page = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("index.html")).expect("read index.html");
    for name in survey_app::ui::examples::NAMES {
        // Trunk copies the file into `examples/`, and the plain link makes the service worker keep it.
        let copied = format!(r#"rel="copy-file" href="../survey-schemas/{name}" data-target-path="examples""#);
        let named = format!(r#"<link rel="survey-kit-example" href="examples/{name}">"#);
        assert!(page.contains(&copied), "index.html does not copy {name}");
        assert!(page.contains(&named), "index.html does not name examples/{name}");
    }
    assert_eq!(
        page.matches("survey-kit-example").count(),
        survey_app::ui::examples::NAMES.len(),
        "an example too many"
    );
}
