//! Runs in memory (`shamir_runtime::in_memory`): every engine on one thread,
//! no sockets. The same checks as over TCP, and a run that cannot finish is
//! named a deadlock instead of spinning.

mod common;

use common::FlatCounter;
use shamir_runtime::cluster::PlayerParts;
use shamir_runtime::in_memory::run_in_memory;
use shamir_runtime::link_coding::LabelCoding;
use shamir_runtime::{workloads, Engine, RuntimeError, WorkloadKind};

fn parts(players: usize, n: u64, kind: WorkloadKind) -> Vec<PlayerParts<FlatCounter>> {
    (0..players)
        .map(|_| {
            let program: Box<dyn shamir_runtime::Workload<Engine<FlatCounter>>> =
                workloads::build(kind, n, 1, 7);
            (FlatCounter::default(), program)
        })
        .collect()
}

#[test]
fn checks_every_product_in_memory() {
    for players in [3, 5] {
        let run = run_in_memory(
            1,
            7,
            64,
            LabelCoding::Plain,
            parts(players, 500, WorkloadKind::Independent),
        )
        .unwrap();
        assert_eq!(run.counters.len(), players);
        for c in &run.counters {
            assert_eq!((c.correct, c.wrong, c.unverifiable), (500, 0, 0));
            assert_eq!(c.inconsistent_opens, 0);
        }
    }
}

#[test]
fn a_program_that_waits_forever_is_a_deadlock() {
    // Player 2 runs a shorter program: the others wait for its inputs.
    let mut p = parts(3, 100, WorkloadKind::Chain);
    p[2].1 = workloads::build(WorkloadKind::Chain, 50, 1, 7);
    let err = run_in_memory(1, 7, 64, LabelCoding::Plain, p).unwrap_err();
    assert!(
        matches!(err, RuntimeError::Deadlocked { phase: "input", .. }),
        "{err}"
    );
}
