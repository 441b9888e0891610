//! The [`Strategy`] trait: a labelling strategy as a whole, the one thing a
//! `labels-*` crate gives the harness and the conformance suite.
//!
//! A [`Labeller`] says how one player labels its messages. A strategy says
//! everything else a run needs to know about it: its name (the command-line
//! value and what players announce in the handshake), how it prepares a
//! program before the run (static labels transform it; the others take it as
//! it is), which labeller and program each player runs, the figures it adds
//! to a run's report, and what memory its preparation will need.
//!
//! # Layers
//!
//! * [`Strategy`] is what a strategy crate writes: `name`, `about`, `prepare`
//!   and `labeller` are required; the rest have defaults.
//! * [`AnyStrategy`] is what the harness holds: every [`Strategy`] is one,
//!   through a blanket impl that runs it on the runtime's three drivers
//!   ([`cluster`](crate::cluster) over loopback TCP, [`player`](crate::player)
//!   as one process of a run, [`in_memory`](crate::in_memory) with no
//!   sockets). It is object safe, so the harness keeps one list of
//!   `&dyn AnyStrategy` and nothing else that names a strategy.
//!
//! **Architecture invariant:** the runtime never names a strategy; the
//! harness knows strategies only through [`AnyStrategy`].

use crate::cluster::{self, PlayerParts};
use crate::error::RuntimeError;
use crate::in_memory::{self, InMemoryRun};
use crate::label::{HashFiled, Labeller, PlayerId};
use crate::params::RunParams;
use crate::player::{self, stall_limit, PlayerSetup};
use crate::program::{Mpc, Program, Workload};
use crate::report::{PlayerOutcome, RunReport, StrategyFigures};
use std::time::{Duration, Instant};

/// Why a strategy will not run a program.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// The strategy cannot label this program (static labels and a branch on
    /// an opened value): a finding, reported as an unsupported run.
    #[error("{reason}")]
    Unsupported {
        /// Why, in words.
        reason: String,
        /// Seconds spent preparing before the refusal.
        seconds: f64,
    },
    /// Preparing the program outlasted the run's time: a hung run.
    #[error("{message}")]
    OutOfTime {
        /// What was being done, in words.
        message: String,
        /// Seconds spent preparing.
        seconds: f64,
    },
}

impl Refusal {
    /// Seconds spent preparing before the refusal.
    pub fn seconds(&self) -> f64 {
        match self {
            Refusal::Unsupported { seconds, .. } | Refusal::OutOfTime { seconds, .. } => *seconds,
        }
    }
}

/// Memory a strategy's preparation needs beyond the runtime's own tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryNeed {
    /// Bytes shared by every player of a process (a transformed program).
    pub shared: u64,
    /// Bytes each player adds (its replay's handles).
    pub per_player: u64,
    /// How the figures were found, for messages.
    pub basis: String,
}

/// A labelling strategy: what a `labels-*` crate implements. See the
/// [module docs](self).
pub trait Strategy: Sync + 'static {
    /// The labeller each player runs.
    type Labeller: Labeller;
    /// What [`Strategy::prepare`] makes of the program, shared by the players
    /// of a process (`()` for a strategy that takes programs as they are).
    type Plan: Sync;

    /// The name on the command line, in the results and in reports.
    fn name(&self) -> &'static str;

    /// One line on what the strategy is, for `--help`.
    fn about(&self) -> &'static str;

    /// Looks at the program before the run, within `deadline`. The program is
    /// the same at every player, so each player's process may prepare it for
    /// itself.
    fn prepare<P: Program>(
        &self,
        program: &P,
        params: &RunParams,
        deadline: Instant,
    ) -> Result<Self::Plan, Refusal>;

    /// Player `me`'s labeller.
    fn labeller(&self, plan: &Self::Plan, me: PlayerId) -> Self::Labeller;

    /// Player `me`'s program, against any [`Mpc`]. By default the program as
    /// written.
    fn program<M: Mpc, P: Program>(&self, plan: &Self::Plan, program: &P) -> Box<dyn Workload<M>> {
        let _ = plan;
        program.build()
    }

    /// The name players announce in the handshake: the name with every option
    /// two players must agree on. By default the name.
    fn handshake_name(&self) -> String {
        self.name().to_string()
    }

    /// Adds the strategy's own figures to a finished run's report (history's
    /// collision bound, static's transform cost). By default none.
    fn add_figures(&self, plan: &Self::Plan, report: &mut RunReport) {
        let _ = (plan, report);
    }

    /// The memory [`Strategy::prepare`] will need for `params`, estimated
    /// before the run; `Err(reason)` if the program is too large for the
    /// strategy at all. By default nothing beyond the runtime's tables.
    fn memory(&self, params: &RunParams) -> Result<Option<MemoryNeed>, String> {
        let _ = params;
        Ok(None)
    }
}

/// How to run all players of a run in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalRun {
    /// The whole run, preparing included, must end within this.
    pub timeout: Duration,
    /// File labels by their dense keys where the labeller gives them; false
    /// files every label by hash ([`HashFiled`]).
    pub dense_keys: bool,
    /// Authenticated, encrypted links and dealt secrets.
    pub secure: bool,
}

/// What a strategy's single player of a multi-process run came to.
#[derive(Debug)]
pub enum PlayerRun {
    /// The player ran (perhaps into an error, which its report holds); with
    /// the strategy's own figures of the run.
    Ran(Box<PlayerOutcome>, StrategyFigures),
    /// The strategy refused the program before the run.
    Refused(Refusal),
}

/// A [`Strategy`] behind a pointer: what the harness lists and runs. Every
/// [`Strategy`] implements it.
pub trait AnyStrategy: Sync {
    /// [`Strategy::name`].
    fn name(&self) -> &'static str;
    /// [`Strategy::about`].
    fn about(&self) -> &'static str;
    /// [`Strategy::handshake_name`].
    fn handshake_name(&self) -> String;
    /// [`Strategy::memory`].
    fn memory(&self, params: &RunParams) -> Result<Option<MemoryNeed>, String>;
    /// Runs every player of the study's workload `params` names in this
    /// process, over loopback TCP, and combines their reports. A refusal is a
    /// report too (unsupported, or hung when preparing ran out of time).
    fn run_local(&self, params: &RunParams, how: LocalRun) -> Result<RunReport, RuntimeError>;
    /// Runs player `setup.me` of a run spread over processes; preparing counts
    /// against `setup.timeout`.
    fn run_player(&self, setup: PlayerSetup) -> PlayerRun;
    /// Runs every player on this thread with no sockets
    /// ([`in_memory`](crate::in_memory)): the engine's cost alone.
    fn run_in_memory(&self, params: &RunParams) -> Result<InMemoryRun, RuntimeError>;
}

/// Prepares `program` within `timeout`; returns the plan and the time left.
fn prepare_within<S: Strategy, P: Program>(
    s: &S,
    program: &P,
    params: &RunParams,
    timeout: Duration,
) -> Result<(S::Plan, Duration), Refusal> {
    let started = Instant::now();
    let plan = s.prepare(program, params, crate::sys::deadline(started, timeout))?;
    Ok((plan, timeout.saturating_sub(started.elapsed())))
}

/// Runs every player of `program` under `s` in this process: the driver
/// behind [`AnyStrategy::run_local`], for any [`Program`] (the conformance
/// suite runs its own).
pub fn run_program<S: Strategy, P: Program>(
    s: &S,
    program: &P,
    params: &RunParams,
    how: LocalRun,
) -> Result<RunReport, RuntimeError> {
    if how.dense_keys {
        run_wrapped(s, program, params, how, |labeller, _| labeller)
    } else {
        run_wrapped(s, program, params, how, |labeller, _| HashFiled(labeller))
    }
}

/// [`run_program`] with each player's labeller wrapped by `wrap(labeller,
/// me)` (the conformance suite records every label this way). The report
/// says the table filed by dense keys when the wrapped labeller gives them.
pub fn run_wrapped<S, P, W>(
    s: &S,
    program: &P,
    params: &RunParams,
    how: LocalRun,
    wrap: impl Fn(S::Labeller, PlayerId) -> W + Sync,
) -> Result<RunReport, RuntimeError>
where
    S: Strategy,
    P: Program,
    W: Labeller,
{
    let name = s.name();
    let outputs = program.outputs();
    let (plan, left) = match prepare_within(s, program, params, how.timeout) {
        Ok(prepared) => prepared,
        Err(refusal) => return Ok(refused(name, params, outputs, how.secure, refusal)),
    };
    let parts =
        |me| -> PlayerParts<W> { (wrap(s.labeller(&plan, me), me), s.program(&plan, program)) };
    let mut report = cluster::run_local(params, name, left, how.secure, outputs, parts)?;
    report.dense_keys = W::DENSE_KEYS;
    s.add_figures(&plan, &mut report);
    Ok(report)
}

/// The report of a run the strategy refused, in the security mode asked for
/// (a sweep's resume key includes it).
fn refused(
    name: &str,
    params: &RunParams,
    outputs: u64,
    secure: bool,
    refusal: Refusal,
) -> RunReport {
    let seconds = refusal.seconds();
    let mut r = match refusal {
        Refusal::Unsupported { reason, .. } => {
            RunReport::unsupported(name, params, outputs, reason)
        }
        Refusal::OutOfTime { message, .. } => {
            let mut r = RunReport::combine(name, params, outputs, &[]);
            r.hung = true;
            r.error = Some(message);
            r
        }
    };
    r.transform_s = Some(seconds);
    r.secure = secure;
    r
}

impl<S: Strategy> AnyStrategy for S {
    fn name(&self) -> &'static str {
        Strategy::name(self)
    }

    fn about(&self) -> &'static str {
        Strategy::about(self)
    }

    fn handshake_name(&self) -> String {
        Strategy::handshake_name(self)
    }

    fn memory(&self, params: &RunParams) -> Result<Option<MemoryNeed>, String> {
        Strategy::memory(self, params)
    }

    fn run_local(&self, params: &RunParams, how: LocalRun) -> Result<RunReport, RuntimeError> {
        run_program(self, params, params, how)
    }

    fn run_player(&self, mut setup: PlayerSetup) -> PlayerRun {
        let params = setup.params.clone();
        match prepare_within(self, &params, &params, setup.timeout) {
            Err(refusal) => PlayerRun::Refused(refusal),
            Ok((plan, left)) => {
                setup.timeout = left;
                setup.stall = setup.stall.min(stall_limit(left));
                let labeller = self.labeller(&plan, setup.me);
                let program = self.program(&plan, &params);
                let outcome = player::run_player(setup, labeller, program);
                // The figures a run in one process adds to its combined report.
                let mut figures = RunReport::combine(Strategy::name(self), &params, 0, &[]);
                figures.ops_issued = outcome.report.ops;
                figures.dense_keys = S::Labeller::DENSE_KEYS;
                self.add_figures(&plan, &mut figures);
                PlayerRun::Ran(Box::new(outcome), figures.strategy_figures())
            }
        }
    }

    fn run_in_memory(&self, params: &RunParams) -> Result<InMemoryRun, RuntimeError> {
        let plan = self
            .prepare(
                params,
                params,
                crate::sys::deadline(Instant::now(), Duration::MAX),
            )
            .map_err(|r| RuntimeError::Refused {
                strategy: Strategy::name(self).to_string(),
                reason: r.to_string(),
            })?;
        let players = (0..params.players as usize)
            .map(|me| (self.labeller(&plan, me), self.program(&plan, params)))
            .collect();
        in_memory::run_in_memory(
            params.threshold as usize,
            params.seed,
            params.window as usize,
            params.label_coding,
            players,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::{Issued, LabelError, OpKind};

    /// A labeller that is never run: the strategy below refuses everything.
    struct Never;

    impl Labeller for Never {
        type Label = ();
        type Tag = ();
        type Context = ();

        fn issue(&mut self, _: OpKind, _: &[&()]) -> Result<Issued<(), ()>, LabelError> {
            unreachable!("a refused program issues nothing")
        }

        fn encode(&self, _: &(), _: &mut Vec<u8>) {}

        fn decode(&self, _: &[u8]) -> Result<(), LabelError> {
            Ok(())
        }
    }

    /// Refuses every program, as its refusal says.
    struct Refuses(Refusal);

    impl Strategy for Refuses {
        type Labeller = Never;
        type Plan = ();

        fn name(&self) -> &'static str {
            "refuses"
        }

        fn about(&self) -> &'static str {
            "refuses every program"
        }

        fn prepare<P: Program>(&self, _: &P, _: &RunParams, _: Instant) -> Result<(), Refusal> {
            Err(self.0.clone())
        }

        fn labeller(&self, _: &(), _: PlayerId) -> Never {
            Never
        }
    }

    #[test]
    fn a_refusal_is_reported_in_the_security_mode_asked_for() {
        let params = RunParams::example();
        for secure in [false, true] {
            let how = LocalRun {
                timeout: Duration::from_secs(5),
                dense_keys: true,
                secure,
            };
            let unsupported = Refuses(Refusal::Unsupported {
                reason: "no".into(),
                seconds: 0.5,
            });
            let r = AnyStrategy::run_local(&unsupported, &params, how).unwrap();
            assert!(r.unsupported && !r.hung, "{r:?}");
            assert_eq!((r.secure, r.transform_s), (secure, Some(0.5)));
            assert_eq!(r.unsupported_reason.as_deref(), Some("no"));
            let late = Refuses(Refusal::OutOfTime {
                message: "late".into(),
                seconds: 1.5,
            });
            let r = AnyStrategy::run_local(&late, &params, how).unwrap();
            assert!(r.hung && !r.unsupported, "{r:?}");
            assert_eq!((r.secure, r.transform_s), (secure, Some(1.5)));
            assert_eq!((r.error.as_deref(), r.outputs), (Some("late"), params.n));
        }
    }
}
