//! The shared conformance suite every labelling crate runs (feature `testkit`),
//! in the spirit of RustCrypto's `digest::dev`: one set of checks, written
//! once, that a strategy crate pulls into its own tests with
//! [`conformance_suite!`](crate::conformance_suite).
//!
//! Everything here takes a [`Strategy`](crate::Strategy), the same value the
//! harness runs, so a strategy is tested exactly as it is measured.
//!
//! What the suite checks, for a strategy `S`:
//!
//! * **Correctness** ([`assert_every_workload_correct`], in [`run`](self::run)):
//!   every workload of the study, for 3, 5 and 7 players, without and with
//!   jitter, opens exactly the plaintext results: no wrong result, no
//!   inconsistent opening, no orphan message, no hang, no error, no refusal.
//! * **Agreement** ([`labels_agree`], in [`record`](self::record)): wrapped in
//!   [`Recorded`], the labeller hands out the same labels on every player (for
//!   [`LabelTiming::AtIssue`](crate::LabelTiming) labellers), and every label
//!   survives `encode` → `decode` unchanged, with `encoded_len` telling its
//!   true length.
//! * **The forced reorderings** ([`forced_reordering`],
//!   [`forced_continuation_reordering`], in [`seed`](self::seed)): the seed's
//!   `x = mul(a, b); y = mul(c, d)` arranged so that two players reach the two
//!   multiplications (or the continuations that issue them) in opposite
//!   orders, deterministically. A correct strategy is not fooled; the naive
//!   counter is, every time ([`assert_fooled_by_forced_reordering`]).
//!
//! A strategy crate adds `shamir-runtime = { ..., features = ["testkit"] }` to
//! its dev-dependencies and writes, in `tests/conformance.rs`:
//!
//! ```ignore
//! shamir_runtime::conformance_suite!(labels_counter::CounterStrategy);
//! ```

mod check;
mod record;
mod run;
mod seed;
mod suite;

pub use check::{assert_correct, check_correct, is_fooled};
pub use record::{
    assert_labels_agree_on_every_workload, issue_order_is_program_order, labels_agree,
    record_labels, LabelLog, Recorded, RecordedLabel, SharedLog,
};
pub use run::{assert_every_workload_correct, run, run_program};
pub use seed::{
    assert_fooled_by_forced_continuation_reordering, assert_fooled_by_forced_reordering,
    assert_not_fooled_by_forced_reordering, forced_continuation_reordering, forced_reordering,
    forced_reordering_params, SeedProgram,
};

use crate::link_coding::LabelCoding;
use crate::params::{RunParams, WorkloadKind};
use crate::shamir::Shamir;
use std::time::Duration;

/// How long an ordinary conformance run may take before it counts as hung.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// How long the forced-reordering run may take (it has two multiplications).
pub const FORCED_TIMEOUT: Duration = Duration::from_secs(10);

/// The issuing window of every conformance run.
pub const WINDOW: u32 = 4096;

/// Player counts the suite runs every workload with (one test of
/// [`conformance_suite!`](crate::conformance_suite) per count).
pub const PLAYER_COUNTS: [u32; 3] = [3, 5, 7];

/// Jitter bounds (µs) the suite runs every workload with: none, and enough to
/// make completion orders differ between players.
pub const JITTERS_US: [u64; 2] = [0, 200];

/// Multiplications per conformance run: small, the suite runs in debug builds.
pub const SMALL_N: u64 = 60;

/// Nesting depth of the `nested` workload in conformance runs.
pub const NESTED_DEPTH: u32 = 4;

/// One run's shape: which program, how many players, how big, how jittery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Case {
    /// The program.
    pub workload: WorkloadKind,
    /// Number of players (threshold ⌊(players − 1)/2⌋).
    pub players: u32,
    /// Multiplications (random bits for `random-bits`).
    pub n: u64,
    /// Nesting depth (used by `nested`).
    pub depth: u32,
    /// Maximum per-frame delay in µs (0: none).
    pub jitter_us: u64,
    /// Seed of every random choice of the run.
    pub seed: u64,
    /// How labels are written on the links.
    pub label_coding: LabelCoding,
}

impl Case {
    /// `workload` with `players` players, [`SMALL_N`] multiplications,
    /// [`NESTED_DEPTH`] for `nested` (1 otherwise), no jitter, seed 1, plain
    /// labels.
    pub fn new(workload: WorkloadKind, players: u32) -> Case {
        Case {
            workload,
            players,
            n: SMALL_N,
            depth: if workload == WorkloadKind::Nested {
                NESTED_DEPTH
            } else {
                1
            },
            jitter_us: 0,
            seed: 1,
            label_coding: LabelCoding::Plain,
        }
    }

    /// The run parameters of this case (window [`WINDOW`], default threshold).
    pub fn params(&self) -> RunParams {
        RunParams {
            players: self.players,
            threshold: Shamir::default_threshold(self.players as usize) as u32,
            modulus: crate::field::MODULUS,
            workload: self.workload,
            n: self.n,
            depth: self.depth,
            seed: self.seed,
            window: WINDOW,
            jitter_us: self.jitter_us,
            delay_us: 0,
            label_coding: self.label_coding,
        }
    }
}
