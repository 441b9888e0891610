//! End-to-end error paths over loopback TCP: every way a run can go wrong ends
//! the run promptly with an error that names what went wrong.
//!
//! * Handshake mismatches: another strategy, other run parameters.
//! * A peer that sends bytes that are not a frame (a fake player 2 written here
//!   with `std::net::TcpStream`, speaking the real handshake), or floods a
//!   player with messages no operation expects.
//! * A peer that disconnects in the middle of the run.
//! * A run that can never finish, ended by its timeout.
//!
//! The fake peer picks one real player as its victim and leaves the other
//! alone, so that which error each real player reports first is deterministic:
//! the victim reports the fake's misdeed, the other one (that then sees the
//! victim leave) merely reports some error and does not hang.

mod common;

use common::FlatCounter;
use shamir_runtime::cluster::{self, bind_loopback};
use shamir_runtime::link_coding::LabelCoding;
use shamir_runtime::player::{run_player, PlayerSetup};
use shamir_runtime::report::PlayerOutcome;
use shamir_runtime::wire::{put_message, put_varint, MAX_BODY};
use shamir_runtime::{
    field::MODULUS, workloads, Engine, Fp, RunParams, RunReport, Workload, WorkloadKind,
};
use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

const STRATEGY: &str = "flat";

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

/// Starts player `me` on its own thread.
fn spawn_player(
    me: usize,
    params: RunParams,
    strategy: &str,
    addrs: &[SocketAddr],
    listener: TcpListener,
    timeout: Duration,
) -> JoinHandle<PlayerOutcome> {
    let setup = PlayerSetup {
        strategy: strategy.to_string(),
        ..common::flat_setup(me, &params, addrs, listener, timeout)
    };
    std::thread::Builder::new()
        .name(format!("player-{me}"))
        .spawn(move || run_player(setup, FlatCounter::default(), program(&params)))
        .expect("spawning a player")
}

fn join(handles: Vec<JoinHandle<PlayerOutcome>>) -> Vec<PlayerOutcome> {
    handles
        .into_iter()
        .map(|h| h.join().expect("a player thread panicked"))
        .collect()
}

fn error_of(o: &PlayerOutcome) -> &str {
    o.report.error.as_deref().unwrap_or("")
}

/// Asserts player outcome `o` ended with an error containing every one of
/// `needles`, and did not hang.
fn assert_error(o: &PlayerOutcome, needles: &[&str]) {
    let e = error_of(o);
    for needle in needles {
        assert!(
            e.contains(needle),
            "player {}: expected an error containing {needle:?}, got {:?}\nreport: {:#?}",
            o.report.player,
            o.report.error,
            o.report
        );
    }
    assert!(
        !o.report.hung,
        "player {} hung: {:#?}",
        o.report.player, o.report
    );
}

/// Players 0 and 1 for real, and a fake player 2 that has connected to both
/// and exchanged valid handshakes.
struct WithFake {
    players: Vec<JoinHandle<PlayerOutcome>>,
    /// The fake's link to player 0 and to player 1.
    links: Vec<TcpStream>,
    /// Player 2's listening socket, kept bound (nobody dials player 2).
    _listener: TcpListener,
}

impl WithFake {
    fn start(timeout: Duration) -> WithFake {
        WithFake::start_with(params(), timeout)
    }

    fn start_with(p: RunParams, timeout: Duration) -> WithFake {
        let (mut listeners, addrs) = bind_loopback(3).expect("binding loopback listeners");
        let listener = listeners.pop().expect("three listeners");
        let players: Vec<_> = listeners
            .into_iter()
            .enumerate()
            .map(|(me, l)| spawn_player(me, p.clone(), STRATEGY, &addrs, l, timeout))
            .collect();
        // Player 2 dials every lower id; each side writes its Hello, then reads.
        let ours = common::hello(2, STRATEGY, &p);
        let links = (0..2)
            .map(|j| {
                let (s, theirs) = common::fake_dial(addrs[j], &ours);
                assert_eq!(
                    (theirs.player, theirs.strategy.as_str()),
                    (j as u64, STRATEGY)
                );
                assert_eq!(theirs.params, p);
                s
            })
            .collect();
        WithFake {
            players,
            links,
            _listener: listener,
        }
    }

    /// Waits for both real players (keeping the fake's sockets open meanwhile).
    fn finish(self) -> Vec<PlayerOutcome> {
        let outcomes = join(self.players);
        drop(self.links);
        outcomes
    }
}

/// A valid message for the first input player 2 owns (the fourth input of
/// `independent`; labels count inputs from 0), so the fake looks like a real
/// player mid-run before it misbehaves.
fn valid_frame() -> Vec<u8> {
    let mut label = Vec::new();
    put_varint(&mut label, 3);
    let mut out = Vec::new();
    put_message(&mut out, &label, Fp::new(42));
    out
}

#[test]
fn malformed_frames_are_named() {
    let not_a_field_element = {
        // Body: a 1-byte label and the payload 2^61 − 1, which is not below the modulus.
        let mut f = vec![9, 3];
        f.extend_from_slice(&MODULUS.to_le_bytes());
        f
    };
    let too_long = {
        let mut f = Vec::new();
        put_varint(&mut f, MAX_BODY as u64 + 1);
        f.extend_from_slice(&[0; 16]);
        f
    };
    let bad_label = {
        // A label that is not a canonical varint: 0x80 0x00.
        let mut f = Vec::new();
        put_message(&mut f, &[0x80, 0x00], Fp::new(1));
        f
    };
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "payload >= 2^61 - 1",
            not_a_field_element,
            "is not a field element",
        ),
        ("length over MAX_BODY", too_long, "over the 4096-byte limit"),
        ("undecodable label", bad_label, "label does not decode"),
    ];
    for (what, garbage, reason) in cases {
        for victim in [0, 1] {
            let mut fake = WithFake::start(Duration::from_secs(20));
            let link = &mut fake.links[victim];
            link.write_all(&valid_frame()).unwrap();
            link.write_all(&garbage).unwrap();
            let outcomes = fake.finish();
            eprintln!(
                "{what}, victim {victim}: {:?}",
                outcomes.iter().map(error_of).collect::<Vec<_>>()
            );
            assert_error(
                &outcomes[victim],
                &["malformed frame from player 2", reason],
            );
            // The other real player sees the victim leave; it must not hang.
            let other = &outcomes[1 - victim];
            assert!(
                other.report.error.is_some() && !other.report.hung,
                "{:#?}",
                other.report
            );
        }
    }
}

/// With labels coded against the link, a coded label that does not decode
/// against the link's previous label is a malformed frame, named with its
/// peer. The fake sends one valid coded frame first, so the link has a
/// previous label.
#[test]
fn a_coded_label_that_does_not_decode_is_named() {
    let p = RunParams {
        label_coding: LabelCoding::Link,
        ..params()
    };
    // `FlatCounter` codes its labels as bytes: a label coded against the
    // previous one is varint(bytes shared with it), then the rest.
    let mut frames = Vec::new();
    put_message(&mut frames, &[0x00, 0x03], Fp::new(42));
    // Shares 5 bytes with a previous label of 1 byte.
    put_message(&mut frames, &[0x05, 0x01], Fp::new(1));
    for victim in [0, 1] {
        let mut fake = WithFake::start_with(p.clone(), Duration::from_secs(20));
        fake.links[victim].write_all(&frames).unwrap();
        let outcomes = fake.finish();
        assert_error(
            &outcomes[victim],
            &[
                "malformed frame from player 2",
                "coded label 0501 does not decode against the link's previous labels",
                "shares 5 components or bytes with a previous label of 1",
            ],
        );
        let other = &outcomes[1 - victim];
        assert!(
            other.report.error.is_some() && !other.report.hung,
            "{:#?}",
            other.report
        );
    }
}

/// A peer that floods a player with messages no operation expects (labels
/// far beyond the run's) is refused by name once it has used up what a player
/// keeps for one peer, instead of growing the player's memory.
#[test]
fn a_flood_of_unexpected_labels_is_refused_by_name() {
    let p = params();
    // The table keeps (players + 1) windows of labels, at least 1024.
    let kept = (p.window as usize * (p.players as usize + 1))
        .max(1024)
        .next_power_of_two();
    let mut flood = valid_frame();
    for k in 0..=kept as u64 {
        let mut label = Vec::new();
        put_varint(&mut label, 1 << 40 | k);
        put_message(&mut flood, &label, Fp::new(k));
    }
    let mut fake = WithFake::start(Duration::from_secs(20));
    fake.links[0].write_all(&flood).unwrap();
    let outcomes = fake.finish();
    assert_error(
        &outcomes[0],
        &[
            &format!("player 2 sent {kept} messages that no operation here expects"),
            &format!("label {}", 1u64 << 40 | kept as u64),
        ],
    );
    assert!(outcomes[1].report.error.is_some() && !outcomes[1].report.hung);
}

#[test]
fn peer_disconnect_mid_run_is_named() {
    for victim in [0, 1] {
        let mut fake = WithFake::start(Duration::from_secs(20));
        let link = &mut fake.links[victim];
        link.write_all(&valid_frame()).unwrap();
        // Close the sending side (FIN): the victim reads the end of the stream
        // while its run still waits for player 2's inputs. The receiving side
        // stays open, so the victim's own writes do not fail first.
        link.shutdown(Shutdown::Write).unwrap();
        let outcomes = fake.finish();
        eprintln!(
            "victim {victim}: {:?}",
            outcomes.iter().map(error_of).collect::<Vec<_>>()
        );
        assert_error(&outcomes[victim], &["player 2 disconnected mid-run"]);
        let other = &outcomes[1 - victim];
        assert!(
            other.report.error.is_some() && !other.report.hung,
            "{:#?}",
            other.report
        );
    }
}

#[test]
fn a_silent_peer_ends_in_a_timeout() {
    // The fake handshakes, then says nothing and keeps its sockets open: the
    // real players wait for its inputs until their 2 s deadline.
    // Whichever real player reaches its deadline first hangs; the other one
    // (started a moment later, so its deadline is a moment later) either hangs
    // too or is first told by the first one why it leaves.
    let fake = WithFake::start(Duration::from_secs(2));
    let outcomes = fake.finish();
    let mut hung = 0;
    for o in &outcomes {
        if o.report.hung {
            hung += 1;
            assert!(error_of(o).contains("timed out"), "{:?}", o.report.error);
            assert!(
                error_of(o).contains("in the input phase"),
                "{:?}",
                o.report.error
            );
        } else {
            let other = 1 - o.report.player;
            assert!(
                error_of(o).contains(&format!("player {other} failed: timed out"))
                    || error_of(o).contains(&format!("player {other} disconnected mid-run")),
                "player {} neither hung nor saw player {other} leave: {:#?}",
                o.report.player,
                o.report
            );
        }
    }
    assert!(hung >= 1, "someone must have hung: {outcomes:#?}");
    let p = params();
    let r = RunReport::combine(STRATEGY, &p, 10, &outcomes);
    assert!(r.hung, "{r:#?}");
    assert!(
        r.error.as_deref().is_some_and(|e| e.contains("timed out")),
        "{r:#?}"
    );
    assert_eq!(r.correct, 0);
}

#[test]
fn strategy_mismatch_is_named() {
    // Player 2 announces `naive` while 0 and 1 announce `flat`. Player 2 dials
    // player 0 first, and both ends refuse. Player 1 is not party to that link:
    // it waits for player 2 until the (short) timeout, or sees player 0 leave.
    let p = params();
    let outcomes = cluster::run_players(
        &p,
        Duration::from_secs(2),
        false,
        |me| {
            if me == 2 {
                "naive".into()
            } else {
                STRATEGY.into()
            }
        },
        |_| (FlatCounter::default(), program(&p)),
    )
    .expect("players start");
    assert_error(
        &outcomes[0],
        &["player 2 runs strategy `naive`, but this player runs `flat`"],
    );
    assert_error(
        &outcomes[2],
        &["player 0 runs strategy `flat`, but this player runs `naive`"],
    );
    assert!(
        outcomes[1].report.error.is_some(),
        "{:#?}",
        outcomes[1].report
    );
}

#[test]
fn parameter_mismatch_names_the_field() {
    // Player 2 was started with n = 11, players 0 and 1 with n = 10. Player 1
    // cannot learn of it (player 2 gives up at player 0), so it gets a short
    // timeout; the two that can tell have plenty.
    let ours = params();
    let theirs = RunParams {
        n: 11,
        ..ours.clone()
    };
    let (listeners, addrs) = bind_loopback(3).expect("binding loopback listeners");
    let handles: Vec<_> = listeners
        .into_iter()
        .enumerate()
        .map(|(me, l)| {
            let (p, timeout) = match me {
                2 => (theirs.clone(), Duration::from_secs(20)),
                1 => (ours.clone(), Duration::from_secs(1)),
                _ => (ours.clone(), Duration::from_secs(20)),
            };
            spawn_player(me, p, STRATEGY, &addrs, l, timeout)
        })
        .collect();
    let outcomes = join(handles);
    assert_error(
        &outcomes[0],
        &[
            "player 2 was started with different parameters",
            "n: 10 here vs 11 there",
        ],
    );
    assert_error(
        &outcomes[2],
        &[
            "player 0 was started with different parameters",
            "n: 11 here vs 10 there",
        ],
    );
    assert!(
        outcomes[1].report.error.is_some(),
        "{:#?}",
        outcomes[1].report
    );
}

#[test]
fn a_fake_peer_with_other_parameters_is_refused_by_name() {
    // A fake player 2 whose handshake carries another seed and window.
    let p = params();
    let other = RunParams {
        seed: 99,
        window: 7,
        ..p.clone()
    };
    let (mut listeners, addrs) = bind_loopback(3).expect("binding loopback listeners");
    let _listener2 = listeners.pop();
    let l1 = listeners.pop().expect("listener 1");
    let l0 = listeners.pop().expect("listener 0");
    let p0 = spawn_player(0, p.clone(), STRATEGY, &addrs, l0, Duration::from_secs(20));
    // Player 1 only ever waits for the fake; a short timeout ends it.
    let p1 = spawn_player(1, p.clone(), STRATEGY, &addrs, l1, Duration::from_secs(1));
    let mut s = TcpStream::connect(addrs[0]).expect("the fake connects");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(&common::hello(2, STRATEGY, &other).to_frame())
        .unwrap();
    let outcomes = join(vec![p0, p1]);
    drop(s);
    assert_error(
        &outcomes[0],
        &[
            "player 2 was started with different parameters",
            "seed: 1 here vs 99 there",
            "window: 4096 here vs 7 there",
        ],
    );
    assert!(
        outcomes[1].report.error.is_some(),
        "{:#?}",
        outcomes[1].report
    );
}
