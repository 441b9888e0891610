//! [`HistoryLabel`]: a truncated SHA-256 history, as a value's tag and as a
//! message's label; and [`LabelBytesError`] for a label size that is not offered.

use crate::LABEL_BYTES;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A history: the first [`len`](HistoryLabel::as_bytes) bytes (8, 16 or 32) of a
/// SHA-256 digest. It is a value's tag and, for a labelled operation, the label
/// sent on the wire, byte for byte.
///
/// A fixed 32-byte array plus its length: `Copy`, no heap, compared with one
/// short `memcmp`. Bytes past the length are always zero, so the derived
/// equality is equality of the histories. Its `Hash` feeds only the first 8
/// bytes, which are already uniformly distributed (the runtime's table hashes
/// a label's wire bytes itself).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryLabel {
    bytes: [u8; 32],
    len: u8,
}

impl HistoryLabel {
    /// The first `len` bytes of `digest` (`len` ≤ 32; the caller checks it is
    /// one of [`LABEL_BYTES`]).
    #[inline]
    pub(crate) fn truncate(digest: &[u8; 32], len: usize) -> HistoryLabel {
        debug_assert!(LABEL_BYTES.contains(&len));
        let mut bytes = [0u8; 32];
        // One fixed-size copy per offered size, rather than a call to memcpy.
        match len {
            8 => bytes[..8].copy_from_slice(&digest[..8]),
            16 => bytes[..16].copy_from_slice(&digest[..16]),
            _ => bytes[..len].copy_from_slice(&digest[..len]),
        }
        HistoryLabel {
            bytes,
            len: len as u8,
        }
    }

    /// A label whose history is exactly `bytes`, if their length is one of
    /// [`LABEL_BYTES`].
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<HistoryLabel> {
        if !LABEL_BYTES.contains(&bytes.len()) {
            return None;
        }
        let mut out = [0u8; 32];
        out[..bytes.len()].copy_from_slice(bytes);
        Some(HistoryLabel {
            bytes: out,
            len: bytes.len() as u8,
        })
    }

    /// All 32 bytes of the array, zero past the history's length: lets a
    /// preimage copy a history with one fixed-size move.
    #[inline]
    pub(crate) fn padded(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The history's bytes: exactly the label's wire form.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

impl Hash for HistoryLabel {
    /// The first 8 bytes, as one word: equal labels have equal prefixes, and a
    /// SHA-256 prefix needs no further mixing to spread over a hash table.
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.bytes[..8]);
        state.write_u64(u64::from_le_bytes(word));
    }
}

impl fmt::Debug for HistoryLabel {
    /// The bytes in hex, e.g. `H(3fa1…)` in full.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("H(")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// A label size that [`History::new`](crate::History::new) does not offer
/// (only those in [`LABEL_BYTES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("history labels are 8, 16 or 32 bytes, not {0} bytes")]
pub struct LabelBytesError(
    /// The size asked for.
    pub usize,
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of(l: &HistoryLabel) -> u64 {
        let mut h = DefaultHasher::new();
        l.hash(&mut h);
        h.finish()
    }

    #[test]
    fn from_bytes_accepts_only_the_offered_sizes() {
        for len in 0..=40 {
            let bytes = vec![0xabu8; len];
            let l = HistoryLabel::from_bytes(&bytes);
            assert_eq!(l.is_some(), LABEL_BYTES.contains(&len), "{len} bytes");
            if let Some(l) = l {
                assert_eq!(l.as_bytes(), &bytes[..]);
            }
        }
    }

    #[test]
    fn equal_labels_hash_equal_and_print_in_hex() {
        let a = HistoryLabel::from_bytes(&[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        let b = HistoryLabel::from_bytes(&[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        let c = HistoryLabel::from_bytes(&[1, 2, 3, 4, 5, 6, 7, 9]).unwrap();
        assert_eq!(a, b);
        assert_eq!(hash_of(&a), hash_of(&b));
        assert_ne!(a, c);
        assert_eq!(format!("{a:?}"), "H(0102030405060708)");
        // Same first 8 bytes, different lengths: different labels.
        let long = HistoryLabel::truncate(&[1; 32], 16);
        let short = HistoryLabel::truncate(&[1; 32], 8);
        assert_ne!(long, short);
        assert_eq!(long.as_bytes().len(), 16);
    }

    #[test]
    fn error_names_the_size() {
        assert_eq!(
            LabelBytesError(7).to_string(),
            "history labels are 8, 16 or 32 bytes, not 7 bytes"
        );
    }
}
