//! One player from start to finish: connect to the mesh, run the workload
//! through a bounded window, batch by batch, say goodbye, and report.
//!
//! A player owns one thread and one single-threaded tokio runtime. On it run a
//! reader and a writer task per link and one driver, all sharing the engine
//! (no locks: everything is on one thread). The reader hands each batch of bytes
//! to the engine, which advances the operations they complete; the driver issues
//! more of the program whenever fewer than `window` operations are in flight.
//!
//! **The stall check.** One clock for the whole run (not reset per phase or
//! batch) holds the time of the last progress: a message an operation took,
//! an operation finished ([`Engine::progress`]), or a peer's end-of-run
//! marker. This player's own issuing and frames merely held do not move it.
//! The driver sleeps until it is woken or until exactly that time plus the
//! stall limit, so a run with no progress for the limit ends then with
//! [`RuntimeError::Stalled`], which gives the actual time without progress
//! and names the peers that owe messages and some of the operations waiting
//! on them.
//!
//! **Failing out loud.** A player whose run fails (a stall and a timeout
//! included) sends every peer an Abort frame with its error before it closes
//! its links (best effort, for at most [`ABORT_GRACE`]), so that its peers
//! report the first cause ([`RuntimeError::PeerFailed`]) rather than "player
//! i disconnected".

use crate::engine::Engine;
use crate::error::RuntimeError;
use crate::label::{Labeller, PlayerId};
use crate::link_coding::LabelCoding;
use crate::net::{connect_mesh, write_link};
use crate::outbox::{Hold, Outbox};
use crate::params::RunParams;
use crate::program::Workload;
use crate::prss::Prss;
use crate::prss::{deal_prss_keys, PrssKeys};
use crate::report::{PlayerOutcome, PlayerReport};
use crate::secure::{self, Security};
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
    /// Once connected, a player that makes no progress (no message taken by an
    /// operation, no operation finished, no peer's end-of-run marker) for this
    /// long reports the run as hung, without waiting for `timeout`.
    pub stall: Duration,
    /// Secure links and dealt secrets, or neither.
    pub security: Security,
}

/// How long a failing player waits for its Abort frames to be written before
/// it closes its links.
pub const ABORT_GRACE: Duration = Duration::from_millis(100);

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
    /// Which peers have sent their end-of-run marker.
    said_bye: RefCell<Vec<bool>>,
    /// [`Engine::progress`] when last looked at, and when it last changed.
    progress_seen: Cell<u64>,
    progress_at: Cell<Instant>,
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

    /// Notes the engine's progress: the stall clock restarts if it moved.
    fn note_progress(&self) {
        let p = self.engine.borrow().progress();
        if p != self.progress_seen.get() {
            self.progress_seen.set(p);
            self.progress_at.set(Instant::now());
        }
    }

    /// The error of a run with no progress for `since` (the limit is `stall`).
    fn stalled(&self, me: PlayerId, since: Duration, stall: Duration) -> RuntimeError {
        RuntimeError::Stalled {
            after_s: since.as_secs_f64(),
            limit_s: stall.as_secs_f64(),
            phase: self.phase.get(),
            waiting: self.engine.borrow().live_ops(),
            owed: self.owed(me),
        }
    }

    /// Who this player waits for, for an error: "; waiting on player 2 for 7
    /// operations (e.g. input #3, mul #12)", or in the finish phase the peers
    /// whose end-of-run marker has not come; empty if there is nobody to name.
    fn owed(&self, me: PlayerId) -> String {
        if self.phase.get() == "finish" {
            let missing: Vec<String> = (self.said_bye.borrow().iter().enumerate())
                .filter(|&(p, &said)| p != me && !said)
                .map(|(p, _)| p.to_string())
                .collect();
            return if missing.is_empty() {
                String::new()
            } else {
                format!(
                    "; waiting for the end-of-run marker of player(s) {}",
                    missing.join(", ")
                )
            };
        }
        let owed = self.engine.borrow().owed_by_peers(3);
        if owed.is_empty() {
            return String::new();
        }
        let peers: Vec<String> = owed
            .iter()
            .map(|(peer, ops, examples)| {
                let s = if *ops == 1 { "" } else { "s" };
                format!(
                    "player {peer} for {ops} operation{s} (e.g. {})",
                    examples.join(", ")
                )
            })
            .collect();
        format!("; waiting on {}", peers.join(", "))
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
    let held = params.jitter_us > 0 || params.delay_us > 0;
    let outboxes: Vec<Option<Rc<Outbox>>> = (0..shamir.n())
        .map(|peer| {
            (peer != me).then(|| {
                let seed = params.seed ^ 0x6a69_7474_6572_0000 ^ ((me as u64) << 8 | peer as u64); // "jitter"
                Rc::new(Outbox::new(held.then_some(Hold {
                    delay: Duration::from_micros(params.delay_us),
                    jitter: Duration::from_micros(params.jitter_us),
                    seed,
                })))
            })
        })
        .collect();
    let window = params.window.max(1) as usize;
    let mut engine = Engine::new(me, shamir, params.seed, labeller, outboxes.clone(), window);
    if params.label_coding == LabelCoding::Link {
        engine.code_labels_against_links();
    }
    let node = Rc::new(Node {
        engine: RefCell::new(engine),
        outboxes,
        wake: Notify::new(),
        failure: RefCell::new(None),
        byes: Cell::new(0),
        said_bye: RefCell::new(vec![false; params.players as usize]),
        progress_seen: Cell::new(0),
        progress_at: Cell::new(Instant::now()),
        phase: Cell::new("connect"),
        connected: RefCell::new(vec![false; params.players as usize]),
        refused: RefCell::new(Vec::new()),
        window,
    });
    let deadline = crate::sys::deadline(started, setup.timeout);
    let mut spans = Spans::default();
    let mut tasks = Vec::new();
    let mut writers = Vec::new();
    let result = tokio::time::timeout_at(
        deadline.into(),
        session(
            &node,
            &setup,
            deadline,
            &mut *workload,
            &mut spans,
            &mut tasks,
            &mut writers,
        ),
    )
    .await;
    if let Ok(Err(e)) = &result {
        tracing::debug!(player = me, after_s = started.elapsed().as_secs_f64(), error = %e, "run ended with an error");
    }
    let (error, hung) = match &result {
        Ok(Ok(())) => (None, false),
        Ok(Err(e)) => (
            Some(e.to_string()),
            matches!(e, RuntimeError::Stalled { .. }),
        ),
        Err(_) => (Some(timed_out(&node, me, started)), true),
    };
    if let Some(reason) = &error {
        // The peer that told this player of its failure knows already.
        let told = match &result {
            Ok(Err(RuntimeError::PeerFailed { peer, .. })) => Some(*peer),
            _ => None,
        };
        tell_peers(&node, told, reason, &mut writers).await;
    }
    for t in &tasks {
        t.abort();
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
    report.hung = hung;
    report.error = error;
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

/// The error of a run that reached its deadline, naming the peers that never
/// connected or those it was waiting on.
fn timed_out<L: Labeller>(node: &Node<L>, me: PlayerId, started: Instant) -> String {
    let e = RuntimeError::Timeout {
        after_s: started.elapsed().as_secs_f64(),
        phase: node.phase.get(),
        waiting: node.engine.borrow().live_ops(),
    };
    let absent: Vec<String> = node
        .connected
        .borrow()
        .iter()
        .enumerate()
        .filter(|&(p, &c)| p != me && !c)
        .map(|(p, _)| p.to_string())
        .collect();
    if node.phase.get() == "connect" {
        if absent.is_empty() {
            e.to_string()
        } else {
            let mut message = format!("{e}; never connected: player(s) {}", absent.join(", "));
            let refused = node.refused.borrow();
            if !refused.is_empty() {
                message += &format!("; connections dropped: {}", refused.join(", "));
            }
            message
        }
    } else {
        format!("{e}{}", node.owed(me))
    }
}

/// Sends every peer but `told` an Abort frame with `reason` (none after the
/// end-of-run marker), and waits (at most [`ABORT_GRACE`]) for those links'
/// writers to write it and close.
async fn tell_peers<L: Labeller>(
    node: &Node<L>,
    told: Option<PlayerId>,
    reason: &str,
    writers: &mut Vec<(PlayerId, tokio::task::JoinHandle<()>)>,
) {
    let aborted = |peer: PlayerId| {
        told != Some(peer)
            && node.outboxes[peer]
                .as_ref()
                .is_some_and(|o| o.abort(reason))
    };
    let telling: Vec<bool> = (0..node.outboxes.len()).map(aborted).collect();
    let flushed = async {
        for (peer, w) in writers.drain(..) {
            if telling[peer] {
                let _ = w.await;
            }
        }
    };
    let _ = tokio::time::timeout(ABORT_GRACE, flushed).await;
}

async fn session<L: Labeller>(
    node: &Rc<Node<L>>,
    setup: &PlayerSetup,
    deadline: Instant,
    workload: &mut dyn Workload<Engine<L>>,
    spans: &mut Spans,
    tasks: &mut Vec<tokio::task::JoinHandle<()>>,
    writers: &mut Vec<(PlayerId, tokio::task::JoinHandle<()>)>,
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
        Security::Secure(_) => deal_prss_keys(n, t, me).map_err(|e| {
            RuntimeError::BadParams(format!("no randomness from the operating system: {e}"))
        })?,
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

    // The stall clock starts now and runs through every phase and batch.
    node.progress_at.set(Instant::now());

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
        writers.push((peer, w));
    }

    // Batch by batch: every input of the batch in, then every result of it.
    loop {
        node.phase.set("input");
        let ops = node.engine.borrow().counters().ops;
        let t0 = Instant::now();
        let dealt = drive(node, me, setup.stall, |e| workload.deal(e)).await;
        spans.deal_ops += node.engine.borrow().counters().ops - ops;
        dealt?;
        spans.input.push((t0, Instant::now()));

        node.phase.set("compute");
        let t1 = Instant::now();
        drive(node, me, setup.stall, |e| workload.compute(e)).await?;
        spans.compute.push((t1, Instant::now()));
        if !workload.next_batch() {
            break;
        }
    }

    node.phase.set("finish");
    node.engine.borrow_mut().say_bye();
    let peers = setup.addrs.len() - 1;
    while node.byes.get() < peers {
        node.check()?;
        wait_for_progress(node, me, setup.stall).await?;
    }
    for (_, w) in writers.drain(..) {
        let _ = w.await;
    }
    node.check()
}

/// Issues `step` while the window has room, until it has nothing left and
/// everything it issued has finished.
async fn drive<L: Labeller>(
    node: &Node<L>,
    me: PlayerId,
    stall: Duration,
    mut step: impl FnMut(&mut Engine<L>) -> bool,
) -> Result<(), RuntimeError> {
    let mut exhausted = false;
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
        // (Operations issued on messages already held may have finished.)
        node.note_progress();
        wait_for_progress(node, me, stall).await?;
    }
}

/// Waits until the driver is woken or the stall limit is reached, whichever
/// comes first; fails with `Stalled` once the run has made no progress for
/// `stall`.
async fn wait_for_progress<L: Labeller>(
    node: &Node<L>,
    me: PlayerId,
    stall: Duration,
) -> Result<(), RuntimeError> {
    match node.progress_at.get().checked_add(stall) {
        Some(at) => {
            let _ = tokio::time::timeout_at(at.into(), node.wake.notified()).await;
        }
        None => node.wake.notified().await,
    }
    node.note_progress();
    if node.progress_at.get().elapsed() < stall {
        return Ok(());
    }
    // (A timer already due returns without yielding: let the readers take
    // what has come in before calling the run stalled.)
    tokio::task::yield_now().await;
    node.note_progress();
    let since = node.progress_at.get().elapsed();
    if since < stall {
        return Ok(());
    }
    Err(node.stalled(me, since, stall))
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
        // Open and hand over everything complete: the frames handed over make
        // room for more opened messages, until none is complete.
        loop {
            let mut opened_any = false;
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
                        opened_any = used > 0;
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
                        if let Some(said) = node.said_bye.borrow_mut().get_mut(peer) {
                            *said = true;
                        }
                        // A peer finishing is progress too.
                        node.progress_at.set(Instant::now());
                        node.wake.notify_one();
                        return;
                    }
                }
            }
            if !opened_any {
                break;
            }
        }
        node.note_progress();
        let live = node.engine.borrow().live_ops();
        if live == 0 || live + node.window / 4 <= node.window {
            node.wake.notify_one();
        }
    }
}
