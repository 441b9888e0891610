//! [`Tracer`]: an [`Mpc`] that records a program's operations into a
//! [`Circuit`] instead of running them.
//!
//! * Every operation appends one [`Gate`]; the handle it returns names that
//!   gate (`ValueId` = gate index).
//! * [`Mpc::schedule`] does not wait for anything: in a trace every value is
//!   symbolically available, so the continuation is traced at once and its
//!   operations become straight-line code after the ones already recorded.
//!   Continuations scheduled from inside a continuation are queued and traced
//!   right after the enclosing one returns (a trampoline), so tracing a
//!   sub-protocol nested a million deep uses no stack. Loops whose trip count
//!   the program knows are unrolled the same way: the trace simply records
//!   every iteration.
//! * [`Tracer::trace`] drives a [`Workload`] as the runtime does, batch by
//!   batch: its `deal` phase to exhaustion, then its `compute` phase,
//!   recording where each batch's phases lie ([`BatchBounds`]).
//! * As it records, the tracer measures the circuit: its reach (the furthest
//!   any gate refers back, which sizes a [`Replay`](super::Replay)'s ring),
//!   its checks and its multiplications.
//! * [`Mpc::read`] asks for the value of an opened share: the program's next
//!   step depends on data that exists only during the run. That cannot be
//!   traced. The tracer records the fact ([`Rejection`]) and returns a dummy
//!   value ([`Fp::ZERO`]) so the program can return; from then on it records
//!   nothing and drops every continuation scheduled, so no retry loop built from
//!   continuations can keep the tracer busy.
//! * With a deadline ([`Tracer::set_deadline`]), the tracer looks at the clock
//!   every [`DEADLINE_CHECK`] gates and, once the deadline has passed, stops
//!   in the same way ([`Tracer::ran_out_of_time`]): tracing a large program
//!   counts against the run's timeout.

use super::{BatchBounds, Circuit, Gate, GateId, LoopSite, Scope};
use crate::field::Fp;
use crate::label::PlayerId;
use crate::program::{Loop, Mpc, Public, Share, Step, ValueId, Workload};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

/// A traced continuation waiting for the enclosing one to return.
type Queued = Box<dyn FnOnce(&mut Tracer)>;

/// Why a program could not be traced into a static circuit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The gate the problem is about (for a data-dependent program, the `open`
    /// whose value was read), if any.
    pub gate: Option<GateId>,
    /// What happened, in words.
    pub reason: String,
}

/// The first handle of the values made inside loops while tracing them: the
/// top level's gates are numbered below it, so a loop that uses a top-level
/// handle it was not given is caught.
pub const SCOPE_VALUES: u32 = 1 << 31;

/// The most gates a trace may hold: top-level gate indices stay below
/// [`SCOPE_VALUES`].
pub const MAX_GATES: usize = SCOPE_VALUES as usize;

/// Gates traced between two looks at the clock when there is a deadline.
pub const DEADLINE_CHECK: usize = 4096;

/// An [`Mpc`] that records a program into a [`Circuit`] instead of running it.
///
/// Every operation appends one [`Gate`], and the handle it returns names that
/// gate. Continuations are traced at once (nested ones right after their
/// parent returns), so the program becomes straight-line code and loops are
/// unrolled. [`Mpc::read`] cannot be traced: it records a [`Rejection`],
/// returns [`Fp::ZERO`], and from then on the tracer records nothing and
/// drops every continuation, so the program returns promptly.
pub struct Tracer {
    players: usize,
    gates: Vec<Gate>,
    batches: Vec<BatchBounds>,
    /// The largest distance from a gate back to a gate it refers to, so far.
    reach: u64,
    /// Checks recorded.
    outputs: u64,
    /// Multiplications recorded.
    multiplications: u64,
    rejection: Option<Rejection>,
    /// Whether a continuation is being traced (nested ones are queued).
    in_continuation: bool,
    queue: VecDeque<Queued>,
    max_gates: usize,
    /// The first gate of the batch being traced.
    batch_start: usize,
    /// Where the batch's `deal` phase ended, once it has.
    deal_end: Option<usize>,
    /// When tracing must stop, if ever.
    deadline: Option<Instant>,
    /// Whether it stopped because the deadline passed.
    out_of_time: bool,
    /// The top level's loops.
    loops: Vec<LoopSite>,
    /// Every loop's sub-program traced so far.
    scopes: Vec<Scope>,
    /// The sub-programs being traced, innermost last.
    open: Vec<Vec<Gate>>,
    /// The next handle of a value made inside a loop.
    next_value: u32,
}

impl std::fmt::Debug for Tracer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracer")
            .field("players", &self.players)
            .field("gates", &self.gates.len())
            .field("batches", &self.batches.len())
            .field("rejection", &self.rejection)
            .field("queued", &self.queue.len())
            .finish()
    }
}

impl Tracer {
    /// A tracer for a program run by `players` players. It rejects a program
    /// of more than [`MAX_GATES`] gates.
    pub fn new(players: usize) -> Tracer {
        Tracer {
            players,
            gates: Vec::new(),
            batches: Vec::new(),
            reach: 0,
            outputs: 0,
            multiplications: 0,
            rejection: None,
            in_continuation: false,
            queue: VecDeque::new(),
            max_gates: MAX_GATES,
            batch_start: 0,
            deal_end: None,
            deadline: None,
            out_of_time: false,
            loops: Vec::new(),
            scopes: Vec::new(),
            open: Vec::new(),
            next_value: SCOPE_VALUES,
        }
    }

    /// Stops tracing once `deadline` has passed (checked every
    /// [`DEADLINE_CHECK`] gates): the trace is then rejected, and
    /// [`Tracer::ran_out_of_time`] says why.
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = Some(deadline);
    }

    /// Traces `workload` as the runtime runs it: batch by batch, its `deal`
    /// phase to exhaustion, then its `compute` phase, until
    /// [`Workload::next_batch`] says it is done or the trace is rejected.
    pub fn trace<W: Workload<Tracer> + ?Sized>(&mut self, workload: &mut W) {
        loop {
            while self.rejection.is_none() && workload.deal(self) {}
            self.end_deal_phase();
            while self.rejection.is_none() && workload.compute(self) {}
            self.end_batch();
            if self.rejection.is_some() || !workload.next_batch() {
                return;
            }
        }
    }

    /// Whether tracing stopped because its deadline passed.
    pub fn ran_out_of_time(&self) -> bool {
        self.out_of_time
    }

    /// The gates recorded so far.
    pub fn gates(&self) -> &[Gate] {
        &self.gates
    }

    /// Why the program cannot be traced, once the tracer knows.
    pub fn rejection(&self) -> Option<&Rejection> {
        self.rejection.as_ref()
    }

    /// Marks the gates recorded since the current batch began as its `deal`
    /// phase.
    pub(super) fn end_deal_phase(&mut self) {
        self.deal_end = Some(self.gates.len());
    }

    /// Ends the current batch: its `compute` phase is the gates recorded since
    /// its `deal` phase ended (all of them, if [`Tracer::end_deal_phase`] was
    /// not called). The next gate starts the next batch.
    pub(super) fn end_batch(&mut self) {
        let end = self.gates.len();
        self.batches.push(BatchBounds {
            start: self.batch_start,
            deal_end: self.deal_end.take().unwrap_or(self.batch_start),
            end,
        });
        self.batch_start = end;
    }

    /// The recorded circuit, with what was measured of it. A batch still open
    /// (gates recorded since the last batch ended, or no batch at all) is
    /// ended first.
    pub fn into_circuit(mut self) -> Circuit {
        if self.batches.is_empty() || self.deal_end.is_some() || self.batch_start < self.gates.len()
        {
            self.end_batch();
        }
        Circuit {
            gates: self.gates.into_boxed_slice(),
            batches: self.batches.into_boxed_slice(),
            loops: self.loops.into_boxed_slice(),
            scopes: self.scopes.into_boxed_slice(),
            reach: self.reach,
            outputs: self.outputs,
            multiplications: self.multiplications,
        }
    }

    /// Records that the program cannot be traced (the first reason wins).
    fn reject(&mut self, gate: Option<GateId>, reason: String) {
        if self.rejection.is_none() {
            self.rejection = Some(Rejection { gate, reason });
            self.queue.clear();
        }
    }

    /// Appends `gate` and measures it; returns its index (0 once the trace is
    /// rejected).
    #[inline]
    fn push(&mut self, gate: Gate) -> GateId {
        if self.rejection.is_some() {
            return 0;
        }
        if !self.open.is_empty() {
            return self.push_in_loop(gate);
        }
        let id = self.gates.len();
        if id >= self.max_gates {
            self.reject(
                None,
                format!(
                    "the program has more than {} gates, more than a traced circuit may hold",
                    self.max_gates
                ),
            );
            return 0;
        }
        if id.is_multiple_of(DEADLINE_CHECK) && self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.out_of_time = true;
            self.reject(
                None,
                format!("the deadline passed after {id} gates had been traced"),
            );
            return 0;
        }
        for a in gate.operands() {
            self.reach = self.reach.max(id as u64 - u64::from(a));
        }
        match gate {
            Gate::Mul(..) => self.multiplications += 1,
            Gate::Check(..) => self.outputs += 1,
            _ => {}
        }
        self.gates.push(gate);
        id as GateId
    }

    /// Appends `gate` to the loop sub-program being traced; returns a fresh
    /// handle in the loop space.
    fn push_in_loop(&mut self, gate: Gate) -> GateId {
        if let Some(a) = gate.operands().find(|&a| a < SCOPE_VALUES) {
            self.reject_capture(a);
            return 0;
        }
        match gate {
            Gate::Mul(..) => self.multiplications += 1,
            Gate::Check(..) => self.outputs += 1,
            _ => {}
        }
        if let Some(gates) = self.open.last_mut() {
            gates.push(gate);
        }
        self.fresh()
    }

    /// A fresh handle in the loop space.
    fn fresh(&mut self) -> GateId {
        let v = self.next_value;
        self.next_value = v.checked_add(1).unwrap_or(SCOPE_VALUES);
        v
    }

    /// A loop used top-level value `a` it was not given.
    fn reject_capture(&mut self, a: GateId) {
        self.reject(
            Some(a),
            format!(
                "a loop's body or continuation uses the value of gate {a}, made outside the loop \
                 and not passed in its inputs: a replay could not give it that value"
            ),
        );
    }

    /// Traces `l` once into a new sub-program: its body on `inputs` fresh
    /// inputs, then its continuation on probe values; the continuation is
    /// traced a second time on other probe values, and a different shape is
    /// refused (its numbering would depend on the data). Returns the scope.
    fn trace_loop(&mut self, inputs: usize, l: &Loop) -> u32 {
        let scope = self.scopes.len();
        self.scopes.push(Scope::default());
        self.open.push(Vec::new());
        let own: Vec<Share> = (0..inputs).map(|_| Share(ValueId(self.fresh()))).collect();
        let step = (l.body)(self, &own);
        if let Some(p) = step.read.iter().find(|p| p.0 .0 < SCOPE_VALUES) {
            self.reject_capture(p.0 .0);
        }
        let body = self.open.last().map_or(0, Vec::len);
        self.trace_then(l, &step, &own, 2);
        let (scopes, outputs, muls) = (self.scopes.len(), self.outputs, self.multiplications);
        self.open.push(Vec::new());
        self.trace_then(l, &step, &own, 0x1234_5678_9abc_def1);
        let other = self.open.pop().unwrap_or_default();
        self.scopes.truncate(scopes);
        (self.outputs, self.multiplications) = (outputs, muls);
        let gates = self.open.pop().unwrap_or_default();
        let shape = |g: &[Gate]| g.iter().map(|&g| shape_of(g)).collect::<Vec<_>>();
        if shape(&gates[body.min(gates.len())..]) != shape(&other) {
            self.reject(
                None,
                "a loop's continuation issues different operations for different opened \
                 values: its shape depends on data that exists only during the run, so it \
                 cannot be numbered before the run"
                    .to_string(),
            );
        }
        self.scopes[scope] = Scope {
            gates: gates.into_boxed_slice(),
            body,
        };
        scope as u32
    }

    /// Traces `l`'s continuation after `step`, every value read `probe + i`.
    fn trace_then(&mut self, l: &Loop, step: &Step, own: &[Share], probe: u64) {
        let values: Vec<Fp> = (0..step.read.len() as u64)
            .map(|i| Fp::new(probe + i))
            .collect();
        (l.then)(self, &values, own, &step.carry);
    }

    #[inline]
    fn share(&mut self, gate: Gate) -> Share {
        Share(ValueId(self.push(gate)))
    }

    /// Traces queued continuations until none is left (or the trace is rejected).
    fn drain(&mut self) {
        while let Some(then) = self.queue.pop_front() {
            if self.rejection.is_some() {
                self.queue.clear();
                return;
            }
            then(self);
        }
    }
}

#[inline]
fn id(s: Share) -> GateId {
    s.0 .0
}

/// What of a gate numbering sees: its kind (and an input's owner).
fn shape_of(g: Gate) -> (u8, u32) {
    match g {
        Gate::Input { owner, .. } => (0, owner),
        Gate::Random => (1, 0),
        Gate::Add(..) => (2, 0),
        Gate::Sub(..) => (3, 0),
        Gate::MulConst(..) => (4, 0),
        Gate::AddConst(..) => (5, 0),
        Gate::Mul(..) => (6, 0),
        Gate::Open(_) => (7, 0),
        Gate::Check(..) => (8, 0),
        Gate::Loop(_) => (9, 0),
    }
}

impl Mpc for Tracer {
    fn players(&self) -> usize {
        self.players
    }

    fn input(&mut self, owner: PlayerId, value: Fp) -> Share {
        let owner = u32::try_from(owner).unwrap_or(u32::MAX);
        self.share(Gate::Input { owner, value })
    }

    fn random(&mut self) -> Share {
        self.share(Gate::Random)
    }

    fn add(&mut self, a: Share, b: Share) -> Share {
        self.share(Gate::Add(id(a), id(b)))
    }

    fn sub(&mut self, a: Share, b: Share) -> Share {
        self.share(Gate::Sub(id(a), id(b)))
    }

    fn mul_const(&mut self, a: Share, c: Fp) -> Share {
        self.share(Gate::MulConst(id(a), c))
    }

    fn add_const(&mut self, a: Share, c: Fp) -> Share {
        self.share(Gate::AddConst(id(a), c))
    }

    fn mul(&mut self, a: Share, b: Share) -> Share {
        self.share(Gate::Mul(id(a), id(b)))
    }

    fn open(&mut self, a: Share) -> Public {
        Public(ValueId(self.push(Gate::Open(id(a)))))
    }

    fn check(&mut self, p: Public, expected: Fp) {
        self.push(Gate::Check(p.0 .0, expected));
    }

    fn read(&mut self, p: Public) -> Fp {
        let gate = p.0 .0;
        self.reject(
            Some(gate),
            format!(
                "the program reads the opened value of gate {gate} outside a loop \
                 (Mpc::repeat) and decides what to do next from it: its control flow (and what \
                 it issues or checks) depends on data that exists only during the run, in a \
                 way the trace cannot follow, so it has no static circuit"
            ),
        );
        Fp::ZERO
    }

    fn schedule(&mut self, _after: &[ValueId], then: impl FnOnce(&mut Self) + 'static) {
        if self.rejection.is_some() {
            return;
        }
        if self.in_continuation {
            self.queue.push_back(Box::new(then));
            return;
        }
        self.in_continuation = true;
        then(self);
        self.drain();
        self.in_continuation = false;
    }

    /// Records nothing: the replay frees each gate's value on its own, once
    /// the program can no longer refer to it (see [`Replay`](super::Replay)).
    fn release(&mut self, _v: ValueId) {}

    /// Traces the loop once into a sub-program ([`Scope`]) and records a
    /// [`Gate::Loop`]: at the top level with its inputs and closures (a
    /// [`LoopSite`], which the replay runs), inside a loop naming the inner
    /// loop's sub-program.
    fn repeat(&mut self, inputs: &[Share], body: Arc<Loop>) {
        if self.rejection.is_some() {
            return;
        }
        let ids: Box<[GateId]> = inputs.iter().map(|&s| id(s)).collect();
        let top = self.open.is_empty();
        if let Some(&a) = ids.iter().find(|&&a| !top && a < SCOPE_VALUES) {
            self.reject_capture(a);
            return;
        }
        let scope = self.trace_loop(ids.len(), &body);
        if self.rejection.is_some() {
            return;
        }
        if !top {
            self.push(Gate::Loop(scope));
            return;
        }
        let at = self.gates.len() as u64;
        for &a in ids.iter() {
            self.reach = self.reach.max(at - u64::from(a));
        }
        let site = self.loops.len() as u32;
        self.loops.push(LoopSite {
            inputs: ids,
            body,
            scope,
        });
        self.push(Gate::Loop(site));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_gates_named_by_index() {
        let mut t = Tracer::new(3);
        let a = t.input(0, Fp::new(3));
        let b = t.input(1, Fp::new(5));
        let c = t.mul(a, b);
        let d = t.add(c, a);
        let e = t.mul_const(d, Fp::new(2));
        let o = t.open(e);
        t.check(o, Fp::new(36));
        assert_eq!(t.players(), 3);
        assert_eq!(
            t.gates(),
            [
                Gate::Input {
                    owner: 0,
                    value: Fp::new(3)
                },
                Gate::Input {
                    owner: 1,
                    value: Fp::new(5)
                },
                Gate::Mul(0, 1),
                Gate::Add(2, 0),
                Gate::MulConst(3, Fp::new(2)),
                Gate::Open(4),
                Gate::Check(5, Fp::new(36)),
            ]
        );
        assert!(t.rejection().is_none());
    }

    #[test]
    fn the_circuit_is_measured_as_it_is_recorded() {
        let mut t = Tracer::new(3);
        let a = t.input(0, Fp::new(3));
        let b = t.random();
        let c = t.mul(a, b);
        let d = t.add_const(c, Fp::ONE);
        let e = t.mul(d, a);
        let o = t.open(e);
        t.check(o, Fp::ZERO);
        let c = t.into_circuit();
        // Gate 4 (the second product) reads gate 0.
        assert_eq!((c.reach(), c.outputs(), c.multiplications()), (4, 1, 2));
        assert_eq!(
            c.bytes(),
            7 * std::mem::size_of::<Gate>() + std::mem::size_of::<BatchBounds>()
        );
    }

    #[test]
    fn continuations_are_flattened_in_order() {
        let mut t = Tracer::new(3);
        let a = t.input(0, Fp::ONE);
        t.schedule(&[a.into()], move |t| {
            let x = t.mul(a, a);
            t.schedule(&[x.into()], move |t| {
                t.open(x);
            });
            t.mul(x, x);
        });
        t.random();
        // The nested continuation runs once its parent has returned.
        assert_eq!(
            t.gates(),
            [
                Gate::Input {
                    owner: 0,
                    value: Fp::ONE
                },
                Gate::Mul(0, 0),
                Gate::Mul(1, 1),
                Gate::Open(1),
                Gate::Random,
            ]
        );
    }

    #[test]
    fn deep_nesting_uses_no_stack() {
        fn nest(t: &mut Tracer, x: Share, levels: u32) {
            t.schedule(&[x.into()], move |t| {
                let y = t.mul(x, x);
                if levels > 1 {
                    nest(t, y, levels - 1);
                }
            });
        }
        let mut t = Tracer::new(3);
        let x = t.input(0, Fp::ONE);
        nest(&mut t, x, 200_000);
        assert_eq!(t.gates().len(), 200_001);
        assert_eq!(t.gates()[200_000], Gate::Mul(199_999, 199_999));
    }

    #[test]
    fn read_rejects_and_stops_recording() {
        let mut t = Tracer::new(3);
        let r = t.random();
        let o = t.open(r);
        let v = t.read(o);
        assert_eq!(v, Fp::ZERO);
        let rejection = t.rejection().cloned().expect("rejected");
        assert_eq!(rejection.gate, Some(1));
        assert!(rejection.reason.contains("opened value"), "{rejection:?}");
        // A retry built from continuations ends at once.
        fn retry(t: &mut Tracer) {
            let r = t.random();
            let o = t.open(r);
            t.schedule(&[o.into()], move |t| {
                if t.read(o) == Fp::ZERO {
                    retry(t);
                }
            });
        }
        retry(&mut t);
        assert_eq!(t.gates().len(), 2);
    }

    #[test]
    fn batches_are_recorded() {
        let mut t = Tracer::new(3);
        let a = t.input(0, Fp::ONE);
        t.end_deal_phase();
        t.mul(a, a);
        t.end_batch();
        t.end_deal_phase();
        t.random();
        let c = t.into_circuit();
        assert_eq!(
            c.batches(),
            [
                BatchBounds {
                    start: 0,
                    deal_end: 1,
                    end: 2
                },
                BatchBounds {
                    start: 2,
                    deal_end: 2,
                    end: 3
                }
            ]
        );
        assert_eq!(c.deal_gates(), 1);
        let empty = Tracer::new(3).into_circuit();
        assert_eq!(empty.batches(), [BatchBounds::default()]);
    }

    #[test]
    fn a_passed_deadline_stops_the_trace() {
        let mut t = Tracer::new(3);
        t.set_deadline(Instant::now());
        for _ in 0..3 * DEADLINE_CHECK {
            t.random();
        }
        assert!(t.ran_out_of_time());
        assert!(t.gates().len() <= DEADLINE_CHECK);
        assert!(t.rejection().unwrap().reason.contains("deadline"));

        let mut t = Tracer::new(3);
        t.set_deadline(Instant::now() + std::time::Duration::from_secs(3600));
        for _ in 0..3 * DEADLINE_CHECK {
            t.random();
        }
        assert!(!t.ran_out_of_time());
        assert_eq!(t.gates().len(), 3 * DEADLINE_CHECK);
    }

    #[test]
    fn too_many_gates_is_a_rejection() {
        let mut t = Tracer::new(3);
        t.max_gates = 4;
        for _ in 0..10 {
            t.random();
        }
        assert_eq!(t.gates().len(), 4);
        assert!(t.rejection().unwrap().reason.contains("more than 4 gates"));
    }
}
