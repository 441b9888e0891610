//! The shared conformance suite every labelling crate runs (feature `testkit`),
//! in the spirit of RustCrypto's `digest::dev`: one set of checks, written
//! once, that a strategy crate pulls into its own tests with
//! [`conformance_suite!`](crate::conformance_suite).
//!
//! What it checks, for a labeller `L`:
//!
//! * **Correctness** ([`assert_every_workload_correct`]): every workload of the
//!   study, for 3, 5 and 7 players, without and with jitter, opens exactly the
//!   plaintext results — no wrong result, no inconsistent opening, no orphan
//!   message, no hang, no error.
//! * **Agreement** ([`labels_agree`]): wrapped in [`Recorded`], the labeller
//!   hands out the same labels on every player (for [`LabelTiming::AtIssue`]
//!   labellers), and every label survives `encode` → `decode` unchanged, with
//!   `encoded_len` telling its true length.
//! * **The forced reorderings** ([`forced_reordering`],
//!   [`forced_continuation_reordering`]): the seed's `x = mul(a, b);
//!   y = mul(c, d)` arranged so that two players reach the two multiplications
//!   (or the continuations that issue them) in opposite orders,
//!   deterministically. A correct labeller is not fooled; the naive counter is,
//!   every time ([`assert_fooled_by_forced_reordering`]).
//!
//! A strategy crate adds `shamir-runtime = { ..., features = ["testkit"] }` to
//! its dev-dependencies and writes, in `tests/conformance.rs`:
//!
//! ```ignore
//! shamir_runtime::conformance_suite!("counter", labels_counter::ProgramCounter::new());
//! ```

use crate::cluster::{self, PlayerParts};
use crate::engine::Engine;
use crate::field::Fp;
use crate::label::{Issued, LabelError, LabelTiming, Labeller, OpKind, PlayerId};
use crate::params::{RunParams, WorkloadKind};
use crate::program::{Mpc, Share, Workload};
use crate::report::RunReport;
use crate::shamir::Shamir;
use crate::workloads;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
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
    /// Number of players (threshold ⌊(n − 1)/2⌋).
    pub players: u32,
    /// Multiplications (random bits for `random-bits`).
    pub n: u64,
    /// Nesting depth (used by `nested`).
    pub depth: u32,
    /// Maximum per-frame delay in µs (0: none).
    pub jitter_us: u64,
    /// Seed of every random choice of the run.
    pub seed: u64,
}

impl Case {
    /// `workload` with `players` players, [`SMALL_N`] multiplications,
    /// [`NESTED_DEPTH`] for `nested` (1 otherwise), no jitter, seed 1.
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
        }
    }

    /// Checks the case's program will record when done.
    pub fn outputs(&self) -> u64 {
        // The count does not depend on the engine; any labeller type will do.
        workloads::build::<Engine<NoLabels>>(self.workload, self.n, self.depth, self.seed).outputs()
    }
}

/// Runs `workload` with `players` players under the labeller `make()` builds
/// (one per player), in this process over loopback TCP, with a [`TIMEOUT`],
/// a window of [`WINDOW`] and the default threshold, and combines the reports.
#[allow(clippy::too_many_arguments)]
pub fn run<L: Labeller>(
    strategy: &str,
    make: impl Fn() -> L + Sync,
    workload: WorkloadKind,
    players: u32,
    n: u64,
    depth: u32,
    jitter_us: u64,
    seed: u64,
) -> RunReport {
    let case = Case {
        workload,
        players,
        n,
        depth,
        jitter_us,
        seed,
    };
    run_case(strategy, make, &case)
}

/// [`run`] for a [`Case`].
pub fn run_case<L: Labeller>(
    strategy: &str,
    make: impl Fn() -> L + Sync,
    case: &Case,
) -> RunReport {
    run_case_aware(strategy, &Plain(make), case)
        .unwrap_or_else(|e| panic!("a plain labeller runs every program: {e}"))
}

/// Runs `case` with the labeller and program `parts(me)` builds for each player.
pub fn run_with<L: Labeller>(
    strategy: &str,
    case: &Case,
    parts: impl Fn(PlayerId) -> PlayerParts<L> + Sync,
) -> RunReport {
    let params = case.params();
    cluster::run_local(&params, strategy, TIMEOUT, case.outputs(), parts)
        .unwrap_or_else(|e| panic!("cannot start the players of {case:?}: {e}"))
}

/// What is wrong with a run that should have been correct, if anything.
pub fn check_correct(r: &RunReport) -> Result<(), String> {
    let mut problems = Vec::new();
    if r.correct != r.outputs {
        problems.push(format!("{} of {} checks correct", r.correct, r.outputs));
    }
    if r.wrong != 0 {
        problems.push(format!("{} wrong results", r.wrong));
    }
    if r.unverifiable != 0 {
        problems.push(format!("{} unverifiable results", r.unverifiable));
    }
    if r.inconsistent_opens != 0 {
        problems.push(format!("{} inconsistent openings", r.inconsistent_opens));
    }
    if r.orphans != 0 {
        problems.push(format!("{} orphan messages", r.orphans));
    }
    if r.hung {
        problems.push("the run hung".to_string());
    }
    if let Some(e) = &r.error {
        problems.push(format!("error: {e}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "strategy `{}` on {} (players {}, n {}, depth {}, jitter {} µs, seed {}): {}",
            r.strategy,
            r.workload,
            r.players,
            r.n,
            r.depth,
            r.jitter_us,
            r.seed,
            problems.join(", ")
        ))
    }
}

/// Asserts a run opened exactly the plaintext results: `correct == outputs`, no
/// wrong or unverifiable result, no inconsistent opening, no orphan, no hang, no
/// error. The panic message names what failed and prints the whole report.
pub fn assert_correct(r: &RunReport) {
    if let Err(e) = check_correct(r) {
        panic!("run is not correct: {e}\nreport: {r:#?}");
    }
}

/// Whether a labeller was fooled: some result wrong or unverifiable, some
/// opening inconsistent, or the run hung.
pub fn is_fooled(r: &RunReport) -> bool {
    r.wrong + r.unverifiable + r.inconsistent_opens > 0 || r.hung
}

/// Runs every workload in `workloads` with `players` players, once without and
/// once with jitter ([`JITTERS_US`]), and asserts each run is correct. Every
/// case runs before the assertion, so the panic lists all that failed.
pub fn assert_every_workload_correct<L: Labeller>(
    strategy: &str,
    make: impl Fn() -> L + Sync,
    players: u32,
    workloads: &[WorkloadKind],
) {
    assert_every_workload_correct_aware(strategy, &Plain(make), players, workloads)
}

// ---------------------------------------------------------------------------
// The forced reordering.
// ---------------------------------------------------------------------------

/// The seed program `x = mul(a, b); y = mul(c, d)`, arranged so that players
/// reach the two multiplications in opposite orders, deterministically.
///
/// `deal` issues nothing. The first `compute` call issues, in one go:
/// `a`, `b` (inputs of player 0), `c`, `d` (inputs of player 1), `x = a·b`,
/// `y = c·d`, then opens both and checks them against the plaintext products.
/// The engine never processes network input inside one `compute` call, so on
/// player 0 the operands of `x` are known at issue (it dealt them) while `y`
/// waits for player 1's shares, and on player 1 it is the other way round:
/// player 0 sends its first multiplication message for `x`, player 1 for `y`.
/// A labeller that reads shared state when a message goes out gives the two a
/// different label on the two players; one fixed at issue cannot.
///
/// [`SeedProgram::with_continuations`] is the same program with each
/// multiplication (and its opening) issued from a continuation scheduled after
/// its operands: player 0 runs the continuation of `x` at once and that of `y`
/// later, player 1 the opposite. It fools any labeller whose labels inside a
/// continuation depend on when the continuation runs (e.g. one flat counter at
/// issue that does not fork a context per continuation).
#[derive(Debug, Clone, Default)]
pub struct SeedProgram {
    continuations: bool,
    issued: bool,
}

impl SeedProgram {
    /// The plaintext inputs `a`, `b`, `c`, `d`.
    pub const VALUES: [u64; 4] = [3, 5, 7, 11];

    /// The program, not yet issued; multiplications issued in the main flow.
    pub fn new() -> SeedProgram {
        SeedProgram::default()
    }

    /// The program with each multiplication issued from a continuation.
    pub fn with_continuations() -> SeedProgram {
        SeedProgram {
            continuations: true,
            issued: false,
        }
    }
}

/// `x = a·b`, opened and checked against `expected`.
fn seed_product<M: Mpc>(m: &mut M, a: Share, b: Share, expected: Fp) {
    let x = m.mul(a, b);
    let o = m.open(x);
    m.check(o, expected);
}

impl<M: Mpc> Workload<M> for SeedProgram {
    fn deal(&mut self, _m: &mut M) -> bool {
        false
    }

    fn compute(&mut self, m: &mut M) -> bool {
        if self.issued {
            return false;
        }
        self.issued = true;
        let [a, b, c, d] = SeedProgram::VALUES.map(Fp::new);
        let sa = m.input(0, a);
        let sb = m.input(0, b);
        let sc = m.input(1, c);
        let sd = m.input(1, d);
        if self.continuations {
            m.schedule(&[sa.into(), sb.into()], move |m| {
                seed_product(m, sa, sb, a * b)
            });
            m.schedule(&[sc.into(), sd.into()], move |m| {
                seed_product(m, sc, sd, c * d)
            });
        } else {
            let x = m.mul(sa, sb);
            let y = m.mul(sc, sd);
            let ox = m.open(x);
            let oy = m.open(y);
            m.check(ox, a * b);
            m.check(oy, c * d);
        }
        true
    }

    fn outputs(&self) -> u64 {
        2
    }

    fn multiplications(&self) -> u64 {
        2
    }
}

/// The parameters of the forced-reordering runs: 3 players, no jitter.
pub fn forced_reordering_params() -> RunParams {
    RunParams {
        n: 2,
        ..Case::new(WorkloadKind::Independent, 3).params()
    }
}

/// Runs `program` (a [`SeedProgram`]) with 3 players under the labeller
/// `make()` builds, with a [`FORCED_TIMEOUT`], and returns the combined report.
pub fn run_seed_program<L: Labeller>(
    strategy: &str,
    make: impl Fn() -> L + Sync,
    program: &SeedProgram,
) -> RunReport {
    run_seed_program_aware(strategy, &Plain(make), program)
        .unwrap_or_else(|e| panic!("a plain labeller runs every program: {e}"))
}

/// Runs [`SeedProgram::new`]: the seed's two multiplications, reached in
/// opposite orders by players 0 and 1. See [`is_fooled`].
pub fn forced_reordering<L: Labeller>(strategy: &str, make: impl Fn() -> L + Sync) -> RunReport {
    run_seed_program(strategy, make, &SeedProgram::new())
}

/// Runs [`SeedProgram::with_continuations`]: the two multiplications issued
/// from continuations that players 0 and 1 run in opposite orders.
pub fn forced_continuation_reordering<L: Labeller>(
    strategy: &str,
    make: impl Fn() -> L + Sync,
) -> RunReport {
    run_seed_program(strategy, make, &SeedProgram::with_continuations())
}

/// Asserts the labeller is not fooled by [`forced_reordering`] nor by
/// [`forced_continuation_reordering`]: both products open correctly and the
/// runs are clean ([`check_correct`]).
pub fn assert_not_fooled_by_forced_reordering<L: Labeller>(
    strategy: &str,
    make: impl Fn() -> L + Sync,
) {
    assert_not_fooled_by_forced_reordering_aware(strategy, &Plain(make))
}

/// Asserts the labeller IS fooled by [`forced_reordering`] (the naive control):
/// some result wrong or unverifiable, some opening inconsistent, or a hang.
/// Returns the report so the caller can look closer.
pub fn assert_fooled_by_forced_reordering<L: Labeller>(
    strategy: &str,
    make: impl Fn() -> L + Sync,
) -> RunReport {
    let r = forced_reordering(strategy, make);
    assert_fooled(strategy, "forced reordering", r)
}

/// Asserts the labeller IS fooled by [`forced_continuation_reordering`]
/// (e.g. a counter that does not fork per continuation). Returns the report.
pub fn assert_fooled_by_forced_continuation_reordering<L: Labeller>(
    strategy: &str,
    make: impl Fn() -> L + Sync,
) -> RunReport {
    let r = forced_continuation_reordering(strategy, make);
    assert_fooled(strategy, "forced continuation reordering", r)
}

fn assert_fooled(strategy: &str, what: &str, r: RunReport) -> RunReport {
    assert!(
        is_fooled(&r),
        "strategy `{strategy}` was expected to be fooled by the {what}, but was not \
         (correct {} of {}, wrong {}, unverifiable {}, inconsistent openings {}, hung {})\nreport: {r:#?}",
        r.correct,
        r.outputs,
        r.wrong,
        r.unverifiable,
        r.inconsistent_opens,
        r.hung
    );
    r
}

// ---------------------------------------------------------------------------
// Recording the labels a labeller hands out.
// ---------------------------------------------------------------------------

/// One label as handed out: the operation's name and the label's wire form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordedLabel {
    /// [`OpKind::name`] of the operation.
    pub op: &'static str,
    /// The label, encoded.
    pub bytes: Vec<u8>,
}

/// Everything [`Recorded`] saw on one player.
#[derive(Debug, Clone, Default)]
pub struct LabelLog {
    /// The labels in the order they were handed out (at issue for
    /// [`LabelTiming::AtIssue`] labellers, at send for [`LabelTiming::AtSend`]).
    pub labels: Vec<RecordedLabel>,
    /// Broken promises: labels that did not survive `encode` → `decode`, or
    /// whose `encoded_len` differed from their encoding.
    pub problems: Vec<String>,
}

/// A [`LabelLog`] shared between a player's [`Recorded`] labeller and the test.
pub type SharedLog = Arc<Mutex<LabelLog>>;

/// A labeller that delegates everything to `L` and records every label it
/// hands out, checking on the way that each round-trips through the wire form.
#[derive(Debug)]
pub struct Recorded<L> {
    inner: L,
    log: SharedLog,
}

impl<L: Labeller> Recorded<L> {
    /// Wraps `inner`, recording into `log`.
    pub fn new(inner: L, log: SharedLog) -> Recorded<L> {
        Recorded { inner, log }
    }

    /// The wrapped labeller.
    pub fn inner(&self) -> &L {
        &self.inner
    }

    fn record(&self, op: OpKind, label: &L::Label) {
        let mut bytes = Vec::new();
        self.inner.encode(label, &mut bytes);
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        match self.inner.decode(&bytes) {
            Ok(back) if &back == label => {}
            Ok(back) => log.problems.push(format!(
                "{} label {label:?} decodes to a different label {back:?} (wire form {bytes:02x?})",
                op.name()
            )),
            Err(e) => log.problems.push(format!(
                "{} label {label:?} does not decode from its own wire form {bytes:02x?}: {e}",
                op.name()
            )),
        }
        let len = self.inner.encoded_len(label);
        if len != bytes.len() {
            log.problems.push(format!(
                "{} label {label:?}: encoded_len says {len} bytes, the encoding has {}",
                op.name(),
                bytes.len()
            ));
        }
        log.labels.push(RecordedLabel {
            op: op.name(),
            bytes,
        });
    }
}

impl<L: Labeller> Labeller for Recorded<L> {
    type Label = L::Label;
    type Tag = L::Tag;
    type Context = L::Context;

    const TIMING: LabelTiming = L::TIMING;

    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn root_tag(&self) -> L::Tag {
        self.inner.root_tag()
    }

    fn issue(
        &mut self,
        op: OpKind,
        operands: &[&L::Tag],
    ) -> Result<Issued<L::Label, L::Tag>, LabelError> {
        let issued = self.inner.issue(op, operands)?;
        if let Some(label) = &issued.label {
            self.record(op, label);
        }
        Ok(issued)
    }

    fn at_send(&mut self, op: OpKind) -> Result<L::Label, LabelError> {
        let label = self.inner.at_send(op)?;
        self.record(op, &label);
        Ok(label)
    }

    fn schedule(&mut self, operands: &[&L::Tag]) -> L::Context {
        self.inner.schedule(operands)
    }

    fn enter(&mut self, context: L::Context) -> L::Context {
        self.inner.enter(context)
    }

    fn leave(&mut self, saved: L::Context) {
        self.inner.leave(saved)
    }

    fn encode(&self, label: &L::Label, out: &mut Vec<u8>) {
        self.inner.encode(label, out)
    }

    fn decode(&self, bytes: &[u8]) -> Result<L::Label, LabelError> {
        self.inner.decode(bytes)
    }

    fn encoded_len(&self, label: &L::Label) -> usize {
        self.inner.encoded_len(label)
    }

    fn dense_key(&self, label: &L::Label) -> Option<u64> {
        self.inner.dense_key(label)
    }

    fn wire_dense_key(&self, bytes: &[u8]) -> Option<u64> {
        let fast = self.inner.wire_dense_key(bytes);
        let slow = self
            .inner
            .decode(bytes)
            .ok()
            .and_then(|l| self.inner.dense_key(&l));
        if fast != slow {
            let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            log.problems.push(format!(
                "wire form {bytes:02x?}: wire_dense_key says {fast:?}, decode then dense_key says {slow:?}"
            ));
        }
        fast
    }
}

/// A labeller that labels nothing; only names a type for [`Case::outputs`].
#[derive(Debug)]
struct NoLabels;

impl Labeller for NoLabels {
    type Label = ();
    type Tag = ();
    type Context = ();

    fn name(&self) -> &'static str {
        "none"
    }

    fn root_tag(&self) {}

    fn issue(&mut self, op: OpKind, _operands: &[&()]) -> Result<Issued<(), ()>, LabelError> {
        Ok(Issued {
            label: op.is_labelled().then_some(()),
            tag: (),
        })
    }

    fn schedule(&mut self, _operands: &[&()]) {}

    fn enter(&mut self, _context: ()) {}

    fn leave(&mut self, _saved: ()) {}

    fn encode(&self, _label: &(), _out: &mut Vec<u8>) {}

    fn decode(&self, _bytes: &[u8]) -> Result<(), LabelError> {
        Ok(())
    }
}

/// Runs `case` with every player's labeller wrapped in [`Recorded`]; returns
/// the combined report and each player's log, indexed by player.
pub fn record_labels<L: Labeller>(
    strategy: &str,
    make: impl Fn() -> L + Sync,
    case: &Case,
) -> (RunReport, Vec<LabelLog>) {
    record_labels_aware(strategy, &Plain(make), case)
        .unwrap_or_else(|e| panic!("a plain labeller runs every program: {e}"))
}

/// Whether every player issues the operations of `workload` in one and the same
/// order. Workloads that issue from continuations (`nested`, `random-bits`) run
/// those in completion order, which differs between players; there only the
/// multiset of labels must agree.
pub fn issue_order_is_program_order(workload: WorkloadKind) -> bool {
    !matches!(workload, WorkloadKind::Nested | WorkloadKind::RandomBits)
}

/// Runs `case` with [`Recorded`] labellers and asserts that the run is correct,
/// that every label round-trips through its wire form, and that every player
/// handed out the same labels: the same sequence where issue order is program
/// order ([`issue_order_is_program_order`]), else the same multiset. Meant for
/// [`LabelTiming::AtIssue`] labellers; returns player 0's log.
pub fn labels_agree<L: Labeller>(
    strategy: &str,
    make: impl Fn() -> L + Sync,
    case: &Case,
) -> LabelLog {
    labels_agree_aware(strategy, &Plain(make), case)
}

fn first_difference(a: &[RecordedLabel], b: &[RecordedLabel]) -> String {
    let mut out = format!(
        "  player 0 handed out {} labels, the other {}\n",
        a.len(),
        b.len()
    );
    if let Some(i) = (0..a.len().min(b.len())).find(|&i| a[i] != b[i]) {
        let _ = writeln!(
            out,
            "  first difference at #{i}: {} {:02x?} vs {} {:02x?}",
            a[i].op, a[i].bytes, b[i].op, b[i].bytes
        );
    }
    out
}

/// [`labels_agree`] for every workload in `workloads`, with 3 players and
/// jitter (so completion orders differ). Skipped, with a note on stderr, for
/// [`LabelTiming::AtSend`] labellers, whose labels are not meant to agree.
pub fn assert_labels_agree_on_every_workload<L: Labeller>(
    strategy: &str,
    make: impl Fn() -> L + Sync,
    workloads: &[WorkloadKind],
) {
    assert_labels_agree_on_every_workload_aware(strategy, &Plain(make), workloads)
}

/// Exports the conformance suite as `#[test]` functions into the calling
/// test crate: every workload correct for 3, 5 and 7 players with and without
/// jitter (one test per player count), labels that agree across players and
/// round-trip through their wire form, and no fooling by the forced
/// reordering.
///
/// ```ignore
/// shamir_runtime::conformance_suite!("counter", labels_counter::ProgramCounter::new());
/// // A strategy that cannot run some workloads lists those it can:
/// shamir_runtime::conformance_suite!("static", my_crate::Static::new(),
///     workloads = &[shamir_runtime::WorkloadKind::Independent]);
/// ```
///
/// `$make` is evaluated once per player and run, so it must build a fresh
/// labeller each time.
#[macro_export]
macro_rules! conformance_suite {
    ($strategy:literal, $make:expr) => {
        $crate::conformance_suite!($strategy, $make, workloads = &$crate::WorkloadKind::ALL);
    };
    ($strategy:literal, $make:expr, workloads = $workloads:expr) => {
        #[test]
        fn conformance_every_workload_correct_3_players() {
            $crate::testkit::assert_every_workload_correct(
                $strategy,
                || $make,
                $crate::testkit::PLAYER_COUNTS[0],
                $workloads,
            );
        }

        #[test]
        fn conformance_every_workload_correct_5_players() {
            $crate::testkit::assert_every_workload_correct(
                $strategy,
                || $make,
                $crate::testkit::PLAYER_COUNTS[1],
                $workloads,
            );
        }

        #[test]
        fn conformance_every_workload_correct_7_players() {
            $crate::testkit::assert_every_workload_correct(
                $strategy,
                || $make,
                $crate::testkit::PLAYER_COUNTS[2],
                $workloads,
            );
        }

        #[test]
        fn conformance_labels_agree_across_players() {
            $crate::testkit::assert_labels_agree_on_every_workload($strategy, || $make, $workloads);
        }

        #[test]
        fn conformance_not_fooled_by_forced_reordering() {
            $crate::testkit::assert_not_fooled_by_forced_reordering($strategy, || $make);
        }
    };
}

// ---------------------------------------------------------------------------
// Strategies that see the program before the run (static labels).
// ---------------------------------------------------------------------------

/// The program of a conformance run, as shown to a [`ProgramAware`] strategy
/// before the run.
#[derive(Debug, Clone)]
pub enum TestProgram {
    /// One of the study's workloads, as the parameters name it:
    /// `workloads::build(params.workload, params.n, params.depth, params.seed)`.
    Workload(RunParams),
    /// A [`SeedProgram`] (the forced reorderings), run with these parameters.
    Seed(SeedProgram, RunParams),
}

impl TestProgram {
    /// The run's parameters.
    pub fn params(&self) -> &RunParams {
        match self {
            TestProgram::Workload(p) | TestProgram::Seed(_, p) => p,
        }
    }

    /// The program, built against any [`Mpc`] (the live engine, or a tracer).
    pub fn build<M: Mpc>(&self) -> Box<dyn Workload<M>> {
        match self {
            TestProgram::Workload(p) => workloads::build(p.workload, p.n, p.depth, p.seed),
            TestProgram::Seed(program, _) => Box::new(program.clone()),
        }
    }

    /// Checks the program will record when done.
    pub fn outputs(&self) -> u64 {
        self.build::<Engine<NoLabels>>().outputs()
    }
}

/// A strategy whose labeller (and program) are built from the program it will
/// label: static labels transform the program before the run. The `*_aware`
/// functions and [`conformance_suite_with!`](crate::conformance_suite_with)
/// run the conformance suite with one.
pub trait ProgramAware: Sync {
    /// The labeller each player runs.
    type Labeller: Labeller;
    /// What the strategy makes of the program once per run, shared by the
    /// players (e.g. the transformed program).
    type Prepared: Sync;

    /// Looks at the program before the run; `Err(reason)` if the strategy
    /// cannot run it (the run is then reported unsupported).
    fn prepare(&self, program: &TestProgram) -> Result<Self::Prepared, String>;

    /// Player `me`'s labeller.
    fn labeller(&self, prepared: &Self::Prepared, me: PlayerId) -> Self::Labeller;

    /// Player `me`'s program, against any [`Mpc`] (the engine the labeller may
    /// be wrapped in, e.g. [`Recorded`], differs from run to run).
    fn workload<M: Mpc>(&self, prepared: &Self::Prepared, me: PlayerId) -> Box<dyn Workload<M>>;
}

/// A strategy that needs nothing but a constructor: it runs the study's
/// programs as they are. The plain functions of this module are the `*_aware`
/// ones applied to it, so both suites check exactly the same things.
pub struct Plain<F>(pub F);

impl<L: Labeller, F: Fn() -> L + Sync> ProgramAware for Plain<F> {
    type Labeller = L;
    type Prepared = TestProgram;

    fn prepare(&self, program: &TestProgram) -> Result<TestProgram, String> {
        Ok(program.clone())
    }

    fn labeller(&self, _program: &TestProgram, _me: PlayerId) -> L {
        (self.0)()
    }

    fn workload<M: Mpc>(&self, program: &TestProgram, _me: PlayerId) -> Box<dyn Workload<M>> {
        program.build()
    }
}

/// Runs `program` with `case`'s parameters under the strategy `s`, which sees
/// the program first; `Err(reason)` if `s` cannot run it.
fn run_program_aware<S: ProgramAware>(
    strategy: &str,
    s: &S,
    program: &TestProgram,
    timeout: Duration,
) -> Result<RunReport, String> {
    let prepared = s.prepare(program)?;
    let parts = |me: PlayerId| -> PlayerParts<S::Labeller> {
        (s.labeller(&prepared, me), s.workload(&prepared, me))
    };
    let params = program.params();
    Ok(
        cluster::run_local(params, strategy, timeout, program.outputs(), parts)
            .unwrap_or_else(|e| panic!("cannot start the players of {params:?}: {e}")),
    )
}

/// [`run_case`] for a [`ProgramAware`] strategy: `Err(reason)` if it cannot
/// run the case's program.
pub fn run_case_aware<S: ProgramAware>(
    strategy: &str,
    s: &S,
    case: &Case,
) -> Result<RunReport, String> {
    run_program_aware(strategy, s, &TestProgram::Workload(case.params()), TIMEOUT)
}

/// [`assert_every_workload_correct`] for a [`ProgramAware`] strategy (the
/// same cases and seeds); a workload the strategy refuses counts as a failure.
pub fn assert_every_workload_correct_aware<S: ProgramAware>(
    strategy: &str,
    s: &S,
    players: u32,
    workloads: &[WorkloadKind],
) {
    let mut failures = Vec::new();
    for (i, &workload) in workloads.iter().enumerate() {
        for (j, &jitter_us) in JITTERS_US.iter().enumerate() {
            let case = Case {
                jitter_us,
                seed: 1 + (i * JITTERS_US.len() + j) as u64 + 100 * u64::from(players),
                ..Case::new(workload, players)
            };
            match run_case_aware(strategy, s, &case) {
                Ok(r) => {
                    if let Err(e) = check_correct(&r) {
                        failures.push(e);
                    }
                }
                Err(reason) => {
                    failures.push(format!("strategy `{strategy}` refused {case:?}: {reason}"))
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs were not correct:\n  {}",
        failures.len(),
        workloads.len() * JITTERS_US.len(),
        failures.join("\n  ")
    );
}

/// [`run_seed_program`] for a [`ProgramAware`] strategy, which sees the
/// [`SeedProgram`] first; `Err(reason)` if it cannot run it.
pub fn run_seed_program_aware<S: ProgramAware>(
    strategy: &str,
    s: &S,
    program: &SeedProgram,
) -> Result<RunReport, String> {
    let program = TestProgram::Seed(program.clone(), forced_reordering_params());
    run_program_aware(strategy, s, &program, FORCED_TIMEOUT)
}

/// [`assert_not_fooled_by_forced_reordering`] for a [`ProgramAware`] strategy.
pub fn assert_not_fooled_by_forced_reordering_aware<S: ProgramAware>(strategy: &str, s: &S) {
    for (what, program) in [
        ("forced reordering", SeedProgram::new()),
        (
            "forced continuation reordering",
            SeedProgram::with_continuations(),
        ),
    ] {
        let r = run_seed_program_aware(strategy, s, &program)
            .unwrap_or_else(|e| panic!("strategy `{strategy}` refused the {what}: {e}"));
        assert_eq!(r.outputs, 2, "the seed program has two outputs");
        if let Err(e) = check_correct(&r) {
            panic!("strategy `{strategy}` was fooled by the {what}: {e}\nreport: {r:#?}");
        }
    }
}

/// [`record_labels`] for a [`ProgramAware`] strategy; `Err(reason)` if it
/// cannot run the case's program.
pub fn record_labels_aware<S: ProgramAware>(
    strategy: &str,
    s: &S,
    case: &Case,
) -> Result<(RunReport, Vec<LabelLog>), String> {
    let program = TestProgram::Workload(case.params());
    let prepared = s.prepare(&program)?;
    let logs: Vec<SharedLog> = (0..case.players).map(|_| SharedLog::default()).collect();
    let r = run_with(strategy, case, |me| -> PlayerParts<Recorded<S::Labeller>> {
        (
            Recorded::new(s.labeller(&prepared, me), logs[me].clone()),
            s.workload(&prepared, me),
        )
    });
    let logs = logs
        .into_iter()
        .map(|l| l.lock().unwrap_or_else(|e| e.into_inner()).clone())
        .collect();
    Ok((r, logs))
}

/// [`labels_agree`] for a [`ProgramAware`] strategy: the run is correct, every
/// label round-trips, and every player handed out the same labels (in the
/// same order where [`issue_order_is_program_order`], else as multisets).
/// Returns player 0's log.
pub fn labels_agree_aware<S: ProgramAware>(strategy: &str, s: &S, case: &Case) -> LabelLog {
    let (r, logs) = record_labels_aware(strategy, s, case)
        .unwrap_or_else(|e| panic!("strategy `{strategy}` refused {case:?}: {e}"));
    assert_correct(&r);
    for (p, log) in logs.iter().enumerate() {
        assert!(
            log.problems.is_empty(),
            "strategy `{strategy}`, {case:?}, player {p}: {} labels break the wire-form contract, e.g.:\n  {}",
            log.problems.len(),
            log.problems.iter().take(5).cloned().collect::<Vec<_>>().join("\n  ")
        );
    }
    let ordered = issue_order_is_program_order(case.workload);
    let key = |log: &LabelLog| {
        let mut labels = log.labels.clone();
        if !ordered {
            labels.sort();
        }
        labels
    };
    let reference = key(&logs[0]);
    assert!(
        !reference.is_empty(),
        "strategy `{strategy}`, {case:?}: no labels were recorded"
    );
    for (p, log) in logs.iter().enumerate().skip(1) {
        let other = key(log);
        if other != reference {
            panic!(
                "strategy `{strategy}`, {case:?}: player {p}'s labels differ from player 0's ({}):\n{}",
                if ordered { "in issue order" } else { "as multisets" },
                first_difference(&reference, &other)
            );
        }
    }
    logs.into_iter().next().expect("at least one player")
}

/// [`assert_labels_agree_on_every_workload`] for a [`ProgramAware`] strategy
/// (3 players, with jitter; skipped for [`LabelTiming::AtSend`] labellers).
pub fn assert_labels_agree_on_every_workload_aware<S: ProgramAware>(
    strategy: &str,
    s: &S,
    workloads: &[WorkloadKind],
) {
    if <S::Labeller as Labeller>::TIMING != LabelTiming::AtIssue {
        eprintln!("strategy `{strategy}` labels at send: label agreement is not checked");
        return;
    }
    for (i, &workload) in workloads.iter().enumerate() {
        let case = Case {
            jitter_us: JITTERS_US[JITTERS_US.len() - 1],
            seed: 7 + i as u64,
            ..Case::new(workload, 3)
        };
        labels_agree_aware(strategy, s, &case);
    }
}

/// [`conformance_suite!`](crate::conformance_suite) for a [`ProgramAware`]
/// strategy, which sees each run's program before the run (static labels):
/// the same tests, built from the `*_aware` functions.
///
/// ```ignore
/// shamir_runtime::conformance_suite_with!("static", my_crate::StaticStrategy,
///     workloads = &[shamir_runtime::WorkloadKind::Independent]);
/// ```
///
/// `$aware` is evaluated once per test.
#[macro_export]
macro_rules! conformance_suite_with {
    ($strategy:literal, $aware:expr) => {
        $crate::conformance_suite_with!($strategy, $aware, workloads = &$crate::WorkloadKind::ALL);
    };
    ($strategy:literal, $aware:expr, workloads = $workloads:expr) => {
        #[test]
        fn conformance_every_workload_correct_3_players() {
            $crate::testkit::assert_every_workload_correct_aware(
                $strategy,
                &$aware,
                $crate::testkit::PLAYER_COUNTS[0],
                $workloads,
            );
        }

        #[test]
        fn conformance_every_workload_correct_5_players() {
            $crate::testkit::assert_every_workload_correct_aware(
                $strategy,
                &$aware,
                $crate::testkit::PLAYER_COUNTS[1],
                $workloads,
            );
        }

        #[test]
        fn conformance_every_workload_correct_7_players() {
            $crate::testkit::assert_every_workload_correct_aware(
                $strategy,
                &$aware,
                $crate::testkit::PLAYER_COUNTS[2],
                $workloads,
            );
        }

        #[test]
        fn conformance_labels_agree_across_players() {
            $crate::testkit::assert_labels_agree_on_every_workload_aware(
                $strategy, &$aware, $workloads,
            );
        }

        #[test]
        fn conformance_not_fooled_by_forced_reordering() {
            $crate::testkit::assert_not_fooled_by_forced_reordering_aware($strategy, &$aware);
        }
    };
}
