//! The transformation: trace a workload into a [`Circuit`], batch by batch,
//! number its labelled gates, measure how far back its gates refer (which
//! sizes each player's replay ring), and keep the result as a
//! [`StaticProgram`] every player of the process shares.

use crate::circuit::{input_code, BatchBounds, Circuit, Gate, GateId};
use crate::labeller::StaticLabeller;
use crate::replay::Replay;
use crate::tracer::Tracer;
use shamir_runtime::{workloads, RunParams, Workload, WorkloadKind};
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

/// What the transformation cost and produced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransformCost {
    /// Wall time of tracing and numbering, in seconds.
    pub seconds: f64,
    /// Gates in the circuit (every operation and check).
    pub gates: u64,
    /// Gates of the `deal` phases, summed over batches.
    pub deal_gates: u64,
    /// Gates that carry a label (`input`, `mul`, `open`, `random`).
    pub labelled_gates: u64,
    /// The shared program's size in memory, in bytes: the gates, one byte per
    /// labelled gate for the labeller, and the batch bounds, shared by every
    /// player of a process. Each player's [`Replay`] adds its handles, four
    /// bytes per slot of its ring ([`TransformCost::ring_slots`]), or per gate
    /// when the program has no ring.
    pub program_bytes: u64,
    /// The program's reach: the largest distance, in gates, from a gate back
    /// to a gate it refers to (an operand, or the opening a check is about).
    pub reach: u64,
    /// The slots of each player's replay ring, the power of two above
    /// [`TransformCost::reach`]: the replay keeps that many handles and
    /// releases each value as its slot is reused. `None` when the reach is
    /// [`MAX_RING`] or more: the replay then keeps a handle for every gate and
    /// releases nothing.
    pub ring_slots: Option<u64>,
}

/// The largest replay ring, in slots (16 MiB of handles per player). A
/// program whose reach needs more (`tree` at large n, whose last levels refer
/// back to leaves dealt at the start) is replayed from a full table of
/// handles, one per gate, with no releases.
pub const MAX_RING: usize = 1 << 22;

/// The ring a program of reach `reach` needs (the power of two above it), or
/// `None` if that is more than `limit` slots.
fn ring_for(reach: u64, limit: usize) -> Option<usize> {
    usize::try_from(reach)
        .ok()
        .and_then(|r| r.checked_add(1))
        .and_then(usize::checked_next_power_of_two)
        .filter(|&slots| slots <= limit)
}

/// A program the static strategy cannot label: why, and what finding so
/// cost. The harness reports it as `"unsupported": true` with the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsupported {
    /// Why, in words.
    pub reason: String,
    /// The gate the problem was found at (for a data-dependent program, the
    /// `open` whose value the program read), if any.
    pub gate: Option<GateId>,
    /// Wall time spent before the program was rejected, in seconds.
    pub seconds: f64,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unsupported by static labels: {}", self.reason)
    }
}

impl std::error::Error for Unsupported {}

/// Why a transformation with a deadline ([`transform_params_until`]) gave no
/// program.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransformError {
    /// The program cannot be labelled statically.
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    /// The deadline passed before the program was traced and numbered.
    #[error(
        "timed out after {seconds:.3} s tracing the program for static labels \
         ({gates} gates traced), before the run could start"
    )]
    OutOfTime {
        /// Seconds spent before giving up.
        seconds: f64,
        /// Gates traced by then.
        gates: u64,
    },
}

/// A traced, numbered program, ready to be replayed by every player.
///
/// The label of a labelled gate is its number: its position among the
/// labelled gates (0, 1, 2, …, in issue order), sent as a varint.
#[derive(Debug, Clone)]
pub struct StaticProgram {
    gates: Box<[Gate]>,
    batches: Box<[BatchBounds]>,
    /// Slots of each player's replay ring, if it has one.
    ring: Option<usize>,
    /// The kind code of each labelled gate, by number.
    labelled: Arc<[u8]>,
    outputs: u64,
    multiplications: u64,
    cost: TransformCost,
}

impl StaticProgram {
    /// Every gate in issue order.
    pub fn gates(&self) -> &[Gate] {
        &self.gates
    }

    /// The program's batches, in order: where each one's `deal` and
    /// `compute` phases lie among [`StaticProgram::gates`].
    pub fn batches(&self) -> &[BatchBounds] {
        &self.batches
    }

    /// How many of [`StaticProgram::gates`] the `deal` phases issue, summed
    /// over batches.
    pub fn deal_gates(&self) -> usize {
        self.batches.iter().map(|b| b.deal().len()).sum()
    }

    /// The slots of each player's replay ring, or `None` when the replay keeps
    /// a handle for every gate (see [`TransformCost::ring_slots`]).
    pub fn ring_slots(&self) -> Option<usize> {
        self.ring
    }

    /// Number of labelled gates; labels run from 0 to this minus one.
    pub fn labelled_gates(&self) -> u64 {
        self.labelled.len() as u64
    }

    /// The kind codes of the labelled gates, by number (what the labeller compares).
    pub(crate) fn labelled_codes(&self) -> &Arc<[u8]> {
        &self.labelled
    }

    /// The checks the program records (one per [`Gate::Check`]).
    pub fn outputs(&self) -> u64 {
        self.outputs
    }

    /// The multiplications the program issues.
    pub fn multiplications(&self) -> u64 {
        self.multiplications
    }

    /// What the transformation cost and produced.
    pub fn cost(&self) -> TransformCost {
        self.cost
    }

    /// Every labelled gate with its label, in issue order.
    pub fn numbering(&self) -> impl Iterator<Item = (GateId, u64)> + '_ {
        self.gates
            .iter()
            .enumerate()
            .filter(|(_, g)| g.is_labelled())
            .enumerate()
            .map(|(label, (gate, _))| (gate as GateId, label as u64))
    }

    /// The gate labelled `label`, if there is one (a scan: for error messages).
    pub fn gate_of_label(&self, label: u64) -> Option<GateId> {
        self.numbering()
            .find(|&(_, l)| l == label)
            .map(|(gate, _)| gate)
    }

    /// A labeller for one player of a run of this program.
    pub fn labeller(self: &Arc<Self>) -> StaticLabeller {
        StaticLabeller::new(self.clone())
    }

    /// The program, replayable by one player on any [`shamir_runtime::Mpc`].
    pub fn replay(self: &Arc<Self>) -> Replay {
        Replay::new(self.clone())
    }
}

/// Transforms the study's workload `kind` of size `n` (and `depth`, for
/// `nested`) with run seed `seed`, for `players` players: the very program
/// [`workloads::build`] gives every other strategy, traced.
pub fn transform(
    kind: WorkloadKind,
    n: u64,
    depth: u32,
    seed: u64,
    players: usize,
) -> Result<StaticProgram, Unsupported> {
    transform_workload(|| workloads::build(kind, n, depth, seed), players)
}

/// [`transform`] for the workload a run's parameters name.
pub fn transform_params(params: &RunParams) -> Result<StaticProgram, Unsupported> {
    transform(
        params.workload,
        params.n,
        params.depth,
        params.seed,
        params.players as usize,
    )
}

/// [`transform_params`] that gives up once `deadline` has passed (the tracer
/// looks at the clock every [`DEADLINE_CHECK`](crate::DEADLINE_CHECK) gates),
/// so that tracing counts against a run's timeout.
pub fn transform_params_until(
    params: &RunParams,
    deadline: Instant,
) -> Result<StaticProgram, TransformError> {
    let (kind, n, depth, seed) = (params.workload, params.n, params.depth, params.seed);
    trace(
        || workloads::build(kind, n, depth, seed),
        params.players as usize,
        MAX_RING,
        Some(deadline),
    )
}

/// The sizes [`estimate_params`] traces to extrapolate from: both past the
/// first batch of every batched workload (2^16 multiplications or leaves), so
/// that what grows with n (the gates, and `tree`'s reach across batches) and
/// what does not (the reach of the other workloads) both show.
pub const ESTIMATE_SAMPLES: [u64; 2] = [1 << 17, 1 << 18];

/// What transforming a run's program would take, estimated before tracing it
/// ([`estimate_params`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransformEstimate {
    /// Gates in the circuit ([`TransformCost::gates`]).
    pub gates: u64,
    /// The shared program in memory ([`TransformCost::program_bytes`]).
    pub program_bytes: u64,
    /// Each player's replay handles: 4 bytes per slot of its ring, or per
    /// gate when the reach needs more than [`MAX_RING`] slots.
    pub replay_bytes: u64,
    /// Whether these are the figures of the program itself (n no larger than
    /// the larger sample), not extrapolated.
    pub exact: bool,
}

/// Estimates what [`transform_params`] would take for `params`, before
/// tracing it: the program at the two sizes of [`ESTIMATE_SAMPLES`] is
/// traced (about 1.3 million gates for `independent`: tens of milliseconds
/// in a release build), and its gates, bytes and reach are extrapolated along
/// the line through them (every workload's program grows linearly with n).
/// For n up to the larger sample the program itself is traced and its
/// figures are exact. A program static labels refuse is refused here.
pub fn estimate_params(params: &RunParams) -> Result<TransformEstimate, Unsupported> {
    let [small, large] = ESTIMATE_SAMPLES;
    let at = |n: u64| {
        transform_params(&RunParams {
            n,
            ..params.clone()
        })
        .map(|p| p.cost())
    };
    if params.n <= large {
        let c = at(params.n)?;
        return Ok(TransformEstimate {
            gates: c.gates,
            program_bytes: c.program_bytes,
            replay_bytes: replay_bytes(c.gates, c.ring_slots),
            exact: true,
        });
    }
    let (a, b) = (at(small)?, at(large)?);
    // f(n) on the line through (small, f(small)) and (large, f(large)),
    // rounded up; `as u64` saturates at u64::MAX.
    let line = |fa: u64, fb: u64| -> u64 {
        let slope = (fb as f64 - fa as f64) / (large - small) as f64;
        (fa as f64 + slope * (params.n - small) as f64)
            .ceil()
            .max(0.0) as u64
    };
    let gates = line(a.gates, b.gates);
    let ring = ring_for(line(a.reach, b.reach), MAX_RING).map(|r| r as u64);
    Ok(TransformEstimate {
        gates,
        program_bytes: line(a.program_bytes, b.program_bytes),
        replay_bytes: replay_bytes(gates, ring),
        exact: false,
    })
}

/// Bytes of one player's replay handles ([`TransformCost::program_bytes`]
/// says why).
fn replay_bytes(gates: u64, ring_slots: Option<u64>) -> u64 {
    ring_slots.unwrap_or(gates).saturating_mul(4)
}

/// Transforms any program: `make()` builds it (against the [`Tracer`]), and
/// batch by batch its `deal` phase is traced to exhaustion, then its `compute`
/// phase, until [`Workload::next_batch`] says it is done; the labelled gates
/// are numbered in the order traced.
pub fn transform_workload(
    make: impl FnOnce() -> Box<dyn Workload<Tracer>>,
    players: usize,
) -> Result<StaticProgram, Unsupported> {
    transform_with(make, players, MAX_RING)
}

/// [`transform_workload`] with a ring of at most `ring_limit` slots.
pub(crate) fn transform_with(
    make: impl FnOnce() -> Box<dyn Workload<Tracer>>,
    players: usize,
    ring_limit: usize,
) -> Result<StaticProgram, Unsupported> {
    trace(make, players, ring_limit, None).map_err(|e| match e {
        TransformError::Unsupported(u) => u,
        // Without a deadline there is no running out of time; named anyway.
        TransformError::OutOfTime { seconds, .. } => Unsupported {
            reason: e.to_string(),
            gate: None,
            seconds,
        },
    })
}

/// What numbering a traced circuit gives.
struct Numbering {
    /// The kind code of each labelled gate, by number.
    labelled: Vec<u8>,
    outputs: u64,
    multiplications: u64,
    /// The largest distance from a gate back to a gate it refers to.
    reach: u64,
}

/// Why numbering stopped.
#[derive(Debug, PartialEq)]
enum Stop {
    /// The gate cannot be labelled, and why.
    Refused(GateId, String),
    /// The deadline passed.
    OutOfTime,
}

/// Numbers the labelled gates of `gates` in order and measures the reach,
/// looking at the clock every [`DEADLINE_CHECK`](crate::DEADLINE_CHECK) gates
/// when there is a deadline: a pass over billions of gates counts against
/// the run's timeout as tracing does.
fn number(gates: &[Gate], players: usize, deadline: Option<Instant>) -> Result<Numbering, Stop> {
    let mut labelled = Vec::new();
    let (mut outputs, mut multiplications, mut reach) = (0, 0, 0);
    for (i, &gate) in gates.iter().enumerate() {
        if i % crate::DEADLINE_CHECK == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(Stop::OutOfTime);
        }
        for a in gate.operands() {
            reach = reach.max(i as u64 - u64::from(a));
        }
        match gate {
            Gate::Input { owner, .. } => {
                let code = usize::try_from(owner)
                    .ok()
                    .filter(|&o| o < players)
                    .and_then(input_code);
                match code {
                    Some(code) => labelled.push(code),
                    None => {
                        return Err(Stop::Refused(
                            i as GateId,
                            format!(
                                "gate {i} is an input of player {owner}, but the run has {players} players"
                            ),
                        ))
                    }
                }
            }
            Gate::Random => labelled.push(0),
            Gate::Mul(..) => {
                multiplications += 1;
                labelled.push(1);
            }
            Gate::Open(_) => labelled.push(2),
            Gate::Check(..) => outputs += 1,
            Gate::Add(..) | Gate::Sub(..) | Gate::MulConst(..) | Gate::AddConst(..) => {}
        }
    }
    if deadline.is_some_and(|d| Instant::now() >= d) {
        return Err(Stop::OutOfTime);
    }
    Ok(Numbering {
        labelled,
        outputs,
        multiplications,
        reach,
    })
}

/// The transformation: trace, number, measure; by `deadline` if there is one.
pub(crate) fn trace(
    make: impl FnOnce() -> Box<dyn Workload<Tracer>>,
    players: usize,
    ring_limit: usize,
    deadline: Option<Instant>,
) -> Result<StaticProgram, TransformError> {
    let started = Instant::now();
    let unsupported = |gate, reason| {
        TransformError::Unsupported(Unsupported {
            reason,
            gate,
            seconds: started.elapsed().as_secs_f64(),
        })
    };
    let out_of_time = |gates: usize| TransformError::OutOfTime {
        seconds: started.elapsed().as_secs_f64(),
        gates: gates as u64,
    };
    let mut workload = make();
    let mut tracer = Tracer::new(players);
    if let Some(d) = deadline {
        tracer.set_deadline(d);
    }
    loop {
        while tracer.rejection().is_none() && workload.deal(&mut tracer) {}
        tracer.end_deal_phase();
        while tracer.rejection().is_none() && workload.compute(&mut tracer) {}
        tracer.end_batch();
        if tracer.rejection().is_some() || !workload.next_batch() {
            break;
        }
    }
    if tracer.ran_out_of_time() {
        return Err(out_of_time(tracer.gates().len()));
    }
    if let Some(r) = tracer.rejection() {
        return Err(unsupported(r.gate, r.reason.clone()));
    }
    let Circuit { gates, batches } = tracer.into_circuit();
    let gates = gates.into_boxed_slice();
    let batches = batches.into_boxed_slice();
    let Numbering {
        labelled,
        outputs,
        multiplications,
        reach,
    } = number(&gates, players, deadline).map_err(|stop| match stop {
        Stop::Refused(gate, reason) => unsupported(Some(gate), reason),
        Stop::OutOfTime => out_of_time(gates.len()),
    })?;
    let labelled: Arc<[u8]> = labelled.into();
    let ring = ring_for(reach, ring_limit);
    let cost = TransformCost {
        seconds: started.elapsed().as_secs_f64(),
        gates: gates.len() as u64,
        deal_gates: batches.iter().map(|b| b.deal().len() as u64).sum(),
        labelled_gates: labelled.len() as u64,
        program_bytes: (std::mem::size_of_val(&*gates)
            + labelled.len()
            + std::mem::size_of_val(&*batches)) as u64,
        reach,
        ring_slots: ring.map(|r| r as u64),
    };
    Ok(StaticProgram {
        gates,
        batches,
        ring,
        labelled,
        outputs,
        multiplications,
        cost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shamir_runtime::{Fp, Mpc};

    /// `x = a·b; y = c·d`, opened and checked, with the inputs in `deal`.
    struct Tiny {
        dealt: bool,
        computed: bool,
        inputs: Vec<shamir_runtime::Share>,
    }

    impl<M: Mpc> Workload<M> for Tiny {
        fn deal(&mut self, m: &mut M) -> bool {
            if self.dealt {
                return false;
            }
            self.dealt = true;
            self.inputs = (0..4)
                .map(|i| m.input(i % 3, Fp::new(i as u64 + 2)))
                .collect();
            true
        }

        fn compute(&mut self, m: &mut M) -> bool {
            if self.computed {
                return false;
            }
            self.computed = true;
            let [a, b, c, d] = [0, 1, 2, 3].map(|i| self.inputs[i]);
            let x = m.mul(a, b);
            let y = m.mul(c, d);
            let s = m.add(x, y);
            let o = m.open(s);
            m.check(o, Fp::new(2 * 3 + 4 * 5));
            true
        }

        fn outputs(&self) -> u64 {
            1
        }

        fn multiplications(&self) -> u64 {
            2
        }
    }

    fn tiny() -> Box<dyn Workload<Tracer>> {
        Box::new(Tiny {
            dealt: false,
            computed: false,
            inputs: Vec::new(),
        })
    }

    #[test]
    fn tiny_program_gives_the_expected_gates_and_numbers() {
        let p = transform_workload(tiny, 3).unwrap();
        let input = |owner, v| Gate::Input {
            owner,
            value: Fp::new(v),
        };
        assert_eq!(
            p.gates(),
            [
                input(0, 2),
                input(1, 3),
                input(2, 4),
                input(0, 5),
                Gate::Mul(0, 1),
                Gate::Mul(2, 3),
                Gate::Add(4, 5),
                Gate::Open(6),
                Gate::Check(7, Fp::new(26)),
            ]
        );
        assert_eq!(p.deal_gates(), 4);
        assert_eq!(
            p.numbering().collect::<Vec<_>>(),
            [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (7, 6)]
        );
        assert_eq!(p.gate_of_label(6), Some(7));
        assert_eq!(p.gate_of_label(7), None);
        assert_eq!((p.outputs(), p.multiplications()), (1, 2));
        let cost = p.cost();
        assert_eq!(
            (cost.gates, cost.deal_gates, cost.labelled_gates),
            (9, 4, 7)
        );
        assert_eq!(
            cost.program_bytes,
            9 * std::mem::size_of::<Gate>() as u64 + 7 + std::mem::size_of::<BatchBounds>() as u64
        );
        // Gate 7 (the opening) reads gate 6; gate 4 (the first product) reads gate 0.
        assert_eq!((cost.reach, cost.ring_slots), (4, Some(8)));
        assert_eq!(p.batches().len(), 1);
        assert!(cost.seconds >= 0.0);
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
    }

    #[test]
    fn input_of_a_missing_player_is_refused() {
        let e = transform_workload(tiny, 2).unwrap_err();
        assert_eq!(e.gate, Some(2));
        assert!(e.reason.contains("player 2"), "{e}");
    }

    #[test]
    fn study_workloads_trace_to_their_size() {
        for kind in WorkloadKind::ALL {
            if kind == WorkloadKind::RandomBits {
                continue;
            }
            let p = transform(kind, 50, 4, 9, 3).unwrap();
            let w = workloads::build::<Tracer>(kind, 50, 4, 9);
            assert_eq!(p.outputs(), w.outputs(), "{kind}");
            assert_eq!(p.multiplications(), w.multiplications(), "{kind}");
            for b in p.batches() {
                assert!(p.gates()[b.deal()]
                    .iter()
                    .all(|g| matches!(g, Gate::Input { .. })));
            }
            // Every operand names an earlier gate that produced a value.
            for (i, g) in p.gates().iter().enumerate() {
                for a in g.operands() {
                    assert!((a as usize) < i, "{kind}: gate {i} {g:?}");
                    assert!(!matches!(p.gates()[a as usize], Gate::Check(..)));
                }
            }
        }
    }

    #[test]
    fn batches_are_traced_one_after_another() {
        for kind in WorkloadKind::ALL {
            if kind == WorkloadKind::RandomBits {
                continue;
            }
            let one = transform(kind, 50, 4, 9, 3).unwrap();
            let many =
                transform_workload(|| workloads::build_batched(kind, 50, 4, 9, 8), 3).unwrap();
            assert_eq!(many.outputs(), one.outputs(), "{kind}");
            assert_eq!(many.multiplications(), one.multiplications(), "{kind}");
            assert_eq!(many.gates().len(), one.gates().len(), "{kind}");
            assert_eq!(many.deal_gates(), one.deal_gates(), "{kind}");
            // 50 multiplications (51 leaves for `tree`) in batches of 8.
            assert_eq!(many.batches().len(), 7, "{kind}");
            // The batches tile the gates, each one's inputs first.
            let mut at = 0;
            for b in many.batches() {
                assert_eq!(b.start, at, "{kind}");
                assert!(b.start <= b.deal_end && b.deal_end <= b.end, "{kind}");
                assert!(many.gates()[b.deal()]
                    .iter()
                    .all(|g| matches!(g, Gate::Input { .. })));
                assert!(!many.gates()[b.compute()]
                    .iter()
                    .any(|g| matches!(g, Gate::Input { .. })));
                at = b.end;
            }
            assert_eq!(at, many.gates().len(), "{kind}");
            // Smaller batches refer less far back.
            assert!(many.cost().reach <= one.cost().reach, "{kind}");
        }
    }

    #[test]
    fn a_deadline_cuts_tracing_short() {
        let params = RunParams {
            workload: WorkloadKind::Independent,
            n: 1_000_000,
            ..RunParams::example()
        };
        let started = Instant::now();
        let e = transform_params_until(&params, started).unwrap_err();
        assert!(
            matches!(e, TransformError::OutOfTime { gates, .. } if gates < 5_000_000),
            "{e}"
        );
        assert!(e.to_string().contains("tracing the program"), "{e}");
        assert!(started.elapsed().as_secs() < 5);
        let small = RunParams { n: 100, ..params };
        let far = Instant::now() + std::time::Duration::from_secs(3600);
        let p = transform_params_until(&small, far).unwrap();
        assert_eq!(p.gates(), transform_params(&small).unwrap().gates());
        let refused = RunParams {
            workload: WorkloadKind::RandomBits,
            ..small
        };
        assert!(matches!(
            transform_params_until(&refused, far),
            Err(TransformError::Unsupported(_))
        ));
    }

    #[test]
    fn numbering_stops_at_the_deadline() {
        let p = transform_workload(tiny, 3).unwrap();
        assert_eq!(
            number(p.gates(), 3, Some(Instant::now())).err(),
            Some(Stop::OutOfTime)
        );
        let far = Instant::now() + std::time::Duration::from_secs(3600);
        let n = number(p.gates(), 3, Some(far)).unwrap();
        assert_eq!((n.labelled.len(), n.outputs, n.multiplications), (7, 1, 2));
        assert!(matches!(
            number(p.gates(), 2, None).err(),
            Some(Stop::Refused(2, _))
        ));
    }

    #[test]
    fn estimates_match_the_program_they_estimate() {
        let [_, large] = ESTIMATE_SAMPLES;
        for kind in [
            WorkloadKind::Independent,
            WorkloadKind::Tree,
            WorkloadKind::Nested,
        ] {
            let params = RunParams {
                workload: kind,
                n: 2 * large + 12_345,
                depth: 4,
                ..RunParams::example()
            };
            let e = estimate_params(&params).unwrap();
            let cost = transform_params(&params).unwrap().cost();
            let off = |est: u64, real: u64| (est as f64 - real as f64).abs() / real as f64;
            assert!(!e.exact, "{kind}");
            assert!(off(e.gates, cost.gates) < 0.01, "{kind}: {e:?} {cost:?}");
            assert!(
                off(e.program_bytes, cost.program_bytes) < 0.01,
                "{kind}: {e:?} {cost:?}"
            );
            let replay = replay_bytes(cost.gates, cost.ring_slots);
            assert!(off(e.replay_bytes, replay) < 0.01, "{kind}: {e:?} {cost:?}");
        }
        let small = RunParams {
            n: 1000,
            ..RunParams::example()
        };
        let e = estimate_params(&small).unwrap();
        let cost = transform_params(&small).unwrap().cost();
        assert!(e.exact);
        assert_eq!((e.gates, e.program_bytes), (cost.gates, cost.program_bytes));
        let refused = RunParams {
            workload: WorkloadKind::RandomBits,
            n: 1 << 30,
            ..small
        };
        assert!(estimate_params(&refused).is_err());
    }

    #[test]
    fn tracing_is_deterministic() {
        let a = transform(WorkloadKind::Tree, 33, 1, 5, 5).unwrap();
        let b = transform(WorkloadKind::Tree, 33, 1, 5, 5).unwrap();
        assert_eq!(a.gates(), b.gates());
        let c = transform(WorkloadKind::Tree, 33, 1, 6, 5).unwrap();
        assert_ne!(a.gates(), c.gates(), "inputs come from the seed");
    }

    #[test]
    fn nested_is_flattened_and_its_labels_do_not_grow_with_depth() {
        let n = 64;
        let mut widest = Vec::new();
        for depth in [1, 4, 16, 64] {
            let p = transform(WorkloadKind::Nested, n, depth, 3, 3).unwrap();
            assert_eq!(p.multiplications(), n);
            // Straight-line: each sub-protocol's multiplications follow one another.
            let muls: Vec<_> = p
                .gates()
                .iter()
                .filter(|g| matches!(g, Gate::Mul(..)))
                .collect();
            assert_eq!(muls.len() as u64, n);
            let max_label = p.labelled_gates() - 1;
            widest.push(shamir_runtime::wire::varint_len(max_label));
            // Labels: inputs (2 per sub-protocol) + a mul and an open per level.
            assert_eq!(
                p.labelled_gates(),
                2 * n.div_ceil(u64::from(depth)) + 2 * n,
                "depth {depth}"
            );
        }
        assert!(
            widest.windows(2).all(|w| w[1] <= w[0]),
            "label widths by depth: {widest:?}"
        );
    }

    #[test]
    fn random_bits_is_rejected_with_a_reason() {
        let started = Instant::now();
        let e = transform(WorkloadKind::RandomBits, 1_000_000, 1, 1, 3).unwrap_err();
        assert!(e.reason.contains("opened value"), "{e}");
        assert!(e.gate.is_some());
        assert!(e.to_string().starts_with("unsupported by static labels"));
        // Rejected at the first branch, not after tracing a million bits.
        assert!(started.elapsed().as_secs() < 5);
    }
}
