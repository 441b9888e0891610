//! The shared conformance suite (`shamir_runtime::testkit`) for VIFF's program
//! counters, and the deterministic failure of the naive counter on the seed's
//! forced reordering, side by side with the program counter on the same schedule.

use labels_counter::{CounterStrategy, NaiveStrategy, ProgramCounter};
use shamir_runtime::testkit;

shamir_runtime::conformance_suite!(labels_counter::CounterStrategy);

/// The seed program `x = mul(a, b); y = mul(c, d)` with player 0 owning a, b and
/// player 1 owning c, d: the two players send their first multiplication
/// message for different multiplications. The naive counter labels both with
/// the same counter value, so the players disagree and the openings come out
/// wrong or inconsistent — every time, not 0.01% of the time.
#[test]
fn naive_counter_is_fooled_by_forced_reordering_every_time() {
    for attempt in 0..5 {
        let r = testkit::assert_fooled_by_forced_reordering(&NaiveStrategy);
        assert!(
            r.wrong + r.inconsistent_opens > 0,
            "attempt {attempt}: the naive counter must give wrong results or inconsistent openings: {r:#?}"
        );
        assert!(
            r.correct < r.outputs,
            "attempt {attempt}: some output must be lost: {r:#?}"
        );
        // The same program with the multiplications issued from continuations.
        let r = testkit::assert_fooled_by_forced_continuation_reordering(&NaiveStrategy);
        assert!(
            r.wrong + r.inconsistent_opens > 0,
            "attempt {attempt}: {r:#?}"
        );
    }
}

/// The same schedule under VIFF's program counter: both products open right.
#[test]
fn program_counter_is_not_fooled_on_the_same_schedule() {
    for _ in 0..5 {
        let r = testkit::forced_reordering(&CounterStrategy);
        testkit::assert_correct(&r);
        assert_eq!((r.correct, r.outputs), (2, 2), "{r:#?}");
        let r = testkit::forced_continuation_reordering(&CounterStrategy);
        testkit::assert_correct(&r);
        assert_eq!((r.correct, r.outputs), (2, 2), "{r:#?}");
    }
}

/// Program-counter labels grow with nesting: the `nested` workload's deepest
/// label is longer than any label of the flat `independent` workload.
#[test]
fn program_counter_labels_grow_with_nesting() {
    use shamir_runtime::WorkloadKind;
    let flat = testkit::run(
        &CounterStrategy,
        &testkit::Case::new(WorkloadKind::Independent, 3),
    );
    let nested = testkit::run(
        &CounterStrategy,
        &testkit::Case::new(WorkloadKind::Nested, 3),
    );
    testkit::assert_correct(&flat);
    testkit::assert_correct(&nested);
    assert!(
        nested.label_bytes_max > flat.label_bytes_max,
        "nested max label {} bytes vs independent {} bytes",
        nested.label_bytes_max,
        flat.label_bytes_max
    );
}

/// A program counter spends a top-level key on every continuation it
/// schedules, with no message under it: `nested` in several batches leaves a
/// player that finishes a batch first tens of thousands of keys ahead of the
/// others (here a batch of 4,096 continuations against a table of 1,024
/// dense slots). Its next batch's labels must wait at the others, not be
/// refused as a flood, and every result must come out right.
#[test]
fn nested_in_batches_beyond_the_table_stays_correct_over_tcp() {
    use shamir_runtime::{cluster, workloads, RunParams, WorkloadKind};
    use std::time::Duration;
    let batch = 4096;
    for depth in [1, 4] {
        let params = RunParams {
            workload: WorkloadKind::Nested,
            n: 3 * batch + 7,
            depth,
            window: 16,
            ..RunParams::example()
        };
        let report = cluster::run_local(
            &params,
            "counter",
            Duration::from_secs(120),
            false,
            params.n,
            |_| {
                (
                    ProgramCounter::new(),
                    workloads::build_batched(params.workload, params.n, depth, params.seed, batch),
                )
            },
        )
        .expect("the run starts");
        testkit::assert_correct(&report);
        assert_eq!(report.correct, params.n, "depth {depth}: {report:#?}");
    }
}

/// The seed's pairs, dealt while they run, over real sockets: the program
/// counter is right at every window and jitter; the naive counter is right
/// when one pair is in flight at a time (window 1), where each link carries
/// `x`'s operand before `y`'s and nothing else is issued in between.
#[test]
fn pairs_are_right_under_the_counter_and_naive_one_pair_at_a_time() {
    use shamir_runtime::{RunParams, WorkloadKind};
    let params = |window, jitter_us| RunParams {
        n: 1_001,
        window,
        jitter_us,
        ..testkit::Case::new(WorkloadKind::Pairs, 3).params()
    };
    for (window, jitter) in [(1, 0), (6, 0), (4096, 0), (4096, 200)] {
        let p = params(window, jitter);
        let r = testkit::run_program(&CounterStrategy, &p, &p, testkit::TIMEOUT);
        testkit::assert_correct(&r);
        assert_eq!((r.correct, r.outputs), (1_001, 1_001), "{r:#?}");
    }
    for jitter in [0, 200] {
        let p = params(1, jitter);
        let r = testkit::run_program(&NaiveStrategy, &p, &p, testkit::TIMEOUT);
        testkit::assert_correct(&r);
        assert_eq!(r.correct, 1_001, "{r:#?}");
    }
}

/// Coded against the link, program counters take about a byte per message
/// (their varints coded against the last label of the same depth), flat or
/// nested 16 deep, and every result is still right; plain, they take about
/// bytes or more.
#[test]
fn program_counters_coded_against_the_link_take_about_a_byte() {
    use shamir_runtime::link_coding::LabelCoding;
    use shamir_runtime::WorkloadKind;
    for (workload, depth) in [(WorkloadKind::Independent, 1), (WorkloadKind::Nested, 16)] {
        let case = |label_coding| testkit::Case {
            n: 2_000,
            depth,
            jitter_us: 100,
            label_coding,
            ..testkit::Case::new(workload, 3)
        };
        let plain = testkit::run(&CounterStrategy, &case(LabelCoding::Plain));
        let coded = testkit::run(&CounterStrategy, &case(LabelCoding::Link));
        testkit::assert_correct(&plain);
        testkit::assert_correct(&coded);
        assert_eq!(coded.label_coding, LabelCoding::Link);
        assert!(plain.label_bytes_mean > 1.9, "{workload}: {plain:#?}");
        assert!(coded.label_bytes_mean <= 1.5, "{workload}: {coded:#?}");
    }
}
