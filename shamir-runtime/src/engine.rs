//! The event-driven operation table: one player's view of a running program.
//!
//! There is no task or future per operation. An operation that cannot finish at
//! once is an entry in a table; it advances when its operands become ready (the
//! entries waiting on a value are woken when the value is set) and when its
//! messages arrive (the mailbox hands them over). This is VIFF's Deferred
//! callbacks without a Deferred: the design the brief's calibration found fastest.
//!
//! The engine never blocks and never touches a socket: frames go into per-peer
//! [`Outbox`]es, and the link reader hands received bytes to [`Engine::receive`].

use crate::error::RuntimeError;
use crate::field::Fp;
use crate::label::{LabelError, LabelTiming, Labeller, OpKind, PlayerId};
use crate::latency::Latencies;
use crate::mailbox::{Delivery, Mailbox, OpId};
use crate::net::{Outbox, SHORT_FRAME};
use crate::program::{Mpc, Public, Share, ValueId};
use crate::prss::Prss;
use crate::shamir::{Shamir, MAX_PLAYERS};
use crate::wire::{parse_frame, put_varint, Frame, PAYLOAD_BYTES};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use smallvec::SmallVec;
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;
use std::time::Instant;

/// `producer` of a value that is known.
const READY: u32 = u32::MAX;

/// A continuation, as stored until its operands are ready.
type Continuation<L> = Box<dyn FnOnce(&mut Engine<L>)>;

/// A local operation, as a table entry stores it.
#[derive(Debug, Clone, Copy)]
enum LocalOp {
    Add,
    Sub,
    MulConst,
    AddConst,
}

impl LocalOp {
    fn of(kind: OpKind) -> (LocalOp, Fp) {
        match kind {
            OpKind::Add => (LocalOp::Add, Fp::ZERO),
            OpKind::Sub => (LocalOp::Sub, Fp::ZERO),
            OpKind::MulConst(c) => (LocalOp::MulConst, c),
            OpKind::AddConst(c) => (LocalOp::AddConst, c),
            _ => unreachable!("not a local operation"),
        }
    }

    fn apply(self, x: Fp, y: Fp, c: Fp) -> Fp {
        match self {
            LocalOp::Add => x + y,
            LocalOp::Sub => x - y,
            LocalOp::MulConst => x * c,
            LocalOp::AddConst => x + c,
        }
    }
}

/// What a table entry is waiting to do. Kept to 24 bytes: the table is the
/// engine's hottest memory.
enum Pending<L: Labeller> {
    Free,
    /// Receives a share from the input's owner.
    Input {
        owner: u8,
    },
    Mul {
        a: u32,
        b: u32,
    },
    Open {
        a: u32,
        /// Whether the program checks the opened value against `expected`
        /// (kept here rather than in an entry of its own).
        checked: bool,
        expected: Fp,
    },
    Local {
        op: LocalOp,
        a: u32,
        b: u32,
        c: Fp,
    },
    Check {
        p: u32,
        expected: Fp,
    },
    Continue(Box<(Continuation<L>, L::Context)>),
}

/// Waiters an entry holds inline; more go to `Engine::more_waiters`.
const INLINE_WAITERS: usize = 2;

/// One table entry: 56 bytes, aligned to 64 so that every entry is one cache
/// line (unaligned, six entries in eight straddled two lines, and a message's
/// arrival then missed the cache twice).
#[repr(align(64))]
struct Op<L: Labeller> {
    pending: Pending<L>,
    /// Running sum: Σ λ_s·h_s(me) for a multiplication, the share for an input.
    acc: Fp,
    /// The value this operation produces (unused by checks and continuations).
    out: u32,
    /// Operands not yet ready.
    missing: u32,
    /// When the operands were ready: ns since the engine started, modulo 2^32
    /// (latencies over 4.29 s wrap; only hung runs have such latencies).
    started: u32,
    /// The first operations waiting for `out`, in the order they asked.
    waiters: [OpId; INLINE_WAITERS],
    /// How many operations wait for `out` (beyond two, the rest are in
    /// `Engine::more_waiters`).
    n_waiters: u16,
    /// Messages not yet received.
    awaiting: u8,
    /// Whether the operands were ready and this player's messages have gone out.
    active: bool,
}

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

/// One player's engine: values, pending operations, mailbox and outboxes.
pub struct Engine<L: Labeller> {
    me: PlayerId,
    shamir: Shamir,
    prss: Prss,
    labeller: L,
    rng: ChaCha8Rng,
    values: Vec<Fp>,
    producer: Vec<u32>,
    tags: Vec<L::Tag>,
    inconsistent: HashSet<u32, foldhash::fast::FixedState>,
    ops: Vec<Op<L>>,
    /// Waiters beyond the first two of an entry, by entry, in order.
    more_waiters: HashMap<OpId, Vec<OpId>, foldhash::fast::FixedState>,
    /// The label of each table entry, from registration until it is sent.
    labels: Vec<Option<L::Label>>,
    free: Vec<OpId>,
    live: usize,
    /// Shares of pending openings: `open_shares[op * n + sender]`.
    open_shares: Vec<Fp>,
    mailbox: Mailbox<L::Label>,
    ready: VecDeque<OpId>,
    deliveries: Vec<Delivery>,
    outboxes: Vec<Option<Rc<Outbox>>>,
    /// Every peer's bit: the senders a multiplication or opening waits for.
    peers_mask: u32,
    label_buf: Vec<u8>,
    /// The frame (length prefix, label, payload) of the operation sending now;
    /// a short frame is padded with zeros to [`SHORT_FRAME`] bytes.
    frame_head: Vec<u8>,
    /// Bytes of the frame in `frame_head`.
    frame_len: usize,
    /// Bytes of label in `frame_head`.
    frame_label_len: usize,
    share_buf: Vec<Fp>,
    now: Instant,
    /// `now` in ns since `epoch` (latencies are measured with it).
    now_ns: u64,
    epoch: Instant,
    counters: Counters,
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
        Engine {
            me,
            shamir,
            prss,
            labeller,
            rng,
            values: Vec::new(),
            producer: Vec::new(),
            tags: Vec::new(),
            inconsistent: HashSet::default(),
            ops: Vec::new(),
            more_waiters: HashMap::default(),
            labels: Vec::new(),
            free: Vec::new(),
            live: 0,
            open_shares: Vec::new(),
            mailbox: Mailbox::new(2 * window),
            ready: VecDeque::new(),
            deliveries: Vec::new(),
            outboxes,
            peers_mask,
            label_buf: Vec::with_capacity(64),
            frame_head: Vec::with_capacity(64),
            frame_len: 0,
            frame_label_len: 0,
            share_buf: vec![Fp::ZERO; n],
            now: Instant::now(),
            now_ns: 0,
            epoch: Instant::now(),
            counters: Counters::default(),
            error: None,
        }
    }

    /// A number that changes whenever the engine makes progress (a message in
    /// or out, an operation issued or finished); stalls are detected with it.
    pub fn progress(&self) -> u64 {
        let c = &self.counters;
        c.received + c.messages + c.ops + c.correct + c.wrong + c.unverifiable
    }

    /// Operations issued and not finished: what the issuing window bounds.
    pub fn live_ops(&self) -> usize {
        self.live
    }

    /// Messages received that no operation has consumed.
    pub fn queued_messages(&self) -> usize {
        self.mailbox.queued()
    }

    /// Messages that repeated a (sender, label) while it was live.
    pub fn repeated_labels(&self) -> u64 {
        self.mailbox.repeated()
    }

    /// Up to `max` unconsumed messages as "from player s, label L", for reports.
    pub fn describe_queued(&self, max: usize) -> Vec<String> {
        self.mailbox
            .sample_queued(max)
            .into_iter()
            .map(|(s, l)| format!("from player {s}, label {l}"))
            .collect()
    }

    /// The run's counters so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The first error the engine ran into, taken out.
    pub fn take_error(&mut self) -> Option<RuntimeError> {
        self.error.take()
    }

    /// Refreshes the engine's clock (latencies are measured with it).
    pub fn tick(&mut self) {
        self.now = Instant::now();
        self.now_ns = self.now.saturating_duration_since(self.epoch).as_nanos() as u64;
    }

    /// Appends the end-of-run marker to every outbox.
    pub fn say_bye(&mut self) {
        for outbox in self.outboxes.iter().flatten() {
            outbox.close();
        }
    }

    fn n(&self) -> usize {
        self.shamir.n()
    }

    fn fail(&mut self, e: impl Into<RuntimeError>) {
        if self.error.is_none() {
            self.error = Some(e.into());
        }
    }

    fn is_ready(&self, v: u32) -> bool {
        self.producer[v as usize] == READY
    }

    fn new_value(&mut self, tag: L::Tag, producer: u32, value: Fp) -> u32 {
        let id = self.values.len() as u32;
        self.values.push(value);
        self.producer.push(producer);
        self.tags.push(tag);
        id
    }

    fn alloc_op(&mut self, pending: Pending<L>, awaiting: u32) -> OpId {
        self.live += 1;
        let op = Op {
            pending,
            acc: Fp::ZERO,
            out: READY,
            missing: 0,
            started: 0,
            waiters: [0; INLINE_WAITERS],
            n_waiters: 0,
            awaiting: awaiting as u8,
            active: false,
        };
        if let Some(id) = self.free.pop() {
            self.ops[id as usize] = op;
            return id;
        }
        let id = self.ops.len() as OpId;
        self.ops.push(op);
        self.labels.push(None);
        self.open_shares
            .resize(self.ops.len() * self.shamir.n(), Fp::ZERO);
        id
    }

    fn free_op(&mut self, id: OpId) {
        self.ops[id as usize].pending = Pending::Free;
        // An entry's label leaves the side table when the entry is activated,
        // and only activated entries finish: the slot is already empty (not
        // touching it saves a cache miss per operation).
        debug_assert!(self.labels[id as usize].is_none());
        self.free.push(id);
        self.live -= 1;
    }

    /// Makes `op` wait for each operand that is not ready; returns how many.
    fn wait_for(&mut self, op: OpId, operands: &[u32]) -> u32 {
        let mut missing = 0;
        for &v in operands {
            let p = self.producer[v as usize];
            if p != READY {
                let producer = &mut self.ops[p as usize];
                let k = producer.n_waiters as usize;
                if k < INLINE_WAITERS {
                    producer.waiters[k] = op;
                } else {
                    self.more_waiters.entry(p).or_default().push(op);
                }
                producer.n_waiters += 1;
                missing += 1;
            }
        }
        self.ops[op as usize].missing = missing;
        missing
    }

    /// Asks the labeller at issue; on failure records the error and returns `None`.
    fn issue_label(
        &mut self,
        kind: OpKind,
        operands: &[u32],
    ) -> Option<(Option<L::Label>, L::Tag)> {
        let all_tags = &self.tags;
        let tags: SmallVec<[&L::Tag; 2]> =
            operands.iter().map(|&v| &all_tags[v as usize]).collect();
        let issued = self.labeller.issue(kind, &tags);
        drop(tags);
        match issued {
            Ok(i) => {
                if kind.is_labelled() && i.label.is_none() && L::TIMING == LabelTiming::AtIssue {
                    let e = LabelError::Missing {
                        labeller: self.labeller.name(),
                        op: kind.name(),
                    };
                    self.fail(e);
                    return None;
                }
                Some((i.label, i.tag))
            }
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    /// The label fixed at issue, or, for an at-send labeller, the label read now.
    fn label_now(&mut self, issued: Option<L::Label>, kind: OpKind) -> Option<L::Label> {
        if let Some(l) = issued {
            return Some(l);
        }
        match self.labeller.at_send(kind) {
            Ok(l) => Some(l),
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
        self.new_value(tag, READY, Fp::ZERO)
    }

    /// Prepares the frame template (length prefix ‖ label ‖ 8 payload bytes)
    /// for `label`; `send_each` fills in the payload per peer.
    fn prepare_frame(&mut self, label: &L::Label) {
        let f = &mut self.frame_head;
        f.clear();
        f.push(0);
        self.labeller.encode(label, f);
        let label_len = f.len() - 1;
        let body = label_len + PAYLOAD_BYTES;
        if body < 0x80 {
            f[0] = body as u8;
        } else {
            // A label of 120 bytes or more: the length prefix takes more than one byte.
            let label_bytes = f[1..].to_vec();
            f.clear();
            put_varint(f, body as u64);
            f.extend_from_slice(&label_bytes);
        }
        f.extend_from_slice(&[0; PAYLOAD_BYTES]);
        self.frame_len = f.len();
        if f.len() <= SHORT_FRAME {
            // Pads with a copy of fixed size (`resize` writes byte by byte).
            f.extend_from_slice(&[0; SHORT_FRAME]);
            f.truncate(SHORT_FRAME);
        }
        self.frame_label_len = label_len;
    }

    /// Sends `share(peer)` to every peer, in frames built from the template.
    #[inline]
    fn send_each(&mut self, share: impl Fn(PlayerId) -> Fp) {
        let mut sent = 0u64;
        let len = self.frame_len;
        let at = len - PAYLOAD_BYTES;
        for (peer, outbox) in self.outboxes.iter().enumerate() {
            if let Some(outbox) = outbox {
                self.frame_head[at..len].copy_from_slice(&share(peer).value().to_le_bytes());
                match self.frame_head.first_chunk::<SHORT_FRAME>() {
                    Some(padded) if len <= SHORT_FRAME => {
                        outbox.push_short_frame(padded, len, self.now)
                    }
                    _ => outbox.push_frame(&self.frame_head[..len], self.now),
                }
                sent += 1;
            }
        }
        let label_len = self.frame_label_len as u64;
        let c = &mut self.counters;
        c.messages += sent;
        c.label_bytes_total += sent * label_len;
        c.label_bytes_max = c.label_bytes_max.max(label_len);
        c.payload_bytes += sent * PAYLOAD_BYTES as u64;
        c.wire_bytes += sent * len as u64;
    }

    /// Registers `op` in the mailbox under `label` for messages from `senders`.
    fn register(&mut self, op: OpId, label: &L::Label, senders: u32) {
        let deliveries = &mut self.deliveries;
        let dense = self.labeller.dense_key(label);
        self.mailbox
            .expect(label, dense, op, senders, |d| deliveries.push(d));
        if self.deliveries.is_empty() {
            return;
        }
        let mut ds = std::mem::take(&mut self.deliveries);
        for d in ds.drain(..) {
            self.apply(d);
        }
        self.deliveries = ds;
    }

    /// Hands a received message to its operation.
    fn apply(&mut self, d: Delivery) {
        let n = self.n();
        let lambda = self.shamir.product_coefficient(d.sender);
        let op = &mut self.ops[d.op as usize];
        match op.pending {
            Pending::Mul { .. } => op.acc += lambda * d.value,
            Pending::Open { .. } => self.open_shares[d.op as usize * n + d.sender] = d.value,
            Pending::Input { .. } => op.acc = d.value,
            _ => unreachable!("only inputs, multiplications and openings receive"),
        }
        op.awaiting -= 1;
        if op.awaiting == 0 && op.active {
            self.complete(d.op);
        }
    }

    /// The operation has its operands: send its messages (or compute it).
    fn activate(&mut self, id: OpId) {
        self.activate_with(id, None);
    }

    /// Activates `id`; `label` is its label if the caller still holds it (an
    /// operation activated at issue), else it comes from the side table or, for
    /// an at-send labeller, from the labeller now.
    fn activate_with(&mut self, id: OpId, label: Option<L::Label>) {
        let now = self.now_ns as u32;
        let op = &mut self.ops[id as usize];
        op.started = now;
        match op.pending {
            Pending::Mul { a, b } => {
                let p = self.values[a as usize] * self.values[b as usize];
                if !self.prepare_send(id, OpKind::Mul, label) {
                    return;
                }
                let mut shares = std::mem::take(&mut self.share_buf);
                self.shamir.deal(p, &mut self.rng, &mut shares);
                self.send_each(|peer| shares[peer]);
                let own = self.shamir.product_coefficient(self.me) * shares[self.me];
                self.share_buf = shares;
                let op = &mut self.ops[id as usize];
                op.acc += own;
                self.finish_activation(id);
            }
            Pending::Open { a, .. } => {
                let share = self.values[a as usize];
                if !self.prepare_send(id, OpKind::Open, label) {
                    return;
                }
                let slot = id as usize * self.n() + self.me;
                self.open_shares[slot] = share;
                self.send_each(|_| share);
                self.finish_activation(id);
            }
            Pending::Input { owner } => {
                let owner = owner as PlayerId;
                if self.prepare_send(id, OpKind::Input { owner }, label) {
                    self.finish_activation(id);
                }
            }
            Pending::Local { op, a, b, c } => {
                let v = op.apply(self.values[a as usize], self.values[b as usize], c);
                let out = self.ops[id as usize].out;
                self.set_ready(id, out, v);
                self.free_op(id);
            }
            Pending::Check { p, expected } => {
                self.record_check(p, expected);
                self.free_op(id);
            }
            Pending::Continue(_) => {
                let Pending::Continue(boxed) =
                    std::mem::replace(&mut self.ops[id as usize].pending, Pending::Free)
                else {
                    unreachable!()
                };
                self.free_op(id);
                let (then, context) = *boxed;
                self.run_continuation(then, context);
            }
            Pending::Free => unreachable!("a free entry is never activated"),
        }
    }

    /// Finds `id`'s label (given, stored at issue, or, for an at-send labeller,
    /// read now and registered) and prepares its frame.
    fn prepare_send(&mut self, id: OpId, kind: OpKind, given: Option<L::Label>) -> bool {
        let label = match given.or_else(|| self.labels[id as usize].take()) {
            Some(l) => l,
            None => {
                let Some(l) = self.label_now(None, kind) else {
                    return false;
                };
                let senders = self.expected_senders(id);
                self.register(id, &l, senders);
                l
            }
        };
        self.prepare_frame(&label);
        true
    }

    fn expected_senders(&self, id: OpId) -> u32 {
        match self.ops[id as usize].pending {
            Pending::Input { owner } => 1 << owner,
            _ => self.peers_mask,
        }
    }

    fn finish_activation(&mut self, id: OpId) {
        let op = &mut self.ops[id as usize];
        op.active = true;
        if op.awaiting == 0 {
            self.complete(id);
        }
    }

    fn record_check(&mut self, p: u32, expected: Fp) {
        if !self.inconsistent.is_empty() && self.inconsistent.contains(&p) {
            self.counters.unverifiable += 1;
        } else if self.values[p as usize] == expected {
            self.counters.correct += 1;
        } else {
            self.counters.wrong += 1;
        }
    }

    /// All messages are in and the operation is active: compute the result.
    fn complete(&mut self, id: OpId) {
        let n = self.n();
        let op = &self.ops[id as usize];
        let out = op.out;
        let value = match op.pending {
            Pending::Mul { .. } => {
                let elapsed = (self.now_ns as u32).wrapping_sub(op.started);
                self.counters.latency.record(elapsed.max(1));
                op.acc
            }
            Pending::Input { .. } => op.acc,
            Pending::Open {
                checked, expected, ..
            } => {
                let shares = &self.open_shares[id as usize * n..(id as usize + 1) * n];
                let (v, consistent) = self.shamir.open(shares);
                if !consistent {
                    self.counters.inconsistent_opens += 1;
                    self.inconsistent.insert(out);
                }
                if checked {
                    self.values[out as usize] = v;
                    self.record_check(out, expected);
                }
                v
            }
            _ => unreachable!("only communicating operations complete"),
        };
        self.set_ready(id, out, value);
        self.free_op(id);
    }

    /// Sets a value and wakes the operations waiting for it.
    fn set_ready(&mut self, id: OpId, out: u32, value: Fp) {
        self.values[out as usize] = value;
        self.producer[out as usize] = READY;
        let op = &self.ops[id as usize];
        let (inline, n) = (op.waiters, op.n_waiters as usize);
        for &w in &inline[..n.min(INLINE_WAITERS)] {
            self.wake(w);
        }
        if n > INLINE_WAITERS {
            for w in self.more_waiters.remove(&id).unwrap_or_default() {
                self.wake(w);
            }
        }
    }

    /// One of `w`'s operands is ready.
    #[inline]
    fn wake(&mut self, w: OpId) {
        let op = &mut self.ops[w as usize];
        op.missing -= 1;
        if op.missing == 0 {
            self.ready.push_back(w);
        }
    }

    /// Activates woken operations in the order they became ready.
    fn run_ready(&mut self) {
        while let Some(id) = self.ready.pop_front() {
            self.activate(id);
        }
    }

    fn run_continuation(&mut self, then: Continuation<L>, context: L::Context) {
        let saved = self.labeller.enter(context);
        then(self);
        self.labeller.leave(saved);
    }

    /// Issues a communicating or local operation on `operands`, producing one value.
    fn issue_op(
        &mut self,
        kind: OpKind,
        operands: &[u32],
        pending: Pending<L>,
        awaiting: u32,
    ) -> u32 {
        self.counters.ops += 1;
        let Some((label, tag)) = self.issue_label(kind, operands) else {
            return self.poisoned();
        };
        if awaiting == 0 && operands.iter().all(|&v| self.is_ready(v)) {
            // A local operation on known values: no table entry at all.
            let (a, b) = (operands[0], *operands.get(1).unwrap_or(&operands[0]));
            let (op, c) = LocalOp::of(kind);
            let v = op.apply(self.values[a as usize], self.values[b as usize], c);
            return self.new_value(tag, READY, v);
        }
        let id = self.alloc_op(pending, awaiting);
        let out = self.new_value(tag, id, Fp::ZERO);
        self.ops[id as usize].out = out;
        if let Some(label) = &label {
            let senders = self.expected_senders(id);
            self.register(id, label, senders);
        }
        if self.wait_for(id, operands) == 0 {
            self.activate_with(id, label);
        } else if label.is_some() {
            // (Without a label the slot stays empty, as every free slot is.)
            self.labels[id as usize] = label;
        }
        out
    }

    /// Issues a local operation on `a` (and `b`).
    fn local_op(&mut self, kind: OpKind, a: Share, b: Option<Share>) -> Share {
        let (op, c) = LocalOp::of(kind);
        let has_b = b.is_some();
        let (a, b) = (a.0 .0, b.map_or(a.0 .0, |b| b.0 .0));
        let two = [a, b];
        let operands = &two[..if has_b { 2 } else { 1 }];
        let pending = Pending::Local { op, a, b, c };
        Share(ValueId(self.issue_op(kind, operands, pending, 0)))
    }

    /// Parses every complete frame in `buf` from `peer` and runs what they make
    /// ready. Returns the bytes consumed and whether the peer said goodbye.
    pub fn receive(&mut self, peer: PlayerId, buf: &[u8]) -> Result<(usize, bool), RuntimeError> {
        self.tick();
        let mut at = 0;
        let mut bye = false;
        loop {
            let frame = parse_frame(&buf[at..]).map_err(|e| RuntimeError::MalformedFrame {
                peer,
                reason: e.to_string(),
            })?;
            let Some((frame, used)) = frame else { break };
            if bye {
                return Err(RuntimeError::MalformedFrame {
                    peer,
                    reason: "data after the end-of-run marker".into(),
                });
            }
            at += used;
            match frame {
                Frame::Bye => bye = true,
                Frame::Message { label, payload } => {
                    self.counters.received += 1;
                    let fast = self
                        .labeller
                        .wire_dense_key(label)
                        .and_then(|k| self.mailbox.deliver_dense(peer, k, payload));
                    let delivery = match fast {
                        Some(d) => d,
                        None => {
                            let label = self.labeller.decode(label).map_err(|e| {
                                RuntimeError::MalformedFrame {
                                    peer,
                                    reason: format!("label does not decode: {e}"),
                                }
                            })?;
                            let dense = self.labeller.dense_key(&label);
                            self.mailbox.deliver(peer, &label, dense, payload)
                        }
                    };
                    if let Some(d) = delivery {
                        self.apply(d);
                    }
                }
            }
            self.run_ready();
        }
        Ok((at, bye))
    }
}

impl<L: Labeller> Mpc for Engine<L> {
    fn players(&self) -> usize {
        self.n()
    }

    fn input(&mut self, owner: PlayerId, value: Fp) -> Share {
        self.counters.ops += 1;
        if owner >= self.n() {
            self.fail(RuntimeError::Program(format!(
                "input owned by player {owner}, but there are {} players",
                self.n()
            )));
            return Share(ValueId(self.poisoned()));
        }
        let Some((label, tag)) = self.issue_label(OpKind::Input { owner }, &[]) else {
            return Share(ValueId(self.poisoned()));
        };
        if owner == self.me {
            let Some(label) = self.label_now(label, OpKind::Input { owner }) else {
                return Share(ValueId(self.poisoned()));
            };
            self.prepare_frame(&label);
            let mut shares = std::mem::take(&mut self.share_buf);
            self.shamir.deal(value, &mut self.rng, &mut shares);
            self.send_each(|peer| shares[peer]);
            let own = shares[self.me];
            self.share_buf = shares;
            return Share(ValueId(self.new_value(tag, READY, own)));
        }
        let id = self.alloc_op(Pending::Input { owner: owner as u8 }, 1);
        let out = self.new_value(tag, id, Fp::ZERO);
        self.ops[id as usize].out = out;
        match label {
            Some(label) => {
                self.register(id, &label, 1 << owner);
                self.finish_activation(id);
            }
            None => self.activate(id),
        }
        Share(ValueId(out))
    }

    fn random(&mut self) -> Share {
        self.counters.ops += 1;
        let Some((label, tag)) = self.issue_label(OpKind::Random, &[]) else {
            return Share(ValueId(self.poisoned()));
        };
        let Some(label) = self.label_now(label, OpKind::Random) else {
            return Share(ValueId(self.poisoned()));
        };
        self.label_buf.clear();
        self.labeller.encode(&label, &mut self.label_buf);
        let share = self.prss.share(&self.label_buf);
        Share(ValueId(self.new_value(tag, READY, share)))
    }

    fn add(&mut self, a: Share, b: Share) -> Share {
        self.local_op(OpKind::Add, a, Some(b))
    }

    fn sub(&mut self, a: Share, b: Share) -> Share {
        self.local_op(OpKind::Sub, a, Some(b))
    }

    fn mul_const(&mut self, a: Share, c: Fp) -> Share {
        self.local_op(OpKind::MulConst(c), a, None)
    }

    fn add_const(&mut self, a: Share, c: Fp) -> Share {
        self.local_op(OpKind::AddConst(c), a, None)
    }

    fn mul(&mut self, a: Share, b: Share) -> Share {
        self.counters.muls += 1;
        let (a, b) = (a.0 .0, b.0 .0);
        let awaiting = self.peers_mask.count_ones();
        Share(ValueId(self.issue_op(
            OpKind::Mul,
            &[a, b],
            Pending::Mul { a, b },
            awaiting,
        )))
    }

    fn open(&mut self, a: Share) -> Public {
        let a = a.0 .0;
        let awaiting = self.peers_mask.count_ones();
        Public(ValueId(self.issue_op(
            OpKind::Open,
            &[a],
            Pending::Open {
                a,
                checked: false,
                expected: Fp::ZERO,
            },
            awaiting,
        )))
    }

    fn check(&mut self, p: Public, expected: Fp) {
        let p = p.0 .0;
        if self.is_ready(p) {
            self.record_check(p, expected);
            return;
        }
        // The usual case: the opening is pending and has no check yet.
        let producer = self.producer[p as usize];
        if let Pending::Open {
            checked: checked @ false,
            expected: e,
            ..
        } = &mut self.ops[producer as usize].pending
        {
            *checked = true;
            *e = expected;
            return;
        }
        let id = self.alloc_op(Pending::Check { p, expected }, 0);
        self.wait_for(id, &[p]);
    }

    fn read(&mut self, p: Public) -> Fp {
        let p = p.0 .0;
        if !self.is_ready(p) {
            self.fail(RuntimeError::Program(format!(
                "value {p} was read before it was known (read it in a continuation scheduled after it)"
            )));
        }
        self.values[p as usize]
    }

    fn schedule(&mut self, after: &[ValueId], then: impl FnOnce(&mut Self) + 'static) {
        let deps: SmallVec<[u32; 4]> = after.iter().map(|v| v.0).collect();
        let context = {
            let all_tags = &self.tags;
            let tags: SmallVec<[&L::Tag; 4]> =
                deps.iter().map(|&v| &all_tags[v as usize]).collect();
            self.labeller.schedule(&tags)
        };
        if deps.iter().all(|&v| self.is_ready(v)) {
            self.run_continuation(Box::new(then), context);
            return;
        }
        let id = self.alloc_op(Pending::Continue(Box::new((Box::new(then), context))), 0);
        self.wait_for(id, &deps);
    }

    fn release(&mut self, _v: ValueId) {}
}
