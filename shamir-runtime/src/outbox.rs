//! [`Outbox`]: the frames bound for one peer, as one byte buffer, with the
//! seeded jitter that holds each frame until its release time.
//!
//! The engine appends frames here and never touches a socket; the link's
//! writer ([`crate::net::write_link`]) swaps the due bytes out and writes them
//! in one call. With jitter on, each frame is held until a seeded random
//! release time, never before an earlier frame (order on the link is
//! preserved). Nothing here does I/O: [`crate::in_memory`] empties outboxes
//! straight into the receiving engines.

use crate::wire::{put_abort, put_bye};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Frames of at most this many bytes go out through
/// [`Outbox::push_short_frame`]: every frame with a label of up to 23 bytes.
pub const SHORT_FRAME: usize = 32;

/// Frames waiting to go out on one link.
#[derive(Debug)]
pub struct Outbox {
    buf: RefCell<Vec<u8>>,
    wake: Notify,
    closed: Cell<bool>,
    jitter: Option<RefCell<Jitter>>,
}

/// Release times of held frames, for a link with jitter.
#[derive(Debug)]
struct Jitter {
    rng: ChaCha8Rng,
    max_ns: u64,
    last_release: Instant,
    /// (release time, absolute end offset of the frame in the link's byte stream).
    marks: VecDeque<(Instant, u64)>,
    /// Absolute offset of `buf[0]` in the link's byte stream.
    base: u64,
}

impl Outbox {
    /// An outbox; with `jitter = Some((max, seed))` every frame is delayed by a
    /// random duration in `0..=max` drawn from `seed`.
    pub fn new(jitter: Option<(Duration, u64)>) -> Outbox {
        Outbox {
            buf: RefCell::new(Vec::with_capacity(64 << 10)),
            wake: Notify::new(),
            closed: Cell::new(false),
            jitter: jitter.map(|(max, seed)| {
                RefCell::new(Jitter {
                    rng: ChaCha8Rng::seed_from_u64(seed),
                    max_ns: max.as_nanos() as u64,
                    last_release: Instant::now(),
                    marks: VecDeque::new(),
                    base: 0,
                })
            }),
        }
    }

    /// Appends a message frame: `frame` is the whole frame (length prefix, label
    /// and payload) as prepared by the engine, copied in one piece.
    #[inline]
    pub fn push_frame(&self, frame: &[u8], now: Instant) {
        let mut buf = self.buf.borrow_mut();
        let was_empty = buf.is_empty();
        buf.extend_from_slice(frame);
        self.pushed(buf, was_empty, now);
    }

    /// Appends the message frame that is the first `len` bytes of `padded`
    /// (`len <= SHORT_FRAME`). The copy has a size known at compile time: a
    /// few vector moves instead of a call to `memcpy` per message.
    #[inline]
    pub fn push_short_frame(&self, padded: &[u8; SHORT_FRAME], len: usize, now: Instant) {
        debug_assert!(len <= SHORT_FRAME);
        let mut buf = self.buf.borrow_mut();
        let was_empty = buf.is_empty();
        let end = buf.len() + len;
        buf.extend_from_slice(padded);
        buf.truncate(end);
        self.pushed(buf, was_empty, now);
    }

    /// Whether frames on this link are held for jitter (and so must be pushed
    /// one by one, each with its own release time).
    pub fn has_jitter(&self) -> bool {
        self.jitter.is_some()
    }

    /// Appends a batch of whole frames staged by the sender and empties
    /// `frames` (swapping buffers when the outbox is empty, so nothing is
    /// copied). Only for a link without jitter.
    #[inline]
    pub fn push_frames(&self, frames: &mut Vec<u8>) {
        debug_assert!(
            self.jitter.is_none(),
            "jittered frames are pushed one by one"
        );
        let mut buf = self.buf.borrow_mut();
        let was_empty = buf.is_empty();
        if was_empty {
            std::mem::swap(&mut *buf, frames);
        } else {
            buf.extend_from_slice(frames);
            frames.clear();
        }
        drop(buf);
        if was_empty {
            self.wake.notify_one();
        }
    }

    /// After a frame went into `buf`: holds it for jitter, wakes the writer.
    #[inline]
    fn pushed(&self, buf: std::cell::RefMut<'_, Vec<u8>>, was_empty: bool, now: Instant) {
        if let Some(j) = &self.jitter {
            j.borrow_mut().hold(now, buf.len());
        }
        drop(buf);
        if was_empty {
            self.wake.notify_one();
        }
    }

    /// Appends the end-of-run marker; the writer shuts the link down after it.
    pub fn close(&self) {
        if self.closed.replace(true) {
            return;
        }
        let mut buf = self.buf.borrow_mut();
        put_bye(&mut buf);
        if let Some(j) = &self.jitter {
            let mut j = j.borrow_mut();
            let at = j.last_release;
            j.mark(at, buf.len());
        }
        drop(buf);
        self.wake.notify_one();
    }

    /// The run failed: drops every frame not yet taken out (the peer could not
    /// use them now) and appends an Abort frame with `reason`, due at once;
    /// the writer shuts the link down after it. Returns false, doing nothing,
    /// once the end-of-run marker is in (the peer needs nothing more from
    /// this player, and nothing may follow the marker).
    pub fn abort(&self, reason: &str) -> bool {
        if self.closed.replace(true) {
            return false;
        }
        let mut buf = self.buf.borrow_mut();
        buf.clear();
        put_abort(&mut buf, reason);
        if let Some(j) = &self.jitter {
            let mut j = j.borrow_mut();
            j.marks.clear();
            j.mark(Instant::now(), buf.len());
        }
        drop(buf);
        self.wake.notify_one();
        true
    }

    /// Moves the bytes that may go out now into `into` (which must be empty).
    /// Returns when the next held frame is due, if any remain held.
    pub fn take_ready(&self, into: &mut Vec<u8>, now: Instant) -> Option<Instant> {
        let mut buf = self.buf.borrow_mut();
        let Some(j) = &self.jitter else {
            std::mem::swap(&mut *buf, into);
            return None;
        };
        let mut j = j.borrow_mut();
        let mut end = j.base;
        while let Some(&(at, e)) = j.marks.front() {
            if at > now {
                break;
            }
            end = e;
            j.marks.pop_front();
        }
        let take = (end - j.base) as usize;
        into.extend_from_slice(&buf[..take]);
        buf.drain(..take);
        j.base = end;
        j.marks.front().map(|&(at, _)| at)
    }

    /// Waits until a frame is pushed into an empty outbox, or it is closed.
    pub async fn frames_pushed(&self) {
        self.wake.notified().await;
    }

    /// Whether the end-of-run marker has been appended and everything before
    /// it taken out.
    pub fn finished(&self) -> bool {
        self.closed.get() && self.buf.borrow().is_empty()
    }
}

impl Jitter {
    fn hold(&mut self, now: Instant, len: usize) {
        let delay = Duration::from_nanos(self.rng.gen_range(0..=self.max_ns));
        let at = (now + delay).max(self.last_release);
        self.mark(at, len);
    }

    fn mark(&mut self, at: Instant, len: usize) {
        self.last_release = at;
        let end = self.base + len as u64;
        self.marks.push_back((at, end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Fp;
    use crate::wire::put_message;

    #[test]
    fn jitter_preserves_order_and_delays() {
        let now = Instant::now();
        let outbox = Outbox::new(Some((Duration::from_millis(5), 3)));
        for i in 0..50 {
            let mut frame = Vec::new();
            put_message(&mut frame, &[i], Fp::new(u64::from(i)));
            outbox.push_frame(&frame, now);
        }
        let mut got = Vec::new();
        // Nothing is due before `now`; everything is due 5 ms later.
        assert!(outbox.take_ready(&mut got, now).is_some() || !got.is_empty());
        let mut rest = Vec::new();
        assert_eq!(
            outbox.take_ready(&mut rest, now + Duration::from_millis(6)),
            None
        );
        got.extend_from_slice(&rest);
        let mut all = Vec::new();
        for i in 0..50u8 {
            put_message(&mut all, &[i], Fp::new(u64::from(i)));
        }
        assert_eq!(got, all);
    }

    #[test]
    fn an_abort_replaces_held_frames_and_goes_out_at_once() {
        let now = Instant::now();
        let outbox = Outbox::new(Some((Duration::from_secs(60), 3)));
        let mut frame = Vec::new();
        put_message(&mut frame, &[1], Fp::new(1));
        outbox.push_frame(&frame, now);
        assert!(outbox.abort("why"));
        let mut got = Vec::new();
        assert_eq!(outbox.take_ready(&mut got, Instant::now()), None);
        let mut want = Vec::new();
        crate::wire::put_abort(&mut want, "why");
        assert_eq!(got, want);
        assert!(outbox.finished());
        // Once only, and never after the end-of-run marker.
        assert!(!outbox.abort("again"));
        let closed = Outbox::new(None);
        closed.close();
        assert!(!closed.abort("late"));
    }
}
