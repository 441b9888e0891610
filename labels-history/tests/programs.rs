//! Small programs, end to end over loopback TCP, for the two places where
//! history labels need care:
//!
//! * operations without operands: two `random()` calls in one context (the
//!   root, a continuation, two sibling continuations) must give two different
//!   values, and the program author writes nothing extra for it;
//! * the same expression in two continuations that players run in opposite
//!   orders: the one program here on which history labels are fooled (see the
//!   crate docs, "Where this stops working"), next to the same expression twice
//!   in one context, which stays correct.

use labels_history::{History, HistoryContext, HistoryLabel};
use shamir_runtime::cluster;
use shamir_runtime::label::{Issued, LabelError, Labeller, OpKind};
use shamir_runtime::params::RunParams;
use shamir_runtime::shamir::Shamir;
use shamir_runtime::testkit::{self, FORCED_TIMEOUT};
use shamir_runtime::{Engine, Fp, Mpc, Public, RunReport, Share, Workload};
use std::cell::RefCell;
use std::rc::Rc;

/// Run parameters for a hand-written program with `players` players.
fn params(players: u32) -> RunParams {
    RunParams {
        players,
        threshold: Shamir::default_threshold(players as usize) as u32,
        ..testkit::forced_reordering_params()
    }
}

/// Runs `program` on `players` players, each with the labeller `make()` builds.
fn run<L: Labeller, W>(
    make: impl Fn() -> L + Sync,
    players: u32,
    program: impl Fn() -> W + Sync,
) -> RunReport
where
    W: Workload<Engine<L>> + 'static,
{
    let outputs = program().outputs();
    cluster::run_local(
        &params(players),
        "history",
        FORCED_TIMEOUT,
        false,
        outputs,
        |_| {
            let w: Box<dyn Workload<Engine<L>>> = Box::new(program());
            (make(), w)
        },
    )
    .expect("starting the players")
}

// ---------------------------------------------------------------------------
// Two randoms.
// ---------------------------------------------------------------------------

/// Opens `r1` and `r2` and records one check that passes exactly when the two
/// opened values differ (and the openings are consistent).
fn check_differ<M: Mpc>(m: &mut M, r1: Share, r2: Share) {
    let (o1, o2) = (m.open(r1), m.open(r2));
    m.schedule(&[o1.into(), o2.into()], move |m| {
        let (v1, v2) = (m.read(o1), m.read(o2));
        // Equal randoms make the check expect a value the opening cannot have.
        let expected = if v1 != v2 { v1 } else { v1 + Fp::ONE };
        m.check(o1, expected);
    });
}

/// Two `random()` calls, written plainly, in three places: the root context,
/// one continuation, and two sibling continuations scheduled on the same value.
/// Three checks, each passing exactly when its two random values differ.
#[derive(Default)]
struct TwoRandoms {
    issued: bool,
}

impl<M: Mpc> Workload<M> for TwoRandoms {
    fn deal(&mut self, _m: &mut M) -> bool {
        false
    }

    fn compute(&mut self, m: &mut M) -> bool {
        if std::mem::replace(&mut self.issued, true) {
            return false;
        }
        // The root context.
        let r1 = m.random();
        let r2 = m.random();
        check_differ(m, r1, r2);

        // One continuation, after a value that is still pending.
        let g = m.random();
        let gate: Public = m.open(g);
        m.schedule(&[gate.into()], |m| {
            let r1 = m.random();
            let r2 = m.random();
            check_differ(m, r1, r2);
        });

        // Two sibling continuations on the same value, one random each; a third
        // one, scheduled last, runs after both and compares their randoms.
        let drawn: Rc<RefCell<Vec<Share>>> = Rc::default();
        for _ in 0..2 {
            let drawn = drawn.clone();
            m.schedule(&[gate.into()], move |m| drawn.borrow_mut().push(m.random()));
        }
        m.schedule(&[gate.into()], move |m| {
            let drawn = drawn.borrow();
            check_differ(m, drawn[0], drawn[1]);
        });
        true
    }

    fn outputs(&self) -> u64 {
        3
    }

    fn multiplications(&self) -> u64 {
        0
    }
}

#[test]
fn two_randoms_in_one_context_differ() {
    for players in [3, 5] {
        for _ in 0..3 {
            let r = run(History::default, players, TwoRandoms::default);
            testkit::assert_correct(&r);
            assert_eq!((r.correct, r.outputs), (3, 3), "{r:#?}");
        }
    }
    for b in labels_history::LABEL_BYTES {
        let r = run(|| History::new(b).unwrap(), 3, TwoRandoms::default);
        testkit::assert_correct(&r);
    }
}

/// History labels that forget the position of a `random()`: every random in a
/// context gets the same label. [`TwoRandoms`] must catch it.
struct SameRandom(History);

impl Labeller for SameRandom {
    type Label = HistoryLabel;
    type Tag = HistoryLabel;
    type Context = HistoryContext;

    fn root_tag(&self) -> HistoryLabel {
        self.0.root_tag()
    }

    fn issue(
        &mut self,
        op: OpKind,
        operands: &[&HistoryLabel],
    ) -> Result<Issued<HistoryLabel, HistoryLabel>, LabelError> {
        if op == OpKind::Random {
            // The history of a random that had no position to go by.
            let tag = self.0.root_tag();
            return Ok(Issued {
                label: Some(tag),
                tag,
            });
        }
        self.0.issue(op, operands)
    }

    fn schedule(&mut self, operands: &[&HistoryLabel]) -> HistoryContext {
        self.0.schedule(operands)
    }

    fn enter(&mut self, context: HistoryContext) -> HistoryContext {
        self.0.enter(context)
    }

    fn leave(&mut self, saved: HistoryContext) {
        self.0.leave(saved)
    }

    fn encode(&self, label: &HistoryLabel, out: &mut Vec<u8>) {
        self.0.encode(label, out)
    }

    fn decode(&self, bytes: &[u8]) -> Result<HistoryLabel, LabelError> {
        self.0.decode(bytes)
    }
}

#[test]
fn the_two_randoms_program_catches_equal_randoms() {
    let r = run(|| SameRandom(History::default()), 3, TwoRandoms::default);
    assert!(
        r.correct < r.outputs && r.wrong + r.unverifiable > 0,
        "equal randoms must fail the checks: {r:#?}"
    );
}

// ---------------------------------------------------------------------------
// The same expression twice.
// ---------------------------------------------------------------------------

/// `e·f` computed twice, e and f owned by player 2, and each copy then used
/// differently: `e·f + a` and `e·f + c` are opened and checked, with a owned by
/// player 0 and c by player 1. With `continuations`, each copy is issued from a
/// continuation: the first after a, the second after c. Player 0 runs the first
/// continuation at once and the second when c arrives; player 1 the other way
/// round. Without, both copies are issued in the main flow, one after the other.
#[derive(Clone, Copy)]
struct SameExpressionTwice {
    continuations: bool,
    issued: bool,
}

impl SameExpressionTwice {
    const VALUES: [u64; 4] = [2, 3, 6, 7];
}

/// `e·f + g`, opened and checked.
fn product_plus<M: Mpc>(m: &mut M, e: Share, f: Share, g: Share, expected: Fp) {
    let z = m.mul(e, f);
    let s = m.add(z, g);
    let o = m.open(s);
    m.check(o, expected);
}

impl<M: Mpc> Workload<M> for SameExpressionTwice {
    fn deal(&mut self, _m: &mut M) -> bool {
        false
    }

    fn compute(&mut self, m: &mut M) -> bool {
        if std::mem::replace(&mut self.issued, true) {
            return false;
        }
        let [a, c, e, f] = Self::VALUES.map(Fp::new);
        let sa = m.input(0, a);
        let sc = m.input(1, c);
        let se = m.input(2, e);
        let sf = m.input(2, f);
        if self.continuations {
            m.schedule(&[sa.into()], move |m| {
                product_plus(m, se, sf, sa, e * f + a)
            });
            m.schedule(&[sc.into()], move |m| {
                product_plus(m, se, sf, sc, e * f + c)
            });
        } else {
            product_plus(m, se, sf, sa, e * f + a);
            product_plus(m, se, sf, sc, e * f + c);
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

/// The limit the crate docs describe. The two copies of `e·f` have one history,
/// and the mailbox pairs same-labelled operations in the order each player
/// issued them, so player 0's first copy (its `z` for `+ a`) and player 1's
/// first copy (its `z` for `+ c`) are one and the same sharing. Each copy is
/// still a valid sharing of e·f, but player 0 adds a to one sharing and player
/// 1 to the other: the opening of `e·f + a` combines shares of two different
/// sharings and comes out inconsistent, every time.
#[test]
fn history_is_fooled_by_the_same_expression_in_reordered_continuations() {
    for _ in 0..3 {
        let r = run(History::default, 3, || SameExpressionTwice {
            continuations: true,
            issued: false,
        });
        assert!(
            testkit::is_fooled(&r) && r.correct < r.outputs,
            "history labels are expected to be fooled here: {r:#?}"
        );
    }
}

/// The control: the same two copies in one context are issued in the same
/// order everywhere, so each player binds the same sharing to each copy and
/// both sums open right.
#[test]
fn the_same_expression_twice_in_one_context_is_correct() {
    for players in [3, 5] {
        let r = run(History::default, players, || SameExpressionTwice {
            continuations: false,
            issued: false,
        });
        testkit::assert_correct(&r);
        assert_eq!((r.correct, r.outputs), (2, 2), "{r:#?}");
    }
}
