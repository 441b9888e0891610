//! Running all n players of a run in one process, each on its own thread with
//! its own tokio runtime, over real TCP connections on loopback, and combining
//! their reports.

use crate::engine::Engine;
use crate::error::RuntimeError;
use crate::label::{Labeller, PlayerId};
use crate::params::RunParams;
use crate::player::{run_player, stall_limit, PlayerSetup};
use crate::program::Workload;
use crate::report::{PlayerOutcome, RunReport};
use crate::secure::{LinkKeys, Security};
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

/// Builds what one player runs: its labeller and its program.
pub type PlayerParts<L> = (L, Box<dyn Workload<Engine<L>>>);

/// Binds one listening socket per player on 127.0.0.1 with ports the OS picks.
pub fn bind_loopback(players: usize) -> Result<(Vec<TcpListener>, Vec<SocketAddr>), RuntimeError> {
    let mut listeners = Vec::with_capacity(players);
    let mut addrs = Vec::with_capacity(players);
    for me in 0..players {
        let any: SocketAddr = "127.0.0.1:0".parse().expect("valid address");
        let l = TcpListener::bind(any).map_err(|e| RuntimeError::Listen {
            me,
            addr: any,
            source: e,
        })?;
        addrs.push(l.local_addr().map_err(|e| RuntimeError::Listen {
            me,
            addr: any,
            source: e,
        })?);
        listeners.push(l);
    }
    Ok((listeners, addrs))
}

/// Runs every player of `params` in this process and returns each one's
/// outcome: on plaintext links with seeded secrets, or, with `secure`, on
/// secure links with dealt secrets (fresh keys for every player, made in
/// memory for this run). `strategy(me)` names the strategy player `me`
/// announces in its handshake and `parts(me)` builds its labeller and
/// program, on the player's own thread.
pub fn run_players<L, S, P>(
    params: &RunParams,
    timeout: Duration,
    secure: bool,
    strategy: S,
    parts: P,
) -> Result<Vec<PlayerOutcome>, RuntimeError>
where
    L: Labeller,
    S: Fn(PlayerId) -> String + Sync,
    P: Fn(PlayerId) -> PlayerParts<L> + Sync,
{
    let n = params.players as usize;
    let mut security: Vec<Security> = if secure {
        LinkKeys::for_local_run(n)
            .map_err(|e| RuntimeError::BadParams(e.to_string()))?
            .into_iter()
            .map(Security::Secure)
            .collect()
    } else {
        vec![Security::Insecure; n]
    };
    crate::sys::reset_peak_rss();
    let (listeners, addrs) = bind_loopback(n)?;
    let outcomes = std::thread::scope(|s| {
        let handles: Vec<_> = listeners
            .into_iter()
            .enumerate()
            .map(|(me, listener)| {
                let setup = PlayerSetup {
                    me,
                    params: params.clone(),
                    strategy: strategy(me),
                    addrs: addrs.clone(),
                    listener,
                    timeout,
                    stall: stall_limit(timeout),
                    security: std::mem::replace(&mut security[me], Security::Insecure),
                };
                let parts = &parts;
                std::thread::Builder::new()
                    .name(format!("player-{me}"))
                    .spawn_scoped(s, move || {
                        let (labeller, workload) = parts(me);
                        run_player(setup, labeller, workload)
                    })
                    .expect("spawning a player thread")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a player thread panicked"))
            .collect::<Vec<_>>()
    });
    Ok(outcomes)
}

/// Runs a whole run in process with one strategy, on plaintext or (with
/// `secure`) secure links, and combines the reports.
pub fn run_local<L, P>(
    params: &RunParams,
    strategy: &str,
    timeout: Duration,
    secure: bool,
    outputs: u64,
    parts: P,
) -> Result<RunReport, RuntimeError>
where
    L: Labeller,
    P: Fn(PlayerId) -> PlayerParts<L> + Sync,
{
    let outcomes = run_players(params, timeout, secure, |_| strategy.to_string(), parts)?;
    let mut report = RunReport::combine(strategy, params, outputs, &outcomes);
    report.secure = secure;
    Ok(report)
}
