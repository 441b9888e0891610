//! The program as data: a [`Circuit`] of [`Gate`]s, each gate's output named by
//! the gate's own index.

use shamir_runtime::label::{OpKind, PlayerId};
use shamir_runtime::Fp;

/// Index of a gate in a circuit. A gate's output (a share, or an opened value
/// for [`Gate::Open`]) is named by the index of the gate that produced it.
pub type GateId = u32;

/// One operation of a traced program. Operands are [`GateId`]s of earlier
/// gates. Kept to 16 bytes: tracing 10^6 multiplications records millions of
/// gates, and every player replays them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// `owner` deals shares of `value` (every player passes the same plaintext,
    /// derived from the run seed; only the owner's copy is used). Labelled.
    Input {
        /// The player whose value it is.
        owner: u32,
        /// The plaintext the program passed.
        value: Fp,
    },
    /// A PRSS random share. Labelled: the label is the PRF input.
    Random,
    /// Local sum of two shares.
    Add(GateId, GateId),
    /// Local difference of two shares.
    Sub(GateId, GateId),
    /// Local product with a public constant.
    MulConst(GateId, Fp),
    /// Local sum with a public constant.
    AddConst(GateId, Fp),
    /// BGW multiplication. Labelled.
    Mul(GateId, GateId),
    /// Opening a share to every player. Labelled.
    Open(GateId),
    /// The opened value of the `Open` gate must equal this plaintext. Produces
    /// no value and issues no operation the labeller sees.
    Check(GateId, Fp),
}

impl Gate {
    /// Whether the gate gets a label (it communicates or feeds the PRSS PRF).
    pub fn is_labelled(self) -> bool {
        matches!(
            self,
            Gate::Input { .. } | Gate::Random | Gate::Mul(..) | Gate::Open(_)
        )
    }

    /// Whether the gate sends messages (and so occupies the runtime's window
    /// until they are all in).
    pub fn communicates(self) -> bool {
        matches!(self, Gate::Input { .. } | Gate::Mul(..) | Gate::Open(_))
    }

    /// A short name, as [`OpKind::name`] gives it (`check` for checks).
    pub fn name(self) -> &'static str {
        match self {
            Gate::Input { .. } => "input",
            Gate::Random => "random",
            Gate::Add(..) => "add",
            Gate::Sub(..) => "sub",
            Gate::MulConst(..) => "mul_const",
            Gate::AddConst(..) => "add_const",
            Gate::Mul(..) => "mul",
            Gate::Open(_) => "open",
            Gate::Check(..) => "check",
        }
    }

    /// The gates this one reads.
    pub fn operands(self) -> impl Iterator<Item = GateId> {
        let (a, b) = match self {
            Gate::Input { .. } | Gate::Random => (None, None),
            Gate::Add(a, b) | Gate::Sub(a, b) | Gate::Mul(a, b) => (Some(a), Some(b)),
            Gate::MulConst(a, _) | Gate::AddConst(a, _) | Gate::Open(a) | Gate::Check(a, _) => {
                (Some(a), None)
            }
        };
        a.into_iter().chain(b)
    }
}

/// The one-byte code of a labelled operation kind, as the labeller compares
/// it: `random` 0, `mul` 1, `open` 2, `input` of player `p` 3 + p. `None`
/// for local operations (and for inputs of players beyond 252, which the
/// transformation refuses).
#[inline]
pub(crate) fn kind_code(op: OpKind) -> Option<u8> {
    match op {
        OpKind::Random => Some(0),
        OpKind::Mul => Some(1),
        OpKind::Open => Some(2),
        OpKind::Input { owner } => input_code(owner),
        _ => None,
    }
}

/// The code of an input of `owner`, if it fits in a byte.
#[inline]
pub(crate) fn input_code(owner: PlayerId) -> Option<u8> {
    u8::try_from(owner).ok().and_then(|o| o.checked_add(3))
}

/// The labelled operation a code stands for, for error messages.
pub(crate) fn code_name(code: u8) -> String {
    match code {
        0 => "random".into(),
        1 => "mul".into(),
        2 => "open".into(),
        c => format!("input of player {}", c - 3),
    }
}

/// The labelled operation `op` stands for, for error messages.
pub(crate) fn op_name(op: OpKind) -> String {
    match op {
        OpKind::Input { owner } => format!("input of player {owner}"),
        other => other.name().into(),
    }
}

/// Where one batch of a program lies among a circuit's gates: its `deal`
/// phase is gates `start..deal_end`, its `compute` phase `deal_end..end`, and
/// the next batch starts at `end`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchBounds {
    /// The batch's first gate.
    pub start: usize,
    /// One past the last gate of its `deal` phase (the first of `compute`).
    pub deal_end: usize,
    /// One past its last gate.
    pub end: usize,
}

impl BatchBounds {
    /// Gates of the batch's `deal` phase.
    pub fn deal(&self) -> std::ops::Range<usize> {
        self.start..self.deal_end
    }

    /// Gates of the batch's `compute` phase.
    pub fn compute(&self) -> std::ops::Range<usize> {
        self.deal_end..self.end
    }
}

/// A traced program: its gates in issue order, batch after batch, each batch's
/// `deal` gates before its `compute` gates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Circuit {
    /// Every gate, in the order the program issued it (continuations flattened).
    pub gates: Vec<Gate>,
    /// The program's batches, in order; together they cover `gates`.
    pub batches: Vec<BatchBounds>,
}

impl Circuit {
    /// Gates of the `deal` phases, summed over batches.
    pub fn deal_gates(&self) -> usize {
        self.batches.iter().map(|b| b.deal().len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_is_compact() {
        assert!(
            std::mem::size_of::<Gate>() <= 16,
            "{}",
            std::mem::size_of::<Gate>()
        );
    }

    #[test]
    fn kind_codes_are_distinct_and_local_ops_have_none() {
        let mut codes: Vec<u8> = [OpKind::Random, OpKind::Mul, OpKind::Open]
            .into_iter()
            .chain((0..16).map(|owner| OpKind::Input { owner }))
            .map(|k| kind_code(k).unwrap())
            .collect();
        let len = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), len);
        for op in [
            OpKind::Add,
            OpKind::Sub,
            OpKind::MulConst(Fp::ONE),
            OpKind::AddConst(Fp::ONE),
        ] {
            assert_eq!(kind_code(op), None);
        }
        assert_eq!(input_code(253), None);
        assert_eq!(
            code_name(kind_code(OpKind::Input { owner: 2 }).unwrap()),
            "input of player 2"
        );
    }

    #[test]
    fn batch_bounds_split_deal_from_compute() {
        let b = BatchBounds {
            start: 4,
            deal_end: 6,
            end: 10,
        };
        assert_eq!((b.deal(), b.compute()), (4..6, 6..10));
        let c = Circuit {
            gates: Vec::new(),
            batches: vec![b, BatchBounds::default()],
        };
        assert_eq!(c.deal_gates(), 2);
    }

    #[test]
    fn operands_are_listed() {
        assert_eq!(Gate::Mul(1, 2).operands().collect::<Vec<_>>(), [1, 2]);
        assert_eq!(Gate::Check(4, Fp::ONE).operands().collect::<Vec<_>>(), [4]);
        assert_eq!(Gate::Random.operands().count(), 0);
    }
}
