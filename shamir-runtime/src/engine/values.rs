//! Value slots: every share or opened value a program holds a handle to, with
//! the reference count that frees it.
//!
//! A slot is 16 bytes: the value, its state (ready, or pending with the entry
//! of the operation producing it) and its references: a bit for the program's
//! handle, set until the program calls [`Mpc::release`](crate::Mpc::release)
//! (a second release, or any use after the first, is a program error), and a
//! count of the operations that wait and will read the value when they run (an
//! operation that waits holds all its operands; operations whose operands are
//! ready read them at once and hold nothing). A slot whose references are gone is freed as soon as it is ready
//! (a result nobody will read is never stored at all) and reused by the next
//! value, so the table is as large as what the program holds and what is in
//! flight, not as long as the run. Each slot also carries the labeller's tag
//! for the value (history labels keep the value's history there).

use crate::field::Fp;

/// `state` of a known value.
pub const READY: u32 = u32::MAX;
/// `state` of a value that came from an inconsistent opening.
pub const READY_INCONSISTENT: u32 = u32::MAX - 1;
/// `state` of a free slot.
const FREE: u32 = u32::MAX - 2;

/// The bit of `refs` for the program's handle; the bits below count the
/// operations holding the value.
const HANDLE: u32 = 1 << 31;

/// One value.
#[derive(Debug, Clone, Copy)]
struct Slot {
    value: Fp,
    /// [`READY`], [`READY_INCONSISTENT`], [`FREE`], or the entry producing it.
    state: u32,
    /// [`HANDLE`] while the program holds it, plus one per waiting operation.
    refs: u32,
}

/// Why a value could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misuse {
    /// The handle names no value the program still holds.
    Released,
}

/// The value slots of one player.
#[derive(Debug)]
pub struct Values<T> {
    slots: Vec<Slot>,
    tags: Vec<T>,
    free: Vec<u32>,
}

impl<T> Default for Values<T> {
    fn default() -> Self {
        Values {
            slots: Vec::new(),
            tags: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Values<T> {
    /// A new value with tag `tag`, produced by entry `producer` (or [`READY`]
    /// with `value`), held by the program's handle.
    #[inline(always)]
    pub fn alloc(&mut self, tag: T, producer: u32, value: Fp) -> u32 {
        let slot = Slot {
            value,
            state: producer,
            refs: HANDLE,
        };
        match self.free.pop() {
            Some(v) => {
                self.slots[v as usize] = slot;
                self.tags[v as usize] = tag;
                v
            }
            None => self.grow(slot, tag),
        }
    }

    /// [`Values::alloc`] when no slot is free: a new one.
    #[inline(never)]
    fn grow(&mut self, slot: Slot, tag: T) -> u32 {
        let v = self.slots.len() as u32;
        assert!(v < FREE, "more than 2^32 - 3 values held at once");
        self.slots.push(slot);
        self.tags.push(tag);
        v
    }

    /// Whether the program still holds its handle to `v`.
    #[inline]
    pub fn is_held(&self, v: u32) -> bool {
        self.slots
            .get(v as usize)
            .is_some_and(|s| s.state != FREE && s.refs & HANDLE != 0)
    }

    /// Whether `v` is known (`Some(true)`), pending (`Some(false)`), or names
    /// no value the program still holds (`None`): one look at the slot.
    #[inline]
    pub fn readiness(&self, v: u32) -> Option<bool> {
        match self.slots.get(v as usize) {
            Some(s) if s.state != FREE && s.refs & HANDLE != 0 => {
                Some(s.state >= READY_INCONSISTENT)
            }
            _ => None,
        }
    }

    /// The producing entry of a pending value; `None` if it is known.
    #[inline]
    pub fn producer(&self, v: u32) -> Option<u32> {
        let s = self.slots[v as usize].state;
        (s < FREE).then_some(s)
    }

    /// Whether `v` is known.
    #[inline]
    pub fn is_ready(&self, v: u32) -> bool {
        self.slots[v as usize].state >= READY_INCONSISTENT
    }

    /// Whether `v` came from an opening whose shares were inconsistent.
    #[inline]
    pub fn is_inconsistent(&self, v: u32) -> bool {
        self.slots[v as usize].state == READY_INCONSISTENT
    }

    /// The value of `v` (meaningful once it is ready).
    #[inline]
    pub fn get(&self, v: u32) -> Fp {
        self.slots[v as usize].value
    }

    /// The tag of `v`.
    #[inline]
    pub fn tag(&self, v: u32) -> &T {
        &self.tags[v as usize]
    }

    /// An operation that will read `v` later holds it.
    #[inline]
    pub fn hold(&mut self, v: u32) {
        self.slots[v as usize].refs += 1;
    }

    /// Drops one reference to `v`, freeing it if it was the last and the
    /// value is ready.
    #[inline]
    pub fn drop_ref(&mut self, v: u32) {
        let s = &mut self.slots[v as usize];
        s.refs -= 1;
        if s.refs == 0 && s.state >= READY_INCONSISTENT {
            s.state = FREE;
            self.free.push(v);
        }
    }

    /// The program releases its handle to `v`.
    #[inline]
    pub fn release(&mut self, v: u32) -> Result<(), Misuse> {
        let Some(s) = self.slots.get_mut(v as usize) else {
            return Err(Misuse::Released);
        };
        if s.state == FREE || s.refs & HANDLE == 0 {
            return Err(Misuse::Released);
        }
        s.refs &= !HANDLE;
        if s.refs == 0 && s.state >= READY_INCONSISTENT {
            s.state = FREE;
            self.free.push(v);
        }
        Ok(())
    }

    /// The pending value `v` is known: stored if anyone holds it, else freed.
    #[inline]
    pub fn set(&mut self, v: u32, value: Fp, consistent: bool) {
        let s = &mut self.slots[v as usize];
        if s.refs == 0 {
            s.state = FREE;
            self.free.push(v);
            return;
        }
        s.value = value;
        s.state = if consistent {
            READY
        } else {
            READY_INCONSISTENT
        };
    }

    /// Values held (not free), for reports and tests.
    pub fn held(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Slots ever used: the table's size.
    pub fn slots(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_freed_once_released_and_read() {
        let mut vs: Values<()> = Values::default();
        let a = vs.alloc((), READY, Fp::new(3));
        let p = vs.alloc((), 7, Fp::ZERO);
        assert_eq!(vs.producer(p), Some(7));
        // An operation waits for `a` and the program releases it: kept.
        vs.hold(a);
        vs.release(a).unwrap();
        assert_eq!(vs.held(), 2, "kept while an operation waits for it");
        vs.drop_ref(a);
        assert_eq!(vs.held(), 1);
        // A released pending value is never stored.
        vs.release(p).unwrap();
        vs.set(p, Fp::new(5), true);
        assert!(!vs.is_held(p));
        assert_eq!(vs.release(p), Err(Misuse::Released));
        // Slots are reused.
        let b = vs.alloc((), READY, Fp::ONE);
        assert!(b == a || b == p);
        assert_eq!((vs.held(), vs.slots()), (1, 2));
    }

    /// The program's handle is one bit, not one count among the operations'
    /// holds: releasing twice is refused even while an operation holds the
    /// value, and the value stays for that operation.
    #[test]
    fn a_second_release_is_refused_while_an_operation_holds_the_value() {
        let mut vs: Values<()> = Values::default();
        let a = vs.alloc((), READY, Fp::new(3));
        vs.hold(a);
        vs.release(a).unwrap();
        assert_eq!(vs.release(a), Err(Misuse::Released));
        assert!(!vs.is_held(a), "the program no longer holds it");
        assert_eq!(
            (vs.get(a), vs.held()),
            (Fp::new(3), 1),
            "the operation does"
        );
        vs.drop_ref(a);
        assert_eq!(vs.held(), 0);
    }
}
