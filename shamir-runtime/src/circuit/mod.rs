//! The program as data: a [`Circuit`] of [`Gate`]s, each gate's output named
//! by the gate's own index.
//!
//! [`program`](crate::program) is the program side as code: a [`Workload`]
//! issuing operations through [`Mpc`]. This module is the same program as
//! data, for any strategy that looks at the program before it runs (static
//! labels number its gates):
//!
//! * [`Tracer`] ([`trace`](mod@trace)) is an [`Mpc`] that records the
//!   operations a workload issues as gates instead of running them,
//!   continuations flattened and loops unrolled, batch by batch
//!   ([`BatchBounds`]), and measures the circuit as it goes (its reach,
//!   checks and multiplications). A program that reads an opened value has
//!   no circuit: the tracer records why ([`Rejection`]).
//! * [`Replay`] ([`replay`](mod@replay)) is a [`Workload`] that issues a
//!   circuit's gates on any [`Mpc`], batch by batch as traced, keeping the
//!   runtime's handles of the last few gates in a ring sized to the reach.
//!
//! Only the tracer builds a circuit, so its measurements always describe
//! its gates.
//!
//! [`Workload`]: crate::program::Workload
//! [`Mpc`]: crate::program::Mpc

pub mod number;
pub mod replay;
pub mod trace;

pub use number::{number, LoopPath, NumberError, Numbering, PathLabel, LOOP_CODE};
pub use replay::{ring_slots, Replay, MAX_RING};
pub use trace::{Rejection, Tracer, DEADLINE_CHECK, MAX_GATES, SCOPE_VALUES};

use crate::field::Fp;
use crate::program::Loop;
use std::ops::Range;
use std::sync::Arc;

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
    /// A loop whose trip count depends on opened values
    /// ([`Mpc::repeat`](crate::Mpc::repeat)). At the top level, the index of
    /// its [`LoopSite`] in [`Circuit::loops`]; inside a loop's sub-program,
    /// the index of the inner loop's [`Scope`] in [`Circuit::scopes`].
    /// Takes a number (its iterations' labels start from it); produces no
    /// value.
    Loop(u32),
}

impl Gate {
    /// Whether the gate gets a number (it communicates or feeds the PRSS
    /// PRF, or is a loop).
    pub fn is_labelled(self) -> bool {
        matches!(
            self,
            Gate::Input { .. } | Gate::Random | Gate::Mul(..) | Gate::Open(_) | Gate::Loop(_)
        )
    }

    /// Whether the gate sends messages (and so occupies the runtime's window
    /// until they are all in); a loop's first iteration does.
    pub fn communicates(self) -> bool {
        matches!(
            self,
            Gate::Input { .. } | Gate::Mul(..) | Gate::Open(_) | Gate::Loop(_)
        )
    }

    /// Whether the gate produces a value (checks and loops do not).
    pub fn has_value(self) -> bool {
        !matches!(self, Gate::Check(..) | Gate::Loop(_))
    }

    /// The gates this one reads.
    pub fn operands(self) -> impl Iterator<Item = GateId> {
        let (a, b) = match self {
            Gate::Input { .. } | Gate::Random | Gate::Loop(_) => (None, None),
            Gate::Add(a, b) | Gate::Sub(a, b) | Gate::Mul(a, b) => (Some(a), Some(b)),
            Gate::MulConst(a, _) | Gate::AddConst(a, _) | Gate::Open(a) | Gate::Check(a, _) => {
                (Some(a), None)
            }
        };
        a.into_iter().chain(b)
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
    pub fn deal(&self) -> Range<usize> {
        self.start..self.deal_end
    }

    /// Gates of the batch's `compute` phase.
    pub fn compute(&self) -> Range<usize> {
        self.deal_end..self.end
    }
}

/// A loop at the top level of a circuit: its inputs, the closures the
/// replay runs, and its traced sub-program.
#[derive(Debug, Clone)]
pub struct LoopSite {
    /// The gates whose values the loop takes as inputs.
    pub inputs: Box<[GateId]>,
    /// The loop, as the program made it.
    pub body: Arc<Loop>,
    /// Its sub-program, in [`Circuit::scopes`].
    pub scope: u32,
}

impl PartialEq for LoopSite {
    fn eq(&self, other: &LoopSite) -> bool {
        self.inputs == other.inputs
            && self.scope == other.scope
            && Arc::ptr_eq(&self.body, &other.body)
    }
}

impl Eq for LoopSite {}

/// A loop's sub-program, traced once: its body's gates, then its
/// continuation's. Operands name values of the trace's loop space (at or
/// above [`SCOPE_VALUES`]); only the shape matters, for numbering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// The body's gates, then the continuation's.
    pub gates: Box<[Gate]>,
    /// Gates of the body (the continuation's start here).
    pub body: usize,
}

/// A traced program ([`Tracer::into_circuit`]): its gates in issue order,
/// batch after batch, each batch's `deal` gates before its `compute` gates,
/// and what the tracer measured of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Circuit {
    gates: Box<[Gate]>,
    batches: Box<[BatchBounds]>,
    loops: Box<[LoopSite]>,
    scopes: Box<[Scope]>,
    reach: u64,
    outputs: u64,
    multiplications: u64,
}

impl Circuit {
    /// Every gate, in the order the program issued it (continuations flattened).
    pub fn gates(&self) -> &[Gate] {
        &self.gates
    }

    /// The program's batches, in order; together they cover the gates.
    pub fn batches(&self) -> &[BatchBounds] {
        &self.batches
    }

    /// The top level's loops, by the index their [`Gate::Loop`] names.
    pub fn loops(&self) -> &[LoopSite] {
        &self.loops
    }

    /// Every loop's sub-program, by the index [`LoopSite::scope`] or an
    /// inner [`Gate::Loop`] names.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// Gates of the `deal` phases, summed over batches.
    pub fn deal_gates(&self) -> usize {
        self.batches.iter().map(|b| b.deal().len()).sum()
    }

    /// The program's reach: the largest distance, in gates, from a gate back
    /// to a gate it refers to (an operand, or the opening a check is about).
    /// A replay keeps the handles of that many gates ([`ring_slots`]).
    pub fn reach(&self) -> u64 {
        self.reach
    }

    /// The checks the program records (one per [`Gate::Check`]).
    pub fn outputs(&self) -> u64 {
        self.outputs
    }

    /// The multiplications the program issues.
    pub fn multiplications(&self) -> u64 {
        self.multiplications
    }

    /// The circuit's size in memory, in bytes: its gates and batch bounds,
    /// and its loops' inputs and sub-programs (not their closures).
    pub fn bytes(&self) -> usize {
        let loops: usize = self
            .loops
            .iter()
            .map(|l| std::mem::size_of::<LoopSite>() + std::mem::size_of_val(&*l.inputs))
            .sum();
        let scopes: usize = self
            .scopes
            .iter()
            .map(|s| std::mem::size_of::<Scope>() + std::mem::size_of_val(&*s.gates))
            .sum();
        std::mem::size_of_val(&*self.gates) + std::mem::size_of_val(&*self.batches) + loops + scopes
    }
}

impl AsRef<Circuit> for Circuit {
    fn as_ref(&self) -> &Circuit {
        self
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
    fn batch_bounds_split_deal_from_compute() {
        let b = BatchBounds {
            start: 4,
            deal_end: 6,
            end: 10,
        };
        assert_eq!((b.deal(), b.compute()), (4..6, 6..10));
        let c = Circuit {
            gates: Box::new([]),
            batches: Box::new([b, BatchBounds::default()]),
            loops: Box::new([]),
            scopes: Box::new([]),
            reach: 0,
            outputs: 0,
            multiplications: 0,
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
