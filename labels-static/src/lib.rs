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
//! when it runs, as every loop of the study's workloads does (sizes come from
//! the run parameters), is unrolled by the same tracing: the circuit holds
//! every iteration. The price is that the program exists in memory as data:
//! 16 bytes per gate and a byte per labelled gate (its kind, for the
//! labeller), shared by the players of a process; the figures report it
//! (`program_bytes`).
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
//! ## What cannot be transformed: branches on opened values
//!
//! A program that reads an opened value ([`Mpc::read`](shamir_runtime::Mpc::read))
//! decides what to issue next from data that exists only during the run. The
//! `random-bits` workload does: it opens r², retries when it is 0, and computes
//! the bit it checks from the opened values. The tracer cannot know which
//! branch will be taken, so it records the first read and the transformation
//! **rejects** the program with [`Unsupported`] and a reason; the harness
//! reports the run as unsupported. It never hangs (after the first read the
//! tracer records nothing and drops every continuation, so a retry loop ends)
//! and never runs a guessed program.
//!
//! Rejection was chosen over a bounded-candidates transformation (trace both
//! branches of every read up to k retries, reserve labels for all of them, and
//! let the opened value, which every player sees alike, pick one at run time)
//! because that is no longer a static program: which labels a run uses would
//! again depend on the path it takes at run time, to be tracked as it runs (a
//! program counter by another name); the circuit would grow with every
//! candidate kept (exponentially, for reads inside retried branches); and a
//! run that needs more than k retries (probability about 2^(−61·(k+1)) per
//! bit for `random-bits`) would have no label at all, a failure the strategy
//! would have to detect and report anyway. Moreover `random-bits` derives the
//! *expected value* of its check from an opened value, which a circuit of
//! fixed constants cannot express. The finding is the strategy's limit,
//! reported as such: static labels need control flow that does not depend on
//! the data.
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
