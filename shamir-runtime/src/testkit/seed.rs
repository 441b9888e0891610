//! The forced reorderings: the seed's two multiplications, reached in opposite
//! orders by two players, deterministically.

use super::{check_correct, is_fooled, run_program, Case, FORCED_TIMEOUT};
use crate::field::Fp;
use crate::params::{RunParams, WorkloadKind};
use crate::program::{Mpc, Program, Share, Workload};
use crate::report::RunReport;
use crate::strategy::Strategy;

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

/// A [`SeedProgram`] is built fresh for every player.
impl Program for SeedProgram {
    fn build<M: Mpc>(&self) -> Box<dyn Workload<M>> {
        Box::new(SeedProgram {
            issued: false,
            ..self.clone()
        })
    }

    fn outputs(&self) -> u64 {
        2
    }
}

/// Runs [`SeedProgram::new`] under `s`: the seed's two multiplications,
/// reached in opposite orders by players 0 and 1. See [`is_fooled`].
pub fn forced_reordering<S: Strategy>(s: &S) -> RunReport {
    run_program(
        s,
        &SeedProgram::new(),
        &forced_reordering_params(),
        FORCED_TIMEOUT,
    )
}

/// Runs [`SeedProgram::with_continuations`] under `s`: the two
/// multiplications issued from continuations that players 0 and 1 run in
/// opposite orders.
pub fn forced_continuation_reordering<S: Strategy>(s: &S) -> RunReport {
    run_program(
        s,
        &SeedProgram::with_continuations(),
        &forced_reordering_params(),
        FORCED_TIMEOUT,
    )
}

/// Asserts `s` is not fooled by [`forced_reordering`] nor by
/// [`forced_continuation_reordering`]: both products open correctly and the
/// runs are clean ([`check_correct`]).
pub fn assert_not_fooled_by_forced_reordering<S: Strategy>(s: &S) {
    for (what, r) in [
        ("forced reordering", forced_reordering(s)),
        (
            "forced continuation reordering",
            forced_continuation_reordering(s),
        ),
    ] {
        assert_eq!(r.outputs, 2, "the seed program has two outputs");
        if let Err(e) = check_correct(&r) {
            panic!(
                "strategy `{}` was fooled by the {what}: {e}\nreport: {r:#?}",
                s.name()
            );
        }
    }
}

/// Asserts `s` IS fooled by [`forced_reordering`] (the naive control): some
/// result wrong or unverifiable, some opening inconsistent, or a hang.
/// Returns the report so the caller can look closer.
pub fn assert_fooled_by_forced_reordering<S: Strategy>(s: &S) -> RunReport {
    assert_fooled(s.name(), "forced reordering", forced_reordering(s))
}

/// Asserts `s` IS fooled by [`forced_continuation_reordering`] (e.g. a
/// counter that does not fork per continuation). Returns the report.
pub fn assert_fooled_by_forced_continuation_reordering<S: Strategy>(s: &S) -> RunReport {
    assert_fooled(
        s.name(),
        "forced continuation reordering",
        forced_continuation_reordering(s),
    )
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
