//! The engine: one player's view of a running program, as one table of the
//! operations in flight.
//!
//! There is no task or future per operation. An operation that cannot finish
//! at once is an entry in the player's [`table`], found from its label in one
//! step (its dense key modulo the table's capacity, or one hash lookup for
//! hash labels). It advances when its operands become ready (the entries
//! waiting on a value are woken when the value is set) and when its messages
//! arrive (the frame is parsed out of the read buffer straight into the
//! entry). This is VIFF's Deferred callbacks without a Deferred: the design
//! the brief's calibration found fastest.
//!
//! * [`table`]: the entries, the dense region and the hash index, messages
//!   that come before their operation, and the bounds on what a peer may send.
//! * [`values`]: the values a program holds, reference-counted and reused.
//! * [`send`]: building a frame once and copying it to every peer.
//! * `mpc`: the [`Mpc`](crate::Mpc) operations, issuing into the table.
//! * This file: the engine itself, what happens when an operation's operands
//!   are ready (activation), when its last message is in (completion), and the
//!   receiver's loop.
//!
//! The engine never blocks and never touches a socket: frames are staged per
//! peer and handed to the peers' [`Outbox`]es by [`Engine::flush`] (and at the
//! end of every [`Engine::receive`]), and the link reader hands received bytes
//! to [`Engine::receive`].

mod mpc;
pub mod send;
pub mod table;
pub mod values;

use crate::error::RuntimeError;
use crate::field::Fp;
use crate::label::{IssuedWire, LabelError, LabelTiming, Labeller, OpKind, PlayerId};
use crate::latency::Latencies;
use crate::link_coding::{LinkCoder, LinkCodingError};
use crate::outbox::Outbox;
use crate::prss::Prss;
use crate::shamir::{Shamir, MAX_PLAYERS};
use crate::wire::{parse_frame, put_varint, varint_word, Frame, FrameError, PAYLOAD_BYTES};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use send::Sender;
use smallvec::SmallVec;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::time::Instant;
use table::{flag, Arrival, Entry, EntryId, HeldLabel, Kind, Refusal, Table};
use values::Values;

/// A continuation, as stored until its operands are ready.
type Continuation<L> = Box<dyn FnOnce(&mut Engine<L>)>;

/// A continuation waiting in the store: the closure, the labeller's saved
/// context, and the values it holds until it has run.
type Waiting<L> = (
    Continuation<L>,
    <L as Labeller>::Context,
    SmallVec<[u32; 4]>,
);

/// Counters of one player's run.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    /// Checks whose opened value equalled the plaintext.
    pub correct: u64,
    /// Checks whose consistent opening differed from the plaintext.
    pub wrong: u64,
    /// Checks whose value came from an inconsistent opening.
    pub unverifiable: u64,
    /// Openings whose shares did not lie on one polynomial of degree t.
    pub inconsistent_opens: u64,
    /// Multiplications issued.
    pub muls: u64,
    /// Operations issued (all kinds).
    pub ops: u64,
    /// Messages sent.
    pub messages: u64,
    /// Messages received.
    pub received: u64,
    /// Bytes of labels sent.
    pub label_bytes_total: u64,
    /// The longest label sent.
    pub label_bytes_max: u64,
    /// Bytes of payload sent.
    pub payload_bytes: u64,
    /// Bytes of frames sent (length prefixes, labels, payloads).
    pub wire_bytes: u64,
    /// Multiplication latency in ns, from operands ready to result ready.
    pub latency: Latencies,
}

/// Entries of the operation table of a player of `n` for a window of
/// `window` (before [`Table::new`] rounds it up to a power of two).
fn table_capacity(n: usize, window: usize) -> usize {
    window.max(1).saturating_mul(n + 1).max(1024)
}

/// Bytes one player's operation table takes from the start of a run of `n`
/// players with a window of `window`, whatever the program does: what a
/// front end checks against the memory it has before it starts the run.
/// `None` if that is more than a `u64` holds.
pub fn table_bytes(n: usize, window: usize) -> Option<u64> {
    Table::bytes_for(n, table_capacity(n, window))
}

/// One player's engine: its operation table, values and outboxes.
pub struct Engine<L: Labeller> {
    me: PlayerId,
    shamir: Shamir,
    prss: Prss,
    labeller: L,
    rng: ChaCha8Rng,
    values: Values<L::Tag>,
    table: Table,
    /// Waiters beyond an entry's two inline ones, in order.
    more_waiters: HashMap<EntryId, Vec<EntryId>, foldhash::fast::FixedState>,
    /// Continuations waiting for their operands, by `Entry::a`.
    continuations: Vec<Option<Waiting<L>>>,
    free_continuations: Vec<u32>,
    /// Operations issued and not finished.
    live: usize,
    ready: VecDeque<EntryId>,
    sender: Sender,
    /// Every peer's bit: the senders a multiplication or opening waits for.
    peers_mask: u32,
    /// Whether labels are fixed at issue, so dense keys file them.
    at_issue: bool,
    share_buf: Vec<Fp>,
    /// λ of this player's own share in a multiplication.
    own_lambda: Fp,
    now: Instant,
    /// `now` in ns since `epoch` (latencies are measured with it).
    now_ns: u64,
    epoch: Instant,
    counters: Counters,
    /// Labels coded against the links: a decoder per peer.
    decoders: Option<Box<LinkDecoders>>,
    /// Messages operations took on arrival, plus operations finished: what
    /// [`Engine::progress`] reports.
    advanced: u64,
    error: Option<RuntimeError>,
}

impl<L: Labeller> Engine<L> {
    /// An engine for player `me` of a run with these sharing parameters and seed,
    /// sending through `outboxes` (indexed by player; `None` at `me`), sized for
    /// about `window` operations in flight.
    pub fn new(
        me: PlayerId,
        shamir: Shamir,
        seed: u64,
        labeller: L,
        outboxes: Vec<Option<Rc<Outbox>>>,
        window: usize,
    ) -> Engine<L> {
        let n = shamir.n();
        debug_assert!(n <= MAX_PLAYERS && outboxes.len() == n);
        let prss = Prss::new(n, shamir.t(), me, seed);
        let peers_mask = ((1u32 << n) - 1) & !(1 << me);
        let rng = ChaCha8Rng::seed_from_u64(seed ^ (0x7265_7368_6172_6500 + me as u64)); // "reshare"
        let lambda: Vec<Fp> = (0..n).map(|s| shamir.product_coefficient(s)).collect();
        let capacity = table_capacity(n, window);
        Engine {
            me,
            own_lambda: lambda[me],
            table: Table::new(n, lambda, capacity),
            shamir,
            prss,
            labeller,
            rng,
            values: Values::default(),
            more_waiters: HashMap::default(),
            continuations: Vec::new(),
            free_continuations: Vec::new(),
            live: 0,
            ready: VecDeque::new(),
            sender: Sender::new(outboxes),
            peers_mask,
            at_issue: L::TIMING == LabelTiming::AtIssue,
            share_buf: vec![Fp::ZERO; n],
            now: Instant::now(),
            now_ns: 0,
            epoch: Instant::now(),
            counters: Counters::default(),
            decoders: None,
            advanced: 0,
            error: None,
        }
    }

    /// Replaces the seeded secrets with secure ones, before the run starts:
    /// PRSS from keys dealt over authenticated links, and re-sharing
    /// randomness from ChaCha8 keyed with `reshare_seed`, which the caller
    /// draws from the operating system (the same generator as the seeded mode:
    /// eight rounds keep a margin over the best known attack, on seven, as
    /// Aumasson's "Too Much Crypto" (2019) argues).
    pub fn use_dealt_secrets(&mut self, prss: Prss, reshare_seed: [u8; 32]) {
        self.prss = prss;
        self.rng = ChaCha8Rng::from_seed(reshare_seed);
    }

    /// A number that grows whenever the run makes progress here: a message an
    /// operation takes as it arrives, or an operation that finishes. This
    /// player's own issuing and sending do not count, nor do messages merely
    /// held for a label no operation has registered (a peer dripping frames
    /// nobody uses cannot keep a run alive with them); stalls are detected
    /// with it.
    pub fn progress(&self) -> u64 {
        self.advanced
    }

    /// What each peer owes this player (see [`Table::waiting_on`]), as
    /// `(peer, operations waiting, examples such as "mul #12")`, the peers
    /// owing most first; only operations whose own messages have gone out,
    /// unless none has.
    pub fn owed_by_peers(&self, max_examples: usize) -> Vec<(PlayerId, usize, Vec<String>)> {
        let mut owed = self.table.waiting_on(max_examples, true);
        if owed.iter().all(|o| o.ops == 0) {
            owed = self.table.waiting_on(max_examples, false);
        }
        let mut out: Vec<_> = owed
            .into_iter()
            .enumerate()
            .filter(|(peer, o)| *peer != self.me && o.ops > 0)
            .map(|(peer, o)| {
                let examples = o
                    .examples
                    .iter()
                    .map(|(kind, label)| {
                        let kind = match kind {
                            Kind::Input => "input",
                            Kind::Mul => "mul",
                            _ => "open",
                        };
                        format!("{kind} {}", self.describe_label(label))
                    })
                    .collect();
                (peer, o.ops, examples)
            })
            .collect();
        out.sort_by_key(|&(peer, ops, _)| (std::cmp::Reverse(ops), peer));
        out
    }

    /// Operations issued and not finished: what the issuing window bounds.
    pub fn live_ops(&self) -> usize {
        self.live
    }

    /// Messages received that no operation has consumed.
    pub fn queued_messages(&self) -> usize {
        self.table.held()
    }

    /// Messages that repeated a (sender, label) while it was live.
    pub fn repeated_labels(&self) -> u64 {
        self.table.repeated()
    }

    /// Values the program holds or operations in flight still need.
    pub fn held_values(&self) -> usize {
        self.values.held()
    }

    /// Up to `max` unconsumed messages as "from player s, label L", for reports.
    pub fn describe_queued(&self, max: usize) -> Vec<String> {
        self.table
            .sample_held(max)
            .into_iter()
            .map(|(s, l)| format!("from player {s}, label {}", self.describe_label(&l)))
            .collect()
    }

    fn describe_label(&self, label: &HeldLabel) -> String {
        match label {
            HeldLabel::Dense(k) => format!("#{k}"),
            HeldLabel::Bytes(b) => self.describe_bytes(b),
        }
    }

    /// A label's wire bytes as the labeller shows the label, or in hex.
    fn describe_bytes(&self, bytes: &[u8]) -> String {
        match self.labeller.decode(bytes) {
            Ok(l) => format!("{l:?}"),
            Err(_) => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }

    /// The run's counters so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Codes labels against the links (`--label-coding link`): every label
    /// this player sends is written relative to the ones it sent before, and
    /// every label it receives is read relative to the ones received before
    /// on that link ([`crate::link_coding`]). Called before the run starts.
    pub fn code_labels_against_links(&mut self) {
        self.sender.code_labels(L::WIRE_FORM);
        self.decoders = Some(Box::new(LinkDecoders {
            peers: (0..self.n())
                .map(|_| LinkCoder::new(L::WIRE_FORM))
                .collect(),
            plain: Vec::new(),
            short: [0; 4],
        }));
    }

    /// The first error the engine ran into, taken out.
    pub fn take_error(&mut self) -> Option<RuntimeError> {
        self.error
            .take()
            .or_else(|| self.sender.take_error().map(RuntimeError::from))
    }

    /// Refreshes the engine's clock (latencies are measured with it).
    pub fn tick(&mut self) {
        self.now = Instant::now();
        self.now_ns = self.now.saturating_duration_since(self.epoch).as_nanos() as u64;
    }

    /// Hands the frames sent since the last flush to the outboxes. Whoever
    /// drives the engine calls this once it has issued what it can; the
    /// engine flushes at the end of [`Engine::receive`] itself.
    pub fn flush(&mut self) {
        if !self.ready.is_empty() {
            self.run_ready();
        }
        self.sender.flush();
    }

    /// Appends the end-of-run marker to every outbox.
    pub fn say_bye(&mut self) {
        self.sender.say_bye();
    }

    fn n(&self) -> usize {
        self.shamir.n()
    }

    fn fail(&mut self, e: impl Into<RuntimeError>) {
        if self.error.is_none() {
            self.error = Some(e.into());
        }
    }

    /// Makes entry `id` wait for each operand that is not ready, holding it
    /// until the entry has run; returns how many it waits for.
    fn wait_for(&mut self, id: EntryId, operands: &[u32]) -> u32 {
        let mut missing = 0;
        for &v in operands {
            if let Some(p) = self.values.producer(v) {
                let producer = self.table.entry_mut(p);
                let k = producer.n_waiters as usize;
                if k < producer.waiters.len() {
                    producer.waiters[k] = id;
                    producer.n_waiters += 1;
                } else {
                    producer.flags |= flag::MORE_WAITERS;
                    self.more_waiters.entry(p).or_default().push(id);
                }
                missing += 1;
            }
        }
        if missing > 0 {
            for &v in operands {
                self.values.hold(v);
            }
            let e = self.table.entry_mut(id);
            e.flags |= flag::HOLDS;
            e.missing = missing;
        }
        missing
    }

    /// Drops the references entry `e` held on its operands.
    fn drop_operands(&mut self, e: &Entry) {
        if e.flags & flag::HOLDS == 0 {
            return;
        }
        match e.kind {
            Kind::Mul | Kind::Add | Kind::Sub => {
                self.values.drop_ref(e.a);
                self.values.drop_ref(e.b);
            }
            Kind::Open | Kind::MulConst | Kind::AddConst | Kind::Check => self.values.drop_ref(e.a),
            _ => {}
        }
    }

    /// Asks the labeller at issue, the label's wire form written straight into
    /// a new frame; on failure records the error and returns `None`.
    #[inline(always)]
    fn issue_wire(&mut self, kind: OpKind, operands: &[u32]) -> Option<IssuedWire<L::Tag>> {
        let values = &self.values;
        let out = self.sender.begin();
        let issued = match *operands {
            [] => self.labeller.issue_wire(kind, &[], out),
            [a] => self.labeller.issue_wire(kind, &[values.tag(a)], out),
            [a, b] => self
                .labeller
                .issue_wire(kind, &[values.tag(a), values.tag(b)], out),
            _ => {
                let tags: SmallVec<[&L::Tag; 4]> =
                    operands.iter().map(|&v| values.tag(v)).collect();
                self.labeller.issue_wire(kind, &tags, out)
            }
        };
        match issued {
            Ok(w) if w.labelled => {
                self.sender.end();
                Some(w)
            }
            Ok(_) if kind.is_labelled() && self.at_issue => {
                self.fail(LabelError::Missing {
                    labeller: std::any::type_name::<L>(),
                    op: kind.name(),
                });
                None
            }
            Ok(w) => Some(w),
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    /// A ready value standing in for the result of an operation that failed to
    /// issue; the run is already failing.
    fn poisoned(&mut self) -> u32 {
        let tag = self.labeller.root_tag();
        self.values.alloc(tag, values::READY, Fp::ZERO)
    }

    /// Prepares the frame of `label` (its wire form written straight into
    /// it) and returns the label's dense key, if labels are filed by dense key.
    #[inline]
    fn frame_label(&mut self, label: &L::Label) -> Option<u64> {
        let frame = self.sender.begin();
        self.labeller.encode(label, frame);
        self.sender.end();
        if self.at_issue {
            self.labeller.dense_key(label)
        } else {
            None
        }
    }

    /// Keeps the prepared frame's label beside entry `id`, for when it sends.
    #[inline]
    fn keep_frame_label(&mut self, id: EntryId) {
        match self.sender.label_padded() {
            Some(padded) => {
                let len = self.sender.label().len();
                self.table.keep_label_padded(id, padded, len);
            }
            None => self.table.keep_label(id, self.sender.label()),
        }
    }

    /// For an at-send labeller: reads the label now, files entry `id` under it
    /// (expecting `senders`) and prepares its frame.
    fn label_at_send(&mut self, id: EntryId, kind: OpKind, senders: u32) -> bool {
        match self.labeller.at_send(kind) {
            Ok(l) => {
                self.frame_label(&l);
                self.table.attach(id, self.sender.label(), senders);
                true
            }
            Err(e) => {
                self.fail(e);
                false
            }
        }
    }

    /// Entry `id`'s operands are ready: send its messages, or compute it.
    /// `at_issue` says its frame is prepared (an operation activated as it is
    /// issued); otherwise its label is kept beside the entry, or, for an
    /// at-send labeller, read now.
    fn activate(&mut self, id: EntryId, at_issue: bool) {
        let e = *self.table.entry(id);
        match e.kind {
            Kind::Mul | Kind::Open => self.send_exchange(id, at_issue),
            Kind::Input => {
                // Only an at-send labeller's input gets here: it is ready to
                // receive, and takes its label now.
                let owner = e.a as PlayerId;
                if !self.label_at_send(id, OpKind::Input { owner }, 1 << owner) {
                    return;
                }
                let entry = self.table.entry_mut(id);
                entry.flags |= flag::ACTIVE;
                if entry.want == 0 {
                    self.complete(id);
                }
            }
            Kind::Add | Kind::Sub | Kind::MulConst | Kind::AddConst => {
                let v = local(e.kind, self.values.get(e.a), self.values.get(e.b), e.c);
                self.drop_operands(&e);
                self.finish(id, v, true);
            }
            Kind::Check => {
                self.record_check(e.a, e.c);
                self.drop_operands(&e);
                self.table.free(id);
                self.live -= 1;
                self.advanced += 1;
            }
            Kind::Continue => {
                let (then, context, deps) = self.continuations[e.a as usize]
                    .take()
                    .expect("a waiting continuation");
                self.free_continuations.push(e.a);
                self.table.free(id);
                self.live -= 1;
                self.advanced += 1;
                self.run_continuation(then, context);
                for v in deps {
                    self.values.drop_ref(v);
                }
            }
            Kind::Vacant | Kind::Early => unreachable!("only operations are activated"),
        }
    }

    /// A multiplication's or an opening's operands are ready: this player's
    /// shares go out, and it completes if every peer's share is in already.
    /// `at_issue` says its frame is prepared.
    #[inline]
    fn send_exchange(&mut self, id: EntryId, at_issue: bool) {
        let e = self.table.entry(id);
        let mul = e.kind == Kind::Mul;
        let (a, b, holds) = (e.a, e.b, e.flags & flag::HOLDS != 0);
        let (x, y) = (self.values.get(a), self.values.get(b));
        if holds {
            self.values.drop_ref(a);
            if mul {
                self.values.drop_ref(b);
            }
        }
        if !at_issue {
            if self.at_issue {
                match self.table.label_padded(id) {
                    Some((padded, len)) => self.sender.prepare_short(padded, len),
                    None => self.sender.prepare(self.table.label(id)),
                }
            } else {
                let kind = if mul { OpKind::Mul } else { OpKind::Open };
                if !self.label_at_send(id, kind, self.peers_mask) {
                    return;
                }
            }
        }
        let me = self.me;
        let now = self.now_ns as u32;
        if mul {
            let mut shares = std::mem::take(&mut self.share_buf);
            self.shamir.deal(x * y, &mut self.rng, &mut shares);
            self.sender
                .send_each(self.now, &mut self.counters, |peer| shares[peer]);
            let own = self.own_lambda * shares[me];
            self.share_buf = shares;
            self.table.entry_mut(id).acc += own;
        } else {
            self.sender.send_each(self.now, &mut self.counters, |_| x);
            self.table.entry_and_row(id).1[me] = x;
        }
        let entry = self.table.entry_mut(id);
        entry.started = now;
        entry.flags |= flag::ACTIVE;
        if entry.want == 0 {
            self.complete(id);
        }
    }

    /// Records a check of the known value `v` against `expected`.
    fn record_check(&mut self, v: u32, expected: Fp) {
        if self.values.is_inconsistent(v) {
            self.counters.unverifiable += 1;
        } else if self.values.get(v) == expected {
            self.counters.correct += 1;
        } else {
            self.counters.wrong += 1;
        }
    }

    /// Every message of entry `id` is in and it is active: its result.
    #[inline(always)]
    fn complete(&mut self, id: EntryId) {
        let e = self.table.entry(id);
        let (value, consistent) = match e.kind {
            Kind::Mul => {
                let elapsed = (self.now_ns as u32).wrapping_sub(e.started);
                let acc = e.acc;
                self.counters.latency.record(elapsed.max(1));
                (acc, true)
            }
            Kind::Input => (e.acc, true),
            Kind::Open => return self.complete_open(id),
            _ => unreachable!("only communicating operations complete"),
        };
        self.finish(id, value, consistent);
    }

    /// An opening's shares are all in: the value, its check.
    fn complete_open(&mut self, id: EntryId) {
        let e = self.table.entry(id);
        let (checked, expected) = (e.flags & flag::CHECKED != 0, e.c);
        let (v, consistent) = self.shamir.open(self.table.row(id));
        let c = &mut self.counters;
        if !consistent {
            c.inconsistent_opens += 1;
        }
        if checked {
            if !consistent {
                c.unverifiable += 1;
            } else if v == expected {
                c.correct += 1;
            } else {
                c.wrong += 1;
            }
        }
        self.finish(id, v, consistent);
    }

    /// Entry `id` produced `value`: set it, wake its waiters, free the entry.
    #[inline(always)]
    fn finish(&mut self, id: EntryId, value: Fp, consistent: bool) {
        let e = self.table.entry(id);
        let (out, waited) = (e.out, e.n_waiters != 0 || e.flags & flag::MORE_WAITERS != 0);
        self.values.set(out, value, consistent);
        if waited {
            self.wake_waiters(id);
        }
        self.table.free(id);
        self.live -= 1;
        self.advanced += 1;
    }

    /// Wakes the operations waiting for entry `id`'s value, in the order they
    /// asked.
    fn wake_waiters(&mut self, id: EntryId) {
        let e = self.table.entry(id);
        let (waiters, n, more) = (
            e.waiters,
            e.n_waiters as usize,
            e.flags & flag::MORE_WAITERS != 0,
        );
        for &w in &waiters[..n] {
            self.wake(w);
        }
        if more {
            for w in self.more_waiters.remove(&id).unwrap_or_default() {
                self.wake(w);
            }
        }
    }

    /// One of `w`'s operands is ready.
    #[inline]
    fn wake(&mut self, w: EntryId) {
        let e = self.table.entry_mut(w);
        e.missing -= 1;
        if e.missing == 0 {
            self.ready.push_back(w);
        }
    }

    /// Activates woken operations in the order they became ready.
    fn run_ready(&mut self) {
        while let Some(id) = self.ready.pop_front() {
            self.activate(id, false);
        }
    }

    fn run_continuation(&mut self, then: Continuation<L>, context: L::Context) {
        let saved = self.labeller.enter(context);
        then(self);
        self.labeller.leave(saved);
    }

    /// Parses every complete frame in `buf` from `peer` and runs what they make
    /// ready. Returns the bytes consumed and whether the peer said goodbye.
    pub fn receive(&mut self, peer: PlayerId, buf: &[u8]) -> Result<(usize, bool), RuntimeError> {
        self.tick();
        let result = self.receive_frames(peer, buf);
        self.sender.flush();
        result
    }

    fn receive_frames(
        &mut self,
        peer: PlayerId,
        buf: &[u8],
    ) -> Result<(usize, bool), RuntimeError> {
        if self.decoders.is_some() {
            return self.receive_coded_frames(peer, buf);
        }
        let mut at = 0;
        let mut fast = 0u64;
        let dense = self.at_issue;
        let result = loop {
            // The common frame, inline: a one-byte length prefix, all of it in
            // `buf`, a payload that is a field element, and a label with a
            // dense key whose operation is registered and expects `peer`.
            if let (true, Some(&len)) = (dense, buf.get(at)) {
                let len = usize::from(len);
                if (PAYLOAD_BYTES..0x80).contains(&len) && buf.len() > at + len {
                    let (label, payload) = buf[at + 1..=at + len].split_at(len - PAYLOAD_BYTES);
                    let raw = u64::from_le_bytes(payload.try_into().expect("8 bytes"));
                    if let (Some(value), Some(key)) =
                        (Fp::from_canonical(raw), self.labeller.wire_dense_key(label))
                    {
                        if let Some((id, complete)) = self.table.take_dense(peer, key, value) {
                            at += len + 1;
                            fast += 1;
                            if complete {
                                self.complete(id);
                            }
                            if !self.ready.is_empty() {
                                self.run_ready();
                            }
                            continue;
                        }
                    }
                }
            }
            // Every other frame, and the end of the bytes.
            if let Some(result) = self.receive_next(peer, buf, &mut at, None) {
                break result;
            }
        };
        self.counters.received += fast;
        self.advanced += fast;
        result
    }

    /// [`Engine::receive_frames`] with labels coded against the links: each
    /// label is decoded once, in link order, then filed as a plain one is.
    #[inline(never)]
    fn receive_coded_frames(
        &mut self,
        peer: PlayerId,
        buf: &[u8],
    ) -> Result<(usize, bool), RuntimeError> {
        // Out of `self` while frames are filed: a decoded label borrows them.
        let mut decoders = self.decoders.take().expect("labels are coded");
        let mut at = 0;
        let result = loop {
            // A message frame with a one-byte length prefix, all of it in `buf`.
            if let Some(&len) = buf.get(at) {
                let len = usize::from(len);
                if (PAYLOAD_BYTES..0x80).contains(&len) && buf.len() > at + len {
                    let (coded, payload) = buf[at + 1..=at + len].split_at(len - PAYLOAD_BYTES);
                    let raw = u64::from_le_bytes(payload.try_into().expect("8 bytes"));
                    let label = match decoders.decode(peer, coded) {
                        Ok(plain) => plain,
                        Err(e) => break Err(undecodable(peer, coded, e)),
                    };
                    let Some(value) = Fp::from_canonical(raw) else {
                        break Err(RuntimeError::MalformedFrame {
                            peer,
                            reason: FrameError::NotAFieldElement(raw).to_string(),
                        });
                    };
                    at += len + 1;
                    self.counters.received += 1;
                    if let Some((id, complete)) = self
                        .at_issue
                        .then(|| self.labeller.wire_dense_key(label))
                        .flatten()
                        .and_then(|key| self.table.take_dense(peer, key, value))
                    {
                        self.advanced += 1;
                        if complete {
                            self.complete(id);
                        }
                        if !self.ready.is_empty() {
                            self.run_ready();
                        }
                    } else if let Err(e) = self.file_message(peer, label, value) {
                        break Err(e);
                    }
                    continue;
                }
            }
            // Every other frame, and the end of the bytes.
            if let Some(result) = self.receive_next(peer, buf, &mut at, Some(&mut decoders)) {
                break result;
            }
        };
        self.decoders = Some(decoders);
        result
    }

    /// Takes the frame at `at` in `buf` through [`Engine::receive_one`]:
    /// `None` to go on with the next frame, or what `receive` returns.
    #[inline(always)]
    fn receive_next(
        &mut self,
        peer: PlayerId,
        buf: &[u8],
        at: &mut usize,
        decoders: Option<&mut LinkDecoders>,
    ) -> Option<Result<(usize, bool), RuntimeError>> {
        match self.receive_one(peer, &buf[*at..], decoders) {
            Ok(Some((used, false))) => {
                *at += used;
                None
            }
            Ok(Some((used, true))) => {
                *at += used;
                Some(match parse_frame(&buf[*at..]) {
                    Ok(None) => Ok((*at, true)),
                    _ => Err(RuntimeError::MalformedFrame {
                        peer,
                        reason: "data after the end-of-run marker".into(),
                    }),
                })
            }
            Ok(None) => Some(Ok((*at, false))),
            Err(e) => Some(Err(e)),
        }
    }

    /// Parses and files the frame at the front of `bytes`, decoding its label
    /// with `decoders` if labels are coded: `None` if it is not complete yet,
    /// else the bytes it took and whether it was the end-of-run marker.
    #[inline(never)]
    fn receive_one(
        &mut self,
        peer: PlayerId,
        bytes: &[u8],
        decoders: Option<&mut LinkDecoders>,
    ) -> Result<Option<(usize, bool)>, RuntimeError> {
        let frame = parse_frame(bytes).map_err(|e| RuntimeError::MalformedFrame {
            peer,
            reason: e.to_string(),
        })?;
        let Some((frame, used)) = frame else {
            return Ok(None);
        };
        let (label, payload) = match frame {
            Frame::Message { label, payload } => (label, payload),
            Frame::Bye => return Ok(Some((used, true))),
            Frame::Abort { reason } => {
                return Err(RuntimeError::PeerFailed {
                    peer,
                    reason: reason.to_string(),
                })
            }
        };
        self.counters.received += 1;
        let label = match decoders {
            Some(d) => d
                .decode(peer, label)
                .map_err(|e| undecodable(peer, label, e))?,
            None => label,
        };
        self.file_message(peer, label, payload)?;
        Ok(Some((used, false)))
    }

    /// Files a message whose label's wire form is `label`.
    #[inline(always)]
    fn file_message(
        &mut self,
        peer: PlayerId,
        label: &[u8],
        payload: Fp,
    ) -> Result<(), RuntimeError> {
        let fast = if self.at_issue {
            self.labeller
                .wire_dense_key(label)
                .and_then(|k| self.table.arrive_dense(peer, k, payload))
        } else {
            None
        };
        let arrival = match fast {
            Some(a) => a,
            None => self.arrive_slow(peer, label, payload)?,
        };
        match arrival {
            Ok(Arrival::Taken(id)) => {
                self.advanced += 1;
                let e = self.table.entry(id);
                if e.want == 0 && e.flags & flag::ACTIVE != 0 {
                    self.complete(id);
                }
            }
            Ok(Arrival::Held) => {}
            Err(r) => return Err(self.refused(peer, label, r)),
        }
        self.run_ready();
        Ok(())
    }

    /// A message the dense fast path could not file: the label is decoded
    /// (refusing what this labeller could not have written) and filed by its
    /// bytes.
    #[cold]
    fn arrive_slow(
        &mut self,
        peer: PlayerId,
        label: &[u8],
        payload: Fp,
    ) -> Result<Result<Arrival, Refusal>, RuntimeError> {
        let decoded = self
            .labeller
            .decode(label)
            .map_err(|e| RuntimeError::MalformedFrame {
                peer,
                reason: format!("label does not decode: {e}"),
            })?;
        let dense = if self.at_issue {
            self.labeller.dense_key(&decoded)
        } else {
            None
        };
        Ok(self.table.arrive(peer, label, dense, payload))
    }

    /// The error for a message the table refused.
    #[cold]
    fn refused(&self, peer: PlayerId, label: &[u8], r: Refusal) -> RuntimeError {
        let Refusal::TooMany { held } = r;
        RuntimeError::TooManyUnexpected {
            peer,
            held,
            label: self.describe_bytes(label),
        }
    }
}

/// The decoders of labels coded against the links.
struct LinkDecoders {
    /// By peer (this player's own is unused).
    peers: Vec<LinkCoder>,
    /// The wire form of the label decoded last, if it was not short.
    plain: Vec<u8>,
    /// The wire form of the label decoded last, if it was short: a varint
    /// of up to 4 bytes, zero-padded.
    short: [u8; 4],
}

impl LinkDecoders {
    /// The wire form of the label `coded` from `peer`.
    #[inline(always)]
    fn decode(&mut self, peer: PlayerId, coded: &[u8]) -> Result<&[u8], LinkCodingError> {
        let coder = &mut self.peers[peer];
        match coder.decode_short(coded).map(|c| (c, varint_word(c))) {
            Some((_, Some((word, len)))) => {
                self.short = word.to_le_bytes();
                Ok(&self.short[..len])
            }
            Some((c, None)) => {
                self.plain.clear();
                put_varint(&mut self.plain, c);
                Ok(&self.plain)
            }
            None => self.decode_in_full(peer, coded),
        }
    }

    /// [`LinkDecoders::decode`] for any label.
    #[inline(never)]
    fn decode_in_full(&mut self, peer: PlayerId, coded: &[u8]) -> Result<&[u8], LinkCodingError> {
        self.plain.clear();
        self.peers[peer].decode(coded, &mut self.plain)?;
        Ok(&self.plain)
    }
}

/// The error for a coded label that does not decode.
#[cold]
fn undecodable(peer: PlayerId, coded: &[u8], e: LinkCodingError) -> RuntimeError {
    RuntimeError::MalformedFrame {
        peer,
        reason: format!(
            "coded label {} does not decode against the link's previous labels: {e}",
            hex(coded)
        ),
    }
}

/// Bytes as hex, for an error message (at most 32 of them).
fn hex(bytes: &[u8]) -> String {
    let shown: String = bytes.iter().take(32).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > 32 {
        format!("{shown}… ({} bytes)", bytes.len())
    } else {
        shown
    }
}

/// The result of a local operation.
#[inline]
fn local(kind: Kind, x: Fp, y: Fp, c: Fp) -> Fp {
    match kind {
        Kind::Add => x + y,
        Kind::Sub => x - y,
        Kind::MulConst => x * c,
        Kind::AddConst => x + c,
        _ => unreachable!("not a local operation"),
    }
}

#[cfg(test)]
mod tests;
