//! One player from start to finish: connect to the mesh, run the workload
//! through a bounded window, batch by batch, say goodbye, and report.
//!
//! A player owns one thread and one single-threaded tokio runtime. On it run a
//! reader and a writer task per link and one driver, all sharing the engine
//! (no locks: everything is on one thread). The reader hands each batch of bytes
//! to the engine, which advances the operations they complete; the driver issues
//! more of the program whenever fewer than `window` operations are in flight.

use crate::engine::Engine;
use crate::error::RuntimeError;
use crate::label::{Labeller, PlayerId};
use crate::net::{connect_mesh, write_link};
use crate::outbox::Outbox;
use crate::params::RunParams;
use crate::program::Workload;
use crate::prss::Prss;
use crate::report::{PlayerOutcome, PlayerReport};
use crate::secure::{self, deal_prss_keys, PrssKeys, Security};
use crate::shamir::Shamir;
use crate::sys::thread_cpu_s;
use crate::wire::{Hello, MAGIC, PROTOCOL_VERSION};
use rand::RngCore;
use std::cell::{Cell, RefCell};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::tcp::OwnedReadHalf;
use tokio::sync::Notify;

/// Bytes read from a link at once.
const READ_BUFFER: usize = 256 << 10;

/// Everything one player needs to take part in a run.
#[derive(Debug)]
pub struct PlayerSetup {
    /// This player.
    pub me: PlayerId,
    /// The run's parameters (identical at every player).
    pub params: RunParams,
    /// The strategy's name with its options, as sent in the handshake.
    pub strategy: String,
    /// Every player's address, indexed by player.
    pub addrs: Vec<SocketAddr>,
    /// This player's listening socket, already bound to `addrs[me]`.
    pub listener: std::net::TcpListener,
    /// The whole run, connecting included, must end within this.
    pub timeout: Duration,
    /// Once connected, a player that makes no progress at all (no message in,
    /// none out, nothing issued or finished) for this long reports the run as
    /// hung, without waiting for `timeout`.
    pub stall: Duration,
    /// Secure links and dealt secrets, or neither.
    pub security: Security,
}

/// The default `stall`: far longer than any pause of a working run (jitter is at
/// most 1 s), far shorter than a sweep's timeouts.
pub const DEFAULT_STALL: Duration = Duration::from_secs(5);

/// The stall limit for a run with this `timeout`: [`DEFAULT_STALL`], or, when
/// the timeout comes first anyway, a limit past it, so that the timeout (the
/// limit the user chose) is what reports the hang rather than a race between
/// the two.
pub fn stall_limit(timeout: Duration) -> Duration {
    if DEFAULT_STALL < timeout {
        DEFAULT_STALL
    } else {
        timeout + Duration::from_secs(1)
    }
}

/// State shared by the tasks of one player.
struct Node<L: Labeller> {
    engine: RefCell<Engine<L>>,
    outboxes: Vec<Option<Rc<Outbox>>>,
    /// Wakes the driver: room in the window, a goodbye, or a failure.
    wake: Notify,
    failure: RefCell<Option<RuntimeError>>,
    byes: Cell<usize>,
    phase: Cell<&'static str>,
    /// Which peers have passed the handshake (for a timeout while connecting).
    connected: RefCell<Vec<bool>>,
    /// Incoming connections dropped during setup, and why (the first few).
    refused: RefCell<Vec<String>>,
    window: usize,
}

impl<L: Labeller> Node<L> {
    fn fail(&self, e: RuntimeError) {
        let mut f = self.failure.borrow_mut();
        if f.is_none() {
            *f = Some(e);
        }
        self.wake.notify_one();
    }

    fn check(&self) -> Result<(), RuntimeError> {
        if let Some(e) = self.engine.borrow_mut().take_error() {
            self.fail(e);
        }
        match self.failure.borrow_mut().take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Runs one player to the end on the calling thread, with its own tokio runtime.
pub fn run_player<L: Labeller>(
    setup: PlayerSetup,
    labeller: L,
    workload: Box<dyn Workload<Engine<L>>>,
) -> PlayerOutcome {
    let me = setup.me;
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return failed(
                me,
                RuntimeError::Io {
                    peer: me,
                    source: e,
                },
            )
        }
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, play(setup, labeller, workload))
}

fn failed(me: PlayerId, e: RuntimeError) -> PlayerOutcome {
    let mut report = PlayerReport::from_counters(me, &Default::default());
    report.error = Some(e.to_string());
    PlayerOutcome {
        report,
        latency_ns: crate::latency::empty_histogram(),
        input_spans: Vec::new(),
        compute_spans: Vec::new(),
    }
}

/// What `session` measured on the way, batch by batch.
#[derive(Default)]
struct Spans {
    /// Each batch's deal phase, start to end.
    input: Vec<(Instant, Instant)>,
    /// Each batch's compute phase, start to end.
    compute: Vec<(Instant, Instant)>,
    /// Operations the deal phases issued, summed over batches.
    deal_ops: u64,
}

/// Total seconds of `spans`.
fn seconds(spans: &[(Instant, Instant)]) -> f64 {
    // Not `sum`: the sum of no floats is −0.0, which prints as "-0.000".
    spans
        .iter()
        .map(|&(a, b)| (b - a).as_secs_f64())
        .fold(0.0, |a, b| a + b)
}

async fn play<L: Labeller>(
    setup: PlayerSetup,
    labeller: L,
    mut workload: Box<dyn Workload<Engine<L>>>,
) -> PlayerOutcome {
    let started = Instant::now();
    let cpu_start = thread_cpu_s();
    let me = setup.me;
    let params = &setup.params;
    let shamir = match Shamir::new(params.players as usize, params.threshold as usize) {
        Ok(s) => s,
        Err(e) => return failed(me, RuntimeError::BadParams(e.to_string())),
    };
    let jitter = Duration::from_micros(params.jitter_us);
    let outboxes: Vec<Option<Rc<Outbox>>> = (0..shamir.n())
        .map(|peer| {
            (peer != me).then(|| {
                let seed = params.seed ^ 0x6a69_7474_6572_0000 ^ ((me as u64) << 8 | peer as u64); // "jitter"
                Rc::new(Outbox::new(
                    (params.jitter_us > 0).then_some((jitter, seed)),
                ))
            })
        })
        .collect();
    let window = params.window.max(1) as usize;
    let engine = Engine::new(me, shamir, params.seed, labeller, outboxes.clone(), window);
    let node = Rc::new(Node {
        engine: RefCell::new(engine),
        outboxes,
        wake: Notify::new(),
        failure: RefCell::new(None),
        byes: Cell::new(0),
        phase: Cell::new("connect"),
        connected: RefCell::new(vec![false; params.players as usize]),
        refused: RefCell::new(Vec::new()),
        window,
    });
    let deadline = started + setup.timeout;
    let mut spans = Spans::default();
    let mut tasks = Vec::new();
    let result = tokio::time::timeout_at(
        deadline.into(),
        session(
            &node,
            &setup,
            deadline,
            &mut *workload,
            &mut spans,
            &mut tasks,
        ),
    )
    .await;
    for t in &tasks {
        t.abort();
    }
    if let Ok(Err(e)) = &result {
        tracing::debug!(player = me, after_s = started.elapsed().as_secs_f64(), error = %e, "run ended with an error");
    }
    let engine = node.engine.borrow();
    let counters = engine.counters();
    let mut report = PlayerReport::from_counters(me, counters);
    report.ops = counters.ops - spans.deal_ops;
    report.orphans = engine.queued_messages() as u64;
    report.repeated_labels = engine.repeated_labels();
    report.waiting_ops = engine.live_ops() as u64;
    report.input_s = seconds(&spans.input);
    report.wall_s = seconds(&spans.compute);
    report.cpu_s = cpu_start.zip(thread_cpu_s()).map(|(a, b)| b - a);
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            report.hung = matches!(e, RuntimeError::Stalled { .. });
            report.error = Some(e.to_string());
        }
        Err(_) => {
            report.hung = true;
            let e = RuntimeError::Timeout {
                after_s: started.elapsed().as_secs_f64(),
                phase: node.phase.get(),
                waiting: engine.live_ops(),
            };
            let absent: Vec<String> = node
                .connected
                .borrow()
                .iter()
                .enumerate()
                .filter(|&(p, &c)| p != me && !c)
                .map(|(p, _)| p.to_string())
                .collect();
            let mut message = e.to_string();
            if node.phase.get() == "connect" && !absent.is_empty() {
                message += &format!("; never connected: player(s) {}", absent.join(", "));
                let refused = node.refused.borrow();
                if !refused.is_empty() {
                    message += &format!("; connections dropped: {}", refused.join(", "));
                }
            }
            report.error = Some(message);
        }
    }
    if report.orphans > 0 {
        tracing::debug!(player = me, orphans = report.orphans, sample = ?engine.describe_queued(3), "unconsumed messages");
    }
    PlayerOutcome {
        report,
        latency_ns: counters.latency.histogram(),
        input_spans: spans.input,
        compute_spans: spans.compute,
    }
}

async fn session<L: Labeller>(
    node: &Rc<Node<L>>,
    setup: &PlayerSetup,
    deadline: Instant,
    workload: &mut dyn Workload<Engine<L>>,
    spans: &mut Spans,
    tasks: &mut Vec<tokio::task::JoinHandle<()>>,
) -> Result<(), RuntimeError> {
    let me = setup.me;
    let hello = Hello {
        magic: MAGIC,
        version: PROTOCOL_VERSION,
        player: me as u64,
        strategy: setup.strategy.clone(),
        params_digest: setup.params.digest(),
        params: setup.params.clone(),
    };
    let listener = setup
        .listener
        .try_clone()
        .and_then(|l| {
            l.set_nonblocking(true)?;
            tokio::net::TcpListener::from_std(l)
        })
        .map_err(|e| RuntimeError::Listen {
            me,
            addr: setup.addrs[me],
            source: e,
        })?;
    let (n, t) = (setup.addrs.len(), setup.params.threshold as usize);
    let dealt = match &setup.security {
        Security::Secure(keys) if keys.players() != n => {
            return Err(RuntimeError::BadParams(format!(
                "the key roster has {} players, the run {n}",
                keys.players()
            )))
        }
        Security::Secure(_) => deal_prss_keys(n, t, me),
        Security::Insecure => PrssKeys::default(),
    };
    let links = connect_mesh(
        me,
        &setup.addrs,
        listener,
        &hello,
        &setup.security,
        dealt.clone(),
        deadline,
        &node.connected,
        &node.refused,
    )
    .await?;
    tracing::debug!(
        player = me,
        secure = setup.security.is_secure(),
        "mesh connected"
    );

    if setup.security.is_secure() {
        let mut keys = dealt;
        for link in links.iter().flatten() {
            keys.extend(link.prss_keys.clone().unwrap_or_default());
        }
        let prss = Prss::from_keys(n, t, me, &keys).map_err(RuntimeError::BadParams)?;
        let mut reshare_seed = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut reshare_seed)
            .map_err(|e| {
                RuntimeError::BadParams(format!("no randomness from the operating system: {e}"))
            })?;
        node.engine
            .borrow_mut()
            .use_dealt_secrets(prss, reshare_seed);
    }

    let mut writers = Vec::new();
    for (peer, link) in links.into_iter().enumerate() {
        let Some(link) = link else { continue };
        let transport = link.transport.map(|t| Rc::new(RefCell::new(t)));
        let (rd, wr) = link.stream.into_split();
        tasks.push(tokio::task::spawn_local(read_link(
            node.clone(),
            peer,
            rd,
            transport.clone(),
        )));
        let outbox = node.outboxes[peer].clone().expect("an outbox per peer");
        let n = node.clone();
        let w = tokio::task::spawn_local(async move {
            if let Err(e) = write_link(&outbox, wr, transport).await {
                n.fail(RuntimeError::Io { peer, source: e });
            }
        });
        writers.push(w);
    }

    // Batch by batch: every input of the batch in, then every result of it.
    loop {
        node.phase.set("input");
        let ops = node.engine.borrow().counters().ops;
        let t0 = Instant::now();
        let dealt = drive(node, setup.stall, |e| workload.deal(e)).await;
        spans.deal_ops += node.engine.borrow().counters().ops - ops;
        dealt?;
        spans.input.push((t0, Instant::now()));

        node.phase.set("compute");
        let t1 = Instant::now();
        drive(node, setup.stall, |e| workload.compute(e)).await?;
        spans.compute.push((t1, Instant::now()));
        if !workload.next_batch() {
            break;
        }
    }

    node.phase.set("finish");
    node.engine.borrow_mut().say_bye();
    let peers = setup.addrs.len() - 1;
    let mut last = (node.engine.borrow().progress(), Instant::now());
    while node.byes.get() < peers {
        node.check()?;
        wait_for_progress(node, setup.stall, &mut last).await?;
    }
    for w in writers {
        let _ = w.await;
    }
    node.check()
}

/// Issues `step` while the window has room, until it has nothing left and
/// everything it issued has finished.
async fn drive<L: Labeller>(
    node: &Node<L>,
    stall: Duration,
    mut step: impl FnMut(&mut Engine<L>) -> bool,
) -> Result<(), RuntimeError> {
    let mut exhausted = false;
    let mut last = (node.engine.borrow().progress(), Instant::now());
    loop {
        node.check()?;
        {
            let mut e = node.engine.borrow_mut();
            e.tick();
            while !exhausted && e.live_ops() < node.window {
                exhausted = !step(&mut e);
            }
            e.flush();
            if exhausted && e.live_ops() == 0 {
                drop(e);
                return node.check();
            }
        }
        wait_for_progress(node, stall, &mut last).await?;
    }
}

/// Waits for the driver to be woken; fails with `Stalled` when the engine has
/// made no progress for `stall`. `last` is the last progress seen and when.
async fn wait_for_progress<L: Labeller>(
    node: &Node<L>,
    stall: Duration,
    last: &mut (u64, Instant),
) -> Result<(), RuntimeError> {
    let woken = tokio::time::timeout_at((last.1 + stall).into(), node.wake.notified()).await;
    let now = node.engine.borrow().progress();
    if now != last.0 {
        *last = (now, Instant::now());
        return Ok(());
    }
    if woken.is_ok() {
        return Ok(());
    }
    Err(RuntimeError::Stalled {
        stall_s: stall.as_secs_f64(),
        phase: node.phase.get(),
        waiting: node.engine.borrow().live_ops(),
    })
}

/// Reads the link from `peer` and hands its frames to the engine; on a secure
/// link, first opens the sealed messages (`transport`) into plaintext.
async fn read_link<L: Labeller>(
    node: Rc<Node<L>>,
    peer: PlayerId,
    mut rd: OwnedReadHalf,
    transport: Option<Rc<RefCell<snow::TransportState>>>,
) {
    let mut buf = vec![0u8; READ_BUFFER];
    let mut filled = 0;
    // Sealed bytes not yet opened (secure links only).
    let mut sealed = Vec::new();
    let mut sealed_filled = 0;
    if transport.is_some() {
        sealed = vec![0u8; READ_BUFFER];
    }
    loop {
        let into = match transport {
            Some(_) => &mut sealed[sealed_filled..],
            None => &mut buf[filled..],
        };
        match rd.read(into).await {
            Ok(0) => {
                let waiting = node.engine.borrow().live_ops();
                node.fail(RuntimeError::PeerDisconnected { peer, waiting });
                return;
            }
            Ok(k) if transport.is_some() => sealed_filled += k,
            Ok(k) => filled += k,
            Err(e) => {
                node.fail(RuntimeError::Io { peer, source: e });
                return;
            }
        }
        loop {
            if let Some(t) = &transport {
                let opened = secure::open(
                    &mut t.borrow_mut(),
                    &sealed[..sealed_filled],
                    &mut buf[filled..],
                );
                match opened {
                    Ok((used, written)) => {
                        sealed.copy_within(used..sealed_filled, 0);
                        sealed_filled -= used;
                        filled += written;
                    }
                    Err(e) => {
                        node.fail(RuntimeError::LinkTampered {
                            peer,
                            reason: e.to_string(),
                        });
                        return;
                    }
                }
            }
            let received = node.engine.borrow_mut().receive(peer, &buf[..filled]);
            match received {
                Err(e) => {
                    node.fail(e);
                    return;
                }
                Ok((used, bye)) => {
                    buf.copy_within(used..filled, 0);
                    filled -= used;
                    if bye {
                        node.byes.set(node.byes.get() + 1);
                        node.wake.notify_one();
                        return;
                    }
                }
            }
            // More sealed messages than the plaintext buffer had room for.
            if transport.is_none() || sealed_filled < 2 + secure::MAX_MESSAGE {
                break;
            }
        }
        let live = node.engine.borrow().live_ops();
        if live == 0 || live + node.window / 4 <= node.window {
            node.wake.notify_one();
        }
    }
}
