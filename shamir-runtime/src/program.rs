//! What a program sees: handles to pending values, the [`Mpc`] operations, and
//! the [`Workload`] trait through which the runtime pulls a program in pieces.
//!
//! Every operation issues when it is called and returns at once a handle to a
//! value that may still be pending, as VIFF's `Share` (a Deferred) does. A program
//! never waits: to act on a value once it is known it schedules a continuation
//! ([`Mpc::schedule`]), VIFF's `schedule_callback`. Programs never see a label.
//!
//! Workloads are written once, generically over [`Mpc`]. The live runtime
//! implements it by running the operations over the network; the
//! [`Tracer`](crate::circuit::Tracer) implements it by recording them into a
//! [`Circuit`](crate::circuit::Circuit).

use crate::field::Fp;
use crate::label::PlayerId;

/// Index of a value (a share or an opened value) in the runtime's value table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueId(pub u32);

/// A handle to this player's share of a secret value, possibly still pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Share(pub ValueId);

/// A handle to an opened (public) value, possibly still pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Public(pub ValueId);

impl From<Share> for ValueId {
    fn from(s: Share) -> ValueId {
        s.0
    }
}

impl From<Public> for ValueId {
    fn from(p: Public) -> ValueId {
        p.0
    }
}

/// The operations of the Shamir runtime, as a program calls them.
pub trait Mpc: Sized + 'static {
    /// Number of players.
    fn players(&self) -> usize;

    /// `owner` deals shares of `value`. Every player passes the same plaintext
    /// (the workloads derive it from the run seed, so the result can be checked);
    /// only the owner's copy is used.
    fn input(&mut self, owner: PlayerId, value: Fp) -> Share;

    /// A PRSS random value: no communication; its label is the PRF input.
    fn random(&mut self) -> Share;

    /// `a + b`, local.
    fn add(&mut self, a: Share, b: Share) -> Share;

    /// `a − b`, local.
    fn sub(&mut self, a: Share, b: Share) -> Share;

    /// `c · a` for a public constant, local.
    fn mul_const(&mut self, a: Share, c: Fp) -> Share;

    /// `a + c` for a public constant, local.
    fn add_const(&mut self, a: Share, c: Fp) -> Share;

    /// `a · b` by BGW: one round of communication.
    fn mul(&mut self, a: Share, b: Share) -> Share;

    /// Opens `a` to every player: one round of communication. An opening whose
    /// shares do not lie on one polynomial of degree t is counted as
    /// inconsistent, never trusted silently.
    fn open(&mut self, a: Share) -> Public;

    /// Records that `p`, once known, must equal the plaintext result `expected`.
    fn check(&mut self, p: Public, expected: Fp);

    /// The value of `p`. Only meaningful inside a continuation scheduled after
    /// `p`: there it is known.
    fn read(&mut self, p: Public) -> Fp;

    /// Runs `then` once every value in `after` is known. The operations it issues
    /// are labelled as belonging to this point of the program, whenever it runs.
    fn schedule(&mut self, after: &[ValueId], then: impl FnOnce(&mut Self) + 'static);

    /// The program drops its handle to `v`: it will not pass `v` to another
    /// operation, nor read or check it. Handles are `Copy`, so dropping one is
    /// not something the runtime can see; this call is how a program says it.
    /// The runtime frees a value's storage once the program has released it
    /// and every operation already issued on it has run, so memory follows
    /// what is in flight, not how long the program is. A value never released
    /// is kept to the end of the run (correct, only larger). Using a handle
    /// after releasing it is a program error.
    fn release(&mut self, v: ValueId);
}

/// A program, pulled by the runtime in small pieces so that only a bounded
/// window of operations is in flight at once.
///
/// A program runs in one or more batches, so that the inputs it holds at once
/// are bounded too: the runtime calls `deal` until it returns false, waits for
/// every input to arrive (the time it reports as input time), calls `compute`
/// until it returns false, waits for every result (compute time), and then, if
/// [`Workload::next_batch`] says there is one, does the same for the next
/// batch. Every player runs the same batches in the same order.
pub trait Workload<M: Mpc> {
    /// Issues the next few inputs of this batch; returns false once they are
    /// all issued.
    fn deal(&mut self, m: &mut M) -> bool;

    /// Issues the next piece of this batch's computation; returns false once it
    /// is all issued.
    fn compute(&mut self, m: &mut M) -> bool;

    /// Moves to the next batch; false when the program is done. The default is
    /// a program of one batch.
    fn next_batch(&mut self) -> bool {
        false
    }

    /// Checks (outputs) the whole program will have recorded when done.
    fn outputs(&self) -> u64;

    /// Multiplications the whole program issues (random-bits retries aside).
    fn multiplications(&self) -> u64;
}

/// A program every player runs, as something that can be built against any
/// [`Mpc`]: the live engine, or a tracer that records it before the run. The
/// study's workloads are one ([`RunParams`](crate::RunParams) names one, see
/// [`workloads`](crate::workloads)); the
/// conformance suite has its own.
pub trait Program: Sync {
    /// A fresh copy of the program, issuing against `M`.
    fn build<M: Mpc>(&self) -> Box<dyn Workload<M>>;

    /// Checks (outputs) the program will have recorded when done.
    fn outputs(&self) -> u64;
}
