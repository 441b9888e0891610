//! [`Replay`]: a traced [`Circuit`] as a [`Workload`] the live runtime runs.
//!
//! The replayer issues the traced gates in their traced order, a few per call,
//! so the runtime's window still bounds what is in flight, batch by batch as
//! the program was traced, and maps every gate to the handle the runtime
//! returned for it. The program has no continuations: it is straight-line
//! code, so every player issues exactly the same operations in exactly the
//! same order, whatever the network does.
//!
//! A replay holds its circuit through any shared pointer to something that
//! holds one (`Arc<Circuit>`, or a strategy's own program that keeps its
//! circuit with what it derived from it), so the players of a process share
//! one copy.
//!
//! ## Handles in a ring
//!
//! No gate refers further back than the circuit's reach
//! ([`Circuit::reach`]), so the replayer keeps the handles of the last
//! [`ring_slots`] gates only, in a ring indexed by the gate number modulo its
//! size (a power of two above the reach). When gate `j` takes the slot of
//! gate `j − slots`, no gate from `j` on can refer to that one any more, so
//! the replayer first releases its value ([`Mpc::release`]); checks produce
//! no value and are never released. Once the last gate is issued, the values
//! still in the ring are released too: every value is released exactly once,
//! and a player's handles take 4 bytes per slot however long the program. A
//! program whose reach needs more than [`MAX_RING`] slots keeps a handle for
//! every gate instead and releases nothing (its values are kept to the end of
//! the run).

use super::{BatchBounds, Circuit, Gate};
use crate::program::{Mpc, Public, Share, ValueId, Workload};
use smallvec::SmallVec;
use std::ops::Deref;

/// Gates issued per call at most (a call also stops after the first gate that
/// communicates, as the study's workloads issue one such operation per call).
const GATES_PER_CALL: usize = 16;

/// Handle of a gate that produces no value (a check).
const NO_VALUE: u32 = u32::MAX;

/// The largest replay ring, in slots (16 MiB of handles per player). A
/// program whose reach needs more (`tree` at large n, whose last levels refer
/// back to leaves dealt at the start) is replayed from a full table of
/// handles, one per gate, with no releases.
pub const MAX_RING: usize = 1 << 22;

/// The slots of the ring a replay of a circuit of reach `reach` keeps its
/// handles in, the power of two above the reach; `None` when that is more
/// than [`MAX_RING`]: the replay then keeps a handle for every gate and
/// releases nothing.
pub fn ring_slots(reach: u64) -> Option<usize> {
    ring_for(reach, MAX_RING)
}

/// The ring a program of reach `reach` needs (the power of two above it), or
/// `None` if that is more than `limit` slots.
fn ring_for(reach: u64, limit: usize) -> Option<usize> {
    usize::try_from(reach)
        .ok()
        .and_then(|r| r.checked_add(1))
        .and_then(usize::checked_next_power_of_two)
        .filter(|&slots| slots <= limit)
}

/// One player's replay of a traced [`Circuit`], held through `P` (e.g.
/// `Arc<Circuit>`), as a [`Workload`] for any [`Mpc`]: batch by batch, `deal`
/// issues the gates of the batch's `deal` phase and `compute` the rest of the
/// batch, in traced order, at most a few per call (a call ends after the
/// first gate that sends messages), mapping each gate to the handle the
/// runtime returned, in a ring that releases the values no later gate can
/// refer to.
#[derive(Debug)]
pub struct Replay<P> {
    program: P,
    /// The runtime's handle of gate `g` at `g & mask`: the last `slots.len()`
    /// gates in ring mode, every gate in table mode.
    slots: Box<[u32]>,
    /// `slots.len() − 1` in ring mode, `usize::MAX` (every gate its own slot)
    /// in table mode.
    mask: usize,
    /// Whether the replay releases values (ring mode).
    releases: bool,
    /// The next gate to issue.
    next: usize,
    /// The batch being replayed.
    batch: usize,
    /// Whether the values left in the ring at the end have been released.
    flushed: bool,
}

impl<P> Replay<P>
where
    P: Deref,
    P::Target: AsRef<Circuit>,
{
    /// A replayer at the circuit's first gate, with a ring of
    /// [`ring_slots`] slots (or a handle per gate).
    pub fn new(program: P) -> Replay<P> {
        let ring = ring_slots((*program).as_ref().reach());
        Replay::with_ring(program, ring)
    }

    /// A replayer with a ring of `ring` slots (more than the reach), or a
    /// handle per gate.
    fn with_ring(program: P, ring: Option<usize>) -> Replay<P> {
        // One allocation for the whole run, zeroed lazily by the allocator:
        // no allocation per gate.
        let (len, mask, releases) = match ring {
            Some(slots) => (slots, slots - 1, true),
            None => ((*program).as_ref().gates().len(), usize::MAX, false),
        };
        Replay {
            program,
            slots: vec![0; len].into_boxed_slice(),
            mask,
            releases,
            next: 0,
            batch: 0,
            flushed: false,
        }
    }

    /// The circuit replayed.
    fn circuit(&self) -> &Circuit {
        (*self.program).as_ref()
    }

    /// The current batch's bounds (empty past the last batch).
    fn bounds(&self) -> BatchBounds {
        self.circuit()
            .batches()
            .get(self.batch)
            .copied()
            .unwrap_or_default()
    }

    /// Issues gates up to (not including) `end`; false if none was left.
    #[inline]
    fn step<M: Mpc>(&mut self, m: &mut M, end: usize) -> bool {
        let start = self.next;
        if start >= end {
            return false;
        }
        let circuit = (*self.program).as_ref();
        let gates = circuit.gates();
        let stop = end.min(start + GATES_PER_CALL);
        let (slots, mask) = (&mut self.slots, self.mask);
        let len = slots.len();
        let share = |slots: &[u32], g: u32| Share(ValueId(slots[g as usize & mask]));
        for j in start..stop {
            let gate = gates[j];
            // Gate j takes the slot of gate j − len, which no gate from j on
            // refers to (the reach is less than len): its value is released.
            if self.releases && j >= len && gates[j - len].has_value() {
                m.release(ValueId(slots[j & mask]));
            }
            let s: &[u32] = slots;
            let out = match gate {
                Gate::Input { owner, value } => m.input(owner as usize, value).0,
                Gate::Random => m.random().0,
                Gate::Add(a, b) => m.add(share(s, a), share(s, b)).0,
                Gate::Sub(a, b) => m.sub(share(s, a), share(s, b)).0,
                Gate::MulConst(a, c) => m.mul_const(share(s, a), c).0,
                Gate::AddConst(a, c) => m.add_const(share(s, a), c).0,
                Gate::Mul(a, b) => m.mul(share(s, a), share(s, b)).0,
                Gate::Open(a) => m.open(share(s, a)).0,
                Gate::Check(p, expected) => {
                    m.check(Public(ValueId(s[p as usize & mask])), expected);
                    ValueId(NO_VALUE)
                }
                Gate::Loop(i) => {
                    start_loop(m, circuit, i, |g| share(s, g));
                    ValueId(NO_VALUE)
                }
            };
            slots[j & mask] = out.0;
            self.next = j + 1;
            if gate.communicates() {
                break;
            }
        }
        true
    }

    /// Once every gate is issued (ring mode), releases the values still in the
    /// ring: those of the last `slots` gates, checks aside.
    fn flush<M: Mpc>(&mut self, m: &mut M) {
        let gates = (*self.program).as_ref().gates();
        if !self.releases || self.flushed || self.next < gates.len() {
            return;
        }
        self.flushed = true;
        let first = gates.len().saturating_sub(self.slots.len());
        for (g, gate) in gates.iter().enumerate().skip(first) {
            if gate.has_value() {
                m.release(ValueId(self.slots[g & self.mask]));
            }
        }
    }
}

/// Starts top-level loop `i` of `circuit` on `m`, its inputs' handles from
/// `share` (out of line: loops are rare, and the replay's loop stays small).
#[cold]
#[inline(never)]
fn start_loop<M: Mpc>(m: &mut M, circuit: &Circuit, i: u32, share: impl Fn(u32) -> Share) {
    let site = &circuit.loops()[i as usize];
    let inputs: SmallVec<[Share; 4]> = site.inputs.iter().map(|&g| share(g)).collect();
    m.repeat(&inputs, site.body.clone());
}

impl<M: Mpc, P> Workload<M> for Replay<P>
where
    P: Deref,
    P::Target: AsRef<Circuit>,
{
    fn deal(&mut self, m: &mut M) -> bool {
        let end = self.bounds().deal_end;
        self.step(m, end)
    }

    fn compute(&mut self, m: &mut M) -> bool {
        let end = self.bounds().end;
        if self.step(m, end) {
            return true;
        }
        self.flush(m);
        false
    }

    fn next_batch(&mut self) -> bool {
        if self.batch + 1 < self.circuit().batches().len() {
            self.batch += 1;
            true
        } else {
            false
        }
    }

    fn outputs(&self) -> u64 {
        self.circuit().outputs()
    }

    fn multiplications(&self) -> u64 {
        self.circuit().multiplications()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuit::Tracer;
    use crate::label::PlayerId;
    use crate::{workloads, Fp, WorkloadKind};
    use std::sync::Arc;

    const KINDS: [WorkloadKind; 5] = [
        WorkloadKind::Independent,
        WorkloadKind::Tree,
        WorkloadKind::Chain,
        WorkloadKind::Nested,
        WorkloadKind::Duplicates,
    ];

    /// Replays `r` on `m` as the runtime runs a workload, batch by batch,
    /// telling `m` where each phase ends; returns the number of `deal` and
    /// `compute` calls that issued something.
    fn replay_all<M: Mpc>(
        r: &mut Replay<Arc<Circuit>>,
        m: &mut M,
        mut end_deal: impl FnMut(&mut M),
        mut end_batch: impl FnMut(&mut M),
    ) -> usize {
        let mut calls = 0;
        loop {
            while Workload::<M>::deal(r, m) {
                calls += 1;
            }
            end_deal(m);
            while Workload::<M>::compute(r, m) {
                calls += 1;
            }
            end_batch(m);
            if !Workload::<M>::next_batch(r) {
                return calls;
            }
        }
    }

    /// A program of `batches` batches: each deals two inputs and multiplies
    /// them with the previous batch's product, which it then opens and checks.
    struct Carry {
        batches: u32,
        batch: u32,
        dealt: Vec<Share>,
        acc: Option<Share>,
        computed: bool,
    }

    impl Carry {
        fn boxed(batches: u32) -> Box<dyn Workload<Tracer>> {
            Box::new(Carry {
                batches,
                batch: 0,
                dealt: Vec::new(),
                acc: None,
                computed: false,
            })
        }
    }

    impl<M: Mpc> Workload<M> for Carry {
        fn deal(&mut self, m: &mut M) -> bool {
            if self.dealt.len() == 2 {
                return false;
            }
            let i = self.dealt.len() + 2 * self.batch as usize;
            self.dealt.push(m.input(i % 3, Fp::new(i as u64 + 1)));
            true
        }

        fn compute(&mut self, m: &mut M) -> bool {
            if self.computed {
                return false;
            }
            self.computed = true;
            let x = m.mul(self.dealt[0], self.dealt[1]);
            let y = match self.acc {
                Some(acc) => m.mul(acc, x),
                None => x,
            };
            let o = m.open(y);
            m.check(o, Fp::ZERO);
            self.acc = Some(y);
            true
        }

        fn next_batch(&mut self) -> bool {
            self.batch += 1;
            self.dealt.clear();
            self.computed = false;
            self.batch < self.batches
        }

        fn outputs(&self) -> u64 {
            u64::from(self.batches)
        }

        fn multiplications(&self) -> u64 {
            u64::from(2 * self.batches - 1)
        }
    }

    /// The circuit of the program `make()` builds, for 3 players.
    fn traced(make: impl FnOnce() -> Box<dyn Workload<Tracer>>) -> Arc<Circuit> {
        let mut t = Tracer::new(3);
        t.trace(&mut *make());
        assert!(t.rejection().is_none(), "{:?}", t.rejection());
        Arc::new(t.into_circuit())
    }

    /// The study's workload `kind` of size `n`, traced.
    fn study(kind: WorkloadKind, n: u64) -> Arc<Circuit> {
        traced(|| workloads::build(kind, n, 3, 2))
    }

    /// Every workload of size `n` in batches of 8 multiplications.
    fn batched(n: u64) -> impl Iterator<Item = (String, Arc<Circuit>)> {
        KINDS.into_iter().map(move |kind| {
            let p = traced(|| workloads::build_batched(kind, n, 3, 2, 8));
            (format!("{kind} n={n} in batches"), p)
        })
    }

    #[test]
    fn replaying_on_a_tracer_gives_back_the_program() {
        let programs = KINDS
            .map(|kind| (kind.to_string(), study(kind, 40)))
            .into_iter()
            .chain(batched(40))
            .chain([("carry".to_string(), traced(|| Carry::boxed(4)))]);
        for (name, p) in programs {
            let mut again = Tracer::new(3);
            let mut r = Replay::new(p.clone());
            let calls = replay_all(
                &mut r,
                &mut again,
                Tracer::end_deal_phase,
                Tracer::end_batch,
            );
            assert_eq!(r.next, p.gates().len());
            let c = again.into_circuit();
            assert_eq!(c.gates(), p.gates(), "{name}");
            assert_eq!(c.batches(), p.batches(), "{name}");
            let sending = p.gates().iter().filter(|g| g.communicates()).count();
            assert!(
                calls >= sending,
                "at most one message-sending gate per call"
            );
            assert_eq!(Workload::<Tracer>::outputs(&r), p.outputs());
        }
    }

    /// An `Mpc` that keeps track of handles only: it panics on a handle used
    /// or released after its release, and counts what it created and released.
    #[derive(Debug, Default)]
    struct Ledger {
        live: Vec<bool>,
        released: usize,
        live_now: usize,
        max_live: usize,
    }

    impl Ledger {
        fn value(&mut self) -> ValueId {
            self.live.push(true);
            self.live_now += 1;
            self.max_live = self.max_live.max(self.live_now);
            ValueId(self.live.len() as u32 - 1)
        }

        fn used(&mut self, v: impl Into<ValueId>) {
            let v = v.into();
            assert!(
                self.live[v.0 as usize],
                "handle {} used after its release",
                v.0
            );
        }

        fn op(&mut self, operands: &[ValueId]) -> Share {
            for &v in operands {
                self.used(v);
            }
            Share(self.value())
        }
    }

    impl Mpc for Ledger {
        fn players(&self) -> usize {
            3
        }
        fn input(&mut self, _owner: PlayerId, _value: Fp) -> Share {
            self.op(&[])
        }
        fn random(&mut self) -> Share {
            self.op(&[])
        }
        fn add(&mut self, a: Share, b: Share) -> Share {
            self.op(&[a.0, b.0])
        }
        fn sub(&mut self, a: Share, b: Share) -> Share {
            self.op(&[a.0, b.0])
        }
        fn mul_const(&mut self, a: Share, _c: Fp) -> Share {
            self.op(&[a.0])
        }
        fn add_const(&mut self, a: Share, _c: Fp) -> Share {
            self.op(&[a.0])
        }
        fn mul(&mut self, a: Share, b: Share) -> Share {
            self.op(&[a.0, b.0])
        }
        fn open(&mut self, a: Share) -> Public {
            Public(self.op(&[a.0]).0)
        }
        fn check(&mut self, p: Public, _expected: Fp) {
            self.used(p);
        }
        fn read(&mut self, _p: Public) -> Fp {
            unreachable!("a replay never reads")
        }
        fn schedule(&mut self, _after: &[ValueId], _then: impl FnOnce(&mut Self) + 'static) {
            unreachable!("a replay never schedules")
        }
        fn release(&mut self, v: ValueId) {
            self.used(v);
            self.live[v.0 as usize] = false;
            self.released += 1;
            self.live_now -= 1;
        }
    }

    #[test]
    fn the_ring_releases_every_value_once_and_never_a_live_one() {
        let programs = KINDS
            .into_iter()
            .flat_map(|kind| [0, 1, 40, 200].map(|n| (format!("{kind} n={n}"), study(kind, n))))
            .chain(batched(200))
            .chain([("carry".to_string(), traced(|| Carry::boxed(5)))]);
        for (name, p) in programs {
            let slots = ring_slots(p.reach()).expect("a ring at this size");
            assert!(slots as u64 > p.reach());
            let mut m = Ledger::default();
            let mut r = Replay::new(p.clone());
            assert_eq!(r.slots.len(), slots);
            replay_all(&mut r, &mut m, |_| {}, |_| {});
            assert_eq!(
                m.live.len() as u64,
                p.gates().len() as u64 - p.outputs(),
                "{name}"
            );
            assert_eq!(m.released, m.live.len(), "{name}: every value released");
            assert!(
                m.max_live <= slots,
                "{name}: {} live, {slots} slots",
                m.max_live
            );
            // Released before the end: the ring wrapped.
            if p.gates().len() > 2 * slots {
                assert!(m.max_live < p.gates().len() / 2, "{name}");
            }
        }
    }

    #[test]
    fn a_program_reaching_past_the_limit_keeps_every_handle() {
        let p = traced(|| workloads::build(WorkloadKind::Tree, 100, 1, 2));
        // A limit of 16 slots instead of MAX_RING.
        let ring = ring_for(p.reach(), 16);
        assert_eq!(ring, None);
        let mut m = Ledger::default();
        let mut r = Replay::with_ring(p.clone(), ring);
        assert_eq!(r.slots.len(), p.gates().len());
        replay_all(&mut r, &mut m, |_| {}, |_| {});
        assert_eq!(m.released, 0);
        assert_eq!(r.next, p.gates().len());
    }

    #[test]
    fn the_ring_is_the_power_of_two_above_the_reach() {
        assert_eq!(ring_for(0, MAX_RING), Some(1));
        assert_eq!(ring_for(4, MAX_RING), Some(8));
        assert_eq!(ring_for(7, MAX_RING), Some(8));
        assert_eq!(ring_for(8, MAX_RING), Some(16));
        assert_eq!(ring_for(MAX_RING as u64 - 1, MAX_RING), Some(MAX_RING));
        assert_eq!(ring_for(MAX_RING as u64, MAX_RING), None);
        assert_eq!(ring_for(u64::MAX, MAX_RING), None);
        assert_eq!(ring_slots(4), ring_for(4, MAX_RING));
    }
}
