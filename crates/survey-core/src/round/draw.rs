//! The draw rule `draw/1` (`docs/sampling.md`): members of a scope sorted by
//! `SHA-256("draw/1" NUL seed NUL round NUL scope NUL member)`, the rules every text of a draw
//! follows, frame hashes, the frame commitment, and the substitution rule a tablet keeps offline.
//!
//! Texts are hashed exactly as recorded: nothing here trims, folds or normalises. A text that
//! breaks a rule is refused with the rule it breaks, so a second implementation that refuses
//! the same texts draws the same households.

use crate::canonical::hex;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use unicode_normalization::{is_nfc, is_nfc_quick, IsNormalized};

/// The tag at the start of every draw key.
pub const DRAW_TAG: &str = "draw/1";
/// The scope of the unit draw.
pub const UNITS_SCOPE: &str = "units";
/// The prefix of a unit's household scope (`households/` + unit id).
pub const HOUSEHOLDS_PREFIX: &str = "households/";
/// Reserved for drawn question items (a later format).
pub const ITEMS_PREFIX: &str = "items/";
/// Most scalar values in a draw text; the seed may have more.
pub const MAX_TEXT_CHARS: usize = 64;
pub const MAX_SEED_CHARS: usize = 256;

/// What a text of a draw is, which decides its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Seed,
    RoundId,
    UnitId,
    Household,
    /// A declared source of the seed: rules 1–3 only (no length limit, `/` allowed).
    SeedSource,
}

impl TextKind {
    fn max_chars(self) -> Option<usize> {
        match self {
            TextKind::Seed => Some(MAX_SEED_CHARS),
            TextKind::SeedSource => None,
            _ => Some(MAX_TEXT_CHARS),
        }
    }

    fn slash_allowed(self) -> bool {
        matches!(self, TextKind::Seed | TextKind::SeedSource)
    }
}

/// The rule a text breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    Empty,
    NotNfc,
    /// A control, zero-width, bidirectional or other invisible code point, at a char index.
    Forbidden {
        at: usize,
        code_point: u32,
    },
    /// A space of some kind at the start or end.
    EdgeSpace {
        code_point: u32,
    },
    TooLong {
        chars: usize,
        max: usize,
    },
    Slash,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Empty => f.write_str("empty"),
            TextError::NotNfc => f.write_str("not in Unicode NFC (normalise it where it was typed)"),
            TextError::Forbidden { at, code_point } => {
                write!(f, "holds the invisible or control character U+{code_point:04X} at character {}", at + 1)
            }
            TextError::EdgeSpace { code_point } => write!(f, "starts or ends with a space (U+{code_point:04X})"),
            TextError::TooLong { chars, max } => write!(f, "{chars} characters, at most {max} allowed"),
            TextError::Slash => f.write_str("contains `/`"),
        }
    }
}

fn is_forbidden(c: char) -> bool {
    matches!(u32::from(c),
        0x0000..=0x001F | 0x007F..=0x009F | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0xFEFF)
}

fn is_edge_space(c: char) -> bool {
    matches!(u32::from(c), 0x0020 | 0x00A0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000)
}

/// Checks a text of a draw against the rules of `docs/sampling.md`; the first rule broken.
pub fn check_text(text: &str, kind: TextKind) -> Result<(), TextError> {
    check_text_as::<FULL_NFC>(text, kind)
}

/// How a verifier checks that a text is NFC, chosen at compile time (a const generic), so that
/// the build that checks by the quick check only never links the normalisation tables.
/// `FULL_NFC`: exactly (the CLI and the department page). `QUICK_NFC`: by the quick check of
/// UAX #15 only, where a "maybe" passes: what the field app does, so that it need not carry the
/// tables (about 110 KB). The organiser's tool and the department check exactly; a text the
/// quick check cannot decide is rare (combining marks) and changes nothing the tablet does,
/// which re-draws from the same bytes.
pub const FULL_NFC: bool = true;
/// See [`FULL_NFC`].
pub const QUICK_NFC: bool = false;

/// [`check_text`] with the NFC check chosen (see [`FULL_NFC`]).
pub fn check_text_as<const NFC: bool>(text: &str, kind: TextKind) -> Result<(), TextError> {
    if text.is_empty() {
        return Err(TextError::Empty);
    }
    if let Some((at, c)) = text.chars().enumerate().find(|(_, c)| is_forbidden(*c)) {
        return Err(TextError::Forbidden { at, code_point: u32::from(c) });
    }
    for c in [text.chars().next(), text.chars().next_back()].into_iter().flatten() {
        if is_edge_space(c) {
            return Err(TextError::EdgeSpace { code_point: u32::from(c) });
        }
    }
    let normalized = if NFC == FULL_NFC { is_nfc(text) } else { is_nfc_quick(text.chars()) != IsNormalized::No };
    if !normalized {
        return Err(TextError::NotNfc);
    }
    if let Some(max) = kind.max_chars() {
        let chars = text.chars().count();
        if chars > max {
            return Err(TextError::TooLong { chars, max });
        }
    }
    if !kind.slash_allowed() && text.contains('/') {
        return Err(TextError::Slash);
    }
    Ok(())
}

/// Why a scope is not one of the scopes of `draw/1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeError {
    Unknown,
    Reserved,
    BadUnit(TextError),
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeError::Unknown => f.write_str("the scope is `units` or `households/` followed by a unit id"),
            ScopeError::Reserved => f.write_str("the scope `items/...` is reserved for a later format"),
            ScopeError::BadUnit(err) => write!(f, "the unit id of the scope: {err}"),
        }
    }
}

/// Checks a scope: exactly `units`, or `households/` + a valid unit id.
pub fn check_scope(scope: &str) -> Result<(), ScopeError> {
    if scope == UNITS_SCOPE {
        return Ok(());
    }
    if scope.starts_with(ITEMS_PREFIX) {
        return Err(ScopeError::Reserved);
    }
    let unit = scope.strip_prefix(HOUSEHOLDS_PREFIX).ok_or(ScopeError::Unknown)?;
    check_text(unit, TextKind::UnitId).map_err(ScopeError::BadUnit)
}

/// The scope of a unit's households.
pub fn households_scope(unit_id: &str) -> String {
    format!("{HOUSEHOLDS_PREFIX}{unit_id}")
}

/// The draw key of one member.
pub fn draw_key(seed: &str, round_id: &str, scope: &str, member: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for (idx, part) in [DRAW_TAG, seed, round_id, scope, member].iter().enumerate() {
        if idx > 0 {
            hasher.update([0u8]);
        }
        hasher.update(part.as_bytes());
    }
    hasher.finalize().into()
}

/// The members in draw order: sorted by key, ties (which would need a SHA-256 collision) by the
/// members' bytes so that the order is total.
pub fn draw<'a>(seed: &str, round_id: &str, scope: &str, members: &[&'a str]) -> Vec<&'a str> {
    let mut keyed: Vec<([u8; 32], &'a str)> =
        members.iter().map(|member| (draw_key(seed, round_id, scope, member), *member)).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, member)| member).collect()
}

/// A member that is not unique in its scope: where it is first and again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub member: String,
    pub first: usize,
    pub again: usize,
}

/// The first repeated member, by position (0-based).
pub fn first_duplicate(members: &[&str]) -> Option<Duplicate> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(members.len());
    for (idx, member) in members.iter().enumerate() {
        if let Some(&first) = seen.get(member) {
            return Some(Duplicate { member: (*member).to_owned(), first, again: idx });
        }
        seen.insert(member, idx);
    }
    None
}

/// The frame hash of a unit: hex SHA-256 of its codes sorted by UTF-8 bytes, each followed by LF.
pub fn frame_hash(codes: &[&str]) -> String {
    let mut sorted: Vec<&str> = codes.to_vec();
    sorted.sort_unstable();
    let mut hasher = Sha256::new();
    for code in sorted {
        hasher.update(code.as_bytes());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

/// The round's frame commitment: hex SHA-256 of `unit_id TAB frame_hash LF` over every unit in
/// unit-id byte order.
pub fn frame_commitment<'a>(units: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut sorted: Vec<(&str, &str)> = units.into_iter().collect();
    sorted.sort_unstable();
    let mut hasher = Sha256::new();
    for (unit, hash) in sorted {
        hasher.update(unit.as_bytes());
        hasher.update(b"\t");
        hasher.update(hash.as_bytes());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

/// What became of one visit to a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    Refused,
    Vacant,
    NotEligible,
    NotAtHome,
}

/// How many households of a unit (in draw order) are available: the first `n`, and household
/// `n + j` once at least `j` of those before it have a final non-response outcome. `outcomes`
/// gives, per household in draw order, its latest outcome and the number of that attempt
/// (`None`: not visited yet); `not_at_home` is final at attempt `attempts_before_substitute`.
pub fn available(
    n: usize,
    attempts_before_substitute: u32,
    outcomes: &[Option<(Outcome, u32)>],
    frame_size: usize,
) -> usize {
    let is_final_non_response = |outcome: Option<&Option<(Outcome, u32)>>| match outcome.copied().flatten() {
        Some((Outcome::Refused | Outcome::Vacant | Outcome::NotEligible, _)) => true,
        Some((Outcome::NotAtHome, attempt)) => attempt >= attempts_before_substitute,
        Some((Outcome::Completed, _)) | None => false,
    };
    let mut available = n.min(frame_size);
    let mut finals = 0;
    let mut counted = 0;
    // Household number available + 1 (index `available`) opens when at least
    // `available + 1 - n` of the households before it are final non-responses.
    while available < frame_size {
        while counted < available {
            if is_final_non_response(outcomes.get(counted)) {
                finals += 1;
            }
            counted += 1;
        }
        if finals >= available + 1 - n {
            available += 1;
        } else {
            break;
        }
    }
    available
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_key_is_sha256_of_the_parts_joined_by_nul() {
        let expected: [u8; 32] = Sha256::digest(b"draw/1\0seed\0r1\0units\0east").into();
        assert_eq!(draw_key("seed", "r1", "units", "east"), expected);
    }

    #[test]
    fn texts_are_refused_by_the_rule_they_break() {
        assert_eq!(check_text("", TextKind::Household), Err(TextError::Empty));
        assert_eq!(check_text(" A-1", TextKind::Household), Err(TextError::EdgeSpace { code_point: 0x20 }));
        assert_eq!(check_text("A-1\u{3000}", TextKind::Household), Err(TextError::EdgeSpace { code_point: 0x3000 }));
        assert_eq!(
            check_text("A\u{200B}1", TextKind::Household),
            Err(TextError::Forbidden { at: 1, code_point: 0x200B })
        );
        assert_eq!(check_text("A\t1", TextKind::Household), Err(TextError::Forbidden { at: 1, code_point: 9 }));
        // "e" + combining acute is NFD; the NFC form is one code point.
        assert_eq!(check_text("Cafe\u{301}", TextKind::Household), Err(TextError::NotNfc));
        assert_eq!(check_text("Caf\u{e9}", TextKind::Household), Ok(()));
        // The quick check refuses what it knows is not NFC and lets a "maybe" pass.
        assert_eq!(check_text_as::<QUICK_NFC>("\u{212b}", TextKind::Household), Err(TextError::NotNfc));
        assert_eq!(check_text_as::<QUICK_NFC>("Cafe\u{301}", TextKind::Household), Ok(()));
        assert_eq!(check_text_as::<QUICK_NFC>("3号楼", TextKind::Household), Ok(()));
        assert_eq!(check_text("3/201", TextKind::Household), Err(TextError::Slash));
        assert_eq!(check_text("3/201", TextKind::Seed), Ok(()));
        assert_eq!(check_text(&"号".repeat(64), TextKind::Household), Ok(()));
        assert_eq!(check_text(&"号".repeat(65), TextKind::Household), Err(TextError::TooLong { chars: 65, max: 64 }));
        assert_eq!(check_text(&"7".repeat(256), TextKind::Seed), Ok(()));
        assert_eq!(check_text("3号楼 2单元 501", TextKind::Household), Ok(()));
    }

    #[test]
    fn scopes_are_units_or_a_units_households() {
        assert_eq!(check_scope("units"), Ok(()));
        assert_eq!(check_scope("households/云岭镇青溪村"), Ok(()));
        assert_eq!(check_scope("households/"), Err(ScopeError::BadUnit(TextError::Empty)));
        assert_eq!(check_scope("households/a/b"), Err(ScopeError::BadUnit(TextError::Slash)));
        assert_eq!(check_scope("items/q1"), Err(ScopeError::Reserved));
        assert_eq!(check_scope("Units"), Err(ScopeError::Unknown));
    }

    #[test]
    fn frame_hash_and_commitment_follow_the_documented_bytes() {
        let expected = hex(&Sha256::digest("A-1\nA-2\n号\n".as_bytes()));
        assert_eq!(frame_hash(&["号", "A-2", "A-1"]), expected);
        let commitment = hex(&Sha256::digest(format!("a\t{expected}\nb\t{expected}\n").as_bytes()));
        assert_eq!(frame_commitment([("b", expected.as_str()), ("a", expected.as_str())]), commitment);
    }

    #[test]
    fn substitutes_open_one_per_final_non_response() {
        use Outcome::*;
        // n = 2 of 5: nothing visited, two available.
        assert_eq!(available(2, 3, &[], 5), 2);
        // One refusal among the first two opens the third.
        assert_eq!(available(2, 3, &[Some((Refused, 1)), Some((Completed, 1))], 5), 3);
        // Not at home twice is not final with 3 attempts; the third attempt is.
        assert_eq!(available(2, 3, &[Some((NotAtHome, 2)), None], 5), 2);
        assert_eq!(available(2, 3, &[Some((NotAtHome, 3)), None], 5), 3);
        // The third, opened, is vacant: the fourth opens too; a completed fourth opens nothing.
        let outcomes = [Some((Vacant, 1)), None, Some((Vacant, 1)), Some((Completed, 1))];
        assert_eq!(available(2, 3, &outcomes, 5), 4);
        // Never more than the frame.
        assert_eq!(available(2, 1, &[Some((Refused, 1)); 5], 5), 5);
        assert_eq!(available(9, 3, &[], 5), 5);
    }

    fn members() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::btree_set("[A-Z0-9号楼单元-]{1,8}", 0..40).prop_map(|set| set.into_iter().collect())
    }

    proptest! {
        #[test]
        fn member_order_never_changes_the_draw(members in members(), rotate in 0usize..40) {
            let refs: Vec<&str> = members.iter().map(String::as_str).collect();
            let mut shuffled = refs.clone();
            if !shuffled.is_empty() {
                let by = rotate % shuffled.len();
                shuffled.rotate_left(by);
                shuffled.reverse();
            }
            prop_assert_eq!(draw("s", "r", "units", &refs), draw("s", "r", "units", &shuffled));
        }

        #[test]
        fn any_change_of_seed_round_or_scope_changes_every_key_and_the_order(
            members in proptest::collection::btree_set("[a-z0-9]{1,6}", 20..40),
            part in 0usize..3,
            extra in "[a-z0-9]{1,4}",
        ) {
            let refs: Vec<&str> = members.iter().map(String::as_str).collect();
            let (seed, round, scope) = ("seed", "r1", "households/u1");
            let changed_seed = format!("{seed}{extra}");
            let changed_round = format!("{round}{extra}");
            let changed_scope = format!("{scope}{extra}");
            let (s2, r2, c2) = match part {
                0 => (changed_seed.as_str(), round, scope),
                1 => (seed, changed_round.as_str(), scope),
                _ => (seed, round, changed_scope.as_str()),
            };
            for member in &refs {
                prop_assert_ne!(draw_key(seed, round, scope, member), draw_key(s2, r2, c2, member));
            }
            // With 20 or more members, the chance that the order stays is below 1 in 20!.
            prop_assert_ne!(draw(seed, round, scope, &refs), draw(s2, r2, c2, &refs));
        }
    }
}
