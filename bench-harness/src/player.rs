//! `labelbench player`: one player of a run spread over processes or hosts,
//! and the record it prints.

use anyhow::Result;
use shamir_runtime::player::{stall_limit, PlayerSetup};
use shamir_runtime::report::{PlayerReport, StrategyFigures};
use shamir_runtime::secure::Security;
use shamir_runtime::strategy::{PlayerRun as Outcome, Refusal};
use shamir_runtime::{AnyStrategy, RunParams};
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

/// A single player's report, with the run's identity.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct PlayerRun {
    /// Labelling strategy.
    pub strategy: String,
    /// The parameters of the run.
    pub params: RunParams,
    /// Git revision the binary was built from.
    pub git_rev: String,
    /// Why the strategy refused the program before running it, if it did.
    pub unsupported: Option<String>,
    /// Whether the links were authenticated and encrypted and the secrets
    /// dealt (see `RunReport::secure`).
    pub secure: bool,
    /// The strategy's own figures of the run (label truncation, collision
    /// bound, the transformed program), as a run in one process reports them.
    #[serde(default)]
    pub figures: StrategyFigures,
    /// The player's own figures.
    #[serde(flatten)]
    pub report: PlayerReport,
}

/// Runs player `me` of a multi-process run under `s`.
pub fn run_player(
    s: &dyn AnyStrategy,
    params: &RunParams,
    me: usize,
    addrs: Vec<SocketAddr>,
    listener: TcpListener,
    timeout: Duration,
    security: Security,
) -> Result<PlayerRun> {
    let secure = security.is_secure();
    let setup = PlayerSetup {
        me,
        params: params.clone(),
        strategy: s.handshake_name(),
        addrs,
        listener,
        timeout,
        stall: stall_limit(timeout),
        security,
    };
    let (report, figures, unsupported) = match s.run_player(setup) {
        Outcome::Ran(outcome, figures) => (outcome.report, figures, None),
        Outcome::Refused(Refusal::Unsupported { reason, .. }) => (
            PlayerReport::from_counters(me, &Default::default()),
            StrategyFigures::default(),
            Some(reason),
        ),
        Outcome::Refused(Refusal::OutOfTime { message, .. }) => {
            let mut report = PlayerReport::from_counters(me, &Default::default());
            report.hung = true;
            report.error = Some(message);
            (report, StrategyFigures::default(), None)
        }
    };
    Ok(PlayerRun {
        strategy: s.name().to_string(),
        params: params.clone(),
        git_rev: crate::meta::git_rev(),
        unsupported,
        secure,
        figures,
        report,
    })
}
