//! The network: a full mesh of TCP connections, one per pair of players, the
//! handshake that opens each, and the writer half of every link.
//!
//! Player i connects to every player j < i and accepts every j > i. Each side
//! sends a [`Hello`] first and checks the other's: protocol version, player id,
//! strategy, and the digest of the run parameters. Any mismatch refuses the run
//! with an error that names it.
//!
//! Frames bound for a peer wait in its [`Outbox`] (see [`crate::outbox`]);
//! the link's writer here takes each batch that is due and writes it in one
//! call, so there is no syscall per message.

use crate::error::RuntimeError;
use crate::label::PlayerId;
use crate::outbox::Outbox;
use crate::wire::{Hello, MAGIC, PROTOCOL_VERSION};
use std::cell::RefCell;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

/// A one-shot kernel timer (Linux `timerfd`) that a task can await: it wakes at
/// the requested instant with microsecond precision, where tokio's timer has
/// millisecond resolution, and it sleeps rather than spins, so players waiting
/// out their jitter leave the CPU to the others.
#[cfg(target_os = "linux")]
struct ReleaseTimer(tokio::io::unix::AsyncFd<std::os::fd::OwnedFd>);

#[cfg(target_os = "linux")]
impl ReleaseTimer {
    fn new() -> std::io::Result<ReleaseTimer> {
        use rustix::time::{timerfd_create, TimerfdClockId, TimerfdFlags};
        let fd = timerfd_create(
            TimerfdClockId::Monotonic,
            TimerfdFlags::NONBLOCK | TimerfdFlags::CLOEXEC,
        )?;
        // SAFETY: the descriptor is an `OwnedFd` that the `AsyncFd` takes and
        // keeps, open and unchanged, until it is dropped: `register`'s contract.
        // Why not safe code: tokio has no safe way to await a descriptor
        // (`AsyncFd::new` is deprecated as unsound, RUSTSEC-2026-0386), and the
        // alternative, yielding in a loop until the release time, spins: seven
        // players running `chain` (n = 10^4, 1 ms of jitter) took 30.5 s that
        // way against 12.0 s with this timer, and p50 latency at 3 players fell
        // from 1302 µs to 950 µs.
        let timer = unsafe { tokio::io::unix::AsyncFd::register(fd) };
        Ok(ReleaseTimer(timer.map_err(std::io::Error::from)?))
    }

    /// Waits until `at`.
    async fn wait_until(&self, at: Instant) -> std::io::Result<()> {
        use rustix::time::{timerfd_settime, Itimerspec, TimerfdTimerFlags, Timespec};
        let Some(delay) = at
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
        else {
            return Ok(());
        };
        let spec = Itimerspec {
            it_interval: Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: Timespec {
                tv_sec: delay.as_secs() as _,
                tv_nsec: delay.subsec_nanos() as _,
            },
        };
        timerfd_settime(self.0.get_ref(), TimerfdTimerFlags::empty(), &spec)?;
        loop {
            let mut ready = self.0.readable().await?;
            let mut expirations = [0u8; 8];
            match ready.try_io(|fd| Ok(rustix::io::read(fd.get_ref(), &mut expirations)?)) {
                Ok(result) => return result.map(drop),
                Err(_would_block) => continue,
            }
        }
    }
}

/// Elsewhere: tokio's timer for the bulk (millisecond resolution) and yielding
/// for the last stretch, so sub-millisecond jitter is still honoured.
#[cfg(not(target_os = "linux"))]
struct ReleaseTimer;

#[cfg(not(target_os = "linux"))]
impl ReleaseTimer {
    fn new() -> std::io::Result<ReleaseTimer> {
        Ok(ReleaseTimer)
    }

    async fn wait_until(&self, at: Instant) -> std::io::Result<()> {
        if at > Instant::now() + Duration::from_millis(2) {
            tokio::time::sleep_until((at - Duration::from_millis(1)).into()).await;
        }
        while Instant::now() < at {
            tokio::task::yield_now().await;
        }
        Ok(())
    }
}

/// Writes everything pushed to `outbox` to the link, in coalesced batches, until
/// the end-of-run marker has gone out; then shuts the sending side down.
pub async fn write_link(outbox: &Outbox, mut wr: OwnedWriteHalf) -> std::io::Result<()> {
    let mut spare: Vec<u8> = Vec::with_capacity(64 << 10);
    let mut timer = None;
    loop {
        let next = outbox.take_ready(&mut spare, Instant::now());
        if !spare.is_empty() {
            wr.write_all(&spare).await?;
            spare.clear();
            continue;
        }
        if let Some(at) = next {
            if timer.is_none() {
                timer = Some(ReleaseTimer::new()?);
            }
            timer.as_ref().expect("just made").wait_until(at).await?;
        } else if outbox.finished() {
            wr.shutdown().await?;
            return Ok(());
        } else {
            outbox.frames_pushed().await;
        }
    }
}

/// Checks a peer's handshake against ours. `expected` is the id we dialled, or
/// `None` for an accepted connection (which must come from a higher id).
pub fn check_hello(
    ours: &Hello,
    theirs: &Hello,
    me: PlayerId,
    players: usize,
    from: SocketAddr,
    expected: Option<PlayerId>,
) -> Result<PlayerId, RuntimeError> {
    let who = match expected {
        Some(j) => format!("player {j} at {from}"),
        None => format!("the connection from {from}"),
    };
    if theirs.magic != MAGIC {
        return Err(RuntimeError::Handshake {
            who,
            reason: "it is not a labelbench player".into(),
        });
    }
    if theirs.version != PROTOCOL_VERSION {
        return Err(RuntimeError::Handshake {
            who,
            reason: format!(
                "it speaks protocol version {}, this player speaks {PROTOCOL_VERSION}",
                theirs.version
            ),
        });
    }
    let peer = match expected {
        Some(j) if theirs.player != j as u64 => {
            return Err(RuntimeError::Handshake {
                who,
                reason: format!("it says it is player {}", theirs.player),
            })
        }
        Some(j) => j,
        None if theirs.player <= me as u64 || theirs.player >= players as u64 => {
            return Err(RuntimeError::UnknownPlayer {
                claimed: theirs.player,
                addr: from,
                players,
                me,
            })
        }
        None => theirs.player as PlayerId,
    };
    if theirs.strategy != ours.strategy {
        return Err(RuntimeError::StrategyMismatch {
            peer,
            ours: ours.strategy.clone(),
            theirs: theirs.strategy.clone(),
        });
    }
    if theirs.params_digest != ours.params_digest || theirs.params != ours.params {
        let mut differences = ours.params.differences(&theirs.params);
        if differences.is_empty() {
            differences.push("the parameter digests differ".into());
        }
        return Err(RuntimeError::ParamsMismatch { peer, differences });
    }
    Ok(peer)
}

async fn exchange_hello(
    stream: &mut TcpStream,
    ours: &[u8],
    who: &str,
) -> Result<Hello, RuntimeError> {
    let fail = |reason: String| RuntimeError::Handshake {
        who: who.to_string(),
        reason,
    };
    stream
        .write_all(ours)
        .await
        .map_err(|e| fail(format!("sending the handshake: {e}")))?;
    let mut prefix = [0u8; 4];
    stream
        .read_exact(&mut prefix)
        .await
        .map_err(|e| fail(format!("reading the handshake: {e}")))?;
    let len = Hello::body_len(prefix).map_err(fail)?;
    let mut body = vec![0u8; len];
    stream
        .read_exact(&mut body)
        .await
        .map_err(|e| fail(format!("reading the handshake: {e}")))?;
    Hello::from_body(&body).map_err(fail)
}

/// Connects player `me` to every other player and checks every handshake.
/// Returns one stream per player (`None` at `me`). Dialling is retried until
/// `deadline`, since peers may start later. `connected[p]` is set as soon as
/// the link with `p` has passed its handshake, so a caller that gives up can
/// say which peers never came.
pub async fn connect_mesh(
    me: PlayerId,
    addrs: &[SocketAddr],
    listener: TcpListener,
    hello: &Hello,
    deadline: Instant,
    connected: &RefCell<Vec<bool>>,
) -> Result<Vec<Option<TcpStream>>, RuntimeError> {
    let players = addrs.len();
    let frame = hello.to_frame();
    let dial = async {
        let mut out = Vec::new();
        for (j, &addr) in addrs.iter().enumerate().take(me) {
            let mut stream = loop {
                match TcpStream::connect(addr).await {
                    Ok(s) => break s,
                    Err(e) if Instant::now() + Duration::from_millis(25) >= deadline => {
                        return Err(RuntimeError::Handshake {
                            who: format!("player {j} at {addr}"),
                            reason: format!("could not connect before the deadline: {e}"),
                        })
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            };
            let who = format!("player {j} at {addr}");
            let theirs = exchange_hello(&mut stream, &frame, &who).await?;
            check_hello(hello, &theirs, me, players, addr, Some(j))?;
            connected.borrow_mut()[j] = true;
            out.push((j, stream));
        }
        Ok(out)
    };
    let accept = async {
        let mut out: Vec<(PlayerId, TcpStream)> = Vec::new();
        while out.len() < players - 1 - me {
            let (mut stream, from) =
                listener
                    .accept()
                    .await
                    .map_err(|e| RuntimeError::Handshake {
                        who: "an incoming connection".into(),
                        reason: format!("accept failed: {e}"),
                    })?;
            let who = format!("the connection from {from}");
            let theirs = exchange_hello(&mut stream, &frame, &who).await?;
            let peer = check_hello(hello, &theirs, me, players, from, None)?;
            if out.iter().any(|&(p, _)| p == peer) {
                return Err(RuntimeError::DuplicatePlayer {
                    claimed: peer as u64,
                    addr: from,
                });
            }
            connected.borrow_mut()[peer] = true;
            out.push((peer, stream));
        }
        Ok(out)
    };
    let (dialled, accepted) = tokio::try_join!(dial, accept)?;
    let mut streams: Vec<Option<TcpStream>> = (0..players).map(|_| None).collect();
    for (peer, stream) in dialled.into_iter().chain(accepted) {
        stream
            .set_nodelay(true)
            .map_err(|e| RuntimeError::Io { peer, source: e })?;
        streams[peer] = Some(stream);
    }
    Ok(streams)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::RunParams;

    fn hello(player: u64, strategy: &str, params: RunParams) -> Hello {
        Hello {
            magic: MAGIC,
            version: PROTOCOL_VERSION,
            player,
            strategy: strategy.into(),
            params_digest: params.digest(),
            params,
        }
    }

    #[test]
    fn handshake_checks_name_the_mismatch() {
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let ours = hello(0, "counter", RunParams::example());
        assert_eq!(
            check_hello(
                &ours,
                &hello(2, "counter", RunParams::example()),
                0,
                3,
                addr,
                None
            )
            .unwrap(),
            2
        );
        let e = check_hello(
            &ours,
            &hello(1, "naive", RunParams::example()),
            0,
            3,
            addr,
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "player 1 runs strategy `naive`, but this player runs `counter`"
        );
        let mut p = RunParams::example();
        p.n = 7;
        let e = check_hello(&ours, &hello(1, "counter", p), 0, 3, addr, None).unwrap_err();
        assert!(e.to_string().contains("n: 100 here vs 7 there"), "{e}");
        let e = check_hello(
            &ours,
            &hello(5, "counter", RunParams::example()),
            0,
            3,
            addr,
            None,
        )
        .unwrap_err();
        assert!(
            matches!(e, RuntimeError::UnknownPlayer { claimed: 5, .. }),
            "{e}"
        );
        let e = check_hello(
            &ours,
            &hello(1, "counter", RunParams::example()),
            0,
            3,
            addr,
            Some(2),
        )
        .unwrap_err();
        assert!(e.to_string().contains("says it is player 1"), "{e}");
    }

    #[test]
    fn release_timer_never_wakes_early() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let timer = ReleaseTimer::new().unwrap();
            for us in [0u64, 1, 150, 700, 2_500] {
                let at = Instant::now() + Duration::from_micros(us);
                timer.wait_until(at).await.unwrap();
                assert!(Instant::now() >= at, "woke before a {us} µs release");
            }
            // A release time already past returns at once.
            timer.wait_until(Instant::now()).await.unwrap();
        });
    }
}
