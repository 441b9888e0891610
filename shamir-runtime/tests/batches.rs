//! Programs in batches, run end to end: over TCP and in memory, a workload cut
//! into many small batches gives the results, operation counts and checks of
//! the same workload in one batch, and the report times every batch.

mod common;

use common::FlatCounter;
use shamir_runtime::cluster::{self, PlayerParts};
use shamir_runtime::in_memory::run_in_memory;
use shamir_runtime::link_coding::LabelCoding;
use shamir_runtime::workloads::{build_batched, BATCH};
use shamir_runtime::{Engine, RunParams, RunReport, Workload, WorkloadKind};
use std::time::Duration;

/// The batched workloads without continuations, which the flat counter
/// labels correctly (`nested` in batches, under the program counter, is run
/// over TCP by `labels-counter`'s conformance tests).
const KINDS: [WorkloadKind; 3] = [
    WorkloadKind::Independent,
    WorkloadKind::Duplicates,
    WorkloadKind::Chain,
];

fn params(kind: WorkloadKind) -> RunParams {
    RunParams {
        workload: kind,
        n: 50,
        depth: 3,
        window: 16,
        ..RunParams::example()
    }
}

fn program(p: &RunParams, batch: u64) -> Box<dyn Workload<Engine<FlatCounter>>> {
    build_batched(p.workload, p.n, p.depth, p.seed, batch)
}

/// The run's report, and the operations of its compute phases at player 0.
fn over_tcp(p: &RunParams, batch: u64) -> (RunReport, u64) {
    let players = cluster::run_players(
        p,
        Duration::from_secs(30),
        false,
        |_| "flat".to_string(),
        |_| (FlatCounter::default(), program(p, batch)),
    )
    .expect("a run");
    let ops = players[0].report.ops;
    (RunReport::combine("flat", p, p.n, &players), ops)
}

#[test]
fn many_batches_over_tcp_count_and_check_as_one() {
    for kind in KINDS {
        let p = params(kind);
        let (one, one_ops) = over_tcp(&p, BATCH);
        let (many, many_ops) = over_tcp(&p, 8);
        for r in [&one, &many] {
            assert_eq!(r.error, None, "{kind}");
            assert_eq!((r.correct, r.wrong), (p.n, 0), "{kind}");
            assert!(r.wall_s > 0.0 && r.input_s > 0.0, "{kind}");
        }
        // The deal phases' operations stay out of `ops`, batch after batch.
        assert_eq!(many_ops, one_ops, "{kind}");
        assert_eq!(many.ops_issued, one.ops_issued, "{kind}");
        assert!(many_ops < many.ops_issued, "{kind}");
    }
}

#[test]
fn many_batches_in_memory_check_as_one() {
    for kind in KINDS {
        let p = params(kind);
        let parts = |batch| -> Vec<PlayerParts<FlatCounter>> {
            (0..p.players)
                .map(|_| (FlatCounter::default(), program(&p, batch)))
                .collect()
        };
        let one = run_in_memory(1, 7, 16, LabelCoding::Plain, parts(BATCH)).unwrap();
        let many = run_in_memory(1, 7, 16, LabelCoding::Plain, parts(8)).unwrap();
        for (a, b) in one.counters.iter().zip(&many.counters) {
            assert_eq!((b.correct, b.wrong, b.unverifiable), (p.n, 0, 0), "{kind}");
            assert_eq!(a.ops, b.ops, "{kind}");
        }
    }
}

#[test]
fn players_disagreeing_on_batches_is_a_program_error() {
    let p = params(WorkloadKind::Independent);
    let mut parts: Vec<PlayerParts<FlatCounter>> = (0..p.players)
        .map(|_| (FlatCounter::default(), program(&p, 8)))
        .collect();
    // Player 2 stops after its first batch, whose inputs the others deal too.
    struct OneBatch(Box<dyn Workload<Engine<FlatCounter>>>);
    impl Workload<Engine<FlatCounter>> for OneBatch {
        fn deal(&mut self, m: &mut Engine<FlatCounter>) -> bool {
            self.0.deal(m)
        }
        fn compute(&mut self, m: &mut Engine<FlatCounter>) -> bool {
            self.0.compute(m)
        }
        fn outputs(&self) -> u64 {
            self.0.outputs()
        }
        fn multiplications(&self) -> u64 {
            self.0.multiplications()
        }
    }
    parts[2].1 = Box::new(OneBatch(program(&p, 8)));
    let err = run_in_memory(1, 7, 16, LabelCoding::Plain, parts).unwrap_err();
    assert!(err.to_string().contains("another batch"), "{err}");
}
