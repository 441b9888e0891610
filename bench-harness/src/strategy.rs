//! From a strategy's name to a labeller, for in-process runs and single players.

use crate::cli::StrategyName;
use anyhow::Result;
use labels_counter::{NaiveCounter, ProgramCounter};
use shamir_runtime::cluster;
use shamir_runtime::player::{run_player as run_one, PlayerSetup};
use shamir_runtime::report::PlayerReport;
use shamir_runtime::{workloads, Engine, Labeller, RunParams, RunReport};
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

/// The strategy's name as players announce it in the handshake.
pub fn wire_name(s: StrategyName) -> &'static str {
    match s {
        StrategyName::Naive => "naive",
        StrategyName::Counter => "counter",
    }
}

fn outputs(params: &RunParams) -> u64 {
    workloads::build::<Engine<ProgramCounter>>(params.workload, params.n, params.depth, params.seed)
        .outputs()
}

fn build<L: Labeller>(params: &RunParams) -> Box<dyn shamir_runtime::Workload<Engine<L>>> {
    workloads::build(params.workload, params.n, params.depth, params.seed)
}

fn local<L: Labeller>(
    params: &RunParams,
    name: &str,
    timeout: Duration,
    make: impl Fn() -> L + Sync,
) -> Result<RunReport> {
    Ok(cluster::run_local(
        params,
        name,
        timeout,
        outputs(params),
        |_| (make(), build(params)),
    )?)
}

/// Runs all players of one strategy in this process.
pub fn run_local(s: StrategyName, params: &RunParams, timeout: Duration) -> Result<RunReport> {
    let name = wire_name(s);
    match s {
        StrategyName::Naive => local(params, name, timeout, NaiveCounter::new),
        StrategyName::Counter => local(params, name, timeout, ProgramCounter::new),
    }
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
    /// The player's own figures.
    #[serde(flatten)]
    pub report: PlayerReport,
}

/// Runs one player of a multi-process run.
pub fn run_player(
    s: StrategyName,
    params: &RunParams,
    me: usize,
    addrs: Vec<SocketAddr>,
    listener: TcpListener,
    timeout: Duration,
) -> PlayerRun {
    let setup = PlayerSetup {
        me,
        params: params.clone(),
        strategy: wire_name(s).to_string(),
        addrs,
        listener,
        timeout,
    };
    let outcome = match s {
        StrategyName::Naive => run_one(setup, NaiveCounter::new(), build(params)),
        StrategyName::Counter => run_one(setup, ProgramCounter::new(), build(params)),
    };
    PlayerRun {
        strategy: wire_name(s).to_string(),
        params: params.clone(),
        git_rev: String::new(),
        report: outcome.report,
    }
}
