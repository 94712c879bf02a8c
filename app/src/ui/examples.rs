//! The example surveys shipped with the app, so a fresh tablet has something to collect with.
//!
//! The field app fetches them as files beside its wasm (`examples/NAME`: trunk copies them, and
//! `index.html` names them so the service worker keeps them for offline use). Inside the field
//! wasm they were 144 KB of its data, downloaded on every cold start although a tablet stores
//! them once. The department page adds them synchronously when it starts, so it keeps them in its
//! wasm (`BUNDLED`). `build.rs` includes this file to compute `mark` at build time.

/// The file names of the examples, in `survey-schemas/` and in the field app's `examples/`.
pub const NAMES: [&str; 4] = [
    "party-building-satisfaction.json",
    "openness-of-affairs.json",
    "property-and-owners-committee.json",
    "secretary-project-delivery.json",
];

/// `(file name, definition text)` of each example, for the department page and the build script.
pub const BUNDLED: [(&str, &str); 4] = [
    (NAMES[0], include_str!("../../../survey-schemas/party-building-satisfaction.json")),
    (NAMES[1], include_str!("../../../survey-schemas/openness-of-affairs.json")),
    (NAMES[2], include_str!("../../../survey-schemas/property-and-owners-committee.json")),
    (NAMES[3], include_str!("../../../survey-schemas/secretary-project-delivery.json")),
];

/// A mark of the examples' names and texts (FNV-1a, 64 bits, over each name and text followed by
/// a NUL), in hex. It lets a tablet tell that its stored examples are this build's without
/// fetching them. It guards against nothing: a survey's identity is its SHA-256 fingerprint, and
/// storing an example twice is already prevented by that.
pub fn mark<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, text) in files {
        for byte in name.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_changes_with_any_name_or_text_and_is_fnv_1a() {
        // FNV-1a 64 of the empty input is its offset basis.
        assert_eq!(mark([]), "cbf29ce484222325");
        let base = mark([("a.json", "{}")]);
        assert_ne!(base, mark([("b.json", "{}")]));
        assert_ne!(base, mark([("a.json", "{ }")]));
        // The separators keep a name and a text from trading bytes.
        assert_ne!(mark([("ab", "c")]), mark([("a", "bc")]));
        assert_eq!(base, mark([("a.json", "{}")]));
    }

    #[test]
    fn the_build_mark_is_the_mark_of_the_shipped_examples() {
        assert_eq!(env!("SURVEY_EXAMPLES_MARK"), mark(BUNDLED));
    }
}
