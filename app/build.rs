//! Build script: the mark of the example surveys (`SURVEY_EXAMPLES_MARK`), so the field app knows
//! whether a tablet holds this build's examples without fetching them (see `src/ui/examples.rs`).

#[allow(dead_code)]
#[path = "src/ui/examples.rs"]
mod examples;

fn main() {
    for name in examples::NAMES {
        println!("cargo:rerun-if-changed=../survey-schemas/{name}");
    }
    println!("cargo:rerun-if-changed=src/ui/examples.rs");
    println!("cargo:rustc-env=SURVEY_EXAMPLES_MARK={}", examples::mark(examples::BUNDLED));
}
