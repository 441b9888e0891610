//! The mailbox: where a received message waits for the operation that will
//! consume it, keyed by (sender, label).
//!
//! Both orders happen. An operation may register under its label before its
//! messages arrive (they are then handed to it on arrival), or messages may
//! arrive first (they are queued and handed over when it registers).
//!
//! The same (sender, label) may legitimately occur more than once: history labels
//! give `x = a·b; y = a·b` the same label. Such messages are never overwritten:
//! a message from `s` goes to the earliest registered operation under that label
//! that still expects a message from `s`, and otherwise waits in arrival order.
//! Because every sender sends same-labelled messages in the order it issued the
//! operations, and every receiver registers them in that same order, matching in
//! arrival order pairs each message with the right operation.
//!
//! Whatever is still queued at the end of a run was never consumed: an orphan.
//!
//! Two tables hold the entries. Labels that a labeller maps to consecutive
//! integers ([`Labeller::dense_key`](crate::label::Labeller::dense_key)) live in
//! a ring indexed by that integer: neighbouring labels are neighbouring memory,
//! and there is no hashing or key comparison. Every other label, and a dense
//! label whose ring slot is still held by an older one, lives in a slab of
//! entries found through a hash index of 4-byte slab numbers: the index stays
//! small enough to stay in cache, so a lookup costs about one cache miss (the
//! entry itself), as on the ring, however long the label.
//!
//! A ring slot has a hot half of 16 bytes, four to a cache line: its key and,
//! in the common case (one registered operation, no message waiting), that
//! operation and the senders it still expects, so that registering and
//! delivering touch one line shared with the neighbouring labels. Messages that
//! come first and repeated labels move the slot's state to its cold half, a
//! full entry, until it is back to the common case. Entries hold one waiting
//! operation and two queued messages inline, so after warm-up the ring path
//! rarely allocates.

use crate::field::Fp;
use crate::label::PlayerId;
use hashbrown::HashTable;
use smallvec::SmallVec;
use std::collections::VecDeque;
use std::hash::{BuildHasher, Hash};

/// Index of an operation in the runtime's operation table.
pub type OpId = u32;

/// A message handed to an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The operation that consumes the message.
    pub op: OpId,
    /// Who sent it.
    pub sender: PlayerId,
    /// The payload.
    pub value: Fp,
    /// Whether this was the last message the operation expected.
    pub complete: bool,
}

#[derive(Debug, Default)]
struct Entry {
    /// Registered operations in registration order, each with the bit set of
    /// senders it still expects.
    waiting: SmallVec<[(OpId, u32); 1]>,
    /// Messages no registered operation wanted yet, in arrival order.
    queued: SmallVec<[(u8, Fp); 2]>,
}

impl Entry {
    fn is_empty(&self) -> bool {
        self.waiting.is_empty() && self.queued.is_empty()
    }
}

/// The hot half of a ring slot, 16 bytes (four to a cache line): the dense
/// key it holds (or [`VACANT`]) and, in the common case of one registered
/// operation and no queued message, that operation and the senders it still
/// expects. Anything else (messages that came first, a repeated label) lives
/// in the slot's cold [`Entry`], and `want` is then [`COLD`].
#[derive(Debug, Clone, Copy)]
struct Hot {
    key: u64,
    op: OpId,
    want: u32,
}

const VACANT: u64 = u64::MAX;

/// `Hot::want` of a slot whose state is in its cold entry (above every
/// sender's bit: there are at most `MAX_PLAYERS` senders).
const COLD: u32 = 1 << 31;
const _: () = assert!(crate::shamir::MAX_PLAYERS < 31);

const EMPTY_SLOT: Hot = Hot {
    key: VACANT,
    op: 0,
    want: 0,
};

/// Totals kept across both tables.
#[derive(Debug, Default)]
struct Tally {
    queued: usize,
    repeated: u64,
}

/// An entry of a hash-filed label.
#[derive(Debug)]
struct MapSlot<L> {
    label: Option<L>,
    hash: u64,
    entry: Entry,
}

/// Messages keyed by (sender, label); see the [module docs](self).
#[derive(Debug)]
pub struct Mailbox<L> {
    ring: Vec<Hot>,
    /// The cold half of each ring slot: empty unless the slot's `want` is
    /// [`COLD`].
    cold: Vec<Entry>,
    mask: u64,
    /// Hash index of the slab: slab numbers, hashed by their slots' labels.
    index: HashTable<u32>,
    /// Entries of hash-filed labels; a free slot keeps its buffers for reuse.
    slab: Vec<MapSlot<L>>,
    /// Free slab slots, reused in the order they were freed: labels are
    /// registered and finished in roughly program order, so slots are then
    /// visited roughly in sequence, which the hardware prefetches.
    free: VecDeque<u32>,
    hasher: foldhash::fast::FixedState,
    tally: Tally,
}

impl<L: Hash + Eq + Clone> Default for Mailbox<L> {
    fn default() -> Self {
        Self::new(1024)
    }
}

impl<L: Hash + Eq + Clone> Mailbox<L> {
    /// An empty mailbox whose ring has room for at least `ring` dense labels at once.
    pub fn new(ring: usize) -> Self {
        let size = ring.next_power_of_two().max(2);
        Mailbox {
            ring: vec![EMPTY_SLOT; size],
            cold: (0..size).map(|_| Entry::default()).collect(),
            mask: size as u64 - 1,
            index: HashTable::new(),
            slab: Vec::new(),
            free: VecDeque::new(),
            hasher: foldhash::fast::FixedState::default(),
            tally: Tally::default(),
        }
    }

    /// The ring slot for `key`, if `key`'s entry is (or would be) there: the
    /// slot holds `key`, or it is vacant and no label waits in the hash map.
    #[inline]
    fn ring_slot(&self, key: u64) -> Option<usize> {
        let i = (key & self.mask) as usize;
        let k = self.ring[i].key;
        (key != VACANT && (k == key || (k == VACANT && self.index.is_empty()))).then_some(i)
    }

    /// Runs `f` on ring slot `i`'s entry for `key` (moving a hot slot's
    /// operation into it first), then claims or releases the slot, keeping it
    /// hot when one operation and no message is left.
    #[inline]
    fn with_slot<R>(
        &mut self,
        i: usize,
        key: u64,
        f: impl FnOnce(&mut Entry, &mut Tally) -> R,
    ) -> R {
        let hot = self.ring[i];
        let entry = &mut self.cold[i];
        if hot.key != VACANT && hot.want & COLD == 0 {
            entry.waiting.push((hot.op, hot.want));
        }
        let r = f(entry, &mut self.tally);
        self.ring[i] = if !entry.queued.is_empty() || entry.waiting.len() > 1 {
            Hot {
                key,
                op: 0,
                want: COLD,
            }
        } else if let Some((op, want)) = entry.waiting.pop() {
            Hot { key, op, want }
        } else {
            EMPTY_SLOT
        };
        r
    }

    /// The ring slot where `label` (dense key `key`) is filed, if it is filed
    /// in the ring: the slot holds `key`, or it is vacant and the label has no
    /// entry in the hash map.
    #[inline]
    fn ring_index(&self, label: &L, key: u64) -> Option<usize> {
        let i = (key & self.mask) as usize;
        let k = self.ring[i].key;
        (key != VACANT
            && (k == key
                || (k == VACANT
                    && (self.index.is_empty()
                        || self.find(label, self.hasher.hash_one(label)).is_none()))))
        .then_some(i)
    }

    /// The slab slot holding `label`, if any.
    #[inline]
    fn find(&self, label: &L, hash: u64) -> Option<u32> {
        let slab = &self.slab;
        self.index
            .find(hash, |&i| slab[i as usize].label.as_ref() == Some(label))
            .copied()
    }

    /// Runs `f` on the entry for `label`, creating it if absent, and drops the
    /// entry if `f` leaves it empty.
    #[inline]
    fn with_entry<R>(
        &mut self,
        label: &L,
        dense: Option<u64>,
        f: impl FnOnce(&mut Entry, &mut Tally) -> R,
    ) -> R {
        if let Some(i) = dense.and_then(|key| self.ring_index(label, key)) {
            return self.with_slot(i, dense.expect("a dense key"), f);
        }
        let hash = self.hasher.hash_one(label);
        match self.find(label, hash) {
            Some(i) => {
                let slot = &mut self.slab[i as usize];
                let r = f(&mut slot.entry, &mut self.tally);
                if slot.entry.is_empty() {
                    slot.label = None;
                    if let Ok(e) = self.index.find_entry(hash, |&j| j == i) {
                        e.remove();
                    }
                    self.free.push_back(i);
                }
                r
            }
            None => {
                let i = match self.free.pop_front() {
                    Some(i) => i,
                    None => {
                        self.slab.push(MapSlot {
                            label: None,
                            hash: 0,
                            entry: Entry::default(),
                        });
                        (self.slab.len() - 1) as u32
                    }
                };
                let slot = &mut self.slab[i as usize];
                let r = f(&mut slot.entry, &mut self.tally);
                if slot.entry.is_empty() {
                    self.free.push_back(i);
                } else {
                    slot.label = Some(label.clone());
                    slot.hash = hash;
                    let slab = &self.slab;
                    self.index
                        .insert_unique(hash, i, |&j| slab[j as usize].hash);
                }
                r
            }
        }
    }

    /// Registers `op` under `label` (whose dense key, if the labeller has one, is
    /// `dense`), expecting one message from each sender in the bit set `senders`.
    /// Messages already queued for it are handed over at once, in arrival order,
    /// through `deliver`. An operation whose messages have all arrived is not kept.
    pub fn expect(
        &mut self,
        label: &L,
        dense: Option<u64>,
        op: OpId,
        senders: u32,
        mut deliver: impl FnMut(Delivery),
    ) {
        if senders == 0 {
            return;
        }
        // Messages already queued go to `op` first, in arrival order.
        let take_queued = |entry: &mut Entry, tally: &mut Tally| {
            let mut senders = senders;
            let mut i = 0;
            while i < entry.queued.len() && senders != 0 {
                let (s, value) = entry.queued[i];
                let bit = 1u32 << s;
                if senders & bit == 0 {
                    i += 1;
                    continue;
                }
                senders &= !bit;
                entry.queued.remove(i);
                tally.queued -= 1;
                deliver(Delivery {
                    op,
                    sender: s as PlayerId,
                    value,
                    complete: senders == 0,
                });
            }
            if senders != 0 {
                entry.waiting.push((op, senders));
            }
        };
        // Where the label is filed is decided once.
        match dense.and_then(|key| Some((key, self.ring_index(label, key)?))) {
            Some((key, i)) if self.ring[i].key == VACANT => {
                // The common case: the first to come, and nothing queued.
                self.ring[i] = Hot {
                    key,
                    op,
                    want: senders,
                };
            }
            Some((key, i)) => self.with_slot(i, key, take_queued),
            None => self.with_entry(label, None, take_queued),
        }
    }

    /// A message from `sender` under `label` (dense key `dense`) arrives. Returns
    /// the delivery if a registered operation takes it; otherwise it is queued.
    #[inline]
    pub fn deliver(
        &mut self,
        sender: PlayerId,
        label: &L,
        dense: Option<u64>,
        value: Fp,
    ) -> Option<Delivery> {
        self.with_entry(label, dense, |entry, tally| {
            file(entry, tally, sender, value)
        })
    }

    /// The receiver's fast path: a message under the label whose dense key is
    /// `key`, filed without the label itself. `None` when the label is needed
    /// (its entry may be in the hash map); then call [`Mailbox::deliver`].
    #[inline]
    pub fn deliver_dense(
        &mut self,
        sender: PlayerId,
        key: u64,
        value: Fp,
    ) -> Option<Option<Delivery>> {
        let i = self.ring_slot(key)?;
        let hot = &mut self.ring[i];
        let bit = 1u32 << sender;
        if hot.key == key && hot.want & (COLD | bit) == bit {
            // The common case: the one registered operation expects this sender.
            hot.want &= !bit;
            let (op, complete) = (hot.op, hot.want == 0);
            if complete {
                *hot = EMPTY_SLOT;
            }
            return Some(Some(Delivery {
                op,
                sender,
                value,
                complete,
            }));
        }
        Some(self.with_slot(i, key, |entry, tally| file(entry, tally, sender, value)))
    }

    /// Messages queued and not (yet) consumed.
    pub fn queued(&self) -> usize {
        self.tally.queued
    }

    /// Messages that arrived for a (sender, label) that had already delivered or
    /// queued one while the label was live.
    pub fn repeated(&self) -> u64 {
        self.tally.repeated
    }

    /// Operations registered and still waiting for messages.
    pub fn waiting_ops(&self) -> usize {
        let hot = self
            .ring
            .iter()
            .filter(|h| h.key != VACANT && h.want & COLD == 0)
            .count();
        let cold: usize = self.cold.iter().map(|e| e.waiting.len()).sum();
        hot + cold
            + self
                .slab
                .iter()
                .map(|s| s.entry.waiting.len())
                .sum::<usize>()
    }

    /// Labels with an entry (registered operations or queued messages).
    pub fn live_labels(&self) -> usize {
        self.ring.iter().filter(|s| s.key != VACANT).count() + self.index.len()
    }

    /// Up to `max` of the queued messages, as (sender, label or dense key), for
    /// error reports.
    pub fn sample_queued(&self, max: usize) -> Vec<(PlayerId, String)>
    where
        L: std::fmt::Debug,
    {
        let ring = self
            .ring
            .iter()
            .zip(&self.cold)
            .filter(|(h, _)| h.key != VACANT)
            .flat_map(|(h, e)| {
                e.queued
                    .iter()
                    .map(move |&(p, _)| (p as PlayerId, format!("#{}", h.key)))
            });
        let map = self
            .slab
            .iter()
            .filter_map(|s| s.label.as_ref().map(|l| (l, &s.entry)))
            .flat_map(|(l, e)| {
                e.queued
                    .iter()
                    .map(move |&(p, _)| (p as PlayerId, format!("{l:?}")))
            });
        ring.chain(map).take(max).collect()
    }
}

/// Files a message from `sender` in `entry`: to the earliest registered
/// operation still expecting `sender`, else into the queue.
#[inline]
fn file(entry: &mut Entry, tally: &mut Tally, sender: PlayerId, value: Fp) -> Option<Delivery> {
    let bit = 1u32 << sender;
    let taker = entry.waiting.iter().position(|&(_, m)| m & bit != 0);
    if taker != Some(0) && !entry.waiting.is_empty() {
        // An earlier registration under this label already had this sender's message.
        tally.repeated += 1;
    }
    let Some(k) = taker else {
        if entry.queued.iter().any(|&(s, _)| s as usize == sender) {
            tally.repeated += 1;
        }
        entry.queued.push((sender as u8, value));
        tally.queued += 1;
        return None;
    };
    let (op, mask) = &mut entry.waiting[k];
    *mask &= !bit;
    let (op, complete) = (*op, *mask == 0);
    if complete {
        entry.waiting.remove(k);
    }
    Some(Delivery {
        op,
        sender,
        value,
        complete,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: u64) -> Fp {
        Fp::new(x)
    }

    fn collect(
        m: &mut Mailbox<&'static str>,
        label: &'static str,
        op: OpId,
        senders: u32,
    ) -> Vec<Delivery> {
        let mut got = Vec::new();
        m.expect(&label, None, op, senders, |d| got.push(d));
        got
    }

    #[test]
    fn message_after_registration_is_delivered() {
        let mut m = Mailbox::new(16);
        assert!(collect(&mut m, "L", 7, 0b110).is_empty());
        let d = m.deliver(1, &"L", None, v(5)).unwrap();
        assert_eq!((d.op, d.sender, d.value, d.complete), (7, 1, v(5), false));
        let d = m.deliver(2, &"L", None, v(6)).unwrap();
        assert!(d.complete);
        assert_eq!((m.queued(), m.waiting_ops(), m.repeated()), (0, 0, 0));
    }

    #[test]
    fn message_before_registration_waits_for_it() {
        let mut m = Mailbox::new(16);
        assert_eq!(m.deliver(2, &"L", None, v(9)), None);
        assert_eq!(m.queued(), 1);
        let got = collect(&mut m, "L", 3, 0b100);
        assert_eq!(
            got,
            vec![Delivery {
                op: 3,
                sender: 2,
                value: v(9),
                complete: true
            }]
        );
        assert_eq!((m.queued(), m.waiting_ops(), m.live_labels()), (0, 0, 0));
    }

    #[test]
    fn repeated_labels_are_queued_in_arrival_order_and_counted() {
        let mut m = Mailbox::new(16);
        // Two messages from player 1 under the same label before anyone asks.
        m.deliver(1, &"L", None, v(1));
        m.deliver(1, &"L", None, v(2));
        assert_eq!((m.queued(), m.repeated()), (2, 1));
        // The first registration takes the first, the second the second.
        assert_eq!(collect(&mut m, "L", 10, 0b10)[0].value, v(1));
        assert_eq!(collect(&mut m, "L", 11, 0b10)[0].value, v(2));
        // Registered first, then two arrivals: again in order.
        collect(&mut m, "M", 20, 0b10);
        collect(&mut m, "M", 21, 0b10);
        assert_eq!(m.deliver(1, &"M", None, v(3)).unwrap().op, 20);
        assert_eq!(m.deliver(1, &"M", None, v(4)).unwrap().op, 21);
        assert_eq!((m.queued(), m.waiting_ops()), (0, 0));
    }

    #[test]
    fn unconsumed_messages_are_orphans() {
        let mut m: Mailbox<u64> = Mailbox::new(16);
        m.deliver(0, &5, Some(5), v(1));
        collect_u(&mut m, 6, 1, 0b1);
        m.deliver(0, &6, Some(6), v(2));
        m.deliver(0, &6, Some(6), v(3));
        assert_eq!(m.queued(), 2);
        let mut sample = m.sample_queued(10);
        sample.sort();
        assert_eq!(sample, vec![(0, "#5".to_string()), (0, "#6".to_string())]);
    }

    fn collect_u(m: &mut Mailbox<u64>, label: u64, op: OpId, senders: u32) {
        m.expect(&label, Some(label), op, senders, |_| {});
    }
}

#[cfg(test)]
mod ring_tests {
    use super::*;

    /// Dense labels that share a ring slot (5 and 21 with a ring of 16) must stay
    /// apart: the later one goes to the hash map, and stays there even after the
    /// slot frees up, until its entry is done.
    #[test]
    fn colliding_dense_labels_stay_apart() {
        let mut m: Mailbox<u64> = Mailbox::new(16);
        m.expect(&5, Some(5), 1, 0b10, |_| {});
        assert_eq!(m.deliver(1, &21, Some(21), Fp::new(7)), None);
        // Slot 5 frees up; label 21's queued message must still be found.
        assert_eq!(m.deliver(1, &5, Some(5), Fp::new(1)).unwrap().op, 1);
        let mut got = Vec::new();
        m.expect(&21, Some(21), 2, 0b10, |d| got.push(d));
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].op, got[0].value), (2, Fp::new(7)));
        assert_eq!((m.queued(), m.live_labels()), (0, 0));
    }

    #[test]
    fn dense_fast_path_defers_to_the_map_when_it_must() {
        let mut m: Mailbox<u64> = Mailbox::new(16);
        // Label 21 lands in the map while slot 5 is held by label 5.
        m.expect(&5, Some(5), 1, 0b10, |_| {});
        assert_eq!(m.deliver(1, &21, Some(21), Fp::new(7)), None);
        // Slot 5 is now held by 5: the fast path cannot file 21.
        assert_eq!(m.deliver_dense(1, 21, Fp::new(8)), None);
        // The fast path files 5 itself.
        assert_eq!(m.deliver_dense(1, 5, Fp::new(1)).unwrap().unwrap().op, 1);
    }

    /// One step of a mailbox's life: an operation registers, or a message arrives.
    #[derive(Debug, Clone)]
    enum Step {
        Expect {
            label: u64,
            op: OpId,
            senders: u32,
        },
        Deliver {
            label: u64,
            sender: PlayerId,
            value: u64,
        },
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            (0..6u64, 0..50u32, 1..8u32).prop_map(|(label, op, senders)| Step::Expect {
                label,
                op,
                senders
            }),
            (0..6u64, 0..3usize, 0..100u64).prop_map(|(label, sender, value)| Step::Deliver {
                label,
                sender,
                value
            }),
        ]
    }

    /// Everything the mailbox tells its user after `steps`: the deliveries in
    /// order and the totals.
    fn replay(steps: &[Step], dense: bool, ring: usize) -> (Vec<Delivery>, usize, u64, usize) {
        let mut m: Mailbox<u64> = Mailbox::new(ring);
        let mut out = Vec::new();
        for s in steps {
            match *s {
                Step::Expect { label, op, senders } => {
                    m.expect(&label, dense.then_some(label), op, senders, |d| out.push(d))
                }
                Step::Deliver {
                    label,
                    sender,
                    value,
                } => {
                    let value = Fp::new(value);
                    // As the engine's receiver does: the fast path, then the label.
                    let fast = dense
                        .then(|| m.deliver_dense(sender, label, value))
                        .flatten();
                    out.extend(fast.unwrap_or_else(|| {
                        m.deliver(sender, &label, dense.then_some(label), value)
                    }))
                }
            }
        }
        (out, m.queued(), m.repeated(), m.waiting_ops())
    }

    proptest::proptest! {
        /// The ring's hot and cold halves (and its fallback to the hash map when
        /// two live labels share a slot, with a ring of 4) behave exactly as the
        /// hash-filed entries do: same deliveries, same queue, same counts.
        #[test]
        fn the_ring_behaves_as_the_hash_map(steps in proptest::collection::vec(step(), 0..80)) {
            let reference = replay(&steps, false, 16);
            proptest::prop_assert_eq!(&replay(&steps, true, 16), &reference);
            proptest::prop_assert_eq!(&replay(&steps, true, 4), &reference);
        }
    }
}
