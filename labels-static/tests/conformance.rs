//! The shared conformance suite (`shamir_runtime::testkit`) for static labels,
//! through its program-aware variant: each run's program (a study workload, or
//! the forced reordering's seed program) is transformed before the run, and
//! every player replays it under a [`StaticLabeller`]. `random-bits` branches
//! on an opened value, so it is reported unsupported rather than run.

use labels_static::{transform_workload, Replay, StaticLabeller, StaticProgram, Tracer};
use shamir_runtime::label::PlayerId;
use shamir_runtime::testkit::{self, Case, ProgramAware, TestProgram};
use shamir_runtime::{Mpc, Workload, WorkloadKind};
use std::sync::Arc;

/// Every workload the static strategy can transform.
const SUPPORTED: [WorkloadKind; 5] = [
    WorkloadKind::Independent,
    WorkloadKind::Tree,
    WorkloadKind::Chain,
    WorkloadKind::Nested,
    WorkloadKind::Duplicates,
];

/// The static strategy as the testkit sees it: transform once per run, then
/// a labeller and a replayer per player, sharing the program.
struct Static;

impl ProgramAware for Static {
    type Labeller = StaticLabeller;
    type Prepared = Arc<StaticProgram>;

    fn prepare(&self, program: &TestProgram) -> Result<Arc<StaticProgram>, String> {
        let players = program.params().players as usize;
        transform_workload(|| program.build::<Tracer>(), players)
            .map(Arc::new)
            .map_err(|e| e.reason)
    }

    fn labeller(&self, prepared: &Arc<StaticProgram>, _me: PlayerId) -> StaticLabeller {
        prepared.labeller()
    }

    fn workload<M: Mpc>(
        &self,
        prepared: &Arc<StaticProgram>,
        _me: PlayerId,
    ) -> Box<dyn Workload<M>> {
        Box::new(Replay::new(prepared.clone()))
    }
}

shamir_runtime::conformance_suite_with!("static", Static, workloads = &SUPPORTED);

/// `random-bits` is refused before any player starts, with the reason.
#[test]
fn random_bits_is_reported_unsupported() {
    for players in testkit::PLAYER_COUNTS {
        let case = Case::new(WorkloadKind::RandomBits, players);
        let reason = testkit::run_case_aware("static", &Static, &case)
            .expect_err("random-bits branches on an opened value");
        assert!(reason.contains("opened value"), "{reason}");
    }
}

/// Both forced reorderings, several times: the seed program, traced and
/// replayed, opens both products right.
#[test]
fn not_fooled_by_forced_reorderings_repeatedly() {
    for _ in 0..3 {
        for program in [
            testkit::SeedProgram::new(),
            testkit::SeedProgram::with_continuations(),
        ] {
            let r = testkit::run_seed_program_aware("static", &Static, &program).unwrap();
            testkit::assert_correct(&r);
            assert_eq!((r.correct, r.outputs), (2, 2), "{r:#?}");
        }
    }
}

/// Static labels are issued in one and the same order on every player, even
/// for `nested` (whose continuations the dynamic strategies run in completion
/// order): 0, 1, 2, … up to the program's labelled gates.
#[test]
fn labels_are_the_gate_numbers_in_order_on_every_player() {
    for workload in [WorkloadKind::Nested, WorkloadKind::Tree] {
        let case = Case {
            jitter_us: 200,
            seed: 42,
            ..Case::new(workload, 5)
        };
        let (r, logs) = testkit::record_labels_aware("static", &Static, &case).unwrap();
        testkit::assert_correct(&r);
        let program = Static
            .prepare(&TestProgram::Workload(case.params()))
            .unwrap();
        let l = program.labeller();
        for (p, log) in logs.iter().enumerate() {
            assert!(log.problems.is_empty(), "player {p}: {:?}", log.problems);
            let numbers: Vec<u64> = log
                .labels
                .iter()
                .map(|rl| shamir_runtime::Labeller::decode(&l, &rl.bytes).unwrap())
                .collect();
            let expected: Vec<u64> = (0..program.labelled_gates()).collect();
            assert_eq!(numbers, expected, "{workload}, player {p}");
            assert_eq!(log.labels, logs[0].labels, "{workload}, player {p}");
        }
    }
}

/// Unlike program counters, static labels do not grow with nesting depth: the
/// deepest nesting's longest label is no longer than the flat one's.
#[test]
fn labels_do_not_grow_with_nesting_depth() {
    let run = |depth| {
        let case = Case {
            depth,
            ..Case::new(WorkloadKind::Nested, 3)
        };
        let r = testkit::run_case_aware("static", &Static, &case).unwrap();
        testkit::assert_correct(&r);
        r.label_bytes_max
    };
    let (flat, deep) = (run(1), run(30));
    assert!(
        deep <= flat,
        "depth 30: {deep} bytes, depth 1: {flat} bytes"
    );
    // 60 multiplications: 120 inputs + 120 products and openings flat, fewer
    // than 128 labels (one varint byte) when 30 deep.
    assert_eq!((flat, deep), (2, 1));
}

/// A player whose labeller was built from a different program than it runs
/// fails the run with `Diverged`, naming the gate: never a silent mislabel.
#[test]
fn a_run_that_departs_from_its_program_fails_with_diverged() {
    let case = Case::new(WorkloadKind::Independent, 3);
    let labelled = labels_static::transform_params(&case.params()).unwrap();
    let labelled = Arc::new(labelled);
    let other = Case {
        workload: WorkloadKind::Tree,
        ..case
    };
    let replayed = Arc::new(labels_static::transform_params(&other.params()).unwrap());
    let started = std::time::Instant::now();
    let r = testkit::run_with("static", &case, |_| {
        let w: Box<dyn Workload<shamir_runtime::Engine<StaticLabeller>>> =
            Box::new(replayed.replay());
        (labelled.labeller(), w)
    });
    let error = r.error.clone().expect("the run fails");
    assert!(error.contains("departed from its labelling"), "{r:#?}");
    assert!(error.contains("gate"), "{error}");
    assert_eq!(r.wrong + r.inconsistent_opens, 0, "{r:#?}");
    assert!(started.elapsed() < testkit::TIMEOUT / 2, "{r:#?}");
}
