//! # labels-static
//!
//! Static labels by program transformation, the alternative VIFF's design note
//! "Program Counters" sketches and never built: "have some external tool
//! transform the program into one with explicit labels … It is not entirely
//! clear how this should work in the presence of loops."
//!
//! ## How
//!
//! Every workload is written once, generically, against
//! [`shamir_runtime::Mpc`]. The dynamic strategies run it on the live runtime;
//! this crate runs it once, before the run, against the runtime's [`Tracer`],
//! an `Mpc` that records each operation as a
//! [`Gate`](shamir_runtime::circuit::Gate) of a
//! [`Circuit`](shamir_runtime::circuit::Circuit) instead of executing it (the
//! program as data, [`shamir_runtime::circuit`]). Then:
//!
//! 1. **Transform** ([`transform`], for any [`shamir_runtime::Program`],
//!    behind [`StaticStrategy::prepare`](shamir_runtime::Strategy::prepare)): batch by
//!    batch, trace the `deal` phase to exhaustion, then the `compute` phase,
//!    recording where each batch's phases lie
//!    ([`BatchBounds`](shamir_runtime::circuit::BatchBounds)) and the
//!    program's reach, the furthest any gate refers back; then number the
//!    labelled gates (`input`, `mul`, `open`, and `random`, whose label is the
//!    PRSS PRF input) 0, 1, 2, … in traced order, keeping each one's kind in
//!    a byte. The result, a [`StaticProgram`], records what the
//!    transformation cost ([`TransformCost`]: seconds, gates, labelled gates,
//!    bytes).
//! 2. **Run**: every player replays the same program (the runtime's
//!    [`Replay`], a `Workload` for any `Mpc`, batch by batch as traced),
//!    shared between the players of a process by
//!    `Arc`, and labels it with a [`StaticLabeller`], which hands out the gate
//!    numbers in order and checks at each that the runtime issued the kind of
//!    operation the transformation numbered there; a departure fails the run
//!    with [`LabelError::Diverged`](shamir_runtime::LabelError::Diverged),
//!    never a silent mislabel. A label is one varint: dense, so the runtime
//!    finds its entry by the number itself, and as short as a counter's.
//!
//! ## Continuations and loops
//!
//! In a trace every value is symbolically available, so a continuation
//! ([`Mpc::schedule`](shamir_runtime::Mpc::schedule)) is traced at once: the
//! execution tree is flattened into straight-line code, and a sub-protocol
//! nested `depth` deep becomes `depth` consecutive gates whose labels do not
//! grow with the depth (program counters grow by one entry per level).
//! Nested continuations are traced right after their parent returns, from a
//! queue, so depth costs no stack. A loop whose trip count the program knows
//! when it runs (sizes come from the run parameters) is unrolled by the same
//! tracing: the circuit holds every iteration. The price is that the program
//! exists in memory as data: 16 bytes per gate and a byte per labelled gate
//! (its kind, for the labeller), shared by the players of a process; the
//! figures report it (`program_bytes`).
//!
//! ## Loops whose trip count depends on opened values
//!
//! A program says so explicitly, with
//! [`Mpc::repeat`](shamir_runtime::Mpc::repeat) and a
//! [`Loop`](shamir_runtime::Loop): a body that issues one iteration on the
//! loop's inputs and hands back the opened values its test reads, the test
//! (run again?), and a continuation that gets the values read by the last
//! test. The closures issue through `&mut dyn` [`Ops`](shamir_runtime::Ops)
//! (the operations without waiting or reading), so a loop is data that any
//! runtime can run: `random-bits` (retry while the opened r² is 0) and
//! `retry` (loops nested two deep, each retried with probability 1/4) are
//! written this way. The dynamic strategies run a loop with the runtime's
//! continuations ([`run_loop`](shamir_runtime::program::run_loop)), as
//! before. Here:
//!
//! 1. **Trace once.** The tracer traces each loop's body once, and its
//!    continuation once on probe values, into a sub-program of its own
//!    ([`Scope`](shamir_runtime::circuit::Scope)), inner loops into inner
//!    sub-programs; the enclosing program gets one
//!    [`Gate::Loop`](shamir_runtime::circuit::Gate::Loop). A top-level loop
//!    keeps its closures and its inputs' gates
//!    ([`LoopSite`](shamir_runtime::circuit::LoopSite)).
//! 2. **Number before the run.** Every sub-program is numbered from 0 like
//!    the top level, its body first, then its continuation; a loop gate takes
//!    a number too ([`Numbering`](shamir_runtime::circuit::Numbering)).
//! 3. **Run.** The replay hands a loop gate's closures and inputs to the
//!    runtime's `repeat`. The labeller enters the loop at the loop gate's
//!    number; an operation inside it is labelled by its **path**: the loop
//!    gate's number, the iteration, then (for an inner loop) the inner loop
//!    gate's number in the sub-program and its iteration, …, and last the
//!    operation's number in the innermost sub-program. The path is the
//!    labeller's context for continuations, so an iteration that runs
//!    whenever its test's values arrive labels from its own place.
//!
//! **Why it is correct.** Two operations never share a path: paths that
//! differ in a loop gate's number or an iteration name different loop
//! instances or iterations, and within one iteration the numbers are
//! distinct positions of one sub-program (a continuation keeps its last
//! iteration and numbers on after the body, so it cannot meet a body's
//! operation). Every player computes the same path for the same operation:
//! the numbers are fixed before the run from the same trace, and an
//! iteration counts how often the test said "again", a function of opened
//! values, which are public and the same at every player (an inconsistent
//! opening is detected by the opener). Within an iteration the body's
//! operations are issued one after another in program order, whatever the
//! network does. And the labeller still checks, at every labelled operation,
//! the kind numbered there, and at every "again" that the whole body was
//! issued, so a run that departs from what was traced fails with
//! [`LabelError::Diverged`](shamir_runtime::LabelError::Diverged), never a
//! silent mislabel. On the wire a top-level label is one varint as before
//! (its own dense key); a path is its numbers as varints, 3 to 5 bytes at
//! the depths here, filed by hash.
//!
//! **What it still cannot handle** (refused before the run, as
//! [`Unsupported`] with a reason, which the harness reports as
//! `Refusal::Unsupported`):
//!
//! * a read outside the loop construct ([`Mpc::read`](shamir_runtime::Mpc::read)
//!   in a continuation, as `random-bits` once did): the trace cannot follow
//!   it;
//! * a loop continuation whose shape (the kinds of its labelled operations)
//!   depends on the values read: traced on two sets of probe values, the two
//!   shapes differ, so no numbering fits every run (a difference the probes
//!   miss is caught at run time as `Diverged`);
//! * a loop body or continuation that uses a top-level value it was not
//!   given as an input: the replay could not give it that value (loop values
//!   are traced in a separate space, above
//!   [`SCOPE_VALUES`](shamir_runtime::circuit::SCOPE_VALUES), so the use is
//!   seen).
//!
//! A body's shape cannot depend on opened values (it reads none); its
//! constants may (a continuation computes them from the values read, as
//! `random-bits` computes 1/√(r²)), because labels depend on the shape only.
//!
//! ## Memory at each player
//!
//! What a player adds to the shared program stays flat. Its replay keeps the
//! runtime's handles of the last few gates only, in a ring of 4-byte slots
//! sized to the power of two above the program's reach (no gate refers
//! further back, so a gate that falls out of the ring can no longer be
//! used): as a slot is reused the replay releases the value it held
//! ([`Mpc::release`](shamir_runtime::Mpc::release)), and at the end the rest,
//! so the runtime can free every value. The study's workloads run in batches
//! of [`BATCH`](shamir_runtime::workloads::BATCH) multiplications, which
//! bounds their reach: about 3 × 2^16 gates (a ring of 2^18 slots, 1 MiB per
//! player) for `independent`, `duplicates`, `chain` and `nested`, however
//! large n. A program that reaches back
//! [`MAX_RING`](shamir_runtime::circuit::MAX_RING) gates or more falls back
//! to a full table of handles, 4 bytes per gate per player, and releases
//! nothing: `tree` does beyond about 1.4 million multiplications (its reach
//! is about 3n: a product's operands can come from the far end of the level
//! before).
//!
//! ## Why loops are not unrolled into bounded candidates
//!
//! Before loops were data, a program that read an opened value was refused
//! outright. A bounded-candidates transformation (trace both branches of
//! every read up to k retries, reserve labels for all of them, let the
//! opened value pick one at run time) was rejected: the circuit would grow
//! with every candidate kept (exponentially, for reads inside retried
//! branches) and a run needing more than k retries would have no label.
//! Paths need neither: one sub-program per loop, and as many iterations as
//! the run takes.
//!
//! Inputs are traced with the plaintext every player passes (the workloads
//! derive it from the run seed); only the owner's copy is used when replayed.
//!
//! ## Using it
//!
//! ```
//! use labels_static::{transform, StaticLabeller, StaticProgram};
//! use shamir_runtime::circuit::Replay;
//! use shamir_runtime::{Engine, RunParams, Workload};
//! use std::sync::Arc;
//!
//! let params = RunParams::example();
//! let program: Arc<StaticProgram> = Arc::new(transform(&params, 3, None).expect("supported"));
//! // Per player (e.g. inside `cluster::run_local`'s `parts`):
//! let labeller = StaticLabeller::new(program.clone());
//! let workload: Box<dyn Workload<Engine<StaticLabeller>>> =
//!     Box::new(Replay::new(program.clone()));
//! # let _ = (labeller, workload);
//! ```

pub use shamir_runtime;

mod estimate;
mod labeller;
mod strategy;
mod transform;

pub use labeller::{StaticLabel, StaticLabeller};
pub use strategy::StaticStrategy;
pub use transform::{transform, StaticProgram, TransformCost, TransformError, Unsupported};
