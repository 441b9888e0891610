//! The transformation: trace a workload into a [`Circuit`] with the
//! runtime's [`Tracer`], batch by batch, number its labelled gates with the
//! kind of operation each one is, and keep the result as a [`StaticProgram`]
//! every player of the process shares.

use shamir_runtime::circuit::{number, Circuit, GateId, NumberError, Numbering, Tracer};
use shamir_runtime::{Program, Workload};
use std::time::Instant;

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
/// labelled gates (0, 1, 2, …, in issue order), sent as a varint; inside
/// loops, its path ([`Numbering`]).
#[derive(Debug, Clone)]
pub struct StaticProgram {
    circuit: Circuit,
    /// The numbers of the labelled gates, loops included (what the labeller
    /// walks and compares).
    pub(crate) numbering: Numbering,
    cost: TransformCost,
}

impl StaticProgram {
    /// The traced circuit: its gates, batches and reach.
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// Number of the top level's labelled gates (loops included); its
    /// labels run from 0 to this minus one.
    pub fn labelled_gates(&self) -> u64 {
        self.numbering.len()
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
/// passed (the tracer looks at the clock every [`DEADLINE_CHECK`](shamir_runtime::circuit::DEADLINE_CHECK) gates), so
/// that tracing counts against a run's timeout.
pub fn transform<P: Program>(
    program: &P,
    players: usize,
    deadline: Option<Instant>,
) -> Result<StaticProgram, TransformError> {
    trace(|| program.build(), players, deadline)
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
        Err(NumberError::OutOfTime)
    } else if let Some(r) = tracer.rejection() {
        Err(NumberError::Refused(r.gate, r.reason.clone()))
    } else {
        let circuit = tracer.into_circuit();
        number(&circuit, players, deadline).map(|numbering| (circuit, numbering))
    };
    let seconds = started.elapsed().as_secs_f64();
    let (circuit, numbering) = numbered.map_err(|stop| match stop {
        NumberError::Refused(gate, reason) => Unsupported {
            reason,
            gate,
            seconds,
        }
        .into(),
        NumberError::OutOfTime => TransformError::OutOfTime { seconds, gates },
    })?;
    let cost = TransformCost {
        seconds,
        gates,
        labelled_gates: numbering.len(),
        program_bytes: (circuit.bytes() + numbering.bytes()) as u64,
    };
    Ok(StaticProgram {
        circuit,
        numbering,
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
    use shamir_runtime::circuit::{ring_slots, BatchBounds, Gate};
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
        let loops = RunParams {
            workload: WorkloadKind::RandomBits,
            ..small
        };
        assert!(transform_params_until(&loops, far).is_ok());
    }

    #[test]
    fn numbering_stops_at_the_deadline() {
        let p = transform_workload(tiny, 3).unwrap();
        let c = p.circuit();
        assert_eq!(
            number(c, 3, Some(Instant::now())).err(),
            Some(NumberError::OutOfTime)
        );
        let far = Instant::now() + std::time::Duration::from_secs(3600);
        let n = number(c, 3, Some(far)).unwrap();
        assert_eq!((n.len(), c.outputs(), c.multiplications()), (7, 1, 2));
        assert!(matches!(
            number(c, 2, None).err(),
            Some(NumberError::Refused(Some(2), _))
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
    fn loops_are_traced_once_and_numbered_by_sub_program() {
        let n = 20;
        for kind in [WorkloadKind::RandomBits, WorkloadKind::Retry] {
            let p = transform(kind, n, 1, 1, 3).unwrap();
            let c = p.circuit();
            assert_eq!((c.outputs(), c.multiplications()), (n, n), "{kind}");
            // One loop gate per item at the top level, traced once each.
            assert_eq!(c.loops().len() as u64, n, "{kind}");
            let loops = c.gates().iter().filter(|g| matches!(g, Gate::Loop(_)));
            assert_eq!(loops.count() as u64, n, "{kind}");
            // retry: per item the outer loop, the inner loop of its body and
            // the inner loop of its continuation.
            let per_item = if kind == WorkloadKind::Retry { 3 } else { 1 };
            assert_eq!(c.scopes().len() as u64, per_item * n, "{kind}");
        }
        // random-bits: random, mul, open, open in the body; the bit and its
        // opening and check in the continuation.
        let p = transform(WorkloadKind::RandomBits, 1, 1, 1, 3).unwrap();
        let s = &p.circuit().scopes()[0];
        assert_eq!(s.body, 4, "{s:?}");
        assert_eq!(p.labelled_gates(), 1);
    }

    /// A loop program the trace cannot number, and why.
    fn refused(body: impl Fn(&mut Tracer) + 'static) -> Unsupported {
        struct Once<F>(Option<F>);
        impl<F: Fn(&mut Tracer)> Workload<Tracer> for Once<F> {
            fn deal(&mut self, _: &mut Tracer) -> bool {
                false
            }
            fn compute(&mut self, m: &mut Tracer) -> bool {
                self.0.take().map(|f| f(m)).is_some()
            }
            fn outputs(&self) -> u64 {
                1
            }
            fn multiplications(&self) -> u64 {
                0
            }
        }
        transform_workload(|| Box::new(Once(Some(body))), 3).unwrap_err()
    }

    #[test]
    fn what_loops_cannot_do_is_refused_with_a_reason() {
        use shamir_runtime::{Loop, Step};
        let coin = |m: &mut dyn shamir_runtime::Ops| {
            let r = m.random();
            Step {
                read: vec![m.open(r)],
                carry: vec![],
            }
        };
        // A read outside a loop: the old random-bits.
        let e = refused(|m| {
            let r = m.random();
            let o = m.open(r);
            m.schedule(&[o.into()], move |m| {
                m.read(o);
            });
        });
        assert!(e.reason.contains("outside a loop"), "{e}");
        // A continuation whose shape depends on the value read.
        let e = refused(move |m| {
            let l = Loop::new(
                move |m, _| coin(m),
                |_| false,
                |m, read, _, _| {
                    if read[0].value() % 2 == 0 {
                        m.random();
                    }
                },
            );
            m.repeat(&[], l);
        });
        assert!(e.reason.contains("different operations"), "{e}");
        // A body that uses a value it was not given.
        let e = refused(move |m| {
            let a = m.input(0, Fp::ONE);
            let l = Loop::new(
                move |m, _| {
                    m.mul(a, a);
                    coin(m)
                },
                |_| false,
                |_, _, _, _| {},
            );
            m.repeat(&[], l);
        });
        assert!(e.reason.contains("not passed in its inputs"), "{e}");
        assert_eq!(e.gate, Some(0));
    }
}
