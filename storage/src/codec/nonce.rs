//! Short stable names made from text: the nonces Discord de-duplicates messages by, and the
//! fingerprints that tell whether something changed. One hash for all of them (FNV-1a, 64 bits,
//! from the `fnv` crate), so a value computed anywhere in los is the same everywhere and across
//! versions.

use std::hash::Hasher;

/// FNV-1a over the text's bytes.
fn fnv(text: &str) -> u64 {
    let mut h = fnv::FnvHasher::default();
    h.write(text.as_bytes());
    h.finish()
}

/// A fingerprint of `text`: 16 hex digits.
pub fn fingerprint(text: &str) -> String {
    format!("{:016x}", fnv(text))
}

/// A message nonce for `text`: `prefix` (what kind of message, at most 9 characters) and 16
/// hex digits, within Discord's 25 characters. The same text gives the same nonce, so a message
/// sent again after a crash is recognised as the one already posted.
pub fn nonce(prefix: &str, text: &str) -> String {
    debug_assert!(prefix.len() <= 9, "a nonce is at most 25 characters");
    format!("{prefix}{:016x}", fnv(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv_1a_as_los_has_always_computed_it() {
        // Nonces stored before this module existed were made by a hand-written FNV-1a fold.
        let fold = |s: &str| {
            s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
            })
        };
        for text in ["", "c1:stilling_vakant:stalled", "r1,2,3", "æøå"] {
            assert_eq!(fnv(text), fold(text));
        }
    }

    #[test]
    fn nonces_fit_discord() {
        assert_eq!(nonce("d", "x").len(), 17);
        assert!(nonce("123456789", "x").len() <= 25);
        assert_eq!(nonce("r", "a"), nonce("r", "a"));
        assert_ne!(nonce("r", "a"), nonce("r", "b"));
    }
}
