//! [`conformance_suite!`](crate::conformance_suite): the suite as `#[test]`
//! functions in a strategy crate's own tests.

/// Exports the conformance suite as `#[test]` functions into the calling
/// test crate: every workload correct for 3, 5 and 7 players with and without
/// jitter (one test per player count), labels that agree across players and
/// round-trip through their wire form, and no fooling by the forced
/// reorderings.
///
/// ```ignore
/// shamir_runtime::conformance_suite!(labels_counter::CounterStrategy);
/// // A strategy that cannot run some workloads lists those it can:
/// shamir_runtime::conformance_suite!(my_crate::MyStrategy,
///     workloads = &[shamir_runtime::WorkloadKind::Independent]);
/// ```
///
/// `$strategy` is evaluated once per test.
#[macro_export]
macro_rules! conformance_suite {
    ($strategy:expr) => {
        $crate::conformance_suite!($strategy, workloads = &$crate::WorkloadKind::ALL);
    };
    ($strategy:expr, workloads = $workloads:expr) => {
        #[test]
        fn conformance_every_workload_correct_3_players() {
            $crate::testkit::assert_every_workload_correct(
                &$strategy,
                $crate::testkit::PLAYER_COUNTS[0],
                $workloads,
            );
        }

        #[test]
        fn conformance_every_workload_correct_5_players() {
            $crate::testkit::assert_every_workload_correct(
                &$strategy,
                $crate::testkit::PLAYER_COUNTS[1],
                $workloads,
            );
        }

        #[test]
        fn conformance_every_workload_correct_7_players() {
            $crate::testkit::assert_every_workload_correct(
                &$strategy,
                $crate::testkit::PLAYER_COUNTS[2],
                $workloads,
            );
        }

        #[test]
        fn conformance_labels_agree_across_players() {
            $crate::testkit::assert_labels_agree_on_every_workload(&$strategy, $workloads);
        }

        #[test]
        fn conformance_not_fooled_by_forced_reordering() {
            $crate::testkit::assert_not_fooled_by_forced_reordering(&$strategy);
        }
    };
}
