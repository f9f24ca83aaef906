//! Fingerprints: a 64-bit hash of what a page, a memo entry or a workbook is made from, compared
//! between the preview server's rebuilds to tell what changed. Never written to the output; the
//! hasher is foldhash with a fixed seed, fast on the many short strings of a page's fields (std's
//! SipHash spent a seventh of a 10,000-page rebuild hashing them).

use std::hash::{BuildHasher, Hash, Hasher};

/// A hasher for a fingerprint made piece by piece.
pub(crate) fn hasher() -> impl Hasher {
    foldhash::quality::FixedState::default().build_hasher()
}

/// The fingerprint of anything hashable.
pub(crate) fn of(x: impl Hash) -> u64 {
    let mut h = hasher();
    x.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distinct(group: &str, fps: &[u64]) {
        let mut seen = std::collections::HashSet::new();
        for (i, f) in fps.iter().enumerate() {
            assert!(
                seen.insert(*f),
                "{group}: input {i} has the fingerprint of an earlier one"
            );
        }
    }

    /// Nearby inputs of one type (a fingerprint is compared only with one of its own kind).
    #[test]
    fn nearby_inputs_differ() {
        let strings = [
            "",
            "a",
            "a\0",
            "b",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefghi",
            "安全",
        ];
        distinct("strings", &strings.map(of));
        let pairs = [("a", "b"), ("ab", ""), ("", "ab"), ("a", ""), ("", "a")];
        distinct("pairs", &pairs.map(of));
        let numbers = [(0u64, 0u64), (0, 1), (1, 0), (1, 1), (u64::MAX, 0)];
        distinct("numbers", &numbers.map(of));
        let lists = [
            vec![],
            vec![String::new()],
            vec!["x".to_string()],
            vec!["x".into(), String::new()],
        ];
        distinct("lists", &lists.map(of));
        // The same input, the same fingerprint (the seed is fixed, not drawn per process).
        assert_eq!(of(("安全", 3u32)), of(("安全", 3u32)));
    }

    #[test]
    fn one_changed_character_of_a_long_text_changes_it() {
        let text = "安全风险分级管控和隐患排查治理".repeat(40);
        let base = of(&text);
        for (i, _) in text.char_indices().step_by(7) {
            let mut t = text.clone();
            t.replace_range(i..i + 3, "险");
            if t != text {
                assert_ne!(of(&t), base, "changed at byte {i}");
            }
        }
    }
}
