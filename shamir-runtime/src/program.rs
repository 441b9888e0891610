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
use smallvec::SmallVec;
use std::sync::Arc;

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

    /// A loop whose trip count depends on opened values (see [`Loop`]): its
    /// body runs now, on its own copies of `inputs` (the caller's handles
    /// stay the caller's), and again, as a continuation, for as long as its
    /// test says so; then its continuation runs once. The default runs it
    /// with [`Mpc::schedule`] ([`run_loop`]).
    fn repeat(&mut self, inputs: &[Share], body: Arc<Loop>) {
        run_loop(self, inputs, body);
    }

    /// Called by [`run_loop`] in the continuation that runs a loop's body
    /// again, before it does: the engine tells its labeller (static labels
    /// count iterations). Does nothing by default.
    fn next_iteration(&mut self) {}
}

/// The operations of [`Mpc`] a loop's body and continuation issue, minus
/// waiting and reading (a loop reads the opened values its body hands back,
/// and only those): a trait object, so that a loop is data, closures any
/// runtime can call and a tracer can trace once. Every [`Mpc`] is one.
pub trait Ops {
    /// [`Mpc::players`].
    fn players(&self) -> usize;
    /// [`Mpc::input`].
    fn input(&mut self, owner: PlayerId, value: Fp) -> Share;
    /// [`Mpc::random`].
    fn random(&mut self) -> Share;
    /// [`Mpc::add`].
    fn add(&mut self, a: Share, b: Share) -> Share;
    /// [`Mpc::sub`].
    fn sub(&mut self, a: Share, b: Share) -> Share;
    /// [`Mpc::mul_const`].
    fn mul_const(&mut self, a: Share, c: Fp) -> Share;
    /// [`Mpc::add_const`].
    fn add_const(&mut self, a: Share, c: Fp) -> Share;
    /// [`Mpc::mul`].
    fn mul(&mut self, a: Share, b: Share) -> Share;
    /// [`Mpc::open`].
    fn open(&mut self, a: Share) -> Public;
    /// [`Mpc::check`].
    fn check(&mut self, p: Public, expected: Fp);
    /// [`Mpc::release`].
    fn release(&mut self, v: ValueId);
    /// [`Mpc::repeat`]: a loop inside a loop.
    fn repeat(&mut self, inputs: &[Share], body: Arc<Loop>);
}

impl<M: Mpc> Ops for M {
    fn players(&self) -> usize {
        Mpc::players(self)
    }
    fn input(&mut self, owner: PlayerId, value: Fp) -> Share {
        Mpc::input(self, owner, value)
    }
    fn random(&mut self) -> Share {
        Mpc::random(self)
    }
    fn add(&mut self, a: Share, b: Share) -> Share {
        Mpc::add(self, a, b)
    }
    fn sub(&mut self, a: Share, b: Share) -> Share {
        Mpc::sub(self, a, b)
    }
    fn mul_const(&mut self, a: Share, c: Fp) -> Share {
        Mpc::mul_const(self, a, c)
    }
    fn add_const(&mut self, a: Share, c: Fp) -> Share {
        Mpc::add_const(self, a, c)
    }
    fn mul(&mut self, a: Share, b: Share) -> Share {
        Mpc::mul(self, a, b)
    }
    fn open(&mut self, a: Share) -> Public {
        Mpc::open(self, a)
    }
    fn check(&mut self, p: Public, expected: Fp) {
        Mpc::check(self, p, expected)
    }
    fn release(&mut self, v: ValueId) {
        Mpc::release(self, v)
    }
    fn repeat(&mut self, inputs: &[Share], body: Arc<Loop>) {
        Mpc::repeat(self, inputs, body)
    }
}

/// What one iteration of a loop hands back: the opened values its test
/// reads (the loop releases them once read), and the values it made that the
/// continuation gets if this is the last iteration (released by the loop if
/// it is not).
#[derive(Debug, Clone, Default)]
pub struct Step {
    /// Opened values the test reads, in order.
    pub read: Vec<Public>,
    /// Values handed to the continuation, which then owns them.
    pub carry: Vec<ValueId>,
}

/// A loop body's closure: issues one iteration on the loop's inputs.
pub type Body = dyn Fn(&mut dyn Ops, &[Share]) -> Step + Send + Sync;
/// A loop's test: whether to run the body again, from the values read.
pub type Again = dyn Fn(&[Fp]) -> bool + Send + Sync;
/// A loop's continuation: the values read by the last test, the loop's
/// inputs (the loop's own copies, released after it), and the last
/// iteration's carried values (its to release).
pub type Then = dyn Fn(&mut dyn Ops, &[Fp], &[Share], &[ValueId]) + Send + Sync;

/// A loop whose trip count depends on opened values, as data
/// ([`Mpc::repeat`]): a body, a test and a continuation. The body issues
/// operations on the loop's inputs and returns a [`Step`]; once its opened
/// values are known, the test decides whether the body runs again (a new
/// iteration) or the continuation runs, with the values read. Reading is
/// done by the loop, never by the body: opened values are public, so every
/// player takes the same decisions. Closures are shared (`Send + Sync`), so
/// a traced program can keep them and replay them on every player; they
/// must use only the handles they are given (inputs, the values they make),
/// never handles captured from outside the loop.
pub struct Loop {
    /// One iteration.
    pub body: Box<Body>,
    /// Whether to run the body again.
    pub again: Box<Again>,
    /// What follows the last iteration.
    pub then: Box<Then>,
}

impl Loop {
    /// A loop of these closures, shared.
    pub fn new(
        body: impl Fn(&mut dyn Ops, &[Share]) -> Step + Send + Sync + 'static,
        again: impl Fn(&[Fp]) -> bool + Send + Sync + 'static,
        then: impl Fn(&mut dyn Ops, &[Fp], &[Share], &[ValueId]) + Send + Sync + 'static,
    ) -> Arc<Loop> {
        Arc::new(Loop {
            body: Box::new(body),
            again: Box::new(again),
            then: Box::new(then),
        })
    }
}

impl std::fmt::Debug for Loop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Loop { .. }")
    }
}

/// Runs a loop with continuations ([`Mpc::repeat`]'s default, and what the
/// engine runs): copies `inputs` (local operations, so the loop owns its
/// handles), issues the body, and schedules the test on the values it
/// reads; the test's continuation releases them, then either releases the
/// iteration's carried values, calls [`Mpc::next_iteration`] and issues the
/// body again, or runs the loop's continuation and releases the copies.
pub fn run_loop<M: Mpc>(m: &mut M, inputs: &[Share], body: Arc<Loop>) {
    let own: Arc<[Share]> = inputs
        .iter()
        .map(|&s| Mpc::add_const(m, s, Fp::ZERO))
        .collect();
    iterate(m, own, body);
}

/// One iteration of a loop and the test after it.
fn iterate<M: Mpc>(m: &mut M, own: Arc<[Share]>, l: Arc<Loop>) {
    let step = (l.body)(m, &own);
    let after: SmallVec<[ValueId; 4]> = step.read.iter().map(|&p| p.into()).collect();
    m.schedule(&after, move |m| {
        let values: SmallVec<[Fp; 4]> = step.read.iter().map(|&p| m.read(p)).collect();
        for &p in &step.read {
            Mpc::release(m, p.into());
        }
        if (l.again)(&values) {
            for &v in &step.carry {
                Mpc::release(m, v);
            }
            m.next_iteration();
            iterate(m, own, l);
        } else {
            (l.then)(m, &values, &own, &step.carry);
            for &s in own.iter() {
                Mpc::release(m, s.into());
            }
        }
    });
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
