//! The shared conformance suite (`shamir_runtime::testkit`) for static labels:
//! each run's program (a study workload, or the forced reordering's seed
//! program) is transformed before the run by [`StaticStrategy::prepare`], and
//! every player replays it under a [`StaticLabeller`]. `random-bits` and
//! `retry` loop on opened values: their loops are traced once, numbered, and
//! labelled by path at run time.

use labels_static::{StaticLabeller, StaticStrategy};
use shamir_runtime::circuit::Replay;
use shamir_runtime::cluster::{self, PlayerParts};
use shamir_runtime::testkit::{self, Case};
use shamir_runtime::{Strategy, WorkloadKind};
use std::time::Instant;

shamir_runtime::conformance_suite!(StaticStrategy, workloads = &WorkloadKind::ALL);

/// The static program of `case`'s workload.
fn transformed(case: &Case) -> std::sync::Arc<labels_static::StaticProgram> {
    let params = case.params();
    StaticStrategy
        .prepare(
            &params,
            &params,
            shamir_runtime::sys::deadline(Instant::now(), testkit::TIMEOUT),
        )
        .unwrap()
}

/// The loop workloads run under static labels: their labels inside loops are
/// paths (three varints or more), the same multiset at every player.
#[test]
fn loop_workloads_are_labelled_by_path() {
    for workload in [WorkloadKind::RandomBits, WorkloadKind::Retry] {
        let case = Case {
            jitter_us: 200,
            ..Case::new(workload, 3)
        };
        let (r, logs) = testkit::record_labels(&StaticStrategy, &case);
        testkit::assert_correct(&r);
        let l = StaticLabeller::new(transformed(&case));
        let mut sorted: Vec<Vec<Vec<u8>>> = Vec::new();
        for (p, log) in logs.iter().enumerate() {
            assert!(log.problems.is_empty(), "player {p}: {:?}", log.problems);
            let paths = log
                .labels
                .iter()
                .map(|rl| shamir_runtime::Labeller::decode(&l, &rl.bytes).unwrap());
            assert!(paths.clone().any(|p| p.len() >= 3), "{workload}");
            if workload == WorkloadKind::Retry {
                assert!(paths.clone().any(|p| p.len() >= 5), "{workload}: nested");
                // Some loop ran a second iteration.
                assert!(
                    paths.clone().any(|p| p.len() >= 3 && p[1] > 0),
                    "{workload}"
                );
            }
            let mut bytes: Vec<Vec<u8>> = log.labels.iter().map(|rl| rl.bytes.clone()).collect();
            bytes.sort();
            sorted.push(bytes);
        }
        assert!(sorted.windows(2).all(|w| w[0] == w[1]), "{workload}");
    }
}

/// Both forced reorderings, several times: the seed program, traced and
/// replayed, opens both products right.
#[test]
fn not_fooled_by_forced_reorderings_repeatedly() {
    for _ in 0..3 {
        for r in [
            testkit::forced_reordering(&StaticStrategy),
            testkit::forced_continuation_reordering(&StaticStrategy),
        ] {
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
        let (r, logs) = testkit::record_labels(&StaticStrategy, &case);
        testkit::assert_correct(&r);
        let program = transformed(&case);
        let l = StaticLabeller::new(program.clone());
        for (p, log) in logs.iter().enumerate() {
            assert!(log.problems.is_empty(), "player {p}: {:?}", log.problems);
            let numbers: Vec<u64> = log
                .labels
                .iter()
                .map(|rl| shamir_runtime::Labeller::decode(&l, &rl.bytes).unwrap()[0])
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
        let r = testkit::run(&StaticStrategy, &case);
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
    let labelled = transformed(&case);
    let other = Case {
        workload: WorkloadKind::Tree,
        ..case
    };
    let replayed = transformed(&other);
    let started = Instant::now();
    let params = case.params();
    let parts = |_| -> PlayerParts<StaticLabeller> {
        (
            StaticLabeller::new(labelled.clone()),
            Box::new(Replay::new(replayed.clone())),
        )
    };
    let r = cluster::run_local(&params, "static", testkit::TIMEOUT, false, params.n, parts)
        .expect("the players start");
    let error = r.error.clone().expect("the run fails");
    assert!(error.contains("departed from its labelling"), "{r:#?}");
    assert!(error.contains("gate"), "{error}");
    assert_eq!(r.wrong + r.inconsistent_opens, 0, "{r:#?}");
    assert!(started.elapsed() < testkit::TIMEOUT / 2, "{r:#?}");
}

/// `independent` with `n` multiplications under static labels, with `timeout`
/// for the whole run, the tracing included.
fn run_within(n: u64, timeout: std::time::Duration) -> shamir_runtime::RunReport {
    use shamir_runtime::strategy::LocalRun;
    let params = shamir_runtime::RunParams {
        workload: WorkloadKind::Independent,
        n,
        ..shamir_runtime::RunParams::example()
    };
    let how = LocalRun {
        timeout,
        dense_keys: true,
        secure: false,
    };
    shamir_runtime::AnyStrategy::run_local(&StaticStrategy, &params, how).unwrap()
}

/// Tracing counts against the run's timeout: a program too large to trace in
/// time is a hung run whose error names the phase, not a run that overstays.
#[test]
fn tracing_that_outlasts_the_timeout_is_a_hung_run_naming_the_phase() {
    use std::time::Duration;
    let started = Instant::now();
    let r = run_within(20_000_000, Duration::from_millis(20));
    assert!(started.elapsed() < Duration::from_secs(5), "stopped early");
    assert!(r.hung);
    let error = r.error.unwrap_or_default();
    assert!(error.contains("tracing the program"), "{error}");
    assert!(
        r.transform_s.is_some_and(|s| s >= 0.02),
        "{:?}",
        r.transform_s
    );
    assert!(!r.unsupported);
    assert_eq!(r.correct, 0);
    assert_eq!(r.outputs, 20_000_000);
}

/// A quick trace leaves the run the rest of its time.
#[test]
fn a_quick_trace_leaves_the_run_its_time() {
    let r = run_within(200, std::time::Duration::from_secs(30));
    assert_eq!((r.hung, r.error.as_deref()), (false, None));
    assert_eq!(r.correct, 200);
}

/// Coded against the link, gate numbers take a byte or two per message: about
/// one on `independent`, at most two on `nested` 16 deep (a product's and an
/// opening's numbers interleave), and on `retry`, whose labels inside loops are
/// paths, fewer bytes than plain; every result is still right.
#[test]
fn gate_numbers_coded_against_the_link_take_a_byte_or_two() {
    use shamir_runtime::link_coding::LabelCoding;
    for (workload, depth, most) in [
        (WorkloadKind::Independent, 1, 1.5),
        (WorkloadKind::Nested, 16, 2.0),
        (WorkloadKind::Retry, 1, f64::INFINITY),
    ] {
        let case = |label_coding| Case {
            n: 2_000,
            depth,
            jitter_us: 100,
            label_coding,
            ..Case::new(workload, 3)
        };
        let plain = testkit::run(&StaticStrategy, &case(LabelCoding::Plain));
        let coded = testkit::run(&StaticStrategy, &case(LabelCoding::Link));
        testkit::assert_correct(&plain);
        testkit::assert_correct(&coded);
        assert!(
            coded.label_bytes_mean <= most && coded.label_bytes_mean < plain.label_bytes_mean,
            "{workload}: {} B coded, {} B plain",
            coded.label_bytes_mean,
            plain.label_bytes_mean
        );
    }
}
