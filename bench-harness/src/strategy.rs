//! From a strategy's name to a labeller, for in-process runs and single players.

use crate::cli::StrategyName;
use anyhow::Result;
use labels_counter::{NaiveCounter, ProgramCounter};
use labels_history::{collision_bound, History};
use labels_static::{StaticLabeller, StaticProgram, TransformError};
use shamir_runtime::cluster;
use shamir_runtime::in_memory::{self, InMemoryRun};
use shamir_runtime::label::HashFiled;
use shamir_runtime::player::{run_player as run_one, stall_limit, PlayerSetup};
use shamir_runtime::report::PlayerReport;
use shamir_runtime::secure::Security;
use shamir_runtime::{workloads, Engine, Labeller, Mpc, RunParams, RunReport, Workload};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// History label size when none is given (`labels-history` says why).
pub const DEFAULT_LABEL_BYTES: usize = labels_history::DEFAULT_LABEL_BYTES;

/// A strategy with its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The naive control.
    Naive,
    /// VIFF's program counters.
    Counter,
    /// History labels of this many bytes.
    History {
        /// Bytes per label.
        label_bytes: usize,
    },
    /// Static labels from the traced program.
    Static,
}

impl Strategy {
    /// The strategy for a command-line name (not `all`).
    pub fn from_name(s: StrategyName, label_bytes: usize) -> Result<Strategy> {
        Ok(match s {
            StrategyName::Naive => Strategy::Naive,
            StrategyName::Counter => Strategy::Counter,
            StrategyName::History => Strategy::History { label_bytes },
            StrategyName::Static => Strategy::Static,
            StrategyName::All => anyhow::bail!("`all` is a list of strategies, not one"),
        })
    }

    /// Every strategy, in the order tables list them.
    pub fn all(label_bytes: usize) -> [Strategy; 4] {
        [
            Strategy::Naive,
            Strategy::Counter,
            Strategy::History { label_bytes },
            Strategy::Static,
        ]
    }

    /// The name reports use.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Naive => "naive",
            Strategy::Counter => "counter",
            Strategy::History { .. } => "history",
            Strategy::Static => "static",
        }
    }

    /// The name players announce in the handshake, with the options that must
    /// match (a history player with 8-byte labels cannot talk to one with 16).
    pub fn handshake_name(self) -> String {
        match self {
            Strategy::History { label_bytes } => format!("history/{label_bytes}"),
            s => s.name().to_string(),
        }
    }
}

/// The report name of a command-line strategy.
pub fn wire_name(s: StrategyName) -> &'static str {
    match s {
        StrategyName::Naive => "naive",
        StrategyName::Counter => "counter",
        StrategyName::History => "history",
        StrategyName::Static => "static",
        StrategyName::All => "all",
    }
}

fn outputs(params: &RunParams) -> u64 {
    workloads::build::<Engine<ProgramCounter>>(params.workload, params.n, params.depth, params.seed)
        .outputs()
}

/// How to build one player's labeller and program, for any engine type (the
/// engine type changes when the labeller is wrapped in [`HashFiled`]).
trait Parts: Sync {
    type L: Labeller;
    fn labeller(&self) -> Self::L;
    fn program<M: Mpc>(&self, params: &RunParams) -> Box<dyn Workload<M>>;
}

/// A labeller made by a function, running the workload's own code.
struct Plain<F>(F);

impl<L: Labeller, F: Fn() -> L + Sync> Parts for Plain<F> {
    type L = L;
    fn labeller(&self) -> L {
        (self.0)()
    }
    fn program<M: Mpc>(&self, params: &RunParams) -> Box<dyn Workload<M>> {
        workloads::build(params.workload, params.n, params.depth, params.seed)
    }
}

/// Static labels: the transformed program, replayed.
impl Parts for Arc<StaticProgram> {
    type L = StaticLabeller;
    fn labeller(&self) -> StaticLabeller {
        StaticProgram::labeller(self)
    }
    fn program<M: Mpc>(&self, _params: &RunParams) -> Box<dyn Workload<M>> {
        Box::new(self.replay())
    }
}

fn local<P: Parts>(
    params: &RunParams,
    name: &str,
    timeout: Duration,
    dense_keys: bool,
    secure: bool,
    parts: &P,
) -> Result<RunReport> {
    let outputs = outputs(params);
    let mut r = if dense_keys {
        cluster::run_local_with(params, name, timeout, secure, outputs, |_| {
            (parts.labeller(), parts.program(params))
        })?
    } else {
        cluster::run_local_with(params, name, timeout, secure, outputs, |_| {
            (HashFiled(parts.labeller()), parts.program(params))
        })?
    };
    // Only counter-like labels have dense keys; history labels are always hashed.
    r.dense_keys = dense_keys && name != "history";
    Ok(r)
}

/// Runs all players of one strategy in this process. With `dense_keys` false,
/// the operation table files every label by hash, even consecutive counters.
/// With `secure`, the links are authenticated and encrypted and the secrets
/// dealt over them.
pub fn run_local(
    s: Strategy,
    params: &RunParams,
    timeout: Duration,
    dense_keys: bool,
    secure: bool,
) -> Result<RunReport> {
    let name = s.name();
    match s {
        Strategy::Naive => local(
            params,
            name,
            timeout,
            dense_keys,
            secure,
            &Plain(NaiveCounter::new),
        ),
        Strategy::Counter => local(
            params,
            name,
            timeout,
            dense_keys,
            secure,
            &Plain(ProgramCounter::new),
        ),
        Strategy::History { label_bytes } => {
            let history = History::new(label_bytes)?;
            let mut r = local(
                params,
                name,
                timeout,
                dense_keys,
                secure,
                &Plain(|| history.clone()),
            )?;
            r.truncate_bytes = Some(label_bytes as u32);
            r.label_collision_bound = Some(collision_bound(r.ops_issued, label_bytes));
            Ok(r)
        }
        Strategy::Static => match transform_within(params, timeout) {
            Err(TransformError::Unsupported(u)) => {
                let mut r = RunReport::unsupported(name, params, outputs(params), u.reason);
                r.transform_s = Some(u.seconds);
                Ok(r)
            }
            Err(e @ TransformError::OutOfTime { seconds, .. }) => {
                let mut r = RunReport::combine(name, params, outputs(params), &[]);
                r.hung = true;
                r.error = Some(e.to_string());
                r.transform_s = Some(seconds);
                Ok(r)
            }
            Ok((program, left)) => {
                let program = Arc::new(program);
                let cost = program.cost();
                let mut r = local(params, name, left, dense_keys, secure, &program)?;
                r.transform_s = Some(cost.seconds);
                r.program_gates = Some(cost.gates);
                r.program_labelled = Some(cost.labelled_gates);
                r.program_bytes = Some(cost.program_bytes);
                Ok(r)
            }
        },
    }
}

/// Transforms the program for static labels within the run's `timeout`: the
/// tracing counts against it. Returns the program and the time left for the
/// run itself.
fn transform_within(
    params: &RunParams,
    timeout: Duration,
) -> Result<(StaticProgram, Duration), TransformError> {
    let started = Instant::now();
    let deadline = shamir_runtime::sys::deadline(started, timeout);
    let program = labels_static::transform_params_until(params, deadline)?;
    Ok((program, timeout.saturating_sub(started.elapsed())))
}

/// A single player's report, with the run's identity.
#[derive(Debug, serde::Serialize)]
pub struct PlayerRun {
    /// Labelling strategy.
    pub strategy: String,
    /// The parameters of the run.
    pub params: RunParams,
    /// Git revision.
    pub git_rev: String,
    /// Why the strategy refused the program before running it, if it did.
    pub unsupported: Option<String>,
    /// Whether the links were authenticated and encrypted and the secrets
    /// dealt (see `RunReport::secure`).
    pub secure: bool,
    /// The player's own figures.
    #[serde(flatten)]
    pub report: PlayerReport,
}

/// Runs one player of a multi-process run.
pub fn run_player(
    s: Strategy,
    params: &RunParams,
    me: usize,
    addrs: Vec<SocketAddr>,
    listener: TcpListener,
    timeout: Duration,
    security: Security,
) -> Result<PlayerRun> {
    let secure = security.is_secure();
    let setup = |timeout| PlayerSetup {
        me,
        params: params.clone(),
        strategy: s.handshake_name(),
        addrs,
        listener,
        timeout,
        stall: stall_limit(timeout),
        security,
    };
    let outcome = match s {
        Strategy::Naive => run_one(
            setup(timeout),
            NaiveCounter::new(),
            Plain(NaiveCounter::new).program(params),
        ),
        Strategy::Counter => run_one(
            setup(timeout),
            ProgramCounter::new(),
            Plain(ProgramCounter::new).program(params),
        ),
        Strategy::History { label_bytes } => run_one(
            setup(timeout),
            History::new(label_bytes)?,
            Plain(History::default).program(params),
        ),
        Strategy::Static => match transform_within(params, timeout) {
            // The trace follows from the parameters alone, which the handshake
            // makes every player agree on, so each process transforms for itself.
            Ok((program, left)) => {
                let program = Arc::new(program);
                run_one(setup(left), program.labeller(), Box::new(program.replay()))
            }
            Err(e @ TransformError::OutOfTime { .. }) => {
                let mut report = PlayerReport::from_counters(me, &Default::default());
                report.hung = true;
                report.error = Some(e.to_string());
                return Ok(PlayerRun {
                    strategy: s.name().to_string(),
                    params: params.clone(),
                    git_rev: String::new(),
                    unsupported: None,
                    secure,
                    report,
                });
            }
            Err(TransformError::Unsupported(u)) => {
                return Ok(PlayerRun {
                    strategy: s.name().to_string(),
                    params: params.clone(),
                    git_rev: String::new(),
                    unsupported: Some(u.reason),
                    secure,
                    report: PlayerReport::from_counters(me, &Default::default()),
                })
            }
        },
    };
    Ok(PlayerRun {
        strategy: s.name().to_string(),
        params: params.clone(),
        git_rev: String::new(),
        unsupported: None,
        secure,
        report: outcome.report,
    })
}

fn in_memory<P: Parts>(params: &RunParams, parts: &P) -> Result<InMemoryRun> {
    let players = (0..params.players)
        .map(|_| (parts.labeller(), parts.program(params)))
        .collect();
    Ok(in_memory::run_in_memory(
        params.threshold as usize,
        params.seed,
        params.window as usize,
        players,
    )?)
}

/// Runs all players of one strategy on this thread with no sockets
/// ([`shamir_runtime::in_memory`]): the engine's cost alone. Jitter is ignored.
pub fn run_in_memory(s: Strategy, params: &RunParams) -> Result<InMemoryRun> {
    match s {
        Strategy::Naive => in_memory(params, &Plain(NaiveCounter::new)),
        Strategy::Counter => in_memory(params, &Plain(ProgramCounter::new)),
        Strategy::History { label_bytes } => {
            let history = History::new(label_bytes)?;
            in_memory(params, &Plain(|| history.clone()))
        }
        Strategy::Static => match labels_static::transform_params(params) {
            Ok(program) => in_memory(params, &Arc::new(program)),
            Err(u) => anyhow::bail!("static labels cannot run this program: {}", u.reason),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shamir_runtime::WorkloadKind;

    #[test]
    fn tracing_that_outlasts_the_timeout_is_a_hung_run_naming_the_phase() {
        let params = RunParams {
            workload: WorkloadKind::Independent,
            n: 20_000_000,
            ..RunParams::example()
        };
        let started = Instant::now();
        let r = run_local(
            Strategy::Static,
            &params,
            Duration::from_millis(20),
            true,
            false,
        )
        .unwrap();
        assert!(started.elapsed() < Duration::from_secs(5), "stopped early");
        assert!(r.hung);
        let error = r.error.unwrap_or_default();
        assert!(error.contains("tracing the program"), "{error}");
        assert!(
            r.transform_s.is_some_and(|s| s >= 0.02),
            "{:?}",
            r.transform_s
        );
        assert!(!r.unsupported);
        assert_eq!(r.correct, 0);
        assert_eq!(r.outputs, params.n);
    }

    #[test]
    fn a_quick_trace_leaves_the_run_its_time() {
        let params = RunParams {
            workload: WorkloadKind::Independent,
            n: 200,
            ..RunParams::example()
        };
        let r = run_local(
            Strategy::Static,
            &params,
            Duration::from_secs(30),
            true,
            false,
        )
        .unwrap();
        assert_eq!((r.hung, r.error.as_deref()), (false, None));
        assert_eq!(r.correct, 200);
    }
}
