//! [`StaticLabeller`]: labels read off the transformed program.
//!
//! The replayed program issues its top-level labelled gates in their traced
//! order, so the labeller hands out 0, 1, 2, … — and checks, at each one,
//! that the operation the runtime issues is the kind of gate the
//! transformation numbered there. Inside a loop it labels by path (the
//! loop's number, the iteration, the number in the loop's sub-program:
//! [`Numbering`](shamir_runtime::circuit::Numbering)), with the same check,
//! and keeps the path as a continuation's context, so each iteration,
//! whenever it runs, labels from its own place. A run that departs from its
//! transformed program fails with [`LabelError::Diverged`] naming the gate;
//! it is never silently mislabelled.

use crate::transform::StaticProgram;
use shamir_runtime::circuit::number::{code_name, kind_code};
use shamir_runtime::circuit::{LoopPath, PathLabel};
use shamir_runtime::label::{
    decode_varint_path, Issued, IssuedWire, LabelError, Labeller, OpKind, WireForm,
};
use shamir_runtime::wire::{put_varint, varint_exact};
use std::sync::Arc;

/// A static label: the number of a labelled gate (one number), or its path
/// inside loops; sent as varints.
pub type StaticLabel = PathLabel;

/// One player's static labeller for a run of a [`StaticProgram`].
#[derive(Debug, Clone)]
pub struct StaticLabeller {
    /// The kind code of each top-level labelled gate, by number (shared).
    kinds: Arc<[u8]>,
    /// The number of the next top-level labelled gate.
    next: usize,
    /// Where the run is inside loops (empty at the top level).
    path: LoopPath,
    program: Arc<StaticProgram>,
}

impl StaticLabeller {
    /// A labeller at the program's first labelled gate.
    pub fn new(program: Arc<StaticProgram>) -> StaticLabeller {
        StaticLabeller {
            kinds: program.numbering.codes().clone(),
            next: 0,
            path: LoopPath::default(),
            program,
        }
    }

    /// The number of the next top-level labelled gate, if `op` is the kind
    /// of gate the transformation numbered there (`None` for a local
    /// operation).
    #[inline(always)]
    fn take(&mut self, op: OpKind) -> Result<Option<u64>, LabelError> {
        let Some(code) = kind_code(op) else {
            return Ok(None);
        };
        let k = self.next;
        match self.kinds.get(k) {
            Some(&expected) if expected == code => {
                self.next = k + 1;
                Ok(Some(k as u64))
            }
            expected => Err(self.diverged(op, expected.copied())),
        }
    }

    /// `op`'s label inside a loop: its path, if it is labelled.
    #[cold]
    #[inline(never)]
    fn take_in_loop(&mut self, op: OpKind) -> Result<Option<PathLabel>, LabelError> {
        let Some(code) = kind_code(op) else {
            return Ok(None);
        };
        let numbering = &self.program.numbering;
        numbering
            .take_in_loop(&mut self.path, code)
            .map(Some)
            .map_err(LabelError::Diverged)
    }

    #[cold]
    fn diverged(&self, op: OpKind, expected: Option<u8>) -> LabelError {
        let k = self.next as u64;
        let issued = kind_code(op).map_or_else(|| op.name().into(), code_name);
        LabelError::Diverged(match expected {
            Some(code) => {
                let gate = self.program.gate_of_label(k);
                let gate = gate.map_or_else(|| "?".to_string(), |g| g.to_string());
                format!(
                    "the run issued `{issued}` where the transformed program has `{}` \
                     (labelled gate #{k}, gate {gate})",
                    code_name(code)
                )
            }
            None => format!(
                "the run issued `{issued}` after the last of the transformed program's {} labelled gates",
                self.kinds.len()
            ),
        })
    }
}

impl Labeller for StaticLabeller {
    type Label = StaticLabel;
    type Tag = ();
    type Context = LoopPath;
    const DENSE_KEYS: bool = true;
    const WIRE_FORM: WireForm = WireForm::Varints;

    #[inline]
    fn issue(
        &mut self,
        op: OpKind,
        _operands: &[&()],
    ) -> Result<Issued<PathLabel, ()>, LabelError> {
        let label = match self.path.is_top() {
            true => self.take(op)?.map(|k| PathLabel::from_slice(&[k])),
            false => self.take_in_loop(op)?,
        };
        Ok(Issued { label, tag: () })
    }

    /// The gate number, written as its varint straight into the frame; it is
    /// its own dense key. Inside a loop, the path's varints, filed by hash.
    #[inline(always)]
    fn issue_wire(
        &mut self,
        op: OpKind,
        _operands: &[&()],
        out: &mut Vec<u8>,
    ) -> Result<IssuedWire<()>, LabelError> {
        if !self.path.is_top() {
            let path = self.take_in_loop(op)?;
            if let Some(path) = &path {
                self.encode(path, out);
            }
            return Ok(IssuedWire {
                labelled: path.is_some(),
                dense_key: None,
                tag: (),
            });
        }
        let label = self.take(op)?;
        if let Some(k) = label {
            put_varint(out, k);
        }
        Ok(IssuedWire {
            labelled: label.is_some(),
            dense_key: label,
            tag: (),
        })
    }

    fn schedule(&mut self, _operands: &[&()]) -> LoopPath {
        self.path.clone()
    }

    fn enter(&mut self, context: LoopPath) -> LoopPath {
        std::mem::replace(&mut self.path, context)
    }

    fn leave(&mut self, saved: LoopPath) {
        self.path = saved;
    }

    fn loop_begin(&mut self) -> Result<Option<LoopPath>, LabelError> {
        let numbering = &self.program.numbering;
        let saved = numbering.begin_loop(&mut self.next, &mut self.path);
        saved.map(Some).map_err(LabelError::Diverged)
    }

    fn loop_again(&mut self) -> Result<(), LabelError> {
        let numbering = &self.program.numbering;
        numbering
            .again(&mut self.path)
            .map_err(LabelError::Diverged)
    }

    #[inline]
    fn encode(&self, label: &PathLabel, out: &mut Vec<u8>) {
        for &v in label {
            put_varint(out, v);
        }
    }

    fn decode(&self, bytes: &[u8]) -> Result<PathLabel, LabelError> {
        decode_varint_path(bytes)
    }

    #[inline]
    fn dense_key(&self, label: &PathLabel) -> Option<u64> {
        (label.len() == 1).then(|| label[0])
    }

    #[inline]
    fn wire_dense_key(&self, bytes: &[u8]) -> Option<u64> {
        varint_exact(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transform::transform;
    use shamir_runtime::{Fp, RunParams};

    fn labeller() -> StaticLabeller {
        // independent, n = 2: 4 inputs (players 0 1 1 2), then mul, open, mul, open.
        StaticLabeller::new(Arc::new(
            transform(
                &RunParams {
                    n: 2,
                    ..RunParams::example()
                },
                3,
                None,
            )
            .unwrap(),
        ))
    }

    fn label(l: &mut StaticLabeller, op: OpKind) -> Option<u64> {
        l.issue(op, &[]).unwrap().label.map(|p| {
            assert_eq!(p.len(), 1);
            p[0]
        })
    }

    #[test]
    fn hands_out_gate_numbers_in_order_and_nothing_for_local_ops() {
        let mut l = labeller();
        assert_eq!(
            shamir_runtime::Strategy::name(&crate::StaticStrategy),
            "static"
        );
        for (i, owner) in [0, 1, 1, 2].into_iter().enumerate() {
            assert_eq!(label(&mut l, OpKind::Input { owner }), Some(i as u64));
        }
        assert_eq!(label(&mut l, OpKind::Add), None);
        assert_eq!(label(&mut l, OpKind::MulConst(Fp::ONE)), None);
        assert_eq!(label(&mut l, OpKind::Mul), Some(4));
        let c = l.schedule(&[]);
        let saved = l.enter(c);
        l.leave(saved);
        assert_eq!(label(&mut l, OpKind::Open), Some(5));
        assert_eq!(l.next, 6);
    }

    #[test]
    fn a_different_op_than_traced_is_diverged() {
        let mut l = labeller();
        // The program starts with an input of player 0.
        let e = l.issue(OpKind::Input { owner: 1 }, &[]).unwrap_err();
        let LabelError::Diverged(msg) = &e else {
            panic!("{e:?}")
        };
        assert!(msg.contains("input of player 1"), "{msg}");
        assert!(
            msg.contains("has `input of player 0` (labelled gate #0, gate 0)"),
            "{msg}"
        );
        let e = l.issue(OpKind::Mul, &[]).unwrap_err();
        assert!(matches!(e, LabelError::Diverged(_)));
        // The failed issues took no label.
        assert_eq!(label(&mut l, OpKind::Input { owner: 0 }), Some(0));
        for owner in [1, 1, 2] {
            label(&mut l, OpKind::Input { owner });
        }
        let e = l.issue(OpKind::Open, &[]).unwrap_err();
        assert!(e.to_string().contains("has `mul` (labelled gate #4"), "{e}");
        for op in [OpKind::Mul, OpKind::Open, OpKind::Mul, OpKind::Open] {
            label(&mut l, op);
        }
        let e = l.issue(OpKind::Random, &[]).unwrap_err();
        assert!(e.to_string().contains("after the last"), "{e}");
    }

    #[test]
    fn varint_codec_is_canonical() {
        let l = labeller();
        for v in [0, 1, 127, 128, 300, 16_383, 16_384, 1 << 40, u64::MAX] {
            let v = PathLabel::from_slice(&[v]);
            let mut out = Vec::new();
            l.encode(&v, &mut out);
            assert_eq!(out.len(), l.encoded_len(&v));
            assert_eq!(l.decode(&out), Ok(v.clone()));
            assert_eq!(l.dense_key(&v), Some(v[0]));
            assert_eq!(l.wire_dense_key(&out), Some(v[0]));
            let mut longer = out.clone();
            longer.push(0);
            assert!(l.decode(&longer).is_err());
            assert_eq!(l.wire_dense_key(&longer), None);
        }
        assert_eq!(l.decode(&[]), Err(LabelError::Truncated(0)));
        assert_eq!(l.decode(&[0x80]), Err(LabelError::Truncated(1)));
        // 0 written in two bytes is not canonical.
        assert!(matches!(
            l.decode(&[0x80, 0x00]),
            Err(LabelError::Malformed(_))
        ));
        assert_eq!(l.wire_dense_key(&[0x80, 0x00]), None);
        assert_eq!(l.wire_dense_key(&[]), None);
    }
}
