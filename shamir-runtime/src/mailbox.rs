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

use crate::field::Fp;
use crate::label::PlayerId;
type FxHashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
use smallvec::SmallVec;
use std::hash::Hash;

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

/// Messages keyed by (sender, label); see the [module docs](self).
#[derive(Debug)]
pub struct Mailbox<L> {
    entries: FxHashMap<L, Entry>,
    queued: usize,
    repeated: u64,
}

impl<L> Default for Mailbox<L> {
    fn default() -> Self {
        Mailbox {
            entries: FxHashMap::default(),
            queued: 0,
            repeated: 0,
        }
    }
}

impl<L: Hash + Eq + Clone> Mailbox<L> {
    /// An empty mailbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `op` under `label`, expecting one message from each sender in the
    /// bit set `senders`. Messages already queued for it are handed over at once,
    /// in arrival order, through `deliver`. An operation whose messages have all
    /// arrived is not kept.
    pub fn expect(
        &mut self,
        label: L,
        op: OpId,
        mut senders: u32,
        mut deliver: impl FnMut(Delivery),
    ) {
        if senders == 0 {
            return;
        }
        let Some(entry) = self.entries.get_mut(&label) else {
            let mut entry = Entry::default();
            entry.waiting.push((op, senders));
            self.entries.insert(label, entry);
            return;
        };
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
            self.queued -= 1;
            deliver(Delivery {
                op,
                sender: s as PlayerId,
                value,
                complete: senders == 0,
            });
        }
        if senders != 0 {
            entry.waiting.push((op, senders));
        } else if entry.waiting.is_empty() && entry.queued.is_empty() {
            self.entries.remove(&label);
        }
    }

    /// A message from `sender` under `label` arrives. Returns the delivery if a
    /// registered operation takes it; otherwise the message is queued.
    #[inline]
    pub fn deliver(&mut self, sender: PlayerId, label: L, value: Fp) -> Option<Delivery> {
        let bit = 1u32 << sender;
        let Some(entry) = self.entries.get_mut(&label) else {
            let mut entry = Entry::default();
            entry.queued.push((sender as u8, value));
            self.entries.insert(label, entry);
            self.queued += 1;
            return None;
        };
        let taker = entry.waiting.iter().position(|&(_, m)| m & bit != 0);
        if taker != Some(0) && !entry.waiting.is_empty() {
            // An earlier registration under this label already had this sender's message.
            self.repeated += 1;
        }
        let Some(k) = taker else {
            if entry.queued.iter().any(|&(s, _)| s as usize == sender) {
                self.repeated += 1;
            }
            entry.queued.push((sender as u8, value));
            self.queued += 1;
            return None;
        };
        let (op, mask) = &mut entry.waiting[k];
        *mask &= !bit;
        let (op, complete) = (*op, *mask == 0);
        if complete {
            entry.waiting.remove(k);
            if entry.waiting.is_empty() && entry.queued.is_empty() {
                self.entries.remove(&label);
            }
        }
        Some(Delivery {
            op,
            sender,
            value,
            complete,
        })
    }

    /// Messages queued and not (yet) consumed.
    pub fn queued(&self) -> usize {
        self.queued
    }

    /// Messages that arrived for a (sender, label) that had already delivered or
    /// queued one while the label was live.
    pub fn repeated(&self) -> u64 {
        self.repeated
    }

    /// Operations registered and still waiting for messages.
    pub fn waiting_ops(&self) -> usize {
        self.entries.values().map(|e| e.waiting.len()).sum()
    }

    /// Up to `max` of the queued messages, as (sender, label), for error reports.
    pub fn sample_queued(&self, max: usize) -> Vec<(PlayerId, L)> {
        self.entries
            .iter()
            .flat_map(|(l, e)| e.queued.iter().map(move |&(s, _)| (s as PlayerId, l.clone())))
            .take(max)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: u64) -> Fp {
        Fp::new(x)
    }

    fn collect(m: &mut Mailbox<&'static str>, label: &'static str, op: OpId, senders: u32) -> Vec<Delivery> {
        let mut got = Vec::new();
        m.expect(label, op, senders, |d| got.push(d));
        got
    }

    #[test]
    fn message_after_registration_is_delivered() {
        let mut m = Mailbox::new();
        assert!(collect(&mut m, "L", 7, 0b110).is_empty());
        let d = m.deliver(1, "L", v(5)).unwrap();
        assert_eq!((d.op, d.sender, d.value, d.complete), (7, 1, v(5), false));
        let d = m.deliver(2, "L", v(6)).unwrap();
        assert!(d.complete);
        assert_eq!((m.queued(), m.waiting_ops(), m.repeated()), (0, 0, 0));
    }

    #[test]
    fn message_before_registration_waits_for_it() {
        let mut m = Mailbox::new();
        assert_eq!(m.deliver(2, "L", v(9)), None);
        assert_eq!(m.queued(), 1);
        let got = collect(&mut m, "L", 3, 0b100);
        assert_eq!(got, vec![Delivery { op: 3, sender: 2, value: v(9), complete: true }]);
        assert_eq!((m.queued(), m.waiting_ops()), (0, 0));
    }

    #[test]
    fn repeated_labels_are_queued_in_arrival_order_and_counted() {
        let mut m = Mailbox::new();
        // Two messages from player 1 under the same label before anyone asks.
        m.deliver(1, "L", v(1));
        m.deliver(1, "L", v(2));
        assert_eq!((m.queued(), m.repeated()), (2, 1));
        // The first registration takes the first, the second the second.
        assert_eq!(collect(&mut m, "L", 10, 0b10)[0].value, v(1));
        assert_eq!(collect(&mut m, "L", 11, 0b10)[0].value, v(2));
        // Registered first, then two arrivals: again in order.
        collect(&mut m, "M", 20, 0b10);
        collect(&mut m, "M", 21, 0b10);
        assert_eq!(m.deliver(1, "M", v(3)).unwrap().op, 20);
        assert_eq!(m.deliver(1, "M", v(4)).unwrap().op, 21);
        assert_eq!((m.queued(), m.waiting_ops()), (0, 0));
    }

    #[test]
    fn unconsumed_messages_are_orphans() {
        let mut m: Mailbox<u64> = Mailbox::new();
        m.deliver(0, 5, v(1));
        collect_u(&mut m, 6, 1, 0b1);
        m.deliver(0, 6, v(2));
        m.deliver(0, 6, v(3));
        assert_eq!(m.queued(), 2);
        let mut sample = m.sample_queued(10);
        sample.sort();
        assert_eq!(sample, vec![(0, 5), (0, 6)]);
    }

    fn collect_u(m: &mut Mailbox<u64>, label: u64, op: OpId, senders: u32) {
        m.expect(label, op, senders, |_| {});
    }
}
