//! The operation table: one entry per operation in flight, found from its
//! label in one step, holding the operation, its received shares or running
//! sum, the senders it still waits for, and its waiters.
//!
//! # Layout
//!
//! Entries are 64 bytes, one cache line each, in one vector of two regions:
//!
//! * The **dense region**, the first `capacity` entries (a power of two). A
//!   label with a dense key `k` ([`Labeller::dense_key`]) lives at `k mod
//!   capacity`: registering the operation, a message arriving for it and its
//!   completion each touch that one line, and consecutive labels are
//!   consecutive lines, which the hardware prefetches.
//! * The **general region** after it, entries taken from a free list: operations
//!   without a label (local operations on pending values, checks,
//!   continuations), operations with hash labels, and any label the dense region
//!   could not take. A labelled entry here is found through one hash index from
//!   the label's wire bytes to the entry (the index holds 4-byte entry numbers,
//!   so it stays in cache).
//!
//! Beside the entries, indexed by entry: `n` shares per entry (an opening's
//! shares, or messages that came before their operation), and the wire bytes
//! of the entry's label when it must be kept (an operation that sends later,
//! or any hash-filed entry, whose lookups compare the bytes).
//!
//! # Messages that come first
//!
//! A message whose operation is not registered yet goes straight into the
//! entry for its label, marked [`Kind::Early`]: the dense slot for its key, or
//! a general entry in the hash index. Registering the operation takes the
//! entry over (or, in the hash index, takes the messages out of it). An early
//! entry holds at most one message per sender; a second message from the same
//! sender under the same label (history labels give `x = a·b; y = a·b` the same
//! label) goes to the next entry of the label's **chain**, a list of entries
//! under one label linked in the order they were made. A message goes to the
//! first registered operation in the chain that still expects its sender,
//! otherwise into the first early entry that has nothing from its sender yet;
//! a registration takes, for each sender it expects, the first early message
//! from that sender. Because every sender sends same-labelled messages in the
//! order it issued them, and every receiver registers in that same order,
//! this pairs each message with the right operation, as the mailbox before
//! this table did.
//!
//! # Bounds
//!
//! What a peer can make a player hold is bounded. Dense keys map onto the
//! `capacity` slots of the dense region. A dense key at or beyond `front +
//! capacity` (`front`: one past the highest dense key registered here) is not
//! given a slot, so that a label far ahead never takes the slot of a nearer
//! one; its message waits in the general region like a hash label's. Early
//! messages in the general region are limited to `capacity` per sender; one
//! more is refused ([`Refusal::TooMany`]) and the run ends with an error
//! naming the peer and the label. Key distance alone cannot be the test: a
//! program counter spends top-level keys on continuations that send nothing
//! (`nested` schedules a batch's worth of them), so an honest peer one batch
//! ahead sends labels tens of thousands of keys beyond this player's front;
//! what bounds it is the window, which keeps the messages it sends ahead to
//! well under `capacity`.
//!
//! [`Labeller::dense_key`]: crate::label::Labeller::dense_key

use crate::field::Fp;
use crate::label::PlayerId;
use hashbrown::HashTable;
use smallvec::SmallVec;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Index of an entry in the table.
pub type EntryId = u32;

/// "No entry": the end of a chain.
pub const NONE: EntryId = u32::MAX;

/// The key of a vacant entry.
pub const VACANT: u64 = u64::MAX;

/// Label bytes an entry keeps beside it without allocating.
pub const SHORT_LABEL: usize = 32;

/// `Entry::label_len` of a label kept in the long-label map.
const LONG: u8 = u8::MAX;
const _: () = assert!(SHORT_LABEL < LONG as usize);

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// Free.
    Vacant,
    /// Messages whose operation is not registered yet; `want` holds their senders.
    Early,
    /// An input dealt by another player: receives its share.
    Input,
    /// A BGW multiplication: sums λ_s·h_s in `acc`.
    Mul,
    /// An opening: keeps every share in its row.
    Open,
    /// `a + b` of pending values.
    Add,
    /// `a − b` of pending values.
    Sub,
    /// `c · a` of a pending value.
    MulConst,
    /// `a + c` of a pending value.
    AddConst,
    /// A check of the pending value `a` against `c`.
    Check,
    /// A continuation (its closure in the engine's continuation store, at `a`).
    Continue,
}

/// Bits of `Entry::flags`.
pub mod flag {
    /// The operands were ready and this player's messages have gone out.
    pub const ACTIVE: u8 = 1;
    /// An opening whose result is checked against `c`.
    pub const CHECKED: u8 = 2;
    /// The entry holds a reference on its operands (it waited for them).
    pub const HOLDS: u8 = 4;
    /// The entry is in the hash index, in its label's chain.
    pub const HASHED: u8 = 8;
    /// The entry has waiters beyond the two inline ones.
    pub const MORE_WAITERS: u8 = 16;
    /// A hashed entry whose label has a dense key.
    pub const DENSE_LABEL: u8 = 32;
}

/// One operation in flight (or messages waiting for it): one cache line.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
pub struct Entry {
    /// Dense region: the label's dense key. General region: the hash of the
    /// label's wire bytes if it is hashed. [`VACANT`] when free.
    pub key: u64,
    /// Running sum Σ λ_s·h_s of a multiplication; an input's share.
    pub acc: Fp,
    /// A local operation's constant; the expected value of a checked opening
    /// or of a check.
    pub c: Fp,
    /// First operand (value slot); a continuation's index in its store.
    pub a: u32,
    /// Second operand (value slot).
    pub b: u32,
    /// The value slot this operation produces.
    pub out: u32,
    /// Registered: senders still expected. Early: senders whose message is held.
    pub want: u32,
    /// Next entry in the label's chain, or [`NONE`].
    pub next: EntryId,
    /// When the operands were ready, ns since the engine started, mod 2^32.
    pub started: u32,
    /// Operands not yet ready.
    pub missing: u32,
    /// The first two operations waiting for `out`.
    pub waiters: [EntryId; 2],
    /// How many of `waiters` are used.
    pub n_waiters: u8,
    /// What this entry is.
    pub kind: Kind,
    /// [`flag`] bits.
    pub flags: u8,
    /// Bytes of label kept beside the entry (0: none).
    pub label_len: u8,
}

const _: () = assert!(std::mem::size_of::<Entry>() == 64);

impl Entry {
    /// A vacant entry.
    pub const VACANT: Entry = Entry::new(Kind::Vacant);

    /// A fresh entry of `kind`, not yet filed under a label.
    #[inline]
    pub const fn new(kind: Kind) -> Entry {
        Entry {
            key: VACANT,
            acc: Fp::ZERO,
            c: Fp::ZERO,
            a: 0,
            b: 0,
            out: 0,
            want: 0,
            next: NONE,
            started: 0,
            missing: 0,
            waiters: [NONE; 2],
            n_waiters: 0,
            kind,
            flags: 0,
            label_len: 0,
        }
    }

    /// Whether a registered operation of this entry takes a message from the
    /// sender with bit `bit`.
    #[inline]
    fn takes(&self, bit: u32) -> bool {
        self.kind != Kind::Early && self.want & bit != 0
    }
}

/// Applies the message `value` from `sender` to a registered entry: summed
/// with its Lagrange coefficient `lambda` into a multiplication, kept in an
/// opening's row, taken as an input's share.
#[inline]
fn take_message(e: &mut Entry, row: &mut [Fp], sender: PlayerId, value: Fp, lambda: Fp) {
    match e.kind {
        Kind::Mul => e.acc += lambda * value,
        Kind::Open => row[sender] = value,
        Kind::Input => e.acc = value,
        _ => unreachable!("only inputs, multiplications and openings receive"),
    }
    e.want &= !(1 << sender);
}

/// Why the table refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The sender already has `capacity` early messages held in the general region.
    TooMany {
        /// How many it has held.
        held: usize,
    },
}

/// Where an arriving message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// A registered operation took it: the entry.
    Taken(EntryId),
    /// It waits in an early entry for its operation.
    Held,
}

/// A label as the table reports held messages: a dense key, or wire bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum HeldLabel {
    /// Filed by its dense key.
    Dense(u64),
    /// Filed by its wire bytes.
    Bytes(Vec<u8>),
}

/// What one peer owes this player: see [`Table::waiting_on`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owed {
    /// Live operations waiting for a message from the peer.
    pub ops: usize,
    /// A few of them: the operation's kind and its label.
    pub examples: Vec<(Kind, HeldLabel)>,
}

/// The operation table of one player; see the [module docs](self).
#[derive(Debug)]
pub struct Table {
    entries: Vec<Entry>,
    /// `n` shares per entry.
    shares: Vec<Fp>,
    /// Label bytes kept beside each entry (`Entry::label_len` of them).
    labels: Vec<[u8; SHORT_LABEL]>,
    /// Labels longer than [`SHORT_LABEL`], by entry.
    long_labels: HashMap<EntryId, Box<[u8]>, foldhash::fast::FixedState>,
    n: usize,
    capacity: usize,
    mask: u64,
    /// Free entries of the general region.
    free: Vec<EntryId>,
    /// Chain heads of hashed labels, hashed by their label bytes.
    index: HashTable<EntryId>,
    hasher: foldhash::fast::FixedState,
    /// One past the highest dense key registered.
    front: u64,
    /// Hashed entries whose label has a dense key: while there are none, a
    /// vacant dense slot means its key has no entry anywhere.
    spilled: usize,
    /// Early messages held, all entries.
    held: usize,
    /// Early messages held in the general region, by sender.
    held_by: Vec<usize>,
    /// The most `held_by` may reach.
    held_limit: usize,
    repeated: u64,
    /// λ_s of every sender, for multiplications.
    lambda: Vec<Fp>,
}

impl Table {
    /// A table for `n` players (`lambda[s]` is sender s's coefficient in a
    /// multiplication's sum) with a dense region of at least `capacity` entries,
    /// holding at most `capacity` early messages per sender in the general
    /// region.
    ///
    /// The engine sizes it to `(n + 1)` windows. A peer's operations that this
    /// player has not issued yet either wait for a message from this player
    /// (at most a window of them) or need none (inputs the peer deals, at most
    /// every n-th label of a dealing phase), so an honest peer is about `n`
    /// windows of labels ahead at most within a phase, and sends this player
    /// far fewer than `capacity` messages ahead of it.
    pub fn new(n: usize, lambda: Vec<Fp>, capacity: usize) -> Table {
        let capacity = capacity.next_power_of_two().max(2);
        Table {
            entries: vec![Entry::VACANT; capacity],
            shares: vec![Fp::ZERO; capacity * n],
            labels: vec![[0; SHORT_LABEL]; capacity],
            long_labels: HashMap::default(),
            n,
            capacity,
            mask: capacity as u64 - 1,
            free: Vec::new(),
            index: HashTable::new(),
            hasher: foldhash::fast::FixedState::default(),
            front: 0,
            spilled: 0,
            held: 0,
            held_by: vec![0; n],
            held_limit: capacity,
            repeated: 0,
            lambda,
        }
    }

    /// Bytes [`Table::new`] allocates for `n` players and `capacity` entries:
    /// the entries, their shares and their short labels, `capacity` rounded up
    /// as `new` rounds it. `None` if that is more than a `u64` holds.
    pub fn bytes_for(n: usize, capacity: usize) -> Option<u64> {
        let capacity = capacity.checked_next_power_of_two()?.max(2) as u64;
        let per_entry = std::mem::size_of::<Entry>() + n * std::mem::size_of::<Fp>() + SHORT_LABEL;
        capacity.checked_mul(per_entry as u64)
    }

    /// The same table with room for `limit` early messages per sender in the
    /// general region (by default, its capacity).
    #[cfg(test)]
    fn with_held_limit(mut self, limit: usize) -> Table {
        self.held_limit = limit;
        self
    }

    /// Entries in the dense region.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entry `id`.
    #[inline]
    pub fn entry(&self, id: EntryId) -> &Entry {
        &self.entries[id as usize]
    }

    /// Entry `id`, to change.
    #[inline]
    pub fn entry_mut(&mut self, id: EntryId) -> &mut Entry {
        &mut self.entries[id as usize]
    }

    /// Entry `id` and its row of shares.
    #[inline]
    pub fn entry_and_row(&mut self, id: EntryId) -> (&mut Entry, &mut [Fp]) {
        let n = self.n;
        let at = id as usize * n;
        (&mut self.entries[id as usize], &mut self.shares[at..at + n])
    }

    /// Entry `id`'s row of shares.
    #[inline]
    pub fn row(&self, id: EntryId) -> &[Fp] {
        let at = id as usize * self.n;
        &self.shares[at..at + self.n]
    }

    /// Early messages held and not (yet) taken by an operation.
    pub fn held(&self) -> usize {
        self.held
    }

    /// Messages that repeated a (sender, label) while it was live.
    pub fn repeated(&self) -> u64 {
        self.repeated
    }

    /// Whether dense key `key` is near enough to be given its dense slot.
    #[inline]
    fn near(&self, key: u64) -> bool {
        key < self.front.saturating_add(self.capacity as u64)
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        (key & self.mask) as usize
    }

    fn hash(&self, bytes: &[u8]) -> u64 {
        self.hasher.hash_one(bytes)
    }

    /// The label bytes kept beside entry `id`.
    #[inline]
    pub fn label(&self, id: EntryId) -> &[u8] {
        let e = &self.entries[id as usize];
        match e.label_len {
            LONG => &self.long_labels[&id],
            len => &self.labels[id as usize][..len as usize],
        }
    }

    /// Entry `id`'s label zero-padded to [`SHORT_LABEL`] bytes, and its
    /// length, if it is that short.
    #[inline]
    pub fn label_padded(&self, id: EntryId) -> Option<(&[u8; SHORT_LABEL], usize)> {
        let len = self.entries[id as usize].label_len;
        (len != LONG).then(|| (&self.labels[id as usize], len as usize))
    }

    /// Keeps the label whose wire form is the first `len` bytes of `padded`
    /// beside entry `id`, copied at a fixed size.
    #[inline]
    pub fn keep_label_padded(&mut self, id: EntryId, padded: &[u8; SHORT_LABEL], len: usize) {
        self.labels[id as usize] = *padded;
        self.entries[id as usize].label_len = len as u8;
    }

    /// Keeps `bytes` beside entry `id` as its label.
    #[inline]
    pub fn keep_label(&mut self, id: EntryId, bytes: &[u8]) {
        let len = bytes.len();
        if len <= SHORT_LABEL {
            self.labels[id as usize][..len].copy_from_slice(bytes);
            self.entries[id as usize].label_len = len as u8;
        } else {
            self.long_labels.insert(id, bytes.into());
            self.entries[id as usize].label_len = LONG;
        }
    }

    fn drop_label(&mut self, id: EntryId) {
        if self.entries[id as usize].label_len == LONG {
            self.long_labels.remove(&id);
        }
        self.entries[id as usize].label_len = 0;
    }

    /// A general entry holding `init`.
    pub fn alloc(&mut self, init: Entry) -> EntryId {
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                let id = self.entries.len() as EntryId;
                assert!(id < NONE, "the operation table is full");
                self.entries.push(Entry::VACANT);
                self.labels.push([0; SHORT_LABEL]);
                self.shares.resize(self.shares.len() + self.n, Fp::ZERO);
                id
            }
        };
        self.entries[id as usize] = init;
        id
    }

    /// Frees entry `id`: out of its chain, back to vacant.
    #[inline]
    pub fn free(&mut self, id: EntryId) {
        let e = &mut self.entries[id as usize];
        if e.flags & flag::HASHED != 0 || e.label_len == LONG || id as usize >= self.capacity {
            return self.free_general(id);
        }
        // A dense entry: marking it vacant is enough (a new entry is written whole).
        e.key = VACANT;
        e.kind = Kind::Vacant;
        e.label_len = 0;
    }

    fn free_general(&mut self, id: EntryId) {
        let e = self.entries[id as usize];
        if e.flags & flag::HASHED != 0 {
            self.unlink(id);
        }
        if e.label_len != 0 {
            self.drop_label(id);
        }
        self.entries[id as usize] = Entry::VACANT;
        if id as usize >= self.capacity {
            self.free.push(id);
        }
    }

    /// Takes hashed entry `id` out of its label's chain and the index.
    fn unlink(&mut self, id: EntryId) {
        let e = self.entries[id as usize];
        if e.flags & flag::DENSE_LABEL != 0 {
            self.spilled -= 1;
        }
        let entries = &self.entries;
        let head = self.index.find_entry(e.key, |&h| {
            let mut at = h;
            while at != NONE {
                if at == id {
                    return true;
                }
                at = entries[at as usize].next;
            }
            false
        });
        let Ok(head) = head else {
            unreachable!("a hashed entry is in its chain")
        };
        if *head.get() == id {
            if e.next == NONE {
                head.remove();
            } else {
                *head.into_mut() = e.next;
            }
        } else {
            let mut at = *head.get();
            while self.entries[at as usize].next != id {
                at = self.entries[at as usize].next;
            }
            self.entries[at as usize].next = e.next;
        }
    }

    /// The chain head of the hashed label `bytes`, if it has one.
    fn find(&self, hash: u64, bytes: &[u8]) -> Option<EntryId> {
        self.index.find(hash, |&h| self.label(h) == bytes).copied()
    }

    /// Appends general entry `id` (its label is `bytes`, hash `hash`) to the
    /// chain whose head is `head`, or makes it the whole chain of a label that
    /// has none.
    fn link_after(
        &mut self,
        head: Option<EntryId>,
        id: EntryId,
        hash: u64,
        bytes: &[u8],
        dense: bool,
    ) {
        self.keep_label(id, bytes);
        let e = &mut self.entries[id as usize];
        e.key = hash;
        e.next = NONE;
        e.flags |= flag::HASHED;
        if dense {
            e.flags |= flag::DENSE_LABEL;
            self.spilled += 1;
        }
        match head {
            Some(mut at) => {
                while self.entries[at as usize].next != NONE {
                    at = self.entries[at as usize].next;
                }
                self.entries[at as usize].next = id;
            }
            None => {
                let entries = &self.entries;
                self.index
                    .insert_unique(hash, id, |&j| entries[j as usize].key);
            }
        }
    }

    /// Appends general entry `id` (its label is `bytes`, hash `hash`) to the
    /// label's chain, making the chain if there is none.
    fn link(&mut self, id: EntryId, hash: u64, bytes: &[u8], dense: bool) {
        let head = self.find(hash, bytes);
        self.link_after(head, id, hash, bytes, dense);
    }

    /// The receiver's fastest path: the operation registered under dense key
    /// `key` expects `sender` and takes `value`; returns its entry and whether
    /// it is now complete (every message in, and active). `None` for anything
    /// else (then [`Table::arrive_dense`] or [`Table::arrive`]).
    #[inline(always)]
    pub fn take_dense(&mut self, sender: PlayerId, key: u64, value: Fp) -> Option<(EntryId, bool)> {
        let i = self.slot(key);
        let e = &mut self.entries[i];
        let bit = 1u32 << sender;
        if e.key != key || !e.takes(bit) {
            return None;
        }
        match e.kind {
            Kind::Mul => e.acc += self.lambda[sender] * value,
            Kind::Input => e.acc = value,
            _ => self.shares[i * self.n + sender] = value,
        }
        e.want &= !bit;
        Some((i as EntryId, e.want == 0 && e.flags & flag::ACTIVE != 0))
    }

    /// A message from `sender` under a label with dense key `key`: the fast
    /// path. `None` when it needs the label's bytes ([`Table::arrive`]).
    #[inline]
    pub fn arrive_dense(
        &mut self,
        sender: PlayerId,
        key: u64,
        value: Fp,
    ) -> Option<Result<Arrival, Refusal>> {
        if !self.near(key) {
            // Far ahead: no dense slot (see the module docs).
            return None;
        }
        let i = self.slot(key);
        let bit = 1u32 << sender;
        let n = self.n;
        let e = &mut self.entries[i];
        if e.key == key {
            if e.takes(bit) {
                let lambda = self.lambda[sender];
                take_message(e, &mut self.shares[i * n..i * n + n], sender, value, lambda);
                return Some(Ok(Arrival::Taken(i as EntryId)));
            }
            // (A registered operation further down the label's chain may
            // want it: only when there is no chain is the early entry its place.)
            if e.kind == Kind::Early && e.want & bit == 0 && self.spilled == 0 {
                e.want |= bit;
                self.shares[i * n + sender] = value;
                self.held += 1;
                return Some(Ok(Arrival::Held));
            }
        } else if e.key == VACANT && self.spilled == 0 {
            *e = Entry::new(Kind::Early);
            e.key = key;
            e.want = bit;
            self.shares[i * n + sender] = value;
            self.held += 1;
            return Some(Ok(Arrival::Held));
        }
        None
    }

    /// A message from `sender` under the label whose wire bytes are `bytes`
    /// (dense key `dense`, if the labeller gives one): the full path.
    pub fn arrive(
        &mut self,
        sender: PlayerId,
        bytes: &[u8],
        dense: Option<u64>,
        value: Fp,
    ) -> Result<Arrival, Refusal> {
        if let Some(key) = dense {
            if let Some(done) = self.arrive_dense(sender, key, value) {
                return done;
            }
        }
        let bit = 1u32 << sender;
        let n = self.n;
        let mut registered_seen = false;
        let mut sender_held = false;
        let mut target = None;
        // The dense slot, when it holds this label, is the first of its chain.
        if let Some(key) = dense {
            let i = self.slot(key);
            let e = &self.entries[i];
            if e.key == key {
                if e.kind == Kind::Early {
                    sender_held = e.want & bit != 0;
                    if !sender_held {
                        target = Some(i as EntryId);
                    }
                } else {
                    // (A registered entry here expecting `sender` took the
                    // message on the fast path.)
                    registered_seen = true;
                }
            }
        }
        let hash = self.hash(bytes);
        let head = self.find(hash, bytes);
        let mut at = head.unwrap_or(NONE);
        while at != NONE {
            let e = &self.entries[at as usize];
            if e.takes(bit) {
                if registered_seen {
                    // An earlier registration under this label already had
                    // this sender's message.
                    self.repeated += 1;
                }
                let lambda = self.lambda[sender];
                let (e, row) = self.entry_and_row(at);
                take_message(e, row, sender, value, lambda);
                return Ok(Arrival::Taken(at));
            }
            if e.kind == Kind::Early {
                if e.want & bit != 0 {
                    // The message must come after this one from its sender:
                    // a hole left earlier in the chain (a registration took
                    // that entry's message from `sender`) is not its place.
                    sender_held = true;
                    target = None;
                } else if target.is_none() {
                    target = Some(at);
                }
            } else {
                registered_seen = true;
            }
            at = e.next;
        }
        if registered_seen {
            self.repeated += 1;
        }
        if sender_held {
            self.repeated += 1;
        }
        let id = match target {
            Some(id) => id,
            None => {
                if let Some(key) = dense.filter(|&k| self.near(k)) {
                    let i = self.slot(key);
                    if self.entries[i].key == VACANT && head.is_none() {
                        // No entry anywhere for this label: its dense slot.
                        let e = &mut self.entries[i];
                        *e = Entry::new(Kind::Early);
                        e.key = key;
                        e.want = bit;
                        self.shares[i * n + sender] = value;
                        self.held += 1;
                        return Ok(Arrival::Held);
                    }
                }
                let id = self.alloc(Entry::new(Kind::Early));
                self.link_after(head, id, hash, bytes, dense.is_some());
                id
            }
        };
        if id as usize >= self.capacity {
            let held = &mut self.held_by[sender];
            if *held >= self.held_limit {
                let held = *held;
                if self.entries[id as usize].want == 0 {
                    self.free(id);
                }
                return Err(Refusal::TooMany { held });
            }
            *held += 1;
        }
        self.entries[id as usize].want |= bit;
        self.shares[id as usize * n + sender] = value;
        self.held += 1;
        Ok(Arrival::Held)
    }

    /// Files a new operation `init` under the label whose wire bytes are
    /// `bytes` (dense key `dense`), expecting one message from each sender in
    /// `senders`; messages that came first are taken at once. Returns its entry.
    #[inline(always)]
    pub fn register(
        &mut self,
        bytes: &[u8],
        dense: Option<u64>,
        senders: u32,
        init: Entry,
    ) -> EntryId {
        if let Some(key) = dense {
            self.front = self.front.max(key.saturating_add(1));
            let i = self.slot(key);
            let e = self.entries[i];
            if self.spilled == 0 {
                if e.key == VACANT {
                    // The common case: first to come, nothing held.
                    let e = &mut self.entries[i];
                    *e = init;
                    e.key = key;
                    e.want = senders;
                    return i as EntryId;
                }
                if e.key == key && e.kind == Kind::Early && e.want & !senders == 0 {
                    // Every message held here is for this operation: take the
                    // entry over, its shares in place.
                    let held = e.want;
                    self.held -= held.count_ones() as usize;
                    let n = self.n;
                    let (lambda, shares) = (&self.lambda, &mut self.shares);
                    let row = &mut shares[i * n..i * n + n];
                    let e = &mut self.entries[i];
                    *e = init;
                    e.key = key;
                    e.want = senders;
                    let mut bits = held;
                    while bits != 0 {
                        let s = bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        let v = row[s];
                        take_message(e, row, s, v, lambda[s]);
                    }
                    return i as EntryId;
                }
            }
        }
        self.register_slow(None, bytes, dense, senders, init)
    }

    /// Files the existing general entry `id` under the label `bytes` (an
    /// at-send labeller's label, known only now), expecting `senders`.
    pub fn attach(&mut self, id: EntryId, bytes: &[u8], senders: u32) {
        let init = self.entries[id as usize];
        self.register_slow(Some(id), bytes, None, senders, init);
    }

    /// Registration when the dense fast path does not apply: takes each
    /// expected sender's first held message from the label's chain, then files
    /// the operation in its dense slot if that is free and nothing else holds
    /// the label, else at the end of the label's chain.
    fn register_slow(
        &mut self,
        existing: Option<EntryId>,
        bytes: &[u8],
        dense: Option<u64>,
        senders: u32,
        init: Entry,
    ) -> EntryId {
        let n = self.n;
        let hash = self.hash(bytes);
        let head = self.find(hash, bytes);
        let in_slot = dense.is_some_and(|key| self.entries[self.slot(key)].key == key);
        if head.is_none() && !in_slot {
            // The label has no entry anywhere (hash labels, usually): nothing
            // to take, and the operation starts the label's chain.
            let id = match (existing, dense) {
                (None, Some(key)) if self.entries[self.slot(key)].key == VACANT => {
                    let i = self.slot(key);
                    self.entries[i] = init;
                    self.entries[i].key = key;
                    self.entries[i].want = senders;
                    return i as EntryId;
                }
                (Some(id), _) => id,
                (None, _) => self.alloc(init),
            };
            self.link_after(None, id, hash, bytes, dense.is_some());
            self.entries[id as usize].want = senders;
            return id;
        }
        let mut taken: [(u8, Fp); 32] = [(0, Fp::ZERO); 32];
        let mut n_taken = 0;
        let mut remaining = senders;
        // The chain, dense slot first.
        let mut chain: SmallVec<[EntryId; 8]> = SmallVec::new();
        if let Some(key) = dense {
            let i = self.slot(key);
            if self.entries[i].key == key {
                chain.push(i as EntryId);
            }
        }
        let mut at = head.unwrap_or(NONE);
        while at != NONE {
            chain.push(at);
            at = self.entries[at as usize].next;
        }
        for &c in &chain {
            if remaining == 0 {
                break;
            }
            let e = self.entries[c as usize];
            if e.kind != Kind::Early {
                continue;
            }
            let mut bits = e.want & remaining;
            while bits != 0 {
                let s = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                taken[n_taken] = (s as u8, self.shares[c as usize * n + s]);
                n_taken += 1;
                remaining &= !(1 << s);
                self.entries[c as usize].want &= !(1 << s);
                self.held -= 1;
                if c as usize >= self.capacity {
                    self.held_by[s] -= 1;
                }
            }
            if self.entries[c as usize].want == 0 {
                self.free(c);
            }
        }
        let id = match (existing, dense) {
            (None, Some(key))
                if self.entries[self.slot(key)].key == VACANT
                    && self.find(hash, bytes).is_none() =>
            {
                let i = self.slot(key);
                self.entries[i] = init;
                self.entries[i].key = key;
                i as EntryId
            }
            (Some(id), _) => {
                self.link(id, hash, bytes, dense.is_some());
                id
            }
            (None, _) => {
                let id = self.alloc(init);
                self.link(id, hash, bytes, dense.is_some());
                id
            }
        };
        let lambda = &self.lambda;
        let at = id as usize * n;
        let row = &mut self.shares[at..at + n];
        let e = &mut self.entries[id as usize];
        e.want = senders;
        for &(s, v) in &taken[..n_taken] {
            take_message(e, row, s as usize, v, lambda[s as usize]);
        }
        id
    }

    /// Up to `max` held messages, as (sender, label), for reports.
    pub fn sample_held(&self, max: usize) -> Vec<(PlayerId, HeldLabel)> {
        let mut out = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if e.kind != Kind::Early {
                continue;
            }
            let label = if e.flags & flag::HASHED != 0 {
                HeldLabel::Bytes(self.label(i as EntryId).to_vec())
            } else {
                HeldLabel::Dense(e.key)
            };
            let mut bits = e.want;
            while bits != 0 && out.len() < max {
                let s = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                out.push((s, label.clone()));
            }
            if out.len() >= max {
                break;
            }
        }
        out
    }

    /// The registered operations that still wait for a message from each
    /// peer: for every player, how many live entries have its bit in `want`
    /// and up to `max_examples` of them as (kind, label). With `active_only`,
    /// only operations whose own messages have gone out (their operands were
    /// ready here) count: what a peer owes now, not what it will owe once
    /// earlier operations finish. Read-only, a scan of the whole table: for
    /// reports of a stalled run, never on the hot path.
    pub fn waiting_on(&self, max_examples: usize, active_only: bool) -> Vec<Owed> {
        let mut out: Vec<Owed> = (0..self.n).map(|_| Owed::default()).collect();
        for (i, e) in self.entries.iter().enumerate() {
            if !matches!(e.kind, Kind::Input | Kind::Mul | Kind::Open) || e.want == 0 {
                continue;
            }
            if active_only && e.flags & flag::ACTIVE == 0 {
                continue;
            }
            let mut bits = e.want;
            while bits != 0 {
                let s = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let Some(owed) = out.get_mut(s) else { break };
                owed.ops += 1;
                if owed.examples.len() < max_examples {
                    let label = if e.flags & flag::HASHED != 0 {
                        HeldLabel::Bytes(self.label(i as EntryId).to_vec())
                    } else {
                        HeldLabel::Dense(e.key)
                    };
                    owed.examples.push((e.kind, label));
                }
            }
        }
        out
    }

    /// Entries in use (operations and early entries), for tests.
    #[cfg(test)]
    fn in_use(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.kind != Kind::Vacant)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    fn v(x: u64) -> Fp {
        Fp::new(x)
    }

    /// A table for 3 players whose λ are all 1 (so a multiplication sums).
    fn table(capacity: usize) -> Table {
        Table::new(3, vec![Fp::ONE; 3], capacity)
    }

    fn open() -> Entry {
        Entry::new(Kind::Open)
    }

    #[test]
    fn bytes_for_counts_what_new_allocates() {
        for (n, capacity) in [(3, 16), (3, 1000), (7, 4097), (16, 1 << 12)] {
            let t = Table::new(n, vec![Fp::ONE; n], capacity);
            let allocated = std::mem::size_of_val(&*t.entries)
                + std::mem::size_of_val(&*t.shares)
                + std::mem::size_of_val(&*t.labels);
            assert_eq!(Table::bytes_for(n, capacity), Some(allocated as u64));
        }
        assert_eq!(Table::bytes_for(3, usize::MAX), None);
    }

    #[test]
    fn message_after_registration_is_taken() {
        let mut t = table(16);
        let id = t.register(&[5], Some(5), 0b110, open());
        assert_eq!(id, 5);
        assert_eq!(t.arrive(1, &[5], Some(5), v(7)), Ok(Arrival::Taken(5)));
        assert_eq!(t.entry(5).want, 0b100);
        assert_eq!(t.arrive_dense(2, 5, v(8)), Some(Ok(Arrival::Taken(5))));
        assert_eq!(t.row(5)[1..], [v(7), v(8)]);
        assert_eq!((t.held(), t.repeated()), (0, 0));
    }

    #[test]
    fn message_before_registration_waits_in_the_entry() {
        let mut t = table(16);
        assert_eq!(t.arrive_dense(2, 3, v(9)), Some(Ok(Arrival::Held)));
        assert_eq!(t.held(), 1);
        let mut mul = Entry::new(Kind::Mul);
        mul.acc = v(1);
        let id = t.register(&[3], Some(3), 0b110, mul);
        assert_eq!(id, 3);
        assert_eq!((t.entry(3).want, t.entry(3).acc), (0b010, v(10)));
        assert_eq!(t.held(), 0);
    }

    #[test]
    fn a_label_far_ahead_waits_in_the_general_region() {
        let mut t = table(16);
        t.register(&[0], Some(0), 0b10, open());
        // Key 16 shares slot 0 with the live key 0: filed by its bytes.
        assert_eq!(t.arrive_dense(1, 16, v(1)), None);
        assert_eq!(t.arrive(1, &[16], Some(16), v(1)), Ok(Arrival::Held));
        // Key 40 is beyond front + capacity (1 + 16): no dense slot, though
        // its slot is vacant, and it counts against the sender's allowance.
        assert_eq!(t.arrive_dense(1, 40, v(4)), None);
        assert_eq!(t.arrive(1, &[40], Some(40), v(4)), Ok(Arrival::Held));
        assert_eq!(t.entry(8).key, VACANT);
        assert_eq!(t.held_by[1], 2);
        // Its operation, registered later, takes it.
        let id = t.register(&[40], Some(40), 0b10, open());
        assert_eq!((t.entry(id).want, t.row(id)[1]), (0, v(4)));
        assert_eq!(t.held_by[1], 1);
    }

    #[test]
    fn waiting_on_counts_what_each_peer_owes() {
        let mut t = table(16);
        // An active opening missing player 2's share, an inactive one missing
        // 1's and 2's, a hashed input from 1, and a held message (owed by
        // nobody: it is in, not awaited).
        let a = t.register(&[1], Some(1), 0b110, open());
        t.entry_mut(a).flags |= flag::ACTIVE;
        assert_eq!(t.arrive_dense(1, 1, v(5)), Some(Ok(Arrival::Taken(a))));
        t.register(&[2], Some(2), 0b110, open());
        let mut input = Entry::new(Kind::Input);
        input.flags |= flag::ACTIVE;
        t.register(&[9, 9], None, 0b010, input);
        assert_eq!(t.arrive(2, &[7], Some(7), v(1)), Ok(Arrival::Held));
        let active = t.waiting_on(4, true);
        assert_eq!(active[0], Owed::default());
        assert_eq!(
            active[1],
            Owed {
                ops: 1,
                examples: vec![(Kind::Input, HeldLabel::Bytes(vec![9, 9]))]
            }
        );
        assert_eq!(
            active[2],
            Owed {
                ops: 1,
                examples: vec![(Kind::Open, HeldLabel::Dense(1))]
            }
        );
        let all = t.waiting_on(1, false);
        assert_eq!((all[1].ops, all[2].ops), (2, 2));
        assert_eq!(all[2].examples.len(), 1);
    }

    #[test]
    fn early_messages_in_the_general_region_are_bounded_per_sender() {
        let mut t = table(2);
        for k in 0..2u8 {
            assert_eq!(t.arrive(1, &[k, 0], None, v(1)), Ok(Arrival::Held));
        }
        assert_eq!(
            t.arrive(1, &[9, 0], None, v(1)),
            Err(Refusal::TooMany { held: 2 })
        );
        // Another sender has its own allowance; the refused message left nothing.
        assert_eq!(t.arrive(2, &[9, 0], None, v(1)), Ok(Arrival::Held));
        assert_eq!(t.held(), 3);
        assert_eq!(t.in_use(), 3);
    }

    /// One step of a table's life: an operation registers, or a message arrives.
    #[derive(Debug, Clone)]
    enum Step {
        Register {
            label: u64,
            senders: u32,
        },
        Arrive {
            label: u64,
            sender: PlayerId,
            value: u64,
        },
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            (0..6u64, 1..8u32).prop_map(|(label, senders)| Step::Register { label, senders }),
            (0..6u64, 0..3usize, 0..100u64).prop_map(|(label, sender, value)| Step::Arrive {
                label,
                sender,
                value
            }),
        ]
    }

    /// What a run of steps delivered: for each registered operation (in
    /// registration order), the (sender, value) pairs it received, in order,
    /// plus the messages still held.
    type Outcome = (Vec<Vec<(PlayerId, u64)>>, usize);

    /// The reference: per label, registered operations and held messages in
    /// FIFO order, as the mailbox before the table worked.
    fn reference(steps: &[Step]) -> Outcome {
        let mut waiting: HashMap<u64, Vec<(usize, u32)>> = HashMap::new();
        let mut queued: HashMap<u64, VecDeque<(PlayerId, u64)>> = HashMap::new();
        let mut got: Vec<Vec<(PlayerId, u64)>> = Vec::new();
        for s in steps {
            match *s {
                Step::Register { label, senders } => {
                    let op = got.len();
                    got.push(Vec::new());
                    let mut want = senders;
                    let q = queued.entry(label).or_default();
                    let mut i = 0;
                    while i < q.len() {
                        let (s, val) = q[i];
                        if want & (1 << s) != 0 {
                            want &= !(1 << s);
                            got[op].push((s, val));
                            q.remove(i);
                        } else {
                            i += 1;
                        }
                    }
                    if want != 0 {
                        waiting.entry(label).or_default().push((op, want));
                    }
                }
                Step::Arrive {
                    label,
                    sender,
                    value,
                } => {
                    let w = waiting.entry(label).or_default();
                    match w.iter().position(|&(_, m)| m & (1 << sender) != 0) {
                        Some(k) => {
                            got[w[k].0].push((sender, value));
                            w[k].1 &= !(1 << sender);
                            if w[k].1 == 0 {
                                w.remove(k);
                            }
                        }
                        None => queued.entry(label).or_default().push_back((sender, value)),
                    }
                }
            }
        }
        (got, queued.values().map(VecDeque::len).sum())
    }

    /// The same steps on a table: each operation is an opening, whose row
    /// shows which message it took from each sender; `dense` files labels by
    /// dense key (with a table of `capacity`), else by bytes.
    fn on_table(steps: &[Step], dense: bool, capacity: usize) -> Outcome {
        let mut t = table(capacity).with_held_limit(usize::MAX);
        let mut got: Vec<Vec<(PlayerId, u64)>> = Vec::new();
        let mut live: HashMap<EntryId, usize> = HashMap::new();
        for s in steps {
            match *s {
                Step::Register { label, senders } => {
                    let bytes = [label as u8, 0xee];
                    let op = got.len();
                    got.push(Vec::new());
                    let id = t.register(&bytes, dense.then_some(label), senders, open());
                    // What it took at registration: the senders no longer wanted.
                    let took = senders & !t.entry(id).want;
                    for s in 0..3 {
                        if took & (1 << s) != 0 {
                            got[op].push((s, t.row(id)[s].value()));
                        }
                    }
                    if t.entry(id).want == 0 {
                        t.free(id);
                    } else {
                        live.insert(id, op);
                    }
                }
                Step::Arrive {
                    label,
                    sender,
                    value,
                } => {
                    let bytes = [label as u8, 0xee];
                    match t
                        .arrive(sender, &bytes, dense.then_some(label), Fp::new(value))
                        .expect("within bounds")
                    {
                        Arrival::Taken(id) => {
                            let op = live[&id];
                            got[op].push((sender, value));
                            if t.entry(id).want == 0 {
                                live.remove(&id);
                                t.free(id);
                            }
                        }
                        Arrival::Held => {}
                    }
                }
            }
        }
        (got, t.held())
    }

    proptest::proptest! {
        /// The dense slots, the hash index, chains of repeated labels, the
        /// fallback to the index when two live labels share a dense slot, and
        /// labels beyond the front (capacity 4, labels 0..6) all deliver
        /// exactly what the FIFO reference does.
        #[test]
        fn the_table_delivers_as_the_fifo_reference(steps in proptest::collection::vec(step(), 0..80)) {
            let sorted = |mut o: Outcome| {
                for g in &mut o.0 {
                    g.sort();
                }
                o
            };
            let want = sorted(reference(&steps));
            proptest::prop_assert_eq!(&sorted(on_table(&steps, false, 16)), &want);
            proptest::prop_assert_eq!(&sorted(on_table(&steps, true, 16)), &want);
            proptest::prop_assert_eq!(&sorted(on_table(&steps, true, 4)), &want);
        }
    }
}
