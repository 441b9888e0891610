//! Secure links end to end over loopback TCP: players that hold their keys
//! run correctly, PRSS included; a stranger, a crowd of idle strangers, a
//! stranger that speaks Noise with a key outside the roster, an impersonator
//! holding another player's key, and a peer without keys are all kept out,
//! and the players who trust each other go on (or, for the peer without keys,
//! are told by name why they cannot).

mod common;

use common::FlatCounter;
use shamir_runtime::cluster::bind_loopback;
use shamir_runtime::player::{run_player, PlayerSetup};
use shamir_runtime::report::PlayerOutcome;
use shamir_runtime::secure::{self, generate_keypair, LinkKeys, Security, KEY_BYTES};
use shamir_runtime::{workloads, Engine, RunParams, Workload, WorkloadKind};
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const STRATEGY: &str = "flat";

fn params(workload: WorkloadKind, n: u64) -> RunParams {
    RunParams {
        workload,
        n,
        ..RunParams::example()
    }
}

fn program(p: &RunParams) -> Box<dyn Workload<Engine<FlatCounter>>> {
    workloads::build(p.workload, p.n, p.depth, p.seed)
}

/// A key pair per player and the roster of their public keys.
fn keys(players: usize) -> (Vec<[u8; KEY_BYTES]>, Vec<[u8; KEY_BYTES]>) {
    let pairs: Vec<_> = (0..players).map(|_| generate_keypair().unwrap()).collect();
    (
        pairs.iter().map(|p| p.0).collect(),
        pairs.iter().map(|p| p.1).collect(),
    )
}

fn spawn_player(
    me: usize,
    params: RunParams,
    addrs: &[SocketAddr],
    listener: TcpListener,
    timeout: Duration,
    security: Security,
) -> JoinHandle<PlayerOutcome> {
    let setup = PlayerSetup {
        security,
        ..common::flat_setup(me, &params, addrs, listener, timeout)
    };
    std::thread::Builder::new()
        .name(format!("player-{me}"))
        .spawn(move || run_player(setup, FlatCounter::default(), program(&params)))
        .expect("spawning a player")
}

/// Runs three players, player `me` secure with its key when `secure[me]`.
fn run(
    p: &RunParams,
    listeners: Vec<TcpListener>,
    addrs: &[SocketAddr],
    private: &[[u8; KEY_BYTES]],
    roster: &[[u8; KEY_BYTES]],
    secure: [bool; 3],
    timeout: Duration,
) -> Vec<PlayerOutcome> {
    let handles: Vec<_> = listeners
        .into_iter()
        .enumerate()
        .map(|(me, l)| {
            let security = if secure[me] {
                Security::Secure(LinkKeys::new(me, private[me], roster.to_vec()).unwrap())
            } else {
                Security::Insecure
            };
            spawn_player(me, p.clone(), addrs, l, timeout, security)
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("a player thread panicked"))
        .collect()
}

/// Runs `f` to completion on a runtime of its own (a fake peer's thread).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(f)
}

/// Runs three secure players with the keys `private` and `roster`.
fn run_secure(
    p: &RunParams,
    listeners: Vec<TcpListener>,
    addrs: &[SocketAddr],
    private: &[[u8; KEY_BYTES]],
    roster: &[[u8; KEY_BYTES]],
) -> Vec<PlayerOutcome> {
    let timeout = Duration::from_secs(30);
    run(p, listeners, addrs, private, roster, [true; 3], timeout)
}

fn assert_correct(outcomes: &[PlayerOutcome], outputs: u64) {
    for o in outcomes {
        assert_eq!(o.report.error, None, "player {}", o.report.player);
        assert_eq!(o.report.correct, outputs, "player {}", o.report.player);
    }
}

#[test]
fn secure_players_compute_correctly_with_dealt_prss_keys() {
    // `random-bits` opens PRSS values: with keys dealt over the links, the
    // players' shares must still lie on one polynomial.
    for (workload, n) in [
        (WorkloadKind::RandomBits, 50),
        (WorkloadKind::Independent, 2000),
    ] {
        let p = params(workload, n);
        let (private, roster) = keys(3);
        let (listeners, addrs) = bind_loopback(3).unwrap();
        let outcomes = run_secure(&p, listeners, &addrs, &private, &roster);
        assert_correct(&outcomes, n);
    }
}

#[test]
fn strangers_at_setup_are_dropped_and_the_run_goes_on() {
    let p = params(WorkloadKind::Independent, 500);
    let (private, roster) = keys(3);
    let (listeners, addrs) = bind_loopback(3).unwrap();
    // Before any player runs, strangers wait in player 0's accept queue:
    // random bytes, a silent connection, and a plaintext hello claiming to be
    // player 2 (with the run's own parameters).
    let mut garbage = TcpStream::connect(addrs[0]).unwrap();
    garbage.write_all(&[0x5a; 64]).unwrap();
    let _silent = TcpStream::connect(addrs[0]).unwrap();
    let mut claimant = TcpStream::connect(addrs[0]).unwrap();
    let fake = common::hello(2, STRATEGY, &p);
    claimant.write_all(&fake.to_frame()).unwrap();
    // And one that speaks Noise, with a key that is not in the roster.
    let (outsider, _) = generate_keypair().unwrap();
    let mut outsider_roster = roster.clone();
    outsider_roster[2] = secure::public_key_of(&outsider);
    let outsider_keys = LinkKeys::new(2, outsider, outsider_roster).unwrap();
    let to = addrs[0];
    let noise = std::thread::spawn(move || {
        block_on(async {
            let mut s = tokio::net::TcpStream::connect(to).await.unwrap();
            secure::initiate(&mut s, &outsider_keys, 0).await
        })
    });
    let started = Instant::now();
    let outcomes = run_secure(&p, listeners, &addrs, &private, &roster);
    assert_correct(&outcomes, 500);
    // The silent stranger held only its own handshake task, not the run.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let refused = noise.join().unwrap().unwrap_err();
    assert!(
        refused.contains("reading the secure handshake"),
        "{refused}"
    );
}

#[test]
fn a_crowd_of_idle_strangers_cannot_keep_players_out() {
    // More silent connections than player 0 handshakes with at once, queued
    // before any player runs: each new connection ends the oldest handshake,
    // so the real players still get in, long before the strangers' limit.
    let p = params(WorkloadKind::Independent, 200);
    let (private, roster) = keys(3);
    let (listeners, addrs) = bind_loopback(3).unwrap();
    let crowd: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(addrs[0]).unwrap())
        .collect();
    let started = Instant::now();
    let outcomes = run_secure(&p, listeners, &addrs, &private, &roster);
    assert_correct(&outcomes, 200);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    drop(crowd);
}

#[test]
fn a_stranger_mid_run_changes_nothing() {
    let p = params(WorkloadKind::Chain, 3000);
    let (private, roster) = keys(3);
    let (listeners, addrs) = bind_loopback(3).unwrap();
    let targets = addrs.clone();
    let stranger = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        for a in targets {
            if let Ok(mut s) = TcpStream::connect(a) {
                let _ = s.write_all(&[0xff; 4096]);
            }
        }
    });
    let outcomes = run_secure(&p, listeners, &addrs, &private, &roster);
    stranger.join().unwrap();
    assert_correct(&outcomes, 3000);
}

#[test]
fn an_impersonator_with_another_players_key_is_dropped() {
    // Someone holding player 1's key connects to player 0 and says it is
    // player 2. Player 0 drops it; the real player 2 then connects and the
    // run completes.
    let p = params(WorkloadKind::Independent, 500);
    let (private, roster) = keys(3);
    let (mut listeners, addrs) = bind_loopback(3).unwrap();
    let thief = LinkKeys::new(1, private[1], roster.clone()).unwrap();
    let (to, claimed) = (addrs[0], p.clone());
    let impersonator = std::thread::spawn(move || {
        block_on(async {
            let mut s = tokio::net::TcpStream::connect(to).await.unwrap();
            let mut t = secure::initiate(&mut s, &thief, 0).await?;
            let fake = common::hello(2, STRATEGY, &claimed);
            secure::send_sealed(&mut s, &mut t, &fake.to_frame()).await?;
            // Player 0 must not answer with its hello: the link is closed.
            secure::receive_sealed(&mut s, &mut t).await
        })
    });
    // Let the impersonator be first in player 0's queue.
    std::thread::sleep(Duration::from_millis(50));
    let l2 = listeners.pop().unwrap();
    let late = {
        let (p, addrs, key) = (p.clone(), addrs.clone(), private[2]);
        let roster = roster.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            let keys = LinkKeys::new(2, key, roster).unwrap();
            spawn_player(
                2,
                p,
                &addrs,
                l2,
                Duration::from_secs(30),
                Security::Secure(keys),
            )
            .join()
            .unwrap()
        })
    };
    let handles: Vec<_> = listeners
        .into_iter()
        .enumerate()
        .map(|(me, l)| {
            let keys = LinkKeys::new(me, private[me], roster.clone()).unwrap();
            spawn_player(
                me,
                p.clone(),
                &addrs,
                l,
                Duration::from_secs(30),
                Security::Secure(keys),
            )
        })
        .collect();
    let mut outcomes: Vec<PlayerOutcome> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    outcomes.push(late.join().unwrap());
    assert_correct(&outcomes, 500);
    let answer = impersonator.join().unwrap();
    assert!(
        answer.is_err(),
        "player 0 answered the impersonator: {answer:?}"
    );
}

#[test]
fn a_peer_without_keys_against_secure_players_is_named() {
    let p = params(WorkloadKind::Independent, 100);
    let (private, roster) = keys(3);
    let (listeners, addrs) = bind_loopback(3).unwrap();
    let outcomes = run(
        &p,
        listeners,
        &addrs,
        &private,
        &roster,
        [true, true, false],
        Duration::from_secs(2),
    );
    let e2 = outcomes[2].report.error.clone().unwrap_or_default();
    assert!(
        e2.contains("handshake with player 0") && e2.contains("start every player with its key"),
        "{e2}"
    );
    let e0 = outcomes[0].report.error.clone().unwrap_or_default();
    assert!(
        e0.contains("never connected: player(s) 2")
            && e0.contains("not a secure labelbench player of this run"),
        "{e0}"
    );
}
