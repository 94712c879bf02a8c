//! Build script: `SURVEY_CORE_RULES`, a mark of the definition rules (FNV-1a 64 over the names
//! and texts of `src/definition/`), so that a definition stored as validated under these rules
//! can be decoded without validating it again, and is validated again once the rules change.

use std::fs;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/definition");
    println!("cargo:rerun-if-changed=src/definition");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for path in files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let text = fs::read(&path).unwrap_or_default();
        for byte in name.bytes().chain([0]).chain(text).chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=SURVEY_CORE_RULES={hash:016x}");
}
