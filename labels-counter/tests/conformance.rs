//! The shared conformance suite (`shamir_runtime::testkit`) for VIFF's program
//! counters, and the deterministic failure of the naive counter on the seed's
//! forced reordering, side by side with the program counter on the same schedule.

use labels_counter::{NaiveCounter, ProgramCounter};
use shamir_runtime::testkit;

shamir_runtime::conformance_suite!("counter", labels_counter::ProgramCounter::new());

/// The seed program `x = mul(a, b); y = mul(c, d)` with player 0 owning a, b and
/// player 1 owning c, d: the two players send their first multiplication
/// message for different multiplications. The naive counter labels both with
/// the same counter value, so the players disagree and the openings come out
/// wrong or inconsistent — every time, not 0.01% of the time.
#[test]
fn naive_counter_is_fooled_by_forced_reordering_every_time() {
    for attempt in 0..5 {
        let r = testkit::assert_fooled_by_forced_reordering("naive", NaiveCounter::new);
        assert!(
            r.wrong + r.inconsistent_opens > 0,
            "attempt {attempt}: the naive counter must give wrong results or inconsistent openings: {r:#?}"
        );
        assert!(
            r.correct < r.outputs,
            "attempt {attempt}: some output must be lost: {r:#?}"
        );
        // The same program with the multiplications issued from continuations.
        let r =
            testkit::assert_fooled_by_forced_continuation_reordering("naive", NaiveCounter::new);
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
        let r = testkit::forced_reordering("counter", ProgramCounter::new);
        testkit::assert_correct(&r);
        assert_eq!((r.correct, r.outputs), (2, 2), "{r:#?}");
        let r = testkit::forced_continuation_reordering("counter", ProgramCounter::new);
        testkit::assert_correct(&r);
        assert_eq!((r.correct, r.outputs), (2, 2), "{r:#?}");
    }
}

/// Program-counter labels grow with nesting: the `nested` workload's deepest
/// label is longer than any label of the flat `independent` workload.
#[test]
fn program_counter_labels_grow_with_nesting() {
    use shamir_runtime::WorkloadKind;
    let flat = testkit::run_case(
        "counter",
        ProgramCounter::new,
        &testkit::Case::new(WorkloadKind::Independent, 3),
    );
    let nested = testkit::run_case(
        "counter",
        ProgramCounter::new,
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
