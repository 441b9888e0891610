//! [`History`]: the labeller; [`HistoryContext`]: the context and position that
//! give operations without operands (`input`, `random`) their history.

use crate::label::{HistoryLabel, LabelBytesError};
use crate::sha::{Block, Sink};
use crate::{DEFAULT_LABEL_BYTES, LABEL_BYTES};
use sha2::{Digest, Sha256};
use shamir_runtime::label::{Issued, LabelError, Labeller, OpKind};

/// The name hashed for the root context's history.
const ROOT_CONTEXT: &str = "root context";
/// The name hashed for the tag of a value no operation produced.
const ROOT_VALUE: &str = "root value";
/// The name hashed for a scheduled continuation's context.
const SCHEDULE: &str = "schedule";

/// History labels: SHA-256 of the operation, its public arguments and its
/// operands' histories, truncated to [`History::label_bytes`] bytes. See the
/// [crate docs](crate) for the preimage layout, the context scheme and where it
/// stops working.
///
/// ```
/// use labels_history::shamir_runtime::{Labeller, OpKind};
/// use labels_history::History;
///
/// let mut h = History::new(8).unwrap();
/// let a = h.issue(OpKind::Input { owner: 0 }, &[]).unwrap().tag;
/// let b = h.issue(OpKind::Input { owner: 1 }, &[]).unwrap().tag;
/// let x = h.issue(OpKind::Mul, &[&a, &b]).unwrap().label.unwrap();
/// let y = h.issue(OpKind::Mul, &[&a, &b]).unwrap().label.unwrap();
/// assert_eq!(x, y); // the same expression twice: the same history
/// assert_eq!(x.as_bytes().len(), 8);
/// ```
#[derive(Debug, Clone)]
pub struct History {
    label_bytes: usize,
    context: HistoryContext,
    root_tag: HistoryLabel,
}

/// Where the labeller is: the history of the current continuation (or of the
/// root), full-width SHA-256 and never sent, and the position of the next
/// `input`, `random` or `schedule` in it. What [`Labeller::schedule`] returns,
/// [`Labeller::enter`] switches to and [`Labeller::leave`] restores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryContext {
    history: [u8; 32],
    position: u64,
}

impl Default for History {
    /// History labels of [`DEFAULT_LABEL_BYTES`] bytes.
    fn default() -> Self {
        Self::new(DEFAULT_LABEL_BYTES).expect("the default label size is offered")
    }
}

impl History {
    /// History labels of `label_bytes` bytes, one of [`LABEL_BYTES`] (8, 16
    /// or 32), in the root context at position 0.
    pub fn new(label_bytes: usize) -> Result<History, LabelBytesError> {
        if !LABEL_BYTES.contains(&label_bytes) {
            return Err(LabelBytesError(label_bytes));
        }
        let named = |name| {
            let mut h = Sha256::new();
            h.put_name(name);
            h.finalize().into()
        };
        Ok(History {
            label_bytes,
            context: HistoryContext {
                history: named(ROOT_CONTEXT),
                position: 0,
            },
            root_tag: HistoryLabel::truncate(&named(ROOT_VALUE), label_bytes),
        })
    }

    /// The size of every label and tag, in bytes.
    pub fn label_bytes(&self) -> usize {
        self.label_bytes
    }

    /// The current context and position, and moves past that position.
    #[inline]
    fn take_position(&mut self) -> HistoryContext {
        let place = self.context;
        self.context.position += 1;
        place
    }

    /// The preimage of `op` on `operands` (see the crate docs for its layout).
    /// Takes a position for `input` and `random`.
    #[inline]
    fn issue_preimage<'a>(
        &mut self,
        op: OpKind,
        operands: &'a [&'a HistoryLabel],
    ) -> Result<IssuePreimage<'a>, LabelError> {
        let count = u8::try_from(operands.len()).map_err(|_| {
            LabelError::Diverged(format!(
                "a `{}` operation with {} operands",
                op.name(),
                operands.len()
            ))
        })?;
        let mut p = IssuePreimage {
            name: op.name(),
            count,
            owner: None,
            constant: None,
            place: None,
            operands,
        };
        match op {
            OpKind::Input { owner } => {
                let owner = u32::try_from(owner).map_err(|_| {
                    LabelError::Diverged(format!("an input owned by player {owner}"))
                })?;
                p.owner = Some(owner);
                p.place = Some(self.take_position());
            }
            OpKind::Random => p.place = Some(self.take_position()),
            OpKind::MulConst(c) | OpKind::AddConst(c) => p.constant = Some(c.value()),
            OpKind::Mul | OpKind::Open | OpKind::Add | OpKind::Sub => {}
        }
        Ok(p)
    }
}

impl Labeller for History {
    type Label = HistoryLabel;
    type Tag = HistoryLabel;
    type Context = HistoryContext;

    fn root_tag(&self) -> HistoryLabel {
        self.root_tag
    }

    /// The result's history; for a labelled operation it is also the label.
    #[inline]
    fn issue(
        &mut self,
        op: OpKind,
        operands: &[&HistoryLabel],
    ) -> Result<Issued<HistoryLabel, HistoryLabel>, LabelError> {
        let p = self.issue_preimage(op, operands)?;
        let tag = HistoryLabel::truncate(&p.digest(), self.label_bytes);
        Ok(Issued {
            label: op.is_labelled().then_some(tag),
            tag,
        })
    }

    /// The child context: SHA-256 of `"schedule"`, the operand count (u64), the
    /// current context and position, and the operands' histories. Moves past
    /// the position, so two schedules on the same operands get two contexts.
    fn schedule(&mut self, operands: &[&HistoryLabel]) -> HistoryContext {
        let place = self.take_position();
        let mut h = Sha256::new();
        h.put_name(SCHEDULE);
        h.put(&(operands.len() as u64).to_le_bytes());
        h.put(&place.history);
        h.put(&place.position.to_le_bytes());
        for tag in operands {
            h.put_tag(tag);
        }
        HistoryContext {
            history: h.finalize().into(),
            position: 0,
        }
    }

    fn enter(&mut self, context: HistoryContext) -> HistoryContext {
        std::mem::replace(
            &mut self.context,
            HistoryContext {
                position: 0,
                ..context
            },
        )
    }

    fn leave(&mut self, saved: HistoryContext) {
        self.context = saved;
    }

    fn encode(&self, label: &HistoryLabel, out: &mut Vec<u8>) {
        out.extend_from_slice(label.as_bytes());
    }

    /// Exactly [`History::label_bytes`] bytes; any other length is
    /// [`LabelError::WrongLength`]. Every byte string of the right length is a
    /// history this labeller could have produced.
    fn decode(&self, bytes: &[u8]) -> Result<HistoryLabel, LabelError> {
        if bytes.len() != self.label_bytes {
            return Err(LabelError::WrongLength {
                got: bytes.len(),
                expected: self.label_bytes,
            });
        }
        Ok(HistoryLabel::from_bytes(bytes).expect("an offered label size"))
    }
}

/// What an `issue` hashes (layout in the crate docs).
struct IssuePreimage<'a> {
    name: &'static str,
    count: u8,
    /// `input`: the owner.
    owner: Option<u32>,
    /// `mul_const`, `add_const`: the constant.
    constant: Option<u64>,
    /// `input`, `random`: the context and the position taken in it.
    place: Option<HistoryContext>,
    operands: &'a [&'a HistoryLabel],
}

impl IssuePreimage<'_> {
    /// SHA-256 of the preimage: in a [`Block`] on up to two operands (the
    /// longest, an `input` on two 32-byte histories, is 115 bytes, within
    /// [`Block::ROOM`]), streamed on more.
    #[inline]
    fn digest(&self) -> [u8; 32] {
        if self.operands.len() <= 2 {
            let mut b = Block::new();
            self.write(&mut b);
            b.finish()
        } else {
            let mut h = Sha256::new();
            self.write(&mut h);
            h.finalize().into()
        }
    }

    #[inline]
    fn write<S: Sink>(&self, sink: &mut S) {
        sink.put_name(self.name);
        sink.put(&[self.count]);
        if let Some(owner) = self.owner {
            sink.put(&owner.to_le_bytes());
        }
        if let Some(c) = self.constant {
            sink.put(&c.to_le_bytes());
        }
        if let Some(place) = &self.place {
            sink.put(&place.history);
            sink.put(&place.position.to_le_bytes());
        }
        for tag in self.operands {
            sink.put_tag(tag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sha::Block;
    use sha2::{Digest, Sha256};
    use shamir_runtime::Fp;
    use std::collections::HashSet;

    impl Sink for Vec<u8> {
        fn put(&mut self, bytes: &[u8]) {
            self.extend_from_slice(bytes);
        }
    }

    /// The bytes `issue` would hash (taking a position as `issue` does).
    fn preimage(h: &mut History, op: OpKind, operands: &[&HistoryLabel]) -> Vec<u8> {
        let mut bytes = Vec::new();
        h.issue_preimage(op, operands).unwrap().write(&mut bytes);
        bytes
    }

    fn tag(h: &mut History, op: OpKind, operands: &[&HistoryLabel]) -> HistoryLabel {
        h.issue(op, operands).unwrap().tag
    }

    fn label(h: &mut History, op: OpKind, operands: &[&HistoryLabel]) -> HistoryLabel {
        let issued = h.issue(op, operands).unwrap();
        let label = issued.label.expect("a labelled operation");
        assert_eq!(label, issued.tag, "a label is its value's history");
        label
    }

    /// Two inputs, owned by players 0 and 1, from a fresh labeller.
    fn two_inputs(h: &mut History) -> (HistoryLabel, HistoryLabel) {
        let a = label(h, OpKind::Input { owner: 0 }, &[]);
        let b = label(h, OpKind::Input { owner: 1 }, &[]);
        (a, b)
    }

    #[test]
    fn sizes_on_offer_and_the_default() {
        for b in LABEL_BYTES {
            let h = History::new(b).unwrap();
            assert_eq!(h.label_bytes(), b);
            let s = crate::HistoryStrategy::new(b).unwrap();
            assert_eq!(shamir_runtime::Strategy::name(&s), "history");
            assert_eq!(h.root_tag().as_bytes().len(), b);
        }
        for b in [0, 1, 7, 9, 15, 17, 24, 31, 33, 64, usize::MAX] {
            assert_eq!(History::new(b).unwrap_err(), LabelBytesError(b));
        }
        let h = History::default();
        assert_eq!(h.label_bytes(), DEFAULT_LABEL_BYTES);
        assert_eq!(h.context.position, 0);
        assert_eq!(h.root_tag(), History::default().root_tag());
        assert_eq!(crate::collision_bound(2, h.label_bytes()), 2f64.powi(-128));
    }

    /// The layout the crate docs give, recomputed by hand.
    #[test]
    fn known_answers_follow_the_documented_layout() {
        let root: [u8; 32] = Sha256::digest(b"\x0croot context").into();
        let h = History::default();
        assert_eq!(&h.context.history, &root);
        assert_eq!(
            h.root_tag().as_bytes(),
            &Sha256::digest(b"\x0aroot value")[..16]
        );

        let mut h = History::new(8).unwrap();
        let mut pre = b"\x05input\x00".to_vec();
        pre.extend_from_slice(&2u32.to_le_bytes());
        pre.extend_from_slice(&root);
        pre.extend_from_slice(&0u64.to_le_bytes());
        let a = label(&mut h, OpKind::Input { owner: 2 }, &[]);
        assert_eq!(a.as_bytes(), &Sha256::digest(&pre)[..8]);

        let mut pre = b"\x06random\x00".to_vec();
        pre.extend_from_slice(&root);
        pre.extend_from_slice(&1u64.to_le_bytes());
        let r = label(&mut h, OpKind::Random, &[]);
        assert_eq!(r.as_bytes(), &Sha256::digest(&pre)[..8]);

        let mut pre = b"\x03mul\x02".to_vec();
        pre.extend_from_slice(a.as_bytes());
        pre.extend_from_slice(r.as_bytes());
        let x = label(&mut h, OpKind::Mul, &[&a, &r]);
        assert_eq!(x.as_bytes(), &Sha256::digest(&pre)[..8]);

        let mut pre = b"\x09mul_const\x01".to_vec();
        pre.extend_from_slice(&7u64.to_le_bytes());
        pre.extend_from_slice(x.as_bytes());
        let y = tag(&mut h, OpKind::MulConst(Fp::new(7)), &[&x]);
        assert_eq!(y.as_bytes(), &Sha256::digest(&pre)[..8]);

        let mut pre = b"\x08schedule".to_vec();
        pre.extend_from_slice(&1u64.to_le_bytes());
        pre.extend_from_slice(&root);
        pre.extend_from_slice(&2u64.to_le_bytes());
        pre.extend_from_slice(y.as_bytes());
        let ctx = h.schedule(&[&y]);
        assert_eq!(&ctx.history, &<[u8; 32]>::from(Sha256::digest(&pre)));
        assert_eq!(ctx.position, 0);
    }

    #[test]
    fn labels_differ_by_kind_operands_constants_and_owner() {
        let mut h = History::default();
        let (a, b) = two_inputs(&mut h);
        assert_ne!(a, b);
        let (two, three) = (Fp::new(2), Fp::new(3));
        let all = [
            tag(&mut h, OpKind::Mul, &[&a, &b]),
            tag(&mut h, OpKind::Mul, &[&b, &a]),
            tag(&mut h, OpKind::Mul, &[&a, &a]),
            tag(&mut h, OpKind::Add, &[&a, &b]),
            tag(&mut h, OpKind::Sub, &[&a, &b]),
            tag(&mut h, OpKind::Sub, &[&b, &a]),
            tag(&mut h, OpKind::Open, &[&a]),
            tag(&mut h, OpKind::Open, &[&b]),
            tag(&mut h, OpKind::MulConst(two), &[&a]),
            tag(&mut h, OpKind::MulConst(three), &[&a]),
            tag(&mut h, OpKind::MulConst(two), &[&b]),
            tag(&mut h, OpKind::AddConst(two), &[&a]),
            tag(&mut h, OpKind::AddConst(three), &[&a]),
            a,
            b,
            h.root_tag(),
        ];
        let distinct: HashSet<_> = all.iter().map(|t| t.as_bytes().to_vec()).collect();
        assert_eq!(distinct.len(), all.len(), "{all:?}");

        // Local operations have a history but no label.
        for op in [
            OpKind::Add,
            OpKind::Sub,
            OpKind::MulConst(two),
            OpKind::AddConst(two),
        ] {
            let operands: &[&HistoryLabel] = match op {
                OpKind::Add | OpKind::Sub => &[&a, &b],
                _ => &[&a],
            };
            assert!(h.issue(op, operands).unwrap().label.is_none(), "{op:?}");
        }

        // The owner of an input is part of its history: same place, two owners.
        let mut p = History::default();
        let mut q = History::default();
        assert_ne!(
            label(&mut p, OpKind::Input { owner: 0 }, &[]),
            label(&mut q, OpKind::Input { owner: 1 }, &[])
        );
        // And an input is not a random at the same place.
        let mut p = History::default();
        let mut q = History::default();
        assert_ne!(
            label(&mut p, OpKind::Input { owner: 0 }, &[]),
            label(&mut q, OpKind::Random, &[])
        );
    }

    #[test]
    fn the_same_expression_has_the_same_history_anywhere() {
        let mut h = History::default();
        let (a, b) = two_inputs(&mut h);
        let c = label(&mut h, OpKind::Input { owner: 2 }, &[]);
        let x = label(&mut h, OpKind::Mul, &[&a, &b]);
        let y = label(&mut h, OpKind::Mul, &[&a, &b]);
        assert_eq!(x, y);
        // Through local operations too: (a + b)·c twice.
        let s = tag(&mut h, OpKind::Add, &[&a, &b]);
        let t = tag(&mut h, OpKind::Add, &[&a, &b]);
        assert_eq!(
            label(&mut h, OpKind::Mul, &[&s, &c]),
            label(&mut h, OpKind::Mul, &[&t, &c])
        );
        // Operations with operands take no position: randoms issued in between,
        // or another context, do not change their history.
        label(&mut h, OpKind::Random, &[]);
        assert_eq!(label(&mut h, OpKind::Mul, &[&a, &b]), x);
        let ctx = h.schedule(&[&x]);
        let saved = h.enter(ctx);
        assert_eq!(label(&mut h, OpKind::Mul, &[&a, &b]), x);
        h.leave(saved);
    }

    #[test]
    fn operandless_operations_take_context_and_position() {
        let mut h = History::default();
        let r1 = label(&mut h, OpKind::Random, &[]);
        let r2 = label(&mut h, OpKind::Random, &[]);
        assert_ne!(r1, r2, "two randoms in one context must differ");
        let i1 = label(&mut h, OpKind::Input { owner: 0 }, &[]);
        let i2 = label(&mut h, OpKind::Input { owner: 0 }, &[]);
        assert_ne!(i1, i2, "two inputs of one owner must differ");
        assert_eq!(h.context.position, 4);

        // Another player issuing the same program gets the same labels; local
        // and operand operations in between do not move the position.
        let mut other = History::default();
        assert_eq!(label(&mut other, OpKind::Random, &[]), r1);
        let m = label(&mut other, OpKind::Mul, &[&r1, &r1]);
        tag(&mut other, OpKind::Add, &[&m, &r1]);
        label(&mut other, OpKind::Open, &[&m]);
        assert_eq!(other.context.position, 1);
        assert_eq!(label(&mut other, OpKind::Random, &[]), r2);
    }

    /// Two players run the continuations of one context in opposite orders:
    /// the labels issued inside each continuation agree all the same.
    #[test]
    fn schedule_enter_leave_fork_contexts_independent_of_run_order() {
        let mut p = History::default();
        let mut q = History::default();
        let a = label(&mut p, OpKind::Input { owner: 0 }, &[]);
        assert_eq!(label(&mut q, OpKind::Input { owner: 0 }, &[]), a);

        // The same operands, scheduled twice: two different contexts.
        let (p1, p2) = (p.schedule(&[&a]), p.schedule(&[&a]));
        let (q1, q2) = (q.schedule(&[&a]), q.schedule(&[&a]));
        assert_ne!(p1, p2);
        assert_eq!((p1, p2), (q1, q2));
        assert_eq!(p.context.position, 3);

        // p runs the first continuation first, q the second.
        let root_p = p.context;
        let saved = p.enter(p1);
        assert_eq!(saved, root_p);
        assert_eq!(p.context.position, 0);
        let p_first = [
            label(&mut p, OpKind::Random, &[]),
            label(&mut p, OpKind::Random, &[]),
        ];
        // A continuation scheduled inside: a grandchild, also at position 0.
        let grand = p.schedule(&[&a]);
        let saved_inner = p.enter(grand);
        let p_grand = label(&mut p, OpKind::Random, &[]);
        p.leave(saved_inner);
        p.leave(saved);
        assert_eq!(p.context, root_p);
        let saved = p.enter(p2);
        let p_second = label(&mut p, OpKind::Random, &[]);
        p.leave(saved);

        let saved = q.enter(q2);
        let q_second = label(&mut q, OpKind::Random, &[]);
        q.leave(saved);
        let saved = q.enter(q1);
        let q_first = [
            label(&mut q, OpKind::Random, &[]),
            label(&mut q, OpKind::Random, &[]),
        ];
        let grand = q.schedule(&[&a]);
        let saved_inner = q.enter(grand);
        let q_grand = label(&mut q, OpKind::Random, &[]);
        q.leave(saved_inner);
        q.leave(saved);

        assert_eq!((p_first, p_second, p_grand), (q_first, q_second, q_grand));
        // Every random differs from every other, and from the root's next one.
        let root_next = label(&mut p, OpKind::Random, &[]);
        let all = [p_first[0], p_first[1], p_second, p_grand, root_next];
        let distinct: HashSet<_> = all.iter().map(|l| l.as_bytes().to_vec()).collect();
        assert_eq!(distinct.len(), all.len(), "{all:?}");
        assert_eq!(label(&mut q, OpKind::Random, &[]), root_next);
    }

    #[test]
    fn a_schedule_depends_on_its_operands() {
        let mut p = History::default();
        let mut q = History::default();
        let (a, b) = two_inputs(&mut p);
        two_inputs(&mut q);
        assert_ne!(p.schedule(&[&a]), q.schedule(&[&b]));
        assert_ne!(p.schedule(&[&a]), q.schedule(&[&a, &b]));
        assert_eq!(p.schedule(&[]), q.schedule(&[]));
    }

    #[test]
    fn labels_are_truncated_to_the_chosen_size() {
        let mut full = History::new(32).unwrap();
        let r32 = label(&mut full, OpKind::Random, &[]);
        for b in LABEL_BYTES {
            let mut h = History::new(b).unwrap();
            let r = label(&mut h, OpKind::Random, &[]);
            // The context is full width, so a random's history at b bytes is
            // the prefix of its 32-byte history.
            assert_eq!(r.as_bytes(), &r32.as_bytes()[..b]);
            let (a, c) = two_inputs(&mut h);
            let labels = [
                r,
                a,
                c,
                label(&mut h, OpKind::Mul, &[&a, &c]),
                label(&mut h, OpKind::Open, &[&a]),
                tag(&mut h, OpKind::Sub, &[&a, &c]),
                h.root_tag(),
            ];
            for l in labels {
                assert_eq!(l.as_bytes().len(), b);
                assert_eq!(h.encoded_len(&l), b);
                let mut wire = vec![0xee];
                h.encode(&l, &mut wire);
                assert_eq!(wire.len(), 1 + b, "encode appends exactly the label");
                assert_eq!(h.decode(&wire[1..]).unwrap(), l);
                assert_eq!(h.dense_key(&l), None);
                assert_eq!(h.wire_dense_key(&wire[1..]), None);
            }
        }
    }

    #[test]
    fn decode_refuses_every_other_length() {
        for b in LABEL_BYTES {
            let h = History::new(b).unwrap();
            for len in 0..=40 {
                let bytes = vec![0x5a; len];
                match h.decode(&bytes) {
                    Ok(l) => {
                        assert_eq!(len, b);
                        assert_eq!(l.as_bytes(), &bytes[..]);
                    }
                    Err(e) => {
                        assert_ne!(len, b);
                        assert_eq!(
                            e,
                            LabelError::WrongLength {
                                got: len,
                                expected: b
                            }
                        );
                    }
                }
            }
        }
    }

    /// The cost claim of the crate docs: one SHA-256 block per issue at 8 and
    /// 16 bytes; at 32 bytes two operand histories take a second block.
    #[test]
    fn every_issue_is_one_block_below_32_bytes() {
        for b in LABEL_BYTES {
            let mut h = History::new(b).unwrap();
            let (a, c) = two_inputs(&mut h);
            let c7 = Fp::new(7);
            let ops: [(OpKind, Vec<&HistoryLabel>); 8] = [
                (OpKind::Input { owner: 31 }, vec![]),
                (OpKind::Random, vec![]),
                (OpKind::Mul, vec![&a, &c]),
                (OpKind::Open, vec![&a]),
                (OpKind::Add, vec![&a, &c]),
                (OpKind::Sub, vec![&a, &c]),
                (OpKind::MulConst(c7), vec![&a]),
                (OpKind::AddConst(c7), vec![&a]),
            ];
            for (op, operands) in ops {
                let one = preimage(&mut h, op, &operands).len() <= Block::ONE_BLOCK;
                let two_operands = operands.len() == 2;
                assert_eq!(one, b < 32 || !two_operands, "{op:?} at {b} bytes");
            }
        }
    }

    /// Up to two operands an issue is hashed in a `Block`, beyond it is
    /// streamed: either way, SHA-256 of the documented layout.
    #[test]
    fn issues_on_any_operand_count_follow_the_layout() {
        let mut h = History::new(32).unwrap();
        let r = label(&mut h, OpKind::Random, &[]);
        for n in 0..=6 {
            let operands = vec![&r; n];
            // An input has the longest fixed part.
            let place = h.context;
            let mut pre = b"\x05input".to_vec();
            pre.push(n as u8);
            pre.extend_from_slice(&7u32.to_le_bytes());
            pre.extend_from_slice(&place.history);
            pre.extend_from_slice(&place.position.to_le_bytes());
            pre.extend(operands.iter().flat_map(|t| t.as_bytes()));
            assert_eq!(pre.len() <= Block::ROOM, n <= 2, "{n} operands");
            let input = tag(&mut h, OpKind::Input { owner: 7 }, &operands);
            assert_eq!(input.as_bytes(), &Sha256::digest(&pre)[..]);
            let mut pre = b"\x03add".to_vec();
            pre.push(n as u8);
            pre.extend(operands.iter().flat_map(|t| t.as_bytes()));
            let sum = tag(&mut h, OpKind::Add, &operands);
            assert_eq!(sum.as_bytes(), &Sha256::digest(&pre)[..]);
        }
    }

    /// A schedule on many operands (longer than a `Block` holds) has the same
    /// layout.
    #[test]
    fn a_long_schedule_is_hashed_like_a_short_one() {
        let mut h = History::new(32).unwrap();
        let tags: Vec<HistoryLabel> = (0..9).map(|_| label(&mut h, OpKind::Random, &[])).collect();
        let refs: Vec<&HistoryLabel> = tags.iter().collect();
        let before = h.context;
        let mut pre = b"\x08schedule".to_vec();
        pre.extend_from_slice(&9u64.to_le_bytes());
        pre.extend_from_slice(&before.history);
        pre.extend_from_slice(&before.position.to_le_bytes());
        for t in &tags {
            pre.extend_from_slice(t.as_bytes());
        }
        assert!(pre.len() > Block::ROOM);
        let ctx = h.schedule(&refs);
        assert_eq!(&ctx.history, &<[u8; 32]>::from(Sha256::digest(&pre)));
    }

    #[test]
    fn too_many_operands_or_a_huge_owner_are_refused() {
        let mut h = History::default();
        let r = h.root_tag();
        let many = vec![&r; 256];
        assert!(matches!(
            h.issue(OpKind::Add, &many),
            Err(LabelError::Diverged(_))
        ));
        assert!(h.issue(OpKind::Add, &many[..255]).is_ok());
        if usize::BITS > 32 {
            assert!(matches!(
                h.issue(OpKind::Input { owner: usize::MAX }, &[]),
                Err(LabelError::Diverged(_))
            ));
        }
    }
}
