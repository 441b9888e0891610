//! [`Replay`]: a [`StaticProgram`] as a [`Workload`] the live runtime runs.
//!
//! The replayer issues the traced gates in their traced order, a few per call,
//! so the runtime's window still bounds what is in flight, and maps every gate
//! to the handle the runtime returned for it. The program has no
//! continuations: it is straight-line code, so every player issues exactly the
//! same operations in exactly the same order, whatever the network does.

use crate::circuit::Gate;
use crate::transform::StaticProgram;
use shamir_runtime::{Mpc, Public, Share, ValueId, Workload};
use std::sync::Arc;

/// Gates issued per call at most (a call also stops after the first gate that
/// communicates, as the study's workloads issue one such operation per call).
const GATES_PER_CALL: usize = 16;

/// Handle of a gate that produces no value (a check).
const NO_VALUE: u32 = u32::MAX;

/// One player's replay of a [`StaticProgram`], as a [`Workload`] for any
/// [`Mpc`]: `deal` issues the gates of the `deal` phase and `compute` the rest,
/// in traced order, at most a few per call (a call ends after the first gate
/// that sends messages), mapping each gate to the handle the runtime returned.
#[derive(Debug)]
pub struct Replay {
    program: Arc<StaticProgram>,
    /// The runtime's handle of each gate issued so far, by gate index.
    handles: Vec<u32>,
}

impl Replay {
    /// A replayer at the program's first gate.
    pub fn new(program: Arc<StaticProgram>) -> Replay {
        // One allocation for the whole run: no allocation per gate.
        let handles = Vec::with_capacity(program.gates().len());
        Replay { program, handles }
    }

    /// The program replayed.
    pub fn program(&self) -> &Arc<StaticProgram> {
        &self.program
    }

    /// Gates issued so far.
    pub fn issued(&self) -> usize {
        self.handles.len()
    }

    /// Issues gates up to (not including) `end`; false if none was left.
    #[inline]
    fn step<M: Mpc>(&mut self, m: &mut M, end: usize) -> bool {
        let start = self.handles.len();
        if start >= end {
            return false;
        }
        let gates = &self.program.gates()[start..end.min(start + GATES_PER_CALL)];
        let h = &mut self.handles;
        let share = |h: &Vec<u32>, g: u32| Share(ValueId(h[g as usize]));
        for &gate in gates {
            let out = match gate {
                Gate::Input { owner, value } => m.input(owner as usize, value).0,
                Gate::Random => m.random().0,
                Gate::Add(a, b) => m.add(share(h, a), share(h, b)).0,
                Gate::Sub(a, b) => m.sub(share(h, a), share(h, b)).0,
                Gate::MulConst(a, c) => m.mul_const(share(h, a), c).0,
                Gate::AddConst(a, c) => m.add_const(share(h, a), c).0,
                Gate::Mul(a, b) => m.mul(share(h, a), share(h, b)).0,
                Gate::Open(a) => m.open(share(h, a)).0,
                Gate::Check(p, expected) => {
                    m.check(Public(ValueId(h[p as usize])), expected);
                    ValueId(NO_VALUE)
                }
            };
            h.push(out.0);
            if gate.communicates() {
                break;
            }
        }
        true
    }
}

impl<M: Mpc> Workload<M> for Replay {
    fn deal(&mut self, m: &mut M) -> bool {
        let end = self.program.deal_gates();
        self.step(m, end)
    }

    fn compute(&mut self, m: &mut M) -> bool {
        let end = self.program.gates().len();
        self.step(m, end)
    }

    fn outputs(&self) -> u64 {
        self.program.outputs()
    }

    fn multiplications(&self) -> u64 {
        self.program.multiplications()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracer::Tracer;
    use crate::transform::transform;
    use shamir_runtime::WorkloadKind;

    #[test]
    fn replaying_on_a_tracer_gives_back_the_program() {
        for kind in [
            WorkloadKind::Independent,
            WorkloadKind::Tree,
            WorkloadKind::Chain,
            WorkloadKind::Nested,
            WorkloadKind::Duplicates,
        ] {
            let p = Arc::new(transform(kind, 40, 3, 2, 3).unwrap());
            let mut again = Tracer::new(3);
            let mut r = p.replay();
            let mut calls = 0;
            while Workload::<Tracer>::deal(&mut r, &mut again) {
                calls += 1;
            }
            assert_eq!(r.issued(), p.deal_gates());
            again.end_deal_phase();
            while Workload::<Tracer>::compute(&mut r, &mut again) {
                calls += 1;
            }
            assert_eq!(again.gates(), p.gates(), "{kind}");
            let sending = p.gates().iter().filter(|g| g.communicates()).count();
            assert!(
                calls >= sending,
                "at most one message-sending gate per call"
            );
            assert_eq!(Workload::<Tracer>::outputs(&r), 40);
        }
    }
}
