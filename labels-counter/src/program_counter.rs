//! [`ProgramCounter`]: VIFF's list of counters, with a child forked for every
//! scheduled continuation.

use shamir_runtime::label::{Issued, IssuedWire, LabelError, Labeller, OpKind, WireForm};
use shamir_runtime::wire::{get_varint, put_varint, varint_exact, VarintError};
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
/// the encoded bytes makes hashing, comparing and sending a copy of a few
/// bytes. Up to 16 bytes live in a fixed buffer, so that sending one is a copy
/// of fixed size; a top-level label `[k]` also keeps `k`, its dense key. It
/// shows as its counters, e.g. `[3, 0, 1]`.
#[derive(Clone)]
pub struct PcLabel {
    /// The wire form, zero-padded, when it fits.
    short: [u8; INLINE_LABEL_BYTES],
    /// Bytes of `short` used, or [`LONG`] for a label in `long`.
    len: u8,
    /// The dense key of a top-level label, else [`NO_KEY`].
    key: u64,
    long: Option<Box<[u8]>>,
}

/// `PcLabel::len` of a label longer than 16 bytes.
const LONG: u8 = u8::MAX;

/// `PcLabel::key` of a label without a dense key.
const NO_KEY: u64 = u64::MAX;

impl std::fmt::Debug for PcLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.counters())
    }
}

impl PartialEq for PcLabel {
    fn eq(&self, other: &PcLabel) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for PcLabel {}

impl std::hash::Hash for PcLabel {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl PcLabel {
    /// The label whose wire form is `bytes` (valid varints).
    fn from_bytes(bytes: &[u8]) -> PcLabel {
        let key = match get_varint(bytes) {
            Ok((k, used)) if used == bytes.len() => k,
            _ => NO_KEY,
        };
        if bytes.len() <= INLINE_LABEL_BYTES {
            let mut short = [0; INLINE_LABEL_BYTES];
            short[..bytes.len()].copy_from_slice(bytes);
            PcLabel {
                short,
                len: bytes.len() as u8,
                key,
                long: None,
            }
        } else {
            PcLabel {
                short: [0; INLINE_LABEL_BYTES],
                len: LONG,
                key,
                long: Some(bytes.into()),
            }
        }
    }

    /// The wire form.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.long {
            Some(b) => b,
            None => &self.short[..self.len as usize],
        }
    }

    /// The counters this label stands for.
    pub fn counters(&self) -> Vec<u64> {
        let mut out = Vec::new();
        let mut rest = self.as_bytes();
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

    /// [`Labeller::issue_wire`] for any label: built, then encoded.
    #[cold]
    #[inline(never)]
    fn issue_wire_in_full(
        &mut self,
        op: OpKind,
        operands: &[&()],
        out: &mut Vec<u8>,
    ) -> Result<IssuedWire<()>, LabelError> {
        let issued = self.issue(op, operands)?;
        let label = issued.label.expect("a labelled operation");
        self.encode(&label, out);
        Ok(IssuedWire {
            labelled: true,
            dense_key: self.dense_key(&label),
            tag: (),
        })
    }

    fn take_label(&mut self) -> PcLabel {
        if let [c] = self.pc[..] {
            if c < 1 << 56 {
                // The top level: one varint, and its dense key.
                let (word, len) = varint_word(c);
                let mut short = [0; INLINE_LABEL_BYTES];
                short[..8].copy_from_slice(&word.to_le_bytes());
                self.pc[0] = c + 1;
                return PcLabel {
                    short,
                    len: len as u8,
                    key: c,
                    long: None,
                };
            }
        }
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
        Some(PcLabel {
            short: word.to_le_bytes(),
            len: len as u8,
            key: NO_KEY,
            long: None,
        })
    }

    /// The label of a deep or large counter, written by the wire's varint
    /// encoder (it is longer than 16 bytes, or has a counter of 2^56 or more).
    fn label_on_heap(&self) -> PcLabel {
        let mut bytes = Vec::new();
        for &c in &self.pc {
            put_varint(&mut bytes, c);
        }
        PcLabel::from_bytes(&bytes)
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
    const DENSE_KEYS: bool = true;
    const WIRE_FORM: WireForm = WireForm::Varints;

    fn issue(&mut self, op: OpKind, _operands: &[&()]) -> Result<Issued<PcLabel, ()>, LabelError> {
        let label = op.is_labelled().then(|| self.take_label());
        Ok(Issued { label, tag: () })
    }

    /// A top-level label `[k]` is written as the varint of `k` with `k` as
    /// its dense key, without building a [`PcLabel`]; everything else takes
    /// the general path, kept out of line so that this one inlines.
    #[inline(always)]
    fn issue_wire(
        &mut self,
        op: OpKind,
        operands: &[&()],
        out: &mut Vec<u8>,
    ) -> Result<IssuedWire<()>, LabelError> {
        if !op.is_labelled() {
            return Ok(IssuedWire {
                labelled: false,
                dense_key: None,
                tag: (),
            });
        }
        match self.pc.as_mut_slice() {
            [c] if *c < 1 << 28 => {
                let k = *c;
                *c = k + 1;
                put_varint(out, k);
                Ok(IssuedWire {
                    labelled: true,
                    dense_key: Some(k),
                    tag: (),
                })
            }
            _ => self.issue_wire_in_full(op, operands, out),
        }
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

    #[inline]
    fn encode(&self, label: &PcLabel, out: &mut Vec<u8>) {
        if label.long.is_none() {
            // A copy of fixed size, then the length: no call to `memcpy`.
            let end = out.len() + label.len as usize;
            out.extend_from_slice(&label.short);
            out.truncate(end);
        } else {
            out.extend_from_slice(label.as_bytes());
        }
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
        Ok(PcLabel::from_bytes(bytes))
    }

    fn encoded_len(&self, label: &PcLabel) -> usize {
        label.as_bytes().len()
    }

    /// Top-level labels `[k]` are consecutive: their dense key is `k`. Deeper
    /// labels have none (they are filed by hash).
    #[inline]
    fn dense_key(&self, label: &PcLabel) -> Option<u64> {
        (label.key != NO_KEY).then_some(label.key)
    }

    #[inline]
    fn wire_dense_key(&self, bytes: &[u8]) -> Option<u64> {
        varint_exact(bytes)
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
                    assert_eq!(pc.label_on_heap().as_bytes(), want);
                    match pc.label_in_register() {
                        Some(fast) => {
                            assert_eq!(fast.as_bytes(), want, "counters {:?}", pc.pc)
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

    /// The wire path at issue writes what `issue`, `encode` and `dense_key`
    /// give, at the top level and inside continuations.
    #[test]
    fn issue_wire_agrees_with_issue_and_encode() {
        let (mut a, mut b) = (ProgramCounter::new(), ProgramCounter::new());
        let step = |a: &mut ProgramCounter, b: &mut ProgramCounter, op: OpKind| {
            let l = a.issue(op, &[]).unwrap().label;
            let mut out = Vec::new();
            let w = b.issue_wire(op, &[], &mut out).unwrap();
            assert_eq!(w.labelled, l.is_some());
            if let Some(l) = l {
                let mut want = Vec::new();
                a.encode(&l, &mut want);
                assert_eq!(out, want);
                assert_eq!(w.dense_key, a.dense_key(&l));
            }
        };
        for _ in 0..200 {
            step(&mut a, &mut b, OpKind::Mul);
        }
        step(&mut a, &mut b, OpKind::Add);
        let (ca, cb) = (a.schedule(&[]), b.schedule(&[]));
        let (sa, sb) = (a.enter(ca), b.enter(cb));
        for _ in 0..200 {
            step(&mut a, &mut b, OpKind::Open);
        }
        a.leave(sa);
        b.leave(sb);
        step(&mut a, &mut b, OpKind::Input { owner: 1 });
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
        let l = PcLabel::from_bytes(&encode_counters(&[300, 0, 7]));
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
