//! The transformation: trace a workload into a [`Circuit`] with the
//! runtime's [`Tracer`], batch by batch, number its labelled gates with the
//! kind of operation each one is, and keep the result as a [`StaticProgram`]
//! every player of the process shares.

use shamir_runtime::circuit::{Circuit, Gate, GateId, Tracer, DEADLINE_CHECK};
use shamir_runtime::label::{OpKind, PlayerId};
use shamir_runtime::{Program, Workload};
use std::sync::Arc;
use std::time::Instant;

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
fn input_code(owner: PlayerId) -> Option<u8> {
    u8::try_from(owner).ok().and_then(|o| o.checked_add(3))
}

/// The labelled operation a code stands for, for error messages.
pub(crate) fn code_name(code: u8) -> String {
    match ["random", "mul", "open"].get(usize::from(code)) {
        Some(name) => name.to_string(),
        None => format!("input of player {}", code - 3),
    }
}

/// What the transformation cost and produced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransformCost {
    /// Wall time of tracing and numbering, in seconds.
    pub seconds: f64,
    /// Gates in the circuit (every operation and check).
    pub gates: u64,
    /// Gates that carry a label (`input`, `mul`, `open`, `random`).
    pub labelled_gates: u64,
    /// The shared program's size in memory, in bytes: the gates, one byte per
    /// labelled gate for the labeller, and the batch bounds, shared by every
    /// player of a process. Each player's [`Replay`](shamir_runtime::circuit::Replay)
    /// adds its handles, four bytes per slot of its ring
    /// ([`ring_slots`](shamir_runtime::circuit::ring_slots)), or per gate when
    /// the program has no ring.
    pub program_bytes: u64,
}

/// A program the static strategy cannot label: why, and what finding so
/// cost. The harness reports it as `"unsupported": true` with the reason.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unsupported by static labels: {reason}")]
pub struct Unsupported {
    /// Why, in words.
    pub reason: String,
    /// The gate the problem was found at (for a data-dependent program, the
    /// `open` whose value the program read), if any.
    pub gate: Option<GateId>,
    /// Wall time spent before the program was rejected, in seconds.
    pub seconds: f64,
}

/// Why [`transform`] gave no program.
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

/// A traced, numbered program, ready to be replayed by every player
/// ([`Replay::new`](shamir_runtime::circuit::Replay::new) takes it as it
/// takes a circuit).
///
/// The label of a labelled gate is its number: its position among the
/// labelled gates (0, 1, 2, …, in issue order), sent as a varint.
#[derive(Debug, Clone)]
pub struct StaticProgram {
    circuit: Circuit,
    /// The kind code of each labelled gate, by number (what the labeller
    /// compares).
    pub(crate) labelled: Arc<[u8]>,
    cost: TransformCost,
}

impl StaticProgram {
    /// The traced circuit: its gates, batches and reach.
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// Number of labelled gates; labels run from 0 to this minus one.
    pub fn labelled_gates(&self) -> u64 {
        self.labelled.len() as u64
    }

    /// What the transformation cost and produced.
    pub fn cost(&self) -> TransformCost {
        self.cost
    }

    /// The gate labelled `label`, if there is one (a scan: for error messages).
    pub(crate) fn gate_of_label(&self, label: u64) -> Option<GateId> {
        let gates = self.circuit.gates().iter().enumerate();
        let mut labelled = gates
            .filter(|(_, g)| g.is_labelled())
            .map(|(i, _)| i as GateId);
        labelled.nth(usize::try_from(label).ok()?)
    }
}

impl AsRef<Circuit> for StaticProgram {
    fn as_ref(&self) -> &Circuit {
        &self.circuit
    }
}

/// Transforms `program` for a run of `players` players: traces it with the
/// runtime's [`Tracer`], batch by batch ([`Tracer::trace`]), and numbers its
/// labelled gates in the order traced; gives up once `deadline`, if any, has
/// passed (the tracer looks at the clock every [`DEADLINE_CHECK`] gates), so
/// that tracing counts against a run's timeout.
pub fn transform<P: Program>(
    program: &P,
    players: usize,
    deadline: Option<Instant>,
) -> Result<StaticProgram, TransformError> {
    trace(|| program.build(), players, deadline)
}

/// Why tracing or numbering stopped.
#[derive(Debug, PartialEq)]
enum Stop {
    /// The program (at this gate, if any) cannot be labelled, and why.
    Refused(Option<GateId>, String),
    /// The deadline passed.
    OutOfTime,
}

/// Numbers the labelled gates of `gates` in order, giving the kind code of
/// each ([`kind_code`]), looking at the clock every [`DEADLINE_CHECK`] gates
/// when there is a deadline: a pass over billions of gates counts against the
/// run's timeout as tracing does.
fn number(gates: &[Gate], players: usize, deadline: Option<Instant>) -> Result<Vec<u8>, Stop> {
    let mut labelled = Vec::new();
    for (i, &gate) in gates.iter().enumerate() {
        if i.is_multiple_of(DEADLINE_CHECK) && deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(Stop::OutOfTime);
        }
        let code = match gate {
            Gate::Input { owner, .. } => usize::try_from(owner)
                .ok()
                .filter(|&o| o < players)
                .and_then(input_code)
                .ok_or_else(|| {
                    let why = format!(
                        "gate {i} is an input of player {owner}, but the run has {players} players"
                    );
                    Stop::Refused(Some(i as GateId), why)
                })?,
            Gate::Random => 0,
            Gate::Mul(..) => 1,
            Gate::Open(_) => 2,
            Gate::Add(..) | Gate::Sub(..) | Gate::MulConst(..) | Gate::AddConst(..) => continue,
            Gate::Check(..) => continue,
        };
        labelled.push(code);
    }
    if deadline.is_some_and(|d| Instant::now() >= d) {
        return Err(Stop::OutOfTime);
    }
    Ok(labelled)
}

/// The transformation: trace, number, measure; by `deadline` if there is one.
fn trace(
    make: impl FnOnce() -> Box<dyn Workload<Tracer>>,
    players: usize,
    deadline: Option<Instant>,
) -> Result<StaticProgram, TransformError> {
    let started = Instant::now();
    let mut tracer = Tracer::new(players);
    if let Some(d) = deadline {
        tracer.set_deadline(d);
    }
    tracer.trace(&mut *make());
    let gates = tracer.gates().len() as u64;
    let numbered = if tracer.ran_out_of_time() {
        Err(Stop::OutOfTime)
    } else if let Some(r) = tracer.rejection() {
        Err(Stop::Refused(r.gate, r.reason.clone()))
    } else {
        let circuit = tracer.into_circuit();
        let labelled = number(circuit.gates(), players, deadline);
        labelled.map(|labelled| (circuit, Arc::<[u8]>::from(labelled)))
    };
    let seconds = started.elapsed().as_secs_f64();
    let (circuit, labelled) = numbered.map_err(|stop| match stop {
        Stop::Refused(gate, reason) => Unsupported {
            reason,
            gate,
            seconds,
        }
        .into(),
        Stop::OutOfTime => TransformError::OutOfTime { seconds, gates },
    })?;
    let cost = TransformCost {
        seconds,
        gates,
        labelled_gates: labelled.len() as u64,
        program_bytes: (circuit.bytes() + labelled.len()) as u64,
    };
    Ok(StaticProgram {
        circuit,
        labelled,
        cost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shamir_runtime::{workloads, RunParams, WorkloadKind};

    /// The study's workload `kind`, transformed without a deadline.
    fn transform(
        kind: WorkloadKind,
        n: u64,
        depth: u32,
        seed: u64,
        players: usize,
    ) -> Result<StaticProgram, Unsupported> {
        transform_workload(|| workloads::build(kind, n, depth, seed), players)
    }

    /// Any program `make()` builds, transformed without a deadline.
    fn transform_workload(
        make: impl FnOnce() -> Box<dyn Workload<Tracer>>,
        players: usize,
    ) -> Result<StaticProgram, Unsupported> {
        match trace(make, players, None) {
            Err(TransformError::Unsupported(u)) => Err(u),
            other => Ok(other.expect("no deadline, no running out of time")),
        }
    }

    /// The workload a run's parameters name, transformed without a deadline.
    fn transform_params(params: &RunParams) -> Result<StaticProgram, Unsupported> {
        transform_workload(|| params.build(), params.players as usize)
    }

    /// The workload a run's parameters name, transformed by `deadline`.
    fn transform_params_until(
        params: &RunParams,
        deadline: Instant,
    ) -> Result<StaticProgram, TransformError> {
        super::transform(params, params.players as usize, Some(deadline))
    }
    use shamir_runtime::circuit::{ring_slots, BatchBounds};
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
        let c = p.circuit();
        let input = |owner, v| Gate::Input {
            owner,
            value: Fp::new(v),
        };
        assert_eq!(
            c.gates(),
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
        assert_eq!(c.deal_gates(), 4);
        // Every labelled gate with its label, in issue order.
        assert_eq!(
            (0..p.labelled_gates())
                .map(|label| (p.gate_of_label(label).unwrap(), label))
                .collect::<Vec<_>>(),
            [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (7, 6)]
        );
        assert_eq!(p.gate_of_label(6), Some(7));
        assert_eq!(p.gate_of_label(7), None);
        assert_eq!((c.outputs(), c.multiplications()), (1, 2));
        let cost = p.cost();
        assert_eq!(
            (cost.gates, c.deal_gates() as u64, cost.labelled_gates),
            (9, 4, 7)
        );
        assert_eq!(
            cost.program_bytes,
            9 * std::mem::size_of::<Gate>() as u64 + 7 + std::mem::size_of::<BatchBounds>() as u64
        );
        // Gate 7 (the opening) reads gate 6; gate 4 (the first product) reads gate 0.
        assert_eq!((c.reach(), ring_slots(c.reach())), (4, Some(8)));
        assert_eq!(c.batches().len(), 1);
        assert!(cost.seconds >= 0.0);
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
            let p = p.circuit();
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
            let one = one.circuit();
            let many =
                transform_workload(|| workloads::build_batched(kind, 50, 4, 9, 8), 3).unwrap();
            let many = many.circuit();
            assert_eq!(many.outputs(), one.outputs(), "{kind}");
            assert_eq!(many.multiplications(), one.multiplications(), "{kind}");
            assert_eq!(many.gates().len(), one.gates().len(), "{kind}");
            assert_eq!(many.deal_gates(), one.deal_gates(), "{kind}");
            // 50 multiplications (51 leaves for `tree`) in batches of 8;
            // `pairs` deals as it computes, in one batch.
            let batches = if kind == WorkloadKind::Pairs { 1 } else { 7 };
            assert_eq!(many.batches().len(), batches, "{kind}");
            // The batches tile the gates, each one's inputs first.
            let mut at = 0;
            for b in many.batches() {
                assert_eq!(b.start, at, "{kind}");
                assert!(b.start <= b.deal_end && b.deal_end <= b.end, "{kind}");
                assert!(many.gates()[b.deal()]
                    .iter()
                    .all(|g| matches!(g, Gate::Input { .. })));
                // (`pairs` deals its inputs in the compute phase.)
                assert!(
                    kind == WorkloadKind::Pairs
                        || !many.gates()[b.compute()]
                            .iter()
                            .any(|g| matches!(g, Gate::Input { .. }))
                );
                at = b.end;
            }
            assert_eq!(at, many.gates().len(), "{kind}");
            // Smaller batches refer less far back.
            assert!(many.reach() <= one.reach(), "{kind}");
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
        let again = transform_params(&small).unwrap();
        assert_eq!(p.circuit().gates(), again.circuit().gates());
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
        let c = p.circuit();
        assert_eq!(
            number(c.gates(), 3, Some(Instant::now())).err(),
            Some(Stop::OutOfTime)
        );
        let far = Instant::now() + std::time::Duration::from_secs(3600);
        let n = number(c.gates(), 3, Some(far)).unwrap();
        assert_eq!((n.len(), c.outputs(), c.multiplications()), (7, 1, 2));
        assert!(matches!(
            number(c.gates(), 2, None).err(),
            Some(Stop::Refused(Some(2), _))
        ));
    }

    #[test]
    fn tracing_is_deterministic() {
        let gates = |seed| {
            transform(WorkloadKind::Tree, 33, 1, seed, 5)
                .unwrap()
                .circuit()
                .gates()
                .to_vec()
        };
        assert_eq!(gates(5), gates(5));
        assert_ne!(gates(5), gates(6), "inputs come from the seed");
    }

    #[test]
    fn nested_is_flattened_and_its_labels_do_not_grow_with_depth() {
        let n = 64;
        let mut widest = Vec::new();
        for depth in [1, 4, 16, 64] {
            let p = transform(WorkloadKind::Nested, n, depth, 3, 3).unwrap();
            assert_eq!(p.circuit().multiplications(), n);
            // Straight-line: each sub-protocol's multiplications follow one another.
            let muls: Vec<_> = p
                .circuit()
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
}
