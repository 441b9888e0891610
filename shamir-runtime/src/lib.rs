//! # shamir-runtime
//!
//! The one runtime every labelling strategy runs on, so that a difference in a
//! figure is a difference between strategies and nothing else.
//!
//! ## Structure
//!
//! * Arithmetic, free of I/O: [`field`] (GF(2^61 − 1)), [`shamir`] (sharing and
//!   Lagrange coefficients), [`prss`] (random shares without communication).
//! * The contract: [`label`], the [`Labeller`] trait (how one player labels
//!   its messages), and [`strategy`], the [`Strategy`] trait (everything else
//!   a run needs of a strategy) with [`AnyStrategy`], what the harness holds.
//! * The program side: [`program`] (handles, the [`Mpc`] operations, the
//!   [`Workload`] and [`Program`] traits), [`workloads`] (the six programs of the study,
//!   written once) and [`circuit`] (the program as data: traced into gates
//!   before a run, then replayed, for strategies that look at the program
//!   before it runs).
//! * The runtime: [`engine`] (one table per player of the operations in
//!   flight, found from their labels), [`outbox`] (the frames bound for a
//!   peer), [`wire`] (frames and handshake), [`net`] (the TCP mesh and link
//!   writers), [`player`] (one player end to end)
//!   and [`cluster`] (all players in one process). [`in_memory`] runs every
//!   player's engine on one thread with no sockets: the engine's own cost, for
//!   benchmarks and profilers.
//! * Results: [`report`], [`latency`] and [`params`].
//!
//! A strategy crate depends on this one, implements [`Labeller`] and
//! [`Strategy`], and runs the shared conformance suite from `testkit`
//! (feature `testkit`) with one line:
//! `shamir_runtime::conformance_suite!(MyStrategy);`.

pub mod circuit;
pub mod cluster;
pub mod engine;
pub mod error;
pub mod field;
pub mod in_memory;
pub mod label;
pub mod latency;
pub mod link_coding;
pub mod net;
pub mod outbox;
pub mod params;
pub mod player;
pub mod program;
pub mod prss;
pub mod report;
pub mod secure;
pub mod shamir;
pub mod strategy;
pub mod sys;
pub mod wire;
pub mod workloads;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use engine::Engine;
pub use error::RuntimeError;
pub use field::Fp;
pub use label::{
    decode_varint_label, Issued, IssuedWire, LabelError, LabelTiming, Labeller, OpKind, PlayerId,
};
pub use params::{RunParams, WorkloadKind};
pub use program::{Loop, Mpc, Ops, Program, Public, Share, Step, ValueId, Workload};
pub use report::RunReport;
pub use strategy::{AnyStrategy, Strategy};
