//! The shared conformance suite (`shamir_runtime::testkit`) for history labels
//! at the default size, every label size end to end with its exact wire size,
//! and the `duplicates` workload: the same history twice, both results right.

use labels_history::{HistoryStrategy, LABEL_BYTES};
use shamir_runtime::testkit::{self, Case};
use shamir_runtime::WorkloadKind;

shamir_runtime::conformance_suite!(labels_history::HistoryStrategy::default());

/// Every label size runs correctly, with jitter, and every message carries
/// exactly `label_bytes` bytes of label.
#[test]
fn every_label_size_is_correct_and_sends_exactly_that_many_bytes() {
    let workloads = [
        WorkloadKind::Independent,
        WorkloadKind::Nested,
        WorkloadKind::RandomBits,
        WorkloadKind::Duplicates,
    ];
    for b in LABEL_BYTES {
        let history = HistoryStrategy::new(b).unwrap();
        for (i, workload) in workloads.into_iter().enumerate() {
            let case = Case {
                jitter_us: 200,
                seed: 40 + i as u64,
                ..Case::new(workload, 3)
            };
            let r = testkit::run(&history, &case);
            testkit::assert_correct(&r);
            assert!(r.messages > 0, "{case:?}");
            assert_eq!(r.label_bytes_max, b as u64, "{case:?}");
            assert_eq!(r.label_bytes_total, r.messages * b as u64, "{case:?}");
        }
        // Labels agree across players and round-trip at every size.
        let case = Case {
            jitter_us: 200,
            ..Case::new(WorkloadKind::Nested, 3)
        };
        testkit::labels_agree(&history, &case);
    }
}

/// `x = a·b; y = a·b`: both copies share one label (and so do their openings),
/// yet every result opens right and no message is lost or orphaned, for 3, 5
/// and 7 players with jitter. The mailbox queues the repeated labels in arrival
/// order.
#[test]
fn duplicates_share_labels_and_stay_correct() {
    let case = Case {
        jitter_us: 200,
        seed: 11,
        ..Case::new(WorkloadKind::Duplicates, 3)
    };
    let log = testkit::labels_agree(&HistoryStrategy::default(), &case);
    let count = |op: &str| {
        let labels: Vec<_> = log.labels.iter().filter(|l| l.op == op).collect();
        let mut distinct = labels.clone();
        distinct.sort();
        distinct.dedup();
        (labels.len() as u64, distinct.len() as u64)
    };
    let pairs = case.n.div_ceil(2);
    assert_eq!(
        count("mul"),
        (case.n, pairs),
        "each product twice, one history"
    );
    assert_eq!(
        count("open"),
        (case.n, pairs),
        "each opening twice, one history"
    );
    // Consecutive products are the copies: the same label.
    let muls: Vec<_> = log.labels.iter().filter(|l| l.op == "mul").collect();
    for pair in muls.chunks(2) {
        assert!(pair.len() < 2 || pair[0] == pair[1], "{pair:?}");
    }

    let mut repeated = 0;
    for players in testkit::PLAYER_COUNTS {
        for seed in 0..3 {
            let case = Case {
                jitter_us: 200,
                seed: 100 + seed,
                ..Case::new(WorkloadKind::Duplicates, players)
            };
            let r = testkit::run(&HistoryStrategy::default(), &case);
            testkit::assert_correct(&r);
            assert_eq!((r.correct, r.orphans), (case.n, 0), "{r:#?}");
            repeated += r.repeated_labels;
        }
    }
    // The repeated-label path of the mailbox was taken, not just possible.
    assert!(repeated > 0, "no message repeated a live (sender, label)");
}

/// Hash labels do not compress against the link: a label shares no prefix
/// with the one sent before it (but by chance), so coded it takes its own
/// bytes plus the one that says how many it shares.
#[test]
fn hash_labels_coded_against_the_link_take_a_byte_more() {
    use shamir_runtime::link_coding::LabelCoding;
    let case = Case {
        n: 2_000,
        jitter_us: 100,
        label_coding: LabelCoding::Link,
        ..Case::new(WorkloadKind::Independent, 3)
    };
    let r = testkit::run(&HistoryStrategy::default(), &case);
    testkit::assert_correct(&r);
    assert!(
        (16.9..=17.0).contains(&r.label_bytes_mean),
        "{} B per message",
        r.label_bytes_mean
    );
}
