//! SHA-256 of an `issue`'s preimage without allocation or buffering: it is
//! written into a stack buffer ([`Block`]), padded in place and fed straight to
//! the compression function. Anything longer (a `schedule`, an `issue` on more
//! than two operands) streams through an ordinary [`Sha256`]; both take the
//! same writes through [`Sink`].
//!
//! Why not [`Sha256`] everywhere: its block buffer copies every write once more
//! and keeps count per write. Issuing 3·10^5 labels of 16 bytes (an `input`, a
//! `mul` and an `open` per round, as the `issue` example does, both ways in one
//! binary), streaming every `issue` took 46 instructions more per label under
//! callgrind (3,521 against 3,475, of which 3,278 are the compression) and
//! 1.10× the time in criterion (median of 36 interleaved pairs, SHA-NI).

use crate::label::HistoryLabel;
use sha2::digest::generic_array::GenericArray;
use sha2::Sha256;

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// Where a preimage is written.
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);

    /// Appends `len(name) : u8 ‖ name` (names are shorter than 256 bytes).
    #[inline]
    fn put_name(&mut self, name: &str) {
        self.put(&[name.len() as u8]);
        self.put(name.as_bytes());
    }

    /// Appends a history's bytes.
    #[inline]
    fn put_tag(&mut self, tag: &HistoryLabel) {
        self.put(tag.as_bytes());
    }
}

impl Sink for Sha256 {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        sha2::Digest::update(self, bytes);
    }
}

/// A preimage of at most [`Block::ROOM`] bytes on the stack, hashed in one or
/// two compressions with no copy into a block buffer.
pub(crate) struct Block {
    /// The preimage, then its padding. Longer than two blocks so that a
    /// history can be copied in as a fixed 32 bytes and the padding zeroed as a
    /// fixed 64, whatever the lengths.
    buf: [u8; 192],
    len: usize,
}

impl Block {
    /// The longest preimage that fits two blocks with its padding.
    pub(crate) const ROOM: usize = 2 * 64 - 9;

    /// The longest preimage that fits one block with its padding.
    pub(crate) const ONE_BLOCK: usize = 64 - 9;

    /// An empty preimage.
    #[inline]
    pub(crate) fn new() -> Block {
        Block {
            buf: [0; 192],
            len: 0,
        }
    }

    /// SHA-256 of what was written: `0x80`, zeros and the bit length appended
    /// (FIPS 180-4, 5.1.1), then one or two compressions from [`IV`].
    #[inline]
    pub(crate) fn finish(&mut self) -> [u8; 32] {
        let len = self.len;
        assert!(
            len <= Self::ROOM,
            "a preimage of {len} bytes overflows a Block"
        );
        let end = if len <= Self::ONE_BLOCK { 64 } else { 128 };
        self.buf[len] = 0x80;
        // Zero up to the length field: a history copied in whole may have left
        // bytes there.
        self.buf[len + 1..len + 65].fill(0);
        self.buf[end - 8..end].copy_from_slice(&(len as u64 * 8).to_be_bytes());
        let mut state = IV;
        for block in self.buf[..end].chunks_exact(64) {
            let block = GenericArray::from_slice(block);
            sha2::compress256(&mut state, std::slice::from_ref(block));
        }
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}

impl Sink for Block {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    #[inline]
    fn put_name(&mut self, name: &str) {
        self.buf[self.len] = name.len() as u8;
        self.len += 1;
        // Names are a few bytes: a loop beats a call to memcpy.
        for &b in name.as_bytes() {
            self.buf[self.len] = b;
            self.len += 1;
        }
    }

    /// Copies the whole 32-byte array (a fixed-size move) and keeps the
    /// history's length; the bytes past it are overwritten or ignored.
    #[inline]
    fn put_tag(&mut self, tag: &HistoryLabel) {
        self.buf[self.len..self.len + 32].copy_from_slice(tag.padded());
        self.len += tag.as_bytes().len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn every_length_that_fits_hashes_like_sha256() {
        let tag = HistoryLabel::from_bytes(&[0xc3; 16]).unwrap();
        for len in 0..=Block::ROOM {
            let msg: Vec<u8> = (0..len as u32).map(|i| (i * 37 + 11) as u8).collect();
            let mut b = Block::new();
            // Leave garbage behind the preimage, as a history copied whole does.
            b.put_tag(&tag);
            b.len = 0;
            b.put(&msg);
            assert_eq!(
                b.finish(),
                <[u8; 32]>::from(Sha256::digest(&msg)),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn block_and_stream_agree_on_names_and_histories() {
        let tags = [
            HistoryLabel::from_bytes(&[1; 8]).unwrap(),
            HistoryLabel::from_bytes(&[2; 16]).unwrap(),
            HistoryLabel::from_bytes(&[3; 32]).unwrap(),
        ];
        fn write<S: Sink>(s: &mut S, tags: &[HistoryLabel]) {
            s.put_name("mul_const");
            s.put(&7u64.to_le_bytes());
            for t in tags {
                s.put_tag(t);
            }
        }
        let mut b = Block::new();
        write(&mut b, &tags);
        let mut h = Sha256::new();
        write(&mut h, &tags);
        let streamed: [u8; 32] = h.finalize().into();
        assert_eq!(b.finish(), streamed);
        let mut plain = b"\x09mul_const".to_vec();
        plain.extend_from_slice(&7u64.to_le_bytes());
        for t in &tags {
            plain.extend_from_slice(t.as_bytes());
        }
        assert_eq!(streamed, <[u8; 32]>::from(Sha256::digest(&plain)));
    }
}
