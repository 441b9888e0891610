//! Liveness end to end over loopback TCP: a run that cannot go on ends
//! promptly, naming the peer it waits for, and a player that fails tells its
//! peers why.
//!
//! * A silent peer, and a peer that drips a useless frame every 0.5 s, are
//!   named within the stall limit plus a second; the error states the time
//!   without progress.
//! * A peer killed mid-run (its sockets closed, as the kernel closes a killed
//!   process's) is named within a second.
//! * A player that fails makes its peer report its reason ("player 0 failed:
//!   …"), not "player 0 disconnected".
//!
//! As in `errors.rs`, players 0 and 1 are real and player 2 is a fake written
//! here with `std::net::TcpStream`, speaking the real handshake. The stall
//! limit is short (1 s) where the stall check is under test, and long where
//! it must not be what ends the run.

mod common;

use common::FlatCounter;
use shamir_runtime::cluster::bind_loopback;
use shamir_runtime::player::{run_player, PlayerSetup};
use shamir_runtime::report::PlayerOutcome;
use shamir_runtime::wire::{put_message, put_varint};
use shamir_runtime::{workloads, Engine, Fp, RunParams, RunReport, Workload, WorkloadKind};
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const STRATEGY: &str = "flat";
/// The overall deadline: far beyond what any test here may take.
const TIMEOUT: Duration = Duration::from_secs(20);
/// The stall limit where the stall check is under test.
const SHORT_STALL: Duration = Duration::from_secs(1);
/// The stall limit where something else must end the run.
const LONG_STALL: Duration = Duration::from_secs(10);

fn params() -> RunParams {
    RunParams {
        workload: WorkloadKind::Independent,
        n: 10,
        ..RunParams::example()
    }
}

fn program(p: &RunParams) -> Box<dyn Workload<Engine<FlatCounter>>> {
    workloads::build(p.workload, p.n, p.depth, p.seed)
}

/// Starts player `me` on its own thread, with stall limit `stall`.
fn spawn_player(
    me: usize,
    params: RunParams,
    addrs: &[SocketAddr],
    listener: TcpListener,
    stall: Duration,
) -> JoinHandle<(PlayerOutcome, Instant)> {
    let setup = PlayerSetup {
        stall,
        ..common::flat_setup(me, &params, addrs, listener, TIMEOUT)
    };
    std::thread::Builder::new()
        .name(format!("player-{me}"))
        .spawn(move || {
            let o = run_player(setup, FlatCounter::default(), program(&params));
            (o, Instant::now())
        })
        .expect("spawning a player")
}

/// Players 0 and 1 for real, and a fake player 2 connected to both.
struct WithFake {
    players: Vec<JoinHandle<(PlayerOutcome, Instant)>>,
    /// The fake's link to player 0 and to player 1.
    links: Vec<TcpStream>,
    /// When both handshakes were done.
    connected: Instant,
    _listener: TcpListener,
}

impl WithFake {
    fn start(stall: Duration) -> WithFake {
        let p = params();
        let (mut listeners, addrs) = bind_loopback(3).expect("binding loopback listeners");
        let listener = listeners.pop().expect("three listeners");
        let players: Vec<_> = listeners
            .into_iter()
            .enumerate()
            .map(|(me, l)| spawn_player(me, p.clone(), &addrs, l, stall))
            .collect();
        let ours = common::hello(2, STRATEGY, &p);
        let links = (0..2)
            .map(|j| {
                let (s, theirs) = common::fake_dial(addrs[j], &ours);
                assert_eq!(theirs.player, j as u64);
                s
            })
            .collect();
        WithFake {
            players,
            links,
            connected: Instant::now(),
            _listener: listener,
        }
    }

    /// Waits for both real players: each one's outcome and when it ended.
    fn join(players: Vec<JoinHandle<(PlayerOutcome, Instant)>>) -> Vec<(PlayerOutcome, Instant)> {
        players
            .into_iter()
            .map(|h| h.join().expect("a player thread panicked"))
            .collect()
    }
}

fn error_of(o: &PlayerOutcome) -> &str {
    o.report.error.as_deref().unwrap_or("")
}

/// A frame under counter label `k` (the fake's first input is label 3).
fn frame(k: u64, value: u64) -> Vec<u8> {
    let mut label = Vec::new();
    put_varint(&mut label, k);
    let mut out = Vec::new();
    put_message(&mut out, &label, Fp::new(value));
    out
}

/// The seconds a stall error says passed without progress.
fn stated_seconds(e: &str) -> f64 {
    let rest = e
        .split("no progress for ")
        .nth(1)
        .unwrap_or_else(|| panic!("not a stall: {e}"));
    rest.split(' ')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no time in {e}"))
}

/// Both real players ended with a stall (their own, or the other's, told
/// them) within the stall limit plus a second of `since`, naming player 2 as
/// the peer that owes them messages; at least one of them hung. Returns the
/// slower player's time.
fn assert_stalled_on_player_2(outcomes: &[(PlayerOutcome, Instant)], since: Instant) -> f64 {
    let mut slowest: f64 = 0.0;
    for (o, ended) in outcomes {
        let e = error_of(o);
        let took = ended.duration_since(since).as_secs_f64();
        slowest = slowest.max(took);
        eprintln!("player {} after {took:.3} s: {e}", o.report.player);
        assert!(
            e.contains("stalled: no progress for") && e.contains("(limit 1.0 s)"),
            "player {}: not a stall: {e}",
            o.report.player
        );
        assert!(
            e.contains("waiting on player 2 for") && e.contains("(e.g. input "),
            "player {}: player 2 not named: {e}",
            o.report.player
        );
        assert!(!e.contains("disconnected"), "{e}");
        let stated = stated_seconds(e);
        assert!(
            (1.0..2.0).contains(&stated),
            "stated {stated} s without progress"
        );
        assert!(
            took <= (SHORT_STALL + Duration::from_secs(1)).as_secs_f64(),
            "player {} took {took:.3} s to report the stall",
            o.report.player
        );
    }
    assert!(
        outcomes.iter().any(|(o, _)| o.report.hung),
        "someone must have stalled"
    );
    slowest
}

#[test]
fn a_silent_peer_is_named_within_the_stall_limit() {
    let fake = WithFake::start(SHORT_STALL);
    let since = fake.connected;
    let outcomes = WithFake::join(fake.players);
    let slowest = assert_stalled_on_player_2(&outcomes, since);
    eprintln!("silent peer named after {slowest:.3} s (stall limit 1 s)");
    drop(fake.links);
}

#[test]
fn a_dripping_peer_is_named_within_the_stall_limit() {
    let fake = WithFake::start(SHORT_STALL);
    let since = fake.connected;
    let stop = Arc::new(AtomicBool::new(false));
    let mut links = fake.links;
    let dripper = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            // A frame every 0.5 s under a label no operation will ever take,
            // to each player: held, never consumed.
            for k in 0u64.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                for link in &mut links {
                    let _ = link.write_all(&frame(1 << 40 | k, k));
                }
                std::thread::sleep(Duration::from_millis(500));
            }
            links
        })
    };
    let outcomes = WithFake::join(fake.players);
    stop.store(true, Ordering::Relaxed);
    let slowest = assert_stalled_on_player_2(&outcomes, since);
    eprintln!("dripping peer named after {slowest:.3} s (stall limit 1 s)");
    for (o, _) in &outcomes {
        // The drips arrived, and were held, not taken for progress.
        assert!(o.report.orphans >= 1, "{:#?}", o.report);
    }
    drop(dripper.join().expect("the dripper"));
}

#[test]
fn a_peer_killed_mid_run_is_named_within_a_second() {
    let fake = WithFake::start(LONG_STALL);
    let mut links = fake.links;
    // The fake looks like a real player for a moment (its first input share
    // to both), then dies: its sockets close, as a killed process's do.
    for link in &mut links {
        link.write_all(&frame(3, 42)).unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    let killed = Instant::now();
    drop(links);
    let outcomes = WithFake::join(fake.players);
    for (o, ended) in &outcomes {
        let e = error_of(o);
        let took = ended.duration_since(killed).as_secs_f64();
        eprintln!("player {} after {took:.3} s: {e}", o.report.player);
        assert!(
            e.contains("player 2 disconnected mid-run") || e.contains("on the link with player 2"),
            "player {}: player 2 not named: {e}",
            o.report.player
        );
        assert!(
            !e.contains("player 0 disconnected") && !e.contains("player 1 disconnected"),
            "{e}"
        );
        assert!(!o.report.hung, "{e}");
        assert!(took <= 1.0, "player {} took {took:.3} s", o.report.player);
    }
}

#[test]
fn a_player_that_fails_tells_its_peers_why() {
    // The fake sends the victim a frame that is not a field element; the
    // victim fails, and the other real player (which the fake leaves alone,
    // and whose stall limit is long) must report the victim's reason.
    for victim in [0, 1] {
        let fake = WithFake::start(LONG_STALL);
        let mut links = fake.links;
        let mut garbage = frame(3, 42);
        garbage.extend_from_slice(&[9, 3]);
        garbage.extend_from_slice(&u64::MAX.to_le_bytes());
        let sent = Instant::now();
        links[victim].write_all(&garbage).unwrap();
        let outcomes = WithFake::join(fake.players);
        drop(links);
        let (failed, _) = &outcomes[victim];
        let (other, ended) = &outcomes[1 - victim];
        eprintln!(
            "victim {victim}: {:?}; the other after {:.3} s: {:?}",
            error_of(failed),
            ended.duration_since(sent).as_secs_f64(),
            error_of(other)
        );
        assert!(
            error_of(failed).starts_with("malformed frame from player 2"),
            "{:?}",
            failed.report.error
        );
        assert_eq!(
            error_of(other),
            format!("player {victim} failed: {}", error_of(failed)),
        );
        assert!(!other.report.hung && !failed.report.hung);
        assert!(ended.duration_since(sent) <= Duration::from_secs(1));
        let reports: Vec<PlayerOutcome> = outcomes.into_iter().map(|(o, _)| o).collect();
        let r = RunReport::combine(STRATEGY, &params(), 10, &reports);
        assert_eq!(
            r.error,
            Some(format!("player {victim}: {}", error_of(&reports[victim])))
        );
    }
}
