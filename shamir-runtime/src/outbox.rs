//! [`Outbox`]: the frames bound for one peer, as one byte buffer, with the
//! fixed delay and seeded jitter that hold each frame until its release time.
//!
//! The engine appends frames here and never touches a socket; the link's
//! writer ([`crate::net::write_link`]) swaps the due bytes out and writes them
//! in one call. With a delay or jitter ([`Hold`]), each frame is held until
//! its send time plus the delay plus a seeded random jitter, never before an
//! earlier frame (order on the link is preserved).
//!
//! The delay is added here, in user space at the sender, not by the kernel:
//! it delays when a frame enters the socket, so the receiver sees it that much
//! later, as over a link with that one-way latency. TCP does not see it: its
//! window, acknowledgements and retransmission timers run over the real link,
//! so the delay models propagation without the bandwidth-delay product a
//! long link imposes on TCP's window. Nothing here does I/O: [`crate::in_memory`] empties outboxes
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

/// How an outbox holds its frames: each is released at its send time plus
/// `delay` plus a random duration in `0..=jitter` drawn from `seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    /// The fixed one-way delay.
    pub delay: Duration,
    /// The most random delay added to it.
    pub jitter: Duration,
    /// Seed of the random delays.
    pub seed: u64,
}

/// Release times of held frames, for a link with a delay or jitter.
#[derive(Debug)]
struct Jitter {
    rng: ChaCha8Rng,
    delay: Duration,
    max_ns: u64,
    last_release: Instant,
    /// (release time, absolute end offset of the frame in the link's byte stream).
    marks: VecDeque<(Instant, u64)>,
    /// Absolute offset of `buf[0]` in the link's byte stream.
    base: u64,
}

impl Outbox {
    /// An outbox; with a [`Hold`], every frame is held as it says.
    pub fn new(hold: Option<Hold>) -> Outbox {
        Outbox {
            buf: RefCell::new(Vec::with_capacity(64 << 10)),
            wake: Notify::new(),
            closed: Cell::new(false),
            jitter: hold.map(|h| {
                RefCell::new(Jitter {
                    rng: ChaCha8Rng::seed_from_u64(h.seed),
                    delay: h.delay,
                    max_ns: h.jitter.as_nanos() as u64,
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

    /// Whether frames on this link are held for a delay or jitter (and so must
    /// be pushed one by one, each with its own release time).
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
        let jitter = match self.max_ns {
            0 => Duration::ZERO,
            max => Duration::from_nanos(self.rng.gen_range(0..=max)),
        };
        let at = (now + self.delay + jitter).max(self.last_release);
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
        let outbox = Outbox::new(Some(Hold {
            delay: Duration::ZERO,
            jitter: Duration::from_millis(5),
            seed: 3,
        }));
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

    /// A fixed delay holds every frame exactly that long (without jitter),
    /// in order.
    #[test]
    fn a_delay_holds_each_frame_that_long() {
        let now = Instant::now();
        let delay = Duration::from_millis(10);
        let outbox = Outbox::new(Some(Hold {
            delay,
            jitter: Duration::ZERO,
            seed: 1,
        }));
        let mut first = Vec::new();
        put_message(&mut first, &[1], Fp::new(1));
        outbox.push_frame(&first, now);
        let later = now + Duration::from_millis(4);
        let mut second = Vec::new();
        put_message(&mut second, &[2], Fp::new(2));
        outbox.push_frame(&second, later);
        let mut got = Vec::new();
        assert_eq!(
            outbox.take_ready(&mut got, now + delay - Duration::from_nanos(1)),
            Some(now + delay)
        );
        assert!(got.is_empty());
        assert_eq!(
            outbox.take_ready(&mut got, now + delay),
            Some(later + delay)
        );
        assert_eq!(got, first);
        got.clear();
        assert_eq!(outbox.take_ready(&mut got, later + delay), None);
        assert_eq!(got, second);
    }

    #[test]
    fn an_abort_replaces_held_frames_and_goes_out_at_once() {
        let now = Instant::now();
        let outbox = Outbox::new(Some(Hold {
            delay: Duration::ZERO,
            jitter: Duration::from_secs(60),
            seed: 3,
        }));
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
