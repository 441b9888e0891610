//! [`ProgramCounter`]: VIFF's list of counters, with a child forked for every
//! scheduled continuation.

use shamir_runtime::label::{Issued, LabelError, Labeller, OpKind};
use shamir_runtime::wire::{get_varint, put_varint, VarintError};
use smallvec::SmallVec;

/// The program counter: a list of counters, `[0]` at the start.
#[derive(Debug, Clone)]
pub struct ProgramCounter {
    pc: Counters,
}

type Counters = SmallVec<[u64; 8]>;

/// Bytes a [`PcLabel`] holds without allocating.
const INLINE_LABEL_BYTES: usize = 16;

/// The varint of `v < 2^56` as the little-endian bytes of a word, and its length.
fn varint_word(mut v: u64) -> (u64, usize) {
    let mut word = 0u64;
    let mut len = 0;
    while v >= 0x80 {
        word |= ((v & 0x7f) | 0x80) << (8 * len);
        v >>= 7;
        len += 1;
    }
    (word | v << (8 * len), len + 1)
}

/// A program-counter label in its wire form: one varint per counter. Keeping
/// the encoded bytes makes hashing, comparing and sending a copy of a few bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PcLabel(SmallVec<[u8; INLINE_LABEL_BYTES]>);

impl PcLabel {
    /// The counters this label stands for.
    pub fn counters(&self) -> Vec<u64> {
        let mut out = Vec::new();
        let mut rest = &self.0[..];
        while let Ok((v, used)) = get_varint(rest) {
            out.push(v);
            rest = &rest[used..];
        }
        out
    }
}

impl Default for ProgramCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl ProgramCounter {
    /// A program counter at `[0]`.
    pub fn new() -> Self {
        let mut pc = Counters::new();
        pc.push(0);
        ProgramCounter { pc }
    }

    fn take_label(&mut self) -> PcLabel {
        let label = self
            .label_in_register()
            .unwrap_or_else(|| self.label_on_heap());
        self.bump();
        label
    }

    /// The label of up to 16 bytes, assembled in a register and moved into the
    /// inline buffer at once. Pushing byte by byte kept the length in memory and
    /// read the bytes back as one 16-byte word, which stalls store forwarding:
    /// perf put 12% of a socket run's time in `issue` before this.
    fn label_in_register(&self) -> Option<PcLabel> {
        let mut word = 0u128;
        let mut len = 0usize;
        for &c in &self.pc {
            if c >= 1 << 56 {
                return None;
            }
            let (bytes, n) = varint_word(c);
            if len + n > INLINE_LABEL_BYTES {
                return None;
            }
            word |= u128::from(bytes) << (8 * len);
            len += n;
        }
        Some(PcLabel(SmallVec::from_buf_and_len(word.to_le_bytes(), len)))
    }

    /// The label of a deep or large counter, written by the wire's varint
    /// encoder (it is longer than 16 bytes, or has a counter of 2^56 or more).
    fn label_on_heap(&self) -> PcLabel {
        let mut bytes = Vec::new();
        for &c in &self.pc {
            put_varint(&mut bytes, c);
        }
        PcLabel(SmallVec::from_vec(bytes))
    }

    fn bump(&mut self) {
        *self
            .pc
            .last_mut()
            .expect("a program counter is never empty") += 1;
    }
}

impl Labeller for ProgramCounter {
    type Label = PcLabel;
    type Tag = ();
    type Context = Counters;

    fn name(&self) -> &'static str {
        "counter"
    }

    fn root_tag(&self) {}

    fn issue(&mut self, op: OpKind, _operands: &[&()]) -> Result<Issued<PcLabel, ()>, LabelError> {
        let label = op.is_labelled().then(|| self.take_label());
        Ok(Issued { label, tag: () })
    }

    fn schedule(&mut self, _operands: &[&()]) -> Counters {
        let saved = self.pc.clone();
        self.bump();
        saved
    }

    fn enter(&mut self, mut context: Counters) -> Counters {
        context.push(0);
        std::mem::replace(&mut self.pc, context)
    }

    fn leave(&mut self, saved: Counters) {
        self.pc = saved;
    }

    fn encode(&self, label: &PcLabel, out: &mut Vec<u8>) {
        out.extend_from_slice(&label.0);
    }

    fn decode(&self, bytes: &[u8]) -> Result<PcLabel, LabelError> {
        if bytes.is_empty() {
            return Err(LabelError::Truncated(0));
        }
        let mut rest = bytes;
        while !rest.is_empty() {
            let (_, used) = get_varint(rest).map_err(|e| match e {
                VarintError::Truncated => LabelError::Truncated(bytes.len()),
                VarintError::NonCanonical => {
                    LabelError::Malformed("a counter is not a canonical varint")
                }
            })?;
            rest = &rest[used..];
        }
        Ok(PcLabel(SmallVec::from_slice(bytes)))
    }

    fn encoded_len(&self, label: &PcLabel) -> usize {
        label.0.len()
    }

    /// Top-level labels `[k]` are consecutive: their dense key is `k`. Deeper
    /// labels have none (they are filed by hash).
    fn dense_key(&self, label: &PcLabel) -> Option<u64> {
        self.wire_dense_key(&label.0)
    }

    fn wire_dense_key(&self, bytes: &[u8]) -> Option<u64> {
        match get_varint(bytes) {
            Ok((k, used)) if used == bytes.len() => Some(k),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shamir_runtime::wire::put_varint;

    fn encode_counters(counters: &[u64]) -> Vec<u8> {
        let mut out = Vec::new();
        for &c in counters {
            put_varint(&mut out, c);
        }
        out
    }

    fn label(pc: &mut ProgramCounter) -> Vec<u64> {
        pc.issue(OpKind::Mul, &[])
            .unwrap()
            .label
            .unwrap()
            .counters()
    }

    /// The design note's example: main [0], schedule, main [1], callback [0, 0].
    #[test]
    fn forks_a_child_counter_per_continuation() {
        let mut pc = ProgramCounter::new();
        assert_eq!(label(&mut pc), vec![0]);
        let ctx = pc.schedule(&[]);
        assert_eq!(label(&mut pc), vec![2]);
        let saved = pc.enter(ctx);
        assert_eq!(label(&mut pc), vec![1, 0]);
        let inner = pc.schedule(&[]);
        assert_eq!(label(&mut pc), vec![1, 2]);
        let saved_inner = pc.enter(inner);
        assert_eq!(label(&mut pc), vec![1, 1, 0]);
        pc.leave(saved_inner);
        pc.leave(saved);
        assert_eq!(label(&mut pc), vec![3]);
    }

    /// The register path writes the wire's varints, as the heap path does,
    /// and gives way to it past 16 bytes or 2^56.
    #[test]
    fn register_label_matches_the_byte_by_byte_label() {
        let edges = [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            (1 << 49) - 1,
            (1 << 56) - 1,
            1 << 56,
        ];
        for &a in &edges {
            for &b in &edges {
                for pc in [vec![a], vec![a, b], vec![a, b, a, b]] {
                    let pc = ProgramCounter {
                        pc: Counters::from_vec(pc),
                    };
                    let want = encode_counters(&pc.pc);
                    assert_eq!(pc.label_on_heap().0.as_slice(), want);
                    match pc.label_in_register() {
                        Some(fast) => {
                            assert_eq!(fast.0.as_slice(), want, "counters {:?}", pc.pc)
                        }
                        None => assert!(
                            want.len() > INLINE_LABEL_BYTES || pc.pc.iter().any(|&c| c >= 1 << 56),
                            "counters {:?} fit a register",
                            pc.pc
                        ),
                    }
                }
            }
        }
    }

    #[test]
    fn local_operations_take_no_label() {
        let mut pc = ProgramCounter::new();
        assert!(pc.issue(OpKind::Add, &[&(), &()]).unwrap().label.is_none());
        assert_eq!(label(&mut pc), vec![0]);
    }

    #[test]
    fn wire_form_round_trips_and_refuses_garbage() {
        let pc = ProgramCounter::new();
        let l = PcLabel(SmallVec::from_slice(&encode_counters(&[300, 0, 7])));
        let mut out = Vec::new();
        pc.encode(&l, &mut out);
        assert_eq!(pc.encoded_len(&l), 4);
        assert_eq!(pc.decode(&out).unwrap(), l);
        assert_eq!(pc.decode(&out).unwrap().counters(), vec![300, 0, 7]);
        assert!(pc.decode(&[]).is_err());
        assert!(pc.decode(&[0x80]).is_err());
        assert!(pc.decode(&[0x81, 0x00]).is_err());
    }
}
